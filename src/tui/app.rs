//! The application: keys become actions through the keymap, and `update` is the only place
//! state changes. It also owns the side doors behind small APIs: the store (a dossier is read
//! when opened) and the lookup worker (queries go out, results come back as actions). `App`
//! runs headless, so tests drive it with key events and draw it on a `TestBackend`.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::Frame;

use crate::lookup::worker::LookupWorker;
use crate::lookup::{Hit, Index};
use crate::model::{DossierId, PartialDate, Readiness};
use crate::rules::{Rules, Severity};
use crate::service::Backend;
use crate::store::{Review, Store};

use super::action::Action;
use super::config::Settings;
use super::data::{Derived, Loaded, derive, load_from};
use super::input::LineInput;
use super::keymap::{KeyCombo, Section};
use super::state::{
    AlertInput, CommandLine, FilterColumn, Message, Overlay, Pane, ReserveColumn, ResultRow, State,
    TeamFocus,
};
use super::strings as s;
use super::theme::Theme;
use super::ui;

#[path = "editing.rs"]
mod editing;
mod reports;

/// Start-up choices that are not configuration.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// Start with the meeting mask on.
    pub mask: bool,
    /// The date ages and times in post are computed to (injectable for tests).
    pub today: PartialDate,
    /// The terminal size until the first resize event.
    pub size: (u16, u16),
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            mask: false,
            today: PartialDate::today(),
            size: (80, 24),
        }
    }
}

/// What an app runs over: a store (the embedded single-user mode, every right) or a backend
/// already chosen (a local session or the service).
pub enum Source {
    Store(Store),
    Backend(Backend),
}

impl From<Store> for Source {
    fn from(s: Store) -> Self {
        Source::Store(s)
    }
}

impl From<Backend> for Source {
    fn from(b: Backend) -> Self {
        Source::Backend(b)
    }
}

pub struct App {
    pub state: State,
    pub theme: Theme,
    backend: Backend,
    index: Option<Arc<Index>>,
    worker: Option<LookupWorker>,
    rules: Arc<Rules>,
    /// Alerts and the reserve pool being derived off the UI thread.
    deriving: Option<Receiver<Derived>>,
    /// Every dossier and unit, shared with the derivation (whole-database panes).
    loaded: Option<Loaded>,
    teams: Option<Arc<crate::team::TeamIndex>>,
    /// Filter evaluations run on threads of their own and answer here.
    filter_tx: Sender<(u64, Vec<super::state::FilterRow>)>,
    filter_rx: Receiver<(u64, Vec<super::state::FilterRow>)>,
    /// The data's text values being counted off the UI thread (the builder's completion).
    values_rx: Option<Receiver<crate::filter::values::DataValues>>,
    /// Where report keys write (None: `reports` in the user's data directory).
    reports_dir: Option<std::path::PathBuf>,
    /// Where drafts go, and the database they belong to.
    drafts: Option<std::path::PathBuf>,
    /// The lookup data read again after an edit, off the UI thread.
    reload: Option<Receiver<Result<Loaded, String>>>,
    db_name: String,
    /// A filter whose matches are shown but not yet in the service's audit trail: recorded
    /// once it has stood a moment (not at every keystroke of the typing).
    filter_unnoted: Option<(String, Instant)>,
    /// The idle lock (while locked, only the lock screen is drawn).
    lock: super::lock::IdleLock,
}

/// How long a filter's matches stand before the filter is recorded in the audit trail.
const FILTER_NOTE_AFTER: Duration = Duration::from_millis(1500);

impl App {
    /// An app still loading: the first frame can be drawn at once; loading finishes with an
    /// `Action::Loaded`.
    pub fn new(source: impl Into<Source>, settings: Settings, opts: AppOptions) -> Self {
        let backend = match source.into() {
            Source::Store(store) => Backend::unaudited(store, settings.rules.clone()),
            Source::Backend(b) => b,
        };
        let (filter_tx, filter_rx) = channel();
        let lock =
            super::lock::IdleLock::new(settings.lock_after_minutes, crate::user::current_user());
        let mut state = State::new(settings.keymap, opts.today, opts.mask, opts.size);
        let w = backend.welcome();
        state.withheld = w.withheld;
        if backend.is_remote() {
            state.who = Some(s::fill(s::WHO, &[("user", &w.user), ("role", &w.role)]));
        }
        state.messages = settings
            .errors
            .iter()
            .map(|e| Message {
                text: e.to_string(),
                error: true,
            })
            .collect();
        App {
            state,
            theme: settings.theme,
            backend,
            index: None,
            worker: None,
            rules: settings.rules,
            deriving: None,
            loaded: None,
            teams: None,
            filter_tx,
            filter_rx,
            values_rx: None,
            reports_dir: None,
            drafts: None,
            db_name: String::new(),
            reload: None,
            filter_unnoted: None,
            lock,
        }
    }

    /// Keeps unsaved forms as drafts under `dir` for database `db` (a draft is offered back on
    /// the same database only), and offers the user's draft kept there, if any.
    pub fn with_drafts(mut self, dir: std::path::PathBuf, db: String) -> Self {
        self.drafts = Some(dir);
        self.db_name = db;
        self.offer_draft();
        self
    }

    /// An app with everything loaded before it returns (tests, and callers that can wait).
    pub fn headless(
        source: impl Into<Source>,
        settings: Settings,
        opts: AppOptions,
    ) -> anyhow::Result<Self> {
        let mut app = App::new(source, settings, opts);
        let data = load_from(&app.backend)?;
        app.update(Action::Loaded(Ok(Loaded::from(data))));
        app.wait_derived();
        app.wait_values();
        Ok(app)
    }

    pub fn should_quit(&self) -> bool {
        self.state.quit
    }

    /// Paints the screen from state; while locked, only the lock screen.
    pub fn draw(&self, frame: &mut Frame) {
        match &self.lock.locked {
            Some(prompt) => super::lock::draw(frame, prompt, &self.theme),
            None => ui::draw(frame, &self.state, &self.theme),
        }
    }

    /// Whether the idle lock is showing.
    pub fn is_locked(&self) -> bool {
        self.lock.is_locked()
    }

    /// Feeds one terminal event; returns whether anything may have changed on screen.
    pub fn handle_event(&mut self, ev: &Event) -> bool {
        match ev {
            Event::Key(key) => {
                if key.kind != KeyEventKind::Press {
                    return false;
                }
                let action = if self.lock.is_locked() {
                    super::lock::key_action(&self.state.keymap, key)
                } else {
                    self.key_action(key)
                };
                let Some(action) = action else {
                    return false;
                };
                // Notices last until the next key; errors until dismissed.
                self.state.messages.retain(|m| m.error);
                self.update(action);
                true
            }
            Event::Paste(text) => {
                self.update(Action::Paste(text.clone()));
                true
            }
            Event::Resize(w, h) => {
                self.update(Action::Resize(*w, *h));
                true
            }
            _ => false,
        }
    }

    /// The action a key asks for in the current context: the focused sections of the keymap
    /// in order; while typing, a plain character not bound by the focused section is text.
    pub fn key_action(&self, key: &KeyEvent) -> Option<Action> {
        let combo = KeyCombo::from_event(key);
        let typing = self.state.is_typing();
        let plain = combo.plain_char();
        for sec in self.state.sections() {
            if typing && plain.is_some() && sec == Section::Global {
                continue;
            }
            if let Some(a) = self.state.keymap.get(sec, &combo) {
                return Some(a.clone());
            }
        }
        match plain {
            Some(c) if typing => Some(Action::Insert(c)),
            _ => None,
        }
    }

    /// Waits for the alerts and the reserve pool (tests, and `headless`).
    pub fn wait_derived(&mut self) {
        let got = self
            .deriving
            .as_ref()
            .and_then(|rx| rx.recv_timeout(Duration::from_secs(60)).ok());
        if let Some(d) = got {
            self.update(Action::Derived(d));
        }
    }

    /// Takes the newest lookup answer and the derived data, if ready; returns whether state
    /// changed.
    pub fn tick(&mut self) -> bool {
        if let Some(data) = self.reload.as_ref().and_then(|rx| rx.try_recv().ok()) {
            self.reload = None;
            self.update(Action::Loaded(data));
        }
        let derived = self.deriving.as_ref().and_then(|rx| rx.try_recv().ok());
        let mut got_derived = derived.is_some();
        if let Some(d) = derived {
            self.update(Action::Derived(d));
        }
        if let Some(v) = self.values_rx.as_ref().and_then(|rx| rx.try_recv().ok()) {
            self.update(Action::FilterValues(Arc::new(v)));
            got_derived = true;
        }
        while let Ok((seq, rows)) = self.filter_rx.try_recv() {
            self.update(Action::FilterMatches { seq, rows });
            got_derived = true;
        }
        if let Some((text, at)) = &self.filter_unnoted
            && at.elapsed() >= FILTER_NOTE_AFTER
        {
            let (backend, text) = (self.backend.clone(), text.clone());
            self.filter_unnoted = None;
            let _ = std::thread::Builder::new()
                .name("audit-note".into())
                .spawn(move || {
                    if let Err(e) = backend.note(crate::audit::Action::Query, &text) {
                        tracing::warn!("a filter was not recorded: {e}");
                    }
                });
        }
        let Some(answer) = self.worker.as_ref().and_then(LookupWorker::try_recv) else {
            return got_derived;
        };
        self.update(Action::Results {
            seq: answer.seq,
            hits: answer.hits,
        });
        true
    }

    /// Waits until the newest query is answered (tests; the event loop uses `tick`).
    pub fn settle(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.state.filter.seq_shown < self.state.filter.seq_sent && Instant::now() < deadline
        {
            match self.filter_rx.recv_timeout(Duration::from_millis(50)) {
                Ok((seq, rows)) => self.update(Action::FilterMatches { seq, rows }),
                Err(_) => continue,
            }
        }
        while self.state.seq_shown < self.state.seq_sent && Instant::now() < deadline {
            let answer = self
                .worker
                .as_ref()
                .and_then(|w| w.recv_timeout(Duration::from_millis(50)));
            if let Some(a) = answer {
                self.update(Action::Results {
                    seq: a.seq,
                    hits: a.hits,
                });
            }
        }
    }

    fn notice(&mut self, text: impl Into<String>) {
        self.state.messages.push(Message {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.state.messages.push(Message {
            text: text.into(),
            error: true,
        });
    }

    /// The only place state changes.
    pub fn update(&mut self, action: Action) {
        use Action::*;
        let was_locked = self.lock.is_locked();
        let stop = super::lock::intercept(&mut self.lock, &action);
        if was_locked != self.lock.is_locked() && self.backend.is_remote() {
            // The service records when a clerk's screen locked and when it was opened again.
            let what = if was_locked {
                crate::audit::Action::SessionUnlock
            } else {
                crate::audit::Action::SessionLock
            };
            let backend = self.backend.clone();
            let _ = std::thread::Builder::new()
                .name("audit-note".into())
                .spawn(move || {
                    if let Err(e) = backend.note(what, "界面") {
                        tracing::warn!("a lock was not recorded: {e}");
                    }
                });
        }
        if stop {
            if action == Quit {
                self.state.quit = true;
            }
            return;
        }
        if self.editing(&action) {
            return;
        }
        // While the saved filters are listed, moving, Enter and Delete act on the list.
        if self.state.pane == Pane::Filter
            && self.state.overlay.is_none()
            && self.state.filter.name.is_none()
            && self.state.filter.saved.is_some()
            && matches!(
                action,
                ShowDossier | DeleteForward | Up | Down | PageUp | PageDown | Top | Bottom
            )
        {
            self.saved_filter_key(&action);
            return;
        }
        if self.builder_key(&action) {
            return;
        }
        match action {
            Quit => self.state.quit = true,
            Back => self.back(),
            Help => {
                self.state.overlay = match self.state.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                }
            }
            CommandLine => {
                self.state.overlay = Some(Overlay::Command(super::state::CommandLine::default()))
            }
            ToggleMask => {
                self.state.mask = !self.state.mask;
                self.notice(if self.state.mask {
                    s::MASK_ON
                } else {
                    s::MASK_OFF
                });
            }
            ShowLookup => {
                self.state.overlay = None;
                self.state.pane = Pane::Lookup;
            }
            ShowDossier => self.show(Pane::Dossier),
            ShowTimeline => self.show(Pane::Timeline),
            ShowFilter => self.show(Pane::Filter),
            ShowTeam => self.show(Pane::Team),
            ShowAlerts => self.show(Pane::Alerts),
            ShowReserve => self.show(Pane::Reserve),
            NextPane | PrevPane => {
                let all = Pane::ALL;
                let i = all.iter().position(|p| *p == self.state.pane).unwrap_or(0);
                let n = all.len();
                let j = if action == NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.show(all[j]);
            }
            Up | Down | PageUp | PageDown | Top | Bottom => self.move_by(&action),
            NextSection | PrevSection => self.jump_section(action == NextSection),
            Confirm => match &self.state.overlay {
                Some(Overlay::Command(_)) => self.run_command(),
                Some(Overlay::Help { .. }) => self.state.overlay = None,
                None if self.state.has_prompt() => self.confirm_prompt(),
                None if self.state.pane == Pane::Lookup => self.show(Pane::Dossier),
                None if self.state.pane == Pane::Team && self.state.team.plans.is_some() => {
                    self.open_plan();
                }
                None if self.state.pane == Pane::Team && self.state.team.region.is_some() => {
                    let r = self.state.team.region.take();
                    if let Some(row) = r.as_ref().and_then(|r| r.rows.get(r.selected)) {
                        self.choose_unit(row.unit);
                    }
                }
                None if self.state.pane == Pane::Team => match self.state.team.focus {
                    TeamFocus::Units => {
                        if let Some(u) = self.state.team.cursor_unit() {
                            self.choose_unit(u);
                        }
                    }
                    TeamFocus::Members => self.show(Pane::Dossier),
                },
                None => {}
            },
            CompleteNext | CompletePrev => self.complete(action == CompleteNext),
            CursorLeft | CursorRight | CursorHome | CursorEnd | DeleteBack | DeleteForward
            | DeleteWord | ClearLine | KillToEnd | Insert(_) => self.edit(&action),
            FilterText if self.state.pane == Pane::Alerts && self.state.overlay.is_none() => {
                self.state.alerts.input = Some(AlertInput::Unit);
            }
            FilterText if self.state.pane == Pane::Team && self.state.overlay.is_none() => {
                self.state.team.searching = true;
                self.state.team.focus = TeamFocus::Units;
            }
            Expand | Collapse if self.state.pane == Pane::Team => {
                self.expand(action == Expand);
            }
            RemoveMember if self.state.pane == Pane::Team => self.remove_member(),
            AddCandidate if self.state.pane == Pane::Team => self.add_candidate(),
            SavePlan if self.state.pane == Pane::Team => {
                let t = &mut self.state.team;
                match &t.whatif {
                    Some(w) if !w.removed.is_empty() || !w.added.is_empty() => {
                        let mut input = LineInput::default();
                        input.set(w.name.as_deref().unwrap_or_default());
                        t.plan_name = Some(input);
                    }
                    _ => self.notice(s::TM_NOTHING_CHANGED),
                }
            }
            OpenPlans if self.state.pane == Pane::Team => match self.backend.plans() {
                Ok(list) if list.is_empty() => self.notice(s::TM_NO_PLANS),
                Ok(list) => self.state.team.plans = Some((list, 0)),
                Err(e) => self.error(s::fill(s::TM_PLANS_UNREADABLE, &[("err", &e)])),
            },
            RegionView if self.state.pane == Pane::Team => self.region_view(),
            CycleSort if self.state.pane == Pane::Team => {
                if let Some(r) = &mut self.state.team.region {
                    r.sort = (r.sort + 1) % 8;
                    r.resort();
                }
            }
            SwitchFocus if self.state.pane == Pane::Team => {
                let t = &mut self.state.team;
                t.focus = match t.focus {
                    TeamFocus::Units if t.profile.is_some() => TeamFocus::Members,
                    _ => TeamFocus::Units,
                };
            }
            CycleSeverity if self.state.pane == Pane::Alerts => {
                let a = &mut self.state.alerts;
                a.severity = match a.severity {
                    None => Some(Severity::Severe),
                    Some(Severity::Severe) => Some(Severity::Warn),
                    Some(Severity::Warn) => Some(Severity::Info),
                    Some(Severity::Info) => None,
                };
                a.refilter();
            }
            CycleRule if self.state.pane == Pane::Alerts => {
                let a = &mut self.state.alerts;
                let ids = a.rule_ids();
                a.rule = match &a.rule {
                    None => ids.first().cloned(),
                    Some(r) => ids
                        .iter()
                        .position(|i| i == r)
                        .and_then(|p| ids.get(p + 1).cloned()),
                };
                a.refilter();
            }
            ToggleReviewed if self.state.pane == Pane::Alerts => {
                let a = &mut self.state.alerts;
                a.hide_reviewed = !a.hide_reviewed;
                a.refilter();
            }
            MarkReviewed if self.state.pane == Pane::Alerts => self.mark_reviewed(),
            CycleReadiness if self.state.pane == Pane::Reserve => {
                let r = &mut self.state.reserve;
                r.readiness = match r.readiness {
                    None => Some(Readiness::Ready),
                    Some(Readiness::Ready) => Some(Readiness::Soon),
                    Some(Readiness::Soon) => Some(Readiness::Longer),
                    Some(Readiness::Longer) => None,
                };
                r.refresh();
            }
            SortName | SortAge | SortPost | SortTarget | SortReadiness | SortGaps
                if self.state.pane == Pane::Reserve =>
            {
                let col = match action {
                    SortName => ReserveColumn::Name,
                    SortAge => ReserveColumn::Age,
                    SortPost => ReserveColumn::Post,
                    SortTarget => ReserveColumn::Target,
                    SortReadiness => ReserveColumn::Readiness,
                    _ => ReserveColumn::Gaps,
                };
                let r = &mut self.state.reserve;
                if r.sort == col {
                    r.descending = !r.descending;
                } else {
                    r.sort = col;
                    r.descending = false;
                }
                r.refresh();
            }
            SortName | SortAge | SortPost if self.state.pane == Pane::Filter => {
                self.state.filter.sort_by(match action {
                    SortName => FilterColumn::Name,
                    SortAge => FilterColumn::Age,
                    _ => FilterColumn::Post,
                });
            }
            SortNext | SortPrev if self.state.pane == Pane::Filter => {
                self.state.filter.sort_step(action == SortNext);
            }
            SortReverse if self.state.pane == Pane::Filter => self.state.filter.sort_reverse(),
            BuildCondition if self.state.pane == Pane::Filter => self.open_builder(),
            AddCandidate if self.state.pane == Pane::Filter => self.add_candidate_from_filter(),
            NewLine if self.state.pane == Pane::Filter && !self.state.has_prompt() => {
                self.edit(&action);
            }
            BuildCondition | ToggleMark | SortNext | SortPrev | SortReverse | NewLine => {}
            ExportCsv | ExportXlsx if self.state.pane == Pane::Filter => {
                if self.state.filter.matches.is_empty() {
                    self.notice(s::FL_NOTHING_TO_EXPORT);
                } else {
                    let xlsx = action == ExportXlsx;
                    let mut input = LineInput::default();
                    let ext = if xlsx { "xlsx" } else { "csv" };
                    input.set(&format!("{}.{ext}", s::FL_EXPORT_DEFAULT));
                    self.state.filter.export = Some((input, xlsx));
                }
            }
            ExportCsv | ExportXlsx => {}
            PrintForm if self.state.pane == Pane::Dossier => self.print_form(),
            TeamReport if self.state.pane == Pane::Team => self.team_report(),
            StatsReport if self.state.pane == Pane::Team => self.stats_report(),
            PrintForm | TeamReport | StatsReport => {}
            SaveFilter if self.state.pane == Pane::Filter => {
                let f = &mut self.state.filter;
                if let Some((list, i)) = &f.saved {
                    if let Some(sf) = list.get(*i) {
                        let mut input = LineInput::default();
                        input.set(&sf.name);
                        f.name = Some((input, Some(sf.name.clone())));
                    }
                } else if f.canonical.is_some() {
                    f.name = Some((LineInput::default(), None));
                } else {
                    self.notice(s::FL_NOTHING_TO_SAVE);
                }
            }
            OpenFilters if self.state.pane == Pane::Filter => {
                if self.state.filter.saved.take().is_none() {
                    self.open_saved_filters(0);
                }
            }
            SaveFilter | OpenFilters => {}
            // Editing is handled by `editing` before this match.
            EditDossier | NewDossier | AddPosting | EditPosting | AddAssessment | AddTraining
            | AddFamily | AddFinding | NextField | PrevField | SaveForm | ShowHistory
            | UndoChange | AddEducation | AddReward | AddAchievement | EditRecord | EditEntry => {}
            RegionView | CycleSort | Expand | Collapse | SwitchFocus | RemoveMember
            | AddCandidate | SavePlan | OpenPlans | FilterText | CycleSeverity | CycleRule
            | ToggleReviewed | MarkReviewed | CycleReadiness | SortName | SortAge | SortPost
            | SortTarget | SortReadiness | SortGaps => {}
            Paste(ref text) => {
                if self.state.overlay.is_none() && !self.state.is_typing() {
                    // Pasting a name anywhere starts a lookup for it.
                    self.state.pane = Pane::Lookup;
                    self.state.query.clear();
                    self.edit(&Action::Paste(text.clone()));
                } else if !matches!(self.state.overlay, Some(Overlay::Help { .. })) {
                    self.edit(&action);
                }
            }
            Resize(w, h) => {
                self.state.size = (w, h);
                self.clamp_scrolls();
            }
            Results { seq, hits } => self.take_results(seq, hits),
            FilterMatches { seq, rows } => {
                if seq != self.state.filter.seq_sent {
                    return;
                }
                let f = &mut self.state.filter;
                f.seq_shown = seq;
                f.selected = 0;
                f.matches = rows;
                f.resort();
                if self.backend.is_remote() {
                    self.filter_unnoted = Some((f.input.text(), Instant::now()));
                }
            }
            FilterValues(v) => {
                self.values_rx = None;
                let f = &mut self.state.filter;
                f.values = Some(v);
                if let Some(b) = &mut f.menu {
                    let keep = b.selected;
                    b.refresh(f.values.as_deref());
                    b.selected = keep.min(b.options.len().saturating_sub(1));
                }
            }
            Loaded(Ok(data)) => {
                self.state.loading = false;
                self.state.total = data.index.len();
                self.state.units = data.units.clone();
                if data.unreadable > 0 {
                    self.error(s::fill(s::LOAD_SKIPPED, &[("n", &data.unreadable)]));
                }
                self.worker = Some(LookupWorker::spawn(data.index.clone(), self.state.limit));
                self.index = Some(data.index.clone());
                self.submit_query();
                if !self.state.withheld.alerts {
                    match self.backend.reviews() {
                        Ok(list) => {
                            self.state.alerts.reviews =
                                list.into_iter().map(|r| (r.key.clone(), r)).collect();
                        }
                        Err(e) => self.error(s::fill(s::REVIEWS_UNREADABLE, &[("err", &e)])),
                    }
                }
                self.spawn_derive(data.facts.clone(), data.units.clone());
                self.spawn_values(data.facts.clone());
                let t = &mut self.state.team;
                t.expanded = data.units.roots().iter().copied().collect();
                t.rebuild(&data.units);
                self.loaded = Some(data);
            }
            Derived(d) => {
                self.deriving = None;
                self.teams = Some(d.teams);
                self.state.alerts.all = Some(d.alerts);
                self.state.alerts.refilter();
                self.state.reserve.all = Some(d.reserve);
                self.state.reserve.refresh();
            }
            // Handled by the idle lock before anything else.
            Tick(_) => {}
            Loaded(Err(e)) => {
                self.state.loading = false;
                self.error(s::fill(s::LOAD_FAILED, &[("err", &e)]));
            }
        }
    }

    /// Esc: close an overlay, else dismiss an error, else leave the pane, else clear the
    /// query; at the top level, say how to quit.
    fn back(&mut self) {
        let st = &mut self.state;
        if st.overlay.take().is_some() {
            return;
        }
        if st.pane == Pane::Filter && st.filter.menu.take().is_some() {
            return;
        }
        if st.pane == Pane::Filter && st.filter.export.take().is_some() {
            return;
        }
        if st.pane == Pane::Filter && st.filter.name.take().is_some() {
            return;
        }
        if st.pane == Pane::Filter && st.filter.saved.take().is_some() {
            return;
        }
        if st.pane == Pane::Team && st.team.plan_name.take().is_some() {
            return;
        }
        if st.pane == Pane::Team && st.team.plans.take().is_some() {
            return;
        }
        if st.pane == Pane::Team && st.team.region.take().is_some() {
            return;
        }
        if st.pane == Pane::Team && st.team.searching {
            st.team.searching = false;
            st.team.search.clear();
            st.team.rebuild(&st.units);
            return;
        }
        if st.has_prompt() {
            if st.alerts.input.take() == Some(AlertInput::Unit) {
                st.alerts.unit.clear();
                st.alerts.refilter();
            }
            return;
        }
        if !st.messages.is_empty() {
            st.messages.remove(0);
            return;
        }
        match st.pane {
            Pane::Dossier | Pane::Timeline => st.pane = st.origin,
            Pane::Team if st.team.whatif.is_some() => {
                st.team.whatif = None;
                st.team.member = 0;
            }
            Pane::Team if st.team.focus == TeamFocus::Members => {
                st.team.focus = TeamFocus::Units;
            }
            Pane::Filter | Pane::Team | Pane::Alerts | Pane::Reserve => st.pane = Pane::Lookup,
            Pane::Lookup if !st.query.is_empty() => {
                st.query.clear();
                self.submit_query();
            }
            Pane::Lookup => {
                let key = st
                    .keymap
                    .key_for(&[Section::Global, Section::Lookup], &Action::Quit)
                    .map(|k| k.label())
                    .unwrap_or_else(|| ":quit".into());
                self.notice(s::fill(s::AT_TOP_LEVEL, &[("key", &key)]));
            }
        }
    }

    /// Switches to a pane; from a list pane the dossier and timeline open the selected
    /// person (a store read), and Esc from them comes back to that list.
    fn show(&mut self, target: Pane) {
        self.state.overlay = None;
        if target.is_list() {
            self.state.pane = target;
            return;
        }
        let from = self.state.pane;
        let pick = match from {
            Pane::Lookup if !self.state.results.is_empty() => {
                Some(self.state.selected_row().map(|r| r.hit.id))
            }
            Pane::Alerts => Some(self.state.alerts.selected_person()),
            Pane::Team => Some(self.state.team.selected_member().map(|m| m.id)),
            Pane::Filter => Some(
                self.state
                    .filter
                    .matches
                    .get(self.state.filter.selected)
                    .map(|e| e.id()),
            ),
            Pane::Reserve => Some(self.state.reserve.selected_entry().map(|e| e.id)),
            _ => None,
        };
        if let Some(pick) = pick {
            let Some(id) = pick else {
                let team = from == Pane::Alerts && self.state.alerts.selected_alert().is_some();
                self.notice(if team {
                    s::AL_TEAM_NO_DOSSIER
                } else if from == Pane::Alerts {
                    s::AL_NO_SELECTION
                } else {
                    s::NO_SELECTION
                });
                return;
            };
            if !self.open_person(id) {
                return;
            }
            self.state.origin = from;
        } else if self.state.person.is_none() {
            let msg = if self.state.pane == Pane::Lookup && !self.state.query.is_empty() {
                s::NO_SELECTION
            } else {
                s::NO_PERSON
            };
            self.notice(msg);
            return;
        }
        self.state.pane = target;
    }

    /// Reads a dossier from the store into the dossier and timeline panes; false when it
    /// cannot be had.
    /// The dossiers of everyone seated on the teams of `units`, by position in the facts, read
    /// in a few requests (one audit entry each) rather than one per member.
    fn read_seats(
        &self,
        facts: &crate::facts::Facts,
        teams: &crate::team::TeamIndex,
        units: &[crate::model::UnitId],
    ) -> std::collections::HashMap<usize, crate::model::Dossier> {
        let mut positions: Vec<usize> = units
            .iter()
            .flat_map(|u| teams.seats(*u).iter().map(|&(di, _)| di))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let mut by_id: std::collections::HashMap<DossierId, usize> = positions
            .iter()
            .filter_map(|&i| facts.people.get(i).map(|p| (p.id, i)))
            .collect();
        let ids: Vec<DossierId> = by_id.keys().copied().collect();
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(2000) {
            match self.backend.dossiers(chunk.to_vec()) {
                Ok(ds) => {
                    for d in ds {
                        if let Some(i) = by_id.remove(&d.id) {
                            out.insert(i, d);
                        }
                    }
                }
                Err(e) => tracing::warn!("cannot read a team's members: {e}"),
            }
        }
        out
    }

    /// The dossier of the person at position `i` of the facts (None when gone or unreadable).
    fn read_at<'a>(
        &self,
        facts: &crate::facts::Facts,
        i: usize,
    ) -> Option<std::borrow::Cow<'a, crate::model::Dossier>> {
        let id = facts.people.get(i)?.id;
        match self.backend.dossier(id) {
            Ok(d) => d.map(std::borrow::Cow::Owned),
            Err(e) => {
                tracing::warn!("cannot read dossier #{id}: {e}");
                None
            }
        }
    }

    fn open_person(&mut self, id: DossierId) -> bool {
        if self.state.person.as_ref().is_some_and(|p| p.id == id) {
            return true;
        }
        match self.backend.dossier(id) {
            Ok(Some(d)) => {
                let rows = ui::timeline::rows(&d, &self.state.today);
                self.state.posting = ui::timeline::default_selection(&rows);
                self.state.dossier_scroll = 0;
                self.state.person = Some(Arc::new(d));
                true
            }
            Ok(None) => {
                self.error(s::fill(s::DOSSIER_GONE, &[("id", &id)]));
                false
            }
            Err(e) => {
                tracing::error!(id, "dossier read failed: {e}");
                self.error(s::fill(s::DOSSIER_UNREADABLE, &[("id", &id), ("err", &e)]));
                false
            }
        }
    }

    /// Applies an editing action to the focused input.
    fn edit(&mut self, action: &Action) {
        if self.state.overlay.is_none()
            && self.state.pane == Pane::Filter
            && let Some(b) = &mut self.state.filter.menu
        {
            b.edit(action, self.state.filter.values.as_deref());
            return;
        }
        if self.state.overlay.is_none()
            && self.state.pane == Pane::Filter
            && let Some((path, _)) = &mut self.state.filter.export
        {
            path.apply(action);
            return;
        }
        if self.state.overlay.is_none()
            && self.state.pane == Pane::Filter
            && let Some((name, _)) = &mut self.state.filter.name
        {
            name.apply(action);
            return;
        }
        if self.state.overlay.is_none()
            && self.state.pane == Pane::Team
            && let Some(name) = &mut self.state.team.plan_name
        {
            name.apply(action);
            return;
        }
        if self.state.overlay.is_none()
            && self.state.pane == Pane::Team
            && self.state.team.searching
        {
            let t = &mut self.state.team;
            if t.search.apply(action) {
                t.cursor = 0;
                t.rebuild(&self.state.units);
                t.cursor = 0;
            }
            return;
        }
        if self.state.overlay.is_none() && self.state.has_prompt() {
            let a = &mut self.state.alerts;
            match &mut a.input {
                Some(AlertInput::Unit) => {
                    let changed = a.unit.apply(action);
                    if changed {
                        a.refilter();
                    }
                }
                Some(AlertInput::Note(note)) => {
                    note.apply(action);
                }
                None => {}
            }
            return;
        }
        match &mut self.state.overlay {
            Some(Overlay::Command(cmd)) => {
                let moved_only = !cmd.input.apply(action);
                if !moved_only {
                    cmd.typed = cmd.input.text().to_string();
                    cmd.selected = None;
                }
            }
            Some(Overlay::Help { .. }) => {}
            None if self.state.pane == Pane::Filter && self.state.filter.input.apply(action) => {
                self.submit_filter();
            }
            None if self.state.pane == Pane::Lookup && self.state.query.apply(action) => {
                self.submit_query();
            }
            None => {}
        }
    }

    /// Parses the filter expression as typed; a valid one is evaluated over every dossier on a
    /// thread of its own (the answer comes back as `FilterMatches`).
    fn submit_filter(&mut self) {
        let text = self.state.filter.input.text();
        let f = &mut self.state.filter;
        f.seq_sent += 1;
        f.matches.clear();
        f.selected = 0;
        f.canonical = None;
        f.error = None;
        if text.trim().is_empty() {
            f.seq_shown = f.seq_sent;
            return;
        }
        let expr = match crate::filter::parse(&text) {
            Ok(e) => e,
            Err(e) => {
                let message = if e.found.is_empty() || e.pos >= text.chars().count() {
                    s::fill(s::FL_ERROR_END, &[("expected", &e.expected)])
                } else {
                    s::fill(
                        s::FL_ERROR,
                        &[
                            ("pos", &(e.pos + 1)),
                            ("expected", &e.expected),
                            ("found", &e.found),
                        ],
                    )
                };
                f.error = Some(super::state::FilterError {
                    pos: e.pos,
                    len: e.len.max(1),
                    message: s::unambiguous(&message),
                });
                f.seq_shown = f.seq_sent;
                return;
            }
        };
        f.canonical = Some(expr.to_string());
        let Some(loaded) = &self.loaded else {
            f.seq_shown = f.seq_sent;
            return;
        };
        let (seq, tx) = (f.seq_sent, self.filter_tx.clone());
        let (facts, today) = (loaded.facts.clone(), self.state.today);
        let spawned = std::thread::Builder::new()
            .name("filter".into())
            .spawn(move || {
                // The rows too are made here: a broad filter can match a million people.
                let mut found = facts.select_positions(&expr, today);
                found.sort_unstable_by_key(|&i| facts.people[i].id);
                let rows = found
                    .into_iter()
                    .map(|i| super::state::FilterRow::from_facts(&facts, i, &today))
                    .collect();
                let _ = tx.send((seq, rows));
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start a filter thread: {e}");
            self.state.filter.seq_shown = seq;
        }
    }

    /// Lists the saved filters (a store read), the `sel`th selected.
    fn open_saved_filters(&mut self, sel: usize) {
        match self.backend.saved_filters() {
            Ok(list) if list.is_empty() => {
                self.state.filter.saved = None;
                self.notice(s::FL_SAVED_NONE);
            }
            Ok(list) => {
                let sel = sel.min(list.len() - 1);
                self.state.filter.saved = Some((list, sel));
            }
            Err(e) => self.error(s::fill(s::FL_STORE_FAILED, &[("err", &e)])),
        }
    }

    /// Keys while the saved filters are listed: move, Enter loads, Delete deletes.
    fn saved_filter_key(&mut self, action: &Action) {
        let Some((list, i)) = &mut self.state.filter.saved else {
            return;
        };
        let last = list.len().saturating_sub(1);
        match action {
            Action::Up => *i = i.saturating_sub(1),
            Action::Down => *i = (*i + 1).min(last),
            Action::PageUp | Action::Top => *i = 0,
            Action::PageDown | Action::Bottom => *i = last,
            Action::ShowDossier => {
                let text = list.get(*i).map(|f| f.text.clone()).unwrap_or_default();
                self.state.filter.saved = None;
                self.state.filter.input.set(&text);
                self.submit_filter();
            }
            _ => {
                let name = list.get(*i).map(|f| f.name.clone()).unwrap_or_default();
                let at = *i;
                match self.backend.delete_filter(&name) {
                    Ok(()) => {
                        self.notice(s::fill(s::FL_DELETED, &[("name", &name)]));
                        self.open_saved_filters(at);
                    }
                    Err(e) => self.error(s::fill(s::FL_STORE_FAILED, &[("err", &e)])),
                }
            }
        }
    }

    /// Enter on a filter name: saves the expression under it, or renames the saved filter.
    fn name_filter(&mut self, name: String, old: Option<String>) {
        let result = match &old {
            Some(old) => self.backend.rename_filter(old, &name),
            None => {
                let text = self.state.filter.canonical.clone().unwrap_or_default();
                self.backend.save_filter(&name, &text)
            }
        };
        match result {
            Ok(()) => match &old {
                Some(old) => {
                    self.notice(s::fill(s::FL_RENAMED, &[("old", old), ("name", &name)]));
                    let at = self.state.filter.saved.as_ref().map_or(0, |(_, i)| *i);
                    self.open_saved_filters(at);
                }
                None => self.notice(s::fill(s::FL_SAVED, &[("name", &name)])),
            },
            Err(e) => self.error(s::fill(s::FL_STORE_FAILED, &[("err", &e)])),
        }
    }

    /// Asks the backend to record a file about to be written (an export, a report): false,
    /// with the reason shown, when the user's role may not take data out.
    pub(super) fn may_write(
        &mut self,
        action: crate::audit::Action,
        path: &std::path::Path,
    ) -> bool {
        match self.backend.note(action, &path.display().to_string()) {
            Ok(()) => true,
            Err(e) => {
                self.error(s::fill(s::NOT_ALLOWED, &[("err", &e)]));
                false
            }
        }
    }

    /// Writes the shown results, in the shown order, to a CSV or XLSX file (the io engine's
    /// columns); a user-asked write, like a review mark.
    fn export_filter(&mut self, path: &std::path::Path, xlsx: bool) {
        let rows: Vec<crate::io::results::ResultRow> = self
            .state
            .filter
            .matches
            .iter()
            .map(|r| r.row.clone())
            .collect();
        let title = self.state.filter.canonical.clone().unwrap_or_default();
        if !self.may_write(crate::audit::Action::Export, path) {
            return;
        }
        let written = if xlsx {
            crate::io::results::write_xlsx(&rows, &title, path)
        } else {
            crate::io::results::write_csv(&rows, path)
        };
        match written {
            Ok(()) => self.notice(s::fill(
                s::FL_EXPORTED,
                &[("n", &rows.len()), ("path", &path.display())],
            )),
            Err(e) => self.error(s::fill(s::FL_EXPORT_FAILED, &[("err", &e)])),
        }
    }

    /// Sends the query to the worker (or clears results for an empty query).
    fn submit_query(&mut self) {
        let q = self.state.query.text().trim().to_string();
        if q.is_empty() {
            self.state.results.clear();
            self.state.selected = 0;
            self.state.results_for.clear();
            self.state.seq_shown = self.state.seq_sent;
            return;
        }
        if let Some(w) = &self.worker {
            self.state.seq_sent += 1;
            w.submit(self.state.seq_sent, q);
        }
    }

    fn take_results(&mut self, seq: u64, hits: Vec<Hit>) {
        if seq <= self.state.seq_shown || seq > self.state.seq_sent {
            return;
        }
        let Some(index) = &self.index else {
            return;
        };
        self.state.results = hits
            .into_iter()
            .filter_map(|hit| {
                let entry = index.entry(hit.id)?.clone();
                Some(ResultRow { hit, entry })
            })
            .collect();
        self.state.seq_shown = seq;
        self.state.selected = 0;
        self.state.results_for = self.state.query.text().trim().to_string();
        if seq < self.state.seq_sent {
            // An older answer: the results are for an earlier query.
            self.state.results_for.clear();
        }
    }

    fn move_by(&mut self, action: &Action) {
        use Action::*;
        let screen = ui::screen(&self.state);
        let body = ui::regions(screen, &self.state).body;
        let step = |cur: usize, len: usize, page: usize| -> usize {
            let last = len.saturating_sub(1);
            let page = page.max(1);
            match action {
                Up => cur.saturating_sub(1),
                Down => (cur + 1).min(last),
                PageUp => cur.saturating_sub(page),
                PageDown => (cur + page).min(last),
                Top => 0,
                _ => last,
            }
        };
        match &self.state.overlay {
            Some(Overlay::Help { scroll }) => {
                let (rows, cols) = ui::help::page(screen);
                let max = ui::help::lines(&self.state)
                    .len()
                    .saturating_sub(rows * cols);
                let new = step((*scroll).min(max), max + 1, rows);
                self.state.overlay = Some(Overlay::Help { scroll: new });
                return;
            }
            Some(Overlay::Command(_)) => {
                self.complete(matches!(action, Down | PageDown | Bottom));
                return;
            }
            None => {}
        }
        match self.state.pane {
            Pane::Lookup => {
                let rows = ui::lookup::list_area(body).height as usize;
                self.state.selected = step(self.state.selected, self.state.results.len(), rows);
            }
            Pane::Dossier => {
                let Some((layout, rows)) = self.dossier_layout() else {
                    return;
                };
                let max = ui::dossier::max_scroll(&layout, rows);
                let cur = self.state.dossier_scroll.min(max);
                self.state.dossier_scroll = match action {
                    Up => cur.saturating_sub(1),
                    Down => (cur + 1).min(max),
                    PageUp => cur.saturating_sub(rows.saturating_sub(1).max(1)),
                    PageDown => (cur + rows.saturating_sub(1).max(1)).min(max),
                    Top => 0,
                    _ => max,
                };
            }
            Pane::Filter => {
                let rows = ui::filter::list_area(body, &self.state.filter).height as usize;
                let f = &mut self.state.filter;
                if let Some(b) = &mut f.menu {
                    let n = b.options.len();
                    b.selected = step(b.selected, n, rows.saturating_sub(2));
                } else {
                    f.selected = step(f.selected, f.matches.len(), rows);
                }
            }
            Pane::Team => {
                let t = &mut self.state.team;
                let page = body.height.saturating_sub(2) as usize;
                match t.focus {
                    _ if t.plans.is_some() => {
                        if let Some((list, i)) = &mut t.plans {
                            *i = step(*i, list.len(), page);
                        }
                    }
                    _ if t.region.is_some() => {
                        if let Some(r) = &mut t.region {
                            r.selected = step(r.selected, r.rows.len(), page);
                        }
                    }
                    TeamFocus::Units => {
                        let rows = ui::team::tree_area(body).height as usize;
                        t.cursor = step(t.cursor, t.rows.len(), rows.saturating_sub(1));
                    }
                    TeamFocus::Members => {
                        let n = t.member_rows().len();
                        t.member = step(t.member, n, ui::team::MEMBER_ROWS);
                    }
                }
            }
            Pane::Alerts => {
                let rows = ui::alerts::list_area(body).height as usize;
                let a = &mut self.state.alerts;
                a.selected = step(a.selected, a.shown.len(), rows);
            }
            Pane::Reserve => {
                let rows = ui::reserve::list_area(body).height as usize;
                let r = &mut self.state.reserve;
                r.selected = step(r.selected, r.shown.len(), rows);
            }
            Pane::Timeline => {
                let Some(d) = &self.state.person else {
                    return;
                };
                let len = d.postings.len();
                let rows = ui::timeline::chart_area(body).height as usize;
                self.state.posting = step(self.state.posting.min(len.saturating_sub(1)), len, rows);
            }
        }
    }

    /// The open dossier's body text at the current width, and the rows it scrolls in.
    fn dossier_layout(&self) -> Option<(ui::dossier::DossierLayout, usize)> {
        let d = self.state.person.as_deref()?;
        let screen = ui::screen(&self.state);
        let body = ui::regions(screen, &self.state).body;
        let layout = ui::dossier::layout(
            d,
            &self.state.units,
            &self.state.today,
            &self.state.veil(),
            body.width as usize,
        );
        Some((layout, ui::dossier::body_area(body, d).height as usize))
    }

    fn jump_section(&mut self, forward: bool) {
        if self.state.overlay.is_some() || self.state.pane != Pane::Dossier {
            return;
        }
        let Some((layout, rows)) = self.dossier_layout() else {
            return;
        };
        let max = ui::dossier::max_scroll(&layout, rows);
        let cur = self.state.dossier_scroll.min(max);
        let here = ui::dossier::section_at(&layout, cur);
        let target = if forward {
            layout.sections.iter().copied().find(|&s| s > cur)
        } else if layout.sections[here] < cur {
            Some(layout.sections[here])
        } else {
            here.checked_sub(1).map(|i| layout.sections[i])
        };
        if let Some(t) = target {
            self.state.dossier_scroll = t.min(max);
        }
    }

    fn clamp_scrolls(&mut self) {
        if let Some((layout, rows)) = self.dossier_layout() {
            let max = ui::dossier::max_scroll(&layout, rows);
            self.state.dossier_scroll = self.state.dossier_scroll.min(max);
        }
    }

    fn complete(&mut self, forward: bool) {
        let Some(Overlay::Command(cmd)) = &mut self.state.overlay else {
            return;
        };
        let cands = ui::command::candidates(&cmd.typed);
        if cands.is_empty() {
            return;
        }
        let n = cands.len();
        let next = match (cmd.selected, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        };
        cmd.selected = Some(next);
        cmd.input.set(&cands[next].name().unwrap_or_default());
    }

    /// Derives alerts and the reserve pool on a thread of their own; the answer comes back
    /// through `tick` (or `wait_derived`).
    fn spawn_derive(
        &mut self,
        facts: Arc<crate::facts::Facts>,
        units: Arc<crate::model::UnitDirectory>,
    ) {
        let (tx, rx) = channel();
        let rules = self.rules.clone();
        let today = self.state.today;
        let backend = self.backend.clone();
        let _ = rules;
        let spawned = std::thread::Builder::new()
            .name("derive".into())
            .spawn(move || {
                let _ = tx.send(derive(&backend, &facts, &units, today));
            });
        match spawned {
            Ok(_) => self.deriving = Some(rx),
            Err(e) => {
                tracing::error!("cannot start the derivation thread: {e}");
                self.error(s::fill(s::LOAD_FAILED, &[("err", &e)]));
            }
        }
    }

    /// Right and left in the unit tree: open or close the branch under the cursor (closing a
    /// closed or leaf branch moves to its parent).
    fn expand(&mut self, open: bool) {
        let st = &mut self.state;
        let t = &mut st.team;
        if t.focus != TeamFocus::Units || t.searching || !t.search.is_empty() {
            return;
        }
        let Some(u) = t.cursor_unit() else {
            return;
        };
        if open {
            if !st.units.children(u).is_empty() {
                t.expanded.insert(u);
            }
        } else if !t.expanded.remove(&u)
            && let Some(parent) = st.units.get(u).and_then(|x| x.parent)
            && let Some(i) = t.rows.iter().position(|(r, _)| *r == parent)
        {
            t.cursor = i;
        }
        t.rebuild(&st.units);
    }

    /// Shows the team of a unit (its members and the team rules over them); a region has no
    /// team and opens or closes instead.
    fn choose_unit(&mut self, id: crate::model::UnitId) {
        let units = self.state.units.clone();
        let Some(unit) = units.get(id) else {
            return;
        };
        if !unit.has_team() {
            let t = &mut self.state.team;
            if !t.expanded.remove(&id) {
                t.expanded.insert(id);
            }
            t.rebuild(&units);
            self.notice(s::fill(s::TM_NOT_A_TEAM, &[("unit", &unit.name)]));
            return;
        }
        let (Some(loaded), Some(teams)) = (&self.loaded, &self.teams) else {
            self.notice(s::AL_DERIVING);
            return;
        };
        let ctx = crate::filter::Ctx {
            today: self.state.today,
            units: &units,
        };
        let seated = self.read_seats(&loaded.facts, teams, &[id]);
        let members = crate::team::members_with(id, teams, &ctx, |i| {
            seated.get(&i).map(std::borrow::Cow::Borrowed)
        });
        let profile = crate::team::profile(unit, members, &self.rules);
        let t = &mut self.state.team;
        t.profile = Some(profile);
        t.whatif = None;
        t.member = 0;
    }

    /// `v`: every team of the chosen unit's kind and level, with its measures, for
    /// comparison (a team profile each: cheap, done here).
    fn region_view(&mut self) {
        let units = self.state.units.clone();
        let Some(chosen) = self
            .state
            .team
            .profile
            .as_ref()
            .and_then(|p| units.get(p.unit))
        else {
            self.notice(s::TM_NO_CHOSEN);
            return;
        };
        let (Some(loaded), Some(teams)) = (&self.loaded, &self.teams) else {
            self.notice(s::AL_DERIVING);
            return;
        };
        let ctx = crate::filter::Ctx {
            today: self.state.today,
            units: &units,
        };
        let same: Vec<crate::model::UnitId> = units
            .iter()
            .filter(|u| u.kind == chosen.kind && u.level == chosen.level && u.has_team())
            .map(|u| u.id)
            .collect();
        let seated = self.read_seats(&loaded.facts, teams, &same);
        let rows = units
            .iter()
            .filter(|u| u.kind == chosen.kind && u.level == chosen.level && u.has_team())
            .map(|u| {
                let p = crate::team::profile(
                    u,
                    crate::team::members_with(u.id, teams, &ctx, |i| {
                        seated.get(&i).map(std::borrow::Cow::Borrowed)
                    }),
                    &self.rules,
                );
                let degree: u32 = p
                    .education
                    .iter()
                    .filter(|(l, _)| l.height() >= crate::model::EduLevel::Undergraduate.height())
                    .map(|(_, n)| n)
                    .sum();
                super::state::RegionRow {
                    unit: u.id,
                    name: u.name.clone(),
                    measures: [
                        p.members.len() as i64,
                        (p.mean_age * 10.0).round() as i64,
                        i64::from(p.age_bands[0]),
                        i64::from(p.women),
                        i64::from(p.non_party),
                        i64::from(degree),
                        p.warnings.len() as i64,
                    ],
                }
            })
            .collect();
        let mut view = super::state::RegionView {
            kind: chosen.kind,
            level: chosen.level,
            rows,
            sort: 0,
            selected: 0,
        };
        view.resort();
        if let Some(i) = view.rows.iter().position(|r| r.unit == chosen.id) {
            view.selected = i;
        }
        self.state.team.region = Some(view);
    }

    /// Recomputes the what-if profile over the edited member list (the team's members less
    /// those removed, plus the candidates added).
    fn recompute_whatif(&mut self) {
        let units = self.state.units.clone();
        let t = &mut self.state.team;
        let (Some(p), Some(w)) = (&t.profile, &mut t.whatif) else {
            return;
        };
        let Some(unit) = units.get(p.unit) else {
            return;
        };
        let members: Vec<crate::team::Member> = p
            .members
            .iter()
            .filter(|m| !w.removed.contains(&m.id))
            .chain(w.added.iter())
            .cloned()
            .collect();
        w.profile = crate::team::profile(unit, members, &self.rules);
    }

    /// The what-if over the chosen team, started on first use.
    fn whatif(&mut self) -> Option<&mut super::state::WhatIf> {
        let t = &mut self.state.team;
        let p = t.profile.as_ref()?;
        Some(t.whatif.get_or_insert_with(|| super::state::WhatIf {
            name: None,
            removed: Vec::new(),
            added: Vec::new(),
            profile: p.clone(),
        }))
    }

    /// `d`: takes the selected member out of the what-if (again: puts them back); a candidate
    /// added is dropped.
    fn remove_member(&mut self) {
        let Some(m) = self.state.team.selected_member().cloned() else {
            self.notice(s::TM_NO_CHOSEN);
            return;
        };
        let n_members = self
            .state
            .team
            .profile
            .as_ref()
            .map_or(0, |p| p.members.len());
        let row = self.state.team.member;
        let Some(w) = self.whatif() else {
            return;
        };
        if row >= n_members {
            w.added.retain(|a| a.id != m.id);
        } else if let Some(i) = w.removed.iter().position(|&r| r == m.id) {
            w.removed.remove(i);
        } else {
            w.removed.push(m.id);
        }
        let len = self.state.team.member_rows().len();
        self.state.team.member = self.state.team.member.min(len.saturating_sub(1));
        self.recompute_whatif();
    }

    /// `a`: adds the person open in the dossier pane (picked from the lookup's results) to
    /// the what-if as a candidate, with their current post.
    fn add_candidate(&mut self) {
        let Some(unit) = self.state.team.profile.as_ref().map(|p| p.unit) else {
            self.notice(s::TM_NO_CHOSEN);
            return;
        };
        let Some(d) = self.state.person.clone() else {
            self.notice(s::TM_NO_CANDIDATE);
            return;
        };
        self.add_to_whatif(unit, &d);
    }

    /// Adds a cadre to the what-if of the chosen team (`unit`) as a candidate with their
    /// current post, and recomputes it; false, with a notice, when they are in the team
    /// already or hold no post.
    fn add_to_whatif(&mut self, unit: crate::model::UnitId, d: &crate::model::Dossier) -> bool {
        let name = d.identity.name.clone();
        if self.state.team.member_rows().iter().any(|m| m.id == d.id) {
            self.notice(s::fill(s::TM_ALREADY_MEMBER, &[("name", &name)]));
            return false;
        }
        let Some(post) = d.current_posting() else {
            self.notice(s::fill(s::TM_NO_POST, &[("name", &name)]));
            return false;
        };
        let units = self.state.units.clone();
        let ctx = crate::filter::Ctx {
            today: self.state.today,
            units: &units,
        };
        let m = crate::team::member(d, post, unit, &ctx);
        if let Some(w) = self.whatif() {
            w.added.push(m);
        }
        self.recompute_whatif();
        true
    }

    /// Enter in the plan name: saves the what-if as a named plan (the only write).
    fn save_plan(&mut self, name: String) {
        let t = &self.state.team;
        let (Some(p), Some(w)) = (&t.profile, &t.whatif) else {
            return;
        };
        let plan = crate::store::TeamPlan {
            name: name.clone(),
            unit: p.unit,
            remove: w.removed.clone(),
            add: w.added.iter().map(|m| m.id).collect(),
            note: String::new(),
        };
        match self.backend.save_plan(&plan) {
            Ok(()) => {
                if let Some(w) = &mut self.state.team.whatif {
                    w.name = Some(name.clone());
                }
                self.notice(s::fill(s::TM_PLAN_SAVED, &[("name", &name)]));
            }
            Err(e) => self.error(s::fill(s::TM_PLAN_FAILED, &[("err", &e)])),
        }
    }

    /// Enter on a saved plan: shows its unit's team with the plan's what-if.
    fn open_plan(&mut self) {
        let Some((list, i)) = self.state.team.plans.take() else {
            return;
        };
        let Some(plan) = list.get(i).cloned() else {
            return;
        };
        self.choose_unit(plan.unit);
        if self.state.team.profile.as_ref().map(|p| p.unit) != Some(plan.unit) {
            return;
        }
        let units = self.state.units.clone();
        let ctx = crate::filter::Ctx {
            today: self.state.today,
            units: &units,
        };
        let added: Vec<crate::team::Member> = plan
            .add
            .iter()
            .filter_map(|id| self.backend.dossier(*id).ok().flatten())
            .filter_map(|d| {
                d.current_posting()
                    .map(|p| crate::team::member(&d, p, plan.unit, &ctx))
            })
            .collect();
        if let Some(w) = self.whatif() {
            w.name = Some(plan.name.clone());
            w.removed = plan.remove.clone();
            w.added = added;
        }
        self.recompute_whatif();
        self.state.team.focus = TeamFocus::Members;
    }

    /// Enter in a pane's input line: keep the unit words, or save the review note.
    fn confirm_prompt(&mut self) {
        if self.state.pane == Pane::Filter
            && let Some((name, old)) = self.state.filter.name.take()
        {
            let name = name.text().trim().to_string();
            if !name.is_empty() {
                self.name_filter(name, old);
            }
            return;
        }
        if self.state.pane == Pane::Filter
            && let Some((path, xlsx)) = self.state.filter.export.take()
        {
            let path = path.text().trim().to_string();
            if !path.is_empty() {
                self.export_filter(std::path::Path::new(&path), xlsx);
            }
            return;
        }
        if self.state.pane == Pane::Team
            && let Some(name) = self.state.team.plan_name.take()
        {
            let name = name.text().trim().to_string();
            if !name.is_empty() {
                self.save_plan(name);
            }
            return;
        }
        if self.state.pane == Pane::Team {
            let t = &mut self.state.team;
            t.searching = false;
            let Some(u) = t.cursor_unit() else {
                return;
            };
            // Reveal the unit found in the tree, and show its team.
            t.search.clear();
            let ancestors: Vec<_> = self.state.units.ancestry(u).skip(1).map(|a| a.id).collect();
            t.expanded.extend(ancestors);
            t.rebuild(&self.state.units);
            if let Some(i) = t.rows.iter().position(|(r, _)| *r == u) {
                t.cursor = i;
            }
            self.choose_unit(u);
            return;
        }
        match self.state.alerts.input.take() {
            Some(AlertInput::Note(note)) => self.save_review(note.text().trim().to_string()),
            Some(AlertInput::Unit) | None => {}
        }
    }

    /// `v` on an alert: unmark a reviewed one at once; for one not yet reviewed, ask for a
    /// note first (saved with Enter, nothing written on Esc).
    fn mark_reviewed(&mut self) {
        let Some(a) = self.state.alerts.selected_alert() else {
            self.notice(s::AL_NO_SELECTION);
            return;
        };
        let key = a.key();
        let (name, rule) = (a.name.clone(), a.rule_id.clone());
        if !self.state.alerts.reviews.contains_key(&key) {
            self.state.alerts.input = Some(AlertInput::Note(LineInput::default()));
            return;
        }
        match self.backend.unmark_reviewed(&key) {
            Ok(()) => {
                self.state.alerts.reviews.remove(&key);
                self.state.alerts.refilter();
                self.notice(s::fill(s::AL_UNMARKED, &[("name", &name), ("rule", &rule)]));
            }
            Err(e) => self.error(s::fill(s::REVIEW_FAILED, &[("err", &e)])),
        }
    }

    fn save_review(&mut self, note: String) {
        let Some(a) = self.state.alerts.selected_alert() else {
            return;
        };
        let (name, rule) = (a.name.clone(), a.rule_id.clone());
        let review = Review {
            key: a.key(),
            note,
            by: crate::user::current_user(),
            at: crate::user::now_text(),
        };
        match self.backend.mark_reviewed(&review) {
            Ok(()) => {
                self.state.alerts.reviews.insert(review.key.clone(), review);
                self.state.alerts.refilter();
                self.notice(s::fill(s::AL_MARKED, &[("name", &name), ("rule", &rule)]));
            }
            Err(e) => self.error(s::fill(s::REVIEW_FAILED, &[("err", &e)])),
        }
    }

    /// Runs what the command line names: an exact action name, else the only candidate.
    fn run_command(&mut self) {
        let Some(Overlay::Command(cmd)) = self.state.overlay.take() else {
            return;
        };
        let CommandLine { input, typed, .. } = cmd;
        let text = input.text().trim().to_string();
        if text.is_empty() {
            return;
        }
        let action = Action::from_name(&text)
            .filter(Action::is_command)
            .or_else(|| {
                let c = ui::command::candidates(&typed);
                (c.len() == 1).then(|| c[0].clone())
            });
        match action {
            Some(a) => self.update(a),
            None => self.error(s::fill(s::UNKNOWN_COMMAND, &[("name", &text)])),
        }
    }
}

/// The filter builder and the filter's result rows: the menus, the data values they complete
/// from, and picking a result row into the team's what-if.
impl App {
    /// Keys for the builder's menus while open (Enter, Tab); true when taken.
    fn builder_key(&mut self, action: &Action) -> bool {
        if self.state.pane != Pane::Filter || self.state.overlay.is_some() {
            return false;
        }
        let f = &mut self.state.filter;
        let Some(b) = &mut f.menu else {
            return false;
        };
        match action {
            Action::Confirm => {
                match b.confirm(f.values.as_deref()) {
                    super::builder::Progress::More => {}
                    super::builder::Progress::Invalid(msg) => self.notice(msg),
                    super::builder::Progress::Done { text, cond } => {
                        f.menu = None;
                        f.input.append(&text);
                        self.notice(s::fill(s::FL_CONDITION_ADDED, &[("cond", &cond)]));
                        self.submit_filter();
                    }
                }
                true
            }
            Action::ToggleMark => {
                b.toggle(f.values.as_deref());
                true
            }
            _ => false,
        }
    }

    /// Opens the builder's menus for a new condition (joined to the expression, if any).
    fn open_builder(&mut self) {
        let f = &mut self.state.filter;
        f.export = None;
        f.name = None;
        f.saved = None;
        let joined = !f.input.text().trim().is_empty();
        f.menu = Some(super::builder::Builder::new(joined, f.values.as_deref()));
    }

    /// Counts the data's text values on a thread of their own; the answer comes back as
    /// `FilterValues` (through `tick`, or `wait_values`).
    fn spawn_values(&mut self, facts: Arc<crate::facts::Facts>) {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("values".into())
            .spawn(move || {
                let _ = tx.send(crate::filter::values::DataValues::from_facts(&facts));
            });
        match spawned {
            Ok(_) => self.values_rx = Some(rx),
            Err(e) => tracing::error!("cannot start the values thread: {e}"),
        }
    }

    /// Waits for the data's text values (tests, and `headless`).
    pub fn wait_values(&mut self) {
        let got = self
            .values_rx
            .as_ref()
            .and_then(|rx| rx.recv_timeout(Duration::from_secs(60)).ok());
        if let Some(v) = got {
            self.update(Action::FilterValues(Arc::new(v)));
        }
    }

    /// A key on a result row: adds that cadre to the what-if of the team chosen in the team
    /// pane, as a candidate with their current post (the dossier is read from the store).
    fn add_candidate_from_filter(&mut self) {
        let Some(unit) = self.state.team.profile.as_ref().map(|p| p.unit) else {
            self.notice(s::FL_NO_TEAM);
            return;
        };
        let Some(id) = self
            .state
            .filter
            .matches
            .get(self.state.filter.selected)
            .map(|r| r.id())
        else {
            self.notice(s::NO_SELECTION);
            return;
        };
        let d = match self.backend.dossier(id) {
            Ok(Some(d)) => d,
            Ok(None) => {
                self.error(s::fill(s::DOSSIER_GONE, &[("id", &id)]));
                return;
            }
            Err(e) => {
                self.error(s::fill(s::DOSSIER_UNREADABLE, &[("id", &id), ("err", &e)]));
                return;
            }
        };
        if !self.add_to_whatif(unit, &d) {
            return;
        }
        let units = self.state.units.clone();
        let unit_name = units.get(unit).map(|u| u.name.clone()).unwrap_or_default();
        self.notice(s::fill(
            s::FL_ADDED_TO_TEAM,
            &[("name", &d.identity.name), ("unit", &unit_name)],
        ));
    }
}
