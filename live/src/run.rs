//! `live run`: the dialing loop. The same [`Pacer`] objects as in the simulator, asked on the
//! wall clock (or a rehearsal clock running `time_scale` times faster), fed with Connect's queue
//! metrics and the outcomes of the campaign's own calls.
//!
//! Safety rests on the store ([`crate::store`]): every attempt is committed as `planned`, with
//! its ClientToken, before StartOutboundVoiceContact is sent; an answer that is lost (a 5xx, a
//! timeout, a dropped connection, a crash) is resolved by re-sending the same token, which
//! Connect answers with the contact it already started. Throttling is handled here, not by the
//! SDK: the attempt stays planned and is re-sent after a backoff, and the pacer is told.
//!
//! This module reads the clock (through [`Clock`]); everything it decides with is in the store.

use crate::compliance::{self, KillSwitchState};
use crate::config::{KillAction, Loaded};
use crate::connect::{ApiError, Connect, Operation, QueueMetrics};
use crate::contact::{self, ContactView, Stage};
use crate::mask::mask_phone;
use crate::outcome::Outcome;
use crate::store::{Attempt, Finish, MetricSample, Recovery, Store, StoreError};
use crate::time::{MINUTE_MS, UnixMillis};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};
use strategies::{
    AfterRejection, CallRecord, InFlight, Millis, Observation, Pacer, RejectReason, Rejection,
    StrategySpec,
};
use tokio::sync::watch;

/// The campaign clock: wall time, or a rehearsal's faster time.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    wall: Instant,
    campaign: UnixMillis,
    scale: f64,
}

impl Clock {
    /// A clock that reads `campaign` now and runs `scale` times faster than the wall clock.
    pub fn new(campaign: UnixMillis, scale: f64) -> Clock {
        Clock {
            wall: Instant::now(),
            campaign,
            scale,
        }
    }

    pub fn now(&self) -> UnixMillis {
        let wall_ms = self.wall.elapsed().as_secs_f64() * 1_000.0;
        self.campaign.plus_ms((wall_ms * self.scale) as i64)
    }

    /// Moves the clock forward to `t` if it is behind. A rehearsal's clock starts when `live`
    /// starts, after the stand-in's: the times the stand-in reports pull it level.
    pub fn catch_up(&mut self, t: UnixMillis) {
        let now = self.now();
        if t > now {
            self.campaign = self.campaign.plus_ms(t.0 - now.0);
        }
    }

    /// The wall-clock time that `campaign_ms` of campaign time takes.
    pub fn wall(&self, campaign_ms: i64) -> Duration {
        Duration::from_secs_f64((campaign_ms.max(0) as f64 / self.scale) / 1_000.0)
    }
}

/// How `live run` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Campaign milliseconds per wall millisecond: 1 for a real campaign, more for a rehearsal
    /// against the stand-in.
    pub time_scale: f64,
    /// Do everything but the dial, on a copy of the store.
    pub dry_run: bool,
    /// Stop launching after this much campaign time.
    pub stop_after_ms: Option<i64>,
    /// After a stop is asked for, wait at most this long (wall clock) for calls in flight.
    pub drain: Duration,
    /// How often to read the queue metrics, in campaign milliseconds.
    pub metrics_every_ms: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time_scale: 1.0,
            dry_run: false,
            stop_after_ms: None,
            drain: Duration::from_secs(120),
            metrics_every_ms: 1_000,
        }
    }
}

/// Why the loop ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Every customer has a final result (or no call left under the rules).
    ListDone,
    /// `--stop-after` was reached.
    StopAfter,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// Dry run: nothing more is callable now.
    DryRunDone,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub end: Option<End>,
    /// StartOutboundVoiceContact requests that Connect answered with a contact id.
    pub placed: u64,
    /// Of those, re-sent tokens (after a lost answer or a crash).
    pub reissued: u64,
    pub finished: u64,
    pub throttled: u64,
    pub ambiguous: u64,
    /// Dials Connect refused for good.
    pub refused: u64,
    /// Calls still in flight when the run stopped (their outcome is read next run).
    pub left_in_flight: u64,
    /// Planned attempts not yet confirmed placed when the run stopped (re-sent next run).
    pub left_planned: u64,
    /// Dry run: the calls it would have placed.
    pub would_dial: u64,
}

/// Why the loop failed.
#[derive(Debug)]
pub enum RunError {
    Store(StoreError),
    /// Connect refused in a way no retry fixes (permissions, credentials, wrong ids).
    Connect(ApiError),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Store(e) => write!(f, "{e}"),
            RunError::Connect(e) => write!(
                f,
                "Amazon Connect refused the campaign: {e}. Check the instance, contact flow and queue ids in the campaign file, the Region, and that the credentials allow the actions listed under \"Going live\" in the README"
            ),
        }
    }
}

impl From<StoreError> for RunError {
    fn from(e: StoreError) -> Self {
        RunError::Store(e)
    }
}

/// A placed call whose outcome is not known yet.
struct Tracked {
    attempt: Attempt,
    contact_id: String,
    placed_at: UnixMillis,
    view: Option<ContactView>,
    next_check: UnixMillis,
}

/// A planned attempt waiting to be (re)sent.
struct Pending {
    attempt: Attempt,
    not_before: UnixMillis,
    tries: u32,
    /// Re-sending a token whose answer was lost, or found planned after a crash.
    reissue: bool,
}

/// The pacer in charge, and the kill-switch's fallback.
struct Pacing {
    configured: Box<dyn Pacer>,
    fallback: Box<dyn Pacer>,
    tripped: Option<KillAction>,
}

impl Pacing {
    fn active(&mut self) -> &mut dyn Pacer {
        match self.tripped {
            Some(KillAction::FallBackToProgressive) => self.fallback.as_mut(),
            _ => self.configured.as_mut(),
        }
    }
}

const CHECK_EARLY_MS: i64 = 2_000;
const CHECK_WITH_AGENT_MS: i64 = 5_000;
const METRICS_FLUSH: Duration = Duration::from_secs(2);

fn backoff_ms(tries: u32) -> i64 {
    (500_i64 << tries.min(6)).min(30_000)
}

/// The loop's state.
struct Dialer<'a> {
    loaded: &'a Loaded,
    store: Store,
    connect: &'a Connect,
    clock: Clock,
    options: &'a Options,
    started: UnixMillis,
    pacing: Pacing,
    tracked: BTreeMap<i64, Tracked>,
    pending: VecDeque<Pending>,
    metrics: Option<(QueueMetrics, UnixMillis)>,
    samples: Vec<MetricSample>,
    samples_flushed: Instant,
    next_decision: UnixMillis,
    report: Report,
    dry_contacts: u64,
    /// The DynamoDB customer table to keep in step, and the writes due to it.
    table: Option<&'a crate::dynamo::Table>,
    table_writes: Vec<(String, i64)>,
}

/// The services a run talks to.
#[derive(Clone, Copy)]
pub struct Remote<'a> {
    pub connect: &'a Connect,
    /// The sample's DynamoDB table, when it is the contact list: kept in step with the outcomes.
    pub table: Option<&'a crate::dynamo::Table>,
}

/// Runs the campaign until the list is done, `stop_after`, or `stop` turns true.
pub async fn run(
    loaded: &Loaded,
    store: Store,
    recovery: Recovery,
    remote: Remote<'_>,
    clock: Clock,
    options: &Options,
    mut stop: watch::Receiver<bool>,
) -> Result<Report, RunError> {
    let Remote { connect, table } = remote;
    let strategy = &loaded.campaign.strategy;
    let progressive: StrategySpec =
        ron::from_str("Progressive()").expect("Progressive() is a valid strategy");
    let seed = u64::from_le_bytes(
        crate::token::client_token(
            loaded.campaign.instance_id.get(),
            loaded.campaign.name.get(),
            "pacer",
            0,
        )
        .as_bytes()[..8]
            .try_into()
            .expect("8 bytes"),
    );
    let started = clock.now();
    let mut d = Dialer {
        loaded,
        store,
        connect,
        clock,
        options,
        started,
        pacing: Pacing {
            configured: strategy.build(seed),
            fallback: progressive.build(seed),
            tripped: None,
        },
        tracked: BTreeMap::new(),
        pending: VecDeque::new(),
        metrics: None,
        samples: Vec::new(),
        samples_flushed: Instant::now(),
        next_decision: started,
        report: Report::default(),
        dry_contacts: 0,
        table: if options.dry_run { None } else { table },
        table_writes: Vec::new(),
    };
    for attempt in recovery.reissue {
        d.pending.push_back(Pending {
            attempt,
            not_before: started,
            tries: 0,
            reissue: true,
        });
    }
    for attempt in recovery.awaiting_outcome {
        if let crate::store::AttemptState::Placed { contact_id } = &attempt.state {
            let contact_id = contact_id.clone();
            d.tracked.insert(
                attempt.id,
                Tracked {
                    placed_at: attempt.planned_at,
                    attempt,
                    contact_id,
                    view: None,
                    next_check: started,
                },
            );
        }
    }
    tracing::info!(
        strategy = %strategy.label(),
        time_scale = options.time_scale,
        dry_run = options.dry_run,
        resent = d.pending.len(),
        awaiting_outcome = d.tracked.len(),
        "campaign run starting"
    );
    let result = d.run_loop(&mut stop).await;
    d.flush_samples(true)?;
    d.report.left_in_flight = d.tracked.len() as u64;
    d.report.left_planned = d.pending.len() as u64;
    match result {
        Ok(end) => {
            d.report.end = Some(end);
            Ok(d.report)
        }
        Err(e) => Err(e),
    }
}

impl Dialer<'_> {
    fn rel(&self, t: UnixMillis) -> Millis {
        Millis((t.0 - self.started.0).max(0) as u64)
    }

    /// In a rehearsal, keeps the campaign clock level with the stand-in's.
    fn sync(&mut self, t: UnixMillis) {
        if self.options.time_scale != 1.0 {
            self.clock.catch_up(t);
        }
    }

    fn in_flight(&self) -> usize {
        self.tracked.len() + self.pending.len()
    }

    async fn run_loop(&mut self, stop: &mut watch::Receiver<bool>) -> Result<End, RunError> {
        let rules = self.loaded.campaign.rules.clone();
        let mut stopping: Option<(End, Instant)> = None;
        let mut fatal: Option<ApiError> = None;
        loop {
            let now = self.clock.now();
            if stopping.is_none() {
                if *stop.borrow() {
                    tracing::info!(
                        in_flight = self.tracked.len(),
                        "stop asked for: no new calls; waiting for the outcomes of calls in flight"
                    );
                    stopping = Some((End::Interrupted, Instant::now() + self.options.drain));
                } else if let Some(limit) = self.options.stop_after_ms
                    && now.0 - self.started.0 >= limit
                {
                    tracing::info!("--stop-after reached: no new calls");
                    stopping = Some((End::StopAfter, Instant::now() + self.options.drain));
                }
            }
            self.refresh_metrics(now).await?;
            let polled = self.poll_outcomes(now).await;
            self.write_table().await;
            if let Err(e) = polled {
                match e {
                    RunError::Connect(api) => {
                        fatal = Some(api);
                        stopping
                            .get_or_insert((End::Interrupted, Instant::now() + self.options.drain));
                    }
                    other => return Err(other),
                }
            }
            if let Some((end, deadline)) = &stopping {
                if self.tracked.is_empty() || Instant::now() >= *deadline {
                    if !self.tracked.is_empty() {
                        tracing::warn!(
                            in_flight = self.tracked.len(),
                            "stopped waiting for calls in flight: the next `live run` reads their outcomes"
                        );
                    }
                    return match fatal {
                        Some(e) => Err(RunError::Connect(e)),
                        None => Ok(end.clone()),
                    };
                }
            } else {
                if let Err(e) = self.resend_pending(now).await {
                    match e {
                        RunError::Connect(api) => {
                            fatal = Some(api);
                            stopping =
                                Some((End::Interrupted, Instant::now() + self.options.drain));
                        }
                        other => return Err(other),
                    }
                }
                if stopping.is_none() && now >= self.next_decision {
                    match self.decide_and_launch(now, &rules).await {
                        Ok(Some(end)) => {
                            if self.tracked.is_empty() && self.pending.is_empty() {
                                return Ok(end);
                            }
                        }
                        Ok(None) => {}
                        Err(RunError::Connect(api)) => {
                            fatal = Some(api);
                            stopping =
                                Some((End::Interrupted, Instant::now() + self.options.drain));
                        }
                        Err(other) => return Err(other),
                    }
                }
            }
            self.flush_samples(false)?;
            let mut wake = now.plus_ms(self.options.metrics_every_ms);
            if stopping.is_none() {
                wake = wake.min(self.next_decision);
                if let Some(p) = self.pending.iter().map(|p| p.not_before).min() {
                    wake = wake.min(p);
                }
            }
            if let Some(t) = self.tracked.values().map(|t| t.next_check).min() {
                wake = wake.min(t);
            }
            let sleep = self
                .clock
                .wall(wake.0 - self.clock.now().0)
                .clamp(Duration::from_millis(2), Duration::from_millis(500));
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn refresh_metrics(&mut self, now: UnixMillis) -> Result<(), RunError> {
        let fresh = self
            .metrics
            .is_some_and(|(_, at)| now.0 - at.0 < self.options.metrics_every_ms);
        if fresh || !self.connect.budget(Operation::Metrics) {
            return Ok(());
        }
        match self.connect.metrics().await {
            Ok(m) => {
                if let Some(t) = m.snapshot_at {
                    self.sync(t);
                }
                let at = self.clock.now();
                self.samples.push(MetricSample {
                    at,
                    staffed: m.agents.staffed,
                    available: m.agents.available,
                    on_contact: m.agents.on_contact,
                    after_contact_work: m.agents.after_contact_work,
                    in_queue: m.in_queue,
                    oldest_in_queue_ms: m.oldest_in_queue_ms,
                });
                self.metrics = Some((m, at));
                Ok(())
            }
            Err(ApiError::Fatal { code, message }) => {
                Err(RunError::Connect(ApiError::Fatal { code, message }))
            }
            Err(e) => {
                tracing::debug!(error = %e, "GetCurrentMetricData failed; pacing on the last numbers");
                Ok(())
            }
        }
    }

    /// Writes the customers' new result codes into the DynamoDB table. A failed write is logged;
    /// the end-of-run reconciliation writes it again.
    async fn write_table(&mut self) {
        let Some(table) = self.table else {
            return;
        };
        for (phone, value) in std::mem::take(&mut self.table_writes) {
            if let Err(e) = table.write(&phone, value).await {
                tracing::warn!(error = %e, "could not update the customer table; retried at the end of the run");
            }
        }
    }

    fn flush_samples(&mut self, force: bool) -> Result<(), RunError> {
        if !self.samples.is_empty() && (force || self.samples_flushed.elapsed() >= METRICS_FLUSH) {
            if !self.options.dry_run {
                self.store.record_metrics(&self.samples)?;
            }
            self.samples.clear();
            self.samples_flushed = Instant::now();
        }
        Ok(())
    }

    /// Reads the state of calls due for a check, as far as the DescribeContact budget allows,
    /// and records those that ended.
    async fn poll_outcomes(&mut self, now: UnixMillis) -> Result<(), RunError> {
        let mut due: Vec<(UnixMillis, i64)> = self
            .tracked
            .iter()
            .filter(|(_, t)| t.next_check <= now)
            .map(|(id, t)| (t.next_check, *id))
            .collect();
        due.sort();
        for (_, id) in due {
            if self.options.dry_run {
                self.finish_dry(id, now)?;
                continue;
            }
            let needs_result = self.tracked[&id]
                .view
                .as_ref()
                .is_some_and(ContactView::needs_result);
            let contact_id = self.tracked[&id].contact_id.clone();
            if needs_result {
                if !self.connect.budget(Operation::Attributes) {
                    break;
                }
                match self.connect.attributes(&contact_id).await {
                    Ok(attributes) => {
                        let mut view = self.tracked[&id].view.clone().unwrap_or_default();
                        view.attributes.extend(attributes);
                        self.finish(id, view, now)?;
                    }
                    Err(e) => self.check_failed(id, e, now)?,
                }
                continue;
            }
            if !self.connect.budget(Operation::Describe) {
                break;
            }
            let described = self.connect.describe(&contact_id).await;
            if let Ok(Some(t)) = described.as_ref().map(ContactView::latest) {
                self.sync(t);
            }
            match described {
                Ok(view) if view.disconnected_at.is_some() => {
                    if view.needs_result() {
                        let t = self.tracked.get_mut(&id).expect("tracked");
                        t.view = Some(view);
                        t.next_check = now;
                    } else {
                        self.finish(id, view, now)?;
                    }
                }
                Ok(view) => {
                    let every = if view.stage() == Stage::WithAgent {
                        CHECK_WITH_AGENT_MS
                    } else {
                        CHECK_EARLY_MS
                    };
                    let t = self.tracked.get_mut(&id).expect("tracked");
                    t.view = Some(view);
                    t.next_check = now.plus_ms(every);
                }
                Err(e) => self.check_failed(id, e, now)?,
            }
        }
        Ok(())
    }

    fn check_failed(&mut self, id: i64, e: ApiError, now: UnixMillis) -> Result<(), RunError> {
        match e {
            ApiError::Fatal { .. } => Err(RunError::Connect(e)),
            ApiError::Refused { ref code, .. } if code == "ResourceNotFoundException" => {
                // Connect does not know the contact: it was never started.
                let t = self.tracked.remove(&id).expect("tracked");
                tracing::warn!(
                    phone = %mask_phone(&t.attempt.phone),
                    contact = %t.contact_id,
                    "Connect does not know this contact: recorded as failed"
                );
                let finish = Finish {
                    outcome: Outcome::Failed,
                    queued_at: None,
                    connected_at: None,
                    ended_at: now,
                };
                self.store.mark_finished(id, &finish, now)?;
                self.report.finished += 1;
                Ok(())
            }
            e => {
                tracing::debug!(error = %e, "reading a call's state failed; trying again");
                if let Some(t) = self.tracked.get_mut(&id) {
                    t.next_check = now.plus_ms(1_000);
                }
                Ok(())
            }
        }
    }

    fn finish(&mut self, id: i64, view: ContactView, now: UnixMillis) -> Result<(), RunError> {
        let t = self.tracked.remove(&id).expect("tracked");
        let Some(c) = contact::classify(&view) else {
            return Ok(());
        };
        if let Some(note) = &c.note {
            tracing::debug!(phone = %mask_phone(&t.attempt.phone), "outcome {}: {note}", c.outcome);
        }
        let ended = view.disconnected_at.unwrap_or(now);
        let finish = Finish {
            outcome: c.outcome,
            queued_at: view.enqueued_at,
            connected_at: view.agent_connected_at,
            ended_at: ended,
        };
        self.store.mark_finished(id, &finish, now)?;
        self.report.finished += 1;
        if self.table.is_some()
            && c.outcome.reached()
            && let Some(v) = crate::dynamo::column_value(c.outcome.code().key())
        {
            self.table_writes.push((t.attempt.phone.clone(), v));
        }
        tracing::info!(
            phone = %mask_phone(&t.attempt.phone),
            attempt = t.attempt.number,
            outcome = %c.outcome,
            "call ended"
        );
        let ring_end = view.connected_to_system_at.unwrap_or(ended);
        let record = call_record(
            &t,
            c.outcome,
            self.rel(t.placed_at),
            self.rel(ring_end),
            view.enqueued_at.map(|q| self.rel(q)),
            view.agent_connected_at.map(|a| self.rel(a)),
            self.rel(ended),
        );
        self.pacing.configured.on_outcome(&record);
        self.pacing.fallback.on_outcome(&record);
        let now = self.clock.now().max(ended);
        self.kill_switch(now)
    }

    /// Dry run: a would-be call rings out and counts as unanswered, in the store's copy.
    fn finish_dry(&mut self, id: i64, now: UnixMillis) -> Result<(), RunError> {
        let view = ContactView {
            initiated_at: Some(self.tracked[&id].placed_at),
            disconnected_at: Some(now),
            disconnect_reason: Some("TELECOM_UNANSWERED".into()),
            ..ContactView::default()
        };
        self.finish(id, view, now)
    }

    fn kill_switch(&mut self, now: UnixMillis) -> Result<(), RunError> {
        let ks = &self.loaded.campaign.compliance.kill_switch;
        let window = (ks.window_min.get() * MINUTE_MS as f64).round() as i64;
        let recent = self.store.finished_since(now.plus_ms(-window))?;
        match compliance::kill_switch(&recent, ks, now) {
            KillSwitchState::Tripped {
                rate,
                denominator,
                action,
            } => {
                if self.pacing.tripped.is_none() {
                    tracing::warn!(
                        rate = format!("{:.2}%", rate * 100.0),
                        calls = denominator,
                        target = format!("{:.2}%", ks.target_abandon.get() * 100.0),
                        window_min = ks.window_min.get(),
                        ?action,
                        "kill-switch tripped: the rolling abandon rate is above the target"
                    );
                }
                self.pacing.tripped = Some(action);
            }
            KillSwitchState::Clear { rate, .. } => {
                if self.pacing.tripped.take().is_some() {
                    tracing::warn!(
                        rate = rate.map(|r| format!("{:.2}%", r * 100.0)),
                        "kill-switch clear again: back to the configured strategy"
                    );
                }
            }
        }
        Ok(())
    }

    fn observation(&self, now: UnixMillis, callable_now: u64, remaining: u64) -> Observation {
        let (m, at) = self
            .metrics
            .map_or((QueueMetrics::default(), now), |(m, at)| (m, at));
        let taken = m.snapshot_at.filter(|s| s.0 <= at.0).unwrap_or(at);
        let mut stages = [0u32; 4];
        for t in self.tracked.values() {
            let s = t.view.as_ref().map_or(Stage::Dialing, ContactView::stage);
            stages[s as usize] += 1;
        }
        // Queued and talking come from the queue's metrics (fresher than polling each call);
        // DescribeContact tells ringing from in the IVR. In a queue of its own, the campaign's
        // calls are the queue's contacts.
        let total = self.tracked.len() as u32 + self.pending.len() as u32;
        let queued = m.in_queue.min(total);
        let with_agent = m.agents.on_contact.min(total - queued);
        let before_queue = total - queued - with_agent;
        let in_ivr = stages[Stage::InIvr as usize].min(before_queue);
        let dialing = before_queue - in_ivr;
        Observation {
            now: self.rel(now),
            agents: m.agents,
            agents_age: Millis((now.0 - taken.0).max(0) as u64),
            in_flight: InFlight {
                dialing,
                in_ivr,
                queued,
                with_agent,
            },
            oldest_in_queue: Millis(m.oldest_in_queue_ms),
            callable_now,
            remaining,
        }
    }

    /// Asks the pacer and launches what it asks for, within the concurrent-calls cap and the
    /// StartOutboundVoiceContact budget. `Some(end)` when there is nothing left to call.
    async fn decide_and_launch(
        &mut self,
        now: UnixMillis,
        rules: &rules::Rules,
    ) -> Result<Option<End>, RunError> {
        let cap = self.loaded.campaign.quotas.max_concurrent_calls as usize;
        let room = cap.saturating_sub(self.in_flight());
        let view = self.store.pacing_view(now, rules)?;
        if view.remaining == 0 {
            return Ok(Some(End::ListDone));
        }
        if self.options.dry_run && view.callable_now == 0 && self.tracked.is_empty() {
            return Ok(Some(End::DryRunDone));
        }
        let seen = self.observation(now, view.callable_now, view.remaining);
        let paused = self.pacing.tripped == Some(KillAction::Pause);
        let decision = self.pacing.active().decide(&seen);
        self.next_decision = now.plus_ms((decision.recheck_after.0 as i64).max(1));
        if paused {
            return Ok(None);
        }
        let n = (decision.launch as usize)
            .min(room)
            .min(usize::try_from(view.callable_now).unwrap_or(usize::MAX));
        for _ in 0..n {
            // Planning takes the customer out of the index, and a refusal places it again, so
            // the next one comes next.
            let Some(customer) = self.store.next_to_dial(now, rules)? else {
                break;
            };
            if !self.options.dry_run && !self.connect.budget(Operation::Start) {
                break;
            }
            let attempt = match self.store.plan_attempt(customer.id, now, rules) {
                Ok(a) => a,
                Err(StoreError::NotCallable { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            self.issue(
                Pending {
                    attempt,
                    not_before: now,
                    tries: 0,
                    reissue: false,
                },
                now,
            )
            .await?;
        }
        Ok(None)
    }

    /// Re-sends planned attempts whose backoff is over.
    async fn resend_pending(&mut self, now: UnixMillis) -> Result<(), RunError> {
        let mut waiting = VecDeque::new();
        while let Some(p) = self.pending.pop_front() {
            if p.not_before > now
                || (!self.options.dry_run && !self.connect.budget(Operation::Start))
            {
                waiting.push_back(p);
                continue;
            }
            self.issue(p, now).await?;
        }
        // `issue` may have queued some again.
        waiting.extend(self.pending.drain(..));
        self.pending = waiting;
        Ok(())
    }

    /// Sends StartOutboundVoiceContact for a planned attempt (its budget already taken).
    async fn issue(&mut self, mut p: Pending, now: UnixMillis) -> Result<(), RunError> {
        let phone = p.attempt.phone.clone();
        if self.options.dry_run {
            self.dry_contacts += 1;
            self.report.would_dial += 1;
            println!(
                "would dial {} (customer {}, attempt {}) at {}",
                mask_phone(&phone),
                p.attempt.customer_id,
                p.attempt.number,
                now.rfc3339()
            );
            let contact_id = format!("dry-run-{}", self.dry_contacts);
            self.store.mark_placed(p.attempt.id, &contact_id, now)?;
            let ring = i64::from(*self.loaded.campaign.compliance.ring_timeout_s.get()) * 1_000;
            self.tracked.insert(
                p.attempt.id,
                Tracked {
                    attempt: p.attempt,
                    contact_id,
                    placed_at: now,
                    view: None,
                    next_check: now.plus_ms(ring),
                },
            );
            return Ok(());
        }
        let mut attributes = HashMap::new();
        attributes.insert(
            "dialsim_campaign".to_string(),
            self.loaded.campaign.name.get().clone(),
        );
        attributes.insert(
            "dialsim_customer".to_string(),
            p.attempt.customer_id.to_string(),
        );
        attributes.insert("dialsim_attempt".to_string(), p.attempt.number.to_string());
        let result = self
            .connect
            .start(&phone, &p.attempt.token, attributes)
            .await;
        let at = self.clock.now();
        match result {
            Ok(contact_id) => {
                self.store.mark_placed(p.attempt.id, &contact_id, at)?;
                self.report.placed += 1;
                if p.reissue {
                    self.report.reissued += 1;
                }
                tracing::info!(
                    phone = %mask_phone(&phone),
                    attempt = p.attempt.number,
                    contact = %contact_id,
                    resent = p.reissue,
                    "call placed"
                );
                self.tracked.insert(
                    p.attempt.id,
                    Tracked {
                        placed_at: p.attempt.planned_at.max(now),
                        attempt: p.attempt,
                        contact_id,
                        view: None,
                        next_check: at.plus_ms(CHECK_EARLY_MS),
                    },
                );
            }
            Err(e @ (ApiError::Throttled { .. } | ApiError::ConcurrencyLimit { .. })) => {
                self.report.throttled += 1;
                let reason = if matches!(e, ApiError::Throttled { .. }) {
                    RejectReason::Throttled
                } else {
                    RejectReason::ConcurrencyLimit
                };
                let rejection = Rejection {
                    customer: p.attempt.customer_id as u32,
                    at: self.rel(at),
                    reason,
                };
                let after = self.pacing.configured.on_rejected(&rejection);
                self.pacing.fallback.on_rejected(&rejection);
                tracing::debug!(phone = %mask_phone(&phone), error = %e, "dial refused for now");
                if after == AfterRejection::GiveUp && !p.reissue {
                    self.store.mark_failed(
                        p.attempt.id,
                        &format!("{e}: the strategy gives up on the customer"),
                        at,
                    )?;
                    self.report.refused += 1;
                } else {
                    p.tries += 1;
                    p.not_before = at.plus_ms(backoff_ms(p.tries));
                    self.pending.push_back(p);
                }
            }
            Err(ApiError::Ambiguous { detail }) => {
                self.report.ambiguous += 1;
                tracing::warn!(
                    phone = %mask_phone(&phone),
                    attempt = p.attempt.number,
                    %detail,
                    "no clear answer to a dial: re-sending the same ClientToken (it cannot place a second call)"
                );
                p.tries += 1;
                p.reissue = true;
                p.not_before = at.plus_ms(backoff_ms(p.tries));
                self.pending.push_back(p);
            }
            Err(ApiError::Refused { code, message }) => {
                self.report.refused += 1;
                tracing::warn!(phone = %mask_phone(&phone), %code, %message, "Connect refused the dial");
                self.store
                    .mark_failed(p.attempt.id, &format!("{code}: {message}"), at)?;
            }
            Err(e @ ApiError::Fatal { .. }) => {
                // The attempt stays planned: the next run re-sends it with its token.
                self.pending.push_back(p);
                return Err(RunError::Connect(e));
            }
        }
        Ok(())
    }
}

fn call_record(
    t: &Tracked,
    outcome: Outcome,
    dialed_at: Millis,
    ring_ended_at: Millis,
    queued_at: Option<Millis>,
    connected_at: Option<Millis>,
    ended_at: Millis,
) -> CallRecord {
    CallRecord {
        customer: t.attempt.customer_id as u32,
        attempt: t.attempt.number,
        dialed_at,
        ring_ended_at: ring_ended_at.max(dialed_at),
        ring: outcome.ring(),
        choice: outcome.choice(),
        queued_at,
        connected_at,
        abandoned: outcome == Outcome::Abandoned,
        ended_at: ended_at.max(dialed_at),
    }
}
