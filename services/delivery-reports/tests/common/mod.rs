//! Builds delivery reports of the shape the DSN test MX (and Postfix) sends:
//! a `multipart/report; report-type=delivery-status` with a Postfix-style
//! text part, the `message/delivery-status` (or RFC 6533
//! `message/global-delivery-status`) part, and the returned headers
//! (`text/rfc822-headers`) or message (`message/rfc822`).

#![allow(dead_code)]

/// One per-recipient group.
#[derive(Clone)]
pub struct Rcpt {
    pub address: String,
    pub orcpt: Option<String>,
    pub action: String,
    pub status: String,
    pub diagnostic: String,
}

impl Rcpt {
    pub fn failed(address: &str) -> Rcpt {
        Rcpt {
            address: address.into(),
            orcpt: Some(format!("rfc822; {address}")),
            action: "failed".into(),
            status: "5.1.1".into(),
            diagnostic: format!(
                "smtp; 550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
            ),
        }
    }

    pub fn delayed(address: &str) -> Rcpt {
        Rcpt {
            action: "delayed".into(),
            status: "4.4.7".into(),
            diagnostic: format!(
                "smtp; 451 4.4.7 <{address}>: Message delivery delayed: remote server did not answer"
            ),
            ..Rcpt::failed(address)
        }
    }

    pub fn delivered(address: &str) -> Rcpt {
        Rcpt {
            action: "delivered".into(),
            status: "2.0.0".into(),
            diagnostic: "smtp; 250 2.0.0 Ok: delivered to mailbox".into(),
            ..Rcpt::failed(address)
        }
    }
}

/// The whole report.
#[derive(Clone)]
pub struct Dsn {
    pub verp: String,
    pub envelope_id: Option<String>,
    pub recipients: Vec<Rcpt>,
    /// `message/global-delivery-status` instead of `message/delivery-status`.
    pub global: bool,
    /// Return the whole message (`message/rfc822`) instead of its headers.
    pub full: bool,
    pub original_message_id: String,
    pub crlf: bool,
}

impl Dsn {
    pub fn new(recipients: Vec<Rcpt>) -> Dsn {
        Dsn {
            verp: "bounces+NOTIF-123@bounce.example.cz".into(),
            envelope_id: Some("NOTIF-123".into()),
            recipients,
            global: false,
            full: false,
            original_message_id: "<notif-123.1767225600@inkseal.example.cz>".into(),
            crlf: true,
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let boundary = "8F2A51C04E1.1767225900/mx.test";
        let mut l: Vec<String> = vec![
            "Date: Thu, 1 Jan 2026 08:05:00 +0100".into(),
            "From: MAILER-DAEMON@mx.test (Mail Delivery System)".into(),
            "Subject: Undelivered Mail Returned to Sender".into(),
            format!("To: <{}>", self.verp),
            "Auto-Submitted: auto-replied".into(),
            "Message-Id: <A1B2C3.1767225900@mx.test>".into(),
            "MIME-Version: 1.0".into(),
            "Content-Type: multipart/report; report-type=delivery-status;".into(),
            format!("\tboundary=\"{boundary}\""),
            "Content-Transfer-Encoding: 8bit".into(),
            String::new(),
            "This is a MIME-encapsulated message.".into(),
            String::new(),
            format!("--{boundary}"),
            "Content-Description: Notification".into(),
            "Content-Type: text/plain; charset=utf-8".into(),
            String::new(),
            "This is the mail system at host mx.test.".into(),
            String::new(),
            "I'm sorry to have to inform you that your message could not".into(),
            "be delivered to one or more recipients.".into(),
            String::new(),
        ];
        for r in &self.recipients {
            l.push(format!(
                "<{}>: host mx.test[127.0.0.1] said: {}",
                r.address, r.diagnostic
            ));
            l.push(String::new());
        }
        l.push(format!("--{boundary}"));
        l.push("Content-Description: Delivery report".into());
        l.push(if self.global {
            "Content-Type: message/global-delivery-status".into()
        } else {
            "Content-Type: message/delivery-status".into()
        });
        l.push(String::new());
        l.push("Reporting-MTA: dns; mx.test".into());
        l.push("X-Postfix-Queue-ID: 8F2A51C04E1".into());
        l.push(format!("X-Postfix-Sender: rfc822; {}", self.verp));
        if let Some(envid) = &self.envelope_id {
            l.push(format!("Original-Envelope-Id: {envid}"));
        }
        l.push("Arrival-Date: Thu, 1 Jan 2026 08:00:00 +0100 (CET)".into());
        for r in &self.recipients {
            l.push(String::new());
            l.push(format!("Final-Recipient: rfc822; {}", r.address));
            if let Some(orcpt) = &r.orcpt {
                l.push(format!("Original-Recipient: {orcpt}"));
            }
            l.push(format!("Action: {}", r.action));
            l.push(format!("Status: {}", r.status));
            l.push("Remote-MTA: dns; mx.test".into());
            l.push(format!("Diagnostic-Code: {}", r.diagnostic));
            l.push("Last-Attempt-Date: Thu, 1 Jan 2026 08:04:59 +0100 (CET)".into());
        }
        l.push(String::new());
        l.push(format!("--{boundary}"));
        if self.full {
            l.push("Content-Description: Undelivered Message".into());
            l.push("Content-Type: message/rfc822".into());
        } else {
            l.push("Content-Description: Undelivered Message Headers".into());
            l.push("Content-Type: text/rfc822-headers".into());
        }
        l.push("Content-Transfer-Encoding: 8bit".into());
        l.push(String::new());
        l.push("Return-Path: <bounces+NOTIF-123@bounce.example.cz>".into());
        l.push("From: =?utf-8?q?Poji=C5=A1=C5=A5ovna?= <nabidky@inkseal.example.cz>".into());
        l.push("To: klient@example.cz".into());
        l.push("Subject: =?utf-8?q?Va=C5=A1e_nab=C3=ADdka?=".into());
        l.push(format!("Message-ID: {}", self.original_message_id));
        l.push("Date: Thu, 1 Jan 2026 08:00:00 +0100".into());
        if self.full {
            l.push("Content-Type: text/plain; charset=utf-8".into());
            l.push(String::new());
            l.push("Dobrý den, odkaz na vaše dokumenty: https://example.cz/d/abc".into());
        }
        l.push(String::new());
        l.push(format!("--{boundary}--"));
        l.push(String::new());
        let eol = if self.crlf { "\r\n" } else { "\n" };
        l.join(eol).into_bytes()
    }
}

/// Base64 (RFC 4648, 76-character lines) for tests that encode parts.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push('\n');
        }
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for j in 0..4 {
            if j <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * j)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
