//! State in SQLite: resources as JSON documents keyed by project, kind and
//! id, plus tokens, upload parts and named counters (the clock's offset).
//! A write of several rows is one transaction.
//!
//! Durability follows [`Durability`]: by default (WAL with
//! `synchronous=NORMAL`) every write acknowledged to a client survives the
//! process being killed, which is what the emulator promises; `full`
//! (`synchronous=FULL`) also survives the machine losing power, at the cost
//! of an fsync per write.
//!
//! SQLite calls block, so they never run on an async worker as is: on a
//! multi-threaded runtime every statement runs inside
//! [`tokio::task::block_in_place`], which hands the worker's other tasks to
//! another thread for the duration. (A current-thread runtime, as in a
//! plain `#[tokio::test]`, has no other worker to hand them to; there the
//! statement runs in place.)

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored document does not decode: {0}")]
    Json(#[from] serde_json::Error),
    /// The database holds documents of another format: written by an
    /// earlier emulator (0: before formats were numbered) or a later one.
    #[error(
        "the data directory holds state of format {found}, and this emulator reads format {FORMAT}; start it on an empty data directory"
    )]
    Format { found: i64 },
}

/// The format of the stored documents, kept as SQLite's `user_version`.
/// It changes when a stored type changes in a way an earlier document
/// does not decode (a field made required), so that a data directory of
/// another format is refused at start, saying so, rather than answering
/// 500 at the first read of an old document.
pub(crate) const FORMAT: i64 = 1;

pub(crate) type DbResult<T> = Result<T, DbError>;

/// What [`Db::delete_tree`] deletes with a document.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Attached<'a> {
    /// Kinds stored under the document's id (a video's ingest state).
    pub(crate) same_id: &'a [Kind],
    /// Kinds whose parent is the document (a video's captions).
    pub(crate) children: &'a [Kind],
    /// Kinds whose parent is one of the document's children, each with
    /// that child's kind: `(Kind::Session, Kind::SessionEvent)` for the
    /// events of a video's sessions.
    pub(crate) grandchildren: &'a [(Kind, Kind)],
}

/// How hard a write is made durable before it is acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// Survives the emulator's process being killed (WAL with
    /// `synchronous=NORMAL`): no fsync per write.
    #[default]
    Process,
    /// Also survives the machine losing power (`synchronous=FULL`): an
    /// fsync per write.
    Full,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Process => "NORMAL",
            Durability::Full => "FULL",
        }
    }
}

/// Runs blocking work where it does not stall an async worker.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// The kinds of stored documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Video,
    /// A video deleted while Video Restore was on, until it is restored or
    /// purged; its captions, chapters and ingest state keep their own kinds.
    DiscardedVideo,
    UploadToken,
    LiveStream,
    Player,
    Caption,
    Chapter,
    Webhook,
    Watermark,
    /// A video summary, parent: video id.
    Summary,
    /// The automatic captions asked for a video, id and parent: video id.
    Transcript,
    /// A player session (analytics), parent: video or live stream id.
    Session,
    /// A player session event, parent: session id.
    SessionEvent,
    /// What the player collector keeps of a session it opened, id: session
    /// id, parent: video id.
    CollectorSession,
    /// Ingest state of a video's source upload, id: video id.
    Ingest,
    /// Broadcast state of a live stream (a completion under way, a closed
    /// playlist), id: live stream id.
    Broadcast,
    /// The emulator settings of a project, id: [`SETTINGS_ID`].
    Settings,
}

/// The id of the one [`Kind::Settings`] document of a project.
pub(crate) const SETTINGS_ID: &str = "project";

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Video => "video",
            Kind::DiscardedVideo => "discarded_video",
            Kind::UploadToken => "upload_token",
            Kind::LiveStream => "live_stream",
            Kind::Player => "player",
            Kind::Caption => "caption",
            Kind::Chapter => "chapter",
            Kind::Webhook => "webhook",
            Kind::Watermark => "watermark",
            Kind::Summary => "summary",
            Kind::Transcript => "transcript",
            Kind::Session => "session",
            Kind::SessionEvent => "session_event",
            Kind::CollectorSession => "collector_session",
            Kind::Ingest => "ingest",
            Kind::Broadcast => "broadcast",
            Kind::Settings => "settings",
        }
    }
}

/// What a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
}

/// A token as cached in memory: its kind, project and expiry (ms).
type CachedToken = (TokenKind, String, i64);

/// The store. Queries are short, so one connection behind a mutex serves.
/// Tokens, read on every request, are also cached in memory.
pub(crate) struct Db {
    conn: Mutex<Connection>,
    tokens: Mutex<std::collections::HashMap<String, CachedToken>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS resources (
    project TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (project, kind, id)
);
CREATE INDEX IF NOT EXISTS resources_parent ON resources (project, kind, parent);
CREATE INDEX IF NOT EXISTS resources_id ON resources (kind, id);
-- Inserts read MAX(seq): with this index that is one lookup, not a scan.
CREATE INDEX IF NOT EXISTS resources_seq ON resources (seq);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    project TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
";

/// Stamps a database without documents with [`FORMAT`]; refuses one whose
/// documents are of another format (an unnumbered one with documents
/// included).
fn check_format(conn: &Connection) -> DbResult<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found == FORMAT {
        return Ok(());
    }
    let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM resources)", [], |row| {
        row.get(0)
    })?;
    if found == 0 && empty {
        conn.pragma_update(None, "user_version", FORMAT)?;
        return Ok(());
    }
    Err(DbError::Format { found })
}

impl Db {
    /// Opens (or creates) the database file, with the default durability.
    #[cfg(test)]
    pub(crate) fn open(path: &Path) -> DbResult<Self> {
        Self::open_with(path, Durability::default())
    }

    /// Opens (or creates) the database file.
    pub(crate) fn open_with(path: &Path, durability: Durability) -> DbResult<Self> {
        let conn = Connection::open(path)?;
        conn.execute_batch(SCHEMA)?;
        check_format(&conn)?;
        conn.pragma_update(None, "synchronous", durability.pragma())?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Self {
            conn: Mutex::new(conn),
            tokens: Mutex::default(),
        })
    }

    fn token_cache(&self) -> MutexGuard<'_, std::collections::HashMap<String, CachedToken>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the connection, off the async workers (see the module
    /// docs).
    fn with_conn<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> R {
        blocking(|| {
            // A panic while holding the lock cannot leave SQLite
            // half-written (each statement or transaction is atomic), so a
            // poisoned lock is still usable.
            let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut conn)
        })
    }

    /// Inserts or replaces a document; a replaced one keeps its position.
    pub(crate) fn put<T: Serialize>(
        &self,
        project: &str,
        kind: Kind,
        id: &str,
        parent: Option<&str>,
        value: &T,
    ) -> DbResult<()> {
        let body = serde_json::to_string(value)?;
        self.with_conn(|conn| conn.execute(
            "INSERT INTO resources (project, kind, id, parent, seq, body)
             VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) + 1 FROM resources), ?5)
             ON CONFLICT (project, kind, id) DO UPDATE SET parent = excluded.parent, body = excluded.body",
            params![project, kind.as_str(), id, parent, body],
        ))?;
        Ok(())
    }

    /// One document of this project.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        project: &str,
        kind: Kind,
        id: &str,
    ) -> DbResult<Option<T>> {
        let body: Option<String> = self.with_conn(|conn| {
            conn.query_row(
                "SELECT body FROM resources WHERE project = ?1 AND kind = ?2 AND id = ?3",
                params![project, kind.as_str(), id],
                |row| row.get(0),
            )
            .optional()
        })?;
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }

    /// A document by id whatever its project, with the project: for
    /// requests that carry no credential (delegated uploads, assets).
    pub(crate) fn find<T: DeserializeOwned>(
        &self,
        kind: Kind,
        id: &str,
    ) -> DbResult<Option<(String, T)>> {
        let row: Option<(String, String)> = self.with_conn(|conn| {
            conn.query_row(
                "SELECT project, body FROM resources WHERE kind = ?1 AND id = ?2",
                params![kind.as_str(), id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
        })?;
        row.map(|(p, b)| Ok((p, serde_json::from_str(&b)?)))
            .transpose()
    }

    /// Every document of a kind in this project (under `parent` if given),
    /// oldest first.
    pub(crate) fn list<T: DeserializeOwned>(
        &self,
        project: &str,
        kind: Kind,
        parent: Option<&str>,
    ) -> DbResult<Vec<T>> {
        let bodies: Vec<String> = self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT body FROM resources WHERE project = ?1 AND kind = ?2 AND (?3 IS NULL OR parent = ?3) ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![project, kind.as_str(), parent], |row| {
                row.get::<_, String>(0)
            })?;
            rows.collect::<rusqlite::Result<_>>()
        })?;
        bodies
            .iter()
            .map(|body| Ok(serde_json::from_str(body)?))
            .collect()
    }

    /// Deletes one document; false if there was none.
    pub(crate) fn delete(&self, project: &str, kind: Kind, id: &str) -> DbResult<bool> {
        let n = self.with_conn(|conn| {
            conn.execute(
                "DELETE FROM resources WHERE project = ?1 AND kind = ?2 AND id = ?3",
                params![project, kind.as_str(), id],
            )
        })?;
        Ok(n > 0)
    }

    /// Every document of a kind, whatever its project, with the project;
    /// oldest first.
    pub(crate) fn list_all<T: DeserializeOwned>(&self, kind: Kind) -> DbResult<Vec<(String, T)>> {
        let rows: Vec<(String, String)> = self.with_conn(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT project, body FROM resources WHERE kind = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![kind.as_str()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()
        })?;
        rows.into_iter()
            .map(|(project, body)| Ok((project, serde_json::from_str(&body)?)))
            .collect()
    }

    /// Gives a document another kind and a new body in one statement,
    /// keeping its position among the documents; false if there was no
    /// document of kind `from` with this id.
    pub(crate) fn move_kind<T: Serialize>(
        &self,
        project: &str,
        id: &str,
        from: Kind,
        to: Kind,
        value: &T,
    ) -> DbResult<bool> {
        let body = serde_json::to_string(value)?;
        let n = self.with_conn(|conn| {
            conn.execute(
                "UPDATE resources SET kind = ?1, body = ?2 WHERE project = ?3 AND kind = ?4 AND id = ?5",
                params![to.as_str(), body, project, from.as_str(), id],
            )
        })?;
        Ok(n > 0)
    }

    /// Deletes one document and, in the same transaction, what is
    /// `attached` to it. False, with nothing deleted, if the document was
    /// not there.
    pub(crate) fn delete_tree(
        &self,
        project: &str,
        kind: Kind,
        id: &str,
        attached: Attached<'_>,
    ) -> DbResult<bool> {
        Ok(self.with_conn(|conn| {
            let tx = conn.transaction()?;
            let n = tx.execute(
                "DELETE FROM resources WHERE project = ?1 AND kind = ?2 AND id = ?3",
                params![project, kind.as_str(), id],
            )?;
            if n == 0 {
                return Ok::<_, rusqlite::Error>(false);
            }
            for other in attached.same_id {
                tx.execute(
                    "DELETE FROM resources WHERE project = ?1 AND kind = ?2 AND id = ?3",
                    params![project, other.as_str(), id],
                )?;
            }
            for (child, grandchild) in attached.grandchildren {
                tx.execute(
                    "DELETE FROM resources WHERE project = ?1 AND kind = ?2 AND parent IN
                     (SELECT id FROM resources WHERE project = ?1 AND kind = ?3 AND parent = ?4)",
                    params![project, grandchild.as_str(), child.as_str(), id],
                )?;
            }
            for child in attached.children {
                tx.execute(
                    "DELETE FROM resources WHERE project = ?1 AND kind = ?2 AND parent = ?3",
                    params![project, child.as_str(), id],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })?)
    }

    /// The value of a named counter; 0 if it was never set.
    pub(crate) fn counter(&self, name: &str) -> DbResult<i64> {
        Ok(self
            .with_conn(|conn| {
                conn.query_row(
                    "SELECT value FROM counters WHERE name = ?1",
                    params![name],
                    |row| row.get(0),
                )
                .optional()
            })?
            .unwrap_or(0))
    }

    /// Sets a named counter.
    pub(crate) fn set_counter(&self, name: &str, value: i64) -> DbResult<()> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT INTO counters (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )
        })?;
        Ok(())
    }

    /// Stores a token until `expires_at` (Unix milliseconds).
    pub(crate) fn put_token(
        &self,
        token: &str,
        kind: TokenKind,
        project: &str,
        expires_at: i64,
    ) -> DbResult<()> {
        self.with_conn(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO tokens (token, kind, project, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token, kind.as_str(), project, expires_at],
            )
        })?;
        self.token_cache()
            .insert(token.to_owned(), (kind, project.to_owned(), expires_at));
        Ok(())
    }

    /// The project a live token of this kind grants, if any. Tokens issued
    /// by this process are answered from memory (every write and removal
    /// of a token goes through the cache too); only those issued before a
    /// restart are looked up in SQLite.
    pub(crate) fn token_project(
        &self,
        token: &str,
        kind: TokenKind,
        now: i64,
    ) -> DbResult<Option<String>> {
        if let Some((cached_kind, project, expires_at)) = self.token_cache().get(token) {
            return Ok((*cached_kind == kind && *expires_at > now).then(|| project.clone()));
        }
        Ok(self.with_conn(|conn| {
            conn.query_row(
                "SELECT project FROM tokens WHERE token = ?1 AND kind = ?2 AND expires_at > ?3",
                params![token, kind.as_str(), now],
                |row| row.get(0),
            )
            .optional()
        })?)
    }

    /// Removes a live token of `kind` and gives its project, in one
    /// statement: of concurrent calls with the same token, one alone gets
    /// the project (a refresh token is used exactly once).
    pub(crate) fn take_token(
        &self,
        token: &str,
        kind: TokenKind,
        now: i64,
    ) -> DbResult<Option<String>> {
        self.token_cache().remove(token);
        Ok(self.with_conn(|conn| {
            conn.query_row(
                "DELETE FROM tokens WHERE token = ?1 AND kind = ?2 AND expires_at > ?3 RETURNING project",
                params![token, kind.as_str(), now],
                |row| row.get(0),
            )
            .optional()
        })?)
    }

    /// Removes every token.
    pub(crate) fn revoke_tokens(&self) -> DbResult<usize> {
        self.token_cache().clear();
        Ok(self.with_conn(|conn| conn.execute("DELETE FROM tokens", []))?)
    }

    /// Removes tokens that expired before `now`.
    pub(crate) fn purge_tokens(&self, now: i64) -> DbResult<usize> {
        self.token_cache()
            .retain(|_, (_, _, expires_at)| *expires_at > now);
        Ok(self.with_conn(|conn| {
            conn.execute("DELETE FROM tokens WHERE expires_at <= ?1", params![now])
        })?)
    }
}

#[cfg(test)]
mod tests;
