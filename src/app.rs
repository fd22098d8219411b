//! The HTML shell and the app's routes, rendered on the server and hydrated in the
//! browser.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{A, Route, Router, Routes},
};

use crate::ui::{HistoryView, ReportView, StoredReportView};

/// The document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's Content-Security-Policy carries the nonce of its hydration script.
    #[cfg(feature = "ssr")]
    crate::server::csp::send_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // The stylesheet's name carries its hash (`hash-files`), so it is read
                // from the build's hash file here, on the server.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="auditstream: smart-contract security reports"/>
        <Router>
            <header class="top">
                <h1>"auditstream"</h1>
                <p class="tagline">"Paste a Solidity or Vyper contract; the security report writes itself."</p>
                <nav class="top-nav" aria-label="Main">
                    <A href="/" exact=true>"Generator"</A>
                    <A href="/history">"History"</A>
                </nav>
            </header>
            <main>
                <Routes fallback=|| "Page not found.".into_view()>
                    <Route path=StaticSegment("") view=ReportView/>
                    // Rendered whole on the server (the stored data first), so the HTML
                    // carries the list or the report and a missing report answers 404.
                    <Route path=StaticSegment("history") view=HistoryView ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("reports"), ParamSegment("id"))
                        view=StoredReportView
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
