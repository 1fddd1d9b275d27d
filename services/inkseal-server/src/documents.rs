//! Document storage, content-addressed: a PDF lives at `sha256/<hex>.pdf`.
//!
//! Behind the `object_store` crate: a local folder by default (written with
//! fsync, so a stored document survives a power cut), S3-compatible storage
//! with the `s3` cargo feature and `documents.backend = "s3"`, and memory for
//! tests. A put is atomic (a reader never sees part of a document); putting
//! the same bytes again stores nothing new. Reads are bounded and checked
//! against the hash in the name.

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, ObjectStore, PutOptions, PutPayload};
use offer_lifecycle::Sha256;
use sha2::Digest;

use crate::config::{Config, DocumentsBackend};

/// Largest document read back (bytes): the insurer's seal adds a little to a sealed PDF.
pub const MAX_DOCUMENT_BYTES: u64 = inkseal_proto::limits::MAX_PDF_BYTES + 1024 * 1024;

/// Document storage failed.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The storage backend failed.
    #[error("{0}")]
    Backend(#[from] object_store::Error),
    /// A document is larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document {0} is larger than allowed")]
    TooLarge(String),
    /// Stored bytes do not hash to their name.
    #[error("stored document {0} does not match its SHA-256")]
    Corrupt(String),
    /// The configuration names a backend this build lacks, or is incomplete.
    #[error("{0}")]
    Config(String),
}

/// A stored PDF on its way out.
pub struct PdfStream {
    /// The whole document's size.
    pub size: u64,
    /// The bytes the stream carries.
    pub range: std::ops::Range<u64>,
    /// The bytes.
    pub body: futures::stream::BoxStream<'static, Result<Bytes, object_store::Error>>,
}

/// The document storage.
#[derive(Debug, Clone)]
pub struct Documents {
    store: Arc<dyn ObjectStore>,
    /// The folder, when the storage is a local folder (downloads then read it directly in
    /// large chunks instead of `object_store`'s 8 KiB ones).
    local_root: Option<std::path::PathBuf>,
}

/// Bytes read from a local file per step of a download.
pub const STREAM_CHUNK_BYTES: usize = 256 * 1024;

/// SHA-256 of `bytes`.
pub fn sha256_of(bytes: &[u8]) -> Sha256 {
    Sha256::from_bytes(sha2::Sha256::digest(bytes).into())
}

impl Documents {
    /// Storage over any object store.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Documents {
            store,
            local_root: None,
        }
    }

    /// A local folder (created if missing), with fsync on every write.
    pub fn local(dir: &std::path::Path) -> Result<Self, DocumentError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DocumentError::Config(format!("cannot create {}: {e}", dir.display())))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)?.with_fsync(true);
        let root = std::fs::canonicalize(dir)
            .map_err(|e| DocumentError::Config(format!("cannot resolve {}: {e}", dir.display())))?;
        Ok(Documents {
            store: Arc::new(fs),
            local_root: Some(root),
        })
    }

    /// In memory (tests and benchmarks).
    pub fn in_memory() -> Self {
        Self::new(Arc::new(object_store::memory::InMemory::new()))
    }

    /// The storage the configuration names.
    pub fn from_config(config: &Config) -> Result<Self, DocumentError> {
        match config.documents.backend {
            DocumentsBackend::Local => Self::local(&config.resolve(&config.documents.local_dir)),
            DocumentsBackend::S3 => Self::s3(config),
        }
    }

    #[cfg(feature = "s3")]
    fn s3(config: &Config) -> Result<Self, DocumentError> {
        let d = &config.documents;
        let bucket = d
            .s3_bucket
            .clone()
            .ok_or_else(|| DocumentError::Config("documents.s3_bucket is not set".into()))?;
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_allow_http(d.s3_allow_http);
        if let Some(region) = &d.s3_region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = &d.s3_endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        Ok(Self::new(Arc::new(builder.build()?)))
    }

    #[cfg(not(feature = "s3"))]
    fn s3(_config: &Config) -> Result<Self, DocumentError> {
        Err(DocumentError::Config(
            "documents.backend = \"s3\" needs a build with the `s3` feature (cargo build -p inkseal-server --features s3)".into(),
        ))
    }

    /// Where a PDF with this hash is stored.
    pub fn pdf_path(sha: &Sha256) -> ObjectPath {
        ObjectPath::from(format!("sha256/{}.pdf", sha.to_hex()))
    }

    /// Whether a PDF with this hash is stored.
    pub async fn contains(&self, sha: &Sha256) -> Result<bool, DocumentError> {
        let options = GetOptions {
            head: true,
            ..Default::default()
        };
        match self.store.get_opts(&Self::pdf_path(sha), options).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a PDF whose SHA-256 the caller has checked to be `sha`;
    /// returns whether it was stored before (nothing is written then).
    pub async fn put_pdf(&self, sha: &Sha256, bytes: Bytes) -> Result<bool, DocumentError> {
        debug_assert_eq!(&sha256_of(&bytes), sha);
        if self.contains(sha).await? {
            return Ok(true);
        }
        self.store
            .put_opts(
                &Self::pdf_path(sha),
                PutPayload::from_bytes(bytes),
                PutOptions::default(),
            )
            .await?;
        Ok(false)
    }

    /// Hashes and stores a PDF; returns its hash.
    pub async fn put_new_pdf(&self, bytes: Bytes) -> Result<Sha256, DocumentError> {
        let sha = sha256_of(&bytes);
        self.put_pdf(&sha, bytes).await?;
        Ok(sha)
    }

    /// A stored PDF's size in bytes; `None` when absent.
    pub async fn size_of(&self, sha: &Sha256) -> Result<Option<u64>, DocumentError> {
        let options = GetOptions {
            head: true,
            ..Default::default()
        };
        match self.store.get_opts(&Self::pdf_path(sha), options).await {
            Ok(r) => Ok(Some(r.meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Streams a stored PDF, or the byte range `range` of it, without reading it into memory
    /// (the storage site's downloads); `None` when absent. The bytes are not hashed on the way:
    /// the document was checked when it was published.
    pub async fn stream_pdf(
        &self,
        sha: &Sha256,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<Option<PdfStream>, DocumentError> {
        if let Some(root) = &self.local_root {
            let path = root.join(Self::pdf_path(sha).as_ref());
            return local_stream(path, range).await;
        }
        let options = GetOptions {
            range: range.map(object_store::GetRange::Bounded),
            ..Default::default()
        };
        match self.store.get_opts(&Self::pdf_path(sha), options).await {
            Ok(r) => {
                let (size, range) = (r.meta.size, r.range.clone());
                Ok(Some(PdfStream {
                    size,
                    range,
                    body: r.into_stream(),
                }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads a PDF back, checking its size bound and hash; `None` when absent.
    pub async fn get_pdf(&self, sha: &Sha256) -> Result<Option<Bytes>, DocumentError> {
        let result = match self
            .store
            .get_opts(&Self::pdf_path(sha), GetOptions::default())
            .await
        {
            Ok(r) => r,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if result.meta.size > MAX_DOCUMENT_BYTES {
            return Err(DocumentError::TooLarge(sha.to_hex()));
        }
        let bytes = result.bytes().await?;
        if &sha256_of(&bytes) != sha {
            return Err(DocumentError::Corrupt(sha.to_hex()));
        }
        Ok(Some(bytes))
    }
}

/// Streams `range` of a local file in [`STREAM_CHUNK_BYTES`] pieces, each read on the blocking pool.
async fn local_stream(
    path: std::path::PathBuf,
    range: Option<std::ops::Range<u64>>,
) -> Result<Option<PdfStream>, DocumentError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e: std::io::Error, path: &std::path::Path| {
        DocumentError::Backend(object_store::Error::Generic {
            store: "local",
            source: format!("{}: {e}", path.display()).into(),
        })
    };
    let opened = tokio::task::spawn_blocking(move || {
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e, &path)),
        };
        let size = file.metadata().map_err(|e| io(e, &path))?.len();
        let range = range.unwrap_or(0..size);
        if range.start > range.end || range.end > size {
            return Err(DocumentError::Config(format!(
                "range {range:?} outside a document of {size} bytes"
            )));
        }
        file.seek(SeekFrom::Start(range.start))
            .map_err(|e| io(e, &path))?;
        Ok(Some((file, path, size, range)))
    })
    .await
    .map_err(|e| DocumentError::Config(e.to_string()))??;
    let Some((file, path, size, range)) = opened else {
        return Ok(None);
    };
    let remaining = range.end - range.start;
    let body = futures::stream::try_unfold(
        (Some(file), remaining, path),
        |(file, remaining, path)| async move {
            let Some(mut file) = file else {
                return Ok(None);
            };
            if remaining == 0 {
                return Ok(None);
            }
            let take = remaining.min(STREAM_CHUNK_BYTES as u64);
            tokio::task::spawn_blocking(move || {
                let mut buffer = Vec::with_capacity(take as usize);
                let read = (&mut file)
                    .take(take)
                    .read_to_end(&mut buffer)
                    .map_err(|e| object_store::Error::Generic {
                        store: "local",
                        source: format!("{}: {e}", path.display()).into(),
                    })?;
                if read == 0 {
                    return Err(object_store::Error::Generic {
                        store: "local",
                        source: format!("{} ended early", path.display()).into(),
                    });
                }
                Ok(Some((
                    Bytes::from(buffer),
                    (Some(file), remaining - read as u64, path),
                )))
            })
            .await
            .map_err(|e| object_store::Error::Generic {
                store: "local",
                source: e.to_string().into(),
            })?
        },
    );
    Ok(Some(PdfStream {
        size,
        range,
        body: Box::pin(body),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_document_is_stored_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let docs = Documents::local(dir.path()).unwrap();
        let pdf = Bytes::from_static(b"%PDF-1.7 test");
        let sha = sha256_of(&pdf);
        assert!(!docs.put_pdf(&sha, pdf.clone()).await.unwrap());
        assert!(
            docs.put_pdf(&sha, pdf.clone()).await.unwrap(),
            "second put is a no-op"
        );
        assert!(
            dir.path()
                .join(format!("sha256/{}.pdf", sha.to_hex()))
                .exists()
        );
        assert_eq!(docs.get_pdf(&sha).await.unwrap().unwrap(), pdf);
        assert!(docs.get_pdf(&sha256_of(b"other")).await.unwrap().is_none());
    }
}
