//! 简历 reading on a table of line shapes seen on real appointment forms: separators, open
//! ends, full-width digits and punctuation, wrapped lines, 其间 remarks, concurrent posts, and
//! lines that cannot be read (kept, with a reason).

use cadre::io::jianli::{self, EntryKind};
use cadre::model::{EduLevel, PartialDate, Rank};

fn d(s: &str) -> PartialDate {
    s.parse().unwrap()
}

/// (input, expected entries as "start|end|kind|text", number of unread lines)
const CASES: &[(&str, &[&str], usize)] = &[
    // 1 the textbook line
    (
        "1990.07--1993.09  某县某乡党委委员、副乡长",
        &["1990.07|1993.09|P|某县某乡党委委员、副乡长"],
        0,
    ),
    // 2 one dash, one space
    (
        "1990.07-1993.09 某县某乡副乡长",
        &["1990.07|1993.09|P|某县某乡副乡长"],
        0,
    ),
    // 3 em dashes, no space before the text
    (
        "1990.07—1993.09某县某乡副乡长",
        &["1990.07|1993.09|P|某县某乡副乡长"],
        0,
    ),
    // 4 double em dash
    (
        "1990.07——1993.09  某县某乡副乡长",
        &["1990.07|1993.09|P|某县某乡副乡长"],
        0,
    ),
    // 5 full-width digits, full stop and ideographic space
    (
        "１９９０．０７－－１９９３．０９　某县某乡副乡长",
        &["1990.07|1993.09|P|某县某乡副乡长"],
        0,
    ),
    // 6 open-ended current post
    ("2016.11--  某县县长", &["2016.11||P|某县县长"], 0),
    // 7 open end padded wide
    ("2016.11--           某县县长", &["2016.11||P|某县县长"], 0),
    // 8 至今
    ("2016.11--至今  某县县长", &["2016.11||P|某县县长"], 0),
    // 9 年月 form with 至
    (
        "1990年7月至1993年9月 某县某乡副乡长",
        &["1990.07|1993.09|P|某县某乡副乡长"],
        0,
    ),
    // 10 single-digit month
    (
        "1990.7--1993.9  某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 11 compact YYYYMM
    (
        "199007--199309  某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 12 hyphenated months
    (
        "1990-07--1993-09  某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 13 slashes and a tilde
    (
        "1990/07~1993/09  某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 14 full-width tilde
    (
        "1990.07～1993.09　某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 15 spaces around the separator
    (
        "1990.07 -- 1993.09  某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 16 起 for an open start
    ("2021.03起  任某县副县长", &["2021.03||P|任某县副县长"], 0),
    // 17 a wrapped line joins the one before
    (
        "1993.09--1996.12  某县某乡党委副书记、乡长，某县\n                  经济开发区管委会主任",
        &["1993.09|1996.12|P|某县某乡党委副书记、乡长，某县经济开发区管委会主任"],
        0,
    ),
    // 18 CRLF line ends and a trailing semicolon
    (
        "1990.07--1993.09  某县某乡副乡长；\r\n1993.09--  某县某乡乡长。",
        &[
            "1990.07|1993.09|P|某县某乡副乡长",
            "1993.09||P|某县某乡乡长",
        ],
        0,
    ),
    // 19 concurrent post joined by 兼 (one entry; split by split_concurrent)
    (
        "2011.05--2016.08  某县县委常委、组织部部长兼县委党校校长",
        &["2011.05|2016.08|P|某县县委常委、组织部部长兼县委党校校长"],
        0,
    ),
    // 20 study line
    (
        "1986.09--1990.07  某某大学经济管理专业本科学习",
        &["1986.09|1990.07|S|某某大学经济管理专业本科学习"],
        0,
    ),
    // 21 a 其间 remark on its own line
    (
        "1996.12--2001.09  某县副县长\n        （其间：1998.09--2000.07在省委党校经济管理专业在职研究生学习）",
        &[
            "1996.12|2001.09|P|某县副县长",
            "1998.09|2000.07|S|在省委党校经济管理专业在职研究生学习",
        ],
        0,
    ),
    // 22 a 其间 remark at the end of a line
    (
        "1996.12--2001.09  某县副县长（其间：1998.09--1998.12在中央党校参加中青班）",
        &[
            "1996.12|2001.09|P|某县副县长",
            "1998.09|1998.12|A|在中央党校参加中青班",
        ],
        0,
    ),
    // 23 a remark with two items
    (
        "（其间：2001.09--2004.07在省委党校在职大专学习；2005.03--2006.03挂职任某县副县长）",
        &[
            "2001.09|2004.07|S|在省委党校在职大专学习",
            "2005.03|2006.03|A|挂职任某县副县长",
        ],
        0,
    ),
    // 24 a wrapped remark
    (
        "1996.12--2001.09  某县副县长\n（其间：1998.09--2000.07在中央党校函授学院经济\n管理专业在职本科学习）",
        &[
            "1996.12|2001.09|P|某县副县长",
            "1998.09|2000.07|S|在中央党校函授学院经济管理专业在职本科学习",
        ],
        0,
    ),
    // 25 impossible month: kept and reported, the next line still read
    (
        "1990.13--1993.09  某县教师\n1993.09--1996.01  某县某局科员",
        &["1993.09|1996.01|P|某县某局科员"],
        1,
    ),
    // 26 end before start
    ("1995.07--1993.09  某县教师", &[], 1),
    // 27 two-digit years
    ("90.07--93.09  某县教师", &[], 1),
    // 28 text before any dated line
    (
        "参加工作前在家务农\n1990.07--  某县教师",
        &["1990.07||P|某县教师"],
        1,
    ),
    // 29 dates only, nothing held
    ("1990.07--1993.09", &[], 1),
    // 30 a remark without dates
    (
        "1990.07--1993.09  某县教师\n（其间：参加省委党校培训）",
        &["1990.07|1993.09|P|某县教师"],
        1,
    ),
    // 31 blank lines and a byte-order mark are ignored
    (
        "\u{feff}\n1990.07--1993.09  某县教师\n\n\n1993.09--  某县科员\n",
        &["1990.07|1993.09|P|某县教师", "1993.09||P|某县科员"],
        0,
    ),
    // 32 year-only dates
    (
        "1985--1990  某县农机站技术员",
        &["1985|1990|P|某县农机站技术员"],
        0,
    ),
    // 33 a missing range separator between two dates
    ("1990.07 1993.09  某县教师", &[], 1),
    // 34 tab between dates and text
    (
        "1990.07--1993.09\t某县教师",
        &["1990.07|1993.09|P|某县教师"],
        0,
    ),
    // 35 full-width parentheses in the post survive
    (
        "2008.07--2011.05  某县副县长（挂职）",
        &["2008.07|2011.05|P|某县副县长（挂职）"],
        0,
    ),
    // 36 day precision in a 年月日 date
    ("2019年6月12日至今 某县县长", &["2019.06.12||P|某县县长"], 0),
    // 37 February 30 is not a date
    ("2019.02.30--2020.01  某县县长", &[], 1),
];

#[test]
fn every_line_shape_reads_as_expected() {
    assert!(CASES.len() >= 30);
    for (i, (input, want, unread)) in CASES.iter().enumerate() {
        let c = jianli::parse(input);
        let got: Vec<String> = c
            .entries
            .iter()
            .map(|e| {
                format!(
                    "{}|{}|{}|{}",
                    e.start.dotted(),
                    e.end.map(|x| x.dotted()).unwrap_or_default(),
                    match e.kind {
                        EntryKind::Post => "P",
                        EntryKind::Study => "S",
                        EntryKind::Aside => "A",
                    },
                    e.text
                )
            })
            .collect();
        assert_eq!(got, *want, "case {} : {input:?}", i + 1);
        assert_eq!(
            c.unparsed.len(),
            *unread,
            "case {} unread: {:?}",
            i + 1,
            c.unparsed
        );
        for u in &c.unparsed {
            assert!(!u.reason.is_empty() && !u.text.is_empty(), "case {}", i + 1);
        }
    }
}

#[test]
fn unread_lines_keep_their_text_and_line() {
    let c = jianli::parse("1990.07--1993.09  某县教师\n1990.13--1993.09  某县科员");
    assert_eq!(c.unparsed.len(), 1);
    assert_eq!(c.unparsed[0].line, 2);
    assert_eq!(c.unparsed[0].text, "1990.13--1993.09  某县科员");
    assert!(
        c.unparsed[0].reason.contains("不存在"),
        "{}",
        c.unparsed[0].reason
    );
}

#[test]
fn concurrent_posts_split_on_jian() {
    let parts = jianli::split_concurrent("某县县委常委、组织部部长兼县委党校校长");
    assert_eq!(
        parts,
        vec![
            ("某县县委常委、组织部部长".to_string(), false),
            ("县委党校校长".to_string(), true)
        ]
    );
    assert_eq!(
        jianli::split_concurrent("兼任某县扶贫领导小组组长"),
        vec![("某县扶贫领导小组组长".to_string(), true)]
    );
    // 兼 inside brackets and 兼职 do not split.
    assert_eq!(jianli::split_concurrent("某县副县长（兼）").len(), 1);
    assert_eq!(jianli::split_concurrent("某协会兼职副会长").len(), 1);
}

#[test]
fn unit_and_position_split() {
    let none = |_: &str| false;
    for (text, unit, pos) in [
        ("临河县人民政府副县长", "临河县人民政府", "副县长"),
        ("河华县第二中学教师", "河华县第二中学", "教师"),
        ("河华县交通运输局副局长", "河华县交通运输局", "副局长"),
        ("某县某乡党委委员、副乡长", "某县某乡", "党委委员、副乡长"),
        ("政协安泽县委员会主席", "政协安泽县委员会", "主席"),
        ("副县长", "", "副县长"),
    ] {
        assert_eq!(
            jianli::split_unit(text, &none),
            (unit.to_string(), pos.to_string()),
            "{text}"
        );
    }
    // A known unit wins over the word heuristics.
    let known = |n: &str| n == "中共安德县委员会";
    assert_eq!(
        jianli::split_unit("中共安德县委员会县委常委、宣传部部长", &known),
        (
            "中共安德县委员会".to_string(),
            "县委常委、宣传部部长".to_string()
        )
    );
}

#[test]
fn rank_annotations_and_study_texts_read_back() {
    assert_eq!(
        jianli::take_rank("某县副县长（副处级）"),
        ("某县副县长".to_string(), Some(Rank::CountyDeputy))
    );
    assert_eq!(
        jianli::take_rank("某县副县长（挂职）"),
        ("某县副县长（挂职）".to_string(), None)
    );
    let t = jianli::study_text(true, EduLevel::Postgraduate, "中央党校", "经济管理");
    let s = jianli::parse_study(&t);
    assert!(s.in_service);
    assert_eq!(s.level, Some(EduLevel::Postgraduate));
    assert_eq!(
        (s.school.as_str(), s.major.as_str()),
        ("中央党校", "经济管理")
    );
}

#[test]
fn the_layout_reads_back_to_the_same_lines() {
    let lines = vec![
        jianli::Line {
            start: d("1990.07"),
            end: Some(d("1993.09")),
            text: "某县某乡副乡长".into(),
            aside: false,
        },
        jianli::Line {
            start: d("1991.09"),
            end: Some(d("1993.07")),
            text: "在省委党校在职大专学习".into(),
            aside: true,
        },
        jianli::Line {
            start: d("1993.09"),
            end: None,
            text: "某县某乡乡长（正科级）".into(),
            aside: false,
        },
    ];
    let text = jianli::render(&lines);
    assert!(
        text.starts_with("1990.07--1993.09  某县某乡副乡长\n"),
        "{text}"
    );
    // The open end is padded so the text lines up with the closed spans.
    assert!(text.contains("\n1993.09--         某县某乡乡长"), "{text}");
    let back = jianli::parse(&text);
    assert!(back.unparsed.is_empty());
    let texts: Vec<&str> = back.entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "某县某乡副乡长",
            "在省委党校在职大专学习",
            "某县某乡乡长（正科级）"
        ]
    );
    assert_eq!(back.entries[2].end, None);
}
