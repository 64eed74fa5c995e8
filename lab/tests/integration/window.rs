//! The measurement window (`measure`) on random scenarios: a window changes nothing that happens,
//! only what is counted, and what it counts is what the calls dialed in it did.
//!
//! For each scenario of the invariants' generator, one traced replication without a window, then
//! the same replication measured over windows cut at random minutes a < b < c (a and b before
//! the horizon, c possibly after it):
//!
//! - the traced calls and refusals are the same with a window as without;
//! - the counters over [a, c) are those of the calls dialed in it (and the refusals made in it),
//!   counted again from the trace, and the busy and talk time is that of the agents' spans cut
//!   to the window;
//! - counters, agent times, waits and the window's per-interval counts over [a, b) and [b, c)
//!   add up to those over [a, c);
//! - [0, horizon) dials every call: its counters, waits and per-interval counts are the
//!   default's, and so is every metric the catalogue counts by calls, by worst windows or over
//!   the campaign; a window from 0 to beyond the campaign's end gives every metric the default's
//!   value.
//!
//! A failure message carries the scenario and the replication, which reproduce it exactly.

use crate::invariants::{Params, num, params};
use lab::Plan;
use lab::catalogue::{Measured, Metric};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use sim::metrics::{BucketCounts, Counters, RepMetrics};
use sim::{Millis, Trace};
use std::path::Path;

/// Returns `Err(message)` from the enclosing check unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// The scenario text with `measure` (the block's inside, `None` for no window).
fn with_measure(text: &str, measure: Option<String>) -> String {
    match measure {
        None => text.to_string(),
        Some(m) => text.replacen(
            "    strategies: [",
            &format!("    measure: ({m}),\n    strategies: ["),
            1,
        ),
    }
}

/// The plan of `text`; `None` for a target its declared detector alone breaks (refused by
/// design, tested elsewhere).
fn compile(text: &str) -> Result<Option<Plan>, String> {
    let scenario = lab::load::parse(text, Path::new("prop.ron"))
        .map_err(|e| format!("the scenario does not parse: {e}"))?;
    match Plan::compile(&scenario, &lab::inputs::Files::new(Path::new("."))) {
        Ok(plan) => Ok(Some(plan)),
        Err(lab::plan::PlanError::World(sim::world::WorldError::TargetUnreachable { .. })) => {
            Ok(None)
        }
        Err(e) => Err(format!("the scenario does not compile: {e}")),
    }
}

/// Counters added field by field (a field added to `Counters` must be added here too).
fn sum(a: &Counters, b: &Counters) -> Counters {
    let Counters {
        dials,
        rejected,
        live_answers,
        machine_answers,
        queue_entries,
        abandoned,
        connected,
        connected_late,
        amd_hung_up_on_people,
        waited,
        queue_time_ms,
        calls_outside_window,
        short_rings,
        redials_after_abandon,
        calls_to_do_not_call,
    } = *a;
    Counters {
        dials: dials + b.dials,
        rejected: rejected + b.rejected,
        live_answers: live_answers + b.live_answers,
        machine_answers: machine_answers + b.machine_answers,
        queue_entries: queue_entries + b.queue_entries,
        abandoned: abandoned + b.abandoned,
        connected: connected + b.connected,
        connected_late: connected_late + b.connected_late,
        amd_hung_up_on_people: amd_hung_up_on_people + b.amd_hung_up_on_people,
        waited: waited + b.waited,
        queue_time_ms: queue_time_ms + b.queue_time_ms,
        calls_outside_window: calls_outside_window + b.calls_outside_window,
        short_rings: short_rings + b.short_rings,
        redials_after_abandon: redials_after_abandon + b.redials_after_abandon,
        calls_to_do_not_call: calls_to_do_not_call + b.calls_to_do_not_call,
    }
}

fn bucket_sum(a: &BucketCounts, b: &BucketCounts) -> BucketCounts {
    let BucketCounts {
        dials,
        live_answers,
        queue_entries,
        abandoned,
        regulatory_abandons,
        connected,
        connected_late,
    } = *a;
    BucketCounts {
        dials: dials + b.dials,
        live_answers: live_answers + b.live_answers,
        queue_entries: queue_entries + b.queue_entries,
        abandoned: abandoned + b.abandoned,
        regulatory_abandons: regulatory_abandons + b.regulatory_abandons,
        connected: connected + b.connected,
        connected_late: connected_late + b.connected_late,
    }
}

/// Milliseconds of `[from, to)` inside `[lo, hi)`.
fn overlap(from: Millis, to: Millis, lo: Millis, hi: Millis) -> u128 {
    u128::from(to.0.min(hi.0).saturating_sub(from.0.max(lo.0)))
}

/// The window's counters and agent times counted again from the trace of the same replication.
fn check_against_trace(
    m: &RepMetrics,
    trace: &Trace,
    threshold: Millis,
    (lo, hi): (Millis, Millis),
) -> Result<(), String> {
    let calls: Vec<_> = trace
        .calls
        .iter()
        .filter(|t| lo <= t.call.dialed_at && t.call.dialed_at < hi)
        .collect();
    let count = |f: &dyn Fn(&sim::TracedCall) -> bool| calls.iter().filter(|t| f(t)).count() as u64;
    let wait = |t: &sim::TracedCall| t.call.queue_wait().unwrap_or(Millis::ZERO);
    let answered = |t: &sim::TracedCall| {
        matches!(
            t.call.ring,
            strategies::RingOutcome::Answered | strategies::RingOutcome::MachineDetected
        )
    };
    let c = &m.counters;
    let connected = count(&|t| t.call.connected_at.is_some());
    let abandoned = count(&|t| t.call.abandoned);
    let expected = [
        ("dials", c.dials, calls.len() as u64),
        (
            "refusals",
            c.rejected,
            trace
                .rejections
                .iter()
                .filter(|r| lo <= r.at && r.at < hi)
                .count() as u64,
        ),
        ("live answers", c.live_answers, count(&|t| t.human)),
        (
            "machine answers",
            c.machine_answers,
            count(&|t| !t.human && answered(t)),
        ),
        (
            "people hung up on by AMD",
            c.amd_hung_up_on_people,
            count(&|t| t.human && t.call.ring == strategies::RingOutcome::MachineDetected),
        ),
        (
            "queue entries",
            c.queue_entries,
            count(&|t| t.call.queued_at.is_some()),
        ),
        ("abandons", c.abandoned, abandoned),
        ("connections", c.connected, connected),
        (
            "late connections",
            c.connected_late,
            count(&|t| t.call.connected_at.is_some() && wait(t) > threshold),
        ),
        (
            "callers who waited",
            c.waited,
            abandoned + count(&|t| t.call.connected_at.is_some() && wait(t) > Millis::ZERO),
        ),
        (
            "ms in queue",
            c.queue_time_ms,
            calls.iter().map(|t| wait(t).0).sum(),
        ),
        ("waits recorded", m.waits.len(), connected),
    ];
    for (what, counted, traced) in expected {
        ensure!(
            counted == traced,
            "{what}: {counted} counted over the window, {traced} among the calls dialed in it"
        );
    }
    // Agent time counts whichever call it was spent on: every span, cut to the window.
    let (mut talk, mut busy) = (0u128, 0u128);
    for t in &trace.calls {
        if let (Some(from), Some(wrap_end)) = (t.call.connected_at, t.wrap_end) {
            talk += overlap(from, t.call.ended_at, lo, hi);
            busy += overlap(from, wrap_end, lo, hi);
        }
    }
    ensure!(
        (m.talk_ms, m.busy_ms) == (talk, busy),
        "talk and busy ms over the window {:?}, the agents' spans cut to it {:?}",
        (m.talk_ms, m.busy_ms),
        (talk, busy)
    );
    Ok(())
}

fn check(p: &Params, cuts: (f64, f64, f64)) -> Result<(), String> {
    let base = p.ron();
    let Some(plan) = compile(&base)? else {
        return Ok(());
    };
    let spec = &plan.strategies[0];
    let (whole, trace) = lab::run::replicate_traced(&plan, spec, p.replication);
    ensure!(
        whole.window == sim::metrics::Window::WHOLE,
        "a scenario without measure counts the whole campaign"
    );
    // Whole minutes, so that the windows' edges are the same milliseconds on both sides of b;
    // cut where calls were dialed (a small list is done long before the horizon), a and b
    // before the horizon.
    let horizon_min = (p.horizon_h * 60.0).floor() as u32;
    if horizon_min < 3 {
        return Ok(());
    }
    let last_dial = trace.calls.iter().map(|t| t.call.dialed_at.0).max();
    let span = last_dial.map_or(horizon_min, |t| (t / 60_000) as u32 + 1);
    let span = span.clamp(2, horizon_min - 1);
    let a = (cuts.0 * f64::from(span - 1)) as u32;
    let b = a + 1 + (cuts.1 * f64::from(span - a - 1)) as u32;
    let c = b + 1 + (cuts.2 * f64::from(span)) as u32;
    let hours = |minutes: u32| num(f64::from(minutes) / 60.0);
    let run = |measure: String, traced: bool| -> Result<(RepMetrics, Option<Trace>), String> {
        let text = with_measure(&base, Some(measure.clone()));
        let plan = compile(&text)?
            .ok_or_else(|| format!("measure ({measure}) made the scenario uncompilable"))?;
        let spec = &plan.strategies[0];
        Ok(if traced {
            let (m, t) = lab::run::replicate_traced(&plan, spec, p.replication);
            (m, Some(t))
        } else {
            (lab::run::replicate(&plan, spec, p.replication), None)
        })
    };
    let window = |from: u32, to: u32| format!("from_h: {}, to_h: {}", hours(from), hours(to));

    let (ac, ac_trace) = run(window(a, c), true)?;
    let ac_trace = ac_trace.expect("traced");
    ensure!(
        ac_trace.calls == trace.calls && ac_trace.rejections == trace.rejections,
        "the window [{a}, {c}) min changed the calls"
    );
    let ms = |minutes: u32| Millis(u64::from(minutes) * 60_000);
    check_against_trace(&ac, &trace, plan.world.compliance_threshold, (ms(a), ms(c)))
        .map_err(|e| format!("window [{a}, {c}) min: {e}"))?;

    let (ab, _) = run(window(a, b), false)?;
    let (bc, _) = run(window(b, c), false)?;
    ensure!(
        sum(&ab.counters, &bc.counters) == ac.counters,
        "counters over [{a}, {b}) + [{b}, {c}) min: {:?}, over [{a}, {c}) min: {:?}",
        sum(&ab.counters, &bc.counters),
        ac.counters
    );
    for (what, parts, whole) in [
        ("staffed", ab.staffed_ms + bc.staffed_ms, ac.staffed_ms),
        ("busy", ab.busy_ms + bc.busy_ms, ac.busy_ms),
        ("talk", ab.talk_ms + bc.talk_ms, ac.talk_ms),
    ] {
        ensure!(
            parts == whole,
            "{what} ms over [{a}, {b}) + [{b}, {c}) min: {parts}, over [{a}, {c}) min: {whole}"
        );
    }
    let mut waits = ab.waits.clone();
    waits.add(&bc.waits).expect("histograms merge");
    ensure!(
        waits == ac.waits,
        "the waits over [{a}, {b}) and [{b}, {c}) min are not those over [{a}, {c}) min"
    );
    // Each window's per-interval counts start at the interval holding its start.
    let interval = whole.interval.0.max(1);
    let first = |minutes: u32| (ms(minutes).0 / interval) as usize;
    let shift = first(b) - first(a);
    let (ab_b, bc_b, ac_b) = (
        ab.measured_buckets(),
        bc.measured_buckets(),
        ac.measured_buckets(),
    );
    let series = whole.buckets.len();
    let lengths = (ab_b.len(), bc_b.len(), ac_b.len());
    let expected = (
        series.saturating_sub(first(a)),
        series.saturating_sub(first(b)),
        series.saturating_sub(first(a)),
    );
    ensure!(
        lengths == expected,
        "per-interval counts of [{a}, {b}), [{b}, {c}), [{a}, {c}) min have {lengths:?} intervals, \
         not {expected:?} (to the series' end, {series} intervals)"
    );
    for (i, expected) in ac_b.iter().enumerate() {
        let parts = match i.checked_sub(shift).and_then(|j| bc_b.get(j)) {
            Some(later) => bucket_sum(&ab_b[i], later),
            None => ab_b[i],
        };
        ensure!(
            parts == *expected,
            "interval {i} of [{a}, {c}) min: {expected:?}, of the two parts: {parts:?}"
        );
    }

    // Every call is dialed before the horizon.
    let (to_horizon, _) = run(format!("from_h: 0.0, to_h: {}", num(p.horizon_h)), false)?;
    ensure!(
        to_horizon.counters == whole.counters
            && to_horizon.waits == whole.waits
            && to_horizon.measured_buckets() == whole.measured_buckets(),
        "[0, horizon) counts {:?}, the whole campaign {:?}",
        to_horizon.counters,
        whole.counters
    );
    for metric in Metric::ALL {
        if metric.measured() != Measured::Time {
            ensure!(
                metric.per_replication(&to_horizon) == metric.per_replication(&whole),
                "{}: {:?} over [0, horizon), {:?} over the whole campaign",
                metric.key(),
                metric.per_replication(&to_horizon),
                metric.per_replication(&whole)
            );
        }
    }
    if whole.end <= Millis::from_secs(744 * 3_600) {
        let (all, _) = run("from_h: 0.0, to_h: 744.0".into(), false)?;
        for metric in Metric::ALL {
            ensure!(
                metric.per_replication(&all) == metric.per_replication(&whole),
                "{}: {:?} over [0, 744 h), {:?} without a window",
                metric.key(),
                metric.per_replication(&all),
                metric.per_replication(&whole)
            );
        }
    }
    Ok(())
}

proptest! {
    // The failure message holds the whole scenario, so no regression file is written.
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_window_counts_the_calls_dialed_in_it_and_windows_add_up(
        p in params(),
        cuts in (0.0..1.0f64, 0.0..1.0f64, 0.0..1.0f64),
    ) {
        check(&p, cuts).map_err(|e| TestCaseError::fail(format!(
            "{e}\n--- replication {} of this scenario, cut at {cuts:?} ---\n{}",
            p.replication,
            p.ron()
        )))?;
    }
}
