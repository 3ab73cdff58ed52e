//! What the outbox's scaling benchmark needs to stand for several machines on one: a relay
//! that gives a loopback TCP connection a network's round trip, and a meter of how many of
//! this machine's cores were busy.
//!
//! Written here rather than taken from a crate: Linux's `netem` is not in this machine's
//! kernel (`tc qdisc add dev lo root netem` answers "unknown qdisc"), and a relay holding
//! each chunk for half the round trip is a few lines over `std::net`.
//!
//! The relay keeps the order of bytes and lets chunks overlap in flight (a reader thread
//! stamps each chunk on arrival, a writer thread passes it on when its time comes), so a
//! pipelined conversation pays one round trip, not one per chunk.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Listens on a loopback port and relays each connection to `target`, every chunk held for
/// `one_way` in each direction (a round trip of twice that). Returns the port's address.
pub fn delaying_relay(target: SocketAddr, one_way: Duration) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
    let addr = listener.local_addr().expect("relay address");
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(target) else { continue };
            let (Ok(client_out), Ok(server_out)) = (client.try_clone(), server.try_clone()) else { continue };
            for s in [&client, &server] {
                let _ = s.set_nodelay(true);
            }
            carry(client, server_out, one_way);
            carry(server, client_out, one_way);
        }
    });
    addr
}

/// Moves bytes from `from` to `to`, each chunk `delay` after it arrived; at the end of
/// `from`, ends the writing half of `to`.
fn carry(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    thread::spawn(move || {
        let mut buf = vec![0_u8; 64 * 1024];
        while let Ok(n @ 1..) = from.read(&mut buf) {
            if tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    thread::spawn(move || {
        for (due, bytes) in rx {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// This machine's CPU time counters (all cores), from `/proc/stat`: (busy, total) in ticks.
fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line.split_whitespace().filter_map(|t| t.parse().ok()).collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total - idle, total))
}

/// How many cores `/proc/stat` counts (its `cpuN` lines).
fn cores() -> Option<usize> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    Some(
        stat.lines()
            .filter(|l| l.strip_prefix("cpu").is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit())))
            .count(),
    )
}

/// Measures how many cores the whole machine kept busy (every process: the workers, the
/// relay, the sink and PostgreSQL) between its start and [`CpuMeter::cores_busy`].
pub struct CpuMeter {
    start: Option<(u64, u64)>,
}

impl CpuMeter {
    pub fn start() -> Self {
        CpuMeter { start: cpu_ticks() }
    }

    /// Busy cores, averaged over the time since start (`None` off Linux).
    pub fn cores_busy(&self) -> Option<f64> {
        let (b0, t0) = self.start?;
        let (b1, t1) = cpu_ticks()?;
        let cores = cores()? as f64;
        (t1 > t0).then(|| (b1 - b0) as f64 / (t1 - t0) as f64 * cores)
    }
}
