//! Fixed-width byte layouts of the facts' rows, for the snapshot: each `Person`, `Hot`,
//! posting, course, grade, training and reward becomes a record of a fixed number of bytes
//! (little-endian integers, vocabulary values as their position in `ALL`, dates packed, an
//! absent value as 0), so that start-up reads rows with a few loads each instead of a
//! self-describing decode. Reading checks every code and date and refuses a record that is
//! not one of ours (`Bad`); `Facts::check_bounds` then checks every reference between rows.
//! Owns the layouts only; the file around them is `snapshot`'s.

use crate::model::*;

use super::{CourseFact, GradeFact, Hot, Person, PostFact, RewardFact, Rows, Span, TrainingFact};

/// A record that is not one this build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bad;

/// A row with a fixed-width layout.
pub trait Row: Sized {
    const SIZE: usize;
    fn put(&self, out: &mut Vec<u8>);
    /// Reads a record of exactly `SIZE` bytes.
    fn get(b: &[u8]) -> Result<Self, Bad>;
}

/// Writes fields in order.
struct W<'a>(&'a mut Vec<u8>);

impl W<'_> {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn date(&mut self, d: PartialDate) -> &mut Self {
        self.u32(d.packed())
    }
    fn opt_date(&mut self, d: Option<PartialDate>) -> &mut Self {
        self.u32(d.map_or(0, |d| d.packed()))
    }
    fn span(&mut self, s: Span) -> &mut Self {
        self.u32(s.off).u32(s.len)
    }
    fn rows(&mut self, r: Rows) -> &mut Self {
        self.u32(r.start).u16(r.len)
    }
}

/// Reads fields in order from one record.
struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> R<'a> {
    fn new(b: &'a [u8]) -> Self {
        R { b, at: 0 }
    }
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let v: [u8; N] = self.b[self.at..self.at + N].try_into().expect("N bytes");
        self.at += N;
        v
    }
    fn u8(&mut self) -> u8 {
        let v = self.b[self.at];
        self.at += 1;
        v
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn date(&mut self) -> Result<PartialDate, Bad> {
        PartialDate::from_packed(self.u32()).map_err(|_| Bad)
    }
    fn opt_date(&mut self) -> Result<Option<PartialDate>, Bad> {
        match self.u32() {
            0 => Ok(None),
            v => PartialDate::from_packed(v).map(Some).map_err(|_| Bad),
        }
    }
    fn span(&mut self) -> Span {
        Span {
            off: self.u32(),
            len: self.u32(),
        }
    }
    fn rows(&mut self) -> Rows {
        Rows {
            start: self.u32(),
            len: self.u16(),
        }
    }
}

/// A vocabulary value as its code, and back.
macro_rules! coded {
    ($($t:ty),+) => {$(
        impl Coded for $t {
            fn code(self) -> u8 {
                <$t>::code(self)
            }
            fn from_code(c: u8) -> Option<Self> {
                <$t>::from_code(c)
            }
        }
    )+};
}

trait Coded: Sized + Copy {
    fn code(self) -> u8;
    fn from_code(c: u8) -> Option<Self>;
}

coded!(
    Gender,
    PoliticalStatus,
    LifeCycle,
    EduLevel,
    Degree,
    Rank,
    Readiness,
    PostRole,
    UnitKind,
    UnitLevel,
    Grade
);

fn code<T: Coded>(v: T) -> u8 {
    v.code()
}
fn opt_code<T: Coded>(v: Option<T>) -> u8 {
    v.map_or(0, |v| v.code() + 1)
}
fn decode<T: Coded>(c: u8) -> Result<T, Bad> {
    T::from_code(c).ok_or(Bad)
}
fn decode_opt<T: Coded>(c: u8) -> Result<Option<T>, Bad> {
    match c {
        0 => Ok(None),
        c => T::from_code(c - 1).map(Some).ok_or(Bad),
    }
}

impl Row for Person {
    // id, two spans, three texts, three dates, three codes, four education codes, majors,
    // rank / reserve / flags, a date, two counts, two dates, current, five row runs.
    const SIZE: usize = 8 + 2 * 8 + 3 * 4 + 3 * 4 + 3 + 4 + 4 + 4 + 4 + 4 + 2 * 4 + 2 + 5 * 6;

    fn put(&self, out: &mut Vec<u8>) {
        let flags = u8::from(self.family_business)
            | u8::from(self.family_employed) << 1
            | u8::from(self.current.is_some()) << 2;
        let (reserve_rank, readiness) = match self.reserve {
            Some((r, x)) => (r.code() + 1, x.code()),
            None => (0, 0),
        };
        W(out)
            .u64(self.id)
            .span(self.name)
            .span(self.id_number)
            .u32(self.ethnicity)
            .u32(self.native_place)
            .u32(self.birthplace)
            .date(self.birth)
            .opt_date(self.party_entry)
            .opt_date(self.work_start)
            .u8(code(self.gender))
            .u8(code(self.political))
            .u8(code(self.status))
            .u8(opt_code(self.edu))
            .u8(opt_code(self.edu_full_time))
            .u8(opt_code(self.edu_in_service))
            .u8(opt_code(self.degree))
            .u32(self.majors)
            .u8(opt_code(self.rank))
            .u8(reserve_rank)
            .u8(readiness)
            .u8(flags)
            .opt_date(self.level_since)
            .u16(self.findings)
            .u16(self.open_findings)
            .opt_date(self.family_business_latest)
            .opt_date(self.last_report)
            .u16(self.current.unwrap_or(0))
            .rows(self.posts)
            .rows(self.courses)
            .rows(self.assessments)
            .rows(self.trainings)
            .rows(self.rewards);
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        let id = r.u64();
        let name = r.span();
        let id_number = r.span();
        let ethnicity = r.u32();
        let native_place = r.u32();
        let birthplace = r.u32();
        let birth = r.date()?;
        let party_entry = r.opt_date()?;
        let work_start = r.opt_date()?;
        let gender = decode(r.u8())?;
        let political = decode(r.u8())?;
        let status = decode(r.u8())?;
        let edu = decode_opt(r.u8())?;
        let edu_full_time = decode_opt(r.u8())?;
        let edu_in_service = decode_opt(r.u8())?;
        let degree = decode_opt(r.u8())?;
        let majors = r.u32();
        let rank = decode_opt(r.u8())?;
        let reserve_rank: Option<Rank> = decode_opt(r.u8())?;
        let readiness: Readiness = decode(r.u8())?;
        let flags = r.u8();
        let level_since = r.opt_date()?;
        let findings = r.u16();
        let open_findings = r.u16();
        let family_business_latest = r.opt_date()?;
        let last_report = r.opt_date()?;
        let current = r.u16();
        let p = Person {
            id,
            name,
            id_number,
            ethnicity,
            native_place,
            birthplace,
            birth,
            party_entry,
            work_start,
            gender,
            political,
            status,
            edu,
            edu_full_time,
            edu_in_service,
            degree,
            majors,
            rank,
            level_since,
            reserve: reserve_rank.map(|r| (r, readiness)),
            findings,
            open_findings,
            family_business: flags & 1 != 0,
            family_employed: flags & 2 != 0,
            family_business_latest,
            last_report,
            current: (flags & 4 != 0).then_some(current),
            posts: r.rows(),
            courses: r.rows(),
            assessments: r.rows(),
            trainings: r.rows(),
            rewards: r.rows(),
        };
        debug_assert_eq!(r.at, Self::SIZE);
        Ok(p)
    }
}

impl Row for Hot {
    const SIZE: usize = 4 + 2 + 1 + 1 + 8;

    fn put(&self, out: &mut Vec<u8>) {
        W(out)
            .date(self.birth)
            .u16(self.majors)
            .u8(code(self.gender))
            .u8(code(self.status))
            .u64(self.grades);
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        Ok(Hot {
            birth: r.date()?,
            majors: r.u16(),
            gender: decode(r.u8())?,
            status: decode(r.u8())?,
            grades: r.u64(),
        })
    }
}

impl Row for PostFact {
    const SIZE: usize = 4 + 4 + 4 + 4 * 4 + 1 + 1 + 1 + 1 + 1;

    fn put(&self, out: &mut Vec<u8>) {
        let flags = u8::from(self.grassroots)
            | u8::from(self.concurrent) << 1
            | u8::from(self.probation) << 2
            | u8::from(self.unit.is_some()) << 3;
        W(out)
            .date(self.start)
            .opt_date(self.end)
            .u32(self.unit.unwrap_or(0))
            .u32(self.unit_display)
            .u32(self.unit_name)
            .u32(self.position)
            .u32(self.portfolio)
            .u8(opt_code(self.rank))
            .u8(code(self.role))
            .u8(opt_code(self.unit_kind))
            .u8(opt_code(self.unit_level))
            .u8(flags);
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        let start = r.date()?;
        let end = r.opt_date()?;
        let unit = r.u32();
        let unit_display = r.u32();
        let unit_name = r.u32();
        let position = r.u32();
        let portfolio = r.u32();
        let rank = decode_opt(r.u8())?;
        let role = decode(r.u8())?;
        let unit_kind = decode_opt(r.u8())?;
        let unit_level = decode_opt(r.u8())?;
        let flags = r.u8();
        Ok(PostFact {
            start,
            end,
            unit: (flags & 8 != 0).then_some(unit),
            unit_display,
            unit_name,
            position,
            portfolio,
            rank,
            role,
            unit_kind,
            unit_level,
            grassroots: flags & 1 != 0,
            concurrent: flags & 2 != 0,
            probation: flags & 4 != 0,
        })
    }
}

impl Row for CourseFact {
    const SIZE: usize = 8;

    fn put(&self, out: &mut Vec<u8>) {
        W(out).u32(self.school).u32(self.major);
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        Ok(CourseFact {
            school: r.u32(),
            major: r.u32(),
        })
    }
}

impl Row for GradeFact {
    const SIZE: usize = 3;

    fn put(&self, out: &mut Vec<u8>) {
        W(out).u16(self.year as u16).u8(opt_code(self.grade));
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        Ok(GradeFact {
            year: r.u16() as i16,
            grade: decode_opt(r.u8())?,
        })
    }
}

impl Row for TrainingFact {
    const SIZE: usize = 8;

    fn put(&self, out: &mut Vec<u8>) {
        W(out).date(self.start).u32(self.hours);
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        Ok(TrainingFact {
            start: r.date()?,
            hours: r.u32(),
        })
    }
}

impl Row for RewardFact {
    const SIZE: usize = 5;

    fn put(&self, out: &mut Vec<u8>) {
        W(out).opt_date(self.date).u8(u8::from(self.punishment));
    }

    fn get(b: &[u8]) -> Result<Self, Bad> {
        let mut r = R::new(b);
        Ok(RewardFact {
            date: r.opt_date()?,
            punishment: match r.u8() {
                0 => false,
                1 => true,
                _ => return Err(Bad),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Row + PartialEq + std::fmt::Debug>(v: &T) {
        let mut out = Vec::new();
        v.put(&mut out);
        assert_eq!(out.len(), T::SIZE, "layout size of {v:?}");
        assert_eq!(&T::get(&out).expect("reads back"), v);
    }

    #[test]
    fn every_row_of_the_demo_province_reads_back_as_written() {
        let opts = crate::demo::DemoOptions {
            count: 400,
            seed: 7,
        };
        let units = UnitDirectory::new(crate::demo::units(&opts));
        let dossiers: Vec<Dossier> = crate::demo::dossiers(&opts).collect();
        let facts = super::super::Facts::build(&dossiers, &units);
        assert!(facts.people.iter().any(|p| p.reserve.is_some()));
        assert!(facts.people.iter().any(|p| p.current.is_some()));
        assert!(facts.postings.iter().any(|p| p.unit.is_none()));
        facts.people.iter().for_each(round_trip);
        facts.hot.iter().for_each(round_trip);
        facts.postings.iter().for_each(round_trip);
        facts.courses.iter().for_each(round_trip);
        facts.grades.iter().for_each(round_trip);
        facts.trainings.iter().for_each(round_trip);
        facts.rewards.iter().for_each(round_trip);
    }

    #[test]
    fn a_code_or_date_that_is_not_ours_is_refused() {
        let g = GradeFact {
            year: 2020,
            grade: Some(Grade::ALL[0]),
        };
        let mut out = Vec::new();
        g.put(&mut out);
        out[2] = 200;
        assert_eq!(GradeFact::get(&out), Err(Bad));
        let t = TrainingFact {
            start: PartialDate::new(2020, 1, 0).unwrap(),
            hours: 8,
        };
        let mut out = Vec::new();
        t.put(&mut out);
        out[..4].copy_from_slice(&20201399u32.to_le_bytes());
        assert_eq!(TrainingFact::get(&out), Err(Bad));
        let mut out = Vec::new();
        RewardFact {
            date: None,
            punishment: true,
        }
        .put(&mut out);
        out[4] = 2;
        assert_eq!(RewardFact::get(&out), Err(Bad));
    }
}
