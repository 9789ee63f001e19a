//! Player themes as stored: the theme with what its logo file is, the
//! logo's place on disk, and the colours of a theme created without them.

use apivideo_raw::types::{PlayerTheme, PlayerThemeCreationPayload};
use serde::{Deserialize, Serialize};

use crate::db::Kind;
use crate::ids::{self, prefix};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The colours of a theme created without them. The API always answers
/// every colour and documents no defaults; these are those of the theme in
/// its reference's examples.
struct Colours {
    text: &'static str,
    link: &'static str,
    link_hover: &'static str,
    link_active: &'static str,
    track_played: &'static str,
    track_unplayed: &'static str,
    track_background: &'static str,
    background_top: &'static str,
    background_bottom: &'static str,
    background_text: &'static str,
}

const DEFAULT_COLOURS: Colours = Colours {
    text: "rgba(255, 255, 255, .95)",
    link: "rgba(255, 0, 0, .95)",
    link_hover: "rgba(255, 255, 255, .75)",
    link_active: "rgba(255, 0, 0, .75)",
    track_played: "rgba(255, 255, 255, .95)",
    track_unplayed: "rgba(255, 255, 255, .1)",
    track_background: "rgba(0, 0, 0, 0)",
    background_top: "rgba(72, 4, 45, 1)",
    background_bottom: "rgba(94, 95, 89, 1)",
    background_text: "rgba(255, 255, 255, .95)",
};

/// A stored theme, with what the logo file is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub(crate) theme: PlayerTheme,
    /// Content type of the uploaded logo, if there is one.
    #[serde(default)]
    pub(crate) logo_type: Option<String>,
}

pub(crate) fn load(state: &AppState, project: &str, id: &str) -> ApiResult<Stored> {
    state
        .db
        .get(project, Kind::Player, id)?
        .ok_or_else(|| ApiError::not_found("playerId"))
}

/// Deletes the theme and its logo; live streams using it lose their
/// `playerId`. 404 if there is no such theme.
pub(crate) async fn delete(state: &AppState, project: &str, id: &str) -> ApiResult<()> {
    load(state, project, id)?;
    state.db.delete(project, Kind::Player, id)?;
    super::live_streams::forget_player(state, project, id).await?;
    Ok(crate::media::remove_dir(media_dir(state, project, id)).await?)
}

/// Whether the project has a player `id`, for the checks of a `playerId`.
pub(crate) fn exists(state: &AppState, project: &str, id: &str) -> ApiResult<bool> {
    Ok(state
        .db
        .get::<serde_json::Value>(project, Kind::Player, id)?
        .is_some())
}

pub(crate) fn save(state: &AppState, project: &str, stored: &Stored) -> ApiResult<()> {
    state
        .db
        .put(project, Kind::Player, &stored.theme.player_id, None, stored)?;
    Ok(())
}

/// The directory of player `id`'s media (its logo).
pub(crate) fn media_dir(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    state.media.dir(project, "players", id)
}

pub(crate) fn logo_path(state: &AppState, project: &str, id: &str) -> std::path::PathBuf {
    media_dir(state, project, id).join("logo")
}

/// A new theme with a fresh id, the given attributes and the default
/// colours for the others, without a logo. Not stored yet.
pub(crate) fn new_player(state: &AppState, body: PlayerThemeCreationPayload) -> Stored {
    let now = state.now();
    let theme = PlayerTheme {
        player_id: ids::new_id(prefix::PLAYER),
        name: body.name.map(String::from),
        text: body.text.unwrap_or_else(|| DEFAULT_COLOURS.text.to_owned()),
        link: body.link.unwrap_or_else(|| DEFAULT_COLOURS.link.to_owned()),
        link_hover: body
            .link_hover
            .unwrap_or_else(|| DEFAULT_COLOURS.link_hover.to_owned()),
        link_active: body
            .link_active
            .unwrap_or_else(|| DEFAULT_COLOURS.link_active.to_owned()),
        track_played: body
            .track_played
            .unwrap_or_else(|| DEFAULT_COLOURS.track_played.to_owned()),
        track_unplayed: body
            .track_unplayed
            .unwrap_or_else(|| DEFAULT_COLOURS.track_unplayed.to_owned()),
        track_background: body
            .track_background
            .unwrap_or_else(|| DEFAULT_COLOURS.track_background.to_owned()),
        background_top: body
            .background_top
            .unwrap_or_else(|| DEFAULT_COLOURS.background_top.to_owned()),
        background_bottom: body
            .background_bottom
            .unwrap_or_else(|| DEFAULT_COLOURS.background_bottom.to_owned()),
        background_text: body
            .background_text
            .unwrap_or_else(|| DEFAULT_COLOURS.background_text.to_owned()),
        enable_api: body.enable_api,
        enable_controls: body.enable_controls,
        force_autoplay: body.force_autoplay,
        hide_title: body.hide_title,
        force_loop: body.force_loop,
        created_at: now,
        updated_at: now,
        assets: None,
    };
    Stored {
        theme,
        logo_type: None,
    }
}
