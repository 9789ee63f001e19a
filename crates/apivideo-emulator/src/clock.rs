//! The emulator's one clock (`AppState::clock`): the real time plus an
//! offset that tests move forward through the admin API
//! (`POST /_emulator/clock/advance`), so that deadlines months away (a
//! discarded video's `deletesAt`, an upload token's `expiresAt`) can pass
//! without waiting. It gives two readings:
//!
//! - [`Clock::now`] and [`Clock::now_millis`], offset included: every date
//!   the API shows (`createdAt`, `updatedAt`, `discardedAt`, `deletesAt`,
//!   `expiresAt`, webhook `emittedAt`...) and every deadline derived from
//!   such a date, so the dates stay consistent with each other and with
//!   what has expired. Encoding is timed from its start date on this
//!   reading too, so a moved clock finds it done.
//! - [`Clock::real_millis`], without the offset: the lifetimes of access
//!   and refresh tokens and a broadcast's completion delay. Moving the
//!   clock by months must not log every client out, since clients that do
//!   not renew a token on a 401 would then fail for a reason the API never
//!   gives them.
//!
//! Rate-limit windows and timeouts measure intervals with the monotonic
//! `Instant`, which no clock change affects. The offset only grows, and
//! it is stored with the state, so dates never go back, not even across a
//! restart.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

use crate::db::{Db, DbResult};

/// Name of the stored offset in the database's counters.
const OFFSET_COUNTER: &str = "clock_offset_ms";

/// The furthest the clock can be moved ahead of the real time, in
/// milliseconds: a hundred years (36 525 days).
pub(crate) const MAX_OFFSET_MS: i64 = 36_525 * 86_400_000;

/// The real time plus a stored offset.
#[derive(Debug)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
    /// Serializes advances, so that the stored and the cached offsets agree.
    advancing: Mutex<()>,
}

/// Why the clock did not move.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AdvanceError {
    #[error("the clock cannot run more than a hundred years ahead")]
    TooFar,
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl Clock {
    /// The clock with the offset stored in `db` (none at first).
    pub(crate) fn load(db: &Db) -> DbResult<Self> {
        Ok(Self {
            offset_ms: AtomicI64::new(db.counter(OFFSET_COUNTER)?),
            advancing: Mutex::new(()),
        })
    }

    /// How far ahead of the real time the clock runs, in milliseconds.
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Acquire)
    }

    /// Now, in Unix milliseconds.
    pub(crate) fn now_millis(&self) -> i64 {
        Utc::now()
            .timestamp_millis()
            .saturating_add(self.offset_ms())
    }

    /// The real time in Unix milliseconds, without the offset, for the
    /// lifetimes that moving the clock must not end (see the module doc).
    pub(crate) fn real_millis(&self) -> i64 {
        Utc::now().timestamp_millis()
    }

    /// Now, to the millisecond, as the API writes dates.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_millis()).unwrap_or_default()
    }

    /// Moves the clock `by_ms` milliseconds ahead, stores the new offset
    /// in `db` and returns it. Fails, moving nothing, if the clock would
    /// run more than [`MAX_OFFSET_MS`] ahead.
    pub(crate) fn advance(&self, db: &Db, by_ms: i64) -> Result<i64, AdvanceError> {
        let _advancing = self.advancing.lock().unwrap_or_else(|e| e.into_inner());
        let offset = self
            .offset_ms()
            .checked_add(by_ms.max(0))
            .filter(|o| *o <= MAX_OFFSET_MS)
            .ok_or(AdvanceError::TooFar)?;
        db.set_counter(OFFSET_COUNTER, offset)?;
        self.offset_ms.store(offset, Ordering::Release);
        Ok(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_moves_dates_persists_and_has_a_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let db = Db::open(&path).unwrap();
        let clock = Clock::load(&db).unwrap();
        assert_eq!(clock.offset_ms(), 0);
        let before = Utc::now().timestamp_millis();
        let day = 86_400_000;
        assert_eq!(clock.advance(&db, 91 * day).unwrap(), 91 * day);
        let ahead = clock.now().timestamp_millis() - before;
        assert!((91 * day..92 * day).contains(&ahead), "{ahead}");
        assert!(matches!(
            clock.advance(&db, MAX_OFFSET_MS),
            Err(AdvanceError::TooFar)
        ));
        assert_eq!(
            clock.offset_ms(),
            91 * day,
            "a refused advance moves nothing"
        );
        drop(db);
        let reopened = Db::open(&path).unwrap();
        assert_eq!(Clock::load(&reopened).unwrap().offset_ms(), 91 * day);
    }
}
