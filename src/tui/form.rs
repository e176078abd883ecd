//! Editing forms: which form is open (a dossier's identity and status, a new dossier, a posting,
//! a year's assessment, a training, a family member, a finding), its fields (text in a
//! tui-textarea, dates in any form DOMAIN.md lists, pickers for vocabularies and units with a
//! fuzzy jump, yes/no flags), turning the fields into a changed dossier with every problem shown
//! at its field, and the form's draft form for keeping it across a lost terminal. Plain data and
//! pure functions: the store is written by `app`, the screen is drawn by `ui::form`.

use serde::{Deserialize, Serialize};
use tui_textarea::{CursorMove, TextArea};

use crate::model::date::DateError;
use crate::model::validate::{FieldError, validate};
use crate::model::*;

use super::action::Action;

/// What a form edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormKind {
    /// A new dossier (identity fields and status).
    NewDossier,
    /// The identity and life-cycle status of an existing dossier.
    Identity,
    /// A posting: None adds one, Some(i) edits the i-th.
    Posting(Option<usize>),
    Assessment(Option<usize>),
    Training(Option<usize>),
    Family(Option<usize>),
    Finding(Option<usize>),
    Education(Option<usize>),
    Reward(Option<usize>),
    /// 业绩纪实: one achievement.
    Achievement(Option<usize>),
    /// 专长, skills and languages.
    Record,
}

impl FormKind {
    /// The list an entry form edits, as validation names it (任职经历 …); None for identity.
    fn list(self) -> Option<&'static str> {
        match self {
            FormKind::NewDossier | FormKind::Identity | FormKind::Record => None,
            FormKind::Education(_) => Some("学历"),
            FormKind::Reward(_) => Some("奖惩"),
            FormKind::Achievement(_) => Some("业绩"),
            FormKind::Posting(_) => Some("任职经历"),
            FormKind::Assessment(_) => Some("年度考核"),
            FormKind::Training(_) => Some("培训"),
            FormKind::Family(_) => Some("家庭成员"),
            FormKind::Finding(_) => Some("监督信息"),
        }
    }

    /// The form's title.
    pub fn title(self) -> &'static str {
        match self {
            FormKind::NewDossier => "新建档案",
            FormKind::Identity => "基本信息与干部状态",
            FormKind::Posting(None) => "新增任职",
            FormKind::Posting(Some(_)) => "修改任职",
            FormKind::Assessment(None) => "新增年度考核",
            FormKind::Assessment(Some(_)) => "修改年度考核",
            FormKind::Training(None) => "新增培训",
            FormKind::Training(Some(_)) => "修改培训",
            FormKind::Family(None) => "新增家庭成员",
            FormKind::Family(Some(_)) => "修改家庭成员",
            FormKind::Finding(None) => "新增监督信息",
            FormKind::Finding(Some(_)) => "修改监督信息",
            FormKind::Education(None) => "新增学历",
            FormKind::Education(Some(_)) => "修改学历",
            FormKind::Reward(None) => "新增奖惩",
            FormKind::Reward(Some(_)) => "修改奖惩",
            FormKind::Achievement(None) => "新增业绩",
            FormKind::Achievement(Some(_)) => "修改业绩",
            FormKind::Record => "专长与业绩",
        }
    }
}

/// What a field holds and how it is typed.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    Text,
    /// A date in any of the forms clerks write.
    Date,
    /// A whole number (a year, hours) or a decimal (a score).
    Number,
    /// One of a list: labels and the value each stands for (an enum's index, a unit id).
    /// Typing jumps to the first label containing the typed characters in order.
    Choice(Vec<(String, u32)>),
    /// Yes or no (space toggles).
    Flag,
}

/// One field of a form.
#[derive(Clone, Debug)]
pub struct Field {
    /// As a clerk reads it; also the part name validation uses (任职时间 …).
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub text: TextArea<'static>,
    /// The chosen option (Choice).
    pub choice: usize,
    /// The characters typed to jump in a Choice.
    pub jump: String,
    pub flag: bool,
    /// The problem shown under the field.
    pub error: Option<String>,
    /// Whether the clerk changed it (only changed fields go onto a version saved meanwhile).
    pub touched: bool,
    /// A vocabulary's own reading of typed text (its aliases: 正处 is 县处级正职), tried
    /// before the fuzzy jump.
    pub aliases: Option<AliasFn>,
}

/// Reads a typed term as a vocabulary value's label.
pub type AliasFn = fn(&str) -> Option<&'static str>;

impl Field {
    fn new(label: &'static str, kind: FieldKind) -> Self {
        Field {
            label,
            kind,
            required: false,
            text: TextArea::default(),
            choice: 0,
            jump: String::new(),
            flag: false,
            error: None,
            touched: false,
            aliases: None,
        }
    }

    fn text(label: &'static str, value: &str) -> Self {
        let mut f = Field::new(label, FieldKind::Text);
        f.set_text(value);
        f
    }

    fn aliases(mut self, f: AliasFn) -> Self {
        self.aliases = Some(f);
        self
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    fn date(label: &'static str, value: Option<PartialDate>) -> Self {
        let mut f = Field::new(label, FieldKind::Date);
        f.set_text(&value.map(|d| d.dotted()).unwrap_or_default());
        f
    }

    fn number(label: &'static str, value: String) -> Self {
        let mut f = Field::new(label, FieldKind::Number);
        f.set_text(&value);
        f
    }

    fn flag(label: &'static str, value: bool) -> Self {
        let mut f = Field::new(label, FieldKind::Flag);
        f.flag = value;
        f
    }

    /// A picker over a vocabulary; `none` adds a first option meaning "not given".
    fn vocab<T: Copy + PartialEq + std::fmt::Display>(
        label: &'static str,
        all: &[T],
        value: Option<T>,
        none: Option<&str>,
    ) -> Self {
        let mut options: Vec<(String, u32)> = Vec::new();
        if let Some(n) = none {
            options.push((n.to_string(), u32::MAX));
        }
        options.extend(
            all.iter()
                .enumerate()
                .map(|(i, v)| (v.to_string(), i as u32)),
        );
        let choice = value
            .and_then(|v| all.iter().position(|a| *a == v))
            .map(|i| i + usize::from(none.is_some()))
            .unwrap_or(0);
        let mut f = Field::new(label, FieldKind::Choice(options));
        f.choice = choice;
        f
    }

    pub fn set_text(&mut self, value: &str) {
        self.text = TextArea::new(vec![value.to_string()]);
        self.text.move_cursor(CursorMove::End);
    }

    /// The text typed (text, date and number fields).
    pub fn value(&self) -> String {
        self.text.lines().join("\n").trim().to_string()
    }

    /// The chosen option's label and value (Choice fields).
    pub fn chosen(&self) -> Option<(&str, u32)> {
        match &self.kind {
            FieldKind::Choice(o) => o.get(self.choice).map(|(l, v)| (l.as_str(), *v)),
            _ => None,
        }
    }

    /// The chosen vocabulary value, or None for "not given".
    fn pick<T: Copy>(&self, all: &[T]) -> Option<T> {
        self.chosen()
            .and_then(|(_, v)| all.get(v as usize).copied())
    }

    /// What the field shows on one line.
    pub fn display(&self) -> String {
        match &self.kind {
            FieldKind::Choice(_) => self
                .chosen()
                .map(|(l, _)| l.to_string())
                .unwrap_or_default(),
            FieldKind::Flag => if self.flag { "是" } else { "否" }.to_string(),
            _ => self.text.lines().join(" "),
        }
    }

    /// Whether two fields hold the same value.
    fn same_value(&self, other: &Field) -> bool {
        self.value() == other.value() && self.choice == other.choice && self.flag == other.flag
    }

    /// The options matching the jump text, best first (at most `n`).
    pub fn matches(&self, n: usize) -> Vec<usize> {
        let FieldKind::Choice(options) = &self.kind else {
            return Vec::new();
        };
        let q: Vec<char> = self.jump.chars().collect();
        let mut hits: Vec<(bool, usize, usize)> = options
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| {
                let mut it = l.chars();
                q.iter().all(|c| it.any(|x| x == *c))
            })
            .map(|(i, (l, _))| (!l.contains(self.jump.as_str()), l.chars().count(), i))
            .collect();
        hits.sort_unstable();
        hits.into_iter().take(n).map(|(_, _, i)| i).collect()
    }

    /// Applies an editing action; returns whether the field took it.
    pub fn apply(&mut self, action: &Action) -> bool {
        match (&self.kind, action) {
            (FieldKind::Flag, Action::Insert(' ' | 'y' | 'n' | '1' | '0')) => {
                self.flag = match action {
                    Action::Insert('y' | '1') => true,
                    Action::Insert('n' | '0') => false,
                    _ => !self.flag,
                };
            }
            (FieldKind::Flag, _) => return false,
            (FieldKind::Choice(options), _) => {
                let n = options.len().max(1);
                match action {
                    Action::Insert(c) => self.jump.push(*c),
                    Action::Paste(t) => self.jump.push_str(t.trim()),
                    Action::DeleteBack => {
                        self.jump.pop();
                    }
                    Action::ClearLine | Action::DeleteWord => self.jump.clear(),
                    Action::Up | Action::CursorLeft => {
                        self.jump.clear();
                        self.choice = (self.choice + n - 1) % n;
                        return true;
                    }
                    Action::Down | Action::CursorRight => {
                        self.jump.clear();
                        self.choice = (self.choice + 1) % n;
                        return true;
                    }
                    _ => return false,
                }
                if self.jump.is_empty() {
                    self.error = None;
                    self.touched = true;
                    return true;
                }
                let alias = self
                    .aliases
                    .and_then(|f| f(&self.jump))
                    .and_then(|l| options.iter().position(|(o, _)| o == l));
                if let Some(best) = alias.or_else(|| self.matches(1).first().copied()) {
                    self.choice = best;
                }
            }
            (_, action) => {
                let t = &mut self.text;
                match action {
                    Action::Insert(c) => t.insert_char(*c),
                    Action::Paste(s) => {
                        t.insert_str(s.replace(['\r', '\n'], " "));
                    }
                    Action::CursorLeft => t.move_cursor(CursorMove::Back),
                    Action::CursorRight => t.move_cursor(CursorMove::Forward),
                    Action::CursorHome => t.move_cursor(CursorMove::Head),
                    Action::CursorEnd => t.move_cursor(CursorMove::End),
                    Action::DeleteBack => {
                        t.delete_char();
                    }
                    Action::DeleteForward => {
                        t.delete_next_char();
                    }
                    Action::DeleteWord => {
                        t.delete_word();
                    }
                    Action::KillToEnd => {
                        t.delete_line_by_end();
                    }
                    Action::ClearLine => self.set_text(""),
                    _ => return false,
                }
            }
        }
        self.error = None;
        self.touched = true;
        true
    }
}

/// The version saved by someone else while the form was open, shown beside the clerk's.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub theirs: Dossier,
    pub revision: u64,
    /// Field, value when the form was opened, value now saved, value the form would save.
    pub rows: Vec<[String; 4]>,
}

/// An open form.
#[derive(Clone, Debug)]
pub struct Form {
    pub kind: FormKind,
    /// The dossier edited (0 for a new one).
    pub dossier: DossierId,
    /// The dossier as it was when the form opened, and its revision (the version check).
    pub base: Dossier,
    pub revision: u64,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Problems not tied to one field (a duplicate, a store error).
    pub error: Option<String>,
    pub conflict: Option<Conflict>,
}

/// The date forms a field accepts, as a clerk is told them.
const DATE_FORMS: &str = "可写 1965.03、1965-03、196503、1965年3月、1965-03-12 或 12/03/1965";

/// Every life-cycle status, and the order a picker lists them.
const STATUSES: &[LifeCycle] = LifeCycle::ALL;

impl Form {
    /// A form over `base` (the dossier as read with its revision). `units` feeds the unit
    /// picker of a posting.
    pub fn open(
        kind: FormKind,
        base: Dossier,
        revision: u64,
        units: &UnitDirectory,
        today: &PartialDate,
    ) -> Self {
        let fields = fields_for(kind, &base, units, today);
        Form {
            kind,
            dossier: base.id,
            base,
            revision,
            fields,
            focus: 0,
            error: None,
            conflict: None,
        }
    }

    pub fn field(&self, label: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.label == label)
    }

    pub fn field_mut(&mut self, label: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.label == label)
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn next(&mut self, forward: bool) {
        let n = self.fields.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    /// The dossier the form would save: the fields applied to `onto` (the base, or the version
    /// someone else saved meanwhile). Every problem the change brings is set at its field (or
    /// as the form's error) and the result is Err. Problems the dossier already had before are
    /// not the form's to fix and do not block it.
    pub fn build(&mut self, onto: &Dossier, today: &PartialDate) -> Result<Dossier, Invalid> {
        for f in &mut self.fields {
            f.error = None;
        }
        self.error = None;
        let mut errors: Vec<(Option<usize>, String)> = Vec::new();
        let mut out = onto.clone();
        let parsed = if *onto == self.base {
            parse(self, &mut out, &mut errors)
        } else {
            // Onto a version saved meanwhile: the fields the clerk did not change take that
            // version's values, so its changes are kept.
            let mut merged = self.clone();
            let fresh = fields_for(self.kind, onto, &UnitDirectory::default(), today);
            for (f, new) in merged.fields.iter_mut().zip(fresh) {
                if !f.touched && f.label != "单位" {
                    *f = new;
                }
            }
            parse(&merged, &mut out, &mut errors)
        };
        if parsed {
            let before = if self.kind == FormKind::NewDossier {
                Vec::new()
            } else {
                validate(onto, today)
            };
            for e in validate(&out, today) {
                if before.contains(&e) {
                    continue;
                }
                errors.push((self.locate(&e, &out), e.message.clone()));
            }
        }
        if errors.is_empty() {
            return Ok(out);
        }
        for (at, msg) in errors {
            match at {
                Some(i) if self.fields[i].error.is_none() => self.fields[i].error = Some(msg),
                Some(_) => {}
                None if self.error.is_none() => self.error = Some(msg),
                None => {}
            }
        }
        if let Some(first) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = first;
        }
        Err(Invalid {
            problems: self.fields.iter().filter(|f| f.error.is_some()).count()
                + usize::from(self.error.is_some()),
        })
    }

    /// The field a validation problem belongs to, if it is on this form.
    fn locate(&self, e: &FieldError, built: &Dossier) -> Option<usize> {
        let by_label = |l: &str| self.fields.iter().position(|f| f.label == l);
        let Some(list) = self.kind.list() else {
            return by_label(&e.field);
        };
        let entry = self.entry_index(built)?;
        let numbered = format!("{list}第{}条", entry + 1);
        if e.field == numbered || e.field == list {
            return e.part.and_then(by_label).or(Some(0));
        }
        by_label(&e.field)
    }

    /// Which entry of its list the form writes, in the built dossier.
    fn entry_index(&self, built: &Dossier) -> Option<usize> {
        let len = match self.kind {
            FormKind::Posting(i) => return i.or(built.postings.len().checked_sub(1)),
            FormKind::Assessment(_) => built.assessments.len(),
            FormKind::Training(_) => built.training.len(),
            FormKind::Family(_) => built.family.len(),
            FormKind::Finding(_) => built.findings.len(),
            FormKind::Education(_) => built.education.len(),
            FormKind::Reward(_) => built.rewards.len(),
            FormKind::Achievement(_) => built.record.achievements.len(),
            _ => return None,
        };
        match self.kind {
            FormKind::Assessment(Some(i))
            | FormKind::Training(Some(i))
            | FormKind::Family(Some(i))
            | FormKind::Finding(Some(i))
            | FormKind::Education(Some(i))
            | FormKind::Reward(Some(i))
            | FormKind::Achievement(Some(i)) => Some(i),
            _ => len.checked_sub(1),
        }
    }

    /// The fields' values, for a draft.
    pub fn values(&self) -> Vec<DraftValue> {
        self.fields
            .iter()
            .map(|f| DraftValue {
                text: f.text.lines().join("\n"),
                choice: f.choice,
                flag: f.flag,
            })
            .collect()
    }

    /// Puts a draft's values back (same form, same field order); a value that differs from
    /// the form's own counts as the clerk's change.
    pub fn restore(&mut self, values: &[DraftValue]) {
        for (f, v) in self.fields.iter_mut().zip(values) {
            let before = f.clone();
            f.set_text(&v.text);
            if let FieldKind::Choice(o) = &f.kind {
                f.choice = v.choice.min(o.len().saturating_sub(1));
            }
            f.flag = v.flag;
            f.touched = !f.same_value(&before);
        }
    }

    /// Field by field: opened, saved by the other, and what this form would save.
    pub fn conflict_rows(&self, theirs: &Dossier, mine: &Dossier) -> Vec<[String; 4]> {
        let base = crate::history::fields(&self.base);
        let th = crate::history::fields(theirs);
        let me = crate::history::fields(mine);
        let get = |l: &[(String, String)], k: &str| {
            l.iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut keys: Vec<String> = base.iter().map(|(k, _)| k.clone()).collect();
        for (k, _) in th.iter().chain(me.iter()) {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        keys.into_iter()
            .filter_map(|k| {
                let row = [k.clone(), get(&base, &k), get(&th, &k), get(&me, &k)];
                (row[1] != row[2] || row[1] != row[3]).then_some(row)
            })
            .collect()
    }
}

/// A dossier's change history as shown: newest first, the selected change.
#[derive(Clone, Debug)]
pub struct HistoryView {
    pub dossier: DossierId,
    pub name: String,
    /// Oldest first, as the store gives them.
    pub entries: Vec<crate::history::HistoryEntry>,
    /// Index into `entries`.
    pub selected: usize,
}

/// Makes an entry form's kind from the entry's index.
type MakeKind = fn(Option<usize>) -> FormKind;

/// The form holds problems, each shown at its field (or as the form's error); nothing to save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// How many problems are shown.
    pub problems: usize,
}

/// The dossier's list entries offered for editing: (label, entry on one line, the form).
#[derive(Clone, Debug)]
pub struct EntryPicker {
    pub name: String,
    pub rows: Vec<(String, String, FormKind)>,
    pub selected: usize,
}

impl EntryPicker {
    /// Every entry of the lists that have a form, in dossier order.
    pub fn of(d: &Dossier) -> Self {
        let kinds: [(&str, MakeKind); 8] = [
            ("学历", FormKind::Education),
            ("培训", FormKind::Training),
            ("任职经历", FormKind::Posting),
            ("年度考核", FormKind::Assessment),
            ("奖惩", FormKind::Reward),
            ("监督信息", FormKind::Finding),
            ("家庭成员", FormKind::Family),
            ("业绩", FormKind::Achievement),
        ];
        let rows = crate::history::fields(d)
            .into_iter()
            .filter_map(|(label, text)| {
                let (list, rest) = label.split_once('第')?;
                let n: usize = rest.strip_suffix('条')?.parse().ok()?;
                let (_, make) = kinds.iter().find(|(l, _)| *l == list)?;
                Some((label.clone(), text, make(Some(n.checked_sub(1)?))))
            })
            .collect();
        EntryPicker {
            name: d.identity.name.clone(),
            rows,
            selected: 0,
        }
    }
}

/// One field's value in a draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftValue {
    pub text: String,
    pub choice: usize,
    pub flag: bool,
}

fn fields_for(
    kind: FormKind,
    d: &Dossier,
    units: &UnitDirectory,
    today: &PartialDate,
) -> Vec<Field> {
    let i = &d.identity;
    match kind {
        FormKind::NewDossier | FormKind::Identity => vec![
            Field::text("姓名", &i.name).required(),
            Field::vocab("性别", Gender::ALL, Some(i.gender), None)
                .aliases(|s| Gender::parse(s).map(Gender::label)),
            Field::text("民族", &i.ethnicity),
            Field::date("出生年月", Some(i.birth)).required(),
            Field::text("身份证号", &i.id_number),
            Field::text("籍贯", &i.native_place),
            Field::text("出生地", &i.birthplace),
            Field::vocab(
                "政治面貌",
                PoliticalStatus::ALL,
                Some(i.political_status),
                None,
            )
            .aliases(|s| PoliticalStatus::parse(s).map(PoliticalStatus::label)),
            Field::date("入党时间", i.party_entry),
            Field::date("参加工作时间", i.work_start),
            Field::text("健康状况", &i.health),
            Field::text("专业技术职务", &i.professional_title),
            Field::vocab("干部状态", STATUSES, Some(d.status), None)
                .aliases(|s| LifeCycle::parse(s).map(LifeCycle::label)),
            Field::vocab(
                "后备目标",
                Rank::ALL,
                d.reserve.as_ref().map(|r| r.target),
                Some("（无）"),
            )
            .aliases(|s| Rank::parse(s).map(Rank::label)),
            Field::text(
                "拟任职务",
                d.reserve.as_ref().map_or("", |r| r.target_post.as_str()),
            ),
            Field::vocab(
                "成熟度",
                Readiness::ALL,
                Some(d.reserve.as_ref().map_or(Readiness::Soon, |r| r.readiness)),
                None,
            )
            .aliases(|s| Readiness::parse(s).map(Readiness::label)),
        ],
        FormKind::Posting(at) => {
            let p = at.and_then(|n| d.postings.get(n));
            let mut unit_opts = vec![("（不在本库单位中）".to_string(), u32::MAX)];
            unit_opts.extend(units.iter().map(|u| (u.name.clone(), u.id)));
            let mut unit = Field::new("单位", FieldKind::Choice(unit_opts));
            unit.choice = p
                .and_then(|p| p.unit)
                .and_then(|u| units.iter().position(|x| x.id == u))
                .map(|n| n + 1)
                .unwrap_or(0);
            let mut fields = vec![
                Field::date("任职时间", p.map(|p| p.start).or(Some(*today))).required(),
                Field::date("免职时间", p.and_then(|p| p.end)),
                unit,
                Field::text(
                    "单位（原文）",
                    p.map(|p| p.unit_name.as_str()).unwrap_or(""),
                ),
                Field::text("职务", p.map(|p| p.position.as_str()).unwrap_or("")).required(),
                Field::vocab(
                    "职务层次",
                    Rank::ALL,
                    p.and_then(|p| p.rank),
                    Some("（未填）"),
                )
                .aliases(|s| Rank::parse(s).map(Rank::label)),
                Field::vocab(
                    "正副职",
                    PostRole::ALL,
                    Some(p.map(|p| p.role).unwrap_or(PostRole::Deputy)),
                    None,
                )
                .aliases(|s| PostRole::parse(s).map(PostRole::label)),
                Field::text("分管工作", p.map(|p| p.portfolio.as_str()).unwrap_or("")),
                Field::flag("兼任", p.is_some_and(|p| p.concurrent)),
                Field::flag("试用期", p.is_some_and(|p| p.probation)),
            ];
            if at.is_none() {
                // Offered only when there is a current post to end.
                let current = d.current_posting().is_some();
                let mut f = Field::flag("结束现任职务", current);
                if !current {
                    f.flag = false;
                }
                fields.push(f);
            }
            fields
        }
        FormKind::Assessment(at) => {
            let a = at.and_then(|n| d.assessments.get(n));
            let year = a.map(|a| a.year).unwrap_or(today.y() - 1);
            vec![
                Field::number("年度", year.to_string()).required(),
                Field::vocab(
                    "等次",
                    Grade::ALL,
                    a.and_then(|a| a.grade),
                    Some("不定等次"),
                )
                .aliases(|s| Grade::parse(s).map(Grade::label)),
                Field::number(
                    "民主测评",
                    a.and_then(|a| a.democratic_score)
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                ),
                Field::text("专项考核", a.map(|a| a.special.as_str()).unwrap_or("")),
                Field::text("谈话记录", a.map(|a| a.talk_notes.as_str()).unwrap_or("")),
            ]
        }
        FormKind::Training(at) => {
            let t = at.and_then(|n| d.training.get(n));
            vec![
                Field::text("培训名称", t.map(|t| t.name.as_str()).unwrap_or("")).required(),
                Field::text("主办单位", t.map(|t| t.organizer.as_str()).unwrap_or("")),
                Field::date("开始时间", t.map(|t| t.start)).required(),
                Field::date("结束时间", t.and_then(|t| t.end)),
                Field::number("学时", t.map(|t| t.hours.to_string()).unwrap_or_default()),
            ]
        }
        FormKind::Family(at) => {
            let f = at.and_then(|n| d.family.get(n));
            vec![
                Field::text("称谓", f.map(|f| f.relation.as_str()).unwrap_or("")).required(),
                Field::text("姓名", f.map(|f| f.name.as_str()).unwrap_or("")).required(),
                Field::date("出生年月", f.and_then(|f| f.birth)),
                Field::vocab(
                    "政治面貌",
                    PoliticalStatus::ALL,
                    f.and_then(|f| f.political_status),
                    Some("（未填）"),
                )
                .aliases(|s| PoliticalStatus::parse(s).map(PoliticalStatus::label)),
                Field::text("工作单位", f.map(|f| f.employer.as_str()).unwrap_or("")),
                Field::text("职务", f.map(|f| f.post.as_str()).unwrap_or("")),
            ]
        }
        FormKind::Finding(at) => {
            let f = at.and_then(|n| d.findings.get(n));
            vec![
                Field::vocab(
                    "来源",
                    FindingSource::ALL,
                    Some(f.map(|f| f.source).unwrap_or(FindingSource::Inspection)),
                    None,
                )
                .aliases(|s| FindingSource::parse(s).map(FindingSource::label)),
                Field::date("时间", f.map(|f| f.date)).required(),
                Field::text("问题摘要", f.map(|f| f.summary.as_str()).unwrap_or("")).required(),
                Field::text("处理结论", f.map(|f| f.conclusion.as_str()).unwrap_or("")),
                Field::flag("已办结", f.is_some_and(|f| f.resolved)),
            ]
        }
        FormKind::Education(at) => {
            let e = at.and_then(|n| d.education.get(n));
            vec![
                Field::vocab(
                    "类别",
                    EduKind::ALL,
                    Some(e.map(|e| e.kind).unwrap_or(EduKind::FullTime)),
                    None,
                )
                .aliases(|s| EduKind::parse(s).map(EduKind::label)),
                Field::vocab(
                    "学历",
                    EduLevel::ALL,
                    Some(e.map(|e| e.level).unwrap_or(EduLevel::Undergraduate)),
                    None,
                )
                .aliases(|s| EduLevel::parse(s).map(EduLevel::label)),
                Field::vocab(
                    "学位",
                    Degree::ALL,
                    e.and_then(|e| e.degree),
                    Some("（无）"),
                )
                .aliases(|s| Degree::parse(s).map(Degree::label)),
                Field::text("毕业院校", e.map(|e| e.school.as_str()).unwrap_or("")),
                Field::text("专业", e.map(|e| e.major.as_str()).unwrap_or("")),
                Field::vocab(
                    "学科门类",
                    MajorCategory::ALL,
                    e.and_then(|e| e.category),
                    Some("（未填）"),
                )
                .aliases(|s| MajorCategory::parse(s).map(MajorCategory::label)),
                Field::date("入学时间", e.and_then(|e| e.start)),
                Field::date("毕业时间", e.and_then(|e| e.end)),
            ]
        }
        FormKind::Reward(at) => {
            let r = at.and_then(|n| d.rewards.get(n));
            vec![
                Field::vocab(
                    "类别",
                    RewardKind::ALL,
                    Some(r.map(|r| r.kind).unwrap_or(RewardKind::Award)),
                    None,
                )
                .aliases(|s| RewardKind::parse(s).map(RewardKind::label)),
                Field::date("时间", r.and_then(|r| r.date)),
                Field::text("名称", r.map(|r| r.title.as_str()).unwrap_or("")).required(),
                Field::text("批准机关", r.map(|r| r.issuer.as_str()).unwrap_or("")),
                Field::text("事由", r.map(|r| r.reason.as_str()).unwrap_or("")),
            ]
        }
        FormKind::Achievement(at) => {
            let a = at.and_then(|n| d.record.achievements.get(n));
            vec![
                Field::date("时间", a.and_then(|a| a.date)),
                Field::text("名称", a.map(|a| a.title.as_str()).unwrap_or("")).required(),
                Field::text("内容", a.map(|a| a.detail.as_str()).unwrap_or("")),
            ]
        }
        FormKind::Record => vec![
            Field::text("专长", &d.record.specialty),
            Field::text("专业技能", &d.record.skills.join("、")),
            Field::text("外语", &d.record.languages.join("、")),
        ],
    }
}

/// A list typed as one line: items separated by 、 or a comma.
fn items(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；'])
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Reads the fields into `out`; parse problems (empty required field, unreadable date or
/// number) go to `errors` by field index. Returns whether everything parsed.
fn parse(form: &Form, out: &mut Dossier, errors: &mut Vec<(Option<usize>, String)>) -> bool {
    let fields = &form.fields;
    let n0 = errors.len();
    let idx = |label: &str| fields.iter().position(|f| f.label == label);
    let text = |label: &str, errors: &mut Vec<(Option<usize>, String)>| -> String {
        let Some(i) = idx(label) else {
            return String::new();
        };
        let v = fields[i].value();
        if fields[i].required && v.is_empty() {
            errors.push((Some(i), format!("{label}不能为空")));
        }
        v
    };
    let date = |label: &str, errors: &mut Vec<(Option<usize>, String)>| -> Option<PartialDate> {
        let i = idx(label)?;
        let v = fields[i].value();
        if v.is_empty() {
            if fields[i].required {
                errors.push((Some(i), format!("{label}不能为空")));
            }
            return None;
        }
        match v.parse::<PartialDate>() {
            Ok(d) => Some(d),
            Err(DateError::Impossible(_)) => {
                errors.push((Some(i), format!("日期不存在：{v}")));
                None
            }
            Err(_) => {
                errors.push((Some(i), format!("无法识别的日期：{v}（{}）", DATE_FORMS)));
                None
            }
        }
    };
    let field = |label: &str| idx(label).map(|i| &fields[i]);
    let flag = |label: &str| field(label).is_some_and(|f| f.flag);
    match form.kind {
        FormKind::NewDossier | FormKind::Identity => {
            let name = text("姓名", errors);
            let birth = date("出生年月", errors);
            let party_entry = date("入党时间", errors);
            let work_start = date("参加工作时间", errors);
            let id = &mut out.identity;
            id.name = name;
            if let Some(b) = birth {
                id.birth = b;
            }
            id.party_entry = party_entry;
            id.work_start = work_start;
            id.ethnicity = text("民族", errors);
            id.id_number = text("身份证号", errors).to_ascii_uppercase();
            id.native_place = text("籍贯", errors);
            id.birthplace = text("出生地", errors);
            id.health = text("健康状况", errors);
            id.professional_title = text("专业技术职务", errors);
            if let Some(g) = field("性别").and_then(|f| f.pick(Gender::ALL)) {
                id.gender = g;
            }
            if let Some(p) = field("政治面貌").and_then(|f| f.pick(PoliticalStatus::ALL)) {
                id.political_status = p;
            }
            if let Some(s) = field("干部状态").and_then(|f| f.pick(STATUSES)) {
                out.status = s;
            }
            // 后备情况: a target makes the cadre a reserve candidate for it; none clears it.
            let target_post = text("拟任职务", errors);
            out.reserve = field("后备目标")
                .and_then(|f| f.pick(Rank::ALL))
                .map(|target| ReserveInfo {
                    target,
                    target_post,
                    readiness: field("成熟度")
                        .and_then(|f| f.pick(Readiness::ALL))
                        .unwrap_or(Readiness::Soon),
                    since: onto_since(&out.reserve),
                });
        }
        FormKind::Posting(at) => {
            let start = date("任职时间", errors);
            let end = date("免职时间", errors);
            let position = text("职务", errors);
            let unit_field = field("单位");
            let unit = unit_field
                .and_then(|f| f.chosen())
                .filter(|(_, v)| *v != u32::MAX);
            let mut unit_name = text("单位（原文）", errors);
            if let Some((label, _)) = unit
                && unit_name.is_empty()
            {
                unit_name = label.to_string();
            }
            let Some(start) = start else {
                return false;
            };
            let p = Posting {
                start,
                end,
                unit: unit.map(|(_, v)| v),
                unit_name,
                position,
                rank: field("职务层次").and_then(|f| f.pick(Rank::ALL)),
                role: field("正副职")
                    .and_then(|f| f.pick(PostRole::ALL))
                    .unwrap_or(PostRole::Deputy),
                portfolio: text("分管工作", errors),
                concurrent: flag("兼任"),
                probation: flag("试用期"),
            };
            match at {
                Some(i) if i < out.postings.len() => out.postings[i] = p,
                _ => {
                    if flag("结束现任职务")
                        && !p.concurrent
                        && let Some(cur) = current_main_index(out)
                    {
                        out.postings[cur].end = Some(start);
                    }
                    out.postings.push(p);
                }
            }
        }
        FormKind::Assessment(at) => {
            let year_i = idx("年度");
            let year = match text("年度", errors).parse::<i16>() {
                Ok(y) => y,
                Err(_) => {
                    if !errors.iter().any(|(i, _)| *i == year_i) {
                        errors.push((year_i, "请填写四位数的年份，如 2024".into()));
                    }
                    0
                }
            };
            let score_i = idx("民主测评");
            let score_text = text("民主测评", errors);
            let score = if score_text.is_empty() {
                None
            } else {
                match score_text.trim_end_matches('%').parse::<f32>() {
                    Ok(s) => Some(s),
                    Err(_) => {
                        errors.push((score_i, "请填写 0 到 100 的数，如 92.5".into()));
                        None
                    }
                }
            };
            let a = Assessment {
                year,
                grade: field("等次").and_then(|f| f.pick(Grade::ALL)),
                democratic_score: score,
                special: text("专项考核", errors),
                talk_notes: text("谈话记录", errors),
            };
            put(&mut out.assessments, at, a);
        }
        FormKind::Training(at) => {
            let start = date("开始时间", errors);
            let end = date("结束时间", errors);
            let hours_i = idx("学时");
            let hours_text = text("学时", errors);
            let hours = if hours_text.is_empty() {
                0
            } else {
                hours_text.parse::<u32>().unwrap_or_else(|_| {
                    errors.push((hours_i, "请填写整数学时".into()));
                    0
                })
            };
            let name = text("培训名称", errors);
            let organizer = text("主办单位", errors);
            let Some(start) = start else {
                return false;
            };
            let t = Training {
                name,
                organizer,
                start,
                end,
                hours,
            };
            put(&mut out.training, at, t);
        }
        FormKind::Family(at) => {
            let m = FamilyMember {
                relation: text("称谓", errors),
                name: text("姓名", errors),
                birth: date("出生年月", errors),
                political_status: field("政治面貌").and_then(|f| f.pick(PoliticalStatus::ALL)),
                employer: text("工作单位", errors),
                employer_unit: at
                    .and_then(|i| out.family.get(i))
                    .and_then(|f| f.employer_unit),
                post: text("职务", errors),
                businesses: at
                    .and_then(|i| out.family.get(i))
                    .map(|f| f.businesses.clone())
                    .unwrap_or_default(),
            };
            put(&mut out.family, at, m);
        }
        FormKind::Finding(at) => {
            let when = date("时间", errors);
            let summary = text("问题摘要", errors);
            let conclusion = text("处理结论", errors);
            let Some(when) = when else {
                return false;
            };
            let f = Finding {
                source: field("来源")
                    .and_then(|f| f.pick(FindingSource::ALL))
                    .unwrap_or(FindingSource::Other),
                date: when,
                summary,
                conclusion,
                resolved: flag("已办结"),
            };
            put(&mut out.findings, at, f);
        }
        FormKind::Education(at) => {
            let start = date("入学时间", errors);
            let end = date("毕业时间", errors);
            let e = Education {
                kind: field("类别")
                    .and_then(|f| f.pick(EduKind::ALL))
                    .unwrap_or(EduKind::FullTime),
                level: field("学历")
                    .and_then(|f| f.pick(EduLevel::ALL))
                    .unwrap_or(EduLevel::Undergraduate),
                degree: field("学位").and_then(|f| f.pick(Degree::ALL)),
                school: text("毕业院校", errors),
                major: text("专业", errors),
                category: field("学科门类").and_then(|f| f.pick(MajorCategory::ALL)),
                start,
                end,
            };
            put(&mut out.education, at, e);
        }
        FormKind::Reward(at) => {
            let r = Reward {
                kind: field("类别")
                    .and_then(|f| f.pick(RewardKind::ALL))
                    .unwrap_or(RewardKind::Award),
                date: date("时间", errors),
                title: text("名称", errors),
                issuer: text("批准机关", errors),
                reason: text("事由", errors),
            };
            put(&mut out.rewards, at, r);
        }
        FormKind::Achievement(at) => {
            let a = Achievement {
                date: date("时间", errors),
                title: text("名称", errors),
                detail: text("内容", errors),
            };
            put(&mut out.record.achievements, at, a);
        }
        FormKind::Record => {
            out.record.specialty = text("专长", errors);
            out.record.skills = items(&text("专业技能", errors));
            out.record.languages = items(&text("外语", errors));
        }
    }
    errors.len() == n0
}

/// When the cadre entered the reserve pool, kept when the target changes.
fn onto_since(before: &Option<ReserveInfo>) -> Option<PartialDate> {
    before.as_ref().and_then(|r| r.since)
}

fn put<T>(list: &mut Vec<T>, at: Option<usize>, item: T) {
    match at {
        Some(i) if i < list.len() => list[i] = item,
        _ => list.push(item),
    }
}

/// The index of the current main post (what a new posting ends).
fn current_main_index(d: &Dossier) -> Option<usize> {
    let cur = d.current_posting()? as *const Posting;
    d.postings.iter().position(|p| std::ptr::eq(p, cur))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> PartialDate {
        PartialDate::ymd(2026, 11, 25).unwrap()
    }

    fn person() -> Dossier {
        let mut d = Dossier::new("王明", Gender::Male, PartialDate::ym(1980, 5).unwrap());
        d.id = 1;
        d.postings.push(crate::tui::testing::posting(
            PartialDate::ym(2019, 3).unwrap(),
            None,
            None,
            "临河县人民政府",
            "副县长",
            Rank::CountyDeputy,
            PostRole::Deputy,
            "",
        ));
        d
    }

    fn open(kind: FormKind, d: &Dossier) -> Form {
        Form::open(kind, d.clone(), 1, &UnitDirectory::default(), &today())
    }

    fn type_into(form: &mut Form, label: &str, text: &str) {
        let f = form.field_mut(label).unwrap();
        f.apply(&Action::ClearLine);
        for c in text.chars() {
            f.apply(&Action::Insert(c));
        }
    }

    #[test]
    fn a_new_posting_ends_the_current_one_on_its_start() {
        let d = person();
        let mut form = open(FormKind::Posting(None), &d);
        type_into(&mut form, "任职时间", "2024年3月");
        type_into(&mut form, "职务", "县长");
        let out = form.build(&d, &today()).unwrap();
        assert_eq!(out.postings.len(), 2);
        assert_eq!(out.postings[0].end, Some(PartialDate::ym(2024, 3).unwrap()));
        assert_eq!(out.current_posting().unwrap().position, "县长");
    }

    #[test]
    fn a_wrong_date_is_refused_at_its_field() {
        let d = person();
        let mut form = open(FormKind::Posting(None), &d);
        type_into(&mut form, "任职时间", "2024年13月");
        type_into(&mut form, "职务", "县长");
        assert!(form.build(&d, &today()).is_err());
        let f = form.field("任职时间").unwrap();
        assert!(
            f.error.as_deref().unwrap().contains("日期"),
            "{:?}",
            f.error
        );
        assert_eq!(form.focused().label, "任职时间");
        // An end before the start is refused at the end field.
        type_into(&mut form, "任职时间", "2024.03");
        type_into(&mut form, "免职时间", "2023.12");
        assert!(form.build(&d, &today()).is_err());
        assert!(form.field("免职时间").unwrap().error.is_some());
    }

    #[test]
    fn a_wrong_id_number_is_refused_at_its_field() {
        let d = person();
        let mut form = open(FormKind::Identity, &d);
        type_into(&mut form, "身份证号", "330102198005170312");
        assert!(form.build(&d, &today()).is_err());
        let e = form.field("身份证号").unwrap().error.clone().unwrap();
        assert!(!e.is_empty());
        let good = idnum::make(330102, (1980, 5, 17), 31, Gender::Male);
        type_into(&mut form, "身份证号", &good);
        assert!(form.build(&d, &today()).is_ok());
    }

    #[test]
    fn a_second_assessment_for_a_year_is_refused() {
        let mut d = person();
        d.assessments.push(Assessment {
            year: 2024,
            grade: Some(Grade::Competent),
            democratic_score: None,
            special: String::new(),
            talk_notes: String::new(),
        });
        let mut form = open(FormKind::Assessment(None), &d);
        type_into(&mut form, "年度", "2024");
        assert!(form.build(&d, &today()).is_err());
        assert!(form.field("年度").unwrap().error.is_some());
        type_into(&mut form, "年度", "2025");
        assert!(form.build(&d, &today()).is_ok());
    }

    #[test]
    fn pickers_jump_by_typed_characters() {
        let d = person();
        let mut form = open(FormKind::Posting(None), &d);
        let f = form.field_mut("职务层次").unwrap();
        for c in "处级正".chars() {
            f.apply(&Action::Insert(c));
        }
        assert_eq!(f.chosen().unwrap().0, "县处级正职");
        f.apply(&Action::Down);
        assert_eq!(f.chosen().unwrap().0, "县处级副职");
        // The vocabulary's aliases as clerks say them: 正处 is 县处级正职.
        for c in "正处".chars() {
            f.apply(&Action::Insert(c));
        }
        assert_eq!(f.chosen().unwrap().0, "县处级正职");
        f.apply(&Action::ClearLine);
        for c in "副科".chars() {
            f.apply(&Action::Insert(c));
        }
        assert_eq!(f.chosen().unwrap().0, "乡科级副职");
        // Text that is no value of the vocabulary chooses nothing new: only its values can be
        // held.
        f.apply(&Action::ClearLine);
        for c in "XYZ".chars() {
            f.apply(&Action::Insert(c));
        }
        assert_eq!(f.chosen().unwrap().0, "乡科级副职");
        assert!(f.matches(5).is_empty());
    }
}
