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

thread_local! {
    /// Argon2's working memory (~19 MiB), kept by each hashing thread: allocating it anew
    /// for every sign-in leaves the freed blocks resident in the allocator's arenas.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Verify against a PHC string, reusing this thread's Argon2 memory.
fn verify_reusing_memory(password: &str, hash: &str) -> bool {
    let Ok(ph) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (ph.hash, ph.salt) else {
        return false;
    };
    let Ok(params) = argon2::Params::try_from(&ph) else {
        return false;
    };
    let Ok(alg) = argon2::Algorithm::try_from(ph.algorithm) else {
        return false;
    };
    let version = match ph.version.map(argon2::Version::try_from) {
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
        None => argon2::Version::default(),
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let n = params.block_count();
    let argon = Argon2::new(alg, version, params);
    let mut out = vec![0u8; expected.len()];
    let ok = BLOCKS.with(|b| {
        let mut b = b.borrow_mut();
        if b.len() < n {
            b.resize(n, argon2::Block::default());
        }
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut b[..n])
            .is_ok()
    });
    // Constant-time comparison.
    ok && out.len() == expected.len()
        && out
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            == 0
}

type HashJob = Box<dyn FnOnce() + Send>;

/// Dedicated hashing threads (one per core but one), each keeping its Argon2 memory for the
/// life of the process: resident memory stays flat however many sign-ins come, and sign-ins
/// never take more than those cores from the request workers.
static HASHERS: LazyLock<std::sync::Mutex<std::sync::mpsc::Sender<HashJob>>> =
    LazyLock::new(|| {
        let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .saturating_sub(1)
            .max(1);
        for i in 0..n {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
        }
        std::sync::Mutex::new(tx)
    });

pub(crate) async fn on_hasher<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(f());
    });
    HASHERS
        .lock()
        .map_err(|e| AppError::Internal(e.to_string()))?
        .send(job)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    rx.await.map_err(|e| AppError::Internal(e.to_string()))
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
    on_hasher(move || verify_reusing_memory(&password, &hash)).await
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
        assert!(verify_reusing_memory("demo", &h));
        assert!(!verify_reusing_memory("Demo", &h));
        assert!(!verify_reusing_memory("demo", "garbage"));
        assert!(!verify_reusing_memory(
            "demo",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"
        ));
    }
}
