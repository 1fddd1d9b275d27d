//! Mutual TLS for the gRPC endpoint, and who is calling.
//!
//! The server presents its certificate and requires a client certificate
//! issued by the configured CA (rustls with the ring provider, through
//! tonic's `tls-ring`). The caller's identity is the Subject Common Name of
//! that certificate; its Organisational Unit says what kind of caller it is:
//! `help-desk` certificates may use only the HelpDesk service, every other
//! certificate is an edge agent and may use only EdgeSync.

use std::path::Path;

use der::Decode;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};
use x509_cert::Certificate as X509;

use crate::error::ServiceError;
use crate::pki::OU_HELP_DESK;

/// Installs rustls' ring provider as the process default (once; later calls do nothing).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// TLS settings from PEM text: the server's chain and key, and the CA whose
/// client certificates are accepted (a client certificate is required).
pub fn server_tls(
    client_ca_pem: &str,
    server_cert_pem: &str,
    server_key_pem: &str,
) -> ServerTlsConfig {
    ServerTlsConfig::new()
        .identity(Identity::from_pem(server_cert_pem, server_key_pem))
        .client_ca_root(Certificate::from_pem(client_ca_pem))
        .client_auth_optional(false)
}

/// TLS settings from PEM files.
pub fn server_tls_from_files(
    client_ca: &Path,
    cert: &Path,
    key: &Path,
) -> anyhow::Result<ServerTlsConfig> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| {
            anyhow::anyhow!(
                "cannot read {}: {e} (run `inkseal-server dev-certs` for development certificates)",
                p.display()
            )
        })
    };
    Ok(server_tls(&read(client_ca)?, &read(cert)?, &read(key)?))
}

/// What kind of caller a certificate belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerKind {
    /// An edge agent (any certificate that is not a help-desk one).
    EdgeAgent,
    /// A help-desk user (`OU=help-desk`).
    HelpDesk,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Subject Common Name: the agent id or the help-desk user id.
    pub id: String,
    /// Edge agent or help desk.
    pub kind: CallerKind,
}

/// The caller of `request`, from its TLS client certificate.
pub fn caller<T>(request: &tonic::Request<T>) -> Result<Caller, ServiceError> {
    let certs = request.peer_certs().ok_or_else(|| {
        ServiceError::Unauthenticated(
            "Chybí klientský certifikát (vzájemné TLS je povinné).".into(),
        )
    })?;
    let leaf = certs
        .first()
        .ok_or_else(|| ServiceError::Unauthenticated("Chybí klientský certifikát.".into()))?;
    caller_from_der(leaf.as_ref())
}

/// The caller named by a DER certificate.
pub fn caller_from_der(der: &[u8]) -> Result<Caller, ServiceError> {
    let bad = |why: String| {
        ServiceError::Unauthenticated(format!("Klientský certifikát nelze použít: {why}"))
    };
    let cert = X509::from_der(der).map_err(|e| bad(e.to_string()))?;
    let subject = cert.tbs_certificate().subject();
    let cn: String = subject
        .common_name()
        .map_err(|e| bad(e.to_string()))?
        .map(String::from)
        .ok_or_else(|| bad("nemá Common Name".into()))?;
    let ou: Option<String> = subject
        .organization_unit()
        .map_err(|e| bad(e.to_string()))?
        .map(String::from);
    let kind = if ou.as_deref() == Some(OU_HELP_DESK) {
        CallerKind::HelpDesk
    } else {
        CallerKind::EdgeAgent
    };
    if cn.is_empty() || cn.len() > inkseal_proto::limits::MAX_ACTOR_CHARS {
        return Err(bad("Common Name má nepřípustnou délku".into()));
    }
    Ok(Caller { id: cn, kind })
}

impl Caller {
    /// Only edge agents may sync.
    pub fn require_edge_agent(self) -> Result<Caller, ServiceError> {
        match self.kind {
            CallerKind::EdgeAgent => Ok(self),
            CallerKind::HelpDesk => Err(ServiceError::PermissionDenied(
                "Certifikát Help Desku nelze použít k synchronizaci nabídek.".into(),
            )),
        }
    }

    /// Only help-desk users may use the help-desk service.
    pub fn require_help_desk(self) -> Result<Caller, ServiceError> {
        match self.kind {
            CallerKind::HelpDesk => Ok(self),
            CallerKind::EdgeAgent => Err(ServiceError::PermissionDenied(
                "Služba Help Desku je jen pro uživatele Help Desku.".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::DevPki;

    fn der_of(pem: &str) -> Vec<u8> {
        X509::load_pem_chain(pem.as_bytes()).unwrap()[0].to_der_vec()
    }

    trait ToDerVec {
        fn to_der_vec(&self) -> Vec<u8>;
    }
    impl ToDerVec for X509 {
        fn to_der_vec(&self) -> Vec<u8> {
            der::Encode::to_der(self).unwrap()
        }
    }

    #[test]
    fn the_identity_is_the_common_name_and_the_unit_says_the_kind() {
        let pki = DevPki::generate(&["AGENT-7"], &["jana.novakova"]).unwrap();
        let agent = caller_from_der(&der_of(&pki.agent("AGENT-7").unwrap().cert_pem)).unwrap();
        assert_eq!(
            agent,
            Caller {
                id: "AGENT-7".into(),
                kind: CallerKind::EdgeAgent
            }
        );
        let user = caller_from_der(&der_of(
            &pki.help_desk_user("jana.novakova").unwrap().cert_pem,
        ))
        .unwrap();
        assert_eq!(user.kind, CallerKind::HelpDesk);
        assert!(user.clone().require_edge_agent().is_err());
        assert!(agent.require_help_desk().is_err());
    }
}
