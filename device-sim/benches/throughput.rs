//! Throughput figures: pen-report decoding (reports/s) and the simulator's sustained pen-report
//! rate in virtual (accelerated) time, per pad and with 32 pads at once.
//! Run: `cargo bench -p device-sim --bench throughput`.

use std::time::{Duration, Instant};

use device_sim::{PadConfig, PenScript, RectMm, SignatureSpec, SimTransport, TimeMode};
use stu_protocol::{DriverConfig, InputReport, Model, PadDriver, PenSample};
use stu_transport::{Transport, run};

fn long_script(model: Model, signatures: u64) -> PenScript {
    let mut b = PenScript::builder(model);
    let (w, h) = model.capabilities().active_area_mm;
    for seed in 0..signatures {
        b = b
            .signature(
                &SignatureSpec::new(seed),
                RectMm {
                    x: 2.0,
                    y: 2.0,
                    width: f64::from(w) - 4.0,
                    height: f64::from(h) - 4.0,
                },
            )
            .pause(50.0);
    }
    b.build().unwrap()
}

fn decode_throughput() {
    let reports: Vec<Vec<u8>> = (0..10_000u32)
        .map(|i| {
            let s = PenSample {
                rdy: true,
                sw: 1,
                pressure: (i % 1024) as u16,
                x: (i % 9600) as u16,
                y: (i % 6000) as u16,
            };
            InputReport::PenDataTimeCountSequence {
                sample: s,
                time_count: i as u16,
                sequence: i as u16,
            }
            .encode()
            .unwrap()
        })
        .collect();
    let mut d = PadDriver::new(DriverConfig {
        max_pen_queue: 1 << 20,
        ..DriverConfig::default()
    });
    let rounds = 200;
    let start = Instant::now();
    let mut n = 0u64;
    for _ in 0..rounds {
        for r in &reports {
            let decoded = std::hint::black_box(InputReport::decode(r)).unwrap();
            std::hint::black_box(decoded);
            n += 1;
        }
    }
    let raw = n as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut m = 0u64;
    for _ in 0..rounds {
        for r in &reports {
            d.handle_input(r).unwrap();
            while d.poll_pen().is_some() {}
            m += 1;
        }
    }
    let driver = m as f64 / start.elapsed().as_secs_f64();
    println!("decode 0x34 pen reports (InputReport::decode): {raw:>14.0} reports/s");
    println!("decode 0x34 pen reports (PadDriver, checked):  {driver:>14.0} reports/s");
}

/// Drives one pad through init + inking, then reads every pen report; returns (reports, pad seconds).
fn drain(pad: &mut SimTransport) -> (u64, f64) {
    let mut d = PadDriver::new(DriverConfig::default());
    d.begin_init().unwrap();
    d.begin_set_inking(true).unwrap();
    run(&mut d, pad).unwrap();
    let mut n = 0u64;
    while let Some(_r) = pad.read_input(Duration::from_secs(1)).unwrap() {
        n += 1;
    }
    (n, pad.now() as f64 / 1e6)
}

fn sim_rate() {
    let model = Model::Stu530;
    let script = long_script(model, 20);
    let mut pad = SimTransport::new(
        PadConfig::new(model).script(script.clone()),
        TimeMode::Virtual,
    );
    let start = Instant::now();
    let (n, pad_secs) = drain(&mut pad);
    let wall = start.elapsed().as_secs_f64();
    println!(
        "simulator, 1 pad (STU-530, virtual time):     {:>14.0} pen reports/s  ({n} reports = {pad_secs:.1} s of signing in {wall:.3} s, {:.0}x real time)",
        n as f64 / wall,
        pad_secs / wall
    );

    let pads = 32;
    let start = Instant::now();
    let handles: Vec<_> = (0..pads)
        .map(|i| {
            let script = script.clone();
            std::thread::spawn(move || {
                let mut pad = SimTransport::new(
                    PadConfig::new(model)
                        .serial(format!("B{i:04}"))
                        .script(script),
                    TimeMode::Virtual,
                );
                drain(&mut pad).0
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let wall = start.elapsed().as_secs_f64();
    println!(
        "simulator, {pads} pads at once (threads, virtual): {:>10.0} pen reports/s total, {:.0} per pad ({total} reports in {wall:.3} s, {} cores)",
        total as f64 / wall,
        total as f64 / wall / f64::from(pads),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent; keep it quick either way.
    decode_throughput();
    sim_rate();
}
