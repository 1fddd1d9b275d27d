//! The socket server: serves simulated pads on loopback TCP with the framing of
//! `stu_transport::frame`, so a separate `stu-sim` process stands in for USB pads.
//!
//! One listener per pad (consecutive ports from the base address, or any free port when the
//! base port is 0), one thread per listener, one connection at a time per pad (pads are opened
//! exclusively, as the SDK does). Every read has a timeout so the server stops promptly.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use stu_transport::frame::{Frame, Kind, MAX_PAYLOAD};
use stu_transport::{Transport, TransportError};

use crate::clock::TimeMode;
use crate::inproc::SimTransport;
use crate::pad::PadConfig;

/// Longest ReadInput wait the server honours per request.
pub const MAX_READ_WAIT: Duration = Duration::from_secs(10);
/// How often idle loops look at the stop flag.
const POLL: Duration = Duration::from_millis(20);
/// Bound on pads one server runs.
pub const MAX_PADS: usize = 256;

/// What to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address of the first pad; pad i listens on port + i (port 0: any free port each).
    pub listen: SocketAddr,
    pub pads: Vec<PadConfig>,
    pub time: TimeMode,
    /// Write `<serial>.png` of the pad's screen here whenever a connection ends.
    pub render_dir: Option<PathBuf>,
}

/// A shared handle on one served pad.
pub type SharedPad = Arc<Mutex<SimTransport>>;

/// Running simulated pads.
#[derive(Debug)]
pub struct SimServer {
    addrs: Vec<SocketAddr>,
    pads: Vec<SharedPad>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("at most {MAX_PADS} pads, got {0}")]
    TooManyPads(usize),
    #[error("no pads to serve")]
    NoPads,
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl SimServer {
    /// Binds every pad's listener and starts serving.
    pub fn start(config: ServerConfig) -> Result<SimServer, ServerError> {
        if config.pads.is_empty() {
            return Err(ServerError::NoPads);
        }
        if config.pads.len() > MAX_PADS {
            return Err(ServerError::TooManyPads(config.pads.len()));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let mut server = SimServer {
            addrs: Vec::new(),
            pads: Vec::new(),
            stop: stop.clone(),
            threads: Vec::new(),
        };
        for (i, pad_config) in config.pads.into_iter().enumerate() {
            let mut addr = config.listen;
            if addr.port() != 0 {
                addr.set_port(addr.port() + i as u16);
            }
            let listener =
                TcpListener::bind(addr).map_err(|source| ServerError::Bind { addr, source })?;
            listener.set_nonblocking(true)?;
            server.addrs.push(listener.local_addr()?);
            let pad = Arc::new(Mutex::new(SimTransport::new(pad_config, config.time)));
            server.pads.push(pad.clone());
            let stop = stop.clone();
            let render_dir = config.render_dir.clone();
            server.threads.push(std::thread::spawn(move || {
                listen(listener, pad, stop, render_dir)
            }));
        }
        Ok(server)
    }

    /// The address of each pad, in configuration order.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Pad `i` (to look at its screen, inject a fault, …).
    pub fn pad(&self, i: usize) -> Option<SharedPad> {
        self.pads.get(i).cloned()
    }

    /// Asks every thread to stop.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// True once a stop was requested.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Stops and waits for every thread.
    pub fn shutdown(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.request_stop();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.finish();
    }
}

fn listen(
    listener: TcpListener,
    pad: SharedPad,
    stop: Arc<AtomicBool>,
    render_dir: Option<PathBuf>,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let unplugged = pad
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pad()
                    .is_unplugged();
                if unplugged {
                    drop(stream);
                    continue;
                }
                let _ = serve(stream, &pad, &stop);
                if let Some(dir) = &render_dir {
                    let t = pad.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Ok(png) = t.pad().screen().to_png(2) {
                        let _ = std::fs::write(
                            dir.join(format!("{}.png", t.pad().config().serial)),
                            png,
                        );
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

fn send(stream: &mut TcpStream, kind: Kind, payload: Vec<u8>) -> std::io::Result<()> {
    let frame = Frame { kind, payload };
    stream.write_all(&frame.encode())
}

/// Serves one connection until the client leaves, the pad is unplugged, or stop is asked.
fn serve(mut stream: TcpStream, pad: &SharedPad, stop: &AtomicBool) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(POLL))?;
    let hello = {
        let t = pad.lock().unwrap_or_else(PoisonError::into_inner);
        let (vid, pid, bcd, serial) = t.pad().usb_identity();
        let mut p = Vec::new();
        p.extend_from_slice(&vid.to_be_bytes());
        p.extend_from_slice(&pid.to_be_bytes());
        p.extend_from_slice(&bcd.to_be_bytes());
        p.extend_from_slice(serial.as_bytes());
        p.truncate(MAX_PAYLOAD);
        p
    };
    send(&mut stream, Kind::Hello, hello)?;
    let mut buf: Vec<u8> = Vec::with_capacity(MAX_PAYLOAD + 3);
    let mut chunk = [0u8; 1024];
    let mut stalled = false;
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e),
        }
        if buf.len() > 4 * (MAX_PAYLOAD + 3) {
            return Ok(()); // a client that floods us is dropped
        }
        loop {
            let (frame, used) = match Frame::decode(&buf) {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(_) => return Ok(()),
            };
            buf.drain(..used);
            if stalled {
                continue; // a stalled pad answers nothing
            }
            let mut t = pad.lock().unwrap_or_else(PoisonError::into_inner);
            let answer: Result<(Kind, Vec<u8>), TransportError> = match frame.kind {
                Kind::GetFeature if frame.payload.len() == 3 => {
                    let len = usize::from(u16::from_be_bytes([frame.payload[1], frame.payload[2]]));
                    t.get_feature(frame.payload[0], len)
                        .map(|b| (Kind::Feature, b))
                }
                Kind::SetFeature if !frame.payload.is_empty() => t
                    .set_feature(&frame.payload)
                    .map(|()| (Kind::SetOk, vec![])),
                Kind::ReadInput if frame.payload.len() == 4 => {
                    let ms = u32::from_be_bytes([
                        frame.payload[0],
                        frame.payload[1],
                        frame.payload[2],
                        frame.payload[3],
                    ]);
                    let wait = Duration::from_millis(u64::from(ms)).min(MAX_READ_WAIT);
                    t.read_input(wait).map(|r| match r {
                        Some(bytes) => (Kind::Input, bytes),
                        None => (Kind::NoInput, vec![]),
                    })
                }
                _ => return Ok(()), // not a request: drop the client
            };
            drop(t);
            match answer {
                Ok((kind, payload)) => send(&mut stream, kind, payload)?,
                Err(TransportError::Rejected { id, reason }) => {
                    let mut p = vec![id];
                    p.extend_from_slice(reason.as_bytes());
                    send(&mut stream, Kind::Rejected, p)?;
                }
                Err(TransportError::Timeout(_)) => stalled = true,
                Err(_) => return Ok(()), // unplugged: the connection drops
            }
        }
    }
    Ok(())
}
