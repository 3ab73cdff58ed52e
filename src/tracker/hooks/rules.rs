//! How a provider's bounce is classed: by the bounce rules every report goes through
//! ([`crate::bounce::classify`]), with the provider's own word on whether it is final.
//!
//! A permanent bounce counts like a delivery-status report saying `failed`. A transient one
//! (SES `Transient`, Mailgun `severity: temporary`, SendGrid `deferred` or `blocked`,
//! Postmark `SoftBounce`) is not an error on the guest: it is kept as `delayed`, counted on
//! nobody; except when its status says the guest's domain does not exist (`5.1.2`, `5.4.4`:
//! SES sends `Transient` with `5.4.4` "invalid domain" now and then) and its words agree:
//! then it is the hard bounce it is. A SendGrid `blocked` with `5.x` words stays temporary:
//! it is the receiving server refusing the sender, not the address failing.

use crate::domain::BounceClass;

/// Whether the provider says a bounce is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Permanent,
    Transient,
    /// SES `Undetermined`: the provider could not tell.
    Undetermined,
}

/// The class of one provider bounce.
pub fn bounce_class(
    severity: Severity,
    status: Option<&str>,
    reply_code: Option<&str>,
    diagnostic: &str,
) -> BounceClass {
    let by_words = crate::bounce::classify(Some("failed"), status, reply_code, diagnostic);
    match severity {
        Severity::Permanent => by_words,
        Severity::Transient | Severity::Undetermined
            if by_words == BounceClass::Hard && matches!(status, Some("5.1.2" | "5.4.4")) =>
        {
            BounceClass::Hard
        }
        Severity::Transient | Severity::Undetermined => BounceClass::Delayed,
    }
}

/// The enhanced status code (`5.1.1`) at the start of, or inside, a reply text.
pub fn status_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '(' | ')' | '[' | ']'))
        .find(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts[1..].iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_owned)
}

/// The three-digit SMTP reply code (`550`) opening a reply text, after an optional
/// `smtp;` label.
pub fn reply_code_in(text: &str) -> Option<String> {
    let text = text.trim_start();
    let text = text.strip_prefix("smtp;").map_or(text, str::trim_start);
    let code: String = text.chars().take(3).collect();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) && matches!(code.as_bytes()[0], b'4' | b'5'))
        .then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_bounces_by_severity_and_words() {
        use BounceClass::{Delayed, Hard, Soft};
        use Severity::{Permanent, Transient, Undetermined};
        #[rustfmt::skip]
        let table = [
            // severity,   status,         code,        words                                          -> class
            (Permanent,    Some("5.1.1"),  Some("550"), "550 5.1.1 user unknown",                      Hard),
            (Permanent,    None,           None,        "The email account that you tried to reach does not exist", Hard),
            (Permanent,    Some("5.2.2"),  Some("552"), "552 5.2.2 mailbox full",                      Soft),
            (Transient,    Some("4.2.2"),  Some("452"), "452 4.2.2 mailbox full",                      Delayed),
            (Transient,    None,           Some("498"), "No MX for nomx.example.com",                  Delayed),
            (Transient,    None,           None,        "400 try again later",                         Delayed),
            // SES's Transient with a permanent status that names a non-existent domain.
            (Transient,    Some("5.4.4"),  Some("550"), "550 5.4.4 Invalid domain",                    Hard),
            (Transient,    Some("5.7.1"),  Some("550"), "550 5.7.1 blocked by policy",                 Delayed),
            // SendGrid `blocked` with words of an unknown user: still not the guest's error.
            (Transient,    Some("5.0.0"),  Some("500"), "500 unknown recipient",                       Delayed),
            (Undetermined, None,           None,        "",                                            Delayed),
        ];
        for (severity, status, code, words, expected) in table {
            assert_eq!(bounce_class(severity, status, code, words), expected, "{severity:?} {status:?} {words}");
        }
    }

    #[test]
    fn codes_in_reply_texts() {
        assert_eq!(status_in("smtp; 550 5.1.1 <jane@example.com>... User").as_deref(), Some("5.1.1"));
        assert_eq!(status_in("5.1.1 The email account").as_deref(), Some("5.1.1"));
        assert_eq!(status_in("version 1.2.3 of it"), None);
        assert_eq!(reply_code_in("smtp; 550 5.1.1 user").as_deref(), Some("550"));
        assert_eq!(reply_code_in("500 unknown recipient").as_deref(), Some("500"));
        assert_eq!(reply_code_in("Test bounce details"), None);
    }
}
