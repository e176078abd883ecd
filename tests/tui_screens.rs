//! Screen snapshots of every pane and overlay at 80x24 (the smallest SSH window) and 160x40,
//! on the hand-built sample county with today fixed at 2025-06-15. Text snapshots show layout;
//! style snapshots and cell assertions cover highlights, tiers and the meeting mask.

use cadre::lookup::{Hit, MatchField, MatchKind};
use cadre::tui::Action;
use cadre::tui::config::{Env, Settings};
use cadre::tui::testing::*;
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthChar;

const SMALL: (u16, u16) = (80, 24);
const WIDE: (u16, u16) = (160, 40);

/// An app with 王文胜's dossier open in `pane` (reached by keys from the lookup pane).
fn open(size: (u16, u16), keys_after: &str) -> cadre::tui::App {
    let mut app = sample_app(size);
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    keys(&mut app, keys_after);
    app
}

/// No cell on any screen holds a character of ambiguous East Asian width.
fn assert_no_ambiguous(buf: &ratatui::buffer::Buffer) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            for c in buf[(x, y)].symbol().chars() {
                assert_eq!(c.width(), c.width_cjk(), "ambiguous {c:?} at {x},{y}");
            }
        }
    }
}

/// What a style looks like (colours and attributes), ignoring bookkeeping fields.
fn look(st: ratatui::style::Style) -> (Option<Color>, Option<Color>, Modifier) {
    (st.fg, st.bg, st.add_modifier)
}

fn snap(name: &str, app: &cadre::tui::App) -> ratatui::buffer::Buffer {
    let buf = render(app);
    assert_no_ambiguous(&buf);
    insta::assert_snapshot!(name, screen_text(&buf));
    buf
}

#[test]
fn lookup_pane_on_opening() {
    for (size, name) in [(SMALL, "lookup_empty_80x24"), (WIDE, "lookup_empty_160x40")] {
        let app = sample_app(size);
        let buf = snap(name, &app);
        assert_eq!(app.state.pane, cadre::tui::state::Pane::Lookup);
        // The status bar carries the lookup pane's hints.
        let text = screen_text(&buf);
        assert!(text.lines().last().unwrap().contains("Enter 打开档案"));
    }
}

#[test]
fn lookup_results() {
    for (size, name) in [
        (SMALL, "lookup_results_80x24"),
        (WIDE, "lookup_results_160x40"),
    ] {
        let mut app = sample_app(size);
        type_text(&mut app, "王");
        app.settle();
        press(&mut app, "down");
        snap(name, &app);
    }
}

#[test]
fn lookup_highlights_matched_characters() {
    let mut app = sample_app(SMALL);
    type_text(&mut app, "wws");
    // The answer as the lookup engine gives it: 王文胜 by initials, all three characters
    // marked, and 县长 marked in the post.
    let seq = app.state.seq_sent;
    let id = 1; // 王文胜, the first dossier stored
    app.update(Action::Results {
        seq,
        hits: vec![Hit {
            id,
            kind: MatchKind::Prefix,
            field: MatchField::Initials,
            score: 100,
            name_highlight: vec![0, 2],
            post_highlight: vec![1, 3, 4],
        }],
    });
    let buf = render(&app);
    let theme = &app.theme;
    let matched = theme.style("lookup.match");
    let selected = theme.style("lookup.selected");
    let name = styles_of(&buf, "王文胜");
    assert_eq!(name.len(), 3);
    assert_eq!(name[0].fg, matched.fg, "王 is marked");
    assert_eq!(name[1].fg, selected.fg, "文 is not");
    assert_eq!(name[2].fg, matched.fg, "胜 is marked");
    assert_eq!(name[1].bg, selected.bg, "the row is selected");
    // Post 县长 (chars 0-1), then the unit offset by 3: 临河县人民政府 chars 0,1 → 3,4.
    let post = styles_of(&buf, "县长");
    assert_eq!((post[0].fg, post[1].fg), (selected.fg, matched.fg));
    let unit = styles_of(&buf, "临河县人民政府");
    assert_eq!(
        (unit[0].fg, unit[1].fg, unit[2].fg),
        (matched.fg, matched.fg, selected.fg)
    );
    insta::assert_snapshot!("lookup_highlight_styles_80x24", screen_styles(&buf));
}

#[test]
fn dossier_pane() {
    for (size, name) in [(SMALL, "dossier_top_80x24"), (WIDE, "dossier_160x40")] {
        let app = open(size, "");
        snap(name, &app);
    }
    // Further down at 80x24: the sections jumped to by `]`.
    let app = open(SMALL, "] ] ]");
    snap("dossier_assessments_80x24", &app);
    let app = open(SMALL, "end");
    snap("dossier_end_80x24", &app);
}

#[test]
fn dossier_masked() {
    let app = open(WIDE, "m");
    let buf = snap("dossier_masked_160x40", &app);
    let text = screen_text(&buf);
    assert!(text.contains("【会议模式】"));
    assert!(!text.contains("330102"), "ID number hidden");
    let mut down = app;
    keys(&mut down, "end");
    let buf_end = snap("dossier_masked_end_160x40", &down);
    let rest = screen_text(&buf_end);
    assert!(!rest.contains("李秀兰"), "family hidden");
    assert!(!rest.contains("浩然科技"), "family businesses hidden");
    assert!(!rest.contains("审批程序"), "findings hidden");
    assert!(!rest.contains("谈话中反映"), "talk notes hidden");
    assert!(rest.contains("全省脱贫攻坚先进个人"), "rewards stay");
    assert!(rest.contains("乡村振兴专项考核优秀"), "assessments stay");
    let app = down;
    let mask = look(app.theme.style("mask"));
    assert_eq!(look(style_of(&buf, "【会议模式】").unwrap()), mask);
    // The masked placeholder wears the mask style too.
    assert_eq!(look(style_of(&buf, "（会议模式，已隐藏）").unwrap()), mask);
}

#[test]
fn timeline_pane() {
    for (size, name) in [(SMALL, "timeline_80x24"), (WIDE, "timeline_160x40")] {
        let app = open(size, "tab");
        let buf = snap(name, &app);
        if size == SMALL {
            insta::assert_snapshot!("timeline_styles_80x24", screen_styles(&buf));
        }
    }
    // The first posting selected: its details show in the panel.
    let app = open(SMALL, "tab home");
    snap("timeline_first_80x24", &app);
}

#[test]
fn timeline_tiers_differ_in_color_and_glyph() {
    let app = open(SMALL, "tab");
    let buf = render(&app);
    let county = app.theme.style("timeline.rank.county");
    let township = app.theme.style("timeline.rank.township");
    assert_ne!(county.bg, township.bg);
    assert_eq!(style_of(&buf, "===").unwrap().bg, county.bg);
    assert_eq!(style_of(&buf, "---").unwrap().bg, township.bg);
}

#[test]
fn mono_theme_marks_with_text_and_attributes_only() {
    let env = Env {
        no_color: true,
        ..Env::default()
    };
    let mut app = app_with(sample_store(), Settings::defaults(&env), SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    keys(&mut app, "enter tab");
    let buf = render(&app);
    insta::assert_snapshot!("timeline_mono_80x24", screen_text(&buf));
    insta::assert_snapshot!("timeline_mono_styles_80x24", screen_styles(&buf));
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let st = buf[(x, y)].style();
            assert!(
                st.fg.is_none_or(|c| c == Color::Reset) && st.bg.is_none_or(|c| c == Color::Reset),
                "colour at {x},{y}"
            );
        }
    }
    let sel = style_of(&buf, "2016.10").unwrap();
    assert!(sel.add_modifier.contains(Modifier::REVERSED));
}

#[test]
fn help_overlay() {
    for (size, name) in [(SMALL, "help_lookup_80x24"), (WIDE, "help_lookup_160x40")] {
        let mut app = sample_app(size);
        press(&mut app, "f1");
        snap(name, &app);
    }
    let app = open(SMALL, "?");
    snap("help_dossier_80x24", &app);
}

#[test]
fn command_line() {
    let app = open(SMALL, ": s h o w");
    snap("command_show_80x24", &app);
    let app = open(WIDE, ": tab");
    snap("command_completed_160x40", &app);
}

#[test]
fn messages_show_above_the_status_bar() {
    let mut app = sample_app(SMALL);
    press(&mut app, "enter");
    snap("lookup_notice_80x24", &app);
}

#[test]
fn tiny_and_odd_terminal_sizes_never_panic() {
    let sizes = [
        (1, 1),
        (2, 2),
        (10, 3),
        (20, 5),
        (33, 7),
        (40, 10),
        (79, 23),
        (200, 60),
    ];
    for keys_after in [
        "",
        "f1",
        "ctrl-x",
        "enter",
        "enter ] ] end",
        "enter tab",
        "enter tab ?",
    ] {
        for size in sizes {
            let mut app = sample_app(size);
            type_text(&mut app, "王");
            app.settle();
            keys(&mut app, keys_after);
            // Keys that depend on the size run at that size too.
            keys(&mut app, "pagedown up");
            let buf = render(&app);
            assert_no_ambiguous(&buf);
        }
    }
}

/// The alerts pane reached with `6` from the dossier; review marks made in the store show
/// with their fixed author and time.
fn alerts_app(size: (u16, u16)) -> cadre::tui::App {
    let mut app = open(size, "6");
    assert_eq!(app.state.pane, cadre::tui::state::Pane::Alerts);
    // A fixed review (the real one carries the clerk's name and the clock).
    let key = app.state.alerts.all.as_ref().unwrap()[1].key();
    app.state.alerts.reviews.insert(
        key.clone(),
        cadre::store::Review {
            key,
            note: "已谈话提醒".into(),
            by: "zuzhibu".into(),
            at: "2025-06-14 09:30:00".into(),
        },
    );
    app.state.alerts.refilter();
    app
}

#[test]
fn alerts_pane() {
    for (size, name) in [(SMALL, "alerts_80x24"), (WIDE, "alerts_160x40")] {
        let app = alerts_app(size);
        snap(name, &app);
    }
}

#[test]
fn alerts_rows_are_styled_by_severity_and_review() {
    let app = alerts_app(SMALL);
    let buf = render(&app);
    let theme = &app.theme;
    // The selected row (the first, 严重) carries the selection's background.
    let sel = theme.style("alerts.selected");
    let first = styles_of(&buf, "严重");
    assert_eq!(first[0].bg, sel.bg);
    assert_eq!(first[0].fg, theme.style("alerts.severe").fg);
    // The reviewed row is dimmed, severity included.
    let marked = styles_of(&buf, "已核");
    assert_eq!(marked[0].fg, theme.style("alerts.reviewed").fg);
    let warn = theme.style("alerts.warn");
    assert_ne!(warn.fg, theme.style("alerts.reviewed").fg);
    insta::assert_snapshot!("alerts_styles_80x24", screen_styles(&buf));
}

#[test]
fn alerts_review_note_input_and_mask() {
    let mut app = alerts_app(SMALL);
    keys(&mut app, "v");
    type_text(&mut app, "已核实");
    snap("alerts_note_80x24", &app);
    keys(&mut app, "esc m");
    let buf = snap("alerts_masked_80x24", &app);
    assert!(!screen_text(&buf).contains("籍贯/出生地"));
}

fn reserve_app(size: (u16, u16), keys_after: &str) -> cadre::tui::App {
    let mut app = app_with(reserve_store(), Settings::defaults(&Env::default()), size);
    type_text(&mut app, "陈静");
    app.settle();
    keys(&mut app, "enter 7");
    assert_eq!(app.state.pane, cadre::tui::state::Pane::Reserve);
    keys(&mut app, keys_after);
    app
}

#[test]
fn reserve_pane() {
    for (size, name) in [(SMALL, "reserve_80x24"), (WIDE, "reserve_160x40")] {
        let app = reserve_app(size, "");
        snap(name, &app);
    }
    // Sorted by age, oldest first, the sorted column marked; the selection's gaps below.
    let app = reserve_app(SMALL, "a a");
    snap("reserve_by_age_desc_80x24", &app);
}

/// The team pane over the province store, 临河县人民政府 found by name and chosen.
fn team_app(size: (u16, u16)) -> cadre::tui::App {
    let mut app = app_with(province_store(), Settings::defaults(&Env::default()), size);
    app.update(Action::ShowTeam);
    press(&mut app, "/");
    type_text(&mut app, "临河政府");
    press(&mut app, "enter");
    app
}

#[test]
fn team_pane() {
    for (size, name) in [(SMALL, "team_80x24"), (WIDE, "team_160x40")] {
        let app = team_app(size);
        let buf = snap(name, &app);
        assert!(screen_text(&buf).contains("临河县人民政府  班子"));
        if size == SMALL {
            // A third of the line filled for a share of 1/3, the rest unfilled.
            let filled = app.theme.style("gauge.filled");
            let unfilled = app.theme.style("gauge.unfilled");
            let row = (0..buf.area.height)
                .find(|&y| {
                    screen_text(&buf)
                        .lines()
                        .nth(y as usize)
                        .unwrap()
                        .contains("女干部")
                })
                .unwrap();
            let line: Vec<_> = (0..buf.area.width)
                .map(|x| &buf[(x, row)])
                .filter(|c| c.symbol() == "=")
                .collect();
            assert!(!line.is_empty());
            let k = line.iter().filter(|c| c.fg == filled.fg.unwrap()).count();
            let rest = line.iter().filter(|c| c.fg == unfilled.fg.unwrap()).count();
            assert_eq!(k + rest, line.len());
            assert_eq!(k, line.len() / 3, "{k} of {}", line.len());
            insta::assert_snapshot!("team_styles_80x24", screen_styles(&buf));
        }
    }
    let mut app = app_with(province_store(), Settings::defaults(&Env::default()), SMALL);
    app.update(Action::ShowTeam);
    snap("team_tree_80x24", &app);
}

#[test]
fn team_what_if_side_by_side() {
    for (size, name) in [(SMALL, "team_whatif_80x24"), (WIDE, "team_whatif_160x40")] {
        let mut app = app_with(province_store(), Settings::defaults(&Env::default()), size);
        type_text(&mut app, "李晓梅");
        app.settle();
        keys(&mut app, "enter 5 /");
        type_text(&mut app, "临河政府");
        keys(&mut app, "enter tab down down d a");
        let buf = snap(name, &app);
        // The changed what-if figures are marked.
        let changed = app.theme.style("team.changed");
        assert!(
            (0..buf.area.height).any(|y| (0..buf.area.width)
                .any(|x| buf[(x, y)].fg == changed.fg.unwrap() && buf[(x, y)].symbol() != " ")),
            "something is marked changed"
        );
    }
}

#[test]
fn team_region_view() {
    for (size, name) in [(SMALL, "team_region_80x24"), (WIDE, "team_region_160x40")] {
        let mut app = team_app(size);
        keys(&mut app, "v s");
        snap(name, &app);
    }
}

#[test]
fn filter_pane() {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    snap("filter_empty_80x24", &app);
    for (size, name) in [
        (SMALL, "filter_results_80x24"),
        (WIDE, "filter_results_160x40"),
    ] {
        let mut app = sample_app(size);
        app.update(Action::ShowFilter);
        type_text(&mut app, "年龄 < 45 且 性别 = 女");
        app.settle();
        press(&mut app, "down");
        snap(name, &app);
    }
    // A parse error: the offending characters marked under the line, the message below.
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, "年龄 < 45 且 身高 > 170");
    let buf = snap("filter_error_80x24", &app);
    // The offending word is marked in place; the rest of the expression is not.
    let marked = app.theme.style("filter.error.mark");
    let at = styles_of(&buf, "身高");
    assert!(!at.is_empty());
    assert_eq!(at[0].bg, marked.bg);
    assert_ne!(styles_of(&buf, "年龄")[0].bg, marked.bg);
    // A long expression wraps by display width instead of scrolling out of sight.
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, cadre::filter::SEED_EXAMPLE);
    type_text(
        &mut app,
        " 且 籍贯 ~ 临河 且 民族 = 汉族 且 非 受处分(近5年) 且",
    );
    let buf = snap("filter_long_error_80x24", &app);
    let text = screen_text(&buf);
    assert!(text.contains("条件不完整"), "{text}");
    assert!(text.contains("受处分(近5年)"), "the end is in view: {text}");
}

#[test]
fn filter_builder_menus() {
    for (size, name) in [
        (SMALL, "filter_menu_fields_80x24"),
        (WIDE, "filter_menu_fields_160x40"),
    ] {
        let mut app = sample_app(size);
        app.update(Action::ShowFilter);
        type_text(&mut app, "年龄 < 45");
        app.settle();
        keys(&mut app, "f4 enter");
        let buf = snap(name, &app);
        // The highlighted option and the hints for the menu.
        assert!(
            screen_text(&buf)
                .lines()
                .last()
                .unwrap()
                .contains("Tab 多选")
        );
        // Rows: tabs, expression, title, instruction, typed text, then the options.
        assert!(screen_text(&buf).lines().nth(5).unwrap().contains("年龄"));
        assert_eq!(
            buf[(20, 5)].bg,
            app.theme.style("ui.popup.selected").bg.unwrap()
        );
        assert_ne!(buf[(20, 6)].bg, buf[(20, 5)].bg);
    }
    // Several values of 属于, the first marked; text completion from the data.
    for (size, name) in [
        (SMALL, "filter_menu_values_80x24"),
        (WIDE, "filter_menu_values_160x40"),
    ] {
        let mut app = sample_app(size);
        app.update(Action::ShowFilter);
        press(&mut app, "f4");
        type_text(&mut app, "专业类别");
        press(&mut app, "enter");
        type_text(&mut app, "属于");
        press(&mut app, "enter");
        type_text(&mut app, "经济学");
        press(&mut app, "tab");
        snap(name, &app);
    }
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    press(&mut app, "f4");
    type_text(&mut app, "院校");
    keys(&mut app, "enter enter");
    type_text(&mut app, "党校");
    snap("filter_menu_completion_80x24", &app);
}

#[test]
fn filter_sorted_with_the_export_path_asked() {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    type_text(&mut app, "年龄 < 45");
    app.settle();
    keys(&mut app, "alt-a f6");
    let buf = snap("filter_export_80x24", &app);
    assert_eq!(
        style_of(&buf, "年龄 出生年月").unwrap().fg,
        app.theme.style("reserve.sorted").fg
    );
}

#[test]
fn filter_saved_list() {
    let mut app = sample_app(SMALL);
    app.update(Action::ShowFilter);
    for (expr, name) in [("年龄 < 45", "年轻干部"), ("性别 = 女", "女干部")] {
        press(&mut app, "ctrl-u");
        type_text(&mut app, expr);
        app.settle();
        press(&mut app, "f7");
        type_text(&mut app, name);
        press(&mut app, "enter");
    }
    keys(&mut app, "f8 down");
    snap("filter_saved_80x24", &app);
}
