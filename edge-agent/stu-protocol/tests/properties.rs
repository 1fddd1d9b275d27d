//! Property tests: every report round-trips through encode/decode, and arbitrary bytes never
//! make a decoder (or the driver) panic.

use proptest::prelude::*;
use stu_protocol::image::decode_image;
use stu_protocol::pen::{EncryptedPenPair, EncryptedTimedSample};
use stu_protocol::report::*;
use stu_protocol::*;

fn sample() -> impl Strategy<Value = PenSample> {
    (
        any::<bool>(),
        0u8..8,
        0u16..=0x0FFF,
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(rdy, sw, pressure, x, y)| PenSample {
            rdy,
            sw,
            pressure,
            x,
            y,
        })
}

fn rect() -> impl Strategy<Value = Rect> {
    (any::<u16>(), any::<u16>(), any::<u16>(), any::<u16>()).prop_map(|(a, b, c, d)| Rect {
        x1: a.min(b),
        x2: a.max(b),
        y1: c.min(d),
        y2: c.max(d),
    })
}

fn mode() -> impl Strategy<Value = EncodingMode> {
    prop::sample::select(vec![
        EncodingMode::Mono,
        EncodingMode::MonoZlib,
        EncodingMode::Rgb565,
        EncodingMode::Rgb565Zlib,
        EncodingMode::Bgr24,
        EncodingMode::Bgr24Zlib,
        EncodingMode::MonoBulk,
        EncodingMode::Rgb565Bulk,
        EncodingMode::Bgr24Bulk,
    ])
}

fn rgb24() -> impl Strategy<Value = Rgb24> {
    (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Rgb24 { r, g, b })
}

fn feature() -> impl Strategy<Value = FeatureReport> {
    use FeatureReport as F;
    let status = (
        prop::sample::select(vec![
            StatusCode::Ready,
            StatusCode::Image,
            StatusCode::Capture,
            StatusCode::Calculation,
            StatusCode::ImageBoot,
            StatusCode::RomBusy,
            StatusCode::SystemReset,
        ]),
        any::<u8>(),
        any::<u16>(),
    )
        .prop_map(|(state, r, w)| {
            F::Status(Status {
                state,
                last_result: ErrorCode::from_u8(r),
                status_word: w,
            })
        });
    let info = (
        "[A-Z0-9-]{0,9}",
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<[u8; 4]>(),
    )
        .prop_map(|(n, a, b, c, v)| {
            F::Information(Information {
                model_name: n,
                firmware_major: a,
                firmware_minor: b,
                secure_ic: c,
                secure_ic_version: v,
            })
        });
    let cap = (any::<[u16; 5]>(), any::<u8>(), any::<u16>(), any::<u8>()).prop_map(
        |(v, rate, res, flag)| {
            F::Capability(Capability {
                tablet_max_x: v[0],
                tablet_max_y: v[1],
                tablet_max_pressure: v[2],
                screen_width: v[3],
                screen_height: v[4],
                max_report_rate: rate,
                resolution: res,
                encoding_flag: flag,
            })
        },
    );
    let enc_cmd = (
        1u8..=5,
        any::<u8>(),
        any::<u8>(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
    )
        .prop_map(|(c, p, l, a, b)| {
            let mut data = [0u8; 64];
            data[..32].copy_from_slice(&a);
            data[32..].copy_from_slice(&b);
            let command = match c {
                1 => EncryptionCommandCode::SetEncryptionType,
                2 => EncryptionCommandCode::SetParameterBlock,
                3 => EncryptionCommandCode::GetStatusBlock,
                4 => EncryptionCommandCode::GetParameterBlock,
                _ => EncryptionCommandCode::GenerateSymmetricKey,
            };
            F::EncryptionCommand(EncryptionCommand {
                command,
                parameter: p,
                length_or_index: l,
                data,
            })
        });
    let enc_status = (
        any::<u8>(),
        0u8..4,
        0u8..64,
        any::<[u8; 4]>(),
        any::<[bool; 3]>(),
    )
        .prop_map(|(s, p, a, st, f)| {
            F::EncryptionStatus(EncryptionStatus {
                symmetric_key_type: s,
                padding_type: p,
                asymmetric_key_type: a,
                status_e: st[0],
                status_n: st[1],
                status_c: st[2],
                last_result: st[3],
                aes: f[0],
                sha1: f[1],
                rng: f[2],
            })
        });
    prop_oneof![
        status,
        info,
        cap,
        enc_cmd,
        enc_status,
        prop::sample::select(vec![ResetKind::Software, ResetKind::Hardware]).prop_map(F::Reset),
        any::<u32>().prop_map(F::Uid),
        any::<[u8; 10]>().prop_map(F::Uid2),
        any::<[u8; 16]>().prop_map(F::HostPublicKey),
        any::<[u8; 16]>().prop_map(F::DevicePublicKey),
        any::<[u8; 16]>().prop_map(F::DhPrime),
        any::<[u8; 2]>().prop_map(F::DhBase),
        any::<u32>().prop_map(|session_id| F::StartCapture { session_id }),
        Just(F::EndCapture),
        Just(F::ClearScreen),
        any::<bool>().prop_map(F::InkingMode),
        any::<bool>().prop_map(F::BootScreen),
        (0u16..=0x3FF, 0u16..=0x3FF).prop_map(|(a, b)| F::InkThreshold(InkThreshold {
            on_pressure: a,
            off_pressure: b
        })),
        rect().prop_map(F::ClearScreenArea),
        rect().prop_map(F::HandwritingDisplayArea),
        (mode(), rect()).prop_map(|(mode, area)| F::StartImageDataArea { mode, area }),
        mode().prop_map(F::StartImageData),
        prop::collection::vec(any::<u8>(), 1..=253).prop_map(F::ImageDataBlock),
        prop::sample::select(vec![EndImageAction::Commit, EndImageAction::Abandon])
            .prop_map(F::EndImageData),
        (any::<u16>(), any::<u8>()).prop_map(|(c, t)| F::HandwritingThicknessColor {
            color565: c,
            thickness: t
        }),
        any::<u16>().prop_map(|c| F::BackgroundColor { color565: c }),
        any::<u16>().prop_map(F::BacklightBrightness),
        any::<u16>().prop_map(F::ScreenContrast),
        (rgb24(), any::<u8>())
            .prop_map(|(color, thickness)| F::HandwritingThicknessColor24 { color, thickness }),
        rgb24().prop_map(F::BackgroundColor24),
        prop::sample::select(vec![
            PenDataOption::None,
            PenDataOption::TimeCount,
            PenDataOption::SequenceNumber,
            PenDataOption::TimeCountSequence
        ])
        .prop_map(F::PenDataOptionMode),
    ]
}

fn input() -> impl Strategy<Value = InputReport> {
    prop_oneof![
        sample().prop_map(InputReport::PenData),
        (sample(), any::<u16>(), any::<u16>()).prop_map(|(sample, time_count, sequence)| {
            InputReport::PenDataTimeCountSequence {
                sample,
                time_count,
                sequence,
            }
        }),
        any::<[u8; 16]>().prop_map(InputReport::PenDataEncrypted),
        any::<[u8; 16]>().prop_map(InputReport::PenDataTimeCountSequenceEncrypted),
        any::<[u8; 16]>().prop_map(InputReport::DevicePublicKey),
    ]
}

proptest! {
    #[test]
    fn every_feature_report_survives_encode_then_decode(report in feature()) {
        let bytes = report.encode().unwrap();
        prop_assert_eq!(bytes.len(), report.id().len());
        prop_assert_eq!(FeatureReport::decode(&bytes).unwrap(), report);
    }

    #[test]
    fn every_input_report_survives_encode_then_decode(report in input()) {
        let bytes = report.encode().unwrap();
        prop_assert_eq!(InputReport::decode(&bytes).unwrap(), report);
    }

    #[test]
    fn encrypted_pen_plaintexts_survive_encode_then_decode(a in sample(), b in sample(), sid in any::<u32>(), t in any::<u16>(), q in any::<u16>()) {
        let pair = EncryptedPenPair { session_id: sid, samples: [a, b] };
        prop_assert_eq!(EncryptedPenPair::decode(&pair.encode().unwrap()), pair);
        let timed = EncryptedTimedSample { sample: a, time_count: t, sequence: q, session_id: sid };
        prop_assert_eq!(EncryptedTimedSample::decode(&timed.encode().unwrap()), timed);
    }

    #[test]
    fn mono_images_survive_encode_then_decode(bits in prop::collection::vec(any::<bool>(), 396 * 100)) {
        let px: Vec<u8> = bits.iter().map(|&b| if b { 0 } else { 255 }).collect();
        let caps = Model::Stu300.capabilities();
        let img = image::encode_image(caps, &Bitmap { width: 396, height: 100, pixels: Pixels::Gray8(&px) }, EncodingMode::Mono).unwrap();
        let back = decode_image(EncodingMode::Mono, 396, 100, &img.data).unwrap();
        for (i, p) in back.iter().enumerate() {
            prop_assert_eq!(p[0] == 0, bits[i]);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_any_decoder(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = FeatureReport::decode(&bytes);
        let _ = InputReport::decode(&bytes);
        for id in ReportId::ALL {
            let _ = FeatureReport::decode_expect(id, &bytes);
        }
        if bytes.len() >= 6 {
            let _ = PenSample::decode(&[bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]]);
        }
        if let Some((&m, rest)) = bytes.split_first()
            && let Some(mode) = EncodingMode::from_u8(m & 0x15)
        {
            let _ = decode_image(mode, 16, 8, rest);
        }
    }

    #[test]
    fn arbitrary_replies_and_input_never_panic_the_driver(replies in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 1..20)) {
        let mut d = PadDriver::new(DriverConfig::default());
        d.begin_init().unwrap();
        for r in &replies {
            match d.poll_action() {
                Some(Action::GetFeature { .. }) => { let _ = d.handle_feature(r); }
                Some(Action::SetFeature(_)) => { let _ = d.handle_set_done(); }
                Some(Action::Wait(_)) => d.handle_wait_done(),
                None => {}
            }
            let _ = d.handle_input(r);
        }
    }

    #[test]
    fn tablet_to_pixel_stays_on_screen(x in any::<u16>(), y in any::<u16>()) {
        for m in Model::ALL {
            let c = m.capabilities();
            let (px, py) = Units::new(c).tablet_to_pixel(x.min(c.tablet_max_x), y.min(c.tablet_max_y));
            prop_assert!(px < c.screen_width && py < c.screen_height);
        }
    }
}
