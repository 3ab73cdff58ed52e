//! Plain-text bounces: the wording of Postfix, Exim, Sendmail, qmail, Exchange, Gmail and
//! the rest, which name the failed address near the remote server's reply instead of in
//! structured fields. The rules are generic (who sent it, which addresses the explanation
//! names, which lines carry SMTP codes), never tied to one server's exact sentences.

use super::classify::{after_data, classify_at};
use super::mime::{Doc, header_in_text};
use super::{FailedRecipient, scan};

/// Local parts of the senders of delivery reports.
const DAEMONS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "post_master",
    "mail-daemon",
    "mailerdaemon",
    "maildaemon",
    "bounce",
    "bounces",
    "mdaemon",
    "double-bounce",
    "nobody",
];

/// Subject words of delivery reports, in lower case.
const SUBJECTS: &[&str] = &[
    "undeliver",
    "undelivered",
    "delivery status",
    "delivery failure",
    "delivery failed",
    "failure notice",
    "failed delivery",
    "returned mail",
    "returned to sender",
    "mail delivery",
    "could not be delivered",
    "non remis",
    "non distribuable",
    "unzustellbar",
    "nicht zugestellt",
    "delivery notification",
    "delivery problem",
    "not delivered",
    "rejected",
    "warning: message",
    "delayed mail",
    "mail system error",
    "error sending",
    "nondeliverable",
    "no se puede entregar",
];

/// Words of a report that the message is still being retried.
const DELAY_WORDS: &[&str] = &[
    "will continue trying",
    "will keep trying",
    "will be retried",
    "will retry",
    "still trying",
    "has not yet been delivered",
    "not been delivered yet",
    "delivery is delayed",
    "message is delayed",
    "temporarily deferred",
    "no action is required on your part",
];

/// Words of a report that the server has given up: the message comes back for good, whatever
/// the last (possibly temporary) reply it got, so the report is a failure, not a delay.
const GAVE_UP_WORDS: &[&str] = &[
    "given up",
    "gave up",
    "giving up",
    "not going to try again",
    "will not be retried",
    "won't be retried",
    "no further attempts",
    "in the queue too long",
    "after a long failure period",
    "permanent error",
    "permanent failure",
];

pub(crate) fn parse(doc: &Doc) -> Option<Vec<FailedRecipient>> {
    if !looks_like_bounce(doc) {
        return None;
    }
    let body = doc.body_text();
    let (explanation, original) = scan::split_original(&body);
    let lower_subject = doc.subject.to_ascii_lowercase();
    let lower_text = explanation.to_ascii_lowercase();
    let gave_up = GAVE_UP_WORDS.iter().any(|w| lower_text.contains(w));
    let delayed = !gave_up
        && (lower_subject.contains("delay")
            || lower_subject.starts_with("warning")
            || DELAY_WORDS.iter().any(|w| lower_text.contains(w)));
    let action = if delayed { "delayed" } else { "failed" };

    let mut recipients: Vec<String> = doc.header("x-failed-recipients").map(scan::emails).unwrap_or_default();
    if recipients.is_empty() {
        recipients = candidates(doc, explanation, original);
    }
    if recipients.is_empty() {
        let returned = doc.original().unwrap_or_else(|| original.to_owned());
        recipients = header_in_text(&returned, "to").map(|to| scan::emails(&to)).unwrap_or_default();
        recipients.truncate(1);
    }
    let all = recipients.clone();
    let out: Vec<FailedRecipient> = recipients
        .into_iter()
        .map(|recipient| {
            let mut diagnostic = diagnostic_for(explanation, &recipient, &all);
            if diagnostic.is_empty() {
                diagnostic = coded_lines(explanation).unwrap_or_else(|| truncate(scan::collapse(explanation)));
            }
            let status = scan::remote_status(&diagnostic).or_else(|| scan::remote_status(explanation));
            let reply_code = scan::find_reply_code(&diagnostic).or_else(|| scan::find_reply_code(explanation));
            let data_stage = after_data(&diagnostic);
            let class = classify_at(Some(action), status.as_deref(), reply_code.as_deref(), &diagnostic, data_stage);
            FailedRecipient { recipient, status, reply_code, diagnostic, action: Some(action.to_owned()), class }
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// Sent by a mailer daemon, or titled like a delivery report.
fn looks_like_bounce(doc: &Doc) -> bool {
    let from = doc.header("from").unwrap_or_default().to_ascii_lowercase();
    let daemon_sender =
        scan::emails(&from).iter().any(|a| a.split('@').next().is_some_and(|local| DAEMONS.contains(&local)))
            || from.contains("mail delivery")
            || from.contains("mailer-daemon")
            || from.contains("postmaster");
    if daemon_sender {
        return true;
    }
    // Anyone else (a guest replying "Re: ... rejected") needs more than a subject: a null
    // return path or a returned original, and the words of a failed delivery.
    let subject = doc.subject.to_ascii_lowercase();
    let null_sender = doc.header("return-path").is_some_and(|r| r.trim() == "<>");
    let body = doc.body_text().to_ascii_lowercase();
    let failure_words = FAILURE_WORDS.iter().any(|w| body.contains(w));
    let bounce_subject = SUBJECTS.iter().any(|s| subject.contains(s));
    (null_sender || doc.returned_part().is_some()) && (failure_words || bounce_subject)
        || bounce_subject && failure_words
}

/// Words of a failed delivery in the body of a report.
const FAILURE_WORDS: &[&str] = &[
    "could not be delivered",
    "couldn't be delivered",
    "was not delivered",
    "wasn't delivered",
    "undeliverable",
    "delivery failed",
    "delivery has failed",
    "failed to deliver",
    "unable to deliver",
    "permanent error",
    "permanent failure",
    "user unknown",
    "no such user",
    "mailbox is full",
    "mailbox full",
    "invalid user",
    "invalid address",
];

/// Words that introduce the help desk of the reporting site, not a recipient.
const HELP_WORDS: &[&str] = &["please contact", "further assistance", "for assistance"];

/// The addresses the explanation names, minus the report's own parties and the sender.
fn candidates(doc: &Doc, explanation: &str, original: &str) -> Vec<String> {
    let mut excluded: Vec<String> = ["from", "to", "return-path", "sender", "reply-to", "cc"]
        .iter()
        .filter_map(|h| doc.header(h))
        .flat_map(scan::emails)
        .collect();
    if let Some(from) = doc.original().as_deref().or(Some(original)).and_then(|o| header_in_text(o, "from")) {
        excluded.extend(scan::emails(&from));
    }
    // The help desk the report names ("please contact <support@...>": the addresses after
    // those words), wherever it recurs (the same sentence is often repeated in another
    // language).
    for line in explanation.lines() {
        let lower = line.to_ascii_lowercase();
        if let Some(at) = HELP_WORDS.iter().filter_map(|w| lower.find(w)).min() {
            excluded.extend(scan::emails(&lower[at..]));
        }
    }
    let mut out: Vec<String> = Vec::new();
    for line in explanation.lines() {
        let lower = line.to_ascii_lowercase();
        if ["mail from", "message-id", "received:", "from:", "reply-to", "sender:", "return-path"]
            .iter()
            .any(|w| lower.contains(w))
        {
            continue;
        }
        for address in scan::emails(line) {
            let local = address.split('@').next().unwrap_or_default();
            if DAEMONS.contains(&local)
                || excluded.contains(&address)
                || out.contains(&address)
                || super::verp_token(&address).is_some()
            {
                continue;
            }
            out.push(address);
        }
    }
    out
}

/// The remote server's words about `recipient`: the paragraph naming it, or failing that the
/// first lines of the explanation that carry an SMTP code.
pub(crate) fn diagnostic_for(explanation: &str, recipient: &str, others: &[String]) -> String {
    let lines: Vec<&str> = explanation.lines().collect();
    // Skip quotes of the original's header ("To: guest@..."): the server's words are elsewhere.
    let mentions = |l: &&str| l.to_ascii_lowercase().contains(recipient);
    let quoted_header =
        |l: &&str| ["to:", "cc:", "rcpt to:"].iter().any(|h| l.trim_start().to_ascii_lowercase().starts_with(h));
    let Some(start) =
        lines.iter().position(|l| mentions(l) && !quoted_header(l)).or_else(|| lines.iter().position(mentions))
    else {
        return String::new();
    };
    // A Sendmail result line (`554 <guest@...>... reason`) is complete: the next line that
    // opens with a reply code is another recipient's or another host's result.
    let result_line = scan::find_reply_code(lines[start]).is_some_and(|c| lines[start].trim_start().starts_with(&c));
    let mut paragraph = Vec::new();
    for (i, line) in lines[start..].iter().enumerate() {
        if line.trim().is_empty() && i > 0 && paragraph.len() > 1 {
            break;
        }
        if i > 0 && result_line && opens_with_reply(line) {
            break;
        }
        if i > 0 && (starts_with_other_address(line, recipient) || mentions_other(line, recipient, others)) {
            break;
        }
        if !line.trim().is_empty() {
            paragraph.push(line.trim());
        }
        if paragraph.len() >= 12 {
            break;
        }
    }
    let text = scan::collapse(&paragraph.join(" "));
    if scan::find_reply_code(&text).is_some() || scan::find_status(&text).is_some() {
        return truncate(text);
    }
    match coded_lines(explanation) {
        Some(coded) => truncate(format!("{text} {coded}")),
        None => truncate(text),
    }
}

/// Whether the line opens with an SMTP reply code and a space (`550 host... Host unknown`), not
/// a continuation (`550-5.1.1 ...`).
fn opens_with_reply(line: &str) -> bool {
    let trimmed = line.trim_start();
    scan::find_reply_code(trimmed).is_some_and(|c| trimmed.starts_with(&c) && trimmed[3..].starts_with(' '))
}

/// Whether the line names another recipient of the same report (and not this one).
fn mentions_other(line: &str, recipient: &str, others: &[String]) -> bool {
    let lower = line.to_ascii_lowercase();
    !lower.contains(recipient) && others.iter().any(|o| o != recipient && lower.contains(o.as_str()))
}

fn starts_with_other_address(line: &str, recipient: &str) -> bool {
    let trimmed = line.trim_start().trim_start_matches(['<', '"']);
    scan::email_spans(trimmed).first().is_some_and(|(start, _, a)| *start == 0 && a != recipient)
}

/// The first line carrying a status or reply code, with its continuation lines.
fn coded_lines(explanation: &str) -> Option<String> {
    let lines: Vec<&str> = explanation.lines().collect();
    let i = lines.iter().position(|l| scan::find_status(l).is_some() || scan::find_reply_code(l).is_some())?;
    let end = (i + 1..lines.len()).find(|&j| lines[j].trim().is_empty()).unwrap_or(lines.len()).min(i + 4);
    Some(truncate(scan::collapse(&lines[i..end].join(" "))))
}

fn truncate(mut text: String) -> String {
    if text.len() > 1000 {
        let mut cut = 1000;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}
