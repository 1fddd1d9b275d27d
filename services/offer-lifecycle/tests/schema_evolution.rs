//! The stored form of events: every event round-trips, old versions are upcast on read, and forged
//! or unknown payloads are refused with a clear error.

mod common;

use common::*;
use offer_lifecycle::*;
use serde_json::json;

/// Every event type, produced by a full lifecycle.
fn all_kinds_of_events() -> Vec<Event> {
    let mut offer = Stream::published();
    offer
        .given(email_sent("m1@pojistovna", "jan.novak@example.cz"))
        .given(Command::RecordEmailDelayed {
            message_id: message("m1@pojistovna"),
            report: reply("4.4.7 delivery delayed"),
            delayed_at: at(60 * 22 + 30),
        })
        .given(email_bounced("m1@pojistovna", 60 * 23))
        .given(Command::RecordRepeat {
            channels: Channels::Email,
            attempt: 2,
            message_id: message("m1@pojistovna"),
            repeated_at: at(60 * 22 + 40),
        })
        .given(Command::SkipNotification {
            channels: Channels::Sms,
            reason: reason("Mobilní telefon klienta chybí."),
            skipped_at: at(60 * 23 + 1),
        })
        .given(Command::RecordSmsSent {
            message_id: message("sms-1"),
            to: mobile("603123456"),
            gateway_reply: Some(reply("OK")),
            sent_at: at(60 * 22),
        })
        .given(Command::RecordSmsFailed {
            message_id: message("sms-1"),
            reason: reply("absent subscriber"),
            failed_at: at(60 * 22 + 5),
        })
        .given(Command::RecordSmsDelivered {
            message_id: message("sms-1"),
            delivered_at: at(60 * 22 + 9),
        })
        .given(Command::RequestResend {
            user: user(),
            reason: reason("Klientovi nedorazil e-mail."),
            channels: Channels::Email,
            requested_at: at(60 * 25),
        })
        .given(correct_email("jan.novak@example.com"))
        .given(email_sent("m2@pojistovna", "jan.novak@example.com"))
        .given(email_delivered("m2@pojistovna", 60 * 33))
        .given(opened(60 * 34))
        .given(wrong_code(60 * 34 + 1))
        .given(wrong_code(60 * 34 + 2))
        .given(wrong_code(60 * 34 + 3))
        .given(wrong_code(60 * 34 + 4))
        .given(wrong_code(60 * 34 + 5))
        .given(issue_code(2, 60 * 34 + 6))
        .given(downloaded("nabidka", 60 * 35))
        .given(paper_withdrawal());
    let mut events = offer.events;
    events.push(Event::OfferRejected(event::OfferRejected {
        reason: reason("Kontrola PDF selhala."),
        rejected_at: at(61),
    }));
    events.push(Event::OfferMadeEffective(event::OfferMadeEffective {
        effective_at: at(60 * 48),
    }));
    events
}

#[test]
fn every_event_type_round_trips_through_its_stored_form() {
    let events = all_kinds_of_events();
    let mut seen: Vec<&str> = events.iter().map(Event::type_name).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        Event::TYPES.len(),
        "the fixture covers every event type"
    );
    for event in &events {
        let stored = ok(encode(event));
        assert_eq!(stored.type_name, event.type_name());
        assert_eq!(stored.schema_version, event.schema_version());
        assert!(
            stored.payload.get("type").is_none(),
            "the type lives beside the payload"
        );
        let back = decode(
            stored.type_name,
            stored.schema_version,
            stored.payload.clone(),
        );
        assert_eq!(back.as_ref(), Ok(event));
        let bytes = ok(stored.payload_bytes());
        assert_eq!(
            decode_slice(stored.type_name, stored.schema_version, &bytes).as_ref(),
            Ok(event)
        );
    }
}

#[test]
fn the_tagged_serde_form_round_trips_too() {
    for event in all_kinds_of_events() {
        let json = ok(serde_json::to_value(&event));
        assert_eq!(json["type"], event.type_name());
        let back: Event = ok(serde_json::from_value(json));
        assert_eq!(back, event);
    }
}

#[test]
fn hashes_are_stored_as_lowercase_hex() {
    let stored = ok(encode(&all_kinds_of_events()[0]));
    assert_eq!(stored.payload["document_sha256"], json!("01".repeat(32)));
}

#[test]
fn an_offer_modelled_v1_event_is_upcast_with_its_phone_normalised() {
    let v1: serde_json::Value = ok(serde_json::from_str(include_str!(
        "data/offer_modelled_v1.json"
    )));
    let event = ok(decode("OfferModelled", 1, v1));
    let Event::OfferModelled(modelled) = event else {
        panic!("decoded another type");
    };
    assert_eq!(modelled.contacts.mobile, Some(mobile("+420736555123")));
    assert_eq!(
        modelled.contacts.email,
        Some(email("marie.dvorakova@example.cz"))
    );
    assert_eq!(modelled.fields.len(), 2);
    // Written again, it is version 2 with the contacts in one place.
    let stored = ok(encode(&Event::OfferModelled(modelled)));
    assert_eq!(stored.schema_version, 2);
    assert_eq!(stored.payload["contacts"]["mobile"], json!("+420736555123"));
    assert!(stored.payload.get("client_phone").is_none());
}

#[test]
fn a_v1_offer_without_contacts_is_upcast_with_none() {
    let mut v1: serde_json::Value = ok(serde_json::from_str(include_str!(
        "data/offer_modelled_v1.json"
    )));
    v1["client_phone"] = json!("  ");
    v1["client_email"] = serde_json::Value::Null;
    let Ok(Event::OfferModelled(modelled)) = decode("OfferModelled", 1, v1) else {
        panic!("v1 without contacts must decode");
    };
    assert_eq!(modelled.contacts, Contacts::default());
}

#[test]
fn a_v1_phone_that_is_not_a_czech_mobile_is_a_decode_error_not_a_lost_contact() {
    let mut v1: serde_json::Value = ok(serde_json::from_str(include_str!(
        "data/offer_modelled_v1.json"
    )));
    v1["client_phone"] = json!("224 123 456");
    assert!(matches!(
        decode("OfferModelled", 1, v1),
        Err(SchemaError::Upcast { version: 1, .. })
    ));
}

#[test]
fn unknown_types_and_future_versions_are_refused() {
    assert!(matches!(
        decode("OfferCancelled", 1, json!({})),
        Err(SchemaError::UnknownType { .. })
    ));
    assert!(matches!(
        decode("OfferSealed", 2, json!({})),
        Err(SchemaError::UnsupportedVersion { current: 1, .. })
    ));
    assert!(matches!(
        decode("OfferSealed", 0, json!({})),
        Err(SchemaError::UnsupportedVersion { .. })
    ));
}

#[test]
fn forged_payloads_are_refused() {
    let sealed_upper =
        json!({"sealed_pdf_sha256": "AB".repeat(32), "sealed_at": "2025-06-02T09:10:00Z"});
    assert!(matches!(
        decode("OfferSealed", 1, sealed_upper),
        Err(SchemaError::Payload { .. })
    ));
    let empty_reason = json!({
        "user": "petra", "reason": " ", "channels": "email", "requested_at": "2025-06-02T09:10:00Z"
    });
    assert!(matches!(
        decode("NotificationResendRequested", 1, empty_reason),
        Err(SchemaError::Payload { .. })
    ));
    let extra_field = json!({"sealed_pdf_sha256": "ab".repeat(32), "sealed_at": "2025-06-02T09:10:00Z", "cancelled": true});
    assert!(matches!(
        decode("OfferSealed", 1, extra_field),
        Err(SchemaError::Payload { .. })
    ));
    let landline = json!({
        "message_id": "sms-1", "to": "+420224123456", "gateway_reply": null, "sent_at": "2025-06-02T09:10:00Z"
    });
    assert!(matches!(
        decode("SmsSent", 1, landline),
        Err(SchemaError::Payload { .. })
    ));
}

#[test]
fn a_stored_offer_with_too_many_fields_is_refused() {
    let stored = ok(encode(&all_kinds_of_events()[0]));
    let mut payload = stored.payload;
    let field = payload["fields"][0].clone();
    let fields: Vec<_> = (0..=limits::MAX_SIGNATURE_FIELDS)
        .map(|i| {
            let mut f = field.clone();
            f["id"] = json!(format!("pole-{i}"));
            f
        })
        .collect();
    payload["fields"] = json!(fields);
    assert!(matches!(
        decode("OfferModelled", 2, payload),
        Err(SchemaError::Bounds { .. })
    ));
}

#[test]
fn an_oversized_payload_is_refused_before_it_is_parsed() {
    let huge = vec![b' '; limits::MAX_EVENT_PAYLOAD_BYTES + 1];
    assert!(matches!(
        decode_slice("OfferSealed", 1, &huge),
        Err(SchemaError::TooLarge { .. })
    ));
}

#[test]
fn a_v1_publication_keeps_its_access_code_and_lists_no_documents() {
    let v1 = json!({
        "folder": "2025/06/NAB-1",
        "link_token_sha256": "03".repeat(32),
        "access_code_hash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        "expires_at": "2025-07-02T09:00:00Z",
        "published_at": "2025-06-02T10:02:00Z",
    });
    let Ok(Event::DocumentsPublished(published)) = decode("DocumentsPublished", 1, v1) else {
        panic!("v1 publication must decode");
    };
    assert!(published.documents.is_empty());
    assert!(published.access_code_hash.is_some());
    let mut offer = Stream::sealed();
    offer.given(receive()).given(accept());
    let state = evolve(offer.state.clone(), &Event::DocumentsPublished(published));
    let access = &state.offer().map(|o| o.access.clone()).unwrap_or_default();
    assert_eq!(
        access.codes_issued, 1,
        "the v1 code counts as the first code"
    );
    assert!(access.code_hash.is_some());
}

#[test]
fn v1_storage_visits_read_as_not_knowing_who_or_how_much() {
    let Ok(Event::DocumentDownloaded(d)) = decode(
        "DocumentDownloaded",
        1,
        json!({"document": "nabidka", "downloaded_at": "2025-06-03T08:00:00Z"}),
    ) else {
        panic!("v1 download must decode");
    };
    assert_eq!((d.client, d.bytes_sent, d.completed), (None, None, None));
    let Ok(Event::StorageOpened(o)) = decode(
        "StorageOpened",
        1,
        json!({"opened_at": "2025-06-03T08:00:00Z"}),
    ) else {
        panic!("v1 opening must decode");
    };
    assert_eq!(o.client, None);
    // a v1 payload that already names a v2 field is forged
    assert!(
        decode(
            "StorageOpened",
            1,
            json!({"opened_at": "2025-06-03T08:00:00Z", "client": null}),
        )
        .is_err()
    );
}
