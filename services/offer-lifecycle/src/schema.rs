//! The stored form of events and its evolution: `(type name, schema version, JSON payload)`.
//!
//! [`encode`] writes an event in the current version of its type; [`decode`] reads any version this
//! build knows, running the upcasters from the stored version up to the current one before the payload
//! is deserialised (and thereby validated: a payload with a malformed e-mail, an uppercase hash or an
//! empty help-desk reason is refused, not repaired). The encoding does not depend on any event store:
//! a store keeps the three parts in its own columns or metadata.
//!
//! # Versions
//!
//! | type | version | change |
//! | --- | --- | --- |
//! | `OfferModelled` | 1 | contacts as two flat strings, `client_email` and `client_phone`; the phone as the agent typed it (`603 123 456`) |
//! | `OfferModelled` | 2 | contacts in one `contacts` object (`email`, `mobile`), the mobile in E.164 (`+420603123456`) — personal data in one place, ready for per-client encryption |
//! | `DocumentsPublished` | 1 | one access code's hash (`access_code_hash`) published with the link |
//! | `DocumentsPublished` | 2 | the documents listed (`documents`); codes come separately in `AccessCodeIssued`, a version-1 code is kept in `access_code_hash` |
//! | `StorageOpened` | 1 | the time only |
//! | `StorageOpened` | 2 | also who (`client`: IP address and browser); `null` when read from version 1 |
//! | `DocumentDownloaded` | 1 | the document and the time only |
//! | `DocumentDownloaded` | 2 | also who, bytes sent and expected, completed or cut off; `null` (unknown) when read from version 1 |
//! | every other type | 1 | as defined in [`crate::event`] |
//!
//! An upcaster never guesses: a version-1 phone that is not a Czech mobile number is a decode error
//! naming the event, not a silently dropped contact.

use serde_json::{Map, Value};

use crate::contact::CzechMobile;
use crate::event::Event;
use crate::limits::{MAX_EVENT_PAYLOAD_BYTES, MAX_PUBLISHED_DOCUMENTS, MAX_SIGNATURE_FIELDS};

/// An event in its stored form.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedEvent {
    /// The stable type name, e.g. `"FieldSigned"`.
    pub type_name: &'static str,
    /// The schema version the payload is written in.
    pub schema_version: u16,
    /// The payload (the event's fields, without a type tag).
    pub payload: Value,
}

impl EncodedEvent {
    /// The payload as JSON bytes, for stores that keep bytes.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, SchemaError> {
        serde_json::to_vec(&self.payload).map_err(|e| SchemaError::Encode {
            detail: e.to_string(),
        })
    }
}

/// Why an event could not be encoded or read back. Shown to operators; the Czech text says which
/// event and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// The stored type name is not an event type of this build.
    #[error("Neznámý typ události „{type_name}“.")]
    UnknownType {
        /// The stored type name (at most 64 characters of it).
        type_name: String,
    },
    /// The stored version is 0 or newer than this build understands.
    #[error(
        "Událost {type_name} ve verzi schématu {version} nelze přečíst (tato verze programu zná verze 1 až {current})."
    )]
    UnsupportedVersion {
        /// The type.
        type_name: &'static str,
        /// The stored version.
        version: u16,
        /// The current version of the type.
        current: u16,
    },
    /// No upcaster exists from a stored version (a gap in the chain: a programming error).
    #[error("Pro událost {type_name} chybí převod z verze schématu {version}.")]
    MissingUpcaster {
        /// The type.
        type_name: &'static str,
        /// The version with no upcaster.
        version: u16,
    },
    /// An upcaster could not convert an old payload.
    #[error("Událost {type_name} nelze převést z verze schématu {version}: {detail}")]
    Upcast {
        /// The type.
        type_name: &'static str,
        /// The version being converted.
        version: u16,
        /// What is wrong.
        detail: String,
    },
    /// The (upcast) payload does not deserialise or a value in it is not valid.
    #[error("Událost {type_name} (verze schématu {version}) má neplatný obsah: {detail}")]
    Payload {
        /// The type.
        type_name: &'static str,
        /// The stored version.
        version: u16,
        /// The deserialiser's message.
        detail: String,
    },
    /// The payload exceeds a bound.
    #[error("Událost {type_name} překračuje limit: {detail}")]
    Bounds {
        /// The type.
        type_name: &'static str,
        /// Which bound.
        detail: String,
    },
    /// The stored payload is larger than [`MAX_EVENT_PAYLOAD_BYTES`].
    #[error("Uložená událost je příliš velká ({size} bajtů, nejvýše {max}).")]
    TooLarge {
        /// The payload's size.
        size: usize,
        /// The bound.
        max: usize,
    },
    /// The event could not be serialised.
    #[error("Událost nelze zapsat: {detail}")]
    Encode {
        /// The serialiser's message.
        detail: String,
    },
}

/// The current schema version of a type, or `None` if the type is unknown.
pub fn current_version(type_name: &str) -> Option<u16> {
    Event::TYPES
        .iter()
        .find(|(name, _)| *name == type_name)
        .map(|(_, version)| *version)
}

/// Writes an event in the current version of its type.
pub fn encode(event: &Event) -> Result<EncodedEvent, SchemaError> {
    let payload = event.to_payload().map_err(|e| SchemaError::Encode {
        detail: e.to_string(),
    })?;
    Ok(EncodedEvent {
        type_name: event.type_name(),
        schema_version: event.schema_version(),
        payload,
    })
}

/// Reads a stored event of any known version, upcasting it to the current one.
pub fn decode(type_name: &str, schema_version: u16, payload: Value) -> Result<Event, SchemaError> {
    let Some(&(type_name, current)) = Event::TYPES.iter().find(|(name, _)| *name == type_name)
    else {
        return Err(SchemaError::UnknownType {
            type_name: type_name.chars().take(64).collect(),
        });
    };
    if schema_version == 0 || schema_version > current {
        return Err(SchemaError::UnsupportedVersion {
            type_name,
            version: schema_version,
            current,
        });
    }
    let mut payload = payload;
    for version in schema_version..current {
        payload = upcast(type_name, version, payload)?;
    }
    let event = Event::from_payload(type_name, payload)
        .ok_or(SchemaError::UnknownType {
            type_name: type_name.to_owned(),
        })?
        .map_err(|e| SchemaError::Payload {
            type_name,
            version: schema_version,
            detail: e.to_string(),
        })?;
    check_bounds(&event)?;
    Ok(event)
}

/// Reads a stored event from JSON bytes, refusing payloads over [`MAX_EVENT_PAYLOAD_BYTES`].
pub fn decode_slice(
    type_name: &str,
    schema_version: u16,
    payload: &[u8],
) -> Result<Event, SchemaError> {
    if payload.len() > MAX_EVENT_PAYLOAD_BYTES {
        return Err(SchemaError::TooLarge {
            size: payload.len(),
            max: MAX_EVENT_PAYLOAD_BYTES,
        });
    }
    let value: Value = serde_json::from_slice(payload).map_err(|e| SchemaError::Payload {
        type_name: current_type_name(type_name),
        version: schema_version,
        detail: e.to_string(),
    })?;
    decode(type_name, schema_version, value)
}

fn current_type_name(type_name: &str) -> &'static str {
    Event::TYPES
        .iter()
        .find(|(name, _)| *name == type_name)
        .map_or("?", |(name, _)| name)
}

/// Bounds that a value type cannot check on its own (the length of a list).
fn check_bounds(event: &Event) -> Result<(), SchemaError> {
    if let Event::OfferModelled(e) = event
        && e.fields.len() > MAX_SIGNATURE_FIELDS
    {
        return Err(SchemaError::Bounds {
            type_name: event.type_name(),
            detail: format!("nejvýše {MAX_SIGNATURE_FIELDS} podpisových polí"),
        });
    }
    if let Event::DocumentsPublished(e) = event
        && e.documents.len() > MAX_PUBLISHED_DOCUMENTS
    {
        return Err(SchemaError::Bounds {
            type_name: event.type_name(),
            detail: format!("nejvýše {MAX_PUBLISHED_DOCUMENTS} dokumentů"),
        });
    }
    Ok(())
}

/// Converts a payload of `type_name` from `version` to `version + 1`.
fn upcast(type_name: &'static str, version: u16, payload: Value) -> Result<Value, SchemaError> {
    match (type_name, version) {
        ("OfferModelled", 1) => offer_modelled_v1_to_v2(payload),
        ("DocumentsPublished", 1) => with_fields(
            type_name,
            version,
            payload,
            &[("documents", Value::Array(Vec::new()))],
        ),
        ("StorageOpened", 1) => {
            with_fields(type_name, version, payload, &[("client", Value::Null)])
        }
        ("DocumentDownloaded", 1) => with_fields(
            type_name,
            version,
            payload,
            &[
                ("client", Value::Null),
                ("bytes_sent", Value::Null),
                ("bytes_expected", Value::Null),
                ("completed", Value::Null),
            ],
        ),
        _ => Err(SchemaError::MissingUpcaster { type_name, version }),
    }
}

/// An upcaster that adds fields the old version did not have, with the values that say what the old
/// version knew (an empty list, or `null` for "not recorded"); a field already present is an error,
/// since version-1 payloads never had it.
fn with_fields(
    type_name: &'static str,
    version: u16,
    payload: Value,
    fields: &[(&str, Value)],
) -> Result<Value, SchemaError> {
    let fail = |detail: String| SchemaError::Upcast {
        type_name,
        version,
        detail,
    };
    let Value::Object(mut object) = payload else {
        return Err(fail("obsah není objekt JSON".to_owned()));
    };
    for (key, value) in fields {
        if object.insert((*key).to_owned(), value.clone()).is_some() {
            return Err(fail(format!("pole {key} ve verzi {version} neexistovalo")));
        }
    }
    Ok(Value::Object(object))
}

/// `OfferModelled` v1 → v2: the flat `client_email` / `client_phone` become `contacts`, the phone
/// normalised to E.164. A missing, `null` or blank contact becomes `null`.
fn offer_modelled_v1_to_v2(payload: Value) -> Result<Value, SchemaError> {
    let fail = |detail: String| SchemaError::Upcast {
        type_name: "OfferModelled",
        version: 1,
        detail,
    };
    let Value::Object(mut object) = payload else {
        return Err(fail("obsah není objekt JSON".to_owned()));
    };
    let mut take_text = |key: &str| -> Result<Option<String>, SchemaError> {
        match object.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(fail(format!("pole {key} není text"))),
        }
    };
    let email = take_text("client_email")?;
    let phone = take_text("client_phone")?;
    let mobile = phone
        .map(|phone| CzechMobile::parse(&phone).map_err(|e| fail(e.to_string())))
        .transpose()?;
    let mut contacts = Map::new();
    contacts.insert("email".to_owned(), email.map_or(Value::Null, Value::String));
    contacts.insert(
        "mobile".to_owned(),
        mobile.map_or(Value::Null, |m| Value::String(m.e164().to_owned())),
    );
    object.insert("contacts".to_owned(), Value::Object(contacts));
    Ok(Value::Object(object))
}
