//! The flush loop with group commit: claim a batch, send it message after message on the
//! pooled connection, record the results in one transaction with the next claim.
//!
//! The guarantees stay those of one message at a time: a row is `sending` on disk before its
//! bytes leave (the claim's commit comes first); a result is only reported once it is on
//! disk; a worker killed mid-batch leaves at most [`BATCH`] rows in `sending`, which the next
//! start-up marks `uncertain` (shown to staff, never re-sent on its own). What changes is
//! the cost: one synced commit per batch instead of one per message.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{FlushEvent, Report, Summary, Worker, WorkerError, count, detail};
use crate::domain::MessageState;
use crate::failure::{self, Failure, Fault, Reason};
use crate::store::{Claimed, Delivery};

/// How many rows one claim takes. Big enough that the commit's fsync is small next to the
/// sending (2 commits per 128 messages instead of 128), small enough that a kill strands few
/// rows as `uncertain` and that several workers on one database each get a share.
pub const BATCH: usize = 64;
/// Results waiting longer than this are recorded without waiting for the batch to end, so a
/// slow server's successes reach the screen (and the disk) promptly.
pub const RECORD_AFTER: Duration = Duration::from_millis(100);

/// What a worker holds between commits: rows claimed (on disk as `sending`) and not yet
/// tried, and attempts made whose results are not yet on disk.
#[derive(Debug, Default)]
pub(super) struct Inflight {
    claimed: VecDeque<Claimed>,
    done: Vec<(Claimed, Delivery)>,
    /// Unclear permanent refusals of this run, by signature: the first recipient's domain.
    unclear: HashMap<String, String>,
}

/// A delivery that stops the run: the venue's setup or server is in trouble.
fn stops_the_run(d: &Delivery) -> bool {
    matches!(d, Delivery::Paused { .. } | Delivery::Uncertain { .. })
}

impl Worker {
    /// Sends everything due now, in batches, until none is left or `stop` is set (then the
    /// results so far are recorded and the untried rows given back). On an error the rows in
    /// hand stay with the worker, so the next flush records or sends them.
    /// `announce_idle` reports a flush with nothing due too (a one-off `guestmail send`); a
    /// running worker polls twice a second and only announces flushes with work in them.
    pub(super) fn flush(
        &mut self,
        stop: &AtomicBool,
        announce_idle: bool,
        on: &mut dyn FnMut(FlushEvent),
        summary: &mut Summary,
    ) -> Result<(), WorkerError> {
        let due = self.store.due_count((self.clock)())?.max(0) as u64;
        if due > 0 || announce_idle {
            on(FlushEvent::Started { due });
        }
        self.inflight.unclear.clear();
        let mut paused = false;
        let mut last_commit = Instant::now();
        loop {
            // A venue problem (our login, our relay, a silent server) ends the run at once:
            // one login attempt, not one per queued email; the rest stays in the outbox.
            let stopping = paused || stop.load(Ordering::Relaxed);
            let batch_over = self.inflight.claimed.is_empty();
            let overdue = !self.inflight.done.is_empty() && last_commit.elapsed() >= RECORD_AFTER;
            if stopping || batch_over || overdue {
                let want = if batch_over && !stopping { BATCH } else { 0 };
                self.commit(want, on, summary)?;
                last_commit = Instant::now();
                if stopping {
                    return self.release();
                }
                if self.inflight.claimed.is_empty() {
                    return Ok(());
                }
            }
            if let Some(m) = self.inflight.claimed.pop_front() {
                let delivery = match self.attempt(&m) {
                    Ok(Some(d)) => d,
                    Ok(None) => continue,
                    Err(e) => {
                        self.inflight.claimed.push_front(m);
                        return Err(e);
                    }
                };
                let delivery = self.same_refusal_elsewhere(&m, delivery);
                paused = stops_the_run(&delivery);
                self.inflight.done.push((m, delivery));
            }
        }
    }

    /// Records the results in hand and claims up to `want` more, in one transaction; then
    /// reports what moved on.
    fn commit(
        &mut self,
        want: usize,
        on: &mut dyn FnMut(FlushEvent),
        summary: &mut Summary,
    ) -> Result<(), WorkerError> {
        let now = (self.clock)();
        let want = if want > 0 && !self.may_claim() {
            tracing::warn!("this worker's lease is not being renewed: claiming nothing until it is");
            0
        } else {
            want
        };
        let done: Vec<(i64, &Delivery)> = self.inflight.done.iter().map(|(m, d)| (m.id, d)).collect();
        let (states, claim) = self.store.record_and_claim(&done, self.live.id(), self.block_after, now, want)?;
        // The results are on disk: the in-flight marks of these rows are not needed any more.
        self.clear_marks();
        for ((m, d), state) in std::mem::take(&mut self.inflight.done).into_iter().zip(states) {
            if let Delivery::Paused { failure, detail } | Delivery::Uncertain { failure, detail } = &d {
                summary.paused = Some((failure.reason, detail.clone()));
            }
            count(summary, state);
            tracing::info!(message = m.id, kind = %m.kind, %state, attempt = m.attempts, "delivery recorded");
            on(FlushEvent::Done(Report {
                message: m.id,
                kind: m.kind,
                recipient: m.recipient,
                state,
                detail: detail(&d),
            }));
        }
        self.inflight.claimed.extend(claim.messages);
        for (id, kind, why) in claim.withdrawn {
            summary.withdrawn += 1;
            tracing::info!(message = id, %kind, reason = why.as_str(), "withdrawn as it fell due");
        }
        for id in claim.suppressed {
            summary.suppressed += 1;
            let m = self.store.message(id)?;
            let detail = m.last_error.unwrap_or_else(|| "address blocked".to_owned());
            on(FlushEvent::Done(Report {
                message: id,
                kind: m.kind,
                recipient: m.recipient,
                state: MessageState::Suppressed,
                detail,
            }));
        }
        Ok(())
    }

    /// "Where code and text do not say, the same refusal for recipients at different domains
    /// in one run is the venue's": an unclear permanent refusal is the guest's, until the
    /// same words come back for another domain. Then this one, and those of the run not yet
    /// recorded, are the venue's (sending pauses, nobody is counted). One already recorded
    /// before the second domain came stays counted.
    fn same_refusal_elsewhere(&mut self, m: &Claimed, delivery: Delivery) -> Delivery {
        let Delivery::Permanent { reply_code, status, text, failure } = &delivery else { return delivery };
        if failure.reason != Reason::Unclear {
            return delivery;
        }
        let code = reply_code.as_deref().and_then(|c| c.parse().ok());
        let signature = failure::signature(code, status.as_deref(), text);
        let domain = failure::domain_of(&m.recipient);
        match self.inflight.unclear.get(&signature) {
            Some(first) if *first != domain => {
                let venue = Failure::new(Fault::Venue, Reason::Unclear);
                let line = failure::reply_line(reply_code.as_deref(), status.as_deref(), text);
                for (_, d) in &mut self.inflight.done {
                    if let Delivery::Permanent { reply_code, status, text, failure } = d
                        && failure.reason == Reason::Unclear
                        && failure::signature(
                            reply_code.as_deref().and_then(|c| c.parse().ok()),
                            status.as_deref(),
                            text,
                        ) == signature
                    {
                        let detail = failure::reply_line(reply_code.as_deref(), status.as_deref(), text);
                        *d = Delivery::Paused { failure: venue, detail };
                    }
                }
                Delivery::Paused { failure: venue, detail: line }
            }
            Some(_) => delivery,
            None => {
                self.inflight.unclear.insert(signature, domain);
                delivery
            }
        }
    }

    /// Gives the claimed rows not yet tried back to the outbox (`queued` or `deferred`).
    fn release(&mut self) -> Result<(), WorkerError> {
        let ids: Vec<i64> = self.inflight.claimed.iter().map(|m| m.id).collect();
        self.store.release_claimed(self.live.id(), &ids)?;
        self.inflight.claimed.clear();
        Ok(())
    }

    /// Best effort on the way out: records what is in hand and gives back the untried rows.
    /// If even that fails, the rows stay `sending` and the next start-up marks them
    /// `uncertain` once this worker's lock is gone.
    pub(super) fn settle(&mut self) {
        let mut summary = Summary::default();
        if let Err(e) = self.commit(0, &mut |_| {}, &mut summary).and_then(|()| self.release()) {
            tracing::warn!("could not record the outbox work in hand: {e}");
        }
    }
}
