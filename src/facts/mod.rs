//! Facts: the compact form of every dossier that lookup, filters, result lists and the team
//! index need, so that the interface and queries never hold a million decoded dossiers.
//! One fixed-size `Person` per dossier plus flat arrays of postings, courses, assessments,
//! trainings and rewards; short repeated texts (ethnicity, places, schools, majors, units,
//! positions, portfolios) are interned once in a small pool, while names and ID numbers sit in
//! arenas of their own. Built from dossiers (`FactsBuilder`), updated per dossier (`upsert`,
//! `remove`), evaluated by `eval` (the filter language, same meaning as `filter::eval`), and
//! persisted by `snapshot`. Holds no sensitive section (family, findings' text, talk notes).

pub mod alerts;
pub mod columns;
pub mod eval;
pub mod snapshot;

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::filter::eval::{Ctx, is_grassroots};
use crate::io::results::ResultRow;
use crate::lookup::{Entry, EntryView};
use crate::model::*;

/// An interned text: an index into `Facts::pool`.
pub type Sid = u32;

/// A run of bytes in an arena.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub off: u32,
    pub len: u32,
}

/// A run of rows in one of the flat arrays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rows {
    pub start: u32,
    pub len: u16,
}

impl Rows {
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// What one dossier comes to: identity, the derived views the filters ask about, and where its
/// rows are in the flat arrays.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: DossierId,
    pub name: Span,
    pub id_number: Span,
    pub ethnicity: Sid,
    pub native_place: Sid,
    pub birthplace: Sid,
    pub birth: PartialDate,
    pub party_entry: Option<PartialDate>,
    pub work_start: Option<PartialDate>,
    pub gender: Gender,
    pub political: PoliticalStatus,
    pub status: LifeCycle,
    /// Highest level over all courses, full-time ones and in-service ones.
    pub edu: Option<EduLevel>,
    pub edu_full_time: Option<EduLevel>,
    pub edu_in_service: Option<EduLevel>,
    pub degree: Option<Degree>,
    /// Major categories of the courses, one bit per `MajorCategory::ALL` position.
    pub majors: u32,
    pub rank: Option<Rank>,
    pub level_since: Option<PartialDate>,
    pub reserve: Option<(Rank, Readiness)>,
    pub findings: u16,
    pub open_findings: u16,
    /// A spouse, child or child's spouse runs a business (the business-avoidance rules).
    pub family_business: bool,
    /// A family member works in a unit of the database (the relative-in-unit rule).
    pub family_employed: bool,
    /// The latest registration of such a business, and the last yearly personal-matters
    /// report (the business-since-report rule).
    pub family_business_latest: Option<PartialDate>,
    pub last_report: Option<PartialDate>,
    pub posts: Rows,
    /// The current main posting, as an offset within `posts`.
    pub current: Option<u16>,
    pub courses: Rows,
    pub assessments: Rows,
    pub trainings: Rows,
    pub rewards: Rows,
}

/// One posting, with what the directory says of its unit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostFact {
    pub start: PartialDate,
    pub end: Option<PartialDate>,
    pub unit: Option<UnitId>,
    /// The directory's name of the unit when known, else the name as written.
    pub unit_display: Sid,
    /// The unit's name as written in the source.
    pub unit_name: Sid,
    pub position: Sid,
    pub portfolio: Sid,
    pub rank: Option<Rank>,
    pub role: PostRole,
    pub unit_kind: Option<UnitKind>,
    pub unit_level: Option<UnitLevel>,
    pub grassroots: bool,
    pub concurrent: bool,
    pub probation: bool,
}

/// One course: what text conditions on school and major read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseFact {
    pub school: Sid,
    pub major: Sid,
}

/// One year's assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeFact {
    pub year: i16,
    pub grade: Option<Grade>,
}

/// One training course: when it started and its hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingFact {
    pub start: PartialDate,
    pub hours: u32,
}

/// One reward or punishment: when, and which of the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardFact {
    pub date: Option<PartialDate>,
    pub punishment: bool,
}

/// The interned short texts, each stored once.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Pool {
    text: String,
    ends: Vec<u32>,
    #[serde(skip)]
    map: HashMap<Box<str>, Sid>,
}

impl Pool {
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn get(&self, sid: Sid) -> &str {
        let i = sid as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
    pub fn intern(&mut self, s: &str) -> Sid {
        if self.map.len() < self.ends.len() {
            self.reindex();
        }
        if let Some(&sid) = self.map.get(s) {
            return sid;
        }
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        let sid = (self.ends.len() - 1) as Sid;
        self.map.insert(s.into(), sid);
        sid
    }
    /// Rebuilds the lookup map after loading (it is not persisted).
    fn reindex(&mut self) {
        self.map = (0..self.ends.len() as Sid)
            .map(|sid| (self.get(sid).into(), sid))
            .collect();
    }
    /// Whether `f` holds of each text, by Sid.
    pub fn marks(&self, f: impl Fn(&str) -> bool) -> Vec<bool> {
        (0..self.len() as Sid).map(|s| f(self.get(s))).collect()
    }
}

/// An arena of texts that are mostly unique (names, ID numbers): not interned.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Arena {
    text: String,
}

impl Arena {
    fn push(&mut self, s: &str) -> Span {
        let off = self.text.len() as u32;
        self.text.push_str(s);
        Span {
            off,
            len: s.len() as u32,
        }
    }
    pub fn get(&self, s: Span) -> &str {
        &self.text[s.off as usize..(s.off + s.len) as usize]
    }
}

/// The few fields most filters start from, in a column of their own (16 bytes a person), so
/// that a first pass over a million people reads 16 MB rather than every `Person`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hot {
    pub birth: PartialDate,
    pub majors: u16,
    pub gender: Gender,
    pub status: LifeCycle,
    /// The grade of each year of the window starting at `Facts::grade_base`, 3 bits a year:
    /// 0 none (no assessment, or one without a grade), else the grade's position + 1.
    pub grades: u64,
}

/// Years of assessments the hot column holds.
pub const GRADE_WINDOW: i16 = 21;

impl Hot {
    fn of(p: &Person, grades: &[GradeFact], base: i16) -> Self {
        let mut bits = 0u64;
        let mut seen = 0u32;
        for g in grades {
            let k = g.year - base;
            // The first assessment of a year counts (as `Dossier::assessment` reads it).
            if (0..GRADE_WINDOW).contains(&k) && seen & (1 << k) == 0 {
                seen |= 1 << k;
                let code = g
                    .grade
                    .and_then(|g| Grade::ALL.iter().position(|x| *x == g))
                    .map_or(0, |i| i as u64 + 1);
                bits |= code << (3 * k as u64);
            }
        }
        Hot {
            birth: p.birth,
            majors: p.majors as u16,
            gender: p.gender,
            status: p.status,
            grades: bits,
        }
    }

    /// The grade code of `year`, when the window holds it.
    pub fn grade_code(&self, year: i16, base: i16) -> Option<u64> {
        let k = year - base;
        (0..GRADE_WINDOW)
            .contains(&k)
            .then(|| (self.grades >> (3 * k as u64)) & 7)
    }
}

/// Every dossier's facts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Facts {
    pub people: Vec<Person>,
    /// `Hot` of each person, in the same order.
    pub hot: Vec<Hot>,
    /// The first year of the hot grade window (0 until the first person is added, which sets
    /// it to 16 years before the current one).
    pub grade_base: i16,
    pub postings: Vec<PostFact>,
    pub courses: Vec<CourseFact>,
    pub grades: Vec<GradeFact>,
    pub trainings: Vec<TrainingFact>,
    pub rewards: Vec<RewardFact>,
    pub pool: Pool,
    pub names: Arena,
    pub id_numbers: Arena,
    /// Position of each dossier in `people` (rebuilt after loading).
    #[serde(skip)]
    by_id: HashMap<DossierId, u32>,
}

fn rows<T>(v: &mut Vec<T>, items: impl Iterator<Item = T>) -> Rows {
    let start = v.len() as u32;
    v.extend(items);
    Rows {
        start,
        len: (v.len() as u32 - start).min(u16::MAX as u32) as u16,
    }
}

fn bit(c: MajorCategory) -> u32 {
    MajorCategory::ALL
        .iter()
        .position(|x| *x == c)
        .map_or(0, |i| 1 << i)
}

impl Facts {
    /// Facts of all the given dossiers.
    pub fn build<'a>(
        dossiers: impl IntoIterator<Item = &'a Dossier>,
        units: &UnitDirectory,
    ) -> Self {
        let mut f = Facts::default();
        for d in dossiers {
            f.upsert(d, units);
        }
        f.shrink();
        f
    }

    pub fn len(&self) -> usize {
        self.people.len()
    }
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The position of a dossier in `people`.
    pub fn position(&self, id: DossierId) -> Option<usize> {
        if self.by_id.len() != self.people.len() {
            // Only after loading, before the map is rebuilt: a scan stays correct.
            return self.people.iter().position(|p| p.id == id);
        }
        self.by_id.get(&id).map(|&i| i as usize)
    }

    /// Checks every reference between the parts (as read from a file): each person's texts
    /// and rows lie within their arrays, every interned text exists, the pool's ends and the
    /// arenas' spans fall on character boundaries. A snapshot that fails is rebuilt.
    pub fn check_bounds(&self) -> Result<(), &'static str> {
        if self.hot.len() != self.people.len() {
            return Err("hot column length");
        }
        let mut prev = 0u32;
        for &e in &self.pool.ends {
            if e < prev || !self.pool.text.is_char_boundary(e as usize) {
                return Err("pool ends");
            }
            prev = e;
        }
        if prev as usize != self.pool.text.len() {
            return Err("pool length");
        }
        let pool = self.pool.len() as u32;
        let span = |a: &Arena, s: Span| {
            let end = s.off as usize + s.len as usize;
            end <= a.text.len()
                && a.text.is_char_boundary(s.off as usize)
                && a.text.is_char_boundary(end)
        };
        let rows = |r: Rows, len: usize| r.start as usize + r.len as usize <= len;
        for p in &self.people {
            let ok = span(&self.names, p.name)
                && span(&self.id_numbers, p.id_number)
                && [p.ethnicity, p.native_place, p.birthplace]
                    .iter()
                    .all(|&s| s < pool)
                && rows(p.posts, self.postings.len())
                && rows(p.courses, self.courses.len())
                && rows(p.assessments, self.grades.len())
                && rows(p.trainings, self.trainings.len())
                && rows(p.rewards, self.rewards.len())
                && p.current.is_none_or(|c| c < p.posts.len);
            if !ok {
                return Err("a person's references");
            }
        }
        let texts = |s: &[Sid]| s.iter().all(|&s| s < pool);
        if !self
            .postings
            .iter()
            .all(|p| texts(&[p.unit_display, p.unit_name, p.position, p.portfolio]))
            || !self.courses.iter().all(|c| texts(&[c.school, c.major]))
        {
            return Err("interned texts");
        }
        Ok(())
    }

    /// Gives back spare capacity (after a build).
    pub fn shrink(&mut self) {
        self.people.shrink_to_fit();
        self.hot.shrink_to_fit();
        self.postings.shrink_to_fit();
        self.courses.shrink_to_fit();
        self.grades.shrink_to_fit();
        self.trainings.shrink_to_fit();
        self.rewards.shrink_to_fit();
        self.pool.text.shrink_to_fit();
        self.pool.ends.shrink_to_fit();
        self.names.text.shrink_to_fit();
        self.id_numbers.text.shrink_to_fit();
    }

    /// Rebuilds what is not persisted (after loading).
    pub fn reindex(&mut self) {
        self.by_id = self
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i as u32))
            .collect();
    }

    /// Adds or replaces a dossier's facts. A replaced dossier's old rows stay in the arrays
    /// unreferenced until the next rebuild (`compacted`).
    pub fn upsert(&mut self, d: &Dossier, units: &UnitDirectory) {
        if self.grade_base == 0 {
            self.grade_base = PartialDate::today().y() - (GRADE_WINDOW - 5);
        }
        let person = self.person(d, units);
        let hot = Hot::of(
            &person,
            &self.grades[person.assessments.range()],
            self.grade_base,
        );
        match self.position(d.id) {
            Some(i) => {
                self.people[i] = person;
                self.hot[i] = hot;
            }
            None => {
                self.by_id.insert(d.id, self.people.len() as u32);
                self.people.push(person);
                self.hot.push(hot);
            }
        }
    }

    /// Forgets a dossier.
    pub fn remove(&mut self, id: DossierId) {
        if let Some(i) = self.position(id) {
            self.people.swap_remove(i);
            self.hot.swap_remove(i);
            self.by_id.remove(&id);
            if let Some(moved) = self.people.get(i) {
                self.by_id.insert(moved.id, i as u32);
            }
        }
    }

    fn person(&mut self, d: &Dossier, units: &UnitDirectory) -> Person {
        let ctx = Ctx {
            today: PartialDate::today(),
            units,
        };
        let highest = |kind: Option<EduKind>| d.highest_level(kind);
        let current = d.current_posting().and_then(|c| {
            d.postings
                .iter()
                .position(|p| std::ptr::eq(p, c))
                .map(|i| i as u16)
        });
        let mut posts = Vec::with_capacity(d.postings.len());
        for p in &d.postings {
            let unit = p.unit.and_then(|u| units.get(u));
            posts.push(PostFact {
                start: p.start,
                end: p.end,
                unit: p.unit,
                unit_display: self
                    .pool
                    .intern(unit.map_or(p.unit_name.as_str(), |u| u.name.as_str())),
                unit_name: self.pool.intern(&p.unit_name),
                position: self.pool.intern(&p.position),
                portfolio: self.pool.intern(&p.portfolio),
                rank: p.rank,
                role: p.role,
                unit_kind: unit.map(|u| u.kind),
                unit_level: unit.map(|u| u.level),
                grassroots: is_grassroots(p, &ctx),
                concurrent: p.concurrent,
                probation: p.probation,
            });
        }
        let courses: Vec<CourseFact> = d
            .education
            .iter()
            .map(|e| CourseFact {
                school: self.pool.intern(&e.school),
                major: self.pool.intern(&e.major),
            })
            .collect();
        Person {
            id: d.id,
            name: self.names.push(&d.identity.name),
            id_number: self.id_numbers.push(&d.identity.id_number),
            ethnicity: self.pool.intern(&d.identity.ethnicity),
            native_place: self.pool.intern(&d.identity.native_place),
            birthplace: self.pool.intern(&d.identity.birthplace),
            birth: d.identity.birth,
            party_entry: d.identity.party_entry,
            work_start: d.identity.work_start,
            gender: d.identity.gender,
            political: d.identity.political_status,
            status: d.status,
            edu: highest(None),
            edu_full_time: highest(Some(EduKind::FullTime)),
            edu_in_service: highest(Some(EduKind::InService)),
            degree: d.education.iter().filter_map(|e| e.degree).min(),
            majors: d
                .education
                .iter()
                .filter_map(|e| e.category.or_else(|| MajorCategory::infer(&e.major)))
                .map(bit)
                .fold(0, |a, b| a | b),
            rank: d.current_rank(),
            level_since: d.current_level_since(),
            reserve: d.reserve.as_ref().map(|r| (r.target, r.readiness)),
            findings: d.findings.len().min(u16::MAX as usize) as u16,
            open_findings: d
                .findings
                .iter()
                .filter(|f| !f.resolved)
                .count()
                .min(u16::MAX as usize) as u16,
            family_business: d.family.iter().any(|m| {
                !m.businesses.is_empty() && RelationKind::classify(&m.relation).business_binds()
            }),
            family_employed: d.family.iter().any(|m| m.employer_unit.is_some()),
            family_business_latest: d
                .family
                .iter()
                .filter(|m| RelationKind::classify(&m.relation).business_binds())
                .flat_map(|m| m.businesses.iter().filter_map(|b| b.registered))
                .max(),
            last_report: d.last_report,
            posts: rows(&mut self.postings, posts.into_iter()),
            current,
            courses: rows(&mut self.courses, courses.into_iter()),
            assessments: rows(
                &mut self.grades,
                d.assessments.iter().map(|a| GradeFact {
                    year: a.year,
                    grade: a.grade,
                }),
            ),
            trainings: rows(
                &mut self.trainings,
                d.training.iter().map(|t| TrainingFact {
                    start: t.start,
                    hours: t.hours,
                }),
            ),
            rewards: rows(
                &mut self.rewards,
                d.rewards.iter().map(|r| RewardFact {
                    date: r.date,
                    punishment: r.kind.is_punishment(),
                }),
            ),
        }
    }

    /// Whether replaced or removed dossiers left rows behind (see `compacted`).
    pub fn has_orphans(&self) -> bool {
        let used = |f: fn(&Person) -> Rows| -> usize {
            self.people.iter().map(|p| f(p).len as usize).sum()
        };
        let text = |f: fn(&Person) -> Span| -> usize {
            self.people.iter().map(|p| f(p).len as usize).sum()
        };
        used(|p| p.posts) != self.postings.len()
            || used(|p| p.courses) != self.courses.len()
            || used(|p| p.assessments) != self.grades.len()
            || used(|p| p.trainings) != self.trainings.len()
            || used(|p| p.rewards) != self.rewards.len()
            || text(|p| p.name) != self.names.text.len()
            || text(|p| p.id_number) != self.id_numbers.text.len()
    }

    /// The same facts without rows left behind by replaced dossiers.
    pub fn compacted(&self) -> Facts {
        let mut f = Facts {
            pool: self.pool.clone(),
            grade_base: self.grade_base,
            ..Facts::default()
        };
        for p in &self.people {
            let mut q = p.clone();
            q.name = f.names.push(self.name(p));
            q.id_number = f.id_numbers.push(self.id_number(p));
            q.posts = rows(
                &mut f.postings,
                self.postings[p.posts.range()].iter().copied(),
            );
            q.courses = rows(
                &mut f.courses,
                self.courses[p.courses.range()].iter().copied(),
            );
            q.assessments = rows(
                &mut f.grades,
                self.grades[p.assessments.range()].iter().copied(),
            );
            q.trainings = rows(
                &mut f.trainings,
                self.trainings[p.trainings.range()].iter().copied(),
            );
            q.rewards = rows(
                &mut f.rewards,
                self.rewards[p.rewards.range()].iter().copied(),
            );
            f.people.push(q);
        }
        f.hot = self.hot.clone();
        f.shrink();
        f.reindex();
        f
    }

    /// Frees every row and map that `entry_view` does not read, and keeps of each dossier's
    /// postings only the current one. What remains answers `entry_view` (and so
    /// `lookup_index`) exactly as before and nothing else: the snapshot writer calls it on
    /// facts it was given, once their rows are written, so that the lookup index is built
    /// without them beside it (the import's last step, at its peak of memory).
    pub(super) fn reduce_to_lookup(&mut self) {
        self.hot = Vec::new();
        self.courses = Vec::new();
        self.grades = Vec::new();
        self.trainings = Vec::new();
        self.rewards = Vec::new();
        self.by_id = HashMap::new();
        self.pool.map = HashMap::new();
        let mut current = Vec::with_capacity(self.people.len());
        for p in &mut self.people {
            let post = p
                .current
                .map(|i| self.postings[p.posts.start as usize + i as usize]);
            p.posts = Rows {
                start: current.len() as u32,
                len: u16::from(post.is_some()),
            };
            p.current = post.map(|_| 0);
            current.extend(post);
            p.courses = Rows::default();
            p.assessments = Rows::default();
            p.trainings = Rows::default();
            p.rewards = Rows::default();
        }
        self.postings = current;
    }

    pub fn name(&self, p: &Person) -> &str {
        self.names.get(p.name)
    }
    pub fn id_number(&self, p: &Person) -> &str {
        self.id_numbers.get(p.id_number)
    }
    pub fn posts(&self, p: &Person) -> &[PostFact] {
        &self.postings[p.posts.range()]
    }
    pub fn current(&self, p: &Person) -> Option<&PostFact> {
        p.current
            .map(|i| &self.postings[p.posts.start as usize + i as usize])
    }

    /// What lookup knows of the dossier at `i`.
    pub fn entry(&self, i: usize) -> Entry {
        let p = &self.people[i];
        let cur = self.current(p);
        Entry {
            id: p.id,
            name: self.name(p).to_string(),
            gender: p.gender,
            birth: p.birth,
            post: cur
                .map(|c| self.pool.get(c.position).to_string())
                .unwrap_or_default(),
            unit: cur
                .map(|c| self.pool.get(c.unit_display).to_string())
                .unwrap_or_default(),
            id_number: self.id_number(p).to_string(),
        }
    }

    /// What lookup knows of the dossier at `i`, borrowed.
    pub fn entry_view(&self, i: usize) -> EntryView<'_> {
        let p = &self.people[i];
        let cur = self.current(p);
        EntryView {
            id: p.id,
            name: self.name(p),
            gender: p.gender,
            birth: p.birth,
            post: cur.map_or("", |c| self.pool.get(c.position)),
            unit: cur.map_or("", |c| self.pool.get(c.unit_display)),
            id_number: self.id_number(p),
        }
    }

    /// The lookup index over every dossier.
    pub fn lookup_index(&self) -> crate::lookup::Index {
        crate::lookup::Index::build_from(self.len(), |i| self.entry_view(i))
    }

    /// Every dossier as a lookup entry.
    pub fn entries(&self) -> Vec<Entry> {
        (0..self.people.len()).map(|i| self.entry(i)).collect()
    }

    /// The result-list row of the dossier at `i` (the same as `ResultRow::new` on the dossier).
    pub fn row(&self, i: usize, today: &PartialDate) -> ResultRow {
        let p = &self.people[i];
        let cur = self.current(p);
        let text = |f: fn(&PostFact) -> Sid| {
            cur.map(|c| self.pool.get(f(c)).to_string())
                .unwrap_or_default()
        };
        ResultRow {
            id: p.id,
            name: self.name(p).to_string(),
            gender: p.gender.label(),
            age: p.birth.whole_years_until(today),
            birth: p.birth.dotted(),
            rank: p.rank.map(|r| r.label().to_string()).unwrap_or_default(),
            post: text(|c| c.position),
            unit: text(|c| c.unit_display),
            post_since: cur.map(|c| c.start.dotted()).unwrap_or_default(),
        }
    }

    /// Who sits on which team: (person index, posting offset) of serving cadres' open
    /// leadership postings, by unit (the rule of `team::TeamIndex::build`).
    pub fn seats(&self) -> HashMap<UnitId, Vec<(usize, usize)>> {
        let mut by_unit: HashMap<UnitId, Vec<(usize, usize)>> = HashMap::new();
        for (i, p) in self.people.iter().enumerate() {
            if p.status != LifeCycle::Serving {
                continue;
            }
            for (k, post) in self.posts(p).iter().enumerate() {
                if post.end.is_none()
                    && post.rank.is_some_and(Rank::is_leadership)
                    && let Some(u) = post.unit
                {
                    by_unit.entry(u).or_default().push((i, k));
                }
            }
        }
        by_unit
    }

    /// Heap bytes held (for the memory figures).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.people.capacity() * size_of::<Person>()
            + self.postings.capacity() * size_of::<PostFact>()
            + self.courses.capacity() * size_of::<CourseFact>()
            + self.grades.capacity() * size_of::<GradeFact>()
            + self.trainings.capacity() * size_of::<TrainingFact>()
            + self.rewards.capacity() * size_of::<RewardFact>()
            + self.pool.text.capacity()
            + self.pool.ends.capacity() * 4
            + self.names.text.capacity()
            + self.id_numbers.text.capacity()
            + self.by_id.capacity() * 16
    }
}
