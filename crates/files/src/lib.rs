//! File storage behind the domain's [`FileStore`](domain::ports::FileStore): evidence, print copies and
//! issued PDFs. Two back ends, chosen at start-up: a local folder ([`LocalFiles`], the default) and any
//! S3-compatible object store ([`S3Files`]: MinIO, Ceph RGW, a government cloud's OSS/COS/OBS). Both keep
//! the same promise: a key holds the whole file or nothing, and is never overwritten.

mod local;
mod s3;

pub use local::LocalFiles;
pub use s3::{S3Files, S3Settings, SettingsError};

/// What every back end promises, checked against each (the S3 one against a real server).
#[cfg(test)]
async fn keeps_the_file_store_promises(f: &dyn domain::ports::FileStore) {
    use domain::DomainError;
    f.put("evidence/2026/11/a", b"hello".to_vec()).await.unwrap();
    assert_eq!(f.get("evidence/2026/11/a").await.unwrap(), b"hello");
    assert!(f.put("evidence/2026/11/a", b"other".to_vec()).await.is_err(), "never overwritten");
    assert_eq!(f.get("evidence/2026/11/a").await.unwrap(), b"hello");
    assert_eq!(f.size("evidence/2026/11/a").await.unwrap(), 5);
    assert_eq!(f.read_at("evidence/2026/11/a", 1, 3).await.unwrap(), b"ell");
    assert_eq!(f.read_at("evidence/2026/11/a", 3, 100).await.unwrap(), b"lo");
    assert_eq!(f.read_at("evidence/2026/11/a", 5, 100).await.unwrap(), b"");
    assert!(matches!(f.get("evidence/none").await, Err(DomainError::NotFound(_))));
    assert!(matches!(f.size("evidence/none").await, Err(DomainError::NotFound(_))));
    assert!(f.put("../escape", vec![1]).await.is_err());
    assert!(f.put("/abs", vec![1]).await.is_err());
}
