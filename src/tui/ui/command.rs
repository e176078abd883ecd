//! The `:` command line: runs any bindable action by its keymap name, with completion from
//! the action vocabulary (by name prefix, then by any part of the name or its description).
//! Pure drawing plus the candidate list `update` shares.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::super::action::Action;
use super::super::state::CommandLine;
use super::super::strings as s;
use super::super::text::{Seg, fill, pad, put, width};
use super::super::theme::Theme;

/// Most candidates listed above the command line.
const MAX_ROWS: usize = 8;
const NAME_W: usize = 16;

/// Actions offered for what was typed: name prefix matches first, then names or descriptions
/// containing it.
pub fn candidates(typed: &str) -> Vec<Action> {
    let t = typed.trim();
    let all = Action::BINDABLE.iter().filter(|a| a.is_command());
    let named = |a: &Action| a.name().unwrap_or_default();
    let mut out: Vec<Action> = all
        .clone()
        .filter(|a| named(a).starts_with(t))
        .cloned()
        .collect();
    for a in all {
        if !out.contains(a)
            && !t.is_empty()
            && (named(a).contains(t) || s::action_desc(a).contains(t))
        {
            out.push(a.clone());
        }
    }
    out
}

/// Draws the line over the status bar and the candidates above it; returns the cursor.
pub fn draw(
    buf: &mut Buffer,
    screen: Rect,
    status: Rect,
    cmd: &CommandLine,
    theme: &Theme,
) -> Option<Position> {
    if status.height == 0 {
        return None;
    }
    fill(buf, status, theme.style("ui.statusline"));
    let x = put(
        buf,
        status.x,
        status.y,
        status.width,
        &[Seg::new(s::COMMAND_PROMPT, "ui.statusline.key")],
        theme,
    );
    let cols = (status.x + status.width).saturating_sub(x + 1) as usize;
    let (shown, col) = cmd.input.view(cols);
    put(
        buf,
        x,
        status.y,
        cols as u16,
        &[Seg::new(shown, "ui.statusline")],
        theme,
    );
    // Candidates.
    let cands = candidates(&cmd.typed);
    let rows = cands
        .len()
        .clamp(1, MAX_ROWS)
        .min(status.y.saturating_sub(screen.y) as usize);
    if rows > 0 {
        let w = status.width;
        let top = status.y - rows as u16;
        let popup = Rect::new(status.x, top, w, rows as u16);
        fill(buf, popup, theme.style("ui.popup"));
        if cands.is_empty() {
            put(
                buf,
                popup.x,
                top,
                w,
                &[Seg::new(format!(" {}", s::COMMAND_NO_MATCH), "ui.popup")],
                theme,
            );
        }
        let sel = cmd.selected.unwrap_or(0);
        let offset = super::lookup::scroll_offset(sel, rows);
        for (i, a) in cands.iter().enumerate().skip(offset).take(rows) {
            let y = top + (i - offset) as u16;
            let key = if cmd.selected == Some(i) {
                fill(
                    buf,
                    Rect::new(popup.x, y, w, 1),
                    theme.style("ui.popup.selected"),
                );
                "ui.popup.selected"
            } else {
                "ui.popup"
            };
            let name = a.name().unwrap_or_default();
            let name_key = if cmd.selected == Some(i) {
                key
            } else {
                "ui.popup.key"
            };
            put(
                buf,
                popup.x,
                y,
                w,
                &[
                    Seg::new(format!(" {}", pad(&name, NAME_W)), name_key),
                    Seg::new(format!(" {}", s::action_desc(a)), key),
                ],
                theme,
            );
        }
    }
    debug_assert!(width(s::COMMAND_PROMPT) == 1);
    Some(Position::new(x + col as u16, status.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_matches_come_first_then_descriptions() {
        let c = candidates("show");
        assert_eq!(
            c,
            [
                Action::ShowLookup,
                Action::ShowDossier,
                Action::ShowTimeline,
                Action::ShowFilter,
                Action::ShowTeam,
                Action::ShowAlerts,
                Action::ShowReserve,
                Action::ShowHistory
            ]
        );
        let c = candidates("会议");
        assert_eq!(c, [Action::ToggleMask]);
        assert!(candidates("").len() > 10);
        assert!(!candidates("").contains(&Action::CursorLeft));
        assert!(candidates("zzz").is_empty());
    }
}
