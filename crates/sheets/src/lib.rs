//! Spreadsheets in and out.
//!
//! Reading streams rows (a million-row file never sits in memory): CSV in UTF-8 (with or without BOM) or
//! in GB18030, which is what Excel on a Chinese Windows writes; XLSX through calamine's cell reader on its
//! own thread, handing rows over a bounded channel. Writing makes XLSX (constant memory) or CSV with a BOM
//! so that Excel shows the Chinese correctly.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::sync::mpsc;

use domain::{DomainError, Result};

/// A spreadsheet format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

impl Format {
    /// By the file's first bytes: an XLSX file is a ZIP archive.
    pub fn sniff(path: &Path) -> Result<Format> {
        let mut head = [0u8; 4];
        let n = File::open(path).and_then(|mut f| f.read(&mut head)).map_err(DomainError::internal)?;
        Ok(if n == 4 && head == *b"PK\x03\x04" { Format::Xlsx } else { Format::Csv })
    }

    /// MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Rows of a file, first row first.
pub type Rows = Box<dyn Iterator<Item = Result<Vec<String>>> + Send>;

fn unreadable(e: impl std::fmt::Display) -> DomainError {
    tracing::info!(error = %e, "spreadsheet unreadable");
    DomainError::invalid("file", "文件无法读取，请使用模板另存为 XLSX 或 CSV 格式后重试")
}

/// Opens a file and streams its rows (the first worksheet of an XLSX).
pub fn read_rows(path: &Path) -> Result<Rows> {
    match Format::sniff(path)? {
        Format::Csv => read_csv(path),
        Format::Xlsx => read_xlsx(path),
    }
}

fn read_csv(path: &Path) -> Result<Rows> {
    let mut file = File::open(path).map_err(unreadable)?;
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut file, &mut head).map_err(unreadable)?;
    head.truncate(n);
    let utf8 = head.starts_with(b"\xEF\xBB\xBF")
        || match std::str::from_utf8(&head) {
            Ok(_) => true,
            // Cut in the middle of a character at the end of the sample: still UTF-8.
            Err(e) => e.error_len().is_none(),
        };
    let file = File::open(path).map_err(unreadable)?;
    let decoded: Box<dyn Read + Send> = if utf8 {
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::UTF_8))
                .bom_override(true)
                .build(BufReader::new(file)),
        )
    } else {
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::GB18030))
                .build(BufReader::new(file)),
        )
    };
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(decoded);
    Ok(Box::new(reader.into_records().map(|r| {
        r.map(|rec| rec.iter().map(str::to_string).collect()).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            DomainError::invalid("file", format!("CSV 文件第{line}行格式错误（引号不成对或编码有误）"))
        })
    })))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn cell_text(d: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        // Numbers typed into Excel (areas, phone numbers) come back as floats: show whole ones whole.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        DataRef::DateTime(dt) => dt.as_datetime().map(|d| d.date().to_string()).unwrap_or_default(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) => String::new(),
    }
}

fn read_xlsx(path: &Path) -> Result<Rows> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<BufReader<File>> = calamine::open_workbook(path).map_err(unreadable)?;
    let sheet = wb.sheet_names().first().cloned().ok_or_else(|| DomainError::invalid("file", "工作簿中没有工作表"))?;
    // The cell reader borrows the workbook, so both live on a reader thread; rows cross a bounded channel.
    let (tx, rx) = mpsc::sync_channel::<Result<Vec<String>>>(1024);
    std::thread::Builder::new()
        .name("firelaw-xlsx-reader".into())
        .spawn(move || {
            let mut cells = match wb.worksheet_cells_reader(&sheet) {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Err(unreadable(e)));
                    return;
                }
            };
            let mut current: Option<u32> = None;
            let mut row: Vec<String> = Vec::new();
            loop {
                match cells.next_cell() {
                    Ok(Some(c)) => {
                        let (r, col) = c.get_position();
                        if current != Some(r) {
                            if let Some(prev) = current {
                                // Rows with nothing in them are skipped by the reader; keep numbering true.
                                if tx.send(Ok(std::mem::take(&mut row))).is_err() {
                                    return;
                                }
                                for _ in prev + 1..r {
                                    if tx.send(Ok(Vec::new())).is_err() {
                                        return;
                                    }
                                }
                            } else {
                                for _ in 0..r {
                                    if tx.send(Ok(Vec::new())).is_err() {
                                        return;
                                    }
                                }
                            }
                            current = Some(r);
                        }
                        let col = col as usize;
                        if row.len() <= col {
                            row.resize(col + 1, String::new());
                        }
                        row[col] = cell_text(c.get_value());
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(unreadable(e)));
                        return;
                    }
                }
            }
            if current.is_some() {
                let _ = tx.send(Ok(row));
            }
        })
        .map_err(DomainError::internal)?;
    Ok(Box::new(rx.into_iter()))
}

/// Writes rows to a file in either format.
pub enum Writer {
    /// CSV.
    Csv(Box<csv::Writer<std::io::BufWriter<File>>>),
    /// XLSX.
    Xlsx {
        /// Workbook.
        book: Box<rust_xlsxwriter::Workbook>,
        /// Next row.
        row: u32,
        /// Where it goes.
        path: std::path::PathBuf,
    },
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> DomainError {
    DomainError::internal(e)
}

impl Writer {
    /// A writer to `path`.
    pub fn create(path: &Path, format: Format) -> Result<Writer> {
        match format {
            Format::Csv => {
                let mut f = std::io::BufWriter::new(File::create(path).map_err(DomainError::internal)?);
                f.write_all(b"\xEF\xBB\xBF").map_err(DomainError::internal)?;
                Ok(Writer::Csv(Box::new(csv::Writer::from_writer(f))))
            }
            Format::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                book.add_worksheet_with_constant_memory().map_err(xlsx_err)?.set_name("单位名录").map_err(xlsx_err)?;
                Ok(Writer::Xlsx { book: Box::new(book), row: 0, path: path.to_path_buf() })
            }
        }
    }

    /// Appends a row. Every cell is text: credit codes and phone numbers must not become numbers.
    pub fn row(&mut self, cells: &[String]) -> Result<()> {
        match self {
            Writer::Csv(w) => w.write_record(cells).map_err(DomainError::internal),
            Writer::Xlsx { book, row, .. } => {
                let sheet = book.worksheet_from_index(0).map_err(xlsx_err)?;
                for (c, v) in cells.iter().enumerate() {
                    if !v.is_empty() {
                        sheet.write_string(*row, c as u16, v).map_err(xlsx_err)?;
                    }
                }
                *row += 1;
                Ok(())
            }
        }
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<()> {
        match self {
            Writer::Csv(mut w) => w.flush().map_err(DomainError::internal),
            Writer::Xlsx { mut book, path, .. } => book.save(&path).map_err(xlsx_err),
        }
    }
}

/// The import template: the header row and one example row on the first sheet, the column notes on a
/// second sheet.
pub fn template_xlsx(header: &[String], example: &[&str], notes: &[(&str, bool, &str)]) -> Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold().set_background_color(rust_xlsxwriter::Color::RGB(0xFDE9D9));
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    {
        let sheet = book.add_worksheet().set_name("单位名录").map_err(xlsx_err)?;
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(xlsx_err)?;
            // Text columns, so that Excel keeps leading zeros and long numbers as typed.
            sheet.set_column_format(c as u16, &text).map_err(xlsx_err)?;
            sheet.set_column_width(c as u16, 16).map_err(xlsx_err)?;
        }
        for (c, v) in example.iter().enumerate() {
            sheet.write_string(1, c as u16, *v).map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    {
        let sheet = book.add_worksheet().set_name("填写说明").map_err(xlsx_err)?;
        for (c, h) in ["列名", "是否必填", "填写要求"].iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx_err)?;
        }
        for (i, (name, required, note)) in notes.iter().enumerate() {
            let r = i as u32 + 1;
            sheet.write_string(r, 0, *name).map_err(xlsx_err)?;
            sheet.write_string(r, 1, if *required { "必填" } else { "选填" }).map_err(xlsx_err)?;
            sheet.write_string(r, 2, *note).map_err(xlsx_err)?;
        }
        sheet.set_column_width(0, 18).map_err(xlsx_err)?;
        sheet.set_column_width(2, 60).map_err(xlsx_err)?;
    }
    book.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("firelaw-sheets-{}-{name}", std::process::id()))
    }

    #[test]
    fn csv_in_utf8_and_gb18030_reads_the_same() {
        let text = "单位名称,地址\n华联商厦,南湖路88号\n";
        let a = tmp("u.csv");
        std::fs::write(&a, format!("\u{feff}{text}")).unwrap();
        let b = tmp("g.csv");
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        std::fs::write(&b, &gbk).unwrap();
        let ra: Vec<Vec<String>> = read_rows(&a).unwrap().map(Result::unwrap).collect();
        let rb: Vec<Vec<String>> = read_rows(&b).unwrap().map(Result::unwrap).collect();
        assert_eq!(ra, rb);
        assert_eq!(ra[1], ["华联商厦", "南湖路88号"]);
        std::fs::remove_file(a).unwrap();
        std::fs::remove_file(b).unwrap();
    }

    #[test]
    fn xlsx_round_trips_with_gaps() {
        let p = tmp("t.xlsx");
        let mut w = Writer::create(&p, Format::Xlsx).unwrap();
        w.row(&["a".into(), "b".into()]).unwrap();
        w.row(&[String::new(), String::new()]).unwrap();
        w.row(&["13800138000".into(), String::new(), "c".into()]).unwrap();
        w.finish().unwrap();
        assert_eq!(Format::sniff(&p).unwrap(), Format::Xlsx);
        let rows: Vec<Vec<String>> = read_rows(&p).unwrap().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], ["a", "b"]);
        assert!(rows[1].is_empty());
        assert_eq!(rows[2], ["13800138000", "", "c"]);
        std::fs::remove_file(p).unwrap();
    }

    #[test]
    fn the_template_is_a_workbook_with_two_sheets() {
        let bytes = template_xlsx(
            &["统一社会信用代码*".into()],
            &["91350100M000100Y43"],
            &[("统一社会信用代码", true, "18位")],
        )
        .unwrap();
        let p = tmp("tpl.xlsx");
        std::fs::write(&p, bytes).unwrap();
        let rows: Vec<Vec<String>> = read_rows(&p).unwrap().map(Result::unwrap).collect();
        assert_eq!(rows[0], ["统一社会信用代码*"]);
        assert_eq!(rows[1], ["91350100M000100Y43"]);
        std::fs::remove_file(p).unwrap();
    }
}
