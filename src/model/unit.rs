//! Units (单位): province → prefecture → county → bureau/township, each with a kind and a level,
//! so that a unit's leadership team can be read. Plain data; the hierarchy is walked through
//! a `UnitDirectory` built from the store's units.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::dossier::UnitId;
use super::vocab::{UnitKind, UnitLevel};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    /// Full name (临河县人民政府).
    pub name: String,
    #[serde(default)]
    pub parent: Option<UnitId>,
    pub kind: UnitKind,
    pub level: UnitLevel,
    /// Fields this unit regulates (建筑, 餐饮 …), for the business-avoidance rule.
    #[serde(default)]
    pub regulates: Vec<String>,
}

impl Unit {
    /// Grassroots (基层) service: townships, streets and county-level units.
    pub fn is_grassroots(&self) -> bool {
        matches!(self.kind, UnitKind::Township | UnitKind::Street)
            || self.level == UnitLevel::County
            || self.level == UnitLevel::Township
    }
    /// Whether the unit has a leadership team of its own.
    pub fn has_team(&self) -> bool {
        self.kind != UnitKind::Region
    }
}

/// All units in memory, with the hierarchy indexed both ways. Travels as its list of units.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Unit>", into = "Vec<Unit>")]
pub struct UnitDirectory {
    units: HashMap<UnitId, Unit>,
    children: HashMap<UnitId, Vec<UnitId>>,
    roots: Vec<UnitId>,
}

impl From<Vec<Unit>> for UnitDirectory {
    fn from(units: Vec<Unit>) -> Self {
        UnitDirectory::new(units)
    }
}

impl From<UnitDirectory> for Vec<Unit> {
    fn from(dir: UnitDirectory) -> Self {
        let mut units: Vec<Unit> = dir.units.into_values().collect();
        units.sort_by_key(|u| u.id);
        units
    }
}

impl UnitDirectory {
    pub fn new(units: impl IntoIterator<Item = Unit>) -> Self {
        let mut dir = UnitDirectory::default();
        for u in units {
            dir.units.insert(u.id, u);
        }
        let mut ids: Vec<UnitId> = dir.units.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            match dir.units[&id].parent.filter(|p| dir.units.contains_key(p)) {
                Some(p) => dir.children.entry(p).or_default().push(id),
                None => dir.roots.push(id),
            }
        }
        dir
    }
    pub fn get(&self, id: UnitId) -> Option<&Unit> {
        self.units.get(&id)
    }
    pub fn len(&self) -> usize {
        self.units.len()
    }
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
    pub fn roots(&self) -> &[UnitId] {
        &self.roots
    }
    pub fn children(&self, id: UnitId) -> &[UnitId] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }
    pub fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }
    /// The unit and its ancestors, nearest first.
    pub fn ancestry(&self, id: UnitId) -> impl Iterator<Item = &Unit> {
        let mut next = self.units.get(&id);
        let mut guard = 0;
        std::iter::from_fn(move || {
            let cur = next?;
            guard += 1;
            next = cur
                .parent
                .and_then(|p| self.units.get(&p))
                .filter(|_| guard < 64);
            Some(cur)
        })
    }
    /// The region (地区) the unit belongs to at the given level, e.g. its county.
    pub fn region_at(&self, id: UnitId, level: UnitLevel) -> Option<&Unit> {
        self.ancestry(id)
            .find(|u| u.kind == UnitKind::Region && u.level == level)
    }
    /// Whether `inner` lies under `outer` (or is it).
    pub fn is_within(&self, inner: UnitId, outer: UnitId) -> bool {
        self.ancestry(inner).any(|u| u.id == outer)
    }
    /// Looks a unit up by its exact full name.
    pub fn by_name(&self, name: &str) -> Option<&Unit> {
        self.units.values().find(|u| u.name == name)
    }
}
