//! Webhooks: register a URL for events, list (optionally by event), show,
//! delete. Delivery itself lives in `crate::delivery`.

use apivideo_raw::types::{Webhook, WebhookEvent, WebhooksCreationPayload, WebhooksListResponse};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::Project;
use crate::db::Kind;
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::{self, prefix};
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::webhook_guard::WebhookTargets;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{webhookId}", get(show).delete(remove))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    events: Option<String>,
}

async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<WebhooksListResponse>> {
    let mut hooks: Vec<Webhook> = state.db.list(project.id(), Kind::Webhook, None)?;
    if let Some(event) = &query.events {
        hooks.retain(|h| h.events.iter().any(|e| e.to_string() == *event));
    }
    let (data, pagination) = page.apply(hooks)?;
    Ok(Json(WebhooksListResponse { data, pagination }))
}

/// Every problem of a creation body at once, as the real API lists them.
fn check(body: &Value, targets: WebhookTargets) -> Vec<Invalid> {
    let Some(object) = body.as_object() else {
        return vec![Invalid::attribute(
            "",
            "The request body must be a JSON object.",
        )];
    };
    let mut problems = Vec::new();
    match object.get("events") {
        None | Some(Value::Null) => problems.push(Invalid::required("events")),
        Some(Value::Array(events)) if events.is_empty() => problems.push(Invalid::attribute(
            "events",
            "This attribute must contain at least one event.",
        )),
        Some(Value::Array(events)) => {
            for (i, event) in events.iter().enumerate() {
                if event
                    .as_str()
                    .is_none_or(|e| e.parse::<WebhookEvent>().is_err())
                {
                    problems.push(Invalid::attribute(
                        format!("events[{i}]"),
                        format!(
                            "This attribute must be one of the events {}.",
                            event_names()
                        ),
                    ));
                }
            }
        }
        Some(_) => problems.push(Invalid::attribute(
            "events",
            "This attribute must be an array.",
        )),
    }
    match object.get("url") {
        None | Some(Value::Null) => problems.push(Invalid::required("url")),
        Some(Value::String(url)) if is_http_url(url) => {
            if let Err(reason) = reqwest::Url::parse(url)
                .map_err(|_| "This attribute must be an http or https URL.")
                .and_then(|url| targets.check_url(&url))
            {
                problems.push(Invalid::attribute("url", reason));
            }
        }
        Some(_) => problems.push(Invalid::attribute(
            "url",
            "This attribute must be an http or https URL.",
        )),
    }
    problems
}

/// The events a webhook can subscribe to, quoted and comma-separated.
fn event_names() -> String {
    EVENTS
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every event of the API, in the order the spec lists them.
const EVENTS: [WebhookEvent; 6] = [
    WebhookEvent::VideoEncodingQualityCompleted,
    WebhookEvent::VideoSourceRecorded,
    WebhookEvent::VideoCaptionGenerated,
    WebhookEvent::VideoSummaryGenerated,
    WebhookEvent::LiveStreamBroadcastStarted,
    WebhookEvent::LiveStreamBroadcastEnded,
];

fn is_http_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<Webhook>)> {
    let problems = check(&body, state.config.webhook_targets);
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let body: WebhooksCreationPayload = serde_json::from_value(body)
        .map_err(|e| ApiError::attribute("", format!("The request body is invalid: {e}.")))?;
    let hook = Webhook {
        webhook_id: ids::new_id(prefix::WEBHOOK),
        created_at: state.now(),
        events: body.events,
        url: body.url,
        signature_secret: Some(ids::signature_secret()),
    };
    let id = hook.webhook_id.clone();
    state
        .db
        .put(project.id(), Kind::Webhook, &id, None, &hook)?;
    Ok((StatusCode::CREATED, Json(hook)))
}

async fn show(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Webhook>> {
    state
        .db
        .get(project.id(), Kind::Webhook, &id)?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("webhookId"))
}

async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state.db.delete(project.id(), Kind::Webhook, &id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("webhookId"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(body: Value) -> Vec<String> {
        check(&body, WebhookTargets::default())
            .into_iter()
            .map(|p| p.name)
            .collect()
    }

    #[test]
    fn creation_bodies_are_checked() {
        let six = EVENTS.map(|e| e.to_string());
        assert!(names(serde_json::json!({"events": six, "url": "https://h/x"})).is_empty());
        assert_eq!(
            names(
                serde_json::json!({"events": ["video.encoding.quality.completed", "video.deleted"], "url": "https://h/x"})
            ),
            ["events[1]"]
        );
        assert_eq!(names(serde_json::json!({})), ["events", "url"]);
        assert_eq!(
            names(serde_json::json!({"events": "a", "url": "ftp://h"})),
            ["events", "url"]
        );
        assert_eq!(
            names(serde_json::json!({"events": ["", 3], "url": "http://h"})),
            ["events[0]", "events[1]"]
        );
        assert_eq!(
            names(serde_json::json!({"events": [], "url": "not a url"})),
            ["events", "url"]
        );
        assert_eq!(names(serde_json::json!([1])), [""]);
    }
}
