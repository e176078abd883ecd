//! Drawing of the editing side: the open form (labels, values, the focused field's textarea,
//! each problem under its field), the conflict view (the field, as opened, as the other clerk
//! saved it, as this form would save it), a dossier's change history, and the draft offer.
//! Pure: reads state, writes the buffer.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::Widget;

use super::super::form::{EntryPicker, FieldKind, Form, HistoryView};
use super::super::state::State;
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, width, wrap};
use super::super::theme::Theme;
use super::hints;

/// Label column width (display cells).
const LABEL_W: usize = 14;

/// Paints whichever editing view is open over `area`; the cursor position when a text field
/// has the focus.
pub fn draw(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) -> Option<Position> {
    let mut cursor = None;
    if let Some(form) = &state.form {
        fill(buf, area, theme.style("ui.text"));
        match &form.conflict {
            Some(_) => conflict(buf, area, form, state, theme),
            None => cursor = draw_form(buf, area, form, theme),
        }
    } else if let Some(h) = &state.history {
        fill(buf, area, theme.style("ui.text"));
        history(buf, area, h, state, theme);
    } else if let Some(p) = &state.pick {
        fill(buf, area, theme.style("ui.text"));
        pick(buf, area, p, theme);
    }
    if let Some(d) = &state.draft {
        let text = s::fill(
            s::DRAFT_OFFER,
            &[
                ("title", &d.kind.title()),
                ("name", &d.base.identity.name),
                ("at", &d.at),
            ],
        );
        let w = area.width.saturating_sub(4).max(10);
        let lines = wrap(&[Seg::new(text, "ui.popup")], w as usize - 2, 0);
        let h = (lines.len() as u16 + 2).min(area.height);
        let y = area.y + area.height.saturating_sub(h) / 2;
        let rect = Rect::new(area.x + 2, y, w, h);
        fill(buf, rect, theme.style("ui.popup"));
        for (i, line) in lines.iter().enumerate().take(h.saturating_sub(2) as usize) {
            put(buf, rect.x + 1, rect.y + 1 + i as u16, w - 2, line, theme);
        }
        cursor = None;
    }
    cursor
}

/// One line of text in one style across the area's width.
fn text_line(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    text: impl Into<String>,
    style: &'static str,
    theme: &Theme,
) {
    put(buf, area.x, y, area.width, &[Seg::new(text, style)], theme);
}

/// The key bound to `action` in the form's sections, for hints inside the view.
fn key(state: &State, name: &str) -> String {
    hints(state)
        .into_iter()
        .find(|(_, d)| d == name)
        .map(|(k, _)| k)
        .unwrap_or_default()
}

fn draw_form(buf: &mut Buffer, area: Rect, form: &Form, theme: &Theme) -> Option<Position> {
    let name = if form.base.identity.name.is_empty() {
        "".to_string()
    } else {
        form.base.identity.name.clone()
    };
    let title = s::fill(
        s::FORM_TITLE,
        &[("title", &form.kind.title()), ("name", &name)],
    );
    put(
        buf,
        area.x,
        area.y,
        area.width,
        &[Seg::new(
            format!(" {}", title.trim_end_matches('：')),
            "ui.heading",
        )],
        theme,
    );
    let mut top = area.y + 1;
    if let Some(e) = &form.error {
        text_line(buf, area, top, format!(" {e}"), "form.error", theme);
        top += 1;
    }
    // Field rows: each field, then its problem under it.
    let mut rows: Vec<(usize, bool)> = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        rows.push((i, false));
        if f.error.is_some() {
            rows.push((i, true));
        }
    }
    let bottom = area.y + area.height;
    let room = bottom.saturating_sub(top) as usize;
    let focus_row = rows
        .iter()
        .position(|(i, e)| *i == form.focus && !e)
        .unwrap_or(0);
    // Keep the focused field and its problem on screen.
    let skip = (focus_row + 2).saturating_sub(room);
    let vx = area.x + LABEL_W as u16 + 1;
    let vw = area.width.saturating_sub(LABEL_W as u16 + 2);
    let mut cursor = None;
    for (n, (i, is_err)) in rows.iter().skip(skip).take(room).enumerate() {
        let y = top + n as u16;
        let f = &form.fields[*i];
        let focused = *i == form.focus;
        if *is_err {
            let msg = f.error.as_deref().unwrap_or_default();
            put(
                buf,
                vx,
                y,
                vw,
                &[Seg::new(format!("^ {msg}"), "form.error")],
                theme,
            );
            continue;
        }
        let mark = if f.required { "*" } else { " " };
        let label = pad(&format!("{mark}{}", f.label), LABEL_W);
        let lstyle = if focused {
            "form.label.focus"
        } else if f.error.is_some() {
            "form.error"
        } else {
            "form.label"
        };
        put(
            buf,
            area.x,
            y,
            LABEL_W as u16,
            &[Seg::new(label, lstyle)],
            theme,
        );
        let value_rect = Rect::new(vx, y, vw, 1);
        match (&f.kind, focused) {
            (FieldKind::Text | FieldKind::Date | FieldKind::Number, true) => {
                fill(buf, value_rect, theme.style("form.value.focus"));
                let mut ta = f.text.clone();
                ta.set_style(theme.style("form.value.focus"));
                ta.set_cursor_line_style(theme.style("form.value.focus"));
                ta.set_cursor_style(
                    theme
                        .style("form.value.focus")
                        .add_modifier(ratatui::style::Modifier::REVERSED),
                );
                ta.render(value_rect, buf);
                let (_, col) = f.text.cursor();
                let line = f.text.lines().first().cloned().unwrap_or_default();
                let before: String = line.chars().take(col).collect();
                let cx = (width(&before) as u16).min(vw.saturating_sub(1));
                cursor = Some(Position::new(vx + cx, y));
            }
            (FieldKind::Choice(_), true) => {
                let mut segs = vec![Seg::new(format!("< {} >", f.display()), "form.value.focus")];
                if !f.jump.is_empty() {
                    // Typed characters that match no option show as a problem.
                    let by_alias = f.aliases.and_then(|a| a(&f.jump)).is_some();
                    let found = by_alias || !f.matches(1).is_empty();
                    let style = if found { "form.new" } else { "form.error" };
                    segs.push(Seg::new(format!("  {}", f.jump), style));
                }
                segs.push(Seg::new(format!("  {}", s::FORM_CHOICE_HINT), "form.hint"));
                put(buf, vx, y, vw, &segs, theme);
            }
            (FieldKind::Flag, true) => {
                put(
                    buf,
                    vx,
                    y,
                    vw,
                    &[
                        Seg::new(format!("[{}]", f.display()), "form.value.focus"),
                        Seg::new(format!("  {}", s::FORM_FLAG_HINT), "form.hint"),
                    ],
                    theme,
                );
            }
            (_, false) => {
                put(buf, vx, y, vw, &[Seg::new(f.display(), "ui.text")], theme);
            }
        }
    }
    cursor
}

fn conflict(buf: &mut Buffer, area: Rect, form: &Form, state: &State, theme: &Theme) {
    let Some(c) = &form.conflict else {
        return;
    };
    let title = s::fill(s::CONFLICT_TITLE, &[("rev", &c.revision)]);
    let lines = wrap(
        &[Seg::new(format!(" {title}"), "form.error")],
        area.width as usize,
        1,
    );
    let mut y = area.y;
    for line in lines.iter().take(2) {
        put(buf, area.x, y, area.width, line, theme);
        y += 1;
    }
    let hint = s::fill(s::CONFLICT_HINT, &[("save", &key(state, "保存"))]);
    text_line(buf, area, y, format!(" {hint}"), "form.hint", theme);
    y += 1;
    let first = 12usize;
    let rest = (area.width as usize).saturating_sub(first + 1) / 3;
    let row = |cells: [&str; 4], styles: [&'static str; 4]| -> Vec<Seg> {
        let mut segs = vec![Seg::new(
            format!(" {}", pad(cells[0], first - 1)),
            styles[0],
        )];
        for k in 1..4 {
            segs.push(Seg::new(pad(cells[k], rest.saturating_sub(1)), styles[k]));
            segs.push(Seg::new(" ", "ui.text"));
        }
        segs
    };
    let head = s::CONFLICT_HEAD;
    put(
        buf,
        area.x,
        y,
        area.width,
        &row([head[0], head[1], head[2], head[3]], ["ui.heading"; 4]),
        theme,
    );
    y += 1;
    if c.rows.is_empty() {
        text_line(
            buf,
            area,
            y,
            format!(" {}", s::CONFLICT_NONE),
            "form.hint",
            theme,
        );
    }
    for r in &c.rows {
        if y >= area.y + area.height {
            break;
        }
        let theirs = if r[2] != r[1] {
            "form.theirs"
        } else {
            "form.old"
        };
        let mine = if r[3] != r[1] { "form.new" } else { "form.old" };
        put(
            buf,
            area.x,
            y,
            area.width,
            &row(
                [&r[0], &r[1], &r[2], &r[3]],
                ["form.label", "form.old", theirs, mine],
            ),
            theme,
        );
        y += 1;
    }
}

fn history(buf: &mut Buffer, area: Rect, h: &HistoryView, state: &State, theme: &Theme) {
    let title = s::fill(
        s::HISTORY_TITLE,
        &[("name", &h.name), ("n", &h.entries.len())],
    );
    text_line(buf, area, area.y, format!(" {title}"), "ui.heading", theme);
    let hint = s::fill(s::HISTORY_HINT, &[("undo", &key(state, "撤销"))]);
    text_line(
        buf,
        area,
        area.y + 1,
        format!(" {hint}"),
        "form.hint",
        theme,
    );
    let top = area.y + 2;
    let room = (area.y + area.height).saturating_sub(top) as usize;
    if h.entries.is_empty() {
        text_line(
            buf,
            area,
            top,
            format!(" {}", s::HISTORY_EMPTY),
            "form.hint",
            theme,
        );
        return;
    }
    // Newest first; each entry a header and its fields.
    let mut lines: Vec<(Vec<Seg>, bool)> = Vec::new();
    let mut selected_at = 0;
    for (i, e) in h.entries.iter().enumerate().rev() {
        let sel = i == h.selected;
        if sel {
            selected_at = lines.len();
        }
        let head = crate::history::render(std::slice::from_ref(e));
        for (k, text) in head.into_iter().enumerate() {
            let style = match (k, sel) {
                (0, true) => "lookup.selected",
                (0, false) => "form.label",
                _ => "ui.text",
            };
            // A field's change wraps under itself rather than running off the screen.
            for line in wrap(
                &[Seg::new(format!(" {text}"), style)],
                area.width as usize,
                5,
            ) {
                lines.push((line, k == 0 && sel));
            }
        }
    }
    // Keep the selected change's header on screen, a few lines from the top when scrolled.
    let skip = if selected_at < room {
        0
    } else {
        selected_at.saturating_sub(2)
    };
    for (n, (segs, sel)) in lines.iter().skip(skip).take(room).enumerate() {
        let y = top + n as u16;
        if *sel {
            fill(
                buf,
                Rect::new(area.x, y, area.width, 1),
                theme.style("lookup.selected"),
            );
        }
        put(buf, area.x, y, area.width, segs, theme);
    }
}

fn pick(buf: &mut Buffer, area: Rect, p: &EntryPicker, theme: &Theme) {
    let title = s::fill(s::PICK_TITLE, &[("name", &p.name)]);
    text_line(buf, area, area.y, format!(" {title}"), "ui.heading", theme);
    let top = area.y + 1;
    let room = (area.y + area.height).saturating_sub(top) as usize;
    if p.rows.is_empty() {
        text_line(
            buf,
            area,
            top,
            format!(" {}", s::PICK_EMPTY),
            "form.hint",
            theme,
        );
        return;
    }
    let skip = (p.selected + 1).saturating_sub(room);
    for (n, (i, (label, text, _))) in p.rows.iter().enumerate().skip(skip).take(room).enumerate() {
        let y = top + n as u16;
        let sel = i == p.selected;
        if sel {
            fill(
                buf,
                Rect::new(area.x, y, area.width, 1),
                theme.style("lookup.selected"),
            );
        }
        let style = if sel { "lookup.selected" } else { "ui.text" };
        put(
            buf,
            area.x,
            y,
            area.width,
            &[
                Seg::new(
                    format!(" {}", pad(label, 14)),
                    if sel { style } else { "form.label" },
                ),
                Seg::new(text.clone(), style),
            ],
            theme,
        );
    }
}
