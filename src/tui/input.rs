//! A one-line text input (the query box, the command line): the text, a cursor counted in
//! characters, and the editing steps the `edit` keymap section names. Han text is edited by
//! character and measured by display width; the input knows nothing of keys or the screen.

use super::action::Action;
use super::text::{char_width, width};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Cursor position in characters, 0..=char count.
    cursor: usize,
}

impl LineInput {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text, cursor at the end.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.chars().count();
    }

    pub fn clear(&mut self) {
        self.set("");
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts text at the cursor; control characters (line breaks from a paste) become spaces
    /// or are dropped.
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Applies an editing action; returns whether the text changed. Non-editing actions are
    /// ignored.
    pub fn apply(&mut self, action: &Action) -> bool {
        let len = self.text.chars().count();
        let before = self.text.clone();
        match action {
            Action::Insert(c) => self.insert(&c.to_string()),
            Action::Paste(s) => self.insert(s),
            Action::CursorLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CursorRight => self.cursor = (self.cursor + 1).min(len),
            Action::CursorHome => self.cursor = 0,
            Action::CursorEnd => self.cursor = len,
            Action::DeleteBack if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            Action::DeleteForward if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            Action::DeleteWord => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut i = self.cursor;
                while i > 0 && chars[i - 1] == ' ' {
                    i -= 1;
                }
                // A run of ASCII word characters, or a single other character (one Han
                // character is a word for this purpose).
                if i > 0 && chars[i - 1].is_ascii_alphanumeric() {
                    while i > 0 && chars[i - 1].is_ascii_alphanumeric() {
                        i -= 1;
                    }
                } else {
                    i = i.saturating_sub(1);
                }
                let (a, b) = (self.byte_at(i), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = i;
            }
            Action::ClearLine => self.clear(),
            Action::KillToEnd => {
                let at = self.byte_at(self.cursor);
                self.text.truncate(at);
            }
            _ => {}
        }
        self.text != before
    }

    /// The part of the text to show in `cols` columns so the cursor stays visible, and the
    /// cursor's column within it.
    pub fn view(&self, cols: usize) -> (String, usize) {
        let cols = cols.max(2);
        let chars: Vec<char> = self.text.chars().collect();
        let before: usize = chars[..self.cursor].iter().map(|c| char_width(*c)).sum();
        // Scroll so that the cursor (and one cell for it) fits.
        let mut start = 0;
        let mut skipped = 0;
        while before - skipped + 1 > cols && start < self.cursor {
            skipped += char_width(chars[start]);
            start += 1;
        }
        let mut shown = String::new();
        let mut w = 0;
        for c in &chars[start..] {
            let cw = char_width(*c);
            if w + cw > cols {
                break;
            }
            shown.push(*c);
            w += cw;
        }
        debug_assert!(width(&shown) <= cols);
        (shown, before - skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineInput {
        let mut l = LineInput::default();
        for c in s.chars() {
            l.apply(&Action::Insert(c));
        }
        l
    }

    #[test]
    fn han_text_edits_by_character() {
        let mut l = typed("王文胜");
        assert_eq!(l.cursor(), 3);
        l.apply(&Action::CursorLeft);
        l.apply(&Action::DeleteBack);
        assert_eq!(l.text(), "王胜");
        l.apply(&Action::Insert('卫'));
        assert_eq!(l.text(), "王卫胜");
        l.apply(&Action::CursorHome);
        l.apply(&Action::DeleteForward);
        assert_eq!(l.text(), "卫胜");
        l.apply(&Action::KillToEnd);
        assert_eq!(l.text(), "");
    }

    #[test]
    fn delete_word_takes_ascii_runs_or_one_han() {
        let mut l = typed("wang 文胜");
        l.apply(&Action::DeleteWord);
        assert_eq!(l.text(), "wang 文");
        l.apply(&Action::DeleteWord);
        l.apply(&Action::DeleteWord);
        assert_eq!(l.text(), "");
        let mut l = typed("ab cd");
        l.apply(&Action::DeleteWord);
        assert_eq!(l.text(), "ab ");
    }

    #[test]
    fn paste_drops_line_breaks() {
        let mut l = typed("a");
        assert!(l.apply(&Action::Paste("王\r\n文".into())));
        assert_eq!(l.text(), "a王  文");
        assert!(!l.apply(&Action::CursorLeft));
    }

    #[test]
    fn view_keeps_the_cursor_visible_by_display_width() {
        let l = typed("王文胜");
        assert_eq!(l.view(20), ("王文胜".to_string(), 6));
        let (shown, col) = l.view(5);
        assert_eq!((shown.as_str(), col), ("文胜", 4));
        let mut l = typed("王文胜");
        l.apply(&Action::CursorHome);
        assert_eq!(l.view(5), ("王文".to_string(), 0));
    }
}
