//! The report before the reader's part is here (or when it failed to load): the same
//! `#report` box with its phase, the text as the model writes it, unrendered, so a
//! report started at once is read at once. Once the part arrives the rendered reader
//! takes its place, from the whole text so far.

use leptos::prelude::*;

use super::{
    load::{ReaderLoad, reload_into},
    state::ReportState,
};
use crate::ui::part::PartFailed;

#[component]
pub fn PlainReport(state: ReportState, reader: RwSignal<ReaderLoad>) -> impl IntoView {
    let running = move || state.phase.get().is_running();
    let failed = move || matches!(reader.get(), ReaderLoad::Failed);
    let retry = Callback::new(move |()| reload_into(reader));
    view! {
        <Show when=failed>
            <PartFailed
                message="The report viewer did not load, so the report is shown as plain text (no formatting, no findings panel). Generate and Stop still work."
                    .to_owned()
                retry
            />
        </Show>
        <div class="report-box">
            <article
                id="report"
                class="report report-plain"
                tabindex="0"
                aria-label="Security report"
                aria-busy=move || running().to_string()
                data-phase=move || state.phase.get().as_str()
            >
                <pre class="report-text">{move || state.markdown.get()}</pre>
                <Show when=running>
                    <span class="cursor" aria-hidden="true"></span>
                </Show>
            </article>
        </div>
    }
}
