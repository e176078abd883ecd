//! STUB (replaced by the roles branch on merge).
use crate::facts::Facts;
use crate::model::{Dossier, DossierId};
use std::collections::HashSet;
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Right {
    Lookup,
    View,
    IdNumbers,
    Family,
    Findings,
    TalkNotes,
    Edit,
    Import,
    Export,
    Alerts,
    Reserve,
    Audit,
    Roles,
    Backup,
    SelfAccess,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rights(pub u32);
impl Rights {
    pub fn has(&self, r: Right) -> bool {
        self.0 & (1 << r as u32) != 0
    }
    pub fn bits(&self) -> u32 {
        self.0
    }
}
#[derive(Clone, Debug)]
pub struct Grant {
    pub role: String,
    pub rights: Rights,
    pub own_id_number: Option<String>,
    pub self_access: bool,
}
impl Grant {
    pub fn full(_user: &str) -> Grant {
        Grant {
            role: "administrator".into(),
            rights: Rights(u32::MAX),
            own_id_number: None,
            self_access: true,
        }
    }
}
pub struct Roles;
impl Roles {
    pub fn load(_p: &std::path::Path) -> anyhow::Result<Roles> {
        Ok(Roles)
    }
    pub fn resolve(&self, user: &str, _uid: u32, _groups: &[String]) -> Option<Grant> {
        Some(Grant::full(user))
    }
}
pub fn redact(_g: &Grant, _d: &mut Dossier) -> Vec<String> {
    vec![]
}
pub fn merge_withheld(_g: &Grant, _e: &mut Dossier, _s: &Dossier) {}
pub fn redact_facts(_g: &Grant, f: &Facts, _h: &HashSet<DossierId>) -> Facts {
    f.clone()
}
pub fn check_filter(_g: &Grant, _e: &crate::filter::Expr) -> Result<(), String> {
    Ok(())
}
pub fn hidden_ids(
    _g: &Grant,
    _f: &Facts,
    _fetch: &dyn Fn(DossierId) -> Option<Dossier>,
) -> HashSet<DossierId> {
    HashSet::new()
}
