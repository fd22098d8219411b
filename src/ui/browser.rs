//! The few things the page asks of the browser itself: the clipboard, file
//! downloads, random ids. They do nothing on the server, where no one can click.

/// Puts `text` on the clipboard (a user gesture is required, so call from a click).
pub fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A new random UUID (`crypto.randomUUID()`), or `None` where there is none (on the
/// server, or a page not served over a secure origin).
pub fn random_uuid() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    // Only secure contexts (https, localhost, 127.0.0.1) have it.
    let has = js_sys::Reflect::has(&crypto, &"randomUUID".into()).unwrap_or(false);
    has.then(|| crypto.random_uuid())
}

/// A number in 0..1 from `Math.random()`.
pub fn random() -> f64 {
    js_sys::Math::random()
}

/// Milliseconds on the page's monotonic clock (0 on the server).
pub fn now_ms() -> f64 {
    // web-sys panics off wasm rather than answering `None`.
    if cfg!(not(target_family = "wasm")) {
        return 0.0;
    }
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Scrolls the report to the block that starts on report line `line` (or the nearest
/// block before it).
pub fn scroll_to_line(line: u32) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(blocks) = document.query_selector_all("#report .md-block[data-line]") else {
        return;
    };
    let mut target = None;
    for i in 0..blocks.length() {
        let node = blocks.get(i);
        let Some(el) =
            node.and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        else {
            continue;
        };
        let starts: u32 = el
            .get_attribute("data-line")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        if starts > line {
            break;
        }
        target = Some(el);
    }
    if let Some(el) = target {
        el.scroll_into_view_with_bool(true);
    }
}
