//! `preview_project()`: the browser asks `POST /api/project` what the server makes of a
//! project (its files as JSON, or a `.zip`'s bytes) before a report is asked for. The
//! answer is the tree the page shows; a refusal is the server's own sentence.

use gloo_net::http::Request;

use crate::protocol::{ApiErrorBody, ProjectFile, ProjectPreview, ReportRequest};

/// What is sent: files picked or dropped, or an archive.
pub enum ProjectUpload<'a> {
    Files {
        files: &'a [ProjectFile],
        scope: &'a [String],
        exclude: &'a [String],
    },
    Zip(&'a [u8]),
}

/// The server's preview of `upload`, compared with `model`'s context window.
pub async fn preview_project(
    upload: ProjectUpload<'_>,
    model: Option<&str>,
) -> Result<ProjectPreview, String> {
    let url = match model {
        Some(m) => format!("/api/project?model={}", js_sys::encode_uri_component(m)),
        None => "/api/project".to_owned(),
    };
    let request = match upload {
        ProjectUpload::Files {
            files,
            scope,
            exclude,
        } => {
            let body = ReportRequest {
                files: files.to_vec(),
                scope: scope.to_vec(),
                exclude: exclude.to_vec(),
                ..ReportRequest::default()
            };
            let json = serde_json::to_string(&body).map_err(|e| e.to_string())?;
            Request::post(&url)
                .header("content-type", "application/json")
                .body(json)
        }
        ProjectUpload::Zip(bytes) => Request::post(&url)
            .header("content-type", "application/zip")
            .body(js_sys::Uint8Array::from(bytes)),
    }
    .map_err(|e| e.to_string())?;
    let resp = request
        .send()
        .await
        .map_err(|_| "the server could not be reached; try again".to_owned())?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    if resp.ok() {
        // Bytes, not `&str`: see `ReportEvent::from_sse`.
        return serde_json::from_slice(text.as_bytes())
            .map_err(|e| format!("the server's answer was not understood ({e})"));
    }
    Err(
        match serde_json::from_slice::<ApiErrorBody>(text.as_bytes()) {
            Ok(b) => b.error.message,
            Err(_) => format!("the server answered HTTP {status}"),
        },
    )
}
