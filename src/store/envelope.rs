//! The versioned envelope around every stored value: a magic byte, a record kind, a schema
//! version, then the bincode payload. A type whose layout changes bumps `VERSION` and teaches
//! `upgrade` to read the older payloads, so records written before a model change still decode.
//! `seal`/`open` wrap the envelope in the database's AEAD (see `crypto`), so what reaches the
//! disk is ciphertext. Before sealing, the payload is packed as a zstd frame when that makes it
//! smaller (another magic byte says so; records written unpacked still read): a dossier's
//! payload is about two-thirds as long packed, and sled's log, which rewrites every value as
//! leaves fill and split, is the larger part of the database. Owns encoding only; it knows
//! nothing of trees.

use serde::Serialize;
use serde::de::DeserializeOwned;

const MAGIC: u8 = 0xCA;
/// The magic of a record whose payload is one zstd frame.
const MAGIC_PACKED: u8 = 0xCB;
const HEADER: usize = 4;
/// zstd's fastest level: higher ones gain 2% on a dossier and cost a third of the speed.
const LEVEL: i32 = 1;
/// No record unpacks to more than this: a damaged frame that claims more is refused.
const MAX_UNPACKED: u64 = 64 << 20;

thread_local! {
    /// One zstd context per thread, reused (making one per record costs more than packing).
    static PACKER: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static UNPACKER: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("not a cadre record (bad header)")]
    BadHeader,
    #[error("record kind {found} where kind {expected} was expected")]
    WrongKind { expected: u8, found: u8 },
    #[error("record version {found} is newer than this program understands ({current})")]
    TooNew { found: u16, current: u16 },
    #[error("no upgrade from record version {0}")]
    NoUpgrade(u16),
    #[error("payload does not decode: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    #[error("payload does not encode: {0}")]
    Encode(#[from] bincode::error::EncodeError),
    #[error("{0} trailing bytes after the payload")]
    Trailing(usize),
    #[error("{0}")]
    Sealed(#[from] super::crypto::CryptoError),
    #[error("packed payload does not unpack: {0}")]
    Unpack(String),
}

/// A stored type with a kind byte and a schema version.
pub trait Versioned: Serialize + DeserializeOwned {
    /// Distinguishes record types, so a unit is never read as a dossier.
    const KIND: u8;
    /// The schema version written now.
    const VERSION: u16;
    /// Reads a payload written at an older `version`. The default knows none.
    fn upgrade(version: u16, _payload: &[u8]) -> Result<Self, EnvelopeError> {
        Err(EnvelopeError::NoUpgrade(version))
    }
}

pub fn encode<T: Versioned>(value: &T) -> Result<Vec<u8>, EnvelopeError> {
    let mut out = Vec::with_capacity(256);
    out.push(MAGIC);
    out.push(T::KIND);
    out.extend_from_slice(&T::VERSION.to_le_bytes());
    bincode::serde::encode_into_std_write(value, &mut out, config())?;
    Ok(out)
}

pub fn decode<T: Versioned>(bytes: &[u8]) -> Result<T, EnvelopeError> {
    if bytes.len() < HEADER || (bytes[0] != MAGIC && bytes[0] != MAGIC_PACKED) {
        return Err(EnvelopeError::BadHeader);
    }
    if bytes[1] != T::KIND {
        return Err(EnvelopeError::WrongKind {
            expected: T::KIND,
            found: bytes[1],
        });
    }
    let version = u16::from_le_bytes([bytes[2], bytes[3]]);
    if version > T::VERSION {
        return Err(EnvelopeError::TooNew {
            found: version,
            current: T::VERSION,
        });
    }
    let unpacked;
    let payload = if bytes[0] == MAGIC_PACKED {
        unpacked = zeroize::Zeroizing::new(unpack(&bytes[HEADER..])?);
        &unpacked[..]
    } else {
        &bytes[HEADER..]
    };
    if version == T::VERSION {
        decode_payload(payload)
    } else {
        T::upgrade(version, payload)
    }
}

/// `encode`, with the payload packed when that makes the record shorter.
pub fn pack<T: Versioned>(value: &T) -> Result<zeroize::Zeroizing<Vec<u8>>, EnvelopeError> {
    let plain = zeroize::Zeroizing::new(encode(value)?);
    let frame = PACKER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let packer = match &mut *cell {
            Some(p) => p,
            None => cell.insert(zstd::bulk::Compressor::new(LEVEL).map_err(|e| pack_error(&e))?),
        };
        packer
            .compress(&plain[HEADER..])
            .map(zeroize::Zeroizing::new)
            .map_err(|e| pack_error(&e))
    })?;
    if HEADER + frame.len() >= plain.len() {
        return Ok(plain);
    }
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(HEADER + frame.len()));
    out.push(MAGIC_PACKED);
    out.extend_from_slice(&plain[1..HEADER]);
    out.extend_from_slice(&frame);
    Ok(out)
}

fn pack_error(e: &std::io::Error) -> EnvelopeError {
    EnvelopeError::Encode(bincode::error::EncodeError::OtherString(format!(
        "zstd: {e}"
    )))
}

/// The payload held in one zstd frame, which must say how long it is.
fn unpack(frame: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let len = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(n)) if n <= MAX_UNPACKED => n as usize,
        Ok(Some(n)) => return Err(EnvelopeError::Unpack(format!("claims {n} bytes"))),
        Ok(None) | Err(_) => return Err(EnvelopeError::Unpack("no length in the frame".into())),
    };
    UNPACKER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let unpacker = match &mut *cell {
            Some(u) => u,
            None => cell.insert(
                zstd::bulk::Decompressor::new()
                    .map_err(|e| EnvelopeError::Unpack(e.to_string()))?,
            ),
        };
        let out = unpacker
            .decompress(frame, len)
            .map_err(|e| EnvelopeError::Unpack(e.to_string()))?;
        if out.len() != len {
            return Err(EnvelopeError::Unpack(format!(
                "{} bytes where the frame says {len}",
                out.len()
            )));
        }
        Ok(out)
    })
}

/// Encodes `value` and seals it under the cipher's current key.
pub fn seal<T: Versioned>(
    cipher: &super::crypto::Cipher,
    value: &T,
) -> Result<Vec<u8>, EnvelopeError> {
    Ok(cipher.seal(&pack(value)?))
}

/// Opens a sealed value (refusing a tampered or foreign one before anything is decoded) and
/// decodes it.
pub fn open<T: Versioned>(
    cipher: &super::crypto::Cipher,
    bytes: &[u8],
) -> Result<T, EnvelopeError> {
    let plain = zeroize::Zeroizing::new(cipher.open(bytes)?);
    decode(&plain)
}

/// Decodes a bare payload of any serde type, requiring every byte to be used. `upgrade`
/// implementations call it with their frozen older struct.
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, EnvelopeError> {
    let (v, used) = bincode::serde::decode_from_slice(payload, config())?;
    if used != payload.len() {
        return Err(EnvelopeError::Trailing(payload.len() - used));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A record as it was before a model change…
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct PostingV1 {
        position: String,
        start: u32,
    }
    impl Versioned for PostingV1 {
        const KIND: u8 = 200;
        const VERSION: u16 = 1;
    }

    /// …and after a field was added.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct PostingV2 {
        position: String,
        start: u32,
        portfolio: Option<String>,
    }
    impl Versioned for PostingV2 {
        const KIND: u8 = 200;
        const VERSION: u16 = 2;
        fn upgrade(version: u16, payload: &[u8]) -> Result<Self, EnvelopeError> {
            match version {
                1 => {
                    let old: PostingV1 = decode_payload(payload)?;
                    Ok(PostingV2 {
                        position: old.position,
                        start: old.start,
                        portfolio: None,
                    })
                }
                v => Err(EnvelopeError::NoUpgrade(v)),
            }
        }
    }

    #[test]
    fn a_record_written_before_a_field_was_added_still_decodes() {
        let old = encode(&PostingV1 {
            position: "副县长".into(),
            start: 20160300,
        })
        .unwrap();
        // Read as the new type, the old bytes decode through the upgrade.
        let new: PostingV2 = decode(&old).unwrap();
        assert_eq!(new.position, "副县长");
        assert_eq!(new.portfolio, None);
        // Without the envelope's version the plain decode would fail on the same bytes.
        assert!(decode_payload::<PostingV2>(&old[HEADER..]).is_err());
        // And a newer record is refused by an older program, not misread.
        let newer = encode(&new).unwrap();
        assert!(matches!(
            decode::<PostingV1>(&newer),
            Err(EnvelopeError::TooNew {
                found: 2,
                current: 1
            })
        ));
    }

    #[test]
    fn wrong_kind_and_garbage_are_refused() {
        #[derive(Serialize, Deserialize)]
        struct Other(u8);
        impl Versioned for Other {
            const KIND: u8 = 201;
            const VERSION: u16 = 1;
        }
        let bytes = encode(&Other(1)).unwrap();
        assert!(matches!(
            decode::<PostingV1>(&bytes),
            Err(EnvelopeError::WrongKind { .. })
        ));
        assert!(matches!(
            decode::<PostingV1>(b"xx"),
            Err(EnvelopeError::BadHeader)
        ));
        let mut trailing = encode(&PostingV1 {
            position: "a".into(),
            start: 1,
        })
        .unwrap();
        trailing.push(0);
        assert!(matches!(
            decode::<PostingV1>(&trailing),
            Err(EnvelopeError::Trailing(1))
        ));
    }

    #[test]
    fn a_packed_record_is_shorter_and_reads_back_as_the_plain_one() {
        let long = PostingV1 {
            position: "县人民政府副县长、县公安局局长".repeat(20),
            start: 20160300,
        };
        let plain = encode(&long).unwrap();
        let packed = pack(&long).unwrap();
        assert_eq!(packed[0], MAGIC_PACKED);
        assert!(
            packed.len() * 3 < plain.len(),
            "{} vs {}",
            packed.len(),
            plain.len()
        );
        assert_eq!(decode::<PostingV1>(&packed).unwrap(), long);
        // Records written before packing existed still read.
        assert_eq!(decode::<PostingV1>(&plain).unwrap(), long);
        // A short record that packing would lengthen is kept as it is.
        let short = PostingV1 {
            position: "甲".into(),
            start: 1,
        };
        assert_eq!(*pack(&short).unwrap(), encode(&short).unwrap());
        // A packed older version goes through the upgrade like a plain one.
        let new: PostingV2 = decode(&packed).unwrap();
        assert_eq!(new.position, long.position);
        assert!(matches!(
            decode::<PostingV1>(&pack(&new).unwrap()),
            Err(EnvelopeError::TooNew { .. })
        ));
    }

    #[test]
    fn a_damaged_packed_record_is_refused_not_misread() {
        let long = PostingV1 {
            position: "市委组织部干部一科".repeat(30),
            start: 20200100,
        };
        let packed = pack(&long).unwrap();
        let mut cut = packed.to_vec();
        cut.truncate(packed.len() - 5);
        assert!(decode::<PostingV1>(&cut).is_err());
        // A frame that claims a huge length is refused before anything is allocated.
        let mut huge = packed[..HEADER].to_vec();
        // (magic, a descriptor with a four-byte content size, a window, 256 MiB)
        huge.extend_from_slice(&[0x28, 0xB5, 0x2F, 0xFD, 0x80, 0x00, 0, 0, 0, 0x10]);
        match decode::<PostingV1>(&huge) {
            Err(EnvelopeError::Unpack(why)) => assert!(why.contains("268435456"), "{why}"),
            other => panic!("{other:?}"),
        }
        // The seal authenticates every stored byte; below it, a flipped bit in a frame may
        // unpack to other bytes, but it is never a panic.
        for at in HEADER..packed.len() {
            let mut flipped = packed.to_vec();
            flipped[at] ^= 0x40;
            let _ = decode::<PostingV1>(&flipped);
        }
    }
}
