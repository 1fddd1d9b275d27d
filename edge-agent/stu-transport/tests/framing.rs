//! The simulator socket framing: frames round-trip, partial input waits for more bytes, and
//! garbage is a typed error, never a panic.

use proptest::prelude::*;
use stu_transport::TransportError;
use stu_transport::frame::{Frame, Kind, MAX_PAYLOAD};

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(vec![
        Kind::GetFeature,
        Kind::SetFeature,
        Kind::ReadInput,
        Kind::Hello,
        Kind::Feature,
        Kind::SetOk,
        Kind::Input,
        Kind::NoInput,
        Kind::Rejected,
    ])
}

#[test]
fn a_set_feature_frame_is_kind_then_big_endian_length_then_the_report() {
    let f = Frame::new(Kind::SetFeature, vec![0x21, 0x01]).unwrap();
    assert_eq!(f.encode(), vec![0x02, 0x00, 0x02, 0x21, 0x01]);
}

#[test]
fn a_frame_cut_short_waits_for_more_bytes() {
    let bytes = Frame::new(Kind::Input, vec![1; 7]).unwrap().encode();
    for cut in 0..bytes.len() {
        assert_eq!(Frame::decode(&bytes[..cut]).unwrap(), None);
    }
}

#[test]
fn oversized_or_unknown_frames_are_framing_errors() {
    assert!(Frame::new(Kind::Input, vec![0; MAX_PAYLOAD + 1]).is_err());
    assert!(matches!(
        Frame::decode(&[0x83, 0xFF, 0xFF]),
        Err(TransportError::Framing(_))
    ));
    assert!(matches!(
        Frame::decode(&[0x7E, 0x00, 0x00]),
        Err(TransportError::Framing(_))
    ));
}

#[test]
fn reading_from_a_closed_stream_is_a_disconnect() {
    let mut empty: &[u8] = &[];
    assert!(matches!(
        Frame::read_from(&mut empty),
        Err(TransportError::Disconnected)
    ));
}

proptest! {
    #[test]
    fn frames_survive_encode_then_decode(k in kind(), payload in prop::collection::vec(any::<u8>(), 0..=MAX_PAYLOAD)) {
        let f = Frame::new(k, payload).unwrap();
        let bytes = f.encode();
        let (back, used) = Frame::decode(&bytes).unwrap().unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back.clone(), f);
        let mut reader: &[u8] = &bytes;
        prop_assert_eq!(Frame::read_from(&mut reader).unwrap(), back);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_frame_decoder(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = Frame::decode(&bytes);
        let mut r: &[u8] = &bytes;
        let _ = Frame::read_from(&mut r);
    }
}

#[test]
fn enumeration_lists_only_wacom_stu_pads() {
    // On a machine without pads (CI) the list is empty; with pads, every entry is an STU.
    if let Ok(pads) = stu_transport::enumerate() {
        for p in pads {
            assert_eq!(p.vendor_id, 0x056A);
            assert!((0x00A1..=0x00AF).contains(&p.product_id));
        }
    }
}
