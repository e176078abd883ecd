//! Partial dates as clerks write them: a year, a year-month, or a full date. Owns parsing of
//! every date form in DOMAIN.md and date arithmetic at the precision the source has. It must not
//! invent precision: a year-month stays a year-month through import, storage and export.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A date known to the year, the month or the day. Unknown parts are 0, so ordering sorts a
/// bare year before its months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    year: i16,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "无法识别的日期格式“{0}”（可用 1965.03、1965-03、196503、1965年3月、1965-03-12、12/03/1965）"
    )]
    Unrecognized(String),
    #[error("日期不存在：“{0}”")]
    Impossible(String),
}

impl PartialDate {
    pub fn year(year: i16) -> Result<Self, DateError> {
        Self::new(year, 0, 0)
    }
    pub fn ym(year: i16, month: u8) -> Result<Self, DateError> {
        Self::new(year, month, 0)
    }
    pub fn ymd(year: i16, month: u8, day: u8) -> Result<Self, DateError> {
        Self::new(year, month, day)
    }

    /// Builds a date, refusing impossible ones (month 13, 31 April, 29 February off leap years,
    /// a day without a month, years outside 1800..=2200).
    pub fn new(year: i16, month: u8, day: u8) -> Result<Self, DateError> {
        let bad = || DateError::Impossible(format!("{year:04}-{month:02}-{day:02}"));
        if !(1800..=2200).contains(&year) || month > 12 || (month == 0 && day != 0) {
            return Err(bad());
        }
        if day != 0 && day > days_in_month(year, month) {
            return Err(bad());
        }
        Ok(Self { year, month, day })
    }

    pub fn y(&self) -> i16 {
        self.year
    }
    /// Month 1..=12, or None when only the year is known.
    pub fn m(&self) -> Option<u8> {
        (self.month != 0).then_some(self.month)
    }
    /// Day 1..=31, or None when not known.
    pub fn d(&self) -> Option<u8> {
        (self.day != 0).then_some(self.day)
    }

    /// Today's date in the local time zone.
    pub fn today() -> Self {
        let now = jiff::Zoned::now().date();
        Self {
            year: now.year(),
            month: now.month() as u8,
            day: now.day() as u8,
        }
    }

    /// Months since year 0, unknown month counted as January (the earliest reading).
    pub fn month_index(&self) -> i32 {
        self.year as i32 * 12 + (self.month.max(1) as i32 - 1)
    }

    /// Whole years from `self` to `later` (an age, or years in a post). Unknown parts count as
    /// the first of the year or month, so the answer never exceeds the truth by more than the
    /// precision of the source.
    pub fn whole_years_until(&self, later: &PartialDate) -> i32 {
        let mut years = later.year as i32 - self.year as i32;
        let a = (self.month.max(1), self.day.max(1));
        let b = (later.month.max(1), later.day.max(1));
        if b < a {
            years -= 1;
        }
        years
    }

    /// Fractional years from `self` to `later` at month precision.
    pub fn years_until(&self, later: &PartialDate) -> f64 {
        (later.month_index() - self.month_index()) as f64 / 12.0
    }

    /// The same month and day `n` years later (29 February becomes 28 February).
    pub fn plus_years(&self, n: i16) -> PartialDate {
        let year = self.year + n;
        let day = if self.day != 0 {
            self.day.min(days_in_month(year, self.month))
        } else {
            0
        };
        PartialDate {
            year,
            month: self.month,
            day,
        }
    }

    /// Compact encoding for storage: yyyymmdd with zeros for unknown parts.
    pub fn packed(&self) -> u32 {
        self.year as u32 * 10000 + self.month as u32 * 100 + self.day as u32
    }
    pub fn from_packed(v: u32) -> Result<Self, DateError> {
        Self::new((v / 10000) as i16, ((v / 100) % 100) as u8, (v % 100) as u8)
    }

    /// Parses every form clerks use: 1965, 1965.03, 1965.3, 1965-03, 1965/03, 196503, 1965年3月,
    /// 1965年3月12日, 1965-03-12, 1965.03.12, 19650312, 12/03/1965 (day/month/year). Full-width
    /// digits and punctuation are accepted. Returns Ok(None) for blank, 不详 and similar.
    pub fn parse_opt(s: &str) -> Result<Option<Self>, DateError> {
        let norm = normalize_width(s.trim());
        let t = norm.trim();
        if is_unknown_marker(t) {
            return Ok(None);
        }
        Self::parse_normalized(t).map(Some)
    }

    fn parse_normalized(t: &str) -> Result<Self, DateError> {
        let unrec = || DateError::Unrecognized(t.to_string());
        let num = |p: &str| -> Result<u32, DateError> {
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unrec());
            }
            p.parse::<u32>().map_err(|_| unrec())
        };
        // Pure digits: yyyy, yyyymm, yyyymmdd.
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return match t.len() {
                4 => Self::new(num(t)? as i16, 0, 0),
                6 => Self::new(num(&t[..4])? as i16, num(&t[4..])? as u8, 0),
                8 => Self::new(
                    num(&t[..4])? as i16,
                    num(&t[4..6])? as u8,
                    num(&t[6..])? as u8,
                ),
                _ => Err(unrec()),
            };
        }
        // 1965年3月12日 / 1965年3月 / 1965年
        if t.contains('年') {
            let rest = t.strip_suffix('日').unwrap_or(t);
            let (y, rest) = rest.split_once('年').ok_or_else(unrec)?;
            if rest.is_empty() {
                return Self::new(num(y)? as i16, 0, 0);
            }
            let (m, d) = match rest.split_once('月') {
                Some((m, d)) => (m, d),
                None => return Err(unrec()),
            };
            let day = if d.is_empty() { 0 } else { num(d)? as u8 };
            return Self::new(num(y)? as i16, num(m)? as u8, day);
        }
        let parts: Vec<&str> = t.split(['.', '-', '/']).collect();
        let seps: Vec<char> = t.chars().filter(|c| matches!(c, '.' | '-' | '/')).collect();
        if seps.windows(2).any(|w| w[0] != w[1]) {
            return Err(unrec());
        }
        match parts.as_slice() {
            [y, m] if y.len() == 4 => Self::new(num(y)? as i16, num(m)? as u8, 0),
            [y, m, d] if y.len() == 4 => Self::new(num(y)? as i16, num(m)? as u8, num(d)? as u8),
            // 12/03/1965: day/month/year, as Excel writes it in a Chinese locale export.
            [d, m, y] if y.len() == 4 && d.len() <= 2 => {
                Self::new(num(y)? as i16, num(m)? as u8, num(d)? as u8)
            }
            _ => Err(unrec()),
        }
    }
}

fn days_in_month(year: i16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Blank cells and the words clerks put for "unknown".
pub fn is_unknown_marker(t: &str) -> bool {
    matches!(t, "" | "不详" | "无" | "未知" | "-" | "—" | "/")
}

/// Full-width digits and punctuation (１９６５．０３) to their ASCII forms.
pub fn normalize_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '－' | '—' | '–' => '-',
            '／' => '/',
            '　' => ' ',
            _ => c,
        })
        .collect()
}

impl fmt::Display for PartialDate {
    /// The ISO-like form used in JSON and on screen: 1965, 1965-03 or 1965-03-12.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.m(), self.d()) {
            (None, _) => write!(f, "{:04}", self.year),
            (Some(m), None) => write!(f, "{:04}-{m:02}", self.year),
            (Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
        }
    }
}

impl PartialDate {
    /// The dotted form clerks read on forms: 1965.03 (or 1965.03.12, or 1965).
    pub fn dotted(&self) -> String {
        match (self.m(), self.d()) {
            (None, _) => format!("{:04}", self.year),
            (Some(m), None) => format!("{:04}.{m:02}", self.year),
            (Some(m), Some(d)) => format!("{:04}.{m:02}.{d:02}", self.year),
        }
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_opt(s)?.ok_or_else(|| DateError::Unrecognized(s.to_string()))
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_u32(self.packed())
        }
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PartialDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 1965, 1965-03 or 1965-03-12")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PartialDate, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u32<E: de::Error>(self, v: u32) -> Result<PartialDate, E> {
                PartialDate::from_packed(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PartialDate, E> {
                u32::try_from(v)
                    .map_err(|_| E::custom("date out of range"))
                    .and_then(|v| self.visit_u32(v))
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(V)
        } else {
            d.deserialize_u32(V)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PartialDate {
        PartialDate::parse_opt(s).unwrap().unwrap()
    }

    #[test]
    fn every_domain_form_parses_at_its_precision() {
        let ym = PartialDate::ym(1965, 3).unwrap();
        let ymd = PartialDate::ymd(1965, 3, 12).unwrap();
        for s in [
            "1965.03",
            "1965-03",
            "196503",
            "1965年3月",
            "1965.3",
            "1965/03",
            "１９６５．０３",
        ] {
            assert_eq!(p(s), ym, "{s}");
        }
        for s in [
            "1965-03-12",
            "12/03/1965",
            "19650312",
            "1965年3月12日",
            "1965.03.12",
        ] {
            assert_eq!(p(s), ymd, "{s}");
        }
        assert_eq!(p("1965"), PartialDate::year(1965).unwrap());
        assert_eq!(p("1965年"), PartialDate::year(1965).unwrap());
    }

    #[test]
    fn unknown_markers_are_none() {
        for s in ["", "  ", "不详", "无", "未知"] {
            assert_eq!(PartialDate::parse_opt(s).unwrap(), None, "{s}");
        }
    }

    #[test]
    fn impossible_and_garbled_dates_are_refused() {
        for s in [
            "1965.13",
            "1965-02-30",
            "1900-02-29",
            "31/04/1990",
            "2023.00.05",
        ] {
            assert!(
                matches!(PartialDate::parse_opt(s), Err(DateError::Impossible(_))),
                "{s}"
            );
        }
        for s in ["abc", "65.03", "1965.03-12", "1965年三月", "19651"] {
            assert!(
                matches!(PartialDate::parse_opt(s), Err(DateError::Unrecognized(_))),
                "{s}"
            );
        }
        assert!(PartialDate::parse_opt("2000-02-29").is_ok());
    }

    #[test]
    fn ages_and_spans() {
        let birth = PartialDate::ym(1981, 11).unwrap();
        assert_eq!(
            birth.whole_years_until(&PartialDate::ymd(2026, 11, 25).unwrap()),
            45
        );
        assert_eq!(
            birth.whole_years_until(&PartialDate::ymd(2026, 10, 31).unwrap()),
            44
        );
        let a = PartialDate::ym(2016, 11).unwrap();
        assert_eq!(a.years_until(&PartialDate::ym(2026, 11).unwrap()), 10.0);
    }

    #[test]
    fn display_keeps_precision() {
        assert_eq!(p("1965年3月").to_string(), "1965-03");
        assert_eq!(p("1965").to_string(), "1965");
        assert_eq!(p("12/03/1965").dotted(), "1965.03.12");
    }
}
