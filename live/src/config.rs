//! The campaign file, `campaign.ron`: which Connect instance to dial through, whom to call, how
//! fast (a [`StrategySpec`], as in scenario files), under which compliance rules and quotas, and
//! where the campaign store lives. `live/README.md` documents every field.
//!
//! Every value is checked while the file is parsed, so a mistake is reported with the file, the
//! line and the column of the value, what was expected and how to fix it. Credentials are refused:
//! they come only from the AWS provider chain (environment, profile, SSO, instance role).

use rules::Rules;
use rules::rulebook::{MAX_RING_S, MIN_RING_S};
pub use rules::words::AbandonDefinition;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::{Path, PathBuf};
use strategies::StrategySpec;
use strategies::param::{Positive, Share};

/// The whole campaign file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// A name for this campaign. With the instance id it seeds every ClientToken, so two
    /// campaigns on one instance may call the same customer, and one campaign never twice.
    pub name: Ident,
    /// The Amazon Connect instance id (not its ARN).
    pub instance_id: Ident,
    pub contact_flow_id: Ident,
    pub queue_id: Ident,
    /// The caller id shown to customers, E.164.
    pub source_phone_number: E164,
    /// The AWS Region of the instance, e.g. `us-east-1`.
    pub region: Region,
    /// Another endpoint for the Connect API (the local stand-in), e.g. `http://127.0.0.1:8080`.
    #[serde(default)]
    pub endpoint_url: Option<EndpointUrl>,
    /// Where Connect's contact events arrive (an EventBridge rule's SQS queue): outcomes are
    /// learnt from them, DescribeContact only for calls whose events are overdue. Without,
    /// every call in flight is polled with DescribeContact.
    #[serde(default)]
    pub contact_events: Option<ContactEvents>,
    /// The contact list: a CSV file relative to the campaign file, or the sample's DynamoDB
    /// table.
    pub contacts: ContactSource,
    /// The pacing strategy, in the same form as in scenario files.
    pub strategy: StrategySpec,
    /// Who may be called when: the same rules, in the same syntax, as a scenario's `rules`.
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub compliance: Compliance,
    #[serde(default)]
    pub quotas: Quotas,
    /// The campaign store (SQLite), relative to the campaign file.
    pub store: PathBuf,
}

impl Campaign {
    /// How the regulator counts abandons on this campaign, as the dialer can know it: the
    /// compliance threshold and the declared detector. The strategy, the status and the
    /// kill-switch count with it.
    pub fn counting(&self) -> rules::abandonment::Counting {
        rules::abandonment::Counting {
            threshold_ms: self.compliance.threshold_ms().max(0) as u64,
            amd: self.compliance.amd.map(|a| a.declared()),
            silent_people: self.compliance.silent_people.map_or(0.0, |s| s.get()),
        }
    }
}

/// The SQS queue an EventBridge rule sends the instance's contact events to:
/// `(sqs_queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/dialsim-events")`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactEvents {
    pub sqs_queue_url: QueueUrl,
}

/// Where the customers come from: `"contacts.csv"` or `DynamoDb(table: …, campaign_column: …)`.
#[derive(Clone, Debug, PartialEq)]
pub enum ContactSource {
    Csv(PathBuf),
    DynamoDb(DynamoDbList),
}

const SOURCE_EXPECTED: &str = "a contact list: a CSV file name (\"contacts.csv\") or DynamoDb(table: \"customers\", campaign_column: \"campaign_2018_12\")";

impl<'de> Deserialize<'de> for ContactSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Source;
        impl<'de> serde::de::Visitor<'de> for Source {
            type Value = ContactSource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(SOURCE_EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ContactSource, E> {
                Ok(ContactSource::Csv(PathBuf::from(v)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ContactSource, A::Error> {
                DynamoDbList::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ContactSource::DynamoDb)
            }
        }
        d.deserialize_any(Source)
    }
}

/// The sample's customer table: keyed by `phoneNumber` (E.164), with `name` and one Number
/// column per campaign, `-1` until the customer is reached.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename = "DynamoDb")]
pub struct DynamoDbList {
    pub table: Ident,
    /// The campaign's column: rows at -1 (or missing) are dialed, and `live` writes each
    /// customer's result code back into it.
    pub campaign_column: Ident,
    /// The customers' time zone when a row has no `utc_offset` attribute (the sample's table
    /// has none): a fixed offset (`"+09:00"`) or an IANA name (`"Asia/Tokyo"`, whose offset
    /// follows daylight saving). Also written `time_zone`.
    #[serde(default = "default_table_offset", alias = "time_zone")]
    pub utc_offset: UtcOffset,
}

fn default_table_offset() -> UtcOffset {
    UtcOffset("+00:00".into())
}

/// What live adds to the campaign's [`Rules`]: the do-not-call file, Connect's ring timeout, and
/// the abandonment kill-switch.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    /// A file of numbers never to call: one E.164 number a line, `#` starts a comment.
    #[serde(default)]
    pub do_not_call: Option<PathBuf>,
    /// Seconds a call rings before Connect gives up (RingTimeoutInSeconds), 15 to 60.
    #[serde(default = "default_ring")]
    pub ring_timeout_s: RingTimeout,
    #[serde(default)]
    pub kill_switch: KillSwitch,
    /// Seconds within which a live answer must be bridged to an agent; one bridged later counts
    /// as an abandon in the regulatory rate (2 in the US and UK rules, the scenario's
    /// `queue.compliance_threshold_s`).
    #[serde(default = "default_threshold")]
    pub compliance_threshold_s: Positive,
    /// Answering-machine detection's error rates, as measured on this center's calls, when the
    /// contact flow uses detection: `Some((false_positive: 0.01, false_negative: 0.10))`. The
    /// regulatory rate (status, kill-switch, the strategy's target) counts the people detection
    /// hangs up on from it; a scenario's `amd` block declares the same.
    #[serde(default)]
    pub amd: Option<AmdDeclaration>,
    /// Share of the people who answer that press no key in the flow, as measured on this
    /// center's calls: `Some(0.10)`. Without detection it says how many silent calls were
    /// people; undeclared, only callers who pressed a key count as live answers (the safe side).
    /// A scenario's `ivr.no_input` declares the same.
    #[serde(default)]
    pub silent_people: Option<rules::param::Probability>,
}

/// What the operator declares of answering-machine detection.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmdDeclaration {
    /// Share of people detection takes for machines (and hangs up on).
    pub false_positive: rules::param::Probability,
    /// Share of machines detection takes for people (sent to the flow).
    pub false_negative: rules::param::Probability,
}

impl AmdDeclaration {
    pub fn declared(&self) -> rules::abandonment::DeclaredAmd {
        rules::abandonment::DeclaredAmd {
            false_positive: self.false_positive.get(),
            false_negative: self.false_negative.get(),
        }
    }
}

impl Default for Compliance {
    fn default() -> Self {
        Compliance {
            do_not_call: None,
            ring_timeout_s: default_ring(),
            kill_switch: KillSwitch::default(),
            compliance_threshold_s: default_threshold(),
            amd: None,
            silent_people: None,
        }
    }
}

impl Compliance {
    /// The compliance threshold in milliseconds.
    pub fn threshold_ms(&self) -> i64 {
        (self.compliance_threshold_s.get() * 1_000.0).round() as i64
    }
}

fn default_threshold() -> Positive {
    Positive::new(rules::abandonment::DEFAULT_COMPLIANCE_THRESHOLD_S).expect("positive")
}

fn default_ring() -> RingTimeout {
    RingTimeout(30)
}

/// The abandonment kill-switch: when the rolling abandon rate passes the target, stop dialing
/// ahead of the agents.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillSwitch {
    #[serde(default = "default_target")]
    pub target_abandon: Share,
    /// Which abandon rate is compared with the target.
    #[serde(default)]
    pub definition: AbandonDefinition,
    /// Minutes of finished calls the rate is measured over.
    #[serde(default = "default_window")]
    pub window_min: Positive,
    /// The switch holds until the window has at least this many calls in the denominator.
    #[serde(default = "default_min_calls")]
    pub min_calls: u32,
    #[serde(default)]
    pub action: KillAction,
}

fn default_target() -> Share {
    Share::new(rules::abandonment::DEFAULT_ABANDON_CAP).expect("share")
}
fn default_window() -> Positive {
    Positive::new(60.0).expect("positive")
}
fn default_min_calls() -> u32 {
    30
}

impl Default for KillSwitch {
    fn default() -> Self {
        KillSwitch {
            target_abandon: default_target(),
            definition: AbandonDefinition::default(),
            window_min: default_window(),
            min_calls: default_min_calls(),
            action: KillAction::default(),
        }
    }
}

/// What the kill-switch does when it trips.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum KillAction {
    /// Keep calling, but never more calls than free agents (progressive pacing).
    #[default]
    FallBackToProgressive,
    /// Stop launching calls until the rate is back under the target.
    Pause,
}

/// Client-side rate limits, below Connect's account quotas.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// Each of StartOutboundVoiceContact, DescribeContact, GetContactAttributes and
    /// StopContact (Connect's quotas are per operation; the default is Connect's default, 2/s
    /// burst 5).
    #[serde(default = "default_contact_api")]
    pub contact_api: Bucket,
    /// StartOutboundVoiceContact's own rate, when the account's quota for it was raised above
    /// the other contact operations' (a center dialing more than 7,200 calls an hour needs
    /// that); `None`: `contact_api`.
    #[serde(default)]
    pub start_api: Option<Bucket>,
    /// GetCurrentMetricData.
    #[serde(default = "default_metrics_api")]
    pub metrics_api: Bucket,
    /// GetCurrentUserData (each page of 100 agents is a request), read after each
    /// GetCurrentMetricData by a strategy that forecasts from agents' states.
    #[serde(default = "default_metrics_api")]
    pub user_data_api: Bucket,
    /// Calls of this campaign in flight at once (Connect's default instance quota is 10), 1 to
    /// 1,000,000: 0 would let `run` wait for ever without placing a call.
    #[serde(default = "default_concurrent", deserialize_with = "concurrent_calls")]
    pub max_concurrent_calls: u32,
}

fn default_contact_api() -> Bucket {
    Bucket {
        per_second: Positive::new(2.0).expect("positive"),
        burst: Burst(5),
    }
}
fn default_metrics_api() -> Bucket {
    Bucket {
        per_second: Positive::new(5.0).expect("positive"),
        burst: Burst(8),
    }
}
fn default_concurrent() -> u32 {
    10
}
fn concurrent_calls<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    strategies::param::whole(d, 1, 1_000_000, "concurrent calls").map(|n| n as u32)
}

impl Quotas {
    /// StartOutboundVoiceContact's rate.
    pub fn start(&self) -> &Bucket {
        self.start_api.as_ref().unwrap_or(&self.contact_api)
    }
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            contact_api: default_contact_api(),
            start_api: None,
            metrics_api: default_metrics_api(),
            user_data_api: default_metrics_api(),
            max_concurrent_calls: default_concurrent(),
        }
    }
}

/// A token bucket: `(per_second: 2.0, burst: 5)`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub per_second: Positive,
    pub burst: Burst,
}

rules::checked!(
    /// An E.164 phone number: `+`, country code and number, digits only.
    E164(String),
    |v| if rules::contact::is_e164(v) {
        Ok(())
    } else {
        Err(format!(
            "{v:?} is not an E.164 number: write + country code and number, digits only (e.g. \"+14155550100\")"
        ))
    }
);
rules::checked!(
    /// A Connect resource id or a campaign name: 1 to 100 letters, digits, `-`, `_`, `.`, `:`, `/`.
    Ident(String),
    |v| if !v.is_empty()
        && v.len() <= 100
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c))
    {
        Ok(())
    } else {
        Err(format!(
            "{v:?} is not an id: use 1 to 100 letters, digits, '-', '_', '.', ':' or '/' (copy it from the Connect console)"
        ))
    }
);
rules::checked!(
    /// An AWS Region name such as `us-east-1`.
    Region(String),
    |v| {
        let parts: Vec<&str> = v.split('-').collect();
        if parts.len() >= 3
            && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
            && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
        {
            Ok(())
        } else {
            Err(format!("{v:?} is not an AWS Region: write it like \"us-east-1\" or \"eu-central-1\""))
        }
    }
);
rules::checked!(
    /// An `http://` or `https://` URL.
    EndpointUrl(String),
    |v| {
        let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(()),
            _ => Err(format!(
                "{v:?} is not an endpoint URL: write it like \"http://127.0.0.1:8080\", or leave `endpoint_url` out to use AWS"
            )),
        }
    }
);
rules::checked!(
    /// Ring timeout in seconds: at least the rules' minimum ring (15 s), at most 60 (Connect's
    /// limit).
    RingTimeout(u32),
    |v| if (MIN_RING_S..=MAX_RING_S).contains(v) {
        Ok(())
    } else {
        Err(format!(
            "ring timeout {v} s is out of range: a call must ring at least 15 s (regulations) and Connect allows at most 60 s"
        ))
    }
);
rules::checked!(
    /// A time zone: an offset from UTC (`-05:00`, `+0530`, `UTC`) or an IANA name
    /// (`America/New_York`).
    UtcOffset(String),
    |v| if rules::zone::Zone::parse(v).is_some() {
        Ok(())
    } else {
        Err(format!("{v:?} is not a time zone: write an offset from UTC like \"+09:00\", \"-05:00\" or \"UTC\", or an IANA name like \"Asia/Tokyo\" (not an abbreviation such as JST)"))
    }
);
rules::checked!(
    /// An SQS queue URL.
    QueueUrl(String),
    |v| {
        let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
        match rest {
            Some(rest) if rest.contains('/') && !rest.contains(char::is_whitespace) => Ok(()),
            _ => Err(format!(
                "{v:?} is not an SQS queue URL: write it as `aws sqs get-queue-url` prints it, like \"https://sqs.us-east-1.amazonaws.com/123456789012/dialsim-events\""
            )),
        }
    }
);
rules::checked!(
    /// A token bucket's burst: 1 to 1,000,000.
    Burst(u32),
    |v| if (1..=1_000_000).contains(v) { Ok(()) } else { Err(format!("burst {v} is out of range: give 1 to 1000000")) }
);

impl Copy for RingTimeout {}
impl Copy for Burst {}

/// Why a campaign file was refused. Each is the user's to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read campaign file {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Something at a line and column is wrong; the message says what and how to fix it.
    #[error("{}:{line}:{column}: {message}", path.display())]
    At {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// Something at a line and column looks like a credential (looked for before the file is
    /// parsed, comments included).
    #[error("{}:{line}:{column}: {found}: {CREDENTIALS_FIX}", path.display())]
    Credential {
        path: PathBuf,
        line: usize,
        column: usize,
        found: Credential,
    },
    /// The file parses, but what it asks cannot be done (a field names the fix).
    #[error("{}: {field}: {why}", path.display())]
    Impossible {
        path: PathBuf,
        field: &'static str,
        why: String,
    },
}

impl ConfigError {
    /// The line the error points at, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::At { line, .. } | ConfigError::Credential { line, .. } => Some(*line),
            ConfigError::Read { .. } | ConfigError::Impossible { .. } => None,
        }
    }
}

/// What in a campaign file looks like a credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Credential {
    #[error("this looks like an AWS access key id")]
    KeyId,
    #[error("field `{name}` looks like a credential")]
    SecretField { name: String },
}

const CREDENTIALS_FIX: &str = "credentials never go in the campaign file: remove it, and give `live` its credentials through the AWS provider chain (AWS_PROFILE, environment variables, SSO or an instance role)";

/// Names that hold secrets, and the prefixes of AWS access key ids.
fn looks_secret_name(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    [
        "secret",
        "access_key",
        "accesskey",
        "session_token",
        "sessiontoken",
        "password",
        "credential",
    ]
    .iter()
    .any(|s| w.contains(s))
}

fn is_key_id(chars: &[char]) -> bool {
    chars.len() >= 20
        && matches!(chars[..4], ['A', 'K', 'I', 'A'] | ['A', 'S', 'I', 'A'])
        && chars[4..20]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Scans the text for anything that looks like a credential: a word that looks like an AWS access
/// key id (`AKIA…`, `ASIA…`, anywhere, comments included), or a field named like a secret.
/// Returns the line, the column and what the first is.
fn find_credentials(text: &str) -> Option<(usize, usize, Credential)> {
    for (i, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut col = 0;
        while col < chars.len() {
            if !chars[col].is_ascii_alphanumeric() && chars[col] != '_' {
                col += 1;
                continue;
            }
            let start = col;
            while col < chars.len() && (chars[col].is_ascii_alphanumeric() || chars[col] == '_') {
                col += 1;
            }
            let word = &chars[start..col];
            let at_word_start = start == 0 || !chars[start - 1].is_ascii_alphanumeric();
            if at_word_start && is_key_id(word) {
                return Some((i + 1, start + 1, Credential::KeyId));
            }
            let name: String = word.iter().collect();
            let is_field = chars[col..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| *c == ':');
            if is_field && looks_secret_name(&name) {
                return Some((i + 1, start + 1, Credential::SecretField { name }));
            }
        }
    }
    None
}

/// Adds what to do to ron's terse messages.
fn explain(message: String) -> String {
    if message.contains("Unexpected field named") || message.contains("unknown field") {
        return format!("{message}: check the spelling against live/README.md");
    }
    if message.contains("Unexpected variant named") || message.contains("unknown variant") {
        return format!(
            "{message}: see live/README.md (strategies: scenarios/README.md) for the accepted names"
        );
    }
    if message.contains("Expected option") {
        return format!("{message}: write Some(value) or None");
    }
    if message.contains("Unexpected missing field") || message.contains("missing field") {
        return format!("{message}: add it (live/README.md documents every field)");
    }
    message
}

/// Parses campaign text; `path` is used in messages only.
pub fn parse(text: &str, path: &Path) -> Result<Campaign, ConfigError> {
    if let Some((line, column, found)) = find_credentials(text) {
        return Err(ConfigError::Credential {
            path: path.to_path_buf(),
            line,
            column,
            found,
        });
    }
    let campaign = ron::Options::default()
        .from_str::<Campaign>(text)
        .map_err(|e| ConfigError::At {
            path: path.to_path_buf(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: explain(e.code.to_string()),
        })?;
    let impossible = |field, why| ConfigError::Impossible {
        path: path.to_path_buf(),
        field,
        why,
    };
    if let Some(why) = campaign.compliance.amd.and_then(|a| a.declared().problem()) {
        return Err(impossible("compliance.amd", why));
    }
    let counting = campaign.counting();
    if let Some(why) = campaign.strategy.unreachable_target(&counting) {
        return Err(impossible("strategy", why));
    }
    if let Some(why) = counting.unreachable(campaign.compliance.kill_switch.target_abandon.get())
        && campaign.compliance.kill_switch.definition == AbandonDefinition::Regulatory
    {
        return Err(impossible("compliance.kill_switch.target_abandon", why));
    }
    Ok(campaign)
}

/// A campaign file read from disk, with its paths resolved next to it.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub campaign: Campaign,
}

impl Loaded {
    fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.path.parent().unwrap_or(Path::new(".")).join(p)
        }
    }
    /// The CSV contact list, when the campaign reads one.
    pub fn contacts_path(&self) -> Option<PathBuf> {
        match &self.campaign.contacts {
            ContactSource::Csv(p) => Some(self.resolve(p)),
            ContactSource::DynamoDb(_) => None,
        }
    }
    pub fn store_path(&self) -> PathBuf {
        self.resolve(&self.campaign.store)
    }
    pub fn do_not_call_path(&self) -> Option<PathBuf> {
        self.campaign
            .compliance
            .do_not_call
            .as_deref()
            .map(|p| self.resolve(p))
    }
}

/// Reads and parses the campaign file at `path`.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let text = user_files::read_to_string(path, user_files::MAX_RON_BYTES).map_err(|error| {
        ConfigError::Read {
            path: path.to_path_buf(),
            error,
        }
    })?;
    let campaign = parse(&text, path)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        campaign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"Campaign(
    name: "spring-renewals",
    instance_id: "11111111-2222-3333-4444-555555555555",
    contact_flow_id: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    queue_id: "99999999-8888-7777-6666-555555555555",
    source_phone_number: "+14155550100",
    region: "us-east-1",
    contacts: "contacts.csv",
    strategy: Predictive(target_abandon: 0.02),
    store: "campaign.sqlite",
)"#;

    fn err(text: &str) -> (usize, usize, String) {
        match parse(text, Path::new("c.ron")).unwrap_err() {
            ConfigError::At {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn minimal_file_takes_the_defaults() {
        let c = parse(GOOD, Path::new("c.ron")).unwrap();
        assert_eq!(c.rules.calling_window.from_min, 480);
        assert_eq!(c.rules.calling_window.to_min, 1260);
        assert_eq!(*c.compliance.ring_timeout_s.get(), 30);
        assert_eq!(*c.rules.abandon_quiet_h.get(), 72);
        assert_eq!(c.quotas.contact_api.per_second.get(), 2.0);
        assert_eq!(*c.quotas.contact_api.burst.get(), 5);
        assert_eq!(c.quotas.metrics_api.per_second.get(), 5.0);
        assert_eq!(*c.quotas.metrics_api.burst.get(), 8);
        assert_eq!(
            c.compliance.kill_switch.action,
            KillAction::FallBackToProgressive
        );
        assert!(c.endpoint_url.is_none());
    }

    #[test]
    fn contacts_from_a_csv_file_or_the_samples_dynamodb_table() {
        let c = parse(GOOD, Path::new("c.ron")).unwrap();
        assert_eq!(c.contacts, ContactSource::Csv("contacts.csv".into()));
        let text = GOOD.replace(
            "contacts: \"contacts.csv\",",
            "contacts: DynamoDb(table: \"customers\", campaign_column: \"campaign_2018_12\", utc_offset: \"+09:00\"),",
        );
        let ContactSource::DynamoDb(d) = parse(&text, Path::new("c.ron")).unwrap().contacts else {
            panic!("not a table");
        };
        assert_eq!(d.table.get(), "customers");
        assert_eq!(d.campaign_column.get(), "campaign_2018_12");
        assert_eq!(d.utc_offset.get(), "+09:00");
        let (line, _, msg) = err(&GOOD.replace("contacts: \"contacts.csv\",", "contacts: 42,"));
        assert_eq!(line, 8, "{msg}");
        assert!(msg.contains("DynamoDb(table:"), "{msg}");
        let bad_offset = text.replace("\"+09:00\"", "\"Tokyo\"");
        assert!(err(&bad_offset).2.contains("is not a time zone"));
        let named = text.replace("\"+09:00\"", "\"Asia/Tokyo\"");
        let ContactSource::DynamoDb(d) = parse(&named, Path::new("c.ron")).unwrap().contacts else {
            panic!("not a table");
        };
        assert_eq!(d.utc_offset.get(), "Asia/Tokyo");
        let aliased = named.replace("utc_offset:", "time_zone:");
        assert!(
            parse(&aliased, Path::new("c.ron")).is_ok(),
            "time_zone is utc_offset's other name"
        );
        let unknown = text.replace("utc_offset:", "utc_ofset:");
        assert!(err(&unknown).2.contains("utc_ofset"));
    }

    #[test]
    fn unknown_field_is_reported_where_it_is() {
        let text = GOOD.replace("    region:", "    regoin:");
        let (line, col, msg) = err(&text);
        assert_eq!((line, col), (7, 5), "{msg}");
        assert!(
            msg.contains("regoin") && msg.contains("live/README.md"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_field_inside_an_enum_variant_is_reported() {
        let text = GOOD.replace("target_abandon: 0.02", "target_abandn: 0.02");
        let (line, _, msg) = err(&text);
        assert_eq!(line, 9, "{msg}");
        assert!(msg.contains("target_abandn"), "{msg}");
    }

    #[test]
    fn bad_source_number_is_reported_at_its_value() {
        let text = GOOD.replace("\"+14155550100\"", "\"4155550100\"");
        let (line, col, msg) = err(&text);
        // The column points into the value.
        assert_eq!((line, col), (6, 27), "{msg}");
        assert!(
            msg.contains("E.164") && msg.contains("+14155550100"),
            "{msg}"
        );
    }

    #[test]
    fn ring_timeout_below_15_is_refused() {
        let text = GOOD.replace(
            "    store:",
            "    compliance: (ring_timeout_s: 10),\n    store:",
        );
        let (line, _, msg) = err(&text);
        assert_eq!(line, 10, "{msg}");
        assert!(msg.contains("at least 15"), "{msg}");
        let ok = GOOD.replace(
            "    store:",
            "    compliance: (ring_timeout_s: 15),\n    store:",
        );
        assert!(parse(&ok, Path::new("c.ron")).is_ok());
    }

    fn credential(text: &str) -> (usize, usize, Credential) {
        match parse(text, Path::new("c.ron")).unwrap_err() {
            ConfigError::Credential {
                line,
                column,
                found,
                ..
            } => (line, column, found),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn credentials_are_refused() {
        let key = GOOD.replace("    store:", "    // AKIAIOSFODNN7EXAMPLE\n    store:");
        assert_eq!(credential(&key), (10, 8, Credential::KeyId));
        let msg = parse(&key, Path::new("c.ron")).unwrap_err().to_string();
        assert!(
            msg.starts_with("c.ron:10:8: this looks like an AWS access key id: ")
                && msg.contains("provider chain"),
            "{msg}"
        );
        let key = GOOD.replace("\"spring-renewals\"", "\"ASIAIOSFODNN7EXAMPLE\"");
        assert_eq!(credential(&key).0, 2);
        let field = GOOD.replace(
            "    store:",
            "    aws_secret_access_key: \"wJalrXUtnFEMI\",\n    store:",
        );
        assert_eq!(
            credential(&field),
            (
                10,
                5,
                Credential::SecretField {
                    name: "aws_secret_access_key".into()
                }
            )
        );
        let token = GOOD.replace("    store:", "    session_token: \"x\",\n    store:");
        assert!(matches!(
            credential(&token).2,
            Credential::SecretField { name } if name == "session_token"
        ));
        // A word that merely starts with the prefix is not a key.
        let harmless = GOOD.replace("\"spring-renewals\"", "\"AKIA-renewals\"");
        assert!(parse(&harmless, Path::new("c.ron")).is_ok());
    }

    #[test]
    fn calling_window_and_kill_switch() {
        let text = GOOD.replace(
            "    store:",
            "    rules: (calling_window: (from: \"09:30\", to: \"20:00\")),\n    compliance: (kill_switch: (target_abandon: 0.02, action: Pause)),\n    store:",
        );
        let c = parse(&text, Path::new("c.ron")).unwrap();
        assert_eq!(c.rules.calling_window.from_min, 570);
        assert_eq!(c.compliance.kill_switch.action, KillAction::Pause);
        let bad = GOOD.replace(
            "    store:",
            "    rules: (calling_window: (from: \"21:00\", to: \"08:00\")),\n    store:",
        );
        assert!(err(&bad).2.contains("crosses midnight"));
        let bad = GOOD.replace(
            "    store:",
            "    compliance: (kill_switch: (action: Stop)),\n    store:",
        );
        assert_eq!(err(&bad).0, 10);
        let short = GOOD.replace(
            "    store:",
            "    rules: (abandon_quiet_h: 24),\n    store:",
        );
        assert!(err(&short).2.contains("72 hours"));
    }

    #[test]
    fn missing_field_says_to_add_it() {
        let text = GOOD.replace(
            "    queue_id: \"99999999-8888-7777-6666-555555555555\",\n",
            "",
        );
        let (_, _, msg) = err(&text);
        assert!(msg.contains("queue_id") && msg.contains("add it"), "{msg}");
    }
}
