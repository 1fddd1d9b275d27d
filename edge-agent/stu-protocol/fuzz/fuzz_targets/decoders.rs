//! Fuzz target: arbitrary bytes into every STU report decoder, the image unpacker and the
//! driver's reply/input handlers must never panic. Run with `cargo +nightly fuzz run decoders`, or
//! on the stable toolchain with `RUSTC_BOOTSTRAP=1 cargo fuzz run decoders` (cargo-fuzz installed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stu_protocol::image::{EncodingMode, decode_image};
use stu_protocol::{Action, DriverConfig, FeatureReport, InputReport, PadDriver, ReportId};

fuzz_target!(|data: &[u8]| {
    let _ = FeatureReport::decode(data);
    let _ = InputReport::decode(data);
    for id in ReportId::ALL {
        let _ = FeatureReport::decode_expect(id, data);
    }
    if let Some((&m, rest)) = data.split_first()
        && let Some(mode) = EncodingMode::from_u8(m & 0x15)
    {
        let _ = decode_image(mode, 40, 20, rest);
    }
    let mut d = PadDriver::new(DriverConfig::default());
    let _ = d.begin_init();
    for chunk in data.chunks(17) {
        match d.poll_action() {
            Some(Action::GetFeature { .. }) => {
                let _ = d.handle_feature(chunk);
            }
            Some(Action::SetFeature(_)) => {
                let _ = d.handle_set_done();
            }
            Some(Action::Wait(_)) => d.handle_wait_done(),
            None => {}
        }
        let _ = d.handle_input(chunk);
    }
});
