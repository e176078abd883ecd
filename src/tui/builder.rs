//! The filter builder's menus: a condition built by keyboard, step by step (how it joins the
//! expression → field → operator → value), from the language's own table
//! (`filter::fields`) and, for text, from the values that exist in the data. It ends in a
//! `Cond` whose canonical text the pane appends to the expression. Plain data and
//! transitions; it neither draws nor reads the store.

use crate::filter::ast::{Cond, Flag, NumField, PostPred, Quant, TextOp, Value};
use crate::filter::fields::{
    self, FIELDS, Field, FlagKind, Group, Kind, NumKind, POST_ITEMS, PostItem,
};
use crate::filter::lexer::CmpOp;
use crate::filter::values::{DataValues, Source};
use crate::model::{Grade, PostRole, Rank, UnitKind, UnitLevel};

use super::input::LineInput;
use super::strings as s;

/// Most completions listed for a text value.
const COMPLETIONS: usize = 200;

/// How the new condition joins the expression already written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
    AndNot,
    OrNot,
}

impl Join {
    pub const ALL: [Join; 4] = [Join::And, Join::Or, Join::AndNot, Join::OrNot];

    /// The connective as the expression spells it.
    pub fn word(self) -> &'static str {
        match self {
            Join::And => "且",
            Join::Or => "或",
            Join::AndNot => "且 非",
            Join::OrNot => "或 非",
        }
    }

    fn note(self) -> &'static str {
        match self {
            Join::And => s::FB_JOIN_AND,
            Join::Or => s::FB_JOIN_OR,
            Join::AndNot => s::FB_JOIN_AND_NOT,
            Join::OrNot => s::FB_JOIN_OR_NOT,
        }
    }
}

/// The operator chosen after a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuOp {
    Cmp(CmpOp),
    /// `属于 (…)`: several values.
    In,
    Text(TextOp),
}

impl MenuOp {
    pub fn symbol(self) -> &'static str {
        match self {
            MenuOp::Cmp(op) => op.symbol(),
            MenuOp::In => "属于",
            MenuOp::Text(TextOp::Eq) => "=",
            MenuOp::Text(TextOp::Ne) => "!=",
            MenuOp::Text(TextOp::Contains) => "~",
        }
    }

    fn note(self) -> &'static str {
        match self {
            MenuOp::Cmp(CmpOp::Lt) => s::FB_OP_LT,
            MenuOp::Cmp(CmpOp::Le) => s::FB_OP_LE,
            MenuOp::Cmp(CmpOp::Gt) => s::FB_OP_GT,
            MenuOp::Cmp(CmpOp::Ge) => s::FB_OP_GE,
            MenuOp::Cmp(CmpOp::Eq) | MenuOp::Text(TextOp::Eq) => s::FB_OP_EQ,
            MenuOp::Cmp(CmpOp::Ne) | MenuOp::Text(TextOp::Ne) => s::FB_OP_NE,
            MenuOp::In => s::FB_OP_IN,
            MenuOp::Text(TextOp::Contains) => s::FB_OP_CONTAINS,
        }
    }
}

/// Where the builder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Join,
    Field,
    Op,
    /// Vocabulary values (several when the operator is 属于).
    Value,
    /// A number typed (a measure, or a count of postings).
    Number,
    /// Text typed or picked from the data's values.
    Text,
    /// `近N年` typed.
    Window,
    Grade,
    Quant,
    /// K of `至少K年` typed.
    AtLeast,
    /// The posting conditions, picked one after another until 完成.
    PostItems,
    UnitKind,
    UnitLevel,
    RankOp,
    Rank,
    /// The text of `分管~`, `单位~` or `职务~`.
    PostText,
}

impl Step {
    /// Whether the step takes typed text (not a choice from a list).
    pub fn is_typed(self) -> bool {
        matches!(self, Step::Number | Step::Window | Step::AtLeast)
    }
}

/// What choosing an option does.
#[derive(Clone, Debug, PartialEq)]
pub enum Pick {
    Join(Join),
    Field(&'static Field),
    Op(MenuOp),
    Value(Value),
    Text(String),
    Grade(Grade),
    Quant(Quant),
    /// 至少K年: K is typed next.
    AtLeast,
    Item(PostItem),
    Done,
    Kind(UnitKind),
    Level(UnitLevel),
    RankOp(CmpOp),
    Rank(Rank),
}

/// One line of a menu.
#[derive(Clone, Debug, PartialEq)]
pub struct Opt {
    pub label: String,
    /// Shown dimmed beside the label (the English name, what an operator means, a count).
    pub note: String,
    /// The group heading this option starts, if any (fields are grouped as in the docs).
    pub heading: Option<&'static str>,
    /// Chosen already (a value of 属于, a posting condition).
    pub marked: bool,
    pub pick: Pick,
}

impl Opt {
    fn new(label: impl Into<String>, note: impl Into<String>, pick: Pick) -> Self {
        Opt {
            label: label.into(),
            note: note.into(),
            heading: None,
            marked: false,
            pick,
        }
    }
}

/// What a confirm did.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// On to the next step (or the same step with one more item chosen).
    More,
    /// The condition is complete; the text goes after the expression (connective included).
    Done { text: String, cond: Cond },
    /// The typed text is not acceptable here; the message says why.
    Invalid(String),
}

/// The builder's state: the step, what is chosen so far, the text typed and the options it
/// leaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Builder {
    pub step: Step,
    pub join: Option<Join>,
    pub field: Option<&'static Field>,
    pub op: Option<MenuOp>,
    /// Values of 属于, in the order chosen.
    pub marked: Vec<Value>,
    pub pred: PostPred,
    pub window: Option<u16>,
    pub grade: Option<Grade>,
    pub quant: Option<Quant>,
    /// The posting condition waiting for its value.
    pub item: Option<PostItem>,
    pub rank_op: Option<CmpOp>,
    /// The text value of a text condition.
    pub text: Option<String>,
    /// The number typed (a measure, or a count of postings).
    pub number: Option<f64>,
    /// What is typed: narrows a list, or is the value.
    pub input: LineInput,
    /// The options left by what is typed, and the highlighted one.
    pub options: Vec<Opt>,
    pub selected: usize,
}

impl Builder {
    /// A builder for a new condition; `joined` when there is an expression to join it to.
    pub fn new(joined: bool, data: Option<&DataValues>) -> Self {
        let mut b = Builder {
            step: if joined { Step::Join } else { Step::Field },
            join: None,
            field: None,
            op: None,
            marked: Vec::new(),
            pred: PostPred::default(),
            window: None,
            grade: None,
            quant: None,
            item: None,
            rank_op: None,
            text: None,
            number: None,
            input: LineInput::default(),
            options: Vec::new(),
            selected: 0,
        };
        b.refresh(data);
        b
    }

    /// The instruction for the current step.
    pub fn prompt(&self) -> String {
        let kind = self.field.map(|f| f.kind);
        match self.step {
            Step::Join => s::FB_STEP_JOIN.into(),
            Step::Field => s::FB_STEP_FIELD.into(),
            Step::Op => s::FB_STEP_OP.into(),
            Step::Value if self.op == Some(MenuOp::In) => s::FB_STEP_VALUES.into(),
            Step::Value => s::FB_STEP_VALUE.into(),
            Step::Number if kind == Some(Kind::PostCount) => s::FB_STEP_COUNT.into(),
            Step::Number => s::FB_STEP_NUMBER.into(),
            Step::Text | Step::PostText => s::FB_STEP_TEXT.into(),
            Step::Window => match self.window_default() {
                Some(n) => s::fill(s::FB_STEP_WINDOW, &[("default", &n)]),
                None => s::FB_STEP_WINDOW_ANY.into(),
            },
            Step::Grade => s::FB_STEP_GRADE.into(),
            Step::Quant => s::FB_STEP_QUANT.into(),
            Step::AtLeast => s::FB_STEP_AT_LEAST.into(),
            Step::PostItems => s::FB_STEP_POST.into(),
            Step::UnitKind => s::FB_STEP_UNIT_KIND.into(),
            Step::UnitLevel => s::FB_STEP_UNIT_LEVEL.into(),
            Step::RankOp => s::FB_STEP_RANK_OP.into(),
            Step::Rank => s::FB_STEP_RANK.into(),
        }
    }

    /// The condition as far as it is built (for the menu's title line).
    pub fn preview(&self) -> String {
        let Some(f) = self.field else {
            return self.join.map(|j| j.word().to_string()).unwrap_or_default();
        };
        let mut out = String::new();
        if let Some(j) = self.join {
            out.push_str(j.word());
            out.push(' ');
        }
        out.push_str(f.label());
        match f.kind {
            Kind::Post { .. } | Kind::PostCount => {
                out.push_str(&format!("({})", self.pred));
                if let Some(op) = self.op {
                    out.push_str(&format!(" {}", op.symbol()));
                }
            }
            Kind::Grade => {
                out.push('(');
                let mut parts: Vec<String> = Vec::new();
                if let Some(g) = self.grade {
                    parts.push(g.label().into());
                }
                if let Some(n) = self.window {
                    parts.push(format!("近{n}年"));
                }
                out.push_str(&parts.join(", "));
            }
            Kind::Num(NumKind::TrainingHours) | Kind::Flag(_) => {
                if let Some(n) = self.window {
                    out.push_str(&format!("(近{n}年)"));
                }
                if let Some(op) = self.op {
                    out.push_str(&format!(" {}", op.symbol()));
                }
            }
            _ => {
                if let Some(op) = self.op {
                    out.push_str(&format!(" {}", op.symbol()));
                }
                if !self.marked.is_empty() {
                    let v: Vec<&str> = self.marked.iter().map(|v| v.label()).collect();
                    out.push_str(&format!(" ({}", v.join(", ")));
                }
            }
        }
        out
    }

    /// Recomputes the options from the step and what is typed; the highlight goes back to
    /// the first.
    pub fn refresh(&mut self, data: Option<&DataValues>) {
        self.options = self.all_options(data);
        let typed = self.input.text().trim().to_lowercase();
        if !typed.is_empty() && self.step != Step::Text && self.step != Step::PostText {
            let rank = |o: &Opt| {
                let l = o.label.to_lowercase();
                let n = o.note.to_lowercase();
                if l == typed || n == typed {
                    Some(0)
                } else if l.starts_with(&typed) || n.starts_with(&typed) {
                    Some(1)
                } else if l.contains(&typed) || n.contains(&typed) {
                    Some(2)
                } else {
                    None
                }
            };
            let mut kept: Vec<(u8, usize, Opt)> = self
                .options
                .drain(..)
                .enumerate()
                .filter_map(|(i, o)| rank(&o).map(|r| (r, i, o)))
                .collect();
            kept.sort_by_key(|(r, i, _)| (*r, *i));
            self.options = kept
                .into_iter()
                .map(|(_, _, mut o)| {
                    o.heading = None;
                    o
                })
                .collect();
        }
        self.selected = 0;
    }

    fn all_options(&self, data: Option<&DataValues>) -> Vec<Opt> {
        let kind = self.field.map(|f| f.kind);
        match self.step {
            Step::Join => Join::ALL
                .iter()
                .map(|j| Opt::new(j.word(), j.note(), Pick::Join(*j)))
                .collect(),
            Step::Field => {
                let mut last: Option<Group> = None;
                FIELDS
                    .iter()
                    .map(|f| {
                        let mut o = Opt::new(f.label(), f.english(), Pick::Field(f));
                        if last != Some(f.group) {
                            o.heading = Some(group_label(f.group));
                            last = Some(f.group);
                        }
                        o
                    })
                    .collect()
            }
            Step::Op => {
                let ops: Vec<MenuOp> = match kind {
                    Some(Kind::Text(_)) => vec![
                        MenuOp::Text(TextOp::Contains),
                        MenuOp::Text(TextOp::Eq),
                        MenuOp::Text(TextOp::Ne),
                    ],
                    Some(k @ Kind::Enum(_)) => {
                        let mut v = vec![MenuOp::In];
                        v.extend(fields::comparisons(k).iter().map(|op| MenuOp::Cmp(*op)));
                        v
                    }
                    Some(k) => fields::comparisons(k)
                        .iter()
                        .map(|op| MenuOp::Cmp(*op))
                        .collect(),
                    None => Vec::new(),
                };
                ops.into_iter()
                    .map(|op| Opt::new(op.symbol(), op.note(), Pick::Op(op)))
                    .collect()
            }
            Step::Value => {
                let Some(Kind::Enum(f)) = kind else {
                    return Vec::new();
                };
                fields::enum_values(f)
                    .into_iter()
                    .map(|v| {
                        let mut o = Opt::new(v.label(), "", Pick::Value(v));
                        o.marked = self.marked.contains(&v);
                        o
                    })
                    .collect()
            }
            Step::Text | Step::PostText => {
                let src = match (kind, self.item) {
                    (Some(Kind::Text(f)), _) => Source::Text(f),
                    (_, Some(PostItem::Portfolio)) => Source::Portfolio,
                    (_, Some(PostItem::Unit)) => Source::PostingUnit,
                    _ => Source::PostingPosition,
                };
                let typed = self.input.text().trim();
                let mut out = Vec::new();
                if !typed.is_empty() {
                    out.push(Opt::new(typed, s::FB_AS_TYPED, Pick::Text(typed.into())));
                }
                for (v, n) in data
                    .map(|d| d.matching(src, typed, COMPLETIONS))
                    .unwrap_or_default()
                {
                    if v != typed {
                        let note = s::fill(s::FB_COUNT, &[("n", &n)]);
                        out.push(Opt::new(v, note, Pick::Text(v.into())));
                    }
                }
                out
            }
            Step::Grade => Grade::ALL
                .iter()
                .map(|g| Opt::new(g.label(), "", Pick::Grade(*g)))
                .collect(),
            Step::Quant => {
                let n = self.window.unwrap_or(3);
                vec![
                    Opt::new(
                        "每年",
                        s::fill(s::FB_QUANT_EACH, &[("n", &n)]),
                        Pick::Quant(Quant::Each),
                    ),
                    Opt::new(
                        "任一年",
                        s::fill(s::FB_QUANT_ANY, &[("n", &n)]),
                        Pick::Quant(Quant::Any),
                    ),
                    Opt::new(
                        "至少K年",
                        s::fill(s::FB_QUANT_AT_LEAST, &[("n", &n)]),
                        Pick::AtLeast,
                    ),
                ]
            }
            Step::PostItems => {
                let mut out = vec![Opt::new(s::FB_DONE, self.pred.to_string(), Pick::Done)];
                for item in POST_ITEMS {
                    let (note, marked) = self.item_state(*item);
                    let mut o = Opt::new(item.label(), note, Pick::Item(*item));
                    o.marked = marked;
                    out.push(o);
                }
                out
            }
            Step::UnitKind => UnitKind::ALL
                .iter()
                .map(|k| Opt::new(k.label(), "", Pick::Kind(*k)))
                .collect(),
            Step::UnitLevel => UnitLevel::ALL
                .iter()
                .map(|l| Opt::new(l.label(), "", Pick::Level(*l)))
                .collect(),
            Step::RankOp => [
                CmpOp::Ge,
                CmpOp::Gt,
                CmpOp::Eq,
                CmpOp::Le,
                CmpOp::Lt,
                CmpOp::Ne,
            ]
            .iter()
            .map(|op| Opt::new(op.symbol(), MenuOp::Cmp(*op).note(), Pick::RankOp(*op)))
            .collect(),
            Step::Rank => Rank::ALL
                .iter()
                .map(|r| Opt::new(r.label(), "", Pick::Rank(*r)))
                .collect(),
            Step::Number | Step::Window | Step::AtLeast => Vec::new(),
        }
    }

    /// A posting condition's note (its value when set) and whether it is set.
    fn item_state(&self, item: PostItem) -> (String, bool) {
        let p = &self.pred;
        match item {
            PostItem::Grassroots => (s::FB_ITEM_GRASSROOTS.into(), p.grassroots),
            PostItem::Role(r) => (role_note(r).into(), p.role == Some(r)),
            PostItem::Concurrent(c) => (
                if c {
                    s::FB_ITEM_CONCURRENT
                } else {
                    s::FB_ITEM_NOT_CONCURRENT
                }
                .into(),
                p.concurrent == Some(c),
            ),
            PostItem::UnitKind => match p.unit_kind {
                Some(k) => (format!("={}", k.label()), true),
                None => (s::FB_ITEM_UNIT_KIND.into(), false),
            },
            PostItem::UnitLevel => match p.unit_level {
                Some(l) => (format!("={}", l.label()), true),
                None => (s::FB_ITEM_UNIT_LEVEL.into(), false),
            },
            PostItem::Rank => match p.rank {
                Some((op, r)) => (format!("{}{}", op.symbol(), r.label()), true),
                None => (s::FB_ITEM_RANK.into(), false),
            },
            PostItem::Portfolio => text_state(&p.portfolio, s::FB_ITEM_PORTFOLIO),
            PostItem::Unit => text_state(&p.unit, s::FB_ITEM_UNIT),
            PostItem::Position => text_state(&p.position, s::FB_ITEM_POSITION),
        }
    }

    /// Highlights the next (or previous) option, wrapping.
    pub fn move_by(&mut self, delta: isize) {
        let n = self.options.len();
        if n == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).rem_euclid(n as isize) as usize;
    }

    /// Applies an editing action to the typed text; the options follow.
    pub fn edit(&mut self, action: &super::action::Action, data: Option<&DataValues>) -> bool {
        let changed = self.input.apply(action);
        if changed {
            self.refresh(data);
        }
        changed
    }

    /// Marks or unmarks the highlighted value of 属于 (the text typed is cleared for the
    /// next one).
    pub fn toggle(&mut self, data: Option<&DataValues>) {
        if self.step != Step::Value || self.op != Some(MenuOp::In) {
            return;
        }
        if let Some(Pick::Value(v)) = self.options.get(self.selected).map(|o| o.pick.clone()) {
            match self.marked.iter().position(|m| *m == v) {
                Some(i) => {
                    self.marked.remove(i);
                }
                None => self.marked.push(v),
            }
            self.input.clear();
            let keep = self.options.get(self.selected).map(|o| o.label.clone());
            self.refresh(data);
            if let Some(k) = keep {
                self.selected = self.options.iter().position(|o| o.label == k).unwrap_or(0);
            }
        }
    }

    /// Enter: takes the typed value or the highlighted option and moves on.
    pub fn confirm(&mut self, data: Option<&DataValues>) -> Progress {
        let progress = if self.step.is_typed() {
            self.take_typed()
        } else {
            match self.options.get(self.selected).map(|o| o.pick.clone()) {
                Some(p) => self.choose(p),
                None => Progress::Invalid(s::FB_NOTHING.into()),
            }
        };
        if progress == Progress::More {
            self.input.clear();
            self.refresh(data);
        }
        progress
    }

    fn take_typed(&mut self) -> Progress {
        let typed = self.input.text().trim().to_string();
        match self.step {
            Step::Number => {
                let count = self.field.map(|f| f.kind) == Some(Kind::PostCount);
                let Some(n) = typed.parse::<f64>().ok().filter(|n| n.is_finite()) else {
                    return Progress::Invalid(s::FB_BAD_NUMBER.into());
                };
                if count && (n < 0.0 || n.fract() != 0.0) {
                    return Progress::Invalid(s::FB_BAD_COUNT.into());
                }
                self.finish_number(n)
            }
            Step::Window => {
                let n = if typed.is_empty() {
                    self.window_default()
                } else {
                    match years(&typed) {
                        Some(n) => Some(n),
                        None => return Progress::Invalid(s::FB_BAD_YEARS.into()),
                    }
                };
                self.window = n;
                match self.field.map(|f| f.kind) {
                    Some(Kind::Grade) => {
                        self.step = Step::Quant;
                        Progress::More
                    }
                    Some(Kind::Num(_)) => {
                        self.step = Step::Op;
                        Progress::More
                    }
                    _ => self.done(),
                }
            }
            Step::AtLeast => {
                let Some(k) = years(&typed) else {
                    return Progress::Invalid(s::FB_BAD_YEARS.into());
                };
                let last = self.window.unwrap_or(3);
                if k > last {
                    return Progress::Invalid(s::fill(s::FB_AT_LEAST_OVER, &[("n", &last)]));
                }
                self.quant = Some(Quant::AtLeast(k));
                self.done()
            }
            _ => Progress::More,
        }
    }

    /// The window taken when nothing is typed: 3 years where one is needed, none for flags.
    fn window_default(&self) -> Option<u16> {
        match self.field.map(|f| f.kind) {
            Some(Kind::Flag(_)) => None,
            _ => Some(3),
        }
    }

    fn choose(&mut self, pick: Pick) -> Progress {
        match pick {
            Pick::Join(j) => {
                self.join = Some(j);
                self.step = Step::Field;
                Progress::More
            }
            Pick::Field(f) => {
                self.field = Some(f);
                self.step = match f.kind {
                    Kind::Num(NumKind::TrainingHours) => Step::Window,
                    Kind::Num(_) | Kind::Enum(_) | Kind::Text(_) => Step::Op,
                    Kind::Post { .. } | Kind::PostCount => Step::PostItems,
                    Kind::Grade => Step::Grade,
                    Kind::Flag(k) if k.takes_window() => Step::Window,
                    Kind::Flag(_) => return self.done(),
                };
                Progress::More
            }
            Pick::Op(op) => {
                self.op = Some(op);
                self.step = match self.field.map(|f| f.kind) {
                    Some(Kind::Enum(_)) => Step::Value,
                    Some(Kind::Text(_)) => Step::Text,
                    _ => Step::Number,
                };
                Progress::More
            }
            Pick::Value(v) => {
                if self.op == Some(MenuOp::In) {
                    if !self.marked.contains(&v) {
                        self.marked.push(v);
                    }
                } else {
                    self.marked = vec![v];
                }
                self.done()
            }
            Pick::Text(t) => {
                if self.step == Step::PostText {
                    match self.item {
                        Some(PostItem::Portfolio) => self.pred.portfolio = Some(t),
                        Some(PostItem::Unit) => self.pred.unit = Some(t),
                        _ => self.pred.position = Some(t),
                    }
                    self.back_to_items()
                } else {
                    self.marked.clear();
                    self.text = Some(t);
                    self.done()
                }
            }
            Pick::Grade(g) => {
                self.grade = Some(g);
                self.step = Step::Window;
                Progress::More
            }
            Pick::Quant(q) => {
                self.quant = Some(q);
                self.done()
            }
            Pick::AtLeast => {
                self.step = Step::AtLeast;
                Progress::More
            }
            Pick::Done => match self.field.map(|f| f.kind) {
                Some(Kind::PostCount) => {
                    self.step = Step::Op;
                    Progress::More
                }
                _ => self.done(),
            },
            Pick::Item(item) => self.choose_item(item),
            Pick::Kind(k) => {
                self.pred.unit_kind = Some(k);
                self.back_to_items()
            }
            Pick::Level(l) => {
                self.pred.unit_level = Some(l);
                self.back_to_items()
            }
            Pick::RankOp(op) => {
                self.rank_op = Some(op);
                self.step = Step::Rank;
                Progress::More
            }
            Pick::Rank(r) => {
                self.pred.rank = Some((self.rank_op.unwrap_or(CmpOp::Eq), r));
                self.back_to_items()
            }
        }
    }

    /// A posting condition chosen: simple ones are switched on (or off again), the others
    /// ask for their value.
    fn choose_item(&mut self, item: PostItem) -> Progress {
        let (_, set) = self.item_state(item);
        let pred = &mut self.pred;
        match item {
            PostItem::Grassroots => pred.grassroots = !set,
            PostItem::Role(r) => pred.role = if set { None } else { Some(r) },
            PostItem::Concurrent(c) => pred.concurrent = if set { None } else { Some(c) },
            _ if set => match item {
                PostItem::UnitKind => pred.unit_kind = None,
                PostItem::UnitLevel => pred.unit_level = None,
                PostItem::Rank => pred.rank = None,
                PostItem::Portfolio => pred.portfolio = None,
                PostItem::Unit => pred.unit = None,
                _ => pred.position = None,
            },
            _ => {
                self.item = Some(item);
                self.step = match item {
                    PostItem::UnitKind => Step::UnitKind,
                    PostItem::UnitLevel => Step::UnitLevel,
                    PostItem::Rank => Step::RankOp,
                    _ => Step::PostText,
                };
            }
        }
        Progress::More
    }

    fn back_to_items(&mut self) -> Progress {
        self.item = None;
        self.step = Step::PostItems;
        Progress::More
    }

    fn finish_number(&mut self, n: f64) -> Progress {
        self.number = Some(n);
        self.done()
    }

    /// The condition as built, and the text to append.
    fn done(&mut self) -> Progress {
        match self.cond() {
            Some(cond) => {
                let text = match self.join {
                    Some(j) => format!(" {} {cond}", j.word()),
                    None => cond.to_string(),
                };
                Progress::Done { text, cond }
            }
            None => Progress::Invalid(s::FB_NOTHING.into()),
        }
    }

    /// The condition the choices make, once complete.
    pub fn cond(&self) -> Option<Cond> {
        let f = self.field?;
        let cmp = match self.op {
            Some(MenuOp::Cmp(op)) => Some(op),
            _ => None,
        };
        Some(match f.kind {
            Kind::Num(k) => Cond::Num {
                field: match k {
                    NumKind::Age => NumField::Age(None),
                    NumKind::PartyYears => NumField::PartyYears,
                    NumKind::WorkYears => NumField::WorkYears,
                    NumKind::YearsInPost => NumField::YearsInPost,
                    NumKind::YearsAtLevel => NumField::YearsAtLevel,
                    NumKind::GrassrootsYears => NumField::GrassrootsYears,
                    NumKind::TrainingHours => NumField::TrainingHours(self.window?),
                },
                op: cmp?,
                value: self.number?,
            },
            Kind::Enum(field) => match self.op? {
                MenuOp::In if !self.marked.is_empty() => Cond::In {
                    field,
                    values: self.marked.clone(),
                },
                MenuOp::Cmp(op) if self.marked.len() == 1 => Cond::Enum {
                    field,
                    op,
                    values: self.marked.clone(),
                },
                _ => return None,
            },
            Kind::Text(field) => Cond::Text {
                field,
                op: match self.op? {
                    MenuOp::Text(op) => op,
                    _ => return None,
                },
                value: self.text.clone()?,
            },
            Kind::Post { current } => Cond::Post {
                current,
                pred: self.pred.clone(),
            },
            Kind::PostCount => Cond::PostCount {
                pred: self.pred.clone(),
                op: cmp?,
                count: self.number? as u32,
            },
            Kind::Grade => Cond::Grade {
                grade: self.grade?,
                last: self.window?,
                quant: self.quant?,
            },
            Kind::Flag(k) => Cond::Flag(match k {
                FlagKind::Reserve => Flag::Reserve,
                FlagKind::Punished => Flag::Punished(self.window),
                FlagKind::Rewarded => Flag::Rewarded(self.window),
                FlagKind::HasFindings => Flag::HasFindings,
                FlagKind::OpenFindings => Flag::OpenFindings,
                FlagKind::Probation => Flag::Probation,
            }),
        })
    }
}

fn text_state(v: &Option<String>, note: &str) -> (String, bool) {
    match v {
        Some(t) => (format!("~{t}"), true),
        None => (note.into(), false),
    }
}

fn role_note(r: PostRole) -> &'static str {
    match r {
        PostRole::Principal => s::FB_ITEM_PRINCIPAL,
        PostRole::Deputy => s::FB_ITEM_DEPUTY,
        PostRole::Member => s::FB_ITEM_MEMBER,
    }
}

/// A whole number of years the language accepts (1 to 100).
fn years(t: &str) -> Option<u16> {
    let n: u16 = t.parse().ok()?;
    (1..=100).contains(&n).then_some(n)
}

/// The heading of a group of fields.
pub fn group_label(g: Group) -> &'static str {
    match g {
        Group::Identity => s::FB_GROUP_IDENTITY,
        Group::Education => s::FB_GROUP_EDUCATION,
        Group::Postings => s::FB_GROUP_POSTINGS,
        Group::Assessments => s::FB_GROUP_ASSESSMENTS,
        Group::Rewards => s::FB_GROUP_REWARDS,
        Group::Reserve => s::FB_GROUP_RESERVE,
    }
}
