//! End-to-end runs of the real `cadre` binary in a pseudo-terminal: what a clerk sees over
//! SSH, read back through a VT100 parser. Covers the main flow, `--mask`, and that the
//! terminal is restored (alternate screen left, bracketed paste off) on quit, on SIGTERM and
//! on SIGHUP (a dropped connection), and that an unsaved form survives SIGHUP as a draft offered
//! back on the next start.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cadre::model::{Unit, UnitKind, UnitLevel};
use cadre::store::Store;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_cadre");

/// A database with the sample county, closed again so the binary can open it.
fn seeded_db(dir: &Path) -> PathBuf {
    let path = dir.join("db");
    let store = Store::open(&path).expect("open db");
    for (id, name, parent, kind) in [
        (100, "临河县", None, UnitKind::Region),
        (101, "临河县人民政府", Some(100), UnitKind::Government),
        (102, "中共临河县委员会", Some(100), UnitKind::PartyCommittee),
    ] {
        store
            .put_unit(&Unit {
                id,
                name: name.into(),
                parent,
                kind,
                level: UnitLevel::County,
                regulates: vec![],
            })
            .expect("unit");
    }
    for d in cadre::tui::testing::sample_dossiers() {
        store.insert_dossier(d).expect("dossier");
    }
    store.flush().expect("flush");
    path
}

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    _master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl Session {
    fn start(dir: &Path, args: &[&str]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        // A clean environment: no user configuration, no colour hints, logs in the temp dir.
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", dir);
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        cmd.env("XDG_DATA_HOME", dir.join("data"));
        cmd.env("XDG_STATE_HOME", dir.join("state"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        let child = pty.slave.spawn_command(cmd).expect("spawn cadre");
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().expect("writer");
        Session {
            parser,
            raw,
            writer,
            _master: pty.master,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `needle`; panics with the screen if it never does.
    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never saw {needle:?}; screen:\n{}", self.screen());
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Sends a signal to the process by name (TERM, HUP).
    fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("pid");
        let sent = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
    }

    /// Waits for the process to end; its exit status.
    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("cadre did not exit; screen:\n{}", self.screen());
    }

    /// Whether the output, after the last switch to the alternate screen, switches back and
    /// turns bracketed paste off: the terminal was restored.
    fn restored(&self) -> bool {
        // Give the reader a moment to take the last bytes.
        std::thread::sleep(Duration::from_millis(200));
        let raw = self.raw.lock().unwrap();
        let text = String::from_utf8_lossy(&raw);
        let Some(entered) = text.rfind("\x1b[?1049h") else {
            return false;
        };
        let after = &text[entered..];
        after.contains("\x1b[?1049l") && after.contains("\x1b[?2004l")
    }
}

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
