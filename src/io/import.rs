//! Import of JSON Lines, CSV, XLSX and `.lrmx` files (and folders of `.lrmx` files) into the
//! store, all-or-nothing by default. An `.lrmx` form whose ID number is already in the database
//! updates that dossier (through the bulk writer's replace, so edit history applies) instead of
//! adding one. Two streaming passes: the first parses and validates every record (fields, ID numbers, dates, unit
//! references, duplicates within the files and against the database) and writes nothing; the
//! second writes the accepted records through the store's journaled bulk writer, so Ctrl-C or a
//! crash leaves the database as it was. Never logs record contents.
//!
//! JSON Lines, the format of large imports, is read in blocks of whole lines that worker
//! threads parse (and, in the second pass, seal), handed back in file order: every decision
//! that depends on order (duplicates within the files, the first occurrence wins; unit
//! references; ids) is taken on the calling thread in that order, so the outcome is that of a
//! reading line by line. Ids are assigned after the first pass, from what it accepted, so
//! workers can seal records under their final ids. The facts of the written dossiers can be
//! built while writing (`ImportOptions::facts`), on a thread of their own fed in write order.
//! This module must not decide anything on a worker that depends on what came before.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use crate::facts::Facts;
use crate::io::csv::{HeaderMap, row_to_dossier};
use crate::io::jsonl::{JsonLine, parse_line, reparse};
use crate::io::{lrmx, text};
use crate::model::validate::{FieldError, validate};
use crate::model::{Dossier, DossierId, PartialDate, Unit, UnitDirectory, UnitId};
use crate::store::{BulkSealer, DuplicateReason, PreparedDossier, Store, StoreError};

/// sled's cache for a store opened to import into. Records go in key order and index entries
/// sorted, so a small cache serves the writes as fast as the default; each MB of it costs
/// several of memory, next to the facts being built (at a million dossiers: 8 MB, peak 0.88
/// GiB; the default 64 MB, 1.1 GiB).
pub const IMPORT_CACHE_BYTES: u64 = 8 << 20;

/// One rejected record (or file), with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line in the file (CSV: the line the row starts on; 0 for the file as a whole).
    pub line: usize,
    /// The column or field as the clerk knows it.
    pub column: Option<String>,
    pub reason: String,
    /// The record as it was in the file, for the rejects file.
    pub raw: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, " 第{}行", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, " [{c}]")?;
        }
        write!(f, "：{}", self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("导入未进行：{} 处错误，数据库未作任何修改", .0.len())]
    Invalid(Vec<Problem>),
    #[error("导入被中断，已写入的内容已全部撤销，数据库未作任何修改")]
    Interrupted,
    #[error(
        "导入未进行：数据库所在磁盘（{dir}）只剩 {free_mib} MiB，导入这些文件约需 {needed_mib} MiB；请先腾出空间。数据库未作任何修改"
    )]
    NoRoom {
        dir: String,
        free_mib: u64,
        needed_mib: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import the good records and return the bad ones instead of refusing the whole import.
    pub skip_invalid: bool,
    /// Build the facts of the whole store while writing (`ImportReport::facts`), so the caller
    /// can save the facts snapshot without reading every dossier back.
    pub facts: bool,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub units: usize,
    /// Dossiers added.
    pub dossiers: usize,
    /// Dossiers an `.lrmx` form changed (matched by ID number).
    pub updated: usize,
    /// Dossiers an `.lrmx` form matched but did not change.
    pub unchanged: usize,
    pub rejected: Vec<Problem>,
    /// Things worth telling that are not errors (unknown CSV columns ignored …).
    pub notices: Vec<String>,
    /// With `ImportOptions::facts`: the facts of every dossier in the store after the import,
    /// to save as the snapshot. None when they could not be carried over (the database's
    /// facts would be stale: a unit this import added was already named by a dossier); the
    /// caller then rebuilds them (`facts::snapshot::refresh`).
    pub facts: Option<Facts>,
}

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Checking,
    Writing { total: u64 },
}

/// Where a record is. Ordered as the files are read: file, then line.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
struct Pos {
    file: usize,
    line: usize,
}

enum Format {
    JsonLines,
    Csv,
    Xlsx,
    Lrmx,
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
        "csv" | "txt" | "tsv" => Some(Format::Csv),
        "xlsx" => Some(Format::Xlsx),
        "lrmx" => Some(Format::Lrmx),
        _ => None,
    }
}

/// Roughly what importing `files` adds on disk, with room to spare: a database takes about
/// half its JSON Lines (sled's log, packed records, the facts snapshot; 0.5× at a million),
/// and an XLSX file is a zip that unpacks to several times its size.
fn room_needed(files: &[PathBuf]) -> u64 {
    let inputs: u64 = files
        .iter()
        .map(|f| {
            let len = std::fs::metadata(f).map_or(0, |m| m.len());
            match format_of(f) {
                Some(Format::Xlsx) => len.saturating_mul(5),
                _ => len,
            }
        })
        .sum();
    inputs.saturating_add(64 << 20)
}

/// Bytes free to this user on the filesystem holding `dir` (None when it cannot be told).
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: `path` is a NUL-terminated string and `st` a buffer of the right type, which
    // statvfs fills when it returns 0.
    let st = unsafe {
        if libc::statvfs(path.as_ptr(), st.as_mut_ptr()) != 0 {
            return None;
        }
        st.assume_init()
    };
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Refuses an import the disk cannot hold before anything is written: sled 0.34, finding the
/// disk full mid-write, retries without end instead of failing.
fn room_for(dir: &Path, needed: u64, free: Option<u64>) -> Result<(), ImportError> {
    match free {
        Some(free) if free < needed => Err(ImportError::NoRoom {
            dir: dir.display().to_string(),
            free_mib: free >> 20,
            needed_mib: needed.div_ceil(1 << 20),
        }),
        _ => Ok(()),
    }
}

/// The files to read: each file as given, and for a folder every `.lrmx` file under it (by
/// path order). A folder without any is kept as given, so it is reported.
pub fn expand_inputs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("lrmx"))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out);
            if out.len() == before {
                out.push(p.clone());
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Imports `files` (JSON Lines, CSV, XLSX or `.lrmx` by extension; folders of `.lrmx`) into
/// `store`.
pub fn import_files(
    store: &Store,
    files: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Stage, u64),
    cancel: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let files = &expand_inputs(files);
    if let Some(dir) = store.dir() {
        room_for(dir, room_needed(files), free_bytes(dir))?;
    }
    let threads = worker_threads();
    let had_dossiers = store.dossiers().next().is_some();
    let pre = Prechecker {
        today: PartialDate::today(),
        // Nothing to be a duplicate of in an empty database: no lookups per record.
        store: had_dossiers.then_some(store),
    };
    let mut check = Checker::new(store, files, pre)?;
    let started = std::time::Instant::now();

    // Pass 1: read and validate everything; nothing is written.
    let mut seen = 0u64;
    for (fi, file) in files.iter().enumerate() {
        let jsonl = matches!(format_of(file), Some(Format::JsonLines));
        // What CSV, XLSX and `.lrmx` files resolve unit names against: those known so far.
        let unit_names = if jsonl {
            HashMap::new()
        } else {
            check.unit_names.clone()
        };
        let mut record = |pos: Pos, raw: &[u8], rec: Result<Checked, RecordError>| {
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Interrupted);
            }
            seen += 1;
            if seen.is_multiple_of(1000) {
                progress(Stage::Checking, seen);
            }
            check.record(pos, raw, rec)
        };
        let r = if jsonl {
            let work = |b: &Block| check_block(b, &pre);
            let mut take = |block: Block, lines: Result<CheckedLines, ImportError>| {
                for (line, span, rec) in lines? {
                    record(Pos { file: fi, line }, &block.bytes[span], rec)?;
                }
                Ok(())
            };
            in_blocks(file, threads, &work, &mut take).map(|()| vec![])
        } else {
            visit_file(fi, file, &unit_names, &mut |pos, raw, rec| {
                let rec = match rec {
                    Ok(Rec::Line(JsonLine::Dossier(d))) => {
                        Ok(Checked::Dossier(Box::new(pre.dossier(d)?)))
                    }
                    Ok(Rec::Line(JsonLine::Unit(u))) => Ok(Checked::Unit(u)),
                    Ok(Rec::Form(d)) => Ok(Checked::Form(Box::new(d))),
                    Err(e) => Err(e),
                };
                record(pos, raw.as_bytes(), rec)
            })
        };
        match r {
            Ok(notices) => check.notices.extend(notices),
            Err(VisitError::File(p)) => check.reject_file(fi, p),
            Err(VisitError::Import(e)) => return Err(e),
        }
    }
    check.resolve_deferred();
    if !check.problems.is_empty() && !opts.skip_invalid {
        let mut problems = check.problems;
        problems.sort_by_key(|p| (files.iter().position(|f| *f == p.file), p.line));
        return Err(ImportError::Invalid(problems));
    }
    tracing::info!(
        "import: {seen} records checked in {:.1} s ({} problems, {threads} worker threads; peak resident {} MiB)",
        started.elapsed().as_secs_f64(),
        check.problems.len(),
        crate::memory::peak_resident_mib()
    );
    let started = std::time::Instant::now();
    // The duplicate checks are over: their keys go before the writing starts.
    check.id_numbers = HashMap::new();
    check.name_births = HashMap::new();

    // The facts of the store as it will be, built while writing: from the store's snapshot
    // when it already holds dossiers (read now: the bulk write drops the snapshot).
    let facts = match (opts.facts, had_dossiers) {
        (false, _) => None,
        (true, false) => Some(Facts::default()),
        (true, true) => check.facts_before(store)?,
    };
    let units = std::mem::take(&mut check.units);
    let directory = UnitDirectory::new(units.into_values().collect::<Vec<_>>());

    if opts.facts && had_dossiers {
        tracing::info!(
            "import: facts of the database read in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let started = std::time::Instant::now();

    // Pass 2: write the accepted records under the store's journal.
    let total = seen - check.rejected.len() as u64;
    let mut writer = store.bulk()?;
    let ids = check.new_ids(writer.next_id());
    let sealer = writer.sealer();
    let mut report = ImportReport::default();
    let mut written = 0u64;
    let (outcome, facts) = std::thread::scope(|s| {
        // Owned here, to go before the commit.
        let ids = ids;
        // The facts are built on a thread of their own, in the order of the writes.
        let mut feed = facts.map(|f| FactsFeed::start(s, f, &directory, ids.len()));
        let mut outcome = Ok(());
        for (fi, file) in files.iter().enumerate() {
            if check.rejected_files.contains(&fi) {
                continue;
            }
            let mut write = |pos: Pos, rec: Written| -> Result<(), ImportError> {
                if cancel.load(Ordering::Relaxed) {
                    return Err(ImportError::Interrupted);
                }
                match rec {
                    Written::Unit(u) => {
                        writer.put_unit(&u)?;
                        report.units += 1;
                    }
                    Written::Dossier(d, sealed) => {
                        writer.add_prepared(sealed)?;
                        if let Some(f) = feed.as_mut() {
                            f.push(*d);
                        }
                        report.dossiers += 1;
                    }
                    Written::Form(mut d) => match check.form_target(&d)? {
                        Some(existing) => {
                            let merged = lrmx::merge(&existing, &d);
                            if merged == existing {
                                report.unchanged += 1;
                            } else {
                                writer.replace_dossier(&merged)?;
                                if let Some(f) = feed.as_mut() {
                                    f.push(merged);
                                }
                                report.updated += 1;
                            }
                        }
                        None => {
                            let Some(id) = new_id(&ids, pos) else {
                                return Err(changed_file(&files[fi], pos.line));
                            };
                            d.id = id;
                            writer.add_dossier((*d).clone())?;
                            if let Some(f) = feed.as_mut() {
                                f.push(*d);
                            }
                            report.dossiers += 1;
                        }
                    },
                    // Not there, or not this record, when the file was checked.
                    Written::Changed => return Err(changed_file(&files[fi], pos.line)),
                }
                written += 1;
                if written.is_multiple_of(1000) {
                    progress(Stage::Writing { total }, written);
                }
                Ok(())
            };
            let r = if let Some(Format::JsonLines) = format_of(file) {
                let work = |b: &Block| write_block(fi, b, &check.rejected, &ids, &sealer);
                let mut take = |_: Block, lines: Result<WrittenLines, ImportError>| {
                    for (line, rec) in lines? {
                        write(Pos { file: fi, line }, rec)?;
                    }
                    Ok(())
                };
                in_blocks(file, threads, &work, &mut take).map(|()| vec![])
            } else {
                visit_file(fi, file, &check.unit_names, &mut |pos, _raw, rec| {
                    if check.rejected.contains(&pos) {
                        return Ok(());
                    }
                    let rec = match rec {
                        Ok(Rec::Line(JsonLine::Unit(u))) => Written::Unit(u),
                        Ok(Rec::Line(JsonLine::Dossier(d))) => sealed(d, pos, &ids, &sealer)?,
                        Ok(Rec::Form(d)) => Written::Form(Box::new(d)),
                        Err(_) => Written::Changed,
                    };
                    write(pos, rec)
                })
            };
            if let Err(e) = r {
                outcome = Err(match e {
                    VisitError::Import(e) => e,
                    // The file changed between the passes: nothing of this import may stay.
                    VisitError::File(p) => ImportError::Invalid(vec![p]),
                });
                break;
            }
        }
        if outcome.is_ok() && cancel.load(Ordering::Relaxed) {
            outcome = Err(ImportError::Interrupted);
        }
        drop(sealer);
        drop(ids);
        // Committed (the index entries written) while the facts thread finishes.
        let outcome = match outcome {
            Ok(()) => writer.commit().map_err(ImportError::from),
            Err(e) => writer.rollback().map_err(ImportError::from).and(Err(e)),
        };
        (outcome, feed.map(FactsFeed::finish))
    });
    outcome?;
    progress(Stage::Writing { total }, written);
    tracing::info!(
        "import: {written} records written in {:.1} s (peak resident {} MiB)",
        started.elapsed().as_secs_f64(),
        crate::memory::peak_resident_mib()
    );
    report.rejected = check.problems;
    report.notices = check.notices;
    report.facts = facts;
    Ok(report)
}

/// Dossiers fed to the facts thread at a time.
const FEED_BATCH: usize = 256;

/// The lengths of the facts' arrays.
struct FactsSize([usize; 6]);

impl FactsSize {
    fn of(f: &Facts) -> Self {
        FactsSize([
            f.people.len(),
            f.postings.len(),
            f.courses.len(),
            f.grades.len(),
            f.trainings.len(),
            f.rewards.len(),
        ])
    }

    /// Reserves room for `coming` more people in `f`, at twice the rows per person of the
    /// `seen` since `self`: a million people then grow each array once instead of doubling it
    /// twenty times, each time with a copy beside the old one (at the end, hundreds of MB).
    /// Room reserved and never written costs address space, not memory.
    fn reserve(&self, f: &mut Facts, seen: usize, coming: usize) {
        let now = FactsSize::of(f).0;
        let more = |i: usize| (now[i] - self.0[i]) * coming / seen.max(1) * 2 + 64;
        f.people.reserve(coming);
        f.hot.reserve(coming);
        f.postings.reserve(more(1));
        f.courses.reserve(more(2));
        f.grades.reserve(more(3));
        f.trainings.reserve(more(4));
        f.rewards.reserve(more(5));
    }
}

/// Builds facts on a thread of its own from the dossiers written, in the order written.
struct FactsFeed<'scope> {
    batch: Vec<Dossier>,
    send: mpsc::SyncSender<Vec<Dossier>>,
    thread: std::thread::ScopedJoinHandle<'scope, Facts>,
}

impl<'scope> FactsFeed<'scope> {
    /// Starts the thread, to build on `facts` with about `coming` new dossiers.
    fn start<'env>(
        s: &'scope std::thread::Scope<'scope, 'env>,
        mut facts: Facts,
        units: &'env UnitDirectory,
        coming: usize,
    ) -> Self {
        let (send, batches) = mpsc::sync_channel::<Vec<Dossier>>(8);
        let thread = std::thread::Builder::new()
            .name("import-facts".into())
            .spawn_scoped(s, move || {
                let before = FactsSize::of(&facts);
                let mut seen = 0;
                for batch in batches {
                    for d in &batch {
                        facts.upsert(d, units);
                    }
                    let first = seen < FEED_BATCH;
                    seen += batch.len();
                    if first && seen >= FEED_BATCH {
                        before.reserve(&mut facts, seen, coming.saturating_sub(seen));
                    }
                }
                facts
            })
            .expect("the import's facts thread starts");
        FactsFeed {
            batch: Vec::with_capacity(FEED_BATCH),
            send,
            thread,
        }
    }

    fn push(&mut self, d: Dossier) {
        self.batch.push(d);
        if self.batch.len() >= FEED_BATCH {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(FEED_BATCH));
            // Unheard only if the thread panicked, which `finish` reports.
            let _ = self.send.send(full);
        }
    }

    /// The facts, once every dossier fed is in.
    fn finish(self) -> Facts {
        let FactsFeed {
            batch,
            send,
            thread,
        } = self;
        let _ = send.send(batch);
        drop(send);
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// Threads that parse (and seal) beside the calling thread: one per core.
fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// The refusal of a file that changed between the passes.
fn changed_file(path: &Path, line: usize) -> ImportError {
    ImportError::Invalid(vec![Problem {
        file: path.to_path_buf(),
        line,
        column: None,
        reason: "文件在检查之后被改动，导入已撤销，请重新导入".into(),
        raw: String::new(),
    }])
}

/// The id pass 1 gave the new dossier at `pos`.
fn new_id(ids: &[(Pos, DossierId)], pos: Pos) -> Option<DossierId> {
    ids.binary_search_by_key(&pos, |(p, _)| *p)
        .ok()
        .map(|i| ids[i].1)
}

/// A new dossier under the id pass 1 gave it, sealed.
fn sealed(
    mut d: Dossier,
    pos: Pos,
    ids: &[(Pos, DossierId)],
    sealer: &BulkSealer,
) -> Result<Written, ImportError> {
    let Some(id) = new_id(ids, pos) else {
        return Ok(Written::Changed);
    };
    d.id = id;
    let prepared = sealer.prepare(&d)?;
    Ok(Written::Dossier(Box::new(d), prepared))
}

/// What pass 1 needs of a dossier, worked out beside the checker: the checker then only
/// compares keys, in file order.
struct DossierCheck {
    errors: Vec<FieldError>,
    /// The id it carries in the file.
    id: DossierId,
    /// ID number, upper-cased; empty when unknown.
    id_number: String,
    name: String,
    birth: PartialDate,
    /// A dossier of the database it duplicates.
    existing: Option<(DossierId, DuplicateReason)>,
    /// Units it names, with the field that names each.
    refs: Vec<(UnitId, &'static str)>,
}

/// The order-independent checks of a dossier; shared by the worker threads.
#[derive(Clone, Copy)]
struct Prechecker<'a> {
    today: PartialDate,
    /// The store, when it holds dossiers a record could duplicate.
    store: Option<&'a Store>,
}

impl Prechecker<'_> {
    fn dossier(&self, mut d: Dossier) -> Result<DossierCheck, ImportError> {
        let errors = validate(&d, &self.today);
        let mut existing = None;
        if errors.is_empty()
            && let Some(store) = self.store
        {
            // Any dossier of the database is another one: the record asks without its id.
            let id = std::mem::take(&mut d.id);
            existing = store.find_duplicate(&d)?;
            d.id = id;
        }
        let refs = d
            .postings
            .iter()
            .filter_map(|p| p.unit)
            .map(|u| (u, "任职经历.unit"))
            .chain(
                d.family
                    .iter()
                    .filter_map(|f| f.employer_unit)
                    .map(|u| (u, "家庭成员.employer_unit")),
            )
            .collect();
        Ok(DossierCheck {
            errors,
            id: d.id,
            id_number: d.identity.id_number.to_ascii_uppercase(),
            name: std::mem::take(&mut d.identity.name),
            birth: d.identity.birth,
            existing,
            refs,
        })
    }
}

/// A record as pass 1 hands it to the checker.
enum Checked {
    Unit(Unit),
    Dossier(Box<DossierCheck>),
    /// An `.lrmx` form: an update of the dossier with its ID number, else a new dossier.
    Form(Box<Dossier>),
}

/// A record as pass 2 hands it to the writer.
enum Written {
    Unit(Unit),
    /// A new dossier under its final id, and the same sealed.
    Dossier(Box<Dossier>, PreparedDossier),
    Form(Box<Dossier>),
    /// Not the record that was checked: the file changed between the passes.
    Changed,
}

/// A record's reference to a unit not yet seen: where, which field, the raw record.
type Deferred = (Pos, String, String);

/// Pass-1 state: what has been seen, and what is wrong.
struct Checker<'a> {
    store: &'a Store,
    pre: Prechecker<'a>,
    files: Vec<PathBuf>,
    units: HashMap<UnitId, Unit>,
    unit_names: HashMap<String, UnitId>,
    id_numbers: HashMap<String, Pos>,
    name_births: HashMap<(String, PartialDate), Pos>,
    /// Unit references not known when seen: unit id → the records that made them.
    deferred: HashMap<UnitId, Vec<Deferred>>,
    problems: Vec<Problem>,
    rejected: HashSet<Pos>,
    rejected_files: HashSet<usize>,
    notices: Vec<String>,
    /// The dossiers to add, in file order, with the id each carries.
    added: Vec<(Pos, DossierId)>,
}

impl<'a> Checker<'a> {
    fn new(store: &'a Store, files: &[PathBuf], pre: Prechecker<'a>) -> Result<Self, ImportError> {
        let units: HashMap<UnitId, Unit> = store.units()?.into_iter().map(|u| (u.id, u)).collect();
        let unit_names = units.values().map(|u| (u.name.clone(), u.id)).collect();
        Ok(Checker {
            store,
            pre,
            files: files.to_vec(),
            units,
            unit_names,
            id_numbers: HashMap::new(),
            name_births: HashMap::new(),
            deferred: HashMap::new(),
            problems: Vec::new(),
            rejected: HashSet::new(),
            rejected_files: HashSet::new(),
            notices: Vec::new(),
            added: Vec::new(),
        })
    }

    fn reject(&mut self, pos: Pos, column: Option<String>, reason: String, raw: &[u8]) {
        self.rejected.insert(pos);
        self.problems.push(Problem {
            file: self.files[pos.file].clone(),
            line: pos.line,
            column,
            reason,
            raw: String::from_utf8_lossy(raw).into_owned(),
        });
    }

    fn reject_file(&mut self, fi: usize, p: Problem) {
        self.rejected_files.insert(fi);
        self.problems.push(p);
    }

    fn record(
        &mut self,
        pos: Pos,
        raw: &[u8],
        rec: Result<Checked, RecordError>,
    ) -> Result<(), ImportError> {
        match rec {
            Err(e) => {
                for (column, reason) in e.0 {
                    self.reject(pos, column, reason, raw);
                }
            }
            Ok(Checked::Unit(u)) => self.unit(pos, raw, u),
            Ok(Checked::Dossier(c)) => self.dossier(pos, raw, *c),
            Ok(Checked::Form(d)) => self.form(pos, raw, &d)?,
        }
        Ok(())
    }

    /// The dossier an `.lrmx` form updates: the one with its ID number, if any.
    fn form_target(&self, d: &Dossier) -> Result<Option<Dossier>, ImportError> {
        let idn = d.identity.id_number.to_ascii_uppercase();
        if idn.is_empty() {
            return Ok(None);
        }
        match self.store.find_by_id_number(&idn)? {
            Some(id) => Ok(self.store.dossier(id)?),
            None => Ok(None),
        }
    }

    /// An `.lrmx` form: an update of the dossier with its ID number, else a new dossier.
    fn form(&mut self, pos: Pos, raw: &[u8], d: &Dossier) -> Result<(), ImportError> {
        let Some(existing) = self.form_target(d)? else {
            let c = self.pre.dossier(d.clone())?;
            self.dossier(pos, raw, c);
            return Ok(());
        };
        let idn = d.identity.id_number.to_ascii_uppercase();
        if let Some(first) = self.id_numbers.get(&idn) {
            let reason = format!("身份证号与 {} 重复", self.files[first.file].display());
            self.reject(pos, Some("ShenFenZheng".into()), reason, raw);
            return Ok(());
        }
        self.id_numbers.insert(idn, pos);
        let merged = lrmx::merge(&existing, d);
        for e in validate(&merged, &self.pre.today) {
            self.reject(pos, Some(e.field), e.message, raw);
        }
        Ok(())
    }

    fn unit(&mut self, pos: Pos, raw: &[u8], u: Unit) {
        if let Some(existing) = self.units.get(&u.id)
            && *existing != u
        {
            self.reject(
                pos,
                Some("id".into()),
                format!("单位编号 {} 已被“{}”使用，内容不同", u.id, existing.name),
                raw,
            );
            return;
        }
        if let Some(p) = u.parent
            && !self.units.contains_key(&p)
        {
            self.deferred.entry(p).or_default().push((
                pos,
                "parent".into(),
                String::from_utf8_lossy(raw).into_owned(),
            ));
        }
        self.unit_names.insert(u.name.clone(), u.id);
        self.units.insert(u.id, u);
    }

    /// A new dossier: its order-independent checks done (`Prechecker::dossier`), those that
    /// depend on what came before it.
    fn dossier(&mut self, pos: Pos, raw: &[u8], c: DossierCheck) {
        if !c.errors.is_empty() {
            for e in c.errors {
                self.reject(pos, Some(e.field), e.message, raw);
            }
            return;
        }
        if !c.id_number.is_empty() {
            if let Some(first) = self.id_numbers.get(&c.id_number) {
                let reason = format!("身份证号与第{}行重复", first.line);
                self.reject(pos, Some("身份证号".into()), reason, raw);
                return;
            }
            self.id_numbers.insert(c.id_number, pos);
        }
        let key = (c.name, c.birth);
        if let Some(first) = self.name_births.get(&key) {
            let reason = format!("姓名和出生年月与第{}行重复", first.line);
            self.reject(pos, Some("姓名".into()), reason, raw);
            return;
        }
        self.name_births.insert(key, pos);
        if let Some((existing, reason)) = c.existing {
            self.reject(
                pos,
                Some(reason.to_string()),
                format!("与数据库中已有档案 #{existing} 重复（{reason}相同）"),
                raw,
            );
            return;
        }
        for (u, field) in c.refs {
            if !self.units.contains_key(&u) {
                self.deferred.entry(u).or_default().push((
                    pos,
                    field.into(),
                    String::from_utf8_lossy(raw).into_owned(),
                ));
            }
        }
        self.added.push((pos, c.id));
    }

    /// References to units that never appeared, in the files or the database.
    fn resolve_deferred(&mut self) {
        let mut missing: Vec<(UnitId, Vec<Deferred>)> = std::mem::take(&mut self.deferred)
            .into_iter()
            .filter(|(u, _)| !self.units.contains_key(u))
            .collect();
        missing.sort_by_key(|(u, _)| *u);
        for (u, places) in missing {
            for (pos, field, raw) in places {
                if !self.rejected.contains(&pos) {
                    let raw = raw.into_bytes();
                    self.reject(pos, Some(field), format!("引用的单位编号 {u} 不存在"), &raw);
                }
            }
        }
    }

    /// The ids of the dossiers to add, as the bulk writer would give them one after another
    /// from `next`: the id a record carries when it is free, else the next free one.
    fn new_ids(&mut self, mut next: DossierId) -> Vec<(Pos, DossierId)> {
        let ids: Vec<(Pos, DossierId)> = std::mem::take(&mut self.added)
            .into_iter()
            .filter(|(pos, _)| !self.rejected.contains(pos))
            .map(|(pos, carried)| {
                let id = carried.max(next);
                next = id + 1;
                (pos, id)
            })
            .collect();
        debug_assert!(ids.windows(2).all(|w| w[0].0 < w[1].0));
        ids
    }

    /// The facts of the database before the import, to build on; None when they would be
    /// stale after it: facts carry what the unit directory says of each posting's unit, and a
    /// unit this import adds may be one a dossier already names.
    fn facts_before(&self, store: &Store) -> Result<Option<Facts>, ImportError> {
        let before = store.directory()?;
        let added: HashSet<UnitId> = self
            .units
            .keys()
            .filter(|u| before.get(**u).is_none())
            .copied()
            .collect();
        let loaded = crate::facts::snapshot::load(store, &before)?;
        let stale = loaded
            .facts
            .postings
            .iter()
            .any(|p| p.unit.is_some_and(|u| added.contains(&u)));
        Ok((!stale).then_some(loaded.facts))
    }
}

/// A record that did not parse: (column, reason) pairs.
struct RecordError(Vec<(Option<String>, String)>);

/// A record read from a CSV, XLSX or `.lrmx` file: a line or an `.lrmx` form (which may update a
/// dossier).
enum Rec {
    Line(JsonLine),
    Form(Dossier),
}

enum VisitError {
    File(Problem),
    Import(ImportError),
}

impl From<ImportError> for VisitError {
    fn from(e: ImportError) -> Self {
        VisitError::Import(e)
    }
}

type Visitor<'v> = dyn FnMut(Pos, &str, Result<Rec, RecordError>) -> Result<(), ImportError> + 'v;

/// Reads one file record by record, calling `f` with each. Returns notices.
fn visit_file(
    fi: usize,
    path: &Path,
    unit_names: &HashMap<String, UnitId>,
    f: &mut Visitor<'_>,
) -> Result<Vec<String>, VisitError> {
    let whole = |reason: String| whole_file(path, reason);
    match format_of(path) {
        None if path.is_dir() => Err(whole("文件夹中没有 .lrmx 文件".into())),
        None => Err(whole(
            "无法判断文件格式：扩展名应为 .jsonl、.csv、.xlsx 或 .lrmx".into(),
        )),
        Some(Format::Lrmx) => {
            let bytes = std::fs::read(path).map_err(|e| whole(format!("无法打开：{e}")))?;
            let resolve = |name: &str| unit_names.get(name).copied();
            let pos = Pos { file: fi, line: 0 };
            let rec = match lrmx::read(&bytes, &resolve) {
                Ok(form) => {
                    let notices = form
                        .notices
                        .iter()
                        .map(|n| format!("{}：{n}", path.display()))
                        .collect();
                    f(pos, "", Ok(Rec::Form(form.dossier)))?;
                    return Ok(notices);
                }
                Err(errors) => errors,
            };
            for e in rec {
                f(
                    Pos {
                        file: fi,
                        line: e.line,
                    },
                    "",
                    Err(RecordError(vec![(e.tag, e.reason)])),
                )?;
            }
            Ok(vec![])
        }
        Some(Format::Xlsx) => {
            let rows = crate::io::xlsx::read_rows(path).map_err(whole)?;
            let mut rows = rows
                .into_iter()
                .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
            let Some((header_line, headers)) = rows.next() else {
                return Err(whole("工作表是空的".into()));
            };
            let (map, notices) = header_map(path, header_line, &headers, &headers.join(","))?;
            let resolve = |name: &str| unit_names.get(name).copied();
            for (line, mut row) in rows {
                let pos = Pos { file: fi, line };
                row.resize(headers.len().max(row.len()), String::new());
                let raw = row.join(",");
                let rec = row_record(&map, headers.len(), &row, &resolve);
                f(pos, &raw, rec)?;
            }
            Ok(notices)
        }
        Some(Format::JsonLines) => unreachable!("JSON Lines are read in blocks (in_blocks)"),
        Some(Format::Csv) => {
            let bytes = std::fs::read(path).map_err(|e| whole(format!("无法打开：{e}")))?;
            let (content, _enc) = text::decode(&bytes).map_err(|e| whole(e.to_string()))?;
            // One line end everywhere, so reported line numbers are right for CR and CRLF too.
            let content = content.replace("\r\n", "\n").replace('\r', "\n");
            let first_line = content.lines().next().unwrap_or("");
            let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() {
                b'\t'
            } else {
                b','
            };
            let mut rdr = ::csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .has_headers(true)
                .from_reader(content.as_bytes());
            let headers: Vec<String> = rdr
                .headers()
                .map_err(|e| whole(format!("表头无法读取：{e}")))?
                .iter()
                .map(str::to_string)
                .collect();
            let (map, notices) = header_map(path, 1, &headers, first_line)?;
            let resolve = |name: &str| unit_names.get(name).copied();
            let mut record = ::csv::StringRecord::new();
            loop {
                let before = rdr.position().line() as usize;
                match rdr.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record.position().map_or(before, |p| p.line() as usize);
                        let pos = Pos { file: fi, line };
                        let row: Vec<String> = record.iter().map(str::to_string).collect();
                        let raw = row.join(",");
                        if row.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        let rec = row_record(&map, headers.len(), &row, &resolve);
                        f(pos, &raw, rec)?;
                    }
                    Err(e) => {
                        let line = e.position().map_or(before, |p| p.line() as usize);
                        let pos = Pos { file: fi, line };
                        f(
                            pos,
                            "",
                            Err(RecordError(vec![(None, format!("无法解析：{e}"))])),
                        )?;
                        if !matches!(e.kind(), ::csv::ErrorKind::Utf8 { .. }) {
                            break;
                        }
                    }
                }
            }
            Ok(notices)
        }
    }
}

/// Bytes of JSON Lines handed to a worker at a time, in whole lines (some 200 dossiers).
const BLOCK_BYTES: usize = 1 << 20;
const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// A run of whole lines of a JSON Lines file.
struct Block {
    /// The number of its first line (1-based).
    first_line: usize,
    bytes: Vec<u8>,
}

impl Block {
    /// Each line's number and text, as a span of `bytes`: without its line end (`\n` or
    /// `\r\n`), and the file's first line without a byte-order mark.
    fn lines(&self) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
        let body = self.bytes.strip_suffix(b"\n").unwrap_or(&self.bytes);
        let ends = memchr::memchr_iter(b'\n', body).chain([body.len()]);
        let mut start = 0;
        ends.enumerate().map(move |(i, end)| {
            let mut span = start..end;
            start = end + 1;
            let number = self.first_line + i;
            if number == 1 && body[span.clone()].starts_with(BOM) {
                span.start += BOM.len();
            }
            if body[span.clone()].ends_with(b"\r") {
                span.end -= 1;
            }
            (number, span)
        })
    }
}

/// Reads a file in blocks of whole lines (a line longer than a block makes a longer block).
struct BlockReader {
    file: std::fs::File,
    /// The start of a line read with the previous block.
    carry: Vec<u8>,
    next_line: usize,
    eof: bool,
}

impl BlockReader {
    fn new(file: std::fs::File) -> Self {
        BlockReader {
            file,
            carry: Vec::new(),
            next_line: 1,
            eof: false,
        }
    }

    fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.reserve(BLOCK_BYTES);
        while !self.eof {
            let start = buf.len();
            if (&mut self.file)
                .take(BLOCK_BYTES as u64)
                .read_to_end(&mut buf)?
                == 0
            {
                self.eof = true;
            } else if let Some(end) = memchr::memrchr(b'\n', &buf[start..]) {
                let cut = start + end + 1;
                self.carry = buf[cut..].to_vec();
                buf.truncate(cut);
                break;
            }
        }
        if buf.is_empty() {
            return Ok(None);
        }
        let first_line = self.next_line;
        let ends = memchr::memchr_iter(b'\n', &buf).count();
        self.next_line += ends + usize::from(buf.last() != Some(&b'\n'));
        Ok(Some(Block {
            first_line,
            bytes: buf,
        }))
    }
}

/// A line of JSON Lines read; None for a blank line.
fn read_line(bytes: &[u8]) -> Option<Result<JsonLine, RecordError>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Some(Err(RecordError(vec![(
                None,
                format!("不是 UTF-8 文本（第 {} 字节）", e.valid_up_to() + 1),
            )])));
        }
    };
    if text.trim().is_empty() {
        return None;
    }
    Some(
        parse_line(text)
            .map_err(|e| RecordError(vec![(Some(format!("第{}列", e.column())), json_reason(&e))])),
    )
}

/// Pass 1's result for a block: each record's line, its text's span, and what it is.
type CheckedLines = Vec<(usize, Range<usize>, Result<Checked, RecordError>)>;

/// Pass 1 on a worker: parses each line and checks what does not depend on order.
fn check_block(b: &Block, pre: &Prechecker<'_>) -> Result<CheckedLines, ImportError> {
    let mut out = Vec::new();
    for (line, span) in b.lines() {
        let rec = match read_line(&b.bytes[span.clone()]) {
            None => continue,
            Some(Ok(JsonLine::Dossier(d))) => Ok(Checked::Dossier(Box::new(pre.dossier(d)?))),
            Some(Ok(JsonLine::Unit(u))) => Ok(Checked::Unit(u)),
            Some(Err(e)) => Err(e),
        };
        out.push((line, span, rec));
    }
    Ok(out)
}

/// Pass 2's result for a block: each accepted record's line, and the record to write.
type WrittenLines = Vec<(usize, Written)>;

/// Pass 2 on a worker: parses each accepted line and seals each new dossier under its id.
fn write_block(
    fi: usize,
    b: &Block,
    rejected: &HashSet<Pos>,
    ids: &[(Pos, DossierId)],
    sealer: &BulkSealer,
) -> Result<WrittenLines, ImportError> {
    let mut out = Vec::new();
    for (line, span) in b.lines() {
        let pos = Pos { file: fi, line };
        if rejected.contains(&pos) {
            continue;
        }
        // Read whole in pass 1: read again the short way, else the long way.
        let bytes = &b.bytes[span];
        let rec = match reparse(bytes).map(Ok).or_else(|| read_line(bytes)) {
            None => continue,
            Some(Ok(JsonLine::Unit(u))) => Written::Unit(u),
            Some(Ok(JsonLine::Dossier(d))) => sealed(d, pos, ids, sealer)?,
            Some(Err(_)) => Written::Changed,
        };
        out.push((line, rec));
    }
    Ok(out)
}

/// Reads a JSON Lines file in blocks, has `work` done on each by `threads` worker threads, and
/// hands every block with its result to `take`, in file order.
fn in_blocks<R: Send>(
    path: &Path,
    threads: usize,
    work: &(dyn Fn(&Block) -> R + Sync),
    take: &mut dyn FnMut(Block, R) -> Result<(), ImportError>,
) -> Result<(), VisitError> {
    let whole = |reason: String| whole_file(path, reason);
    let file = std::fs::File::open(path).map_err(|e| whole(format!("无法打开：{e}")))?;
    let mut reader = BlockReader::new(file);
    in_order(
        threads,
        &mut || {
            reader
                .next_block()
                .map_err(|e| whole(format!("读取失败：{e}")))
        },
        &|b: Block| {
            let r = work(&b);
            (b, r)
        },
        &mut |(b, r)| take(b, r).map_err(VisitError::Import),
    )
}

/// Runs `work` on what `next` yields, on `threads` threads, and hands the results to `take` in
/// the order `next` yielded them; a few jobs are under way at a time. When `next` fails, what
/// it yielded before is still taken, then its error returned; when `take` fails, that ends it.
fn in_order<J: Send, R: Send>(
    threads: usize,
    next: &mut dyn FnMut() -> Result<Option<J>, VisitError>,
    work: &(dyn Fn(J) -> R + Sync),
    take: &mut dyn FnMut(R) -> Result<(), VisitError>,
) -> Result<(), VisitError> {
    let depth = 2 * threads + 2;
    let (jobs, queue) = mpsc::sync_channel::<(J, mpsc::SyncSender<R>)>(depth);
    let queue = Mutex::new(queue);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let queue = &queue;
            let worker = std::thread::Builder::new().name("import-worker".into());
            let spawned = worker.spawn_scoped(s, move || {
                loop {
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((job, reply)) = job else {
                        return;
                    };
                    // Unheard when the caller has stopped (an error).
                    let _ = reply.send(work(job));
                }
            });
            spawned.expect("the import's worker threads start");
        }
        let mut under_way = VecDeque::with_capacity(depth);
        let mut ended = None;
        let result = loop {
            while ended.is_none() && under_way.len() < depth {
                match next() {
                    Ok(Some(job)) => {
                        let (reply, result) = mpsc::sync_channel(1);
                        jobs.send((job, reply))
                            .expect("the import's worker threads are running");
                        under_way.push_back(result);
                    }
                    Ok(None) => ended = Some(Ok(())),
                    Err(e) => ended = Some(Err(e)),
                }
            }
            let Some(result) = under_way.pop_front() else {
                break ended.unwrap_or(Ok(()));
            };
            let r = result.recv().expect("an import worker thread panicked");
            if let Err(e) = take(r) {
                break Err(e);
            }
        };
        drop(jobs);
        result
    })
}

/// The header row of a CSV or XLSX file resolved, with a notice for columns not understood.
fn header_map(
    path: &Path,
    line: usize,
    headers: &[String],
    raw: &str,
) -> Result<(HeaderMap, Vec<String>), VisitError> {
    let map = HeaderMap::new(headers).map_err(|reason| {
        VisitError::File(Problem {
            file: path.to_path_buf(),
            line,
            column: None,
            reason,
            raw: raw.to_string(),
        })
    })?;
    let unknown = map.unknown();
    let notices = if unknown.is_empty() {
        vec![]
    } else {
        vec![format!(
            "{}：以下列无法识别，未导入：{}",
            path.display(),
            unknown.join("、")
        )]
    };
    Ok((map, notices))
}

/// One CSV or XLSX row as a record.
fn row_record(
    map: &HeaderMap,
    columns: usize,
    row: &[String],
    resolve: &dyn Fn(&str) -> Option<UnitId>,
) -> Result<Rec, RecordError> {
    if row.len() != columns {
        return Err(RecordError(vec![(
            None,
            format!("有 {} 个字段，表头有 {} 列", row.len(), columns),
        )]));
    }
    row_to_dossier(map, row, resolve)
        .map(|d| Rec::Line(JsonLine::Dossier(d)))
        .map_err(|errs| {
            RecordError(
                errs.into_iter()
                    .map(|e| (Some(e.column), e.reason))
                    .collect(),
            )
        })
}

/// A JSON error as a clerk can act on it (serde's message, which names the field and value).
fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("JSON 语法错误：{msg}")
        }
        _ => format!("内容不符合档案格式：{msg}"),
    }
}

/// A problem with a file as a whole (it cannot be opened or read, say).
fn whole_file(path: &Path, reason: String) -> VisitError {
    VisitError::File(Problem {
        file: path.to_path_buf(),
        line: 0,
        column: None,
        reason,
        raw: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_the_disk_cannot_hold_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        let xlsx = dir.path().join("b.xlsx");
        std::fs::write(&jsonl, vec![b'x'; 1000]).unwrap();
        std::fs::write(&xlsx, vec![b'x'; 1000]).unwrap();
        let needed = room_needed(&[jsonl, xlsx]);
        assert_eq!(needed, 1000 + 5 * 1000 + (64 << 20));
        let refused = room_for(dir.path(), needed, Some(needed - 1)).unwrap_err();
        let text = refused.to_string();
        assert!(text.contains("只剩 64 MiB"), "{text}");
        assert!(text.contains("约需 65 MiB"), "{text}");
        assert!(text.contains(&dir.path().display().to_string()), "{text}");
        assert!(room_for(dir.path(), needed, Some(needed)).is_ok());
        // Where the free space cannot be told, the import goes ahead.
        assert!(room_for(dir.path(), needed, None).is_ok());
        assert!(free_bytes(dir.path()).is_some_and(|n| n > 0));
        assert_eq!(free_bytes(&dir.path().join("missing")), None);
    }
}
