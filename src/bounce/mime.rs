//! The MIME view the bounce parsers work on: top-level headers, leaf parts as text, and the
//! returned original message (or its headers), all decoded by mail-parser.

use mail_parser::{MessageParser, MimeHeaders as _, PartType};

use super::scan;

/// One leaf part: its lower-case `type/subtype` and its decoded content as text.
#[derive(Debug)]
pub(crate) struct Part {
    pub ctype: String,
    pub text: String,
}

/// A parsed message, reduced to what the bounce parsers read.
#[derive(Debug)]
pub(crate) struct Doc {
    /// Top-level headers: lower-case name, unfolded value.
    pub headers: Vec<(String, String)>,
    pub subject: String,
    pub parts: Vec<Part>,
}

/// Content types that carry the returned message or its headers.
const RETURNED: &[&str] = &["message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"];

impl Doc {
    pub fn parse(raw: &[u8]) -> Option<Doc> {
        let doc = Self::parse_once(raw)?;
        // A multipart message whose declared boundary never occurs (edited or broken by a
        // relay) comes out as one part; retry with the boundary the body actually uses.
        if doc.parts.len() == 1
            && doc.parts[0].ctype.starts_with("multipart/")
            && let Some(fixed) = repair_boundary(raw, &doc.parts[0].text)
            && let Some(repaired) = Self::parse_once(&fixed)
            && repaired.parts.len() > 1
        {
            return Some(repaired);
        }
        Some(doc)
    }

    fn parse_once(raw: &[u8]) -> Option<Doc> {
        // mail-parser has a `debug_assert!` that some malformed nested multiparts trip (found
        // by fuzzing): release builds carry on, debug builds would panic. A bounce that cannot
        // be parsed is simply not a bounce; it must never take the watcher down.
        let message = std::panic::catch_unwind(|| MessageParser::default().parse(raw)).ok()??;
        let headers = message.headers_raw().map(|(name, value)| (name.to_ascii_lowercase(), unfold(value))).collect();
        let subject = message.subject().unwrap_or_default().to_owned();
        let mut parts = Vec::new();
        for part in &message.parts {
            let ctype = part.content_type().map_or_else(
                || "text/plain".to_owned(),
                |ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase(),
            );
            let text = match &part.body {
                PartType::Text(t) => t.to_string(),
                PartType::Html(h) => strip_html(h),
                PartType::Binary(b) | PartType::InlineBinary(b) => String::from_utf8_lossy(b).into_owned(),
                PartType::Message(m) => String::from_utf8_lossy(m.raw_message()).into_owned(),
                PartType::Multipart(_) => continue,
            };
            parts.push(Part { ctype, text });
        }
        Some(Doc { headers, subject, parts })
    }

    /// The first value of a top-level header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The first part of one content type.
    pub fn part(&self, ctype: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.ctype == ctype)
    }

    /// The human-readable text: the text parts before any returned message, joined.
    pub fn body_text(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            if RETURNED.contains(&part.ctype.as_str()) {
                break;
            }
            if part.ctype.starts_with("text/") || part.ctype.starts_with("multipart/") || part.ctype.is_empty() {
                out.push_str(&part.text);
                out.push('\n');
            }
        }
        out
    }

    /// The returned original (whole message or headers), when attached as a MIME part.
    pub fn returned_part(&self) -> Option<&str> {
        self.parts.iter().find(|p| RETURNED.contains(&p.ctype.as_str())).map(|p| p.text.as_str())
    }

    /// The returned original: an attached part, or the text after the "original message"
    /// marker of a plain-text bounce.
    pub fn original(&self) -> Option<String> {
        if let Some(text) = self.returned_part() {
            return Some(text.to_owned());
        }
        let body = self.body_text();
        let (_, rest) = scan::split_original(&body);
        (!rest.trim().is_empty()).then(|| rest.to_owned())
    }

    /// One header of the returned original, searched line by line (the original is often
    /// quoted, indented or truncated, so this is lenient on purpose).
    pub fn original_header(&self, name: &str) -> Option<String> {
        let original = self.original()?;
        header_in_text(&original, name)
    }

    /// The addresses this report was delivered to: where a VERP token would show.
    pub fn envelope(&self) -> Vec<String> {
        const FIELDS: &[&str] = &["to", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to", "x-rcpt-to"];
        self.headers.iter().filter(|(n, _)| FIELDS.contains(&n.as_str())).flat_map(|(_, v)| scan::emails(v)).collect()
    }
}

/// The raw message with its `boundary=` parameter replaced by the delimiter the body uses:
/// the first `--token` line followed by a `Content-Type:` line.
fn repair_boundary(raw: &[u8], body: &str) -> Option<Vec<u8>> {
    let lines: Vec<&str> = body.lines().collect();
    let boundary = lines.iter().enumerate().find_map(|(i, line)| {
        let token = line.trim_end().strip_prefix("--")?;
        let plausible = !token.is_empty() && !token.contains(char::is_whitespace) && !token.ends_with("--");
        let has_headers = lines[i + 1..].iter().take(4).any(|l| l.to_ascii_lowercase().starts_with("content-"));
        (plausible && has_headers).then_some(token)
    })?;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let lower = raw.to_ascii_lowercase();
    let header_end = find(&lower, b"\n\n").or_else(|| find(&lower, b"\r\n\r\n"))?;
    let at = find(&lower[..header_end], b"boundary=")? + b"boundary=".len();
    let rest = &raw[at..];
    let quoted = rest.first() == Some(&b'"');
    let len = if quoted {
        1 + rest[1..].iter().position(|&b| b == b'"')? + 1
    } else {
        rest.iter().position(|&b| b == b';' || b.is_ascii_whitespace()).unwrap_or(rest.len())
    };
    let mut fixed = raw[..at].to_vec();
    fixed.extend_from_slice(format!("\"{boundary}\"").as_bytes());
    fixed.extend_from_slice(&rest[len..]);
    Some(fixed)
}

/// The value of the first `name:` line in free text (continuation lines joined).
pub(crate) fn header_in_text(text: &str, name: &str) -> Option<String> {
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start_matches(['>', ' ', '\t']);
        let Some((field, value)) = trimmed.split_once(':') else { continue };
        if !field.eq_ignore_ascii_case(name) {
            continue;
        }
        let mut value = value.trim().to_owned();
        while let Some(next) = lines.peek() {
            if next.starts_with([' ', '\t']) && !next.trim().is_empty() {
                value.push(' ');
                value.push_str(next.trim());
                lines.next();
            } else {
                break;
            }
        }
        return Some(value);
    }
    None
}

/// Joins folded header lines.
pub(crate) fn unfold(value: &str) -> String {
    value.split(['\r', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Crude HTML to text: drops tags (block tags become line breaks, so the line-oriented
/// scanners still see paragraphs), decodes the few entities bounces use.
fn strip_html(html: &str) -> String {
    const BLOCKS: &[&str] = &["br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "pre", "td"];
    let mut out = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name = name.trim_start_matches('/').split([' ', '/']).next().unwrap_or("").to_ascii_lowercase();
                out.push(if BLOCKS.contains(&name.as_str()) { '\n' } else { ' ' });
                tag = None;
            }
            (Some(name), _) => {
                if name.len() < 16 {
                    name.push(c);
                }
            }
            (None, _) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}
