//! Encryption at rest: the raw files of a database hold no name and no ID number; a wrong key
//! is refused as such, a tampered value as corrupt; key files others can read are refused; a
//! passphrase derives the same key again; a plaintext database is encrypted on open; a key
//! rotation keeps readers reading and leaves the old key useless; the `key` commands.

mod common;
use common::*;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cadre::demo::{self, DemoOptions};
use cadre::facts::snapshot;
use cadre::model::*;
use cadre::store::crypto::{self, KeySource};
use cadre::store::envelope::EnvelopeError;
use cadre::store::{Store, StoreError, StoreOptions, TeamPlan};
use zeroize::Zeroizing;

fn with_key(key: KeySource) -> StoreOptions {
    StoreOptions {
        key,
        ..StoreOptions::default()
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The needles found in `haystack` (each needle's bytes anywhere in it).
fn found_in(haystack: &[u8], needles: &HashSet<Vec<u8>>) -> Vec<String> {
    let lengths: HashSet<usize> = needles.iter().map(Vec::len).collect();
    let mut hits = Vec::new();
    for len in lengths {
        if haystack.len() < len {
            continue;
        }
        for w in haystack.windows(len) {
            if needles.contains(w) {
                hits.push(String::from_utf8_lossy(w).into_owned());
            }
        }
    }
    hits
}

fn demo_store(path: &Path, opts: &StoreOptions, count: usize) -> Store {
    let store = Store::open_with(path, opts).unwrap();
    let demo = DemoOptions { count, seed: 7 };
    let mut w = store.bulk().unwrap();
    for u in demo::units(&demo) {
        w.put_unit(&u).unwrap();
    }
    for d in demo::dossiers(&demo) {
        w.add_dossier(d).unwrap();
    }
    w.commit().unwrap();
    store
}

#[test]
fn raw_files_hold_no_demo_name_or_id_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut needles = HashSet::new();
    {
        let store = demo_store(&path, &StoreOptions::default(), 400);
        for d in store.dossiers() {
            let d = d.unwrap();
            needles.insert(d.identity.name.as_bytes().to_vec());
            if !d.identity.id_number.is_empty() {
                needles.insert(d.identity.id_number.as_bytes().to_vec());
            }
        }
        // History before-images, a saved filter and a plan named after a person, the facts
        // snapshot: everything that can hold a name.
        let mut d = store.dossier(1).unwrap().unwrap();
        let name = d.identity.name.clone();
        d.identity.native_place = "青川省临河县".into();
        store.update_dossier(&d).unwrap();
        store
            .save_filter(&format!("{name}的同事"), &format!("姓名 = {name}"))
            .unwrap();
        store
            .save_plan(&TeamPlan {
                name: format!("{name}调整方案"),
                unit: 1,
                remove: vec![1],
                add: vec![],
                note: name.clone(),
            })
            .unwrap();
        snapshot::refresh(&store).unwrap();
        assert_eq!(store.find_by_name(&name).unwrap().first(), Some(&1));
        assert!(store.saved_filter(&format!("{name}的同事")).is_ok());
        store.flush().unwrap();
    }
    assert!(needles.len() > 400, "names and ID numbers collected");
    let files = files_under(&path);
    assert!(files.iter().any(|f| f.ends_with("facts.bin")));
    let mut total = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        total += bytes.len();
        let hits = found_in(&bytes, &needles);
        assert!(
            hits.is_empty(),
            "{} holds {:?}",
            f.display(),
            &hits[..hits.len().min(5)]
        );
    }
    assert!(total > 100_000, "the database was written ({total} bytes)");
    // The scan itself finds what is there.
    let some = needles.iter().next().unwrap().clone();
    let control = [b"xx".as_slice(), &some, b"yy"].concat();
    assert_eq!(found_in(&control, &needles).len(), 1);
    // And the data is all there under the key.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.dossier_count(), 400);
    assert!(store.check().unwrap().issues.is_empty());
}

#[test]
fn a_wrong_key_is_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        store
            .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
            .unwrap();
    }
    assert!(crypto::default_key_file(&path).exists());
    let err = Store::open_with(&path, &with_key(KeySource::Key(crypto::random_key())))
        .err()
        .expect("a wrong key is refused");
    assert!(matches!(
        err,
        StoreError::Key(crypto::KeyError::Mismatch(_))
    ));
    assert!(err.to_string().contains("密钥与数据库不符"), "{err}");
    // Without its key file an encrypted database is not opened under a fresh key.
    std::fs::rename(
        crypto::default_key_file(&path),
        dir.path().join("elsewhere.key"),
    )
    .unwrap();
    let err = Store::open(&path).err().expect("the key file is gone");
    assert!(err.to_string().contains("db.key"), "{err}");
    let moved = with_key(KeySource::File(dir.path().join("elsewhere.key")));
    let store = Store::open_with(&path, &moved).unwrap();
    assert_eq!(store.find_by_name("张伟").unwrap().len(), 1);
}

#[test]
fn a_tampered_value_is_corrupt_not_decoded() {
    let store = Store::temporary().unwrap();
    let id = store
        .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
        .unwrap();
    let d = store.dossier(id).unwrap().unwrap();
    let mut sealed = store
        .cipher()
        .seal(&cadre::store::envelope::encode(&d).unwrap());
    let at = sealed.len() / 2;
    sealed[at] ^= 0x20;
    store.debug_put_raw_dossier(id, &sealed).unwrap();
    match store.dossier(id) {
        Err(StoreError::Corrupt {
            source: EnvelopeError::Sealed(crypto::CryptoError::Tampered),
            ..
        }) => {}
        other => panic!("expected an AEAD failure, got {other:?}"),
    }
    let report = store.check().unwrap();
    assert!(
        report.issues.iter().any(|i| i.problem.contains("篡改")),
        "{:?}",
        report.issues
    );
    // A plaintext record planted under the key is not read either.
    store
        .debug_put_raw_dossier(id, &cadre::store::envelope::encode(&d).unwrap())
        .unwrap();
    assert!(matches!(
        store.dossier(id),
        Err(StoreError::Corrupt {
            source: EnvelopeError::Sealed(crypto::CryptoError::NotSealed),
            ..
        })
    ));
}

#[test]
fn key_files_others_can_read_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    crypto::write_new_key_file(&key).unwrap();
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        crypto::write_new_key_file(&key).is_err(),
        "never overwritten"
    );
    let opts = with_key(KeySource::File(key.clone()));
    drop(Store::open_with(&dir.path().join("db"), &opts).unwrap());
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Store::open_with(&dir.path().join("db"), &opts)
        .err()
        .expect("0644 refused");
    let msg = err.to_string();
    assert!(msg.contains("k.key") && msg.contains("0644"), "{msg}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o400)).unwrap();
    assert!(Store::open_with(&dir.path().join("db"), &opts).is_ok());
    // The default key file is created owner-only beside the directory.
    let other = dir.path().join("other");
    drop(Store::open(&other).unwrap());
    let default = crypto::default_key_file(&other);
    assert_eq!(default, dir.path().join("other.key"));
    assert_eq!(
        std::fs::metadata(&default).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_passphrase_derives_the_same_key_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let phrase = |p: &str| with_key(KeySource::Passphrase(Zeroizing::new(p.to_string())));
    let key_id;
    {
        let store = Store::open_with(&path, &phrase("青川 2026 正确口令")).unwrap();
        store
            .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
            .unwrap();
        key_id = store.key_id();
    }
    assert!(!crypto::default_key_file(&path).exists(), "no key file");
    let store = Store::open_with(&path, &phrase("青川 2026 正确口令")).unwrap();
    assert_eq!(store.key_id(), key_id);
    assert_eq!(store.find_by_name("张伟").unwrap().len(), 1);
    drop(store);
    let err = Store::open_with(&path, &phrase("青川 2026 错误口令"))
        .err()
        .expect("wrong passphrase");
    assert!(err.to_string().contains("密钥与数据库不符"), "{err}");
    // The salt is the database's: the same passphrase on another database is another key.
    let other = Store::open_with(&dir.path().join("db2"), &phrase("青川 2026 正确口令")).unwrap();
    assert_ne!(other.key_id(), key_id);
}

#[test]
fn a_plaintext_database_is_encrypted_on_first_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let people = [
        person("张伟", (1975, 3, 8), Gender::Male, 11),
        person("李娜", (1984, 6, 1), Gender::Female, 12),
    ];
    {
        // The layout of the version before encryption, written with sled directly.
        let db = sled::open(&path).unwrap();
        let dossiers = db.open_tree("dossiers").unwrap();
        let by_idn = db.open_tree("idx_id_number").unwrap();
        let by_name = db.open_tree("idx_name_birth").unwrap();
        for (i, p) in people.iter().enumerate() {
            let mut p = p.clone();
            p.id = i as u64 + 1;
            dossiers
                .insert(
                    p.id.to_be_bytes(),
                    cadre::store::envelope::encode(&p).unwrap(),
                )
                .unwrap();
            by_idn
                .insert(p.identity.id_number.as_bytes(), &p.id.to_be_bytes())
                .unwrap();
            let mut k = p.identity.name.as_bytes().to_vec();
            k.push(0);
            k.extend_from_slice(&p.identity.birth.packed().to_be_bytes());
            k.extend_from_slice(&p.id.to_be_bytes());
            by_name.insert(k, &[]).unwrap();
        }
        let filter = cadre::store::SavedFilter {
            name: "张伟那样的".into(),
            text: "姓名 = 张伟".into(),
        };
        db.open_tree("saved_filters")
            .unwrap()
            .insert(
                filter.name.as_bytes(),
                cadre::store::envelope::encode(&filter).unwrap(),
            )
            .unwrap();
        db.flush().unwrap();
    }
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.find_by_name("张伟").unwrap(), vec![1]);
        assert_eq!(
            store
                .find_by_id_number(&people[1].identity.id_number)
                .unwrap(),
            Some(2)
        );
        assert_eq!(
            store.saved_filter("张伟那样的").unwrap().text,
            "姓名 = 张伟"
        );
        assert_eq!(store.saved_filters().unwrap().len(), 1);
        let report = store.check().unwrap();
        assert!(report.issues.is_empty(), "{:?}", report.issues);
        assert_eq!(report.index_entries, 4);
    }
    let needles: HashSet<Vec<u8>> = people
        .iter()
        .flat_map(|p| [p.identity.name.clone(), p.identity.id_number.clone()])
        .map(String::into_bytes)
        .collect();
    for f in files_under(&path) {
        let hits = found_in(&std::fs::read(&f).unwrap(), &needles);
        assert!(hits.is_empty(), "{} holds {hits:?}", f.display());
    }
}

#[test]
fn rotation_keeps_readers_reading_and_retires_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let old_key = dir.path().join("old.key");
    let new_key = dir.path().join("new.key");
    crypto::write_new_key_file(&old_key).unwrap();
    crypto::write_new_key_file(&new_key).unwrap();
    let old_opts = with_key(KeySource::File(old_key.clone()));
    let new_opts = with_key(KeySource::File(new_key.clone()));
    let store = demo_store(&path, &old_opts, 3000);
    store.save_filter("女干部", "性别 = 女").unwrap();
    let people: Vec<(DossierId, String, String)> = store
        .dossiers()
        .map(|d| d.unwrap())
        .map(|d| (d.id, d.identity.name, d.identity.id_number))
        .collect();
    let old_id = store.key_id();

    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (store, stop, reads) = (store.clone(), stop.clone(), reads.clone());
        let people = people.clone();
        std::thread::spawn(move || -> Result<(), String> {
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) || i < 200 {
                let (id, name, idn) = &people[(i * 7919) % people.len()];
                let d = store
                    .dossier(*id)
                    .map_err(|e| e.to_string())?
                    .ok_or("dossier missing")?;
                if &d.identity.name != name {
                    return Err(format!("#{id} read back wrong"));
                }
                let by_name = store.find_by_name(name).map_err(|e| e.to_string())?;
                if !by_name.contains(id) {
                    return Err(format!("#{id} not found by name (read {i})"));
                }
                if !idn.is_empty()
                    && store.find_by_id_number(idn).map_err(|e| e.to_string())? != Some(*id)
                {
                    return Err(format!("#{id} not found by ID number (read {i})"));
                }
                store
                    .saved_filter("女干部")
                    .map_err(|e| format!("saved filter: {e}"))?;
                i += 1;
                reads.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
    };
    // Let the reader get going, then rotate under it.
    while reads.load(Ordering::Relaxed) < 50 {
        std::thread::yield_now();
    }
    let before = reads.load(Ordering::Relaxed);
    let report = store.rotate_key(&KeySource::File(new_key.clone())).unwrap();
    let during = reads.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap().unwrap();
    assert!(report.resealed >= 3000, "{report:?}");
    assert_eq!(report.unreadable, 0);
    assert_ne!(store.key_id(), old_id);
    assert!(during > 0, "the reader kept reading during the rotation");
    // Writes after the rotation work, and the database checks clean.
    let mut d = store.dossier(1).unwrap().unwrap();
    d.identity.native_place = "青川省".into();
    store.update_dossier(&d).unwrap();
    assert!(store.check().unwrap().issues.is_empty());
    drop(store);

    let err = Store::open_with(&path, &old_opts)
        .err()
        .expect("the old key no longer opens it");
    assert!(err.to_string().contains("密钥与数据库不符"), "{err}");
    let store = Store::open_with(&path, &new_opts).unwrap();
    let (id, name, idn) = &people[10];
    assert!(store.find_by_name(name).unwrap().contains(id));
    assert_eq!(store.find_by_id_number(idn).unwrap(), Some(*id));
    let twin = store.dossier(*id).unwrap().unwrap();
    let mut copy = twin.clone();
    copy.id = 0;
    assert_eq!(
        store.find_duplicate(&copy).unwrap().map(|(e, _)| e),
        Some(*id)
    );
    assert_eq!(store.saved_filters().unwrap().len(), 1);
    let report = store.check().unwrap();
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    // No index tree of the old key is left behind.
    assert_eq!(report.index_entries, 2 * people.len());
}

#[test]
fn a_rotation_refuses_the_same_key() {
    let store = Store::temporary().unwrap();
    let err = store
        .rotate_key(&KeySource::Key(Zeroizing::new([9u8; 32])))
        .map(|_| ())
        .and_then(|()| {
            store
                .rotate_key(&KeySource::Key(Zeroizing::new([9u8; 32])))
                .map(|_| ())
        })
        .expect_err("same key refused");
    assert!(matches!(err, StoreError::Key(crypto::KeyError::SameKey)));
}

#[test]
fn the_key_commands_create_check_and_rotate() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cadre"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("CADRE_DB")
            .env_remove("CADRE_KEY_FILE")
            .env_remove("CADRE_PASSPHRASE")
            .output()
            .expect("run cadre")
    };
    {
        let store = Store::open(&db).unwrap();
        store
            .insert_dossier(person("张伟", (1975, 3, 8), Gender::Male, 11))
            .unwrap();
    }
    let out = run(&["key", "check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("相符"));
    let new_key = dir.path().join("new.key");
    let out = run(&["key", "new", new_key.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let old = std::fs::read(crypto::default_key_file(&db)).unwrap();
    let out = run(&["key", "rotate", "--new-key-file", new_key.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The default key file now holds the new key, and the data opens with it.
    let now = std::fs::read(crypto::default_key_file(&db)).unwrap();
    assert_ne!(now, old);
    assert_eq!(now, std::fs::read(&new_key).unwrap());
    let out = run(&["show", "张伟"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong key file is refused with the message, and the exit status.
    let wrong = dir.path().join("wrong.key");
    crypto::write_new_key_file(&wrong).unwrap();
    let out = run(&["--key-file", wrong.to_str().unwrap(), "key", "check"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("密钥与数据库不符"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_interrupted_rotation_is_finished_on_the_next_open_with_either_key() {
    for reopen_with_new in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (old_key, new_key) = (dir.path().join("old.key"), dir.path().join("new.key"));
        crypto::write_new_key_file(&old_key).unwrap();
        crypto::write_new_key_file(&new_key).unwrap();
        let old_opts = with_key(KeySource::File(old_key.clone()));
        let new_opts = with_key(KeySource::File(new_key.clone()));
        {
            let store = demo_store(&path, &old_opts, 200);
            store
                .save_plan(&TeamPlan {
                    name: "调整方案".into(),
                    unit: 1,
                    remove: vec![],
                    add: vec![2],
                    note: String::new(),
                })
                .unwrap();
            store
                .debug_interrupted_rotation(&KeySource::File(new_key.clone()))
                .unwrap();
            // Half done: the check says so.
            assert!(
                store
                    .check()
                    .unwrap()
                    .issues
                    .iter()
                    .any(|i| i.problem.contains("密钥轮换"))
            );
        }
        let opts = if reopen_with_new {
            &new_opts
        } else {
            &old_opts
        };
        {
            let store = Store::open_with(&path, opts).unwrap();
            let report = store.check().unwrap();
            assert!(report.issues.is_empty(), "{:?}", report.issues);
            assert_eq!(report.dossiers, 200);
            assert_eq!(store.plan("调整方案").unwrap().add, vec![2]);
            let d = store.dossier(7).unwrap().unwrap();
            assert!(store.find_by_name(&d.identity.name).unwrap().contains(&7));
        }
        // Finished: the new key opens it, the old no longer does.
        assert!(Store::open_with(&path, &new_opts).is_ok());
        let err = Store::open_with(&path, &old_opts)
            .err()
            .expect("old key refused");
        assert!(err.to_string().contains("密钥与数据库不符"), "{err}");
    }
}
