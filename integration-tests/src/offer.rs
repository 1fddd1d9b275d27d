//! A sample FLEXI life-insurance offer: the PDF the agent modelled and its
//! FIELDS.toml (client and agent signature fields).

use pdf_seal::sample::SampleOffer;
pub use pdf_seal::sample::{AGENT_BOX, CLIENT_BOX};

/// The sample offer `offer_number` of `pages` pages, with the two signature
/// boxes on page 1.
pub fn offer_pdf(offer_number: &str, pages: u32) -> Vec<u8> {
    SampleOffer::flexi(offer_number).pages(pages).to_pdf()
}

/// FIELDS.toml for the sample offer: the client signs first, then the agent.
pub fn fields_toml(offer_id: &str, offer_number: &str, agent_id: &str) -> String {
    inkseal_edge::fields::sample_toml(offer_id, offer_number, agent_id, 1)
}
