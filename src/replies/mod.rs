//! Guests' replies to our emails, found in the venue's own mailbox (`reply_mailbox`, read
//! only): what a reply says (its first lines, quoted text and signature cut), whom it is from,
//! which of our Message-IDs it names (In-Reply-To, References), and whether it is an
//! automatic reply (the bounce parser's detection). Tying it to an email and storing it is the
//! store's (`Store::record_reply`); fetching it is `bounce::imap`'s reply watcher.

use mail_parser::{HeaderValue, MessageParser};

/// The longest excerpt kept, in characters (an ellipsis marks a cut).
pub const EXCERPT_CHARS: usize = 160;
/// How many lines of the reply the excerpt keeps.
pub const EXCERPT_LINES: usize = 3;

/// One reply, as read from the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The sender's address, lower case.
    pub from: String,
    /// When it was written (its Date header), UTC ms; `None` when it has none.
    pub at: Option<i64>,
    /// Message-IDs it answers (In-Reply-To first, then References, newest first), bare.
    pub answers: Vec<String>,
    pub excerpt: String,
    pub auto: bool,
    /// Its own Message-ID, bare: the key that takes it in once.
    pub own_id: Option<String>,
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Reads a raw message; `None` when it is not a message or has no sender.
pub fn parse(raw: &[u8]) -> Option<Reply> {
    let msg = MessageParser::default().parse(raw)?;
    let from = msg.from()?.first()?.address()?.trim().to_ascii_lowercase();
    let mut answers = ids(msg.in_reply_to());
    let mut refs = ids(msg.references());
    refs.reverse();
    answers.extend(refs);
    for a in &mut answers {
        *a = a.trim().trim_matches(['<', '>']).to_owned();
    }
    answers.retain(|a| !a.is_empty());
    answers.dedup();
    let body = msg.body_text(0).map(std::borrow::Cow::into_owned).unwrap_or_default();
    Some(Reply {
        from,
        at: msg.date().map(|d| d.to_timestamp() * 1000),
        answers,
        excerpt: excerpt(&body),
        auto: crate::bounce::is_auto_reply(raw),
        own_id: msg.message_id().map(|m| m.trim_matches(['<', '>']).to_owned()).filter(|m| !m.is_empty()),
    })
}

/// Where the guest's own words end: a quote, the line introducing one, a signature.
fn ends_own_words(line: &str) -> bool {
    let t = line.trim();
    let lower = t.to_lowercase();
    t.starts_with('>')
        || line == "-- "
        || t == "--"
        || t == "__"
        || lower.starts_with("-----original message")
        || lower.starts_with("-----message d'origine")
        || lower.starts_with("-----oorspronkelijk bericht")
        || lower.starts_with("sent from my")
        || lower.starts_with("envoyé de mon")
        || lower.starts_with("verzonden vanaf mijn")
        || lower.starts_with("from:") && t.contains('@')
        || lower.starts_with("de :") && t.contains('@')
        || lower.starts_with("van:") && t.contains('@')
        || (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || (lower.starts_with("le ") && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
        || (lower.starts_with("op ")
            && (lower.contains(" schreef ") || lower.contains(" schreef:"))
            && lower.ends_with(':'))
}

/// The first lines of what the guest wrote: quoted text, its "On ... wrote:" line and the
/// signature cut, blank lines skipped, at most [`EXCERPT_LINES`] lines joined by a space and
/// [`EXCERPT_CHARS`] characters.
pub fn excerpt(body: &str) -> String {
    let mut lines = Vec::new();
    for line in body.lines() {
        if ends_own_words(line) {
            break;
        }
        let t = line.trim();
        if !t.is_empty() {
            lines.push(t);
        }
        if lines.len() == EXCERPT_LINES {
            break;
        }
    }
    let joined = lines.join(" ");
    if joined.chars().count() <= EXCERPT_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(EXCERPT_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts() {
        let long = "word ".repeat(60);
        let cases: &[(&str, &str)] = &[
            ("We'll be 10 minutes late.\n\nSorry!\n", "We'll be 10 minutes late. Sorry!"),
            (
                "Can we bring a dog?\n\nOn Mon, 23 Nov 2026 at 18:00, Le Petit Bistro wrote:\n> Your table",
                "Can we bring a dog?",
            ),
            ("Merci !\nLe lun. 23 nov. 2026 à 18:00, Le Petit Bistro a écrit :\n> Votre table", "Merci !"),
            ("Tot straks\nOp ma 23 nov. 2026 om 18:00 schreef Le Petit Bistro:\n> Uw tafel", "Tot straks"),
            ("See you\n-- \nAda Guest\n+32 475", "See you"),
            ("Yes\nSent from my iPhone", "Yes"),
            ("One\nTwo\nThree\nFour", "One Two Three"),
            ("> only quoted", ""),
            ("Fine\n-----Original Message-----\nFrom: x", "Fine"),
        ];
        for (body, want) in cases {
            assert_eq!(excerpt(body), *want, "{body:?}");
        }
        let cut = excerpt(&long);
        assert!(cut.chars().count() <= EXCERPT_CHARS, "{cut}");
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn a_reply_s_threading_sender_and_auto_flag() {
        let raw = b"From: Ada Guest <Ada@Example.org>\r\nTo: hello@bistro.example\r\n\
Message-ID: <r1@example.org>\r\nIn-Reply-To: <m1@bistro.example>\r\n\
References: <m0@bistro.example> <m1@bistro.example>\r\nDate: Mon, 23 Nov 2026 19:04:00 +0100\r\n\
Subject: Re: Your reservation\r\n\r\nWe'll be 10 minutes late\r\n\r\n> quoted\r\n";
        let r = parse(raw).expect("a reply");
        assert_eq!(r.from, "ada@example.org");
        assert_eq!(r.answers, ["m1@bistro.example", "m0@bistro.example"]);
        assert_eq!(r.excerpt, "We'll be 10 minutes late");
        assert!(!r.auto);
        assert_eq!(r.own_id.as_deref(), Some("r1@example.org"));
        assert_eq!(r.at, Some(1_795_457_040_000), "19:04 +01:00 is 18:04 UTC");
        let ooo = b"From: ada@example.org\r\nSubject: Out of office: Re: Your reservation\r\n\
Auto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n";
        assert!(parse(ooo).expect("a reply").auto);
    }
}
