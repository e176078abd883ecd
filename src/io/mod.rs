//! Files in and out: JSON Lines (full fidelity) and CSV as clerks export it from Excel.
//! Parsing and validation live here; writes go through `store`.

pub mod csv;
pub mod export;
pub mod import;
pub mod jsonl;
pub mod results;
pub mod text;
