//! A local folder (the default; put it on a RAID volume or a mounted NAS share). Writes go to a temporary
//! name in the same folder, are synced, and are then renamed into place, so a crash leaves either the whole
//! file or none; an existing key is never overwritten.

use std::path::{Component, Path, PathBuf};

use domain::ports::FileStore;
use domain::{DomainError, Result};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Files under one folder.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// Files under `root` (created when missing).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<LocalFiles> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        Ok(LocalFiles { root })
    }

    /// The path of a key. Keys are made by the services; anything that could leave the folder is refused.
    fn path(&self, key: &str) -> Result<PathBuf> {
        let rel = Path::new(key);
        let ok = !key.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !ok {
            return Err(DomainError::internal(format!("bad storage key {key:?}")));
        }
        Ok(self.root.join(rel))
    }

    async fn prepare(&self, key: &str) -> Result<(PathBuf, PathBuf)> {
        let dest = self.path(key)?;
        if tokio::fs::try_exists(&dest).await.map_err(io)? {
            return Err(DomainError::internal(format!("storage key {key} exists")));
        }
        let dir = dest.parent().ok_or_else(|| DomainError::internal("key without folder"))?;
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::now_v7()));
        Ok((dest, tmp))
    }

    async fn commit(tmp: &Path, dest: &Path) -> Result<()> {
        tokio::fs::rename(tmp, dest).await.map_err(io)?;
        // Sync the folder so that the rename itself survives a power cut.
        if let Some(dir) = dest.parent() {
            let d = tokio::fs::File::open(dir).await.map_err(io)?;
            d.sync_all().await.map_err(io)?;
        }
        Ok(())
    }
}

fn io(e: std::io::Error) -> DomainError {
    if e.raw_os_error() == Some(28) {
        // ENOSPC: tell the user plainly, nothing was kept.
        return DomainError::Unavailable;
    }
    DomainError::internal(format!("file storage: {e}"))
}

fn not_found_or_io(e: std::io::Error) -> DomainError {
    if e.kind() == std::io::ErrorKind::NotFound { DomainError::NotFound("文件") } else { io(e) }
}

#[async_trait::async_trait]
impl FileStore for LocalFiles {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let (dest, tmp) = self.prepare(key).await?;
        let write = async {
            let mut f = tokio::fs::File::create(&tmp).await?;
            f.write_all(&bytes).await?;
            f.sync_all().await
        };
        if let Err(e) = write.await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(e));
        }
        Self::commit(&tmp, &dest).await
    }

    async fn put_file(&self, key: &str, path: &Path) -> Result<()> {
        let (dest, tmp) = self.prepare(key).await?;
        let copy = async {
            tokio::fs::copy(path, &tmp).await?;
            tokio::fs::File::open(&tmp).await?.sync_all().await
        };
        if let Err(e) = copy.await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(e));
        }
        Self::commit(&tmp, &dest).await
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await.map_err(not_found_or_io)
    }

    async fn size(&self, key: &str) -> Result<u64> {
        Ok(tokio::fs::metadata(self.path(key)?).await.map_err(not_found_or_io)?.len())
    }

    async fn read_at(&self, key: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut f = tokio::fs::File::open(self.path(key)?).await.map_err(not_found_or_io)?;
        f.seek(std::io::SeekFrom::Start(offset)).await.map_err(io)?;
        let mut buf = Vec::with_capacity(len.min(1 << 24));
        f.take(len as u64).read_to_end(&mut buf).await.map_err(io)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_stored_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("firelaw-files-{}", uuid::Uuid::now_v7()));
        let f = LocalFiles::new(&dir).unwrap();
        crate::keeps_the_file_store_promises(&f).await;
        // No temporary files left behind.
        let left: Vec<_> = std::fs::read_dir(dir.join("evidence/2026/11")).unwrap().collect();
        assert_eq!(left.len(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
