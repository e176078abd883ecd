//! Text and JSON renderings of team profiles, alerts and the reserve pool for the command line
//! (`cadre stats`, `alerts`, `reserve`). Tables align by display width. Pure formatting.

use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

use crate::alerts::{Alert, Subject};
use crate::reserve::ReserveEntry;
use crate::team::{AGE_BANDS, TeamProfile};

/// Rows aligned by display width, the first row being the header.
pub fn align(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn pct(k: u32, n: usize) -> String {
    if n == 0 {
        "—".into()
    } else {
        format!("{k}（{:.0}%）", 100.0 * k as f64 / n as f64)
    }
}

/// One team's structure as text.
pub fn team_text(p: &TeamProfile) -> String {
    let n = p.members.len();
    let mut s = format!("{}（{}）领导班子 {} 人\n\n", p.unit_name, p.kind, n);
    let mut rows = vec![vec![
        "职务".to_string(),
        "姓名".into(),
        "年龄".into(),
        "性别".into(),
        "民族".into(),
        "政治面貌".into(),
        "学历".into(),
        "专业".into(),
        "来源".into(),
    ]];
    for m in &p.members {
        rows.push(vec![
            if m.concurrent {
                format!("{}（兼）", m.position)
            } else {
                m.position.clone()
            },
            m.name.clone(),
            m.age.to_string(),
            m.gender.label().into(),
            m.ethnicity.clone(),
            if m.cpc {
                "中共党员".into()
            } else {
                "非中共党员".into()
            },
            m.education
                .map(|e| e.label().to_string())
                .unwrap_or_default(),
            m.specialty
                .map(|c| c.label().to_string())
                .unwrap_or_else(|| "—".into()),
            format!(
                "{}{}",
                if m.local { "本地" } else { "外地" },
                if m.grassroots {
                    "·有基层经历"
                } else {
                    ""
                }
            ),
        ]);
    }
    s.push_str(&align(&rows));
    s.push_str(&format!("\n平均年龄：{:.1} 岁\n", p.mean_age));
    let bands: Vec<String> = AGE_BANDS
        .iter()
        .zip(p.age_bands)
        .map(|(b, k)| format!("{b} {k}"))
        .collect();
    s.push_str(&format!("年龄段：{}\n", bands.join("，")));
    let ages: Vec<String> = p.ages.iter().map(|a| a.to_string()).collect();
    s.push_str(&format!("年龄梯次：{}\n", ages.join(" ")));
    let edu: Vec<String> = p
        .education
        .iter()
        .map(|(l, k)| format!("{} {k}", l.label()))
        .collect();
    s.push_str(&format!("学历：{}\n", edu.join("，")));
    let spec: Vec<String> = p
        .specialty
        .iter()
        .map(|(c, k)| format!("{} {k}", c.map(|c| c.label()).unwrap_or("其他")))
        .collect();
    s.push_str(&format!("专业：{}\n", spec.join("，")));
    s.push_str(&format!(
        "女干部：{}  少数民族：{}  非中共党员：{}  本地：{}  有基层经历：{}\n",
        pct(p.women, n),
        pct(p.minority, n),
        pct(p.non_party, n),
        pct(p.local, n),
        pct(p.grassroots, n)
    ));
    if p.warnings.is_empty() {
        s.push_str("\n结构提示：无\n");
    } else {
        s.push_str("\n结构提示：\n");
        for w in &p.warnings {
            s.push_str(&format!(
                "  [{}] {}：{}（{}；依据：{}）\n",
                w.severity.label(),
                w.rule_id,
                w.text,
                w.detail,
                w.source
            ));
        }
    }
    s
}

pub fn team_json(p: &TeamProfile) -> Value {
    json!({
        "unit": p.unit,
        "unit_name": p.unit_name,
        "kind": p.kind.label(),
        "members": p.members.iter().map(|m| json!({
            "id": m.id, "name": m.name, "position": m.position, "role": m.role.label(),
            "rank": m.rank.map(|r| r.label()), "concurrent": m.concurrent, "age": m.age,
            "gender": m.gender.label(), "ethnicity": m.ethnicity, "cpc": m.cpc,
            "education": m.education.map(|e| e.label()), "specialty": m.specialty.map(|c| c.label()),
            "local": m.local, "grassroots": m.grassroots,
        })).collect::<Vec<_>>(),
        "mean_age": (p.mean_age * 10.0).round() / 10.0,
        "age_bands": AGE_BANDS.iter().zip(p.age_bands).map(|(b, k)| json!({"band": b, "count": k})).collect::<Vec<_>>(),
        "ages": p.ages,
        "education": p.education.iter().map(|(l, k)| json!({"level": l.label(), "count": k})).collect::<Vec<_>>(),
        "specialty": p.specialty.iter().map(|(c, k)| json!({"category": c.map(|c| c.label()).unwrap_or("其他"), "count": k})).collect::<Vec<_>>(),
        "women": p.women, "minority": p.minority, "non_party": p.non_party, "local": p.local, "grassroots": p.grassroots,
        "warnings": p.warnings.iter().map(|w| json!({"rule": w.rule_id, "text": w.text, "severity": w.severity.label(), "detail": w.detail, "source": w.source})).collect::<Vec<_>>(),
    })
}

/// All teams of one kind side by side.
pub fn region_text(profiles: &[TeamProfile]) -> String {
    let mut rows = vec![vec![
        "单位".to_string(),
        "人数".into(),
        "平均年龄".into(),
        "40岁以下".into(),
        "女".into(),
        "非中共党员".into(),
        "本地".into(),
        "提示".into(),
    ]];
    for p in profiles {
        rows.push(vec![
            p.unit_name.clone(),
            p.members.len().to_string(),
            format!("{:.1}", p.mean_age),
            p.age_bands[0].to_string(),
            p.women.to_string(),
            p.non_party.to_string(),
            p.local.to_string(),
            p.warnings
                .iter()
                .map(|w| w.rule_id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ]);
    }
    align(&rows)
}

pub fn alerts_text(alerts: &[Alert]) -> String {
    let mut rows = vec![vec![
        "等级".to_string(),
        "规则".into(),
        "对象".into(),
        "单位".into(),
        "情况".into(),
    ]];
    for a in alerts {
        let who = match a.subject {
            Subject::Dossier(id) => format!("{} #{id}", a.name),
            Subject::Team(_) => "班子".to_string(),
        };
        rows.push(vec![
            a.severity.label().into(),
            a.rule_id.clone(),
            who,
            a.unit_name.clone(),
            a.detail.clone(),
        ]);
    }
    let mut s = align(&rows);
    s.push_str(&format!("共 {} 条\n", alerts.len()));
    s
}

pub fn alert_json(a: &Alert) -> Value {
    let (kind, id) = match a.subject {
        Subject::Dossier(id) => ("dossier", id),
        Subject::Team(u) => ("team", u as u64),
    };
    json!({
        "rule": a.rule_id, "rule_text": a.rule_text, "severity": a.severity.label(), "source": a.source,
        "subject": kind, "subject_id": id, "name": a.name, "unit": a.unit, "unit_name": a.unit_name,
        "detail": a.detail, "key": a.key(),
    })
}

pub fn reserve_text(entries: &[ReserveEntry]) -> String {
    let mut rows = vec![vec![
        "姓名".to_string(),
        "年龄".into(),
        "现任".into(),
        "现层次".into(),
        "目标".into(),
        "成熟度".into(),
        "差距".into(),
    ]];
    for e in entries {
        rows.push(vec![
            format!("{} #{}", e.name, e.id),
            e.age.to_string(),
            format!("{}{}", e.unit, e.post),
            e.current_rank
                .map(|r| r.label().to_string())
                .unwrap_or_default(),
            format!(
                "{}{}",
                e.target.label(),
                if e.target_post.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", e.target_post)
                }
            ),
            e.readiness.label().into(),
            if e.gaps.is_empty() {
                "已具备".into()
            } else {
                e.gaps
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join("；")
            },
        ]);
    }
    let mut s = align(&rows);
    s.push_str(&format!("共 {} 人\n", entries.len()));
    s
}

pub fn reserve_json(e: &ReserveEntry) -> Value {
    json!({
        "id": e.id, "name": e.name, "age": e.age, "post": e.post, "unit": e.unit,
        "current_rank": e.current_rank.map(|r| r.label()), "target": e.target.label(),
        "target_post": e.target_post, "readiness": e.readiness.label(),
        "since": e.since.map(|d| d.to_string()),
        "gaps": e.gaps.iter().map(|g| json!({"what": g.what, "need": g.need, "have": g.have})).collect::<Vec<_>>(),
    })
}
