//! Roles and field-level withholding: the roles file (the shipped example parses, each error
//! names its line, a writable file is refused), resolving users by name, uid and group, what
//! each built-in role sees of a full demo dossier, that a save by a user who could not see a
//! section gives it back exactly (property), own/relatives' exclusion, and redacted facts.

use std::collections::HashSet;
use std::path::Path;

use cadre::demo::{self, DemoOptions};
use cadre::facts::Facts;
use cadre::filter;
use cadre::model::*;
use cadre::roles::*;
use proptest::prelude::*;

const EXAMPLE: &str = include_str!("../docs/roles.example.toml");

fn parse(text: &str) -> Result<Roles, RolesError> {
    Roles::parse(text, Path::new("/etc/cadre/roles.toml"))
}

fn groups(g: &[&str]) -> Vec<String> {
    g.iter().map(|s| s.to_string()).collect()
}

// ------------------------------------------------------------------------------------------
// The roles file

#[test]
fn the_example_file_parses_and_resolves() {
    let roles = parse(EXAMPLE).unwrap();
    let g = roles.resolve("zhangwei", 1001, &[]).unwrap();
    assert_eq!(g.role, "clerk");
    assert_eq!(g.rights, builtin("clerk").unwrap());
    assert_eq!(g.own_id_number.as_deref(), Some("390102198001010019"));
    assert!(!g.self_access);
    // A role defined in the file, reached by uid.
    let g = roles.resolve("nobody-by-name", 1005, &[]).unwrap();
    assert_eq!(g.role, "meeting");
    assert_eq!(g.rights, Rights::of(&[Right::Lookup, Right::View]));
    // Inheritance adds to the parent's rights.
    assert_eq!(
        roles.rights("auditor").unwrap(),
        builtin("viewer").unwrap().with(Right::Audit)
    );
    // A user entry without a role takes the group's role and keeps its ID link.
    let g = roles
        .resolve("wangfang", 1010, &groups(&["cadre-readers"]))
        .unwrap();
    assert_eq!(g.role, "viewer");
    assert_eq!(g.own_id_number.as_deref(), Some("390102197507070049"));
    assert!(roles.resolve("wangfang", 1010, &[]).is_none());
    let g = roles.resolve("admin", 0, &[]).unwrap();
    assert!(g.self_access && g.can(Right::Backup) && g.can(Right::Roles));
    // The admin has the exception; only the uid entry lacks a link.
    assert_eq!(roles.unlinked_users(), vec!["uid:1005".to_string()]);
    // Neither a grant nor the roles can put an ID number into a log.
    let zhang = roles.resolve("zhangwei", 1001, &[]).unwrap();
    assert!(!format!("{zhang:?} {roles:?}").contains("390102"));
    // A grant travels to the client and back unchanged.
    let json = serde_json::to_string(&g).unwrap();
    assert_eq!(serde_json::from_str::<Grant>(&json).unwrap(), g);
}

#[test]
fn builtin_roles_are_cumulative() {
    let v = builtin("viewer").unwrap();
    let c = builtin("clerk").unwrap();
    let s = builtin("supervisor").unwrap();
    let a = builtin("administrator").unwrap();
    assert_eq!(v, Rights::of(&[Right::Lookup, Right::View, Right::Reserve]));
    for (lo, hi) in [(v, c), (c, s), (s, a)] {
        assert_eq!(lo.union(hi), hi, "{lo:?} ⊄ {hi:?}");
        assert_ne!(lo, hi);
    }
    assert!(c.has(Right::IdNumbers) && !c.has(Right::Family));
    assert!(s.has(Right::TalkNotes) && !s.has(Right::Audit));
    assert!(!a.has(Right::SelfAccess));
    for r in Right::ALL {
        assert_eq!(Right::parse(r.name()), Some(r));
        assert_eq!(Right::parse(r.label()), Some(r));
    }
}

#[test]
fn resolve_by_name_uid_and_group_order() {
    let roles = parse(
        r#"
[users.alice]
role = "supervisor"
[users."uid:2001"]
role = "clerk"
[groups.readers]
role = "viewer"
[groups.clerks]
role = "clerk"
"#,
    )
    .unwrap();
    // By name, even when the uid has an entry of its own: the name entry wins.
    assert_eq!(
        roles.resolve("alice", 2001, &[]).unwrap().role,
        "supervisor"
    );
    // By uid.
    assert_eq!(roles.resolve("bob", 2001, &[]).unwrap().role, "clerk");
    // The user's entry wins over a group.
    assert_eq!(
        roles
            .resolve("alice", 3000, &groups(&["clerks"]))
            .unwrap()
            .role,
        "supervisor"
    );
    // Several groups: the one listed first in the file, no union.
    let g = roles
        .resolve("carol", 3001, &groups(&["clerks", "readers"]))
        .unwrap();
    assert_eq!(g.role, "viewer");
    assert_eq!(g.rights, builtin("viewer").unwrap());
    assert_eq!(
        roles
            .resolve("dave", 3002, &groups(&["clerks"]))
            .unwrap()
            .role,
        "clerk"
    );
    // No entry, no group: no access.
    assert!(roles.resolve("eve", 3003, &groups(&["staff"])).is_none());
    assert!(roles.resolve("eve", 3003, &[]).is_none());
}

#[test]
fn a_redefined_builtin_role_takes_the_files_rights() {
    let roles = parse(
        "[roles.viewer]\nrights = [\"lookup\"]\n[users.x]\nrole = \"viewer\"\n[roles.helper]\ninherits = \"supervisor\"\nrights = [\"本人及亲属档案\"]\n[users.y]\nrole = \"helper\"\n",
    )
    .unwrap();
    assert_eq!(
        roles.resolve("x", 1, &[]).unwrap().rights,
        Rights::of(&[Right::Lookup])
    );
    let y = roles.resolve("y", 2, &[]).unwrap();
    assert!(y.self_access, "the SelfAccess right gives self_access");
    assert!(y.can(Right::Findings));
}

/// Each error class, with the line it must name.
#[test]
fn each_error_names_the_file_and_line() {
    let cases: &[(&str, usize, &str)] = &[
        // Unknown key in a user entry.
        (
            "[users.a]\nrole = \"clerk\"\n\n[users.b]\nrole = \"viewer\"\ncolour = \"red\"\n",
            6,
            "colour",
        ),
        // Unknown top-level table.
        (
            "[users.a]\nrole = \"clerk\"\n[people.b]\nrole = \"x\"\n",
            3,
            "people",
        ),
        // Unknown role.
        (
            "[users.a]\nrole = \"clerk\"\n[users.b]\n\nrole = \"boss\"\n",
            5,
            "boss",
        ),
        (
            "[groups.g]\nrole = \"viewer\"\n[groups.h]\nrole = \"chief\"\n",
            4,
            "chief",
        ),
        ("[roles.r]\ninherits = \"nosuch\"\n", 2, "nosuch"),
        // Unknown right.
        (
            "[roles.r]\nrights = [\n  \"lookup\",\n  \"fly\",\n]\n",
            4,
            "fly",
        ),
        // Duplicate user: the same uid written twice, and the same key twice (TOML).
        (
            "[users.\"uid:1001\"]\nrole = \"clerk\"\n[users.\"uid:01001\"]\nrole = \"viewer\"\n",
            3,
            "uid:1001",
        ),
        (
            "[users.a]\nrole = \"clerk\"\n\n[users.a]\nrole = \"viewer\"\n",
            4,
            "a",
        ),
        // An ID number that is not one.
        (
            "[users.a]\nrole = \"clerk\"\nid_number = \"390102198001010011\"\n",
            3,
            "身份证号",
        ),
        // A bad uid, an empty entry, an inheritance cycle, a syntax error.
        ("[users.\"uid:abc\"]\nrole = \"clerk\"\n", 1, "uid"),
        ("[users.a]\nrole = \"clerk\"\n[users.b]\n", 3, "role"),
        (
            "[roles.a]\ninherits = \"b\"\n[roles.b]\ninherits = \"a\"\n",
            1,
            "成环",
        ),
        ("[users.a]\nrole = \"clerk\"\nrole = = 3\n", 3, ""),
    ];
    let mut wrong = Vec::new();
    for (text, line, word) in cases {
        let err = parse(text)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{text}"));
        let msg = err.to_string();
        if err.line() != Some(*line)
            || !msg.contains("/etc/cadre/roles.toml")
            || !msg.contains(&format!("第 {line} 行"))
            || !msg.contains(word)
        {
            wrong.push(format!("want line {line} and “{word}”: {msg}\n---\n{text}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n======\n"));
    assert!(matches!(
        parse("[users.b]\nrole = \"boss\"\n"),
        Err(RolesError::UnknownRole { .. })
    ));
    assert!(matches!(
        parse("[roles.r]\nrights = [\"fly\"]\n"),
        Err(RolesError::UnknownRight { .. })
    ));
    assert!(matches!(
        parse("[users.\"uid:7\"]\nrole = \"clerk\"\n[users.\"uid:007\"]\nrole = \"clerk\"\n"),
        Err(RolesError::DuplicateUser { first: 1, .. })
    ));
}

#[cfg(unix)]
#[test]
fn a_roles_file_others_may_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roles.toml");
    std::fs::write(&path, EXAMPLE).unwrap();
    for mode in [0o620, 0o602, 0o666] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let err = Roles::load(&path).unwrap_err();
        assert!(
            matches!(err, RolesError::Writable { .. }),
            "{mode:o}: {err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("roles.toml") && msg.contains("可写"), "{msg}");
    }
    for mode in [0o600, 0o640, 0o644, 0o400] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        assert!(Roles::load(&path).is_ok(), "{mode:o}");
    }
    let missing = Roles::load(&dir.path().join("nope.toml")).unwrap_err();
    assert!(missing.to_string().contains("nope.toml"));
}

// ------------------------------------------------------------------------------------------
// What each role sees

fn opts() -> DemoOptions {
    DemoOptions {
        count: 1500,
        seed: 7,
    }
}

/// A demo dossier with something in every withheld section: one with an ID number, family,
/// talk notes and an award, given a finding and a punishment from other demo dossiers when it
/// has none of its own.
fn full_demo_dossier() -> Dossier {
    let all: Vec<Dossier> = demo::dossiers(&opts()).collect();
    let mut d = all
        .iter()
        .find(|d| {
            !d.identity.id_number.is_empty()
                && !d.family.is_empty()
                && d.rewards.iter().any(|r| r.kind == RewardKind::Award)
                && d.assessments.iter().any(|a| !a.talk_notes.is_empty())
        })
        .expect("a demo dossier with family, an award and talk notes")
        .clone();
    if d.findings.is_empty() {
        let f = all.iter().flat_map(|d| &d.findings).next().unwrap();
        d.findings.push(f.clone());
    }
    if !d.rewards.iter().any(is_supervision_outcome) {
        let p = all
            .iter()
            .flat_map(|d| &d.rewards)
            .find(|r| is_supervision_outcome(r))
            .unwrap();
        // Between the awards, so that putting it back in place is tested too.
        d.rewards.insert(d.rewards.len() / 2, p.clone());
    }
    d
}

fn grant(role: &str) -> Grant {
    Grant {
        user: "u".into(),
        role: role.into(),
        rights: builtin(role).unwrap(),
        own_id_number: None,
        self_access: false,
    }
}

#[test]
fn each_builtin_role_sees_exactly_its_fields() {
    let full = full_demo_dossier();
    let expect: &[(&str, bool, bool, bool, bool)] = &[
        // role, id number, family, findings (and punishments), talk notes
        ("viewer", false, false, false, false),
        ("clerk", true, false, false, false),
        ("supervisor", true, true, true, true),
        ("administrator", true, true, true, true),
    ];
    for &(role, id, family, findings, talk) in expect {
        let mut d = full.clone();
        let withheld = redact(&grant(role), &mut d);
        // Built by hand: the full dossier with exactly the expected sections taken out.
        let mut want = full.clone();
        let mut sections = vec![];
        if !id {
            want.identity.id_number.clear();
            sections.push(Section::IdNumber);
        }
        if !family {
            want.family.clear();
            sections.push(Section::Family);
        }
        if !findings {
            want.findings.clear();
            want.rewards.retain(|r| r.kind == RewardKind::Award);
            sections.push(Section::Findings);
            sections.push(Section::Punishments);
        }
        if !talk {
            for a in &mut want.assessments {
                a.talk_notes.clear();
            }
            sections.push(Section::TalkNotes);
        }
        assert_eq!(d, want, "{role}");
        assert_eq!(withheld, sections, "{role}");
        // What is visible is really there, what is not is really gone.
        assert_eq!(d.identity.id_number.is_empty(), !id, "{role}");
        assert_eq!(d.family.is_empty(), !family, "{role}");
        assert_eq!(d.findings.is_empty(), !findings, "{role}");
        assert_eq!(
            d.rewards.iter().any(is_supervision_outcome),
            findings,
            "{role}"
        );
        assert!(d.rewards.iter().any(|r| r.kind == RewardKind::Award));
        assert_eq!(
            d.assessments.iter().any(|a| !a.talk_notes.is_empty()),
            talk,
            "{role}"
        );
        // Nothing withheld survives anywhere in the serialized dossier.
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json.contains(&full.identity.id_number), id, "{role}");
        assert_eq!(json.contains(&full.family[0].name), family, "{role}");
        assert_eq!(json.contains(&full.findings[0].summary), findings, "{role}");
    }
    // The embedded mode sees everything.
    let mut d = full.clone();
    assert!(redact(&Grant::full("me"), &mut d).is_empty());
    assert_eq!(d, full);
}

#[test]
fn an_empty_section_is_reported_withheld_all_the_same() {
    let mut d = Dossier::new("甲", Gender::Male, PartialDate::ym(1970, 1).unwrap());
    assert_eq!(redact(&grant("clerk"), &mut d).len(), 4);
}

// ------------------------------------------------------------------------------------------
// Saving back what could not be seen

#[test]
fn a_clerk_save_keeps_what_the_clerk_could_not_see() {
    let stored = full_demo_dossier();
    let g = grant("clerk");
    let mut edited = stored.clone();
    redact(&g, &mut edited);
    edited.identity.health = "良好".into();
    // Typing into withheld sections has no effect.
    edited.family.clear();
    edited.assessments[0].talk_notes = "clerk wrote this".into();
    merge_withheld(&g, &mut edited, &stored).unwrap();
    let mut want = stored.clone();
    want.identity.health = "良好".into();
    assert_eq!(edited, want);
}

#[test]
fn dropping_an_assessment_with_withheld_talk_notes_is_refused() {
    let stored = full_demo_dossier();
    let year = stored
        .assessments
        .iter()
        .find(|a| !a.talk_notes.is_empty())
        .unwrap()
        .year;
    let g = grant("clerk");
    let mut edited = stored.clone();
    redact(&g, &mut edited);
    edited.assessments.retain(|a| a.year != year);
    let err = merge_withheld(&g, &mut edited, &stored).unwrap_err();
    assert_eq!(err, MergeError::TalkNotesDropped { year });
    assert!(err.to_string().contains(&year.to_string()));
    // The supervisor, who sees the notes, may drop the year.
    let s = grant("supervisor");
    let mut edited = stored.clone();
    edited.assessments.retain(|a| a.year != year);
    merge_withheld(&s, &mut edited, &stored).unwrap();
    assert!(edited.assessment(year).is_none());
}

#[derive(Clone, Debug)]
enum Edit {
    Rename(String),
    Health(String),
    AwardTitle(usize, u32),
    AppendAward(u32),
    Grade(usize, u8),
    Special(usize, String),
    AddTraining(u32),
}

/// Applies an edit that touches only visible fields; awards are addressed by their place among
/// awards, so an edit means the same on the stored and on a redacted dossier.
fn apply(d: &mut Dossier, e: &Edit) {
    match e {
        Edit::Rename(s) => d.identity.name = s.clone(),
        Edit::Health(s) => d.identity.health = s.clone(),
        Edit::AwardTitle(k, n) => {
            if let Some(r) = d
                .rewards
                .iter_mut()
                .filter(|r| r.kind == RewardKind::Award)
                .nth(*k)
            {
                r.title = format!("改{n}");
            }
        }
        Edit::AppendAward(n) => d.rewards.push(award(&format!("新{n}"))),
        Edit::Grade(k, g) => {
            if let Some(a) = d.assessments.get_mut(*k) {
                a.grade = Grade::ALL.get(*g as usize).copied();
            }
        }
        Edit::Special(k, s) => {
            if let Some(a) = d.assessments.get_mut(*k) {
                a.special = s.clone();
            }
        }
        Edit::AddTraining(h) => d.training.push(Training {
            name: "党校".into(),
            organizer: String::new(),
            start: PartialDate::ym(2020, 1).unwrap(),
            end: None,
            hours: *h,
        }),
    }
}

fn delete_award(d: &mut Dossier, k: usize) {
    if let Some(i) = d
        .rewards
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RewardKind::Award)
        .nth(k)
        .map(|(i, _)| i)
    {
        d.rewards.remove(i);
    }
}

fn award(title: &str) -> Reward {
    Reward {
        kind: RewardKind::Award,
        date: None,
        title: title.into(),
        issuer: String::new(),
        reason: String::new(),
    }
}

fn arb_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        "[甲乙丙]{1,3}".prop_map(Edit::Rename),
        "[良好一般]{0,2}".prop_map(Edit::Health),
        (0..6usize, 0..1000u32).prop_map(|(k, n)| Edit::AwardTitle(k, n)),
        (0..1000u32).prop_map(Edit::AppendAward),
        (0..6usize, 0..5u8).prop_map(|(k, g)| Edit::Grade(k, g)),
        (0..6usize, "[专项]{0,3}").prop_map(|(k, s)| Edit::Special(k, s)),
        (1..100u32).prop_map(Edit::AddTraining),
    ]
}

/// A stored dossier with every withheld section, rewards of every kind interleaved and
/// assessments possibly sharing a year.
fn arb_stored() -> impl Strategy<Value = Dossier> {
    (
        proptest::collection::vec(0..4u8, 0..8),
        proptest::collection::vec((2015..2020i16, any::<bool>()), 0..6),
        0..3usize,
        0..3usize,
        any::<bool>(),
    )
        .prop_map(|(rewards, assessments, family, findings, id)| {
            let mut d = Dossier::new("某某", Gender::Female, PartialDate::ym(1975, 5).unwrap());
            if id {
                d.identity.id_number = idnum::make(390102, (1975, 5, 1), 2, Gender::Female);
            }
            for (i, k) in rewards.iter().enumerate() {
                let kind = [
                    RewardKind::Award,
                    RewardKind::PartyPunishment,
                    RewardKind::GovPunishment,
                    RewardKind::OrgHandling,
                ][*k as usize];
                d.rewards.push(Reward {
                    kind,
                    date: None,
                    title: format!("奖惩{i}"),
                    issuer: String::new(),
                    reason: String::new(),
                });
            }
            for (i, (year, talk)) in assessments.iter().enumerate() {
                d.assessments.push(Assessment {
                    year: *year,
                    grade: None,
                    democratic_score: None,
                    special: String::new(),
                    talk_notes: if *talk {
                        format!("谈话{i}")
                    } else {
                        String::new()
                    },
                });
            }
            for i in 0..family {
                d.family.push(FamilyMember {
                    relation: "妻子".into(),
                    name: format!("亲属{i}"),
                    birth: None,
                    political_status: None,
                    employer: String::new(),
                    employer_unit: None,
                    post: String::new(),
                    businesses: vec![],
                });
            }
            for i in 0..findings {
                d.findings.push(Finding {
                    source: FindingSource::Audit,
                    date: PartialDate::ym(2020, 1).unwrap(),
                    summary: format!("问题{i}"),
                    conclusion: String::new(),
                    resolved: i % 2 == 0,
                });
            }
            d
        })
}

fn arb_grant() -> impl Strategy<Value = Grant> {
    proptest::collection::vec(any::<bool>(), 4).prop_map(|bits| {
        let mut rights = builtin("viewer").unwrap().with(Right::Edit);
        for (b, r) in bits.iter().zip([
            Right::IdNumbers,
            Right::Family,
            Right::Findings,
            Right::TalkNotes,
        ]) {
            if *b {
                rights = rights.with(r);
            }
        }
        Grant {
            user: "u".into(),
            role: "custom".into(),
            rights,
            own_id_number: None,
            self_access: false,
        }
    })
}

fn redact_edit_merge(g: &Grant, stored: &Dossier, edit: impl Fn(&mut Dossier)) -> Dossier {
    let mut edited = stored.clone();
    redact(g, &mut edited);
    edit(&mut edited);
    merge_withheld(g, &mut edited, stored).unwrap();
    edited
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Edits of visible fields (changes and additions, any number of them) come back on the
    /// stored dossier with everything withheld exactly as it was.
    #[test]
    fn redact_then_merge_gives_back_the_stored_dossier(
        stored in arb_stored(),
        g in arb_grant(),
        edits in proptest::collection::vec(arb_edit(), 0..6),
    ) {
        let got = redact_edit_merge(&g, &stored, |d| edits.iter().for_each(|e| apply(d, e)));
        let mut want = stored.clone();
        edits.iter().for_each(|e| apply(&mut want, e));
        prop_assert_eq!(got, want);
    }

    /// Deleting a visible award keeps the withheld rewards in their places.
    #[test]
    fn deleting_an_award_keeps_the_withheld_rewards(
        stored in arb_stored(),
        g in arb_grant(),
        k in 0..6usize,
        edits in proptest::collection::vec(arb_edit().prop_filter("not an award", |e| {
            !matches!(e, Edit::AwardTitle(..) | Edit::AppendAward(_))
        }), 0..3),
    ) {
        let got = redact_edit_merge(&g, &stored, |d| {
            delete_award(d, k);
            edits.iter().for_each(|e| apply(d, e));
        });
        let mut want = stored.clone();
        delete_award(&mut want, k);
        edits.iter().for_each(|e| apply(&mut want, e));
        prop_assert_eq!(got, want);
    }
}

// ------------------------------------------------------------------------------------------
// Own and relatives' dossiers

fn person(id: DossierId, name: &str, birth: (i16, u8), seq: u16) -> Dossier {
    let mut d = Dossier::new(
        name,
        Gender::Male,
        PartialDate::ym(birth.0, birth.1).unwrap(),
    );
    d.id = id;
    d.identity.id_number = idnum::make(390102, (birth.0, birth.1, 1), seq, Gender::Male);
    d
}

fn member(relation: &str, name: &str, birth: Option<PartialDate>) -> FamilyMember {
    FamilyMember {
        relation: relation.into(),
        name: name.into(),
        birth,
        political_status: None,
        employer: String::new(),
        employer_unit: None,
        post: String::new(),
        businesses: vec![],
    }
}

/// The user 张明 (#1); his wife 李红 (#2) whom his dossier lists; his father-in-law 李国 (#3)
/// whose dossier lists him as 女婿; and people who must stay visible: a namesake of the wife
/// born another year (#4), a namesake of the user's father born in the same year (#5, the
/// father listed without a birth date), and a dossier listing a 张明 born another year (#6).
fn constructed() -> Vec<Dossier> {
    let ym = |y, m| PartialDate::ym(y, m).unwrap();
    let mut me = person(1, "张明", (1980, 1), 1);
    me.family.push(member("妻子", "李红", Some(ym(1982, 3))));
    me.family.push(member("父亲", "张大山", None));
    let wife = person(2, "李红", (1982, 3), 3);
    let mut father_in_law = person(3, "李国", (1955, 6), 5);
    father_in_law.family.push(member(
        "女婿",
        "张明",
        Some(PartialDate::ymd(1980, 1, 1).unwrap()),
    ));
    let other_li = person(4, "李红", (1990, 3), 7);
    let other_zhang = person(5, "张大山", (1950, 2), 9);
    let mut unrelated = person(6, "王五", (1960, 1), 11);
    unrelated
        .family
        .push(member("儿子", "张明", Some(ym(1985, 1))));
    vec![me, wife, father_in_law, other_li, other_zhang, unrelated]
}

#[test]
fn exclusion_finds_own_and_relatives_both_ways_and_nothing_else() {
    let dossiers = constructed();
    let facts = Facts::build(&dossiers, &UnitDirectory::default());
    let index = RelativeIndex::build(&dossiers);
    let mut g = grant("supervisor");
    g.own_id_number = Some(dossiers[0].identity.id_number.clone());
    let mut reads = Vec::new();
    let ex = Exclusion::build(&g, &facts, &index, |id| {
        reads.push(id);
        dossiers.iter().find(|d| d.id == id).cloned()
    });
    let mut hidden: Vec<_> = ex.hidden().iter().copied().collect();
    hidden.sort_unstable();
    assert_eq!(hidden, vec![1, 2, 3]);
    assert_eq!(ex.own(), &[1]);
    assert!(ex.contains(3) && !ex.contains(6));
    // Only the own dossier and the index's candidates were read, not every dossier.
    reads.sort_unstable();
    reads.dedup();
    assert_eq!(reads, vec![1, 3]);

    // The same user with the exception sees everything; without a link nothing is known.
    let mut allowed = g.clone();
    allowed.self_access = true;
    let none = Exclusion::build(&allowed, &facts, &index, |_| panic!("no read needed"));
    assert!(none.hidden().is_empty());
    let unlinked = Exclusion::build(&grant("viewer"), &facts, &index, |_| panic!("no read"));
    assert!(unlinked.hidden().is_empty());

    // The index follows edits: the father-in-law's entry removed, he is no longer excluded.
    let mut index = index;
    let mut changed = dossiers.clone();
    changed[2].family.clear();
    index.upsert(&changed[2]);
    let ex = Exclusion::build(&g, &facts, &index, |id| {
        changed.iter().find(|d| d.id == id).cloned()
    });
    assert!(!ex.contains(3) && ex.contains(2));
    index.remove(3);
    assert!(index.candidates("张明", 1980).is_empty());
}

#[test]
fn births_match_at_the_common_precision() {
    let p = |s: &str| s.parse::<PartialDate>().unwrap();
    assert!(birth_matches(&p("1980-01"), &p("1980-01-15")));
    assert!(birth_matches(&p("1980"), &p("1980-07")));
    assert!(!birth_matches(&p("1980-01"), &p("1980-02")));
    assert!(!birth_matches(&p("1980-01-02"), &p("1980-01-03")));
    assert!(!birth_matches(&p("1981-01"), &p("1980-01")));
}

// ------------------------------------------------------------------------------------------
// Facts for a client

#[test]
fn redacted_facts_carry_no_id_numbers_family_flags_or_hidden_people() {
    let dossiers: Vec<Dossier> = demo::dossiers(&opts()).collect();
    let units = UnitDirectory::new(demo::units(&opts()));
    let facts = Facts::build(&dossiers, &units);
    assert!(facts.people.iter().any(|p| p.family_business));
    assert!(facts.people.iter().any(|p| p.findings > 0));
    // Hide a few people, among them one with a unique name.
    let hidden: HashSet<DossierId> = [5, 77, 1200].into_iter().collect();
    let hidden_names: Vec<&str> = dossiers
        .iter()
        .filter(|d| hidden.contains(&d.id))
        .map(|d| d.identity.name.as_str())
        .filter(|n| {
            dossiers
                .iter()
                .filter(|d| d.identity.name.contains(n))
                .count()
                == 1
        })
        .collect();
    assert!(!hidden_names.is_empty());

    for role in BUILTIN_ROLES {
        let g = grant(role);
        let r = redact_facts(&g, &facts, &hidden);
        assert_eq!(r.len(), facts.len() - hidden.len(), "{role}");
        assert!(r.people.iter().all(|p| !hidden.contains(&p.id)));
        let bytes = bincode::serde::encode_to_vec(&r, bincode::config::standard()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for n in &hidden_names {
            assert!(!text.contains(n), "{role}: a hidden name stayed behind");
        }
        let ids_present = dossiers
            .iter()
            .filter(|d| !hidden.contains(&d.id))
            .take(200)
            .filter(|d| text.contains(&d.identity.id_number))
            .count();
        if g.can(Right::IdNumbers) {
            assert_eq!(ids_present, 200, "{role}");
        } else {
            assert_eq!(ids_present, 0, "{role}: ID number bytes shipped");
            assert!(r.id_numbers.get(Default::default()).is_empty());
        }
        let flags = r
            .people
            .iter()
            .any(|p| p.family_business || p.family_employed || p.family_business_latest.is_some());
        assert_eq!(flags, g.can(Right::Family), "{role}");
        let findings = r
            .people
            .iter()
            .any(|p| p.findings > 0 || p.open_findings > 0);
        assert_eq!(findings, g.can(Right::Findings), "{role}");
        assert_eq!(
            r.rewards.iter().any(|x| x.punishment),
            g.can(Right::Findings)
        );

        // The facts still agree with the (redacted) dossiers of the people that remain:
        // rows, lookup entries and every documented filter this role may run.
        let today = demo::as_of();
        let visible: Vec<Dossier> = dossiers
            .iter()
            .filter(|d| !hidden.contains(&d.id))
            .map(|d| {
                let mut d = d.clone();
                redact(&g, &mut d);
                d
            })
            .collect();
        for (i, d) in visible.iter().enumerate().step_by(97) {
            let k = r.position(d.id).unwrap();
            assert_eq!(r.entry(k).id_number, d.identity.id_number);
            assert_eq!(r.entry(k).name, d.identity.name);
            assert_eq!(
                r.row(k, &today),
                cadre::io::results::ResultRow::new(d, &units, &today),
                "{role} #{i}"
            );
        }
        let ctx = filter::Ctx {
            today,
            units: &units,
        };
        let mut checked = 0;
        let mut refused = 0;
        for q in documented() {
            let e = filter::parse(&q).unwrap();
            if check_filter(&g, &e).is_err() {
                refused += 1;
                continue;
            }
            checked += 1;
            let mut want: Vec<u64> = visible
                .iter()
                .filter(|d| e.matches(d, &ctx))
                .map(|d| d.id)
                .collect();
            want.sort_unstable();
            assert_eq!(r.select(&e, today), want, "{role}: {q}");
        }
        assert!(checked >= 25, "{role}: {checked}");
        assert_eq!(refused > 0, !g.can(Right::Findings), "{role}");
    }
}

fn documented() -> Vec<String> {
    let doc = include_str!("../docs/filter.md");
    let mut out = Vec::new();
    for (i, part) in doc.split('`').enumerate() {
        if i % 2 == 1 && filter::parse(part).is_ok() && !out.contains(&part.to_string()) {
            out.push(part.to_string());
        }
    }
    out
}

#[test]
fn filters_on_withheld_fields_are_refused_by_name() {
    let viewer = grant("viewer");
    for (q, word) in [
        ("有监督信息", "有监督信息"),
        ("年龄 < 50 且 非 有未办结问题", "有未办结问题"),
        ("性别 = 女 或 (受处分(近3年) 且 后备)", "受处分"),
    ] {
        let e = filter::parse(q).unwrap();
        let msg = check_filter(&viewer, &e).unwrap_err();
        assert!(msg.contains(word) && msg.contains("viewer"), "{msg}");
        assert!(check_filter(&grant("supervisor"), &e).is_ok(), "{q}");
    }
    let e = filter::parse("年龄 < 45 且 受奖励").unwrap();
    assert!(check_filter(&viewer, &e).is_ok());
    let mut blind = viewer.clone();
    blind.rights = blind.rights.without(Right::Lookup);
    assert!(check_filter(&blind, &e).unwrap_err().contains("查询"));
}
