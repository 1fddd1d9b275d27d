//! The simulated pad answers like the hardware: per-model reports and encodings, the state
//! table, image uploads, and the `stu-sim` binary serving a pad on loopback.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use device_sim::{PadConfig, SimTransport, TimeMode};
use stu_protocol::image::EncodingMode;
use stu_protocol::{
    Bitmap, DriverConfig, DriverError, ErrorCode, FeatureReport, Model, PadDriver, Pixels, Rect,
    ReportId, StatusCode, image,
};
use stu_transport::{DriveError, SocketTransport, Transport, TransportError, read_pen, run};

fn status(pad: &mut SimTransport) -> stu_protocol::Status {
    let FeatureReport::Status(s) =
        FeatureReport::decode(&pad.get_feature(0x03, 5).unwrap()).unwrap()
    else {
        panic!()
    };
    s
}

fn new_pad(model: Model) -> SimTransport {
    SimTransport::new(PadConfig::new(model), TimeMode::Virtual)
}

#[test]
fn each_model_answers_information_and_capability_with_its_own_values() {
    for model in Model::ALL {
        let mut pad = new_pad(model);
        let info = FeatureReport::decode(&pad.get_feature(0x08, 17).unwrap()).unwrap();
        let FeatureReport::Information(info) = info else {
            panic!()
        };
        assert_eq!(info.model_name, model.capabilities().name);
        let FeatureReport::Capability(cap) =
            FeatureReport::decode(&pad.get_feature(0x09, 17).unwrap()).unwrap()
        else {
            panic!()
        };
        assert_eq!(cap, model.capabilities().reported_capability);
    }
}

#[test]
fn reports_missing_from_a_models_descriptor_are_refused() {
    let mut stu300 = new_pad(Model::Stu300);
    assert!(matches!(
        stu300.get_feature(0x0B, 11),
        Err(TransportError::Rejected { id: 0x0B, .. })
    )); // Uid2
    assert!(matches!(
        stu300.set_feature(&[0x32, 3]),
        Err(TransportError::Rejected { .. })
    )); // PenDataOptionMode
    let mut stu430 = new_pad(Model::Stu430);
    assert!(matches!(
        stu430.get_feature(0x1A, 17),
        Err(TransportError::Rejected { .. })
    )); // DHprime
    assert!(matches!(
        stu430.set_feature(&[0x2B, 1, 0]),
        Err(TransportError::Rejected { .. })
    )); // Backlight: 530 only
    assert!(matches!(
        stu430.set_feature(&[0x21, 1, 0]),
        Err(TransportError::Rejected { .. })
    )); // wrong length
    assert!(new_pad(Model::Stu530).set_feature(&[0x2B, 1, 0]).is_ok());
}

#[test]
fn commands_outside_their_state_are_answered_with_wrong_state() {
    let mut pad = new_pad(Model::Stu430);
    pad.set_feature(
        &FeatureReport::EndImageData(stu_protocol::report::EndImageAction::Commit)
            .encode()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(status(&mut pad).last_result, ErrorCode::WrongState);
    pad.set_feature(&[0x25, 0x00]).unwrap();
    assert_eq!(status(&mut pad).state, StatusCode::Image);
    pad.set_feature(&[0x20, 0x00]).unwrap(); // ClearScreen while in Image
    assert_eq!(status(&mut pad).last_result, ErrorCode::WrongState);
}

#[test]
fn a_model_refuses_image_encodings_it_does_not_support() {
    let mut stu300 = new_pad(Model::Stu300);
    stu300
        .set_feature(&[0x25, EncodingMode::Rgb565 as u8])
        .unwrap();
    let s = status(&mut stu300);
    assert_eq!(
        (s.state, s.last_result),
        (StatusCode::Ready, ErrorCode::GraphicsWrongEncodingType)
    );
    stu300
        .set_feature(&[0x25, EncodingMode::MonoZlib as u8])
        .unwrap();
    assert_eq!(
        status(&mut stu300).last_result,
        ErrorCode::GraphicsWrongEncodingType
    );
    let mut stu430 = new_pad(Model::Stu430);
    stu430
        .set_feature(&[0x25, EncodingMode::MonoZlib as u8])
        .unwrap();
    assert_eq!(status(&mut stu430).state, StatusCode::Image);
}

#[test]
fn uploaded_images_appear_on_the_screen_in_every_mode_a_model_takes() {
    for model in Model::ALL {
        let c = model.capabilities();
        let (w, h) = (u32::from(c.screen_width), u32::from(c.screen_height));
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        rgb[..3].copy_from_slice(&[0, 0, 0]); // top-left pixel black
        let bmp = Bitmap {
            width: w,
            height: h,
            pixels: Pixels::Rgb8(&rgb),
        };
        for mode in [
            EncodingMode::Mono,
            EncodingMode::MonoZlib,
            EncodingMode::Rgb565,
            EncodingMode::Rgb565Zlib,
            EncodingMode::Bgr24,
            EncodingMode::Bgr24Zlib,
        ] {
            if !c.accepts_mode(mode) {
                continue;
            }
            let mut pad = new_pad(model);
            let mut d = PadDriver::new(DriverConfig::default());
            d.begin_init().unwrap();
            run(&mut d, &mut pad).unwrap();
            d.begin_upload(image::encode_image(c, &bmp, mode).unwrap())
                .unwrap();
            run(&mut d, &mut pad).unwrap();
            let screen = pad.pad().screen();
            assert_eq!(screen.pixels[0], [0, 0, 0], "{model:?} {mode:?}");
            assert_eq!(screen.pixels[1], [255, 255, 255], "{model:?} {mode:?}");
        }
    }
}

#[test]
fn an_image_longer_than_the_screen_is_refused_as_too_long() {
    let mut pad = new_pad(Model::Stu300);
    let mut d = PadDriver::new(DriverConfig::default());
    d.begin_init().unwrap();
    run(&mut d, &mut pad).unwrap();
    let img = stu_protocol::EncodedImage {
        mode: EncodingMode::Mono,
        area: None,
        data: vec![0xFF; 5_001],
    };
    d.begin_upload(img).unwrap();
    let r = run(&mut d, &mut pad);
    assert!(
        matches!(
            r,
            Err(DriveError::Driver(DriverError::Device {
                command: 0x27,
                code: ErrorCode::GraphicsImageTooLong
            }))
        ),
        "{r:?}"
    );
    assert_eq!(status(&mut pad).state, StatusCode::Ready);
}

#[test]
fn an_area_image_replaces_only_that_rectangle() {
    let mut pad = new_pad(Model::Stu530);
    let mut d = PadDriver::new(DriverConfig::default());
    d.begin_init().unwrap();
    run(&mut d, &mut pad).unwrap();
    let area = Rect {
        x1: 10,
        y1: 20,
        x2: 19,
        y2: 24,
    };
    let red = [255u8, 0, 0].repeat(50);
    let img = image::encode_image_area(
        Model::Stu530.capabilities(),
        &Bitmap {
            width: 10,
            height: 5,
            pixels: Pixels::Rgb8(&red),
        },
        EncodingMode::Bgr24,
        area,
    )
    .unwrap();
    d.begin_upload(img).unwrap();
    run(&mut d, &mut pad).unwrap();
    let px = |x: usize, y: usize| pad.pad().screen().pixels[y * 800 + x];
    assert_eq!(px(10, 20), [255, 0, 0]);
    assert_eq!(px(19, 24), [255, 0, 0]);
    assert_eq!(px(20, 24), [255, 255, 255]);
    assert_eq!(px(9, 20), [255, 255, 255]);
}

#[test]
fn stu_sim_binary_serves_a_pad_that_a_host_drives_over_loopback() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stu-sim"))
        .args([
            "--model",
            "530",
            "--serial",
            "BIN00001",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "max",
        ])
        .args([
            "--signature",
            "4",
            "--tap",
            "130,450",
            "--duration-secs",
            "60",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.rsplit(' ').next().unwrap().trim().to_string();
    let result = (|| -> Result<usize, DriveError> {
        let mut link = SocketTransport::connect(addr.as_str(), Duration::from_secs(5))?;
        assert_eq!(link.info().serial, "BIN00001");
        let mut d = PadDriver::new(DriverConfig::default());
        d.begin_init()?;
        d.begin_set_inking(true)?;
        run(&mut d, &mut link)?;
        let mut n = 0;
        while read_pen(&mut d, &mut link, Duration::from_secs(1))?.is_some() {
            n += 1;
        }
        Ok(n)
    })();
    let _ = child.kill();
    let _ = child.wait();
    let n = result.unwrap();
    assert!(n > 200, "{n} pen points from the binary");
}

#[test]
fn one_server_serves_several_pads_at_once() {
    let server = device_sim::SimServer::start(device_sim::ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        pads: vec![
            PadConfig::new(Model::Stu300).serial("A"),
            PadConfig::new(Model::Stu430).serial("B"),
            PadConfig::new(Model::Stu530).serial("C"),
        ],
        time: TimeMode::Virtual,
        render_dir: None,
    })
    .unwrap();
    let handles: Vec<_> = server
        .addrs()
        .iter()
        .copied()
        .map(|addr| {
            std::thread::spawn(move || {
                let mut link = SocketTransport::connect(addr, Duration::from_secs(2)).unwrap();
                let mut d = PadDriver::new(DriverConfig::default());
                d.begin_init().unwrap();
                run(&mut d, &mut link).unwrap();
                (link.info().serial.clone(), d.identity().unwrap().model)
            })
        })
        .collect();
    let got: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        got,
        vec![
            ("A".into(), Model::Stu300),
            ("B".into(), Model::Stu430),
            ("C".into(), Model::Stu530)
        ]
    );
    let _ = ReportId::Status;
}
