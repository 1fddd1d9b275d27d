//! The edge agent's events on the wire: a lifecycle [`Event`] with its envelope of ids becomes an
//! `inkseal.v1.EdgeEvent`. The bytes are built once, when the event is recorded, and stored in
//! the outbox; every retry sends exactly those bytes, so a retry is always the same event.

use chrono::{DateTime, Utc};
use inkseal_proto::v1 as pb;
use offer_lifecycle::{Event, PadModel, SignerRole};
use prost::Message;

use crate::error::EdgeError;
use crate::quality::Metrics;

/// Facts the wire format carries beyond the lifecycle event (sizes, extra quality metrics).
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra {
    /// Size of the signed PDF (OfferModelled), the envelope (FieldSigned) or the sealed PDF
    /// (OfferSealed), in bytes.
    pub size: u64,
    /// The full quality metrics (FieldSigned).
    pub metrics: Option<Metrics>,
}

/// Ids around an event.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The idempotency key.
    pub event_id: uuid::Uuid,
    /// The offer.
    pub offer_id: String,
    /// The agent.
    pub agent_id: String,
    /// 0-based position in the offer's stream.
    pub stream_version: u64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

fn role(r: SignerRole) -> i32 {
    match r {
        SignerRole::Client => pb::SignerRole::Client as i32,
        SignerRole::Agent => pb::SignerRole::Agent as i32,
        _ => pb::SignerRole::Unspecified as i32,
    }
}

/// The model name as the pad reports it.
pub fn pad_model_name(m: PadModel) -> &'static str {
    match m {
        PadModel::Stu300 => "STU-300",
        PadModel::Stu430 => "STU-430",
        PadModel::Stu530 => "STU-530",
    }
}

/// Builds the `EdgeEvent` of an edge event (OfferModelled, SigningStarted, FieldSigned, OfferSealed).
pub fn edge_event(meta: &Meta, event: &Event, extra: &Extra) -> Result<pb::EdgeEvent, EdgeError> {
    use pb::edge_event::Body;
    let body = match event {
        Event::OfferModelled(e) => Body::OfferModelled(pb::OfferModelled {
            offer_number: e.offer_number.as_str().to_owned(),
            client: Some(pb::ClientContacts {
                name: e
                    .client_name
                    .as_ref()
                    .map(|n| n.as_str().to_owned())
                    .unwrap_or_default(),
                email: e
                    .contacts
                    .email
                    .as_ref()
                    .map(|x| x.as_str().to_owned())
                    .unwrap_or_default(),
                mobile: e
                    .contacts
                    .mobile
                    .as_ref()
                    .map(|x| x.e164().to_owned())
                    .unwrap_or_default(),
            }),
            fields: e
                .fields
                .iter()
                .map(|f| {
                    let (x, y) = f.rect.origin();
                    let (width, height) = f.rect.size();
                    pb::SignatureField {
                        field_id: f.id.as_str().to_owned(),
                        role: role(f.role),
                        page: u32::from(f.rect.page()),
                        rect: Some(pb::Rect {
                            x: x as f32,
                            y: y as f32,
                            width: width as f32,
                            height: height as f32,
                        }),
                        label: f
                            .label
                            .as_ref()
                            .map(|l| l.as_str().to_owned())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            document_sha256: e.document_sha256.as_bytes().to_vec(),
            document_size: extra.size,
        }),
        Event::SigningStarted(e) => Body::SigningStarted(pb::SigningStarted {
            pad_model: pad_model_name(e.pad.model).to_owned(),
            pad_serial: e.pad.serial.as_str().to_owned(),
            pad_firmware: e.pad.firmware.as_str().to_owned(),
        }),
        Event::FieldSigned(e) => {
            let m = extra.metrics;
            Body::FieldSigned(pb::FieldSigned {
                field_id: e.field_id.as_str().to_owned(),
                role: role(e.role),
                signature_image_sha256: e.signature_image_sha256.as_bytes().to_vec(),
                envelope_sha256: e.envelope_sha256.as_bytes().to_vec(),
                envelope_size: extra.size,
                quality: Some(pb::SignatureQuality {
                    width_mm: e.quality.width_mm() as f32,
                    height_mm: m.map(|m| m.height_mm as f32).unwrap_or_default(),
                    pen_down_ms: e.quality.pen_down_ms(),
                    samples: e.quality.samples(),
                    strokes: m.map(|m| m.strokes).unwrap_or_default(),
                    pressure_range: m.map(|m| m.pressure_range as f32).unwrap_or_default(),
                }),
            })
        }
        Event::OfferSealed(e) => Body::OfferSealed(pb::OfferSealed {
            sealed_pdf_sha256: e.sealed_pdf_sha256.as_bytes().to_vec(),
            sealed_pdf_size: extra.size,
        }),
        other => {
            return Err(EdgeError::Lifecycle(format!(
                "{} is not an edge event",
                other.type_name()
            )));
        }
    };
    let ts = meta.occurred_at;
    Ok(pb::EdgeEvent {
        event_id: meta.event_id.hyphenated().to_string(),
        offer_id: meta.offer_id.clone(),
        agent_id: meta.agent_id.clone(),
        stream_version: meta.stream_version,
        schema_version: u32::from(event.schema_version()),
        occurred_at: Some(prost_types::Timestamp {
            seconds: ts.timestamp(),
            nanos: i32::try_from(ts.timestamp_subsec_nanos()).unwrap_or(0),
        }),
        body: Some(body),
    })
}

/// Encodes an `EdgeEvent`, refusing one over the contract's 64 KiB bound.
pub fn encode(event: &pb::EdgeEvent) -> Result<Vec<u8>, EdgeError> {
    let bytes = event.encode_to_vec();
    if bytes.len() > inkseal_proto::limits::MAX_EDGE_EVENT_BYTES {
        return Err(EdgeError::Limit {
            what: "encoded EdgeEvent",
            max: inkseal_proto::limits::MAX_EDGE_EVENT_BYTES,
        });
    }
    Ok(bytes)
}

/// Decodes stored bytes back into an `EdgeEvent`.
pub fn decode(bytes: &[u8]) -> Result<pb::EdgeEvent, EdgeError> {
    pb::EdgeEvent::decode(bytes).map_err(|e| EdgeError::Outbox(format!("stored event: {e}")))
}
