//! The filter language's syntax tree and its canonical Chinese text (what the builder pane
//! shows and saved filters store). Pure data; parsing is in `parser`, meaning in `eval`.

use std::fmt;

use super::lexer::CmpOp;
use crate::model::*;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Cond(Cond),
}

/// Numeric measures of a dossier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumField {
    /// Age as of the given date (or the query's date).
    Age(Option<PartialDate>),
    PartyYears,
    WorkYears,
    YearsInPost,
    YearsAtLevel,
    GrassrootsYears,
    /// Training hours over the last N years.
    TrainingHours(u16),
}

/// Fields compared by their vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnumField {
    Gender,
    PoliticalStatus,
    Education,
    FullTimeEducation,
    InServiceEducation,
    Degree,
    MajorCategory,
    Rank,
    Status,
    ReserveTarget,
    Readiness,
}

/// Free-text fields, compared whole (=) or by containment (~).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextField {
    Name,
    Ethnicity,
    NativePlace,
    Birthplace,
    Major,
    School,
    Unit,
    Post,
}

/// A vocabulary value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    Gender(Gender),
    Political(PoliticalStatus),
    Edu(EduLevel),
    Degree(Degree),
    Major(MajorCategory),
    Rank(Rank),
    Status(LifeCycle),
    Readiness(Readiness),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextOp {
    Eq,
    Ne,
    Contains,
}

/// What a posting must be to match `held(...)` / `holds(...)` / `posts(...)`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PostPred {
    pub grassroots: bool,
    pub role: Option<PostRole>,
    pub unit_kind: Option<UnitKind>,
    pub unit_level: Option<UnitLevel>,
    pub rank: Option<(CmpOp, Rank)>,
    pub concurrent: Option<bool>,
    pub portfolio: Option<String>,
    pub unit: Option<String>,
    pub position: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    Each,
    Any,
    AtLeast(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    Reserve,
    /// Punished within the last N years (None: ever).
    Punished(Option<u16>),
    Rewarded(Option<u16>),
    HasFindings,
    OpenFindings,
    Probation,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Num {
        field: NumField,
        op: CmpOp,
        value: f64,
    },
    Enum {
        field: EnumField,
        op: CmpOp,
        values: Vec<Value>,
    },
    In {
        field: EnumField,
        values: Vec<Value>,
    },
    Text {
        field: TextField,
        op: TextOp,
        value: String,
    },
    /// Has held (current: false) or holds (current: true) a matching post.
    Post {
        current: bool,
        pred: PostPred,
    },
    /// The number of matching postings compared with a count.
    PostCount {
        pred: PostPred,
        op: CmpOp,
        count: u32,
    },
    /// Assessment grade G in each / any / at least K of the last N years.
    Grade {
        grade: Grade,
        last: u16,
        quant: Quant,
    },
    Flag(Flag),
}

impl Value {
    pub fn label(&self) -> &'static str {
        match self {
            Value::Gender(v) => v.label(),
            Value::Political(v) => v.label(),
            Value::Edu(v) => v.label(),
            Value::Degree(v) => v.label(),
            Value::Major(v) => v.label(),
            Value::Rank(v) => v.label(),
            Value::Status(v) => v.label(),
            Value::Readiness(v) => v.label(),
        }
    }
}

impl EnumField {
    pub fn label(self) -> &'static str {
        match self {
            EnumField::Gender => "性别",
            EnumField::PoliticalStatus => "政治面貌",
            EnumField::Education => "学历",
            EnumField::FullTimeEducation => "全日制学历",
            EnumField::InServiceEducation => "在职学历",
            EnumField::Degree => "学位",
            EnumField::MajorCategory => "专业类别",
            EnumField::Rank => "职务层次",
            EnumField::Status => "状态",
            EnumField::ReserveTarget => "后备目标",
            EnumField::Readiness => "成熟度",
        }
    }
    /// Whether < and > mean something (levels and ranks are ordered).
    pub fn ordered(self) -> bool {
        matches!(
            self,
            EnumField::Education
                | EnumField::FullTimeEducation
                | EnumField::InServiceEducation
                | EnumField::Degree
                | EnumField::Rank
                | EnumField::ReserveTarget
        )
    }
}

impl TextField {
    pub fn label(self) -> &'static str {
        match self {
            TextField::Name => "姓名",
            TextField::Ethnicity => "民族",
            TextField::NativePlace => "籍贯",
            TextField::Birthplace => "出生地",
            TextField::Major => "专业",
            TextField::School => "院校",
            TextField::Unit => "单位",
            TextField::Post => "职务",
        }
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'"))
}

impl fmt::Display for PostPred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.grassroots {
            parts.push("基层".into());
        }
        if let Some(r) = self.role {
            parts.push(r.label().into());
        }
        if let Some(k) = self.unit_kind {
            parts.push(format!("单位类型={}", k.label()));
        }
        if let Some(l) = self.unit_level {
            parts.push(format!("单位层级={}", l.label()));
        }
        if let Some((op, r)) = self.rank {
            parts.push(format!("层次{}{}", op.symbol(), r.label()));
        }
        match self.concurrent {
            Some(true) => parts.push("兼任".into()),
            Some(false) => parts.push("非兼任".into()),
            None => {}
        }
        if let Some(s) = &self.portfolio {
            parts.push(format!("分管~{}", quote(s)));
        }
        if let Some(s) = &self.unit {
            parts.push(format!("单位~{}", quote(s)));
        }
        if let Some(s) = &self.position {
            parts.push(format!("职务~{}", quote(s)));
        }
        write!(f, "{}", parts.join(", "))
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Num { field, op, value } => {
                let name = match field {
                    NumField::Age(None) => "年龄".to_string(),
                    NumField::Age(Some(d)) => format!("年龄({d})"),
                    NumField::PartyYears => "党龄".into(),
                    NumField::WorkYears => "工龄".into(),
                    NumField::YearsInPost => "任现职年限".into(),
                    NumField::YearsAtLevel => "任现级年限".into(),
                    NumField::GrassrootsYears => "基层年限".into(),
                    NumField::TrainingHours(n) => format!("培训学时(近{n}年)"),
                };
                write!(f, "{name} {} {value}", op.symbol())
            }
            Cond::Enum { field, op, values } => {
                write!(f, "{} {} {}", field.label(), op.symbol(), values[0].label())
            }
            Cond::In { field, values } => {
                let v: Vec<&str> = values.iter().map(|v| v.label()).collect();
                write!(f, "{} 属于 ({})", field.label(), v.join(", "))
            }
            Cond::Text { field, op, value } => {
                let op = match op {
                    TextOp::Eq => "=",
                    TextOp::Ne => "!=",
                    TextOp::Contains => "~",
                };
                write!(f, "{} {op} {}", field.label(), quote(value))
            }
            Cond::Post { current, pred } => {
                write!(f, "{}({pred})", if *current { "现任" } else { "曾任" })
            }
            Cond::PostCount { pred, op, count } => {
                write!(f, "任职数({pred}) {} {count}", op.symbol())
            }
            Cond::Grade { grade, last, quant } => {
                let q = match quant {
                    Quant::Each => "每年".to_string(),
                    Quant::Any => "任一年".to_string(),
                    Quant::AtLeast(k) => format!("至少{k}年"),
                };
                write!(f, "考核({grade}, 近{last}年, {q})")
            }
            Cond::Flag(flag) => match flag {
                Flag::Reserve => write!(f, "后备"),
                Flag::Punished(None) => write!(f, "受处分"),
                Flag::Punished(Some(n)) => write!(f, "受处分(近{n}年)"),
                Flag::Rewarded(None) => write!(f, "受奖励"),
                Flag::Rewarded(Some(n)) => write!(f, "受奖励(近{n}年)"),
                Flag::HasFindings => write!(f, "有监督信息"),
                Flag::OpenFindings => write!(f, "有未办结问题"),
                Flag::Probation => write!(f, "试用期"),
            },
        }
    }
}

impl Expr {
    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, parent: u8) -> fmt::Result {
        let (prec, sep, items): (u8, &str, &[Expr]) = match self {
            Expr::Or(v) => (1, " 或 ", v),
            Expr::And(v) => (2, " 且 ", v),
            Expr::Not(e) => {
                write!(f, "非 ")?;
                return e.fmt_prec(f, 3);
            }
            Expr::Cond(c) => return write!(f, "{c}"),
        };
        if prec < parent {
            write!(f, "(")?;
        }
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                write!(f, "{sep}")?;
            }
            e.fmt_prec(f, prec + 1)?;
        }
        if prec < parent {
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, 0)
    }
}
