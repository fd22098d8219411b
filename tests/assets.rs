//! The site's files as a browser gets them, over real TCP from the real router: the
//! precompressed brotli or gzip file when the request accepts it (identity otherwise),
//! on-the-fly gzip for a file without one, `Vary: Accept-Encoding`, a year and
//! `immutable` for a hashed file name, `no-cache` (and a working revalidation) for
//! everything else and for pages. The site is a fixture written here, so the test needs
//! no release build.

mod support;

use std::{net::SocketAddr, path::Path};

use auditstream::server::{AppState, serve};
use leptos::prelude::LeptosOptions;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, IF_MODIFIED_SINCE,
    LAST_MODIFIED, VARY,
};

const HASHED: &str = "auditstream.hG4k2bXq0n9Qz1Yv7LmPAw.wasm";
// Not real brotli or gzip: the server must send the file it finds, byte for byte.
const BR_BODY: &[u8] = b"brotli variant of the wasm";
const GZ_BODY: &[u8] = b"gzip variant of the wasm";

/// A site as `cargo leptos build --release --precompress` lays it out, in `dir`.
fn write_site(dir: &Path) -> Vec<u8> {
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(pkg.join(HASHED), &wasm).unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.br")), BR_BODY).unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.gz")), GZ_BODY).unwrap();
    // No precompressed variant, and a name without a hash.
    std::fs::write(
        pkg.join("plain.css"),
        ".report { color: black; }\n".repeat(100),
    )
    .unwrap();
    wasm
}

async fn start(site: &Path) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = LeptosOptions::builder()
        .output_name("auditstream")
        .site_root(site.to_str().unwrap())
        .site_pkg_dir("pkg")
        .build();
    let state = AppState::new(support::settings(&[]));
    tokio::spawn(serve(listener, state, options));
    addr
}

async fn get(addr: SocketAddr, path: &str, accept: &str) -> reqwest::Response {
    support::client()
        .get(format!("http://{addr}{path}"))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    r.headers().get(&name).map_or("", |v| v.to_str().unwrap())
}

fn varies_by_encoding(r: &reqwest::Response) -> bool {
    r.headers().get_all(VARY).iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

#[tokio::test]
async fn a_hashed_asset_comes_precompressed_as_accepted_and_is_cached_for_a_year() {
    let site = tempfile::tempdir().unwrap();
    let wasm = write_site(site.path());
    let addr = start(site.path()).await;
    let path = format!("/pkg/{HASHED}");

    let r = get(addr, &path, "gzip, deflate, br").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, CONTENT_ENCODING), "br");
    assert_eq!(header(&r, CONTENT_TYPE), "application/wasm");
    assert_eq!(
        header(&r, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(varies_by_encoding(&r), "{:?}", r.headers());
    assert!(header(&r, CONTENT_SECURITY_POLICY).contains("default-src 'self'"));
    assert_eq!(r.bytes().await.unwrap(), BR_BODY);

    let r = get(addr, &path, "gzip").await;
    assert_eq!(header(&r, CONTENT_ENCODING), "gzip");
    assert_eq!(
        header(&r, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(varies_by_encoding(&r));
    assert_eq!(r.bytes().await.unwrap(), GZ_BODY);

    let r = get(addr, &path, "identity").await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, CONTENT_ENCODING), "");
    assert_eq!(
        header(&r, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(varies_by_encoding(&r));
    assert_eq!(r.bytes().await.unwrap(), wasm);
}

#[tokio::test]
async fn a_file_without_a_variant_is_gzipped_on_the_fly_and_revalidated() {
    let site = tempfile::tempdir().unwrap();
    write_site(site.path());
    let addr = start(site.path()).await;

    let r = get(addr, "/pkg/plain.css", "br, gzip").await;
    assert_eq!(r.status(), 200);
    // Only gzip is compiled into the dynamic layer, so that is what it picks.
    assert_eq!(header(&r, CONTENT_ENCODING), "gzip");
    assert_eq!(header(&r, CACHE_CONTROL), "no-cache");
    assert!(varies_by_encoding(&r));
    let modified = header(&r, LAST_MODIFIED).to_owned();
    let body = r.bytes().await.unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");

    let r = get(addr, "/pkg/plain.css", "identity").await;
    assert_eq!(header(&r, CONTENT_ENCODING), "");
    assert!(r.text().await.unwrap().starts_with(".report {"));

    // `no-cache` keeps the file in the browser's cache; revalidating it costs no body.
    assert!(
        !modified.is_empty(),
        "a Last-Modified to revalidate against"
    );
    let r = support::client()
        .get(format!("http://{addr}/pkg/plain.css"))
        .header(IF_MODIFIED_SINCE, &modified)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);

    let r = get(addr, "/pkg/missing.js", "br").await;
    assert_eq!(r.status(), 404);
    assert_eq!(header(&r, CACHE_CONTROL), "");
}

#[tokio::test]
async fn pages_are_revalidated_every_time() {
    let site = tempfile::tempdir().unwrap();
    write_site(site.path());
    let addr = start(site.path()).await;

    let r = get(addr, "/", "gzip").await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, CONTENT_TYPE).starts_with("text/html"));
    assert_eq!(header(&r, CACHE_CONTROL), "no-cache");
    assert!(varies_by_encoding(&r));
}
