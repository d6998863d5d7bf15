//! OpenID Connect single sign-on: the authorization code flow with PKCE (S256), the provider
//! found by discovery, and the ID token checked before anything of it is believed — its RS256
//! signature against the provider's published keys, issuer, audience, expiry and the nonce this
//! sign-in sent. A configured claim carries the staff number.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rand::RngCore;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;
use thiserror::Error;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// the provider's issuer (its discovery document is under it)
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// this server's callback as registered with the provider, e.g.
    /// `https://duban.example/login/oidc/callback`
    pub redirect_uri: String,
    pub scopes: String,
    /// the ID-token claim holding the staff number
    pub claim: String,
    pub timeout_secs: u64,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            redirect_uri: String::new(),
            scopes: "openid".into(),
            claim: "sub".into(),
            timeout_secs: 10,
        }
    }
}

impl OidcConfig {
    pub fn enabled(&self) -> bool {
        !self.issuer.is_empty()
    }
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Error)]
pub enum OidcError {
    #[error("统一身份认证服务无法连接：{0}")]
    Unreachable(String),
    #[error("统一身份认证服务的应答有误：{0}")]
    Provider(String),
    #[error("身份令牌未通过校验：{0}")]
    Token(String),
}

/// What the provider's discovery document says of it.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: String,
}

/// A sign-in under way: the address to send the browser to, and what the callback must match
/// (kept by the browser in an HTTP-only cookie).
#[derive(Debug, Clone)]
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

fn random() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    B64.encode(b)
}

fn agent(cfg: &OidcConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(cfg.timeout_secs.clamp(1, 60))))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// A JSON document fetched off the async workers (ureq blocks), with a bearer token if given.
async fn get_json(
    cfg: &OidcConfig,
    url: String,
    bearer: Option<String>,
) -> Result<Value, OidcError> {
    let agent = agent(cfg);
    tokio::task::spawn_blocking(move || {
        let mut req = agent.get(&url);
        if let Some(b) = &bearer {
            req = req.header("Authorization", &format!("Bearer {b}"));
        }
        let mut r = req
            .call()
            .map_err(|e| OidcError::Unreachable(format!("{url}: {e}")))?;
        if !r.status().is_success() {
            return Err(OidcError::Provider(format!("{url}: {}", r.status())));
        }
        r.body_mut()
            .with_config()
            .limit(1 << 20)
            .read_json::<Value>()
            .map_err(|e| OidcError::Provider(format!("{url}: {e}")))
    })
    .await
    .map_err(|e| OidcError::Unreachable(e.to_string()))?
}

/// The provider, by discovery; its issuer must be the one configured.
pub async fn discover(cfg: &OidcConfig) -> Result<Provider, OidcError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        cfg.issuer.trim_end_matches('/')
    );
    let p: Provider = serde_json::from_value(get_json(cfg, url, None).await?)
        .map_err(|e| OidcError::Provider(e.to_string()))?;
    if p.issuer.trim_end_matches('/') != cfg.issuer.trim_end_matches('/') {
        return Err(OidcError::Provider(format!(
            "issuer {} is not the configured {}",
            p.issuer, cfg.issuer
        )));
    }
    Ok(p)
}

/// Begins a sign-in: a fresh state, nonce and PKCE verifier, and the authorization address.
pub fn start(cfg: &OidcConfig, p: &Provider) -> Started {
    let (state, nonce, verifier) = (random(), random(), random());
    let challenge = B64.encode(Sha256::digest(verifier.as_bytes()));
    let q = [
        ("response_type", "code"),
        ("client_id", cfg.client_id.as_str()),
        ("redirect_uri", cfg.redirect_uri.as_str()),
        ("scope", cfg.scopes.as_str()),
        ("state", state.as_str()),
        ("nonce", nonce.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let sep = if p.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    Started {
        url: format!("{}{sep}{q}", p.authorization_endpoint),
        state,
        nonce,
        verifier,
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Finishes a sign-in: the code exchanged (with the PKCE verifier) for an ID token, the token
/// checked, and the configured claim returned (the staff number).
pub async fn finish(
    cfg: &OidcConfig,
    p: &Provider,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> Result<String, OidcError> {
    let agent = agent(cfg);
    let form = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={}",
        encode(code),
        encode(&cfg.redirect_uri),
        encode(verifier)
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        encode(&cfg.client_id),
        encode(&cfg.client_secret)
    ));
    let url = p.token_endpoint.clone();
    let token: Value = tokio::task::spawn_blocking(move || {
        let mut r = agent
            .post(&url)
            .header("Authorization", &format!("Basic {basic}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form.as_bytes())
            .map_err(|e| OidcError::Unreachable(format!("{url}: {e}")))?;
        let status = r.status();
        let body = r
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_json::<Value>()
            .map_err(|e| OidcError::Provider(format!("{url}: {e}")))?;
        if !status.is_success() {
            return Err(OidcError::Provider(format!("{url}: {status} {body}")));
        }
        Ok(body)
    })
    .await
    .map_err(|e| OidcError::Unreachable(e.to_string()))??;
    let id_token = token["id_token"]
        .as_str()
        .ok_or_else(|| OidcError::Provider("no id_token".into()))?;
    let jwks = get_json(cfg, p.jwks_uri.clone(), None).await?;
    let claims = verify(id_token, &jwks)?;
    check_claims(&claims, &p.issuer, &cfg.client_id, nonce, now())?;
    let found = |c: &Value| {
        c[cfg.claim.as_str()]
            .as_str()
            .map(str::to_string)
            .filter(|v| !v.is_empty())
    };
    if let Some(v) = found(&claims) {
        return Ok(v);
    }
    // a claim of a scope is often given by the UserInfo endpoint only; it must speak of the
    // same subject as the checked ID token
    let access = token["access_token"].as_str();
    if p.userinfo_endpoint.is_empty() || access.is_none() {
        return Err(OidcError::Token(format!("no claim {}", cfg.claim)));
    }
    let info = get_json(cfg, p.userinfo_endpoint.clone(), access.map(String::from)).await?;
    if info["sub"] != claims["sub"] {
        return Err(OidcError::Token("UserInfo is of another subject".into()));
    }
    found(&info).ok_or_else(|| OidcError::Token(format!("no claim {}", cfg.claim)))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The claims of a JWT whose RS256 signature one of `jwks`' RSA keys verifies.
pub fn verify(jwt: &str, jwks: &Value) -> Result<Value, OidcError> {
    let bad = |m: &str| OidcError::Token(m.to_string());
    let mut parts = jwt.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not a JWS"));
    };
    let dec = |x: &str| B64.decode(x).map_err(|_| bad("bad base64"));
    let header: Value = serde_json::from_slice(&dec(h)?).map_err(|_| bad("bad header"))?;
    if header["alg"] != "RS256" {
        return Err(bad("only RS256 ID tokens are accepted"));
    }
    let kid = header["kid"].as_str();
    let sig = dec(s)?;
    let message = format!("{h}.{c}");
    let keys = jwks["keys"].as_array().ok_or_else(|| bad("no keys"))?;
    let verified = keys
        .iter()
        .filter(|k| k["kty"] == "RSA" && (kid.is_none() || k["kid"].as_str() == kid))
        .any(|k| {
            let (Some(n), Some(e)) = (k["n"].as_str(), k["e"].as_str()) else {
                return false;
            };
            let (Ok(n), Ok(e)) = (B64.decode(n), B64.decode(e)) else {
                return false;
            };
            ring::signature::RsaPublicKeyComponents { n, e }
                .verify(
                    &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                    message.as_bytes(),
                    &sig,
                )
                .is_ok()
        });
    if !verified {
        return Err(bad("signature"));
    }
    serde_json::from_slice(&dec(c)?).map_err(|_| bad("bad claims"))
}

/// Issuer, audience (and the authorised party when there are several), expiry (a minute of
/// leeway) and the nonce of this sign-in.
pub fn check_claims(
    c: &Value,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: i64,
) -> Result<(), OidcError> {
    let bad = |m: &str| Err(OidcError::Token(m.to_string()));
    if c["iss"].as_str() != Some(issuer) {
        return bad("issuer");
    }
    let aud: Vec<&str> = match &c["aud"] {
        Value::String(a) => vec![a.as_str()],
        Value::Array(v) => v.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !aud.contains(&client_id) || (aud.len() > 1 && c["azp"].as_str() != Some(client_id)) {
        return bad("audience");
    }
    if c["exp"].as_i64().is_none_or(|e| e + 60 < now) {
        return bad("expired");
    }
    if c["iat"].as_i64().is_some_and(|i| i - 60 > now) {
        return bad("issued in the future");
    }
    if c["nonce"].as_str() != Some(nonce) || nonce.is_empty() {
        return bad("nonce");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn claims_are_checked() {
        let c = json!({"iss": "https://id", "aud": "duban", "exp": 1000, "iat": 900, "nonce": "n"});
        assert!(check_claims(&c, "https://id", "duban", "n", 950).is_ok());
        assert!(check_claims(&c, "https://other", "duban", "n", 950).is_err());
        assert!(check_claims(&c, "https://id", "else", "n", 950).is_err());
        assert!(check_claims(&c, "https://id", "duban", "m", 950).is_err());
        assert!(check_claims(&c, "https://id", "duban", "n", 2000).is_err());
        let many = json!({"iss": "https://id", "aud": ["duban", "x"], "exp": 1000, "nonce": "n"});
        assert!(check_claims(&many, "https://id", "duban", "n", 950).is_err());
    }
    #[test]
    fn tokens_that_are_not_rs256_signed_are_refused() {
        let none = format!(
            "{}.{}.",
            B64.encode(br#"{"alg":"none"}"#),
            B64.encode(br#"{"sub":"x"}"#)
        );
        assert!(verify(&none, &json!({"keys": []})).is_err());
        assert!(verify("a.b", &json!({})).is_err());
    }
    #[test]
    fn the_authorization_address_carries_pkce_and_nonce() {
        let cfg = OidcConfig {
            issuer: "https://id".into(),
            client_id: "duban".into(),
            redirect_uri: "https://d/cb".into(),
            ..Default::default()
        };
        let p = Provider {
            issuer: "https://id".into(),
            authorization_endpoint: "https://id/auth".into(),
            token_endpoint: "https://id/token".into(),
            jwks_uri: "https://id/jwks".into(),
            userinfo_endpoint: String::new(),
        };
        let s = start(&cfg, &p);
        assert!(
            s.url
                .starts_with("https://id/auth?response_type=code&client_id=duban")
        );
        assert!(s.url.contains("code_challenge_method=S256") && s.url.contains(&s.state));
        assert!(s.url.contains("redirect_uri=https%3A%2F%2Fd%2Fcb"));
        assert_ne!(s.state, s.nonce);
    }
}
