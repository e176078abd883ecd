//! The filter language: the parser on good and bad input (positions asserted), every condition
//! kind against hand-built dossiers at its boundaries, and the laws of and/or/not on generated
//! dossiers.

mod common;
use common::*;

use cadre::filter::ast::Expr;
use cadre::filter::{Ctx, SEED_EXAMPLE, parse};
use cadre::model::*;

fn today() -> PartialDate {
    PartialDate::ymd(2026, 11, 25).unwrap()
}

fn dir() -> UnitDirectory {
    let mut u = units();
    u.push(unit(
        4,
        "临河县柳塘镇",
        Some(2),
        UnitKind::Township,
        UnitLevel::Township,
    ));
    u.push(unit(
        5,
        "青川省发展和改革委员会",
        Some(1),
        UnitKind::Bureau,
        UnitLevel::Province,
    ));
    u.push(unit(
        6,
        "临河县财政局",
        Some(2),
        UnitKind::Bureau,
        UnitLevel::County,
    ));
    UnitDirectory::new(u)
}

fn is(q: &str, d: &Dossier) -> bool {
    let units = dir();
    let e = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    e.matches(
        d,
        &Ctx {
            today: today(),
            units: &units,
        },
    )
}

fn posting(
    start: &str,
    end: Option<&str>,
    unit: UnitId,
    position: &str,
    rank: Rank,
    role: PostRole,
) -> Posting {
    Posting {
        start: date(start),
        end: end.map(date),
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

fn grades(d: &mut Dossier, list: &[(i16, Option<Grade>)]) {
    d.assessments = list
        .iter()
        .map(|(year, grade)| Assessment {
            year: *year,
            grade: *grade,
            democratic_score: None,
            special: String::new(),
            talk_notes: String::new(),
        })
        .collect();
}

/// A person who meets the seed's example exactly: 44, township principal, management major,
/// 优秀 in 2023, 2024 and 2025.
fn seed_match() -> Dossier {
    let mut d = person("周洁", (1982, 1, 10), Gender::Female, 20);
    d.postings = vec![
        posting(
            "2015-06",
            Some("2020-03"),
            4,
            "镇长",
            Rank::TownshipPrincipal,
            PostRole::Principal,
        ),
        posting(
            "2020-03",
            None,
            3,
            "副县长",
            Rank::CountyDeputy,
            PostRole::Deputy,
        ),
    ];
    grades(
        &mut d,
        &[
            (2023, Some(Grade::Excellent)),
            (2024, Some(Grade::Excellent)),
            (2025, Some(Grade::Excellent)),
        ],
    );
    d
}

// ---- parser ---------------------------------------------------------------------------------

#[test]
fn the_seed_example_parses_in_chinese_and_english_to_the_same_tree() {
    let zh = parse(SEED_EXAMPLE).unwrap();
    let en = parse("age < 45 and held(grassroots, principal) and major_category in (economics, management) and grade(excellent, last 3, each)").unwrap();
    let compact =
        parse("年龄<45且曾任（基层，正职）且专业类别属于（经济学、管理学）且考核(优秀,近3年,每年)")
            .unwrap();
    assert_eq!(zh, en);
    assert_eq!(zh, compact);
    // The canonical text parses back to the same tree.
    assert_eq!(parse(&zh.to_string()).unwrap(), zh);
    assert_eq!(zh.to_string(), SEED_EXAMPLE);
}

#[test]
fn precedence_not_over_and_over_or_and_parentheses() {
    let e = parse("性别 = 女 或 年龄 < 40 且 非 后备").unwrap();
    assert!(matches!(&e, Expr::Or(v) if v.len() == 2 && matches!(&v[1], Expr::And(_))));
    let e = parse("(性别 = 女 或 年龄 < 40) 且 !后备").unwrap();
    assert!(
        matches!(&e, Expr::And(v) if matches!(&v[0], Expr::Or(_)) && matches!(&v[1], Expr::Not(_)))
    );
    assert_eq!(e.to_string(), "(性别 = 女 或 年龄 < 40) 且 非 后备");
}

#[test]
fn bad_input_points_at_the_place() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "一个条件"),
        ("年龄 < ", 5, "数字"),
        ("年龄 < 45 且", 9, "一个条件或“(”"),
        ("年纪 < 45", 0, "条件名"),
        ("年龄 << 45", 4, "数字"),
        ("性别 = 男女", 5, "性别的取值（男、女）"),
        ("性别 > 女", 3, "“=”或“!=”"),
        ("(年龄 < 45", 8, "“)”"),
        ("年龄 < 45)", 7, "“且”“或”或表达式结束"),
        ("考核(良好, 近3年)", 3, "考核等次"),
        ("考核(优秀, 三年)", 7, "年数"),
        ("考核(优秀, 近3年, 至少4年)", 12, "不超过 3 的次数"),
        ("曾任(基层, 很大)", 7, "任职条件"),
        ("学历 >= 博士后", 6, "学历的取值"),
        ("年龄 < 45 # 1", 8, "合法的字符"),
        ("籍贯 ~ \"临河", 5, "合法的字符"),
    ];
    for (q, pos, expected) in cases {
        let e = parse(q).unwrap_err();
        assert_eq!(e.pos, *pos, "{q}: {e}");
        assert!(
            e.expected.contains(expected) || e.to_string().contains(expected),
            "{q}: {e}"
        );
    }
    let e = parse("年龄 < 45 且").unwrap_err();
    assert_eq!(
        e.to_string(),
        "第 10 个字符处：应为一个条件或“(”，却是表达式结束"
    );
}

// ---- conditions at their boundaries --------------------------------------------------------

#[test]
fn age_at_exactly_45() {
    let mut d = seed_match();
    d.identity.birth = date("1981-11");
    assert!(!is("年龄 < 45", &d), "45 in November 2026");
    assert!(is("年龄 <= 45", &d));
    d.identity.birth = date("1981-12");
    assert!(is("年龄 < 45", &d), "still 44 until December");
    assert!(is("年龄(2026-12) = 45", &d), "age as of a date");
    assert!(is("age(2027) >= 45", &d));
}

#[test]
fn identity_fields() {
    let mut d = seed_match();
    d.identity.ethnicity = "回族".into();
    d.identity.political_status = PoliticalStatus::DemocraticParty;
    assert!(is("性别 = 女", &d) && !is("gender = male", &d));
    assert!(is("民族 != 汉族", &d) && is("民族 = 回族", &d));
    assert!(is("籍贯 ~ 临河", &d) && !is("籍贯 ~ 江东", &d));
    assert!(is("政治面貌 = 民主党派", &d) && !is("政治面貌 = 中共党员", &d));
    // Party years at the boundary: joined 2002-07, so 24 years in 2026-07.
    d.identity.party_entry = Some(date("2002-11"));
    assert!(is("党龄 >= 24", &d) && !is("党龄 > 24", &d));
    d.identity.work_start = Some(date("2004-08"));
    assert!(is("工龄 >= 22", &d) && !is("工龄 >= 23", &d));
}

#[test]
fn education_conditions() {
    let mut d = seed_match();
    assert!(is("学历 >= 大学本科", &d) && !is("学历 >= 研究生", &d));
    assert!(is("全日制学历 = 本科", &d) && !is("在职学历 = 研究生", &d));
    d.education.push(Education {
        kind: EduKind::InService,
        level: EduLevel::Postgraduate,
        degree: Some(Degree::Master),
        school: "中央党校".into(),
        major: "法律".into(),
        category: Some(MajorCategory::Law),
        start: None,
        end: None,
    });
    assert!(
        is("学历 = 研究生", &d) && is("在职学历 = 研究生", &d) && is("全日制学历 < 研究生", &d)
    );
    assert!(is("学位 >= 硕士", &d) && !is("学位 = 博士", &d));
    assert!(
        is("专业类别 属于 (法学)", &d) && is("专业类别 = 管理学", &d) && !is("专业类别 = 工学", &d)
    );
    assert!(is("院校 ~ 党校", &d) && is("专业 ~ 经济", &d));
}

#[test]
fn posting_conditions() {
    let d = seed_match();
    assert!(is("曾任(基层, 正职)", &d));
    assert!(!is("现任(基层, 正职)", &d), "the township post has ended");
    assert!(is("现任(政府, 副职)", &d));
    assert!(is("曾任(单位类型=乡镇)", &d) && !is("曾任(单位类型=党委)", &d));
    assert!(is("曾任(单位层级=县级)", &d) && !is("曾任(单位层级=省级)", &d));
    assert!(is("曾任(层次>=县处级副职)", &d) && !is("曾任(层次>=县处级正职)", &d));
    assert!(is("任职数(层次=乡科级正职) = 1", &d) && !is("任职数(层次=乡科级正职) >= 2", &d));
    assert!(is("职务层次 = 县处级副职", &d) && is("rank >= 乡科级正职", &d));
    assert!(is("单位 = 临河县人民政府", &d) && is("职务 ~ 县长", &d));
    // Years in the current post: from 2020-03 to 2026-11 is 6y8m.
    assert!(is("任现职年限 >= 6.5", &d) && !is("任现职年限 >= 7", &d));
    assert!(is("任现级年限 < 7", &d));
    // Grassroots: township 2015-06..2020-03 plus county government 2020-03..now = 11y5m.
    assert!(is("基层年限 >= 11", &d) && !is("基层年限 >= 11.5", &d));
    let mut p = seed_match();
    p.postings[0].portfolio = "农业农村、乡村振兴".into();
    assert!(is("曾任(分管~乡村振兴)", &p) && !is("曾任(分管~教育)", &p));
}

#[test]
fn grade_each_any_and_at_least_at_exactly_three_years() {
    let mut d = seed_match();
    assert!(is("考核(优秀, 近3年, 每年)", &d));
    assert!(!is("考核(优秀, 近4年, 每年)", &d), "2022 has no result");
    grades(
        &mut d,
        &[
            (2023, Some(Grade::Excellent)),
            (2024, None),
            (2025, Some(Grade::Excellent)),
            (2026, Some(Grade::Excellent)),
        ],
    );
    assert!(
        !is("考核(优秀, 近3年, 每年)", &d),
        "a probation year without grade breaks each"
    );
    assert!(
        is("考核(优秀, 近3年, 至少2年)", &d) && !is("grade(excellent, last 3, at least 3)", &d)
    );
    assert!(
        is("考核(优秀, 近1年, 任一年)", &d),
        "2026 is not yet a completed year; 2025 is"
    );
    grades(&mut d, &[(2022, Some(Grade::Excellent))]);
    assert!(!is("考核(优秀, 近3年, 任一年)", &d) && is("考核(优秀, 近4年, 任一年)", &d));
}

#[test]
fn training_rewards_findings_and_status() {
    let mut d = seed_match();
    d.training = vec![
        Training {
            name: "A".into(),
            organizer: "省委党校".into(),
            start: date("2023-12"),
            end: None,
            hours: 60,
        },
        Training {
            name: "B".into(),
            organizer: "省委党校".into(),
            start: date("2023-11"),
            end: None,
            hours: 40,
        },
    ];
    // Last 3 years: from 2023-11 on, both count.
    assert!(is("培训学时(近3年) >= 100", &d) && !is("培训学时(近3年) > 100", &d));
    assert!(is("training_hours(last 2) = 0", &d));
    d.rewards.push(Reward {
        kind: RewardKind::PartyPunishment,
        date: Some(date("2021-12")),
        title: "党内警告".into(),
        issuer: String::new(),
        reason: String::new(),
    });
    assert!(
        is("受处分", &d)
            && is("受处分(近5年)", &d)
            && !is("受处分(近4年)", &d)
            && !is("受奖励", &d)
    );
    d.findings.push(Finding {
        source: FindingSource::Audit,
        date: date("2025-03"),
        summary: "x".into(),
        conclusion: String::new(),
        resolved: false,
    });
    assert!(is("有监督信息", &d) && is("有未办结问题", &d));
    d.findings[0].resolved = true;
    assert!(!is("有未办结问题", &d));
    assert!(is("状态 = 在职", &d) && !is("后备", &d));
    d.status = LifeCycle::Reserve;
    d.reserve = Some(ReserveInfo {
        target: Rank::CountyPrincipal,
        target_post: String::new(),
        readiness: Readiness::Ready,
        since: None,
    });
    assert!(is("后备 且 后备目标 = 县处级正职 且 成熟度 = 近期可用", &d));
    d.postings[1].probation = true;
    d.postings[1].start = date("2025-12");
    assert!(is("试用期", &d));
    d.postings[1].start = date("2025-11");
    assert!(!is("试用期", &d), "probation ends after exactly one year");
}

#[test]
fn the_seed_example_at_its_boundaries() {
    let d = seed_match();
    assert!(is(SEED_EXAMPLE, &d));
    let mut older = d.clone();
    older.identity.birth = date("1981-11");
    assert!(!is(SEED_EXAMPLE, &older));
    let mut deputy = d.clone();
    deputy.postings[0].role = PostRole::Deputy;
    assert!(!is(SEED_EXAMPLE, &deputy));
    let mut engineer = d.clone();
    engineer.education[0].category = Some(MajorCategory::Engineering);
    engineer.education[0].major = "土木工程".into();
    assert!(!is(SEED_EXAMPLE, &engineer));
    let mut provincial = d.clone();
    provincial.postings[0].unit = Some(5);
    assert!(
        !is(SEED_EXAMPLE, &provincial),
        "a provincial bureau is not grassroots"
    );
}

// ---- laws on generated dossiers ------------------------------------------------------------

mod laws {
    use super::*;
    use proptest::prelude::*;

    const ATOMS: &[&str] = &[
        "年龄 < 45",
        "性别 = 女",
        "曾任(基层, 正职)",
        "专业类别 属于 (经济学, 管理学)",
        "考核(优秀, 近3年, 每年)",
        "考核(优秀, 近3年, 至少2年)",
        "学历 >= 大学本科",
        "基层年限 >= 5",
        "后备",
        "受处分",
    ];

    fn dossier() -> impl Strategy<Value = Dossier> {
        (
            1960i16..2000,
            any::<bool>(),
            0usize..3,
            proptest::collection::vec((2010i16..2026, 0u8..4), 0..8),
            any::<bool>(),
            proptest::sample::select(vec![
                MajorCategory::Economics,
                MajorCategory::Management,
                MajorCategory::Law,
            ]),
            any::<bool>(),
        )
            .prop_map(|(year, female, role, asmt, grassroots, cat, punished)| {
                let g = if female { Gender::Female } else { Gender::Male };
                let mut d = person("甲", (year, 6, 1), g, 1);
                d.postings[0].unit = Some(if grassroots { 4 } else { 5 });
                d.postings[0].role =
                    [PostRole::Principal, PostRole::Deputy, PostRole::Member][role];
                d.postings[0].end = Some(date("2022-01"));
                d.education[0].category = Some(cat);
                d.assessments.clear();
                for (y, g) in asmt {
                    if d.assessment(y).is_none() {
                        d.assessments.push(Assessment {
                            year: y,
                            grade: [
                                Some(Grade::Excellent),
                                Some(Grade::Competent),
                                None,
                                Some(Grade::Excellent),
                            ][g as usize],
                            democratic_score: None,
                            special: String::new(),
                            talk_notes: String::new(),
                        });
                    }
                }
                if punished {
                    d.rewards.push(Reward {
                        kind: RewardKind::GovPunishment,
                        date: Some(date("2024-01")),
                        title: "警告".into(),
                        issuer: String::new(),
                        reason: String::new(),
                    });
                }
                d
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn and_or_not_obey_their_laws(d in dossier(), a in 0..ATOMS.len(), b in 0..ATOMS.len(), c in 0..ATOMS.len()) {
            let (a, b, c) = (ATOMS[a], ATOMS[b], ATOMS[c]);
            let v = |q: String| is(&q, &d);
            // De Morgan
            prop_assert_eq!(v(format!("非 ({a} 且 {b})")), v(format!("非 {a} 或 非 {b}")));
            prop_assert_eq!(v(format!("非 ({a} 或 {b})")), v(format!("非 {a} 且 非 {b}")));
            // Double negation, commutativity, distributivity, absorption
            prop_assert_eq!(v(format!("非 非 {a}")), v(a.to_string()));
            prop_assert_eq!(v(format!("{a} 且 {b}")), v(format!("{b} 且 {a}")));
            prop_assert_eq!(v(format!("{a} 或 {b}")), v(format!("{b} or {a}")));
            prop_assert_eq!(v(format!("{a} 且 ({b} 或 {c})")), v(format!("({a} 且 {b}) 或 ({a} 且 {c})")));
            prop_assert_eq!(v(format!("{a} 或 ({a} 且 {b})")), v(a.to_string()));
            // Excluded middle and non-contradiction
            let either = v(format!("{a} 或 非 {a}"));
            let both = v(format!("{a} 且 非 {a}"));
            prop_assert!(either);
            prop_assert!(!both);
        }
    }
}

/// The seed's example as the issue defines it, written out here without the filter engine:
/// under 45 on `date` (whole years from the birth date at its precision), some posting ever
/// that was a principal post in a township, street or county-level unit, some education in
/// economics or management (given, or inferred from the major's name), and 优秀 in each of the
/// three completed years before `date`'s year.
fn seed_definition(d: &Dossier, units: &UnitDirectory, date: &PartialDate) -> bool {
    let b = &d.identity.birth;
    let mut age = date.y() as i32 - b.y() as i32;
    let had_birthday =
        (date.m().unwrap_or(1), date.d().unwrap_or(1)) >= (b.m().unwrap_or(1), b.d().unwrap_or(1));
    if !had_birthday {
        age -= 1;
    }
    let grassroots = |p: &Posting| match p.unit.and_then(|u| units.get(u)) {
        Some(u) => {
            matches!(u.kind, UnitKind::Township | UnitKind::Street)
                || matches!(u.level, UnitLevel::County | UnitLevel::Township)
        }
        None => {
            let n = &p.unit_name;
            n.ends_with('乡') || n.ends_with('镇') || n.contains("街道") || n.contains('县')
        }
    };
    let principal_at_grassroots = d
        .postings
        .iter()
        .any(|p| p.role == PostRole::Principal && grassroots(p));
    let major = d.education.iter().any(|e| {
        matches!(
            e.category.or_else(|| MajorCategory::infer(&e.major)),
            Some(MajorCategory::Economics | MajorCategory::Management)
        )
    });
    let excellent_each_year = (date.y() - 3..date.y()).all(|y| {
        d.assessments
            .iter()
            .any(|a| a.year == y && a.grade == Some(Grade::Excellent))
    });
    age < 45 && principal_at_grassroots && major && excellent_each_year
}

#[test]
fn the_seed_example_on_the_demo_province_selects_exactly_whom_it_defines() {
    let store = cadre::tui::testing::demo_store();
    let units = store.directory().unwrap();
    let all: Vec<Dossier> = store.dossiers().map(|d| d.unwrap()).collect();
    assert!(all.len() >= 1000, "the demo province is loaded");
    let expr = parse(SEED_EXAMPLE).unwrap();
    for date in [
        PartialDate::ymd(2025, 6, 15).unwrap(),
        PartialDate::ymd(2026, 11, 25).unwrap(),
    ] {
        let hits: Vec<DossierId> = cadre::filter::run(&store, &expr, date)
            .unwrap()
            .iter()
            .map(|d| d.id)
            .collect();
        assert!(!hits.is_empty(), "someone qualifies on {date}");
        let mut near_misses = 0;
        for d in &all {
            let want = seed_definition(d, &units, &date);
            assert_eq!(
                hits.contains(&d.id),
                want,
                "{} (#{}) on {date}: the filter and the definition disagree",
                d.identity.name,
                d.id
            );
            // Failing only one part: the test sees people on every side of the line.
            if !want && d.age_on(&date) < 45 {
                near_misses += 1;
            }
        }
        assert!(near_misses > hits.len(), "{near_misses} young non-matches");
    }
}
