//! What the interface needs in memory: the unit directory, the lookup index and every dossier
//! (for the whole-database panes), then what is derived from them (alerts, the reserve pool).
//! Loading sits behind one function so it can later be replaced by a persisted compact index;
//! it and the derivation run off the UI thread. Reads the store only through its API, calls
//! the engines for alerts and the reserve pool, and never logs record contents.

use std::fmt;
use std::sync::Arc;

use crate::alerts::Alert;
use crate::filter::Ctx;
use crate::lookup::{Entry, Index};
use crate::model::{Dossier, PartialDate, UnitDirectory};
use crate::reserve::ReserveEntry;
use crate::rules::Rules;
use crate::store::{Store, StoreError};
use crate::team::TeamIndex;

/// Units, the lookup index and every readable dossier.
pub struct LookupData {
    pub units: UnitDirectory,
    pub index: Index,
    pub dossiers: Vec<Dossier>,
    /// Dossiers that could not be decoded and were left out of the index.
    pub unreadable: usize,
}

/// Reads every unit and dossier and builds the lookup index.
pub fn load_lookup_data(store: &Store) -> Result<LookupData, StoreError> {
    let started = std::time::Instant::now();
    let units = store.directory()?;
    let mut entries = Vec::new();
    let mut dossiers = Vec::new();
    let mut unreadable = 0;
    for d in store.dossiers() {
        match d {
            Ok(d) => {
                entries.push(Entry::from_dossier(&d, &units));
                dossiers.push(d);
            }
            Err(e) => {
                unreadable += 1;
                tracing::warn!("skipping an unreadable dossier: {e}");
            }
        }
    }
    let count = entries.len();
    let index = Index::build(entries);
    tracing::info!(
        dossiers = count,
        unreadable,
        ms = started.elapsed().as_millis() as u64,
        "lookup index built"
    );
    Ok(LookupData {
        units,
        index,
        dossiers,
        unreadable,
    })
}

/// Loaded data as the interface keeps it: shared with the lookup worker and the derivation.
#[derive(Clone)]
pub struct Loaded {
    pub index: Arc<Index>,
    pub units: Arc<UnitDirectory>,
    pub dossiers: Arc<Vec<Dossier>>,
    pub unreadable: usize,
}

impl From<LookupData> for Loaded {
    fn from(d: LookupData) -> Self {
        Loaded {
            index: Arc::new(d.index),
            units: Arc::new(d.units),
            dossiers: Arc::new(d.dossiers),
            unreadable: d.unreadable,
        }
    }
}

/// What the whole-database panes show, computed by the engines from the loaded dossiers.
#[derive(Clone, Debug, Default)]
pub struct Derived {
    /// Who sits on which team (`team::TeamIndex`), for the team pane.
    pub teams: Arc<TeamIndex>,
    /// Every alert, most severe first (`alerts::scan`).
    pub alerts: Arc<Vec<Alert>>,
    /// The reserve pool (`reserve::pool`).
    pub reserve: Arc<Vec<ReserveEntry>>,
}

/// Scans for alerts and builds the reserve pool (can take longer than a frame on a province:
/// the app runs it on a thread of its own).
pub fn derive(
    dossiers: &[Dossier],
    units: &UnitDirectory,
    today: PartialDate,
    rules: &Rules,
) -> Derived {
    let started = std::time::Instant::now();
    let ctx = Ctx { today, units };
    let alerts = crate::alerts::scan(dossiers, &ctx, rules);
    let reserve = crate::reserve::pool(dossiers, &ctx, &rules.promotion);
    tracing::info!(
        alerts = alerts.len(),
        reserve = reserve.len(),
        ms = started.elapsed().as_millis() as u64,
        "alerts and reserve pool derived"
    );
    Derived {
        teams: Arc::new(TeamIndex::build(dossiers)),
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
