//! `stu-sim`: serves simulated Wacom STU pads on loopback TCP so that host software can drive
//! them exactly as USB pads (see `stu_transport::frame` for the wire framing).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use device_sim::{
    FaultPlan, PadConfig, PenScript, ScriptStart, ServerConfig, SignatureSpec, SimServer,
    SimTransport, TimeMode,
};
use stu_protocol::{Model, Rect};
use stu_transport::Transport;

/// Simulated Wacom STU-300/430/530 signature pads on loopback TCP.
#[derive(Debug, Parser)]
#[command(name = "stu-sim", version)]
struct Args {
    /// Pad model: 300, 430 or 530.
    #[arg(long, default_value = "430", value_parser = parse_model)]
    model: Model,
    /// Serial number of the (first) pad.
    #[arg(long, default_value = "SIM00001")]
    serial: String,
    /// Number of pads of this model to serve (serials get -1, -2, … appended when more than one).
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// Extra pad as MODEL[:SERIAL], repeatable (e.g. --pad 530:CLIENT2).
    #[arg(long = "pad")]
    pads: Vec<String>,
    /// Address of the first pad; pad i listens on port + i (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:7700")]
    listen: SocketAddr,
    /// Pen script file (format in the crate docs and README).
    #[arg(long)]
    script: Option<PathBuf>,
    /// Synthetic signature with this seed, drawn in the signature box of the screen.
    #[arg(long)]
    signature: Option<u64>,
    /// Tap at X,Y (LCD pixels) after the signature, repeatable (e.g. the OK button).
    #[arg(long = "tap", value_parser = parse_point)]
    taps: Vec<(u16, u16)>,
    /// When the pen script starts: "inking" (host turns inking on) or "power-on".
    #[arg(long, default_value = "inking")]
    script_start: String,
    /// Fault, repeatable: KIND[:N]@TRIGGER, KIND = unplug|stall|corrupt|short|busy:N|image-fail,
    /// TRIGGER = t=MS | input=N | report=0xID. Example: unplug@t=1500.
    #[arg(long = "fault", value_parser = |s: &str| FaultPlan::parse(s).map_err(|e| e.to_string()))]
    faults: Vec<FaultPlan>,
    /// Time: "max" (virtual, as fast as the host reads) or a factor of real time (1 = real).
    #[arg(long, default_value = "1", value_parser = |s: &str| TimeMode::parse(s).ok_or("expected max or a positive number"))]
    speed: TimeMode,
    /// Write <serial>.png of each pad's screen here when a connection ends.
    #[arg(long)]
    render_dir: Option<PathBuf>,
    /// Do not serve: play the pen script with inking on and write the screen to this PNG.
    #[arg(long)]
    render: Option<PathBuf>,
    /// Do not serve: write the pen script (as built from --script/--signature/--tap) to this file.
    #[arg(long)]
    write_script: Option<PathBuf>,
    /// Stop after this many seconds (default: run until killed).
    #[arg(long)]
    duration_secs: Option<u64>,
}

fn parse_model(s: &str) -> Result<Model, String> {
    match s.trim_start_matches("STU-").trim_start_matches("stu-") {
        "300" => Ok(Model::Stu300),
        "430" => Ok(Model::Stu430),
        "530" => Ok(Model::Stu530),
        other => Err(format!("unknown model {other:?}: expected 300, 430 or 530")),
    }
}

fn parse_point(s: &str) -> Result<(u16, u16), String> {
    let (x, y) = s.split_once(',').ok_or("expected X,Y")?;
    Ok((
        x.trim().parse().map_err(|_| "bad X")?,
        y.trim().parse().map_err(|_| "bad Y")?,
    ))
}

/// The part of the screen where a signature goes: above the button strip (non-300 models) or
/// left of the button column (STU-300), as the SDK demo lays the screen out.
fn signature_box(model: Model) -> Rect {
    let c = model.capabilities();
    let (w, h) = (c.screen_width, c.screen_height);
    match model {
        Model::Stu300 => Rect {
            x1: 4,
            y1: 4,
            x2: w * 3 / 4 - 4,
            y2: h - 4,
        },
        _ => Rect {
            x1: w / 16,
            y1: h / 5,
            x2: w - w / 16,
            y2: h * 6 / 7 - 8,
        },
    }
}

fn script_for(args: &Args, model: Model) -> Result<PenScript, String> {
    if let Some(path) = &args.script {
        return PenScript::load(path).map_err(|e| format!("{}: {e}", path.display()));
    }
    let mut b = PenScript::builder(model).pause(200.0);
    if let Some(seed) = args.signature {
        b = b.signature_in_pixels(&SignatureSpec::new(seed), signature_box(model));
    }
    for &(x, y) in &args.taps {
        b = b.pause(400.0).tap_pixel(x, y);
    }
    b.build().map_err(|e| e.to_string())
}

fn run(args: Args) -> Result<(), String> {
    let start = match args.script_start.as_str() {
        "inking" => ScriptStart::InkingOn,
        "power-on" => ScriptStart::PowerOn,
        other => {
            return Err(format!(
                "--script-start {other:?}: expected inking or power-on"
            ));
        }
    };
    let mut pads = Vec::new();
    for i in 0..args.count.max(1) {
        let serial = if args.count > 1 {
            format!("{}-{}", args.serial, i + 1)
        } else {
            args.serial.clone()
        };
        pads.push((args.model, serial));
    }
    for spec in &args.pads {
        let (m, serial) = spec.split_once(':').unwrap_or((spec, ""));
        let serial = if serial.is_empty() {
            format!("SIM{:05}", pads.len() + 1)
        } else {
            serial.to_string()
        };
        pads.push((parse_model(m)?, serial));
    }
    let mut configs = Vec::new();
    for (i, (model, serial)) in pads.into_iter().enumerate() {
        let mut c = PadConfig::new(model)
            .serial(serial)
            .script(script_for(&args, model)?)
            .script_start(start);
        c.seed = i as u64 + 1;
        for f in &args.faults {
            c = c.fault(*f);
        }
        configs.push(c);
    }

    if let Some(out) = &args.write_script {
        let config = configs.first().ok_or("no pad")?;
        std::fs::write(out, config.script.to_text())
            .map_err(|e| format!("{}: {e}", out.display()))?;
        println!(
            "{} events written to {}",
            config.script.events().len(),
            out.display()
        );
        return Ok(());
    }
    if let Some(out) = &args.render {
        let config = configs.into_iter().next().ok_or("no pad")?;
        let mut pad = SimTransport::new(config, TimeMode::Virtual);
        pad.set_feature(&[0x21, 0x01]).map_err(|e| e.to_string())?;
        let mut reports = 0u32;
        while pad
            .read_input(Duration::from_secs(5))
            .map_err(|e| e.to_string())?
            .is_some()
        {
            reports += 1;
            if reports > 2_000_000 {
                break;
            }
        }
        let png = pad.pad().screen().to_png(2).map_err(|e| e.to_string())?;
        std::fs::write(out, png).map_err(|e| format!("{}: {e}", out.display()))?;
        println!("{reports} pen reports; screen written to {}", out.display());
        return Ok(());
    }

    let server = SimServer::start(ServerConfig {
        listen: args.listen,
        pads: configs,
        time: args.speed,
        render_dir: args.render_dir.clone(),
    })
    .map_err(|e| e.to_string())?;
    for (i, addr) in server.addrs().iter().enumerate() {
        if let Some(p) = server.pad(i) {
            let t = p.lock().map_err(|_| "pad lock")?;
            let (_, pid, _, serial) = t.pad().usb_identity();
            println!(
                "pad {i}: {} (pid 0x{pid:04X}) serial {serial} listening on {addr}",
                t.pad().capabilities().name
            );
        }
    }
    let deadline = args
        .duration_secs
        .map(|s| std::time::Instant::now() + Duration::from_secs(s));
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            break;
        }
    }
    server.shutdown();
    Ok(())
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("stu-sim: {e}");
        std::process::exit(2);
    }
}
