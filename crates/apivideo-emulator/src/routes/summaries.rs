//! Summaries: created for a video (`origin: auto` to have them generated,
//! or written through `PATCH /summaries/{id}/source`), listed with filters
//! and sorts, read and deleted. When a summary waits, completes, fails or
//! cannot be made is decided in `transcripts`, which holds the rules.
//!
//! The rules of these routes:
//! - a video has one summary at most: creating another is a 409 naming
//!   `videoId`, until the first is deleted;
//! - a `videoId` that names no video is a 404 naming `videoId`, an unknown
//!   summary a 404 naming `summaryId`;
//! - the content of a generated summary (`origin: auto`), waiting or done,
//!   cannot be written: a 409 naming `summaryId`;
//! - reads first record the end of encodings whose time has come, as the
//!   video status read does, so a waiting summary shows the outcome.

use apivideo_raw::types::{
    ListSummariesOrigin, ListSummariesSortBy, ListSummariesSortOrder, ListSummariesSourceStatus,
    SummariesListResponse, Summary, SummaryCreationPayload, SummarySource, SummaryUpdatePayload,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Project;
use crate::extract::{ApiJson, ApiQuery};
use crate::pagination::PageQuery;
use crate::problem::{ApiError, ApiResult, Invalid};
use crate::state::AppState;
use crate::store::transcripts::{self, Attribute, Stored};
use crate::store::{encoding, ingest, videos};

/// Most takeaways a summary holds.
const MAX_TAKEAWAYS: usize = 3;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/summaries", get(list).post(create))
        .route("/summaries/{summaryId}", axum::routing::delete(remove))
        .route(
            "/summaries/{summaryId}/source",
            get(source).patch(write_source),
        )
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(rename = "videoId")]
    video_id: Option<String>,
    origin: Option<ListSummariesOrigin>,
    #[serde(rename = "sourceStatus")]
    source_status: Option<ListSummariesSourceStatus>,
    #[serde(rename = "sortBy")]
    sort_by: Option<ListSummariesSortBy>,
    #[serde(rename = "sortOrder")]
    sort_order: Option<ListSummariesSortOrder>,
}

/// Records the end of the encodings that waiting summaries wait for, when
/// its time has come; true if any summary was waiting.
async fn settle(state: &AppState, project: &str, summaries: &[Stored]) -> ApiResult<bool> {
    let mut waited = false;
    for stored in summaries.iter().filter(|s| s.is_waiting()) {
        encoding::current(state, project, stored.video_id()).await?;
        waited = true;
    }
    Ok(waited)
}

fn matches(summary: &Summary, query: &ListQuery) -> bool {
    // Both sides are enums of the spec: equal names are equal values.
    let same = |a: String, b: Option<String>| b.is_none_or(|b| a == b);
    query
        .video_id
        .as_deref()
        .is_none_or(|id| summary.video_id == id)
        && same(
            summary.origin.to_string(),
            query.origin.as_ref().map(ToString::to_string),
        )
        && same(
            summary.source_status.to_string(),
            query.source_status.as_ref().map(ToString::to_string),
        )
}

/// The project's summaries, filtered, sorted by `sortBy` (creation date
/// by default) with ties in creation order, `desc` being the exact
/// reverse of `asc`, then paged.
async fn list(
    project: Project,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
    page: PageQuery,
) -> ApiResult<Json<SummariesListResponse>> {
    let project = project.id();
    let mut summaries = transcripts::list(&state, project)?;
    if settle(&state, project, &summaries).await? {
        summaries = transcripts::list(&state, project)?;
    }
    let mut summaries: Vec<Summary> = summaries
        .into_iter()
        .map(|s| s.summary)
        .filter(|s| matches(s, &query))
        .collect();
    match query.sort_by {
        Some(ListSummariesSortBy::UpdatedAt) => summaries.sort_by_key(|s| s.updated_at),
        Some(ListSummariesSortBy::VideoId) => summaries.sort_by(|a, b| a.video_id.cmp(&b.video_id)),
        _ => summaries.sort_by_key(|s| s.created_at),
    }
    if query.sort_order == Some(ListSummariesSortOrder::Desc) {
        summaries.reverse();
    }
    let (data, pagination) = page.apply(summaries)?;
    Ok(Json(SummariesListResponse { data, pagination }))
}

/// `201` with the new summary: generated at once for an encoded video with
/// `origin: auto`, waiting for encoding otherwise; `missing` without
/// `origin`.
async fn create(
    project: Project,
    State(state): State<AppState>,
    ApiJson(payload): ApiJson<SummaryCreationPayload>,
) -> ApiResult<(StatusCode, Json<Summary>)> {
    let project = project.id();
    videos::load(&state, project, &payload.video_id)?;
    encoding::current(&state, project, &payload.video_id).await?;
    let _guard = ingest::lock(&state, &payload.video_id).await;
    // Again under the lock: it may have been deleted meanwhile.
    let video = videos::load(&state, project, &payload.video_id)?;
    if transcripts::of_video(&state, project, &video.video_id)?.is_some() {
        return Err(transcripts::already_exists("videoId"));
    }
    let media = encoding::media(&ingest::load(&state, project, &video.video_id)?);
    let attributes = Attribute::chosen(payload.attributes.iter().map(ToString::to_string));
    let stored = transcripts::create(
        &state,
        project,
        &video,
        payload.origin.is_some(),
        attributes,
        media,
    )?;
    Ok((StatusCode::CREATED, Json(stored.summary)))
}

/// Deletes a summary, waiting or not; its video can then get another.
async fn remove(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let project = project.id();
    let stored = transcripts::get(&state, project, &id)?;
    let _guard = ingest::lock(&state, stored.video_id()).await;
    if !transcripts::delete(&state, project, &id)? {
        return Err(ApiError::not_found("summaryId"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The content: empty until written or generated, and only the attributes
/// that were.
async fn source(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<SummarySource>> {
    let project = project.id();
    let stored = transcripts::get(&state, project, &id)?;
    let stored = if settle(&state, project, std::slice::from_ref(&stored)).await? {
        transcripts::get(&state, project, &id)?
    } else {
        stored
    };
    Ok(Json(stored.source))
}

/// Every problem of an `update_summary_source` body at once: a blank
/// abstract, more than three takeaways or a blank one, or nothing to write.
fn check(body: &SummaryUpdatePayload) -> ApiResult<()> {
    let mut problems = Vec::new();
    if body
        .abstract_
        .as_deref()
        .is_some_and(|a| a.trim().is_empty())
    {
        problems.push(Invalid::attribute(
            "abstract",
            "This attribute must not be blank.",
        ));
    }
    if body.takeaways.len() > MAX_TAKEAWAYS {
        problems.push(Invalid::attribute(
            "takeaways",
            format!("This attribute must hold at most {MAX_TAKEAWAYS} items."),
        ));
    }
    for (i, takeaway) in body.takeaways.iter().enumerate() {
        if takeaway.trim().is_empty() {
            problems.push(Invalid::attribute(
                format!("takeaways[{i}]"),
                "This attribute must not be blank.",
            ));
        }
    }
    if body.abstract_.is_none() && body.takeaways.is_empty() {
        for name in ["abstract", "takeaways"] {
            problems.push(Invalid {
                kind: "attribute-required",
                title: "Send `abstract`, `takeaways` or both.".into(),
                name: name.into(),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(problems))
    }
}

/// Writes the content of a summary created without `origin`; `201` with
/// the whole content.
async fn write_source(
    project: Project,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SummaryUpdatePayload>,
) -> ApiResult<(StatusCode, Json<SummarySource>)> {
    let project = project.id();
    check(&body)?;
    let video_id = transcripts::get(&state, project, &id)?
        .video_id()
        .to_owned();
    let _guard = ingest::lock(&state, &video_id).await;
    let mut stored = transcripts::get(&state, project, &id)?;
    if stored.is_auto() {
        return Err(transcripts::already_exists("summaryId").with_detail(
            "The API generates this summary (`origin: auto`); only a summary created without \
             `origin` can be written.",
        ));
    }
    stored.write(body.abstract_, body.takeaways, state.now());
    transcripts::put(&state, project, &stored)?;
    Ok((StatusCode::CREATED, Json(stored.source)))
}
