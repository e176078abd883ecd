//! The real binary's command line, end to end: import, export, show, check, query, stats,
//! alerts, reserve. Each refused input asserts the exit status, the message and an unchanged
//! database. Every run names its own database with --db, so nothing touches the user's data.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use cadre::model::*;

/// A database directory with the small region and three people imported through the binary.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut a = person("张伟", (1975, 3, 8), Gender::Male, 11);
    a.identity.native_place = "青川省临河县".into();
    let mut b = person("李娜", (1984, 6, 1), Gender::Female, 12);
    b.postings[0].position = "县长".into();
    b.postings[0].role = PostRole::Principal;
    b.postings[0].rank = Some(Rank::CountyPrincipal);
    let c = person("王强", (1969, 1, 20), Gender::Male, 13);
    let f = dir.path().join("people.jsonl");
    std::fs::write(&f, jsonl(&units(), &[a, b, c])).unwrap();
    let db = dir.path().join("db");
    let out = cadre(&db, &["import", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "已导入 3 份档案、3 个单位。\n");
    (dir, db)
}

/// The database's contents, through the binary's own export.
fn contents(db: &Path, dir: &Path) -> String {
    let out = dir.join(format!(
        "snap-{}.jsonl",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let o = cadre(
        db,
        &[
            "export",
            "--format",
            "jsonl",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn every_command_has_help() {
    let db = Path::new("/nonexistent-never-opened");
    for args in [
        vec!["--help"],
        vec!["import", "--help"],
        vec!["export", "--help"],
        vec!["show", "--help"],
        vec!["check", "--help"],
        vec!["query", "--help"],
        vec!["stats", "--help"],
        vec!["alerts", "--help"],
        vec!["reserve", "--help"],
        vec!["rules", "--help"],
        vec!["demo", "generate", "--help"],
    ] {
        let o = cadre(db, &args);
        assert!(o.status.success(), "{args:?}");
        assert!(text(&o.stdout).contains("Usage"), "{args:?}");
    }
}

#[test]
fn a_bad_csv_is_refused_with_exit_2_and_nothing_changes() {
    let (dir, db) = setup();
    let before = contents(&db, dir.path());
    let f = dir.path().join("bad.csv");
    std::fs::write(
        &f,
        "姓名,性别,出生年月\r\n赵六,男,1975.02\r\n钱七,男,1975.13\r\n",
    )
    .unwrap();
    let o = cadre(&db, &["import", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.csv 第3行 [出生年月]：日期不存在：“1975-13-00”"),
        "{err}"
    );
    assert!(err.contains("数据库未作任何修改"), "{err}");
    assert_eq!(contents(&db, dir.path()), before);
}

#[test]
fn skip_invalid_writes_the_rejects_beside_the_file() {
    let (dir, db) = setup();
    let f = dir.path().join("mixed.csv");
    std::fs::write(&f, "姓名,性别,出生年月\n赵六,男,1975.02\n钱七,男,1975.13\n").unwrap();
    let o = cadre(&db, &["import", "--skip-invalid", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "已导入 1 份档案、0 个单位。\n");
    let rejects = std::fs::read_to_string(dir.path().join("mixed.rejected.csv")).unwrap();
    assert!(rejects.contains("钱七") && rejects.contains("日期不存在"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("mixed.rejected.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "rejected rows are personal data");
    }
}

#[test]
fn show_check_and_the_mask() {
    let (_dir, db) = setup();
    let o = cadre(&db, &["show", "张伟"]);
    assert!(o.status.success());
    let out = text(&o.stdout);
    assert!(
        out.starts_with("张伟（档案 #1）  在职\n现任：临河县人民政府副县长"),
        "{out}"
    );
    assert!(out.contains("身份证号：33010219750308"));
    let o = cadre(&db, &["--mask", "show", "#1"]);
    let out = text(&o.stdout);
    assert!(
        !out.contains("33010219750308") && out.contains("【会议模式】"),
        "{out}"
    );
    let o = cadre(&db, &["show", "无此人"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stderr), "没有找到“无此人”。\n");
    let o = cadre(&db, &["check"]);
    assert!(o.status.success());
    assert_eq!(
        text(&o.stdout),
        "检查了 3 份档案、3 个单位、6 个索引项。\n未发现问题。\n"
    );
}

#[test]
fn history_prints_each_change_with_who_when_and_fields() {
    let (_dir, db) = setup();
    {
        let store = cadre::store::Store::open(&db).unwrap();
        let (mut d, rev) = store.dossier_at_revision(1).unwrap().unwrap();
        d.identity.health = "健康".into();
        let meta = cadre::history::ChangeMeta {
            by: "clerk7".into(),
            at: "2026-11-25 09:30:00".into(),
            kind: cadre::history::ChangeKind::Edited,
        };
        store.save_dossier(&d, Some(rev), &meta).unwrap();
    }
    let o = cadre(&db, &["history", "张伟"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "#1 张伟 1975.03：1 次修改记录\n\
         第 1 次  2026-11-25 09:30:00  clerk7  修改\n\
         \x20 健康状况：（空） -> 健康\n"
    );
    let o = cadre(&db, &["history", "无此人"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn query_runs_saves_and_points_at_errors() {
    let (dir, db) = setup();
    let o = cadre(
        &db,
        &["query", "性别 = 女 或 年龄 > 55", "--save", "女或年长"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("李娜") && out.contains("王强") && !out.contains("张伟"),
        "{out}"
    );
    assert!(out.ends_with("共 2 人\n"));
    let o = cadre(&db, &["query", "--saved", "女或年长", "--format", "jsonl"]);
    assert_eq!(text(&o.stdout).lines().count(), 2);
    let o = cadre(&db, &["query", "年龄 < 45 且"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "年龄 < 45 且\n            ^\n筛选条件有误：第 10 个字符处：应为一个条件或“(”，却是表达式结束\n"
    );
    let x = dir.path().join("list.xlsx");
    let o = cadre(&db, &["query", "曾任(政府)", "--out", x.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), format!("3 人，已写入 {}\n", x.display()));
}

#[test]
fn stats_alerts_and_reserve_print_the_same_figures_as_json() {
    let (_dir, db) = setup();
    let o = cadre(
        &db,
        &["stats", "--unit", "临河县人民政府", "--format", "json"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["members"].as_array().unwrap().len(), 3);
    assert_eq!(v["members"][0]["name"], "李娜", "the principal first");
    assert_eq!(v["women"], 1);
    let rules: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"team.non_party"), "{rules:?}");
    let o = cadre(&db, &["alerts", "--format", "json"]);
    let alerts: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["rule"] == "team.non_party" && a["subject"] == "team")
    );
    let o = cadre(&db, &["stats", "--unit", "不存在"]);
    assert!(!o.status.success());
    assert_eq!(text(&o.stderr), "错误：没有名称含“不存在”的单位\n");
    let o = cadre(&db, &["reserve"]);
    assert!(o.status.success());
    assert_eq!(
        text(&o.stdout),
        "姓名  年龄  现任  现层次  目标  成熟度  差距\n共 0 人\n"
    );
}

#[test]
fn a_database_in_use_is_reported_not_corrupted() {
    let (_dir, db) = setup();
    let _held = cadre::store::Store::open(&db).unwrap();
    let o = cadre(&db, &["check"]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("正被另一个 cadre 进程使用"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn closing_the_store_frees_the_database_for_the_next_process_at_once() {
    let (_dir, db) = setup();
    for _ in 0..15 {
        let store = cadre::store::Store::open(&db).unwrap();
        store.save_filter("x", "性别 = 女").unwrap();
        drop(store);
        let o = cadre(&db, &["check"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
}
