//! Per-project settings of the emulator, for features an api.video
//! project subscribes to: for now, Video Restore. A project's own choice,
//! made through the admin API, is stored with its state; a project that
//! never chose follows the emulator's configuration (off by default, as on
//! the API).

use serde::{Deserialize, Serialize};

use crate::db::{Kind, SETTINGS_ID};
use crate::problem::ApiResult;
use crate::state::AppState;

/// What a project chose; `None` follows the emulator's configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    video_restore: Option<bool>,
}

/// The settings in force for a project, as the admin API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Settings {
    /// Whether deleting a video discards it (restorable for 90 days)
    /// instead of deleting it for good.
    pub(crate) video_restore: bool,
}

/// A change of settings: the fields present are set for the project.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Change {
    #[serde(default)]
    pub(crate) video_restore: Option<bool>,
}

fn stored(state: &AppState, project: &str) -> ApiResult<Stored> {
    Ok(state
        .db
        .get(project, Kind::Settings, SETTINGS_ID)?
        .unwrap_or_default())
}

/// The settings in force for `project`.
pub(crate) fn of(state: &AppState, project: &str) -> ApiResult<Settings> {
    let stored = stored(state, project)?;
    Ok(Settings {
        video_restore: stored.video_restore.unwrap_or(state.config.video_restore),
    })
}

/// Whether `project` has Video Restore on.
pub(crate) fn video_restore(state: &AppState, project: &str) -> ApiResult<bool> {
    Ok(of(state, project)?.video_restore)
}

/// Applies `change` to `project` alone and returns its settings.
pub(crate) fn change(state: &AppState, project: &str, change: Change) -> ApiResult<Settings> {
    let mut stored = stored(state, project)?;
    if change.video_restore.is_some() {
        stored.video_restore = change.video_restore;
    }
    state
        .db
        .put(project, Kind::Settings, SETTINGS_ID, None, &stored)?;
    of(state, project)
}
