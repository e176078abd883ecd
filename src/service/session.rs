//! One user's session over the store: every request checked against the roles file's grant,
//! withheld fields removed before anything leaves, and every access recorded in the audit
//! trail before it is answered. The same code serves the embedded single-user mode (every
//! right, no socket) and each connection of `cadre serve`, so the rules live in one place.
//! Never logs record contents; the audit trail names dossiers by id.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock, RwLock};

use crate::audit::{Action, Audit, Event};

/// How a recorded access ended, with the reason when it did not succeed.
pub enum Outcome {
    Ok,
    Denied(String),
    Failed(String),
}
use crate::facts::Facts;
use crate::facts::snapshot;
use crate::filter::Ctx;
use crate::history::{ChangeKind, ChangeMeta, HistoryEntry};
use crate::model::{Dossier, DossierId, UnitDirectory};
use crate::roles::{self, Grant, Right, Roles};
use crate::rules::Rules;
use crate::store::{PersonQuery, Store, StoreError};

use super::protocol::{Failure, Request, Response, Welcome};

/// What every session of one process shares: the store, the roles, the audit trail, the rules
/// and the facts of every dossier (loaded once, kept current after each write).
pub struct Shared {
    store: Store,
    roles: Option<Roles>,
    audit: Option<Audit>,
    rules: Arc<Rules>,
    facts: RwLock<Option<Arc<Facts>>>,
    /// The lookup index the snapshot held for exactly those facts, until the first interface
    /// takes it (or a write makes it stale).
    index: std::sync::Mutex<Option<crate::lookup::Index>>,
    units: RwLock<Option<Arc<UnitDirectory>>>,
    /// Who lists whom as family, built on first need (a user linked to their own dossier)
    /// and kept current after writes.
    relatives: OnceLock<RwLock<roles::RelativeIndex>>,
    /// The key file to replace after a rotation (a store opened with its default key file).
    key_file: RwLock<Option<std::path::PathBuf>>,
}

impl Shared {
    /// `roles` None is the embedded single-user mode: the user at the keyboard owns the
    /// database and has every right. `audit` None records nothing (tests, benchmarks).
    pub fn new(
        store: Store,
        roles: Option<Roles>,
        audit: Option<Audit>,
        rules: Arc<Rules>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            store,
            roles,
            audit,
            rules,
            facts: RwLock::new(None),
            index: std::sync::Mutex::new(None),
            units: RwLock::new(None),
            relatives: OnceLock::new(),
            key_file: RwLock::new(None),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// After a key rotation, write the new key into this file (the database's default key
    /// file, when the store was opened with it).
    pub fn replace_key_file_on_rotation(&self, file: std::path::PathBuf) {
        *self.key_file.write().expect("key file lock") = Some(file);
    }

    /// Records an event; an audit trail that cannot be written stops the action (fail closed).
    pub fn record(&self, user: &str, action: Action, target: String, outcome: Outcome) -> bool {
        let Some(audit) = &self.audit else {
            return true;
        };
        let event = Event::new(user, action, target);
        let event = match outcome {
            Outcome::Ok => event,
            Outcome::Denied(why) => event.denied(why),
            Outcome::Failed(why) => event.failed(why),
        };
        match audit.append(event) {
            Ok(_) => true,
            Err(e) => {
                tracing::error!("the audit trail cannot be written: {e}");
                false
            }
        }
    }

    /// The session of a user the kernel named, or None when the roles file gives them nothing
    /// (recorded as a denied login).
    pub fn session(self: &Arc<Self>, user: &str, uid: u32, groups: &[String]) -> Option<Session> {
        let grant = match &self.roles {
            None => Grant::full(user),
            Some(roles) => match roles.resolve(user, uid, groups) {
                Some(g) => g,
                None => {
                    self.record(
                        user,
                        Action::Login,
                        String::new(),
                        Outcome::Denied("角色文件中没有此用户".into()),
                    );
                    return None;
                }
            },
        };
        self.record(user, Action::Login, grant.role.clone(), Outcome::Ok);
        Some(Session {
            shared: self.clone(),
            user: user.to_string(),
            grant,
            hidden: OnceLock::new(),
        })
    }

    fn units(&self) -> Result<Arc<UnitDirectory>, StoreError> {
        if let Some(u) = self.units.read().expect("units lock").as_ref() {
            return Ok(u.clone());
        }
        let dir = Arc::new(self.store.directory()?);
        *self.units.write().expect("units lock") = Some(dir.clone());
        Ok(dir)
    }

    /// The facts of every dossier: read from the snapshot (or rebuilt) on first use.
    pub fn facts(&self) -> Result<Arc<Facts>, StoreError> {
        if let Some(f) = self.facts.read().expect("facts lock").as_ref() {
            return Ok(f.clone());
        }
        let cached = self.units.read().expect("units lock").clone();
        let mut slot = self.facts.write().expect("facts lock");
        if let Some(f) = slot.as_ref() {
            return Ok(f.clone());
        }
        // At start the snapshot brings the unit directory with it (no read of every unit).
        let loaded = match cached {
            Some(units) => snapshot::load(&self.store, &units)?,
            None => {
                let (loaded, units) = snapshot::load_with_units(&self.store)?;
                let mut dir = self.units.write().expect("units lock");
                if dir.is_none() {
                    *dir = Some(Arc::new(units));
                }
                loaded
            }
        };
        // Only the embedded interface takes the index; a service's clients build their own
        // over what they may see, so it would only hold memory there.
        if self.roles.is_none() {
            *self.index.lock().expect("index lock") = loaded.index;
        }
        let facts = Arc::new(loaded.facts);
        *slot = Some(facts.clone());
        Ok(facts)
    }

    /// The relatives index: every dossier read once, on first need.
    fn relatives(&self) -> Result<&RwLock<roles::RelativeIndex>, StoreError> {
        if let Some(r) = self.relatives.get() {
            return Ok(r);
        }
        let mut index = roles::RelativeIndex::default();
        for d in self.store.dossiers() {
            index.upsert(&d?);
        }
        Ok(self.relatives.get_or_init(|| RwLock::new(index)))
    }

    /// The snapshot's lookup index, when `facts` are the very facts it describes (so never
    /// for a redacted copy, nor after a write); taken once.
    pub fn take_index(&self, facts: &Arc<Facts>) -> Option<crate::lookup::Index> {
        let slot = self.facts.read().expect("facts lock");
        let same = slot.as_ref().is_some_and(|f| Arc::ptr_eq(f, facts));
        let mut index = self.index.lock().expect("index lock");
        if same { index.take() } else { None }
    }

    /// Brings the facts up to date after a write of dossier `id`.
    fn changed(&self, id: DossierId) {
        *self.index.lock().expect("index lock") = None;
        if let Some(r) = self.relatives.get() {
            let mut r = r.write().expect("relatives lock");
            match self.store.dossier(id) {
                Ok(Some(d)) => r.upsert(&d),
                _ => r.remove(id),
            }
        }
        let Ok(units) = self.units() else {
            *self.facts.write().expect("facts lock") = None;
            return;
        };
        let mut slot = self.facts.write().expect("facts lock");
        let Some(facts) = slot.as_mut() else {
            return;
        };
        match self.store.dossier(id) {
            Ok(Some(d)) => Arc::make_mut(facts).upsert(&d, &units),
            Ok(None) => Arc::make_mut(facts).remove(id),
            Err(_) => *slot = None,
        }
    }

    /// After a unit changes, facts and directory are read again on next use.
    fn units_changed(&self) {
        *self.index.lock().expect("index lock") = None;
        *self.units.write().expect("units lock") = None;
        *self.facts.write().expect("facts lock") = None;
    }
}

/// One user's session: who the kernel says they are and what the roles file grants them.
pub struct Session {
    shared: Arc<Shared>,
    user: String,
    grant: Grant,
    /// Dossiers this user may not see at all (their own, their relatives'), found on first use.
    hidden: OnceLock<HashSet<DossierId>>,
}

type Answer = Result<Response, Failure>;

fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Conflict {
            id,
            expected,
            found,
        } => Failure::Conflict {
            id,
            expected,
            found,
        },
        StoreError::NotFound(id) => Failure::NotFound(id),
        e => Failure::Failed(e.to_string()),
    }
}

/// What `cadre backup` prints about a backup written.
pub fn backup_text(s: &crate::store::backup::BackupSummary) -> String {
    format!(
        "已备份 {} 份档案（{} 棵树、{} 条记录，{} 字节）到 {}\nSHA-256：{}",
        s.dossiers,
        s.trees,
        s.entries,
        s.bytes,
        s.file.display(),
        s.sha256
    )
}

fn dossier_target(id: DossierId) -> String {
    format!("#{id}")
}

impl Session {
    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// What the server tells a client after the handshake.
    pub fn welcome(&self) -> Welcome {
        Welcome {
            version: super::protocol::VERSION,
            user: self.user.clone(),
            role: self.grant.role.clone(),
            rights: self.grant.rights,
            withheld: self.withheld_sections(),
        }
    }

    /// The sections the service withholds from this user.
    fn withheld_sections(&self) -> crate::show::Veil {
        let r = self.grant.rights;
        crate::show::Veil {
            mask: false,
            id_number: !r.has(Right::IdNumbers),
            family: !r.has(Right::Family),
            findings: !r.has(Right::Findings),
            talk_notes: !r.has(Right::TalkNotes),
            alerts: !r.has(Right::Alerts),
        }
    }

    fn hidden(&self) -> &HashSet<DossierId> {
        self.hidden.get_or_init(|| {
            if self.grant.self_access {
                return HashSet::new();
            }
            if self.grant.own_id_number.is_none() {
                return HashSet::new();
            }
            let (Ok(facts), Ok(relatives)) = (self.shared.facts(), self.shared.relatives()) else {
                // Fail closed: a user whose relatives cannot be worked out sees nobody.
                tracing::error!("cannot work out a user's own and relatives' dossiers");
                return self.shared.facts().map_or_else(
                    |_| HashSet::new(),
                    |f| f.people.iter().map(|p| p.id).collect(),
                );
            };
            let store = &self.shared.store;
            let relatives = relatives.read().expect("relatives lock");
            roles::Exclusion::build(&self.grant, &facts, &relatives, |id| {
                store.dossier(id).ok().flatten()
            })
            .hidden()
            .clone()
        })
    }

    fn may(&self, right: Right, action: Action, target: &str) -> Result<(), Failure> {
        if self.grant.rights.has(right) {
            return Ok(());
        }
        let why = format!("角色“{}”没有此权限（{right:?}）", self.grant.role);
        self.shared.record(
            &self.user,
            action,
            target.to_string(),
            Outcome::Denied(why.clone()),
        );
        Err(Failure::Denied(why))
    }

    fn visible(&self, id: DossierId, action: Action) -> Result<(), Failure> {
        if !self.hidden().contains(&id) {
            return Ok(());
        }
        let why = "本人或亲属的档案不得查阅".to_string();
        self.shared.record(
            &self.user,
            action,
            dossier_target(id),
            Outcome::Denied(why.clone()),
        );
        Err(Failure::Denied(why))
    }

    /// Records a successful access before it is answered; refuses when it cannot be recorded.
    fn audited(&self, action: Action, target: String) -> Result<(), Failure> {
        if self.shared.record(&self.user, action, target, Outcome::Ok) {
            Ok(())
        } else {
            Err(Failure::Failed("审计日志无法写入，操作未执行".into()))
        }
    }

    /// Records a write that has been made (its outcome is known only once it is made; the
    /// store's own history has it too). A trail that cannot take it is reported to the client.
    fn written(&self, action: Action, target: String) -> Result<(), Failure> {
        if self.shared.record(&self.user, action, target, Outcome::Ok) {
            Ok(())
        } else {
            Err(Failure::Failed(
                "已保存，但审计日志无法写入：请立即通知管理员".into(),
            ))
        }
    }

    fn failed(&self, action: Action, target: String, f: Failure) -> Failure {
        let why = f.to_string();
        self.shared
            .record(&self.user, action, target, Outcome::Failed(why));
        f
    }

    fn meta(&self, kind: ChangeKind) -> ChangeMeta {
        ChangeMeta {
            by: self.user.clone(),
            at: crate::user::now_text(),
            kind,
        }
    }

    /// A dossier as this user may see it.
    fn shown(&self, mut d: Dossier) -> Dossier {
        roles::redact(&self.grant, &mut d);
        d
    }

    /// History entries without the changes of withheld sections.
    fn shown_history(&self, mut entries: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
        let r = self.grant.rights;
        let hide = |field: &str| {
            (!r.has(Right::IdNumbers) && field.starts_with("身份证号"))
                || (!r.has(Right::Family) && field.starts_with("家庭成员"))
                || (!r.has(Right::Findings) && field.starts_with("监督信息"))
                || (!r.has(Right::TalkNotes) && field.starts_with("年度考核"))
        };
        for e in &mut entries {
            e.changes.retain(|c| !hide(&c.field));
        }
        entries
    }

    /// Answers one request.
    pub fn handle(&self, req: Request) -> Response {
        match self.answer(req) {
            Ok(r) => r,
            Err(f) => Response::Failed(f),
        }
    }

    fn answer(&self, req: Request) -> Answer {
        let store = &self.shared.store;
        match req {
            Request::Facts => {
                self.may(Right::Lookup, Action::Query, "全部档案索引")?;
                let facts = self.shared.facts().map_err(store_failure)?;
                let units = self.shared.units().map_err(store_failure)?;
                let facts = if self.grant.withheld().is_empty() && self.hidden().is_empty() {
                    facts
                } else {
                    Arc::new(roles::redact_facts(&self.grant, &facts, self.hidden()))
                };
                self.audited(Action::Query, "全部档案索引".into())?;
                Ok(Response::Facts { facts, units })
            }
            Request::Units => Ok(Response::Units(self.shared.units().map_err(store_failure)?)),
            Request::Dossier(id) => {
                let target = dossier_target(id);
                self.may(Right::View, Action::View, &target)?;
                self.visible(id, Action::View)?;
                match store.dossier_at_revision(id).map_err(store_failure)? {
                    Some((d, rev)) => {
                        self.audited(Action::View, target)?;
                        Ok(Response::Dossier(Some((Box::new(self.shown(d)), rev))))
                    }
                    None => Ok(Response::Dossier(None)),
                }
            }
            Request::Dossiers(ids) => {
                let target = ids
                    .iter()
                    .map(|id| dossier_target(*id))
                    .collect::<Vec<_>>()
                    .join(",");
                self.may(Right::View, Action::View, &target)?;
                let hidden = self.hidden();
                let mut out = Vec::with_capacity(ids.len());
                for id in ids.iter().filter(|id| !hidden.contains(id)) {
                    if let Some(d) = store.dossier(*id).map_err(store_failure)? {
                        out.push(self.shown(d));
                    }
                }
                if !out.is_empty() {
                    self.audited(Action::View, target)?;
                }
                Ok(Response::Dossiers(out))
            }
            Request::Query { text, today } => {
                self.may(Right::Lookup, Action::Query, &text)?;
                let expr = crate::filter::parse(&text).map_err(|e| {
                    self.failed(Action::Query, text.clone(), Failure::Failed(e.to_string()))
                })?;
                roles::check_filter(&self.grant, &expr).map_err(|why| {
                    self.shared.record(
                        &self.user,
                        Action::Query,
                        text.clone(),
                        Outcome::Denied(why.clone()),
                    );
                    Failure::Denied(why)
                })?;
                let facts = self.shared.facts().map_err(store_failure)?;
                let hidden = self.hidden();
                let ids: Vec<DossierId> = facts
                    .select(&expr, today)
                    .into_iter()
                    .filter(|id| !hidden.contains(id))
                    .collect();
                self.audited(Action::Query, text)?;
                Ok(Response::Ids(ids))
            }
            Request::Find(text) => {
                let text = text.trim().to_string();
                self.may(Right::Lookup, Action::Query, &text)?;
                let q = PersonQuery::parse(&text).map_err(Failure::Failed)?;
                // An ID number is not written into the trail in the clear.
                let target = match q {
                    PersonQuery::Id(id) => {
                        self.visible(id, Action::View)?;
                        format!("查找 {text}")
                    }
                    PersonQuery::IdNumber(_) => {
                        self.may(Right::IdNumbers, Action::Query, "按身份证号查找")?;
                        "按身份证号查找".to_string()
                    }
                    PersonQuery::Name(_) => format!("查找 {text}"),
                };
                let hidden = self.hidden();
                let ids: Vec<DossierId> = store
                    .find_person(&q)
                    .map_err(store_failure)?
                    .into_iter()
                    .filter(|id| !hidden.contains(id))
                    .collect();
                self.audited(Action::Query, target)?;
                Ok(Response::Ids(ids))
            }
            Request::Create(d) => {
                self.may(Right::Edit, Action::Create, "新档案")?;
                let meta = self.meta(ChangeKind::Created);
                // One does not write what one may not read.
                let mut d = *d;
                roles::redact(&self.grant, &mut d);
                let id = store
                    .create_dossier(d, &meta)
                    .map_err(|e| self.failed(Action::Create, "新档案".into(), store_failure(e)))?;
                self.shared.changed(id);
                self.written(Action::Create, dossier_target(id))?;
                Ok(Response::Created(id))
            }
            Request::Save { dossier, expected } => {
                let id = dossier.id;
                let target = dossier_target(id);
                self.may(Right::Edit, Action::Edit, &target)?;
                self.visible(id, Action::Edit)?;
                let mut d = *dossier;
                let stored = store
                    .dossier(id)
                    .map_err(store_failure)?
                    .ok_or(Failure::NotFound(id))?;
                roles::merge_withheld(&self.grant, &mut d, &stored).map_err(|e| {
                    self.failed(Action::Edit, target.clone(), Failure::Failed(e.to_string()))
                })?;
                let rev = store
                    .save_dossier(&d, expected, &self.meta(ChangeKind::Edited))
                    .map_err(|e| self.failed(Action::Edit, target.clone(), store_failure(e)))?;
                self.shared.changed(id);
                self.written(Action::Edit, format!("{target} 第{rev}版"))?;
                Ok(Response::Revision(rev))
            }
            Request::History(id) => {
                let target = dossier_target(id);
                self.may(Right::View, Action::View, &target)?;
                self.visible(id, Action::View)?;
                let entries = store.history(id).map_err(store_failure)?;
                self.audited(Action::View, format!("{target} 修改记录"))?;
                Ok(Response::History(self.shown_history(entries)))
            }
            Request::Undo { id, seq } => {
                let target = format!("{} 第{seq}次", dossier_target(id));
                self.may(Right::Edit, Action::Undo, &target)?;
                self.visible(id, Action::Undo)?;
                let rev = store
                    .undo(id, seq, &self.user, &crate::user::now_text())
                    .map_err(|e| self.failed(Action::Undo, target.clone(), store_failure(e)))?;
                self.shared.changed(id);
                self.written(Action::Undo, target)?;
                Ok(Response::Revision(rev))
            }
            Request::PutUnit(u) => {
                let target = format!("单位 {}", u.id);
                self.may(Right::Edit, Action::Edit, &target)?;
                self.audited(Action::Edit, target)?;
                store.put_unit(&u).map_err(store_failure)?;
                self.shared.units_changed();
                Ok(Response::Done)
            }
            Request::Derived {
                today,
                alerts: want_alerts,
                reserve: want_reserve,
            } => {
                if want_alerts && !self.grant.rights.has(Right::Alerts) && !want_reserve {
                    self.may(Right::Alerts, Action::Query, "监督预警")?;
                }
                if want_reserve && !self.grant.rights.has(Right::Reserve) && !want_alerts {
                    self.may(Right::Reserve, Action::Query, "后备干部")?;
                }
                let facts = self.shared.facts().map_err(store_failure)?;
                let units = self.shared.units().map_err(store_failure)?;
                let ctx = Ctx {
                    today,
                    units: &units,
                };
                let hidden = self.hidden();
                let alerts = if want_alerts && self.grant.rights.has(Right::Alerts) {
                    self.audited(Action::Query, "监督预警".into())?;
                    let mut a =
                        crate::facts::alerts::scan_store(&facts, &ctx, &self.shared.rules, store);
                    a.retain(|a| match a.subject {
                        crate::alerts::Subject::Dossier(id) => !hidden.contains(&id),
                        crate::alerts::Subject::Team(_) => true,
                    });
                    a
                } else {
                    Vec::new()
                };
                let reserve = if want_reserve && self.grant.rights.has(Right::Reserve) {
                    let mut r = crate::facts::alerts::reserve_store(
                        &facts,
                        &ctx,
                        &self.shared.rules,
                        store,
                    );
                    r.retain(|e| !hidden.contains(&e.id));
                    r
                } else {
                    Vec::new()
                };
                Ok(Response::Derived { alerts, reserve })
            }
            Request::SavedFilters => Ok(Response::Filters(
                store.saved_filters().map_err(store_failure)?,
            )),
            Request::SaveFilter { name, text } => {
                self.may(Right::Lookup, Action::Query, &name)?;
                store.save_filter(&name, &text).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::RenameFilter { old, new } => {
                self.may(Right::Lookup, Action::Query, &old)?;
                store.rename_filter(&old, &new).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::DeleteFilter(name) => {
                self.may(Right::Lookup, Action::Query, &name)?;
                store.delete_filter(&name).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::Reviews => {
                self.may(Right::Alerts, Action::Query, "预警复核")?;
                Ok(Response::Reviews(store.reviews().map_err(store_failure)?))
            }
            Request::MarkReviewed(mut review) => {
                self.may(Right::Alerts, Action::Edit, &review.key)?;
                review.by = self.user.clone();
                self.audited(Action::Edit, format!("复核 {}", review.key))?;
                store.mark_reviewed(&review).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::UnmarkReviewed(key) => {
                self.may(Right::Alerts, Action::Edit, &key)?;
                self.audited(Action::Edit, format!("取消复核 {key}"))?;
                store.unmark_reviewed(&key).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::Plans => Ok(Response::Plans(store.plans().map_err(store_failure)?)),
            Request::SavePlan(plan) => {
                self.may(Right::Lookup, Action::Edit, &plan.name)?;
                store.save_plan(&plan).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::DeletePlan(name) => {
                self.may(Right::Lookup, Action::Edit, &name)?;
                store.delete_plan(&name).map_err(store_failure)?;
                Ok(Response::Done)
            }
            Request::Note { action, target } => {
                if matches!(action, Action::Export | Action::Report) {
                    self.may(Right::Export, action, &target)?;
                }
                self.audited(action, target)?;
                Ok(Response::Done)
            }
            Request::Backup(path) => {
                self.may(Right::Backup, Action::Backup, &path)?;
                self.audited(Action::Backup, path.clone())?;
                // Writers wait at the store's gate while the trees are read; readers do not.
                let summary = store.backup(std::path::Path::new(&path)).map_err(|e| {
                    self.failed(Action::Backup, path.clone(), Failure::Failed(e.to_string()))
                })?;
                Ok(Response::Text(backup_text(&summary)))
            }
            Request::AuditList(filter) => {
                self.may(Right::Audit, Action::AuditRead, "审计日志")?;
                let Some(audit) = &self.shared.audit else {
                    return Ok(Response::AuditEntries(Vec::new()));
                };
                self.audited(Action::AuditRead, "审计日志".into())?;
                let listing = audit
                    .entries(&filter)
                    .map_err(|e| Failure::Failed(e.to_string()))?;
                Ok(Response::AuditEntries(
                    listing.entries.iter().map(|e| e.line()).collect(),
                ))
            }
            Request::RotateKey(path) => {
                self.may(Right::Roles, Action::KeyRotate, &path)?;
                self.audited(Action::KeyRotate, path.clone())?;
                let fail =
                    |e: String| self.failed(Action::KeyRotate, path.clone(), Failure::Failed(e));
                let new = crate::store::crypto::read_key_file(std::path::Path::new(&path))
                    .map_err(|e| fail(e.to_string()))?;
                // Readers go on; writers wait at the gate until the rotation ends.
                let report = store
                    .rotate_key(&crate::store::crypto::KeySource::Key(new.clone()))
                    .map_err(|e| fail(e.to_string()))?;
                store.flush().map_err(|e| fail(e.to_string()))?;
                let mut text = format!(
                    "已重新加密 {} 条记录、重建 {} 个索引项，新密钥编号 {:08x}。",
                    report.resealed, report.index_entries, report.key_id
                );
                if let Some(file) = self.shared.key_file.read().expect("key file lock").clone() {
                    crate::store::crypto::write_key_file(&file, &new, true).map_err(|e| {
                        fail(format!(
                            "数据库已换用新密钥，但未能写入 {}：{e}；今后请用 --key-file {path} 启动服务",
                            file.display()
                        ))
                    })?;
                    text.push_str(&format!(
                        "\n服务的默认密钥文件 {} 已换成新密钥。",
                        file.display()
                    ));
                }
                Ok(Response::Text(text))
            }
            Request::AuditVerify => {
                self.may(Right::Audit, Action::AuditRead, "审计日志校验")?;
                Err(Failure::Failed(
                    "审计校验请在服务器上运行 cadre audit verify".into(),
                ))
            }
        }
    }
}
