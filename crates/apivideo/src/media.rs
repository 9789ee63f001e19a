//! The small multipart uploads: video and live stream thumbnails, player
//! logos, watermarks, captions and chapters. Each sends one [`MediaFile`], held in
//! memory, as the `file` part of a `multipart/form-data` body, rebuilt from
//! the same bytes if the request is retried.
//!
//! ```no_run
//! # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
//! use apivideo::MediaFile;
//!
//! let caption = client
//!     .upload_caption()
//!     .video_id("vi4k0jvEUuaTdRAEjQ4Jfrgz")
//!     .language("en")
//!     .file(MediaFile::from_path("subtitles/en.vtt").await?)
//!     .send()
//!     .await?;
//! println!("players load {}", caption.src);
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::Path;

use apivideo_raw::types::{Caption, Chapter, LiveStream, PlayerTheme, Video, Watermark};
use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;

use apivideo_raw::ResponseValue;

use crate::client::Client;
use crate::engine::{Call, Kind, decode};
use crate::error::{Error, Result, SourceError, SourceErrorKind};
use crate::videos::{path_segment, required};

/// A small file to upload (an image or a WebVTT file): its name, whose
/// extension tells the API its format, and its bytes.
///
/// The whole file is held in memory, which suits thumbnails, logos and
/// subtitles. Video files go through the streaming upload instead.
///
/// ```
/// use apivideo::MediaFile;
///
/// let file = MediaFile::from_bytes("en.vtt", "WEBVTT\n\n00:01.000 --> 00:04.000\nHello\n");
/// assert_eq!(file.file_name(), "en.vtt");
/// assert_eq!(file.content_type(), "text/vtt");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MediaFile {
    name: String,
    bytes: Bytes,
}

impl MediaFile {
    /// Reads the file at `path`; the part is named after the file.
    ///
    /// Fails with [`Error::Source`] ([`SourceErrorKind::Missing`]) if the
    /// file does not exist, and with [`Error::Io`] if it cannot be read.
    ///
    /// ```no_run
    /// # async fn demo() -> apivideo::Result<()> {
    /// let logo = apivideo::MediaFile::from_path("assets/logo.png").await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Source(SourceError::io(
                SourceErrorKind::Missing,
                format!("`{}` does not exist", path.display()),
                e,
            )),
            _ => Error::Io(e),
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self::from_bytes(name, bytes))
    }

    /// A file made of `bytes`, sent under the name `file_name`. Give the
    /// name its extension (`logo.png`, `en.vtt`): the API goes by it. A
    /// name without one gets it from the content when that is a JPEG, a
    /// PNG or a WebVTT file.
    ///
    /// ```
    /// let thumbnail = apivideo::MediaFile::from_bytes("cover", vec![0xFF, 0xD8, 0xFF, 0xE0]);
    /// assert_eq!(thumbnail.file_name(), "cover.jpg");
    /// ```
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        let mut name = file_name.into();
        if name.trim().is_empty() {
            name = "file".to_owned();
        }
        if extension(&name).is_none()
            && let Some(ext) = sniff(&bytes)
        {
            name = format!("{name}.{ext}");
        }
        Self { name, bytes }
    }

    /// The name the file is sent under.
    pub fn file_name(&self) -> &str {
        &self.name
    }

    /// The content type sent with the file, from its extension:
    /// `image/jpeg`, `image/png`, `text/vtt`, or `application/octet-stream`.
    pub fn content_type(&self) -> &'static str {
        match extension(&self.name)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("png") => "image/png",
            Some("vtt") => "text/vtt",
            _ => "application/octet-stream",
        }
    }

    /// The content.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the file is empty (the API refuses empty files).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaFile")
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The extension of a file name, if it has one (`.vtt` alone has none).
fn extension(name: &str) -> Option<&str> {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| !e.is_empty())
}

/// The extension for content whose format is certain from its first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("jpg");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("png");
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match text.strip_prefix(b"WEBVTT") {
        Some([] | [b' ' | b'\t' | b'\r' | b'\n', ..]) => Some("vtt"),
        _ => None,
    }
}

/// Defines the builder of one media upload: a setter per path parameter,
/// `file`, and `send()` / `send_with_response()` like a generated builder.
macro_rules! media_upload {
    (
        $(#[$doc:meta])*
        $name:ident => $operation:literal, $answer:ty, $path:literal,
        [$($param:ident: $param_doc:literal),*]
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<'a> {
            client: &'a Client,
            $($param: Result<String, String>,)*
            file: Option<MediaFile>,
            fields: Vec<(&'static str, String)>,
        }

        impl<'a> $name<'a> {
            fn new(client: &'a Client) -> Self {
                Self {
                    client,
                    $($param: Err(concat!(stringify!($param), " was not initialized").into()),)*
                    file: None,
                    fields: Vec::new(),
                }
            }

            $(
                #[doc = $param_doc]
                pub fn $param(mut self, value: impl Into<String>) -> Self {
                    self.$param = Ok(value.into());
                    self
                }
            )*

            /// The file to upload. Required.
            pub fn file(mut self, file: MediaFile) -> Self {
                self.file = Some(file);
                self
            }

            /// Sends the request and returns the answer's body.
            pub async fn send(self) -> Result<$answer> {
                self.send_with_response().await.map(ResponseValue::into_inner)
            }

            /// Like `send`, keeping the answer's status and headers.
            pub async fn send_with_response(self) -> Result<ResponseValue<$answer>> {
                let path = format!(
                    $path,
                    $(path_segment(&required(stringify!($param), self.$param)?)),*
                );
                let file = self
                    .file
                    .ok_or_else(|| Error::InvalidRequest("file was not initialized".into()))?;
                self.client
                    .send_form($operation, &path, &file, &self.fields)
                    .await
            }
        }
    };
}

media_upload! {
    /// Builder for [`Client::upload_video_thumbnail`].
    UploadVideoThumbnail => "upload_video_thumbnail", Video, "/videos/{}/thumbnail",
    [video_id: "The video, e.g. `vi4k0jvEUuaTdRAEjQ4Jfrgz`. Required."]
}

media_upload! {
    /// Builder for [`Client::upload_live_stream_thumbnail`].
    UploadLiveStreamThumbnail => "upload_live_stream_thumbnail", LiveStream,
    "/live-streams/{}/thumbnail",
    [live_stream_id: "The live stream, e.g. `li400mYKSgQ6xs7taUeSaEKr`. Required."]
}

media_upload! {
    /// Builder for [`Client::upload_player_logo`].
    UploadPlayerLogo => "upload_player_logo", PlayerTheme, "/players/{}/logo",
    [player_id: "The player theme, e.g. `pt3Lony8J6NozV71Yxn8KVFn`. Required."]
}

impl UploadPlayerLogo<'_> {
    /// The URL a click on the logo opens.
    pub fn link(mut self, url: impl Into<String>) -> Self {
        self.fields.retain(|(name, _)| *name != "link");
        self.fields.push(("link", url.into()));
        self
    }
}

media_upload! {
    /// Builder for [`Client::upload_caption`].
    UploadCaption => "upload_caption", Caption, "/videos/{}/captions/{}",
    [
        video_id: "The video, e.g. `vi4k0jvEUuaTdRAEjQ4Jfrgz`. Required.",
        language: "The captions' language, a BCP 47 tag such as `en` or `pt-BR`. Required."
    ]
}

media_upload! {
    /// Builder for [`Client::upload_chapter`].
    UploadChapter => "upload_chapter", Chapter, "/videos/{}/chapters/{}",
    [
        video_id: "The video, e.g. `vi4k0jvEUuaTdRAEjQ4Jfrgz`. Required.",
        language: "The chapters' language, a BCP 47 tag such as `en`. Required."
    ]
}

media_upload! {
    /// Builder for [`Client::upload_watermark`].
    UploadWatermark => "upload_watermark", Watermark, "/watermarks", []
}

impl Client {
    /// Replaces the thumbnail of a video with a JPEG image:
    /// `POST /videos/{videoId}/thumbnail`. Returns the video, whose
    /// `assets.thumbnail` then serves the image.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::MediaFile;
    ///
    /// let video = client
    ///     .upload_video_thumbnail()
    ///     .video_id("vi4k0jvEUuaTdRAEjQ4Jfrgz")
    ///     .file(MediaFile::from_path("cover.jpg").await?)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_video_thumbnail(&self) -> UploadVideoThumbnail<'_> {
        UploadVideoThumbnail::new(self)
    }

    /// Sets the thumbnail of a live stream to a JPEG image:
    /// `POST /live-streams/{liveStreamId}/thumbnail`. Returns the live stream.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::MediaFile;
    ///
    /// let stream = client
    ///     .upload_live_stream_thumbnail()
    ///     .live_stream_id("li400mYKSgQ6xs7taUeSaEKr")
    ///     .file(MediaFile::from_path("poster.jpg").await?)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_live_stream_thumbnail(&self) -> UploadLiveStreamThumbnail<'_> {
        UploadLiveStreamThumbnail::new(self)
    }

    /// Sets the logo shown in a player, a JPEG or PNG image, and the URL a
    /// click on it opens (`link`): `POST /players/{playerId}/logo`.
    /// Returns the player theme, whose `assets` name the logo and the link.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::MediaFile;
    ///
    /// let theme = client
    ///     .upload_player_logo()
    ///     .player_id("pt3Lony8J6NozV71Yxn8KVFn")
    ///     .file(MediaFile::from_path("logo.png").await?)
    ///     .link("https://www.example.com")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_player_logo(&self) -> UploadPlayerLogo<'_> {
        UploadPlayerLogo::new(self)
    }

    /// Uploads a JPG or PNG image that new videos can carry as a watermark:
    /// `POST /watermarks`. Returns the watermark, whose `watermark_id` goes
    /// in the `watermark` object of `create_video` with the image's
    /// position, size and opacity.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::MediaFile;
    /// use apivideo::prelude::*;
    /// use apivideo::types::{VideoCreationPayload, VideoWatermark};
    ///
    /// let watermark = client
    ///     .upload_watermark()
    ///     .file(MediaFile::from_path("watermark.png").await?)
    ///     .send()
    ///     .await?;
    /// let video = client
    ///     .create_video()
    ///     .body(VideoCreationPayload::builder().title("Maths video").watermark(
    ///         VideoWatermark {
    ///             id: Some(watermark.watermark_id),
    ///             bottom: Some("10px".into()),
    ///             right: Some("10px".into()),
    ///             width: Some("20%".into()),
    ///             opacity: Some("70%".into()),
    ///             ..Default::default()
    ///         },
    ///     ))
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_watermark(&self) -> UploadWatermark<'_> {
        UploadWatermark::new(self)
    }

    /// Adds (or replaces) the WebVTT captions of a video in a language:
    /// `POST /videos/{videoId}/captions/{language}`.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::MediaFile;
    ///
    /// let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nBonjour !\n";
    /// let caption = client
    ///     .upload_caption()
    ///     .video_id("vi4k0jvEUuaTdRAEjQ4Jfrgz")
    ///     .language("fr")
    ///     .file(MediaFile::from_bytes("fr.vtt", vtt))
    ///     .send()
    ///     .await?;
    /// assert_eq!(caption.srclang, "fr");
    /// # Ok(()) }
    /// ```
    pub fn upload_caption(&self) -> UploadCaption<'_> {
        UploadCaption::new(self)
    }

    /// Adds (or replaces) the WebVTT chapters of a video in a language:
    /// `POST /videos/{videoId}/chapters/{language}`. Each cue is one
    /// chapter: its start, end and title.
    ///
    /// ```no_run
    /// # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
    /// use apivideo::MediaFile;
    ///
    /// let chapters = client
    ///     .upload_chapter()
    ///     .video_id("vi4k0jvEUuaTdRAEjQ4Jfrgz")
    ///     .language("en")
    ///     .file(MediaFile::from_path("chapters.vtt").await?)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_chapter(&self) -> UploadChapter<'_> {
        UploadChapter::new(self)
    }

    /// POSTs `file` (and text `fields`) as a multipart form through the
    /// engine, and decodes the answer.
    async fn send_form<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        path: &str,
        file: &MediaFile,
        fields: &[(&'static str, String)],
    ) -> Result<ResponseValue<T>> {
        if file.is_empty() {
            let message = format!("`{}` is empty", file.file_name());
            return Err(Error::Source(SourceError::new(
                SourceErrorKind::Empty,
                message,
            )));
        }
        let url = self.url(path);
        let http = &self.engine().http;
        let response = self
            .engine()
            .send(Call::new(operation, Kind::Upload), || {
                let part = match Part::stream_with_length(file.bytes.clone(), file.len() as u64)
                    .file_name(file.name.clone())
                    .mime_str(file.content_type())
                {
                    Ok(part) => part,
                    Err(e) => {
                        return std::future::ready(Err(Error::InvalidRequest(
                            e.without_url().to_string(),
                        )));
                    }
                };
                let form = fields
                    .iter()
                    .fold(Form::new().part("file", part), |form, (name, value)| {
                        form.text(*name, value.clone())
                    });
                std::future::ready(
                    http.post(&url)
                        .multipart(form)
                        .build()
                        .map_err(|e| Error::InvalidRequest(e.without_url().to_string())),
                )
            })
            .await?;
        decode(response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_an_extension_only_when_they_lack_one_and_the_content_is_certain() {
        assert_eq!(
            MediaFile::from_bytes("logo.gif", vec![0xFF, 0xD8, 0xFF]).file_name(),
            "logo.gif"
        );
        assert_eq!(
            MediaFile::from_bytes("logo", b"\x89PNG\r\n\x1a\nrest".to_vec()).file_name(),
            "logo.png"
        );
        assert_eq!(
            MediaFile::from_bytes("en", "\u{FEFF}WEBVTT\n\n").file_name(),
            "en.vtt"
        );
        assert_eq!(MediaFile::from_bytes("", "WEBVTT").file_name(), "file.vtt");
        assert_eq!(
            MediaFile::from_bytes("notes", "WEBVTTX").file_name(),
            "notes"
        );
        assert_eq!(MediaFile::from_bytes(".vtt", "plain").file_name(), ".vtt");
    }

    #[test]
    fn content_type_follows_the_extension() {
        for (name, ty) in [
            ("a.JPG", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("a.png", "image/png"),
            ("a.vtt", "text/vtt"),
            ("a.srt", "application/octet-stream"),
        ] {
            assert_eq!(
                MediaFile::from_bytes(name, "x").content_type(),
                ty,
                "{name}"
            );
        }
    }

    #[test]
    fn debug_shows_no_content() {
        let text = format!(
            "{:?}",
            MediaFile::from_bytes("a.vtt", "WEBVTT secret words")
        );
        assert!(!text.contains("secret"), "{text}");
    }
}
