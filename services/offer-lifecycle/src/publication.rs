//! The client's document storage and the notifications that lead to it.
//!
//! After the offer is accepted, its documents are published to a storage folder; the client gets the
//! link by e-mail and the access code by SMS (seed: "e-mail s linkem do úložiště a SMS s přístupovým
//! kódem"). The lifecycle keeps only hashes: the link token's SHA-256 and the access code's slow hash.

use serde::{Deserialize, Serialize};

use std::net::IpAddr;

use crate::error::ValidationError;
use crate::hash::Sha256;
use crate::ids::DocumentName;
use crate::limits::{
    MAX_ACCESS_CODE_HASH_CHARS, MAX_FILE_NAME_CHARS, MAX_FOLDER_CHARS, MAX_USER_AGENT_CHARS,
};
use crate::newtype::{check_text, check_token, string_newtype};

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

fn file_name(value: &str) -> Result<String, ValidationError> {
    let value = check_text(value, "název souboru", MAX_FILE_NAME_CHARS, false)?;
    if value.contains(['/', '\\', '"']) || value.starts_with('.') {
        return Err(ValidationError::BadCharacters {
            what: "název souboru",
            allowed: "bez lomítek a uvozovek, nezačíná tečkou",
        });
    }
    Ok(value)
}

fn user_agent(value: &str) -> Result<String, ValidationError> {
    check_text(value, "prohlížeč", MAX_USER_AGENT_CHARS, false)
}

string_newtype!(
    /// The name a downloaded document gets on the client's disk, in Czech with diacritics
    /// (`Nabídka 8800123456 – podepsaná.pdf`); no path separators.
    FileName,
    file_name
);
string_newtype!(
    /// The browser's `User-Agent` as the client sent it (bounded, without control characters).
    UserAgent,
    user_agent
);
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

/// What a published document is, for the client's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The signed offer as the insurer accepted it (the agent's signature and the insurer's seal).
    SignedOffer,
    /// The product's insurance terms.
    InsuranceTerms,
}

/// One document handed over to the client through the storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedDocument {
    /// The document's name in the storage's addresses (`nabidka`, `podminky`).
    pub name: DocumentName,
    /// What it is.
    pub kind: DocumentKind,
    /// The file name the client's browser saves it under.
    pub file_name: FileName,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 (the document store's key).
    pub sha256: Sha256,
}

/// Who visited the storage: the address the request came from and the browser it named. Personal
/// data of a kind: recorded on access events so the help desk and a dispute can tell visits apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientInfo {
    /// The visitor's IP address.
    pub ip: IpAddr,
    /// The browser's `User-Agent`, if it sent one.
    pub user_agent: Option<UserAgent>,
}

/// Why a visit to the storage was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRefusal {
    /// A well-formed access code that is not the current one.
    WrongCode,
    /// The entry is locked after too many wrong codes, until the help desk sends a new one.
    Locked,
    /// The link and code have expired.
    Expired,
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
    fn a_file_name_is_czech_text_without_paths() {
        assert!(FileName::new("Nabídka 8800123456 – podepsaná.pdf").is_ok());
        for bad in [
            "../x.pdf", "a/b.pdf", "a\\b.pdf", ".hidden", "a\"b.pdf", "a\nb.pdf", "",
        ] {
            assert!(FileName::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_phc_hash_of_the_access_code_is_recorded() {
        assert!(AccessCodeHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").is_ok());
        assert!(AccessCodeHash::new("12345678").is_err());
    }
}
