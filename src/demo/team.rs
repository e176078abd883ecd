//! Leadership teams of the demo province: the slots of each unit's team (title, rank, role,
//! concurrent post) and the sketch of one region's people (gender, birth, home, politics,
//! planted marks) decided together so that teams look like teams — at least one woman, ages
//! spread — except where a problem is planted. It must not build whole dossiers.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::AS_OF;
use super::names::pick;
use super::plan::{Mark, Plan, TAG_BLOCK, rng_for};
use crate::model::{DossierId, Gender, PostRole, Rank, Unit, UnitId, UnitKind, UnitLevel};

/// One place in a unit's leadership team.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub position: String,
    pub rank: Rank,
    pub role: PostRole,
    /// A post held concurrently in the region's party committee (position, role).
    pub concurrent: Option<(String, PostRole)>,
    /// How likely the seat goes to a non-CPC cadre, in percent.
    pub nonparty: u8,
}

fn slot(position: String, height: u8, role: PostRole) -> Slot {
    Slot {
        position,
        rank: Rank::leadership_at(height.clamp(1, 10)).unwrap_or(Rank::TownshipDeputy),
        role,
        concurrent: None,
        nonparty: 0,
    }
}

/// The team slots of a unit. `cluster` forces the planted age-clustered team to a fixed size.
pub(crate) fn template(
    unit: &Unit,
    region: &super::plan::Region,
    cluster: bool,
    rng: &mut ChaCha8Rng,
) -> Vec<Slot> {
    use PostRole::{Deputy as D, Member as M, Principal as P};
    let p = region.prefix();
    let o = region.offset();
    let mut t = Vec::new();
    let deputies = |rng: &mut ChaCha8Rng, lo: usize, hi: usize| rng.gen_range(lo..=hi);
    match unit.kind {
        UnitKind::PartyCommittee => {
            t.push(slot(format!("{p}委书记"), 4 + o, P));
            t.push(slot(format!("{p}委副书记"), 3 + o, D));
            t.push(slot(format!("{p}委常委、宣传部部长"), 3 + o, M));
            t.push(slot(format!("{p}委常委、统战部部长"), 3 + o, M));
            t.push(slot(format!("{p}委常委、政法委书记"), 3 + o, M));
            if unit.level == UnitLevel::County {
                t.push(slot("县委常委、县委办公室主任".into(), 3 + o, M));
            } else {
                t.push(slot(format!("{p}委常委、秘书长"), 3 + o, M));
            }
        }
        UnitKind::Government => {
            let mut head = slot(format!("{p}长"), 4 + o, P);
            head.concurrent = Some((format!("{p}委副书记"), D));
            t.push(head);
            let mut exec = slot(format!("常务副{p}长"), 3 + o, D);
            exec.concurrent = Some((format!("{p}委常委"), M));
            t.push(exec);
            for _ in 0..deputies(rng, 2, 3) {
                let mut s = slot(format!("副{p}长"), 3 + o, D);
                s.nonparty = 1;
                t.push(s);
            }
        }
        UnitKind::PeoplesCongress => {
            t.push(slot(format!("{p}人大常委会主任"), 4 + o, P));
            let n = if cluster { 3 } else { deputies(rng, 2, 3) };
            for _ in 0..n {
                let mut s = slot(format!("{p}人大常委会副主任"), 3 + o, D);
                s.nonparty = 15;
                t.push(s);
            }
        }
        UnitKind::Cppcc => {
            t.push(slot(format!("{p}政协主席"), 4 + o, P));
            for _ in 0..deputies(rng, 2, 3) {
                let mut s = slot(format!("{p}政协副主席"), 3 + o, D);
                s.nonparty = 45;
                t.push(s);
            }
        }
        UnitKind::Discipline => {
            let mut head = slot(format!("{p}纪委书记、{p}监委主任"), 3 + o, P);
            head.concurrent = Some((format!("{p}委常委"), M));
            t.push(head);
            for _ in 0..2 {
                t.push(slot(format!("{p}纪委副书记、{p}监委副主任"), 2 + o, D));
            }
        }
        UnitKind::Organization => {
            let mut head = slot(format!("{p}委组织部部长"), 3 + o, P);
            head.concurrent = Some((format!("{p}委常委"), M));
            t.push(head);
            t.push(slot(format!("{p}委组织部常务副部长"), 2 + o, D));
            for _ in 0..deputies(rng, 1, 2) {
                t.push(slot(format!("{p}委组织部副部长"), 1 + o, D));
            }
        }
        UnitKind::Court => {
            t.push(slot("院长".into(), 3 + o, P));
            for _ in 0..2 {
                let mut s = slot("副院长".into(), 2 + o, D);
                s.nonparty = 2;
                t.push(s);
            }
        }
        UnitKind::Procuratorate => {
            t.push(slot("检察长".into(), 3 + o, P));
            for _ in 0..2 {
                t.push(slot("副检察长".into(), 2 + o, D));
            }
        }
        UnitKind::PublicSecurity => {
            let (head, deputy) = if unit.level == UnitLevel::Province {
                ("厅长", "副厅长")
            } else {
                ("局长", "副局长")
            };
            t.push(slot(head.into(), 3 + o, P));
            t.push(slot("政委".into(), 2 + o, D));
            for _ in 0..2 {
                t.push(slot(deputy.into(), 1 + o, D));
            }
        }
        UnitKind::Bureau => {
            let (head, deputy) = if unit.name.ends_with("委员会") {
                ("主任", "副主任")
            } else if unit.name.ends_with('厅') {
                ("厅长", "副厅长")
            } else {
                ("局长", "副局长")
            };
            t.push(slot(head.into(), 2 + o, P));
            for _ in 0..deputies(rng, 2, 3) {
                let mut s = slot(deputy.into(), 1 + o, D);
                s.nonparty = 3;
                t.push(s);
            }
        }
        UnitKind::Township => {
            let (head, deputy) = if unit.name.ends_with('乡') {
                ("乡长", "副乡长")
            } else {
                ("镇长", "副镇长")
            };
            t.push(slot("党委书记".into(), 2, P));
            t.push(slot(format!("党委副书记、{head}"), 2, P));
            t.push(slot("党委副书记".into(), 1, D));
            for _ in 0..2 {
                t.push(slot(deputy.into(), 1, D));
            }
            t.push(slot("党委委员、纪委书记".into(), 1, M));
            if rng.gen_bool(0.5) {
                t.push(slot("人大主席".into(), 2, D));
            }
        }
        UnitKind::Street => {
            t.push(slot("党工委书记".into(), 2, P));
            t.push(slot("党工委副书记、办事处主任".into(), 2, P));
            for _ in 0..2 {
                t.push(slot("办事处副主任".into(), 1, D));
            }
            t.push(slot("党工委委员、纪工委书记".into(), 1, M));
        }
        _ => {}
    }
    t
}

/// A home place: a county of the province (region index) or one of the places outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    County(usize),
    Outside(usize),
}

/// Political status as planned for a seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Politics {
    Cpc,
    Democratic(&'static str),
    NonParty,
}

pub(crate) const DEMOCRATIC_PARTIES: &[&str] = &[
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
];

/// What a person is in the plan.
#[derive(Clone, Debug)]
pub(crate) enum SeatKind {
    /// A member of a unit's team; the slot's index is kept for planted marks.
    Team { unit: UnitId, slot: Slot },
    /// A reserve cadre holding a grade (职级) in a unit while waiting for a post.
    Reserve { unit: UnitId, grade: Rank },
    /// A serving cadre who reached leadership height `peak` and now holds a grade.
    Graded { unit: UnitId, grade: Rank, peak: u8 },
    /// Retired after reaching `peak`; `unit` is where the last post was.
    Retired {
        unit: UnitId,
        peak: u8,
        year: i16,
        month: u8,
    },
}

/// One person sketched: everything decided at the team level.
#[derive(Clone, Debug)]
pub(crate) struct Seat {
    pub id: DossierId,
    pub kind: SeatKind,
    pub gender: Gender,
    /// Birth year and month.
    pub birth: (i16, u8),
    pub native: Place,
    pub birthplace: Place,
    pub politics: Politics,
    /// A strong performer (rated 优秀 more often).
    pub strong: bool,
    pub mark: Mark,
    /// Age fixed at the team level (the young member of a party or government team).
    pub pinned: bool,
}

impl Seat {
    pub fn unit(&self) -> UnitId {
        match &self.kind {
            SeatKind::Team { unit, .. }
            | SeatKind::Reserve { unit, .. }
            | SeatKind::Graded { unit, .. }
            | SeatKind::Retired { unit, .. } => *unit,
        }
    }
    pub fn age(&self) -> i32 {
        age_at_as_of(self.birth)
    }
}

/// Birth (year, month) for an age at AS_OF.
fn birth_for_age(age: i32, rng: &mut ChaCha8Rng) -> (i16, u8) {
    let month = rng.gen_range(1..=12u8);
    let year = AS_OF.0 as i32 - age - i32::from(month > AS_OF.1);
    (year as i16, month)
}

/// Age range at AS_OF for a leadership height.
fn age_range(height: u8) -> (i32, i32) {
    match height {
        0 | 1 => (27, 50),
        2 => (31, 55),
        3 => (37, 57),
        4 => (44, 58),
        5 => (45, 59),
        6 => (48, 59),
        7 => (50, 60),
        _ => (53, 62),
    }
}

/// A birth for a team slot: older in congresses and CPPCC, capped for women below 县处级.
fn team_birth(
    slot: &Slot,
    kind: UnitKind,
    gender: Gender,
    mark: Mark,
    uniform: bool,
    rng: &mut ChaCha8Rng,
) -> (i16, u8) {
    let h = slot.rank.height();
    let (mut lo, mut hi) = age_range(h);
    if matches!(kind, UnitKind::PeoplesCongress | UnitKind::Cppcc) {
        lo = (lo + 6).min(hi - 2);
    }
    // County and prefecture party and government teams are kept younger: under-50s are their
    // main body. (Provincial ranges are narrow already.)
    if h <= 6 && matches!(kind, UnitKind::PartyCommittee | UnitKind::Government) {
        hi -= 3;
    }
    if gender == Gender::Female && h <= 2 {
        hi = hi.min(54);
    }
    match mark {
        Mark::Rising => {
            lo = 35;
            hi = 42;
        }
        Mark::LongTenure => {
            lo = lo.max(50);
            hi = hi.max(lo + 4).min(58);
        }
        _ => {}
    }
    let u = if uniform {
        rng.gen_range(0.0..1.0)
    } else {
        (rng.gen_range(0.0..1.0) + rng.gen_range(0.0..1.0)) / 2.0
    };
    let age = lo + ((hi - lo) as f64 * u).round() as i32;
    birth_for_age(age, rng)
}

/// More than half of the ages (whole years at AS_OF) lie within 3 years of each other, as the
/// team rule `team.age_cluster` reads it.
pub(crate) fn clustered(ages: &[i32]) -> bool {
    let mut a = ages.to_vec();
    a.sort_unstable();
    let need = a.len() / 2 + 1;
    if a.len() < 3 {
        return false;
    }
    (0..a.len()).any(|i| a[i..].iter().take_while(|&&x| x - a[i] <= 3).count() >= need)
}

/// Whole years of age at AS_OF for a birth (year, month).
pub(crate) fn age_at_as_of(birth: (i16, u8)) -> i32 {
    AS_OF.0 as i32 - birth.0 as i32 - i32::from(birth.1 > AS_OF.1)
}

/// Draws a county for someone's home: mostly `near` (a county), else its prefecture, else any.
fn home_near(plan: &Plan, near: Option<usize>, rng: &mut ChaCha8Rng) -> Place {
    let x: f64 = rng.gen_range(0.0..1.0);
    if x < 0.03 && !plan.outside.is_empty() {
        return Place::Outside(rng.gen_range(0..plan.outside.len()));
    }
    match near {
        Some(c) if plan.regions[c].level == UnitLevel::County && x < 0.55 => Place::County(c),
        Some(c) if x < 0.85 => {
            let pref = plan.prefecture_of(c);
            match pref {
                Some(p) if !plan.regions[p].children.is_empty() => {
                    Place::County(*pick(rng, &plan.regions[p].children))
                }
                _ => Place::County(*pick(rng, &plan.counties)),
            }
        }
        _ => Place::County(*pick(rng, &plan.counties)),
    }
}

/// A home away from `region` (its county, or its prefecture's counties), for principals bound
/// by the home-area avoidance rule.
fn home_away(plan: &Plan, region: usize, rng: &mut ChaCha8Rng) -> Place {
    let banned = |c: usize| match plan.regions[region].level {
        UnitLevel::County => c == region,
        UnitLevel::Prefecture => plan.regions[c].parent == Some(region),
        _ => false,
    };
    let candidates: Vec<usize> = plan
        .counties
        .iter()
        .copied()
        .filter(|&c| !banned(c))
        .collect();
    if candidates.is_empty() || rng.gen_bool(0.04) {
        return Place::Outside(rng.gen_range(0..plan.outside.len()));
    }
    // Prefer a neighbouring county of the same prefecture.
    if plan.regions[region].level == UnitLevel::County && rng.gen_bool(0.6) {
        let siblings: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&c| plan.regions[c].parent == plan.regions[region].parent)
            .collect();
        if !siblings.is_empty() {
            return Place::County(*pick(rng, &siblings));
        }
    }
    Place::County(*pick(rng, &candidates))
}

fn politics_for(nonparty: u8, rng: &mut ChaCha8Rng) -> Politics {
    if nonparty > 0 && rng.gen_range(0..100) < nonparty {
        if rng.gen_bool(0.7) {
            Politics::Democratic(pick::<&str>(rng, DEMOCRATIC_PARTIES))
        } else {
            Politics::NonParty
        }
    } else {
        Politics::Cpc
    }
}

/// The grade (职级) matching a leadership height, for cadres who hold one instead of a post.
pub(crate) fn grade_for(height: u8, rng: &mut ChaCha8Rng) -> Rank {
    match height {
        0 | 1 => *pick(rng, &[Rank::Clerk3, Rank::Clerk4]),
        2 => *pick(rng, &[Rank::Clerk1, Rank::Clerk2]),
        3 => *pick(rng, &[Rank::Researcher3, Rank::Researcher4]),
        4 => *pick(rng, &[Rank::Researcher1, Rank::Researcher2]),
        5 => Rank::Inspector2,
        _ => Rank::Inspector1,
    }
}

/// Sketches every person of one region's block, in id order.
pub(crate) fn sketch_block(plan: &Plan, b: usize) -> Vec<Seat> {
    let mut rng = rng_for(plan.seed, TAG_BLOCK, b as u64);
    let region = &plan.regions[b];
    let block = &plan.blocks[b];
    let county = plan.county_of_region(b);
    // Where most people of this region come from: the county, or the prefecture's counties.
    let near = (region.level != UnitLevel::Province).then_some(b);
    let mut seats: Vec<Seat> = Vec::with_capacity(block.len() as usize);
    let mut teams: Vec<(UnitId, std::ops::Range<usize>)> = Vec::new();
    let mut id = block.first_id;

    for &u in &region.organs {
        let unit = plan.unit(u);
        let start = seats.len();
        for (i, slot) in plan.template(u).into_iter().enumerate() {
            let mark = plan.marks.mark_of(u, i);
            let female_p = if slot.role == PostRole::Principal {
                0.12
            } else {
                0.2
            };
            let gender = if rng.gen_bool(female_p) {
                Gender::Female
            } else {
                Gender::Male
            };
            let birth = team_birth(&slot, unit.kind, gender, mark, false, &mut rng);
            let bound = slot.role == PostRole::Principal && unit.kind.home_avoidance();
            let native = match mark {
                Mark::HomePrincipal => Place::County(b),
                _ if bound && region.level != UnitLevel::Province => home_away(plan, b, &mut rng),
                _ => home_near(plan, near, &mut rng),
            };
            let birthplace = if mark == Mark::HomePrincipal || rng.gen_bool(0.85) {
                native
            } else if bound && region.level != UnitLevel::Province {
                home_away(plan, b, &mut rng)
            } else {
                home_near(plan, county, &mut rng)
            };
            // Government deputies (nonparty == 1) are decided for the whole team below.
            let politics =
                if slot.role == PostRole::Principal || mark == Mark::Rising || slot.nonparty == 1 {
                    Politics::Cpc
                } else {
                    politics_for(slot.nonparty, &mut rng)
                };
            let strong = mark == Mark::Rising || rng.gen_bool(0.12);
            seats.push(Seat {
                id,
                kind: SeatKind::Team { unit: u, slot },
                gender,
                birth,
                native,
                birthplace,
                politics,
                strong,
                mark,
                pinned: false,
            });
            id += 1;
        }
        teams.push((u, start..seats.len()));
    }

    // Government teams usually include one non-party deputy.
    for (u, range) in &teams {
        if plan.unit(*u).kind == UnitKind::Government {
            let candidates: Vec<usize> = range
                .clone()
                .filter(|&i| matches!(&seats[i].kind, SeatKind::Team { slot, .. } if slot.nonparty == 1))
                .filter(|&i| seats[i].mark == Mark::None)
                .collect();
            if let Some(&i) = candidates.choose(&mut rng) {
                seats[i].politics = politics_for(100, &mut rng);
            }
        }
    }

    // Women: every team gets at least one, except the one planted without.
    for (u, range) in &teams {
        let team = &mut seats[range.clone()];
        if plan.marks.no_women == Some(*u) {
            for s in team.iter_mut() {
                s.gender = Gender::Male;
            }
            continue;
        }
        if team.len() >= 2 && team.iter().all(|s| s.gender == Gender::Male) {
            let candidates: Vec<usize> = (0..team.len())
                .filter(|&i| {
                    team[i].mark == Mark::None
                        && matches!(&team[i].kind, SeatKind::Team { slot, .. } if slot.role != PostRole::Principal)
                })
                .collect();
            if let Some(&i) = candidates.choose(&mut rng) {
                team[i].gender = Gender::Female;
                if let SeatKind::Team { slot, unit } = &team[i].kind {
                    let kind = plan.unit(*unit).kind;
                    team[i].birth =
                        team_birth(slot, kind, Gender::Female, Mark::None, false, &mut rng);
                }
            }
        }
    }

    // Party and government teams below the province have a member under 40.
    for (u, range) in &teams {
        let kind = plan.unit(*u).kind;
        if region.level == UnitLevel::Province
            || !matches!(kind, UnitKind::PartyCommittee | UnitKind::Government)
        {
            continue;
        }
        let candidates: Vec<usize> = range
            .clone()
            .filter(|&i| {
                seats[i].mark == Mark::None
                    && matches!(&seats[i].kind, SeatKind::Team { slot, .. } if slot.role != PostRole::Principal)
            })
            .collect();
        if let Some(&i) = candidates.choose(&mut rng) {
            seats[i].birth = birth_for_age(rng.gen_range(35..=39), &mut rng);
            seats[i].pinned = true;
        }
    }

    // Ages: spread within each team (party committees counted with their concurrent members),
    // except the team planted with clustered ages.
    let party = region.organ(UnitKind::PartyCommittee);
    let incoming: Vec<usize> = (0..seats.len())
        .filter(
            |&i| matches!(&seats[i].kind, SeatKind::Team { slot, .. } if slot.concurrent.is_some()),
        )
        .collect();
    let mut order: Vec<&(UnitId, std::ops::Range<usize>)> =
        teams.iter().filter(|(u, _)| *u != party).collect();
    order.extend(teams.iter().filter(|(u, _)| *u == party));
    for (u, range) in order {
        if plan.marks.age_cluster == Some(*u) {
            let base = rng.gen_range(1968..=1969);
            for i in range.clone() {
                seats[i].birth = (base + rng.gen_range(0..=1), rng.gen_range(1..=12));
            }
            continue;
        }
        let fixed: Vec<usize> = if *u == party {
            incoming.clone()
        } else {
            Vec::new()
        };
        // Local search: redraw one free member at a time, uniformly over its range.
        let free: Vec<usize> = range
            .clone()
            .filter(|&i| seats[i].mark == Mark::None && !seats[i].pinned)
            .collect();
        for _ in 0..200 {
            let ages: Vec<i32> = range
                .clone()
                .chain(fixed.iter().copied())
                .map(|i| seats[i].age())
                .collect();
            if !clustered(&ages) || free.is_empty() {
                break;
            }
            let i = *pick(&mut rng, &free);
            if let SeatKind::Team { slot, unit } = &seats[i].kind {
                let kind = plan.unit(*unit).kind;
                seats[i].birth =
                    team_birth(slot, kind, seats[i].gender, Mark::None, true, &mut rng);
            }
        }
    }

    // Extra cadres: reserve, graded (职级) and retired, placed in ordinary units.
    let hosts: Vec<UnitId> = region
        .organs
        .iter()
        .copied()
        .filter(|&u| !plan.marks.keeps_team_clean(u))
        .collect();
    let off = region.offset();
    let nonparty_hosts: Vec<UnitId> = hosts
        .iter()
        .copied()
        .filter(|&u| {
            !matches!(
                plan.unit(u).kind,
                UnitKind::PartyCommittee
                    | UnitKind::Discipline
                    | UnitKind::Organization
                    | UnitKind::Township
                    | UnitKind::Street
            )
        })
        .collect();
    for k in 0..block.reserve + block.graded + block.retired {
        let politics = politics_for(4, &mut rng);
        let unit = if politics == Politics::Cpc {
            *pick(&mut rng, &hosts)
        } else {
            *pick(&mut rng, &nonparty_hosts)
        };
        let (kind, gender_p, birth) = if k < block.reserve {
            let g = off.max(1) + u8::from(rng.gen_bool(0.6));
            let (lo, hi) = match g {
                1 => (29, 38),
                2 => (32, 44),
                _ => (36, 48),
            };
            let grade = grade_for(g, &mut rng);
            (
                SeatKind::Reserve { unit, grade },
                0.33,
                birth_for_age(rng.gen_range(lo..=hi), &mut rng),
            )
        } else if k < block.reserve + block.graded {
            let peak = off + rng.gen_range(1..=3u8).min(if off == 4 { 2 } else { 3 });
            let grade = grade_for(peak, &mut rng);
            (
                SeatKind::Graded { unit, grade, peak },
                0.25,
                birth_for_age(rng.gen_range(50..=59), &mut rng),
            )
        } else {
            let peak =
                off + *super::names::weighted(&mut rng, &[(1u8, 30), (2, 35), (3, 25), (4, 10)]);
            let year = rng.gen_range(2012..=2026i16);
            let month = if year == AS_OF.0 {
                rng.gen_range(1..AS_OF.1)
            } else {
                rng.gen_range(1..=12)
            };
            (
                SeatKind::Retired {
                    unit,
                    peak,
                    year,
                    month,
                },
                0.2,
                (0, 0),
            )
        };
        let gender = if rng.gen_bool(gender_p) {
            Gender::Female
        } else {
            Gender::Male
        };
        let birth = match &kind {
            SeatKind::Retired {
                peak, year, month, ..
            } => {
                let age = if gender == Gender::Female && *peak <= 2 {
                    55
                } else {
                    60
                };
                (year - age, *month)
            }
            _ => birth,
        };
        let native = home_near(plan, near, &mut rng);
        let birthplace = if rng.gen_bool(0.85) {
            native
        } else {
            home_near(plan, county, &mut rng)
        };
        let strong = rng.gen_bool(0.12);
        seats.push(Seat {
            id,
            kind,
            gender,
            birth,
            native,
            birthplace,
            politics,
            strong,
            mark: Mark::None,
            pinned: false,
        });
        id += 1;
    }
    seats
}
