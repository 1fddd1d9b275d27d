//! Conformance: the protocol crate's driver runs against the simulator over the socket
//! transport for every model — connect, read capability, clear, upload an image, ink, read pen
//! data (a signature, then a tap on the OK button), disconnect.

use std::net::SocketAddr;
use std::time::Duration;

use device_sim::{PadConfig, PenScript, ServerConfig, SignatureSpec, SimServer, TimeMode};
use stu_protocol::{
    Bitmap, DriverConfig, Model, PadDriver, PenTracker, PenTransition, Pixels, Rect, Units, image,
    pen,
};
use stu_transport::{SocketTransport, read_pen, run};

/// The host's signing screen: white, with OK/Clear/Cancel buttons as the SDK demo lays them out.
fn signing_screen(model: Model) -> (Vec<u8>, [Rect; 3]) {
    let c = model.capabilities();
    let (w, h) = (c.screen_width, c.screen_height);
    let buttons: [Rect; 3] = if model == Model::Stu300 {
        let x1 = w * 3 / 4;
        std::array::from_fn(|i| Rect {
            x1,
            x2: w - 1,
            y1: h * i as u16 / 3,
            y2: h * (i as u16 + 1) / 3 - 1,
        })
    } else {
        let y1 = h * 6 / 7;
        std::array::from_fn(|i| Rect {
            x1: w * i as u16 / 3,
            x2: w * (i as u16 + 1) / 3 - 1,
            y1,
            y2: h - 1,
        })
    };
    let mut rgba = vec![255u8; usize::from(w) * usize::from(h) * 4];
    for b in &buttons {
        for y in b.y1..=b.y2 {
            for x in b.x1..=b.x2 {
                let edge = x == b.x1 || x == b.x2 || y == b.y1 || y == b.y2;
                if edge {
                    let at = (usize::from(y) * usize::from(w) + usize::from(x)) * 4;
                    rgba[at..at + 3].copy_from_slice(&[0, 0, 0]);
                }
            }
        }
    }
    (rgba, buttons)
}

fn signature_box(model: Model) -> Rect {
    let c = model.capabilities();
    let (w, h) = (c.screen_width, c.screen_height);
    if model == Model::Stu300 {
        Rect {
            x1: 4,
            y1: 4,
            x2: w * 3 / 4 - 4,
            y2: h - 4,
        }
    } else {
        Rect {
            x1: w / 16,
            y1: h / 5,
            x2: w - w / 16,
            y2: h * 6 / 7 - 8,
        }
    }
}

fn centre(r: &Rect) -> (u16, u16) {
    ((r.x1 + r.x2) / 2, (r.y1 + r.y2) / 2)
}

fn serve(config: PadConfig) -> (SimServer, SocketAddr) {
    let server = SimServer::start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        pads: vec![config],
        time: TimeMode::Virtual,
        render_dir: None,
    })
    .unwrap();
    let addr = server.addrs()[0];
    (server, addr)
}

fn fast_driver() -> PadDriver {
    PadDriver::new(DriverConfig {
        status_poll_interval: Duration::from_millis(1),
        ..DriverConfig::default()
    })
}

fn sign_and_tap_ok(model: Model) {
    let (rgba, buttons) = signing_screen(model);
    let ok = buttons[0];
    let script = PenScript::builder(model)
        .pause(100.0)
        .signature_in_pixels(&SignatureSpec::new(11), signature_box(model))
        .pause(400.0)
        .tap_pixel(centre(&ok).0, centre(&ok).1)
        .build()
        .unwrap();
    let (server, addr) = serve(PadConfig::new(model).serial("CONF0001").script(script));
    let mut link = SocketTransport::connect(addr, Duration::from_secs(2)).unwrap();
    assert_eq!(link.info().product_id, model.capabilities().product_id);
    assert_eq!(link.info().serial, "CONF0001");
    assert_eq!(link.info().model, Some(model));

    let mut driver = fast_driver();
    driver.begin_init().unwrap();
    run(&mut driver, &mut link).unwrap();
    let id = driver.identity().unwrap().clone();
    assert_eq!(id.model, model);
    assert_eq!(
        id.capability.screen_width,
        model.capabilities().screen_width
    );

    driver.begin_clear().unwrap();
    let c = model.capabilities();
    let bmp = Bitmap {
        width: u32::from(c.screen_width),
        height: u32::from(c.screen_height),
        pixels: Pixels::Rgba8(&rgba),
    };
    driver
        .begin_upload(image::encode_for_model(c, &bmp, true).unwrap())
        .unwrap();
    driver.begin_set_inking(true).unwrap();
    run(&mut driver, &mut link).unwrap();

    let units = Units::new(c);
    let mut tracker = PenTracker::new(pen::DEFAULT_INK_THRESHOLD);
    let (mut points, mut strokes, mut taps) = (0, 0, Vec::new());
    let mut down_at = None;
    while let Some(p) = read_pen(&mut driver, &mut link, Duration::from_secs(2)).unwrap() {
        points += 1;
        let s = p.sample;
        assert!(
            s.x <= c.tablet_max_x && s.y <= c.tablet_max_y && s.pressure <= c.tablet_max_pressure
        );
        match tracker.update(&s) {
            PenTransition::Down => {
                strokes += 1;
                down_at = Some(units.tablet_to_pixel(s.x, s.y));
            }
            PenTransition::Lift => taps.push((down_at.take(), units.tablet_to_pixel(s.x, s.y))),
            _ => {}
        }
    }
    assert!(points > 200, "{model:?}: only {points} pen points");
    assert!(strokes >= 3, "{model:?}: {strokes} strokes");
    // The last pen-down/pen-up pair lands on the OK button.
    let (Some(down), up) = *taps.last().unwrap() else {
        panic!("no tap")
    };
    assert!(
        ok.contains(down.0, down.1),
        "{model:?}: tap down at {down:?} misses OK {ok:?}"
    );
    assert!(
        ok.contains(up.0, up.1) || up == (0, 0),
        "{model:?}: tap up at {up:?}"
    );

    driver.begin_close().unwrap();
    run(&mut driver, &mut link).unwrap();
    drop(link);
    let pad = server.pad(0).unwrap();
    let screen = pad.lock().unwrap().pad().screen().clone();
    assert_eq!(screen.strokes.len(), 0, "close clears the screen");
    server.shutdown();
}

#[test]
fn stu300_signs_and_taps_ok_over_the_socket() {
    sign_and_tap_ok(Model::Stu300);
}

#[test]
fn stu430_signs_and_taps_ok_over_the_socket() {
    sign_and_tap_ok(Model::Stu430);
}

#[test]
fn stu530_signs_and_taps_ok_over_the_socket() {
    sign_and_tap_ok(Model::Stu530);
}

#[test]
fn pad_draws_the_ink_the_pen_wrote_and_renders_it_to_png() {
    let model = Model::Stu430;
    let script = PenScript::builder(model)
        .signature_in_pixels(&SignatureSpec::new(3), signature_box(model))
        .build()
        .unwrap();
    let (server, addr) = serve(PadConfig::new(model).script(script));
    let mut link = SocketTransport::connect(addr, Duration::from_secs(2)).unwrap();
    let mut driver = fast_driver();
    driver.begin_init().unwrap();
    driver.begin_set_inking(true).unwrap();
    run(&mut driver, &mut link).unwrap();
    while read_pen(&mut driver, &mut link, Duration::from_secs(1))
        .unwrap()
        .is_some()
    {}
    let screen = server
        .pad(0)
        .unwrap()
        .lock()
        .unwrap()
        .pad()
        .screen()
        .clone();
    assert!(screen.ink_points() > 100);
    let png = screen.to_png(2).unwrap();
    let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
    assert_eq!((pixmap.width(), pixmap.height()), (640, 400));
    let dark = pixmap.pixels().iter().filter(|p| p.red() < 100).count();
    assert!(dark > 1000, "only {dark} dark pixels");
}

#[test]
fn pad_reports_arrive_every_five_milliseconds_of_pad_time() {
    let model = Model::Stu530;
    let script = PenScript::builder(model)
        .signature_in_pixels(&SignatureSpec::new(5), signature_box(model))
        .build()
        .unwrap();
    let (server, addr) = serve(PadConfig::new(model).script(script));
    let mut link = SocketTransport::connect(addr, Duration::from_secs(2)).unwrap();
    let mut driver = fast_driver();
    driver.begin_init().unwrap();
    driver.begin_set_inking(true).unwrap();
    run(&mut driver, &mut link).unwrap();
    let mut times = Vec::new();
    let mut seqs = Vec::new();
    while let Some(p) = read_pen(&mut driver, &mut link, Duration::from_millis(50)).unwrap() {
        times.push(p.time_count.unwrap());
        seqs.push(p.sequence.unwrap());
    }
    assert!(times.len() > 50);
    // Within the first stroke, consecutive reports are 5 ms apart and sequence numbers +1.
    assert_eq!(times[1].wrapping_sub(times[0]), 5);
    assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));
    server.shutdown();
}
