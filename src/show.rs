//! Plain-text rendering of one dossier for `cadre show`: the seven dimensions in sections, age
//! as of a given day, and the meeting mask (ID number, family, findings and talk notes hidden).
//! Pure: it formats what it is given and reads nothing.

use std::fmt::Write;

use crate::model::*;

/// What the mask puts in place of hidden content.
pub const MASKED: &str = "（会议模式：已隐藏）";
/// What stands in place of a section the user's role may not see (the service withheld it).
pub const WITHHELD: &str = "（无权查看）";

/// What is not shown of a dossier: the meeting mask (the user chose to hide), and the sections
/// the service withheld from the user's role (never sent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Veil {
    pub mask: bool,
    pub id_number: bool,
    pub family: bool,
    pub findings: bool,
    pub talk_notes: bool,
    /// The supervision alerts (and their review marks).
    #[serde(default)]
    pub alerts: bool,
}

impl Veil {
    pub fn masked(mask: bool) -> Veil {
        Veil {
            mask,
            ..Veil::default()
        }
    }

    /// What replaces a section: the withheld marker, the mask marker, or None when shown.
    fn cover(&self, withheld: bool) -> Option<&'static str> {
        if withheld {
            Some(WITHHELD)
        } else if self.mask {
            Some(MASKED)
        } else {
            None
        }
    }
}

/// Years and months between two dates, as 3年2个月.
pub fn span_text(from: &PartialDate, to: &PartialDate) -> String {
    let months = (to.month_index() - from.month_index()).max(0);
    match (months / 12, months % 12) {
        (0, m) => format!("{m}个月"),
        (y, 0) => format!("{y}年"),
        (y, m) => format!("{y}年{m}个月"),
    }
}

fn opt(d: &Option<PartialDate>) -> String {
    d.map(|d| d.dotted()).unwrap_or_else(|| "—".into())
}

/// The dossier as text, sections in the order of DOMAIN.md.
pub fn dossier_text(d: &Dossier, units: &UnitDirectory, today: &PartialDate, mask: bool) -> String {
    dossier_text_veiled(d, units, today, &Veil::masked(mask))
}

/// The dossier as text with what `veil` covers replaced by its marker.
pub fn dossier_text_veiled(
    d: &Dossier,
    units: &UnitDirectory,
    today: &PartialDate,
    veil: &Veil,
) -> String {
    let mask = veil.mask;
    let mut s = String::new();
    let id = &d.identity;
    let _ = writeln!(s, "{}（档案 #{}）  {}", id.name, d.id, d.status);
    if let Some(p) = d.current_posting() {
        let _ = writeln!(
            s,
            "现任：{}{}，任现职 {}",
            p.unit_display_name(units),
            p.position,
            span_text(&p.start, today)
        );
        if let (Some(r), Some(since)) = (d.current_rank(), d.current_level_since()) {
            let _ = writeln!(s, "职务层次：{r}，任该层次 {}", span_text(&since, today));
        }
    }
    for p in d.concurrent_postings() {
        let _ = writeln!(s, "兼任：{}{}", p.unit_display_name(units), p.position);
    }
    if mask {
        let _ = writeln!(s, "【会议模式】");
    }

    let _ = writeln!(s, "\n== 基本信息 ==");
    let _ = writeln!(
        s,
        "性别：{}  民族：{}  出生年月：{}（{}岁）",
        id.gender,
        id.ethnicity,
        id.birth.dotted(),
        d.age_on(today)
    );
    let _ = writeln!(s, "籍贯：{}  出生地：{}", id.native_place, id.birthplace);
    let status = if id.party_name.is_empty() {
        id.political_status.label().to_string()
    } else {
        id.party_name.clone()
    };
    let _ = writeln!(
        s,
        "政治面貌：{status}  入党时间：{}  参加工作时间：{}",
        opt(&id.party_entry),
        opt(&id.work_start)
    );
    let _ = writeln!(
        s,
        "健康状况：{}  专业技术职务：{}",
        id.health, id.professional_title
    );
    let idn = match veil.cover(veil.id_number) {
        Some(c) => c.to_string(),
        None => id.id_number.clone(),
    };
    let _ = writeln!(s, "身份证号：{idn}");

    let _ = writeln!(s, "\n== 学历学位与培训 ==");
    for e in &d.education {
        let _ = writeln!(
            s,
            "{} {}{} {} {}（{}）",
            e.kind,
            e.level,
            e.degree.map(|g| format!(" {g}")).unwrap_or_default(),
            e.school,
            e.major,
            e.category.map(|c| c.label()).unwrap_or("—"),
        );
    }
    for t in &d.training {
        let _ = writeln!(
            s,
            "培训 {}–{} {} {}（{}学时）",
            t.start.dotted(),
            opt(&t.end),
            t.organizer,
            t.name,
            t.hours
        );
    }

    let _ = writeln!(s, "\n== 任职经历 ==");
    let mut postings: Vec<&Posting> = d.postings.iter().collect();
    postings.sort_by_key(|p| p.start);
    for p in postings {
        let end = p.end.map(|e| e.dotted()).unwrap_or_else(|| "至今".into());
        let mut tags = Vec::new();
        if let Some(r) = p.rank {
            tags.push(r.label().to_string());
        }
        tags.push(p.role.label().to_string());
        if p.concurrent {
            tags.push("兼任".into());
        }
        if p.probation {
            tags.push("试用期".into());
        }
        let _ = writeln!(
            s,
            "{}--{}  {}{}（{}）{}",
            p.start.dotted(),
            end,
            p.unit_display_name(units),
            p.position,
            tags.join("，"),
            if p.portfolio.is_empty() {
                String::new()
            } else {
                format!(" 分管：{}", p.portfolio)
            }
        );
    }

    let _ = writeln!(s, "\n== 年度考核 ==");
    let mut assessments: Vec<&Assessment> = d.assessments.iter().collect();
    assessments.sort_by_key(|a| std::cmp::Reverse(a.year));
    for a in assessments {
        let grade = a.grade.map(|g| g.label()).unwrap_or("不定等次");
        let mut line = format!("{} 年：{grade}", a.year);
        if let Some(sc) = a.democratic_score {
            let _ = write!(line, "  民主测评 {sc:.1}%");
        }
        if !a.special.is_empty() {
            let _ = write!(line, "  {}", a.special);
        }
        if !a.talk_notes.is_empty() || veil.talk_notes {
            let notes = veil.cover(veil.talk_notes).unwrap_or(&a.talk_notes);
            let _ = write!(line, "  谈话记录：{notes}");
        }
        let _ = writeln!(s, "{line}");
    }

    let _ = writeln!(s, "\n== 奖惩与监督 ==");
    for r in &d.rewards {
        let _ = writeln!(
            s,
            "{} {} {}（{}）{}",
            opt(&r.date),
            r.kind,
            r.title,
            r.issuer,
            r.reason
        );
    }
    if veil.findings {
        let _ = writeln!(s, "处分及组织处理：{WITHHELD}");
        let _ = writeln!(s, "监督信息：{WITHHELD}");
    } else if mask && !d.findings.is_empty() {
        let _ = writeln!(s, "监督信息：{MASKED}");
    } else {
        for f in &d.findings {
            let _ = writeln!(
                s,
                "{} {}：{} —— {}{}",
                f.date.dotted(),
                f.source,
                f.summary,
                f.conclusion,
                if f.resolved {
                    "（已办结）"
                } else {
                    "（未办结）"
                }
            );
        }
    }

    let _ = writeln!(s, "\n== 家庭成员及社会关系 ==");
    if let Some(c) = veil.cover(veil.family) {
        let _ = writeln!(s, "{c}");
    } else {
        for m in &d.family {
            let _ = writeln!(
                s,
                "{} {} {} {} {}{}",
                m.relation,
                m.name,
                opt(&m.birth),
                m.political_status.map(|p| p.label()).unwrap_or("—"),
                m.employer,
                m.post
            );
            for b in &m.businesses {
                let _ = writeln!(
                    s,
                    "    经商办企业：{}（{}，{}，{}）",
                    b.name,
                    b.industry,
                    b.role,
                    opt(&b.registered)
                );
            }
        }
    }

    let _ = writeln!(s, "\n== 专长与业绩 ==");
    let r = &d.record;
    if !r.specialty.is_empty() {
        let _ = writeln!(s, "熟悉专业有何专长：{}", r.specialty);
    }
    if !r.skills.is_empty() {
        let _ = writeln!(s, "专业技能：{}", r.skills.join("、"));
    }
    if !r.languages.is_empty() {
        let _ = writeln!(s, "语言：{}", r.languages.join("、"));
    }
    for a in &r.achievements {
        let _ = writeln!(s, "{} {}：{}", opt(&a.date), a.title, a.detail);
    }
    if let Some(res) = &d.reserve {
        let _ = writeln!(
            s,
            "\n后备：目标 {} {}，{}，入库 {}",
            res.target,
            res.target_post,
            res.readiness,
            opt(&res.since)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        let a = PartialDate::ym(2023, 9).unwrap();
        assert_eq!(
            span_text(&a, &PartialDate::ym(2026, 11).unwrap()),
            "3年2个月"
        );
        assert_eq!(span_text(&a, &PartialDate::ym(2026, 9).unwrap()), "3年");
        assert_eq!(span_text(&a, &PartialDate::ym(2023, 12).unwrap()), "3个月");
    }

    #[test]
    fn mask_hides_sensitive_parts() {
        let mut d = Dossier::new("李华", Gender::Female, PartialDate::ym(1980, 1).unwrap());
        d.identity.id_number = "33010219800117002X".into();
        d.family.push(FamilyMember {
            relation: "丈夫".into(),
            name: "王某".into(),
            birth: None,
            political_status: None,
            employer: "某公司".into(),
            employer_unit: None,
            post: String::new(),
            businesses: vec![],
        });
        let units = UnitDirectory::default();
        let today = PartialDate::ym(2026, 11).unwrap();
        let open = dossier_text(&d, &units, &today, false);
        assert!(open.contains("33010219800117002X") && open.contains("王某"));
        let masked = dossier_text(&d, &units, &today, true);
        assert!(!masked.contains("33010219800117002X"));
        assert!(!masked.contains("王某"));
        assert!(masked.contains("【会议模式】"));
    }
}
