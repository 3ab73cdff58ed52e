//! Email service providers' event hooks on the tracking endpoint: `POST /hooks/ses` (Amazon
//! SES through SNS), `/hooks/postmark`, `/hooks/mailgun`, `/hooks/sendgrid`.
//!
//! Hooks are few (a provider posts a handful of events an hour for a venue) and need work the
//! pixel path must never wait on: reading a body, checking a signature (SES may fetch its
//! signing certificate over HTTPS), writing SQLite. So an event-loop worker only recognises
//! the head ([`admit`]: method, provider enabled, `Content-Length` present and under
//! [`MAX_BODY`]) and hands the connection over ([`Dispatch::send`]) to two hook threads of
//! their own, which read the body with timeouts, check who sent it, record what it says
//! through the store (one transaction per request) and answer with `Connection: close`.
//!
//! The answers: 200 taken in (also for a replay, and for an event of a kind guestmail does
//! not use); 401 a bad signature or password, recorded nowhere; 400 a body that is not what
//! the provider sends; 404 a hook that is not enabled; 411/413 no length or too long; 500
//! the database refused (the provider retries). None of them ever counts an error on a guest,
//! and no guest address is logged.
//!
//! The files: [`settings`] (config keys, secrets), [`http`] (reading the request),
//! [`verify`] (signatures and passwords), [`sns`] (the SNS envelope, its signing certificate),
//! one file per provider turning its JSON into store events ([`ses`], [`postmark`],
//! [`mailgun`], [`sendgrid`]), and [`rules`] (how a provider's bounce is classed).

pub mod fields;
pub mod http;
pub mod mailgun;
pub mod postmark;
pub mod provider;
pub mod rules;
pub mod sendgrid;
pub mod ses;
pub mod settings;
pub mod sns;
pub mod verify;

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub use provider::Provider;
pub use settings::HookSettings;

use super::classify::{Ranges, classify};
use super::request::Method;
use super::response::Reply;
use crate::store::{EspEvent, OpenKind, OpenPolicy, OpenVerdict, Store};

/// The largest body a hook takes: a provider's batch is a few kilobytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// Hook requests waiting for a hook thread; past it the client gets a 503 and retries.
const QUEUE: usize = 64;

/// Hook threads: one may wait on a slow client or a certificate download while the other
/// goes on.
const THREADS: usize = 2;

/// What the event loop decides from a hook request's head alone: the body length to read,
/// or the answer.
pub fn admit(method: Method, enabled: bool, length: Option<Option<u64>>, chunked: bool) -> Result<usize, Reply> {
    if !enabled {
        return Err(Reply::NotFound);
    }
    if method != Method::Post {
        return Err(Reply::MethodNotAllowed);
    }
    match length {
        _ if chunked => Err(Reply::LengthRequired),
        None => Err(Reply::LengthRequired),
        Some(None | Some(0)) => Err(Reply::BadRequest),
        Some(Some(n)) if n > MAX_BODY as u64 => Err(Reply::PayloadTooLarge),
        Some(Some(n)) => Ok(n as usize),
    }
}

/// A hook request taken off the event loop: the connection, and the bytes read so far (the
/// head, `head_len` bytes, then the start of the body).
pub struct HookJob {
    pub stream: TcpStream,
    pub peer: Option<SocketAddr>,
    pub provider: Provider,
    pub bytes: Vec<u8>,
    pub head_len: usize,
    /// The body's `Content-Length`, at most [`MAX_BODY`].
    pub length: usize,
}

/// The event loops' way to the hook threads.
pub struct Dispatch {
    pub settings: Arc<HookSettings>,
    tx: SyncSender<HookJob>,
}

impl Dispatch {
    /// Queues a job, never waiting: with the queue full the client gets a 503 now.
    pub fn send(&self, job: HookJob) {
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => {
                tracing::warn!(provider = job.provider.name(), "hook queue full: answered 503");
                http::answer_now(&job.stream, Reply::Unavailable);
            }
        }
    }
}

/// What a hook thread needs besides the job.
struct Worker {
    settings: Arc<HookSettings>,
    db: PathBuf,
    policy: OpenPolicy,
    ranges: Arc<Ranges>,
    certs: Arc<sns::CertCache>,
}

/// Starts the hook threads when at least one hook is enabled: the dispatch for the event
/// loops and the threads to join (they end once every dispatch is dropped).
pub fn start(
    settings: &Arc<HookSettings>,
    db: &std::path::Path,
    policy: OpenPolicy,
    ranges: &Arc<Ranges>,
) -> std::io::Result<Option<(Dispatch, Vec<JoinHandle<()>>)>> {
    if !settings.any() {
        return Ok(None);
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE);
    let rx = Arc::new(Mutex::new(rx));
    let certs = Arc::new(sns::CertCache::default());
    let mut threads = Vec::with_capacity(THREADS);
    for i in 0..THREADS {
        let worker = Worker {
            settings: Arc::clone(settings),
            db: db.to_owned(),
            policy,
            ranges: Arc::clone(ranges),
            certs: Arc::clone(&certs),
        };
        let rx = Arc::clone(&rx);
        threads.push(std::thread::Builder::new().name(format!("tracker-hooks-{i}")).spawn(move || run(&worker, &rx))?);
    }
    tracing::info!(hooks = %settings.enabled_names(), "provider hooks enabled");
    Ok(Some((Dispatch { settings: Arc::clone(settings), tx }, threads)))
}

fn run(worker: &Worker, rx: &Mutex<Receiver<HookJob>>) {
    // Opened at the first hook, reopened after an error: a hook thread never holds the
    // database busy while idle.
    let mut store: Option<Store> = None;
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        serve(worker, &mut store, job);
    }
}

/// Reads, checks, records and answers one hook request.
fn serve(worker: &Worker, store: &mut Option<Store>, job: HookJob) {
    let provider = job.provider;
    let (mut stream, request) = match http::read(job) {
        Ok(read) => read,
        Err((stream, reply)) => {
            http::answer(stream, reply);
            return;
        }
    };
    let reply = match parse(worker, provider, &request) {
        Err(reply) => reply,
        Ok(Taken::Nothing) => Reply::Accepted,
        Ok(Taken::Events(events)) => record(worker, store, provider, &events),
    };
    if reply != Reply::Accepted {
        tracing::info!(provider = provider.name(), status = ?reply, "hook request refused");
    }
    http::write_reply(&mut stream, reply);
}

/// An open's kind as the provider itself reports it (SendGrid's `sg_machine_open`, a
/// Postmark open through Gmail's image proxy), with the provider's rule name.
pub fn provider_verdict(
    kind: OpenKind,
    rule: &'static str,
    reason: &'static str,
    via: Option<&'static str>,
) -> OpenVerdict {
    OpenVerdict {
        kind,
        rule: std::borrow::Cow::Borrowed(rule),
        reason: std::borrow::Cow::Borrowed(reason),
        via: via.map(std::borrow::Cow::Borrowed),
    }
}

/// What a checked request carries.
pub enum Taken {
    /// Nothing to record: a subscription confirmed, events of kinds guestmail does not use.
    Nothing,
    Events(Vec<EspEvent>),
}

/// Why a request is refused, as its answer.
pub type Refusal = Reply;

fn parse(worker: &Worker, provider: Provider, request: &http::Request) -> Result<Taken, Refusal> {
    let s = &worker.settings;
    let now = crate::store::now_ms();
    match provider {
        Provider::Ses => {
            let ses = s.ses.as_ref().ok_or(Reply::NotFound)?;
            ses::take(ses, &worker.certs, &request.body)
        }
        Provider::Postmark => {
            let auth = s.postmark.as_ref().ok_or(Reply::NotFound)?;
            if !verify::basic_auth(request.header("authorization"), &auth.user, auth.password.expose()) {
                return Err(Reply::Unauthorized);
            }
            postmark::take(&request.body)
        }
        Provider::Mailgun => {
            let key = s.mailgun.as_ref().ok_or(Reply::NotFound)?;
            mailgun::take(key.expose(), &request.body, now)
        }
        Provider::SendGrid => {
            let key = s.sendgrid.as_ref().ok_or(Reply::NotFound)?;
            let signature = request.header("x-twilio-email-event-webhook-signature");
            let timestamp = request.header("x-twilio-email-event-webhook-timestamp");
            if !verify::sendgrid(key, signature, timestamp, &request.body) {
                return Err(Reply::Unauthorized);
            }
            sendgrid::take(&request.body)
        }
    }
}

fn record(worker: &Worker, store: &mut Option<Store>, provider: Provider, events: &[EspEvent]) -> Reply {
    if events.is_empty() {
        return Reply::Accepted;
    }
    if store.is_none() {
        match Store::open(&worker.db) {
            Ok(s) => *store = Some(s),
            Err(e) => {
                tracing::error!(provider = provider.name(), error = %e, "a hook cannot open the database");
                return Reply::ServerError;
            }
        }
    }
    let Some(st) = store.as_mut() else { return Reply::ServerError };
    let ranges = &worker.ranges;
    let mut decide = |facts: &crate::store::OpenFacts<'_>| classify(ranges, facts);
    match st.record_esp_events(events, worker.settings.block_after, worker.policy, &mut decide) {
        Ok(out) => {
            tracing::info!(
                provider = provider.name(),
                events = events.len(),
                replays = out.replays,
                reports = out.reports,
                errors_counted = out.errors_counted,
                newly_blocked = out.newly_blocked,
                deliveries = out.deliveries,
                opens = out.opens,
                unmatched = out.unmatched,
                "hook events taken in"
            );
            Reply::Accepted
        }
        Err(e) => {
            tracing::error!(provider = provider.name(), error = %e, "hook events not stored; the provider will retry");
            *store = None;
            Reply::ServerError
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_event_loop_answers_from_the_head() {
        #[rustfmt::skip]
        let table = [
            // method,      enabled, Content-Length,            chunked -> answer
            (Method::Post,  false,   Some(Some(10)),             false,  Err(Reply::NotFound)),
            (Method::Get,   true,    None,                       false,  Err(Reply::MethodNotAllowed)),
            (Method::Post,  true,    None,                       false,  Err(Reply::LengthRequired)),
            (Method::Post,  true,    Some(Some(10)),             true,   Err(Reply::LengthRequired)),
            (Method::Post,  true,    Some(None),                 false,  Err(Reply::BadRequest)),
            (Method::Post,  true,    Some(Some(0)),              false,  Err(Reply::BadRequest)),
            (Method::Post,  true,    Some(Some(MAX_BODY as u64 + 1)), false, Err(Reply::PayloadTooLarge)),
            (Method::Post,  true,    Some(Some(MAX_BODY as u64)), false, Ok(MAX_BODY)),
            (Method::Post,  true,    Some(Some(42)),             false,  Ok(42)),
        ];
        for (method, enabled, length, chunked, expected) in table {
            assert_eq!(admit(method, enabled, length, chunked), expected, "{method:?} {enabled} {length:?} {chunked}");
        }
    }
}
