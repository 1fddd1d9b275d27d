//! The client's document storage and the notifications that lead to it.
//!
//! After the offer is accepted, its documents are published to a storage folder; the client gets the
//! link by e-mail and the access code by SMS (seed: "e-mail s linkem do úložiště a SMS s přístupovým
//! kódem"). The lifecycle keeps only hashes: the link token's SHA-256 and the access code's slow hash.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::limits::{MAX_ACCESS_CODE_HASH_CHARS, MAX_FOLDER_CHARS};
use crate::newtype::{check_token, string_newtype};

fn storage_folder(value: &str) -> Result<String, ValidationError> {
    let what = "složka úložiště";
    let value = check_token(
        value,
        what,
        MAX_FOLDER_CHARS,
        "písmena bez diakritiky, číslice, tečka, podtržítko, pomlčka a lomítko",
        |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'),
    )?;
    let relative = value
        .split('/')
        .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    if !relative {
        return Err(ValidationError::BadCharacters {
            what,
            allowed: "relativní cesta bez prázdných částí, „.“ a „..“",
        });
    }
    Ok(value)
}

fn access_code_hash(value: &str) -> Result<String, ValidationError> {
    let what = "otisk přístupového kódu";
    let value = check_token(
        value,
        what,
        MAX_ACCESS_CODE_HASH_CHARS,
        "řetězec PHC (např. $argon2id$…)",
        |c| c.is_ascii_graphic(),
    )?;
    if !value.starts_with('$') {
        return Err(ValidationError::BadCharacters {
            what,
            allowed: "řetězec PHC (např. $argon2id$…)",
        });
    }
    Ok(value)
}

string_newtype!(
    /// The client's storage folder, a relative path such as `2025/06/NAB-1`.
    StorageFolder,
    storage_folder
);
string_newtype!(
    /// The access code's slow hash in PHC string form (`$argon2id$v=19$…`); the code itself is never
    /// recorded.
    AccessCodeHash,
    access_code_hash
);

/// Which channels a notification or a resend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channels {
    /// The e-mail with the storage link only.
    Email,
    /// The SMS with the access code only.
    Sms,
    /// Both.
    Both,
}

impl Channels {
    /// Whether the e-mail is included.
    pub fn email(self) -> bool {
        matches!(self, Self::Email | Self::Both)
    }

    /// Whether the SMS is included.
    pub fn sms(self) -> bool {
        matches!(self, Self::Sms | Self::Both)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_folder_cannot_climb_out_of_the_storage() {
        assert!(StorageFolder::new("2025/06/NAB-1").is_ok());
        for bad in ["/etc", "a//b", "a/../b", "..", "a/./b", "a/", "a\\b"] {
            assert!(StorageFolder::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_phc_hash_of_the_access_code_is_recorded() {
        assert!(AccessCodeHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").is_ok());
        assert!(AccessCodeHash::new("12345678").is_err());
    }
}
