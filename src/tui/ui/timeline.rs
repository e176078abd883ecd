//! The posting timeline: the career on a time axis, one lane per posting in order of start, so
//! concurrent posts sit on their own lane and gaps and overlaps between successive main posts
//! show. Bars are coloured by rank tier (theme `timeline.rank.*`) and drawn with a tier glyph
//! so they differ without colour; the selected posting's details sit in a panel below. Pure.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::model::{Dossier, PartialDate};

use super::super::state::State;
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, put_with, width};
use super::super::theme::Theme;
use super::format::{
    at_level, in_post, months_between, rank_short, span, tier_glyph, tier_key, unit_name,
};
use super::lookup::scroll_offset;

/// One lane of the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Index into `Dossier::postings`.
    pub idx: usize,
    pub current: bool,
    /// Months without a post before this one (main posts only).
    pub gap: Option<i32>,
    /// Months this main post overlaps the previous main post.
    pub overlap: Option<i32>,
}

/// The postings in chart order (by start; a concurrent post after a main one starting the
/// same month), with gaps and overlaps between successive main posts.
pub fn rows(d: &Dossier, today: &PartialDate) -> Vec<Row> {
    let mut order: Vec<usize> = (0..d.postings.len()).collect();
    order.sort_by_key(|&i| (d.postings[i].start, d.postings[i].concurrent));
    let current = d.current_posting().map(|p| p as *const _);
    let mut prev_end: Option<PartialDate> = None;
    let mut out = Vec::with_capacity(order.len());
    for i in order {
        let p = &d.postings[i];
        let mut row = Row {
            idx: i,
            current: Some(p as *const _) == current,
            gap: None,
            overlap: None,
        };
        if !p.concurrent {
            if let Some(end) = prev_end {
                let diff = months_between(&end, &p.start);
                if diff >= 2 {
                    row.gap = Some(diff - 1);
                } else if diff < 0 {
                    row.overlap = Some(-diff);
                }
            }
            let end = p.end.unwrap_or(*today);
            prev_end = Some(prev_end.map_or(end, |e| e.max(end)));
        }
        out.push(row);
    }
    out
}

/// The row selected when a timeline opens: the current post, else the latest.
pub fn default_selection(rows: &[Row]) -> usize {
    rows.iter()
        .position(|r| r.current)
        .unwrap_or(rows.len().saturating_sub(1))
}

/// Rows of the detail panel below the chart.
fn detail_rows(pane: Rect) -> u16 {
    5.min(pane.height / 3)
}

/// The chart's lanes within the pane.
pub fn chart_area(pane: Rect) -> Rect {
    let top = 2.min(pane.height);
    let h = pane.height.saturating_sub(top + detail_rows(pane));
    Rect::new(pane.x, pane.y + top, pane.width, h)
}

fn label_width(w: u16) -> u16 {
    if w >= 120 { 70 } else { w * 11 / 20 }
}

/// Maps months to columns of the axis.
struct Axis {
    x: u16,
    width: u16,
    m0: i32,
    m1: i32,
}

impl Axis {
    fn col(&self, m: i32) -> u16 {
        let span = (self.m1 - self.m0).max(1) as i64;
        let c = ((m - self.m0).clamp(0, self.m1 - self.m0) as i64 * self.width as i64) / span;
        self.x + (c as u16).min(self.width.saturating_sub(1))
    }
}

pub fn draw(buf: &mut Buffer, pane: Rect, state: &State, theme: &Theme) {
    let Some(d) = state.person.as_deref() else {
        put(
            buf,
            pane.x,
            pane.y,
            pane.width,
            &[Seg::new(format!(" {}", s::NO_PERSON), "ui.hint")],
            theme,
        );
        return;
    };
    let today = &state.today;
    if pane.height == 0 {
        return;
    }
    put(buf, pane.x, pane.y, pane.width, &header(d, state), theme);
    let rows = rows(d, today);
    if rows.is_empty() {
        if pane.height > 1 {
            put(
                buf,
                pane.x,
                pane.y + 1,
                pane.width,
                &[Seg::new(format!(" {}", s::TL_NO_POSTINGS), "ui.hint")],
                theme,
            );
        }
        return;
    }
    let label_w = label_width(pane.width);
    let axis = {
        let first = d.postings.iter().map(|p| p.start).min().unwrap_or(*today);
        let last = d
            .postings
            .iter()
            .filter_map(|p| p.end)
            .max()
            .unwrap_or(*today)
            .max(*today);
        Axis {
            x: pane.x + label_w + 1,
            width: pane.width.saturating_sub(label_w + 1).max(1),
            m0: first.y() as i32 * 12,
            m1: last.month_index() + 1,
        }
    };
    // Column titles and the years.
    if pane.height > 1 {
        let y = pane.y + 1;
        put(
            buf,
            pane.x,
            y,
            label_w,
            &[Seg::new(format!("   {}", s::TL_COL_LABEL), "timeline.axis")],
            theme,
        );
        let years = (axis.m1 - axis.m0) / 12 + 1;
        let step = [1, 2, 5, 10, 20]
            .into_iter()
            .find(|st| (axis.width as i32 * st) / years.max(1) >= 6)
            .unwrap_or(20);
        let first_year = axis.m0 / 12;
        let mut year = (first_year + step - 1) / step * step;
        let end = axis.x + axis.width;
        while year * 12 < axis.m1 {
            let x = axis.col(year * 12);
            if x + 4 <= end {
                put(
                    buf,
                    x,
                    y,
                    4,
                    &[Seg::new(year.to_string(), "timeline.axis")],
                    theme,
                );
            }
            year += step;
        }
    }
    let chart = chart_area(pane);
    let sel = state.posting.min(rows.len() - 1);
    let offset = scroll_offset(sel, chart.height as usize);
    let mut prev_main_end: Option<PartialDate> = None;
    for (i, row) in rows.iter().enumerate() {
        let p = &d.postings[row.idx];
        let visible = i >= offset && i < offset + chart.height as usize;
        if visible {
            let y = chart.y + (i - offset) as u16;
            draw_lane(
                buf,
                y,
                pane.x,
                label_w,
                &axis,
                row,
                d,
                state,
                i == sel,
                prev_main_end,
                theme,
            );
        }
        if !p.concurrent {
            let end = p.end.unwrap_or(*today);
            prev_main_end = Some(prev_main_end.map_or(end, |e| e.max(end)));
        }
    }
    let dr = detail_rows(pane);
    if dr > 0 {
        let area = Rect::new(pane.x, pane.y + pane.height - dr, pane.width, dr);
        detail(buf, area, d, &rows[sel], state, theme);
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_lane(
    buf: &mut Buffer,
    y: u16,
    x: u16,
    label_w: u16,
    axis: &Axis,
    row: &Row,
    d: &Dossier,
    state: &State,
    selected: bool,
    prev_main_end: Option<PartialDate>,
    theme: &Theme,
) {
    let p = &d.postings[row.idx];
    let (flag, flag_key) = if row.current {
        (s::FLAG_CURRENT, "timeline.current")
    } else if p.concurrent {
        (s::FLAG_CONCURRENT, "timeline.concurrent")
    } else if row.overlap.is_some() {
        (s::FLAG_OVERLAP, "timeline.overlap")
    } else {
        ("  ", "")
    };
    let text_key = if row.current {
        "timeline.current"
    } else {
        "timeline.label"
    };
    let segs = [
        Seg::new(" ", ""),
        Seg::new(flag, flag_key),
        Seg::new(
            format!("{} ", pad(&span(&p.start, p.end.as_ref()), 15)),
            text_key,
        ),
        Seg::new(rank_short(p.rank), tier_key(p.rank)),
        // The post first: on a narrow screen the unit's tail is what gets cut.
        Seg::new(
            format!(" {} {}", p.position, unit_name(p, &state.units)),
            text_key,
        ),
    ];
    let base = if selected {
        let st = theme.style("timeline.selected");
        fill(buf, Rect::new(x, y, label_w, 1), st);
        st
    } else {
        Style::default()
    };
    put_with(buf, x, y, label_w, &segs, theme, base);
    // The gap before a main post, then the bar.
    let c0 = axis.col(p.start.month_index());
    if let (Some(end), Some(_)) = (prev_main_end, row.gap) {
        // At least one dot, however short the gap is on this scale.
        let g0 = axis
            .col(end.month_index() + 1)
            .min(c0.saturating_sub(1))
            .max(axis.x);
        if g0 < c0 {
            let dots = ".".repeat((c0 - g0) as usize);
            put(
                buf,
                g0,
                y,
                c0 - g0,
                &[Seg::new(dots, "timeline.gap")],
                theme,
            );
        }
    }
    let end_m = p
        .end
        .map_or(state.today.month_index() + 1, |e| e.month_index());
    let c1 = axis.col(end_m).max(c0 + 1).min(axis.x + axis.width);
    let n = (c1 - c0).max(1) as usize;
    let glyph = tier_glyph(p.rank);
    let mut bar: String = std::iter::repeat_n(glyph, n).collect();
    if p.end.is_none() {
        bar.pop();
        bar.push('>');
    }
    put(
        buf,
        c0,
        y,
        n as u16,
        &[Seg::new(bar, tier_key(p.rank))],
        theme,
    );
}

fn header(d: &Dossier, state: &State) -> Vec<Seg> {
    let today = &state.today;
    let mut segs = vec![
        Seg::new(" ", ""),
        Seg::new(d.identity.name.clone(), "dossier.title"),
    ];
    if let Some((p, months)) = in_post(d, today) {
        segs.push(Seg::new(format!("  {} ", s::IN_POST_FOR), "dossier.label"));
        segs.push(Seg::new(p.position.clone(), "timeline.current"));
        segs.push(Seg::new(format!(" {}", s::months(months)), ""));
    }
    if let Some((rank, months)) = at_level(d, today) {
        segs.push(Seg::new(format!("  {} ", s::AT_LEVEL_FOR), "dossier.label"));
        segs.push(Seg::new(rank.label(), tier_key(Some(rank))));
        segs.push(Seg::new(format!(" {}", s::months(months)), ""));
    }
    segs
}

fn detail(buf: &mut Buffer, area: Rect, d: &Dossier, row: &Row, state: &State, theme: &Theme) {
    let p = &d.postings[row.idx];
    let months = months_between(&p.start, p.end.as_ref().unwrap_or(&state.today));
    let title = format!(" {} ", s::TL_DETAIL);
    let rule = "-".repeat((area.width as usize).saturating_sub(width(&title) + 1));
    let mut lines: Vec<Vec<Seg>> = vec![vec![
        Seg::new(title, "ui.heading"),
        Seg::new(rule, "timeline.axis"),
    ]];
    lines.push(vec![
        Seg::new(
            format!(
                " {}{}  ",
                span(&p.start, p.end.as_ref()),
                s::paren(&s::months(months))
            ),
            "",
        ),
        Seg::new(
            format!("{} {}", unit_name(p, &state.units), p.position),
            if row.current {
                "timeline.current"
            } else {
                "dossier.value"
            },
        ),
    ]);
    let mut second = vec![
        Seg::new(format!(" {}", s::labelled(s::TL_RANK)), "dossier.label"),
        Seg::new(p.rank.map_or(s::UNKNOWN, |r| r.label()), tier_key(p.rank)),
        Seg::new(format!("  {}", s::labelled(s::TL_ROLE)), "dossier.label"),
        Seg::new(p.role.label(), ""),
    ];
    if !p.portfolio.is_empty() {
        second.push(Seg::new(
            format!("  {}", s::labelled(s::PORTFOLIO)),
            "dossier.label",
        ));
        second.push(Seg::new(p.portfolio.clone(), ""));
    }
    lines.push(second);
    let mut flags = vec![Seg::new(" ", "")];
    if row.current {
        flags.push(Seg::new(
            format!("{}  ", s::CURRENT_MARK),
            "timeline.current",
        ));
    }
    if p.concurrent {
        flags.push(Seg::new(
            format!("{}  ", s::CONCURRENT),
            "timeline.concurrent",
        ));
    }
    if p.probation {
        flags.push(Seg::new(format!("{}  ", s::PROBATION), "dossier.label"));
    }
    if let Some(g) = row.gap {
        flags.push(Seg::new(
            format!("{}  ", s::fill(s::TL_GAP, &[("n", &s::months(g))])),
            "timeline.gap",
        ));
    }
    if let Some(o) = row.overlap {
        flags.push(Seg::new(
            format!("{}  ", s::fill(s::TL_OVERLAP, &[("n", &s::months(o))])),
            "timeline.overlap",
        ));
    }
    lines.push(flags);
    lines.push(vec![Seg::new(format!(" {}", s::TL_LEGEND), "ui.hint")]);
    for (i, line) in lines.iter().take(area.height as usize).enumerate() {
        put(buf, area.x, area.y + i as u16, area.width, line, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gender, PostRole, Posting, Rank};

    fn ym(y: i16, m: u8) -> PartialDate {
        PartialDate::ym(y, m).unwrap()
    }

    fn post(start: PartialDate, end: Option<PartialDate>, concurrent: bool) -> Posting {
        Posting {
            start,
            end,
            unit: None,
            unit_name: "某单位".into(),
            position: "某职".into(),
            rank: Some(Rank::CountyDeputy),
            role: PostRole::Deputy,
            portfolio: String::new(),
            concurrent,
            probation: false,
        }
    }

    #[test]
    fn gaps_overlaps_and_the_current_post() {
        let mut d = Dossier::new("甲", Gender::Male, ym(1970, 1));
        d.postings = vec![
            post(ym(2010, 1), None, false),
            post(ym(2000, 1), Some(ym(2005, 6)), false),
            post(ym(2005, 10), Some(ym(2010, 3)), false),
            post(ym(2012, 1), None, true),
        ];
        let rows = rows(&d, &ym(2025, 6));
        let order: Vec<usize> = rows.iter().map(|r| r.idx).collect();
        assert_eq!(order, [1, 2, 0, 3]);
        assert_eq!(rows[1].gap, Some(3), "2005.07-2005.09 without a post");
        assert_eq!(
            rows[2].overlap,
            Some(2),
            "2010.01 starts before 2010.03 ends"
        );
        assert!(rows[2].current);
        assert!(!rows[3].current && rows[3].gap.is_none());
        assert_eq!(default_selection(&rows), 2);
    }
}
