//! The access code the client gets by SMS: 8 characters from a 32-symbol
//! alphabet without look-alikes (40 bits), stored only as an argon2id hash and
//! checked in constant time.
//!
//! The alphabet is the digits 2–9 and the capital letters without I and O, so
//! nothing reads as another symbol (0/O, 1/I/L). A client may type the code in
//! lower case, with spaces or a dash (`k7pm-3qxd`): [`AccessCode::parse`]
//! normalises that; a code of the wrong length or with other characters is
//! malformed (it does not count as a wrong try: it cannot be right).
//!
//! Where the plaintext lives: nowhere but in memory. A code is made at the
//! moment it is issued ([`super::issue_access_code`]), its hash is appended as
//! `AccessCodeIssued`, and the plaintext goes straight to the SMS; it is never
//! written to the event store, the read model or a log (`Debug` prints
//! `AccessCode(…)`), and the buffer is wiped when dropped.
//!
//! The argon2 parameters follow OWASP's recommendation for argon2id
//! (19 MiB, 2 passes, 1 lane). A check costs tens of milliseconds and that
//! much memory, so [`CodeChecker`] runs checks on the blocking pool with a
//! bounded number at a time.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use offer_lifecycle::AccessCodeHash;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// The 32 symbols of a code.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Symbols in a code: 8 × 5 bits = 40 bits.
pub const CODE_LEN: usize = 8;
/// argon2id memory cost in KiB.
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes.
pub const ARGON2_PASSES: u32 = 2;
/// argon2id lanes.
pub const ARGON2_LANES: u32 = 1;
/// Most code checks running at once (each holds [`ARGON2_MEMORY_KIB`]).
pub const MAX_CONCURRENT_CHECKS: usize = 4;
/// Longest input read as a code (anything longer is malformed at once).
pub const MAX_INPUT_CHARS: usize = 32;

/// A typed code that cannot be a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeFormatError {
    /// Nothing typed.
    #[error("Zadejte přístupový kód z SMS.")]
    Empty,
    /// Not 8 symbols.
    #[error("Přístupový kód má 8 znaků (písmena a číslice); zkontrolujte, že jste ho opsali celý.")]
    Length,
    /// A symbol outside the alphabet.
    #[error(
        "Přístupový kód obsahuje jen číslice 2–9 a velká písmena bez I a O; zkontrolujte opsané znaky."
    )]
    Symbol,
}

/// Hashing or checking failed (a programming or resource error, not a wrong code).
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    /// No randomness from the operating system.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// argon2 failed.
    #[error("argon2: {0}")]
    Argon2(String),
    /// The stored hash is not a PHC string argon2 reads.
    #[error("the stored access-code hash cannot be read: {0}")]
    StoredHash(String),
    /// The check was cancelled.
    #[error("the code check did not finish: {0}")]
    Cancelled(String),
}

/// A plaintext access code. Wiped on drop; never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(Zeroizing<String>);

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(…)")
    }
}

fn argon2() -> Result<Argon2<'static>, CodeError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .map_err(|e| CodeError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

impl AccessCode {
    /// A fresh random code (each symbol from 5 uniformly random bits).
    pub fn generate() -> Result<Self, CodeError> {
        let mut bytes = Zeroizing::new([0u8; CODE_LEN]);
        getrandom::fill(bytes.as_mut()).map_err(|e| CodeError::Random(e.to_string()))?;
        let code: String = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect();
        Ok(AccessCode(Zeroizing::new(code)))
    }

    /// Reads what the client typed: case, spaces and dashes do not matter.
    pub fn parse(input: &str) -> Result<Self, CodeFormatError> {
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(CodeFormatError::Length);
        }
        let code: Zeroizing<String> = Zeroizing::new(
            input
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        if code.is_empty() {
            return Err(CodeFormatError::Empty);
        }
        if code.chars().count() != CODE_LEN {
            return Err(CodeFormatError::Length);
        }
        if !code.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(CodeFormatError::Symbol);
        }
        Ok(AccessCode(code))
    }

    /// The code as the SMS shows it: two groups of four (`K7PM 3QXD`).
    pub fn grouped(&self) -> String {
        let (a, b) = self.0.split_at(CODE_LEN / 2);
        format!("{a} {b}")
    }

    /// The code without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code's argon2id hash (PHC string with a fresh salt). Slow: call it off the async threads.
    pub fn hash(&self) -> Result<AccessCodeHash, CodeError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| CodeError::Random(e.to_string()))?;
        let phc = argon2()?
            .hash_password_with_salt(self.0.as_bytes(), &salt)
            .map_err(|e| CodeError::Argon2(e.to_string()))?
            .to_string();
        AccessCodeHash::new(phc).map_err(|e| CodeError::Argon2(e.to_string()))
    }

    /// Whether this is the code `hash` was made from (argon2 compares in constant time). Slow.
    pub fn matches(&self, hash: &AccessCodeHash) -> Result<bool, CodeError> {
        match argon2()?.verify_password(self.0.as_bytes(), hash.as_str()) {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
            Err(e) => Err(CodeError::StoredHash(e.to_string())),
        }
    }
}

/// Runs code hashing and checks on the blocking pool, at most
/// [`MAX_CONCURRENT_CHECKS`] at a time (a flood of tries queues instead of
/// taking the machine's memory).
#[derive(Debug, Clone)]
pub struct CodeChecker {
    permits: Arc<Semaphore>,
}

impl Default for CodeChecker {
    fn default() -> Self {
        CodeChecker {
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT_CHECKS)),
        }
    }
}

impl CodeChecker {
    /// Whether `code` matches `hash`.
    pub async fn matches(&self, code: AccessCode, hash: AccessCodeHash) -> Result<bool, CodeError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| CodeError::Cancelled(e.to_string()))?;
        tokio::task::spawn_blocking(move || code.matches(&hash))
            .await
            .map_err(|e| CodeError::Cancelled(e.to_string()))?
    }

    /// The hash of `code`.
    pub async fn hash(&self, code: AccessCode) -> Result<AccessCodeHash, CodeError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| CodeError::Cancelled(e.to_string()))?;
        tokio::task::spawn_blocking(move || code.hash())
            .await
            .map_err(|e| CodeError::Cancelled(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_has_forty_bits_from_an_alphabet_without_look_alikes() {
        assert_eq!(ALPHABET.len(), 32);
        for symbol in [b'0', b'1', b'I', b'O', b'L'.to_ascii_lowercase()] {
            assert!(!ALPHABET.contains(&symbol), "{}", char::from(symbol));
        }
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let code = AccessCode::generate().unwrap();
            assert_eq!(code.as_str().len(), CODE_LEN);
            assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
            seen.insert(code.as_str().to_owned());
        }
        assert_eq!(seen.len(), 200, "codes do not repeat");
    }

    #[test]
    fn a_typed_code_may_be_lower_case_spaced_or_dashed() {
        let code = AccessCode::parse("K7PM3QXD").unwrap();
        for typed in ["k7pm3qxd", " K7PM 3QXD ", "k7pm-3qxd", "K7 PM 3Q XD"] {
            assert_eq!(AccessCode::parse(typed).unwrap(), code, "{typed}");
        }
        assert_eq!(code.grouped(), "K7PM 3QXD");
        assert_eq!(AccessCode::parse(""), Err(CodeFormatError::Empty));
        assert_eq!(AccessCode::parse("K7PM3QX"), Err(CodeFormatError::Length));
        assert_eq!(AccessCode::parse("K7PM3QXDD"), Err(CodeFormatError::Length));
        assert_eq!(AccessCode::parse("K7PM3QX0"), Err(CodeFormatError::Symbol));
        assert_eq!(AccessCode::parse("K7PM3QXÝ"), Err(CodeFormatError::Symbol));
        assert_eq!(
            AccessCode::parse(&"A".repeat(10_000)),
            Err(CodeFormatError::Length)
        );
        assert_eq!(format!("{code:?}"), "AccessCode(…)", "Debug never shows it");
    }

    #[test]
    fn only_the_right_code_matches_its_hash() {
        let code = AccessCode::generate().unwrap();
        let hash = code.hash().unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!hash.as_str().contains(code.as_str()));
        assert!(code.matches(&hash).unwrap());
        let other = AccessCode::parse("23456789").unwrap();
        assert!(!other.matches(&hash).unwrap());
        assert_ne!(code.hash().unwrap(), hash, "every hash has its own salt");
    }
}
