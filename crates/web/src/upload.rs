//! Uploaded files: written to a temporary file as they arrive (never held whole in memory) and removed
//! when the work on them is done. Nothing stays on the application server.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Multipart;
use domain::{DomainError, Result};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

/// Largest accepted upload: a million-row registry export as CSV is about 250 MB.
pub const MAX_UPLOAD_BYTES: usize = 512 * 1024 * 1024;

/// A temporary file, deleted on drop.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// A new, empty, uniquely named path in the system's temporary folder.
    pub fn new(ext: &str) -> TempFile {
        TempFile { path: std::env::temp_dir().join(format!("firelaw-{}.{ext}", domain::new_id())) }
    }
    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn write_stream<S, E>(mut stream: S) -> Result<TempFile>
where
    S: futures_util::Stream<Item = std::result::Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let tmp = TempFile::new("upload");
    let mut file = tokio::fs::File::create(tmp.path()).await.map_err(DomainError::internal)?;
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            tracing::info!(error = %e, "upload interrupted");
            DomainError::invalid("file", "文件上传不完整，请重试")
        })?;
        total += chunk.len();
        if total > MAX_UPLOAD_BYTES {
            return Err(DomainError::invalid("file", "文件超过512MB，请分拆后导入"));
        }
        file.write_all(&chunk).await.map_err(DomainError::internal)?;
    }
    file.flush().await.map_err(DomainError::internal)?;
    if total == 0 {
        return Err(DomainError::invalid("file", "请选择文件（文件为空）"));
    }
    Ok(tmp)
}

/// A raw request body (the API sends the file itself).
pub async fn from_body(body: Body) -> Result<TempFile> {
    write_stream(body.into_data_stream()).await
}

/// The `file` part of a multipart form and the other fields' text.
pub async fn from_multipart(mut m: Multipart) -> Result<(TempFile, String, Vec<(String, String)>)> {
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(field) =
        m.next_field().await.map_err(|_| DomainError::invalid("file", "表单格式错误，请重新选择文件"))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("上传文件").to_string();
            file = Some((write_stream(field).await?, file_name));
        } else {
            let text = field.text().await.map_err(|_| DomainError::invalid(&name, "表单字段格式错误"))?;
            fields.push((name, text));
        }
    }
    let (tmp, name) = file.ok_or_else(|| DomainError::invalid("file", "请选择文件"))?;
    Ok((tmp, name, fields))
}

/// Size, first bytes and SM3 of a spooled upload, read once in pieces off the async threads.
pub async fn incoming(tmp: &TempFile) -> Result<domain::evidence::IncomingFile> {
    let path = tmp.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        use sm3::Digest;
        use std::io::Read;
        let mut f = std::fs::File::open(&path).map_err(DomainError::internal)?;
        let mut h = sm3::Sm3::new();
        let mut buf = vec![0u8; domain::evidence::CHUNK];
        let (mut size, mut head) = (0u64, Vec::new());
        loop {
            let n = f.read(&mut buf).map_err(DomainError::internal)?;
            if n == 0 {
                break;
            }
            if head.len() < 64 {
                head.extend_from_slice(&buf[..n.min(64 - head.len())]);
            }
            size += n as u64;
            h.update(&buf[..n]);
        }
        Ok(domain::evidence::IncomingFile { path, size, head, sm3: hex::encode(h.finalize()) })
    })
    .await
    .map_err(DomainError::internal)?
}
