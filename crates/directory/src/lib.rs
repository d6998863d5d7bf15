//! The organisation's LDAP directory. Sign-in: the service account searches for the person by a
//! configured filter, then the person's own entry is bound with the password typed (a simple
//! bind; an empty password is never sent, since LDAP reads it as an anonymous bind that
//! succeeds). Synchronisation: every person under the base, read page by page. TLS by `ldaps://`
//! or StartTLS, verified against a configured CA file (or the system's roots).
pub mod oidc;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, ldap_escape};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Where the directory is and how its entries map onto the roster.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `ldap://host:389` or `ldaps://host:636`
    pub url: String,
    /// upgrade an `ldap://` connection with StartTLS
    pub starttls: bool,
    /// PEM file of the CA that signed the directory's certificate (default: the system's roots)
    pub ca_file: String,
    /// the service account that searches
    pub bind_dn: String,
    pub bind_password: String,
    pub base_dn: String,
    /// the filter finding one person by what they type as login; `{login}` is replaced (escaped)
    pub user_filter: String,
    /// the filter of every person brought in by a synchronisation
    pub sync_filter: String,
    /// the attribute holding the staff number (the key to the roster)
    pub staff_attr: String,
    pub login_attr: String,
    pub name_attr: String,
    /// the attribute holding the unit's code
    pub unit_attr: String,
    /// the attribute holding the department's name
    pub department_attr: String,
    pub timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            url: String::new(),
            starttls: false,
            ca_file: String::new(),
            bind_dn: String::new(),
            bind_password: String::new(),
            base_dn: String::new(),
            user_filter: "(&(objectClass=inetOrgPerson)(uid={login}))".into(),
            sync_filter: "(objectClass=inetOrgPerson)".into(),
            staff_attr: "employeeNumber".into(),
            login_attr: "uid".into(),
            name_attr: "cn".into(),
            unit_attr: "departmentNumber".into(),
            department_attr: "ou".into(),
            timeout_secs: 10,
        }
    }
}

impl Config {
    /// Whether a directory is configured at all.
    pub fn enabled(&self) -> bool {
        !self.url.is_empty()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("url", &self.url)
            .field("starttls", &self.starttls)
            .field("bind_dn", &self.bind_dn)
            .field("base_dn", &self.base_dn)
            .finish_non_exhaustive()
    }
}

/// A person as the directory has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub dn: String,
    pub login: String,
    pub staff_no: String,
    pub name: String,
    pub unit_code: String,
    pub department: String,
}

#[derive(Debug, Error)]
pub enum DirError {
    #[error("目录服务无法连接：{0}")]
    Unreachable(String),
    #[error("目录服务拒绝了服务账号：{0}")]
    ServiceRefused(String),
    #[error("目录服务出错：{0}")]
    Protocol(String),
    #[error("目录服务配置有误：{0}")]
    Config(String),
}

impl From<ldap3::LdapError> for DirError {
    fn from(e: ldap3::LdapError) -> Self {
        DirError::Protocol(e.to_string())
    }
}

/// The result code of a bad password or an unknown DN (invalidCredentials).
const INVALID_CREDENTIALS: u32 = 49;

fn tls_config(ca_file: &str) -> Result<rustls::ClientConfig, DirError> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let certs = rustls_pki_types::CertificateDer::pem_file_iter(ca_file)
        .map_err(|e| DirError::Config(format!("{ca_file}: {e}")))?;
    for c in certs {
        let c = c.map_err(|e| DirError::Config(format!("{ca_file}: {e}")))?;
        roots
            .add(c)
            .map_err(|e| DirError::Config(format!("{ca_file}: {e}")))?;
    }
    // ring: the provider the rest of the build (sqlx's TLS) already compiles
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| DirError::Config(e.to_string()))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

async fn connect(cfg: &Config) -> Result<ldap3::Ldap, DirError> {
    if cfg.url.is_empty() {
        return Err(DirError::Config("未配置目录服务地址".into()));
    }
    let timeout = Duration::from_secs(cfg.timeout_secs.clamp(1, 120));
    let mut s = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_starttls(cfg.starttls);
    if !cfg.ca_file.is_empty() {
        s = s.set_config(Arc::new(tls_config(&cfg.ca_file)?));
    }
    let (conn, mut ldap) = LdapConnAsync::with_settings(s, &cfg.url)
        .await
        .map_err(|e| DirError::Unreachable(e.to_string()))?;
    ldap3::drive!(conn);
    ldap.with_timeout(timeout);
    Ok(ldap)
}

async fn service(cfg: &Config) -> Result<ldap3::Ldap, DirError> {
    let mut ldap = connect(cfg).await?;
    let r = ldap
        .simple_bind(&cfg.bind_dn, &cfg.bind_password)
        .await
        .map_err(|e| DirError::Unreachable(e.to_string()))?;
    if r.rc != 0 {
        return Err(DirError::ServiceRefused(format!("{} {}", r.rc, r.text)));
    }
    Ok(ldap)
}

fn attrs(cfg: &Config) -> Vec<String> {
    vec![
        cfg.staff_attr.clone(),
        cfg.login_attr.clone(),
        cfg.name_attr.clone(),
        cfg.unit_attr.clone(),
        cfg.department_attr.clone(),
    ]
}

fn person(cfg: &Config, e: SearchEntry) -> Option<Person> {
    let one = |a: &str| {
        e.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(a))
            .and_then(|(_, v)| v.first())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let staff_no = one(&cfg.staff_attr);
    if staff_no.is_empty() {
        return None;
    }
    Some(Person {
        login: one(&cfg.login_attr),
        name: one(&cfg.name_attr),
        unit_code: one(&cfg.unit_attr),
        department: one(&cfg.department_attr),
        staff_no,
        dn: e.dn,
    })
}

/// Checks `login` and `password` against the directory: `Ok(None)` for an unknown login, a
/// login found more than once, an entry without a staff number or a wrong password.
pub async fn authenticate(
    cfg: &Config,
    login: &str,
    password: &str,
) -> Result<Option<Person>, DirError> {
    if password.is_empty() || login.trim().is_empty() || login.len() > 128 {
        return Ok(None);
    }
    let mut ldap = service(cfg).await?;
    let filter = cfg
        .user_filter
        .replace("{login}", &ldap_escape(login.trim()));
    let (found, _) = ldap
        .search(&cfg.base_dn, Scope::Subtree, &filter, attrs(cfg))
        .await?
        .success()?;
    if found.len() != 1 {
        let _ = ldap.unbind().await;
        return Ok(None);
    }
    let Some(p) = found
        .into_iter()
        .next()
        .map(SearchEntry::construct)
        .and_then(|e| person(cfg, e))
    else {
        let _ = ldap.unbind().await;
        return Ok(None);
    };
    let r = ldap.simple_bind(&p.dn, password).await?;
    let _ = ldap.unbind().await;
    match r.rc {
        0 => Ok(Some(p)),
        INVALID_CREDENTIALS => Ok(None),
        rc => Err(DirError::Protocol(format!("{rc} {}", r.text))),
    }
}

/// Every person the synchronisation filter finds, read in pages of 1,000 (entries without a
/// staff number are left out and counted).
pub async fn people(cfg: &Config) -> Result<(Vec<Person>, usize), DirError> {
    let mut ldap = service(cfg).await?;
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(1000)),
    ];
    let mut search = ldap
        .streaming_search_with(
            adapters,
            &cfg.base_dn,
            Scope::Subtree,
            &cfg.sync_filter,
            attrs(cfg),
        )
        .await?;
    let (mut out, mut skipped) = (Vec::new(), 0);
    while let Some(e) = search.next().await? {
        match person(cfg, SearchEntry::construct(e)) {
            Some(p) => out.push(p),
            None => skipped += 1,
        }
    }
    search.finish().await.success()?;
    let _ = ldap.unbind().await;
    Ok((out, skipped))
}
