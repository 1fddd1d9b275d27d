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
page = 1
rect = {{ x = {cx}, y = {cy}, width = {cw}, height = {ch} }}
label = "Podpis klienta"

[[fields]]
id = "agent_signature"
role = "agent"
page = 1
rect = {{ x = {ax}, y = {ay}, width = {aw}, height = {ah} }}
label = "Podpis poradce"
signer = "Petr Svoboda"
"#
    )
}
