//! Reading one request head out of the connection's buffer, with `httparse`.
//!
//! Only what the endpoint needs survives parsing: the method, whether the path is a pixel
//! (and its token if it is well formed) or a provider's event hook, the User-Agent, a
//! forwarded client address, the body's announced length, and whether the connection can
//! stay open. Anything the parser refuses becomes a 4xx.

use std::net::IpAddr;

use super::hooks::provider::Provider;
use super::response::Reply;

/// More headers than any mail client or proxy sends; past this the request is refused.
const MAX_HEADERS: usize = 32;

/// The length of a tracking token: 128 bits as lower-case hex (see `store::new_token`).
const TOKEN_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    /// Only for the hooks (`/hooks/<provider>`).
    Post,
    Other,
}

/// Where the request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'b> {
    /// `/o/<anything>.gif`: always the pixel; the token only if it has a token's shape
    /// (anything else cannot match a message, so it is not worth the writer's time).
    Pixel(Option<&'b str>),
    /// [`super::HEALTH_PATH`]: "a guestmail tracker answers here", for another guestmail
    /// process (the screen, `guestmail status`) to tell who holds the port.
    Health,
    /// `/hooks/<provider>`: an email service provider posting its events.
    Hook(Provider),
    Other,
}

/// A complete request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head<'b> {
    /// Bytes of the buffer the head took (a pipelined request may follow).
    pub len: usize,
    pub method: Method,
    pub route: Route<'b>,
    pub keep_alive: bool,
    /// The request announces a body: answering is fine, reading the next request is not.
    pub has_body: bool,
    /// The `Content-Length`: `None` when absent, `Some(None)` when unreadable or given twice
    /// with different values.
    pub content_length: Option<Option<u64>>,
    /// A `Transfer-Encoding` was sent (chunked bodies are not taken: 411).
    pub chunked: bool,
    pub user_agent: Option<&'b str>,
    /// The client address a reverse proxy put in `X-Forwarded-For` (its last entry) or
    /// `X-Real-IP`; used only when the peer is that proxy on loopback.
    pub forwarded_for: Option<IpAddr>,
}

/// What the buffer holds so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'b> {
    /// Not a whole head yet: read more.
    Partial,
    Request(Head<'b>),
    /// A broken or oversized request: answer this and close.
    Reject(Reply),
}

/// Parses the head at the start of `buf`. `full` says the buffer cannot grow any more, so a
/// partial head is too large.
pub fn parse(buf: &[u8], full: bool) -> Parsed<'_> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if full => {
            let line_done = buf.windows(2).any(|w| w == b"\r\n") || buf.contains(&b'\n');
            return Parsed::Reject(if line_done { Reply::HeadersTooLarge } else { Reply::UriTooLong });
        }
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => return Parsed::Reject(Reply::HeadersTooLarge),
        Err(_) => return Parsed::Reject(Reply::BadRequest),
    };
    let method = match req.method {
        Some("GET") => Method::Get,
        Some("HEAD") => Method::Head,
        Some("POST") => Method::Post,
        _ => Method::Other,
    };
    let route = req.path.map_or(Route::Other, route);
    let http11 = req.version == Some(1);
    let mut keep_alive = http11;
    let mut has_body = false;
    let mut user_agent = None;
    let mut forwarded_for = None;
    let mut content_length: Option<Option<u64>> = None;
    let mut chunked = false;
    for h in req.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("user-agent") {
            user_agent = std::str::from_utf8(h.value).ok();
        } else if name.eq_ignore_ascii_case("connection") {
            for option in String::from_utf8_lossy(h.value).split(',') {
                let option = option.trim();
                if option.eq_ignore_ascii_case("close") {
                    keep_alive = false;
                } else if option.eq_ignore_ascii_case("keep-alive") && !http11 {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            has_body |= h.value.iter().any(|&b| b != b'0' && !b.is_ascii_whitespace());
            let value = std::str::from_utf8(h.value).ok().and_then(|v| v.trim().parse::<u64>().ok());
            content_length = match content_length {
                None => Some(value),
                Some(before) if before == value => Some(value),
                Some(_) => Some(None),
            };
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
            chunked = true;
        } else if name.eq_ignore_ascii_case("x-forwarded-for") {
            let text = String::from_utf8_lossy(h.value);
            forwarded_for = text.rsplit(',').next().and_then(|ip| ip.trim().parse().ok());
        } else if name.eq_ignore_ascii_case("x-real-ip") && forwarded_for.is_none() {
            forwarded_for = std::str::from_utf8(h.value).ok().and_then(|ip| ip.trim().parse().ok());
        }
    }
    Parsed::Request(Head {
        len,
        method,
        route,
        keep_alive,
        has_body,
        content_length,
        chunked,
        user_agent,
        forwarded_for,
    })
}

/// `/o/<token>.gif`, query string ignored.
fn route(target: &str) -> Route<'_> {
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    if path == super::HEALTH_PATH {
        return Route::Health;
    }
    if let Some(name) = path.strip_prefix("/hooks/") {
        return Provider::from_path(name).map_or(Route::Other, Route::Hook);
    }
    let Some(name) = path.strip_prefix("/o/").and_then(|rest| rest.strip_suffix(".gif")) else {
        return Route::Other;
    };
    if name.contains('/') {
        return Route::Other;
    }
    let token_shaped =
        name.len() == TOKEN_LEN && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    Route::Pixel(token_shaped.then_some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn head(raw: &str) -> Head<'_> {
        match parse(raw.as_bytes(), false) {
            Parsed::Request(h) => h,
            other => panic!("{raw:?} gave {other:?}"),
        }
    }

    #[test]
    fn a_pixel_request_yields_its_token_agent_and_length() {
        let raw = format!("GET /o/{TOKEN}.gif?x=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: Mozilla/5.0\r\n\r\nGET /");
        let h = head(&raw);
        assert_eq!(h.route, Route::Pixel(Some(TOKEN)));
        assert_eq!((h.method, h.keep_alive, h.has_body), (Method::Get, true, false));
        assert_eq!(h.user_agent, Some("Mozilla/5.0"));
        assert_eq!(h.len, raw.len() - "GET /".len());
    }

    #[test]
    fn routes_methods_and_versions() {
        assert_eq!(head("GET /o/nothex.gif HTTP/1.1\r\n\r\n").route, Route::Pixel(None));
        assert_eq!(head(&format!("GET /o/{}.gif HTTP/1.1\r\n\r\n", TOKEN.to_uppercase())).route, Route::Pixel(None));
        assert_eq!(head("GET /o/a/b.gif HTTP/1.1\r\n\r\n").route, Route::Other);
        assert_eq!(head("GET / HTTP/1.1\r\n\r\n").route, Route::Other);
        assert_eq!(head("HEAD /o/x.gif HTTP/1.1\r\n\r\n").method, Method::Head);
        assert_eq!(head("DELETE /o/x.gif HTTP/1.1\r\n\r\n").method, Method::Other);
        assert!(!head("GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
        assert!(!head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
        assert!(head("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").has_body);
        assert!(!head("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").has_body);
        let h = head("POST /hooks/sendgrid HTTP/1.1\r\nContent-Length: 12\r\n\r\n");
        assert_eq!(
            (h.method, h.route, h.content_length),
            (Method::Post, Route::Hook(Provider::SendGrid), Some(Some(12)))
        );
        assert_eq!(head("POST /hooks/ses HTTP/1.1\r\n\r\n").content_length, None);
        assert_eq!(head("POST /hooks/ses HTTP/1.1\r\nContent-Length: x\r\n\r\n").content_length, Some(None));
        let twice = "POST /hooks/ses HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n";
        assert_eq!(head(twice).content_length, Some(None));
        assert!(head("POST /hooks/ses HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").chunked);
        assert_eq!(head("POST /hooks/other HTTP/1.1\r\n\r\n").route, Route::Other);
    }

    #[test]
    fn forwarded_addresses_take_the_proxys_last_entry() {
        let h = head("GET / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1, 17.58.1.2\r\n\r\n");
        assert_eq!(h.forwarded_for, Some("17.58.1.2".parse().expect("ip")));
        let h = head("GET / HTTP/1.1\r\nX-Real-IP: 2001:db8::7\r\n\r\n");
        assert_eq!(h.forwarded_for, Some("2001:db8::7".parse().expect("ip")));
        assert_eq!(head("GET / HTTP/1.1\r\nX-Forwarded-For: junk\r\n\r\n").forwarded_for, None);
    }

    #[test]
    fn broken_and_oversized_heads_are_refused() {
        assert_eq!(parse(b"GET /o/x.gif HTTP/1.1\r\nHost", false), Parsed::Partial);
        assert_eq!(parse(b"\x16\x03\x01\x02\x00garbage\r\n\r\n", false), Parsed::Reject(Reply::BadRequest));
        assert_eq!(parse(b"GET /aaaaaaaaaa", true), Parsed::Reject(Reply::UriTooLong));
        assert_eq!(parse(b"GET / HTTP/1.1\r\nX-A: aaaa", true), Parsed::Reject(Reply::HeadersTooLarge));
        let many: String = (0..40).map(|i| format!("X-{i}: y\r\n")).collect::<Vec<_>>().concat();
        let raw = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(raw.as_bytes(), false), Parsed::Reject(Reply::HeadersTooLarge));
    }
}
