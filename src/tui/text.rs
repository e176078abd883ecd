//! Text measured and cut by display width (Han characters take two columns), and styled
//! segments that name a theme key instead of a concrete style, so layout can be computed
//! without a theme. Owns width arithmetic and wrapping; it must never measure with `.len()`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::theme::Theme;

/// Display width of a string in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Display width of one character (control characters count 0).
pub fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The longest prefix of `s` that fits in `max` columns.
pub fn fit(s: &str, max: usize) -> &str {
    let mut w = 0;
    for (i, c) in s.char_indices() {
        let cw = char_width(c);
        if w + cw > max {
            return &s[..i];
        }
        w += cw;
    }
    s
}

/// `s` cut to `max` columns, ending in `..` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max < 3 {
        return fit(s, max).to_string();
    }
    format!("{}..", fit(s, max - 2))
}

/// `s` cut or padded with spaces to exactly `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    let t = truncate(s, w);
    let tw = width(&t);
    format!("{t}{}", " ".repeat(w.saturating_sub(tw)))
}

/// A run of text and the theme key that styles it.
#[derive(Clone, Debug, PartialEq)]
pub struct Seg {
    pub text: String,
    pub style: &'static str,
}

impl Seg {
    pub fn new(text: impl Into<String>, style: &'static str) -> Self {
        Seg {
            text: text.into(),
            style,
        }
    }
}

/// One screen line of segments.
pub type SegLine = Vec<Seg>;

pub fn line_width(line: &[Seg]) -> usize {
    line.iter().map(|s| width(&s.text)).sum()
}

/// Wraps segments into lines of at most `max` columns; continuation lines start with `indent`
/// spaces. Breaks between any two characters (Chinese has no spaces to break at), but keeps
/// an ASCII word whole when it fits on the next line.
pub fn wrap(segs: &[Seg], max: usize, indent: usize) -> Vec<SegLine> {
    let max = max.max(indent + 2);
    let mut lines: Vec<SegLine> = vec![vec![]];
    let mut col = 0usize;
    for seg in segs {
        let mut rest: &str = &seg.text;
        while !rest.is_empty() {
            // The next unit: an ASCII word (with its trailing space) or one character.
            let unit_len = {
                let first = rest.chars().next().unwrap_or(' ');
                if first.is_ascii_alphanumeric() {
                    rest.find(|c: char| !c.is_ascii_alphanumeric())
                        .unwrap_or(rest.len())
                } else {
                    first.len_utf8()
                }
            };
            let unit = &rest[..unit_len];
            let uw = width(unit);
            if col + uw > max && col > indent {
                lines.push(vec![Seg::new(" ".repeat(indent), "")]);
                col = indent;
                if unit == " " {
                    rest = &rest[unit_len..];
                    continue;
                }
            }
            // A unit longer than a whole line is split by characters.
            let (take, tw) = if col + uw > max {
                let t = fit(unit, max - col);
                let t = if t.is_empty() {
                    &unit[..unit.chars().next().map_or(0, char::len_utf8)]
                } else {
                    t
                };
                (t, width(t))
            } else {
                (unit, uw)
            };
            let line = lines.last_mut().expect("at least one line");
            match line.last_mut() {
                Some(last) if last.style == seg.style => last.text.push_str(take),
                _ => line.push(Seg::new(take, seg.style)),
            }
            col += tw;
            rest = &rest[take.len()..];
        }
    }
    lines
}

/// Draws segments at (x, y), clipped to `max` columns; returns the column after the text.
pub fn put(buf: &mut Buffer, x: u16, y: u16, max: u16, segs: &[Seg], theme: &Theme) -> u16 {
    put_with(buf, x, y, max, segs, theme, Style::default())
}

/// Like `put`, with `base` under every segment's style (a selected row's reverse video).
pub fn put_with(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    max: u16,
    segs: &[Seg],
    theme: &Theme,
    base: Style,
) -> u16 {
    let end = x.saturating_add(max).min(buf.area.right());
    let mut cx = x;
    for seg in segs {
        if cx >= end {
            break;
        }
        let style = base.patch(theme.style(seg.style));
        let (nx, _) = buf.set_stringn(cx, y, &seg.text, (end - cx) as usize, style);
        cx = nx;
    }
    cx
}

/// Fills a rectangle with spaces in one style.
pub fn fill(buf: &mut Buffer, area: Rect, style: Style) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            buf[(x, y)].reset();
            buf[(x, y)].set_style(style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[SegLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn han_text_measures_two_columns() {
        assert_eq!(width("王文胜"), 6);
        assert_eq!(width("县长 A"), 6);
        assert_eq!(fit("王文胜", 5), "王文");
        assert_eq!(truncate("临河县人民政府", 9), "临河县..");
        assert_eq!(pad("王", 4), "王  ");
        assert_eq!(width(&pad("临河县人民政府", 7)), 7);
    }

    #[test]
    fn wrap_breaks_han_anywhere_and_indents() {
        let segs = [
            Seg::new("籍贯  ", "l"),
            Seg::new("青州市临河县城关镇东街", "v"),
        ];
        let lines = wrap(&segs, 14, 6);
        assert_eq!(
            texts(&lines),
            ["籍贯  青州市临", "      河县城关", "      镇东街"]
        );
        for l in &lines {
            assert!(line_width(l) <= 14);
        }
    }

    #[test]
    fn wrap_keeps_ascii_words_whole() {
        let segs = [Seg::new("ab cdefgh ij", "v")];
        let lines = wrap(&segs, 8, 0);
        assert_eq!(texts(&lines), ["ab ", "cdefgh ", "ij"]);
    }

    #[test]
    fn wrap_never_overflows_a_narrow_width() {
        let segs = [Seg::new("很长很长的单位名称Abcdefghijklmnop", "v")];
        for w in 3..20 {
            for l in wrap(&segs, w, 2) {
                assert!(line_width(&l) <= w.max(4), "{w}: {l:?}");
            }
        }
    }
}
