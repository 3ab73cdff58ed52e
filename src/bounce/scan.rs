//! Small hand-written scanners over free text: email addresses, enhanced status codes
//! (RFC 3463), SMTP reply codes, and where a plain-text bounce quotes the original message.

/// Every email address in `text`, lower case, in order, without duplicates.
pub(crate) fn emails(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, _, address) in email_spans(text) {
        if !out.contains(&address) {
            out.push(address);
        }
    }
    out
}

/// Addresses with their byte span in `text`.
pub(crate) fn email_spans(text: &str) -> Vec<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = bytes[from..].iter().position(|&b| b == b'@').map(|p| p + from) {
        from = at + 1;
        let mut start = at;
        while start > 0 && is_local_char(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain_char(bytes[end]) {
            end += 1;
        }
        while start < at && bytes[start] == b'.' {
            start += 1;
        }
        // A quoted local part: "first..last"@domain.
        if start == at
            && at > 1
            && bytes[at - 1] == b'"'
            && let Some(open) = bytes[..at - 1].iter().rposition(|&b| b == b'"')
            && at - open < 66
            && !bytes[open..at].iter().any(|b| b.is_ascii_whitespace() || *b == b'<')
        {
            start = open;
        }
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[at + 1..end];
        if start == at || !domain.contains('.') || domain.starts_with('.') || domain.contains("..") {
            continue;
        }
        from = end.max(from);
        out.push((start, end, text[start..end].to_ascii_lowercase()));
    }
    out
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'
}

/// The first enhanced status code (`[245].d{1,3}.d{1,3}`) in `text`.
pub(crate) fn find_status(text: &str) -> Option<String> {
    statuses(text).next()
}

/// Every enhanced status code in `text`, in order.
pub(crate) fn statuses(text: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = text.as_bytes();
    (0..bytes.len()).filter_map(move |i| {
        if !matches!(bytes[i], b'2' | b'4' | b'5')
            || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'))
        {
            return None;
        }
        let mut j = i + 1;
        for _ in 0..2 {
            if bytes.get(j) != Some(&b'.') {
                return None;
            }
            let digits = bytes[j + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 || digits > 3 {
                return None;
            }
            j += 1 + digits;
        }
        let next = bytes.get(j).copied();
        if next.is_some_and(|b| b.is_ascii_alphanumeric())
            || (next == Some(b'.') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
        Some(text[i..j].to_owned())
    })
}

/// The first SMTP reply code (`[45]dd` standing alone, as servers write it) in `text`.
pub(crate) fn find_reply_code(text: &str) -> Option<String> {
    reply_codes(text).next().map(|(_, code)| code)
}

/// The status code the remote server gave: the one right after an SMTP reply code
/// (`550 5.1.1`, `550-'5.7.1`), else the first one in the text.
pub(crate) fn remote_status(text: &str) -> Option<String> {
    status_after_reply(text).or_else(|| find_status(text))
}

/// The status code written right after an SMTP reply code, if any.
pub(crate) fn status_after_reply(text: &str) -> Option<String> {
    reply_codes(text).find_map(|(at, _)| {
        let rest = text.get(at + 3..)?.trim_start_matches([' ', '-', '\'', '"', ':', '(', '#']);
        let status = find_status(rest.get(..rest.len().min(12))?)?;
        rest.starts_with(&status).then_some(status)
    })
}

/// The byte offset of the first SMTP reply code in `text`.
pub(crate) fn first_reply_at(text: &str) -> Option<usize> {
    reply_codes(text).next().map(|(at, _)| at)
}

/// Every SMTP reply code in `text` with its byte offset.
fn reply_codes(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(2)).filter_map(move |i| {
        let code = &bytes[i..i + 3];
        if !matches!(code[0], b'4' | b'5') || !code[1].is_ascii_digit() || !code[2].is_ascii_digit() {
            return None;
        }
        if code[1] > b'5' {
            return None;
        }
        let before = if i == 0 { b' ' } else { bytes[i - 1] };
        if !matches!(before, b' ' | b'\t' | b'\n' | b'(' | b'\'' | b'"' | b'<' | b'[' | b'#' | b';' | b':' | b'=') {
            return None;
        }
        let after = bytes.get(i + 3).copied().unwrap_or(b' ');
        if !matches!(after, b' ' | b'-' | b'\n' | b'\r' | b'\t' | b')' | b']' | b',') {
            return None;
        }
        // After a dash, a multi-line reply goes on with a digit, a letter, a space or a quote
        // (`550-5.1.1`, `550-'5.7.1 ...'`); a dash followed by anything else is not a reply.
        if after == b'-'
            && !bytes
                .get(i + 4)
                .is_some_and(|b| b.is_ascii_digit() || b.is_ascii_alphabetic() || matches!(b, b' ' | b'\'' | b'"'))
        {
            return None;
        }
        Some((i, String::from_utf8_lossy(code).into_owned()))
    })
}

/// Lines that introduce the quoted original message in a plain-text bounce.
const ORIGINAL_MARKERS: &[&str] = &[
    "original message",
    "copy of the message",
    "copy of your message",
    "unsent message",
    "returned message",
    "message headers follow",
    "header of the original",
    "headers of the original",
    "original mail",
    "undelivered message",
    "content-type: message/rfc822",
    "below is the",
    "your message reads",
    "rfc822 text of the",
    "original text",
    "text of the message",
];

/// Splits a plain-text bounce into the explanation and the quoted original (possibly empty).
pub(crate) fn split_original(body: &str) -> (&str, &str) {
    let mut offset = 0;
    let mut header_run = 0;
    for line in body.split_inclusive('\n') {
        let lower = line.trim().to_ascii_lowercase();
        let marker =
            (lower.starts_with('-') || lower.starts_with('=') || lower.starts_with('*') || lower.starts_with('_'))
                && ORIGINAL_MARKERS.iter().any(|m| lower.contains(m));
        if marker || lower.starts_with("------ original message") {
            return (&body[..offset], &body[offset..]);
        }
        let is_header =
            ["received: ", "return-path: ", "message-id: ", "x-original-to:"].iter().any(|h| lower.starts_with(h));
        header_run = if is_header { header_run + 1 } else { 0 };
        if header_run == 1 && lower.starts_with("received: ") {
            return (&body[..offset], &body[offset..]);
        }
        offset += line.len();
    }
    (body, "")
}

/// Collapses runs of whitespace to one space.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_and_addresses() {
        assert_eq!(find_status("smtp; 550 5.1.1 <a@b.c>... User unknown").as_deref(), Some("5.1.1"));
        assert_eq!(find_status("IP 192.168.5.1.2 and 1.2.3"), None);
        assert_eq!(find_reply_code("smtp; 550 5.1.1 user").as_deref(), Some("550"));
        assert_eq!(find_reply_code("at 12:34:56 in 2550"), None);
        assert_eq!(
            remote_status("5.1.0 - Unknown address error 550-'5.7.1 <a@b.c>... Access denied'").as_deref(),
            Some("5.7.1")
        );
        assert_eq!(emails("<Foo.Bar@Example.COM>: host said"), vec!["foo.bar@example.com"]);
        assert!(emails("no address @ here.").is_empty());
        assert_eq!(emails("<\"a..b\"@example.org>"), vec!["\"a..b\"@example.org"]);
    }

    #[test]
    fn never_panics_on_edges() {
        for text in ["", "@", "a@", "@b.", "5.", "5.1.", "55", "\u{e9}@\u{e9}.fr", "x@y..z"] {
            let _ = (emails(text), find_status(text), find_reply_code(text), split_original(text));
        }
    }
}
