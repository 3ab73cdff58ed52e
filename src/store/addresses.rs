//! Email addresses and their error counters: the brief's "more than 12 error messages and the
//! address is marked as an error".

use crate::store::engine::{OptionalExtension as _, Tx, params};

use super::events::{self, NewEvent};
use super::{Result, Store, StoreError, now_ms};
use crate::domain::{AddressHealth, BounceClass, EventKind};

/// Everything the store keeps on one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRecord {
    pub email: String,
    pub error_count: u32,
    pub blocked: bool,
    pub last_error: Option<String>,
    pub last_error_status: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_class: Option<String>,
    pub last_error_at: Option<i64>,
}

impl AddressRecord {
    pub fn health(&self) -> AddressHealth {
        AddressHealth { error_count: self.error_count, blocked: self.blocked, last_error: self.last_error.clone() }
    }
}

/// One error received for an address: a bounce, a complaint, or a permanent refusal while
/// sending.
#[derive(Debug, Clone, Default)]
pub struct AddressErrorInput<'a> {
    pub class: Option<BounceClass>,
    pub status: Option<&'a str>,
    pub reply_code: Option<&'a str>,
    pub diagnostic: &'a str,
    pub message_id: Option<i64>,
    pub actor: &'a str,
}

pub(crate) fn ensure(tx: &Tx<'_>, email: &str, now: i64) -> Result<()> {
    tx.prepare_cached("INSERT INTO addresses (email, updated_at) VALUES (?1, ?2) ON CONFLICT (email) DO NOTHING")?
        .execute(params![email, now])?;
    Ok(())
}

pub(crate) fn is_blocked(tx: &Tx<'_>, email: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT blocked FROM addresses WHERE email = ?1")?
        .query_row([email], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// Counts one error on `email` (creating the address if needed) and blocks it once the count
/// goes above `block_after`, or at once for a complaint. Returns the address as it now is.
pub(crate) fn record_error(
    tx: &Tx<'_>,
    email: &str,
    error: &AddressErrorInput<'_>,
    block_after: u32,
    now: i64,
) -> Result<AddressRecord> {
    ensure(tx, email, now)?;
    let complaint = error.class == Some(BounceClass::Complaint);
    tx.prepare_cached(
        "UPDATE addresses SET error_count = error_count + 1,
             blocked = CASE WHEN ?2 OR error_count + 1 > ?3 THEN 1 ELSE blocked END,
             last_error = ?4, last_error_status = ?5, last_error_code = ?6, last_error_class = ?7,
             last_error_at = ?8, updated_at = ?8
         WHERE email = ?1",
    )?
    .execute(params![
        email,
        complaint,
        block_after,
        error.diagnostic,
        error.status,
        error.reply_code,
        error.class.map(BounceClass::as_str),
        now
    ])?;
    let kind = if complaint { EventKind::Complaint } else { EventKind::Bounced };
    let detail = crate::failure::reply_line(error.reply_code, error.status, error.diagnostic);
    events::append(
        tx,
        kind,
        now,
        &NewEvent {
            message_id: error.message_id,
            address: Some(email),
            detail: &detail,
            actor: error.actor,
            ..NewEvent::default()
        },
    )?;
    fetch(tx, email)?.ok_or_else(|| StoreError::NotFound(format!("address {email}")))
}

/// Keeps why the address's last error counted (a [`crate::failure::Reason`]), for the popup.
pub(crate) fn set_reason(tx: &Tx<'_>, email: &str, reason: crate::failure::Reason) -> Result<()> {
    tx.prepare_cached("UPDATE addresses SET last_error_reason = ?2 WHERE email = ?1")?
        .execute(params![email, reason.as_str()])?;
    Ok(())
}

pub(crate) fn fetch(conn: &super::engine::Conn, email: &str) -> Result<Option<AddressRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT email, error_count, blocked, last_error, last_error_status, last_error_code,
                    last_error_class, last_error_at
             FROM addresses WHERE email = ?1",
        )?
        .query_row([email], |r| {
            Ok(AddressRecord {
                email: r.get(0)?,
                error_count: r.get(1)?,
                blocked: r.get(2)?,
                last_error: r.get(3)?,
                last_error_status: r.get(4)?,
                last_error_code: r.get(5)?,
                last_error_class: r.get(6)?,
                last_error_at: r.get(7)?,
            })
        })
        .optional()?)
}

impl Store {
    /// The address record, or `None` for an address never used.
    pub fn address(&self, email: &str) -> Result<Option<AddressRecord>> {
        fetch(&self.conn, email)
    }

    /// Counts one error received for `email`; see [`record_error`].
    pub fn record_address_error(
        &mut self,
        email: &str,
        error: &AddressErrorInput<'_>,
        block_after: u32,
    ) -> Result<AddressRecord> {
        self.write(|tx| record_error(tx, email, error, block_after, now_ms()))
    }

    /// Staff reset the counter: the address is free again. Past errors stay in the log; the
    /// reset itself is logged with who did it.
    pub fn reset_address(&mut self, email: &str, actor: &str) -> Result<AddressRecord> {
        self.write(|tx| {
            let now = now_ms();
            let before = fetch(tx, email)?.ok_or_else(|| StoreError::NotFound(format!("address {email}")))?;
            tx.prepare_cached("UPDATE addresses SET error_count = 0, blocked = 0, updated_at = ?2 WHERE email = ?1")?
                .execute(params![email, now])?;
            let detail = format!("{} error(s) cleared", before.error_count);
            events::append(
                tx,
                EventKind::CounterReset,
                now,
                &NewEvent { address: Some(email), detail: &detail, actor, ..NewEvent::default() },
            )?;
            fetch(tx, email)?.ok_or_else(|| StoreError::NotFound(format!("address {email}")))
        })
    }
}
