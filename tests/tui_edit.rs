//! Editing by keyboard against the headless app: adding a posting (the current post ends on
//! the new start, the timeline shows it), undoing it from the history view, a wrong date and a
//! wrong ID number refused at their fields, a new dossier, a conflict between two clerks, and a
//! draft kept and offered back. Snapshots of the forms at 80x24. Today is fixed at 2025-06-15.

use cadre::model::PartialDate;
use cadre::store::Store;
use cadre::tui::app::{App, AppOptions};
use cadre::tui::config::{Env, Settings};
use cadre::tui::form::FormKind;
use cadre::tui::state::Pane;
use cadre::tui::testing::*;

const SMALL: (u16, u16) = (80, 24);

/// The screen as text; no cell may hold a character of ambiguous East Asian width.
fn text(app: &App) -> String {
    use unicode_width::UnicodeWidthChar;
    let buf = render(app);
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            for c in buf[(x, y)].symbol().chars() {
                assert_eq!(c.width(), c.width_cjk(), "ambiguous {c:?} at {x},{y}");
            }
        }
    }
    screen_text(&buf)
}

/// An app over `store` with 王文胜's dossier open.
fn open_wang(store: Store) -> App {
    let mut app = app_with(store, Settings::defaults(&Env::default()), SMALL);
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    app
}

fn wang_id(store: &Store) -> u64 {
    store.find_by_name("王文胜").unwrap()[0]
}

/// Moves to the field labelled `label` with Tab.
fn to_field(app: &mut App, label: &str) {
    for _ in 0..30 {
        let form = app.state.form.as_ref().expect("a form is open");
        if form.focused().label == label {
            return;
        }
        press(app, "tab");
    }
    panic!("no field {label}");
}

/// Two clerks open 王文胜's identity form; the first changes the health and saves, the second
/// changes the native place and has not saved yet.
fn two_clerks(store: &Store) -> (App, App) {
    let mut first = open_wang(store.clone());
    let mut second = open_wang(store.clone());
    press(&mut first, "e");
    press(&mut second, "e");
    fill_field(&mut first, "健康状况", "良好");
    fill_field(&mut second, "籍贯", "青州市河西县");
    press(&mut first, "ctrl-s");
    (first, second)
}

/// Whether the open form shows a problem at the field.
fn has_error(app: &App, label: &str) -> bool {
    let form = app.state.form.as_ref().expect("a form is open");
    form.field(label).expect("the field").error.is_some()
}

/// Saves and asserts the form closed (it was valid and stored).
fn save_ok(app: &mut App) {
    press(app, "ctrl-s");
    assert!(app.state.form.is_none(), "{}", text(app));
}

/// Replaces the text of a field.
fn fill_field(app: &mut App, label: &str, value: &str) {
    to_field(app, label);
    press(app, "ctrl-u");
    type_text(app, value);
}

#[test]
fn a_clerk_adds_a_posting_sees_the_previous_ended_and_undoes_it() {
    let store = sample_store();
    let id = wang_id(&store);
    let before = store.dossier(id).unwrap().unwrap();
    let rev0 = store.revision(id).unwrap();
    let mut app = open_wang(store.clone());
    press(&mut app, "p");
    let form = app.state.form.as_ref().expect("posting form");
    assert_eq!(form.kind, FormKind::Posting(None));
    // The start is offered as today; the clerk types the month as clerks write it.
    fill_field(&mut app, "任职时间", "2025年6月");
    to_field(&mut app, "单位");
    type_text(&mut app, "县委");
    assert_eq!(
        app.state.form.as_ref().unwrap().focused().display(),
        "中共临河县委员会"
    );
    fill_field(&mut app, "职务", "县委书记");
    to_field(&mut app, "职务层次");
    type_text(&mut app, "县处级正");
    to_field(&mut app, "正副职");
    type_text(&mut app, "正");
    to_field(&mut app, "结束现任职务");
    assert!(app.state.form.as_ref().unwrap().focused().flag);
    save_ok(&mut app);
    assert!(text(&app).contains("已保存"), "{}", text(&app));
    // Stored: the 县长 post ended on the new start, the new post is current.
    let after = store.dossier(id).unwrap().unwrap();
    assert_eq!(after.postings.len(), before.postings.len() + 1);
    let county = after
        .postings
        .iter()
        .find(|p| p.position == "县长")
        .unwrap();
    assert_eq!(county.end, Some(PartialDate::ym(2025, 6).unwrap()));
    let cur = after.current_posting().unwrap();
    assert_eq!(cur.position, "县委书记");
    assert_eq!(cur.unit, Some(102));
    // The timeline shows it.
    press(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Timeline);
    let screen = text(&app);
    assert!(screen.contains("县委书记"), "{screen}");
    // The history names the change; undo takes it back.
    press(&mut app, "h");
    let screen = text(&app);
    assert!(screen.contains("修改历史：王文胜"), "{screen}");
    assert!(screen.contains("任职经历第"), "{screen}");
    press(&mut app, "u");
    assert!(text(&app).contains("已撤销"), "{}", text(&app));
    assert_eq!(store.dossier(id).unwrap().unwrap(), before);
    let h = store.history(id).unwrap();
    assert_eq!(h.len() as u64, rev0 + 2);
    assert_eq!(
        h.last().unwrap().kind,
        cadre::history::ChangeKind::Undone(rev0 + 1)
    );
    press(&mut app, "esc");
    assert!(app.state.history.is_none());
    assert!(!text(&app).contains("县委书记"));
}

#[test]
fn a_wrong_date_is_refused_with_a_message_at_the_field_and_nothing_is_saved() {
    let store = sample_store();
    let id = wang_id(&store);
    let rev0 = store.revision(id).unwrap();
    let mut app = open_wang(store.clone());
    press(&mut app, "p");
    fill_field(&mut app, "任职时间", "2025.13");
    fill_field(&mut app, "职务", "县委书记");
    press(&mut app, "ctrl-s");
    let form = app.state.form.as_ref().expect("the form stays open");
    let f = form.field("任职时间").unwrap();
    assert!(
        f.error.as_deref().unwrap().contains("2025.13"),
        "{:?}",
        f.error
    );
    assert_eq!(form.focused().label, "任职时间");
    let screen = text(&app);
    assert!(
        screen.contains("^ 日期不存在") || screen.contains("^ 无法识别"),
        "{screen}"
    );
    assert!(screen.contains("未保存"), "{screen}");
    assert_eq!(store.revision(id).unwrap(), rev0);
    // A posting ending before it starts is refused at the end.
    fill_field(&mut app, "任职时间", "2025.06");
    fill_field(&mut app, "免职时间", "2025.05");
    press(&mut app, "ctrl-s");
    let form = app.state.form.as_ref().unwrap();
    assert!(form.field("免职时间").unwrap().error.is_some());
    assert_eq!(store.revision(id).unwrap(), rev0);
    // Esc cancels; nothing saved.
    press(&mut app, "esc");
    assert!(app.state.form.is_none());
    assert_eq!(store.history(id).unwrap().len() as u64, rev0);
}

#[test]
fn a_wrong_id_number_is_refused_with_a_message_at_the_field() {
    let store = sample_store();
    let id = wang_id(&store);
    let rev0 = store.revision(id).unwrap();
    let mut app = open_wang(store.clone());
    press(&mut app, "e");
    // The right number with its last digit changed: the checksum fails.
    let good = store.dossier(id).unwrap().unwrap().identity.id_number;
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('1') { '2' } else { '1' }
    );
    fill_field(&mut app, "身份证号", &bad);
    press(&mut app, "ctrl-s");
    let form = app.state.form.as_ref().expect("the form stays open");
    let err = form.field("身份证号").unwrap().error.clone().unwrap();
    assert!(text(&app).contains(&format!("^ {err}")), "{}", text(&app));
    // A number of another birth date: refused as disagreeing.
    let other_birth =
        cadre::model::idnum::make(330102, (1976, 3, 8), 41, cadre::model::Gender::Male);
    fill_field(&mut app, "身份证号", &other_birth);
    press(&mut app, "ctrl-s");
    assert!(app.state.form.is_some());
    assert_eq!(store.revision(id).unwrap(), rev0);
    // The right one saves.
    fill_field(&mut app, "身份证号", &good);
    fill_field(&mut app, "健康状况", "良好");
    press(&mut app, "ctrl-s");
    assert!(app.state.form.is_none());
    assert_eq!(store.dossier(id).unwrap().unwrap().identity.health, "良好");
}

#[test]
fn party_entry_before_18_is_refused_and_status_changes_to_retired() {
    let store = sample_store();
    let id = wang_id(&store);
    let mut app = open_wang(store.clone());
    press(&mut app, "e");
    fill_field(&mut app, "入党时间", "1993.02");
    press(&mut app, "ctrl-s");
    assert!(has_error(&app, "入党时间"));
    fill_field(&mut app, "入党时间", "1993.03");
    to_field(&mut app, "干部状态");
    type_text(&mut app, "退休");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(d.status, cadre::model::LifeCycle::Retired);
}

#[test]
fn a_new_dossier_needs_name_and_birth_and_then_opens() {
    let store = sample_store();
    let n = store.dossier_count();
    let mut app = app_with(store.clone(), Settings::defaults(&Env::default()), SMALL);
    press(&mut app, "f4");
    press(&mut app, "ctrl-s");
    let form = app.state.form.as_ref().unwrap();
    assert!(form.field("姓名").unwrap().error.is_some());
    assert!(form.field("出生年月").unwrap().error.is_some());
    fill_field(&mut app, "姓名", "赵新");
    fill_field(&mut app, "出生年月", "1988-04");
    to_field(&mut app, "性别");
    press(&mut app, "down");
    save_ok(&mut app);
    assert_eq!(store.dossier_count(), n + 1);
    assert_eq!(app.state.pane, Pane::Dossier);
    let d = app.state.person.as_ref().unwrap();
    assert_eq!(d.identity.name, "赵新");
    assert_eq!(d.identity.gender, cadre::model::Gender::Female);
    assert_eq!(
        store.history(d.id).unwrap()[0].kind,
        cadre::history::ChangeKind::Created
    );
}

#[test]
fn assessment_training_family_and_finding_forms_save() {
    let store = sample_store();
    let id = wang_id(&store);
    let rev0 = store.revision(id).unwrap();
    let mut app = open_wang(store.clone());
    press(&mut app, "a");
    fill_field(&mut app, "年度", "2022");
    press(&mut app, "ctrl-s");
    let f = app.state.form.as_ref().unwrap().field("年度").unwrap();
    assert!(
        f.error.as_deref().unwrap().contains("2022"),
        "{:?}",
        f.error
    );
    fill_field(&mut app, "年度", "2021");
    to_field(&mut app, "等次");
    type_text(&mut app, "优秀");
    save_ok(&mut app);
    press(&mut app, "t");
    fill_field(&mut app, "培训名称", "县委书记进修班");
    fill_field(&mut app, "开始时间", "2024.09");
    fill_field(&mut app, "学时", "80");
    save_ok(&mut app);
    press(&mut app, "f");
    fill_field(&mut app, "称谓", "妻子");
    press(&mut app, "ctrl-s");
    assert!(has_error(&app, "姓名"));
    fill_field(&mut app, "姓名", "李芳");
    save_ok(&mut app);
    press(&mut app, "s");
    fill_field(&mut app, "时间", "2024.05");
    fill_field(&mut app, "问题摘要", "巡察反馈：项目审批程序不规范");
    to_field(&mut app, "已办结");
    type_text(&mut app, " ");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    assert!(
        d.assessment(2021)
            .is_some_and(|a| a.grade == Some(cadre::model::Grade::Excellent))
    );
    assert_eq!(d.training.last().unwrap().hours, 80);
    assert_eq!(d.family.last().unwrap().name, "李芳");
    assert!(d.findings.last().unwrap().resolved);
    assert_eq!(store.history(id).unwrap().len() as u64, rev0 + 4);
}

#[test]
fn the_later_save_of_two_clerks_shows_both_versions_instead_of_overwriting() {
    let store = sample_store();
    let id = wang_id(&store);
    let rev0 = store.revision(id).unwrap();
    let (first, mut second) = two_clerks(&store);
    assert!(first.state.form.is_none());
    press(&mut second, "ctrl-s");
    let form = second.state.form.as_ref().expect("still open");
    let c = form.conflict.as_ref().expect("a conflict is shown");
    assert!(c.rows.iter().any(|r| r[0] == "健康状况" && r[2] == "良好"));
    assert!(
        c.rows
            .iter()
            .any(|r| r[0] == "籍贯" && r[3] == "青州市河西县")
    );
    let screen = text(&second);
    assert!(screen.contains("已被他人修改"), "{screen}");
    assert!(
        screen.contains("他人已保存") && screen.contains("您的修改"),
        "{screen}"
    );
    // Nothing was overwritten.
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(d.identity.health, "良好");
    assert_eq!(d.identity.native_place, "青州市临河县");
    // Saving from the conflict view puts the clerk's change on top of the other's.
    press(&mut second, "ctrl-s");
    assert!(second.state.form.is_none(), "{}", text(&second));
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(d.identity.health, "良好");
    assert_eq!(d.identity.native_place, "青州市河西县");
    assert_eq!(store.history(id).unwrap().len() as u64, rev0 + 2);
}

#[test]
fn an_unsaved_form_is_kept_as_a_draft_and_offered_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = sample_store();
    let start = || {
        App::headless(
            store.clone(),
            Settings::defaults(&Env::default()),
            AppOptions {
                today: today(),
                size: SMALL,
                ..AppOptions::default()
            },
        )
        .unwrap()
        .with_drafts(dir.path().join("drafts"), "sample".into())
    };
    let mut app = start();
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    press(&mut app, "p");
    fill_field(&mut app, "职务", "县委书记");
    app.keep_draft();
    drop(app);
    let mut app = start();
    assert!(app.state.draft.is_some());
    let screen = text(&app);
    assert!(screen.contains("未保存的表单"), "{screen}");
    press(&mut app, "enter");
    let form = app.state.form.as_ref().expect("restored");
    assert_eq!(form.kind, FormKind::Posting(None));
    assert_eq!(form.field("职务").unwrap().value(), "县委书记");
    assert_eq!(app.state.pane, Pane::Dossier);
    // Cancelled: the draft is gone.
    press(&mut app, "esc");
    drop(app);
    let app = start();
    assert!(app.state.draft.is_none());
}

#[test]
fn snapshot_posting_form_80x24() {
    let mut app = open_wang(sample_store());
    press(&mut app, "p");
    fill_field(&mut app, "任职时间", "2025.13");
    press(&mut app, "ctrl-s");
    insta::assert_snapshot!(text(&app));
}

#[test]
fn snapshot_identity_form_80x24() {
    let mut app = open_wang(sample_store());
    press(&mut app, "e");
    to_field(&mut app, "政治面貌");
    insta::assert_snapshot!(text(&app));
}

#[test]
fn snapshot_conflict_and_history_80x24() {
    let store = sample_store();
    let (_first, mut second) = two_clerks(&store);
    press(&mut second, "ctrl-s");
    insta::assert_snapshot!("conflict", text(&second));
    press(&mut second, "esc");
    press(&mut second, "esc");
    press(&mut second, "h");
    let screen = text(&second)
        .lines()
        .map(|l| {
            // The time of the change is now; mask it.
            l.split("  ")
                .filter(|p| !p.starts_with("20"))
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let screen = screen.replace(&cadre::user::current_user(), "USER");
    insta::assert_snapshot!("history", screen);
}

#[test]
fn an_existing_entry_is_chosen_from_the_list_and_edited() {
    let store = sample_store();
    let id = wang_id(&store);
    let mut app = open_wang(store.clone());
    press(&mut app, "E");
    let p = app.state.pick.as_ref().expect("the entries are listed");
    let at = p
        .rows
        .iter()
        .position(|r| r.0 == "年度考核第1条")
        .expect("an assessment row");
    for _ in 0..at {
        press(&mut app, "down");
    }
    assert!(text(&app).contains("年度考核第1条"));
    press(&mut app, "enter");
    assert!(app.state.pick.is_none());
    let form = app.state.form.as_ref().expect("the entry's form");
    assert_eq!(form.kind, FormKind::Assessment(Some(0)));
    assert_eq!(form.field("年度").unwrap().value(), "2022");
    to_field(&mut app, "等次");
    type_text(&mut app, "基本称职");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(
        d.assessments[0].grade,
        Some(cadre::model::Grade::BasicallyCompetent)
    );
    assert_eq!(d.assessments.len(), 3);
}

#[test]
fn education_reward_and_record_forms_save() {
    let store = sample_store();
    let id = wang_id(&store);
    let mut app = open_wang(store.clone());
    press(&mut app, "d");
    to_field(&mut app, "学历");
    type_text(&mut app, "研究生");
    fill_field(&mut app, "毕业院校", "青州大学");
    fill_field(&mut app, "入学时间", "2015.09");
    fill_field(&mut app, "毕业时间", "2014.07");
    press(&mut app, "ctrl-s");
    assert!(
        app.state.form.is_some(),
        "an end before the start is refused"
    );
    fill_field(&mut app, "毕业时间", "2018.07");
    save_ok(&mut app);
    press(&mut app, "r");
    press(&mut app, "ctrl-s");
    assert!(has_error(&app, "名称"));
    fill_field(&mut app, "名称", "全省优秀县委书记");
    save_ok(&mut app);
    press(&mut app, "c");
    fill_field(&mut app, "外语", "英语、日语");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(d.education.last().unwrap().school, "青州大学");
    assert_eq!(d.rewards.last().unwrap().title, "全省优秀县委书记");
    assert_eq!(d.record.languages, vec!["英语", "日语"]);
}

#[test]
fn snapshot_entry_picker_80x24() {
    let mut app = open_wang(sample_store());
    press(&mut app, "E");
    insta::assert_snapshot!(text(&app));
}

#[test]
fn nothing_opens_for_editing_in_meeting_mode() {
    let store = sample_store();
    let mut app = open_wang(store);
    press(&mut app, "m");
    for k in ["e", "p", "h", "E", "f4"] {
        press(&mut app, k);
        assert!(
            app.state.form.is_none() && app.state.history.is_none() && app.state.pick.is_none(),
            "{k}"
        );
    }
    assert!(text(&app).contains("会议模式下不能编辑"), "{}", text(&app));
}

#[test]
fn the_selected_posting_is_edited_from_the_timeline_and_shift_tab_goes_back() {
    let store = sample_store();
    let id = wang_id(&store);
    let mut app = open_wang(store.clone());
    press(&mut app, "tab");
    assert_eq!(app.state.pane, Pane::Timeline);
    // The timeline opens on the current post (县长).
    press(&mut app, "e");
    let form = app.state.form.as_ref().expect("the posting's form");
    let FormKind::Posting(Some(at)) = form.kind else {
        panic!("{:?}", form.kind);
    };
    assert_eq!(form.field("职务").unwrap().value(), "县长");
    assert!(
        form.field("结束现任职务").is_none(),
        "only offered when adding"
    );
    to_field(&mut app, "分管工作");
    press(&mut app, "shift-tab");
    assert_eq!(app.state.form.as_ref().unwrap().focused().label, "正副职");
    press(&mut app, "tab");
    press(&mut app, "ctrl-u");
    type_text(&mut app, "全面工作、财政");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    assert_eq!(d.postings[at].portfolio, "全面工作、财政");
    assert_eq!(d.postings[at].position, "县长");
    assert!(text(&app).contains("已保存"));
}

#[test]
fn an_achievement_and_the_reserve_target_are_edited_by_form() {
    let store = sample_store();
    let id = wang_id(&store);
    let mut app = open_wang(store.clone());
    // 业绩: the title is required.
    press(&mut app, "y");
    fill_field(&mut app, "时间", "2023.12");
    press(&mut app, "ctrl-s");
    assert!(has_error(&app, "名称"));
    fill_field(&mut app, "名称", "牵头完成县域污水处理项目");
    fill_field(&mut app, "内容", "提前三个月建成投用");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    let a = d.record.achievements.last().unwrap();
    assert_eq!(a.title, "牵头完成县域污水处理项目");
    assert_eq!(a.date, Some(PartialDate::ym(2023, 12).unwrap()));
    // 后备: a target rank, post and readiness put the cadre in the pool; none takes them out.
    press(&mut app, "e");
    to_field(&mut app, "干部状态");
    type_text(&mut app, "后备");
    to_field(&mut app, "后备目标");
    type_text(&mut app, "正厅");
    fill_field(&mut app, "拟任职务", "市长");
    to_field(&mut app, "成熟度");
    type_text(&mut app, "近期可用");
    save_ok(&mut app);
    let d = store.dossier(id).unwrap().unwrap();
    let r = d.reserve.as_ref().expect("a reserve target");
    assert_eq!(d.status, cadre::model::LifeCycle::Reserve);
    assert_eq!(r.target, cadre::model::Rank::BureauPrincipal);
    assert_eq!(r.target_post, "市长");
    assert_eq!(r.readiness, cadre::model::Readiness::Ready);
    press(&mut app, "e");
    to_field(&mut app, "后备目标");
    type_text(&mut app, "无");
    save_ok(&mut app);
    assert!(store.dossier(id).unwrap().unwrap().reserve.is_none());
    // Both are picked for editing from the entry list too.
    press(&mut app, "E");
    let pick = app.state.pick.as_ref().expect("the entry list");
    assert!(
        pick.rows
            .iter()
            .any(|(_, _, k)| matches!(k, FormKind::Achievement(Some(_))))
    );
}
