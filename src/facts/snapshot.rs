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

use std::io::{BufReader, Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::io::export::AtomicFile;
use crate::model::{Dossier, UnitDirectory};
use crate::store::crypto::{Cipher, OVERHEAD};
use crate::store::{Store, StoreError};

use super::Facts;

const MAGIC: &[u8; 8] = b"CADREFX\x01";
/// Bumped whenever `Facts` changes shape: an older file is then rebuilt.
const FORMAT: u32 = 4;
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
    write_file(&path, token, facts, &store.cipher())?;
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
    let mut file = AtomicFile::create(path)?;
    let header = header(token);
    file.writer()
        .write_all(&header)
        .map_err(|e| file.io_error(e))?;
    // Streamed into the file through the sealing writer: no encoded copy of the whole
    // snapshot is held, only one chunk.
    let mut sealed = SealedWriter::new(file.writer(), cipher, header);
    bincode::serde::encode_into_std_write(facts, &mut sealed, bincode::config::standard())?;
    sealed.finish().map_err(|e| file.io_error(e))?;
    file.finish()?;
    Ok(())
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

/// bincode reads the opened chunks in place: `peek_read` lets its varint decoding take the
/// fast path within a chunk (a read across chunks goes through `Read`).
impl<R: Read> bincode::de::read::Reader for SealedReader<'_, R> {
    fn read(&mut self, bytes: &mut [u8]) -> Result<(), bincode::error::DecodeError> {
        Read::read_exact(self, bytes).map_err(|inner| bincode::error::DecodeError::Io {
            inner,
            additional: bytes.len(),
        })
    }

    fn peek_read(&mut self, n: usize) -> Option<&[u8]> {
        self.plain.get(self.pos..self.pos + n)
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.plain.len());
    }
}

/// The snapshot, when its file is whole, of this format, and the store's current one.
fn read_valid(store: &Store) -> Result<Option<Facts>, StoreError> {
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

fn read_file(path: &Path, token: u64, cipher: &Cipher) -> Result<Facts, String> {
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
    let mut reader = SealedReader {
        input,
        cipher,
        header: head,
        plain: Zeroizing::new(Vec::new()),
        pos: 0,
        index: 0,
        done: false,
    };
    // Decoded as the chunks are opened; the stream must end exactly after the value.
    let mut facts: Facts =
        bincode::serde::decode_from_reader(&mut reader, bincode::config::standard())
            .map_err(|e| e.to_string())?;
    reader.finish().map_err(|e| e.to_string())?;
    facts.reindex();
    Ok(facts)
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
