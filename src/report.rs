//! Printable reports for meetings: one dossier as the appointment and removal approval form
//! (干部任免审批表) in HTML that prints on two A4 pages, and team structure statistics (age
//! bands, education, gender, ethnicity, party) as XLSX workbooks, for one team or for all teams
//! grouped by unit kind or level. Pure rendering plus the atomic owner-only write; the numbers
//! come from `team::TeamProfile`, the form's texts from `io::lrmx`.

use std::io::Write;
use std::path::Path;

use crate::io::export::{AtomicFile, ExportError};
use crate::io::lrmx;
use crate::io::xlsx::{Sheet, write_sheets};
use crate::model::*;
use crate::team::{AGE_BANDS, TeamProfile};

/// Text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Education as the form shows it: `大学本科 理学学士`.
fn edu_cell(d: &Dossier, kind: EduKind) -> (String, String) {
    let e = d
        .education
        .iter()
        .filter(|e| e.kind == kind)
        .max_by_key(|e| (e.level.height(), e.start));
    match e {
        Some(e) => {
            let degree = match (e.degree, e.category) {
                (Some(g), Some(c)) => format!(" {}{}", c.label(), g.label()),
                (Some(g), None) => format!(" {}", g.label()),
                _ => String::new(),
            };
            let school = if e.major.is_empty() {
                e.school.clone()
            } else {
                format!("{}{}专业", e.school, e.major)
            };
            (format!("{}{degree}", e.level.label()), school)
        }
        None => (String::new(), String::new()),
    }
}

const CSS: &str = "@page { size: A4; margin: 14mm 16mm; }
body { font-family: 'SimSun', 'Songti SC', 'Noto Serif CJK SC', serif; font-size: 11pt; margin: 0; }
h1 { text-align: center; font-size: 20pt; letter-spacing: 0.4em; margin: 0 0 4mm 0; }
table.form { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.form td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: middle; word-wrap: break-word; }
td.k { text-align: center; width: 13%; }
td.photo { width: 17%; text-align: center; }
td.photo img { max-width: 30mm; max-height: 40mm; }
td.career { height: 150mm; vertical-align: top; white-space: pre-wrap; font-size: 10pt; line-height: 1.5; }
td.tall { height: 24mm; vertical-align: top; white-space: pre-wrap; }
.page2 { page-break-before: always; break-before: page; }
p.meta { text-align: right; font-size: 9pt; margin: 2mm 0 0 0; }";

/// The approval form of one dossier as a well-formed (XHTML) page that prints on A4: page one
/// identity, education, posts and the 简历; page two rewards, the last three years' assessment
/// results, the reason (left blank) and the family table. `mask` leaves the family table empty
/// (meeting mode).
pub fn dossier_form_html(
    d: &Dossier,
    units: &UnitDirectory,
    today: &PartialDate,
    mask: bool,
) -> String {
    let id = &d.identity;
    let cell = |k: &str| format!("<td class=\"k\">{}</td>", esc(k));
    let val = |v: &str, span: usize| {
        if span > 1 {
            format!("<td colspan=\"{span}\">{}</td>", esc(v))
        } else {
            format!("<td>{}</td>", esc(v))
        }
    };
    let opt = |x: Option<PartialDate>| x.map(|d| d.dotted()).unwrap_or_default();
    let party = match id.political_status {
        PoliticalStatus::CpcMember => opt(id.party_entry),
        PoliticalStatus::DemocraticParty if !id.party_name.is_empty() => id.party_name.clone(),
        s => s.label().to_string(),
    };
    let photo = match &id.photo {
        Some(b) => format!(
            "<img alt=\"照片\" src=\"data:image/jpeg;base64,{}\"/>",
            base64_encode(b)
        ),
        None => "照片".to_string(),
    };
    let (ft_level, ft_school) = edu_cell(d, EduKind::FullTime);
    let (is_level, is_school) = edu_cell(d, EduKind::InService);
    let mut h = String::with_capacity(16 * 1024);
    h.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    h.push_str(&format!(
        "<title>干部任免审批表 {}</title>\n",
        esc(&id.name)
    ));
    h.push_str(&format!("<style>\n{CSS}\n</style>\n</head>\n<body>\n"));
    h.push_str("<h1>干部任免审批表</h1>\n<table class=\"form\">\n");
    let row = |cells: Vec<String>| format!("<tr>{}</tr>\n", cells.concat());
    h.push_str(&row(vec![
        cell("姓名"),
        val(&id.name, 1),
        cell("性别"),
        val(id.gender.label(), 1),
        cell("出生年月（岁）"),
        val(
            &format!("{}（{}岁）", id.birth.dotted(), d.age_on(today)),
            1,
        ),
        format!("<td class=\"photo\" rowspan=\"4\">{photo}</td>"),
    ]));
    h.push_str(&row(vec![
        cell("民族"),
        val(&id.ethnicity, 1),
        cell("籍贯"),
        val(&id.native_place, 1),
        cell("出生地"),
        val(&id.birthplace, 1),
    ]));
    h.push_str(&row(vec![
        cell("入党时间"),
        val(&party, 1),
        cell("参加工作时间"),
        val(&opt(id.work_start), 1),
        cell("健康状况"),
        val(&id.health, 1),
    ]));
    h.push_str(&row(vec![
        cell("专业技术职务"),
        val(&id.professional_title, 2),
        cell("熟悉专业有何专长"),
        val(&d.record.specialty, 2),
    ]));
    h.push_str(&row(vec![
        "<td class=\"k\" rowspan=\"2\">学历学位</td>".to_string(),
        cell("全日制教育"),
        val(&ft_level, 2),
        cell("毕业院校系及专业"),
        val(&ft_school, 2),
    ]));
    h.push_str(&row(vec![
        cell("在职教育"),
        val(&is_level, 2),
        cell("毕业院校系及专业"),
        val(&is_school, 2),
    ]));
    h.push_str(&row(vec![
        cell("现任职务"),
        val(&lrmx::current_posts_text(d, units), 6),
    ]));
    h.push_str(&row(vec![cell("拟任职务"), val("", 6)]));
    h.push_str(&row(vec![cell("拟免职务"), val("", 6)]));
    h.push_str(&format!(
        "<tr>{}<td class=\"career\" colspan=\"6\">{}</td></tr>\n",
        cell("简历"),
        esc(&lrmx::career_text(d, units))
    ));
    h.push_str("</table>\n<table class=\"form page2\">\n");
    h.push_str(&format!(
        "<tr>{}<td class=\"tall\" colspan=\"5\">{}</td></tr>\n",
        cell("奖惩情况"),
        esc(&lrmx::rewards_text(d))
    ));
    let assessed = lrmx::assessments_text(d);
    h.push_str(&format!(
        "<tr>{}<td class=\"tall\" colspan=\"5\">{}</td></tr>\n",
        cell("年度考核结果"),
        esc(if assessed.is_empty() {
            "无"
        } else {
            &assessed
        })
    ));
    h.push_str(&format!(
        "<tr>{}<td class=\"tall\" colspan=\"5\"></td></tr>\n",
        cell("任免理由")
    ));
    let members: Vec<&FamilyMember> = if mask {
        vec![]
    } else {
        d.family.iter().collect()
    };
    let rows = members.len().max(6);
    h.push_str(&format!(
        "<tr><td class=\"k\" rowspan=\"{}\">家庭主要成员及重要社会关系</td>{}{}{}{}{}</tr>\n",
        rows + 1,
        cell("称谓"),
        cell("姓名"),
        cell("年龄"),
        cell("政治面貌"),
        "<td class=\"k\">工作单位及职务</td>"
    ));
    for i in 0..rows {
        match members.get(i) {
            Some(f) => {
                let age = f
                    .birth
                    .map(|b| b.whole_years_until(today).to_string())
                    .unwrap_or_default();
                let ps = f.political_status.map(|p| p.label()).unwrap_or("");
                h.push_str(&row(vec![
                    val(&f.relation, 1),
                    val(&f.name, 1),
                    val(&age, 1),
                    val(ps, 1),
                    val(&lrmx::family_work(f), 1),
                ]));
            }
            None if i == 0 && mask => h.push_str(&row(vec![val("（会议模式：不显示）", 5)])),
            None => h.push_str(&row(vec![val("", 1); 5])),
        }
    }
    h.push_str(&row(vec![cell("呈报单位"), val("", 5)]));
    h.push_str(&row(vec![cell("审批机关意见"), val("", 5)]));
    h.push_str(&row(vec![cell("行政机关任免意见"), val("", 5)]));
    h.push_str("</table>\n");
    h.push_str(&format!(
        "<p class=\"meta\">计算年龄时间：{}　填表时间：{}</p>\n</body>\n</html>\n",
        today.dotted(),
        today.dotted()
    ));
    h
}

/// Writes bytes to `dest` atomically, readable by the owner only.
pub fn write_file(bytes: &[u8], dest: &Path) -> Result<(), ExportError> {
    let mut f = AtomicFile::create(dest)?;
    f.writer().write_all(bytes).map_err(|e| f.io_error(e))?;
    f.finish()
}

/// Education levels of the statistics, highest first; 中专 and below together.
const EDU_COLUMNS: [&str; 4] = ["研究生", "大学本科", "大学专科", "中专及以下"];

fn edu_column(l: Option<EduLevel>) -> Option<usize> {
    match l? {
        EduLevel::Postgraduate => Some(0),
        EduLevel::Undergraduate => Some(1),
        EduLevel::College => Some(2),
        EduLevel::Secondary | EduLevel::HighSchool => Some(3),
    }
}

/// Counts of one group of team seats along the statistics' dimensions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub teams: u32,
    pub members: u32,
    pub age_sum: i64,
    pub age_bands: [u32; 4],
    /// By `EDU_COLUMNS`, then unknown.
    pub education: [u32; 5],
    pub women: u32,
    pub minority: u32,
    pub cpc: u32,
}

impl Tally {
    /// Adds a team's members.
    pub fn add(&mut self, p: &TeamProfile) {
        self.teams += 1;
        for m in &p.members {
            self.members += 1;
            self.age_sum += m.age as i64;
            self.age_bands[band(m.age)] += 1;
            self.education[edu_column(m.education).unwrap_or(4)] += 1;
            self.women += u32::from(m.gender == Gender::Female);
            self.minority += u32::from(!m.ethnicity.is_empty() && m.ethnicity != "汉族");
            self.cpc += u32::from(m.cpc);
        }
    }
    pub fn mean_age(&self) -> f64 {
        if self.members == 0 {
            0.0
        } else {
            self.age_sum as f64 / self.members as f64
        }
    }
}

/// The age band of `AGE_BANDS` an age falls in.
fn band(age: i32) -> usize {
    match age {
        ..40 => 0,
        40..50 => 1,
        50..55 => 2,
        _ => 3,
    }
}

/// A statistics sheet: the first column names the group, the others are numbers.
fn sheet(name: &'static str, headers: Vec<&'static str>, rows: Vec<Vec<String>>) -> Sheet {
    Sheet {
        numeric_from: 1,
        ..Sheet::new(name, headers, rows)
    }
}

/// The statistics sheets for groups of teams: 汇总 and one sheet per dimension (年龄, 学历,
/// 性别, 民族, 政治面貌), a row per group and a 合计 row.
pub fn stats_sheets(group_header: &'static str, groups: &[(String, Tally)]) -> Vec<Sheet> {
    let mut total = Tally::default();
    for (_, t) in groups {
        total.teams += t.teams;
        total.members += t.members;
        total.age_sum += t.age_sum;
        for i in 0..4 {
            total.age_bands[i] += t.age_bands[i];
        }
        for i in 0..5 {
            total.education[i] += t.education[i];
        }
        total.women += t.women;
        total.minority += t.minority;
        total.cpc += t.cpc;
    }
    let all: Vec<(String, &Tally)> = groups
        .iter()
        .map(|(g, t)| (g.clone(), t))
        .chain(std::iter::once(("合计".to_string(), &total)))
        .collect();
    let n = |x: u32| x.to_string();
    let summary = sheet(
        "汇总",
        vec![group_header, "班子数", "成员人数", "平均年龄"],
        all.iter()
            .map(|(g, t)| {
                vec![
                    g.clone(),
                    n(t.teams),
                    n(t.members),
                    format!("{:.1}", t.mean_age()),
                ]
            })
            .collect(),
    );
    let mut age_h = vec![group_header];
    age_h.extend(AGE_BANDS);
    age_h.push("合计");
    let age = sheet(
        "年龄",
        age_h,
        all.iter()
            .map(|(g, t)| {
                let mut r = vec![g.clone()];
                r.extend(t.age_bands.iter().map(|x| n(*x)));
                r.push(n(t.members));
                r
            })
            .collect(),
    );
    let mut edu_h = vec![group_header];
    edu_h.extend(EDU_COLUMNS);
    edu_h.extend(["未填", "合计"]);
    let edu = sheet(
        "学历",
        edu_h,
        all.iter()
            .map(|(g, t)| {
                let mut r = vec![g.clone()];
                r.extend(t.education.iter().map(|x| n(*x)));
                r.push(n(t.members));
                r
            })
            .collect(),
    );
    let pair = |name: &'static str, a: &'static str, b: &'static str, f: &dyn Fn(&Tally) -> u32| {
        sheet(
            name,
            vec![group_header, a, b, "合计"],
            all.iter()
                .map(|(g, t)| {
                    let k = f(t);
                    vec![g.clone(), n(k), n(t.members - k), n(t.members)]
                })
                .collect(),
        )
    };
    vec![
        summary,
        age,
        edu,
        pair("性别", "女", "男", &|t| t.women),
        pair("民族", "少数民族", "汉族", &|t| t.minority),
        pair("政治面貌", "中共党员", "非中共党员", &|t| {
            t.cpc
        }),
    ]
}

/// One team as a workbook: 班子成员 (who, with age, education, party …), then the statistics
/// sheets for the team alone, then 结构提示 (the team rules it breaks).
pub fn team_sheets(p: &TeamProfile) -> Vec<Sheet> {
    let members = p
        .members
        .iter()
        .map(|m| {
            vec![
                if m.concurrent {
                    format!("{}（兼）", m.position)
                } else {
                    m.position.clone()
                },
                m.name.clone(),
                m.gender.label().into(),
                m.age.to_string(),
                m.ethnicity.clone(),
                if m.cpc {
                    "中共党员"
                } else {
                    "非中共党员"
                }
                .into(),
                m.education
                    .map(|e| e.label().to_string())
                    .unwrap_or_default(),
                m.specialty
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                if m.local { "本地" } else { "外地" }.into(),
                if m.grassroots { "有" } else { "无" }.into(),
            ]
        })
        .collect();
    let mut roster = sheet(
        "班子成员",
        vec![
            "职务",
            "姓名",
            "性别",
            "年龄",
            "民族",
            "政治面貌",
            "学历",
            "专业类别",
            "来源",
            "基层经历",
        ],
        members,
    );
    roster.numeric_from = 3;
    let mut t = Tally::default();
    t.add(p);
    let mut out = vec![roster];
    out.extend(stats_sheets("班子", &[(p.unit_name.clone(), t)]));
    let mut warnings = sheet(
        "结构提示",
        vec!["规则", "等级", "情况", "依据"],
        p.warnings
            .iter()
            .map(|w| {
                vec![
                    w.text.clone(),
                    w.severity.label().into(),
                    w.detail.clone(),
                    w.source.clone(),
                ]
            })
            .collect(),
    );
    warnings.numeric_from = usize::MAX;
    out.push(warnings);
    out
}

/// Writes sheets as a workbook.
pub fn write_workbook(sheets: &[Sheet], dest: &Path) -> Result<(), ExportError> {
    write_sheets(sheets, dest)
}

/// The first column's header of the statistics by unit kind and by unit level.
pub const BY_KIND_HEADER: &str = "单位类型";
pub const BY_LEVEL_HEADER: &str = "单位层级";

/// How `stats` groups the teams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    UnitKind,
    UnitLevel,
}

/// Every team of the database, profiled and tallied per unit kind (or level), in the
/// vocabulary's order; groups without a team are left out.
pub fn group_tallies(
    dossiers: &[Dossier],
    units: &UnitDirectory,
    rules: &crate::rules::Rules,
    today: PartialDate,
    by: GroupBy,
) -> Vec<(String, Tally)> {
    let index = crate::team::TeamIndex::build(dossiers);
    group_tallies_with(&index, units, rules, today, by, |i| {
        dossiers.get(i).map(std::borrow::Cow::Borrowed)
    })
}

/// The same over a team index whose seats' dossiers are got by position (the interface
/// reads them from the store).
pub fn group_tallies_with<'a>(
    index: &crate::team::TeamIndex,
    units: &UnitDirectory,
    rules: &crate::rules::Rules,
    today: PartialDate,
    by: GroupBy,
    mut dossier: impl FnMut(usize) -> Option<std::borrow::Cow<'a, Dossier>>,
) -> Vec<(String, Tally)> {
    let ctx = crate::filter::Ctx { today, units };
    let mut ids: Vec<UnitId> = index.units().collect();
    ids.sort_unstable();
    let mut groups: Vec<(usize, String, Tally)> = Vec::new();
    for uid in ids {
        let Some(u) = units.get(uid) else { continue };
        let (order, label) = match by {
            GroupBy::UnitKind => (
                UnitKind::ALL.iter().position(|k| *k == u.kind).unwrap_or(0),
                u.kind.label(),
            ),
            GroupBy::UnitLevel => (
                UnitLevel::ALL
                    .iter()
                    .position(|k| *k == u.level)
                    .unwrap_or(0),
                u.level.label(),
            ),
        };
        let p = crate::team::profile(
            u,
            crate::team::members_with(uid, index, &ctx, &mut dossier),
            rules,
        );
        match groups.iter_mut().find(|(o, _, _)| *o == order) {
            Some((_, _, t)) => t.add(&p),
            None => {
                let mut t = Tally::default();
                t.add(&p);
                groups.push((order, label.to_string(), t));
            }
        }
    }
    groups.sort_by_key(|(o, _, _)| *o);
    groups.into_iter().map(|(_, l, t)| (l, t)).collect()
}
