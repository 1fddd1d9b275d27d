//! Development certificates (`inkseal-server dev-certs`).
//!
//! One run makes a throw-away CA and, signed by it: the server's certificate
//! for `localhost` / `127.0.0.1` / `::1`, a client certificate per edge agent
//! (Subject CN = agent id, OU `edge-agent`), a client certificate per help-desk
//! user (CN = user id, OU `help-desk`), and the insurer's seal (an RSA key, as
//! the PDF signer needs, with a certificate chain ending at the CA).
//! [`DevPki::issue_agent_signer`] issues an agent's document-signing
//! certificate (RSA, CN = agent id, OU `edge-signing`, extended key usage
//! id-kp-documentSigning), what acceptance requires of the edge agent's PDF
//! signature ([`crate::signer_trust`]). Demos and tests get working mutual TLS,
//! agent signatures and a seal with no other tools.
//!
//! Never use these in production: the CA's private key is written next to
//! its certificate so more certificates can be issued later.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};

/// Organisational unit of edge-agent client certificates.
pub const OU_EDGE_AGENT: &str = "edge-agent";
/// Organisational unit of help-desk client certificates.
pub const OU_HELP_DESK: &str = "help-desk";
/// Organisational unit of agents' document-signing certificates.
pub const OU_EDGE_SIGNING: &str = "edge-signing";

/// Certificate generation failed.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// rcgen refused the parameters.
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// A certificate could not be read back.
    #[error("certificate cannot be read: {0}")]
    Certificate(String),
    /// The RSA key for the seal could not be made or encoded.
    #[error("seal key generation failed: {0}")]
    Rsa(String),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A certificate (PEM; a chain where it says so) and its private key (PKCS#8 PEM).
#[derive(Clone)]
pub struct Issued {
    /// Certificate PEM.
    pub cert_pem: String,
    /// Private key PEM.
    pub key_pem: String,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Issued(..)")
    }
}

/// A development PKI.
#[derive(Debug, Clone)]
pub struct DevPki {
    /// The CA (self-signed).
    pub ca: Issued,
    /// The server (TLS server auth).
    pub server: Issued,
    /// Edge agents: (agent id, certificate).
    pub agents: Vec<(String, Issued)>,
    /// Help-desk users: (user id, certificate).
    pub help_desk: Vec<(String, Issued)>,
    /// The insurer's seal: chain PEM (seal, CA) and RSA key.
    pub seal: Issued,
    /// The CA's parameters, to issue more certificates later.
    ca_params: CertificateParams,
}

fn dn(cn: &str, ou: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "inkseal development");
    if let Some(ou) = ou {
        dn.push(DnType::OrganizationalUnitName, ou);
    }
    dn.push(DnType::CommonName, cn);
    dn
}

impl DevPki {
    /// Makes a CA, a server certificate, one client certificate per agent and
    /// help-desk user, and the insurer's seal (RSA 2048).
    pub fn generate(agents: &[&str], help_desk_users: &[&str]) -> Result<Self, PkiError> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.distinguished_name = dn("inkseal development CA", None);
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let ca = Issued {
            cert_pem: ca_cert.pem(),
            key_pem: ca_key.serialize_pem(),
        };
        let issuer = Issuer::new(ca_params.clone(), ca_key);

        let server_key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
        params.distinguished_name = dn("localhost", Some("backend"));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server = Issued {
            cert_pem: params.signed_by(&server_key, &issuer)?.pem(),
            key_pem: server_key.serialize_pem(),
        };

        let client = |cn: &str, ou: &str| -> Result<Issued, PkiError> {
            let key = KeyPair::generate()?;
            let mut params = CertificateParams::new(Vec::<String>::new())?;
            params.distinguished_name = dn(cn, Some(ou));
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            Ok(Issued {
                cert_pem: params.signed_by(&key, &issuer)?.pem(),
                key_pem: key.serialize_pem(),
            })
        };
        let agents = agents
            .iter()
            .map(|a| Ok(((*a).to_owned(), client(a, OU_EDGE_AGENT)?)))
            .collect::<Result<Vec<_>, PkiError>>()?;
        let help_desk = help_desk_users
            .iter()
            .map(|u| Ok(((*u).to_owned(), client(u, OU_HELP_DESK)?)))
            .collect::<Result<Vec<_>, PkiError>>()?;

        let seal = rsa_signer(
            &issuer,
            &ca.cert_pem,
            dn("inkseal insurer seal (development)", Some("seal")),
            Vec::new(),
        )?;
        Ok(DevPki {
            ca,
            server,
            agents,
            help_desk,
            seal,
            ca_params,
        })
    }

    /// Issues a new document-signing certificate for agent `id`: chain PEM
    /// (certificate, CA) and its RSA key (2048 bits; the PDF signer needs
    /// RSA). Each call makes a new key.
    pub fn issue_agent_signer(&self, id: &str) -> Result<Issued, PkiError> {
        let ca_key = KeyPair::from_pem(&self.ca.key_pem)?;
        let issuer = Issuer::from_params(&self.ca_params, ca_key);
        rsa_signer(
            &issuer,
            &self.ca.cert_pem,
            dn(id, Some(OU_EDGE_SIGNING)),
            vec![ExtendedKeyUsagePurpose::Other(
                crate::signer_trust::EKU_DOCUMENT_SIGNING_ARCS.to_vec(),
            )],
        )
    }

    /// A certificate revocation list of the CA (PEM) naming `revoked` (certificate chains as
    /// [`DevPki::issue_agent_signer`] gives them; the first certificate of each is revoked).
    pub fn revocation_list(&self, revoked: &[&Issued]) -> Result<String, PkiError> {
        use chrono::Datelike;
        let today = chrono::Utc::now().date_naive();
        let ymd =
            |d: chrono::NaiveDate| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
        let revoked_certs = revoked
            .iter()
            .map(|issued| {
                Ok(rcgen::RevokedCertParams {
                    serial_number: rcgen::SerialNumber::from_slice(&serial_of(&issued.cert_pem)?),
                    revocation_time: ymd(today),
                    reason_code: Some(rcgen::RevocationReason::Superseded),
                    invalidity_date: None,
                })
            })
            .collect::<Result<Vec<_>, PkiError>>()?;
        let params = rcgen::CertificateRevocationListParams {
            this_update: ymd(today),
            next_update: ymd(today + chrono::Days::new(365)),
            crl_number: rcgen::SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: self.ca_params.key_identifier_method.clone(),
        };
        let ca_key = KeyPair::from_pem(&self.ca.key_pem)?;
        let issuer = Issuer::from_params(&self.ca_params, ca_key);
        Ok(params.signed_by(&issuer)?.pem()?)
    }

    /// Writes an agent's document-signing certificate and key as
    /// `agents/<id>.signing.pem` and `agents/<id>.signing.key` under `dir`.
    pub fn write_agent_signer(
        dir: &Path,
        id: &str,
        signer: &Issued,
    ) -> Result<Vec<PathBuf>, PkiError> {
        let cert = dir.join(format!("agents/{id}.signing.pem"));
        let key = dir.join(format!("agents/{id}.signing.key"));
        put(&cert, &signer.cert_pem, false)?;
        put(&key, &signer.key_pem, true)?;
        Ok(vec![cert, key])
    }

    /// Writes the PKI under `dir` in the layout the default configuration
    /// expects (`ca.pem`, `server.pem`, `seal.pem`, `agents/<id>.pem`, …);
    /// returns the files written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, PkiError> {
        let mut written = Vec::new();
        let mut add = |rel: String, text: &str, secret: bool| -> Result<(), PkiError> {
            let path = dir.join(rel);
            put(&path, text, secret)?;
            written.push(path);
            Ok(())
        };
        add("ca.pem".into(), &self.ca.cert_pem, false)?;
        add("ca.key".into(), &self.ca.key_pem, true)?;
        add("server.pem".into(), &self.server.cert_pem, false)?;
        add("server.key".into(), &self.server.key_pem, true)?;
        add("seal.pem".into(), &self.seal.cert_pem, false)?;
        add("seal.key".into(), &self.seal.key_pem, true)?;
        for (id, c) in &self.agents {
            add(format!("agents/{id}.pem"), &c.cert_pem, false)?;
            add(format!("agents/{id}.key"), &c.key_pem, true)?;
        }
        for (id, c) in &self.help_desk {
            add(format!("help-desk/{id}.pem"), &c.cert_pem, false)?;
            add(format!("help-desk/{id}.key"), &c.key_pem, true)?;
        }
        Ok(written)
    }

    /// The certificate of agent `id`.
    pub fn agent(&self, id: &str) -> Option<&Issued> {
        self.agents.iter().find(|(a, _)| a == id).map(|(_, c)| c)
    }

    /// The certificate of help-desk user `id`.
    pub fn help_desk_user(&self, id: &str) -> Option<&Issued> {
        self.help_desk.iter().find(|(a, _)| a == id).map(|(_, c)| c)
    }
}

/// An RSA signing certificate issued by `issuer`, with the CA's certificate
/// after it in the chain.
fn rsa_signer(
    issuer: &Issuer<'_, KeyPair>,
    ca_pem: &str,
    subject: DistinguishedName,
    extended_key_usages: Vec<ExtendedKeyUsagePurpose>,
) -> Result<Issued, PkiError> {
    let rsa_key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
        .map_err(|e| PkiError::Rsa(e.to_string()))?;
    let rsa_pem = rsa_key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| PkiError::Rsa(e.to_string()))?;
    let key = KeyPair::from_pem_and_sign_algo(&rsa_pem, &rcgen::PKCS_RSA_SHA256)?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = subject;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.extended_key_usages = extended_key_usages;
    let cert = params.signed_by(&key, issuer)?;
    Ok(Issued {
        cert_pem: format!("{}{}", cert.pem(), ca_pem),
        key_pem: rsa_pem.to_string(),
    })
}

/// Writes `text` to `path` (creating its folder); `secret` files are
/// readable by their owner only.
fn put(path: &Path, text: &str, secret: bool) -> Result<(), PkiError> {
    let err = |source| PkiError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    std::fs::write(path, text).map_err(err)?;
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    #[cfg(not(unix))]
    let _ = secret;
    Ok(())
}

/// The serial number of the first certificate in `pem`.
fn serial_of(pem: &str) -> Result<Vec<u8>, PkiError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    use x509_cert::der::Decode;
    let der = CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| PkiError::Certificate(e.to_string()))?;
    let cert =
        x509_cert::Certificate::from_der(&der).map_err(|e| PkiError::Certificate(e.to_string()))?;
    Ok(cert.tbs_certificate().serial_number().as_bytes().to_vec())
}
