//! The real `cadre` binary in a pseudo-terminal, read back through a VT100 parser: what a
//! clerk sees over SSH. Shared by the end-to-end tests (`tui_pty.rs`, `session_pty.rs`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cadre::model::{Unit, UnitKind, UnitLevel};
use cadre::store::Store;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_cadre");

/// A database with the sample county, closed again so the binary can open it.
pub fn seeded_db(dir: &Path) -> PathBuf {
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

pub struct Session {
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    _master: Box<dyn MasterPty + Send>,
    pub child: Box<dyn Child + Send + Sync>,
}

impl Session {
    /// Starts `cadre ARGS` at 80x24 in a clean environment under `dir` (no user
    /// configuration, logs in the temp dir), with `env` added, read by `parser`.
    pub fn spawn(
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        parser: vt100::Parser,
    ) -> Session {
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
        cmd.env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd.env("HOME", dir);
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
        cmd.env("XDG_DATA_HOME", dir.join("data"));
        cmd.env("XDG_STATE_HOME", dir.join("state"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn cadre");
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(parser));
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

    /// `cadre ARGS` with a plain 80x24 parser.
    pub fn start(dir: &Path, args: &[&str]) -> Session {
        Self::spawn(dir, args, &[], vt100::Parser::new(24, 80, 0))
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `needle`; panics with the screen if it never does.
    pub fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never saw {needle:?}; screen:\n{}", self.screen());
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Sends a signal to the process by name (TERM, HUP).
    pub fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("pid");
        let sent = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
    }

    /// Waits for the process to end (then a moment for the reader to take the last bytes);
    /// its exit status.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("cadre did not exit; screen:\n{}", self.screen());
    }

    /// Every byte the program wrote.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Whether the output, after the last switch to the alternate screen, switches back and
    /// turns bracketed paste off: the terminal was restored.
    pub fn restored(&self) -> bool {
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
