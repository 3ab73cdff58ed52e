//! The email service provider's own id for an email, read from the text of the SMTP
//! server's final `250` when it accepted it. An ESP's events (bounce, complaint, delivery,
//! open) name that id; keeping it on the email lets such an event find its email when the
//! provider does not echo our Message-ID.
//!
//! The forms seen: Amazon SES `250 Ok 0100018c5e5e3d7a-...-000000`, Postfix-like relays,
//! SendGrid and Postmark `250 Ok: queued as <id>` (also `queued as <id>` in Postfix and
//! Exim's `OK id=<id>`). Plain parsing of a short line, no I/O.

/// The shortest text taken for an id: shorter words are "Ok", "accepted", "2.0.0".
const MIN_LEN: usize = 6;

/// The provider's id in an accepting reply, if it names one.
pub fn from_reply(reply: &str) -> Option<String> {
    let text = reply.trim();
    // Without the reply code and an enhanced status code (`250 2.0.0 Ok: queued as X`).
    let text = text.strip_prefix("250").map_or(text, |rest| rest.trim_start_matches(['-', ' ']));
    let text = strip_status(text);
    let lower = text.to_ascii_lowercase();
    let candidate = if let Some(at) = lower.find("queued as ") {
        text[at + "queued as ".len()..].split_whitespace().next()
    } else if let Some(at) = lower.find("id=") {
        text[at + 3..].split_whitespace().next()
    } else {
        // SES: `Ok <id>`, the id alone after the word.
        let mut words = text.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(ok), Some(id), None) if ok.trim_end_matches(':').eq_ignore_ascii_case("ok") => Some(id),
            _ => None,
        }
    }?;
    let id = candidate.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '.' | '"'));
    let shaped = id.len() >= MIN_LEN
        && id.len() <= 200
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '=' | '+'))
        && id.chars().any(|c| c.is_ascii_digit());
    shaped.then(|| id.to_owned())
}

/// `text` without a leading enhanced status code (`2.0.0 `).
fn strip_status(text: &str) -> &str {
    let mut parts = text.splitn(2, ' ');
    match (parts.next(), parts.next()) {
        (Some(code), Some(rest))
            if code.split('.').count() == 3 && code.split('.').all(|p| p.parse::<u16>().is_ok()) =>
        {
            rest.trim_start()
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::from_reply;

    #[test]
    fn ids_in_accepting_replies() {
        #[rustfmt::skip]
        let table = [
            ("250 Ok 0100018c5e5e3d7a-5f1b2c3d-0a1b-4c2d-9e8f-7a6b5c4d3e2f-000000",
             Some("0100018c5e5e3d7a-5f1b2c3d-0a1b-4c2d-9e8f-7a6b5c4d3e2f-000000")),
            ("250 Ok: queued as 14c5d75ce93.dfd.64b469", Some("14c5d75ce93.dfd.64b469")),
            ("250 2.0.0 Ok: queued as 4B2F81C0A21", Some("4B2F81C0A21")),
            ("Ok: queued as 883953f4-6105-42a2-a16a-77a8eac79483", Some("883953f4-6105-42a2-a16a-77a8eac79483")),
            ("250 OK id=1rWq3h-0004Xy-2C", Some("1rWq3h-0004Xy-2C")),
            ("250 2.0.0 OK <20370501.abc123@mx.example>", Some("20370501.abc123@mx.example")),
            // No id: nothing invented.
            ("250 Ok", None),
            ("250 2.0.0 Ok", None),
            ("250 Great success", None),
            ("250 Message accepted for delivery", None),
            ("", None),
        ];
        for (reply, expected) in table {
            assert_eq!(from_reply(reply).as_deref(), expected, "{reply:?}");
        }
    }
}
