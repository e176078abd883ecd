//! The reserve pool (后备干部库): each reserve cadre with target level and readiness, and the gaps
//! between the dossier and the target's prerequisites. Pure.

use crate::filter::eval::Ctx;
use crate::model::*;
use crate::promotion::{Gap, gaps};
use crate::rules::Promotion;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReserveEntry {
    pub id: DossierId,
    pub name: String,
    pub age: i32,
    pub post: String,
    pub unit: String,
    pub current_rank: Option<Rank>,
    pub target: Rank,
    pub target_post: String,
    pub readiness: Readiness,
    pub since: Option<PartialDate>,
    pub gaps: Vec<Gap>,
}

/// Every reserve cadre (status 后备 with reserve data), fewest gaps first, then by name.
pub fn pool(dossiers: &[Dossier], ctx: &Ctx, p: &Promotion) -> Vec<ReserveEntry> {
    let mut out: Vec<ReserveEntry> = dossiers
        .iter()
        .filter(|d| d.status == LifeCycle::Reserve)
        .filter_map(|d| {
            let r = d.reserve.as_ref()?;
            let cur = d.current_posting();
            Some(ReserveEntry {
                id: d.id,
                name: d.identity.name.clone(),
                age: d.age_on(&ctx.today),
                post: cur.map(|p| p.position.clone()).unwrap_or_default(),
                unit: cur
                    .map(|p| p.unit_display_name(ctx.units))
                    .unwrap_or_default(),
                current_rank: d.current_rank(),
                target: r.target,
                target_post: r.target_post.clone(),
                readiness: r.readiness,
                since: r.since,
                gaps: gaps(d, r.target, ctx, p),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.gaps
            .len()
            .cmp(&b.gaps.len())
            .then_with(|| a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id))
    });
    out
}
