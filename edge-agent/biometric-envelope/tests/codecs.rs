//! Property tests of the byte formats: valid time series survive a round
//! trip, and no input whatever makes a decoder panic.

mod common;

use biometric_envelope::{Binding, ChannelInfo, Envelope, Sample, TimeSeries, TimeSeriesError};
use proptest::prelude::*;

fn channels() -> impl Strategy<Value = ChannelInfo> {
    (1u16.., 1u16.., 0u16.., 1u32.., 1u32.., 1u16..).prop_map(
        |(max_x, max_y, max_pressure, xu, yu, hz)| ChannelInfo {
            max_x,
            max_y,
            max_pressure,
            x_units_per_metre: xu,
            y_units_per_metre: yu,
            sample_rate_hz: hz,
        },
    )
}

fn series() -> impl Strategy<Value = TimeSeries> {
    channels().prop_flat_map(|c| {
        let sample = (
            0..=c.max_x,
            0..=c.max_y,
            0..=c.max_pressure,
            0u32..10_000,
            any::<bool>(),
        );
        proptest::collection::vec(sample, 0..300).prop_map(move |raw| {
            let mut t = 0u32;
            let samples = raw
                .into_iter()
                .map(|(x, y, pressure, dt, pen_down)| {
                    t += dt;
                    Sample {
                        x,
                        y,
                        pressure,
                        t_us: t,
                        pen_down,
                    }
                })
                .collect();
            TimeSeries {
                channels: c,
                samples,
            }
        })
    })
}

proptest! {
    #[test]
    fn valid_time_series_round_trip(s in series()) {
        let bytes = s.encode().unwrap();
        prop_assert_eq!(bytes.len(), s.encoded_len());
        prop_assert_eq!(TimeSeries::decode(&bytes).unwrap(), s);
    }

    #[test]
    fn time_series_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = TimeSeries::decode(&bytes);
    }

    #[test]
    fn corrupted_time_series_never_panics(s in series(), pos in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = s.encode().unwrap();
        if !bytes.is_empty() {
            let i = pos % bytes.len();
            bytes[i] = byte;
        }
        let _ = TimeSeries::decode(&bytes);
        let cut = pos % (bytes.len() + 1);
        let _ = TimeSeries::decode(&bytes[..cut]);
    }

    #[test]
    fn binding_round_trips_and_decoder_never_panics(
        doc in any::<[u8; 32]>(), offer in "[A-Z0-9-]{1,40}", field in ".{1,30}", role in "client|agent",
        model in "STU-(300|430|530)", serial in "[0-9A-F]{0,16}", junk in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let b = Binding { document_sha256: doc, offer_id: offer, field_id: field, signer_role: role, pad_model: model, pad_serial: serial };
        prop_assert_eq!(Binding::from_bytes(&b.to_bytes().unwrap()).unwrap(), b);
        let _ = Binding::from_bytes(&junk);
    }

    #[test]
    fn envelope_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Envelope::from_bytes(&bytes);
        let mut prefixed = b"IKBE\x01\x01\x01".to_vec();
        prefixed.extend_from_slice(&bytes);
        let _ = Envelope::from_bytes(&prefixed);
    }
}

#[test]
fn a_declared_sample_count_over_the_limit_is_refused_without_allocating() {
    let mut bytes = common::signature_trace().encode().unwrap();
    bytes[23..27].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        TimeSeries::decode(&bytes).unwrap_err(),
        TimeSeriesError::TooManySamples {
            count: u32::MAX as usize,
            max: 100_000
        }
    );
}

#[test]
fn time_going_backwards_is_refused() {
    let mut s = common::signature_trace();
    s.samples[10].t_us = 0;
    assert_eq!(
        s.encode().unwrap_err(),
        TimeSeriesError::TimeNotMonotonic { index: 10 }
    );
}

#[test]
fn a_coordinate_beyond_the_pad_is_refused() {
    let mut s = common::signature_trace();
    s.samples[3].x = 9601;
    assert_eq!(
        s.encode().unwrap_err(),
        TimeSeriesError::OutOfRange {
            index: 3,
            channel: "x",
            max: 9600
        }
    );
}

#[test]
fn the_encoding_starts_with_magic_version_and_full_channel_bitmap() {
    let bytes = common::signature_trace().encode().unwrap();
    assert_eq!(&bytes[..4], b"IKTS");
    assert_eq!(bytes[4], 1);
    assert_eq!(&bytes[5..7], &[0x00, 0x1F]);
    assert_eq!(bytes.len(), 27 + 240 * 11);
}
