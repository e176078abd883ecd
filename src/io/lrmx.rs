//! The appointment and removal approval form (干部任免审批表) as an `.lrmx` file: one UTF-8 XML
//! file per person, root `<Person>`, pinyin tags (DOMAIN.md; mapping in docs/exchange.md). Owns
//! reading a file into a dossier (with the 简历 read by `io::jianli`), writing a dossier as a
//! file, and merging a form into the dossier it updates. Bad input is refused with the tag and
//! line, never half-read. No store access, no logging of contents.

use quick_xml::events::Event;

use crate::io::csv::infer_role;
use crate::io::jianli::{self, EntryKind, Line};
use crate::model::*;

/// Title of the achievements that keep 简历 lines which could not be read (so nothing is lost;
/// export writes them back into the 简历).
pub const UNREAD_CAREER: &str = "简历（未能识别的行）";

/// Leaf tags directly under `<Person>`, in the order the form writes them.
pub const TAGS: &[&str] = &[
    "XingMing",
    "XingBie",
    "ChuShengNianYue",
    "MinZu",
    "JiGuan",
    "ChuShengDi",
    "RuDangShiJian",
    "CanJiaGongZuoShiJian",
    "JianKangZhuangKuang",
    "ZhuanYeJiShuZhiWu",
    "ShuXiZhuanYeYouHeZhuanChang",
    "QuanRiZhiJiaoYu_XueLi",
    "QuanRiZhiJiaoYu_XueWei",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueLi",
    "ZaiZhiJiaoYu_XueWei",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "XianRenZhiWu",
    "NiRenZhiWu",
    "NiMianZhiWu",
    "JianLi",
    "JiangChengQingKuang",
    "NianDuKaoHeJieGuo",
    "RenMianLiYou",
    "ChengBaoDanWei",
    "JiSuanNianLingShiJian",
    "TianBiaoShiJian",
    "TianBiaoRen",
    "ShenFenZheng",
    "ZhaoPian",
    "Version",
];

/// Tags of one family member (`JiaTingChengYuan/Item`).
pub const FAMILY_TAGS: &[&str] = &[
    "ChengWei",
    "XingMing",
    "ChuShengRiQi",
    "ZhengZhiMianMao",
    "GongZuoDanWeiJiZhiWu",
];

/// A reason a form was refused, with the tag and line it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    /// 1-based line in the file, 0 for the file as a whole.
    pub line: usize,
    pub tag: Option<String>,
    pub reason: String,
}

/// A form read: the dossier, and what is worth telling (简历 lines kept as text …).
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub dossier: Dossier,
    pub notices: Vec<String>,
}

/// The raw values of a file: leaf tag → (text, line), family items.
#[derive(Default)]
struct Raw {
    fields: Vec<(String, String, usize)>,
    family: Vec<(usize, Vec<(String, String)>)>,
}

impl Raw {
    fn get(&self, tag: &str) -> &str {
        self.fields
            .iter()
            .find(|(t, _, _)| t == tag)
            .map(|(_, v, _)| v.trim())
            .unwrap_or("")
    }
    fn line(&self, tag: &str) -> usize {
        self.fields
            .iter()
            .find(|(t, _, _)| t == tag)
            .map(|(_, _, l)| *l)
            .unwrap_or(0)
    }
}

fn line_at(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Checks the bytes are UTF-8 (the format's only encoding) and returns the text.
fn utf8(bytes: &[u8]) -> Result<&str, FormError> {
    let whole = |reason: String| FormError {
        line: 0,
        tag: None,
        reason,
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(whole("文件是 UTF-16 编码；.lrmx 应为 UTF-8".into()));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let at = e.valid_up_to();
        let hint = if crate::io::text::decode(body).is_ok() {
            "（看来是 GB18030/GBK 编码）"
        } else {
            ""
        };
        FormError {
            line: line_at(&String::from_utf8_lossy(&body[..at]), at),
            tag: None,
            reason: format!(
                "不是 UTF-8 文本：第 {} 字节无效{hint}；.lrmx 应为 UTF-8",
                at + 1
            ),
        }
    })?;
    if let Some(decl_end) = text.find("?>")
        && text.trim_start().starts_with("<?xml")
    {
        let decl = &text[..decl_end];
        if let Some(p) = decl.find("encoding=") {
            let v: String = decl[p + 9..]
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\''))
                .collect();
            if !v.eq_ignore_ascii_case("utf-8") && !v.eq_ignore_ascii_case("utf8") {
                return Err(FormError {
                    line: 1,
                    tag: None,
                    reason: format!("XML 声明的编码是 {v}；.lrmx 应为 UTF-8"),
                });
            }
        }
    }
    Ok(text)
}

/// Reads the XML into raw values, refusing malformed XML and tags the form does not have.
fn read_raw(text: &str) -> Result<Raw, FormError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut raw = Raw::default();
    // Element path from the root, and the text of the current leaf.
    let mut path: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut item: Vec<(String, String)> = Vec::new();
    let mut item_line = 0;
    let mut seen_root = false;
    // Lines counted as the reader moves on (positions only grow).
    let (mut counted_to, mut line) = (0usize, 1usize);
    loop {
        let pos = (reader.buffer_position() as usize).min(text.len());
        line += text.as_bytes()[counted_to.min(pos)..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = counted_to.max(pos);
        let err = |reason: String, tag: Option<String>| FormError { line, tag, reason };
        let ev = reader
            .read_event()
            .map_err(|e| err(format!("XML 格式错误：{e}"), path.last().cloned()))?;
        match ev {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                check_tag(&path, &name, seen_root).map_err(|r| err(r, Some(name.clone())))?;
                seen_root = true;
                if path.len() == 2 && name == "Item" {
                    item.clear();
                    item_line = line;
                }
                path.push(name);
                buf.clear();
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                check_tag(&path, &name, seen_root).map_err(|r| err(r, Some(name.clone())))?;
                seen_root = true;
                end_element(
                    &path,
                    &name,
                    String::new(),
                    line,
                    &mut raw,
                    &mut item,
                    item_line,
                )
                .map_err(|r| err(r, Some(name.clone())))?;
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                if path.len() < 2 && !s.trim().is_empty() {
                    return Err(err("标签之外有文字".into(), path.last().cloned()));
                }
                buf.push_str(&s);
            }
            Event::CData(c) => {
                buf.push_str(&c.into_inner());
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                match r.resolve_char_ref() {
                    Ok(Some(c)) => buf.push(c),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => buf.push_str(s),
                        None => return Err(err(format!("未知的实体 &{name};"), None)),
                    },
                    Err(e) => return Err(err(format!("字符引用无效：{e}"), None)),
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                path.pop();
                let value = std::mem::take(&mut buf);
                end_element(&path, &name, value, line, &mut raw, &mut item, item_line)
                    .map_err(|r| err(r, Some(name.clone())))?;
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if !path.is_empty() {
                    return Err(err(
                        format!("文件在 <{}> 结束前就结束了（被截断？）", path.join("/")),
                        path.last().cloned(),
                    ));
                }
                if !seen_root {
                    return Err(err("没有 <Person> 元素（空文件？）".into(), None));
                }
                return Ok(raw);
            }
        }
    }
}

/// Whether `name` may open under `path`.
fn check_tag(path: &[String], name: &str, seen_root: bool) -> Result<(), String> {
    match path.len() {
        0 if seen_root => Err("根元素 <Person> 之后还有元素".into()),
        0 if name != "Person" => Err(format!("根元素应为 <Person>，而不是 <{name}>")),
        0 => Ok(()),
        1 if name == "JiaTingChengYuan" || TAGS.contains(&name) => Ok(()),
        1 => Err(format!("未知的标签 <{name}>")),
        2 if path[1] == "JiaTingChengYuan" && name == "Item" => Ok(()),
        3 if path[1] == "JiaTingChengYuan" && FAMILY_TAGS.contains(&name) => Ok(()),
        _ => Err(format!(
            "<{}> 下不应有 <{name}>",
            path.last().map_or("", |s| s)
        )),
    }
}

/// Stores a closed element's text (path is the parent's path).
fn end_element(
    path: &[String],
    name: &str,
    value: String,
    line: usize,
    raw: &mut Raw,
    item: &mut Vec<(String, String)>,
    item_line: usize,
) -> Result<(), String> {
    match path.len() {
        1 if name != "JiaTingChengYuan" => {
            if raw.fields.iter().any(|(t, _, _)| t == name) {
                return Err(format!("标签 <{name}> 出现了两次"));
            }
            raw.fields.push((name.to_string(), value, line));
        }
        2 if name == "Item" => raw.family.push((item_line, std::mem::take(item))),
        3 => {
            if item.iter().any(|(t, _)| t == name) {
                return Err(format!("家庭成员的 <{name}> 出现了两次"));
            }
            item.push((name.to_string(), value));
        }
        _ => {}
    }
    Ok(())
}

/// Reads an `.lrmx` file. `resolve_unit` finds a unit of the database by its exact name.
pub fn read(
    bytes: &[u8],
    resolve_unit: &dyn Fn(&str) -> Option<UnitId>,
) -> Result<Form, Vec<FormError>> {
    let text = utf8(bytes).map_err(|e| vec![e])?;
    let raw = read_raw(text).map_err(|e| vec![e])?;
    to_dossier(&raw, resolve_unit)
}

fn to_dossier(
    raw: &Raw,
    resolve_unit: &dyn Fn(&str) -> Option<UnitId>,
) -> Result<Form, Vec<FormError>> {
    let mut errors = Vec::new();
    let mut notices = Vec::new();
    let mut fail = |tag: &str, reason: String| {
        errors.push(FormError {
            line: raw.line(tag),
            tag: Some(tag.to_string()),
            reason,
        })
    };
    let mut date = |tag: &str, required: bool| -> Option<PartialDate> {
        let v = raw.get(tag);
        match PartialDate::parse_opt(v) {
            Ok(None) if required => {
                fail(tag, "不能为空".into());
                None
            }
            Ok(d) => d,
            Err(e) => {
                fail(tag, e.to_string());
                None
            }
        }
    };
    let birth = date("ChuShengNianYue", true);
    let work_start = date("CanJiaGongZuoShiJian", false);
    // Dates of the form itself: checked, not kept.
    date("JiSuanNianLingShiJian", false);
    date("TianBiaoShiJian", false);
    let mut errors_so_far = Vec::new();
    let party = read_party(raw.get("RuDangShiJian")).map_err(|r| FormError {
        line: raw.line("RuDangShiJian"),
        tag: Some("RuDangShiJian".into()),
        reason: r,
    });
    let party = match party {
        Ok(p) => Some(p),
        Err(e) => {
            errors_so_far.push(e);
            None
        }
    };
    let name = raw.get("XingMing").to_string();
    if name.is_empty() {
        fail("XingMing", "姓名不能为空".into());
    }
    let gender = Gender::parse(raw.get("XingBie"));
    if gender.is_none() {
        fail(
            "XingBie",
            format!("性别“{}”应为 男 或 女", raw.get("XingBie")),
        );
    }
    let photo = match raw.get("ZhaoPian") {
        "" => None,
        b64 => match base64_decode(b64) {
            Ok(b) => Some(b),
            Err(e) => {
                fail("ZhaoPian", e);
                None
            }
        },
    };
    let mut education = Vec::new();
    for (kind, prefix) in [
        (EduKind::FullTime, "QuanRiZhiJiaoYu"),
        (EduKind::InService, "ZaiZhiJiaoYu"),
    ] {
        let lv = raw.get(&format!("{prefix}_XueLi"));
        let dg = raw.get(&format!("{prefix}_XueWei"));
        let mut school = raw.get(&format!("{prefix}_XueLi_BiYeYuanXiaoXi"));
        if school.is_empty() {
            school = raw.get(&format!("{prefix}_XueWei_BiYeYuanXiaoXi"));
        }
        if lv.is_empty() && dg.is_empty() && school.is_empty() {
            continue;
        }
        let level = match read_level(lv) {
            Some(l) => l,
            None => {
                fail(
                    &format!("{prefix}_XueLi"),
                    format!("学历“{lv}”无法识别（研究生、大学本科、大学专科、中专 …）"),
                );
                continue;
            }
        };
        let degree = if dg.is_empty() {
            None
        } else {
            let d = read_degree(dg);
            if d.is_none() {
                fail(
                    &format!("{prefix}_XueWei"),
                    format!("学位“{dg}”无法识别（如 经济学学士、法学硕士）"),
                );
            }
            d
        };
        let s = jianli::parse_study(&format!("{school}学习"));
        education.push(Education {
            kind,
            level,
            degree,
            school: s.school,
            category: MajorCategory::infer(&s.major),
            major: s.major,
            start: None,
            end: None,
        });
    }
    let mut family = Vec::new();
    for (line, item) in &raw.family {
        let get = |t: &str| {
            item.iter()
                .find(|(k, _)| k == t)
                .map(|(_, v)| v.trim())
                .unwrap_or("")
        };
        let fail_item = |reason: String, errors: &mut Vec<FormError>| {
            errors.push(FormError {
                line: *line,
                tag: Some("JiaTingChengYuan".into()),
                reason,
            })
        };
        if get("XingMing").is_empty() && get("ChengWei").is_empty() {
            continue;
        }
        let birth = match PartialDate::parse_opt(get("ChuShengRiQi")) {
            Ok(d) => d,
            Err(e) => {
                fail_item(
                    format!("家庭成员“{}”的出生日期：{e}", get("XingMing")),
                    &mut errors_so_far,
                );
                None
            }
        };
        let ps = get("ZhengZhiMianMao");
        let political_status = if ps.is_empty() {
            None
        } else {
            let p = PoliticalStatus::parse(ps);
            if p.is_none() {
                notices.push(format!(
                    "家庭成员的政治面貌“{ps}”无法归类，未记录（第{line}行）"
                ));
            }
            p
        };
        let (employer, post) =
            jianli::split_unit(get("GongZuoDanWeiJiZhiWu"), &|n| resolve_unit(n).is_some());
        family.push(FamilyMember {
            relation: get("ChengWei").to_string(),
            name: get("XingMing").to_string(),
            birth,
            political_status,
            employer_unit: resolve_unit(&employer),
            employer,
            post,
            businesses: vec![],
        });
    }
    let career = read_career(raw.get("JianLi"), resolve_unit, &mut education);
    for u in &career.unparsed {
        notices.push(format!(
            "简历第{}行未能识别，已原样保留：{}",
            u.line, u.reason
        ));
    }
    let (assessments, unread) = read_assessments(raw.get("NianDuKaoHeJieGuo"));
    if !unread.is_empty() {
        notices.push(format!("年度考核结果中未能识别的内容：{unread}"));
    }
    let rewards = read_rewards(raw.get("JiangChengQingKuang"));
    if !career.postings.iter().any(|p| p.end.is_none()) && !raw.get("XianRenZhiWu").is_empty() {
        notices.push("简历中没有现任职务（开放的任职行），“现任职务”一栏未能对应".into());
    }
    errors.extend(errors_so_far);
    let (Some(gender), Some(birth), Some((political_status, party_name, party_entry))) =
        (gender, birth, party)
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut d = Dossier::new(&name, gender, birth);
    let id = &mut d.identity;
    id.ethnicity = raw.get("MinZu").to_string();
    id.native_place = raw.get("JiGuan").to_string();
    id.birthplace = raw.get("ChuShengDi").to_string();
    id.party_entry = party_entry;
    id.work_start = work_start;
    id.health = raw.get("JianKangZhuangKuang").to_string();
    id.id_number = raw.get("ShenFenZheng").to_ascii_uppercase();
    id.political_status = political_status;
    id.party_name = party_name;
    id.professional_title = raw.get("ZhuanYeJiShuZhiWu").to_string();
    id.photo = photo;
    d.education = education;
    d.training = career.training;
    d.postings = career.postings;
    d.assessments = assessments;
    d.rewards = rewards;
    d.family = family;
    d.record.specialty = raw.get("ShuXiZhuanYeYouHeZhuanChang").to_string();
    d.record.achievements = career
        .unparsed
        .iter()
        .map(|u| Achievement {
            date: None,
            title: UNREAD_CAREER.into(),
            detail: u.text.clone(),
        })
        .collect();
    Ok(Form {
        dossier: d,
        notices,
    })
}

/// 入党时间 as the form writes it: a date for a party member, else the party or status,
/// optionally after a date (`199506 民盟`).
#[allow(clippy::type_complexity)]
fn read_party(v: &str) -> Result<(PoliticalStatus, String, Option<PartialDate>), String> {
    let v = v.trim();
    let digits: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | '年' | '月'))
        .collect();
    let date = if digits.is_empty() {
        None
    } else {
        PartialDate::parse_opt(&digits).map_err(|e| e.to_string())?
    };
    let rest = v[digits.len()..]
        .trim()
        .trim_matches(['（', '）', '(', ')'])
        .trim();
    if rest.is_empty() {
        let status = if date.is_some() {
            PoliticalStatus::CpcMember
        } else {
            PoliticalStatus::Masses
        };
        return Ok((status, String::new(), date));
    }
    let status = PoliticalStatus::parse(rest).or_else(|| {
        [
            "民主", "民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟",
        ]
        .iter()
        .any(|w| rest.contains(w))
        .then_some(PoliticalStatus::DemocraticParty)
    });
    match status {
        Some(PoliticalStatus::DemocraticParty) => Ok((
            PoliticalStatus::DemocraticParty,
            if rest == "民主党派" {
                String::new()
            } else {
                rest.to_string()
            },
            date,
        )),
        Some(s) => Ok((s, String::new(), date)),
        None => Err(format!(
            "入党时间“{v}”无法识别（应为日期，或民主党派名称、无党派人士、群众）"
        )),
    }
}

fn write_party(id: &Identity) -> String {
    let date = id.party_entry.map(compact).unwrap_or_default();
    let label = match id.political_status {
        PoliticalStatus::CpcMember if !date.is_empty() => return date,
        PoliticalStatus::DemocraticParty if !id.party_name.is_empty() => id.party_name.clone(),
        PoliticalStatus::Masses if date.is_empty() => return String::new(),
        s => s.label().to_string(),
    };
    if date.is_empty() {
        label
    } else {
        format!("{date} {label}")
    }
}

fn read_level(v: &str) -> Option<EduLevel> {
    match v.trim() {
        "大学" => Some(EduLevel::Undergraduate),
        "中央党校研究生" | "省委党校研究生" => Some(EduLevel::Postgraduate),
        "中央党校大学" | "省委党校大学" => Some(EduLevel::Undergraduate),
        t => EduLevel::parse(t),
    }
}

/// `理学学士`, `经济学硕士学位`, `博士` → the degree (the discipline is the major's).
fn read_degree(v: &str) -> Option<Degree> {
    let t = v.trim().trim_end_matches("学位");
    [Degree::Doctor, Degree::Master, Degree::Bachelor]
        .into_iter()
        .find(|d| t.ends_with(d.label()))
}

fn write_degree(e: &Education) -> String {
    match (e.degree, e.category) {
        (Some(d), Some(c)) => format!("{}{}", c.label(), d.label()),
        (Some(d), None) => d.label().to_string(),
        _ => String::new(),
    }
}

/// Postings and training of a 简历, and dates for the education courses it names.
struct CareerRead {
    postings: Vec<Posting>,
    training: Vec<Training>,
    unparsed: Vec<jianli::Unparsed>,
}

fn read_career(
    text: &str,
    resolve_unit: &dyn Fn(&str) -> Option<UnitId>,
    education: &mut Vec<Education>,
) -> CareerRead {
    let career = jianli::parse(text);
    let mut out = CareerRead {
        postings: vec![],
        training: vec![],
        unparsed: career.unparsed,
    };
    let form_edu = std::mem::take(education);
    let mut studied: Vec<Education> = Vec::new();
    for e in career.entries {
        let study = (e.kind == EntryKind::Study).then(|| jianli::parse_study(&e.text));
        match (e.kind, study) {
            (_, Some(s)) if s.level.is_some() => {
                let kind = if s.in_service || e.kind == EntryKind::Aside {
                    EduKind::InService
                } else {
                    EduKind::FullTime
                };
                studied.push(Education {
                    kind,
                    level: s.level.unwrap_or(EduLevel::HighSchool),
                    degree: None,
                    school: s.school,
                    category: MajorCategory::infer(&s.major),
                    major: s.major,
                    start: Some(e.start),
                    end: e.end,
                });
            }
            (EntryKind::Study, _) => out.training.push(training_of(&e)),
            (EntryKind::Aside, _) if e.text.contains("参加") => {
                out.training.push(training_of(&e))
            }
            (kind, _) => {
                for (part, concurrent) in jianli::split_concurrent(&e.text) {
                    let (text, rank) = jianli::take_rank(&part);
                    let (unit_name, position) =
                        jianli::split_unit(&text, &|n| resolve_unit(n).is_some());
                    out.postings.push(Posting {
                        start: e.start,
                        end: e.end,
                        unit: resolve_unit(&unit_name),
                        role: infer_role(&position),
                        unit_name,
                        position,
                        rank,
                        portfolio: String::new(),
                        concurrent: concurrent || kind == EntryKind::Aside,
                        probation: false,
                    });
                }
            }
        }
    }
    // The form's highest course of each kind gives its degree to the dated course it names.
    for f in form_edu {
        let same = studied.iter_mut().rev().find(|s| {
            s.kind == f.kind && s.level == f.level && s.school == f.school && s.major == f.major
        });
        match same {
            Some(s) => s.degree = f.degree,
            None => studied.push(f),
        }
    }
    *education = studied;
    out
}

/// `在中共某省委党校参加厅局级领导干部专题研讨班` → organizer and course.
fn training_of(e: &jianli::Entry) -> Training {
    let t = e.text.trim_end_matches("学习");
    let (organizer, name) = match t.split_once("参加") {
        Some((o, n)) => (o.strip_prefix('在').unwrap_or(o).to_string(), n.to_string()),
        None => (String::new(), e.text.clone()),
    };
    Training {
        name,
        organizer,
        start: e.start,
        end: e.end,
        hours: 0,
    }
}

fn grade_text(g: Option<Grade>) -> &'static str {
    g.map(Grade::label).unwrap_or("不定等次")
}

/// 年度考核结果: `2023年度考核称职；2024年度考核优秀` or `2022、2023、2024年度考核均为称职`.
/// Returns the assessments and any text that could not be read.
fn read_assessments(v: &str) -> (Vec<Assessment>, String) {
    let mut out: Vec<Assessment> = Vec::new();
    let mut unread = Vec::new();
    let norm = crate::model::date::normalize_width(v);
    for item in norm.split(['；', ';', '\n', '。']) {
        let item = item.trim();
        if item.is_empty() || crate::model::date::is_unknown_marker(item) {
            continue;
        }
        let chars: Vec<char> = item.chars().collect();
        let mut years = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let n = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 4 {
                let y: String = chars[i..i + 4].iter().collect();
                years.push(y.parse::<i16>().unwrap_or(0));
            }
            i += n.max(1);
        }
        let grade = if ["不定等次", "未定等次", "不确定等次"]
            .iter()
            .any(|w| item.contains(w))
        {
            Some(None)
        } else {
            [
                Grade::BasicallyCompetent,
                Grade::Incompetent,
                Grade::Excellent,
                Grade::Competent,
            ]
            .into_iter()
            .find(|g| item.contains(g.label()))
            .map(Some)
        };
        match (years.is_empty(), grade) {
            (false, Some(grade)) => {
                for year in years {
                    out.retain(|a| a.year != year);
                    out.push(Assessment {
                        year,
                        grade,
                        democratic_score: None,
                        special: String::new(),
                        talk_notes: String::new(),
                    });
                }
            }
            _ => unread.push(item.to_string()),
        }
    }
    out.sort_by_key(|a| a.year);
    (out, unread.join("；"))
}

/// The last three years' results, as the form shows them.
pub fn assessments_text(d: &Dossier) -> String {
    let mut a: Vec<&Assessment> = d.assessments.iter().collect();
    a.sort_by_key(|a| a.year);
    let last = &a[a.len().saturating_sub(3)..];
    last.iter()
        .map(|a| format!("{}年度考核{}", a.year, grade_text(a.grade)))
        .collect::<Vec<_>>()
        .join("；")
}

/// 奖惩情况: one line per item, `2016.09  奖励：优秀共产党员（中共某省委员会）；事由：…`.
pub fn rewards_text(d: &Dossier) -> String {
    if d.rewards.is_empty() {
        return "无".into();
    }
    d.rewards
        .iter()
        .map(|r| {
            let mut s = String::new();
            if let Some(date) = r.date {
                s.push_str(&date.dotted());
                s.push_str("  ");
            }
            s.push_str(&format!("{}：{}", r.kind.label(), r.title));
            if !r.issuer.is_empty() {
                s.push_str(&format!("（{}）", r.issuer));
            }
            if !r.reason.is_empty() {
                s.push_str(&format!("；事由：{}", r.reason));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_rewards(v: &str) -> Vec<Reward> {
    let mut out = Vec::new();
    for line in v.lines() {
        let line = line.trim();
        if line.is_empty() || crate::model::date::is_unknown_marker(line) {
            continue;
        }
        let (date, rest) = match line.split_once([' ', '\u{3000}']) {
            Some((d, r)) => match PartialDate::parse_opt(d) {
                Ok(Some(date)) => (Some(date), r.trim()),
                _ => (None, line),
            },
            None => (None, line),
        };
        let (body, reason) = match rest.split_once("；事由：") {
            Some((b, r)) => (b, r.to_string()),
            None => (rest, String::new()),
        };
        let (kind, body) = match body
            .split_once('：')
            .and_then(|(k, b)| RewardKind::parse(k).map(|k| (k, b)))
        {
            Some((k, b)) => (k, b),
            None => (classify_reward(body), body),
        };
        let (title, issuer) = match body.strip_suffix('）').and_then(|b| b.rsplit_once('（')) {
            Some((t, i)) if !t.is_empty() => (t.to_string(), i.to_string()),
            _ => (body.to_string(), String::new()),
        };
        out.push(Reward {
            kind,
            date,
            title,
            issuer,
            reason,
        });
    }
    out
}

/// A reward line without a kind label, classified by its words.
fn classify_reward(s: &str) -> RewardKind {
    if s.contains("党内") || s.contains("开除党籍") || s.contains("留党察看") {
        RewardKind::PartyPunishment
    } else if ["记过", "记大过", "降级", "撤职", "开除", "警告", "政务"]
        .iter()
        .any(|w| s.contains(w))
    {
        RewardKind::GovPunishment
    } else if ["诫勉", "免职", "责令辞职", "降职", "调整"]
        .iter()
        .any(|w| s.contains(w))
    {
        RewardKind::OrgHandling
    } else {
        RewardKind::Award
    }
}

/// YYYYMM (or YYYYMMDD, or YYYY) as the form writes dates.
fn compact(d: PartialDate) -> String {
    match (d.m(), d.d()) {
        (None, _) => format!("{:04}", d.y()),
        (Some(m), None) => format!("{:04}{m:02}", d.y()),
        (Some(m), Some(day)) => format!("{:04}{m:02}{day:02}", d.y()),
    }
}

fn posting_text(p: &Posting, units: &UnitDirectory) -> String {
    let unit = if p.unit_name.is_empty() {
        p.unit_display_name(units)
    } else {
        p.unit_name.clone()
    };
    let mut s = format!(
        "{}{unit}{}",
        if p.concurrent { "兼任" } else { "" },
        p.position
    );
    if let Some(r) = p.rank {
        s.push_str(&format!("（{}）", jianli::rank_note(r)));
    }
    s
}

/// The 简历 of a dossier in the conventional layout: full-time study and posts by start date,
/// in-service study and training as `（其间：…）` remarks after the line they fall in, and any
/// kept unread lines at the end.
pub fn career_text(d: &Dossier, units: &UnitDirectory) -> String {
    let mut main: Vec<Line> = Vec::new();
    let mut asides: Vec<Line> = Vec::new();
    for e in &d.education {
        let Some(start) = e.start else { continue };
        let in_service = e.kind == EduKind::InService;
        let line = Line {
            start,
            end: e.end,
            text: jianli::study_text(in_service, e.level, &e.school, &e.major),
            aside: in_service,
        };
        if in_service {
            asides.push(line);
        } else {
            main.push(line);
        }
    }
    for p in &d.postings {
        main.push(Line {
            start: p.start,
            end: p.end,
            text: posting_text(p, units),
            aside: false,
        });
    }
    for t in &d.training {
        let text = if t.organizer.is_empty() {
            format!("参加{}", t.name)
        } else {
            format!("在{}参加{}", t.organizer, t.name)
        };
        asides.push(Line {
            start: t.start,
            end: t.end,
            text,
            aside: true,
        });
    }
    main.sort_by_key(|l| l.start);
    asides.sort_by_key(|l| l.start);
    let mut lines: Vec<Line> = Vec::with_capacity(main.len() + asides.len());
    let mut pending = asides.into_iter().peekable();
    for (i, l) in main.iter().enumerate() {
        let next_start = main.get(i + 1).map(|n| n.start);
        lines.push(l.clone());
        while let Some(a) = pending.peek() {
            if next_start.is_none_or(|n| a.start < n) {
                lines.push(pending.next().expect("peeked"));
            } else {
                break;
            }
        }
    }
    lines.extend(pending);
    let mut text = jianli::render(&lines);
    for a in &d.record.achievements {
        if a.title == UNREAD_CAREER {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&a.detail);
        }
    }
    text
}

/// 学历 as the form writes it.
fn level_text(l: EduLevel) -> &'static str {
    l.label()
}

/// `学校` + `专业` as the form's 毕业院校系及专业.
fn school_text(e: &Education) -> String {
    if e.major.is_empty() {
        e.school.clone()
    } else {
        format!("{}{}专业", e.school, e.major)
    }
}

/// The form's highest course of a kind.
fn highest(d: &Dossier, kind: EduKind) -> Option<&Education> {
    d.education
        .iter()
        .filter(|e| e.kind == kind)
        .max_by_key(|e| (e.level.height(), e.start))
}

/// A family member's 工作单位及职务.
pub fn family_work(f: &FamilyMember) -> String {
    format!("{}{}", f.employer, f.post)
}

/// The 现任职务 line: current post and concurrent ones.
pub fn current_posts_text(d: &Dossier, units: &UnitDirectory) -> String {
    let mut parts = Vec::new();
    if let Some(p) = d.current_posting() {
        parts.push(format!("{}{}", p.unit_display_name(units), p.position));
    }
    for p in d.concurrent_postings() {
        parts.push(format!("{}{}", p.unit_display_name(units), p.position));
    }
    parts.join("，兼")
}

/// The values of the form's leaf tags for a dossier, in `TAGS` order (tag, text).
pub fn form_fields(
    d: &Dossier,
    units: &UnitDirectory,
    today: &PartialDate,
) -> Vec<(&'static str, String)> {
    let id = &d.identity;
    let date = |x: Option<PartialDate>| x.map(compact).unwrap_or_default();
    let ft = highest(d, EduKind::FullTime);
    let is = highest(d, EduKind::InService);
    let edu =
        |e: Option<&Education>, f: &dyn Fn(&Education) -> String| e.map(f).unwrap_or_default();
    TAGS.iter()
        .map(|&tag| {
            let v = match tag {
                "XingMing" => id.name.clone(),
                "XingBie" => id.gender.label().into(),
                "ChuShengNianYue" => compact(id.birth),
                "MinZu" => id.ethnicity.clone(),
                "JiGuan" => id.native_place.clone(),
                "ChuShengDi" => id.birthplace.clone(),
                "RuDangShiJian" => write_party(id),
                "CanJiaGongZuoShiJian" => date(id.work_start),
                "JianKangZhuangKuang" => id.health.clone(),
                "ZhuanYeJiShuZhiWu" => id.professional_title.clone(),
                "ShuXiZhuanYeYouHeZhuanChang" => d.record.specialty.clone(),
                "QuanRiZhiJiaoYu_XueLi" => edu(ft, &|e| level_text(e.level).into()),
                "QuanRiZhiJiaoYu_XueWei" => edu(ft, &write_degree),
                "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi" => edu(ft, &school_text),
                "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi" => {
                    edu(ft.filter(|e| e.degree.is_some()), &school_text)
                }
                "ZaiZhiJiaoYu_XueLi" => edu(is, &|e| level_text(e.level).into()),
                "ZaiZhiJiaoYu_XueWei" => edu(is, &write_degree),
                "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi" => edu(is, &school_text),
                "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi" => {
                    edu(is.filter(|e| e.degree.is_some()), &school_text)
                }
                "XianRenZhiWu" => current_posts_text(d, units),
                "JianLi" => career_text(d, units),
                "JiangChengQingKuang" => rewards_text(d),
                "NianDuKaoHeJieGuo" => assessments_text(d),
                "JiSuanNianLingShiJian" | "TianBiaoShiJian" => compact(*today),
                "ShenFenZheng" => id.id_number.clone(),
                "ZhaoPian" => id.photo.as_deref().map(base64_encode).unwrap_or_default(),
                "Version" => "1".into(),
                _ => String::new(),
            };
            (tag, v)
        })
        .collect()
}

/// The `.lrmx` text of a dossier.
pub fn write(d: &Dossier, units: &UnitDirectory, today: &PartialDate) -> String {
    use quick_xml::escape::escape;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Person>\n");
    for (tag, v) in form_fields(d, units, today) {
        out.push_str(&format!("  <{tag}>{}</{tag}>\n", escape(v.as_str())));
        if tag == "RenMianLiYou" {
            out.push_str("  <JiaTingChengYuan>\n");
            for f in &d.family {
                out.push_str("    <Item>\n");
                for (t, v) in [
                    ("ChengWei", f.relation.clone()),
                    ("XingMing", f.name.clone()),
                    ("ChuShengRiQi", f.birth.map(compact).unwrap_or_default()),
                    (
                        "ZhengZhiMianMao",
                        f.political_status
                            .map(|p| p.label().to_string())
                            .unwrap_or_default(),
                    ),
                    ("GongZuoDanWeiJiZhiWu", family_work(f)),
                ] {
                    out.push_str(&format!("      <{t}>{}</{t}>\n", escape(v.as_str())));
                }
                out.push_str("    </Item>\n");
            }
            out.push_str("  </JiaTingChengYuan>\n");
        }
    }
    out.push_str("</Person>\n");
    out
}

/// The file name export gives a dossier: `000123_姓名.lrmx`.
pub fn file_name(d: &Dossier) -> String {
    let safe: String = d
        .identity
        .name
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    format!("{:06}_{safe}.lrmx", d.id)
}

/// Places items of `incoming` in the order of the `existing` items they match (new ones after),
/// enriching matched ones from the existing item; existing items that `keep` says the form
/// cannot carry stay.
fn merge_list<T: Clone>(
    existing: &[T],
    incoming: Vec<T>,
    same: impl Fn(&T, &T) -> bool,
    enrich: impl Fn(&T, T) -> T,
    keep: impl Fn(&T) -> bool,
) -> Vec<T> {
    let mut placed: Vec<(usize, T)> = Vec::new();
    let mut used = vec![false; existing.len()];
    let mut next = existing.len();
    for item in incoming {
        let m = (0..existing.len()).find(|&i| !used[i] && same(&existing[i], &item));
        match m {
            Some(i) => {
                used[i] = true;
                placed.push((i, enrich(&existing[i], item)));
            }
            None => {
                placed.push((next, item));
                next += 1;
            }
        }
    }
    for (i, e) in existing.iter().enumerate() {
        if !used[i] && keep(e) {
            placed.push((i, e.clone()));
        }
    }
    placed.sort_by_key(|(i, _)| *i);
    placed.into_iter().map(|(_, t)| t).collect()
}

/// A form read into the dossier it updates (same ID number): what the form carries replaces
/// what was there; what it cannot carry (ranks, unit links, portfolios, probation, training
/// hours, democratic scores, talk notes, findings, businesses, status, reserve data) stays. A
/// dimension the form leaves empty (no 简历, no family, no rewards) keeps what is stored: a form
/// adds and corrects, it never clears a dimension.
pub fn merge(existing: &Dossier, form: &Dossier) -> Dossier {
    let mut form = form.clone();
    if form.postings.is_empty() && form.training.is_empty() {
        form.postings = existing.postings.clone();
        form.training = existing.training.clone();
        // Dated courses come from the 简历 too.
        let dated: Vec<Education> = existing
            .education
            .iter()
            .filter(|e| e.start.is_some())
            .filter(|e| {
                !form.education.iter().any(|f| {
                    f.kind == e.kind
                        && f.level == e.level
                        && f.school == e.school
                        && f.major == e.major
                })
            })
            .cloned()
            .collect();
        form.education.extend(dated);
    }
    if form.education.is_empty() {
        form.education = existing.education.clone();
    }
    if form.family.is_empty() {
        form.family = existing.family.clone();
    }
    if form.rewards.is_empty() {
        form.rewards = existing.rewards.clone();
    }
    let form = &form;
    let mut d = existing.clone();
    let photo = existing.identity.photo.clone();
    d.identity = form.identity.clone();
    if d.identity.photo.is_none() {
        d.identity.photo = photo;
    }
    let top: Vec<Option<&Education>> = [EduKind::FullTime, EduKind::InService]
        .iter()
        .map(|k| highest(existing, *k))
        .collect();
    d.education = merge_list(
        &existing.education,
        form.education.clone(),
        |a, b| a.kind == b.kind && a.level == b.level && a.school == b.school && a.major == b.major,
        |old, new| Education {
            degree: new.degree.or(old.degree),
            category: old.category.or(new.category),
            start: new.start.or(old.start),
            end: new.end.or(old.end),
            ..new
        },
        |e| e.start.is_none() && !top.iter().any(|t| t.is_some_and(|t| std::ptr::eq(t, e))),
    );
    d.training = merge_list(
        &existing.training,
        form.training.clone(),
        |a, b| a.start == b.start && a.name == b.name && a.organizer == b.organizer,
        |old, new| Training {
            hours: old.hours,
            ..new
        },
        |_| false,
    );
    let text = |p: &Posting| format!("{}{}", p.unit_name, p.position);
    d.postings = merge_list(
        &existing.postings,
        form.postings.clone(),
        |a, b| a.start == b.start && a.concurrent == b.concurrent && text(a) == text(b),
        |old, new| Posting {
            end: new.end,
            rank: new.rank.or(old.rank),
            ..old.clone()
        },
        |_| false,
    );
    for a in &form.assessments {
        match d.assessments.iter_mut().find(|x| x.year == a.year) {
            Some(x) => x.grade = a.grade,
            None => d.assessments.push(a.clone()),
        }
    }
    d.assessments.sort_by_key(|a| a.year);
    d.rewards = merge_list(
        &existing.rewards,
        form.rewards.clone(),
        |a, b| a.date == b.date && a.title == b.title,
        |old, new| Reward {
            reason: if new.reason.is_empty() {
                old.reason.clone()
            } else {
                new.reason
            },
            ..new
        },
        |_| false,
    );
    d.family = merge_list(
        &existing.family,
        form.family.clone(),
        |a, b| a.relation == b.relation && a.name == b.name,
        |old, new| {
            let (employer, post, employer_unit) = if family_work(old) == family_work(&new) {
                (old.employer.clone(), old.post.clone(), old.employer_unit)
            } else {
                (new.employer, new.post, new.employer_unit)
            };
            FamilyMember {
                employer,
                post,
                employer_unit,
                businesses: old.businesses.clone(),
                ..new
            }
        },
        |_| false,
    );
    d.record.specialty = form.record.specialty.clone();
    d.record.achievements = merge_list(
        &existing.record.achievements,
        form.record
            .achievements
            .iter()
            .filter(|a| a.title == UNREAD_CAREER)
            .cloned()
            .collect(),
        |a, b| a == b,
        |_, new| new,
        |a| a.title != UNREAD_CAREER,
    );
    d
}
