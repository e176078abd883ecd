//! The filter language over facts: an `Expr` is compiled once into a `Plan` (text conditions
//! become marks over the interned pool, vocabulary conditions become bit masks), then decided
//! for each person without touching a dossier. The meaning is exactly `filter::eval`'s, which
//! stays the reference: tests compare the two on the demo province and on generated
//! expressions.

use crate::filter::ast::*;
use crate::filter::eval::{height, merged_years, rank_holds, within_years};
use crate::filter::lexer::CmpOp;
use crate::model::*;

use super::{Facts, GRADE_WINDOW, Hot, Person, PostFact};

/// A compiled filter, bound to the facts it was compiled for (text marks index their pool).
pub struct Plan {
    node: Node,
    today: PartialDate,
}

enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Leaf(Leaf),
}

enum Leaf {
    Num {
        field: NumField,
        op: CmpOp,
        value: f64,
    },
    /// Any of the person's values of `field` is in the mask.
    EnumAny {
        field: EnumField,
        mask: u64,
    },
    /// The person has a value of `field` and none of them is in the mask (`!=`).
    EnumNone {
        field: EnumField,
        mask: u64,
    },
    /// Name compared directly (names are not interned).
    Name {
        op: TextOp,
        value: String,
    },
    /// Other texts: which pool entries satisfy the comparison (`=` and `~`, or `=` for `!=`).
    Text {
        field: TextField,
        negate: bool,
        marks: Vec<bool>,
    },
    Post {
        current: bool,
        pred: PostPlan,
    },
    PostCount {
        pred: PostPlan,
        op: CmpOp,
        count: u32,
    },
    Grade {
        grade: Grade,
        last: u16,
        quant: Quant,
    },
    Flag(Flag),
}

struct PostPlan {
    grassroots: bool,
    role: Option<PostRole>,
    unit_kind: Option<UnitKind>,
    unit_level: Option<UnitLevel>,
    rank: Option<(CmpOp, Rank)>,
    concurrent: Option<bool>,
    portfolio: Option<Vec<bool>>,
    unit: Option<Vec<bool>>,
    position: Option<Vec<bool>>,
}

fn pos<T: PartialEq>(all: &[T], v: T) -> u64 {
    all.iter().position(|x| *x == v).map_or(0, |i| 1 << i)
}

/// The bit of a value within its field's vocabulary; 0 when the value is of another kind.
fn code(field: EnumField, v: &Value) -> u64 {
    match (field, v) {
        (EnumField::Gender, Value::Gender(g)) => pos(Gender::ALL, *g),
        (EnumField::PoliticalStatus, Value::Political(p)) => pos(PoliticalStatus::ALL, *p),
        (
            EnumField::Education | EnumField::FullTimeEducation | EnumField::InServiceEducation,
            Value::Edu(l),
        ) => pos(EduLevel::ALL, *l),
        (EnumField::Degree, Value::Degree(d)) => pos(Degree::ALL, *d),
        (EnumField::MajorCategory, Value::Major(m)) => pos(MajorCategory::ALL, *m),
        (EnumField::Rank | EnumField::ReserveTarget, Value::Rank(r)) => pos(Rank::ALL, *r),
        (EnumField::Status, Value::Status(s)) => pos(LifeCycle::ALL, *s),
        (EnumField::Readiness, Value::Readiness(r)) => pos(Readiness::ALL, *r),
        _ => 0,
    }
}

/// Whether a vocabulary field is read from the hot column.
fn is_hot(field: EnumField) -> bool {
    matches!(
        field,
        EnumField::Gender | EnumField::MajorCategory | EnumField::Status
    )
}

/// The person's values of a hot vocabulary field, as a mask of codes.
fn have_hot(field: EnumField, h: &Hot) -> u64 {
    match field {
        EnumField::Gender => pos(Gender::ALL, h.gender),
        EnumField::MajorCategory => h.majors as u64,
        EnumField::Status => pos(LifeCycle::ALL, h.status),
        _ => 0,
    }
}

/// The person's values of a vocabulary field, as a mask of codes.
fn have(field: EnumField, p: &Person) -> u64 {
    let opt = |v: Option<Value>| v.map_or(0, |v| code(field, &v));
    match field {
        EnumField::Gender => pos(Gender::ALL, p.gender),
        EnumField::PoliticalStatus => pos(PoliticalStatus::ALL, p.political),
        EnumField::Education => opt(p.edu.map(Value::Edu)),
        EnumField::FullTimeEducation => opt(p.edu_full_time.map(Value::Edu)),
        EnumField::InServiceEducation => opt(p.edu_in_service.map(Value::Edu)),
        EnumField::Degree => opt(p.degree.map(Value::Degree)),
        EnumField::MajorCategory => p.majors as u64,
        EnumField::Rank => opt(p.rank.map(Value::Rank)),
        EnumField::Status => pos(LifeCycle::ALL, p.status),
        EnumField::ReserveTarget => opt(p.reserve.map(|r| Value::Rank(r.0))),
        EnumField::Readiness => opt(p.reserve.map(|r| Value::Readiness(r.1))),
    }
}

fn text_marks(f: &Facts, op: TextOp, value: &str) -> Vec<bool> {
    match op {
        TextOp::Contains => f.pool.marks(|t| t.contains(value)),
        TextOp::Eq | TextOp::Ne => f.pool.marks(|t| t == value),
    }
}

fn contains_marks(f: &Facts, s: &Option<String>) -> Option<Vec<bool>> {
    s.as_ref().map(|s| f.pool.marks(|t| t.contains(s.as_str())))
}

impl PostPlan {
    fn new(pred: &PostPred, f: &Facts) -> Self {
        PostPlan {
            grassroots: pred.grassroots,
            role: pred.role,
            unit_kind: pred.unit_kind,
            unit_level: pred.unit_level,
            rank: pred.rank,
            concurrent: pred.concurrent,
            portfolio: contains_marks(f, &pred.portfolio),
            unit: contains_marks(f, &pred.unit),
            position: contains_marks(f, &pred.position),
        }
    }

    fn matches(&self, p: &PostFact) -> bool {
        (!self.grassroots || p.grassroots)
            && self.role.is_none_or(|r| p.role == r)
            && self.unit_kind.is_none_or(|k| p.unit_kind == Some(k))
            && self.unit_level.is_none_or(|l| p.unit_level == Some(l))
            && self
                .rank
                .is_none_or(|(op, r)| p.rank.is_some_and(|pr| rank_holds(op, pr, r)))
            && self.concurrent.is_none_or(|c| p.concurrent == c)
            && self
                .portfolio
                .as_ref()
                .is_none_or(|m| m[p.portfolio as usize])
            && self
                .unit
                .as_ref()
                .is_none_or(|m| m[p.unit_display as usize] || m[p.unit_name as usize])
            && self
                .position
                .as_ref()
                .is_none_or(|m| m[p.position as usize])
    }
}

impl Plan {
    /// Compiles `expr` for `facts` as of `today`.
    pub fn new(expr: &Expr, facts: &Facts, today: PartialDate) -> Self {
        Plan {
            node: compile(expr, facts),
            today,
        }
    }

    /// Whether the person at `i` matches.
    pub fn matches(&self, f: &Facts, i: usize) -> bool {
        self.node.matches(f, i, &self.today)
    }

    /// The positions in `range` that match, in order. A conjunction narrows a list of
    /// candidates condition by condition, cheapest first (conditions have no side effects,
    /// so the order does not change the answer).
    pub fn select_range(&self, f: &Facts, range: std::ops::Range<usize>) -> Vec<u32> {
        let today = &self.today;
        match &self.node {
            Node::And(v) if !v.is_empty() => {
                // Every condition read from the hot column in the first pass, then the rest.
                let hot = v.iter().take_while(|n| cost(n) == 0).count().max(1);
                let (first, rest) = v.split_at(hot);
                let mut cand: Vec<u32> = range
                    .filter(|&i| first.iter().all(|n| n.matches(f, i, today)))
                    .map(|i| i as u32)
                    .collect();
                for n in rest {
                    cand.retain(|&i| n.matches(f, i as usize, today));
                }
                cand
            }
            n => range
                .filter(|&i| n.matches(f, i, today))
                .map(|i| i as u32)
                .collect(),
        }
    }
}

/// Whether the years a grade condition reads are all in the hot column's window.
fn grade_in_window(f: &Facts, today: &PartialDate, last: u16) -> bool {
    let first = today.y() as i32 - last as i32;
    first >= f.grade_base as i32 && (today.y() as i32) <= f.grade_base as i32 + GRADE_WINDOW as i32
}

/// How much reading a condition costs: 0 reads the hot column, 1 the person, 2 a few of the
/// person's rows, 3 every posting.
fn cost(n: &Node) -> u8 {
    match n {
        Node::And(v) | Node::Or(v) => v.iter().map(cost).max().unwrap_or(0),
        Node::Not(n) => cost(n),
        Node::Leaf(l) => match l {
            Leaf::Num {
                field: NumField::Age(_),
                ..
            } => 0,
            Leaf::Num {
                field: NumField::GrassrootsYears | NumField::TrainingHours(_),
                ..
            } => 3,
            Leaf::Num { .. } => 1,
            Leaf::EnumAny { field, .. } | Leaf::EnumNone { field, .. } => u8::from(!is_hot(*field)),
            Leaf::Flag(Flag::Reserve) => 0,
            Leaf::Flag(Flag::HasFindings | Flag::OpenFindings) => 1,
            Leaf::Flag(_) => 2,
            // Usually read from the hot column's grade window.
            Leaf::Grade { .. } => 0,
            Leaf::Name { .. } => 2,
            Leaf::Text { field, .. } => match field {
                TextField::Ethnicity | TextField::NativePlace | TextField::Birthplace => 1,
                _ => 2,
            },
            Leaf::Post { .. } | Leaf::PostCount { .. } => 3,
        },
    }
}

fn compile(e: &Expr, f: &Facts) -> Node {
    match e {
        Expr::And(v) => {
            let mut nodes: Vec<Node> = v.iter().map(|e| compile(e, f)).collect();
            nodes.sort_by_key(cost);
            Node::And(nodes)
        }
        Expr::Or(v) => Node::Or(v.iter().map(|e| compile(e, f)).collect()),
        Expr::Not(e) => Node::Not(Box::new(compile(e, f))),
        Expr::Cond(c) => Node::Leaf(match c {
            Cond::Num { field, op, value } => Leaf::Num {
                field: *field,
                op: *op,
                value: *value,
            },
            Cond::Enum { field, op, values } => {
                let target = &values[0];
                match op {
                    CmpOp::Eq => Leaf::EnumAny {
                        field: *field,
                        mask: code(*field, target),
                    },
                    CmpOp::Ne => Leaf::EnumNone {
                        field: *field,
                        mask: code(*field, target),
                    },
                    _ => Leaf::EnumAny {
                        field: *field,
                        mask: crate::filter::fields::enum_values(*field)
                            .iter()
                            .filter(|v| op.holds(height(v), height(target)))
                            .map(|v| code(*field, v))
                            .fold(0, |a, b| a | b),
                    },
                }
            }
            Cond::In { field, values } => Leaf::EnumAny {
                field: *field,
                mask: values.iter().map(|v| code(*field, v)).fold(0, |a, b| a | b),
            },
            Cond::Text {
                field: TextField::Name,
                op,
                value,
            } => Leaf::Name {
                op: *op,
                value: value.clone(),
            },
            Cond::Text { field, op, value } => Leaf::Text {
                field: *field,
                negate: *op == TextOp::Ne,
                marks: text_marks(f, *op, value),
            },
            Cond::Post { current, pred } => Leaf::Post {
                current: *current,
                pred: PostPlan::new(pred, f),
            },
            Cond::PostCount { pred, op, count } => Leaf::PostCount {
                pred: PostPlan::new(pred, f),
                op: *op,
                count: *count,
            },
            Cond::Grade { grade, last, quant } => Leaf::Grade {
                grade: *grade,
                last: *last,
                quant: *quant,
            },
            Cond::Flag(flag) => Leaf::Flag(*flag),
        }),
    }
}

impl Node {
    fn matches(&self, f: &Facts, i: usize, today: &PartialDate) -> bool {
        match self {
            Node::And(v) => v.iter().all(|n| n.matches(f, i, today)),
            Node::Or(v) => v.iter().any(|n| n.matches(f, i, today)),
            Node::Not(n) => !n.matches(f, i, today),
            Node::Leaf(l) => l.matches(f, i, today),
        }
    }
}

impl Leaf {
    fn matches(&self, f: &Facts, i: usize, today: &PartialDate) -> bool {
        // The hot column first: most first passes need nothing else.
        let h = &f.hot[i];
        match self {
            Leaf::Num {
                field: NumField::Age(at),
                op,
                value,
            } => {
                return op.holds(
                    h.birth.whole_years_until(at.as_ref().unwrap_or(today)) as f64,
                    *value,
                );
            }
            Leaf::EnumAny { field, mask } if is_hot(*field) => {
                return have_hot(*field, h) & mask != 0;
            }
            Leaf::EnumNone { field, mask } if is_hot(*field) => {
                let have = have_hot(*field, h);
                return have != 0 && have & mask == 0;
            }
            Leaf::Flag(Flag::Reserve) => return h.status == LifeCycle::Reserve,
            Leaf::Grade { grade, last, quant } if grade_in_window(f, today, *last) => {
                let want = Grade::ALL
                    .iter()
                    .position(|x| x == grade)
                    .map_or(0, |i| i as u64 + 1);
                let first = today.y() - *last as i16;
                let hits = (first..today.y())
                    .filter(|y| h.grade_code(*y, f.grade_base) == Some(want))
                    .count() as u16;
                return quant.holds(hits, *last);
            }
            _ => {}
        }
        let p = &f.people[i];
        match self {
            Leaf::Num { field, op, value } => {
                let v = match field {
                    NumField::Age(at) => {
                        Some(p.birth.whole_years_until(at.as_ref().unwrap_or(today)) as f64)
                    }
                    NumField::PartyYears => p.party_entry.map(|d| d.years_until(today)),
                    NumField::WorkYears => p.work_start.map(|d| d.years_until(today)),
                    NumField::YearsInPost => f.current(p).map(|c| c.start.years_until(today)),
                    NumField::YearsAtLevel => p.level_since.map(|d| d.years_until(today)),
                    NumField::GrassrootsYears => Some(merged_years(
                        f.posts(p)
                            .iter()
                            .filter(|x| x.grassroots)
                            .map(|x| (x.start, x.end)),
                        today,
                    )),
                    NumField::TrainingHours(n) => Some(
                        f.trainings[p.trainings.range()]
                            .iter()
                            .filter(|t| within_years(Some(t.start), Some(*n), today))
                            .map(|t| t.hours as f64)
                            .sum(),
                    ),
                };
                v.is_some_and(|v| op.holds(v, *value))
            }
            Leaf::EnumAny { field, mask } => have(*field, p) & mask != 0,
            Leaf::EnumNone { field, mask } => {
                let h = have(*field, p);
                h != 0 && h & mask == 0
            }
            Leaf::Name { op, value } => {
                let name = f.name(p);
                match op {
                    TextOp::Eq => name == value,
                    TextOp::Ne => name != value,
                    TextOp::Contains => name.contains(value.as_str()),
                }
            }
            Leaf::Text {
                field,
                negate,
                marks,
            } => {
                let m = |s: u32| marks[s as usize];
                let any = match field {
                    TextField::Name => false,
                    TextField::Ethnicity => m(p.ethnicity),
                    TextField::NativePlace => m(p.native_place),
                    TextField::Birthplace => m(p.birthplace),
                    TextField::Major => f.courses[p.courses.range()].iter().any(|c| m(c.major)),
                    TextField::School => f.courses[p.courses.range()].iter().any(|c| m(c.school)),
                    TextField::Unit => f.current(p).is_some_and(|c| m(c.unit_display)),
                    TextField::Post => f.current(p).is_some_and(|c| m(c.position)),
                };
                any != *negate
            }
            Leaf::Post { current, pred } => f
                .posts(p)
                .iter()
                .filter(|x| !current || x.end.is_none())
                .any(|x| pred.matches(x)),
            Leaf::PostCount { pred, op, count } => {
                let n = f.posts(p).iter().filter(|x| pred.matches(x)).count() as u32;
                op.holds(n, *count)
            }
            Leaf::Grade { grade, last, quant } => {
                let first = today.y() - *last as i16;
                let grades = &f.grades[p.assessments.range()];
                let hits = (first..today.y())
                    .filter(|y| {
                        grades.iter().find(|g| g.year == *y).and_then(|g| g.grade) == Some(*grade)
                    })
                    .count() as u16;
                quant.holds(hits, *last)
            }
            Leaf::Flag(flag) => match flag {
                Flag::Reserve => p.status == LifeCycle::Reserve,
                Flag::Punished(n) => f.rewards[p.rewards.range()]
                    .iter()
                    .any(|r| r.punishment && within_years(r.date, *n, today)),
                Flag::Rewarded(n) => f.rewards[p.rewards.range()]
                    .iter()
                    .any(|r| !r.punishment && within_years(r.date, *n, today)),
                Flag::HasFindings => p.findings > 0,
                Flag::OpenFindings => p.open_findings > 0,
                Flag::Probation => f
                    .current(p)
                    .is_some_and(|c| c.probation && c.start.plus_years(1) > *today),
            },
        }
    }
}

impl Facts {
    /// Positions in `people` of the persons matching `expr`, in position order. Large sets
    /// are split across the machine's cores.
    pub fn select_positions(&self, expr: &Expr, today: PartialDate) -> Vec<usize> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(8);
        let parts = if self.people.len() < 50_000 {
            1
        } else {
            threads
        };
        self.select_in_parts(expr, today, parts)
    }

    /// The same, the people split into `parts` ranges each read by a thread of its own.
    pub fn select_in_parts(&self, expr: &Expr, today: PartialDate, parts: usize) -> Vec<usize> {
        let plan = Plan::new(expr, self, today);
        let n = self.people.len();
        let found: Vec<u32> = if parts <= 1 {
            plan.select_range(self, 0..n)
        } else {
            let chunk = n.div_ceil(parts).max(1);
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..parts)
                    .map(|t| {
                        let plan = &plan;
                        s.spawn(move || {
                            plan.select_range(self, (t * chunk).min(n)..((t + 1) * chunk).min(n))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("a filter thread panicked"))
                    .collect()
            })
        };
        found.into_iter().map(|i| i as usize).collect()
    }

    /// Ids of the dossiers matching `expr`, in id order (what `filter::run` returns).
    pub fn select(&self, expr: &Expr, today: PartialDate) -> Vec<DossierId> {
        let mut ids: Vec<DossierId> = self
            .select_positions(expr, today)
            .into_iter()
            .map(|i| self.people[i].id)
            .collect();
        ids.sort_unstable();
        ids
    }
}
