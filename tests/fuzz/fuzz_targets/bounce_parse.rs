//! Fuzz target: the bounce parser must never panic, whatever bytes arrive in the Maildir.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(bounce) = guestmail::bounce::parse(data) {
        let _ = bounce.verp_token();
        for r in &bounce.recipients {
            let _ = guestmail::bounce::explain(r.class, r.status.as_deref(), &r.diagnostic, "fr");
        }
    }
});
