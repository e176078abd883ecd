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
//! Inside the seal the rows are laid out in fixed-width records (`columns`) and the unit
//! directory travels with them, so start-up reads the file with two threads (one opens the
//! chunks, the other lays out the rows) and never asks the store for units or dossiers.

use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, sync_channel};

use zeroize::Zeroizing;

use crate::io::export::AtomicFile;
use crate::model::{Dossier, Unit, UnitDirectory};
use crate::store::crypto::{Cipher, OVERHEAD};
use crate::store::{Store, StoreError};

use super::columns::Row;
use super::{Arena, Facts, Pool};

const MAGIC: &[u8; 8] = b"CADREFX\x01";
/// Bumped whenever `Facts` changes shape: an older file is then rebuilt.
const FORMAT: u32 = 5;
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
    pub source: Source,
    pub unreadable: usize,
}

/// Loads the facts of the store: from its snapshot when it holds, else by a rebuild (which
/// then writes a snapshot for next time; a failure to write it is logged, not fatal). `units`
/// is the store's directory, used to re-derive changed dossiers.
pub fn load(store: &Store, units: &UnitDirectory) -> Result<Loaded, StoreError> {
    match read_valid(store)? {
        Some((facts, _)) => refreshed(store, facts, units),
        None => rebuilt(store, units),
    }
}

/// `load`, with the unit directory read from the snapshot when it holds (it is the store's:
/// a unit change drops the snapshot's token) and from the store otherwise.
pub fn load_with_units(store: &Store) -> Result<(Loaded, UnitDirectory), StoreError> {
    match read_valid(store)? {
        Some((facts, units)) => Ok((refreshed(store, facts, &units)?, units)),
        None => {
            let units = store.directory()?;
            Ok((rebuilt(store, &units)?, units))
        }
    }
}

/// A snapshot's facts with the dossiers changed since re-derived.
fn refreshed(store: &Store, mut facts: Facts, units: &UnitDirectory) -> Result<Loaded, StoreError> {
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
        source: Source::Snapshot {
            changed: changed.len(),
        },
        unreadable,
    })
}

fn rebuilt(store: &Store, units: &UnitDirectory) -> Result<Loaded, StoreError> {
    let generation = store.generation()?;
    let (facts, unreadable) = rebuild(store.dossiers(), units);
    if let Err(e) = save_at(store, &facts, units, generation) {
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
    save_at(store, &facts, &units, generation)?;
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
    save_at(store, facts, &units, generation)
}

/// Writes the snapshot, then tells the store it describes every write up to `generation`.
fn save_at(
    store: &Store,
    facts: &Facts,
    units: &UnitDirectory,
    generation: u64,
) -> Result<(), SnapshotError> {
    let Some(path) = store.facts_file() else {
        return Ok(());
    };
    let token = (generation ^ u64::from(std::process::id()).rotate_left(32)) | 1;
    write_file(&path, token, facts, units, &store.cipher())?;
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

fn write_file(
    path: &Path,
    token: u64,
    facts: &Facts,
    units: &UnitDirectory,
    cipher: &Cipher,
) -> Result<(), SnapshotError> {
    // A fresh build has no rows left behind by replaced dossiers: written as it is, without
    // a second copy in memory.
    let compact;
    let facts = if facts.has_orphans() {
        compact = facts.compacted();
        &compact
    } else {
        facts
    };
    let mut units: Vec<&Unit> = units.iter().collect();
    units.sort_by_key(|u| u.id);
    let units = Zeroizing::new(bincode::serde::encode_to_vec(
        &units,
        bincode::config::standard(),
    )?);
    let mut file = AtomicFile::create(path)?;
    let header = header(token);
    file.writer()
        .write_all(&header)
        .map_err(|e| file.io_error(e))?;
    // Streamed into the file through the sealing writer: no encoded copy of the whole
    // snapshot is held, only one chunk.
    let mut sealed = SealedWriter::new(file.writer(), cipher, header);
    let written = write_plain(&mut sealed, facts, &units).and_then(|()| sealed.finish());
    written.map_err(|e| file.io_error(e))?;
    file.finish()?;
    Ok(())
}

/// The plaintext: the grade window, the length of every part, then the parts in that order.
fn write_plain(out: &mut impl Write, f: &Facts, units: &[u8]) -> std::io::Result<()> {
    let lens = [
        f.people.len(),
        f.hot.len(),
        f.postings.len(),
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
    write_rows(out, &f.people)?;
    write_rows(out, &f.hot)?;
    write_rows(out, &f.postings)?;
    write_rows(out, &f.courses)?;
    write_rows(out, &f.grades)?;
    write_rows(out, &f.trainings)?;
    write_rows(out, &f.rewards)?;
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

fn write_rows<T: Row>(out: &mut impl Write, rows: &[T]) -> std::io::Result<()> {
    let mut buf = Zeroizing::new(Vec::with_capacity(CHUNK + T::SIZE));
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
    fn new(out: &'a mut W, cipher: &'a Cipher, header: [u8; HEADER]) -> Self {
        SealedWriter {
            out,
            cipher,
            header,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
            index: 0,
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
fn read_valid(store: &Store) -> Result<Option<(Facts, UnitDirectory)>, StoreError> {
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

fn read_file(path: &Path, token: u64, cipher: &Cipher) -> Result<(Facts, UnitDirectory), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut head = [0u8; HEADER];
    input
        .read_exact(&mut head)
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
    let reader = SealedReader {
        input,
        cipher,
        header: head,
        plain: Zeroizing::new(Vec::new()),
        pos: 0,
        index: 0,
        done: false,
    };
    // One thread opens the chunks while this one lays out the rows.
    let (tx, rx) = sync_channel::<std::io::Result<Zeroizing<Vec<u8>>>>(16);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut reader = reader;
            loop {
                match reader.next_chunk() {
                    Ok(()) => {
                        let plain = std::mem::take(&mut reader.plain);
                        let last = reader.done;
                        if tx.send(Ok(plain)).is_err() || last {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            reader.pos = reader.plain.len();
            if let Err(e) = reader.finish() {
                let _ = tx.send(Err(e));
            }
        });
        let mut plain = Plain {
            rx,
            cur: Zeroizing::new(Vec::new()),
            pos: 0,
            ended: false,
        };
        let read = read_plain(&mut plain);
        // Whatever was decoded, the stream must be whole and end exactly here.
        let end = plain.end();
        let (facts, units) = read?;
        end?;
        facts
            .check_bounds()
            .map_err(|why| format!("inconsistent facts: {why}"))?;
        Ok((facts, units))
    })
}

/// The opened plaintext as it arrives, chunk by chunk.
struct Plain {
    rx: Receiver<std::io::Result<Zeroizing<Vec<u8>>>>,
    cur: Zeroizing<Vec<u8>>,
    pos: usize,
    ended: bool,
}

impl Plain {
    /// The next chunk; false at the end of the stream.
    fn next(&mut self) -> Result<bool, String> {
        if self.ended {
            return Ok(false);
        }
        match self.rx.recv() {
            Ok(Ok(chunk)) => {
                self.cur = chunk;
                self.pos = 0;
                Ok(true)
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => {
                self.ended = true;
                Ok(false)
            }
        }
    }

    fn fill(&mut self, out: &mut [u8]) -> Result<(), String> {
        let mut at = 0;
        while at < out.len() {
            if self.pos == self.cur.len() && !self.next()? {
                return Err("cut short".into());
            }
            let n = (out.len() - at).min(self.cur.len() - self.pos);
            out[at..at + n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
            at += n;
            self.pos += n;
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
        let mut out = Vec::with_capacity(n.min(1 << 26));
        let mut carry = vec![0u8; T::SIZE];
        while out.len() < n {
            if self.pos == self.cur.len() && !self.next()? {
                return Err("cut short".into());
            }
            let avail = &self.cur[self.pos..];
            let whole = (avail.len() / T::SIZE).min(n - out.len());
            for rec in avail[..whole * T::SIZE].chunks_exact(T::SIZE) {
                out.push(T::get(rec).map_err(|_| "a record that is not ours".to_string())?);
            }
            self.pos += whole * T::SIZE;
            if out.len() < n && whole * T::SIZE < avail.len() {
                self.fill(&mut carry)?;
                out.push(T::get(&carry).map_err(|_| "a record that is not ours".to_string())?);
            }
        }
        Ok(out)
    }

    /// Everything was used and the stream ended whole.
    fn end(&mut self) -> Result<(), String> {
        if self.pos < self.cur.len() {
            return Err("trailing bytes".into());
        }
        while self.next()? {
            if !self.cur.is_empty() {
                return Err("trailing bytes".into());
            }
        }
        Ok(())
    }
}

fn read_plain(p: &mut Plain) -> Result<(Facts, UnitDirectory), String> {
    let mut base = [0u8; 2];
    p.fill(&mut base)?;
    let mut lens = [0usize; 12];
    for n in &mut lens {
        *n = usize::try_from(p.u64()?).map_err(|_| "a length out of range".to_string())?;
    }
    let [
        people,
        hot,
        postings,
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
        postings: p.rows(postings)?,
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
    facts.reindex();
    Ok((facts, UnitDirectory::new(units)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(plain: &[u8], cipher: &Cipher, header: [u8; HEADER]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = SealedWriter::new(&mut out, cipher, header);
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
