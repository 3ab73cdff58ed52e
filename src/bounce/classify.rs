//! From a status code and the server's words to a reason and a [`BounceClass`]. Words win
//! over codes (servers often send a generic `5.0.0` or even `5.1.1` for a full mailbox), and
//! words that mean "not the address's fault" win over words that mean "no such address".

use super::scan;
pub use crate::diagnostic_words::Reason;
use crate::diagnostic_words::reason_of;
use crate::domain::BounceClass;

/// The reason a report gives: its words first, then its status code.
pub fn reason(status: Option<&str>, diagnostic: &str) -> Reason {
    let text = remote_words(diagnostic).to_ascii_lowercase();
    // "550 : User unknown", the address slot left empty: the answer of a reception filter
    // (Japanese carriers give it when the guest's settings refuse the sender), not of a
    // mailbox lookup.
    if text.contains("550 : user unknown") || text.contains("550: : user unknown") {
        return Reason::Filtered;
    }
    if let Some(reason) = reason_of(&text) {
        return reason;
    }
    match status.unwrap_or_default() {
        "5.1.1" | "5.1.0" | "5.1.3" => Reason::UserUnknown,
        "5.1.2" | "5.4.4" | "4.1.2" => Reason::HostUnknown,
        "5.1.6" => Reason::HasMoved,
        "5.1.10" | "5.3.2" => Reason::NotAccept,
        "5.2.2" | "4.2.2" => Reason::MailboxFull,
        "5.2.1" | "4.2.1" => Reason::Suspended,
        "5.3.4" | "5.2.3" => Reason::TooBig,
        "4.4.7" | "5.4.7" => Reason::Expired,
        s if s.starts_with("5.7.") => Reason::Blocked,
        _ => Reason::Other,
    }
}

/// Whether the refusal came at the DATA stage of the SMTP dialogue: Postfix's "(in reply to
/// end of DATA command)", Exim's "after end of data", or a Sendmail transcript where the
/// last command sent before the error was DATA.
pub(crate) fn after_data(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    if ["end of data", "reply to data", "after data"].iter().any(|w| text.contains(w)) {
        return true;
    }
    // The command answered by the first error reply of the transcript. With pipelining,
    // Sendmail shows `>>> DATA` then the RCPT reply then DATA's own reply: two replies in a
    // row mean the first one answered an earlier command.
    let lines: Vec<&str> =
        text.lines().map(str::trim_start).filter(|l| l.starts_with(">>> ") || l.starts_with("<<< ")).collect();
    let mut last_command = "";
    for (i, line) in lines.iter().enumerate() {
        if let Some(command) = line.strip_prefix(">>> ") {
            last_command = command.trim_start();
        } else if line.starts_with("<<< 4") || line.starts_with("<<< 5") {
            let pipelined = lines.get(i + 1).is_some_and(|next| next.starts_with("<<< "));
            return last_command.starts_with("data") && !pipelined;
        }
    }
    false
}

/// The remote server's own words in a diagnostic that opens with the reporting server's label
/// of its summary code (`5.1.0 - Unknown address error 550-'5.7.1 ... Access denied'`): the
/// label names the summary code, the quoted reply says what actually happened.
fn remote_words(diagnostic: &str) -> &str {
    let trimmed = diagnostic.trim_start();
    let labelled =
        scan::find_status(trimmed).is_some_and(|s| trimmed.starts_with(&s) && trimmed[s.len()..].starts_with(" - "));
    match scan::first_reply_at(trimmed) {
        Some(at) if labelled => &trimmed[at..],
        _ => diagnostic,
    }
}

/// The class of one recipient of a report.
pub fn classify(action: Option<&str>, status: Option<&str>, reply_code: Option<&str>, diagnostic: &str) -> BounceClass {
    classify_at(action, status, reply_code, diagnostic, after_data(diagnostic))
}

/// [`classify`], knowing from the report's transcript whether the refusal came after DATA.
pub(crate) fn classify_at(
    action: Option<&str>,
    status: Option<&str>,
    reply_code: Option<&str>,
    diagnostic: &str,
    data_stage: bool,
) -> BounceClass {
    let action = action.unwrap_or_default().to_ascii_lowercase();
    if ["delivered", "relayed", "expanded"].iter().any(|a| action.starts_with(a))
        || status.is_some_and(|s| s.starts_with("2."))
    {
        return BounceClass::Delivered;
    }
    if action.starts_with("delayed") {
        return BounceClass::Delayed;
    }
    let reason = match reason(status, diagnostic) {
        // RFC 7504: 521 and 556 say the host accepts no mail at all.
        Reason::Other if matches!(reply_code, Some("521" | "556")) => Reason::NotAccept,
        r => r,
    };
    match reason {
        // "Unknown user" after the message text was sent is a content filter speaking: the
        // server accepted the address at RCPT TO.
        Reason::UserUnknown if data_stage => BounceClass::Soft,
        // A DNS failure reported as temporary may heal; an unknown user rarely does.
        Reason::HostUnknown | Reason::NotAccept if status.is_some_and(|s| s.starts_with('4')) => BounceClass::Soft,
        Reason::UserUnknown | Reason::HostUnknown | Reason::HasMoved | Reason::NotAccept => BounceClass::Hard,
        _ => BounceClass::Soft,
    }
}
