//! The escrow tool end to end: keygen, then opening a sealed offer's envelopes with the right
//! key (exports JSON, CSV, PNG), and refusing with another key or for an envelope moved from
//! another document.

use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use biometric_envelope::{Binding, EscrowPublicKey, TimeSeries};
use inkseal_edge::fields::OfferSpec;
use inkseal_edge::seal::{SealedField, seal_offer};
use pdf_seal::Signer;
use pdf_seal::sample::SampleOffer;
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_inkseal-escrow");

fn offer_pdf(title: &str) -> Vec<u8> {
    SampleOffer::new(title).to_pdf()
}

fn trace(seed: u32) -> TimeSeries {
    biometric_envelope::sample::signature_trace(seed, 300)
}

/// A sealed offer whose envelopes are bound to `bound_to` (normally the offer itself).
fn sealed(escrow_public: &Path, offer: &[u8], bound_to: &[u8]) -> Vec<u8> {
    let escrow =
        EscrowPublicKey::from_pem(&std::fs::read_to_string(escrow_public).unwrap()).unwrap();
    let spec = OfferSpec::parse(&inkseal_edge::fields::sample_toml(
        "OFF-escrow",
        "8800777",
        "agent-0042",
        1,
    ))
    .unwrap();
    let doc_sha: [u8; 32] = Sha256::digest(bound_to).into();
    let fields: Vec<SealedField> = spec
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let series = trace(i as u32 * 7);
            let binding = Binding {
                document_sha256: doc_sha,
                offer_id: "OFF-escrow".into(),
                field_id: f.field.id.as_str().into(),
                signer_role: "klient".into(),
                pad_model: "STU-530".into(),
                pad_serial: "SIM1".into(),
            };
            let env = biometric_envelope::seal(
                &series,
                &binding,
                &escrow,
                &mut biometric_envelope::SysRng,
            )
            .unwrap();
            let (strokes, aspect) = inkseal_edge::signature_image::cropped_strokes(&series);
            SealedField {
                spec: f.clone(),
                strokes,
                aspect,
                envelope: env.to_bytes(),
            }
        })
        .collect();
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
    let signer = Signer::self_issued_for_tests("inkseal edge agent-0042", key).unwrap();
    seal_offer(offer, "8800777", &fields, &signer, SystemTime::now()).unwrap()
}

fn keygen(dir: &Path) {
    let out = Command::new(BIN)
        .args(["keygen", "--bits", "2048", "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn open(key: &Path, pdf: &Path, out: &Path, field: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("open")
        .arg("--key")
        .arg(key)
        .arg("--pdf")
        .arg(pdf)
        .arg("--out")
        .arg(out);
    if let Some(f) = field {
        cmd.args(["--field", f]);
    }
    cmd.output().unwrap()
}

#[test]
fn the_escrow_key_opens_the_envelopes_and_exports_json_csv_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    keygen(&keys);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keys.join("escrow-private.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key is readable by its owner only"
        );
    }
    // keygen never overwrites a private key.
    assert!(
        !Command::new(BIN)
            .args(["keygen", "--out"])
            .arg(&keys)
            .output()
            .unwrap()
            .status
            .success()
    );

    let offer = offer_pdf("FLEXI offer 8800777");
    let pdf_path = dir.path().join("sealed.pdf");
    std::fs::write(
        &pdf_path,
        sealed(&keys.join("escrow-public.pem"), &offer, &offer),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = open(&keys.join("escrow-private.pem"), &pdf_path, &out_dir, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("platný, pokrývá celý dokument"),
        "{summary}"
    );
    for field in ["client_signature", "agent_signature"] {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out_dir.join(format!("{field}.json"))).unwrap())
                .unwrap();
        assert_eq!(json["binding"]["field_id"], field);
        assert_eq!(
            json["binding"]["document_sha256"],
            hex::encode(Sha256::digest(&offer))
        );
        assert_eq!(json["samples"].as_array().unwrap().len(), 300);
        let csv = std::fs::read_to_string(out_dir.join(format!("{field}.csv"))).unwrap();
        assert_eq!(csv.lines().count(), 301);
        assert!(csv.starts_with("t_us,x,y,pressure,pen_down\n0,1500,"));
        let png = std::fs::read(out_dir.join(format!("{field}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
    // The PNG is the edge agent's rendering: its hash is the FieldSigned image hash.
    let png = std::fs::read(out_dir.join("client_signature.png")).unwrap();
    assert_eq!(
        png,
        inkseal_edge::signature_image::render_png(&trace(0)).unwrap()
    );

    let only = dir.path().join("only");
    assert!(
        open(
            &keys.join("escrow-private.pem"),
            &pdf_path,
            &only,
            Some("agent_signature")
        )
        .status
        .success()
    );
    assert!(
        only.join("agent_signature.json").exists() && !only.join("client_signature.json").exists()
    );
}

#[test]
fn without_the_escrow_key_nothing_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, other) = (dir.path().join("keys"), dir.path().join("other"));
    keygen(&keys);
    keygen(&other);
    let offer = offer_pdf("FLEXI offer 8800777");
    let pdf_path = dir.path().join("sealed.pdf");
    std::fs::write(
        &pdf_path,
        sealed(&keys.join("escrow-public.pem"), &offer, &offer),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = open(&other.join("escrow-private.pem"), &pdf_path, &out_dir, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Tento klíč nepatří k obálkám v dokumentu")
    );
    assert!(!out_dir.join("client_signature.json").exists());
    // A public key is not a private key either.
    let out = open(&keys.join("escrow-public.pem"), &pdf_path, &out_dir, None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_envelope_moved_from_another_document_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    keygen(&keys);
    let original = offer_pdf("FLEXI offer 8800777");
    let other = offer_pdf("Another offer 8800999");
    let pdf_path = dir.path().join("forged.pdf");
    std::fs::write(
        &pdf_path,
        sealed(&keys.join("escrow-public.pem"), &other, &original),
    )
    .unwrap();
    let out = open(
        &keys.join("escrow-private.pem"),
        &pdf_path,
        &dir.path().join("out"),
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nepatří k tomuto dokumentu"));
}
