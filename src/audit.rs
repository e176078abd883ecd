//! STUB (replaced by the audit branch on merge).
use serde::{Deserialize, Serialize};
use std::path::Path;
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Query,
    Edit,
    Create,
    Undo,
    Import,
    Export,
    Report,
    Login,
    Denied,
    Backup,
    Restore,
    Roles,
    KeyRotate,
    AuditRead,
}
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Ok,
    Denied(String),
    Failed(String),
}
#[derive(Clone, Debug)]
pub struct Event {
    pub user: String,
    pub action: Action,
    pub target: String,
    pub outcome: Outcome,
}
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub user: String,
    pub action: Action,
    pub target: String,
    pub outcome: Outcome,
}
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub user: Option<String>,
}
pub struct Audit;
impl Audit {
    pub fn open(_dir: &Path) -> anyhow::Result<Audit> {
        Ok(Audit)
    }
    pub fn append(&self, _e: Event) -> anyhow::Result<u64> {
        Ok(0)
    }
    pub fn entries(&self, _f: &Filter) -> anyhow::Result<Vec<Entry>> {
        Ok(vec![])
    }
}
pub fn verify(_dir: &Path) -> anyhow::Result<String> {
    Ok(String::new())
}
