//! IMAP mailboxes: which messages of a watched mailbox were looked at (by UIDVALIDITY and
//! UID), what they were, and whether a bounce was moved out of the way yet. A bounce is
//! recorded and its UID remembered in one transaction, so a restart takes nothing twice.

use std::collections::HashMap;

use crate::store::engine::params;

use super::bounces::{BounceLinks, BounceOutcome, NewBounce, record};
use super::{Result, Store, now_ms};

/// One message of one mailbox: the mailbox's name (no password), UIDVALIDITY and UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxUid<'a> {
    pub mailbox: &'a str,
    pub uidvalidity: u32,
    pub uid: u32,
}

/// What a looked-at message was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxKind {
    /// A report, taken in; `settled` once moved to the processed folder (or flagged).
    Bounce { settled: bool },
    /// Anything else: left alone in the mailbox.
    Other,
}

/// A watcher's standing as last written (`guestmail status` reads it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStanding {
    /// The config key of the mailbox: `bounce_mailbox` or `reply_mailbox`.
    pub role: String,
    /// The mailbox's name (user, host, folder; never a password).
    pub mailbox: String,
    /// `watching`, `lost` or `refused`.
    pub state: String,
    pub detail: String,
    /// Since when it has been in this state, and when it was last written (UTC ms).
    pub since: i64,
    pub updated_at: i64,
}

impl Store {
    /// Writes a watcher's standing; `since` moves only when the state changes, so a login
    /// refused again and again keeps the time of the first refusal.
    pub fn record_mailbox_standing(&mut self, role: &str, mailbox: &str, state: &str, detail: &str) -> Result<()> {
        let now = now_ms();
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO mailbox_status (role, mailbox, state, detail, since, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (role) DO UPDATE SET
                    since = CASE WHEN mailbox_status.state = excluded.state
                                      AND mailbox_status.mailbox = excluded.mailbox
                                 THEN mailbox_status.since ELSE excluded.since END,
                    mailbox = excluded.mailbox, state = excluded.state, detail = excluded.detail,
                    updated_at = excluded.updated_at",
            )?
            .execute(params![role, mailbox, state, detail, now])?;
            Ok(())
        })
    }

    /// Every watcher's last written standing, bounce mailbox first.
    pub fn mailbox_standings(&self) -> Result<Vec<MailboxStanding>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT role, mailbox, state, detail, since, updated_at FROM mailbox_status ORDER BY role",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(MailboxStanding {
                role: r.get(0)?,
                mailbox: r.get(1)?,
                state: r.get(2)?,
                detail: r.get(3)?,
                since: r.get(4)?,
                updated_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<crate::store::engine::Result<_>>()?)
    }

    /// The messages of `mailbox` under `uidvalidity` already looked at, by UID.
    pub fn mailbox_seen(&self, mailbox: &str, uidvalidity: u32) -> Result<HashMap<u32, MailboxKind>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT uid, kind, settled FROM mailbox_messages WHERE mailbox = ?1 AND uidvalidity = ?2",
        )?;
        let rows = stmt.query_map(params![mailbox, uidvalidity], |r| {
            let kind: String = r.get(1)?;
            let settled: bool = r.get(2)?;
            Ok((
                r.get::<_, u32>(0)?,
                if kind == "bounce" { MailboxKind::Bounce { settled } } else { MailboxKind::Other },
            ))
        })?;
        Ok(rows.collect::<crate::store::engine::Result<_>>()?)
    }

    /// Records one message of a mailbox in one transaction: the report's recipients (as
    /// [`Store::record_bounce`] does, once per `key`, with the source `imap:MAILBOX:UIDVALIDITY:UID`)
    /// and the message's UID with its kind.
    pub fn record_mailbox_message(
        &mut self,
        at: MailboxUid<'_>,
        key: &str,
        links: &BounceLinks<'_>,
        recipients: &[NewBounce<'_>],
        is_bounce: bool,
        block_after: u32,
    ) -> Result<BounceOutcome> {
        let now = now_ms();
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO mailbox_messages (mailbox, uidvalidity, uid, kind, settled, seen_at)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                at.mailbox,
                at.uidvalidity,
                at.uid,
                if is_bounce { "bounce" } else { "other" },
                now
            ])?;
            let source = format!("imap:{}:{}:{}", at.mailbox, at.uidvalidity, at.uid);
            record(tx, Some(key), &source, links, recipients, block_after, now)
        })
    }

    /// Notes that bounces of a mailbox were moved out of the way (or flagged).
    pub fn settle_mailbox_messages(&mut self, mailbox: &str, uidvalidity: u32, uids: &[u32]) -> Result<()> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE mailbox_messages SET settled = 1 WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
            )?;
            for uid in uids {
                stmt.execute(params![mailbox, uidvalidity, uid])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_recorded_once_and_settled_later() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path().join("g.db")).expect("open");
        let at = MailboxUid { mailbox: "b@h:1/INBOX", uidvalidity: 7, uid: 3 };
        let links = BounceLinks::default();
        let first = store.record_mailbox_message(at, "k1", &links, &[], true, 12).expect("record");
        assert!(!first.already_processed);
        let again = store.record_mailbox_message(at, "k1", &links, &[], true, 12).expect("record");
        assert!(again.already_processed);
        let other = MailboxUid { uid: 4, ..at };
        store.record_mailbox_message(other, "k2", &links, &[], false, 12).expect("record");
        let seen = store.mailbox_seen("b@h:1/INBOX", 7).expect("seen");
        assert_eq!(seen.get(&3), Some(&MailboxKind::Bounce { settled: false }));
        assert_eq!(seen.get(&4), Some(&MailboxKind::Other));
        assert!(store.mailbox_seen("b@h:1/INBOX", 8).expect("seen").is_empty(), "per UIDVALIDITY");
        store.settle_mailbox_messages("b@h:1/INBOX", 7, &[3]).expect("settle");
        assert_eq!(
            store.mailbox_seen("b@h:1/INBOX", 7).expect("seen").get(&3),
            Some(&MailboxKind::Bounce { settled: true })
        );
    }
}
