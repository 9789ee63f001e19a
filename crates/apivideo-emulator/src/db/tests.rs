//! The store's documents, transactions and tokens, on a real SQLite file.

use super::*;

#[test]
fn documents_are_scoped_by_project_and_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("db.sqlite")).unwrap();
    db.put("a", Kind::Video, "v1", None, &serde_json::json!({"n": 1}))
        .unwrap();
    db.put("a", Kind::Video, "v2", None, &serde_json::json!({"n": 2}))
        .unwrap();
    db.put("b", Kind::Video, "v3", None, &serde_json::json!({"n": 3}))
        .unwrap();
    db.put("a", Kind::Video, "v1", None, &serde_json::json!({"n": 10}))
        .unwrap();
    let list: Vec<serde_json::Value> = db.list("a", Kind::Video, None).unwrap();
    assert_eq!(
        list,
        [serde_json::json!({"n": 10}), serde_json::json!({"n": 2})]
    );
    assert!(
        db.get::<serde_json::Value>("b", Kind::Video, "v1")
            .unwrap()
            .is_none()
    );
    let (project, _) = db
        .find::<serde_json::Value>(Kind::Video, "v3")
        .unwrap()
        .unwrap();
    assert_eq!(project, "b");
    assert!(db.delete("a", Kind::Video, "v1").unwrap());
    assert!(!db.delete("a", Kind::Video, "v1").unwrap());
}

#[test]
fn a_moved_document_keeps_its_place_and_a_tree_goes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("db.sqlite")).unwrap();
    let doc = |n: i64| serde_json::json!({ "n": n });
    db.put("a", Kind::Video, "v1", None, &doc(1)).unwrap();
    db.put("a", Kind::Video, "v2", None, &doc(2)).unwrap();
    db.put("a", Kind::Ingest, "v1", None, &doc(3)).unwrap();
    db.put("a", Kind::Caption, "v1/en", Some("v1"), &doc(4))
        .unwrap();
    db.put("a", Kind::Caption, "v2/en", Some("v2"), &doc(5))
        .unwrap();
    // Sessions of each video, with an event each.
    db.put("a", Kind::Session, "ps1", Some("v1"), &doc(6))
        .unwrap();
    db.put("a", Kind::SessionEvent, "ev1", Some("ps1"), &doc(7))
        .unwrap();
    db.put("a", Kind::Session, "ps2", Some("v2"), &doc(8))
        .unwrap();
    db.put("a", Kind::SessionEvent, "ev2", Some("ps2"), &doc(9))
        .unwrap();
    assert!(
        db.move_kind("a", "v1", Kind::Video, Kind::DiscardedVideo, &doc(10))
            .unwrap()
    );
    assert!(
        !db.move_kind("a", "v1", Kind::Video, Kind::DiscardedVideo, &doc(10))
            .unwrap()
    );
    assert!(
        !db.move_kind("b", "v2", Kind::Video, Kind::DiscardedVideo, &doc(10))
            .unwrap()
    );
    let live: Vec<serde_json::Value> = db.list("a", Kind::Video, None).unwrap();
    assert_eq!(live, [doc(2)]);
    let all: Vec<(String, serde_json::Value)> = db.list_all(Kind::DiscardedVideo).unwrap();
    assert_eq!(all, [("a".to_owned(), doc(10))]);
    assert!(
        db.move_kind("a", "v1", Kind::DiscardedVideo, Kind::Video, &doc(1))
            .unwrap()
    );
    let live: Vec<serde_json::Value> = db.list("a", Kind::Video, None).unwrap();
    assert_eq!(live, [doc(1), doc(2)], "back in its place");

    let tree = |db: &Db| {
        let attached = Attached {
            same_id: &[Kind::Ingest],
            children: &[Kind::Caption, Kind::Session],
            grandchildren: &[(Kind::Session, Kind::SessionEvent)],
        };
        db.delete_tree("a", Kind::Video, "v1", attached).unwrap()
    };
    assert!(tree(&db));
    assert!(!tree(&db));
    assert!(
        db.get::<serde_json::Value>("a", Kind::Ingest, "v1")
            .unwrap()
            .is_none()
    );
    let captions: Vec<serde_json::Value> = db.list("a", Kind::Caption, None).unwrap();
    assert_eq!(captions, [doc(5)], "only the other video's caption is left");
    let sessions: Vec<serde_json::Value> = db.list("a", Kind::Session, None).unwrap();
    assert_eq!(sessions, [doc(8)], "only the other video's session is left");
    let events: Vec<serde_json::Value> = db.list("a", Kind::SessionEvent, None).unwrap();
    assert_eq!(events, [doc(9)], "and its event");
}

#[test]
fn counters_start_at_zero_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let db = Db::open(&path).unwrap();
    assert_eq!(db.counter("c").unwrap(), 0);
    db.set_counter("c", 42).unwrap();
    db.set_counter("c", 43).unwrap();
    drop(db);
    assert_eq!(Db::open(&path).unwrap().counter("c").unwrap(), 43);
}

#[test]
fn tokens_expire() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("db.sqlite")).unwrap();
    db.put_token("t", TokenKind::Access, "p", 100).unwrap();
    assert_eq!(
        db.token_project("t", TokenKind::Access, 99)
            .unwrap()
            .as_deref(),
        Some("p")
    );
    assert_eq!(db.token_project("t", TokenKind::Access, 100).unwrap(), None);
    assert_eq!(db.token_project("t", TokenKind::Refresh, 0).unwrap(), None);
    db.put_token("r", TokenKind::Refresh, "pr1", 100).unwrap();
    assert_eq!(db.take_token("r", TokenKind::Access, 0).unwrap(), None);
    assert_eq!(db.take_token("r", TokenKind::Refresh, 100).unwrap(), None);
    assert_eq!(
        db.take_token("r", TokenKind::Refresh, 99)
            .unwrap()
            .as_deref(),
        Some("pr1")
    );
    assert_eq!(db.take_token("r", TokenKind::Refresh, 0).unwrap(), None);
}

#[test]
fn tokens_outlive_the_memory_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let db = Db::open(&path).unwrap();
    db.put_token("t", TokenKind::Access, "p", 100).unwrap();
    db.put_token("gone", TokenKind::Access, "p", 100).unwrap();
    db.revoke_tokens().unwrap();
    db.put_token("t", TokenKind::Access, "p", 100).unwrap();
    drop(db);
    // A new process: nothing cached, SQLite answers.
    let db = Db::open(&path).unwrap();
    let project = |token: &str, now| db.token_project(token, TokenKind::Access, now).unwrap();
    assert_eq!(project("t", 99).as_deref(), Some("p"));
    assert_eq!(project("t", 100), None);
    assert_eq!(project("gone", 0), None, "revoked before the restart");
    assert_eq!(db.purge_tokens(100).unwrap(), 1);
    assert_eq!(project("t", 0), None, "purged");
}

#[test]
fn a_new_database_is_stamped_and_another_format_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let db = Db::open(&path).unwrap();
    db.put("a", Kind::Video, "v1", None, &serde_json::json!({"n": 1}))
        .unwrap();
    drop(db);
    let version = |path: &Path| -> i64 {
        Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    };
    assert_eq!(version(&path), FORMAT);
    // Reopened at its format, it reads what it holds.
    let db = Db::open(&path).unwrap();
    let v1: Option<serde_json::Value> = db.get("a", Kind::Video, "v1").unwrap();
    assert_eq!(v1, Some(serde_json::json!({"n": 1})));
    drop(db);

    // Unnumbered (0) with documents, or a later format: refused, with the
    // format found, and nothing changed.
    for found in [0, FORMAT + 1] {
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", found)
            .unwrap();
        match Db::open(&path) {
            Err(DbError::Format { found: f }) => assert_eq!(f, found),
            other => panic!("format {found}: {other:?}"),
        }
        assert_eq!(version(&path), found);
        let rows: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM resources", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    // Unnumbered without documents (tokens, counters only): stamped.
    let empty = dir.path().join("empty.sqlite");
    Connection::open(&empty)
        .unwrap()
        .execute_batch(SCHEMA)
        .unwrap();
    assert_eq!(version(&empty), 0);
    Db::open(&empty).unwrap();
    assert_eq!(version(&empty), FORMAT);
}
