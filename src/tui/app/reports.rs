//! The interface's report keys: the open dossier's approval form as printable HTML, the chosen
//! team's structure workbook, and every team's statistics by unit kind, written into the reports folder (owner-only files, written
//! atomically by `report`). A user-asked write, like a filter export; nothing else here.

use std::path::PathBuf;

use super::{App, Pane, s};

impl App {
    /// Writes reports into `dir` instead of the data directory's `reports` folder.
    pub fn set_reports_dir(&mut self, dir: PathBuf) {
        self.reports_dir = Some(dir);
    }

    /// The reports folder, created (owner-only) if missing.
    fn reports_folder(&mut self) -> Option<PathBuf> {
        let dir = match &self.reports_dir {
            Some(d) => d.clone(),
            None => match crate::cli::data_dir() {
                Ok(d) => d.join("reports"),
                Err(_) => {
                    self.error(s::RP_NO_DIR);
                    return None;
                }
            },
        };
        if let Err(e) = std::fs::create_dir_all(&dir) {
            self.error(s::fill(s::RP_FAILED, &[("err", &e)]));
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        Some(dir)
    }

    /// `print_form` in the dossier pane.
    pub(super) fn print_form(&mut self) {
        debug_assert_eq!(self.state.pane, Pane::Dossier);
        let Some(d) = self.state.person.clone() else {
            self.notice(s::RP_NO_DOSSIER);
            return;
        };
        let Some(dir) = self.reports_folder() else {
            return;
        };
        let path = dir.join(s::fill(s::RP_FORM_FILE, &[("id", &d.id)]));
        let html = crate::report::dossier_form_html(
            &d,
            &self.state.units,
            &self.state.today,
            self.state.mask,
        );
        if !self.may_write(crate::audit::Action::Report, &path) {
            return;
        }
        match crate::report::write_file(html.as_bytes(), &path) {
            Ok(()) => self.notice(s::fill(s::RP_FORM_WRITTEN, &[("path", &path.display())])),
            Err(e) => self.error(s::fill(s::RP_FAILED, &[("err", &e)])),
        }
    }

    /// `team_report` in the team pane: the team as shown (with a what-if applied).
    pub(super) fn team_report(&mut self) {
        let team = &self.state.team;
        let profile = match (&team.whatif, &team.profile) {
            (Some(w), _) => Some(w.profile.clone()),
            (None, p) => p.clone(),
        };
        let Some(p) = profile else {
            self.notice(s::RP_NO_TEAM);
            return;
        };
        let Some(dir) = self.reports_folder() else {
            return;
        };
        let path = dir.join(s::fill(s::RP_TEAM_FILE, &[("unit", &p.unit_name)]));
        if !self.may_write(crate::audit::Action::Report, &path) {
            return;
        }
        match crate::report::write_workbook(&crate::report::team_sheets(&p), &path) {
            Ok(()) => self.notice(s::fill(s::RP_TEAM_WRITTEN, &[("path", &path.display())])),
            Err(e) => self.error(s::fill(s::RP_FAILED, &[("err", &e)])),
        }
    }

    /// `stats_report` in the team pane: every team of the database by unit kind.
    pub(super) fn stats_report(&mut self) {
        let Some(loaded) = self.loaded.clone() else {
            self.notice(s::RP_NOT_LOADED);
            return;
        };
        let Some(dir) = self.reports_folder() else {
            return;
        };
        let Some(teams) = self.teams.clone() else {
            self.notice(s::AL_DERIVING);
            return;
        };
        let groups = crate::report::group_tallies_with(
            &teams,
            &loaded.units,
            &self.rules,
            self.state.today,
            crate::report::GroupBy::UnitKind,
            |i| self.read_at(&loaded.facts, i),
        );
        let teams: u32 = groups.iter().map(|(_, t)| t.teams).sum();
        let path = dir.join(s::RP_STATS_FILE);
        let sheets = crate::report::stats_sheets(crate::report::BY_KIND_HEADER, &groups);
        if !self.may_write(crate::audit::Action::Report, &path) {
            return;
        }
        match crate::report::write_workbook(&sheets, &path) {
            Ok(()) => self.notice(s::fill(
                s::RP_STATS_WRITTEN,
                &[("n", &teams), ("path", &path.display())],
            )),
            Err(e) => self.error(s::fill(s::RP_FAILED, &[("err", &e)])),
        }
    }
}
