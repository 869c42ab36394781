//! Survey tokens: the secret in a survey link (`/s/{token}`, `/afmelden/{token}`). Only the
//! SHA-256 of a token is stored, so a leaked database cannot be turned into working links.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{RngCore as _, TryRngCore as _};
use sha2::{Digest as _, Sha256};

use crate::MailError;

/// Random bytes in a token: 128 bits.
const TOKEN_BYTES: usize = 16;
/// Length of the URL-safe base64 form of [`TOKEN_BYTES`] without padding.
const TOKEN_LEN: usize = 22;

/// A survey token: 128 random bits, written as 22 characters of URL-safe base64 without padding.
///
/// `Debug` never shows the token; use [`SurveyToken::as_str`] where it must appear (the link).
#[derive(Clone, PartialEq, Eq)]
pub struct SurveyToken(String);

impl SurveyToken {
    /// A fresh token from the operating system's random source.
    ///
    /// Panics only if the operating system cannot supply randomness at all; handing out a
    /// guessable link instead would be worse.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
        SurveyToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accept a token from a link if it has the shape [`generate`](Self::generate) produces
    /// (22 URL-safe base64 characters that decode to exactly 16 bytes). This says nothing about
    /// whether the token exists: look its [`hash`](Self::hash) up for that.
    pub fn parse(raw: &str) -> Result<Self, MailError> {
        if raw.len() != TOKEN_LEN {
            return Err(MailError::InvalidToken);
        }
        // The strict engine also refuses non-canonical trailing bits, so each 16 bytes have
        // exactly one spelling and a token cannot be varied to get past a rate limit.
        match URL_SAFE_NO_PAD.decode(raw) {
            Ok(bytes) if bytes.len() == TOKEN_BYTES => Ok(SurveyToken(raw.to_owned())),
            _ => Err(MailError::InvalidToken),
        }
    }

    /// The token as it goes into a link.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token, lowercase hex (64 characters): the only form that is stored.
    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

impl std::fmt::Debug for SurveyToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SurveyToken(<redacted>)")
    }
}

/// SHA-256 of a raw token string, lowercase hex. Equal to [`SurveyToken::hash`] for a valid token.
pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_tokens_are_22_url_safe_characters() {
        let token = SurveyToken::generate();
        assert_eq!(token.as_str().len(), 22);
        assert!(token.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn generated_tokens_differ() {
        let tokens: HashSet<String> = (0..1000).map(|_| SurveyToken::generate().as_str().to_owned()).collect();
        assert_eq!(tokens.len(), 1000);
    }

    #[test]
    fn generated_tokens_parse_back() {
        for _ in 0..100 {
            let token = SurveyToken::generate();
            assert_eq!(SurveyToken::parse(token.as_str()).unwrap(), token);
        }
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for raw in [
            "",
            "short",
            "AAAAAAAAAAAAAAAAAAAAAAA", // 23
            "AAAAAAAAAAAAAAAAAAAAA",   // 21
            "AAAAAAAAAAAAAAAAAAAA+A",  // standard alphabet, not URL-safe
            "AAAAAAAAAAAAAAAAAAAA/A",  // idem
            "AAAAAAAAAAAAAAAAAAAAA=",  // padding
            "AAAAAAAAAAAAAAAAAAAAAB",  // non-canonical trailing bits
            "AAAAAAAAAAAAAAAAAAAA A",  // space
            "AAAAAAAAAAAAAAAAAAAAÄ",   // 22 bytes, not base64
        ] {
            assert!(matches!(SurveyToken::parse(raw), Err(MailError::InvalidToken)), "{raw:?} was accepted");
        }
        assert!(SurveyToken::parse("AAAAAAAAAAAAAAAAAAAAAA").is_ok());
        assert!(SurveyToken::parse("_-_-_-_-_-_-_-_-_-_-_w").is_ok());
    }

    #[test]
    fn hash_is_sha256_hex_of_the_token_text() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let token = SurveyToken::generate();
        assert_eq!(token.hash(), hash_token(token.as_str()));
        assert_eq!(token.hash().len(), 64);
        assert_ne!(token.hash(), SurveyToken::generate().hash());
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let token = SurveyToken::generate();
        let debug = format!("{token:?}");
        assert!(!debug.contains(token.as_str()));
        assert_eq!(debug, "SurveyToken(<redacted>)");
    }
}
