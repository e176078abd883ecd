//! The filter expression's editor: a `tui_textarea::TextArea` holds the text (one or more
//! lines), the cursor and the undo history, and does the editing the `edit` keymap section
//! names. It is drawn by the filter pane, wrapped by display width (tui-textarea scrolls by
//! characters, which misplaces the cursor on Han text), so this type also says where each
//! character lands. Knows nothing of keys or the screen.

use tui_textarea::{CursorMove, TextArea};

use super::action::Action;
use super::text::char_width;

/// The expression being edited.
#[derive(Clone, Debug, Default)]
pub struct ExprEditor {
    area: TextArea<'static>,
}

impl PartialEq for ExprEditor {
    fn eq(&self, other: &Self) -> bool {
        self.area.lines() == other.area.lines() && self.area.cursor() == other.area.cursor()
    }
}

/// Where one character (or the end of a line) is drawn: the row of the wrapped text and the
/// column within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub width: usize,
}

impl ExprEditor {
    /// The whole expression, lines joined by line breaks (whitespace to the parser).
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn lines(&self) -> &[String] {
        self.area.lines()
    }

    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// (line, char within the line).
    pub fn cursor(&self) -> (usize, usize) {
        self.area.cursor()
    }

    /// Replaces the text, cursor at the end (a loaded filter).
    pub fn set(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        self.area = TextArea::new(lines);
        self.area.move_cursor(CursorMove::Bottom);
        self.area.move_cursor(CursorMove::End);
    }

    /// Appends text at the very end (a condition from the builder), cursor after it.
    pub fn append(&mut self, text: &str) {
        self.area.move_cursor(CursorMove::Bottom);
        self.area.move_cursor(CursorMove::End);
        self.area.insert_str(text);
    }

    /// Applies an editing action; returns whether the text changed.
    pub fn apply(&mut self, action: &Action) -> bool {
        let before = self.area.lines().to_vec();
        let a = &mut self.area;
        match action {
            Action::Insert(c) if !c.is_control() => a.insert_char(*c),
            Action::Paste(s) => {
                let clean: String = s
                    .replace("\r\n", "\n")
                    .chars()
                    .filter_map(|c| match c {
                        '\r' | '\t' => Some(' '),
                        '\n' => Some('\n'),
                        c if c.is_control() => None,
                        c => Some(c),
                    })
                    .collect();
                a.insert_str(clean);
            }
            Action::NewLine => a.insert_newline(),
            Action::CursorLeft => a.move_cursor(CursorMove::Back),
            Action::CursorRight => a.move_cursor(CursorMove::Forward),
            Action::CursorHome => a.move_cursor(CursorMove::Head),
            Action::CursorEnd => a.move_cursor(CursorMove::End),
            Action::DeleteBack => {
                a.delete_char();
            }
            Action::DeleteForward => {
                a.delete_next_char();
            }
            Action::DeleteWord => {
                a.delete_word();
            }
            Action::ClearLine => {
                a.select_all();
                a.cut();
            }
            Action::KillToEnd => {
                a.delete_line_by_end();
            }
            _ => {}
        }
        a.lines() != before.as_slice()
    }

    /// The char offset into `text()` of a (line, char) position.
    pub fn offset_of(&self, (line, col): (usize, usize)) -> usize {
        self.area
            .lines()
            .iter()
            .take(line)
            .map(|l| l.chars().count() + 1)
            .sum::<usize>()
            + col
    }

    /// Where every character of `text()` lands when wrapped at `width` columns, in order
    /// (a line break takes a cell at the end of its line), plus where the end of the text is.
    pub fn layout(&self, width: usize) -> (Vec<Cell>, Cell) {
        let width = width.max(2);
        let mut cells = Vec::new();
        let (mut row, mut col) = (0, 0);
        let lines = self.area.lines();
        for (i, line) in lines.iter().enumerate() {
            for c in line.chars() {
                let w = char_width(c);
                if col + w > width {
                    row += 1;
                    col = 0;
                }
                cells.push(Cell { row, col, width: w });
                col += w;
            }
            if i + 1 < lines.len() {
                cells.push(Cell { row, col, width: 1 });
                row += 1;
                col = 0;
            }
        }
        if col >= width {
            row += 1;
            col = 0;
        }
        (cells, Cell { row, col, width: 1 })
    }

    /// Where the cursor is drawn in the wrapped layout.
    pub fn cursor_cell(&self, width: usize) -> Cell {
        let (cells, end) = self.layout(width);
        let at = self.offset_of(self.cursor());
        cells.get(at).copied().unwrap_or(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_and_wraps_han_text_by_display_width() {
        let mut e = ExprEditor::default();
        for c in "年龄 < 45".chars() {
            e.apply(&Action::Insert(c));
        }
        assert_eq!(e.text(), "年龄 < 45");
        assert!(e.apply(&Action::DeleteBack));
        assert!(!e.apply(&Action::CursorLeft));
        assert_eq!(e.cursor(), (0, 5));
        // Wrapped at 6 columns: 年龄 is 4 wide, so " <" ends the first row and " 4" is the second.
        let (cells, end) = e.layout(6);
        assert_eq!(
            cells[1],
            Cell {
                row: 0,
                col: 2,
                width: 2
            }
        );
        assert_eq!(
            cells[4],
            Cell {
                row: 1,
                col: 0,
                width: 1
            }
        );
        assert_eq!(
            end,
            Cell {
                row: 1,
                col: 2,
                width: 1
            }
        );
        assert_eq!(
            e.cursor_cell(6),
            Cell {
                row: 1,
                col: 1,
                width: 1
            }
        );
        // A line break is whitespace to the parser and a new row on screen.
        e.apply(&Action::CursorEnd);
        e.apply(&Action::NewLine);
        e.apply(&Action::Paste("且 性别 = 女".into()));
        assert_eq!(e.text(), "年龄 < 4\n且 性别 = 女");
        assert_eq!(e.offset_of((1, 0)), 7);
        assert_eq!(e.cursor_cell(40).row, 1);
        e.append(" 或 后备");
        assert!(e.text().ends_with("女 或 后备"));
        assert!(e.apply(&Action::ClearLine));
        assert!(e.is_empty());
        e.set("a\nb");
        assert_eq!(e.cursor(), (1, 1));
    }
}
