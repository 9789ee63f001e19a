//! Webhook delivery (to be implemented): every registered webhook of the
//! project that subscribes to `event` receives a POST, in the background,
//! with retries and backoff, never blocking the API request that caused it.

use crate::state::AppState;

/// Queues `event` (e.g. `video.encoding.quality.completed`) with `payload`
/// for delivery to the project's webhooks. Returns at once.
pub(crate) fn emit(state: &AppState, project: &str, event: &str, payload: serde_json::Value) {
    let _ = (state, project, event, payload);
}
