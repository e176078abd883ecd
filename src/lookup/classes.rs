//! The character classes of the lookup index and the name matcher that runs over them. A class
//! is one character at one place in a name (曾 as a surname, 曾 in a given name) with the
//! syllables that may be typed for it; every entry's name is stored as a short list of class
//! ids. Owns the class and syllable tables and the exact definition of a name match (exact,
//! prefix, fuzzy) that every fast path in `mod.rs` must agree with. It must not rank across
//! entries, touch entry storage or know about posts, units or ID numbers.

use std::collections::{HashMap, HashSet};

use super::MatchField;
use super::reading::{self, Place};

/// Key code of a class without any typeable syllable (a rare character without pinyin data).
pub const CODE_NONE: u32 = 27;
/// Key code shared by all digits.
pub const CODE_DIGIT: u32 = 28;

/// One query token: an ASCII letter or digit (lowercased, ü as v), or another character (a Han
/// character as a rule) that must equal the name's character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Ascii(u8),
    Lit(char),
}

/// Bit of an ASCII letter or digit in a 36-bit character mask: a–z are 0..26, 0–9 are 26..36.
pub fn ascii_bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 0,
    }
}

/// Key code of the first byte of a syllable: a–z are 1..=26, digits share `CODE_DIGIT`.
pub fn byte_code(b: u8) -> u32 {
    match b {
        b'a'..=b'z' => (b - b'a') as u32 + 1,
        _ => CODE_DIGIT,
    }
}

/// Two bits of a 64-bit Bloom mask for a non-ASCII character.
pub fn han_bits(c: char) -> u64 {
    let h = (c as u32 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (1u64 << (h >> 58)) | (1u64 << ((h >> 52) & 63))
}

/// A piece of ASCII text of at most 8 bytes packed into a number (for prefix sets).
pub fn pack_ascii(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64)
}

#[derive(Clone, Debug)]
pub struct Class {
    pub ch: char,
    /// Syllables in `ClassTable::class_syls[start .. start + n_all]`; the first `n_normal` are
    /// normal readings, the rest demoted (accepted only as fuzzy matches).
    pub start: u32,
    pub n_normal: u8,
    pub n_all: u8,
    /// Key codes (bit per code) of the normal syllables' first bytes, or `CODE_NONE`.
    pub codes: u32,
    /// ASCII characters of all syllables (normal and demoted).
    pub chars: u64,
    /// First characters of all syllables (normal and demoted).
    pub initials: u64,
}

/// How far ASCII query text starting at one position fits one class.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fit {
    /// Longest prefix of the query text that is a prefix of a normal syllable.
    pub normal: u8,
    /// Same for demoted syllables.
    pub demoted: u8,
    /// Bit l set when the query text's first l bytes are a whole normal syllable.
    pub full: u16,
}

/// The result of matching a query against one name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameMatch {
    /// 0 exact, 1 prefix, 2 fuzzy.
    pub tier: u8,
    /// Lower is better within the tier.
    pub penalty: u32,
    pub field: MatchField,
    /// Matched positions among the name's keyed characters.
    pub keyed: Vec<usize>,
}

/// Longest syllable plus one; pieces longer than this never match.
pub const MAX_PIECE: usize = 8;

#[derive(Default)]
pub struct ClassTable {
    pub classes: Vec<Class>,
    pub class_syls: Vec<u16>,
    syl_text: String,
    syl_offs: Vec<u32>,
    syl_ids: HashMap<String, u16>,
    /// Classes of CJK Unified Ideographs (U+4E00..=U+9FFF) in given-name place.
    cjk_given: Vec<u32>,
    others: HashMap<(char, u32), u32>,
    /// For every non-ASCII character present: union of its classes' key codes.
    pub lit_codes: HashMap<char, u32>,
    /// Packed prefixes of all normal syllables: the pieces a prefix match can use.
    pub prefixes: HashSet<u64>,
}

const CJK_START: u32 = 0x4E00;
const CJK_END: u32 = 0x9FFF;

impl ClassTable {
    pub fn new() -> Self {
        ClassTable {
            cjk_given: vec![u32::MAX; (CJK_END - CJK_START + 1) as usize],
            ..Default::default()
        }
    }

    pub fn syllable(&self, id: u16) -> &[u8] {
        let i = id as usize;
        &self.syl_text.as_bytes()[self.syl_offs[i] as usize..self.syl_offs[i + 1] as usize]
    }

    pub fn syllables_of(&self, class: &Class) -> impl Iterator<Item = (&[u8], bool)> + '_ {
        let s = class.start as usize;
        let normal = class.n_normal as usize;
        self.class_syls[s..s + class.n_all as usize]
            .iter()
            .enumerate()
            .map(move |(k, &id)| (self.syllable(id), k < normal))
    }

    fn syllable_id(&mut self, s: &str) -> u16 {
        if let Some(&id) = self.syl_ids.get(s) {
            return id;
        }
        if self.syl_offs.is_empty() {
            self.syl_offs.push(0);
        }
        let id = u16::try_from(self.syl_ids.len()).expect("fewer than 65536 distinct syllables");
        self.syl_text.push_str(s);
        self.syl_offs.push(self.syl_text.len() as u32);
        self.syl_ids.insert(s.to_string(), id);
        id
    }

    /// The class of keyed character `c` at `place`, created on first use.
    pub fn class_for(&mut self, c: char, place: Place) -> u32 {
        let cp = c as u32;
        if place == Place::Given && (CJK_START..=CJK_END).contains(&cp) {
            let slot = (cp - CJK_START) as usize;
            if self.cjk_given[slot] == u32::MAX {
                self.cjk_given[slot] = self.create(c, place);
            }
            return self.cjk_given[slot];
        }
        if let Some(&id) = self.others.get(&(c, place.code())) {
            return id;
        }
        let id = self.create(c, place);
        self.others.insert((c, place.code()), id);
        id
    }

    fn create(&mut self, c: char, place: Place) -> u32 {
        let r = reading::readings(c, place);
        let start = self.class_syls.len() as u32;
        let mut codes = 0u32;
        let mut chars = 0u64;
        let mut initials = 0u64;
        for (k, s) in r.normal.iter().chain(r.demoted.iter()).enumerate() {
            let id = self.syllable_id(s);
            self.class_syls.push(id);
            let b = s.as_bytes();
            if k < r.normal.len() {
                codes |= 1 << byte_code(b[0]);
                for l in 1..=b.len().min(MAX_PIECE) {
                    self.prefixes.insert(pack_ascii(&b[..l]));
                }
            }
            initials |= ascii_bit(b[0]);
            for &x in b {
                chars |= ascii_bit(x);
            }
        }
        if codes == 0 {
            codes = 1 << CODE_NONE;
        }
        if reading::ascii_form(c).is_none() {
            *self.lit_codes.entry(c).or_insert(0) |= codes;
        }
        let id = u32::try_from(self.classes.len()).expect("fewer than 2^32 classes");
        self.classes.push(Class {
            ch: c,
            start,
            n_normal: r.normal.len().min(255) as u8,
            n_all: (r.normal.len() + r.demoted.len()).min(255) as u8,
            codes,
            chars,
            initials,
        });
        id
    }

    /// How the ASCII run of `q` starting at `pos` fits class `c`.
    pub fn fit(&self, c: &Class, q: &[Tok], pos: usize) -> Fit {
        let mut run = [0u8; MAX_PIECE];
        let mut rl = 0;
        while rl < MAX_PIECE
            && let Some(Tok::Ascii(b)) = q.get(pos + rl)
        {
            run[rl] = *b;
            rl += 1;
        }
        let mut fit = Fit::default();
        if rl == 0 {
            return fit;
        }
        for (s, normal) in self.syllables_of(c) {
            let l = s.iter().zip(&run[..rl]).take_while(|(a, b)| a == b).count();
            if l == 0 {
                continue;
            }
            if normal {
                fit.normal = fit.normal.max(l as u8);
                if l == s.len() {
                    fit.full |= 1 << l;
                }
            } else {
                fit.demoted = fit.demoted.max(l as u8);
            }
        }
        fit
    }

    /// Whether ASCII `piece` is a prefix of a normal syllable of `c` (bit 1) and a whole one
    /// (bit 2).
    pub fn piece_state(&self, c: &Class, piece: &[u8]) -> u8 {
        let mut st = 0u8;
        for (s, normal) in self.syllables_of(c) {
            if normal && s.starts_with(piece) {
                st |= 1;
                if s.len() == piece.len() {
                    st |= 2;
                }
            }
        }
        st
    }

    /// Best match of `q` against a name given as the class ids of its keyed characters:
    /// an exact or prefix match if there is one, else the best fuzzy match. `None` when the
    /// query cannot be read along the name at all.
    ///
    /// A match splits the query into pieces, each either one `Lit` token equal to a name
    /// character or a run of ASCII tokens that is a prefix of one of that character's
    /// syllables, and assigns the pieces to name characters in increasing order.
    /// - Exact: pieces on all characters from the first, and either every piece is whole
    ///   (the name, the full pinyin or a mix; penalty 0) or every piece is one character
    ///   (initials; penalty 1). Only normal readings count.
    /// - Prefix: pieces on consecutive characters from the first, normal readings only;
    ///   penalty = characters left over.
    /// - Fuzzy: any increasing assignment, demoted readings allowed; penalty =
    ///   2·(characters skipped before) + 4·(characters skipped between) + (characters after)
    ///   + 3·(pieces read with a demoted reading).
    pub fn name_match(&self, name: &[u32], q: &[Tok]) -> Option<NameMatch> {
        let fits = self.fits(name, q)?;
        let has_ascii = q.iter().any(|t| matches!(t, Tok::Ascii(_)));
        self.prefix_dp(name, q, &fits, has_ascii)
            .or_else(|| self.fuzzy_dp(name, q, &fits, has_ascii))
    }

    /// Only the exact and prefix tiers of `name_match`.
    pub fn prefix_match(&self, name: &[u32], q: &[Tok]) -> Option<NameMatch> {
        let fits = self.fits(name, q)?;
        let has_ascii = q.iter().any(|t| matches!(t, Tok::Ascii(_)));
        self.prefix_dp(name, q, &fits, has_ascii)
    }

    /// `fits[pos * n + j]` for every ASCII query position and name character; None when the
    /// name or the query is empty.
    fn fits(&self, name: &[u32], q: &[Tok]) -> Option<Vec<Fit>> {
        let n = name.len();
        if n == 0 || q.is_empty() {
            return None;
        }
        let mut fits = vec![Fit::default(); q.len() * n];
        for (pos, t) in q.iter().enumerate() {
            if let Tok::Ascii(_) = t {
                for (j, &c) in name.iter().enumerate() {
                    fits[pos * n + j] = self.fit(&self.classes[c as usize], q, pos);
                }
            }
        }
        Some(fits)
    }

    pub fn heap_bytes(&self) -> usize {
        self.classes.capacity() * std::mem::size_of::<Class>()
            + self.class_syls.capacity() * 2
            + self.syl_text.capacity()
            + self.syl_offs.capacity() * 4
            + self.cjk_given.capacity() * 4
            + (self.others.capacity() + self.lit_codes.capacity() + self.prefixes.capacity()) * 24
    }

    fn prefix_dp(
        &self,
        name: &[u32],
        q: &[Tok],
        fits: &[Fit],
        has_ascii: bool,
    ) -> Option<NameMatch> {
        const ANY: u8 = 1;
        const FULL: u8 = 2;
        const ONE: u8 = 4;
        let n = name.len();
        let len = q.len();
        let w = n + 1;
        let mut st = vec![0u8; (len + 1) * w];
        st[0] = ANY | FULL | ONE;
        for pos in 0..len {
            for k in 0..n.min(pos + 1) {
                let f = st[pos * w + k];
                if f == 0 {
                    continue;
                }
                let class = &self.classes[name[k] as usize];
                match q[pos] {
                    Tok::Lit(c) => {
                        if class.ch == c {
                            st[(pos + 1) * w + k + 1] |= f;
                        }
                    }
                    Tok::Ascii(_) => {
                        let fit = fits[pos * n + k];
                        for l in 1..=fit.normal as usize {
                            let mut g = f;
                            if fit.full & (1 << l) == 0 {
                                g &= !FULL;
                            }
                            if l != 1 {
                                g &= !ONE;
                            }
                            st[(pos + l) * w + k + 1] |= g;
                        }
                    }
                }
            }
        }
        let end = &st[len * w..];
        let field = |f: u8| {
            if !has_ascii {
                MatchField::Name
            } else if f & ONE != 0 {
                MatchField::Initials
            } else {
                MatchField::Pinyin
            }
        };
        let f = end[n];
        if f & FULL != 0 {
            let field = if has_ascii {
                MatchField::Pinyin
            } else {
                MatchField::Name
            };
            return Some(NameMatch {
                tier: 0,
                penalty: 0,
                field,
                keyed: (0..n).collect(),
            });
        }
        if f & ONE != 0 {
            return Some(NameMatch {
                tier: 0,
                penalty: 1,
                field: MatchField::Initials,
                keyed: (0..n).collect(),
            });
        }
        (1..=n).rev().find(|&k| end[k] != 0).map(|k| NameMatch {
            tier: 1,
            penalty: (n - k) as u32,
            field: field(end[k]),
            keyed: (0..k).collect(),
        })
    }

    fn fuzzy_dp(
        &self,
        name: &[u32],
        q: &[Tok],
        fits: &[Fit],
        has_ascii: bool,
    ) -> Option<NameMatch> {
        const INF: u32 = u32::MAX;
        let n = name.len();
        let len = q.len();
        // cost[pos * n + j]: best cost of reading q[..pos] with the last piece on character j.
        let mut cost = vec![INF; (len + 1) * n];
        // parent[pos * n + j] = (previous pos, previous j + 1; 0 = start)
        let mut parent = vec![(0u16, 0u16); (len + 1) * n];
        // Pieces starting at `pos` on character `j`: (length, demoted).
        let pieces = |pos: usize, j: usize, out: &mut Vec<(usize, bool)>| {
            out.clear();
            match q[pos] {
                Tok::Lit(c) => {
                    if self.classes[name[j] as usize].ch == c {
                        out.push((1, false));
                    }
                }
                Tok::Ascii(_) => {
                    let fit = fits[pos * n + j];
                    let top = fit.normal.max(fit.demoted) as usize;
                    for l in 1..=top {
                        out.push((l, l > fit.normal as usize));
                    }
                }
            }
        };
        let mut buf = Vec::new();
        // From the start.
        for j in 0..n {
            pieces(0, j, &mut buf);
            for &(l, dem) in &buf {
                let c = 2 * j as u32 + if dem { 3 } else { 0 };
                let slot = l * n + j;
                if c < cost[slot] {
                    cost[slot] = c;
                    parent[slot] = (0, 0);
                }
            }
        }
        for pos in 1..len {
            for j in 0..n {
                let base = cost[pos * n + j];
                if base == INF {
                    continue;
                }
                for j2 in j + 1..n {
                    pieces(pos, j2, &mut buf);
                    for &(l, dem) in &buf {
                        let c = base + 4 * (j2 - j - 1) as u32 + if dem { 3 } else { 0 };
                        let slot = (pos + l) * n + j2;
                        if c < cost[slot] {
                            cost[slot] = c;
                            parent[slot] = (pos as u16, j as u16 + 1);
                        }
                    }
                }
            }
        }
        let mut best: Option<(u32, usize)> = None;
        for j in 0..n {
            let c = cost[len * n + j];
            if c != INF {
                let total = c + (n - 1 - j) as u32;
                if best.is_none_or(|(b, _)| total < b) {
                    best = Some((total, j));
                }
            }
        }
        let (penalty, mut j) = best?;
        let mut pos = len;
        let mut keyed = Vec::new();
        let mut all_one = true;
        loop {
            keyed.push(j);
            let (pp, pj) = parent[pos * n + j];
            if pos - pp as usize != 1 {
                all_one = false;
            }
            if pj == 0 {
                break;
            }
            pos = pp as usize;
            j = pj as usize - 1;
        }
        keyed.reverse();
        let field = if !has_ascii {
            MatchField::Name
        } else if all_one {
            MatchField::Initials
        } else {
            MatchField::Pinyin
        };
        Some(NameMatch {
            tier: 2,
            penalty,
            field,
            keyed,
        })
    }
}
