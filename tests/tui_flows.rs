//! Flows as key sequences against the headless app: lookup to dossier to timeline with the
//! mask, the help overlay, the command line, what Esc does at each level, bad user files,
//! loading, pasting and store reads. Today is fixed; lookups are awaited with `settle`.

use std::time::Duration;

use cadre::tui::action::Action;
use cadre::tui::app::{App, AppOptions};
use cadre::tui::config::{self, Env, Settings};
use cadre::tui::state::{Overlay, Pane};
use cadre::tui::testing::*;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SMALL: (u16, u16) = (80, 24);

fn text(app: &App) -> String {
    screen_text(&render(app))
}

fn status_line(app: &App) -> String {
    text(app).lines().last().unwrap_or_default().to_string()
}

#[test]
fn lookup_to_dossier_to_timeline_with_mask_then_quit() {
    let mut app = sample_app(SMALL);
    assert_eq!(app.state.pane, Pane::Lookup);
    type_text(&mut app, "王文");
    app.settle();
    let screen = text(&app);
    assert!(screen.contains("王文胜"), "{screen}");
    assert!(!screen.contains("李晓梅"));
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    let screen = text(&app);
    assert!(screen.contains("一、基本信息"));
    assert!(screen.contains("任现职 8年8个月"));
    assert!(screen.contains("330102197503080417"));
    press(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Timeline);
    assert!(text(&app).contains("任职详情"));
    press(&mut app, "m");
    assert!(app.state.mask);
    assert!(status_line(&app).starts_with("【会议模式】"));
    press(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Dossier);
    let screen = text(&app);
    assert!(!screen.contains("330102197503080417"));
    assert!(screen.contains("（会议模式，已隐藏）"));
    press(&mut app, "m");
    assert!(!app.state.mask);
    assert!(text(&app).contains("330102197503080417"));
    assert!(!app.should_quit());
    press(&mut app, "ctrl-c");
    assert!(app.should_quit());
}

#[test]
fn initials_find_the_cadre_and_the_matched_characters_are_highlighted() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "wws");
    app.settle();
    assert_eq!(app.state.results[0].entry.name, "王文胜");
    let buf = render(&app);
    let matched = app.theme.style("lookup.match");
    let name = styles_of(&buf, "王文胜");
    assert_eq!(name.len(), 3);
    for st in name {
        assert_eq!(st.fg, matched.fg);
        assert!(st.add_modifier.contains(matched.add_modifier));
    }
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    assert_eq!(app.state.person.as_ref().unwrap().identity.name, "王文胜");
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    for keys_before in ["", "f1", "ctrl-x", "enter"] {
        let mut app = sample_app(SMALL);
        type_text(&mut app, "王文胜");
        app.settle();
        keys(&mut app, keys_before);
        press(&mut app, "ctrl-c");
        assert!(app.should_quit(), "after {keys_before:?}");
    }
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "enter tab ?");
    press(&mut app, "ctrl-c");
    assert!(app.should_quit());
}

#[test]
fn mask_can_start_on() {
    let mut app = App::headless(
        sample_store(),
        Settings::defaults(&Env::default()),
        AppOptions {
            mask: true,
            today: today(),
            size: SMALL,
        },
    )
    .unwrap();
    assert!(status_line(&app).starts_with("【会议模式】"));
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    assert!(!text(&app).contains("330102197503080417"));
    // F2 toggles while typing too.
    press(&mut app, "esc");
    press(&mut app, "f2");
    assert!(!app.state.mask);
}

#[test]
fn key_releases_and_repeats_are_ignored() {
    let mut app = sample_app(SMALL);
    let ev = |kind| {
        Event::Key(KeyEvent {
            code: KeyCode::Char('x'),
            modifiers: KeyModifiers::NONE,
            kind,
            state: KeyEventState::NONE,
        })
    };
    assert!(!app.handle_event(&ev(KeyEventKind::Release)));
    assert!(!app.handle_event(&ev(KeyEventKind::Repeat)));
    assert_eq!(app.state.query.text(), "");
    assert!(app.handle_event(&ev(KeyEventKind::Press)));
    assert_eq!(app.state.query.text(), "x");
}

#[test]
fn han_input_puts_the_cursor_by_display_width() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文");
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    // " 查询：" is 7 columns, 王文 four more.
    let pos = term.get_cursor_position().unwrap();
    assert_eq!((pos.x, pos.y), (11, 1));
    keys(&mut app, "left");
    term.draw(|f| app.draw(f)).unwrap();
    assert_eq!(term.get_cursor_position().unwrap().x, 9);
    keys(&mut app, "backspace");
    assert_eq!(app.state.query.text(), "文");
}

#[test]
fn results_move_and_open_the_selected_person() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王");
    app.settle();
    assert_eq!(app.state.results.len(), 2);
    keys(&mut app, "down down down");
    assert_eq!(app.state.selected, 1, "stops at the last result");
    let name = app.state.results[1].entry.name.clone();
    press(&mut app, "enter");
    assert_eq!(app.state.person.as_ref().unwrap().identity.name, name);
    press(&mut app, "esc");
    keys(&mut app, "up tab");
    assert_eq!(app.state.pane, Pane::Timeline);
    assert_eq!(
        app.state.person.as_ref().unwrap().identity.name,
        app.state.results[0].entry.name
    );
}

#[test]
fn help_overlay_opens_scrolls_and_closes() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王");
    press(&mut app, "f1");
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 0 })
    ));
    let screen = text(&app);
    assert!(screen.contains("帮助（Esc 关闭"));
    assert!(
        screen.contains("打开档案"),
        "descriptions come from the keymap"
    );
    // Keys go to the help, not to the query underneath.
    keys(&mut app, "j j");
    assert!(matches!(
        app.state.overlay,
        Some(Overlay::Help { scroll: 2 })
    ));
    assert_eq!(app.state.query.text(), "王");
    press(&mut app, "esc");
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.query.text(), "王", "Esc closed only the help");
    assert_eq!(app.state.pane, Pane::Lookup);
    // In a pane that is not typing, ? opens and closes it.
    app.settle();
    keys(&mut app, "enter ?");
    assert!(matches!(app.state.overlay, Some(Overlay::Help { .. })));
    assert!(text(&app).contains("下一部分"));
    press(&mut app, "?");
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.pane, Pane::Dossier);
}

#[test]
fn command_line_runs_actions_by_name_with_completion() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "enter :");
    assert!(matches!(app.state.overlay, Some(Overlay::Command(_))));
    type_text(&mut app, "toggle_m");
    press(&mut app, "tab");
    let Some(Overlay::Command(cmd)) = &app.state.overlay else {
        panic!("command line closed");
    };
    assert_eq!(cmd.input.text(), "toggle_mask");
    assert!(text(&app).contains(":toggle_mask"));
    press(&mut app, "enter");
    assert!(app.state.overlay.is_none());
    assert!(app.state.mask);
    // A Chinese word finds the action by its description; Enter runs the only candidate.
    press(&mut app, ":");
    type_text(&mut app, "履历");
    assert!(text(&app).contains("show_timeline"));
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Timeline);
    // An unknown name is an error shown until Esc.
    press(&mut app, ":");
    type_text(&mut app, "fly");
    press(&mut app, "enter");
    assert!(text(&app).contains("未知命令“fly”"));
    press(&mut app, "j");
    assert!(
        text(&app).contains("未知命令“fly”"),
        "errors stay until Esc"
    );
    press(&mut app, "esc");
    assert!(!text(&app).contains("未知命令"));
    assert_eq!(
        app.state.pane,
        Pane::Timeline,
        "that Esc only dismissed the error"
    );
    // From the typing pane the command line is on Ctrl-X; :quit quits.
    press(&mut app, "/");
    assert_eq!(app.state.pane, Pane::Lookup);
    press(&mut app, "ctrl-x");
    type_text(&mut app, "quit");
    press(&mut app, "enter");
    assert!(app.should_quit());
}

#[test]
fn command_line_backs_out_with_esc() {
    let mut app = sample_app(SMALL);
    press(&mut app, "ctrl-x");
    type_text(&mut app, "hel");
    assert!(
        app.state.query.is_empty(),
        "typing went to the command line"
    );
    press(&mut app, "esc");
    assert!(app.state.overlay.is_none());
    assert!(app.state.query.is_empty());
}

#[test]
fn esc_backs_out_one_level_at_a_time() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "enter tab ?");
    press(&mut app, "esc");
    assert!(app.state.overlay.is_none());
    assert_eq!(app.state.pane, Pane::Timeline);
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Lookup);
    assert_eq!(app.state.query.text(), "王文胜", "the query is kept");
    assert_eq!(app.state.results.len(), 1);
    press(&mut app, "esc");
    assert!(app.state.query.is_empty());
    assert!(app.state.results.is_empty());
    press(&mut app, "esc");
    assert!(!app.should_quit(), "Esc never quits");
    assert!(text(&app).contains("已在最上层；按 Ctrl-C 退出"));
    // A notice goes with the next key.
    type_text(&mut app, "李");
    assert!(!text(&app).contains("已在最上层"));
}

#[test]
fn bad_user_files_are_reported_with_file_and_line_and_defaults_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.toml"),
        "# my keys\n[dossier]\nx = \"explode\"\nz = { run = \"bottom\", desc = \"到底\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("theme.toml"),
        "\"lookup.match\" = \"red\"\n\"mask\" = { bg = \"sunset\" }\n",
    )
    .unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    let mut app = app_with(sample_store(), settings, SMALL);
    let screen = text(&app);
    let msg_line = screen
        .lines()
        .find(|l| l.contains("keymap.toml"))
        .unwrap_or_default();
    assert!(msg_line.contains("keymap.toml 第 3 行"), "{screen}");
    assert!(msg_line.contains("explode"));
    assert!(msg_line.starts_with(" (1/2) "), "{msg_line}");
    // The defaults stay in force, and the good lines of the same files apply.
    let defaults = Settings::defaults(&Env::default());
    assert_eq!(app.theme.style("mask"), defaults.theme.style("mask"));
    assert_eq!(
        app.theme.style("lookup.match").fg,
        Some(ratatui::style::Color::Red)
    );
    press(&mut app, "esc");
    let screen = text(&app);
    assert!(screen.contains("theme.toml 第 2 行"), "{screen}");
    assert!(screen.contains("sunset"));
    press(&mut app, "esc");
    assert!(app.state.messages.is_empty());
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "enter j");
    assert_eq!(app.state.dossier_scroll, 1, "default j still scrolls");
    press(&mut app, "z");
    assert!(
        app.state.dossier_scroll > 20,
        "the user's z went to the end"
    );
    press(&mut app, "x");
    assert_eq!(app.state.pane, Pane::Dossier);
    // The user's binding shows in the help with its description.
    // (below the shipped dossier bindings: scrolled to at 80x24)
    press(&mut app, "?");
    for _ in 0..30 {
        if text(&app).contains("到底") {
            break;
        }
        press(&mut app, "down");
    }
    assert!(text(&app).contains("到底"), "{}", text(&app));
}

#[test]
fn a_syntax_error_in_the_theme_keeps_every_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("theme.toml"),
        "[palette\naccent = \"red\"\n",
    )
    .unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    let app = app_with(sample_store(), settings, SMALL);
    assert!(text(&app).contains("theme.toml 第 1 行：TOML 语法错误"));
    let defaults = Settings::defaults(&Env::default());
    for key in cadre::tui::theme::KEYS {
        assert_eq!(app.theme.style(key), defaults.theme.style(key), "{key}");
    }
}

#[test]
fn config_chooses_the_vim_keymap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "keymap = \"vim\"\n").unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    assert!(settings.errors.is_empty());
    let mut app = app_with(sample_store(), settings, SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "enter G");
    let bottom = app.state.dossier_scroll;
    assert!(bottom > 20);
    keys(&mut app, "g");
    assert_eq!(app.state.dossier_scroll, 0);
    keys(&mut app, "}");
    assert!(text(&app).contains("二、学历学位与培训"));
    keys(&mut app, "l");
    assert_eq!(app.state.pane, Pane::Timeline);
}

#[test]
fn dossier_scrolls_by_line_page_and_section() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    let body_first_line = |app: &App| text(app).lines().nth(6).unwrap_or_default().to_string();
    assert_eq!(body_first_line(&app).trim(), "一、基本信息");
    press(&mut app, "]");
    assert_eq!(body_first_line(&app).trim(), "二、学历学位与培训");
    press(&mut app, "]");
    assert_eq!(body_first_line(&app).trim(), "三、任职经历");
    press(&mut app, "[");
    assert_eq!(body_first_line(&app).trim(), "二、学历学位与培训");
    press(&mut app, "[");
    assert_eq!(body_first_line(&app).trim(), "一、基本信息");
    press(&mut app, "pagedown");
    let after_page = app.state.dossier_scroll;
    assert!(after_page >= 10, "{after_page}");
    press(&mut app, "k");
    assert_eq!(app.state.dossier_scroll, after_page - 1);
    keys(&mut app, "end j j");
    let end = app.state.dossier_scroll;
    assert!(text(&app).contains("建成全县农村供水一体化工程"));
    keys(&mut app, "]");
    assert_eq!(app.state.dossier_scroll, end, "no section after the last");
    keys(&mut app, "home");
    assert_eq!(app.state.dossier_scroll, 0);
    // A taller terminal shows more and scrolls less.
    app.update(Action::Resize(80, 60));
    keys(&mut app, "end");
    assert!(app.state.dossier_scroll < end);
}

#[test]
fn timeline_moves_between_postings() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Timeline);
    let detail = |app: &App| text(app).lines().nth(19).unwrap_or_default().to_string();
    assert!(detail(&app).contains("2016.10-至今（8年8个月）  临河县人民政府 县长"));
    press(&mut app, "up");
    assert!(detail(&app).contains("2011.12-2016.11（4年11个月）  临河县人民政府 副县长"));
    keys(&mut app, "up");
    assert!(detail(&app).contains("2005.10-2011.12"));
    assert!(text(&app).contains("与上一职务间隔 3个月"));
    keys(&mut app, "end");
    assert!(detail(&app).contains("中共临河县委员会 副书记"));
    assert!(text(&app).contains("兼任"));
    keys(&mut app, "home");
    assert!(detail(&app).contains("1997.07-2001.03"));
}

#[test]
fn panes_need_a_person() {
    let mut app = sample_app(SMALL);
    press(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Lookup);
    assert!(text(&app).contains("尚未选择干部"));
    type_text(&mut app, "没有这个人");
    app.settle();
    assert!(text(&app).contains("没有找到匹配的干部"));
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Lookup);
    assert!(text(&app).contains("没有选中的查询结果"));
}

#[test]
fn opening_reads_the_store_and_reports_a_vanished_dossier() {
    let store = sample_store();
    let mut app = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    type_text(&mut app, "李晓梅");
    app.settle();
    let id = app.state.results[0].hit.id;
    store.remove_dossier(id).unwrap();
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Lookup);
    assert!(text(&app).contains(&format!("档案 #{id} 已不存在")));
}

#[test]
fn pasting_a_name_anywhere_starts_a_lookup() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    app.handle_event(&Event::Paste("李晓梅\n".into()));
    assert_eq!(app.state.pane, Pane::Lookup);
    assert_eq!(app.state.query.text(), "李晓梅 ");
    app.settle();
    assert_eq!(app.state.results[0].entry.name, "李晓梅");
}

#[test]
fn first_frame_shows_before_loading_and_typing_waits_for_it() {
    let store = sample_store();
    let mut app = App::new(
        store.clone(),
        Settings::defaults(&Env::default()),
        AppOptions {
            mask: false,
            today: today(),
            size: SMALL,
        },
    );
    let screen = text(&app);
    assert!(screen.contains("正在载入档案，请稍候"), "{screen}");
    type_text(&mut app, "张伟");
    let data = cadre::tui::load_lookup_data(&store).unwrap();
    app.update(Action::Loaded(Ok(data.into())));
    app.settle();
    let screen = text(&app);
    assert!(screen.contains("库中共 5 人"));
    assert!(screen.contains("张伟"));
    assert!(screen.contains("66"), "age as of today: {screen}");
    // A failed load is said, not hidden.
    let mut app = App::new(
        store,
        Settings::defaults(&Env::default()),
        AppOptions::default(),
    );
    app.update(Action::Loaded(Err("磁盘错误".into())));
    assert!(text(&app).contains("载入档案失败：磁盘错误"));
}

#[test]
fn stale_results_do_not_replace_newer_ones() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "王");
    app.settle();
    let seq = app.state.seq_sent;
    app.update(Action::Results {
        seq: seq - 1,
        hits: vec![],
    });
    assert_eq!(app.state.results.len(), 2);
    // Results arrive through the event loop's tick as well.
    type_text(&mut app, "文");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while app.state.seq_shown < app.state.seq_sent && std::time::Instant::now() < deadline {
        app.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(app.state.results.len(), 1);
}

fn alerts_app() -> App {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowAlerts);
    assert_eq!(app.state.pane, Pane::Alerts);
    app
}

fn listed(app: &App) -> Vec<(String, String)> {
    let a = &app.state.alerts;
    a.shown
        .iter()
        .map(|&i| {
            let al = &a.all.as_ref().unwrap()[i];
            (al.severity.label().to_string(), al.rule_id.clone())
        })
        .collect()
}

#[test]
fn alerts_filter_by_severity_rule_and_unit_words() {
    let mut app = alerts_app();
    let total = app.state.alerts.shown.len();
    assert!(total > 3, "the sample county has alerts");
    press(&mut app, "s");
    assert!(listed(&app).iter().all(|(s, _)| s == "严重"));
    assert_eq!(listed(&app).len(), 1);
    assert!(text(&app).contains("等级：严重"));
    press(&mut app, "s");
    assert!(!listed(&app).is_empty());
    assert!(listed(&app).iter().all(|(s, _)| s == "警告"));
    keys(&mut app, "s s");
    assert_eq!(app.state.alerts.shown.len(), total);
    // The rule filter cycles the rule ids present, then back to all.
    press(&mut app, "r");
    let first = app.state.alerts.rule.clone().unwrap();
    assert!(listed(&app).iter().all(|(_, r)| *r == first));
    assert!(text(&app).contains(&format!("规则：{first}")));
    let n_rules = app.state.alerts.rule_ids().len();
    for _ in 0..n_rules {
        press(&mut app, "r");
    }
    assert_eq!(app.state.alerts.rule, None);
    assert_eq!(app.state.alerts.shown.len(), total);
    // Unit words: typed after `/`; plain letters are text, not bindings.
    press(&mut app, "/");
    assert!(app.state.is_typing());
    type_text(&mut app, "石桥");
    let screen = text(&app);
    assert!(screen.contains("李晓梅"), "{screen}");
    assert!(!screen.contains("王文胜"));
    assert_eq!(app.state.alerts.shown.len(), 1);
    press(&mut app, "enter");
    assert!(!app.state.is_typing());
    assert_eq!(app.state.alerts.shown.len(), 1, "Enter keeps the words");
    // Esc in the input clears the words.
    press(&mut app, "/");
    press(&mut app, "esc");
    assert_eq!(app.state.alerts.shown.len(), total);
    assert_eq!(app.state.pane, Pane::Alerts);
}

#[test]
fn enter_on_a_persons_alert_opens_the_dossier_and_esc_comes_back() {
    let mut app = alerts_app();
    // The first alert (严重) is 王文胜's.
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    assert_eq!(app.state.person.as_ref().unwrap().identity.name, "王文胜");
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Alerts);
    // A team alert has no dossier: said, not opened.
    press(&mut app, "down");
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Alerts);
    assert!(text(&app).contains("这是班子预警，没有对应的个人档案"));
    // Esc from the pane itself goes to the lookup.
    keys(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Lookup);
}

#[test]
fn marking_an_alert_reviewed_writes_the_store_and_can_be_hidden_and_undone() {
    let store = sample_store();
    let mut app = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::ShowAlerts);
    let key = app.state.alerts.selected_alert().unwrap().key();
    let total = app.state.alerts.shown.len();
    // Esc on the note writes nothing.
    press(&mut app, "v");
    type_text(&mut app, "sxr");
    press(&mut app, "esc");
    assert!(store.reviews().unwrap().is_empty());
    assert_eq!(app.state.alerts.severity, None, "typed letters were text");
    // Enter saves the note.
    press(&mut app, "v");
    type_text(&mut app, "已谈话提醒");
    press(&mut app, "enter");
    let saved = store.reviews().unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].key, key);
    assert_eq!(saved[0].note, "已谈话提醒");
    assert!(!saved[0].by.is_empty() && !saved[0].at.is_empty());
    let screen = text(&app);
    assert!(screen.contains("已核"), "{screen}");
    assert!(screen.contains("已谈话提醒"));
    assert!(screen.contains("已复核 1 条"));
    // Hidden, then shown again.
    press(&mut app, "x");
    assert_eq!(app.state.alerts.shown.len(), total - 1);
    assert!(text(&app).contains("已复核：隐藏"));
    press(&mut app, "x");
    assert_eq!(app.state.alerts.shown.len(), total);
    // A new app over the same store sees the mark; `v` takes it back.
    let mut again = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    again.update(Action::ShowAlerts);
    assert!(again.state.alerts.reviews.contains_key(&key));
    assert_eq!(again.state.alerts.selected_alert().unwrap().key(), key);
    press(&mut again, "v");
    assert!(store.reviews().unwrap().is_empty());
    assert!(!text(&again).contains("已核 "));
}

#[test]
fn reserve_sorts_by_column_filters_by_readiness_and_opens_the_dossier() {
    let mut app = app_with(reserve_store(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::ShowReserve);
    assert_eq!(app.state.pane, Pane::Reserve);
    let names = |app: &App| -> Vec<String> {
        let r = &app.state.reserve;
        r.shown
            .iter()
            .map(|&i| r.all.as_ref().unwrap()[i].name.clone())
            .collect()
    };
    // The engine's order: fewest gaps first.
    assert_eq!(names(&app).last().unwrap(), "赵强");
    press(&mut app, "a");
    assert_eq!(names(&app), ["刘洋", "陈静", "赵强"]);
    press(&mut app, "a");
    assert_eq!(names(&app), ["赵强", "陈静", "刘洋"]);
    assert!(text(&app).contains("排序：年龄降序"));
    press(&mut app, "t");
    assert_eq!(names(&app)[0], "赵强", "the highest target first");
    // Readiness filter cycles 近期可用, 一至两年, 需长期培养, all.
    press(&mut app, "f");
    assert_eq!(names(&app), ["陈静"]);
    press(&mut app, "f");
    assert_eq!(names(&app), ["刘洋"]);
    assert!(text(&app).contains("成熟度：一至两年"));
    keys(&mut app, "f f");
    assert_eq!(names(&app).len(), 3);
    // Enter opens the selected cadre; Esc comes back to the pool.
    press(&mut app, "n");
    assert_eq!(
        names(&app),
        ["刘洋", "赵强", "陈静"],
        "by name, in code order"
    );
    press(&mut app, "home");
    let first = app.state.reserve.selected_entry().unwrap().name.clone();
    assert_eq!(first, "刘洋");
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    assert_eq!(app.state.person.as_ref().unwrap().identity.name, first);
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Reserve);
    // The selected cadre's gaps are listed below the table.
    press(&mut app, "c");
    press(&mut app, "end");
    let screen = text(&app);
    assert!(
        screen.contains("赵强 与拟任县处级副职 副县长的差距"),
        "{screen}"
    );
}

fn team_app() -> App {
    let mut app = app_with(province_store(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::ShowTeam);
    assert_eq!(app.state.pane, Pane::Team);
    app
}

fn tree(app: &App) -> Vec<String> {
    app.state
        .team
        .rows
        .iter()
        .map(|(u, d)| {
            format!(
                "{}{}",
                " ".repeat(*d),
                app.state.units.get(*u).unwrap().name
            )
        })
        .collect()
}

#[test]
fn the_unit_tree_opens_and_closes_by_keyboard() {
    let mut app = team_app();
    // The province is open at first.
    assert_eq!(tree(&app), ["东海省", " 青州市", " 白沙市"]);
    keys(&mut app, "down right");
    assert_eq!(tree(&app), ["东海省", " 青州市", "  临河县", " 白沙市"]);
    keys(&mut app, "down right down");
    assert_eq!(tree(&app)[3], "   临河县人民政府");
    assert_eq!(app.state.team.cursor, 3);
    // Left on a leaf goes to its parent; again closes it.
    press(&mut app, "left");
    assert_eq!(app.state.team.cursor, 2);
    press(&mut app, "left");
    assert_eq!(tree(&app), ["东海省", " 青州市", "  临河县", " 白沙市"]);
    // Enter on a region opens it instead of choosing it.
    press(&mut app, "enter");
    assert_eq!(tree(&app).len(), 6);
    assert!(app.state.team.profile.is_none());
    assert!(text(&app).contains("临河县是地区，没有班子"));
    // Enter on a unit with a team shows the team.
    keys(&mut app, "down enter");
    let p = app.state.team.profile.as_ref().unwrap();
    assert_eq!(p.unit_name, "临河县人民政府");
    assert_eq!(p.members.len(), 3);
    let screen = text(&app);
    assert!(screen.contains("班子 3 人  平均年龄 44.7 岁"), "{screen}");
    assert!(screen.contains("女干部     1/3"));
}

#[test]
fn a_unit_is_found_by_name_and_a_member_opens_the_dossier() {
    let mut app = team_app();
    press(&mut app, "/");
    assert!(app.state.is_typing());
    // Letters are text while searching (j is not "down").
    type_text(&mut app, "县委");
    assert_eq!(tree(&app), ["中共临河县委员会"]);
    type_text(&mut app, "zz");
    assert!(text(&app).contains("没有匹配的单位"));
    keys(&mut app, "backspace backspace ctrl-u");
    type_text(&mut app, "临河政府");
    assert_eq!(tree(&app)[0], "临河县人民政府");
    press(&mut app, "enter");
    assert!(!app.state.is_typing());
    // The unit is revealed in the tree and its team shown.
    assert_eq!(tree(&app)[app.state.team.cursor], "   临河县人民政府");
    assert_eq!(
        app.state.team.profile.as_ref().unwrap().unit_name,
        "临河县人民政府"
    );
    // Tab to the members, down to 周丽, Enter opens her dossier; Esc comes back.
    keys(&mut app, "tab down enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    assert_eq!(app.state.person.as_ref().unwrap().identity.name, "周丽");
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Team);
    // Esc: members to units, then the pane to the lookup.
    press(&mut app, "esc");
    assert_eq!(app.state.team.focus, cadre::tui::state::TeamFocus::Units);
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Lookup);
    // Esc while searching clears the search and keeps the pane.
    app.update(Action::ShowTeam);
    press(&mut app, "/");
    type_text(&mut app, "白沙");
    assert_eq!(
        tree(&app),
        ["白沙市", "白沙县", "白沙县人民政府"],
        "shorter names first"
    );
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Team);
    assert!(tree(&app).len() > 1);
}

#[test]
fn a_what_if_removes_and_adds_members_and_is_saved_and_reopened_as_a_plan() {
    let store = province_store();
    let mut app = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    // The candidate: 李晓梅, picked in the lookup and opened.
    type_text(&mut app, "李晓梅");
    app.settle();
    press(&mut app, "enter");
    let candidate = app.state.person.as_ref().unwrap().id;
    press(&mut app, "5");
    assert_eq!(app.state.pane, Pane::Team);
    press(&mut app, "/");
    type_text(&mut app, "临河政府");
    keys(&mut app, "enter tab");
    // Take 孙明 (the third member) out.
    keys(&mut app, "down down");
    assert_eq!(app.state.team.selected_member().unwrap().name, "孙明");
    let removed = app.state.team.selected_member().unwrap().id;
    press(&mut app, "d");
    let w = app.state.team.whatif.as_ref().unwrap();
    assert_eq!(w.removed, [removed]);
    assert_eq!(w.profile.members.len(), 2);
    assert_eq!(app.state.team.profile.as_ref().unwrap().members.len(), 3);
    let screen = text(&app);
    assert!(screen.contains("调整方案（未保存"), "{screen}");
    assert!(screen.contains("减 副县长"), "{screen}");
    assert!(screen.contains("人数          3"), "{screen}");
    // Add the candidate: the what-if recomputes (two women now).
    press(&mut app, "a");
    let w = app.state.team.whatif.as_ref().unwrap();
    assert_eq!(w.profile.members.len(), 3);
    assert_eq!(w.profile.women, 2);
    assert!(text(&app).contains("增 "));
    press(&mut app, "a");
    assert!(text(&app).contains("李晓梅已在班子中"));
    // Nothing is written until saved.
    assert!(store.plans().unwrap().is_empty());
    press(&mut app, "w");
    assert!(app.state.is_typing());
    type_text(&mut app, "方案一");
    press(&mut app, "enter");
    let plans = store.plans().unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].name, "方案一");
    assert_eq!(plans[0].remove, [removed]);
    assert_eq!(plans[0].add, [candidate]);
    assert!(text(&app).contains("方案「方案一」已保存"));
    // Esc drops the what-if; the plan reopens from the list.
    press(&mut app, "esc");
    assert!(app.state.team.whatif.is_none());
    press(&mut app, "o");
    assert!(text(&app).contains("方案一  临河县人民政府  减 1 人  增 1 人"));
    press(&mut app, "enter");
    let w = app.state.team.whatif.as_ref().unwrap();
    assert_eq!(w.name.as_deref(), Some("方案一"));
    assert_eq!(w.removed, [removed]);
    assert_eq!(w.added.len(), 1);
    assert_eq!(w.profile.women, 2);
    // Removing the added candidate drops it; `d` on a removed member puts them back.
    keys(&mut app, "end d");
    assert!(app.state.team.whatif.as_ref().unwrap().added.is_empty());
    keys(&mut app, "end d");
    assert!(app.state.team.whatif.as_ref().unwrap().removed.is_empty());
}

#[test]
fn the_region_view_compares_teams_of_the_same_kind_and_level() {
    let mut app = team_app();
    press(&mut app, "v");
    assert!(app.state.team.region.is_none(), "no unit chosen yet");
    press(&mut app, "/");
    type_text(&mut app, "临河政府");
    keys(&mut app, "enter v");
    let names = |app: &App| -> Vec<String> {
        let r = app.state.team.region.as_ref().unwrap();
        r.rows.iter().map(|r| r.name.clone()).collect()
    };
    // Both county governments, not the party committee.
    assert_eq!(names(&app), ["临河县人民政府", "白沙县人民政府"], "by name");
    let screen = text(&app);
    assert!(
        screen.contains("同类班子对比：政府（县级），共 2 个"),
        "{screen}"
    );
    // The chosen unit is selected; `s` sorts by size, largest first, then by mean age.
    assert_eq!(app.state.team.region.as_ref().unwrap().selected, 0);
    press(&mut app, "end");
    press(&mut app, "s");
    assert_eq!(names(&app), ["临河县人民政府", "白沙县人民政府"]);
    press(&mut app, "s");
    assert_eq!(
        names(&app),
        ["白沙县人民政府", "临河县人民政府"],
        "48.0 > 44.7"
    );
    // Enter on a row shows that team.
    keys(&mut app, "home enter");
    assert!(app.state.team.region.is_none());
    assert_eq!(
        app.state.team.profile.as_ref().unwrap().unit_name,
        "白沙县人民政府"
    );
    // Esc closes the view without choosing.
    press(&mut app, "v");
    press(&mut app, "esc");
    assert!(app.state.team.region.is_none());
    assert_eq!(app.state.pane, Pane::Team);
}

#[test]
fn the_filter_parses_as_typed_counts_matches_and_opens_the_dossier() {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    assert!(app.state.is_typing());
    // Half an expression: an error at its end, nothing evaluated.
    type_text(&mut app, "年龄 <");
    app.settle();
    let err = app.state.filter.error.clone().expect("incomplete");
    assert!(text(&app).contains("条件不完整"), "{}", text(&app));
    assert_eq!(err.pos, 4);
    assert!(app.state.filter.matches.is_empty());
    // Completed: the matches come back from the worker, youngest rules applied.
    type_text(&mut app, " 45");
    app.settle();
    assert!(app.state.filter.error.is_none());
    let names: Vec<&str> = app
        .state
        .filter
        .matches
        .iter()
        .map(|e| e.row.name.as_str())
        .collect();
    assert_eq!(names, ["王卫东", "李晓梅", "陈静"]);
    assert!(text(&app).contains("符合 3 人（库中共 5 人）"));
    // An error in the middle names the position; fixing it brings the matches back.
    type_text(&mut app, " 且 身高 > 1");
    app.settle();
    let err = app.state.filter.error.clone().expect("unknown field");
    assert_eq!(err.pos, 10);
    assert!(text(&app).contains("第 11 字处"));
    keys(&mut app, "ctrl-w ctrl-w ctrl-w");
    type_text(&mut app, "性别 = 女");
    app.settle();
    assert_eq!(app.state.filter.matches.len(), 2);
    // Down and Enter open the second match; Esc comes back to the filter.
    keys(&mut app, "down enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    assert_eq!(app.state.person.as_ref().unwrap().identity.name, "陈静");
    press(&mut app, "esc");
    assert_eq!(app.state.pane, Pane::Filter);
    assert_eq!(app.state.filter.input.text(), "年龄 < 45 且 性别 = 女");
    // The timeline opens from the results as well; 4 comes back.
    press(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Timeline);
    press(&mut app, "4");
    assert_eq!(app.state.pane, Pane::Filter);
}

#[test]
fn filter_results_sort_by_column_and_export_to_csv_and_xlsx() {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, "年龄 < 45");
    app.settle();
    let names = |app: &App| -> Vec<String> {
        app.state
            .filter
            .matches
            .iter()
            .map(|e| e.row.name.clone())
            .collect()
    };
    press(&mut app, "alt-a");
    assert_eq!(names(&app), ["陈静", "李晓梅", "王卫东"], "youngest first");
    press(&mut app, "alt-a");
    assert_eq!(names(&app), ["王卫东", "李晓梅", "陈静"]);
    // Plain letters stay text while sorting keys are Alt-chords.
    type_text(&mut app, " ");
    app.settle();
    assert_eq!(
        names(&app),
        ["王卫东", "李晓梅", "陈静"],
        "the order survives new results"
    );
    // F5 asks for a path (default in the current directory), Enter writes.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("结果.csv");
    press(&mut app, "f5");
    assert!(app.state.is_typing());
    assert_eq!(
        app.state.filter.export.as_ref().unwrap().0.text(),
        "筛选结果.csv"
    );
    press(&mut app, "ctrl-u");
    type_text(&mut app, csv.to_str().unwrap());
    press(&mut app, "enter");
    let written = std::fs::read_to_string(&csv).unwrap();
    let body = written.trim_start_matches('\u{feff}');
    let order: Vec<&str> = body
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert_eq!(order, ["王卫东", "李晓梅", "陈静"], "{written}");
    assert!(text(&app).contains("已导出 3 人到"));
    // XLSX, and Esc on the path writes nothing.
    let xlsx = dir.path().join("结果.xlsx");
    press(&mut app, "f6");
    press(&mut app, "ctrl-u");
    type_text(&mut app, xlsx.to_str().unwrap());
    press(&mut app, "enter");
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 0);
    let other = dir.path().join("不写.csv");
    press(&mut app, "f5");
    press(&mut app, "ctrl-u");
    type_text(&mut app, other.to_str().unwrap());
    press(&mut app, "esc");
    assert!(!other.exists());
    assert!(app.state.filter.export.is_none());
    assert_eq!(app.state.pane, Pane::Filter);
}

#[test]
fn filters_are_saved_loaded_renamed_and_deleted() {
    let store = sample_store();
    let mut app = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::ShowFilter);
    // Nothing to save yet.
    press(&mut app, "f8");
    assert!(text(&app).contains("还没有保存过条件"));
    press(&mut app, "f7");
    assert!(app.state.filter.name.is_none());
    type_text(&mut app, "年龄<45");
    app.settle();
    press(&mut app, "f7");
    type_text(&mut app, "年轻干部");
    press(&mut app, "enter");
    let saved = store.saved_filters().unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].name, "年轻干部");
    assert_eq!(saved[0].text, "年龄 < 45", "saved in the canonical form");
    // Cleared, then loaded from the list.
    press(&mut app, "ctrl-u");
    app.settle();
    assert!(app.state.filter.matches.is_empty());
    press(&mut app, "f8");
    let screen = text(&app);
    assert!(screen.contains("年轻干部"), "{screen}");
    press(&mut app, "enter");
    app.settle();
    assert!(app.state.filter.saved.is_none());
    assert_eq!(app.state.filter.input.text(), "年龄 < 45");
    assert_eq!(app.state.filter.matches.len(), 3);
    // Renamed in the list (F7 there), then deleted (Delete).
    press(&mut app, "f8");
    press(&mut app, "f7");
    press(&mut app, "ctrl-u");
    type_text(&mut app, "四十五岁以下");
    press(&mut app, "enter");
    let saved = store.saved_filters().unwrap();
    assert_eq!(saved[0].name, "四十五岁以下");
    assert!(text(&app).contains("四十五岁以下"));
    press(&mut app, "delete");
    assert!(store.saved_filters().unwrap().is_empty());
    assert!(app.state.filter.saved.is_none());
    // Esc closes the list without touching the expression.
    press(&mut app, "f7");
    type_text(&mut app, "甲");
    press(&mut app, "enter");
    press(&mut app, "f8");
    assert!(app.state.filter.saved.is_some());
    press(&mut app, "esc");
    assert!(app.state.filter.saved.is_none());
    assert_eq!(app.state.pane, Pane::Filter);
    assert_eq!(app.state.filter.input.text(), "年龄 < 45");
}

/// Builds the seed's example in the builder's menus, by keys only; the expression must be
/// empty when it starts.
fn build_seed_example_by_keys(app: &mut App) {
    assert!(app.state.filter.input.is_empty());
    // 年龄 < 45
    press(app, "f4");
    assert!(app.state.filter.menu.is_some());
    assert!(app.state.is_typing());
    type_text(app, "年龄");
    press(app, "enter");
    type_text(app, "<");
    press(app, "enter");
    type_text(app, "45");
    press(app, "enter");
    assert!(app.state.filter.menu.is_none());
    assert_eq!(app.state.filter.input.text(), "年龄 < 45");
    // 且 曾任(基层, 正职): the join is the first choice; 完成 is the first item.
    keys(app, "f4 enter");
    type_text(app, "曾任");
    press(app, "enter");
    type_text(app, "基层");
    press(app, "enter");
    type_text(app, "正职");
    keys(app, "enter enter");
    // 且 专业类别 属于 (经济学, 管理学): Tab marks the first value.
    keys(app, "f4 enter");
    type_text(app, "专业类别");
    press(app, "enter");
    type_text(app, "属于");
    press(app, "enter");
    type_text(app, "经济学");
    press(app, "tab");
    type_text(app, "管理学");
    press(app, "enter");
    // 且 考核(优秀, 近3年, 每年): moving with the arrows instead of typing.
    keys(app, "f4 enter");
    type_text(app, "考核");
    press(app, "enter");
    assert_eq!(
        app.state.filter.menu.as_ref().unwrap().options[0].label,
        "优秀"
    );
    press(app, "enter");
    press(app, "enter"); // the window: 3 years unless typed
    keys(app, "down up enter");
    app.settle();
}

#[test]
fn the_seed_example_is_built_by_keys_saved_exported_and_matches_cadre_query() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = cadre::store::Store::open(&db).unwrap();
    cadre::seed::seed_demo(&store).unwrap();
    let mut app = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::ShowFilter);
    build_seed_example_by_keys(&mut app);
    assert_eq!(
        app.state.filter.input.text(),
        cadre::filter::SEED_EXAMPLE,
        "{}",
        text(&app)
    );
    assert!(app.state.filter.error.is_none());
    let ids: Vec<u64> = app.state.filter.matches.iter().map(|r| r.id()).collect();
    assert!(!ids.is_empty(), "{}", text(&app));
    assert!(text(&app).contains(&format!("符合 {} 人", ids.len())));
    // Saved under a name, exported to XLSX.
    press(&mut app, "f7");
    type_text(&mut app, "基层正职后备");
    press(&mut app, "enter");
    let xlsx = dir.path().join("名单.xlsx");
    press(&mut app, "f6");
    press(&mut app, "ctrl-u");
    type_text(&mut app, xlsx.to_str().unwrap());
    press(&mut app, "enter");
    assert!(text(&app).contains(&format!("已导出 {} 人到", ids.len())));
    drop(app);
    drop(store);
    // The workbook: the title, the Chinese header row, one row per match in the list's order.
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range("名单").unwrap();
    let header: Vec<String> = (0..9)
        .map(|c| range.get_value((1, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        header,
        [
            "档案编号",
            "姓名",
            "性别",
            "年龄",
            "出生年月",
            "职务层次",
            "现任职务",
            "工作单位",
            "任现职时间"
        ]
    );
    let in_file: Vec<u64> = (2..range.height() as u32)
        .map(|r| {
            range
                .get_value((r, 0))
                .unwrap()
                .to_string()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(in_file, ids);
    // The command line runs the saved filter to the same people.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cadre"))
        .arg("--db")
        .arg(&db)
        .args(["query", "--saved", "基层正职后备", "--format", "jsonl"])
        .args(["--as-of", "2025-06-15"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_cli: Vec<u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["档案编号"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(from_cli, ids);
}

#[test]
fn filter_results_sort_by_every_column_both_ways() {
    let mut app = demo_app(SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, "年龄 < 40");
    app.settle();
    assert!(app.state.filter.matches.len() > 20);
    use cadre::tui::state::FilterColumn;
    // alt-right walks the columns from the first; alt-r turns the order round.
    for col in FilterColumn::ALL {
        press(&mut app, "alt-right");
        assert_eq!(app.state.filter.sort, Some((col, false)));
        for desc in [false, true] {
            let rows: Vec<_> = app.state.filter.matches.iter().collect();
            for w in rows.windows(2) {
                let (a, b) = (w[0], w[1]);
                let o = match col {
                    FilterColumn::Name => a.row.name.cmp(&b.row.name),
                    FilterColumn::Gender => a.row.gender.cmp(b.row.gender),
                    FilterColumn::Age => a.row.age.cmp(&b.row.age),
                    FilterColumn::Birth => a.birth.cmp(&b.birth),
                    FilterColumn::Rank => {
                        a.rank.map(|r| r.height()).cmp(&b.rank.map(|r| r.height()))
                    }
                    FilterColumn::Post => a.row.post.cmp(&b.row.post),
                    FilterColumn::Unit => a.row.unit.cmp(&b.row.unit),
                    FilterColumn::Since => a.since.cmp(&b.since),
                };
                let o = if desc { o.reverse() } else { o };
                assert_ne!(o, std::cmp::Ordering::Greater, "{col:?} desc={desc}");
            }
            let first = rows[0].id();
            let last = rows[rows.len() - 1].id();
            press(&mut app, "alt-r");
            if !desc {
                assert_eq!(app.state.filter.sort, Some((col, true)));
                assert_ne!(first, last);
            }
        }
        // The header shows the column sorted by.
        assert!(text(&app).contains(col.title()), "{col:?}");
    }
    // alt-left goes back round; the old keys still pick their column.
    press(&mut app, "alt-left");
    assert_eq!(app.state.filter.sort.unwrap().0, FilterColumn::Unit);
    press(&mut app, "alt-a");
    assert_eq!(app.state.filter.sort, Some((FilterColumn::Age, false)));
}

#[test]
fn a_filter_result_is_added_to_the_chosen_teams_what_if() {
    let mut app = app_with(province_store(), Settings::defaults(&Env::default()), SMALL);
    // Without a chosen team the key says so.
    app.update(Action::ShowFilter);
    type_text(&mut app, "性别 = 女 且 非 现任(单位类型=政府)");
    app.settle();
    press(&mut app, "alt-t");
    assert!(app.state.team.whatif.is_none());
    assert!(text(&app).contains("先在班子页选定"), "{}", text(&app));
    // Choose the county government's team, come back, add the selected result.
    press(&mut app, "ctrl-x");
    type_text(&mut app, "show_team");
    press(&mut app, "enter");
    press(&mut app, "/");
    type_text(&mut app, "临河政府");
    press(&mut app, "enter");
    let before = app.state.team.profile.clone().unwrap();
    press(&mut app, "4");
    assert_eq!(app.state.pane, Pane::Filter);
    let pick = app.state.filter.matches[0].row.name.clone();
    press(&mut app, "alt-t");
    let w = app
        .state
        .team
        .whatif
        .as_ref()
        .expect("a what-if is started");
    assert_eq!(w.added.len(), 1);
    assert_eq!(w.added[0].name, pick);
    assert_eq!(w.profile.members.len(), before.members.len() + 1);
    assert_eq!(
        w.profile.women,
        before.women + 1,
        "the gauges are recomputed"
    );
    assert!(text(&app).contains(&format!("已将{pick}加入")));
    // Twice is refused; the team pane shows the candidate beside the current team.
    press(&mut app, "alt-t");
    assert_eq!(app.state.team.whatif.as_ref().unwrap().added.len(), 1);
    assert!(text(&app).contains("已在班子中"));
    press(&mut app, "ctrl-x");
    type_text(&mut app, "show_team");
    press(&mut app, "enter");
    let screen = text(&app);
    assert!(screen.contains("调整方案（未保存"), "{screen}");
    assert!(screen.contains(&pick), "{screen}");
}

#[test]
fn the_expression_takes_line_breaks_and_esc_leaves_the_menu_without_a_change() {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, "年龄 < 45 且");
    press(&mut app, "alt-enter");
    type_text(&mut app, "身高 > 1");
    app.settle();
    assert_eq!(app.state.filter.input.lines().len(), 2);
    // The error counts the line break as one character and is marked on the second row.
    let err = app.state.filter.error.clone().expect("unknown field");
    assert_eq!(err.pos, "年龄 < 45 且\n".chars().count());
    let buf = render(&app);
    let marked = app.theme.style("filter.error.mark");
    assert_eq!(buf[(7, 2)].symbol(), "身");
    assert_eq!(buf[(7, 2)].bg, marked.bg.unwrap());
    // Fixed on the second line: the line break is only whitespace to the parser.
    keys(&mut app, "ctrl-w ctrl-w ctrl-w");
    type_text(&mut app, "性别 = 女");
    app.settle();
    assert!(app.state.filter.error.is_none());
    assert_eq!(
        app.state.filter.canonical.as_deref(),
        Some("年龄 < 45 且 性别 = 女")
    );
    assert_eq!(app.state.filter.matches.len(), 2);
    // Esc leaves the menus half-way without touching the expression.
    keys(&mut app, "f4 enter");
    type_text(&mut app, "学历");
    press(&mut app, "enter");
    assert!(text(&app).contains("选比较方式"));
    press(&mut app, "esc");
    assert!(app.state.filter.menu.is_none());
    assert_eq!(app.state.filter.input.text(), "年龄 < 45 且\n性别 = 女");
    assert_eq!(app.state.pane, Pane::Filter);
    // A wrong number is refused with a notice and the step stays.
    press(&mut app, "f4");
    type_text(&mut app, "或");
    press(&mut app, "enter");
    type_text(&mut app, "党龄");
    press(&mut app, "enter");
    type_text(&mut app, ">=");
    press(&mut app, "enter");
    type_text(&mut app, "十");
    press(&mut app, "enter");
    assert!(text(&app).contains("请输入一个数字"), "{}", text(&app));
    keys(&mut app, "ctrl-u");
    type_text(&mut app, "20");
    press(&mut app, "enter");
    app.settle();
    assert_eq!(
        app.state.filter.canonical.as_deref(),
        Some("年龄 < 45 且 性别 = 女 或 党龄 >= 20")
    );
}

#[test]
fn the_vim_keymap_moves_in_the_builder_and_sorts_by_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "keymap = \"vim\"\n").unwrap();
    let settings = config::load(Some(dir.path()), &Env::default());
    assert!(settings.errors.is_empty());
    let mut app = app_with(sample_store(), settings, SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, "年龄 < 50");
    app.settle();
    keys(&mut app, "alt-l alt-l");
    use cadre::tui::state::FilterColumn;
    assert_eq!(app.state.filter.sort, Some((FilterColumn::Gender, false)));
    keys(&mut app, "alt-h");
    assert_eq!(app.state.filter.sort, Some((FilterColumn::Name, false)));
    keys(&mut app, "f4 ctrl-j");
    assert_eq!(app.state.filter.menu.as_ref().unwrap().selected, 1);
    keys(&mut app, "ctrl-k");
    assert_eq!(app.state.filter.menu.as_ref().unwrap().selected, 0);
}

#[test]
fn alt_digits_switch_panes_even_while_typing() {
    let mut app = sample_app(SMALL);
    // Lookup opens typing: a digit is text, Alt-4 is the filter pane.
    type_text(&mut app, "王");
    press(&mut app, "4");
    assert_eq!(app.state.pane, Pane::Lookup);
    press(&mut app, "backspace");
    press(&mut app, "alt-4");
    assert_eq!(app.state.pane, Pane::Filter);
    // The filter's expression takes digits as text too; Alt-5 leaves for the team pane.
    type_text(&mut app, "年龄 < 4");
    press(&mut app, "alt-5");
    assert_eq!(app.state.pane, Pane::Team);
    press(&mut app, "alt-6");
    assert_eq!(app.state.pane, Pane::Alerts);
    press(&mut app, "alt-1");
    assert_eq!(app.state.pane, Pane::Lookup);
    // The status line keeps its room: no Alt hints there.
    assert!(
        !status_line(&app).contains("Alt-4"),
        "{}",
        status_line(&app)
    );
}
