//! cadre: a keyboard-driven terminal application for a region's leading-cadre database.
//! The library holds the model, the store, lookup, the file formats and the interface;
//! `main.rs` only parses the command line and dispatches.

pub mod alerts;
pub mod audit;
pub mod cli;
pub mod demo;
pub mod facts;
pub mod filter;
pub mod history;
pub mod io;
pub mod logging;
pub mod lookup;
pub mod memory;
pub mod model;
pub mod promotion;
pub mod render;
pub mod report;
pub mod reserve;
pub mod roles;
pub mod rules;
pub mod seed;
pub mod service;
pub mod show;
pub mod store;
pub mod team;
pub mod tui;
pub mod user;
