//! ModelPicker: every configured and live-discovered model as `provider/model`;
//! unavailable providers stay visible, disabled, with the reason.

use leptos::prelude::*;

use crate::{api::list_models, protocol::ModelOption};

/// The model to preselect: the server default if usable, else the first usable one.
fn preferred(list: &[ModelOption]) -> Option<String> {
    list.iter()
        .find(|m| m.is_default && m.available)
        .or_else(|| list.iter().find(|m| m.available))
        .map(|m| m.id.clone())
}

#[component]
pub fn ModelPicker(model: RwSignal<Option<String>>) -> impl IntoView {
    // Asked from the browser after hydration, so a slow provider never delays the page.
    let models = LocalResource::new(list_models);
    Effect::new(move |_| {
        if let Some(Ok(list)) = models.get()
            && model.get_untracked().is_none()
        {
            model.set(preferred(&list));
        }
    });
    let options = move || match models.get() {
        None => view! { <option value="">"loading models…"</option> }.into_any(),
        Some(Err(_)) => view! { <option value="">"server default"</option> }.into_any(),
        Some(Ok(list)) => list
            .into_iter()
            .map(|m| {
                let id = m.id.clone();
                let label = if m.available {
                    m.id.clone()
                } else {
                    format!("{} (unavailable)", m.id)
                };
                view! {
                    <option
                        value=m.id.clone()
                        disabled=!m.available
                        title=m.reason.clone().unwrap_or_default()
                        selected=move || model.get().as_deref() == Some(id.as_str())
                    >
                        {label}
                    </option>
                }
            })
            .collect_view()
            .into_any(),
    };
    let problems = move || {
        let Some(Ok(list)) = models.get() else {
            return Vec::new();
        };
        let mut seen: Vec<(String, String)> = Vec::new();
        for m in list {
            if let Some(r) = m.reason
                && !seen.iter().any(|(p, _)| *p == m.provider)
            {
                seen.push((m.provider, r));
            }
        }
        seen
    };
    view! {
        <label class="model-picker">
            <span>"Model"</span>
            <select id="model" on:change=move |ev| model.set(Some(event_target_value(&ev)))>
                {options}
            </select>
        </label>
        <ul class="provider-problems">
            {move || {
                problems()
                    .into_iter()
                    .map(|(p, r)| view! { <li data-provider=p>{r}</li> })
                    .collect_view()
            }}
        </ul>
    }
}
