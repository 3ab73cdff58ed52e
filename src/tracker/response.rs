//! The answers the endpoint gives, written straight into the connection's output buffer.
//!
//! Every answer is a few static pieces plus a cached `Date`, so answering a pixel costs no
//! formatting and no allocation once the buffer has grown.

use std::time::{SystemTime, UNIX_EPOCH};

/// A 1x1 transparent `GIF89a`: the smallest image every mail client renders (43 bytes).
pub const PIXEL_GIF: [u8; 43] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// What to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// 200 with the pixel, whatever the token, so the answer reveals nothing.
    Pixel,
    /// 200 with [`super::HEALTH_BODY`].
    Health,
    NotFound,
    MethodNotAllowed,
    BadRequest,
    /// 408: the request head did not arrive in time.
    Timeout,
    /// 414: the request line alone is longer than the head limit.
    UriTooLong,
    /// 431: the headers are longer than the head limit.
    HeadersTooLarge,
    /// 503: the open could not be handed to the writer (it has stopped), or a hook's work
    /// could not be done now (the provider retries).
    Unavailable,
    /// 200 to a provider's hook: taken in (or known already, or ignored).
    Accepted,
    /// 401 to a hook: a bad or missing signature or password. Nothing is recorded.
    Unauthorized,
    /// 403 to a hook: a well-signed message that is not for us (another SNS topic).
    Forbidden,
    /// 411: a hook's body without a `Content-Length`.
    LengthRequired,
    /// 413: a hook's body over the limit.
    PayloadTooLarge,
    /// 500: the hook's events could not be stored (the provider retries).
    ServerError,
}

impl Reply {
    fn status_line(self) -> &'static [u8] {
        match self {
            Reply::Pixel | Reply::Health | Reply::Accepted => b"HTTP/1.1 200 OK\r\n",
            Reply::NotFound => b"HTTP/1.1 404 Not Found\r\n",
            Reply::MethodNotAllowed => b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n",
            Reply::BadRequest => b"HTTP/1.1 400 Bad Request\r\n",
            Reply::Timeout => b"HTTP/1.1 408 Request Timeout\r\n",
            Reply::UriTooLong => b"HTTP/1.1 414 URI Too Long\r\n",
            Reply::HeadersTooLarge => b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
            Reply::Unavailable => b"HTTP/1.1 503 Service Unavailable\r\n",
            Reply::Unauthorized => {
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"guestmail hooks\"\r\n"
            }
            Reply::Forbidden => b"HTTP/1.1 403 Forbidden\r\n",
            Reply::LengthRequired => b"HTTP/1.1 411 Length Required\r\n",
            Reply::PayloadTooLarge => b"HTTP/1.1 413 Content Too Large\r\n",
            Reply::ServerError => b"HTTP/1.1 500 Internal Server Error\r\n",
        }
    }

    fn body(self) -> &'static [u8] {
        match self {
            Reply::Pixel => &PIXEL_GIF,
            Reply::Health => super::HEALTH_BODY,
            Reply::NotFound => b"not found\n",
            Reply::MethodNotAllowed => b"method not allowed\n",
            Reply::BadRequest => b"bad request\n",
            Reply::Timeout => b"request timeout\n",
            Reply::UriTooLong => b"uri too long\n",
            Reply::HeadersTooLarge => b"request header fields too large\n",
            Reply::Unavailable => b"service unavailable\n",
            Reply::Accepted => b"ok\n",
            Reply::Unauthorized => b"unauthorized\n",
            Reply::Forbidden => b"forbidden\n",
            Reply::LengthRequired => b"length required\n",
            Reply::PayloadTooLarge => b"content too large\n",
            Reply::ServerError => b"internal server error\n",
        }
    }

    fn headers(self) -> &'static [u8] {
        match self {
            Reply::Pixel => b"Content-Type: image/gif\r\nCache-Control: no-store\r\nContent-Length: 43\r\n",
            _ => b"Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n",
        }
    }
}

/// Appends the whole answer to `out`. `head_only` for HEAD (same headers, no body);
/// `keep_alive` says whether the connection stays open after it.
pub fn write(out: &mut Vec<u8>, reply: Reply, head_only: bool, keep_alive: bool, date: &mut HttpDate) {
    out.extend_from_slice(reply.status_line());
    out.extend_from_slice(b"Server: guestmail\r\nDate: ");
    out.extend_from_slice(date.now());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(reply.headers());
    let body = reply.body();
    if reply != Reply::Pixel {
        out.extend_from_slice(b"Content-Length: ");
        out.extend_from_slice(body.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(if keep_alive { b"Connection: keep-alive\r\n\r\n" } else { b"Connection: close\r\n\r\n" });
    if !head_only {
        out.extend_from_slice(body);
    }
}

/// The `Date` header's value, formatted once per second per connection.
#[derive(Debug, Default)]
pub struct HttpDate {
    second: u64,
    text: Vec<u8>,
}

impl HttpDate {
    pub fn now(&mut self) -> &[u8] {
        let second = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if second != self.second || self.text.is_empty() {
            self.second = second;
            let at = chrono::DateTime::from_timestamp(second as i64, 0).unwrap_or_default();
            self.text = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string().into_bytes();
        }
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(reply: Reply, head_only: bool, keep_alive: bool) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, reply, head_only, keep_alive, &mut HttpDate::default());
        out
    }

    fn split(raw: &[u8]) -> (String, &[u8]) {
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head ends") + 4;
        (String::from_utf8_lossy(&raw[..end]).into_owned(), &raw[end..])
    }

    #[test]
    fn the_pixel_is_a_43_byte_gif_with_its_length() {
        assert!(PIXEL_GIF.starts_with(b"GIF89a") && PIXEL_GIF.ends_with(b";"));
        let raw = text(Reply::Pixel, false, true);
        let (head, body) = split(&raw);
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("Content-Type: image/gif\r\n") && head.contains("Cache-Control: no-store\r\n"));
        assert!(head.contains("Content-Length: 43\r\n") && head.contains("Connection: keep-alive"));
        assert!(head.contains(" GMT\r\n"), "{head}");
        assert_eq!(body, PIXEL_GIF);
    }

    #[test]
    fn head_answers_have_no_body_and_errors_say_their_length() {
        let raw = text(Reply::Pixel, true, false);
        let (head, body) = split(&raw);
        assert!(head.contains("Content-Length: 43") && head.contains("Connection: close"));
        assert!(body.is_empty());
        let raw = text(Reply::MethodNotAllowed, false, false);
        let (head, body) = split(&raw);
        assert!(head.contains("405") && head.contains("Allow: GET, HEAD"));
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())), "{head}");
    }
}
