//! Encrypted pen data: the STU-300's Diffie-Hellman + AES-128 and the STU-430/530's
//! RSA-wrapped AES key, end to end between the driver and the simulated pad.

use std::time::Duration;

use device_sim::{PadConfig, PenScript, SignatureSpec, SimTransport, TimeMode};
use num_bigint::BigUint;
use stu_protocol::{
    DriverConfig, FeatureReport, Model, PadDriver, Rect, ReportId, RsaHandshake, StatusCode,
};
use stu_transport::{Transport, read_pen, run};

fn pad(model: Model) -> SimTransport {
    let c = model.capabilities();
    let area = Rect {
        x1: 8,
        y1: 8,
        x2: c.screen_width / 2,
        y2: c.screen_height - 8,
    };
    let script = PenScript::builder(model)
        .signature_in_pixels(&SignatureSpec::new(21), area)
        .build()
        .unwrap();
    SimTransport::new(PadConfig::new(model).script(script), TimeMode::Virtual)
}

fn init(pad: &mut SimTransport) -> PadDriver {
    let mut d = PadDriver::new(DriverConfig {
        status_poll_interval: Duration::from_millis(1),
        ..DriverConfig::default()
    });
    d.begin_init().unwrap();
    run(&mut d, pad).unwrap();
    d
}

fn read_all(d: &mut PadDriver, pad: &mut SimTransport) -> Vec<stu_protocol::PenPoint> {
    let mut out = Vec::new();
    while let Some(p) = read_pen(d, pad, Duration::from_secs(1)).unwrap() {
        out.push(p);
    }
    out
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn stu300_pen_data_is_encrypted_with_the_dh_key_and_decrypts_in_the_driver() {
    let mut pad = pad(Model::Stu300);
    let mut d = init(&mut pad);
    d.begin_dh_capture(0x1234_5678_9ABC_DEF0_1122_3344_5566_7788, 0xC0FFEE)
        .unwrap();
    d.begin_set_inking(true).unwrap();
    run(&mut d, &mut pad).unwrap();
    assert_eq!(pad.pad().state(), StatusCode::Capture);
    let points = read_all(&mut d, &mut pad);
    assert!(points.len() > 100, "{} points", points.len());
    let c = Model::Stu300.capabilities();
    assert!(points.iter().any(|p| p.sample.pressure > 0));
    assert!(
        points
            .iter()
            .all(|p| p.sample.x <= c.tablet_max_x && p.sample.pressure <= c.tablet_max_pressure)
    );
}

#[test]
fn stu430_session_key_is_rsa_wrapped_and_unwraps_with_the_hosts_private_key() {
    let key_file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rsa2048-test-key.txt"
    ))
    .unwrap();
    let lines: Vec<&str> = key_file.lines().filter(|l| !l.starts_with('#')).collect();
    let (n, d_exp) = (unhex(lines[0]), unhex(lines[1]));

    let mut pad = pad(Model::Stu430);
    let mut d = init(&mut pad);
    let handshake = RsaHandshake {
        symmetric_key_type: 2,
        padding: 1,
        asymmetric_key_type: 2,
        exponent: vec![1, 0, 1],
        modulus: n.clone(),
    };
    d.begin_rsa_capture(&handshake, 0x00C0_FFEE).unwrap();
    d.begin_set_inking(true).unwrap();
    run(&mut d, &mut pad).unwrap();
    let wrapped = d.encrypted_session_key().expect("wrapped key").to_vec();
    assert_eq!(wrapped.len(), 256);

    // Host side: RSA decrypt, strip PKCS#1 v1.5 padding, the AES-256 key is the last 32 bytes.
    let m = BigUint::from_bytes_be(&wrapped)
        .modpow(&BigUint::from_bytes_be(&d_exp), &BigUint::from_bytes_be(&n));
    let plain = m.to_bytes_be();
    assert_eq!(plain[0], 0x02, "PKCS#1 type 2 block");
    let key = &plain[plain.len() - 32..];
    d.install_session_key(key).unwrap();

    let points = read_all(&mut d, &mut pad);
    assert!(points.len() > 100);
    assert!(
        points.iter().all(|p| p.time_count.is_some()),
        "0x33 reports carry time"
    );
}

#[test]
fn encrypted_pen_data_without_the_session_key_is_refused() {
    let mut pad = pad(Model::Stu300);
    let mut d = init(&mut pad);
    d.begin_dh_capture(99_999, 7).unwrap();
    d.begin_set_inking(true).unwrap();
    run(&mut d, &mut pad).unwrap();
    // A second driver that never exchanged keys reads the same pad.
    let mut stranger = init_no_status(&mut pad);
    let err = loop {
        match read_pen(&mut stranger, &mut pad, Duration::from_secs(1)) {
            Err(e) => break e,
            Ok(None) => panic!("no pen data"),
            Ok(Some(_)) => {}
        }
    };
    assert!(
        matches!(
            err,
            stu_transport::DriveError::Driver(stu_protocol::DriverError::NoSessionKey)
        ),
        "{err:?}"
    );
}

fn init_no_status(_pad: &mut SimTransport) -> PadDriver {
    PadDriver::new(DriverConfig::default())
}

#[test]
fn start_capture_before_any_key_exchange_is_refused_by_the_pad() {
    let mut pad = pad(Model::Stu430);
    pad.set_feature(
        &FeatureReport::StartCapture { session_id: 1 }
            .encode()
            .unwrap(),
    )
    .unwrap();
    let status = pad.get_feature(ReportId::Status as u8, 5).unwrap();
    let FeatureReport::Status(s) = FeatureReport::decode(&status).unwrap() else {
        panic!()
    };
    assert_eq!(s.state, StatusCode::Ready);
    assert_eq!(
        s.last_result.to_u8(),
        stu_protocol::unconfirmed::START_CAPTURE_WITHOUT_KEY_ERROR
    );
}

fn plain_pen_report() -> Vec<u8> {
    stu_protocol::InputReport::PenData(stu_protocol::PenSample {
        rdy: true,
        sw: 1,
        pressure: 300,
        x: 1000,
        y: 1000,
    })
    .encode()
    .unwrap()
}

#[test]
fn once_encryption_is_required_plaintext_pen_data_during_capture_is_an_error() {
    let mut pad = pad(Model::Stu300);
    let mut d = init(&mut pad);
    d.require_encrypted_pen_data();
    d.begin_dh_capture(0x5EC2E7, 11).unwrap();
    run(&mut d, &mut pad).unwrap();
    assert!(d.is_capturing());
    assert!(matches!(
        d.handle_input(&plain_pen_report()),
        Err(stu_protocol::DriverError::PlaintextPenData)
    ));
    assert!(d.poll_pen().is_none(), "the plaintext point is not taken");
}

#[test]
fn reports_left_over_from_before_a_capture_restart_are_dropped_within_a_bound() {
    let mut pad = pad(Model::Stu300);
    let mut d = init(&mut pad);
    d.require_encrypted_pen_data();
    d.begin_dh_capture(0x1111_2222_3333, 21).unwrap();
    d.begin_set_inking(true).unwrap();
    run(&mut d, &mut pad).unwrap();
    // pen reports of capture session 21, still queued when capture restarts
    let mut old = Vec::new();
    while old.len() < 5 {
        if let Some(r) = pad.read_input(Duration::from_secs(1)).unwrap()
            && r[0] == ReportId::PenDataEncrypted as u8
        {
            old.push(r);
        }
    }
    d.begin_end_capture().unwrap();
    run(&mut d, &mut pad).unwrap();
    // plaintext while capture is stopped (a screen being written): dropped
    d.handle_input(&plain_pen_report()).unwrap();
    d.begin_dh_capture(0x4444_5555_6666, 22).unwrap();
    run(&mut d, &mut pad).unwrap();
    for r in &old {
        d.handle_input(r).unwrap();
    }
    assert!(
        d.poll_pen().is_none(),
        "nothing of the old session is taken"
    );
    // the new session's own pen data is taken
    let fresh = read_all(&mut d, &mut pad);
    assert!(!fresh.is_empty());
    // but a pad that sends only left-overs is refused in the end
    let limit = DriverConfig::default().max_stale_pen_reports;
    let mut outcome = Ok(());
    for _ in 0..=limit {
        outcome = d.handle_input(&old[0]);
        if outcome.is_err() {
            break;
        }
    }
    assert!(
        matches!(
            outcome,
            Err(stu_protocol::DriverError::StalePenData(n)) if n == limit + 1
        ),
        "{outcome:?}"
    );
}
