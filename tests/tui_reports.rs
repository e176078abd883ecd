//! The report keys of the interface: `P` in the dossier pane writes the open dossier's approval
//! form, F9 in the team pane the chosen team's statistics workbook and F10 every team's by unit
//! kind; each says where, and says what is missing when there is nothing to write.

use cadre::tui::action::Action;
use cadre::tui::app::App;
use cadre::tui::config::{Env, Settings};
use cadre::tui::state::Pane;
use cadre::tui::testing::*;

const SMALL: (u16, u16) = (80, 24);

fn text(app: &App) -> String {
    screen_text(&render(app))
}

#[test]
fn shift_p_in_the_dossier_pane_writes_the_approval_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(SMALL);
    app.set_reports_dir(dir.path().to_path_buf());
    type_text(&mut app, "王文");
    app.settle();
    press(&mut app, "enter");
    assert_eq!(app.state.pane, Pane::Dossier);
    let id = app.state.person.as_ref().unwrap().id;
    press(&mut app, "P");
    let path = dir.path().join(format!("干部任免审批表_{id}.html"));
    let html = std::fs::read_to_string(&path).expect("the form is written");
    assert!(html.contains("<td>王文胜</td>"));
    assert!(text(&app).contains("任免审批表已写入"), "{}", text(&app));
}

#[test]
fn f9_in_the_team_pane_writes_the_team_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(province_store(), Settings::defaults(&Env::default()), SMALL);
    app.set_reports_dir(dir.path().to_path_buf());
    app.update(Action::ShowTeam);
    // Nothing chosen yet: nothing written, and the clerk is told why.
    press(&mut app, "f9");
    assert!(text(&app).contains("先选一个班子"), "{}", text(&app));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    press(&mut app, "/");
    type_text(&mut app, "临河政府");
    press(&mut app, "enter");
    assert!(app.state.team.profile.is_some());
    press(&mut app, "f9");
    let path = dir.path().join("班子结构_临河县人民政府.xlsx");
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&path).expect("the workbook is written");
    let roster = wb.worksheet_range("班子成员").unwrap();
    assert_eq!(roster.height(), 4); // header and three members

    // F10: every team by unit kind.
    press(&mut app, "f10");
    let path = dir.path().join("班子结构统计_按单位类型.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).expect("the statistics are written");
    let summary = wb.worksheet_range("汇总").unwrap();
    let last = summary.height() as u32 - 1;
    assert_eq!(summary.get_value((last, 0)).unwrap().to_string(), "合计");
    assert!(
        text(&app).contains("个班子的结构统计已写入"),
        "{}",
        text(&app)
    );
}
