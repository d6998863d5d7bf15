//! Typed settings: defaults → TOML file (`--config`, `DUBAN_CONFIG`, or `./duban.toml`) →
//! `DUBAN_*` environment → command-line flags.
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database_url: String,
    /// Connections this process keeps to the database at most (default 8 on SQLite, 16 on
    /// PostgreSQL): the statements it runs at once. Several servers on one PostgreSQL share its
    /// `max_connections` (docs/operator-guide.md).
    pub db_connections: Option<u32>,
    pub listen: String,
    pub secure_cookies: bool,
    pub max_upload_mb: usize,
    pub login_per_minute: u32,
    /// Letters the public form accepts per client address per minute.
    pub letters_per_minute: u32,
    /// Query-code lookups per client address per minute.
    pub codes_per_minute: u32,
    /// SMTP relay for notices, e.g. `smtp://127.0.0.1:25`; empty: notices stay in the app.
    pub smtp_url: String,
    pub mail_from: String,
    /// Minutes between supervision sweeps in `duban serve` (0: no sweeps in this process).
    pub sweep_minutes: u64,
    /// The installation's ed25519 key that signs the audit chain's head (created on first use,
    /// readable by the service account only). Keep a copy apart from the database. Empty: beside
    /// an SQLite database, else `data/audit-signing.key`.
    pub audit_key: String,
    /// Reverse proxies (addresses or networks, e.g. `127.0.0.1`, `10.0.0.0/8`) whose
    /// `X-Forwarded-For` names the client for rate limits; empty: every peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Days an API token lives (default 90).
    pub token_days: i64,
    /// A bearer token that may read `/metrics` from another machine (local reads need none).
    pub metrics_token: String,
    /// The organisation's LDAP directory (`[ldap]`): sign-in and `duban sync ldap`.
    pub ldap: duban_directory::Config,
    /// Hours between directory synchronisations in `duban serve` (0: none).
    pub ldap_sync_hours: u64,
    /// An OpenID Connect provider for single sign-on (`[oidc]`).
    pub oidc: duban_directory::oidc::OidcConfig,
    /// The address the public reaches this installation at, printed on replies to letter
    /// writers (e.g. `https://duban.example.gov.cn`).
    pub public_url: String,
    /// The SMS gateway for letter writers (`[sms]`; off while its url is empty).
    pub sms: crate::sms::SmsConfig,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: duban_store::DEFAULT_URL.into(),
            db_connections: None,
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            max_upload_mb: 20,
            login_per_minute: 20,
            letters_per_minute: 10,
            codes_per_minute: 10,
            smtp_url: String::new(),
            mail_from: "督办 <duban@localhost>".into(),
            sweep_minutes: 10,
            audit_key: String::new(),
            trusted_proxies: Vec::new(),
            token_days: 90,
            metrics_token: String::new(),
            ldap: duban_directory::Config::default(),
            ldap_sync_hours: 0,
            oidc: duban_directory::oidc::OidcConfig::default(),
            public_url: duban_store::DEFAULT_PUBLIC_URL.into(),
            sms: crate::sms::SmsConfig::default(),
        }
    }
}

/// The database URL with any password replaced, for logs and `Debug`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact(&self.database_url))
            .field("db_connections", &self.db_connections)
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("login_per_minute", &self.login_per_minute)
            .field("letters_per_minute", &self.letters_per_minute)
            .field("codes_per_minute", &self.codes_per_minute)
            .field("smtp_url", &redact(&self.smtp_url))
            .field("sweep_minutes", &self.sweep_minutes)
            .field("ldap", &self.ldap)
            .field("oidc", &self.oidc)
            .field("public_url", &self.public_url)
            .field("sms", &self.sms)
            .finish()
    }
}

/// The installation's audit-signing key: read from `path`, or made (32 random bytes, hex, mode
/// 0600) when it does not exist yet.
pub fn audit_key(path: &str) -> anyhow::Result<[u8; 32]> {
    use anyhow::Context;
    let p = std::path::Path::new(path);
    if !p.exists() {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| {
                crate::cli::console::t!("创建 {} 失败", "creating {}", dir.display())
            })?;
        }
        let secret: [u8; 32] = rand::random();
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        use std::io::Write;
        opts.open(p)
            .and_then(|mut f| f.write_all(hex::encode(secret).as_bytes()))
            .with_context(|| {
                crate::cli::console::t!("创建审计密钥 {path} 失败", "creating the audit key {path}")
            })?;
        return Ok(secret);
    }
    let raw = std::fs::read_to_string(p).with_context(|| {
        crate::cli::console::t!("读取审计密钥 {path} 失败", "reading the audit key {path}")
    })?;
    hex::decode(raw.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{path}: not a 32-byte hex key"))
}

impl Settings {
    /// Where the audit-signing key is kept.
    pub fn audit_key_path(&self) -> String {
        if !self.audit_key.is_empty() {
            return self.audit_key.clone();
        }
        let file = self
            .database_url
            .strip_prefix("sqlite://")
            .map(|p| p.split('?').next().unwrap_or(p));
        match file.and_then(|f| std::path::Path::new(f).parent()) {
            Some(dir) if !dir.as_os_str().is_empty() => {
                dir.join("audit-signing.key").to_string_lossy().to_string()
            }
            _ => "data/audit-signing.key".into(),
        }
    }
    pub fn load(config: Option<&str>) -> anyhow::Result<Settings> {
        let path = config
            .map(String::from)
            .or_else(|| std::env::var("DUBAN_CONFIG").ok());
        let mut s = match path {
            Some(p) => toml::from_str(
                &std::fs::read_to_string(&p)
                    .map_err(|e| anyhow::anyhow!("cannot read config {p}: {e}"))?,
            )?,
            None if std::path::Path::new("duban.toml").exists() => {
                toml::from_str(&std::fs::read_to_string("duban.toml")?)?
            }
            None => Settings::default(),
        };
        if let Ok(v) = std::env::var("DUBAN_DB_CONNECTIONS") {
            s.db_connections = Some(v.parse()?);
        }
        if s.db_connections == Some(0) {
            anyhow::bail!("db_connections must be at least 1");
        }
        if let Ok(v) = std::env::var("DUBAN_LISTEN") {
            s.listen = v;
        }
        if let Ok(v) = std::env::var("DUBAN_SECURE_COOKIES") {
            s.secure_cookies = v == "1" || v == "true";
        }
        if let Ok(v) = std::env::var("DUBAN_SMTP_URL") {
            s.smtp_url = v;
        }
        if let Ok(v) = std::env::var("DUBAN_SWEEP_MINUTES") {
            s.sweep_minutes = v.parse()?;
        }
        if let Ok(v) = std::env::var("DUBAN_MAX_UPLOAD_MB") {
            s.max_upload_mb = v.parse()?;
        }
        if let Ok(v) = std::env::var("DUBAN_TRUSTED_PROXIES") {
            s.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect();
        }
        if let Ok(v) = std::env::var("DUBAN_METRICS_TOKEN") {
            s.metrics_token = v;
        }
        if let Ok(v) = std::env::var("DUBAN_AUDIT_KEY") {
            s.audit_key = v;
        }
        if let Ok(v) = std::env::var("DUBAN_LETTERS_PER_MINUTE") {
            s.letters_per_minute = v.parse()?;
        }
        if let Ok(v) = std::env::var("DUBAN_LOGIN_PER_MINUTE") {
            s.login_per_minute = v.parse()?;
        }
        for (var, field) in [
            ("DUBAN_LDAP_URL", &mut s.ldap.url),
            ("DUBAN_LDAP_CA_FILE", &mut s.ldap.ca_file),
            ("DUBAN_LDAP_BIND_DN", &mut s.ldap.bind_dn),
            ("DUBAN_LDAP_BIND_PASSWORD", &mut s.ldap.bind_password),
            ("DUBAN_LDAP_BASE_DN", &mut s.ldap.base_dn),
            ("DUBAN_LDAP_USER_FILTER", &mut s.ldap.user_filter),
            ("DUBAN_LDAP_SYNC_FILTER", &mut s.ldap.sync_filter),
            ("DUBAN_OIDC_ISSUER", &mut s.oidc.issuer),
            ("DUBAN_OIDC_CLIENT_ID", &mut s.oidc.client_id),
            ("DUBAN_OIDC_CLIENT_SECRET", &mut s.oidc.client_secret),
            ("DUBAN_OIDC_REDIRECT_URI", &mut s.oidc.redirect_uri),
            ("DUBAN_OIDC_SCOPES", &mut s.oidc.scopes),
            ("DUBAN_OIDC_CLAIM", &mut s.oidc.claim),
            ("DUBAN_PUBLIC_URL", &mut s.public_url),
            ("DUBAN_SMS_URL", &mut s.sms.url),
            ("DUBAN_SMS_ACCOUNT", &mut s.sms.account),
            ("DUBAN_SMS_SECRET", &mut s.sms.secret),
            ("DUBAN_SMS_SIGN", &mut s.sms.sign),
        ] {
            if let Ok(v) = std::env::var(var) {
                *field = v;
            }
        }
        if let Ok(v) = std::env::var("DUBAN_LDAP_STARTTLS") {
            s.ldap.starttls = v == "1" || v == "true";
        }
        if let Ok(v) = std::env::var("DUBAN_LDAP_SYNC_HOURS") {
            s.ldap_sync_hours = v.parse()?;
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("postgres://duban:s3cret@db:5432/duban"),
            "postgres://duban:***@db:5432/duban"
        );
        assert_eq!(redact("sqlite://data/duban.db"), "sqlite://data/duban.db");
        let s = Settings {
            database_url: "postgres://u:pw@h/d".into(),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("pw"));
    }
}
