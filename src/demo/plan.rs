//! The plan of a demo province: the unit tree sized to the count, its regions (province,
//! prefectures, counties) and one block of dossier ids per region (its team seats first, then
//! its reserve, non-leading and retired cadres), plus where the planted problems sit. Cheap to
//! build even for a million dossiers; it must not build dossiers itself.

use std::collections::HashSet;

use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::names::{PLACE_FIRST, PLACE_SECOND, STREET_NAMES, pick};
use super::team::{Slot, template};
use super::{DemoOptions, Planted, PlantedCase};
use crate::model::{DossierId, Unit, UnitId, UnitKind, UnitLevel};

/// Stream tags for the per-purpose random generators.
pub(crate) const TAG_PLAN: u64 = 1;
pub(crate) const TAG_TEMPLATE: u64 = 2;
pub(crate) const TAG_BLOCK: u64 = 3;
pub(crate) const TAG_PERSON: u64 = 4;
pub(crate) const TAG_RENAME: u64 = 5;

/// An independent generator for one purpose and one item, so any item can be rebuilt alone.
pub(crate) fn rng_for(seed: u64, tag: u64, n: u64) -> ChaCha8Rng {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    ChaCha8Rng::seed_from_u64(mix(mix(mix(seed) ^ tag) ^ n))
}

/// The organs every region has, in this order at the start of `Region::organs`.
pub(crate) const ORGAN_KINDS: [UnitKind; 9] = [
    UnitKind::PartyCommittee,
    UnitKind::Government,
    UnitKind::PeoplesCongress,
    UnitKind::Cppcc,
    UnitKind::Discipline,
    UnitKind::Organization,
    UnitKind::Court,
    UnitKind::Procuratorate,
    UnitKind::PublicSecurity,
];

/// A working department (工作部门): its county/prefecture name, its provincial name and the
/// fields it regulates.
pub(crate) struct Bureau {
    pub local: &'static str,
    pub provincial: &'static str,
    pub regulates: &'static [&'static str],
}

pub(crate) const BUREAUS: [Bureau; 8] = [
    Bureau {
        local: "住房和城乡建设局",
        provincial: "住房和城乡建设厅",
        regulates: &["建筑", "房地产"],
    },
    Bureau {
        local: "市场监督管理局",
        provincial: "市场监督管理局",
        regulates: &["餐饮", "食品", "药品零售"],
    },
    Bureau {
        local: "交通运输局",
        provincial: "交通运输厅",
        regulates: &["运输", "物流"],
    },
    Bureau {
        local: "自然资源局",
        provincial: "自然资源厅",
        regulates: &["矿产", "土地"],
    },
    Bureau {
        local: "卫生健康委员会",
        provincial: "卫生健康委员会",
        regulates: &["医疗", "医药"],
    },
    Bureau {
        local: "农业农村局",
        provincial: "农业农村厅",
        regulates: &["农业", "养殖"],
    },
    Bureau {
        local: "文化和旅游局",
        provincial: "文化和旅游厅",
        regulates: &["旅游", "文化娱乐"],
    },
    Bureau {
        local: "财政局",
        provincial: "财政厅",
        regulates: &[],
    },
];

/// Index of the first bureau and of the first township/street in `Region::organs`.
pub(crate) const FIRST_BUREAU: usize = 9;
pub(crate) const FIRST_LOCAL: usize = 17;

/// A province, prefecture or county.
pub(crate) struct Region {
    /// 青川省, 安平市, 临河县.
    pub name: String,
    pub level: UnitLevel,
    /// Its Region unit.
    pub unit: UnitId,
    pub parent: Option<usize>,
    /// Six-digit administrative division code (for ID numbers).
    pub code: u32,
    /// Team units: ORGAN_KINDS, then BUREAUS, then (counties) townships and streets.
    pub organs: Vec<UnitId>,
    /// Prefectures of the province; counties of a prefecture.
    pub children: Vec<usize>,
}

impl Region {
    /// The one-character level word used in titles: 县, 市 or 省.
    pub fn prefix(&self) -> &'static str {
        match self.level {
            UnitLevel::Province => "省",
            UnitLevel::Prefecture => "市",
            _ => "县",
        }
    }
    /// Rank height added to a county-level title at this level.
    pub fn offset(&self) -> u8 {
        match self.level {
            UnitLevel::Province => 4,
            UnitLevel::Prefecture => 2,
            _ => 0,
        }
    }
    pub fn organ(&self, kind: UnitKind) -> UnitId {
        let i = ORGAN_KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        self.organs[i]
    }
    pub fn bureaus(&self) -> &[UnitId] {
        &self.organs[FIRST_BUREAU..FIRST_LOCAL]
    }
    pub fn locals(&self) -> &[UnitId] {
        &self.organs[FIRST_LOCAL.min(self.organs.len())..]
    }
}

/// The dossier ids of one region: its team seats, then extra cadres.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub first_id: DossierId,
    pub team_seats: u32,
    pub reserve: u32,
    pub graded: u32,
    pub retired: u32,
}

impl Block {
    pub fn len(&self) -> u64 {
        (self.team_seats + self.reserve + self.graded + self.retired) as u64
    }
}

/// Where the planted problems sit, as (unit, slot index in its template).
#[derive(Clone, Debug, Default)]
pub(crate) struct Marks {
    pub long_tenure: Option<(UnitId, usize)>,
    pub business_conflict: Option<(UnitId, usize)>,
    pub home_principal: Option<(UnitId, usize)>,
    pub no_women: Option<UnitId>,
    pub age_cluster: Option<UnitId>,
    pub unresolved: Option<(UnitId, usize)>,
    pub business_after_report: Option<(UnitId, usize)>,
    pub probation: Option<(UnitId, usize)>,
    pub rising: Vec<(UnitId, usize)>,
}

/// What a seat was planted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    None,
    LongTenure,
    BusinessConflict,
    HomePrincipal,
    Unresolved,
    BusinessAfterReport,
    Probation,
    Rising,
}

impl Marks {
    pub fn mark_of(&self, unit: UnitId, slot: usize) -> Mark {
        let at = |m: &Option<(UnitId, usize)>| *m == Some((unit, slot));
        if at(&self.long_tenure) {
            Mark::LongTenure
        } else if at(&self.business_conflict) {
            Mark::BusinessConflict
        } else if at(&self.home_principal) {
            Mark::HomePrincipal
        } else if at(&self.unresolved) {
            Mark::Unresolved
        } else if at(&self.business_after_report) {
            Mark::BusinessAfterReport
        } else if at(&self.probation) {
            Mark::Probation
        } else if self.rising.contains(&(unit, slot)) {
            Mark::Rising
        } else {
            Mark::None
        }
    }
    /// Units where no extra cadre is placed, so their team stays as planted.
    pub fn keeps_team_clean(&self, unit: UnitId) -> bool {
        self.no_women == Some(unit) || self.age_cluster == Some(unit)
    }
}

/// A fictional place outside the province (a few cadres come from elsewhere).
pub(crate) struct Outside {
    pub name: String,
    pub code: u32,
}

pub(crate) struct Plan {
    pub seed: u64,
    pub count: u64,
    /// 青川省
    pub province: String,
    /// units[id - 1]
    pub units: Vec<Unit>,
    /// Region index of each unit (units[i] belongs to regions[unit_region[i]]).
    pub unit_region: Vec<u32>,
    /// Number of team seats of each unit (0 for Region units).
    pub team_size: Vec<u8>,
    /// In walk order: province, then each prefecture followed by its counties.
    pub regions: Vec<Region>,
    pub counties: Vec<usize>,
    pub prefectures: Vec<usize>,
    /// blocks[i] holds the dossiers of regions[i].
    pub blocks: Vec<Block>,
    pub marks: Marks,
    pub outside: Vec<Outside>,
}

/// Expected team members of one county and of one prefecture's or the province's own organs.
const COUNTY_TEAM: f64 = 95.0;
const ORGANS_TEAM: f64 = 63.0;
/// Share of the count that sits in teams; the rest are reserve, non-leading and retired.
const TEAM_SHARE: f64 = 0.78;

/// Counties per prefecture for the count: about 20 counties in 4 prefectures at 3,000.
fn sizing(count: usize) -> Vec<usize> {
    let team = count as f64 * TEAM_SHARE;
    let counties = ((team - ORGANS_TEAM) / (COUNTY_TEAM + ORGANS_TEAM / 5.0))
        .round()
        .max(1.0) as usize;
    let per = ((counties as f64).sqrt().round() as usize).max(5);
    let prefectures = ((counties as f64 / per as f64).round() as usize).clamp(1, counties);
    (0..prefectures)
        .map(|p| counties / prefectures + usize::from(p < counties % prefectures))
        .collect()
}

/// Unique place names drawn from the syllable tables (three syllables once two run out).
struct NamePool {
    order: Vec<(usize, usize)>,
    next: usize,
    used: HashSet<String>,
}

impl NamePool {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let mut order: Vec<(usize, usize)> = (0..PLACE_FIRST.len())
            .flat_map(|a| (0..PLACE_SECOND.len()).map(move |b| (a, b)))
            .filter(|&(a, b)| PLACE_FIRST[a] != PLACE_SECOND[b])
            .collect();
        order.shuffle(rng);
        NamePool {
            order,
            next: 0,
            used: HashSet::new(),
        }
    }
    fn draw(&mut self, rng: &mut ChaCha8Rng) -> String {
        while self.next < self.order.len() {
            let (a, b) = self.order[self.next];
            self.next += 1;
            let name = format!("{}{}", PLACE_FIRST[a], PLACE_SECOND[b]);
            if self.used.insert(name.clone()) {
                return name;
            }
        }
        loop {
            let name = format!(
                "{}{}{}",
                pick(rng, PLACE_FIRST),
                pick(rng, PLACE_FIRST),
                pick(rng, PLACE_SECOND)
            );
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }
}

/// Full name of an organ of a region.
fn organ_name(kind: UnitKind, region: &str, level: UnitLevel) -> String {
    match kind {
        UnitKind::PartyCommittee => format!("中共{region}委员会"),
        UnitKind::Government => format!("{region}人民政府"),
        UnitKind::PeoplesCongress => format!("{region}人大常委会"),
        UnitKind::Cppcc => format!("政协{region}委员会"),
        UnitKind::Discipline => format!("{region}纪委监委"),
        UnitKind::Organization => format!("中共{region}委组织部"),
        UnitKind::Court => match level {
            UnitLevel::Province => format!("{region}高级人民法院"),
            UnitLevel::Prefecture => format!("{region}中级人民法院"),
            _ => format!("{region}人民法院"),
        },
        UnitKind::Procuratorate => format!("{region}人民检察院"),
        UnitKind::PublicSecurity => match level {
            UnitLevel::Province => format!("{region}公安厅"),
            _ => format!("{region}公安局"),
        },
        _ => region.to_string(),
    }
}

struct Builder {
    units: Vec<Unit>,
    unit_region: Vec<u32>,
    regions: Vec<Region>,
}

impl Builder {
    fn unit(
        &mut self,
        name: String,
        parent: Option<UnitId>,
        kind: UnitKind,
        level: UnitLevel,
        regulates: &[&str],
    ) -> UnitId {
        let id = self.units.len() as UnitId + 1;
        self.units.push(Unit {
            id,
            name,
            parent,
            kind,
            level,
            regulates: regulates.iter().map(|s| s.to_string()).collect(),
        });
        self.unit_region.push(self.regions.len() as u32 - 1);
        id
    }

    /// Adds a region with its Region unit and organs; returns its index.
    fn region(
        &mut self,
        name: String,
        level: UnitLevel,
        parent: Option<usize>,
        code: u32,
    ) -> usize {
        let parent_unit = parent.map(|p| self.regions[p].unit);
        self.regions.push(Region {
            name: name.clone(),
            level,
            unit: 0,
            parent,
            code,
            organs: Vec::new(),
            children: Vec::new(),
        });
        let idx = self.regions.len() - 1;
        let unit = self.unit(name.clone(), parent_unit, UnitKind::Region, level, &[]);
        self.regions[idx].unit = unit;
        for kind in ORGAN_KINDS {
            let id = self.unit(organ_name(kind, &name, level), Some(unit), kind, level, &[]);
            self.regions[idx].organs.push(id);
        }
        for b in &BUREAUS {
            let dept = if level == UnitLevel::Province {
                b.provincial
            } else {
                b.local
            };
            let id = self.unit(
                format!("{name}{dept}"),
                Some(unit),
                UnitKind::Bureau,
                level,
                b.regulates,
            );
            self.regions[idx].organs.push(id);
        }
        if let Some(p) = parent {
            self.regions[p].children.push(idx);
        }
        idx
    }
}

impl Plan {
    pub fn new(opts: &DemoOptions) -> Plan {
        let seed = opts.seed;
        let count = opts.count as u64;
        let mut rng = rng_for(seed, TAG_PLAN, 0);
        let mut pool = NamePool::new(&mut rng);
        let province = format!("{}省", pool.draw(&mut rng));
        let mut b = Builder {
            units: Vec::new(),
            unit_region: Vec::new(),
            regions: Vec::new(),
        };
        let root = b.region(province.clone(), UnitLevel::Province, None, 390000);
        let mut counties = Vec::new();
        let mut prefectures = Vec::new();
        for (pi, n_counties) in sizing(opts.count).into_iter().enumerate() {
            let pcode = 390000 + (pi as u32 % 99 + 1) * 100;
            let pref = b.region(
                format!("{}市", pool.draw(&mut rng)),
                UnitLevel::Prefecture,
                Some(root),
                pcode,
            );
            prefectures.push(pref);
            for ci in 0..n_counties {
                let cname = format!("{}县", pool.draw(&mut rng));
                let county = b.region(
                    cname.clone(),
                    UnitLevel::County,
                    Some(pref),
                    pcode + ci as u32 % 99 + 1,
                );
                counties.push(county);
                let cunit = b.regions[county].unit;
                let towns = rng.gen_range(3..=5);
                let streets = rng.gen_range(1..=2);
                let mut local_names: Vec<String> = Vec::new();
                for t in 0..towns + streets {
                    let (kind, full) = if t < towns {
                        let stem = loop {
                            let s = format!(
                                "{}{}",
                                pick(&mut rng, PLACE_FIRST),
                                pick(&mut rng, PLACE_SECOND)
                            );
                            if !local_names.contains(&s) && format!("{s}县") != cname {
                                break s;
                            }
                        };
                        local_names.push(stem.clone());
                        let suffix = if rng.gen_bool(0.7) { "镇" } else { "乡" };
                        (UnitKind::Township, format!("{cname}{stem}{suffix}"))
                    } else {
                        let stem = loop {
                            let s = pick(&mut rng, STREET_NAMES).to_string();
                            if !local_names.contains(&s) {
                                break s;
                            }
                        };
                        local_names.push(stem.clone());
                        (UnitKind::Street, format!("{cname}{stem}街道"))
                    };
                    let id = b.unit(full, Some(cunit), kind, UnitLevel::Township, &[]);
                    b.regions[county].organs.push(id);
                }
            }
        }
        let outside_province = pool.draw(&mut rng);
        let outside = (0..6)
            .map(|i| Outside {
                name: format!("{outside_province}省{}县", pool.draw(&mut rng)),
                code: 380000 + (i % 3 + 1) * 100 + i + 1,
            })
            .collect();

        let mut plan = Plan {
            seed,
            count,
            province,
            units: b.units,
            unit_region: b.unit_region,
            team_size: Vec::new(),
            regions: b.regions,
            counties,
            prefectures,
            blocks: Vec::new(),
            marks: Marks::default(),
            outside,
        };
        plan.marks = plan.choose_marks(&mut rng);
        plan.team_size = plan
            .units
            .iter()
            .map(|u| {
                if u.kind == UnitKind::Region {
                    0
                } else {
                    plan.template(u.id).len() as u8
                }
            })
            .collect();
        plan.blocks = plan.make_blocks();
        plan
    }

    pub fn unit(&self, id: UnitId) -> &Unit {
        &self.units[id as usize - 1]
    }

    pub fn region_of(&self, unit: UnitId) -> usize {
        self.unit_region[unit as usize - 1] as usize
    }

    /// The team slots of a unit (the same every time it is asked).
    pub fn template(&self, unit: UnitId) -> Vec<Slot> {
        let mut rng = rng_for(self.seed, TAG_TEMPLATE, unit as u64);
        let u = self.unit(unit);
        let region = &self.regions[self.region_of(unit)];
        template(u, region, self.marks.age_cluster == Some(unit), &mut rng)
    }

    /// The county a county-level region or unit lies in, if any.
    pub fn county_of_region(&self, r: usize) -> Option<usize> {
        (self.regions[r].level == UnitLevel::County).then_some(r)
    }

    /// The prefecture of a county or prefecture region (None for the province).
    pub fn prefecture_of(&self, r: usize) -> Option<usize> {
        match self.regions[r].level {
            UnitLevel::Prefecture => Some(r),
            UnitLevel::County => self.regions[r].parent,
            _ => None,
        }
    }

    /// Native-place text of a county: 青川省临河县.
    pub fn county_place(&self, county: usize) -> String {
        format!("{}{}", self.province, self.regions[county].name)
    }

    fn choose_marks(&self, rng: &mut ChaCha8Rng) -> Marks {
        let mut order = self.counties.clone();
        order.shuffle(rng);
        let c = |i: usize| &self.regions[order[i % order.len()]];
        let mut marks = Marks {
            long_tenure: Some((c(0).bureaus()[5], 0)),
            business_conflict: Some((c(1).bureaus()[0], 0)),
            home_principal: Some((c(2).organ(UnitKind::Government), 0)),
            no_women: Some(c(3).organ(UnitKind::Government)),
            age_cluster: Some(c(4).organ(UnitKind::PeoplesCongress)),
            unresolved: Some((c(5).organ(UnitKind::Government), 2)),
            business_after_report: Some((c(6).organ(UnitKind::Government), 1)),
            probation: Some((c(7).bureaus()[2], 0)),
            rising: Vec::new(),
        };
        let stars = (order.len() / 4).max(2).min(order.len());
        for i in 0..stars {
            let county = &self.regions[order[(8 + i) % order.len()]];
            let towns: Vec<UnitId> = county
                .locals()
                .iter()
                .copied()
                .filter(|&u| self.unit(u).kind == UnitKind::Township)
                .collect();
            let unit = *pick(rng, &towns);
            if !marks.rising.iter().any(|(u, _)| *u == unit) {
                marks.rising.push((unit, 0));
            }
        }
        marks
    }

    fn make_blocks(&self) -> Vec<Block> {
        let seats: Vec<u64> = self
            .regions
            .iter()
            .map(|r| {
                r.organs
                    .iter()
                    .map(|&u| self.team_size[u as usize - 1] as u64)
                    .sum()
            })
            .collect();
        let team: u64 = seats.iter().sum();
        let extra = self.count.saturating_sub(team);
        let reserve = extra.min((self.count as f64 * 0.10).round() as u64);
        let retired = (extra - reserve).min((self.count as f64 * 0.08).round() as u64);
        let graded = extra - reserve - retired;
        // Cumulative rounding so each kind sums exactly to its total.
        let share = |total: u64, before: u64, upto: u64| -> u32 {
            if team == 0 {
                return 0;
            }
            (total * upto / team - total * before / team) as u32
        };
        let mut blocks = Vec::with_capacity(self.regions.len());
        let mut cum = 0u64;
        let mut next_id = 1u64;
        for &s in &seats {
            let block = Block {
                first_id: next_id,
                team_seats: s as u32,
                reserve: share(reserve, cum, cum + s),
                graded: share(graded, cum, cum + s),
                retired: share(retired, cum, cum + s),
            };
            cum += s;
            next_id += block.len();
            blocks.push(block);
        }
        blocks
    }

    /// The dossier id of a team seat.
    pub fn seat_id(&self, unit: UnitId, slot: usize) -> DossierId {
        let r = self.region_of(unit);
        let before: u64 = self.regions[r]
            .organs
            .iter()
            .take_while(|&&u| u != unit)
            .map(|&u| self.team_size[u as usize - 1] as u64)
            .sum();
        self.blocks[r].first_id + before + slot as u64
    }

    /// The planted problems that fall within the count.
    pub fn planted(&self) -> Planted {
        let case = |m: Option<(UnitId, usize)>| {
            m.map(|(unit, slot)| PlantedCase {
                dossier: self.seat_id(unit, slot),
                unit,
            })
            .filter(|c| c.dossier <= self.count)
        };
        let team = |u: Option<UnitId>| {
            u.filter(|&u| {
                let last = self.seat_id(u, 0) + self.team_size[u as usize - 1] as u64 - 1;
                last <= self.count
            })
        };
        Planted {
            long_tenure: case(self.marks.long_tenure),
            family_business_conflict: case(self.marks.business_conflict),
            home_county_principal: case(self.marks.home_principal),
            team_without_women: team(self.marks.no_women),
            team_age_cluster: team(self.marks.age_cluster),
            unresolved_finding: case(self.marks.unresolved),
            business_after_report: case(self.marks.business_after_report),
            probation_ending: case(self.marks.probation),
            filter_example: self
                .marks
                .rising
                .iter()
                .filter_map(|&m| case(Some(m)))
                .collect(),
        }
    }
}
