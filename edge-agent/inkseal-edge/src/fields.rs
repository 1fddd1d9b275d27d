//! The FIELDS.toml format: the offer to sign, its client, and its signature fields in signing
//! order. The host application writes it next to the offer PDF.
//!
//! ```toml
//! offer_id = "OFF-2026-000123"      # the offer's id (1..64 of A-Z a-z 0-9 _ . -)
//! offer_number = "8800123456"       # the number printed on the offer
//! agent_id = "agent-0042"           # the agent; equals the CN of the agent's client certificate
//!
//! [client]
//! name = "Jana Nováková"
//! email = "jana.novakova@example.cz" # required and valid for digital signing
//! mobile = "+420 601 123 456"        # Czech mobile, required and valid for digital signing
//!
//! [[fields]]                          # one block per signature field, in signing order
//! id = "client_signature"
//! role = "client"                     # client | agent
//! page = 3                            # 1-based
//! rect = { x = 72, y = 90, width = 200, height = 60 }  # PDF points, origin bottom-left
//! label = "Podpis klienta"            # shown on the pad
//! signer = "Jana Nováková"            # optional; shown on the pad (default: client's name / "poradce")
//! ```
//!
//! A complete example is `examples/FIELDS.toml`. Contacts are kept as written and validated when
//! signing starts, so a missing e-mail gives the seed's message rather than a parse error.

use std::path::Path;

use offer_lifecycle::{
    AgentId, Contacts, CzechMobile, Email, FieldId, FieldLabel, FieldRect, OfferId, OfferNumber,
    PersonName, SignatureField, SignerRole,
};
use serde::Deserialize;

use crate::error::EdgeError;

/// FIELDS.toml of the sample offer ([`pdf_seal::sample::SampleOffer::flexi`]), for the demo,
/// tests and benchmarks: the client Jana Nováková signs first, then the agent Petr Svoboda, in
/// the sample's two boxes placed on `page`.
pub fn sample_toml(offer_id: &str, offer_number: &str, agent_id: &str, page: u32) -> String {
    use pdf_seal::sample::{AGENT_BOX, CLIENT_BOX};
    let (cx, cy, cw, ch) = CLIENT_BOX;
    let (ax, ay, aw, ah) = AGENT_BOX;
    format!(
        r#"offer_id = "{offer_id}"
offer_number = "{offer_number}"
agent_id = "{agent_id}"

[client]
name = "Jana Nováková"
email = "jana.novakova@example.cz"
mobile = "+420 601 123 456"

[[fields]]
id = "client_signature"
role = "client"
page = {page}
rect = {{ x = {cx}, y = {cy}, width = {cw}, height = {ch} }}
label = "Podpis klienta"

[[fields]]
id = "agent_signature"
role = "agent"
page = {page}
rect = {{ x = {ax}, y = {ay}, width = {aw}, height = {ah} }}
label = "Podpis poradce"
signer = "Petr Svoboda"
"#
    )
}

/// Largest FIELDS.toml read.
pub const MAX_FIELDS_FILE_BYTES: u64 = 64 * 1024;

/// Most signature fields in one offer (the contract's bound).
pub const MAX_FIELDS: usize = inkseal_proto::limits::MAX_SIGNATURE_FIELDS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    offer_id: String,
    offer_number: String,
    agent_id: String,
    #[serde(default)]
    client: RawClient,
    fields: Vec<RawField>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClient {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    mobile: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    id: String,
    role: SignerRole,
    page: u16,
    rect: RawRect,
    label: Option<String>,
    signer: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRect {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// One signature field and who is named on the pad for it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// The field as the lifecycle knows it.
    pub field: SignatureField,
    /// The name shown on the pad.
    pub signer_name: String,
}

impl FieldSpec {
    /// The label shown on the pad ("Podpis klienta" when none was given).
    pub fn label(&self) -> String {
        match &self.field.label {
            Some(l) => l.as_str().to_owned(),
            None => format!("Podpis – {}", crate::messages::role_cs(self.field.role)),
        }
    }

    /// The field's rectangle for `pdf-seal`.
    pub fn pdf_rect(&self) -> pdf_seal::Rect {
        let (x, y) = self.field.rect.origin();
        let (w, h) = self.field.rect.size();
        pdf_seal::Rect {
            x1: x as f32,
            y1: y as f32,
            x2: (x + w) as f32,
            y2: (y + h) as f32,
        }
    }
}

/// The offer to sign, as FIELDS.toml describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferSpec {
    /// The offer.
    pub offer_id: OfferId,
    /// Its number.
    pub offer_number: OfferNumber,
    /// The agent.
    pub agent_id: AgentId,
    /// The client's name.
    pub client_name: Option<PersonName>,
    /// The client's e-mail as written (validated by [`OfferSpec::contacts`]).
    pub email: Option<String>,
    /// The client's mobile as written (validated by [`OfferSpec::contacts`]).
    pub mobile: Option<String>,
    /// The fields in signing order.
    pub fields: Vec<FieldSpec>,
}

impl OfferSpec {
    /// Reads and checks a FIELDS.toml file.
    pub fn load(path: &Path) -> Result<OfferSpec, EdgeError> {
        let meta = std::fs::metadata(path).map_err(|e| EdgeError::io(path, e))?;
        if meta.len() > MAX_FIELDS_FILE_BYTES {
            return Err(EdgeError::Limit {
                what: "FIELDS.toml",
                max: MAX_FIELDS_FILE_BYTES as usize,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| EdgeError::io(path, e))?;
        OfferSpec::parse(&text)
    }

    /// Parses and checks the FIELDS.toml text.
    pub fn parse(text: &str) -> Result<OfferSpec, EdgeError> {
        let raw: RawSpec = toml::from_str(text).map_err(|e| EdgeError::Fields(e.to_string()))?;
        let bad = |what: &str, e: offer_lifecycle::ValidationError| {
            EdgeError::Fields(format!("{what}: {e}"))
        };
        if raw.fields.is_empty() {
            return Err(EdgeError::Fields(
                "nabídka nemá žádné podpisové pole".into(),
            ));
        }
        if raw.fields.len() > MAX_FIELDS {
            return Err(EdgeError::Limit {
                what: "signature fields",
                max: MAX_FIELDS,
            });
        }
        let client_name = match raw.client.name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => {
                Some(PersonName::new(n).map_err(|e| bad("client.name", e))?)
            }
            _ => None,
        };
        let mut fields = Vec::with_capacity(raw.fields.len());
        for f in raw.fields {
            let id = FieldId::new(&f.id).map_err(|e| bad("fields.id", e))?;
            if fields.iter().any(|x: &FieldSpec| x.field.id == id) {
                return Err(EdgeError::Fields(format!(
                    "pole {} je uvedeno dvakrát",
                    f.id
                )));
            }
            let rect = FieldRect::new(f.page, f.rect.x, f.rect.y, f.rect.width, f.rect.height)
                .map_err(|e| bad("fields.rect", e))?;
            let label = match f.label.as_deref() {
                Some(l) => Some(FieldLabel::new(l).map_err(|e| bad("fields.label", e))?),
                None => None,
            };
            let signer_name = match (f.signer, f.role, &client_name) {
                (Some(s), _, _) if !s.trim().is_empty() => s.trim().chars().take(100).collect(),
                (_, SignerRole::Client, Some(n)) => n.as_str().to_owned(),
                (_, role, _) => crate::messages::role_cs(role).to_owned(),
            };
            fields.push(FieldSpec {
                field: SignatureField {
                    id,
                    role: f.role,
                    rect,
                    label,
                },
                signer_name,
            });
        }
        Ok(OfferSpec {
            offer_id: OfferId::new(&raw.offer_id).map_err(|e| bad("offer_id", e))?,
            offer_number: OfferNumber::new(&raw.offer_number)
                .map_err(|e| bad("offer_number", e))?,
            agent_id: AgentId::new(&raw.agent_id).map_err(|e| bad("agent_id", e))?,
            client_name,
            email: raw.client.email.filter(|s| !s.trim().is_empty()),
            mobile: raw.client.mobile.filter(|s| !s.trim().is_empty()),
            fields,
        })
    }

    /// The client's contacts, both present and valid — or the seed's refusal.
    pub fn contacts(&self) -> Result<Contacts, EdgeError> {
        let email = self
            .email
            .as_deref()
            .ok_or_else(|| EdgeError::ContactsMissing("chybí e-mail klienta".into()))?;
        let mobile = self
            .mobile
            .as_deref()
            .ok_or_else(|| EdgeError::ContactsMissing("chybí mobilní telefon klienta".into()))?;
        let email = Email::parse(email).map_err(|e| EdgeError::ContactsMissing(e.to_string()))?;
        let mobile =
            CzechMobile::parse(mobile).map_err(|e| EdgeError::ContactsMissing(e.to_string()))?;
        Ok(Contacts::complete(email, mobile))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_fields_file_parses() {
        let spec = OfferSpec::parse(include_str!("../examples/FIELDS.toml")).unwrap();
        assert_eq!(spec.fields.len(), 2);
        spec.contacts().unwrap();
        assert_eq!(spec.fields[0].label(), "Podpis klienta");
    }

    #[test]
    fn missing_or_invalid_contacts_refuse_signing() {
        let text = include_str!("../examples/FIELDS.toml");
        let no_mail = text.replace("email = \"jana.novakova@example.cz\"", "");
        assert!(matches!(
            OfferSpec::parse(&no_mail).unwrap().contacts(),
            Err(EdgeError::ContactsMissing(_))
        ));
        let bad_mobile = text.replace("+420 601 123 456", "12345");
        assert!(matches!(
            OfferSpec::parse(&bad_mobile).unwrap().contacts(),
            Err(EdgeError::ContactsMissing(_))
        ));
    }
}
