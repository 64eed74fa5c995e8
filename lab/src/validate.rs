//! Checks of the JSON files dialsim reads back: a file that parses can still be wrong — edited by
//! hand, damaged, or cut and pasted from another run — and a wrong number must neither hang a
//! chart nor quietly become a verdict. One validator per format, each a method of the file's type
//! ([`Results::validate`], [`Frontier::validate`], [`SweepResults::validate`],
//! [`Part::validate`]; baselines in [`crate::baseline`]), all built from the helpers here, and
//! each naming the first bad value by its JSON path:
//!
//! ```
//! # let text = r#"Scenario(name: "tiny", seed: 1, replications: 2, horizon_h: Some(1.0),
//! #     list: Generated(size: 300),
//! #     agents: (staffing: Count(3), talk: Exponential(mean_s: 120.0), after_call_work: Fixed(s: 10.0)),
//! #     dial: (ring_timeout_s: 20.0, human: 0.4, machine: 0.2, busy: 0.05, no_answer: 0.3, failed: 0.05,
//! #            answer_after: LogNormal(mean_s: 8.0, sd_s: 3.0)),
//! #     ivr: (prompt: Fixed(s: 6.0),
//! #           agent: (p: 0.5, after: Fixed(s: 2.0)), call_back: (p: 0.1, after: Fixed(s: 2.0)),
//! #           email: (p: 0.1, after: Fixed(s: 2.0)), not_interested: (p: 0.2, after: Fixed(s: 2.0)),
//! #           no_input: 0.1),
//! #     queue: (patience: Some(Exponential(mean_s: 20.0))),
//! #     rules: (calling_window: (from: "00:00", to: "24:00"), retry: (no_answer: None, busy: None,
//! #            machine: None, failed: None, call_back: None, abandoned: None)),
//! #     strategies: [FixedRatio(ratio: 1.5)],
//! # )"#;
//! # let scenario = lab::load::parse(text, "tiny.ron".as_ref()).unwrap();
//! # let plan = lab::Plan::compile(&scenario, &lab::inputs::Files::new(".".as_ref())).unwrap();
//! let mut results = lab::run::run_all(&plan, &|| {});
//! assert_eq!(results.validate(), Ok(()));
//! // A damaged file: the upper bound of an interval near the largest f64.
//! let occupancy = results.strategies[0].metrics.get_mut(lab::catalogue::Metric::Occupancy);
//! occupancy.unwrap().ci95 = Some([1.7e308, 1.0]);
//! assert_eq!(
//!     results.validate().unwrap_err().to_string(),
//!     "strategies[0].metrics.occupancy.ci95[0] is 1.7e308, above 1e15, the largest magnitude \
//!      of any number dialsim writes"
//! );
//! ```
//!
//! What every format promises (docs/results.md, "What is checked when a file is read"):
//!
//! - every number is finite and within ±[`MAX_MAGNITUDE`];
//! - an estimate's `ci95` is `null` when its `mean` is, and otherwise `lo ≤ mean ≤ hi`;
//! - a metric's or a result code's mean, a count, a time, a series value is not negative (every
//!   metric of the catalogue is a count, a rate, a share or a time); a share is within [0, 1];
//! - keys are those of this version's catalogues (the metrics of [`Metric::ALL`], the result
//!   codes of [`Code::ALL`], the series an empty run writes), each once, none missing;
//! - shapes are complete: arrays that go together have matching lengths and orders.
//!
//! `format` is not checked here: each reader tells the kinds of file apart by it first, and
//! names another version as such.

use crate::catalogue::Metric;
use crate::frontier::Frontier;
use crate::stats::Estimate;
use crate::summary::{Results, StrategyResult, summarise};
use crate::sweep::{Header, MAX_SHARDS, Part, SweepResults};
use sim::metrics::Code;
use std::fmt;

/// The largest magnitude of any number dialsim writes. Nothing a campaign produces comes near it
/// (10¹⁵ seconds are 30 million years), and it is far enough below `f64::MAX` that sums and
/// differences of such numbers stay finite.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// A bad value, and where it is.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{at} {problem}")]
pub struct Invalid {
    /// The value's JSON path, e.g. `strategies[0].metrics.occupancy.ci95[0]`.
    pub at: String,
    pub problem: Problem,
}

/// What is wrong with a value. Each reads after the value's path: "`rows[3].strategy` is …".
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A number beyond ±[`MAX_MAGNITUDE`] (or not a number at all).
    #[error(
        "is {}, {} {}, the largest magnitude of any number dialsim writes",
        shown(*value),
        if *value < 0.0 { "below" } else { "above" },
        if *value < 0.0 { "-1e15" } else { "1e15" },
    )]
    OutOfRange { value: f64 },
    #[error("is {}, but cannot be negative", shown(*value))]
    Negative { value: f64 },
    #[error("is {}, outside [0, 1], but is a share", shown(*value))]
    NotShare { value: f64 },
    #[error("is [{}, {}]: its lower end is above its upper end", shown(*lo), shown(*hi))]
    Reversed { lo: f64, hi: f64 },
    #[error("is {}, outside its interval [{}, {}]", shown(*mean), shown(*lo), shown(*hi))]
    OutsideInterval { mean: f64, lo: f64, hi: f64 },
    #[error("is an interval without a mean: `ci95` is null when `mean` is")]
    IntervalWithoutMean,
    #[error("is {}, below {} before it: the distribution cannot decrease", shown(*value), shown(*previous))]
    Decreasing { value: f64, previous: f64 },
    #[error("has {key:?}, which is not a {what} of this version")]
    UnknownKey { key: String, what: &'static str },
    #[error("has {key:?} twice")]
    DuplicateKey { key: String },
    #[error("lacks {key:?}: every {what} must be there")]
    MissingKey { key: String, what: &'static str },
    #[error("is empty, but {needs}")]
    Empty { needs: &'static str },
    #[error("has {found} entries, not {expected}: {why}")]
    Length {
        found: usize,
        expected: usize,
        why: String,
    },
    #[error("is {found}, not {expected}: {why}")]
    Mismatch {
        found: String,
        expected: String,
        why: String,
    },
    #[error("is {value}: {why}")]
    Invalid { value: String, why: String },
}

/// A number as messages show it: `0.25`, `1234.5`, or `1.7e308` and `5e-324` for the far ends.
pub fn shown(v: f64) -> String {
    if v == 0.0 || (1e-4..1e15).contains(&v.abs()) || !v.is_finite() {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Where a value sits in its file, built up step by step without allocating, and written as a
/// JSON path only when something is wrong.
#[derive(Clone, Copy, Debug)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    /// The file itself.
    pub const ROOT: At<'static> = At {
        parent: None,
        step: Step::Root,
    };

    /// The value under `key` of this object.
    pub fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    /// Element `i` of this array.
    pub fn index(&'a self, i: usize) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Index(i),
        }
    }

    pub fn invalid(&self, problem: Problem) -> Invalid {
        Invalid {
            at: self.to_string(),
            problem,
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(a) = at {
            steps.push(a.step);
            at = a.parent;
        }
        let mut first = true;
        for step in steps.iter().rev() {
            match step {
                Step::Root => continue,
                Step::Index(i) => write!(f, "[{i}]")?,
                Step::Key(k) if is_name(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Step::Key(k) => write!(f, "[{}]", serde_json::Value::from(*k))?,
            }
            first = false;
        }
        if first {
            f.write_str("the file")?;
        }
        Ok(())
    }
}

/// A key that reads as a name after a dot (`metrics.occupancy`, not `outcomes.-1`).
fn is_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

type Checked = Result<(), Invalid>;

/// A number dialsim could have written: finite, within ±[`MAX_MAGNITUDE`].
pub fn number(at: &At, v: f64) -> Checked {
    if v.is_finite() && v.abs() <= MAX_MAGNITUDE {
        Ok(())
    } else {
        Err(at.invalid(Problem::OutOfRange { value: v }))
    }
}

/// A count, a time or a rate: a number, not negative.
pub fn non_negative(at: &At, v: f64) -> Checked {
    number(at, v)?;
    if v < 0.0 {
        return Err(at.invalid(Problem::Negative { value: v }));
    }
    Ok(())
}

/// A share: a number within [0, 1].
pub fn share(at: &At, v: f64) -> Checked {
    number(at, v)?;
    if !(0.0..=1.0).contains(&v) {
        return Err(at.invalid(Problem::NotShare { value: v }));
    }
    Ok(())
}

/// What an estimate's mean can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// A metric or a count: not negative (its interval can be, being unclipped).
    NonNegative,
    /// A difference: either way.
    Any,
}

/// `{"mean": m, "ci95": [lo, hi]}`: `ci95` null when `mean` is, else `lo ≤ m ≤ hi`, all numbers.
pub fn estimate(at: &At, e: &Estimate, sign: Sign) -> Checked {
    let Some(mean) = e.mean else {
        return match e.ci95 {
            Some(_) => Err(at.key("ci95").invalid(Problem::IntervalWithoutMean)),
            None => Ok(()),
        };
    };
    let at_mean = at.key("mean");
    match sign {
        Sign::NonNegative => non_negative(&at_mean, mean)?,
        Sign::Any => number(&at_mean, mean)?,
    }
    let Some([lo, hi]) = e.ci95 else {
        return Ok(());
    };
    let ci = at.key("ci95");
    number(&ci.index(0), lo)?;
    number(&ci.index(1), hi)?;
    if lo > hi {
        return Err(ci.invalid(Problem::Reversed { lo, hi }));
    }
    if !(lo..=hi).contains(&mean) {
        return Err(at_mean.invalid(Problem::OutsideInterval { mean, lo, hi }));
    }
    Ok(())
}

/// Every estimate of a map, given as its entries in the file's order, and its keys: exactly
/// `known` (in any order), each once.
pub fn estimates<'a>(
    at: &At,
    entries: impl Iterator<Item = (&'a str, &'a Estimate)>,
    known: &[&str],
    what: &'static str,
    sign: Sign,
) -> Checked {
    let entries: Vec<(&str, &Estimate)> = entries.collect();
    let written: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
    keys(at, &written, known, what)?;
    for (k, e) in entries {
        estimate(&at.key(k), e, sign)?;
    }
    Ok(())
}

/// The keys a map is `written` with, in order, are exactly `known` (in any order), each once;
/// `what` names one in messages.
pub fn keys(at: &At, written: &[&str], known: &[&str], what: &'static str) -> Checked {
    // The usual case, a file as written: the catalogue's keys in its order.
    if written == known {
        return Ok(());
    }
    for (i, k) in written.iter().enumerate() {
        if !known.contains(k) {
            return Err(at.invalid(Problem::UnknownKey {
                key: k.to_string(),
                what,
            }));
        }
        if written[..i].contains(k) {
            return Err(at.invalid(Problem::DuplicateKey { key: k.to_string() }));
        }
    }
    match known.iter().find(|n| !written.contains(n)) {
        Some(missing) => Err(at.invalid(Problem::MissingKey {
            key: missing.to_string(),
            what,
        })),
        None => Ok(()),
    }
}

/// An array that must hold something.
pub fn non_empty<T>(at: &At, items: &[T], needs: &'static str) -> Checked {
    if items.is_empty() {
        return Err(at.invalid(Problem::Empty { needs }));
    }
    Ok(())
}

/// A replication count: at least `least`.
pub fn replications(at: &At, n: u32, least: u32) -> Checked {
    if n < least {
        return Err(at.invalid(Problem::Invalid {
            value: n.to_string(),
            why: format!("every run has at least {least}"),
        }));
    }
    Ok(())
}

/// An array of `found` entries where `expected` belong.
pub fn length(at: &At, found: usize, expected: usize, why: impl FnOnce() -> String) -> Checked {
    if found != expected {
        return Err(at.invalid(Problem::Length {
            found,
            expected,
            why: why(),
        }));
    }
    Ok(())
}

/// The metric keys, in file order.
fn metric_catalogue() -> [&'static str; Metric::ALL.len()] {
    Metric::ALL.map(Metric::key)
}

/// The result codes, in file order.
fn code_catalogue() -> Vec<&'static str> {
    Code::ALL.iter().map(|c| c.key()).collect()
}

/// A row's metrics and customers per result code (a results file's strategy, a sweep's row).
fn metrics_and_codes(
    at: &At,
    metrics: &crate::summary::Metrics<Estimate>,
    outcomes: &crate::summary::Ordered<Estimate>,
    metric_keys: &[&str],
    code_keys: &[&str],
) -> Checked {
    estimates(
        &at.key("metrics"),
        metrics.written(),
        metric_keys,
        "metric",
        Sign::NonNegative,
    )?;
    estimates(
        &at.key("outcomes"),
        outcomes.0.iter().map(|(k, e)| (k.as_str(), e)),
        code_keys,
        "result code",
        Sign::NonNegative,
    )
}

/// The series keys: those of an empty run's series (the summary writes every key whatever the
/// replications), so that this list cannot drift from the one the files are written with.
fn series_catalogue(s: &StrategyResult) -> Vec<String> {
    summarise(&s.strategy, &[])
        .series
        .values
        .0
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

impl Results {
    /// Checks a results file read back (`dialsim run` or `compare` with `--json`); see the module
    /// documentation for what every format promises.
    pub fn validate(&self) -> Result<(), Invalid> {
        let root = At::ROOT;
        replications(&root.key("replications"), self.replications, 1)?;
        non_negative(
            &root.key("compliance_threshold_s"),
            self.compliance_threshold_s,
        )?;
        share(&root.key("abandon_cap"), self.abandon_cap)?;
        measure(&root.key("measure"), self.measure.as_ref())?;
        clock(&root.key("clock"), self.clock.as_ref())?;
        let at = root.key("strategies");
        non_empty(&at, &self.strategies, "every run has at least one strategy")?;
        let (metrics, codes) = (metric_catalogue(), code_catalogue());
        for (i, s) in self.strategies.iter().enumerate() {
            let at = at.index(i);
            metrics_and_codes(&at, &s.metrics, &s.outcomes, &metrics, &codes)?;
            series(&at.key("series"), s)?;
            wait_cdf(&at.key("wait_cdf"), &s.wait_cdf)?;
            days(&at.key("days"), &s.days, self.replications)?;
        }
        let Some(c) = &self.comparison else {
            return Ok(());
        };
        let at = root.key("comparison");
        let names = || self.strategies.iter().map(|s| s.name.as_str());
        let named = |at: &At, name: &str| {
            if names().any(|n| n == name) {
                Ok(())
            } else {
                Err(at.invalid(Problem::Invalid {
                    value: quoted(name),
                    why: "no strategy of the file has this name".into(),
                }))
            }
        };
        named(&at.key("baseline"), &c.baseline)?;
        let differences = at.key("differences");
        length(
            &differences,
            c.differences.len(),
            self.strategies.len() - 1,
            || "one per strategy other than the baseline".into(),
        )?;
        for (i, d) in c.differences.iter().enumerate() {
            let at = differences.index(i);
            named(&at.key("name"), &d.name)?;
            estimates(
                &at.key("metrics"),
                d.metrics.written(),
                &Metric::COMPARED.map(Metric::key),
                "compared metric",
                Sign::Any,
            )?;
        }
        Ok(())
    }
}

/// The campaign's clock: a start within the day, UTC offsets in use on Earth (−12 to +14 h),
/// shares within [0, 1] adding up to 1.
fn clock(at: &At, clock: Option<&crate::summary::Clock>) -> Checked {
    let Some(c) = clock else {
        return Ok(());
    };
    let out = |at: &At, v: f64, why: &str| {
        Err(at.invalid(Problem::Invalid {
            value: format!("{v}"),
            why: why.into(),
        }))
    };
    let start = at.key("start_utc_h");
    if !(0.0..24.0).contains(&c.start_utc_h) {
        return out(
            &start,
            c.start_utc_h,
            "a time of day runs from 0 to under 24 hours",
        );
    }
    let zones = at.key("zones");
    for (i, z) in c.zones.iter().enumerate() {
        let at = zones.index(i);
        if !(-12.0..=14.0).contains(&z.utc_offset_h) {
            return out(
                &at.key("utc_offset_h"),
                z.utc_offset_h,
                "offsets run from -12 to +14 hours",
            );
        }
        share(&at.key("share"), z.share)?;
    }
    let total: f64 = c.zones.iter().map(|z| z.share).sum();
    if !c.zones.is_empty() && (total - 1.0).abs() > 1e-6 {
        return out(&zones, total, "the zones' shares add up to 1");
    }
    Ok(())
}

/// A measurement window: hours from 0 to 744 after the start, `from_h` before `to_h`.
fn measure(at: &At, window: Option<&crate::summary::Window>) -> Checked {
    let Some(w) = window else {
        return Ok(());
    };
    let hours = |at: &At, v: f64| {
        non_negative(at, v)?;
        if v > sim::MAX_HORIZON_H {
            return Err(at.invalid(Problem::Invalid {
                value: shown(v),
                why: "a window lies within the longest campaign, 744 h".into(),
            }));
        }
        Ok(())
    };
    hours(&at.key("from_h"), w.from_h)?;
    if let Some(to) = w.to_h {
        hours(&at.key("to_h"), to)?;
        if to <= w.from_h {
            return Err(at.key("to_h").invalid(Problem::Invalid {
                value: shown(to),
                why: format!(
                    "the window closes after it opens, at from_h {}",
                    shown(w.from_h)
                ),
            }));
        }
    }
    Ok(())
}

/// A strategy's series: every key, arrays of one length, values not negative.
fn series(at: &At, s: &StrategyResult) -> Checked {
    let interval = at.key("interval_s");
    non_negative(&interval, s.series.interval_s)?;
    if s.series.interval_s == 0.0 {
        return Err(interval.invalid(Problem::Invalid {
            value: "0".into(),
            why: "an interval lasts some time".into(),
        }));
    }
    let at = at.key("values");
    let catalogue = series_catalogue(s);
    let written: Vec<&str> = s.series.values.0.iter().map(|(k, _)| k.as_str()).collect();
    // Kept since files of this format were first written: a file without them is whole.
    let later = [
        "abandon_rate_regulatory_p10",
        "abandon_rate_regulatory_p90",
        "connected_late_share",
    ];
    let known: Vec<&str> = catalogue
        .iter()
        .map(String::as_str)
        .filter(|k| !later.contains(k) || written.contains(k))
        .collect();
    keys(&at, &written, &known, "series")?;
    let Some((first, first_values)) = s.series.values.0.first() else {
        return Ok(());
    };
    for (k, values) in &s.series.values.0 {
        let at = at.key(k);
        length(&at, values.len(), first_values.len(), || {
            format!("every series has a value per interval, as {first} has")
        })?;
        for (i, v) in values.iter().enumerate() {
            match v {
                // Late connections are some of the interval's connections.
                Some(v) if k == "connected_late_share" => share(&at.index(i), *v)?,
                // Not a share otherwise: an interval's abandons can outnumber its answers (the
                // callers were answered in the interval before).
                Some(v) => non_negative(&at.index(i), *v)?,
                None => {}
            }
        }
    }
    Ok(())
}

/// `[[seconds, share], ...]`: waits not negative, shares within [0, 1], neither decreasing.
/// A strategy's days: one rate per replication (or none at all, in a file written before days
/// were kept), each `null` or within [0, 1]; talk minutes likewise, each `null` or not negative.
fn days(at: &At, days: &crate::summary::Days, replications: u32) -> Checked {
    for (key, rates) in [
        ("abandon_rate_regulatory", &days.abandon_rate_regulatory),
        ("abandon_rate", &days.abandon_rate),
    ] {
        let at = at.key(key);
        if !rates.is_empty() {
            length(&at, rates.len(), replications as usize, || {
                "one rate per replication".into()
            })?;
        }
        for (i, r) in rates.iter().enumerate() {
            if let Some(r) = r {
                share(&at.index(i), *r)?;
            }
        }
    }
    let talk = at.key("talk_min_per_agent_hour");
    if !days.talk_min_per_agent_hour.is_empty() {
        length(
            &talk,
            days.talk_min_per_agent_hour.len(),
            replications as usize,
            || "one value per replication".into(),
        )?;
    }
    for (i, v) in days.talk_min_per_agent_hour.iter().enumerate() {
        if let Some(v) = v {
            non_negative(&talk.index(i), *v)?;
        }
    }
    if let Some(p) = &days.periods_30d {
        let periods = at.key("periods_30d");
        let at = periods.key("abandon_rate_regulatory");
        length(
            &at,
            p.abandon_rate_regulatory.len(),
            replications as usize / crate::summary::PERIOD_DAYS,
            || "one rate per 30 replications".into(),
        )?;
        for (i, r) in p.abandon_rate_regulatory.iter().enumerate() {
            if let Some(r) = r {
                share(&at.index(i), *r)?;
            }
        }
    }
    Ok(())
}

fn wait_cdf(at: &At, cdf: &[[f64; 2]]) -> Checked {
    let mut previous: Option<[f64; 2]> = None;
    for (i, &[seconds, q]) in cdf.iter().enumerate() {
        let at = at.index(i);
        non_negative(&at.index(0), seconds)?;
        share(&at.index(1), q)?;
        if let Some([s0, q0]) = previous {
            if seconds < s0 {
                return Err(at.index(0).invalid(Problem::Decreasing {
                    value: seconds,
                    previous: s0,
                }));
            }
            if q < q0 {
                return Err(at.index(1).invalid(Problem::Decreasing {
                    value: q,
                    previous: q0,
                }));
            }
        }
        previous = Some([seconds, q]);
    }
    Ok(())
}

impl Frontier {
    /// Checks a frontier file read back (`dialsim frontier --json`): the common promises, a
    /// target within (0, 1) and the metric it caps, one reference entry, and per strategy a
    /// chosen setting that was tried and passes, `passes` as the interval says.
    pub fn validate(&self) -> Result<(), Invalid> {
        let root = At::ROOT;
        // A frontier needs intervals: `dialsim frontier` refuses fewer than 2 replications.
        replications(&root.key("replications"), self.replications, 2)?;
        let target = self.target_abandon;
        number(&root.key("target_abandon"), target)?;
        if !(target > 0.0 && target < 1.0) {
            return Err(root.key("target_abandon").invalid(Problem::Invalid {
                value: shown(target),
                why: "the target is a share strictly between 0 and 1".into(),
            }));
        }
        if let Some(r) = self.risk {
            number(&root.key("risk"), r)?;
            if !(r > 0.0 && r < 1.0) {
                return Err(root.key("risk").invalid(Problem::Invalid {
                    value: shown(r),
                    why: "the risk is a share of days strictly between 0 and 1".into(),
                }));
            }
        }
        let abandon = Metric::abandon_rate(self.definition);
        let key = abandon.key();
        if self.abandon_key != key {
            return Err(root.key("abandon_key").invalid(Problem::Mismatch {
                found: quoted(&self.abandon_key),
                expected: quoted(key),
                why: "the metric the definition caps".into(),
            }));
        }
        measure(&root.key("measure"), self.measure.as_ref())?;
        let at = root.key("strategies");
        non_empty(&at, &self.strategies, "the reference is always evaluated")?;
        let references: Vec<usize> = (0..self.strategies.len())
            .filter(|&i| self.strategies[i].reference)
            .collect();
        if references.len() != 1 {
            return Err(root.key("strategies").invalid(Problem::Invalid {
                value: format!("{} entries with `reference: true`", references.len()),
                why: "the reference is one entry".into(),
            }));
        }
        let reference = &self.strategies[references[0]];
        if reference.name != self.reference {
            return Err(root.key("reference").invalid(Problem::Mismatch {
                found: quoted(&self.reference),
                expected: quoted(&reference.name),
                why: "the name of the entry with `reference: true`".into(),
            }));
        }
        let metrics = metric_catalogue();
        for (i, s) in self.strategies.iter().enumerate() {
            let at = at.index(i);
            if let Some(k) = &s.knob {
                let knob = at.key("knob");
                number(&knob.key("low"), k.low)?;
                number(&knob.key("high"), k.high)?;
                if k.low > k.high {
                    return Err(knob.invalid(Problem::Reversed {
                        lo: k.low,
                        hi: k.high,
                    }));
                }
            }
            let tried = at.key("tried");
            non_empty(
                &tried,
                &s.tried,
                "every strategy is evaluated at least once",
            )?;
            for (j, t) in s.tried.iter().enumerate() {
                let at = tried.index(j);
                match (t.value, &s.knob) {
                    (Some(v), Some(_)) => number(&at.key("value"), v)?,
                    (None, None) => {}
                    (v, _) => {
                        return Err(at.key("value").invalid(Problem::Invalid {
                            value: v.map_or("null".into(), shown),
                            why: format!(
                                "a setting has a value exactly when its strategy has a knob, and \
                                 this one has {}",
                                if s.knob.is_some() { "one" } else { "none" }
                            ),
                        }));
                    }
                }
                estimates(
                    &at.key("metrics"),
                    t.metrics.written(),
                    &metrics,
                    "metric",
                    Sign::NonNegative,
                )?;
                estimate(&at.key("gain"), &t.gain, Sign::Any)?;
                let talk = at.key("talk_days");
                if !t.talk_days.is_empty() {
                    length(&talk, t.talk_days.len(), t.replications as usize, || {
                        "one value per day the setting ran".into()
                    })?;
                }
                for (i, v) in t.talk_days.iter().enumerate() {
                    if let Some(v) = v {
                        non_negative(&talk.index(i), *v)?;
                    }
                }
                // Under the risk-based rule a setting is judged by its share of days over the
                // target against the risk; under the mean-based one by its rate's interval.
                let (measured, limit, what) = match (self.risk, &t.days_over_target) {
                    (Some(risk), Some(days)) => {
                        estimate(&at.key("days_over_target"), days, Sign::NonNegative)?;
                        (days.ci95, risk, "share of days over the target")
                    }
                    (Some(_), None) => {
                        return Err(at.invalid(Problem::MissingKey {
                            key: "days_over_target".into(),
                            what: "setting of a risk-based frontier's key",
                        }));
                    }
                    (None, _) => (t.metric(abandon).ci95, target, key),
                };
                if t.replications == 0 || t.replications > self.replications {
                    return Err(at.key("replications").invalid(Problem::Invalid {
                        value: t.replications.to_string(),
                        why: format!(
                            "the days a setting ran, 1 to the file's {}",
                            self.replications
                        ),
                    }));
                }
                let upper = measured.map(|[_, hi]| hi);
                let passes = upper.is_some_and(|u| u < limit);
                // A setting settled by an early look was judged by a wider interval (or, for
                // days, by certainty): it passed with its 95% interval below the limit, and
                // failed with the mean-based interval's lower end at or above the target or
                // the days' upper end at or above the risk.
                let early = t.replications < self.replications;
                let settled_early = |passes_early: bool| match (passes_early, self.risk) {
                    (true, None) => passes,
                    (true, Some(_)) => true,
                    (false, None) => measured.is_some_and(|[lo, _]| lo >= limit),
                    (false, Some(_)) => !passes,
                };
                if early && !settled_early(t.passes) {
                    return Err(at.key("passes").invalid(Problem::Invalid {
                        value: t.passes.to_string(),
                        why: format!(
                            "a setting settled after {} of {} days {} by its {what} interval, \
                             {}, against the limit {}",
                            t.replications,
                            self.replications,
                            if t.passes {
                                "passes only below"
                            } else {
                                "fails only clear above"
                            },
                            measured.map_or("missing".into(), |[lo, hi]| format!(
                                "[{}, {}]",
                                shown(lo),
                                shown(hi)
                            )),
                            shown(limit)
                        ),
                    }));
                }
                if !early && t.passes != passes {
                    return Err(at.key("passes").invalid(Problem::Invalid {
                        value: t.passes.to_string(),
                        why: format!(
                            "the upper end of its {what} interval, {}, is {} the limit {}",
                            upper.map_or("missing".into(), shown),
                            if passes { "below" } else { "not below" },
                            shown(limit)
                        ),
                    }));
                }
            }
            let chosen = at.key("chosen");
            match s.chosen {
                Some(c) if c >= s.tried.len() => {
                    return Err(chosen.invalid(Problem::Invalid {
                        value: c.to_string(),
                        why: format!("an index into `tried`, which has {}", s.tried.len()),
                    }));
                }
                Some(c) if !s.tried[c].passes => {
                    return Err(chosen.invalid(Problem::Invalid {
                        value: c.to_string(),
                        why: "the chosen setting passes, and this one does not".into(),
                    }));
                }
                Some(c) if s.tried[c].replications != self.replications => {
                    return Err(chosen.invalid(Problem::Invalid {
                        value: c.to_string(),
                        why: format!(
                            "the chosen setting ran every one of the {} days, and this one ran {}",
                            self.replications, s.tried[c].replications
                        ),
                    }));
                }
                _ => {}
            }
            if s.feasible != s.chosen.is_some() {
                return Err(at.key("feasible").invalid(Problem::Invalid {
                    value: s.feasible.to_string(),
                    why: "a strategy is feasible exactly when a setting is chosen".into(),
                }));
            }
        }
        Ok(())
    }
}

/// A sweep's header: replications, the axes, the grid of points in order, the strategies.
fn header(at: &At, h: &Header) -> Checked {
    replications(&at.key("replications"), h.replications, 1)?;
    let axes = at.key("axes");
    non_empty(&axes, &h.axes, "a sweep has at least one axis")?;
    for (i, a) in h.axes.iter().enumerate() {
        let axis = axes.index(i);
        let values = axis.key("values");
        non_empty(&values, &a.values, "an axis has at least one value")?;
        for (j, v) in a.values.iter().enumerate() {
            if !v.is_finite() {
                return Err(values.index(j).invalid(Problem::OutOfRange { value: *v }));
            }
        }
    }
    non_empty(
        &at.key("strategies"),
        &h.strategies,
        "a sweep runs at least one strategy",
    )?;
    for (i, a) in h.axes.iter().enumerate() {
        for (j, &s) in a.sets.iter().flatten().enumerate() {
            if s >= h.strategies.len() {
                return Err(axes
                    .index(i)
                    .key("sets")
                    .index(j)
                    .invalid(Problem::Invalid {
                        value: s.to_string(),
                        why: format!(
                            "it is a position in `strategies`, 0 to {}",
                            h.strategies.len() - 1
                        ),
                    }));
            }
        }
    }
    if !h.specs.is_empty() {
        length(&at.key("specs"), h.specs.len(), h.strategies.len(), || {
            "one per strategy".into()
        })?;
    }
    if let Some(cap) = h.abandon_cap
        && !(cap > 0.0 && cap <= 1.0)
    {
        return Err(at.key("abandon_cap").invalid(Problem::Invalid {
            value: shown(cap),
            why: "a cap is a share above 0 and at most 1".into(),
        }));
    }
    let points = at.key("points");
    let count = h
        .axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
    let Some(count) = count.filter(|n| n.checked_mul(h.strategies.len()).is_some()) else {
        return Err(axes.invalid(Problem::Invalid {
            value: "a grid of more points than can be counted".into(),
            why: "no sweep is that large".into(),
        }));
    };
    length(&points, h.points.len(), count, || {
        "one per combination of the axes' values".into()
    })?;
    let mut expected = vec![0.0; h.axes.len()];
    for (k, p) in h.points.iter().enumerate() {
        let mut rest = k;
        for (i, a) in h.axes.iter().enumerate().rev() {
            expected[i] = a.values[rest % a.values.len()];
            rest /= a.values.len();
        }
        if !same(p, &expected) {
            return Err(points.index(k).invalid(Problem::Mismatch {
                found: list(p),
                expected: list(&expected),
                why: "the points are every combination of the axes' values, in order, the last \
                      axis varying fastest"
                    .into(),
            }));
        }
    }
    Ok(())
}

/// Values compared bit for bit, the way a sweep's report looks points up.
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn list(values: &[f64]) -> String {
    let shown: Vec<String> = values.iter().map(|v| shown(*v)).collect();
    format!("[{}]", shown.join(", "))
}

impl SweepResults {
    /// Checks a sweep file read back (`dialsim sweep --out`, `dialsim merge`): the common
    /// promises, the grid of points, and a row per point and strategy in that order.
    pub fn validate(&self) -> Result<(), Invalid> {
        let root = At::ROOT;
        header(&root, &self.sweep)?;
        let h = &self.sweep;
        let n = h.strategies.len();
        let rows = root.key("rows");
        length(&rows, self.rows.len(), h.points.len() * n, || {
            "one per point and strategy".into()
        })?;
        let (metrics, codes) = (metric_catalogue(), code_catalogue());
        for (k, row) in self.rows.iter().enumerate() {
            let at = rows.index(k);
            let point = &h.points[k / n];
            if !same(&row.values, point) {
                return Err(at.key("values").invalid(Problem::Mismatch {
                    found: list(&row.values),
                    expected: list(point),
                    why: "rows come point by point, in the order of `points`".into(),
                }));
            }
            let strategy = &h.strategies[k % n];
            if row.strategy != *strategy {
                return Err(at.key("strategy").invalid(Problem::Mismatch {
                    found: quoted(&row.strategy),
                    expected: quoted(strategy),
                    why: "each point has a row per strategy, in the order of `strategies`".into(),
                }));
            }
            metrics_and_codes(&at, &row.metrics, &row.outcomes, &metrics, &codes)?;
        }
        Ok(())
    }
}

impl Part {
    /// Checks a shard's part file before `dialsim merge` uses it: the header as a sweep file's,
    /// `shard` below `shards`, exactly the units of that shard in order, and each unit's numbers
    /// (a numerator and a denominator, or a value and 1, per metric; customers per result code)
    /// complete and not negative.
    pub fn validate(&self) -> Result<(), Invalid> {
        let root = At::ROOT;
        let (shard, shards) = (self.shard, self.shards);
        if shards == 0 || shards > MAX_SHARDS {
            return Err(root.key("shards").invalid(Problem::Invalid {
                value: shards.to_string(),
                why: format!("a sweep is cut into 1 to {MAX_SHARDS} shards"),
            }));
        }
        if shard >= shards {
            return Err(root.key("shard").invalid(Problem::Invalid {
                value: shard.to_string(),
                why: format!("shards are numbered from 0 to {}", shards - 1),
            }));
        }
        let sweep = root.key("sweep");
        header(&sweep, &self.sweep)?;
        let Some(total) = self
            .sweep
            .points
            .len()
            .checked_mul(self.sweep.strategies.len())
            .and_then(|n| n.checked_mul(self.sweep.replications as usize))
        else {
            return Err(sweep.key("replications").invalid(Problem::Invalid {
                value: self.sweep.replications.to_string(),
                why: "the sweep would have more units than can be counted".into(),
            }));
        };
        let mine = if shard < total {
            (total - shard - 1) / shards + 1
        } else {
            0
        };
        let units = root.key("units");
        length(&units, self.units.len(), mine, || {
            format!("shard {shard}/{shards} of a sweep of {total} units has {mine}")
        })?;
        let (metrics, codes) = (Metric::ALL.len(), Code::ALL.len());
        for (j, (index, unit)) in self.units.iter().enumerate() {
            let at = units.index(j);
            let expected = shard + j * shards;
            if *index != expected {
                return Err(at.index(0).invalid(Problem::Mismatch {
                    found: index.to_string(),
                    expected: expected.to_string(),
                    why: format!(
                        "shard {shard}/{shards} holds units {shard}, {}, … in order",
                        shard + shards
                    ),
                }));
            }
            let at = at.index(1);
            let m = at.key("metrics");
            length(&m, unit.metrics.len(), metrics, || {
                "one per metric of this version".into()
            })?;
            for (i, cell) in unit.metrics.iter().enumerate() {
                if let Some([a, b]) = cell {
                    non_negative(&m.index(i).index(0), *a)?;
                    non_negative(&m.index(i).index(1), *b)?;
                }
            }
            let o = at.key("outcomes");
            length(&o, unit.outcomes.len(), codes, || {
                "one per result code of this version".into()
            })?;
            for (i, v) in unit.outcomes.iter().enumerate() {
                non_negative(&o.index(i), *v)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_json_paths() {
        let root = At::ROOT;
        let s = root.key("strategies");
        let i = s.index(0);
        let m = i.key("outcomes");
        assert_eq!(m.key("-1").to_string(), "strategies[0].outcomes[\"-1\"]");
        let ci = i.key("metrics");
        let ci = ci.key("occupancy");
        let ci = ci.key("ci95");
        assert_eq!(
            ci.index(1).to_string(),
            "strategies[0].metrics.occupancy.ci95[1]"
        );
        assert_eq!(root.to_string(), "the file");
        assert_eq!(root.index(3).to_string(), "[3]");
    }

    #[test]
    fn numbers_are_shown_short() {
        assert_eq!(shown(1.7e308), "1.7e308");
        assert_eq!(shown(-1.7e308), "-1.7e308");
        assert_eq!(shown(5e-324), "5e-324");
        assert_eq!(shown(0.25), "0.25");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(1234.5), "1234.5");
    }

    fn est(mean: Option<f64>, ci95: Option<[f64; 2]>) -> Estimate {
        Estimate { mean, ci95 }
    }

    #[test]
    fn estimates_are_finite_ordered_and_hold_their_mean() {
        let at = At::ROOT;
        let at = at.key("e");
        let ok = |e: Estimate, sign| estimate(&at, &e, sign);
        assert_eq!(
            ok(est(Some(0.5), Some([0.4, 0.6])), Sign::NonNegative),
            Ok(())
        );
        assert_eq!(
            ok(est(Some(0.5), Some([0.5, 0.5])), Sign::NonNegative),
            Ok(())
        );
        assert_eq!(
            ok(est(Some(0.0), Some([-0.2, 0.2])), Sign::NonNegative),
            Ok(())
        );
        assert_eq!(ok(est(Some(0.5), None), Sign::NonNegative), Ok(()));
        assert_eq!(ok(Estimate::UNDEFINED, Sign::NonNegative), Ok(()));
        assert_eq!(ok(est(Some(-0.5), Some([-0.6, -0.4])), Sign::Any), Ok(()));
        let problem = |e: Estimate, sign| estimate(&at, &e, sign).unwrap_err();
        let e = problem(est(Some(0.5), Some([0.6, 0.4])), Sign::Any);
        assert_eq!(e.at, "e.ci95");
        assert_eq!(e.problem, Problem::Reversed { lo: 0.6, hi: 0.4 });
        let e = problem(est(Some(0.7), Some([0.4, 0.6])), Sign::Any);
        assert_eq!(e.at, "e.mean");
        assert!(matches!(e.problem, Problem::OutsideInterval { .. }));
        let e = problem(est(Some(0.5), Some([-1.7e308, 0.6])), Sign::Any);
        assert_eq!(
            e.to_string(),
            "e.ci95[0] is -1.7e308, below -1e15, the largest magnitude of any number dialsim writes"
        );
        let e = problem(est(Some(-0.1), Some([-0.2, 0.0])), Sign::NonNegative);
        assert_eq!(e.to_string(), "e.mean is -0.1, but cannot be negative");
        let e = problem(est(None, Some([0.0, 1.0])), Sign::Any);
        assert_eq!(e.problem, Problem::IntervalWithoutMean);
    }

    #[test]
    fn keys_are_known_once_and_complete() {
        let at = At::ROOT;
        let at = at.key("m");
        let known = ["a", "b"];
        assert_eq!(keys(&at, &["a", "b"], &known, "metric"), Ok(()));
        assert_eq!(keys(&at, &["b", "a"], &known, "metric"), Ok(()));
        let e = keys(&at, &["a", "x", "b"], &known, "metric").unwrap_err();
        assert_eq!(
            e.to_string(),
            "m has \"x\", which is not a metric of this version"
        );
        let e = keys(&at, &["a", "a", "b"], &known, "metric").unwrap_err();
        assert_eq!(e.problem, Problem::DuplicateKey { key: "a".into() });
        let e = keys(&at, &["a"], &known, "metric").unwrap_err();
        assert_eq!(e.to_string(), "m lacks \"b\": every metric must be there");
    }

    #[test]
    fn a_wait_distribution_never_decreases() {
        let at = At::ROOT;
        let at = at.key("wait_cdf");
        assert_eq!(wait_cdf(&at, &[[0.0, 0.0], [0.0, 0.5], [3.0, 1.0]]), Ok(()));
        let e = wait_cdf(&at, &[[0.0, 0.0], [5.0, 0.5], [3.0, 1.0]]).unwrap_err();
        assert_eq!(e.at, "wait_cdf[2][0]");
        let e = wait_cdf(&at, &[[0.0, 0.6], [5.0, 0.5]]).unwrap_err();
        assert_eq!(e.at, "wait_cdf[1][1]");
        let e = wait_cdf(&at, &[[0.0, 1.5]]).unwrap_err();
        assert_eq!(e.problem, Problem::NotShare { value: 1.5 });
    }
}
