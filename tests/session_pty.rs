//! End-to-end runs of the real binary in a pseudo-terminal for what a session leaves behind:
//! after quitting, neither the screen nor the scrollback holds a name or ID number of the
//! dossier that was open (also on a terminal without an alternate screen, which draws every
//! frame on the main screen), and the log file holds no name or ID number after a session that
//! opened dossiers, saved an edit and ran a filter.

mod common;

use std::time::Duration;

use cadre::store::Store;
use common::pty::*;

const SCROLLBACK: usize = 2000;

/// `cadre ARGS` at the given log level, after some shell output so the scrollback is in use.
fn start(dir: &std::path::Path, args: &[&str], log_level: &str) -> Session {
    let mut p = vt100::Parser::new(24, 80, SCROLLBACK);
    for i in 0..40 {
        p.process(format!("$ ls line {i}\r\n").as_bytes());
    }
    Session::spawn(dir, args, &[("CADRE_LOG", log_level)], p)
}

/// Every name and ID number in the sample county.
fn sensitive() -> Vec<String> {
    let mut out = Vec::new();
    for d in cadre::tui::testing::sample_dossiers() {
        out.push(d.identity.name.clone());
        if !d.identity.id_number.is_empty() {
            out.push(d.identity.id_number.clone());
        }
        for f in &d.family {
            out.push(f.name.clone());
        }
    }
    out
}

/// The visible screen and every scrollback row of a parser, top to bottom.
fn everything(parser: &mut vt100::Parser) -> String {
    let mut out = String::new();
    let mut back = SCROLLBACK;
    loop {
        parser.set_scrollback(back);
        let shown = parser.screen().scrollback();
        out.push_str(&parser.screen().contents());
        out.push('\n');
        if shown == 0 {
            break;
        }
        back = shown.saturating_sub(24);
    }
    parser.set_scrollback(0);
    out
}

/// What a terminal without an alternate screen would hold: every frame drawn on the main
/// screen, `ESC [3J` dropping the history (vt100 does not implement it, so it is done here).
fn without_alternate_screen(raw: &[u8]) -> String {
    let text = raw.to_vec();
    let strip = |b: &[u8]| -> Vec<u8> {
        let s = String::from_utf8_lossy(b)
            .replace("\x1b[?1049h", "")
            .replace("\x1b[?1049l", "");
        s.into_bytes()
    };
    let mut parser = vt100::Parser::new(24, 80, SCROLLBACK);
    let purge = b"\x1b[3J";
    let mut rest = &text[..];
    loop {
        match rest.windows(purge.len()).position(|w| w == purge) {
            Some(at) => {
                parser.process(&strip(&rest[..at]));
                // Keep the screen, drop the history.
                let screen = parser.screen().contents_formatted();
                parser = vt100::Parser::new(24, 80, SCROLLBACK);
                parser.process(&screen);
                rest = &rest[at + purge.len()..];
            }
            None => {
                parser.process(&strip(rest));
                break;
            }
        }
    }
    everything(&mut parser)
}

#[test]
fn nothing_of_a_dossier_stays_on_screen_or_in_scrollback_after_quitting() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = start(dir.path(), &["--db", db.to_str().unwrap()], "info");
    s.wait_for("库中共 5 人");
    s.send(b"wws");
    s.wait_for("王文胜");
    s.send(b"\r");
    s.wait_for("330102197503080417");
    s.send(b"\t");
    s.wait_for("任职详情");
    s.send(b"\x03");
    assert!(s.wait_exit().success());

    let raw = s.raw();
    // After the interface is left, the scrollback is cleared.
    let text = String::from_utf8_lossy(&raw);
    let left = text.rfind("\x1b[?1049l").expect("alternate screen left");
    assert!(
        text[left..].contains("\x1b[3J"),
        "scrollback cleared after leaving"
    );
    // The simulation below sees the dossier while cadre runs (so it can see it left behind).
    let blanked = raw
        .windows(4)
        .rposition(|w| w == b"\x1b[2J")
        .expect("screen blanked on the way out");
    assert!(
        without_alternate_screen(&raw[..blanked]).contains("王文胜"),
        "the dossier was on the screen while cadre ran"
    );

    let mut parser = s.parser.lock().unwrap();
    let all = everything(&mut parser);
    assert!(
        all.contains("$ ls line 39"),
        "the shell's screen is back:\n{all}"
    );
    for needle in sensitive() {
        assert!(!all.contains(&needle), "{needle} left behind:\n{all}");
    }
    drop(parser);

    let all = without_alternate_screen(&raw);
    for needle in sensitive() {
        assert!(
            !all.contains(&needle),
            "{needle} left behind on a terminal without an alternate screen:\n{all}"
        );
    }
}

#[test]
fn the_log_holds_no_name_or_id_number_after_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut s = start(dir.path(), &["--db", db.to_str().unwrap()], "debug");
    s.wait_for("库中共 5 人");
    // Open two dossiers.
    s.send(b"wws");
    s.wait_for("王文胜");
    s.send(b"\r");
    s.wait_for("330102197503080417");
    s.send(b"\x1b");
    s.wait_for("查询：");
    s.send(b"\x15");
    s.send("李".as_bytes());
    s.wait_for("李晓梅");
    s.send(b"\r");
    s.wait_for("一、基本信息");
    // Save an edit: a posting with a position, then Ctrl-S.
    s.send(b"p");
    s.wait_for("新增任职");
    s.send(b"\t\t\t\t");
    s.send("县长助理".as_bytes());
    s.wait_for("县长助理");
    s.send(b"\x13");
    s.wait_for("已保存");
    // Run a filter.
    s.send(b"4");
    s.wait_for("筛选");
    s.send("年龄 < 60".as_bytes());
    s.send(b"\r");
    std::thread::sleep(Duration::from_millis(500));
    s.send(b"\x03");
    assert!(s.wait_exit().success());

    // The edit really happened.
    {
        let store = Store::open(&db).unwrap();
        let id = store.find_by_name("李晓梅").unwrap()[0];
        assert_eq!(store.revision(id).unwrap(), 2, "created, then the edit");
    }
    let log = dir
        .path()
        .join("data")
        .join("cadre")
        .join("logs")
        .join("cadre.log");
    let text = std::fs::read_to_string(&log).expect("log file written");
    assert!(
        text.contains("facts loaded"),
        "the session was logged:\n{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for needle in sensitive().into_iter().chain(["县长助理".to_string()]) {
        assert!(!text.contains(&needle), "{needle} in the log:\n{text}");
    }
}
