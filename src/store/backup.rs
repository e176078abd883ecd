//! Backups of the one store: a consistent snapshot of every sled tree (raw keys and values as
//! stored, so a backup is exactly as protected as the database) in one checksummed file, and
//! the restore that verifies such a file completely before it writes anything. It owns the
//! backup file format; it must not decode, log or print record contents.
//!
//! Format (all integers big-endian):
//! `MAGIC (8) · FORMAT_VERSION (u16) · tree count (u32)`, then per tree
//! `name length (u16) · name · entry count (u64) · { key length (u32) · key · value length
//! (u32) · value }*`, then the SHA-256 of every byte before it (32).
//!
//! The facts snapshot (`facts.bin`) is not in a backup: it is derived from the dossiers and
//! rebuilt when the restored database is first opened.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Store, StoreError};

/// The first bytes of every cadre backup file.
pub const MAGIC: &[u8; 8] = b"CADREBAK";
/// The version of the format this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
const HEADER_LEN: u64 = 8 + 2 + 4;
const CHECKSUM_LEN: u64 = 32;

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub file: PathBuf,
    pub trees: usize,
    /// Key/value pairs over every tree.
    pub entries: u64,
    pub dossiers: u64,
    /// Size of the backup file.
    pub bytes: u64,
    /// The SHA-256 at the end of the file, in hex.
    pub sha256: String,
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    pub dir: PathBuf,
    pub trees: usize,
    pub entries: u64,
    /// Dossiers in the restored database (as `Store::check` counted them).
    pub dossiers: usize,
    /// Where the database that was there before went (`--replace`).
    pub moved_aside: Option<PathBuf>,
}

/// How to restore.
#[derive(Debug, Default)]
pub struct RestoreOptions {
    /// Replace a non-empty target directory; the old one is moved aside, never deleted.
    pub replace: bool,
    /// The key the backed-up database was sealed with (the backup holds the sealed values as
    /// they were, and never the key). The default is the key file beside the target,
    /// `<dir>.key`, which restoring over the same database finds in place.
    pub key: crate::store::crypto::KeySource,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "恢复到 {dir} 需要备份时数据库的密钥：{expected} 不存在，请用 --key-file 指定原数据库的密钥文件"
    )]
    NoKey { dir: PathBuf, expected: PathBuf },
    #[error("无法写入备份文件 {file}：{source}")]
    Write { file: PathBuf, source: io::Error },
    #[error("无法读取备份文件 {file}：{source}")]
    Read { file: PathBuf, source: io::Error },
    #[error("{file} 不是 cadre 备份文件（文件开头的标识不符）")]
    NotABackup { file: PathBuf },
    #[error("备份文件 {file} 的格式版本为 {found}，本程序只能读取第 {FORMAT_VERSION} 版")]
    Version { file: PathBuf, found: u16 },
    #[error("备份文件 {file} 不完整：在第 {at} 字节处被截断（未恢复任何内容）")]
    Truncated { file: PathBuf, at: u64 },
    #[error("备份文件 {file} 的校验和（SHA-256）不符：内容已被改动或损坏（未恢复任何内容）")]
    Checksum { file: PathBuf },
    #[error("备份时树 {tree} 的记录数在读取中途改变（{expected} 条变为 {found} 条），备份已放弃")]
    Unstable {
        tree: String,
        expected: u64,
        found: u64,
    },
    #[error(
        "恢复目标 {dir} 不是空目录；要用备份替换它请加 --replace（原目录会被移到一旁保留，不会删除）"
    )]
    TargetNotEmpty { dir: PathBuf },
    #[error(
        "数据库 {dir} 正被另一个 cadre 进程使用，不能恢复到这里；请先退出使用它的程序（或停止 cadre serve）"
    )]
    InUse { dir: PathBuf },
    #[error("恢复到 {dir} 时出错：{source}")]
    Restore { dir: PathBuf, source: io::Error },
    #[error(
        "恢复到 {dir} 的数据库未通过检查：{count} 处问题，第一处：[{tree}] {problem}（原目录未改动）"
    )]
    CheckFailed {
        dir: PathBuf,
        count: usize,
        tree: &'static str,
        problem: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("数据库错误：{0}")]
    Sled(#[from] sled::Error),
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;

/// A writer that hashes what passes through it and counts the bytes.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Creates a file only its owner can read and write, failing if it exists.
fn create_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Flushes a directory entry (the rename) to disk; best effort where not supported.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cadre".into());
    parent_of(path).join(format!("{name}{suffix}"))
}

/// Writes the snapshot; see `Store::backup`.
pub(super) fn backup(store: &Store, out: &Path) -> Result<BackupSummary> {
    let tmp = sibling(
        out,
        &format!(".tmp-{}-{}", std::process::id(), store.generation()?),
    );
    let werr = |source| BackupError::Write {
        file: out.to_path_buf(),
        source,
    };
    let file = create_private(&tmp).map_err(werr)?;
    let result = write_snapshot(store, file, out);
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    if let Err(e) = fs::rename(&tmp, out) {
        let _ = fs::remove_file(&tmp);
        return Err(werr(e));
    }
    sync_dir(&parent_of(out));
    Ok(summary)
}

fn write_snapshot(store: &Store, file: File, out: &Path) -> Result<BackupSummary> {
    let werr = |source| BackupError::Write {
        file: out.to_path_buf(),
        source,
    };
    let mut w = Hashing {
        inner: BufWriter::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        written: 0,
    };
    let mut names = store.db.tree_names();
    names.sort();
    let mut entries = 0u64;
    let mut dossiers = 0u64;
    {
        // No write lands while the trees are read, so every tree is at the same instant.
        // Readers are not held up: they never take the gate.
        let _exclusive = store.gate.write().unwrap_or_else(|e| e.into_inner());
        w.write_all(MAGIC).map_err(werr)?;
        w.write_all(&FORMAT_VERSION.to_be_bytes()).map_err(werr)?;
        w.write_all(&(names.len() as u32).to_be_bytes())
            .map_err(werr)?;
        for name in &names {
            let tree = store.db.open_tree(name)?;
            let count = tree.len() as u64;
            w.write_all(&(name.len() as u16).to_be_bytes())
                .map_err(werr)?;
            w.write_all(name).map_err(werr)?;
            w.write_all(&count.to_be_bytes()).map_err(werr)?;
            let mut seen = 0u64;
            for kv in tree.iter() {
                let (k, v) = kv?;
                w.write_all(&(k.len() as u32).to_be_bytes()).map_err(werr)?;
                w.write_all(&k).map_err(werr)?;
                w.write_all(&(v.len() as u32).to_be_bytes()).map_err(werr)?;
                w.write_all(&v).map_err(werr)?;
                seen += 1;
            }
            if seen != count {
                return Err(BackupError::Unstable {
                    tree: String::from_utf8_lossy(name).into_owned(),
                    expected: count,
                    found: seen,
                });
            }
            entries += count;
            if name.as_ref() == super::TREE_DOSSIERS.as_bytes() {
                dossiers = count;
            }
        }
    }
    let digest = w.hasher.clone().finalize();
    w.inner.write_all(&digest).map_err(werr)?;
    let bytes = w.written + CHECKSUM_LEN;
    let file = w.inner.into_inner().map_err(|e| werr(e.into_error()))?;
    file.sync_all().map_err(werr)?;
    Ok(BackupSummary {
        file: out.to_path_buf(),
        trees: names.len(),
        entries,
        dossiers,
        bytes,
        sha256: super::hex(&digest),
    })
}

/// Reads the structure of a backup, handing each tree and entry to `sink`; reports where the
/// data ran out.
struct Parser<R> {
    r: R,
    at: u64,
    file: PathBuf,
}

impl<R: Read> Parser<R> {
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        let got = (&mut self.r)
            .take(n as u64)
            .read_to_end(&mut buf)
            .map_err(|source| BackupError::Read {
                file: self.file.clone(),
                source,
            })?;
        self.at += got as u64;
        if got < n {
            return Err(BackupError::Truncated {
                file: self.file.clone(),
                at: self.at,
            });
        }
        Ok(buf)
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(
            self.bytes(2)?.try_into().unwrap_or_default(),
        ))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(
            self.bytes(4)?.try_into().unwrap_or_default(),
        ))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(
            self.bytes(8)?.try_into().unwrap_or_default(),
        ))
    }

    /// Walks every section up to (not including) the checksum.
    fn sections(
        &mut self,
        mut sink: impl FnMut(Section<'_>) -> Result<()>,
    ) -> Result<(usize, u64)> {
        let trees = self.u32()? as usize;
        let mut entries = 0u64;
        for _ in 0..trees {
            let len = self.u16()? as usize;
            let name = self.bytes(len)?;
            let count = self.u64()?;
            sink(Section::Tree(&name))?;
            for _ in 0..count {
                let klen = self.u32()? as usize;
                let k = self.bytes(klen)?;
                let vlen = self.u32()? as usize;
                let v = self.bytes(vlen)?;
                sink(Section::Entry(&k, &v))?;
            }
            entries += count;
        }
        Ok((trees, entries))
    }
}

enum Section<'a> {
    Tree(&'a [u8]),
    Entry(&'a [u8], &'a [u8]),
}

fn open_read(file: &Path) -> Result<(File, u64)> {
    let rerr = |source| BackupError::Read {
        file: file.to_path_buf(),
        source,
    };
    let f = File::open(file).map_err(rerr)?;
    let len = f.metadata().map_err(rerr)?.len();
    Ok((f, len))
}

/// Checks magic, version, structure and checksum of a backup file without writing anything.
/// Returns the number of trees and entries it holds.
pub fn verify(file: &Path) -> Result<(usize, u64)> {
    let (f, len) = open_read(file)?;
    let path = file.to_path_buf();
    let mut head = Vec::new();
    (&f).take(HEADER_LEN)
        .read_to_end(&mut head)
        .map_err(|source| BackupError::Read {
            file: path.clone(),
            source,
        })?;
    let magic_len = head.len().min(MAGIC.len());
    if head[..magic_len] != MAGIC[..magic_len] || (len > 0 && magic_len == 0) || len == 0 {
        return Err(BackupError::NotABackup { file: path });
    }
    if head.len() < 10 {
        return Err(BackupError::Truncated {
            file: path,
            at: len,
        });
    }
    let found = u16::from_be_bytes([head[8], head[9]]);
    if found != FORMAT_VERSION {
        return Err(BackupError::Version { file: path, found });
    }
    // The structure first: a file cut short runs out inside it, whatever the checksum.
    let mut hasher = Sha256::new();
    hasher.update(&head[..10]);
    let reader = HashingReader {
        inner: BufReader::with_capacity(
            1 << 20,
            File::open(file).map_err(|source| BackupError::Read {
                file: path.clone(),
                source,
            })?,
        ),
        hasher: None,
    };
    let mut p = Parser {
        r: reader,
        at: 0,
        file: path.clone(),
    };
    p.bytes(10)?;
    p.r.hasher = Some(hasher);
    let (trees, entries) = p.sections(|_| Ok(()))?;
    let body_end = p.at;
    let digest = p.r.hasher.take().map(|h| h.finalize()).unwrap_or_default();
    let stored = match p.bytes(CHECKSUM_LEN as usize) {
        Ok(b) => b,
        Err(BackupError::Truncated { .. }) => {
            return Err(BackupError::Truncated {
                file: path,
                at: len,
            });
        }
        Err(e) => return Err(e),
    };
    if stored[..] != digest[..] || len != body_end + CHECKSUM_LEN {
        return Err(BackupError::Checksum { file: path });
    }
    Ok((trees, entries))
}

struct HashingReader<R> {
    inner: R,
    hasher: Option<Sha256>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

fn is_empty_dir(dir: &Path) -> io::Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// Owner-only permissions on a restored database: directories 0700, files 0600.
fn restrict_tree(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::symlink_metadata(path)?;
        if meta.is_dir() {
            fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
            for entry in fs::read_dir(path)? {
                restrict_tree(&entry?.path())?;
            }
        } else if meta.is_file() {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Restores a backup into the database directory `dir`; see `Store::restore`.
pub(super) fn restore(file: &Path, dir: &Path, opts: RestoreOptions) -> Result<RestoreSummary> {
    let derr = |source| BackupError::Restore {
        dir: dir.to_path_buf(),
        source,
    };
    // Everything is checked before anything is written.
    verify(file)?;
    let occupied = !is_empty_dir(dir).map_err(derr)?;
    if occupied && !opts.replace {
        return Err(BackupError::TargetNotEmpty {
            dir: dir.to_path_buf(),
        });
    }
    if occupied {
        ensure_not_in_use(dir)?;
    }
    let key = match opts.key {
        crate::store::crypto::KeySource::DefaultFile => {
            let beside = crate::store::crypto::default_key_file(dir);
            if !beside.exists() {
                return Err(BackupError::NoKey {
                    dir: dir.to_path_buf(),
                    expected: beside,
                });
            }
            crate::store::crypto::KeySource::File(beside)
        }
        other => other,
    };
    // The trees go to a staging directory next to the target, which takes the target's place
    // only once the restored database has passed `check`.
    let staging = sibling(dir, &format!(".restoring-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(derr)?;
    }
    let staged = write_staging(file, &staging, dir, key);
    let (trees, entries, dossiers) = match staged {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let mut moved_aside = None;
    if dir.exists() {
        if occupied {
            let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
            let mut aside = sibling(dir, &format!(".before-restore-{stamp}"));
            let mut n = 1;
            while aside.exists() {
                n += 1;
                aside = sibling(dir, &format!(".before-restore-{stamp}-{n}"));
            }
            fs::rename(dir, &aside).map_err(derr)?;
            moved_aside = Some(aside);
        } else {
            fs::remove_dir(dir).map_err(derr)?;
        }
    }
    fs::rename(&staging, dir).map_err(derr)?;
    sync_dir(&parent_of(dir));
    Ok(RestoreSummary {
        dir: dir.to_path_buf(),
        trees,
        entries,
        dossiers,
        moved_aside,
    })
}

/// Refuses a database directory some process has open: sled holds an exclusive `flock` on its
/// `db` file while open (released a moment after close, hence the short wait).
fn ensure_not_in_use(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        let Ok(file) = File::open(dir.join("db")) else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        loop {
            // SAFETY: flock on a descriptor we own; the lock goes with the file when dropped.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc == 0 {
                return Ok(());
            }
            if started.elapsed() > std::time::Duration::from_millis(1500) {
                return Err(BackupError::InUse {
                    dir: dir.to_path_buf(),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

fn write_staging(
    file: &Path,
    staging: &Path,
    target: &Path,
    key: crate::store::crypto::KeySource,
) -> Result<(usize, u64, usize)> {
    let serr = |source| BackupError::Restore {
        dir: staging.to_path_buf(),
        source,
    };
    fs::create_dir_all(staging).map_err(serr)?;
    restrict_tree(staging).map_err(serr)?;
    let (trees, entries) = {
        let db = sled::Config::new()
            .path(staging)
            .flush_every_ms(None)
            .open()?;
        let (f, _) = open_read(file)?;
        let mut p = Parser {
            r: BufReader::with_capacity(1 << 20, f),
            at: 0,
            file: file.to_path_buf(),
        };
        p.bytes(HEADER_LEN as usize - 4)?;
        let mut tree: Option<sled::Tree> = None;
        let mut batch = sled::Batch::default();
        let mut pending = 0usize;
        let counts = p.sections(|s| {
            match s {
                Section::Tree(name) => {
                    if let Some(t) = &tree {
                        t.apply_batch(std::mem::take(&mut batch))?;
                        pending = 0;
                    }
                    tree = Some(db.open_tree(name)?);
                }
                Section::Entry(k, v) => {
                    batch.insert(k, v);
                    pending += 1;
                    if pending >= 5000
                        && let Some(t) = &tree
                    {
                        t.apply_batch(std::mem::take(&mut batch))?;
                        pending = 0;
                    }
                }
            }
            Ok(())
        })?;
        if let Some(t) = &tree {
            t.apply_batch(std::mem::take(&mut batch))?;
        }
        db.flush()?;
        counts
    };
    // Opened as the application opens it (an import the snapshot caught half-way is rolled
    // back here), then checked.
    let report = {
        let options = crate::store::StoreOptions {
            key,
            ..Default::default()
        };
        let store = Store::open_with(staging, &options)?;
        let report = store.check()?;
        store.flush()?;
        report
    };
    if let Some(first) = report.issues.first() {
        return Err(BackupError::CheckFailed {
            dir: target.to_path_buf(),
            count: report.issues.len(),
            tree: first.tree,
            problem: first.problem.clone(),
        });
    }
    restrict_tree(staging).map_err(serr)?;
    Ok((trees, entries, report.dossiers))
}
