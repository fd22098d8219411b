//! `POST /api/project`: a project read the way a report would read it, answered before
//! any model is asked. The page sends the files (or the `.zip`) a person picked or
//! dropped and shows the answer as the project's tree: which files are in scope, which
//! are library context, which were left out and why, the imports nothing answers, the
//! lines in scope and an estimate of the model tokens the report will take. The same
//! checks and limits as `POST /api/report`, so a project the tree shows is one a report
//! takes.

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
};
use serde::Deserialize;

use super::{
    AppState,
    config::ProviderKind,
    error::ApiError,
    guard::ProjectBody,
    prompt,
    providers::{REPORT_TOKENS, estimated_tokens},
    relay::{project_of, resolve_model},
};
use crate::project::{OutReason, Project, Role, ScopeRules, archive, source};
use crate::protocol::{PreviewFile, PreviewImport, ProjectFile, ProjectPreview, ReportRequest};

/// `?model=provider/model`: whose context window the estimate is compared with.
#[derive(Debug, Default, Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    pub model: Option<String>,
}

/// The route's handler: the body's project, read off the async threads.
pub async fn handler(
    State(state): State<AppState>,
    Query(query): Query<PreviewQuery>,
    body: ProjectBody,
) -> Result<Json<ProjectPreview>, ApiError> {
    let (provider, _) = resolve_model(&state.settings, query.model.as_deref())?;
    let context = (provider.kind != ProviderKind::Builtin).then_some(provider.context_tokens);
    let limits = state.settings.limits.project.clone();
    let read = tokio::task::spawn_blocking(move || -> Result<ProjectPreview, ApiError> {
        let (project, zipped) = match body {
            ProjectBody::Json(bytes) => (from_json(&bytes, &limits)?, false),
            ProjectBody::Zip(bytes) => {
                let (files, skipped) = archive::read_zip(&bytes, &limits)?;
                let project = Project::new(files, skipped, &ScopeRules::default());
                if !project.files.iter().any(|f| source::is_source(&f.path)) {
                    return Err(crate::project::ProjectError::NoSources.into());
                }
                (project, true)
            }
        };
        Ok(preview(&project, context, zipped))
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the project could not be read: {e}"),
        )
    })??;
    Ok(Json(read))
}

/// A JSON body: the `files`, `scope` and `exclude` of a report request.
fn from_json(bytes: &[u8], limits: &crate::project::ProjectLimits) -> Result<Project, ApiError> {
    let request: ReportRequest = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the request is not valid JSON: {e}"),
        )
    })?;
    if request.files.is_empty() {
        return Err(crate::project::ProjectError::NoSources.into());
    }
    Ok(project_of(&request, limits)?)
}

/// What the page shows of `project`; `zipped` adds the files' text, which the page only
/// has as an archive.
pub fn preview(project: &Project, context_tokens: Option<usize>, zipped: bool) -> ProjectPreview {
    let mut files: Vec<PreviewFile> = project
        .files
        .iter()
        .zip(&project.roles)
        .map(|(f, role)| PreviewFile {
            path: f.path.clone(),
            role: role_code(*role).to_owned(),
            label: role.as_str().to_owned(),
            lines: f.content.lines().count(),
            bytes: f.content.len(),
        })
        .collect();
    files.extend(project.skipped.iter().map(|s| PreviewFile {
        path: s.path.clone(),
        role: "skipped".to_owned(),
        label: s.reason.as_str().to_owned(),
        lines: 0,
        bytes: 0,
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let lines_in_scope = files.iter().filter(|f| f.in_scope()).map(|f| f.lines).sum();
    let user = prompt::project_message(project, &prompt::new_boundary());
    let estimated =
        estimated_tokens(prompt::SYSTEM_PROMPT) + estimated_tokens(&user) + REPORT_TOKENS;
    ProjectPreview {
        layout: project.layout.kind.as_str().to_owned(),
        root: project.stripped_root.clone(),
        files,
        unresolved: project
            .unresolved()
            .into_iter()
            .map(|u| PreviewImport {
                file: u.file.clone(),
                line: u.line,
                import: u.import.clone(),
            })
            .collect(),
        lines_in_scope,
        estimated_tokens: estimated,
        context_tokens,
        contents: if zipped {
            project
                .files
                .iter()
                .map(|f| ProjectFile {
                    path: f.path.clone(),
                    content: f.content.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// The wire name of a role (`PreviewFile::role`).
fn role_code(role: Role) -> &'static str {
    match role {
        Role::InScope => "in_scope",
        Role::Library => "library",
        Role::Config => "layout",
        Role::OutOfScope(OutReason::Test) => "test",
        Role::OutOfScope(OutReason::Script) => "script",
        Role::OutOfScope(OutReason::Mock) => "mock",
        Role::OutOfScope(OutReason::OutsideSources) => "outside_sources",
        Role::OutOfScope(OutReason::Excluded) => "excluded",
    }
}
