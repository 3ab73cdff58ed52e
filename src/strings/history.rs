//! The texts of the history panes (guest history, communication history, follow-up list,
//! delivery health); English in `history_en.rs`, French in `history_fr.rs`, Dutch in `history_nl.rs`. The French uses
//! the brief's own words: "Pas encore ouvert", "Ouvert (X fois)", "Dernière ouverture : …".

use crate::domain::{EmailKind, EventKind, Language, MessageState};
use crate::journey::Withdrawal;

/// One language's texts for the history panes.
#[derive(Debug)]
pub struct HistoryStrings {
    pub history_title: &'static str,
    pub comm_title: &'static str,
    pub followup_title: &'static str,
    pub address: &'static str,
    pub blocked: &'static str,
    pub not_blocked: &'static str,
    pub last_error: &'static str,
    pub forgotten: &'static str,
    pub no_emails: &'static str,
    pub not_opened_yet: &'static str,
    pub log_title: &'static str,
    pub by_person: &'static str,
    pub by_machine: &'static str,
    pub open: &'static str,
    pub bounce_report: &'static str,
    pub ip_erased: &'static str,
    pub no_match: &'static str,
    pub more: &'static str,
    pub followup_empty: &'static str,
    pub followup_advice: &'static str,
    /// The language of these texts (the journey's texts follow it).
    pub language: crate::domain::Language,
    pub health_none: &'static str,
    /// ": " in English, " : " in French.
    pub colon: &'static str,
    pub(super) opened_times: fn(u32) -> String,
    pub(super) opened_machine: fn(u32, u32) -> String,
    /// A person's opens, all through a provider's image proxy: count, provider.
    pub(super) opened_via: fn(u32, &str) -> String,
    pub(super) machine_only: fn(u32) -> String,
    pub(super) last_opened: fn(&str) -> String,
    /// The provider's word that the guest's server took the email: its time.
    pub(super) accepted_at: fn(&str) -> String,
    pub(super) next_try: fn(&str) -> String,
    /// A queued email planned for later: when it goes.
    pub(super) due: fn(&str) -> String,
    /// The guest answered this email, this many times.
    pub(super) replied: fn(u32) -> String,
    /// A resend's link to the email it repeats: when that one was sent, and its kind when
    /// it is another than the resend's.
    pub(super) resend_of: fn(&str, Option<&str>) -> String,
    pub(super) errors: fn(u32) -> String,
    pub(super) health: fn(&str, &str) -> String,
    pub(super) below_target: fn(&str) -> String,
    /// The header's short form: delivered, opened by a person.
    pub(super) health_short: fn(&str, &str) -> String,
    /// The header's warning: delivered, target.
    pub(super) below_short: fn(&str, &str) -> String,
    pub(super) decimal_comma: bool,
}

mod history_en;
mod history_fr;
mod history_nl;

pub use history_en::EN;
pub use history_fr::FR;
pub use history_nl::NL;

impl HistoryStrings {
    /// The texts of a language, as [`super::Strings::of`].
    pub fn of(lang: Language) -> &'static HistoryStrings {
        match lang {
            Language::En => &EN,
            Language::Fr => &FR,
            Language::Nl => &NL,
        }
    }

    /// The opens of one email: "Not opened yet", "Opened (3 times)", "Opened (via Gmail)" when
    /// every person's open came through their provider's image proxy (`via`), "Opened 3
    /// times, 1 by a machine", or the machine-only case. `machine` fetches never
    /// count as opened.
    /// An email that never reached the guest (queued, suppressed, bounced...) and has no open
    /// says nothing: "Not opened yet" would suggest it is waiting in their inbox.
    pub fn opens(&self, state: MessageState, human: u32, machine: u32, via: Option<&str>) -> String {
        match (human, machine, via) {
            (0, 0, _) if state != MessageState::Sent => String::new(),
            (0, 0, _) => self.not_opened_yet.to_owned(),
            (0, m, _) => (self.machine_only)(m),
            (h, _, Some(via)) => (self.opened_via)(h, via),
            (h, 0, None) => (self.opened_times)(h),
            (h, m, None) => (self.opened_machine)(h + m, m),
        }
    }

    pub fn last_opened(&self, at: &str) -> String {
        (self.last_opened)(at)
    }

    /// "accepted by the guest's server at 19:02".
    pub fn accepted_at(&self, at: &str) -> String {
        (self.accepted_at)(at)
    }

    pub fn next_try(&self, at: &str) -> String {
        (self.next_try)(at)
    }

    /// "Replied" / "Replied 2 times".
    pub fn replied(&self, n: u32) -> String {
        (self.replied)(n)
    }

    /// "due 02/12/2026 19:00": a queued email planned for later.
    pub fn due(&self, at: &str) -> String {
        (self.due)(at)
    }

    pub fn resend_of(&self, when: &str, kind: Option<&str>) -> String {
        (self.resend_of)(when, kind)
    }

    pub fn errors(&self, n: u32) -> String {
        (self.errors)(n)
    }

    /// Who did what a history note says, in this language ("staff" -> "équipe"); a name
    /// the screen does not know is shown as stored.
    pub fn actor<'a>(&self, actor: &'a str) -> &'a str {
        match (self.language, actor) {
            (Language::En, "staff") => "staff",
            (Language::Fr, "staff") => "équipe",
            (Language::Nl, "staff") => "personeel",
            (Language::En, "cli") => "command line",
            (Language::Fr, "cli") => "ligne de commande",
            (Language::Nl, "cli") => "opdrachtregel",
            (Language::En, "worker") => "sending",
            (Language::Fr, "worker") => "envoi",
            (Language::Nl, "worker") => "verzending",
            (Language::En, "bounce") => "bounce report",
            (Language::Fr, "bounce") => "rapport de rejet",
            (Language::Nl, "bounce") => "bouncebericht",
            (Language::En | Language::Nl, "tracker") => "tracking",
            (Language::Fr, "tracker") => "suivi",
            _ => actor,
        }
    }

    /// A history note's detail in this language: the store writes a reset as "3 error(s)
    /// cleared", which reads "3 erreurs" in French; other details (server texts) as stored.
    pub fn note_detail(&self, kind: EventKind, detail: &str) -> String {
        let cleared = detail.strip_suffix(" error(s) cleared").and_then(|n| n.parse::<u32>().ok());
        match (kind, cleared) {
            (EventKind::CounterReset, Some(n)) => self.errors(n),
            _ => detail.to_owned(),
        }
    }

    /// "withdrawn: reservation cancelled" / "retiré : réservation annulée".
    pub fn withdrawn(&self, why: Withdrawal) -> String {
        super::journey::JourneyText(self.language).withdrawn(why)
    }

    pub fn kind(&self, k: EmailKind) -> &'static str {
        super::names::email_kind(self.language, k)
    }

    pub fn state(&self, s: MessageState) -> &'static str {
        super::names::message_state(self.language, s)
    }

    pub fn event(&self, e: EventKind) -> &'static str {
        super::names::event(self.language, e)
    }

    /// A column head of a pane.
    pub fn column(&self, c: super::names::Column) -> &'static str {
        super::names::column(self.language, c)
    }

    /// A label of the communication history's filter line.
    pub fn filter_label(&self, f: super::names::FilterLabel) -> &'static str {
        super::names::filter_label(self.language, f)
    }

    /// Why the follow-up list says to call, without the detail.
    pub fn reason(&self, r: crate::store::FollowUpReason) -> &'static str {
        super::names::follow_up_reason(self.language, r)
    }

    /// "97.4%" / "97,4 %" / "97,4%". Cut, not rounded, to the tenth: a share just under a target
    /// (97.96% against 98%) must not read as the target itself ("98.0% < 98.0%").
    pub fn percent(&self, share: f64) -> String {
        // The epsilon keeps a share that is exactly a tenth (0.98) from reading one tenth
        // lower after the float multiplication.
        let tenths = (share * 1000.0 + 1e-6).floor() / 10.0;
        let text = format!("{tenths:.1}");
        let text = if self.decimal_comma { text.replace('.', ",") } else { text };
        // French puts a space before the sign; Dutch, like English, does not ("97,4%").
        if self.language == crate::domain::Language::Fr { format!("{text} %") } else { format!("{text}%") }
    }

    pub fn health(&self, delivered: f64, opened: f64) -> String {
        (self.health)(&self.percent(delivered), &self.percent(opened))
    }

    pub fn below_target(&self, target: f64) -> String {
        (self.below_target)(&self.percent(target))
    }

    /// "Delivery 99.1% · opened 64.0%", for the header.
    pub fn health_short(&self, delivered: f64, opened: f64) -> String {
        (self.health_short)(&self.percent(delivered), &self.percent(opened))
    }

    /// "⚠ delivery 97.4% < 98.0%", for the header.
    pub fn below_short(&self, delivered: f64, target: f64) -> String {
        (self.below_short)(&self.percent(delivered), &self.percent(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_name_who_did_it_and_a_reset_in_the_screen_s_language() {
        assert_eq!(FR.actor("staff"), "équipe");
        assert_eq!(NL.actor("cli"), "opdrachtregel");
        assert_eq!(EN.actor("bounce"), "bounce report");
        assert_eq!(FR.actor("someone"), "someone", "unknown names as stored");
        assert_eq!(FR.note_detail(EventKind::CounterReset, "3 error(s) cleared"), "3 erreurs");
        assert_eq!(NL.note_detail(EventKind::CounterReset, "1 error(s) cleared"), NL.errors(1));
        assert_eq!(FR.note_detail(EventKind::Complaint, "marked as spam (ARF)"), "marked as spam (ARF)");
    }

    #[test]
    fn a_share_under_the_target_never_reads_as_the_target() {
        assert_eq!(EN.percent(0.979_6), "97.9%");
        assert_eq!(EN.below_short(0.979_6, 0.98), "⚠ delivery 97.9% < 98.0%");
        assert_eq!(EN.percent(0.98), "98.0%");
        assert_eq!(EN.percent(0.974), "97.4%");
        assert_eq!(EN.percent(1.0), "100.0%");
        assert_eq!(FR.percent(0.974), "97,4 %");
        assert_eq!(NL.percent(0.974), "97,4%");
    }

    #[test]
    fn french_uses_the_brief_words_and_every_table_is_complete() {
        assert_eq!(FR.opens(MessageState::Sent, 0, 0, None), "Pas encore ouvert");
        assert_eq!(FR.opens(MessageState::Suppressed, 0, 0, None), "", "never sent: nothing to open");
        assert_eq!(EN.opens(MessageState::Bounced, 0, 0, None), "");
        assert_eq!(FR.opens(MessageState::Sent, 3, 0, None), "Ouvert (3 fois)");
        assert_eq!(FR.last_opened("23/11/2026 19:02"), "Dernière ouverture : 23/11/2026 19:02");
        assert_eq!(EN.opens(MessageState::Sent, 2, 1, None), "Opened 3 times, 1 by a machine");
        assert_eq!(EN.opens(MessageState::Bounced, 1, 0, None), "Opened (once)", "an open proves delivery");
        assert_eq!(EN.opens(MessageState::Sent, 1, 0, Some("Gmail")), "Opened (via Gmail)");
        assert_eq!(FR.opens(MessageState::Sent, 2, 1, Some("Yahoo")), "Ouvert (2 fois, via Yahoo)");
        assert_eq!(FR.percent(0.974), "97,4 %");
        assert_eq!(EN.percent(0.98), "98.0%");
        assert_eq!(EN.event(EventKind::Forgotten), "personal data erased");
        assert_eq!(FR.kind(EmailKind::Completed), "après le repas");
    }

    #[test]
    fn every_withdrawal_has_its_words_in_both_languages() {
        assert_eq!(EN.withdrawn(Withdrawal::Cancelled), "withdrawn: reservation cancelled");
        assert_eq!(EN.withdrawn(Withdrawal::TimePassed), "withdrawn: the reservation time has passed");
        assert_eq!(FR.withdrawn(Withdrawal::Cancelled), "retiré : réservation annulée");
        assert_eq!(FR.withdrawn(Withdrawal::TimePassed), "retiré : l'heure de la réservation est passée");
        for lang in [&EN, &FR] {
            let mut all: Vec<String> = Withdrawal::ALL.iter().map(|w| lang.withdrawn(*w)).collect();
            all.sort();
            all.dedup();
            assert_eq!(all.len(), Withdrawal::ALL.len(), "each reason reads differently");
        }
    }
}
