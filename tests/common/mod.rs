//! Shared test helpers: hand-built dossiers and units, and a fingerprint of a whole store to
//! prove that a refused operation changed nothing.
#![allow(dead_code)]

pub mod pty;

use cadre::io::jsonl::{JsonLine, write_line};
use cadre::model::*;
use cadre::store::Store;

pub fn date(s: &str) -> PartialDate {
    s.parse().unwrap()
}

pub fn unit(
    id: UnitId,
    name: &str,
    parent: Option<UnitId>,
    kind: UnitKind,
    level: UnitLevel,
) -> Unit {
    Unit {
        id,
        name: name.into(),
        parent,
        kind,
        level,
        regulates: vec![],
    }
}

/// A small region: province 1, county 2, its government 3.
pub fn units() -> Vec<Unit> {
    vec![
        unit(1, "青川省", None, UnitKind::Region, UnitLevel::Province),
        unit(2, "临河县", Some(1), UnitKind::Region, UnitLevel::County),
        unit(
            3,
            "临河县人民政府",
            Some(2),
            UnitKind::Government,
            UnitLevel::County,
        ),
    ]
}

/// A complete, valid dossier touching every dimension.
pub fn person(name: &str, birth: (i16, u8, u8), gender: Gender, seq: u16) -> Dossier {
    let mut d = Dossier::new(name, gender, PartialDate::ym(birth.0, birth.1).unwrap());
    d.identity.id_number = idnum::make(330102, birth, seq, gender);
    d.identity.native_place = "青川省临河县".into();
    d.identity.party_entry = Some(PartialDate::ym(birth.0 + 20, 7).unwrap());
    d.identity.work_start = Some(PartialDate::ym(birth.0 + 22, 8).unwrap());
    d.education.push(Education {
        kind: EduKind::FullTime,
        level: EduLevel::Undergraduate,
        degree: Some(Degree::Bachelor),
        school: "青川大学".into(),
        major: "经济管理".into(),
        category: Some(MajorCategory::Management),
        start: None,
        end: None,
    });
    d.postings.push(Posting {
        start: PartialDate::ym(2020, 3).unwrap(),
        end: None,
        unit: Some(3),
        unit_name: "临河县人民政府".into(),
        position: "副县长".into(),
        rank: Some(Rank::CountyDeputy),
        role: PostRole::Deputy,
        portfolio: "农业农村".into(),
        concurrent: false,
        probation: false,
    });
    d.assessments.push(Assessment {
        year: 2024,
        grade: Some(Grade::Excellent),
        democratic_score: Some(96.5),
        special: String::new(),
        talk_notes: "谈话".into(),
    });
    d.family.push(FamilyMember {
        relation: "妻子".into(),
        name: "某某".into(),
        birth: Some(PartialDate::ym(birth.0 + 1, 2).unwrap()),
        political_status: Some(PoliticalStatus::Masses),
        employer: "临河县第一中学".into(),
        employer_unit: None,
        post: "教师".into(),
        businesses: vec![],
    });
    d
}

/// Every unit and dossier in the store as JSON Lines: equal fingerprints, equal stores.
pub fn fingerprint(store: &Store) -> String {
    let mut out = Vec::new();
    for u in store.units().unwrap() {
        write_line(&mut out, &JsonLine::Unit(u)).unwrap();
    }
    for d in store.dossiers() {
        write_line(&mut out, &JsonLine::Dossier(d.unwrap())).unwrap();
    }
    String::from_utf8(out).unwrap()
}

/// JSON Lines text for the given units and dossiers.
pub fn jsonl(units: &[Unit], dossiers: &[Dossier]) -> String {
    let mut out = Vec::new();
    for u in units {
        write_line(&mut out, &JsonLine::Unit(u.clone())).unwrap();
    }
    for d in dossiers {
        write_line(&mut out, &JsonLine::Dossier(d.clone())).unwrap();
    }
    String::from_utf8(out).unwrap()
}

/// Runs the real binary on the database `db` (never the one `CADRE_DB` names).
pub fn cadre(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cadre"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CADRE_DB")
        .output()
        .expect("run cadre")
}

/// A process's output as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
