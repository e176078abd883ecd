//! Every dossier survives the stored envelope (bincode) and JSON Lines unchanged, whatever its
//! contents: generated dossiers over every dimension, with partial dates at every precision.

use cadre::io::jsonl::{JsonLine, parse_line, write_line};
use cadre::model::*;
use cadre::store::envelope::{decode, encode};
use proptest::prelude::*;
use proptest::sample::select;

fn pdate() -> impl Strategy<Value = PartialDate> {
    (1900i16..2100, 0u8..=12, 0u8..=28)
        .prop_map(|(y, m, d)| PartialDate::new(y, m, if m == 0 { 0 } else { d }).unwrap())
}

fn odate() -> impl Strategy<Value = Option<PartialDate>> {
    proptest::option::of(pdate())
}

fn text() -> impl Strategy<Value = String> {
    "[a-z张王李赵刘陈杨黄周吴县委书记副局长，、 ]{0,12}"
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 0..3)
}

fn identity() -> impl Strategy<Value = Identity> {
    (
        (text(), select(Gender::ALL), text(), pdate(), text(), text()),
        (
            odate(),
            odate(),
            text(),
            "[0-9X]{0,18}",
            select(PoliticalStatus::ALL),
            text(),
            text(),
        ),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
    )
        .prop_map(
            |(
                (name, gender, ethnicity, birth, native_place, birthplace),
                (
                    party_entry,
                    work_start,
                    health,
                    id_number,
                    political_status,
                    party_name,
                    professional_title,
                ),
                photo,
            )| Identity {
                name,
                gender,
                ethnicity,
                birth,
                native_place,
                birthplace,
                party_entry,
                work_start,
                health,
                id_number,
                political_status,
                party_name,
                professional_title,
                photo,
            },
        )
}

fn education() -> impl Strategy<Value = Education> {
    (
        select(EduKind::ALL),
        select(EduLevel::ALL),
        proptest::option::of(select(Degree::ALL)),
        text(),
        text(),
        proptest::option::of(select(MajorCategory::ALL)),
        odate(),
        odate(),
    )
        .prop_map(
            |(kind, level, degree, school, major, category, start, end)| Education {
                kind,
                level,
                degree,
                school,
                major,
                category,
                start,
                end,
            },
        )
}

fn posting() -> impl Strategy<Value = Posting> {
    (
        pdate(),
        odate(),
        proptest::option::of(any::<u32>()),
        text(),
        text(),
        proptest::option::of(select(Rank::ALL)),
        select(PostRole::ALL),
        text(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                start,
                end,
                unit,
                unit_name,
                position,
                rank,
                role,
                portfolio,
                concurrent,
                probation,
            )| Posting {
                start,
                end,
                unit,
                unit_name,
                position,
                rank,
                role,
                portfolio,
                concurrent,
                probation,
            },
        )
}

fn assessment() -> impl Strategy<Value = Assessment> {
    (
        1950i16..2100,
        proptest::option::of(select(Grade::ALL)),
        proptest::option::of(0.0f32..100.0),
        text(),
        text(),
    )
        .prop_map(
            |(year, grade, democratic_score, special, talk_notes)| Assessment {
                year,
                grade,
                democratic_score,
                special,
                talk_notes,
            },
        )
}

fn family() -> impl Strategy<Value = FamilyMember> {
    (
        text(),
        text(),
        odate(),
        proptest::option::of(select(PoliticalStatus::ALL)),
        text(),
        proptest::option::of(any::<u32>()),
        text(),
        proptest::collection::vec(
            (text(), text(), text(), odate()).prop_map(|(name, industry, role, registered)| {
                Business {
                    name,
                    industry,
                    role,
                    registered,
                }
            }),
            0..2,
        ),
    )
        .prop_map(
            |(relation, name, birth, ps, employer, employer_unit, post, businesses)| FamilyMember {
                relation,
                name,
                birth,
                political_status: ps,
                employer,
                employer_unit,
                post,
                businesses,
            },
        )
}

fn dossier() -> impl Strategy<Value = Dossier> {
    (
        (
            any::<u64>(),
            identity(),
            proptest::collection::vec(education(), 0..3),
        ),
        proptest::collection::vec(
            (text(), text(), pdate(), odate(), any::<u32>()).prop_map(
                |(name, organizer, start, end, hours)| Training {
                    name,
                    organizer,
                    start,
                    end,
                    hours,
                },
            ),
            0..3,
        ),
        proptest::collection::vec(posting(), 0..5),
        proptest::collection::vec(assessment(), 0..4),
        proptest::collection::vec(
            (select(RewardKind::ALL), odate(), text(), text(), text()).prop_map(
                |(kind, date, title, issuer, reason)| Reward {
                    kind,
                    date,
                    title,
                    issuer,
                    reason,
                },
            ),
            0..2,
        ),
        proptest::collection::vec(
            (
                select(FindingSource::ALL),
                pdate(),
                text(),
                text(),
                any::<bool>(),
            )
                .prop_map(|(source, date, summary, conclusion, resolved)| Finding {
                    source,
                    date,
                    summary,
                    conclusion,
                    resolved,
                }),
            0..2,
        ),
        proptest::collection::vec(family(), 0..3),
        (
            text(),
            texts(),
            texts(),
            proptest::collection::vec(
                (odate(), text(), text()).prop_map(|(date, title, detail)| Achievement {
                    date,
                    title,
                    detail,
                }),
                0..2,
            ),
        )
            .prop_map(|(specialty, skills, languages, achievements)| Record {
                specialty,
                skills,
                languages,
                achievements,
            }),
        (
            select(LifeCycle::ALL),
            proptest::option::of(
                (select(Rank::ALL), text(), select(Readiness::ALL), odate()).prop_map(
                    |(target, target_post, readiness, since)| ReserveInfo {
                        target,
                        target_post,
                        readiness,
                        since,
                    },
                ),
            ),
            odate(),
        ),
    )
        .prop_map(
            |(
                (id, identity, education),
                training,
                postings,
                assessments,
                rewards,
                findings,
                family,
                record,
                (status, reserve, last_report),
            )| Dossier {
                id,
                identity,
                education,
                training,
                postings,
                assessments,
                rewards,
                findings,
                family,
                record,
                status,
                reserve,
                last_report,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_stored_envelope_round_trips(d in dossier()) {
        let bytes = encode(&d).unwrap();
        let back: Dossier = decode(&bytes).unwrap();
        prop_assert_eq!(back, d);
    }

    #[test]
    fn json_lines_round_trip(d in dossier()) {
        let mut out = Vec::new();
        write_line(&mut out, &JsonLine::Dossier(d.clone())).unwrap();
        let text = String::from_utf8(out).unwrap();
        prop_assert!(text.ends_with('\n') && text.matches('\n').count() == 1);
        let back = parse_line(text.trim_end()).unwrap();
        prop_assert_eq!(back, JsonLine::Dossier(d));
    }

    #[test]
    fn partial_dates_round_trip_through_text(d in pdate()) {
        prop_assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
        prop_assert_eq!(PartialDate::parse_opt(&d.dotted()).unwrap(), Some(d));
        prop_assert_eq!(PartialDate::from_packed(d.packed()).unwrap(), d);
    }
}
