//! One claimed message -> one MIME email (multipart/alternative: plain text and HTML) and
//! its SMTP envelope, from the templates of its kind in the guest's language.
//!
//! Headers: `From` the transactional sender with the venue's name, `Reply-To` the venue's
//! own address (in a database of several venues, the email's venue's sender, name and
//! Reply-To, from the claim; the config's for the implicit venue), `Message-ID` from the row (the same on every retry, so a receiving server
//! can drop a duplicate), `X-Guestmail-Token` for tying bounces back. The envelope sender is
//! the per-message VERP address when configured. Guest-supplied text is HTML-escaped in the
//! HTML part and stripped of control characters wherever it could reach a header.

use std::borrow::Cow;

use lettre::address::Envelope;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use super::{locale, templates};
use crate::config::Config;
use crate::domain::{Language, MAX_GUEST_NAME_CHARS};
use crate::store::{Claimed, ClaimedVenue};

/// Why a message could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("invalid {what} address '{value}': {source}")]
    Address { what: &'static str, value: String, source: lettre::address::AddressError },
    #[error("invalid envelope: {0}")]
    Envelope(String),
    #[error("cannot build the email: {0}")]
    Build(#[from] lettre::error::Error),
}

/// A composed email, ready for any transport.
#[derive(Debug, Clone)]
pub struct Composed {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
    pub subject: String,
    pub token: String,
}

/// Our header naming the message's tracking token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestmailToken(pub String);

impl Header for GuestmailToken {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Guestmail-Token")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// What every email of one venue shares, parsed once.
#[derive(Debug, Clone)]
pub struct Composer {
    from: Mailbox,
    reply_to: Mailbox,
    sender: Address,
    verp_domain: Option<String>,
    venue: String,
    venue_language: Language,
    phone: String,
    address: String,
    reply_to_text: String,
    tracking_base: String,
}

fn address(what: &'static str, value: &str) -> Result<Address, ComposeError> {
    value.parse().map_err(|source| ComposeError::Address { what, value: value.to_owned(), source })
}

/// Removes what could break out of a header (CR, LF and other control characters) and the
/// surrounding blanks. Borrows when there is nothing to remove (the common case).
pub fn header_safe(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    if trimmed.chars().any(char::is_control) {
        Cow::Owned(trimmed.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// A name as it may go into a header: at most [`MAX_GUEST_NAME_CHARS`] characters (a row
/// from before the cap, or a venue's long name). lettre folds a long display name or subject
/// at its blanks and splits non-ASCII text into short encoded words, but cannot break one
/// long ASCII word: the cap keeps even that well under RFC 5322's 998 bytes a line.
pub fn capped_name(name: Cow<'_, str>) -> Cow<'_, str> {
    match name.char_indices().nth(MAX_GUEST_NAME_CHARS) {
        Some((at, _)) => Cow::Owned(name[..at].trim_end().to_owned()),
        None => name,
    }
}

impl Composer {
    pub fn new(config: &Config) -> Result<Self, ComposeError> {
        let sender = address("sender", &config.sender)?;
        let venue = capped_name(header_safe(&config.venue_name)).into_owned();
        let verp_domain =
            config.verp.then(|| config.bounce_domain.clone().unwrap_or_else(|| config.sender_domain().to_owned()));
        Ok(Composer {
            from: Mailbox::new(Some(venue.clone()), sender.clone()),
            reply_to: Mailbox::new(Some(venue.clone()), address("reply_to", &config.reply_to)?),
            sender,
            verp_domain,
            venue,
            venue_language: config.language,
            phone: config.venue_phone.clone(),
            address: config.venue_address.clone(),
            reply_to_text: config.reply_to.clone(),
            tracking_base: config.tracking_base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The envelope sender of a message: `bounces+TOKEN@domain` with VERP, else the sender.
    pub fn envelope_sender(&self, token: &str) -> Result<Address, ComposeError> {
        match &self.verp_domain {
            Some(domain) => address("VERP", &format!("bounces+{token}@{domain}")),
            None => Ok(self.sender.clone()),
        }
    }

    /// This composer for the venue an email is sent for (issue 14): its sender, Reply-To,
    /// name, phone and street address; the config's where the venue leaves one empty. The
    /// implicit venue (no sender of its own) is the config's as it is.
    fn for_venue(&self, v: &ClaimedVenue) -> Result<Cow<'_, Composer>, ComposeError> {
        if v.sender.trim().is_empty() {
            return Ok(Cow::Borrowed(self));
        }
        let venue = capped_name(header_safe(&v.name)).into_owned();
        let sender = address("venue sender", &v.sender)?;
        let reply_to_text = if v.reply_to.trim().is_empty() { self.reply_to_text.clone() } else { v.reply_to.clone() };
        let or = |own: &str, config: &str| if own.trim().is_empty() { config.to_owned() } else { own.to_owned() };
        Ok(Cow::Owned(Composer {
            from: Mailbox::new(Some(venue.clone()), sender.clone()),
            reply_to: Mailbox::new(Some(venue.clone()), address("venue reply_to", &reply_to_text)?),
            sender,
            verp_domain: self.verp_domain.clone(),
            venue,
            venue_language: self.venue_language,
            phone: or(&v.phone, &self.phone),
            address: or(&v.address, &self.address),
            reply_to_text,
            tracking_base: self.tracking_base.clone(),
        }))
    }

    /// Builds the email for one claimed message.
    pub fn compose(&self, m: &Claimed) -> Result<Composed, ComposeError> {
        self.for_venue(&m.venue)?.compose_as_is(m)
    }

    fn compose_as_is(&self, m: &Claimed) -> Result<Composed, ComposeError> {
        let lang = m.language.unwrap_or(self.venue_language);
        let guest = capped_name(header_safe(&m.guest_name));
        let when = m.starts_at.map(|at| locale::date_time(at, lang)).unwrap_or_default();
        let party = m.party_size.map(|n| locale::party(n, lang)).unwrap_or_default();
        let pixel = format!("{}/o/{}.gif", self.tracking_base, m.token);
        let mut vars = templates::Vars {
            venue: &self.venue,
            guest: &guest,
            when: &when,
            party: &party,
            phone: &self.phone,
            address: &self.address,
            reply_to: &self.reply_to_text,
            lang: lang.as_str(),
            pixel: &pixel,
            ..templates::Vars::default()
        };
        let t = templates::kind(m.kind, lang);
        let l = templates::language(lang);
        let mut raw = String::with_capacity(96);
        t.subject.render_text(&vars, &mut raw);
        let clean = matches!(header_safe(&raw), Cow::Borrowed(s) if s.len() == raw.len());
        let subject = if clean { raw } else { header_safe(&raw).into_owned() };
        vars.subject = &subject;

        let mut text = String::with_capacity(1024);
        t.text.render_text(&vars, &mut text);
        text.push_str("\n-- \n");
        l.footer_text.render_text(&vars, &mut text);
        let mut content = String::with_capacity(1024);
        t.html.render_html(&vars, &mut content);
        let mut footer = String::with_capacity(512);
        l.footer_html.render_html(&vars, &mut footer);
        vars.content = &content;
        vars.footer = &footer;
        let mut html = String::with_capacity(2048);
        templates::layout().render_html(&vars, &mut html);

        let to = address("recipient", &m.recipient)?;
        let envelope = Envelope::new(Some(self.envelope_sender(&m.token)?), vec![to.clone()])
            .map_err(|e| ComposeError::Envelope(e.to_string()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .reply_to(self.reply_to.clone())
            .to(Mailbox::new((!guest.is_empty()).then(|| guest.into_owned()), to))
            .subject(subject.clone())
            .message_id(Some(m.message_id.clone()))
            .header(GuestmailToken(m.token.clone()))
            .envelope(envelope.clone())
            .multipart(MultiPart::alternative_plain_html(text, html))?;
        Ok(Composed { envelope, bytes: message.formatted(), subject, token: m.token.clone() })
    }
}
