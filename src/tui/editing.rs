//! The app's editing side: opening forms over the open dossier, saving them through the store
//! with the version check (a conflict shows both versions instead of overwriting), the history
//! view and undo, and drafts kept and offered back. Part of `app` (it changes state only from
//! `update`); forms themselves are `form`, their drawing `ui::form`.

use crate::model::{Dossier, Gender};
use crate::service::ServiceError;
use crate::store::StoreError;

use super::App;
use crate::tui::action::Action;
use crate::tui::draft::{self, Draft};
use crate::tui::form::{Conflict, EntryPicker, Form, FormKind, HistoryView};
use crate::tui::state::Pane;
use crate::tui::strings as s;

impl App {
    /// Handles the action when a form, the history or a draft offer has the keys, or when it
    /// opens one of them; false leaves it to the rest of `update`.
    pub(super) fn editing(&mut self, action: &Action) -> bool {
        use Action::*;
        if self.state.overlay.is_some() {
            return false;
        }
        // The event loop's own messages, quitting and help always go through.
        let passes = matches!(
            action,
            Quit | Help
                | Resize(..)
                | Results { .. }
                | Loaded(_)
                | FilterMatches { .. }
                | Derived(_)
        );
        if self.state.draft.is_some() {
            match action {
                Confirm => self.restore_draft(),
                DeleteForward => {
                    self.state.draft = None;
                    self.remove_draft();
                    self.notice(s::DRAFT_DISCARDED);
                }
                Back => self.state.draft = None,
                _ if passes => return false,
                _ => {}
            }
            return true;
        }
        if let Some(form) = &mut self.state.form {
            match action {
                _ if passes => return false,
                SaveForm => self.save_form(),
                Back if form.conflict.is_some() => form.conflict = None,
                Back => {
                    self.state.form = None;
                    self.remove_draft();
                    self.notice(s::FORM_CANCELLED);
                }
                _ if form.conflict.is_some() => {}
                NextField | PrevField => form.next(*action == NextField),
                Up | Down => {
                    let i = form.focus;
                    if !form.fields[i].apply(action) {
                        form.next(*action == Down);
                    }
                }
                _ => {
                    let i = form.focus;
                    form.fields[i].apply(action);
                }
            }
            return true;
        }
        if let Some(h) = &mut self.state.history {
            match action {
                _ if passes => return false,
                Up => h.selected = (h.selected + 1).min(h.entries.len().saturating_sub(1)),
                Down => h.selected = h.selected.saturating_sub(1),
                UndoChange => self.undo_selected(),
                Back => self.state.history = None,
                _ => {}
            }
            return true;
        }
        if let Some(p) = &mut self.state.pick {
            match action {
                _ if passes => return false,
                Up => p.selected = p.selected.saturating_sub(1),
                Down => p.selected = (p.selected + 1).min(p.rows.len().saturating_sub(1)),
                Confirm => {
                    let kind = p.rows.get(p.selected).map(|r| r.2);
                    self.state.pick = None;
                    if let Some(kind) = kind {
                        self.open_form(kind);
                    }
                }
                Back => self.state.pick = None,
                _ => {}
            }
            return true;
        }
        let in_dossier = matches!(self.state.pane, Pane::Dossier | Pane::Timeline);
        let opens = matches!(
            action,
            NewDossier
                | EditDossier
                | AddPosting
                | EditPosting
                | AddAssessment
                | AddTraining
                | AddFamily
                | AddFinding
                | AddEducation
                | AddReward
                | AddAchievement
                | EditRecord
                | EditEntry
                | ShowHistory
        );
        // Forms and history show everything; not in front of a meeting.
        if opens && self.state.mask {
            self.notice(s::MASKED_NO_EDIT);
            return true;
        }
        match action {
            NewDossier => self.new_dossier(),
            EditDossier if in_dossier => self.open_form(FormKind::Identity),
            AddPosting if in_dossier => self.open_form(FormKind::Posting(None)),
            AddAssessment if in_dossier => self.open_form(FormKind::Assessment(None)),
            AddTraining if in_dossier => self.open_form(FormKind::Training(None)),
            AddFamily if in_dossier => self.open_form(FormKind::Family(None)),
            AddFinding if in_dossier => self.open_form(FormKind::Finding(None)),
            AddEducation if in_dossier => self.open_form(FormKind::Education(None)),
            AddReward if in_dossier => self.open_form(FormKind::Reward(None)),
            AddAchievement if in_dossier => self.open_form(FormKind::Achievement(None)),
            EditRecord if in_dossier => self.open_form(FormKind::Record),
            EditEntry if in_dossier => {
                if let Some(d) = &self.state.person {
                    self.state.pick = Some(EntryPicker::of(d));
                }
            }
            EditPosting if self.state.pane == Pane::Timeline => {
                match self.selected_posting_index() {
                    Some(i) => self.open_form(FormKind::Posting(Some(i))),
                    None => self.notice(s::FORM_NO_POSTING),
                }
            }
            ShowHistory if in_dossier => self.open_history(),
            EditDossier | AddPosting | AddAssessment | AddTraining | AddFamily | AddFinding
            | EditPosting | ShowHistory | AddEducation | AddReward | AddAchievement
            | EditRecord | EditEntry => self.notice(s::NO_PERSON),
            NextField | PrevField | SaveForm | UndoChange => {}
            _ => return false,
        }
        true
    }

    /// The posting the timeline's selected row shows, as an index into the dossier's list.
    fn selected_posting_index(&self) -> Option<usize> {
        let d = self.state.person.as_ref()?;
        let rows = crate::tui::ui::timeline::rows(d, &self.state.today);
        rows.get(self.state.posting).map(|r| r.idx)
    }

    /// Opens a form over the open dossier, read afresh with its revision.
    fn open_form(&mut self, kind: FormKind) {
        let Some(id) = self.state.person.as_ref().map(|p| p.id) else {
            self.notice(s::NO_PERSON);
            return;
        };
        // A section the user may not see is not theirs to write either (the service would
        // drop what they typed).
        let withheld = &self.state.withheld;
        if matches!(kind, FormKind::Family(_)) && withheld.family
            || matches!(kind, FormKind::Finding(_)) && withheld.findings
        {
            self.error(s::FORM_WITHHELD.to_string());
            return;
        }
        match self.backend.dossier_at_revision(id) {
            Ok(Some((d, rev))) => {
                self.state.form = Some(Form::open(
                    kind,
                    d,
                    rev,
                    &self.state.units,
                    &self.state.today,
                ));
            }
            Ok(None) => self.error(s::fill(s::DOSSIER_GONE, &[("id", &id)])),
            Err(e) => self.error(s::fill(s::FORM_UNREADABLE, &[("id", &id), ("err", &e)])),
        }
    }

    fn new_dossier(&mut self) {
        let base = Dossier::new("", Gender::Male, self.state.today);
        let mut form = Form::open(
            FormKind::NewDossier,
            base,
            0,
            &self.state.units,
            &self.state.today,
        );
        if let Some(f) = form.field_mut("出生年月") {
            f.set_text("");
        }
        self.state.form = Some(form);
    }

    /// Saves the open form: validated, then written with the version check.
    fn save_form(&mut self) {
        let today = self.state.today;
        let Some(form) = self.state.form.as_mut() else {
            return;
        };
        let (onto, expected) = match &form.conflict {
            Some(c) => (c.theirs.clone(), c.revision),
            None => (form.base.clone(), form.revision),
        };
        let new = match form.build(&onto, &today) {
            Ok(new) => new,
            Err(invalid) => {
                form.conflict = None;
                // A notice, gone at the next key: the problems stay marked in the form, and
                // Esc (which dismisses errors) must not be needed here, where it cancels.
                self.notice(s::fill(s::FORM_NOT_SAVED, &[("n", &invalid.problems)]));
                return;
            }
        };
        if form.kind == FormKind::NewDossier {
            match self.backend.create_dossier(new) {
                Ok(id) => {
                    self.state.form = None;
                    self.remove_draft();
                    self.reopen(id);
                    self.state.pane = Pane::Dossier;
                    self.notice(s::fill(s::FORM_CREATED, &[("id", &id)]));
                }
                Err(e) => form.error = Some(e.to_string()),
            }
            return;
        }
        match self.backend.save_dossier(&new, Some(expected)) {
            Ok(rev) => {
                let id = new.id;
                self.state.form = None;
                self.remove_draft();
                self.reopen(id);
                self.notice(s::fill(s::FORM_SAVED, &[("rev", &rev)]));
            }
            Err(ServiceError::Store(StoreError::Conflict { id, .. })) => {
                match self.backend.dossier_at_revision(id) {
                    Ok(Some((theirs, revision))) => {
                        let mine = form.build(&theirs, &today).unwrap_or(new);
                        let rows = form.conflict_rows(&theirs, &mine);
                        form.conflict = Some(Conflict {
                            theirs,
                            revision,
                            rows,
                        });
                    }
                    Ok(None) => form.error = Some(s::fill(s::DOSSIER_GONE, &[("id", &id)])),
                    Err(e) => form.error = Some(e.to_string()),
                }
            }
            Err(e) => {
                form.error = Some(s::fill(s::FORM_SAVE_FAILED, &[("err", &e)]));
            }
        }
    }

    /// Reads a dossier again into the dossier and timeline panes (after a save or an undo),
    /// and the lookup index, alerts and teams again off the UI thread, so the change shows
    /// everywhere.
    fn reopen(&mut self, id: crate::model::DossierId) {
        let keep = self.state.pane;
        self.state.person = None;
        self.open_person(id);
        self.state.pane = keep;
        let (tx, rx) = std::sync::mpsc::channel();
        let backend = self.backend.clone();
        let spawned = std::thread::Builder::new()
            .name("reload".into())
            .spawn(move || {
                let data = crate::tui::data::load_from(&backend)
                    .map(crate::tui::data::Loaded::from)
                    .map_err(|e| e.to_string());
                let _ = tx.send(data);
            });
        match spawned {
            Ok(_) => self.reload = Some(rx),
            Err(e) => tracing::warn!("no reload after an edit: {e}"),
        }
    }

    /// Waits until the data read again after an edit is in (tests; the event loop uses `tick`).
    pub fn wait_reloaded(&mut self) {
        let got = self
            .reload
            .take()
            .and_then(|rx| rx.recv_timeout(std::time::Duration::from_secs(60)).ok());
        if let Some(data) = got {
            self.update(Action::Loaded(data));
            self.wait_derived();
        }
    }

    fn open_history(&mut self) {
        let Some(p) = self.state.person.clone() else {
            self.notice(s::NO_PERSON);
            return;
        };
        match self.backend.history(p.id) {
            Ok(entries) => {
                self.state.history = Some(HistoryView {
                    dossier: p.id,
                    name: p.identity.name.clone(),
                    selected: entries.len().saturating_sub(1),
                    entries,
                });
            }
            Err(e) => self.error(s::fill(s::HISTORY_UNREADABLE, &[("err", &e)])),
        }
    }

    fn undo_selected(&mut self) {
        let Some(h) = &self.state.history else {
            return;
        };
        let Some(seq) = h.entries.get(h.selected).map(|e| e.seq) else {
            return;
        };
        let id = h.dossier;
        match self.backend.undo(id, seq) {
            Ok(_) => {
                self.reopen(id);
                self.open_history();
                self.notice(s::fill(s::UNDONE, &[("seq", &seq)]));
            }
            Err(e) => self.error(s::fill(s::UNDO_FAILED, &[("err", &e)])),
        }
    }

    /// Keeps the open form as the user's draft (the interface is ending with it unsaved).
    /// Does nothing without a form or without a drafts directory.
    pub fn keep_draft(&mut self) {
        let (Some(form), Some(dir)) = (&self.state.form, &self.drafts) else {
            return;
        };
        let d = Draft::of(form, &crate::user::current_user(), &self.db_name);
        if let Err(e) = draft::save(dir, &d) {
            tracing::error!("draft not kept: {e}");
            self.error(s::fill(s::DRAFT_FAILED, &[("err", &e)]));
        }
    }

    /// Offers the user's draft for this database, if one was kept.
    pub(super) fn offer_draft(&mut self) {
        if let Some(dir) = &self.drafts {
            self.state.draft = draft::load(dir, &crate::user::current_user(), &self.db_name);
        }
    }

    fn remove_draft(&mut self) {
        if let Some(dir) = &self.drafts {
            draft::remove(dir, &crate::user::current_user());
        }
    }

    /// Opens the offered draft's form again over its dossier.
    fn restore_draft(&mut self) {
        let Some(d) = self.state.draft.take() else {
            return;
        };
        if d.kind != FormKind::NewDossier {
            match self.backend.dossier(d.dossier) {
                Ok(Some(_)) => {
                    self.reopen(d.dossier);
                    self.state.pane = Pane::Dossier;
                }
                _ => {
                    self.remove_draft();
                    self.notice(s::fill(s::DRAFT_GONE, &[("id", &d.dossier)]));
                    return;
                }
            }
        }
        let mut form = Form::open(
            d.kind,
            d.base,
            d.revision,
            &self.state.units,
            &self.state.today,
        );
        form.restore(&d.values);
        self.state.form = Some(form);
    }
}
