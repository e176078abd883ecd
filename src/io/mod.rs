//! Files in and out: JSON Lines (full fidelity), CSV and XLSX as clerks use them in Excel, and
//! the `.lrmx` appointment form.
//! Parsing and validation live here; writes go through `store`.

pub mod csv;
pub mod export;
pub mod import;
pub mod jianli;
pub mod jsonl;
pub mod lrmx;
pub mod results;
pub mod text;
pub mod xlsx;
