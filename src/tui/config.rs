//! User configuration: where it lives, how a file is read and how its problems are reported
//! (file and line, in Chinese, shown in the status bar while the defaults stay in force).
//! Owns `config.toml` (`theme = "light"`, `keymap = "vim"`) and the assembly of keymap and
//! theme from the shipped defaults plus the user's overrides. It never writes a file.

use std::fmt;
use std::path::{Path, PathBuf};

use super::keymap::{self, Keymap};
use super::strings as s;
use super::theme::{self, ColorSupport, Theme};

/// A configuration problem, tied to its file and (when known) line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the problem is with the file as a whole.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&s::fill(
                s::CONFIG_FILE,
                &[("file", &self.file), ("msg", &self.message)],
            ))
        } else {
            f.write_str(&s::fill(
                s::CONFIG_AT,
                &[
                    ("file", &self.file),
                    ("line", &self.line),
                    ("msg", &self.message),
                ],
            ))
        }
    }
}

/// The text of one configuration file and the name to report it by.
#[derive(Clone, Debug)]
pub struct Source {
    pub label: String,
    pub text: String,
}

impl Source {
    pub fn user(path: impl AsRef<Path>, text: &str) -> Self {
        Source {
            label: display_path(path.as_ref()),
            text: text.to_string(),
        }
    }

    pub fn shipped(dir: &str, name: &str, text: &str) -> Self {
        Source {
            label: format!("{dir}/{name}.toml"),
            text: text.to_string(),
        }
    }

    pub fn error(&self, line: usize, message: String) -> ConfigError {
        ConfigError {
            file: self.label.clone(),
            line,
            message,
        }
    }

    /// Parses the text as TOML, keeping positions for later error reports.
    pub fn parse_toml(&self) -> Result<toml_edit::ImDocument<String>, ConfigError> {
        toml_edit::ImDocument::parse(self.text.clone()).map_err(|e| {
            let line = e.span().map_or(0, |sp| line_of(&self.text, sp.start));
            let detail = e.message().trim().to_string();
            self.error(line, s::fill(s::CFG_SYNTAX, &[("detail", &detail)]))
        })
    }

    /// The line an item starts on (1 when unknown).
    pub fn item_line(&self, item: &toml_edit::Item) -> usize {
        item.span().map_or(1, |sp| line_of(&self.text, sp.start))
    }
}

/// A path as a clerk would type it: the home directory as `~`.
pub fn display_path(path: &Path) -> String {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    match home.and_then(|h| path.strip_prefix(h).ok().map(Path::to_path_buf)) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// 1-based line number of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// What the environment says about colours, read once at start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Env {
    /// NO_COLOR is set and not empty: the monochrome theme is used.
    pub no_color: bool,
    pub colors: ColorSupport,
}

impl Env {
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        let colorterm = var("COLORTERM").to_ascii_lowercase();
        Env {
            no_color: !var("NO_COLOR").is_empty(),
            colors: ColorSupport {
                truecolor: colorterm == "truecolor" || colorterm == "24bit",
            },
        }
    }
}

/// Keymap and theme ready for use, and the problems met on the way.
pub struct Settings {
    pub keymap: Keymap,
    pub theme: Theme,
    /// The shipped rules overridden by `rules.toml` in the configuration directory.
    pub rules: std::sync::Arc<crate::rules::Rules>,
    /// `lock_after_minutes`: idle minutes before the interface locks (0 = never).
    pub lock_after_minutes: u32,
    pub errors: Vec<ConfigError>,
}

impl Settings {
    /// The shipped defaults, untouched by any user file (tests, and when no directory).
    pub fn defaults(env: &Env) -> Self {
        load(None, env)
    }
}

/// The platform's configuration directory for cadre (e.g. ~/.config/cadre).
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "cadre").map(|p| p.config_dir().to_path_buf())
}

/// Reads `config.toml`, `keymap.toml` and `theme.toml` from `dir` (any may be missing) over
/// the shipped defaults.
pub fn load(dir: Option<&Path>, env: &Env) -> Settings {
    let mut errors = Vec::new();
    let read = |name: &str, errors: &mut Vec<ConfigError>| -> Option<Source> {
        let path = dir?.join(name);
        match read_optional(&path) {
            Ok(text) => text.map(|t| Source::user(&path, &t)),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    let mut theme_name = "default".to_string();
    let mut keymap_name = "default".to_string();
    let mut lock_after_minutes = super::lock::DEFAULT_LOCK_MINUTES;
    if let Some(src) = read("config.toml", &mut errors) {
        match src.parse_toml() {
            Ok(doc) => {
                for (k, item) in doc.as_table().iter() {
                    let line = src.item_line(item);
                    if k == "lock_after_minutes" {
                        let max = super::lock::MAX_LOCK_MINUTES;
                        match item.as_integer() {
                            Some(n) if (0..=i64::from(max)).contains(&n) => {
                                lock_after_minutes = n as u32;
                            }
                            _ => {
                                let value = item.to_string();
                                errors.push(src.error(
                                    line,
                                    s::fill(
                                        s::CFG_BAD_LOCK,
                                        &[
                                            ("max", &max),
                                            ("value", &value.trim()),
                                            ("default", &super::lock::DEFAULT_LOCK_MINUTES),
                                        ],
                                    ),
                                ));
                            }
                        }
                        continue;
                    }
                    let (shipped, target, unknown): (Vec<&str>, &mut String, &str) = match k {
                        "theme" => (
                            theme::SHIPPED.iter().map(|(n, _)| *n).collect(),
                            &mut theme_name,
                            s::CFG_UNKNOWN_THEME,
                        ),
                        "keymap" => (
                            keymap::SHIPPED.iter().map(|(n, _)| *n).collect(),
                            &mut keymap_name,
                            s::CFG_UNKNOWN_KEYMAP,
                        ),
                        _ => {
                            errors.push(
                                src.error(line, s::fill(s::CFG_UNKNOWN_SETTING, &[("name", &k)])),
                            );
                            continue;
                        }
                    };
                    match item.as_str() {
                        Some(v) if shipped.contains(&v) => *target = v.to_string(),
                        Some(v) => errors.push(src.error(
                            line,
                            s::fill(
                                unknown,
                                &[("name", &v), ("list", &shipped.join(s::LIST_SEP))],
                            ),
                        )),
                        None => errors
                            .push(src.error(line, s::fill(s::CFG_NOT_STRING, &[("name", &k)]))),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if env.no_color {
        theme_name = "mono".to_string();
    }
    let user_keymap = read("keymap.toml", &mut errors);
    let user_theme = read("theme.toml", &mut errors);
    let (keymap, kerr) = Keymap::load(&keymap_name, user_keymap.as_ref());
    let (theme, terr) = Theme::load(&theme_name, user_theme.as_ref(), env.colors);
    errors.extend(kerr);
    errors.extend(terr);
    let rules_file = dir.map(|d| d.join("rules.toml"));
    let (rules, rerr) = crate::rules::Rules::load(rules_file.as_deref());
    if let Some(e) = rerr {
        errors.push(ConfigError {
            file: display_path(&e.file),
            line: e.line,
            message: e.message,
        });
    }
    for e in &errors {
        tracing::warn!(file = %e.file, line = e.line, "configuration problem: {}", e.message);
    }
    Settings {
        keymap,
        theme,
        rules: std::sync::Arc::new(rules),
        lock_after_minutes,
        errors,
    }
}

/// The file's text, None when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => Ok(Some(t.trim_start_matches('\u{feff}').to_string())),
            Err(e) => Err(ConfigError {
                file: display_path(path),
                line: 0,
                message: s::fill(s::CFG_UNREADABLE, &[("detail", &e)]),
            }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError {
            file: display_path(path),
            line: 0,
            message: s::fill(s::CFG_UNREADABLE, &[("detail", &e)]),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(d.path().join(name), text).unwrap();
        }
        d
    }

    #[test]
    fn no_directory_means_shipped_defaults() {
        let st = load(None, &Env::default());
        assert!(st.errors.is_empty(), "{:?}", st.errors);
        assert_eq!(st.theme.name, "default");
    }

    #[test]
    fn config_chooses_theme_and_keymap() {
        let d = dir_with(&[("config.toml", "theme = \"light\"\nkeymap = \"vim\"\n")]);
        let st = load(Some(d.path()), &Env::default());
        assert!(st.errors.is_empty(), "{:?}", st.errors);
        assert_eq!(st.theme.name, "light");
        let g = keymap::KeyCombo::new(KeyCode::Char('G'), KeyModifiers::NONE);
        assert_eq!(
            st.keymap.get(keymap::Section::Dossier, &g),
            Some(&Action::Bottom)
        );
    }

    #[test]
    fn no_color_selects_mono() {
        let env = Env {
            no_color: true,
            ..Env::default()
        };
        let d = dir_with(&[("config.toml", "theme = \"light\"\n")]);
        assert_eq!(load(Some(d.path()), &env).theme.name, "mono");
    }

    #[test]
    fn bad_config_names_file_and_line() {
        let d = dir_with(&[(
            "config.toml",
            "keymap = \"vim\"\ntheme = \"neon\"\ncolour = 1\n",
        )]);
        let st = load(Some(d.path()), &Env::default());
        assert_eq!(st.errors.len(), 2, "{:?}", st.errors);
        assert_eq!(st.errors[0].line, 2);
        assert!(st.errors[0].to_string().contains("config.toml 第 2 行"));
        assert!(st.errors[0].to_string().contains("neon"));
        assert_eq!(st.errors[1].line, 3);
        assert_eq!(st.theme.name, "default");
    }

    #[test]
    fn lock_after_minutes_is_read_and_checked() {
        let st = load(None, &Env::default());
        assert_eq!(st.lock_after_minutes, 10);
        let d = dir_with(&[("config.toml", "lock_after_minutes = 0\n")]);
        let st = load(Some(d.path()), &Env::default());
        assert!(st.errors.is_empty(), "{:?}", st.errors);
        assert_eq!(st.lock_after_minutes, 0);
        let d = dir_with(&[(
            "config.toml",
            "theme = \"light\"\nlock_after_minutes = 25\n",
        )]);
        assert_eq!(load(Some(d.path()), &Env::default()).lock_after_minutes, 25);
        for bad in ["\"ten\"", "-1", "1441", "2.5"] {
            let text = format!("theme = \"light\"\nlock_after_minutes = {bad}\n");
            let d = dir_with(&[("config.toml", &text)]);
            let st = load(Some(d.path()), &Env::default());
            assert_eq!(st.errors.len(), 1, "{bad}: {:?}", st.errors);
            assert_eq!(st.errors[0].line, 2, "{bad}");
            let shown = st.errors[0].to_string();
            assert!(shown.contains("config.toml 第 2 行"), "{shown}");
            assert!(shown.contains("lock_after_minutes"), "{shown}");
            assert_eq!(st.lock_after_minutes, 10, "{bad}");
        }
    }

    #[test]
    fn unreadable_file_is_reported_not_fatal() {
        let d = dir_with(&[]);
        std::fs::write(d.path().join("keymap.toml"), [0xff, 0xfe, 0x00]).unwrap();
        let st = load(Some(d.path()), &Env::default());
        assert_eq!(st.errors.len(), 1);
        assert_eq!(st.errors[0].line, 0);
        assert!(st.errors[0].to_string().contains("keymap.toml"));
    }

    #[test]
    fn line_numbers_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
