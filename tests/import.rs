//! Import of good and bad files. Every refused import asserts its exact problems (file, line,
//! column, reason) and that the database did not change; CSV is tried in each encoding, line
//! ending and date form clerks' files come in; export then import gives back every record.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use cadre::io::export::{ExportFormat, export};
use cadre::io::import::{ImportError, ImportOptions, Problem, Stage, import_files};
use cadre::model::*;
use cadre::store::Store;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn import(
    store: &Store,
    files: &[PathBuf],
) -> Result<cadre::io::import::ImportReport, ImportError> {
    import_files(
        store,
        files,
        &ImportOptions::default(),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
}

/// A store already holding the small region and one person.
fn seeded() -> Store {
    let store = Store::temporary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "base.jsonl",
        jsonl(&units(), &[person("张伟", (1975, 3, 8), Gender::Male, 11)]).as_bytes(),
    );
    import(&store, &[f]).unwrap();
    store
}

/// Imports `files`, expects refusal, and checks the store is exactly as before.
fn refused(store: &Store, files: &[PathBuf]) -> Vec<Problem> {
    let before = fingerprint(store);
    let err = import(store, files).unwrap_err();
    assert_eq!(
        fingerprint(store),
        before,
        "a refused import changed the database"
    );
    match err {
        ImportError::Invalid(p) => p,
        e => panic!("expected Invalid, got {e}"),
    }
}

fn one(problems: &[Problem]) -> &Problem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    &problems[0]
}

#[test]
fn good_jsonl_imports_everything() {
    let store = seeded();
    assert_eq!(store.dossier_count(), 1);
    assert_eq!(store.units().unwrap().len(), 3);
    let d = store.dossier(1).unwrap().unwrap();
    assert_eq!(d, {
        let mut p = person("张伟", (1975, 3, 8), Gender::Male, 11);
        p.id = 1;
        p
    });
}

#[test]
fn malformed_json_is_refused_at_its_line() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let good = jsonl(&[], &[person("李明", (1980, 5, 1), Gender::Male, 13)]);
    let text = format!("{good}{{\"record\":\"dossier\",\"identity\":\n");
    let f = write(dir.path(), "bad.jsonl", text.as_bytes());
    let p = refused(&store, std::slice::from_ref(&f));
    let p = one(&p);
    assert_eq!((p.file.clone(), p.line), (f, 2));
    assert!(p.reason.starts_with("JSON 语法错误"), "{}", p.reason);
}

#[test]
fn a_wrong_value_names_the_field() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let text = jsonl(&[], &[person("李明", (1980, 5, 1), Gender::Male, 13)])
        .replace("\"gender\":\"男\"", "\"gender\":\"M\"");
    let f = write(dir.path(), "bad.jsonl", text.as_bytes());
    let p = refused(&store, &[f]);
    let p = one(&p);
    assert_eq!(p.line, 1);
    assert!(p.reason.contains("unknown variant `M`"), "{}", p.reason);
}

#[test]
fn an_impossible_date_is_refused() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let text = jsonl(&[], &[person("李明", (1980, 5, 1), Gender::Male, 13)])
        .replace("\"start\":\"2020-03\"", "\"start\":\"2020-13\"");
    let f = write(dir.path(), "bad.jsonl", text.as_bytes());
    let p = refused(&store, &[f]);
    assert!(
        one(&p).reason.contains("日期不存在：“2020-13-00”"),
        "{}",
        p[0].reason
    );
}

#[test]
fn a_bad_id_number_is_refused_with_the_expected_check_digit() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let mut d = person("李明", (1980, 5, 1), Gender::Male, 13);
    let good = d.identity.id_number.clone();
    let last = if good.ends_with('0') { '1' } else { '0' };
    d.identity.id_number = format!("{}{last}", &good[..17]);
    let f = write(dir.path(), "bad.jsonl", jsonl(&[], &[d]).as_bytes());
    let p = refused(&store, &[f]);
    let p = one(&p);
    assert_eq!(p.column.as_deref(), Some("身份证号"));
    assert_eq!(
        p.reason,
        format!("身份证号校验码错误（应为 {}）", &good[17..])
    );
}

#[test]
fn duplicates_within_the_file_and_against_the_database_are_refused() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let a = person("李明", (1980, 5, 1), Gender::Male, 13);
    let same_idn = person("李敏", (1980, 5, 1), Gender::Male, 13);
    let same_name_birth = person("李明", (1980, 5, 1), Gender::Male, 15);
    let already_stored = person("张伟", (1975, 3, 8), Gender::Male, 11);
    let f = write(
        dir.path(),
        "dup.jsonl",
        jsonl(&[], &[a, same_idn, same_name_birth, already_stored]).as_bytes(),
    );
    let p = refused(&store, &[f]);
    assert_eq!(p.len(), 3, "{p:#?}");
    assert_eq!(
        (p[0].line, p[0].reason.as_str()),
        (2, "身份证号与第1行重复")
    );
    assert_eq!(
        (p[1].line, p[1].reason.as_str()),
        (3, "姓名和出生年月与第1行重复")
    );
    assert_eq!(p[2].line, 4);
    assert_eq!(p[2].reason, "与数据库中已有档案 #1 重复（身份证号相同）");
}

#[test]
fn a_reference_to_a_missing_unit_is_refused() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let mut d = person("李明", (1980, 5, 1), Gender::Male, 13);
    d.postings[0].unit = Some(777);
    let f = write(dir.path(), "u.jsonl", jsonl(&[], &[d]).as_bytes());
    let p = refused(&store, &[f]);
    assert_eq!(one(&p).reason, "引用的单位编号 777 不存在");
}

#[test]
fn a_unit_defined_later_in_the_import_resolves() {
    let store = Store::temporary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f1 = write(
        dir.path(),
        "d.jsonl",
        jsonl(&[], &[person("李明", (1980, 5, 1), Gender::Male, 13)]).as_bytes(),
    );
    let f2 = write(dir.path(), "u.jsonl", jsonl(&units(), &[]).as_bytes());
    let r = import(&store, &[f1, f2]).unwrap();
    assert_eq!((r.dossiers, r.units), (1, 3));
}

#[test]
fn a_conflicting_unit_is_refused() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let mut u = units()[2].clone();
    u.name = "别的单位".into();
    let f = write(dir.path(), "u.jsonl", jsonl(&[u], &[]).as_bytes());
    let p = refused(&store, &[f]);
    assert_eq!(
        one(&p).reason,
        "单位编号 3 已被“临河县人民政府”使用，内容不同"
    );
}

#[test]
fn unknown_extensions_and_unreadable_encodings_are_refused_per_file() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "people.xls", b"whatever");
    let p = refused(&store, &[f]);
    assert_eq!(
        one(&p).reason,
        "无法判断文件格式：扩展名应为 .jsonl、.csv、.xlsx 或 .lrmx"
    );
    let f = write(dir.path(), "garbage.csv", &[b'a', 0xFF, 0xFF, b'\n']);
    let p = refused(&store, &[f]);
    assert!(
        one(&p).reason.starts_with("文件编码无法识别"),
        "{}",
        p[0].reason
    );
    let f = write(dir.path(), "missing.jsonl", b"");
    std::fs::remove_file(&f).unwrap();
    let p = refused(&store, &[f]);
    assert!(one(&p).reason.starts_with("无法打开"), "{}", p[0].reason);
}

const HEADER: &str = "序号,姓名,性别,民族,出生年月,籍贯,入党时间,参加工作时间,学历,学位,毕业院校,专业,工作单位,现任职务,任职时间,职务层次";

/// One row per date form of DOMAIN.md, plus unknown (不详 is tried in the bad-row tests).
fn csv_rows() -> Vec<String> {
    [
        HEADER,
        "1,王芳,女,汉族,1978.04,青川省临河县,2000.06,2000.08,大学本科,学士,青川大学,会计学,临河县人民政府,副县长,2021.09,县处级副职",
        "2,赵强,男,回族,1981-11,青川省,2004-07,2003-07,研究生,硕士,江东大学,农业经济管理,,临河县农业农村局局长,2022-01,正科级",
        "3,陈静,女,汉族,197009,,不详,,,,,,,,,",
        "4,孙磊,男,汉族,1972年5月,,,,,,,,,,,",
        "5,周敏,女,汉族,1969-02-11,,,,,,,,,,,",
        "6,吴刚,男,汉族,11/02/1983,,,,,,,,,,,",
        "7,郑华,男,,1966,,,,,,,,,,,",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn expected_births() -> Vec<(&'static str, PartialDate)> {
    vec![
        ("王芳", date("1978-04")),
        ("赵强", date("1981-11")),
        ("陈静", date("1970-09")),
        ("孙磊", date("1972-05")),
        ("周敏", date("1969-02-11")),
        ("吴刚", date("1983-02-11")),
        ("郑华", date("1966")),
    ]
}

fn check_csv_import(bytes: &[u8], label: &str) {
    let store = Store::temporary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "u.jsonl", jsonl(&units(), &[]).as_bytes());
    let f = write(dir.path(), "people.csv", bytes);
    let r = import(&store, &[dir.path().join("u.jsonl"), f]).unwrap_or_else(|e| match e {
        ImportError::Invalid(p) => panic!("{label}: {p:#?}"),
        e => panic!("{label}: {e}"),
    });
    assert_eq!(r.dossiers, 7, "{label}");
    for (name, birth) in expected_births() {
        let ids = store.find_by_name(name).unwrap();
        assert_eq!(ids.len(), 1, "{label}: {name}");
        let d = store.dossier(ids[0]).unwrap().unwrap();
        assert_eq!(d.identity.birth, birth, "{label}: {name}");
    }
    let wang = store
        .dossier(store.find_by_name("王芳").unwrap()[0])
        .unwrap()
        .unwrap();
    let post = wang.current_posting().unwrap();
    assert_eq!(post.unit, Some(3), "{label}: unit resolved by name");
    assert_eq!(post.rank, Some(Rank::CountyDeputy));
    assert_eq!(wang.education[0].category, Some(MajorCategory::Management));
    let zhao = store
        .dossier(store.find_by_name("赵强").unwrap()[0])
        .unwrap()
        .unwrap();
    assert_eq!(zhao.current_posting().unwrap().role, PostRole::Principal);
    assert_eq!(
        zhao.current_posting().unwrap().rank,
        Some(Rank::TownshipPrincipal)
    );
}

#[test]
fn csv_in_every_encoding_and_line_ending() {
    let rows = csv_rows();
    for (eol_name, eol) in [("LF", "\n"), ("CRLF", "\r\n"), ("CR", "\r")] {
        let text = rows.join(eol) + eol;
        check_csv_import(text.as_bytes(), &format!("UTF-8 {eol_name}"));
        let bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        check_csv_import(&bom, &format!("UTF-8 BOM {eol_name}"));
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable);
        assert_ne!(&gb[..], text.as_bytes(), "GB18030 bytes differ from UTF-8");
        check_csv_import(&gb, &format!("GB18030 {eol_name}"));
    }
}

#[test]
fn csv_bad_rows_name_file_row_and_column() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let text = [
        HEADER,
        "1,钱七,男,汉族,1975.02,,,,,,,,,,,",
        "2,孙八,未说明,汉族,1975.13,,,,,,,,,,,",
        "3,李九,女,汉族,1977.01,,,,博士后,,,,,,,",
        "4,周十,男,汉族",
        "5,吴一,男,汉族,1979.01,,,,,,,,,县长,,",
    ]
    .join("\r\n");
    let f = write(dir.path(), "bad.csv", text.as_bytes());
    let p = refused(&store, std::slice::from_ref(&f));
    let got: Vec<(usize, Option<&str>, &str)> = p
        .iter()
        .map(|p| (p.line, p.column.as_deref(), p.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, Some("性别"), "性别“未说明”应为 男 或 女"),
            (3, Some("出生年月"), "日期不存在：“1975-13-00”"),
            (4, Some("学历"), "学历“博士后”无法识别"),
            (5, None, "有 4 个字段，表头有 16 列"),
            (6, Some("任职时间"), "不能为空"),
        ]
    );
    assert!(p.iter().all(|p| p.file == f));
}

#[test]
fn csv_without_a_required_column_is_refused() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "h.csv", "姓名,民族\n张三,汉族\n".as_bytes());
    let p = refused(&store, &[f]);
    let p = one(&p);
    assert_eq!((p.line, p.reason.as_str()), (1, "缺少必需的列“性别”"));
}

#[test]
fn skip_invalid_imports_the_good_rows_and_returns_the_bad() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let text = [
        HEADER,
        "1,钱七,男,汉族,1975.02,,,,,,,,,,,",
        "2,孙八,男,汉族,1975.13,,,,,,,,,,,",
    ]
    .join("\n");
    let f = write(dir.path(), "mixed.csv", text.as_bytes());
    let r = import_files(
        &store,
        &[f],
        &ImportOptions {
            skip_invalid: true,
            ..Default::default()
        },
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(r.dossiers, 1);
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].line, 3);
    assert!(r.rejected[0].raw.contains("孙八"));
    assert_eq!(store.find_by_name("钱七").unwrap().len(), 1);
    assert!(store.find_by_name("孙八").unwrap().is_empty());
}

#[test]
fn ctrl_c_during_the_write_pass_leaves_the_database_unchanged() {
    let store = seeded();
    let before = fingerprint(&store);
    let dir = tempfile::tempdir().unwrap();
    let people: Vec<Dossier> = (0..5000u16)
        .map(|i| {
            person(
                &format!("王{i}"),
                (
                    1960 + (i / 300) as i16,
                    1 + (i / 25 % 12) as u8,
                    1 + (i % 25) as u8,
                ),
                Gender::Male,
                i % 1000,
            )
        })
        .collect();
    let f = write(dir.path(), "big.jsonl", jsonl(&[], &people).as_bytes());
    let cancel = AtomicBool::new(false);
    let err = import_files(
        &store,
        &[f],
        &ImportOptions::default(),
        &mut |stage, n| {
            if matches!(stage, cadre::io::import::Stage::Writing { .. }) && n >= 3000 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert_rolled_back(&err, &store, &before);
}

#[test]
fn export_then_import_into_an_empty_database_gives_back_every_record() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "more.jsonl",
        jsonl(
            &[],
            &[
                person("李明", (1980, 5, 1), Gender::Male, 13),
                person("王芳", (1978, 4, 2), Gender::Female, 22),
            ],
        )
        .as_bytes(),
    );
    import(&store, &[f]).unwrap();
    let out = dir.path().join("all.jsonl");
    let n = export(
        &store,
        ExportFormat::JsonLines,
        &out,
        &|_| true,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(n, 3);
    let fresh = Store::temporary().unwrap();
    import(&fresh, &[out]).unwrap();
    assert_eq!(fingerprint(&fresh), fingerprint(&store));
}

#[test]
fn csv_export_opens_in_excel_and_imports_back() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("list.csv");
    export(
        &store,
        ExportFormat::Csv,
        &out,
        &|_| true,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("姓名,性别,民族,出生年月"));
    assert!(text.contains("\r\n"));
    let fresh = Store::temporary().unwrap();
    write(dir.path(), "u.jsonl", jsonl(&units(), &[]).as_bytes());
    import(&fresh, &[dir.path().join("u.jsonl"), out]).unwrap();
    let a = store.dossier(1).unwrap().unwrap();
    let b = fresh.dossier(1).unwrap().unwrap();
    assert_eq!(a.identity, b.identity);
    assert_eq!(
        a.current_posting().map(|p| (&p.position, p.unit, p.rank)),
        b.current_posting().map(|p| (&p.position, p.unit, p.rank))
    );
}

#[test]
fn an_interrupted_export_leaves_no_file() {
    let store = seeded();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let cancel = AtomicBool::new(true);
    let e = export(
        &store,
        ExportFormat::JsonLines,
        &out,
        &|_| true,
        &mut |_| {},
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(e, cadre::io::export::ExportError::Interrupted));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file, no partial"
    );
}

/// A demo province written as JSON Lines (units, dossiers) and the dossiers' lines, each
/// without its line end. Big enough to be read in several blocks.
fn province_files(dir: &Path, count: usize) -> (PathBuf, Vec<Vec<u8>>) {
    let opts = cadre::demo::DemoOptions { count, seed: 5 };
    cadre::demo::write_dir(&opts, dir, &|_| {}).unwrap();
    let text = std::fs::read(dir.join("dossiers.jsonl")).unwrap();
    let lines = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    (dir.join("units.jsonl"), lines)
}

fn with_options(
    store: &Store,
    files: &[PathBuf],
    opts: &ImportOptions,
) -> Result<cadre::io::import::ImportReport, ImportError> {
    import_files(store, files, opts, &mut |_, _| {}, &AtomicBool::new(false))
}

/// The facts an import built agree, person by person, with facts rebuilt from the store.
fn assert_facts_are_the_stores(store: &Store, built: &cadre::facts::Facts) {
    let units = store.directory().unwrap();
    let (rebuilt, unreadable) = cadre::facts::snapshot::rebuild(store.dossiers(), &units);
    assert_eq!(unreadable, 0);
    assert_eq!(built.len(), rebuilt.len());
    assert_eq!(built.len(), store.dossier_count());
    let today = PartialDate::today();
    for i in 0..built.len() {
        let id = built.people[i].id;
        let j = rebuilt
            .position(id)
            .expect("every built person is in the store");
        assert_eq!(built.row(i, &today), rebuilt.row(j, &today), "#{id}");
        assert_eq!(built.entry(i), rebuilt.entry(j), "#{id}");
        assert_eq!(built.hot[i], rebuilt.hot[j], "#{id}");
    }
}

#[test]
fn bad_lines_in_the_middle_of_a_big_file_are_reported_in_order_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (units, mut lines) = province_files(dir.path(), 1200);
    // A byte-order mark, CRLF line ends on some lines, a blank line: read as before.
    lines[0].splice(0..0, [0xEF, 0xBB, 0xBF]);
    for l in &mut lines[100..300] {
        l.push(b'\r');
    }
    let cut = lines[399].len() / 2;
    lines[399].truncate(cut);
    let mut twin = String::from_utf8(lines[9].clone()).unwrap();
    twin = twin.replacen("\"name\":\"", "\"name\":\"欧阳", 1);
    lines[699] = twin.into_bytes();
    lines[899] = String::from_utf8(lines[899].clone())
        .unwrap()
        .replacen("\"gender\":\"", "\"gender\":\"M", 1)
        .into_bytes();
    lines[999].extend_from_slice(&[b' ', 0xFF, 0xFE]);
    lines.insert(500, b"   ".to_vec());
    let mut text = lines.join(&b'\n');
    text.push(b'\n');
    let f = write(dir.path(), "big.jsonl", &text);
    assert!(text.len() > 4 << 20, "the file spans several blocks");

    let store = Store::temporary().unwrap();
    let files = [units.clone(), f.clone()];
    let problems = refused(&store, &files);
    let seen: Vec<(usize, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.column.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (400, problems[0].column.as_deref()),
            (701, Some("身份证号")),
            (901, problems[2].column.as_deref()),
            (1001, None),
        ],
        "{problems:#?}"
    );
    assert!(problems.iter().all(|p| p.file == f));
    assert!(
        problems[0].reason.starts_with("JSON 语法错误"),
        "{problems:#?}"
    );
    assert!(problems[0].column.as_deref().unwrap().starts_with('第'));
    assert_eq!(problems[1].reason, "身份证号与第10行重复");
    assert!(
        problems[2].reason.contains("unknown variant `M"),
        "{problems:#?}"
    );
    assert!(problems[2].column.as_deref().unwrap().starts_with('第'));
    assert!(
        problems[3].reason.starts_with("不是 UTF-8 文本"),
        "{problems:#?}"
    );
    // Every refused line is kept as it was read.
    assert_eq!(problems[1].raw.as_bytes(), &lines[700][..]);
    assert_eq!(store.dossier_count(), 0);

    // The same import, skipping the bad lines: the rest keep their ids, in file order, and
    // the facts built while writing are the store's.
    let skipping = ImportOptions {
        skip_invalid: true,
        facts: true,
    };
    let report = with_options(&store, &files, &skipping).unwrap();
    assert_eq!(report.rejected, problems);
    assert_eq!(report.dossiers, 1196);
    let ids: Vec<u64> = store.dossiers().map(|d| d.unwrap().id).collect();
    let expected: Vec<u64> = (1..=1200u64)
        .filter(|id| ![400, 700, 900, 1000].contains(id))
        .collect();
    assert_eq!(ids, expected);
    assert!(store.check().unwrap().issues.is_empty());
    assert_facts_are_the_stores(&store, report.facts.as_ref().unwrap());

    // Again into the filled database: every dossier is now a duplicate of one in it.
    let again = with_options(&store, &files, &skipping).unwrap();
    assert_eq!(again.dossiers, 0);
    assert_eq!(again.rejected.len(), 1200);
    let dup = again.rejected.iter().find(|p| p.line == 2).unwrap();
    assert_eq!(dup.reason, "与数据库中已有档案 #2 重复（身份证号相同）");

    // The four refused lines, as first written, are new to the database: they take the
    // next ids, and the facts carried over from the database take them in.
    let (_, fresh) = province_files(&dir.path().join("fresh"), 1200);
    let mut mended = Vec::new();
    for i in [399usize, 699, 899, 999] {
        mended.extend_from_slice(&fresh[i]);
        mended.push(b'\n');
    }
    let m = write(dir.path(), "mended.jsonl", &mended);
    let report = with_options(
        &store,
        &[m],
        &ImportOptions {
            skip_invalid: false,
            facts: true,
        },
    )
    .unwrap();
    assert_eq!(report.dossiers, 4);
    assert_eq!(store.dossier_count(), 1200);
    assert!(store.dossier(1204).unwrap().is_some());
    assert!(store.check().unwrap().issues.is_empty());
    assert_facts_are_the_stores(&store, report.facts.as_ref().unwrap());
}

#[test]
fn an_import_interrupted_in_a_big_file_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let (units, lines) = province_files(dir.path(), 1200);
    let f = dir.path().join("dossiers.jsonl");
    let store = Store::temporary().unwrap();
    let before = fingerprint(&store);
    for stop_at in [Stage::Checking, Stage::Writing { total: 0 }] {
        let cancel = AtomicBool::new(false);
        let err = import_files(
            &store,
            &[units.clone(), f.clone()],
            &ImportOptions {
                skip_invalid: false,
                facts: true,
            },
            &mut |stage, n| {
                let here = matches!(
                    (stage, stop_at),
                    (Stage::Checking, Stage::Checking)
                        | (Stage::Writing { .. }, Stage::Writing { .. })
                );
                if here && n >= 1000 {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .unwrap_err();
        assert_rolled_back(&err, &store, &before);
    }
    assert_eq!(lines.len(), 1200);
}

#[test]
fn a_file_changed_between_the_passes_is_refused_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let (units, lines) = province_files(dir.path(), 1500);
    let join = |lines: &[Vec<u8>]| {
        let mut bytes = lines.join(&b'\n');
        bytes.push(b'\n');
        bytes
    };
    let a = write(dir.path(), "a.jsonl", &join(&lines[..1200]));
    let b = write(dir.path(), "b.jsonl", &join(&lines[1200..]));
    let store = Store::temporary().unwrap();
    let before = fingerprint(&store);
    let mut changed = false;
    let err = import_files(
        &store,
        &[units, a, b.clone()],
        &ImportOptions::default(),
        &mut |stage, _| {
            // Checked whole, b.jsonl's fifth line is cut short while a.jsonl is written.
            if !changed && matches!(stage, Stage::Writing { .. }) {
                changed = true;
                let mut text = lines[1200..].to_vec();
                text[4].truncate(20);
                std::fs::write(&b, join(&text)).unwrap();
            }
        },
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert!(changed);
    match err {
        ImportError::Invalid(p) => {
            assert_eq!(p.len(), 1, "{p:#?}");
            assert_eq!((p[0].file.clone(), p[0].line), (b, 5));
        }
        e => panic!("expected Invalid, got {e}"),
    }
    assert_eq!(fingerprint(&store), before);
}

/// An interrupted import left the store exactly as `before`, and consistent.
fn assert_rolled_back(err: &ImportError, store: &Store, before: &str) {
    assert!(matches!(err, ImportError::Interrupted), "{err}");
    assert_eq!(fingerprint(store), before);
    assert!(store.check().unwrap().issues.is_empty());
}
