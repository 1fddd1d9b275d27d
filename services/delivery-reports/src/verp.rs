//! VERP addresses: `bounces+<id>@<domain>`.

/// Longest id accepted (the local part of an address has at most 64
/// octets).
const MAX_ID_LEN: usize = 64;

/// The id in a VERP address: from `bounces+NOTIF-123@bounce.example.cz`
/// with the prefix `bounces`, `NOTIF-123`.
///
/// The prefix is compared case-insensitively; the separator is `+` or `=`
/// (as MTAs write it); angle brackets around the address are allowed. The
/// id must be 1–64 characters of `[A-Za-z0-9._-]` and the address must have
/// a domain; anything else gives `None`.
///
/// ```
/// use delivery_reports::verp_id;
/// assert_eq!(verp_id("bounces+NOTIF-123@bounce.example.cz", "bounces"), Some("NOTIF-123"));
/// assert_eq!(verp_id("<Bounces=N.1@b.example.cz>", "bounces"), Some("N.1"));
/// assert_eq!(verp_id("bounces+a/b@b.example.cz", "bounces"), None);
/// ```
pub fn verp_id<'a>(address: &'a str, local_prefix: &str) -> Option<&'a str> {
    let address = address.trim();
    let address = address
        .strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(address);
    let (local, domain) = address.rsplit_once('@')?;
    if domain.is_empty() || domain.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return None;
    }
    if local_prefix.is_empty() {
        return None;
    }
    let prefix = local.get(..local_prefix.len())?;
    if !prefix.eq_ignore_ascii_case(local_prefix) {
        return None;
    }
    let rest = local.get(local_prefix.len()..)?;
    let id = rest.strip_prefix('+').or_else(|| rest.strip_prefix('='))?;
    let valid = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    valid.then_some(id)
}

#[cfg(test)]
mod tests {
    use super::verp_id;

    #[test]
    fn ids() {
        let p = "bounces";
        assert_eq!(
            verp_id("bounces+NOTIF-123@bounce.example.cz", p),
            Some("NOTIF-123")
        );
        assert_eq!(verp_id("BOUNCES+n_1.x@b.example.cz", p), Some("n_1.x"));
        assert_eq!(
            verp_id("bounces=NOTIF-123@b.example.cz", p),
            Some("NOTIF-123")
        );
        assert_eq!(verp_id(" <bounces+X@b.example.cz> ", p), Some("X"));
        assert_eq!(verp_id("bounces@b.example.cz", p), None);
        assert_eq!(verp_id("bounces+@b.example.cz", p), None);
        assert_eq!(verp_id("bounces-x@b.example.cz", p), None);
        assert_eq!(verp_id("bouncesX+1@b.example.cz", p), None);
        assert_eq!(verp_id("bounces+a+b@b.example.cz", p), None);
        assert_eq!(verp_id("bounces+a b@b.example.cz", p), None);
        assert_eq!(verp_id("bounces+ř@b.example.cz", p), None);
        assert_eq!(verp_id("bounces+x@", p), None);
        assert_eq!(verp_id("bounces+x", p), None);
        assert_eq!(verp_id("bounces+x@b.example.cz", ""), None);
        assert_eq!(verp_id("bo", p), None);
        assert_eq!(verp_id("žž+x@b.cz", "bou"), None);
        assert_eq!(
            verp_id(&format!("bounces+{}@b.cz", "a".repeat(65)), p),
            None
        );
        assert_eq!(
            verp_id(&format!("bounces+{}@b.cz", "a".repeat(64)), p).map(str::len),
            Some(64)
        );
    }
}
