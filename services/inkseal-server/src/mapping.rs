//! Between the gRPC contract and the offer lifecycle.
//!
//! [`edge_event`] turns a proto `EdgeEvent` into the lifecycle [`Command`] it
//! asks for, validating every value (a bad one is `INVALID_ARGUMENT` with the
//! lifecycle's Czech text); [`status_pb`] and [`summary_cs`] go the other way
//! for acks, status queries and the help desk's timeline.

use chrono::{DateTime, Utc};
use inkseal_proto::limits;
use inkseal_proto::v1 as pb;
use offer_lifecycle::field::FieldRect;
use offer_lifecycle::{
    AgentId, Command, Contacts, CzechMobile, Email, Event, FieldId, FieldLabel, FirmwareVersion,
    OfferId, OfferNumber, OfferStatus, PadModel, PadSerial, PersonName, Sha256, SignPad,
    SignatureField, SignatureQuality, SignerRole,
};
use uuid::Uuid;

use crate::error::ServiceError;

/// An edge event, validated, with the command it asks for.
#[derive(Debug, Clone)]
pub struct EdgeCommand {
    /// The client's event id (the idempotency key).
    pub event_id: Uuid,
    /// The offer (the stream).
    pub offer_id: OfferId,
    /// The agent named in the event.
    pub agent_id: AgentId,
    /// The version the event takes in the offer's stream.
    pub stream_version: u64,
    /// What the event asks for.
    pub command: Command,
    /// The sealed PDF's declared size, for `OfferSealed`.
    pub sealed_pdf_size: Option<u64>,
}

/// The stream name of an offer in the event store.
pub fn stream_name(offer_id: &str) -> String {
    format!("offer-{offer_id}")
}

/// A 32-byte SHA-256 field.
pub fn sha256(what: &str, bytes: &[u8]) -> Result<Sha256, ServiceError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| {
        ServiceError::InvalidArgument(format!(
            "{what}: otisk SHA-256 musí mít 32 bajtů, má {}",
            bytes.len()
        ))
    })?;
    Ok(Sha256::from_bytes(array))
}

/// A protobuf timestamp as UTC.
pub fn timestamp(
    what: &str,
    ts: Option<&prost_types::Timestamp>,
) -> Result<DateTime<Utc>, ServiceError> {
    let ts = ts.ok_or_else(|| ServiceError::InvalidArgument(format!("{what}: chybí čas")))?;
    let nanos = u32::try_from(ts.nanos).ok().filter(|n| *n < 1_000_000_000);
    nanos
        .and_then(|n| DateTime::from_timestamp(ts.seconds, n))
        .ok_or_else(|| ServiceError::InvalidArgument(format!("{what}: neplatný čas")))
}

/// UTC as a protobuf timestamp.
pub fn timestamp_pb(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

fn role(value: i32) -> Result<SignerRole, ServiceError> {
    match pb::SignerRole::try_from(value) {
        Ok(pb::SignerRole::Client) => Ok(SignerRole::Client),
        Ok(pb::SignerRole::Agent) => Ok(SignerRole::Agent),
        _ => Err(ServiceError::InvalidArgument(
            "Role podepisujícího musí být klient nebo poradce.".into(),
        )),
    }
}

/// The binding text of a signer role (as the biometric envelope writes it).
pub fn role_text(role: SignerRole) -> &'static str {
    role.code()
}

fn pad_model(text: &str) -> Result<PadModel, ServiceError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        ServiceError::InvalidArgument(format!(
            "Model Signpadu {:?} není podporován (STU-300, STU-430, STU-530).",
            text.chars().take(32).collect::<String>()
        ))
    })
}

fn optional<T>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, offer_lifecycle::ValidationError>,
) -> Result<Option<T>, ServiceError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        Ok(Some(parse(text)?))
    }
}

/// Validates an `EdgeEvent` and says which command it asks for.
pub fn edge_event(event: &pb::EdgeEvent) -> Result<EdgeCommand, ServiceError> {
    use prost::Message;
    let size = event.encoded_len();
    if size > limits::MAX_EDGE_EVENT_BYTES {
        return Err(ServiceError::ResourceExhausted(format!(
            "Událost má {size} bajtů, nejvýše {} je dovoleno.",
            limits::MAX_EDGE_EVENT_BYTES
        )));
    }
    let event_id = Uuid::try_parse(&event.event_id)
        .ok()
        .filter(|_| event.event_id.len() == 36)
        .ok_or_else(|| {
            ServiceError::InvalidArgument("event_id musí být UUID (36 znaků s pomlčkami).".into())
        })?;
    let offer_id = OfferId::new(&event.offer_id)?;
    let agent_id = AgentId::new(&event.agent_id)?;
    let at = timestamp("occurred_at", event.occurred_at.as_ref())?;
    let mut sealed_pdf_size = None;
    use pb::edge_event::Body;
    let command = match event.body.as_ref() {
        None => return Err(ServiceError::InvalidArgument("Událost nemá obsah.".into())),
        Some(Body::OfferModelled(m)) => {
            if m.fields.len() > limits::MAX_SIGNATURE_FIELDS {
                return Err(ServiceError::ResourceExhausted(format!(
                    "Nabídka má {} podpisových polí, nejvýše {}.",
                    m.fields.len(),
                    limits::MAX_SIGNATURE_FIELDS
                )));
            }
            if m.document_size > limits::MAX_PDF_BYTES {
                return Err(ServiceError::ResourceExhausted(
                    "Dokument nabídky je příliš velký.".into(),
                ));
            }
            let client = m.client.clone().unwrap_or_default();
            let fields = m
                .fields
                .iter()
                .map(|f| {
                    let rect = f.rect.unwrap_or_default();
                    let page = u16::try_from(f.page).map_err(|_| {
                        ServiceError::InvalidArgument(
                            "Strana podpisového pole je mimo rozsah.".into(),
                        )
                    })?;
                    Ok(SignatureField {
                        id: FieldId::new(&f.field_id)?,
                        role: role(f.role)?,
                        rect: FieldRect::new(
                            page,
                            rect.x as f64,
                            rect.y as f64,
                            rect.width as f64,
                            rect.height as f64,
                        )?,
                        label: optional(&f.label, |s| FieldLabel::new(s))?,
                    })
                })
                .collect::<Result<Vec<_>, ServiceError>>()?;
            Command::ModelOffer {
                offer_id: offer_id.clone(),
                agent_id: agent_id.clone(),
                offer_number: OfferNumber::new(&m.offer_number)?,
                client_name: optional(&client.name, |s| PersonName::new(s))?,
                contacts: Contacts {
                    email: optional(&client.email, Email::parse)?,
                    mobile: optional(&client.mobile, CzechMobile::parse)?,
                },
                fields,
                document_sha256: sha256("document_sha256", &m.document_sha256)?,
                modelled_at: at,
            }
        }
        Some(Body::SigningStarted(s)) => Command::StartSigning {
            pad: SignPad {
                model: pad_model(&s.pad_model)?,
                serial: PadSerial::new(&s.pad_serial)?,
                firmware: FirmwareVersion::new(&s.pad_firmware)?,
            },
            started_at: at,
        },
        Some(Body::FieldSigned(f)) => {
            if f.envelope_size == 0 || f.envelope_size > limits::MAX_ENVELOPE_BYTES {
                return Err(ServiceError::InvalidArgument(format!(
                    "Velikost biometrického záznamu musí být 1 až {} bajtů.",
                    limits::MAX_ENVELOPE_BYTES
                )));
            }
            let q = f.quality.unwrap_or_default();
            Command::SignField {
                field_id: FieldId::new(&f.field_id)?,
                role: role(f.role)?,
                signature_image_sha256: sha256(
                    "signature_image_sha256",
                    &f.signature_image_sha256,
                )?,
                envelope_sha256: sha256("envelope_sha256", &f.envelope_sha256)?,
                // The contract carries the used pressure range (0..1); the lifecycle keeps it as
                // the signature's pressure variation.
                quality: SignatureQuality::new(
                    q.width_mm as f64,
                    q.pen_down_ms,
                    q.samples,
                    q.pressure_range as f64,
                )?,
                signed_at: at,
            }
        }
        Some(Body::OfferSealed(s)) => {
            if s.sealed_pdf_size == 0 || s.sealed_pdf_size > limits::MAX_PDF_BYTES {
                return Err(ServiceError::InvalidArgument(format!(
                    "Velikost podepsaného PDF musí být 1 až {} bajtů.",
                    limits::MAX_PDF_BYTES
                )));
            }
            sealed_pdf_size = Some(s.sealed_pdf_size);
            Command::SealOffer {
                sealed_pdf_sha256: sha256("sealed_pdf_sha256", &s.sealed_pdf_sha256)?,
                sealed_at: at,
            }
        }
    };
    Ok(EdgeCommand {
        event_id,
        offer_id,
        agent_id,
        stream_version: event.stream_version,
        command,
        sealed_pdf_size,
    })
}

/// The proto status of a lifecycle status.
pub fn status_pb(status: Option<OfferStatus>) -> pb::OfferStatus {
    match status {
        None => pb::OfferStatus::Unspecified,
        Some(OfferStatus::InProgress) => pb::OfferStatus::InProgress,
        Some(OfferStatus::SignedAwaitingSync) => pb::OfferStatus::SignedAwaitingSync,
        Some(OfferStatus::SentToInsurer) => pb::OfferStatus::Sent,
        Some(OfferStatus::AcceptedForProcessing) => pb::OfferStatus::Accepted,
    }
}

/// The lifecycle status of a stored status number (1–4).
pub fn status_from_number(n: i64) -> Option<OfferStatus> {
    match n {
        1 => Some(OfferStatus::InProgress),
        2 => Some(OfferStatus::SignedAwaitingSync),
        3 => Some(OfferStatus::SentToInsurer),
        4 => Some(OfferStatus::AcceptedForProcessing),
        _ => None,
    }
}

/// A one-line Czech summary of an event for the help desk's timeline. It names
/// no contact details (those stay in the event's own fields).
pub fn summary_cs(event: &Event) -> String {
    match event {
        Event::OfferModelled(e) => format!(
            "Nabídka {} namodelována poradcem {} ({}).",
            e.offer_number,
            e.agent_id,
            match e.fields.len() {
                1 => "1 podpisové pole".to_owned(),
                n @ 2..=4 => format!("{n} podpisová pole"),
                n => format!("{n} podpisových polí"),
            }
        ),
        Event::SigningStarted(e) => format!(
            "Zahájen podpis na Signpadu {} (sériové číslo {}, firmware {}).",
            serde_json::to_value(e.pad.model)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            e.pad.serial,
            e.pad.firmware
        ),
        Event::FieldSigned(e) => format!("Podepsáno pole {} ({}).", e.field_id, e.role),
        Event::OfferSealed(_) => OfferStatus::SignedAwaitingSync.text_cs().to_owned(),
        Event::OfferReceived(_) => OfferStatus::SentToInsurer.text_cs().to_owned(),
        Event::OfferAccepted(_) => OfferStatus::AcceptedForProcessing.text_cs().to_owned(),
        Event::OfferRejected(e) => format!("PČS nabídku nepřijala: {}", e.reason),
        Event::DocumentsPublished(e) => format!(
            "Dokumenty uloženy do klientova úložiště ({}), odkaz platí do {}.",
            e.documents
                .iter()
                .map(|d| d.file_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            prague(e.expires_at)
        ),
        Event::AccessCodeIssued(e) => format!(
            "Vydán nový přístupový kód do úložiště (platí do {}); předchozí kód už neplatí.",
            prague(e.expires_at)
        ),
        Event::StorageAccessRefused(e) => match e.refusal {
            offer_lifecycle::AccessRefusal::WrongCode => format!(
                "Chybně zadaný přístupový kód z adresy {} (zbývá pokusů: {}).",
                e.client.ip, e.tries_left
            ),
            offer_lifecycle::AccessRefusal::Locked => format!(
                "Pokus o vstup do zablokovaného úložiště z adresy {}.",
                e.client.ip
            ),
            offer_lifecycle::AccessRefusal::Expired => format!(
                "Návštěva úložiště po vypršení platnosti odkazu z adresy {}.",
                e.client.ip
            ),
        },
        Event::StorageLocked(e) => format!(
            "Úložiště zablokováno po {} chybných kódech; odblokuje ho nový kód od Help Desku.",
            e.wrong_tries
        ),
        Event::NotificationScheduled(e) => format!(
            "Naplánováno odeslání ({}) na {}.",
            channels_cs(e.channels),
            prague(e.due_at)
        ),
        Event::EmailSent(e) => match &e.smtp_reply {
            Some(r) => {
                format!("E-mail s odkazem do úložiště předán k doručení; server odpověděl: {r}")
            }
            None => "E-mail s odkazem do úložiště předán k doručení.".into(),
        },
        Event::EmailDelivered(_) => "E-mail doručen.".into(),
        Event::EmailDelayed(e) => format!(
            "Doručení e-mailu se zdržuje (server to zkouší dál): {}",
            e.report
        ),
        Event::NotificationRepeated(e) => format!(
            "Opakované odeslání ({}, pokus {}) se stejným označením {}: výsledek předchozího pokusu nebyl zaznamenán, klient mohl zprávu dostat dvakrát.",
            channels_cs(e.channels),
            e.attempt,
            e.message_id
        ),
        Event::NotificationSkipped(e) => format!(
            "Klientovi se nic neposlalo ({}): {}",
            channels_cs(e.channels),
            e.reason
        ),
        Event::EmailBounced(e) => format!("E-mail se nepodařilo doručit: {}", e.reason),
        Event::SmsSent(e) => match &e.gateway_reply {
            Some(r) => format!("SMS s přístupovým kódem předána bráně; brána odpověděla: {r}"),
            None => "SMS s přístupovým kódem předána bráně.".into(),
        },
        Event::SmsDelivered(_) => "SMS doručena.".into(),
        Event::SmsFailed(e) => format!("SMS se nepodařilo doručit: {}", e.reason),
        Event::StorageOpened(e) => match &e.client {
            Some(c) => format!("Klient otevřel úložiště (adresa {}).", c.ip),
            None => "Klient otevřel úložiště.".into(),
        },
        Event::DocumentDownloaded(e) => {
            let what = match e.document.as_str() {
                crate::storage::publish::SIGNED_OFFER_NAME => "podepsanou nabídku".to_owned(),
                crate::storage::publish::TERMS_NAME => "pojistné podmínky".to_owned(),
                other => format!("dokument {other}"),
            };
            match (e.completed, e.bytes_sent, e.bytes_expected) {
                (Some(false), Some(sent), Some(expected)) => format!(
                    "Klient začal stahovat {what}, stahování se přerušilo ({sent} z {expected} bajtů)."
                ),
                (Some(true), Some(sent), _) => format!("Klient stáhl {what} ({sent} bajtů)."),
                _ => format!("Klient stáhl {what}."),
            }
        }
        Event::NotificationResendRequested(e) => {
            format!(
                "Help Desk ({}) požádal o opětovné odeslání ({}): {}",
                e.user,
                channels_cs(e.channels),
                e.reason
            )
        }
        Event::ContactCorrected(e) => format!(
            "Help Desk ({}) opravil kontakt klienta: {}",
            e.user, e.reason
        ),
        Event::PaperWithdrawalRecorded(e) => format!(
            "Help Desk ({}) zaznamenal písemné odvolání doručené {}: {}",
            e.user,
            e.received_on.format("%d.%m.%Y"),
            e.reason
        ),
        Event::OfferMadeEffective(_) => "Nabídka zplatněna.".into(),
    }
}

/// A time as people in Czechia read it: `2. 6. 2025 10:15` in Europe/Prague.
pub fn prague(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Prague)
        .format("%-d. %-m. %Y %H:%M")
        .to_string()
}

fn channels_cs(c: offer_lifecycle::Channels) -> &'static str {
    match (c.email(), c.sms()) {
        (true, true) => "e-mail a SMS",
        (true, false) => "e-mail",
        _ => "SMS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(sha: Vec<u8>) -> pb::EdgeEvent {
        pb::EdgeEvent {
            event_id: "0b0e6a8e-3a55-4cde-9a8e-2a3d6f1c9b10".into(),
            offer_id: "OFFER-1".into(),
            agent_id: "AGENT-1".into(),
            stream_version: 4,
            schema_version: 1,
            occurred_at: Some(prost_types::Timestamp {
                seconds: 1_718_454_896,
                nanos: 0,
            }),
            body: Some(pb::edge_event::Body::OfferSealed(pb::OfferSealed {
                sealed_pdf_sha256: sha,
                sealed_pdf_size: 1000,
            })),
        }
    }

    #[test]
    fn a_sealed_event_becomes_a_seal_command() {
        let c = edge_event(&sealed(vec![7; 32])).unwrap();
        assert_eq!(c.stream_version, 4);
        assert!(matches!(c.command, Command::SealOffer { .. }));
        assert_eq!(c.sealed_pdf_size, Some(1000));
    }

    #[test]
    fn malformed_values_are_invalid_arguments() {
        let e = edge_event(&sealed(vec![7; 31])).unwrap_err();
        assert_eq!(e.status().code(), tonic::Code::InvalidArgument);
        let mut bad_id = sealed(vec![7; 32]);
        bad_id.event_id = "not-a-uuid".into();
        assert_eq!(
            edge_event(&bad_id).unwrap_err().status().code(),
            tonic::Code::InvalidArgument
        );
        let mut bad_offer = sealed(vec![7; 32]);
        bad_offer.offer_id = "../etc".into();
        assert_eq!(
            edge_event(&bad_offer).unwrap_err().status().code(),
            tonic::Code::InvalidArgument
        );
        let mut no_time = sealed(vec![7; 32]);
        no_time.occurred_at = None;
        assert_eq!(
            edge_event(&no_time).unwrap_err().status().code(),
            tonic::Code::InvalidArgument
        );
    }
}
