//! One demo dossier from its sketched seat: identity with a valid ID number, education and
//! training, the career, yearly assessments, rewards, findings, family with their businesses,
//! the record and the life cycle — including what was planted on this seat. Deterministic in
//! (seed, id); it must not look at other seats or the clock.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::AS_OF;
use super::career::{
    Path, has_portfolio, ladder, ladder_heights, mark_probation, month, portfolio,
};
use super::names::{
    BRANDS, ETHNICITIES, IN_SERVICE_MAJORS, INDUSTRIES, MAJORS, company_suffix, full_name,
    name_with_surname, ordinary_job, pick, school, surname_of, weighted,
};
use super::plan::{Mark, Plan, TAG_PERSON, TAG_RENAME, rng_for};
use super::team::{Place, Politics, Seat, SeatKind};
use crate::model::idnum;
use crate::model::*;

/// AS_OF as a month index.
fn as_of_index() -> i32 {
    AS_OF.0 as i32 * 12 + AS_OF.1 as i32 - 1
}

/// Months in which no ordinary appointment starts, so that the planted probation (ending right
/// after AS_OF) is the only one "ending or just ended" (rule probation.ending reads two months
/// either side of today).
fn in_quiet_window(idx: i32) -> bool {
    let lo = 2025 * 12 + 7; // 2025-08
    let hi = 2026 * 12 + 1; // 2026-02
    (lo..=hi).contains(&idx)
}

fn ym(y: i32, m: i32) -> i32 {
    y * 12 + m - 1
}

impl Plan {
    fn place_text(&self, p: Place) -> String {
        match p {
            Place::County(c) => self.county_place(c),
            Place::Outside(i) => self.outside[i].name.clone(),
        }
    }
    fn place_code(&self, p: Place) -> u32 {
        match p {
            Place::County(c) => self.regions[c].code,
            Place::Outside(i) => self.outside[i].code,
        }
    }
    /// A county for career geography: the home county, or near the post for outsiders.
    fn home_county(&self, p: Place, region: usize, rng: &mut ChaCha8Rng) -> usize {
        match p {
            Place::County(c) => c,
            Place::Outside(_) => match self.regions[region].level {
                UnitLevel::County => region,
                _ if !self.regions[region].children.is_empty() => {
                    let child = *pick(rng, &self.regions[region].children);
                    if self.regions[child].level == UnitLevel::County {
                        child
                    } else {
                        *pick(rng, &self.counties)
                    }
                }
                _ => *pick(rng, &self.counties),
            },
        }
    }
}

/// Gives a cadre another given name (same surname, so the children's names still fit), when
/// the name and birth month are already taken.
pub(crate) fn rename(plan: &Plan, d: &mut Dossier, attempt: u64) {
    let mut rng = rng_for(plan.seed, TAG_RENAME, d.id * 64 + attempt);
    let surname = surname_of(&d.identity.name).to_string();
    d.identity.name = name_with_surname(&mut rng, &surname, d.identity.gender);
}

/// Moves an ID number to the next sequence number of the same parity (same gender), when the
/// number is already taken.
pub(crate) fn renumber(d: &mut Dossier) {
    let n = &d.identity.id_number;
    let code: u32 = n[..6].parse().unwrap_or(0);
    let (y, m, day): (i16, u8, u8) = (
        n[6..10].parse().unwrap_or(1970),
        n[10..12].parse().unwrap_or(1),
        n[12..14].parse().unwrap_or(1),
    );
    let seq: u16 = n[14..17].parse().unwrap_or(0);
    d.identity.id_number = idnum::make(code, (y, m, day), (seq + 2) % 1000, d.identity.gender);
}

/// The leadership height a seat's career climbs to (for education and reporting).
fn top_height(seat: &Seat) -> u8 {
    match &seat.kind {
        SeatKind::Team { slot, .. } => slot.rank.height(),
        SeatKind::Reserve { grade, .. } => grade.height(),
        SeatKind::Graded { peak, .. } | SeatKind::Retired { peak, .. } => *peak,
    }
}

struct Schooling {
    courses: Vec<Education>,
    work_start: i32,
    category: MajorCategory,
}

fn education(plan: &Plan, seat: &Seat, rng: &mut ChaCha8Rng) -> Schooling {
    let by = seat.birth.0 as i32;
    let bm = seat.birth.1 as i32;
    let top = top_height(seat);
    let rising = seat.mark == Mark::Rising;
    let age = AS_OF.0 as i32 - by;
    let level = if top >= 5 || rising {
        *weighted(
            rng,
            &[(EduLevel::Undergraduate, 62), (EduLevel::Postgraduate, 38)],
        )
    } else {
        let lvl = *weighted(
            rng,
            &[
                (EduLevel::Undergraduate, 63),
                (EduLevel::Postgraduate, 15),
                (EduLevel::College, 18),
                (EduLevel::Secondary, 4),
            ],
        );
        if lvl == EduLevel::Secondary && by >= 1975 {
            EduLevel::College
        } else {
            lvl
        }
    };
    let level = if level == EduLevel::Postgraduate && age < 30 {
        EduLevel::Undergraduate
    } else {
        level
    };
    let (major, category) = loop {
        let (m, c, _) = *weighted3(rng, MAJORS);
        if !rising || matches!(c, MajorCategory::Economics | MajorCategory::Management) {
            break (m, c);
        }
    };
    let doctor = level == EduLevel::Postgraduate && age >= 36 && rng.gen_bool(0.06);
    let grad_age = match level {
        EduLevel::Secondary => 19,
        EduLevel::College => 21,
        EduLevel::Undergraduate => 22,
        _ if doctor => 28,
        _ => 25,
    } + i32::from(rng.gen_bool(0.3));
    let grad_year = by + grad_age;
    let grad = ym(grad_year, 7);
    // A minimum of 18 years and a plausible month.
    let work_start = (grad + rng.gen_range(0..=2)).max(ym(by + 18, bm) + 1);
    let province = &plan.province;
    let region = plan.region_of(seat.unit());
    let pref_name = match plan.prefecture_of(region) {
        Some(p) => plan.regions[p].name.clone(),
        None => plan.regions[plan.prefectures[0]].name.clone(),
    };
    let course =
        |kind, level, degree, school: String, major: &str, cat, start: i32, end: i32| Education {
            kind,
            level,
            degree,
            school,
            major: major.to_string(),
            category: Some(cat),
            start: Some(month(start)),
            end: Some(month(end)),
        };
    let mut courses = Vec::new();
    let years = |l: EduLevel| match l {
        EduLevel::Secondary => 3,
        EduLevel::College => 3,
        EduLevel::Undergraduate => 4,
        _ => 3,
    };
    if level == EduLevel::Postgraduate {
        let ug_end = grad - 12 * if doctor { 6 } else { 3 };
        let (ug_major, ug_cat) = if rng.gen_bool(0.7) {
            (major, category)
        } else {
            let (m, c, _) = *weighted3(rng, MAJORS);
            (m, c)
        };
        let s = school(rng, province, &pref_name, ug_cat, false);
        courses.push(course(
            EduKind::FullTime,
            EduLevel::Undergraduate,
            Some(Degree::Bachelor),
            s,
            ug_major,
            ug_cat,
            ug_end - 47,
            ug_end,
        ));
        let s = school(rng, province, &pref_name, category, false);
        let degree = if doctor {
            Degree::Doctor
        } else {
            Degree::Master
        };
        let len = if doctor { 6 } else { 3 };
        courses.push(course(
            EduKind::FullTime,
            EduLevel::Postgraduate,
            Some(degree),
            s,
            major,
            category,
            grad - 12 * len + 2,
            grad,
        ));
    } else {
        let college = level != EduLevel::Undergraduate;
        let s = school(rng, province, &pref_name, category, college);
        let degree =
            (level == EduLevel::Undergraduate && grad_year >= 1982).then_some(Degree::Bachelor);
        courses.push(course(
            EduKind::FullTime,
            level,
            degree,
            s,
            major,
            category,
            grad - 12 * years(level) + 2,
            grad,
        ));
    }
    // In-service study during the career.
    let short = province.trim_end_matches('省');
    let latest_end = as_of_index() - 6;
    let mut cursor = work_start + 12 * rng.gen_range(3..=8);
    if level.height() < EduLevel::Undergraduate.height()
        && rng.gen_bool(0.75)
        && cursor + 30 <= latest_end
    {
        let (m, c, _) = *pick(rng, &IN_SERVICE_MAJORS[..3]);
        let s = if rng.gen_bool(0.5) {
            format!("中共{short}省委党校")
        } else {
            format!("{short}广播电视大学")
        };
        courses.push(course(
            EduKind::InService,
            EduLevel::Undergraduate,
            None,
            s,
            m,
            c,
            cursor,
            cursor + 30,
        ));
        cursor += 30 + 12 * rng.gen_range(2..=6);
    }
    let pg_p = if level == EduLevel::Postgraduate {
        0.1
    } else {
        0.42
    };
    if rng.gen_bool(pg_p) && cursor + 36 <= latest_end {
        let (m, c, degree) = *pick(rng, IN_SERVICE_MAJORS);
        let s = if degree {
            format!("{short}大学")
        } else if rng.gen_bool(0.3) {
            "中央党校".to_string()
        } else {
            format!("中共{short}省委党校")
        };
        let deg = degree.then_some(Degree::Master);
        courses.push(course(
            EduKind::InService,
            EduLevel::Postgraduate,
            deg,
            s,
            m,
            c,
            cursor,
            cursor + 36,
        ));
    }
    Schooling {
        courses,
        work_start,
        category,
    }
}

/// Weighted choice over the major table (weight in the third place).
fn weighted3<'a, A, B>(rng: &mut ChaCha8Rng, table: &'a [(A, B, u32)]) -> &'a (A, B, u32) {
    let total: u32 = table.iter().map(|t| t.2).sum();
    let mut x = rng.gen_range(0..total);
    for t in table {
        if x < t.2 {
            return t;
        }
        x -= t.2;
    }
    &table[table.len() - 1]
}

/// The dossier of one seat.
pub(crate) fn build(plan: &Plan, seat: &Seat) -> Dossier {
    let mut rng = rng_for(plan.seed, TAG_PERSON, seat.id);
    let rng = &mut rng;
    let as_of = as_of_index();
    let gender = seat.gender;
    let name = full_name(rng, gender);
    let birth = PartialDate::ym(seat.birth.0, seat.birth.1).expect("birth in range");
    let mut d = Dossier::new(&name, gender, birth);
    d.id = seat.id;
    let day = rng.gen_range(1..=28u8);
    let id = &mut d.identity;
    id.ethnicity = weighted(rng, ETHNICITIES).to_string();
    id.native_place = plan.place_text(seat.native);
    id.birthplace = plan.place_text(seat.birthplace);
    id.id_number = idnum::make(
        plan.place_code(seat.birthplace),
        (seat.birth.0, seat.birth.1, day),
        rng.gen_range(0..1000),
        gender,
    );
    id.health = if rng.gen_bool(0.94) {
        "健康"
    } else {
        "良好"
    }
    .to_string();
    match seat.politics {
        Politics::Cpc => id.political_status = PoliticalStatus::CpcMember,
        Politics::Democratic(p) => {
            id.political_status = PoliticalStatus::DemocraticParty;
            id.party_name = p.to_string();
        }
        Politics::NonParty => id.political_status = PoliticalStatus::NonParty,
    }

    let schooling = education(plan, seat, rng);
    let w = schooling.work_start;
    d.identity.work_start = Some(month(w));
    if seat.politics == Politics::Cpc {
        let by = seat.birth.0 as i32;
        let age = if rng.gen_bool(0.45) {
            rng.gen_range(20..=22)
        } else {
            rng.gen_range(23..=32)
        };
        let entry = ym(by + age, rng.gen_range(1..=12)).max(ym(by + 18, seat.birth.1 as i32) + 1);
        d.identity.party_entry = Some(month(entry.min(as_of - 14)));
    }
    d.identity.professional_title = professional_title(schooling.category, rng);
    d.education = schooling.courses;

    // Career.
    let region = plan.region_of(seat.unit());
    let home = plan.home_county(seat.native, region, rng);
    let top = match &seat.kind {
        SeatKind::Team { unit, slot } => Some((slot.rank.height(), plan.unit(*unit).kind, *unit)),
        _ => None,
    };
    let path = Path {
        plan,
        home,
        region,
        top,
        cpc: seat.politics == Politics::Cpc,
    };
    let outside_first = if rng.gen_bool(0.15) {
        let county = &plan.regions[home].name;
        Some(if w >= ym(2008, 1) && rng.gen_bool(0.5) {
            (
                format!("{county}{}村", pick(rng, BRANDS)),
                "大学生村官".to_string(),
            )
        } else {
            (
                format!("{county}第{}中学", pick(rng, &["一", "二", "三"])),
                "教师".to_string(),
            )
        })
    } else {
        None
    };
    let mut retired_at = None;
    match &seat.kind {
        SeatKind::Team { unit, slot } => {
            let h = slot.rank.height();
            let min_span = 12 * h as i32;
            let mut start = match seat.mark {
                Mark::LongTenure => ym(rng.gen_range(2013..=2014), rng.gen_range(1..=6)),
                Mark::Probation => ym(2025, 12),
                Mark::Rising => as_of - rng.gen_range(40..=60),
                _ => {
                    let u: f64 = rng.gen_range(0.0..1.0);
                    as_of - 3 - (66.0 * u.powf(1.4)) as i32
                }
            };
            if seat.mark != Mark::Probation && seat.mark != Mark::LongTenure {
                if start - w < min_span {
                    start = (w + min_span).min(as_of - 2);
                }
                if in_quiet_window(start) {
                    start -= 7;
                }
            }
            let mut hs = ladder_heights(h, false, rng);
            if h >= 2 && seat.mark != Mark::Probation && rng.gen_bool(0.3) {
                hs.push(h);
            }
            let mut postings = ladder(&path, hs, outside_first, w, start, rng);
            postings.push(Posting {
                start: month(start),
                end: None,
                unit: Some(*unit),
                unit_name: plan.unit(*unit).name.clone(),
                position: slot.position.clone(),
                rank: Some(slot.rank),
                role: slot.role,
                portfolio: if slot.role == PostRole::Deputy && has_portfolio(plan.unit(*unit).kind)
                {
                    portfolio(rng)
                } else {
                    String::new()
                },
                concurrent: false,
                probation: false,
            });
            mark_probation(plan, &mut postings);
            if seat.mark == Mark::Probation
                && let Some(cur) = postings.last_mut()
            {
                cur.probation = true;
            }
            if let Some((position, role)) = &slot.concurrent {
                let party = plan.regions[region].organ(UnitKind::PartyCommittee);
                postings.push(Posting {
                    start: month(start),
                    end: None,
                    unit: Some(party),
                    unit_name: plan.unit(party).name.clone(),
                    position: position.clone(),
                    rank: Some(slot.rank),
                    role: *role,
                    portfolio: String::new(),
                    concurrent: true,
                    probation: false,
                });
            }
            d.postings = postings;
        }
        SeatKind::Reserve { unit, grade } => {
            let g = grade.height();
            let mut start = as_of - rng.gen_range(8..=60);
            start = start.max(w + 12 * g as i32).min(as_of - 2);
            let hs = ladder_heights(g, rng.gen_bool(0.5), rng);
            let mut postings = ladder(&path, hs, outside_first, w, start, rng);
            postings.push(grade_post(plan, *unit, *grade, start, true, rng));
            mark_probation(plan, &mut postings);
            d.postings = postings;
            let target = Rank::leadership_at(g + 1).unwrap_or(Rank::CountyDeputy);
            d.reserve = Some(ReserveInfo {
                target,
                target_post: target_post(plan, region, target),
                readiness: *pick(
                    rng,
                    &[
                        Readiness::Ready,
                        Readiness::Soon,
                        Readiness::Soon,
                        Readiness::Longer,
                    ],
                ),
                since: Some(month(ym(rng.gen_range(2023..=2025), rng.gen_range(1..=12)))),
            });
            d.status = LifeCycle::Reserve;
        }
        SeatKind::Graded { unit, grade, peak } => {
            let mut start = ym(rng.gen_range(2019..=2024), rng.gen_range(1..=12));
            start = start.max(w + 12 * (*peak as i32 + 1)).min(as_of - 2);
            let hs = ladder_heights(*peak, true, rng);
            let mut postings = ladder(&path, hs, outside_first, w, start, rng);
            postings.push(grade_post(plan, *unit, *grade, start, false, rng));
            mark_probation(plan, &mut postings);
            d.postings = postings;
        }
        SeatKind::Retired {
            peak,
            year,
            month: m,
            ..
        } => {
            let end = ym(*year as i32, *m as i32);
            let hs = ladder_heights(*peak, true, rng);
            let mut postings = ladder(&path, hs, outside_first, w, end, rng);
            mark_probation(plan, &mut postings);
            d.postings = postings;
            d.status = LifeCycle::Retired;
            retired_at = Some(end);
        }
    }

    training(plan, &mut d, w, retired_at, rng);
    assessments(plan, &mut d, seat, w, retired_at, rng);
    findings(&mut d, seat, w, retired_at, rng);
    let reports = retired_at.is_none() && d.current_rank().is_some_and(|r| r.height() >= 3);
    if reports {
        d.last_report = Some(PartialDate::ym(2026, 1).expect("valid"));
    }
    family(plan, &mut d, seat, home, rng);
    record(&mut d, schooling.category, rng);
    d
}

/// The current post of someone holding a grade: a middle-level post for reserve cadres, the
/// grade itself for those who left leadership posts.
fn grade_post(
    plan: &Plan,
    unit: UnitId,
    grade: Rank,
    start: i32,
    middle: bool,
    rng: &mut ChaCha8Rng,
) -> Posting {
    let u = plan.unit(unit);
    let position = if middle {
        match u.kind {
            UnitKind::Township | UnitKind::Street => "党政综合办公室主任".to_string(),
            UnitKind::Organization => {
                pick(rng, &["干部科科长", "组织科科长", "办公室主任"]).to_string()
            }
            UnitKind::Discipline => {
                pick(rng, &["第一纪检监察室主任", "案件审理室主任"]).to_string()
            }
            UnitKind::Bureau => {
                pick(rng, &["办公室主任", "综合股股长", "政策法规股股长"]).to_string()
            }
            _ => pick(rng, &["办公室主任", "研究室主任", "办公室副主任"]).to_string(),
        }
    } else {
        grade.label().to_string()
    };
    Posting {
        start: month(start),
        end: None,
        unit: Some(unit),
        unit_name: u.name.clone(),
        position,
        rank: Some(grade),
        role: PostRole::Member,
        portfolio: String::new(),
        concurrent: false,
        probation: false,
    }
}

fn target_post(plan: &Plan, region: usize, target: Rank) -> String {
    let p = plan.regions[region].prefix();
    match target.height() {
        1 => "乡镇党委委员".to_string(),
        2 => "乡镇党政正职或县直部门正职".to_string(),
        3 if p == "县" => "副县长或县委常委".to_string(),
        3 => format!("{p}直部门副职"),
        4 => format!("{p}直部门正职"),
        5 => "副厅级领导职务".to_string(),
        _ => "正厅级领导职务".to_string(),
    }
}

fn professional_title(cat: MajorCategory, rng: &mut ChaCha8Rng) -> String {
    if !rng.gen_bool(0.3) {
        return String::new();
    }
    let senior = rng.gen_bool(0.35);
    let t = match cat {
        MajorCategory::Economics | MajorCategory::Management => ["经济师", "高级经济师"],
        MajorCategory::Engineering => ["工程师", "高级工程师"],
        MajorCategory::Agriculture => ["农艺师", "高级农艺师"],
        MajorCategory::Medicine => ["主治医师", "副主任医师"],
        MajorCategory::Education | MajorCategory::Literature | MajorCategory::History => {
            ["中学一级教师", "中学高级教师"]
        }
        _ => return String::new(),
    };
    t[usize::from(senior)].to_string()
}

fn training(plan: &Plan, d: &mut Dossier, w: i32, retired: Option<i32>, rng: &mut ChaCha8Rng) {
    let last = retired.unwrap_or(as_of_index() - 1);
    let first = w.max(ym(2008, 1)) + 12;
    if first >= last {
        return;
    }
    let short = plan.province.trim_end_matches('省');
    let n = rng.gen_range(2..=4);
    let mut starts: Vec<i32> = (0..n).map(|_| rng.gen_range(first..last)).collect();
    starts.sort_unstable();
    starts.dedup();
    for s in starts {
        let when = month(s);
        let h = d
            .postings
            .iter()
            .filter(|p| p.start <= when)
            .filter_map(|p| p.rank)
            .map(|r| r.height())
            .max()
            .unwrap_or(0);
        let local = format!("中共{}委党校", home_county_name(plan, d));
        let (name, organizer, hours) = match h {
            0 | 1 => ("中青年干部培训班", local, rng.gen_range(40..=80)),
            2 => ("乡科级领导干部进修班", local, rng.gen_range(60..=120)),
            3 | 4 => (
                "县处级领导干部进修班",
                format!("中共{short}省委党校"),
                rng.gen_range(80..=120),
            ),
            _ => (
                "厅局级领导干部专题研讨班",
                format!("中共{short}省委党校"),
                rng.gen_range(40..=80),
            ),
        };
        let topic = pick(
            rng,
            &[
                "",
                "（乡村振兴专题）",
                "（营商环境专题）",
                "（基层治理专题）",
                "（依法行政专题）",
            ],
        );
        let days = (hours / 8).max(5) as i32;
        d.training.push(Training {
            name: format!("{name}{topic}"),
            organizer,
            start: month(s),
            end: Some(month(s + (days / 30).max(0) + 1)),
            hours,
        });
    }
}

/// The county (as 临河县) of the cadre's first posting with a unit, for local party schools.
fn home_county_name(plan: &Plan, d: &Dossier) -> String {
    d.postings
        .iter()
        .filter_map(|p| p.unit)
        .find_map(|u| {
            let r = plan.region_of(u);
            (plan.regions[r].level == UnitLevel::County).then(|| plan.regions[r].name.clone())
        })
        .unwrap_or_else(|| plan.regions[plan.counties[0]].name.clone())
}

fn assessments(
    plan: &Plan,
    d: &mut Dossier,
    seat: &Seat,
    w: i32,
    retired: Option<i32>,
    rng: &mut ChaCha8Rng,
) {
    let first = (w / 12).max(2010);
    let last = match retired {
        Some(r) if r % 12 < 6 => r / 12 - 1,
        Some(r) => r / 12,
        None => 2025,
    }
    .min(2025);
    let mut probation_years: Vec<i32> = d
        .postings
        .iter()
        .filter(|p| p.probation)
        .map(|p| p.start.y() as i32)
        .collect();
    probation_years.push(w / 12);
    // A punishment now and then, which also rules out 优秀 that year.
    let punished = rng.gen_bool(0.012) && last > first;
    let punish_year = if punished {
        rng.gen_range(first..=last)
    } else {
        0
    };
    let rising = seat.mark == Mark::Rising;
    let p_excellent = if seat.strong { 0.5 } else { 0.115 };
    let mut streak = 0;
    let region_name = &plan.regions[plan.region_of(seat.unit())].name;
    let talk_year = rng
        .gen_bool(0.07)
        .then(|| rng.gen_range(first..=last.max(first)));
    for y in first..=last {
        let grade = if rising && y >= 2023 {
            Some(Grade::Excellent)
        } else if probation_years.contains(&y) {
            None
        } else if y == punish_year {
            Some(if rng.gen_bool(0.5) {
                Grade::BasicallyCompetent
            } else {
                Grade::Competent
            })
        } else {
            let x: f64 = rng.gen_range(0.0..1.0);
            Some(if x < p_excellent {
                Grade::Excellent
            } else if x > 0.993 {
                Grade::BasicallyCompetent
            } else {
                Grade::Competent
            })
        };
        let democratic_score = rng
            .gen_bool(0.3)
            .then(|| rng.gen_range(820..=995) as f32 / 10.0);
        let special = if (2017..=2020).contains(&y) && rng.gen_bool(0.06) {
            "脱贫攻坚专项考核：好".to_string()
        } else if (2020..=2022).contains(&y) && rng.gen_bool(0.04) {
            "疫情防控专项考核：表现突出".to_string()
        } else {
            String::new()
        };
        let talk_notes = if talk_year == Some(y) {
            pick(
                rng,
                &[
                    "年度考核谈话：肯定工作实绩，提醒注意工作方法，加强与班子成员沟通。",
                    "廉政谈话：提醒严格落实中央八项规定精神，管好身边工作人员。",
                    "提醒谈话：分管领域项目推进滞后，要求限期整改。",
                    "任职谈话：明确岗位职责和廉洁自律要求。",
                ],
            )
            .to_string()
        } else {
            String::new()
        };
        if grade == Some(Grade::Excellent) {
            streak += 1;
        } else {
            streak = 0;
        }
        d.assessments.push(Assessment {
            year: y as i16,
            grade,
            democratic_score,
            special,
            talk_notes,
        });
        // 公务员连续三年优秀，记三等功。
        if streak == 3 {
            streak = 0;
            let date = month(ym(y + 1, 3));
            if date <= month(as_of_index()) {
                d.rewards.push(Reward {
                    kind: RewardKind::Award,
                    date: Some(date),
                    title: "记三等功".into(),
                    issuer: format!("{region_name}人民政府"),
                    reason: "连续三年年度考核被确定为优秀等次".into(),
                });
            }
        }
    }
    // Other awards.
    let n = *weighted(rng, &[(0u8, 50), (1, 30), (2, 15), (3, 5)]);
    let province = &plan.province;
    for _ in 0..n {
        if last <= first {
            break;
        }
        let y = rng.gen_range(first..=last);
        let (title, issuer) = *pick(
            rng,
            &[
                ("优秀共产党员", "县委"),
                ("优秀公务员", "县政府"),
                ("嘉奖", "县政府"),
                ("脱贫攻坚先进个人", "省委省政府"),
                ("优秀党务工作者", "县委"),
                ("抗洪抢险先进个人", "市委市政府"),
                ("全省信访工作先进个人", "省委省政府"),
            ],
        );
        if title == "优秀共产党员" && seat.politics != Politics::Cpc {
            continue;
        }
        let issuer = match issuer {
            "省委省政府" => format!("中共{province}委、{province}人民政府"),
            "市委市政府" => "市委、市政府".to_string(),
            "县委" => format!("中共{region_name}委员会"),
            _ => format!("{region_name}人民政府"),
        };
        d.rewards.push(Reward {
            kind: RewardKind::Award,
            date: Some(month(ym(y, rng.gen_range(1..=12)))),
            title: title.into(),
            issuer,
            reason: String::new(),
        });
    }
    if punished {
        let (kind, title, reason) = *pick(
            rng,
            &[
                (
                    RewardKind::PartyPunishment,
                    "党内警告",
                    "违反中央八项规定精神，违规接受宴请",
                ),
                (
                    RewardKind::OrgHandling,
                    "诫勉",
                    "履行管理职责不力，分管领域发生安全生产事故",
                ),
                (RewardKind::GovPunishment, "政务警告", "违规发放津贴补贴"),
            ],
        );
        let kind = if kind == RewardKind::PartyPunishment && seat.politics != Politics::Cpc {
            RewardKind::GovPunishment
        } else {
            kind
        };
        d.rewards.push(Reward {
            kind,
            date: Some(month(ym(punish_year, rng.gen_range(3..=11)))),
            title: title.into(),
            issuer: format!("{region_name}纪委监委"),
            reason: reason.into(),
        });
    }
    d.rewards.sort_by_key(|r| r.date);
}

fn findings(d: &mut Dossier, seat: &Seat, w: i32, retired: Option<i32>, rng: &mut ChaCha8Rng) {
    let last = retired.unwrap_or(as_of_index() - 1);
    let first = w.max(ym(2016, 1));
    if seat.mark == Mark::Unresolved {
        d.findings.push(Finding {
            source: FindingSource::Inspection,
            date: month(ym(2026, 6)),
            summary: "分管领域政府投资项目变更审批不规范，个别项目先施工后立项".into(),
            conclusion: "县委巡察组反馈，正在整改，尚未销号".into(),
            resolved: false,
        });
        return;
    }
    if first >= last || !rng.gen_bool(0.025) {
        return;
    }
    let (source, summary) = *pick(
        rng,
        &[
            (FindingSource::Inspection, "落实“三重一大”决策制度不到位"),
            (FindingSource::Audit, "专项资金拨付滞后，部分资金闲置"),
            (FindingSource::Audit, "经济责任审计发现公务接待管理不规范"),
            (FindingSource::Petition, "反映违规插手工程项目"),
            (FindingSource::Petition, "反映干部选拔程序不规范"),
        ],
    );
    let date = rng.gen_range(first..last);
    // Older findings have long been closed; a recent one may still be open.
    let resolved = date < ym(2025, 6) || rng.gen_bool(0.4);
    let conclusion = match (resolved, source) {
        (true, FindingSource::Petition) => "经核查，反映问题不属实，予以了结",
        (true, _) => "已整改到位，予以销号",
        (false, FindingSource::Petition) => "核查中",
        (false, _) => "正在整改",
    };
    d.findings.push(Finding {
        source,
        date: month(date),
        summary: summary.into(),
        conclusion: conclusion.into(),
        resolved,
    });
}

fn family(plan: &Plan, d: &mut Dossier, seat: &Seat, home: usize, rng: &mut ChaCha8Rng) {
    let as_of = as_of_index();
    let birth = ym(seat.birth.0 as i32, seat.birth.1 as i32);
    let age = (as_of - birth) / 12;
    let county = plan.regions[home].name.clone();
    // Spouse and children live where the cadre works.
    let here = plan.regions[plan.region_of(seat.unit())].name.clone();
    let own_surname = surname_of(&d.identity.name).to_string();
    // Fields the cadre's current units regulate: no family business there unless planted.
    let regulated: Vec<String> = d
        .postings
        .iter()
        .filter(|p| p.end.is_none())
        .filter_map(|p| p.unit)
        .flat_map(|u| plan.unit(u).regulates.clone())
        .collect();
    let latest_registration = match d.last_report {
        Some(r) => r.month_index() - 1,
        None => as_of - 3,
    };
    let business = |rng: &mut ChaCha8Rng, forced: Option<(&str, i32)>| -> Business {
        let (industry, date) = match forced {
            Some((i, date)) => (i.to_string(), date),
            None => {
                let industry = loop {
                    let i = pick(rng, INDUSTRIES);
                    if !regulated.iter().any(|r| r == i) {
                        break i.to_string();
                    }
                };
                (
                    industry,
                    rng.gen_range(ym(2006, 1)..=latest_registration.max(ym(2006, 2))),
                )
            }
        };
        Business {
            name: format!("{here}{}{}", pick(rng, BRANDS), company_suffix(&industry)),
            industry,
            role: pick(rng, &["法定代表人", "法定代表人", "股东", "监事"]).to_string(),
            registered: Some(month(date)),
        }
    };
    let status = |rng: &mut ChaCha8Rng| {
        if rng.gen_bool(0.45) {
            Some(PoliticalStatus::CpcMember)
        } else {
            Some(PoliticalStatus::Masses)
        }
    };

    let mut members: Vec<FamilyMember> = Vec::new();
    let spouse_gender = match seat.gender {
        Gender::Male => Gender::Female,
        Gender::Female => Gender::Male,
    };
    let planted_business = matches!(
        seat.mark,
        Mark::BusinessConflict | Mark::BusinessAfterReport
    );
    let married = planted_business || rng.gen_bool(if age >= 28 { 0.95 } else { 0.6 });
    let mut spouse_surname = None;
    if married {
        let sb = match seat.gender {
            Gender::Male => birth + rng.gen_range(0..=60),
            Gender::Female => birth - rng.gen_range(0..=60),
        };
        let name = full_name(rng, spouse_gender);
        spouse_surname = Some(surname_of(&name).to_string());
        let spouse_age = (as_of - sb) / 12;
        let mut m = FamilyMember {
            relation: if seat.gender == Gender::Male {
                "妻子"
            } else {
                "丈夫"
            }
            .into(),
            name,
            birth: Some(month(sb)),
            political_status: status(rng),
            employer: String::new(),
            employer_unit: None,
            post: String::new(),
            businesses: vec![],
        };
        let forced = match seat.mark {
            Mark::BusinessConflict => {
                let industry = regulated.first().cloned().unwrap_or_else(|| "建筑".into());
                Some((industry, ym(2019, rng.gen_range(3..=10))))
            }
            Mark::BusinessAfterReport => Some(("商贸".to_string(), ym(2026, 6))),
            _ => None,
        };
        if let Some((industry, date)) = &forced {
            let b = business(rng, Some((industry, *date)));
            m.employer = b.name.clone();
            m.post = "法定代表人、总经理".into();
            m.businesses.push(Business {
                role: "法定代表人".into(),
                ..b
            });
        } else if rng.gen_bool(0.12) {
            let b = business(rng, None);
            m.employer = b.name.clone();
            m.post = if b.role == "法定代表人" {
                "总经理"
            } else {
                "职员"
            }
            .into();
            m.businesses.push(b);
        } else {
            let (e, p) = ordinary_job(rng, &here, spouse_gender);
            if spouse_age >= 60 || (spouse_gender == Gender::Female && spouse_age >= 55) {
                m.employer = format!("{e}（已退休）");
                m.post = "退休".into();
            } else {
                m.employer = e;
                m.post = p;
            }
        }
        members.push(m);
    }

    // Children.
    let n_children = if !married {
        0
    } else if age < 30 {
        *weighted(rng, &[(0u8, 60), (1, 40)])
    } else {
        *weighted(rng, &[(0u8, 8), (1, 57), (2, 35)])
    };
    let child_surname = match seat.gender {
        Gender::Male => own_surname.clone(),
        Gender::Female => spouse_surname
            .clone()
            .unwrap_or_else(|| own_surname.clone()),
    };
    let mut child_birth = birth + 12 * rng.gen_range(24..=31) + rng.gen_range(0..12);
    for k in 0..n_children {
        if child_birth > as_of - 2 {
            break;
        }
        let g = if rng.gen_bool(0.52) {
            Gender::Male
        } else {
            Gender::Female
        };
        let relation = match (n_children, k, g) {
            (1, _, Gender::Male) => "儿子",
            (1, _, Gender::Female) => "女儿",
            (_, 0, Gender::Male) => "长子",
            (_, 0, Gender::Female) => "长女",
            (_, _, Gender::Male) => "次子",
            (_, _, Gender::Female) => "次女",
        };
        let child_age = (as_of - child_birth) / 12;
        let mut m = FamilyMember {
            relation: relation.into(),
            name: name_with_surname(rng, &child_surname, g),
            birth: Some(month(child_birth)),
            political_status: None,
            employer: String::new(),
            employer_unit: None,
            post: String::new(),
            businesses: vec![],
        };
        if child_age >= 23 && rng.gen_bool(0.11) {
            let b = business(rng, None);
            m.employer = b.name.clone();
            m.post = if b.role == "法定代表人" {
                "执行董事"
            } else {
                "职员"
            }
            .into();
            m.political_status = Some(PoliticalStatus::Masses);
            m.businesses.push(b);
        } else if child_age >= 23 {
            let (e, p) = ordinary_job(rng, &here, g);
            m.employer = e;
            m.post = p;
            m.political_status = status(rng);
        } else if child_age >= 18 {
            m.employer = format!("{}大学", plan.province.trim_end_matches('省'));
            m.post = "学生".into();
            m.political_status = Some(PoliticalStatus::Masses);
        } else if child_age >= 6 {
            m.employer = format!("{here}实验学校");
            m.post = "学生".into();
        }
        members.push(m);
        if child_age >= 27 && rng.gen_bool(0.45) {
            let sg = if g == Gender::Male {
                Gender::Female
            } else {
                Gender::Male
            };
            let mut cs = FamilyMember {
                relation: if g == Gender::Male {
                    "儿媳"
                } else {
                    "女婿"
                }
                .into(),
                name: full_name(rng, sg),
                birth: Some(month(child_birth + rng.gen_range(-36..=24))),
                political_status: status(rng),
                employer: String::new(),
                employer_unit: None,
                post: String::new(),
                businesses: vec![],
            };
            if rng.gen_bool(0.12) {
                let b = business(rng, None);
                cs.employer = b.name.clone();
                cs.post = "总经理".into();
                cs.businesses.push(b);
            } else {
                let (e, p) = ordinary_job(rng, &here, sg);
                cs.employer = e;
                cs.post = p;
            }
            members.push(cs);
        }
        child_birth += 12 * rng.gen_range(2..=6) + rng.gen_range(0..12);
    }

    // Parents.
    for (relation, g, gap) in [("父亲", Gender::Male, 26), ("母亲", Gender::Female, 24)] {
        if !rng.gen_bool(0.8) {
            continue;
        }
        let pb = birth - 12 * (gap + rng.gen_range(-3..=5)) - rng.gen_range(0..12);
        let page = (as_of - pb) / 12;
        let name = if g == Gender::Male {
            name_with_surname(rng, &own_surname, g)
        } else {
            full_name(rng, g)
        };
        let (employer, post) = if page >= 80 && rng.gen_bool(0.5) {
            ("已去世".to_string(), String::new())
        } else if rng.gen_bool(0.5) {
            ("务农".to_string(), String::new())
        } else {
            (format!("{county}供销合作社（已退休）"), "退休".to_string())
        };
        let mut m = FamilyMember {
            relation: relation.into(),
            name,
            birth: Some(month(pb)),
            political_status: status(rng),
            employer,
            employer_unit: None,
            post,
            businesses: vec![],
        };
        if m.post.is_empty() && m.employer == "务农" && page < 75 && rng.gen_bool(0.03) {
            let b = business(rng, None);
            m.businesses.push(b);
        }
        members.push(m);
    }
    d.family = members;
}

fn record(d: &mut Dossier, cat: MajorCategory, rng: &mut ChaCha8Rng) {
    let specialty = match cat {
        MajorCategory::Economics => "经济管理、产业发展",
        MajorCategory::Management => "行政管理、综合协调",
        MajorCategory::Law => "法律事务、社会治理",
        MajorCategory::Engineering => "工程建设管理",
        MajorCategory::Agriculture => "农业农村工作",
        MajorCategory::Medicine => "卫生健康管理",
        MajorCategory::Education => "教育管理",
        MajorCategory::Literature | MajorCategory::History | MajorCategory::Philosophy => {
            "文字综合、宣传思想工作"
        }
        MajorCategory::Science => "统计分析",
        _ => "综合管理",
    };
    d.record.specialty = specialty.to_string();
    let skills = [
        "公文写作",
        "统计分析",
        "招商引资",
        "项目管理",
        "应急管理",
        "信访调处",
        "财务审计",
        "城乡规划",
        "计算机应用",
        "群众工作",
    ];
    let n = rng.gen_range(1..=3);
    for _ in 0..n {
        let s = pick(rng, &skills).to_string();
        if !d.record.skills.contains(&s) {
            d.record.skills.push(s);
        }
    }
    if rng.gen_bool(0.22) {
        d.record
            .languages
            .push(pick(rng, &["英语（一般）", "英语（熟练）"]).to_string());
    }
    let minority_language = match d.identity.ethnicity.as_str() {
        "壮族" => Some("壮语"),
        "苗族" => Some("苗语"),
        "蒙古族" => Some("蒙古语"),
        "彝族" => Some("彝语"),
        _ => None,
    };
    if let Some(l) = minority_language.filter(|_| rng.gen_bool(0.5)) {
        d.record.languages.push(l.to_string());
    }
    // Achievements from the posts held.
    let led: Vec<(PartialDate, String)> = d
        .postings
        .iter()
        .filter(|p| p.role != PostRole::Member && p.unit.is_some())
        .map(|p| (p.start, p.unit_name.clone()))
        .collect();
    let n = rng.gen_range(0..=2).min(led.len());
    for _ in 0..n {
        let (start, unit) = pick(rng, &led).clone();
        let (title, detail) = *pick(
            rng,
            &[
                (
                    "推进农村人居环境整治",
                    "牵头完成改厕、垃圾污水治理，获评市级示范",
                ),
                (
                    "优化营商环境改革",
                    "推行“一窗受理、集成服务”，办理时限压缩一半",
                ),
                ("重点项目建设", "协调推进重点项目落地，按期完成征地拆迁"),
                ("脱贫攻坚与乡村振兴", "组织产业帮扶，带动脱贫户稳定增收"),
                ("基层治理创新", "推行网格化管理，信访总量明显下降"),
                (
                    "安全生产专项整治",
                    "开展隐患排查整治，辖区未发生较大以上事故",
                ),
            ],
        );
        let date = Some(start.plus_years(1).min(month(as_of_index() - 1)));
        if d.record
            .achievements
            .iter()
            .any(|a| a.title.ends_with(title))
        {
            continue;
        }
        d.record.achievements.push(Achievement {
            date,
            title: format!("{unit}：{title}"),
            detail: detail.to_string(),
        });
    }
}
