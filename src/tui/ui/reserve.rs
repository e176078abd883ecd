//! The reserve pane: the readiness filter and the order, the reserve pool as a table (name,
//! age, current post, target, readiness, number of gaps) and the selected cadre's gaps below.
//! Draws from state only; the pool is built off the UI thread and sorted in `update`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::super::state::{ReserveColumn, ReserveView, State};
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, put_with, wrap};
use super::super::theme::Theme;
use crate::reserve::ReserveEntry;

const NAME_W: usize = 10;
const AGE_W: usize = 6;
const TARGET_W: usize = 22;
const READY_W: usize = 12;
const GAPS_W: usize = 4;

/// Rows of the gaps block under the table.
fn gaps_rows(body: Rect) -> u16 {
    if body.height >= 12 { 6 } else { 0 }
}

/// Rows of the table within the pane's body.
pub fn list_area(body: Rect) -> Rect {
    let top = 3.min(body.height);
    Rect::new(
        body.x,
        body.y + top,
        body.width,
        body.height.saturating_sub(top + gaps_rows(body)),
    )
}

fn column_title(c: ReserveColumn) -> &'static str {
    match c {
        ReserveColumn::Name => s::RS_COL_NAME,
        ReserveColumn::Age => s::RS_COL_AGE,
        ReserveColumn::Post => s::RS_COL_POST,
        ReserveColumn::Target => s::RS_COL_TARGET,
        ReserveColumn::Readiness => s::RS_COL_READINESS,
        ReserveColumn::Gaps => s::RS_COL_GAPS,
    }
}

/// The current post's column, a space to its right included.
fn post_width(w: u16) -> usize {
    (w as usize)
        .saturating_sub(1 + NAME_W + AGE_W + TARGET_W + READY_W + GAPS_W)
        .min(50)
}

fn target_text(e: &ReserveEntry) -> String {
    if e.target_post.is_empty() {
        e.target.label().to_string()
    } else {
        format!("{} {}", e.target.label(), e.target_post)
    }
}

/// The current post, then its unit (the post survives a narrow column).
fn post_text(e: &ReserveEntry) -> String {
    match (e.unit.is_empty(), e.post.is_empty()) {
        (false, false) => format!("{} {}", e.post, e.unit),
        (false, true) => e.unit.clone(),
        _ => e.post.clone(),
    }
}

fn filters_line(v: &ReserveView) -> Vec<Seg> {
    let ready = v.readiness.map(|r| r.label()).unwrap_or(s::ALL);
    let dir = if v.descending { s::RS_DESC } else { s::RS_ASC };
    vec![
        Seg::new(" ", ""),
        Seg::new(s::RS_READINESS, "ui.label"),
        Seg::new(format!("{ready}  "), ""),
        Seg::new(s::RS_SORTED, "ui.label"),
        Seg::new(format!("{}{dir}", column_title(v.sort)), ""),
    ]
}

pub fn draw(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) {
    if body.height == 0 {
        return;
    }
    let v = &state.reserve;
    put(buf, body.x, body.y, body.width, &filters_line(v), theme);
    if body.height < 2 {
        return;
    }
    let info = match &v.all {
        None => s::AL_DERIVING.to_string(),
        Some(_) if v.shown.is_empty() => s::RS_NONE.to_string(),
        Some(all) => s::fill(s::RS_COUNT, &[("n", &v.shown.len()), ("total", &all.len())]),
    };
    put(
        buf,
        body.x,
        body.y + 1,
        body.width,
        &[Seg::new(format!(" {info}"), "ui.hint")],
        theme,
    );
    let Some(all) = &v.all else {
        return;
    };
    if body.height < 3 {
        return;
    }
    let post_w = post_width(body.width);
    let head = |c: ReserveColumn, w: usize| {
        let style = if c == v.sort {
            "reserve.sorted"
        } else {
            "lookup.header"
        };
        Seg::new(pad(column_title(c), w), style)
    };
    let header = vec![
        Seg::new(" ", ""),
        head(ReserveColumn::Name, NAME_W),
        head(ReserveColumn::Age, AGE_W),
        head(ReserveColumn::Post, post_w),
        head(ReserveColumn::Target, TARGET_W),
        head(ReserveColumn::Readiness, READY_W),
        head(ReserveColumn::Gaps, GAPS_W),
    ];
    put(buf, body.x, body.y + 2, body.width, &header, theme);

    let list = list_area(body);
    let offset = super::lookup::scroll_offset(v.selected, list.height as usize);
    for (row, &i) in v
        .shown
        .iter()
        .enumerate()
        .skip(offset)
        .take(list.height as usize)
    {
        let Some(e) = all.get(i) else {
            continue;
        };
        let y = list.y + (row - offset) as u16;
        let line = Rect::new(list.x, y, list.width, 1);
        let base = if row == v.selected {
            let st = theme.style("reserve.selected");
            fill(buf, line, st);
            st
        } else {
            Style::default()
        };
        let gaps_style = if e.gaps.is_empty() {
            "reserve.ready"
        } else {
            "reserve.gaps"
        };
        let segs = vec![
            Seg::new(" ", ""),
            Seg::new(pad(&e.name, NAME_W), ""),
            Seg::new(pad(&e.age.to_string(), AGE_W), ""),
            Seg::new(pad(&post_text(e), post_w.saturating_sub(1)), ""),
            Seg::new(" ", ""),
            Seg::new(pad(&target_text(e), TARGET_W), ""),
            Seg::new(pad(e.readiness.label(), READY_W), ""),
            Seg::new(pad(&e.gaps.len().to_string(), GAPS_W), gaps_style),
        ];
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
    let rows = gaps_rows(body);
    if rows == 0 {
        return;
    }
    let area = Rect::new(body.x, body.y + body.height - rows, body.width, rows);
    let Some(e) = v.selected_entry() else {
        return;
    };
    let target = target_text(e);
    let mut title = if e.gaps.is_empty() {
        s::fill(s::RS_NO_GAPS, &[("name", &e.name), ("target", &target)])
    } else {
        s::fill(s::RS_GAPS_TITLE, &[("name", &e.name), ("target", &target)])
    };
    if let Some(since) = &e.since {
        title.push_str("  ");
        title.push_str(s::RS_SINCE);
        title.push_str(&super::format::date_or_unknown(Some(since)));
    }
    let title_row = Rect::new(area.x, area.y, area.width, 1);
    fill(buf, title_row, theme.style("reserve.gaps.title"));
    put(
        buf,
        area.x,
        area.y,
        area.width,
        &[Seg::new(format!(" {title}"), "reserve.gaps.title")],
        theme,
    );
    let mut y = area.y + 1;
    for g in &e.gaps {
        let lines = wrap(
            &[
                Seg::new(format!(" {}", s::labelled(&g.what)), "ui.label"),
                Seg::new(
                    s::fill(s::RS_GAP, &[("need", &g.need), ("have", &g.have)]),
                    "",
                ),
            ],
            area.width as usize,
            3,
        );
        for line in lines {
            if y >= area.y + area.height {
                return;
            }
            put(buf, area.x, y, area.width, &line, theme);
            y += 1;
        }
    }
}
