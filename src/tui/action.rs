//! The action vocabulary: everything a key can ask for, and the internal messages the event
//! loop feeds to `update`. A keymap file names actions by their serde (snake_case) names, so
//! this enum *is* the keymap vocabulary. Owns no behaviour; `app::update` gives actions meaning.

use serde::{Deserialize, Serialize};

use super::data::{Derived, Loaded};
use crate::lookup::Hit;

/// What the user (or the event loop) asks for. Bindable actions have serde names; the variants
/// marked `serde(skip)` carry data from the event loop and cannot be bound.
///
/// Panes to come from later issues (filter, team) add `Show…` variants here and a `Pane`
/// variant in `state`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // application
    Quit,
    Back,
    Help,
    CommandLine,
    ToggleMask,
    // panes
    ShowLookup,
    ShowDossier,
    ShowTimeline,
    ShowFilter,
    ShowTeam,
    ShowAlerts,
    ShowReserve,
    NextPane,
    PrevPane,
    // movement in the focused list or page
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextSection,
    PrevSection,
    // editing the focused input line
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    DeleteBack,
    DeleteForward,
    DeleteWord,
    ClearLine,
    KillToEnd,
    // command line
    Confirm,
    CompleteNext,
    CompletePrev,
    // trees and split panes (team)
    Expand,
    Collapse,
    SwitchFocus,
    // team what-if and plans
    RemoveMember,
    AddCandidate,
    SavePlan,
    OpenPlans,
    RegionView,
    CycleSort,
    // narrowing and marking lists (alerts, reserve)
    FilterText,
    CycleSeverity,
    CycleRule,
    CycleReadiness,
    MarkReviewed,
    ToggleReviewed,
    // sorting the reserve table by a column (again: the other direction)
    SortName,
    SortAge,
    SortPost,
    SortTarget,
    SortReadiness,
    SortGaps,
    // exporting the filter's results
    ExportCsv,
    ExportXlsx,
    // named filters
    SaveFilter,
    OpenFilters,
    // the filter builder: menus, sorting by any column, a line break in the expression
    BuildCondition,
    ToggleMark,
    SortNext,
    SortPrev,
    SortReverse,
    NewLine,
    // printable reports (dossier: the approval form; team: the structure workbook of the team,
    // or of every team by unit kind)
    PrintForm,
    TeamReport,
    StatsReport,
    // editing dossiers (forms, history)
    EditDossier,
    NewDossier,
    AddPosting,
    EditPosting,
    AddAssessment,
    AddTraining,
    AddFamily,
    AddFinding,
    NextField,
    PrevField,
    SaveForm,
    ShowHistory,
    UndoChange,
    AddEducation,
    AddReward,
    AddAchievement,
    EditRecord,
    EditEntry,
    // ---- internal, not bindable -----------------------------------------------------
    /// A typed character for the focused input.
    #[serde(skip)]
    Insert(char),
    /// Pasted (or IME-committed) text for the focused input.
    #[serde(skip)]
    Paste(String),
    /// The terminal's new size (columns, rows).
    #[serde(skip)]
    Resize(u16, u16),
    /// Time passes (the event loop's clock, or a test's): drives the idle lock.
    #[serde(skip)]
    Tick(std::time::Instant),
    /// Lookup results for the query with this sequence number.
    #[serde(skip)]
    Results {
        seq: u64,
        hits: Vec<Hit>,
    },
    /// Units and the lookup index, loaded off the UI thread.
    #[serde(skip)]
    Loaded(Result<Loaded, String>),
    /// The rows of the dossiers matching the filter expression with this sequence number,
    /// in id order (built on the evaluation thread).
    #[serde(skip)]
    FilterMatches {
        seq: u64,
        rows: Vec<super::state::FilterRow>,
    },
    /// Alerts and the reserve pool, derived off the UI thread.
    #[serde(skip)]
    Derived(Derived),
    /// The text values of the data, counted off the UI thread (the builder's completion).
    #[serde(skip)]
    FilterValues(std::sync::Arc<crate::filter::values::DataValues>),
}

impl Action {
    /// Every bindable action, in the order help and completion list them.
    pub const BINDABLE: &'static [Action] = &[
        Action::Quit,
        Action::Back,
        Action::Help,
        Action::CommandLine,
        Action::ToggleMask,
        Action::ShowLookup,
        Action::ShowDossier,
        Action::ShowTimeline,
        Action::ShowFilter,
        Action::ShowTeam,
        Action::ShowAlerts,
        Action::ShowReserve,
        Action::NextPane,
        Action::PrevPane,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::NextSection,
        Action::PrevSection,
        Action::CursorLeft,
        Action::CursorRight,
        Action::CursorHome,
        Action::CursorEnd,
        Action::DeleteBack,
        Action::DeleteForward,
        Action::DeleteWord,
        Action::ClearLine,
        Action::KillToEnd,
        Action::Confirm,
        Action::CompleteNext,
        Action::CompletePrev,
        Action::Expand,
        Action::Collapse,
        Action::SwitchFocus,
        Action::RemoveMember,
        Action::AddCandidate,
        Action::SavePlan,
        Action::OpenPlans,
        Action::RegionView,
        Action::CycleSort,
        Action::FilterText,
        Action::CycleSeverity,
        Action::CycleRule,
        Action::CycleReadiness,
        Action::MarkReviewed,
        Action::ToggleReviewed,
        Action::SortName,
        Action::SortAge,
        Action::SortPost,
        Action::SortTarget,
        Action::SortReadiness,
        Action::SortGaps,
        Action::ExportCsv,
        Action::ExportXlsx,
        Action::SaveFilter,
        Action::OpenFilters,
        Action::BuildCondition,
        Action::ToggleMark,
        Action::SortNext,
        Action::SortPrev,
        Action::SortReverse,
        Action::NewLine,
        Action::PrintForm,
        Action::TeamReport,
        Action::StatsReport,
        Action::EditDossier,
        Action::NewDossier,
        Action::AddPosting,
        Action::EditPosting,
        Action::AddAssessment,
        Action::AddTraining,
        Action::AddFamily,
        Action::AddFinding,
        Action::NextField,
        Action::PrevField,
        Action::SaveForm,
        Action::ShowHistory,
        Action::UndoChange,
        Action::AddEducation,
        Action::AddReward,
        Action::AddAchievement,
        Action::EditRecord,
        Action::EditEntry,
    ];

    /// The name a keymap file and the command line use (`toggle_mask`), or None for internal
    /// actions.
    pub fn name(&self) -> Option<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The bindable action with this name.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// Whether the command line offers this action (editing primitives and the command line's
    /// own keys are left out: they mean nothing once the line is closed).
    pub fn is_command(&self) -> bool {
        use Action::*;
        !matches!(
            self,
            CommandLine
                | CursorLeft
                | CursorRight
                | CursorHome
                | CursorEnd
                | DeleteBack
                | DeleteForward
                | DeleteWord
                | ClearLine
                | KillToEnd
                | Confirm
                | CompleteNext
                | CompletePrev
                | NextField
                | PrevField
                | SaveForm
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_snake_case() {
        for a in Action::BINDABLE {
            let name = a.name().expect("bindable actions have names");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            assert_eq!(Action::from_name(&name).as_ref(), Some(a));
        }
        assert_eq!(Action::ToggleMask.name().as_deref(), Some("toggle_mask"));
    }

    #[test]
    fn internal_actions_cannot_be_named() {
        assert_eq!(Action::Insert('a').name(), None);
        assert_eq!(Action::Resize(1, 2).name(), None);
        assert_eq!(Action::from_name("insert"), None);
        assert_eq!(Action::from_name("results"), None);
        assert_eq!(Action::from_name("no_such_action"), None);
    }

    #[test]
    fn every_bindable_action_has_a_description() {
        for a in Action::BINDABLE {
            assert!(!super::super::strings::action_desc(a).is_empty(), "{a:?}");
        }
    }
}
