//! Events an email service provider posts to the tracking endpoint's hooks (SES, Postmark,
//! Mailgun, SendGrid): each taken in at most once (its key in `processed_mail`), tied to our
//! email by our token, our Message-ID or the provider's own id, and recorded the way the
//! same news from another road is: a bounce or complaint through the bounce recording
//! (`bounces::record`), an open through the opens table (`opens::record`), a delivery as an
//! event in the email's log. One transaction for everything one request carries.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::bounces::{self, BounceLinks, NewBounce, Tie};
use super::events::{self, NewEvent};
use super::opens::{self, Clients, OpenFacts, OpenHit, OpenPolicy, OpenVerdict, RecentClients};
use super::{Result, Store, now_ms};
use crate::domain::EventKind;

/// What ties a provider's event to our email: the ids it echoes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EspLinks {
    /// Our `X-Guestmail-Token`, when the provider echoes our headers.
    pub token: Option<String>,
    /// Our Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The provider's own id (`messages.provider_id`).
    pub provider_id: Option<String>,
}

/// What an event says happened.
#[derive(Debug, Clone, PartialEq)]
pub enum EspEffect {
    /// A bounce (or a complaint, `class` Complaint) of one recipient; classified by the
    /// caller with the bounce rules. A transient one is class `Delayed`: kept, counted on
    /// nobody.
    Report {
        class: crate::domain::BounceClass,
        status: Option<String>,
        reply_code: Option<String>,
        action: Option<String>,
        diagnostic: String,
    },
    /// The guest's server accepted the email: a line in its log at `at`, and the email's
    /// `delivered_at` (the earliest such report) for its row in the history.
    Delivered { at: i64, detail: String },
    /// The guest (or a machine) opened it: recorded as a pixel fetch would be. `verdict`:
    /// the provider's own word (a machine open, a proxy) when it gives one; `None` lets the
    /// tracker's classifier decide from the User-Agent and address.
    Opened { at: i64, ip: Option<IpAddr>, user_agent: Option<String>, verdict: Option<OpenVerdict> },
}

/// One provider event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct EspEvent {
    /// Taken in at most once, ever: `esp:<provider>:<the provider's event id>`.
    pub key: String,
    /// `ses`, `postmark`, `mailgun`, `sendgrid`: the `source` of a bounce row.
    pub source: &'static str,
    /// The recipient the provider names, lower case (may be empty).
    pub recipient: String,
    pub links: EspLinks,
    pub effect: EspEffect,
}

/// What recording one request's events did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EspOutcome {
    /// Events whose key was already taken in: nothing done.
    pub replays: usize,
    /// Bounce and complaint reports recorded (matched or kept unmatched).
    pub reports: usize,
    pub errors_counted: usize,
    pub newly_blocked: usize,
    pub deliveries: usize,
    pub opens: usize,
    /// Deliveries and opens that named none of our emails: dropped.
    pub unmatched: usize,
}

fn seen_before(tx: &Tx<'_>, key: &str, now: i64) -> Result<bool> {
    let inserted = tx
        .prepare_cached("INSERT INTO processed_mail (key, processed_at) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING")?
        .execute(params![key, now])?;
    Ok(inserted == 0)
}

/// Records `events` in `tx`; see [`Store::record_esp_events`].
pub(crate) fn record(
    tx: &Tx<'_>,
    events: &[EspEvent],
    block_after: u32,
    policy: OpenPolicy,
    classify: &mut dyn FnMut(&OpenFacts<'_>) -> OpenVerdict,
    now: i64,
) -> Result<EspOutcome> {
    let mut out = EspOutcome::default();
    let recent = RecentClients::default();
    let mut batch = HashMap::new();
    for e in events {
        if seen_before(tx, &e.key, now)? {
            out.replays += 1;
            continue;
        }
        let links = BounceLinks {
            verp_token: None,
            original_token: e.links.token.as_deref(),
            original_message_id: e.links.message_id.as_deref(),
            provider_id: e.links.provider_id.as_deref(),
        };
        match &e.effect {
            EspEffect::Report { class, status, reply_code, action, diagnostic } => {
                let b = NewBounce {
                    recipient: &e.recipient,
                    class: *class,
                    status: status.as_deref(),
                    reply_code: reply_code.as_deref(),
                    action: action.as_deref(),
                    diagnostic,
                };
                let done = bounces::record(tx, None, e.source, &links, &[b], block_after, now)?;
                out.reports += done.recorded;
                out.errors_counted += done.errors_counted;
                out.newly_blocked += done.newly_blocked;
            }
            EspEffect::Delivered { at, detail } => {
                let Some(id) = ours(tx, &links, &e.recipient, now)? else {
                    out.unmatched += 1;
                    continue;
                };
                tx.prepare_cached(
                    "UPDATE messages SET delivered_at = MIN(COALESCE(delivered_at, ?2), ?2) WHERE id = ?1",
                )?
                .execute(params![id, at])?;
                events::append(
                    tx,
                    EventKind::Delivered,
                    *at,
                    &NewEvent { message_id: Some(id), detail, actor: e.source, ..NewEvent::default() },
                )?;
                out.deliveries += 1;
            }
            EspEffect::Opened { at, ip, user_agent, verdict } => {
                let Some(id) = ours(tx, &links, &e.recipient, now)? else {
                    out.unmatched += 1;
                    continue;
                };
                let token: String =
                    tx.prepare_cached("SELECT token FROM messages WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
                let hit = OpenHit { token, at: *at, ip: *ip, user_agent: user_agent.clone() };
                let mut decide = |facts: &OpenFacts<'_>| verdict.clone().unwrap_or_else(|| classify(facts));
                let mut clients = Clients { recent: &recent, batch: &mut batch, tokens: &mut Vec::new() };
                let done = opens::record(tx, &[hit], policy, &mut clients, &mut decide)?;
                out.opens += done.recorded;
            }
        }
    }
    Ok(out)
}

/// Our email an event names, or the latest to its recipient when it names nothing at all;
/// `None` for someone else's mail.
fn ours(tx: &Tx<'_>, links: &BounceLinks<'_>, recipient: &str, now: i64) -> Result<Option<i64>> {
    let (tie, found) = bounces::find_message(tx, links, recipient, now)?;
    Ok(match tie {
        Tie::Named | Tie::Recipient => found.map(|(id, _, _)| id),
        Tie::Foreign | Tie::Loose => None,
    })
}

impl Store {
    /// Records the events of one hook request in one transaction. An event whose key was
    /// taken in before changes nothing (a provider's retry, a replay).
    pub fn record_esp_events(
        &mut self,
        events: &[EspEvent],
        block_after: u32,
        policy: OpenPolicy,
        classify: &mut dyn FnMut(&OpenFacts<'_>) -> OpenVerdict,
    ) -> Result<EspOutcome> {
        self.write(|tx| record(tx, events, block_after, policy, classify, now_ms()))
    }

    /// The provider's own id kept for an email when its server accepted it.
    pub fn provider_id(&self, message_id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT provider_id FROM messages WHERE id = ?1")?
            .query_row([message_id], |r| r.get(0))
            .optional()?
            .flatten())
    }
}
