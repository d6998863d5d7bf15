//! Passwords, session and API tokens, login throttling.
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PasswordError {
    #[error("密码至少 8 个字符")]
    TooShort,
    #[error("密码最多 128 个字符")]
    TooLong,
    #[error("密码须同时包含字母和数字")]
    TooSimple,
}

pub fn check_password_policy(pw: &str) -> Result<(), PasswordError> {
    let n = pw.chars().count();
    if n < 8 {
        return Err(PasswordError::TooShort);
    }
    if n > 128 {
        return Err(PasswordError::TooLong);
    }
    if !pw.chars().any(|c| c.is_alphabetic()) || !pw.chars().any(|c| c.is_ascii_digit()) {
        return Err(PasswordError::TooSimple);
    }
    Ok(())
}

pub fn hash_password(pw: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub fn verify_password(pw: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A random secret of 32 bytes, hex encoded: session ids, CSRF tokens, API tokens.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Secrets are stored only as their SHA-256, so a copy of the database does not open sessions.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time comparison of two tokens.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Account lockout: after `MAX_FAILURES` consecutive failed logins the account is locked for
/// `LOCK_SECONDS`. Returns the new failure count and, when locking, the unlock time.
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECONDS: i64 = 15 * 60;

pub fn after_failure(failures: i64, now: i64) -> (i64, Option<i64>) {
    let n = failures + 1;
    if n >= MAX_FAILURES {
        (0, Some(now + LOCK_SECONDS))
    } else {
        (n, None)
    }
}

pub fn is_locked(locked_until: Option<i64>, now: i64) -> bool {
    locked_until.is_some_and(|t| t > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn passwords() {
        let h = hash_password("duban2026x");
        assert!(verify_password("duban2026x", &h));
        assert!(!verify_password("duban2026y", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_eq!(
            check_password_policy("short1"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_password_policy("abcdefghij"),
            Err(PasswordError::TooSimple)
        );
        assert!(check_password_policy("督办系统2026").is_ok());
    }
    #[test]
    fn lockout() {
        let mut f = 0;
        for _ in 0..4 {
            let (n, lock) = after_failure(f, 100);
            assert!(lock.is_none());
            f = n;
        }
        let (n, lock) = after_failure(f, 100);
        assert_eq!((n, lock), (0, Some(100 + LOCK_SECONDS)));
        assert!(is_locked(lock, 101));
        assert!(!is_locked(lock, 100 + LOCK_SECONDS));
    }
    #[test]
    fn secrets() {
        let a = new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_secret());
        assert!(tokens_equal(&a, &a.clone()));
        assert!(!tokens_equal(&a, &new_secret()));
        assert_eq!(secret_digest("x").len(), 64);
    }
}
