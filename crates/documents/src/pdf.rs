//! The typst `World` that compiles one notice: the template and the notice (as `data.json`) and its QR
//! code (as `qr.svg`) are served from memory; fonts come from the shared book.

use std::path::PathBuf;

use domain::Result;
use domain::document::Notice;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::internal;

const TEMPLATE: &str = include_str!("../templates/notice.typ");

/// Fonts and the standard library, loaded once.
pub struct PdfEngine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn file_id(path: &str) -> FileId {
    // The paths are constants of this module; they are valid virtual paths.
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("valid virtual path")).intern()
}

impl PdfEngine {
    /// Loads the fonts of `dirs`.
    pub fn new(dirs: &[PathBuf]) -> Result<PdfEngine> {
        let mut fonts = Vec::new();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
                if !matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc") {
                    continue;
                }
                let data = std::fs::read(&p).map_err(|e| internal("reading font", e))?;
                fonts.extend(Font::iter(Bytes::new(data)));
            }
        }
        let book = FontBook::from_fonts(&fonts);
        let has_cjk = fonts.iter().any(|f| f.info().coverage.contains('消' as u32));
        if !has_cjk {
            return Err(domain::DomainError::internal(format!(
                "no CJK font in {dirs:?}: install fonts-noto-cjk or put fonts in the fonts folder"
            )));
        }
        Ok(PdfEngine { library: LazyHash::new(Library::builder().build()), book: LazyHash::new(book), fonts })
    }

    /// Family names loaded.
    pub fn families(&self) -> Vec<String> {
        let mut f: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        f.sort();
        f.dedup();
        f
    }

    /// Compiles a notice to PDF.
    pub fn render(&self, n: &Notice, photos: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
        // A photo that cannot be decoded (damaged, or a format typst does not read) is listed by its caption
        // instead of failing the whole document.
        let mut n = n.clone();
        for p in n.photos.iter_mut() {
            let ok = photos.iter().find(|(id, _)| *id == p.id).is_some_and(|(_, b)| {
                typst::visualize::ExchangeFormat::detect(b)
                    .is_some_and(|f| typst::visualize::RasterImage::plain(Bytes::new(b.clone()), f).is_ok())
            });
            if !ok {
                p.ext = String::new();
            }
        }
        let n = &n;
        let data = serde_json::to_vec(n).map_err(|e| internal("notice json", e))?;
        let qr = if n.verify_url.is_empty() { String::new() } else { qr_svg(&n.verify_url)? };
        let world = NoticeWorld {
            engine: self,
            main: Source::new(file_id("/main.typ"), TEMPLATE.to_string()),
            data: Bytes::new(data),
            qr: Bytes::new(qr.into_bytes()),
            photos: n
                .photos
                .iter()
                .filter_map(|p| {
                    let bytes = photos.iter().find(|(id, _)| *id == p.id)?.1.clone();
                    Some((file_id(&format!("/photos/{}.{}", p.id, p.ext)), Bytes::new(bytes)))
                })
                .collect(),
        };
        let doc: PagedDocument = typst::compile(&world).output.map_err(|errs| {
            let msgs: Vec<String> = errs.iter().map(|e| e.message.to_string()).collect();
            internal("typst", msgs.join("; "))
        })?;
        // No timestamp: the same notice gives the same bytes, so its SM3 can be checked again.
        let opts = typst_pdf::PdfOptions { timestamp: None, ..Default::default() };
        typst_pdf::pdf(&doc, &opts).map_err(|errs| {
            let msgs: Vec<String> = errs.iter().map(|e| e.message.to_string()).collect();
            internal("typst pdf", msgs.join("; "))
        })
    }
}

/// The QR code of a verification address, as SVG. Error correction M survives a stamp over a corner.
fn qr_svg(url: &str) -> Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| internal("qr", e))?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

struct NoticeWorld<'a> {
    engine: &'a PdfEngine,
    main: Source,
    data: Bytes,
    qr: Bytes,
    photos: Vec<(FileId, Bytes)>,
}

impl World for NoticeWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == file_id("/data.json") {
            Ok(self.data.clone())
        } else if id == file_id("/qr.svg") {
            Ok(self.qr.clone())
        } else if let Some((_, b)) = self.photos.iter().find(|(f, _)| *f == id) {
            Ok(b.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Documents print their own date from the notice; the template never asks typst for today.
        None
    }
}
