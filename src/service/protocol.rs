//! The wire between `cadre` and `cadre serve`: a versioned handshake, then length-framed
//! bincode messages, one request answered by one response. Owns the message types and the
//! framing only; what a request does is the session's business (`service::session`).
//!
//! A frame is a 4-byte big-endian length followed by that many bytes of bincode. A frame larger
//! than the side's limit, or one that does not decode, ends that connection (and only it).

use std::io::{Read, Write};
use std::sync::Arc;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::alerts::Alert;
use crate::audit::{Action as AuditAction, Filter as AuditFilter};
use crate::facts::Facts;
use crate::history::HistoryEntry;
use crate::model::{Dossier, DossierId, PartialDate, Unit, UnitDirectory};
use crate::reserve::ReserveEntry;
use crate::store::{Review, SavedFilter, TeamPlan};

/// The first bytes a client sends, before any frame.
pub const MAGIC: &[u8; 8] = b"CADRESV\x01";
/// Bumped whenever a message type changes shape; both sides must agree.
pub const VERSION: u16 = 1;
/// Largest request a server reads (a dossier with its photo fits many times over).
pub const MAX_REQUEST: usize = 16 * 1024 * 1024;
/// Largest response a client reads (the facts of a province; a million dossiers is ~530 MB).
pub const MAX_RESPONSE: usize = 1024 * 1024 * 1024;

/// What the server says after the handshake: who the kernel says the client is, and what the
/// roles file lets that user do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    pub version: u16,
    pub user: String,
    pub role: String,
    pub rights: crate::roles::Rights,
    /// Sections withheld from this user's dossiers (shown as 无权查看).
    pub withheld: crate::show::Veil,
}

/// One request. Every variant is checked against the connection's rights and audited.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Request {
    /// The unit directory and the compact facts of every dossier the user may see, with the
    /// fields the user may not see already removed.
    Facts,
    Units,
    /// One dossier with its revision; withheld sections emptied.
    Dossier(DossierId),
    /// Several dossiers at once (a team's members, a report), recorded as one access.
    Dossiers(Vec<DossierId>),
    /// Ids of the dossiers a filter expression matches as of a date.
    Query {
        text: String,
        today: PartialDate,
    },
    /// Dossier ids for what a clerk types to name a person: `#id`, an ID number or a name.
    Find(String),
    Create(Box<Dossier>),
    Save {
        dossier: Box<Dossier>,
        expected: Option<u64>,
    },
    History(DossierId),
    Undo {
        id: DossierId,
        seq: u64,
    },
    PutUnit(Unit),
    /// Every alert and/or the reserve pool as of `today` (alerts only with the alerts right,
    /// the pool only with the reserve right; otherwise empty).
    Derived {
        today: PartialDate,
        alerts: bool,
        reserve: bool,
    },
    SavedFilters,
    SaveFilter {
        name: String,
        text: String,
    },
    RenameFilter {
        old: String,
        new: String,
    },
    DeleteFilter(String),
    Reviews,
    MarkReviewed(Review),
    UnmarkReviewed(String),
    Plans,
    SavePlan(TeamPlan),
    DeletePlan(String),
    /// Something the client did with data it was given (an export, a report written): the
    /// service records it in the audit trail.
    Note {
        action: AuditAction,
        target: String,
    },
    /// A consistent backup written by the service to a path it can write.
    Backup(String),
    AuditList(AuditFilter),
    AuditVerify,
    /// Re-seals the database under the key in this file (readable by the service), while
    /// other clients keep reading.
    RotateKey(String),
}

/// Why a request failed, as the client needs to tell it apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum Failure {
    /// The roles file does not allow it (already recorded in the audit trail).
    #[error("无权限：{0}")]
    Denied(String),
    #[error("档案 #{id} 在打开后已被他人修改（打开时第 {expected} 版，现为第 {found} 版）")]
    Conflict {
        id: DossierId,
        expected: u64,
        found: u64,
    },
    #[error("档案 #{0} 不存在")]
    NotFound(DossierId),
    /// Any other error, as the service words it.
    #[error("{0}")]
    Failed(String),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Response {
    Done,
    Facts {
        facts: Arc<Facts>,
        units: Arc<UnitDirectory>,
    },
    Units(Arc<UnitDirectory>),
    Dossier(Option<(Box<Dossier>, u64)>),
    Dossiers(Vec<Dossier>),
    Ids(Vec<DossierId>),
    Created(DossierId),
    Revision(u64),
    History(Vec<HistoryEntry>),
    Derived {
        alerts: Vec<Alert>,
        reserve: Vec<ReserveEntry>,
    },
    Filters(Vec<SavedFilter>),
    Reviews(Vec<Review>),
    Plans(Vec<TeamPlan>),
    Text(String),
    /// Audit entries as the trail's own JSON lines (bincode cannot carry their optional
    /// fields; the lines are also exactly what was hashed).
    AuditEntries(Vec<String>),
    Failed(Failure),
}

/// A framing or transport problem; the connection cannot go on after one.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("连接中断：{0}")]
    Io(#[from] std::io::Error),
    #[error("消息过大（{size} 字节，上限 {limit} 字节）")]
    TooLarge { size: usize, limit: usize },
    #[error("消息无法解码：{0}")]
    Decode(String),
    #[error("消息无法编码：{0}")]
    Encode(String),
    #[error("不是 cadre 服务（握手不符）")]
    BadMagic,
    #[error("协议版本不符：服务为第 {server} 版，本程序为第 {client} 版")]
    Version { server: u16, client: u16 },
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Writes one frame.
pub fn write_frame<T: Serialize>(w: &mut impl Write, value: &T) -> Result<(), WireError> {
    let body = bincode::serde::encode_to_vec(value, config())
        .map_err(|e| WireError::Encode(e.to_string()))?;
    let len = u32::try_from(body.len()).map_err(|_| WireError::TooLarge {
        size: body.len(),
        limit: u32::MAX as usize,
    })?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(&body)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame of at most `limit` bytes. A clean end of stream before the length is
/// `Ok(None)`.
pub fn read_frame<T: DeserializeOwned>(
    r: &mut impl Read,
    limit: usize,
) -> Result<Option<T>, WireError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let size = u32::from_be_bytes(len) as usize;
    if size > limit {
        return Err(WireError::TooLarge { size, limit });
    }
    let mut body = vec![0u8; size];
    r.read_exact(&mut body)?;
    let (value, used) = bincode::serde::decode_from_slice(&body, config())
        .map_err(|e| WireError::Decode(e.to_string()))?;
    if used != body.len() {
        return Err(WireError::Decode(format!("{} 字节多余", body.len() - used)));
    }
    Ok(Some(value))
}

/// The client's opening: magic and version.
pub fn write_hello(w: &mut impl Write) -> Result<(), WireError> {
    w.write_all(MAGIC)?;
    w.write_all(&VERSION.to_be_bytes())?;
    w.flush()?;
    Ok(())
}

/// The server's reading of the opening: the client's version, or why it is not a client.
pub fn read_hello(r: &mut impl Read) -> Result<u16, WireError> {
    let mut buf = [0u8; 10];
    r.read_exact(&mut buf)?;
    if &buf[..8] != MAGIC {
        return Err(WireError::BadMagic);
    }
    Ok(u16::from_be_bytes([buf[8], buf[9]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_refuse_what_is_too_big_or_garbled() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &Request::Dossier(42)).unwrap();
        let back: Request = read_frame(&mut buf.as_slice(), MAX_REQUEST)
            .unwrap()
            .unwrap();
        assert!(matches!(back, Request::Dossier(42)));
        // Too large for the limit.
        let err = read_frame::<Request>(&mut buf.as_slice(), 1).unwrap_err();
        assert!(matches!(err, WireError::TooLarge { .. }), "{err}");
        // Garbled body.
        let garbled = [0u8, 0, 0, 3, 0xff, 0xff, 0xff];
        let err = read_frame::<Request>(&mut garbled.as_slice(), MAX_REQUEST).unwrap_err();
        assert!(matches!(err, WireError::Decode(_)), "{err}");
        // Clean end of stream.
        assert!(
            read_frame::<Request>(&mut [].as_slice(), MAX_REQUEST)
                .unwrap()
                .is_none()
        );
        // Truncated body is an error, not a clean end.
        let cut = &buf[..buf.len() - 1];
        assert!(read_frame::<Request>(&mut &cut[..], MAX_REQUEST).is_err());
    }

    #[test]
    fn the_hello_carries_magic_and_version() {
        let mut buf = Vec::new();
        write_hello(&mut buf).unwrap();
        assert_eq!(read_hello(&mut buf.as_slice()).unwrap(), VERSION);
        let err = read_hello(&mut &b"GET / HTTP"[..]).unwrap_err();
        assert!(matches!(err, WireError::BadMagic));
    }
}
