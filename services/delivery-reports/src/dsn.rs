//! The fields of a `message/delivery-status` (RFC 3464) or
//! `message/global-delivery-status` (RFC 6533) body.
//!
//! The body is a per-message group of fields, a blank line, then one group
//! per recipient. Each group is read with `mailparse::parse_headers`.
//! Real MTAs are sloppy, so the groups are not trusted alone: a field is
//! assigned by its name (per-message or per-recipient), and a new recipient
//! starts when a recipient field repeats or a new group begins after a
//! complete recipient. That also reads reports without the blank line
//! between groups.

use crate::MAX_RECIPIENTS;
use crate::status::{find_in_text, parse_field};
use crate::text::{
    address_value, clean, decode_xtext, diagnostic_value, mta_value, normalize_field_block,
};
use crate::types::{Action, RecipientReport, classify};

/// What a delivery-status body says.
#[derive(Debug, Default)]
pub(crate) struct DeliveryStatus {
    pub reporting_mta: Option<String>,
    pub envelope_id: Option<String>,
    pub arrival_date: Option<String>,
    pub recipients: Vec<RecipientReport>,
}

/// The fields of one recipient as read, before they are interpreted.
#[derive(Debug, Default)]
struct Pending {
    final_recipient: Option<String>,
    original_recipient: Option<String>,
    action: Option<String>,
    status: Option<String>,
    diagnostic: Option<String>,
    remote_mta: Option<String>,
    last_attempt_date: Option<String>,
}

impl Pending {
    /// Whether this recipient already has the (core) field `name`.
    fn has(&self, name: &str) -> bool {
        match name {
            "final-recipient" => self.final_recipient.is_some(),
            "original-recipient" => self.original_recipient.is_some(),
            "action" => self.action.is_some(),
            "status" => self.status.is_some(),
            _ => false,
        }
    }

    /// A recipient address and what happened to it.
    fn is_complete(&self) -> bool {
        (self.final_recipient.is_some() || self.original_recipient.is_some())
            && (self.action.is_some() || self.status.is_some())
    }

    /// At least one field that only a per-recipient group has.
    fn is_recipient(&self) -> bool {
        self.final_recipient.is_some()
            || self.original_recipient.is_some()
            || self.action.is_some()
            || self.status.is_some()
    }

    fn set(&mut self, name: &str, value: &str) {
        let slot = match name {
            "final-recipient" => &mut self.final_recipient,
            "original-recipient" => &mut self.original_recipient,
            "action" => &mut self.action,
            "status" => &mut self.status,
            "diagnostic-code" => &mut self.diagnostic,
            "remote-mta" => &mut self.remote_mta,
            "last-attempt-date" => &mut self.last_attempt_date,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(value.to_owned());
        }
    }

    fn finish(self) -> RecipientReport {
        let status_field = self.status.as_deref().and_then(parse_field);
        let diagnostic = self.diagnostic.as_deref().and_then(diagnostic_value);
        let status = status_field.map(|(status, _)| status).or_else(|| {
            diagnostic
                .as_deref()
                .and_then(|d| find_in_text(d, &[2, 4, 5]))
                .map(|(status, _)| status)
        });
        let action = self
            .action
            .as_deref()
            .and_then(Action::parse)
            .or_else(|| status.and_then(Action::from_status))
            .unwrap_or(Action::Failed);
        // Without a Diagnostic-Code, a Status with text after its code
        // (`5.0.0 (quota)`, `553 too big`) is the best diagnostic there is.
        let diagnostic = diagnostic.or_else(|| match (status_field, self.status.as_deref()) {
            (Some((_, rest)), Some(whole)) if !rest.trim().is_empty() => clean(whole),
            _ => None,
        });
        RecipientReport {
            final_recipient: self.final_recipient.as_deref().and_then(address_value),
            original_recipient: self
                .original_recipient
                .as_deref()
                .and_then(address_value)
                .map(|a| decode_xtext(&a)),
            action,
            status,
            kind: classify(action, status),
            diagnostic,
            remote_mta: self.remote_mta.as_deref().and_then(mta_value),
            last_attempt_date: self.last_attempt_date.as_deref().and_then(clean),
        }
    }
}

const RECIPIENT_FIELDS: &[&str] = &[
    "final-recipient",
    "original-recipient",
    "action",
    "status",
    "diagnostic-code",
    "remote-mta",
    "last-attempt-date",
];

/// Reads a delivery-status body (transfer encoding already removed).
pub(crate) fn parse(body: &[u8]) -> DeliveryStatus {
    let block = normalize_field_block(body);
    let mut out = DeliveryStatus::default();
    let mut pending: Option<Pending> = None;
    let mut pending_group = 0usize;
    let mut group = 0usize;
    let mut ix = 0usize;
    'groups: while let Some(rest) = block.get(ix..).filter(|r| !r.is_empty()) {
        let used = match mailparse::parse_headers(rest) {
            Ok((fields, used)) => {
                for field in &fields {
                    let name = field.get_key_ref().trim().to_ascii_lowercase();
                    let value = field.get_value();
                    match name.as_str() {
                        "reporting-mta" => set_once(&mut out.reporting_mta, mta_value(&value)),
                        "original-envelope-id" => {
                            set_once(&mut out.envelope_id, clean(&decode_xtext(&value)));
                        }
                        "arrival-date" => set_once(&mut out.arrival_date, clean(&value)),
                        name if RECIPIENT_FIELDS.contains(&name) => {
                            let start_new = match &pending {
                                None => true,
                                Some(p) => {
                                    p.has(name) || (group != pending_group && p.is_complete())
                                }
                            };
                            if start_new {
                                if let Some(done) = pending.take()
                                    && done.is_recipient()
                                {
                                    out.recipients.push(done.finish());
                                }
                                if out.recipients.len() >= MAX_RECIPIENTS {
                                    break 'groups;
                                }
                                pending = Some(Pending::default());
                            }
                            if let Some(p) = pending.as_mut() {
                                p.set(name, &value);
                            }
                            pending_group = group;
                        }
                        _ => {}
                    }
                }
                used
            }
            // Cannot happen on a normalized block; skip the line if it does.
            Err(_) => rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| p + 1),
        };
        if used == 0 {
            break;
        }
        ix += used;
        group += 1;
    }
    if let Some(done) = pending.take()
        && done.is_recipient()
        && out.recipients.len() < MAX_RECIPIENTS
    {
        out.recipients.push(done.finish());
    }
    out
}

fn set_once(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Outcome, Status};

    #[test]
    fn groups_without_blank_lines_and_odd_values() {
        let body = b"Reporting-MTA: dns;pigeon.example.be\r\n \r\nFinal-Recipient: rfc822;a@example.be\r\nAction: failure\r\nStatus: 553 Exceeded maximum inbound message size\r\n";
        let dsn = parse(body);
        assert_eq!(dsn.reporting_mta.as_deref(), Some("pigeon.example.be"));
        assert_eq!(dsn.recipients.len(), 1);
        let r = &dsn.recipients[0];
        assert_eq!(r.final_recipient.as_deref(), Some("a@example.be"));
        assert_eq!(r.action, Action::Failed);
        assert_eq!(
            r.status,
            Some(Status {
                class: 5,
                subject: 0,
                detail: 0
            })
        );
        assert_eq!(r.kind, Outcome::HardBounce);
        assert_eq!(
            r.diagnostic.as_deref(),
            Some("553 Exceeded maximum inbound message size")
        );
    }

    #[test]
    fn recipients_follow_each_other_without_separators() {
        let body = b"reporting-mta: dns; mx.example\nfinal-recipient: rfc822; a@x\naction: failed\nstatus: 5.1.1\nfinal-recipient: rfc822; b@x\naction: delayed\nstatus: 4.4.7\n";
        let dsn = parse(body);
        assert_eq!(dsn.recipients.len(), 2);
        assert_eq!(dsn.recipients[1].final_recipient.as_deref(), Some("b@x"));
        assert_eq!(dsn.recipients[1].kind, Outcome::SoftBounce);
    }

    #[test]
    fn a_recipient_split_by_a_stray_blank_line_stays_one() {
        let body = b"Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@x\n\nAction: failed\nStatus: 5.2.2\n";
        let dsn = parse(body);
        assert_eq!(dsn.recipients.len(), 1);
        assert_eq!(dsn.recipients[0].final_recipient.as_deref(), Some("a@x"));
        assert_eq!(
            dsn.recipients[0].status.map(|s| s.to_string()).as_deref(),
            Some("5.2.2")
        );
    }

    #[test]
    fn missing_action_comes_from_the_status_and_missing_status_from_the_diagnostic() {
        let dsn = parse(b"Final-Recipient: rfc822; a@x\nStatus: 2.0.0\n\nFinal-Recipient: b@x\nAction: failed\nDiagnostic-Code: SMTP; 550 5.1.1 User unknown\n\nFinal-Recipient: c@x\n");
        assert_eq!(dsn.recipients.len(), 3);
        assert_eq!(dsn.recipients[0].action, Action::Delivered);
        assert_eq!(dsn.recipients[0].kind, Outcome::Delivered);
        assert_eq!(
            dsn.recipients[1].status.map(|s| s.to_string()).as_deref(),
            Some("5.1.1")
        );
        assert_eq!(
            dsn.recipients[1].diagnostic.as_deref(),
            Some("550 5.1.1 User unknown")
        );
        assert_eq!(dsn.recipients[2].action, Action::Failed);
        assert_eq!(dsn.recipients[2].status, None);
    }
}
