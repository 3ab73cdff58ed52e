//! The tracking-pixel HTTP endpoint and its batched writer of opens.
//!
//! `GET /o/<token>.gif` always answers the same transparent GIF; a known token also records
//! an open. Connection threads ([`server`]) parse with `httparse` ([`request`]), answer
//! ([`response`]) and queue the hit; one writer thread ([`writer`]) stores hits in batches,
//! classified human or machine ([`classify`]).
//!
//! The same endpoint takes email service providers' events at `POST /hooks/<provider>`
//! ([`hooks`]): handed off the event loops to hook threads of their own.
//!
//! Start it with [`Tracker::start`] (tests, the TUI) or [`run_until`] (a thread that runs
//! until a shared stop flag is set: the TUI process and `guestmail serve`).

pub mod classify;
pub mod conn;
pub mod hooks;
pub mod ranges;
pub use ranges::trusted_proxies;
pub mod request;
pub mod response;
pub mod server;
pub mod writer;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::store::{OpenPolicy, Store, StoreError};

use ranges::{List, Net, Ranges};

pub use writer::{WriterReport, WriterStats};

/// The path a guestmail tracker answers with [`HEALTH_BODY`], so another process can tell
/// that the port is held by a guestmail recording opens, not by some other program.
pub const HEALTH_PATH: &str = "/guestmail/health";
/// The fixed answer at [`HEALTH_PATH`].
pub const HEALTH_BODY: &[u8] = b"guestmail tracker: recording opens\n";

/// Whether a guestmail tracker answers at `listen` (the config's `tracking_listen`): a GET of
/// [`HEALTH_PATH`] within `timeout` that returns [`HEALTH_BODY`].
pub fn guestmail_answers(listen: &str, timeout: Duration) -> bool {
    use std::io::{Read as _, Write as _};
    use std::net::ToSocketAddrs as _;
    let Some(addr) = listen.to_socket_addrs().ok().and_then(|mut a| a.next()) else { return false };
    let Ok(mut stream) = TcpStream::connect_timeout(&wake_address(addr), timeout) else { return false };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request = format!("GET {HEALTH_PATH} HTTP/1.1\r\nHost: guestmail\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.take(4096).read_to_end(&mut answer);
    answer.starts_with(b"HTTP/1.1 200") && answer.ends_with(HEALTH_BODY)
}

/// The retention of open details from the config's `open_retention_days` (0 keeps them).
pub fn retention_days(days: u32) -> Option<Duration> {
    (days > 0).then(|| Duration::from_secs(u64::from(days) * 86_400))
}

/// Tuning of the endpoint; the defaults suit a venue and the benchmark alike.
#[derive(Debug, Clone)]
pub struct TrackerOptions {
    /// How long the first hit of a batch waits for others before the commit.
    pub batch_window: Duration,
    /// The most hits in one transaction.
    pub max_batch: usize,
    /// Hits queued for the writer; past it a hit is counted as dropped and answered anyway
    /// (answering never waits on SQLite).
    pub queue: usize,
    /// The largest request head accepted (request line + headers), in bytes.
    pub max_head: usize,
    /// A keep-alive connection with no request for this long is closed.
    pub idle_timeout: Duration,
    /// A request head must arrive whole within this time (else 408).
    pub head_timeout: Duration,
    /// A client that does not read its answer for this long is dropped.
    pub write_timeout: Duration,
    /// Connections served at once; a newcomer past it closes the connection idle longest.
    pub max_connections: usize,
    /// Event-loop threads serving connections (0: one per core).
    pub workers: usize,
    /// Peers whose `X-Forwarded-For`/`X-Real-IP` is believed (the operator's reverse
    /// proxy); empty: the peer's own address is always recorded.
    pub trusted_proxies: Arc<[Net]>,
    /// Replays counted once, raw hits kept per message.
    pub policy: OpenPolicy,
    /// The published networks the classifier checks.
    pub ranges: Arc<Ranges>,
    /// Erase the client IP and User-Agent of opens older than this (at start, then hourly);
    /// `None` keeps them. Set it from the config's `open_retention_days`.
    pub retention: Option<Duration>,
    /// The providers' event hooks (`POST /hooks/...`); all off by default.
    pub hooks: Arc<hooks::HookSettings>,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            batch_window: Duration::from_millis(5),
            max_batch: 2048,
            // Room for about a minute of a busy venue's opens while another process holds
            // the database (a few MB); past it hits are dropped and counted, never waited on.
            queue: 16_384,
            max_head: 8192,
            idle_timeout: Duration::from_secs(15),
            head_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 1024,
            workers: 0,
            trusted_proxies: Arc::from(Vec::new()),
            policy: OpenPolicy::default(),
            ranges: Arc::new(Ranges::embedded()),
            retention: None,
            hooks: Arc::new(hooks::HookSettings::default()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    #[error("the tracking endpoint cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("the tracking endpoint cannot open its database: {0}")]
    Store(#[from] StoreError),
    #[error("the tracking endpoint cannot start a thread: {0}")]
    Thread(std::io::Error),
    #[error("the tracking endpoint's {0} thread panicked")]
    Panicked(&'static str),
}

/// A running endpoint. Dropping it shuts it down as [`Tracker::shutdown`] does.
pub struct Tracker {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    stats: Arc<WriterStats>,
    accept: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<()>>,
    hook_threads: Vec<JoinHandle<()>>,
}

impl Tracker {
    /// Binds `listen` (e.g. `127.0.0.1:8025`, or port 0 for any free port), opens the
    /// database for the writer and starts serving.
    pub fn start(listen: &str, db_path: &Path, options: TrackerOptions) -> Result<Self, TrackerError> {
        let listener =
            TcpListener::bind(listen).map_err(|source| TrackerError::Bind { addr: listen.to_owned(), source })?;
        let addr = listener.local_addr().map_err(|source| TrackerError::Bind { addr: listen.to_owned(), source })?;
        let store = Store::open(db_path)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(WriterStats::default());
        let (tx, rx) = std::sync::mpsc::sync_channel(options.queue);
        let config = writer::WriterConfig {
            window: options.batch_window,
            max_batch: options.max_batch.max(1),
            retention: options.retention,
            policy: options.policy,
            ranges: Arc::clone(&options.ranges),
        };
        let writer_stats = Arc::clone(&stats);
        let writer = std::thread::Builder::new()
            .name("tracker-writer".into())
            .spawn(move || writer::run(store, &rx, &config, &writer_stats))
            .map_err(TrackerError::Thread)?;
        let workers_wanted = options.workers;
        let (dispatch, hook_threads) = match hooks::start(&options.hooks, db_path, options.policy, &options.ranges)
            .map_err(TrackerError::Thread)?
        {
            Some((dispatch, threads)) => (Some(dispatch), threads),
            None => (None, Vec::new()),
        };
        let shared = Arc::new(conn::Shared {
            hooks: dispatch,
            options,
            stop: Arc::clone(&stop),
            active: AtomicUsize::new(0),
            stats: Arc::clone(&stats),
        });
        let count = if workers_wanted == 0 {
            // One per core. Two per core helped only while the writer's fsync stalled a
            // worker's queue; with the writer's fast commits, one per core measured (wrk -c64,
            // 3 rounds): p99 3.5 ms against 5.4 ms for two per core and 4.4 ms for nginx.
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            workers_wanted
        };
        let mut handles = Vec::with_capacity(count);
        let mut workers = Vec::with_capacity(count);
        for i in 0..count {
            let (poll, handle, incoming) = server::new_worker().map_err(TrackerError::Thread)?;
            let (shared, hits) = (Arc::clone(&shared), tx.clone());
            workers.push(
                std::thread::Builder::new()
                    .name(format!("tracker-{i}"))
                    .spawn(move || server::worker_loop(poll, &incoming, &shared, &hits))
                    .map_err(TrackerError::Thread)?,
            );
            handles.push(handle);
        }
        // Only the workers hold senders now: the writer ends after the last one.
        drop(tx);
        let accept = std::thread::Builder::new()
            .name("tracker-accept".into())
            .spawn(move || server::accept_loop(&listener, &shared, &handles))
            .map_err(TrackerError::Thread)?;
        tracing::info!(%addr, workers = count, "tracking endpoint listening");
        Ok(Tracker { addr, stop, stats, accept: Some(accept), workers, writer: Some(writer), hook_threads })
    }

    /// The address actually bound (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The writer's counters so far.
    pub fn stats(&self) -> WriterReport {
        self.stats.report()
    }

    /// Stops accepting, lets requests in flight finish, and returns once the writer has
    /// stored every queued hit.
    pub fn shutdown(mut self) -> Result<WriterReport, TrackerError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<WriterReport, TrackerError> {
        self.stop.store(true, Ordering::SeqCst);
        let mut result = Ok(());
        if let Some(accept) = self.accept.take() {
            // The accept loop is blocked in accept(): one connection wakes it to see the flag.
            let _ = TcpStream::connect_timeout(&wake_address(self.addr), Duration::from_secs(1));
            if accept.join().is_err() {
                result = Err(TrackerError::Panicked("accept"));
            }
        }
        for worker in self.workers.drain(..) {
            if worker.join().is_err() {
                result = Err(TrackerError::Panicked("worker"));
            }
        }
        // The workers and the accept loop held the hooks' dispatch: the hook threads end once
        // the requests they hold are answered.
        for hook in self.hook_threads.drain(..) {
            if hook.join().is_err() {
                result = Err(TrackerError::Panicked("hook"));
            }
        }
        // Every worker held a sender: the writer ends after the last one, with everything
        // they queued stored.
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            result = Err(TrackerError::Panicked("writer"));
        }
        result.map(|()| self.stats.report())
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        if self.accept.is_some() || self.writer.is_some() {
            let _ = self.stop_and_join();
        }
    }
}

/// Where to connect to reach our own listener (a wildcard bind is reached on loopback).
fn wake_address(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, a.port())),
        SocketAddr::V6(a) if a.ip().is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, a.port())),
        other => other,
    }
}

impl TrackerOptions {
    /// The defaults with the venue's settings: retention, replays, raw hits kept, trusted
    /// proxies, address ranges and the providers' hooks (their secrets read now: an error
    /// names the key).
    pub fn from_config(config: &crate::config::Config) -> Result<Self, OptionsError> {
        Ok(TrackerOptions {
            hooks: Arc::new(hooks::HookSettings::from_config(config).map_err(OptionsError::Hooks)?),
            retention: retention_days(config.open_retention_days),
            policy: OpenPolicy {
                dedup_ms: i64::from(config.open_dedup_seconds) * 1000,
                hits_kept: config.open_hits_kept,
            },
            // Checked when the config was read.
            trusted_proxies: trusted_proxies(&config.trusted_proxies).unwrap_or_else(|_| Arc::from(Vec::new())),
            ranges: Arc::new(load_ranges(config.ranges_dir.as_deref())?),
            ..TrackerOptions::default()
        })
    }
}

/// Settings of the endpoint that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    #[error(transparent)]
    Ranges(#[from] RangesError),
    /// A hook's setting, naming its key.
    #[error("{0}")]
    Hooks(String),
}

/// A ranges file in the venue's directory that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RangesError {
    #[error("cannot read {path}: {source}")]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Bad { path: std::path::PathBuf, source: ranges::BadLine },
}

/// The built-in ranges, with each file found in `dir` (the config's `ranges_dir`) taking
/// the place of the built-in one of the same name.
pub fn load_ranges(dir: Option<&Path>) -> Result<Ranges, RangesError> {
    let mut out = Ranges::embedded();
    let Some(dir) = dir else { return Ok(out) };
    for list in List::ALL {
        let path = dir.join(list.file_name());
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let nets = ranges::parse_list(list, &text)
                    .map_err(|source| RangesError::Bad { path: path.clone(), source })?;
                tracing::info!(path = %path.display(), networks = nets.len(), "address ranges from the venue");
                out.set(list, nets);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(RangesError::Read { path, source }),
        }
    }
    Ok(out)
}

/// Serves on `listen` until `stop` is set, then shuts down cleanly (everything queued is
/// stored). For a background thread of the TUI process or `guestmail serve`; `on_ready`
/// gets the bound address once listening.
pub fn run_until(
    listen: &str,
    db_path: &Path,
    options: TrackerOptions,
    stop: &AtomicBool,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<WriterReport, TrackerError> {
    let tracker = Tracker::start(listen, db_path, options)?;
    on_ready(tracker.local_addr());
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
    tracker.shutdown()
}
