//! The SMS gateway adapter: an HTTP gateway of the kind Chinese SMS providers offer. One POST of
//! JSON per message, signed with the account's secret (HMAC-SHA256), answered with a JSON code:
//!
//! ```text
//! POST {url}
//! {"account": "...", "mobile": "13800001234", "content": "【单位】……", "sign": "签名",
//!  "timestamp": 1700000000, "nonce": "9f2c…", "signature": hex(HMAC-SHA256(secret,
//!  account \n mobile \n content \n timestamp \n nonce))}
//! → 200 {"code": "0", "message": "ok", "msg_id": "..."}   (any other code is a failure)
//! ```
use serde::Deserialize;

/// `[sms]` in the settings; off while `url` is empty.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsConfig {
    pub url: String,
    pub account: String,
    pub secret: String,
    /// the signature (签名) the provider registered for the sender, e.g. 某某人民检察院
    pub sign: String,
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field("account", &self.account)
            .field("secret", &if self.secret.is_empty() { "" } else { "***" })
            .field("sign", &self.sign)
            .finish()
    }
}

#[derive(Clone)]
pub struct SmsGateway {
    config: SmsConfig,
    agent: ureq::Agent,
}

/// The string the signature covers.
pub fn signed_text(
    account: &str,
    mobile: &str,
    content: &str,
    timestamp: i64,
    nonce: &str,
) -> String {
    format!("{account}\n{mobile}\n{content}\n{timestamp}\n{nonce}")
}

pub fn signature(secret: &str, text: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    hex::encode(ring::hmac::sign(&key, text.as_bytes()).as_ref())
}

impl SmsGateway {
    pub fn new(config: &SmsConfig) -> anyhow::Result<Option<SmsGateway>> {
        if config.url.trim().is_empty() {
            return Ok(None);
        }
        if !(config.url.starts_with("https://") || config.url.starts_with("http://127.0.0.1")) {
            anyhow::bail!(
                "{}",
                crate::t!(
                    "sms.url 须为 https:// 地址（本机测试可用 http://127.0.0.1）",
                    "sms.url must be an https:// address (http://127.0.0.1 for local tests)"
                )
            );
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(15)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Ok(Some(SmsGateway {
            config: config.clone(),
            agent,
        }))
    }

    /// Sends one message; `Err` says why the gateway refused it or could not be reached.
    /// Blocking: call it off the async workers.
    pub fn send(&self, mobile: &str, content: &str) -> Result<(), String> {
        let c = &self.config;
        let timestamp = chrono::Utc::now().timestamp();
        let nonce = hex::encode(rand::random::<[u8; 8]>());
        let body = serde_json::json!({
            "account": c.account,
            "mobile": mobile,
            "content": content,
            "sign": c.sign,
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": signature(&c.secret, &signed_text(&c.account, mobile, content, timestamp, &nonce)),
        });
        let mut resp = self
            .agent
            .post(&c.url)
            .send_json(&body)
            .map_err(|e| format!("短信网关无法连接：{e}"))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| format!("短信网关的答复无法读取：{e}"))?;
        #[derive(Deserialize)]
        struct Answer {
            code: serde_json::Value,
            #[serde(default)]
            message: String,
        }
        let a: Answer = serde_json::from_str(&text).map_err(|_| {
            format!(
                "短信网关答复 HTTP {status}：{}",
                text.chars().take(100).collect::<String>()
            )
        })?;
        let code = match &a.code {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if status == 200 && (code == "0" || code.eq_ignore_ascii_case("ok")) {
            Ok(())
        } else {
            Err(format!(
                "短信网关拒绝（{code}）：{}",
                a.message.chars().take(100).collect::<String>()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_hmac_sha256_of_the_fields() {
        // RFC 4231 test case 2
        assert_eq!(
            super::signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(
            super::SmsGateway::new(&super::SmsConfig {
                url: "http://example.org/sms".into(),
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            super::SmsGateway::new(&Default::default())
                .unwrap()
                .is_none()
        );
    }
}
