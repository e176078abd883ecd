//! The domain model: dossiers, units, dates and vocabularies. Pure data and pure derivations;
//! nothing here touches storage, files or the terminal.

pub mod date;
pub mod dossier;
pub mod idnum;
pub mod unit;
pub mod validate;
pub mod vocab;

pub use date::{DateError, PartialDate};
pub use dossier::*;
pub use unit::{Unit, UnitDirectory};
pub use vocab::*;
