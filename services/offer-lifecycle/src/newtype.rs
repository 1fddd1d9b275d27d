//! The shape shared by every validated string type of the lifecycle.
//!
//! A validated string is a newtype that can only be built through its check: `new`, `FromStr` and
//! serde's `Deserialize` all run it, so a value read back from a stored event is as valid as one built
//! from a command. The check may normalise (trim, canonicalise) but must be idempotent, so that
//! serialising and reading a value again gives the same value.

/// Declares a validated string newtype: `string_newtype!(doc, Name, check_fn)` where `check_fn` is
/// `fn(&str) -> Result<String, ValidationError>` returning the normalised value.
macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates (and normalises) the value.
            pub fn new(value: impl AsRef<str>) -> Result<Self, $crate::error::ValidationError> {
                $check(value.as_ref()).map(Self)
            }

            /// The validated value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::ValidationError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::ValidationError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::new(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

pub(crate) use string_newtype;

use crate::error::ValidationError;

/// Checks an identifier-like value: not empty, at most `max` characters, every character allowed.
/// Identifiers are never trimmed: whitespace is simply not in their character set.
pub(crate) fn check_token(
    value: &str,
    what: &'static str,
    max: usize,
    allowed: &'static str,
    is_allowed: fn(char) -> bool,
) -> Result<String, ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::Empty { what });
    }
    if value.chars().count() > max {
        return Err(ValidationError::TooLong { what, max });
    }
    if !value.chars().all(is_allowed) {
        return Err(ValidationError::BadCharacters { what, allowed });
    }
    Ok(value.to_owned())
}

/// Checks a human text: trimmed, not empty, at most `max` characters, no control characters (line
/// breaks and tabs only where `multiline`).
pub(crate) fn check_text(
    value: &str,
    what: &'static str,
    max: usize,
    multiline: bool,
) -> Result<String, ValidationError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ValidationError::Empty { what });
    }
    if value.chars().count() > max {
        return Err(ValidationError::TooLong { what, max });
    }
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    if !value.chars().all(allowed) {
        return Err(ValidationError::BadCharacters {
            what,
            allowed: if multiline {
                "bez řídicích znaků kromě konce řádku a tabulátoru"
            } else {
                "bez řídicích znaků a konců řádků"
            },
        });
    }
    Ok(value.to_owned())
}
