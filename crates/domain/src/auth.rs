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

/// Progressive delay instead of a lockout: after [`FREE_FAILURES`] consecutive failed sign-ins
/// of one login, each further attempt waits 1, 2, 4 … seconds (at most [`MAX_DELAY_SECONDS`])
/// before it is checked. The right password always works, only later; the same applies to logins
/// that do not exist, so the wait says nothing about which do.
pub const FREE_FAILURES: u32 = 3;
pub const MAX_DELAY_SECONDS: u64 = 30;

pub fn login_delay(failures: u32) -> std::time::Duration {
    let secs = match failures.checked_sub(FREE_FAILURES) {
        None => 0,
        Some(n) => 1u64
            .checked_shl(n)
            .unwrap_or(u64::MAX)
            .min(MAX_DELAY_SECONDS),
    };
    std::time::Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn delays_grow_and_stop_growing() {
        let s = |n| login_delay(n).as_secs();
        assert_eq!((s(0), s(2), s(3), s(4), s(6), s(40)), (0, 0, 1, 2, 8, 30));
    }
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
    fn secrets() {
        let a = new_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_secret());
        assert!(tokens_equal(&a, &a.clone()));
        assert!(!tokens_equal(&a, &new_secret()));
        assert_eq!(secret_digest("x").len(), 64);
    }
}
