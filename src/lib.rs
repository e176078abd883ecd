//! cadre: a keyboard-driven terminal application for a region's leading-cadre database.
//! The library holds the model, the store and the file formats; `main.rs` only dispatches.

pub mod io;
pub mod model;
pub mod store;
