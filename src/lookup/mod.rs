//! Profile lookup: finds cadres as the clerk types, by Han characters, full pinyin, pinyin
//! initials and mixed forms, by the tail of an ID number, and by unit or post words. Owns the
//! in-memory index and ranking; it never touches the store or the screen.
//!
//! Layout (sized for 10^6 entries): entries live in arenas in dossier-id order, so an entry's
//! position is its rank among ids and breaks ties. Each name is a short list of
//! character-class ids (`classes.rs`: one character at one place, with the syllables that can
//! be typed for it). Each name also has one packed initials key per combination of its
//! characters' initial letters, in one sorted array: exact and prefix candidates of every way
//! to split the query into syllable pieces are binary-searched ranges. Fuzzy matches come from
//! a scan over a 32-bit word per entry (letters, keyed length), gated by the least penalty an
//! entry of that length could still have, then per-entry masks (initials of the first four
//! characters, syllable and Han Bloom masks): a lossless prefilter before the matcher. Han
//! characters, posts and units have posting lists; ID numbers a sorted array of reversed tails.
//!
//! Ranking: exact, then prefix, then fuzzy name matches, then post/unit word matches; within a
//! tier by penalty, then by dossier id. `describe` is the single definition of how one entry
//! matches; every phase only finds candidates faster, and tests compare `search` with an
//! exhaustive run of `describe`. Later tiers run only while the best `limit` are not settled.

mod classes;
mod hash;
pub mod reading;
mod topk;
pub mod worker;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::{Deserialize, Serialize};

use crate::model::{Dossier, DossierId, Gender, PartialDate, UnitDirectory};
use classes::{
    ClassTable, Fold, InitialsChain, NameMatch, PieceFilter, Scratch, Tok, ascii_bit, byte_code,
    fuzzy_floor, han_bits, pack_ascii,
};
use hash::FxHashMap;
use topk::{TopK, rank, rank_penalty, rank_pos, rank_tier};

/// What lookup knows of one cadre: enough to match and to show a result row.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: DossierId,
    pub name: String,
    pub gender: Gender,
    pub birth: PartialDate,
    /// Current position (e.g. 县长), empty when none.
    pub post: String,
    /// Current unit's name (e.g. 临河县人民政府), empty when none.
    pub unit: String,
    /// The ID number, for tail matching (never shown by lookup itself).
    pub id_number: String,
}

impl Entry {
    pub fn from_dossier(d: &Dossier, units: &UnitDirectory) -> Self {
        let cur = d.current_posting();
        Entry {
            id: d.id,
            name: d.identity.name.clone(),
            gender: d.identity.gender,
            birth: d.identity.birth,
            post: cur.map(|p| p.position.clone()).unwrap_or_default(),
            unit: cur
                .map(|p| {
                    p.unit
                        .and_then(|u| units.get(u))
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| p.unit_name.clone())
                })
                .unwrap_or_default(),
            id_number: d.identity.id_number.clone(),
        }
    }
}

/// A borrowed view of one entry straight from the index's arenas (no allocation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EntryView<'a> {
    pub id: DossierId,
    pub name: &'a str,
    pub gender: Gender,
    pub birth: PartialDate,
    pub post: &'a str,
    pub unit: &'a str,
    pub id_number: &'a str,
}

impl EntryView<'_> {
    pub fn to_entry(&self) -> Entry {
        Entry {
            id: self.id,
            name: self.name.to_string(),
            gender: self.gender,
            birth: self.birth,
            post: self.post.to_string(),
            unit: self.unit.to_string(),
            id_number: self.id_number.to_string(),
        }
    }
}

/// How a result matched, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Exact,
    Prefix,
    Fuzzy,
}

/// Which field matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchField {
    Name,
    Pinyin,
    Initials,
    IdNumber,
    Post,
    Unit,
}

/// One ranked result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: DossierId,
    pub kind: MatchKind,
    pub field: MatchField,
    /// Higher is better; comparable only within one query's results. Results come already
    /// ranked: name matches (exact, prefix, fuzzy) before post/unit word matches, even when a
    /// word match's `kind` is `Exact` (the post equals the query).
    pub score: i64,
    /// Char positions in `Entry::name` to highlight.
    pub name_highlight: Vec<usize>,
    /// Char positions in `Entry::post` (then `Entry::unit`, offset by post's char count + 1)
    /// to highlight.
    pub post_highlight: Vec<usize>,
}

/// Strings stored back to back with offsets: one allocation for a million names.
#[derive(Default, Serialize, Deserialize)]
struct StrArena {
    text: String,
    offs: Vec<u32>,
}

impl StrArena {
    fn with_capacity(strings: usize, bytes: usize) -> Self {
        StrArena {
            text: String::with_capacity(bytes),
            offs: Vec::with_capacity(strings + 1),
        }
    }
    fn push(&mut self, s: &str) -> u32 {
        if self.offs.is_empty() {
            self.offs.push(0);
        }
        self.text.push_str(s);
        let end = u32::try_from(self.text.len()).expect("lookup text arena under 4 GiB");
        self.offs.push(end);
        (self.offs.len() - 2) as u32
    }
    fn get(&self, i: usize) -> &str {
        &self.text[self.offs[i] as usize..self.offs[i + 1] as usize]
    }
    fn len(&self) -> usize {
        self.offs.len().saturating_sub(1)
    }
    fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.offs.capacity() * 4
    }
}

/// Distinct texts (posts, units) with their ids.
#[derive(Default)]
struct Interner {
    arena: StrArena,
    ids: FxHashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.arena.push(s);
        self.ids.insert(s.to_string(), id);
        id
    }
}

/// One initials key of one name: `key` holds up to 12 five-bit codes (first character at the
/// top) and the name's keyed length in the low 4 bits. `c0`/`c1` are the classes of the first
/// two characters (or `NO_CLASS` when they do not fit in 16 bits), so most checks need no
/// second memory access.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Record {
    key: u64,
    pos: u32,
    c0: u16,
    c1: u16,
}

const NO_CLASS: u16 = u16::MAX;
/// Names with more keyed characters are matched by a direct scan (`Index::wild`).
const MAX_KEYED: usize = 12;
/// Names whose initials combine into more keys are matched by a direct scan.
const MAX_COMBOS: usize = 16;
/// Beyond this many ways to split a query into pieces, the prefix phase falls back to a scan.
const MAX_SEGMENTATIONS: usize = 2048;
/// Entries per block of the fuzzy scan.
const SCAN_BLOCK: usize = 1024;
/// ID tails must be at least this long.
const MIN_ID_TAIL: usize = 4;
/// Base of word-tier penalties (a higher word score gives a smaller penalty).
const WORD_BASE: i64 = 1_000_000;
/// Letters of the 36-bit character mask.
const LETTERS: u64 = (1 << 26) - 1;
/// In a 32-bit signature: any digit.
const SIG_DIGIT: u32 = 1 << 26;
/// In a 32-bit signature: the keyed length (capped at 31) from this bit up.
const SIG_LEN_SHIFT: u32 = 27;

/// The lookup index over all cadres. Kept in the facts snapshot, so start-up reads it
/// instead of building it.
#[derive(Serialize, Deserialize)]
pub struct Index {
    // Entry storage, in dossier-id order.
    ids: Vec<DossierId>,
    names: StrArena,
    id_numbers: StrArena,
    genders: Vec<Gender>,
    births: Vec<PartialDate>,
    post_of: Vec<u32>,
    unit_of: Vec<u32>,
    posts: StrArena,
    units: StrArena,
    /// `entry()` hands out `&Entry`; built on first request for that entry only.
    #[serde(skip)]
    materialized: Box<[OnceLock<Box<Entry>>]>,
    // Name matching.
    table: ClassTable,
    keyed_offs: Vec<u32>,
    keyed: Vec<u32>,
    records: Vec<Record>,
    wild: Vec<u32>,
    max_keyed: usize,
    /// Letters present in the entry's syllables (bits 0..26), any digit (bit 26), keyed
    /// length capped at 31 (bits 27..32): the word the full scan reads.
    sig: Vec<u32>,
    /// Initials of the first characters and a folded syllable mask (see `classes::Fold`),
    /// read by the fuzzy scan for entries whose `sig` passes.
    sig_fold: Vec<u128>,
    /// The rest of the prefilter signature, one aligned record per entry.
    sig_rest: Vec<SigRest>,
    /// Entries containing each non-ASCII character (a Han character as a rule).
    han_ids: FxHashMap<char, u32>,
    han_lists: Postings,
    // ID tails.
    id_keys: Vec<u64>,
    id_pos: Vec<u32>,
    // Entries holding each distinct post and unit.
    post_lists: Postings,
    unit_lists: Postings,
    #[serde(skip, default = "skim")]
    skim: SkimMatcherV2,
}

fn skim() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
}

/// Lists of entry positions, ascending, one per key (compressed rows: offsets, then values).
#[derive(Default, Serialize, Deserialize)]
struct Postings {
    offs: Vec<u32>,
    pos: Vec<u32>,
}

impl Postings {
    /// Builds lists from (key, position) pairs given in ascending position order.
    fn from_pairs(keys: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Self {
        let mut offs = vec![0u32; keys + 1];
        for (k, _) in pairs.clone() {
            offs[k as usize + 1] += 1;
        }
        for i in 0..keys {
            offs[i + 1] += offs[i];
        }
        let mut fill = offs.clone();
        let mut pos = vec![0u32; offs[keys] as usize];
        for (k, p) in pairs {
            pos[fill[k as usize] as usize] = p;
            fill[k as usize] += 1;
        }
        Postings { offs, pos }
    }
    fn get(&self, key: usize) -> &[u32] {
        match (self.offs.get(key), self.offs.get(key + 1)) {
            (Some(&a), Some(&b)) => &self.pos[a as usize..b as usize],
            _ => &[],
        }
    }
    fn heap_bytes(&self) -> usize {
        (self.offs.capacity() + self.pos.capacity()) * 4
    }
}

impl Default for Index {
    fn default() -> Self {
        Index::build(Vec::new())
    }
}

/// A parsed query.
struct Query {
    toks: Vec<Tok>,
    /// The query as an ID-number tail (digits, a final x), when it is one.
    id_tail: Option<Vec<u8>>,
    /// Whitespace-separated words, ASCII-lowercased, for posts and units.
    words: Vec<String>,
}

impl Query {
    fn parse(s: &str) -> Query {
        let toks: Vec<Tok> = s
            .chars()
            .filter_map(|c| match reading::ascii_form(c) {
                Some(b) => Some(Tok::Ascii(b)),
                None if c.is_alphanumeric() => Some(Tok::Lit(c)),
                None => None,
            })
            .collect();
        let words: Vec<String> = s
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .map(|w| w.to_ascii_lowercase())
            .collect();
        Query {
            id_tail: id_tail(s),
            toks,
            words,
        }
    }
}

/// The query as the tail of an ID number: at least `MIN_ID_TAIL` characters, digits only but
/// for a final x (either case, half or full width); spaces ignored.
fn id_tail(s: &str) -> Option<Vec<u8>> {
    let mut t = Vec::new();
    for c in s.chars() {
        if c.is_whitespace() {
            continue;
        }
        match reading::ascii_form(c) {
            Some(b) if b.is_ascii_digit() || b == b'x' => t.push(b),
            _ => return None,
        }
    }
    let digits_before_last = t.len() > 1 && t[..t.len() - 1].iter().all(u8::is_ascii_digit);
    (t.len() >= MIN_ID_TAIL && digits_before_last).then_some(t)
}

/// Rank of a post/unit word match with total score `total` (higher scores rank first).
fn word_rank(total: i64, pos: u32) -> u64 {
    rank(3, (WORD_BASE - total).clamp(0, WORD_BASE) as u32, pos)
}

/// An ID number reduced to what tails match on: digits and x, lowercased.
fn normalized_id(s: &str) -> Vec<u8> {
    s.chars()
        .filter_map(reading::ascii_form)
        .filter(|b| b.is_ascii_digit() || *b == b'x')
        .collect()
}

/// Reversed tail key: the last 16 characters, last first, four bits each (digit+1, x = 11).
fn id_key(rev: impl Iterator<Item = u8>) -> (u64, usize) {
    let mut key = 0u64;
    let mut n = 0;
    for b in rev.take(16) {
        let code = if b == b'x' { 11 } else { (b - b'0') as u64 + 1 };
        key |= code << (60 - 4 * n);
        n += 1;
    }
    (key, n)
}

/// Per-entry prefilter data besides the scan word and the fold, kept together so that the last
/// checks of a candidate cost one cache line.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[repr(C, align(16))]
struct SigRest {
    /// Bloom mask of all syllables (see `classes::syllable_bit`).
    syllables: u64,
    /// Bloom mask of the non-ASCII characters (see `classes::han_bits`).
    han: u64,
}

/// The per-query side of the lossless prefilter (`Index::prefilter`).
struct Prefilter {
    need: u32,
    need_h: u64,
    pieces: PieceFilter,
    chain: InitialsChain,
}

/// Which keyed lengths (capped at 31) can still enter the best `limit` during a fuzzy scan in
/// ascending position order: those whose floor is below the worst held penalty. (A length
/// whose floor equals it cannot: when the worst held result is fuzzy it came from this same
/// scan, so every entry still ahead has a larger position and loses the tie.) Rebuilt after
/// every candidate that was matched, as only then can the worst change.
struct Gate {
    below: u32,
}

impl Gate {
    fn new(floors: &[u32; 32], top: &TopK, complete: bool) -> Gate {
        let w = top.worst();
        if !complete || w == u64::MAX || rank_tier(w) > 2 {
            return Gate { below: u32::MAX };
        }
        if rank_tier(w) < 2 {
            return Gate { below: 0 };
        }
        let pen = rank_penalty(w);
        let below = floors
            .iter()
            .enumerate()
            .filter(|(_, f)| **f < pen)
            .fold(0u32, |acc, (n, _)| acc | 1 << n);
        Gate { below }
    }

    #[inline]
    fn open_for(&self, len: u32) -> bool {
        (self.below >> len) & 1 == 1
    }

    /// Nothing from here on can enter.
    #[inline]
    fn closed(&self) -> bool {
        self.below == 0
    }
}

/// State of one fuzzy scan (see `Index::fuzzy_phase`).
struct FuzzyRun<'a> {
    ix: &'a Index,
    toks: &'a [Tok],
    filter: Prefilter,
    scratch: Scratch,
    max_pieces: usize,
    complete: bool,
}

impl FuzzyRun<'_> {
    #[inline(never)]
    fn visit(&mut self, pos: u32, top: &mut TopK) {
        let ix = self.ix;
        if !ix.passes(pos as usize, &self.filter) {
            return;
        }
        let name = ix.keyed_of(pos);
        // The caller checked the floor with the length capped at 31; longer names again.
        if self.complete
            && (!top.accepts(rank(2, fuzzy_floor(name.len(), self.max_pieces), pos))
                || top.contains(pos))
        {
            return;
        }
        if self.complete {
            if let Some(pen) = ix.table.fuzzy_penalty(&mut self.scratch, name, self.toks) {
                top.offer(rank(2, pen, pos));
            }
        } else if let Some(m) = ix.table.name_match_with(&mut self.scratch, name, self.toks) {
            top.offer(rank(m.tier, m.penalty, pos));
        }
    }
}

/// One piece of a query split for the prefix phase.
#[derive(Clone, Copy, Debug)]
struct Piece {
    start: usize,
    len: usize,
    lit: Option<char>,
}

/// Per-query cache of "does this piece fit this class" (bit 0 prefix, bit 1 whole, bit 7
/// computed), one lazily allocated row per distinct ASCII piece.
struct Memo {
    rows: FxHashMap<u64, usize>,
    data: Vec<Vec<u8>>,
    classes: usize,
}

impl Memo {
    fn row(&mut self, piece: &[u8]) -> usize {
        let key = pack_ascii(piece);
        let next = self.data.len();
        let r = *self.rows.entry(key).or_insert(next);
        if r == next {
            self.data.push(vec![0; self.classes]);
        }
        r
    }
}

impl Index {
    /// Builds the index; a repeated dossier id keeps the last entry given.
    pub fn build(entries: Vec<Entry>) -> Self {
        Self::build_from(entries.len(), |i| {
            let e = &entries[i];
            EntryView {
                id: e.id,
                name: &e.name,
                gender: e.gender,
                birth: e.birth,
                post: &e.post,
                unit: &e.unit,
                id_number: &e.id_number,
            }
        })
    }

    /// Completes an index read back from the snapshot (what is not kept is made afresh) after
    /// checking that its per-entry columns agree in length.
    pub fn loaded(mut self) -> Result<Self, &'static str> {
        let n = self.ids.len();
        let columns = [
            self.genders.len(),
            self.births.len(),
            self.post_of.len(),
            self.unit_of.len(),
            self.sig.len(),
            self.sig_fold.len(),
            self.sig_rest.len(),
            self.keyed_offs.len().saturating_sub(1),
        ];
        if columns.iter().any(|&len| len != n) {
            return Err("lookup index columns of different lengths");
        }
        self.materialized = (0..n).map(|_| OnceLock::new()).collect();
        Ok(self)
    }

    /// Builds the index over `n` entries read in place (from facts, say), without a copy of
    /// each as an owned `Entry`.
    pub fn build_from<'a>(n: usize, entry: impl Fn(usize) -> EntryView<'a>) -> Self {
        // Each entry is looked up once (no strings are copied: the views borrow).
        let views: Vec<EntryView<'a>> = (0..n).map(entry).collect();
        let entry = |i: usize| &views[i];
        let mut order: Vec<(DossierId, u32)> = (0..n).map(|i| (entry(i).id, i as u32)).collect();
        order.sort_unstable();
        let order: Vec<u32> = order
            .iter()
            .enumerate()
            .filter(|(k, (id, _))| order.get(k + 1).is_none_or(|next| next.0 != *id))
            .map(|(_, (_, i))| *i)
            .collect();
        let n = order.len();
        let name_bytes: usize = order.iter().map(|&i| entry(i as usize).name.len()).sum();
        let id_bytes: usize = order
            .iter()
            .map(|&i| entry(i as usize).id_number.len())
            .sum();

        let mut ix = Index {
            ids: Vec::with_capacity(n),
            names: StrArena::with_capacity(n, name_bytes),
            id_numbers: StrArena::with_capacity(n, id_bytes),
            genders: Vec::with_capacity(n),
            births: Vec::with_capacity(n),
            post_of: Vec::with_capacity(n),
            unit_of: Vec::with_capacity(n),
            posts: StrArena::default(),
            units: StrArena::default(),
            materialized: (0..n).map(|_| OnceLock::new()).collect(),
            table: ClassTable::new(),
            keyed_offs: Vec::with_capacity(n + 1),
            keyed: Vec::with_capacity(name_bytes / 3 + n),
            records: Vec::with_capacity(n * 2),
            wild: Vec::new(),
            max_keyed: 0,
            sig: Vec::with_capacity(n),
            sig_fold: Vec::with_capacity(n),
            sig_rest: Vec::with_capacity(n),
            han_ids: FxHashMap::default(),
            han_lists: Postings::default(),
            id_keys: Vec::with_capacity(n),
            id_pos: Vec::with_capacity(n),
            post_lists: Postings::default(),
            unit_lists: Postings::default(),
            skim: skim(),
        };
        let mut posts = Interner::default();
        let mut units = Interner::default();
        let mut id_recs: Vec<(u64, u32)> = Vec::with_capacity(n);
        let mut chars: Vec<char> = Vec::new();
        let mut keys: Vec<u64> = Vec::new();
        ix.keyed_offs.push(0);
        for (pos, &i) in order.iter().enumerate() {
            let pos = pos as u32;
            let e = entry(i as usize);
            ix.ids.push(e.id);
            ix.genders.push(e.gender);
            ix.births.push(e.birth);
            ix.names.push(e.name);
            ix.id_numbers.push(e.id_number);
            ix.post_of.push(posts.intern(e.post));
            ix.unit_of.push(units.intern(e.unit));
            let (key, len) = id_key(
                e.id_number
                    .chars()
                    .rev()
                    .filter_map(reading::ascii_form)
                    .filter(|b| b.is_ascii_digit() || *b == b'x'),
            );
            if len > 0 {
                id_recs.push((key, pos));
            }

            chars.clear();
            chars.extend(e.name.chars().filter(|c| reading::is_keyed(*c)));
            let surname = reading::surname_places(&chars);
            let start = ix.keyed.len();
            let (mut sa, mut sh, mut ss) = (0u64, 0u64, 0u64);
            for (k, c) in chars.iter().enumerate() {
                let p = match k {
                    0 => surname.0,
                    1 => surname.1,
                    _ => None,
                };
                let cid = ix.table.class_for(*c, p.unwrap_or(reading::Place::Given));
                ix.keyed.push(cid);
                let cls = &ix.table.classes[cid as usize];
                sa |= cls.chars;
                ss |= cls.syllables;
                if reading::ascii_form(*c).is_none() {
                    sh |= han_bits(*c);
                }
            }
            ix.keyed_offs.push(ix.keyed.len() as u32);
            let keyed_len = (ix.keyed.len() - start).min(31) as u32;
            ix.sig.push(
                (sa & LETTERS) as u32
                    | if sa >> 26 != 0 { SIG_DIGIT } else { 0 }
                    | keyed_len << SIG_LEN_SHIFT,
            );

            let name = &ix.keyed[start..];
            ix.sig_fold.push(Fold::of(&ix.table, name, ss));
            ix.sig_rest.push(SigRest {
                syllables: ss,
                han: sh,
            });
            let len = name.len();
            if len == 0 {
                continue;
            }
            let combos = name.iter().try_fold(1usize, |acc, &c| {
                let k = ix.table.classes[c as usize].codes.count_ones() as usize;
                acc.checked_mul(k).filter(|&v| v <= MAX_COMBOS)
            });
            if len > MAX_KEYED || combos.is_none() {
                ix.wild.push(pos);
                continue;
            }
            ix.max_keyed = ix.max_keyed.max(len);
            keys.clear();
            keys.push(len as u64);
            for (k, &c) in name.iter().enumerate() {
                let codes = ix.table.classes[c as usize].codes;
                let shift = 59 - 5 * k;
                if codes.is_power_of_two() {
                    // One initial (the common case): extend every key in place.
                    let code = (codes.trailing_zeros() as u64) << shift;
                    keys.iter_mut().for_each(|k| *k |= code);
                    continue;
                }
                let before = keys.len();
                let mut rest = codes;
                while rest != 0 {
                    let code = (rest.trailing_zeros() as u64) << shift;
                    rest &= rest - 1;
                    for j in 0..before {
                        keys.push(keys[j] | code);
                    }
                }
                keys.drain(..before);
            }
            let inline = |k: usize| {
                name.get(k)
                    .and_then(|&c| u16::try_from(c).ok())
                    .filter(|&c| c != NO_CLASS)
                    .unwrap_or(NO_CLASS)
            };
            let (c0, c1) = (inline(0), inline(1));
            for &key in &keys {
                ix.records.push(Record { key, pos, c0, c1 });
            }
        }
        let sort_records = |records: &mut Vec<Record>| {
            records.sort_unstable_by_key(|r| (r.key, r.pos));
            records.shrink_to_fit();
        };
        if n >= 100_000 {
            // The two big sorts run side by side.
            std::thread::scope(|sc| {
                let records = &mut ix.records;
                let h = sc.spawn(move || sort_records(records));
                id_recs.sort_unstable();
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic);
                }
            });
        } else {
            sort_records(&mut ix.records);
            id_recs.sort_unstable();
        }
        ix.id_keys = id_recs.iter().map(|r| r.0).collect();
        ix.id_pos = id_recs.iter().map(|r| r.1).collect();
        ix.posts = posts.arena;
        ix.units = units.arena;
        ix.post_lists = Postings::from_pairs(
            ix.posts.len(),
            ix.post_of.iter().enumerate().map(|(p, &k)| (k, p as u32)),
        );
        ix.unit_lists = Postings::from_pairs(
            ix.units.len(),
            ix.unit_of.iter().enumerate().map(|(p, &k)| (k, p as u32)),
        );
        ix.build_han_lists();
        ix
    }

    /// Posting lists of non-ASCII characters (each entry once per character).
    fn build_han_lists(&mut self) {
        // Class → character id, for classes of non-ASCII characters.
        let mut class_han = vec![u32::MAX; self.table.classes.len()];
        for (cid, cls) in self.table.classes.iter().enumerate() {
            if reading::ascii_form(cls.ch).is_none() {
                let next = self.han_ids.len() as u32;
                class_han[cid] = *self.han_ids.entry(cls.ch).or_insert(next);
            }
        }
        let class_han = &class_han;
        let keyed = &self.keyed;
        let offs = &self.keyed_offs;
        let pairs = (0..self.ids.len()).flat_map(|p| {
            let name = &keyed[offs[p] as usize..offs[p + 1] as usize];
            name.iter().enumerate().filter_map(move |(k, &c)| {
                let h = class_han[c as usize];
                // Once per entry: skip a character already seen earlier in the same name.
                (h != u32::MAX && !name[..k].iter().any(|&e| class_han[e as usize] == h))
                    .then_some((h, p as u32))
            })
        });
        self.han_lists = Postings::from_pairs(self.han_ids.len(), pairs);
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The position of dossier `id` among all entries (in id order), by binary search.
    pub fn position(&self, id: DossierId) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// The entry for dossier `id` (O(log n); the owned `Entry` is built on first request).
    pub fn entry(&self, id: DossierId) -> Option<&Entry> {
        let pos = self.position(id)?;
        Some(self.materialized[pos].get_or_init(|| Box::new(self.view_at(pos).to_entry())))
    }

    /// The entry for dossier `id`, borrowed from the arenas without allocating.
    pub fn view(&self, id: DossierId) -> Option<EntryView<'_>> {
        self.position(id).map(|p| self.view_at(p))
    }

    fn view_at(&self, pos: usize) -> EntryView<'_> {
        EntryView {
            id: self.ids[pos],
            name: self.names.get(pos),
            gender: self.genders[pos],
            birth: self.births[pos],
            post: self.posts.get(self.post_of[pos] as usize),
            unit: self.units.get(self.unit_of[pos] as usize),
            id_number: self.id_numbers.get(pos),
        }
    }

    /// Approximate heap bytes held by the index (entry storage and search structures).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.ids.capacity() * 8
            + self.names.heap_bytes()
            + self.id_numbers.heap_bytes()
            + self.genders.capacity() * size_of::<Gender>()
            + self.births.capacity() * size_of::<PartialDate>()
            + (self.post_of.capacity() + self.unit_of.capacity()) * 4
            + self.posts.heap_bytes()
            + self.units.heap_bytes()
            + self.materialized.len() * size_of::<OnceLock<Box<Entry>>>()
            + (self.keyed_offs.capacity() + self.keyed.capacity()) * 4
            + self.records.capacity() * size_of::<Record>()
            + self.wild.capacity() * 4
            + self.sig.capacity() * 4
            + self.sig_fold.capacity() * 16
            + self.sig_rest.capacity() * std::mem::size_of::<SigRest>()
            + self.id_keys.capacity() * 8
            + self.id_pos.capacity() * 4
            + self.han_lists.heap_bytes()
            + self.han_ids.capacity() * 16
            + self.post_lists.heap_bytes()
            + self.unit_lists.heap_bytes()
            + self.table.heap_bytes()
    }

    fn keyed_of(&self, pos: u32) -> &[u32] {
        let p = pos as usize;
        &self.keyed[self.keyed_offs[p] as usize..self.keyed_offs[p + 1] as usize]
    }

    /// Ranked results for `query`, at most `limit` of them.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        if (q.toks.is_empty() && q.words.is_empty()) || limit == 0 || self.is_empty() {
            return Vec::new();
        }
        let mut top = TopK::new(limit.min(self.len()));
        self.collect(&q, &mut top);
        top.into_sorted()
            .into_iter()
            .filter_map(|r| {
                let (best, hit) = self.describe(rank_pos(r), &q)?;
                debug_assert_eq!(best, r, "fast path and describe disagree");
                Some(hit)
            })
            .collect()
    }

    /// Runs the phases in rank order, stopping once the best `limit` are settled.
    fn collect(&self, q: &Query, top: &mut TopK) {
        let names_possible = !q.toks.is_empty()
            && q.toks.iter().all(|t| match t {
                Tok::Lit(c) => self.table.lit_codes.contains_key(c),
                Tok::Ascii(_) => true,
            });
        let mut complete = true;
        if names_possible {
            complete = self.prefix_phase(&q.toks, top);
        }
        if let Some(tail) = &q.id_tail {
            self.id_phase(tail, top);
        }
        if complete && top.settled_at(1) {
            return;
        }
        if names_possible {
            self.fuzzy_phase(&q.toks, top, complete);
        }
        if top.settled_at(2) {
            return;
        }
        if !q.words.is_empty() {
            self.word_phase(&q.words, top);
        }
    }

    /// Exact and prefix name matches from the sorted initials keys. Returns false when the
    /// query splits too many ways and the phase gave up (the fuzzy scan then covers it).
    fn prefix_phase(&self, toks: &[Tok], top: &mut TopK) -> bool {
        let bytes: Vec<u8> = toks
            .iter()
            .map(|t| match t {
                Tok::Ascii(b) => *b,
                Tok::Lit(_) => 0,
            })
            .collect();
        let mut segs = Vec::new();
        let mut cur = Vec::new();
        if !self.split(toks, &bytes, 0, &mut cur, &mut segs) {
            return false;
        }
        let mut memo = Memo {
            rows: FxHashMap::default(),
            data: Vec::new(),
            classes: self.table.classes.len(),
        };
        for seg in &segs {
            self.scan_split(seg, &bytes, &mut memo, top);
        }
        for &pos in &self.wild {
            if let Some(m) = self.table.prefix_match(self.keyed_of(pos), toks) {
                top.offer(rank(m.tier, m.penalty, pos));
            }
        }
        true
    }

    /// All ways to split `toks[pos..]` into pieces a prefix match could use; false when there
    /// are more than `MAX_SEGMENTATIONS`.
    fn split(
        &self,
        toks: &[Tok],
        bytes: &[u8],
        pos: usize,
        cur: &mut Vec<Piece>,
        out: &mut Vec<Vec<Piece>>,
    ) -> bool {
        if pos == toks.len() {
            out.push(cur.clone());
            return out.len() <= MAX_SEGMENTATIONS;
        }
        // No name has more characters than `max_keyed` and no piece is longer than MAX_PIECE:
        // a branch that cannot finish within that is dropped (this bounds long pasted text).
        if (toks.len() - pos).div_ceil(classes::MAX_PIECE)
            > self.max_keyed - cur.len().min(self.max_keyed)
        {
            return true;
        }
        match toks[pos] {
            Tok::Lit(c) => {
                cur.push(Piece {
                    start: pos,
                    len: 1,
                    lit: Some(c),
                });
                let ok = self.split(toks, bytes, pos + 1, cur, out);
                cur.pop();
                ok
            }
            Tok::Ascii(_) => {
                for l in 1..=classes::MAX_PIECE {
                    if pos + l > toks.len() || !matches!(toks[pos + l - 1], Tok::Ascii(_)) {
                        break;
                    }
                    // Prefixes are prefix-closed: once one is unknown, longer ones are too.
                    if !self
                        .table
                        .prefixes
                        .contains(&pack_ascii(&bytes[pos..pos + l]))
                    {
                        break;
                    }
                    cur.push(Piece {
                        start: pos,
                        len: l,
                        lit: None,
                    });
                    let ok = self.split(toks, bytes, pos + l, cur, out);
                    cur.pop();
                    if !ok {
                        return false;
                    }
                }
                true
            }
        }
    }

    #[inline]
    fn class_at(&self, r: &Record, i: usize) -> usize {
        let inline = match i {
            0 => r.c0,
            1 => r.c1,
            _ => NO_CLASS,
        };
        if inline != NO_CLASS {
            inline as usize
        } else {
            self.keyed[self.keyed_offs[r.pos as usize] as usize + i] as usize
        }
    }

    /// Scans the key ranges of one split of the query.
    fn scan_split(&self, seg: &[Piece], bytes: &[u8], memo: &mut Memo, top: &mut TopK) {
        let m = seg.len();
        if m == 0 || m > MAX_KEYED {
            return;
        }
        let mut pats = vec![0u64];
        for (i, p) in seg.iter().enumerate() {
            let codes = match p.lit {
                Some(c) => self.table.lit_codes.get(&c).copied().unwrap_or(0),
                None => 1 << byte_code(bytes[p.start]),
            };
            let shift = 59 - 5 * i;
            pats = pats
                .iter()
                .flat_map(|k| {
                    (0..32u64)
                        .filter(move |b| codes & (1 << b) != 0)
                        .map(move |b| k | b << shift)
                })
                .collect();
        }
        let all_one = seg.iter().all(|p| p.len == 1);
        // A single letter is already checked by the key; everything else is checked per class.
        let rows: Vec<Option<usize>> = seg
            .iter()
            .map(|p| match p.lit {
                Some(_) => None,
                None => Some(memo.row(&bytes[p.start..p.start + p.len])),
            })
            .collect();
        let skip: Vec<bool> = seg
            .iter()
            .map(|p| p.lit.is_none() && p.len == 1 && bytes[p.start].is_ascii_lowercase())
            .collect();
        let rest = (1u64 << (64 - 5 * m)) - 1;
        for pat in pats {
            let a = self.records.partition_point(|r| r.key < pat);
            let b = self.records.partition_point(|r| r.key <= pat | rest);
            for r in &self.records[a..b] {
                let n = (r.key & 0xF) as usize;
                let need_full = n == m;
                if !need_full && !top.accepts(rank(1, (n - m) as u32, r.pos)) {
                    continue;
                }
                let mut ok = true;
                let mut all_full = true;
                for i in 0..m {
                    if skip[i] && !need_full {
                        continue;
                    }
                    let cls = self.class_at(r, i);
                    let st = match (seg[i].lit, rows[i]) {
                        (Some(c), _) => {
                            if self.table.classes[cls].ch == c {
                                3
                            } else {
                                0
                            }
                        }
                        (None, Some(row)) => {
                            let cell = &mut memo.data[row][cls];
                            if *cell == 0 {
                                let p = seg[i];
                                *cell = 0x80
                                    | self.table.piece_state(
                                        &self.table.classes[cls],
                                        &bytes[p.start..p.start + p.len],
                                    );
                            }
                            *cell & 3
                        }
                        (None, None) => 0,
                    };
                    if st & 1 == 0 {
                        ok = false;
                        break;
                    }
                    if st & 2 == 0 {
                        all_full = false;
                    }
                }
                if !ok {
                    continue;
                }
                let (tier, penalty) = if !need_full {
                    (1, (n - m) as u32)
                } else if all_full {
                    (0, 0)
                } else if all_one {
                    (0, 1)
                } else {
                    (1, 0)
                };
                top.offer(rank(tier, penalty, r.pos));
            }
        }
    }

    fn id_phase(&self, tail: &[u8], top: &mut TopK) {
        let (lo, n) = id_key(tail.iter().rev().copied());
        let hi = if n >= 16 {
            lo
        } else {
            lo | ((1u64 << (64 - 4 * n)) - 1)
        };
        let a = self.id_keys.partition_point(|&k| k < lo);
        let b = self.id_keys.partition_point(|&k| k <= hi);
        for &pos in &self.id_pos[a..b] {
            if let Some(tier) = self.id_match(pos as usize, tail) {
                top.offer(rank(tier, 0, pos));
            }
        }
    }

    /// Tier of an ID-tail match: exact (0) when the whole number was typed, else prefix (1).
    fn id_match(&self, pos: usize, tail: &[u8]) -> Option<u8> {
        let id = normalized_id(self.id_numbers.get(pos));
        if !id.ends_with(tail) {
            return None;
        }
        Some(if id.len() == tail.len() { 0 } else { 1 })
    }

    /// What every name match of `toks` needs (see `classes::ClassTable::name_match`): each
    /// letter (and any digit) present among the entry's syllables, each Han character in its
    /// Bloom mask, and a split of the query into pieces that begin syllables in its syllable
    /// Bloom mask, with piece starts on the initials of successive characters. Lossless: a
    /// match reads every query character and splits the query into such pieces along the
    /// name.
    fn prefilter(&self, toks: &[Tok]) -> Prefilter {
        let mut need = 0u32;
        let mut need_h = 0u64;
        for t in toks {
            match *t {
                Tok::Ascii(b) if b.is_ascii_digit() => need |= SIG_DIGIT,
                Tok::Ascii(b) => need |= ascii_bit(b) as u32,
                Tok::Lit(c) => need_h |= han_bits(c),
            }
        }
        Prefilter {
            need,
            need_h,
            pieces: PieceFilter::new(&self.table, toks),
            chain: InitialsChain::new(&self.table, toks),
        }
    }

    #[inline]
    fn passes(&self, pos: usize, f: &Prefilter) -> bool {
        self.sig[pos] & f.need == f.need && self.folded_pass(pos, f) && {
            let r = &self.sig_rest[pos];
            r.han & f.need_h == f.need_h && f.pieces.admits(r.syllables)
        }
    }

    /// The prefilter checks on `sig_fold`: the first/last pieces on the folded syllable mask and
    /// the initials chain.
    #[inline]
    fn folded_pass(&self, pos: usize, f: &Prefilter) -> bool {
        let fold = self.sig_fold[pos];
        f.pieces.admits_folded(fold) && f.chain.admits(fold)
    }

    /// Fuzzy name matches. Candidates are the entries holding the query's rarest Han
    /// character, or every entry when it has none; each must pass the signature prefilter and
    /// could still enter the best `limit` (its least possible penalty, `fuzzy_floor`, is
    /// checked first) before it is matched in full. With `complete` (the prefix phase found
    /// every exact and prefix match and none was evicted) entries already held are final and
    /// the others can only match fuzzily; without it every candidate is matched in full.
    fn fuzzy_phase(&self, toks: &[Tok], top: &mut TopK, complete: bool) {
        let Some(max_pieces) = self.table.max_pieces(toks) else {
            return;
        };
        let mut run = FuzzyRun {
            ix: self,
            toks,
            filter: self.prefilter(toks),
            scratch: Scratch::new(toks, self.table.classes.len()),
            max_pieces,
            complete,
        };
        let rarest = toks
            .iter()
            .filter_map(|t| match t {
                Tok::Lit(c) => Some(
                    self.han_ids
                        .get(c)
                        .map_or(&[][..], |&h| self.han_lists.get(h as usize)),
                ),
                Tok::Ascii(_) => None,
            })
            .min_by_key(|l| l.len());
        // Blocks of candidates: first the cheap checks on the sequential scan words (the
        // signature, then whether an entry of its length could still enter, see `Gate`);
        // then the folds of the survivors are loaded together, so their cache misses overlap;
        // then each is checked in order (the gate again, as it may have tightened). The scan
        // ends once no length can enter.
        let floors: [u32; 32] = std::array::from_fn(|n| fuzzy_floor(n, max_pieces));
        let need = run.filter.need;
        let mut gate = Gate::new(&floors, top, complete);
        let mut cand: Vec<u32> = Vec::with_capacity(SCAN_BLOCK);
        let mut folds: Vec<u128> = Vec::with_capacity(SCAN_BLOCK);
        let mut block =
            |positions: &mut dyn Iterator<Item = u32>, top: &mut TopK, gate: &mut Gate| -> bool {
                cand.clear();
                for pos in positions {
                    let s = self.sig[pos as usize];
                    if s & need == need && gate.open_for(s >> SIG_LEN_SHIFT) {
                        cand.push(pos);
                    }
                }
                folds.clear();
                folds.extend(cand.iter().map(|&p| self.sig_fold[p as usize]));
                for (&pos, &fold) in cand.iter().zip(&folds) {
                    if gate.closed() {
                        return false;
                    }
                    if gate.open_for(self.sig[pos as usize] >> SIG_LEN_SHIFT)
                        && run.filter.pieces.admits_folded(fold)
                        && run.filter.chain.admits(fold)
                    {
                        run.visit(pos, top);
                        *gate = Gate::new(&floors, top, complete);
                    }
                }
                true
            };
        match rarest {
            Some(list) => {
                for chunk in list.chunks(SCAN_BLOCK) {
                    if gate.closed() || !block(&mut chunk.iter().copied(), top, &mut gate) {
                        break;
                    }
                }
            }
            None => {
                for start in (0..self.len()).step_by(SCAN_BLOCK) {
                    let end = (start + SCAN_BLOCK).min(self.len());
                    if gate.closed() || !block(&mut (start as u32..end as u32), top, &mut gate) {
                        break;
                    }
                }
            }
        }
    }

    /// Score of `word` in a post or unit text: SkimMatcherV2's score plus a bonus for a whole
    /// (300), leading (200) or contained (100) occurrence; None when it does not match.
    fn word_score(&self, text: &str, word: &str) -> Option<(i64, Vec<usize>)> {
        if text.is_empty()
            || !word
                .chars()
                .all(|w| text.chars().any(|t| t.to_ascii_lowercase() == w))
        {
            return None;
        }
        let (score, idx) = self.skim.fuzzy_indices(text, word)?;
        let lower = text.to_ascii_lowercase();
        let bonus = if lower == word {
            300
        } else if lower.starts_with(word) {
            200
        } else if lower.contains(word) {
            100
        } else {
            0
        };
        Some((score + bonus, idx))
    }

    /// Post/unit word matches: the entries holding a post or unit that matches the first
    /// word, each scored on all words. Groups (one per matching post or unit text) are taken
    /// best score first; an entry not yet seen scores at most the current group's score plus
    /// each later word's best, so once that cannot enter the best `limit` the phase stops.
    fn word_phase(&self, words: &[String], top: &mut TopK) {
        let table = |arena: &StrArena, w: &str| -> Vec<i64> {
            (0..arena.len())
                .map(|i| self.word_score(arena.get(i), w).map_or(-1, |s| s.0))
                .collect()
        };
        let mut tabs = Vec::with_capacity(words.len());
        for w in words {
            let p = table(&self.posts, w);
            let u = table(&self.units, w);
            if p.iter().chain(&u).all(|&s| s < 0) {
                return;
            }
            tabs.push((p, u));
        }
        let rest_best: i64 = tabs[1..]
            .iter()
            .map(|(p, u)| p.iter().chain(u).copied().max().unwrap_or(-1))
            .sum();
        let eval = |pos: u32, top: &mut TopK| {
            let p = pos as usize;
            let (pi, ui) = (self.post_of[p] as usize, self.unit_of[p] as usize);
            let mut total = 0i64;
            for (ps, us) in &tabs {
                let s = ps[pi].max(us[ui]);
                if s < 0 {
                    return;
                }
                total += s;
            }
            top.offer(word_rank(total, pos));
        };
        // (score for the first word, is a unit, text id)
        let mut groups: Vec<(i64, bool, usize)> = tabs[0]
            .0
            .iter()
            .enumerate()
            .map(|(k, &s)| (s, false, k))
            .chain(tabs[0].1.iter().enumerate().map(|(k, &s)| (s, true, k)))
            .filter(|g| g.0 >= 0)
            .collect();
        groups.sort_unstable_by_key(|&(s, unit, k)| (std::cmp::Reverse(s), unit, k));
        for (score, unit, k) in groups {
            let bound = score + rest_best;
            if !top.accepts(word_rank(bound, 0)) {
                break;
            }
            let list = if unit {
                self.unit_lists.get(k)
            } else {
                self.post_lists.get(k)
            };
            for &pos in list {
                if !top.accepts(word_rank(bound, pos)) {
                    break;
                }
                eval(pos, top);
            }
        }
    }

    /// The best way entry `pos` matches `q`, with its rank: the single source of truth for
    /// kinds, fields and highlights (the phases above only find candidates faster).
    fn describe(&self, pos: u32, q: &Query) -> Option<(u64, Hit)> {
        let p = pos as usize;
        let id = self.ids[p];
        let mut best: Option<(u64, Hit)> = None;
        let mut consider = |r: u64, hit: Hit| {
            if best.as_ref().is_none_or(|(b, _)| r < *b) {
                best = Some((r, hit));
            }
        };
        let kind_of = |tier: u8| match tier {
            0 => MatchKind::Exact,
            1 => MatchKind::Prefix,
            _ => MatchKind::Fuzzy,
        };
        let score_of = |r: u64| -((r >> 32) as i64);
        if !q.toks.is_empty()
            && let Some(m) = self.table.name_match(self.keyed_of(pos), &q.toks)
        {
            let NameMatch {
                tier,
                penalty,
                field,
                keyed,
            } = m;
            let keyed_chars: Vec<usize> = self
                .names
                .get(p)
                .chars()
                .enumerate()
                .filter(|(_, c)| reading::is_keyed(*c))
                .map(|(i, _)| i)
                .collect();
            let r = rank(tier, penalty, pos);
            consider(
                r,
                Hit {
                    id,
                    kind: kind_of(tier),
                    field,
                    score: score_of(r),
                    name_highlight: keyed.iter().map(|&k| keyed_chars[k]).collect(),
                    post_highlight: Vec::new(),
                },
            );
        }
        if let Some(tail) = &q.id_tail
            && let Some(tier) = self.id_match(p, tail)
        {
            let r = rank(tier, 0, pos);
            consider(
                r,
                Hit {
                    id,
                    kind: kind_of(tier),
                    field: MatchField::IdNumber,
                    score: score_of(r),
                    name_highlight: Vec::new(),
                    post_highlight: Vec::new(),
                },
            );
        }
        if !q.words.is_empty()
            && let Some((total, hit)) = self.word_hit(p, &q.words)
        {
            let r = word_rank(total, pos);
            consider(
                r,
                Hit {
                    score: score_of(r),
                    ..hit
                },
            );
        }
        best
    }

    /// Post/unit word match of entry `pos`: every word must match the post or the unit.
    fn word_hit(&self, pos: usize, words: &[String]) -> Option<(i64, Hit)> {
        let post = self.posts.get(self.post_of[pos] as usize);
        let unit = self.units.get(self.unit_of[pos] as usize);
        let post_chars = post.chars().count();
        let mut total = 0;
        let mut highlight = Vec::new();
        let mut field = None;
        let (mut all_whole, mut all_leading) = (true, true);
        for w in words {
            let ps = self.word_score(post, w);
            let us = self.word_score(unit, w);
            let (score, idx, text, offset, f) = match (ps, us) {
                (Some(a), Some(b)) if b.0 > a.0 => {
                    (b.0, b.1, unit, post_chars + 1, MatchField::Unit)
                }
                (Some(a), _) => (a.0, a.1, post, 0, MatchField::Post),
                (None, Some(b)) => (b.0, b.1, unit, post_chars + 1, MatchField::Unit),
                (None, None) => return None,
            };
            let lower = text.to_ascii_lowercase();
            all_whole &= lower == *w;
            all_leading &= lower.starts_with(w.as_str());
            total += score;
            highlight.extend(idx.into_iter().map(|i| i + offset));
            field.get_or_insert(f);
        }
        highlight.sort_unstable();
        highlight.dedup();
        let kind = if all_whole {
            MatchKind::Exact
        } else if all_leading {
            MatchKind::Prefix
        } else {
            MatchKind::Fuzzy
        };
        Some((
            total,
            Hit {
                id: self.ids[pos],
                kind,
                field: field.unwrap_or(MatchField::Post),
                score: 0,
                name_highlight: Vec::new(),
                post_highlight: highlight,
            },
        ))
    }

    /// Reference ranking: `describe` on every entry, no index, no early stop. Tests compare
    /// `search` against it.
    #[cfg(test)]
    fn search_exhaustive(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = Query::parse(query);
        if q.toks.is_empty() && q.words.is_empty() {
            return Vec::new();
        }
        let mut all: Vec<(u64, Hit)> = (0..self.len() as u32)
            .filter_map(|p| self.describe(p, &q))
            .collect();
        all.sort_by_key(|(r, _)| *r);
        all.into_iter().take(limit).map(|(_, h)| h).collect()
    }
}
