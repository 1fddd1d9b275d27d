//! Small text helpers: line ends, whitespace, bounds, typed field values.

use crate::MAX_FIELD_CHARS;

/// Line ends made uniform: CRLF and lone CR become LF.
pub(crate) fn unify_line_ends(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b == b'\r' {
            out.push(b'\n');
            if raw.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    out
}

/// A whole message made readable for `mailparse`: an mbox `From ` line and
/// leading blank lines removed, line ends unified.
pub(crate) fn normalize_message(raw: &[u8]) -> Vec<u8> {
    let mut start = 0;
    if raw.starts_with(b"From ") {
        start = raw
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |p| p + 1);
    }
    while let Some(b'\r' | b'\n') = raw.get(start) {
        start += 1;
    }
    unify_line_ends(raw.get(start..).unwrap_or_default())
}

/// A block of RFC 822-style field groups (a delivery-status body) made safe
/// for `mailparse::parse_headers`: line ends unified, lines holding only
/// white space turned into blank lines (MTAs mean a group separator), and
/// white space at the start of a group's first line removed (it would be a
/// continuation of nothing).
pub(crate) fn normalize_field_block(raw: &[u8]) -> Vec<u8> {
    let unified = unify_line_ends(raw);
    let mut out = Vec::with_capacity(unified.len());
    let mut group_start = true;
    for line in unified.split(|&b| b == b'\n') {
        let blank = line.iter().all(|b| matches!(b, b' ' | b'\t'));
        if blank {
            group_start = true;
        } else if group_start {
            let first = line
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t'))
                .unwrap_or(line.len());
            out.extend_from_slice(line.get(first..).unwrap_or_default());
            group_start = false;
        } else {
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    out
}

/// Cuts `s` to at most `max` characters.
pub(crate) fn truncate_chars(mut s: String, max: usize) -> String {
    if let Some((index, _)) = s.char_indices().nth(max) {
        s.truncate(index);
    }
    s
}

/// White space collapsed to single spaces, trimmed, cut to
/// [`MAX_FIELD_CHARS`]; `None` when nothing is left.
pub(crate) fn clean(value: &str) -> Option<String> {
    let mut out = String::new();
    for word in value.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > MAX_FIELD_CHARS * 4 {
            break;
        }
    }
    (!out.is_empty()).then(|| truncate_chars(out, MAX_FIELD_CHARS))
}

/// Splits a typed value (`rfc822; user@host`, `dns; mx.example`,
/// `smtp; 550 …`) into its lower-case type and the rest. The type must be
/// one token of letters, digits and `-` (at most 32 characters); otherwise
/// there is no type.
pub(crate) fn split_type(value: &str) -> (Option<String>, &str) {
    let trimmed = value.trim_start();
    if let Some((kind, rest)) = trimmed.split_once(';') {
        let kind = kind.trim();
        if !kind.is_empty()
            && kind.len() <= 32
            && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return (Some(kind.to_ascii_lowercase()), rest);
        }
    }
    (None, trimmed)
}

/// An address field (`Final-Recipient`, `Original-Recipient`): for the
/// `rfc822` and `utf-8` types (and untyped values) the address without the
/// type and angle brackets; other types kept whole.
pub(crate) fn address_value(value: &str) -> Option<String> {
    match split_type(value) {
        (None, rest) => clean(strip_angle(rest.trim())),
        (Some(kind), rest) if kind == "rfc822" => clean(strip_angle(rest.trim())),
        (Some(kind), rest) if kind == "utf-8" => clean(&decode_unitext(strip_angle(rest.trim()))),
        (Some(_), _) => clean(value),
    }
}

/// Decodes xtext (RFC 3461: `+2B` for `+`), as some MTAs leave the ENVID
/// and ORCPT in reports. A value that is not valid xtext, or does not
/// decode to UTF-8, is returned unchanged.
pub(crate) fn decode_xtext(value: &str) -> String {
    if !value.contains('+') {
        return value.to_owned();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'+' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(decoded) => {
                    out.push(decoded);
                    i += 3;
                }
                None => return value.to_owned(),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_owned())
}

/// An MTA field (`Reporting-MTA`, `Remote-MTA`): without a `dns` type;
/// other types kept whole.
pub(crate) fn mta_value(value: &str) -> Option<String> {
    match split_type(value) {
        (Some(kind), rest) if kind == "dns" => clean(rest),
        _ => clean(value),
    }
}

/// A `Diagnostic-Code`: without its type (`smtp;`, `X-Postfix;`).
pub(crate) fn diagnostic_value(value: &str) -> Option<String> {
    let (_, rest) = split_type(value);
    clean(rest)
}

/// A `Message-ID` value: the first `<…>` without the brackets, else the
/// first word.
pub(crate) fn message_id_value(value: &str) -> Option<String> {
    if let Some(open) = value.find('<')
        && let Some(len) = value.get(open + 1..).and_then(|rest| rest.find('>'))
    {
        return clean(value.get(open + 1..open + 1 + len).unwrap_or_default());
    }
    value.split_whitespace().next().and_then(clean)
}

fn strip_angle(value: &str) -> &str {
    value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value)
}

/// Decodes the `\x{HEX}` escapes of RFC 6533 `utf-8` addresses; anything
/// else (including a broken escape) is kept as it is.
pub(crate) fn decode_unitext(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(pos) = rest.find("\\x{") {
        out.push_str(rest.get(..pos).unwrap_or_default());
        let after = rest.get(pos + 3..).unwrap_or_default();
        let decoded = after.find('}').and_then(|end| {
            let hex = after.get(..end)?;
            if hex.is_empty() || hex.len() > 6 {
                return None;
            }
            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = after.get(used..).unwrap_or_default();
            }
            None => {
                out.push_str("\\x{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The bare address in a header value such as `"Name" <a@b>` or `a@b`.
pub(crate) fn header_address(value: &str) -> Option<String> {
    if let Ok(list) = mailparse::addrparse(value) {
        for entry in list.iter() {
            match entry {
                mailparse::MailAddr::Single(info) => return clean(&info.addr),
                mailparse::MailAddr::Group(group) => {
                    if let Some(info) = group.addrs.first() {
                        return clean(&info.addr);
                    }
                }
            }
        }
    }
    let trimmed = value.trim();
    if let Some(open) = trimmed.find('<')
        && let Some(len) = trimmed.get(open + 1..).and_then(|r| r.find('>'))
    {
        return clean(trimmed.get(open + 1..open + 1 + len).unwrap_or_default());
    }
    trimmed
        .split(|c: char| c.is_whitespace() || c == ',')
        .find(|word| word.contains('@'))
        .and_then(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values() {
        assert_eq!(
            address_value("rfc822; user@example.com").as_deref(),
            Some("user@example.com")
        );
        assert_eq!(
            address_value("RFC822; <joem@example.com>").as_deref(),
            Some("joem@example.com")
        );
        assert_eq!(
            address_value("<userx@example.com.dk>").as_deref(),
            Some("userx@example.com.dk")
        );
        assert_eq!(
            address_value("x400; /S=zzzzz/OU=example/").as_deref(),
            Some("x400; /S=zzzzz/OU=example/")
        );
        assert_eq!(
            address_value("utf-8; jan.nov\\x{E1}k@p\\x{159}\\x{ED}klad.cz").as_deref(),
            Some("jan.novák@příklad.cz")
        );
        assert_eq!(
            mta_value("dns; mx.example.cz").as_deref(),
            Some("mx.example.cz")
        );
        assert_eq!(mta_value("x400; mta c2").as_deref(), Some("x400; mta c2"));
        assert_eq!(
            diagnostic_value("smtp; 550 5.1.1\n    User unknown").as_deref(),
            Some("550 5.1.1 User unknown")
        );
        assert_eq!(
            diagnostic_value("Reason 1 (Unable-To-Transfer); Diagnostic 5").as_deref(),
            Some("Reason 1 (Unable-To-Transfer); Diagnostic 5")
        );
        assert_eq!(
            message_id_value(" <abc@example.cz> (comment)").as_deref(),
            Some("abc@example.cz")
        );
        assert_eq!(decode_unitext("a\\x{zz}b\\x{"), "a\\x{zz}b\\x{");
        assert_eq!(decode_xtext("NOTIF+2B1+3Dx"), "NOTIF+1=x");
        assert_eq!(decode_xtext("a+b@x"), "a+b@x");
        assert_eq!(decode_xtext("a+BC@x"), "a+BC@x");
        assert_eq!(decode_xtext("N-1"), "N-1");
    }

    #[test]
    fn bounds_and_blocks() {
        let long = "ž".repeat(3000);
        assert_eq!(
            clean(&long).map(|s| s.chars().count()),
            Some(MAX_FIELD_CHARS)
        );
        assert_eq!(clean(" \n\t "), None);
        assert_eq!(
            normalize_field_block(b"A: 1\r\n \r\n  B: 2\rC: 3\n"),
            b"A: 1\n\nB: 2\nC: 3\n\n".to_vec()
        );
        assert_eq!(
            normalize_message(b"From x y\r\n\r\nA: b\r\n"),
            b"A: b\n".to_vec()
        );
        assert_eq!(
            header_address("\"Name\" <bounces+N-1@b.example.cz>").as_deref(),
            Some("bounces+N-1@b.example.cz")
        );
    }
}
