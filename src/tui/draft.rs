//! Drafts: an unsaved form kept on disk when the interface ends with the form open (quit, the
//! terminal closing, SIGHUP, SIGTERM), and offered back on the next start to the same
//! operating-system user on the same database only. One file per user under the user's data
//! directory, mode 0600, written under a temporary name and renamed into place. Owns the file
//! format and its place; the form's content is the form's. Never logs the draft's contents.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::form::{DraftValue, Form, FormKind};
use crate::model::{Dossier, DossierId};

/// An unsaved form and whose it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The operating-system user who typed it.
    pub user: String,
    /// The database it was typed against.
    pub db: String,
    /// When it was kept (local time).
    pub at: String,
    pub kind: FormKind,
    pub dossier: DossierId,
    /// The dossier and revision the form was opened on (the conflict check still applies).
    pub revision: u64,
    pub base: Dossier,
    pub values: Vec<DraftValue>,
}

impl Draft {
    pub fn of(form: &Form, user: &str, db: &str) -> Self {
        Draft {
            user: user.to_string(),
            db: db.to_string(),
            at: crate::user::now_text(),
            kind: form.kind,
            dossier: form.dossier,
            revision: form.revision,
            base: form.base.clone(),
            values: form.values(),
        }
    }
}

/// The draft file of `user` under `dir` (the data directory's `drafts`).
pub fn path(dir: &Path, user: &str) -> PathBuf {
    let safe: String = user
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.json"))
}

/// Keeps the draft, replacing the user's earlier one.
pub fn save(dir: &Path, draft: &Draft) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let dest = path(dir, &draft.user);
    let _ = std::fs::remove_file(dest.with_file_name(format!(
        ".{}.{}.partial",
        file_name(&dest),
        std::process::id()
    )));
    let mut file = crate::io::export::AtomicFile::create(&dest)?;
    serde_json::to_writer(file.writer(), draft)?;
    file.finish()?;
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The user's draft for this database, if there is one; a draft of another user or another
/// database is never returned.
pub fn load(dir: &Path, user: &str, db: &str) -> Option<Draft> {
    let text = std::fs::read_to_string(path(dir, user)).ok()?;
    match serde_json::from_str::<Draft>(&text) {
        Ok(d) if d.user == user && d.db == db => Some(d),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("draft unreadable, ignored: {e}");
            None
        }
    }
}

/// Forgets the user's draft (saved, cancelled or discarded).
pub fn remove(dir: &Path, user: &str) {
    let _ = std::fs::remove_file(path(dir, user));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gender, PartialDate, UnitDirectory};

    #[test]
    fn a_draft_round_trips_for_its_user_and_database_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = Dossier::new("王明", Gender::Male, PartialDate::ym(1980, 5).unwrap());
        let today = PartialDate::ymd(2026, 11, 25).unwrap();
        let form = Form::open(FormKind::Identity, d, 3, &UnitDirectory::default(), &today);
        let draft = Draft::of(&form, "clerk", "/db");
        save(dir.path(), &draft).unwrap();
        assert_eq!(load(dir.path(), "clerk", "/db"), Some(draft.clone()));
        assert_eq!(load(dir.path(), "other", "/db"), None);
        assert_eq!(load(dir.path(), "clerk", "/other-db"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path(), "clerk"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Saved again (the temporary name is reused safely), then removed.
        save(dir.path(), &draft).unwrap();
        remove(dir.path(), "clerk");
        assert_eq!(load(dir.path(), "clerk", "/db"), None);
    }
}
