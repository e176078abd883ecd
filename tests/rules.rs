//! Each supervision and team rule fires and does not fire at its boundary, on hand-built
//! dossiers; the team gauges' numbers on a hand-built team; the reserve pool's gaps.

mod common;
use common::*;

use cadre::alerts::{Alert, Subject, person_alerts, scan};
use cadre::filter::Ctx;
use cadre::model::*;
use cadre::reserve::pool;
use cadre::rules::{Rules, Severity};
use cadre::team::{TeamIndex, members, profile};

fn today() -> PartialDate {
    PartialDate::ymd(2026, 11, 25).unwrap()
}

fn dir() -> UnitDirectory {
    let mut u = units(); // 1 province, 2 临河县, 3 临河县人民政府
    u.push(unit(
        4,
        "临河县柳塘镇",
        Some(2),
        UnitKind::Township,
        UnitLevel::Township,
    ));
    let mut housing = unit(
        7,
        "临河县住房和城乡建设局",
        Some(2),
        UnitKind::Bureau,
        UnitLevel::County,
    );
    housing.regulates = vec!["建筑".into(), "房地产".into()];
    u.push(housing);
    u.push(unit(
        8,
        "临河县住建局财务科",
        Some(7),
        UnitKind::Institution,
        UnitLevel::County,
    ));
    u.push(unit(
        10,
        "中共临河县委员会",
        Some(2),
        UnitKind::PartyCommittee,
        UnitLevel::County,
    ));
    u.push(unit(
        11,
        "江东县",
        Some(1),
        UnitKind::Region,
        UnitLevel::County,
    ));
    UnitDirectory::new(u)
}

fn post(start: &str, unit: UnitId, position: &str, rank: Rank, role: PostRole) -> Posting {
    Posting {
        start: date(start),
        end: None,
        unit: Some(unit),
        unit_name: String::new(),
        position: position.into(),
        rank: Some(rank),
        role,
        portfolio: String::new(),
        concurrent: false,
        probation: false,
    }
}

/// A serving cadre with one current post and nothing else to alert on.
fn cadre(p: Posting) -> Dossier {
    let mut d = person("林涛", (1978, 6, 2), Gender::Male, 31);
    d.identity.native_place = "青川省江东县".into();
    d.family.clear();
    d.postings = vec![p];
    d
}

fn alerts(d: &Dossier) -> Vec<Alert> {
    let units = dir();
    let mut out = Vec::new();
    person_alerts(
        d,
        &Ctx {
            today: today(),
            units: &units,
        },
        &Rules::defaults(),
        &mut out,
    );
    out
}

fn fired(d: &Dossier) -> Vec<String> {
    alerts(d).into_iter().map(|a| a.rule_id).collect()
}

#[test]
fn tenure_in_one_post_at_5_and_10_years() {
    let at = |start: &str| {
        fired(&cadre(post(
            start,
            3,
            "副县长",
            Rank::CountyDeputy,
            PostRole::Deputy,
        )))
    };
    assert_eq!(
        at("2016-11"),
        vec!["tenure.exchange"],
        "exactly 10 years: only the higher rule"
    );
    assert_eq!(at("2016-12"), vec!["tenure.term"]);
    assert_eq!(at("2021-11"), vec!["tenure.term"], "exactly 5 years");
    assert!(at("2021-12").is_empty());
    let a = &alerts(&cadre(post(
        "2016-11",
        3,
        "副县长",
        Rank::CountyDeputy,
        PostRole::Deputy,
    )))[0];
    assert_eq!(a.severity, Severity::Severe);
    assert_eq!(a.detail, "自 2016.11 任副县长，已 10.0 年");
    assert_eq!(a.subject, Subject::Dossier(0));
    assert_eq!(a.unit_name, "临河县人民政府");
}

#[test]
fn fifteen_years_at_one_level() {
    let mut d = cadre(post(
        "2022-11",
        3,
        "副县长",
        Rank::CountyDeputy,
        PostRole::Deputy,
    ));
    let mut earlier = post(
        "2011-11",
        4,
        "镇党委书记",
        Rank::CountyDeputy,
        PostRole::Principal,
    );
    earlier.end = Some(date("2022-11"));
    d.postings.insert(0, earlier);
    assert_eq!(fired(&d), vec!["tenure.level"]);
    d.postings[0].start = date("2011-12");
    assert!(fired(&d).is_empty());
}

#[test]
fn principal_in_the_home_county() {
    let mut d = cadre(post(
        "2023-03",
        10,
        "县委书记",
        Rank::CountyPrincipal,
        PostRole::Principal,
    ));
    assert!(fired(&d).is_empty(), "native of 江东县");
    d.identity.native_place = "青川省临河县".into();
    assert_eq!(fired(&d), vec!["avoid.home_county"]);
    d.identity.native_place = "青川省江东县".into();
    d.identity.birthplace = "临河县柳塘镇".into();
    assert_eq!(
        fired(&d),
        vec!["avoid.home_county"],
        "birthplace counts too"
    );
    d.postings[0].role = PostRole::Deputy;
    d.postings[0].position = "县委副书记".into();
    assert!(fired(&d).is_empty(), "a deputy is not bound");
}

fn relative(
    relation: &str,
    employer_unit: Option<UnitId>,
    post: &str,
    business: Option<(&str, &str)>,
) -> FamilyMember {
    FamilyMember {
        relation: relation.into(),
        name: "某".into(),
        birth: None,
        political_status: None,
        employer: String::new(),
        employer_unit,
        post: post.into(),
        businesses: business
            .map(|(name, industry)| Business {
                name: name.into(),
                industry: industry.into(),
                role: "法定代表人".into(),
                registered: Some(date("2019-05")),
            })
            .into_iter()
            .collect(),
    }
}

#[test]
fn a_family_business_in_the_field_the_department_regulates() {
    let mut d = cadre(post(
        "2023-03",
        7,
        "局长",
        Rank::TownshipPrincipal,
        PostRole::Principal,
    ));
    d.family.push(relative(
        "妻子",
        None,
        "",
        Some(("临河宏达建筑有限公司", "建筑施工")),
    ));
    assert_eq!(fired(&d), vec!["avoid.business"]);
    d.family[0].relation = "父亲".into();
    assert!(fired(&d).is_empty(), "a father's business does not bind");
    d.family[0].relation = "儿媳".into();
    assert_eq!(fired(&d), vec!["avoid.business"]);
    d.family[0].businesses[0].industry = "餐饮".into();
    assert!(fired(&d).is_empty(), "not a regulated field");
    d.family[0].businesses[0].industry = "建筑".into();
    d.postings[0].role = PostRole::Deputy;
    assert!(fired(&d).is_empty(), "only the head is bound");
}

#[test]
fn a_relative_in_the_same_unit_or_in_sensitive_work_under_it() {
    let mut d = cadre(post(
        "2023-03",
        7,
        "局长",
        Rank::TownshipPrincipal,
        PostRole::Principal,
    ));
    d.family.push(relative("儿子", Some(8), "教师", None));
    assert!(
        fired(&d).is_empty(),
        "under the unit but not sensitive work"
    );
    d.family[0].post = "财务科科长".into();
    assert_eq!(fired(&d), vec!["avoid.relative_unit"]);
    d.family[0].post = "科员".into();
    d.family[0].employer_unit = Some(7);
    assert_eq!(fired(&d), vec!["avoid.relative_unit"], "same unit");
}

#[test]
fn a_business_registered_after_the_last_report() {
    let mut d = cadre(post(
        "2023-03",
        3,
        "副县长",
        Rank::CountyDeputy,
        PostRole::Deputy,
    ));
    d.last_report = Some(date("2026-01"));
    d.family
        .push(relative("丈夫", None, "", Some(("某商贸公司", "零售"))));
    d.family[0].businesses[0].registered = Some(date("2026-01"));
    assert!(fired(&d).is_empty(), "registered in the report's month");
    d.family[0].businesses[0].registered = Some(date("2026-02"));
    assert_eq!(fired(&d), vec!["report.business_change"]);
}

#[test]
fn probation_ending_within_two_months() {
    let mut p = post("2026-01", 3, "副县长", Rank::CountyDeputy, PostRole::Deputy);
    p.probation = true;
    let d = cadre(p.clone());
    assert_eq!(
        fired(&d),
        vec!["probation.ending"],
        "ends 2027-01: two months ahead"
    );
    p.start = date("2026-02");
    assert!(fired(&cadre(p.clone())).is_empty());
    p.start = date("2025-09");
    let a = alerts(&cadre(p.clone()));
    assert_eq!(
        a[0].detail, "副县长试用期已于 2026.09 届满",
        "ended two months ago"
    );
    p.start = date("2025-08");
    assert!(
        fired(&cadre(p)).is_empty(),
        "ended three months ago: not an alert any more"
    );
}

#[test]
fn unresolved_findings() {
    let mut d = cadre(post(
        "2023-03",
        3,
        "副县长",
        Rank::CountyDeputy,
        PostRole::Deputy,
    ));
    d.findings.push(Finding {
        source: FindingSource::Inspection,
        date: date("2026-05"),
        summary: "项目审批程序不规范".into(),
        conclusion: String::new(),
        resolved: false,
    });
    assert_eq!(fired(&d), vec!["findings.open"]);
    d.findings[0].resolved = true;
    assert!(fired(&d).is_empty());
}

/// A deputy who meets every prerequisite for 县处级正职 except, perhaps, years at level: a
/// township head from 2012, 县处级副职 from `level_since` in two posts, the second from `current`.
fn ready_deputy(level_since: &str, current: &str) -> Dossier {
    let mut first = post(
        "2012-01",
        4,
        "镇长",
        Rank::TownshipPrincipal,
        PostRole::Principal,
    );
    first.end = Some(date(level_since));
    let mut second = post(
        level_since,
        10,
        "县委常委",
        Rank::CountyDeputy,
        PostRole::Member,
    );
    second.end = Some(date(current));
    let mut d = cadre(post(
        current,
        3,
        "副县长",
        Rank::CountyDeputy,
        PostRole::Deputy,
    ));
    d.postings.insert(0, second);
    d.postings.insert(0, first);
    d.training = (0..5)
        .map(|i| Training {
            name: "专题班".into(),
            organizer: "省委党校".into(),
            start: PartialDate::ym(2022 + i, 3).unwrap(),
            end: None,
            hours: 120,
        })
        .collect();
    d
}

#[test]
fn promotion_eligibility_reached_in_the_last_year() {
    assert!(
        fired(&ready_deputy("2019-01", "2023-03")).is_empty(),
        "reached years ago"
    );
    assert_eq!(
        fired(&ready_deputy("2024-11", "2025-06")),
        vec!["promotion.eligible"],
        "exactly 2 years at level"
    );
    assert!(
        fired(&ready_deputy("2024-12", "2025-06")).is_empty(),
        "1.9 years"
    );
    let mut short = ready_deputy("2024-11", "2025-06");
    short.training.truncate(1);
    assert!(fired(&short).is_empty(), "training hours missing");
}

#[test]
fn reserve_gaps_name_what_is_missing() {
    let mut d = ready_deputy("2025-01", "2025-06");
    d.status = LifeCycle::Reserve;
    d.reserve = Some(ReserveInfo {
        target: Rank::CountyPrincipal,
        target_post: "县长".into(),
        readiness: Readiness::Soon,
        since: Some(date("2025-12")),
    });
    d.training.truncate(2);
    let units = dir();
    let ctx = Ctx {
        today: today(),
        units: &units,
    };
    let entries = pool(std::slice::from_ref(&d), &ctx, &Rules::defaults().promotion);
    assert_eq!(entries.len(), 1);
    let gaps: Vec<String> = entries[0].gaps.iter().map(|g| g.to_string()).collect();
    assert_eq!(
        gaps,
        vec![
            "任现级年限：需2.0年，现1.8年",
            "近5年培训学时：需550学时，现240学时"
        ]
    );
    d.identity.work_start = Some(date("2022-01"));
    let entries = pool(&[d], &ctx, &Rules::defaults().promotion);
    assert!(entries[0].gaps.iter().any(|g| g.what == "工作年限"));
}

// ---- teams ------------------------------------------------------------------------------------

fn member(
    name: &str,
    birth: (i16, u8, u8),
    g: Gender,
    seq: u16,
    position: &str,
    role: PostRole,
) -> Dossier {
    let mut d = person(name, birth, g, seq);
    d.family.clear();
    d.postings = vec![post("2023-01", 3, position, Rank::CountyDeputy, role)];
    if role == PostRole::Principal {
        d.postings[0].rank = Some(Rank::CountyPrincipal);
    }
    d
}

fn team() -> Vec<Dossier> {
    let mut t = vec![
        member(
            "甲",
            (1970, 3, 1),
            Gender::Male,
            11,
            "县长",
            PostRole::Principal,
        ),
        member(
            "乙",
            (1973, 3, 1),
            Gender::Male,
            13,
            "常务副县长",
            PostRole::Deputy,
        ),
        member(
            "丙",
            (1974, 3, 1),
            Gender::Male,
            15,
            "副县长",
            PostRole::Deputy,
        ),
        member(
            "丁",
            (1977, 3, 1),
            Gender::Male,
            17,
            "副县长",
            PostRole::Deputy,
        ),
        member(
            "戊",
            (1988, 3, 1),
            Gender::Male,
            19,
            "副县长",
            PostRole::Deputy,
        ),
    ];
    for (i, d) in t.iter_mut().enumerate() {
        d.id = i as u64 + 1;
    }
    t[4].identity.ethnicity = "回族".into();
    t[4].identity.native_place = "青川省江东县".into();
    t[4].education[0].level = EduLevel::Postgraduate;
    t[4].education[0].category = Some(MajorCategory::Engineering);
    t
}

#[test]
fn gauges_of_a_hand_built_team() {
    let units = dir();
    let ctx = Ctx {
        today: today(),
        units: &units,
    };
    let dossiers = team();
    let index = TeamIndex::build(&dossiers);
    let m = members(3, &index, &dossiers, &ctx);
    assert_eq!(m[0].name, "甲", "principal first");
    let p = profile(units.get(3).unwrap(), m, &Rules::defaults());
    assert_eq!(p.ages, vec![38, 49, 52, 53, 56]);
    assert_eq!(p.mean_age, 49.6);
    assert_eq!(p.age_bands, [1, 1, 2, 1]);
    assert_eq!(p.women, 0);
    assert_eq!(p.minority, 1);
    assert_eq!(p.non_party, 0);
    assert_eq!(p.local, 4, "four natives of 临河县");
    assert_eq!(
        p.education,
        vec![(EduLevel::Postgraduate, 1), (EduLevel::Undergraduate, 4)]
    );
    assert_eq!(p.specialty[0], (Some(MajorCategory::Management), 4));
    let ids: Vec<&str> = p.warnings.iter().map(|w| w.rule_id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["team.woman", "team.non_party", "team.under50_body"]
    );
    assert_eq!(
        p.warnings[0].detail,
        "班子 5 人，女干部 0 人（应至少 1 人）"
    );
    assert_eq!(p.warnings[2].detail, "50 岁以下 2 人，占 5 人的 40%");
}

#[test]
fn team_rules_at_their_boundaries() {
    let units = dir();
    let ctx = Ctx {
        today: today(),
        units: &units,
    };
    let rules = Rules::defaults();
    let run = |dossiers: &[Dossier]| -> Vec<String> {
        let index = TeamIndex::build(dossiers);
        let p = profile(
            units.get(3).unwrap(),
            members(3, &index, dossiers, &ctx),
            &rules,
        );
        p.warnings.into_iter().map(|w| w.rule_id).collect()
    };
    let mut t = team();
    t[1].identity.gender = Gender::Female;
    t[1].identity.id_number = idnum::make(330102, (1975, 3, 1), 14, Gender::Female);
    t[2].identity.political_status = PoliticalStatus::NonParty;
    t[2].identity.birth = date("1980-03");
    assert!(
        run(&t).is_empty(),
        "one woman, one non-party, 3 of 5 under 50, ages 38 46 49 53 56"
    );
    // Clustering: ages 38 46 48 49 56: three (46, 48, 49) within 3 years is more than half.
    let mut c = t.clone();
    c[1].identity.birth = date("1977-06");
    c[2].identity.birth = date("1978-06");
    c[3].identity.birth = date("1980-06");
    assert_eq!(run(&c), vec!["team.age_cluster"]);
    // Ages 38 44 48 49 56: at most two within 3 years.
    c[3].identity.birth = date("1982-06");
    assert!(run(&c).is_empty());
    // 40 exactly is not under 40.
    let mut y = t.clone();
    y[4].identity.birth = date("1986-11");
    assert!(run(&y).contains(&"team.under40".to_string()));
    y[4].identity.birth = date("1986-12");
    assert!(!run(&y).contains(&"team.under40".to_string()));
}

#[test]
fn team_warnings_appear_among_all_alerts() {
    let units = dir();
    let ctx = Ctx {
        today: today(),
        units: &units,
    };
    let all = scan(&team(), &ctx, &Rules::defaults());
    let team_alerts: Vec<&Alert> = all
        .iter()
        .filter(|a| a.subject == Subject::Team(3))
        .collect();
    assert_eq!(team_alerts.len(), 3);
    assert!(team_alerts.iter().all(|a| a.name == "临河县人民政府"));
}
