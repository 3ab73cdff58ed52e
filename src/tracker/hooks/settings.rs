//! The hooks' settings from the config, checked at start with an error that names the key.
//! Secrets (Postmark's password, Mailgun's signing key) come from an environment variable or
//! an owner-only file, as the SMTP and IMAP passwords do, and never show in `Debug` or logs.

use crate::config::Config;

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: String) -> Self {
        Secret(text)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Amazon SES through SNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesHook {
    /// The SNS topics taken (their ARNs): SNS signs every topic's messages with the same
    /// certificates, so the topic is what says a message is ours.
    pub topics: Vec<String>,
    /// Signing-certificate (and subscription) URL prefixes allowed besides SNS's own
    /// `https://sns.<region>.amazonaws.com/`: loopback only, for tests.
    pub extra_url_prefixes: Vec<String>,
}

/// Postmark's webhook basic authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    pub user: String,
    pub password: Secret,
}

/// Every hook, `None` when off (its path answers 404).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookSettings {
    pub ses: Option<SesHook>,
    pub postmark: Option<BasicAuth>,
    /// Mailgun's HTTP webhook signing key.
    pub mailgun: Option<Secret>,
    /// SendGrid's verification key: the P-256 public point.
    pub sendgrid: Option<Vec<u8>>,
    /// The config's `block_after`.
    pub block_after: u32,
}

impl HookSettings {
    /// Reads the hook keys of `config`, secrets included. An error names the key.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let ses = if config.hook_ses_topics.is_empty() {
            None
        } else {
            for topic in &config.hook_ses_topics {
                if !is_sns_topic_arn(topic) {
                    return Err(format!(
                        "hook_ses_topics: {topic:?} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)"
                    ));
                }
            }
            for prefix in &config.hook_ses_cert_url_prefixes {
                super::sns::check_test_prefix(prefix).map_err(|e| format!("hook_ses_cert_url_prefixes: {e}"))?;
            }
            Some(SesHook {
                topics: config.hook_ses_topics.clone(),
                extra_url_prefixes: config.hook_ses_cert_url_prefixes.clone(),
            })
        };
        let postmark = match &config.hook_postmark_user {
            None => None,
            Some(user) if user.is_empty() || user.contains(':') => {
                return Err("hook_postmark_user: must be a non-empty name without ':'".into());
            }
            Some(user) => Some(BasicAuth {
                user: user.clone(),
                password: secret(
                    "hook_postmark_password",
                    config.hook_postmark_password_env.as_deref(),
                    config.hook_postmark_password_file.as_deref(),
                )?
                .ok_or("hook_postmark_user: set hook_postmark_password_env or hook_postmark_password_file")?,
            }),
        };
        let mailgun = secret(
            "hook_mailgun_key",
            config.hook_mailgun_key_env.as_deref(),
            config.hook_mailgun_key_file.as_deref(),
        )?;
        let sendgrid = match &config.hook_sendgrid_public_key {
            None => None,
            Some(key) => Some(super::verify::sendgrid_key(key).map_err(|e| format!("hook_sendgrid_public_key: {e}"))?),
        };
        Ok(HookSettings { ses, postmark, mailgun, sendgrid, block_after: config.block_after })
    }

    pub fn enabled(&self, provider: super::Provider) -> bool {
        match provider {
            super::Provider::Ses => self.ses.is_some(),
            super::Provider::Postmark => self.postmark.is_some(),
            super::Provider::Mailgun => self.mailgun.is_some(),
            super::Provider::SendGrid => self.sendgrid.is_some(),
        }
    }

    pub fn any(&self) -> bool {
        ALL.iter().any(|p| self.enabled(*p))
    }

    /// The enabled hooks' names, for the log.
    pub fn enabled_names(&self) -> String {
        ALL.iter().filter(|p| self.enabled(**p)).map(|p| p.name()).collect::<Vec<_>>().join(", ")
    }
}

const ALL: [super::Provider; 4] =
    [super::Provider::Ses, super::Provider::Postmark, super::Provider::Mailgun, super::Provider::SendGrid];

/// A secret from `<key>_env` (an environment variable's name) or `<key>_file` (an
/// owner-only file); `None` when neither is set.
fn secret(key: &str, env: Option<&str>, file: Option<&std::path::Path>) -> Result<Option<Secret>, String> {
    match (env, file) {
        (Some(var), _) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(Secret(v))),
            _ => Err(format!("{key}_env: the environment variable {var} is not set")),
        },
        (None, Some(path)) => crate::mail::transport::read_password_file(path)
            .map(|v| Some(Secret(v)))
            .map_err(|e| format!("{key}_file: {e}")),
        (None, None) => Ok(None),
    }
}

/// `arn:aws:sns:eu-west-1:123456789012:guestmail-bounces` (also the `aws-cn` and
/// `aws-us-gov` partitions): a topic a signed message can name, so a typo is said at start
/// rather than every event refused with 403.
fn is_sns_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let name_ok = |n: &str| {
        !n.is_empty() && n.len() <= 256 && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    matches!(
        parts.as_slice(),
        ["arn", "aws" | "aws-cn" | "aws-us-gov", "sns", region, account, name]
            if !region.is_empty()
                && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !account.is_empty()
                && account.chars().all(|c| c.is_ascii_digit())
                && name_ok(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sns_topic_arns_are_taken() {
        for ok in ["arn:aws:sns:eu-west-1:1:t", "arn:aws:sns:us-east-1:123456789012:guestmail-bounces.fifo"] {
            assert!(is_sns_topic_arn(ok), "{ok}");
        }
        for bad in [
            "notanarn",
            "arn:aws:sqs:eu-west-1:1:t",
            "arn:aws:sns:eu-west-1::t",
            "arn:aws:sns:eu-west-1:12a:t",
            "arn:aws:sns:eu-west-1:1:",
            "arn:aws:sns:eu-west-1:1:t:extra",
            "arn:aws:sns:EU:1:t",
        ] {
            assert!(!is_sns_topic_arn(bad), "{bad}");
        }
        let config = Config { hook_ses_topics: vec!["notanarn".into()], ..Config::default() };
        let e = HookSettings::from_config(&config).expect_err("a typo");
        assert!(e.starts_with("hook_ses_topics: "), "{e}");
    }

    #[test]
    fn secrets_never_print() {
        let s = HookSettings { mailgun: Some(Secret("key-hunter2".into())), ..HookSettings::default() };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
