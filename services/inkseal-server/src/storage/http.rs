//! The storage site's listener: plain HTTP/1.1 (on loopback, or behind a TLS
//! proxy) or TLS by configuration, with a bound on connections and a timeout
//! for everything a slow client could hold open.
//!
//! Each connection gets the peer's address as a request extension
//! ([`Peer`]). A connection over [`HttpLimits::max_connections`] is closed at
//! once; a TLS handshake or a request head that takes longer than
//! [`HttpLimits::handshake`] / [`HttpLimits::header`] is cut off, and so is a
//! connection idle between requests. On shutdown, listening stops and open
//! connections finish their current request.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::shutdown::Shutdown;

/// The address a request came from (the TCP peer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

/// Bounds on what clients may hold.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// Longest TLS handshake.
    pub handshake: Duration,
    /// Longest wait for a request's head (also between requests on a kept-alive connection).
    pub header: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 1024,
            handshake: Duration::from_secs(10),
            header: Duration::from_secs(10),
        }
    }
}

/// A rustls server configuration (ring provider) from PEM files.
pub fn tls_from_files(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} holds no PEM certificate chain", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("cannot read a PEM private key from {}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .context("the storage site's certificate and key do not fit together")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves `router` on `listener` until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: HttpLimits,
    mut shutdown: Shutdown,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let acceptor = tls.map(TlsAcceptor::from);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // e.g. out of file descriptors: wait a moment rather than spin
                    tracing::warn!(error = %e, "storage site cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = shutdown.wait() => return Ok(()),
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%peer, max = limits.max_connections, "storage site at its connection limit; closing");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = acceptor.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = TowerToHyperService::new(router.layer(axum::Extension(Peer(peer))));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header)
                .keep_alive(true)
                .max_buf_size(64 * 1024);
            let result = match acceptor {
                Some(acceptor) => {
                    let tls = match tokio::time::timeout(limits.handshake, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let conn = builder.serve_connection(TokioIo::new(tls), service);
                    drive(conn, &mut conn_shutdown).await
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    drive(conn, &mut conn_shutdown).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "storage connection ended with an error");
            }
        });
    }
}

/// Runs one connection; on shutdown it finishes the request in flight and closes.
async fn drive<I, S>(
    conn: hyper::server::conn::http1::Connection<I, S>,
    shutdown: &mut Shutdown,
) -> hyper::Result<()>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => result,
        _ = shutdown.wait() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    }
}
