//! From a status code and the server's words to a reason and a [`BounceClass`]. Words win
//! over codes (servers often send a generic `5.0.0` or even `5.1.1` for a full mailbox), and
//! words that mean "not the address's fault" win over words that mean "no such address".

use crate::domain::BounceClass;

/// Why a message failed, as far as the report tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    UserUnknown,
    HostUnknown,
    HasMoved,
    NotAccept,
    MailboxFull,
    Spam,
    Blocked,
    Policy,
    TooBig,
    Suspended,
    Expired,
    Other,
}

/// (words, reason): the first rule with a word found in the diagnostic wins.
const RULES: &[(&[&str], Reason)] = &[
    (
        &["quota", "mailbox full", "mailbox is full", "mailbox was full", "full mailbox", "mailbox has exceeded", "insufficient storage", "out of storage", "storage limit", "mailfolder is full", "too much mail", "exceeded storage", "size limit of the mailbox"],
        Reason::MailboxFull,
    ),
    (&["message size", "too big", "too large", "message length exceeds", "exceeds the maximum size"], Reason::TooBig),
    (&["spam", "junk mail", "unsolicited", "bulk mail", "virus", "malware", "phish", "content rejected", "message content"], Reason::Spam),
    (
        &["suspend", "disabled", "inactive", "deactivated", "account has been locked", "account is locked", "not active", "expired account", "account expired", "frozen"],
        Reason::Suspended,
    ),
    (
        &["blacklist", "blocklist", "block list", "black list", "blocked", "spamhaus", "reputation", "rbl", "listed at", "listed in", "dnsbl", "refused to talk", "access denied", "not allowed to send", "rate limit", "too many connections", "too many messages", "ptr record", "reverse dns", "rdns", "reverse lookup", "does not resolve", "not authorized", "unauthenticated", "authentication", "spf", "dkim", "dmarc", "relay access denied", "relaying denied", "unable to relay", "not permitted to relay", "relay not permitted"],
        Reason::Blocked,
    ),
    (&["policy", "prohibited", "not permitted", "security", "tls", "encryption"], Reason::Policy),
    (
        &["retry timeout", "retry time", "expired", "timed out", "time out", "timeout", "too long", "giving up", "gave up", "could not be delivered for", "delivery time", "undeliverable for", "has not been delivered"],
        Reason::Expired,
    ),
    (&["has moved", "moved permanently", "no longer valid", "no longer available", "address changed"], Reason::HasMoved),
    (&["null mx", "does not accept mail", "not accept any mail", "doesn't accept mail", "accepts no mail"], Reason::NotAccept),
    (
        &["host not found", "host unknown", "unknown host", "domain not found", "no such domain", "unknown domain", "domain does not exist", "domain name not found", "name or service not known", "nxdomain", "no mx", "mx record", "dns error", "name server", "unrouteable", "unroutable", "no route to host", "host or domain name not found", "hostname lookup"],
        Reason::HostUnknown,
    ),
    (
        &["user unknown", "unknown user", "no such user", "user not found", "unknown recipient", "recipient unknown", "no such recipient", "invalid recipient", "recipient not found", "does not exist", "doesn't exist", "no mailbox", "mailbox not found", "no such mailbox", "not a valid mailbox", "invalid mailbox", "mailbox unavailable", "mailbox does not", "account does not", "no such account", "unknown address", "address unknown", "bad destination", "invalid address", "unknown local part", "unknown mailbox", "not our customer", "address rejected", "user doesn't", "user does not", "no user", "nosuchuser", "not listed", "unknown or illegal", "recipient address rejected", "not found", "undeliverable address", "mailbox unknown", "unknown account", "no account", "addressee unknown", "user invalid", "is not a valid", "recipient rejected", "invalid user"],
        Reason::UserUnknown,
    ),
];

/// The reason a report gives: its words first, then its status code.
pub fn reason(status: Option<&str>, diagnostic: &str) -> Reason {
    let text = diagnostic.to_ascii_lowercase();
    if let Some((_, reason)) = RULES.iter().find(|(words, _)| words.iter().any(|w| text.contains(w))) {
        return *reason;
    }
    match status.unwrap_or_default() {
        "5.1.1" | "5.1.0" | "5.1.3" => Reason::UserUnknown,
        "5.1.2" | "5.4.4" | "4.1.2" => Reason::HostUnknown,
        "5.1.6" => Reason::HasMoved,
        "5.1.10" => Reason::NotAccept,
        "5.2.2" | "4.2.2" => Reason::MailboxFull,
        "5.2.1" | "4.2.1" => Reason::Suspended,
        "5.3.4" | "5.2.3" => Reason::TooBig,
        "4.4.7" | "5.4.7" => Reason::Expired,
        s if s.starts_with("5.7.") => Reason::Blocked,
        _ => Reason::Other,
    }
}

/// The class of one recipient of a report.
pub fn classify(action: Option<&str>, status: Option<&str>, reply_code: Option<&str>, diagnostic: &str) -> BounceClass {
    let action = action.unwrap_or_default().to_ascii_lowercase();
    if ["delivered", "relayed", "expanded"].iter().any(|a| action.starts_with(a)) || status.is_some_and(|s| s.starts_with("2.")) {
        return BounceClass::Delivered;
    }
    if action.starts_with("delayed") {
        return BounceClass::Delayed;
    }
    let temporary = status.map_or_else(|| reply_code.is_some_and(|c| c.starts_with('4')), |s| s.starts_with('4'));
    match reason(status, diagnostic) {
        Reason::UserUnknown | Reason::HostUnknown | Reason::HasMoved | Reason::NotAccept if !temporary => BounceClass::Hard,
        _ => BounceClass::Soft,
    }
}
