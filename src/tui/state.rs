//! The interface's state: which pane and overlay are showing, the query and its results, the
//! open dossier, scroll positions, the meeting mask and messages. Plain data read by `ui`
//! and changed only by `app::App::update`.

use std::sync::Arc;

use crate::lookup::{Entry, Hit};
use crate::model::{Dossier, PartialDate, UnitDirectory};

use super::input::LineInput;
use super::keymap::{Keymap, Section};
use super::strings as s;

/// The panes, in the order Tab-like pane cycling visits them. Panes from later issues
/// (filter, team, alerts, reserve) are added here and in `Action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    Lookup,
    Dossier,
    Timeline,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Lookup, Pane::Dossier, Pane::Timeline];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Lookup => s::PANE_LOOKUP,
            Pane::Dossier => s::PANE_DOSSIER,
            Pane::Timeline => s::PANE_TIMELINE,
        }
    }

    /// The keymap section that applies while this pane has the focus.
    pub fn section(self) -> Section {
        match self {
            Pane::Lookup => Section::Lookup,
            Pane::Dossier => Section::Dossier,
            Pane::Timeline => Section::Timeline,
        }
    }

    /// Whether the pane's focus is a text input (plain characters are typed, not bound).
    pub fn is_typing(self) -> bool {
        self == Pane::Lookup
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
    pub units: Arc<UnitDirectory>,
    /// The dossier open in the dossier and timeline panes.
    pub person: Option<Arc<Dossier>>,
    pub dossier_scroll: usize,
    /// Selected row of the timeline (an index into `ui::timeline::rows`).
    pub posting: usize,
    pub mask: bool,
    pub today: PartialDate,
    pub messages: Vec<Message>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub keymap: Keymap,
    pub quit: bool,
}

impl State {
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
            limit: 200,
            loading: true,
            total: 0,
            units: Arc::new(UnitDirectory::default()),
            person: None,
            dossier_scroll: 0,
            posting: 0,
            mask,
            today,
            messages: Vec::new(),
            size,
            keymap,
            quit: false,
        }
    }

    /// Whether plain characters go to a text input right now.
    pub fn is_typing(&self) -> bool {
        match &self.overlay {
            Some(Overlay::Command(_)) => true,
            Some(Overlay::Help { .. }) => false,
            None => self.pane.is_typing(),
        }
    }

    /// The keymap sections consulted for a key, most specific first.
    pub fn sections(&self) -> Vec<Section> {
        match &self.overlay {
            Some(Overlay::Help { .. }) => vec![Section::Help, Section::Global],
            Some(Overlay::Command(_)) => vec![Section::Command, Section::Edit, Section::Global],
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
