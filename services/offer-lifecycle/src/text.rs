//! Human texts: reasons, names, labels and server replies.
//!
//! Texts are trimmed, must not be empty, are bounded in length and carry no control characters.
//! A [`Reason`] is what every help-desk action must give; the type makes an empty reason impossible.

use crate::error::ValidationError;
use crate::limits::{MAX_LABEL_CHARS, MAX_PERSON_NAME_CHARS, MAX_REASON_CHARS};
use crate::newtype::{check_text, string_newtype};

fn reason(value: &str) -> Result<String, ValidationError> {
    check_text(value, "důvod", MAX_REASON_CHARS, true)
}

fn person_name(value: &str) -> Result<String, ValidationError> {
    check_text(value, "jméno klienta", MAX_PERSON_NAME_CHARS, false)
}

fn field_label(value: &str) -> Result<String, ValidationError> {
    check_text(value, "popis podpisového pole", MAX_LABEL_CHARS, false)
}

fn server_reply(value: &str) -> Result<String, ValidationError> {
    check_text(value, "odpověď serveru", MAX_REASON_CHARS, true)
}

string_newtype!(
    /// Why something was done or refused: a help-desk action's reason, a rejection's reason.
    /// Not empty, at most [`MAX_REASON_CHARS`] characters.
    Reason,
    reason
);
string_newtype!(
    /// The client's name as shown on the offer (personal data).
    PersonName,
    person_name
);
string_newtype!(
    /// The label of a signature field ("Podpis klienta", "Podpis poradce").
    FieldLabel,
    field_label
);
string_newtype!(
    /// What a mail server or SMS gateway answered, recorded verbatim (an SMTP reply, a DSN status,
    /// a gateway's error text) — the record says what the server said and only that.
    ServerReply,
    server_reply
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_and_may_not_be_blank() {
        assert_eq!(
            Reason::new("  klient volal \n").map(String::from),
            Ok("klient volal".to_owned())
        );
        assert_eq!(
            Reason::new(" \n\t "),
            Err(ValidationError::Empty { what: "důvod" })
        );
        assert!(matches!(
            Reason::new("x".repeat(MAX_REASON_CHARS + 1)),
            Err(ValidationError::TooLong {
                max: MAX_REASON_CHARS,
                ..
            })
        ));
        assert!(Reason::new("ř".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(matches!(
            Reason::new("a\u{7}b"),
            Err(ValidationError::BadCharacters { .. })
        ));
    }

    #[test]
    fn a_name_has_no_line_breaks() {
        assert!(PersonName::new("Jan Novák").is_ok());
        assert!(matches!(
            PersonName::new("Jan\nNovák"),
            Err(ValidationError::BadCharacters { .. })
        ));
    }
}
