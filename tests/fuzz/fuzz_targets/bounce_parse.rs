//! Fuzz target: the bounce parser must never panic, whatever bytes arrive in the Maildir.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // libfuzzer-sys aborts on every panic, even one that is caught. The parser contains
        // (catch_unwind, see src/bounce/mime.rs) a `debug_assert!` inside mail-parser that
        // malformed nested multiparts trip; tolerate exactly that one so the run keeps debug
        // assertions and overflow checks on our own code. Any other panic still aborts, and
        // an uncaught one is still caught and aborted on by libfuzzer-sys.
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_mail_parser = info.location().is_some_and(|l| l.file().contains("mail-parser"));
            if !in_mail_parser {
                default_hook(info);
                std::process::abort();
            }
        }));
    },
    |data: &[u8]| {
        if let Some(bounce) = guestmail::bounce::parse(data) {
            let _ = bounce.verp_token();
            for r in &bounce.recipients {
                let _ = guestmail::bounce::explain(r.class, r.status.as_deref(), &r.diagnostic, "fr");
            }
        }
    }
);
