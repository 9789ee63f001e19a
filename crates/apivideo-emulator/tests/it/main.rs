//! Tests of the emulator, through the generated raw client and plain HTTP.
//! Each test starts its own emulator in-process on 127.0.0.1:0.

mod admin;
mod analytics;
mod api_limits;
mod auth;
mod captions_chapters;
mod collector;
mod common;
mod connections;
mod current_fields;
mod data_dir;
mod discarded;
mod faults;
mod forms;
mod ingest_model;
mod live_streams;
mod metrics;
mod multipart_limits;
mod pages;
mod players;
mod private_videos;
mod readme;
mod summaries;
mod support;
mod tags;
mod tenant_matrix;
mod upload_tokens;
mod uploads;
mod videos;
mod watermarks;
mod webhooks;
