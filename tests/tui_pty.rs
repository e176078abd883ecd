//! End-to-end runs of the real `cadre` binary in a pseudo-terminal: what a clerk sees over
//! SSH, read back through a VT100 parser. Covers the main flow, `--mask`, and that the
//! terminal is restored (alternate screen left, bracketed paste off) on quit, on SIGTERM and
//! on SIGHUP (a dropped connection), and that an unsaved form survives SIGHUP as a draft offered
//! back on the next start.

mod common;

use cadre::store::Store;

use common::pty::*;

#[test]
fn a_clerk_looks_up_opens_masks_and_quits() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap()]);
    s.wait_for("库中共 5 人");
    s.wait_for("查询：");
    // Pinyin initials, as clerks type them.
    s.send(b"wws");
    s.wait_for("王文胜");
    s.send(b"\r");
    s.wait_for("一、基本信息");
    s.wait_for("330102197503080417");
    s.send(b"\t");
    s.wait_for("任职详情");
    s.send(b"m");
    s.wait_for("【会议模式】");
    s.send(b"\t");
    s.wait_for("（会议模式，已隐藏）");
    assert!(!s.screen().contains("330102197503080417"));
    s.send(b"\x03");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(s.restored(), "terminal restored after Ctrl-C");
}

#[test]
fn mask_flag_starts_in_meeting_mode_and_sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap(), "--mask"]);
    s.wait_for("【会议模式】");
    s.wait_for("库中共 5 人");
    s.signal("TERM");
    s.wait_exit();
    assert!(s.restored(), "terminal restored after SIGTERM");
}

#[test]
fn a_hangup_ends_the_process_and_frees_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap()]);
    s.wait_for("库中共 5 人");
    s.send("王".as_bytes());
    s.wait_for("找到 2 人");
    // What sshd does when the connection drops.
    s.signal("HUP");
    s.wait_exit();
    assert!(s.restored(), "terminal restored after SIGHUP");
    // The database is free again: the process really ended.
    Store::open(&db).expect("database lock released");
}

#[test]
fn an_unsaved_form_survives_a_hangup_and_is_offered_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap()]);
    s.wait_for("库中共 5 人");
    s.send(b"wws");
    s.wait_for("王文胜");
    s.send(b"\r");
    s.wait_for("一、基本信息");
    // Add a posting: Tab to the position and type it, then the connection drops.
    s.send(b"p");
    s.wait_for("新增任职");
    s.send(b"\t\t\t\t");
    s.send("县委书记".as_bytes());
    s.wait_for("县委书记");
    s.signal("HUP");
    s.wait_exit();
    assert!(s.restored(), "terminal restored after SIGHUP");
    // The draft is on disk, the user's alone.
    let drafts = dir.path().join("data").join("cadre").join("drafts");
    let files: Vec<_> = std::fs::read_dir(&drafts)
        .expect("drafts directory")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Nothing was saved to the database.
    {
        let store = Store::open(&db).expect("database free");
        let id = store.find_by_name("王文胜").unwrap()[0];
        let d = store.dossier(id).unwrap().unwrap();
        assert!(d.postings.iter().all(|p| p.position != "县委书记"));
    }
    // The next start offers it back; Enter restores the form with what was typed.
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap()]);
    s.wait_for("未保存的表单");
    s.send(b"\r");
    s.wait_for("新增任职");
    s.wait_for("县委书记");
    // Saved now; the draft goes.
    s.send(b"\x13");
    s.wait_for("已保存");
    s.send(b"\x03");
    s.wait_exit();
    assert!(std::fs::read_dir(&drafts).unwrap().next().is_none());
    let store = Store::open(&db).expect("database free");
    let id = store.find_by_name("王文胜").unwrap()[0];
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(d.current_posting().unwrap().position, "县委书记");
}

#[test]
fn an_unsaved_form_survives_sigterm_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap()]);
    s.wait_for("库中共 5 人");
    s.send(b"wws");
    s.wait_for("王文胜");
    s.send(b"\r");
    s.wait_for("一、基本信息");
    s.send(b"e");
    s.wait_for("基本信息与干部状态");
    s.signal("TERM");
    s.wait_exit();
    assert!(s.restored(), "terminal restored after SIGTERM");
    let mut s = Session::start(dir.path(), &["--db", db.to_str().unwrap()]);
    s.wait_for("未保存的表单");
    // Delete discards it; it is not offered again.
    s.send(b"\x1b[3~");
    s.wait_for("草稿已丢弃");
    s.send(b"\x03");
    s.wait_exit();
    let drafts = dir.path().join("data").join("cadre").join("drafts");
    assert!(std::fs::read_dir(&drafts).unwrap().next().is_none());
}
