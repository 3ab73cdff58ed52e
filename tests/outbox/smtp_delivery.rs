//! The outbox against a real SMTP server on loopback: what arrives, and what happens when
//! the server refuses, defers, or is not there.

use crate::support;

use support::engines::Engine;
use support::outbox_env as env;
use support::smtp;

use env::{Env, REPLY_TO, SENDER, TRACKING, VENUE, booking, flush};
use guestmail::domain::{EventKind, Language, MessageState};
use guestmail::store::AddressErrorInput;
use smtp::{TestSmtp, dead_port};

fn the_received_email_has_our_headers_envelope_both_parts_and_the_pixel(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let rid = store
        .create_reservation(&booking("Zoé Martin", "zoe@example.org", Language::Fr, "2037-11-28 19:30", 4))
        .expect("create");
    let row = store.messages_for_reservation(rid).expect("messages").remove(0);
    let summary = flush(&mut env.worker());
    assert_eq!((summary.sent, summary.failed, summary.deferred), (1, 0, 0));

    let got = server.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.mail_from, format!("bounces+{}@mail.chez.example", row.token), "VERP envelope sender");
    assert_eq!(r.rcpt_to, vec!["zoe@example.org".to_owned()]);
    let m = r.parsed();
    let from = m.from().and_then(|a| a.first()).expect("From");
    assert_eq!((from.name(), from.address()), (Some(VENUE), Some(SENDER)));
    assert_eq!(m.reply_to().and_then(|a| a.first()).and_then(|a| a.address()), Some(REPLY_TO));
    assert_eq!(format!("<{}>", m.message_id().expect("Message-ID")), row.message_id);
    assert_eq!(m.header("X-Guestmail-Token").and_then(|h| h.as_text()), Some(row.token.as_str()));
    assert_eq!((m.text_body_count(), m.html_body_count()), (1, 1), "multipart/alternative with both parts");
    let text = m.body_text(0).expect("text part");
    let html = m.body_html(0).expect("html part");
    assert!(text.contains("samedi 28 novembre 2037 à 19h30") && text.contains("4 personnes"), "{text}");
    assert!(text.contains(REPLY_TO) && text.contains("+32 2 555 00 00"), "{text}");
    let pixel = format!("<img src=\"{TRACKING}/o/{}.gif\" width=\"1\" height=\"1\" alt=\"\">", row.token);
    assert!(html.contains(&pixel), "{html}");
    assert!(!text.contains("/o/"), "the pixel is in the HTML part only");

    let sent = store.message(row.id).expect("row");
    assert_eq!(sent.state, MessageState::Sent);
    assert!(sent.server_reply.as_deref().is_some_and(|r| r.starts_with("250")), "{:?}", sent.server_reply);
    assert_eq!(sent.subject, m.subject().expect("subject"));
    assert_eq!(store.last_event(row.id, EventKind::Sent).expect("event").map(|e| e.detail), sent.server_reply);
}

fn each_language_gets_its_own_words_and_date_format(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let cases = [
        (
            Language::En,
            "en@example.org",
            "Saturday 28 November 2037 at 7:30 pm",
            "2 guests",
            "We received your reservation request",
        ),
        (Language::Fr, "fr@example.org", "samedi 28 novembre 2037 à 19h30", "2 personnes", "Nous avons bien reçu"),
        (
            Language::Nl,
            "nl@example.org",
            "zaterdag 28 november 2037 om 19:30",
            "2 personen",
            "We hebben uw reserveringsaanvraag",
        ),
    ];
    for (lang, email, ..) in &cases {
        store.create_reservation(&booking("Guest", email, *lang, "2037-11-28 19:30", 2)).expect("create");
    }
    assert_eq!(flush(&mut env.worker()).sent, 3);
    let got = server.received();
    for (_, email, when, party, subject) in cases {
        let r = got.iter().find(|r| r.rcpt_to == [email]).expect("received");
        let m = r.parsed();
        assert!(m.subject().is_some_and(|s| s.starts_with(subject)), "{email}: {:?}", m.subject());
        for body in [m.body_text(0).expect("text"), m.body_html(0).expect("html")] {
            assert!(body.contains(when) && body.contains(party), "{email}: {body}");
        }
    }
}

fn guest_text_is_escaped_in_html_and_cannot_inject_a_header(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let name = "Eve <b>\"x\"</b>\r\nBcc: victim@evil.example";
    store.create_reservation(&booking(name, "eve@example.org", Language::En, "2037-11-28 19:30", 2)).expect("create");
    assert_eq!(flush(&mut env.worker()).sent, 1);
    let r = &server.received()[0];
    assert_eq!(r.rcpt_to, vec!["eve@example.org".to_owned()], "no extra recipient");
    let raw = String::from_utf8_lossy(&r.data);
    assert!(!raw.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc:")), "{raw}");
    let m = r.parsed();
    assert!(m.bcc().is_none());
    let html = m.body_html(0).expect("html");
    assert!(html.contains("Eve &lt;b&gt;&quot;x&quot;&lt;/b&gt;") && !html.contains("<b>\"x\""), "{html}");
}

fn a_4xx_defers_with_backoff_then_a_later_attempt_sends(engine: Engine) {
    let server = TestSmtp::start();
    server.refuse("busy@example.org", 451, "4.3.0 Try again later", Some(1));
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let rid = store
        .create_reservation(&booking("B", "busy@example.org", Language::En, "2037-11-28 19:30", 2))
        .expect("create");
    let id = store.messages_for_reservation(rid).expect("m")[0].id;
    let t0 = guestmail::store::now_ms();
    let s = flush(&mut env.worker().with_clock(move || t0));
    assert_eq!((s.sent, s.deferred), (0, 1));
    let m = store.message(id).expect("row");
    assert_eq!(m.state, MessageState::Deferred);
    assert!(m.last_error.as_deref().is_some_and(|e| e.contains("451")), "{:?}", m.last_error);
    assert_eq!(m.next_attempt_at, Some(t0 + 60_000), "first retry after 1 minute");
    let almost = t0 + 59_999;
    assert_eq!(flush(&mut env.worker().with_clock(move || almost)).sent, 0, "nothing is sent before its time");
    let later = m.next_attempt_at.expect("next") + 1;
    let s = flush(&mut env.worker().with_clock(move || later));
    assert_eq!(s.sent, 1);
    assert_eq!(store.message(id).expect("row").attempts, 2);
    assert_eq!(server.count(), 1);
    assert!(
        store.address("busy@example.org").expect("addr").is_none_or(|a| a.error_count == 0),
        "a 4xx is not an error"
    );
}

fn a_5xx_at_rcpt_fails_and_counts_one_error_on_the_address(engine: Engine) {
    let server = TestSmtp::start();
    server.refuse("nobody@example.org", 550, "5.1.1 <nobody@example.org>: user unknown", None);
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let rid = store
        .create_reservation(&booking("N", "nobody@example.org", Language::En, "2037-11-28 19:30", 2))
        .expect("create");
    store.create_reservation(&booking("Ok", "ok@example.org", Language::En, "2037-11-28 20:00", 2)).expect("create");
    let id = store.messages_for_reservation(rid).expect("m")[0].id;
    let s = flush(&mut env.worker());
    assert_eq!((s.sent, s.failed), (1, 1), "the refusal does not stop the next message");
    let m = store.message(id).expect("row");
    assert_eq!(m.state, MessageState::Failed);
    let a = store.address("nobody@example.org").expect("a").expect("address");
    assert_eq!(a.error_count, 1);
    assert_eq!((a.last_error_code.as_deref(), a.last_error_status.as_deref()), (Some("550"), Some("5.1.1")));
    assert!(a.last_error.as_deref().is_some_and(|e| e.contains("user unknown")));
    assert!(store.last_event(id, EventKind::Failed).expect("e").is_some());
    assert!(store.last_event(id, EventKind::Bounced).expect("e").is_some(), "counted like a bounce");
    assert_eq!(server.received().iter().filter(|r| r.rcpt_to.contains(&"ok@example.org".to_owned())).count(), 1);
}

fn the_server_down_defers_and_loses_nothing(engine: Engine) {
    let env = Env::on(engine, Some(&format!("smtp://127.0.0.1:{}?tls=none", dead_port())));
    let mut store = env.store();
    for i in 0..3 {
        store
            .create_reservation(&booking("D", &format!("d{i}@example.org"), Language::En, "2037-11-28 19:30", 2))
            .expect("c");
    }
    // Issue 10: our server unreachable is the venue's problem, not one of each email: the
    // run pauses at the first connection refused and all three stay queued, unattempted.
    let s = flush(&mut env.worker());
    assert_eq!((s.sent, s.deferred, s.failed), (0, 0, 0));
    assert_eq!(s.paused.as_ref().map(|p| p.0), Some(guestmail::failure::Reason::Unreachable));
    let counts = store.count_by_state().expect("counts");
    assert_eq!(counts, vec![(MessageState::Queued, 3)]);
    assert!(store.sending_pause().expect("pause").is_some());
    // The server comes back at that address: a later flush sends all three.
    let server = TestSmtp::start();
    let mut config = env.config.clone();
    config.smtp_url = Some(server.url());
    let later = guestmail::store::now_ms() + 61_000;
    let mut w = guestmail::mail::Worker::open(&config, &env.db, &env.outbox).expect("w").with_clock(move || later);
    assert_eq!(flush(&mut w).sent, 3);
    assert_eq!(server.count(), 3);
    assert!(store.sending_pause().expect("pause").is_none(), "an accepted email ends the pause");
}

fn a_blocked_address_is_never_sent_to(engine: Engine) {
    let server = TestSmtp::start();
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let rid =
        store.create_reservation(&booking("B", "blocked@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    let id = store.messages_for_reservation(rid).expect("m")[0].id;
    // Blocked after it was queued: the worker must check again at claim time.
    let err = AddressErrorInput {
        diagnostic: "spam complaint",
        class: Some(guestmail::domain::BounceClass::Complaint),
        actor: "test",
        ..Default::default()
    };
    store.record_address_error("blocked@example.org", &err, 12).expect("block");
    let s = flush(&mut env.worker());
    assert_eq!((s.sent, s.suppressed), (0, 1));
    assert_eq!(store.message(id).expect("row").state, MessageState::Suppressed);
    assert!(store.last_event(id, EventKind::Suppressed).expect("e").is_some());
    assert_eq!(server.count(), 0);
    assert!(server.rcpt_seen().is_empty(), "not even a RCPT TO");
}

fn retries_back_off_and_give_up_as_failed_after_24_hours_without_blaming_the_address(engine: Engine) {
    let minutes: Vec<i64> = (1..=6).map(|a| guestmail::store::backoff_ms(a) / 60_000).collect();
    assert_eq!(minutes, vec![1, 5, 15, 60, 60, 60]);
    // A 4xx for this one email (greylisting): issue 10 pauses on a dead server instead, so
    // the give-up is shown with a server that keeps saying "later".
    let server = TestSmtp::start();
    server.refuse("g@example.org", 450, "4.2.0 <g@example.org>: Recipient address rejected: Greylisted", None);
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let rid = store.create_reservation(&booking("G", "g@example.org", Language::En, "2037-11-28 19:30", 2)).expect("c");
    let m = store.messages_for_reservation(rid).expect("m").remove(0);
    let day_later = m.created_at + guestmail::store::GIVE_UP_AFTER_MS;
    let s = flush(&mut env.worker().with_clock(move || day_later));
    assert_eq!((s.deferred, s.failed), (0, 1));
    let m = store.message(m.id).expect("row");
    assert_eq!(m.state, MessageState::Failed);
    assert!(store.last_event(m.id, EventKind::Failed).expect("e").is_some_and(|e| e.detail.contains("gave up")));
    assert!(store.address("g@example.org").expect("a").is_none_or(|a| a.error_count == 0));
}

/// One batch with every common outcome in it: the sent emails on either side of a refusal
/// and a blocked address are each recorded as one at a time would (state, reply, subject,
/// time, one `sent` event with the reply), and the events keep the batch's order.
fn a_mixed_batch_records_each_outcome_in_order(engine: Engine) {
    use MessageState::{Failed, Sent, Suppressed};
    let server = TestSmtp::start();
    server.refuse("nobody@example.org", 550, "5.1.1 <nobody@example.org>: user unknown", None);
    let env = Env::on(engine, Some(&server.url()));
    let mut store = env.store();
    let guests =
        ["first@example.org", "nobody@example.org", "third@example.org", "held@example.org", "last@example.org"];
    let ids: Vec<i64> = guests
        .iter()
        .map(|g| {
            let rid = store.create_reservation(&booking("M", g, Language::En, "2037-11-28 19:30", 2)).expect("c");
            store.messages_for_reservation(rid).expect("m")[0].id
        })
        .collect();
    let complaint = AddressErrorInput {
        diagnostic: "spam complaint",
        class: Some(guestmail::domain::BounceClass::Complaint),
        actor: "test",
        ..Default::default()
    };
    store.record_address_error("held@example.org", &complaint, 12).expect("block");
    let before = guestmail::store::now_ms();
    let s = flush(&mut env.worker());
    assert_eq!((s.sent, s.failed, s.suppressed), (3, 1, 1));
    let states: Vec<MessageState> = ids.iter().map(|id| store.message(*id).expect("row").state).collect();
    assert_eq!(states, [Sent, Failed, Sent, Suppressed, Sent]);
    let mut order = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let m = store.message(*id).expect("row");
        if m.state == Sent {
            let reply = m.server_reply.clone().expect("the server's reply is kept");
            assert!(reply.starts_with("250"), "{reply}");
            assert!(m.sent_at.is_some_and(|t| t >= before), "sent at the flush");
            assert!(!m.subject.is_empty(), "the subject it went with");
            assert_eq!((m.last_error, m.next_attempt_at), (None, None));
            let e = store.last_event(*id, EventKind::Sent).expect("e").expect("one sent event");
            assert_eq!(e.detail, reply);
            assert_eq!(e.reservation_id, m.reservation_id);
            order.push((e.id, i));
        } else if m.state == Failed {
            order.push((store.last_event(*id, EventKind::Failed).expect("e").expect("event").id, i));
        }
    }
    order.sort_unstable();
    assert_eq!(order.iter().map(|(_, i)| *i).collect::<Vec<_>>(), [0, 1, 2, 4], "events in the batch's order");
    assert_eq!(server.count(), 3);
}

crate::both_engines!(
    a_mixed_batch_records_each_outcome_in_order,
    the_received_email_has_our_headers_envelope_both_parts_and_the_pixel,
    each_language_gets_its_own_words_and_date_format,
    guest_text_is_escaped_in_html_and_cannot_inject_a_header,
    a_4xx_defers_with_backoff_then_a_later_attempt_sends,
    a_5xx_at_rcpt_fails_and_counts_one_error_on_the_address,
    the_server_down_defers_and_loses_nothing,
    a_blocked_address_is_never_sent_to,
    retries_back_off_and_give_up_as_failed_after_24_hours_without_blaming_the_address,
);
