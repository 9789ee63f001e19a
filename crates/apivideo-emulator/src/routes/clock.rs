//! The current time as the API shows it in `createdAt`/`updatedAt`: UTC,
//! to the millisecond.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Now, truncated to milliseconds.
pub(super) fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(now)
}
