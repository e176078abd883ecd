//! Parses filter text into an `Expr`. Keywords have Chinese and English forms (且/and, 或/or,
//! 非/not, 年龄/age, 曾任/held …). Every error names the char position and what was expected
//! there. Owns syntax only; it reads no data.

use super::ast::*;
use super::fields::{self, FlagKind, Kind, NumKind};
use super::lexer::{CmpOp, LexError, Tok, Token, lex};
use crate::model::*;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {} 个字符处：应为{expected}，却是{found}", .pos + 1)]
pub struct ParseError {
    /// Char offset of the offending token (the query's length at its end).
    pub pos: usize,
    pub len: usize,
    pub expected: String,
    pub found: String,
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError {
            pos: e.pos,
            len: 1,
            expected: "合法的字符".into(),
            found: e.message,
        }
    }
}

pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let tokens = lex(input)?;
    let mut p = Parser {
        tokens,
        i: 0,
        end: input.chars().count(),
    };
    if p.tokens.is_empty() {
        return Err(p.error("一个条件（如 年龄 < 45）"));
    }
    let e = p.or()?;
    if p.i < p.tokens.len() {
        return Err(p.error("“且”“或”或表达式结束"));
    }
    Ok(e)
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    end: usize,
}

fn word_is(t: &Tok, words: &[&str]) -> bool {
    matches!(t, Tok::Word(w) if words.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

const AND: &[&str] = &["and", "且", "并且"];
const OR: &[&str] = &["or", "或", "或者"];
const NOT: &[&str] = &["not", "非"];
const IN: &[&str] = &["in", "属于"];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.i).map(|t| &t.tok)
    }
    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn error(&self, expected: &str) -> ParseError {
        match self.tokens.get(self.i) {
            Some(t) => ParseError {
                pos: t.pos,
                len: t.len,
                expected: expected.into(),
                found: format!("“{}”", describe(&t.tok)),
            },
            None => ParseError {
                pos: self.end,
                len: 0,
                expected: expected.into(),
                found: "表达式结束".into(),
            },
        }
    }
    fn error_at(&self, i: usize, expected: &str) -> ParseError {
        let t = &self.tokens[i];
        ParseError {
            pos: t.pos,
            len: t.len,
            expected: expected.into(),
            found: format!("“{}”", describe(&t.tok)),
        }
    }
    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&tok) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and()?];
        while let Some(t) = self.peek() {
            if *t == Tok::OrSym || word_is(t, OR) {
                self.i += 1;
                items.push(self.and()?);
            } else {
                break;
            }
        }
        Ok(flatten(items, true))
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.not()?];
        while let Some(t) = self.peek() {
            if *t == Tok::AndSym || word_is(t, AND) {
                self.i += 1;
                items.push(self.not()?);
            } else {
                break;
            }
        }
        Ok(flatten(items, false))
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some(t) if *t == Tok::NotSym || word_is(t, NOT) => {
                self.i += 1;
                Ok(Expr::Not(Box::new(self.not()?)))
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some(Tok::LParen) => {
                self.i += 1;
                let e = self.or()?;
                self.expect(Tok::RParen, "“)”")?;
                Ok(e)
            }
            Some(Tok::Word(_)) => self.condition().map(Expr::Cond),
            _ => Err(self.error("一个条件或“(”")),
        }
    }

    fn word(&mut self) -> Option<(String, usize)> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.i += 1;
                Some((w, self.i - 1))
            }
            _ => None,
        }
    }

    fn condition(&mut self) -> Result<Cond, ParseError> {
        let (w, at) = self.word().expect("atom checked a word");
        let Some(field) = fields::find(&w) else {
            return Err(self.error_at(
                at,
                "条件名（如 年龄、性别、学历、专业类别、曾任、现任、考核、培训学时、后备）",
            ));
        };
        match field.kind {
            Kind::Num(n) => {
                let field = match n {
                    NumKind::Age => NumField::Age(self.opt_date_arg()?),
                    NumKind::PartyYears => NumField::PartyYears,
                    NumKind::WorkYears => NumField::WorkYears,
                    NumKind::YearsInPost => NumField::YearsInPost,
                    NumKind::YearsAtLevel => NumField::YearsAtLevel,
                    NumKind::GrassrootsYears => NumField::GrassrootsYears,
                    NumKind::TrainingHours => {
                        self.expect(Tok::LParen, "“(近N年)”")?;
                        let n = self.window()?;
                        self.expect(Tok::RParen, "“)”")?;
                        NumField::TrainingHours(n)
                    }
                };
                let op = self.cmp_op()?;
                let value = self.number()?;
                Ok(Cond::Num { field, op, value })
            }
            Kind::Enum(field) => self.enum_cond(field),
            Kind::Text(field) => {
                let op = match self.peek() {
                    Some(Tok::Op(CmpOp::Eq)) => TextOp::Eq,
                    Some(Tok::Op(CmpOp::Ne)) => TextOp::Ne,
                    Some(Tok::Contains) => TextOp::Contains,
                    _ => return Err(self.error("“=”“!=”或“~”（包含）")),
                };
                self.i += 1;
                let value = self.text_value()?;
                Ok(Cond::Text { field, op, value })
            }
            Kind::Post { current } => {
                let pred = self.post_pred()?;
                Ok(Cond::Post { current, pred })
            }
            Kind::PostCount => {
                let pred = self.post_pred()?;
                let op = self.cmp_op()?;
                let count = self.number()?;
                if count < 0.0 || count.fract() != 0.0 {
                    return Err(self.error_at(self.i - 1, "非负整数"));
                }
                Ok(Cond::PostCount {
                    pred,
                    op,
                    count: count as u32,
                })
            }
            Kind::Grade => self.grade(),
            Kind::Flag(flag) => Ok(Cond::Flag(match flag {
                FlagKind::Reserve => Flag::Reserve,
                FlagKind::Punished => Flag::Punished(self.opt_window_arg()?),
                FlagKind::Rewarded => Flag::Rewarded(self.opt_window_arg()?),
                FlagKind::HasFindings => Flag::HasFindings,
                FlagKind::OpenFindings => Flag::OpenFindings,
                FlagKind::Probation => Flag::Probation,
            })),
        }
    }

    fn cmp_op(&mut self) -> Result<CmpOp, ParseError> {
        match self.peek() {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.i += 1;
                Ok(op)
            }
            _ => Err(self.error("比较符（= != < <= > >=）")),
        }
    }

    fn number(&mut self) -> Result<f64, ParseError> {
        match self.peek() {
            Some(Tok::Number(n)) => {
                let n = *n;
                self.i += 1;
                Ok(n)
            }
            _ => Err(self.error("数字")),
        }
    }

    fn text_value(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Some(Tok::Str(s)) | Some(Tok::Word(s)) => {
                let s = s.clone();
                self.i += 1;
                Ok(s)
            }
            Some(Tok::Number(n)) => {
                let n = *n;
                self.i += 1;
                Ok(n.to_string())
            }
            _ => Err(self.error("文字（可加引号）")),
        }
    }

    /// `(2026-06)` after 年龄, if present.
    fn opt_date_arg(&mut self) -> Result<Option<PartialDate>, ParseError> {
        if self.peek() != Some(&Tok::LParen) {
            return Ok(None);
        }
        self.i += 1;
        let at = self.i;
        let d = match self.bump().map(|t| t.tok) {
            Some(Tok::Word(w)) => w.parse::<PartialDate>().ok(),
            Some(Tok::Number(n)) if n.fract() == 0.0 => PartialDate::year(n as i16).ok(),
            _ => None,
        };
        let Some(d) = d else {
            return Err(self.error_at(at.min(self.tokens.len() - 1), "日期（如 2026-06）"));
        };
        self.expect(Tok::RParen, "“)”")?;
        Ok(Some(d))
    }

    /// `(近N年)` / `(last N)` after a flag, if present.
    fn opt_window_arg(&mut self) -> Result<Option<u16>, ParseError> {
        if self.peek() != Some(&Tok::LParen) {
            return Ok(None);
        }
        self.i += 1;
        let n = self.window()?;
        self.expect(Tok::RParen, "“)”")?;
        Ok(Some(n))
    }

    /// `近3年`, `last 3`, `last 3 years`.
    fn window(&mut self) -> Result<u16, ParseError> {
        let here = self.i;
        match self.bump().map(|t| t.tok) {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("last") => {
                let n = self.number()?;
                if matches!(self.peek(), Some(t) if word_is(t, &["years", "year"])) {
                    self.i += 1;
                }
                positive(n).ok_or_else(|| self.error_at(self.i - 1, "正整数年数"))
            }
            Some(Tok::Word(w)) => parse_han_count(&w, "近", &["年"])
                .ok_or_else(|| self.error_at(here, "年数（如 近3年 或 last 3）")),
            _ => Err(if here < self.tokens.len() {
                self.error_at(here, "年数（如 近3年 或 last 3）")
            } else {
                self.error("年数（如 近3年 或 last 3）")
            }),
        }
    }

    fn grade(&mut self) -> Result<Cond, ParseError> {
        self.expect(Tok::LParen, "“(”，如 考核(优秀, 近3年, 每年)")?;
        let at = self.i;
        let grade = match self.word() {
            Some((w, _)) => Grade::parse(&w),
            None => None,
        }
        .ok_or_else(|| {
            self.error_at(
                at.min(self.tokens.len().saturating_sub(1)),
                "考核等次（优秀、称职、基本称职、不称职）",
            )
        })?;
        self.expect(Tok::Comma, "“,”")?;
        let last = self.window()?;
        let mut quant = Quant::Each;
        if self.peek() == Some(&Tok::Comma) {
            self.i += 1;
            let at = self.i;
            quant = self.quant()?;
            if let Quant::AtLeast(k) = quant
                && k > last
            {
                return Err(self.error_at(at, &format!("不超过 {last} 的次数")));
            }
        }
        self.expect(Tok::RParen, "“)”")?;
        Ok(Cond::Grade { grade, last, quant })
    }

    fn quant(&mut self) -> Result<Quant, ParseError> {
        let here = self.i;
        let expected = "每年、任一年 或 至少K年（each / any / at least K）";
        match self.bump().map(|t| t.tok) {
            Some(Tok::Word(w)) => {
                let l = w.to_ascii_lowercase();
                match l.as_str() {
                    "each" | "all" | "每年" | "均为" => Ok(Quant::Each),
                    "any" | "任一年" | "任一" => Ok(Quant::Any),
                    "at" => {
                        if matches!(self.peek(), Some(t) if word_is(t, &["least"])) {
                            self.i += 1;
                        }
                        let n = self.number()?;
                        positive(n)
                            .map(Quant::AtLeast)
                            .ok_or_else(|| self.error_at(self.i - 1, "正整数"))
                    }
                    "at_least" => {
                        let n = self.number()?;
                        positive(n)
                            .map(Quant::AtLeast)
                            .ok_or_else(|| self.error_at(self.i - 1, "正整数"))
                    }
                    _ => parse_han_count(&w, "至少", &["年", "次", ""])
                        .map(Quant::AtLeast)
                        .ok_or_else(|| self.error_at(here, expected)),
                }
            }
            _ => Err(if here < self.tokens.len() {
                self.error_at(here, expected)
            } else {
                self.error(expected)
            }),
        }
    }

    fn enum_cond(&mut self, field: EnumField) -> Result<Cond, ParseError> {
        let is_in = matches!(self.peek(), Some(t) if word_is(t, IN));
        let op = if is_in {
            self.i += 1;
            CmpOp::Eq
        } else {
            self.cmp_op()?
        };
        if op != CmpOp::Eq && op != CmpOp::Ne && !field.ordered() {
            return Err(self.error_at(
                self.i - 1,
                &format!("“=”或“!=”（{}没有大小之分）", field.label()),
            ));
        }
        if self.peek() == Some(&Tok::LParen) || is_in {
            if op != CmpOp::Eq {
                return Err(self.error_at(self.i - 1, "“属于”或“=”（列表前）"));
            }
            self.expect(Tok::LParen, "“(”")?;
            let mut values = vec![self.enum_value(field)?];
            while self.peek() == Some(&Tok::Comma) {
                self.i += 1;
                values.push(self.enum_value(field)?);
            }
            self.expect(Tok::RParen, "“)”")?;
            return Ok(Cond::In { field, values });
        }
        let v = self.enum_value(field)?;
        Ok(Cond::Enum {
            field,
            op,
            values: vec![v],
        })
    }

    fn enum_value(&mut self, field: EnumField) -> Result<Value, ParseError> {
        let here = self.i;
        let w = match self.peek() {
            Some(Tok::Word(w)) | Some(Tok::Str(w)) => w.clone(),
            _ => return Err(self.error(&expected_values(field))),
        };
        self.i += 1;
        let v = fields::enum_value(field, &w);
        v.ok_or_else(|| self.error_at(here, &expected_values(field)))
    }

    /// `(基层, 正职, 单位类型=乡镇, 层次>=县处级副职, 分管~农业)`
    fn post_pred(&mut self) -> Result<PostPred, ParseError> {
        self.expect(Tok::LParen, "“(”，如 曾任(基层, 正职)")?;
        let mut pred = PostPred::default();
        if self.peek() == Some(&Tok::RParen) {
            self.i += 1;
            return Ok(pred);
        }
        loop {
            self.post_constraint(&mut pred)?;
            match self.peek() {
                Some(Tok::Comma) => self.i += 1,
                Some(Tok::RParen) => {
                    self.i += 1;
                    return Ok(pred);
                }
                Some(t) if word_is(t, AND) => self.i += 1,
                _ => return Err(self.error("“,”或“)”")),
            }
        }
    }

    fn post_constraint(&mut self, pred: &mut PostPred) -> Result<(), ParseError> {
        let expected = "任职条件（基层、正职、副职、兼任、单位类型=…、单位层级=…、层次>=…、分管~…、单位~…、职务~…）";
        let Some((w, at)) = self.word() else {
            return Err(self.error(expected));
        };
        let l = w.to_ascii_lowercase();
        match l.as_str() {
            "grassroots" | "基层" => pred.grassroots = true,
            "concurrent" | "兼任" => pred.concurrent = Some(true),
            "非兼任" => pred.concurrent = Some(false),
            "unit_kind" | "单位类型" => {
                self.expect(Tok::Op(CmpOp::Eq), "“=”")?;
                let here = self.i;
                let v = self.word().and_then(|(w, _)| UnitKind::parse(&w));
                pred.unit_kind = Some(v.ok_or_else(|| {
                    self.error_at(
                        here.min(self.tokens.len() - 1),
                        "单位类型（党委、政府、乡镇、工作部门……）",
                    )
                })?);
            }
            "unit_level" | "单位层级" => {
                self.expect(Tok::Op(CmpOp::Eq), "“=”")?;
                let here = self.i;
                let v = self.word().and_then(|(w, _)| UnitLevel::parse(&w));
                pred.unit_level = Some(v.ok_or_else(|| {
                    self.error_at(
                        here.min(self.tokens.len() - 1),
                        "单位层级（省级、市级、县级、乡级）",
                    )
                })?);
            }
            "rank" | "层次" | "职务层次" => {
                let op = self.cmp_op()?;
                let here = self.i;
                let v = self.word().and_then(|(w, _)| Rank::parse(&w));
                pred.rank = Some((
                    op,
                    v.ok_or_else(|| {
                        self.error_at(here.min(self.tokens.len() - 1), "职务层次（如 县处级副职）")
                    })?,
                ));
            }
            "role" | "正副职" => {
                self.expect(Tok::Op(CmpOp::Eq), "“=”")?;
                let here = self.i;
                let v = self
                    .word()
                    .and_then(|(w, _)| PostRole::parse(&w).or_else(|| role_word(&w)));
                pred.role = Some(v.ok_or_else(|| {
                    self.error_at(here.min(self.tokens.len() - 1), "正职、副职 或 成员")
                })?);
            }
            "portfolio" | "分管" | "unit" | "单位" | "position" | "职务" => {
                self.expect(Tok::Contains, "“~”（包含）")?;
                let v = self.text_value()?;
                match l.as_str() {
                    "portfolio" | "分管" => pred.portfolio = Some(v),
                    "unit" | "单位" => pred.unit = Some(v),
                    _ => pred.position = Some(v),
                }
            }
            _ => {
                if let Some(r) = role_word(&w).or_else(|| PostRole::parse(&w)) {
                    pred.role = Some(r);
                } else if let Some(k) = UnitKind::parse(&w) {
                    pred.unit_kind = Some(k);
                } else if let Some(lv) = UnitLevel::parse(&w) {
                    pred.unit_level = Some(lv);
                } else if let Some(r) = Rank::parse(&w) {
                    pred.rank = Some((CmpOp::Eq, r));
                } else {
                    return Err(self.error_at(at, expected));
                }
            }
        }
        Ok(())
    }
}

fn role_word(w: &str) -> Option<PostRole> {
    match w.to_ascii_lowercase().as_str() {
        "principal" | "一把手" | "主要领导" => Some(PostRole::Principal),
        "deputy" => Some(PostRole::Deputy),
        "member" => Some(PostRole::Member),
        _ => None,
    }
}

fn positive(n: f64) -> Option<u16> {
    (n >= 1.0 && n.fract() == 0.0 && n <= 100.0).then_some(n as u16)
}

/// `近3年` → 3 (prefix 近, one of the suffixes).
fn parse_han_count(w: &str, prefix: &str, suffixes: &[&str]) -> Option<u16> {
    let rest = w.strip_prefix(prefix)?;
    suffixes.iter().find_map(|s| {
        let digits = rest.strip_suffix(s)?;
        let n: f64 = digits.parse().ok()?;
        positive(n)
    })
}

fn expected_values(field: EnumField) -> String {
    let labels: Vec<&str> = match field {
        EnumField::Gender => Gender::ALL.iter().map(|v| v.label()).collect(),
        EnumField::PoliticalStatus => PoliticalStatus::ALL.iter().map(|v| v.label()).collect(),
        EnumField::Education | EnumField::FullTimeEducation | EnumField::InServiceEducation => {
            EduLevel::ALL.iter().map(|v| v.label()).collect()
        }
        EnumField::Degree => Degree::ALL.iter().map(|v| v.label()).collect(),
        EnumField::MajorCategory => MajorCategory::ALL.iter().map(|v| v.label()).collect(),
        EnumField::Rank | EnumField::ReserveTarget => {
            Rank::ALL[..10].iter().map(|v| v.label()).collect()
        }
        EnumField::Status => LifeCycle::ALL.iter().map(|v| v.label()).collect(),
        EnumField::Readiness => Readiness::ALL.iter().map(|v| v.label()).collect(),
    };
    format!("{}的取值（{}）", field.label(), labels.join("、"))
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => w.clone(),
        Tok::Number(n) => n.to_string(),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
        Tok::Op(op) => op.symbol().into(),
        Tok::Contains => "~".into(),
        Tok::AndSym => "&&".into(),
        Tok::OrSym => "||".into(),
        Tok::NotSym => "!".into(),
    }
}

fn flatten(mut items: Vec<Expr>, or: bool) -> Expr {
    if items.len() == 1 {
        return items.pop().expect("one item");
    }
    let mut out = Vec::new();
    for e in items {
        match (e, or) {
            (Expr::Or(v), true) | (Expr::And(v), false) => out.extend(v),
            (e, _) => out.push(e),
        }
    }
    if or { Expr::Or(out) } else { Expr::And(out) }
}
