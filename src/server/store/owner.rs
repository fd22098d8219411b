//! Who owns a report without accounts: each browser gets a random owner token in an
//! `HttpOnly`, `SameSite=Lax` cookie on its first request, and the history list shows
//! only that token's reports. The database keeps the token's SHA-256, never the token.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};

/// The cookie's name.
pub const COOKIE: &str = "auditstream_owner";
/// How long the browser keeps the cookie: a year, renewed never (the token is the owner).
const MAX_AGE_SECS: u64 = 365 * 24 * 3600;

/// A report owner, known by the hash of their token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    hash: String,
}

impl Owner {
    pub fn from_token(token: &str) -> Self {
        Self {
            hash: super::sha256_hex(token),
        }
    }

    /// What the `owner_hash` column holds.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// The owner token in a request's cookies, if it has a well-formed one.
pub fn token_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| uuid::Uuid::parse_str(v).is_ok())
}

/// The `Set-Cookie` value that gives a browser `token`.
pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("a UUID cookie is a valid header value")
}

/// What the cookie layer needs to know.
#[derive(Clone, Copy, Debug, Default)]
pub struct CookiePolicy {
    /// `AUDITSTREAM_SECURE_COOKIE`: always `Secure`.
    pub secure: bool,
    /// `AUDITSTREAM_TRUST_FORWARDED_FOR`: `X-Forwarded-Proto: https` also means `Secure`.
    pub trust_forwarded_proto: bool,
}

impl CookiePolicy {
    fn secure_for(self, headers: &HeaderMap) -> bool {
        self.secure
            || self.trust_forwarded_proto
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
    }
}

/// Middleware: every request carries an `Owner` extension; a request without a valid
/// token gets a new one, set on its response.
pub async fn layer(State(policy): State<CookiePolicy>, mut req: Request, next: Next) -> Response {
    let (token, fresh) = match token_of(req.headers()) {
        Some(t) => (t, false),
        None => (uuid::Uuid::new_v4().to_string(), true),
    };
    let secure = policy.secure_for(req.headers());
    req.extensions_mut().insert(Owner::from_token(&token));
    let mut resp = next.run(req).await;
    if fresh {
        resp.headers_mut()
            .append(header::SET_COOKIE, set_cookie(&token, secure));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_among_other_cookies_and_must_be_a_uuid() {
        let mut h = HeaderMap::new();
        let t = "0b1c7b4e-2a53-4d0b-9a57-3f7d2f6a9c10";
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; {COOKIE}={t}; b=2")).unwrap(),
        );
        assert_eq!(token_of(&h).as_deref(), Some(t));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("auditstream_owner=guess"),
        );
        assert_eq!(token_of(&h), None);
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_when_asked() {
        let c = set_cookie("x", false);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(
            set_cookie("x", true)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let behind_proxy = CookiePolicy {
            secure: false,
            trust_forwarded_proto: true,
        };
        assert!(behind_proxy.secure_for(&h));
        assert!(!CookiePolicy::default().secure_for(&h));
    }

    #[test]
    fn the_database_sees_a_hash_not_the_token() {
        let o = Owner::from_token("secret-token");
        assert_eq!(o.hash().len(), 64);
        assert!(!o.hash().contains("secret"));
        assert_eq!(o, Owner::from_token("secret-token"));
    }
}
