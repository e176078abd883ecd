//! Lookup as the interface sees it: every query form finds its cadre, surnames read as
//! surnames, tiers rank in order, highlights land on the right characters, ID tails and
//! post/unit words work, blank queries find nothing. Uses only the public API of
//! `cadre::lookup`; it must not depend on the index's internals or on timing.

use std::sync::Arc;
use std::time::Duration;

use cadre::lookup::worker::LookupWorker;
use cadre::lookup::{Entry, Hit, Index, MatchField, MatchKind};
use cadre::model::{Gender, PartialDate};

fn entry(id: u64, name: &str, post: &str, unit: &str, idn: &str) -> Entry {
    Entry {
        id,
        name: name.to_string(),
        gender: Gender::Female,
        birth: PartialDate::ym(1975, 6).unwrap(),
        post: post.to_string(),
        unit: unit.to_string(),
        id_number: idn.to_string(),
    }
}

fn named(id: u64, name: &str) -> Entry {
    entry(id, name, "", "", "")
}

fn ids(hits: &[Hit]) -> Vec<u64> {
    hits.iter().map(|h| h.id).collect()
}

fn hit(hits: &[Hit], id: u64) -> Option<&Hit> {
    hits.iter().find(|h| h.id == id)
}

/// 张伟 (id 1) among names that share letters, initials or characters with it.
fn zhang_wei_set() -> Index {
    Index::build(vec![
        named(1, "张伟"),
        named(2, "张伟民"),
        named(3, "赵伟"),
        named(4, "周文"),
        named(5, "章维"),
        named(6, "王伟"),
        named(7, "张卫东"),
        named(8, "李张伟"),
        named(9, "郑薇薇"),
    ])
}

#[test]
fn every_query_form_finds_zhang_wei() {
    let ix = zhang_wei_set();
    for q in [
        "张伟",
        "zhangwei",
        "zw",
        "zhangw",
        "张w",
        "zhang伟",
        "zhangwe",
        "ZhangWei",
        "zhang wei",
        "ZW",
        "张wei",
        "zhw",
        "张",
    ] {
        let hits = ix.search(q, 20);
        let h = hit(&hits, 1).unwrap_or_else(|| panic!("{q}: 张伟 not found in {hits:?}"));
        assert!(h.kind <= MatchKind::Prefix, "{q}: {h:?}");
    }
    // Whole forms are exact matches and 张伟 comes first among them (smallest id).
    for q in ["张伟", "zhangwei", "zw", "张wei", "zhang伟", "张w"] {
        let hits = ix.search(q, 20);
        assert_eq!(hits[0].id, 1, "{q}: {hits:?}");
        assert_eq!(hits[0].kind, MatchKind::Exact, "{q}");
    }
    let hits = ix.search("张伟", 20);
    assert_eq!(hits[0].field, MatchField::Name);
    assert_eq!(ids(&hits)[..2], [1, 2], "exact 张伟, then prefix 张伟民");
    assert_eq!(ix.search("zhangwei", 20)[0].field, MatchField::Pinyin);
    assert_eq!(ix.search("zw", 20)[0].field, MatchField::Initials);
    // Partial last syllable and partial initials are prefix matches, not exact ones.
    for q in ["zhangwe", "zhangw", "zhw"] {
        let hits = ix.search(q, 20);
        assert_eq!(hit(&hits, 1).unwrap().kind, MatchKind::Prefix, "{q}");
    }
    // "zw" is also the whole initials of 赵伟, 周文 and 章维 (郑薇薇 has three characters).
    let zw: Vec<u64> = ix
        .search("zw", 20)
        .iter()
        .filter(|h| h.kind == MatchKind::Exact)
        .map(|h| h.id)
        .collect();
    assert_eq!(zw, vec![1, 3, 4, 5]);
}

#[test]
fn mixed_query_must_agree_with_the_characters() {
    let ix = zhang_wei_set();
    // 章维 reads zhang wei too, but "张w" names the character 张.
    let hits = ix.search("张w", 20);
    assert!(hit(&hits, 5).is_none_or(|h| h.kind == MatchKind::Fuzzy));
    assert!(hit(&hits, 1).is_some());
    // zhangwei reads both 张伟 and 章维 exactly.
    let exact: Vec<u64> = ix
        .search("zhangwei", 20)
        .iter()
        .filter(|h| h.kind == MatchKind::Exact)
        .map(|h| h.id)
        .collect();
    assert_eq!(exact, vec![1, 5]);
}

/// (name, surname reading typed, the common reading a clerk must not be matched by first)
const SURNAMES: &[(&str, &str, &str)] = &[
    ("曾明", "zengming", "cengming"),
    ("单明", "shanming", "danming"),
    ("覃明", "qinming", "tanming"),
    ("仇明", "qiuming", "chouming"),
    ("解明", "xieming", "jieming"),
    ("区明", "ouming", "quming"),
    ("查明", "zhaming", "chaming"),
    ("朴明", "piaoming", "puming"),
    ("盖明", "geming", "gaiming"),
    ("缪明", "miaoming", "mouming"),
    ("翟明", "zhaiming", "diming"),
    ("乐明", "yueming", "leming"),
    ("召明", "shaoming", "zhaoming"),
    ("种明", "chongming", "zhongming"),
    ("秘明", "biming", "miming"),
    ("员明", "yunming", "yuanming"),
    ("繁明", "poming", "fanming"),
    ("尉迟明", "yuchiming", "weichiming"),
    ("万俟明", "moqiming", "wansiming"),
    ("长孙明", "zhangsunming", "changsunming"),
];

#[test]
fn polyphonic_surnames_are_found_by_their_surname_reading() {
    let entries: Vec<Entry> = SURNAMES
        .iter()
        .enumerate()
        .map(|(i, (n, _, _))| named(i as u64 + 1, n))
        .collect();
    let ix = Index::build(entries);
    for (i, (name, reading, common)) in SURNAMES.iter().enumerate() {
        let id = i as u64 + 1;
        let hits = ix.search(reading, 50);
        assert_eq!(hits[0].id, id, "{name} by {reading}: {hits:?}");
        assert_eq!(hits[0].kind, MatchKind::Exact, "{name} by {reading}");
        // The surname alone is a prefix.
        let surname_len = name.chars().count() - 1;
        let surname: String = name.chars().take(surname_len).collect();
        let sr = &reading[..reading.len() - "ming".len()];
        let hits = ix.search(sr, 50);
        assert_eq!(
            hit(&hits, id).map(|h| h.kind),
            Some(MatchKind::Prefix),
            "{surname} by {sr}"
        );
        // The common reading is at best a fuzzy match.
        let hits = ix.search(common, 50);
        if let Some(h) = hit(&hits, id) {
            assert_eq!(h.kind, MatchKind::Fuzzy, "{name} by {common}");
        }
    }
    // 纪 reads ji either way.
    let ix = Index::build(vec![named(1, "纪明")]);
    assert_eq!(ix.search("jiming", 5)[0].kind, MatchKind::Exact);
}

#[test]
fn common_reading_ranks_the_common_character_first() {
    // 丹明 really is dan ming; 单明 is shan ming.
    let ix = Index::build(vec![
        named(1, "单明"),
        named(2, "丹明"),
        named(3, "曾华"),
        named(4, "层华"),
    ]);
    let hits = ix.search("danming", 10);
    assert_eq!(hits[0].id, 2);
    assert!(hit(&hits, 1).is_none_or(|h| h.kind == MatchKind::Fuzzy));
    let hits = ix.search("ceng", 10);
    assert_eq!(hits[0].id, 4);
    assert_eq!(hits[0].kind, MatchKind::Prefix);
    let hits = ix.search("zenghua", 10);
    assert_eq!(ids(&hits)[0], 3);
}

#[test]
fn compound_surnames_are_the_surname() {
    let names = [
        ("欧阳修", "ouyangxiu", "oyx"),
        ("司马光", "simaguang", "smg"),
        ("诸葛亮", "zhugeliang", "zgl"),
        ("上官婉儿", "shangguanwaner", "sgwe"),
        ("夏侯惇", "xiahoudun", "xhd"),
        ("东方朔", "dongfangshuo", "dfs"),
        ("皇甫嵩", "huangfusong", "hfs"),
        ("令狐冲", "linghuchong", "lhc"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("慕容复", "murongfu", "mrf"),
        ("宇文泰", "yuwentai", "ywt"),
        ("司徒雷", "situlei", "stl"),
        ("公孙策", "gongsunce", "gsc"),
    ];
    let ix = Index::build(
        names
            .iter()
            .enumerate()
            .map(|(i, (n, _, _))| named(i as u64 + 1, n))
            .collect(),
    );
    for (i, (name, full, initials)) in names.iter().enumerate() {
        let id = i as u64 + 1;
        for q in [*full, *initials, *name] {
            let hits = ix.search(q, 5);
            assert_eq!(hits[0].id, id, "{name} by {q}: {hits:?}");
            assert_eq!(hits[0].kind, MatchKind::Exact, "{name} by {q}");
        }
    }
}

#[test]
fn given_name_characters_accept_every_reading() {
    let ix = Index::build(vec![
        named(1, "王乐"),
        named(2, "李长江"),
        named(3, "吕女士"),
    ]);
    for (q, id) in [
        ("wangle", 1),
        ("wangyue", 1),
        ("lichangjiang", 2),
        ("lizhangjiang", 2),
        ("lvnvshi", 3),
        ("lunushi", 3),
        ("lns", 3),
        ("lrs", 3),
    ] {
        let hits = ix.search(q, 5);
        assert_eq!(
            hits.first().map(|h| (h.id, h.kind)),
            Some((id, MatchKind::Exact)),
            "{q}"
        );
    }
}

#[test]
fn tiers_rank_exact_then_prefix_then_fuzzy_then_words() {
    let ix = Index::build(vec![
        entry(10, "张伟民", "", "", ""),   // prefix (one character left)
        entry(11, "李张伟", "", "", ""),   // fuzzy: skips 李
        entry(12, "张伟", "", "", ""),     // exact
        entry(13, "张文伟", "", "", ""),   // fuzzy: gap between 张 and 伟
        entry(14, "张伟国庆", "", "", ""), // prefix, two characters left
        entry(15, "王芳", "张伟路街道主任", "", ""), // post words
        entry(16, "刘洋", "", "", ""),     // nothing
    ]);
    let hits = ix.search("张伟", 10);
    assert_eq!(ids(&hits), vec![12, 10, 14, 11, 13, 15]);
    let kinds: Vec<MatchKind> = hits.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds[..5],
        [
            MatchKind::Exact,
            MatchKind::Prefix,
            MatchKind::Prefix,
            MatchKind::Fuzzy,
            MatchKind::Fuzzy
        ]
    );
    assert_eq!(hits[5].field, MatchField::Post);
    // Scores follow the order.
    assert!(
        hits.windows(2).all(|w| w[0].score >= w[1].score),
        "{hits:?}"
    );
    // The same order by pinyin (no post matches pinyin).
    let hits = ix.search("zhangwei", 10);
    assert_eq!(ids(&hits), vec![12, 10, 14, 11, 13]);
    // limit keeps the best.
    assert_eq!(ids(&ix.search("zhangwei", 2)), vec![12, 10]);
}

#[test]
fn ties_break_by_id() {
    let ix = Index::build(vec![named(30, "张伟"), named(4, "张伟"), named(17, "张伟")]);
    assert_eq!(ids(&ix.search("zw", 10)), vec![4, 17, 30]);
    assert_eq!(ids(&ix.search("zw", 2)), vec![4, 17]);
}

#[test]
fn highlights_mark_the_matched_characters() {
    let ix = Index::build(vec![
        entry(1, "张伟民", "", "", ""),
        entry(2, "买买提·艾力", "", "", ""),
        entry(3, "王芳", "副县长", "临河县人民政府", ""),
        entry(4, "刘洋", "县长", "临河县人民政府", ""),
    ]);
    let h = &ix.search("wm", 5)[0];
    assert_eq!((h.id, h.kind), (1, MatchKind::Fuzzy));
    assert_eq!(h.name_highlight, vec![1, 2]);
    let h = &ix.search("zhangw", 5)[0];
    assert_eq!(h.name_highlight, vec![0, 1]);
    // The middle dot is skipped: 艾 is char 4.
    let h = &ix.search("mmtai", 5)[0];
    assert_eq!((h.id, h.kind), (2, MatchKind::Prefix));
    assert_eq!(h.name_highlight, vec![0, 1, 2, 4]);
    // Post: 副县长 → chars 1 and 2.
    let hits = ix.search("县长", 5);
    let h = hit(&hits, 3).unwrap();
    assert_eq!(h.post_highlight, vec![1, 2]);
    assert!(h.name_highlight.is_empty());
    // Unit: offset by the post's char count + 1 (县长 is 2 chars → 3).
    let hits = ix.search("临河", 5);
    let h = hit(&hits, 4).unwrap();
    assert_eq!(h.field, MatchField::Unit);
    assert_eq!(h.post_highlight, vec![3, 4]);
}

#[test]
fn id_number_tails() {
    let ix = Index::build(vec![
        entry(1, "张伟", "", "", "110101198001011234"),
        entry(2, "李娜", "", "", "11010119800101567X"),
        entry(3, "王芳", "", "", "110101198001019234"),
        entry(4, "刘洋", "", "", ""),
    ]);
    assert_eq!(ids(&ix.search("1234", 10)), vec![1]);
    assert_eq!(ids(&ix.search("9234", 10)), vec![3]);
    assert_eq!(
        ids(&ix.search("234", 10)),
        Vec::<u64>::new(),
        "too short for a tail"
    );
    let hits = ix.search("567x", 10);
    assert_eq!(ids(&hits), vec![2]);
    assert_eq!(hits[0].field, MatchField::IdNumber);
    assert_eq!(hits[0].kind, MatchKind::Prefix);
    assert_eq!(ids(&ix.search("567X", 10)), vec![2]);
    assert_eq!(ids(&ix.search("0101567X", 10)), vec![2]);
    let mut both = ids(&ix.search("01011234", 10));
    both.sort();
    assert_eq!(both, vec![1]);
    // The whole number is an exact match.
    let hits = ix.search("110101198001011234", 10);
    assert_eq!((hits[0].id, hits[0].kind), (1, MatchKind::Exact));
    // An x in the middle is no tail.
    assert!(ix.search("12x4", 10).is_empty());
    // Eighteen characters, one wrong: nothing.
    assert!(ix.search("110101198001011235", 10).is_empty());
}

#[test]
fn post_and_unit_words() {
    let ix = Index::build(vec![
        entry(1, "张伟", "县长", "临河县人民政府", ""),
        entry(2, "李娜", "局长", "临河县财政局", ""),
        entry(3, "王芳", "副县长", "青州市人民政府", ""),
        entry(4, "刘洋", "科员", "河西乡人民政府", ""),
    ]);
    let hits = ix.search("临河", 10);
    assert_eq!(ids(&hits), vec![1, 2]);
    assert!(hits.iter().all(|h| h.field == MatchField::Unit));
    let hits = ix.search("县长", 10);
    assert_eq!(ids(&hits), vec![1, 3], "the whole post first");
    assert_eq!(hits[0].kind, MatchKind::Exact);
    assert_eq!(hit(&hits, 3).unwrap().kind, MatchKind::Fuzzy);
    let hits = ix.search("财政局", 10);
    assert_eq!(ids(&hits), vec![2]);
    // Two words: both must match (unit and post).
    assert_eq!(ids(&ix.search("临河 局长", 10)), vec![2]);
    assert!(ix.search("教育局", 10).is_empty());
}

#[test]
fn blank_queries_and_zero_limits_find_nothing() {
    let ix = zhang_wei_set();
    for q in ["", " ", "\t  \n", "　", "·", "，"] {
        assert!(ix.search(q, 10).is_empty(), "{q:?}");
    }
    assert!(ix.search("zw", 0).is_empty());
    assert!(Index::build(vec![]).search("zw", 10).is_empty());
    assert!(Index::default().is_empty());
}

#[test]
fn entries_are_kept_by_id() {
    let ix = Index::build(vec![
        entry(5, "张伟", "县长", "临河县人民政府", "110101198001011234"),
        entry(2, "李娜", "", "", ""),
        entry(5, "张伟民", "副县长", "临河县人民政府", ""),
    ]);
    assert_eq!(ix.len(), 2);
    let e = ix.entry(5).unwrap();
    assert_eq!(e.name, "张伟民", "a repeated id keeps the last entry");
    assert_eq!(e.post, "副县长");
    assert_eq!(ix.entry(2).unwrap().name, "李娜");
    assert!(ix.entry(3).is_none());
    assert_eq!(ix.view(5).unwrap().unit, "临河县人民政府");
    assert!(std::ptr::eq(ix.entry(5).unwrap(), ix.entry(5).unwrap()));
}

#[test]
fn worker_answers_off_thread() {
    let ix = Arc::new(zhang_wei_set());
    let w = LookupWorker::spawn(ix, 5);
    w.submit(1, "zw".into());
    let a = w.recv_timeout(Duration::from_secs(10)).expect("an answer");
    assert_eq!(a.seq, 1);
    assert_eq!(a.hits[0].id, 1);
}
