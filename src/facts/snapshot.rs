//! The facts snapshot: the compact form of every dossier written to one file beside the
//! database, so that start-up reads one file instead of decoding every dossier. The store
//! records which snapshot describes it (a token) and which dossiers changed since; a bulk
//! write or a unit change drops the token. Loading takes the snapshot when its token is the
//! store's and re-derives only the changed dossiers; otherwise it rebuilds from every dossier
//! and writes a fresh snapshot. The file is a cache: any defect means a rebuild, never wrong
//! answers. It holds names and ID numbers, so it is written like every other file of ours:
//! mode 0600, whole or not at all.

use std::io::{Read, Write};
use std::path::Path;

use crate::io::export::AtomicFile;
use crate::model::{Dossier, UnitDirectory};
use crate::store::{Store, StoreError};

use super::Facts;

const MAGIC: &[u8; 8] = b"CADREFX\x01";
/// Bumped whenever `Facts` changes shape: an older file is then rebuilt.
const FORMAT: u32 = 3;
/// Magic, format, token.
const HEADER: usize = 20;

/// How the facts were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Read from the snapshot, with this many changed dossiers re-derived.
    Snapshot { changed: usize },
    /// Rebuilt from every dossier (no snapshot, or it no longer held).
    Rebuilt,
}

/// Facts of every readable dossier, and how many could not be decoded.
pub struct Loaded {
    pub facts: Facts,
    pub source: Source,
    pub unreadable: usize,
}

/// Loads the facts of the store: from its snapshot when it holds, else by a rebuild (which
/// then writes a snapshot for next time; a failure to write it is logged, not fatal).
pub fn load(store: &Store, units: &UnitDirectory) -> Result<Loaded, StoreError> {
    if let Some(mut facts) = read_valid(store)? {
        let changed = store.facts_changed()?;
        let mut unreadable = 0;
        for id in &changed {
            match store.dossier(*id) {
                Ok(Some(d)) => facts.upsert(&d, units),
                Ok(None) => facts.remove(*id),
                Err(e) => {
                    unreadable += 1;
                    facts.remove(*id);
                    tracing::warn!("skipping an unreadable dossier: {e}");
                }
            }
        }
        return Ok(Loaded {
            facts,
            source: Source::Snapshot {
                changed: changed.len(),
            },
            unreadable,
        });
    }
    let generation = store.generation()?;
    let (facts, unreadable) = rebuild(store.dossiers(), units);
    if let Err(e) = save_at(store, &facts, generation) {
        tracing::warn!("could not write the facts snapshot: {e}");
    }
    Ok(Loaded {
        facts,
        source: Source::Rebuilt,
        unreadable,
    })
}

/// Rebuilds the facts from every dossier and writes them as the snapshot (after a bulk write
/// such as an import, so the next start reads one file).
pub fn refresh(store: &Store) -> Result<Facts, SnapshotError> {
    let units = store.directory()?;
    let generation = store.generation()?;
    let (facts, _) = rebuild(store.dossiers(), &units);
    save_at(store, &facts, generation)?;
    Ok(facts)
}

/// Facts of every dossier the iterator yields; unreadable ones are counted and left out.
pub fn rebuild(
    dossiers: impl Iterator<Item = Result<Dossier, StoreError>>,
    units: &UnitDirectory,
) -> (Facts, usize) {
    let mut facts = Facts::default();
    let mut unreadable = 0;
    for d in dossiers {
        match d {
            Ok(d) => facts.upsert(&d, units),
            Err(e) => {
                unreadable += 1;
                tracing::warn!("skipping an unreadable dossier: {e}");
            }
        }
    }
    (facts, unreadable)
}

/// Writes `facts` (which must describe the store as it is now) as the store's snapshot.
pub fn save(store: &Store, facts: &Facts) -> Result<(), SnapshotError> {
    let generation = store.generation()?;
    save_at(store, facts, generation)
}

/// Writes the snapshot, then tells the store it describes every write up to `generation`.
fn save_at(store: &Store, facts: &Facts, generation: u64) -> Result<(), SnapshotError> {
    let Some(path) = store.facts_file() else {
        return Ok(());
    };
    let token = (generation ^ u64::from(std::process::id()).rotate_left(32)) | 1;
    write_file(&path, token, facts)?;
    store.facts_saved(token, generation)?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] crate::io::export::ExportError),
    #[error("无法编码档案摘要：{0}")]
    Encode(#[from] bincode::error::EncodeError),
}

fn write_file(path: &Path, token: u64, facts: &Facts) -> Result<(), SnapshotError> {
    // A fresh build has no rows left behind by replaced dossiers: written as it is, without
    // a second copy in memory.
    let compact;
    let facts = if facts.has_orphans() {
        compact = facts.compacted();
        &compact
    } else {
        facts
    };
    let mut file = AtomicFile::create(path)?;
    let header = [&MAGIC[..], &FORMAT.to_le_bytes(), &token.to_le_bytes()].concat();
    file.writer()
        .write_all(&header)
        .map_err(|e| file.io_error(e))?;
    // Streamed into the file: no encoded copy of the whole snapshot is held.
    bincode::serde::encode_into_std_write(facts, file.writer(), bincode::config::standard())?;
    file.finish()?;
    Ok(())
}

/// The snapshot, when its file is whole, of this format, and the store's current one.
fn read_valid(store: &Store) -> Result<Option<Facts>, StoreError> {
    let (Some(path), Some(token)) = (store.facts_file(), store.facts_token()?) else {
        return Ok(None);
    };
    match read_file(&path, token) {
        Ok(f) => Ok(Some(f)),
        Err(why) => {
            tracing::info!("facts snapshot not used ({why}): rebuilding");
            Ok(None)
        }
    }
}

fn read_file(path: &Path, token: u64) -> Result<Facts, String> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err("not a facts snapshot".into());
    }
    let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(format!("format {format}, expected {FORMAT}"));
    }
    if u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes")) != token {
        return Err("an older snapshot".into());
    }
    // The body must decode to exactly the end of the file: a cut file fails here.
    let (mut facts, used): (Facts, usize) =
        bincode::serde::decode_from_slice(&bytes[HEADER..], bincode::config::standard())
            .map_err(|e| e.to_string())?;
    if HEADER + used != bytes.len() {
        return Err("trailing bytes".into());
    }
    facts.reindex();
    Ok(facts)
}
