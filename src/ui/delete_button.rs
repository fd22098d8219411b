//! Delete for a stored report, on the history list and on the report page alike. The
//! first press turns the button into "Confirm delete" and only a second press deletes
//! (no browser dialog); leaving the button or Esc takes the question back. The server
//! decides who may delete: only the browser that made the report.

use leptos::{prelude::*, task::spawn_local};

use crate::api::{delete_report, failure_message};

/// What a browser that does not own the report is told.
pub const NOT_OWNER: &str = "Only the browser that created this report can delete it.";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Ready,
    Confirming,
    Deleting,
}

impl Step {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Confirming => "confirming",
            Self::Deleting => "deleting",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Ready => "Delete",
            Self::Confirming => "Confirm delete",
            Self::Deleting => "Deleting…",
        }
    }
}

/// What a delete's answer says, if anything: `None` when the report is gone.
pub fn refusal(answer: &Result<bool, ServerFnError>) -> Option<String> {
    match answer {
        Ok(true) => None,
        Ok(false) => Some(NOT_OWNER.into()),
        Err(e) => Some(failure_message(e)),
    }
}

/// `name` tells screen readers which report the button deletes.
#[component]
pub fn DeleteButton(
    id: String,
    #[prop(into)] name: String,
    #[prop(into)] on_deleted: Callback<()>,
) -> impl IntoView {
    let step = RwSignal::new(Step::Ready);
    let message = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    let press = move |_| match step.get_untracked() {
        Step::Ready => {
            message.set(None);
            step.set(Step::Confirming);
        }
        Step::Confirming => {
            step.set(Step::Deleting);
            spawn_local(async move {
                let answer = delete_report(id.get_value()).await;
                step.try_set(Step::Ready);
                match refusal(&answer) {
                    None => on_deleted.run(()),
                    Some(m) => {
                        message.try_set(Some(m));
                    }
                }
            });
        }
        Step::Deleting => {}
    };
    let take_back = move || {
        if step.get_untracked() == Step::Confirming {
            step.set(Step::Ready);
        }
    };
    view! {
        <span class="delete">
            <button
                type="button"
                class="delete-report"
                class:confirming=move || step.get() == Step::Confirming
                data-step=move || step.get().as_str()
                disabled=move || step.get() == Step::Deleting
                on:click=press
                on:blur=move |_| take_back()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        take_back()
                    }
                }
            >
                {move || step.get().label()}
                <span class="visually-hidden">{format!(" {name}")}</span>
            </button>
            {move || message.get().map(|m| view! { <span class="delete-refused" role="alert">{m}</span> })}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_delete_says_why() {
        assert_eq!(refusal(&Ok(true)), None);
        assert_eq!(refusal(&Ok(false)).as_deref(), Some(NOT_OWNER));
        let off = ServerFnError::new("history is switched off on this server");
        assert_eq!(
            refusal(&Err(off)).as_deref(),
            Some("history is switched off on this server")
        );
    }
}
