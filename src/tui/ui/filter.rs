//! The filter pane: the expression line (the error's characters marked under it), the parse
//! error or the match count with the canonical form, and the matching cadres with the lookup's
//! columns. Draws from state only; parsing happens in `update` and evaluation off the UI thread.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use super::super::action::Action;
use super::super::keymap::Section;
use super::super::state::{ReserveColumn, State};
use super::super::strings as s;
use super::super::text::{Seg, char_width, fill, pad, put, put_with, truncate, width, wrap};
use super::super::theme::Theme;
use super::lookup::input_line;

const NAME_W: usize = 10;
const GENDER_W: usize = 6;
const AGE_W: usize = 6;

/// Rows of the result list within the pane's body.
pub fn list_area(body: Rect) -> Rect {
    let top = 4.min(body.height);
    Rect::new(body.x, body.y + top, body.width, body.height - top)
}

/// Draws the pane; returns where the terminal cursor goes (in the expression line).
pub fn draw(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) -> Option<Position> {
    if body.height == 0 {
        return None;
    }
    let f = &state.filter;
    let (shown, x, at) = input_line(buf, body, body.y, s::FL_PROMPT, &f.input, theme);
    let cursor = state.overlay.is_none().then_some(at);
    if body.height < 2 {
        return cursor;
    }
    // Under the line: the export path or the filter's name being typed.
    let asked = f
        .export
        .as_ref()
        .map(|(p, _)| (s::FL_EXPORT_PROMPT, p))
        .or_else(|| f.name.as_ref().map(|(n, _)| (s::FL_NAME_PROMPT, n)));
    if let Some((prompt, path)) = asked {
        let (_, _, at) = input_line(buf, body, body.y + 1, prompt, path, theme);
        let cursor = state.overlay.is_none().then_some(at);
        draw_rest(buf, body, state, theme);
        return cursor;
    }
    // Under the line: the error's characters marked (when the whole text is in view).
    let whole = shown == f.input.text();
    if let Some(e) = &f.error
        && whole
    {
        let chars: Vec<char> = f.input.text().chars().collect();
        let before: usize = chars.iter().take(e.pos).map(|c| char_width(*c)).sum();
        let span: usize = chars
            .iter()
            .skip(e.pos)
            .take(e.len)
            .map(|c| char_width(*c))
            .sum::<usize>()
            .max(1);
        let mx = x + before as u16;
        if mx < body.x + body.width {
            put(
                buf,
                mx,
                body.y + 1,
                (body.x + body.width - mx).min(span as u16),
                &[Seg::new("^".repeat(span), "filter.error")],
                theme,
            );
        }
    }
    draw_rest(buf, body, state, theme);
    cursor
}

/// The message line and the results (or the saved filters, when listed).
fn draw_rest(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) {
    let f = &state.filter;
    if body.height < 3 {
        return;
    }
    if let Some((list, sel)) = &f.saved {
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
            body.x,
            body.y + 2,
            body.width,
            &[Seg::new(format!(" {title}"), "ui.heading")],
            theme,
        );
        let rows = body.height.saturating_sub(3) as usize;
        let offset = super::lookup::scroll_offset(*sel, rows);
        for (i, sf) in list.iter().enumerate().skip(offset).take(rows) {
            let y = body.y + 3 + (i - offset) as u16;
            let line = Rect::new(body.x, y, body.width, 1);
            let base = if i == *sel {
                let st = theme.style("lookup.selected");
                fill(buf, line, st);
                st
            } else {
                Style::default()
            };
            let segs = [
                Seg::new(" ", ""),
                Seg::new(pad(&sf.name, 16), "ui.label"),
                Seg::new(s::unambiguous(&sf.text), ""),
            ];
            put_with(buf, body.x, y, body.width, &segs, theme, base);
        }
        return;
    }
    // The message: the error, or the count and the canonical form.
    let info: Vec<Seg> = if let Some(e) = &f.error {
        vec![Seg::new(format!(" {}", e.message), "filter.error")]
    } else if f.input.text().trim().is_empty() {
        vec![
            Seg::new(format!(" {}", s::FL_HINT), "ui.hint"),
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
        if let Some(c) = &f.canonical {
            segs.push(Seg::new(s::FL_CANONICAL, "ui.label"));
            segs.push(Seg::new(c.clone(), "ui.hint"));
        }
        segs
    };
    // An error has the rows below to itself (there are no results); wrap it.
    let lines = if f.error.is_some() {
        wrap(&info, body.width as usize, 1)
    } else {
        vec![info]
    };
    for (i, line) in lines
        .iter()
        .take(body.height.saturating_sub(2) as usize)
        .enumerate()
    {
        put(buf, body.x, body.y + 2 + i as u16, body.width, line, theme);
    }
    if body.height < 4 || f.matches.is_empty() {
        return;
    }
    let sorted = f.sort.map(|(c, _)| c);
    let head = |c: ReserveColumn| {
        if sorted == Some(c) {
            "reserve.sorted"
        } else {
            "lookup.header"
        }
    };
    let header = [
        Seg::new(" ", ""),
        Seg::new(pad(s::COL_NAME, NAME_W), head(ReserveColumn::Name)),
        Seg::new(pad(s::COL_GENDER, GENDER_W), "lookup.header"),
        Seg::new(pad(s::COL_AGE, AGE_W), head(ReserveColumn::Age)),
        Seg::new(
            format!("{} {}", s::COL_POST, s::COL_UNIT),
            head(ReserveColumn::Post),
        ),
    ];
    put(buf, body.x, body.y + 3, body.width, &header, theme);
    let list = list_area(body);
    let offset = super::lookup::scroll_offset(f.selected, list.height as usize);
    let rest = (body.width as usize).saturating_sub(1 + NAME_W + GENDER_W + AGE_W);
    for (i, e) in f
        .matches
        .iter()
        .enumerate()
        .skip(offset)
        .take(list.height as usize)
    {
        let y = list.y + (i - offset) as u16;
        let line = Rect::new(list.x, y, list.width, 1);
        let base = if i == f.selected {
            let st = theme.style("lookup.selected");
            fill(buf, line, st);
            st
        } else {
            Style::default()
        };
        let age = e.birth.whole_years_until(&state.today);
        let post = format!("{} {}", e.post, e.unit);
        let segs = [
            Seg::new(" ", ""),
            Seg::new(pad(&e.name, NAME_W), ""),
            Seg::new(pad(e.gender.label(), GENDER_W), ""),
            Seg::new(pad(&age.to_string(), AGE_W), ""),
            Seg::new(truncate(post.trim(), rest), ""),
        ];
        debug_assert!(width(&segs[1].text) == NAME_W);
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
}
