//! S3-compatible object storage. An object appears only when its upload completes (a single PUT, or a
//! multipart upload's final request), so readers never see half a file; large uploads go up in parts read
//! from the spooled file, so memory stays bounded whatever the size of a video.

use std::path::{Component, Path};

use domain::ports::FileStore;
use domain::{DomainError, Result};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;

/// Files at most this large go up in one request; larger ones in parts of this size (S3 needs ≥ 5 MiB
/// parts, and a few of them in flight keep a 500 MB video to tens of megabytes of memory).
const PART: usize = 8 << 20;
/// Parts uploaded at once.
const PARTS_IN_FLIGHT: usize = 4;

/// Where and how to reach the object store.
#[derive(Clone, Default)]
pub struct S3Settings {
    /// `s3://bucket` or `s3://bucket/prefix`: every key is stored under the prefix.
    pub url: String,
    /// The service address for non-AWS stores (`http://minio.internal:9000`); plain `http` is allowed
    /// because such stores usually sit on the agency's internal network.
    pub endpoint: Option<String>,
    /// Region (MinIO accepts any; `us-east-1` when unset).
    pub region: Option<String>,
    /// Access key; when unset, `AWS_ACCESS_KEY_ID` (secrets never go on the command line).
    pub access_key_id: Option<String>,
    /// Secret key; when unset, `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<String>,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret key stays out of logs.
        f.debug_struct("S3Settings").field("url", &self.url).field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

/// Settings that cannot work, in Chinese for the person starting the server.
#[derive(Debug)]
pub struct SettingsError(String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// Files in an S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Files {
    store: AmazonS3,
    prefix: String,
}

impl S3Files {
    /// Connects (lazily: the first request opens the connection). The `AWS_*` environment supplies what
    /// the settings leave unset.
    pub fn new(settings: &S3Settings) -> std::result::Result<S3Files, SettingsError> {
        let rest = settings
            .url
            .strip_prefix("s3://")
            .ok_or_else(|| SettingsError(format!("对象存储地址须以 s3:// 开头：{}", settings.url)))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(SettingsError(format!("对象存储地址缺少存储桶名：{}", settings.url)));
        }
        let mut b = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(e) = &settings.endpoint {
            b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
        }
        b = b.with_region(settings.region.as_deref().unwrap_or("us-east-1"));
        if let Some(k) = &settings.access_key_id {
            b = b.with_access_key_id(k);
        }
        if let Some(k) = &settings.secret_access_key {
            b = b.with_secret_access_key(k);
        }
        let store = b.build().map_err(|e| SettingsError(format!("对象存储配置有误：{e}")))?;
        Ok(S3Files { store, prefix: prefix.trim_matches('/').to_string() })
    }

    /// Checks that the bucket takes and gives back an object with these credentials (at start-up, so that a
    /// wrong key or bucket is found before the first officer uploads a photo).
    /// The error names the cause: it is read by the person starting the server, not by users.
    pub async fn check(&self) -> std::result::Result<(), SettingsError> {
        let unavailable = |e: object_store::Error| SettingsError(format!("对象存储不可用：{e}"));
        let path = self.path("firelaw-check/connection").map_err(|e| {
            let cause = if let DomainError::Internal(c) = e { c } else { e.to_string() };
            SettingsError(format!("对象存储前缀有误：{cause}"))
        })?;
        self.store.put(&path, b"ok".to_vec().into()).await.map_err(unavailable)?;
        self.store.head(&path).await.map_err(unavailable)?;
        Ok(())
    }

    /// The object path of a key. Keys are made by the services; anything that is not a plain relative
    /// path is refused, as in the local folder.
    fn path(&self, key: &str) -> Result<ObjectPath> {
        let ok = !key.is_empty() && Path::new(key).components().all(|c| matches!(c, Component::Normal(_)));
        if !ok {
            return Err(DomainError::internal(format!("bad storage key {key:?}")));
        }
        let full = if self.prefix.is_empty() { key.to_string() } else { format!("{}/{key}", self.prefix) };
        ObjectPath::parse(full).map_err(|e| DomainError::internal(format!("bad storage key {key:?}: {e}")))
    }

    /// The path for a new key; an existing object is never replaced.
    async fn fresh(&self, key: &str) -> Result<ObjectPath> {
        let path = self.path(key)?;
        match self.store.head(&path).await {
            Ok(_) => Err(DomainError::internal(format!("storage key {key} exists"))),
            Err(object_store::Error::NotFound { .. }) => Ok(path),
            Err(e) => Err(s3(e)),
        }
    }
}

/// A store error: the cause goes to the log; the user is told the storage is unavailable.
fn s3(e: object_store::Error) -> DomainError {
    match e {
        object_store::Error::NotFound { .. } => DomainError::NotFound("文件"),
        e => {
            tracing::error!(error = %e, "object storage");
            DomainError::Unavailable
        }
    }
}

fn io(e: std::io::Error) -> DomainError {
    DomainError::internal(format!("reading spooled upload: {e}"))
}

#[async_trait::async_trait]
impl FileStore for S3Files {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.fresh(key).await?;
        self.store.put(&path, bytes.into()).await.map_err(s3)?;
        Ok(())
    }

    async fn put_file(&self, key: &str, file: &Path) -> Result<()> {
        let path = self.fresh(key).await?;
        let mut f = tokio::fs::File::open(file).await.map_err(io)?;
        let len = f.metadata().await.map_err(io)?.len();
        if len <= PART as u64 {
            let mut buf = Vec::with_capacity(len as usize);
            f.read_to_end(&mut buf).await.map_err(io)?;
            self.store.put(&path, buf.into()).await.map_err(s3)?;
            return Ok(());
        }
        let upload = self.store.put_multipart(&path).await.map_err(s3)?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, PART);
        let sent: Result<()> = async {
            let mut buf = vec![0u8; PART];
            loop {
                let n = read_full(&mut f, &mut buf).await.map_err(io)?;
                if n == 0 {
                    return Ok(());
                }
                w.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(s3)?;
                w.put(bytes::Bytes::copy_from_slice(&buf[..n]));
            }
        }
        .await;
        match sent {
            Ok(()) => {
                w.finish().await.map_err(s3)?;
                Ok(())
            }
            Err(e) => {
                // Drop the parts already sent: no half object, no storage bill for orphans.
                let _ = w.abort().await;
                Err(e)
            }
        }
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        let r = self.store.get(&self.path(key)?).await.map_err(s3)?;
        Ok(r.bytes().await.map_err(s3)?.to_vec())
    }

    async fn size(&self, key: &str) -> Result<u64> {
        Ok(self.store.head(&self.path(key)?).await.map_err(s3)?.size)
    }

    async fn read_at(&self, key: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        // A range past the end is answered with what remains; one starting past the end is an error,
        // which for a reader going piece by piece means "nothing more".
        let path = self.path(key)?;
        match self.store.get_range(&path, offset..offset + len as u64).await {
            Ok(b) => Ok(b.to_vec()),
            Err(e @ object_store::Error::NotFound { .. }) => Err(s3(e)),
            Err(e) => {
                if self.store.head(&path).await.map_err(s3)?.size <= offset {
                    Ok(Vec::new())
                } else {
                    Err(s3(e))
                }
            }
        }
    }
}

/// Fills `buf` from `f` unless the file ends first; the number of bytes read.
async fn read_full(f: &mut tokio::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let m = f.read(&mut buf[n..]).await?;
        if m == 0 {
            break;
        }
        n += m;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    //! Against a real S3-compatible server: `scripts/test.sh` starts one (moto) with a bucket
    //! `firelaw-test` and sets `TEST_S3_ENDPOINT`; each test works under its own prefix.
    use super::*;

    fn store() -> Option<S3Files> {
        let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
            eprintln!("TEST_S3_ENDPOINT unset: the S3 tests need scripts/test.sh's server");
            return None;
        };
        let settings = S3Settings {
            url: format!("s3://firelaw-test/t-{}", uuid::Uuid::now_v7()),
            endpoint: Some(endpoint),
            region: None,
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
        };
        Some(S3Files::new(&settings).expect("settings"))
    }

    #[tokio::test]
    async fn objects_are_stored_once_and_read_back_in_pieces() {
        let Some(f) = store() else { return };
        f.check().await.expect("bucket answers");
        crate::keeps_the_file_store_promises(&f).await;
    }

    #[tokio::test]
    async fn a_large_upload_goes_up_in_parts_and_comes_back_whole() {
        let Some(f) = store() else { return };
        // 2.5 parts: the multipart path, with a short last part.
        let len = PART * 5 / 2;
        let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let spool = std::env::temp_dir().join(format!("firelaw-s3-{}", uuid::Uuid::now_v7()));
        std::fs::write(&spool, &bytes).unwrap();
        f.put_file("evidence/video", &spool).await.unwrap();
        std::fs::remove_file(&spool).unwrap();
        assert_eq!(f.size("evidence/video").await.unwrap(), len as u64);
        let mut back = Vec::new();
        let mut offset = 0u64;
        loop {
            let piece = f.read_at("evidence/video", offset, 1 << 20).await.unwrap();
            if piece.is_empty() {
                break;
            }
            offset += piece.len() as u64;
            back.extend_from_slice(&piece);
        }
        assert!(back == bytes, "the parts come back in order, whole");
        // A small file goes up in one request.
        let small = std::env::temp_dir().join(format!("firelaw-s3-{}", uuid::Uuid::now_v7()));
        std::fs::write(&small, b"photo").unwrap();
        f.put_file("evidence/photo", &small).await.unwrap();
        std::fs::remove_file(&small).unwrap();
        assert_eq!(f.get("evidence/photo").await.unwrap(), b"photo");
    }

    #[tokio::test]
    async fn wrong_settings_are_told_plainly() {
        let err = S3Files::new(&S3Settings { url: "http://bucket".into(), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("s3://"), "{err}");
        let err = S3Files::new(&S3Settings { url: "s3://".into(), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("存储桶"), "{err}");
        let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else { return };
        let missing = S3Files::new(&S3Settings {
            url: "s3://no-such-bucket-firelaw".into(),
            endpoint: Some(endpoint),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
            ..Default::default()
        })
        .unwrap();
        let err = missing.check().await.unwrap_err();
        assert!(err.to_string().starts_with("对象存储不可用"), "a missing bucket is found at start: {err}");
    }
}
