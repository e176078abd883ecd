//! The idle lock: after `lock_after_minutes` without a key the interface shows only the lock
//! screen until the user types their own operating-system user name. Owns the lock's state,
//! its steps (driven by `App::update` with `Action::Tick` and the keys typed while locked) and
//! the lock screen's drawing. It must not read the clock itself (time comes in with the
//! actions) and the lock screen must not draw anything from the data.

use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::action::Action;
use super::input::LineInput;
use super::keymap::{KeyCombo, Keymap, Section};
use super::strings as s;
use super::text::{Seg, fill, put, width};
use super::theme::Theme;

/// The default of `lock_after_minutes`.
pub const DEFAULT_LOCK_MINUTES: u32 = 10;
/// The longest idle time a configuration may ask for (one day).
pub const MAX_LOCK_MINUTES: u32 = 24 * 60;

/// The lock's state.
#[derive(Clone, Debug)]
pub struct IdleLock {
    /// How long without a key before locking; None = never.
    pub after: Option<Duration>,
    /// Whose name unlocks (the operating-system user at the keyboard).
    pub user: String,
    /// The time of the last tick seen.
    pub now: Option<Instant>,
    /// When the last key was pressed (the first tick counts as one).
    pub last_key: Option<Instant>,
    /// Present while locked.
    pub locked: Option<LockPrompt>,
}

/// The lock screen's input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockPrompt {
    pub input: LineInput,
    /// The last entry was not the user's name.
    pub wrong: bool,
}

impl IdleLock {
    pub fn new(minutes: u32, user: String) -> Self {
        IdleLock {
            after: (minutes > 0).then(|| Duration::from_secs(u64::from(minutes) * 60)),
            user,
            now: None,
            last_key: None,
            locked: None,
        }
    }

    pub fn is_locked(&self) -> bool {
        self.locked.is_some()
    }

    /// Time passes: locks when the idle limit is reached. Returns whether it locked now.
    pub fn tick(&mut self, now: Instant) -> bool {
        self.now = Some(now);
        let last = *self.last_key.get_or_insert(now);
        match self.after {
            Some(after)
                if self.locked.is_none() && now.saturating_duration_since(last) >= after =>
            {
                tracing::info!("idle lock engaged");
                self.locked = Some(LockPrompt::default());
                true
            }
            _ => false,
        }
    }

    /// A key was pressed while unlocked.
    pub fn key_pressed(&mut self) {
        if let Some(now) = self.now {
            self.last_key = Some(now);
        }
    }

    /// A key action while locked; everything but typing the name, erasing and Enter is
    /// ignored. Returns whether the lock opened.
    pub fn locked_key(&mut self, action: &Action) -> bool {
        let Some(prompt) = &mut self.locked else {
            return false;
        };
        match action {
            Action::Confirm => {
                if prompt.input.text().trim() == self.user {
                    tracing::info!("idle lock released");
                    self.locked = None;
                    self.last_key = self.now;
                    return true;
                }
                tracing::info!("idle lock: wrong user name entered");
                prompt.input.clear();
                prompt.wrong = true;
            }
            Action::Insert(_)
            | Action::Paste(_)
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::DeleteWord
            | Action::ClearLine
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd
            | Action::KillToEnd => {
                prompt.input.apply(action);
            }
            _ => {}
        }
        false
    }
}

/// Messages the event loop makes, not keys: they are not activity, and data still arrives
/// while locked (it is only not drawn).
pub fn is_internal(action: &Action) -> bool {
    matches!(
        action,
        Action::Tick(_)
            | Action::Resize(..)
            | Action::Results { .. }
            | Action::Loaded(_)
            | Action::FilterMatches { .. }
            | Action::Derived(_)
            | Action::FilterValues(_)
    )
}

/// Called first by `App::update`: a tick drives the lock; while locked every key action goes
/// to the lock screen. Returns whether `update` stops here (for `Quit` while locked, the
/// caller quits).
pub fn intercept(lock: &mut IdleLock, action: &Action) -> bool {
    if let Action::Tick(now) = action {
        lock.tick(*now);
        return true;
    }
    if is_internal(action) {
        return false;
    }
    if lock.is_locked() {
        if *action != Action::Quit {
            lock.locked_key(action);
        }
        return true;
    }
    lock.key_pressed();
    false
}

/// What a key does on the lock screen: a character is typed; otherwise the keymap's input
/// line, editing and global sections (Enter confirms, Ctrl-C quits); everything else is
/// ignored by `IdleLock::locked_key`.
pub fn key_action(keymap: &Keymap, key: &KeyEvent) -> Option<Action> {
    let combo = KeyCombo::from_event(key);
    if let Some(c) = combo.plain_char() {
        return Some(Action::Insert(c));
    }
    [Section::Prompt, Section::Edit, Section::Global]
        .into_iter()
        .find_map(|sec| keymap.get(sec, &combo).cloned())
}

/// Paints the lock screen over the whole frame; nothing else is drawn.
pub fn draw(frame: &mut Frame, prompt: &LockPrompt, theme: &Theme) {
    let area = frame.area();
    let cursor = draw_buf(frame.buffer_mut(), area, prompt, theme);
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

fn draw_buf(buf: &mut Buffer, area: Rect, prompt: &LockPrompt, theme: &Theme) -> Option<Position> {
    fill(buf, area, theme.style("ui.text"));
    if area.height == 0 || area.width == 0 {
        return None;
    }
    let top = Rect::new(area.x, area.y, area.width, 1);
    fill(buf, top, theme.style("ui.topbar"));
    put(
        buf,
        area.x,
        area.y,
        area.width,
        &[Seg::new(
            format!(" {} {}", s::APP_TITLE, s::LOCK_TITLE),
            "ui.topbar",
        )],
        theme,
    );
    let lines: Vec<Seg> = vec![
        Seg::new(s::LOCK_HEADING, "ui.heading"),
        Seg::new("", "ui.text"),
        Seg::new(s::LOCK_EXPLAIN, "ui.text"),
        Seg::new(s::LOCK_ASK, "ui.text"),
    ];
    let inner_w = area.width.saturating_sub(4) as usize;
    let block_h = lines.len() as u16 + 4;
    let y0 = area.y + (area.height.saturating_sub(block_h) / 2).max(1);
    let mut y = y0;
    for seg in &lines {
        if y >= area.bottom() {
            return None;
        }
        let w = width(&seg.text).min(inner_w) as u16;
        let x = area.x + (area.width.saturating_sub(w)) / 2;
        put(buf, x, y, w, std::slice::from_ref(seg), theme);
        y += 1;
    }
    y += 1;
    let mut cursor = None;
    if y < area.bottom() {
        let label = s::LOCK_PROMPT;
        let field = 24usize.min(inner_w.saturating_sub(width(label)));
        let total = (width(label) + field) as u16;
        let x = area.x + area.width.saturating_sub(total) / 2;
        let (shown, col) = prompt.input.view(field.saturating_sub(1).max(1));
        let after = put(buf, x, y, total, &[Seg::new(label, "ui.label")], theme);
        let input = Rect::new(after, y, field as u16, 1).intersection(area);
        fill(buf, input, theme.style("ui.statusline"));
        put(
            buf,
            after,
            y,
            field as u16,
            &[Seg::new(shown, "ui.statusline")],
            theme,
        );
        cursor = Some(Position::new(after + col as u16, y));
        y += 2;
    }
    if prompt.wrong && y < area.bottom() {
        let w = width(s::LOCK_WRONG).min(inner_w) as u16;
        let x = area.x + area.width.saturating_sub(w) / 2;
        put(
            buf,
            x,
            y,
            w,
            &[Seg::new(s::LOCK_WRONG, "ui.message.error")],
            theme,
        );
    }
    let status = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    if status.y > y0 {
        fill(buf, status, theme.style("ui.statusline"));
        put(
            buf,
            area.x,
            status.y,
            area.width,
            &[Seg::new(format!(" {}", s::LOCK_STATUS), "ui.statusline")],
            theme,
        );
    }
    cursor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Instant {
        Instant::now()
    }

    #[test]
    fn locks_at_the_limit_not_before() {
        let start = t0();
        let mut l = IdleLock::new(10, "clerk".into());
        assert!(!l.tick(start));
        assert!(!l.tick(start + Duration::from_secs(599)));
        assert!(l.tick(start + Duration::from_secs(600)));
        assert!(l.is_locked());
    }

    #[test]
    fn a_key_restarts_the_idle_time() {
        let start = t0();
        let mut l = IdleLock::new(1, "clerk".into());
        l.tick(start);
        l.tick(start + Duration::from_secs(50));
        l.key_pressed();
        assert!(!l.tick(start + Duration::from_secs(100)));
        assert!(l.tick(start + Duration::from_secs(110)));
    }

    #[test]
    fn zero_never_locks() {
        let start = t0();
        let mut l = IdleLock::new(0, "clerk".into());
        l.tick(start);
        assert!(!l.tick(start + Duration::from_secs(86_400 * 30)));
        assert!(!l.is_locked());
    }

    #[test]
    fn only_the_users_name_unlocks() {
        let start = t0();
        let mut l = IdleLock::new(1, "clerk".into());
        l.tick(start);
        l.tick(start + Duration::from_secs(60));
        for c in "other".chars() {
            l.locked_key(&Action::Insert(c));
        }
        assert!(!l.locked_key(&Action::Confirm));
        assert!(
            l.locked
                .as_ref()
                .is_some_and(|p| p.wrong && p.input.is_empty())
        );
        for c in "clerk".chars() {
            l.locked_key(&Action::Insert(c));
        }
        assert!(l.locked_key(&Action::Confirm));
        assert!(!l.is_locked());
        // Unlocking counts as a key: the next minute starts now.
        assert!(!l.tick(start + Duration::from_secs(100)));
    }
}
