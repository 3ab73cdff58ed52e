//! One watcher of a mailbox per database: the second stands by while the first holds the
//! lock, and takes over once it is gone (a lock file beside SQLite's database; an advisory
//! lock held by its own connection on PostgreSQL, so watchers on other machines stand by too).

use guestmail::bounce::watch_lock;
use guestmail::store::{Location, Store};

use crate::support::engines::{Db, Engine};

fn one_holder_at_a_time_and_a_dead_holder_frees_it(engine: Engine) {
    let Some(db) = Db::fresh(engine) else { return };
    drop(Store::open(&db.location).expect("open"));
    let location = Location::from(&db.location);
    let first = watch_lock::try_take(&location, "bounce-mailbox").expect("take").expect("free at first");
    assert!(watch_lock::try_take(&location, "bounce-mailbox").expect("try").is_none(), "held: the second stands by");
    // Another mailbox has its own lock.
    let replies = watch_lock::try_take(&location, "reply-mailbox").expect("take");
    assert!(replies.is_some(), "the reply mailbox's lock is another one");
    drop(first);
    assert!(watch_lock::try_take(&location, "bounce-mailbox").expect("take").is_some(), "free again");
}

crate::both_engines!(one_holder_at_a_time_and_a_dead_holder_frees_it);
