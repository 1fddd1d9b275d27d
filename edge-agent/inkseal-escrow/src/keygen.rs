//! `keygen`: a fresh escrow key pair — the private key (PKCS#8 PEM, readable by its owner only)
//! and the public key (SPKI PEM) that edge agents are configured with.

use std::path::{Path, PathBuf};

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

use crate::error::EscrowError;

/// File name of the private key.
pub const PRIVATE_FILE: &str = "escrow-private.pem";
/// File name of the public key.
pub const PUBLIC_FILE: &str = "escrow-public.pem";

/// Generates the pair into `dir`; returns the two paths. Refuses to overwrite a private key.
pub fn run(dir: &Path, bits: usize) -> Result<Vec<PathBuf>, EscrowError> {
    if !(biometric_envelope::keys::MIN_RSA_BITS..=biometric_envelope::keys::MAX_RSA_BITS)
        .contains(&bits)
    {
        return Err(EscrowError::Key(format!(
            "{bits} bits: expected 2048 to 8192"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| EscrowError::io(dir, e))?;
    let private_path = dir.join(PRIVATE_FILE);
    if private_path.exists() {
        return Err(EscrowError::Io {
            path: private_path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "will not overwrite a private key",
            ),
        });
    }
    let key = rsa::PrivateKey::new(&mut biometric_envelope::SysRng, bits)
        .map_err(|e| EscrowError::Key(e.to_string()))?;
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| EscrowError::Key(e.to_string()))?;
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| EscrowError::Key(e.to_string()))?;
    write_private(&private_path, private_pem.as_bytes())?;
    let public_path = dir.join(PUBLIC_FILE);
    std::fs::write(&public_path, public_pem).map_err(|e| EscrowError::io(&public_path, e))?;
    Ok(vec![private_path, public_path])
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), EscrowError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| EscrowError::io(path, e))?;
    f.write_all(bytes).map_err(|e| EscrowError::io(path, e))
}
