//! The change history of a dossier: who changed it, when, and each field's old and new value as
//! a clerk reads it. Owns the history record stored beside each dossier (written by the store in
//! the same transaction as the change) and the field-by-field comparison of two dossiers. Pure:
//! no storage, no screen; the store writes entries, `cadre history` and the history view read them.

use serde::{Deserialize, Serialize};

use crate::model::{Dossier, DossierId, PartialDate};

/// What kind of change an entry records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    /// The dossier was created.
    Created,
    /// A clerk saved a form (or a command changed the dossier).
    Edited,
    /// The change with this sequence number was undone.
    Undone(u64),
    /// A bulk import replaced the dossier.
    Imported,
}

impl ChangeKind {
    /// How the kind reads in the history view and `cadre history`.
    pub fn label(&self) -> String {
        match self {
            ChangeKind::Created => "新建".into(),
            ChangeKind::Edited => "修改".into(),
            ChangeKind::Undone(seq) => format!("撤销第 {seq} 次修改"),
            ChangeKind::Imported => "导入".into(),
        }
    }
}

/// Who makes a change and when; the store stamps nothing on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeMeta {
    /// The operating-system user.
    pub by: String,
    /// Local date and time, to the second.
    pub at: String,
    pub kind: ChangeKind,
}

impl ChangeMeta {
    /// A change by the user at the keyboard, now.
    pub fn now(kind: ChangeKind) -> Self {
        ChangeMeta {
            by: crate::user::current_user(),
            at: crate::user::now_text(),
            kind,
        }
    }
}

/// One field whose value changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field as a clerk names it (身份证号, 任职经历第3条 …).
    pub field: String,
    /// Empty when the field had no value.
    pub old: String,
    pub new: String,
}

/// One saved change of one dossier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub dossier: DossierId,
    /// The dossier's revision after this change (1 for the first recorded change).
    pub seq: u64,
    pub by: String,
    pub at: String,
    pub kind: ChangeKind,
    pub changes: Vec<FieldChange>,
    /// The whole dossier before the change (what undo restores); None for a creation.
    pub before: Option<Dossier>,
}

fn date(d: &Option<PartialDate>) -> String {
    d.map(|d| d.dotted()).unwrap_or_default()
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

fn yes(b: bool, text: &str) -> String {
    if b { text.into() } else { String::new() }
}

/// Joins the non-empty parts with a space.
fn line(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every field of a dossier as (label, value text), in the order the dossier page shows them.
/// List dimensions give one field per entry (任职经历第1条 …), the entry on one line.
pub fn fields(d: &Dossier) -> Vec<(String, String)> {
    let i = &d.identity;
    let mut out: Vec<(String, String)> = vec![
        ("姓名".into(), i.name.clone()),
        ("性别".into(), i.gender.to_string()),
        ("民族".into(), i.ethnicity.clone()),
        ("出生年月".into(), i.birth.dotted()),
        ("籍贯".into(), i.native_place.clone()),
        ("出生地".into(), i.birthplace.clone()),
        ("入党时间".into(), date(&i.party_entry)),
        ("参加工作时间".into(), date(&i.work_start)),
        ("健康状况".into(), i.health.clone()),
        ("身份证号".into(), i.id_number.clone()),
        ("政治面貌".into(), i.political_status.to_string()),
        ("党派".into(), i.party_name.clone()),
        ("专业技术职务".into(), i.professional_title.clone()),
        (
            "照片".into(),
            i.photo
                .as_ref()
                .map(|p| format!("{} 字节", p.len()))
                .unwrap_or_default(),
        ),
        ("干部状态".into(), d.status.to_string()),
        (
            "后备".into(),
            d.reserve
                .as_ref()
                .map(|r| {
                    line(&[
                        r.target.to_string(),
                        r.target_post.clone(),
                        r.readiness.to_string(),
                        date(&r.since),
                    ])
                })
                .unwrap_or_default(),
        ),
        ("个人事项报告".into(), date(&d.last_report)),
    ];
    let mut list = |name: &str, items: Vec<String>| {
        for (n, text) in items.into_iter().enumerate() {
            out.push((format!("{name}第{}条", n + 1), text));
        }
    };
    list(
        "学历",
        d.education
            .iter()
            .map(|e| {
                line(&[
                    e.kind.to_string(),
                    e.level.to_string(),
                    opt(&e.degree),
                    e.school.clone(),
                    e.major.clone(),
                    opt(&e.category),
                    span(&e.start, &e.end),
                ])
            })
            .collect(),
    );
    list(
        "培训",
        d.training
            .iter()
            .map(|t| {
                line(&[
                    span(&Some(t.start), &t.end),
                    t.name.clone(),
                    t.organizer.clone(),
                    if t.hours > 0 {
                        format!("{}学时", t.hours)
                    } else {
                        String::new()
                    },
                ])
            })
            .collect(),
    );
    list(
        "任职经历",
        d.postings
            .iter()
            .map(|p| {
                line(&[
                    span(&Some(p.start), &p.end),
                    p.unit_name.clone(),
                    p.position.clone(),
                    opt(&p.rank),
                    p.role.to_string(),
                    p.portfolio.clone(),
                    yes(p.concurrent, "兼任"),
                    yes(p.probation, "试用期"),
                ])
            })
            .collect(),
    );
    list(
        "年度考核",
        d.assessments
            .iter()
            .map(|a| {
                line(&[
                    format!("{}年", a.year),
                    a.grade
                        .map(|g| g.to_string())
                        .unwrap_or_else(|| "不定等次".into()),
                    a.democratic_score
                        .map(|s| format!("测评{s}%"))
                        .unwrap_or_default(),
                    a.special.clone(),
                    a.talk_notes.clone(),
                ])
            })
            .collect(),
    );
    list(
        "奖惩",
        d.rewards
            .iter()
            .map(|r| {
                line(&[
                    date(&r.date),
                    r.kind.to_string(),
                    r.title.clone(),
                    r.issuer.clone(),
                    r.reason.clone(),
                ])
            })
            .collect(),
    );
    list(
        "监督信息",
        d.findings
            .iter()
            .map(|f| {
                line(&[
                    f.date.dotted(),
                    f.source.to_string(),
                    f.summary.clone(),
                    f.conclusion.clone(),
                    yes(f.resolved, "已办结"),
                ])
            })
            .collect(),
    );
    list(
        "家庭成员",
        d.family
            .iter()
            .map(|f| {
                let biz: Vec<String> = f.businesses.iter().map(|b| b.name.clone()).collect();
                line(&[
                    f.relation.clone(),
                    f.name.clone(),
                    date(&f.birth),
                    opt(&f.political_status),
                    f.employer.clone(),
                    f.post.clone(),
                    biz.join("、"),
                ])
            })
            .collect(),
    );
    list(
        "业绩",
        d.record
            .achievements
            .iter()
            .map(|a| line(&[date(&a.date), a.title.clone(), a.detail.clone()]))
            .collect(),
    );
    out.push(("专长".into(), d.record.specialty.clone()));
    out.push(("专业技能".into(), d.record.skills.join("、")));
    out.push(("外语".into(), d.record.languages.join("、")));
    out
}

fn span(start: &Option<PartialDate>, end: &Option<PartialDate>) -> String {
    match (start, end) {
        (None, None) => String::new(),
        _ => format!("{}--{}", date(start), date(end)),
    }
}

/// The fields that differ between `old` (None: nothing before) and `new`, in dossier order.
pub fn diff(old: Option<&Dossier>, new: &Dossier) -> Vec<FieldChange> {
    let before = old.map(fields).unwrap_or_default();
    let after = fields(new);
    let mut out = Vec::new();
    let get = |list: &[(String, String)], k: &str| {
        list.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    for (field, value) in &after {
        let was = get(&before, field);
        if &was != value {
            out.push(FieldChange {
                field: field.clone(),
                old: was,
                new: value.clone(),
            });
        }
    }
    // Entries that are gone (a list got shorter).
    for (field, value) in &before {
        if !value.is_empty() && !after.iter().any(|(f, _)| f == field) {
            out.push(FieldChange {
                field: field.clone(),
                old: value.clone(),
                new: String::new(),
            });
        }
    }
    out
}

/// The history as lines of text (`cadre history`, and the history view's body): newest first,
/// each change headed by its number, time, user and kind, then one line per field.
pub fn render(entries: &[HistoryEntry]) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries.iter().rev() {
        out.push(format!(
            "第 {} 次  {}  {}  {}",
            e.seq,
            e.at,
            e.by,
            e.kind.label()
        ));
        if e.changes.is_empty() {
            out.push("  （无字段变化）".into());
        }
        for c in &e.changes {
            out.push(format!(
                "  {}：{} -> {}",
                c.field,
                if c.old.is_empty() {
                    "（空）"
                } else {
                    &c.old
                },
                if c.new.is_empty() {
                    "（空）"
                } else {
                    &c.new
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Gender;

    #[test]
    fn diff_names_each_changed_field_with_old_and_new() {
        let a = Dossier::new("王明", Gender::Male, PartialDate::ym(1980, 5).unwrap());
        let mut b = a.clone();
        b.identity.health = "健康".into();
        b.identity.name = "王明明".into();
        let d = diff(Some(&a), &b);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].field, "姓名");
        assert_eq!((d[0].old.as_str(), d[0].new.as_str()), ("王明", "王明明"));
        assert_eq!(d[1].field, "健康状况");
        assert!(diff(Some(&a), &a).is_empty());
        // A creation lists every field with a value.
        assert!(diff(None, &a).iter().any(|c| c.field == "出生年月"));
    }
}
