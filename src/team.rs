//! Leadership teams (领导班子): who sits on a unit's team, and the team's structure along the
//! lines of DOMAIN.md (age, education, specialty, gender, ethnicity, party, source) with the
//! warnings of the team rules. Pure computations over dossiers already loaded; the what-if of the
//! team pane is the same `profile` over an edited member list.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::filter::eval::{Ctx, is_grassroots};
use crate::model::*;
use crate::rules::{Rules, Severity, TeamCheck};

/// One member of a team, with what the gauges need.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: DossierId,
    pub name: String,
    pub position: String,
    pub role: PostRole,
    pub rank: Option<Rank>,
    pub concurrent: bool,
    pub age: i32,
    pub gender: Gender,
    pub ethnicity: String,
    pub cpc: bool,
    pub education: Option<EduLevel>,
    pub specialty: Option<MajorCategory>,
    /// Native of the unit's own county or prefecture.
    pub local: bool,
    /// Has served at the grassroots.
    pub grassroots: bool,
}

/// A team rule that the team breaks.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub rule_id: String,
    pub text: String,
    pub severity: Severity,
    pub source: String,
    /// The figures behind it (班子 7 人，女干部 0 人).
    pub detail: String,
}

/// Age bands of the gauges.
pub const AGE_BANDS: [&str; 4] = ["40岁以下", "40–49岁", "50–54岁", "55岁以上"];

/// A team's structure.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamProfile {
    pub unit: UnitId,
    pub unit_name: String,
    pub kind: UnitKind,
    pub members: Vec<Member>,
    pub mean_age: f64,
    pub age_bands: [u32; 4],
    /// Ages youngest first (the gradient 老中青).
    pub ages: Vec<i32>,
    pub education: Vec<(EduLevel, u32)>,
    pub specialty: Vec<(Option<MajorCategory>, u32)>,
    pub women: u32,
    pub minority: u32,
    pub non_party: u32,
    pub local: u32,
    pub grassroots: u32,
    pub warnings: Vec<Warning>,
}

/// Which dossiers sit on which unit's team: serving cadres' open postings with a leadership
/// rank (concurrent posts count on the team they are held in).
#[derive(Default, Debug, Clone)]
pub struct TeamIndex {
    by_unit: HashMap<UnitId, Vec<(usize, usize)>>,
}

impl TeamIndex {
    /// Indexes `dossiers` by position in the slice.
    pub fn build(dossiers: &[Dossier]) -> Self {
        let mut by_unit: HashMap<UnitId, Vec<(usize, usize)>> = HashMap::new();
        for (di, d) in dossiers.iter().enumerate() {
            if d.status != LifeCycle::Serving {
                continue;
            }
            for (pi, p) in d.postings.iter().enumerate() {
                if p.end.is_none()
                    && p.rank.is_some_and(Rank::is_leadership)
                    && let Some(u) = p.unit
                {
                    by_unit.entry(u).or_default().push((di, pi));
                }
            }
        }
        TeamIndex { by_unit }
    }

    /// The seats kept in facts: positions are those of `Facts::people`.
    pub fn from_facts(facts: &crate::facts::Facts) -> Self {
        TeamIndex {
            by_unit: facts.seats(),
        }
    }

    /// (dossier index, posting index) of the team's members.
    pub fn seats(&self, unit: UnitId) -> &[(usize, usize)] {
        self.by_unit.get(&unit).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Units that have a team.
    pub fn units(&self) -> impl Iterator<Item = UnitId> + '_ {
        self.by_unit.keys().copied()
    }
}

/// The region (地区) name a unit belongs to: its county, else its prefecture, else its province.
fn home_region_name(unit: UnitId, units: &UnitDirectory) -> Option<&str> {
    units
        .ancestry(unit)
        .find(|u| u.kind == UnitKind::Region)
        .map(|u| u.name.as_str())
}

/// Whether a cadre is a native of the named region (by 籍贯 or 出生地).
pub fn is_native_of(d: &Dossier, region: &str) -> bool {
    !region.is_empty()
        && (d.identity.native_place.contains(region) || d.identity.birthplace.contains(region))
}

/// The member record for dossier `d` seated by posting `p` on `unit`'s team.
pub fn member(d: &Dossier, p: &Posting, unit: UnitId, ctx: &Ctx) -> Member {
    let region = home_region_name(unit, ctx.units).unwrap_or("");
    let edu = d.highest_education();
    Member {
        id: d.id,
        name: d.identity.name.clone(),
        position: p.position.clone(),
        role: p.role,
        rank: p.rank,
        concurrent: p.concurrent,
        age: d.age_on(&ctx.today),
        gender: d.identity.gender,
        ethnicity: d.identity.ethnicity.clone(),
        cpc: d.identity.political_status.is_cpc(),
        education: edu.map(|e| e.level),
        specialty: edu.and_then(|e| e.category.or_else(|| MajorCategory::infer(&e.major))),
        local: is_native_of(d, region),
        grassroots: d.postings.iter().any(|x| is_grassroots(x, ctx)),
    }
}

/// The members of `unit`'s team, principal first, then deputies, then members.
pub fn members(unit: UnitId, index: &TeamIndex, dossiers: &[Dossier], ctx: &Ctx) -> Vec<Member> {
    members_with(unit, index, ctx, |i| dossiers.get(i).map(Cow::Borrowed))
}

/// The same, with each seat's dossier got by its position from wherever the caller keeps
/// them (the interface reads them from the store: a team is a handful of records).
pub fn members_with<'a>(
    unit: UnitId,
    index: &TeamIndex,
    ctx: &Ctx,
    mut dossier: impl FnMut(usize) -> Option<Cow<'a, Dossier>>,
) -> Vec<Member> {
    let mut out: Vec<Member> = index
        .seats(unit)
        .iter()
        .filter_map(|&(di, pi)| {
            let d = dossier(di)?;
            let p = d.postings.get(pi)?;
            Some(member(&d, p, unit, ctx))
        })
        .collect();
    out.sort_by_key(|m| (m.role, std::cmp::Reverse(m.rank.map(Rank::height)), m.id));
    out
}

/// The structure of a team with the given members, and the team rules it breaks.
pub fn profile(unit: &Unit, members: Vec<Member>, rules: &Rules) -> TeamProfile {
    let n = members.len() as u32;
    let mut ages: Vec<i32> = members.iter().map(|m| m.age).collect();
    ages.sort_unstable();
    let mean_age = if n == 0 {
        0.0
    } else {
        ages.iter().sum::<i32>() as f64 / n as f64
    };
    let mut age_bands = [0u32; 4];
    for a in &ages {
        age_bands[match a {
            ..40 => 0,
            40..50 => 1,
            50..55 => 2,
            _ => 3,
        }] += 1;
    }
    let mut education: Vec<(EduLevel, u32)> = EduLevel::ALL
        .iter()
        .map(|l| {
            (
                *l,
                members.iter().filter(|m| m.education == Some(*l)).count() as u32,
            )
        })
        .filter(|(_, c)| *c > 0)
        .collect();
    education.sort_by_key(|(l, _)| std::cmp::Reverse(l.height()));
    let mut specialty: Vec<(Option<MajorCategory>, u32)> = Vec::new();
    for m in &members {
        match specialty.iter_mut().find(|(c, _)| *c == m.specialty) {
            Some((_, k)) => *k += 1,
            None => specialty.push((m.specialty, 1)),
        }
    }
    specialty.sort_by_key(|(c, k)| (std::cmp::Reverse(*k), c.map(|c| c as u8)));
    let count = |f: &dyn Fn(&Member) -> bool| members.iter().filter(|m| f(m)).count() as u32;
    let women = count(&|m| m.gender == Gender::Female);
    let minority = count(&|m| !m.ethnicity.is_empty() && m.ethnicity != "汉族");
    let non_party = count(&|m| !m.cpc);
    let local = count(&|m| m.local);
    let grassroots = count(&|m| m.grassroots);

    let mut warnings = Vec::new();
    for r in &rules.team {
        if !r.applies_to.is_empty() && !r.applies_to.contains(&unit.kind) {
            continue;
        }
        let broken = match &r.check {
            TeamCheck::MinWomen { min } => {
                (women < *min).then(|| format!("班子 {n} 人，女干部 {women} 人（应至少 {min} 人）"))
            }
            TeamCheck::MinNonParty { min } => (non_party < *min)
                .then(|| format!("班子 {n} 人，非中共党员 {non_party} 人（应至少 {min} 人）")),
            TeamCheck::MinUnderAge { age, min } => {
                let k = ages.iter().filter(|a| **a < *age as i32).count() as u32;
                (k < *min).then(|| format!("{age} 岁以下 {k} 人（应至少 {min} 人）"))
            }
            TeamCheck::MinShareUnderAge { age, share } => {
                let k = ages.iter().filter(|a| **a < *age as i32).count() as u32;
                (n > 0 && (k as f64) <= share * n as f64).then(|| {
                    format!(
                        "{age} 岁以下 {k} 人，占 {n} 人的 {:.0}%",
                        100.0 * k as f64 / n as f64
                    )
                })
            }
            TeamCheck::AgeCluster {
                span,
                share,
                min_members,
            } => {
                let (k, lo) = largest_cluster(&ages, *span as i32);
                (n >= *min_members && (k as f64) > share * n as f64).then(|| {
                    format!(
                        "{k} 人（共 {n} 人）年龄在 {lo}–{} 岁之间",
                        lo + *span as i32
                    )
                })
            }
        };
        if let Some(detail) = broken {
            warnings.push(Warning {
                rule_id: r.id.clone(),
                text: r.text.clone(),
                severity: r.severity,
                source: r.source.clone(),
                detail,
            });
        }
    }
    TeamProfile {
        unit: unit.id,
        unit_name: unit.name.clone(),
        kind: unit.kind,
        members,
        mean_age,
        age_bands,
        ages,
        education,
        specialty,
        women,
        minority,
        non_party,
        local,
        grassroots,
        warnings,
    }
}

/// The largest number of sorted ages within `span` years of each other, and the window's start.
pub fn largest_cluster(sorted: &[i32], span: i32) -> (u32, i32) {
    let mut best = (0u32, sorted.first().copied().unwrap_or(0));
    let mut lo = 0;
    for hi in 0..sorted.len() {
        while sorted[hi] - sorted[lo] > span {
            lo += 1;
        }
        let k = (hi - lo + 1) as u32;
        if k > best.0 {
            best = (k, sorted[lo]);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_are_found_at_their_span() {
        assert_eq!(largest_cluster(&[40, 41, 43, 50, 58], 3), (3, 40));
        assert_eq!(largest_cluster(&[40, 44, 48], 3), (1, 40));
        assert_eq!(largest_cluster(&[], 3), (0, 0));
    }
}
