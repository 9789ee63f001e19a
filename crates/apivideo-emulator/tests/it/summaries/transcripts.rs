//! Transcripts: `transcriptSummary` on a video creates a generated summary,
//! and `transcript` gives a caption in the language of the video.

use super::*;

#[tokio::test]
async fn transcript_summary_on_videos_creates_a_generated_summary() {
    let env = env().await;
    let created = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Lecture")
                .transcript_summary(true)
                .transcript_summary_attributes(vec![
                    VideoCreationPayloadTranscriptSummaryAttributesItem::Abstract,
                ]),
        )
        .send()
        .await
        .expect("created");
    let [summary] = &listed(&env).await[..] else {
        panic!("one summary")
    };
    assert_eq!(summary.video_id, created.video_id);
    assert_eq!(summary.origin, SummaryOrigin::Auto);
    assert_eq!(summary.source_status, SummarySourceStatus::Waiting);
    upload(&env, &created.video_id, SPEECH).await;
    let content = source(&env, &summary.summary_id).await;
    assert!(content.abstract_.is_some() && content.takeaways.is_empty());

    // Asked again on update: a 409 naming the attribute, and no change.
    let err = env
        .raw
        .update_video()
        .video_id(&created.video_id)
        .body(VideoUpdatePayload {
            title: Some("Renamed".into()),
            transcript_summary: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    let (code, p) = problem(err);
    assert_eq!((code, p.name.as_deref()), (409, Some("transcriptSummary")));
    let shown = env
        .raw
        .get_video()
        .video_id(&created.video_id)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.title, "Lecture");

    // On an encoded video without one, the summary is generated at once;
    // `false` changes nothing.
    let encoded = video(&env, "Encoded").await;
    upload(&env, &encoded, SPEECH).await;
    for ask in [false, true] {
        env.raw
            .update_video()
            .video_id(&encoded)
            .body(VideoUpdatePayload {
                transcript_summary: Some(ask),
                ..Default::default()
            })
            .send()
            .await
            .expect("updated");
    }
    let page = env
        .raw
        .list_summaries()
        .video_id(&encoded)
        .send()
        .await
        .unwrap();
    let [generated] = &page.data[..] else {
        panic!("one summary: {page:?}")
    };
    assert_eq!(generated.source_status, SummarySourceStatus::Completed);
    let content = source(&env, &generated.summary_id).await;
    assert!(content.abstract_.is_some() && content.takeaways.len() == 3);
    assert_eq!(env.emulator.stats().event("summary.generated"), 2);
}

/// The captions of a video, as JSON.
async fn captions(env: &TestEnv, video_id: &str) -> Vec<Value> {
    let (code, page) = call(
        env,
        reqwest::Method::GET,
        &format!("/videos/{video_id}/captions"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 200, "{page}");
    page["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_transcript_becomes_a_caption_in_the_language_of_the_video() {
    let env = env().await;
    let (url, seen) = receiver(vec![]).await;
    register(&env, &url, &["video.caption.generated"]).await;

    let french = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Cours --> magistral")
                .language(Some(VideoCreationPayloadLanguage::Fr))
                .transcript(true),
        )
        .send()
        .await
        .expect("created")
        .video_id;
    assert!(captions(&env, &french).await.is_empty());
    upload(&env, &french, SPEECH).await;
    let [caption] = &captions(&env, &french).await[..] else {
        panic!("one caption")
    };
    assert_eq!(caption["srclang"], "fr");
    assert_eq!(caption["languageName"], "français");
    assert_eq!(caption["default"], false);

    // A real WebVTT file, served like an uploaded one, that the emulator
    // itself takes back as an upload.
    let src = caption["src"].as_str().expect("src");
    let answer = env.http.get(src).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/vtt")
    );
    let vtt = answer.text().await.unwrap();
    assert!(vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> "), "{vtt}");
    assert_eq!(vtt.matches(" --> ").count(), 3, "{vtt}");
    let (content_type, body) = crate::uploads::form("file", "back.vtt", vtt.as_bytes(), &[]);
    let back = api(
        &env,
        reqwest::Method::POST,
        &format!("/videos/{french}/captions/de"),
        "key-a",
    )
    .header("content-type", content_type)
    .body(body)
    .send()
    .await
    .unwrap();
    assert_eq!(back.status(), 200);

    wait_for(&env, "webhook.delivered", 1, Duration::from_secs(10)).await;
    let bodies = seen.lock().unwrap().bodies.clone();
    let [body] = &bodies[..] else {
        panic!("one delivery: {bodies:?}")
    };
    assert_eq!(body["type"], "video.caption.generated");
    assert_eq!(body["videoId"], french.as_str());
    assert_eq!(body["generationMode"], "transcript");
    assert_eq!(body["language"], "fr");
    let caption_id = body["captionId"].as_str().expect("captionId");
    assert!(
        caption_id.starts_with("caption_") && caption_id.len() == "caption_".len() + 22,
        "{caption_id}"
    );

    // Asked on update of an encoded video: at once, in the detected
    // language; and only once.
    let detected = video(&env, "Talk").await;
    upload(&env, &detected, SPEECH).await;
    for _ in 0..2 {
        env.raw
            .update_video()
            .video_id(&detected)
            .body(VideoUpdatePayload {
                transcript: Some(true),
                ..Default::default()
            })
            .send()
            .await
            .expect("updated");
    }
    let [caption] = &captions(&env, &detected).await[..] else {
        panic!("one caption")
    };
    assert_eq!(caption["srclang"], "en");
    assert_eq!(caption["languageName"], "English");
    assert_eq!(env.emulator.stats().event("caption.generated"), 2);

    // No speech, or generation set to fail: no caption.
    let short = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Short")
                .transcript(true),
        )
        .send()
        .await
        .unwrap()
        .video_id;
    upload(&env, &short, NO_SPEECH).await;
    env.emulator.set_faults(FaultSettings {
        fail_generation: true,
        ..FaultSettings::default()
    });
    let broken = env
        .raw
        .create_video()
        .body(
            VideoCreationPayload::builder()
                .title("Broken")
                .transcript(true),
        )
        .send()
        .await
        .unwrap()
        .video_id;
    upload(&env, &broken, SPEECH).await;
    env.emulator.set_faults(FaultSettings::default());
    assert!(captions(&env, &short).await.is_empty());
    assert!(captions(&env, &broken).await.is_empty());
    assert_eq!(env.emulator.stats().event("caption.generated"), 2);
}
