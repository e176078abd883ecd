//! The store: a dossier and its index entries change together or not at all; bulk writes roll
//! back on request, on drop and after a crash; `check` finds drift.

mod common;
use common::*;

use cadre::model::*;
use cadre::store::{Store, StoreError};

#[test]
fn insert_update_remove_keep_indexes_in_step() {
    let store = Store::temporary().unwrap();
    let id = store
        .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
        .unwrap();
    assert_eq!(store.find_by_name("张伟").unwrap(), vec![id]);
    let mut d = store.dossier(id).unwrap().unwrap();
    let old_idn = d.identity.id_number.clone();
    assert_eq!(store.find_by_id_number(&old_idn).unwrap(), Some(id));

    d.identity.name = "张玮".into();
    d.identity.id_number = idnum::make(330102, (1975, 3, 8), 21, Gender::Male);
    store.update_dossier(&d).unwrap();
    assert!(store.find_by_name("张伟").unwrap().is_empty());
    assert_eq!(store.find_by_name("张玮").unwrap(), vec![id]);
    assert_eq!(store.find_by_id_number(&old_idn).unwrap(), None);
    assert!(store.check().unwrap().issues.is_empty());

    store.remove_dossier(id).unwrap();
    assert!(store.find_by_name("张玮").unwrap().is_empty());
    assert_eq!(store.check().unwrap().index_entries, 0);
}

#[test]
fn a_duplicate_insert_changes_nothing() {
    let store = Store::temporary().unwrap();
    store
        .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
        .unwrap();
    let before = fingerprint(&store);
    // Same ID number.
    let e = store
        .insert_dossier(person("李明", (1975, 3, 8), Gender::Male, 11))
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Duplicate { existing: 1, .. }),
        "{e}"
    );
    // Same name and birth, other ID number.
    let e = store
        .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 31))
        .unwrap_err();
    assert!(e.to_string().contains("姓名和出生年月"), "{e}");
    assert_eq!(fingerprint(&store), before);
}

#[test]
fn bulk_write_rolls_back_explicitly_and_on_drop() {
    let store = Store::temporary().unwrap();
    store
        .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
        .unwrap();
    let before = fingerprint(&store);

    let mut w = store.bulk().unwrap();
    for u in units() {
        w.put_unit(&u).unwrap();
    }
    for i in 0..5000u16 {
        w.add_dossier(person(&format!("王{i}"), (1980, 1, 1), Gender::Male, i))
            .unwrap();
    }
    let mut changed = store.dossier(1).unwrap().unwrap();
    changed.identity.health = "良好".into();
    w.replace_dossier(&changed).unwrap();
    w.rollback().unwrap();
    assert_eq!(fingerprint(&store), before);
    assert!(store.check().unwrap().issues.is_empty());

    {
        let mut w = store.bulk().unwrap();
        w.add_dossier(person("赵六", (1980, 1, 1), Gender::Male, 5))
            .unwrap();
        // dropped without commit
    }
    assert_eq!(fingerprint(&store), before);
}

#[test]
fn a_crash_during_a_bulk_write_is_undone_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let before;
    {
        let store = Store::open(&path).unwrap();
        store
            .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
            .unwrap();
        before = fingerprint(&store);
        let mut w = store.bulk().unwrap();
        for i in 0..4100u16 {
            w.add_dossier(person(&format!("王{i}"), (1980, 1, 1), Gender::Male, i))
                .unwrap();
        }
        w.put_unit(&units()[0]).unwrap();
        // The process dies here: neither commit nor rollback runs.
        std::mem::forget(w);
        store.flush().unwrap();
        assert!(store.dossier_count() > 1);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(fingerprint(&store), before);
    let report = store.check().unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
}

#[test]
fn committed_bulk_writes_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        let mut w = store.bulk().unwrap();
        for u in units() {
            w.put_unit(&u).unwrap();
        }
        w.add_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
            .unwrap();
        w.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.dossier_count(), 1);
    assert_eq!(store.units().unwrap().len(), 3);
    assert_eq!(store.directory().unwrap().children(2), &[3]);
}

#[test]
fn a_second_process_is_told_the_database_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _first = Store::open(&path).unwrap();
    // sled's lock is per process; a second open in the same process reuses nothing and fails
    // the same way a second process does.
    match Store::open(&path) {
        Err(e @ StoreError::Locked(_)) => assert!(e.to_string().contains("另一个 cadre 进程")),
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("second open succeeded"),
    }
}

#[test]
fn check_finds_undecodable_records_and_index_drift() {
    let store = Store::temporary().unwrap();
    let id = store
        .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
        .unwrap();
    let d = store.dossier(id).unwrap().unwrap();
    assert!(store.check().unwrap().issues.is_empty());
    store.debug_drop_name_index(&d).unwrap();
    let report = store.check().unwrap();
    assert_eq!(report.issues.len(), 1);
    assert!(report.issues[0].problem.contains("姓名索引缺失"));
    store
        .debug_put_raw_dossier(99, b"\xca\x01\x01\x00garbage")
        .unwrap();
    let report = store.check().unwrap();
    assert!(report.issues.iter().any(|i| i.problem.contains("无法解码")));
}

#[test]
fn saved_filters_save_rename_and_delete() {
    let store = Store::temporary().unwrap();
    store.save_filter("乡镇一把手", "曾任(乡镇, 正职)").unwrap();
    store.save_filter("女干部", "性别 = 女").unwrap();
    assert_eq!(store.saved_filters().unwrap().len(), 2);
    assert!(matches!(
        store.rename_filter("女干部", "乡镇一把手"),
        Err(StoreError::FilterExists(_))
    ));
    store.rename_filter("女干部", "女性干部").unwrap();
    assert_eq!(store.saved_filter("女性干部").unwrap().text, "性别 = 女");
    assert!(matches!(
        store.saved_filter("女干部"),
        Err(StoreError::NoSuchFilter(_))
    ));
    store.delete_filter("女性干部").unwrap();
    assert!(store.delete_filter("女性干部").is_err());
    assert!(matches!(
        store.save_filter("  ", "x"),
        Err(StoreError::EmptyFilterName)
    ));
    let names: Vec<String> = store
        .saved_filters()
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, vec!["乡镇一把手"]);
}

#[test]
fn reviews_and_plans_persist() {
    use cadre::store::{Review, TeamPlan};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        store
            .mark_reviewed(&Review {
                key: "tenure.exchange#d7".into(),
                note: "已列入本年度交流计划".into(),
                by: "clerk1".into(),
                at: "2026-11-25 10:00:00".into(),
            })
            .unwrap();
        store
            .save_plan(&TeamPlan {
                name: "临河县政府调整方案一".into(),
                unit: 3,
                remove: vec![2],
                add: vec![9],
                note: String::new(),
            })
            .unwrap();
        assert!(matches!(
            store.save_plan(&TeamPlan {
                name: " ".into(),
                unit: 3,
                remove: vec![],
                add: vec![],
                note: String::new()
            }),
            Err(StoreError::EmptyPlanName)
        ));
    }
    let store = Store::open(&path).unwrap();
    let r = store.reviews().unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].note, "已列入本年度交流计划");
    assert_eq!(store.plan("临河县政府调整方案一").unwrap().add, vec![9]);
    store.unmark_reviewed("tenure.exchange#d7").unwrap();
    assert!(store.reviews().unwrap().is_empty());
    store.delete_plan("临河县政府调整方案一").unwrap();
    assert!(matches!(
        store.plan("临河县政府调整方案一"),
        Err(StoreError::NoSuchPlan(_))
    ));
}
