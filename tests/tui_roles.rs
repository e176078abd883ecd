//! The interface as a role without the sensitive rights sees it: the session (the same one the
//! service runs per connection) withholds the ID number, family, findings, punishments and
//! talk notes, and the dossier pane marks each withheld section `（无权查看）` instead of
//! showing it empty. Snapshots at 80x24 and 160x40 on the sample county.

use cadre::roles::Roles;
use cadre::service::Backend;
use cadre::service::session::Shared;
use cadre::tui::App;
use cadre::tui::config::{Env, Settings};
use cadre::tui::testing::*;

fn app_as(role: &str, size: (u16, u16)) -> App {
    let user = cadre::user::current_user();
    let text = format!("[users.\"{user}\"]\nrole = \"{role}\"\n");
    let roles = Roles::parse(&text, std::path::Path::new("roles.toml")).expect("roles");
    let settings = Settings::defaults(&Env::default());
    let shared = Shared::new(sample_store(), Some(roles), None, settings.rules.clone());
    let session = shared
        .session(&user, 0, &[])
        .expect("the roles file names the user");
    app_with(Backend::local(session), settings, size)
}

/// 王文胜's dossier, scrolled `sections` sections down.
fn dossier(role: &str, size: (u16, u16), sections: usize) -> (App, String) {
    let mut app = app_as(role, size);
    type_text(&mut app, "王文胜");
    app.settle();
    press(&mut app, "enter");
    for _ in 0..sections {
        press(&mut app, "]");
    }
    let text = screen_text(&render(&app));
    (app, text)
}

#[test]
fn a_viewer_sees_withheld_sections_marked_not_empty() {
    // The sample's full record: the supervisor sees what the viewer must not.
    let (_, full) = dossier("supervisor", (160, 40), 4);
    assert!(!full.contains("无权查看"), "{full}");
    for (size, name) in [
        ((80, 24), "viewer_findings_80x24"),
        ((160, 40), "viewer_findings_160x40"),
    ] {
        let (_, text) = dossier("viewer", size, 4);
        assert!(text.contains("（无权查看）"), "{text}");
        insta::assert_snapshot!(name, text);
    }
    let (_, first) = dossier("viewer", (160, 40), 0);
    assert!(first.contains("身份证号      （无权查看）"), "{first}");
    insta::assert_snapshot!("viewer_identity_160x40", first);
    let (_, clerk) = dossier("clerk", (160, 40), 0);
    assert!(
        !clerk.contains("身份证号      （无权查看）"),
        "a clerk sees ID numbers"
    );
}

#[test]
fn a_viewer_is_told_alerts_are_withheld() {
    let mut app = app_as("viewer", (80, 24));
    press(&mut app, "alt-6");
    let text = screen_text(&render(&app));
    assert!(
        text.contains("（无权查看）预警只对有预警权限的角色显示"),
        "{text}"
    );
    insta::assert_snapshot!("viewer_alerts_80x24", text);
}

#[test]
fn a_clerk_cannot_open_a_form_for_a_section_withheld_from_them() {
    for key in ["f", "s"] {
        let (mut app, _) = dossier("clerk", (80, 24), 0);
        press(&mut app, key);
        let text = screen_text(&render(&app));
        assert!(app.state.form.is_none(), "{key}: no form opens");
        assert!(text.contains("您的角色无权查看这一部分"), "{key}: {text}");
        // A supervisor, who sees the section, gets the form.
        let (mut app, _) = dossier("supervisor", (80, 24), 0);
        press(&mut app, key);
        assert!(
            app.state.form.is_some(),
            "{key}: the supervisor's form opens"
        );
    }
}
