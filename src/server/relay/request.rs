//! What `POST /api/report` asks for: the body read as a `ReportRequest` (valid JSON, a
//! non-empty contract within the limit, or a project's files that pass the project checks
//! and limits; or a project's `.zip` as the body, its options in the query string), and
//! the provider and model it names.

use axum::{
    extract::{FromRequest, Request},
    http::StatusCode,
};

use crate::{
    analyzer::injection,
    project::{Project, ProjectError, ProjectLimits},
    protocol::ReportRequest,
    server::{
        AppState,
        config::{ProviderConfig, ProviderKind, Settings},
        error::{ApiError, Rejection},
        guard::ProjectBody,
    },
};

/// A report request that passed every check of its body.
#[derive(Debug)]
pub struct ReportBody(pub ReportRequest);

impl FromRequest<AppState> for ReportBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let uri = req.uri().clone();
        let body = match ProjectBody::from_request(req, state).await? {
            ProjectBody::Json(body) => body,
            ProjectBody::Zip(bytes) => {
                let limits = state.settings.limits.project.clone();
                let request = tokio::task::spawn_blocking(move || {
                    let request = zip_request(&bytes, &uri, &limits)?;
                    check_project(&request, &limits)?;
                    Ok::<_, ApiError>(request)
                })
                .await
                .map_err(|e| {
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        format!("the archive could not be read: {e}"),
                    )
                })??;
                return Ok(ReportBody(request));
            }
        };
        let request: ReportRequest = serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("the request is not valid JSON: {e}"),
            )
        })?;
        if !request.files.is_empty() {
            check_project(&request, &state.settings.limits.project)?;
            return Ok(ReportBody(request));
        }
        if request.contract.trim().is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "empty_contract",
                "paste a contract (Solidity or Vyper) before generating a report",
            ));
        }
        let max = state.settings.limits.max_contract_bytes;
        if request.contract.len() > max {
            return Err(Rejection::TooLarge { max }.into());
        }
        Ok(ReportBody(request))
    }
}

/// The options a `.zip` body takes in the query string (`scope` and `exclude` may repeat).
const ZIP_OPTIONS: &str = "model, scope, exclude, report_id";

/// A report request from a `.zip` body (read in memory) and the query string's options.
fn zip_request(
    bytes: &[u8],
    uri: &axum::http::Uri,
    limits: &ProjectLimits,
) -> Result<ReportRequest, ApiError> {
    let axum::extract::Query(pairs) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("the query string could not be read: {e}"),
            )
        })?;
    let mut request = ReportRequest::default();
    for (key, value) in pairs {
        match key.as_str() {
            "model" => request.model = Some(value),
            "scope" => request.scope.push(value),
            "exclude" => request.exclude.push(value),
            "report_id" => request.report_id = Some(value),
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!(
                        "`{other}` is not an option of a .zip report; the options are {ZIP_OPTIONS}"
                    ),
                ));
            }
        }
    }
    let (files, _skipped) = crate::project::archive::read_zip(bytes, limits)?;
    request.files = files
        .into_iter()
        .map(|f| crate::protocol::ProjectFile {
            path: f.path,
            content: f.content,
        })
        .collect();
    if request.files.is_empty() {
        return Err(ProjectError::NoSources.into());
    }
    Ok(request)
}

/// A project request's checks: `files` alone (no `contract` beside it), every path and
/// limit as `crate::project` checks them, valid scope globs; each refusal its own code.
fn check_project(request: &ReportRequest, limits: &ProjectLimits) -> Result<(), ApiError> {
    if !request.contract.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "contract_and_files",
            "send either `contract` (one contract) or `files` (a project), not both",
        ));
    }
    project_of(request, limits)
        .map(|_| ())
        .map_err(ApiError::from)
}

/// The project a request's `files` make, laid out and scoped.
pub fn project_of(
    request: &ReportRequest,
    limits: &ProjectLimits,
) -> Result<Project, ProjectError> {
    Project::from_texts(
        request
            .files
            .iter()
            .map(|f| (f.path.clone(), f.content.clone())),
        &request.scope,
        &request.exclude,
        limits,
    )
}

/// What the prompt-injection guard reads of a request: the contract, or every file of a
/// project with its path.
pub fn guard_hits(request: &ReportRequest) -> Vec<injection::InjectionHit> {
    if request.files.is_empty() {
        return injection::scan(&request.contract, request.filename.as_deref());
    }
    injection::scan_files(
        request
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.content.as_str())),
    )
}

/// `provider/model`, a bare model for the default provider, or nothing for the default.
pub fn resolve_model<'s>(
    settings: &'s Settings,
    requested: Option<&str>,
) -> Result<(&'s ProviderConfig, String), ApiError> {
    let invalid = |msg: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_model", msg);
    let requested = requested.map(str::trim).filter(|m| !m.is_empty());
    let Some(requested) = requested else {
        return Ok((settings.default_provider(), settings.default_model.clone()));
    };
    let (provider, model) = match requested.split_once('/') {
        Some((name, model)) => {
            let p = settings.provider(name).ok_or_else(|| {
                let known: Vec<&str> = settings.providers.iter().map(|p| p.name.as_str()).collect();
                invalid(format!(
                    "unknown provider `{name}`; configured: {}",
                    known.join(", ")
                ))
            })?;
            (p, model)
        }
        None => (settings.default_provider(), requested),
    };
    if model.is_empty() {
        return Err(invalid(format!("`{requested}` names no model")));
    }
    if provider.kind == ProviderKind::Builtin && !provider.models.iter().any(|m| m == model) {
        return Err(invalid(format!(
            "the builtin provider offers only `builtin/{}`",
            provider.default_model()
        )));
    }
    Ok((provider, model.to_owned()))
}
