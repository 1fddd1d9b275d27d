//! A sample FLEXI life-insurance offer: the PDF the agent modelled and its
//! FIELDS.toml (client and agent signature fields).

use lopdf::{Document, Object, Stream, dictionary};

/// Where the two signature boxes are on page 1, in PDF points.
pub const CLIENT_BOX: (f32, f32, f32, f32) = (72.0, 90.0, 200.0, 60.0);
/// The agent's box.
pub const AGENT_BOX: (f32, f32, f32, f32) = (330.0, 90.0, 200.0, 60.0);

/// An A4 offer of `pages` pages with the two signature boxes drawn on page 1.
/// (Standard PDF fonts carry no Czech letters, so the sample text is ASCII.)
pub fn offer_pdf(offer_number: &str, pages: u32) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    for n in 1..=pages {
        let mut text = format!(
            "BT /F1 18 Tf 72 770 Td (Nabidka FLEXI zivotniho pojisteni c. {offer_number}) Tj ET\n\
             BT /F1 10 Tf 72 750 Td (Strana {n} z {pages}) Tj ET\n"
        );
        for line in 0..38 {
            text.push_str(&format!(
                "BT /F1 9 Tf 72 {} Td (Clanek {n}.{line}: pojistitel a pojistnik se dohodli na podminkach pojisteni.) Tj ET\n",
                720 - line * 14
            ));
        }
        if n == 1 {
            let (cx, cy, cw, ch) = CLIENT_BOX;
            let (ax, ay, aw, ah) = AGENT_BOX;
            text.push_str(&format!(
                "0.6 G {cx} {cy} {cw} {ch} re S {ax} {ay} {aw} {ah} re S\n\
                 BT /F1 8 Tf {cx} {} Td (Podpis klienta) Tj ET BT /F1 8 Tf {ax} {} Td (Podpis poradce) Tj ET\n",
                cy - 12.0,
                ay - 12.0
            ));
        }
        let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => i64::from(pages), "Resources" => resources,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
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
