//! Turns a clerk's file bytes into text: UTF-8 with or without BOM, UTF-16 with BOM (Excel's
//! "Unicode text"), or GB18030 (which covers GBK and GB2312). Owns encoding detection only.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

/// The encoding a file was read in, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Utf8Bom,
    Utf16,
    Gb18030,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("文件编码无法识别：既不是 UTF-8，也不是 GB18030（第 {offset} 字节附近）")]
pub struct EncodingError {
    pub offset: usize,
}

/// Decodes bytes, detecting the encoding.
pub fn decode(bytes: &[u8]) -> Result<(String, SourceEncoding), EncodingError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), SourceEncoding::Utf8Bom))
            .map_err(|e| EncodingError {
                offset: e.valid_up_to() + 3,
            });
    }
    for (bom, enc) in [(&[0xFF, 0xFE], UTF_16LE), (&[0xFE, 0xFF], UTF_16BE)] {
        if bytes.starts_with(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(&bytes[2..]);
            if had_errors {
                return Err(EncodingError { offset: 0 });
            }
            return Ok((text.into_owned(), SourceEncoding::Utf16));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), SourceEncoding::Utf8)),
        Err(utf8_err) => {
            let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(EncodingError {
                    offset: utf8_err.valid_up_to(),
                });
            }
            Ok((text.into_owned(), SourceEncoding::Gb18030))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding() {
        let s = "姓名,性别\n张伟,男\n";
        assert_eq!(
            decode(s.as_bytes()).unwrap(),
            (s.into(), SourceEncoding::Utf8)
        );
        let bom = [&[0xEF, 0xBB, 0xBF][..], s.as_bytes()].concat();
        assert_eq!(decode(&bom).unwrap(), (s.into(), SourceEncoding::Utf8Bom));
        let (gb, _, _) = GB18030.encode(s);
        assert_eq!(decode(&gb).unwrap(), (s.into(), SourceEncoding::Gb18030));
        let mut u16 = vec![0xFF, 0xFE];
        for c in s.encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(decode(&u16).unwrap(), (s.into(), SourceEncoding::Utf16));
    }

    #[test]
    fn garbage_is_refused() {
        // 0xFF is never valid in UTF-8 and not a GB18030 lead byte.
        assert!(decode(&[b'a', 0xFF, 0xFF, b'b']).is_err());
    }
}
