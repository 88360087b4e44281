//! Password hashing (argon2id, on a blocking thread, at most a few at a time so logins
//! never starve the request workers) and random tokens.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// One hash at a time per core is plenty; more would only queue on the CPU.
static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    Arc::new(Semaphore::new(n.saturating_sub(1).max(1)))
});

pub fn hash_password_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub async fn hash_password(password: String) -> AppResult<String> {
    let _permit = HASHING
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)
}

pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    let _permit = HASHING
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || verify_password_blocking(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A hash to compare against when the username is unknown, so that the answer takes as
/// long as for a known user.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password_blocking("not a real password").unwrap_or_default());

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Session ids and API tokens are stored only as their SHA-256.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A readable one-time password for new accounts: 4 groups of 4 characters.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let mut s = String::new();
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        let idx = (rng.next_u32() as usize) % ALPHABET.len();
        s.push(ALPHABET[idx] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password_blocking("demo").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password_blocking("demo", &h));
        assert!(!verify_password_blocking("Demo", &h));
        assert!(!verify_password_blocking("demo", "garbage"));
    }
}
