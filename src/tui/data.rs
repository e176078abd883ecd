//! What the interface needs in memory: the unit directory, the compact facts of every dossier
//! (read from their snapshot, see `facts::snapshot`) and the lookup index built from them,
//! then what is derived (alerts, the reserve pool). Whole dossiers are read from the store
//! only when shown or needed by a derivation; loading and derivation run off the UI thread. Reads the store only through its API, calls
//! the engines for alerts and the reserve pool, and never logs record contents.

use std::fmt;
use std::sync::Arc;

use crate::alerts::Alert;
use crate::facts::Facts;
use crate::facts::snapshot::{self, Source};
use crate::lookup::Index;
use crate::model::{PartialDate, UnitDirectory};
use crate::reserve::ReserveEntry;
use crate::service::{Backend, ServiceError};
use crate::store::{Store, StoreError};
use crate::team::TeamIndex;

/// Units, the lookup index and the facts of every readable dossier.
pub struct LookupData {
    pub units: Arc<UnitDirectory>,
    pub index: Index,
    pub facts: Arc<Facts>,
    /// Dossiers that could not be decoded and were left out of the index.
    pub unreadable: usize,
    /// Whether the facts came from the snapshot or a rebuild.
    pub source: Source,
}

/// Reads the units and the facts of a store (from the snapshot when it holds) and builds the
/// lookup index, with every right (tests, benchmarks).
pub fn load_lookup_data(store: &Store) -> Result<LookupData, StoreError> {
    let started = std::time::Instant::now();
    let (loaded, units) = snapshot::load_with_units(store)?;
    let read_ms = started.elapsed().as_millis() as u64;
    let index = match loaded.index {
        Some(index) => index,
        None => loaded.facts.lookup_index(),
    };
    tracing::info!(
        dossiers = loaded.facts.len(),
        unreadable = loaded.unreadable,
        source = ?loaded.source,
        read_ms,
        ms = started.elapsed().as_millis() as u64,
        "facts loaded, lookup index built"
    );
    Ok(LookupData {
        units: Arc::new(units),
        index,
        facts: Arc::new(loaded.facts),
        unreadable: loaded.unreadable,
        source: loaded.source,
    })
}

/// Asks the backend for the facts this user may see and the units, and builds the lookup
/// index from them.
pub fn load_from(backend: &Backend) -> Result<LookupData, ServiceError> {
    let started = std::time::Instant::now();
    let (facts, units) = backend.facts()?;
    let read_ms = started.elapsed().as_millis() as u64;
    let index = backend
        .stored_index(&facts)
        .unwrap_or_else(|| facts.lookup_index());
    tracing::info!(
        dossiers = facts.len(),
        read_ms,
        ms = started.elapsed().as_millis() as u64,
        "facts loaded, lookup index built"
    );
    Ok(LookupData {
        units,
        index,
        facts,
        unreadable: 0,
        source: Source::Snapshot { changed: 0 },
    })
}

/// Loaded data as the interface keeps it: shared with the lookup worker and the derivation.
#[derive(Clone)]
pub struct Loaded {
    pub index: Arc<Index>,
    pub units: Arc<UnitDirectory>,
    pub facts: Arc<Facts>,
    pub unreadable: usize,
}

impl From<LookupData> for Loaded {
    fn from(d: LookupData) -> Self {
        Loaded {
            index: Arc::new(d.index),
            units: d.units,
            facts: d.facts,
            unreadable: d.unreadable,
        }
    }
}

/// What the whole-database panes show, computed by the engines.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// Who sits on which team (`team::TeamIndex`, positions of the facts), for the team pane.
    pub teams: Arc<TeamIndex>,
    /// Every alert, most severe first (`alerts::scan`).
    pub alerts: Arc<Vec<Alert>>,
    /// The reserve pool (`reserve::pool`).
    pub reserve: Arc<Vec<ReserveEntry>>,
}

/// The teams from the facts, and the alerts and reserve pool from the backend (which reads
/// only the dossiers the facts cannot clear of an alert, the teams' members and the reserve
/// cadres). Can take longer than a frame on a province: the app runs it on a thread of its
/// own. A backend that refuses (a role without the alerts right) leaves them empty.
pub fn derive(
    backend: &Backend,
    facts: &Facts,
    _units: &UnitDirectory,
    today: PartialDate,
) -> Derived {
    let started = std::time::Instant::now();
    let teams = TeamIndex::from_facts(facts);
    let (alerts, reserve) = match backend.derived(today) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!("alerts and reserve pool not derived: {e}");
            (Vec::new(), Vec::new())
        }
    };
    tracing::info!(
        alerts = alerts.len(),
        reserve = reserve.len(),
        ms = started.elapsed().as_millis() as u64,
        "alerts and reserve pool derived"
    );
    Derived {
        teams: Arc::new(teams),
        alerts: Arc::new(alerts),
        reserve: Arc::new(reserve),
    }
}

impl PartialEq for Derived {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.teams, &other.teams)
            && self.alerts == other.alerts
            && self.reserve == other.reserve
    }
}

impl fmt::Debug for Loaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Loaded({} entries)", self.index.len())
    }
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.index, &other.index)
    }
}
