//! What the client receives: the Czech e-mail with the storage link (a text
//! and an HTML part from askama templates in `templates/notify/`) and the SMS
//! with the access code.
//!
//! The SMS is written in Czech with its diacritics and sent as UCS-2, so it
//! must fit one 70-character segment ([`SMS_MAX_CHARS`]): a transliterated
//! GSM text would fit 160, but a client reads "prístupovy kod" as careless,
//! and one short Czech sentence with the code and the date fits 70.

use askama::Template;
use chrono::{DateTime, Utc};

use crate::mapping::prague;

/// Characters in one UCS-2 SMS segment.
pub const SMS_MAX_CHARS: usize = 70;

/// The e-mail's content.
#[derive(Template)]
#[template(path = "notify/email.txt", escape = "none")]
struct EmailText<'a> {
    offer_number: &'a str,
    link: &'a str,
    phone_hint: &'a str,
    expires: &'a str,
    contact_phone: &'a str,
    contact_email: &'a str,
}

#[derive(Template)]
#[template(path = "notify/email.html")]
struct EmailHtml<'a> {
    offer_number: &'a str,
    link: &'a str,
    phone_hint: &'a str,
    expires: &'a str,
    contact_phone: &'a str,
    contact_email: &'a str,
}

/// An e-mail ready for a transport.
#[derive(Debug, Clone)]
pub struct Letter {
    /// Subject.
    pub subject: String,
    /// The text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// What the e-mail says.
pub struct LetterFacts<'a> {
    /// The offer's number.
    pub offer_number: &'a str,
    /// The storage link.
    pub link: &'a str,
    /// The client's mobile (E.164), of which only the last three digits are shown.
    pub mobile_e164: &'a str,
    /// Until when link and code are valid.
    pub expires_at: DateTime<Utc>,
    /// The client line.
    pub contact_phone: &'a str,
    /// The support e-mail.
    pub contact_email: &'a str,
}

/// `+420603123456` → `končící …456`.
fn phone_hint(e164: &str) -> String {
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(3)..];
    format!("končící\u{a0}…{tail}")
}

/// The e-mail for `facts`.
pub fn letter(facts: &LetterFacts<'_>) -> Result<Letter, askama::Error> {
    let expires = prague(facts.expires_at);
    let hint = phone_hint(facts.mobile_e164);
    let text = EmailText {
        offer_number: facts.offer_number,
        link: facts.link,
        phone_hint: &hint,
        expires: &expires,
        contact_phone: facts.contact_phone,
        contact_email: facts.contact_email,
    }
    .render()?;
    let html = EmailHtml {
        offer_number: facts.offer_number,
        link: facts.link,
        phone_hint: &hint,
        expires: &expires,
        contact_phone: facts.contact_phone,
        contact_email: facts.contact_email,
    }
    .render()?;
    Ok(Letter {
        subject: format!(
            "Dokumenty k vaší nabídce životního pojištění FLEXI č. {}",
            facts.offer_number
        ),
        text,
        html,
    })
}

/// The SMS with the access code (at most [`SMS_MAX_CHARS`] characters).
pub fn sms_text(code_grouped: &str, expires_at: DateTime<Utc>) -> String {
    let day = expires_at
        .with_timezone(&chrono_tz::Europe::Prague)
        .format("%-d.%-m.%Y");
    format!("PČS: přístupový kód do úložiště: {code_grouped}. Platí do {day}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sms_fits_one_ucs2_segment_with_the_code_and_the_date() {
        let expires: DateTime<Utc> = "2027-12-31T22:59:00Z".parse().unwrap();
        let text = sms_text("K7PM 3QXD", expires);
        assert_eq!(
            text,
            "PČS: přístupový kód do úložiště: K7PM 3QXD. Platí do 31.12.2027."
        );
        assert!(
            text.chars().count() <= SMS_MAX_CHARS,
            "{} characters",
            text.chars().count()
        );
    }

    #[test]
    fn the_letter_carries_the_link_and_hides_most_of_the_phone() {
        let letter = letter(&LetterFacts {
            offer_number: "8800123456",
            link: "https://dokumenty.example.cz/u/abc?x=<y>",
            mobile_e164: "+420603123456",
            expires_at: "2027-01-01T07:00:00Z".parse().unwrap(),
            contact_phone: "958 888 888",
            contact_email: "podpora@pojistovnacs.cz",
        })
        .unwrap();
        assert_eq!(
            letter.subject,
            "Dokumenty k vaší nabídce životního pojištění FLEXI č. 8800123456"
        );
        assert!(
            letter
                .text
                .contains("https://dokumenty.example.cz/u/abc?x=<y>")
        );
        assert!(letter.text.contains("…456") && !letter.text.contains("603123456"));
        assert!(letter.text.contains("1. 1. 2027 08:00"));
        assert!(
            letter
                .html
                .contains("href=\"https://dokumenty.example.cz/u/abc?x=&#60;y&#62;\"")
                || letter
                    .html
                    .contains("href=\"https://dokumenty.example.cz/u/abc?x=&lt;y&gt;\""),
            "the HTML escapes what it shows"
        );
    }
}
