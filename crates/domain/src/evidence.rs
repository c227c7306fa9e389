//! 证据文件: photos, audio, video and drawn signatures attached to a record. Each file is hashed with SM3
//! at upload and the hash is checked again on every download, so a file altered in storage is refused
//! rather than shown. The type is read from the bytes, not trusted from the name.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::time::Timestamp;

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// 照片.
    Photo,
    /// 录音.
    Audio,
    /// 录像 (执法记录仪).
    Video,
    /// 手写签名.
    Signature,
}

impl EvidenceKind {
    /// Code.
    pub fn code(self) -> &'static str {
        match self {
            EvidenceKind::Photo => "photo",
            EvidenceKind::Audio => "audio",
            EvidenceKind::Video => "video",
            EvidenceKind::Signature => "signature",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<EvidenceKind> {
        match s {
            "photo" => Ok(EvidenceKind::Photo),
            "audio" => Ok(EvidenceKind::Audio),
            "video" => Ok(EvidenceKind::Video),
            "signature" => Ok(EvidenceKind::Signature),
            _ => Err(DomainError::invalid("kind", format!("证据类型“{s}”无效"))),
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Photo => "照片",
            EvidenceKind::Audio => "录音",
            EvidenceKind::Video => "录像",
            EvidenceKind::Signature => "签名",
        }
    }

    /// Largest file accepted [M: a phone photo is 2–8 MB, a 10-minute 1080p recorder clip ~500 MB].
    pub fn max_bytes(self) -> u64 {
        match self {
            EvidenceKind::Photo => 20 << 20,
            EvidenceKind::Signature => 1 << 20,
            EvidenceKind::Audio => 100 << 20,
            EvidenceKind::Video => 500 << 20,
        }
    }
}

/// An uploaded file spooled to a temporary file, with what was read while spooling it.
#[derive(Debug, Clone)]
pub struct IncomingFile {
    /// Where it is.
    pub path: std::path::PathBuf,
    /// Size.
    pub size: u64,
    /// Its first bytes (for the type).
    pub head: Vec<u8>,
    /// SM3, lower-case hex.
    pub sm3: String,
}

/// Bytes read at a time when a stored file is hashed or sent: memory stays bounded whatever the size.
pub const CHUNK: usize = 1 << 20;

/// SM3 of a stored file, read in pieces.
pub async fn stored_sm3(files: &dyn crate::ports::FileStore, key: &str) -> Result<String> {
    use sm3::Digest;
    let size = files.size(key).await?;
    let mut h = sm3::Sm3::new();
    let mut offset = 0u64;
    while offset < size {
        let chunk = files.read_at(key, offset, CHUNK).await?;
        if chunk.is_empty() {
            break;
        }
        offset += chunk.len() as u64;
        h.update(&chunk);
    }
    Ok(crate::random_check::draw::hex_of(h.finalize().as_slice()))
}

/// A stored file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    /// Id.
    pub id: String,
    /// What it belongs to (`inspection`, `measure` …).
    pub owner_type: String,
    /// Its id.
    pub owner_id: String,
    /// Kind.
    pub kind: EvidenceKind,
    /// File name as uploaded.
    pub name: String,
    /// MIME type read from the bytes.
    pub mime: String,
    /// Size.
    pub size: i64,
    /// SM3 at upload.
    pub sm3: String,
    /// Storage key.
    pub storage_key: String,
    /// Caption.
    pub caption: String,
    /// Print-sized copy of a photo (storage key, SM3), made at upload for documents' 照片附页.
    pub print_copy: Option<(String, String)>,
    /// Uploaded by.
    pub created_by: String,
    /// Uploaded at.
    pub created_at: Timestamp,
}

/// Reads the type from the first bytes. Returns the MIME type and its usual extensions.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    let starts = |p: &[u8]| head.starts_with(p);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"]))
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(("image/webp", &["webp"]))
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if brand == b"heic" || brand == b"heix" || brand == b"mif1" {
            Some(("image/heic", &["heic", "heif"]))
        } else if brand == b"M4A " {
            Some(("audio/mp4", &["m4a"]))
        } else {
            Some(("video/mp4", &["mp4", "mov", "m4v", "3gp"]))
        }
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(("video/webm", &["webm", "mkv"]))
    } else if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        Some(("audio/wav", &["wav"]))
    } else if starts(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        Some(("audio/mpeg", &["mp3"]))
    } else if starts(b"#!AMR") {
        Some(("audio/amr", &["amr"]))
    } else if starts(b"OggS") {
        Some(("audio/ogg", &["ogg", "opus"]))
    } else {
        None
    }
}

/// Checks a file against its kind: size within the limit, content of a type the kind allows, and a name
/// whose extension says the same as the content. Returns the MIME type.
pub fn check_upload(kind: EvidenceKind, name: &str, size: u64, head: &[u8]) -> Result<&'static str> {
    if size == 0 {
        return Err(DomainError::invalid("file", "文件为空"));
    }
    if size > kind.max_bytes() {
        return Err(DomainError::invalid("file", format!("{}不能超过{} MB", kind.label(), kind.max_bytes() >> 20)));
    }
    let Some((mime, exts)) = sniff(head) else {
        return Err(DomainError::invalid("file", format!("无法识别“{name}”的文件格式，请上传照片、录音或录像")));
    };
    let family_ok = match kind {
        EvidenceKind::Photo => mime.starts_with("image/"),
        EvidenceKind::Signature => mime == "image/png",
        EvidenceKind::Audio => mime.starts_with("audio/") || mime == "video/mp4",
        EvidenceKind::Video => mime.starts_with("video/"),
    };
    if !family_ok {
        return Err(DomainError::invalid("file", format!("“{name}”的内容不是{}", kind.label())));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if let Some(ext) = ext
        && !exts.contains(&ext.as_str())
    {
        return Err(DomainError::invalid("file", format!("“{name}”的扩展名与文件内容（{mime}）不符")));
    }
    if name.chars().count() > 200 {
        return Err(DomainError::invalid("file", "文件名不超过200个字"));
    }
    Ok(mime)
}

/// When an evidence file may be downloaded: its bytes still hash to what was recorded.
pub fn verify(recorded_sm3: &str, actual_sm3: &str) -> Result<()> {
    if recorded_sm3 != actual_sm3 {
        return Err(DomainError::Rule("证据文件的SM3校验值与上传时不一致，文件可能已被篡改，已拒绝提供".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1];
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn types_are_read_from_the_bytes() {
        assert_eq!(check_upload(EvidenceKind::Photo, "现场.jpg", 1000, JPEG).unwrap(), "image/jpeg");
        assert_eq!(check_upload(EvidenceKind::Signature, "sig.png", 1000, PNG).unwrap(), "image/png");
        // A JPEG named .png, a text file named .jpg, a photo uploaded as video.
        assert!(check_upload(EvidenceKind::Photo, "a.png", 1000, JPEG).unwrap_err().to_string().contains("不符"));
        assert!(
            check_upload(EvidenceKind::Photo, "a.jpg", 1000, b"hello world!")
                .unwrap_err()
                .to_string()
                .contains("无法识别")
        );
        assert!(check_upload(EvidenceKind::Video, "a.jpg", 1000, JPEG).is_err());
        let mp4 = b"\0\0\0\x18ftypisom\0\0\0\0";
        assert_eq!(check_upload(EvidenceKind::Video, "记录仪.MP4", 1000, mp4).unwrap(), "video/mp4");
    }

    #[test]
    fn sizes_are_limited_by_kind() {
        assert!(check_upload(EvidenceKind::Video, "a.mp4", 501 << 20, b"\0\0\0\x18ftypisom\0\0\0\0").is_err());
        assert!(check_upload(EvidenceKind::Photo, "a.jpg", 21 << 20, JPEG).unwrap_err().to_string().contains("20 MB"));
        assert!(check_upload(EvidenceKind::Photo, "a.jpg", 0, JPEG).is_err());
        assert!(check_upload(EvidenceKind::Signature, "s.png", 2 << 20, PNG).is_err());
    }

    #[test]
    fn a_changed_file_is_refused() {
        assert!(verify("ab", "ab").is_ok());
        assert!(verify("ab", "cd").unwrap_err().to_string().contains("篡改"));
    }
}
