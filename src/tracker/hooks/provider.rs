//! Which provider a hook is for, from its path (`/hooks/<name>`). A file of its own so the
//! request parser can name it without importing the hooks' machinery.

/// Which provider a hook is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Ses,
    Postmark,
    Mailgun,
    SendGrid,
}

impl Provider {
    /// From the rest of the path after `/hooks/`.
    pub fn from_path(name: &str) -> Option<Self> {
        match name.trim_end_matches('/') {
            "ses" => Some(Provider::Ses),
            "postmark" => Some(Provider::Postmark),
            "mailgun" => Some(Provider::Mailgun),
            "sendgrid" => Some(Provider::SendGrid),
            _ => None,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Provider::Ses => "ses",
            Provider::Postmark => "postmark",
            Provider::Mailgun => "mailgun",
            Provider::SendGrid => "sendgrid",
        }
    }
}
