//! Where things are on the list, shared by the drawing (`ui::reservations`) and by mouse
//! clicks (`App::badge_at`), so a click lands on exactly what was drawn there.

use ratatui::layout::Rect;

use crate::domain::ReservationRow;
use crate::panes::{cut, text_width};

/// The screen row of the first reservation: the title line, then the table head.
pub const FIRST_ROW_Y: u16 = 2;
/// Width of each email-marker column.
pub const MARKER_WIDTH: u16 = 4;
/// The guest column starts after the pointer (1), the time (5) and the three email markers
/// beside it (as the brief draws them), each followed by a space.
pub const GUEST_X: u16 = 8 + 3 * (MARKER_WIDTH + 1);

/// Where the panes (history, communication history, follow-up) are drawn on a terminal of
/// `size`: over the list, between the title line and the status line.
pub fn pane_area(size: (u16, u16)) -> Rect {
    Rect { x: 0, y: 1, width: size.0, height: size.1.saturating_sub(3) }
}

/// The list's columns at one terminal width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub status: bool,
    pub phone: bool,
    /// Width of the guest column (name and error badge).
    pub guest: u16,
}

impl Columns {
    /// Columns drop out right-to-left (phone, then status) on narrow terminals.
    pub fn for_width(width: u16) -> Self {
        let status = width >= 55;
        let phone = width >= 70;
        // pointer, time, markers, party, and the optional columns, each + 1 space.
        let mut fixed = GUEST_X + 1 + 4;
        if status {
            fixed += 11;
        }
        if phone {
            fixed += 18;
        }
        Columns { status, phone, guest: width.saturating_sub(fixed) }
    }
}

/// The mark before the name of a guest who confirmed on the phone.
pub const PHONE_MARK: &str = "☎";

/// How a row's guest cell is laid out: the name (shortened with `…` when it does not fit
/// beside the badge and the reply mark) and where the badge starts, relative to the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCell {
    pub name: String,
    /// Column offset of the badge in the cell, and its width; `None` without a badge.
    pub badge: Option<(u16, u16)>,
}

/// The mark after the name (and badge) of a guest who answered one of the emails.
pub const REPLY_MARK: &str = "↩";
/// The reply mark with the space before it: two cells.
pub const REPLY_MARK_WIDTH: u16 = 2;

/// Lays out `row`'s guest cell in `width` columns with the badge text `badge`; the reply
/// mark, when the guest answered, keeps its two cells at the end.
pub fn guest_cell(row: &ReservationRow, badge: Option<&str>, width: u16) -> GuestCell {
    // `☎` first: a phone confirmation stays visible however short the name gets.
    let name = if row.confirmed_by_phone { format!("{PHONE_MARK} {}", row.guest.name) } else { row.guest.name.clone() };
    let width = width.saturating_sub(if row.replied { REPLY_MARK_WIDTH } else { 0 });
    let Some(badge) = badge else { return GuestCell { name: cut(&name, usize::from(width)), badge: None } };
    let badge_w = text_width(badge) as u16;
    let room = usize::from(width.saturating_sub(badge_w + 1));
    let shown = cut(&name, room);
    let at = text_width(&shown) as u16 + 1;
    GuestCell { name: shown, badge: Some((at, badge_w)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AddressHealth, Guest, Marker, ReservationStatus};

    fn row(name: &str, replied: bool) -> ReservationRow {
        let guest = Guest {
            id: 1,
            name: name.into(),
            email: "a@example.org".into(),
            phone: String::new(),
            language: crate::domain::Language::En,
        };
        ReservationRow {
            id: 1,
            starts_at: chrono::NaiveDate::from_ymd_opt(2037, 12, 1)
                .and_then(|d| d.and_hms_opt(19, 0, 0))
                .expect("date"),
            party_size: 2,
            status: ReservationStatus::Confirmed,
            notes: String::new(),
            confirmed_by_phone: false,
            guest,
            address: AddressHealth::default(),
            markers: [Marker::None; 3],
            replied,
        }
    }

    /// (name, badge, replied, width) -> the name shown, the badge's offset.
    type Case<'a> = (&'a str, Option<&'a str>, bool, u16, &'a str, Option<u16>);

    #[test]
    fn a_long_name_ends_in_an_ellipsis_with_or_without_badge_or_reply_mark() {
        let cases: &[Case<'_>] = &[
            ("Anouk Van Damme", None, false, 20, "Anouk Van Damme", None),
            ("Anouk Van Damme", None, false, 12, "Anouk Van D…", None),
            ("Anouk Van Damme", None, true, 12, "Anouk Van…", None),
            ("Anouk Van Damme", Some("⚠3"), false, 12, "Anouk Va…", Some(10)),
            ("Anouk Van Damme", Some("⚠3"), true, 14, "Anouk Va…", Some(10)),
            ("Jo", Some("⚠3"), true, 12, "Jo", Some(3)),
        ];
        for &(name, badge, replied, width, shown, at) in cases {
            let cell = guest_cell(&row(name, replied), badge, width);
            assert_eq!(cell.name, shown, "{name} {badge:?} replied={replied} in {width}");
            assert_eq!(cell.badge.map(|b| b.0), at, "{name} {badge:?} replied={replied} in {width}");
            let used = text_width(&cell.name)
                + badge.map_or(0, |b| text_width(b) + 1)
                + if replied { usize::from(REPLY_MARK_WIDTH) } else { 0 };
            assert!(used <= usize::from(width), "{name} takes {used} of {width}");
        }
    }
}
