//! The tracking endpoint over real TCP, with a real SQLite file: what it answers, what it
//! records, and that a burst or a shutdown in the middle of one loses no answered open.

use crate::support;

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use guestmail::store::OpenKind;
use guestmail::store::{OpenHit, RecentClients, Store, now_ms};
use guestmail::tracker::classify::HUMAN_REASON;
use guestmail::tracker::response::PIXEL_GIF;
use guestmail::tracker::{Tracker, TrackerOptions};
use support::engines::Engine;
use support::tracker::{Client, FIREFOX, GMAIL, MPP, World, by_rules, counting_every_hit, pixel};

fn a_known_token_records_one_open_per_request_with_its_facts(engine: Engine) {
    let w = World::on(engine, 1);
    let tracker = w.start(counting_every_hit());
    let before = now_ms();
    let mut client = Client::connect(tracker.local_addr());
    for _ in 0..3 {
        let r = client.get(&pixel(&w.tokens[0]), Some(FIREFOX));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("image/gif"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("content-length"), Some("43"));
        assert_eq!(r.body, PIXEL_GIF);
    }
    let after = now_ms();
    let report = tracker.shutdown().expect("clean shutdown");
    assert_eq!((report.recorded, report.unknown, report.lost), (3, 0, 0));

    let store = w.store();
    let opens = store.opens_for_message(w.ids[0]).expect("opens");
    assert_eq!(opens.len(), 3);
    assert!(opens.windows(2).all(|p| (p[0].at, p[0].id) > (p[1].at, p[1].id)), "newest first");
    for o in &opens {
        assert!((before..=after).contains(&o.at), "{o:?}");
        assert_eq!(o.ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(o.user_agent.as_deref(), Some(FIREFOX));
        let expected = (o.at - w.sent_at).div_euclid(1000);
        assert_eq!(o.seconds_after_send, Some(expected));
        assert!(expected >= 3600, "sent an hour ago: {o:?}");
        assert!(!o.machine && o.reason == HUMAN_REASON, "{o:?}");
    }
    let m = store.message(w.ids[0]).expect("message");
    assert_eq!((m.open_count, m.human_open_count), (3, 3));
    assert_eq!(m.first_opened_at, opens.iter().map(|o| o.at).min());
    assert_eq!(m.last_opened_at, opens.iter().map(|o| o.at).max());
}

fn an_open_is_committed_while_the_endpoint_keeps_running(engine: Engine) {
    let w = World::on(engine, 1);
    let tracker = w.start(TrackerOptions::default());
    assert_eq!(Client::connect(tracker.local_addr()).get(&pixel(&w.tokens[0]), Some(FIREFOX)).status, 200);
    let store = w.store();
    // A loose stall guard, not a speed check: the writer must commit without a shutdown.
    let mut waited = 0;
    while store.opens_for_message(w.ids[0]).expect("opens").is_empty() {
        assert!(waited < 200, "the open was never committed while running");
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    }
    drop(tracker);
}

fn an_unknown_token_gets_the_same_gif_and_records_nothing(engine: Engine) {
    let w = World::on(engine, 1);
    let tracker = w.start(TrackerOptions::default());
    let mut client = Client::connect(tracker.local_addr());
    let known = client.get(&pixel(&w.tokens[0]), Some(FIREFOX));
    for path in [pixel("ffffffffffffffffffffffffffffffff"), pixel("not-a-token"), "/o/x.gif?utm=1".to_owned()] {
        let r = client.get(&path, Some(FIREFOX));
        assert_eq!((r.status, &r.body), (200, &known.body), "{path}");
        assert_eq!(r.header("content-type"), known.header("content-type"));
    }
    let report = tracker.shutdown().expect("clean shutdown");
    assert_eq!((report.recorded, report.unknown), (1, 1), "only token-shaped paths reach the writer");
    assert_eq!(w.store().open_total().expect("total"), 1);
}

fn other_paths_methods_and_broken_requests_get_4xx(engine: Engine) {
    let w = World::on(engine, 1);
    let tracker = w.start(TrackerOptions::default());
    let addr = tracker.local_addr();
    let token = &w.tokens[0];
    let mut client = Client::connect(addr);
    assert_eq!(client.get("/", None).status, 404);
    assert_eq!(client.get(&format!("/o/{token}.png"), None).status, 404);
    assert_eq!(client.get(&format!("/x/o/{token}.gif"), None).status, 404);
    let head = client.request(&format!("HEAD {} HTTP/1.1\r\nHost: t\r\n\r\n", pixel(token)), true);
    assert_eq!((head.status, head.header("content-length"), head.body.len()), (200, Some("43"), 0));
    let raw = |text: &[u8]| Client::connect(addr).raw(text);
    let post = raw(format!("POST {} HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", pixel(token)).as_bytes());
    assert_eq!((post.status, post.header("allow")), (405, Some("GET, HEAD")));
    assert_eq!(raw(b"DELETE / HTTP/1.1\r\n\r\n").status, 405);
    assert_eq!(raw(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n").status, 400);
    assert_eq!(raw(b"GET /o/\x01\x02.gif HTTP/1.1\r\n\r\n").status, 400);
    assert_eq!(raw(format!("GET /o/{}.gif HTTP/1.1\r\n\r\n", "a".repeat(20_000)).as_bytes()).status, 414);
    let big = format!("GET {} HTTP/1.1\r\nX-Junk: {}\r\n\r\n", pixel(token), "b".repeat(20_000));
    assert_eq!(raw(big.as_bytes()).status, 431);
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect::<Vec<_>>().concat();
    assert_eq!(raw(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()).status, 431);
    // None of that recorded anything (a HEAD shows no image), and the endpoint still serves.
    assert_eq!(client.get(&pixel(token), Some(FIREFOX)).status, 200);
    let report = tracker.shutdown().expect("clean shutdown");
    assert_eq!((report.queued, report.recorded), (1, 1), "only the last GET");
}

fn a_slow_client_gets_408_and_an_idle_one_is_closed(engine: Engine) {
    let w = World::on(engine, 1);
    let options = TrackerOptions {
        head_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(300),
        ..TrackerOptions::default()
    };
    let tracker = w.start(options);
    let mut slow = Client::connect(tracker.local_addr());
    slow.stream.write_all(b"GET /o/").expect("write");
    // Keep trickling bytes from another thread: the head deadline must still cut it off.
    let mut trickle = slow.stream.try_clone().expect("clone");
    let trickler = std::thread::spawn(move || {
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(100));
            if trickle.write_all(b"a").is_err() {
                break;
            }
        }
    });
    let answer = slow.read_answer(false).expect("an answer before the trickle ends");
    trickler.join().expect("trickler");
    assert_eq!(answer.status, 408);
    let mut idle = Client::connect(tracker.local_addr());
    assert!(idle.closed_by_server(), "an idle keep-alive connection is closed after the idle timeout");
    drop(tracker);
}

fn each_hit_is_stored_with_its_kind_and_rule(engine: Engine) {
    let w = World::on(engine, 1);
    let trusted = guestmail::tracker::trusted_proxies(&["127.0.0.1".to_owned()]).expect("trusted");
    let tracker = w.start(TrackerOptions { trusted_proxies: trusted, ..TrackerOptions::default() });
    let mut client = Client::connect(tracker.local_addr());
    let token = &w.tokens[0];
    client.get(&pixel(token), Some(MPP));
    client.get(&pixel(token), Some(GMAIL));
    // Behind the operator's reverse proxy (trusted): the forwarded address is Apple's.
    let forwarded = format!(
        "GET {} HTTP/1.1\r\nUser-Agent: {FIREFOX}\r\nX-Forwarded-For: 81.246.12.7, 17.58.63.10\r\n\r\n",
        pixel(token)
    );
    client.request(&forwarded, false);
    client.get(&pixel(token), Some(FIREFOX));
    tracker.shutdown().expect("clean shutdown");
    let store = w.store();
    let mut opens = store.opens_for_message(w.ids[0]).expect("opens");
    opens.reverse();
    let seen: Vec<_> = opens.iter().map(|o| (o.kind, o.rule.as_str(), o.reason.as_str(), o.ip.as_deref())).collect();
    assert_eq!(
        seen,
        [
            (OpenKind::Machine, "apple-mpp-agent", "Apple Mail Privacy Protection", Some("127.0.0.1")),
            (OpenKind::Proxy, "gmail-proxy", "Gmail image proxy", Some("127.0.0.1")),
            (OpenKind::Machine, "apple-mpp-range", "Apple Mail Privacy Protection", Some("17.58.63.10")),
            (OpenKind::Person, "person", HUMAN_REASON, Some("127.0.0.1")),
        ]
    );
    let m = store.message(w.ids[0]).expect("message");
    // The Gmail reader and the Firefox reader are people; MPP is not.
    assert_eq!((m.open_count, m.human_open_count, m.proxy_open_count), (4, 2, 1));
    assert_eq!(m.open_via.as_deref(), Some("Gmail"));
}

fn a_burst_of_10000_requests_records_10000_opens(engine: Engine) {
    let w = World::on(engine, 4);
    let tracker = w.start(counting_every_hit());
    let addr = tracker.local_addr();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let token = w.tokens[t % 4].clone();
            std::thread::spawn(move || {
                let mut client = Client::connect(addr);
                for i in 0..1250 {
                    let ua = if i % 2 == 0 { FIREFOX } else { GMAIL };
                    assert_eq!(client.get(&pixel(&token), Some(ua)).status, 200);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let report = tracker.shutdown().expect("clean shutdown");
    assert_eq!((report.queued, report.recorded, report.lost), (10_000, 10_000, 0));
    assert!(report.batches < 10_000, "hits are committed in batches ({} commits)", report.batches);
    let store = w.store();
    assert_eq!(store.open_total().expect("total"), 10_000);
    for id in &w.ids {
        let m = store.message(*id).expect("message");
        // Gmail's proxy an hour after sending is the reader: a person's open.
        assert_eq!((m.open_count, m.human_open_count, m.proxy_open_count), (2500, 2500, 1250), "message {id}");
        assert_eq!(store.opens_for_message(*id).expect("opens").len(), 2500);
    }
}

fn a_shutdown_in_the_middle_of_a_burst_loses_no_answered_open(engine: Engine) {
    let w = World::on(engine, 1);
    let tracker = w.start(counting_every_hit());
    let addr = tracker.local_addr();
    let answered = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (token, answered) = (w.tokens[0].clone(), Arc::clone(&answered));
            std::thread::spawn(move || {
                // Reconnect whenever the server closes, until it no longer accepts.
                while let Some(mut client) = Client::try_connect(addr) {
                    while let Some(r) = client.try_get(&pixel(&token), FIREFOX) {
                        if r.status == 200 {
                            answered.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            })
        })
        .collect();
    while answered.load(Ordering::SeqCst) < 2000 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let report = tracker.shutdown().expect("clean shutdown");
    for t in threads {
        t.join().expect("client thread");
    }
    let answered = answered.load(Ordering::SeqCst);
    // A request queued just before its client saw the shutdown may be stored without its
    // answer being read; every answered one must be stored.
    assert!(report.recorded >= answered, "{} stored, {answered} answered", report.recorded);
    assert_eq!((report.recorded, report.lost), (report.queued, 0), "everything queued was stored");
    assert_eq!(w.store().open_total().expect("total") as u64, report.recorded);
}

fn first_opened_is_set_once_and_last_opened_only_moves_forward(engine: Engine) {
    let w = World::on(engine, 1);
    let mut store = w.store();
    let hit = |at| OpenHit { token: w.tokens[0].clone(), at, ip: None, user_agent: Some(FIREFOX.into()) };
    let t = w.sent_at + 7_200_000;
    store.record_opens(&[hit(t)], by_rules).expect("batch 1");
    store.record_opens(&[hit(t - 60_000)], by_rules).expect("an older hit, late");
    let m = store.message(w.ids[0]).expect("message");
    assert_eq!((m.first_opened_at, m.last_opened_at, m.open_count), (Some(t), Some(t), 2));
    store.record_opens(&[hit(t + 5_000), hit(t + 90_000), hit(t + 1_000)], by_rules).expect("batch 3");
    let m = store.message(w.ids[0]).expect("message");
    assert_eq!((m.first_opened_at, m.last_opened_at, m.open_count), (Some(t), Some(t + 90_000), 5));
}

fn old_open_details_are_erased_and_the_verdicts_kept(engine: Engine) {
    let w = World::on(engine, 1);
    let mut store = w.store();
    let hit = |at| OpenHit {
        token: w.tokens[0].clone(),
        at,
        ip: Some("17.58.63.10".parse().expect("ip")),
        user_agent: Some(MPP.into()),
    };
    let now = now_ms();
    store.record_opens(&[hit(now - 40 * 86_400_000), hit(now)], by_rules).expect("batch");
    assert_eq!(store.erase_open_details_before(now - 30 * 86_400_000).expect("purge"), 1);
    assert_eq!(store.erase_open_details_before(now - 30 * 86_400_000).expect("again"), 0);
    let opens = store.opens_for_message(w.ids[0]).expect("opens");
    assert_eq!(opens[0].ip.as_deref(), Some("17.58.63.10"));
    assert_eq!((opens[1].ip.as_deref(), opens[1].user_agent.as_deref()), (None, None));
    assert!(opens[1].machine && opens[1].reason == "Apple Mail Privacy Protection");
}

fn a_taken_port_is_a_clear_error(engine: Engine) {
    let w = World::on(engine, 0);
    let first = w.start(TrackerOptions::default());
    let err = Tracker::start(&first.local_addr().to_string(), &w.db, TrackerOptions::default())
        .err()
        .expect("the port is taken");
    assert!(err.to_string().contains(&first.local_addr().to_string()), "{err}");
    let _ = Store::open(&w.db).expect("the database is untouched");
}

fn the_endpoint_erases_old_open_details_when_it_starts(engine: Engine) {
    let w = World::on(engine, 1);
    let mut store = w.store();
    let old = OpenHit {
        token: w.tokens[0].clone(),
        at: now_ms() - 40 * 86_400_000,
        ip: Some("81.246.12.7".parse().expect("ip")),
        user_agent: Some(FIREFOX.into()),
    };
    store.record_opens(&[old], by_rules).expect("an old open");
    let options = TrackerOptions { retention: guestmail::tracker::retention_days(30), ..TrackerOptions::default() };
    let tracker = w.start(options);
    assert_eq!(Client::connect(tracker.local_addr()).get(&pixel(&w.tokens[0]), Some(FIREFOX)).status, 200);
    tracker.shutdown().expect("clean shutdown");
    let opens = store.opens_for_message(w.ids[0]).expect("opens");
    assert_eq!(opens.len(), 2);
    assert_eq!(opens[0].user_agent.as_deref(), Some(FIREFOX), "today's open keeps its details");
    assert_eq!((opens[1].ip.as_deref(), opens[1].user_agent.as_deref()), (None, None));
}

fn pipelined_requests_are_all_answered_in_order(engine: Engine) {
    let w = World::on(engine, 1);
    let tracker = w.start(counting_every_hit());
    let mut client = Client::connect(tracker.local_addr());
    let get = format!("GET {} HTTP/1.1\r\nUser-Agent: {FIREFOX}\r\n\r\n", pixel(&w.tokens[0]));
    client.stream.write_all(format!("{get}GET /nothing HTTP/1.1\r\n\r\n{get}").as_bytes()).expect("send");
    let statuses: Vec<u16> = (0..3).map(|_| client.read_answer(false).expect("an answer").status).collect();
    assert_eq!(statuses, [200, 404, 200]);
    assert_eq!(tracker.shutdown().expect("clean shutdown").recorded, 2);
}

/// One batch over several messages, each with a different mix of readers: every message gets
/// its own totals (opens, people, proxies and by which, first and last), and each counted hit
/// its row with its verdict, in the order the hits came.
fn one_batch_adds_each_messages_own_totals_and_rows(engine: Engine) {
    let w = World::on(engine, 3);
    let mut store = w.store();
    let t = w.sent_at + 7_200_000;
    let hit = |i: usize, at: i64, ua: &str, ip: &str| OpenHit {
        token: w.tokens[i].clone(),
        at,
        ip: Some(ip.parse().expect("ip")),
        user_agent: Some(ua.into()),
    };
    let batch = [
        hit(0, t, FIREFOX, "81.246.12.7"),
        hit(1, t + 1_000, GMAIL, "66.249.84.1"),
        hit(0, t + 2_000, GMAIL, "66.249.84.2"),
        hit(1, t + 3_000, MPP, "17.58.63.10"),
        hit(0, t + 4_000, FIREFOX, "81.246.12.8"),
    ];
    let report = store.record_opens(&batch, by_rules).expect("batch");
    assert_eq!((report.recorded, report.replays, report.unknown), (5, 0, 0));
    let totals = |i: usize| {
        let m = store.message(w.ids[i]).expect("message");
        (m.open_count, m.human_open_count, m.proxy_open_count, m.open_via, m.first_opened_at, m.last_opened_at)
    };
    assert_eq!(totals(0), (3, 3, 1, Some("Gmail".to_owned()), Some(t), Some(t + 4_000)));
    assert_eq!(totals(1), (2, 1, 1, Some("Gmail".to_owned()), Some(t + 1_000), Some(t + 3_000)));
    assert_eq!(totals(2), (0, 0, 0, None, None, None), "a message of no hit is left alone");
    let kinds = |i: usize| {
        let mut opens = store.opens_for_message(w.ids[i]).expect("opens");
        opens.sort_by_key(|o| o.id);
        opens.iter().map(|o| (o.at, o.kind, o.machine, o.ip.clone())).collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(0),
        [
            (t, OpenKind::Person, false, Some("81.246.12.7".to_owned())),
            (t + 2_000, OpenKind::Proxy, false, Some("66.249.84.2".to_owned())),
            (t + 4_000, OpenKind::Person, false, Some("81.246.12.8".to_owned())),
        ]
    );
    assert_eq!(kinds(1)[1].1, OpenKind::Machine, "Apple's privacy fetch is a machine's");
}

/// A writer with no memory of its clients (a new process after a restart, or another
/// `serve` behind the load balancer) still counts a client's replay once: the stored opens
/// say when each client last counted. Another client, or the same after the window, counts.
fn a_replay_is_counted_once_across_writers(engine: Engine) {
    let w = World::on(engine, 2);
    let policy = guestmail::store::OpenPolicy { dedup_ms: 60_000, hits_kept: 20 };
    let t = w.sent_at + 7_200_000;
    let hit = |i: usize, at: i64, ua: &str| OpenHit {
        token: w.tokens[i].clone(),
        at,
        ip: Some("81.246.12.7".parse().expect("ip")),
        user_agent: Some(ua.into()),
    };
    let mut first = w.store();
    let (mut memory, mut none) = (RecentClients::default(), RecentClients::default());
    let report = first
        .record_opens_with(&[hit(0, t, FIREFOX), hit(1, t, FIREFOX)], policy, &mut memory, &mut by_rules)
        .expect("first");
    assert_eq!(report.recorded, 2);
    // A second writer, knowing nothing of the first's clients.
    let mut second = w.store();
    let batch = [
        hit(0, t + 10_000, FIREFOX),
        hit(0, t + 20_000, FIREFOX),
        hit(0, t + 30_000, GMAIL),
        hit(1, t + 61_000, FIREFOX),
        hit(1, t + 62_000, FIREFOX),
    ];
    let report = second.record_opens_with(&batch, policy, &mut none, &mut by_rules).expect("second");
    assert_eq!((report.recorded, report.replays), (2, 3), "{report:?}");
    let count = |i: usize| second.message(w.ids[i]).expect("message").open_count;
    assert_eq!((count(0), count(1)), (2, 2));
    // The first writer remembers its clients: their repeats are told from memory, and a
    // client it never saw still counts.
    let again = [hit(0, t + 5_000, FIREFOX), hit(1, t + 59_000, FIREFOX), hit(0, t + 6_000, MPP)];
    let report = first.record_opens_with(&again, policy, &mut memory, &mut by_rules).expect("again");
    assert_eq!((report.recorded, report.replays), (1, 2), "{report:?}");
    assert_eq!((count(0), count(1)), (3, 2));
}

crate::both_engines!(
    a_replay_is_counted_once_across_writers,
    one_batch_adds_each_messages_own_totals_and_rows,
    a_known_token_records_one_open_per_request_with_its_facts,
    an_open_is_committed_while_the_endpoint_keeps_running,
    an_unknown_token_gets_the_same_gif_and_records_nothing,
    other_paths_methods_and_broken_requests_get_4xx,
    a_slow_client_gets_408_and_an_idle_one_is_closed,
    each_hit_is_stored_with_its_kind_and_rule,
    a_burst_of_10000_requests_records_10000_opens,
    a_shutdown_in_the_middle_of_a_burst_loses_no_answered_open,
    first_opened_is_set_once_and_last_opened_only_moves_forward,
    old_open_details_are_erased_and_the_verdicts_kept,
    a_taken_port_is_a_clear_error,
    the_endpoint_erases_old_open_details_when_it_starts,
    pipelined_requests_are_all_answered_in_order,
);
