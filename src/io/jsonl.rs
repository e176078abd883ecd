//! JSON Lines, cadre's full-fidelity exchange format (docs/schema.md): one object per line,
//! tagged by `"type": "unit"` or `"type": "dossier"`. Owns the line type and its reading
//! and writing; validation and storage belong to `io::import`.
//!
//! Reading takes a fast path for the lines cadre writes (the tag first): the record is
//! deserialized directly, where serde's internally tagged enum would first copy the whole line
//! into a tree of values. Any other line, and any line the fast path refuses, is read the
//! tagged way, so what is accepted and every error (message, column) stay as the tag defines.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::model::{Dossier, Unit};

/// One line of a cadre JSON Lines file. Held one at a time while reading, so the size
/// difference between a unit and a dossier costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum JsonLine {
    #[serde(rename = "unit")]
    Unit(Unit),
    #[serde(rename = "dossier")]
    Dossier(Dossier),
}

/// The same line borrowed, for writing without copying the record.
#[derive(Serialize)]
#[serde(tag = "type")]
enum JsonLineRef<'a> {
    #[serde(rename = "unit")]
    Unit(&'a Unit),
    #[serde(rename = "dossier")]
    Dossier(&'a Dossier),
}

/// Writes one dossier as a line.
pub fn write_dossier<W: Write>(out: &mut W, d: &Dossier) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonLineRef::Dossier(d))?;
    out.write_all(b"\n")
}

/// Writes one unit as a line.
pub fn write_unit<W: Write>(out: &mut W, u: &Unit) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonLineRef::Unit(u))?;
    out.write_all(b"\n")
}

/// Writes one record as a line.
pub fn write_line<W: Write>(out: &mut W, line: &JsonLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")
}

/// Parses one line; the error says what is wrong and at which column.
pub fn parse_line(text: &str) -> Result<JsonLine, serde_json::Error> {
    match parse_direct(text) {
        Some(line) => Ok(line),
        None => parse_tagged(text),
    }
}

/// The reference reading: serde's internally tagged enum.
pub fn parse_tagged(text: &str) -> Result<JsonLine, serde_json::Error> {
    serde_json::from_str(text)
}

/// The fast path: a line that opens with its tag (`{"type":"dossier",` with any JSON
/// whitespace) and holds no other key that could read as `type` is deserialized straight into
/// the record (which ignores the tag as an unknown field). None when it does not apply or
/// fails: the tagged reading then decides. A second `type` key is an error for the tagged
/// reading; it is written `"type"` or with a `\u` escape, so a line holding either text
/// past the tag is left to it.
fn parse_direct(text: &str) -> Option<JsonLine> {
    let (kind, rest) = leading_tag(text)?;
    if rest.contains("\"type\"") || rest.contains("\\u") {
        return None;
    }
    match kind {
        Tag::Dossier => serde_json::from_str(text).ok().map(JsonLine::Dossier),
        Tag::Unit => serde_json::from_str(text).ok().map(JsonLine::Unit),
    }
}

/// Reads again a line `parse_line` has read: the record deserialized from the bytes, the tag
/// read off the front, none of the checks that only serve to report what the tagged reading
/// would. The record is the one `parse_line` gave, when the line is the one it read. None
/// when that fails: `parse_line` then tells why.
pub fn reparse(bytes: &[u8]) -> Option<JsonLine> {
    // The tag is in the first few bytes: read them as text, up to a character cut off.
    let head = &bytes[..bytes.len().min(64)];
    let head = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    match leading_tag(head)?.0 {
        Tag::Dossier => serde_json::from_slice(bytes).ok().map(JsonLine::Dossier),
        Tag::Unit => serde_json::from_slice(bytes).ok().map(JsonLine::Unit),
    }
}

enum Tag {
    Unit,
    Dossier,
}

/// The tag of a line that opens with it, and the text after the comma that follows it.
fn leading_tag(text: &str) -> Option<(Tag, &str)> {
    fn token<'a>(s: &'a str, t: &str) -> Option<&'a str> {
        s.trim_start_matches([' ', '\t', '\n', '\r'])
            .strip_prefix(t)
    }
    let rest = token(text, "{")?;
    let rest = token(rest, "\"type\"")?;
    let rest = token(rest, ":")?;
    let (kind, rest) = if let Some(r) = token(rest, "\"dossier\"") {
        (Tag::Dossier, r)
    } else {
        (Tag::Unit, token(rest, "\"unit\"")?)
    };
    Some((kind, token(rest, ",")?))
}
