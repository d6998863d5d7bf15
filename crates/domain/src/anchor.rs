//! History anyone can check: the audit chain's head signed (ed25519) with the installation's key
//! and published, so that even someone with write access to the database cannot rewrite what
//! happened before a published head without it showing.
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// A signed head: the chain's last entry (`seq`, `hash`) at `signed_at`, with earlier signed heads
/// as checkpoints (oldest first) so that a rewrite is located between two of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub format: String,
    pub seq: i64,
    pub hash: String,
    pub signed_at: String,
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// hex of the installation's public key
    pub public_key: String,
    /// hex of the ed25519 signature over [`Anchor::message`]
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

pub const FORMAT: &str = "duban-audit-anchor-1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    #[error("签名密钥无效")]
    BadKey,
    #[error("锚点格式无法识别")]
    BadFormat,
    #[error("锚点签名无效（不是本系统签发，或锚点内容被改动）")]
    BadSignature,
}

impl Anchor {
    /// The bytes signed: every field but the signature, unambiguously.
    pub fn message(&self) -> Vec<u8> {
        let mut m = format!(
            "{}\n{}\n{}\n{}\n",
            self.format, self.seq, self.hash, self.signed_at
        );
        for c in &self.checkpoints {
            m.push_str(&format!("{} {}\n", c.seq, c.hash));
        }
        m.push_str(&self.public_key);
        m.into_bytes()
    }

    /// Signs the head with the 32-byte secret key.
    pub fn sign(
        secret: &[u8; 32],
        seq: i64,
        hash: &str,
        signed_at: &str,
        checkpoints: Vec<Checkpoint>,
    ) -> Anchor {
        let key = SigningKey::from_bytes(secret);
        let mut a = Anchor {
            format: FORMAT.into(),
            seq,
            hash: hash.into(),
            signed_at: signed_at.into(),
            checkpoints,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            signature: String::new(),
        };
        a.signature = hex::encode(key.sign(&a.message()).to_bytes());
        a
    }

    /// Checks the signature against the public key the anchor names (and, when given, the
    /// installation's own key).
    pub fn check(&self, expected_key: Option<&str>) -> Result<(), AnchorError> {
        if self.format != FORMAT {
            return Err(AnchorError::BadFormat);
        }
        if expected_key.is_some_and(|k| k != self.public_key) {
            return Err(AnchorError::BadSignature);
        }
        let pk: [u8; 32] = hex::decode(&self.public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(AnchorError::BadKey)?;
        let sig: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(AnchorError::BadSignature)?;
        let key = VerifyingKey::from_bytes(&pk).map_err(|_| AnchorError::BadKey)?;
        key.verify(&self.message(), &Signature::from_bytes(&sig))
            .map_err(|_| AnchorError::BadSignature)
    }

    /// Every (seq, hash) the anchor vouches for, oldest first, the head last.
    pub fn points(&self) -> Vec<Checkpoint> {
        let mut v = self.checkpoints.clone();
        v.push(Checkpoint {
            seq: self.seq,
            hash: self.hash.clone(),
        });
        v.sort_by_key(|c| c.seq);
        v
    }
}

/// The public key of a 32-byte secret, hex.
pub fn public_key(secret: &[u8; 32]) -> String {
    hex::encode(SigningKey::from_bytes(secret).verifying_key().to_bytes())
}

/// Where the history the database holds first departs from the anchored one: the first anchored
/// point whose hash differs, and the last one that still agrees (0 when none).
pub fn first_difference(
    anchor: &Anchor,
    stored: impl Fn(i64) -> Option<String>,
) -> Option<(i64, i64)> {
    let mut last_good = 0;
    for p in anchor.points() {
        if stored(p.seq).as_deref() != Some(p.hash.as_str()) {
            return Some((last_good, p.seq));
        }
        last_good = p.seq;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_heads_verify_and_tampering_shows() {
        let secret = [7u8; 32];
        let cps = vec![Checkpoint {
            seq: 3,
            hash: "aa".into(),
        }];
        let a = Anchor::sign(&secret, 9, "bb", "2020-11-05T00:00:00Z", cps);
        assert_eq!(a.check(None), Ok(()));
        assert_eq!(a.check(Some(&public_key(&secret))), Ok(()));
        assert_eq!(
            a.check(Some(&public_key(&[8u8; 32]))),
            Err(AnchorError::BadSignature)
        );
        let mut forged = a.clone();
        forged.hash = "cc".into();
        assert_eq!(forged.check(None), Err(AnchorError::BadSignature));
        // the stored chain agrees up to 3, differs at 9
        let stored = |s: i64| Some(if s == 3 { "aa".into() } else { "zz".into() });
        assert_eq!(first_difference(&a, stored), Some((3, 9)));
        let same = |s: i64| Some(if s == 3 { "aa".into() } else { "bb".into() });
        assert_eq!(first_difference(&a, same), None);
    }
}
