//! Provider webhooks: our generic shape and SendGrid's event array.

use delivery_reports::webhook::{WebhookError, WebhookFormat, parse_json};
use delivery_reports::{Action, MAX_FIELD_CHARS, Outcome, Status};

fn st(class: u8, subject: u16, detail: u16) -> Option<Status> {
    Some(Status {
        class,
        subject,
        detail,
    })
}

#[test]
fn generic_shape() {
    let body = r#"{"events": [
        {"type": "delivered", "recipient": "klient@example.cz", "envelope_id": "NOTIF-1",
         "message_id": "<n1@inkseal.example.cz>", "status": "2.0.0", "timestamp": 1767225600},
        {"type": "bounce", "recipient": "nikdo@example.cz", "envelope_id": "NOTIF-2",
         "bounce_type": "hard", "status": "5.1.1",
         "diagnostic": "550 5.1.1 Schránka neexistuje", "timestamp": "1767225601"},
        {"type": "bounce", "recipient": "plna@example.cz", "bounce_type": "soft", "status": "4.2.2"},
        {"type": "bounce", "recipient": "x@example.cz", "status": "452"},
        {"type": "deferred", "recipient": "pomaly@example.cz", "status": "4.4.7", "timestamp": null},
        {"type": "opened", "recipient": "klient@example.cz"}
    ]}"#;
    let events = parse_json(body.as_bytes()).unwrap();
    assert_eq!(events.len(), 5, "the unknown type is skipped");
    let e = &events[0];
    assert_eq!(e.format, WebhookFormat::Generic);
    assert_eq!((e.action, e.kind), (Action::Delivered, Outcome::Delivered));
    assert_eq!(e.recipient.as_deref(), Some("klient@example.cz"));
    assert_eq!(e.envelope_id.as_deref(), Some("NOTIF-1"));
    assert_eq!(e.message_id.as_deref(), Some("n1@inkseal.example.cz"));
    assert_eq!(e.status, st(2, 0, 0));
    assert_eq!(e.timestamp, Some(1_767_225_600));
    let e = &events[1];
    assert_eq!((e.action, e.kind), (Action::Failed, Outcome::HardBounce));
    assert_eq!(
        e.diagnostic.as_deref(),
        Some("550 5.1.1 Schránka neexistuje")
    );
    assert_eq!(e.timestamp, Some(1_767_225_601));
    assert_eq!(events[2].kind, Outcome::SoftBounce);
    // Without bounce_type, the status class decides.
    assert_eq!(events[3].status, st(4, 0, 0));
    assert_eq!(events[3].kind, Outcome::SoftBounce);
    let e = &events[4];
    assert_eq!((e.action, e.kind), (Action::Delayed, Outcome::SoftBounce));
    assert_eq!(e.timestamp, None);
}

#[test]
fn sendgrid_shape() {
    let body = br#"[
      {"email":"klient@example.cz","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>",
       "event":"processed","category":"cat facts","sg_event_id":"rbtnWrG1DVDGGGFHFyun0A==",
       "sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"},
      {"email":"klient@example.cz","timestamp":1513299570,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>",
       "event":"delivered","response":"250 OK","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001",
       "envelope_id":"NOTIF-7"},
      {"email":"nikdo@example.cz","timestamp":1513299571,"event":"bounce","type":"bounce",
       "status":"5.1.1","reason":"550 5.1.1 The email account that you tried to reach does not exist.",
       "bounce_classification":"Invalid Address","sg_message_id":"abc.filter1"},
      {"email":"blok@example.cz","timestamp":1513299572,"event":"bounce","type":"blocked",
       "status":"5.7.1","reason":"550 5.7.1 blocked by policy"},
      {"email":"pomaly@example.cz","timestamp":1513299573,"event":"deferred",
       "response":"400 try again later","attempt":"5"},
      {"email":"stary@example.cz","timestamp":1513299574,"event":"dropped",
       "reason":"Bounced Address","status":"5.0.0"},
      {"email":"klient@example.cz","timestamp":1513299575,"event":"open","useragent":"Mozilla"}
    ]"#;
    let events = parse_json(body).unwrap();
    assert_eq!(events.len(), 5, "processed and open are skipped");
    let e = &events[0];
    assert_eq!(e.format, WebhookFormat::SendGrid);
    assert_eq!((e.action, e.kind), (Action::Delivered, Outcome::Delivered));
    assert_eq!(
        e.message_id.as_deref(),
        Some("14c5d75ce93.dfd.64b469@ismtpd-555")
    );
    assert_eq!(
        e.provider_message_id.as_deref(),
        Some("14c5d75ce93.dfd.64b469.filter0001")
    );
    assert_eq!(e.envelope_id.as_deref(), Some("NOTIF-7"));
    assert_eq!(e.diagnostic.as_deref(), Some("250 OK"));
    let e = &events[1];
    assert_eq!((e.action, e.kind), (Action::Failed, Outcome::HardBounce));
    assert_eq!(e.recipient.as_deref(), Some("nikdo@example.cz"));
    assert_eq!(e.status, st(5, 1, 1));
    assert_eq!(e.timestamp, Some(1_513_299_571));
    assert_eq!(
        (events[2].action, events[2].kind),
        (Action::Failed, Outcome::SoftBounce)
    );
    assert_eq!(
        (events[3].action, events[3].kind),
        (Action::Delayed, Outcome::SoftBounce)
    );
    assert_eq!(events[3].diagnostic.as_deref(), Some("400 try again later"));
    assert_eq!(
        (events[4].action, events[4].kind),
        (Action::Failed, Outcome::HardBounce)
    );
    assert_eq!(events[4].diagnostic.as_deref(), Some("Bounced Address"));
}

#[test]
fn errors() {
    assert!(matches!(
        parse_json(b"not json"),
        Err(WebhookError::Json(_))
    ));
    assert_eq!(
        parse_json(b"{\"type\":\"bounce\"}"),
        Err(WebhookError::UnknownShape)
    );
    assert_eq!(parse_json(b"42"), Err(WebhookError::UnknownShape));
    assert_eq!(
        parse_json(b"[1]"),
        Err(WebhookError::InvalidEvent {
            index: 0,
            reason: "not an object"
        })
    );
    assert_eq!(
        parse_json(br#"{"events":[{"type":"delivered"},{"recipient":"a@b"}]}"#),
        Err(WebhookError::InvalidEvent {
            index: 1,
            reason: "no \"type\""
        })
    );
    assert_eq!(
        parse_json(br#"[{"event":"bounce","email":7}]"#),
        Err(WebhookError::InvalidEvent {
            index: 0,
            reason: "\"email\" is not a string"
        })
    );
    assert_eq!(
        parse_json(br#"{"events":[{"type":"bounce","bounce_type":"medium"}]}"#),
        Err(WebhookError::InvalidEvent {
            index: 0,
            reason: "\"bounce_type\" is neither \"hard\" nor \"soft\""
        })
    );
    assert_eq!(
        parse_json(br#"{"events":[{"type":"delivered","timestamp":1.5}]}"#),
        Err(WebhookError::InvalidEvent {
            index: 0,
            reason: "\"timestamp\" is not a whole number of seconds"
        })
    );
    assert_eq!(parse_json(b"[]"), Ok(vec![]));
    assert_eq!(parse_json(br#"{"events":[]}"#), Ok(vec![]));
}

#[test]
fn bounds() {
    let many = format!("[{}]", vec!["{}"; 10_001].join(","));
    assert_eq!(
        parse_json(many.as_bytes()),
        Err(WebhookError::TooManyEvents {
            count: 10_001,
            max: 10_000
        })
    );
    let big = vec![b' '; 10 * 1024 * 1024 + 1];
    assert!(matches!(
        parse_json(&big),
        Err(WebhookError::TooLarge { .. })
    ));
    let long = format!(
        r#"{{"events":[{{"type":"bounce","diagnostic":"{}"}}]}}"#,
        "x".repeat(5000)
    );
    let events = parse_json(long.as_bytes()).unwrap();
    assert_eq!(
        events[0].diagnostic.as_deref().map(|d| d.chars().count()),
        Some(MAX_FIELD_CHARS)
    );
    // serde_json's recursion limit refuses deep nesting instead of
    // overflowing the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        parse_json(deep.as_bytes()),
        Err(WebhookError::Json(_))
    ));
}
