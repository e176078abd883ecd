//! A list of cadres as clerks take it to a meeting: the lookup's columns (姓名, 性别, 年龄,
//! 现任职务, 工作单位 …) for each dossier of a query, written as an aligned table for the
//! terminal, CSV (UTF-8 with BOM, so Excel opens it), XLSX, or JSON Lines. Files go through
//! `AtomicFile`: complete or absent.

use std::io::Write;
use std::path::Path;

use unicode_width::UnicodeWidthStr;

use crate::io::export::{AtomicFile, ExportError};
use crate::model::*;

/// The columns of a result list, in order, with their Chinese headers.
pub const HEADERS: [&str; 9] = [
    "档案编号",
    "姓名",
    "性别",
    "年龄",
    "出生年月",
    "职务层次",
    "现任职务",
    "工作单位",
    "任现职时间",
];

/// One row of a result list.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub id: DossierId,
    pub name: String,
    pub gender: &'static str,
    pub age: i32,
    pub birth: String,
    pub rank: String,
    pub post: String,
    pub unit: String,
    pub post_since: String,
}

impl ResultRow {
    pub fn new(d: &Dossier, units: &UnitDirectory, today: &PartialDate) -> Self {
        let cur = d.current_posting();
        ResultRow {
            id: d.id,
            name: d.identity.name.clone(),
            gender: d.identity.gender.label(),
            age: d.age_on(today),
            birth: d.identity.birth.dotted(),
            rank: d
                .current_rank()
                .map(|r| r.label().to_string())
                .unwrap_or_default(),
            post: cur.map(|p| p.position.clone()).unwrap_or_default(),
            unit: cur.map(|p| p.unit_display_name(units)).unwrap_or_default(),
            post_since: cur.map(|p| p.start.dotted()).unwrap_or_default(),
        }
    }

    pub fn cells(&self) -> [String; 9] {
        [
            self.id.to_string(),
            self.name.clone(),
            self.gender.to_string(),
            self.age.to_string(),
            self.birth.clone(),
            self.rank.clone(),
            self.post.clone(),
            self.unit.clone(),
            self.post_since.clone(),
        ]
    }
}

/// Rows as a table aligned by display width (Han characters are two columns wide).
pub fn table(rows: &[ResultRow]) -> String {
    let cells: Vec<[String; 9]> = rows.iter().map(ResultRow::cells).collect();
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.width()).collect();
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |r: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            s.push_str(c);
            if i + 1 < r.len() {
                s.push_str(&" ".repeat(w - c.width() + 2));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(&HEADERS.map(String::from));
    out.push('\n');
    for r in &cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// CSV text (with BOM and CRLF) for the rows.
pub fn csv_bytes(rows: &[ResultRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(HEADERS)?;
    for r in rows {
        w.write_record(r.cells())?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// One JSON object per row, keys in Chinese as the headers.
pub fn jsonl_bytes(rows: &[ResultRow]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        let obj: serde_json::Map<String, serde_json::Value> = HEADERS
            .iter()
            .zip(r.cells())
            .map(|(h, c)| {
                let v = match *h {
                    "档案编号" => serde_json::Value::from(r.id),
                    "年龄" => serde_json::Value::from(r.age),
                    _ => serde_json::Value::from(c),
                };
                (h.to_string(), v)
            })
            .collect();
        let _ = serde_json::to_writer(&mut out, &obj);
        out.push(b'\n');
    }
    out
}

/// Writes the rows as CSV to `dest`.
pub fn write_csv(rows: &[ResultRow], dest: &Path) -> Result<(), ExportError> {
    let bytes = csv_bytes(rows).map_err(|e| ExportError::Io {
        path: dest.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(&bytes).map_err(|e| f.io_error(e))?;
    f.finish()
}

/// Writes the rows as an XLSX workbook (one sheet, Chinese headers, a title line) to `dest`.
pub fn write_xlsx(rows: &[ResultRow], title: &str, dest: &Path) -> Result<(), ExportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Io {
        path: dest.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("名单").map_err(err)?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, title, &bold)
        .map_err(err)?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &bold)
            .map_err(err)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        for (c, cell) in r.cells().iter().enumerate() {
            match c {
                0 => ws.write_number(row, 0, r.id as f64).map_err(err)?,
                3 => ws.write_number(row, 3, r.age as f64).map_err(err)?,
                _ => ws.write_string(row, c as u16, cell).map_err(err)?,
            };
        }
    }
    for (c, w) in [8, 8, 5, 5, 9, 12, 16, 24, 10].iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64).map_err(err)?;
    }
    let bytes = wb.save_to_buffer().map_err(err)?;
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(&bytes).map_err(|e| f.io_error(e))?;
    f.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<ResultRow> {
        let mut d = Dossier::new("欧阳明", Gender::Male, PartialDate::ym(1980, 5).unwrap());
        d.id = 7;
        d.postings.push(Posting {
            start: PartialDate::ym(2021, 3).unwrap(),
            end: None,
            unit: None,
            unit_name: "临河县人民政府".into(),
            position: "副县长".into(),
            rank: Some(Rank::CountyDeputy),
            role: PostRole::Deputy,
            portfolio: String::new(),
            concurrent: false,
            probation: false,
        });
        vec![ResultRow::new(
            &d,
            &UnitDirectory::default(),
            &PartialDate::ym(2026, 11).unwrap(),
        )]
    }

    #[test]
    fn table_aligns_by_display_width() {
        let t = table(&rows());
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        // 姓名 (width 4) and 欧阳明 (width 6): the next column starts at the same display column.
        let col = |l: &str, needle: &str| l[..l.find(needle).unwrap()].width();
        assert_eq!(col(lines[0], "性别"), col(lines[1], "男"));
        assert_eq!(col(lines[0], "工作单位"), col(lines[1], "临河县人民政府"));
    }

    #[test]
    fn csv_has_bom_headers_and_values() {
        let b = csv_bytes(&rows()).unwrap();
        assert!(b.starts_with(&[0xEF, 0xBB, 0xBF]));
        let s = String::from_utf8(b[3..].to_vec()).unwrap();
        assert_eq!(
            s,
            "档案编号,姓名,性别,年龄,出生年月,职务层次,现任职务,工作单位,任现职时间\r\n7,欧阳明,男,46,1980.05,县处级副职,副县长,临河县人民政府,2021.03\r\n"
        );
    }

    #[test]
    fn xlsx_reads_back_with_headers_and_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xlsx");
        write_xlsx(&rows(), "名单", &p).unwrap();
        use calamine::{Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
        let range = wb.worksheet_range("名单").unwrap();
        assert_eq!(range.get_value((1, 1)).unwrap().to_string(), "姓名");
        assert_eq!(range.get_value((2, 1)).unwrap().to_string(), "欧阳明");
        assert_eq!(range.get_value((2, 3)).unwrap().to_string(), "46");
        assert_eq!(
            range.get_value((2, 7)).unwrap().to_string(),
            "临河县人民政府"
        );
    }
}
