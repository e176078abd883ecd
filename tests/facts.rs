//! The compact facts against the dossiers they come from: the filter language decided over
//! facts gives exactly the dossier evaluator's answer (every example of docs/filter.md and
//! generated combinations, on the demo province), rows and lookup entries are the same, edits
//! are followed, and the snapshot is used only while it describes the store.

use cadre::demo::{self, DemoOptions};
use cadre::facts::Facts;
use cadre::facts::snapshot::{self, Source};
use cadre::filter::{self, Ctx, Expr};
use cadre::io::results::ResultRow;
use cadre::lookup::Entry;
use cadre::model::*;
use cadre::store::Store;

fn province() -> (Vec<Dossier>, UnitDirectory) {
    let opts = DemoOptions {
        count: 1500,
        seed: 7,
    };
    (
        demo::dossiers(&opts).collect(),
        UnitDirectory::new(demo::units(&opts)),
    )
}

fn reference(
    dossiers: &[Dossier],
    units: &UnitDirectory,
    e: &Expr,
    today: PartialDate,
) -> Vec<u64> {
    let ctx = Ctx { today, units };
    let mut ids: Vec<u64> = dossiers
        .iter()
        .filter(|d| e.matches(d, &ctx))
        .map(|d| d.id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Every inline code span of docs/filter.md that parses: the documented examples.
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
fn every_documented_example_selects_the_same_people() {
    let (dossiers, units) = province();
    let facts = Facts::build(&dossiers, &units);
    let examples = documented();
    assert!(
        examples.len() >= 30,
        "only {} examples found",
        examples.len()
    );
    let mut nonempty = 0;
    // The demo's date, and dates whose assessment years fall outside the hot grade window.
    let dates = [
        demo::as_of(),
        PartialDate::ym(2045, 3).unwrap(),
        PartialDate::ym(2008, 6).unwrap(),
    ];
    for (q, today) in examples
        .iter()
        .flat_map(|q| dates.iter().map(move |d| (q, *d)))
    {
        let e = filter::parse(q).unwrap();
        let want = reference(&dossiers, &units, &e, today);
        assert_eq!(facts.select(&e, today), want, "{q} on {today:?}");
        let split: Vec<u64> = facts
            .select_in_parts(&e, today, 3)
            .into_iter()
            .map(|i| facts.people[i].id)
            .collect();
        assert_eq!(split, want, "{q} in three parts");
        nonempty += usize::from(!want.is_empty());
    }
    // The comparison means something only if many examples select someone.
    assert!(
        nonempty * 2 > examples.len(),
        "{nonempty} of {}",
        examples.len()
    );
}

#[test]
fn rows_and_lookup_entries_are_those_of_the_dossiers() {
    let (dossiers, units) = province();
    let facts = Facts::build(&dossiers, &units);
    let today = demo::as_of();
    for (i, d) in dossiers.iter().enumerate() {
        assert_eq!(facts.row(i, &today), ResultRow::new(d, &units, &today));
        assert_eq!(facts.entry(i), Entry::from_dossier(d, &units));
    }
}

#[test]
fn team_seats_are_the_team_index() {
    let (dossiers, units) = province();
    let facts = Facts::build(&dossiers, &units);
    let index = cadre::team::TeamIndex::build(&dossiers);
    let seats = facts.seats();
    let mut from_index: Vec<_> = index.units().collect();
    let mut from_facts: Vec<_> = seats.keys().copied().collect();
    from_index.sort_unstable();
    from_facts.sort_unstable();
    assert_eq!(from_index, from_facts);
    for u in from_index {
        assert_eq!(index.seats(u), seats[&u].as_slice());
    }
}

#[test]
fn upserts_and_removals_give_what_a_fresh_build_gives() {
    let (mut dossiers, units) = province();
    let mut facts = Facts::build(&dossiers, &units);
    // Edit a few: a new posting, a removed course, a grade, a status change; drop one.
    let start = PartialDate::ym(2026, 1).unwrap();
    for d in dossiers.iter_mut().step_by(97) {
        d.postings.push(Posting {
            start,
            end: None,
            unit: None,
            unit_name: "某县某镇人民政府".into(),
            position: "镇长".into(),
            rank: Some(Rank::TownshipPrincipal),
            role: PostRole::Principal,
            portfolio: String::new(),
            concurrent: false,
            probation: false,
        });
        d.education.pop();
        d.status = LifeCycle::Reserve;
        facts.upsert(d, &units);
    }
    let gone = dossiers.remove(10).id;
    facts.remove(gone);
    let fresh = Facts::build(&dossiers, &units);
    let today = demo::as_of();
    for q in documented() {
        let e = filter::parse(&q).unwrap();
        let want = reference(&dossiers, &units, &e, today);
        assert_eq!(facts.select(&e, today), want, "{q}");
        assert_eq!(fresh.select(&e, today), want, "{q}");
        assert_eq!(facts.compacted().select(&e, today), want, "{q}");
    }
    assert!(facts.has_orphans() && !fresh.has_orphans() && !facts.compacted().has_orphans());
    assert!(facts.compacted().postings.len() < facts.postings.len());
    assert_eq!(facts.compacted().postings.len(), fresh.postings.len());
}

#[test]
fn the_snapshot_is_used_only_while_it_describes_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let opts = DemoOptions {
        count: 300,
        seed: 3,
    };
    let today = demo::as_of();
    let seed = filter::parse(filter::SEED_EXAMPLE).unwrap();
    let everyone = filter::parse("年龄 > 0").unwrap();
    seed_store(&path, &opts);
    let store = Store::open(&path).unwrap();
    let units = store.directory().unwrap();
    let first = snapshot::load(&store, &units).unwrap();
    assert_eq!(first.source, Source::Rebuilt);
    assert_eq!(first.facts.len(), 300);
    let file = store.facts_file().unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = snapshot::load(&store, &units).unwrap();
    assert_eq!(again.source, Source::Snapshot { changed: 0 });
    assert_eq!(
        again.facts.select(&seed, today),
        first.facts.select(&seed, today)
    );

    // One edit and one removal: read from the snapshot plus the two changed dossiers.
    let mut d = store.dossier(5).unwrap().unwrap();
    d.identity.birth = PartialDate::ym(1800, 1).unwrap();
    store.update_dossier(&d).unwrap();
    store.remove_dossier(6).unwrap();
    let after = snapshot::load(&store, &units).unwrap();
    assert_eq!(after.source, Source::Snapshot { changed: 2 });
    let old = filter::parse("年龄 > 200").unwrap();
    assert_eq!(after.facts.select(&old, today), vec![5]);
    assert_eq!(after.facts.select(&everyone, today).len(), 299);

    // Saving again forgets the marks.
    snapshot::save(&store, &after.facts).unwrap();
    let saved = snapshot::load(&store, &units).unwrap();
    assert_eq!(saved.source, Source::Snapshot { changed: 0 });
    assert_eq!(saved.facts.select(&old, today), vec![5]);

    // A damaged file, or a changed unit, means a rebuild.
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes.truncate(n - 10);
    std::fs::write(&file, &bytes).unwrap();
    let damaged = snapshot::load(&store, &units).unwrap();
    assert_eq!(damaged.source, Source::Rebuilt);
    assert_eq!(damaged.facts.select(&old, today), vec![5]);
    let mut u = units.iter().next().unwrap().clone();
    u.name.push('甲');
    store.put_unit(&u).unwrap();
    let renamed = snapshot::load(&store, &store.directory().unwrap()).unwrap();
    assert_eq!(renamed.source, Source::Rebuilt);
}

#[test]
fn alerts_read_through_the_facts_are_every_alert() {
    // A generated province, and the shipped one (every planted problem once).
    let shipped = DemoOptions {
        count: 3000,
        seed: 2026,
    };
    let mut planted: Vec<Dossier> = demo::dossiers(&shipped).collect();
    // The demo plants no relative in a cadre's own unit: add one.
    let d = planted
        .iter_mut()
        .find(|d| {
            d.status == LifeCycle::Serving && d.current_posting().is_some_and(|p| p.unit.is_some())
        })
        .unwrap();
    let unit = d.current_posting().unwrap().unit;
    d.family.push(FamilyMember {
        relation: "妻子".into(),
        name: "某某".into(),
        birth: None,
        political_status: None,
        employer: String::new(),
        employer_unit: unit,
        post: "科员".into(),
        businesses: vec![],
    });
    for (dossiers, units) in [
        province(),
        (planted, UnitDirectory::new(demo::units(&shipped))),
    ] {
        alerts_agree(&dossiers, &units);
    }
}

fn alerts_agree(dossiers: &[Dossier], units: &UnitDirectory) {
    let facts = Facts::build(dossiers, units);
    let rules = cadre::rules::Rules::defaults();
    let mut kinds = std::collections::BTreeSet::new();
    for today in [
        demo::as_of(),
        PartialDate::ym(2029, 7).unwrap(),
        PartialDate::ym(2021, 1).unwrap(),
    ] {
        let ctx = Ctx { today, units };
        let want = cadre::alerts::scan(dossiers, &ctx, &rules);
        kinds.extend(want.iter().map(|a| a.rule_id.clone()));
        let got = cadre::facts::alerts::scan(&facts, &ctx, &rules, |i| {
            dossiers.get(i).map(std::borrow::Cow::Borrowed)
        });
        assert_eq!(got, want, "on {today:?}");
        // The screen must leave most people out, or it is not worth having.
        let screened = cadre::facts::alerts::screened(&facts, &ctx, &rules);
        assert!(
            screened * 2 < dossiers.len(),
            "{screened} of {}",
            dossiers.len()
        );
        assert!(!want.is_empty());
    }
    // Every supervision rule fired somewhere, so each part of the screen was tried.
    if dossiers.len() == 3000 {
        for r in &rules.supervision {
            assert!(kinds.contains(&r.id), "{} never fired", r.id);
        }
    }
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    const ATOMS: &[&str] = &[
        "年龄 < 45",
        "年龄(2030-01) >= 50",
        "性别 = 女",
        "民族 != 汉族",
        "籍贯 ~ 县",
        "政治面貌 属于 (民主党派, 无党派人士)",
        "党龄 >= 20",
        "工龄 < 10",
        "学历 >= 大学本科",
        "全日制学历 = 大专",
        "在职学历 >= 硕士研究生",
        "学位 = 硕士",
        "专业类别 属于 (经济学, 管理学)",
        "专业 ~ 经济",
        "院校 ~ 大学",
        "曾任(基层, 正职)",
        "现任(副职)",
        "曾任(单位类型=党委)",
        "现任(层次>=县处级副职)",
        "任职数(正职) >= 2",
        "曾任(乡镇, 正职)",
        "曾任(分管~农业)",
        "现任(兼任)",
        "有未办结问题",
        "试用期",
        "基层年限 >= 5",
        "任现职年限 >= 5",
        "任现级年限 >= 10",
        "职务层次 >= 县处级副职",
        "考核(优秀, 近3年, 每年)",
        "考核(优秀, 近5年, 至少2年)",
        "考核(基本称职, 近5年, 任一年)",
        "培训学时(近5年) >= 110",
        "受处分",
        "受奖励(近5年)",
        "有监督信息",
        "后备",
        "状态 = 退休",
        "成熟度 = 近期可用",
        "后备目标 >= 县处级正职",
        "单位 ~ 人民政府",
        "职务 ~ 书记",
    ];

    fn expr() -> impl Strategy<Value = String> {
        let leaf = (0..ATOMS.len()).prop_map(|i| ATOMS[i].to_string());
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} 且 {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} 或 {b})")),
                inner.prop_map(|a| format!("非 ({a})")),
            ]
        })
    }

    #[test]
    fn every_atom_parses() {
        for a in ATOMS {
            filter::parse(a).unwrap_or_else(|e| panic!("{a}: {e:?}"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn generated_filters_select_the_same_people(q in expr()) {
            use std::sync::OnceLock;
            static DATA: OnceLock<(Vec<Dossier>, UnitDirectory, Facts)> = OnceLock::new();
            let (dossiers, units, facts) = DATA.get_or_init(|| {
                let (d, u) = province();
                let f = Facts::build(&d, &u);
                (d, u, f)
            });
            let e = filter::parse(&q).unwrap();
            let today = demo::as_of();
            prop_assert_eq!(facts.select(&e, today), reference(dossiers, units, &e, today));
        }
    }
}

#[test]
fn the_snapshot_reads_back_every_row_and_the_unit_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let opts = DemoOptions {
        count: 500,
        seed: 11,
    };
    seed_store(&path, &opts);
    let store = Store::open(&path).unwrap();
    let (built, units) = snapshot::load_with_units(&store).unwrap();
    assert_eq!(built.source, Source::Rebuilt);
    let (read, read_units) = snapshot::load_with_units(&store).unwrap();
    assert_eq!(read.source, Source::Snapshot { changed: 0 });
    let (a, b) = (&built.facts, &read.facts);
    assert_same_rows(a, b);
    for i in 0..a.len() {
        assert_eq!(a.entry(i), b.entry(i));
    }
    // The directory travels in the snapshot, whole.
    let sorted = |d: &UnitDirectory| {
        let mut v: Vec<_> = d.iter().cloned().collect();
        v.sort_by_key(|u| u.id);
        v
    };
    assert_eq!(sorted(&read_units), sorted(&store.directory().unwrap()));
    assert_eq!(sorted(&read_units), sorted(&units));
    assert_eq!(read_units.roots(), units.roots());
    // The index built in place from the facts finds what the one built from entries finds.
    let from_entries = cadre::lookup::Index::build(b.entries());
    let in_place = b.lookup_index();
    for q in ["王", "wang", "zhj", "1965", "县长"] {
        let ids =
            |ix: &cadre::lookup::Index| ix.search(q, 50).iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(ids(&from_entries), ids(&in_place), "{q}");
    }

    // The lookup index came from the snapshot, and a damaged file is rebuilt, wherever the
    // damage is: in either stream, or in the trailer that says where the second begins.
    assert!(read.index.is_some());
    let file = store.facts_file().unwrap();
    let whole = std::fs::read(&file).unwrap();
    let n = whole.len();
    for (at, what) in [
        (n / 4, "first stream"),
        (n - 100, "second stream"),
        (n - 3, "trailer"),
    ] {
        let mut bytes = whole.clone();
        bytes[at] ^= 0x10;
        std::fs::write(&file, &bytes).unwrap();
        let (damaged, _) = snapshot::load_with_units(&store).unwrap();
        assert_eq!(damaged.source, Source::Rebuilt, "{what}");
        assert_eq!(damaged.facts.people, b.people, "{what}");
    }

    // A renamed unit drops the snapshot: the next load reads the new name from the store.
    let mut u = units.iter().next().unwrap().clone();
    u.name.push('乙');
    store.put_unit(&u).unwrap();
    let (again, again_units) = snapshot::load_with_units(&store).unwrap();
    assert_eq!(again.source, Source::Rebuilt);
    assert_eq!(again_units.get(u.id).unwrap().name, u.name);
    let (_, next_units) = snapshot::load_with_units(&store).unwrap();
    assert_eq!(next_units.get(u.id).unwrap().name, u.name);
}

#[test]
fn facts_given_to_the_snapshot_are_written_whole_with_the_index_they_describe() {
    // `save_given` frees rows as it writes them and builds the index from what is left: the
    // file must read back as `save` would have written it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let opts = DemoOptions {
        count: 400,
        seed: 23,
    };
    seed_store(&path, &opts);
    let store = Store::open(&path).unwrap();
    let (built, units) = snapshot::load_with_units(&store).unwrap();
    // A replaced dossier leaves rows behind, as an import into a full database does.
    let mut facts = built.facts.clone();
    let mut d = store.dossier(7).unwrap().unwrap();
    d.identity.name = "欧阳某某".into();
    d.postings.truncate(1);
    store.update_dossier(&d).unwrap();
    facts.upsert(&d, &units);
    assert!(facts.has_orphans());
    let expected = facts.compacted();
    let expected_index = facts.lookup_index();

    snapshot::save_given(&store, facts).unwrap();
    let (read, read_units) = snapshot::load_with_units(&store).unwrap();
    assert_eq!(read.source, Source::Snapshot { changed: 0 });
    let b = &read.facts;
    assert_same_rows(&expected, b);
    assert_eq!(expected.entries(), b.entries());
    assert_eq!(read_units.len(), units.len());
    let index = read.index.expect("the index travels in the snapshot");
    assert_eq!(index.len(), 400);
    let ids = |ix: &cadre::lookup::Index, q: &str| {
        ix.search(q, 500).iter().map(|h| h.id).collect::<Vec<_>>()
    };
    for q in [
        "王",
        "wang",
        "zhj",
        "1965",
        "县长",
        "欧阳某某",
        "oyms",
        "局",
        "li 女",
    ] {
        assert_eq!(ids(&index, q), ids(&expected_index, q), "{q}");
    }
    assert_eq!(ids(&index, "欧阳某某"), vec![7]);
}

#[test]
fn the_embedded_interface_takes_the_snapshots_lookup_index_once_and_never_a_stale_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let opts = DemoOptions {
        count: 200,
        seed: 5,
    };
    seed_store(&path, &opts);
    snapshot::refresh(&Store::open(&path).unwrap()).unwrap();
    let rules = std::sync::Arc::new(cadre::rules::Rules::defaults());
    let backend = cadre::service::Backend::unaudited(Store::open(&path).unwrap(), rules.clone());
    let (facts, _) = backend.facts().unwrap();
    let index = backend.stored_index(&facts).expect("the snapshot's index");
    assert_eq!(index.len(), 200);
    assert!(backend.stored_index(&facts).is_none(), "taken once");
    // Another Arc of the same facts (a redacted copy, say) never gets it.
    let copy = std::sync::Arc::new((*facts).clone());
    assert!(backend.stored_index(&copy).is_none());
    drop(backend);

    // After an edit the snapshot's index no longer describes the facts: none is offered.
    {
        let store = Store::open(&path).unwrap();
        let mut d = store.dossier(3).unwrap().unwrap();
        d.identity.name = "欧阳某某".into();
        store.update_dossier(&d).unwrap();
    }
    let backend = cadre::service::Backend::unaudited(Store::open(&path).unwrap(), rules);
    let (facts, _) = backend.facts().unwrap();
    assert!(backend.stored_index(&facts).is_none());
    let built = facts.lookup_index();
    assert!(built.search("欧阳某某", 5).iter().any(|h| h.id == 3));
}

/// Every row, the grade window and every interned text of `a` are those of `b`.
fn assert_same_rows(a: &cadre::facts::Facts, b: &cadre::facts::Facts) {
    assert_eq!(a.people, b.people);
    assert_eq!(a.hot, b.hot);
    assert_eq!(a.postings, b.postings);
    assert_eq!(a.courses, b.courses);
    assert_eq!(a.grades, b.grades);
    assert_eq!(a.trainings, b.trainings);
    assert_eq!(a.rewards, b.rewards);
    assert_eq!(a.grade_base, b.grade_base);
    assert_eq!(a.pool.len(), b.pool.len());
    for sid in 0..a.pool.len() as u32 {
        assert_eq!(a.pool.get(sid), b.pool.get(sid));
    }
}

/// A database at `path` holding the generated province, written as an import writes it.
fn seed_store(path: &std::path::Path, opts: &DemoOptions) {
    let store = Store::open(path).unwrap();
    let mut w = store.bulk().unwrap();
    for u in demo::units(opts) {
        w.put_unit(&u).unwrap();
    }
    for d in demo::dossiers(opts) {
        w.add_dossier(d).unwrap();
    }
    w.commit().unwrap();
}
