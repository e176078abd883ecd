//! Import of JSON Lines, CSV, XLSX and `.lrmx` files (and folders of `.lrmx` files) into the
//! store, all-or-nothing by default. An `.lrmx` form whose ID number is already in the database
//! updates that dossier (through the bulk writer's replace, so edit history applies) instead of
//! adding one. Two streaming passes: the first parses and validates every record (fields, ID numbers, dates, unit
//! references, duplicates within the files and against the database) and writes nothing; the
//! second writes the accepted records through the store's journaled bulk writer, so Ctrl-C or a
//! crash leaves the database as it was. Never logs record contents.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::io::csv::{HeaderMap, row_to_dossier};
use crate::io::jsonl::{JsonLine, parse_line};
use crate::io::{lrmx, text};
use crate::model::validate::validate;
use crate::model::{Dossier, PartialDate, Unit, UnitId};
use crate::store::{Store, StoreError};

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
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Import the good records and return the bad ones instead of refusing the whole import.
    pub skip_invalid: bool,
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
}

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Checking,
    Writing { total: u64 },
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
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
    let mut check = Checker::new(store, files)?;
    // Pass 1: read and validate everything; nothing is written.
    let mut seen = 0u64;
    for (fi, file) in files.iter().enumerate() {
        let r = visit_file(fi, file, &check.unit_names.clone(), &mut |pos, raw, rec| {
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Interrupted);
            }
            seen += 1;
            if seen.is_multiple_of(1000) {
                progress(Stage::Checking, seen);
            }
            check.record(pos, raw, rec)
        });
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

    // Pass 2: write the accepted records under the store's journal.
    let total = seen - check.rejected.len() as u64;
    let mut writer = store.bulk()?;
    let mut report = ImportReport::default();
    let mut written = 0u64;
    let unit_names = check.unit_names.clone();
    for (fi, file) in files.iter().enumerate() {
        if check.rejected_files.contains(&fi) {
            continue;
        }
        let r = visit_file(fi, file, &unit_names, &mut |pos, _raw, rec| {
            if cancel.load(Ordering::Relaxed) {
                return Err(ImportError::Interrupted);
            }
            if check.rejected.contains(&pos) {
                return Ok(());
            }
            match rec {
                Ok(Rec::Line(JsonLine::Unit(u))) => {
                    writer.put_unit(&u)?;
                    report.units += 1;
                }
                Ok(Rec::Line(JsonLine::Dossier(d))) => {
                    writer.add_dossier(d)?;
                    report.dossiers += 1;
                }
                Ok(Rec::Form(d)) => match check.form_target(&d)? {
                    Some(existing) => {
                        let merged = lrmx::merge(&existing, &d);
                        if merged == existing {
                            report.unchanged += 1;
                        } else {
                            writer.replace_dossier(&merged)?;
                            report.updated += 1;
                        }
                    }
                    None => {
                        writer.add_dossier(d)?;
                        report.dossiers += 1;
                    }
                },
                Err(_) => {}
            }
            written += 1;
            if written.is_multiple_of(1000) {
                progress(Stage::Writing { total }, written);
            }
            Ok(())
        });
        match r {
            Ok(_) => {}
            Err(VisitError::Import(ImportError::Interrupted)) => {
                writer.rollback()?;
                return Err(ImportError::Interrupted);
            }
            Err(VisitError::Import(e)) => {
                writer.rollback()?;
                return Err(e);
            }
            Err(VisitError::File(p)) => {
                // The file changed between the passes: nothing of this import may stay.
                writer.rollback()?;
                return Err(ImportError::Invalid(vec![p]));
            }
        }
    }
    if cancel.load(Ordering::Relaxed) {
        writer.rollback()?;
        return Err(ImportError::Interrupted);
    }
    writer.commit()?;
    progress(Stage::Writing { total }, written);
    report.rejected = check.problems;
    report.notices = check.notices;
    Ok(report)
}

/// A record's reference to a unit not yet seen: where, which field, the raw record.
type Deferred = (Pos, String, String);

/// Pass-1 state: what has been seen, and what is wrong.
struct Checker<'a> {
    store: &'a Store,
    files: Vec<PathBuf>,
    today: PartialDate,
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
}

impl<'a> Checker<'a> {
    fn new(store: &'a Store, files: &[PathBuf]) -> Result<Self, ImportError> {
        let units: HashMap<UnitId, Unit> = store.units()?.into_iter().map(|u| (u.id, u)).collect();
        let unit_names = units.values().map(|u| (u.name.clone(), u.id)).collect();
        Ok(Checker {
            store,
            files: files.to_vec(),
            today: PartialDate::today(),
            units,
            unit_names,
            id_numbers: HashMap::new(),
            name_births: HashMap::new(),
            deferred: HashMap::new(),
            problems: Vec::new(),
            rejected: HashSet::new(),
            rejected_files: HashSet::new(),
            notices: Vec::new(),
        })
    }

    fn reject(&mut self, pos: Pos, column: Option<String>, reason: String, raw: &str) {
        self.rejected.insert(pos);
        self.problems.push(Problem {
            file: self.files[pos.file].clone(),
            line: pos.line,
            column,
            reason,
            raw: raw.to_string(),
        });
    }

    fn reject_file(&mut self, fi: usize, p: Problem) {
        self.rejected_files.insert(fi);
        self.problems.push(p);
    }

    fn record(
        &mut self,
        pos: Pos,
        raw: &str,
        rec: Result<Rec, RecordError>,
    ) -> Result<(), ImportError> {
        match rec {
            Err(e) => {
                for (column, reason) in e.0 {
                    self.reject(pos, column, reason, raw);
                }
            }
            Ok(Rec::Line(JsonLine::Unit(u))) => self.unit(pos, raw, u),
            Ok(Rec::Line(JsonLine::Dossier(d))) => self.dossier(pos, raw, &d)?,
            Ok(Rec::Form(d)) => self.form(pos, raw, &d)?,
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
    fn form(&mut self, pos: Pos, raw: &str, d: &Dossier) -> Result<(), ImportError> {
        let Some(existing) = self.form_target(d)? else {
            return self.dossier(pos, raw, d);
        };
        let idn = d.identity.id_number.to_ascii_uppercase();
        if let Some(first) = self.id_numbers.get(&idn) {
            let reason = format!("身份证号与 {} 重复", self.files[first.file].display());
            self.reject(pos, Some("ShenFenZheng".into()), reason, raw);
            return Ok(());
        }
        self.id_numbers.insert(idn, pos);
        let merged = lrmx::merge(&existing, d);
        for e in validate(&merged, &self.today) {
            self.reject(pos, Some(e.field), e.message, raw);
        }
        Ok(())
    }

    fn unit(&mut self, pos: Pos, raw: &str, u: Unit) {
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
            self.deferred
                .entry(p)
                .or_default()
                .push((pos, "parent".into(), raw.into()));
        }
        self.unit_names.insert(u.name.clone(), u.id);
        self.units.insert(u.id, u);
    }

    fn dossier(&mut self, pos: Pos, raw: &str, d: &Dossier) -> Result<(), ImportError> {
        let errors = validate(d, &self.today);
        if !errors.is_empty() {
            for e in errors {
                self.reject(pos, Some(e.field), e.message, raw);
            }
            return Ok(());
        }
        let idn = d.identity.id_number.to_ascii_uppercase();
        if !idn.is_empty() {
            if let Some(first) = self.id_numbers.get(&idn) {
                let reason = format!("身份证号与第{}行重复", first.line);
                self.reject(pos, Some("身份证号".into()), reason, raw);
                return Ok(());
            }
            self.id_numbers.insert(idn, pos);
        }
        let key = (d.identity.name.clone(), d.identity.birth);
        if let Some(first) = self.name_births.get(&key) {
            let reason = format!("姓名和出生年月与第{}行重复", first.line);
            self.reject(pos, Some("姓名".into()), reason, raw);
            return Ok(());
        }
        self.name_births.insert(key, pos);
        let mut probe = d.clone();
        probe.id = 0;
        if let Some((existing, reason)) = self.store.find_duplicate(&probe)? {
            self.reject(
                pos,
                Some(reason.to_string()),
                format!("与数据库中已有档案 #{existing} 重复（{reason}相同）"),
                raw,
            );
            return Ok(());
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
            );
        for (u, field) in refs {
            if !self.units.contains_key(&u) {
                self.deferred
                    .entry(u)
                    .or_default()
                    .push((pos, field.into(), raw.into()));
            }
        }
        Ok(())
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
                    self.reject(pos, Some(field), format!("引用的单位编号 {u} 不存在"), &raw);
                }
            }
        }
    }
}

/// A record that did not parse: (column, reason) pairs.
struct RecordError(Vec<(Option<String>, String)>);

/// A record read from a file: a line of JSON Lines, CSV or XLSX, or an `.lrmx` form (which may
/// update a dossier).
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
    let whole = |reason: String| {
        VisitError::File(Problem {
            file: path.to_path_buf(),
            line: 0,
            column: None,
            reason,
            raw: String::new(),
        })
    };
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
        Some(Format::JsonLines) => {
            let file = std::fs::File::open(path).map_err(|e| whole(format!("无法打开：{e}")))?;
            let reader = std::io::BufReader::with_capacity(1 << 20, file);
            for (i, line) in reader.split(b'\n').enumerate() {
                let line = line.map_err(|e| whole(format!("读取失败：{e}")))?;
                let pos = Pos {
                    file: fi,
                    line: i + 1,
                };
                let mut bytes = &line[..];
                if i == 0 {
                    bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
                }
                let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                let text = match std::str::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => {
                        let raw = String::from_utf8_lossy(bytes).into_owned();
                        f(
                            pos,
                            &raw,
                            Err(RecordError(vec![(
                                None,
                                format!("不是 UTF-8 文本（第 {} 字节）", e.valid_up_to() + 1),
                            )])),
                        )?;
                        continue;
                    }
                };
                if text.trim().is_empty() {
                    continue;
                }
                let rec = parse_line(text).map(Rec::Line).map_err(|e| {
                    RecordError(vec![(Some(format!("第{}列", e.column())), json_reason(&e))])
                });
                f(pos, text, rec)?;
            }
            Ok(vec![])
        }
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
