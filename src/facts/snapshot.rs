//! The facts snapshot: the compact form of every dossier written to one file beside the
//! database, so that start-up reads one file instead of decoding every dossier. The store
//! records which snapshot describes it (a token) and which dossiers changed since; a bulk
//! write or a unit change drops the token. Loading takes the snapshot when its token is the
//! store's and re-derives only the changed dossiers; otherwise it rebuilds from every dossier
//! and writes a fresh snapshot. The file is a cache: any defect means a rebuild, never wrong
//! answers. It holds names and ID numbers, so it is written like every other file of ours:
//! mode 0600, whole or not at all, and sealed under the database's key as a stream of chunks
//! (each its own nonce, its number and a last-chunk flag authenticated with it, so a cut,
//! reordered or altered file is refused), never held whole in memory.
//!
//! Inside the seal the rows are laid out in fixed-width records (`columns`), and the unit
//! directory and the lookup index travel with them, in two streams (the postings and the
//! index in the second, the rest in the first, a trailer giving where the second begins), so
//! start-up reads the file on two threads at once and asks the store for no unit or dossier
//! and builds no index.

use std::io::{BufReader, Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::io::export::AtomicFile;
use crate::lookup::Index;
use crate::model::{Dossier, Unit, UnitDirectory};
use crate::store::crypto::{Cipher, OVERHEAD};
use crate::store::{Store, StoreError};

use super::columns::Row;
use super::{Arena, Facts, Pool};

const MAGIC: &[u8; 8] = b"CADREFX\x01";
/// Bumped whenever `Facts` changes shape: an older file is then rebuilt.
const FORMAT: u32 = 7;
/// Magic, format, token.
const HEADER: usize = 20;
/// Plaintext bytes per sealed chunk.
const CHUNK: usize = 64 * 1024;

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
    /// The lookup index over exactly these facts, when the snapshot held it (no dossier
    /// changed since) or the rebuild made it.
    pub index: Option<Index>,
    pub source: Source,
    pub unreadable: usize,
}

/// Loads the facts of the store: from its snapshot when it holds, else by a rebuild (which
/// then writes a snapshot for next time; a failure to write it is logged, not fatal). `units`
/// is the store's directory, used to re-derive changed dossiers.
pub fn load(store: &Store, units: &UnitDirectory) -> Result<Loaded, StoreError> {
    match read_valid(store)? {
        Some((facts, _, index)) => refreshed(store, facts, index, units),
        None => rebuilt(store, units),
    }
}

/// `load`, with the unit directory read from the snapshot when it holds (it is the store's:
/// a unit change drops the snapshot's token) and from the store otherwise.
pub fn load_with_units(store: &Store) -> Result<(Loaded, UnitDirectory), StoreError> {
    match read_valid(store)? {
        Some((facts, units, index)) => Ok((refreshed(store, facts, index, &units)?, units)),
        None => {
            let units = store.directory()?;
            Ok((rebuilt(store, &units)?, units))
        }
    }
}

/// A snapshot's facts with the dossiers changed since re-derived.
fn refreshed(
    store: &Store,
    mut facts: Facts,
    index: Index,
    units: &UnitDirectory,
) -> Result<Loaded, StoreError> {
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
    Ok(Loaded {
        facts,
        // The index no longer describes the facts once a dossier changed.
        index: changed.is_empty().then_some(index),
        source: Source::Snapshot {
            changed: changed.len(),
        },
        unreadable,
    })
}

fn rebuilt(store: &Store, units: &UnitDirectory) -> Result<Loaded, StoreError> {
    let generation = store.generation()?;
    let (facts, unreadable) = rebuild(store.dossiers(), units);
    let index = facts.lookup_index();
    if let Err(e) = save_at(store, &facts, units, &index, generation) {
        tracing::warn!("could not write the facts snapshot: {e}");
    }
    Ok(Loaded {
        facts,
        index: Some(index),
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
    save_at(store, &facts, &units, &facts.lookup_index(), generation)?;
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
    let units = store.directory()?;
    save_at(store, facts, &units, &facts.lookup_index(), generation)
}

/// `save`, taking the facts: each part is freed once it is written, and the lookup index is
/// built only then, from what it reads (`Facts::reduce_to_lookup`), so that it never sits
/// beside every row. The import's last step, where its memory peaks.
pub fn save_given(store: &Store, facts: Facts) -> Result<(), SnapshotError> {
    let generation = store.generation()?;
    // Encoded at once: the directory itself is not held while the index is built.
    let units = encode_units(&store.directory()?)?;
    save_parts(store, Parts::Given(Box::new(facts)), units, generation)
}

fn save_at(
    store: &Store,
    facts: &Facts,
    units: &UnitDirectory,
    index: &Index,
    generation: u64,
) -> Result<(), SnapshotError> {
    let units = encode_units(units)?;
    save_parts(store, Parts::Kept { facts, index }, units, generation)
}

/// Writes the snapshot, then tells the store it describes every write up to `generation`.
fn save_parts(
    store: &Store,
    parts: Parts<'_>,
    units: Zeroizing<Vec<u8>>,
    generation: u64,
) -> Result<(), SnapshotError> {
    let Some(path) = store.facts_file() else {
        return Ok(());
    };
    let token = token(generation);
    write_file(&path, token, parts, units, &store.cipher())?;
    store.facts_saved(token, generation)?;
    Ok(())
}

/// The token naming a snapshot written at `generation` by this process (never 0).
fn token(generation: u64) -> u64 {
    (generation ^ u64::from(std::process::id()).rotate_left(32)) | 1
}

/// The unit directory as the snapshot holds it: bincode of the units in id order.
fn encode_units(units: &UnitDirectory) -> Result<Zeroizing<Vec<u8>>, SnapshotError> {
    let mut units: Vec<&Unit> = units.iter().collect();
    units.sort_by_key(|u| u.id);
    Ok(Zeroizing::new(bincode::serde::encode_to_vec(
        &units,
        bincode::config::standard(),
    )?))
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

/// What a snapshot is written from.
enum Parts<'a> {
    /// Facts and their lookup index, which the caller keeps.
    Kept { facts: &'a Facts, index: &'a Index },
    /// Facts the writer may free as it goes; it builds the index itself.
    Given(Box<Facts>),
}

fn write_file(
    path: &Path,
    token: u64,
    parts: Parts<'_>,
    units: Zeroizing<Vec<u8>>,
    cipher: &Cipher,
) -> Result<(), SnapshotError> {
    let mut file = AtomicFile::create(path)?;
    let header = header(token);
    // Streamed into the file through the sealing writer: no encoded copy of the whole
    // snapshot is held, only one chunk. Two streams, so that two threads can read them.
    let written = (|| -> std::io::Result<()> {
        let out = file.writer();
        out.write_all(&header)?;
        // A fresh build has no rows left behind by replaced dossiers: written as it is,
        // without a second copy in memory.
        let a_len = match parts {
            Parts::Kept { facts, index } => {
                let compact;
                let facts = if facts.has_orphans() {
                    compact = facts.compacted();
                    &compact
                } else {
                    facts
                };
                let a_len = write_stream_a(out, header, cipher, facts, &units)?;
                write_stream_b(out, header, cipher, facts, index)?;
                a_len
            }
            Parts::Given(facts) => {
                let mut facts = if facts.has_orphans() {
                    facts.compacted()
                } else {
                    *facts
                };
                let a_len = write_stream_a(out, header, cipher, &facts, &units)?;
                drop(units);
                // The postings go first in the second stream; the index, built after them
                // from the reduced facts, last.
                let mut b = SealedWriter::new(&mut *out, cipher, header, STREAM_B);
                write_postings(&mut b, &facts)?;
                facts.reduce_to_lookup();
                crate::memory::return_freed_memory();
                let index = facts.lookup_index();
                drop(facts);
                write_index(&mut b, &index)?;
                b.finish()?;
                a_len
            }
        };
        out.write_all(&a_len.to_le_bytes())
    })();
    written.map_err(|e| file.io_error(e))?;
    file.finish()?;
    Ok(())
}

/// The first stream, sealed; returns its length in the file.
fn write_stream_a<W: Write>(
    out: &mut W,
    header: [u8; HEADER],
    cipher: &Cipher,
    facts: &Facts,
    units: &[u8],
) -> std::io::Result<u64> {
    let mut counted = Counted { out, n: 0 };
    let mut a = SealedWriter::new(&mut counted, cipher, header, STREAM_A);
    write_part_a(&mut a, facts, units)?;
    a.finish()?;
    Ok(counted.n)
}

/// The second stream, sealed: the postings, then the lookup index.
fn write_stream_b<W: Write>(
    out: &mut W,
    header: [u8; HEADER],
    cipher: &Cipher,
    facts: &Facts,
    index: &Index,
) -> std::io::Result<()> {
    let mut b = SealedWriter::new(out, cipher, header, STREAM_B);
    write_postings(&mut b, facts)?;
    write_index(&mut b, index)?;
    b.finish()
}

fn write_postings(out: &mut impl Write, facts: &Facts) -> std::io::Result<()> {
    write_rows(
        out,
        &(facts.postings.len() as u64).to_le_bytes(),
        &facts.postings,
    )
}

/// The lookup index, as bincode writes it.
fn write_index(out: &mut impl Write, index: &Index) -> std::io::Result<()> {
    bincode::serde::encode_into_std_write(index, out, bincode::config::standard())
        .map(drop)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// First chunk number of each stream: a chunk of one stream never passes for the other's.
const STREAM_A: u64 = 0;
const STREAM_B: u64 = 1 << 62;

/// Counts what passes through (the length of the first stream, in the trailer).
struct Counted<'a, W: Write> {
    out: &'a mut W,
    n: u64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(data)?;
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The first stream: the grade window, the length of every part, then the parts in that
/// order. The second holds the postings and the lookup index; the file ends with the first
/// stream's length in bytes.
fn write_part_a(out: &mut impl Write, f: &Facts, units: &[u8]) -> std::io::Result<()> {
    let lens = [
        f.people.len(),
        f.hot.len(),
        f.courses.len(),
        f.grades.len(),
        f.trainings.len(),
        f.rewards.len(),
        f.pool.text.len(),
        f.pool.ends.len(),
        f.names.text.len(),
        f.id_numbers.text.len(),
        units.len(),
    ];
    out.write_all(&f.grade_base.to_le_bytes())?;
    for n in lens {
        out.write_all(&(n as u64).to_le_bytes())?;
    }
    write_rows(out, &[], &f.people)?;
    write_rows(out, &[], &f.hot)?;
    write_rows(out, &[], &f.courses)?;
    write_rows(out, &[], &f.grades)?;
    write_rows(out, &[], &f.trainings)?;
    write_rows(out, &[], &f.rewards)?;
    out.write_all(f.pool.text.as_bytes())?;
    let mut ends = Zeroizing::new(Vec::with_capacity(f.pool.ends.len() * 4));
    for e in &f.pool.ends {
        ends.extend_from_slice(&e.to_le_bytes());
    }
    out.write_all(&ends)?;
    out.write_all(f.names.text.as_bytes())?;
    out.write_all(f.id_numbers.text.as_bytes())?;
    out.write_all(units)
}

/// Rows as fixed-width records, after `lead` (a count, say).
fn write_rows<T: Row>(out: &mut impl Write, lead: &[u8], rows: &[T]) -> std::io::Result<()> {
    let mut buf = Zeroizing::new(Vec::with_capacity(CHUNK + T::SIZE));
    buf.extend_from_slice(lead);
    for r in rows {
        r.put(&mut buf);
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

fn header(token: u64) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&FORMAT.to_le_bytes());
    h[12..].copy_from_slice(&token.to_le_bytes());
    h
}

/// What a chunk is bound to: the file's header, its number, whether it is the last.
fn chunk_aad(header: &[u8; HEADER], index: u64, last: bool) -> [u8; HEADER + 9] {
    let mut aad = [0u8; HEADER + 9];
    aad[..HEADER].copy_from_slice(header);
    aad[HEADER..HEADER + 8].copy_from_slice(&index.to_le_bytes());
    aad[HEADER + 8] = u8::from(last);
    aad
}

/// Seals what is written to it in chunks: `last flag (u8) ++ length (u32 LE) ++ sealed`.
struct SealedWriter<'a, W: Write> {
    out: &'a mut W,
    cipher: &'a Cipher,
    header: [u8; HEADER],
    buf: Zeroizing<Vec<u8>>,
    index: u64,
}

impl<'a, W: Write> SealedWriter<'a, W> {
    /// Chunks are numbered from `first` (each stream of a file has its own range).
    fn new(out: &'a mut W, cipher: &'a Cipher, header: [u8; HEADER], first: u64) -> Self {
        SealedWriter {
            out,
            cipher,
            header,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
            index: first,
        }
    }

    fn emit(&mut self, last: bool) -> std::io::Result<()> {
        let sealed = self
            .cipher
            .seal_with(&self.buf, &chunk_aad(&self.header, self.index, last));
        self.out.write_all(&[u8::from(last)])?;
        self.out.write_all(&(sealed.len() as u32).to_le_bytes())?;
        self.out.write_all(&sealed)?;
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    /// Seals what is left as the last chunk.
    fn finish(mut self) -> std::io::Result<()> {
        self.emit(true)
    }
}

impl<W: Write> Write for SealedWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() == CHUNK {
            self.emit(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Opens the chunks `SealedWriter` wrote, one at a time.
struct SealedReader<'a, R: Read> {
    input: R,
    cipher: &'a Cipher,
    header: [u8; HEADER],
    plain: Zeroizing<Vec<u8>>,
    pos: usize,
    index: u64,
    done: bool,
}

fn bad(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string())
}

impl<R: Read> SealedReader<'_, R> {
    fn next_chunk(&mut self) -> std::io::Result<()> {
        let mut head = [0u8; 5];
        self.input.read_exact(&mut head).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                bad("cut short before its last chunk")
            } else {
                e
            }
        })?;
        let last = match head[0] {
            0 => false,
            1 => true,
            _ => return Err(bad("bad chunk flag")),
        };
        let len = u32::from_le_bytes(head[1..5].try_into().expect("4 bytes")) as usize;
        if !(OVERHEAD..=CHUNK + OVERHEAD).contains(&len) {
            return Err(bad("bad chunk length"));
        }
        let mut sealed = vec![0u8; len];
        self.input.read_exact(&mut sealed)?;
        let plain = self
            .cipher
            .open_with(&sealed, &chunk_aad(&self.header, self.index, last))
            .map_err(|e| bad(&e.to_string()))?;
        self.plain = Zeroizing::new(plain);
        self.pos = 0;
        self.index += 1;
        self.done = last;
        Ok(())
    }

    /// Requires the stream to end here: every byte used, the last chunk read, nothing after.
    fn finish(mut self) -> std::io::Result<()> {
        while !self.done {
            if self.pos < self.plain.len() {
                return Err(bad("trailing bytes"));
            }
            self.next_chunk()?;
        }
        if self.pos < self.plain.len() {
            return Err(bad("trailing bytes"));
        }
        let mut probe = [0u8; 1];
        if self.input.read(&mut probe)? != 0 {
            return Err(bad("bytes after the last chunk"));
        }
        Ok(())
    }
}

/// The stream as one plaintext (the chunk tests read it so; start-up reads through `Plain`).
#[cfg(test)]
impl<R: Read> Read for SealedReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The snapshot and its units, when its file is whole, of this format, and the store's
/// current one.
fn read_valid(store: &Store) -> Result<Option<(Facts, UnitDirectory, Index)>, StoreError> {
    let (Some(path), Some(token)) = (store.facts_file(), store.facts_token()?) else {
        return Ok(None);
    };
    match read_file(&path, token, &store.cipher()) {
        Ok(f) => Ok(Some(f)),
        Err(why) => {
            tracing::info!("facts snapshot not used ({why}): rebuilding");
            Ok(None)
        }
    }
}

fn read_file(
    path: &Path,
    token: u64,
    cipher: &Cipher,
) -> Result<(Facts, UnitDirectory, Index), String> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut head = [0u8; HEADER];
    file.read_exact(&mut head)
        .map_err(|_| "not a facts snapshot".to_string())?;
    if &head[..8] != MAGIC {
        return Err("not a facts snapshot".into());
    }
    let format = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(format!("format {format}, expected {FORMAT}"));
    }
    if u64::from_le_bytes(head[12..20].try_into().expect("8 bytes")) != token {
        return Err("an older snapshot".into());
    }
    // The trailer gives the first stream's length; a wrong one cuts a stream or starts the
    // second mid-chunk, and either is refused by the seal.
    let mut trailer = [0u8; 8];
    file.seek(SeekFrom::End(-8))
        .and_then(|_| file.read_exact(&mut trailer))
        .map_err(|_| "cut short".to_string())?;
    let a_len = u64::from_le_bytes(trailer);
    let b_start = (HEADER as u64)
        .checked_add(a_len)
        .filter(|&b| b <= len - 8)
        .ok_or("cut short")?;
    // Two threads, each opening its stream's chunks and laying out its rows.
    std::thread::scope(|scope| {
        let second = scope.spawn(move || -> Result<(Vec<super::PostFact>, Index), String> {
            let mut p = Plain::open(path, b_start, len - 8 - b_start, cipher, head, STREAM_B)?;
            let n = usize::try_from(p.u64()?).map_err(|_| "a length out of range")?;
            let postings = p.rows(n)?;
            let index: Index =
                bincode::serde::decode_from_reader(&mut p, bincode::config::standard())
                    .map_err(|e| format!("lookup index: {e}"))?;
            p.end()?;
            Ok((postings, index.loaded()?))
        });
        let first = (|| {
            let mut p = Plain::open(path, HEADER as u64, a_len, cipher, head, STREAM_A)?;
            let (mut facts, units) = read_part_a(&mut p)?;
            p.end()?;
            facts.reindex();
            Ok::<_, String>((facts, UnitDirectory::new(units)))
        })();
        let second = second
            .join()
            .map_err(|_| "the reading thread failed".to_string())?;
        let (mut facts, units) = first?;
        let (postings, index) = second?;
        facts.postings = postings;
        facts
            .check_bounds()
            .map_err(|why| format!("inconsistent facts: {why}"))?;
        if index.len() != facts.len() {
            return Err("a lookup index of other facts".into());
        }
        Ok((facts, units, index))
    })
}

/// One stream's plaintext, opened chunk by chunk as it is read.
struct Plain<'a> {
    sealed: SealedReader<'a, BufReader<std::io::Take<std::fs::File>>>,
}

impl<'a> Plain<'a> {
    /// The stream of `len` bytes at `start` whose chunks are numbered from `first`.
    fn open(
        path: &Path,
        start: u64,
        len: u64,
        cipher: &'a Cipher,
        header: [u8; HEADER],
        first: u64,
    ) -> Result<Self, String> {
        use std::io::{Seek, SeekFrom};
        let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| e.to_string())?;
        Ok(Plain {
            sealed: SealedReader {
                input: BufReader::with_capacity(1 << 20, file.take(len)),
                cipher,
                header,
                plain: Zeroizing::new(Vec::new()),
                pos: 0,
                index: first,
                done: false,
            },
        })
    }

    /// Opens the next chunk; false at the end of the stream.
    fn next(&mut self) -> Result<bool, String> {
        if self.sealed.done {
            return Ok(false);
        }
        self.sealed.next_chunk().map_err(|e| e.to_string())?;
        Ok(true)
    }

    fn left(&self) -> &[u8] {
        &self.sealed.plain[self.sealed.pos..]
    }

    fn fill(&mut self, out: &mut [u8]) -> Result<(), String> {
        let mut at = 0;
        while at < out.len() {
            if self.left().is_empty() && !self.next()? {
                return Err("cut short".into());
            }
            let n = (out.len() - at).min(self.left().len());
            out[at..at + n].copy_from_slice(&self.left()[..n]);
            at += n;
            self.sealed.pos += n;
        }
        Ok(())
    }

    fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0u8; 8];
        self.fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn bytes(&mut self, n: usize) -> Result<Zeroizing<Vec<u8>>, String> {
        let mut v = Zeroizing::new(vec![0u8; n]);
        self.fill(&mut v)?;
        Ok(v)
    }

    fn text(&mut self, n: usize) -> Result<String, String> {
        let b = self.bytes(n)?;
        let s = std::str::from_utf8(&b).map_err(|_| "text not UTF-8".to_string())?;
        Ok(s.to_string())
    }

    /// `n` rows: read in place within a chunk, copied only across a chunk boundary.
    fn rows<T: Row>(&mut self, n: usize) -> Result<Vec<T>, String> {
        let not_ours = |_| "a record that is not ours".to_string();
        let mut out = Vec::with_capacity(n.min(1 << 26));
        let mut carry = vec![0u8; T::SIZE];
        while out.len() < n {
            if self.left().is_empty() && !self.next()? {
                return Err("cut short".into());
            }
            let avail = self.left();
            let whole = (avail.len() / T::SIZE).min(n - out.len());
            for rec in avail[..whole * T::SIZE].chunks_exact(T::SIZE) {
                out.push(T::get(rec).map_err(not_ours)?);
            }
            let partial = whole * T::SIZE < avail.len();
            self.sealed.pos += whole * T::SIZE;
            if out.len() < n && partial {
                self.fill(&mut carry)?;
                out.push(T::get(&carry).map_err(not_ours)?);
            }
        }
        Ok(out)
    }

    /// Everything was used and the stream ended whole, with nothing after it.
    fn end(self) -> Result<(), String> {
        if !self.left().is_empty() {
            return Err("trailing bytes".into());
        }
        self.sealed.finish().map_err(|e| e.to_string())
    }
}

/// bincode reads the opened chunks in place: `peek_read` lets it take its fast paths within a
/// chunk (a read across chunks is copied through `fill`).
impl bincode::de::read::Reader for Plain<'_> {
    fn read(&mut self, bytes: &mut [u8]) -> Result<(), bincode::error::DecodeError> {
        self.fill(bytes)
            .map_err(|_| bincode::error::DecodeError::UnexpectedEnd {
                additional: bytes.len(),
            })
    }

    fn peek_read(&mut self, n: usize) -> Option<&[u8]> {
        if self.left().is_empty() {
            // Move on to the next chunk so that a read starting at a boundary stays fast.
            self.next().ok()?;
        }
        self.left().get(..n)
    }

    fn consume(&mut self, n: usize) {
        self.sealed.pos = (self.sealed.pos + n).min(self.sealed.plain.len());
    }
}

/// The first stream: every part but the postings, and the encoded unit list.
fn read_part_a(p: &mut Plain) -> Result<(Facts, Vec<Unit>), String> {
    let mut base = [0u8; 2];
    p.fill(&mut base)?;
    let mut lens = [0usize; 11];
    for n in &mut lens {
        *n = usize::try_from(p.u64()?).map_err(|_| "a length out of range".to_string())?;
    }
    let [
        people,
        hot,
        courses,
        grades,
        trainings,
        rewards,
        pool_text,
        pool_ends,
        names,
        id_numbers,
        units,
    ] = lens;
    let mut facts = Facts {
        grade_base: i16::from_le_bytes(base),
        people: p.rows(people)?,
        hot: p.rows(hot)?,
        courses: p.rows(courses)?,
        grades: p.rows(grades)?,
        trainings: p.rows(trainings)?,
        rewards: p.rows(rewards)?,
        ..Facts::default()
    };
    let text = p.text(pool_text)?;
    let ends = p.bytes(pool_ends.checked_mul(4).ok_or("a length out of range")?)?;
    facts.pool = Pool {
        text,
        ends: ends
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect(),
        map: Default::default(),
    };
    facts.names = Arena {
        text: p.text(names)?,
    };
    facts.id_numbers = Arena {
        text: p.text(id_numbers)?,
    };
    let encoded = p.bytes(units)?;
    let (units, used): (Vec<Unit>, usize) =
        bincode::serde::decode_from_slice(&encoded, bincode::config::standard())
            .map_err(|e| e.to_string())?;
    if used != encoded.len() {
        return Err("trailing bytes after the units".into());
    }
    Ok((facts, units))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(plain: &[u8], cipher: &Cipher, header: [u8; HEADER]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = SealedWriter::new(&mut out, cipher, header, 0);
        w.write_all(plain).unwrap();
        w.finish().unwrap();
        out
    }

    fn opened(bytes: &[u8], cipher: &Cipher, header: [u8; HEADER]) -> std::io::Result<Vec<u8>> {
        let mut r = SealedReader {
            input: bytes,
            cipher,
            header,
            plain: Zeroizing::new(Vec::new()),
            pos: 0,
            index: 0,
            done: false,
        };
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        r.finish()?;
        Ok(out)
    }

    #[test]
    fn chunks_round_trip_and_a_cut_or_swapped_stream_is_refused() {
        let cipher = Cipher::random();
        let h = header(42);
        // Two full chunks and a short last one.
        let plain: Vec<u8> = (0..2 * CHUNK + 100).map(|i| (i % 251) as u8).collect();
        let bytes = sealed(&plain, &cipher, h);
        assert_eq!(opened(&bytes, &cipher, h).unwrap(), plain);
        let frame = 5 + CHUNK + OVERHEAD;
        // Without its last frame the stream is cut, though it ends at a chunk boundary.
        assert!(opened(&bytes[..2 * frame], &cipher, h).is_err());
        // Chunks in another order, another file's header, a flipped bit, a trailing byte.
        let swapped = [
            &bytes[frame..2 * frame],
            &bytes[..frame],
            &bytes[2 * frame..],
        ]
        .concat();
        assert!(opened(&swapped, &cipher, h).is_err());
        assert!(opened(&bytes, &cipher, header(43)).is_err());
        let mut flipped = bytes.clone();
        flipped[frame + 100] ^= 1;
        assert!(opened(&flipped, &cipher, h).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(opened(&longer, &cipher, h).is_err());
        // And the plaintext is nowhere in the sealed stream.
        assert!(!bytes.windows(64).any(|w| w == &plain[1000..1064]));
    }
}
