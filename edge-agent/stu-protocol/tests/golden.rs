//! Golden byte vectors taken from the protocol reference: each report's exact bytes.

use stu_protocol::image::{PixelFormat, decode_image, encode_image, raw_len};
use stu_protocol::report::{
    EncryptionCommand, EncryptionCommandCode, EndImageAction, Information, InkThreshold,
};
use stu_protocol::*;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[test]
fn real_stu540_information_bytes_decode_to_model_name_and_firmware() {
    let bytes = hex("08 53 54 55 2d 35 34 30 00 00 01 00 00 02 00 00 00");
    let FeatureReport::Information(info) = FeatureReport::decode(&bytes).unwrap() else {
        panic!("not Information")
    };
    assert_eq!(
        info,
        Information {
            model_name: "STU-540".into(),
            firmware_major: 1,
            firmware_minor: 0,
            secure_ic: 0,
            secure_ic_version: [2, 0, 0, 0]
        }
    );
    assert_eq!(FeatureReport::Information(info).encode().unwrap(), bytes);
}

#[test]
fn stu430_capability_is_big_endian_with_rate_resolution_and_encoding_flag() {
    let cap = Model::Stu430.capabilities().reported_capability;
    let bytes = FeatureReport::Capability(cap).encode().unwrap();
    assert_eq!(
        bytes,
        hex("09 25 80 17 70 03 FF 01 40 00 C8 C8 09 EC 03 00 00")
    );
}

#[test]
fn default_ink_threshold_is_little_endian_21_and_16() {
    let t = InkThreshold {
        on_pressure: 21,
        off_pressure: 16,
    };
    assert_eq!(
        FeatureReport::InkThreshold(t).encode().unwrap(),
        hex("22 15 00 10 00")
    );
}

#[test]
fn stu430_default_handwriting_area_rectangle_is_little_endian_inclusive() {
    let r = Rect {
        x1: 0,
        y1: 0,
        x2: 319,
        y2: 199,
    };
    assert_eq!(
        FeatureReport::HandwritingDisplayArea(r).encode().unwrap(),
        hex("2A 00 00 00 00 3F 01 C7 00")
    );
}

#[test]
fn one_byte_commands_have_the_reference_layout() {
    assert_eq!(
        FeatureReport::InkingMode(true).encode().unwrap(),
        hex("21 01")
    );
    assert_eq!(FeatureReport::ClearScreen.encode().unwrap(), hex("20 00"));
    assert_eq!(
        FeatureReport::StartImageData(EncodingMode::Mono)
            .encode()
            .unwrap(),
        hex("25 00")
    );
    assert_eq!(
        FeatureReport::EndImageData(EndImageAction::Commit)
            .encode()
            .unwrap(),
        hex("27 00")
    );
    assert_eq!(
        FeatureReport::EndImageData(EndImageAction::Abandon)
            .encode()
            .unwrap(),
        hex("27 01")
    );
    assert_eq!(FeatureReport::EndCapture.encode().unwrap(), hex("16 00"));
    assert_eq!(
        FeatureReport::StartCapture {
            session_id: 0xC0FFEE
        }
        .encode()
        .unwrap(),
        hex("15 00 C0 FF EE")
    );
    assert_eq!(
        FeatureReport::Uid(0x01020304).encode().unwrap(),
        hex("0A 01 02 03 04")
    );
}

#[test]
fn status_ready_without_error_decodes() {
    let FeatureReport::Status(s) = FeatureReport::decode(&hex("03 00 00 00 00")).unwrap() else {
        panic!()
    };
    assert_eq!(
        (s.state, s.last_result),
        (StatusCode::Ready, ErrorCode::None)
    );
    let FeatureReport::Status(s) = FeatureReport::decode(&hex("03 01 12 00 00")).unwrap() else {
        panic!()
    };
    assert_eq!(
        (s.state, s.last_result),
        (StatusCode::Image, ErrorCode::GraphicsZlibError)
    );
}

#[test]
fn image_data_block_carries_253_bytes_with_little_endian_length_in_256() {
    let bytes = FeatureReport::ImageDataBlock(vec![0xAB; 253])
        .encode()
        .unwrap();
    assert_eq!(bytes.len(), 256);
    assert_eq!(&bytes[..4], &[0x26, 0xFD, 0x00, 0xAB]);
    let short = FeatureReport::ImageDataBlock(vec![1, 2, 3])
        .encode()
        .unwrap();
    assert_eq!(&short[..7], &[0x26, 0x03, 0x00, 1, 2, 3, 0]);
    assert!(
        FeatureReport::ImageDataBlock(vec![0; 254])
            .encode()
            .is_err()
    );
}

#[test]
fn rsa_handshake_commands_match_the_sdk_defaults() {
    let set_type = EncryptionCommand {
        command: EncryptionCommandCode::SetEncryptionType,
        parameter: 2,                // AES-256
        length_or_index: 2 << 6 | 2, // OAEP, RSA-2048
        data: [0; 64],
    };
    let bytes = FeatureReport::EncryptionCommand(set_type).encode().unwrap();
    assert_eq!(bytes.len(), 68);
    assert_eq!(&bytes[..4], &hex("40 01 02 82")[..]);
    let mut data = [0u8; 64];
    data[..3].copy_from_slice(&[1, 0, 1]);
    let e = EncryptionCommand {
        command: EncryptionCommandCode::SetParameterBlock,
        parameter: 0,
        length_or_index: 3,
        data,
    };
    assert_eq!(
        &FeatureReport::EncryptionCommand(e).encode().unwrap()[..7],
        &hex("40 02 00 03 01 00 01")[..]
    );
}

#[test]
fn stu430v_trace_pen_report_decodes_to_its_values() {
    // rdy=1 sw=1 pressure=612 x=5339 y=3528 time=3513 seq=1
    let bytes = hex("34 92 64 14 DB 0D C8 0D B9 00 01");
    let InputReport::PenDataTimeCountSequence {
        sample,
        time_count,
        sequence,
    } = InputReport::decode(&bytes).unwrap()
    else {
        panic!("not 0x34")
    };
    assert_eq!(
        sample,
        PenSample {
            rdy: true,
            sw: 1,
            pressure: 612,
            x: 5339,
            y: 3528
        }
    );
    assert_eq!((time_count, sequence), (3513, 1));
    let back = InputReport::PenDataTimeCountSequence {
        sample,
        time_count,
        sequence,
    }
    .encode()
    .unwrap();
    assert_eq!(back, bytes);
}

#[test]
fn pen_leaving_proximity_is_an_all_zero_sample() {
    let bytes = hex("34 00 00 00 00 00 00 0E 70 00 16");
    let InputReport::PenDataTimeCountSequence {
        sample,
        time_count,
        sequence,
    } = InputReport::decode(&bytes).unwrap()
    else {
        panic!()
    };
    assert_eq!(sample, PenSample::OUT_OF_RANGE);
    assert_eq!((time_count, sequence), (3696, 22));
}

#[test]
fn plain_pen_data_has_rdy_in_bit_7_and_sw_in_bits_6_to_4() {
    let InputReport::PenData(s) = InputReport::decode(&hex("01 83 FF 25 80 17 70")).unwrap() else {
        panic!()
    };
    assert_eq!(
        s,
        PenSample {
            rdy: true,
            sw: 0,
            pressure: 0x3FF,
            x: 9600,
            y: 6000
        }
    );
}

#[test]
fn wrong_id_wrong_length_and_bad_values_are_typed_errors() {
    assert_eq!(FeatureReport::decode(&[]), Err(ProtocolError::Empty));
    assert_eq!(
        FeatureReport::decode(&[0x77, 0]),
        Err(ProtocolError::UnknownId(0x77))
    );
    assert_eq!(
        FeatureReport::decode(&[0x21, 1, 0]),
        Err(ProtocolError::WrongLength {
            id: 0x21,
            expected: 2,
            found: 3
        })
    );
    assert!(matches!(
        FeatureReport::decode(&[0x21, 7]),
        Err(ProtocolError::BadValue { id: 0x21, .. })
    ));
    assert!(matches!(
        FeatureReport::decode(&[0x25, 0x09]),
        Err(ProtocolError::BadValue { id: 0x25, .. })
    ));
    assert_eq!(
        FeatureReport::decode_expect(ReportId::Status, &[0x21, 1]),
        Err(ProtocolError::WrongId {
            expected: 0x03,
            found: 0x21
        })
    );
    assert_eq!(
        InputReport::decode(&[0x21, 1]),
        Err(ProtocolError::WrongDirection(0x21))
    );
    assert_eq!(
        FeatureReport::decode(&hex("01 00 00 00 00 00 00")),
        Err(ProtocolError::WrongDirection(0x01))
    );
    // rectangle with swapped corners
    assert!(FeatureReport::decode(&hex("2A 10 00 00 00 05 00 05 00")).is_err());
}

#[test]
fn screen_image_sizes_match_each_models_screen() {
    assert_eq!(raw_len(PixelFormat::Mono1, 396, 100), 5_000);
    assert_eq!(raw_len(PixelFormat::Mono1, 320, 200), 8_000);
    assert_eq!(raw_len(PixelFormat::Rgb565, 800, 480), 768_000);
    assert_eq!(raw_len(PixelFormat::Bgr24, 800, 480), 1_152_000);
}

#[test]
fn mono_image_marks_dark_pixels_with_zero_bits_msb_first() {
    let caps = Model::Stu300.capabilities();
    let mut px = vec![255u8; 396 * 100];
    px[0] = 0; // top-left black
    px[9] = 0x80; // ≤ 0x80 is ink
    px[10] = 0x81; // lighter is background
    let img = encode_image(
        caps,
        &Bitmap {
            width: 396,
            height: 100,
            pixels: Pixels::Gray8(&px),
        },
        EncodingMode::Mono,
    )
    .unwrap();
    assert_eq!(img.data.len(), 5_000);
    assert_eq!(img.data[0], 0b0111_1111);
    assert_eq!(img.data[1], 0b1011_1111);
    assert_eq!(img.data[49], 0xFF); // last byte of the row: 4 pixels + 4 padding bits
    assert_eq!(img.block_count(), 20);
}

#[test]
fn colour_images_are_rgb565_big_endian_or_bgr_bytes() {
    let caps = Model::Stu530.capabilities();
    let mut rgb = vec![0u8; 800 * 480 * 3];
    rgb[0] = 255; // first pixel pure red
    let bmp = Bitmap {
        width: 800,
        height: 480,
        pixels: Pixels::Rgb8(&rgb),
    };
    let i565 = encode_image(caps, &bmp, EncodingMode::Rgb565).unwrap();
    assert_eq!(&i565.data[..4], &[0xF8, 0x00, 0x00, 0x00]);
    let i24 = encode_image(caps, &bmp, EncodingMode::Bgr24).unwrap();
    assert_eq!(&i24.data[..3], &[0x00, 0x00, 0xFF]);
    assert_eq!(
        decode_image(EncodingMode::Bgr24, 800, 480, &i24.data).unwrap()[0],
        [255, 0, 0]
    );
}

#[test]
fn each_model_refuses_encodings_its_screen_cannot_show() {
    let bmp300 = vec![255u8; 396 * 100];
    let b = Bitmap {
        width: 396,
        height: 100,
        pixels: Pixels::Gray8(&bmp300),
    };
    let c300 = Model::Stu300.capabilities();
    assert_eq!(
        encode_image(c300, &b, EncodingMode::MonoZlib),
        Err(ImageError::ModeNotSupported(0x01))
    );
    assert_eq!(
        encode_image(c300, &b, EncodingMode::Rgb565),
        Err(ImageError::ModeNotSupported(0x02))
    );
    assert!(
        Model::Stu430
            .capabilities()
            .accepts_mode(EncodingMode::MonoZlib)
    );
    assert!(
        !Model::Stu430
            .capabilities()
            .accepts_mode(EncodingMode::Bgr24)
    );
    assert!(
        !Model::Stu530
            .capabilities()
            .accepts_mode(EncodingMode::Bgr24Bulk)
    );
    assert_eq!(
        Model::Stu530.capabilities().preferred_mode(false),
        EncodingMode::Bgr24
    );
    assert_eq!(
        Model::Stu430.capabilities().preferred_mode(true),
        EncodingMode::MonoZlib
    );
}

#[test]
fn stu430_has_thirty_tablet_units_per_pixel_and_one_hundred_per_millimetre() {
    let u = Units::new(Model::Stu430.capabilities());
    assert_eq!(u.tablet_to_pixel(30, 60), (1, 2));
    assert_eq!(u.tablet_to_pixel(9600, 6000), (319, 199));
    let (x, y) = u.tablet_to_mm(1000, 250);
    assert!((x - 10.0).abs() < 1e-9 && (y - 2.5).abs() < 1e-9);
    assert_eq!(u.mm_to_tablet(10.0, 2.5), (1000, 250));
    let (w, h) = u.tablet_size_mm();
    assert!((w - 96.0).abs() < 1e-9 && (h - 60.0).abs() < 1e-9);
}

#[test]
fn usb_product_ids_name_supported_and_unsupported_pads() {
    assert_eq!(Model::from_product_id(0x00A2), Some(Model::Stu300));
    assert_eq!(Model::from_product_id(0x00A4), Some(Model::Stu430));
    assert_eq!(Model::from_product_id(0x00A5), Some(Model::Stu530));
    assert_eq!(Model::from_product_id(0x00A8), None); // STU-540: known, not supported
    assert_eq!(model::effective_encoding_flag(0, 0x00A2), 0x02);
    assert_eq!(model::effective_encoding_flag(0, 0x00A5), 0x0F);
    assert_eq!(model::effective_encoding_flag(0x03, 0x00A4), 0x03);
}

#[test]
fn every_report_length_matches_the_stu430v_descriptor() {
    let expected = [
        (0x01, 7),
        (0x03, 5),
        (0x04, 2),
        (0x08, 17),
        (0x09, 17),
        (0x0A, 5),
        (0x0B, 11),
        (0x10, 17),
        (0x15, 5),
        (0x16, 2),
        (0x20, 2),
        (0x21, 2),
        (0x22, 5),
        (0x23, 11),
        (0x24, 11),
        (0x25, 2),
        (0x26, 256),
        (0x27, 2),
        (0x28, 4),
        (0x2A, 9),
        (0x2D, 5),
        (0x2F, 2),
        (0x32, 2),
        (0x33, 17),
        (0x34, 11),
        (0x40, 68),
        (0x50, 17),
    ];
    for (id, len) in expected {
        assert_eq!(
            ReportId::from_u8(id).unwrap().len(),
            len,
            "report 0x{id:02X}"
        );
    }
}
