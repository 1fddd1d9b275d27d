//! Test fixtures: one escrow key pair per test binary (RSA key generation is
//! slow), a second unrelated key, and a realistic pen trace.

#![allow(dead_code)]

use std::sync::OnceLock;

use biometric_envelope::{Binding, ChannelInfo, EscrowPrivateKey, Sample, TimeSeries};

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

/// An STU-530-like channel description: 0.01 mm units, 1024 pressure levels, 200 Hz.
pub fn stu530_channels() -> ChannelInfo {
    ChannelInfo {
        max_x: 9600,
        max_y: 7200,
        max_pressure: 1023,
        x_units_per_metre: 100_000,
        y_units_per_metre: 100_000,
        sample_rate_hz: 200,
    }
}

/// A 1.2 s signature-like trace with two strokes and varying pressure.
pub fn signature_trace() -> TimeSeries {
    let mut samples = Vec::new();
    for i in 0..240u32 {
        let pen_down = !(110..130).contains(&i);
        let phase = i as f64 / 12.0;
        samples.push(Sample {
            x: (1500.0 + i as f64 * 20.0) as u16,
            y: (3600.0 + 900.0 * phase.sin()) as u16,
            pressure: if pen_down {
                (300.0 + 250.0 * (phase / 2.0).cos().abs()) as u16
            } else {
                0
            },
            t_us: i * 5_000,
            pen_down,
        });
    }
    TimeSeries {
        channels: stu530_channels(),
        samples,
    }
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
