//! What a filter means for one dossier. Dates are relative to the context's day: "the last N
//! years" of assessments are the N completed years before the current one (in 2026: 2023–2025);
//! training hours count courses started within N×12 months before the day. Pure: it reads only
//! the dossier and the unit directory it is given.

use super::ast::*;
use super::lexer::CmpOp;
use crate::model::*;

/// What evaluation needs besides the dossier.
pub struct Ctx<'a> {
    pub today: PartialDate,
    pub units: &'a UnitDirectory,
}

impl Expr {
    pub fn matches(&self, d: &Dossier, ctx: &Ctx) -> bool {
        match self {
            Expr::And(v) => v.iter().all(|e| e.matches(d, ctx)),
            Expr::Or(v) => v.iter().any(|e| e.matches(d, ctx)),
            Expr::Not(e) => !e.matches(d, ctx),
            Expr::Cond(c) => c.matches(d, ctx),
        }
    }
}

/// The unit of a posting, when it is in the directory.
fn unit_of<'a>(p: &Posting, ctx: &'a Ctx) -> Option<&'a Unit> {
    p.unit.and_then(|u| ctx.units.get(u))
}

/// Whether a posting was at the grassroots: a township, street or county-level unit; for a
/// unit not in the directory, judged from its name as written.
pub fn is_grassroots(p: &Posting, ctx: &Ctx) -> bool {
    match unit_of(p, ctx) {
        Some(u) => u.is_grassroots(),
        None => {
            let n = &p.unit_name;
            n.ends_with('乡') || n.ends_with('镇') || n.contains("街道") || n.contains('县')
        }
    }
}

/// Years served at the grassroots, overlapping postings counted once.
pub fn grassroots_years(d: &Dossier, ctx: &Ctx) -> f64 {
    merged_years(
        d.postings
            .iter()
            .filter(|p| is_grassroots(p, ctx))
            .map(|p| (p.start, p.end)),
        &ctx.today,
    )
}

/// Years covered by (start, end) spans, open ones ending on `today`, overlaps counted once.
pub fn merged_years(
    spans: impl Iterator<Item = (PartialDate, Option<PartialDate>)>,
    today: &PartialDate,
) -> f64 {
    let mut spans: Vec<(i32, i32)> = spans
        .map(|(start, end)| {
            let end = end.unwrap_or(*today);
            (
                start.month_index(),
                end.month_index().max(start.month_index()),
            )
        })
        .collect();
    spans.sort_unstable();
    let mut months = 0;
    let mut cur: Option<(i32, i32)> = None;
    for (s, e) in spans {
        match cur {
            Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                months += ce - cs;
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = cur {
        months += ce - cs;
    }
    months as f64 / 12.0
}

/// A posting's rank against a condition's: equal or not as ranks, else by height.
pub fn rank_holds(op: CmpOp, have: Rank, want: Rank) -> bool {
    match op {
        CmpOp::Eq => have == want,
        CmpOp::Ne => have != want,
        _ => op.holds(have.height(), want.height()),
    }
}

impl PostPred {
    pub fn matches(&self, p: &Posting, ctx: &Ctx) -> bool {
        let unit = unit_of(p, ctx);
        (!self.grassroots || is_grassroots(p, ctx))
            && self.role.is_none_or(|r| p.role == r)
            && self
                .unit_kind
                .is_none_or(|k| unit.is_some_and(|u| u.kind == k))
            && self
                .unit_level
                .is_none_or(|l| unit.is_some_and(|u| u.level == l))
            && self
                .rank
                .is_none_or(|(op, r)| p.rank.is_some_and(|pr| rank_holds(op, pr, r)))
            && self.concurrent.is_none_or(|c| p.concurrent == c)
            && self
                .portfolio
                .as_ref()
                .is_none_or(|s| p.portfolio.contains(s.as_str()))
            && self.unit.as_ref().is_none_or(|s| {
                unit.map(|u| u.name.as_str())
                    .unwrap_or(&p.unit_name)
                    .contains(s.as_str())
                    || p.unit_name.contains(s.as_str())
            })
            && self
                .position
                .as_ref()
                .is_none_or(|s| p.position.contains(s.as_str()))
    }
}

fn enum_values(field: EnumField, d: &Dossier) -> Vec<Value> {
    let highest = |kind: Option<EduKind>| d.highest_level(kind).map(Value::Edu);
    match field {
        EnumField::Gender => vec![Value::Gender(d.identity.gender)],
        EnumField::PoliticalStatus => vec![Value::Political(d.identity.political_status)],
        EnumField::Education => highest(None).into_iter().collect(),
        EnumField::FullTimeEducation => highest(Some(EduKind::FullTime)).into_iter().collect(),
        EnumField::InServiceEducation => highest(Some(EduKind::InService)).into_iter().collect(),
        EnumField::Degree => d
            .education
            .iter()
            .filter_map(|e| e.degree)
            .min() // Doctor < Master < Bachelor in declaration order: min is highest
            .map(Value::Degree)
            .into_iter()
            .collect(),
        EnumField::MajorCategory => d
            .education
            .iter()
            .filter_map(|e| e.category.or_else(|| MajorCategory::infer(&e.major)))
            .map(Value::Major)
            .collect(),
        EnumField::Rank => d.current_rank().map(Value::Rank).into_iter().collect(),
        EnumField::Status => vec![Value::Status(d.status)],
        EnumField::ReserveTarget => d
            .reserve
            .as_ref()
            .map(|r| Value::Rank(r.target))
            .into_iter()
            .collect(),
        EnumField::Readiness => d
            .reserve
            .as_ref()
            .map(|r| Value::Readiness(r.readiness))
            .into_iter()
            .collect(),
    }
}

/// Order within a vocabulary, higher is more (education, degree, rank).
pub fn height(v: &Value) -> i32 {
    match v {
        Value::Edu(l) => l.height() as i32,
        Value::Degree(g) => 3 - *g as i32,
        Value::Rank(r) => r.height() as i32,
        _ => 0,
    }
}

pub fn within_years(date: Option<PartialDate>, n: Option<u16>, today: &PartialDate) -> bool {
    match (n, date) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(n), Some(d)) => d.month_index() >= today.month_index() - 12 * n as i32 && d <= *today,
    }
}

impl Quant {
    /// Whether `hits` of the last `last` years satisfy the quantifier.
    pub fn holds(self, hits: u16, last: u16) -> bool {
        match self {
            Quant::Each => hits == last,
            Quant::Any => hits >= 1,
            Quant::AtLeast(k) => hits >= k,
        }
    }
}

impl Cond {
    pub fn matches(&self, d: &Dossier, ctx: &Ctx) -> bool {
        let today = &ctx.today;
        match self {
            Cond::Num { field, op, value } => {
                let v = match field {
                    NumField::Age(at) => Some(d.age_on(at.as_ref().unwrap_or(today)) as f64),
                    NumField::PartyYears => d.identity.party_entry.map(|p| p.years_until(today)),
                    NumField::WorkYears => d.identity.work_start.map(|p| p.years_until(today)),
                    NumField::YearsInPost => {
                        d.current_posting().map(|p| p.start.years_until(today))
                    }
                    NumField::YearsAtLevel => d.current_level_since().map(|s| s.years_until(today)),
                    NumField::GrassrootsYears => Some(grassroots_years(d, ctx)),
                    NumField::TrainingHours(n) => Some(
                        d.training
                            .iter()
                            .filter(|t| within_years(Some(t.start), Some(*n), today))
                            .map(|t| t.hours as f64)
                            .sum(),
                    ),
                };
                v.is_some_and(|v| op.holds(v, *value))
            }
            Cond::Enum { field, op, values } => {
                let target = &values[0];
                let have = enum_values(*field, d);
                match op {
                    CmpOp::Eq => have.contains(target),
                    CmpOp::Ne => !have.is_empty() && !have.contains(target),
                    _ => have.iter().any(|v| op.holds(height(v), height(target))),
                }
            }
            Cond::In { field, values } => enum_values(*field, d).iter().any(|v| values.contains(v)),
            Cond::Text { field, op, value } => {
                let texts: Vec<String> = match field {
                    TextField::Name => vec![d.identity.name.clone()],
                    TextField::Ethnicity => vec![d.identity.ethnicity.clone()],
                    TextField::NativePlace => vec![d.identity.native_place.clone()],
                    TextField::Birthplace => vec![d.identity.birthplace.clone()],
                    TextField::Major => d.education.iter().map(|e| e.major.clone()).collect(),
                    TextField::School => d.education.iter().map(|e| e.school.clone()).collect(),
                    TextField::Unit => d
                        .current_posting()
                        .map(|p| p.unit_display_name(ctx.units))
                        .into_iter()
                        .collect(),
                    TextField::Post => d
                        .current_posting()
                        .map(|p| p.position.clone())
                        .into_iter()
                        .collect(),
                };
                match op {
                    TextOp::Eq => texts.iter().any(|t| t == value),
                    TextOp::Ne => !texts.iter().any(|t| t == value),
                    TextOp::Contains => texts.iter().any(|t| t.contains(value.as_str())),
                }
            }
            Cond::Post { current, pred } => d
                .postings
                .iter()
                .filter(|p| !current || p.end.is_none())
                .any(|p| pred.matches(p, ctx)),
            Cond::PostCount { pred, op, count } => {
                let n = d.postings.iter().filter(|p| pred.matches(p, ctx)).count() as u32;
                op.holds(n, *count)
            }
            Cond::Grade { grade, last, quant } => {
                let first = today.y() - *last as i16;
                let hits = (first..today.y())
                    .filter(|y| d.assessment(*y).and_then(|a| a.grade) == Some(*grade))
                    .count() as u16;
                quant.holds(hits, *last)
            }
            Cond::Flag(flag) => match flag {
                Flag::Reserve => d.status == LifeCycle::Reserve,
                Flag::Punished(n) => d
                    .rewards
                    .iter()
                    .any(|r| r.kind.is_punishment() && within_years(r.date, *n, today)),
                Flag::Rewarded(n) => d
                    .rewards
                    .iter()
                    .any(|r| !r.kind.is_punishment() && within_years(r.date, *n, today)),
                Flag::HasFindings => !d.findings.is_empty(),
                Flag::OpenFindings => d.findings.iter().any(|f| !f.resolved),
                Flag::Probation => d
                    .current_posting()
                    .is_some_and(|p| p.probation && p.start.plus_years(1) > *today),
            },
        }
    }
}
