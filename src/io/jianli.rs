//! 简历 (JianLi): the career as free text on the appointment form, one line per posting, e.g.
//! `1990.07--1993.09  某县某乡党委委员、副乡长`. Owns reading that text into dated entries (posts,
//! study, 其间 asides) and the conventional layout for writing them back, plus the splits of an
//! entry's text (concurrent posts, unit and position, a rank annotation). Never drops a line: a
//! line that cannot be read comes back as text with its reason. Knows no store and no units
//! beyond a name test the caller gives.

use crate::model::date::PartialDate;
use crate::model::vocab::{EduLevel, Rank};

/// What a dated line of the career is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A post (or posts) held.
    Post,
    /// Study: `…专业本科学习`, `在职研究生学习`, `在省委党校中青班学习`.
    Study,
    /// A `（其间：…）` remark inside another line's span that is not study (training, 挂职 …).
    Aside,
}

/// One dated line (wrapped lines joined).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the JianLi text where the entry starts.
    pub line: usize,
    pub start: PartialDate,
    /// None for an open-ended (current) post.
    pub end: Option<PartialDate>,
    pub kind: EntryKind,
    /// The text after the dates.
    pub text: String,
}

/// A line kept as text because it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unparsed {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// A JianLi text read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Career {
    pub entries: Vec<Entry>,
    pub unparsed: Vec<Unparsed>,
}

/// Full-width digits, letters and punctuation of a date prefix to ASCII; one char for one char,
/// so positions stay aligned with the original line.
fn fold(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' | '。' | '·' => '.',
        '／' => '/',
        '－' | '—' | '–' | '―' | '─' | '━' | '﹣' => '-',
        '～' | '〜' => '~',
        '　' | '\t' => ' ',
        _ => c,
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t' || c == '\u{a0}'
}

/// A date at `i` of the folded line: `1990.07`, `1990.7`, `1990/07`, `1990-07`, `1990年7月`,
/// `199007`, `1990` (and a day after the month). Returns the date text for `PartialDate` and
/// the index after it; None when no date starts here.
fn date_at(s: &[char], i: usize) -> Option<(String, usize)> {
    let digits = |from: usize| s[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n = digits(i);
    let run: String = s[i..i + n].iter().collect();
    match n {
        6 | 8 => return Some((run, i + n)),
        4 => {}
        _ => return None,
    }
    let mut j = i + 4;
    let sep = s.get(j).copied();
    let month_follows = |k: usize| s.get(k).is_some_and(|c| c.is_ascii_digit());
    match sep {
        Some('.' | '/' | '-' | '年') if month_follows(j + 1) => {
            let m = digits(j + 1).min(2);
            let month: String = s[j + 1..j + 1 + m].iter().collect();
            j += 1 + m;
            let mut text = format!("{run}.{month}");
            if sep == Some('年') {
                if s.get(j) == Some(&'月') {
                    j += 1;
                }
                let d = digits(j);
                if (1..=2).contains(&d) && s.get(j + d) == Some(&'日') {
                    let day: String = s[j..j + d].iter().collect();
                    text = format!("{text}.{day}");
                    j += d + 1;
                }
            } else if s.get(j) == sep.as_ref() && month_follows(j + 1) {
                let d = digits(j + 1);
                if d <= 2 {
                    let day: String = s[j + 1..j + 1 + d].iter().collect();
                    text = format!("{text}.{day}");
                    j += 1 + d;
                }
            } else if s.get(j) == Some(&'月') {
                j += 1;
            }
            Some((text, j))
        }
        Some('年') => Some((run, j + 1)),
        _ => Some((run, j)),
    }
}

fn parse_date(text: &str) -> Result<PartialDate, String> {
    PartialDate::parse_opt(text)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("日期“{text}”不完整"))
}

/// Dates at the start of a line: (start, end, index where the text begins). `Ok(None)` when the
/// line does not start with a date; `Err` when it does but the dates are wrong.
#[allow(clippy::type_complexity)]
fn dated_prefix(s: &[char]) -> Result<Option<(PartialDate, Option<PartialDate>, usize)>, String> {
    let Some((t1, mut i)) = date_at(s, 0) else {
        return Ok(None);
    };
    let start = parse_date(&t1)?;
    let skip = |mut i: usize| {
        while s.get(i).is_some_and(|c| is_space(*c)) {
            i += 1;
        }
        i
    };
    i = skip(i);
    let mut ranged = false;
    while let Some(c) = s.get(i) {
        match c {
            '-' | '~' | '至' | '到' => {
                ranged = true;
                i += 1;
            }
            _ => break,
        }
    }
    if !ranged && s.get(i) == Some(&'起') {
        i += 1;
    }
    i = skip(i);
    let mut end = None;
    if ranged {
        if let Some((t2, j)) = date_at(s, i) {
            let e = parse_date(&t2)?;
            if e < start {
                return Err(format!(
                    "结束时间 {} 早于开始时间 {}",
                    e.dotted(),
                    start.dotted()
                ));
            }
            end = Some(e);
            i = j;
        } else {
            for word in ["至今", "今", "现在", "现今"] {
                let w: Vec<char> = word.chars().collect();
                if s[i..].starts_with(&w) {
                    i += w.len();
                    break;
                }
            }
        }
    } else if s.get(i).is_some_and(|c| c.is_ascii_digit()) {
        return Err("两个日期之间缺少“--”".into());
    }
    Ok(Some((start, end, skip(i))))
}

/// `（其间：` / `(其间` / `其间：` / `期间，` at the start of `s`: the index after it.
fn aside_prefix(s: &[char]) -> Option<usize> {
    let mut i = 0;
    if matches!(s.first(), Some('（' | '(')) {
        i = 1;
    }
    let word: String = s.get(i..i + 2)?.iter().collect();
    if word != "其间" && word != "期间" {
        return None;
    }
    i += 2;
    while s
        .get(i)
        .is_some_and(|c| matches!(c, '：' | ':' | '，' | ',' | ' ' | '\u{3000}'))
    {
        i += 1;
    }
    Some(i)
}

/// Kind of a dated text: study when it ends in 学习 (or the like), else the given kind.
fn kind_of(text: &str, otherwise: EntryKind) -> EntryKind {
    let t = text.trim_end_matches(['）', ')']);
    if ["学习", "就读", "读书", "进修", "攻读"]
        .iter()
        .any(|w| t.ends_with(w))
        || t.contains("读研究生")
    {
        EntryKind::Study
    } else {
        otherwise
    }
}

fn clean_tail(s: &str) -> String {
    s.trim_matches(|c: char| is_space(c))
        .trim_end_matches(['；', ';', '。', '，', ','])
        .trim_matches(|c: char| is_space(c))
        .to_string()
}

/// Joins a wrapped line onto the text before it (a space only between two Latin letters or
/// digits).
fn join_wrapped(text: &mut String, more: &str) {
    if let (Some(a), Some(b)) = (text.chars().last(), more.chars().next())
        && a.is_ascii_alphanumeric()
        && b.is_ascii_alphanumeric()
    {
        text.push(' ');
    }
    text.push_str(more);
}

/// Reads a JianLi text. Dates may be `1990.07`, `1990.7`, `1990-07`, `1990/07`, `199007`,
/// `1990年7月` (full-width digits and punctuation too); the range separator `--`, `-`, `—`,
/// `——`, `～`, `至`; an open end (`2016.11--`, `2016.11--至今`, `2016.11起`) is a current post.
/// A line that does not start with a date continues the line before (a wrapped line); a
/// `（其间：…）` remark, on its own line or at the end of one, becomes entries of its own.
pub fn parse(text: &str) -> Career {
    let mut career = Career::default();
    // The entry being built, with whether it is inside an unclosed `（其间`.
    let mut open: Option<Entry> = None;
    let flush = |e: Option<Entry>, career: &mut Career| {
        if let Some(e) = e {
            finish(e, career);
        }
    };
    let lines = text.split('\n').flat_map(|l| l.split('\r'));
    for (ln, raw) in lines.enumerate() {
        let line_no = ln + 1;
        let trimmed = raw.trim_matches(|c: char| is_space(c) || c == '\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let folded: Vec<char> = trimmed.chars().map(fold).collect();
        let orig: Vec<char> = trimmed.chars().collect();
        let (body, kind_default) = match aside_prefix(&folded) {
            Some(k) => (k, EntryKind::Aside),
            None => (0, EntryKind::Post),
        };
        match dated_prefix(&folded[body..]) {
            Ok(Some((start, end, at))) => {
                flush(open.take(), &mut career);
                let text: String = orig[body + at..].iter().collect();
                open = Some(Entry {
                    line: line_no,
                    start,
                    end,
                    kind: kind_default,
                    text,
                });
            }
            Ok(None) if kind_default == EntryKind::Aside => {
                flush(open.take(), &mut career);
                career.unparsed.push(Unparsed {
                    line: line_no,
                    text: trimmed.to_string(),
                    reason: "“其间”一行没有起止时间".into(),
                });
            }
            Ok(None) => match open.as_mut() {
                Some(e) if !folded[0].is_ascii_digit() => join_wrapped(&mut e.text, trimmed),
                _ => {
                    flush(open.take(), &mut career);
                    career.unparsed.push(Unparsed {
                        line: line_no,
                        text: trimmed.to_string(),
                        reason: "不是以起止时间开头的行，前面也没有可接续的行".into(),
                    });
                }
            },
            Err(reason) => {
                flush(open.take(), &mut career);
                career.unparsed.push(Unparsed {
                    line: line_no,
                    text: trimmed.to_string(),
                    reason,
                });
            }
        }
    }
    flush(open.take(), &mut career);
    career
}

/// Completes an entry: splits off a trailing `（其间：…）` remark (and `；`-separated items in a
/// remark), strips the closing bracket and trailing punctuation, decides study or not.
fn finish(mut e: Entry, career: &mut Career) {
    let chars: Vec<char> = e.text.chars().collect();
    let inline = (1..chars.len())
        .find(|&i| matches!(chars[i], '（' | '(') && aside_prefix(&chars[i..]).is_some() && i > 0);
    let mut asides = Vec::new();
    if let Some(i) = inline {
        let rest: String = chars[i..].iter().collect();
        e.text = chars[..i].iter().collect();
        asides.push(rest);
    }
    if e.kind == EntryKind::Aside {
        e.text = strip_closing(&e.text);
        // `2001.09--2004.07在A学习；2005.03--2005.07在B挂职`
        let parts = split_items(&e.text);
        if parts.len() > 1 {
            e.text = parts[0].clone();
            asides.extend(parts[1..].iter().map(|p| format!("其间{p}")));
        }
    }
    e.text = clean_tail(&e.text);
    if e.text.is_empty() {
        career.unparsed.push(Unparsed {
            line: e.line,
            text: e.start.dotted(),
            reason: "只有时间，没有任职或学习内容".into(),
        });
    } else {
        e.kind = kind_of(&e.text, e.kind);
        career.entries.push(e.clone());
    }
    for a in asides {
        let sub = parse(&a);
        for mut x in sub.entries {
            x.line = e.line;
            career.entries.push(x);
        }
        for mut u in sub.unparsed {
            u.line = e.line;
            career.unparsed.push(u);
        }
    }
}

/// Removes one closing bracket that has no opening one.
fn strip_closing(s: &str) -> String {
    let t = s.trim_end_matches(|c: char| is_space(c) || matches!(c, '；' | ';' | '。'));
    let opens = t.chars().filter(|c| matches!(c, '（' | '(')).count();
    let closes = t.chars().filter(|c| matches!(c, '）' | ')')).count();
    if closes > opens {
        t.strip_suffix(['）', ')']).unwrap_or(t).to_string()
    } else {
        t.to_string()
    }
}

/// `；`-separated items of a remark that each start with a date.
fn split_items(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(['；', ';']) {
        let folded: Vec<char> = part.trim().chars().map(fold).collect();
        let dated = matches!(dated_prefix(&folded), Ok(Some(_)));
        match out.last_mut() {
            Some(last) if !dated => {
                last.push('；');
                last.push_str(part);
            }
            _ => out.push(part.trim().to_string()),
        }
    }
    out
}

/// Splits a post text on 兼 (outside brackets): `县委常委、组织部部长兼县委党校校长` gives the
/// main post and one concurrent post. A text starting with `兼任`/`兼` is itself concurrent.
/// Returns (text, concurrent) pairs.
pub fn split_concurrent(text: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            '兼' if depth == 0 && i > from && chars.get(i + 1) != Some(&'职') => {
                parts.push(chars[from..i].iter().collect::<String>());
                from = i;
            }
            _ => {}
        }
    }
    parts.push(chars[from..].iter().collect());
    parts
        .into_iter()
        .map(|p| {
            let p = p.trim().trim_end_matches(['、', '，', ',']).to_string();
            match p.strip_prefix("兼任").or_else(|| p.strip_prefix('兼')) {
                Some(rest) => (rest.trim_start_matches(['：', ':']).to_string(), true),
                None => (p, false),
            }
        })
        .filter(|(p, _)| !p.is_empty())
        .collect()
}

/// A trailing `（副处级）`-style rank annotation, removed from the text.
pub fn take_rank(text: &str) -> (String, Option<Rank>) {
    let t = text.trim_end();
    if let Some(body) = t.strip_suffix(['）', ')'])
        && let Some(open) = body.rfind(['（', '('])
    {
        let inner = &body[open..];
        let inner = inner
            .strip_prefix('（')
            .or_else(|| inner.strip_prefix('('))
            .unwrap_or(inner);
        if let Some(r) = Rank::parse(inner) {
            return (body[..open].trim_end().to_string(), Some(r));
        }
    }
    (t.to_string(), None)
}

/// The short rank annotation used in the layout (`正处级`, `一级调研员`).
pub fn rank_note(r: Rank) -> &'static str {
    use Rank::*;
    match r {
        BureauPrincipal => "正厅级",
        BureauDeputy => "副厅级",
        CountyPrincipal => "正处级",
        CountyDeputy => "副处级",
        TownshipPrincipal => "正科级",
        TownshipDeputy => "副科级",
        other => other.label(),
    }
}

/// Words a position starts with, for telling the unit from the position when the unit is not a
/// known one (`临河县人民政府副县长` → `临河县人民政府` + `副县长`).
const POST_WORDS: &[&str] = &[
    "党委",
    "党组",
    "党工委",
    "副",
    "书记",
    "常委",
    "委员",
    "主任",
    "局长",
    "部长",
    "县长",
    "乡长",
    "镇长",
    "市长",
    "区长",
    "省长",
    "秘书长",
    "科员",
    "办事员",
    "科长",
    "股长",
    "处长",
    "厅长",
    "调研员",
    "巡视员",
    "主席",
    "院长",
    "检察长",
    "庭长",
    "队长",
    "所长",
    "站长",
    "校长",
    "教师",
    "干部",
    "职工",
    "工人",
    "技术员",
    "工程师",
    "医生",
    "护士",
    "会计",
    "经理",
    "董事长",
    "组长",
    "专员",
    "助理",
    "干事",
    "秘书",
    "政委",
    "指导员",
    "馆长",
    "社长",
    "行长",
    "研究员",
    "编辑",
    "记者",
    "民警",
    "法官",
    "检察官",
    "审判员",
    "书记员",
    "村官",
    "支书",
    "工作人员",
    "职员",
    "退休",
    "务农",
    "农民",
    "学生",
    "无业",
    "个体",
    "已故",
    "已去世",
    "去世",
];

/// Where a unit name plausibly ends (checked before the position word).
const UNIT_ENDS: &[&str] = &[
    "委员会",
    "政府",
    "党委",
    "党组",
    "党工委",
    "县委",
    "市委",
    "省委",
    "区委",
    "人大",
    "政协",
    "局",
    "厅",
    "部",
    "委",
    "办",
    "办公室",
    "院",
    "所",
    "站",
    "中心",
    "队",
    "校",
    "学",
    "中学",
    "小学",
    "大学",
    "学院",
    "乡",
    "镇",
    "街道",
    "村",
    "社区",
    "县",
    "市",
    "区",
    "省",
    "公司",
    "集团",
    "银行",
    "医院",
    "社",
    "馆",
    "会",
    "处",
    "科",
    "室",
    "厂",
    "场",
    "庭",
    "团",
    "部队",
];

/// Splits `unit + position`. A known unit (by `is_unit`, longest first) wins; otherwise the
/// earliest position word preceded by a plausible unit ending splits; otherwise there is no
/// unit and all of it is the position.
pub fn split_unit(text: &str, is_unit: &dyn Fn(&str) -> bool) -> (String, String) {
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
    for &i in bounds.iter().rev() {
        if is_unit(&text[..i]) {
            return (text[..i].to_string(), text[i..].to_string());
        }
    }
    for &i in &bounds {
        let rest = &text[i..];
        let Some(w) = POST_WORDS.iter().find(|w| rest.starts_with(*w)) else {
            continue;
        };
        // 委员会, 常委会, 党委会 are units, not posts.
        if rest[w.len()..].starts_with('会') {
            continue;
        }
        let head = &text[..i];
        if UNIT_ENDS.iter().any(|e| head.ends_with(e)) {
            return (head.to_string(), rest.to_string());
        }
    }
    (String::new(), text.to_string())
}

/// Schools end with these; what follows up to `专业` is the major.
const SCHOOL_ENDS: &[&str] = &[
    "大学",
    "学院",
    "学校",
    "党校",
    "中学",
    "研究院",
    "研究生院",
    "分校",
    "电大",
    "大专",
    "中专",
    "技校",
    "学堂",
];

/// A study text read: `杨池理工大学数学与应用数学专业本科学习`, `在职研究生学习`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Study {
    pub in_service: bool,
    pub level: Option<EduLevel>,
    pub school: String,
    pub major: String,
}

/// Reads a study text; `None` level when none is named (a party-school course, say).
pub fn parse_study(text: &str) -> Study {
    let mut t = text.trim();
    for w in ["学习", "就读", "读书", "进修"] {
        t = t.strip_suffix(w).unwrap_or(t);
    }
    let t = t.strip_prefix('在').unwrap_or(t);
    let in_service = t.contains("在职") || t.contains("函授") || t.contains("业余");
    let mut t = t.replace("在职", "");
    let mut level = None;
    for (w, l) in [
        ("博士研究生", EduLevel::Postgraduate),
        ("硕士研究生", EduLevel::Postgraduate),
        ("读研究生", EduLevel::Postgraduate),
        ("研究生", EduLevel::Postgraduate),
        ("本科", EduLevel::Undergraduate),
        ("大专", EduLevel::College),
        ("专科", EduLevel::College),
        ("中专", EduLevel::Secondary),
        ("高中", EduLevel::HighSchool),
    ] {
        if let Some(rest) = t.strip_suffix(w) {
            level = Some(l);
            t = rest.to_string();
            break;
        }
    }
    let (school, major) = match t.rfind("专业") {
        Some(p) => {
            let head = &t[..p];
            let cut = SCHOOL_ENDS
                .iter()
                .filter_map(|e| head.rfind(e).map(|i| i + e.len()))
                .max();
            match cut {
                Some(c) => (head[..c].to_string(), head[c..].to_string()),
                None => (head.to_string(), String::new()),
            }
        }
        None => (t.clone(), String::new()),
    };
    Study {
        in_service,
        level,
        school,
        major,
    }
}

/// The study text for an education course, which `parse_study` reads back.
pub fn study_text(in_service: bool, level: EduLevel, school: &str, major: &str) -> String {
    let lv = match level {
        EduLevel::Postgraduate => "研究生",
        EduLevel::Undergraduate => "本科",
        EduLevel::College => "大专",
        EduLevel::Secondary => "中专",
        EduLevel::HighSchool => "高中",
    };
    let major = if major.is_empty() {
        String::new()
    } else {
        format!("{major}专业")
    };
    let mode = if in_service { "在职" } else { "" };
    format!("{school}{major}{mode}{lv}学习")
}

/// One line of the layout: dates then text; `aside` lines are written as `（其间：…）`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub start: PartialDate,
    pub end: Option<PartialDate>,
    pub text: String,
    pub aside: bool,
}

/// The conventional layout: `1990.07--1993.09  text`, an open end padded to the same width
/// (`2016.11--          text`), remarks as `        （其间：2001.09--2004.07 text）`.
pub fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    for l in lines {
        let span = match l.end {
            Some(e) => format!("{}--{}", l.start.dotted(), e.dotted()),
            None => format!("{}--", l.start.dotted()),
        };
        if l.aside {
            out.push_str(&format!("                  （其间：{span} {}）\n", l.text));
        } else {
            out.push_str(&format!("{span:<16}  {}\n", l.text));
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out
}
