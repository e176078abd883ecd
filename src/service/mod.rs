//! Several clerks on one server: `cadre serve` owns the store and answers on a Unix socket;
//! `cadre` talks to it when the socket is there and otherwise opens the embedded database.
//! Either way the interface and the command line hold a `Backend` and make the same calls,
//! which go through one `session::Session` (rights, withholding, audit) in this process or in
//! the service. `protocol` is the wire, `server` the listening side, `client` the other.

pub mod client;
pub mod protocol;
pub mod server;
pub mod session;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::alerts::Alert;
use crate::audit::{Action, Entry as AuditEntry, Filter as AuditFilter};
use crate::facts::Facts;
use crate::history::HistoryEntry;
use crate::model::{Dossier, DossierId, PartialDate, Unit, UnitDirectory};
use crate::reserve::ReserveEntry;
use crate::store::{Review, SavedFilter, StoreError, TeamPlan};

use client::Client;
use protocol::{Failure, Request, Response, Welcome, WireError};
use session::Session;

/// The socket `cadre` looks for when no database is named: `CADRE_SOCKET`, else this.
pub const DEFAULT_SOCKET: &str = "/run/cadre/cadre.sock";

/// The socket path to try: the environment's, else the default.
pub fn socket_path() -> PathBuf {
    std::env::var_os("CADRE_SOCKET")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET))
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("无权限：{0}")]
    Denied(String),
    #[error("{0}")]
    Failed(String),
    #[error("cadre 服务：{0}")]
    Wire(#[from] WireError),
    #[error("cadre 服务的回答与请求不符")]
    Unexpected,
}

impl From<Failure> for ServiceError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Denied(s) => ServiceError::Denied(s),
            Failure::Conflict {
                id,
                expected,
                found,
            } => ServiceError::Store(StoreError::Conflict {
                id,
                expected,
                found,
            }),
            Failure::NotFound(id) => ServiceError::Store(StoreError::NotFound(id)),
            Failure::Failed(s) => ServiceError::Failed(s),
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// What the interface and the command line talk to: a session in this process over the
/// embedded database, or the service. Cheap to clone and shared across threads.
#[derive(Clone)]
pub enum Backend {
    Local(Arc<Session>),
    Remote(Arc<Client>),
}

macro_rules! expect {
    ($resp:expr, $pat:pat => $out:expr) => {
        match $resp {
            $pat => Ok($out),
            Response::Failed(f) => Err(ServiceError::from(f)),
            _ => Err(ServiceError::Unexpected),
        }
    };
}

impl Backend {
    /// The embedded database with every right for the user at the keyboard.
    pub fn local(session: Session) -> Backend {
        Backend::Local(Arc::new(session))
    }

    /// A session over `store` with every right and no audit trail (tests, benchmarks).
    pub fn unaudited(store: crate::store::Store, rules: Arc<crate::rules::Rules>) -> Backend {
        let shared = session::Shared::new(store, None, None, rules);
        let user = crate::user::current_user();
        let s = shared
            .session(&user, 0, &[])
            .expect("the single-user mode grants everything");
        Backend::local(s)
    }

    /// Connects to the service at `socket`.
    pub fn connect(socket: &Path) -> Result<Backend, client::ConnectError> {
        Ok(Backend::Remote(Arc::new(Client::connect(socket)?)))
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, Backend::Remote(_))
    }

    /// Who the session is for, their role and what is withheld from them.
    pub fn welcome(&self) -> Welcome {
        match self {
            Backend::Local(s) => s.welcome(),
            Backend::Remote(c) => c.welcome().clone(),
        }
    }

    /// The store, when it is in this process (commands that only the owner may run).
    pub fn local_store(&self) -> Option<&crate::store::Store> {
        match self {
            Backend::Local(s) => Some(s.shared().store()),
            Backend::Remote(_) => None,
        }
    }

    pub fn call(&self, req: Request) -> Result<Response> {
        match self {
            Backend::Local(s) => Ok(s.handle(req)),
            Backend::Remote(c) => Ok(c.call(&req)?),
        }
    }

    /// The facts of every dossier this user may see, and the unit directory.
    pub fn facts(&self) -> Result<(Arc<Facts>, Arc<UnitDirectory>)> {
        expect!(self.call(Request::Facts)?, Response::Facts { facts, units } => (facts, units))
    }

    /// The lookup index the facts snapshot held for `facts`, when these are the embedded
    /// database's own, unredacted facts (else the caller builds one).
    pub fn stored_index(&self, facts: &Arc<Facts>) -> Option<crate::lookup::Index> {
        match self {
            Backend::Local(s) => s.shared().take_index(facts),
            Backend::Remote(_) => None,
        }
    }

    pub fn directory(&self) -> Result<Arc<UnitDirectory>> {
        expect!(self.call(Request::Units)?, Response::Units(u) => u)
    }

    pub fn dossier(&self, id: DossierId) -> Result<Option<Dossier>> {
        Ok(self.dossier_at_revision(id)?.map(|(d, _)| d))
    }

    pub fn dossier_at_revision(&self, id: DossierId) -> Result<Option<(Dossier, u64)>> {
        expect!(self.call(Request::Dossier(id))?, Response::Dossier(d) => d.map(|(d, r)| (*d, r)))
    }

    /// Several dossiers in one request (those the user may not see are left out).
    pub fn dossiers(&self, ids: Vec<DossierId>) -> Result<Vec<Dossier>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        expect!(self.call(Request::Dossiers(ids))?, Response::Dossiers(d) => d)
    }

    /// Ids of the dossiers `text` matches as of `today`, in id order.
    pub fn query(&self, text: &str, today: PartialDate) -> Result<Vec<DossierId>> {
        let req = Request::Query {
            text: text.to_string(),
            today,
        };
        expect!(self.call(req)?, Response::Ids(ids) => ids)
    }

    /// The dossiers `q` names: `#id`, an 18-character ID number, or an exact name.
    pub fn find(&self, q: &str) -> Result<Vec<DossierId>> {
        expect!(self.call(Request::Find(q.to_string()))?, Response::Ids(ids) => ids)
    }

    /// Adds a dossier (the author is the session's user).
    pub fn create_dossier(&self, d: Dossier) -> Result<DossierId> {
        expect!(self.call(Request::Create(Box::new(d)))?, Response::Created(id) => id)
    }

    /// Saves a dossier if still at `expected`; returns the new revision.
    pub fn save_dossier(&self, d: &Dossier, expected: Option<u64>) -> Result<u64> {
        let req = Request::Save {
            dossier: Box::new(d.clone()),
            expected,
        };
        expect!(self.call(req)?, Response::Revision(r) => r)
    }

    pub fn history(&self, id: DossierId) -> Result<Vec<HistoryEntry>> {
        expect!(self.call(Request::History(id))?, Response::History(h) => h)
    }

    pub fn undo(&self, id: DossierId, seq: u64) -> Result<u64> {
        expect!(self.call(Request::Undo { id, seq })?, Response::Revision(r) => r)
    }

    pub fn put_unit(&self, u: &Unit) -> Result<()> {
        expect!(self.call(Request::PutUnit(u.clone()))?, Response::Done => ())
    }

    /// Every alert (with the alerts right) and the reserve pool, as of `today`.
    pub fn derived(&self, today: PartialDate) -> Result<(Vec<Alert>, Vec<ReserveEntry>)> {
        self.derive(today, true, true)
    }

    /// Only what is asked for: the alerts, the reserve pool, or both.
    pub fn derive(
        &self,
        today: PartialDate,
        alerts: bool,
        reserve: bool,
    ) -> Result<(Vec<Alert>, Vec<ReserveEntry>)> {
        let req = Request::Derived {
            today,
            alerts,
            reserve,
        };
        expect!(self.call(req)?, Response::Derived { alerts, reserve } => (alerts, reserve))
    }

    pub fn saved_filters(&self) -> Result<Vec<SavedFilter>> {
        expect!(self.call(Request::SavedFilters)?, Response::Filters(f) => f)
    }

    pub fn saved_filter(&self, name: &str) -> Result<SavedFilter> {
        self.saved_filters()?
            .into_iter()
            .find(|f| f.name == name)
            .ok_or_else(|| StoreError::NoSuchFilter(name.to_string()).into())
    }

    pub fn save_filter(&self, name: &str, text: &str) -> Result<()> {
        let req = Request::SaveFilter {
            name: name.to_string(),
            text: text.to_string(),
        };
        expect!(self.call(req)?, Response::Done => ())
    }

    pub fn rename_filter(&self, old: &str, new: &str) -> Result<()> {
        let req = Request::RenameFilter {
            old: old.to_string(),
            new: new.to_string(),
        };
        expect!(self.call(req)?, Response::Done => ())
    }

    pub fn delete_filter(&self, name: &str) -> Result<()> {
        expect!(self.call(Request::DeleteFilter(name.to_string()))?, Response::Done => ())
    }

    pub fn reviews(&self) -> Result<Vec<Review>> {
        expect!(self.call(Request::Reviews)?, Response::Reviews(r) => r)
    }

    pub fn mark_reviewed(&self, review: &Review) -> Result<()> {
        expect!(self.call(Request::MarkReviewed(review.clone()))?, Response::Done => ())
    }

    pub fn unmark_reviewed(&self, key: &str) -> Result<()> {
        expect!(self.call(Request::UnmarkReviewed(key.to_string()))?, Response::Done => ())
    }

    pub fn plans(&self) -> Result<Vec<TeamPlan>> {
        expect!(self.call(Request::Plans)?, Response::Plans(p) => p)
    }

    pub fn save_plan(&self, plan: &TeamPlan) -> Result<()> {
        expect!(self.call(Request::SavePlan(plan.clone()))?, Response::Done => ())
    }

    pub fn delete_plan(&self, name: &str) -> Result<()> {
        expect!(self.call(Request::DeletePlan(name.to_string()))?, Response::Done => ())
    }

    /// Records in the audit trail something done with data already given (an export, a
    /// report); refused without the right.
    pub fn note(&self, action: Action, target: &str) -> Result<()> {
        let req = Request::Note {
            action,
            target: target.to_string(),
        };
        expect!(self.call(req)?, Response::Done => ())
    }

    pub fn audit_entries(&self, filter: AuditFilter) -> Result<Vec<AuditEntry>> {
        let lines: Vec<String> =
            expect!(self.call(Request::AuditList(filter))?, Response::AuditEntries(e) => e)?;
        lines
            .iter()
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| ServiceError::Failed(format!("审计记录无法读取：{e}")))
            })
            .collect()
    }
}
