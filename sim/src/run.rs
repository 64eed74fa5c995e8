//! One replication: the pacer loop that asks a strategy, dials, and advances the campaign to the
//! strategy's next question. Single-threaded and pure; running many replications is the
//! experiments' job.

use crate::campaign::{Campaign, DialError, Trace};
use crate::metrics::RepMetrics;
use crate::stream;
use crate::world::World;
use strategies::{AfterRejection, Millis, Pacer, StrategySpec};

/// Runs replication `replication` of `spec` on `world`, every stream drawn from `seed`: ask the
/// pacer, launch, advance to its next question, until dialing stops; then let calls in progress
/// finish.
pub fn replicate(world: &World, spec: &StrategySpec, seed: u64, replication: u32) -> RepMetrics {
    let campaign = Campaign::new(world, seed, replication);
    let mut pacer = spec.build(stream::pacer_seed(seed, replication), world.counting());
    drive(campaign, pacer.as_mut()).0
}

/// Like [`replicate`], keeping every call for inspection.
pub fn replicate_traced(
    world: &World,
    spec: &StrategySpec,
    seed: u64,
    replication: u32,
) -> (RepMetrics, Trace) {
    let campaign = Campaign::new(world, seed, replication).with_trace();
    let mut pacer = spec.build(stream::pacer_seed(seed, replication), world.counting());
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
