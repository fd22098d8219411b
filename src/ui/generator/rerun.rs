//! Run again: the generator opened as `/?rerun={id}` fills its editor with a stored
//! report's contract, file name and model, or puts its project back (files, scope), so
//! the same input can be sent once more with Generate. The model is kept only if this
//! server still offers it.

use leptos::prelude::*;

use crate::{
    api::{failure_message, get_report, list_models},
    protocol::ModelOption,
    ui::reader::{ProjectDraft, ReportState},
};

/// The stored model if the picker offers it and it can be used; otherwise what to tell
/// the reader about the default that stays selected.
pub fn rerun_model(wanted: &str, models: &[ModelOption]) -> Result<String, String> {
    match models.iter().find(|m| m.id == wanted) {
        Some(m) if m.available => Ok(m.id.clone()),
        Some(_) => Err(format!(
            "{wanted} is unavailable right now, so the default model is selected."
        )),
        None => Err(format!(
            "{wanted} is not offered by this server, so the default model is selected."
        )),
    }
}

/// Fills the editor from report `id` (in the browser, after hydration).
pub async fn fill_from(state: ReportState, id: String) {
    let report = match get_report(id).await {
        Ok(Some(report)) => report,
        Ok(None) => {
            state.input_note.try_set(Some(
                "No report has this id to run again; it may have been deleted or pruned.".into(),
            ));
            return;
        }
        Err(e) => {
            state
                .input_note
                .try_set(Some(format!("Run again: {}", failure_message(&e))));
            return;
        }
    };
    let wanted = report.model_id();
    state.input_error.try_set(None);
    let models = list_models().await.unwrap_or_default();
    match rerun_model(&wanted, &models) {
        Ok(model) => {
            state.model.try_set(Some(model));
            state.input_note.try_set(None);
        }
        Err(note) => {
            state.input_note.try_set(Some(note));
        }
    }
    if report.files.is_empty() {
        state.contract.try_set(report.contract);
        state.filename.try_set(report.filename);
        return;
    }
    // A project: its files and globs as sent, previewed against the model now picked.
    let draft = ProjectDraft {
        name: report.filename.unwrap_or_else(|| "project".into()),
        files: report.files,
        scope: report.scope,
        exclude: report.exclude,
        ..ProjectDraft::default()
    };
    super::project_input::restore(state, draft).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(id: &str, available: bool) -> ModelOption {
        let (provider, _) = id.split_once('/').unwrap();
        ModelOption {
            id: id.into(),
            provider: provider.into(),
            available,
            reason: None,
            is_default: false,
        }
    }

    #[test]
    fn the_stored_model_is_kept_only_when_offered_and_usable() {
        let models = [option("fake/echo", true), option("ollama/q", false)];
        assert_eq!(rerun_model("fake/echo", &models), Ok("fake/echo".into()));
        assert!(
            rerun_model("ollama/q", &models)
                .unwrap_err()
                .contains("unavailable")
        );
        assert!(
            rerun_model("gone/model", &models)
                .unwrap_err()
                .contains("not offered")
        );
    }
}
