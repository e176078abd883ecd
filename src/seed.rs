//! First-run seeding of the default database from the demo province embedded in the binary
//! (demo-data/), so a new user sees a working program at once. Only the default database is
//! seeded; a database named with --db is never filled with fictional people.

use crate::io::jsonl::{JsonLine, parse_line};
use crate::store::{Store, StoreError};

const UNITS: &str = include_str!("../demo-data/units.jsonl");
const DOSSIERS: &str = include_str!("../demo-data/dossiers.jsonl");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("内置演示数据第 {line} 行无法解析：{source}")]
    Parse {
        line: usize,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes the embedded demo province into `store` in one journaled bulk write.
pub fn seed_demo(store: &Store) -> Result<usize, SeedError> {
    let mut writer = store.bulk()?;
    let mut count = 0;
    for (i, line) in UNITS.lines().chain(DOSSIERS.lines()).enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line).map_err(|source| SeedError::Parse {
            line: i + 1,
            source,
        })? {
            JsonLine::Unit(u) => writer.put_unit(&u)?,
            JsonLine::Dossier(d) => {
                writer.add_dossier(d)?;
                count += 1;
            }
        }
    }
    writer.commit()?;
    Ok(count)
}
