//! Running strategies on a model: the pacer loop for one replication, and replications in
//! parallel with results that do not depend on the number of threads.

use crate::campaign::{Campaign, DialError, Trace};
use crate::metrics::RepMetrics;
use crate::model::Model;
use crate::stream;
use crate::summary::{Results, summarise};
use rayon::prelude::*;
use strategies::{AfterRejection, Millis, Pacer, StrategySpec};

/// Runs one replication of `spec` on `model`: ask the pacer, launch, advance to its next
/// question, until dialing stops; then let calls in progress finish.
pub fn replicate(model: &Model, spec: &StrategySpec, replication: u32) -> RepMetrics {
    let campaign = Campaign::new(model, replication);
    let mut pacer = spec.build(stream::pacer_seed(model.seed, replication));
    drive(campaign, pacer.as_mut()).0
}

/// Like [`replicate`], keeping every call for inspection.
pub fn replicate_traced(
    model: &Model,
    spec: &StrategySpec,
    replication: u32,
) -> (RepMetrics, Trace) {
    let campaign = Campaign::new(model, replication).with_trace();
    let mut pacer = spec.build(stream::pacer_seed(model.seed, replication));
    let (metrics, trace) = drive(campaign, pacer.as_mut());
    (metrics, trace.expect("trace was requested"))
}

/// The pacer loop. A refused dial is reported to the pacer; if it wants the customer retried,
/// the rest of this round is skipped (Connect would refuse them too) until its next decision.
pub fn drive(mut campaign: Campaign<'_>, pacer: &mut dyn Pacer) -> (RepMetrics, Option<Trace>) {
    let mut decisions = 0;
    loop {
        for call in campaign.drain_finished() {
            pacer.on_outcome(&call);
        }
        if !campaign.can_dial_again() {
            break;
        }
        let decision = pacer.decide(&campaign.observe());
        decisions += 1;
        for _ in 0..decision.launch {
            let Some(customer) = campaign.next_callable() else {
                break;
            };
            match campaign.dial(customer) {
                Ok(()) => {}
                Err(DialError::Rejected(r)) => match pacer.on_rejected(&r) {
                    AfterRejection::Retry => break,
                    AfterRejection::GiveUp => campaign.give_up(customer),
                },
                Err(DialError::NotCallable) => break,
            }
        }
        // A pacer asleep past the horizon would keep the campaign open with nothing to do.
        let next = (campaign.now() + decision.recheck_after.max(Millis(1))).min(campaign.horizon());
        campaign.advance_to(next);
    }
    let (mut metrics, trace) = campaign.finish();
    // A pacer waking up is an event of the simulation too (a timeout, in SimPy's terms).
    metrics.events += decisions;
    (metrics, trace)
}

/// Every replication of one strategy, in replication order. Replications run in parallel on the
/// current rayon pool and are collected by index, so the result does not depend on the number of
/// threads; `on_replication` is called after each one (for progress bars).
pub fn replications(
    model: &Model,
    spec: &StrategySpec,
    on_replication: &(dyn Fn() + Sync),
) -> Vec<RepMetrics> {
    (0..model.replications)
        .into_par_iter()
        .map(|r| {
            let m = replicate(model, spec, r);
            on_replication();
            m
        })
        .collect()
}

/// Every replication of every strategy in the model, summarised. Replications run in parallel on
/// the current rayon pool; `on_replication` is called after each one (for progress bars).
pub fn run_all(model: &Model, on_replication: &(dyn Fn() + Sync)) -> Results {
    // Every (strategy, replication) pair in one parallel pass, so no thread waits for the last
    // replication of one strategy before the next starts; collected by index, as before.
    let reps = model.replications as usize;
    let all: Vec<RepMetrics> = (0..model.strategies.len() * reps)
        .into_par_iter()
        .map(|i| {
            let m = replicate(model, &model.strategies[i / reps], (i % reps) as u32);
            on_replication();
            m
        })
        .collect();
    let strategies = model
        .strategies
        .iter()
        .enumerate()
        .map(|(s, spec)| summarise(spec, &all[s * reps..(s + 1) * reps]))
        .collect();
    Results::new(model, strategies)
}
