//! Export of the store to JSON Lines (everything), CSV (the flat columns clerks use, UTF-8
//! with BOM so Excel opens it), an XLSX workbook (one sheet per dimension) or a folder of `.lrmx`
//! forms (one per person). Files are written beside their destination under a temporary
//! name, readable by the owner only, and renamed into place only when complete: an interrupted
//! export leaves no file, not a half one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::io::csv::{EXPORT_COLUMNS, dossier_to_row};
use crate::io::jsonl::{write_dossier, write_unit};
use crate::model::Dossier;
use crate::store::{Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    JsonLines,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("无法写入 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("导出被中断，未留下任何文件")]
    Interrupted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file being written under a temporary name; removed unless `finish` renames it into place.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(dest: &Path) -> Result<Self, ExportError> {
        let io = |source| ExportError::Io {
            path: dest.to_path_buf(),
            source,
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export".into());
        let tmp = dest.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(&tmp).map_err(io)?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("file open until finish")
    }

    pub fn io_error(&self, source: std::io::Error) -> ExportError {
        ExportError::Io {
            path: self.dest.clone(),
            source,
        }
    }

    /// Flushes, syncs and renames into place.
    pub fn finish(mut self) -> Result<(), ExportError> {
        let out = self.out.take().expect("finish once");
        let file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .map_err(|e| self.io_error(e))?;
        file.sync_all().map_err(|e| self.io_error(e))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| self.io_error(e))?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes every unit and dossier (or only `select`ed dossiers) to `dest`.
pub fn export(
    store: &Store,
    format: ExportFormat,
    dest: &Path,
    select: &dyn Fn(&Dossier) -> bool,
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<u64, ExportError> {
    let mut file = AtomicFile::create(dest)?;
    let units = store.directory()?;
    let mut count = 0u64;
    let write = |file: &mut AtomicFile, d: &Dossier| -> std::io::Result<()> {
        match format {
            ExportFormat::JsonLines => write_dossier(file.writer(), d),
            ExportFormat::Csv => write_csv_row(file.writer(), &dossier_to_row(d, &units)),
        }
    };
    match format {
        ExportFormat::JsonLines => {
            let mut all = store.units()?;
            all.sort_by_key(|u| u.id);
            for u in all {
                write_unit(file.writer(), &u).map_err(|e| file.io_error(e))?;
            }
        }
        ExportFormat::Csv => {
            file.writer()
                .write_all(&[0xEF, 0xBB, 0xBF])
                .map_err(|e| file.io_error(e))?;
            let headers: Vec<String> = EXPORT_COLUMNS
                .iter()
                .map(|c| c.header().to_string())
                .collect();
            write_csv_row(file.writer(), &headers).map_err(|e| file.io_error(e))?;
        }
    }
    for d in store.dossiers() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
        let d = d?;
        if !select(&d) {
            continue;
        }
        write(&mut file, &d).map_err(|e| file.io_error(e))?;
        count += 1;
        if count.is_multiple_of(1000) {
            progress(count);
        }
    }
    file.finish()?;
    progress(count);
    Ok(count)
}

/// One CSV row with CRLF (what Excel writes), quoting as needed.
fn write_csv_row<W: Write>(out: &mut W, fields: &[String]) -> std::io::Result<()> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(fields).map_err(std::io::Error::other)?;
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(&bytes)
}

/// Writes one `.lrmx` form per selected dossier into `dir` (created if missing, owner-only).
/// Each file appears only when complete; an interrupted export leaves the files finished so far.
pub fn export_lrmx(
    store: &Store,
    dir: &Path,
    select: &dyn Fn(&Dossier) -> bool,
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<u64, ExportError> {
    let io = |source| ExportError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let units = store.directory()?;
    let today = crate::model::PartialDate::today();
    let mut count = 0u64;
    for d in store.dossiers() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
        let d = d?;
        if !select(&d) {
            continue;
        }
        let dest = dir.join(crate::io::lrmx::file_name(&d));
        let text = crate::io::lrmx::write(&d, &units, &today);
        let mut f = AtomicFile::create(&dest)?;
        f.writer()
            .write_all(text.as_bytes())
            .map_err(|e| f.io_error(e))?;
        f.finish()?;
        count += 1;
        if count.is_multiple_of(100) {
            progress(count);
        }
    }
    progress(count);
    Ok(count)
}

/// Writes the selected dossiers as an XLSX workbook, one sheet per dimension (see `io::xlsx`).
pub fn export_xlsx(
    store: &Store,
    dest: &Path,
    select: &dyn Fn(&Dossier) -> bool,
    progress: &mut dyn FnMut(u64),
    cancel: &AtomicBool,
) -> Result<u64, ExportError> {
    let mut chosen = Vec::new();
    for d in store.dossiers() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ExportError::Interrupted);
        }
        let d = d?;
        if select(&d) {
            chosen.push(d);
            if chosen.len().is_multiple_of(1000) {
                progress(chosen.len() as u64);
            }
        }
    }
    let units = store.directory()?;
    crate::io::xlsx::write_sheets(&crate::io::xlsx::sheets(&chosen, &units), dest)?;
    progress(chosen.len() as u64);
    Ok(chosen.len() as u64)
}
