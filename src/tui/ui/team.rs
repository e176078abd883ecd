//! The team pane: on the left the unit tree (province, prefecture, county, unit) or the units
//! found by name; on the right the chosen unit's team: members (post, name, age), the age bands
//! (bar chart), the education, women, non-party and local shares (line gauges), the age
//! gradient (sparkline), the mean age and the team rules' warnings. Draws from state only; the
//! profile is computed by `team::profile` in `update`. Bars and lines use ASCII symbols (block
//! and box-drawing characters are of ambiguous width).

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::symbols;
use ratatui::widgets::{Bar, BarChart, BarGroup, LineGauge, Sparkline, Widget};

use super::super::action::Action;
use super::super::keymap::Section;
use super::super::state::{RegionView, State, TeamFocus, TeamView};
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, put_with, truncate, width, wrap};
use super::super::theme::Theme;
use super::alerts::severity_style;
use crate::model::EduLevel;
use crate::team::TeamProfile;

/// Member rows shown (a page for PageUp/PageDown).
pub const MEMBER_ROWS: usize = 6;
const GAUGE_ROWS: u16 = 6;
const POST_W: usize = 14;
const NAME_W: usize = 10;
const BAR_W: u16 = 6;

/// ASCII bars for the bar chart and the sparkline.
const BARS: symbols::bar::Set = symbols::bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "#",
    five_eighths: "=",
    half: "=",
    three_eighths: "-",
    one_quarter: "-",
    one_eighth: ".",
    empty: " ",
};

/// ASCII line for the gauges.
const LINE: symbols::line::Set = symbols::line::Set {
    vertical: "|",
    horizontal: "=",
    top_right: "+",
    top_left: "+",
    bottom_right: "+",
    bottom_left: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_down: "+",
    horizontal_up: "+",
    cross: "+",
};

/// The left column: the search line and the tree under it.
fn left(body: Rect) -> Rect {
    let w = (body.width / 3).clamp(20.min(body.width), 36);
    Rect::new(body.x, body.y, w, body.height)
}

/// Rows of the unit tree.
pub fn tree_area(body: Rect) -> Rect {
    let l = left(body);
    let top = 1.min(l.height);
    Rect::new(l.x, l.y + top, l.width, l.height - top)
}

fn right(body: Rect) -> Rect {
    let l = left(body);
    let x = l.x + l.width + 1;
    Rect::new(
        x,
        body.y,
        (body.x + body.width).saturating_sub(x),
        body.height,
    )
}

/// Draws the pane; returns the cursor while the name search is typed.
pub fn draw(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) -> Option<Position> {
    if body.height == 0 {
        return None;
    }
    let t = &state.team;
    if let Some(rv) = &t.region {
        draw_region(buf, body, state, rv, theme);
        return None;
    }
    let cursor = draw_tree(buf, body, state, theme);
    let r = right(body);
    if r.width < 10 {
        return cursor;
    }
    if let Some((plans, sel)) = &t.plans {
        draw_plans(buf, r, state, plans, *sel, theme);
        return cursor;
    }
    let cursor = match &t.plan_name {
        Some(input) if r.height > 1 => {
            let y = r.y + r.height - 1;
            fill(buf, Rect::new(r.x, y, r.width, 1), Style::default());
            let x = put(
                buf,
                r.x,
                y,
                r.width,
                &[Seg::new(s::TM_PLAN_PROMPT, "lookup.prompt")],
                theme,
            );
            let cols = (r.x + r.width).saturating_sub(x + 1) as usize;
            let (shown, col) = input.view(cols);
            put(
                buf,
                x,
                y,
                cols as u16,
                &[Seg::new(shown, "lookup.input")],
                theme,
            );
            let r = Rect::new(r.x, r.y, r.width, r.height - 1);
            if let Some(p) = &t.profile {
                draw_profile(buf, r, t, p, theme);
            }
            return state
                .overlay
                .is_none()
                .then(|| Position::new(x + col as u16, y));
        }
        _ => cursor,
    };
    match &t.profile {
        None => {
            put(
                buf,
                r.x,
                r.y,
                r.width,
                &[Seg::new(s::TM_CHOOSE, "ui.hint")],
                theme,
            );
        }
        Some(p) => draw_profile(buf, r, t, p, theme),
    }
    cursor
}

fn draw_tree(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) -> Option<Position> {
    let t = &state.team;
    let l = left(body);
    let x = put(
        buf,
        l.x,
        l.y,
        l.width,
        &[Seg::new(format!(" {}", s::TM_SEARCH), "lookup.prompt")],
        theme,
    );
    let cols = (l.x + l.width).saturating_sub(x + 1) as usize;
    let (shown, col) = t.search.view(cols);
    put(
        buf,
        x,
        l.y,
        cols as u16,
        &[Seg::new(shown, "lookup.input")],
        theme,
    );
    let cursor =
        (state.overlay.is_none() && t.searching).then(|| Position::new(x + col as u16, l.y));
    let area = tree_area(body);
    if t.rows.is_empty() && !t.search.is_empty() {
        put(
            buf,
            area.x,
            area.y,
            area.width,
            &[Seg::new(format!(" {}", s::TM_NO_UNITS), "ui.hint")],
            theme,
        );
        return cursor;
    }
    let chosen = t.profile.as_ref().map(|p| p.unit);
    let offset = super::lookup::scroll_offset(t.cursor, area.height as usize);
    for (i, &(u, depth)) in t
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(area.height as usize)
    {
        let Some(unit) = state.units.get(u) else {
            continue;
        };
        let y = area.y + (i - offset) as u16;
        let line = Rect::new(area.x, y, area.width, 1);
        let base = if i == t.cursor {
            let key = if t.focus == TeamFocus::Units {
                "team.cursor"
            } else {
                "team.cursor.inactive"
            };
            let st = theme.style(key);
            fill(buf, line, st);
            st
        } else {
            Style::default()
        };
        let has_children = !state.units.children(u).is_empty();
        let marker = if !t.search.is_empty() || !has_children {
            "  "
        } else if t.expanded.contains(&u) {
            "- "
        } else {
            "+ "
        };
        let style = if Some(u) == chosen {
            "team.chosen"
        } else if unit.has_team() {
            ""
        } else {
            "team.region"
        };
        let indent = " ".repeat(1 + depth * 2);
        let name_w = (area.width as usize).saturating_sub(width(&indent) + 2);
        let segs = [
            Seg::new(indent, ""),
            Seg::new(marker, "ui.hint"),
            Seg::new(truncate(&unit.name, name_w), style),
        ];
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
    cursor
}

/// Shares the gauges show: (label, count) out of the team's size.
fn shares(p: &TeamProfile) -> [(&'static str, u32); 4] {
    let degree = p
        .education
        .iter()
        .filter(|(l, _)| l.height() >= EduLevel::Undergraduate.height())
        .map(|(_, n)| n)
        .sum();
    [
        (s::TM_G_EDU, degree),
        (s::TM_G_WOMEN, p.women),
        (s::TM_G_NON_PARTY, p.non_party),
        (s::TM_G_LOCAL, p.local),
    ]
}

/// Widths of the region table's measure columns.
const REGION_W: [usize; 7] = [5, 9, 9, 7, 11, 9, 5];

/// Every team of one kind and level as a table over the whole pane, the sorted column marked.
fn draw_region(buf: &mut Buffer, body: Rect, state: &State, rv: &RegionView, theme: &Theme) {
    let key = state
        .keymap
        .key_for(&[Section::Team], &Action::CycleSort)
        .map(|k| k.label())
        .unwrap_or_else(|| "cycle_sort".into());
    let title = s::fill(
        s::TM_REGION_TITLE,
        &[
            ("kind", &rv.kind.label()),
            ("level", &rv.level.label()),
            ("n", &rv.rows.len()),
            ("key", &key),
        ],
    );
    fill(
        buf,
        Rect::new(body.x, body.y, body.width, 1),
        theme.style("team.title"),
    );
    put(
        buf,
        body.x,
        body.y,
        body.width,
        &[Seg::new(format!(" {title}"), "team.title")],
        theme,
    );
    if body.height < 3 {
        return;
    }
    let name_w = (body.width as usize)
        .saturating_sub(1 + REGION_W.iter().sum::<usize>())
        .clamp(8, 40);
    let widths: Vec<usize> = std::iter::once(name_w).chain(REGION_W).collect();
    let header: Vec<Seg> = std::iter::once(Seg::new(" ", ""))
        .chain(s::TM_REGION_COLS.iter().enumerate().map(|(i, c)| {
            let style = if i == rv.sort {
                "reserve.sorted"
            } else {
                "lookup.header"
            };
            Seg::new(pad(c, widths[i]), style)
        }))
        .collect();
    put(buf, body.x, body.y + 1, body.width, &header, theme);
    let chosen = state.team.profile.as_ref().map(|p| p.unit);
    let rows = (body.height - 2) as usize;
    let offset = super::lookup::scroll_offset(rv.selected, rows);
    for (i, row) in rv.rows.iter().enumerate().skip(offset).take(rows) {
        let y = body.y + 2 + (i - offset) as u16;
        let line = Rect::new(body.x, y, body.width, 1);
        let base = if i == rv.selected {
            let st = theme.style("team.cursor");
            fill(buf, line, st);
            st
        } else {
            Style::default()
        };
        let name_style = if Some(row.unit) == chosen {
            "team.chosen"
        } else {
            ""
        };
        let mut segs = vec![
            Seg::new(" ", ""),
            Seg::new(pad(&row.name, name_w), name_style),
        ];
        for (k, v) in row.measures.iter().enumerate() {
            let text = if k == 1 {
                format!("{}.{}", v / 10, v % 10)
            } else {
                v.to_string()
            };
            segs.push(Seg::new(pad(&text, widths[k + 1]), ""));
        }
        put_with(buf, body.x, y, body.width, &segs, theme, base);
    }
}

/// The saved plans, one per line, the selected one marked.
fn draw_plans(
    buf: &mut Buffer,
    r: Rect,
    state: &State,
    plans: &[crate::store::TeamPlan],
    sel: usize,
    theme: &Theme,
) {
    fill(
        buf,
        Rect::new(r.x, r.y, r.width, 1),
        theme.style("team.title"),
    );
    put(
        buf,
        r.x,
        r.y,
        r.width,
        &[Seg::new(s::TM_PLANS_TITLE, "team.title")],
        theme,
    );
    let rows = r.height.saturating_sub(1) as usize;
    let offset = super::lookup::scroll_offset(sel, rows);
    for (i, plan) in plans.iter().enumerate().skip(offset).take(rows) {
        let y = r.y + 1 + (i - offset) as u16;
        let unit = state
            .units
            .get(plan.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let text = s::fill(
            s::TM_PLAN_LINE,
            &[
                ("name", &plan.name),
                ("unit", &unit),
                ("r", &plan.remove.len()),
                ("a", &plan.add.len()),
            ],
        );
        let line = Rect::new(r.x, y, r.width, 1);
        let base = if i == sel {
            let st = theme.style("team.cursor");
            fill(buf, line, st);
            st
        } else {
            Style::default()
        };
        put_with(buf, r.x, y, r.width, &[Seg::new(text, "")], theme, base);
    }
}

fn draw_profile(buf: &mut Buffer, r: Rect, t: &TeamView, p: &TeamProfile, theme: &Theme) {
    let rows_all = t.member_rows();
    let n = rows_all.len();
    let title = match &t.whatif {
        None => s::fill(
            s::TM_TITLE,
            &[
                ("unit", &p.unit_name),
                ("n", &p.members.len()),
                ("age", &format!("{:.1}", p.mean_age)),
            ],
        ),
        Some(w) => match &w.name {
            None => s::fill(s::TM_WHATIF_TITLE, &[("unit", &p.unit_name)]),
            Some(name) => s::fill(s::TM_PLAN_TITLE, &[("unit", &p.unit_name), ("name", name)]),
        },
    };
    fill(
        buf,
        Rect::new(r.x, r.y, r.width, 1),
        theme.style("team.title"),
    );
    put(
        buf,
        r.x,
        r.y,
        r.width,
        &[Seg::new(title, "team.title")],
        theme,
    );
    if n == 0 {
        put(
            buf,
            r.x,
            r.y + 1,
            r.width,
            &[Seg::new(s::TM_EMPTY, "ui.hint")],
            theme,
        );
        return;
    }
    let mut y = r.y + 1;
    let bottom = r.y + r.height;
    // Members.
    let marks = t.whatif.is_some();
    if y < bottom {
        let mut header = vec![];
        if marks {
            header.push(Seg::new("   ", ""));
        }
        header.extend([
            Seg::new(pad(s::TM_COL_POST, POST_W), "lookup.header"),
            Seg::new(pad(s::TM_COL_NAME, NAME_W), "lookup.header"),
            Seg::new(s::TM_COL_AGE, "lookup.header"),
        ]);
        put(buf, r.x, y, r.width, &header, theme);
        y += 1;
    }
    let rows = MEMBER_ROWS.min(n);
    let offset = super::lookup::scroll_offset(t.member, rows);
    for (i, m) in rows_all.iter().enumerate().skip(offset).take(rows) {
        if y >= bottom {
            return;
        }
        let line = Rect::new(r.x, y, r.width, 1);
        let base = if i == t.member && t.focus == TeamFocus::Members {
            let st = theme.style("team.cursor");
            fill(buf, line, st);
            st
        } else {
            Style::default()
        };
        let mut segs = vec![];
        if let Some(w) = &t.whatif {
            let (mark, style) = if i >= p.members.len() {
                (s::TM_ADDED, "team.added")
            } else if w.removed.contains(&m.id) {
                (s::TM_REMOVED, "team.removed")
            } else {
                ("", "")
            };
            segs.push(Seg::new(format!("{} ", pad(mark, 2)), style));
        }
        segs.extend([
            Seg::new(pad(&m.position, POST_W), ""),
            Seg::new(pad(&m.name, NAME_W), ""),
            Seg::new(m.age.to_string(), ""),
        ]);
        put_with(buf, r.x, y, r.width, &segs, theme, base);
        y += 1;
    }
    if let Some(w) = &t.whatif {
        compare(
            buf,
            Rect::new(r.x, y, r.width, bottom - y),
            p,
            &w.profile,
            theme,
        );
        return;
    }
    // Gauges: the age bands on the left, the shares and the gradient on the right.
    if y + GAUGE_ROWS > bottom {
        return;
    }
    let chart_w = 4 * BAR_W + 3;
    let chart = Rect::new(r.x, y, chart_w.min(r.width), GAUGE_ROWS);
    let bars: Vec<Bar> = p
        .age_bands
        .iter()
        .zip(s::TM_AGE_BANDS)
        .map(|(&v, label)| Bar::default().value(v as u64).label(label.into()))
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(BAR_W)
        .bar_gap(1)
        .bar_set(BARS)
        .bar_style(theme.style("gauge.bar"))
        .value_style(theme.style("gauge.value"))
        .label_style(theme.style("ui.label"))
        .max(n as u64)
        .render(chart, buf);
    let gx = chart.x + chart.width + 2;
    let gw = (r.x + r.width).saturating_sub(gx);
    if gw >= 20 {
        for (i, (label, k)) in shares(p).iter().enumerate() {
            let text = format!(
                "{}{}",
                pad(label, 11),
                pad(&s::fill(s::TM_SHARE, &[("k", k), ("n", &n)]), 5)
            );
            LineGauge::default()
                .ratio(f64::from(*k) / n as f64)
                .label(text)
                .line_set(LINE)
                .filled_style(theme.style("gauge.filled"))
                .unfilled_style(theme.style("gauge.unfilled"))
                .render(Rect::new(gx, y + i as u16, gw, 1), buf);
        }
        let sy = y + 4;
        put(
            buf,
            gx,
            sy,
            gw,
            &[Seg::new(s::TM_GRADIENT, "ui.label")],
            theme,
        );
        let lw = width(s::TM_GRADIENT) as u16 + 1;
        // Sorted ages from 25 up, so the gradient reads left to right.
        let data: Vec<u64> = p
            .ages
            .iter()
            .map(|a| (*a as i64 - 25).clamp(1, 40) as u64)
            .collect();
        Sparkline::default()
            .data(&data)
            .max(40)
            .bar_set(BARS)
            .style(theme.style("gauge.spark"))
            .render(
                Rect::new(gx + lw, sy, gw.saturating_sub(lw).min(data.len() as u16), 2),
                buf,
            );
    }
    y += GAUGE_ROWS;
    warnings(
        buf,
        Rect::new(r.x, y, r.width, bottom.saturating_sub(y)),
        s::TM_WARNINGS,
        p,
        theme,
    );
}

/// The current and the what-if profile side by side: size, mean age, age bands, and each
/// share as two gauges; then the what-if's warnings.
fn compare(buf: &mut Buffer, r: Rect, now: &TeamProfile, after: &TeamProfile, theme: &Theme) {
    let bottom = r.y + r.height;
    let mut y = r.y;
    let label_w = 14usize;
    let col_w = (r.width as usize).saturating_sub(label_w) / 2;
    if col_w < 8 {
        return;
    }
    let cx = |i: usize| r.x + (label_w + i * col_w) as u16;
    let text_row = |buf: &mut Buffer, y: u16, label: &str, a: String, b: String, head: bool| {
        let (ls, vs) = if head {
            ("lookup.header", "lookup.header")
        } else {
            ("ui.label", "")
        };
        let changed = !head && a != b;
        put(
            buf,
            r.x,
            y,
            label_w as u16,
            &[Seg::new(label.to_string(), ls)],
            theme,
        );
        put(buf, cx(0), y, col_w as u16, &[Seg::new(a, vs)], theme);
        let bs = if changed { "team.changed" } else { vs };
        put(buf, cx(1), y, col_w as u16, &[Seg::new(b, bs)], theme);
    };
    let bands = |p: &TeamProfile| {
        p.age_bands
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("/")
    };
    let rows: Vec<(&str, String, String, bool)> = vec![
        (s::TM_COMPARE, s::TM_NOW.into(), s::TM_AFTER.into(), true),
        (
            s::TM_M_SIZE,
            now.members.len().to_string(),
            after.members.len().to_string(),
            false,
        ),
        (
            s::TM_M_MEAN,
            format!("{:.1}", now.mean_age),
            format!("{:.1}", after.mean_age),
            false,
        ),
        (s::TM_M_BANDS, bands(now), bands(after), false),
        (
            s::TM_M_WARNINGS,
            now.warnings.len().to_string(),
            after.warnings.len().to_string(),
            false,
        ),
    ];
    for (label, a, b, head) in rows {
        if y >= bottom {
            return;
        }
        text_row(buf, y, label, a, b, head);
        y += 1;
    }
    for ((label, k0), (_, k1)) in shares(now).into_iter().zip(shares(after)) {
        if y >= bottom {
            return;
        }
        put(
            buf,
            r.x,
            y,
            label_w as u16,
            &[Seg::new(label, "ui.label")],
            theme,
        );
        for (i, (k, p)) in [(k0, now), (k1, after)].into_iter().enumerate() {
            let n = p.members.len();
            let ratio = if n == 0 { 0.0 } else { f64::from(k) / n as f64 };
            let style = if i == 1 && k0 != k1 {
                "team.changed"
            } else {
                "gauge.filled"
            };
            LineGauge::default()
                .ratio(ratio)
                .label(pad(&s::fill(s::TM_SHARE, &[("k", &k), ("n", &n)]), 5))
                .line_set(LINE)
                .filled_style(theme.style(style))
                .unfilled_style(theme.style("gauge.unfilled"))
                .render(Rect::new(cx(i), y, col_w.saturating_sub(1) as u16, 1), buf);
        }
        y += 1;
    }
    warnings(
        buf,
        Rect::new(r.x, y, r.width, bottom.saturating_sub(y)),
        s::TM_WHATIF_WARNINGS,
        after,
        theme,
    );
}

/// A heading and the profile's warnings, wrapped.
fn warnings(buf: &mut Buffer, r: Rect, heading: &str, p: &TeamProfile, theme: &Theme) {
    let bottom = r.y + r.height;
    let mut y = r.y;
    if y >= bottom {
        return;
    }
    put(
        buf,
        r.x,
        y,
        r.width,
        &[Seg::new(heading.to_string(), "ui.heading")],
        theme,
    );
    y += 1;
    if p.warnings.is_empty() && y < bottom {
        put(
            buf,
            r.x,
            y,
            r.width,
            &[Seg::new(s::TM_NO_WARNINGS, "team.ok")],
            theme,
        );
        return;
    }
    for w in &p.warnings {
        let segs = [
            Seg::new(
                format!("{} ", w.severity.label()),
                severity_style(w.severity),
            ),
            Seg::new(format!("{}{}", s::labelled(&w.text), w.detail), ""),
        ];
        for line in wrap(&segs, r.width as usize, 5) {
            if y >= bottom {
                return;
            }
            put(buf, r.x, y, r.width, &line, theme);
            y += 1;
        }
    }
}
