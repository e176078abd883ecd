//! Reading a line of JSON Lines: the fast path (the record deserialized directly, the tag read
//! off the front) must accept exactly what serde's tagged reading accepts, give the same
//! record, and leave every error (message, line, column) to the tagged reading.

use cadre::demo::{self, DemoOptions};
use cadre::io::jsonl::{JsonLine, parse_line, parse_tagged, write_dossier, write_unit};
use proptest::prelude::*;

fn sample() -> &'static [String] {
    static LINES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(written);
    &LINES
}

fn written() -> Vec<String> {
    let opts = DemoOptions {
        count: 60,
        seed: 11,
    };
    let mut out = Vec::new();
    for u in demo::units(&opts).iter().take(20) {
        let mut buf = Vec::new();
        write_unit(&mut buf, u).unwrap();
        out.push(String::from_utf8(buf).unwrap().trim_end().to_string());
    }
    for d in demo::dossiers(&opts) {
        let mut buf = Vec::new();
        write_dossier(&mut buf, &d).unwrap();
        out.push(String::from_utf8(buf).unwrap().trim_end().to_string());
    }
    out
}

/// The two readings agree: the same record, or the same error to the column.
fn agree(line: &str) {
    let fast = parse_line(line);
    let tagged = parse_tagged(line);
    match (&fast, &tagged) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{line}"),
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "{line}");
            assert_eq!((a.line(), a.column()), (b.line(), b.column()), "{line}");
        }
        _ => panic!(
            "fast path {:?}, tagged reading {:?}: {line}",
            fast.as_ref().map(|_| ()),
            tagged.as_ref().map(|_| ())
        ),
    }
}

#[test]
fn written_lines_read_back_the_same_both_ways() {
    for line in sample() {
        agree(line);
        assert!(parse_line(line).is_ok(), "{line}");
    }
}

#[test]
fn lines_off_the_fast_path_read_as_the_tag_says() {
    let lines = sample();
    let dossier = lines.iter().find(|l| l.contains("\"dossier\"")).unwrap();
    let unit = &lines[0];
    let body = dossier.strip_prefix("{\"type\":\"dossier\",").unwrap();
    let unit_body = unit.strip_prefix("{\"type\":\"unit\",").unwrap();
    let cases = [
        // The tag elsewhere than first, or spaced out.
        format!(
            "{{{},\"type\":\"dossier\"}}",
            body.strip_suffix('}').unwrap()
        ),
        format!("{{ \"type\" : \"dossier\" , {body}"),
        format!("\t{{\"type\":\"dossier\",{body}"),
        // A second tag, plain or escaped: an error for the tagged reading.
        format!("{{\"type\":\"dossier\",\"type\":\"dossier\",{body}"),
        format!("{{\"type\":\"dossier\",\"typ\\u0065\":\"unit\",{body}"),
        format!("{{\"type\":\"unit\",{unit_body}").replace("\"id\":", "\"type\":\"unit\",\"id\":"),
        // The wrong tag, an unknown tag, no tag.
        format!("{{\"type\":\"unit\",{body}"),
        format!("{{\"type\":\"dossier\",{unit_body}"),
        format!("{{\"type\":\"person\",{body}"),
        format!("{{{body}"),
        // A wrong value, a duplicate field, an unknown field, a nested `type`.
        dossier.replacen("\"gender\":\"男\"", "\"gender\":\"M\"", 1),
        dossier.replacen("\"gender\":\"女\"", "\"gender\":\"M\"", 1),
        dossier.replacen("\"id\":", "\"id\":-1,\"x\":", 1),
        dossier.replacen("\"id\":", "\"id\":1.5,\"x\":", 1),
        dossier.replacen("\"id\":", "\"id\":7,\"id\":", 1),
        dossier.replacen("\"id\":", "\"extra\":[1,{\"a\":null}],\"id\":", 1),
        dossier.replacen("\"identity\":{", "\"identity\":{\"type\":\"x\",", 1),
        dossier.replacen("\"birth\":\"", "\"birth\":\"19", 1),
        // Cut short, trailing text, escapes in a value.
        dossier[..(0..dossier.len() / 2)
            .rev()
            .find(|&i| dossier.is_char_boundary(i))
            .unwrap()]
            .to_string(),
        format!("{dossier} x"),
        format!("{dossier}}}"),
        dossier.replacen("\"health\":\"", "\"health\":\"\\u5065\\\"", 1),
        String::new(),
        "{}".to_string(),
        "{\"type\":\"dossier\"}".to_string(),
        "{\"type\":\"dossier\",}".to_string(),
    ];
    for line in &cases {
        agree(line);
    }
    // The plain cases do read, the second tag does not.
    assert!(matches!(parse_line(&cases[0]), Ok(JsonLine::Dossier(_))));
    assert!(parse_line(&cases[3]).is_err());
    assert!(parse_line(&cases[4]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any small damage to a written line is read the same way by both.
    #[test]
    fn damaged_lines_read_the_same_both_ways(
        which in 0usize..80,
        at in 0.0f64..1.0,
        edit in 0u8..4,
        byte in prop::sample::select(b"{}[]\":,0123456789 tnfrue-\\x".to_vec()),
    ) {
        let lines = sample();
        let line = &lines[which % lines.len()];
        let mut bytes = line.as_bytes().to_vec();
        let i = ((bytes.len() as f64) * at) as usize % bytes.len();
        match edit {
            0 => { bytes.remove(i); }
            1 => bytes.insert(i, byte),
            2 => bytes[i] = byte,
            _ => bytes.truncate(i),
        }
        // Only text is read this way (other bytes are refused before parsing).
        if let Ok(text) = String::from_utf8(bytes) {
            agree(&text);
        }
    }
}
