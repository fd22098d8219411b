//! The site's static files and how long a browser may keep them. A phone on a slow
//! connection should download the app once, compressed as well as it can be, and never
//! again until it changes.
//!
//! - `/pkg/…` is served from the site root by [`pkg_service`] with the brotli or gzip file
//!   the release build writes beside each asset (`cargo leptos build --release
//!   --precompress`), chosen by the request's `Accept-Encoding`; what has no such file is
//!   compressed on the fly by the router's `CompressionLayer`, which never compresses twice.
//! - [`cache_policy`] says how long: a file whose name carries its content's hash
//!   (`hash-files` in `Cargo.toml`) a year and `immutable`; any other file, and every page
//!   (HTML is rendered per request), `no-cache`: kept, but revalidated before each use.
//!   Every file answer varies with `Accept-Encoding`, so a cache never hands brotli to a
//!   browser that asked for gzip.

use axum::{
    extract::Request,
    http::{
        HeaderValue,
        header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_TYPE, VARY},
    },
    middleware::Next,
    response::Response,
};
use tower_http::services::ServeDir;

/// For a file whose name changes whenever its content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For a page or a file that keeps its name across builds: ask before reusing it.
pub const REVALIDATE: &str = "no-cache";

/// The files under `{site_root}/{pkg_dir}`, precompressed variants preferred (brotli first).
pub fn pkg_service(site_root: &str, pkg_dir: &str) -> ServeDir {
    ServeDir::new(std::path::Path::new(site_root).join(pkg_dir))
        .precompressed_br()
        .precompressed_gzip()
}

/// Whether a file name carries a content hash, as cargo-leptos' `hash-files` writes it:
/// `name.<hash>.ext`, the hash being an MD5 in unpadded base64url (22 characters). The
/// placeholder of an unhashed build (`__wasm_split.______________________.js`) is no hash.
pub fn is_hashed(file_name: &str) -> bool {
    let parts: Vec<&str> = file_name.split('.').collect();
    // The hash sits between the name and the extension.
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && part.bytes().any(|b| b.is_ascii_alphanumeric())
        })
}

/// The `Cache-Control` a response should carry, if any: `path` is the request's.
pub fn cache_control_for(path: &str, content_type: Option<&str>) -> Option<&'static str> {
    if content_type.is_some_and(|t| t.starts_with("text/html")) {
        return Some(REVALIDATE);
    }
    if path.starts_with("/api/") || path == "/metrics" {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or_default();
    if !name.contains('.') {
        return None;
    }
    Some(if is_hashed(name) {
        IMMUTABLE
    } else {
        REVALIDATE
    })
}

/// Middleware (`axum::middleware::from_fn`) setting the cache policy and `Vary` of pages
/// and files; it leaves a `Cache-Control` a handler set alone (the report stream's).
pub async fn cache_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if !(response.status().is_success() || response.status().as_u16() == 304) {
        return response;
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(policy) = cache_control_for(&path, content_type) else {
        return response;
    };
    let headers = response.headers_mut();
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    let varies = headers
        .get_all(VARY)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding"));
    if !varies {
        headers.append(VARY, HeaderValue::from_name(ACCEPT_ENCODING));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_the_ones_cargo_leptos_writes() {
        assert!(is_hashed("auditstream.hG4k2bXq0n9Qz1Yv7LmPAw.js"));
        assert!(is_hashed("auditstream.hG4k2bXq0n9Qz1Yv7LmPAw.wasm"));
        assert!(is_hashed("__wasm_split.a-b_c1234567890abcdefg.js"));
        assert!(!is_hashed("auditstream.js"));
        assert!(!is_hashed("auditstream.wasm"));
        assert!(!is_hashed("__wasm_split.______________________.js"));
        // 22 characters, but the extension, not a hash in the middle.
        assert!(!is_hashed("a.hG4k2bXq0n9Qz1Yv7LmPAw"));
        assert!(!is_hashed("favicon.svg"));
    }

    #[test]
    fn pages_revalidate_hashed_files_are_immutable_the_api_is_left_alone() {
        assert_eq!(
            cache_control_for("/", Some("text/html; charset=utf-8")),
            Some(REVALIDATE)
        );
        assert_eq!(
            cache_control_for("/pkg/auditstream.hG4k2bXq0n9Qz1Yv7LmPAw.wasm", None),
            Some(IMMUTABLE)
        );
        assert_eq!(
            cache_control_for("/pkg/auditstream.css", Some("text/css")),
            Some(REVALIDATE)
        );
        assert_eq!(
            cache_control_for("/favicon.svg", Some("image/svg+xml")),
            Some(REVALIDATE)
        );
        assert_eq!(
            cache_control_for("/api/models", Some("application/json")),
            None
        );
        assert_eq!(cache_control_for("/history", None), None);
    }
}
