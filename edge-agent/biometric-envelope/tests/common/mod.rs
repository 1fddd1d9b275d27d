//! Test fixtures: one escrow key pair per test binary (RSA key generation is
//! slow), a second unrelated key, and a realistic pen trace.

#![allow(dead_code)]

use std::sync::OnceLock;

use biometric_envelope::{Binding, EscrowPrivateKey, TimeSeries};

fn generate() -> EscrowPrivateKey {
    let key =
        rsa::PrivateKey::new(&mut biometric_envelope::SysRng, 2048).expect("RSA key generation");
    EscrowPrivateKey::new(key).expect("2048-bit key is accepted")
}

/// The escrow authority's key pair.
pub fn escrow_key() -> &'static EscrowPrivateKey {
    static KEY: OnceLock<EscrowPrivateKey> = OnceLock::new();
    KEY.get_or_init(generate)
}

/// Somebody else's key pair.
pub fn other_key() -> &'static EscrowPrivateKey {
    static KEY: OnceLock<EscrowPrivateKey> = OnceLock::new();
    KEY.get_or_init(generate)
}

/// A 1.2 s signature-like trace with two strokes and varying pressure.
pub fn signature_trace() -> TimeSeries {
    biometric_envelope::sample::signature_trace(0, 240)
}

/// The binding of the client's signature on a document with the given hash.
pub fn binding_for(document_sha256: [u8; 32]) -> Binding {
    Binding {
        document_sha256,
        offer_id: "OFFER-2024-000123".into(),
        field_id: "client_signature".into(),
        signer_role: "client".into(),
        pad_model: "STU-530".into(),
        pad_serial: "5300A1B2C3".into(),
    }
}
