//! Drawing: `draw(frame, &state, &theme)` paints the whole screen from state. Pure: no I/O, no
//! store reads, no search, no state change. Owns the screen's layout (top bar, pane, message
//! line, status bar, overlays) and hands each pane its rectangle. Layout helpers are public so
//! `update` can size pages the same way.

pub mod alerts;
pub mod command;
pub mod dossier;
pub mod filter;
pub mod form;
pub mod format;
pub mod help;
pub mod lookup;
pub mod reserve;
pub mod team;
pub mod timeline;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::Action;
use super::keymap::Section;
use super::state::{Message, Overlay, Pane, State};
use super::strings as s;
use super::text::{Seg, fill, put, width, wrap};
use super::theme::Theme;

/// The screen's regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Regions {
    pub top: Rect,
    pub body: Rect,
    pub message: Option<Rect>,
    pub status: Rect,
}

/// Splits the screen: a top bar, the pane, a message line while there is a message, and the
/// status bar.
pub fn regions(area: Rect, state: &State) -> Regions {
    let h = area.height;
    let row = |y: u16| Rect::new(area.x, area.y + y, area.width, 1.min(h.saturating_sub(y)));
    // A message takes a line above the status bar, two when it is too long for one.
    let msg_rows = match state.messages.first() {
        Some(m) if h >= 6 && width(&message_text(state, m)) > area.width as usize => 2,
        Some(_) if h >= 4 => 1,
        _ => 0,
    };
    let status_y = h.saturating_sub(1);
    let msg_y = status_y.saturating_sub(msg_rows);
    Regions {
        top: row(0),
        body: Rect::new(
            area.x,
            area.y + 1.min(h),
            area.width,
            msg_y.saturating_sub(1),
        ),
        message: (msg_rows > 0).then(|| Rect::new(area.x, area.y + msg_y, area.width, msg_rows)),
        status: row(status_y),
    }
}

/// The screen as `update` sees it (from the last known terminal size).
pub fn screen(state: &State) -> Rect {
    Rect::new(0, 0, state.size.0, state.size.1)
}

/// Paints the whole screen.
pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    let r = regions(area, state);
    let buf = frame.buffer_mut();
    fill(buf, area, theme.style("ui.text"));
    top_bar(buf, r.top, state, theme);
    let mut cursor = match state.pane {
        Pane::Lookup => lookup::draw(buf, r.body, state, theme),
        Pane::Dossier => {
            dossier::draw(buf, r.body, state, theme);
            None
        }
        Pane::Timeline => {
            timeline::draw(buf, r.body, state, theme);
            None
        }
        Pane::Filter => filter::draw(buf, r.body, state, theme),
        Pane::Team => team::draw(buf, r.body, state, theme),
        Pane::Alerts => alerts::draw(buf, r.body, state, theme),
        Pane::Reserve => {
            reserve::draw(buf, r.body, state, theme);
            None
        }
    };
    if state.form.is_some()
        || state.history.is_some()
        || state.draft.is_some()
        || state.pick.is_some()
    {
        cursor = form::draw(buf, r.body, state, theme);
    }
    if let Some(m) = r.message {
        message_line(buf, m, state, theme);
    }
    match &state.overlay {
        Some(Overlay::Command(cmd)) => {
            cursor = command::draw(buf, area, r.status, cmd, theme);
        }
        Some(Overlay::Help { scroll }) => {
            status_bar(buf, r.status, state, theme);
            help::draw(buf, area, state, *scroll, theme);
            cursor = None;
        }
        None => status_bar(buf, r.status, state, theme),
    }
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

fn top_bar(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    fill(buf, area, theme.style("ui.topbar"));
    let mut segs = vec![Seg::new(format!(" {} ", s::APP_TITLE), "ui.topbar")];
    for p in Pane::ALL {
        let style = if p == state.pane {
            "ui.tab.active"
        } else {
            "ui.tab"
        };
        segs.push(Seg::new(format!(" {} ", p.title()), style));
    }
    put(buf, area.x, area.y, area.width, &segs, theme);
    let right = if state.loading {
        s::LOADING.to_string()
    } else {
        s::fill(s::TOTAL, &[("n", &state.total)])
    };
    let used = segs.iter().map(|g| width(&g.text)).sum::<usize>();
    let right = match &state.who {
        Some(who) if used + width(who) + width(&right) + 3 < area.width as usize => {
            format!("{who}  {right} ")
        }
        _ => format!("{right} "),
    };
    let rw = width(&right);
    if used + rw < area.width as usize {
        let x = area.x + area.width - rw as u16;
        put(
            buf,
            x,
            area.y,
            rw as u16,
            &[Seg::new(right, "ui.topbar")],
            theme,
        );
    }
}

/// The first message as shown, numbered when more wait behind it: ` (1/3) …`.
fn message_text(state: &State, m: &Message) -> String {
    if state.messages.len() > 1 {
        format!(" (1/{}) {}", state.messages.len(), m.text)
    } else {
        format!(" {}", m.text)
    }
}

fn message_line(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let Some(first) = state.messages.first() else {
        return;
    };
    let key = if first.error {
        "ui.message.error"
    } else {
        "ui.message.info"
    };
    fill(buf, area, theme.style(key));
    let text = message_text(state, first);
    let lines = wrap(&[Seg::new(text, key)], area.width as usize, 1);
    for (i, line) in lines.iter().take(area.height as usize).enumerate() {
        put(buf, area.x, area.y + i as u16, area.width, line, theme);
    }
}

/// Actions too obvious to spend status-bar space on (they are in the help); creating a
/// dossier is bound everywhere and would crowd every pane's hints, so it is left to the help.
fn is_movement(a: &Action) -> bool {
    use Action::*;
    matches!(a, Up | Down | PageUp | PageDown | Top | Bottom | NewDossier)
}

fn is_pane_switch(a: &Action) -> bool {
    use Action::*;
    matches!(
        a,
        ShowLookup | ShowDossier | ShowTimeline | ShowFilter | ShowTeam | ShowAlerts | ShowReserve
    )
}

/// The hints for the focused context: (key label, description), in keymap order, one per
/// action.
pub fn hints(state: &State) -> Vec<(String, String)> {
    // The key that shows the pane already showing needs no hint.
    let mut seen: Vec<Action> = vec![state.pane.show_action()];
    // The conflict view has no fields to move between.
    if state.form.as_ref().is_some_and(|f| f.conflict.is_some()) {
        seen.extend([Action::NextField, Action::PrevField]);
    }
    let mut out = Vec::new();
    for sec in state.sections() {
        if sec == Section::Edit {
            continue;
        }
        for (action, keys, desc) in state.keymap.grouped(sec) {
            // Pane keys that work everywhere (Alt-1 … Alt-7) are in the help; the status
            // line keeps its room for the focused context.
            if is_movement(&action)
                || seen.contains(&action)
                || (sec == Section::Global && is_pane_switch(&action))
            {
                continue;
            }
            seen.push(action);
            // Different actions that read the same (Esc and ? both close the help) share one
            // hint.
            match out
                .iter_mut()
                .find(|(_, d): &&mut (String, String)| *d == desc)
            {
                Some((k, _)) => {
                    k.push('/');
                    k.push_str(&keys);
                }
                None => out.push((keys, desc)),
            }
        }
    }
    out
}

fn status_bar(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    fill(buf, area, theme.style("ui.statusline"));
    let mut x = area.x;
    let end = area.x + area.width;
    if state.mask {
        x = put(
            buf,
            x,
            area.y,
            area.width,
            &[Seg::new(s::MASK_BADGE, "mask")],
            theme,
        );
    }
    x += 1;
    for (keys, desc) in hints(state) {
        let segs = [
            Seg::new(keys.clone(), "ui.statusline.key"),
            Seg::new(format!(" {desc}"), "ui.statusline"),
        ];
        let w = (width(&keys) + 1 + width(&desc)) as u16;
        if x + w > end {
            break;
        }
        x = put(buf, x, area.y, end - x, &segs, theme) + 2;
    }
}
