//! What the interface needs in memory before the first lookup: the unit directory and the
//! lookup index. Loading sits behind one function so it can later be replaced by a persisted
//! compact index; it runs off the UI thread in `run`. Reads the store only through its API and
//! never logs record contents.

use std::fmt;
use std::sync::Arc;

use crate::lookup::{Entry, Index};
use crate::model::UnitDirectory;
use crate::store::{Store, StoreError};

/// Units and the lookup index over all dossiers.
pub struct LookupData {
    pub units: UnitDirectory,
    pub index: Index,
    /// Dossiers that could not be decoded and were left out of the index.
    pub unreadable: usize,
}

/// Reads every unit and dossier and builds the lookup index.
pub fn load_lookup_data(store: &Store) -> Result<LookupData, StoreError> {
    let started = std::time::Instant::now();
    let units = store.directory()?;
    let mut entries = Vec::new();
    let mut unreadable = 0;
    for d in store.dossiers() {
        match d {
            Ok(d) => entries.push(Entry::from_dossier(&d, &units)),
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
        unreadable,
    })
}

/// Loaded data as the interface keeps it: shared with the lookup worker.
#[derive(Clone)]
pub struct Loaded {
    pub index: Arc<Index>,
    pub units: Arc<UnitDirectory>,
    pub unreadable: usize,
}

impl From<LookupData> for Loaded {
    fn from(d: LookupData) -> Self {
        Loaded {
            index: Arc::new(d.index),
            units: Arc::new(d.units),
            unreadable: d.unreadable,
        }
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
