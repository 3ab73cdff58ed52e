//! Whose fault a failure is: the one classifier of SMTP refusals, lost connections and
//! bounce diagnostics, used by the outbox worker, bounce ingestion and the last-error popup.
//!
//! Plain rules, no I/O: from the reply code (550), the enhanced status (5.1.1), the server's
//! words and the stage of the dialogue to a [`Failure`]: a [`Fault`] (who pays for it) and a
//! [`Reason`] (what the screen names). Only a [`Fault::Guest`] failure counts one error on
//! the guest's address; a [`Fault::Venue`] one (our login, our relay, our sender, our TLS,
//! our message, our reputation, our server unreachable or silent) counts against nobody and
//! pauses sending; a [`Fault::Transient`] one is retried later.
//!
//! Words win over codes (servers send generic codes), and words that name the venue's
//! setup win over words that name the address. "Where code and text do not say" is
//! [`Reason::Unclear`]: counted on the guest, unless the same refusal comes for recipients
//! at different domains in one run (the worker's batch handling, with [`signature`]).

use std::fmt;

/// Where in the SMTP dialogue the failure came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// TCP connect, the server's greeting, EHLO.
    Connect,
    /// STARTTLS or the TLS handshake.
    Tls,
    /// AUTH.
    Auth,
    /// MAIL FROM.
    MailFrom,
    /// RCPT TO.
    Rcpt,
    /// The DATA command, before any of the message went.
    Data,
    /// After the message's bytes went: the final reply to `.`.
    AfterData,
    /// Not an SMTP dialogue: a bounce report received later.
    Report,
}

/// Who a failure counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The guest's address: counts one error on it.
    Guest,
    /// The venue's own setup or server: counts against nobody; sending pauses.
    Venue,
    /// Temporary: try again later; counts nothing.
    Transient,
}

/// What went wrong, in words the screen can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    // The guest's address.
    UnknownUser,
    MailboxFull,
    MailboxDisabled,
    NoSuchDomain,
    /// A permanent refusal that says nothing more (see the module doc).
    Unclear,
    // The venue's setup or server.
    Authentication,
    RelayDenied,
    SenderRefused,
    Tls,
    TooBig,
    Format,
    Content,
    RateLimited,
    Blocklisted,
    Unreachable,
    Timeout,
    ConnectionLost,
    /// A refusal the venue's server says is temporary (e.g. `451` at MAIL FROM).
    ServerBusy,
    // Temporary, for one email.
    Temporary,
}

/// A classified failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub fault: Fault,
    pub reason: Reason,
}

impl Failure {
    /// The bounce class staff are shown for this failure (the last-error popup explains by
    /// class): a mailbox or domain that does not exist is hard; a full or disabled mailbox,
    /// an unclear refusal and the venue's problems are soft; a temporary one is a delay.
    pub const fn bounce_class(&self) -> crate::domain::BounceClass {
        use crate::domain::BounceClass;
        match (self.fault, self.reason) {
            (_, Reason::UnknownUser | Reason::NoSuchDomain) => BounceClass::Hard,
            (Fault::Transient, _) => BounceClass::Delayed,
            _ => BounceClass::Soft,
        }
    }
}

impl Fault {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Guest => "guest",
            Self::Venue => "venue",
            Self::Transient => "transient",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Guest, Self::Venue, Self::Transient].into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every reason, for parsing and tests.
pub const REASONS: [Reason; 19] = [
    Reason::UnknownUser,
    Reason::MailboxFull,
    Reason::MailboxDisabled,
    Reason::NoSuchDomain,
    Reason::Unclear,
    Reason::Authentication,
    Reason::RelayDenied,
    Reason::SenderRefused,
    Reason::Tls,
    Reason::TooBig,
    Reason::Format,
    Reason::Content,
    Reason::RateLimited,
    Reason::Blocklisted,
    Reason::Unreachable,
    Reason::Timeout,
    Reason::ConnectionLost,
    Reason::ServerBusy,
    Reason::Temporary,
];

impl Reason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown-user",
            Self::MailboxFull => "mailbox-full",
            Self::MailboxDisabled => "mailbox-disabled",
            Self::NoSuchDomain => "no-such-domain",
            Self::Unclear => "unclear",
            Self::Authentication => "authentication",
            Self::RelayDenied => "relay-denied",
            Self::SenderRefused => "sender-refused",
            Self::Tls => "tls",
            Self::TooBig => "too-big",
            Self::Format => "format",
            Self::Content => "content",
            Self::RateLimited => "rate-limited",
            Self::Blocklisted => "blocklisted",
            Self::Unreachable => "unreachable",
            Self::Timeout => "timeout",
            Self::ConnectionLost => "connection-lost",
            Self::ServerBusy => "server-busy",
            Self::Temporary => "temporary",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        REASONS.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Failure {
    pub const fn new(fault: Fault, reason: Reason) -> Self {
        Self { fault, reason }
    }

    const fn venue(reason: Reason) -> Self {
        Self::new(Fault::Venue, reason)
    }

    const fn guest(reason: Reason) -> Self {
        Self::new(Fault::Guest, reason)
    }

    /// Whether it counts one error on the guest's address.
    pub const fn counts_on_guest(self) -> bool {
        matches!(self.fault, Fault::Guest)
    }

    /// Whether sending should pause on it.
    pub const fn pauses_sending(self) -> bool {
        matches!(self.fault, Fault::Venue)
    }
}

type Rules = &'static [(&'static [&'static str], Reason)];

/// Words that name the venue's setup, checked first (the first rule with a word found wins).
const VENUE_WORDS: Rules = &[
    (
        &[
            "relay access denied",
            "relaying denied",
            "unable to relay",
            "relay not permitted",
            "not permitted to relay",
            "relaying not allowed",
            "relay denied",
        ],
        Reason::RelayDenied,
    ),
    (
        &[
            "must issue a starttls",
            "starttls first",
            "tls required",
            "tls is required",
            "encryption required",
            "tls not available",
        ],
        Reason::Tls,
    ),
    (
        &[
            "authentication required",
            "authentication failed",
            "authentication credentials invalid",
            "authentication is required",
            "auth required",
            "must authenticate",
            "not authenticated",
            "login failed",
            "invalid login",
            "username and password not accepted",
        ],
        Reason::Authentication,
    ),
    (
        &[
            "sender address rejected",
            "sender rejected",
            "sender verify failed",
            "sender domain",
            "domain of sender",
            "envelope sender",
            "sender not allowed",
            "sender is not allowed",
            "not owned by user",
        ],
        Reason::SenderRefused,
    ),
    (
        &[
            "message size",
            "too big",
            "too large",
            "message length exceeds",
            "exceeds the maximum size",
            "size limit exceeded",
        ],
        Reason::TooBig,
    ),
    (
        &[
            "spamhaus",
            "blacklist",
            "blocklist",
            "block list",
            "black list",
            "dnsbl",
            "listed at",
            "listed in",
            "poor reputation",
            "ip reputation",
            "client host rejected",
            "reverse hostname",
            "reverse dns",
            "ptr record",
        ],
        Reason::Blocklisted,
    ),
    (
        &[
            "rate limit",
            "too many messages",
            "too many connections",
            "too many recipients",
            "throttl",
            "sending limit",
            "unusual rate",
        ],
        Reason::RateLimited,
    ),
    (
        &["spf", "dkim", "dmarc", "unauthorized sender", "not authorized to send", "authentication checks"],
        Reason::SenderRefused,
    ),
];

/// What the shared words (`crate::diagnostic_words`, the bounce classifier's table) say of
/// the guest's address, if they name it: one vocabulary for a refusal and a report.
fn guest_reason(text: &str) -> Option<Reason> {
    use crate::diagnostic_words::Reason as Words;
    match crate::diagnostic_words::reason_of(text)? {
        Words::UserUnknown | Words::HasMoved => Some(Reason::UnknownUser),
        Words::HostUnknown | Words::NotAccept => Some(Reason::NoSuchDomain),
        Words::MailboxFull => Some(Reason::MailboxFull),
        Words::Suspended => Some(Reason::MailboxDisabled),
        Words::Spam
        | Words::Blocked
        | Words::Policy
        | Words::TooBig
        | Words::Expired
        | Words::Temporary
        | Words::Filtered
        | Words::Other => None,
    }
}

fn find(text: &str, rules: Rules) -> Option<Reason> {
    rules.iter().find(|(words, _)| words.iter().any(|w| text.contains(w))).map(|(_, r)| *r)
}

/// The enhanced status (RFC 3463) at the start of `text`, if any: `5.1.1`.
pub fn enhanced_status(text: &str) -> Option<&str> {
    let word = text.split_whitespace().next()?;
    let parts: Vec<&str> = word.split('.').collect();
    let ok = parts.len() == 3
        && matches!(parts[0], "2" | "4" | "5")
        && parts[1..].iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some(word)
}

/// `code status text` with the status written once: servers begin their text with the
/// enhanced status already (`550` + `5.1.1 <a@b>: unknown` is `550 5.1.1 <a@b>: unknown`,
/// never `550 5.1.1 5.1.1 <a@b>: unknown`).
pub fn reply_line(code: Option<&str>, status: Option<&str>, text: &str) -> String {
    let text = text.trim();
    let status = status.filter(|s| !text.starts_with(*s));
    let code = code.filter(|c| !text.starts_with(*c));
    [code, status, Some(text)].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The one classifier: a refusal (`code` given) or a failure without a reply (`code` None:
/// a lost connection, a timeout) at `stage`. `timed_out` says a wait ran out.
pub fn classify(code: Option<u16>, status: Option<&str>, text: &str, stage: Stage, timed_out: bool) -> Failure {
    let Some(code) = code else {
        return without_reply(stage, timed_out);
    };
    let lower = text.to_ascii_lowercase();
    let status = status.or_else(|| enhanced_status(text)).unwrap_or_default();
    let permanent = code >= 500 || status.starts_with('5');
    // Before any recipient was named, whatever the words: the venue's setup or server.
    match stage {
        Stage::Tls => return Failure::venue(Reason::Tls),
        Stage::Auth => return Failure::venue(Reason::Authentication),
        _ => {}
    }
    if let Some(reason) = find(&lower, VENUE_WORDS) {
        // Said with a 4xx too (a rate limit, a blocklist): the venue's, wait, count nothing.
        return Failure::venue(reason);
    }
    if matches!(code, 530 | 534 | 535 | 538) || matches!(status, "5.7.0" | "5.7.8" | "5.7.9" | "4.7.8" | "5.7.11") {
        return Failure::venue(Reason::Authentication);
    }
    match stage {
        Stage::Connect => return Failure::venue(if permanent { Reason::Blocklisted } else { Reason::Unreachable }),
        _ if code == 421 || status.starts_with("4.7.") => return Failure::venue(Reason::RateLimited),
        Stage::MailFrom => {
            return Failure::venue(if permanent { Reason::SenderRefused } else { Reason::ServerBusy });
        }
        Stage::Data => return Failure::venue(if permanent { Reason::Format } else { Reason::ServerBusy }),
        _ => {}
    }
    if !permanent {
        return Failure::new(Fault::Transient, Reason::Temporary);
    }
    if let Some(reason) = guest_reason(&lower) {
        // "Unknown user" after the message was sent is a content filter speaking: the
        // address was accepted at RCPT.
        if stage == Stage::AfterData && reason == Reason::UnknownUser {
            return Failure::guest(Reason::Unclear);
        }
        return Failure::guest(reason);
    }
    let content = ["spam", "content", "virus", "unsolicited"].iter().any(|w| lower.contains(w));
    match status {
        "5.3.4" | "5.2.3" => Failure::venue(Reason::TooBig),
        s if s.starts_with("5.6.") => Failure::venue(Reason::Format),
        _ if content && (stage == Stage::AfterData || status == "5.7.1") => Failure::venue(Reason::Content),
        "5.1.1" | "5.1.0" | "5.1.3" => Failure::guest(Reason::UnknownUser),
        "5.1.2" | "5.1.10" | "5.4.4" => Failure::guest(Reason::NoSuchDomain),
        "5.2.2" => Failure::guest(Reason::MailboxFull),
        "5.2.1" => Failure::guest(Reason::MailboxDisabled),
        _ if code == 552 && stage == Stage::AfterData => Failure::venue(Reason::TooBig),
        _ if matches!(code, 521 | 556) => Failure::guest(Reason::NoSuchDomain),
        _ => Failure::guest(Reason::Unclear),
    }
}

/// No reply at all: the server could not be reached, went silent or hung up. Never the
/// guest's: our relay is the venue's server.
const fn without_reply(stage: Stage, timed_out: bool) -> Failure {
    match (stage, timed_out) {
        (Stage::Report, _) => Failure::new(Fault::Transient, Reason::Temporary),
        (_, true) => Failure::venue(Reason::Timeout),
        (Stage::Tls, false) => Failure::venue(Reason::Tls),
        (Stage::Connect, false) => Failure::venue(Reason::Unreachable),
        (_, false) => Failure::venue(Reason::ConnectionLost),
    }
}

/// A bounce report's recipient: the guest's address only when its words or status say so;
/// a report about our relay, our sender or our reputation counts against nobody.
pub fn of_report(reply_code: Option<&str>, status: Option<&str>, diagnostic: &str) -> Failure {
    let code = reply_code
        .and_then(|c| c.parse::<u16>().ok())
        .or_else(|| status.and_then(|s| s.chars().next()).map(|c| if c == '4' { 450 } else { 550 }));
    classify(Some(code.unwrap_or(550)), status, diagnostic, Stage::Report, false)
}

/// What makes two refusals "the same" for the rule "the same refusal for recipients at
/// different domains in one run is the venue's": the code, the status and the words, with
/// anything that looks like an address or a number taken out.
pub fn signature(code: Option<u16>, status: Option<&str>, text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| !w.contains('@') && !w.bytes().any(|b| b.is_ascii_digit()))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    format!("{} {} {}", code.unwrap_or_default(), status.unwrap_or_default(), words.join(" "))
}

/// The domain of an address (after the last `@`), lowercased.
pub fn domain_of(address: &str) -> String {
    address.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Fault::{Guest, Transient, Venue};
    use Stage::{AfterData, Auth, Connect, Data, MailFrom, Rcpt, Report, Tls};

    #[test]
    fn the_popup_explains_by_the_classifier_s_class() {
        use crate::domain::BounceClass;
        let class = |code, status, text| of_report(code, status, text).bounce_class();
        assert_eq!(class(Some("550"), Some("5.1.1"), "user unknown"), BounceClass::Hard);
        assert_eq!(class(Some("552"), Some("5.2.2"), "mailbox full"), BounceClass::Soft);
        assert_eq!(class(Some("554"), Some("5.7.1"), "Relay access denied"), BounceClass::Soft);
        assert_eq!(class(Some("451"), Some("4.3.0"), "try again later"), BounceClass::Delayed);
    }

    /// Real replies, as servers send them (Postfix, Exim, Gmail, Outlook, Yahoo, SES).
    #[test]
    fn real_replies_are_classified_by_whose_fault_they_are() {
        #[rustfmt::skip]
        let cases: &[(u16, &str, Stage, Fault, Reason)] = &[
            // The guest's address.
            (550, "5.1.1 <x@example.org>: Recipient address rejected: User unknown in virtual mailbox table", Rcpt, Guest, Reason::UnknownUser),
            (550, "5.1.1 The email account that you tried to reach does not exist. Please try double-checking", Rcpt, Guest, Reason::UnknownUser),
            (550, "5.5.0 Requested action not taken: mailbox unavailable", Rcpt, Guest, Reason::UnknownUser),
            (550, "No such user here", Rcpt, Guest, Reason::UnknownUser),
            (553, "5.1.3 Invalid recipient address syntax", Rcpt, Guest, Reason::UnknownUser),
            (552, "5.2.2 The email account that you tried to reach is over quota", Rcpt, Guest, Reason::MailboxFull),
            (550, "5.2.1 The email account that you tried to reach is disabled", Rcpt, Guest, Reason::MailboxDisabled),
            (550, "5.1.2 <x@nowhere.invalid>: Recipient address rejected: Domain not found", Rcpt, Guest, Reason::NoSuchDomain),
            (556, "5.1.10 Recipient address has null MX", Rcpt, Guest, Reason::NoSuchDomain),
            (550, "5.4.4 Unrouteable address", Rcpt, Guest, Reason::NoSuchDomain),
            // Exchange Online's directory check: the mailbox does not exist (the bounce table's word).
            (554, "5.7.1 <x@hotmail.com>: Recipient address rejected: Access denied. AS(201806281)", Rcpt, Guest, Reason::UnknownUser),
            (554, "delivery error: dd Not a valid recipient - atlas118.free.mail.bf1.yahoo.com", Rcpt, Guest, Reason::Unclear),
            (550, "Requested action not taken", Rcpt, Guest, Reason::Unclear),
            (550, "5.7.1 Recipient unknown (content filter)", AfterData, Guest, Reason::Unclear),
            // The venue's setup.
            (554, "5.7.1 <x@example.org>: Relay access denied", Rcpt, Venue, Reason::RelayDenied),
            (550, "5.7.1 Unable to relay for x@example.org", Rcpt, Venue, Reason::RelayDenied),
            (530, "5.7.0 Authentication required", Rcpt, Venue, Reason::Authentication),
            (530, "5.7.0 Authentication required", MailFrom, Venue, Reason::Authentication),
            (530, "5.7.0 Must issue a STARTTLS command first", MailFrom, Venue, Reason::Tls),
            (535, "5.7.8 Error: authentication failed: authentication failure", Auth, Venue, Reason::Authentication),
            (535, "5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials", Auth, Venue, Reason::Authentication),
            (553, "5.7.1 <bistro@example.net>: Sender address rejected: not owned by user bistro", MailFrom, Venue, Reason::SenderRefused),
            (550, "5.1.0 <bistro@example.net>: Sender address rejected: Domain not found", MailFrom, Venue, Reason::SenderRefused),
            (550, "Administrative prohibition", MailFrom, Venue, Reason::SenderRefused),
            (552, "5.3.4 Message size exceeds fixed limit", AfterData, Venue, Reason::TooBig),
            (552, "Message size exceeds maximum permitted", AfterData, Venue, Reason::TooBig),
            (552, "5.3.4 Error: message file too big", AfterData, Venue, Reason::TooBig),
            (554, "5.6.0 Message contains invalid header", AfterData, Venue, Reason::Format),
            (554, "5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org", Rcpt, Venue, Reason::Blocklisted),
            (550, "5.7.1 Our system has detected that this message is likely unsolicited mail", AfterData, Venue, Reason::Content),
            (550, "5.7.26 This message does not pass authentication checks (SPF or DKIM)", AfterData, Venue, Reason::SenderRefused),
            (421, "4.7.0 Try again later, closing connection. (EHLO)", Connect, Venue, Reason::Unreachable),
            (554, "5.7.1 Service unavailable; client [203.0.113.9] refused", Connect, Venue, Reason::Blocklisted),
            (421, "4.7.28 Our system has detected an unusual rate of unsolicited mail", Rcpt, Venue, Reason::RateLimited),
            (450, "4.7.1 Client host rejected: cannot find your reverse hostname", Rcpt, Venue, Reason::Blocklisted),
            (451, "4.7.1 Rate limit exceeded, try again later", Rcpt, Venue, Reason::RateLimited),
            (421, "4.4.2 Service shutting down", Rcpt, Venue, Reason::RateLimited),
            (454, "4.7.0 TLS not available due to local problem", Tls, Venue, Reason::Tls),
            (554, "5.5.1 Error: no valid recipients", Data, Venue, Reason::Format),
            (451, "Temporary local problem - please try later", MailFrom, Venue, Reason::ServerBusy),
            // Temporary, for this one email.
            (450, "4.2.0 <x@example.org>: Recipient address rejected: Greylisted", Rcpt, Transient, Reason::Temporary),
            (452, "4.2.2 Mailbox full, try again later", Rcpt, Transient, Reason::Temporary),
            (451, "4.3.0 Error: queue file write error", AfterData, Transient, Reason::Temporary),
        ];
        for &(code, text, stage, fault, reason) in cases {
            let got = classify(Some(code), None, text, stage, false);
            assert_eq!((got.fault, got.reason), (fault, reason), "{code} {text} at {stage:?}");
        }
    }

    #[test]
    fn failures_without_a_reply_are_never_the_guests() {
        assert_eq!(classify(None, None, "", Connect, false), Failure::venue(Reason::Unreachable));
        assert_eq!(classify(None, None, "", Connect, true), Failure::venue(Reason::Timeout));
        assert_eq!(classify(None, None, "", Rcpt, false), Failure::venue(Reason::ConnectionLost));
        assert_eq!(classify(None, None, "", AfterData, true), Failure::venue(Reason::Timeout));
        assert_eq!(classify(None, None, "", Tls, false), Failure::venue(Reason::Tls));
    }

    #[test]
    fn bounce_reports_blame_the_guest_only_for_the_guests_problems() {
        #[rustfmt::skip]
        let cases: &[(Option<&str>, Option<&str>, &str, Fault)] = &[
            (Some("550"), Some("5.1.1"), "smtp; 550 5.1.1 <x@example.org>: user unknown", Guest),
            (None, Some("5.2.2"), "mailbox full", Guest),
            (None, Some("5.0.0"), "host example.org said: 554 5.7.1 blocked using zen.spamhaus.org", Venue),
            (Some("554"), Some("5.7.1"), "Relay access denied", Venue),
            (None, Some("5.3.4"), "message too large", Venue),
            (None, Some("4.4.1"), "connection timed out", Transient),
        ];
        for &(code, status, text, fault) in cases {
            assert_eq!(of_report(code, status, text).fault, fault, "{text}");
        }
        assert_eq!(classify(Some(550), Some("5.1.1"), "unknown user", Report, false).reason, Reason::UnknownUser);
    }

    #[test]
    fn the_status_is_written_once() {
        assert_eq!(reply_line(Some("550"), Some("5.1.1"), "5.1.1 <a@b.c>: unknown"), "550 5.1.1 <a@b.c>: unknown");
        assert_eq!(reply_line(Some("550"), Some("5.1.1"), "unknown"), "550 5.1.1 unknown");
        assert_eq!(reply_line(Some("550"), None, "unknown"), "550 unknown");
        assert_eq!(reply_line(None, None, "x"), "x");
    }

    #[test]
    fn signatures_ignore_the_address_and_numbers() {
        let a = signature(Some(554), Some("5.7.1"), "5.7.1 <a@x.org>: Message refused by policy 12345");
        let b = signature(Some(554), Some("5.7.1"), "5.7.1 <b@y.net>: Message refused by policy 67890");
        assert_eq!(a, b);
        assert_ne!(a, signature(Some(550), Some("5.7.1"), "5.7.1 <b@y.net>: Message refused by policy"));
        assert_eq!(domain_of("A@Example.ORG"), "example.org");
    }

    #[test]
    fn names_round_trip() {
        for r in REASONS {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        for f in [Guest, Venue, Transient] {
            assert_eq!(Fault::parse(f.as_str()), Some(f));
        }
    }
}
