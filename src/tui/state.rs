//! The interface's state: which pane and overlay are showing, the query and its results, the
//! open dossier, scroll positions, the meeting mask and messages. Plain data read by `ui`
//! and changed only by `app::App::update`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::alerts::{Alert, Subject};
use crate::lookup::{Entry, Hit};
use crate::model::{Dossier, PartialDate, Readiness, UnitDirectory, UnitId};
use crate::reserve::ReserveEntry;
use crate::rules::Severity;
use crate::store::Review;
use crate::team::TeamProfile;

use super::input::LineInput;
use super::keymap::{Keymap, Section};
use super::strings as s;

/// The panes, in the order Tab-like pane cycling visits them. Panes from later issues
/// (filter, team) are added here and in `Action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    Lookup,
    Dossier,
    Timeline,
    Filter,
    Team,
    Alerts,
    Reserve,
}

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Lookup,
        Pane::Dossier,
        Pane::Timeline,
        Pane::Filter,
        Pane::Team,
        Pane::Alerts,
        Pane::Reserve,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Lookup => s::PANE_LOOKUP,
            Pane::Dossier => s::PANE_DOSSIER,
            Pane::Timeline => s::PANE_TIMELINE,
            Pane::Filter => s::PANE_FILTER,
            Pane::Team => s::PANE_TEAM,
            Pane::Alerts => s::PANE_ALERTS,
            Pane::Reserve => s::PANE_RESERVE,
        }
    }

    /// The action that shows this pane.
    pub fn show_action(self) -> super::action::Action {
        use super::action::Action;
        match self {
            Pane::Lookup => Action::ShowLookup,
            Pane::Dossier => Action::ShowDossier,
            Pane::Timeline => Action::ShowTimeline,
            Pane::Filter => Action::ShowFilter,
            Pane::Team => Action::ShowTeam,
            Pane::Alerts => Action::ShowAlerts,
            Pane::Reserve => Action::ShowReserve,
        }
    }

    /// Whether the pane lists people whose dossier Enter opens (and Esc from the dossier
    /// returns to).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Pane::Lookup | Pane::Filter | Pane::Team | Pane::Alerts | Pane::Reserve
        )
    }

    /// The keymap section that applies while this pane has the focus.
    pub fn section(self) -> Section {
        match self {
            Pane::Lookup => Section::Lookup,
            Pane::Dossier => Section::Dossier,
            Pane::Timeline => Section::Timeline,
            Pane::Filter => Section::Filter,
            Pane::Team => Section::Team,
            Pane::Alerts => Section::Alerts,
            Pane::Reserve => Section::Reserve,
        }
    }

    /// Whether the pane's focus is a text input (plain characters are typed, not bound).
    pub fn is_typing(self) -> bool {
        matches!(self, Pane::Lookup | Pane::Filter)
    }
}

/// What covers the pane.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: usize },
    Command(CommandLine),
}

/// The `:` command line: what was typed, and the candidate chosen by Tab, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommandLine {
    pub input: LineInput,
    /// The text the candidates are filtered by (what the clerk typed, not what Tab filled in).
    pub typed: String,
    pub selected: Option<usize>,
}

/// One row of lookup results.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub hit: Hit,
    pub entry: Entry,
}

/// Which side of the team pane has the keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TeamFocus {
    #[default]
    Units,
    Members,
}

/// Where the filter expression fails to parse: char offset, length and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub pos: usize,
    pub len: usize,
    pub message: String,
}

/// A column of the filter's result list (the columns of `io::results`, as exported).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterColumn {
    Name,
    Gender,
    Age,
    Birth,
    Rank,
    Post,
    Unit,
    Since,
}

impl FilterColumn {
    /// The columns in the order shown (and cycled by `sort_next`).
    pub const ALL: [FilterColumn; 8] = [
        FilterColumn::Name,
        FilterColumn::Gender,
        FilterColumn::Age,
        FilterColumn::Birth,
        FilterColumn::Rank,
        FilterColumn::Post,
        FilterColumn::Unit,
        FilterColumn::Since,
    ];

    /// The column's heading.
    pub fn title(self) -> &'static str {
        match self {
            FilterColumn::Name => s::COL_NAME,
            FilterColumn::Gender => s::COL_GENDER,
            FilterColumn::Age => s::COL_AGE,
            FilterColumn::Birth => s::FL_COL_BIRTH,
            FilterColumn::Rank => s::FL_COL_RANK,
            FilterColumn::Post => s::COL_POST,
            FilterColumn::Unit => s::FL_COL_UNIT,
            FilterColumn::Since => s::FL_COL_SINCE,
        }
    }
}

/// One matching cadre: the row as listed and exported, and the values it sorts by.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterRow {
    pub row: crate::io::results::ResultRow,
    pub birth: PartialDate,
    pub rank: Option<crate::model::Rank>,
    pub since: Option<PartialDate>,
}

impl FilterRow {
    pub fn new(d: &Dossier, units: &UnitDirectory, today: &PartialDate) -> Self {
        FilterRow {
            row: crate::io::results::ResultRow::new(d, units, today),
            birth: d.identity.birth,
            rank: d.current_rank(),
            since: d.current_posting().map(|p| p.start),
        }
    }

    /// The row of the person at position `i` of the facts (the same as `new` on the dossier).
    pub fn from_facts(facts: &crate::facts::Facts, i: usize, today: &PartialDate) -> Self {
        let p = &facts.people[i];
        FilterRow {
            row: facts.row(i, today),
            birth: p.birth,
            rank: p.rank,
            since: facts.current(p).map(|c| c.start),
        }
    }

    pub fn id(&self) -> crate::model::DossierId {
        self.row.id
    }
}

/// The filter pane: the expression, whether it parses, the dossiers it matches, and the
/// builder's menus when open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterView {
    pub input: super::editor::ExprEditor,
    pub error: Option<FilterError>,
    /// The expression as the engine writes it back (the canonical Chinese form).
    pub canonical: Option<String>,
    /// The newest evaluation sent and the one shown.
    pub seq_sent: u64,
    pub seq_shown: u64,
    /// The matching dossiers, in id order until sorted.
    pub matches: Vec<FilterRow>,
    pub selected: usize,
    /// The column the matches are sorted by and whether descending; None = id order.
    pub sort: Option<(FilterColumn, bool)>,
    /// The export path being typed, and whether it is an xlsx export.
    pub export: Option<(LineInput, bool)>,
    /// A name being typed: for saving the expression, or renaming the saved filter named.
    pub name: Option<(LineInput, Option<String>)>,
    /// The saved filters listed, and the selected one.
    pub saved: Option<(Vec<crate::store::SavedFilter>, usize)>,
    /// The builder's menus, while a condition is being built.
    pub menu: Option<super::builder::Builder>,
    /// The text values of the data, for the builder's completion (None while counting).
    pub values: Option<Arc<crate::filter::values::DataValues>>,
}

impl FilterView {
    /// Sorts the matches by the chosen column (stable: ties keep id order).
    pub fn resort(&mut self) {
        self.matches.sort_by_key(|r| r.id());
        let Some((col, desc)) = self.sort else {
            return;
        };
        self.matches.sort_by(|a, b| {
            let (x, y) = (&a.row, &b.row);
            let o = match col {
                FilterColumn::Name => x.name.cmp(&y.name),
                FilterColumn::Gender => x.gender.cmp(y.gender),
                FilterColumn::Age => x.age.cmp(&y.age),
                FilterColumn::Birth => a.birth.cmp(&b.birth),
                FilterColumn::Rank => a
                    .rank
                    .map(|r| (r.height(), r.is_leadership()))
                    .cmp(&b.rank.map(|r| (r.height(), r.is_leadership()))),
                FilterColumn::Post => (&x.post, &x.unit).cmp(&(&y.post, &y.unit)),
                FilterColumn::Unit => (&x.unit, &x.post).cmp(&(&y.unit, &y.post)),
                FilterColumn::Since => a.since.cmp(&b.since),
            };
            if desc { o.reverse() } else { o }
        });
    }

    /// Sorts by `col`; the column already sorted by turns round.
    pub fn sort_by(&mut self, col: FilterColumn) {
        self.sort = match self.sort {
            Some((c, desc)) if c == col => Some((c, !desc)),
            _ => Some((col, false)),
        };
        self.resort();
        self.selected = 0;
    }

    /// Sorts by the next (or previous) column, ascending.
    pub fn sort_step(&mut self, forward: bool) {
        let all = FilterColumn::ALL;
        let n = all.len();
        let col = match self.sort {
            None if forward => all[0],
            None => all[n - 1],
            Some((c, _)) => {
                let i = all.iter().position(|x| *x == c).unwrap_or(0);
                all[if forward {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }]
            }
        };
        self.sort = Some((col, false));
        self.resort();
        self.selected = 0;
    }

    /// Turns the sort round (a first press sorts by name, descending).
    pub fn sort_reverse(&mut self) {
        self.sort = Some(match self.sort {
            Some((c, desc)) => (c, !desc),
            None => (FilterColumn::Name, true),
        });
        self.resort();
        self.selected = 0;
    }
}

/// A what-if over the chosen team: members taken out and candidates put in, and the profile
/// recomputed over the edited list. Nothing is written until it is saved as a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct WhatIf {
    /// The plan's name once saved or opened.
    pub name: Option<String>,
    pub removed: Vec<crate::model::DossierId>,
    pub added: Vec<crate::team::Member>,
    pub profile: TeamProfile,
}

/// One team in the region view.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionRow {
    pub unit: UnitId,
    pub name: String,
    /// Size, mean age (tenths), under 40, women, non-party, degree, warnings: the measures
    /// the table sorts by (columns 1..=7).
    pub measures: [i64; 7],
}

/// All teams of the chosen unit's kind and level side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionView {
    pub kind: crate::model::UnitKind,
    pub level: crate::model::UnitLevel,
    pub rows: Vec<RegionRow>,
    /// The measure sorted by (0 = unit name, 1..=7 = `measures`), largest first.
    pub sort: usize,
    pub selected: usize,
}

impl RegionView {
    pub fn resort(&mut self) {
        let k = self.sort;
        let keep = self.rows.get(self.selected).map(|r| r.unit);
        if k == 0 {
            self.rows.sort_by(|a, b| a.name.cmp(&b.name));
        } else {
            self.rows.sort_by(|a, b| {
                b.measures[k - 1]
                    .cmp(&a.measures[k - 1])
                    .then(a.name.cmp(&b.name))
            });
        }
        self.selected = keep
            .and_then(|u| self.rows.iter().position(|r| r.unit == u))
            .unwrap_or(0);
    }
}

/// Most units a name search lists.
const UNIT_HITS: usize = 200;

/// The team pane: the unit tree (or the units found by name), the chosen unit's team profile
/// and the selected member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TeamView {
    pub expanded: HashSet<UnitId>,
    /// The rows of the tree as shown (unit, depth), or the units found by name (depth 0).
    pub rows: Vec<(UnitId, usize)>,
    pub cursor: usize,
    /// The name search typed after `/`.
    pub search: LineInput,
    pub searching: bool,
    /// The chosen unit's team.
    pub profile: Option<TeamProfile>,
    pub member: usize,
    pub focus: TeamFocus,
    pub whatif: Option<WhatIf>,
    /// The plan name being typed (`save_plan`).
    pub plan_name: Option<LineInput>,
    /// The saved plans listed for opening, and the selected one.
    pub plans: Option<(Vec<crate::store::TeamPlan>, usize)>,
    pub region: Option<RegionView>,
}

impl TeamView {
    /// Recomputes the rows: the units found by the search, else the tree with its expanded
    /// branches. The cursor stays on its unit when it is still shown.
    pub fn rebuild(&mut self, units: &UnitDirectory) {
        let keep = self.cursor_unit();
        let q: Vec<char> = self.search.text().trim().chars().collect();
        self.rows.clear();
        if q.is_empty() {
            let mut stack: Vec<(UnitId, usize)> =
                units.roots().iter().rev().map(|&u| (u, 0)).collect();
            while let Some((u, depth)) = stack.pop() {
                self.rows.push((u, depth));
                if self.expanded.contains(&u) {
                    stack.extend(units.children(u).iter().rev().map(|&c| (c, depth + 1)));
                }
            }
        } else {
            let text: String = q.iter().collect();
            let mut hits: Vec<(bool, usize, UnitId)> = units
                .iter()
                .filter(|u| is_subsequence(&q, &u.name))
                .map(|u| (!u.name.contains(&text), u.name.chars().count(), u.id))
                .collect();
            hits.sort_unstable();
            self.rows = hits
                .into_iter()
                .take(UNIT_HITS)
                .map(|(_, _, u)| (u, 0))
                .collect();
        }
        self.cursor = keep
            .and_then(|k| self.rows.iter().position(|(u, _)| *u == k))
            .unwrap_or(0)
            .min(self.rows.len().saturating_sub(1));
    }

    pub fn cursor_unit(&self) -> Option<UnitId> {
        self.rows.get(self.cursor).map(|(u, _)| *u)
    }

    /// The rows of the members list: the team's members, then the candidates added.
    pub fn member_rows(&self) -> Vec<&crate::team::Member> {
        let Some(p) = &self.profile else {
            return Vec::new();
        };
        let mut rows: Vec<&crate::team::Member> = p.members.iter().collect();
        if let Some(w) = &self.whatif {
            rows.extend(w.added.iter());
        }
        rows
    }

    pub fn selected_member(&self) -> Option<&crate::team::Member> {
        self.member_rows().get(self.member).copied()
    }
}

/// Whether the characters of `q` appear in `name` in order (a fuzzy jump by name).
fn is_subsequence(q: &[char], name: &str) -> bool {
    let mut it = name.chars();
    q.iter().all(|c| it.any(|n| n == *c))
}

/// The alerts pane's own input line, when open.
#[derive(Clone, Debug, PartialEq)]
pub enum AlertInput {
    /// Typing the unit words (kept in `AlertsView::unit`).
    Unit,
    /// Writing the review note for the selected alert.
    Note(LineInput),
}

/// The alerts pane: every alert, the filters over them and the review marks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertsView {
    /// Every alert, most severe first (None until derived).
    pub all: Option<Arc<Vec<Alert>>>,
    /// Review marks by alert key.
    pub reviews: HashMap<String, Review>,
    /// Shown only alerts of this severity.
    pub severity: Option<Severity>,
    /// Shown only alerts of this rule id.
    pub rule: Option<String>,
    /// Shown only alerts whose unit contains every word typed here.
    pub unit: LineInput,
    /// Whether reviewed alerts are listed (dimmed) or hidden.
    pub hide_reviewed: bool,
    /// Indices into `all` of the alerts listed, in order.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub input: Option<AlertInput>,
}

impl AlertsView {
    /// Recomputes the shown alerts from the filters, keeping the selected alert when it is
    /// still shown.
    pub fn refilter(&mut self) {
        let keep = self.selected_alert().map(Alert::key);
        let Some(all) = &self.all else {
            self.shown.clear();
            self.selected = 0;
            return;
        };
        let words: Vec<&str> = self.unit.text().split_whitespace().collect();
        self.shown = all
            .iter()
            .enumerate()
            .filter(|(_, a)| self.severity.is_none_or(|m| a.severity == m))
            .filter(|(_, a)| self.rule.as_ref().is_none_or(|r| a.rule_id == *r))
            .filter(|(_, a)| words.iter().all(|w| a.unit_name.contains(w)))
            .filter(|(_, a)| !(self.hide_reviewed && self.reviews.contains_key(&a.key())))
            .map(|(i, _)| i)
            .collect();
        self.selected = keep
            .and_then(|k| {
                self.shown
                    .iter()
                    .position(|&i| all.get(i).is_some_and(|a| a.key() == k))
            })
            .unwrap_or(0);
    }

    pub fn selected_alert(&self) -> Option<&Alert> {
        let i = *self.shown.get(self.selected)?;
        self.all.as_ref()?.get(i)
    }

    /// The rule ids present, in order of first appearance (the rule filter cycles them).
    pub fn rule_ids(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for a in self.all.iter().flat_map(|v| v.iter()) {
            if !out.contains(&a.rule_id) {
                out.push(a.rule_id.clone());
            }
        }
        out.sort();
        out
    }

    /// The person the selected alert is about, if it is about a person.
    pub fn selected_person(&self) -> Option<crate::model::DossierId> {
        match self.selected_alert()?.subject {
            Subject::Dossier(id) => Some(id),
            Subject::Team(_) => None,
        }
    }

    pub fn reviewed_count(&self) -> usize {
        self.all
            .iter()
            .flat_map(|v| v.iter())
            .filter(|a| self.reviews.contains_key(&a.key()))
            .count()
    }
}

/// A column of the reserve table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReserveColumn {
    Name,
    Age,
    Post,
    Target,
    Readiness,
    /// The engine's order: fewest gaps first.
    #[default]
    Gaps,
}

/// The reserve pane: the pool, its order and the readiness filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReserveView {
    /// The pool (None until derived).
    pub all: Option<Arc<Vec<ReserveEntry>>>,
    pub sort: ReserveColumn,
    pub descending: bool,
    pub readiness: Option<Readiness>,
    /// Indices into `all` of the entries listed, in order.
    pub shown: Vec<usize>,
    pub selected: usize,
}

impl ReserveView {
    /// Re-sorts and re-filters, keeping the selected person when still shown.
    pub fn refresh(&mut self) {
        let keep = self.selected_entry().map(|e| e.id);
        let Some(all) = &self.all else {
            self.shown.clear();
            self.selected = 0;
            return;
        };
        let mut shown: Vec<usize> = (0..all.len())
            .filter(|&i| self.readiness.is_none_or(|r| all[i].readiness == r))
            .collect();
        let col = self.sort;
        // Stable: ties keep the engine's order (fewest gaps, then name).
        shown.sort_by(|&a, &b| {
            let (x, y) = (&all[a], &all[b]);
            let o = match col {
                ReserveColumn::Name => x.name.cmp(&y.name),
                ReserveColumn::Age => x.age.cmp(&y.age),
                ReserveColumn::Post => (&x.unit, &x.post).cmp(&(&y.unit, &y.post)),
                ReserveColumn::Target => y.target.height().cmp(&x.target.height()),
                ReserveColumn::Readiness => x.readiness.cmp(&y.readiness),
                ReserveColumn::Gaps => x.gaps.len().cmp(&y.gaps.len()),
            };
            if self.descending { o.reverse() } else { o }
        });
        self.shown = shown;
        self.selected = keep
            .and_then(|id| self.shown.iter().position(|&i| all[i].id == id))
            .unwrap_or(0);
    }

    pub fn selected_entry(&self) -> Option<&ReserveEntry> {
        let i = *self.shown.get(self.selected)?;
        self.all.as_ref()?.get(i)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    /// Errors stay until dismissed with Esc; notices go with the next key.
    pub error: bool,
}

pub struct State {
    pub pane: Pane,
    pub overlay: Option<Overlay>,
    pub query: LineInput,
    pub results: Vec<ResultRow>,
    pub selected: usize,
    /// The query the shown results answer.
    pub results_for: String,
    /// Sequence number of the newest query sent, and of the newest answer shown.
    pub seq_sent: u64,
    pub seq_shown: u64,
    /// Most results a query returns.
    pub limit: usize,
    pub loading: bool,
    /// Dossiers in the lookup index.
    pub total: usize,
    /// Who the service says the user is and their role (None in the embedded mode).
    pub who: Option<String>,
    /// The sections the service withholds from this user (the mask flag is `mask`).
    pub withheld: crate::show::Veil,
    pub units: Arc<UnitDirectory>,
    /// The dossier open in the dossier and timeline panes.
    pub person: Option<Arc<Dossier>>,
    pub dossier_scroll: usize,
    /// Selected row of the timeline (an index into `ui::timeline::rows`).
    pub posting: usize,
    /// The list pane the open dossier was opened from (Esc returns to it).
    pub origin: Pane,
    pub filter: FilterView,
    pub team: TeamView,
    pub alerts: AlertsView,
    pub reserve: ReserveView,
    pub mask: bool,
    pub today: PartialDate,
    pub messages: Vec<Message>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub keymap: Keymap,
    pub quit: bool,
    /// The editing form open over the pane.
    pub form: Option<super::form::Form>,
    /// The open dossier's change history, when shown.
    pub history: Option<super::form::HistoryView>,
    /// An unsaved form from an earlier session, offered back.
    pub draft: Option<super::draft::Draft>,
    /// The dossier's entries listed for choosing one to edit.
    pub pick: Option<super::form::EntryPicker>,
}

impl State {
    /// What the dossier panes leave out: the withheld sections and, when on, the mask.
    pub fn veil(&self) -> crate::show::Veil {
        crate::show::Veil {
            mask: self.mask,
            ..self.withheld
        }
    }

    pub fn new(keymap: Keymap, today: PartialDate, mask: bool, size: (u16, u16)) -> Self {
        State {
            pane: Pane::Lookup,
            overlay: None,
            query: LineInput::default(),
            results: Vec::new(),
            selected: 0,
            results_for: String::new(),
            seq_sent: 0,
            seq_shown: 0,
            limit: 50,
            loading: true,
            total: 0,
            who: None,
            withheld: crate::show::Veil::default(),
            units: Arc::new(UnitDirectory::default()),
            person: None,
            dossier_scroll: 0,
            posting: 0,
            origin: Pane::Lookup,
            filter: FilterView::default(),
            team: TeamView::default(),
            alerts: AlertsView::default(),
            reserve: ReserveView::default(),
            mask,
            today,
            messages: Vec::new(),
            size,
            keymap,
            quit: false,
            form: None,
            history: None,
            draft: None,
            pick: None,
        }
    }

    /// Whether plain characters go to a text input right now.
    pub fn is_typing(&self) -> bool {
        match &self.overlay {
            Some(Overlay::Command(_)) => true,
            Some(Overlay::Help { .. }) => false,
            None if self.draft.is_some() || self.history.is_some() || self.pick.is_some() => false,
            None if self.form.is_some() => self.form.as_ref().is_some_and(|f| f.conflict.is_none()),
            None => self.pane.is_typing() || self.has_prompt(),
        }
    }

    /// Whether the pane's own input line (a filter text, a note) has the focus.
    pub fn has_prompt(&self) -> bool {
        (self.pane == Pane::Alerts && self.alerts.input.is_some())
            || (self.pane == Pane::Filter
                && (self.filter.export.is_some()
                    || self.filter.name.is_some()
                    || self.filter.menu.is_some()))
            || (self.pane == Pane::Team && (self.team.searching || self.team.plan_name.is_some()))
    }

    /// The keymap sections consulted for a key, most specific first.
    pub fn sections(&self) -> Vec<Section> {
        match &self.overlay {
            Some(Overlay::Help { .. }) => vec![Section::Help, Section::Global],
            Some(Overlay::Command(_)) => vec![Section::Command, Section::Edit, Section::Global],
            None if self.pane == Pane::Filter && self.filter.menu.is_some() => {
                vec![Section::Menu, Section::Edit, Section::Global]
            }
            None if self.draft.is_some() => vec![Section::Prompt, Section::Edit, Section::Global],
            None if self.history.is_some() => vec![Section::History, Section::Global],
            None if self.pick.is_some() => vec![Section::Pick, Section::Global],
            None if self.form.as_ref().is_some_and(|f| f.conflict.is_some()) => {
                vec![Section::Form, Section::Global]
            }
            None if self.form.is_some() => vec![Section::Form, Section::Edit, Section::Global],
            None if self.has_prompt() => vec![Section::Prompt, Section::Edit, Section::Global],
            None if self.pane.is_typing() => {
                vec![self.pane.section(), Section::Edit, Section::Global]
            }
            None => vec![self.pane.section(), Section::Global],
        }
    }

    pub fn selected_row(&self) -> Option<&ResultRow> {
        self.results.get(self.selected)
    }
}
