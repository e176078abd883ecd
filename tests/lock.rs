//! The idle lock against the headless app: snapshots of the lock screen at 80x24 and 160x40,
//! no dossier data drawn while locked (not even beneath an overlay or a form), the flow idle →
//! locked → wrong name refused → right name → the same pane as before, a key restarting the
//! idle time, `lock_after_minutes = 0` never locking, and Ctrl-C quitting from the lock.
//! Time comes in as `Action::Tick`, so no test sleeps.

use std::time::{Duration, Instant};

use cadre::tui::Action;
use cadre::tui::App;
use cadre::tui::config::{self, Env, Settings};
use cadre::tui::state::Pane;
use cadre::tui::strings as s;
use cadre::tui::testing::*;

const SMALL: (u16, u16) = (80, 24);
const WIDE: (u16, u16) = (160, 40);
const MINUTE: Duration = Duration::from_secs(60);

fn text(app: &App) -> String {
    screen_text(&render(app))
}

/// 王文胜's dossier open in `pane` keys, the clock started at `t0`.
fn open(size: (u16, u16), keys_after: &str, t0: Instant) -> App {
    let mut app = sample_app(size);
    app.update(Action::Tick(t0));
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    keys(&mut app, keys_after);
    app
}

/// Every name and ID number in the sample county.
fn sensitive() -> Vec<String> {
    let mut out = Vec::new();
    for d in sample_dossiers() {
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

fn assert_no_data(screen: &str) {
    for needle in sensitive() {
        assert!(
            !screen.contains(&needle),
            "{needle} on the lock screen:\n{screen}"
        );
    }
}

#[test]
fn the_lock_screen_at_80x24_and_160x40() {
    for (size, name) in [(SMALL, "lock_screen_80x24"), (WIDE, "lock_screen_160x40")] {
        let t0 = Instant::now();
        let mut app = open(size, "", t0);
        assert!(text(&app).contains("王文胜"));
        app.update(Action::Tick(t0 + 10 * MINUTE));
        assert!(app.is_locked());
        let screen = text(&app);
        assert_no_data(&screen);
        insta::assert_snapshot!(name, screen);
    }
}

#[test]
fn a_wrong_name_is_shown_on_the_lock_screen() {
    let t0 = Instant::now();
    let mut app = open(SMALL, "", t0);
    app.update(Action::Tick(t0 + 10 * MINUTE));
    type_text(&mut app, "not-the-user");
    assert!(text(&app).contains("not-the-user"));
    press(&mut app, "enter");
    let screen = text(&app);
    assert!(screen.contains(s::LOCK_WRONG), "{screen}");
    assert!(!screen.contains("not-the-user"), "the entry is cleared");
    insta::assert_snapshot!("lock_screen_wrong_80x24", screen);
}

#[test]
fn idle_locks_wrong_name_refused_right_name_returns_to_the_same_pane() {
    let t0 = Instant::now();
    let mut app = open(SMALL, "tab", t0);
    assert_eq!(app.state.pane, Pane::Timeline);
    let before = text(&app);
    assert!(before.contains("任职详情"), "{before}");

    // Nine minutes: still open. A key then restarts the ten minutes.
    app.update(Action::Tick(t0 + 9 * MINUTE));
    assert!(!app.is_locked());
    press(&mut app, "j");
    press(&mut app, "k");
    app.update(Action::Tick(t0 + 18 * MINUTE));
    assert!(
        !app.is_locked(),
        "a key at minute 9 restarted the idle time"
    );
    app.update(Action::Tick(t0 + 19 * MINUTE));
    assert!(app.is_locked());
    let locked = text(&app);
    assert!(locked.contains(s::LOCK_HEADING), "{locked}");
    assert_no_data(&locked);

    // Keys that would act on the pane do nothing while locked.
    keys(&mut app, "tab 1 m");
    assert_eq!(app.state.pane, Pane::Timeline);
    assert!(!app.state.mask);
    press(&mut app, "ctrl-u");

    let user = cadre::user::current_user();
    type_text(&mut app, &format!("{user}x"));
    press(&mut app, "enter");
    assert!(app.is_locked(), "a wrong name does not unlock");
    assert!(text(&app).contains(s::LOCK_WRONG));

    type_text(&mut app, &user);
    press(&mut app, "enter");
    assert!(!app.is_locked());
    assert_eq!(app.state.pane, Pane::Timeline);
    assert_eq!(text(&app), before, "the same pane as before");

    // The idle time starts again from the unlock.
    app.update(Action::Tick(t0 + 28 * MINUTE));
    assert!(!app.is_locked());
    app.update(Action::Tick(t0 + 29 * MINUTE));
    assert!(app.is_locked());
}

#[test]
fn nothing_shows_beneath_an_overlay_or_a_form_while_locked() {
    let t0 = Instant::now();
    // The help overlay over the dossier.
    let mut app = open(SMALL, "f1", t0);
    app.update(Action::Tick(t0 + 10 * MINUTE));
    assert_no_data(&text(&app));
    // An open editing form.
    let mut app = open(SMALL, "e", t0);
    assert!(text(&app).contains("王文胜"));
    app.update(Action::Tick(t0 + 10 * MINUTE));
    let screen = text(&app);
    assert_no_data(&screen);
    assert!(screen.contains(s::LOCK_HEADING));
    // Unlocked, the form is still there with what it held.
    type_text(&mut app, &cadre::user::current_user());
    press(&mut app, "enter");
    assert!(app.state.form.is_some());
    assert!(text(&app).contains("王文胜"));
}

#[test]
fn zero_minutes_never_locks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "lock_after_minutes = 0\n").unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    assert!(settings.errors.is_empty(), "{:?}", settings.errors);
    let mut app = app_with(sample_store(), settings, SMALL);
    let t0 = Instant::now();
    app.update(Action::Tick(t0));
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    app.update(Action::Tick(t0 + 60 * 24 * 30 * MINUTE));
    assert!(!app.is_locked());
    assert!(text(&app).contains("王文胜"));
}

#[test]
fn a_configured_limit_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "lock_after_minutes = 2\n").unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    let mut app = app_with(sample_store(), settings, SMALL);
    let t0 = Instant::now();
    app.update(Action::Tick(t0));
    app.update(Action::Tick(t0 + MINUTE));
    assert!(!app.is_locked());
    app.update(Action::Tick(t0 + 2 * MINUTE));
    assert!(app.is_locked());
}

#[test]
fn a_bad_value_is_a_config_error_with_file_and_line_and_the_default_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "theme = \"default\"\nlock_after_minutes = \"十分钟\"\n",
    )
    .unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    assert_eq!(settings.errors.len(), 1);
    let shown = settings.errors[0].to_string();
    assert!(shown.contains("config.toml 第 2 行"), "{shown}");
    let mut app = app_with(sample_store(), settings, SMALL);
    // The error is shown to the user in the message line.
    assert!(text(&app).contains("lock_after_minutes"));
    let t0 = Instant::now();
    app.update(Action::Tick(t0));
    app.update(Action::Tick(t0 + 9 * MINUTE));
    assert!(!app.is_locked());
    app.update(Action::Tick(t0 + 10 * MINUTE));
    assert!(app.is_locked(), "the default ten minutes");
}

#[test]
fn ctrl_c_quits_from_the_lock_screen() {
    let t0 = Instant::now();
    let mut app = app_with(sample_store(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::Tick(t0));
    app.update(Action::Tick(t0 + 10 * MINUTE));
    assert!(app.is_locked());
    press(&mut app, "q");
    assert!(!app.should_quit(), "a letter is typed, not a command");
    press(&mut app, "ctrl-c");
    assert!(app.should_quit());
}
