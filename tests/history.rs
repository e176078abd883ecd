//! History, undo and conflicts at the store: every write leaves an entry naming who, when and
//! each field's old and new value; undo restores the latest change only; a save against a
//! revision that moved is refused and changes nothing.

use cadre::history::{ChangeKind, ChangeMeta};
use cadre::model::{Dossier, Gender, PartialDate};
use cadre::store::{Store, StoreError};

fn meta(by: &str) -> ChangeMeta {
    ChangeMeta {
        by: by.into(),
        at: "2026-11-25 10:00:00".into(),
        kind: ChangeKind::Edited,
    }
}

fn person() -> Dossier {
    Dossier::new("王明", Gender::Male, PartialDate::ym(1980, 5).unwrap())
}

#[test]
fn every_save_is_recorded_with_who_when_and_each_field() {
    let store = Store::temporary().unwrap();
    let id = store.create_dossier(person(), &meta("clerk1")).unwrap();
    assert_eq!(store.revision(id).unwrap(), 1);
    let (mut d, rev) = store.dossier_at_revision(id).unwrap().unwrap();
    d.identity.health = "健康".into();
    d.identity.native_place = "青州市临河县".into();
    let rev2 = store.save_dossier(&d, Some(rev), &meta("clerk2")).unwrap();
    assert_eq!(rev2, 2);
    let h = store.history(id).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].kind, ChangeKind::Created);
    assert_eq!(h[0].by, "clerk1");
    assert!(h[0].before.is_none());
    let e = &h[1];
    assert_eq!((e.seq, e.by.as_str()), (2, "clerk2"));
    assert_eq!(e.at, "2026-11-25 10:00:00");
    let fields: Vec<(&str, &str, &str)> = e
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![("籍贯", "", "青州市临河县"), ("健康状况", "", "健康")]
    );
    // update_dossier (no version check) is recorded too: nothing is overwritten silently.
    d.identity.health = "良好".into();
    store.update_dossier(&d).unwrap();
    assert_eq!(store.history(id).unwrap().len(), 3);
    let text = cadre::history::render(&store.history(id).unwrap()).join("\n");
    assert!(text.contains("健康状况：健康 -> 良好"), "{text}");
}

#[test]
fn undo_restores_the_latest_change_and_is_itself_recorded() {
    let store = Store::temporary().unwrap();
    let id = store.create_dossier(person(), &meta("a")).unwrap();
    let mut d = store.dossier(id).unwrap().unwrap();
    d.identity.health = "健康".into();
    store.save_dossier(&d, Some(1), &meta("a")).unwrap();
    d.identity.ethnicity = "回族".into();
    store.save_dossier(&d, Some(2), &meta("a")).unwrap();
    // An older change cannot be undone past a later one.
    assert!(matches!(
        store.undo(id, 2, "b", "t"),
        Err(StoreError::NotLatest { latest: 3, .. })
    ));
    assert!(matches!(
        store.undo(id, 1, "b", "t"),
        Err(StoreError::NotLatest { .. })
    ));
    let rev = store.undo(id, 3, "b", "t").unwrap();
    assert_eq!(rev, 4);
    let now = store.dossier(id).unwrap().unwrap();
    assert_eq!(now.identity.ethnicity, "汉族");
    assert_eq!(now.identity.health, "健康");
    let h = store.history(id).unwrap();
    assert_eq!(h.last().unwrap().kind, ChangeKind::Undone(3));
    assert_eq!(h.last().unwrap().by, "b");
    // Then the one before.
    store.undo(id, 4, "b", "t").unwrap();
    assert_eq!(
        store.dossier(id).unwrap().unwrap().identity.ethnicity,
        "回族"
    );
    assert!(matches!(
        store.undo(id, 9, "b", "t"),
        Err(StoreError::NoSuchChange { seq: 9, .. })
    ));
}

#[test]
fn undoing_a_creation_is_refused() {
    let store = Store::temporary().unwrap();
    let id = store.create_dossier(person(), &meta("a")).unwrap();
    assert!(matches!(
        store.undo(id, 1, "a", "t"),
        Err(StoreError::CannotUndoCreation)
    ));
}

#[test]
fn the_later_of_two_saves_from_the_same_revision_is_refused() {
    let store = Store::temporary().unwrap();
    let id = store.create_dossier(person(), &meta("a")).unwrap();
    // Two clerks, two handles, both open revision 1.
    let first = store.clone();
    let second = store.clone();
    let (mut mine, rev_a) = first.dossier_at_revision(id).unwrap().unwrap();
    let (mut theirs, rev_b) = second.dossier_at_revision(id).unwrap().unwrap();
    assert_eq!(rev_a, rev_b);
    mine.identity.health = "健康".into();
    theirs.identity.health = "良好".into();
    first.save_dossier(&mine, Some(rev_a), &meta("a")).unwrap();
    let err = second
        .save_dossier(&theirs, Some(rev_b), &meta("b"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    // Nothing was overwritten and no entry was written for the refused save.
    assert_eq!(store.dossier(id).unwrap().unwrap().identity.health, "健康");
    assert_eq!(store.history(id).unwrap().len(), 2);
    assert!(err.to_string().contains("已被他人修改"));
}

#[test]
fn an_import_replacement_is_recorded_and_its_entry_rolls_back_with_it() {
    let store = Store::temporary().unwrap();
    let id = store.create_dossier(person(), &meta("a")).unwrap();
    let mut changed = store.dossier(id).unwrap().unwrap();
    changed.identity.health = "健康".into();
    let mut w = store.bulk().unwrap();
    w.replace_dossier(&changed).unwrap();
    w.rollback().unwrap();
    assert_eq!(store.history(id).unwrap().len(), 1);
    assert_eq!(store.dossier(id).unwrap().unwrap().identity.health, "");
    let mut w = store.bulk().unwrap();
    w.replace_dossier(&changed).unwrap();
    w.commit().unwrap();
    let h = store.history(id).unwrap();
    assert_eq!(h.last().unwrap().kind, ChangeKind::Imported);
}
