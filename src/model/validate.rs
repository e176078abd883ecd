//! Rules a dossier must satisfy before it is stored, shared by import and (later) the editing
//! forms: required fields, ID number checksum and agreement, dates in order, one assessment per
//! year. Each problem names the field as a clerk knows it. Pure; no storage.

use std::collections::HashSet;

use super::date::PartialDate;
use super::dossier::Dossier;
use super::idnum;

/// One rule broken, at one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field as a clerk names it (身份证号, 参加工作时间, 任职经历第2条 …).
    pub field: String,
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
        message: message.into(),
    }
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
            out.push(err(
                format!("学历第{}条", i + 1),
                format!("结束 {t} 早于开始 {s}"),
            ));
        }
    }
    for (i, t) in d.training.iter().enumerate() {
        if let Some(end) = t.end
            && end < t.start
        {
            out.push(err(
                format!("培训第{}条", i + 1),
                format!("结束 {end} 早于开始 {}", t.start),
            ));
        }
    }
    for (i, p) in d.postings.iter().enumerate() {
        let field = format!("任职经历第{}条", i + 1);
        if p.position.trim().is_empty() {
            out.push(err(&field, "职务不能为空"));
        }
        if let Some(end) = p.end
            && end < p.start
        {
            out.push(err(&field, format!("免职 {end} 早于任职 {}", p.start)));
        }
        if p.start < id.birth {
            out.push(err(&field, format!("任职 {} 早于出生", p.start)));
        }
    }
    let mut years = HashSet::new();
    for a in &d.assessments {
        if !years.insert(a.year) {
            out.push(err("年度考核", format!("{} 年有两条考核结果", a.year)));
        }
        if a.year < id.birth.y() || a.year > today.y() {
            out.push(err("年度考核", format!("{} 年不在出生到今年之间", a.year)));
        }
        if let Some(s) = a.democratic_score
            && !(0.0..=100.0).contains(&s)
        {
            out.push(err("民主测评", format!("{s} 不在 0–100 之间")));
        }
    }
    for (i, f) in d.family.iter().enumerate() {
        if f.name.trim().is_empty() {
            out.push(err(format!("家庭成员第{}条", i + 1), "姓名不能为空"));
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
