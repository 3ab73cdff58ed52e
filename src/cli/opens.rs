//! `guestmail opens classify --ua UA [--ip IP] [--after SECONDS]`: the verdict on one pixel
//! fetch, as JSON, for checking a hit by hand against the rule table and the venue's ranges.

use std::io::Write as _;
use std::net::IpAddr;
use std::process::ExitCode;

use super::Context;
use crate::store::OpenFacts;
use crate::tracker::{self, classify};

#[derive(Debug, clap::Subcommand)]
pub enum OpensCommand {
    /// Say who fetched the pixel: a person, a person through their provider's proxy, or a
    /// machine, and the rule that decided.
    Classify(ClassifyArgs),
}

#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    /// The User-Agent of the fetch (leave out for none).
    #[arg(long, value_name = "UA")]
    pub ua: Option<String>,
    /// The client address.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,
    /// Seconds between the email's sending and the fetch.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub after: Option<i64>,
}

pub fn run(ctx: &Context, cmd: &OpensCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        OpensCommand::Classify(args) => {
            let ranges = tracker::load_ranges(ctx.config.ranges_dir.as_deref())?;
            let facts = OpenFacts { user_agent: args.ua.as_deref(), ip: args.ip, seconds_after_send: args.after };
            let v = classify::classify(&ranges, &facts);
            let line = serde_json::json!({
                "kind": v.kind.as_str(),
                "counts_as_person": v.kind.is_person(),
                "rule": v.rule,
                "reason": v.reason,
                "via": v.via,
            });
            writeln!(std::io::stdout(), "{line}")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
