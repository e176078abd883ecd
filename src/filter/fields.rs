//! The filter language's conditions as one table: every condition name (Chinese first, then
//! English, then aliases), the group it belongs to and what follows it (a comparison and a
//! number, a vocabulary value, text, posting conditions …). The parser finds condition names
//! here and the builder pane offers its menus from here, so the two cannot drift apart. Owns
//! names and shapes only; parsing is in `parser`, meaning in `eval`.

use super::ast::{EnumField, TextField, Value};
use super::lexer::CmpOp;
use crate::model::{
    Degree, EduLevel, Gender, LifeCycle, MajorCategory, PoliticalStatus, PostRole, Rank, Readiness,
};

/// Where a condition sits in docs/filter.md (the builder groups its field menu so).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    Identity,
    Education,
    Postings,
    Assessments,
    Rewards,
    Reserve,
}

/// Numeric measures, before their arguments (`年龄(2027-06)`, `培训学时(近3年)`) are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumKind {
    Age,
    PartyYears,
    WorkYears,
    YearsInPost,
    YearsAtLevel,
    GrassrootsYears,
    /// Needs `(近N年)`.
    TrainingHours,
}

/// Flags, before their optional `(近N年)` is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    Reserve,
    Punished,
    Rewarded,
    HasFindings,
    OpenFindings,
    Probation,
}

impl FlagKind {
    /// Whether `(近N年)` may follow.
    pub fn takes_window(self) -> bool {
        matches!(self, FlagKind::Punished | FlagKind::Rewarded)
    }
}

/// What follows a condition's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A comparison and a number.
    Num(NumKind),
    /// A comparison (ordered fields allow < >) or 属于, and vocabulary values.
    Enum(EnumField),
    /// `=`, `!=` or `~` and text.
    Text(TextField),
    /// `曾任(…)` (current: false) / `现任(…)` (current: true).
    Post {
        current: bool,
    },
    /// `任职数(…) op count`.
    PostCount,
    /// `考核(等次, 近N年, 量词)`.
    Grade,
    Flag(FlagKind),
}

/// One condition of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The Chinese name (canonical, what the expression shows), the English name, aliases.
    pub names: &'static [&'static str],
    pub group: Group,
    pub kind: Kind,
}

impl Field {
    /// The canonical Chinese name.
    pub fn label(&self) -> &'static str {
        self.names[0]
    }

    /// The English name.
    pub fn english(&self) -> &'static str {
        self.names[1]
    }
}

const fn f(names: &'static [&'static str], group: Group, kind: Kind) -> Field {
    Field { names, group, kind }
}

/// Every condition, in the order of docs/filter.md.
pub const FIELDS: &[Field] = &[
    f(&["年龄", "age"], Group::Identity, Kind::Num(NumKind::Age)),
    f(
        &["性别", "gender"],
        Group::Identity,
        Kind::Enum(EnumField::Gender),
    ),
    f(
        &["民族", "ethnicity"],
        Group::Identity,
        Kind::Text(TextField::Ethnicity),
    ),
    f(
        &["籍贯", "native_place"],
        Group::Identity,
        Kind::Text(TextField::NativePlace),
    ),
    f(
        &["出生地", "birthplace"],
        Group::Identity,
        Kind::Text(TextField::Birthplace),
    ),
    f(
        &["政治面貌", "political_status"],
        Group::Identity,
        Kind::Enum(EnumField::PoliticalStatus),
    ),
    f(
        &["党龄", "party_years"],
        Group::Identity,
        Kind::Num(NumKind::PartyYears),
    ),
    f(
        &["工龄", "work_years"],
        Group::Identity,
        Kind::Num(NumKind::WorkYears),
    ),
    f(
        &["姓名", "name"],
        Group::Identity,
        Kind::Text(TextField::Name),
    ),
    f(
        &["学历", "education"],
        Group::Education,
        Kind::Enum(EnumField::Education),
    ),
    f(
        &["全日制学历", "fulltime_education"],
        Group::Education,
        Kind::Enum(EnumField::FullTimeEducation),
    ),
    f(
        &["在职学历", "inservice_education"],
        Group::Education,
        Kind::Enum(EnumField::InServiceEducation),
    ),
    f(
        &["学位", "degree"],
        Group::Education,
        Kind::Enum(EnumField::Degree),
    ),
    f(
        &["专业类别", "major_category", "学科门类"],
        Group::Education,
        Kind::Enum(EnumField::MajorCategory),
    ),
    f(
        &["专业", "major"],
        Group::Education,
        Kind::Text(TextField::Major),
    ),
    f(
        &["院校", "school", "毕业院校"],
        Group::Education,
        Kind::Text(TextField::School),
    ),
    f(
        &["培训学时", "training_hours"],
        Group::Education,
        Kind::Num(NumKind::TrainingHours),
    ),
    f(
        &["曾任", "held"],
        Group::Postings,
        Kind::Post { current: false },
    ),
    f(
        &["现任", "holds"],
        Group::Postings,
        Kind::Post { current: true },
    ),
    f(&["任职数", "posts"], Group::Postings, Kind::PostCount),
    f(
        &["职务层次", "rank", "职级"],
        Group::Postings,
        Kind::Enum(EnumField::Rank),
    ),
    f(
        &["任现职年限", "years_in_post"],
        Group::Postings,
        Kind::Num(NumKind::YearsInPost),
    ),
    f(
        &["任现级年限", "years_at_level"],
        Group::Postings,
        Kind::Num(NumKind::YearsAtLevel),
    ),
    f(
        &["基层年限", "grassroots_years"],
        Group::Postings,
        Kind::Num(NumKind::GrassrootsYears),
    ),
    f(
        &["单位", "unit"],
        Group::Postings,
        Kind::Text(TextField::Unit),
    ),
    f(
        &["职务", "post"],
        Group::Postings,
        Kind::Text(TextField::Post),
    ),
    f(
        &["试用期", "probation"],
        Group::Postings,
        Kind::Flag(FlagKind::Probation),
    ),
    f(&["考核", "grade"], Group::Assessments, Kind::Grade),
    f(
        &["受奖励", "rewarded"],
        Group::Rewards,
        Kind::Flag(FlagKind::Rewarded),
    ),
    f(
        &["受处分", "punished"],
        Group::Rewards,
        Kind::Flag(FlagKind::Punished),
    ),
    f(
        &["有监督信息", "has_findings"],
        Group::Rewards,
        Kind::Flag(FlagKind::HasFindings),
    ),
    f(
        &["有未办结问题", "open_findings"],
        Group::Rewards,
        Kind::Flag(FlagKind::OpenFindings),
    ),
    f(
        &["后备", "reserve"],
        Group::Reserve,
        Kind::Flag(FlagKind::Reserve),
    ),
    f(
        &["后备目标", "reserve_target"],
        Group::Reserve,
        Kind::Enum(EnumField::ReserveTarget),
    ),
    f(
        &["成熟度", "readiness"],
        Group::Reserve,
        Kind::Enum(EnumField::Readiness),
    ),
    f(
        &["状态", "status"],
        Group::Reserve,
        Kind::Enum(EnumField::Status),
    ),
];

/// The condition a word names (English names in any case).
pub fn find(word: &str) -> Option<&'static Field> {
    FIELDS
        .iter()
        .find(|f| f.names.iter().any(|n| word.eq_ignore_ascii_case(n)))
}

/// The vocabulary an enumerated field takes, in the vocabulary's order (high to low where
/// ordered).
pub fn enum_values(field: EnumField) -> Vec<Value> {
    match field {
        EnumField::Gender => Gender::ALL.iter().map(|v| Value::Gender(*v)).collect(),
        EnumField::PoliticalStatus => PoliticalStatus::ALL
            .iter()
            .map(|v| Value::Political(*v))
            .collect(),
        EnumField::Education | EnumField::FullTimeEducation | EnumField::InServiceEducation => {
            EduLevel::ALL.iter().map(|v| Value::Edu(*v)).collect()
        }
        EnumField::Degree => Degree::ALL.iter().map(|v| Value::Degree(*v)).collect(),
        EnumField::MajorCategory => MajorCategory::ALL
            .iter()
            .map(|v| Value::Major(*v))
            .collect(),
        EnumField::Rank | EnumField::ReserveTarget => {
            Rank::ALL.iter().map(|v| Value::Rank(*v)).collect()
        }
        EnumField::Status => LifeCycle::ALL.iter().map(|v| Value::Status(*v)).collect(),
        EnumField::Readiness => Readiness::ALL
            .iter()
            .map(|v| Value::Readiness(*v))
            .collect(),
    }
}

/// The value `word` names for `field` (its label or an alias), if any.
pub fn enum_value(field: EnumField, word: &str) -> Option<Value> {
    match field {
        EnumField::Gender => Gender::parse(word).map(Value::Gender),
        EnumField::PoliticalStatus => PoliticalStatus::parse(word).map(Value::Political),
        EnumField::Education | EnumField::FullTimeEducation | EnumField::InServiceEducation => {
            EduLevel::parse(word).map(Value::Edu)
        }
        EnumField::Degree => Degree::parse(word).map(Value::Degree),
        EnumField::MajorCategory => MajorCategory::parse(word).map(Value::Major),
        EnumField::Rank | EnumField::ReserveTarget => Rank::parse(word).map(Value::Rank),
        EnumField::Status => LifeCycle::parse(word).map(Value::Status),
        EnumField::Readiness => Readiness::parse(word).map(Value::Readiness),
    }
}

/// The comparisons a field's kind takes after its name (属于 is offered separately for
/// enumerated fields).
pub fn comparisons(kind: Kind) -> &'static [CmpOp] {
    const ALL: &[CmpOp] = &[
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Eq,
        CmpOp::Ne,
    ];
    const EQ: &[CmpOp] = &[CmpOp::Eq, CmpOp::Ne];
    match kind {
        Kind::Enum(f) if f.ordered() => &[
            CmpOp::Ge,
            CmpOp::Gt,
            CmpOp::Le,
            CmpOp::Lt,
            CmpOp::Eq,
            CmpOp::Ne,
        ],
        Kind::Enum(_) => EQ,
        Kind::Num(_) | Kind::PostCount => ALL,
        Kind::Text(_) | Kind::Post { .. } | Kind::Grade | Kind::Flag(_) => &[],
    }
}

/// The posting conditions inside `曾任(…)`, `现任(…)` and `任职数(…)`, as the builder offers
/// them; the words are the parser's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostItem {
    Grassroots,
    Role(PostRole),
    Concurrent(bool),
    /// `单位类型=…`
    UnitKind,
    /// `单位层级=…`
    UnitLevel,
    /// `层次 op rank`
    Rank,
    /// `分管~…`
    Portfolio,
    /// `单位~…`
    Unit,
    /// `职务~…`
    Position,
}

/// Every posting condition, in the order the builder lists them.
pub const POST_ITEMS: &[PostItem] = &[
    PostItem::Grassroots,
    PostItem::Role(PostRole::Principal),
    PostItem::Role(PostRole::Deputy),
    PostItem::Role(PostRole::Member),
    PostItem::UnitKind,
    PostItem::UnitLevel,
    PostItem::Rank,
    PostItem::Concurrent(true),
    PostItem::Concurrent(false),
    PostItem::Portfolio,
    PostItem::Unit,
    PostItem::Position,
];

impl PostItem {
    /// The word the language spells it with (Chinese).
    pub fn label(self) -> &'static str {
        match self {
            PostItem::Grassroots => "基层",
            PostItem::Role(r) => r.label(),
            PostItem::Concurrent(true) => "兼任",
            PostItem::Concurrent(false) => "非兼任",
            PostItem::UnitKind => "单位类型",
            PostItem::UnitLevel => "单位层级",
            PostItem::Rank => "层次",
            PostItem::Portfolio => "分管",
            PostItem::Unit => "单位",
            PostItem::Position => "职务",
        }
    }
}
