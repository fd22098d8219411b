//! The Content-Security-Policy of every response. Model output is attacker-controlled,
//! so even if something slipped past the renderer, the page may run no inline script
//! but Leptos' own hydration script (carrying this response's nonce), and may load or
//! connect to nothing but its own origin: `'self'`, the nonce and `'wasm-unsafe-eval'`
//! (to instantiate the app's wasm), nothing more.
//!
//! Pages get the policy with their nonce from the shell ([`send_page_policy`]); every
//! other response (files, errors, the API) gets the same policy without a nonce from
//! [`default_policy`], which leaves a policy already set alone.

use axum::{
    extract::Request,
    http::{HeaderValue, header::CONTENT_SECURITY_POLICY},
    middleware::Next,
    response::Response,
};

/// The policy; `nonce` is the one Leptos put on this page's inline scripts.
pub fn policy(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src {script}; style-src 'self'; img-src 'self'; \
         connect-src 'self'; font-src 'self'; frame-src 'none'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called while the shell renders: sends this page's policy with its nonce.
pub fn send_page_policy() {
    use leptos::prelude::use_context;
    let nonce = leptos::nonce::use_nonce();
    let Ok(value) = HeaderValue::from_str(&policy(nonce.as_deref())) else {
        return;
    };
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Middleware (`axum::middleware::from_fn`) giving every response a policy.
pub async fn default_policy(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if !response.headers().contains_key(CONTENT_SECURITY_POLICY) {
        response.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&policy(None)).expect("the policy is ASCII"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn the_policy_allows_self_the_nonce_and_wasm_only() {
        let p = policy(Some("abc"));
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        for directive in [
            "img-src 'self'",
            "connect-src 'self'",
            "frame-src 'none'",
            "object-src 'none'",
        ] {
            assert!(p.contains(directive), "{directive}");
        }
        assert!(!p.contains("unsafe-inline"));
        assert!(!p.contains("http"));
        assert!(!policy(None).contains("nonce"));
    }
}
