//! Profile lookup: finds cadres as the clerk types, by Han characters, full pinyin, pinyin
//! initials and mixed forms, by the tail of an ID number, and by unit or post words. Owns the
//! in-memory index and ranking; it never touches the store or the screen.
//!
//! STUB: the interface below is agreed; the naive implementation is to be replaced.

pub mod worker;

use crate::model::{Dossier, DossierId, Gender, PartialDate, UnitDirectory};

/// What lookup knows of one cadre: enough to match and to show a result row.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: DossierId,
    pub name: String,
    pub gender: Gender,
    pub birth: PartialDate,
    /// Current position (e.g. 县长), empty when none.
    pub post: String,
    /// Current unit's name (e.g. 临河县人民政府), empty when none.
    pub unit: String,
    /// The ID number, for tail matching (never shown by lookup itself).
    pub id_number: String,
}

impl Entry {
    pub fn from_dossier(d: &Dossier, units: &UnitDirectory) -> Self {
        let cur = d.current_posting();
        Entry {
            id: d.id,
            name: d.identity.name.clone(),
            gender: d.identity.gender,
            birth: d.identity.birth,
            post: cur.map(|p| p.position.clone()).unwrap_or_default(),
            unit: cur
                .map(|p| {
                    p.unit
                        .and_then(|u| units.get(u))
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| p.unit_name.clone())
                })
                .unwrap_or_default(),
            id_number: d.identity.id_number.clone(),
        }
    }
}

/// How a result matched, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Exact,
    Prefix,
    Fuzzy,
}

/// Which field matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchField {
    Name,
    Pinyin,
    Initials,
    IdNumber,
    Post,
    Unit,
}

/// One ranked result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: DossierId,
    pub kind: MatchKind,
    pub field: MatchField,
    pub score: i64,
    /// Char positions in `Entry::name` to highlight.
    pub name_highlight: Vec<usize>,
    /// Char positions in `Entry::post` (then `Entry::unit`, offset by post's char count + 1)
    /// to highlight.
    pub post_highlight: Vec<usize>,
}

/// The lookup index over all cadres.
#[derive(Default)]
pub struct Index {
    entries: Vec<Entry>,
}

impl Index {
    pub fn build(entries: Vec<Entry>) -> Self {
        Index { entries }
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn entry(&self, id: DossierId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
    /// Ranked results for `query`, at most `limit` of them. Naive stub: substring of the name.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = query.trim();
        if q.is_empty() {
            return vec![];
        }
        self.entries
            .iter()
            .filter(|e| e.name.contains(q))
            .take(limit)
            .map(|e| Hit {
                id: e.id,
                kind: if e.name == q {
                    MatchKind::Exact
                } else {
                    MatchKind::Fuzzy
                },
                field: MatchField::Name,
                score: 0,
                name_highlight: vec![],
                post_highlight: vec![],
            })
            .collect()
    }
}
