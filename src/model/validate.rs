//! Rules a dossier must satisfy before it is stored, shared by import and the editing forms:
//! required fields, ID number checksum and agreement, dates in order, principal posts that
//! overlap only when one is marked concurrent, one assessment per year. Each problem names the
//! field as a clerk knows it (and, inside a list entry, the part), so a form can show it at the
//! field. Pure; no storage.

use std::collections::HashSet;

use super::date::PartialDate;
use super::dossier::Dossier;
use super::idnum;
use super::vocab::PostRole;

/// One rule broken, at one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field as a clerk names it (身份证号, 参加工作时间, 任职经历第2条 …).
    pub field: String,
    /// Inside a list entry, the part at fault as the entry's form labels it (任职时间, 免职时间,
    /// 职务 …); None for a whole field or a whole entry.
    pub part: Option<&'static str>,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.field, self.message)
    }
}

fn err(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        part: None,
        message: message.into(),
    }
}

/// A problem with one part of a list entry.
fn err_at(field: impl Into<String>, part: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        part: Some(part),
        message: message.into(),
    }
}

/// Whether two periods share a month; an open end runs on, and a post ending in the month the
/// next starts does not overlap it.
fn overlaps(a: (PartialDate, Option<PartialDate>), b: (PartialDate, Option<PartialDate>)) -> bool {
    let before = |start: PartialDate, end: Option<PartialDate>| end.is_none_or(|e| start < e);
    before(a.0, b.1) && before(b.0, a.1)
}

/// Every rule the dossier breaks (empty when it may be stored). `today` bounds future dates.
pub fn validate(d: &Dossier, today: &PartialDate) -> Vec<FieldError> {
    let mut out = Vec::new();
    let id = &d.identity;
    if id.name.trim().is_empty() {
        out.push(err("姓名", "不能为空"));
    } else if id.name.chars().count() > 20 {
        out.push(err("姓名", "超过 20 个字"));
    }
    if id.birth > *today {
        out.push(err("出生年月", format!("{} 晚于今天", id.birth)));
    }
    if !id.id_number.is_empty()
        && let Err(e) = idnum::validate(&id.id_number, &id.birth, id.gender)
    {
        out.push(err("身份证号", e.to_string()));
    }
    if let Some(ws) = id.work_start
        && ws.month_index() < id.birth.month_index() + 14 * 12
    {
        out.push(err(
            "参加工作时间",
            format!("{ws} 早于出生后 14 周岁（出生 {}）", id.birth),
        ));
    }
    if let Some(pe) = id.party_entry
        && id.birth.whole_years_until(&pe) < 18
    {
        out.push(err(
            "入党时间",
            format!("{pe} 时未满 18 周岁（出生 {}）", id.birth),
        ));
    }
    for (i, e) in d.education.iter().enumerate() {
        if let (Some(s), Some(t)) = (e.start, e.end)
            && t < s
        {
            out.push(err_at(
                format!("学历第{}条", i + 1),
                "毕业时间",
                format!("结束 {t} 早于开始 {s}"),
            ));
        }
    }
    for (i, t) in d.training.iter().enumerate() {
        let field = format!("培训第{}条", i + 1);
        if t.name.trim().is_empty() {
            out.push(err_at(&field, "培训名称", "不能为空"));
        }
        if let Some(end) = t.end
            && end < t.start
        {
            out.push(err_at(
                &field,
                "结束时间",
                format!("结束 {end} 早于开始 {}", t.start),
            ));
        }
    }
    for (i, p) in d.postings.iter().enumerate() {
        let field = format!("任职经历第{}条", i + 1);
        if p.position.trim().is_empty() {
            out.push(err_at(&field, "职务", "职务不能为空"));
        }
        if let Some(end) = p.end
            && end < p.start
        {
            out.push(err_at(
                &field,
                "免职时间",
                format!("免职 {end} 早于任职 {}", p.start),
            ));
        }
        if p.start < id.birth {
            out.push(err_at(
                &field,
                "任职时间",
                format!("任职 {} 早于出生", p.start),
            ));
        }
        // Principal posts held at once: only when one of them is marked concurrent (兼任).
        if p.role == PostRole::Principal && !p.concurrent {
            let clash = d.postings.iter().enumerate().find(|(j, q)| {
                *j != i
                    && q.role == PostRole::Principal
                    && !q.concurrent
                    && (q.start, *j) < (p.start, i)
                    && overlaps((p.start, p.end), (q.start, q.end))
            });
            if let Some((j, q)) = clash {
                out.push(err_at(
                    &field,
                    "任职时间",
                    format!(
                        "与第{}条正职（{} {}）时间重叠；同时担任的正职须标明兼任",
                        j + 1,
                        q.start.dotted(),
                        q.position
                    ),
                ));
            }
        }
    }
    let mut years = HashSet::new();
    for a in &d.assessments {
        if !years.insert(a.year) {
            out.push(err_at(
                "年度考核",
                "年度",
                format!("{} 年有两条考核结果", a.year),
            ));
        }
        if a.year < id.birth.y() || a.year > today.y() {
            out.push(err_at(
                "年度考核",
                "年度",
                format!("{} 年不在出生到今年之间", a.year),
            ));
        }
        if let Some(s) = a.democratic_score
            && !(0.0..=100.0).contains(&s)
        {
            out.push(err("民主测评", format!("{s} 不在 0–100 之间")));
        }
    }
    for (i, f) in d.family.iter().enumerate() {
        let field = format!("家庭成员第{}条", i + 1);
        if f.relation.trim().is_empty() {
            out.push(err_at(&field, "称谓", "不能为空"));
        }
        if f.name.trim().is_empty() {
            out.push(err_at(&field, "姓名", "姓名不能为空"));
        }
    }
    for (i, f) in d.findings.iter().enumerate() {
        if f.summary.trim().is_empty() {
            out.push(err_at(
                format!("监督信息第{}条", i + 1),
                "问题摘要",
                "不能为空",
            ));
        }
    }
    for (i, r) in d.rewards.iter().enumerate() {
        if r.title.trim().is_empty() {
            out.push(err_at(format!("奖惩第{}条", i + 1), "名称", "不能为空"));
        }
    }
    if let Some(r) = &d.reserve
        && !r.target.is_leadership()
    {
        out.push(err("后备目标", format!("{} 不是领导职务层次", r.target)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, Gender};

    fn base() -> Dossier {
        let mut d = Dossier::new("王明", Gender::Male, PartialDate::ym(1980, 5).unwrap());
        d.identity.id_number = idnum::make(330102, (1980, 5, 17), 31, Gender::Male);
        d
    }

    fn today() -> PartialDate {
        PartialDate::ymd(2026, 11, 25).unwrap()
    }

    #[test]
    fn a_plain_dossier_is_valid() {
        assert_eq!(validate(&base(), &today()), vec![]);
    }

    #[test]
    fn party_entry_at_exactly_18_is_allowed_and_a_month_earlier_is_not() {
        let mut d = base();
        d.identity.party_entry = Some(PartialDate::ym(1998, 5).unwrap());
        assert!(validate(&d, &today()).is_empty());
        d.identity.party_entry = Some(PartialDate::ym(1998, 4).unwrap());
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "入党时间");
    }

    #[test]
    fn id_number_must_agree() {
        let mut d = base();
        d.identity.birth = PartialDate::ym(1980, 6).unwrap();
        let e = validate(&d, &today());
        assert_eq!(e[0].field, "身份证号");
        assert!(e[0].message.contains("不符"), "{}", e[0].message);
    }

    fn principal(start: (i16, u8), end: Option<(i16, u8)>) -> crate::model::Posting {
        crate::tui::testing::posting(
            PartialDate::ym(start.0, start.1).unwrap(),
            end.map(|(y, m)| PartialDate::ym(y, m).unwrap()),
            None,
            "",
            &format!("县长{}", start.0),
            crate::model::Rank::CountyPrincipal,
            PostRole::Principal,
            "",
        )
    }

    #[test]
    fn principal_posts_may_meet_but_not_overlap_unless_concurrent() {
        let mut d = base();
        // Ended in the month the next starts: allowed.
        d.postings = vec![
            principal((2015, 3), Some((2020, 6))),
            principal((2020, 6), None),
        ];
        assert_eq!(validate(&d, &today()), vec![]);
        // One month of overlap: refused at the later post's start.
        d.postings[0].end = Some(PartialDate::ym(2020, 7).unwrap());
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].field, "任职经历第2条");
        assert_eq!(e[0].part, Some("任职时间"));
        assert!(e[0].message.contains("第1条"), "{}", e[0].message);
        // Marked concurrent: allowed; a deputy post alongside is always allowed.
        d.postings[1].concurrent = true;
        assert_eq!(validate(&d, &today()), vec![]);
        d.postings[1].concurrent = false;
        d.postings[1].role = PostRole::Deputy;
        assert_eq!(validate(&d, &today()), vec![]);
        // An open post overlaps everything after it.
        d.postings[0].end = None;
        d.postings[1].role = PostRole::Principal;
        assert_eq!(validate(&d, &today()).len(), 1);
    }

    #[test]
    fn posting_end_before_start_is_refused_at_the_end_field() {
        let mut d = base();
        d.postings = vec![principal((2020, 6), Some((2020, 6)))];
        assert_eq!(validate(&d, &today()), vec![]);
        d.postings[0].end = Some(PartialDate::ym(2020, 5).unwrap());
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].part, Some("免职时间"));
    }

    #[test]
    fn work_start_at_14_is_allowed_and_a_month_earlier_is_not() {
        let mut d = base();
        d.identity.work_start = Some(PartialDate::ym(1994, 5).unwrap());
        assert_eq!(validate(&d, &today()), vec![]);
        d.identity.work_start = Some(PartialDate::ym(1994, 4).unwrap());
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "参加工作时间");
    }

    #[test]
    fn required_names_are_required() {
        let mut d = base();
        d.identity.name = " ".into();
        assert_eq!(validate(&d, &today())[0].field, "姓名");
        let mut d = base();
        d.postings = vec![principal((2020, 6), None)];
        d.postings[0].position.clear();
        assert_eq!(validate(&d, &today())[0].part, Some("职务"));
    }

    #[test]
    fn id_number_checksum_is_checked() {
        let mut d = base();
        let good = d.identity.id_number.clone();
        let last = good.chars().last().unwrap();
        let wrong = if last == '1' { '2' } else { '1' };
        d.identity.id_number = format!("{}{wrong}", &good[..17]);
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "身份证号");
    }

    #[test]
    fn id_number_must_agree_with_gender() {
        let mut d = base();
        d.identity.id_number = idnum::make(330102, (1980, 5, 17), 31, Gender::Female);
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].field, "身份证号");
        d.identity.gender = Gender::Female;
        assert_eq!(validate(&d, &today()), vec![]);
    }

    #[test]
    fn an_assessment_year_after_this_year_is_refused() {
        let mut d = base();
        let a = |year| Assessment {
            year,
            grade: None,
            democratic_score: Some(100.0),
            special: String::new(),
            talk_notes: String::new(),
        };
        d.assessments = vec![a(2026)];
        assert_eq!(validate(&d, &today()), vec![]);
        d.assessments = vec![a(2027)];
        assert_eq!(validate(&d, &today())[0].part, Some("年度"));
        d.assessments = vec![a(2025)];
        d.assessments[0].democratic_score = Some(100.5);
        assert_eq!(validate(&d, &today())[0].field, "民主测评");
    }

    #[test]
    fn two_assessments_in_one_year_are_refused() {
        let mut d = base();
        let a = Assessment {
            year: 2024,
            grade: None,
            democratic_score: None,
            special: String::new(),
            talk_notes: String::new(),
        };
        d.assessments = vec![a.clone(), a];
        let e = validate(&d, &today());
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("2024"));
    }
}
