//! Readings of the characters in a name: the pinyin syllables a clerk may type for each one,
//! with surnames read as surnames (曾 zeng, 单 shan, 尉迟 yuchi …). Owns the surname tables and
//! the normalization of syllables to plain ASCII (ü typed as v or u). It must not index, match
//! or rank; it only answers "how can this character be typed here".

use std::sync::OnceLock;

use pinyin::ToPinyinMulti;

use super::hash::FxHashMap;

/// Single-character surnames whose surname reading is not (or not only) the character's common
/// reading. The first readings listed are the surname readings; the character's other readings
/// are still accepted, but only as fuzzy matches (see `Readings::demoted`).
pub const SURNAME_READINGS: &[(char, &[&str])] = &[
    ('曾', &["zeng"]),
    ('单', &["shan"]),
    ('覃', &["qin"]),
    ('仇', &["qiu"]),
    ('解', &["xie"]),
    ('区', &["ou"]),
    ('查', &["zha"]),
    ('朴', &["piao"]),
    ('盖', &["ge"]),
    ('缪', &["miao"]),
    ('翟', &["zhai"]),
    ('乐', &["yue"]),
    ('纪', &["ji"]),
    ('召', &["shao"]),
    ('种', &["chong"]),
    ('秘', &["bi"]),
    ('员', &["yun"]),
    ('繁', &["po"]),
    ('尉', &["wei"]),
    ('长', &["chang"]),
    ('沈', &["shen"]),
    ('任', &["ren"]),
    ('华', &["hua"]),
    ('车', &["che"]),
    ('薄', &["bo"]),
    ('柏', &["bai"]),
    ('贾', &["jia"]),
    ('燕', &["yan"]),
    ('宿', &["su"]),
    ('句', &["gou"]),
    ('牟', &["mou"]),
    ('逄', &["pang"]),
    ('冼', &["xian"]),
    ('万', &["wan"]),
    ('行', &["xing"]),
    ('和', &["he"]),
    ('重', &["chong"]),
    ('都', &["du"]),
    ('藏', &["zang"]),
    ('占', &["zhan"]),
    ('强', &["qiang"]),
    ('相', &["xiang"]),
    ('应', &["ying"]),
    ('折', &["she"]),
    ('隗', &["wei"]),
    ('郇', &["huan"]),
    ('阚', &["kan"]),
    ('佘', &["she"]),
    ('谌', &["chen"]),
    ('祭', &["zhai"]),
    ('能', &["nai"]),
    ('那', &["na"]),
    ('曲', &["qu"]),
    ('朝', &["chao"]),
    ('莘', &["shen"]),
    ('卜', &["bu"]),
    ('传', &["chuan"]),
    ('调', &["diao"]),
    ('便', &["pian"]),
    ('广', &["guang"]),
    ('哈', &["ha"]),
    ('黑', &["he"]),
    ('石', &["shi"]),
    ('叶', &["ye"]),
    ('盛', &["sheng"]),
];

/// Compound surnames (复姓) with the reading of each of their two characters.
pub const COMPOUND_SURNAMES: &[(&str, [&str; 2])] = &[
    ("欧阳", ["ou", "yang"]),
    ("司马", ["si", "ma"]),
    ("诸葛", ["zhu", "ge"]),
    ("上官", ["shang", "guan"]),
    ("夏侯", ["xia", "hou"]),
    ("东方", ["dong", "fang"]),
    ("皇甫", ["huang", "fu"]),
    ("令狐", ["ling", "hu"]),
    ("尉迟", ["yu", "chi"]),
    ("长孙", ["zhang", "sun"]),
    ("慕容", ["mu", "rong"]),
    ("宇文", ["yu", "wen"]),
    ("司徒", ["si", "tu"]),
    ("公孙", ["gong", "sun"]),
    ("万俟", ["mo", "qi"]),
    ("端木", ["duan", "mu"]),
    ("独孤", ["du", "gu"]),
    ("南宫", ["nan", "gong"]),
    ("西门", ["xi", "men"]),
    ("申屠", ["shen", "tu"]),
    ("轩辕", ["xuan", "yuan"]),
    ("赫连", ["he", "lian"]),
    ("澹台", ["tan", "tai"]),
    ("公冶", ["gong", "ye"]),
    ("宗政", ["zong", "zheng"]),
    ("濮阳", ["pu", "yang"]),
    ("淳于", ["chun", "yu"]),
    ("太叔", ["tai", "shu"]),
    ("闻人", ["wen", "ren"]),
    ("呼延", ["hu", "yan"]),
    ("拓跋", ["tuo", "ba"]),
    ("百里", ["bai", "li"]),
    ("东郭", ["dong", "guo"]),
    ("公羊", ["gong", "yang"]),
    ("钟离", ["zhong", "li"]),
    ("司空", ["si", "kong"]),
    ("亓官", ["qi", "guan"]),
    ("第五", ["di", "wu"]),
    ("左丘", ["zuo", "qiu"]),
    ("乐正", ["yue", "zheng"]),
    ("单于", ["chan", "yu"]),
    ("仲孙", ["zhong", "sun"]),
    ("叔孙", ["shu", "sun"]),
    ("巫马", ["wu", "ma"]),
    ("公西", ["gong", "xi"]),
    ("漆雕", ["qi", "diao"]),
    ("壤驷", ["rang", "si"]),
    ("谷梁", ["gu", "liang"]),
    ("司寇", ["si", "kou"]),
    ("子车", ["zi", "ju"]),
    ("颛孙", ["zhuan", "sun"]),
    ("鲜于", ["xian", "yu"]),
    ("闾丘", ["lv", "qiu"]),
];

/// Where a character stands in a name, which decides how it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// Given name (or a name without a known surname): every reading is accepted.
    Given,
    /// A single-character surname from `SURNAME_READINGS` (its index).
    Surname(u16),
    /// Position 0 or 1 of the compound surname `COMPOUND_SURNAMES[index]`.
    Compound(u16, u8),
}

impl Place {
    /// A compact number for hashing: 0 for Given, then the tables.
    pub fn code(self) -> u32 {
        match self {
            Place::Given => 0,
            Place::Surname(i) => 1 + i as u32,
            Place::Compound(i, k) => 0x1_0000 + i as u32 * 2 + k as u32,
        }
    }
}

/// How one character may be typed at one place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Readings {
    /// Readings that match at full rank (plain ASCII, ü written v, plus a u variant).
    pub normal: Vec<String>,
    /// Readings accepted only as fuzzy matches: a polyphonic surname's common readings.
    pub demoted: Vec<String>,
}

/// The places of the keyed characters of a name (already stripped of separators such as ·).
/// A compound surname needs at least three characters (欧阳 alone is a surname 欧 and a given
/// name 阳); a single surname needs at least two.
pub fn places(keyed: &[char]) -> Vec<Place> {
    let mut out = vec![Place::Given; keyed.len()];
    let (a, b) = surname_places(keyed);
    if let Some(p) = a {
        out[0] = p;
    }
    if let Some(p) = b {
        out[1] = p;
    }
    out
}

/// The places of the first two keyed characters when they are (part of) a surname from the
/// tables; every other character is `Place::Given`. Same rules as `places`, no allocation.
pub fn surname_places(keyed: &[char]) -> (Option<Place>, Option<Place>) {
    struct Tables {
        single: FxHashMap<char, u16>,
        compound: FxHashMap<(char, char), u16>,
    }
    static TABLES: OnceLock<Tables> = OnceLock::new();
    let t = TABLES.get_or_init(|| Tables {
        single: SURNAME_READINGS
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (*c, i as u16))
            .collect(),
        compound: COMPOUND_SURNAMES
            .iter()
            .enumerate()
            .filter_map(|(i, (s, _))| {
                let mut cs = s.chars();
                Some(((cs.next()?, cs.next()?), i as u16))
            })
            .collect(),
    });
    if keyed.len() >= 3
        && let Some(&i) = t.compound.get(&(keyed[0], keyed[1]))
    {
        return (Some(Place::Compound(i, 0)), Some(Place::Compound(i, 1)));
    }
    if keyed.len() >= 2
        && let Some(&i) = t.single.get(&keyed[0])
    {
        return (Some(Place::Surname(i)), None);
    }
    (None, None)
}

/// The ASCII character a clerk types for `c` in a name or a query: ASCII letters lowercased,
/// digits, full-width forms folded, ü as v. None for characters that are not typed as
/// themselves (Han characters and other scripts) and for separators.
pub fn ascii_form(c: char) -> Option<u8> {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        'ü' | 'Ü' => 'v',
        _ => c,
    };
    if c.is_ascii_alphanumeric() {
        Some(c.to_ascii_lowercase() as u8)
    } else {
        None
    }
}

/// Whether `c` takes a place in a name or a query (letters, digits, Han characters); spaces,
/// punctuation and the middle dot of transliterated names do not.
pub fn is_keyed(c: char) -> bool {
    // CJK Unified Ideographs first: nearly every name character, and the general Unicode
    // table lookup is slow for them.
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ascii_form(c).is_some() || c.is_alphanumeric()
}

/// Readings of a keyed character at a place.
pub fn readings(c: char, place: Place) -> Readings {
    if let Some(a) = ascii_form(c) {
        return Readings {
            normal: vec![(a as char).to_string()],
            demoted: vec![],
        };
    }
    let common = common_readings(c);
    let surname: Option<Vec<String>> = match place {
        Place::Given => None,
        Place::Surname(i) => SURNAME_READINGS
            .get(i as usize)
            .map(|(_, r)| r.iter().flat_map(|s| plain_variants(s)).collect()),
        Place::Compound(i, k) => COMPOUND_SURNAMES
            .get(i as usize)
            .map(|(_, r)| plain_variants(r[k as usize & 1])),
    };
    match surname {
        None => Readings {
            normal: common,
            demoted: vec![],
        },
        Some(normal) => {
            let demoted = common.into_iter().filter(|r| !normal.contains(r)).collect();
            Readings { normal, demoted }
        }
    }
}

/// Every reading of a Han character from the pinyin data (heteronyms included), normalized and
/// deduplicated, the common reading first. Empty for characters without pinyin data.
pub fn common_readings(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            for v in plain_variants(p.plain()) {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// A plain (toneless) syllable in the ASCII forms a clerk types: ü as v and as u (lü → lv, lu);
/// ê as e; other marks dropped. Empty when nothing typeable remains.
pub fn plain_variants(plain: &str) -> Vec<String> {
    let mut v = String::with_capacity(plain.len());
    let mut u = String::with_capacity(plain.len());
    for ch in plain.chars() {
        match ch {
            'ü' | 'Ü' => {
                v.push('v');
                u.push('u');
            }
            'ê' | 'ē' | 'é' | 'ě' | 'è' => {
                v.push('e');
                u.push('e');
            }
            c if c.is_ascii_alphabetic() => {
                v.push(c.to_ascii_lowercase());
                u.push(c.to_ascii_lowercase());
            }
            'ń' | 'ň' | 'ǹ' => {
                v.push('n');
                u.push('n');
            }
            'ḿ' => {
                v.push('m');
                u.push('m');
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if !v.is_empty() {
        out.push(v);
    }
    if !u.is_empty() && !out.contains(&u) {
        out.push(u);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(s: &str) -> Vec<char> {
        s.chars().filter(|c| is_keyed(*c)).collect()
    }

    #[test]
    fn polyphonic_surnames_read_as_surnames() {
        let p = places(&keyed("曾国藩"));
        assert_eq!(p[0], Place::Surname(0));
        let r = readings('曾', p[0]);
        assert_eq!(r.normal, vec!["zeng"]);
        assert_eq!(r.demoted, vec!["ceng"]);
        // In a given name every reading counts.
        let r = readings('曾', Place::Given);
        assert!(r.normal.contains(&"ceng".to_string()) && r.normal.contains(&"zeng".to_string()));
        assert!(r.demoted.is_empty());
    }

    #[test]
    fn compound_surnames_take_two_characters() {
        let p = places(&keyed("尉迟恭"));
        assert!(matches!(p[0], Place::Compound(_, 0)));
        assert!(matches!(p[1], Place::Compound(_, 1)));
        assert_eq!(p[2], Place::Given);
        assert_eq!(readings('尉', p[0]).normal, vec!["yu"]);
        assert_eq!(readings('迟', p[1]).normal, vec!["chi"]);
        let p = places(&keyed("万俟卨"));
        assert_eq!(readings('万', p[0]).normal, vec!["mo"]);
        assert!(readings('万', p[0]).demoted.contains(&"wan".to_string()));
        // Two characters are a surname and a given name, not a compound surname.
        let p = places(&keyed("欧阳"));
        assert_eq!(p[0], Place::Given);
    }

    #[test]
    fn u_umlaut_is_typed_v_or_u() {
        assert_eq!(common_readings('吕'), vec!["lv", "lu"]);
        assert_eq!(plain_variants("lüe"), vec!["lve", "lue"]);
        assert_eq!(ascii_form('Ü'), Some(b'v'));
        assert_eq!(ascii_form('Ｚ'), Some(b'z'));
        assert_eq!(ascii_form('·'), None);
        assert!(!is_keyed('·') && !is_keyed(' ') && is_keyed('张') && is_keyed('7'));
    }

    #[test]
    fn given_name_heteronyms_are_all_accepted() {
        let r = common_readings('乐');
        assert!(r.contains(&"le".to_string()) && r.contains(&"yue".to_string()));
        let r = common_readings('长');
        assert!(r.contains(&"chang".to_string()) && r.contains(&"zhang".to_string()));
    }

    #[test]
    fn every_table_reading_is_plain_ascii() {
        for (c, rs) in SURNAME_READINGS {
            for r in *rs {
                assert!(r.bytes().all(|b| b.is_ascii_lowercase()), "{c} {r}");
            }
        }
        for (s, rs) in COMPOUND_SURNAMES {
            assert_eq!(s.chars().count(), 2, "{s}");
            for r in rs {
                assert!(r.bytes().all(|b| b.is_ascii_lowercase()), "{s} {r}");
            }
        }
    }
}
