//! The hidden world of a scenario, compiled for running: samplers built, the contact list in
//! memory, shifts expanded to agents. Shared read-only by every replication and strategy. What
//! an experiment does with it (which strategies, how many replications, which gates) is not
//! part of it.
//!
//! The engine reads no files: whoever compiles a world hands it the data the scenario refers to
//! ([`Inputs`]).

use crate::dist::{DistributionError, Sampler};
use crate::inputs::{Customer, Inputs};
use crate::metrics::Window;
use crate::scenario::{ContactList, MAX_AGENTS, Scenario, Staffing, TimeZoneShare};
use crate::stream;
use rules::Outcome;
use rules::rulebook::{CallingWindow, RETRY_SLOTS, Retry, retry_slot};
use rules::time::UnixMillis;
use rules::zone::Zone;
use std::sync::Arc;
use strategies::Millis;

/// Why a scenario does not compile into a world; each names the field to change. `E` is the
/// error of the [`Inputs`] that hands over the files the scenario names.
#[derive(Debug, thiserror::Error)]
pub enum WorldError<E> {
    #[error(
        "agents.staffing has {staffed} agents over all shifts; a campaign staffs at most {MAX_AGENTS}: split it into campaigns or staff fewer"
    )]
    TooManyAgents { staffed: u64 },
    /// More than [`MAX_INTERVALS`] series intervals over the horizon (`horizon_h`, or
    /// [`MAX_HORIZON_H`] when the scenario gives none).
    #[error(
        "series_interval_min {interval_min} cuts the {horizon_h} h horizon into {intervals} intervals; at most {MAX_INTERVALS}: use an interval of at least {:.2} min{}",
        horizon_h * 60.0 / MAX_INTERVALS as f64,
        if *horizon_given { "" } else { ", or give a shorter horizon_h" }
    )]
    TooManyIntervals {
        interval_min: f64,
        horizon_h: f64,
        horizon_given: bool,
        intervals: f64,
    },
    #[error("agents.staffing has no agents: staff at least one")]
    NoAgents,
    /// A measurement window that opens at or after the horizon: no call is dialed in it.
    #[error(
        "measure.from_h is {from_h} h, not before the horizon (horizon_h {horizon_h} h): no call would be dialed in the window; give a from_h below {horizon_h} h, or a later horizon_h"
    )]
    MeasureAfterHorizon { from_h: f64, horizon_h: f64 },
    #[error("list.time_zones is empty: give at least one (utc_offset_h, share)")]
    NoTimeZones,
    #[error(
        "list.time_zones has utc_offset_h {utc_offset_h}: offsets run from -12 to +14 hours (the offsets in use on Earth)"
    )]
    TimeZoneOutOfRange { utc_offset_h: f64 },
    #[error("list.time_zones shares sum to {total}, not 1: adjust them so they add up to 1")]
    TimeZoneShares { total: f64 },
    #[error(
        "list.time_zones has zone {zone:?}, which is not an IANA time zone: write an Area/Location name such as \"America/New_York\" or \"Europe/London\" (not an abbreviation such as EST), or a fixed utc_offset_h"
    )]
    UnknownZone { zone: String },
    #[error(
        "the list has customers in {zone}, whose offset depends on the date (daylight saving): give the scenario a start_date, e.g. start_date: \"2026-03-02\""
    )]
    ZoneNeedsDate { zone: String },
    #[error("start_date {date:?} is not a date: write it as \"YYYY-MM-DD\", e.g. \"2026-03-02\"")]
    BadStartDate { date: String },
    #[error("amd: {0}")]
    Amd(String),
    /// A strategy's `target_abandon` that the declared detector alone reaches.
    #[error("strategies: {strategy}: {why}")]
    TargetUnreachable { strategy: String, why: String },
    #[error(transparent)]
    Distribution(#[from] DistributionError<E>),
    /// The contact list could not be had.
    #[error(transparent)]
    ContactList(E),
}

/// When no horizon is given, dialing stops after this many hours even if the list is not done.
pub const MAX_HORIZON_H: f64 = 24.0 * 31.0;

/// The most time-series intervals over the horizon (`horizon_h` ÷ `series_interval_min`): each
/// replication keeps a row per interval until the summary.
pub const MAX_INTERVALS: u64 = 100_000;

const HOUR_MS: f64 = 3_600_000.0;

/// A retry rule in model units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryRule {
    pub after: Millis,
    pub max_attempts: u32,
}

impl From<&Retry> for RetryRule {
    fn from(r: &Retry) -> RetryRule {
        RetryRule {
            after: Millis::from_secs_f64(r.after_min.get() * 60.0),
            max_attempts: *r.max_attempts.get(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Amd {
    pub detect_after: Sampler,
    pub false_positive: f64,
    pub false_negative: f64,
}

/// One IVR choice: its probability and when the key is pressed after the prompt.
#[derive(Clone, Debug)]
pub struct ChoiceModel {
    pub p: f64,
    pub after: Sampler,
}

#[derive(Clone, Debug)]
pub struct World {
    /// Dialing stops here.
    pub horizon: Millis,
    /// Whether `horizon` came from the scenario (else the list is meant to be exhausted).
    pub horizon_given: bool,
    /// What the metrics count: the scenario's `measure`, else [`Window::WHOLE`].
    pub measure: Window,
    pub interval: Millis,
    /// Campaign start as milliseconds after midnight UTC.
    pub start_utc: Millis,
    /// The UTC instant of campaign time zero: the scenario's `start_date` at `start_utc`, or
    /// `start_utc` on 1970-01-01 when the scenario gives no date (then every zone is a fixed
    /// offset, and the date does not matter).
    pub epoch: UnixMillis,
    /// Whether the scenario gave a `start_date` (else [`World::epoch`] is on 1970-01-01).
    pub dated: bool,
    /// The list, shared: a sweep's points that leave the list alone hold one copy.
    pub customers: Arc<[Customer]>,
    /// The list's time zones, which [`Customer::zone`] indexes.
    pub time_zones: Arc<[Zone]>,
    /// Shift (login, logout) of every agent.
    pub agents: Vec<(Millis, Millis)>,
    pub talk: Sampler,
    pub after_call_work: Sampler,
    pub ring_timeout: Millis,
    /// Cumulative probabilities of human, machine, busy, no answer (failed is the rest).
    /// The dial-outcome mix per hour of the customer's local day, as cumulative shares of
    /// human, machine, busy and no answer (failed is the rest).
    pub dial_cdf: [[f64; 4]; 24],
    pub answer_after: Sampler,
    pub busy_after: Sampler,
    pub failed_after: Sampler,
    pub amd: Option<Amd>,
    pub prompt: Sampler,
    pub no_input_timeout: Millis,
    /// Agent, call back, e-mail, not interested; no input is the rest.
    pub choices: [ChoiceModel; 4],
    pub goodbye: Sampler,
    pub patience: Option<Sampler>,
    pub compliance_threshold: Millis,
    /// How a dialer counts the regulator's rate here (see [`World::counting`]).
    pub counting: strategies::Counting,
    /// The regulator's cap on a day's regulatory abandon rate (a share).
    pub abandon_cap: f64,
    /// (refill per millisecond, burst).
    pub start_rate: Option<(f64, u32)>,
    pub max_concurrent_calls: Option<u32>,
    /// The retry rules, indexed by [`rules::rulebook::retry_slot`].
    pub retry: [Option<RetryRule>; RETRY_SLOTS],
    /// How long a customer whose call was abandoned is not called again.
    pub abandon_quiet: Millis,
    /// The calling window in the customers' local time (`None`: the whole day).
    pub window: Option<CallingWindow>,
    pub metrics_lag: Millis,
}

impl World {
    /// How the regulator counts abandons here, as a dialer may know it: the compliance threshold,
    /// the detector's error rates and the share of silent people as the scenario declares them.
    /// Pacers are built with it.
    pub fn counting(&self) -> strategies::Counting {
        self.counting
    }

    /// Compiles the world of `scenario`; `seed` draws a generated list, `inputs` hands over the
    /// files the scenario names.
    pub fn compile<I: Inputs + ?Sized>(
        scenario: &Scenario,
        seed: u64,
        inputs: &I,
    ) -> Result<World, WorldError<I::Error>> {
        World::build(scenario, inputs, || {
            let (customers, zones) = load_list(scenario, seed, inputs)?;
            Ok((customers.into(), zones.into()))
        })
    }

    /// Compiles the world of `scenario` around the contact list of `other` (a scenario with the
    /// same `list` and seed), so that the list is neither read nor generated again.
    pub fn compile_sharing_list<I: Inputs + ?Sized>(
        scenario: &Scenario,
        other: &World,
        inputs: &I,
    ) -> Result<World, WorldError<I::Error>> {
        World::build(scenario, inputs, || {
            Ok((other.customers.clone(), other.time_zones.clone()))
        })
    }

    /// The list comes from `list`, asked for after the checks that need no list.
    #[allow(clippy::type_complexity)]
    fn build<I: Inputs + ?Sized>(
        scenario: &Scenario,
        inputs: &I,
        list: impl FnOnce() -> Result<(Arc<[Customer]>, Arc<[Zone]>), WorldError<I::Error>>,
    ) -> Result<World, WorldError<I::Error>> {
        let ms = |h: f64| Millis::from_secs_f64(h * 3_600.0);
        let staffed: u64 = match &scenario.agents.staffing {
            Staffing::Count(n) => u64::from(*n),
            Staffing::Shifts(shifts) => shifts.iter().map(|s| u64::from(s.agents)).sum(),
        };
        if staffed > u64::from(MAX_AGENTS) {
            return Err(WorldError::TooManyAgents { staffed });
        }
        let horizon_h = scenario.horizon_h.map(|h| h.get());
        if let Some(m) = scenario.measure
            && let Some(horizon_h) = horizon_h
            && m.from_h >= horizon_h
        {
            return Err(WorldError::MeasureAfterHorizon {
                from_h: m.from_h,
                horizon_h,
            });
        }
        let interval_ms = scenario.series_interval_min.get() * 60_000.0;
        let intervals = (horizon_h.unwrap_or(MAX_HORIZON_H) * HOUR_MS / interval_ms).ceil();
        if intervals > MAX_INTERVALS as f64 {
            return Err(WorldError::TooManyIntervals {
                interval_min: scenario.series_interval_min.get(),
                horizon_h: horizon_h.unwrap_or(MAX_HORIZON_H),
                horizon_given: horizon_h.is_some(),
                intervals,
            });
        }
        let declared = scenario.amd.as_ref().map(|a| strategies::DeclaredAmd {
            false_positive: a.false_positive.get(),
            false_negative: a.false_negative.get(),
        });
        if let Some(why) = declared.and_then(|a| a.problem()) {
            return Err(WorldError::Amd(why));
        }
        let counting = strategies::Counting {
            threshold_ms: Millis::from_secs_f64(scenario.queue.compliance_threshold_s.get()).0,
            amd: declared,
            silent_people: scenario.ivr.no_input,
        };
        for spec in &scenario.strategies {
            if let Some(why) = spec.unreachable_target(&counting) {
                return Err(WorldError::TargetUnreachable {
                    strategy: spec.label(),
                    why,
                });
            }
        }
        let start_utc = ms(scenario.start_utc_h.get().rem_euclid(24.0));
        let epoch = match &scenario.start_date {
            Some(date) => {
                let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| WorldError::BadStartDate { date: date.clone() })?;
                let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
                UnixMillis(midnight.timestamp_millis() + start_utc.0 as i64)
            }
            None => UnixMillis(start_utc.0 as i64),
        };
        let (customers, time_zones) = list()?;
        if scenario.start_date.is_none()
            && let Some(zone) = time_zones.iter().find(|z| z.needs_date())
        {
            return Err(WorldError::ZoneNeedsDate {
                zone: zone.to_string(),
            });
        }
        let agents = match &scenario.agents.staffing {
            Staffing::Count(n) => vec![(Millis::ZERO, Millis::MAX); *n as usize],
            Staffing::Shifts(shifts) => shifts
                .iter()
                .flat_map(|s| std::iter::repeat_n((ms(s.start_h), ms(s.end_h)), s.agents as usize))
                .collect(),
        };
        if agents.is_empty() {
            return Err(WorldError::NoAgents);
        }
        let d = &scenario.dial;
        let ivr = &scenario.ivr;
        let rules = &scenario.rules;
        let r = &rules.retry;
        let abandon_quiet = Millis(u64::from(*rules.abandon_quiet_h.get()) * HOUR_MS as u64);
        let choice =
            |c: &crate::scenario::ChoiceBehaviour| -> Result<ChoiceModel, WorldError<I::Error>> {
                Ok(ChoiceModel {
                    p: c.p.get(),
                    after: c.after.sampler(inputs)?,
                })
            };
        Ok(World {
            horizon: ms(horizon_h.unwrap_or(MAX_HORIZON_H)),
            horizon_given: horizon_h.is_some(),
            measure: scenario.measure.map_or(Window::WHOLE, |m| Window {
                from: ms(m.from_h),
                to: m.to_h.map_or(Millis::MAX, ms),
            }),
            interval: Millis::from_secs_f64(scenario.series_interval_min.get() * 60.0),
            start_utc,
            epoch,
            dated: scenario.start_date.is_some(),
            customers,
            time_zones,
            agents,
            talk: scenario.agents.talk.sampler(inputs)?,
            after_call_work: scenario.agents.after_call_work.sampler(inputs)?,
            ring_timeout: Millis::from_secs_f64(d.ring_timeout_s),
            dial_cdf: {
                let cdf = |[human, machine, busy, no_answer, _]: [f64; 5]| {
                    [
                        human,
                        human + machine,
                        human + machine + busy,
                        human + machine + busy + no_answer,
                    ]
                };
                let mut by_hour = [cdf([d.human, d.machine, d.busy, d.no_answer, d.failed]); 24];
                for mix in &d.by_local_hour {
                    let (from, to) = mix.hours().expect("checked when the scenario was read");
                    for h in from..to {
                        by_hour[h as usize] = cdf(mix.shares());
                    }
                }
                by_hour
            },
            answer_after: d.answer_after.sampler(inputs)?,
            busy_after: d.busy_after.sampler(inputs)?,
            failed_after: d.failed_after.sampler(inputs)?,
            amd: match &scenario.amd {
                None => None,
                Some(a) => Some(Amd {
                    detect_after: a.detect_after.sampler(inputs)?,
                    false_positive: a.false_positive.get(),
                    false_negative: a.false_negative.get(),
                }),
            },
            prompt: ivr.prompt.sampler(inputs)?,
            no_input_timeout: Millis::from_secs_f64(ivr.no_input_timeout_s),
            choices: [
                choice(&ivr.agent)?,
                choice(&ivr.call_back)?,
                choice(&ivr.email)?,
                choice(&ivr.not_interested)?,
            ],
            goodbye: ivr.goodbye.sampler(inputs)?,
            patience: match &scenario.queue.patience {
                None => None,
                Some(p) => Some(p.sampler(inputs)?),
            },
            compliance_threshold: Millis::from_secs_f64(
                scenario.queue.compliance_threshold_s.get(),
            ),
            abandon_cap: scenario.queue.abandon_cap.get(),
            counting,
            start_rate: scenario
                .limits
                .start_rate
                .as_ref()
                .map(|b| (b.per_second.get() / 1_000.0, b.burst)),
            max_concurrent_calls: scenario.limits.max_concurrent_calls,
            // Numbered as the rulebook numbers them; a redial after an abandon waits out the
            // quiet period whatever its own delay.
            retry: std::array::from_fn(|slot| {
                r.by_slot(slot).map(|rule| {
                    let rule = RetryRule::from(&rule);
                    if retry_slot(Outcome::Abandoned) == Some(slot) {
                        RetryRule {
                            after: rule.after.max(abandon_quiet),
                            ..rule
                        }
                    } else {
                        rule
                    }
                })
            }),
            abandon_quiet,
            window: (rules.calling_window != CallingWindow::ANY_HOUR)
                .then_some(rules.calling_window),
            metrics_lag: Millis::from_secs_f64(scenario.metrics_lag_s.get()),
        })
    }

    /// The campaign's first instant for something that needs a calendar date (records, a
    /// rehearsal): [`World::epoch`] when the scenario gives a `start_date`, else `start_utc`
    /// on the day that starts at `undated_midnight` (a UTC midnight).
    pub fn dated_epoch(&self, undated_midnight: UnixMillis) -> UnixMillis {
        if self.dated {
            self.epoch
        } else {
            undated_midnight.plus_ms(self.start_utc.0 as i64)
        }
    }

    /// Campaign time `now` on the rules' clock: the UTC instant ([`World::epoch`] onwards).
    pub fn utc(&self, now: Millis) -> UnixMillis {
        UnixMillis(self.epoch.0 + now.0 as i64)
    }

    /// The offset east of UTC, in milliseconds, of time zone `zone` at campaign time `now`.
    pub fn offset_ms(&self, zone: u16, now: Millis) -> i64 {
        self.time_zones[zone as usize].offset_ms_at(self.utc(now))
    }

    /// The hour of the local day (0–23) of a customer in time zone `zone` at campaign time `now`.
    pub fn local_hour(&self, zone: u16, now: Millis) -> usize {
        let local = self.utc(now).0 + self.offset_ms(zone, now);
        local.rem_euclid(24 * HOUR_MS as i64) as usize / HOUR_MS as usize
    }

    /// Whether a customer in time zone `zone` may be called at campaign time `now`.
    pub fn in_window(&self, zone: u16, now: Millis) -> bool {
        self.window
            .is_none_or(|w| w.is_open(&self.time_zones[zone as usize], self.utc(now)))
    }

    /// A time after `now` before which [`World::in_window`] for `zone` cannot change: the next
    /// local time that is a window edge ([`Millis::MAX`] without a window).
    pub fn window_steady_until(&self, zone: u16, now: Millis) -> Millis {
        match self.window {
            None => Millis::MAX,
            Some(w) => {
                let until = w.steady_until(&self.time_zones[zone as usize], self.utc(now));
                now + Millis((until.0 - self.utc(now).0) as u64)
            }
        }
    }

    /// Time-series intervals over the horizon (the rows each replication keeps).
    pub fn intervals(&self) -> u64 {
        self.horizon.0.div_ceil(self.interval.0.max(1)) + 1
    }

    /// About how many bytes the world itself holds: the list and the agents' shifts.
    pub fn world_bytes(&self) -> u64 {
        self.list_bytes() + self.agents.len() as u64 * 16
    }

    /// About how many bytes of [`World::world_bytes`] are the list (shared by worlds compiled
    /// with [`World::compile_sharing_list`]).
    pub fn list_bytes(&self) -> u64 {
        self.customers.len() as u64 * 4
    }

    /// About how many bytes one replication needs while it runs (customer states, zone queues,
    /// agents, events in flight), for `threads` replications at once.
    pub fn running_bytes(&self, threads: usize) -> u64 {
        threads as u64
            * (self.customers.len() as u64 * 24 + self.agents.len() as u64 * 64 + (1 << 20))
    }

    /// About how many bytes one replication's measurements take until the summary: its wait
    /// histogram and a row per series interval, with the interval's wait histogram (measured:
    /// 100 KB a replication for the 2,000-customer sample, 260 KB for the 100-agent day; this
    /// errs high).
    pub fn replication_bytes(&self) -> u64 {
        (128 << 10) + self.intervals() * (4 << 10)
    }

    /// Customers that may ever be dialed (not on the do-not-call list).
    pub fn dialable(&self) -> u64 {
        self.customers.iter().filter(|c| !c.do_not_call).count() as u64
    }
}

/// Each of the list's zones: a fixed `utc_offset_h`, or an IANA `zone` (whose offset follows
/// the date, so that the scenario needs a `start_date`, checked once the list is known).
fn zones<E>(zones: &[TimeZoneShare]) -> Result<Vec<Zone>, WorldError<E>> {
    zones
        .iter()
        .map(|z| match (&z.zone, z.utc_offset_h) {
            (Some(name), _) => {
                Zone::parse(name).ok_or_else(|| WorldError::UnknownZone { zone: name.clone() })
            }
            (None, Some(h)) => {
                if !(-12.0..=14.0).contains(&h) {
                    return Err(WorldError::TimeZoneOutOfRange { utc_offset_h: h });
                }
                Ok(Zone::Fixed((h * HOUR_MS).round() as i64))
            }
            (None, None) => unreachable!("checked when the scenario was read"),
        })
        .collect()
}

#[allow(clippy::type_complexity)]
fn load_list<I: Inputs + ?Sized>(
    scenario: &Scenario,
    seed: u64,
    inputs: &I,
) -> Result<(Vec<Customer>, Vec<Zone>), WorldError<I::Error>> {
    match &scenario.list {
        ContactList::Generated {
            size,
            time_zones,
            do_not_call_share,
        } => {
            if time_zones.is_empty() {
                return Err(WorldError::NoTimeZones);
            }
            let offsets = zones(time_zones)?;
            let total: f64 = time_zones.iter().map(|z| z.share.get()).sum();
            if (total - 1.0).abs() > crate::scenario::SUM_TOLERANCE {
                return Err(WorldError::TimeZoneShares { total });
            }
            let dnc = do_not_call_share.map_or(0.0, |p| p.get());
            let customers = (0..*size)
                .map(|c| {
                    let u = stream::list_uniform(seed, c, 1);
                    let mut acc = 0.0;
                    let zone = time_zones
                        .iter()
                        .position(|z| {
                            acc += z.share.get();
                            u < acc
                        })
                        .unwrap_or(time_zones.len() - 1);
                    Customer {
                        zone: zone as u16,
                        do_not_call: stream::list_uniform(seed, c, 2) < dnc,
                    }
                })
                .collect();
            Ok((customers, offsets))
        }
        ContactList::Csv { path } => inputs.contact_list(path).map_err(WorldError::ContactList),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::{NoFiles, NoFilesError};
    use std::path::Path;

    /// The small team's list in New York and Los Angeles by name, from `date` (none: no date).
    fn named_zones(date: Option<&str>, horizon_h: f64) -> Result<World, WorldError<NoFilesError>> {
        let mut text = include_str!("../../scenarios/small-team.ron").to_string();
        let from = text.find("        time_zones: [").expect("zones");
        let to = from + text[from..].find("],").expect("end of zones") + 2;
        text.replace_range(
            from..to,
            "        time_zones: [(zone: \"America/New_York\", share: 0.6), (zone: \"America/Los_Angeles\", share: 0.4)],",
        );
        text = text.replacen(
            "horizon_h: Some(8.0)",
            &format!("horizon_h: Some({horizon_h:?})"),
            1,
        );
        if let Some(d) = date {
            text = text.replacen(
                "    seed: 1,",
                &format!("    seed: 1,\n    start_date: \"{d}\","),
                1,
            );
        }
        let scenario = crate::scenario::parse(&text).expect("parses");
        World::compile(&scenario, scenario.seed, &NoFiles)
    }

    #[test]
    fn an_iana_zone_takes_its_offset_at_each_instant_with_daylight_saving() {
        const H: i64 = 3_600_000;
        let winter = named_zones(Some("2026-01-12"), 8.0).expect("compiles");
        assert_eq!(
            (
                winter.offset_ms(0, Millis(0)),
                winter.offset_ms(1, Millis(0))
            ),
            (-5 * H, -8 * H)
        );
        let summer = named_zones(Some("2026-07-06"), 8.0).expect("compiles");
        assert_eq!(
            (
                summer.offset_ms(0, Millis(0)),
                summer.offset_ms(1, Millis(0))
            ),
            (-4 * H, -7 * H)
        );
        // 14:00 UTC is 10:00 in New York in July: the calling window follows the clock.
        assert_eq!(summer.local_hour(0, Millis(0)), 10);
        assert!(matches!(
            named_zones(None, 8.0),
            Err(WorldError::ZoneNeedsDate { zone }) if zone == "America/New_York"
        ));
        // 2026-03-08 is the US change (07:00 UTC in New York, 10:00 UTC in Los Angeles): a
        // week-long campaign from the 5th at 14:00 UTC runs across it on each side's clock.
        let week = named_zones(Some("2026-03-05"), 168.0).expect("compiles");
        let day = |d: u64| Millis(d * 24 * H as u64);
        assert_eq!(week.local_hour(0, day(0)), 9);
        assert_eq!(week.local_hour(0, day(3)), 10);
        assert_eq!(week.local_hour(1, day(3)), 7);
        // 08:00 on Sunday the 8th in New York is 12:00 UTC: the window opens 22 h after the
        // start plus 2 days (13:00 UTC on the winter clock would be an hour late).
        assert!(!week.in_window(0, Millis(day(2).0 + 21 * H as u64)));
        assert!(week.in_window(0, Millis(day(2).0 + 22 * H as u64)));
        // From 22:00 on Saturday the window stays shut until the change at 07:00 UTC, then
        // until 08:00 on the new clock.
        let at = |h: i64| Millis(day(2).0 + (h * H) as u64);
        assert_eq!(week.window_steady_until(0, at(13)), at(17));
        assert_eq!(week.window_steady_until(0, at(17)), at(22));
        let e = named_zones(Some("5 March"), 8.0).unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn a_zone_is_a_name_or_an_offset_not_both_nor_neither() {
        let parse = |zones: &str| {
            let text = include_str!("../../scenarios/small-team.ron");
            let from = text.find("        time_zones: [").expect("zones");
            let to = from + text[from..].find("],").expect("end") + 2;
            let mut t = text.to_string();
            t.replace_range(from..to, &format!("        time_zones: [{zones}],"));
            crate::scenario::parse(&t).map(|s| World::compile(&s, 1, &NoFiles).map(|_| ()))
        };
        let both = parse("(utc_offset_h: -5.0, zone: \"America/New_York\", share: 1.0)");
        assert!(both.unwrap_err().to_string().contains("not both"));
        let neither = parse("(share: 1.0)");
        assert!(
            neither
                .unwrap_err()
                .to_string()
                .contains("give utc_offset_h")
        );
        let unknown = parse("(zone: \"America/Gotham\", share: 1.0)").expect("parses");
        assert!(matches!(unknown, Err(WorldError::UnknownZone { .. })));
    }

    #[test]
    fn an_hour_of_day_mix_holds_in_its_local_hours_only() {
        let w = compile_edited(&[(
            "failed_after: Fixed(s: 1.5),",
            "failed_after: Fixed(s: 1.5),\n        by_local_hour: [(from: \"17:00\", to: \"19:00\", human: 0.5, machine: 0.1, busy: 0.1, no_answer: 0.2, failed: 0.1)],",
        )])
        .expect("compiles");
        let base = [0.32, 0.57, 0.62, 0.95];
        let evening = [0.5, 0.6, 0.7, 0.9];
        for h in 0..24 {
            let expected = if (17..19).contains(&h) { evening } else { base };
            for (got, want) in w.dial_cdf[h].iter().zip(expected) {
                assert!((got - want).abs() < 1e-12, "hour {h}: {:?}", w.dial_cdf[h]);
            }
        }
        // The campaign starts at 14:00 UTC: 09:00 in zone 0 (UTC-5), 06:00 in zone 3 (UTC-8).
        assert_eq!(w.local_hour(0, Millis(0)), 9);
        assert_eq!(w.local_hour(3, Millis(0)), 6);
        assert_eq!(w.local_hour(0, Millis(8 * 3_600_000 + 59 * 60_000)), 17);
        // Past local midnight of the next day.
        assert_eq!(w.local_hour(3, Millis(19 * 3_600_000)), 1);
    }

    #[test]
    fn an_hour_of_day_mix_is_checked_where_it_is_written() {
        let with = |mix: &str| {
            let text = include_str!("../../scenarios/small-team.ron").replacen(
                "failed_after: Fixed(s: 1.5),",
                &format!("failed_after: Fixed(s: 1.5),\n        by_local_hour: [{mix}],"),
                1,
            );
            crate::scenario::parse(&text)
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        let one = |from: &str, to: &str, human: f64| {
            format!(
                "(from: \"{from}\", to: \"{to}\", human: {human}, machine: 0.1, busy: 0.1, no_answer: 0.2, failed: 0.1)"
            )
        };
        let e = with(&one("17:30", "19:00", 0.5));
        assert!(e.contains("not a whole hour"), "{e}");
        let e = with(&one("19:00", "17:00", 0.5));
        assert!(e.contains("crosses midnight"), "{e}");
        let e = with(&one("17:00", "19:00", 0.4));
        assert!(e.contains("sum to") && e.contains("17:00 to 19:00"), "{e}");
        let e = with(&format!(
            "{}, {}",
            one("17:00", "19:00", 0.5),
            one("18:00", "20:00", 0.5)
        ));
        assert!(e.contains("overlaps 17:00 to 19:00"), "{e}");
        let e = with(&one("5pm", "19:00", 0.5));
        assert!(e.contains("\"HH:00\""), "{e}");
    }

    /// The bundled small-team scenario with each `from` (which must occur once) replaced by its
    /// `to`, compiled without files.
    fn compile_edited(edits: &[(&str, &str)]) -> Result<World, WorldError<NoFilesError>> {
        let mut text = include_str!("../../scenarios/small-team.ron").to_string();
        for (from, to) in edits {
            assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
            text = text.replacen(from, to, 1);
        }
        let scenario = crate::scenario::parse(&text).expect("parses");
        World::compile(&scenario, scenario.seed, &NoFiles)
    }

    #[test]
    fn staffing_time_zones_and_intervals_are_checked_when_compiling() {
        assert!(compile_edited(&[("Count(5)", "Count(6)")]).is_ok());
        assert!(matches!(
            compile_edited(&[(
                "Count(5)",
                "Shifts([(start_h: 0.0, end_h: 8.0, agents: 0)])"
            )]),
            Err(WorldError::NoAgents)
        ));
        assert!(matches!(
            compile_edited(&[(
                "Count(5)",
                "Shifts([(start_h: 0.0, end_h: 8.0, agents: 20000), (start_h: 1.0, end_h: 8.0, agents: 1)])"
            )]),
            Err(WorldError::TooManyAgents { staffed: 20_001 })
        ));
        assert!(matches!(
            compile_edited(&[("utc_offset_h: -5.0", "utc_offset_h: -15.0")]),
            Err(WorldError::TimeZoneOutOfRange { utc_offset_h }) if utc_offset_h == -15.0
        ));
        assert!(matches!(
            compile_edited(&[("share: 0.45", "share: 0.55")]),
            Err(WorldError::TimeZoneShares { total }) if (total - 1.1).abs() < 1e-9
        ));
        let e = compile_edited(&[
            ("horizon_h: Some(8.0)", "horizon_h: Some(700.0)"),
            ("series_interval_min: 15.0", "series_interval_min: 0.1"),
        ])
        .map(|_| ())
        .unwrap_err();
        assert!(
            matches!(
                e,
                WorldError::TooManyIntervals {
                    horizon_given: true,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "series_interval_min 0.1 cuts the 700 h horizon into 420000 intervals; at most 100000: use an interval of at least 0.42 min"
        );
    }

    #[test]
    fn a_file_the_inputs_cannot_give_is_their_error() {
        let text = include_str!("../../scenarios/csv-list.ron");
        let scenario = crate::scenario::parse(text).expect("bundled scenario parses");
        let e = World::compile(&scenario, scenario.seed, &NoFiles).unwrap_err();
        assert!(
            matches!(
                &e,
                WorldError::ContactList(NoFilesError::ContactList { path })
                    if path == Path::new("customers-sample.csv")
            ),
            "{e}"
        );
    }

    /// The window cannot change before `window_steady_until`, checked minute by minute over two
    /// days in zones whose offsets put the edges at every kind of place.
    #[test]
    fn window_is_steady_until_its_next_edge() {
        let text = include_str!("../../scenarios/day-100-agents.ron");
        let scenario = crate::scenario::parse(text).expect("bundled scenario parses");
        let world = World::compile(&scenario, scenario.seed, &NoFiles).expect("compiles");
        let minute = 60_000;
        for zone in 0..world.time_zones.len() as u16 {
            let mut now = Millis(0);
            while now.0 < 2 * rules::time::DAY_MS as u64 {
                let until = world.window_steady_until(zone, now);
                assert!(until > now);
                let open = world.in_window(zone, now);
                let mut t = now;
                while t < until {
                    assert_eq!(
                        world.in_window(zone, t),
                        open,
                        "zone {zone} changed at {t:?}"
                    );
                    t += Millis(minute).min(until - t).max(Millis(1));
                }
                now += Millis(7 * minute);
            }
        }
    }
}
