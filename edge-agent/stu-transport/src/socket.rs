//! Client side of the simulator socket: a [`Transport`] over loopback TCP using the framing
//! in [`crate::frame`].

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::Transport;
use crate::error::TransportError;
use crate::frame::{Frame, Kind, map_io};
use crate::hid::PadInfo;

/// A pad served by a simulator process.
#[derive(Debug)]
pub struct SocketTransport {
    stream: TcpStream,
    info: PadInfo,
    reply_timeout: Duration,
    broken: bool,
}

/// Default wait for a feature reply.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(2);

impl SocketTransport {
    /// Connects, waiting at most `timeout` for the connection and the pad's Hello frame.
    pub fn connect(
        addr: impl ToSocketAddrs,
        timeout: Duration,
    ) -> Result<SocketTransport, TransportError> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        let first = addrs
            .first()
            .ok_or_else(|| TransportError::NotFound("no socket address".into()))?;
        let stream = TcpStream::connect_timeout(first, timeout).map_err(map_io)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut t = SocketTransport {
            stream,
            info: PadInfo::default(),
            reply_timeout: DEFAULT_REPLY_TIMEOUT,
            broken: false,
        };
        let hello = t.receive(timeout)?;
        if hello.kind != Kind::Hello || hello.payload.len() < 6 {
            return Err(TransportError::Framing("expected a Hello frame"));
        }
        let p = &hello.payload;
        t.info = PadInfo::new(
            u16::from_be_bytes([p[0], p[1]]),
            u16::from_be_bytes([p[2], p[3]]),
            u16::from_be_bytes([p[4], p[5]]),
            String::from_utf8_lossy(&p[6..]).into_owned(),
            format!("sim://{first}"),
        );
        Ok(t)
    }

    /// Who the simulator says it is (as USB enumeration would).
    pub fn info(&self) -> &PadInfo {
        &self.info
    }

    /// Sets how long a feature request may wait for its answer.
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.reply_timeout = timeout;
    }

    fn receive(&mut self, timeout: Duration) -> Result<Frame, TransportError> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match Frame::read_from(&mut self.stream) {
            Ok(f) => Ok(f),
            Err(TransportError::Timeout(_)) => {
                // A late answer would desynchronise request and reply: the link is unusable.
                self.broken = true;
                Err(TransportError::Timeout(timeout))
            }
            Err(e) => {
                self.broken = true;
                Err(e)
            }
        }
    }

    fn request(&mut self, frame: Frame, timeout: Duration) -> Result<Frame, TransportError> {
        if self.broken {
            return Err(TransportError::Disconnected);
        }
        if let Err(e) = frame.write_to(&mut self.stream) {
            self.broken = true;
            return Err(e);
        }
        let reply = self.receive(timeout)?;
        if reply.kind == Kind::Rejected {
            let id = reply.payload.first().copied().unwrap_or(0);
            let reason =
                String::from_utf8_lossy(reply.payload.get(1..).unwrap_or(&[])).into_owned();
            return Err(TransportError::Rejected { id, reason });
        }
        Ok(reply)
    }
}

impl Transport for SocketTransport {
    fn get_feature(&mut self, id: u8, len: usize) -> Result<Vec<u8>, TransportError> {
        if len == 0 || len > crate::MAX_REPORT_LEN {
            return Err(TransportError::BadReport(len));
        }
        let len16 = (len as u16).to_be_bytes();
        let reply = self.request(
            Frame::new(Kind::GetFeature, vec![id, len16[0], len16[1]])?,
            self.reply_timeout,
        )?;
        match reply.kind {
            Kind::Feature => Ok(reply.payload),
            _ => Err(TransportError::Framing("expected a Feature frame")),
        }
    }

    fn set_feature(&mut self, report: &[u8]) -> Result<(), TransportError> {
        if report.is_empty() || report.len() > crate::MAX_REPORT_LEN {
            return Err(TransportError::BadReport(report.len()));
        }
        let reply = self.request(
            Frame::new(Kind::SetFeature, report.to_vec())?,
            self.reply_timeout,
        )?;
        match reply.kind {
            Kind::SetOk => Ok(()),
            _ => Err(TransportError::Framing("expected a SetOk frame")),
        }
    }

    fn read_input(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TransportError> {
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        let reply = self.request(
            Frame::new(Kind::ReadInput, ms.to_be_bytes().to_vec())?,
            timeout + self.reply_timeout,
        )?;
        match reply.kind {
            Kind::Input => Ok(Some(reply.payload)),
            Kind::NoInput => Ok(None),
            _ => Err(TransportError::Framing(
                "expected an Input or NoInput frame",
            )),
        }
    }
}
