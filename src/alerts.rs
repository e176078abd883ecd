//! Supervision alerts over the whole database: every supervision rule applied to every serving
//! cadre, and every team rule to every team. Each alert names its rule and its subject (a
//! dossier or a team). Pure: it reads dossiers and units already loaded.

use crate::filter::eval::Ctx;
use crate::model::*;
use crate::promotion::{gaps, required_years_at_level};
use crate::rules::{Rules, Severity, SupervisionCheck};
use std::borrow::Cow;

use crate::team::{TeamIndex, is_native_of, members_with, profile};

/// What an alert is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Subject {
    Dossier(DossierId),
    Team(UnitId),
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Alert {
    pub rule_id: String,
    pub rule_text: String,
    pub severity: Severity,
    pub source: String,
    pub subject: Subject,
    /// The person's name, or the team's unit name.
    pub name: String,
    /// The unit concerned (the person's current unit, or the team's).
    pub unit: Option<UnitId>,
    pub unit_name: String,
    /// The facts behind the alert.
    pub detail: String,
}

impl Alert {
    /// A stable key for marking the alert reviewed.
    pub fn key(&self) -> String {
        match self.subject {
            Subject::Dossier(id) => format!("{}#d{id}", self.rule_id),
            Subject::Team(u) => format!("{}#u{u}", self.rule_id),
        }
    }
}

/// Every alert, most severe first, then by unit and name. The cadres are split across the
/// machine's cores.
pub fn scan(dossiers: &[Dossier], ctx: &Ctx, rules: &Rules) -> Vec<Alert> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    let chunk = dossiers.len().div_ceil(threads).max(1);
    let mut out: Vec<Alert> = std::thread::scope(|s| {
        // The teams on a thread of their own, beside the cadres split across the cores.
        let teams = s.spawn(|| {
            let index = TeamIndex::build(dossiers);
            team_alerts(&index, ctx, rules, |i| dossiers.get(i).map(Cow::Borrowed))
        });
        let parts: Vec<_> = dossiers
            .chunks(chunk)
            .map(|part| s.spawn(move || people_alerts(part.iter(), ctx, rules)))
            .collect();
        let mut out: Vec<Alert> = parts
            .into_iter()
            .flat_map(|h| h.join().expect("an alert thread panicked"))
            .collect();
        out.extend(teams.join().expect("the team alert thread panicked"));
        out
    });
    sort(&mut out);
    out
}

/// The alerts about each cadre who is not retired.
pub fn people_alerts<'a>(
    dossiers: impl Iterator<Item = &'a Dossier>,
    ctx: &Ctx,
    rules: &Rules,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for d in dossiers.filter(|d| d.status != LifeCycle::Retired) {
        person_alerts(d, ctx, rules, &mut out);
    }
    out
}

/// The team rules over every team of the index, each seat's dossier got by its position.
pub fn team_alerts<'a>(
    index: &TeamIndex,
    ctx: &Ctx,
    rules: &Rules,
    dossier: impl FnMut(usize) -> Option<Cow<'a, Dossier>>,
) -> Vec<Alert> {
    let mut team_units: Vec<UnitId> = index.units().collect();
    team_units.sort_unstable();
    teams_alerts(&team_units, index, ctx, rules, dossier)
}

/// The team rules over the teams of the given units.
pub fn teams_alerts<'a>(
    team_units: &[UnitId],
    index: &TeamIndex,
    ctx: &Ctx,
    rules: &Rules,
    mut dossier: impl FnMut(usize) -> Option<Cow<'a, Dossier>>,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for &u in team_units {
        let Some(unit) = ctx.units.get(u) else {
            continue;
        };
        let p = profile(unit, members_with(u, index, ctx, &mut dossier), rules);
        for w in p.warnings {
            out.push(Alert {
                rule_id: w.rule_id,
                rule_text: w.text,
                severity: w.severity,
                source: w.source,
                subject: Subject::Team(u),
                name: unit.name.clone(),
                unit: Some(u),
                unit_name: unit.name.clone(),
                detail: w.detail,
            });
        }
    }
    out
}

/// Most severe first, then by unit, subject and rule.
pub fn sort(out: &mut [Alert]) {
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.unit_name.cmp(&b.unit_name))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
}

/// The alerts about one cadre.
pub fn person_alerts(d: &Dossier, ctx: &Ctx, rules: &Rules, out: &mut Vec<Alert>) {
    let today = &ctx.today;
    let cur = d.current_posting();
    let rank_now = d.current_rank();
    let level_since = rank_now.and_then(|_| d.current_level_since());
    // Spouse, children and their spouses who run businesses; relatives employed in a unit.
    let binds = |m: &&FamilyMember| {
        !m.businesses.is_empty() && RelationKind::classify(&m.relation).business_binds()
    };
    let has_business = d.family.iter().any(|m| binds(&m));
    let has_employed = d.family.iter().any(|m| m.employer_unit.is_some());
    let push = |out: &mut Vec<Alert>,
                rule: &crate::rules::Rule<SupervisionCheck>,
                p: Option<&Posting>,
                detail: String| {
        out.push(Alert {
            rule_id: rule.id.clone(),
            rule_text: rule.text.clone(),
            severity: rule.severity,
            source: rule.source.clone(),
            subject: Subject::Dossier(d.id),
            name: d.identity.name.clone(),
            unit: p.and_then(|p| p.unit),
            unit_name: p
                .map(|p| p.unit_display_name(ctx.units))
                .unwrap_or_default(),
            detail,
        });
    };
    // Tenure in one post: only the highest threshold reached fires.
    if let Some(p) = cur.filter(|p| p.rank.is_some_and(Rank::is_leadership)) {
        let held = p.start.years_until(today);
        let best = rules
            .supervision
            .iter()
            .filter_map(|r| match r.check {
                SupervisionCheck::TenurePost { years } if held >= years as f64 => Some((years, r)),
                _ => None,
            })
            .max_by_key(|(y, _)| *y);
        if let Some((_, r)) = best {
            push(
                out,
                r,
                Some(p),
                format!(
                    "自 {} 任{}，已 {:.1} 年",
                    p.start.dotted(),
                    p.position,
                    held
                ),
            );
        }
    }
    for r in &rules.supervision {
        match &r.check {
            SupervisionCheck::TenurePost { .. } => {}
            SupervisionCheck::TenureLevel { years } => {
                if let (Some(rank), Some(since)) = (rank_now, level_since)
                    && rank.is_leadership()
                {
                    let y = since.years_until(today);
                    if y >= *years as f64 {
                        push(
                            out,
                            r,
                            cur,
                            format!(
                                "{} 层次自 {} 起累计 {:.1} 年",
                                rank.label(),
                                since.dotted(),
                                y
                            ),
                        );
                    }
                }
            }
            SupervisionCheck::HomePrincipal {} => {
                for p in d
                    .postings
                    .iter()
                    .filter(|p| p.end.is_none() && p.role == PostRole::Principal)
                {
                    let Some(unit) = p.unit.and_then(|u| ctx.units.get(u)) else {
                        continue;
                    };
                    if !unit.kind.home_avoidance() || unit.level != UnitLevel::County {
                        continue;
                    }
                    if let Some(county) = ctx.units.region_at(unit.id, UnitLevel::County)
                        && is_native_of(d, &county.name)
                    {
                        let home = if d.identity.birthplace.contains(&county.name) {
                            &d.identity.birthplace
                        } else {
                            &d.identity.native_place
                        };
                        push(
                            out,
                            r,
                            Some(p),
                            format!("任{}{}，籍贯/出生地为{}", unit.name, p.position, home),
                        );
                    }
                }
            }
            SupervisionCheck::FamilyBusiness {} if has_business => {
                for p in d
                    .postings
                    .iter()
                    .filter(|p| p.end.is_none() && p.role == PostRole::Principal)
                {
                    let Some(unit) = p.unit.and_then(|u| ctx.units.get(u)) else {
                        continue;
                    };
                    for m in d.family.iter().filter(binds) {
                        for b in &m.businesses {
                            if let Some(field) = unit
                                .regulates
                                .iter()
                                .find(|f| b.industry.contains(f.as_str()))
                            {
                                push(
                                    out,
                                    r,
                                    Some(p),
                                    format!(
                                        "{}{}经营{}（{}），属{}监管领域“{}”",
                                        m.relation, m.name, b.name, b.industry, unit.name, field
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            SupervisionCheck::RelativeInUnit { sensitive_posts } if has_employed => {
                let led: Vec<UnitId> = d
                    .postings
                    .iter()
                    .filter(|p| p.end.is_none() && p.role == PostRole::Principal)
                    .filter_map(|p| p.unit)
                    .collect();
                let own: Vec<UnitId> = d
                    .postings
                    .iter()
                    .filter(|p| p.end.is_none())
                    .filter_map(|p| p.unit)
                    .collect();
                for m in &d.family {
                    let Some(eu) = m.employer_unit else { continue };
                    let same = own.contains(&eu);
                    let sensitive = sensitive_posts.iter().any(|s| m.post.contains(s.as_str()));
                    let under_led = led.iter().any(|l| ctx.units.is_within(eu, *l));
                    if same || (under_led && sensitive) {
                        let where_ = ctx
                            .units
                            .get(eu)
                            .map(|u| u.name.as_str())
                            .unwrap_or(&m.employer);
                        push(
                            out,
                            r,
                            cur,
                            format!("{}{}在{}任{}", m.relation, m.name, where_, m.post),
                        );
                    }
                }
            }
            SupervisionCheck::BusinessSinceReport {} if has_business => {
                let Some(last) = d.last_report else { continue };
                for m in d.family.iter().filter(binds) {
                    for b in &m.businesses {
                        if let Some(reg) = b.registered
                            && reg > last
                        {
                            push(
                                out,
                                r,
                                cur,
                                format!(
                                    "{}{}的{}于 {} 登记，晚于上次报告 {}",
                                    m.relation,
                                    m.name,
                                    b.name,
                                    reg.dotted(),
                                    last.dotted()
                                ),
                            );
                        }
                    }
                }
            }
            SupervisionCheck::ProbationEnding { within_months } => {
                for p in d.postings.iter().filter(|p| p.end.is_none() && p.probation) {
                    let ends = p.start.plus_years(1);
                    let months_left = ends.month_index() - today.month_index();
                    // Ending within the window, or ended within it and not yet recorded as
                    // confirmed; older flags are data to tidy, not a supervision alert.
                    if months_left.abs() <= *within_months as i32 {
                        let when = if months_left < 0 { "已于" } else { "将于" };
                        push(
                            out,
                            r,
                            Some(p),
                            format!("{}试用期{} {} 届满", p.position, when, ends.dotted()),
                        );
                    }
                }
            }
            SupervisionCheck::OpenFinding {} => {
                for f in d.findings.iter().filter(|f| !f.resolved) {
                    push(
                        out,
                        r,
                        cur,
                        format!("{} {}：{}", f.date.dotted(), f.source, f.summary),
                    );
                }
            }
            SupervisionCheck::FamilyBusiness {}
            | SupervisionCheck::RelativeInUnit { .. }
            | SupervisionCheck::BusinessSinceReport {} => {}
            SupervisionCheck::PromotionEligible {} => {
                // Reached within the last year: the years-at-level requirement was crossed in the
                // last 12 months and nothing else is missing.
                let (Some(rank), Some(since)) = (rank_now, level_since) else {
                    continue;
                };
                let Some(target) = rank.next_up() else {
                    continue;
                };
                let Some(need) = required_years_at_level(rank, target, &rules.promotion) else {
                    continue;
                };
                let have = since.years_until(today);
                if have >= need
                    && have < need + 1.0
                    && gaps(d, target, ctx, &rules.promotion).is_empty()
                {
                    push(
                        out,
                        r,
                        cur,
                        format!(
                            "{}已 {:.1} 年，具备提任{}的基本条件",
                            rank.label(),
                            have,
                            target.label()
                        ),
                    );
                }
            }
        }
    }
}
