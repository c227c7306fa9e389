//! Enforcement documents laid out in 公文 format (GB/T 9704): PDF through an embedded typst compiler (for
//! printing and sealing; each carries a QR code of its verification address) and DOCX through docx-rs (for
//! editing). Both are built from one [`Notice`]; the wording is the domain's, the layout is here.
//!
//! Fonts are loaded once from the configured folders. The free Noto Serif CJK SC (Debian
//! `fonts-noto-cjk`) is the default; licensed 仿宋_GB2312 / 方正小标宋 dropped into the fonts folder are used
//! before it.

mod docx;
mod pdf;
mod photo;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use domain::document::Notice;
use domain::{DomainError, Result};

pub use pdf::PdfEngine;

/// Where fonts are looked for when nothing else is configured: the Debian packages of free CJK fonts.
pub const SYSTEM_FONT_DIRS: [&str; 3] =
    ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/arphic", "/usr/share/fonts/truetype/wqy"];

/// A renderer with the font folders it was loaded from.
type Loaded = (Vec<PathBuf>, Renderer);

/// Renders notices. Cheap to clone; fonts are shared.
#[derive(Clone)]
pub struct Renderer {
    pdf: Arc<PdfEngine>,
}

impl Renderer {
    /// Loads the fonts of `dirs` (files ending in .ttf, .otf, .ttc, .otc; missing folders are skipped).
    /// Fails when no CJK font is found: a document without Chinese glyphs is worse than none.
    pub fn new(dirs: &[PathBuf]) -> Result<Renderer> {
        Ok(Renderer { pdf: Arc::new(PdfEngine::new(dirs)?) })
    }

    /// A renderer for `dirs`, loaded once per process and shared (fonts are tens of megabytes; tests and
    /// benchmarks start many applications).
    pub fn shared(dirs: &[PathBuf]) -> Result<Renderer> {
        static CACHE: std::sync::OnceLock<std::sync::Mutex<Vec<Loaded>>> = std::sync::OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut cache = cache.lock().map_err(|_| DomainError::internal("renderer cache poisoned"))?;
        if let Some((_, r)) = cache.iter().find(|(d, _)| d.as_slice() == dirs) {
            return Ok(r.clone());
        }
        let r = Renderer::new(dirs)?;
        cache.push((dirs.to_vec(), r.clone()));
        Ok(r)
    }

    /// The fonts folder of a deployment first, then the system folders.
    pub fn default_dirs(data_dir: &Path) -> Vec<PathBuf> {
        let mut dirs = vec![data_dir.join("fonts")];
        dirs.extend(SYSTEM_FONT_DIRS.iter().map(PathBuf::from));
        dirs
    }

    /// The PDF of a notice, with the bytes of its photos by evidence id.
    pub fn pdf(&self, n: &Notice, photos: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
        self.pdf.render(n, photos)
    }

    /// A photo made ready for a 照片附页: a phone JPEG is decoded at a quarter of its size (the decoder scales
    /// in the DCT, so it never holds the full image) and re-encoded, about 1000×750 pixels, 170 dpi at the
    /// printed size. Other formats pass unchanged. The original stays in evidence storage with its SM3.
    pub fn photo_for_print(&self, bytes: &[u8]) -> Vec<u8> {
        photo::for_print(bytes).unwrap_or_else(|| bytes.to_vec())
    }

    /// The DOCX of a notice.
    pub fn docx(&self, n: &Notice) -> Result<Vec<u8>> {
        docx::render(n)
    }

    /// Names of the font families loaded, for the settings page.
    pub fn font_families(&self) -> Vec<String> {
        self.pdf.families()
    }
}

impl domain::ports::DocumentRenderer for Renderer {
    fn pdf(&self, n: &Notice, photos: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
        Renderer::pdf(self, n, photos)
    }
    fn docx(&self, n: &Notice) -> Result<Vec<u8>> {
        Renderer::docx(self, n)
    }
    fn photo_for_print(&self, bytes: &[u8]) -> Vec<u8> {
        Renderer::photo_for_print(self, bytes)
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::internal(format!("{what}: {e}"))
}
