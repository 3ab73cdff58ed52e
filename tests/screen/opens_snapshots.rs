//! Issue 11 on screen: `◐` (a machine's fetch) has its own colour, no longer green, and an
//! email read through Gmail's image proxy says so, in English and French.

use guestmail::domain::{Marker, MessageState};
use guestmail::strings::{Strings, history::HistoryStrings};
use guestmail::theme::Theme;

#[test]
fn marker_colours() {
    let theme = Theme::new(false);
    let lines: Vec<String> = Marker::ALL
        .iter()
        .map(|m| format!("{} {:<14} {:?}", theme.marker_glyph(*m), format!("{m:?}"), theme.marker(*m).fg))
        .collect();
    insta::assert_snapshot!("marker_colours", lines.join("\n"));
    assert_ne!(theme.marker(Marker::MachineOpened).fg, theme.marker(Marker::Opened).fg);
}

#[test]
fn opened_via_gmail() {
    for (lang, h, s) in [
        ("en", &guestmail::strings::history::EN, Strings::of(guestmail::domain::Language::En)),
        ("fr", &guestmail::strings::history::FR, Strings::of(guestmail::domain::Language::Fr)),
        ("nl", &guestmail::strings::history::NL, Strings::of(guestmail::domain::Language::Nl)),
    ] {
        let h: &HistoryStrings = h;
        let text = [
            h.opens(MessageState::Sent, 1, 0, Some("Gmail")),
            h.opens(MessageState::Sent, 3, 1, Some("Gmail")),
            h.opens(MessageState::Sent, 1, 0, Some("Yahoo")),
            h.opens(MessageState::Sent, 2, 0, None),
            h.opens(MessageState::Sent, 0, 2, None),
            format!("◐ {}", s.marker(Marker::MachineOpened)),
        ]
        .join("\n");
        insta::assert_snapshot!(format!("opened_via_{lang}"), text);
    }
}
