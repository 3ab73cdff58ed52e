//! A mailbox watcher's standing on the screen (issue 13): its events go through the App's
//! state to the drawn status line. A lost connection or a refused login of the bounce or the
//! reply mailbox stays there with what to check; the watcher's "watching" clears it and says
//! so once; the first login says nothing. In English, French and Dutch.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use guestmail::action::Action;
use guestmail::app::App;
use guestmail::bounce::imap::{Role, Status};
use guestmail::domain::Language;
use guestmail::event::{Event, Service};
use guestmail::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTH: u16 = 220;
const HEIGHT: u16 = 12;

fn app(lang: Language) -> App {
    let day = chrono::NaiveDate::from_ymd_opt(2037, 11, 23).unwrap();
    let mut app = App::new("Le Petit Bistro", lang, Keymap::default(), day, day);
    app.update(Action::Resize(WIDTH, HEIGHT));
    app.update(Action::DayLoaded(day, Vec::new()));
    app
}

/// Sends one watcher event through the App as the event loop does; whether it asked for a
/// redraw.
fn send(app: &mut App, role: Role, status: Status) -> bool {
    let action = app.action_for(Event::Mailbox(role, status)).expect("a mailbox event is an action");
    app.update(action)
}

/// The drawn status line (the row above the key hints), trimmed.
fn status_line(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = t.backend().buffer();
    let y = HEIGHT - 2;
    (0..WIDTH).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_owned()
}

fn lost(secs: u64) -> Status {
    Status::Lost {
        why: "cannot connect to 127.0.0.1:1143: Connection refused (os error 111)".into(),
        retry: Duration::from_secs(secs),
    }
}

fn refused() -> Status {
    Status::Refused {
        why: "the mail server refused the login of hello@bistro.example: [AUTHENTICATIONFAILED] Authentication failed."
            .into(),
        retry: Duration::from_mins(1),
    }
}

#[test]
fn a_lost_then_refused_mailbox_stays_on_the_status_line_until_it_is_back_on() {
    // (language, role, starts the lost line, starts the refused line, back on)
    let cases: [(Language, Role, &str, &str, &str); 6] = [
        (
            Language::En,
            Role::Replies,
            "Guests' replies are not read: lost the connection to the reply mailbox: reconnecting in 2 s; if it lasts, check the server in reply_mailbox and the network (cannot connect",
            "Guests' replies are not read: the reply mailbox refused our login: check reply_mailbox and its password; trying again in 60 s (the mail server refused",
            "Reply mailbox connected again",
        ),
        (
            Language::En,
            Role::Bounces,
            "Bounces are not taken in: lost the connection to the bounce mailbox: reconnecting in 2 s",
            "Bounces are not taken in: the bounce mailbox refused our login: check bounce_mailbox and its password",
            "Bounce mailbox connected again",
        ),
        (
            Language::Fr,
            Role::Replies,
            "Les réponses des clients ne sont pas relevées : connexion à la boîte des réponses perdue : reconnexion dans 2 s",
            "Les réponses des clients ne sont pas relevées : la boîte des réponses a refusé la connexion : vérifier reply_mailbox et son mot de passe",
            "Boîte des réponses à nouveau connectée",
        ),
        (
            Language::Fr,
            Role::Bounces,
            "Les retours en erreur ne sont pas relevés : connexion à la boîte des retours perdue",
            "Les retours en erreur ne sont pas relevés : la boîte des retours a refusé la connexion : vérifier bounce_mailbox",
            "Boîte des retours à nouveau connectée",
        ),
        (
            Language::Nl,
            Role::Replies,
            "Antwoorden van gasten worden niet gelezen: verbinding met de antwoordmailbox verloren: opnieuw verbinden over 2 s",
            "Antwoorden van gasten worden niet gelezen: de antwoordmailbox weigerde onze login: controleer reply_mailbox en het wachtwoord",
            "Antwoordmailbox weer verbonden",
        ),
        (
            Language::Nl,
            Role::Bounces,
            "Teruggekomen e-mails worden niet verwerkt: verbinding met de bouncemailbox verloren",
            "Teruggekomen e-mails worden niet verwerkt: de bouncemailbox weigerde onze login: controleer bounce_mailbox",
            "Bouncemailbox weer verbonden",
        ),
    ];
    for (lang, role, lost_line, refused_line, back) in cases {
        let case = format!("{lang:?} {role:?}");
        let mut app = app(lang);
        let quiet = status_line(&app);
        // The first login: nothing to say, nothing to redraw.
        assert!(!send(&mut app, role, Status::Watching { idle: true }), "{case}");
        assert_eq!(status_line(&app), quiet, "{case}");
        assert!(app.status.is_none(), "{case}");

        assert!(send(&mut app, role, lost(1)), "{case}");
        assert!(send(&mut app, role, lost(2)), "{case}");
        let line = status_line(&app);
        assert!(line.starts_with(lost_line), "{case}: {line}");
        assert_eq!(app.services_off.len(), 1, "each try replaces the last: {case}: {:?}", app.services_off);

        assert!(send(&mut app, role, refused()), "{case}");
        let line = status_line(&app);
        assert!(line.starts_with(refused_line), "{case}: {line}");
        assert_eq!(app.services_off.len(), 1, "{case}");
        // Moving around does not hide it: it stays until the mailbox is back.
        app.update(Action::SelectNext);
        assert!(status_line(&app).starts_with(refused_line), "{case}");

        assert!(send(&mut app, role, Status::Watching { idle: true }), "{case}");
        assert!(app.services_off.is_empty(), "{case}: {:?}", app.services_off);
        assert_eq!(status_line(&app), back, "{case}");
        // Said once: a later login with nothing to clear says nothing new.
        assert!(!send(&mut app, role, Status::Watching { idle: false }), "{case}");
    }
}

#[test]
fn each_mailbox_clears_only_its_own_trouble() {
    let mut app = app(Language::En);
    send(&mut app, Role::Bounces, refused());
    send(&mut app, Role::Replies, lost(5));
    assert_eq!(
        app.services_off.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [Service::BounceMailbox, Service::ReplyMailbox]
    );
    // One line has room for one trouble: it says there is another.
    let line = status_line(&app);
    assert!(line.starts_with("1 of 2: Bounces are not taken in: the bounce mailbox refused our login"), "{line}");
    // The reply mailbox is back; the bounce mailbox's refusal stays on the line (a standing
    // problem goes before routine news).
    send(&mut app, Role::Replies, Status::Watching { idle: true });
    assert_eq!(app.services_off.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Service::BounceMailbox]);
    let line = status_line(&app);
    assert!(line.starts_with("Bounces are not taken in: the bounce mailbox refused our login"), "{line}");
    send(&mut app, Role::Bounces, Status::Watching { idle: true });
    assert_eq!(status_line(&app), "Bounce mailbox connected again");
    // A service that could not start at all is not cleared by a mailbox coming back.
    app.update(Action::ServiceOff(Service::Tracking, "127.0.0.1:8025 is in use".into()));
    send(&mut app, Role::Replies, lost(1));
    send(&mut app, Role::Replies, Status::Watching { idle: true });
    assert_eq!(app.services_off.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Service::Tracking]);
}
