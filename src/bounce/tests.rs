//! One real message per class, from the corpus (tests/fixtures/bounces, BSD 2-clause, see
//! the LICENSE beside them), so these run on a fresh clone without ../shared.

use super::{Bounce, parse, verp_token};
use crate::domain::BounceClass;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bounces/", $name))
    };
}

fn one(raw: &[u8]) -> super::FailedRecipient {
    let bounce: Bounce = parse(raw).expect("a report");
    assert_eq!(bounce.recipients.len(), 1, "{:?}", bounce.recipients);
    bounce.recipients.into_iter().next().expect("one recipient")
}

#[test]
fn hard_qmail_text_bounce() {
    let r = one(fixture!("lhost-qmail-16.eml"));
    assert_eq!(r.recipient, "userunknown@libsisimai.net");
    assert_eq!((r.status.as_deref(), r.reply_code.as_deref()), (Some("5.1.1"), Some("550")));
    assert_eq!(r.class, BounceClass::Hard);
}

#[test]
fn hard_sendmail_dsn_with_pipelined_transcript() {
    let r = one(fixture!("lhost-sendmail-01.eml"));
    assert_eq!(r.recipient, "userunknown@bouncehammer.jp");
    assert_eq!(r.status.as_deref(), Some("5.1.1"));
    assert_eq!(r.action.as_deref(), Some("failed"));
    assert_eq!(r.class, BounceClass::Hard);
}

#[test]
fn hard_dsn_whose_declared_boundary_is_wrong() {
    let r = one(fixture!("rhost-google-02.eml"));
    assert_eq!(r.recipient, "neko-nyaan@example.org");
    assert_eq!(r.status.as_deref(), Some("5.1.1"));
    assert_eq!(r.class, BounceClass::Hard);
}

#[test]
fn soft_exim_sender_refused() {
    let r = one(fixture!("lhost-exim-01.eml"));
    assert_eq!(r.recipient, "kijitora@example.ed.jp");
    assert_eq!(r.status.as_deref(), Some("5.7.0"));
    assert_eq!(r.class, BounceClass::Soft);
}

#[test]
fn soft_mailbox_full() {
    let r = one(fixture!("lhost-exim-07.eml"));
    assert_eq!(r.class, BounceClass::Soft);
    let e = super::explain(r.class, r.status.as_deref(), &r.diagnostic, "en");
    assert_eq!(e.explanation, "Mailbox full");
}

#[test]
fn complaint_feedback_report() {
    let r = one(fixture!("arf-01.eml"));
    assert_eq!(r.recipient, "redacted@example.net");
    assert_eq!(r.class, BounceClass::Complaint);
}

#[test]
fn delayed_dsn_is_not_an_error() {
    let r = one(fixture!("rfc3464-07.eml"));
    assert_eq!(r.recipient, "kijitora@example.net");
    assert_eq!(r.class, BounceClass::Delayed);
    assert!(!r.class.counts_as_error());
}

#[test]
fn delivered_ses_notification_is_not_an_error() {
    let r = one(fixture!("lhost-amazonses-13.eml"));
    assert_eq!((r.class, r.status.as_deref()), (BounceClass::Delivered, Some("2.6.0")));
}

#[test]
fn ses_bounce_wrapped_by_a_gateway() {
    let r = one(fixture!("lhost-amazonses-09.eml"));
    assert_eq!(r.recipient, "bounce@simulator.amazonses.com");
    assert_eq!((r.class, r.status.as_deref()), (BounceClass::Hard, Some("5.1.1")));
}

#[test]
fn vacation_auto_reply_is_not_an_error() {
    let r = one(fixture!("rfc3834-01.eml"));
    assert_eq!((r.recipient.as_str(), r.class), ("kijitora@example.net", BounceClass::AutoReply));
}

#[test]
fn an_ordinary_message_is_not_a_bounce() {
    assert_eq!(parse(fixture!("is-not-bounce-02.eml")), None);
    assert_eq!(parse(b"From: a@b.example\nTo: c@d.example\nSubject: Re: dinner\n\nSee you at 8!\n"), None);
    let reply =
        b"From: Ada <ada@b.example>\nTo: hello@bistro.example\nSubject: Re: your table request was rejected?\n\n\
I wrote to you@bistro.example yesterday, please call me.\n";
    assert_eq!(parse(reply), None, "a guest's reply is not a bounce, whatever its subject");
}

fn all(raw: &[u8]) -> Vec<super::FailedRecipient> {
    parse(raw).expect("a report").recipients
}

fn find<'a>(recipients: &'a [super::FailedRecipient], address: &str) -> &'a super::FailedRecipient {
    recipients.iter().find(|r| r.recipient == address).unwrap_or_else(|| panic!("{address} in {recipients:?}"))
}

#[test]
fn a_report_that_gave_up_is_a_failure_even_after_a_temporary_reply() {
    // qmail: "421 4.7.0 ... temporarily deferred" then "I'm not going to try again".
    let r = one(fixture!("lhost-qmail-19.eml"));
    assert_eq!((r.action.as_deref(), r.status.as_deref()), (Some("failed"), Some("4.7.0")));
    assert_eq!(r.class, BounceClass::Soft);
    assert!(r.class.counts_as_error());
}

#[test]
fn a_delay_warning_that_will_give_up_later_is_still_a_delay() {
    // Exim: "Eventually the mail delivery software will give up": not given up yet.
    let r = one(fixture!("lhost-exim-41.eml"));
    assert_eq!((r.recipient.as_str(), r.class), ("kijitora@example.net", BounceClass::Delayed));
}

#[test]
fn dsn_fields_of_several_recipients_without_blank_lines() {
    let found = all(fixture!("rhost-aol-03.eml"));
    assert_eq!(found.len(), 2, "{found:?}");
    let full = find(&found, "sabineko@example.jp");
    assert_eq!((full.status.as_deref(), full.class), (Some("5.2.2"), BounceClass::Soft));
    let unknown = find(&found, "mikeneko@example.jp");
    assert_eq!((unknown.status.as_deref(), unknown.class), (Some("5.1.1"), BounceClass::Hard));
}

#[test]
fn a_report_forwarded_as_plain_text_is_read_from_its_quoted_fields() {
    // A Postfix DSN pasted into a text body, under a help-desk address that is no recipient.
    let r = one(fixture!("lhost-postfix-49.eml"));
    assert_eq!(r.recipient, "kijitora-neko-nyaan@ntt.example.ne.jp");
    assert_eq!((r.action.as_deref(), r.status.as_deref()), (Some("failed"), Some("4.0.0")));
    assert_eq!(r.class, BounceClass::Soft, "delivery temporarily suspended, then given up");
}

#[test]
fn the_help_desk_a_report_names_is_not_a_recipient() {
    // "please contact <support@...>", repeated in a Japanese sentence.
    let r = one(fixture!("lhost-postfix-07.eml"));
    assert_eq!((r.recipient.as_str(), r.class), ("kijitora@user.example.or.jp", BounceClass::Hard));
}

#[test]
fn the_remote_reply_wins_over_the_reporting_servers_label() {
    // "5.1.0 - Unknown address error 550-'5.7.1 <...>... Access denied'".
    let r = one(fixture!("lhost-amazonses-01.eml"));
    assert_eq!((r.status.as_deref(), r.class), (Some("5.7.1"), BounceClass::Soft));
}

#[test]
fn a_sendmail_result_line_ends_at_the_next_result() {
    // "554 <kijitora@...>... Remote protocol error" is followed by another host's
    // "550 Host unknown", which is not about this recipient.
    let found = all(fixture!("lhost-v5sendmail-07.eml"));
    let r = find(&found, "kijitora@example.org");
    assert_eq!(
        (r.diagnostic.as_str(), r.class),
        ("554 <kijitora@example.org>... Remote protocol error", BounceClass::Soft)
    );
    assert_eq!(find(&found, "mikeneko@example.org").class, BounceClass::Hard);
}

#[test]
fn a_failing_local_delivery_program_is_the_servers_fault() {
    // procmail: Couldn't create "/var/spool/mail/..." id: ...: No such user
    let r = one(fixture!("lhost-postfix-01.eml"));
    assert_eq!(r.class, BounceClass::Soft);
}

#[test]
fn an_unroutable_address_is_hard() {
    // cPanel's Exim: "The account or domain may not exist, they may be blacklisted, ...".
    let r = one(fixture!("lhost-exim-31.eml"));
    assert_eq!((r.recipient.as_str(), r.class), ("kijitora@example.net", BounceClass::Hard));
}

#[test]
fn a_generic_remote_code_gives_way_to_a_precise_status_field() {
    // Status: 5.3.0 and "550 5.0.0 <...>... Insufficient permission".
    let r = one(fixture!("lhost-sendmail-13.eml"));
    assert_eq!(r.status.as_deref(), Some("5.3.0"));
}

#[test]
fn verp_tokens_are_read_only_from_the_right_shape() {
    assert_eq!(
        verp_token("bounces+0123456789ABCDEF0123456789abcdef@x.example").as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(verp_token("bounces+short@x.example"), None);
    assert_eq!(verp_token("hello@x.example"), None);
}

#[test]
fn garbage_never_panics() {
    for raw in
        [&b""[..], b"\0\0\0", b"Content-Type: multipart/report; boundary=\n\n--", b"From: <>\n\n@@@", &[0xff; 64]]
    {
        let _ = parse(raw);
    }
}

#[test]
fn a_malformed_nested_multipart_found_by_fuzzing_does_not_panic() {
    // A corpus DSN mutated by the fuzzer: its returned message has a broken multipart inside.
    let _ = parse(fixture!("fuzz-nested-multipart.eml"));
}
