//! Backups and restores: a round trip of the demo province (every tree equal, `check` clean, a
//! dossier readable), a backup taken while a writer keeps saving (each dossier's revision and
//! history agree), refusals of tampered, truncated and foreign files with nothing written, the
//! refusal of a non-empty target and `--replace` moving the old one aside, and permissions.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use cadre::history::{ChangeKind, ChangeMeta};
use cadre::model::Gender;
use cadre::store::Store;
use cadre::store::backup::{BackupError, RestoreOptions};

type Trees = BTreeMap<Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>>;

/// Every tree of a closed database, read with sled itself (not through the code under test).
fn raw_trees(dir: &Path) -> Trees {
    // sled's I/O threads can hold a just-closed database's lock a moment longer (the store
    // waits for it the same way, `open_sled`): seen once on a loaded machine.
    let started = std::time::Instant::now();
    let db = loop {
        match sled::Config::new().path(dir).open() {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && started.elapsed() < std::time::Duration::from_secs(5) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => break other.expect("open raw"),
        }
    };
    let mut out = Trees::new();
    for name in db.tree_names() {
        let tree = db.open_tree(&name).unwrap();
        let entries = tree
            .iter()
            .map(|kv| {
                let (k, v) = kv.unwrap();
                (k.to_vec(), v.to_vec())
            })
            .collect();
        out.insert(name.to_vec(), entries);
    }
    out
}

fn meta(kind: ChangeKind) -> ChangeMeta {
    ChangeMeta {
        by: "tester".into(),
        at: "2026-11-26 00:00:00".into(),
        kind,
    }
}

/// A small database on disk: the sample units and three people, one of them edited twice.
fn small_db(dir: &Path) -> PathBuf {
    let path = dir.join("db");
    let store = Store::open(&path).unwrap();
    for u in common::units() {
        store.put_unit(&u).unwrap();
    }
    let mut ids = Vec::new();
    for (i, name) in ["张建国", "李红梅", "王文胜"].iter().enumerate() {
        let g = if i == 1 { Gender::Female } else { Gender::Male };
        let d = common::person(name, (1970 + i as i16, 3, 8), g, 10 + i as u16);
        ids.push(store.insert_dossier(d).unwrap());
    }
    for note in ["一", "二"] {
        let mut d = store.dossier(ids[0]).unwrap().unwrap();
        d.identity.professional_title = format!("高级经济师{note}");
        store
            .save_dossier(&d, None, &meta(ChangeKind::Edited))
            .unwrap();
    }
    store.save_filter("年轻干部", "年龄 < 45").unwrap();
    path
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_demo_province_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let file = tmp.path().join("demo.cadrebak");
    let (summary, edited) = {
        let store = Store::open(&db).unwrap();
        let n = cadre::seed::seed_demo(&store).unwrap();
        assert_eq!(n, 3000);
        // An edit, so revisions and history are in the backup too.
        let mut d = store.dossier(7).unwrap().unwrap();
        d.identity.professional_title = "高级工程师".into();
        store
            .save_dossier(&d, None, &meta(ChangeKind::Edited))
            .unwrap();
        let summary = store.backup(&file).unwrap();
        // The store stays usable after a backup: reads and writes go on.
        assert!(store.dossier(1).unwrap().is_some());
        store.save_filter("备份后", "年龄 < 40").unwrap();
        store.delete_filter("备份后").unwrap();
        (summary, d)
    };
    assert_eq!(summary.dossiers, 3000);
    assert_eq!(summary.bytes, std::fs::metadata(&file).unwrap().len());
    assert_eq!(summary.sha256.len(), 64);

    let restored = tmp.path().join("restored");
    // Without the key the backup was sealed with, nothing is restored.
    let err = Store::restore(&file, &restored, RestoreOptions::default()).unwrap_err();
    assert!(err.to_string().contains("密钥"), "{err}");
    assert!(!restored.exists());
    give_key(&tmp.path().join("db"), &restored);
    let r = Store::restore(&file, &restored, RestoreOptions::default()).unwrap();
    assert_eq!(r.dossiers, 3000);
    assert_eq!(r.entries, summary.entries);
    assert_eq!(r.moved_aside, None);

    let before = raw_trees(&db);
    let after = raw_trees(&restored);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the same trees"
    );
    for (name, entries) in &before {
        assert_eq!(
            entries,
            &after[name],
            "tree {} differs",
            String::from_utf8_lossy(name)
        );
    }
    assert!(before[&b"dossiers".to_vec()].len() == 3000);

    let store = Store::open(&restored).unwrap();
    let report = store.check().unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert_eq!(report.dossiers, 3000);
    let first = store.dossier(1).unwrap().unwrap();
    assert_eq!(store.find_by_name(&first.identity.name).unwrap()[0], 1);
    assert_eq!(store.dossier(7).unwrap().unwrap(), edited);
    assert_eq!(store.revision(7).unwrap(), 1);
    assert_eq!(store.history(7).unwrap().len(), 1);
}

#[test]
fn a_backup_taken_while_a_writer_saves_is_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let store = Store::open(&db).unwrap();
    cadre::seed::seed_demo(&store).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let saves = Arc::new(AtomicU64::new(0));
    let writer = {
        let (store, stop, saves) = (store.clone(), stop.clone(), saves.clone());
        std::thread::spawn(move || {
            let mut round = 0u64;
            while !stop.load(Ordering::SeqCst) {
                // A handful of dossiers again and again, so many revisions pile up on each.
                let id = 1 + round % 7;
                let mut d = store.dossier(id).unwrap().unwrap();
                d.identity.professional_title = format!("第{round}次");
                store
                    .save_dossier(&d, None, &meta(ChangeKind::Edited))
                    .unwrap();
                saves.fetch_add(1, Ordering::SeqCst);
                round += 1;
            }
        })
    };
    while saves.load(Ordering::SeqCst) < 5 {
        std::thread::yield_now();
    }
    let mut files = Vec::new();
    for i in 0..3 {
        let before = saves.load(Ordering::SeqCst);
        let file = tmp.path().join(format!("b{i}.cadrebak"));
        store.backup(&file).unwrap();
        // Reads are never held up by a backup.
        assert!(store.dossier(100).unwrap().is_some());
        files.push((file, before));
    }
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(
        saves.load(Ordering::SeqCst) > files[0].1,
        "the writer kept saving during the backups"
    );
    drop(store);
    let mut last_total = 0;
    for (i, (file, saved_before)) in files.iter().enumerate() {
        let dir = tmp.path().join(format!("r{i}"));
        give_key(&tmp.path().join("db"), &dir);
        Store::restore(file, &dir, RestoreOptions::default()).unwrap();
        let s = Store::open(&dir).unwrap();
        let report = s.check().unwrap();
        assert!(report.issues.is_empty(), "backup {i}: {:?}", report.issues);
        let mut total = 0;
        for id in 1..=7 {
            let rev = s.revision(id).unwrap();
            let hist = s.history(id).unwrap();
            assert_eq!(hist.len() as u64, rev, "backup {i}, dossier #{id}");
            let d = s.dossier(id).unwrap().unwrap();
            if let Some(last) = hist.last() {
                assert_eq!(last.seq, rev);
                // The dossier is what its latest change wrote.
                let title = &d.identity.professional_title;
                assert!(
                    last.changes.iter().any(|c| &c.new == title),
                    "backup {i}, dossier #{id}: {title} not in its last change"
                );
            }
            total += rev;
        }
        assert!(
            total >= *saved_before,
            "backup {i} has every save before it"
        );
        assert!(total >= last_total, "later backups hold more");
        last_total = total;
    }
}

#[test]
fn a_tampered_byte_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("b.cadrebak");
    Store::open(&db).unwrap().backup(&file).unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let target = tmp.path().join("restored");
    let err = Store::restore(&file, &target, RestoreOptions::default()).unwrap_err();
    assert!(matches!(err, BackupError::Checksum { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("校验和") && msg.contains("b.cadrebak"),
        "{msg}"
    );
    assert!(!target.exists(), "nothing written");
    // The database, its key file and the backup: nothing else.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
}

#[test]
fn a_truncated_file_is_refused_with_where_it_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("b.cadrebak");
    Store::open(&db).unwrap().backup(&file).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let target = tmp.path().join("restored");
    for cut in [bytes.len() * 2 / 3, bytes.len() - 1, 12] {
        std::fs::write(&file, &bytes[..cut]).unwrap();
        let err = Store::restore(&file, &target, RestoreOptions::default()).unwrap_err();
        match &err {
            BackupError::Truncated { at, .. } => assert_eq!(*at, cut as u64),
            other => panic!("cut at {cut}: {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("截断") && msg.contains(&format!("第 {cut} 字节")),
            "{msg}"
        );
        assert!(!target.exists(), "nothing written");
    }
}

#[test]
fn a_file_that_is_not_a_backup_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("b.cadrebak");
    Store::open(&db).unwrap().backup(&file).unwrap();
    let good = std::fs::read(&file).unwrap();
    let target = tmp.path().join("restored");

    let mut wrong_magic = good.clone();
    wrong_magic[0] = b'X';
    std::fs::write(&file, &wrong_magic).unwrap();
    let err = Store::restore(&file, &target, RestoreOptions::default()).unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err:?}");
    assert!(err.to_string().contains("不是 cadre 备份文件"), "{err}");

    std::fs::write(&file, "姓名,身份证号\n").unwrap();
    let err = Store::restore(&file, &target, RestoreOptions::default()).unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err:?}");

    std::fs::write(&file, b"").unwrap();
    let err = Store::restore(&file, &target, RestoreOptions::default()).unwrap_err();
    assert!(matches!(err, BackupError::NotABackup { .. }), "{err:?}");

    let mut future = good.clone();
    future[9] = 9;
    std::fs::write(&file, &future).unwrap();
    let err = Store::restore(&file, &target, RestoreOptions::default()).unwrap_err();
    assert!(
        matches!(err, BackupError::Version { found: 9, .. }),
        "{err:?}"
    );
    assert!(!target.exists(), "nothing written");

    // The untouched file still restores (with the key beside the target).
    std::fs::write(&file, &good).unwrap();
    give_key(&tmp.path().join("db"), &target);
    Store::restore(&file, &target, RestoreOptions::default()).unwrap();
    assert!(target.exists());
}

#[test]
fn a_non_empty_target_is_kept_unless_replaced_and_then_moved_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("b.cadrebak");
    Store::open(&db).unwrap().backup(&file).unwrap();
    // The database changes after the backup.
    let newer = {
        let store = Store::open(&db).unwrap();
        let d = common::person("赵新来", (1980, 1, 1), Gender::Male, 40);
        store.insert_dossier(d).unwrap()
    };
    let before = raw_trees(&db);
    let err = Store::restore(&file, &db, RestoreOptions::default()).unwrap_err();
    assert!(matches!(err, BackupError::TargetNotEmpty { .. }), "{err:?}");
    assert!(err.to_string().contains("--replace"), "{err}");
    assert_eq!(raw_trees(&db), before, "refused: the database is as it was");

    let r = Store::restore(
        &file,
        &db,
        RestoreOptions {
            replace: true,
            ..Default::default()
        },
    )
    .unwrap();
    let aside = r.moved_aside.expect("moved aside");
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("db.before-restore-"),
        "{aside:?}"
    );
    assert_eq!(raw_trees(&aside), before, "the old database kept whole");
    let store = Store::open(&db).unwrap();
    assert!(
        store.dossier(newer).unwrap().is_none(),
        "restored to the backup"
    );
    assert_eq!(store.dossier_count(), 3);
    assert_eq!(store.saved_filter("年轻干部").unwrap().text, "年龄 < 45");
    assert!(store.check().unwrap().issues.is_empty());
}

#[test]
fn a_database_in_use_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("b.cadrebak");
    let open = Store::open(&db).unwrap();
    open.backup(&file).unwrap();
    let err = Store::restore(
        &file,
        &db,
        RestoreOptions {
            replace: true,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, BackupError::InUse { .. }), "{err:?}");
    assert!(
        err.to_string().contains("正被另一个 cadre 进程使用"),
        "{err}"
    );
    // Still there, still in use, nothing moved aside.
    assert_eq!(open.dossier_count(), 3);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
    drop(open);
    Store::restore(
        &file,
        &db,
        RestoreOptions {
            replace: true,
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn backup_and_restored_files_are_the_owners_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("b.cadrebak");
    Store::open(&db).unwrap().backup(&file).unwrap();
    assert_eq!(mode(&file), 0o600);
    // Nothing left behind: the file appears whole, by rename.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let target = tmp.path().join("restored");
    give_key(&tmp.path().join("db"), &target);
    Store::restore(&file, &target, RestoreOptions::default()).unwrap();
    assert_eq!(mode(&target), 0o700);
    for entry in walk(&target) {
        let m = mode(&entry);
        if entry.is_dir() {
            assert_eq!(m, 0o700, "{entry:?}");
        } else {
            assert_eq!(m, 0o600, "{entry:?}");
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn the_command_line_backs_up_and_restores() {
    let tmp = tempfile::tempdir().unwrap();
    let db = small_db(tmp.path());
    let file = tmp.path().join("cli.cadrebak");
    let bin = env!("CARGO_BIN_EXE_cadre");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .env("HOME", tmp.path())
            .env("XDG_DATA_HOME", tmp.path().join("data"))
            .output()
            .unwrap()
    };
    let out = run(&[
        "--db",
        db.to_str().unwrap(),
        "backup",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已备份 3 份档案"));
    let out = run(&[
        "--db",
        db.to_str().unwrap(),
        "restore",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replace"));
    let out = run(&[
        "--db",
        db.to_str().unwrap(),
        "restore",
        file.to_str().unwrap(),
        "--replace",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("原数据库已移到") && text.contains("恢复 3 份档案"),
        "{text}"
    );
}

/// Puts the key of the database at `from` beside `to`, where opening `to` looks for it.
fn give_key(from: &std::path::Path, to: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let dst = cadre::store::crypto::default_key_file(to);
    std::fs::copy(cadre::store::crypto::default_key_file(from), &dst).unwrap();
    std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o600)).unwrap();
}
