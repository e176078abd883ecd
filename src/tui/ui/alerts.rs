//! The alerts pane: the filters (severity, rule, unit words, reviewed shown or hidden), the
//! alerts listed (severity, review mark, subject, unit, rule, and the facts when wide), and the
//! selected alert's rule, facts, source and review below, or the review-note input. Draws from
//! state only; the scan runs off the UI thread and the filters are applied in `update`.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use super::super::action::Action;
use super::super::keymap::Section;
use super::super::state::{AlertInput, AlertsView, State};
use super::super::strings as s;
use super::super::text::{Seg, SegLine, fill, pad, put, put_with, truncate, width, wrap};
use super::super::theme::Theme;
use crate::alerts::{Alert, Subject};
use crate::rules::Severity;

const SEV_W: usize = 5;
const MARK_W: usize = 5;
const SUBJECT_W: usize = 10;
/// From this width the facts get a column of their own.
const WIDE: u16 = 120;

/// Rows of the detail block under the list.
fn detail_rows(body: Rect) -> u16 {
    if body.height >= 12 { 5 } else { 0 }
}

/// Rows of the alert list within the pane's body.
pub fn list_area(body: Rect) -> Rect {
    let top = 3.min(body.height);
    let bottom = detail_rows(body);
    Rect::new(
        body.x,
        body.y + top,
        body.width,
        body.height.saturating_sub(top + bottom),
    )
}

/// The theme key for a severity.
pub fn severity_style(sev: Severity) -> &'static str {
    match sev {
        Severity::Severe => "alerts.severe",
        Severity::Warn => "alerts.warn",
        Severity::Info => "alerts.info",
    }
}

/// Who an alert is about, as the list shows it: the person's name, or 班子 for a team.
pub fn subject_text(a: &Alert) -> String {
    match a.subject {
        Subject::Dossier(_) => a.name.clone(),
        Subject::Team(_) => s::AL_TEAM.to_string(),
    }
}

/// The facts behind an alert; a person's are hidden under the meeting mask (they can name
/// findings, relatives and business).
pub fn detail_text(a: &Alert, mask: bool) -> String {
    match a.subject {
        Subject::Dossier(_) if mask => s::MASKED.to_string(),
        _ => a.detail.clone(),
    }
}

/// The filters line.
fn filters_line(v: &AlertsView) -> Vec<Seg> {
    let sev = v.severity.map(Severity::label).unwrap_or(s::ALL);
    let rule = v.rule.as_deref().unwrap_or(s::ALL);
    let reviewed = if v.hide_reviewed {
        s::AL_HIDE
    } else {
        s::AL_SHOW
    };
    vec![
        Seg::new(" ", ""),
        Seg::new(s::AL_SEVERITY, "ui.label"),
        Seg::new(format!("{sev}  "), ""),
        Seg::new(s::AL_RULE, "ui.label"),
        Seg::new(format!("{rule}  "), ""),
        Seg::new(s::AL_REVIEWED, "ui.label"),
        Seg::new(format!("{reviewed}  "), ""),
        Seg::new(s::AL_UNIT, "ui.label"),
    ]
}

/// Draws the pane; returns where the terminal cursor goes while an input line is open.
pub fn draw(buf: &mut Buffer, body: Rect, state: &State, theme: &Theme) -> Option<Position> {
    if body.height == 0 {
        return None;
    }
    let v = &state.alerts;
    let x = put(buf, body.x, body.y, body.width, &filters_line(v), theme);
    let cols = (body.x + body.width).saturating_sub(x + 1) as usize;
    let (shown, cursor_col) = v.unit.view(cols);
    put(
        buf,
        x,
        body.y,
        cols as u16,
        &[Seg::new(shown, "lookup.input")],
        theme,
    );
    let mut cursor = (state.overlay.is_none() && v.input == Some(AlertInput::Unit))
        .then(|| Position::new(x + cursor_col as u16, body.y));
    if body.height < 2 {
        return cursor;
    }
    let Some(all) = &v.all else {
        put(
            buf,
            body.x,
            body.y + 1,
            body.width,
            &[Seg::new(format!(" {}", s::AL_DERIVING), "ui.hint")],
            theme,
        );
        return cursor;
    };
    let info = if state.withheld.alerts {
        s::AL_WITHHELD.to_string()
    } else if v.shown.is_empty() {
        s::AL_NONE.to_string()
    } else {
        s::fill(
            s::AL_COUNT,
            &[
                ("n", &v.shown.len()),
                ("total", &all.len()),
                ("reviewed", &v.reviewed_count()),
            ],
        )
    };
    put(
        buf,
        body.x,
        body.y + 1,
        body.width,
        &[Seg::new(format!(" {info}"), "ui.hint")],
        theme,
    );
    if body.height < 3 {
        return cursor;
    }
    let wide = body.width >= WIDE;
    let unit_w = unit_width(body.width, wide);
    let rule_w = if wide { 30 } else { 0 };
    let mut header = vec![
        Seg::new(" ", ""),
        Seg::new(pad(s::AL_COL_SEVERITY, SEV_W), "lookup.header"),
        Seg::new(pad(s::AL_COL_REVIEWED, MARK_W), "lookup.header"),
        Seg::new(pad(s::AL_COL_SUBJECT, SUBJECT_W), "lookup.header"),
        Seg::new(pad(s::AL_COL_UNIT, unit_w), "lookup.header"),
    ];
    if wide {
        header.push(Seg::new(pad(s::AL_COL_RULE, rule_w), "lookup.header"));
        header.push(Seg::new(s::AL_COL_DETAIL, "lookup.header"));
    } else {
        header.push(Seg::new(s::AL_COL_RULE, "lookup.header"));
    }
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
        let Some(a) = all.get(i) else {
            continue;
        };
        let y = list.y + (row - offset) as u16;
        let line = Rect::new(list.x, y, list.width, 1);
        let reviewed = v.reviews.contains_key(&a.key());
        let base = if row == v.selected {
            let st = theme.style("alerts.selected");
            fill(buf, line, st);
            st
        } else if reviewed {
            theme.style("alerts.reviewed")
        } else {
            Style::default()
        };
        let sev_style = if reviewed {
            "alerts.reviewed"
        } else {
            severity_style(a.severity)
        };
        let mark = if reviewed { s::AL_REVIEWED_MARK } else { "" };
        let mut segs = vec![
            Seg::new(" ", ""),
            Seg::new(pad(a.severity.label(), SEV_W), sev_style),
            Seg::new(pad(mark, MARK_W), ""),
            Seg::new(pad(&subject_text(a), SUBJECT_W), ""),
            Seg::new(pad(&a.unit_name, unit_w), ""),
        ];
        let rest = (line.width as usize).saturating_sub(1 + SEV_W + MARK_W + SUBJECT_W + unit_w);
        if wide {
            segs.push(Seg::new(pad(&a.rule_text, rule_w - 1), ""));
            segs.push(Seg::new(" ", ""));
            let rest = rest.saturating_sub(rule_w);
            segs.push(Seg::new(truncate(&detail_text(a, state.mask), rest), ""));
        } else {
            segs.push(Seg::new(truncate(&a.rule_text, rest), ""));
        }
        put_with(buf, line.x, y, line.width, &segs, theme, base);
    }
    let rows = detail_rows(body);
    if rows > 0 {
        let area = Rect::new(body.x, body.y + body.height - rows, body.width, rows);
        cursor = detail(buf, area, state, theme).or(cursor);
    }
    cursor
}

fn unit_width(w: u16, wide: bool) -> usize {
    let rest = (w as usize).saturating_sub(1 + SEV_W + MARK_W + SUBJECT_W);
    if wide {
        30.min(rest / 3)
    } else {
        (rest * 2 / 5).min(24)
    }
}

/// A labelled field wrapped to the width.
fn field(label: &str, value: &str, w: usize) -> Vec<SegLine> {
    let lw = width(label) + 2;
    wrap(
        &[
            Seg::new(format!(" {}", s::labelled(label)), "ui.label"),
            Seg::new(value.to_string(), ""),
        ],
        w,
        lw + 1,
    )
}

/// The selected alert's rule, facts and source, and its review (or the note input) on the
/// last row. Returns the cursor while the note is being written.
fn detail(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) -> Option<Position> {
    let v = &state.alerts;
    let rule_row = Rect::new(area.x, area.y, area.width, 1);
    fill(buf, rule_row, theme.style("alerts.detail.rule"));
    let a = v.selected_alert()?;
    let w = area.width as usize;
    let mut lines = field(s::AL_L_RULE, &format!("{} {}", a.rule_id, a.rule_text), w);
    lines.truncate(1);
    lines.extend(field(s::AL_L_DETAIL, &detail_text(a, state.mask), w));
    lines.truncate(area.height.saturating_sub(2) as usize);
    lines.extend(field(s::AL_L_SOURCE, &a.source, w).into_iter().take(1));
    for (i, line) in lines
        .iter()
        .take(area.height.saturating_sub(1) as usize)
        .enumerate()
    {
        let base = if i == 0 {
            theme.style("alerts.detail.rule")
        } else {
            Style::default()
        };
        put_with(
            buf,
            area.x,
            area.y + i as u16,
            area.width,
            line,
            theme,
            base,
        );
    }
    let y = area.y + area.height - 1;
    let label = Seg::new(format!(" {}", s::labelled(s::AL_L_REVIEW)), "ui.label");
    if let Some(AlertInput::Note(note)) = &v.input {
        let x = put(
            buf,
            area.x,
            y,
            area.width,
            &[Seg::new(format!(" {}", s::AL_NOTE_PROMPT), "lookup.prompt")],
            theme,
        );
        let cols = (area.x + area.width).saturating_sub(x + 1) as usize;
        let (shown, col) = note.view(cols);
        put(
            buf,
            x,
            y,
            cols as u16,
            &[Seg::new(shown, "lookup.input")],
            theme,
        );
        return (state.overlay.is_none()).then(|| Position::new(x + col as u16, y));
    }
    let text = match v.reviews.get(&a.key()) {
        Some(r) => {
            let mut t = s::fill(s::AL_REVIEW_BY, &[("by", &r.by), ("at", &r.at)]);
            if !r.note.is_empty() {
                t.push_str(s::COMMA);
                t.push_str(&r.note);
            }
            t
        }
        None => {
            let key = state
                .keymap
                .key_for(&[Section::Alerts], &Action::MarkReviewed)
                .map(|k| k.label())
                .unwrap_or_else(|| "mark_reviewed".into());
            s::fill(s::AL_NOT_REVIEWED, &[("key", &key)])
        }
    };
    put(
        buf,
        area.x,
        y,
        area.width,
        &[label, Seg::new(text, "")],
        theme,
    );
    None
}
