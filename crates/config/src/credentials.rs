//! Secrets people and clients log in with: generated with the OS random source, stored only as
//! argon2id hashes, verified in constant time by argon2.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

/// Hashing failed (only on absurd parameters or inputs).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash secret: {0}")]
pub struct HashError(String);

fn hasher() -> Argon2<'static> {
    // OWASP's argon2id minimum (19 MiB, 2 passes): strong, and quick enough for a login per request.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// An argon2id PHC string for `secret`.
pub fn hash_secret(secret: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

/// Whether `secret` matches the stored hash; a malformed hash never matches.
pub fn verify_secret(secret: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => hasher().verify_password(secret.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A new random secret: 32 bytes as 43 URL-safe characters (256 bits).
pub fn generate_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..43).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn right_secret_verifies_wrong_one_does_not() {
        let h = hash_secret("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_secret("correct horse", &h));
        assert!(!verify_secret("correct horsf", &h));
        assert!(!verify_secret("correct horse", "not a hash"));
    }

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }
}
