//! Encryption at rest: the keys of one database and what is done with them. A master key (from
//! a key file, a passphrase through argon2, or given) yields, through HKDF-SHA256, a data key
//! (XChaCha20-Poly1305, a random 24-byte nonce per value), an index key (HMAC-SHA256 blind
//! index keys, so no tree key holds a name or an ID number) and a key id written in every
//! sealed value's header, so values sealed under an older key still open during a rotation.
//! Owns key material and the sealed format; it knows nothing of trees, and never logs a key or
//! a plaintext. Key material is wiped from memory when dropped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// First byte of every sealed value (a plaintext envelope starts with 0xCA).
const SEALED: u8 = 0xE1;
const NONCE: usize = 24;
const TAG: usize = 16;
/// Marker, key id, nonce.
const HEADER: usize = 1 + 4 + NONCE;
/// Bytes a sealed value adds to its plaintext.
pub const OVERHEAD: usize = HEADER + TAG;
/// A master key's length, in bytes.
pub const KEY_LEN: usize = 32;

/// A 32-byte secret, wiped when dropped.
pub type Secret = Zeroizing<[u8; KEY_LEN]>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("不是加密记录（缺少加密头）")]
    NotSealed,
    #[error("记录用密钥 {0:08x} 加密，当前密钥无法打开")]
    UnknownKey(u32),
    #[error("解密失败：密钥不符，或数据被篡改")]
    Tampered,
}

/// Why a key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "密钥与数据库不符：{0} 不能用所给密钥打开（请检查 --key-file、CADRE_KEY_FILE 或 CADRE_PASSPHRASE）"
    )]
    Mismatch(String),
    #[error(
        "找不到数据库 {db} 的密钥文件 {key}（数据库已加密，需要原来的密钥；可用 --key-file 指定）"
    )]
    MissingDefault { db: PathBuf, key: PathBuf },
    #[error("密钥文件 {0} 不存在（可用 cadre key new {0} 生成）")]
    Missing(PathBuf),
    #[error("密钥文件 {path} 的权限为 {mode:04o}，拒绝使用：只允许所有者读写（chmod 600 {path}）")]
    Mode { path: PathBuf, mode: u32 },
    #[error("密钥文件 {0} 不属于当前用户，拒绝使用")]
    Owner(PathBuf),
    #[error("密钥文件 {0} 格式不对：应为 32 字节，或 64 个十六进制字符")]
    Format(PathBuf),
    #[error("密钥文件 {path} 读写失败：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("密钥文件 {0} 已存在，不覆盖")]
    Exists(PathBuf),
    #[error("口令派生密钥失败：{0}")]
    Kdf(String),
    #[error("数据库使用密钥文件加密，不能用口令打开")]
    NotPassphrase,
    #[error("新密钥与当前密钥相同，无需轮换")]
    SameKey,
    #[error("有未完成的批量写入（导入），请先完成或回滚后再轮换密钥")]
    BulkInProgress,
}

/// Where the master key comes from.
#[derive(Clone, Default)]
pub enum KeySource {
    /// `<database>.key` beside the database directory; created (mode 0600, a fresh random
    /// key) when the database is created.
    #[default]
    DefaultFile,
    /// A key file: 32 raw bytes or 64 hex characters, mode 0600 or 0400, owned by the user.
    File(PathBuf),
    /// A passphrase, stretched with argon2id and the salt kept in the database.
    Passphrase(Zeroizing<String>),
    /// A key given directly (tests, tools).
    Key(Secret),
    /// A fresh random key (temporary databases).
    Random,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::DefaultFile => f.write_str("DefaultFile"),
            KeySource::File(p) => write!(f, "File({})", p.display()),
            KeySource::Passphrase(_) => f.write_str("Passphrase(..)"),
            KeySource::Key(_) => f.write_str("Key(..)"),
            KeySource::Random => f.write_str("Random"),
        }
    }
}

impl KeySource {
    /// What the command line asks for: an explicit key file (`--key-file` or
    /// `CADRE_KEY_FILE`), else `CADRE_PASSPHRASE`, else the default key file.
    pub fn from_env(key_file: Option<PathBuf>) -> KeySource {
        if let Some(p) = key_file {
            return KeySource::File(p);
        }
        match std::env::var("CADRE_PASSPHRASE") {
            Ok(p) if !p.is_empty() => KeySource::Passphrase(Zeroizing::new(p)),
            _ => KeySource::DefaultFile,
        }
    }
}

/// The default key file of a database directory: `<dir>.key` beside it.
pub fn default_key_file(db: &Path) -> PathBuf {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "db".into());
    db.with_file_name(format!("{name}.key"))
}

/// A fresh random 32-byte key.
pub fn random_key() -> Secret {
    let mut k = Zeroizing::new([0u8; KEY_LEN]);
    rand::rngs::OsRng.fill_bytes(&mut k[..]);
    k
}

/// Reads a key file, refusing one others could read or that another user owns.
pub fn read_key_file(path: &Path) -> Result<Secret, KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeyError::Missing(path.to_path_buf()));
        }
        Err(e) => return Err(io(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Mode {
                path: path.to_path_buf(),
                mode,
            });
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        if meta.uid() != unsafe { libc::geteuid() } {
            return Err(KeyError::Owner(path.to_path_buf()));
        }
    }
    let raw = Zeroizing::new(std::fs::read(path).map_err(io)?);
    parse_key(&raw).ok_or_else(|| KeyError::Format(path.to_path_buf()))
}

fn parse_key(raw: &[u8]) -> Option<Secret> {
    let mut k = Zeroizing::new([0u8; KEY_LEN]);
    if raw.len() == KEY_LEN {
        k.copy_from_slice(raw);
        return Some(k);
    }
    let text = std::str::from_utf8(raw).ok()?.trim();
    if text.len() != 2 * KEY_LEN {
        return None;
    }
    for (i, byte) in k.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(k)
}

/// Writes a key file with a fresh random key (64 hex characters), mode 0600, whole or not at
/// all; refuses to replace an existing file.
pub fn write_new_key_file(path: &Path) -> Result<Secret, KeyError> {
    let key = random_key();
    write_key_file(path, &key, false)?;
    Ok(key)
}

/// Writes `key` to `path` as hex (mode 0600, temp file then rename). With `replace`, an
/// existing file is replaced; otherwise it is refused.
pub fn write_key_file(path: &Path, key: &Secret, replace: bool) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !replace && path.exists() {
        return Err(KeyError::Exists(path.to_path_buf()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "key".into());
    let tmp = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let _ = std::fs::remove_file(&tmp);
    let mut file = opts.open(&tmp).map_err(io)?;
    let mut hex = Zeroizing::new(String::with_capacity(2 * KEY_LEN + 1));
    for b in key.iter() {
        hex.push(char::from_digit(u32::from(b >> 4), 16).expect("nibble"));
        hex.push(char::from_digit(u32::from(b & 15), 16).expect("nibble"));
    }
    hex.push('\n');
    let written = file
        .write_all(hex.as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    let renamed = if replace {
        std::fs::rename(&tmp, path)
    } else {
        // No replacing a file that appeared meanwhile.
        std::fs::hard_link(&tmp, path).and_then(|()| std::fs::remove_file(&tmp))
    };
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&tmp);
        return Err(if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists(path.to_path_buf())
        } else {
            io(e)
        });
    }
    Ok(())
}

/// The argon2id parameters and salt of a passphrase-derived key, kept (in the clear) in the
/// database.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct KdfParams {
    pub salt: [u8; 16],
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl KdfParams {
    /// A fresh salt with argon2's recommended costs.
    pub fn fresh() -> KdfParams {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let d = argon2::Params::default();
        KdfParams {
            salt,
            m_cost: d.m_cost(),
            t_cost: d.t_cost(),
            p_cost: d.p_cost(),
        }
    }

    /// The master key of `passphrase` under these parameters (argon2id's key derivation).
    pub fn derive(&self, passphrase: &str) -> Result<Secret, KeyError> {
        let params = argon2::Params::new(self.m_cost, self.t_cost, self.p_cost, Some(KEY_LEN))
            .map_err(|e| KeyError::Kdf(e.to_string()))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(passphrase.as_bytes(), &self.salt, &mut out[..])
            .map_err(|e| KeyError::Kdf(e.to_string()))?;
        Ok(out)
    }
}

/// The keys derived from one master key.
struct KeyMaterial {
    id: u32,
    master: Secret,
    data: Secret,
    index: Secret,
}

impl KeyMaterial {
    fn derive(master: &Secret) -> KeyMaterial {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"cadre"), &master[..]);
        let mut data = Zeroizing::new([0u8; KEY_LEN]);
        let mut index = Zeroizing::new([0u8; KEY_LEN]);
        let mut id = [0u8; 4];
        hk.expand(b"cadre data key v1", &mut data[..])
            .expect("32 bytes is a valid HKDF length");
        hk.expand(b"cadre index key v1", &mut index[..])
            .expect("32 bytes is a valid HKDF length");
        hk.expand(b"cadre key id v1", &mut id)
            .expect("4 bytes is a valid HKDF length");
        KeyMaterial {
            id: u32::from_le_bytes(id),
            master: master.clone(),
            data,
            index,
        }
    }

    fn aead(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&*self.data).into())
    }
}

struct Keyring {
    /// Seals every new value.
    current: KeyMaterial,
    /// Opens values sealed under earlier keys (during and after a rotation in this process).
    older: Vec<KeyMaterial>,
}

/// The keys of one database: seals under the current key, opens under any it holds, and
/// makes blind index keys. Cheap to clone.
#[derive(Clone)]
pub struct Cipher {
    keys: Arc<Keyring>,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cipher(key {:08x})", self.key_id())
    }
}

impl Cipher {
    /// A cipher with the keys derived from `master`.
    pub fn new(master: &Secret) -> Cipher {
        Cipher {
            keys: Arc::new(Keyring {
                current: KeyMaterial::derive(master),
                older: Vec::new(),
            }),
        }
    }

    /// A cipher with a fresh random key.
    pub fn random() -> Cipher {
        Cipher::new(&random_key())
    }

    /// A cipher sealing under `master` that still opens what `self` opens.
    pub fn rotated_to(&self, master: &Secret) -> Cipher {
        let current = KeyMaterial::derive(master);
        let mut older = Vec::new();
        for k in std::iter::once(&self.keys.current).chain(&self.keys.older) {
            if k.id != current.id && !older.iter().any(|o: &KeyMaterial| o.id == k.id) {
                older.push(KeyMaterial::derive(&k.master));
            }
        }
        Cipher {
            keys: Arc::new(Keyring { current, older }),
        }
    }

    /// The id of the key new values are sealed under.
    pub fn key_id(&self) -> u32 {
        self.keys.current.id
    }

    /// The current master key (to wrap it under another key during a rotation).
    pub(crate) fn master(&self) -> &Secret {
        &self.keys.current.master
    }

    /// Seals `plain` under the current key with a fresh random nonce.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        self.seal_with(plain, b"")
    }

    /// Seals `plain`, binding it to `aad` (which `open_with` must be given again).
    pub fn seal_with(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let key = &self.keys.current;
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(plain.len() + OVERHEAD);
        out.push(SEALED);
        out.extend_from_slice(&key.id.to_le_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let tag = key
            .aead()
            .encrypt_in_place_detached(XNonce::from_slice(&nonce), aad, &mut out[HEADER..])
            .expect("XChaCha20-Poly1305 seals any length we store");
        out.extend_from_slice(&tag);
        out
    }

    /// Opens a sealed value, under whichever held key its header names.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.open_with(sealed, b"")
    }

    /// Opens a value sealed with `aad`.
    pub fn open_with(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let id = sealed_key_id(sealed).ok_or(CryptoError::NotSealed)?;
        if sealed.len() < OVERHEAD {
            return Err(CryptoError::NotSealed);
        }
        let key = self.key(id).ok_or(CryptoError::UnknownKey(id))?;
        let nonce = XNonce::from_slice(&sealed[5..HEADER]);
        let (body, tag) = sealed[HEADER..].split_at(sealed.len() - HEADER - TAG);
        let mut plain = body.to_vec();
        key.aead()
            .decrypt_in_place_detached(nonce, aad, &mut plain, tag.into())
            .map_err(|_| CryptoError::Tampered)?;
        Ok(plain)
    }

    fn key(&self, id: u32) -> Option<&KeyMaterial> {
        std::iter::once(&self.keys.current)
            .chain(&self.keys.older)
            .find(|k| k.id == id)
    }

    /// The blinder of held key `id` (the live index trees may still be under an older key).
    pub fn blinder_for(&self, id: u32) -> Option<Blinder> {
        self.key(id).map(|k| Blinder {
            key_id: k.id,
            key: Arc::new(k.index.clone()),
        })
    }

    /// Whether a value sealed under key `id` opens here.
    pub fn holds(&self, id: u32) -> bool {
        self.key(id).is_some()
    }

    /// A blind index key for `text` in `domain` under the current index key: HMAC-SHA256,
    /// truncated to 16 bytes. Equal texts give equal keys; the key reveals nothing else.
    pub fn blind(&self, domain: &str, text: &str) -> [u8; 16] {
        Blinder::of(self).blind(domain, text)
    }

    /// The current index key, as a blinder that outlives a later rotation of this cipher.
    pub fn blinder(&self) -> Blinder {
        Blinder::of(self)
    }
}

/// The key id in a sealed value's header, if it is one.
pub fn sealed_key_id(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < HEADER || bytes[0] != SEALED {
        return None;
    }
    Some(u32::from_le_bytes(bytes[1..5].try_into().ok()?))
}

/// Makes blind index keys under one index key.
#[derive(Clone)]
pub struct Blinder {
    key_id: u32,
    key: Arc<Secret>,
}

impl Blinder {
    fn of(c: &Cipher) -> Blinder {
        Blinder {
            key_id: c.keys.current.id,
            key: Arc::new(c.keys.current.index.clone()),
        }
    }

    /// The id of the key this blinder belongs to.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// See `Cipher::blind`.
    pub fn blind(&self, domain: &str, text: &str) -> [u8; 16] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..]).expect("HMAC takes any key");
        mac.update(&(domain.len() as u32).to_le_bytes());
        mac.update(domain.as_bytes());
        mac.update(text.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_key_and_unaltered() {
        let c = Cipher::random();
        let plain = "张伟 110101197503081234".as_bytes();
        let a = c.seal(plain);
        let b = c.seal(plain);
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.windows(plain.len()).any(|w| w == plain));
        assert_eq!(c.open(&a).unwrap(), plain);
        let mut bad = a.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(c.open(&bad), Err(CryptoError::Tampered));
        let other = Cipher::random();
        assert!(matches!(other.open(&a), Err(CryptoError::UnknownKey(_))));
        assert_eq!(c.open(b"\xca\x01plain"), Err(CryptoError::NotSealed));
        assert_eq!(
            c.open_with(&c.seal_with(plain, b"x"), b"y"),
            Err(CryptoError::Tampered)
        );
    }

    #[test]
    fn a_rotated_cipher_opens_old_values_and_seals_under_the_new_key() {
        let old = Cipher::random();
        let sealed_old = old.seal(b"abc");
        let new_master = random_key();
        let rotated = old.rotated_to(&new_master);
        assert_ne!(rotated.key_id(), old.key_id());
        assert_eq!(rotated.open(&sealed_old).unwrap(), b"abc");
        let sealed_new = rotated.seal(b"def");
        assert_eq!(sealed_key_id(&sealed_new), Some(rotated.key_id()));
        assert!(old.open(&sealed_new).is_err());
        assert_eq!(Cipher::new(&new_master).open(&sealed_new).unwrap(), b"def");
        assert_ne!(old.blind("name", "张伟"), rotated.blind("name", "张伟"));
    }

    #[test]
    fn blind_keys_depend_on_domain_text_and_key() {
        let c = Cipher::random();
        assert_eq!(c.blind("name", "张伟"), c.blind("name", "张伟"));
        assert_ne!(c.blind("name", "张伟"), c.blind("name", "张伟伟"));
        assert_ne!(c.blind("name", "张伟"), c.blind("id", "张伟"));
        assert_ne!(
            c.blind("name", "张伟"),
            Cipher::random().blind("name", "张伟")
        );
    }

    #[test]
    fn key_files_parse_as_hex_or_raw() {
        let hex = "00".repeat(31) + "ff\n";
        assert_eq!(parse_key(hex.as_bytes()).unwrap()[31], 0xff);
        assert_eq!(parse_key(&[7u8; 32]).unwrap()[0], 7);
        assert!(parse_key(b"short").is_none());
        assert!(parse_key(("zz".repeat(32)).as_bytes()).is_none());
    }
}
