//! The character classes of the lookup index and the name matcher that runs over them. A class
//! is one character at one place in a name (曾 as a surname, 曾 in a given name) with the
//! syllables that may be typed for it; every entry's name is stored as a short list of class
//! ids. Owns the class and syllable tables and the exact definition of a name match (exact,
//! prefix, fuzzy) that every fast path in `mod.rs` must agree with. It must not rank across
//! entries, touch entry storage or know about posts, units or ID numbers.

use super::hash::{FxHashMap, FxHashSet};

use super::MatchField;
use super::reading::{self, Place};

/// In `ClassTable::lit_initials`: some class of the character has no syllable.
pub const LIT_BARE: u64 = 1 << 63;

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

/// The bit of a syllable in a 64-bit Bloom mask of syllables.
pub fn syllable_bit(id: u16) -> u64 {
    1u64 << ((id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// A piece of ASCII text of at most 8 bytes packed into a number (for prefix sets).
pub fn pack_ascii(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, &x| (acc << 8) | x as u64)
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
    /// Bloom mask of all syllables (normal and demoted), see `syllable_bit`.
    pub syllables: u64,
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

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct ClassTable {
    pub classes: Vec<Class>,
    pub class_syls: Vec<u16>,
    syl_text: String,
    syl_offs: Vec<u32>,
    syl_ids: FxHashMap<String, u16>,
    /// Classes of CJK Unified Ideographs (U+4E00..=U+9FFF) in given-name place.
    cjk_given: Vec<u32>,
    others: FxHashMap<(char, u32), u32>,
    /// For every non-ASCII character present: union of its classes' key codes.
    pub lit_codes: FxHashMap<char, u32>,
    /// For every non-ASCII character present: union of its classes' initial letters (26
    /// bits), with `LIT_BARE` set when one of its classes has no syllable at all.
    pub lit_initials: FxHashMap<char, u64>,
    /// Packed prefixes of all normal syllables: the pieces a prefix match can use.
    pub prefixes: FxHashSet<u64>,
    /// Packed prefixes of all syllables, demoted ones included (the pieces any match can
    /// use), each with the Bloom mask of the syllables it begins.
    pub prefix_masks: FxHashMap<u64, u64>,
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
        let mut syllables = 0u64;
        for (k, s) in r.normal.iter().chain(r.demoted.iter()).enumerate() {
            let id = self.syllable_id(s);
            self.class_syls.push(id);
            let b = s.as_bytes();
            for l in 1..=b.len().min(MAX_PIECE) {
                if k < r.normal.len() {
                    self.prefixes.insert(pack_ascii(&b[..l]));
                }
                *self.prefix_masks.entry(pack_ascii(&b[..l])).or_insert(0) |= syllable_bit(id);
            }
            if k < r.normal.len() {
                codes |= 1 << byte_code(b[0]);
            }
            initials |= ascii_bit(b[0]);
            syllables |= syllable_bit(id);
            for &x in b {
                chars |= ascii_bit(x);
            }
        }
        if codes == 0 {
            codes = 1 << CODE_NONE;
        }
        if reading::ascii_form(c).is_none() {
            *self.lit_codes.entry(c).or_insert(0) |= codes;
            let bare = if initials == 0 { LIT_BARE } else { 0 };
            *self.lit_initials.entry(c).or_insert(0) |= (initials & ((1 << 26) - 1)) | bare;
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
            syllables,
        });
        id
    }

    /// How ASCII text `run` (the query from some position, up to `MAX_PIECE` bytes) fits
    /// class `c`.
    pub fn fit(&self, c: &Class, run: &[u8]) -> Fit {
        let mut fit = Fit::default();
        if run.is_empty() {
            return fit;
        }
        for (s, normal) in self.syllables_of(c) {
            let l = s.iter().zip(run).take_while(|(a, b)| a == b).count();
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

    /// The most pieces any match of `q` can have (each piece a `Lit` token or a run of ASCII
    /// tokens that is a prefix of some syllable, demoted ones included), or None when `q`
    /// cannot be split into pieces at all and so matches no name.
    pub fn max_pieces(&self, q: &[Tok]) -> Option<usize> {
        let len = q.len();
        // best[pos]: most pieces splitting q[pos..]; None when impossible.
        let mut best: Vec<Option<usize>> = vec![None; len + 1];
        best[len] = Some(0);
        let mut run = [0u8; MAX_PIECE];
        for pos in (0..len).rev() {
            best[pos] = match q[pos] {
                Tok::Lit(_) => best[pos + 1].map(|b| b + 1),
                Tok::Ascii(_) => {
                    let mut out: Option<usize> = None;
                    for l in 1..=MAX_PIECE.min(len - pos) {
                        let Tok::Ascii(b) = q[pos + l - 1] else { break };
                        run[l - 1] = b;
                        if !self.prefix_masks.contains_key(&pack_ascii(&run[..l])) {
                            break;
                        }
                        if let Some(rest) = best[pos + l] {
                            out = Some(out.map_or(rest + 1, |o: usize| o.max(rest + 1)));
                        }
                    }
                    out
                }
            };
        }
        best[0]
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
    ///   plus 3·(pieces read with a demoted reading). Since a fuzzy match skips or demotes
    ///   something, its penalty is at least n − m + 1 for m pieces on n characters
    ///   (`fuzzy_floor`).
    pub fn name_match(&self, name: &[u32], q: &[Tok]) -> Option<NameMatch> {
        self.name_match_with(&mut Scratch::new(q, 0), name, q)
    }

    /// `name_match` reusing buffers (`s` made for this `q`).
    pub fn name_match_with(&self, s: &mut Scratch, name: &[u32], q: &[Tok]) -> Option<NameMatch> {
        if !self.fill_fits(s, name, q) {
            return None;
        }
        let has_ascii = q.iter().any(|t| matches!(t, Tok::Ascii(_)));
        self.prefix_dp(s, name, q, has_ascii)
            .or_else(|| self.fuzzy_dp(s, name, q, has_ascii, true))
    }

    /// Only the exact and prefix tiers of `name_match`.
    pub fn prefix_match(&self, name: &[u32], q: &[Tok]) -> Option<NameMatch> {
        let mut s = Scratch::new(q, 0);
        if !self.fill_fits(&mut s, name, q) {
            return None;
        }
        let has_ascii = q.iter().any(|t| matches!(t, Tok::Ascii(_)));
        self.prefix_dp(&mut s, name, q, has_ascii)
    }

    /// The penalty of the best fuzzy-tier reading, for a name known to have no exact or prefix
    /// match (no highlight is built; `s` made for this `q`).
    pub fn fuzzy_penalty(&self, s: &mut Scratch, name: &[u32], q: &[Tok]) -> Option<u32> {
        if !self.fill_fits(s, name, q) {
            return None;
        }
        self.fuzzy_dp(s, name, q, false, false).map(|m| m.penalty)
    }

    /// Fills `s.fits[pos * n + j]` for every ASCII query position and name character, from
    /// the per-query memo when `s` has one; false when the name or the query is empty.
    fn fill_fits(&self, s: &mut Scratch, name: &[u32], q: &[Tok]) -> bool {
        let n = name.len();
        let len = q.len();
        if n == 0 || len == 0 {
            return false;
        }
        debug_assert_eq!(s.runs.len(), len, "scratch made for another query");
        s.fits.clear();
        s.fits.resize(len * n, Fit::default());
        for pos in 0..len {
            let (run, rl) = s.runs[pos];
            if rl == 0 {
                continue;
            }
            for (j, &c) in name.iter().enumerate() {
                let c = c as usize;
                let fit = if s.memo.is_empty() {
                    self.fit(&self.classes[c], &run[..rl as usize])
                } else {
                    let cell = &mut s.memo[c * len + pos];
                    if cell.full & COMPUTED == 0 {
                        *cell = self.fit(&self.classes[c], &run[..rl as usize]);
                        cell.full |= COMPUTED;
                    }
                    *cell
                };
                s.fits[pos * n + j] = fit;
            }
        }
        true
    }

    pub fn heap_bytes(&self) -> usize {
        self.classes.capacity() * std::mem::size_of::<Class>()
            + self.class_syls.capacity() * 2
            + self.syl_text.capacity()
            + self.syl_offs.capacity() * 4
            + self.cjk_given.capacity() * 4
            + (self.others.capacity()
                + self.lit_codes.capacity()
                + self.lit_initials.capacity()
                + self.prefixes.capacity()
                + self.prefix_masks.capacity())
                * 24
    }

    fn prefix_dp(
        &self,
        s: &mut Scratch,
        name: &[u32],
        q: &[Tok],
        has_ascii: bool,
    ) -> Option<NameMatch> {
        const ANY: u8 = 1;
        const FULL: u8 = 2;
        const ONE: u8 = 4;
        let n = name.len();
        let len = q.len();
        let w = n + 1;
        let st = &mut s.st;
        st.clear();
        st.resize((len + 1) * w, 0);
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
                        let fit = s.fits[pos * n + k];
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
        s: &mut Scratch,
        name: &[u32],
        q: &[Tok],
        has_ascii: bool,
        want_path: bool,
    ) -> Option<NameMatch> {
        const INF: u32 = u32::MAX;
        let n = name.len();
        let len = q.len();
        // cost[pos * n + j]: best cost of reading q[..pos] with the last piece on character j.
        s.cost.clear();
        s.cost.resize((len + 1) * n, INF);
        // parent[pos * n + j] = (previous pos, previous j + 1; 0 = start)
        if want_path {
            s.parent.clear();
            s.parent.resize((len + 1) * n, (0, 0));
        }
        let (fits, cost, parent) = (&s.fits, &mut s.cost, &mut s.parent);
        // Relaxes every piece starting at `pos` on character `j2` from cost `base`.
        let relax = |cost: &mut [u32],
                     parent: &mut [(u16, u16)],
                     pos: usize,
                     j2: usize,
                     base: u32,
                     from: (u16, u16)| match q[pos] {
            Tok::Lit(c) => {
                if self.classes[name[j2] as usize].ch == c {
                    let slot = (pos + 1) * n + j2;
                    if base < cost[slot] {
                        cost[slot] = base;
                        if want_path {
                            parent[slot] = from;
                        }
                    }
                }
            }
            Tok::Ascii(_) => {
                let fit = fits[pos * n + j2];
                let top = fit.normal.max(fit.demoted) as usize;
                for l in 1..=top {
                    let c = base + if l > fit.normal as usize { 3 } else { 0 };
                    let slot = (pos + l) * n + j2;
                    if c < cost[slot] {
                        cost[slot] = c;
                        if want_path {
                            parent[slot] = from;
                        }
                    }
                }
            }
        };
        for j in 0..n {
            relax(cost, parent, 0, j, 2 * j as u32, (0, 0));
        }
        for pos in 1..len {
            for j in 0..n {
                let base = cost[pos * n + j];
                if base == INF {
                    continue;
                }
                for j2 in j + 1..n {
                    let step = base + 4 * (j2 - j - 1) as u32;
                    relax(cost, parent, pos, j2, step, (pos as u16, j as u16 + 1));
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
        let mut keyed = Vec::new();
        let mut all_one = true;
        if want_path {
            let mut pos = len;
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
        }
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

/// The least penalty a fuzzy match of at most `max_pieces` pieces can have on a name of `n`
/// keyed characters (see `ClassTable::name_match`): with m pieces the penalty is
/// (n − m) + lead + 3·gaps + 3·demoted, and a fuzzy match skips or demotes something; when
/// m = n nothing can be skipped, so a demoted reading (3) is needed.
pub fn fuzzy_floor(n: usize, max_pieces: usize) -> u32 {
    (1..=n.min(max_pieces))
        .map(|m| if m == n { 3 } else { (n - m + 1) as u32 })
        .min()
        .unwrap_or(u32::MAX)
}

/// Marks a memoized `Fit` as computed (lengths use bits 1..=8 of `full`).
const COMPUTED: u16 = 1 << 15;

/// Reusable buffers of the name matcher, made for one query.
pub struct Scratch {
    /// The ASCII run starting at each query position (empty at `Lit` tokens).
    runs: Vec<([u8; MAX_PIECE], u8)>,
    /// Per-query memo of fits, `[class * len + pos]`; empty when not memoizing.
    memo: Vec<Fit>,
    fits: Vec<Fit>,
    st: Vec<u8>,
    cost: Vec<u32>,
    parent: Vec<(u16, u16)>,
}

impl Scratch {
    /// Buffers for query `q`, memoizing fits over `classes` classes (0: no memo).
    pub fn new(q: &[Tok], classes: usize) -> Self {
        let runs = (0..q.len())
            .map(|pos| {
                let mut run = [0u8; MAX_PIECE];
                let mut rl = 0;
                while rl < MAX_PIECE
                    && let Some(Tok::Ascii(b)) = q.get(pos + rl)
                {
                    run[rl] = *b;
                    rl += 1;
                }
                (run, rl as u8)
            })
            .collect();
        Scratch {
            runs,
            memo: vec![Fit::default(); classes * q.len()],
            fits: Vec::new(),
            st: Vec::new(),
            cost: Vec::new(),
            parent: Vec::new(),
        }
    }
}

/// The order-aware necessary condition for all-letter queries: pieces start at query
/// positions whose letter is an initial of a later and later name character, and each piece
/// is a prefix of some syllable. Checked against the initial letters of an entry's first four
/// characters (lanes of `Fold`); lossless.
pub struct InitialsChain {
    /// Positions of the query letters on each lane bit.
    at: [u64; 24],
    /// ext[p]: the positions right after each piece that can start at p.
    ext: Vec<u64>,
    len: usize,
    enabled: bool,
}

/// The bit of an initial letter in a 24-bit lane: the 23 letters pinyin syllables begin with
/// have their own bit; i, u and v (which begin no syllable, only ASCII name characters)
/// share the last.
pub fn lane_bit(b: u8) -> u32 {
    const MAP: [u8; 26] = [
        0, 1, 2, 3, 4, 5, 6, 7, 23, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 23, 23, 19, 20, 21,
        22,
    ];
    MAP[(b - b'a') as usize] as u32
}

/// Per-entry data checked inline by the fuzzy scan, 16 bytes: the initial letters of the
/// first four characters in 24-bit lanes (bits 0..96), the syllable Bloom mask folded to 31
/// bits (bits 96..127), and bit 127 set when the name has more than four characters (the
/// lanes then say nothing).
pub struct Fold;

impl Fold {
    pub const LONG: u128 = 1 << 127;
    const LANES: u128 = (1 << 96) - 1;

    /// The syllable Bloom mask folded to 31 bits: a bit shared by two masks stays shared.
    #[inline]
    pub fn syllables(m: u64) -> u32 {
        const M31: u64 = (1 << 31) - 1;
        ((m & M31) | ((m >> 31) & M31) | (m >> 62)) as u32
    }

    pub fn of(table: &ClassTable, name: &[u32], syllables: u64) -> u128 {
        let syl = (Self::syllables(syllables) as u128) << 96;
        if name.len() > 4 {
            return Self::LONG | syl;
        }
        name.iter().enumerate().fold(syl, |acc, (j, &c)| {
            let init = table.classes[c as usize].initials & ((1 << 26) - 1);
            let mut lane = 0u128;
            let mut m = init;
            while m != 0 {
                lane |= 1 << lane_bit(b'a' + m.trailing_zeros() as u8);
                m &= m - 1;
            }
            acc | lane << (24 * j)
        })
    }
}

impl InitialsChain {
    /// The chain of `q`: ASCII letters start pieces on characters with that initial; a `Lit`
    /// token is a one-token piece on a character with one of its initials. Disabled (admits
    /// everything) for digits, for characters with a class without syllables, and for
    /// queries of 64 tokens or more.
    pub fn new(table: &ClassTable, q: &[Tok]) -> Self {
        let len = q.len();
        let mut at = [0u64; 24];
        let mut ext = vec![0u64; len];
        let mut enabled = len > 0 && len < 64;
        let mut run = [0u8; MAX_PIECE];
        for p in 0..len {
            if !enabled {
                break;
            }
            match q[p] {
                Tok::Lit(c) => {
                    let init = table.lit_initials.get(&c).copied().unwrap_or(LIT_BARE);
                    if init & LIT_BARE != 0 {
                        enabled = false;
                        break;
                    }
                    let mut m = init;
                    while m != 0 {
                        at[lane_bit(b'a' + m.trailing_zeros() as u8) as usize] |= 1 << p;
                        m &= m - 1;
                    }
                    ext[p] = 1 << (p + 1);
                }
                Tok::Ascii(b) if b.is_ascii_lowercase() => {
                    at[lane_bit(b) as usize] |= 1 << p;
                    for l in 1..=MAX_PIECE.min(len - p) {
                        let Tok::Ascii(x) = q[p + l - 1] else { break };
                        run[l - 1] = x;
                        if !table.prefix_masks.contains_key(&pack_ascii(&run[..l])) {
                            break;
                        }
                        ext[p] |= 1 << (p + l);
                    }
                }
                Tok::Ascii(_) => enabled = false,
            }
        }
        InitialsChain {
            at,
            ext,
            len,
            enabled,
        }
    }

    /// Whether an entry with `Fold` value `fold` may match.
    #[inline]
    pub fn admits(&self, fold: u128) -> bool {
        if !self.enabled || fold & Fold::LONG != 0 {
            return true;
        }
        let lanes = fold & Fold::LANES;
        let mut reach = 1u64;
        for j in 0..4 {
            let mut init = ((lanes >> (24 * j)) as u32) & 0xFF_FFFF;
            let mut starts = 0u64;
            while init != 0 {
                starts |= self.at[init.trailing_zeros() as usize];
                init &= init - 1;
            }
            let mut s = reach & starts;
            while s != 0 {
                reach |= self.ext[s.trailing_zeros() as usize];
                s &= s - 1;
            }
        }
        reach >> self.len & 1 == 1
    }
}

/// The necessary condition the syllable Bloom masks can check: `q` splits into pieces that
/// are each a `Lit` token or a prefix of a syllable whose bit the entry has. Lossless (a Bloom
/// mask has no false negatives) and much cheaper than matching.
pub struct PieceFilter {
    /// (start, length, mask of the syllables the piece begins; 0 for a `Lit` piece)
    pieces: Vec<(u8, u8, u64)>,
    len: usize,
    /// Syllables some first (last) piece begins; 0 when a `Lit` piece can be first (last).
    /// One AND each, checked before the walk.
    first: u64,
    last: u64,
}

impl PieceFilter {
    pub fn new(table: &ClassTable, q: &[Tok]) -> Self {
        let len = q.len();
        let mut pieces = Vec::new();
        if len < 64 {
            let mut run = [0u8; MAX_PIECE];
            for pos in 0..len {
                match q[pos] {
                    Tok::Lit(_) => pieces.push((pos as u8, 1, 0)),
                    Tok::Ascii(_) => {
                        for l in 1..=MAX_PIECE.min(len - pos) {
                            let Tok::Ascii(b) = q[pos + l - 1] else { break };
                            run[l - 1] = b;
                            match table.prefix_masks.get(&pack_ascii(&run[..l])) {
                                Some(&m) => pieces.push((pos as u8, l as u8, m)),
                                None => break,
                            }
                        }
                    }
                }
            }
        }
        let union = |sel: &dyn Fn(u8, u8) -> bool| {
            let mut m = 0u64;
            for &(pos, l, mask) in &pieces {
                if sel(pos, l) {
                    if mask == 0 {
                        return 0;
                    }
                    m |= mask;
                }
            }
            m
        };
        let first = union(&|pos, _| pos == 0);
        let last = union(&|pos, l| pos as usize + l as usize == len);
        PieceFilter {
            pieces,
            len,
            first,
            last,
        }
    }

    /// The first/last checks on the folded syllable mask of a `Fold` value (bits 96..127).
    #[inline]
    pub fn admits_folded(&self, fold: u128) -> bool {
        if self.len >= 64 {
            return true;
        }
        let syl = (fold >> 96) as u32 & ((1 << 31) - 1);
        (self.first == 0 || syl & Fold::syllables(self.first) != 0)
            && (self.last == 0 || syl & Fold::syllables(self.last) != 0)
    }

    /// Whether an entry with syllable mask `syllables` may match.
    #[inline]
    pub fn admits(&self, syllables: u64) -> bool {
        if self.len >= 64 {
            return true;
        }
        if (self.first != 0 && syllables & self.first == 0)
            || (self.last != 0 && syllables & self.last == 0)
        {
            return false;
        }
        let mut reach = 1u64;
        for &(pos, l, mask) in &self.pieces {
            if reach >> pos & 1 == 1 && (mask == 0 || syllables & mask != 0) {
                reach |= 1 << (pos + l);
            }
        }
        reach >> self.len & 1 == 1
    }
}
