//! Unit tests of the lookup engine's internals: the prefilter is lossless, and the indexed
//! search ranks exactly like the exhaustive reference (`Index::search_exhaustive`). Behaviour
//! seen through the public interface belongs in tests/lookup.rs, not here; nothing here may
//! depend on timing.

use proptest::prelude::*;

use super::classes::Tok;
use super::*;

fn entry(id: DossierId, name: &str, post: &str, unit: &str, idn: &str) -> Entry {
    Entry {
        id,
        name: name.to_string(),
        gender: Gender::Male,
        birth: PartialDate::ym(1970, 1).unwrap(),
        post: post.to_string(),
        unit: unit.to_string(),
        id_number: idn.to_string(),
    }
}

/// Name characters chosen to stress readings: polyphonic surnames, compound surnames,
/// heteronyms in given names, ü, ASCII letters and digits, a separator.
const POOL: &[char] = &[
    '张', '王', '曾', '单', '长', '孙', '乐', '吕', '尉', '迟', '万', '俟', '欧', '阳', '伟', '民',
    '文', '华', '明', '行', '和', '女', '朴', '区', '查', '解', '翟', '重', '庆', '中', '章', '周',
    'A', 'b', '3', '·',
];
const POSTS: &[&str] = &["县长", "副县长", "局长", "财政局局长", "", "党委书记"];
const UNITS: &[&str] = &["临河县人民政府", "临河县财政局", "青州市委", "", "河西乡"];

fn arb_name() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(POOL), 1..6).prop_map(|v| v.into_iter().collect())
}

fn arb_entry(id: DossierId) -> impl Strategy<Value = Entry> {
    (
        arb_name(),
        prop::sample::select(POSTS),
        prop::sample::select(UNITS),
        prop::sample::select(&["", "110101198001011234", "11010119800101123X", "4321"][..]),
    )
        .prop_map(move |(n, p, u, i)| entry(id, &n, p, u, i))
}

/// A query read off `name`: per keyed character one of skip, the character, a whole reading,
/// its first letter or its first two letters (any reading, surname or not), then optionally
/// uppercased, spaced or cut short.
fn query_from(name: &str, modes: &[u8], cut: usize, upper: bool) -> String {
    let mut q = String::new();
    for (k, c) in name.chars().filter(|c| reading::is_keyed(*c)).enumerate() {
        let mode = modes.get(k).copied().unwrap_or(0);
        let mut rs = reading::common_readings(c);
        if rs.is_empty() {
            rs.push(c.to_ascii_lowercase().to_string());
        }
        for (_, r) in reading::COMPOUND_SURNAMES
            .iter()
            .filter(|(s, _)| s.contains(c))
        {
            rs.extend(r.iter().map(|s| s.to_string()));
        }
        for (_, r) in reading::SURNAME_READINGS.iter().filter(|(s, _)| *s == c) {
            rs.extend(r.iter().map(|s| s.to_string()));
        }
        let r = &rs[(mode as usize / 5) % rs.len()];
        match mode % 5 {
            0 => {}
            1 => q.push(c),
            2 => q.push_str(r),
            3 => q.push_str(&r[..1]),
            _ => q.push_str(&r[..r.len().min(2)]),
        }
    }
    let mut q: String = q.chars().take(cut.max(1)).collect();
    if upper {
        q = q.to_uppercase();
    }
    q
}

fn arb_query_for(name: String) -> impl Strategy<Value = String> {
    let random = prop::collection::vec(
        prop::sample::select(
            &[
                'z', 'h', 'a', 'n', 'g', 'w', 'e', 'i', 'c', 'l', 'v', 'u', '张', '伟', '曾', ' ',
                '3', 'x',
            ][..],
        ),
        0..7,
    )
    .prop_map(|v| v.into_iter().collect::<String>());
    let derived = (
        prop::collection::vec(any::<u8>(), 6),
        1usize..20,
        any::<bool>(),
    )
        .prop_map(move |(modes, cut, upper)| query_from(&name, &modes, cut, upper));
    prop_oneof![1 => random, 3 => derived]
}

fn one(name: &str) -> Index {
    Index::build(vec![entry(1, name, "", "", "")])
}

fn toks(q: &str) -> Vec<Tok> {
    Query::parse(q).toks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// The signature prefilter never drops an entry the full name matcher would match.
    #[test]
    fn prefilter_is_lossless(q in arb_name().prop_flat_map(|n| (Just(n.clone()), arb_query_for(n)))) {
        let (name, query) = q;
        let ix = one(&name);
        let t = toks(&query);
        let f = ix.prefilter(&t);
        if let Some(m) = ix.table.name_match(ix.keyed_of(0), &t) {
            prop_assert!(ix.passes(0, &f), "{name} / {query}: {m:?} dropped");
        }
    }

    /// The indexed search returns exactly the exhaustive reference's results, in order.
    #[test]
    fn search_equals_exhaustive_reference(
        entries in (1usize..40).prop_flat_map(|n| {
            (0..n).map(|i| arb_entry(i as u64 * 7 + 3)).collect::<Vec<_>>()
        }),
        pick in any::<prop::sample::Index>(),
        modes in prop::collection::vec(any::<u8>(), 6),
        cut in 1usize..20,
        limit in 1usize..12,
        raw in prop::option::of("[zhangweilcu张伟曾临河县长 0-9xX]{0,6}"),
    ) {
        let name = entries[pick.index(entries.len())].name.clone();
        let query = raw.unwrap_or_else(|| query_from(&name, &modes, cut, false));
        let ix = Index::build(entries);
        let fast = ix.search(&query, limit);
        let slow = ix.search_exhaustive(&query, limit);
        prop_assert_eq!(fast, slow, "query {:?}", query);
    }
}

#[test]
fn prefilter_rejects_what_cannot_match() {
    let ix = one("张伟");
    for q in ["li", "曾", "wz3", "x", "zhangwo", "zhangweia"] {
        assert!(!ix.passes(0, &ix.prefilter(&toks(q))), "{q}");
        assert!(
            ix.table.name_match(ix.keyed_of(0), &toks(q)).is_none(),
            "{q}"
        );
    }
    // 'w' is present but not as the first letter of any syllable of 张 (zhang)... it is for
    // 伟, so "wei" passes and matches (fuzzily).
    assert!(ix.passes(0, &ix.prefilter(&toks("wei"))));
    // 'a' is in zhang but starts no syllable: a query starting with it cannot match.
    assert!(!ix.passes(0, &ix.prefilter(&toks("an"))));
}

#[test]
fn long_and_wild_names_are_found_without_keys() {
    // 13 keyed characters: beyond the packed keys, matched by the direct scan.
    let long = "阿卜杜热合曼买买提明艾力江";
    let ix = Index::build(vec![
        entry(1, long, "", "", ""),
        entry(2, "伟行长行长行", "", "", ""), // 2^5 combinations of initials
    ]);
    assert_eq!(ix.wild.len(), 2);
    let hits = ix.search("abdrhm", 5);
    assert_eq!(hits[0].id, 1);
    assert_eq!(hits[0].kind, MatchKind::Prefix);
    let hits = ix.search("whzxch", 5);
    assert_eq!(hits[0].id, 2);
    assert_eq!(hits[0].kind, MatchKind::Exact);
}

#[test]
fn too_many_splits_fall_back_to_the_scan() {
    // Every letter run splits many ways; the result must still equal the reference.
    let ix = Index::build(vec![
        entry(1, "张安安安安安安安安安安", "", "", ""),
        entry(2, "张伟", "", "", ""),
    ]);
    let q = "zhananananananananan";
    assert_eq!(ix.search(q, 5), ix.search_exhaustive(q, 5));
    assert_eq!(ix.search(q, 5)[0].id, 1);
}

#[test]
fn demoted_surname_reading_is_fuzzy_only() {
    let ix = one("曾国强");
    let m = ix
        .table
        .name_match(ix.keyed_of(0), &toks("cengguoqiang"))
        .unwrap();
    assert_eq!(m.tier, 2);
    let m = ix
        .table
        .name_match(ix.keyed_of(0), &toks("zengguoqiang"))
        .unwrap();
    assert_eq!((m.tier, m.penalty), (0, 0));
}

#[test]
fn index_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Index>();
}

#[test]
fn word_tier_equals_reference_with_small_limits() {
    let posts = [
        "县长",
        "副县长",
        "常务副县长",
        "局长",
        "财政局局长",
        "乡长",
        "",
    ];
    let units = [
        "临河县人民政府",
        "临河县财政局",
        "河西乡人民政府",
        "青州市财政局",
        "",
    ];
    let entries: Vec<Entry> = (0..140u64)
        .map(|i| {
            entry(
                i * 3 + 1,
                ["张伟", "李娜", "县长明"][i as usize % 3],
                posts[i as usize % posts.len()],
                units[(i as usize / 2) % units.len()],
                "",
            )
        })
        .collect();
    let ix = Index::build(entries);
    for q in [
        "县长",
        "临河",
        "财政局",
        "局长",
        "临河 县长",
        "县 局",
        "长",
        "河西 乡长",
    ] {
        for limit in [1, 3, 10, 50, 200] {
            assert_eq!(
                ix.search(q, limit),
                ix.search_exhaustive(q, limit),
                "{q} {limit}"
            );
        }
    }
}

#[test]
fn multi_block_scans_equal_reference() {
    // Several scan blocks, with the gate tightening inside and between them.
    let surnames = ['张', '王', '李', '曾', '单', '欧'];
    let given = ['伟', '民', '文', '华', '明', '乐', '长', '娟', '婷', '涛'];
    let entries: Vec<Entry> = (0..5000u64)
        .map(|i| {
            let k = (i * 2654435761 % 1000) as usize;
            let mut name = String::new();
            name.push(surnames[k % surnames.len()]);
            name.push(given[(k / 7) % given.len()]);
            if !k.is_multiple_of(3) {
                name.push(given[(k / 3) % given.len()]);
            }
            entry(i + 1, &name, "", "", "")
        })
        .collect();
    let ix = Index::build(entries);
    for q in [
        "juan", "tt", "wm", "明华", "ting", "le", "lt", "ceng", "juantao", "乐t",
    ] {
        for limit in [1, 5, 50, 400] {
            assert_eq!(
                ix.search(q, limit),
                ix.search_exhaustive(q, limit),
                "{q} {limit}"
            );
        }
    }
}

#[test]
fn long_pasted_queries_are_exact() {
    let ix = Index::build(vec![
        entry(1, "张安安", "", "", ""),
        entry(2, "安安安安", "", "", ""),
        entry(3, "阿卜杜热合曼买买提明艾力江", "", "", ""),
        entry(4, "安安安安安安安安安安安安", "", "", ""), // twelve keyed characters
        entry(5, "南娜宁", "", "", ""),                   // n, na, nan: many ways to split
    ]);
    assert_eq!(ix.max_keyed, 12);
    // Long pasted text: the split of the query into pieces is bounded by the longest name
    // (see `Index::split`) and the results still equal the reference.
    let long = "an".repeat(60);
    assert_eq!(ix.search(&long, 5), ix.search_exhaustive(&long, 5));
    let mixed = format!("{}张{}", "anan".repeat(10), "zhang".repeat(10));
    assert_eq!(ix.search(&mixed, 5), ix.search_exhaustive(&mixed, 5));
    assert_eq!(ix.search("ananan", 5)[0].id, 2);
}
