//! The help overlay: every binding of the keymap with its description, grouped by section,
//! the sections of the focused pane first. Generated from the keymap, so a user's overrides
//! show up as they are. Pure.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::super::keymap::Section;
use super::super::state::State;
use super::super::strings as s;
use super::super::text::{Seg, SegLine, fill, pad, put, width};
use super::super::theme::Theme;

/// Key column width in the overlay.
const KEY_W: usize = 18;

/// Width of one column of the overlay; wide screens show several side by side.
const COLUMN_W: u16 = 56;

/// The overlay's rectangle: the whole screen between the top bar and the status bar.
pub fn area(screen: Rect) -> Rect {
    let top = 1.min(screen.height);
    let h = screen.height.saturating_sub(top + 1);
    Rect::new(screen.x, screen.y + top, screen.width, h)
}

/// Rows per column and columns under the title.
pub fn page(screen: Rect) -> (usize, usize) {
    let a = area(screen);
    let rows = a.height.saturating_sub(1) as usize;
    let cols = (a.width / COLUMN_W).max(1) as usize;
    (rows, cols)
}

/// The overlay's text: the focused pane's sections, then the rest.
pub fn lines(state: &State) -> Vec<SegLine> {
    let mut order = vec![state.pane.section()];
    if state.pane.is_typing() {
        order.push(Section::Edit);
    }
    order.push(Section::Global);
    for sec in Section::ALL {
        if !order.contains(&sec) {
            order.push(sec);
        }
    }
    let mut out: Vec<SegLine> = Vec::new();
    for sec in order {
        let groups = state.keymap.grouped(sec);
        if groups.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(vec![]);
        }
        out.push(vec![Seg::new(format!(" {}", sec.title()), "ui.heading")]);
        for (_, keys, desc) in groups {
            let keys = if width(&keys) > KEY_W - 2 {
                keys
            } else {
                pad(&keys, KEY_W - 2)
            };
            out.push(vec![
                Seg::new("   ", "ui.popup"),
                Seg::new(keys, "ui.popup.key"),
                Seg::new(format!("  {desc}"), "ui.popup"),
            ]);
        }
    }
    out.push(vec![]);
    out.push(vec![Seg::new(format!(" {}", s::HELP_COMMANDS), "ui.popup")]);
    out
}

pub fn draw(buf: &mut Buffer, screen: Rect, state: &State, scroll: usize, theme: &Theme) {
    let a = area(screen);
    if a.height == 0 || a.width == 0 {
        return;
    }
    fill(buf, a, theme.style("ui.popup"));
    fill(
        buf,
        Rect::new(a.x, a.y, a.width, 1),
        theme.style("ui.popup.title"),
    );
    put(
        buf,
        a.x,
        a.y,
        a.width,
        &[Seg::new(format!(" {}", s::HELP_TITLE), "ui.popup.title")],
        theme,
    );
    let lines = lines(state);
    let (rows, cols) = page(screen);
    let scroll = scroll.min(lines.len().saturating_sub(rows * cols));
    let col_w = a.width / cols as u16;
    for (i, line) in lines.iter().skip(scroll).take(rows * cols).enumerate() {
        let (col, row) = (i / rows.max(1), i % rows.max(1));
        let x = a.x + col as u16 * col_w;
        put(buf, x, a.y + 1 + row as u16, col_w, line, theme);
    }
}
