//! The report itself: finished blocks (each built once, never touched again) and the
//! live tail, in a scroll box that follows the stream only while the reader is at its
//! bottom. A wheel-up, a touch, a navigation key or starting a selection stops the
//! following; scrolling back to the bottom or "Jump to latest" resumes it.

use leptos::{html, prelude::*};

use super::{
    markdown::{BlockView, nodes_view},
    state::{BlockPage, ReportState},
};

/// How close to the bottom (px) still counts as "at the bottom".
const BOTTOM_SLACK_PX: i32 = 8;

/// Keys that move the reader away from the end of the report.
fn is_navigation_key(key: &str) -> bool {
    matches!(key, "ArrowUp" | "PageUp" | "Home")
}

fn at_bottom(el: &web_sys::Element) -> bool {
    el.scroll_height() - el.scroll_top() - el.client_height() <= BOTTOM_SLACK_PX
}

fn scroll_to_end(el: &web_sys::Element) {
    el.set_scroll_top(el.scroll_height());
}

/// One page of finished blocks; only the last page ever changes. Pages the reader has
/// scrolled past skip style and layout (`content-visibility` in the stylesheet), so a
/// frame's rendering cost stays that of the visible pages however long the report gets.
#[component]
fn PageView(page: BlockPage) -> impl IntoView {
    let blocks = page.blocks;
    view! {
        <div class="md-page">
            <For each=move || blocks.get() key=|b| b.index let:block>
                <BlockView block/>
            </For>
        </div>
    }
}

#[component]
pub fn ReportBody(state: ReportState) -> impl IntoView {
    let body = NodeRef::<html::Article>::new();
    let following = state.following;

    // After each frame's DOM update, keep the end in view while following.
    Effect::new(move |_| {
        state.markdown.track();
        state.tail.track();
        if following.get_untracked() {
            request_animation_frame(move || {
                if let (true, Some(el)) = (following.get_untracked(), body.get_untracked()) {
                    scroll_to_end(&el);
                }
            });
        }
    });

    // Where the reader was when they stopped following: only a scroll that has since gone
    // further down, to the bottom, follows again. A scroll event already on its way when
    // the wheel turned (from the page's own scroll to the end) is not one.
    let stopped_at = StoredValue::new(0);
    let stop_following = move || {
        if let Some(el) = body.get_untracked() {
            stopped_at.set_value(el.scroll_top());
        }
        following.set(false);
    };
    let on_scroll = move |_| {
        if !following.get_untracked()
            && let Some(el) = body.get_untracked()
            && at_bottom(&el)
            && el.scroll_top() > stopped_at.get_value()
        {
            following.set(true);
        }
    };
    let jump = move |_| {
        following.set(true);
        if let Some(el) = body.get_untracked() {
            scroll_to_end(&el);
        }
    };
    let running = move || state.phase.get().is_running();
    // Only while text is still arriving is there a "latest" to jump to.
    let show_jump = move || !following.get() && running();

    view! {
        <div class="report-box">
            <article
                id="report"
                class="report"
                tabindex="0"
                aria-label="Security report"
                aria-busy=move || running().to_string()
                data-phase=move || state.phase.get().as_str()
                node_ref=body
                on:scroll=on_scroll
                on:wheel=move |ev| {
                    if ev.delta_y() < 0.0 {
                        stop_following()
                    }
                }
                on:touchstart=move |_| stop_following()
                on:selectstart=move |_| stop_following()
                on:keydown=move |ev| {
                    if is_navigation_key(&ev.key()) {
                        stop_following()
                    }
                }
            >
                <div class="report-text">
                    <For each=move || state.pages.get() key=|p| p.index let:page>
                        <PageView page/>
                    </For>
                    <div class="md-tail">{move || state.tail.with(|t| nodes_view(t))}</div>
                </div>
                <Show when=running>
                    <span class="cursor" aria-hidden="true"></span>
                </Show>
            </article>
            <Show when=show_jump>
                <button id="jump-latest" class="jump" type="button" on:click=jump>
                    "Jump to latest ↓"
                </button>
            </Show>
        </div>
    }
}
