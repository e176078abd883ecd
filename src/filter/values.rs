//! The text values that exist in the data, for the builder pane's completion: ethnicities,
//! native places, schools, majors, unit names, positions, portfolios … each with how many
//! times it occurs, most frequent first. Collected once over the facts of every dossier (off the UI
//! thread); it knows nothing of the screen.

use std::collections::HashMap;

use super::ast::TextField;
use crate::facts::Facts;
use crate::model::{Dossier, UnitDirectory};

/// Most values kept per source (names run to a million in a large database).
const KEEP: usize = 5000;

/// Where a completion's values come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A text condition (`民族`, `籍贯`, `院校`, the current `单位` and `职务` …).
    Text(TextField),
    /// `分管~…` inside posting conditions: the portfolios of every posting.
    Portfolio,
    /// `单位~…` inside posting conditions: the units of every posting.
    PostingUnit,
    /// `职务~…` inside posting conditions: the titles of every posting.
    PostingPosition,
}

/// Distinct values per source with their counts, most frequent first, then by text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataValues {
    by: HashMap<Source, Vec<(String, u32)>>,
}

impl DataValues {
    /// Counts every value over the dossiers.
    pub fn collect(dossiers: &[Dossier], units: &UnitDirectory) -> Self {
        Self::from_facts(&Facts::build(dossiers, units))
    }

    /// Counts every value over the facts of every dossier.
    pub fn from_facts<'a>(f: &'a Facts) -> Self {
        let mut counts: HashMap<Source, HashMap<&'a str, u32>> = HashMap::new();
        let mut add = |src: Source, v: &'a str| {
            let v = v.trim();
            if !v.is_empty() {
                *counts.entry(src).or_default().entry(v).or_default() += 1;
            }
        };
        for p in &f.people {
            add(Source::Text(TextField::Name), f.name(p));
            add(Source::Text(TextField::Ethnicity), f.pool.get(p.ethnicity));
            add(
                Source::Text(TextField::NativePlace),
                f.pool.get(p.native_place),
            );
            add(
                Source::Text(TextField::Birthplace),
                f.pool.get(p.birthplace),
            );
            for c in &f.courses[p.courses.range()] {
                add(Source::Text(TextField::Major), f.pool.get(c.major));
                add(Source::Text(TextField::School), f.pool.get(c.school));
            }
            if let Some(c) = f.current(p) {
                add(Source::Text(TextField::Unit), f.pool.get(c.unit_display));
                add(Source::Text(TextField::Post), f.pool.get(c.position));
            }
            for x in f.posts(p) {
                add(Source::PostingUnit, f.pool.get(x.unit_display));
                add(Source::PostingPosition, f.pool.get(x.position));
                for part in f.pool.get(x.portfolio).split(['、', '，', ',', ';', '；']) {
                    add(Source::Portfolio, part);
                }
            }
        }
        let by = counts
            .into_iter()
            .map(|(src, m)| {
                let mut v: Vec<(&str, u32)> = m.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                v.truncate(KEEP);
                (
                    src,
                    v.into_iter().map(|(t, n)| (t.to_string(), n)).collect(),
                )
            })
            .collect();
        DataValues { by }
    }

    /// Every value of a source with its count.
    pub fn get(&self, src: Source) -> &[(String, u32)] {
        self.by.get(&src).map_or(&[], Vec::as_slice)
    }

    /// Up to `limit` values containing `typed` (all when empty): those starting with it
    /// first, each group most frequent first.
    pub fn matching(&self, src: Source, typed: &str, limit: usize) -> Vec<(&str, u32)> {
        let typed = typed.trim();
        let all = self.get(src);
        let starts = all.iter().filter(|(v, _)| v.starts_with(typed));
        let inner = all
            .iter()
            .filter(|(v, _)| !v.starts_with(typed) && v.contains(typed));
        starts
            .chain(inner)
            .take(limit)
            .map(|(v, n)| (v.as_str(), *n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gender, PartialDate};

    #[test]
    fn values_are_counted_and_matched_prefix_first() {
        let mk = |name: &str, eth: &str, place: &str| {
            let mut d = Dossier::new(name, Gender::Male, PartialDate::ym(1980, 1).unwrap());
            d.id = name.chars().next().map_or(0, u64::from);
            d.identity.ethnicity = eth.into();
            d.identity.native_place = place.into();
            d
        };
        let ds = vec![
            mk("甲", "汉族", "青州市临河县"),
            mk("乙", "汉族", "临河县"),
            mk("丙", "回族", ""),
        ];
        let v = DataValues::collect(&ds, &UnitDirectory::default());
        assert_eq!(
            v.get(Source::Text(TextField::Ethnicity)),
            [("汉族".to_string(), 2), ("回族".to_string(), 1)]
        );
        let places = v.matching(Source::Text(TextField::NativePlace), "临河", 10);
        assert_eq!(places, [("临河县", 1), ("青州市临河县", 1)]);
        assert!(v.get(Source::Portfolio).is_empty());
    }
}
