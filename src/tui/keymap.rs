//! Keymaps: TOML files binding key names to action names, with a Chinese `desc` per binding
//! that feeds the status-bar hints and the help overlay. Owns key-name parsing and display,
//! the sections (contexts) a binding applies in, and the merge of a user file over a shipped
//! keymap (a user binding replaces the shipped binding of the same key, others stay). Shipped
//! keymaps are embedded; nothing is written to the user's directory.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::config::{ConfigError, Source};
use super::strings as s;

/// Shipped keymaps, embedded at build time.
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

/// Where a binding applies. While typing (the lookup pane's query, the command line) plain
/// characters are text unless the focused section binds them; `global` bindings apply
/// everywhere else and to non-character keys while typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Global,
    Lookup,
    Dossier,
    Timeline,
    Filter,
    Team,
    Alerts,
    Reserve,
    Help,
    Command,
    /// A pane's own input line (a filter text, a review note).
    Prompt,
    /// The filter builder's menus.
    Menu,
    Edit,
    /// An open editing form.
    Form,
    /// A dossier's change history.
    History,
    /// Choosing an entry of the dossier to edit.
    Pick,
}

impl Section {
    pub const ALL: [Section; 16] = [
        Section::Global,
        Section::Lookup,
        Section::Dossier,
        Section::Timeline,
        Section::Filter,
        Section::Team,
        Section::Alerts,
        Section::Reserve,
        Section::Help,
        Section::Command,
        Section::Prompt,
        Section::Menu,
        Section::Edit,
        Section::Form,
        Section::History,
        Section::Pick,
    ];

    /// The table name in a keymap file.
    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::Lookup => "lookup",
            Section::Dossier => "dossier",
            Section::Timeline => "timeline",
            Section::Filter => "filter",
            Section::Team => "team",
            Section::Alerts => "alerts",
            Section::Reserve => "reserve",
            Section::Help => "help",
            Section::Command => "command",
            Section::Prompt => "prompt",
            Section::Menu => "menu",
            Section::Edit => "edit",
            Section::Form => "form",
            Section::History => "history",
            Section::Pick => "pick",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The heading the help overlay shows.
    pub fn title(self) -> &'static str {
        match self {
            Section::Global => s::HELP_SECTION_GLOBAL,
            Section::Lookup => s::HELP_SECTION_LOOKUP,
            Section::Dossier => s::HELP_SECTION_DOSSIER,
            Section::Timeline => s::HELP_SECTION_TIMELINE,
            Section::Filter => s::HELP_SECTION_FILTER,
            Section::Team => s::HELP_SECTION_TEAM,
            Section::Alerts => s::HELP_SECTION_ALERTS,
            Section::Reserve => s::HELP_SECTION_RESERVE,
            Section::Help => s::HELP_SECTION_HELP,
            Section::Command => s::HELP_SECTION_COMMAND,
            Section::Prompt => s::HELP_SECTION_PROMPT,
            Section::Menu => s::HELP_SECTION_MENU,
            Section::Edit => s::HELP_SECTION_EDIT,
            Section::Form => s::HELP_SECTION_FORM,
            Section::History => s::HELP_SECTION_HISTORY,
            Section::Pick => s::HELP_SECTION_PICK,
        }
    }
}

/// A key with its modifiers, normalized so that a key event and a key name compare equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyCombo {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already carries shift (`G`, `?`).
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyCombo { code, mods }
    }

    pub fn from_event(ev: &KeyEvent) -> Self {
        KeyCombo::new(ev.code, ev.modifiers)
    }

    /// The character this key types into an input, if it is a plain character.
    pub fn plain_char(&self) -> Option<char> {
        match self.code {
            KeyCode::Char(c)
                if !self
                    .mods
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        }
    }

    /// Parses a key name: `a`, `G`, `?`, `enter`, `pagedown`, `f1`, `ctrl-c`, `alt-x`,
    /// `shift-tab`, `space`.
    pub fn parse(name: &str) -> Option<Self> {
        let mut rest = name.trim();
        let mut mods = KeyModifiers::NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, n) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == n {
                break;
            }
            mods |= m;
            rest = &rest[n..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().ok()?;
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCode::F(n)
                }
                _ => return None,
            },
        };
        Some(KeyCombo::new(code, mods))
    }

    /// The key as the help overlay and the status bar show it (`Ctrl-C`, `PgDn`, `G`).
    pub fn label(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        match self.code {
            KeyCode::Char(' ') => out.push_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                out.push(c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => out.push(c),
            KeyCode::Enter => out.push_str("Enter"),
            KeyCode::Esc => out.push_str("Esc"),
            KeyCode::Tab => out.push_str("Tab"),
            KeyCode::BackTab => out.push_str("Shift-Tab"),
            KeyCode::Backspace => out.push_str("Backspace"),
            KeyCode::Delete => out.push_str("Del"),
            KeyCode::Insert => out.push_str("Ins"),
            KeyCode::Home => out.push_str("Home"),
            KeyCode::End => out.push_str("End"),
            KeyCode::PageUp => out.push_str("PgUp"),
            KeyCode::PageDown => out.push_str("PgDn"),
            KeyCode::Up => out.push_str("Up"),
            KeyCode::Down => out.push_str("Down"),
            KeyCode::Left => out.push_str("Left"),
            KeyCode::Right => out.push_str("Right"),
            KeyCode::F(n) => out.push_str(&format!("F{n}")),
            other => out.push_str(&format!("{other:?}")),
        }
        out
    }
}

/// One key bound to one action.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub key: KeyCombo,
    pub action: Action,
    pub desc: String,
}

/// All bindings, per section, in file order.
#[derive(Clone, Debug, Default)]
pub struct Keymap {
    sections: Vec<(Section, Vec<Binding>)>,
}

/// A binding as read from one file, before merging.
#[derive(Debug)]
struct RawBinding {
    section: Section,
    key: KeyCombo,
    action: Action,
    desc: Option<String>,
}

#[derive(Debug, Default)]
struct Layer {
    inherits: Option<String>,
    bindings: Vec<RawBinding>,
}

impl Keymap {
    /// The action bound to `key` in `section` itself (no fallback between sections).
    pub fn get(&self, section: Section, key: &KeyCombo) -> Option<&Action> {
        self.bindings(section)
            .iter()
            .find(|b| b.key == *key)
            .map(|b| &b.action)
    }

    pub fn bindings(&self, section: Section) -> &[Binding] {
        self.sections
            .iter()
            .find(|(s, _)| *s == section)
            .map(|(_, b)| b.as_slice())
            .unwrap_or(&[])
    }

    /// The first key bound to `action` among `sections`, for messages like "按 Ctrl-C 退出".
    pub fn key_for(&self, sections: &[Section], action: &Action) -> Option<KeyCombo> {
        sections.iter().find_map(|s| {
            self.bindings(*s)
                .iter()
                .find(|b| b.action == *action)
                .map(|b| b.key)
        })
    }

    /// A section's bindings grouped by action and description: (action, `j/Down`, `下移`).
    pub fn grouped(&self, section: Section) -> Vec<(Action, String, String)> {
        let mut out: Vec<(Action, String, Vec<String>)> = Vec::new();
        for b in self.bindings(section) {
            match out
                .iter_mut()
                .find(|(a, d, _)| *a == b.action && *d == b.desc)
            {
                Some((_, _, keys)) => keys.push(b.key.label()),
                None => out.push((b.action.clone(), b.desc.clone(), vec![b.key.label()])),
            }
        }
        out.into_iter()
            .map(|(a, desc, keys)| (a, keys.join("/"), desc))
            .collect()
    }

    /// Loads shipped keymap `name` (its `inherits` chain first), then the user's overrides.
    /// Problems are returned, never fatal: a bad binding is skipped and the shipped one stays.
    pub fn load(name: &str, user: Option<&Source>) -> (Keymap, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let mut layers = Vec::new();
        collect_shipped(name, &mut layers, &mut errors, 0);
        if let Some(src) = user {
            let (layer, errs) = parse(src);
            errors.extend(errs);
            layers.extend(layer);
        }
        let mut map = Keymap::default();
        for layer in layers {
            for rb in layer.bindings {
                map.bind(rb);
            }
        }
        (map, errors)
    }

    fn bind(&mut self, rb: RawBinding) {
        let desc = rb
            .desc
            .unwrap_or_else(|| s::action_desc(&rb.action).to_string());
        let binding = Binding {
            key: rb.key,
            action: rb.action,
            desc,
        };
        let list = match self.sections.iter_mut().position(|(s, _)| *s == rb.section) {
            Some(i) => &mut self.sections[i].1,
            None => {
                self.sections.push((rb.section, Vec::new()));
                &mut self.sections.last_mut().expect("just pushed").1
            }
        };
        match list.iter_mut().find(|b| b.key == binding.key) {
            Some(existing) => *existing = binding,
            None => list.push(binding),
        }
    }
}

fn collect_shipped(
    name: &str,
    layers: &mut Vec<Layer>,
    errors: &mut Vec<ConfigError>,
    depth: usize,
) {
    let Some((_, text)) = SHIPPED.iter().find(|(n, _)| *n == name) else {
        return;
    };
    let (layer, errs) = parse(&Source::shipped("keymaps", name, text));
    errors.extend(errs);
    if let Some(layer) = layer {
        if let Some(parent) = &layer.inherits
            && depth < 4
        {
            collect_shipped(parent, layers, errors, depth + 1);
        }
        layers.push(layer);
    }
}

/// Parses one keymap file. A syntax error rejects the file; a bad binding is reported and
/// skipped.
fn parse(src: &Source) -> (Option<Layer>, Vec<ConfigError>) {
    let doc = match src.parse_toml() {
        Ok(doc) => doc,
        Err(e) => return (None, vec![e]),
    };
    let mut layer = Layer::default();
    let mut errors = Vec::new();
    for (sec_name, item) in doc.as_table().iter() {
        let line = src.item_line(item);
        if sec_name == "inherits" {
            match item.as_str() {
                Some(v) => layer.inherits = Some(v.to_string()),
                None => {
                    errors.push(src.error(line, s::fill(s::CFG_NOT_STRING, &[("name", &sec_name)])))
                }
            }
            continue;
        }
        let Some(section) = Section::from_name(sec_name) else {
            let list: Vec<&str> = Section::ALL.iter().map(|s| s.name()).collect();
            errors.push(src.error(
                line,
                s::fill(
                    s::CFG_UNKNOWN_SECTION,
                    &[("name", &sec_name), ("list", &list.join(s::LIST_SEP))],
                ),
            ));
            continue;
        };
        let Some(table) = item.as_table_like() else {
            errors.push(src.error(line, s::CFG_BINDING_SHAPE.to_string()));
            continue;
        };
        for (key_name, v) in table.iter() {
            let line = src.item_line(v);
            let Some(key) = KeyCombo::parse(key_name) else {
                errors.push(src.error(line, s::fill(s::CFG_UNKNOWN_KEY, &[("name", &key_name)])));
                continue;
            };
            let (run, desc) = if let Some(name) = v.as_str() {
                (name.to_string(), None)
            } else if let Some(t) = v.as_table_like() {
                let mut run = None;
                let mut desc = None;
                let mut bad = false;
                for (field, fv) in t.iter() {
                    let fline = src.item_line(fv);
                    match (field, fv.as_str()) {
                        ("run", Some(r)) => run = Some(r.to_string()),
                        ("desc", Some(d)) => desc = Some(d.to_string()),
                        ("run" | "desc", None) => {
                            errors.push(
                                src.error(fline, s::fill(s::CFG_NOT_STRING, &[("name", &field)])),
                            );
                            bad = true;
                        }
                        _ => {
                            errors.push(
                                src.error(
                                    fline,
                                    s::fill(s::CFG_UNKNOWN_FIELD, &[("name", &field)]),
                                ),
                            );
                            bad = true;
                        }
                    }
                }
                match run {
                    Some(r) if !bad => (r, desc),
                    Some(_) => continue,
                    None => {
                        if !bad {
                            errors.push(src.error(line, s::CFG_BINDING_SHAPE.to_string()));
                        }
                        continue;
                    }
                }
            } else {
                errors.push(src.error(line, s::CFG_BINDING_SHAPE.to_string()));
                continue;
            };
            let Some(action) = Action::from_name(&run) else {
                errors.push(src.error(line, s::fill(s::CFG_UNKNOWN_ACTION, &[("name", &run)])));
                continue;
            };
            layer.bindings.push(RawBinding {
                section,
                key,
                action,
                desc,
            });
        }
    }
    (Some(layer), errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> KeyCombo {
        KeyCombo::parse(name).unwrap_or_else(|| panic!("{name}"))
    }

    #[test]
    fn every_shipped_keymap_loads_cleanly_with_descriptions() {
        for (name, text) in SHIPPED {
            let (map, errors) = Keymap::load(name, None);
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert_eq!(
                map.get(Section::Global, &key("ctrl-c")),
                Some(&Action::Quit),
                "{name}"
            );
            // Every binding written in a shipped file carries its own description.
            let (layer, errs) = parse(&Source::shipped("keymaps", name, text));
            assert!(errs.is_empty());
            for b in layer.unwrap().bindings {
                let desc = b.desc.unwrap_or_default();
                assert!(!desc.is_empty(), "{name}: {:?} has no desc", b.key);
                assert!(
                    desc.chars().any(|c| c > '\u{2e80}'),
                    "{name}: desc in Chinese: {desc}"
                );
            }
        }
    }

    #[test]
    fn default_keymap_reaches_every_pane_and_overlay() {
        let (map, _) = Keymap::load("default", None);
        for (sec, k, a) in [
            (Section::Global, "f1", Action::Help),
            (Section::Global, "esc", Action::Back),
            (Section::Lookup, "enter", Action::ShowDossier),
            (Section::Lookup, "tab", Action::ShowTimeline),
            (Section::Lookup, "down", Action::Down),
            (Section::Dossier, "?", Action::Help),
            (Section::Dossier, ":", Action::CommandLine),
            (Section::Dossier, "j", Action::Down),
            (Section::Dossier, "pagedown", Action::PageDown),
            (Section::Dossier, "]", Action::NextSection),
            (Section::Dossier, "m", Action::ToggleMask),
            (Section::Timeline, "up", Action::Up),
            (Section::Command, "tab", Action::CompleteNext),
            (Section::Command, "enter", Action::Confirm),
            (Section::Edit, "backspace", Action::DeleteBack),
        ] {
            assert_eq!(map.get(sec, &key(k)), Some(&a), "{sec:?} {k}");
        }
    }

    #[test]
    fn vim_keymap_adds_to_default() {
        let (map, _) = Keymap::load("vim", None);
        assert_eq!(map.get(Section::Dossier, &key("G")), Some(&Action::Bottom));
        assert_eq!(map.get(Section::Dossier, &key("g")), Some(&Action::Top));
        assert_eq!(
            map.get(Section::Timeline, &key("/")),
            Some(&Action::ShowLookup)
        );
        assert_eq!(
            map.get(Section::Dossier, &key("ctrl-d")),
            Some(&Action::PageDown)
        );
        // Inherited from default.
        assert_eq!(
            map.get(Section::Lookup, &key("enter")),
            Some(&Action::ShowDossier)
        );
    }

    #[test]
    fn key_names_parse_and_print() {
        use KeyCode::*;
        assert_eq!(
            key("ctrl-c"),
            KeyCombo::new(Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            key("Ctrl-C"),
            KeyCombo::new(Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("G"), KeyCombo::new(Char('G'), KeyModifiers::SHIFT));
        assert_eq!(key("shift-g"), key("G"));
        assert_eq!(
            key("shift-tab"),
            KeyCombo::new(BackTab, KeyModifiers::SHIFT)
        );
        assert_eq!(key("-"), KeyCombo::new(Char('-'), KeyModifiers::NONE));
        assert_eq!(
            key("ctrl--"),
            KeyCombo::new(Char('-'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("f12").code, F(12));
        assert_eq!(key("space").code, Char(' '));
        assert_eq!(key("？").code, Char('？'));
        for bad in ["f13", "ctrl-", "hyper-x", "pagedn", ""] {
            assert_eq!(KeyCombo::parse(bad), None, "{bad}");
        }
        assert_eq!(key("ctrl-c").label(), "Ctrl-C");
        assert_eq!(key("pagedown").label(), "PgDn");
        assert_eq!(key("shift-tab").label(), "Shift-Tab");
        assert_eq!(key("?").label(), "?");
    }

    #[test]
    fn user_file_overrides_one_binding_and_keeps_the_rest() {
        let user = Source::user(
            "/u/keymap.toml",
            "[dossier]\nx = { run = \"toggle_mask\", desc = \"开会\" }\nj = \"bottom\"\n",
        );
        let (map, errors) = Keymap::load("default", Some(&user));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            map.get(Section::Dossier, &key("x")),
            Some(&Action::ToggleMask)
        );
        assert_eq!(map.get(Section::Dossier, &key("j")), Some(&Action::Bottom));
        assert_eq!(map.get(Section::Dossier, &key("k")), Some(&Action::Up));
        let j = map
            .bindings(Section::Dossier)
            .iter()
            .find(|b| b.key == key("j"))
            .unwrap();
        assert_eq!(j.desc, "到末尾", "a binding without desc gets the action's");
    }

    #[test]
    fn bad_bindings_are_reported_with_line_and_skipped() {
        let text = "[dossier]\nx = \"toggle_mask\"\ny = \"fly_away\"\nhyper-z = \"quit\"\n[nowhere]\na = \"quit\"\n";
        let (map, errors) = Keymap::load("default", Some(&Source::user("/u/keymap.toml", text)));
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 3, "{msgs:?}");
        assert_eq!(errors[0].line, 3);
        assert!(msgs[0].contains("fly_away") && msgs[0].contains("keymap.toml 第 3 行"));
        assert_eq!(errors[1].line, 4);
        assert!(msgs[1].contains("hyper-z"));
        assert_eq!(errors[2].line, 5);
        assert!(msgs[2].contains("nowhere"));
        // The good binding in the same file still applies; defaults are kept for the rest.
        assert_eq!(
            map.get(Section::Dossier, &key("x")),
            Some(&Action::ToggleMask)
        );
        assert_eq!(map.get(Section::Dossier, &key("j")), Some(&Action::Down));
    }

    #[test]
    fn syntax_error_keeps_the_whole_default() {
        let text = "[dossier]\nj = \"bottom\"\nk = { run = \"up\"\n";
        let (map, errors) = Keymap::load("default", Some(&Source::user("/u/keymap.toml", text)));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3, "{}", errors[0]);
        assert_eq!(map.get(Section::Dossier, &key("j")), Some(&Action::Down));
    }

    #[test]
    fn grouped_merges_keys_of_one_action() {
        let (map, _) = Keymap::load("default", None);
        let g = map.grouped(Section::Dossier);
        assert!(g.iter().any(|(_, k, _)| k == "j/Down"), "{g:?}");
    }
}
