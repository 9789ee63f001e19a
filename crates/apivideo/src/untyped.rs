//! Operations called by their id with untyped values: path parameters,
//! query pairs, headers and a JSON or multipart body in, the answer's
//! bytes out, through the same engine (auth, retries, errors) as every
//! typed call.
//!
//! This is for tools driven by the spec at run time, such as the
//! `apivideo` command line, which prints the API's JSON as it is. A service
//! wants the typed builders.
//!
//! ```no_run
//! # async fn demo(client: &apivideo::Client) -> apivideo::Result<()> {
//! let answer = client
//!     .untyped("list_videos")?
//!     .query("tags[]", "maths")
//!     .query("metadata[Author]", "Ada")
//!     .send()
//!     .await?;
//! let json: serde_json::Value = serde_json::from_slice(answer.as_ref())
//!     .expect("the API answers JSON");
//! # Ok(()) }
//! ```

use apivideo_raw::ResponseValue;
use apivideo_raw::spec::{OPERATIONS, Operation};
use bytes::Bytes;
use reqwest::Method;
use reqwest::multipart::{Form, Part};

use crate::client::Client;
use crate::engine::{Call, Kind};
use crate::error::{Error, Result};
use crate::media::MediaFile;
use crate::videos::path_segment;

impl Client {
    /// A call of the operation `operation_id` (as in `openapi.yaml`, e.g.
    /// `get_video`) with untyped arguments. Fails with
    /// [`Error::InvalidRequest`] if the spec has no such operation.
    pub fn untyped(&self, operation_id: &str) -> Result<UntypedCall<'_>> {
        let operation = OPERATIONS
            .iter()
            .find(|o| o.id == operation_id)
            .ok_or_else(|| Error::InvalidRequest(format!("no operation `{operation_id}`")))?;
        Ok(UntypedCall {
            client: self,
            operation,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            json: None,
            fields: Vec::new(),
            files: Vec::new(),
            credentials: true,
        })
    }
}

/// Builder for [`Client::untyped`].
#[derive(Debug, Clone)]
pub struct UntypedCall<'a> {
    client: &'a Client,
    operation: &'static Operation,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    json: Option<serde_json::Value>,
    fields: Vec<(String, String)>,
    files: Vec<(String, MediaFile)>,
    credentials: bool,
}

impl UntypedCall<'_> {
    /// The operation called.
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// Fills the path parameter `{name}` (percent-encoded here).
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_params.push((name.into(), value.into()));
        self
    }

    /// Adds a query pair, as is: repeat a key for several values
    /// (`tags[]`), name a deepObject member in full (`metadata[Author]`).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets a request header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends this JSON body (unless fields or files make it multipart).
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.json = Some(body);
        self
    }

    /// Adds a text field: the body becomes `multipart/form-data`.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Adds a file part: the body becomes `multipart/form-data`.
    pub fn file(mut self, name: impl Into<String>, file: MediaFile) -> Self {
        self.files.push((name.into(), file));
        self
    }

    /// Sends no credentials (operations with `security: []`: the token
    /// calls, an upload with an upload token).
    pub fn without_credentials(mut self) -> Self {
        self.credentials = false;
        self
    }

    /// The path with its parameters filled in.
    fn path(&self) -> Result<String> {
        let mut path = String::new();
        let mut rest = self.operation.path;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| Error::InvalidRequest("bad path template".into()))?;
            let name = &rest[start + 1..end];
            let value = self
                .path_params
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::InvalidRequest(format!("{name} was not given")))?;
            path.push_str(&rest[..start]);
            path.push_str(&path_segment(value));
            rest = &rest[end + 1..];
        }
        path.push_str(rest);
        Ok(path)
    }

    /// Sends the request and returns the answer's body as it came, with
    /// its status and headers. An error status is [`Error::Api`].
    pub async fn send(self) -> Result<ResponseValue<Bytes>> {
        let path = self.path()?;
        let method = Method::from_bytes(self.operation.method.as_bytes())
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let url = self.client.url(&path);
        let http = &self.client.engine().http;
        let multipart = !self.fields.is_empty() || !self.files.is_empty();
        let kind = if multipart { Kind::Upload } else { Kind::Call };
        let mut call = Call::new(self.operation.id, kind);
        call.credentials = self.credentials;
        let response = self
            .client
            .engine()
            .send(call, || {
                let mut request = http.request(method.clone(), &url).query(&self.query);
                for (name, value) in &self.headers {
                    request = request.header(name, value);
                }
                request = match &self.json {
                    _ if multipart => {
                        let mut form = Form::new();
                        for (name, value) in &self.fields {
                            form = form.text(name.clone(), value.clone());
                        }
                        for (name, file) in &self.files {
                            let part =
                                Part::stream_with_length(file.bytes().clone(), file.len() as u64)
                                    .file_name(file.file_name().to_owned())
                                    .mime_str(file.content_type());
                            match part {
                                Ok(part) => form = form.part(name.clone(), part),
                                Err(e) => {
                                    return std::future::ready(Err(Error::InvalidRequest(
                                        e.without_url().to_string(),
                                    )));
                                }
                            }
                        }
                        request.multipart(form)
                    }
                    Some(value) => request.json(value),
                    None => request,
                };
                std::future::ready(
                    request
                        .build()
                        .map_err(|e| Error::InvalidRequest(e.without_url().to_string())),
                )
            })
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(Error::transport)?;
        Ok(ResponseValue::new(bytes, status, headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_encodes_path_parameters() {
        let client = Client::with_config(crate::Config::new("http://127.0.0.1:9")).unwrap();
        let call = client
            .untyped("get_caption")
            .unwrap()
            .path_param("videoId", "vi 1")
            .path_param("language", "pt-BR");
        assert_eq!(call.path().unwrap(), "/videos/vi%201/captions/pt-BR");
        let missing = client.untyped("get_video").unwrap();
        assert!(matches!(missing.path(), Err(Error::InvalidRequest(_))));
        assert!(client.untyped("no_such_operation").is_err());
    }
}
