//! Identifiers: offers, agents, signature fields, help-desk users, messages, pads.
//!
//! Each is a string newtype with a bounded length and a small character set, so that an identifier
//! can be used in a log line, a file name or a URL path without escaping, and a forged one cannot
//! smuggle anything in.

use crate::error::ValidationError;
use crate::limits::{MAX_IDENTIFIER_CHARS, MAX_MESSAGE_ID_CHARS, MAX_USER_CHARS};
use crate::newtype::{check_token, string_newtype};

const TOKEN_CHARS: &str = "písmena bez diakritiky, číslice, tečka, podtržítko a pomlčka";

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn is_user_char(c: char) -> bool {
    is_token_char(c) || c == '@'
}

fn is_message_id_char(c: char) -> bool {
    c.is_ascii_graphic()
}

fn offer_id(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "identifikátor nabídky",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

fn agent_id(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "identifikátor poradce",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

fn offer_number(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "číslo nabídky",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

fn field_id(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "podpisové pole",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

fn help_desk_user(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "uživatel Help Desku",
        MAX_USER_CHARS,
        "písmena bez diakritiky, číslice, tečka, podtržítko, pomlčka a zavináč",
        is_user_char,
    )
}

fn message_id(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "identifikátor zprávy",
        MAX_MESSAGE_ID_CHARS,
        "tisknutelné znaky ASCII bez mezer",
        is_message_id_char,
    )
}

fn pad_serial(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "sériové číslo Signpadu",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

fn firmware_version(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "verze firmwaru Signpadu",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

fn document_name(value: &str) -> Result<String, ValidationError> {
    check_token(
        value,
        "název dokumentu",
        MAX_IDENTIFIER_CHARS,
        TOKEN_CHARS,
        is_token_char,
    )
}

string_newtype!(
    /// The offer's identifier: the name of its event stream.
    OfferId,
    offer_id
);
string_newtype!(
    /// The agent (poradce) who models the offer; must match the identity of the edge agent's
    /// certificate (checked by the service that receives the events).
    AgentId,
    agent_id
);
string_newtype!(
    /// The offer number the agent and the client see on the document.
    OfferNumber,
    offer_number
);
string_newtype!(
    /// One signature field of the offer document.
    FieldId,
    field_id
);
string_newtype!(
    /// The authenticated help-desk user who performs an action; every help-desk event names one.
    HelpDeskUser,
    help_desk_user
);
string_newtype!(
    /// The id of an e-mail (RFC 5322 Message-ID) or of an SMS (the gateway's id).
    MessageId,
    message_id
);
string_newtype!(
    /// A signature pad's serial number.
    PadSerial,
    pad_serial
);
string_newtype!(
    /// A signature pad's firmware version.
    FirmwareVersion,
    firmware_version
);
string_newtype!(
    /// The name of a document in the client's storage (the signed offer, the insurance terms).
    DocumentName,
    document_name
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_refuse_empty_overlong_and_foreign_characters() {
        assert!(OfferId::new("NAB-2024.001_a").is_ok());
        assert_eq!(
            OfferId::new(""),
            Err(ValidationError::Empty {
                what: "identifikátor nabídky"
            })
        );
        assert!(matches!(
            OfferId::new("x".repeat(MAX_IDENTIFIER_CHARS + 1)),
            Err(ValidationError::TooLong { .. })
        ));
        assert!(matches!(
            OfferId::new("a b"),
            Err(ValidationError::BadCharacters { .. })
        ));
        assert!(matches!(
            OfferId::new("../etc"),
            Err(ValidationError::BadCharacters { .. })
        ));
        assert!(matches!(
            FieldId::new("pole-č"),
            Err(ValidationError::BadCharacters { .. })
        ));
    }

    #[test]
    fn identifiers_are_read_back_through_the_same_check() {
        let ok: Result<OfferId, _> = serde_json::from_str("\"NAB-1\"");
        assert!(ok.is_ok());
        let bad: Result<OfferId, _> = serde_json::from_str("\"NAB 1\"");
        assert!(bad.is_err());
    }
}
