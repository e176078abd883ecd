//! The filter pane: the expression (wrapped by display width over up to three rows, the
//! characters of a parse error marked in place), the parse error or the match count with the
//! canonical form, the matching cadres in the columns of an exported list (sortable by each),
//! and the builder's menus over the list while a condition is being built. Draws from state
//! only; parsing happens in `update` and evaluation off the UI thread.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use super::super::action::Action;
use super::super::builder::Builder;
use super::super::keymap::Section;
use super::super::state::{FilterColumn, FilterView, State};
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, put_with, truncate, width, wrap};
use super::super::theme::Theme;
use super::lookup::{input_line, scroll_offset};

/// Most rows the expression takes before it scrolls.
pub const EDITOR_ROWS: usize = 3;

const NAME_W: usize = 10;
const GENDER_W: usize = 5;
const AGE_W: usize = 5;
const BIRTH_W: usize = 9;
const RANK_W: usize = 11;
const SINCE_W: usize = 11;

/// Columns the expression wraps at: the body less the prompt and a cell for the cursor.
fn editor_cols(body: Rect) -> usize {
    (body.width as usize).saturating_sub(width(s::FL_PROMPT) + 2)
}

/// Rows the expression takes now.
pub fn editor_rows(body: Rect, f: &FilterView) -> u16 {
    let (_, end) = f.input.layout(editor_cols(body));
    let cursor = f.input.cursor_cell(editor_cols(body));
    (end.row.max(cursor.row) + 1).clamp(1, EDITOR_ROWS) as u16
}

/// Rows of the result list within the pane's body.
pub fn list_area(body: Rect, f: &FilterView) -> Rect {
    let top = (editor_rows(body, f) + 2).min(body.height);
    Rect::new(body.x, body.y + top, body.width, body.height - top)
}

/// Draws the pane; returns where the terminal cursor goes (in the expression, a prompt or the
/// builder's input).
pub fn draw(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) -> Option<Position> {
    if body.height == 0 {
        return None;
    }
    let f = &state.filter;
    let at = draw_editor(buf, body, f, theme);
    let mut cursor = state.overlay.is_none().then_some(at);
    let top = body.y + editor_rows(body, f);
    if top >= body.bottom() {
        return cursor;
    }
    let rest = Rect::new(body.x, top, body.width, body.bottom() - top);
    // On the message row: the export path or the filter's name being typed.
    let asked = f
        .export
        .as_ref()
        .map(|(p, _)| (s::FL_EXPORT_PROMPT, p))
        .or_else(|| f.name.as_ref().map(|(n, _)| (s::FL_NAME_PROMPT, n)));
    if let Some((prompt, path)) = asked {
        let (_, _, at) = input_line(buf, rest, rest.y, prompt, path, theme);
        cursor = state.overlay.is_none().then_some(at);
        draw_results(buf, rest, state, theme);
    } else if let Some((list, sel)) = &f.saved {
        draw_saved(buf, rest, state, list, *sel, theme);
    } else {
        draw_message(buf, rest, state, theme);
        draw_results(buf, rest, state, theme);
    }
    if let Some(b) = &f.menu {
        let at = draw_menu(buf, rest, b, theme);
        cursor = state.overlay.is_none().then_some(at).flatten();
    }
    cursor
}

/// The expression, wrapped, scrolled to keep the cursor in view; a parse error's characters
/// (or, at the end, the cell after the text) styled as marked. Returns the cursor's place.
fn draw_editor(buf: &mut Buffer, body: Rect, f: &FilterView, theme: &Theme) -> Position {
    let x0 = put(
        buf,
        body.x,
        body.y,
        body.width,
        &[Seg::new(format!(" {}", s::FL_PROMPT), "lookup.prompt")],
        theme,
    );
    let cols = editor_cols(body);
    let rows = editor_rows(body, f) as usize;
    let (cells, end) = f.input.layout(cols);
    let cur = f.input.cursor_cell(cols);
    let first = (cur.row + 1).saturating_sub(rows);
    let chars: Vec<char> = f.input.text().chars().collect();
    let marked = |i: usize| {
        f.error
            .as_ref()
            .is_some_and(|e| i >= e.pos && i < e.pos + e.len.max(1))
    };
    let input = theme.style("lookup.input");
    let mark = theme.style("filter.error.mark");
    for (i, (c, cell)) in chars.iter().zip(&cells).enumerate() {
        if cell.row < first || cell.row >= first + rows {
            continue;
        }
        let (x, y) = (x0 + cell.col as u16, body.y + (cell.row - first) as u16);
        if y >= body.bottom() || x >= body.right() {
            continue;
        }
        let style = if marked(i) { mark } else { input };
        let sym = if *c == '\n' { ' ' } else { *c };
        buf.set_stringn(x, y, sym.to_string(), cell.width, style);
    }
    if let Some(e) = &f.error
        && e.pos >= chars.len()
        && end.row >= first
        && end.row < first + rows
    {
        let (x, y) = (x0 + end.col as u16, body.y + (end.row - first) as u16);
        if x < body.right() && y < body.bottom() {
            buf.set_stringn(x, y, " ", 1, mark);
        }
    }
    Position::new(
        x0 + cur.col as u16,
        body.y + (cur.row.saturating_sub(first)) as u16,
    )
}

/// The message row (and, for an error, the rows below it): the error, a hint, or the count
/// with the order and the canonical form.
fn draw_message(buf: &mut Buffer, rest: Rect, state: &State, theme: &Theme) {
    let f = &state.filter;
    let info: Vec<Seg> = if let Some(e) = &f.error {
        vec![Seg::new(format!(" {}", e.message), "filter.error")]
    } else if f.input.text().trim().is_empty() {
        let key = state
            .keymap
            .key_for(&[Section::Filter], &Action::BuildCondition)
            .map(|k| k.label())
            .unwrap_or_default();
        vec![
            Seg::new(
                format!(" {}", s::fill(s::FL_HINT, &[("key", &key)])),
                "ui.hint",
            ),
            Seg::new(crate::filter::SEED_EXAMPLE, "ui.hint"),
        ]
    } else if f.seq_shown < f.seq_sent {
        vec![Seg::new(format!(" {}", s::FL_EVALUATING), "ui.hint")]
    } else {
        let count = if f.matches.is_empty() {
            s::FL_NONE.to_string()
        } else {
            s::fill(
                s::FL_COUNT,
                &[("n", &f.matches.len()), ("total", &state.total)],
            )
        };
        let mut segs = vec![Seg::new(format!(" {count}  "), "filter.count")];
        if let Some((col, desc)) = f.sort {
            let dir = if desc {
                s::FL_DESCENDING
            } else {
                s::FL_ASCENDING
            };
            let sorted = s::fill(s::FL_SORTED, &[("col", &col.title()), ("dir", &dir)]);
            segs.push(Seg::new(format!("{sorted}  "), "reserve.sorted"));
        }
        if let Some(c) = &f.canonical {
            segs.push(Seg::new(s::FL_CANONICAL, "ui.label"));
            segs.push(Seg::new(c.replace('\n', " "), "ui.hint"));
        }
        segs
    };
    // An error or the hint has the rows below to itself (there are no results); wrap it.
    let lines = if f.error.is_some() || f.input.text().trim().is_empty() {
        wrap(&info, rest.width as usize, 1)
    } else {
        vec![info]
    };
    for (i, line) in lines.iter().take(rest.height as usize).enumerate() {
        put(buf, rest.x, rest.y + i as u16, rest.width, line, theme);
    }
}

/// The saved filters, listed from the message row down.
fn draw_saved(
    buf: &mut Buffer,
    rest: Rect,
    state: &State,
    list: &[crate::store::SavedFilter],
    sel: usize,
    theme: &Theme,
) {
    let key = |a: &Action| {
        state
            .keymap
            .key_for(&[Section::Filter, Section::Edit], a)
            .map(|k| k.label())
            .unwrap_or_default()
    };
    let title = s::fill(
        s::FL_SAVED_TITLE,
        &[
            ("rename", &key(&Action::SaveFilter)),
            ("delete", &key(&Action::DeleteForward)),
        ],
    );
    put(
        buf,
        rest.x,
        rest.y,
        rest.width,
        &[Seg::new(format!(" {title}"), "ui.heading")],
        theme,
    );
    let rows = rest.height.saturating_sub(1) as usize;
    let offset = scroll_offset(sel, rows);
    for (i, sf) in list.iter().enumerate().skip(offset).take(rows) {
        let y = rest.y + 1 + (i - offset) as u16;
        let line = Rect::new(rest.x, y, rest.width, 1);
        let base = row_base(
            buf,
            line,
            i == sel,
            Style::default(),
            theme.style("lookup.selected"),
        );
        let segs = [
            Seg::new(" ", ""),
            Seg::new(pad(&sf.name, 16), "ui.label"),
            Seg::new(s::unambiguous(&sf.text.replace('\n', " ")), ""),
        ];
        put_with(buf, rest.x, y, rest.width, &segs, theme, base);
    }
}

/// Widths of the post and unit columns at this width (the rest are fixed).
fn flexible_widths(w: u16) -> (usize, usize) {
    let fixed = 1 + NAME_W + GENDER_W + AGE_W + BIRTH_W + RANK_W + SINCE_W;
    let rest = (w as usize).saturating_sub(fixed);
    let post = (rest * 2 / 5).min(30);
    (post, (rest - post).min(40))
}

/// The header and the rows of the results, below the message row.
fn draw_results(buf: &mut Buffer, rest: Rect, state: &State, theme: &Theme) {
    let f = &state.filter;
    if rest.height < 3 || f.matches.is_empty() {
        return;
    }
    let (post_w, unit_w) = flexible_widths(rest.width);
    let widths = |c: FilterColumn| match c {
        FilterColumn::Name => NAME_W,
        FilterColumn::Gender => GENDER_W,
        FilterColumn::Age => AGE_W,
        FilterColumn::Birth => BIRTH_W,
        FilterColumn::Rank => RANK_W,
        FilterColumn::Post => post_w,
        FilterColumn::Unit => unit_w,
        FilterColumn::Since => SINCE_W,
    };
    let sorted = f.sort.map(|(c, _)| c);
    let mut header = vec![Seg::new(" ", "")];
    for c in FilterColumn::ALL {
        let style = if sorted == Some(c) {
            "reserve.sorted"
        } else {
            "lookup.header"
        };
        // The header's own text is styled; the gap after it is not.
        let title = truncate(c.title(), widths(c).saturating_sub(1));
        let gap = widths(c) - width(&title);
        header.push(Seg::new(title, style));
        header.push(Seg::new(" ".repeat(gap), ""));
    }
    put(buf, rest.x, rest.y + 1, rest.width, &header, theme);
    let list = Rect::new(rest.x, rest.y + 2, rest.width, rest.height - 2);
    for (i, line) in shown_rows(list, f.selected, f.matches.len()) {
        let (r, y) = (&f.matches[i], line.y);
        let selected = theme.style("lookup.selected");
        let base = row_base(buf, line, i == f.selected, Style::default(), selected);
        let row = &r.row;
        let cells: [(FilterColumn, String); 8] = [
            (FilterColumn::Name, row.name.clone()),
            (FilterColumn::Gender, row.gender.to_string()),
            (FilterColumn::Age, row.age.to_string()),
            (FilterColumn::Birth, row.birth.clone()),
            (FilterColumn::Rank, row.rank.clone()),
            (FilterColumn::Post, row.post.clone()),
            (FilterColumn::Unit, row.unit.clone()),
            (FilterColumn::Since, row.post_since.clone()),
        ];
        let mut segs = vec![Seg::new(" ", "")];
        for (c, text) in cells {
            let w = widths(c);
            segs.push(Seg::new(pad(&truncate(&text, w.saturating_sub(1)), w), ""));
        }
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
}

/// The builder's menus over the list: what is built so far, the step's instruction, the
/// text typed, and the options. Returns where the cursor goes (in the typed text).
fn draw_menu(buf: &mut Buffer, area: Rect, b: &Builder, theme: &Theme) -> Option<Position> {
    if area.height < 4 {
        return None;
    }
    fill(buf, area, theme.style("ui.popup"));
    let popup = theme.style("ui.popup");
    put_with(
        buf,
        area.x,
        area.y,
        area.width,
        &[
            Seg::new(format!(" {} ", s::FB_TITLE), "ui.popup.title"),
            Seg::new(format!(" {}", b.preview()), "ui.popup.key"),
        ],
        theme,
        popup,
    );
    put_with(
        buf,
        area.x,
        area.y + 1,
        area.width,
        &[Seg::new(format!(" {}", b.prompt()), "ui.popup")],
        theme,
        popup,
    );
    let (_, _, at) = input_line(buf, area, area.y + 2, s::FB_TYPED, &b.input, theme);
    let list = Rect::new(area.x, area.y + 3, area.width, area.height - 3);
    let grouped = b.options.iter().any(|o| o.heading.is_some());
    let group_w = if grouped { 11 } else { 0 };
    let label_w = b
        .options
        .iter()
        .map(|o| width(&o.label))
        .max()
        .unwrap_or(0)
        .clamp(6, (area.width as usize / 2).max(6))
        + 2;
    for (i, line) in shown_rows(list, b.selected, b.options.len()) {
        let (o, y) = (&b.options[i], line.y);
        let selected = popup.patch(theme.style("ui.popup.selected"));
        let base = row_base(buf, line, i == b.selected, popup, selected);
        let mut segs = vec![Seg::new(" ", "")];
        if grouped {
            segs.push(Seg::new(pad(o.heading.unwrap_or(""), group_w), "ui.label"));
        }
        segs.push(Seg::new(if o.marked { "* " } else { "  " }, "ui.popup.key"));
        segs.push(Seg::new(pad(&o.label, label_w), ""));
        segs.push(Seg::new(s::unambiguous(&o.note), "ui.hint"));
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
    Some(at)
}

/// The style a list row's text goes over: `selected`, filled across the row, when it is the
/// selected one; else `plain`.
fn row_base(
    buf: &mut Buffer,
    line: Rect,
    is_selected: bool,
    plain: Style,
    selected: Style,
) -> Style {
    if is_selected {
        fill(buf, line, selected);
        selected
    } else {
        plain
    }
}

/// The rows of a list shown in `list`, scrolled to keep `selected` in view: each item's index
/// and the line it is drawn on.
fn shown_rows(list: Rect, selected: usize, len: usize) -> impl Iterator<Item = (usize, Rect)> {
    let rows = list.height as usize;
    let offset = scroll_offset(selected, rows);
    (offset..len.min(offset + rows)).map(move |i| {
        (
            i,
            Rect::new(list.x, list.y + (i - offset) as u16, list.width, 1),
        )
    })
}
