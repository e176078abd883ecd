//! Roles and field-level withholding (issue #8): the rights a role carries (`Rights`), the
//! roles file that maps users, uids and groups to roles (`Roles`), what one connection's user
//! is granted (`Grant`), and the service-side withholding of sensitive sections from dossiers
//! (`redact`, `merge_withheld`), from the facts shipped to a client (`redact_facts`), from
//! filters (`check_filter`), and of the user's own and relatives' dossiers (`Exclusion`).
//! Pure logic: the only I/O is reading the roles file. It must never print or log dossier
//! contents; its errors name the roles file and line, never a dossier's text.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::facts::{Arena, Facts, Pool, Rows, Span};
use crate::filter::Expr;
use crate::filter::ast::{Cond, Flag};
use crate::model::{Dossier, DossierId, FamilyMember, PartialDate, Reward, RewardKind, idnum};

// ---------------------------------------------------------------------------------------------
// Rights

/// One right a role may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// Find people (lookup, filters, result lists).
    Lookup,
    /// Open a dossier.
    View,
    /// See ID numbers (公民身份号码).
    IdNumbers,
    /// See family members and their businesses (家庭成员及社会关系).
    Family,
    /// See supervision findings, punishments and organizational handling (监督信息、处分).
    Findings,
    /// See talk notes of the yearly assessments (谈话记录).
    TalkNotes,
    Edit,
    Import,
    Export,
    Alerts,
    Reserve,
    Audit,
    /// Change the roles file's effect (administer roles).
    Roles,
    Backup,
    /// May see one's own and one's relatives' dossiers.
    SelfAccess,
}

impl Right {
    pub const ALL: [Right; 15] = [
        Right::Lookup,
        Right::View,
        Right::IdNumbers,
        Right::Family,
        Right::Findings,
        Right::TalkNotes,
        Right::Edit,
        Right::Import,
        Right::Export,
        Right::Alerts,
        Right::Reserve,
        Right::Audit,
        Right::Roles,
        Right::Backup,
        Right::SelfAccess,
    ];

    /// The name the roles file uses.
    pub fn name(self) -> &'static str {
        match self {
            Right::Lookup => "lookup",
            Right::View => "view",
            Right::IdNumbers => "id_numbers",
            Right::Family => "family",
            Right::Findings => "findings",
            Right::TalkNotes => "talk_notes",
            Right::Edit => "edit",
            Right::Import => "import",
            Right::Export => "export",
            Right::Alerts => "alerts",
            Right::Reserve => "reserve",
            Right::Audit => "audit",
            Right::Roles => "roles",
            Right::Backup => "backup",
            Right::SelfAccess => "self_access",
        }
    }

    /// What the clerk sees (also accepted in the roles file).
    pub fn label(self) -> &'static str {
        match self {
            Right::Lookup => "查询",
            Right::View => "查看档案",
            Right::IdNumbers => "身份证号",
            Right::Family => "家庭成员",
            Right::Findings => "监督信息",
            Right::TalkNotes => "谈话记录",
            Right::Edit => "编辑",
            Right::Import => "导入",
            Right::Export => "导出",
            Right::Alerts => "预警",
            Right::Reserve => "后备干部",
            Right::Audit => "审计",
            Right::Roles => "角色管理",
            Right::Backup => "备份",
            Right::SelfAccess => "本人及亲属档案",
        }
    }

    /// A right by its file name or its Chinese label.
    pub fn parse(s: &str) -> Option<Right> {
        let s = s.trim();
        Right::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s) || r.label() == s)
    }

    fn bit(self) -> u16 {
        1 << Right::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// A set of rights (one bit per `Right::ALL` position; a service and its clients are built
/// together, so the bits travel as they are).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rights(u16);

impl Rights {
    pub const NONE: Rights = Rights(0);

    /// Every right.
    pub fn all() -> Rights {
        Rights::of(&Right::ALL)
    }
    pub fn of(rights: &[Right]) -> Rights {
        rights.iter().fold(Rights::NONE, |s, r| s.with(*r))
    }
    pub fn has(self, r: Right) -> bool {
        self.0 & r.bit() != 0
    }
    pub fn with(self, r: Right) -> Rights {
        Rights(self.0 | r.bit())
    }
    pub fn without(self, r: Right) -> Rights {
        Rights(self.0 & !r.bit())
    }
    pub fn union(self, other: Rights) -> Rights {
        Rights(self.0 | other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Right> {
        Right::ALL.into_iter().filter(move |r| self.has(*r))
    }
}

impl fmt::Debug for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Right::name)).finish()
    }
}

/// The built-in roles, lowest first.
pub const BUILTIN_ROLES: [&str; 4] = ["viewer", "clerk", "supervisor", "administrator"];

/// The rights of a built-in role (cumulative: each has the rights of the one before it).
pub fn builtin(role: &str) -> Option<Rights> {
    use Right::*;
    let viewer = Rights::of(&[Lookup, View, Reserve]);
    let clerk = viewer.union(Rights::of(&[Edit, Import, Export, IdNumbers]));
    let supervisor = clerk.union(Rights::of(&[Family, Findings, TalkNotes, Alerts]));
    let administrator = supervisor.union(Rights::of(&[Audit, Roles, Backup]));
    match role {
        "viewer" => Some(viewer),
        "clerk" => Some(clerk),
        "supervisor" => Some(supervisor),
        "administrator" => Some(administrator),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Grants

/// What one connection's user may do, resolved once from the roles file. Its `Debug` does not
/// show the ID number, so a grant may be logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The user the grant was resolved for (for the audit trail).
    pub user: String,
    pub role: String,
    pub rights: Rights,
    /// The user's own ID number, linking them to their own dossier.
    pub own_id_number: Option<String>,
    /// May see their own and relatives' dossiers (a per-user exception or the SelfAccess right).
    pub self_access: bool,
}

fn masked(id: &Option<String>) -> &'static str {
    if id.is_some() { "<set>" } else { "<none>" }
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grant")
            .field("user", &self.user)
            .field("role", &self.role)
            .field("rights", &self.rights)
            .field("own_id_number", &masked(&self.own_id_number))
            .field("self_access", &self.self_access)
            .finish()
    }
}

impl Grant {
    /// The single-user embedded mode: every right, own dossier included.
    pub fn full(user: &str) -> Grant {
        Grant {
            user: user.to_string(),
            role: "embedded".into(),
            rights: Rights::all(),
            own_id_number: None,
            self_access: true,
        }
    }

    pub fn can(&self, r: Right) -> bool {
        self.rights.has(r)
    }

    /// The dossier sections this grant withholds, whatever a given dossier holds (so the
    /// interface shows “（无权查看）” for each, and an empty section does not tell itself apart
    /// from a withheld one).
    pub fn withheld(&self) -> Vec<Section> {
        let mut out = Vec::new();
        if !self.can(Right::IdNumbers) {
            out.push(Section::IdNumber);
        }
        if !self.can(Right::Family) {
            out.push(Section::Family);
        }
        if !self.can(Right::Findings) {
            out.push(Section::Findings);
            out.push(Section::Punishments);
        }
        if !self.can(Right::TalkNotes) {
            out.push(Section::TalkNotes);
        }
        out
    }
}

/// A part of a dossier that may be withheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    IdNumber,
    Family,
    Findings,
    /// Punishments and organizational handling among the rewards (奖惩中的处分、组织处理).
    Punishments,
    TalkNotes,
}

impl Section {
    /// What the clerk sees.
    pub fn label(self) -> &'static str {
        match self {
            Section::IdNumber => "身份证号",
            Section::Family => "家庭成员及社会关系",
            Section::Findings => "监督信息",
            Section::Punishments => "处分及组织处理",
            Section::TalkNotes => "谈话记录",
        }
    }
}

/// Whether a reward is a supervision outcome (withheld with the findings): a party or
/// government punishment or an organizational handling; awards are not.
pub fn is_supervision_outcome(r: &Reward) -> bool {
    r.kind != RewardKind::Award
}

// ---------------------------------------------------------------------------------------------
// The roles file

/// An error of the roles file; every variant names the file, and the line where there is one.
#[derive(Debug, thiserror::Error)]
pub enum RolesError {
    #[error("无法读取角色文件 {path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "角色文件 {path} 的权限为 {mode:04o}，同组或其他用户可写，拒绝使用（请执行 chmod go-w {path}）"
    )]
    Writable { path: PathBuf, mode: u32 },
    #[error("角色文件 {path} 第 {line} 行：{message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "角色文件 {path} 第 {line} 行：未知角色“{role}”（内置角色：viewer、clerk、supervisor、administrator，或在 [roles] 中定义）"
    )]
    UnknownRole {
        path: PathBuf,
        line: usize,
        role: String,
    },
    #[error("角色文件 {path} 第 {line} 行：未知权限“{right}”（可用：{known}）")]
    UnknownRight {
        path: PathBuf,
        line: usize,
        right: String,
        known: String,
    },
    #[error("角色文件 {path} 第 {line} 行：用户“{user}”重复（第 {first} 行已定义）")]
    DuplicateUser {
        path: PathBuf,
        line: usize,
        user: String,
        first: usize,
    },
    #[error("角色文件 {path} 第 {line} 行：{message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl RolesError {
    /// The line of the roles file the error is on, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            RolesError::Io { .. } | RolesError::Writable { .. } => None,
            RolesError::Syntax { line, .. }
            | RolesError::UnknownRole { line, .. }
            | RolesError::UnknownRight { line, .. }
            | RolesError::DuplicateUser { line, .. }
            | RolesError::Invalid { line, .. } => Some(*line),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    roles: BTreeMap<String, Spanned<RoleDef>>,
    #[serde(default)]
    users: BTreeMap<String, Spanned<UserDef>>,
    #[serde(default)]
    groups: BTreeMap<String, Spanned<GroupDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleDef {
    #[serde(default)]
    inherits: Option<Spanned<String>>,
    #[serde(default)]
    rights: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserDef {
    #[serde(default)]
    role: Option<Spanned<String>>,
    #[serde(default)]
    id_number: Option<Spanned<String>>,
    #[serde(default)]
    self_access: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDef {
    role: Spanned<String>,
}

/// One user's entry.
#[derive(Clone)]
struct UserEntry {
    role: Option<String>,
    id_number: Option<String>,
    self_access: bool,
}

impl fmt::Debug for UserEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserEntry")
            .field("role", &self.role)
            .field("id_number", &masked(&self.id_number))
            .field("self_access", &self.self_access)
            .finish()
    }
}

/// The parsed roles file: roles with their rights, users (by name or uid) and groups, in the
/// order the file lists the groups.
#[derive(Clone, Debug)]
pub struct Roles {
    path: PathBuf,
    roles: BTreeMap<String, Rights>,
    users: HashMap<String, UserEntry>,
    uids: HashMap<u32, UserEntry>,
    groups: Vec<(String, String)>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl Roles {
    /// Reads and checks a roles file. Refuses a file that group or others may write.
    pub fn load(path: &Path) -> Result<Roles, RolesError> {
        let io = |source| RolesError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o022 != 0 {
                return Err(RolesError::Writable {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = std::fs::read_to_string(path).map_err(io)?;
        Roles::parse(&text, path)
    }

    /// Parses a roles file's text; `path` is only named in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Roles, RolesError> {
        let p = || path.to_path_buf();
        let at = |offset: usize| line_of(text, offset);
        let doc: FileDoc = toml::from_str(text).map_err(|e| RolesError::Syntax {
            path: p(),
            line: e.span().map_or(1, |s| at(s.start)),
            message: e.message().trim().to_string(),
        })?;

        // Roles: the built-ins, then the file's definitions (which may redefine them).
        let mut roles: BTreeMap<String, Rights> = BUILTIN_ROLES
            .iter()
            .map(|r| (r.to_string(), builtin(r).unwrap_or_default()))
            .collect();
        let mut resolved: HashMap<String, Rights> = HashMap::new();
        for name in doc.roles.keys() {
            let rights = role_rights(name, &doc.roles, &mut resolved, &mut Vec::new(), text, path)?;
            roles.insert(name.clone(), rights);
        }

        let known_role = |r: &Spanned<String>| -> Result<String, RolesError> {
            let name = r.get_ref().trim();
            if roles.contains_key(name) {
                Ok(name.to_string())
            } else {
                Err(RolesError::UnknownRole {
                    path: p(),
                    line: at(r.span().start),
                    role: name.to_string(),
                })
            }
        };

        let mut users = HashMap::new();
        let mut uids = HashMap::new();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut entries: Vec<(&String, &Spanned<UserDef>)> = doc.users.iter().collect();
        entries.sort_by_key(|(_, u)| u.span().start);
        for (key, def) in entries {
            let line = at(def.span().start);
            let u = def.get_ref();
            let role = u.role.as_ref().map(known_role).transpose()?;
            let id_number = match &u.id_number {
                Some(id) => {
                    let v = id.get_ref().trim().to_ascii_uppercase();
                    idnum::parse(&v).map_err(|e| RolesError::Invalid {
                        path: p(),
                        line: at(id.span().start),
                        message: format!("用户“{key}”的身份证号无效：{e}"),
                    })?;
                    Some(v)
                }
                None => None,
            };
            if role.is_none() && id_number.is_none() && !u.self_access {
                return Err(RolesError::Invalid {
                    path: p(),
                    line,
                    message: format!("用户“{key}”既没有 role，也没有 id_number 或 self_access"),
                });
            }
            let entry = UserEntry {
                role,
                id_number,
                self_access: u.self_access,
            };
            // One identity per entry: `uid:1001` and `uid:01001` are the same user.
            let (canon, uid) = match key.trim().strip_prefix("uid:") {
                Some(n) => {
                    let uid: u32 = n.trim().parse().map_err(|_| RolesError::Invalid {
                        path: p(),
                        line,
                        message: format!("“{key}”不是有效的 uid（应为 uid:数字，如 uid:1001）"),
                    })?;
                    (format!("uid:{uid}"), Some(uid))
                }
                None => (key.trim().to_string(), None),
            };
            if canon.is_empty() {
                return Err(RolesError::Invalid {
                    path: p(),
                    line,
                    message: "用户名为空".into(),
                });
            }
            if let Some(&first) = first_line.get(&canon) {
                return Err(RolesError::DuplicateUser {
                    path: p(),
                    line,
                    user: canon,
                    first,
                });
            }
            first_line.insert(canon.clone(), line);
            match uid {
                Some(uid) => uids.insert(uid, entry),
                None => users.insert(canon, entry),
            };
        }

        let mut groups: Vec<(usize, String, String)> = Vec::new();
        for (name, def) in &doc.groups {
            groups.push((
                def.span().start,
                name.trim().to_string(),
                known_role(&def.get_ref().role)?,
            ));
        }
        groups.sort_by_key(|g| g.0);

        Ok(Roles {
            path: path.to_path_buf(),
            roles,
            users,
            uids,
            groups: groups.into_iter().map(|(_, g, r)| (g, r)).collect(),
        })
    }

    /// The file this was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Users (names and `uid:N`) whose entry has no ID-number link: nothing can be excluded for
    /// them, so the service warns about each at start.
    pub fn unlinked_users(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .users
            .iter()
            .filter(|(_, e)| e.id_number.is_none() && !e.self_access)
            .map(|(n, _)| n.clone())
            .chain(
                self.uids
                    .iter()
                    .filter(|(_, e)| e.id_number.is_none() && !e.self_access)
                    .map(|(u, _)| format!("uid:{u}")),
            )
            .collect();
        out.sort();
        out
    }

    /// The rights of a role, built-in or defined in the file.
    pub fn rights(&self, role: &str) -> Option<Rights> {
        self.roles.get(role).copied()
    }

    /// What a user may do: their own entry (by name, else by uid) when it names a role, else the
    /// first group in the file's order that the user belongs to. No union of several groups
    /// (least privilege). None: no access at all. The ID-number link and `self_access` come
    /// from the user's entry only.
    pub fn resolve(&self, user: &str, uid: u32, groups: &[String]) -> Option<Grant> {
        let entry = self.users.get(user).or_else(|| self.uids.get(&uid));
        let role = entry.and_then(|e| e.role.clone()).or_else(|| {
            self.groups
                .iter()
                .find(|(g, _)| groups.iter().any(|ug| ug == g))
                .map(|(_, r)| r.clone())
        })?;
        let rights = self.rights(&role)?;
        Some(Grant {
            user: user.to_string(),
            role,
            rights,
            own_id_number: entry.and_then(|e| e.id_number.clone()),
            self_access: entry.is_some_and(|e| e.self_access) || rights.has(Right::SelfAccess),
        })
    }
}

/// The rights of a role defined in the file, following `inherits` (which must not loop).
fn role_rights(
    name: &str,
    defs: &BTreeMap<String, Spanned<RoleDef>>,
    resolved: &mut HashMap<String, Rights>,
    chain: &mut Vec<String>,
    text: &str,
    path: &Path,
) -> Result<Rights, RolesError> {
    if let Some(r) = resolved.get(name) {
        return Ok(*r);
    }
    let Some(def) = defs.get(name) else {
        return builtin(name).ok_or_else(|| RolesError::UnknownRole {
            path: path.to_path_buf(),
            line: 1,
            role: name.to_string(),
        });
    };
    if chain.iter().any(|c| c == name) {
        return Err(RolesError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, def.span().start),
            message: format!("角色继承成环：{} → {name}", chain.join(" → ")),
        });
    }
    chain.push(name.to_string());
    let d = def.get_ref();
    let mut rights = match &d.inherits {
        Some(parent) => {
            let pname = parent.get_ref().trim();
            if pname == name || defs.contains_key(pname) {
                role_rights(pname, defs, resolved, chain, text, path)?
            } else {
                builtin(pname).ok_or_else(|| RolesError::UnknownRole {
                    path: path.to_path_buf(),
                    line: line_of(text, parent.span().start),
                    role: pname.to_string(),
                })?
            }
        }
        None => Rights::NONE,
    };
    for r in &d.rights {
        let right = Right::parse(r.get_ref()).ok_or_else(|| RolesError::UnknownRight {
            path: path.to_path_buf(),
            line: line_of(text, r.span().start),
            right: r.get_ref().clone(),
            known: Right::ALL.map(Right::name).join("、"),
        })?;
        rights = rights.with(right);
    }
    chain.pop();
    resolved.insert(name.to_string(), rights);
    Ok(rights)
}

// ---------------------------------------------------------------------------------------------
// Withholding in dossiers

/// Withholds from a dossier what the grant may not see; returns the sections withheld (all
/// the grant withholds, whether or not this dossier had anything there).
pub fn redact(grant: &Grant, d: &mut Dossier) -> Vec<Section> {
    let withheld = grant.withheld();
    for s in &withheld {
        match s {
            Section::IdNumber => d.identity.id_number.clear(),
            Section::Family => d.family.clear(),
            Section::Findings => d.findings.clear(),
            Section::Punishments => d.rewards.retain(|r| !is_supervision_outcome(r)),
            Section::TalkNotes => d.assessments.iter_mut().for_each(|a| a.talk_notes.clear()),
        }
    }
    withheld
}

/// A save that would lose what the saver could not see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error(
        "{year} 年度考核含有您无权查看的谈话记录，不能删除该年度考核或修改其年份；如需修改请联系有谈话记录权限的人员"
    )]
    TalkNotesDropped { year: i16 },
}

/// Before saving `edited` (made from a redacted copy of `stored`), puts back the stored values
/// of every section the grant withholds: the ID number, family, findings, punishments and
/// organizational handling (in their places among the visible rewards), and talk notes (by
/// assessment year, the k-th assessment of a year to the k-th). Anything the user put into a
/// section they cannot see is dropped: one does not write what one may not read. A save that
/// removed an assessment year whose talk notes are withheld is refused.
pub fn merge_withheld(
    grant: &Grant,
    edited: &mut Dossier,
    stored: &Dossier,
) -> Result<(), MergeError> {
    for s in grant.withheld() {
        match s {
            Section::IdNumber => edited.identity.id_number = stored.identity.id_number.clone(),
            Section::Family => edited.family = stored.family.clone(),
            Section::Findings => edited.findings = stored.findings.clone(),
            Section::Punishments => {
                let visible = std::mem::take(&mut edited.rewards);
                edited.rewards = merge_hidden(visible, &stored.rewards, is_supervision_outcome);
            }
            Section::TalkNotes => {
                let mut seen: HashMap<i16, usize> = HashMap::new();
                let mut used: HashSet<usize> = HashSet::new();
                for a in &mut edited.assessments {
                    let k = seen.entry(a.year).or_default();
                    let found = stored
                        .assessments
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.year == a.year)
                        .nth(*k);
                    *k += 1;
                    a.talk_notes = match found {
                        Some((i, s)) => {
                            used.insert(i);
                            s.talk_notes.clone()
                        }
                        None => String::new(),
                    };
                }
                if let Some((_, s)) = stored
                    .assessments
                    .iter()
                    .enumerate()
                    .find(|(i, s)| !used.contains(i) && !s.talk_notes.is_empty())
                {
                    return Err(MergeError::TalkNotesDropped { year: s.year });
                }
            }
        }
    }
    Ok(())
}

/// `edited` (visible items only, as the user left them) with the hidden items of `stored` put
/// back where they were. Stored visible items still present unchanged in `edited` are matched
/// in order and serve as anchors; between two anchors, a run of hidden items that followed `u`
/// changed or deleted visible items goes after `u` of the items now there (at most all of
/// them). Exact for changes, additions and deletions of distinct items; where a deletion and a
/// change meet in one gap a hidden item may move by a place among visible ones, never be lost.
fn merge_hidden<T: Clone + PartialEq>(
    mut edited: Vec<T>,
    stored: &[T],
    hidden: impl Fn(&T) -> bool,
) -> Vec<T> {
    edited.retain(|t| !hidden(t));
    let mut inserts: Vec<(usize, T)> = Vec::new();
    // The current gap: where it starts in `edited`, how many unmatched visible stored items it
    // has seen, and the hidden items waiting with that count.
    let mut gap_start = 0;
    let mut unmatched = 0;
    let mut pending: Vec<(usize, T)> = Vec::new();
    let mut next = 0;
    let close =
        |gap_start: usize, end: usize, pending: &mut Vec<(usize, T)>, out: &mut Vec<(usize, T)>| {
            let room = end - gap_start;
            out.extend(pending.drain(..).map(|(u, t)| (gap_start + u.min(room), t)));
        };
    for s in stored {
        if hidden(s) {
            pending.push((unmatched, s.clone()));
            continue;
        }
        match edited[next..].iter().position(|e| e == s) {
            Some(j) => {
                close(gap_start, next + j, &mut pending, &mut inserts);
                next += j + 1;
                gap_start = next;
                unmatched = 0;
            }
            None => unmatched += 1,
        }
    }
    close(gap_start, edited.len(), &mut pending, &mut inserts);
    let mut out = Vec::with_capacity(edited.len() + inserts.len());
    let mut inserts = inserts.into_iter().peekable();
    for (j, e) in edited.into_iter().enumerate() {
        while let Some((_, t)) = inserts.next_if(|(at, _)| *at <= j) {
            out.push(t);
        }
        out.push(e);
    }
    out.extend(inserts.map(|(_, t)| t));
    out
}

// ---------------------------------------------------------------------------------------------
// Own and relatives' dossiers

/// Whether two birth dates agree at the precision both have (a bare year matches its months):
/// when in doubt a dossier is excluded rather than shown.
pub fn birth_matches(a: &PartialDate, b: &PartialDate) -> bool {
    a.y() == b.y()
        && match (a.m(), b.m()) {
            (Some(x), Some(y)) => x == y && a.d().zip(b.d()).is_none_or(|(x, y)| x == y),
            _ => true,
        }
}

fn relative_key(name: &str, year: i16) -> u64 {
    let mut h = DefaultHasher::new();
    name.trim().hash(&mut h);
    year.hash(&mut h);
    h.finish()
}

/// Which dossiers list a family member of a given name and birth year: the reverse of every
/// dossier's family list, as hashes (no names), so the service can find, without reading every
/// dossier, the dossiers that list a user as a relative. Built once from all dossiers and kept
/// up to date with `upsert` and `remove`; candidates are confirmed by reading the dossier.
#[derive(Clone, Debug, Default)]
pub struct RelativeIndex {
    by_key: HashMap<u64, Vec<DossierId>>,
    keys_of: HashMap<DossierId, Vec<u64>>,
}

impl RelativeIndex {
    pub fn build<'a>(dossiers: impl IntoIterator<Item = &'a Dossier>) -> Self {
        let mut ix = RelativeIndex::default();
        for d in dossiers {
            ix.upsert(d);
        }
        ix
    }

    /// Adds or replaces a dossier's family members.
    pub fn upsert(&mut self, d: &Dossier) {
        self.remove(d.id);
        let mut keys: Vec<u64> = d
            .family
            .iter()
            .filter(|m| !m.name.trim().is_empty())
            .filter_map(|m| m.birth.map(|b| relative_key(&m.name, b.y())))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for k in &keys {
            self.by_key.entry(*k).or_default().push(d.id);
        }
        if !keys.is_empty() {
            self.keys_of.insert(d.id, keys);
        }
    }

    pub fn remove(&mut self, id: DossierId) {
        for k in self.keys_of.remove(&id).unwrap_or_default() {
            if let Some(v) = self.by_key.get_mut(&k) {
                v.retain(|x| *x != id);
                if v.is_empty() {
                    self.by_key.remove(&k);
                }
            }
        }
    }

    /// Dossiers that may list a relative of this name born in this year.
    pub fn candidates(&self, name: &str, year: i16) -> &[DossierId] {
        self.by_key
            .get(&relative_key(name, year))
            .map_or(&[], Vec::as_slice)
    }
}

fn lists(member: &FamilyMember, name: &str, birth: &PartialDate) -> bool {
    member.name.trim() == name.trim() && member.birth.is_some_and(|b| birth_matches(&b, birth))
}

/// The dossiers a user may not see: their own and their relatives'.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusion {
    own: Vec<DossierId>,
    hidden: HashSet<DossierId>,
}

impl Exclusion {
    /// Nothing excluded (self_access, or the embedded mode).
    pub fn none() -> Exclusion {
        Exclusion::default()
    }

    /// Computed once per connection: unless the grant has self_access, the dossiers whose ID
    /// number is the user's `own_id_number`; the dossiers of people the own dossier lists as
    /// family (same name, and a birth date that agrees, both present); and the dossiers that
    /// list the user (own name and birth) as family (candidates from `relatives`, confirmed by
    /// reading them with `fetch`). Without an ID-number link nothing is known and nothing is
    /// excluded.
    pub fn build(
        grant: &Grant,
        facts: &Facts,
        relatives: &RelativeIndex,
        mut fetch: impl FnMut(DossierId) -> Option<Dossier>,
    ) -> Exclusion {
        let mut ex = Exclusion::none();
        if grant.self_access {
            return ex;
        }
        let Some(own_id) = grant.own_id_number.as_deref().map(str::trim) else {
            return ex;
        };
        if own_id.is_empty() {
            return ex;
        }
        let own: Vec<usize> = (0..facts.len())
            .filter(|&i| {
                facts
                    .id_number(&facts.people[i])
                    .trim()
                    .eq_ignore_ascii_case(own_id)
            })
            .collect();
        for &i in &own {
            let me = &facts.people[i];
            ex.own.push(me.id);
            ex.hidden.insert(me.id);
            let (my_name, my_birth) = (facts.name(me).to_string(), me.birth);
            // Relatives the own dossier lists.
            if let Some(d) = fetch(me.id) {
                for m in &d.family {
                    let Some(birth) = m.birth else { continue };
                    if m.name.trim().is_empty() {
                        continue;
                    }
                    for (k, p) in facts.people.iter().enumerate() {
                        if k != i
                            && birth_matches(&p.birth, &birth)
                            && facts.name(p).trim() == m.name.trim()
                        {
                            ex.hidden.insert(p.id);
                        }
                    }
                }
            }
            // Dossiers that list the user.
            for &cand in relatives.candidates(&my_name, my_birth.y()) {
                if cand == me.id || ex.hidden.contains(&cand) {
                    continue;
                }
                if fetch(cand)
                    .is_some_and(|d| d.family.iter().any(|m| lists(m, &my_name, &my_birth)))
                {
                    ex.hidden.insert(cand);
                }
            }
        }
        ex
    }

    pub fn contains(&self, id: DossierId) -> bool {
        self.hidden.contains(&id)
    }
    /// The user's own dossiers (normally one).
    pub fn own(&self) -> &[DossierId] {
        &self.own
    }
    /// Every excluded dossier.
    pub fn hidden(&self) -> &HashSet<DossierId> {
        &self.hidden
    }
}

// ---------------------------------------------------------------------------------------------
// Facts shipped to a client

/// A copy of the facts for a client of this grant: without the hidden people (their names, ID
/// numbers and texts do not stay behind in the arenas or the pool), without ID numbers unless
/// IdNumbers, without the family flags unless Family, without findings counts and punishments
/// unless Findings.
pub fn redact_facts(grant: &Grant, facts: &Facts, hidden: &HashSet<DossierId>) -> Facts {
    let mut f = facts.clone();
    for id in hidden {
        f.remove(*id);
    }
    let mut f = f.compacted();
    if !grant.can(Right::IdNumbers) {
        f.id_numbers = Arena::default();
        for p in &mut f.people {
            p.id_number = Span::default();
        }
    }
    if !grant.can(Right::Family) {
        for p in &mut f.people {
            p.family_business = false;
            p.family_employed = false;
            p.family_business_latest = None;
        }
    }
    if !grant.can(Right::Findings) {
        let old = std::mem::take(&mut f.rewards);
        for p in &mut f.people {
            let start = f.rewards.len() as u32;
            f.rewards
                .extend(old[p.rewards.range()].iter().filter(|r| !r.punishment));
            p.rewards = Rows {
                start,
                len: (f.rewards.len() as u32 - start) as u16,
            };
            p.findings = 0;
            p.open_findings = 0;
        }
    }
    // A pool of only the texts the remaining people use.
    let mut pool = Pool::default();
    let old = std::mem::take(&mut f.pool);
    let mut re = |sid: &mut u32| *sid = pool.intern(old.get(*sid));
    for p in &mut f.people {
        re(&mut p.ethnicity);
        re(&mut p.native_place);
        re(&mut p.birthplace);
    }
    for post in &mut f.postings {
        re(&mut post.unit_display);
        re(&mut post.unit_name);
        re(&mut post.position);
        re(&mut post.portfolio);
    }
    for c in &mut f.courses {
        re(&mut c.school);
        re(&mut c.major);
    }
    f.pool = pool;
    f.shrink();
    f.reindex();
    f
}

// ---------------------------------------------------------------------------------------------
// Filters

/// Refuses a filter that needs what the grant may not see (a filter is an oracle: 有监督信息
/// on a withheld section would tell it back); the message names the condition. The filter
/// language has no condition on ID numbers or family today; a new condition must be placed
/// here (the match has no catch-all).
pub fn check_filter(grant: &Grant, expr: &Expr) -> Result<(), String> {
    if !grant.can(Right::Lookup) {
        return Err(format!(
            "当前角色（{}）没有查询权限，不能使用筛选",
            grant.role
        ));
    }
    check_expr(grant, expr)
}

fn check_expr(grant: &Grant, expr: &Expr) -> Result<(), String> {
    match expr {
        Expr::And(v) | Expr::Or(v) => v.iter().try_for_each(|e| check_expr(grant, e)),
        Expr::Not(e) => check_expr(grant, e),
        Expr::Cond(c) => {
            let needs = match c {
                Cond::Flag(Flag::HasFindings | Flag::OpenFindings | Flag::Punished(_)) => {
                    Some(Right::Findings)
                }
                Cond::Flag(Flag::Reserve | Flag::Rewarded(_) | Flag::Probation)
                | Cond::Num { .. }
                | Cond::Enum { .. }
                | Cond::In { .. }
                | Cond::Text { .. }
                | Cond::Post { .. }
                | Cond::PostCount { .. }
                | Cond::Grade { .. } => None,
            };
            match needs {
                Some(r) if !grant.can(r) => Err(format!(
                    "筛选条件“{c}”涉及{}，当前角色（{}）无权查看，不能用作条件",
                    r.label(),
                    grant.role
                )),
                _ => Ok(()),
            }
        }
    }
}
