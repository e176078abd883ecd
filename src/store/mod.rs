//! The one store: a sled database with named trees. Every read and write of cadre's data goes
//! through this API (no sled call elsewhere), so the same API can later be served to several
//! clients. A dossier and its index entries change together in one transaction; bulk writes are
//! journaled so an interrupted import rolls back completely. Edits are flushed before they
//! return. This module must not log record contents.

pub mod backup;
pub mod envelope;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::{Batch, Tree};

use crate::history::{ChangeKind, ChangeMeta, HistoryEntry};
use crate::model::{Dossier, DossierId, PartialDate, Unit, UnitDirectory, UnitId};
use envelope::{EnvelopeError, Versioned, decode, encode};

impl Versioned for Dossier {
    const KIND: u8 = 1;
    const VERSION: u16 = 1;
}
impl Versioned for Unit {
    const KIND: u8 = 2;
    const VERSION: u16 = 1;
}

/// A named filter kept in the database (the filter pane's save/load, `cadre query --saved`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SavedFilter {
    pub name: String,
    /// The filter's text, as typed or as the builder wrote it.
    pub text: String,
}
impl Versioned for SavedFilter {
    const KIND: u8 = 4;
    const VERSION: u16 = 1;
}

/// An alert marked reviewed by a supervisor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Review {
    /// The alert's key (`Alert::key`).
    pub key: String,
    pub note: String,
    /// The operating-system user who marked it.
    pub by: String,
    /// When, as local date and time.
    pub at: String,
}
impl Versioned for Review {
    const KIND: u8 = 5;
    const VERSION: u16 = 1;
}

/// A named what-if plan for a team: members taken out and candidates put in.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct TeamPlan {
    pub name: String,
    pub unit: UnitId,
    pub remove: Vec<DossierId>,
    pub add: Vec<DossierId>,
    pub note: String,
}
impl Versioned for TeamPlan {
    const KIND: u8 = 6;
    const VERSION: u16 = 1;
}

impl Versioned for HistoryEntry {
    const KIND: u8 = 7;
    const VERSION: u16 = 1;
}

/// How a bulk write is tracked until it commits.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Journal {
    /// Dossier ids above this were written by the bulk write and go on rollback.
    floor: DossierId,
}
impl Versioned for Journal {
    const KIND: u8 = 3;
    const VERSION: u16 = 1;
}

const TREE_DOSSIERS: &str = "dossiers";
const TREE_UNITS: &str = "units";
const TREE_BY_ID_NUMBER: &str = "idx_id_number";
const TREE_BY_NAME: &str = "idx_name_birth";
const TREE_META: &str = "meta";
const TREE_FILTERS: &str = "saved_filters";
const TREE_REVIEWS: &str = "alert_reviews";
const TREE_PLANS: &str = "team_plans";
const TREE_JOURNAL: &str = "journal";
/// Dossier id → its revision (u64 BE), bumped by every write; absent = 0.
const TREE_REVISIONS: &str = "revisions";
/// Dossier id (u64 BE) + revision (u64 BE) → the history entry of that change.
const TREE_HISTORY: &str = "history";
const META_JOURNAL: &[u8] = b"journal";
const TREE_FACTS_CHANGED: &str = "facts_changed";
/// The token of the facts snapshot that, with `facts_changed`, describes the database.
const META_FACTS: &[u8] = b"facts_snapshot";
/// The facts snapshot's file name in the database directory.
const FACTS_FILE: &str = "facts.bin";

/// Default page cache: enough for lookups and imports, far from sled's 1 GB default.
pub const DEFAULT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// How long opening waits for a database lock to be released before reporting it in use.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库 {0} 正被另一个 cadre 进程使用（sled 只允许一个进程打开同一数据库）")]
    Locked(PathBuf),
    #[error("数据库错误：{0}")]
    Sled(#[from] sled::Error),
    #[error("记录损坏（{tree} 键 {key}）：{source}")]
    Corrupt {
        tree: &'static str,
        key: String,
        source: EnvelopeError,
    },
    #[error("无法编码记录：{0}")]
    Encode(EnvelopeError),
    #[error("重复的干部档案：{reason}与已有档案 #{existing} 相同")]
    Duplicate {
        existing: DossierId,
        reason: DuplicateReason,
    },
    #[error("档案 #{0} 不存在")]
    NotFound(DossierId),
    #[error("单位 #{0} 已存在且内容不同")]
    UnitConflict(UnitId),
    #[error("没有名为“{0}”的筛选条件")]
    NoSuchFilter(String),
    #[error("已有名为“{0}”的筛选条件")]
    FilterExists(String),
    #[error("筛选条件的名称不能为空")]
    EmptyFilterName,
    #[error("方案的名称不能为空")]
    EmptyPlanName,
    #[error("没有名为“{0}”的方案")]
    NoSuchPlan(String),
    #[error("档案 #{id} 在打开后已被他人修改（打开时第 {expected} 版，现为第 {found} 版）")]
    Conflict {
        id: DossierId,
        expected: u64,
        found: u64,
    },
    #[error("只能撤销档案 #{id} 最近的一次修改（第 {latest} 次）")]
    NotLatest { id: DossierId, latest: u64 },
    #[error("档案 #{id} 没有第 {seq} 次修改")]
    NoSuchChange { id: DossierId, seq: u64 },
    #[error("新建档案这一次不能撤销")]
    CannotUndoCreation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReason {
    IdNumber,
    NameAndBirth,
}

impl std::fmt::Display for DuplicateReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DuplicateReason::IdNumber => "身份证号",
            DuplicateReason::NameAndBirth => "姓名和出生年月",
        })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opening options.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub cache_bytes: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}

/// The handle to one open database. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    dossiers: Tree,
    units: Tree,
    by_id_number: Tree,
    by_name: Tree,
    meta: Tree,
    journal: Tree,
    filters: Tree,
    reviews: Tree,
    plans: Tree,
    /// Dossiers written since the facts snapshot was saved (id → generation of the write).
    facts_changed: Tree,
    /// The directory of an on-disk database (None for a temporary one).
    dir: Option<std::sync::Arc<PathBuf>>,
    revisions: Tree,
    history: Tree,
    /// Every write takes this shared and a backup takes it exclusive, so a backup sees each
    /// write (a transaction, a batch) whole or not at all. Readers never take it.
    gate: std::sync::Arc<std::sync::RwLock<()>>,
}

/// One problem found by `Store::check`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIssue {
    pub tree: &'static str,
    pub key: String,
    pub problem: String,
}

#[derive(Debug, Default)]
pub struct CheckReport {
    pub dossiers: usize,
    pub units: usize,
    pub index_entries: usize,
    pub issues: Vec<CheckIssue>,
}

fn id_key(id: DossierId) -> [u8; 8] {
    id.to_be_bytes()
}

fn unit_key(id: UnitId) -> [u8; 4] {
    id.to_be_bytes()
}

/// `name 0x00 birth(u32 BE) id(u64 BE)`: prefix-scannable by name, then by name and birth.
fn name_key(name: &str, birth: &PartialDate, id: DossierId) -> Vec<u8> {
    let mut k = name_prefix(name);
    k.extend_from_slice(&birth.packed().to_be_bytes());
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn name_prefix(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 13);
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    k
}

fn history_key(id: DossierId, seq: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&id.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn read_u64(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

fn key_id(bytes: &[u8]) -> Option<DossierId> {
    Some(DossierId::from_be_bytes(bytes.try_into().ok()?))
}

/// The index entries a dossier owns.
fn index_entries(d: &Dossier) -> (Option<Vec<u8>>, Vec<u8>) {
    let idn = (!d.identity.id_number.is_empty())
        .then(|| d.identity.id_number.to_ascii_uppercase().into_bytes());
    (idn, name_key(&d.identity.name, &d.identity.birth, d.id))
}

fn corrupt(tree: &'static str, key: &[u8], source: EnvelopeError) -> StoreError {
    StoreError::Corrupt {
        tree,
        key: hex(key),
        source,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Opens (or creates) the database at `path` with the default cache, rolling back any bulk
    /// write a crash interrupted.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &StoreOptions::default())
    }

    pub fn open_with(path: &Path, opts: &StoreOptions) -> Result<Self> {
        // No periodic flusher: every write here is flushed explicitly before it is reported,
        // and without that thread holding the database, dropping the last handle releases the
        // directory lock at once (so the next process, or the next clerk, can open it).
        let open = || {
            sled::Config::new()
                .path(path)
                .cache_capacity(opts.cache_bytes)
                .flush_every_ms(None)
                .open()
                .map_err(|e| match e {
                    sled::Error::Io(ref io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                        StoreError::Locked(path.to_path_buf())
                    }
                    sled::Error::Io(ref io)
                        if io.to_string().contains("could not acquire lock") =>
                    {
                        StoreError::Locked(path.to_path_buf())
                    }
                    e => StoreError::Sled(e),
                })
        };
        // sled's I/O threads can hold a just-closed database's lock a moment longer (seen on
        // a loaded machine): a lock still held after LOCK_WAIT is another process's.
        let started = std::time::Instant::now();
        let db = loop {
            match open() {
                Err(StoreError::Locked(_)) if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                other => break other?,
            }
        };
        let mut store = Self::from_db(db)?;
        store.dir = Some(std::sync::Arc::new(path.to_path_buf()));
        Ok(store)
    }

    /// A throwaway in-memory database (tests, benchmarks).
    pub fn temporary() -> Result<Self> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(DEFAULT_CACHE_BYTES)
            .open()?;
        Self::from_db(db)
    }

    fn from_db(db: sled::Db) -> Result<Self> {
        let store = Store {
            dossiers: db.open_tree(TREE_DOSSIERS)?,
            units: db.open_tree(TREE_UNITS)?,
            by_id_number: db.open_tree(TREE_BY_ID_NUMBER)?,
            by_name: db.open_tree(TREE_BY_NAME)?,
            meta: db.open_tree(TREE_META)?,
            journal: db.open_tree(TREE_JOURNAL)?,
            filters: db.open_tree(TREE_FILTERS)?,
            reviews: db.open_tree(TREE_REVIEWS)?,
            plans: db.open_tree(TREE_PLANS)?,
            facts_changed: db.open_tree(TREE_FACTS_CHANGED)?,
            dir: None,
            revisions: db.open_tree(TREE_REVISIONS)?,
            history: db.open_tree(TREE_HISTORY)?,
            gate: Default::default(),
            db,
        };
        store.recover()?;
        Ok(store)
    }

    /// Held (shared) while a write lands; a backup waits for it. Taken once per write and
    /// never while already held (std's lock is not reentrant for a waiting backup).
    fn write_gate(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Flushes everything to disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Bytes sled reports on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }

    // ---- dossiers ---------------------------------------------------------------------

    pub fn dossier(&self, id: DossierId) -> Result<Option<Dossier>> {
        self.dossiers
            .get(id_key(id))?
            .map(|v| decode(&v).map_err(|e| corrupt(TREE_DOSSIERS, &id_key(id), e)))
            .transpose()
    }

    /// All dossiers in id order, decoded one at a time.
    pub fn dossiers(&self) -> impl Iterator<Item = Result<Dossier>> + '_ {
        self.dossiers.iter().map(|kv| {
            let (k, v) = kv?;
            decode(&v).map_err(|e| corrupt(TREE_DOSSIERS, &k, e))
        })
    }

    /// Number of dossiers (walks the tree's keys).
    pub fn dossier_count(&self) -> usize {
        self.dossiers.len()
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.dossiers.is_empty() && self.units.is_empty())
    }

    fn last_dossier_id(&self) -> Result<DossierId> {
        Ok(self
            .dossiers
            .last()?
            .and_then(|(k, _)| key_id(&k))
            .unwrap_or(0))
    }

    /// The dossier already holding this ID number or this name and birth, other than `id`.
    pub fn find_duplicate(&self, d: &Dossier) -> Result<Option<(DossierId, DuplicateReason)>> {
        if !d.identity.id_number.is_empty()
            && let Some(existing) = self.find_by_id_number(&d.identity.id_number)?
            && existing != d.id
        {
            return Ok(Some((existing, DuplicateReason::IdNumber)));
        }
        for existing in self.find_by_name_birth(&d.identity.name, &d.identity.birth)? {
            if existing != d.id {
                return Ok(Some((existing, DuplicateReason::NameAndBirth)));
            }
        }
        Ok(None)
    }

    pub fn find_by_id_number(&self, id_number: &str) -> Result<Option<DossierId>> {
        Ok(self
            .by_id_number
            .get(id_number.trim().to_ascii_uppercase().as_bytes())?
            .and_then(|v| key_id(&v)))
    }

    pub fn find_by_name(&self, name: &str) -> Result<Vec<DossierId>> {
        self.scan_name(name_prefix(name))
    }

    pub fn find_by_name_birth(&self, name: &str, birth: &PartialDate) -> Result<Vec<DossierId>> {
        let mut prefix = name_prefix(name);
        prefix.extend_from_slice(&birth.packed().to_be_bytes());
        self.scan_name(prefix)
    }

    fn scan_name(&self, prefix: Vec<u8>) -> Result<Vec<DossierId>> {
        self.by_name
            .scan_prefix(&prefix)
            .keys()
            .map(|k| {
                let k = k?;
                Ok(key_id(&k[k.len() - 8..]).unwrap_or(0))
            })
            .collect()
    }

    /// Adds a new dossier, assigning its id; refuses duplicates. Recorded in the history as
    /// created by the user at the keyboard. Flushed before it returns.
    pub fn insert_dossier(&self, d: Dossier) -> Result<DossierId> {
        self.create_dossier(d, &ChangeMeta::now(ChangeKind::Created))
    }

    /// Adds a new dossier with the change's author (recorded as a creation whatever `meta`'s
    /// kind); see `insert_dossier`.
    pub fn create_dossier(&self, mut d: Dossier, meta: &ChangeMeta) -> Result<DossierId> {
        let meta = &ChangeMeta {
            kind: ChangeKind::Created,
            ..meta.clone()
        };
        d.id = 0;
        if let Some((existing, reason)) = self.find_duplicate(&d)? {
            return Err(StoreError::Duplicate { existing, reason });
        }
        d.id = self.last_dossier_id()? + 1;
        self.write_dossier(&d, true, None, Some(meta))?;
        self.flush()?;
        Ok(d.id)
    }

    /// Replaces a dossier and its index entries in one transaction, whatever its revision,
    /// with a history entry by the user at the keyboard. Flushed before it returns.
    pub fn update_dossier(&self, d: &Dossier) -> Result<()> {
        self.save_dossier(d, None, &ChangeMeta::now(ChangeKind::Edited))
            .map(|_| ())
    }

    /// Replaces a dossier if it is still at revision `expected` (the revision it had when the
    /// clerk opened it; None skips the check), with a history entry of every changed field.
    /// A dossier changed in between is refused with `StoreError::Conflict` and left as it is.
    /// Returns the new revision. Flushed before it returns.
    pub fn save_dossier(
        &self,
        d: &Dossier,
        expected: Option<u64>,
        meta: &ChangeMeta,
    ) -> Result<u64> {
        if self.dossiers.get(id_key(d.id))?.is_none() {
            return Err(StoreError::NotFound(d.id));
        }
        if let Some((existing, reason)) = self.find_duplicate(d)? {
            return Err(StoreError::Duplicate { existing, reason });
        }
        let rev = self.write_dossier(d, false, expected, Some(meta))?;
        self.flush()?;
        Ok(rev)
    }

    /// The dossier's revision: how many recorded writes it has had (0 before the first).
    pub fn revision(&self, id: DossierId) -> Result<u64> {
        Ok(read_u64(self.revisions.get(id_key(id))?.as_deref()))
    }

    /// A dossier with its revision, read together (what a form remembers when it opens).
    pub fn dossier_at_revision(&self, id: DossierId) -> Result<Option<(Dossier, u64)>> {
        let trees = (&self.dossiers, &self.revisions);
        let res: Result<Option<(sled::IVec, u64)>, TransactionError<StoreError>> = trees
            .transaction(|(ds, revs)| {
                let Some(v) = ds.get(id_key(id))? else {
                    return Ok(None);
                };
                Ok(Some((v, read_u64(revs.get(id_key(id))?.as_deref()))))
            });
        match res {
            Ok(Some((v, rev))) => {
                let d = decode(&v).map_err(|e| corrupt(TREE_DOSSIERS, &id_key(id), e))?;
                Ok(Some((d, rev)))
            }
            Ok(None) => Ok(None),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        }
    }

    /// Every recorded change of a dossier, oldest first.
    pub fn history(&self, id: DossierId) -> Result<Vec<HistoryEntry>> {
        self.history
            .scan_prefix(id_key(id))
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v).map_err(|e| corrupt(TREE_HISTORY, &k, e))
            })
            .collect()
    }

    /// Undoes change `seq` of a dossier by restoring the dossier as it was before it. Only the
    /// latest change can be undone (so no later change is lost); the undo is itself a change in
    /// the history. Returns the new revision.
    pub fn undo(&self, id: DossierId, seq: u64, by: &str, at: &str) -> Result<u64> {
        let Some(raw) = self.history.get(history_key(id, seq))? else {
            return Err(StoreError::NoSuchChange { id, seq });
        };
        let entry: HistoryEntry =
            decode(&raw).map_err(|e| corrupt(TREE_HISTORY, &history_key(id, seq), e))?;
        let latest = self.revision(id)?;
        if latest != seq {
            return Err(StoreError::NotLatest { id, latest });
        }
        let Some(before) = entry.before else {
            return Err(StoreError::CannotUndoCreation);
        };
        let meta = ChangeMeta {
            by: by.to_string(),
            at: at.to_string(),
            kind: ChangeKind::Undone(seq),
        };
        self.save_dossier(&before, Some(seq), &meta)
    }

    /// Removes a dossier and its index entries together.
    pub fn remove_dossier(&self, id: DossierId) -> Result<()> {
        let _gate = self.write_gate();
        self.mark_changed(id)?;
        let trees = (&self.dossiers, &self.by_id_number, &self.by_name);
        let res: Result<(), TransactionError<StoreError>> =
            trees.transaction(|(ds, idn, names)| {
                let Some(old) = ds.remove(&id_key(id))? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound(
                        id,
                    )));
                };
                let old: Dossier = decode(&old).map_err(|e| {
                    ConflictableTransactionError::Abort(corrupt(TREE_DOSSIERS, &id_key(id), e))
                })?;
                let (old_idn, old_name) = index_entries(&old);
                if let Some(k) = old_idn {
                    idn.remove(k)?;
                }
                names.remove(old_name)?;
                Ok(())
            });
        unwrap_tx(res)?;
        self.flush()
    }

    /// Writes a dossier and swaps its index entries atomically, bumping its revision; with a
    /// `meta`, the history entry goes in the same transaction. `expected` refuses the write
    /// when the revision moved since. Returns the new revision. Every dossier write (insert,
    /// update, undo, import replacement, rollback) passes here.
    fn write_dossier(
        &self,
        d: &Dossier,
        must_be_new: bool,
        expected: Option<u64>,
        meta: Option<&ChangeMeta>,
    ) -> Result<u64> {
        let _gate = self.write_gate();
        self.mark_changed(d.id)?;
        let bytes = encode(d).map_err(StoreError::Encode)?;
        let (new_idn, new_name) = index_entries(d);
        let trees = (
            &self.dossiers,
            &self.by_id_number,
            &self.by_name,
            &self.revisions,
            &self.history,
        );
        let abort = ConflictableTransactionError::Abort;
        let res: Result<u64, TransactionError<StoreError>> =
            trees.transaction(|(ds, idn, names, revs, hist)| {
                let rev = read_u64(revs.get(id_key(d.id))?.as_deref());
                if let Some(expected) = expected
                    && expected != rev
                {
                    return Err(abort(StoreError::Conflict {
                        id: d.id,
                        expected,
                        found: rev,
                    }));
                }
                let mut before = None;
                if let Some(old) = ds.insert(&id_key(d.id), bytes.as_slice())? {
                    if must_be_new {
                        return Err(abort(StoreError::Duplicate {
                            existing: d.id,
                            reason: DuplicateReason::IdNumber,
                        }));
                    }
                    let old: Dossier = decode(&old)
                        .map_err(|e| abort(corrupt(TREE_DOSSIERS, &id_key(d.id), e)))?;
                    let (old_idn, old_name) = index_entries(&old);
                    if let Some(k) = old_idn {
                        idn.remove(k)?;
                    }
                    names.remove(old_name)?;
                    before = Some(old);
                }
                if let Some(k) = &new_idn {
                    idn.insert(k.as_slice(), &id_key(d.id))?;
                }
                names.insert(new_name.as_slice(), &[])?;
                let next = rev + 1;
                revs.insert(&id_key(d.id), &next.to_be_bytes())?;
                if let Some(meta) = meta {
                    let entry = HistoryEntry {
                        dossier: d.id,
                        seq: next,
                        by: meta.by.clone(),
                        at: meta.at.clone(),
                        kind: meta.kind.clone(),
                        changes: crate::history::diff(before.as_ref(), d),
                        before,
                    };
                    let raw = encode(&entry).map_err(|e| abort(StoreError::Encode(e)))?;
                    hist.insert(&history_key(d.id, next), raw)?;
                }
                Ok(next)
            });
        match res {
            Ok(rev) => Ok(rev),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
        }
    }

    // ---- facts snapshot bookkeeping ---------------------------------------------------

    /// Notes that a dossier is about to change, for the facts snapshot. Written before the
    /// change itself, so a crash can only leave an extra mark (harmless), never a missing one.
    fn mark_changed(&self, id: DossierId) -> Result<()> {
        let generation = self.db.generate_id()?;
        self.facts_changed
            .insert(id_key(id), &generation.to_be_bytes())?;
        Ok(())
    }

    /// The directory of an on-disk database (None for a temporary one).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref().map(|d| d.as_path())
    }

    /// Where the facts snapshot of an on-disk database lives (None for a temporary one).
    pub fn facts_file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(FACTS_FILE))
    }

    /// The token of the facts snapshot the database was last described by, if it still holds.
    pub fn facts_token(&self) -> Result<Option<u64>> {
        Ok(self
            .meta
            .get(META_FACTS)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// A generation number later than every write so far.
    pub fn generation(&self) -> Result<u64> {
        Ok(self.db.generate_id()?)
    }

    /// Dossiers written since the facts snapshot.
    pub fn facts_changed(&self) -> Result<Vec<DossierId>> {
        self.facts_changed
            .iter()
            .keys()
            .map(|k| Ok(key_id(&k?).unwrap_or_default()))
            .collect()
    }

    /// Records that the snapshot `token` describes every write up to `generation`: forgets
    /// the marks of those writes and keeps later ones. Flushed before it returns.
    pub fn facts_saved(&self, token: u64, generation: u64) -> Result<()> {
        let _gate = self.write_gate();
        for kv in self.facts_changed.iter() {
            let (k, v) = kv?;
            let g = <[u8; 8]>::try_from(v.as_ref()).map_or(0, u64::from_be_bytes);
            if g <= generation {
                self.facts_changed
                    .compare_and_swap(&k, Some(v), None as Option<&[u8]>)?
                    .ok();
            }
        }
        self.meta.insert(META_FACTS, &token.to_be_bytes())?;
        self.flush()
    }

    // ---- units ------------------------------------------------------------------------

    pub fn unit(&self, id: UnitId) -> Result<Option<Unit>> {
        self.units
            .get(unit_key(id))?
            .map(|v| decode(&v).map_err(|e| corrupt(TREE_UNITS, &unit_key(id), e)))
            .transpose()
    }

    pub fn units(&self) -> Result<Vec<Unit>> {
        self.units
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v).map_err(|e| corrupt(TREE_UNITS, &k, e))
            })
            .collect()
    }

    /// All units with their hierarchy.
    pub fn directory(&self) -> Result<UnitDirectory> {
        Ok(UnitDirectory::new(self.units()?))
    }

    /// Adds or replaces a unit. Flushed before it returns.
    pub fn put_unit(&self, u: &Unit) -> Result<()> {
        let _gate = self.write_gate();
        // Facts carry what the directory says of each posting's unit: rebuild them.
        self.meta.remove(META_FACTS)?;
        self.units
            .insert(unit_key(u.id), encode(u).map_err(StoreError::Encode)?)?;
        self.flush()
    }

    // ---- saved filters ----------------------------------------------------------------

    /// All saved filters, by name.
    pub fn saved_filters(&self) -> Result<Vec<SavedFilter>> {
        self.filters
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v).map_err(|e| corrupt(TREE_FILTERS, &k, e))
            })
            .collect()
    }

    pub fn saved_filter(&self, name: &str) -> Result<SavedFilter> {
        match self.filters.get(name.as_bytes())? {
            Some(v) => decode(&v).map_err(|e| corrupt(TREE_FILTERS, name.as_bytes(), e)),
            None => Err(StoreError::NoSuchFilter(name.to_string())),
        }
    }

    /// Saves (or overwrites) a named filter. Flushed before it returns.
    pub fn save_filter(&self, name: &str, text: &str) -> Result<()> {
        let _gate = self.write_gate();
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::EmptyFilterName);
        }
        let f = SavedFilter {
            name: name.to_string(),
            text: text.to_string(),
        };
        self.filters
            .insert(name.as_bytes(), encode(&f).map_err(StoreError::Encode)?)?;
        self.flush()
    }

    /// Renames a filter in one step; refuses to overwrite another.
    pub fn rename_filter(&self, old: &str, new: &str) -> Result<()> {
        let _gate = self.write_gate();
        let new = new.trim();
        if new.is_empty() {
            return Err(StoreError::EmptyFilterName);
        }
        let mut f = self.saved_filter(old)?;
        if old == new {
            return Ok(());
        }
        if self.filters.contains_key(new.as_bytes())? {
            return Err(StoreError::FilterExists(new.to_string()));
        }
        f.name = new.to_string();
        let bytes = encode(&f).map_err(StoreError::Encode)?;
        let res: Result<(), TransactionError<StoreError>> = self.filters.transaction(|t| {
            t.remove(old.as_bytes())?;
            t.insert(new.as_bytes(), bytes.as_slice())?;
            Ok(())
        });
        unwrap_tx(res)?;
        self.flush()
    }

    pub fn delete_filter(&self, name: &str) -> Result<()> {
        let _gate = self.write_gate();
        if self.filters.remove(name.as_bytes())?.is_none() {
            return Err(StoreError::NoSuchFilter(name.to_string()));
        }
        self.flush()
    }

    // ---- alert reviews ----------------------------------------------------------------

    /// Marks an alert reviewed (replacing an earlier mark). Flushed before it returns.
    pub fn mark_reviewed(&self, review: &Review) -> Result<()> {
        let _gate = self.write_gate();
        self.reviews.insert(
            review.key.as_bytes(),
            encode(review).map_err(StoreError::Encode)?,
        )?;
        self.flush()
    }

    /// Takes a review mark back.
    pub fn unmark_reviewed(&self, key: &str) -> Result<()> {
        let _gate = self.write_gate();
        self.reviews.remove(key.as_bytes())?;
        self.flush()
    }

    /// Every review mark.
    pub fn reviews(&self) -> Result<Vec<Review>> {
        self.reviews
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v).map_err(|e| corrupt(TREE_REVIEWS, &k, e))
            })
            .collect()
    }

    // ---- team plans -------------------------------------------------------------------

    /// Saves (or replaces) a named what-if plan. Flushed before it returns.
    pub fn save_plan(&self, plan: &TeamPlan) -> Result<()> {
        let _gate = self.write_gate();
        if plan.name.trim().is_empty() {
            return Err(StoreError::EmptyPlanName);
        }
        self.plans.insert(
            plan.name.as_bytes(),
            encode(plan).map_err(StoreError::Encode)?,
        )?;
        self.flush()
    }

    pub fn plan(&self, name: &str) -> Result<TeamPlan> {
        match self.plans.get(name.as_bytes())? {
            Some(v) => decode(&v).map_err(|e| corrupt(TREE_PLANS, name.as_bytes(), e)),
            None => Err(StoreError::NoSuchPlan(name.to_string())),
        }
    }

    /// Every saved plan, by name.
    pub fn plans(&self) -> Result<Vec<TeamPlan>> {
        self.plans
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&v).map_err(|e| corrupt(TREE_PLANS, &k, e))
            })
            .collect()
    }

    pub fn delete_plan(&self, name: &str) -> Result<()> {
        let _gate = self.write_gate();
        if self.plans.remove(name.as_bytes())?.is_none() {
            return Err(StoreError::NoSuchPlan(name.to_string()));
        }
        self.flush()
    }

    // ---- bulk writes ------------------------------------------------------------------

    /// Starts a journaled bulk write (import). Until `commit`, everything it writes is undone
    /// by `rollback`, by dropping the writer, or by the next open after a crash.
    pub fn bulk(&self) -> Result<BulkWriter<'_>> {
        if self.meta.get(META_JOURNAL)?.is_some() {
            self.rollback_journal()?;
        }
        let journal = Journal {
            floor: self.last_dossier_id()?,
        };
        let _gate = self.write_gate();
        // A bulk write may touch every dossier and unit: the facts snapshot no longer holds.
        self.meta.remove(META_FACTS)?;
        self.meta
            .insert(META_JOURNAL, encode(&journal).map_err(StoreError::Encode)?)?;
        self.flush()?;
        Ok(BulkWriter {
            store: self,
            next_id: journal.floor + 1,
            floor: journal.floor,
            pending: PendingBatches::default(),
            unflushed: 0,
            done: false,
        })
    }

    fn recover(&self) -> Result<()> {
        if self.meta.get(META_JOURNAL)?.is_some() {
            tracing::warn!("rolling back an interrupted bulk write");
            self.rollback_journal()?;
        }
        Ok(())
    }

    fn rollback_journal(&self) -> Result<()> {
        let Some(raw) = self.meta.get(META_JOURNAL)? else {
            return Ok(());
        };
        let journal: Journal = decode(&raw).map_err(|e| corrupt(TREE_META, META_JOURNAL, e))?;
        // New dossiers: everything above the floor.
        let above: Vec<DossierId> = self
            .dossiers
            .range(id_key(journal.floor + 1)..)
            .keys()
            .filter_map(|k| k.ok().and_then(|k| key_id(&k)))
            .collect();
        for id in above {
            self.remove_dossier_indexed(id)?;
        }
        // Before-images of what was replaced: b'd' + id → old dossier, b'u' + id → old unit or
        // empty (the unit was new); b'h' + history key → the history entry the replacement
        // wrote (it goes with the change).
        for kv in self.journal.iter() {
            let (k, v) = kv?;
            match k.first() {
                Some(b'd') => {
                    let old: Dossier = decode(&v).map_err(|e| corrupt(TREE_JOURNAL, &k, e))?;
                    self.write_dossier(&old, false, None, None)?;
                }
                Some(b'h') => {
                    let _gate = self.write_gate();
                    self.history.remove(&k[1..])?;
                }
                Some(b'u') if v.is_empty() => {
                    let _gate = self.write_gate();
                    self.units.remove(&k[1..])?;
                }
                Some(b'u') => {
                    let _gate = self.write_gate();
                    self.units.insert(&k[1..], v)?;
                }
                _ => {}
            }
        }
        {
            let _gate = self.write_gate();
            self.journal.clear()?;
            self.meta.remove(META_JOURNAL)?;
        }
        self.flush()
    }

    fn remove_dossier_indexed(&self, id: DossierId) -> Result<()> {
        match self.remove_dossier_nosync(id) {
            Err(StoreError::NotFound(_)) => Ok(()),
            other => other,
        }
    }

    fn remove_dossier_nosync(&self, id: DossierId) -> Result<()> {
        let _gate = self.write_gate();
        let Some(old) = self.dossiers.get(id_key(id))? else {
            return Err(StoreError::NotFound(id));
        };
        // Index entries are derived from the record; a record that no longer decodes still
        // goes, and `check` reports any index entry it leaves.
        if let Ok(old) = decode::<Dossier>(&old) {
            let (old_idn, old_name) = index_entries(&old);
            if let Some(k) = old_idn {
                self.by_id_number.remove(k)?;
            }
            self.by_name.remove(old_name)?;
        }
        self.dossiers.remove(id_key(id))?;
        Ok(())
    }

    // ---- integrity --------------------------------------------------------------------

    /// Verifies that every record decodes and every index agrees with the records.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let issue = |tree, key: &[u8], problem: String| CheckIssue {
            tree,
            key: hex(key),
            problem,
        };
        let mut issues = Vec::new();
        for kv in self.dossiers.iter() {
            let (k, v) = kv?;
            report.dossiers += 1;
            let d: Dossier = match decode(&v) {
                Ok(d) => d,
                Err(e) => {
                    issues.push(issue(TREE_DOSSIERS, &k, format!("无法解码：{e}")));
                    continue;
                }
            };
            if key_id(&k) != Some(d.id) {
                issues.push(issue(
                    TREE_DOSSIERS,
                    &k,
                    format!("键与档案编号 {} 不符", d.id),
                ));
            }
            let (idn, name) = index_entries(&d);
            if let Some(idn) = idn
                && self.by_id_number.get(&idn)?.as_deref() != Some(&id_key(d.id)[..])
            {
                issues.push(issue(
                    TREE_BY_ID_NUMBER,
                    &k,
                    format!("档案 #{} 的身份证号索引缺失或指向别处", d.id),
                ));
            }
            if !self.by_name.contains_key(&name)? {
                issues.push(issue(
                    TREE_BY_NAME,
                    &k,
                    format!("档案 #{} 的姓名索引缺失", d.id),
                ));
            }
        }
        for kv in self.by_id_number.iter() {
            let (k, v) = kv?;
            report.index_entries += 1;
            let ok = match key_id(&v) {
                Some(id) => self.dossier(id).ok().flatten().is_some_and(|d| {
                    d.identity.id_number.to_ascii_uppercase().as_bytes() == &k[..]
                }),
                None => false,
            };
            if !ok {
                issues.push(issue(
                    TREE_BY_ID_NUMBER,
                    &k,
                    "索引项指向不存在或不符的档案".into(),
                ));
            }
        }
        for k in self.by_name.iter().keys() {
            let k = k?;
            report.index_entries += 1;
            let ok = k.len() > 13
                && key_id(&k[k.len() - 8..])
                    .and_then(|id| self.dossier(id).ok().flatten())
                    .is_some_and(|d| index_entries(&d).1 == k.as_ref());
            if !ok {
                issues.push(issue(
                    TREE_BY_NAME,
                    &k,
                    "索引项指向不存在或不符的档案".into(),
                ));
            }
        }
        for kv in self.units.iter() {
            let (k, v) = kv?;
            report.units += 1;
            if let Err(e) = decode::<Unit>(&v) {
                issues.push(issue(TREE_UNITS, &k, format!("无法解码：{e}")));
            }
        }
        if self.meta.get(META_JOURNAL)?.is_some() {
            issues.push(issue(
                TREE_META,
                META_JOURNAL,
                "存在未完成的批量写入".into(),
            ));
        }
        report.issues = issues;
        Ok(report)
    }

    /// Test and repair hook: writes raw bytes under a dossier key, bypassing indexes.
    #[doc(hidden)]
    pub fn debug_put_raw_dossier(&self, id: DossierId, bytes: &[u8]) -> Result<()> {
        let _gate = self.write_gate();
        self.dossiers.insert(id_key(id), bytes)?;
        Ok(())
    }

    /// Test hook: removes a name index entry to simulate index drift.
    #[doc(hidden)]
    pub fn debug_drop_name_index(&self, d: &Dossier) -> Result<()> {
        let _gate = self.write_gate();
        self.by_name.remove(index_entries(d).1)?;
        Ok(())
    }

    // ---- backups ----------------------------------------------------------------------

    /// Writes a consistent snapshot of every tree to `out` (0600, via a temporary file, fsync'd)
    /// while the store stays open: reads go on, writes wait until the trees are read. See
    /// `backup` for the format.
    pub fn backup(&self, out: &Path) -> backup::Result<backup::BackupSummary> {
        backup::backup(self, out)
    }

    /// Verifies a backup completely, then restores it into the database directory `dir`
    /// (which must be empty, or is moved aside with `replace`) and checks the result. No store
    /// may have `dir` open.
    pub fn restore(
        file: &Path,
        dir: &Path,
        opts: backup::RestoreOptions,
    ) -> backup::Result<backup::RestoreSummary> {
        backup::restore(file, dir, opts)
    }
}

fn unwrap_tx(res: Result<(), TransactionError<StoreError>>) -> Result<()> {
    match res {
        Ok(()) => Ok(()),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
    }
}

#[derive(Default)]
struct PendingBatches {
    dossiers: Batch,
    by_id_number: Batch,
    by_name: Batch,
    count: usize,
}

/// Records written per applied batch.
const BULK_CHUNK: usize = 2000;
/// Records written between flushes of a bulk write.
const BULK_FLUSH: usize = 50_000;

/// A journaled bulk write; see `Store::bulk`.
pub struct BulkWriter<'a> {
    store: &'a Store,
    next_id: DossierId,
    floor: DossierId,
    pending: PendingBatches,
    /// Records applied since the last flush.
    unflushed: usize,
    done: bool,
}

impl BulkWriter<'_> {
    /// Adds a new dossier. It keeps the id it carries when that id is free and above every
    /// existing one (so an export imported into an empty database keeps its ids); otherwise it
    /// gets the next free id. Duplicates must have been ruled out by the caller.
    pub fn add_dossier(&mut self, mut d: Dossier) -> Result<DossierId> {
        if d.id < self.next_id {
            d.id = self.next_id;
        }
        self.next_id = d.id + 1;
        let (idn, name) = index_entries(&d);
        let bytes = encode(&d).map_err(StoreError::Encode)?;
        self.pending.dossiers.insert(&id_key(d.id), bytes);
        if let Some(k) = idn {
            self.pending.by_id_number.insert(k, &id_key(d.id));
        }
        self.pending.by_name.insert(name, &[]);
        self.pending.count += 1;
        if self.pending.count >= BULK_CHUNK {
            self.apply()?;
        }
        Ok(d.id)
    }

    /// Replaces an existing dossier (same id), keeping its before-image for rollback.
    pub fn replace_dossier(&mut self, d: &Dossier) -> Result<()> {
        self.apply()?;
        if d.id <= self.floor {
            let _gate = self.store.write_gate();
            let jk = [&[b'd'][..], &id_key(d.id)].concat();
            if !self.store.journal.contains_key(&jk)?
                && let Some(old) = self.store.dossiers.get(id_key(d.id))?
            {
                self.store.journal.insert(jk, old)?;
            }
        }
        let meta = ChangeMeta::now(ChangeKind::Imported);
        let rev = self.store.write_dossier(d, false, None, Some(&meta))?;
        let hk = [&[b'h'][..], &history_key(d.id, rev)].concat();
        let _gate = self.store.write_gate();
        self.store.journal.insert(hk, &[])?;
        Ok(())
    }

    /// Adds a unit, or accepts an identical one; a different unit under the same id is a
    /// conflict.
    pub fn put_unit(&mut self, u: &Unit) -> Result<()> {
        let _gate = self.store.write_gate();
        let key = unit_key(u.id);
        let jk = [&[b'u'][..], &key].concat();
        match self.store.unit(u.id)? {
            Some(existing) if &existing == u => return Ok(()),
            Some(_) if !self.store.journal.contains_key(&jk)? => {
                return Err(StoreError::UnitConflict(u.id));
            }
            Some(_) => {}
            None => {
                self.store.journal.insert(jk, &[])?;
            }
        }
        self.store
            .units
            .insert(key, encode(u).map_err(StoreError::Encode)?)?;
        Ok(())
    }

    fn apply(&mut self) -> Result<()> {
        if self.pending.count == 0 {
            return Ok(());
        }
        let p = std::mem::take(&mut self.pending);
        self.unflushed += p.count;
        // Records first: rollback enumerates records above the floor and removes their index
        // entries, so a crash between the batches leaves nothing it cannot find.
        {
            let _gate = self.store.write_gate();
            self.store.dossiers.apply_batch(p.dossiers)?;
            self.store.by_id_number.apply_batch(p.by_id_number)?;
            self.store.by_name.apply_batch(p.by_name)?;
        }
        // With the periodic flusher off, written pages stay in memory until flushed: flush
        // now and then so a large import holds a bounded amount (the journal, not this
        // flush, is what makes the import all-or-nothing).
        if self.unflushed >= BULK_FLUSH {
            self.store.flush()?;
            self.unflushed = 0;
        }
        Ok(())
    }

    /// Makes everything written durable and ends the journal.
    pub fn commit(mut self) -> Result<()> {
        self.apply()?;
        self.store.flush()?;
        {
            let _gate = self.store.write_gate();
            self.store.journal.clear()?;
            self.store.meta.remove(META_JOURNAL)?;
        }
        self.store.flush()?;
        self.done = true;
        Ok(())
    }

    /// Undoes everything written since `Store::bulk`.
    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.pending = PendingBatches::default();
        self.store.rollback_journal()
    }
}

impl Drop for BulkWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.pending = PendingBatches::default();
            if let Err(e) = self.store.rollback_journal() {
                tracing::error!("rollback of an abandoned bulk write failed: {e}");
            }
        }
    }
}
