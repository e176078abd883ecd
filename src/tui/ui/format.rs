//! Small pure formatters the panes share: date spans, unit names of postings, rank markers and
//! tier styles, time in post and at level. No layout and no I/O.

use crate::model::{Dossier, PartialDate, Posting, Rank, Tier, UnitDirectory};

use super::super::strings as s;

/// The unit of a posting: the directory's name when the unit is known, else as written.
pub fn unit_name(p: &Posting, units: &UnitDirectory) -> String {
    p.unit
        .and_then(|u| units.get(u))
        .map(|u| u.name.clone())
        .unwrap_or_else(|| p.unit_name.clone())
}

/// `1993.07-1996.08`, or `2016.11-至今` for a post still held.
pub fn span(start: &PartialDate, end: Option<&PartialDate>) -> String {
    match end {
        Some(e) => format!("{}-{}", start.dotted(), e.dotted()),
        None => format!("{}-{}", start.dotted(), s::PRESENT),
    }
}

/// Whole months from `a` to `b` (month precision).
pub fn months_between(a: &PartialDate, b: &PartialDate) -> i32 {
    b.month_index() - a.month_index()
}

/// The theme key for a rank's tier (`timeline.rank.county`), `timeline.rank` when unknown.
pub fn tier_key(rank: Option<Rank>) -> &'static str {
    match rank.map(Rank::tier) {
        Some(Tier::National) => "timeline.rank.national",
        Some(Tier::Provincial) => "timeline.rank.provincial",
        Some(Tier::Bureau) => "timeline.rank.bureau",
        Some(Tier::County) => "timeline.rank.county",
        Some(Tier::Township) => "timeline.rank.township",
        None => "timeline.rank",
    }
}

/// The character a timeline bar is drawn with, by tier, so tiers differ without colour.
pub fn tier_glyph(rank: Option<Rank>) -> char {
    match rank.map(Rank::tier) {
        Some(Tier::National) => '@',
        Some(Tier::Provincial) => '*',
        Some(Tier::Bureau) => '#',
        Some(Tier::County) => '=',
        Some(Tier::Township) => '-',
        None => ':',
    }
}

/// A two-character rank marker (正处, 副科, 一调); four spaces when unknown.
pub fn rank_short(rank: Option<Rank>) -> &'static str {
    rank.map_or("    ", s::rank_short)
}

/// The current main post and the months held up to `today`.
pub fn in_post<'a>(d: &'a Dossier, today: &PartialDate) -> Option<(&'a Posting, i32)> {
    let p = d.current_posting()?;
    Some((p, months_between(&p.start, today)))
}

/// The current rank and the months at its level up to `today`.
pub fn at_level(d: &Dossier, today: &PartialDate) -> Option<(Rank, i32)> {
    let r = d.current_rank()?;
    let since = d.current_level_since()?;
    Some((r, months_between(&since, today)))
}

/// `1975.03生（50岁）`
pub fn birth_and_age(d: &Dossier, today: &PartialDate) -> String {
    format!(
        "{}{}{}",
        d.identity.birth.dotted(),
        s::BORN,
        s::paren(&format!("{}{}", d.age_on(today), s::AGE_SUFFIX))
    )
}

/// Optional date, dotted, or 不详.
pub fn date_or_unknown(d: Option<&PartialDate>) -> String {
    d.map_or_else(|| s::UNKNOWN.to_string(), PartialDate::dotted)
}

/// Text or 不详 when blank.
pub fn or_unknown(t: &str) -> String {
    if t.trim().is_empty() {
        s::UNKNOWN.to_string()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_months() {
        let a = PartialDate::ym(1993, 7).unwrap();
        let b = PartialDate::ym(1996, 8).unwrap();
        assert_eq!(span(&a, Some(&b)), "1993.07-1996.08");
        assert_eq!(span(&a, None), "1993.07-至今");
        assert_eq!(months_between(&a, &b), 37);
    }

    #[test]
    fn every_rank_has_a_two_character_marker_and_a_glyph() {
        for r in Rank::ALL {
            assert_eq!(rank_short(Some(*r)).chars().count(), 2, "{r:?}");
            assert!(tier_glyph(Some(*r)).is_ascii());
            assert!(tier_key(Some(*r)).starts_with("timeline.rank."));
        }
    }
}
