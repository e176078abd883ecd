//! The one store: a sled database with named trees. Every read and write of cadre's data goes
//! through this API (no sled call elsewhere), so the same API can later be served to several
//! clients. A dossier and its index entries change together in one transaction; bulk writes are
//! journaled so an interrupted import rolls back completely. Edits are flushed before they
//! return. Every value is sealed (`crypto`) on write and opened on read; index and name keys
//! are blind (HMAC) keys, so the files hold no name or ID number in the clear. A key rotation
//! re-seals in place while readers keep reading. This module must not log record contents.

pub mod backup;
pub mod crypto;
pub mod envelope;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::{Batch, Tree};

use crate::history::{ChangeKind, ChangeMeta, HistoryEntry};
use crate::model::{Dossier, DossierId, PartialDate, Unit, UnitDirectory, UnitId};
use crypto::{Blinder, Cipher, KdfParams, KeyError, KeySource, Secret};
use envelope::{EnvelopeError, Versioned, decode};

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
/// Blind ID number → dossier id. The live tree is `idx_id_number.<key id>` (the key id of the
/// index key its keys are made with); the bare name is a plaintext database's.
const TREE_BY_ID_NUMBER: &str = "idx_id_number";
/// Blind name ++ birth ++ id → nothing; named like `TREE_BY_ID_NUMBER`.
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
/// A known value sealed under the database's key: a wrong key is told apart from corruption.
const META_KEY_CHECK: &[u8] = b"key_check";
/// The key id (u32 LE) of the index key the live index trees are made with.
const META_INDEX: &[u8] = b"index_key";
/// The argon2 salt and costs of a passphrase-derived key (bincode, in the clear).
const META_KDF: &[u8] = b"kdf";
/// A key rotation (or the encryption of a plaintext database) under way: `Rotation`.
const META_ROTATION: &[u8] = b"rotation";
const KEY_CHECK_TEXT: &[u8] = b"cadre key check v1";
const KEY_CHECK_AAD: &[u8] = b"key_check";
const WRAP_AAD: &[u8] = b"cadre wrapped master key";
/// Domains of blind keys.
const BLIND_ID: &str = "id";
const BLIND_NAME: &str = "name";
const BLIND_FILTER: &str = "filter";
const BLIND_PLAN: &str = "plan";
/// Values re-sealed per batch during a rotation.
const ROTATE_CHUNK: usize = 2000;
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
    #[error(transparent)]
    Key(#[from] KeyError),
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
    /// Where the database's key comes from (default: the key file beside the directory).
    pub key: KeySource,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_bytes: DEFAULT_CACHE_BYTES,
            key: KeySource::DefaultFile,
        }
    }
}

/// The live blind index trees and the index key their keys are made with.
struct Indexes {
    blinder: Blinder,
    id_number: Tree,
    by_name: Tree,
}

impl Indexes {
    fn open(db: &sled::Db, blinder: Blinder) -> Result<Indexes> {
        let (idn, names) = index_tree_names(blinder.key_id());
        Ok(Indexes {
            id_number: db.open_tree(idn)?,
            by_name: db.open_tree(names)?,
            blinder,
        })
    }

    /// The index entries a dossier owns: blind ID number, and blind name ++ birth ++ id.
    fn entries(&self, d: &Dossier) -> (Option<[u8; 16]>, Vec<u8>) {
        let idn = (!d.identity.id_number.is_empty()).then(|| {
            self.blinder
                .blind(BLIND_ID, &d.identity.id_number.to_ascii_uppercase())
        });
        (
            idn,
            self.name_key(&d.identity.name, &d.identity.birth, d.id),
        )
    }

    /// `blind(name) birth(u32 BE) id(u64 BE)`: prefix-scannable by name, then name and birth.
    fn name_key(&self, name: &str, birth: &PartialDate, id: DossierId) -> Vec<u8> {
        let mut k = self.name_prefix(name);
        k.extend_from_slice(&birth.packed().to_be_bytes());
        k.extend_from_slice(&id.to_be_bytes());
        k
    }

    fn name_prefix(&self, name: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(NAME_KEY_LEN);
        k.extend_from_slice(&self.blinder.blind(BLIND_NAME, name));
        k
    }

    fn id_number_key(&self, id_number: &str) -> [u8; 16] {
        self.blinder
            .blind(BLIND_ID, &id_number.trim().to_ascii_uppercase())
    }
}

/// Blind name, birth, id.
const NAME_KEY_LEN: usize = 16 + 4 + 8;

fn index_tree_names(key_id: u32) -> (String, String) {
    (
        format!("{TREE_BY_ID_NUMBER}.{key_id:08x}"),
        format!("{TREE_BY_NAME}.{key_id:08x}"),
    )
}

/// A key rotation under way, kept in `meta` until it ends so an interrupted one resumes on
/// the next open (with either key).
#[derive(Serialize, Deserialize, Debug, Clone)]
struct Rotation {
    /// The key id rotated from.
    from: u32,
    to: u32,
    /// The new master key sealed under the old key, and the old under the new.
    new_under_old: Vec<u8>,
    old_under_new: Vec<u8>,
    /// The key check of the new key.
    new_check: Vec<u8>,
    /// The new passphrase's salt and costs (None: the new key is not a passphrase).
    new_kdf: Option<KdfParams>,
}

/// What a rotation (or the encryption of a plaintext database) did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// Values sealed anew.
    pub resealed: usize,
    /// Values that could not be opened and were left as they were (already unreadable).
    pub unreadable: usize,
    /// Index entries built under the new index key.
    pub index_entries: usize,
    /// The new key's id.
    pub key_id: u32,
}

fn bincode_bytes<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(v, bincode::config::standard())
        .map_err(|e| StoreError::Encode(EnvelopeError::Encode(e)))
}

fn bincode_read<T: serde::de::DeserializeOwned>(key: &[u8], v: &[u8]) -> Result<T> {
    bincode::serde::decode_from_slice(v, bincode::config::standard())
        .map(|(v, _)| v)
        .map_err(|e| corrupt(TREE_META, key, EnvelopeError::Decode(e)))
}

fn key_check(c: &Cipher) -> Vec<u8> {
    c.seal_with(KEY_CHECK_TEXT, KEY_CHECK_AAD)
}

fn key_check_holds(c: &Cipher, sealed: &[u8]) -> bool {
    crypto::sealed_key_id(sealed) == Some(c.key_id())
        && c.open_with(sealed, KEY_CHECK_AAD).as_deref() == Ok(KEY_CHECK_TEXT)
}

fn unwrap_master(c: &Cipher, wrapped: &[u8]) -> Option<Secret> {
    let plain = zeroize::Zeroizing::new(c.open_with(wrapped, WRAP_AAD).ok()?);
    let mut k = zeroize::Zeroizing::new([0u8; crypto::KEY_LEN]);
    if plain.len() != crypto::KEY_LEN {
        return None;
    }
    k.copy_from_slice(&plain);
    Some(k)
}

/// The handle to one open database. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    dossiers: Tree,
    units: Tree,
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
    /// The keys. Only ever gains keys while the process runs, so bytes read before a
    /// rotation still open after it; read it after reading the bytes it is to open.
    cipher: Arc<RwLock<Cipher>>,
    /// The live blind index trees, switched whole at the end of a rotation.
    indexes: Arc<RwLock<Arc<Indexes>>>,
    /// Writers hold it shared; a rotation holds it alone (readers never take it).
    gate: Arc<RwLock<()>>,
}

/// How a clerk names a person on the command line: `#id`, an 18-character ID number, or an
/// exact name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonQuery<'a> {
    Id(DossierId),
    IdNumber(&'a str),
    Name(&'a str),
}

impl<'a> PersonQuery<'a> {
    /// Reads what was typed; a `#` not followed by a number is an error in Chinese.
    pub fn parse(q: &'a str) -> std::result::Result<PersonQuery<'a>, String> {
        let q = q.trim();
        if let Some(num) = q.strip_prefix('#') {
            return num
                .parse()
                .map(PersonQuery::Id)
                .map_err(|_| format!("“{q}”不是档案编号"));
        }
        if q.len() == 18 && q.as_bytes()[..17].iter().all(u8::is_ascii_digit) {
            return Ok(PersonQuery::IdNumber(q));
        }
        Ok(PersonQuery::Name(q))
    }
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

/// Opens the sled database at `path`, waiting a moment for a lock just released.
fn open_sled(path: &Path, opts: &StoreOptions) -> Result<sled::Db> {
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
                sled::Error::Io(ref io) if io.to_string().contains("could not acquire lock") => {
                    StoreError::Locked(path.to_path_buf())
                }
                e => StoreError::Sled(e),
            })
    };
    // sled's I/O threads can hold a just-closed database's lock a moment longer (seen on
    // a loaded machine): a lock still held after LOCK_WAIT is another process's.
    let started = std::time::Instant::now();
    loop {
        match open() {
            Err(StoreError::Locked(_)) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

/// The database directory is the owner's alone.
fn restrict_dir(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700));
    }
}

/// Whether a database without a key check holds records (written before encryption).
fn holds_plaintext(db: &sled::Db) -> Result<bool> {
    for name in db.tree_names() {
        if name.as_ref() == b"__sled__default" {
            continue;
        }
        if name.as_ref() == TREE_META.as_bytes() {
            if db.open_tree(&name)?.contains_key(META_JOURNAL)? {
                return Ok(true);
            }
            continue;
        }
        if !db.open_tree(&name)?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `<dir>.<suffix>` beside the database directory.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "db".into());
    path.with_file_name(format!("{name}.{suffix}"))
}

/// Copies a plaintext database, sealed under `master`, into `<dir>.encrypting`: values
/// sealed, named entries and index trees under blind keys, the key check recorded. Returns
/// the number of values sealed. The original is not changed.
fn encrypt_copy(
    old: &sled::Db,
    path: &Path,
    master: &Secret,
    opts: &StoreOptions,
) -> Result<usize> {
    let target = sibling(path, "encrypting");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| StoreError::Sled(e.into()))?;
    }
    std::fs::create_dir_all(&target).map_err(|e| StoreError::Sled(e.into()))?;
    restrict_dir(&target);
    let new = open_sled(&target, opts)?;
    let cipher = Cipher::new(master);
    let blinder = cipher.blinder();
    let sealed_trees = [
        TREE_DOSSIERS,
        TREE_UNITS,
        TREE_HISTORY,
        TREE_REVIEWS,
        TREE_JOURNAL,
    ];
    let mut copied = 0;
    for name in old.tree_names() {
        let label = String::from_utf8_lossy(&name).into_owned();
        if name.as_ref() == b"__sled__default"
            || label == TREE_BY_ID_NUMBER
            || label == TREE_BY_NAME
        {
            continue;
        }
        let from = old.open_tree(&name)?;
        let to = new.open_tree(&name)?;
        let mut batch = Batch::default();
        let mut n = 0;
        for kv in from.iter() {
            let (k, v) = kv?;
            let (key, value): (Vec<u8>, Vec<u8>) = if sealed_trees.contains(&label.as_str()) {
                let value = if v.is_empty() {
                    Vec::new()
                } else {
                    cipher.seal(&v)
                };
                (k.to_vec(), value)
            } else if label == TREE_FILTERS || label == TREE_PLANS {
                let (domain, named) = if label == TREE_FILTERS {
                    (BLIND_FILTER, decode::<SavedFilter>(&v).map(|f| f.name))
                } else {
                    (BLIND_PLAN, decode::<TeamPlan>(&v).map(|p| p.name))
                };
                let key = match named {
                    Ok(name) => blinder.blind(domain, &name).to_vec(),
                    // Undecodable: kept under a key that names nothing (and `check`-able).
                    Err(_) => blinder.blind(domain, &hex(&k)).to_vec(),
                };
                (key, cipher.seal(&v))
            } else if label == TREE_META {
                match k.as_ref() {
                    META_JOURNAL => (k.to_vec(), cipher.seal(&v)),
                    META_FACTS => continue,
                    _ => (k.to_vec(), v.to_vec()),
                }
            } else {
                // Revisions and change marks: numbers only.
                (k.to_vec(), v.to_vec())
            };
            batch.insert(key, value);
            copied += 1;
            n += 1;
            if n >= ROTATE_CHUNK {
                to.apply_batch(std::mem::take(&mut batch))?;
                n = 0;
            }
        }
        to.apply_batch(batch)?;
    }
    // The index trees, under blind keys, from the records.
    let idx = Indexes::open(&new, blinder)?;
    let mut batches = PendingBatches::default();
    for kv in old.open_tree(TREE_DOSSIERS)?.iter() {
        let (k, v) = kv?;
        let Ok(d) = decode::<Dossier>(&v) else {
            continue;
        };
        let (idn, name) = idx.entries(&d);
        if let Some(idn) = idn {
            batches.by_id_number.insert(&idn[..], &k[..]);
        }
        batches.by_name.insert(name, &[]);
    }
    idx.id_number.apply_batch(batches.by_id_number)?;
    idx.by_name.apply_batch(batches.by_name)?;
    let meta = new.open_tree(TREE_META)?;
    meta.insert(META_INDEX, &cipher.key_id().to_le_bytes())?;
    meta.insert(META_KEY_CHECK, key_check(&cipher))?;
    new.flush()?;
    Ok(copied)
}

/// Puts `<dir>.encrypting` in the place of the plaintext directory, then removes the
/// plaintext. Each step is a rename, so an interruption is finished by `finish_encrypting_swap`.
fn swap_in_encrypted(path: &Path) -> Result<()> {
    let io = |e: std::io::Error| StoreError::Sled(e.into());
    let plain = sibling(path, "plaintext");
    std::fs::rename(path, &plain).map_err(io)?;
    std::fs::rename(sibling(path, "encrypting"), path).map_err(io)?;
    std::fs::remove_dir_all(&plain).map_err(io)?;
    Ok(())
}

/// Finishes a swap an interruption left half done; drops an unfinished encrypted copy.
fn finish_encrypting_swap(path: &Path) -> Result<()> {
    let io = |e: std::io::Error| StoreError::Sled(e.into());
    let (plain, encrypting) = (sibling(path, "plaintext"), sibling(path, "encrypting"));
    if !path.exists() && plain.exists() && encrypting.exists() {
        std::fs::rename(&encrypting, path).map_err(io)?;
    }
    if path.exists() && plain.exists() {
        std::fs::remove_dir_all(&plain).map_err(io)?;
    }
    if path.exists() && encrypting.exists() {
        std::fs::remove_dir_all(&encrypting).map_err(io)?;
    }
    Ok(())
}

/// The candidate master keys `source` gives for the database (a passphrase during a rotation
/// may be the old or the new one). Creates the default key file, or a passphrase's salt, for
/// a database that has no key yet.
fn resolve_masters(
    db: &sled::Db,
    meta: &Tree,
    source: &KeySource,
    dir: Option<&Path>,
) -> Result<Vec<Secret>> {
    let keyed = meta.contains_key(META_KEY_CHECK)? || meta.contains_key(META_ROTATION)?;
    Ok(match source {
        KeySource::DefaultFile => {
            let Some(dir) = dir else {
                return Ok(vec![crypto::random_key()]);
            };
            let file = crypto::default_key_file(dir);
            if std::fs::symlink_metadata(&file).is_ok() {
                vec![crypto::read_key_file(&file)?]
            } else if keyed {
                return Err(KeyError::MissingDefault {
                    db: dir.to_path_buf(),
                    key: file,
                }
                .into());
            } else {
                tracing::info!("creating the database key file");
                vec![crypto::write_new_key_file(&file)?]
            }
        }
        KeySource::File(p) => vec![crypto::read_key_file(p)?],
        KeySource::Key(k) => vec![k.clone()],
        KeySource::Random => vec![crypto::random_key()],
        KeySource::Passphrase(phrase) => {
            let mut params = Vec::new();
            if let Some(v) = meta.get(META_KDF)? {
                params.push(bincode_read::<KdfParams>(META_KDF, &v)?);
            }
            if let Some(v) = meta.get(META_ROTATION)?
                && let Some(kdf) = bincode_read::<Rotation>(META_ROTATION, &v)?.new_kdf
            {
                params.push(kdf);
            }
            if params.is_empty() {
                if keyed {
                    return Err(KeyError::NotPassphrase.into());
                }
                let fresh = KdfParams::fresh();
                meta.insert(META_KDF, bincode_bytes(&fresh)?)?;
                db.flush()?;
                params.push(fresh);
            }
            params
                .iter()
                .map(|p| p.derive(phrase))
                .collect::<Result<_, _>>()?
        }
    })
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
        finish_encrypting_swap(path)?;
        let created = !path.exists();
        let mut db = open_sled(path, opts)?;
        if created {
            restrict_dir(path);
        }
        let meta = db.open_tree(TREE_META)?;
        let mut masters = resolve_masters(&db, &meta, &opts.key, Some(path))?;
        if !meta.contains_key(META_KEY_CHECK)?
            && !meta.contains_key(META_ROTATION)?
            && holds_plaintext(&db)?
        {
            // A database from before encryption: copied sealed into a fresh directory that
            // then takes its place (sled keeps overwritten pages in its log, so sealing in
            // place would leave the plaintext in the files).
            let master = masters.swap_remove(0);
            let label = path.display();
            eprintln!(
                "数据库 {label} 是旧版的明文数据库（{} 份档案），正在加密，请稍候……",
                db.open_tree(TREE_DOSSIERS)?.len()
            );
            tracing::warn!("encrypting a plaintext database");
            let copied = encrypt_copy(&db, path, &master, opts)?;
            drop(meta);
            drop(db);
            swap_in_encrypted(path)?;
            eprintln!("数据库 {label} 已加密：{copied} 条记录。");
            db = open_sled(path, opts)?;
            masters = vec![master];
        }
        Self::from_db(db, masters, Some(path))
    }

    /// A throwaway in-memory database (tests, benchmarks), under a random key.
    pub fn temporary() -> Result<Self> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(DEFAULT_CACHE_BYTES)
            .open()?;
        Self::from_db(db, vec![crypto::random_key()], None)
    }

    /// Opens the trees under whichever of `masters` the database's key check accepts; sets up
    /// a new database's key check, encrypts a plaintext one, and finishes an interrupted
    /// rotation.
    fn from_db(db: sled::Db, masters: Vec<Secret>, dir: Option<&Path>) -> Result<Self> {
        let meta = db.open_tree(TREE_META)?;
        let label = dir.map_or_else(|| "临时数据库".to_string(), |d| d.display().to_string());
        let rotation: Option<Rotation> = meta
            .get(META_ROTATION)?
            .map(|v| bincode_read(META_ROTATION, &v))
            .transpose()?;
        let check = meta.get(META_KEY_CHECK)?;
        let mut unlocked = None;
        for master in &masters {
            let c = Cipher::new(master);
            unlocked = match (&rotation, &check) {
                (Some(rot), _) if c.key_id() == rot.to && key_check_holds(&c, &rot.new_check) => {
                    unwrap_master(&c, &rot.old_under_new)
                        .map(|old| Cipher::new(&old).rotated_to(master))
                }
                (Some(rot), Some(check))
                    if rot.from == c.key_id() && key_check_holds(&c, check) =>
                {
                    unwrap_master(&c, &rot.new_under_old).map(|new| c.rotated_to(&new))
                }
                (Some(_), _) => None,
                (None, Some(check)) => key_check_holds(&c, check).then_some(c),
                (None, None) => Some(c),
            };
            if unlocked.is_some() {
                break;
            }
        }
        let Some(cipher) = unlocked else {
            return Err(KeyError::Mismatch(label).into());
        };
        let index_id = meta
            .get(META_INDEX)?
            .and_then(|v| <[u8; 4]>::try_from(v.as_ref()).ok())
            .map(u32::from_le_bytes);
        let blinder = match index_id {
            Some(id) => cipher
                .blinder_for(id)
                .ok_or_else(|| StoreError::from(KeyError::Mismatch(label.clone())))?,
            None => cipher.blinder(),
        };
        let indexes = Indexes::open(&db, blinder)?;
        let store = Store {
            dossiers: db.open_tree(TREE_DOSSIERS)?,
            units: db.open_tree(TREE_UNITS)?,
            meta,
            journal: db.open_tree(TREE_JOURNAL)?,
            filters: db.open_tree(TREE_FILTERS)?,
            reviews: db.open_tree(TREE_REVIEWS)?,
            plans: db.open_tree(TREE_PLANS)?,
            facts_changed: db.open_tree(TREE_FACTS_CHANGED)?,
            dir: dir.map(|d| Arc::new(d.to_path_buf())),
            revisions: db.open_tree(TREE_REVISIONS)?,
            history: db.open_tree(TREE_HISTORY)?,
            cipher: Arc::new(RwLock::new(cipher)),
            indexes: Arc::new(RwLock::new(Arc::new(indexes))),
            gate: Arc::new(RwLock::new(())),
            db,
        };
        match (rotation, check) {
            (Some(rot), _) => {
                tracing::warn!("finishing an interrupted key rotation");
                eprintln!("正在完成数据库 {label} 上次中断的密钥轮换……");
                store.finish_rotation(&rot)?;
            }
            (None, Some(_)) => {}
            (None, None) => {
                let c = store.cipher();
                let tx: Result<(), TransactionError<StoreError>> = store.meta.transaction(|m| {
                    m.insert(META_KEY_CHECK, key_check(&c))?;
                    m.insert(META_INDEX, &c.key_id().to_le_bytes())?;
                    Ok(())
                });
                unwrap_tx(tx)?;
                store.flush()?;
            }
        }
        store.recover()?;
        Ok(store)
    }

    /// The keys (a snapshot; cheap). Read it after reading the bytes it is to open.
    pub fn cipher(&self) -> Cipher {
        self.cipher
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The id of the key values are sealed under now.
    pub fn key_id(&self) -> u32 {
        self.cipher().key_id()
    }

    fn indexes(&self) -> Arc<Indexes> {
        self.indexes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Held by every write, so a rotation sees no write under way.
    fn writing(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(|e| e.into_inner())
    }

    fn seal<T: Versioned>(&self, v: &T) -> Result<Vec<u8>> {
        envelope::seal(&self.cipher(), v).map_err(StoreError::Encode)
    }

    fn open_value<T: Versioned>(&self, tree: &'static str, key: &[u8], v: &[u8]) -> Result<T> {
        envelope::open(&self.cipher(), v).map_err(|e| corrupt(tree, key, e))
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
            .map(|v| self.open_value(TREE_DOSSIERS, &id_key(id), &v))
            .transpose()
    }

    /// All dossiers in id order, opened and decoded one at a time.
    pub fn dossiers(&self) -> impl Iterator<Item = Result<Dossier>> + '_ {
        self.dossiers.iter().map(|kv| {
            let (k, v) = kv?;
            self.open_value(TREE_DOSSIERS, &k, &v)
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
        let idx = self.indexes();
        Ok(idx
            .id_number
            .get(idx.id_number_key(id_number))?
            .and_then(|v| key_id(&v)))
    }

    /// The dossiers a clerk's words name (see `PersonQuery`).
    pub fn find_person(&self, q: &PersonQuery) -> Result<Vec<DossierId>> {
        Ok(match q {
            PersonQuery::Id(id) => self.dossier(*id)?.map(|d| vec![d.id]).unwrap_or_default(),
            PersonQuery::IdNumber(n) => self.find_by_id_number(n)?.into_iter().collect(),
            PersonQuery::Name(n) => self.find_by_name(n)?,
        })
    }

    pub fn find_by_name(&self, name: &str) -> Result<Vec<DossierId>> {
        let idx = self.indexes();
        Self::scan_name(&idx, idx.name_prefix(name))
    }

    pub fn find_by_name_birth(&self, name: &str, birth: &PartialDate) -> Result<Vec<DossierId>> {
        let idx = self.indexes();
        let mut prefix = idx.name_prefix(name);
        prefix.extend_from_slice(&birth.packed().to_be_bytes());
        Self::scan_name(&idx, prefix)
    }

    fn scan_name(idx: &Indexes, prefix: Vec<u8>) -> Result<Vec<DossierId>> {
        idx.by_name
            .scan_prefix(&prefix)
            .keys()
            .map(|k| {
                let k = k?;
                Ok(key_id(&k[k.len().saturating_sub(8)..]).unwrap_or(0))
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
                let d = self.open_value(TREE_DOSSIERS, &id_key(id), &v)?;
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
                self.open_value(TREE_HISTORY, &k, &v)
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
        let entry: HistoryEntry = self.open_value(TREE_HISTORY, &history_key(id, seq), &raw)?;
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
        let _writing = self.writing();
        self.mark_changed(id)?;
        let idx = self.indexes();
        let trees = (&self.dossiers, &idx.id_number, &idx.by_name);
        let res: Result<(), TransactionError<StoreError>> =
            trees.transaction(|(ds, idn, names)| {
                let Some(old) = ds.remove(&id_key(id))? else {
                    return Err(ConflictableTransactionError::Abort(StoreError::NotFound(
                        id,
                    )));
                };
                let old: Dossier = self
                    .open_value(TREE_DOSSIERS, &id_key(id), &old)
                    .map_err(ConflictableTransactionError::Abort)?;
                let (old_idn, old_name) = idx.entries(&old);
                if let Some(k) = old_idn {
                    idn.remove(&k[..])?;
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
        let _writing = self.writing();
        self.mark_changed(d.id)?;
        let bytes = self.seal(d)?;
        let idx = self.indexes();
        let (new_idn, new_name) = idx.entries(d);
        let trees = (
            &self.dossiers,
            &idx.id_number,
            &idx.by_name,
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
                    let old: Dossier = self
                        .open_value(TREE_DOSSIERS, &id_key(d.id), &old)
                        .map_err(abort)?;
                    let (old_idn, old_name) = idx.entries(&old);
                    if let Some(k) = old_idn {
                        idn.remove(&k[..])?;
                    }
                    names.remove(old_name)?;
                    before = Some(old);
                }
                if let Some(k) = &new_idn {
                    idn.insert(&k[..], &id_key(d.id))?;
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
                    let raw = self.seal(&entry).map_err(abort)?;
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
        let _gate = self.writing();
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
            .map(|v| self.open_value(TREE_UNITS, &unit_key(id), &v))
            .transpose()
    }

    pub fn units(&self) -> Result<Vec<Unit>> {
        self.units
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                self.open_value(TREE_UNITS, &k, &v)
            })
            .collect()
    }

    /// All units with their hierarchy.
    pub fn directory(&self) -> Result<UnitDirectory> {
        Ok(UnitDirectory::new(self.units()?))
    }

    /// Adds or replaces a unit. Flushed before it returns.
    pub fn put_unit(&self, u: &Unit) -> Result<()> {
        let writing = self.writing();
        // Facts carry what the directory says of each posting's unit: rebuild them.
        self.meta.remove(META_FACTS)?;
        self.units.insert(unit_key(u.id), self.seal(u)?)?;
        drop(writing);
        self.flush()
    }

    // ---- saved filters ----------------------------------------------------------------

    /// The key of a named entry (saved filter, plan): its name, blinded with the live
    /// index key.
    fn named_key(&self, domain: &str, name: &str) -> [u8; 16] {
        self.indexes().blinder.blind(domain, name)
    }

    /// The entries of a tree keyed by blind name, by name. An entry whose key is not its
    /// name's under the live index key (left by an interrupted rotation) is not listed.
    fn named_entries<T: Versioned>(
        &self,
        tree: &Tree,
        label: &'static str,
        domain: &str,
        name: impl Fn(&T) -> &str,
    ) -> Result<Vec<T>> {
        let blinder = self.indexes().blinder.clone();
        let mut out = Vec::new();
        for kv in tree.iter() {
            let (k, v) = kv?;
            let value: T = self.open_value(label, &k, &v)?;
            if blinder.blind(domain, name(&value)) == k.as_ref() {
                out.push(value);
            }
        }
        out.sort_by(|a, b| name(a).cmp(name(b)));
        Ok(out)
    }

    /// All saved filters, by name.
    pub fn saved_filters(&self) -> Result<Vec<SavedFilter>> {
        self.named_entries(
            &self.filters,
            TREE_FILTERS,
            BLIND_FILTER,
            |f: &SavedFilter| &f.name,
        )
    }

    pub fn saved_filter(&self, name: &str) -> Result<SavedFilter> {
        match self.named_get(&self.filters, BLIND_FILTER, name)? {
            Some((key, v)) => self.open_value(TREE_FILTERS, &key, &v),
            None => Err(StoreError::NoSuchFilter(name.to_string())),
        }
    }

    /// The entry of a tree keyed by blind name. A key rotation can switch the index key (and
    /// then prune the entries under the old one) between computing the key and reading it:
    /// a miss under a key that has since been replaced is read again under the new one.
    fn named_get(
        &self,
        tree: &Tree,
        domain: &str,
        name: &str,
    ) -> Result<Option<([u8; 16], sled::IVec)>> {
        loop {
            let idx = self.indexes();
            let key = idx.blinder.blind(domain, name);
            if let Some(v) = tree.get(key)? {
                return Ok(Some((key, v)));
            }
            if Arc::ptr_eq(&idx, &self.indexes()) {
                return Ok(None);
            }
        }
    }

    /// Saves (or overwrites) a named filter. Flushed before it returns.
    pub fn save_filter(&self, name: &str, text: &str) -> Result<()> {
        let _gate = self.writing();
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::EmptyFilterName);
        }
        let f = SavedFilter {
            name: name.to_string(),
            text: text.to_string(),
        };
        let writing = self.writing();
        self.filters
            .insert(self.named_key(BLIND_FILTER, name), self.seal(&f)?)?;
        drop(writing);
        self.flush()
    }

    /// Renames a filter in one step; refuses to overwrite another.
    pub fn rename_filter(&self, old: &str, new: &str) -> Result<()> {
        let _gate = self.writing();
        let new = new.trim();
        if new.is_empty() {
            return Err(StoreError::EmptyFilterName);
        }
        let mut f = self.saved_filter(old)?;
        if old == new {
            return Ok(());
        }
        let writing = self.writing();
        let (old_key, new_key) = (
            self.named_key(BLIND_FILTER, old),
            self.named_key(BLIND_FILTER, new),
        );
        if self.filters.contains_key(new_key)? {
            return Err(StoreError::FilterExists(new.to_string()));
        }
        f.name = new.to_string();
        let bytes = self.seal(&f)?;
        let res: Result<(), TransactionError<StoreError>> = self.filters.transaction(|t| {
            t.remove(&old_key)?;
            t.insert(&new_key, bytes.as_slice())?;
            Ok(())
        });
        unwrap_tx(res)?;
        drop(writing);
        self.flush()
    }

    pub fn delete_filter(&self, name: &str) -> Result<()> {
        let writing = self.writing();
        if self
            .filters
            .remove(self.named_key(BLIND_FILTER, name))?
            .is_none()
        {
            return Err(StoreError::NoSuchFilter(name.to_string()));
        }
        drop(writing);
        self.flush()
    }

    // ---- alert reviews ----------------------------------------------------------------

    /// Marks an alert reviewed (replacing an earlier mark). Flushed before it returns.
    pub fn mark_reviewed(&self, review: &Review) -> Result<()> {
        let writing = self.writing();
        // The key is the alert's (rule and dossier or unit number): no name in it.
        self.reviews
            .insert(review.key.as_bytes(), self.seal(review)?)?;
        drop(writing);
        self.flush()
    }

    /// Takes a review mark back.
    pub fn unmark_reviewed(&self, key: &str) -> Result<()> {
        let writing = self.writing();
        self.reviews.remove(key.as_bytes())?;
        drop(writing);
        self.flush()
    }

    /// Every review mark.
    pub fn reviews(&self) -> Result<Vec<Review>> {
        self.reviews
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                self.open_value(TREE_REVIEWS, &k, &v)
            })
            .collect()
    }

    // ---- team plans -------------------------------------------------------------------

    /// Saves (or replaces) a named what-if plan. Flushed before it returns.
    pub fn save_plan(&self, plan: &TeamPlan) -> Result<()> {
        let _gate = self.writing();
        if plan.name.trim().is_empty() {
            return Err(StoreError::EmptyPlanName);
        }
        let writing = self.writing();
        self.plans
            .insert(self.named_key(BLIND_PLAN, &plan.name), self.seal(plan)?)?;
        drop(writing);
        self.flush()
    }

    pub fn plan(&self, name: &str) -> Result<TeamPlan> {
        match self.named_get(&self.plans, BLIND_PLAN, name)? {
            Some((key, v)) => self.open_value(TREE_PLANS, &key, &v),
            None => Err(StoreError::NoSuchPlan(name.to_string())),
        }
    }

    /// Every saved plan, by name.
    pub fn plans(&self) -> Result<Vec<TeamPlan>> {
        self.named_entries(&self.plans, TREE_PLANS, BLIND_PLAN, |p: &TeamPlan| &p.name)
    }

    pub fn delete_plan(&self, name: &str) -> Result<()> {
        let writing = self.writing();
        if self
            .plans
            .remove(self.named_key(BLIND_PLAN, name))?
            .is_none()
        {
            return Err(StoreError::NoSuchPlan(name.to_string()));
        }
        drop(writing);
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
        let writing = self.writing();
        // A bulk write may touch every dossier and unit: the facts snapshot no longer holds.
        self.meta.remove(META_FACTS)?;
        self.meta.insert(META_JOURNAL, self.seal(&journal)?)?;
        drop(writing);
        self.flush()?;
        Ok(BulkWriter {
            store: self,
            cipher: self.cipher(),
            next_id: journal.floor + 1,
            floor: journal.floor,
            pending: Batch::default(),
            pending_units: Batch::default(),
            pending_marks: Batch::default(),
            pending_count: 0,
            id_numbers: Vec::new(),
            names: Vec::new(),
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
        let journal: Journal = self.open_value(TREE_META, META_JOURNAL, &raw)?;
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
                    let old: Dossier = self.open_value(TREE_JOURNAL, &k, &v)?;
                    self.write_dossier(&old, false, None, None)?;
                }
                Some(b'h') => {
                    let _gate = self.writing();
                    self.history.remove(&k[1..])?;
                }
                Some(b'u') if v.is_empty() => {
                    let _gate = self.writing();
                    self.units.remove(&k[1..])?;
                }
                Some(b'u') => {
                    // The before-image was sealed as it was read from `units`.
                    self.units.insert(&k[1..], v)?;
                }
                _ => {}
            }
        }
        {
            let _gate = self.writing();
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
        let _writing = self.writing();
        let Some(old) = self.dossiers.get(id_key(id))? else {
            return Err(StoreError::NotFound(id));
        };
        // Index entries are derived from the record; a record that no longer decodes still
        // goes, and `check` reports any index entry it leaves.
        let idx = self.indexes();
        if let Ok(old) = self.open_value::<Dossier>(TREE_DOSSIERS, &id_key(id), &old) {
            let (old_idn, old_name) = idx.entries(&old);
            if let Some(k) = old_idn {
                idx.id_number.remove(k)?;
            }
            idx.by_name.remove(old_name)?;
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
        let idx = self.indexes();
        for kv in self.dossiers.iter() {
            let (k, v) = kv?;
            report.dossiers += 1;
            let d: Dossier = match envelope::open(&self.cipher(), &v) {
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
            let (idn, name) = idx.entries(&d);
            if let Some(idn) = idn
                && idx.id_number.get(idn)?.as_deref() != Some(&id_key(d.id)[..])
            {
                issues.push(issue(
                    TREE_BY_ID_NUMBER,
                    &k,
                    format!("档案 #{} 的身份证号索引缺失或指向别处", d.id),
                ));
            }
            if !idx.by_name.contains_key(&name)? {
                issues.push(issue(
                    TREE_BY_NAME,
                    &k,
                    format!("档案 #{} 的姓名索引缺失", d.id),
                ));
            }
        }
        for kv in idx.id_number.iter() {
            let (k, v) = kv?;
            report.index_entries += 1;
            let ok = match key_id(&v) {
                Some(id) => self
                    .dossier(id)
                    .ok()
                    .flatten()
                    .is_some_and(|d| idx.entries(&d).0.is_some_and(|e| e[..] == k[..])),
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
        for k in idx.by_name.iter().keys() {
            let k = k?;
            report.index_entries += 1;
            let ok = k.len() == NAME_KEY_LEN
                && key_id(&k[k.len() - 8..])
                    .and_then(|id| self.dossier(id).ok().flatten())
                    .is_some_and(|d| idx.entries(&d).1 == k.as_ref());
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
            if let Err(e) = envelope::open::<Unit>(&self.cipher(), &v) {
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
        if self.meta.get(META_ROTATION)?.is_some() {
            issues.push(issue(
                TREE_META,
                META_ROTATION,
                "存在未完成的密钥轮换".into(),
            ));
        }
        report.issues = issues;
        Ok(report)
    }

    // ---- keys ---------------------------------------------------------------------------

    /// Re-encrypts the database under the key of `new`: every value is sealed anew and the
    /// blind index trees are rebuilt beside the live ones, then switched to in one step, so
    /// readers (in this process) keep reading and looking up throughout; writers wait until
    /// it ends. Ends by recording the new key's check, after which the old key no longer
    /// opens the database. An interruption is finished by the next open, with either key.
    pub fn rotate_key(&self, new: &KeySource) -> Result<RotationReport> {
        let _alone = self.gate.write().unwrap_or_else(|e| e.into_inner());
        let rot = self.begin_rotation(new)?;
        self.finish_rotation(&rot)
    }

    /// Test hook: starts a rotation and re-seals only the dossiers, as a crash would leave it.
    #[doc(hidden)]
    pub fn debug_interrupted_rotation(&self, new: &KeySource) -> Result<()> {
        let _alone = self.gate.write().unwrap_or_else(|e| e.into_inner());
        self.begin_rotation(new)?;
        let mut report = RotationReport::default();
        self.reseal_tree(&self.dossiers, TREE_DOSSIERS, &self.cipher(), &mut report)?;
        self.flush()
    }

    /// Records a rotation to the key of `new` and makes it the sealing key (the caller holds
    /// the write gate).
    fn begin_rotation(&self, new: &KeySource) -> Result<Rotation> {
        let mut new_kdf = None;
        let new_master = match new {
            KeySource::File(p) => crypto::read_key_file(p)?,
            KeySource::Key(k) => k.clone(),
            KeySource::Random => crypto::random_key(),
            KeySource::Passphrase(phrase) => {
                let kdf = KdfParams::fresh();
                let k = kdf.derive(phrase)?;
                new_kdf = Some(kdf);
                k
            }
            KeySource::DefaultFile => {
                let Some(dir) = &self.dir else {
                    return Err(KeyError::SameKey.into());
                };
                crypto::read_key_file(&crypto::default_key_file(dir))?
            }
        };
        if self.meta.contains_key(META_JOURNAL)? {
            return Err(KeyError::BulkInProgress.into());
        }
        let old = self.cipher();
        let fresh = Cipher::new(&new_master);
        if fresh.key_id() == old.key_id() {
            return Err(KeyError::SameKey.into());
        }
        let rot = Rotation {
            from: old.key_id(),
            to: fresh.key_id(),
            new_under_old: old.seal_with(&new_master[..], WRAP_AAD),
            old_under_new: fresh.seal_with(&old.master()[..], WRAP_AAD),
            new_check: key_check(&fresh),
            new_kdf,
        };
        self.meta.insert(META_ROTATION, bincode_bytes(&rot)?)?;
        self.flush()?;
        // From here every value sealed is under the new key; both keys open.
        *self.cipher.write().unwrap_or_else(|e| e.into_inner()) = old.rotated_to(&new_master);
        Ok(rot)
    }

    /// Re-seals every value under the rotation's new key, builds the new index trees, then
    /// switches to them and records the new key check. Idempotent: a resumed rotation redoes
    /// only what is left.
    fn finish_rotation(&self, rot: &Rotation) -> Result<RotationReport> {
        let cipher = self.cipher();
        debug_assert_eq!(cipher.key_id(), rot.to);
        let mut report = RotationReport {
            key_id: rot.to,
            ..RotationReport::default()
        };
        for (tree, label) in [
            (&self.dossiers, TREE_DOSSIERS),
            (&self.units, TREE_UNITS),
            (&self.history, TREE_HISTORY),
            (&self.reviews, TREE_REVIEWS),
            (&self.journal, TREE_JOURNAL),
            (&self.filters, TREE_FILTERS),
            (&self.plans, TREE_PLANS),
        ] {
            self.reseal_tree(tree, label, &cipher, &mut report)?;
        }
        if let Some(v) = self.meta.get(META_JOURNAL)?
            && let Some(sealed) = reseal_value(&cipher, &v)
        {
            self.meta.insert(META_JOURNAL, sealed)?;
        }
        // Named entries get their key under the new index key beside the old one.
        let new_blinder = cipher.blinder();
        self.rekey_named::<SavedFilter>(
            &self.filters,
            TREE_FILTERS,
            BLIND_FILTER,
            &new_blinder,
            |f| &f.name,
        )?;
        self.rekey_named::<TeamPlan>(&self.plans, TREE_PLANS, BLIND_PLAN, &new_blinder, |p| {
            &p.name
        })?;
        // The new index trees, built from the records.
        let fresh = Indexes::open(&self.db, new_blinder)?;
        fresh.id_number.clear()?;
        fresh.by_name.clear()?;
        let mut batches = PendingBatches::default();
        for kv in self.dossiers.iter() {
            let (k, v) = kv?;
            let Ok(d) = envelope::open::<Dossier>(&cipher, &v) else {
                continue;
            };
            let (idn, name) = fresh.entries(&d);
            if let Some(idn) = idn {
                batches.by_id_number.insert(&idn[..], &k[..]);
                report.index_entries += 1;
            }
            batches.by_name.insert(name, &[]);
            report.index_entries += 1;
            batches.count += 1;
            if batches.count >= ROTATE_CHUNK {
                let b = std::mem::take(&mut batches);
                fresh.id_number.apply_batch(b.by_id_number)?;
                fresh.by_name.apply_batch(b.by_name)?;
            }
        }
        fresh.id_number.apply_batch(batches.by_id_number)?;
        fresh.by_name.apply_batch(batches.by_name)?;
        self.flush()?;
        // The switch: one transaction on `meta`.
        let tx: Result<(), TransactionError<StoreError>> = self.meta.transaction(|m| {
            m.insert(META_INDEX, &rot.to.to_le_bytes())?;
            m.insert(META_KEY_CHECK, rot.new_check.as_slice())?;
            match &rot.new_kdf {
                Some(kdf) => {
                    let bytes = bincode_bytes(kdf).map_err(ConflictableTransactionError::Abort)?;
                    m.insert(META_KDF, bytes)?;
                }
                None => {
                    m.remove(META_KDF)?;
                }
            }
            // The facts snapshot was sealed under the old key: it is rebuilt.
            m.remove(META_FACTS)?;
            m.remove(META_ROTATION)?;
            Ok(())
        });
        unwrap_tx(tx)?;
        self.flush()?;
        let old = std::mem::replace(
            &mut *self.indexes.write().unwrap_or_else(|e| e.into_inner()),
            Arc::new(fresh),
        );
        // Stale named entries and the old index trees go once no reader holds them.
        self.prune_named::<SavedFilter>(&self.filters, TREE_FILTERS, BLIND_FILTER, |f| &f.name)?;
        self.prune_named::<TeamPlan>(&self.plans, TREE_PLANS, BLIND_PLAN, |p| &p.name)?;
        let waited = std::time::Instant::now();
        while Arc::strong_count(&old) > 1 && waited.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        drop(old);
        let live = index_tree_names(rot.to);
        for name in self.db.tree_names() {
            let stale = [TREE_BY_ID_NUMBER, TREE_BY_NAME].iter().any(|base| {
                name.as_ref() == base.as_bytes() || name.starts_with(format!("{base}.").as_bytes())
            }) && name.as_ref() != live.0.as_bytes()
                && name.as_ref() != live.1.as_bytes();
            if stale {
                self.db.drop_tree(&name)?;
            }
        }
        if let Some(file) = self.facts_file() {
            let _ = std::fs::remove_file(file);
        }
        self.flush()?;
        tracing::info!(
            resealed = report.resealed,
            unreadable = report.unreadable,
            "key rotation finished"
        );
        Ok(report)
    }

    /// Seals anew, in batches, every value of `tree` not yet under the current key.
    fn reseal_tree(
        &self,
        tree: &Tree,
        label: &'static str,
        cipher: &Cipher,
        report: &mut RotationReport,
    ) -> Result<()> {
        let mut batch = Batch::default();
        let mut n = 0;
        for kv in tree.iter() {
            let (k, v) = kv?;
            if v.is_empty() || crypto::sealed_key_id(&v) == Some(cipher.key_id()) {
                continue;
            }
            match reseal_value(cipher, &v) {
                Some(sealed) => {
                    batch.insert(k, sealed);
                    report.resealed += 1;
                    n += 1;
                }
                None => {
                    report.unreadable += 1;
                    tracing::warn!(tree = label, key = %hex(&k), "left a value that does not open");
                }
            }
            if n >= ROTATE_CHUNK {
                tree.apply_batch(std::mem::take(&mut batch))?;
                n = 0;
            }
        }
        tree.apply_batch(batch)?;
        Ok(())
    }

    /// Adds, for every named entry, its key under `blinder` (the old key stays until
    /// `prune_named`, so lookups by name keep answering until the switch).
    fn rekey_named<T: Versioned>(
        &self,
        tree: &Tree,
        label: &'static str,
        domain: &str,
        blinder: &Blinder,
        name: impl Fn(&T) -> &str,
    ) -> Result<()> {
        for kv in tree.iter() {
            let (k, v) = kv?;
            let Ok(value) = self.open_value::<T>(label, &k, &v) else {
                continue;
            };
            let key = blinder.blind(domain, name(&value));
            if key[..] != k[..] {
                tree.insert(key, v)?;
            }
        }
        Ok(())
    }

    /// Removes named entries whose key is not their name's under the live index key.
    fn prune_named<T: Versioned>(
        &self,
        tree: &Tree,
        label: &'static str,
        domain: &str,
        name: impl Fn(&T) -> &str,
    ) -> Result<()> {
        let blinder = self.indexes().blinder.clone();
        for kv in tree.iter() {
            let (k, v) = kv?;
            let Ok(value) = self.open_value::<T>(label, &k, &v) else {
                continue;
            };
            if blinder.blind(domain, name(&value))[..] != k[..] {
                tree.remove(k)?;
            }
        }
        Ok(())
    }

    /// Test and repair hook: writes raw bytes under a dossier key, bypassing indexes.
    #[doc(hidden)]
    pub fn debug_put_raw_dossier(&self, id: DossierId, bytes: &[u8]) -> Result<()> {
        let _gate = self.writing();
        self.dossiers.insert(id_key(id), bytes)?;
        Ok(())
    }

    /// Test hook: removes a name index entry to simulate index drift.
    #[doc(hidden)]
    pub fn debug_drop_name_index(&self, d: &Dossier) -> Result<()> {
        let idx = self.indexes();
        idx.by_name.remove(idx.entries(d).1)?;
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

/// `v` sealed under the cipher's current key (opened first under the older key it names);
/// None when it does not open.
fn reseal_value(cipher: &Cipher, v: &[u8]) -> Option<Vec<u8>> {
    let plain = zeroize::Zeroizing::new(cipher.open(v).ok()?);
    Some(cipher.seal(&plain))
}

fn unwrap_tx(res: Result<(), TransactionError<StoreError>>) -> Result<()> {
    match res {
        Ok(()) => Ok(()),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
    }
}

/// Index entries collected to be applied together (index rebuilds).
#[derive(Default)]
struct PendingBatches {
    by_id_number: Batch,
    by_name: Batch,
    count: usize,
}

/// Records written per applied batch.
const BULK_CHUNK: usize = 2000;
/// Index entries written per applied batch at the end of a bulk write.
const BULK_INDEX_CHUNK: usize = 20_000;
/// Records written between flushes of a bulk write. At a million dossiers, flushing every
/// 10,000 rather than every 50,000 took the peak from 0.87–0.97 GiB to about 0.88 GiB at the
/// same speed; more often would add fsyncs that cost on a spinning disk.
const BULK_FLUSH: usize = 10_000;

/// Collections run after each applied batch: enough to free everything a batch retired.
const RELEASE_ROUNDS: usize = 64;

/// Frees the pages sled has retired. Every write to a sled tree replaces the page with an
/// edited copy and hands the old one to crossbeam-epoch, whose collector frees at most 8 bags
/// (of 64 pages) per collection and collects once every 128 pins. A batch is applied under
/// one pin and retires thousands of pages, so they piled up: at a million dossiers 5 GiB,
/// most of it values the cache had evicted but retired copies of their leaves still held
/// (sled issues #986, #1036, #1093). Each round moves this thread's retired pages to the
/// global queue and frees what no reader can still see.
fn release_retired_pages() {
    for _ in 0..RELEASE_ROUNDS {
        crossbeam_epoch::pin().flush();
    }
}

/// A dossier sealed with its index keys, ready for `BulkWriter::add_prepared`.
pub struct PreparedDossier {
    id: DossierId,
    sealed: Vec<u8>,
    id_number: Option<[u8; 16]>,
    name: [u8; NAME_KEY_LEN],
}

/// Seals dossiers for a bulk write (`BulkWriter::sealer`); cheap to clone, for worker threads.
/// Holds the index trees' handles: drop it with the writer.
#[derive(Clone)]
pub struct BulkSealer {
    cipher: Cipher,
    indexes: Arc<Indexes>,
}

impl BulkSealer {
    /// Seals `d` and makes its index keys, under the id it carries.
    pub fn prepare(&self, d: &Dossier) -> Result<PreparedDossier> {
        let (id_number, name) = self.indexes.entries(d);
        Ok(PreparedDossier {
            id: d.id,
            sealed: envelope::seal(&self.cipher, d).map_err(StoreError::Encode)?,
            id_number,
            name: name.try_into().expect("a name key is NAME_KEY_LEN bytes"),
        })
    }
}

/// Inserts sorted entries into `tree` in batches, freeing the pages each batch retires.
fn apply_sorted<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    store: &Store,
    tree: &Tree,
    entries: impl Iterator<Item = (K, V)>,
) -> Result<()> {
    let mut batch = Batch::default();
    let mut n = 0;
    for (k, v) in entries {
        batch.insert(k.as_ref(), v.as_ref());
        n += 1;
        if n == BULK_INDEX_CHUNK {
            let _gate = store.writing();
            tree.apply_batch(std::mem::take(&mut batch))?;
            drop(_gate);
            release_retired_pages();
            n = 0;
        }
    }
    let _gate = store.writing();
    tree.apply_batch(batch)?;
    drop(_gate);
    release_retired_pages();
    Ok(())
}

/// A journaled bulk write; see `Store::bulk`.
pub struct BulkWriter<'a> {
    store: &'a Store,
    /// Keys, fixed for the bulk write (no rotation starts while its journal is open). No
    /// tree handle is kept here: a writer leaked by a crash must not hold the database open.
    cipher: Cipher,
    next_id: DossierId,
    floor: DossierId,
    /// Added dossiers not yet applied.
    pending: Batch,
    /// New units not yet applied, and their journal marks.
    pending_units: Batch,
    pending_marks: Batch,
    /// Records (dossiers and units) not yet applied.
    pending_count: usize,
    /// The index entries of the added dossiers, written in key order by `commit`. Blind keys
    /// are random: written as the dossiers come, each would land in another leaf of the
    /// index trees, which at a million dossiers no longer fit sled's cache and are read back
    /// from disk leaf by leaf. Rollback removes entries from the records, so it does not
    /// matter how many of them were written.
    id_numbers: Vec<([u8; 16], DossierId)>,
    names: Vec<[u8; NAME_KEY_LEN]>,
    /// Records applied since the last flush.
    unflushed: usize,
    done: bool,
}

impl BulkWriter<'_> {
    /// The id the next added dossier gets, unless it carries a higher one.
    pub fn next_id(&self) -> DossierId {
        self.next_id
    }

    /// Seals dossiers for this bulk write on any thread, so sealing runs beside the writes.
    pub fn sealer(&self) -> BulkSealer {
        BulkSealer {
            cipher: self.cipher.clone(),
            indexes: self.store.indexes(),
        }
    }

    /// Adds a new dossier. It keeps the id it carries when that id is free and above every
    /// existing one (so an export imported into an empty database keeps its ids); otherwise it
    /// gets the next free id. Duplicates must have been ruled out by the caller.
    pub fn add_dossier(&mut self, mut d: Dossier) -> Result<DossierId> {
        if d.id < self.next_id {
            d.id = self.next_id;
        }
        let prepared = self.sealer().prepare(&d)?;
        self.add_prepared(prepared)
    }

    /// Adds a dossier sealed by `BulkSealer::prepare`, under the id it was sealed with. That id
    /// must be at least `next_id` (the caller assigns ids as `add_dossier` would): a lower one
    /// is a bug of the caller and panics, which rolls the write back.
    pub fn add_prepared(&mut self, p: PreparedDossier) -> Result<DossierId> {
        assert!(
            p.id >= self.next_id,
            "bulk write: dossier id {} is below the next free id {}",
            p.id,
            self.next_id
        );
        self.next_id = p.id + 1;
        self.pending.insert(&id_key(p.id), p.sealed);
        if let Some(k) = p.id_number {
            self.id_numbers.push((k, p.id));
        }
        self.names.push(p.name);
        self.pending_count += 1;
        if self.pending_count >= BULK_CHUNK {
            self.apply()?;
        }
        Ok(p.id)
    }

    /// Replaces an existing dossier (same id), keeping its before-image for rollback.
    pub fn replace_dossier(&mut self, d: &Dossier) -> Result<()> {
        self.apply()?;
        if d.id <= self.floor {
            let _gate = self.store.writing();
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
        let _gate = self.store.writing();
        self.store.journal.insert(hk, &[])?;
        Ok(())
    }

    /// Adds a unit, or accepts an identical one; a different unit under the same id is a
    /// conflict. A new unit is written with the next batch (a province has some 170,000).
    pub fn put_unit(&mut self, u: &Unit) -> Result<()> {
        let key = unit_key(u.id);
        let jk = [&[b'u'][..], &key].concat();
        let sealed = envelope::seal(&self.cipher, u).map_err(StoreError::Encode)?;
        let Some(raw) = self.store.units.get(key)? else {
            // The journal's mark goes first: rollback removes the units it marks.
            self.pending_marks.insert(jk, &[]);
            self.pending_units.insert(&key, sealed);
            self.pending_count += 1;
            if self.pending_count >= BULK_CHUNK {
                self.apply()?;
            }
            return Ok(());
        };
        let existing: Unit = self.store.open_value(TREE_UNITS, &key, &raw)?;
        if &existing == u {
            return Ok(());
        }
        let _gate = self.store.writing();
        if !self.store.journal.contains_key(&jk)? {
            return Err(StoreError::UnitConflict(u.id));
        }
        self.store.units.insert(key, sealed)?;
        Ok(())
    }

    fn apply(&mut self) -> Result<()> {
        if self.pending_count == 0 {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        self.unflushed += std::mem::take(&mut self.pending_count);
        {
            let _gate = self.store.writing();
            self.store
                .journal
                .apply_batch(std::mem::take(&mut self.pending_marks))?;
            self.store
                .units
                .apply_batch(std::mem::take(&mut self.pending_units))?;
            self.store.dossiers.apply_batch(batch)?;
        }
        release_retired_pages();
        // With the periodic flusher off, written pages stay in memory until flushed: flush
        // now and then so a large import holds a bounded amount (the journal, not this
        // flush, is what makes the import all-or-nothing).
        if self.unflushed >= BULK_FLUSH {
            self.store.flush()?;
            self.unflushed = 0;
        }
        Ok(())
    }

    /// Writes the added dossiers' index entries, in key order. After the records: rollback
    /// enumerates records above the floor and removes their index entries, so a crash before
    /// or during this leaves nothing it cannot find. (Both trees at once, on two threads, was
    /// no faster and held both trees' pages at the same time.)
    fn write_index_entries(&mut self) -> Result<()> {
        let idx = self.store.indexes();
        let mut id_numbers = std::mem::take(&mut self.id_numbers);
        id_numbers.sort_unstable();
        let entries = id_numbers.iter().map(|(k, id)| (k, id_key(*id)));
        apply_sorted(self.store, &idx.id_number, entries)?;
        drop(id_numbers);
        let mut names = std::mem::take(&mut self.names);
        names.sort_unstable();
        apply_sorted(self.store, &idx.by_name, names.iter().map(|k| (k, [])))
    }

    /// Makes everything written durable and ends the journal.
    pub fn commit(mut self) -> Result<()> {
        self.apply()?;
        self.write_index_entries()?;
        self.store.flush()?;
        {
            let _gate = self.store.writing();
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
        self.pending = Batch::default();
        self.store.rollback_journal()
    }
}

impl Drop for BulkWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.pending = Batch::default();
            if let Err(e) = self.store.rollback_journal() {
                tracing::error!("rollback of an abandoned bulk write failed: {e}");
            }
        }
    }
}
