//! The real binary's exchange commands end to end: `export --format lrmx|xlsx [--filter]`,
//! `import` of a folder of forms (an update by ID number) and of a workbook, and the `report`
//! commands writing files that open. Every run names its own database with --db.

mod common;
use common::*;

use std::path::PathBuf;
use std::process::Output;

use cadre::model::*;

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// A database with the small region and three people.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut b = person("李娜", (1984, 6, 1), Gender::Female, 12);
    b.postings[0].position = "县长".into();
    b.postings[0].role = PostRole::Principal;
    b.postings[0].rank = Some(Rank::CountyPrincipal);
    let people = [
        person("张伟", (1975, 3, 8), Gender::Male, 11),
        b,
        person("王强", (1969, 1, 20), Gender::Male, 13),
    ];
    let f = dir.path().join("people.jsonl");
    std::fs::write(&f, jsonl(&units(), &people)).unwrap();
    let db = dir.path().join("db");
    ok(&cadre(&db, &["import", f.to_str().unwrap()]));
    (dir, db)
}

#[test]
fn lrmx_export_with_a_filter_and_import_of_the_folder() {
    let (dir, db) = setup();
    let forms = dir.path().join("forms");
    let out = ok(&cadre(
        &db,
        &[
            "export",
            "--format",
            "lrmx",
            "--filter",
            "性别 = 女",
            "--out",
            forms.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("已导出 1 份档案"), "{out}");
    let files: Vec<_> = std::fs::read_dir(&forms).unwrap().collect();
    assert_eq!(files.len(), 1);

    // The same forms into the same database: matched by ID number, nothing changes.
    let out = ok(&cadre(&db, &["import", forms.to_str().unwrap()]));
    assert!(out.contains("已导入 0 份档案"), "{out}");
    assert!(out.contains("另有 1 份内容相同"), "{out}");

    // Into an empty database: one new dossier, shown like the original.
    let db2 = dir.path().join("db2");
    let out = ok(&cadre(&db2, &["import", forms.to_str().unwrap()]));
    assert!(out.contains("已导入 1 份档案"), "{out}");
    let shown = ok(&cadre(&db2, &["show", "李娜"]));
    assert!(shown.contains("县长"), "{shown}");

    // A wrong filter points at the error and writes nothing.
    let bad = cadre(
        &db,
        &[
            "export",
            "--format",
            "lrmx",
            "--filter",
            "年龄 <",
            "--out",
            dir.path().join("none").to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(!dir.path().join("none").exists());
}

#[test]
fn xlsx_export_has_a_sheet_per_dimension_and_imports_back() {
    let (dir, db) = setup();
    let book = dir.path().join("all.xlsx");
    ok(&cadre(
        &db,
        &[
            "export",
            "--format",
            "xlsx",
            "--out",
            book.to_str().unwrap(),
        ],
    ));
    use calamine::{Reader, Xlsx, open_workbook};
    let wb: Xlsx<_> = open_workbook(&book).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
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
    let db2 = dir.path().join("db2");
    let units_file = dir.path().join("units.jsonl");
    std::fs::write(&units_file, jsonl(&units(), &[])).unwrap();
    ok(&cadre(&db2, &["import", units_file.to_str().unwrap()]));
    let out = ok(&cadre(&db2, &["import", book.to_str().unwrap()]));
    assert!(out.contains("已导入 3 份档案"), "{out}");
    let shown = ok(&cadre(&db2, &["show", "李娜"]));
    assert!(shown.contains("县长"), "{shown}");
}

#[test]
fn reports_write_files_that_open() {
    let (dir, db) = setup();
    let form = dir.path().join("form.html");
    let out = ok(&cadre(
        &db,
        &["report", "dossier", "李娜", "--out", form.to_str().unwrap()],
    ));
    assert!(out.contains("任免审批表已写入"), "{out}");
    let html = std::fs::read_to_string(&form).unwrap();
    assert!(html.contains("<td>李娜</td>") && html.contains("县长"));
    let wrong = cadre(&db, &["report", "dossier", "李娜", "--out", "x.pdf"]);
    assert!(!wrong.status.success());

    let team = dir.path().join("team.xlsx");
    let out = ok(&cadre(
        &db,
        &[
            "report",
            "team",
            "临河县人民政府",
            "--out",
            team.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("临河县人民政府"), "{out}");
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&team).unwrap();
    let roster = wb.worksheet_range("班子成员").unwrap();
    assert!(roster.height() >= 2);

    let stats = dir.path().join("stats.xlsx");
    let out = ok(&cadre(
        &db,
        &[
            "report",
            "stats",
            "--by",
            "unit-kind",
            "--out",
            stats.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("个班子的结构统计已写入"), "{out}");
    let mut wb: Xlsx<_> = open_workbook(&stats).unwrap();
    let summary = wb.worksheet_range("汇总").unwrap();
    assert_eq!(summary.get_value((0, 0)).unwrap().to_string(), "单位类型");
}
