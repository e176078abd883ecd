//! Themes: a helix-like TOML file of a `[palette]` and semantic dotted style keys
//! (`ui.statusline`, `timeline.rank.county`, `mask`) that fall back to their parent key. Owns
//! parsing, merging of a user file over a shipped theme, colour downgrade (hex to the nearest
//! ANSI colour unless the terminal announces truecolor) and the monochrome choice for NO_COLOR.
//! Shipped themes are embedded; nothing is ever written to the user's directory.

use std::collections::HashMap;

use ratatui::style::{Color, Modifier, Style};

use super::config::{ConfigError, Source, line_of};
use super::strings as s;

/// Shipped themes, embedded at build time.
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// Every style key the interface asks for. A theme may define any of these or their parents;
/// a user file naming anything else is told so.
pub const KEYS: &[&str] = &[
    "ui.text",
    "ui.topbar",
    "ui.tab",
    "ui.tab.active",
    "ui.statusline",
    "ui.statusline.key",
    "ui.hint",
    "ui.heading",
    "ui.label",
    "ui.message.error",
    "ui.message.info",
    "ui.popup",
    "ui.popup.title",
    "ui.popup.key",
    "ui.popup.selected",
    "lookup.prompt",
    "lookup.input",
    "lookup.header",
    "lookup.selected",
    "lookup.match",
    "dossier.title",
    "dossier.heading",
    "dossier.label",
    "dossier.value",
    "dossier.current",
    "dossier.warn",
    "dossier.section",
    "dossier.section.active",
    "form.label",
    "form.label.focus",
    "form.value.focus",
    "form.error",
    "form.hint",
    "form.old",
    "form.new",
    "form.theirs",
    "filter.error",
    "filter.error.mark",
    "filter.count",
    "team.cursor",
    "team.cursor.inactive",
    "team.chosen",
    "team.region",
    "team.title",
    "team.ok",
    "team.added",
    "team.removed",
    "team.changed",
    "gauge.bar",
    "gauge.value",
    "gauge.filled",
    "gauge.unfilled",
    "gauge.spark",
    "alerts.selected",
    "alerts.reviewed",
    "alerts.severe",
    "alerts.warn",
    "alerts.info",
    "alerts.detail.rule",
    "reserve.selected",
    "reserve.sorted",
    "reserve.ready",
    "reserve.gaps",
    "reserve.gaps.title",
    "timeline.axis",
    "timeline.label",
    "timeline.selected",
    "timeline.current",
    "timeline.gap",
    "timeline.overlap",
    "timeline.concurrent",
    "timeline.rank",
    "timeline.rank.national",
    "timeline.rank.provincial",
    "timeline.rank.bureau",
    "timeline.rank.county",
    "timeline.rank.township",
    "mask",
];

/// What the terminal can show, read once from the environment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColorSupport {
    /// COLORTERM announces truecolor (or 24bit): hex colours are kept.
    pub truecolor: bool,
}

/// A resolved theme: style per key.
#[derive(Clone, Debug, Default)]
pub struct Theme {
    pub name: String,
    styles: HashMap<String, Style>,
}

impl Theme {
    /// The style for `key`, else for its nearest defined parent (`timeline.rank.county` →
    /// `timeline.rank` → `timeline`), else the terminal's default.
    pub fn style(&self, key: &str) -> Style {
        let mut k = key;
        loop {
            if let Some(st) = self.styles.get(k) {
                return *st;
            }
            match k.rfind('.') {
                Some(i) => k = &k[..i],
                None => return Style::default(),
            }
        }
    }

    /// Whether the theme itself defines `key` (no fallback).
    pub fn defines(&self, key: &str) -> bool {
        self.styles.contains_key(key)
    }

    /// Loads shipped theme `name` (its `inherits` chain first), then the user's overrides.
    /// Problems are returned, never fatal: a bad entry keeps the shipped style.
    pub fn load(
        name: &str,
        user: Option<&Source>,
        colors: ColorSupport,
    ) -> (Theme, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let mut layers = Vec::new();
        collect_shipped(name, &mut layers, &mut errors, 0);
        if let Some(src) = user {
            let (layer, errs) = parse(src);
            errors.extend(errs);
            if let Some(layer) = layer {
                if let Some((inh, line)) = &layer.inherits {
                    // A user file overrides the chosen theme; `theme = ...` in config.toml
                    // chooses it.
                    errors.push(src.error(
                        *line,
                        s::fill(
                            s::CFG_UNKNOWN_FIELD,
                            &[("name", &format!("inherits = \"{inh}\""))],
                        ),
                    ));
                }
                layers.push((src.clone(), layer));
            }
        }
        // Palette: later layers override earlier ones, entry by entry.
        let mut palette: HashMap<String, Color> = HashMap::new();
        for (src, layer) in &layers {
            for (k, (v, line)) in &layer.palette {
                match parse_color(v, &HashMap::new(), colors) {
                    Some(c) => {
                        palette.insert(k.clone(), c);
                    }
                    None => {
                        errors.push(src.error(*line, s::fill(s::CFG_BAD_COLOR, &[("name", v)])))
                    }
                }
            }
        }
        let mut styles = HashMap::new();
        for (src, layer) in &layers {
            for (key, raw) in &layer.styles {
                if !is_known_key(key) {
                    errors
                        .push(src.error(raw.line, s::fill(s::CFG_UNKNOWN_STYLE, &[("name", key)])));
                    continue;
                }
                match raw.resolve(&palette, colors) {
                    Ok(st) => {
                        styles.insert(key.clone(), st);
                    }
                    Err((line, msg)) => errors.push(src.error(line, msg)),
                }
            }
        }
        (
            Theme {
                name: name.to_string(),
                styles,
            },
            errors,
        )
    }
}

fn collect_shipped(
    name: &str,
    layers: &mut Vec<(Source, Layer)>,
    errors: &mut Vec<ConfigError>,
    depth: usize,
) {
    let Some((_, text)) = SHIPPED.iter().find(|(n, _)| *n == name) else {
        return;
    };
    let src = Source::shipped("themes", name, text);
    let (layer, errs) = parse(&src);
    errors.extend(errs);
    if let Some(layer) = layer {
        if let Some((parent, _)) = &layer.inherits
            && depth < 4
        {
            collect_shipped(parent, layers, errors, depth + 1);
        }
        layers.push((src, layer));
    }
}

/// Whether `key` is a style key the interface uses, or a parent of one.
pub fn is_known_key(key: &str) -> bool {
    KEYS.iter()
        .any(|k| *k == key || (k.starts_with(key) && k.as_bytes().get(key.len()) == Some(&b'.')))
}

/// One parsed theme file, colours not yet resolved.
#[derive(Debug, Default)]
struct Layer {
    inherits: Option<(String, usize)>,
    palette: Vec<(String, (String, usize))>,
    styles: Vec<(String, RawStyle)>,
}

#[derive(Debug, Default, Clone)]
struct RawStyle {
    line: usize,
    fg: Option<(String, usize)>,
    bg: Option<(String, usize)>,
    modifiers: Vec<(String, usize)>,
}

impl RawStyle {
    fn resolve(
        &self,
        palette: &HashMap<String, Color>,
        cs: ColorSupport,
    ) -> Result<Style, (usize, String)> {
        let mut st = Style::default();
        let color = |(v, line): &(String, usize)| {
            parse_color(v, palette, cs)
                .ok_or_else(|| (*line, s::fill(s::CFG_BAD_COLOR, &[("name", v)])))
        };
        if let Some(fg) = &self.fg {
            st = st.fg(color(fg)?);
        }
        if let Some(bg) = &self.bg {
            st = st.bg(color(bg)?);
        }
        for (m, line) in &self.modifiers {
            let modifier = match m.as_str() {
                "bold" => Modifier::BOLD,
                "dim" => Modifier::DIM,
                "italic" => Modifier::ITALIC,
                "underlined" | "underline" => Modifier::UNDERLINED,
                "reversed" | "reverse" => Modifier::REVERSED,
                "slow_blink" => Modifier::SLOW_BLINK,
                "rapid_blink" => Modifier::RAPID_BLINK,
                "hidden" => Modifier::HIDDEN,
                "crossed_out" => Modifier::CROSSED_OUT,
                _ => return Err((*line, s::fill(s::CFG_BAD_MODIFIER, &[("name", m)]))),
            };
            st = st.add_modifier(modifier);
        }
        Ok(st)
    }
}

const STYLE_ATTRS: &[&str] = &["fg", "bg", "modifiers"];

/// Parses one theme file. A syntax error rejects the whole file; a malformed entry is reported
/// and skipped while the file's good entries are kept.
fn parse(src: &Source) -> (Option<Layer>, Vec<ConfigError>) {
    let doc = match src.parse_toml() {
        Ok(doc) => doc,
        Err(e) => return (None, vec![e]),
    };
    let mut layer = Layer::default();
    let mut errors = Vec::new();
    for (k, item) in doc.as_table().iter() {
        let line = src.item_line(item);
        match k {
            "inherits" => match item.as_str() {
                Some(v) => layer.inherits = Some((v.to_string(), line)),
                None => errors.push(src.error(line, s::fill(s::CFG_NOT_STRING, &[("name", &k)]))),
            },
            "palette" => match item.as_table_like() {
                Some(t) => {
                    for (name, v) in t.iter() {
                        let l = src.item_line(v);
                        match v.as_str() {
                            Some(c) => layer.palette.push((name.to_string(), (c.to_string(), l))),
                            None => errors
                                .push(src.error(l, s::fill(s::CFG_NOT_STRING, &[("name", &name)]))),
                        }
                    }
                }
                None => errors.push(src.error(line, s::CFG_STYLE_SHAPE.to_string())),
            },
            _ => walk_style(src, k.to_string(), item, &mut layer, &mut errors),
        }
    }
    (Some(layer), errors)
}

fn walk_style(
    src: &Source,
    key: String,
    item: &toml_edit::Item,
    layer: &mut Layer,
    errors: &mut Vec<ConfigError>,
) {
    let line = src.item_line(item);
    if let Some(v) = item.as_str() {
        layer.styles.push((
            key,
            RawStyle {
                line,
                fg: Some((v.to_string(), line)),
                ..Default::default()
            },
        ));
        return;
    }
    let Some(t) = item.as_table_like() else {
        errors.push(src.error(line, s::CFG_STYLE_SHAPE.to_string()));
        return;
    };
    let mut own = RawStyle {
        line,
        ..Default::default()
    };
    let mut has_own = false;
    for (k, v) in t.iter() {
        let l = src.item_line(v);
        if STYLE_ATTRS.contains(&k) {
            has_own = true;
            match (k, v) {
                ("fg" | "bg", v) if v.as_str().is_some() => {
                    let c = (v.as_str().unwrap_or_default().to_string(), l);
                    if k == "fg" {
                        own.fg = Some(c)
                    } else {
                        own.bg = Some(c)
                    }
                }
                ("modifiers", v) if v.as_array().is_some() => {
                    for m in v.as_array().into_iter().flatten() {
                        let ml = m.span().map_or(l, |sp| line_of(&src.text, sp.start));
                        match m.as_str() {
                            Some(m) => own.modifiers.push((m.to_string(), ml)),
                            None => errors.push(src.error(ml, s::CFG_STYLE_SHAPE.to_string())),
                        }
                    }
                }
                _ => errors.push(src.error(l, s::CFG_STYLE_SHAPE.to_string())),
            }
        } else {
            walk_style(src, format!("{key}.{k}"), v, layer, errors);
        }
    }
    if has_own {
        layer.styles.push((key, own));
    }
}

/// A colour name (the 16 ANSI names, helix spelling), a palette name, or `#rrggbb`.
pub fn parse_color(v: &str, palette: &HashMap<String, Color>, cs: ColorSupport) -> Option<Color> {
    let v = v.trim();
    if let Some(c) = palette.get(v) {
        return Some(*c);
    }
    let named = match v.to_ascii_lowercase().as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" | "dark-gray" | "dark-grey" => Color::DarkGray,
        "light-gray" | "light-grey" => Color::Gray,
        "light-red" => Color::LightRed,
        "light-green" => Color::LightGreen,
        "light-yellow" => Color::LightYellow,
        "light-blue" => Color::LightBlue,
        "light-magenta" => Color::LightMagenta,
        "light-cyan" => Color::LightCyan,
        "white" => Color::White,
        hex if hex.starts_with('#') && hex.len() == 7 => {
            let n = u32::from_str_radix(&hex[1..], 16).ok()?;
            let (r, g, b) = ((n >> 16) as u8, (n >> 8) as u8, n as u8);
            return Some(if cs.truecolor {
                Color::Rgb(r, g, b)
            } else {
                nearest_ansi(r, g, b)
            });
        }
        _ => return None,
    };
    Some(named)
}

/// The ANSI colour closest to an RGB value, by xterm's default palette.
pub fn nearest_ansi(r: u8, g: u8, b: u8) -> Color {
    const ANSI: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    let d = |(pr, pg, pb): (u8, u8, u8)| {
        let dr = pr as i32 - r as i32;
        let dg = pg as i32 - g as i32;
        let db = pb as i32 - b as i32;
        // Weighted for the eye's sensitivity to green.
        3 * dr * dr + 4 * dg * dg + 2 * db * db
    };
    ANSI.iter()
        .min_by_key(|(_, rgb)| d(*rgb))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> Source {
        Source::user("/home/u/.config/cadre/theme.toml", text)
    }

    #[test]
    fn every_shipped_theme_loads_cleanly() {
        for (name, _) in SHIPPED {
            let (theme, errors) = Theme::load(name, None, ColorSupport::default());
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert!(theme.defines("ui.statusline"), "{name}");
            assert!(theme.defines("mask"), "{name}");
        }
    }

    #[test]
    fn default_theme_uses_only_ansi_colors() {
        for name in ["default", "light"] {
            let (theme, _) = Theme::load(name, None, ColorSupport { truecolor: true });
            for st in theme.styles.values() {
                for c in [st.fg, st.bg].into_iter().flatten() {
                    assert!(
                        !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                        "{name}: {c:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn mono_theme_has_no_colors() {
        let (theme, _) = Theme::load("mono", None, ColorSupport::default());
        for (k, st) in &theme.styles {
            assert!(st.fg.is_none() && st.bg.is_none(), "{k}");
        }
        assert!(
            theme
                .style("lookup.match")
                .add_modifier
                .contains(Modifier::UNDERLINED)
                || theme
                    .style("lookup.match")
                    .add_modifier
                    .contains(Modifier::BOLD)
        );
    }

    #[test]
    fn keys_fall_back_to_their_parent() {
        let (theme, errors) = Theme::load(
            "default",
            Some(&user("\"timeline.rank\" = { bg = \"red\" }\n")),
            ColorSupport::default(),
        );
        assert!(errors.is_empty(), "{errors:?}");
        // county is defined by the default theme; an unknown child falls back to its parent.
        assert_eq!(theme.style("timeline.rank.nonesuch").bg, Some(Color::Red));
        assert_eq!(theme.style("nothing.at.all"), Style::default());
    }

    #[test]
    fn user_file_overrides_single_keys_and_palette() {
        let text = "[palette]\naccent = \"magenta\"\n\n[lookup]\nmatch = { fg = \"accent\", modifiers = [\"bold\"] }\n";
        let (theme, errors) = Theme::load("default", Some(&user(text)), ColorSupport::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(theme.style("lookup.match").fg, Some(Color::Magenta));
        let (base, _) = Theme::load("default", None, ColorSupport::default());
        assert_eq!(theme.style("ui.statusline"), base.style("ui.statusline"));
    }

    #[test]
    fn hex_colors_downgrade_without_truecolor() {
        let text = "mask = { fg = \"#d70000\", bg = \"#ffffff\" }\n";
        let (theme, _) = Theme::load("default", Some(&user(text)), ColorSupport::default());
        assert_eq!(theme.style("mask").fg, Some(Color::Red));
        assert_eq!(theme.style("mask").bg, Some(Color::White));
        let (theme, _) = Theme::load(
            "default",
            Some(&user(text)),
            ColorSupport { truecolor: true },
        );
        assert_eq!(theme.style("mask").fg, Some(Color::Rgb(0xd7, 0, 0)));
    }

    #[test]
    fn bad_colors_are_reported_with_line_and_default_kept() {
        let text = "# comment\n\"ui.statusline\" = { fg = \"purplish\" }\n";
        let (theme, errors) = Theme::load("default", Some(&user(text)), ColorSupport::default());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 2);
        assert!(
            errors[0].to_string().contains("theme.toml 第 2 行"),
            "{}",
            errors[0]
        );
        assert!(errors[0].to_string().contains("purplish"));
        let (base, _) = Theme::load("default", None, ColorSupport::default());
        assert_eq!(theme.style("ui.statusline"), base.style("ui.statusline"));
    }

    #[test]
    fn unknown_style_names_and_modifiers_are_reported() {
        let text = "\"lookup.matsh\" = \"red\"\n\"lookup.match\" = { modifiers = [\"blinky\"] }\n";
        let (_, errors) = Theme::load("default", Some(&user(text)), ColorSupport::default());
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{msgs:?}");
        assert_eq!((errors[0].line, errors[1].line), (1, 2));
        assert!(msgs[0].contains("lookup.matsh"));
        assert!(msgs[1].contains("blinky"));
    }

    #[test]
    fn syntax_errors_name_the_line_and_use_defaults() {
        let text = "[palette]\naccent = \"red\"\nmask = { fg = \n";
        let (theme, errors) = Theme::load("default", Some(&user(text)), ColorSupport::default());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3, "{}", errors[0]);
        let (base, _) = Theme::load("default", None, ColorSupport::default());
        assert_eq!(theme.style("mask"), base.style("mask"));
    }

    #[test]
    fn nearest_ansi_picks_sensible_colors() {
        assert_eq!(nearest_ansi(0, 0, 0), Color::Black);
        assert_eq!(nearest_ansi(250, 250, 250), Color::White);
        assert_eq!(nearest_ansi(0, 0, 180), Color::Blue);
        assert_eq!(nearest_ansi(90, 100, 250), Color::LightBlue);
        assert_eq!(nearest_ansi(200, 200, 40), Color::Yellow);
    }
}
