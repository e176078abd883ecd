//! JSON Lines, cadre's full-fidelity exchange format (docs/schema.md): one object per line,
//! tagged by `"type": "unit"` or `"type": "dossier"`. Owns the line type and its reading
//! and writing; validation and storage belong to `io::import`.

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
    serde_json::from_str(text)
}
