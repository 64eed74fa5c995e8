//! The scenario file: everything about a campaign that the strategies must *not* see — who
//! answers, what they press, how long everything takes — plus the strategies to compare.
//!
//! The format is RON; every field is documented in `scenarios/README.md`. Values are checked while
//! the file is parsed, so every error names the line and column it comes from.

use crate::dist::Distribution;
use rules::rulebook::RingTimeoutSeconds;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use strategies::StrategySpec;
use strategies::param::{
    CampaignHours, CampaignHoursFromZero, IntervalMinutes, NonNegative, Positive, PositiveSeconds,
    Probability, Seconds, Share, whole, whole_opt,
};

/// The most replications a run takes: each is kept in memory until the summary (see
/// the experiments' memory estimate).
pub const MAX_REPLICATIONS: u32 = 100_000;
/// The longest list a `Generated` list makes, and a CSV list holds.
pub const MAX_CUSTOMERS: u32 = 10_000_000;
/// The most agents a campaign staffs (over all shifts).
pub const MAX_AGENTS: u32 = 20_000;
/// The highest burst and concurrent-call quota (Connect's defaults are 5 and 10).
pub const MAX_QUOTA: u32 = 1_000_000;

/// A whole number for a `u32` field, in `min..=max`.
fn count<'de, D: serde::Deserializer<'de>>(
    d: D,
    min: u32,
    max: u32,
    what: &str,
) -> Result<u32, D::Error> {
    whole(d, i64::from(min), i64::from(max), what).map(|n| n as u32)
}

fn seed_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    strategies::param::whole_u64(d, "seed")
}
fn replications_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    count(d, 0, MAX_REPLICATIONS, "replications")
}
fn customers_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    count(d, 0, MAX_CUSTOMERS, "customers")
}
fn agents_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    count(d, 0, MAX_AGENTS, "agents")
}
fn team_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    count(d, 1, MAX_AGENTS, "agents")
}
fn burst_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    count(
        d,
        1,
        MAX_QUOTA,
        "requests (a burst of 0 would refuse every dial)",
    )
}
fn concurrent_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    whole_opt(
        d,
        1,
        i64::from(MAX_QUOTA),
        "concurrent calls (0 would refuse every dial; None switches the limit off)",
    )
    .map(|n| n.map(|n| n as u32))
}

/// Probabilities in one table must sum to 1 within this tolerance.
pub const SUM_TOLERANCE: f64 = 1e-9;

/// Where scenario text is not a valid scenario, and why (the message says how to fix it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses scenario text. A UTF-8 byte-order mark at the start is skipped.
pub fn parse(text: &str) -> Result<Scenario, SyntaxError> {
    // Editors on some systems start UTF-8 files with a byte-order mark; it is not RON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ron::Options::default()
        .from_str::<Scenario>(text)
        .map_err(|e| SyntaxError {
            line: e.span.start.line,
            column: e.span.start.col,
            message: explain(e.code.to_string()),
        })
}

/// Hints for ron's terse messages.
fn explain(message: String) -> String {
    if message.contains("Unexpected variant named") || message.contains("unknown variant") {
        if message.contains("AgentsAvailable") || message.contains("OpenLoop") {
            return format!("{message}: unknown strategy; see scenarios/README.md for the list");
        }
        return format!("{message}: see scenarios/README.md for the accepted names");
    }
    if message.contains("struct `Measure`") {
        return format!(
            "{message}: write measure as a structure, without Some: measure: (from_h: 1.0, to_h: 7.0); leave it out to measure the whole campaign"
        );
    }
    if message.contains("Expected option") {
        return format!("{message}: write Some(value) or None");
    }
    if (message.contains("`retry`") || message.contains("`calling_window`"))
        && (message.contains("Unexpected field named") || message.contains("unknown field"))
    {
        return format!(
            "{message}: retry and calling_window go inside `rules: (...)`, written as in a campaign file, e.g. rules: (calling_window: (from: \"08:00\", to: \"21:00\"), retry: (...)); see scenarios/README.md"
        );
    }
    if message.contains("Unexpected field named") || message.contains("unknown field") {
        return format!("{message}: check the spelling against scenarios/README.md");
    }
    message
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Seed of every random stream of the run.
    #[serde(default, deserialize_with = "seed_field")]
    pub seed: u64,
    #[serde(
        default = "default_replications",
        deserialize_with = "replications_field"
    )]
    pub replications: u32,
    /// No call is placed after this many hours (calls in progress finish). `None`: until the list
    /// is exhausted, at most [`crate::MAX_HORIZON_H`] hours.
    #[serde(default)]
    pub horizon_h: Option<CampaignHours>,
    /// Width of the time-series buckets in minutes.
    #[serde(default = "default_interval")]
    pub series_interval_min: IntervalMinutes,
    /// UTC time of day (hours) at which the campaign starts; calling windows are local times.
    #[serde(default = "default_start")]
    pub start_utc_h: NonNegative,
    /// The campaign's first day (`"2026-03-02"`), which an IANA time zone in the list needs to
    /// know its offset (daylight saving). Written without `Some`, left out when absent.
    #[serde(
        default,
        deserialize_with = "some_field",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_date: Option<String>,
    /// The measurement window: from and to which hour the metrics count. `None`: the whole
    /// campaign. Written as a structure, without `Some` (like `limits`), and left out of a
    /// serialized scenario when absent, so that a scenario without it reads as it always did.
    #[serde(
        default,
        deserialize_with = "measure_field",
        skip_serializing_if = "Option::is_none"
    )]
    pub measure: Option<Measure>,
    pub list: ContactList,
    pub agents: Agents,
    pub dial: Dial,
    #[serde(default)]
    pub amd: Option<Amd>,
    pub ivr: Ivr,
    pub queue: Queue,
    #[serde(default)]
    pub limits: ConnectLimits,
    /// The campaign's rules: calling window, retries, quiet period after an abandon — the same
    /// syntax and defaults as a campaign file's `compliance: (rules: ...)`.
    #[serde(default)]
    pub rules: rules::Rules,
    /// How stale the agent counts a pacer sees are (the metrics poll lag), in seconds.
    #[serde(default = "default_lag")]
    pub metrics_lag_s: Seconds,
    pub strategies: Vec<StrategySpec>,
    /// Promises `dialsim check` holds every strategy to; see [`crate::gates`].
    #[serde(default)]
    pub gates: Vec<crate::gate::Gate>,
}

impl Scenario {
    /// Every file the scenario reads besides itself (its CSV list, empirical distributions'
    /// CSV files), resolved against `base`, the scenario's folder: what no output may overwrite.
    pub fn input_files(&self, base: &std::path::Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        if let ContactList::Csv { path } = &self.list {
            files.push(base.join(path));
        }
        let ivr = &self.ivr;
        let distributions = [
            Some(&self.agents.talk),
            Some(&self.agents.after_call_work),
            Some(&self.dial.answer_after),
            Some(&self.dial.busy_after),
            Some(&self.dial.failed_after),
            self.amd.as_ref().map(|a| &a.detect_after),
            Some(&ivr.prompt),
            Some(&ivr.agent.after),
            Some(&ivr.call_back.after),
            Some(&ivr.email.after),
            Some(&ivr.not_interested.after),
            Some(&ivr.goodbye),
            self.queue.patience.as_ref(),
        ];
        for d in distributions.into_iter().flatten() {
            if let Some(path) = d.csv_path() {
                files.push(base.join(path));
            }
        }
        files
    }
}

fn default_replications() -> u32 {
    100
}
fn default_interval() -> IntervalMinutes {
    IntervalMinutes::new(15.0).expect("in range")
}
fn default_start() -> NonNegative {
    NonNegative::new(0.0).expect("non-negative")
}
fn default_lag() -> Seconds {
    Seconds::new(0.0).expect("in range")
}

/// An optional field written as its value, without `Some`.
fn some_field<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

fn measure_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Measure>, D::Error> {
    Measure::deserialize(d).map(Some)
}

rules::range!(
    /// When the measurement window opens, in hours after the campaign's start: 0 to 744.
    MeasureFromHours, MeasureFromHoursRange, 0.0, true, 744.0,
    "measure.from_h, in hours after the campaign's start,", " h",
    "the window opens at the start (0) or later, in hours after the start (not a clock time), and before the horizon"
);
rules::range!(
    /// When the measurement window closes, in hours after the campaign's start: above 0 to 744.
    MeasureToHours, MeasureToHoursRange, 0.0, false, 744.0,
    "measure.to_h, in hours after the campaign's start,", " h",
    "the window closes after the start and at most 744 h after it (the longest campaign); leave to_h out to measure to the end"
);

/// The measurement window `[from_h, to_h)`, in hours after the campaign's start. Calls dialed
/// in it are counted whole, wherever they end; time-weighted figures are integrated over it.
/// (What follows the window and what stays the campaign's is in `docs/results.md`.)
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "MeasureFields")]
pub struct Measure {
    pub from_h: f64,
    /// `None`: to the end of the campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_h: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Measure")]
struct MeasureFields {
    #[serde(default = "measure_start")]
    from_h: MeasureFromHours,
    #[serde(default, deserialize_with = "measure_end")]
    to_h: Option<MeasureToHours>,
}

fn measure_start() -> MeasureFromHours {
    MeasureFromHours::new(0.0).expect("in range")
}

/// `to_h` is written as a number (leaving it out measures to the end), not `Some(...)`: a
/// `Some` or `None` there is named as such rather than as a missing number.
fn measure_end<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<MeasureToHours>, D::Error> {
    struct Hours;
    impl<'de> serde::de::Visitor<'de> for Hours {
        type Value = MeasureToHours;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number of hours")
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<MeasureToHours, E> {
            MeasureToHours::new(v).ok_or_else(|| E::custom(MeasureToHours::out_of_range(v)))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<MeasureToHours, E> {
            self.visit_f64(v as f64)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<MeasureToHours, E> {
            self.visit_f64(v as f64)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, _: D) -> Result<MeasureToHours, D::Error> {
            Err(serde::de::Error::custom(UNWRAPPED_TO))
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<MeasureToHours, E> {
            Err(E::custom(UNWRAPPED_TO))
        }
    }
    d.deserialize_any(Hours).map(Some)
}

const UNWRAPPED_TO: &str = "measure.to_h is written as a number of hours, without Some (to_h: 7.0); leave it out to measure to the end of the campaign";

impl TryFrom<MeasureFields> for Measure {
    type Error = String;
    fn try_from(f: MeasureFields) -> Result<Measure, String> {
        let (from_h, to_h) = (f.from_h.get(), f.to_h.map(|h| h.get()));
        if let Some(to_h) = to_h
            && to_h <= from_h
        {
            return Err(format!(
                "measure runs from_h {} h to to_h {} h, an empty window: the window is [from_h, to_h) in hours after the campaign's start; make to_h later than from_h",
                rules::param::show_found(from_h),
                rules::param::show_found(to_h)
            ));
        }
        Ok(Measure { from_h, to_h })
    }
}

/// Who is on the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ContactList {
    /// `size` customers, spread over time zones by share; a share of them on the do-not-call list.
    Generated {
        #[serde(deserialize_with = "customers_field")]
        size: u32,
        #[serde(default = "utc_only")]
        time_zones: Vec<TimeZoneShare>,
        #[serde(default)]
        do_not_call_share: Option<Probability>,
    },
    /// A CSV with a header: `phone` (E.164), optional `name`, `utc_offset` (`-05:00`, `+01:00`,
    /// `UTC`), optional `do_not_call` (`true`/`false`). Path relative to the scenario file.
    Csv { path: PathBuf },
}

fn utc_only() -> Vec<TimeZoneShare> {
    vec![TimeZoneShare {
        utc_offset_h: Some(0.0),
        zone: None,
        share: Probability::new(1.0).expect("probability"),
    }]
}

/// A share of the list in one time zone: a fixed offset (`utc_offset_h: -5.0`) or an IANA zone
/// (`zone: "America/New_York"`, whose offset on the scenario's `start_date` follows daylight
/// saving). Exactly one of the two, each written without `Some`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "ZoneFields")]
pub struct TimeZoneShare {
    /// Offset from UTC in hours, e.g. -5.0 for US Eastern standard time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utc_offset_h: Option<f64>,
    /// An IANA time zone name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    pub share: Probability,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "TimeZoneShare")]
struct ZoneFields {
    #[serde(default, deserialize_with = "some_field")]
    utc_offset_h: Option<f64>,
    #[serde(default, deserialize_with = "some_field")]
    zone: Option<String>,
    share: Probability,
}

impl TryFrom<ZoneFields> for TimeZoneShare {
    type Error = String;
    fn try_from(f: ZoneFields) -> Result<TimeZoneShare, String> {
        match (&f.utc_offset_h, &f.zone) {
            (Some(_), Some(_)) => Err(
                "list.time_zones: give either utc_offset_h (a fixed offset) or zone (an IANA name such as \"America/New_York\"), not both".into(),
            ),
            (None, None) => Err(
                "list.time_zones: give utc_offset_h (e.g. -5.0) or zone (an IANA name such as \"America/New_York\") with the share".into(),
            ),
            _ => Ok(TimeZoneShare {
                utc_offset_h: f.utc_offset_h,
                zone: f.zone,
                share: f.share,
            }),
        }
    }
}

/// The agents taking calls for this campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agents {
    pub staffing: Staffing,
    /// Conversation length once an agent takes the call.
    pub talk: Distribution,
    /// After-call work (wrap-up) before the agent is available again.
    pub after_call_work: Distribution,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Staffing {
    /// This many agents for the whole campaign.
    Count(#[serde(deserialize_with = "team_field")] u32),
    /// Groups of agents logged in from `start_h` to `end_h` (hours since the campaign started).
    /// An agent whose shift ends finishes the call in hand.
    Shifts(Vec<Shift>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "ShiftFields")]
pub struct Shift {
    pub start_h: f64,
    pub end_h: f64,
    pub agents: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Shift")]
struct ShiftFields {
    start_h: CampaignHoursFromZero,
    end_h: CampaignHours,
    #[serde(deserialize_with = "agents_field")]
    agents: u32,
}

impl TryFrom<ShiftFields> for Shift {
    type Error = String;
    fn try_from(f: ShiftFields) -> Result<Shift, String> {
        if f.end_h.get() <= f.start_h.get() {
            return Err(format!(
                "shift ends at {} h, not after it starts at {} h: end_h must be later than start_h",
                f.end_h.get(),
                f.start_h.get()
            ));
        }
        Ok(Shift {
            start_h: f.start_h.get(),
            end_h: f.end_h.get(),
            agents: f.agents,
        })
    }
}

/// What happens when a number is dialed. The five outcome probabilities must sum to 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "DialFields")]
pub struct Dial {
    /// The call is given up as no answer after ringing this long (RingTimeoutInSeconds).
    pub ring_timeout_s: f64,
    pub human: f64,
    pub machine: f64,
    pub busy: f64,
    pub no_answer: f64,
    pub failed: f64,
    /// Time to answer for a person or a machine. A draw past the ring timeout becomes a no answer.
    pub answer_after: Distribution,
    pub busy_after: Distribution,
    pub failed_after: Distribution,
    /// The outcome mix in some hours of the customer's local day, where it differs from the
    /// five shares above (which hold in every hour not listed). Left out of a serialized
    /// scenario when empty, so that a scenario without it reads as it always did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_local_hour: Vec<HourMix>,
}

/// The dial-outcome mix from `from` to `to` (whole hours, the customer's local time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourMix {
    pub from: String,
    pub to: String,
    pub human: Probability,
    pub machine: Probability,
    pub busy: Probability,
    pub no_answer: Probability,
    pub failed: Probability,
}

impl HourMix {
    /// The local hours `[from, to)` it covers, or what is wrong with `from` and `to`.
    pub fn hours(&self) -> Result<(u32, u32), String> {
        let hour = |t: &str, edge: &str| -> Result<u32, String> {
            let parsed = t
                .split_once(':')
                .filter(|(h, m)| (1..=2).contains(&h.len()) && m.len() == 2)
                .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)));
            match parsed {
                Some((h, 0)) if h <= 24 => Ok(h),
                Some(_) => Err(format!(
                    "dial.by_local_hour {edge} {t:?} is not a whole hour from \"00:00\" to \"24:00\": the mix changes on the hour, e.g. \"17:00\""
                )),
                None => Err(format!(
                    "dial.by_local_hour {edge} {t:?} is not a time of day: write it as \"HH:00\", e.g. \"17:00\""
                )),
            }
        };
        let (from, to) = (hour(&self.from, "from")?, hour(&self.to, "to")?);
        if from >= to {
            return Err(format!(
                "dial.by_local_hour {} to {} is empty or crosses midnight: `from` must come before `to` (split a span over midnight in two)",
                self.from, self.to
            ));
        }
        Ok((from, to))
    }

    /// The five shares, in the order `human, machine, busy, no_answer, failed`.
    pub fn shares(&self) -> [f64; 5] {
        [
            self.human.get(),
            self.machine.get(),
            self.busy.get(),
            self.no_answer.get(),
            self.failed.get(),
        ]
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Dial")]
struct DialFields {
    ring_timeout_s: RingTimeoutSeconds,
    human: Probability,
    machine: Probability,
    busy: Probability,
    no_answer: Probability,
    failed: Probability,
    answer_after: Distribution,
    #[serde(default = "default_busy_after")]
    busy_after: Distribution,
    #[serde(default = "default_failed_after")]
    failed_after: Distribution,
    #[serde(default)]
    by_local_hour: Vec<HourMix>,
}

fn default_busy_after() -> Distribution {
    Distribution::fixed(3.0)
}
fn default_failed_after() -> Distribution {
    Distribution::fixed(1.0)
}

fn check_sum(table: &str, parts: &[(&str, f64)]) -> Result<(), String> {
    let sum: f64 = parts.iter().map(|(_, p)| p).sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        let listed = parts
            .iter()
            .map(|(n, p)| format!("{n} {p}"))
            .collect::<Vec<_>>()
            .join(" + ");
        return Err(format!(
            "{table} probabilities sum to {sum}, not 1 ({listed}): adjust them so they add up to 1"
        ));
    }
    Ok(())
}

impl TryFrom<DialFields> for Dial {
    type Error = String;
    fn try_from(f: DialFields) -> Result<Dial, String> {
        let dial = Dial {
            ring_timeout_s: f.ring_timeout_s.get(),
            human: f.human.get(),
            machine: f.machine.get(),
            busy: f.busy.get(),
            no_answer: f.no_answer.get(),
            failed: f.failed.get(),
            answer_after: f.answer_after,
            busy_after: f.busy_after,
            failed_after: f.failed_after,
            by_local_hour: f.by_local_hour,
        };
        let mut covered = [None::<usize>; 24];
        for (i, mix) in dial.by_local_hour.iter().enumerate() {
            let (from, to) = mix.hours()?;
            if let Some(other) = (from..to).find_map(|h| covered[h as usize]) {
                let o = &dial.by_local_hour[other];
                return Err(format!(
                    "dial.by_local_hour {} to {} overlaps {} to {}: each hour has one mix",
                    mix.from, mix.to, o.from, o.to
                ));
            }
            for h in from..to {
                covered[h as usize] = Some(i);
            }
            let [human, machine, busy, no_answer, failed] = mix.shares();
            check_sum(
                &format!("dial.by_local_hour {} to {} outcome", mix.from, mix.to),
                &[
                    ("human", human),
                    ("machine", machine),
                    ("busy", busy),
                    ("no_answer", no_answer),
                    ("failed", failed),
                ],
            )?;
        }
        check_sum(
            "dial outcome",
            &[
                ("human", dial.human),
                ("machine", dial.machine),
                ("busy", dial.busy),
                ("no_answer", dial.no_answer),
                ("failed", dial.failed),
            ],
        )?;
        Ok(dial)
    }
}

/// Answering-machine detection: classifies each answered call after `detect_after`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amd {
    pub detect_after: Distribution,
    /// Share of people classified as machines: they are hung up on (a regulatory abandon).
    pub false_positive: Probability,
    /// Share of machines classified as people: they go to the IVR and give no input.
    pub false_negative: Probability,
}

/// The IVR prompt and the customer's choice. The five choice probabilities must sum to 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "IvrFields")]
pub struct Ivr {
    pub prompt: Distribution,
    pub no_input_timeout_s: f64,
    pub agent: ChoiceBehaviour,
    pub call_back: ChoiceBehaviour,
    pub email: ChoiceBehaviour,
    pub not_interested: ChoiceBehaviour,
    pub no_input: f64,
    pub goodbye: Distribution,
}

/// How likely a choice is, and how long after the prompt the key is pressed. A press later than
/// the IVR's timeout counts as no input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceBehaviour {
    pub p: Probability,
    pub after: Distribution,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Ivr")]
struct IvrFields {
    prompt: Distribution,
    #[serde(default = "default_timeout")]
    no_input_timeout_s: PositiveSeconds,
    agent: ChoiceBehaviour,
    call_back: ChoiceBehaviour,
    email: ChoiceBehaviour,
    not_interested: ChoiceBehaviour,
    no_input: Probability,
    #[serde(default = "default_goodbye")]
    goodbye: Distribution,
}

fn default_timeout() -> PositiveSeconds {
    PositiveSeconds::new(5.0).expect("in range")
}
fn default_goodbye() -> Distribution {
    Distribution::fixed(3.0)
}

impl TryFrom<IvrFields> for Ivr {
    type Error = String;
    fn try_from(f: IvrFields) -> Result<Ivr, String> {
        check_sum(
            "IVR choice",
            &[
                ("agent", f.agent.p.get()),
                ("call_back", f.call_back.p.get()),
                ("email", f.email.p.get()),
                ("not_interested", f.not_interested.p.get()),
                ("no_input", f.no_input.get()),
            ],
        )?;
        Ok(Ivr {
            prompt: f.prompt,
            no_input_timeout_s: f.no_input_timeout_s.get(),
            agent: f.agent,
            call_back: f.call_back,
            email: f.email,
            not_interested: f.not_interested,
            no_input: f.no_input.get(),
            goodbye: f.goodbye,
        })
    }
}

/// The agents' queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// How long a caller waits for an agent before hanging up. `None`: forever.
    pub patience: Option<Distribution>,
    /// A caller not bridged to an agent within this many seconds of choosing 1 is a
    /// regulatory abandon (the US rule's 2 seconds).
    #[serde(default = "default_threshold")]
    pub compliance_threshold_s: Seconds,
    /// The regulator's cap on a day's regulatory abandon rate (3% unless given): the days
    /// over it are counted ("days over the cap") and risk gates judge against it.
    #[serde(default = "default_cap")]
    pub abandon_cap: Share,
}

fn default_threshold() -> Seconds {
    Seconds::new(rules::abandonment::DEFAULT_COMPLIANCE_THRESHOLD_S).expect("in range")
}

fn default_cap() -> Share {
    Share::new(rules::abandonment::DEFAULT_ABANDON_CAP).expect("a share")
}

/// Amazon Connect's quotas. `None` switches a limit off. Defaults are Connect's default quotas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectLimits {
    #[serde(default = "default_rate")]
    pub start_rate: Option<TokenBucket>,
    #[serde(default = "default_concurrent", deserialize_with = "concurrent_field")]
    pub max_concurrent_calls: Option<u32>,
}

impl Default for ConnectLimits {
    fn default() -> Self {
        ConnectLimits {
            start_rate: default_rate(),
            max_concurrent_calls: default_concurrent(),
        }
    }
}

fn default_rate() -> Option<TokenBucket> {
    Some(TokenBucket {
        per_second: Positive::new(2.0).expect("positive"),
        burst: 5,
    })
}
fn default_concurrent() -> Option<u32> {
    Some(10)
}

/// StartOutboundVoiceContact's request quota: `per_second` refill, up to `burst` at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBucket {
    pub per_second: Positive,
    #[serde(deserialize_with = "burst_field")]
    pub burst: u32,
}
