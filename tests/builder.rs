//! The filter builder's menus against the parser: every condition the menus can build parses
//! back to the same syntax tree, chosen paths give the trees written out here by hand, the
//! menus offer every condition of the language, and bad typed values are refused.

use cadre::filter::ast::*;
use cadre::filter::fields::{FIELDS, Kind};
use cadre::filter::lexer::CmpOp;
use cadre::filter::values::DataValues;
use cadre::filter::{SEED_EXAMPLE, parse};
use cadre::model::*;
use cadre::tui::builder::{self, Builder, Progress, Step};

/// One step of a path through the menus.
enum K<'a> {
    /// Highlight the option with this label and press Enter.
    Pick(&'a str),
    /// Type this and press Enter.
    Type(&'a str),
    /// Highlight the option with this label and press Tab (属于's several values).
    Mark(&'a str),
}

fn data() -> DataValues {
    let mut a = Dossier::new("甲", Gender::Male, PartialDate::ym(1980, 1).unwrap());
    a.identity.native_place = "青州市临河县".into();
    a.identity.ethnicity = "回族".into();
    let mut p = Posting {
        start: PartialDate::ym(2020, 1).unwrap(),
        end: None,
        unit: None,
        unit_name: "临河县财政局".into(),
        position: "局长".into(),
        rank: Some(Rank::TownshipPrincipal),
        role: PostRole::Principal,
        portfolio: "财政、审计".into(),
        concurrent: false,
        probation: false,
    };
    a.postings.push(p.clone());
    p.unit_name = "临河县农业农村局".into();
    a.postings.push(p);
    DataValues::collect(&[a], &UnitDirectory::default())
}

fn select(b: &mut Builder, label: &str) {
    b.selected = b
        .options
        .iter()
        .position(|o| o.label == label)
        .unwrap_or_else(|| {
            let all: Vec<&str> = b.options.iter().map(|o| o.label.as_str()).collect();
            panic!("no option {label} at {:?}: {all:?}", b.step)
        });
}

/// Walks a path from a fresh builder; returns the final progress.
fn walk(joined: bool, path: &[K]) -> Progress {
    let d = data();
    let mut b = Builder::new(joined, Some(&d));
    let mut last = Progress::More;
    for (i, k) in path.iter().enumerate() {
        assert_eq!(last, Progress::More, "finished early, at step {i}");
        last = match k {
            K::Pick(l) => {
                select(&mut b, l);
                b.confirm(Some(&d))
            }
            K::Type(t) => {
                b.input.set(t);
                b.refresh(Some(&d));
                b.confirm(Some(&d))
            }
            K::Mark(l) => {
                select(&mut b, l);
                b.toggle(Some(&d));
                Progress::More
            }
        };
    }
    last
}

fn built(joined: bool, path: &[K]) -> (String, Cond) {
    match walk(joined, path) {
        Progress::Done { text, cond } => (text, cond),
        other => panic!("not done: {other:?}"),
    }
}

/// The text parses, and to the condition built.
fn assert_parses(text: &str, cond: &Cond) {
    let parsed = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(parsed, Expr::Cond(cond.clone()), "{text}");
}

#[test]
fn the_seed_example_is_built_by_menus_alone() {
    use K::*;
    let parts = [
        built(false, &[Pick("年龄"), Pick("<"), Type("45")]),
        built(
            true,
            &[
                Pick("且"),
                Pick("曾任"),
                Pick("基层"),
                Pick("正职"),
                Pick("完成"),
            ],
        ),
        built(
            true,
            &[
                Pick("且"),
                Pick("专业类别"),
                Pick("属于"),
                Mark("经济学"),
                Pick("管理学"),
            ],
        ),
        built(
            true,
            &[
                Pick("且"),
                Pick("考核"),
                Pick("优秀"),
                Type("3"),
                Pick("每年"),
            ],
        ),
    ];
    let text: String = parts.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(text, SEED_EXAMPLE);
    assert_eq!(parse(&text).unwrap(), parse(SEED_EXAMPLE).unwrap());
    // Each part is the tree written out by hand.
    let expected = [
        Cond::Num {
            field: NumField::Age(None),
            op: CmpOp::Lt,
            value: 45.0,
        },
        Cond::Post {
            current: false,
            pred: PostPred {
                grassroots: true,
                role: Some(PostRole::Principal),
                ..PostPred::default()
            },
        },
        Cond::In {
            field: EnumField::MajorCategory,
            values: vec![
                Value::Major(MajorCategory::Economics),
                Value::Major(MajorCategory::Management),
            ],
        },
        Cond::Grade {
            grade: Grade::Excellent,
            last: 3,
            quant: Quant::Each,
        },
    ];
    for ((_, got), want) in parts.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}

#[test]
fn chosen_paths_give_the_trees_written_by_hand() {
    use K::*;
    let cases: Vec<(bool, Vec<K>, &str, Cond)> = vec![
        (
            true,
            vec![
                Pick("或 非"),
                Pick("任职数"),
                Pick("层次"),
                Pick(">="),
                Pick("县处级副职"),
                Pick("单位类型"),
                Pick("乡镇"),
                Pick("完成"),
                Pick(">="),
                Type("2"),
            ],
            " 或 非 任职数(单位类型=乡镇, 层次>=县处级副职) >= 2",
            Cond::PostCount {
                pred: PostPred {
                    unit_kind: Some(UnitKind::Township),
                    rank: Some((CmpOp::Ge, Rank::CountyDeputy)),
                    ..PostPred::default()
                },
                op: CmpOp::Ge,
                count: 2,
            },
        ),
        (
            false,
            vec![Pick("培训学时"), Type(""), Pick(">="), Type("100")],
            "培训学时(近3年) >= 100",
            Cond::Num {
                field: NumField::TrainingHours(3),
                op: CmpOp::Ge,
                value: 100.0,
            },
        ),
        (
            false,
            vec![Pick("受处分"), Type("")],
            "受处分",
            Cond::Flag(Flag::Punished(None)),
        ),
        (
            false,
            vec![Pick("受奖励"), Type("5")],
            "受奖励(近5年)",
            Cond::Flag(Flag::Rewarded(Some(5))),
        ),
        (
            false,
            vec![
                Pick("考核"),
                Pick("基本称职"),
                Type("5"),
                Pick("至少K年"),
                Type("2"),
            ],
            "考核(基本称职, 近5年, 至少2年)",
            Cond::Grade {
                grade: Grade::BasicallyCompetent,
                last: 5,
                quant: Quant::AtLeast(2),
            },
        ),
        // Text: a value completed from the data, or the text as typed.
        (
            false,
            vec![Pick("籍贯"), Pick("~"), Type("临河")],
            "籍贯 ~ \"临河\"",
            Cond::Text {
                field: TextField::NativePlace,
                op: TextOp::Contains,
                value: "临河".into(),
            },
        ),
        (
            false,
            vec![Pick("民族"), Pick("!="), Pick("回族")],
            "民族 != \"回族\"",
            Cond::Text {
                field: TextField::Ethnicity,
                op: TextOp::Ne,
                value: "回族".into(),
            },
        ),
        (
            false,
            vec![
                Pick("现任"),
                Pick("分管"),
                Pick("审计"),
                Pick("单位"),
                Pick("临河县农业农村局"),
                Pick("完成"),
            ],
            "现任(分管~\"审计\", 单位~\"临河县农业农村局\")",
            Cond::Post {
                current: true,
                pred: PostPred {
                    portfolio: Some("审计".into()),
                    unit: Some("临河县农业农村局".into()),
                    ..PostPred::default()
                },
            },
        ),
        (
            false,
            vec![Pick("职务层次"), Pick(">="), Pick("县处级副职")],
            "职务层次 >= 县处级副职",
            Cond::Enum {
                field: EnumField::Rank,
                op: CmpOp::Ge,
                values: vec![Value::Rank(Rank::CountyDeputy)],
            },
        ),
    ];
    for (joined, path, text, want) in cases {
        let (got_text, got) = built(joined, &path);
        assert_eq!(got_text, text);
        assert_eq!(got, want, "{text}");
        assert_parses(got_text.trim_start_matches(" 或 非 "), &got);
    }
}

/// Every path: each field, each operator, each vocabulary value, each posting condition,
/// each grade and quantifier, each flag with and without its window.
#[test]
fn every_condition_the_menus_build_parses_to_the_tree_built() {
    use K::*;
    let d = data();
    let mut count = 0;
    let mut check = |path: Vec<K>| {
        let (text, cond) = built(false, &path);
        assert_parses(&text, &cond);
        count += 1;
    };
    for f in FIELDS {
        let probe = {
            let mut b = Builder::new(false, Some(&d));
            select(&mut b, f.label());
            b.confirm(Some(&d));
            b
        };
        match f.kind {
            Kind::Num(_) => {
                let window = matches!(probe.step, Step::Window);
                let ops: Vec<String> = {
                    let mut b = probe.clone();
                    if window {
                        b.input.set("2");
                        b.confirm(Some(&d));
                    }
                    b.options.iter().map(|o| o.label.clone()).collect()
                };
                assert_eq!(ops.len(), 6, "{}", f.label());
                for op in &ops {
                    for n in ["0", "45", "2.5"] {
                        let mut p = vec![Pick(f.label())];
                        if window {
                            p.push(Type("2"));
                        }
                        p.extend([Pick(op.as_str()), Type(n)]);
                        check(p);
                    }
                }
            }
            Kind::Enum(_) => {
                let ops: Vec<String> = probe.options.iter().map(|o| o.label.clone()).collect();
                for op in &ops {
                    let mut b = probe.clone();
                    select(&mut b, op);
                    b.confirm(Some(&d));
                    let values: Vec<String> = b.options.iter().map(|o| o.label.clone()).collect();
                    assert!(!values.is_empty(), "{} {op}", f.label());
                    for v in &values {
                        check(vec![Pick(f.label()), Pick(op.as_str()), Pick(v.as_str())]);
                    }
                    if op == "属于" && values.len() > 2 {
                        check(vec![
                            Pick(f.label()),
                            Pick("属于"),
                            Mark(values[2].as_str()),
                            Mark(values[0].as_str()),
                            Pick(values[1].as_str()),
                        ]);
                    }
                }
            }
            Kind::Text(_) => {
                for op in ["~", "=", "!="] {
                    for v in ["临河", "汉 族", "a\"b"] {
                        let (text, cond) = built(false, &[Pick(f.label()), Pick(op), Type(v)]);
                        if v.contains('"') {
                            // A quote is written as an apostrophe (the language has no escape).
                            assert!(text.contains("a'b"), "{text}");
                        } else {
                            assert_parses(&text, &cond);
                        }
                    }
                }
            }
            Kind::Post { .. } | Kind::PostCount => {
                let tail: Vec<K> = if f.kind == Kind::PostCount {
                    vec![Pick("完成"), Pick("<="), Type("3")]
                } else {
                    vec![Pick("完成")]
                };
                let items: Vec<String> = probe
                    .options
                    .iter()
                    .filter(|o| o.pick != builder::Pick::Done)
                    .map(|o| o.label.clone())
                    .collect();
                for item in &items {
                    let mut b = probe.clone();
                    select(&mut b, item);
                    b.confirm(Some(&d));
                    let mut p = vec![Pick(f.label()), Pick(item.as_str())];
                    let values: Vec<String> = match b.step {
                        Step::PostItems => Vec::new(),
                        Step::PostText => vec![],
                        _ => b.options.iter().map(|o| o.label.clone()).collect(),
                    };
                    match b.step {
                        Step::PostItems => {
                            p.extend(tail.iter().map(copy));
                            check(p);
                        }
                        Step::PostText => {
                            p.push(Type("农业"));
                            p.extend(tail.iter().map(copy));
                            check(p);
                        }
                        Step::RankOp => {
                            for v in &values {
                                let mut q = vec![
                                    Pick(f.label()),
                                    Pick(item.as_str()),
                                    Pick(v.as_str()),
                                    Pick("乡科级正职"),
                                ];
                                q.extend(tail.iter().map(copy));
                                check(q);
                            }
                        }
                        _ => {
                            for v in &values {
                                let mut q = vec![Pick(f.label()), Pick(item.as_str())];
                                q.push(Pick(v.as_str()));
                                q.extend(tail.iter().map(copy));
                                check(q);
                            }
                        }
                    }
                }
                // Everything at once, and nothing at all.
                let mut all = vec![Pick(f.label())];
                for item in ["基层", "副职", "兼任"] {
                    all.push(Pick(item));
                }
                all.extend([
                    Pick("单位层级"),
                    Pick("县级"),
                    Pick("层次"),
                    Pick("<"),
                    Pick("厅局级副职"),
                ]);
                all.extend(tail.iter().map(copy));
                check(all);
                let mut none = vec![Pick(f.label())];
                none.extend(tail.iter().map(copy));
                check(none);
            }
            Kind::Grade => {
                for g in Grade::ALL {
                    for q in ["每年", "任一年"] {
                        check(vec![Pick(f.label()), Pick(g.label()), Type("4"), Pick(q)]);
                    }
                    check(vec![
                        Pick(f.label()),
                        Pick(g.label()),
                        Type(""),
                        Pick("至少K年"),
                        Type("3"),
                    ]);
                }
            }
            Kind::Flag(k) => {
                if k.takes_window() {
                    check(vec![Pick(f.label()), Type("")]);
                    check(vec![Pick(f.label()), Type("7")]);
                } else {
                    check(vec![Pick(f.label())]);
                }
            }
        }
    }
    assert!(count > 300, "{count} conditions built");
}

fn copy<'a>(k: &K<'a>) -> K<'a> {
    match k {
        K::Pick(s) => K::Pick(s),
        K::Type(s) => K::Type(s),
        K::Mark(s) => K::Mark(s),
    }
}

/// The menus offer every condition of the language: each field kind of the syntax tree has a
/// row in the table the menus are built from, and every name in the table is in the docs.
#[test]
fn the_menus_offer_every_condition_of_the_language() {
    use EnumField as E;
    use TextField as T;
    let enums = [
        E::Gender,
        E::PoliticalStatus,
        E::Education,
        E::FullTimeEducation,
        E::InServiceEducation,
        E::Degree,
        E::MajorCategory,
        E::Rank,
        E::Status,
        E::ReserveTarget,
        E::Readiness,
    ];
    // A new variant fails to compile here until it is listed above (and offered).
    for e in enums {
        match e {
            E::Gender
            | E::PoliticalStatus
            | E::Education
            | E::FullTimeEducation
            | E::InServiceEducation
            | E::Degree
            | E::MajorCategory
            | E::Rank
            | E::Status
            | E::ReserveTarget
            | E::Readiness => {}
        }
        assert!(FIELDS.iter().any(|f| f.kind == Kind::Enum(e)), "{e:?}");
    }
    let texts = [
        T::Name,
        T::Ethnicity,
        T::NativePlace,
        T::Birthplace,
        T::Major,
        T::School,
        T::Unit,
        T::Post,
    ];
    for t in texts {
        match t {
            T::Name
            | T::Ethnicity
            | T::NativePlace
            | T::Birthplace
            | T::Major
            | T::School
            | T::Unit
            | T::Post => {}
        }
        assert!(FIELDS.iter().any(|f| f.kind == Kind::Text(t)), "{t:?}");
    }
    let docs = include_str!("../docs/filter.md");
    for f in FIELDS {
        for name in &f.names[..2] {
            assert!(docs.contains(name), "{name} is not in docs/filter.md");
        }
    }
    // The field menu lists the table, grouped.
    let b = Builder::new(false, None);
    assert_eq!(b.options.len(), FIELDS.len());
    assert_eq!(b.options.iter().filter(|o| o.heading.is_some()).count(), 6);
}

#[test]
fn typed_values_out_of_range_are_refused_and_the_step_stays() {
    use K::*;
    let refused = |path: &[K]| matches!(walk(false, path), Progress::Invalid(_));
    assert!(refused(&[Pick("年龄"), Pick("<"), Type("四十五")]));
    assert!(refused(&[
        Pick("任职数"),
        Pick("完成"),
        Pick(">="),
        Type("1.5")
    ]));
    assert!(refused(&[Pick("考核"), Pick("优秀"), Type("0")]));
    assert!(refused(&[
        Pick("考核"),
        Pick("优秀"),
        Type("3"),
        Pick("至少K年"),
        Type("4")
    ]));
    // Typing narrows a list, exact matches first; the English name works too.
    let d = data();
    let mut b = Builder::new(false, Some(&d));
    b.input.set("专业");
    b.refresh(Some(&d));
    let labels: Vec<&str> = b.options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["专业", "专业类别"]);
    b.input.set("grade");
    b.refresh(Some(&d));
    assert_eq!(b.options[0].label, "考核");
    b.input.set("没有这个");
    b.refresh(Some(&d));
    assert!(b.options.is_empty());
    assert!(matches!(b.confirm(Some(&d)), Progress::Invalid(_)));
    assert_eq!(b.step, Step::Field);
}

#[test]
fn a_posting_condition_chosen_again_is_taken_back() {
    use K::*;
    let (text, cond) = built(
        false,
        &[
            Pick("曾任"),
            Pick("基层"),
            Pick("正职"),
            Pick("单位层级"),
            Pick("县级"),
            Pick("基层"),
            Pick("单位层级"),
            Pick("副职"),
            Pick("完成"),
        ],
    );
    assert_eq!(text, "曾任(副职)");
    assert_eq!(
        cond,
        Cond::Post {
            current: false,
            pred: PostPred {
                role: Some(PostRole::Deputy),
                ..PostPred::default()
            }
        }
    );
}
