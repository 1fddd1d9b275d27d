//! The storage link's token and the session cookie, both made with one secret
//! key the backend keeps outside the database.
//!
//! **Link token.** 256 bits, `HMAC-SHA256(key, "link" ‖ offer id ‖ publication
//! number)`, written in base64url (43 characters). Only its SHA-256 is recorded
//! (`DocumentsPublished.link_token_sha256`, and the read model's lookup table),
//! so a copy of the event store or the read model opens nothing; the e-mail
//! sender derives the same token again the next morning from the key, so the
//! token is never stored in plaintext either. Rotating the key invalidates
//! every link not yet published anew.
//!
//! **Session cookie.** After the right code the client carries
//! `base64url(entry ‖ code number ‖ issued ‖ last seen) . base64url(HMAC)`: it
//! is bound to one entry (the token's hash) and to the access code it was
//! opened with (a new code ends every session at once), expires after an idle
//! time and an absolute lifetime, and any process that has the key can check
//! it, so several processes serve the storage without sharing sessions.
//!
//! The key file holds 32 random bytes in hex; [`LinkKey::load_or_create`]
//! makes one (mode 0600) where none exists. Processes that serve one storage
//! must share the file.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use offer_lifecycle::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::documents::sha256_of;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Characters of a link token (32 bytes in base64url without padding).
pub const TOKEN_CHARS: usize = 43;
/// Bytes of the key.
pub const KEY_BYTES: usize = 32;
/// Longest cookie value read.
pub const MAX_COOKIE_CHARS: usize = 256;

/// The key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing failed.
    #[error("storage link key {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The file is not 64 hex digits.
    #[error("storage link key {0} must hold 64 hexadecimal digits (32 bytes)")]
    Format(String),
    /// No randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

/// The secret behind link tokens and session cookies.
#[derive(Clone)]
pub struct LinkKey {
    key: Zeroizing<[u8; KEY_BYTES]>,
}

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

/// A link token as it appears in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkToken(…)")
    }
}

impl LinkToken {
    /// Reads a token from a URL path segment; `None` if it cannot be one.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == TOKEN_CHARS
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| LinkToken(text.to_owned()))
    }

    /// The token's text (only for the URL in the e-mail).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the records keep: the SHA-256 of the token's text.
    pub fn sha256(&self) -> Sha256 {
        sha256_of(self.0.as_bytes())
    }
}

/// What a valid session cookie says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// Which access code opened it (the offer's `codes_issued` then).
    pub code_number: u32,
    /// When it was opened (Unix seconds).
    pub issued: i64,
    /// When it was last used (Unix seconds).
    pub last_seen: i64,
}

impl LinkKey {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        LinkKey {
            key: Zeroizing::new(bytes),
        }
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Self::from_bytes(bytes))
    }

    /// Reads the key file, or writes a new random key there if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                let mut bytes = [0u8; KEY_BYTES];
                hex::decode_to_slice(text.trim(), &mut bytes)
                    .map_err(|_| KeyError::Format(path.display().to_string()))?;
                Ok(Self::from_bytes(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate()?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(io)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut file) => {
                        use std::io::Write;
                        let text = Zeroizing::new(hex::encode(key.key.as_ref()));
                        file.write_all(text.as_bytes()).map_err(io)?;
                        file.sync_all().map_err(io)?;
                        tracing::info!(path = %path.display(), "created a new storage link key");
                        Ok(key)
                    }
                    // another process created it first: use theirs
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(path)
                    }
                    Err(e) => Err(io(e)),
                }
            }
            Err(e) => Err(io(e)),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(self.key.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// The link token of an offer's `publication`-th publication (1 = the first).
    pub fn token(&self, offer_id: &str, publication: u32) -> LinkToken {
        let mac = self.mac(&[b"link", offer_id.as_bytes(), &publication.to_be_bytes()]);
        LinkToken(URL_SAFE_NO_PAD.encode(mac))
    }

    /// A cookie value for a session on the entry whose token hashes to `entry`.
    pub fn seal_session(&self, entry: &Sha256, session: Session) -> String {
        let mut payload = Vec::with_capacity(4 + 8 + 8);
        payload.extend_from_slice(&session.code_number.to_be_bytes());
        payload.extend_from_slice(&session.issued.to_be_bytes());
        payload.extend_from_slice(&session.last_seen.to_be_bytes());
        let mac = self.mac(&[b"session", entry.as_bytes(), &payload]);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// Reads a cookie value made by [`Self::seal_session`] for the same entry; `None` when it is
    /// malformed, altered, or for another entry.
    pub fn open_session(&self, entry: &Sha256, value: &str) -> Option<Session> {
        if value.len() > MAX_COOKIE_CHARS {
            return None;
        }
        let (payload, mac) = value.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let expected = self.mac(&[b"session", entry.as_bytes(), &payload]);
        if !bool::from(expected.as_slice().ct_eq(&mac)) || payload.len() != 20 {
            return None;
        }
        let code_number = u32::from_be_bytes(payload[0..4].try_into().ok()?);
        let issued = i64::from_be_bytes(payload[4..12].try_into().ok()?);
        let last_seen = i64::from_be_bytes(payload[12..20].try_into().ok()?);
        Some(Session {
            code_number,
            issued,
            last_seen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_256_bits_derived_again_the_same_and_differs_per_offer_and_publication() {
        let key = LinkKey::from_bytes([7; KEY_BYTES]);
        let token = key.token("NAB-1", 1);
        assert_eq!(token.as_str().len(), TOKEN_CHARS);
        assert_eq!(LinkToken::parse(token.as_str()), Some(token.clone()));
        assert_eq!(key.token("NAB-1", 1), token);
        assert_ne!(key.token("NAB-1", 2), token);
        assert_ne!(key.token("NAB-2", 1), token);
        assert_ne!(LinkKey::from_bytes([8; KEY_BYTES]).token("NAB-1", 1), token);
        for bad in [
            "",
            "short",
            "../../etc/passwd",
            &"a".repeat(44),
            &"+".repeat(43),
        ] {
            assert!(LinkToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_cookie_opens_only_for_its_entry_and_only_unaltered() {
        let key = LinkKey::from_bytes([7; KEY_BYTES]);
        let entry = sha256_of(b"entry-1");
        let session = Session {
            code_number: 2,
            issued: 1_700_000_000,
            last_seen: 1_700_000_100,
        };
        let value = key.seal_session(&entry, session);
        assert_eq!(key.open_session(&entry, &value), Some(session));
        assert_eq!(key.open_session(&sha256_of(b"entry-2"), &value), None);
        let mut altered = value.clone().into_bytes();
        altered[3] ^= 1;
        let altered = String::from_utf8(altered).unwrap();
        assert_eq!(key.open_session(&entry, &altered), None);
        assert_eq!(key.open_session(&entry, "garbage"), None);
        assert_eq!(key.open_session(&entry, ""), None);
        assert_eq!(
            LinkKey::from_bytes([8; KEY_BYTES]).open_session(&entry, &value),
            None
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/storage-link.key");
        let first = LinkKey::load_or_create(&path).unwrap();
        let again = LinkKey::load_or_create(&path).unwrap();
        assert_eq!(first.token("X", 1), again.token("X", 1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").unwrap();
        assert!(matches!(
            LinkKey::load_or_create(&path),
            Err(KeyError::Format(_))
        ));
    }
}
