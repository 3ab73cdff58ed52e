//! The rules against real User-Agent strings and addresses of the services they name.

use std::net::IpAddr;

use super::*;

fn verdict(ua: Option<&str>, ip: &str, seconds_after_send: Option<i64>) -> OpenVerdict {
    let ip: IpAddr = ip.parse().expect("test address");
    classify(&OpenFacts { user_agent: ua, ip: Some(ip), seconds_after_send })
}

/// A residential address in no proxy range.
const HOME: &str = "81.246.12.7";
/// An hour after sending: no timing rule applies.
const LATER: Option<i64> = Some(3600);

fn assert_machine(ua: Option<&str>, ip: &str, reason: &str) {
    let v = verdict(ua, ip, LATER);
    assert!(v.machine, "{ua:?} from {ip} should be a machine open, got {v:?}");
    assert_eq!(v.reason, reason, "{ua:?} from {ip}");
}

fn assert_human(ua: &str, ip: &str) {
    let v = verdict(Some(ua), ip, LATER);
    assert!(!v.machine, "{ua:?} from {ip} should be a person, got {v:?}");
    assert_eq!(v.reason, HUMAN_REASON);
}

#[test]
fn gmail_image_proxy_is_a_machine() {
    let ua = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
    assert_machine(Some(ua), "66.102.8.55", GOOGLE);
    assert_machine(Some(ua), HOME, GOOGLE);
    // Google's proxy range alone is enough, whatever the agent says.
    assert_machine(Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), "66.249.84.12", GOOGLE);
}

#[test]
fn apple_mail_privacy_protection_is_a_machine() {
    // MPP's bare agent, and Apple Mail's WebKit agent fetched from Apple's network.
    assert_machine(Some("Mozilla/5.0"), "17.58.63.10", APPLE_MPP);
    assert_machine(Some("Mozilla/5.0"), HOME, APPLE_MPP);
    let webkit = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
    assert_machine(Some(webkit), "17.241.219.3", APPLE_MPP);
    assert_machine(Some(webkit), "::ffff:17.241.219.3", APPLE_MPP);
    // The same agent from a home connection is Apple Mail showing images to its reader.
    assert_human(webkit, HOME);
}

#[test]
fn yahoo_and_outlook_proxies_are_machines() {
    let yahoo = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";
    assert_machine(Some(yahoo), "98.137.27.103", "Yahoo Mail proxy");
    let preview = "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b";
    assert_machine(Some(preview), HOME, "Outlook.com link preview");
    // Outlook.com's link checker presents an old Internet Explorer from Microsoft's range.
    let ie = "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)";
    assert_machine(Some(ie), "132.245.26.156", MICROSOFT);
    assert_machine(Some(ie), "40.107.22.90", MICROSOFT);
}

#[test]
fn gateways_tools_and_missing_agents_are_machines() {
    assert_machine(Some("Barracuda Sentinel (EE)"), HOME, GATEWAY);
    assert_machine(Some("Mozilla/5.0 (compatible; Mimecast-URL-Protect)"), HOME, GATEWAY);
    assert_machine(Some("curl/8.5.0"), HOME, TOOL);
    assert_machine(Some("python-requests/2.31.0"), HOME, TOOL);
    assert_machine(Some("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), HOME, TOOL);
    assert_machine(None, HOME, "no User-Agent");
    assert_machine(Some("   "), HOME, "no User-Agent");
}

#[test]
fn people_reading_in_browsers_and_mail_clients_are_human() {
    assert_human("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", HOME);
    assert_human(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        HOME,
    );
    assert_human(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "2a02:a03f:6a8e:1d00::12",
    );
    assert_human("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1", HOME);
    // Outlook for Windows loading images as its reader opens the email.
    assert_human("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)", HOME);
    assert_human("Mozilla/4.0 (compatible; ms-office; MSOffice 16)", HOME);
}

#[test]
fn a_fetch_right_after_sending_is_a_prefetch() {
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let v = verdict(Some(firefox), HOME, Some(2));
    assert!(v.machine && v.reason.contains("prefetch"), "{v:?}");
    assert!(!verdict(Some(firefox), HOME, Some(PREFETCH_SECONDS)).machine);
    assert!(!verdict(Some(firefox), HOME, None).machine, "a message never sent has no delay to judge");
}

#[test]
fn networks_match_on_their_prefix_only() {
    let net = Net::v4([66, 249, 64, 0], 19);
    assert!(net.contains("66.249.95.255".parse().expect("ip")));
    assert!(!net.contains("66.249.96.0".parse().expect("ip")));
    assert!(!net.contains("2001:db8::1".parse().expect("ip")));
    assert!(Net::v4([0, 0, 0, 0], 0).contains("203.0.113.9".parse().expect("ip")));
}

#[test]
fn an_extended_table_is_used_as_given() {
    let rules = [rule(Test::Agent("mailscanner-x"), "in-house scanner")];
    let v =
        classify_with(&rules, &OpenFacts { user_agent: Some("MailScanner-X/2"), ip: None, seconds_after_send: None });
    assert_eq!(v, OpenVerdict { machine: true, reason: Cow::Borrowed("in-house scanner") });
}
