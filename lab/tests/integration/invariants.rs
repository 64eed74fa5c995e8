//! Invariants of the campaign model, checked on random scenarios.
//!
//! Proptest draws a scenario (list, time zones, calling window, staffing, dial and IVR behaviour,
//! answering-machine detection, patience, Connect's limits, retry rules, horizon, strategy), writes
//! it as RON, loads it the way `dialsim` does, runs one traced replication and checks what must hold
//! whatever the numbers are:
//!
//! - accounting: every customer has one final code, and the counters agree with the traced calls
//!   (dials, answers, queue entries = abandons + connections, late connections, queue time, …);
//!   the final codes re-derived from the calls give the reported outcome counts;
//! - each call's life is consistent (timestamps in order, IVR choice only after an answer, …);
//! - Connect's limits: no accepted dial found the token bucket empty or the concurrent calls at the
//!   quota, and every refusal had a reason;
//! - customers: never in two calls at once, attempts 1, 2, 3… in dial order, retries only as the
//!   rules allow (kind, delay, max attempts), dials inside the calling window and before the
//!   horizon, never to the do-not-call list; `AsWritten` never dials a customer again once refused;
//! - agents: one call at a time, connections only within their shift;
//! - queue: first come first served, and no caller waits while an agent sits idle;
//! - close: the campaign ends once dialing has stopped and the last call and wrap-up are over; a
//!   caller without a patience limit whom no agent will take leaves then, not later.
//!
//! A failure message carries the whole scenario and the replication, which reproduce it exactly.

use lab::Plan;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rules::rulebook::retry_slot;
use sim::campaign::{Trace, TracedCall};
use sim::metrics::{Code, RepMetrics};
use sim::world::RetryRule;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use strategies::{Choice, Millis, Observation, RejectReason, RingOutcome, StrategySpec};

/// Returns `Err(message)` from the enclosing check unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($msg)+));
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Random scenarios

/// A duration distribution as written in a scenario (seconds).
#[derive(Clone, Debug)]
enum Dist {
    Fixed(u32),
    Exponential(f64),
    LogNormal(f64, f64),
    Uniform(f64, f64),
}

impl Dist {
    fn ron(&self) -> String {
        match *self {
            Dist::Fixed(s) => format!("Fixed(s: {})", num(f64::from(s))),
            Dist::Exponential(m) => format!("Exponential(mean_s: {})", num(m)),
            Dist::LogNormal(m, sd) => format!("LogNormal(mean_s: {}, sd_s: {})", num(m), num(sd)),
            Dist::Uniform(lo, hi) => format!("Uniform(min_s: {}, max_s: {})", num(lo), num(hi)),
        }
    }
}

/// Whole seconds often (they make events tie at the same millisecond), random shapes otherwise.
fn duration(max_s: u32) -> impl Strategy<Value = Dist> {
    let max = f64::from(max_s);
    prop_oneof![
        (0..=max_s).prop_map(Dist::Fixed),
        (0.5..max).prop_map(Dist::Exponential),
        (0.5..max, 0.1..max).prop_map(|(m, sd)| Dist::LogNormal(m, sd)),
        (0.0..max, 0.0..max).prop_map(|(a, b)| Dist::Uniform(a.min(b), a.max(b))),
    ]
}

#[derive(Clone, Debug)]
enum Staff {
    Count(u32),
    /// (start_h, length_h, agents)
    Shifts(Vec<(f64, f64, u32)>),
}

#[derive(Clone, Debug)]
pub(crate) struct Params {
    seed: u64,
    pub(crate) replication: u32,
    size: u32,
    /// (utc_offset_h, weight)
    zones: Vec<(f64, u32)>,
    do_not_call: Option<f64>,
    start_utc_h: f64,
    /// (from_h, to_h)
    window: Option<(u32, u32)>,
    staff: Staff,
    talk: Dist,
    wrap: Dist,
    ring_timeout_s: f64,
    /// human, machine, busy, no answer, failed
    dial_weights: [u32; 5],
    answer_after: Dist,
    busy_after: Dist,
    failed_after: Dist,
    /// (detect_after, false_positive, false_negative)
    amd: Option<(Dist, f64, f64)>,
    prompt: Dist,
    no_input_timeout_s: f64,
    /// agent, call back, e-mail, not interested, no input
    choice_weights: [u32; 5],
    choice_after: [Dist; 4],
    goodbye: Dist,
    patience: Option<Dist>,
    threshold_s: f64,
    /// (per_second, burst)
    start_rate: Option<(f64, u32)>,
    max_concurrent: Option<u32>,
    /// no answer, machine, busy, failed, call back: (after_min, max_attempts)
    retry: [Option<(f64, u32)>; 5],
    pub(crate) horizon_h: f64,
    metrics_lag_s: f64,
    strategy: String,
}

/// A number RON reads back bit for bit (Rust's shortest round-trip form, never an exponent).
pub(crate) fn num(x: f64) -> String {
    let s = x.to_string();
    if s.contains('.') { s } else { s + ".0" }
}

/// Integer weights as probabilities that sum to 1 within the parser's tolerance: the last one is
/// 1 minus the others, so the sum is exact up to rounding.
fn shares(weights: &[u32]) -> Vec<f64> {
    let total: u32 = weights.iter().sum::<u32>().max(1);
    let mut p: Vec<f64> = weights[..weights.len() - 1]
        .iter()
        .map(|&w| f64::from(w) / f64::from(total))
        .collect();
    let rest = (1.0 - p.iter().sum::<f64>()).max(0.0);
    p.push(rest);
    p
}

/// Weights of which at least one is non-zero; the first (a person answers, a caller chooses 1)
/// weighs more, so that calls go on to the IVR and the queue.
fn weights() -> impl Strategy<Value = [u32; 5]> {
    (0u32..=20, prop::array::uniform4(0u32..=10)).prop_map(|(first, rest)| {
        let mut w = [first, rest[0], rest[1], rest[2], rest[3]];
        if w.iter().all(|&x| x == 0) {
            w[0] = 1;
        }
        w
    })
}

fn strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        (1.0..10.0, 0.1..2.0).prop_map(|(poll, step)| format!(
            "AgentsAvailable(poll_s: {}, step_s: {})",
            num(poll),
            num(step)
        )),
        (1.0..10.0).prop_map(|poll| format!("AsWritten(poll_s: {})", num(poll))),
        (1.0..4.0, 0.5..5.0).prop_map(|(ratio, poll)| format!(
            "FixedRatio(ratio: {}, poll_s: {})",
            num(ratio),
            num(poll)
        )),
        (30.0..1500.0).prop_map(|rate| format!("OpenLoop(rate_per_hour: {})", num(rate))),
        (0.5..5.0).prop_map(|poll| format!("Progressive(poll_s: {})", num(poll))),
        (0.05..1.5, 0.01..0.2).prop_map(|(r, target)| format!(
            "FreePlusBusy(r: {}, target_abandon: {})",
            num(r),
            num(target)
        )),
        (1.0..4.0, -40i8..=40, -40i8..=40, 0usize..3).prop_map(
            |(max, intensity, diff, mode)| format!(
                "Adaptive(max_level: {}, intensity: {intensity}, diff_target: {diff}, mode: {}, campaign_end_h: 2.0)",
                num(max),
                ["HardLimit", "Tapered", "Average"][mode]
            )
        ),
        (0.01..0.2).prop_map(|t| format!("PiController(target_abandon: {})", num(t))),
        (0.01..0.2, 1.0..4.0).prop_map(|(t, max)| format!(
            "Predictive(target_abandon: {}, max_lines_per_agent: {})",
            num(t),
            num(max)
        )),
    ]
}

fn staff() -> impl Strategy<Value = Staff> {
    prop_oneof![
        (1u32..=5).prop_map(Staff::Count),
        prop::collection::vec((0.0..5.0, 0.25..4.0, 1u32..=4), 1..=3).prop_map(Staff::Shifts),
    ]
}

fn retry() -> impl Strategy<Value = Option<(f64, u32)>> {
    prop::option::of((0.5..30.0, 1u32..=4))
}

pub(crate) fn params() -> impl Strategy<Value = Params> {
    let list = (
        any::<u64>(),
        0u32..4,
        20u32..300,
        // Offsets in half hours, -12 h to +14 h.
        prop::collection::vec((-24i32..=28, 1u32..=10), 1..=3),
        prop::option::of(0.0..0.3),
        0.0..24.0,
        // (hours after the first zone's local start hour, length): the window opens near the start.
        prop::option::weighted(0.5, (-4i32..=4, 1i32..=12)),
    );
    let agents = (staff(), duration(300), duration(30));
    let dial = (
        15.0..60.0,
        weights(),
        duration(40),
        duration(5),
        duration(3),
        prop::option::of((duration(4), 0.0..0.3, 0.0..0.3)),
    );
    let ivr = (
        duration(10),
        1.0..8.0,
        weights(),
        [duration(6), duration(6), duration(6), duration(6)],
        duration(4),
    );
    let rest = (
        prop::option::of(duration(120)),
        0.0..5.0,
        prop::option::of((0.2..5.0, 1u32..=6)),
        prop::option::of(1u32..=30),
        [retry(), retry(), retry(), retry(), retry()],
        0.5..6.0,
        prop_oneof![Just(0.0), 0.0..5.0],
        strategy(),
    );
    (list, agents, dial, ivr, rest).prop_map(
        |(
            (seed, replication, size, zones, do_not_call, start_utc_h, window),
            (staff, talk, wrap),
            (ring_timeout_s, dial_weights, answer_after, busy_after, failed_after, amd),
            (prompt, no_input_timeout_s, choice_weights, choice_after, goodbye),
            (
                patience,
                threshold_s,
                start_rate,
                max_concurrent,
                retry,
                horizon_h,
                metrics_lag_s,
                strategy,
            ),
        )| Params {
            seed,
            replication,
            size,
            zones: zones
                .iter()
                .map(|&(o, w)| (f64::from(o) / 2.0, w))
                .collect(),
            do_not_call,
            start_utc_h,
            window: window.map(|(after, len)| {
                let local = (start_utc_h + f64::from(zones[0].0) / 2.0).rem_euclid(24.0);
                let from = (local.floor() as i32 + after).clamp(0, 23);
                (from as u32, (from + len).min(24) as u32)
            }),
            staff,
            talk,
            wrap,
            ring_timeout_s,
            dial_weights,
            answer_after,
            busy_after,
            failed_after,
            amd,
            prompt,
            no_input_timeout_s,
            choice_weights,
            choice_after,
            goodbye,
            patience,
            threshold_s,
            start_rate,
            max_concurrent,
            retry,
            horizon_h,
            metrics_lag_s,
            strategy,
        },
    )
}

impl Params {
    pub(crate) fn ron(&self) -> String {
        let mut s = String::new();
        let opt = |o: Option<String>| o.map_or("None".to_string(), |v| format!("Some({v})"));
        let zone_shares = shares(&self.zones.iter().map(|z| z.1).collect::<Vec<_>>());
        let zones = self
            .zones
            .iter()
            .zip(&zone_shares)
            .map(|((o, _), p)| format!("(utc_offset_h: {}, share: {})", num(*o), num(*p)))
            .collect::<Vec<_>>()
            .join(", ");
        let staffing = match &self.staff {
            Staff::Count(n) => format!("Count({n})"),
            Staff::Shifts(v) => format!(
                "Shifts([{}])",
                v.iter()
                    .map(|(start, len, n)| format!(
                        "(start_h: {}, end_h: {}, agents: {n})",
                        num(*start),
                        num(start + len)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let d = shares(&self.dial_weights);
        let c = shares(&self.choice_weights);
        let retry = |r: &Option<(f64, u32)>| {
            opt(r.map(|(after, max)| format!("(after_min: {}, max_attempts: {max})", num(after))))
        };
        let _ = write!(
            s,
            "Scenario(
    name: \"prop\",
    seed: {seed},
    replications: 1,
    horizon_h: Some({horizon}),
    start_utc_h: {start},
    list: Generated(size: {size}, time_zones: [{zones}], do_not_call_share: {dnc}),
    agents: (staffing: {staffing}, talk: {talk}, after_call_work: {wrap}),
    dial: (
        ring_timeout_s: {ring},
        human: {d0}, machine: {d1}, busy: {d2}, no_answer: {d3}, failed: {d4},
        answer_after: {answer}, busy_after: {busy}, failed_after: {failed},
    ),
    amd: {amd},
    ivr: (
        prompt: {prompt}, no_input_timeout_s: {timeout},
        agent: (p: {c0}, after: {a0}), call_back: (p: {c1}, after: {a1}),
        email: (p: {c2}, after: {a2}), not_interested: (p: {c3}, after: {a3}),
        no_input: {c4}, goodbye: {goodbye},
    ),
    queue: (patience: {patience}, compliance_threshold_s: {threshold}),
    limits: (start_rate: {rate}, max_concurrent_calls: {conc}),
    rules: (
        calling_window: {window},
        retry: (no_answer: {r0}, machine: {r1}, busy: {r2}, failed: {r3}, call_back: {r4}, abandoned: None),
    ),
    metrics_lag_s: {lag},
    strategies: [{strategy}],
)
",
            seed = self.seed,
            horizon = num(self.horizon_h),
            start = num(self.start_utc_h),
            size = self.size,
            dnc = opt(self.do_not_call.map(num)),
            talk = self.talk.ron(),
            wrap = self.wrap.ron(),
            ring = num(self.ring_timeout_s),
            d0 = num(d[0]),
            d1 = num(d[1]),
            d2 = num(d[2]),
            d3 = num(d[3]),
            d4 = num(d[4]),
            answer = self.answer_after.ron(),
            busy = self.busy_after.ron(),
            failed = self.failed_after.ron(),
            amd = opt(self.amd.as_ref().map(|(after, fp, fnr)| format!(
                "(detect_after: {}, false_positive: {}, false_negative: {})",
                after.ron(),
                num(*fp),
                num(*fnr)
            ))),
            prompt = self.prompt.ron(),
            timeout = num(self.no_input_timeout_s),
            c0 = num(c[0]),
            c1 = num(c[1]),
            c2 = num(c[2]),
            c3 = num(c[3]),
            c4 = num(c[4]),
            a0 = self.choice_after[0].ron(),
            a1 = self.choice_after[1].ron(),
            a2 = self.choice_after[2].ron(),
            a3 = self.choice_after[3].ron(),
            goodbye = self.goodbye.ron(),
            patience = opt(self.patience.as_ref().map(Dist::ron)),
            threshold = num(self.threshold_s),
            rate = opt(self
                .start_rate
                .map(|(per_s, burst)| format!("(per_second: {}, burst: {burst})", num(per_s)))),
            conc = opt(self.max_concurrent.map(|n| n.to_string())),
            r0 = retry(&self.retry[0]),
            r1 = retry(&self.retry[1]),
            r2 = retry(&self.retry[2]),
            r3 = retry(&self.retry[3]),
            r4 = retry(&self.retry[4]),
            window = self.window.map_or(
                "(from: \"00:00\", to: \"24:00\")".to_string(),
                |(from, to)| format!("(from: \"{from:02}:00\", to: \"{to:02}:00\")")
            ),
            lag = num(self.metrics_lag_s),
            strategy = self.strategy,
        );
        s
    }
}

// ---------------------------------------------------------------------------------------------
// The checks

/// One traced replication and the model it ran on.
struct Run<'a> {
    model: &'a Plan,
    spec: &'a StrategySpec,
    replication: u32,
    metrics: &'a RepMetrics,
    trace: &'a Trace,
}

impl Run<'_> {
    fn calls(&self) -> &[TracedCall] {
        &self.trace.calls
    }
}

fn check_all(run: &Run) -> Result<(), String> {
    check_accounting(run)?;
    for t in run.calls() {
        check_call(run.model, t).map_err(|e| format!("{e}\n  call: {t:?}"))?;
    }
    check_start_rate(run)?;
    check_concurrency(run)?;
    check_customers(run)?;
    check_rejections(run)?;
    check_agents(run)?;
    check_queue(run)?;
    check_close(run)
}

fn answered(ring: RingOutcome) -> bool {
    matches!(ring, RingOutcome::Answered | RingOutcome::MachineDetected)
}

/// The counters agree with the calls, and the outcome table with the customers.
fn check_accounting(run: &Run) -> Result<(), String> {
    let (m, calls, c) = (run.metrics, run.calls(), &run.metrics.counters);
    let count = |f: &dyn Fn(&TracedCall) -> bool| calls.iter().filter(|t| f(t)).count() as u64;
    let customers = run.model.world.customers.len() as u64;

    let total: u64 = m.outcomes.iter().sum();
    ensure!(
        total == customers,
        "outcomes {:?} add up to {total} customers, the list has {customers}",
        m.outcomes
    );
    ensure!(
        c.dials == calls.len() as u64,
        "{} dials counted but {} calls ended: some call never finished",
        c.dials,
        calls.len()
    );
    ensure!(
        c.rejected == run.trace.rejections.len() as u64,
        "{} rejections counted, {} traced",
        c.rejected,
        run.trace.rejections.len()
    );
    let live = count(&|t| t.human);
    ensure!(
        c.live_answers == live,
        "{} live answers counted, {live} calls answered by a person",
        c.live_answers
    );
    let machines = count(&|t| !t.human && answered(t.call.ring));
    ensure!(
        c.machine_answers == machines,
        "{} machine answers counted, {machines} calls answered by a machine",
        c.machine_answers
    );
    let amd_people = count(&|t| t.human && t.call.ring == RingOutcome::MachineDetected);
    ensure!(
        c.amd_hung_up_on_people == amd_people,
        "{} people hung up on by AMD counted, {amd_people} traced",
        c.amd_hung_up_on_people
    );
    let queued = count(&|t| t.call.queued_at.is_some());
    let abandoned = count(&|t| t.call.abandoned);
    let connected = count(&|t| t.call.connected_at.is_some());
    ensure!(
        (c.queue_entries, c.abandoned, c.connected) == (queued, abandoned, connected),
        "counted queue entries / abandons / connections {:?}, traced {:?}",
        (c.queue_entries, c.abandoned, c.connected),
        (queued, abandoned, connected)
    );
    ensure!(
        c.queue_entries == c.abandoned + c.connected,
        "{} callers entered the queue but {} abandoned and {} were connected",
        c.queue_entries,
        c.abandoned,
        c.connected
    );
    let wait = |t: &TracedCall| t.call.queue_wait().unwrap_or(Millis::ZERO);
    let late =
        count(&|t| t.call.connected_at.is_some() && wait(t) > run.model.world.compliance_threshold);
    ensure!(
        c.connected_late == late,
        "{} late connections counted, {late} traced",
        c.connected_late
    );
    // The series' intervals count the same callers, each once (what `connected_late_share`
    // divides).
    let in_buckets =
        |f: fn(&sim::metrics::BucketCounts) -> u64| m.buckets.iter().map(f).sum::<u64>();
    ensure!(
        (
            in_buckets(|b| b.connected),
            in_buckets(|b| b.connected_late)
        ) == (connected, late),
        "the intervals count {} connections and {} late ones, traced {connected} and {late}",
        in_buckets(|b| b.connected),
        in_buckets(|b| b.connected_late)
    );
    let waited = abandoned + count(&|t| t.call.connected_at.is_some() && wait(t) > Millis::ZERO);
    ensure!(
        c.waited == waited,
        "{} callers who waited counted, {waited} traced",
        c.waited
    );
    let queue_time: u64 = calls.iter().map(|t| wait(t).0).sum();
    ensure!(
        c.queue_time_ms == queue_time,
        "{} ms in queue counted, {queue_time} ms traced",
        c.queue_time_ms
    );
    ensure!(
        m.waits.len() == c.connected,
        "{} waits recorded for {} connections",
        m.waits.len(),
        c.connected
    );
    let attempted = calls
        .iter()
        .map(|t| t.call.customer)
        .collect::<HashSet<_>>();
    ensure!(
        m.attempted == attempted.len() as u64,
        "{} customers counted as attempted, {} have calls",
        m.attempted,
        attempted.len()
    );
    for t in calls {
        let last = t.wrap_end.unwrap_or(t.call.ended_at).max(t.call.ended_at);
        ensure!(
            last <= m.end,
            "the campaign ended at {} but a call or its wrap-up ran until {last}: {t:?}",
            m.end
        );
    }

    // Each customer's final code, re-derived from its calls, gives the reported table.
    let mut by_customer: Vec<&TracedCall> = calls.iter().collect();
    by_customer.sort_by_key(|t| (t.call.customer, t.call.attempt));
    let mut codes = vec![Code::NotReached; run.model.world.customers.len()];
    for t in by_customer {
        if let Some(code) = code_of(t) {
            codes[t.call.customer as usize] = code;
        }
    }
    let mut derived = [0u64; 7];
    for code in codes {
        derived[code.index()] += 1;
    }
    ensure!(
        derived == m.outcomes,
        "outcomes {:?} differ from the final codes of the calls {derived:?}",
        m.outcomes
    );
    Ok(())
}

/// The result code a call leaves on its customer (`None`: it keeps the previous one).
fn code_of(t: &TracedCall) -> Option<Code> {
    let c = &t.call;
    match c.ring {
        RingOutcome::MachineDetected => Some(Code::Absent),
        RingOutcome::Answered => Some(match c.choice? {
            Choice::Agent if c.connected_at.is_some() => Code::Agent,
            Choice::Agent if c.abandoned => Code::Abandoned,
            Choice::Agent => return None,
            Choice::CallBack => Code::CallBack,
            Choice::Email => Code::Email,
            Choice::NotInterested => Code::NotInterested,
            Choice::NoInput => Code::Absent,
        }),
        RingOutcome::Busy | RingOutcome::NoAnswer | RingOutcome::Failed => None,
    }
}

/// The retry rule that applies after a call (`None`: the customer is done).
fn retry_rule(model: &Plan, t: &TracedCall) -> Option<RetryRule> {
    let r =
        |after: rules::Outcome| model.world.retry[retry_slot(after).expect("a retried outcome")];
    match t.call.ring {
        RingOutcome::Busy => r(rules::Outcome::Busy),
        RingOutcome::NoAnswer => r(rules::Outcome::NoAnswer),
        RingOutcome::Failed => r(rules::Outcome::Failed),
        RingOutcome::MachineDetected => r(rules::Outcome::Machine),
        RingOutcome::Answered => match t.call.choice {
            Some(Choice::NoInput) => r(rules::Outcome::NoInput),
            Some(Choice::CallBack) => r(rules::Outcome::CallBack),
            _ => None,
        },
    }
}

/// One call's life is in order.
fn check_call(model: &Plan, t: &TracedCall) -> Result<(), String> {
    let c = &t.call;
    ensure!(
        c.dialed_at <= c.ring_ended_at && c.ring_ended_at <= c.ended_at,
        "ring ends outside the call"
    );
    // Busy and failed calls end on their own clock; answers come within the ring timeout.
    let ring = c.ring_ended_at - c.dialed_at;
    ensure!(
        !answered(c.ring) || ring <= model.world.ring_timeout,
        "answered after ringing {ring}, past the ring timeout {}",
        model.world.ring_timeout
    );
    ensure!(
        c.ring != RingOutcome::NoAnswer || ring == model.world.ring_timeout,
        "no answer after ringing {ring}, not the ring timeout {}",
        model.world.ring_timeout
    );
    ensure!(
        !t.human || answered(c.ring),
        "a person answered but the ring outcome is {:?}",
        c.ring
    );
    ensure!(
        c.ring != RingOutcome::MachineDetected || model.world.amd.is_some(),
        "machine detected without answering-machine detection"
    );
    ensure!(
        c.choice.is_some() == (c.ring == RingOutcome::Answered),
        "an IVR choice exactly when the call reached the IVR"
    );
    ensure!(
        t.human || matches!(c.choice, None | Some(Choice::NoInput)),
        "a machine pressed a key"
    );
    ensure!(
        c.queued_at.is_some() == (c.choice == Some(Choice::Agent)),
        "queued exactly when the caller chose 1"
    );
    if let Some(q) = c.queued_at {
        ensure!(
            c.ring_ended_at <= q && q <= c.ended_at,
            "queued outside the call"
        );
        ensure!(
            c.connected_at.is_some() != c.abandoned,
            "a queued caller is either connected or abandoned, not both or neither"
        );
    } else {
        ensure!(
            c.connected_at.is_none() && !c.abandoned,
            "connected or abandoned without queueing"
        );
    }
    ensure!(
        c.connected_at.is_some() == t.agent.is_some() && t.agent.is_some() == t.wrap_end.is_some(),
        "an agent and a wrap-up end exactly when connected"
    );
    if let (Some(q), Some(at), Some(w)) = (c.queued_at, c.connected_at, t.wrap_end) {
        ensure!(
            q <= at && at <= c.ended_at && c.ended_at <= w,
            "connection, talk end and wrap-up end out of order"
        );
    }
    Ok(())
}

/// Replays Connect's token bucket over the instants at which the campaign consulted it (accepted
/// and refused dials), with the campaign's own arithmetic, so the replay is exact.
fn check_start_rate(run: &Run) -> Result<(), String> {
    let Some((per_ms, burst)) = run.model.world.start_rate else {
        return Ok(());
    };
    let burst = f64::from(burst);
    // Instant -> (dials, refused as throttled).
    let mut instants: BTreeMap<Millis, (u32, bool)> = BTreeMap::new();
    for t in run.calls() {
        instants.entry(t.call.dialed_at).or_default().0 += 1;
    }
    for r in &run.trace.rejections {
        instants.entry(r.at).or_default().1 |= r.reason == RejectReason::Throttled;
    }
    let (mut tokens, mut at) = (burst, Millis::ZERO);
    for (t, (dials, throttled)) in instants {
        tokens = (tokens + (t - at).0 as f64 * per_ms).min(burst);
        at = t;
        for k in 0..dials {
            ensure!(
                tokens >= 1.0,
                "dial {} of {dials} at {t} found {tokens} tokens in the bucket",
                k + 1
            );
            tokens -= 1.0;
        }
        // Dials at one instant all come before any refusal there (nothing refills in between).
        ensure!(
            !throttled || tokens < 1.0,
            "a dial at {t} was refused as throttled with {tokens} tokens in the bucket"
        );
    }

    // The bound any token bucket guarantees: at most burst + rate × span dials in any span.
    let mut dials: Vec<Millis> = run.calls().iter().map(|t| t.call.dialed_at).collect();
    dials.sort();
    for i in 0..dials.len() {
        for j in i..dials.len() {
            let allowed = burst + (dials[j] - dials[i]).0 as f64 * per_ms;
            ensure!(
                (j - i + 1) as f64 <= allowed + 1e-6,
                "{} dials from {} to {}, the rate allows {allowed}",
                j - i + 1,
                dials[i],
                dials[j]
            );
        }
    }
    Ok(())
}

/// Checks the concurrent-calls quota at every dial.
///
/// The pacer loop dials in rounds at strictly increasing instants, and processes every event up
/// to and including a round's instant before the round (`run::drive`). So at a dial at `t`, a call
/// dialed earlier that ended at `t` has already freed its line, while every call dialed in the
/// same round (even one whose ring lasts zero) is still up. The last dial of a round therefore
/// saw `up(t) + n(t) − 1` calls, where `up(t)` counts calls with `dialed_at < t < ended_at` and
/// `n(t)` the dials at `t`.
fn check_concurrency(run: &Run) -> Result<(), String> {
    let model_max = run.model.world.max_concurrent_calls;
    let calls = run.calls();
    let mut per_instant: BTreeMap<Millis, (u64, bool)> = BTreeMap::new();
    for t in calls {
        per_instant.entry(t.call.dialed_at).or_default().0 += 1;
    }
    for r in &run.trace.rejections {
        per_instant.entry(r.at).or_default().1 |= r.reason == RejectReason::ConcurrencyLimit;
    }
    for (&t, &(dials, refused)) in &per_instant {
        let Some(max) = model_max else {
            ensure!(
                !refused,
                "a dial at {t} was refused for a concurrency limit that is off"
            );
            continue;
        };
        let up = calls
            .iter()
            .filter(|c| c.call.dialed_at < t && t < c.call.ended_at)
            .count() as u64;
        ensure!(
            up + dials <= u64::from(max),
            "at {t}, {up} calls were up and {dials} more were dialed: over the quota of {max}"
        );
        ensure!(
            !refused || up + dials == u64::from(max),
            "a dial at {t} was refused for concurrency with {} calls up, quota {max}",
            up + dials
        );
    }
    Ok(())
}

/// Per customer: one call at a time, attempts in order, retries as the rules say, dials only when
/// allowed.
fn check_customers(run: &Run) -> Result<(), String> {
    let model = run.model;
    let mut by_customer: HashMap<u32, Vec<&TracedCall>> = HashMap::new();
    for t in run.calls() {
        by_customer.entry(t.call.customer).or_default().push(t);
    }
    for (customer, mut calls) in by_customer {
        calls.sort_by_key(|t| t.call.attempt);
        let info = model.world.customers[customer as usize];
        for (i, t) in calls.iter().enumerate() {
            let c = &t.call;
            ensure!(
                c.attempt == i as u32 + 1,
                "customer {customer}: attempts {:?}, not 1, 2, 3…",
                calls.iter().map(|t| t.call.attempt).collect::<Vec<_>>()
            );
            ensure!(
                !info.do_not_call,
                "customer {customer} is on the do-not-call list but was dialed at {}",
                c.dialed_at
            );
            ensure!(
                c.dialed_at < model.world.horizon,
                "customer {customer} dialed at {}, at or after the horizon {}",
                c.dialed_at,
                model.world.horizon
            );
            ensure!(
                model.world.in_window(info.zone, c.dialed_at),
                "customer {customer} (zone {}) dialed at {}, outside the calling window",
                info.zone,
                c.dialed_at
            );
            if let Some(exhausted) = run.metrics.list_exhausted_at {
                ensure!(
                    c.dialed_at <= exhausted,
                    "customer {customer} dialed at {} after the list was exhausted at {exhausted}",
                    c.dialed_at
                );
            }
        }
        for pair in calls.windows(2) {
            let (prev, next) = (pair[0], pair[1]);
            ensure!(
                prev.call.ended_at <= next.call.dialed_at,
                "customer {customer} in two calls at once: attempt {} ran {}..{}, attempt {} \
                 dialed at {}",
                prev.call.attempt,
                prev.call.dialed_at,
                prev.call.ended_at,
                next.call.attempt,
                next.call.dialed_at
            );
            let Some(rule) = retry_rule(model, prev) else {
                return Err(format!(
                    "customer {customer} dialed again after an attempt no rule retries: {prev:?}"
                ));
            };
            ensure!(
                prev.call.attempt < rule.max_attempts,
                "customer {customer} got attempt {} though the rule allows {}",
                next.call.attempt,
                rule.max_attempts
            );
            ensure!(
                next.call.dialed_at >= prev.call.ended_at + rule.after,
                "customer {customer} retried at {}, before the delay {} after {} had passed",
                next.call.dialed_at,
                rule.after,
                prev.call.ended_at
            );
        }
    }
    Ok(())
}

/// A refusal happened only when the customer could have been dialed; `AsWritten` never dials a
/// refused customer again (the sample's uncaught exception), so it keeps its code (-1 if never
/// dialed).
fn check_rejections(run: &Run) -> Result<(), String> {
    let model = run.model;
    let as_written = matches!(run.spec, StrategySpec::AsWritten { .. });
    let mut refused = HashSet::new();
    for r in &run.trace.rejections {
        let info = model.world.customers[r.customer as usize];
        ensure!(
            !info.do_not_call
                && r.at < model.world.horizon
                && model.world.in_window(info.zone, r.at),
            "customer {} refused at {} though it could not be dialed then",
            r.customer,
            r.at
        );
        if !as_written {
            continue;
        }
        ensure!(
            refused.insert(r.customer),
            "AsWritten: customer {} refused twice",
            r.customer
        );
        for t in run.calls().iter().filter(|t| t.call.customer == r.customer) {
            ensure!(
                t.call.ended_at <= r.at,
                "AsWritten: customer {} refused at {} was dialed again: {t:?}",
                r.customer,
                r.at
            );
        }
    }
    Ok(())
}

/// Per agent: one call at a time, connections only while logged in.
fn check_agents(run: &Run) -> Result<(), String> {
    for (agent, busy) in agent_busy(run) {
        let (start, end) = run.model.world.agents[agent as usize];
        for &(at, _) in &busy {
            ensure!(
                start <= at && at < end,
                "agent {agent} took a call at {at}, outside its shift {start}..{end}"
            );
        }
        for pair in busy.windows(2) {
            ensure!(
                pair[0].1 <= pair[1].0,
                "agent {agent} took a call at {} while busy until {}",
                pair[1].0,
                pair[0].1
            );
        }
    }
    Ok(())
}

/// Each agent's (connected, wrap-up end) intervals, in order.
fn agent_busy(run: &Run) -> BTreeMap<u32, Vec<(Millis, Millis)>> {
    let mut busy: BTreeMap<u32, Vec<(Millis, Millis)>> = BTreeMap::new();
    for t in run.calls() {
        if let (Some(a), Some(at), Some(w)) = (t.agent, t.call.connected_at, t.wrap_end) {
            busy.entry(a).or_default().push((at, w));
        }
    }
    for v in busy.values_mut() {
        v.sort();
    }
    busy
}

/// The queue is first come first served and work-conserving.
fn check_queue(run: &Run) -> Result<(), String> {
    // (queued, left the queue, connected?)
    let waits: Vec<(Millis, Millis, bool)> = run
        .calls()
        .iter()
        .filter_map(|t| {
            let q = t.call.queued_at?;
            let left = t.call.connected_at.unwrap_or(t.call.ended_at);
            Some((q, left, t.call.connected_at.is_some()))
        })
        .collect();

    // Nobody who queued later was taken while an earlier caller still waited.
    for &(qa, left_a, _) in &waits {
        for &(qb, taken_b, connected_b) in &waits {
            ensure!(
                !(connected_b && qa < qb && taken_b < left_a),
                "a caller queued at {qb} was taken at {taken_b} while one queued at {qa} \
                 waited until {left_a}"
            );
        }
    }

    // No agent sat idle in its shift while someone waited. Agents logging in at or after the
    // horizon are left out: once dialing stops, shifts that have not started are not worked.
    let busy = agent_busy(run);
    for (agent, &(start, end)) in run.model.world.agents.iter().enumerate() {
        if start >= run.model.world.horizon {
            continue;
        }
        let intervals = busy.get(&(agent as u32)).map_or(&[][..], Vec::as_slice);
        let mut gaps = Vec::new();
        let mut free_from = start;
        for &(at, wrap_end) in intervals {
            gaps.push((free_from, at.min(end)));
            free_from = wrap_end;
        }
        gaps.push((free_from, end));
        for (g0, g1) in gaps.into_iter().filter(|(g0, g1)| g0 < g1) {
            for &(q, left, _) in &waits {
                ensure!(
                    !(q < left && g0 < left && q < g1),
                    "agent {agent} was idle from {g0} to {g1} while a caller waited from {q} \
                     to {left}"
                );
            }
        }
    }
    Ok(())
}

/// The latest instant at which the pacer loop can have stopped dialing: its first round at or
/// after the horizon, or after the list ran out if that came first. (A round at the very instant
/// the list runs out may still dial: a call it places can end at once and be the last.)
fn stop_bound(run: &Run) -> Millis {
    let horizon = run.model.world.horizon;
    let exhausted = run.metrics.list_exhausted_at.unwrap_or(Millis::MAX);
    let limit = horizon.min(exhausted);
    let longest_wait = |s: f64| Millis::from_secs_f64(s).max(Millis(1));
    match run.spec {
        StrategySpec::AgentsAvailable { poll_s, step_s } => {
            limit + longest_wait(poll_s.get().max(step_s.get()))
        }
        StrategySpec::AsWritten { poll_s }
        | StrategySpec::FixedRatio { poll_s, .. }
        | StrategySpec::Progressive { poll_s }
        | StrategySpec::FreePlusBusy { poll_s, .. } => limit + longest_wait(poll_s.get()),
        // These decide every second.
        StrategySpec::Adaptive { .. }
        | StrategySpec::PiController { .. }
        | StrategySpec::Predictive { .. } => limit + Millis(1_000),
        // Its rounds do not depend on what it sees, so they can be replayed exactly.
        StrategySpec::OpenLoop { .. } => {
            let seed = sim::stream::pacer_seed(run.model.seed, run.replication);
            let mut pacer = run.spec.build(seed, strategies::Counting::default());
            let mut t = Millis::ZERO;
            while t < horizon && t <= exhausted {
                t += pacer
                    .decide(&Observation::default())
                    .recheck_after
                    .max(Millis(1));
            }
            t
        }
    }
}

/// The campaign closes when dialing has stopped and the last call and wrap-up are over
/// (`RepMetrics::end`). A caller who would wait forever but was never taken leaves then, and not
/// before: such a caller is the only way to be abandoned without a patience limit.
fn check_close(run: &Run) -> Result<(), String> {
    let waits_forever = |t: &TracedCall| t.call.abandoned && run.model.world.patience.is_none();
    // Such a caller's last act is joining the queue.
    let last_activity = run
        .calls()
        .iter()
        .map(|t| match (waits_forever(t), t.call.queued_at) {
            (true, Some(q)) => q,
            _ => t.wrap_end.unwrap_or(t.call.ended_at).max(t.call.ended_at),
        })
        .max()
        .unwrap_or(Millis::ZERO);
    let close = stop_bound(run).max(last_activity);
    ensure!(
        run.metrics.end <= close,
        "the campaign ended at {}, after dialing stopped (by {}) and the last call or wrap-up \
         ended ({last_activity})",
        run.metrics.end,
        stop_bound(run)
    );
    for t in run.calls().iter().filter(|t| waits_forever(t)) {
        ensure!(
            last_activity <= t.call.ended_at && t.call.ended_at <= close,
            "a caller without a patience limit left the queue at {}, not when the campaign \
             closed (last call or wrap-up {last_activity}, dialing stopped by {}): {t:?}",
            t.call.ended_at,
            stop_bound(run)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The property

fn run_case(p: &Params) -> Result<(), TestCaseError> {
    let text = p.ron();
    let fail = |e: String| {
        TestCaseError::fail(format!(
            "{e}\n--- replication {} of this scenario ---\n{text}",
            p.replication
        ))
    };
    let scenario = lab::load::parse(&text, Path::new("prop.ron"))
        .map_err(|e| fail(format!("the generated scenario does not parse: {e}")))?;
    let model = match lab::Plan::compile(&scenario, &lab::inputs::Files::new(Path::new("."))) {
        Ok(model) => model,
        // A target its declared detector alone breaks is refused by design (tested elsewhere).
        Err(lab::plan::PlanError::World(sim::world::WorldError::TargetUnreachable { .. })) => {
            return Ok(());
        }
        Err(e) => {
            return Err(fail(format!(
                "the generated scenario does not compile: {e}"
            )));
        }
    };
    let spec = &model.strategies[0];
    let (metrics, trace) = lab::run::replicate_traced(&model, spec, p.replication);
    let run = Run {
        model: &model,
        spec,
        replication: p.replication,
        metrics: &metrics,
        trace: &trace,
    };
    check_all(&run).map_err(fail)
}

proptest! {
    // The failure message holds the whole scenario, so no regression file is written.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn campaign_invariants_hold_on_random_scenarios(p in params()) {
        run_case(&p)?;
    }
}
