//! Team norms, supervision thresholds and promotion prerequisites as data: an embedded default
//! (src/rules/default.toml) overridden rule by rule from the user's rules.toml. Owns loading,
//! merging and validating the rules; what they mean is in `team` and `alerts`. A bad user file is
//! reported with file and line, and the defaults stay in force.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{EduLevel, UnitKind};

/// The shipped rules.
pub const DEFAULT_RULES: &str = include_str!("default.toml");

/// How serious an alert or warning is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
pub enum Severity {
    #[serde(rename = "提示")]
    Info,
    #[serde(rename = "警告")]
    Warn,
    #[serde(rename = "严重")]
    Severe,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warn => "警告",
            Severity::Severe => "严重",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "提示" | "info" => Some(Severity::Info),
            "警告" | "warn" | "warning" => Some(Severity::Warn),
            "严重" | "severe" => Some(Severity::Severe),
            _ => None,
        }
    }
}

/// What a team rule checks.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TeamCheck {
    MinWomen {
        min: u32,
    },
    MinNonParty {
        min: u32,
    },
    MinUnderAge {
        age: u32,
        min: u32,
    },
    MinShareUnderAge {
        age: u32,
        share: f64,
    },
    AgeCluster {
        span: u32,
        share: f64,
        min_members: u32,
    },
}

/// What a supervision rule checks.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SupervisionCheck {
    TenurePost { years: u32 },
    TenureLevel { years: u32 },
    HomePrincipal {},
    FamilyBusiness {},
    RelativeInUnit { sensitive_posts: Vec<String> },
    BusinessSinceReport {},
    ProbationEnding { within_months: u32 },
    OpenFinding {},
    PromotionEligible {},
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule<C> {
    pub id: String,
    pub text: String,
    pub severity: Severity,
    pub source: String,
    pub applies_to: Vec<UnitKind>,
    pub check: C,
}

/// Prerequisites for promotion (条例 art. 8 and 9).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    pub deputy_to_principal_years: f64,
    pub principal_to_upper_deputy_years: f64,
    pub county_min_work_years: f64,
    pub county_min_grassroots_years: f64,
    pub min_posts_below: u32,
    pub min_education: String,
    pub bureau_min_education: String,
    pub county_min_training_hours_5y: u32,
}

impl Promotion {
    pub fn min_education_level(&self) -> EduLevel {
        EduLevel::parse(&self.min_education).unwrap_or(EduLevel::College)
    }
    pub fn bureau_min_education_level(&self) -> EduLevel {
        EduLevel::parse(&self.bureau_min_education).unwrap_or(EduLevel::Undergraduate)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub team: Vec<Rule<TeamCheck>>,
    pub supervision: Vec<Rule<SupervisionCheck>>,
    pub promotion: Promotion,
}

/// A problem in a rules file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct RulesError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

/// One rule as written; unknown fields are caught by the check's own `deny_unknown_fields`
/// (serde cannot deny them on a struct with a flattened part).
#[derive(Deserialize)]
struct RawRule<C> {
    id: String,
    text: String,
    severity: Severity,
    #[serde(default)]
    source: String,
    #[serde(default)]
    applies_to: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(flatten)]
    check: C,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    team: Vec<toml::Table>,
    #[serde(default)]
    supervision: Vec<toml::Table>,
    promotion: Option<toml::Table>,
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

fn parse_raw(text: &str, file: &Path) -> Result<RawRules, RulesError> {
    toml::from_str::<RawRules>(text).map_err(|e| RulesError {
        file: file.to_path_buf(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
        message: e.message().to_string(),
    })
}

/// Overlays user tables on the defaults by id.
fn merge(base: &mut Vec<toml::Table>, over: Vec<toml::Table>) {
    for t in over {
        let id = t.get("id").and_then(|v| v.as_str()).map(str::to_string);
        match id.and_then(|id| {
            base.iter_mut()
                .find(|b| b.get("id").and_then(|v| v.as_str()) == Some(id.as_str()))
        }) {
            Some(existing) => {
                for (k, v) in t {
                    existing.insert(k, v);
                }
            }
            None => base.push(t),
        }
    }
}

fn typed<C: serde::de::DeserializeOwned>(
    tables: Vec<toml::Table>,
    section: &str,
    locate: &dyn Fn(&str) -> (PathBuf, usize),
) -> Result<Vec<Rule<C>>, RulesError> {
    let mut out = Vec::new();
    for t in tables {
        let id = t
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_string();
        let err = |message: String| {
            let (file, line) = locate(&id);
            RulesError {
                file,
                line,
                message,
            }
        };
        let raw: RawRule<C> = toml::Value::Table(t)
            .try_into()
            .map_err(|e: toml::de::Error| err(format!("[[{section}]] “{id}”：{}", e.message())))?;
        if !raw.enabled {
            continue;
        }
        let mut applies_to = Vec::new();
        for k in &raw.applies_to {
            applies_to.push(
                UnitKind::parse(k).ok_or_else(|| err(format!("“{id}”：未知的单位类型“{k}”")))?,
            );
        }
        if out.iter().any(|r: &Rule<C>| r.id == raw.id) {
            return Err(err(format!("规则 id “{id}”重复")));
        }
        out.push(Rule {
            id: raw.id,
            text: raw.text,
            severity: raw.severity,
            source: raw.source,
            applies_to,
            check: raw.check,
        });
    }
    Ok(out)
}

impl Rules {
    /// The shipped rules alone.
    pub fn defaults() -> Rules {
        Self::build(None).expect("the shipped rules are valid (tested)")
    }

    /// The shipped rules overridden by the user's file (if it exists). On an error in the user
    /// file the defaults are returned with the error, so the caller can show it and go on.
    pub fn load(user_file: Option<&Path>) -> (Rules, Option<RulesError>) {
        let Some(path) = user_file.filter(|p| p.exists()) else {
            return (Self::defaults(), None);
        };
        let result = std::fs::read_to_string(path)
            .map_err(|e| RulesError {
                file: path.to_path_buf(),
                line: 0,
                message: format!("无法读取：{e}"),
            })
            .and_then(|text| Self::build(Some((path, &text))));
        match result {
            Ok(r) => (r, None),
            Err(e) => (Self::defaults(), Some(e)),
        }
    }

    /// Parses the defaults and overlays `user` (path, text).
    pub fn build(user: Option<(&Path, &str)>) -> Result<Rules, RulesError> {
        let default_path = Path::new("src/rules/default.toml");
        let mut base = parse_raw(DEFAULT_RULES, default_path)?;
        let user_text = user.map(|(_, t)| t).unwrap_or("");
        let user_path = user.map(|(p, _)| p.to_path_buf());
        if let Some((path, text)) = user {
            let over = parse_raw(text, path)?;
            merge(&mut base.team, over.team);
            merge(&mut base.supervision, over.supervision);
            if let Some(p) = over.promotion {
                let b = base.promotion.get_or_insert_with(toml::Table::new);
                for (k, v) in p {
                    b.insert(k, v);
                }
            }
        }
        // Problems are attributed to the user's file when it names the rule, else the default.
        let locate = |id: &str| -> (PathBuf, usize) {
            let needle = format!("\"{id}\"");
            if let (Some(p), Some(at)) = (&user_path, user_text.find(&needle)) {
                return (p.clone(), line_of(user_text, at));
            }
            match DEFAULT_RULES.find(&needle) {
                Some(at) => (default_path.to_path_buf(), line_of(DEFAULT_RULES, at)),
                None => (user_path.clone().unwrap_or(default_path.to_path_buf()), 1),
            }
        };
        let team = typed(base.team, "team", &locate)?;
        let supervision = typed(base.supervision, "supervision", &locate)?;
        let promotion: Promotion = toml::Value::Table(base.promotion.unwrap_or_default())
            .try_into()
            .map_err(|e: toml::de::Error| {
                let (file, line) = match (&user_path, user_text.find("[promotion]")) {
                    (Some(p), Some(at)) => (p.clone(), line_of(user_text, at)),
                    _ => (
                        default_path.to_path_buf(),
                        DEFAULT_RULES
                            .find("[promotion]")
                            .map(|a| line_of(DEFAULT_RULES, a))
                            .unwrap_or(1),
                    ),
                };
                RulesError {
                    file,
                    line,
                    message: format!("[promotion]：{}", e.message()),
                }
            })?;
        for (name, v) in [
            ("min_education", &promotion.min_education),
            ("bureau_min_education", &promotion.bureau_min_education),
        ] {
            if EduLevel::parse(v).is_none() {
                return Err(RulesError {
                    file: user_path.clone().unwrap_or(default_path.to_path_buf()),
                    line: 1,
                    message: format!("[promotion] {name}：未知的学历“{v}”"),
                });
            }
        }
        Ok(Rules {
            team,
            supervision,
            promotion,
        })
    }

    pub fn team_rule(&self, id: &str) -> Option<&Rule<TeamCheck>> {
        self.team.iter().find(|r| r.id == id)
    }
    pub fn supervision_rule(&self, id: &str) -> Option<&Rule<SupervisionCheck>> {
        self.supervision.iter().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_load() {
        let r = Rules::defaults();
        assert!(r.team.len() >= 5);
        assert!(r.supervision.len() >= 10);
        assert_eq!(r.promotion.min_posts_below, 2);
        let w = r.team_rule("team.woman").unwrap();
        assert_eq!(w.check, TeamCheck::MinWomen { min: 1 });
        assert_eq!(
            w.applies_to,
            vec![UnitKind::PartyCommittee, UnitKind::Government]
        );
    }

    #[test]
    fn a_user_file_overrides_by_id_adds_and_disables() {
        let user = r#"
[[supervision]]
id = "tenure.exchange"
years = 8

[[supervision]]
id = "findings.open"
enabled = false

[[supervision]]
id = "typo"
text = "x"
severity = "提示"
kind = "tenure_post"
years = 3

[[team]]
id = "team.two_women"
text = "至少两名女干部"
kind = "min_women"
min = 2
applies_to = ["政府"]
severity = "提示"

[promotion]
county_min_grassroots_years = 3
"#;
        let r = Rules::build(Some((Path::new("rules.toml"), user))).unwrap();
        assert_eq!(
            r.supervision_rule("tenure.exchange").unwrap().check,
            SupervisionCheck::TenurePost { years: 8 }
        );
        assert_eq!(
            r.supervision_rule("tenure.exchange").unwrap().severity,
            Severity::Severe
        );
        assert!(r.supervision_rule("findings.open").is_none());
        assert_eq!(
            r.supervision_rule("typo").unwrap().check,
            SupervisionCheck::TenurePost { years: 3 }
        );
        assert!(r.team_rule("team.two_women").is_some());
        assert_eq!(r.promotion.county_min_grassroots_years, 3.0);
        assert_eq!(r.promotion.min_posts_below, 2);
    }

    #[test]
    fn a_bad_user_file_names_file_and_line_and_defaults_stay() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rules.toml");
        std::fs::write(
            &p,
            "[[supervision]]\nid = \"tenure.term\"\nyears = \"five\"\n",
        )
        .unwrap();
        let (rules, err) = Rules::load(Some(&p));
        let err = err.unwrap();
        assert_eq!((err.file.clone(), err.line), (p.clone(), 2));
        assert!(err.message.contains("tenure.term"), "{err}");
        assert_eq!(rules, Rules::defaults());

        std::fs::write(
            &p,
            "[[team]]\nid = \"x\"\ntext = \"y\"\nkind = \"min_women\"\nmin = \n",
        )
        .unwrap();
        let (_, err) = Rules::load(Some(&p));
        assert_eq!(err.unwrap().line, 5);

        std::fs::write(&p, "[[supervision]]\nid = \"tenure.term\"\nyeras = 4\n").unwrap();
        let (_, err) = Rules::load(Some(&p));
        assert!(err.unwrap().message.contains("unknown field `yeras`"));

        std::fs::write(
            &p,
            "[[team]]\nid = \"team.woman\"\napplies_to = [\"村委会\"]\n",
        )
        .unwrap();
        let (_, err) = Rules::load(Some(&p));
        let err = err.unwrap();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("村委会"));
    }
}
