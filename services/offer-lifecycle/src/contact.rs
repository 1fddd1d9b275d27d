//! The client's contacts: a validated e-mail address and a Czech mobile number in E.164 form.
//!
//! The seed requires both for digital signing ("v případě digitálního podpisu je potřeba vyplnit
//! mobilní telefon a e-mail klienta"): the e-mail carries the link to the client's document storage,
//! the SMS the access code. Both are personal data; events keep them in dedicated fields
//! ([`Contacts`], and the recipient of each message) so they can later be encrypted per client.
//!
//! # Which numbers are Czech mobiles
//!
//! The Czech Telecommunication Office (Český telekomunikační úřad, ČTÚ) assigns the national number
//! ranges in its numbering plan (*Číslovací plán veřejných komunikačních sítí*). Czech numbers have
//! nine digits after +420 (closed numbering plan since 22 September 2002); geographic (landline)
//! numbers begin with 2–5, special-rate and free-phone numbers with 8, VoIP, premium and machine
//! numbers with 9. Public mobile networks use blocks in the 6xx and 7xx ranges: the published
//! allocations are 601–608, 702–705, 72x, 73x, 77x and 790–799. This crate accepts the whole blocks
//! 60x, 70x, 72x, 73x, 77x, 78x and 79x ([`MOBILE_PREFIXES`]): refusing a client's real number
//! because a block was allocated after this list was written would stop the signing, while an
//! unallocated number in a mobile block only makes an SMS fail, which the help desk sees and corrects.
//! Everything else (landlines, special numbers, foreign numbers) is refused with a clear message.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::limits::{MAX_EMAIL_CHARS, MAX_PHONE_INPUT_CHARS};

/// The first two national digits of Czech mobile numbers accepted by [`CzechMobile`].
pub const MOBILE_PREFIXES: [&str; 7] = ["60", "70", "72", "73", "77", "78", "79"];

/// The Czech country calling code.
const CZECH_CODE: &str = "420";

/// A client's e-mail address: ASCII, one `@`, a dot-atom local part of at most 64 characters and a
/// domain of at least two labels with an alphabetic top-level domain. The domain is lowercased; the
/// local part is kept as written.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates and normalises an address typed by a person (surrounding whitespace is ignored).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(ValidationError::Empty {
                what: "e-mail klienta",
            });
        }
        if value.chars().count() > MAX_EMAIL_CHARS {
            return Err(ValidationError::TooLong {
                what: "e-mail klienta",
                max: MAX_EMAIL_CHARS,
            });
        }
        if !value.is_ascii() {
            return Err(ValidationError::InvalidEmail {
                detail: "adresa smí obsahovat jen znaky bez diakritiky",
            });
        }
        let mut parts = value.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(ValidationError::InvalidEmail {
                detail: "adresa musí obsahovat právě jeden zavináč",
            });
        };
        if !is_local_part(local) {
            return Err(ValidationError::InvalidEmail {
                detail: "část před zavináčem není platná",
            });
        }
        let domain = domain.to_ascii_lowercase();
        if !is_domain(&domain) {
            return Err(ValidationError::InvalidEmail {
                detail: "doména za zavináčem není platná",
            });
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_local_part(local: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c);
    !local.is_empty()
        && local.len() <= 64
        && local.chars().all(allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|tld| {
        tld.len() >= 2 && (tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--"))
    });
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

impl FromStr for Email {
    type Err = ValidationError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({:?})", self.0)
    }
}

/// A Czech mobile number, stored in E.164 form: `+420` followed by nine digits whose first two are
/// one of [`MOBILE_PREFIXES`].
///
/// [`CzechMobile::parse`] accepts what people type: `603 123 456`, `603-123-456`, `+420603123456`,
/// `+420 603 123 456`, `00420 603 123 456`, `420603123456`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CzechMobile(String);

impl CzechMobile {
    /// Validates a typed number and normalises it to E.164.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        if input.chars().count() > MAX_PHONE_INPUT_CHARS {
            return Err(ValidationError::InvalidPhoneFormat);
        }
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '-' | '.' | '/' | '(' | ')'))
            .collect();
        if compact.is_empty() {
            return Err(ValidationError::Empty {
                what: "mobilní telefon klienta",
            });
        }
        let (international, digits) = if let Some(rest) = compact.strip_prefix('+') {
            (true, rest)
        } else if let Some(rest) = compact.strip_prefix("00") {
            (true, rest)
        } else {
            (false, compact.as_str())
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::InvalidPhoneFormat);
        }
        let after_country_code = digits
            .strip_prefix(CZECH_CODE)
            .filter(|rest| rest.len() == 9);
        let national = match (international, digits.len(), after_country_code) {
            (false, 9, _) => digits,
            (_, _, Some(rest)) => rest,
            (true, _, _) if !digits.starts_with(CZECH_CODE) => {
                return Err(ValidationError::ForeignPhone);
            }
            _ => return Err(ValidationError::InvalidPhoneFormat),
        };
        if !MOBILE_PREFIXES
            .iter()
            .any(|prefix| national.starts_with(prefix))
        {
            return Err(ValidationError::NotMobile);
        }
        Ok(Self(format!("+{CZECH_CODE}{national}")))
    }

    /// The number in E.164 form, e.g. `+420603123456`.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// The nine national digits, e.g. `603123456`.
    pub fn national(&self) -> &str {
        self.0.get(1 + CZECH_CODE.len()..).unwrap_or_default()
    }

    /// The number as Czech people write it: `+420 603 123 456`.
    pub fn display_grouped(&self) -> String {
        let national = self.national();
        let group = |range: std::ops::Range<usize>| national.get(range).unwrap_or_default();
        format!(
            "+{CZECH_CODE} {} {} {}",
            group(0..3),
            group(3..6),
            group(6..9)
        )
    }
}

impl TryFrom<String> for CzechMobile {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CzechMobile> for String {
    fn from(value: CzechMobile) -> String {
        value.0
    }
}

impl FromStr for CzechMobile {
    type Err = ValidationError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

impl fmt::Display for CzechMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CzechMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CzechMobile({:?})", self.0)
    }
}

/// The client's contacts as the offer holds them (personal data). While the offer is being modelled
/// either may be missing; signing needs both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// Where the link to the document storage is sent.
    pub email: Option<Email>,
    /// Where the access code is sent by SMS.
    pub mobile: Option<CzechMobile>,
}

impl Contacts {
    /// Both contacts, as signing requires.
    pub fn complete(email: Email, mobile: CzechMobile) -> Self {
        Self {
            email: Some(email),
            mobile: Some(mobile),
        }
    }

    /// Whether both the e-mail and the mobile phone are present.
    pub fn is_complete(&self) -> bool {
        self.email.is_some() && self.mobile.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mobile(input: &str) -> Result<String, ValidationError> {
        CzechMobile::parse(input).map(String::from)
    }

    #[test]
    fn the_ways_people_write_a_czech_mobile_are_normalised_to_e164() {
        for input in [
            "603 123 456",
            "603123456",
            "603-123-456",
            "+420603123456",
            "+420 603 123 456",
            "00420 603 123 456",
            "420603123456",
            " +420\u{a0}603 123 456 ",
        ] {
            assert_eq!(mobile(input), Ok("+420603123456".to_owned()), "{input}");
        }
        for prefix in ["601", "608", "702", "721", "736", "775", "788", "799"] {
            assert!(mobile(&format!("{prefix}123456")).is_ok(), "{prefix}");
        }
    }

    #[test]
    fn landlines_and_special_numbers_are_not_mobiles() {
        // Prague landline, Brno landline, free-phone, premium, the insurer's client line
        for input in [
            "224 123 456",
            "541 123 456",
            "800 123 456",
            "900 123 456",
            "958 888 888",
        ] {
            assert_eq!(mobile(input), Err(ValidationError::NotMobile), "{input}");
        }
    }

    #[test]
    fn foreign_numbers_are_refused_with_their_own_message() {
        assert_eq!(
            mobile("+421 903 123 456"),
            Err(ValidationError::ForeignPhone)
        );
        assert_eq!(
            mobile("0049 151 23456789"),
            Err(ValidationError::ForeignPhone)
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for input in [
            "60312345",
            "6031234567",
            "+420 603 123 45",
            "603 12x 456",
            "+",
            "++420603123456",
        ] {
            assert_eq!(
                mobile(input),
                Err(ValidationError::InvalidPhoneFormat),
                "{input}"
            );
        }
        assert!(matches!(mobile("  "), Err(ValidationError::Empty { .. })));
        assert_eq!(
            mobile(&"6".repeat(40)),
            Err(ValidationError::InvalidPhoneFormat)
        );
    }

    #[test]
    fn a_mobile_reads_back_unchanged_and_prints_grouped() {
        let number = CzechMobile::parse("603123456").ok();
        assert_eq!(
            number.as_ref().map(CzechMobile::national),
            Some("603123456")
        );
        assert_eq!(
            number.as_ref().map(CzechMobile::display_grouped),
            Some("+420 603 123 456".to_owned())
        );
        let again = number
            .as_ref()
            .and_then(|n| CzechMobile::parse(n.e164()).ok());
        assert_eq!(again, number);
    }

    #[test]
    fn e_mail_addresses_are_checked_and_the_domain_lowercased() {
        assert_eq!(
            Email::parse(" Jan.Novak+nabidka@Example.CZ ").map(String::from),
            Ok("Jan.Novak+nabidka@example.cz".to_owned())
        );
        for bad in [
            "jan.novak",
            "jan@@example.cz",
            "jan@example",
            "jan@-example.cz",
            ".jan@example.cz",
            "jan..novak@example.cz",
            "jan@example.c",
            "jan@exa mple.cz",
            "jan.novák@example.cz",
            "jan@example.123",
        ] {
            assert!(
                matches!(Email::parse(bad), Err(ValidationError::InvalidEmail { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            Email::parse(""),
            Err(ValidationError::Empty { .. })
        ));
    }
}
