//! Alerts at scale: the facts say which cadres *might* break a supervision rule, and only
//! their dossiers are read and checked by `alerts::person_alerts` (the one definition of each
//! rule); teams are read through the facts' seats. The screen is a superset of every rule's
//! condition, so the answer is exactly `alerts::scan`'s; tests hold the two equal.

use std::borrow::Cow;

use crate::alerts::{Alert, person_alerts, sort, teams_alerts};
use crate::filter::eval::Ctx;
use crate::model::*;
use crate::promotion::required_years_at_level;
use crate::reserve::ReserveEntry;
use crate::rules::{Rules, SupervisionCheck};
use crate::store::Store;
use crate::team::TeamIndex;

use super::{Facts, Person};

/// Whether any supervision rule could fire for this person: each rule's condition weakened
/// to what the facts hold (never stronger than the rule, so no alert is missed).
pub fn might_alert(f: &Facts, p: &Person, ctx: &Ctx, rules: &Rules) -> bool {
    if p.status == LifeCycle::Retired {
        return false;
    }
    let today = &ctx.today;
    let posts = f.posts(p);
    let cur = f.current(p);
    rules.supervision.iter().any(|r| match &r.check {
        SupervisionCheck::TenurePost { years } => cur.is_some_and(|c| {
            c.rank.is_some_and(Rank::is_leadership) && c.start.years_until(today) >= *years as f64
        }),
        SupervisionCheck::TenureLevel { years } => {
            p.rank.is_some_and(Rank::is_leadership)
                && p.level_since
                    .is_some_and(|s| s.years_until(today) >= *years as f64)
        }
        SupervisionCheck::HomePrincipal {} => posts.iter().any(|x| {
            x.end.is_none()
                && x.role == PostRole::Principal
                && x.unit_kind.is_some_and(UnitKind::home_avoidance)
                && x.unit_level == Some(UnitLevel::County)
                && x.unit
                    .and_then(|u| ctx.units.region_at(u, UnitLevel::County))
                    .is_some_and(|county| {
                        let c = county.name.as_str();
                        !c.is_empty()
                            && (f.pool.get(p.native_place).contains(c)
                                || f.pool.get(p.birthplace).contains(c))
                    })
        }),
        SupervisionCheck::FamilyBusiness {} => {
            p.family_business
                && posts.iter().any(|x| {
                    x.end.is_none()
                        && x.role == PostRole::Principal
                        && x.unit
                            .and_then(|u| ctx.units.get(u))
                            .is_some_and(|u| !u.regulates.is_empty())
                })
        }
        SupervisionCheck::RelativeInUnit { .. } => p.family_employed,
        SupervisionCheck::BusinessSinceReport {} => p
            .last_report
            .is_some_and(|last| p.family_business_latest.is_some_and(|r| r > last)),
        SupervisionCheck::ProbationEnding { within_months } => posts.iter().any(|x| {
            x.end.is_none()
                && x.probation
                && (x.start.plus_years(1).month_index() - today.month_index()).abs()
                    <= *within_months as i32
        }),
        SupervisionCheck::OpenFinding {} => p.open_findings > 0,
        SupervisionCheck::PromotionEligible {} => {
            let (Some(rank), Some(since)) = (p.rank, p.level_since) else {
                return false;
            };
            let Some(need) = rank
                .next_up()
                .and_then(|t| required_years_at_level(rank, t, &rules.promotion))
            else {
                return false;
            };
            let have = since.years_until(today);
            have >= need && have < need + 1.0
        }
    })
}

/// Every alert, as `alerts::scan` gives them, reading from `dossier` (by position in the
/// facts) only the cadres the facts cannot clear and the members of each team. The screen
/// runs across the machine's cores.
pub fn scan<'a>(
    f: &Facts,
    ctx: &Ctx,
    rules: &Rules,
    dossier: impl Fn(usize) -> Option<Cow<'a, Dossier>> + Sync,
) -> Vec<Alert> {
    let n = f.people.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    let chunk = n.div_ceil(threads).max(1);
    let index = TeamIndex::from_facts(f);
    let mut team_units: Vec<UnitId> = index.units().collect();
    team_units.sort_unstable();
    let team_chunk = team_units.len().div_ceil(threads).max(1);
    let (dossier, index, team_units) = (&dossier, &index, &team_units);
    // Each thread takes a share of the cadres and a share of the teams.
    let mut out: Vec<Alert> = std::thread::scope(|s| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    for i in (t * chunk).min(n)..((t + 1) * chunk).min(n) {
                        if might_alert(f, &f.people[i], ctx, rules)
                            && let Some(d) = dossier(i)
                        {
                            person_alerts(&d, ctx, rules, &mut out);
                        }
                    }
                    let mine = &team_units[(t * team_chunk).min(team_units.len())
                        ..((t + 1) * team_chunk).min(team_units.len())];
                    out.extend(teams_alerts(mine, index, ctx, rules, dossier));
                    out
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().expect("an alert thread panicked"))
            .collect()
    });
    sort(&mut out);
    out
}

/// Every alert, reading from the store only the dossiers the facts cannot clear and the
/// teams' members (what the alerts pane and `cadre alerts` show).
pub fn scan_store(f: &Facts, ctx: &Ctx, rules: &Rules, store: &Store) -> Vec<Alert> {
    scan(f, ctx, rules, |i| read(store, f, i))
}

/// The reserve pool, reading only the reserve cadres' dossiers.
pub fn reserve_store(f: &Facts, ctx: &Ctx, rules: &Rules, store: &Store) -> Vec<ReserveEntry> {
    let reserve: Vec<Dossier> = (0..f.people.len())
        .filter(|&i| f.people[i].status == LifeCycle::Reserve)
        .filter_map(|i| read(store, f, i).map(Cow::into_owned))
        .collect();
    crate::reserve::pool(&reserve, ctx, &rules.promotion)
}

/// The dossier of the person at position `i`, from the store (an unreadable one is logged
/// by id and left out).
pub fn read<'a>(store: &Store, f: &Facts, i: usize) -> Option<Cow<'a, Dossier>> {
    let id = f.people.get(i)?.id;
    match store.dossier(id) {
        Ok(d) => d.map(Cow::Owned),
        Err(e) => {
            tracing::warn!("cannot read dossier #{id}: {e}");
            None
        }
    }
}

/// How many people the facts cannot clear (for the benchmark's report).
pub fn screened(f: &Facts, ctx: &Ctx, rules: &Rules) -> usize {
    f.people
        .iter()
        .filter(|p| might_alert(f, p, ctx, rules))
        .count()
}
