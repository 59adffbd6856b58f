//! The guard every request passes: a loopback Host (a page on another site that resolves its
//! own name to 127.0.0.1 — DNS rebinding — sends its own Host and is refused), and for anything
//! that changes state the per-run token and no cross-site Origin (a form on another site can
//! neither read the token nor set the header).

use super::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore as _;

/// The header the page sends its token in.
pub const TOKEN_HEADER: &str = "x-fangpin-token";

/// 32 random bytes as hex: unguessable for the life of one server run.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True for `localhost`, `127.0.0.1` and `[::1]`, with or without a port.
pub fn allowed_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1] or [::1]:3000
        match rest.split_once(']') {
            Some((inner, tail)) if tail.is_empty() || valid_port(tail) => return inner == "::1",
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if valid_port(&format!(":{port}")) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1"
}

/// `:` followed by 1–5 digits.
fn valid_port(tail: &str) -> bool {
    tail.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The Origin of the page itself: `http://<loopback name>:<our port>`.
fn same_origin(origin: &str, port: u16) -> bool {
    let Some(host) = origin.strip_prefix("http://") else {
        return false;
    };
    allowed_host(host) && host.ends_with(&format!(":{port}"))
}

/// A refusal as JSON `{"error": …}` (the page prints `error`), with the status.
pub(crate) fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": message.into() });
    (status, axum::Json(body)).into_response()
}

/// Why a request is refused, or None.
fn check(headers: &HeaderMap, method: &Method, state: &AppState) -> Option<Response> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !allowed_host(host) {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "拒绝访问：此服务只接受本机地址（请求的主机名是“{}”）。请在本机浏览器打开 http://127.0.0.1:{}/",
                host.chars().take(100).collect::<String>(),
                state.inner.port
            ),
        ));
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !same_origin(origin, state.inner.port) {
            return Some(refuse(
                StatusCode::FORBIDDEN,
                "拒绝操作：请求来自其他网站。请直接在 fangpin 的页面上操作（http://127.0.0.1 开头的地址）",
            ));
        }
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "拒绝操作：请求来自其他网站。请直接在 fangpin 的页面上操作",
        ));
    }
    let token = headers.get(TOKEN_HEADER).map(HeaderValue::as_bytes).unwrap_or(b"");
    if !constant_time_eq(token, state.inner.token.as_bytes()) {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "拒绝操作：页面已过期或不是由本次启动的 fangpin 打开的。请刷新页面（F5）后重试",
        ));
    }
    None
}

/// Compares without stopping at the first difference (the token's length is public anyway).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware: refuses what [`check`] refuses, and marks every answer not to be sniffed or
/// framed by another page.
pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = match check(request.headers(), request.method(), &state) {
        Some(refusal) => refusal,
        None => next.run(request).await,
    };
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for ok in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:1",
            "127.0.0.1",
            "127.0.0.1:3000",
            "[::1]",
            "[::1]:3000",
        ] {
            assert!(allowed_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "localhost.evil.example:3000",
            "127.0.0.2:3000",
            "0.0.0.0:3000",
            "[::2]:3000",
            "[::1]x",
            "localhost:",
            "localhost:abc",
            "192.168.1.5:3000",
        ] {
            assert!(!allowed_host(bad), "{bad}");
        }
    }

    #[test]
    fn origins() {
        assert!(same_origin("http://127.0.0.1:3000", 3000));
        assert!(same_origin("http://localhost:3000", 3000));
        assert!(!same_origin("http://127.0.0.1:3001", 3000));
        assert!(!same_origin("http://evil.example:3000", 3000));
        assert!(!same_origin("null", 3000));
        assert!(!same_origin("https://127.0.0.1:3000.evil.example", 3000));
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), b.as_bytes()));
        assert!(!constant_time_eq(&a.as_bytes()[..63], a.as_bytes()));
    }
}
