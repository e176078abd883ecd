//! Careers of demo cadres: the ladder of closed postings from 科员 up to the current post,
//! placed in plausible units (grassroots first, exchanges between counties higher up) with
//! tenures of about 2–5 years fitted exactly between work start and the current post. Pure
//! function of the plan and a random generator; it must not decide the current post itself.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::{pick, weighted};
use super::plan::{FIRST_BUREAU, Plan};
use crate::model::{PartialDate, PostRole, Posting, Rank, UnitId, UnitKind, UnitLevel};

/// A month as an index (year * 12 + month - 1) and back.
pub(crate) fn month(idx: i32) -> PartialDate {
    PartialDate::ym((idx / 12) as i16, (idx % 12 + 1) as u8).expect("month index in range")
}

/// Where a career is headed: the person's home county, the region of the last post, the
/// current post's height, kind and unit (a county head was not county party secretary before,
/// nor held the same post already), and whether the person is a CPC member (others never held
/// party posts).
pub(crate) struct Path<'a> {
    pub plan: &'a Plan,
    pub home: usize,
    pub region: usize,
    pub top: Option<(u8, UnitKind, UnitId)>,
    pub cpc: bool,
}

/// Words that mark a post only a CPC member holds.
const PARTY_POST_WORDS: &[&str] = &["党", "书记", "委常委", "常务", "纪", "组织部", "政委"];

/// The posts below the top: one or two per height from 0 (科员) to `top - 1`, ascending; with
/// `include_top` also one or two at `top` (for cadres who ended their climb there).
pub(crate) fn ladder_heights(top: u8, include_top: bool, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut hs = vec![0];
    if rng.gen_bool(0.25) {
        hs.push(0);
    }
    let last = if include_top {
        top
    } else {
        top.saturating_sub(1)
    };
    for h in 1..=last {
        hs.push(h);
        // 县处级 and above normally served in two posts at the level below.
        let p = if h + 1 == top && top >= 3 { 0.75 } else { 0.4 };
        if rng.gen_bool(p) {
            hs.push(h);
        }
    }
    hs
}

/// Fits post lengths (months) to exactly `span`, dropping or adding lateral posts as needed.
fn fit(hs: &mut Vec<u8>, span: i32, rng: &mut ChaCha8Rng) -> Vec<i32> {
    let raw = |h: u8, rng: &mut ChaCha8Rng| {
        if h == 0 {
            rng.gen_range(18..=48)
        } else {
            rng.gen_range(26..=60)
        }
    };
    let mut d: Vec<i32> = hs.iter().map(|&h| raw(h, rng)).collect();
    while d.iter().sum::<i32>() > span {
        match (1..hs.len()).rev().find(|&i| hs[i] == hs[i - 1]) {
            Some(i) => {
                hs.remove(i);
                d.remove(i);
            }
            None => break,
        }
    }
    let mut added = 0;
    // Lateral posts go below the top height, so time at one level does not pile up.
    let top = hs.iter().copied().max().unwrap_or(0);
    let below: Vec<u8> = hs.iter().copied().filter(|&h| h < top).collect();
    while (d.iter().sum::<i32>() as f64) * 1.8 < span as f64 && added < 6 {
        let h = if below.is_empty() {
            top
        } else {
            below[rng.gen_range(0..below.len())]
        };
        let at = hs.iter().rposition(|&x| x == h).map_or(hs.len(), |i| i + 1);
        hs.insert(at, h);
        d.insert(at, raw(h, rng));
        added += 1;
    }
    let n = d.len() as i32;
    if span <= 0 {
        return vec![0; d.len()];
    }
    let floor = 10.min(span / n.max(1)).max(1);
    let total: i32 = d.iter().sum();
    let mut out: Vec<i32> = d
        .iter()
        .map(|&x| ((x as i64 * span as i64 / total.max(1) as i64) as i32).max(floor))
        .collect();
    let mut diff = span - out.iter().sum::<i32>();
    let len = out.len();
    let mut i = 0;
    while diff != 0 && i < 10_000 {
        let k = len - 1 - (i % len);
        if diff > 0 {
            out[k] += 1;
            diff -= 1;
        } else if out[k] > floor {
            out[k] -= 1;
            diff += 1;
        }
        i += 1;
    }
    out
}

/// Internal division names for posts inside prefecture and provincial organs.
const PREF_DIVISIONS: &[&str] = &[
    "办公室",
    "综合科",
    "政策法规科",
    "财务科",
    "人事科",
    "规划科",
];
const PROV_DIVISIONS: &[&str] = &[
    "办公室",
    "综合处",
    "政策法规处",
    "规划处",
    "人事处",
    "财务处",
];

const PORTFOLIOS: &[&str] = &[
    "分管农业农村、水利工作",
    "分管工业、交通运输工作",
    "分管教育、卫生健康工作",
    "分管城乡建设、自然资源工作",
    "分管财政、金融工作",
    "分管文化旅游、体育工作",
    "分管市场监管、安全生产工作",
    "分管民政、人力资源和社会保障工作",
    "分管党建、组织工作",
    "分管综合治理、信访工作",
];

pub(crate) fn portfolio(rng: &mut ChaCha8Rng) -> String {
    pick(rng, PORTFOLIOS).to_string()
}

/// One post of the ladder before dates are known.
pub(crate) struct Post {
    pub unit: Option<UnitId>,
    pub unit_name: String,
    pub position: String,
    pub rank: Option<Rank>,
    pub role: PostRole,
}

impl Path<'_> {
    fn counties_of(&self, pref: Option<usize>) -> &[usize] {
        match pref {
            Some(p) if !self.plan.regions[p].children.is_empty() => &self.plan.regions[p].children,
            _ => &self.plan.counties,
        }
    }

    /// The region a post at height `h` is taken in.
    fn region_for(&self, h: u8, rng: &mut ChaCha8Rng) -> usize {
        let plan = self.plan;
        let cur = self.region;
        let level = plan.regions[cur].level;
        let cur_pref = plan.prefecture_of(cur);
        let home_pref = plan.prefecture_of(self.home);
        let x: f64 = rng.gen_range(0.0..1.0);
        let r = match (h, level) {
            // Grassroots years are spent mostly in one county.
            (0..=1, UnitLevel::County) => {
                if x < 0.85 {
                    self.home
                } else if x < 0.95 {
                    cur
                } else {
                    *pick(rng, self.counties_of(cur_pref))
                }
            }
            (2, UnitLevel::County) => {
                if x < 0.55 {
                    self.home
                } else if x < 0.85 {
                    cur
                } else {
                    *pick(rng, self.counties_of(cur_pref))
                }
            }
            (0..=2, UnitLevel::Prefecture) => {
                if x < 0.45 {
                    self.home
                } else if x < 0.6 {
                    *pick(rng, self.counties_of(cur_pref))
                } else {
                    cur
                }
            }
            (0..=2, _) => {
                if x < 0.55 {
                    self.home
                } else if x < 0.7 {
                    home_pref.unwrap_or(0)
                } else {
                    0
                }
            }
            (3..=4, UnitLevel::County) => {
                if x < 0.5 {
                    cur
                } else {
                    *pick(rng, self.counties_of(cur_pref))
                }
            }
            (3..=4, UnitLevel::Prefecture) => {
                if x < 0.55 {
                    *pick(rng, self.counties_of(cur_pref))
                } else {
                    cur
                }
            }
            (3..=4, _) => {
                if x < 0.4 {
                    *pick(rng, self.counties_of(home_pref))
                } else if x < 0.7 {
                    home_pref.unwrap_or(0)
                } else {
                    0
                }
            }
            (5..=6, UnitLevel::Prefecture) => {
                if x < 0.75 {
                    cur
                } else {
                    *pick(rng, &plan.prefectures)
                }
            }
            (5..=6, _) if x < 0.5 => *pick(rng, &plan.prefectures),
            _ => 0,
        };
        // Go up until the region can host the height.
        let mut r = r;
        while h > plan.regions[r].offset() + 4 {
            match plan.regions[r].parent {
                Some(p) => r = p,
                None => break,
            }
        }
        r
    }

    /// A post at height `h` somewhere along the path.
    pub fn post_at(&self, h: u8, rng: &mut ChaCha8Rng) -> Post {
        let r = self.region_for(h, rng);
        let mut post = post_in(self.plan, r, h, rng);
        for _ in 0..12 {
            if self.fits(h, &post) {
                break;
            }
            post = post_in(self.plan, r, h, rng);
        }
        post
    }

    fn fits(&self, h: u8, post: &Post) -> bool {
        let kind = post.unit.map(|u| self.plan.unit(u).kind);
        if !self.cpc
            && (PARTY_POST_WORDS.iter().any(|w| post.position.contains(w))
                || matches!(
                    kind,
                    Some(UnitKind::PartyCommittee | UnitKind::Discipline | UnitKind::Organization)
                ))
        {
            return false;
        }
        match self.top {
            Some((top, top_kind, top_unit)) if top == h => {
                post.unit != Some(top_unit)
                    && !(top_kind == UnitKind::Government && kind == Some(UnitKind::PartyCommittee))
            }
            _ => true,
        }
    }
}

fn unit_post(
    plan: &Plan,
    unit: UnitId,
    position: String,
    rank: Option<Rank>,
    role: PostRole,
) -> Post {
    Post {
        unit: Some(unit),
        unit_name: plan.unit(unit).name.clone(),
        position,
        rank,
        role,
    }
}

/// A post at absolute height `h` in region `r`.
pub(crate) fn post_in(plan: &Plan, r: usize, h: u8, rng: &mut ChaCha8Rng) -> Post {
    let region = &plan.regions[r];
    let off = region.offset();
    let organs = &region.organs;
    let bureau = |rng: &mut ChaCha8Rng| *pick(rng, region.bureaus());
    let any_organ = |rng: &mut ChaCha8Rng| {
        if rng.gen_bool(0.7) {
            bureau(rng)
        } else {
            *pick(rng, &organs[..FIRST_BUREAU])
        }
    };
    if h == 0 {
        let unit = if region.level == UnitLevel::County && rng.gen_bool(0.6) {
            *pick(rng, region.locals())
        } else {
            any_organ(rng)
        };
        return unit_post(plan, unit, "科员".into(), None, PostRole::Member);
    }
    if h <= off {
        let unit = any_organ(rng);
        let post = if off == 2 {
            let div = pick(rng, PREF_DIVISIONS);
            match h {
                1 => (format!("{div}副科长"), Rank::TownshipDeputy),
                _ => (format!("{div}科长"), Rank::TownshipPrincipal),
            }
        } else {
            let div = pick(rng, PROV_DIVISIONS);
            match h {
                1 => ("副主任科员".to_string(), Rank::Clerk3),
                2 => ("主任科员".to_string(), Rank::Clerk1),
                3 => (format!("{div}副处长"), Rank::CountyDeputy),
                _ => (format!("{div}处长"), Rank::CountyPrincipal),
            }
        };
        return unit_post(plan, unit, post.0, Some(post.1), PostRole::Member);
    }
    let rh = h - off;
    let county = region.level == UnitLevel::County;
    let kinds_d = [
        UnitKind::Discipline,
        UnitKind::Organization,
        UnitKind::Court,
        UnitKind::Procuratorate,
        UnitKind::PublicSecurity,
    ];
    let unit = match rh {
        1 => match *weighted(rng, &[(0u8, if county { 55 } else { 0 }), (1, 35), (2, 10)]) {
            0 => *pick(rng, region.locals()),
            1 => bureau(rng),
            _ => region.organ(*pick(
                rng,
                &[UnitKind::Organization, UnitKind::PublicSecurity],
            )),
        },
        2 => match *weighted(rng, &[(0u8, if county { 50 } else { 0 }), (1, 35), (2, 15)]) {
            0 => *pick(rng, region.locals()),
            1 => bureau(rng),
            _ => region.organ(*pick(rng, &kinds_d)),
        },
        // Congress and CPPCC posts usually end a career; they are rare on the way up.
        3 => match *weighted(rng, &[(0u8, 40), (1, 25), (2, 3), (3, 3), (4, 29)]) {
            0 => region.organ(UnitKind::Government),
            1 => region.organ(UnitKind::PartyCommittee),
            2 => region.organ(UnitKind::PeoplesCongress),
            3 => region.organ(UnitKind::Cppcc),
            _ => region.organ(*pick(rng, &kinds_d)),
        },
        _ => match *weighted(rng, &[(0u8, 60), (1, 34), (2, 3), (3, 3)]) {
            0 => region.organ(UnitKind::Government),
            1 => region.organ(UnitKind::PartyCommittee),
            2 => region.organ(UnitKind::PeoplesCongress),
            _ => region.organ(UnitKind::Cppcc),
        },
    };
    let slots: Vec<_> = plan
        .template(unit)
        .into_iter()
        .filter(|s| s.rank.height() == h)
        .collect();
    match slots.len() {
        0 => {
            // Every region has bureaus with deputies and heads one or two levels up.
            let unit = bureau(rng);
            let t = plan.template(unit);
            let s = &t[if h > off + 1 { 0 } else { t.len() - 1 }];
            unit_post(plan, unit, s.position.clone(), Some(s.rank), s.role)
        }
        n => {
            let s = &slots[rng.gen_range(0..n)];
            unit_post(plan, unit, s.position.clone(), Some(s.rank), s.role)
        }
    }
}

/// Deputies of governments, townships and streets carry a portfolio (分管工作).
pub(crate) fn has_portfolio(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::Government | UnitKind::Township | UnitKind::Street
    )
}

/// Whether a first appointment to this kind of unit carries the one-year probation (elected
/// posts in congresses, governments and party committees do not).
pub(crate) fn probation_kind(kind: UnitKind) -> bool {
    matches!(
        kind,
        UnitKind::Bureau | UnitKind::Organization | UnitKind::PublicSecurity | UnitKind::Street
    )
}

/// Builds the closed postings of a ladder filling the months [from, to) exactly.
pub(crate) fn ladder(
    path: &Path,
    mut hs: Vec<u8>,
    outside_first: Option<(String, String)>,
    from: i32,
    to: i32,
    rng: &mut ChaCha8Rng,
) -> Vec<Posting> {
    let span = to - from;
    if span <= 0 {
        return Vec::new();
    }
    if outside_first.is_some() && hs.iter().filter(|&&h| h == 0).count() < 2 {
        hs.insert(0, 0);
    }
    let months = fit(&mut hs, span, rng);
    let mut out = Vec::with_capacity(hs.len());
    let mut start = from;
    let mut outside = outside_first;
    for (i, (&h, &len)) in hs.iter().zip(&months).enumerate() {
        if len <= 0 {
            continue;
        }
        let post = match (i, outside.take()) {
            (0, Some((unit_name, position))) => Post {
                unit: None,
                unit_name,
                position,
                rank: None,
                role: PostRole::Member,
            },
            _ => path.post_at(h, rng),
        };
        let kind = post.unit.map(|u| path.plan.unit(u).kind);
        let portfolio = if post.role == PostRole::Deputy
            && kind.is_some_and(has_portfolio)
            && rng.gen_bool(0.5)
        {
            portfolio(rng)
        } else {
            String::new()
        };
        out.push(Posting {
            start: month(start),
            end: Some(month(start + len)),
            unit: post.unit,
            unit_name: post.unit_name,
            position: post.position,
            rank: post.rank,
            role: post.role,
            portfolio,
            concurrent: false,
            probation: false,
        });
        start += len;
    }
    out
}

/// Marks first appointments at a higher rank under probation, for the kinds that have it.
pub(crate) fn mark_probation(plan: &Plan, postings: &mut [Posting]) {
    let mut best = 0u8;
    for p in postings.iter_mut() {
        let h = p
            .rank
            .filter(|r| r.is_leadership())
            .map_or(0, |r| r.height());
        let kind = p.unit.map(|u| plan.unit(u).kind);
        if h > best && !p.concurrent {
            p.probation = p.start.y() >= 2000
                && p.role != PostRole::Member
                && kind.is_some_and(probation_kind);
            best = h;
        }
    }
}
