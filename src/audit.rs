//! The audit trail: an append-only, hash-chained record of who did what, to which dossier, with
//! what outcome. Owns the on-disk format (monthly JSON Lines files in a 0700 directory beside the
//! database), the chain, rotation, retention (`prune`), recovery of a torn last line and
//! verification. Must not decide what is audited (the service's session layer does) and must
//! not hold dossier contents: a target is a dossier number, a unit id, a file path or a query.
//!
//! One entry per line, fields in this order: `seq`, `time`, `user`, `action`, `target`,
//! `outcome`, `reason` (only when there is one), `prev`, `hash`. `prev` is the hex SHA-256 of
//! the previous line as stored (64 zeros for the very first entry; after a prune, the hash kept
//! in `anchor.json`); `hash` is the hex SHA-256 of the line's canonical form without `hash`
//! (compact JSON of the other fields in the order above). A line is written exactly in its
//! canonical form, so any change to it, even of spacing, is found by `verify`.

use std::collections::VecDeque;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Entries are kept at least this many days; `prune` refuses any later cut.
pub const RETENTION_DAYS: i32 = 180;

/// `prev` of the very first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The file that carries the chain over entries removed by `prune`.
pub const ANCHOR_FILE: &str = "anchor.json";

/// Held (flock) by the one process that appends.
const LOCK_FILE: &str = ".lock";

/// Longest `user`, `target` or `reason` kept, in characters; longer text is cut and marked.
pub const MAX_FIELD_CHARS: usize = 2048;

/// The audit directory of an embedded database: `<db path>.audit`, a sibling of the database
/// directory, so the database files themselves hold no plaintext trail.
pub fn audit_dir_for(db: &Path) -> PathBuf {
    let db = if db.file_name().is_none() {
        // "." or "dir/..": name the directory it stands for.
        fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf())
    } else {
        db.to_path_buf()
    };
    match (db.parent(), db.file_name()) {
        (Some(parent), Some(name)) => {
            let mut name = name.to_os_string();
            name.push(".audit");
            parent.join(name)
        }
        _ => PathBuf::from("cadre.audit"),
    }
}

/// What was done. Serialized in snake_case (`key_rotate`); `cadre audit --action` takes the
/// same names or the Chinese labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Query,
    Edit,
    Create,
    Undo,
    Import,
    Export,
    Report,
    Login,
    Logout,
    Denied,
    Backup,
    Restore,
    Roles,
    KeyRotate,
    AuditRead,
    AuditPrune,
    AuditRecover,
    SessionLock,
    SessionUnlock,
    ServiceStart,
    ServiceStop,
}

impl Action {
    pub const ALL: [Action; 22] = [
        Action::View,
        Action::Query,
        Action::Edit,
        Action::Create,
        Action::Undo,
        Action::Import,
        Action::Export,
        Action::Report,
        Action::Login,
        Action::Logout,
        Action::Denied,
        Action::Backup,
        Action::Restore,
        Action::Roles,
        Action::KeyRotate,
        Action::AuditRead,
        Action::AuditPrune,
        Action::AuditRecover,
        Action::SessionLock,
        Action::SessionUnlock,
        Action::ServiceStart,
        Action::ServiceStop,
    ];

    /// The name as stored (snake_case).
    pub fn name(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Query => "query",
            Action::Edit => "edit",
            Action::Create => "create",
            Action::Undo => "undo",
            Action::Import => "import",
            Action::Export => "export",
            Action::Report => "report",
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Denied => "denied",
            Action::Backup => "backup",
            Action::Restore => "restore",
            Action::Roles => "roles",
            Action::KeyRotate => "key_rotate",
            Action::AuditRead => "audit_read",
            Action::AuditPrune => "audit_prune",
            Action::AuditRecover => "audit_recover",
            Action::SessionLock => "session_lock",
            Action::SessionUnlock => "session_unlock",
            Action::ServiceStart => "service_start",
            Action::ServiceStop => "service_stop",
        }
    }

    /// What a clerk reads in the listing.
    pub fn label(self) -> &'static str {
        match self {
            Action::View => "查看档案",
            Action::Query => "查询",
            Action::Edit => "修改",
            Action::Create => "新建",
            Action::Undo => "撤销修改",
            Action::Import => "导入",
            Action::Export => "导出",
            Action::Report => "报表",
            Action::Login => "登录",
            Action::Logout => "退出",
            Action::Denied => "拒绝访问",
            Action::Backup => "备份",
            Action::Restore => "恢复",
            Action::Roles => "角色设置",
            Action::KeyRotate => "更换密钥",
            Action::AuditRead => "查阅审计",
            Action::AuditPrune => "清理审计",
            Action::AuditRecover => "审计修复",
            Action::SessionLock => "会话锁定",
            Action::SessionUnlock => "会话解锁",
            Action::ServiceStart => "服务启动",
            Action::ServiceStop => "服务停止",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Action {
    type Err = String;

    /// A stored name (`key_rotate`, `key-rotate`) or a Chinese label (`查看档案`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().replace('-', "_").to_ascii_lowercase();
        Action::ALL
            .into_iter()
            .find(|a| a.name() == t || a.label() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                format!("未知的操作“{s}”，可用：{}", names.join("、"))
            })
    }
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "成功",
            Outcome::Denied => "拒绝",
            Outcome::Failed => "失败",
        }
    }
}

impl std::str::FromStr for Outcome {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        [Outcome::Ok, Outcome::Denied, Outcome::Failed]
            .into_iter()
            .find(|o| o.name() == t || o.label() == s.trim())
            .ok_or_else(|| format!("未知的结果“{s}”，可用：ok、denied、failed"))
    }
}

/// What the caller records; `Audit::append` adds the number, time and chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Operating-system user name, as the kernel gave it to the service.
    pub user: String,
    pub action: Action,
    /// `#123` for a dossier, a unit id, a file path, a query text.
    pub target: String,
    pub outcome: Outcome,
    pub reason: Option<String>,
}

impl Event {
    /// A successful action.
    pub fn new(user: impl Into<String>, action: Action, target: impl Into<String>) -> Event {
        Event {
            user: user.into(),
            action,
            target: target.into(),
            outcome: Outcome::Ok,
            reason: None,
        }
    }

    /// The same event, refused for `reason`.
    pub fn denied(mut self, reason: impl Into<String>) -> Event {
        self.outcome = Outcome::Denied;
        self.reason = Some(reason.into());
        self
    }

    /// The same event, failed for `reason`.
    pub fn failed(mut self, reason: impl Into<String>) -> Event {
        self.outcome = Outcome::Failed;
        self.reason = Some(reason.into());
        self
    }

    /// The same event with a note (an outcome `ok` may carry one too).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Event {
        self.reason = Some(reason.into());
        self
    }
}

/// One line of the trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// RFC 3339, local time with its offset, to the millisecond.
    pub time: String,
    pub user: String,
    pub action: Action,
    pub target: String,
    pub outcome: Outcome,
    /// Omitted from the stored line when None (see `Body`); always present in this type's own
    /// serde form, so that it also travels in bincode.
    #[serde(default)]
    pub reason: Option<String>,
    pub prev: String,
    pub hash: String,
}

/// The hashed fields, in their canonical order.
#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    time: &'a str,
    user: &'a str,
    action: Action,
    target: &'a str,
    outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    prev: &'a str,
}

impl Entry {
    fn body(&self) -> String {
        serde_json::to_string(&Body {
            seq: self.seq,
            time: &self.time,
            user: &self.user,
            action: self.action,
            target: &self.target,
            outcome: self.outcome,
            reason: self.reason.as_deref(),
            prev: &self.prev,
        })
        .expect("an entry serializes")
    }

    /// The hex SHA-256 of the canonical form of every field but `hash`.
    pub fn compute_hash(&self) -> String {
        sha256_hex(self.body().as_bytes())
    }

    /// The line exactly as it is stored (without the newline).
    pub fn line(&self) -> String {
        let mut body = self.body();
        body.pop(); // the closing brace
        format!("{body},\"hash\":\"{}\"}}", self.hash)
    }

    /// The day of `time`, in the offset it was written with.
    pub fn date(&self) -> Option<Date> {
        self.time.get(..10)?.parse().ok()
    }
}

/// Which entries `entries` lists. Every given condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// Exactly this user.
    pub user: Option<String>,
    pub action: Option<Action>,
    /// Target contains this text.
    pub target: Option<String>,
    /// On or after this day.
    pub since: Option<Date>,
    /// On or before this day.
    pub until: Option<Date>,
    pub outcome: Option<Outcome>,
    /// Only the newest N of those that match.
    pub limit: Option<usize>,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let day = e.date();
        self.user.as_ref().is_none_or(|u| &e.user == u)
            && self.action.is_none_or(|a| e.action == a)
            && self
                .target
                .as_ref()
                .is_none_or(|t| e.target.contains(t.as_str()))
            && self.outcome.is_none_or(|o| e.outcome == o)
            && self.since.is_none_or(|s| day.is_some_and(|d| d >= s))
            && self.until.is_none_or(|u| day.is_some_and(|d| d <= u))
    }
}

/// What `entries` found: the matching entries, oldest first, and how many lines could not be
/// read (run `verify` to see which and why).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    /// How many matched before `limit` kept the newest.
    pub matched: u64,
    pub unreadable: u64,
}

/// Where the chain continues after `prune` removed older files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The last removed entry's number.
    pub seq: u64,
    /// Hex SHA-256 of the last removed entry's line: the `prev` of entry `seq + 1`.
    pub hash: String,
    /// The newest file removed.
    pub file: String,
    /// The cut given to `prune`.
    pub before: String,
    /// When the prune ran.
    pub time: String,
}

impl Anchor {
    /// The target of the `audit_prune` entry that vouches for this anchor.
    pub fn target(&self) -> String {
        format!("anchor {} {}", self.seq, self.hash)
    }
}

/// What `prune` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub removed: Vec<PathBuf>,
    pub entries: u64,
    pub anchor: Option<Anchor>,
}

/// What `open` found and repaired at the end of the newest file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// The last line was a whole, well-chained entry whose newline was not written: completed.
    Completed { file: PathBuf, line: usize },
    /// The last line was cut off by a crash: moved to `saved_to`, truncated, and an
    /// `audit_recover` entry appended saying so.
    Truncated {
        file: PathBuf,
        line: usize,
        bytes: usize,
        saved_to: PathBuf,
    },
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recovery::Completed { file, line } => write!(
                f,
                "审计日志 {} 第 {line} 行缺少换行符（写入时中断），内容完整，已补上换行",
                file.display()
            ),
            Recovery::Truncated {
                file,
                line,
                bytes,
                saved_to,
            } => write!(
                f,
                "审计日志 {} 第 {line} 行不完整（{bytes} 字节，写入时中断），已截去并另存为 {}，并记录了一条 audit_recover",
                file.display(),
                saved_to.display()
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("审计日志 {}：{source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("审计日志目录 {} 正被另一个进程使用（cadre serve 在运行？），请通过服务操作或先停止服务", dir.display())]
    Busy { dir: PathBuf },
    #[error("审计日志 {} 第 {line} 行：{reason}；无法接续哈希链，请先运行 cadre audit verify", path.display())]
    Tail {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("审计日志 {}：上次写入失败且未能复原，已停止记录（{reason}）；请检查磁盘后重新打开", path.display())]
    Broken { path: PathBuf, reason: String },
    #[error(
        "不能清理 {before} 之前的记录：审计记录至少保留 {RETENTION_DAYS} 天，--before 最晚为 {latest}"
    )]
    Retention { before: Date, latest: Date },
    #[error("审计日志校验未通过，拒绝清理：{0}")]
    NotIntact(Box<VerifyReport>),
    #[error("审计日志锚点 {}：{reason}", path.display())]
    Anchor { path: PathBuf, reason: String },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the entries' time comes from (tests set it; the service uses the system clock).
pub type Clock = Arc<dyn Fn() -> jiff::Zoned + Send + Sync>;

/// The system clock in the system time zone.
pub fn system_clock() -> Clock {
    Arc::new(jiff::Zoned::now)
}

/// The append side of one audit directory. Share it through an `Arc`: `append` takes `&self`
/// and serializes writers internally. Only one process may hold a directory open.
pub struct Audit {
    dir: PathBuf,
    clock: Clock,
    writer: Mutex<Writer>,
    recovery: Option<Recovery>,
    _lock: File,
}

struct Writer {
    /// The newest file and its month, once there is one.
    current: Option<Current>,
    next_seq: u64,
    /// Hex SHA-256 of the last line.
    prev: String,
    /// Set when a failed write could not be undone: nothing more is appended.
    broken: Option<(PathBuf, String)>,
}

struct Current {
    path: PathBuf,
    month: (i16, i8),
    file: Option<File>,
    len: u64,
}

impl Audit {
    /// Opens (creating it 0700 when missing) the directory with the system clock.
    pub fn open(dir: &Path) -> Result<Audit, AuditError> {
        Audit::open_with_clock(dir, system_clock())
    }

    /// Opens the directory: takes its lock, reads the tail of the newest file to continue the
    /// chain, and repairs a last line torn by a crash (see `Recovery`); a damaged complete
    /// line is refused (`AuditError::Tail`), never chained over.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Audit, AuditError> {
        create_private_dir(dir)?;
        let lock = take_lock(dir)?;
        let anchor = read_anchor(dir)?;
        let files = list_files(dir).map_err(io_err(dir))?;
        let mut writer = Writer {
            current: files.last().map(|(path, month)| Current {
                path: path.clone(),
                month: *month,
                file: None,
                len: 0,
            }),
            next_seq: anchor.as_ref().map_or(1, |a| a.seq + 1),
            prev: anchor
                .as_ref()
                .map_or_else(|| GENESIS.to_string(), |a| a.hash.clone()),
            broken: None,
        };
        let mut torn = None;
        // The newest file with a line in it holds the chain's end; only its last line may be
        // torn (a crash in the middle of an append).
        for (path, _) in files.iter().rev() {
            let tail = read_tail(path)?;
            let lines = || count_lines(path).unwrap_or(0);
            if let Some(bytes) = tail.torn {
                if torn.is_some() {
                    return Err(AuditError::Tail {
                        path: path.clone(),
                        line: lines(),
                        reason: Fault::Torn.to_string(),
                    });
                }
                torn = Some((path.clone(), tail.complete_len, bytes));
            }
            if let Some(last) = &tail.last {
                let e = check_line(last).map_err(|reason| AuditError::Tail {
                    path: path.clone(),
                    line: lines() - usize::from(torn.is_some()),
                    reason,
                })?;
                writer.next_seq = e.seq + 1;
                writer.prev = sha256_hex(last);
                break;
            }
        }
        let mut audit = Audit {
            dir: dir.to_path_buf(),
            clock,
            writer: Mutex::new(writer),
            recovery: None,
            _lock: lock,
        };
        if let Some((path, complete_len, bytes)) = torn {
            audit.recovery = Some(audit.repair_torn(&path, complete_len, &bytes)?);
        }
        Ok(audit)
    }

    /// The directory this trail lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What `open` repaired, if anything (the service logs it).
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// The number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.lock().next_seq
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one entry and returns its number once it is on disk (written with one write
    /// call and `fdatasync`ed): the caller may act on success only.
    pub fn append(&self, event: Event) -> Result<u64, AuditError> {
        let mut w = self.lock();
        self.append_locked(&mut w, event)
    }

    fn append_locked(&self, w: &mut Writer, event: Event) -> Result<u64, AuditError> {
        if let Some((path, reason)) = &w.broken {
            return Err(AuditError::Broken {
                path: path.clone(),
                reason: reason.clone(),
            });
        }
        let now = (self.clock)();
        let mut entry = Entry {
            seq: w.next_seq,
            time: now.strftime("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
            user: cap(event.user),
            action: event.action,
            target: cap(event.target),
            outcome: event.outcome,
            reason: event.reason.map(cap),
            prev: w.prev.clone(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        let line = entry.line();
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');

        let cur = self.current_file(w, (now.year(), now.month()))?;
        let file = cur.file.as_mut().expect("opened by current_file");
        let written = file.write_all(&buf).and_then(|()| file.sync_data());
        if let Err(source) = written {
            // Take back whatever part of the line reached the file, so the next entry is not
            // chained over a torn one; if that fails too, stop recording.
            let undo = file.set_len(cur.len).and_then(|()| file.sync_data());
            let path = cur.path.clone();
            if let Err(e) = undo {
                w.broken = Some((path.clone(), e.to_string()));
            }
            return Err(AuditError::Io { path, source });
        }
        cur.len += buf.len() as u64;
        w.next_seq += 1;
        w.prev = sha256_hex(line.as_bytes());
        Ok(entry.seq)
    }

    /// The file for an entry of `month`: the newest one, or a new one when the month has
    /// moved on (never an older file, even when the clock went back).
    fn current_file<'w>(
        &self,
        w: &'w mut Writer,
        month: (i16, i8),
    ) -> Result<&'w mut Current, AuditError> {
        let rotate = w.current.as_ref().is_none_or(|c| month > c.month);
        if rotate {
            let path = self.dir.join(file_name(month));
            let mut opts = OpenOptions::new();
            opts.append(true).create(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let file = opts.open(&path).map_err(io_err(&path))?;
            sync_dir(&self.dir)?;
            w.current = Some(Current {
                path,
                month,
                file: Some(file),
                len: 0,
            });
        }
        let cur = w.current.as_mut().expect("set above");
        if cur.file.is_none() {
            let file = OpenOptions::new()
                .append(true)
                .open(&cur.path)
                .map_err(io_err(&cur.path))?;
            cur.len = file.metadata().map_err(io_err(&cur.path))?.len();
            cur.file = Some(file);
        }
        Ok(cur)
    }

    /// The entries `filter` selects, oldest first. Appends go on meanwhile: the newest file is
    /// read up to where it ended when the listing began.
    pub fn entries(&self, filter: &Filter) -> Result<Listing, AuditError> {
        let cut = {
            let w = self.lock();
            w.current.as_ref().map(|c| {
                let len = c
                    .file
                    .as_ref()
                    .map(|_| c.len)
                    .or_else(|| fs::metadata(&c.path).ok().map(|m| m.len()))
                    .unwrap_or(0);
                (c.path.clone(), len)
            })
        };
        list_until(&self.dir, filter, cut)
    }

    /// Verifies the chain with appends held back meanwhile.
    pub fn verify(&self) -> VerifyReport {
        let _w = self.lock();
        verify(&self.dir)
    }

    /// Removes whole monthly files whose every entry is dated before `before`, oldest first,
    /// never the newest file. Refuses a `before` later than 180 days ago and a chain that does
    /// not verify. Appends an `audit_prune` entry by `user` and writes `anchor.json` (the last
    /// removed entry's number and line hash) so the rest still verifies.
    pub fn prune(&self, before: Date, user: &str) -> Result<PruneReport, AuditError> {
        let today = (self.clock)().date();
        let latest = today.saturating_sub(jiff::Span::new().days(RETENTION_DAYS));
        if before > latest {
            return Err(AuditError::Retention { before, latest });
        }
        let mut w = self.lock();
        let report = verify(&self.dir);
        if report.fault.is_some() {
            return Err(AuditError::NotIntact(Box::new(report)));
        }
        let files = list_files(&self.dir).map_err(io_err(&self.dir))?;
        let newest = files.last().map(|(p, _)| p.clone());
        let mut removable = Vec::new();
        let mut last: Option<(String, Entry, String)> = None;
        let mut count = 0u64;
        for (path, _) in &files {
            if Some(path) == newest.as_ref() {
                break;
            }
            let mut all_before = true;
            let mut file_last = None;
            let mut n = 0u64;
            for rec in read_records(path).map_err(io_err(path))? {
                let rec = rec.map_err(io_err(path))?;
                let e = check_line(&rec.raw).map_err(|reason| AuditError::Tail {
                    path: path.clone(),
                    line: rec.line,
                    reason,
                })?;
                if e.date().is_none_or(|d| d >= before) {
                    all_before = false;
                    break;
                }
                n += 1;
                file_last = Some((sha256_hex(&rec.raw), e));
            }
            if !all_before {
                break;
            }
            removable.push(path.clone());
            count += n;
            if let Some((hash, e)) = file_last {
                last = Some((name_of(path), e, hash));
            }
        }
        if removable.is_empty() {
            return Ok(PruneReport::default());
        }
        let anchor = last.map(|(file, e, hash)| Anchor {
            seq: e.seq,
            hash,
            file,
            before: before.to_string(),
            time: (self.clock)().strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        });
        if let Some(a) = &anchor {
            // The entry first (it vouches for the anchor), then the anchor, then the removal:
            // a crash in between leaves a trail that still verifies.
            let names: Vec<String> = removable.iter().map(|p| name_of(p)).collect();
            self.append_locked(
                &mut w,
                Event::new(user, Action::AuditPrune, a.target()).with_reason(format!(
                    "删除早于 {before} 的 {}（序号 ≤ {}）",
                    names.join("、"),
                    a.seq
                )),
            )?;
            let text = serde_json::to_string_pretty(a).expect("an anchor serializes");
            write_atomic(&self.dir.join(ANCHOR_FILE), text.as_bytes())?;
        }
        for p in &removable {
            fs::remove_file(p).map_err(io_err(p))?;
        }
        sync_dir(&self.dir)?;
        Ok(PruneReport {
            removed: removable,
            entries: count,
            anchor,
        })
    }

    /// Completes or cuts off the torn last line of `path` (see `Recovery`).
    fn repair_torn(
        &self,
        path: &Path,
        complete_len: u64,
        torn: &[u8],
    ) -> Result<Recovery, AuditError> {
        let line = count_lines(path).map_err(io_err(path))?;
        let mut w = self.lock();
        let whole = check_line(torn)
            .ok()
            .filter(|e| e.seq == w.next_seq && e.prev == w.prev);
        let mut file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io_err(path))?;
        if let Some(e) = whole {
            file.write_all(b"\n")
                .and_then(|()| file.sync_data())
                .map_err(io_err(path))?;
            w.next_seq = e.seq + 1;
            w.prev = sha256_hex(torn);
            return Ok(Recovery::Completed {
                file: path.to_path_buf(),
                line,
            });
        }
        let stamp = jiff::Timestamp::now().as_second();
        let saved_to = path.with_file_name(format!("{}.torn-{stamp}", name_of(path)));
        write_atomic(&saved_to, torn)?;
        file.set_len(complete_len)
            .and_then(|()| file.sync_data())
            .map_err(io_err(path))?;
        drop(file);
        let recovery = Recovery::Truncated {
            file: path.to_path_buf(),
            line,
            bytes: torn.len(),
            saved_to: saved_to.clone(),
        };
        self.append_locked(
            &mut w,
            Event::new(
                crate::user::current_user(),
                Action::AuditRecover,
                format!("{} 第 {line} 行", name_of(path)),
            )
            .failed(format!(
                "末行不完整（{} 字节，写入时中断），已截去并另存为 {}",
                torn.len(),
                name_of(&saved_to)
            )),
        )?;
        Ok(recovery)
    }
}

/// Lists the entries of a directory no process is writing to, or is (a line being written
/// is counted as unreadable, not listed).
pub fn entries(dir: &Path, filter: &Filter) -> Result<Listing, AuditError> {
    list_until(dir, filter, None)
}

fn list_until(
    dir: &Path,
    filter: &Filter,
    cut: Option<(PathBuf, u64)>,
) -> Result<Listing, AuditError> {
    let mut out = Listing::default();
    let mut kept: VecDeque<Entry> = VecDeque::new();
    let files = match list_files(dir) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_err(dir)(e)),
    };
    for (path, _) in files {
        let limit = cut
            .as_ref()
            .filter(|(p, _)| *p == path)
            .map(|(_, len)| *len);
        let records = match read_records_limited(&path, limit) {
            Ok(r) => r,
            // Removed by a prune since the directory was listed.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&path)(e)),
        };
        for rec in records {
            let rec = rec.map_err(io_err(&path))?;
            let parsed = rec
                .terminated
                .then(|| serde_json::from_slice::<Entry>(&rec.raw).ok())
                .flatten();
            let Some(e) = parsed else {
                out.unreadable += 1;
                continue;
            };
            if filter.matches(&e) {
                out.matched += 1;
                kept.push_back(e);
                if filter.limit.is_some_and(|n| kept.len() > n) {
                    kept.pop_front();
                }
            }
        }
    }
    out.entries = kept.into();
    Ok(out)
}

/// What is wrong with an entry (or the anchor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The last line is incomplete: a write was cut off, or the file was truncated.
    Torn,
    /// Not an entry at all.
    Unreadable(String),
    /// The hash does not match the fields: edited.
    Edited,
    /// Same fields and hash, but not written like this: edited.
    Reformatted,
    /// A gap in the numbers: entries `first..=last` were deleted.
    Deleted { first: u64, last: u64 },
    /// Entry `expected` belongs here and turns up later: lines were moved.
    Reordered { expected: u64 },
    /// The numbers go back (expected `expected`): moved or duplicated.
    SeqBack { expected: u64 },
    /// A line the chain goes around: the entry after it continues from the one before it.
    Inserted,
    /// `prev` is not the hash of the line before: inserted, moved, or the line before was
    /// rewritten with its hash recomputed.
    PrevMismatch,
    /// The entry the anchor names does not have the anchor's hash.
    AnchorMismatch,
    /// No `audit_prune` entry vouches for the anchor.
    AnchorUnconfirmed,
    /// The anchor file cannot be read.
    AnchorUnreadable(String),
    /// A file or the directory cannot be read.
    Io(String),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Torn => f.write_str("末行不完整：写入时中断，或文件被截断"),
            Fault::Unreadable(why) => write!(f, "无法解析（{why}）：这一行被改写或损坏"),
            Fault::Edited => f.write_str("哈希不符：这条记录的内容被改动过（hash mismatch）"),
            Fault::Reformatted => f.write_str("与写入时的格式不符：这条记录被改动过"),
            Fault::Deleted { first, last } if first == last => {
                write!(f, "序号跳跃：缺少序号 {first} 的记录，已被删除（seq gap）")
            }
            Fault::Deleted { first, last } => write!(
                f,
                "序号跳跃：缺少序号 {first}–{last} 的 {} 条记录，已被删除（seq gap）",
                last - first + 1
            ),
            Fault::Reordered { expected } => write!(
                f,
                "顺序被调换：此处应为序号 {expected}，它出现在后面（prev mismatch）"
            ),
            Fault::SeqBack { expected } => write!(
                f,
                "序号倒退：此处应为序号 {expected}，记录被调换或重复（prev mismatch）"
            ),
            Fault::Inserted => f.write_str(
                "不在哈希链上：其后的记录接续的是它前一条，这是插入的记录（prev mismatch）",
            ),
            Fault::PrevMismatch => f.write_str(
                "前一条的哈希（prev）不符：这条是插入或调换进来的，或前一条被改写后重算了哈希",
            ),
            Fault::AnchorMismatch => f.write_str("与清理锚点（anchor.json）记录的哈希不符"),
            Fault::AnchorUnconfirmed => f.write_str(
                "清理锚点没有对应的清理记录（audit_prune）：锚点是伪造的，或清理记录被删除",
            ),
            Fault::AnchorUnreadable(why) => write!(f, "清理锚点无法读取（{why}）"),
            Fault::Io(why) => write!(f, "无法读取（{why}）"),
        }
    }
}

/// The first bad place: file, line (1-based), the entry's number when it has one, what is
/// wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadEntry {
    pub file: PathBuf,
    pub line: usize,
    pub seq: Option<u64>,
    pub fault: Fault,
}

impl fmt::Display for BadEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, " 第 {} 行", self.line)?;
        }
        if let Some(seq) = self.seq {
            write!(f, "（序号 {seq}）")?;
        }
        write!(f, "：{}", self.fault)
    }
}

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub dir: PathBuf,
    pub files: usize,
    /// Entries checked and found good (before the first bad one).
    pub entries: u64,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// Hex SHA-256 of the last good line: note it elsewhere to detect a later truncation.
    pub head: Option<String>,
    pub anchor: Option<Anchor>,
    /// The first bad entry, when there is one.
    pub fault: Option<BadEntry>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.fault.is_none()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fault {
            None => {
                write!(
                    f,
                    "审计日志完整：{} 个文件，{} 条记录",
                    self.files, self.entries
                )?;
                if let (Some(a), Some(b)) = (self.first_seq, self.last_seq) {
                    write!(f, "（序号 {a}–{b}）")?;
                }
                if let Some(a) = &self.anchor {
                    write!(f, "；序号 ≤ {} 的记录已按保留期清理", a.seq)?;
                }
                if let Some(h) = &self.head {
                    write!(f, "。最新记录的哈希 {h}")?;
                }
                Ok(())
            }
            Some(bad) => write!(
                f,
                "审计日志校验失败：{bad}。在此之前的 {} 条记录完整。",
                self.entries
            ),
        }
    }
}

/// A line read from a file, with where it is.
struct Record {
    file: usize,
    line: usize,
    raw: Vec<u8>,
    /// Ended by a newline (the last line of a crashed write is not).
    terminated: bool,
}

/// A record checked on its own: parsed, hash and form compared.
struct Checked {
    rec: Record,
    entry: Option<Entry>,
    problem: Option<Fault>,
    line_hash: String,
}

impl Checked {
    fn new(rec: Record) -> Checked {
        let line_hash = sha256_hex(&rec.raw);
        let (entry, problem) = match parse_entry(&rec.raw) {
            Err(why) => (None, Some(Fault::Unreadable(why))),
            Ok(e) => {
                let problem = if e.compute_hash() != e.hash {
                    Some(Fault::Edited)
                } else if e.line().as_bytes() != rec.raw.as_slice() {
                    Some(Fault::Reformatted)
                } else {
                    None
                };
                (Some(e), problem)
            }
        };
        let problem = if rec.terminated {
            problem
        } else {
            Some(Fault::Torn)
        };
        Checked {
            rec,
            entry,
            problem,
            line_hash,
        }
    }

    /// A sound entry: seq and prev, or None.
    fn sound(&self) -> Option<&Entry> {
        if self.problem.is_none() {
            self.entry.as_ref()
        } else {
            None
        }
    }
}

/// Reads every monthly file of `dir` in order and names the first edited, deleted, inserted,
/// reordered or torn entry, or says the chain is intact.
pub fn verify(dir: &Path) -> VerifyReport {
    let mut report = VerifyReport {
        dir: dir.to_path_buf(),
        ..VerifyReport::default()
    };
    let fail = |report: &mut VerifyReport, file: PathBuf, line, seq, fault| {
        report.fault = Some(BadEntry {
            file,
            line,
            seq,
            fault,
        });
    };
    if !dir.is_dir() {
        fail(
            &mut report,
            dir.to_path_buf(),
            0,
            None,
            Fault::Io("审计目录不存在".into()),
        );
        return report;
    }
    let anchor_path = dir.join(ANCHOR_FILE);
    let anchor = match read_anchor(dir) {
        Ok(a) => a,
        Err(e) => {
            fail(
                &mut report,
                anchor_path,
                1,
                None,
                Fault::AnchorUnreadable(e.to_string()),
            );
            return report;
        }
    };
    report.anchor = anchor.clone();
    let files: Vec<PathBuf> = match list_files(dir) {
        Ok(f) => f.into_iter().map(|(p, _)| p).collect(),
        Err(e) => {
            fail(
                &mut report,
                dir.to_path_buf(),
                0,
                None,
                Fault::Io(e.to_string()),
            );
            return report;
        }
    };
    report.files = files.len();
    let mut stream = Stream::new(&files);

    let mut expected = anchor.as_ref().map_or(1, |a| a.seq + 1);
    let mut prev = anchor
        .as_ref()
        .map_or_else(|| GENESIS.to_string(), |a| a.hash.clone());
    // The `prev` of the last good entry, to tell a duplicate from a move.
    let mut last_prev: Option<String> = None;
    let mut skipping = anchor.is_some();
    let mut confirmed = anchor.is_none();
    let anchor_target = anchor.as_ref().map(Anchor::target);

    loop {
        let cur = match stream.next() {
            None => break,
            Some(Err((file, e))) => {
                fail(&mut report, file, 0, None, Fault::Io(e.to_string()));
                return report;
            }
            Some(Ok(c)) => c,
        };
        let at = |c: &Checked| (files[c.rec.file].clone(), c.rec.line);
        let seq = cur
            .entry
            .as_ref()
            .map(|e| e.seq)
            .or_else(|| seq_hint(&cur.rec.raw));
        // Entries an interrupted prune had still to remove: only the anchored one is checked.
        if skipping {
            let a = anchor.as_ref().expect("skipping only with an anchor");
            if let (Some(e), None) = (&cur.entry, &cur.problem)
                && e.seq <= a.seq
            {
                if e.seq == a.seq && cur.line_hash != a.hash {
                    let (file, line) = at(&cur);
                    fail(&mut report, file, line, seq, Fault::AnchorMismatch);
                    return report;
                }
                continue;
            }
            skipping = false;
        }
        if let Some(problem) = cur.problem.clone() {
            let (file, line) = at(&cur);
            fail(&mut report, file, line, seq, problem);
            return report;
        }
        let e = cur.entry.as_ref().expect("sound");
        // Is this a line the chain goes around? The next one continues from the one before
        // this, and nothing after continues from this one.
        let next_continues = stream.peek(0).is_some_and(|n| {
            n.sound()
                .is_some_and(|ne| ne.seq == expected && ne.prev == prev)
                && e.prev != n.line_hash
        });
        if next_continues {
            let after_is_ours = stream
                .peek(1)
                .and_then(Checked::sound)
                .is_some_and(|n2| n2.prev == cur.line_hash);
            if !after_is_ours {
                let (file, line) = at(&cur);
                fail(&mut report, file, line, seq, Fault::Inserted);
                return report;
            }
        }
        if e.seq == expected && e.prev == prev {
            if report.first_seq.is_none() {
                report.first_seq = Some(e.seq);
            }
            report.last_seq = Some(e.seq);
            report.entries += 1;
            report.head = Some(cur.line_hash.clone());
            if e.action == Action::AuditPrune && Some(&e.target) == anchor_target.as_ref() {
                confirmed = true;
            }
            last_prev = Some(e.prev.clone());
            prev = cur.line_hash.clone();
            expected += 1;
            continue;
        }
        let (file, line) = at(&cur);
        let fault = if e.seq == expected {
            Fault::PrevMismatch
        } else if e.seq > expected {
            if stream.rest_has_seq(expected) {
                Fault::Reordered { expected }
            } else {
                Fault::Deleted {
                    first: expected,
                    last: e.seq - 1,
                }
            }
        } else if e.seq + 1 == expected && last_prev.as_ref() == Some(&e.prev) {
            Fault::Inserted
        } else {
            Fault::SeqBack { expected }
        };
        fail(&mut report, file, line, seq, fault);
        return report;
    }
    if !confirmed {
        let a = anchor.as_ref().expect("unconfirmed only with an anchor");
        fail(
            &mut report,
            anchor_path,
            1,
            Some(a.seq),
            Fault::AnchorUnconfirmed,
        );
    }
    report
}

/// The records of several files in order, checked, with a look-ahead.
struct Stream<'a> {
    files: &'a [PathBuf],
    index: usize,
    reader: Option<Lines>,
    ahead: VecDeque<Checked>,
    failed: bool,
}

type StreamItem = Result<Checked, (PathBuf, io::Error)>;

impl<'a> Stream<'a> {
    fn new(files: &'a [PathBuf]) -> Stream<'a> {
        Stream {
            files,
            index: 0,
            reader: None,
            ahead: VecDeque::new(),
            failed: false,
        }
    }

    fn read(&mut self) -> Option<StreamItem> {
        loop {
            if self.failed || self.index >= self.files.len() {
                return None;
            }
            let files = self.files;
            let path = &files[self.index];
            if self.reader.is_none() {
                match read_records(path) {
                    Ok(r) => self.reader = Some(r),
                    Err(e) => {
                        self.failed = true;
                        return Some(Err((path.clone(), e)));
                    }
                }
            }
            match self.reader.as_mut().expect("opened").next() {
                Some(Ok(mut rec)) => {
                    rec.file = self.index;
                    return Some(Ok(Checked::new(rec)));
                }
                Some(Err(e)) => {
                    self.failed = true;
                    return Some(Err((path.clone(), e)));
                }
                None => {
                    self.reader = None;
                    self.index += 1;
                }
            }
        }
    }

    fn next(&mut self) -> Option<StreamItem> {
        match self.ahead.pop_front() {
            Some(c) => Some(Ok(c)),
            None => self.read(),
        }
    }

    /// The record `n` places after the current one (read errors end the look-ahead).
    fn peek(&mut self, n: usize) -> Option<&Checked> {
        while self.ahead.len() <= n {
            match self.read() {
                Some(Ok(c)) => self.ahead.push_back(c),
                _ => return None,
            }
        }
        self.ahead.get(n)
    }

    /// Whether an entry numbered `seq` comes later (reads to the end).
    fn rest_has_seq(&mut self, seq: u64) -> bool {
        let has = |c: &Checked| c.entry.as_ref().is_some_and(|e| e.seq == seq);
        if self.ahead.iter().any(has) {
            return true;
        }
        while let Some(Ok(c)) = self.read() {
            if has(&c) {
                return true;
            }
        }
        false
    }
}

/// Reads lines as bytes, telling whether each ended with a newline.
struct Lines {
    reader: Box<dyn BufRead>,
    line: usize,
}

impl Iterator for Lines {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut raw = Vec::new();
        match self.reader.read_until(b'\n', &mut raw) {
            Err(e) => Some(Err(e)),
            Ok(0) => None,
            Ok(_) => {
                self.line += 1;
                let terminated = raw.last() == Some(&b'\n');
                if terminated {
                    raw.pop();
                }
                Some(Ok(Record {
                    file: 0,
                    line: self.line,
                    raw,
                    terminated,
                }))
            }
        }
    }
}

fn read_records(path: &Path) -> io::Result<Lines> {
    read_records_limited(path, None)
}

fn read_records_limited(path: &Path, limit: Option<u64>) -> io::Result<Lines> {
    let file = File::open(path)?;
    let reader: Box<dyn BufRead> = match limit {
        Some(n) => Box::new(BufReader::new(file.take(n))),
        None => Box::new(BufReader::new(file)),
    };
    Ok(Lines { reader, line: 0 })
}

fn parse_entry(raw: &[u8]) -> Result<Entry, String> {
    if raw.is_empty() {
        return Err("空行".into());
    }
    serde_json::from_slice::<Entry>(raw).map_err(|e| {
        if std::str::from_utf8(raw).is_err() {
            "不是 UTF-8 文本".to_string()
        } else {
            format!("JSON 第 {} 列：{e}", e.column())
        }
    })
}

/// The number a damaged line starts with, if it still does (`{"seq":12,…`).
fn seq_hint(raw: &[u8]) -> Option<u64> {
    let rest = raw.strip_prefix(b"{\"seq\":")?;
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// A complete line as an entry whose hash and form hold.
fn check_line(raw: &[u8]) -> Result<Entry, String> {
    let e = parse_entry(raw)?;
    if e.compute_hash() != e.hash {
        return Err(Fault::Edited.to_string());
    }
    if e.line().as_bytes() != raw {
        return Err(Fault::Reformatted.to_string());
    }
    Ok(e)
}

/// The end of a file: its last complete line, and the bytes after the last newline.
struct Tail {
    complete_len: u64,
    last: Option<Vec<u8>>,
    torn: Option<Vec<u8>>,
}

fn read_tail(path: &Path) -> Result<Tail, AuditError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let len = file.metadata().map_err(io_err(path))?.len();
    let mut chunk = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(chunk);
        file.seek(SeekFrom::Start(start)).map_err(io_err(path))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        file.read_to_end(&mut buf).map_err(io_err(path))?;
        // Split off what follows the last newline.
        let end = buf.iter().rposition(|&b| b == b'\n').map(|i| i + 1);
        let (complete, torn) = match end {
            Some(i) => (&buf[..i], &buf[i..]),
            None if start == 0 => (&buf[..0], &buf[..]),
            None => {
                chunk *= 4;
                continue;
            }
        };
        let torn = (!torn.is_empty()).then(|| torn.to_vec());
        let complete_len = start + complete.len() as u64;
        if complete.is_empty() {
            return Ok(Tail {
                complete_len,
                last: None,
                torn,
            });
        }
        let body = &complete[..complete.len() - 1];
        match body.iter().rposition(|&b| b == b'\n') {
            Some(i) => {
                return Ok(Tail {
                    complete_len,
                    last: Some(body[i + 1..].to_vec()),
                    torn,
                });
            }
            None if start == 0 => {
                return Ok(Tail {
                    complete_len,
                    last: Some(body.to_vec()),
                    torn,
                });
            }
            None => chunk *= 4,
        }
    }
}

fn count_lines(path: &Path) -> io::Result<usize> {
    let mut n = 0;
    for rec in read_records(path)? {
        rec?;
        n += 1;
    }
    Ok(n)
}

/// `audit-2026-11.jsonl`
fn file_name((year, month): (i16, i8)) -> String {
    format!("audit-{year:04}-{month:02}.jsonl")
}

fn parse_file_name(name: &str) -> Option<(i16, i8)> {
    let ym = name.strip_prefix("audit-")?.strip_suffix(".jsonl")?;
    let (y, m) = ym.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// The monthly files, oldest first.
fn list_files(dir: &Path) -> io::Result<Vec<(PathBuf, (i16, i8))>> {
    let mut out = Vec::new();
    for item in fs::read_dir(dir)? {
        let item = item?;
        if let Some(month) = item.file_name().to_str().and_then(parse_file_name) {
            out.push((item.path(), month));
        }
    }
    out.sort_by_key(|(_, m)| *m);
    Ok(out)
}

fn read_anchor(dir: &Path) -> Result<Option<Anchor>, AuditError> {
    let path = dir.join(ANCHOR_FILE);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| AuditError::Anchor {
                path,
                reason: format!("第 {} 行：{e}", e.line()),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&path)(e)),
    }
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn cap(mut s: String) -> String {
    if let Some((i, _)) = s.char_indices().nth(MAX_FIELD_CHARS) {
        s.truncate(i);
        s.push_str("…（已截断）");
    }
    s
}

fn sha256_hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Creates `dir` 0700 when missing; tightens an existing one to 0700.
fn create_private_dir(dir: &Path) -> Result<(), AuditError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_err(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir).map_err(io_err(dir))?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
        }
    }
    Ok(())
}

/// The directory's lock file, held exclusively (another process gets `Busy`).
fn take_lock(dir: &Path) -> Result<File, AuditError> {
    let path = dir.join(LOCK_FILE);
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let file = opts.open(&path).map_err(io_err(&path))?;
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor we own; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::WouldBlock {
                return Err(AuditError::Busy {
                    dir: dir.to_path_buf(),
                });
            }
            return Err(io_err(&path)(e));
        }
    }
    Ok(file)
}

/// Writes `bytes` to `path` (0600) through a temporary file and a rename, synced.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AuditError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.{}.tmp", name_of(path), std::process::id()));
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path)(e));
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), AuditError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip_and_reject_others() {
        assert_eq!(file_name((2026, 11)), "audit-2026-11.jsonl");
        assert_eq!(parse_file_name("audit-2026-11.jsonl"), Some((2026, 11)));
        assert_eq!(parse_file_name("audit-2026-13.jsonl"), None);
        assert_eq!(parse_file_name("audit-2026-11.jsonl.torn-1"), None);
        assert_eq!(parse_file_name("anchor.json"), None);
    }

    #[test]
    fn the_audit_directory_is_a_sibling_of_the_database() {
        assert_eq!(
            audit_dir_for(Path::new("/var/lib/cadre/db")),
            PathBuf::from("/var/lib/cadre/db.audit")
        );
        assert_eq!(
            audit_dir_for(Path::new("/var/lib/cadre/db/")),
            PathBuf::from("/var/lib/cadre/db.audit")
        );
    }

    #[test]
    fn the_line_is_the_canonical_form_and_the_hash_covers_every_other_field() {
        let mut e = Entry {
            seq: 7,
            time: "2026-11-26T08:00:00.000+08:00".into(),
            user: "clerk1".into(),
            action: Action::KeyRotate,
            target: "#12 \"引号\"\n换行".into(),
            outcome: Outcome::Denied,
            reason: Some("无权限".into()),
            prev: GENESIS.into(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        let line = e.line();
        assert!(!line.contains('\n'));
        assert!(line.contains("\"action\":\"key_rotate\""));
        let back: Entry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, e);
        assert!(check_line(line.as_bytes()).is_ok());
        let mut changed = e.clone();
        changed.reason = None;
        assert_ne!(changed.compute_hash(), e.hash);
    }

    #[test]
    fn long_fields_are_cut() {
        let s = cap("字".repeat(MAX_FIELD_CHARS + 10));
        assert!(s.ends_with("（已截断）"));
        assert_eq!(
            s.chars().count(),
            MAX_FIELD_CHARS + "…（已截断）".chars().count()
        );
    }
}
