//! The versioned envelope around every stored value: a magic byte, a record kind, a schema
//! version, then the bincode payload. A type whose layout changes bumps `VERSION` and teaches
//! `upgrade` to read the older payloads, so records written before a model change still decode.
//! `seal`/`open` wrap the envelope in the database's AEAD (see `crypto`), so what reaches the
//! disk is ciphertext. Owns encoding only; it knows nothing of trees.

use serde::Serialize;
use serde::de::DeserializeOwned;

const MAGIC: u8 = 0xCA;
const HEADER: usize = 4;

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
    if bytes.len() < HEADER || bytes[0] != MAGIC {
        return Err(EnvelopeError::BadHeader);
    }
    if bytes[1] != T::KIND {
        return Err(EnvelopeError::WrongKind {
            expected: T::KIND,
            found: bytes[1],
        });
    }
    let version = u16::from_le_bytes([bytes[2], bytes[3]]);
    let payload = &bytes[HEADER..];
    match version.cmp(&T::VERSION) {
        std::cmp::Ordering::Equal => decode_payload(payload),
        std::cmp::Ordering::Less => T::upgrade(version, payload),
        std::cmp::Ordering::Greater => Err(EnvelopeError::TooNew {
            found: version,
            current: T::VERSION,
        }),
    }
}

/// Encodes `value` and seals it under the cipher's current key.
pub fn seal<T: Versioned>(
    cipher: &super::crypto::Cipher,
    value: &T,
) -> Result<Vec<u8>, EnvelopeError> {
    let plain = zeroize::Zeroizing::new(encode(value)?);
    Ok(cipher.seal(&plain))
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
}
