//! Tests of the demo generator. Every property is read back from the generated data (units and
//! dossiers), not from the generator's own bookkeeping; `Planted` only says where to look.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use super::*;
use crate::model::idnum;
use crate::model::*;

const OPTS: DemoOptions = DemoOptions {
    count: 3000,
    seed: 2026,
};

struct Data {
    units: Vec<Unit>,
    dossiers: Vec<Dossier>,
}

/// The shipped configuration, generated once for all tests.
fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| Data {
        units: units(&OPTS),
        dossiers: dossiers(&OPTS).collect(),
    })
}

impl Data {
    fn dir(&self) -> UnitDirectory {
        UnitDirectory::new(self.units.iter().cloned())
    }
    fn by_id(&self, id: DossierId) -> &Dossier {
        &self.dossiers[id as usize - 1]
    }
    /// Teams: open postings with a leadership rank, by unit (concurrent ones included).
    fn teams(&self) -> BTreeMap<UnitId, Vec<&Dossier>> {
        let mut teams: BTreeMap<UnitId, Vec<&Dossier>> = BTreeMap::new();
        for d in &self.dossiers {
            for p in d.postings.iter().filter(|p| p.end.is_none()) {
                if let (Some(u), Some(r)) = (p.unit, p.rank)
                    && r.is_leadership()
                {
                    teams.entry(u).or_default().push(d);
                }
            }
        }
        teams
    }
    fn province(&self) -> &str {
        &self.units[0].name
    }
}

fn as_of_idx() -> i32 {
    as_of().month_index()
}

fn clustered(team: &[&Dossier]) -> bool {
    let ages: Vec<i32> = team.iter().map(|d| d.age_on(&as_of())).collect();
    team::clustered(&ages)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let read = |seed: u64| {
        let dir = tempfile::tempdir().unwrap();
        let opts = DemoOptions { count: 400, seed };
        let calls = std::cell::Cell::new(0u64);
        let summary = write_dir(&opts, dir.path(), &|n| calls.set(n)).unwrap();
        assert_eq!(summary.dossiers, 400);
        assert_eq!(calls.get(), 400, "progress reports the final count");
        let names: BTreeSet<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["dossiers.jsonl".to_string(), "units.jsonl".to_string()]),
            "no temporary file is left behind"
        );
        (
            std::fs::read(dir.path().join("units.jsonl")).unwrap(),
            std::fs::read(dir.path().join("dossiers.jsonl")).unwrap(),
        )
    };
    let a = read(7);
    let b = read(7);
    let c = read(8);
    assert_eq!(a, b);
    assert_ne!(a.0, c.0);
    assert_ne!(a.1, c.1);
    // The seed reaches the people themselves, not only the place names.
    let names = |seed| -> Vec<String> {
        dossiers(&DemoOptions { count: 100, seed })
            .map(|d| d.identity.name)
            .collect()
    };
    let (x, y) = (names(7), names(8));
    let same = x.iter().zip(&y).filter(|(a, b)| a == b).count();
    assert!(same < 10, "{same} of 100 names repeat across seeds");
    // Every line parses back to the record it was written from.
    let text = String::from_utf8(a.1).unwrap();
    let first = crate::io::jsonl::parse_line(text.lines().next().unwrap()).unwrap();
    assert!(matches!(first, crate::io::jsonl::JsonLine::Dossier(d) if d.id == 1));
    assert_eq!(text.lines().count(), 400);
}

/// The set embedded in the binary is exactly what the generator makes today, and small enough.
/// When this fails after a change to the generator, regenerate it (see demo-data/README.md).
#[test]
fn shipped_set_is_current_and_small() {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-data");
    let dir = tempfile::tempdir().unwrap();
    write_dir(&OPTS, dir.path(), &|_| {}).unwrap();
    let mut total = 0;
    for name in ["units.jsonl", "dossiers.jsonl"] {
        let made = std::fs::read(dir.path().join(name)).unwrap();
        let ours = std::fs::read(shipped.join(name)).unwrap();
        total += ours.len();
        assert!(
            made == ours,
            "demo-data/{name} is stale: run `cargo run --release -- demo generate --count 3000 \
             --seed 2026 --out demo-data`"
        );
    }
    assert!(total < 15_000_000, "demo-data is {total} bytes");
}

#[test]
fn write_dir_fails_cleanly_into_a_file_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let opts = DemoOptions { count: 10, seed: 1 };
    assert!(write_dir(&opts, &file, &|_| {}).is_err());
}

#[test]
fn counts_ids_and_unit_tree() {
    let data = data();
    assert_eq!(data.dossiers.len(), OPTS.count);
    for (i, d) in data.dossiers.iter().enumerate() {
        assert_eq!(d.id, i as u64 + 1);
    }
    let names: BTreeSet<&str> = data.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names.len(), data.units.len(), "unit names are unique");
    for (i, u) in data.units.iter().enumerate() {
        assert_eq!(u.id as usize, i + 1);
        if let Some(p) = u.parent {
            assert!(p < u.id, "parents come first");
        }
    }
    let count = |kind, level| {
        data.units
            .iter()
            .filter(|u| u.kind == kind && u.level == level)
            .count()
    };
    let prefectures = count(UnitKind::Region, UnitLevel::Prefecture);
    let counties = count(UnitKind::Region, UnitLevel::County);
    assert!((3..=6).contains(&prefectures), "{prefectures} prefectures");
    assert!((16..=26).contains(&counties), "{counties} counties");
    assert_eq!(count(UnitKind::Government, UnitLevel::County), counties);
    assert_eq!(count(UnitKind::Bureau, UnitLevel::County), counties * 8);
    let regulated = data
        .units
        .iter()
        .find(|u| u.name.ends_with("住房和城乡建设局"))
        .unwrap();
    assert_eq!(regulated.regulates, ["建筑", "房地产"]);
    assert!(data.units.iter().any(|u| u.kind == UnitKind::Street));
    assert!(data.units.iter().any(|u| u.kind == UnitKind::Township));
}

#[test]
fn small_counts_are_exact() {
    for count in [0, 1, 17, 250] {
        let opts = DemoOptions { count, seed: 3 };
        let ids: Vec<u64> = dossiers(&opts).map(|d| d.id).collect();
        assert_eq!(ids, (1..=count as u64).collect::<Vec<_>>());
        assert!(!units(&opts).is_empty());
    }
}

#[test]
fn random_access_matches_the_stream() {
    let data = data();
    let p = planted(&OPTS);
    for id in [1, p.long_tenure.unwrap().dossier] {
        assert_eq!(dossier(&OPTS, id).as_ref(), Some(data.by_id(id)), "id {id}");
    }
    assert_eq!(dossier(&OPTS, 0), None);
    assert_eq!(dossier(&OPTS, 3001), None);
}

#[test]
fn identity_keys_are_unique_and_records_pass_the_store_rules() {
    let data = data();
    let mut names = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for d in &data.dossiers {
        let i = &d.identity;
        assert!(
            names.insert((i.name.clone(), i.birth)),
            "{}: {} {} twice",
            d.id,
            i.name,
            i.birth
        );
        assert!(
            numbers.insert(i.id_number.clone()),
            "{}: {} twice",
            d.id,
            i.id_number
        );
        let errors = crate::model::validate::validate(d, &as_of());
        assert!(errors.is_empty(), "{}: {errors:?}", d.id);
    }
}

#[test]
fn id_numbers_are_valid_and_agree() {
    for d in &data().dossiers {
        let i = &d.identity;
        assert_eq!(i.id_number.len(), 18);
        idnum::validate(&i.id_number, &i.birth, i.gender)
            .unwrap_or_else(|e| panic!("{} {}: {e}", d.id, i.id_number));
    }
}

#[test]
fn shares_of_grades_women_status_and_politics() {
    let data = data();
    let graded: Vec<Grade> = data
        .dossiers
        .iter()
        .flat_map(|d| d.assessments.iter().filter_map(|a| a.grade))
        .collect();
    let excellent =
        graded.iter().filter(|g| **g == Grade::Excellent).count() as f64 / graded.len() as f64;
    assert!((0.12..=0.23).contains(&excellent), "优秀 share {excellent}");
    assert!(graded.contains(&Grade::BasicallyCompetent));
    let probation_years = data
        .dossiers
        .iter()
        .flat_map(|d| &d.assessments)
        .filter(|a| a.grade.is_none())
        .count();
    assert!(probation_years > 0);

    let n = data.dossiers.len() as f64;
    let share =
        |f: &dyn Fn(&Dossier) -> bool| data.dossiers.iter().filter(|d| f(d)).count() as f64 / n;
    let women = share(&|d| d.identity.gender == Gender::Female);
    assert!((0.2..=0.3).contains(&women), "women {women}");
    let reserve = share(&|d| d.status == LifeCycle::Reserve && d.reserve.is_some());
    assert!((0.08..=0.12).contains(&reserve), "reserve {reserve}");
    let retired = share(&|d| d.status == LifeCycle::Retired);
    assert!((0.06..=0.10).contains(&retired), "retired {retired}");
    let han = share(&|d| d.identity.ethnicity == "汉族");
    assert!((0.8..0.95).contains(&han), "汉族 {han}");
    let cpc = share(&|d| d.identity.political_status == PoliticalStatus::CpcMember);
    assert!((0.85..0.99).contains(&cpc), "中共党员 {cpc}");
    assert!(data.dossiers.iter().any(|d| d.identity.political_status
        == PoliticalStatus::DemocraticParty
        && !d.identity.party_name.is_empty()));
    let punished = share(&|d| d.rewards.iter().any(|r| r.kind.is_punishment()));
    assert!(punished > 0.0 && punished < 0.03, "punished {punished}");
    let findings = share(&|d| !d.findings.is_empty());
    assert!((0.01..0.04).contains(&findings), "findings {findings}");
    let members: usize = data.dossiers.iter().map(|d| d.family.len()).sum();
    let with_business = data
        .dossiers
        .iter()
        .flat_map(|d| &d.family)
        .filter(|m| !m.businesses.is_empty())
        .count();
    let biz = with_business as f64 / members as f64;
    assert!((0.035..0.07).contains(&biz), "family businesses {biz}");
    let econ = share(&|d| {
        d.education.iter().any(|e| {
            matches!(
                e.category,
                Some(MajorCategory::Economics | MajorCategory::Management)
            )
        })
    });
    assert!(econ > 0.3, "economics or management {econ}");

    // Government teams usually include a non-party member.
    let dir = data.dir();
    let teams = data.teams();
    let govs: Vec<_> = teams
        .iter()
        .filter(|(u, _)| dir.get(**u).unwrap().kind == UnitKind::Government)
        .collect();
    let with_nonparty = govs
        .iter()
        .filter(|(_, t)| t.iter().any(|d| !d.identity.political_status.is_cpc()))
        .count();
    assert!(
        with_nonparty * 10 >= govs.len() * 7,
        "{with_nonparty} of {}",
        govs.len()
    );
}

#[test]
fn careers_are_consistent_and_nothing_is_dated_after_as_of() {
    let data = data();
    let dir = data.dir();
    let today = as_of();
    for d in &data.dossiers {
        let id = d.id;
        let birth = d.identity.birth;
        let ws = d.identity.work_start.unwrap();
        let age_at_work = birth.whole_years_until(&ws);
        assert!(
            (18..=30).contains(&age_at_work),
            "{id}: work start at {age_at_work}"
        );
        if let Some(e) = d.identity.party_entry {
            assert!(
                birth.whole_years_until(&e) >= 18,
                "{id}: party entry before 18"
            );
            assert!(e <= today);
        }
        let main: Vec<&Posting> = d.postings.iter().filter(|p| !p.concurrent).collect();
        assert!(!main.is_empty(), "{id}: no postings");
        assert!(main[0].start >= ws, "{id}: first post before work start");
        for w in main.windows(2) {
            assert_eq!(w[0].end, Some(w[1].start), "{id}: posts are back to back");
            assert!(w[0].start < w[1].start, "{id}: posts in order");
        }
        for p in &d.postings {
            assert!(
                p.start <= today && p.end.is_none_or(|e| e <= today),
                "{id}: post after AS_OF"
            );
            if let Some(u) = p.unit {
                assert_eq!(dir.get(u).unwrap().name, p.unit_name, "{id}");
            }
        }
        if !d.identity.political_status.is_cpc() {
            for p in &d.postings {
                let kind = p.unit.map(|u| dir.get(u).unwrap().kind);
                let party_post = ["党", "书记", "委常委", "常务", "纪", "组织部", "政委"]
                    .iter()
                    .any(|w| p.position.contains(w))
                    || matches!(
                        kind,
                        Some(
                            UnitKind::PartyCommittee
                                | UnitKind::Discipline
                                | UnitKind::Organization
                        )
                    );
                assert!(
                    !party_post,
                    "{id}: non-CPC cadre held {}{}",
                    p.unit_name, p.position
                );
            }
        }
        let open = main.iter().filter(|p| p.end.is_none()).count();
        match d.status {
            LifeCycle::Retired => assert_eq!(open, 0, "{id}: retired with an open post"),
            _ => {
                assert_eq!(open, 1, "{id}: one current post");
                let cur = d.current_posting().unwrap();
                assert!(cur.unit.is_some() && !cur.unit_name.is_empty());
                assert!(
                    d.age_on(&today) <= 62,
                    "{id}: serving at {}",
                    d.age_on(&today)
                );
            }
        }
        // The ladder climbs: no current rank below an earlier leadership rank.
        if let Some(r) = d.current_rank() {
            let best = main
                .iter()
                .filter_map(|p| p.rank)
                .map(|r| r.height())
                .max()
                .unwrap();
            assert_eq!(r.height(), best, "{id}: current rank is the highest");
        }
        for a in &d.assessments {
            assert!((2010..=2025).contains(&a.year) && a.year as i32 >= ws.y() as i32);
        }
        for r in &d.rewards {
            assert!(
                r.date.is_none_or(|x| x <= today),
                "{id}: reward after AS_OF"
            );
        }
        for f in &d.findings {
            assert!(f.date <= today);
        }
        for t in &d.training {
            assert!(t.start <= today && t.hours >= 24 && t.hours <= 120);
        }
        for m in &d.family {
            for b in &m.businesses {
                assert!(b.registered.unwrap() <= today);
                assert!(!b.industry.is_empty());
            }
        }
        for e in &d.education {
            assert!(e.end.unwrap() <= today);
            assert_eq!(
                e.category,
                MajorCategory::infer(&e.major).or(e.category),
                "{}",
                e.major
            );
        }
        let reports =
            d.status != LifeCycle::Retired && d.current_rank().is_some_and(|r| r.height() >= 3);
        assert_eq!(
            d.last_report.is_some(),
            reports,
            "{id}: last_report for 县处级副职 and above"
        );
    }
}

#[test]
fn county_heads_hold_the_party_post_concurrently() {
    let data = data();
    let dir = data.dir();
    let heads: Vec<&Dossier> = data
        .dossiers
        .iter()
        .filter(|d| {
            d.current_posting()
                .is_some_and(|p| p.position == "县长" && p.role == PostRole::Principal)
        })
        .collect();
    let counties = data
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Region && u.level == UnitLevel::County)
        .count();
    assert_eq!(heads.len(), counties);
    for d in heads {
        let cur = d.current_posting().unwrap();
        let c: Vec<&Posting> = d.concurrent_postings().collect();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].position, "县委副书记");
        let party = dir.get(c[0].unit.unwrap()).unwrap();
        assert_eq!(party.kind, UnitKind::PartyCommittee);
        assert_eq!(party.parent, dir.get(cur.unit.unwrap()).unwrap().parent);
    }
}

#[test]
fn county_teams_are_realistic() {
    let data = data();
    let dir = data.dir();
    // Leadership cadres per county: main posts in units under the county.
    let mut per_county: BTreeMap<UnitId, usize> = BTreeMap::new();
    for d in &data.dossiers {
        if let Some(p) = d
            .current_posting()
            .filter(|p| p.rank.is_some_and(|r| r.is_leadership()))
            && let Some(c) = dir.region_at(p.unit.unwrap(), UnitLevel::County)
        {
            *per_county.entry(c.id).or_default() += 1;
        }
    }
    for (c, n) in &per_county {
        assert!((78..=110).contains(n), "county {c}: {n} leaders");
    }
    // County party and government teams have someone under 40.
    for (u, team) in data.teams() {
        let unit = dir.get(u).unwrap();
        if unit.level == UnitLevel::County
            && matches!(unit.kind, UnitKind::PartyCommittee | UnitKind::Government)
        {
            assert!(
                team.iter().any(|d| d.age_on(&as_of()) < 40),
                "{}",
                unit.name
            );
        }
    }
    // Every team has exactly one principal, except townships and streets (党政正职, two).
    for (u, team) in data.teams() {
        let unit = dir.get(u).unwrap();
        let principals = team
            .iter()
            .filter(|d| {
                d.postings
                    .iter()
                    .any(|p| p.end.is_none() && p.unit == Some(u) && p.role == PostRole::Principal)
            })
            .count();
        let expected = if matches!(unit.kind, UnitKind::Township | UnitKind::Street) {
            2
        } else {
            1
        };
        assert_eq!(principals, expected, "{}", unit.name);
    }
}

#[test]
fn planted_long_tenure() {
    let data = data();
    let today = as_of();
    let found: BTreeSet<DossierId> = data
        .dossiers
        .iter()
        .filter(|d| d.status != LifeCycle::Retired)
        .filter(|d| {
            d.current_posting()
                .is_some_and(|p| p.years_until(&today) >= 10.0)
        })
        .map(|d| d.id)
        .collect();
    let p = planted(&OPTS).long_tenure.unwrap();
    assert_eq!(found, BTreeSet::from([p.dossier]));
    assert_eq!(
        data.by_id(p.dossier).current_posting().unwrap().unit,
        Some(p.unit)
    );
}

#[test]
fn planted_family_business_in_a_regulated_field() {
    let data = data();
    let dir = data.dir();
    let mut found = BTreeSet::new();
    for d in &data.dossiers {
        for post in d
            .postings
            .iter()
            .filter(|p| p.end.is_none() && p.role == PostRole::Principal)
        {
            let regulates = &dir.get(post.unit.unwrap()).unwrap().regulates;
            for m in d
                .family
                .iter()
                .filter(|m| RelationKind::classify(&m.relation).business_binds())
            {
                if m.businesses.iter().any(|b| regulates.contains(&b.industry)) {
                    found.insert((d.id, post.unit.unwrap()));
                }
            }
        }
    }
    let p = planted(&OPTS).family_business_conflict.unwrap();
    assert_eq!(found, BTreeSet::from([(p.dossier, p.unit)]));
}

#[test]
fn planted_home_county_principal() {
    let data = data();
    let dir = data.dir();
    let mut found = BTreeSet::new();
    for d in &data.dossiers {
        for post in d
            .postings
            .iter()
            .filter(|p| p.end.is_none() && p.role == PostRole::Principal)
        {
            let unit = dir.get(post.unit.unwrap()).unwrap();
            if !unit.kind.home_avoidance() || unit.level != UnitLevel::County {
                continue;
            }
            let county = dir.region_at(unit.id, UnitLevel::County).unwrap();
            let home = format!("{}{}", data.province(), county.name);
            if d.identity.native_place == home || d.identity.birthplace == home {
                found.insert((d.id, unit.id));
            }
        }
    }
    let p = planted(&OPTS).home_county_principal.unwrap();
    assert_eq!(found, BTreeSet::from([(p.dossier, p.unit)]));
}

#[test]
fn planted_team_without_women() {
    let data = data();
    let teams = data.teams();
    let found: BTreeSet<UnitId> = teams
        .iter()
        .filter(|(_, t)| t.len() >= 2 && t.iter().all(|d| d.identity.gender == Gender::Male))
        .map(|(u, _)| *u)
        .collect();
    let p = planted(&OPTS).team_without_women.unwrap();
    assert_eq!(found, BTreeSet::from([p]));
    assert!(teams[&p].len() >= 4);
}

#[test]
fn planted_team_with_clustered_ages() {
    let data = data();
    let teams = data.teams();
    // As the rule team.age_cluster reads it: 4 or more members, more than half within 3 years.
    let found: BTreeSet<UnitId> = teams
        .iter()
        .filter(|(_, t)| t.len() >= 4 && clustered(t))
        .map(|(u, _)| *u)
        .collect();
    let p = planted(&OPTS).team_age_cluster.unwrap();
    assert_eq!(found, BTreeSet::from([p]));
    let small = teams
        .values()
        .filter(|t| t.len() == 3 && clustered(t))
        .count();
    assert!(
        small * 50 <= teams.len(),
        "{small} clustered teams of three"
    );
}

#[test]
fn planted_unresolved_finding_and_business_after_report() {
    let data = data();
    let p = planted(&OPTS);
    let f = p.unresolved_finding.unwrap();
    let d = data.by_id(f.dossier);
    assert!(d.findings.iter().any(|x| !x.resolved));
    assert_eq!(d.current_posting().unwrap().unit, Some(f.unit));
    let unresolved = data
        .dossiers
        .iter()
        .filter(|d| d.findings.iter().any(|x| !x.resolved))
        .count();
    assert!(
        unresolved * 100 <= data.dossiers.len(),
        "{unresolved} unresolved"
    );

    let after: BTreeSet<DossierId> = data
        .dossiers
        .iter()
        .filter(|d| {
            d.last_report.is_some_and(|r| {
                d.family
                    .iter()
                    .flat_map(|m| &m.businesses)
                    .any(|b| b.registered.is_some_and(|x| x > r))
            })
        })
        .map(|d| d.id)
        .collect();
    assert_eq!(
        after,
        BTreeSet::from([p.business_after_report.unwrap().dossier])
    );
}

#[test]
fn planted_probation_ending_soon() {
    let data = data();
    let now = as_of_idx();
    let found: BTreeSet<DossierId> = data
        .dossiers
        .iter()
        .filter(|d| {
            d.postings.iter().any(|p| {
                let ends = p.start.month_index() + 12;
                p.end.is_none() && p.probation && ends > now && ends <= now + 3
            })
        })
        .map(|d| d.id)
        .collect();
    let p = planted(&OPTS).probation_ending.unwrap();
    assert_eq!(found, BTreeSet::from([p.dossier]));
    let d = data.by_id(p.dossier);
    assert_eq!(
        d.assessment(2025).unwrap().grade,
        None,
        "no grade in the probation year"
    );
}

/// The example filter: under 45, has served as a principal at the grassroots (township,
/// street or county department), economics or management major, 优秀 in 2023, 2024 and 2025.
fn filter_example(data: &Data) -> BTreeSet<DossierId> {
    let dir = data.dir();
    let today = as_of();
    data.dossiers
        .iter()
        .filter(|d| d.age_on(&today) < 45)
        .filter(|d| {
            d.postings.iter().any(|p| {
                p.role == PostRole::Principal
                    && p.unit.and_then(|u| dir.get(u)).is_some_and(|u| {
                        matches!(u.kind, UnitKind::Township | UnitKind::Street)
                            || (u.level == UnitLevel::County && u.kind == UnitKind::Bureau)
                    })
            })
        })
        .filter(|d| {
            d.education.iter().any(|e| {
                matches!(
                    e.category,
                    Some(MajorCategory::Economics | MajorCategory::Management)
                )
            })
        })
        .filter(|d| {
            (2023..=2025).all(|y| {
                d.assessment(y)
                    .is_some_and(|a| a.grade == Some(Grade::Excellent))
            })
        })
        .map(|d| d.id)
        .collect()
}

#[test]
fn example_filter_matches_a_modest_number() {
    let data = data();
    let found = filter_example(data);
    let p = planted(&OPTS);
    assert!(!p.filter_example.is_empty());
    for c in &p.filter_example {
        assert!(found.contains(&c.dossier), "planted {} matches", c.dossier);
    }
    assert!(found.len() <= 60, "{} match", found.len());
}

#[test]
fn twenty_thousand_stream() {
    let opts = DemoOptions {
        count: 20_000,
        seed: 11,
    };
    let mut n = 0u64;
    let mut last = 0;
    for d in dossiers(&opts) {
        n += 1;
        assert_eq!(d.id, last + 1);
        last = d.id;
    }
    assert_eq!(n, 20_000);
    let p = planted(&opts);
    assert!(p.long_tenure.is_some() && p.team_age_cluster.is_some() && p.filter_example.len() >= 2);
}

/// Writes the shipped set when the command line is not at hand:
/// `DEMO_OUT=demo-data cargo test --release --lib demo::tests::write_shipped_set -- --ignored`.
#[test]
#[ignore = "writes a demo directory; run by hand"]
fn write_shipped_set() {
    let out = std::env::var("DEMO_OUT").unwrap_or_else(|_| "demo-data".into());
    let summary = write_dir(&OPTS, std::path::Path::new(&out), &|_| {}).unwrap();
    println!("{summary:#?}");
}

/// Prints what the shipped set contains, for demo-data/README.md.
#[test]
#[ignore = "prints a description; run by hand"]
fn describe_shipped_set() {
    let data = data();
    let dir = data.dir();
    let today = as_of();
    let count = |kind, level| {
        data.units
            .iter()
            .filter(|u| u.kind == kind && u.level == level)
            .count()
    };
    println!("province {}", data.province());
    println!(
        "units {} prefectures {} counties {} townships {} streets {}",
        data.units.len(),
        count(UnitKind::Region, UnitLevel::Prefecture),
        count(UnitKind::Region, UnitLevel::County),
        data.units
            .iter()
            .filter(|u| u.kind == UnitKind::Township)
            .count(),
        data.units
            .iter()
            .filter(|u| u.kind == UnitKind::Street)
            .count(),
    );
    let teams = data.teams();
    let sizes: Vec<usize> = teams.values().map(|t| t.len()).collect();
    println!(
        "teams {} members {} mean size {:.1}",
        teams.len(),
        sizes.iter().sum::<usize>(),
        sizes.iter().sum::<usize>() as f64 / sizes.len() as f64
    );
    let n = data.dossiers.len() as f64;
    let share = |f: &dyn Fn(&Dossier) -> bool| {
        data.dossiers.iter().filter(|d| f(d)).count() as f64 / n * 100.0
    };
    println!(
        "women {:.1}%",
        share(&|d| d.identity.gender == Gender::Female)
    );
    println!("reserve {:.1}%", share(&|d| d.status == LifeCycle::Reserve));
    println!("retired {:.1}%", share(&|d| d.status == LifeCycle::Retired));
    println!(
        "graded serving {:.1}%",
        share(&|d| d.status == LifeCycle::Serving
            && d.current_rank().is_some_and(|r| !r.is_leadership()))
    );
    println!("under 45 {:.1}%", share(&|d| d.age_on(&today) < 45));
    println!(
        "non-CPC {:.1}%",
        share(&|d| !d.identity.political_status.is_cpc())
    );
    println!("汉族 {:.1}%", share(&|d| d.identity.ethnicity == "汉族"));
    let graded: Vec<Grade> = data
        .dossiers
        .iter()
        .flat_map(|d| d.assessments.iter().filter_map(|a| a.grade))
        .collect();
    println!(
        "优秀 {:.1}% of {} graded years",
        graded.iter().filter(|g| **g == Grade::Excellent).count() as f64 / graded.len() as f64
            * 100.0,
        graded.len()
    );
    let mut ranks: BTreeMap<String, usize> = BTreeMap::new();
    for d in &data.dossiers {
        if let Some(r) = d.current_rank() {
            *ranks
                .entry(format!("{:02} {}", 30 - r as u8, r.label()))
                .or_default() += 1;
        }
    }
    println!("{ranks:#?}");
    let edu: BTreeMap<&str, usize> = data.dossiers.iter().fold(BTreeMap::new(), |mut m, d| {
        *m.entry(d.full_time_education().unwrap().level.label())
            .or_default() += 1;
        m
    });
    println!("{edu:?}");
    let who = |id: DossierId| {
        let d = data.by_id(id);
        let cur = d.current_posting().unwrap();
        format!(
            "{} (id {}), {}{}",
            d.identity.name, id, cur.unit_name, cur.position
        )
    };
    let p = planted(&OPTS);
    println!("long tenure: {}", who(p.long_tenure.unwrap().dossier));
    println!(
        "business conflict: {}",
        who(p.family_business_conflict.unwrap().dossier)
    );
    println!(
        "home county: {}",
        who(p.home_county_principal.unwrap().dossier)
    );
    println!(
        "no women: {}",
        dir.get(p.team_without_women.unwrap()).unwrap().name
    );
    println!(
        "age cluster: {}",
        dir.get(p.team_age_cluster.unwrap()).unwrap().name
    );
    println!("unresolved: {}", who(p.unresolved_finding.unwrap().dossier));
    println!(
        "after report: {}",
        who(p.business_after_report.unwrap().dossier)
    );
    println!("probation: {}", who(p.probation_ending.unwrap().dossier));
    for c in &p.filter_example {
        println!("filter (planted): {}", who(c.dossier));
    }
    for id in filter_example(data) {
        println!("filter (all): {}", who(id));
    }
}
