//! Reports for meetings: the approval form is well-formed XHTML for A4 with the person's values,
//! the last three years' assessments and the family table (hidden in meeting mode); the team and
//! statistics workbooks open and hold the counts computed independently from the dossiers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use cadre::io::import::{ImportOptions, import_files};
use cadre::model::*;
use cadre::report;
use cadre::store::Store;
use calamine::{Data, Reader, Xlsx, open_workbook};

fn demo_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("demo-data")
        .join(name)
}

fn demo() -> (Vec<Dossier>, UnitDirectory) {
    let store = Store::temporary().unwrap();
    import_files(
        &store,
        &[demo_path("units.jsonl"), demo_path("dossiers.jsonl")],
        &ImportOptions::default(),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let ds = store.dossiers().collect::<Result<Vec<_>, _>>().unwrap();
    (ds, store.directory().unwrap())
}

/// Reads the whole document with an XML parser; panics on any error.
fn assert_well_formed(html: &str) {
    let mut r = quick_xml::Reader::from_str(html);
    let mut depth = 0i32;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0);
}

fn today() -> PartialDate {
    PartialDate::ymd(2026, 11, 25).unwrap()
}

#[test]
fn the_approval_form_is_printable_and_holds_the_dossier() {
    let (ds, units) = demo();
    // Someone with a family and at least three years of assessments.
    let d = ds
        .iter()
        .find(|d| d.family.len() >= 2 && d.assessments.len() >= 3)
        .unwrap();
    let html = report::dossier_form_html(d, &units, &today(), false);
    assert_well_formed(&html);
    assert!(html.contains("size: A4"));
    assert!(html.contains("干部任免审批表"));
    assert!(html.contains(&format!("<td>{}</td>", d.identity.name)));
    assert!(html.contains(&format!(
        "{}（{}岁）",
        d.identity.birth.dotted(),
        d.age_on(&today())
    )));
    // The last three years, and not the year before them.
    let mut years: Vec<&Assessment> = d.assessments.iter().collect();
    years.sort_by_key(|a| a.year);
    for a in &years[years.len() - 3..] {
        let grade = a.grade.map(|g| g.label()).unwrap_or("不定等次");
        assert!(
            html.contains(&format!("{}年度考核{grade}", a.year)),
            "{}",
            a.year
        );
    }
    if years.len() > 3 {
        let older = years[years.len() - 4].year;
        assert!(!html.contains(&format!("{older}年度考核")));
    }
    for f in &d.family {
        assert!(html.contains(&format!("<td>{}</td>", f.name)), "{}", f.name);
    }
    let cur = d.current_posting().unwrap();
    assert!(html.contains(&cur.position));
    assert!(html.contains(&format!("{}--", cur.start.dotted())));

    // Meeting mode leaves the family out.
    let masked = report::dossier_form_html(d, &units, &today(), true);
    assert_well_formed(&masked);
    for f in &d.family {
        assert!(
            !masked.contains(&format!("<td>{}</td>", f.name)),
            "{}",
            f.name
        );
    }
    assert!(masked.contains("会议模式"));

    // The file is owner-only.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("form.html");
    report::write_file(html.as_bytes(), &p).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(std::fs::read_to_string(&p).unwrap(), html);
}

/// A sheet as rows of display strings.
fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Serving cadres' open leadership postings on units of the directory: the team seats,
/// counted from the dossiers directly.
fn seats<'a>(ds: &'a [Dossier], units: &UnitDirectory) -> Vec<(&'a Dossier, UnitId)> {
    let mut out = Vec::new();
    for d in ds {
        if d.status != LifeCycle::Serving {
            continue;
        }
        for p in &d.postings {
            if p.end.is_none()
                && p.rank.is_some_and(|r| r.is_leadership())
                && let Some(u) = p.unit
                && units.get(u).is_some()
            {
                out.push((d, u));
            }
        }
    }
    out
}

#[test]
fn team_and_kind_statistics_workbooks_hold_the_counts() {
    let (ds, units) = demo();
    let rules = cadre::rules::Rules::defaults();
    let today = today();
    let all_seats = seats(&ds, &units);
    let dir = tempfile::tempdir().unwrap();

    // The largest team.
    let mut per_unit: HashMap<UnitId, Vec<&Dossier>> = HashMap::new();
    for (d, u) in &all_seats {
        per_unit.entry(*u).or_default().push(d);
    }
    let (&uid, members) = per_unit
        .iter()
        .max_by_key(|(u, m)| (m.len(), std::cmp::Reverse(**u)))
        .unwrap();
    let index = cadre::team::TeamIndex::build(&ds);
    let ctx = cadre::filter::Ctx {
        today,
        units: &units,
    };
    let unit = units.get(uid).unwrap();
    let p = cadre::team::profile(unit, cadre::team::members(uid, &index, &ds, &ctx), &rules);
    let path = dir.path().join("team.xlsx");
    report::write_workbook(&report::team_sheets(&p), &path).unwrap();
    let roster = sheet(&path, "班子成员");
    assert_eq!(roster.len(), members.len() + 1);
    let mut names: Vec<String> = roster[1..].iter().map(|r| r[1].clone()).collect();
    let mut want: Vec<String> = members.iter().map(|d| d.identity.name.clone()).collect();
    names.sort();
    want.sort();
    assert_eq!(names, want);
    let ages = sheet(&path, "年龄");
    let under40 = members.iter().filter(|d| d.age_on(&today) < 40).count();
    let over55 = members.iter().filter(|d| d.age_on(&today) >= 55).count();
    assert_eq!(ages[1][1], under40.to_string());
    assert_eq!(ages[1][4], over55.to_string());
    assert_eq!(ages[1][5], members.len().to_string());
    let women = members
        .iter()
        .filter(|d| d.identity.gender == Gender::Female)
        .count();
    assert_eq!(sheet(&path, "性别")[1][1], women.to_string());

    // By unit kind: the 合计 row adds up every seat.
    let groups = report::group_tallies(&ds, &units, &rules, today, report::GroupBy::UnitKind);
    let path = dir.path().join("stats.xlsx");
    report::write_workbook(&report::stats_sheets("单位类型", &groups), &path).unwrap();
    let summary = sheet(&path, "汇总");
    assert_eq!(summary[0][0], "单位类型");
    let total = summary.last().unwrap();
    assert_eq!(total[0], "合计");
    assert_eq!(total[1], per_unit.len().to_string());
    assert_eq!(total[2], all_seats.len().to_string());
    let gov = summary
        .iter()
        .find(|r| r[0] == UnitKind::Government.label())
        .expect("a 政府 row");
    let gov_seats = all_seats
        .iter()
        .filter(|(_, u)| units.get(*u).unwrap().kind == UnitKind::Government)
        .count();
    assert_eq!(gov[2], gov_seats.to_string());
    let party = sheet(&path, "政治面貌");
    let cpc = all_seats
        .iter()
        .filter(|(d, _)| d.identity.political_status.is_cpc())
        .count();
    assert_eq!(party.last().unwrap()[1], cpc.to_string());
    let edu = sheet(&path, "学历");
    let total_edu: u64 = edu.last().unwrap()[1..6]
        .iter()
        .map(|c| c.parse::<u64>().unwrap())
        .sum();
    assert_eq!(total_edu, all_seats.len() as u64);
}
