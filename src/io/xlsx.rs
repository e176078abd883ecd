//! Excel workbooks in and out. In: the rows of a workbook's 基本信息 sheet (else its first sheet)
//! as text cells, for the import to read with the CSV headers. Out: the whole database as one
//! sheet per dimension (基本信息 is the CSV table, so the workbook imports back), written through
//! `AtomicFile`: complete or absent. Talk notes are not written (meeting material).

use std::io::Write;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use crate::io::csv::{EXPORT_COLUMNS, dossier_to_row};
use crate::io::export::{AtomicFile, ExportError};
use crate::model::*;

/// The sheet the import reads (and the export writes first).
pub const IDENTITY_SHEET: &str = "基本信息";

/// A cell as the text a clerk sees: whole numbers without `.0`, Excel dates as `1965-03-12`.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
    }
}

/// An Excel serial day (1900 system) as `yyyy-mm-dd`.
fn excel_date(serial: f64) -> String {
    let base = jiff::civil::date(1899, 12, 30);
    match base.checked_add(jiff::Span::new().days(serial.floor() as i64)) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Err(_) => serial.to_string(),
    }
}

/// The rows of the identity sheet as (1-based row number, cells).
pub fn read_rows(path: &Path) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut wb = open_workbook_auto(path).map_err(|e| format!("无法读取工作簿：{e}"))?;
    let names = wb.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.as_str() == IDENTITY_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| "工作簿中没有工作表".to_string())?;
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| format!("无法读取工作表“{sheet}”：{e}"))?;
    let first = range.start().map_or(0, |(r, _)| r as usize);
    let lead = range.start().map_or(0, |(_, c)| c as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![String::new(); lead];
            cells.extend(r.iter().map(cell_text));
            while cells.last().is_some_and(|c| c.is_empty()) {
                cells.pop();
            }
            (first + i + 1, cells)
        })
        .collect())
}

/// One sheet of the export: name, headers, rows.
pub struct Sheet {
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// Column widths in characters.
    pub widths: Vec<f64>,
    /// Columns from this one on are written as numbers where they read as one (statistics);
    /// `usize::MAX` writes every cell as text.
    pub numeric_from: usize,
}

impl Sheet {
    /// A sheet with columns sized to their contents; cells are text unless `numeric_from` is
    /// lowered.
    pub fn new(name: &'static str, headers: Vec<&'static str>, rows: Vec<Vec<String>>) -> Self {
        let widths = widths(&headers, &rows);
        Sheet {
            name,
            headers,
            rows,
            widths,
            numeric_from: usize::MAX,
        }
    }
}

/// Column widths from the header and the first 200 rows (display width, 4 to 40, plus one).
fn widths(headers: &[&str], rows: &[Vec<String>]) -> Vec<f64> {
    use unicode_width::UnicodeWidthStr;
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let w = rows
                .iter()
                .take(200)
                .filter_map(|r| r.get(i))
                .map(|c| c.width())
                .chain(std::iter::once(h.width()))
                .max()
                .unwrap_or(8);
            (w.clamp(4, 40) + 1) as f64
        })
        .collect()
}

fn opt_date(d: Option<PartialDate>) -> String {
    d.map(|d| d.dotted()).unwrap_or_default()
}

/// The export's sheets for `dossiers`: 基本信息 (the CSV columns), then one per dimension keyed
/// by 编号 (dossier number), 姓名 and 身份证号.
pub fn sheets(dossiers: &[Dossier], units: &UnitDirectory) -> Vec<Sheet> {
    let key = |d: &Dossier| {
        vec![
            d.id.to_string(),
            d.identity.name.clone(),
            d.identity.id_number.clone(),
        ]
    };
    let with_key = |d: &Dossier, rest: Vec<String>| {
        let mut r = key(d);
        r.extend(rest);
        r
    };
    let keyed = |more: &[&'static str]| {
        let mut h = vec!["编号", "姓名", "身份证号"];
        h.extend_from_slice(more);
        h
    };
    let mut identity = Sheet::new(
        IDENTITY_SHEET,
        std::iter::once("编号")
            .chain(EXPORT_COLUMNS.iter().map(|c| c.header()))
            .collect(),
        vec![],
    );
    let mut education = Sheet::new(
        "学历学位",
        keyed(&[
            "类别",
            "学历",
            "学位",
            "毕业院校",
            "专业",
            "学科门类",
            "入学时间",
            "毕业时间",
        ]),
        vec![],
    );
    let mut training = Sheet::new(
        "培训",
        keyed(&["培训名称", "主办单位", "开始时间", "结束时间", "学时"]),
        vec![],
    );
    let mut postings = Sheet::new(
        "任职经历",
        keyed(&[
            "任职时间",
            "免职时间",
            "单位",
            "职务",
            "职务层次",
            "正副职",
            "分管工作",
            "兼任",
            "试用期",
        ]),
        vec![],
    );
    let mut assessments = Sheet::new(
        "年度考核",
        keyed(&["年度", "等次", "民主测评", "专项考核"]),
        vec![],
    );
    let mut rewards = Sheet::new(
        "奖惩",
        keyed(&["类别", "时间", "名称", "批准机关", "事由"]),
        vec![],
    );
    let mut findings = Sheet::new(
        "监督信息",
        keyed(&["来源", "时间", "问题摘要", "结论", "已办结"]),
        vec![],
    );
    let mut family = Sheet::new(
        "家庭成员",
        keyed(&[
            "称谓",
            "成员姓名",
            "出生年月",
            "政治面貌",
            "工作单位",
            "职务",
            "经商办企业",
        ]),
        vec![],
    );
    let mut record = Sheet::new(
        "专长业绩",
        keyed(&["熟悉专业有何专长", "专业技能", "外语", "业绩纪实"]),
        vec![],
    );
    let yes = |b: bool| if b { "是" } else { "" }.to_string();
    for d in dossiers {
        let mut row = vec![d.id.to_string()];
        row.extend(dossier_to_row(d, units));
        identity.rows.push(row);
        for e in &d.education {
            education.rows.push(with_key(
                d,
                vec![
                    e.kind.label().into(),
                    e.level.label().into(),
                    e.degree.map(|x| x.label().to_string()).unwrap_or_default(),
                    e.school.clone(),
                    e.major.clone(),
                    e.category
                        .map(|x| x.label().to_string())
                        .unwrap_or_default(),
                    opt_date(e.start),
                    opt_date(e.end),
                ],
            ));
        }
        for t in &d.training {
            training.rows.push(with_key(
                d,
                vec![
                    t.name.clone(),
                    t.organizer.clone(),
                    t.start.dotted(),
                    opt_date(t.end),
                    t.hours.to_string(),
                ],
            ));
        }
        for p in &d.postings {
            postings.rows.push(with_key(
                d,
                vec![
                    p.start.dotted(),
                    opt_date(p.end),
                    p.unit_display_name(units),
                    p.position.clone(),
                    p.rank.map(|r| r.label().to_string()).unwrap_or_default(),
                    p.role.label().into(),
                    p.portfolio.clone(),
                    yes(p.concurrent),
                    yes(p.probation),
                ],
            ));
        }
        for a in &d.assessments {
            assessments.rows.push(with_key(
                d,
                vec![
                    a.year.to_string(),
                    a.grade.map(|g| g.label()).unwrap_or("不定等次").into(),
                    a.democratic_score
                        .map(|s| format!("{s:.1}"))
                        .unwrap_or_default(),
                    a.special.clone(),
                ],
            ));
        }
        for r in &d.rewards {
            rewards.rows.push(with_key(
                d,
                vec![
                    r.kind.label().into(),
                    opt_date(r.date),
                    r.title.clone(),
                    r.issuer.clone(),
                    r.reason.clone(),
                ],
            ));
        }
        for f in &d.findings {
            findings.rows.push(with_key(
                d,
                vec![
                    f.source.label().into(),
                    f.date.dotted(),
                    f.summary.clone(),
                    f.conclusion.clone(),
                    yes(f.resolved),
                ],
            ));
        }
        for f in &d.family {
            let biz: Vec<String> = f
                .businesses
                .iter()
                .map(|b| format!("{}（{}，{}）", b.name, b.industry, b.role))
                .collect();
            family.rows.push(with_key(
                d,
                vec![
                    f.relation.clone(),
                    f.name.clone(),
                    opt_date(f.birth),
                    f.political_status
                        .map(|p| p.label().to_string())
                        .unwrap_or_default(),
                    f.employer.clone(),
                    f.post.clone(),
                    biz.join("；"),
                ],
            ));
        }
        let r = &d.record;
        if !r.specialty.is_empty()
            || !r.skills.is_empty()
            || !r.languages.is_empty()
            || !r.achievements.is_empty()
        {
            let ach: Vec<String> = r
                .achievements
                .iter()
                .map(|a| {
                    let date = a
                        .date
                        .map(|d| format!("{} ", d.dotted()))
                        .unwrap_or_default();
                    if a.detail.is_empty() {
                        format!("{date}{}", a.title)
                    } else {
                        format!("{date}{}：{}", a.title, a.detail)
                    }
                })
                .collect();
            record.rows.push(with_key(
                d,
                vec![
                    r.specialty.clone(),
                    r.skills.join("、"),
                    r.languages.join("、"),
                    ach.join("；"),
                ],
            ));
        }
    }
    let mut all = vec![
        identity,
        education,
        training,
        postings,
        assessments,
        rewards,
        findings,
        family,
        record,
    ];
    for s in &mut all {
        s.widths = widths(&s.headers, &s.rows);
    }
    all
}

/// Writes sheets as a workbook to `dest` (bold header row, frozen, columns sized).
pub fn write_sheets(sheets: &[Sheet], dest: &Path) -> Result<(), ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Io {
        path: dest.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).map_err(err)?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (row, col) = (r as u32 + 1, c as u16);
                match v.parse::<f64>() {
                    Ok(x) if c >= s.numeric_from => {
                        ws.write_number(row, col, x).map_err(err)?;
                    }
                    _ if v.is_empty() => {}
                    _ => {
                        ws.write_string(row, col, v).map_err(err)?;
                    }
                }
            }
        }
        for (c, w) in s.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    let bytes = wb.save_to_buffer().map_err(err)?;
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(&bytes).map_err(|e| f.io_error(e))?;
    f.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_a_clerk_sees_them() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.xlsx");
        let mut wb = Workbook::new();
        // A first sheet that is not the identity sheet: the import takes 基本信息.
        wb.add_worksheet().set_name("说明").unwrap();
        let ws = wb.add_worksheet();
        ws.set_name(IDENTITY_SHEET).unwrap();
        for (c, h) in ["姓名", "性别", "出生日期", "参加工作时间"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "张伟").unwrap();
        ws.write_string(1, 1, "男").unwrap();
        let date = ExcelDateTime::from_ymd(1975, 3, 8).unwrap();
        ws.write_datetime_with_format(1, 2, &date, &Format::new().set_num_format("yyyy-mm-dd"))
            .unwrap();
        ws.write_number(1, 3, 199707.0).unwrap();
        wb.save(&p).unwrap();
        let rows = read_rows(&p).unwrap();
        assert_eq!(
            rows[0],
            (
                1,
                vec![
                    "姓名".into(),
                    "性别".into(),
                    "出生日期".into(),
                    "参加工作时间".into()
                ]
            )
        );
        assert_eq!(rows[1].0, 2);
        assert_eq!(rows[1].1, vec!["张伟", "男", "1975-03-08", "199707"]);
    }

    #[test]
    fn every_dimension_has_its_sheet_and_rows() {
        let mut d = Dossier::new("欧阳明", Gender::Male, PartialDate::ym(1980, 5).unwrap());
        d.id = 7;
        d.assessments.push(Assessment {
            year: 2024,
            grade: Some(Grade::Excellent),
            democratic_score: Some(91.5),
            special: String::new(),
            talk_notes: "不应出现".into(),
        });
        let s = sheets(&[d], &UnitDirectory::default());
        let names: Vec<&str> = s.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "基本信息",
                "学历学位",
                "培训",
                "任职经历",
                "年度考核",
                "奖惩",
                "监督信息",
                "家庭成员",
                "专长业绩"
            ]
        );
        let a = &s[4];
        assert_eq!(
            a.rows,
            vec![vec!["7", "欧阳明", "", "2024", "优秀", "91.5", ""]]
        );
        assert!(s.iter().all(|s| s.widths.len() == s.headers.len()));
        assert_eq!(s[0].headers[0], "编号");
        assert_eq!(s[0].rows[0][1], "欧阳明");
    }
}
