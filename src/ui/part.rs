//! What the first download does not hold arrives as wasm parts of its own (`cargo
//! leptos build --split`): the reader (`reader::load`), the history page and the stored
//! report's page. This file is their shared handling: whether a part is here, fetching
//! it once (concurrent callers share the fetch; a failure is not remembered, so the
//! next call tries again), and a route whose page is a part (`LazyPage`). A part that
//! fails to load is an `Err` with a message, never a panic: wasm-split's `fallible`
//! loader, where Leptos' own `#[lazy]` expects success and would abort the page. On the
//! server nothing is split: every part is always here.

use std::{cell::Cell, future::Future, pin::Pin, thread::LocalKey};

use leptos::{prelude::*, task::spawn_local};

/// A part did not arrive (a network error, a blocked request).
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("this part of the page did not load; check the connection and try again")]
pub struct PartUnavailable;

impl From<leptos::wasm_split::SplitLoaderError> for PartUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self
    }
}

/// Where a part is, for a page that shows it.
#[derive(Clone, Copy, Debug)]
pub enum PartLoad<T> {
    /// Not asked for yet, or on its way.
    Waiting,
    Ready(T),
    /// It did not load; the page says so and offers to try again.
    Failed,
}

/// By kind: a part is one set of functions, so two `Ready`s are the same.
impl<T> PartialEq for PartLoad<T> {
    fn eq(&self, other: &Self) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

impl<T: Copy> PartLoad<T> {
    pub fn ready(self) -> Option<T> {
        match self {
            Self::Ready(part) => Some(part),
            _ => None,
        }
    }

    pub fn of(loaded: Result<T, PartUnavailable>) -> Self {
        loaded.map_or(Self::Failed, Self::Ready)
    }
}

/// The part kept in `cell` once loaded, as `fetch` (the split point) brings it.
pub async fn load_into_cell<T: Copy + 'static>(
    cell: &'static LocalKey<Cell<Option<T>>>,
    fetch: impl Future<Output = Result<T, PartUnavailable>>,
) -> Result<T, PartUnavailable> {
    if let Some(part) = cell.with(Cell::get) {
        return Ok(part);
    }
    let part = fetch.await?;
    cell.with(|c| c.set(Some(part)));
    Ok(part)
}

/// Loads a part into `into` (`Ready` or `Failed`), unless the page has gone meanwhile.
pub fn load_signal<T, F>(into: RwSignal<PartLoad<T>>, load: impl FnOnce() -> F + 'static)
where
    T: Copy + Send + Sync + 'static,
    F: Future<Output = Result<T, PartUnavailable>> + 'static,
{
    spawn_local(async move {
        let loaded = PartLoad::of(load().await);
        _ = into.try_set(loaded);
    });
}

/// Loads a part again after it failed: `Waiting` (what the page shows meanwhile), then
/// `Ready` or `Failed` (Try again).
pub fn reload_signal<T, F>(into: RwSignal<PartLoad<T>>, load: impl FnOnce() -> F + 'static)
where
    T: Copy + Send + Sync + 'static,
    F: Future<Output = Result<T, PartUnavailable>> + 'static,
{
    into.set(PartLoad::Waiting);
    load_signal(into, load);
}

/// A page that is a part of its own.
pub type Page = fn() -> AnyView;

/// A page's part on its way.
pub type PageLoading = Pin<Box<dyn Future<Output = Result<Page, PartUnavailable>>>>;

/// How a route reaches its page's part.
#[derive(Clone, Copy)]
pub struct PagePart {
    /// The page, if its part is here (always on the server).
    pub now: fn() -> Option<Page>,
    pub load: fn() -> PageLoading,
    /// What the page is, for "Loading the history…".
    pub what: &'static str,
}

/// What a page says when a part it needs did not load, with Try again.
#[component]
pub fn PartFailed(message: String, retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="reader-unavailable" role="alert">
            <span class="message">{message}</span>
            <button id="reader-retry" type="button" on:click=move |_| retry.run(())>
                "Try again"
            </button>
        </div>
    }
}

/// A route whose page is a part: the page once it is here (at once when the browser
/// opened this address: it loads the part before it hydrates), "Loading…" while it is
/// fetched after a navigation, a message with Try again if it does not come.
#[component]
pub fn LazyPage(part: PagePart) -> impl IntoView {
    let load = RwSignal::new((part.now)().map_or(PartLoad::Waiting, PartLoad::Ready));
    Effect::new(move |_| {
        if load.get_untracked() == PartLoad::Waiting {
            load_signal(load, part.load);
        }
    });
    let loaded = Memo::new(move |_| load.get());
    let retry = Callback::new(move |()| reload_signal(load, part.load));
    move || match loaded.get() {
        PartLoad::Ready(page) => page(),
        PartLoad::Waiting => {
            view! { <p class="history-loading">{format!("Loading {}…", part.what)}</p> }.into_any()
        }
        PartLoad::Failed => {
            let message = format!(
                "Loading {} failed: the page's code did not arrive. Check the connection and try again.",
                part.what
            );
            view! { <PartFailed message retry/> }.into_any()
        }
    }
}

/// A page that could not hydrate (its reader's part did not load) says so at its top; it
/// stays as the server sent it. Browser only.
pub fn say_static(e: &PartUnavailable) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(note), Some(body)) = (doc.create_element("p"), doc.body()) else {
        return;
    };
    note.set_class_name("reader-unavailable static");
    _ = note.set_attribute("role", "alert");
    note.set_text_content(Some(&format!(
        "This page is shown as the server sent it and does not respond: {e}. Reloading it tries again."
    )));
    _ = body.prepend_with_node_1(&note);
}

/// A part's split point and its loader, in the module that calls it: `now()` (the part,
/// if it is here; always on the server) and `load()` (fetching it first if need be),
/// for a part of type `$ty` made by `$make`. A macro because the split point's name is
/// an identifier wasm-split reads, one per part.
macro_rules! split_part {
    ($module:ident, $ty:ty, $make:expr) => {
        #[leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn fetch_part() -> Result<$ty, $crate::ui::part::PartUnavailable> {
            Ok($make)
        }

        thread_local! {
            static LOADED: std::cell::Cell<Option<$ty>> = const { std::cell::Cell::new(None) };
        }

        /// The part, if it is here: always on the server; in the browser once loaded.
        pub fn now() -> Option<$ty> {
            // Not `cfg!`: the browser's build must not name the part outside its split point.
            #[cfg(target_family = "wasm")]
            return LOADED.with(std::cell::Cell::get);
            #[cfg(not(target_family = "wasm"))]
            Some($make)
        }

        /// The part, fetching it first if it is not here.
        pub async fn load() -> Result<$ty, $crate::ui::part::PartUnavailable> {
            match now() {
                Some(part) => Ok(part),
                None => $crate::ui::part::load_into_cell(&LOADED, fetch_part()).await,
            }
        }
    };
}
pub(crate) use split_part;

/// A page's split point and its `PagePart` (`PART`): `page_part!(history,
/// super::page::page, "the history")`.
macro_rules! page_part {
    ($module:ident, $page:path, $what:literal) => {
        $crate::ui::part::split_part!($module, $crate::ui::part::Page, $page);

        pub const PART: $crate::ui::part::PagePart = $crate::ui::part::PagePart {
            now,
            load: load_boxed,
            what: $what,
        };

        fn load_boxed() -> std::pin::Pin<
            Box<
                dyn std::future::Future<
                        Output = Result<$crate::ui::part::Page, $crate::ui::part::PartUnavailable>,
                    >,
            >,
        > {
            Box::pin(load())
        }
    };
}
pub(crate) use page_part;
