//! The lookup pane: the query input, a line about the results, and the result rows (name,
//! gender, age as of today, current post and unit) with the matched characters highlighted.
//! Draws from state only; the search itself runs in the lookup worker.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::super::input::LineInput;
use super::super::state::{ResultRow, State};
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, put_with, width};
use super::super::theme::Theme;

const NAME_W: usize = 10;
const GENDER_W: usize = 6;
const AGE_W: usize = 6;
/// From this width the post and the unit get columns of their own.
const WIDE: u16 = 100;

/// Rows of the result list within the pane's body.
pub fn list_area(body: Rect) -> Rect {
    let top = 3.min(body.height);
    Rect::new(body.x, body.y + top, body.width, body.height - top)
}

/// The first result row shown, so that the selection stays in view.
pub fn scroll_offset(selected: usize, rows: usize) -> usize {
    if rows == 0 {
        return 0;
    }
    (selected + 1).saturating_sub(rows)
}

/// A prompt and a one-line input on row `y` of `area`, the input scrolled to keep its cursor
/// in view. Returns the text as shown, the column the input starts at, and where the cursor is.
pub fn input_line(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    prompt: &str,
    input: &LineInput,
    theme: &Theme,
) -> (String, u16, Position) {
    let x = put(
        buf,
        area.x,
        y,
        area.width,
        &[Seg::new(format!(" {prompt}"), "lookup.prompt")],
        theme,
    );
    let cols = (area.x + area.width).saturating_sub(x + 1) as usize;
    let (shown, cursor_col) = input.view(cols);
    put(
        buf,
        x,
        y,
        cols as u16,
        &[Seg::new(shown.clone(), "lookup.input")],
        theme,
    );
    (shown, x, Position::new(x + cursor_col as u16, y))
}

/// Draws the pane; returns where the terminal cursor goes (in the query input).
pub fn draw(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) -> Option<Position> {
    if body.height == 0 {
        return None;
    }
    // Query input.
    let (_, _, at) = input_line(buf, body, body.y, s::QUERY_PROMPT, &state.query, theme);
    let cursor = state.overlay.is_none().then_some(at);
    if body.height < 2 {
        return cursor;
    }
    // What the results are.
    let info = if state.loading {
        s::LOADING.to_string()
    } else if state.query.is_empty() {
        s::fill(s::QUERY_HINT, &[("n", &state.total)])
    } else if state.results.is_empty() && state.results_for == state.query.text() {
        s::NO_MATCH.to_string()
    } else if state.results.is_empty() {
        String::new()
    } else if state.results.len() >= state.limit {
        s::fill(s::FOUND_LIMITED, &[("limit", &state.limit)])
    } else {
        s::fill(s::FOUND, &[("n", &state.results.len())])
    };
    put(
        buf,
        body.x,
        body.y + 1,
        body.width,
        &[Seg::new(format!(" {info}"), "ui.hint")],
        theme,
    );
    if body.height < 3 || state.results.is_empty() {
        return cursor;
    }
    let wide = body.width >= WIDE;
    let post_w = post_width(body.width);
    let mut header = vec![
        Seg::new(" ", ""),
        Seg::new(pad(s::COL_NAME, NAME_W), "lookup.header"),
        Seg::new(pad(s::COL_GENDER, GENDER_W), "lookup.header"),
        Seg::new(pad(s::COL_AGE, AGE_W), "lookup.header"),
    ];
    if wide {
        header.push(Seg::new(pad(s::COL_POST, post_w), "lookup.header"));
        header.push(Seg::new(s::COL_UNIT, "lookup.header"));
    } else {
        header.push(Seg::new(
            format!("{} {}", s::COL_POST, s::COL_UNIT),
            "lookup.header",
        ));
    }
    put(buf, body.x, body.y + 2, body.width, &header, theme);

    let list = list_area(body);
    let offset = scroll_offset(state.selected, list.height as usize);
    for (i, row) in state
        .results
        .iter()
        .enumerate()
        .skip(offset)
        .take(list.height as usize)
    {
        let y = list.y + (i - offset) as u16;
        let line = Rect::new(list.x, y, list.width, 1);
        let base = if i == state.selected {
            let st = theme.style("lookup.selected");
            fill(buf, line, st);
            st
        } else {
            ratatui::style::Style::default()
        };
        let segs = row_segs(row, state, wide, post_w);
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
    cursor
}

fn post_width(w: u16) -> usize {
    let rest = (w as usize).saturating_sub(1 + NAME_W + GENDER_W + AGE_W);
    (rest * 2 / 5).min(30)
}

/// Characters of `text` as segments, those at `marks` (char positions from `first`) styled
/// as matches.
fn marked(text: &str, first: usize, marks: &[usize]) -> Vec<Seg> {
    let mut out: Vec<Seg> = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let style = if marks.contains(&(first + i)) {
            "lookup.match"
        } else {
            ""
        };
        match out.last_mut() {
            Some(last) if last.style == style => last.text.push(c),
            _ => out.push(Seg::new(c.to_string(), style)),
        }
    }
    out
}

/// Cuts segments to `w` columns and pads them to exactly `w`.
fn cell(mut segs: Vec<Seg>, w: usize) -> Vec<Seg> {
    let mut used = 0;
    let mut out = Vec::new();
    for mut seg in segs.drain(..) {
        let sw = width(&seg.text);
        if used + sw > w {
            seg.text = super::super::text::fit(&seg.text, w - used).to_string();
            used += width(&seg.text);
            out.push(seg);
            break;
        }
        used += sw;
        out.push(seg);
    }
    out.push(Seg::new(" ".repeat(w - used), ""));
    out
}

fn row_segs(row: &ResultRow, state: &State, wide: bool, post_w: usize) -> Vec<Seg> {
    let e = &row.entry;
    let hit = &row.hit;
    let gender = e.gender.label();
    let age = e.birth.whole_years_until(&state.today);
    let mut segs = vec![Seg::new(" ", "")];
    segs.extend(cell(marked(&e.name, 0, &hit.name_highlight), NAME_W));
    segs.push(Seg::new(pad(gender, GENDER_W), ""));
    segs.push(Seg::new(pad(&age.to_string(), AGE_W), ""));
    let post_chars = e.post.chars().count();
    if wide {
        segs.extend(cell(marked(&e.post, 0, &hit.post_highlight), post_w));
        segs.extend(marked(&e.unit, post_chars + 1, &hit.post_highlight));
    } else {
        segs.extend(marked(&e.post, 0, &hit.post_highlight));
        segs.push(Seg::new(" ", ""));
        segs.extend(marked(&e.unit, post_chars + 1, &hit.post_highlight));
    }
    segs
}
