//! Tokens of the filter language. Accepts full-width punctuation (（）＝＜＞，) and Han words
//! written without spaces around the connectives 且/或. Positions are char offsets into the
//! query, for errors that point at the place.

use crate::model::date::normalize_width;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A word: ASCII identifier, Han run, date (2026-06) or bare value.
    Word(String),
    Number(f64),
    Str(String),
    LParen,
    RParen,
    Comma,
    Op(CmpOp),
    Contains,
    /// `&&`
    AndSym,
    /// `||`
    OrSym,
    /// `!`
    NotSym,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Char offset of the token's first character.
    pub pos: usize,
    /// Length in chars.
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {} 个字符处：{message}", .pos + 1)]
pub struct LexError {
    pub pos: usize,
    pub message: String,
}

/// Connectives and operators split out of Han runs (年龄<45且曾任(…) needs no spaces).
const HAN_CONNECTIVES: &[&str] = &["并且", "或者", "属于", "且", "或"];

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '@' || c == '/'
}

pub fn lex(input: &str) -> Result<Vec<Token>, LexError> {
    let text: Vec<char> = normalize_punct(input).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let start = i;
        let push = |out: &mut Vec<Token>, tok, len| {
            out.push(Token {
                tok,
                pos: start,
                len,
            })
        };
        match c {
            c if c.is_whitespace() => {
                i += 1;
            }
            '(' => {
                push(&mut out, Tok::LParen, 1);
                i += 1;
            }
            ')' => {
                push(&mut out, Tok::RParen, 1);
                i += 1;
            }
            ',' | '、' => {
                push(&mut out, Tok::Comma, 1);
                i += 1;
            }
            '~' => {
                push(&mut out, Tok::Contains, 1);
                i += 1;
            }
            '=' => {
                let len = if text.get(i + 1) == Some(&'=') { 2 } else { 1 };
                push(&mut out, Tok::Op(CmpOp::Eq), len);
                i += len;
            }
            '!' => {
                if text.get(i + 1) == Some(&'=') {
                    push(&mut out, Tok::Op(CmpOp::Ne), 2);
                    i += 2;
                } else {
                    push(&mut out, Tok::NotSym, 1);
                    i += 1;
                }
            }
            '<' | '>' => {
                let eq = text.get(i + 1) == Some(&'=');
                let ne = c == '<' && text.get(i + 1) == Some(&'>');
                let op = match (c, eq, ne) {
                    (_, _, true) => CmpOp::Ne,
                    ('<', true, _) => CmpOp::Le,
                    ('<', false, _) => CmpOp::Lt,
                    (_, true, _) => CmpOp::Ge,
                    _ => CmpOp::Gt,
                };
                let len = if eq || ne { 2 } else { 1 };
                push(&mut out, Tok::Op(op), len);
                i += len;
            }
            '≤' | '≥' | '≠' => {
                let op = match c {
                    '≤' => CmpOp::Le,
                    '≥' => CmpOp::Ge,
                    _ => CmpOp::Ne,
                };
                push(&mut out, Tok::Op(op), 1);
                i += 1;
            }
            '&' | '|' => {
                if text.get(i + 1) != Some(&c) {
                    return Err(LexError {
                        pos: i,
                        message: format!("应为“{c}{c}”"),
                    });
                }
                push(&mut out, if c == '&' { Tok::AndSym } else { Tok::OrSym }, 2);
                i += 2;
            }
            '"' | '“' | '”' | '\'' => {
                let close: &[char] = if c == '“' || c == '”' {
                    &['”', '“']
                } else {
                    &[c]
                };
                let mut j = i + 1;
                while j < text.len() && !close.contains(&text[j]) {
                    j += 1;
                }
                if j >= text.len() {
                    return Err(LexError {
                        pos: i,
                        message: "引号没有配对".into(),
                    });
                }
                let s: String = text[i + 1..j].iter().collect();
                push(&mut out, Tok::Str(s), j + 1 - i);
                i = j + 1;
            }
            c if is_han(c) => {
                if let Some(k) = HAN_CONNECTIVES.iter().find(|k| starts_with(&text[i..], k)) {
                    let n = k.chars().count();
                    push(&mut out, Tok::Word((*k).to_string()), n);
                    i += n;
                    continue;
                }
                // A Han run (digits allowed inside: 近3年), ending before a connective.
                let mut j = i;
                while j < text.len() && (is_han(text[j]) || text[j].is_ascii_alphanumeric()) {
                    if j > i && HAN_CONNECTIVES.iter().any(|k| starts_with(&text[j..], k)) {
                        break;
                    }
                    j += 1;
                }
                let w: String = text[i..j].iter().collect();
                push(&mut out, Tok::Word(w), j - i);
                i = j;
            }
            c if c.is_ascii_digit() => {
                let mut j = i;
                while j < text.len() && is_word_char(text[j]) && !is_han(text[j]) {
                    j += 1;
                }
                let w: String = text[i..j].iter().collect();
                let tok = match w.parse::<f64>() {
                    Ok(n) if !w.contains('-') => Tok::Number(n),
                    _ => Tok::Word(w),
                };
                push(&mut out, tok, j - i);
                i = j;
            }
            c if is_word_char(c) => {
                let mut j = i;
                while j < text.len() && is_word_char(text[j]) && !is_han(text[j]) {
                    j += 1;
                }
                let w: String = text[i..j].iter().collect();
                push(&mut out, Tok::Word(w), j - i);
                i = j;
            }
            other => {
                return Err(LexError {
                    pos: i,
                    message: format!("无法识别的字符“{other}”"),
                });
            }
        }
    }
    Ok(out)
}

fn starts_with(text: &[char], word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    text.len() >= w.len() && text[..w.len()] == w[..]
}

/// Full-width punctuation to ASCII, char for char (positions are kept).
fn normalize_punct(s: &str) -> String {
    normalize_width(s)
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            '＝' => '=',
            '＜' => '<',
            '＞' => '>',
            '！' => '!',
            '～' => '~',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<Tok> {
        lex(q).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn han_connectives_split_without_spaces() {
        assert_eq!(
            words("年龄<45且性别=女"),
            vec![
                Tok::Word("年龄".into()),
                Tok::Op(CmpOp::Lt),
                Tok::Number(45.0),
                Tok::Word("且".into()),
                Tok::Word("性别".into()),
                Tok::Op(CmpOp::Eq),
                Tok::Word("女".into()),
            ]
        );
    }

    #[test]
    fn full_width_punctuation_and_positions() {
        let t = lex("曾任（基层，正职）").unwrap();
        assert_eq!(t[1].tok, Tok::LParen);
        assert_eq!(t[3].tok, Tok::Comma);
        assert_eq!(t[4].pos, 6);
        let e = lex("age < 45 # x").unwrap_err();
        assert_eq!(e.pos, 9);
    }

    #[test]
    fn dates_stay_words() {
        assert_eq!(words("2026-06")[0], Tok::Word("2026-06".into()));
        assert_eq!(words("3.5")[0], Tok::Number(3.5));
    }
}
