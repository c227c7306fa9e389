//! Importing units from a spreadsheet (XLSX or CSV) that follows the template.
//!
//! Rows are parsed one by one into [`ImportRow`]s; every problem is reported with its row, its column and
//! what to fix, in Chinese. The spreadsheet formats themselves are read by the `sheets` crate; this module
//! only knows the template's columns and what each cell must hold.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::identity::CreditCode;
use crate::org::OrgId;

use super::risk::RiskGrade;
use super::unit::{Contact, SizeFacts, UnitFacts, UnitStatus, parse_address, parse_count, parse_unit_name};
use super::venue::VenueKinds;

/// The template's columns, in order: header text, required, the note shown in the template's second sheet.
pub const COLUMNS: [(&str, bool, &str); 17] = [
    ("统一社会信用代码", true, "18位，含校验位；重复导入时按此匹配已有单位"),
    ("单位名称", true, "2至100个字"),
    ("地址", true, "4至200个字"),
    ("管辖机构", false, "机构全称或简称；不填则为导入时选择的机构"),
    ("场所类别", true, "一个或多个，用顿号或逗号分隔，如：商场市场、人员密集场所"),
    ("建筑面积", false, "平方米，整数"),
    ("层数", false, "地上层数，整数"),
    ("床位数", false, "整数"),
    ("客房数", false, "整数"),
    ("从业人员数", false, "整数"),
    ("消防安全责任人", false, "姓名"),
    ("责任人电话", false, "11位手机号码，加密存储"),
    ("责任人身份证号", false, "18位，加密存储"),
    ("消防安全管理人", false, "姓名"),
    ("管理人电话", false, "11位手机号码，加密存储"),
    ("经营状态", false, "正常经营、停业或已注销；不填为正常经营"),
    ("风险等级", false, "高、较高、一般或低风险；仅对新建单位生效，不填为一般风险"),
];

/// Column positions, from the header row.
#[derive(Debug, Clone)]
pub struct Header {
    pos: [Option<usize>; 17],
}

/// One problem in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: u64,
    /// Column header, or empty for a problem with the whole row.
    pub column: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Header {
    /// Reads the header row. Headers may carry a `*` or a unit suffix (`建筑面积（㎡）`).
    pub fn parse(cells: &[String]) -> Result<Header, Vec<RowError>> {
        let mut pos = [None; 17];
        let mut errors = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let h = cell.trim().trim_start_matches('\u{feff}').trim_end_matches('*');
            let h = h.split(['（', '(']).next().unwrap_or("").trim();
            if h.is_empty() {
                continue;
            }
            match COLUMNS.iter().position(|(name, _, _)| *name == h) {
                Some(c) if pos[c].is_some() => {
                    errors.push(RowError {
                        row: 1, column: h.to_string(), message: format!("表头“{h}”出现了两次")
                    })
                }
                Some(c) => pos[c] = Some(i),
                None => errors.push(RowError {
                    row: 1,
                    column: h.to_string(),
                    message: format!("未知的列“{h}”，请使用下载的模板"),
                }),
            }
        }
        for (c, (name, required, _)) in COLUMNS.iter().enumerate() {
            if *required && pos[c].is_none() {
                errors
                    .push(RowError { row: 1, column: (*name).into(), message: format!("缺少必填列“{name}”") });
            }
        }
        if errors.is_empty() { Ok(Header { pos }) } else { Err(errors) }
    }

    fn cell<'a>(&self, cells: &'a [String], c: usize) -> &'a str {
        self.pos[c].and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("")
    }
}

/// A parsed row.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Row number.
    pub row: u64,
    /// Credit code.
    pub credit_code: CreditCode,
    /// Facts (personal numbers in plaintext until the service seals them).
    pub facts: UnitFacts<String>,
    /// Risk grade for a new unit.
    pub risk_grade: RiskGrade,
}

/// Parses one data row. `resolve_org` maps the 管辖机构 cell (empty: the import's default) to an org id
/// inside the importer's jurisdiction, or says why not.
pub fn parse_row(
    header: &Header,
    row: u64,
    cells: &[String],
    resolve_org: &dyn Fn(&str) -> Result<OrgId, String>,
) -> Result<ImportRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut check = |c: usize, r: Result<(), DomainError>| {
        if let Err(e) = r {
            errors.push(RowError { row, column: COLUMNS[c].0.into(), message: e.to_string() });
        }
    };
    let get = |c: usize| header.cell(cells, c);

    let mut credit_code = None;
    check(0, CreditCode::parse(get(0)).map(|v| credit_code = Some(v)));
    let mut name = String::new();
    check(1, parse_unit_name(get(1)).map(|v| name = v));
    let mut address = String::new();
    check(2, parse_address(get(2)).map(|v| address = v));
    let mut org_id = None;
    check(3, resolve_org(get(3)).map(|v| org_id = Some(v)).map_err(|m| DomainError::invalid("org", m)));
    let mut kinds = None;
    check(4, VenueKinds::parse("venue_kinds", get(4)).map(|v| kinds = Some(v)));
    let mut size = SizeFacts::default();
    check(5, parse_count("floor_area", "建筑面积", get(5)).map(|v| size.floor_area = v));
    check(6, parse_count("floors", "层数", get(6)).map(|v| size.floors = v));
    check(7, parse_count("beds", "床位数", get(7)).map(|v| size.beds = v));
    check(8, parse_count("rooms", "客房数", get(8)).map(|v| size.rooms = v));
    check(9, parse_count("staff", "从业人员数", get(9)).map(|v| size.staff = v));
    let mut responsible = Contact::default();
    let r = Contact::parse("responsible", get(10), get(11), get(12));
    let column = match &r {
        Err(DomainError::Validation { field, .. }) if field.ends_with("phone") => 11,
        Err(DomainError::Validation { field, .. }) if field.ends_with("id_card") => 12,
        _ => 10,
    };
    check(column, r.map(|v| responsible = v));
    let mut manager = Contact::default();
    let r = Contact::parse("manager", get(13), get(14), "");
    let column =
        if matches!(&r, Err(DomainError::Validation { field, .. }) if field.ends_with("phone")) { 14 } else { 13 };
    check(column, r.map(|v| manager = v));
    let mut status = UnitStatus::Operating;
    check(15, UnitStatus::parse("status", get(15)).map(|v| status = v));
    let mut risk_grade = RiskGrade::General;
    check(16, RiskGrade::parse("risk_grade", get(16)).map(|v| risk_grade = v));

    match (credit_code, org_id, kinds) {
        (Some(credit_code), Some(org_id), Some(venue_kinds)) if errors.is_empty() => Ok(ImportRow {
            row,
            credit_code,
            facts: UnitFacts { name, address, org_id, venue_kinds, size, responsible, manager, status },
            risk_grade,
        }),
        _ => Err(errors),
    }
}

/// Remembers credit codes seen in a file, to refuse a second row for the same unit.
/// Keys are the code's 18 ASCII bytes: a million rows fit in a few tens of megabytes.
#[derive(Default)]
pub struct DuplicateCheck {
    seen: HashMap<[u8; 18], u64>,
}

impl DuplicateCheck {
    /// `Err` naming the first row when the code was seen before.
    pub fn check(&mut self, row: &ImportRow) -> Result<(), RowError> {
        let mut key = [0u8; 18];
        key.copy_from_slice(&row.credit_code.as_str().as_bytes()[..18]);
        match self.seen.get(&key) {
            None => {
                self.seen.insert(key, row.row);
                Ok(())
            }
            Some(&first) => Err(RowError {
                row: row.row,
                column: COLUMNS[0].0.into(),
                message: format!("与第{first}行的统一社会信用代码重复，同一单位只能出现一次"),
            }),
        }
    }
}

/// Whether a row is blank (spreadsheets often end with empty rows).
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// The header row of the template.
pub fn template_header() -> Vec<String> {
    COLUMNS.iter().map(|(n, req, _)| if *req { format!("{n}*") } else { (*n).to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::parse(&template_header()).unwrap()
    }

    fn cells(v: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        out.resize(17, String::new());
        out
    }

    fn org(s: &str) -> Result<OrgId, String> {
        match s {
            "" | "东湖" => Ok(OrgId("dh".into())),
            other => Err(format!("管辖机构“{other}”不存在或不在您的管辖范围内")),
        }
    }

    #[test]
    fn a_good_row_parses() {
        let r = parse_row(
            &header(),
            2,
            &cells(&["91420100MA4KXXXX1X", "华联商厦", "南湖路88号", "东湖", "商场市场、人员密集场所", "12000"]),
            &org,
        );
        // The code above has a wrong check character; use a valid one.
        assert!(r.is_err());
        let ok = parse_row(
            &header(),
            2,
            &cells(&["91350100M000100Y43", "华联商厦", "南湖路88号", "", "商场市场、人员密集场所", "12,000"]),
            &org,
        )
        .unwrap();
        assert_eq!(ok.facts.size.floor_area, Some(12000));
        assert_eq!(ok.facts.org_id.0, "dh");
    }

    #[test]
    fn every_problem_is_named_with_row_and_column() {
        let errs = parse_row(
            &header(),
            7,
            &cells(&["123", "华", "南湖路88号", "西山", "网吧", "-1", "", "", "", "", "王五", "12345"]),
            &org,
        )
        .unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["统一社会信用代码", "单位名称", "管辖机构", "场所类别", "建筑面积", "责任人电话"]);
        assert!(errs.iter().all(|e| e.row == 7));
        assert!(errs[3].message.contains("网吧"));
    }

    #[test]
    fn headers_are_checked() {
        let e = Header::parse(&["单位名称".to_string(), "电话号码".to_string()]).unwrap_err();
        assert!(e.iter().any(|x| x.message.contains("未知的列“电话号码”")));
        assert!(e.iter().any(|x| x.message.contains("缺少必填列“统一社会信用代码”")));
        assert!(
            Header::parse(&[
                "建筑面积（㎡）".into(),
                "统一社会信用代码*".into(),
                "单位名称".into(),
                "地址".into(),
                "场所类别".into()
            ])
            .is_ok()
        );
    }

    #[test]
    fn duplicates_name_the_first_row() {
        let h = header();
        let row = |n| {
            parse_row(&h, n, &cells(&["91350100M000100Y43", "华联商厦", "南湖路88号", "", "商场市场"]), &org).unwrap()
        };
        let mut d = DuplicateCheck::default();
        assert!(d.check(&row(2)).is_ok());
        assert!(d.check(&row(5)).unwrap_err().message.contains("第2行"));
    }
}
