//! The editable DOCX copy of a notice, with the same 公文 page set-up as the PDF.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell,
    TableRow,
};
use domain::Result;
use domain::document::Notice;

use crate::internal;

/// Millimetres to twentieths of a point.
fn twips(mm: f64) -> i32 {
    (mm / 25.4 * 1440.0).round() as i32
}

fn body_fonts() -> RunFonts {
    RunFonts::new().east_asia("仿宋_GB2312").ascii("Times New Roman").hi_ansi("Times New Roman")
}

/// A run of body text: 3号 = 16 pt = 32 half-points.
fn run(text: &str, half_points: usize) -> Run {
    Run::new().add_text(text).size(half_points).fonts(body_fonts())
}

fn body(text: &str) -> Paragraph {
    // 2 characters of first-line indent at 16 pt = 640 twips; 28.95 pt fixed line pitch ≈ 579 twips.
    Paragraph::new()
        .add_run(run(text, 32))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(LineSpacing::new().line(579))
        .align(AlignmentType::Both)
}

/// Renders the DOCX.
pub fn render(n: &Notice) -> Result<Vec<u8>> {
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(twips(37.0)).bottom(twips(35.0)).left(twips(28.0)).right(twips(26.0)))
        .default_fonts(body_fonts())
        .default_size(32);
    doc = doc
        .add_paragraph(Paragraph::new().add_run(run(&n.agency, 32)).align(AlignmentType::Center))
        .add_paragraph(
            Paragraph::new()
                .add_run(
                    Run::new().add_text(&n.title).size(44).bold().fonts(RunFonts::new().east_asia("方正小标宋简体")),
                )
                .align(AlignmentType::Center),
        )
        .add_paragraph(Paragraph::new().add_run(run(&n.number, 32)).align(AlignmentType::Right))
        .add_paragraph(Paragraph::new().add_run(run(&format!("{}：", n.addressee), 32)));
    for p in &n.paragraphs {
        doc = doc.add_paragraph(body(p));
    }
    if let Some(t) = &n.table {
        let cell = |s: &str, bold: bool| {
            let r = Run::new().add_text(s).size(24).fonts(body_fonts());
            TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
        };
        let mut rows = vec![TableRow::new(t.headers.iter().map(|h| cell(h, true)).collect())];
        rows.extend(t.rows.iter().map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())));
        doc = doc.add_table(Table::new(rows));
    }
    for p in &n.closing {
        doc = doc.add_paragraph(body(p));
    }
    doc = doc
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new().add_run(run(&format!("{}（印章）", n.agency), 32)).align(AlignmentType::Right))
        .add_paragraph(Paragraph::new().add_run(run(&n.date, 32)).align(AlignmentType::Right));
    for s in &n.signatures {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(s, 32)));
    }
    if !n.verify_url.is_empty() {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(&format!("核验地址：{}", n.verify_url), 18)));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| internal("docx", e))?;
    Ok(out.into_inner())
}
