//! Players: a player theme created, shown, updated, given a logo with a
//! link, listed, its logo removed, then deleted.

use apivideo::MediaFile;
use apivideo::prelude::*;
use apivideo::types::{PlayerThemeCreationPayload, PlayerThemeUpdatePayload};
use futures::TryStreamExt;

use super::Calls;
use crate::common::{self, PNG, served};

pub(super) const TAG: &str = "Players";
pub(super) const OPERATIONS: &[&str] = &[
    "create_player",
    "get_player",
    "update_player",
    "upload_player_logo",
    "list_players",
    "delete_player_logo",
    "delete_player",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);

    calls.called("create_player");
    let created = client
        .create_player()
        .body(
            PlayerThemeCreationPayload::builder()
                .name(
                    "Classroom"
                        .parse::<apivideo::types::PlayerThemeCreationPayloadName>()
                        .expect("name"),
                )
                .text("rgba(255, 255, 255, 1)".to_owned())
                .link("rgba(255, 0, 0, 1)".to_owned())
                .hide_title(true)
                .force_loop(true),
        )
        .send()
        .await
        .expect("player created");
    let id = created.player_id.clone();
    assert!(id.starts_with("pt"), "{id}");
    assert_eq!(created.name.as_deref(), Some("Classroom"));
    assert_eq!(created.text, "rgba(255, 255, 255, 1)");
    assert_eq!(created.link, "rgba(255, 0, 0, 1)");
    assert!(created.hide_title);
    assert!(created.force_loop);
    assert!(!created.force_autoplay);
    assert!(created.enable_controls);
    assert!(created.enable_api);
    assert!(created.assets.is_none());

    calls.called("get_player");
    let shown = client
        .get_player()
        .player_id(&id)
        .send()
        .await
        .expect("player shown");
    assert_eq!(shown, created);

    calls.called("update_player");
    let updated = client
        .update_player()
        .player_id(&id)
        .body(PlayerThemeUpdatePayload {
            name: Some("Lecture hall".parse().expect("name")),
            track_played: Some("rgba(0, 170, 255, 1)".into()),
            force_autoplay: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .expect("player updated");
    assert_eq!(updated.player_id, id);
    assert_eq!(updated.name.as_deref(), Some("Lecture hall"));
    assert_eq!(updated.track_played, "rgba(0, 170, 255, 1)");
    assert!(updated.force_autoplay);
    // Untouched fields keep their values.
    assert_eq!(updated.text, created.text);
    assert_eq!(updated.link, created.link);
    assert!(updated.hide_title);
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);

    calls.called("upload_player_logo");
    let link = "https://www.example.com/school";
    let with_logo = client
        .upload_player_logo()
        .player_id(&id)
        .file(MediaFile::from_bytes("logo.png", PNG))
        .link(link)
        .send()
        .await
        .expect("logo uploaded");
    assert_eq!(with_logo.player_id, id);
    assert_eq!(with_logo.name.as_deref(), Some("Lecture hall"));
    let assets = with_logo.assets.clone().expect("assets");
    assert_eq!(assets.link.as_deref(), Some(link));
    let logo = assets.logo.expect("logo URL");
    assert_eq!(
        logo,
        format!("{}/embed/players/{id}/logo", emulator.base_url())
    );
    assert_eq!(served(&logo).await, ("image/png".to_owned(), PNG.to_vec()));

    calls.called("list_players");
    let listed: Vec<_> = client
        .list_players()
        .stream()
        .try_collect()
        .await
        .expect("players listed");
    assert_eq!(listed, vec![with_logo.clone()]);

    calls.called("delete_player_logo");
    client
        .delete_player_logo()
        .player_id(&id)
        .send()
        .await
        .expect("logo deleted");
    let without = client
        .get_player()
        .player_id(&id)
        .send()
        .await
        .expect("player shown");
    assert!(without.assets.is_none());
    assert_eq!(without.name.as_deref(), Some("Lecture hall"));
    let gone = reqwest::get(&logo).await.expect("reachable");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);

    calls.called("delete_player");
    client
        .delete_player()
        .player_id(&id)
        .send()
        .await
        .expect("player deleted");
    let err = client
        .get_player()
        .player_id(&id)
        .send()
        .await
        .expect_err("deleted");
    assert!(err.is_not_found(), "{err:?}");

    calls.assert_all_called_and_answered(&emulator);
}
