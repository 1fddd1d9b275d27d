//! Every fault the simulator can inject ends in a typed error at the host — never a panic,
//! never a hang.

use std::sync::mpsc;
use std::time::Duration;

use device_sim::{
    Fault, FaultPlan, PadConfig, PenScript, ServerConfig, SignatureSpec, SimServer, SimTransport,
    TimeMode, Trigger,
};
use stu_protocol::{
    Bitmap, DriverConfig, DriverError, ErrorCode, Model, PadDriver, Pixels, ProtocolError, Rect,
    StatusCode, image,
};
use stu_transport::{DriveError, SocketTransport, TransportError, read_pen, run};

/// Runs `f` on its own thread and fails the test if it takes longer than 20 s.
fn within_deadline<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the host hung")
}

fn signing_pad(fault: FaultPlan) -> PadConfig {
    let model = Model::Stu430;
    let script = PenScript::builder(model)
        .signature_in_pixels(
            &SignatureSpec::new(9),
            Rect {
                x1: 10,
                y1: 40,
                x2: 300,
                y2: 160,
            },
        )
        .build()
        .unwrap();
    PadConfig::new(model).script(script).fault(fault)
}

fn driver() -> PadDriver {
    PadDriver::new(DriverConfig {
        status_poll_interval: Duration::from_millis(1),
        ..DriverConfig::default()
    })
}

/// Connects over the socket, inits, turns inking on, reads pen data until an error or the end.
fn session_over_socket(config: PadConfig) -> Result<usize, DriveError> {
    let server = SimServer::start(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        pads: vec![config],
        time: TimeMode::Virtual,
        render_dir: None,
    })
    .unwrap();
    let mut link = SocketTransport::connect(server.addrs()[0], Duration::from_secs(2)).unwrap();
    link.set_reply_timeout(Duration::from_millis(300));
    let mut d = driver();
    d.begin_init()?;
    d.begin_set_inking(true)?;
    run(&mut d, &mut link)?;
    let mut n = 0;
    while read_pen(&mut d, &mut link, Duration::from_secs(1))?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[test]
fn pad_unplugged_while_signing_reports_disconnected() {
    let r = within_deadline(|| {
        session_over_socket(signing_pad(FaultPlan::new(
            Fault::Unplug,
            Trigger::AfterInputReports(20),
        )))
    });
    assert!(
        matches!(r, Err(DriveError::Transport(TransportError::Disconnected))),
        "{r:?}"
    );
}

#[test]
fn pad_unplugged_at_a_moment_reports_disconnected_in_process() {
    let r = within_deadline(|| {
        let mut pad = SimTransport::new(
            signing_pad(FaultPlan::new(Fault::Unplug, Trigger::At(300_000))),
            TimeMode::Virtual,
        );
        let mut d = driver();
        d.begin_init()?;
        d.begin_set_inking(true)?;
        run(&mut d, &mut pad)?;
        while read_pen(&mut d, &mut pad, Duration::from_secs(1))?.is_some() {}
        Ok::<_, DriveError>(())
    });
    assert!(
        matches!(r, Err(DriveError::Transport(TransportError::Disconnected))),
        "{r:?}"
    );
}

#[test]
fn stalled_pad_times_out_instead_of_hanging() {
    let r = within_deadline(|| {
        session_over_socket(signing_pad(FaultPlan::new(
            Fault::Stall,
            Trigger::OnReport(0x08),
        )))
    });
    assert!(
        matches!(r, Err(DriveError::Transport(TransportError::Timeout(_)))),
        "{r:?}"
    );
}

#[test]
fn corrupt_pen_report_is_a_protocol_error() {
    let r = within_deadline(|| {
        session_over_socket(signing_pad(FaultPlan::new(
            Fault::CorruptReport,
            Trigger::AfterInputReports(5),
        )))
    });
    assert!(
        matches!(
            r,
            Err(DriveError::Driver(DriverError::Protocol(
                ProtocolError::UnknownId(_)
            )))
        ),
        "{r:?}"
    );
}

#[test]
fn short_capability_reply_is_a_length_error() {
    let r = within_deadline(|| {
        session_over_socket(signing_pad(FaultPlan::new(
            Fault::ShortReport,
            Trigger::OnReport(0x09),
        )))
    });
    assert!(
        matches!(
            r,
            Err(DriveError::Driver(DriverError::Protocol(
                ProtocolError::WrongLength { id: 0x09, .. }
            )))
        ),
        "{r:?}"
    );
}

#[test]
fn pad_that_stays_busy_gives_up_after_the_poll_limit() {
    let r = within_deadline(|| {
        session_over_socket(signing_pad(FaultPlan::new(
            Fault::Busy { polls: 1000 },
            Trigger::OnReport(0x03),
        )))
    });
    assert!(
        matches!(
            r,
            Err(DriveError::Driver(DriverError::Busy {
                state: StatusCode::Calculation,
                polls: 25
            }))
        ),
        "{r:?}"
    );
}

#[test]
fn pad_busy_for_a_few_polls_is_waited_for() {
    let r = within_deadline(|| {
        session_over_socket(signing_pad(FaultPlan::new(
            Fault::Busy { polls: 3 },
            Trigger::OnReport(0x03),
        )))
    });
    assert!(r.unwrap() > 100);
}

#[test]
fn failed_image_write_is_reported_with_the_pads_error_code() {
    let r = within_deadline(|| {
        let mut pad = SimTransport::new(
            PadConfig::new(Model::Stu430).fault(FaultPlan::new(
                Fault::FailImageWrite,
                Trigger::OnReport(0x27),
            )),
            TimeMode::Virtual,
        );
        let mut d = driver();
        d.begin_init()?;
        run(&mut d, &mut pad)?;
        let px = vec![255u8; 320 * 200];
        let img = image::encode_for_model(
            Model::Stu430.capabilities(),
            &Bitmap {
                width: 320,
                height: 200,
                pixels: Pixels::Gray8(&px),
            },
            false,
        )
        .unwrap();
        d.begin_upload(img)?;
        run(&mut d, &mut pad)
    });
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
}

#[test]
fn fault_descriptions_parse_from_text() {
    assert_eq!(
        FaultPlan::parse("unplug@t=1500").unwrap(),
        FaultPlan::new(Fault::Unplug, Trigger::At(1_500_000))
    );
    assert_eq!(
        FaultPlan::parse("busy:40@report=0x20").unwrap(),
        FaultPlan::new(Fault::Busy { polls: 40 }, Trigger::OnReport(0x20))
    );
    assert_eq!(
        FaultPlan::parse("corrupt@input=10").unwrap(),
        FaultPlan::new(Fault::CorruptReport, Trigger::AfterInputReports(10))
    );
    assert!(FaultPlan::parse("explode@t=1").is_err());
    assert!(FaultPlan::parse("stall").is_err());
}
