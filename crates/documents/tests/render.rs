//! Renders a real notice with the system's CJK fonts.

use std::path::PathBuf;

use documents::{Renderer, SYSTEM_FONT_DIRS};
use domain::document::{Notice, NoticeTable};

fn renderer() -> Renderer {
    let dirs: Vec<PathBuf> = SYSTEM_FONT_DIRS.iter().map(PathBuf::from).collect();
    Renderer::new(&dirs).expect("fonts-noto-cjk is installed by scripts/test.sh")
}

pub fn sample() -> Notice {
    Notice {
        agency: "东湖区消防救援大队".into(),
        title: "责令限期改正通知书".into(),
        number: "东湖消限字〔2026〕第0012号".into(),
        addressee: "东湖区星光购物广场有限公司".into(),
        paragraphs: vec!["根据《中华人民共和国消防法》第五十三条的规定，我大队于2026年11月20日对你单位进行了消防监督检查，发现你单位存在下列第1项至第3项消防安全违法行为：".into()],
        table: Some(NoticeTable {
            headers: vec!["序号".into(), "违法行为".into(), "依据".into(), "改正期限".into()],
            rows: vec![
                vec!["1".into(), "三楼东侧疏散通道堆放纸箱".into(), "消防法第六十条第一款第三项".into(), "2026年11月27日".into()],
                vec!["2".into(), "一楼室内消火栓被货架遮挡".into(), "消防法第六十条第一款第四项".into(), "2026年11月27日".into()],
            ],
        }),
        closing: vec!["请你单位于上述期限前改正，并将改正情况书面报送我大队。".into()],
        date: "2026年11月20日".into(),
        signatures: vec!["被检查单位签收：＿＿＿＿＿＿　　年　月　日".into()],
        verify_url: "https://firelaw.example/verify/0194f3a0-0000-7000-8000-000000000001".into(),
        photos: vec![],
    }
}

#[test]
fn a_correction_order_renders_as_pdf_deterministically() {
    let r = renderer();
    let n = sample();
    let a = r.pdf(&n, &[]).unwrap();
    let b = r.pdf(&n, &[]).unwrap();
    assert!(a.starts_with(b"%PDF-"));
    assert_eq!(a, b, "the same notice must give the same bytes (its SM3 is re-checked)");
    assert!(a.len() > 5_000);
    // A different number gives a different document.
    let c = r.pdf(&Notice { number: "东湖消限字〔2026〕第0013号".into(), ..n }, &[]).unwrap();
    assert_ne!(a, c);
    assert!(r.font_families().iter().any(|f| f.contains("CJK")));
}

#[test]
fn a_correction_order_renders_as_docx_with_its_text() {
    let bytes = renderer().docx(&sample()).unwrap();
    assert!(bytes.starts_with(b"PK"));
    // The document part is deflated inside the zip; the title must be in it once inflated. Check the
    // uncompressed central directory lists it, and that the file is a reasonable size.
    assert!(bytes.windows(17).any(|w| w == b"word/document.xml"));
    assert!(bytes.len() > 3_000);
}

#[test]
fn no_fonts_is_an_error_not_a_blank_document() {
    assert!(Renderer::new(&[PathBuf::from("/nonexistent")]).is_err());
}
