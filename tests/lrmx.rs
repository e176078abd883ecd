//! `.lrmx` forms: the demo province exported one file per person reads back to the same
//! dossiers (in place: nothing changes; into an empty database: what the form carries is equal,
//! and exporting again gives the same files); each class of bad input is refused per file with
//! its reason and nothing imported, unless `--skip-invalid`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use cadre::io::export::export_lrmx;
use cadre::io::import::{ImportError, ImportOptions, ImportReport, import_files};
use cadre::io::lrmx;
use cadre::model::*;
use cadre::store::Store;

fn demo_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("demo-data")
        .join(name)
}

fn import(store: &Store, files: &[PathBuf], skip: bool) -> Result<ImportReport, ImportError> {
    import_files(
        store,
        files,
        &ImportOptions {
            skip_invalid: skip,
            ..Default::default()
        },
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
}

fn demo_store() -> Store {
    let store = Store::temporary().unwrap();
    import(
        &store,
        &[demo_path("units.jsonl"), demo_path("dossiers.jsonl")],
        false,
    )
    .unwrap();
    store
}

fn all(store: &Store) -> Vec<Dossier> {
    store.dossiers().collect::<Result<Vec<_>, _>>().unwrap()
}

fn export_all(store: &Store, dir: &Path) -> u64 {
    export_lrmx(store, dir, &|_| true, &mut |_| {}, &AtomicBool::new(false)).unwrap()
}

/// The files of a folder by the ID number inside, with the date the form was filled dropped.
fn files_by_id(dir: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let id = text
            .split("<ShenFenZheng>")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_string();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains("TianBiaoShiJian") && !l.contains("JiSuanNianLingShiJian"))
            .collect();
        out.insert(id, kept.join("\n"));
    }
    out
}

#[test]
fn the_demo_province_round_trips_through_lrmx() {
    let store = demo_store();
    let before = all(&store);
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    assert_eq!(export_all(&store, &forms), before.len() as u64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let f = std::fs::read_dir(&forms).unwrap().next().unwrap().unwrap();
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    }

    // In place: every form matches its dossier by ID number and changes nothing.
    let report = import(&store, std::slice::from_ref(&forms), false).unwrap();
    assert_eq!(report.dossiers, 0);
    assert_eq!(report.updated, 0, "{:?}", report.notices);
    assert_eq!(report.unchanged, before.len());
    assert_eq!(all(&store), before);

    // Into a database holding only the units: the form's content comes back.
    let fresh = Store::temporary().unwrap();
    import(&fresh, &[demo_path("units.jsonl")], false).unwrap();
    let report = import(&fresh, std::slice::from_ref(&forms), false).unwrap();
    assert_eq!(report.dossiers, before.len());
    let back: HashMap<String, Dossier> = all(&fresh)
        .into_iter()
        .map(|d| (d.identity.id_number.clone(), d))
        .collect();
    let (mut posts, mut same_split, mut same_unit) = (0, 0, 0);
    for d in &before {
        let b = &back[&d.identity.id_number];
        assert_eq!(b.identity, d.identity, "{}", d.id);
        let fam = |x: &Dossier| -> Vec<_> {
            x.family
                .iter()
                .map(|f| {
                    (
                        f.relation.clone(),
                        f.name.clone(),
                        f.birth,
                        f.political_status,
                        format!("{}{}", f.employer, f.post),
                    )
                })
                .collect()
        };
        assert_eq!(fam(b), fam(d), "{}", d.id);
        let post = |x: &Dossier| {
            let mut v: Vec<_> = x
                .postings
                .iter()
                .map(|p| {
                    (
                        p.start,
                        p.end,
                        format!("{}{}", p.unit_name, p.position),
                        p.rank,
                        p.concurrent,
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(post(b), post(d), "{}", d.id);
        for p in &d.postings {
            posts += 1;
            let q = b
                .postings
                .iter()
                .find(|q| q.start == p.start && q.concurrent == p.concurrent && q.rank == p.rank)
                .unwrap();
            same_split += usize::from(q.unit_name == p.unit_name && q.position == p.position);
            same_unit += usize::from(q.unit == p.unit);
        }
        let edu = |x: &Dossier| {
            let mut v: Vec<_> = x
                .education
                .iter()
                .map(|e| {
                    (
                        e.start,
                        e.end,
                        e.kind,
                        e.level,
                        e.school.clone(),
                        e.major.clone(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(edu(b), edu(d), "{}", d.id);
        for kind in [EduKind::FullTime, EduKind::InService] {
            let top = |x: &Dossier| {
                x.education
                    .iter()
                    .filter(|e| e.kind == kind)
                    .max_by_key(|e| (e.level.height(), e.start))
                    .map(|e| e.degree)
            };
            assert_eq!(top(b), top(d), "{}", d.id);
        }
        let tr = |x: &Dossier| {
            let mut v: Vec<_> = x
                .training
                .iter()
                .map(|t| (t.start, t.end, t.name.clone(), t.organizer.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(tr(b), tr(d), "{}", d.id);
        let last3 = |x: &Dossier| {
            let mut v: Vec<_> = x.assessments.iter().map(|a| (a.year, a.grade)).collect();
            v.sort();
            v.split_off(v.len().saturating_sub(3))
        };
        assert_eq!(last3(b), last3(d), "{}", d.id);
        let rw = |x: &Dossier| -> Vec<_> {
            x.rewards
                .iter()
                .map(|r| {
                    (
                        r.kind,
                        r.date,
                        r.title.clone(),
                        r.issuer.clone(),
                        r.reason.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(rw(b), rw(d), "{}", d.id);
        assert_eq!(b.record.specialty, d.record.specialty);
    }
    eprintln!(
        "postings: {posts}; unit and position split as in the source: {same_split} ({:.1}%); same unit link: {same_unit} ({:.1}%)",
        100.0 * same_split as f64 / posts as f64,
        100.0 * same_unit as f64 / posts as f64
    );
    // The timeline's unit links come back for nearly every posting.
    assert!(same_unit as f64 >= 0.95 * posts as f64);

    // Exporting the fresh database gives the same files.
    let again = dir.path().join("again");
    export_all(&fresh, &again);
    let (a, b) = (files_by_id(&forms), files_by_id(&again));
    assert_eq!(a.len(), b.len());
    for (id, text) in &a {
        assert_eq!(&b[id], text, "{id}");
    }
}

/// A small valid form.
fn good_form(name: &str, id_number: &str) -> String {
    let mut d = Dossier::new(name, Gender::Female, PartialDate::ym(1980, 5).unwrap());
    d.identity.id_number = id_number.into();
    d.identity.party_entry = Some(PartialDate::ym(2003, 6).unwrap());
    d.postings.push(Posting {
        start: PartialDate::ym(2015, 3).unwrap(),
        end: None,
        unit: None,
        unit_name: "某县人民政府".into(),
        position: "副县长".into(),
        rank: Some(Rank::CountyDeputy),
        role: PostRole::Deputy,
        portfolio: String::new(),
        concurrent: false,
        probation: false,
    });
    lrmx::write(
        &d,
        &UnitDirectory::default(),
        &PartialDate::ym(2026, 1).unwrap(),
    )
}

const GOOD_ID: &str = "110101198005150029";

fn replace_tag(xml: &str, tag: &str, value: &str) -> String {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let a = xml.find(&open).unwrap() + open.len();
    let b = xml.find(&close).unwrap();
    format!("{}{value}{}", &xml[..a], &xml[b..])
}

/// Each class of bad input: (file name, bytes, words the reason must contain).
fn bad_inputs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = good_form("李红", GOOD_ID);
    let (gb, _, _) = encoding_rs::GB18030.encode(&good);
    vec![
        (
            "malformed.lrmx",
            good.replace("</XingBie>", "</XingMing>").into_bytes(),
            "XML 格式错误",
        ),
        (
            "unknown.lrmx",
            good.replace("<MinZu>", "<AiHao>篮球</AiHao><MinZu>")
                .into_bytes(),
            "未知的标签 <AiHao>",
        ),
        ("gb18030.lrmx", gb.into_owned(), "不是 UTF-8"),
        (
            "declared.lrmx",
            good.replace("encoding=\"UTF-8\"", "encoding=\"GB2312\"")
                .into_bytes(),
            "GB2312",
        ),
        (
            "impossible.lrmx",
            replace_tag(&good, "ChuShengNianYue", "198013").into_bytes(),
            "日期不存在",
        ),
        (
            "photo.lrmx",
            replace_tag(&good, "ZhaoPian", "/9j/4AAQSkZJRgABAQ").into_bytes(),
            "截断",
        ),
        (
            "truncated.lrmx",
            good.lines()
                .take(good.lines().count() / 2)
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes(),
            "截断",
        ),
        (
            "cut_in_a_tag.lrmx",
            good.as_bytes()[..good.find("<MinZu>").unwrap() + 3].to_vec(),
            "XML 格式错误",
        ),
        ("root.lrmx", b"<Dossier></Dossier>".to_vec(), "根元素"),
    ]
}

#[test]
fn each_bad_input_is_refused_with_its_reason_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.lrmx");
    std::fs::write(&good, good_form("王芳", "110101198005150045")).unwrap();
    for (name, bytes, words) in bad_inputs() {
        let store = Store::temporary().unwrap();
        let bad = dir.path().join(name);
        std::fs::write(&bad, &bytes).unwrap();
        let err = import(&store, &[good.clone(), bad.clone()], false).unwrap_err();
        let ImportError::Invalid(problems) = err else {
            panic!("{name}: expected Invalid");
        };
        assert!(!problems.is_empty(), "{name}");
        for p in &problems {
            assert_eq!(p.file, bad, "{name}: {p}");
        }
        assert!(
            problems.iter().any(|p| p.reason.contains(words)),
            "{name}: {problems:?}"
        );
        assert_eq!(store.dossier_count(), 0, "{name}: partly imported");
        if name == "unknown.lrmx" || name == "impossible.lrmx" {
            // The problem names the line of the tag.
            let needle = if name == "unknown.lrmx" {
                "<AiHao>"
            } else {
                "<ChuShengNianYue>"
            };
            let text = String::from_utf8_lossy(&bytes);
            let want = text.lines().position(|l| l.contains(needle)).unwrap() + 1;
            assert_eq!(problems[0].line, want, "{name}");
        }

        // With --skip-invalid the good form goes in and the bad one is reported.
        let report = import(&store, &[good.clone(), bad.clone()], true).unwrap();
        assert_eq!(report.dossiers, 1, "{name}");
        assert!(report.rejected.iter().all(|p| p.file == bad), "{name}");
        assert!(!report.rejected.is_empty(), "{name}");
    }
}

#[test]
fn a_form_with_a_known_id_number_updates_that_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::temporary().unwrap();
    let first = dir.path().join("a.lrmx");
    std::fs::write(&first, good_form("李红", GOOD_ID)).unwrap();
    import(&store, std::slice::from_ref(&first), false).unwrap();
    let id = store.find_by_id_number(GOOD_ID).unwrap().unwrap();
    let mut before = store.dossier(id).unwrap().unwrap();
    // Something the form does not carry stays.
    before.postings[0].portfolio = "分管教育".into();
    before.status = LifeCycle::Reserve;
    store.update_dossier(&before).unwrap();

    // The form now has a new current post after the old one ended, and a second name spelling.
    let form = good_form("李红", GOOD_ID);
    let form = replace_tag(
        &form,
        "JianLi",
        "2015.03--2020.06  某县人民政府副县长（副处级）\n2020.06--  某县县委副书记（正处级）",
    );
    let second = dir.path().join("b.lrmx");
    std::fs::write(&second, form).unwrap();
    let report = import(&store, std::slice::from_ref(&second), false).unwrap();
    assert_eq!((report.dossiers, report.updated), (0, 1));
    assert_eq!(store.dossier_count(), 1);
    let after = store.dossier(id).unwrap().unwrap();
    assert_eq!(after.postings.len(), 2);
    assert_eq!(after.postings[0].portfolio, "分管教育");
    assert_eq!(
        after.postings[0].end,
        Some(PartialDate::ym(2020, 6).unwrap())
    );
    let cur = after.current_posting().unwrap();
    assert_eq!(
        (cur.unit_name.as_str(), cur.position.as_str()),
        ("某县县委", "副书记")
    );
    assert_eq!(after.current_rank(), Some(Rank::CountyPrincipal));
    assert_eq!(after.status, LifeCycle::Reserve);
    // The update is in the dossier's history, with the postings it changed, and undoable.
    let history = store.history(id).unwrap();
    let last = history.iter().max_by_key(|h| h.seq).unwrap();
    assert_eq!(last.kind, cadre::history::ChangeKind::Imported);
    assert!(!last.changes.is_empty());
    assert_eq!(last.before.as_ref(), Some(&before));

    // A form with an empty 简历 and no family changes neither.
    let form = replace_tag(&good_form("李红", GOOD_ID), "JianLi", "");
    let third = dir.path().join("c.lrmx");
    std::fs::write(&third, form).unwrap();
    import(&store, std::slice::from_ref(&third), false).unwrap();
    assert_eq!(store.dossier(id).unwrap().unwrap().postings, after.postings);
}

#[test]
fn unread_career_lines_are_kept_reported_and_written_back() {
    let form = replace_tag(
        &good_form("李红", GOOD_ID),
        "JianLi",
        "2015.03--  某县人民政府副县长\n90.07--93.09 某乡干部",
    );
    let read = lrmx::read(form.as_bytes(), &|_| None).unwrap();
    assert_eq!(read.dossier.postings.len(), 1);
    assert!(
        read.notices.iter().any(|n| n.contains("第2行")),
        "{:?}",
        read.notices
    );
    let kept = &read.dossier.record.achievements;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].detail, "90.07--93.09 某乡干部");
    let text = lrmx::career_text(&read.dossier, &UnitDirectory::default());
    assert!(text.ends_with("\n90.07--93.09 某乡干部"), "{text}");
}
