//! The pen on a simulated pad: signatures drawn inside the signing area the
//! edge agent shows, and taps on the buttons it draws; and a pad handle that
//! keeps the simulator reachable so its screen can be saved afterwards.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use device_sim::{PadConfig, PenScript, ScriptBuilder, SignatureSpec, SimTransport, TimeMode};
use inkseal_edge::screen::{Button, Layout, PixelRect};
use stu_protocol::{Model, Units};
use stu_transport::{Transport, TransportError};

/// Builds what the pen does on `model`, against the edge agent's layout.
pub struct Pen {
    model: Model,
    layout: Layout,
    builder: ScriptBuilder,
}

impl Pen {
    /// A pen over a pad of `model`.
    pub fn new(model: Model) -> Pen {
        Pen {
            model,
            layout: Layout::for_caps(model.capabilities()),
            builder: PenScript::builder(model).pause(400.0),
        }
    }

    fn area(&self) -> PixelRect {
        self.layout.signing_area.inset(4)
    }

    /// A good signature (seeded, reproducible) filling the signing area.
    pub fn sign(mut self, seed: u64) -> Pen {
        let rect = self.area().to_stu();
        self.builder = self
            .builder
            .signature_in_pixels(&SignatureSpec::new(seed), rect)
            .pause(300.0);
        self
    }

    /// A signature about `mm` millimetres wide.
    pub fn sign_narrow(mut self, seed: u64, mm: f32) -> Pen {
        let (w, _) = Units::new(self.model.capabilities()).mm_to_pixel(mm.into(), 0.0);
        let a = self.area();
        let rect = PixelRect {
            x1: a.x1 + 10,
            y1: a.y1,
            x2: a.x1 + 10 + w as u16,
            y2: a.y2,
        }
        .to_stu();
        self.builder = self
            .builder
            .signature_in_pixels(&SignatureSpec::new(seed), rect)
            .pause(300.0);
        self
    }

    /// A tap in the middle of a button.
    pub fn tap(mut self, button: Button) -> Pen {
        let (x, y) = self.layout.button(button).centre();
        self.builder = self.builder.tap_pixel(x, y).pause(600.0);
        self
    }

    /// The finished script.
    pub fn script(self) -> anyhow::Result<PenScript> {
        Ok(self.builder.build()?)
    }
}

/// A simulated pad (virtual time) shared between the edge agent and the
/// caller, who can render its screen when the session is over.
#[derive(Clone)]
pub struct SharedPad(Arc<Mutex<SimTransport>>);

impl SharedPad {
    /// A pad of `model` with serial `serial` playing `script`.
    pub fn new(model: Model, serial: &str, script: PenScript) -> SharedPad {
        let sim = SimTransport::new(
            PadConfig::new(model).serial(serial).script(script),
            TimeMode::Virtual,
        );
        SharedPad(Arc::new(Mutex::new(sim)))
    }

    /// What the pad's screen shows now, with its ink, as PNG.
    pub fn screen_png(&self, scale: u32) -> anyhow::Result<Vec<u8>> {
        let sim = self
            .0
            .lock()
            .map_err(|_| anyhow::anyhow!("pad lock poisoned"))?;
        Ok(sim.pad().screen().to_png(scale)?)
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&mut SimTransport) -> Result<R, TransportError>,
    ) -> Result<R, TransportError> {
        let mut sim = self.0.lock().map_err(|_| TransportError::Disconnected)?;
        f(&mut sim)
    }
}

impl Transport for SharedPad {
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError> {
        self.with(|s| s.get_feature(id, len))
    }
    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError> {
        self.with(|s| s.set_feature(report))
    }
    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        self.with(|s| s.read_input(timeout))
    }
    fn wait(&mut self, duration: Duration) {
        let _ = self.with(|s| {
            s.wait(duration);
            Ok(())
        });
    }
}
