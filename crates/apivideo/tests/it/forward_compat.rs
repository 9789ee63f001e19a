//! Answers from a newer API still decode: an enum value the spec does not
//! list is kept, unknown fields are ignored, and an error answer whose
//! problem document lacks fields is still that error, with its status.
//! Over HTTP, from a local server that answers what the spec does not
//! foresee.

use apivideo::prelude::*;
use apivideo::types::{QualityQuality, QualityStatus, VideoStatusIngestStatus};
use apivideo::{AuthMode, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server that answers each path with a fixed status and body.
async fn answering(routes: Vec<(&'static str, u16, &'static str)>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut piece = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut piece).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&piece[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let (status, body) = routes
                    .iter()
                    .find(|(p, _, _)| *p == path)
                    .map(|(_, s, b)| (*s, *b))
                    .unwrap_or((404, "{}"));
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

fn client(url: &str) -> Client {
    Client::with_config(
        Config::new(url)
            .with_api_key("key")
            .with_auth_mode(AuthMode::Basic)
            .with_retry_policy(RetryPolicy::none()),
    )
    .expect("valid config")
}

#[tokio::test]
async fn an_unlisted_enum_value_and_unknown_fields_decode() {
    let url = answering(vec![(
        "/videos/vi1/status",
        200,
        r#"{"ingest": {"status": "archiving", "receivedBytes": [], "addedLater": {"x": 1}},
            "encoding": {"playable": true, "qualities": [{"quality": "4320p", "status": "encoded", "type": "hls"}], "metadata": {}},
            "topLevelNewcomer": [1, 2, 3]}"#,
    )])
    .await;
    let status = client(&url)
        .get_video_status()
        .video_id("vi1")
        .send()
        .await
        .expect("decodes");
    let ingest = status.ingest;
    assert_eq!(
        ingest.status,
        VideoStatusIngestStatus::Unknown("archiving".into())
    );
    assert_eq!(ingest.status.to_string(), "archiving");
    let quality = &status.encoding.qualities[0];
    assert_eq!(quality.quality, QualityQuality::Unknown("4320p".into()));
    assert_eq!(quality.status, QualityStatus::Encoded);
    // Sent back, the value is what came.
    let json = serde_json::to_value(quality).expect("serializes");
    assert_eq!(json["quality"], "4320p");
    // A caller's typo is still refused.
    assert!("4320P".parse::<QualityQuality>().is_err());
}

#[tokio::test]
async fn an_error_answer_with_a_partial_problem_is_that_error() {
    let url = answering(vec![
        // No `type`.
        (
            "/videos/vi1",
            400,
            r#"{"title": "The source is invalid.", "status": 400}"#,
        ),
        // Only `detail`.
        ("/videos/vi2", 404, r#"{"detail": "Gone somewhere."}"#),
        // Not a problem document at all.
        ("/videos/vi3", 400, "not json"),
        // A success answer that does not decode.
        ("/videos/vi4", 200, r#"{"videoId": 42}"#),
    ])
    .await;
    let c = client(&url);
    let get = |id: &'static str| {
        let c = c.clone();
        async move {
            c.get_video()
                .video_id(id)
                .send()
                .await
                .expect_err("an error")
        }
    };

    let err = get("vi1").await;
    assert!(err.is_bad_request(), "{err:?}");
    let problem = err.problem().expect("the problem it sent");
    assert_eq!(problem.title.as_deref(), Some("The source is invalid."));
    assert_eq!(problem.type_, None);
    assert!(err.to_string().contains("The source is invalid."), "{err}");

    let err = get("vi2").await;
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.problem().and_then(|p| p.detail.as_deref()),
        Some("Gone somewhere.")
    );

    let err = get("vi3").await;
    assert!(
        matches!(&err, Error::Api(api) if api.status == 400 && api.problem.is_none()),
        "{err:?}"
    );

    let err = get("vi4").await;
    assert!(
        matches!(&err, Error::Decode { status: Some(s), .. } if s.as_u16() == 200),
        "the real status: {err:?}"
    );
}
