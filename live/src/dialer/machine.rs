//! The dialing loop as a state machine: given the time and what happened, it says what to do
//! next. It reads no clock and talks to no network; the shell ([`super::shell`]) carries out each
//! [`Action`] through a [`super::ports::Switchboard`] and hands back the [`Answer`].
//!
//! It does write the campaign store, because the store's order is the safety rule: every
//! attempt is committed as planned, with its ClientToken, before its start request is handed
//! out; a lost answer (a 5xx, a timeout, a dropped connection, a crash) is resolved by sending the
//! same token again, which Connect answers with the contact it already started. Every send of a
//! planned attempt — the first, one after throttling, one after a lost answer, one after a crash
//! — is checked against the rules in force at that moment; an attempt the rules no longer allow
//! is never sent again (see [`Machine::next`]).
//!
//! One action is out at a time: [`Machine::next`] hands one out, [`Machine::answer`] takes its
//! answer, and only then is the next one decided. Contact events arrive with
//! [`Action::ReadEvents`].

use super::budget::TokenBucket;
use super::ports::{AgentStates, StartRequest};
use crate::compliance::{self, FinishedCall, KillSwitchState};
use crate::config::{Campaign, KillAction};
use crate::connect::{ApiError, QueueMetrics};
use crate::contact::{self, ContactView, Stage};
use crate::events::ContactEvent;
use crate::mask::mask_phone;
use crate::outcome::Outcome;
use crate::store::{
    AnswerFacts, Attempt, AttemptState, Finish, MetricSample, Recovery, Store, StoreError,
};
use crate::time::{DAY_MS, MINUTE_MS, UnixMillis};
use rules::rulebook::Verdict;
use std::collections::{BTreeMap, HashMap, VecDeque};
use strategies::{
    AfterRejection, AgentStatus, CallRecord, Choice, InFlight, Millis, Observation, Pacer,
    RejectReason, Rejection, RingOutcome, StrategySpec,
};

/// How the loop runs. Every duration is campaign time.
#[derive(Clone, Debug)]
pub struct Options {
    /// Stop launching after this much campaign time.
    pub stop_after_ms: Option<i64>,
    /// After a stop, wait at most this long for the outcomes of calls in flight.
    pub drain_ms: i64,
    /// How often to read the queue metrics.
    pub metrics_every_ms: i64,
    /// How often to read the contact events, when the switchboard has them.
    pub events_every_ms: i64,
    /// Learn outcomes from contact events (DescribeContact only for calls whose events are
    /// overdue); without, by DescribeContact alone.
    pub events: bool,
    /// End when nothing is callable now and no call is in flight (a dry run).
    pub stop_when_idle: bool,
    /// Keep the sample's DynamoDB customer table in step ([`Action::WriteTable`]).
    pub write_table: bool,
    /// Give up, with an error, when the switchboard has not answered at all (connection refused,
    /// timeouts) for this long and at least [`UNREACHABLE_TRIES`] requests in a row.
    pub unreachable_after_ms: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stop_after_ms: None,
            drain_ms: 120_000,
            metrics_every_ms: 1_000,
            events_every_ms: 500,
            events: false,
            stop_when_idle: false,
            write_table: false,
            unreachable_after_ms: 30_000,
        }
    }
}

/// Requests in a row without any answer before the switchboard counts as unreachable.
pub const UNREACHABLE_TRIES: u32 = 5;

/// Why the loop ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Every customer has a final result (or no call left under the rules).
    ListDone,
    /// `--stop-after` was reached.
    StopAfter,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// Nothing more is callable now and nothing is in flight (dry run).
    Idle,
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
    /// Planned attempts not sent again because the rules in force forbade the call by then
    /// (the customer went on the do-not-call list, or left the list).
    pub withheld: u64,
    /// Outcomes learnt from contact events.
    pub from_events: u64,
    /// DescribeContact requests made.
    pub described: u64,
    /// Calls still in flight when the run stopped (their outcome is read next run).
    pub left_in_flight: u64,
    /// Planned attempts not yet confirmed placed when the run stopped (re-sent next run).
    pub left_planned: u64,
}

/// Why the loop failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Connect refused in a way no retry fixes (permissions, credentials, wrong ids).
    #[error(
        "Amazon Connect refused the campaign: {0}. Check the instance, contact flow and queue ids in the campaign file, the Region, and that the credentials allow the actions listed under \"Going live\" in the README"
    )]
    Connect(ApiError),
    /// No answer at all from Connect for a while.
    #[error(
        "Amazon Connect does not answer: {tries} requests in a row over {seconds:.0} s of campaign time got no answer (last: {detail}). Check `endpoint_url` in the campaign file (or AWS_ENDPOINT_URL_CONNECT), the network, and that the stand-in is running for a rehearsal"
    )]
    Unreachable {
        tries: u32,
        seconds: f64,
        detail: String,
    },
    /// The campaign cannot place a single call in the time it is given.
    #[error("{0}")]
    CannotDial(String),
}

impl RunError {
    /// Whether the user can fix it by changing the campaign file, the list or the command line.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, RunError::CannotDial(_))
    }
}

/// What to do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Do(Action),
    /// Nothing to do before this campaign time (unless a stop is asked for).
    Wait(UnixMillis),
    Done(End),
}

/// A request for the switchboard (or the customer table).
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    ReadMetrics,
    /// GetCurrentUserData, after each GetCurrentMetricData, for a strategy that forecasts from
    /// agents' states.
    ReadAgentStates,
    Start(StartRequest),
    Describe {
        contact_id: String,
    },
    ReadAttributes {
        contact_id: String,
    },
    ReadEvents,
    /// Write a customer's result code into the DynamoDB table.
    WriteTable {
        phone: String,
        value: i64,
    },
}

/// The answer to the last [`Action`].
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Metrics(Result<QueueMetrics, ApiError>),
    AgentStates(Result<AgentStates, ApiError>),
    Started(Result<String, ApiError>),
    Described(Result<ContactView, ApiError>),
    Attributes(Result<HashMap<String, String>, ApiError>),
    Events(Result<Vec<ContactEvent>, ApiError>),
    TableWritten(Result<(), String>),
}

impl Answer {
    /// The latest time of the switchboard's clock the answer shows.
    pub fn reported_time(&self) -> Option<UnixMillis> {
        match self {
            Answer::Metrics(Ok(m)) => m.snapshot_at,
            Answer::Described(Ok(v)) => v.latest(),
            Answer::Events(Ok(events)) => events.iter().filter_map(ContactEvent::latest).max(),
            _ => None,
        }
    }
}

/// A placed call whose outcome is not known yet.
struct Tracked {
    attempt: Attempt,
    contact_id: String,
    placed_at: UnixMillis,
    view: ContactView,
    next_check: UnixMillis,
    /// The pacers have been told how the call went (before its result attribute was read).
    told: bool,
}

/// A planned attempt waiting to be (re)sent.
struct Pending {
    attempt: Attempt,
    not_before: UnixMillis,
    tries: u32,
    /// A request for this token may have reached Connect (its answer was lost, or a crash came
    /// between planning and the answer).
    reissue: bool,
}

/// The action handed out, awaiting its answer.
enum Outstanding {
    Metrics,
    AgentStates,
    Start(Pending),
    Describe(i64),
    Attributes(i64),
    Events,
    Table,
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

struct Budgets {
    start: TokenBucket,
    describe: TokenBucket,
    attributes: TokenBucket,
    metrics: TokenBucket,
    user_data: TokenBucket,
}

/// Polling intervals without contact events.
const CHECK_EARLY_MS: i64 = 2_000;
const CHECK_WITH_AGENT_MS: i64 = 5_000;
/// Metric samples are written to the store at most this often.
const SAMPLES_FLUSH_MS: i64 = 10_000;
/// How long events for a contact the loop does not know yet are kept (a crash between a start
/// and its answer: the re-sent token names the contact later).
const ORPHAN_KEEP_MS: i64 = 10 * MINUTE_MS;
const ORPHANS_MAX: usize = 100_000;
/// Connect keeps a ClientToken for 7 days: a planned attempt older than this cannot be re-sent
/// safely (a second call could be placed), so it is resolved as failed.
const TOKEN_LIFE_MS: i64 = 6 * DAY_MS;

fn backoff_ms(tries: u32) -> i64 {
    (500_i64 << tries.min(6)).min(30_000)
}

/// With contact events, how long a call may go without news before DescribeContact is asked.
fn overdue_ms(stage: Stage, ring_timeout_ms: i64) -> i64 {
    match stage {
        Stage::Dialing => ring_timeout_ms + 60_000,
        Stage::InIvr => 5 * MINUTE_MS,
        Stage::Queued => 15 * MINUTE_MS,
        Stage::WithAgent => 30 * MINUTE_MS,
    }
}

/// The dialing loop's state.
pub struct Machine {
    campaign: Campaign,
    store: Store,
    options: Options,
    started: UnixMillis,
    pacing: Pacing,
    tracked: BTreeMap<i64, Tracked>,
    by_contact: HashMap<String, i64>,
    orphans: HashMap<String, (UnixMillis, Vec<ContactEvent>)>,
    pending: VecDeque<Pending>,
    outstanding: Option<Outstanding>,
    metrics: Option<(QueueMetrics, UnixMillis)>,
    metrics_tried_at: Option<UnixMillis>,
    /// Each logged-in agent's activity and its start on the campaign's clock, as
    /// GetCurrentUserData last said (empty when the strategy does not use them).
    agent_states: Vec<AgentStatus>,
    /// GetCurrentUserData is to follow the last GetCurrentMetricData.
    agent_states_due: bool,
    events_read_at: Option<UnixMillis>,
    samples: Vec<MetricSample>,
    samples_flushed_at: UnixMillis,
    next_decision: UnixMillis,
    to_launch: usize,
    list_done: bool,
    idle: bool,
    budgets: Budgets,
    /// Finished calls inside the kill-switch's window, oldest first.
    recent: VecDeque<FinishedCall>,
    table_writes: VecDeque<(String, i64)>,
    stopping: Option<(End, UnixMillis)>,
    fatal: Option<RunError>,
    /// Requests in a row that got no answer, since when, and the last error.
    silent: Option<(u32, UnixMillis, String)>,
    report: Report,
}

impl Machine {
    /// A loop over `store` for `campaign` starting at `now`, taking up what `recovery` found.
    pub fn new(
        campaign: Campaign,
        store: Store,
        recovery: Recovery,
        options: Options,
        now: UnixMillis,
    ) -> Result<Machine, RunError> {
        let progressive: StrategySpec =
            ron::from_str("Progressive()").expect("Progressive() is a valid strategy");
        let seed = u64::from_le_bytes(
            crate::token::client_token(campaign.instance_id.get(), campaign.name.get(), "pacer", 0)
                .as_bytes()[..8]
                .try_into()
                .expect("8 bytes"),
        );
        let q = &campaign.quotas;
        let budgets = Budgets {
            start: TokenBucket::new(q.start()),
            describe: TokenBucket::new(&q.contact_api),
            attributes: TokenBucket::new(&q.contact_api),
            metrics: TokenBucket::new(&q.metrics_api),
            user_data: TokenBucket::new(&q.user_data_api),
        };
        let window = kill_switch_window_ms(&campaign);
        let recent = store.finished_since(now.plus_ms(-window))?.into();
        let mut m = Machine {
            pacing: Pacing {
                configured: campaign.strategy.build(seed, campaign.counting()),
                fallback: progressive.build(seed, campaign.counting()),
                tripped: None,
            },
            campaign,
            store,
            options,
            started: now,
            tracked: BTreeMap::new(),
            by_contact: HashMap::new(),
            orphans: HashMap::new(),
            pending: VecDeque::new(),
            outstanding: None,
            metrics: None,
            metrics_tried_at: None,
            agent_states: Vec::new(),
            agent_states_due: false,
            events_read_at: None,
            samples: Vec::new(),
            samples_flushed_at: now,
            next_decision: now,
            to_launch: 0,
            list_done: false,
            idle: false,
            budgets,
            recent,
            table_writes: VecDeque::new(),
            stopping: None,
            fatal: None,
            silent: None,
            report: Report::default(),
        };
        for attempt in recovery.reissue {
            m.pending.push_back(Pending {
                attempt,
                not_before: now,
                tries: 0,
                reissue: true,
            });
        }
        for attempt in recovery.awaiting_outcome {
            if let AttemptState::Placed { contact_id } = &attempt.state {
                let contact_id = contact_id.clone();
                m.track(attempt, contact_id, None, now);
            }
        }
        m.preflight(now)?;
        tracing::info!(
            strategy = %m.campaign.strategy.label(),
            resent = m.pending.len(),
            awaiting_outcome = m.tracked.len(),
            events = m.options.events,
            "campaign run starting"
        );
        Ok(m)
    }

    /// Refuses a campaign that cannot place a single call in the time it is given.
    fn preflight(&mut self, now: UnixMillis) -> Result<(), RunError> {
        if !self.pending.is_empty() || !self.tracked.is_empty() {
            return Ok(());
        }
        let view = self.store.pacing_view(now, &self.campaign.rules)?;
        if view.remaining == 0 || view.callable_now > 0 {
            return Ok(());
        }
        let horizon = self.options.stop_after_ms.map(|ms| now.plus_ms(ms));
        match (view.next_opening, horizon) {
            (None, _) => Err(RunError::CannotDial(format!(
                "{} customers may still be called, but none of them ever becomes callable under the campaign's rules: check `rules` (calling_window, retry) in the campaign file",
                view.remaining
            ))),
            (Some(opens), Some(end)) if opens >= end => Err(RunError::CannotDial(format!(
                "no customer is callable before --stop-after-min ends at {}: the first becomes callable at {} (the calling window of `rules`, or a retry's delay). Run later, widen `rules.calling_window`, or give a longer --stop-after-min",
                end.rfc3339(),
                opens.rfc3339()
            ))),
            _ => Ok(()),
        }
    }

    /// A stop was asked for (Ctrl-C, SIGTERM): no new calls; wait for the calls in flight.
    pub fn stop(&mut self, now: UnixMillis) {
        if self.stopping.is_none() {
            tracing::info!(
                in_flight = self.tracked.len(),
                "stop asked for: no new calls; waiting for the outcomes of calls in flight"
            );
            self.stopping = Some((End::Interrupted, now.plus_ms(self.options.drain_ms)));
        }
    }

    /// What the run did so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Ends the run: writes what is left to the store and returns the report (or the error that
    /// stopped the run).
    pub fn finish(mut self) -> Result<Report, RunError> {
        self.flush_samples()?;
        self.report.left_in_flight = self.tracked.len() as u64;
        self.report.left_planned = self.pending.len() as u64
            + u64::from(matches!(self.outstanding, Some(Outstanding::Start(_))));
        if !self.tracked.is_empty() {
            tracing::warn!(
                in_flight = self.tracked.len(),
                "stopped waiting for calls in flight: the next `live run` reads their outcomes"
            );
        }
        match self.fatal {
            Some(e) => Err(e),
            None => Ok(self.report),
        }
    }

    fn rel(&self, t: UnixMillis) -> Millis {
        Millis((t.0 - self.started.0).max(0) as u64)
    }

    fn ring_timeout_ms(&self) -> i64 {
        i64::from(*self.campaign.compliance.ring_timeout_s.get()) * 1_000
    }

    fn in_flight(&self) -> usize {
        self.tracked.len()
            + self.pending.len()
            + usize::from(matches!(self.outstanding, Some(Outstanding::Start(_))))
    }

    /// Calls in flight that have not ended: an ended call whose result attribute is still to
    /// be read holds no line and waits for no agent.
    fn in_progress(&self) -> usize {
        self.in_flight()
            - self
                .tracked
                .values()
                .filter(|t| t.view.disconnected_at.is_some())
                .count()
    }

    /// Stops the campaign because of `error`: no new calls, the calls in flight are waited for,
    /// and the run then fails with it.
    fn fail(&mut self, error: RunError, now: UnixMillis) {
        tracing::error!(%error, "stopping the campaign");
        self.fatal.get_or_insert(error);
        if self.stopping.is_none() {
            self.stopping = Some((End::Interrupted, now.plus_ms(self.options.drain_ms)));
        }
    }

    /// The next thing to do at `now`.
    pub fn next(&mut self, now: UnixMillis) -> Result<Step, RunError> {
        assert!(
            self.outstanding.is_none(),
            "the answer to the last action is still due"
        );
        if self.stopping.is_none()
            && let Some(limit) = self.options.stop_after_ms
            && now.0 - self.started.0 >= limit
        {
            tracing::info!("--stop-after reached: no new calls");
            self.stopping = Some((End::StopAfter, now.plus_ms(self.options.drain_ms)));
        }
        if now.0 - self.samples_flushed_at.0 >= SAMPLES_FLUSH_MS {
            self.flush_samples()?;
            self.samples_flushed_at = now;
        }
        if let Some((end, deadline)) = &self.stopping {
            if self.tracked.is_empty() || now >= *deadline {
                return Ok(Step::Done(end.clone()));
            }
        } else if self.list_done && self.tracked.is_empty() && self.pending.is_empty() {
            return Ok(Step::Done(End::ListDone));
        } else if self.idle && self.tracked.is_empty() && self.pending.is_empty() {
            return Ok(Step::Done(End::Idle));
        }
        if let Some(action) = self.due_action(now)? {
            return Ok(Step::Do(action));
        }
        Ok(Step::Wait(self.wake(now)))
    }

    fn due_action(&mut self, now: UnixMillis) -> Result<Option<Action>, RunError> {
        // The queue's metrics, at most every `metrics_every_ms`.
        let metrics_due = self
            .metrics_tried_at
            .is_none_or(|t| now.0 - t.0 >= self.options.metrics_every_ms);
        if metrics_due && self.budgets.metrics.take(now) {
            self.metrics_tried_at = Some(now);
            self.outstanding = Some(Outstanding::Metrics);
            return Ok(Some(Action::ReadMetrics));
        }
        // The agents' states, one request per page of 100 agents (GetCurrentUserData's most).
        if self.agent_states_due && self.budgets.user_data.take_n(now, self.user_data_pages()) {
            self.agent_states_due = false;
            self.outstanding = Some(Outstanding::AgentStates);
            return Ok(Some(Action::ReadAgentStates));
        }
        if self.options.events
            && self
                .events_read_at
                .is_none_or(|t| now.0 - t.0 >= self.options.events_every_ms)
        {
            self.events_read_at = Some(now);
            self.outstanding = Some(Outstanding::Events);
            return Ok(Some(Action::ReadEvents));
        }
        if let Some((phone, value)) = self.table_writes.pop_front() {
            self.outstanding = Some(Outstanding::Table);
            return Ok(Some(Action::WriteTable { phone, value }));
        }
        if let Some(action) = self.due_check(now) {
            return Ok(Some(action));
        }
        if self.stopping.is_some() {
            return Ok(None);
        }
        if let Some(action) = self.due_resend(now)? {
            return Ok(Some(action));
        }
        if now >= self.next_decision {
            self.decide(now)?;
        }
        self.due_launch(now)
    }

    /// A call whose state is due for a look: its result attribute, or DescribeContact.
    fn due_check(&mut self, now: UnixMillis) -> Option<Action> {
        let (id, needs_result) = self
            .tracked
            .iter()
            .filter(|(_, t)| t.next_check <= now)
            .min_by_key(|(id, t)| (t.next_check, **id))
            .map(|(id, t)| (*id, t.view.needs_result()))?;
        let contact_id = self.tracked[&id].contact_id.clone();
        if needs_result {
            if self.budgets.attributes.take(now) {
                self.outstanding = Some(Outstanding::Attributes(id));
                return Some(Action::ReadAttributes { contact_id });
            }
        } else if self.budgets.describe.take(now) {
            self.outstanding = Some(Outstanding::Describe(id));
            self.report.described += 1;
            return Some(Action::Describe { contact_id });
        }
        None
    }

    /// A planned attempt whose backoff is over and which the rules still allow.
    fn due_resend(&mut self, now: UnixMillis) -> Result<Option<Action>, RunError> {
        let mut looked = 0;
        while looked < self.pending.len() {
            looked += 1;
            let Some(p) = self.pending.pop_front() else {
                break;
            };
            if p.not_before > now {
                self.pending.push_back(p);
                continue;
            }
            let Some(mut p) = self.may_send(p, now)? else {
                continue;
            };
            if p.not_before > now {
                self.pending.push_back(p);
                continue;
            }
            if !self.budgets.start.take(now) {
                self.pending.push_front(p);
                return Ok(None);
            }
            p.not_before = now;
            let request = self.request(&p.attempt);
            self.outstanding = Some(Outstanding::Start(p));
            return Ok(Some(Action::Start(request)));
        }
        Ok(None)
    }

    /// Checks a planned attempt against the rules in force at `now` before it is sent again:
    /// `Some` to send (or to wait, with a later `not_before`), `None` when it was resolved
    /// without a call.
    fn may_send(&mut self, mut p: Pending, now: UnixMillis) -> Result<Option<Pending>, RunError> {
        if p.reissue && now.0 - p.attempt.planned_at.0 > TOKEN_LIFE_MS {
            self.withhold(
                &p,
                "planned more than 6 days ago: Connect no longer knows its ClientToken, so sending it again could place a second call",
                now,
            )?;
            return Ok(None);
        }
        match self.store.may_send(&p.attempt, now, &self.campaign.rules)? {
            Verdict::Now { .. } => Ok(Some(p)),
            Verdict::Later { not_before, reason } => {
                let until = not_before
                    .unwrap_or(now.plus_ms(MINUTE_MS))
                    .max(now.plus_ms(1));
                tracing::info!(
                    phone = %mask_phone(&p.attempt.phone),
                    attempt = p.attempt.number,
                    %reason,
                    until = %until.rfc3339(),
                    "planned call not sent now: the rules forbid it until then"
                );
                p.not_before = until;
                Ok(Some(p))
            }
            Verdict::Never(reason) => {
                self.withhold(
                    &p,
                    &format!("the rules in force now forbid the call: {reason}"),
                    now,
                )?;
                Ok(None)
            }
        }
    }

    fn withhold(&mut self, p: &Pending, why: &str, now: UnixMillis) -> Result<(), RunError> {
        tracing::warn!(
            phone = %mask_phone(&p.attempt.phone),
            attempt = p.attempt.number,
            "planned call not sent: {why}"
        );
        let note = if p.reissue {
            format!(
                "not sent again: {why}; if an earlier request reached Connect, its call is not in the store"
            )
        } else {
            format!("not sent: {why}")
        };
        self.store.mark_failed(p.attempt.id, &note, now)?;
        self.report.withheld += 1;
        Ok(())
    }

    fn request(&self, attempt: &Attempt) -> StartRequest {
        let mut attributes = HashMap::new();
        attributes.insert(
            "dialsim_campaign".to_string(),
            self.campaign.name.get().clone(),
        );
        attributes.insert(
            "dialsim_customer".to_string(),
            attempt.customer_id.to_string(),
        );
        attributes.insert("dialsim_attempt".to_string(), attempt.number.to_string());
        StartRequest {
            attempt: attempt.id,
            customer: attempt.customer_id,
            number: attempt.number,
            phone: attempt.phone.clone(),
            token: attempt.token.clone(),
            attributes,
        }
    }

    /// Asks the pacer how many calls to launch now.
    fn decide(&mut self, now: UnixMillis) -> Result<(), RunError> {
        let cap = self.campaign.quotas.max_concurrent_calls as usize;
        let room = cap.saturating_sub(self.in_progress());
        let view = self.store.pacing_view(now, &self.campaign.rules)?;
        self.list_done = view.remaining == 0;
        self.idle = self.options.stop_when_idle && view.callable_now == 0;
        if self.list_done || self.idle {
            self.to_launch = 0;
            self.next_decision = now.plus_ms(1_000);
            return Ok(());
        }
        let states = std::mem::take(&mut self.agent_states);
        let seen = self.observation(now, view.callable_now, view.remaining, &states);
        let paused = self.pacing.tripped == Some(KillAction::Pause);
        let decision = self.pacing.active().decide(&seen);
        self.agent_states = states;
        self.next_decision = now.plus_ms((decision.recheck_after.0 as i64).max(1));
        self.to_launch = if paused {
            0
        } else {
            (decision.launch as usize)
                .min(room)
                .min(usize::try_from(view.callable_now).unwrap_or(usize::MAX))
        };
        Ok(())
    }

    /// The next launch the last decision asked for, within the StartOutboundVoiceContact budget.
    fn due_launch(&mut self, now: UnixMillis) -> Result<Option<Action>, RunError> {
        while self.to_launch > 0 {
            if !self.budgets.start.ready(now) {
                return Ok(None);
            }
            // Planning takes the customer out of the index, and a refusal places it again, so
            // the next one comes next.
            let Some(customer) = self.store.next_to_dial(now, &self.campaign.rules)? else {
                self.to_launch = 0;
                return Ok(None);
            };
            self.to_launch -= 1;
            let attempt = match self
                .store
                .plan_attempt(customer.id, now, &self.campaign.rules)
            {
                Ok(a) => a,
                Err(StoreError::NotCallable { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            self.budgets.start.take(now);
            let request = self.request(&attempt);
            self.outstanding = Some(Outstanding::Start(Pending {
                attempt,
                not_before: now,
                tries: 0,
                reissue: false,
            }));
            return Ok(Some(Action::Start(request)));
        }
        Ok(None)
    }

    /// When something next falls due.
    fn wake(&mut self, now: UnixMillis) -> UnixMillis {
        let mut wake = match self.metrics_tried_at {
            Some(t) => t.plus_ms(self.options.metrics_every_ms),
            None => now,
        }
        .max(self.budgets.metrics.ready_at(now));
        if self.agent_states_due {
            let pages = self.user_data_pages();
            wake = wake.min(self.budgets.user_data.ready_at_n(now, pages));
        }
        if self.options.events {
            let due = self
                .events_read_at
                .map_or(now, |t| t.plus_ms(self.options.events_every_ms));
            wake = wake.min(due);
        }
        if let Some(t) = self.tracked.values().map(|t| t.next_check).min() {
            let budget = self.budgets.describe.ready_at(now).max(
                self.budgets
                    .attributes
                    .ready_at(now)
                    .min(now.plus_ms(1_000)),
            );
            wake = wake.min(t.max(budget));
        }
        if let Some((_, deadline)) = self.stopping {
            wake = wake.min(deadline);
        } else {
            let start = self.budgets.start.ready_at(now);
            if self.to_launch > 0 {
                wake = wake.min(start);
            }
            wake = wake.min(self.next_decision);
            if let Some(t) = self.pending.iter().map(|p| p.not_before).min() {
                wake = wake.min(t.max(start));
            }
            if let Some(limit) = self.options.stop_after_ms {
                wake = wake.min(self.started.plus_ms(limit));
            }
        }
        wake.max(now.plus_ms(1))
    }

    /// Takes the answer to the action [`Machine::next`] handed out.
    pub fn answer(&mut self, now: UnixMillis, answer: Answer) -> Result<(), RunError> {
        let outstanding = self
            .outstanding
            .take()
            .expect("an answer without an action");
        self.note_reachability(&answer, now);
        match (outstanding, answer) {
            (Outstanding::Metrics, Answer::Metrics(result)) => self.on_metrics(result, now),
            (Outstanding::AgentStates, Answer::AgentStates(result)) => {
                self.on_agent_states(result, now)
            }
            (Outstanding::Start(p), Answer::Started(result)) => self.on_started(p, result, now),
            (Outstanding::Describe(id), Answer::Described(result)) => {
                self.on_described(id, result, now)
            }
            (Outstanding::Attributes(id), Answer::Attributes(result)) => {
                self.on_attributes(id, result, now)
            }
            (Outstanding::Events, Answer::Events(result)) => self.on_events(result, now),
            (Outstanding::Table, Answer::TableWritten(result)) => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "could not update the customer table; retried at the end of the run");
                }
                Ok(())
            }
            (_, answer) => panic!("answer {answer:?} to another action"),
        }
    }

    /// Counts requests in a row that got no answer at all; gives up after enough of them.
    fn note_reachability(&mut self, answer: &Answer, now: UnixMillis) {
        let error = match answer {
            Answer::Metrics(Err(e)) => Some(e),
            Answer::Started(Err(e)) => Some(e),
            Answer::Described(Err(e)) => Some(e),
            Answer::Attributes(Err(e)) => Some(e),
            // The event stream is another service (or, in a dry run, none): it says nothing of
            // whether Connect answers.
            Answer::Events(_) | Answer::TableWritten(_) => return,
            _ => None,
        };
        match error {
            Some(ApiError::Unreachable { detail }) => {
                let (tries, since, _) = self.silent.take().unwrap_or((0, now, String::new()));
                let tries = tries + 1;
                let seconds = (now.0 - since.0) as f64 / 1_000.0;
                if tries >= UNREACHABLE_TRIES
                    && now.0 - since.0 >= self.options.unreachable_after_ms
                {
                    self.fail(
                        RunError::Unreachable {
                            tries,
                            seconds,
                            detail: detail.clone(),
                        },
                        now,
                    );
                    // Calls in flight cannot be learnt about from a switchboard that is gone.
                    if let Some((_, deadline)) = &mut self.stopping {
                        *deadline = now;
                    }
                } else {
                    tracing::debug!(%detail, tries, "no answer from Connect");
                }
                self.silent = Some((tries, since, detail.clone()));
            }
            _ => self.silent = None,
        }
    }

    fn on_metrics(
        &mut self,
        result: Result<QueueMetrics, ApiError>,
        now: UnixMillis,
    ) -> Result<(), RunError> {
        match result {
            Ok(m) => {
                self.samples.push(MetricSample {
                    at: now,
                    staffed: m.agents.staffed,
                    available: m.agents.available,
                    on_contact: m.agents.on_contact,
                    after_contact_work: m.agents.after_contact_work,
                    in_queue: m.in_queue,
                    oldest_in_queue_ms: m.oldest_in_queue_ms,
                });
                self.metrics = Some((m, now));
                self.agent_states_due = self.campaign.strategy.uses_agent_states();
            }
            Err(e @ ApiError::Fatal { .. }) => self.fail(RunError::Connect(e), now),
            Err(e) => {
                tracing::debug!(error = %e, "GetCurrentMetricData failed; pacing on the last numbers");
            }
        }
        Ok(())
    }

    fn on_agent_states(
        &mut self,
        result: Result<AgentStates, ApiError>,
        now: UnixMillis,
    ) -> Result<(), RunError> {
        match result {
            Ok(states) => {
                // An agent busy since before this run began is seen as busy since its start:
                // the campaign's clock starts there.
                self.agent_states = states
                    .agents
                    .iter()
                    .map(|a| AgentStatus {
                        activity: a.activity,
                        since: self.rel(a.since),
                    })
                    .collect();
            }
            Err(e @ ApiError::Fatal { .. }) => self.fail(RunError::Connect(e), now),
            Err(e) => {
                tracing::debug!(error = %e, "GetCurrentUserData failed; pacing on the last states");
            }
        }
        Ok(())
    }

    /// GetCurrentUserData's pages for the agents the metrics last counted.
    fn user_data_pages(&self) -> u32 {
        let staffed = self.metrics.map_or(0, |(m, _)| m.agents.staffed);
        staffed.div_ceil(100).max(1)
    }

    fn track(
        &mut self,
        attempt: Attempt,
        contact_id: String,
        placed_at: Option<UnixMillis>,
        now: UnixMillis,
    ) {
        let first_check = if self.options.events {
            now.plus_ms(overdue_ms(Stage::Dialing, self.ring_timeout_ms()))
        } else if placed_at.is_some() {
            now.plus_ms(CHECK_EARLY_MS)
        } else {
            now
        };
        let id = attempt.id;
        self.by_contact.insert(contact_id.clone(), id);
        self.tracked.insert(
            id,
            Tracked {
                placed_at: placed_at.unwrap_or(attempt.planned_at),
                attempt,
                contact_id: contact_id.clone(),
                view: ContactView::default(),
                next_check: first_check,
                told: false,
            },
        );
        if let Some((_, events)) = self.orphans.remove(&contact_id) {
            for e in &events {
                e.merge_into(&mut self.tracked.get_mut(&id).expect("tracked").view);
            }
            self.after_news(id, now);
        }
    }

    fn on_started(
        &mut self,
        mut p: Pending,
        result: Result<String, ApiError>,
        now: UnixMillis,
    ) -> Result<(), RunError> {
        let phone = p.attempt.phone.clone();
        match result {
            Ok(contact_id) => {
                self.store.mark_placed(p.attempt.id, &contact_id, now)?;
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
                let placed_at = p.attempt.planned_at.max(p.not_before);
                self.track(p.attempt, contact_id, Some(placed_at), now);
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
                    at: self.rel(now),
                    reason,
                };
                let after = self.pacing.configured.on_rejected(&rejection);
                self.pacing.fallback.on_rejected(&rejection);
                tracing::debug!(phone = %mask_phone(&phone), error = %e, "dial refused for now");
                if after == AfterRejection::GiveUp && !p.reissue {
                    self.store.mark_failed(
                        p.attempt.id,
                        &format!("{e}: the strategy gives up on the customer"),
                        now,
                    )?;
                    self.report.refused += 1;
                } else {
                    p.tries += 1;
                    p.not_before = now.plus_ms(backoff_ms(p.tries));
                    self.pending.push_back(p);
                }
            }
            Err(ApiError::Ambiguous { detail } | ApiError::Unreachable { detail }) => {
                self.report.ambiguous += 1;
                tracing::warn!(
                    phone = %mask_phone(&phone),
                    attempt = p.attempt.number,
                    %detail,
                    "no clear answer to a dial: re-sending the same ClientToken (it cannot place a second call)"
                );
                p.tries += 1;
                p.reissue = true;
                p.not_before = now.plus_ms(backoff_ms(p.tries));
                self.pending.push_back(p);
            }
            Err(ApiError::Refused { code, message }) => {
                self.report.refused += 1;
                tracing::warn!(phone = %mask_phone(&phone), %code, %message, "Connect refused the dial");
                self.store
                    .mark_failed(p.attempt.id, &format!("{code}: {message}"), now)?;
            }
            Err(e @ ApiError::Fatal { .. }) => {
                // The attempt stays planned: the next run re-sends it with its token.
                self.pending.push_back(p);
                self.fail(RunError::Connect(e), now);
            }
        }
        Ok(())
    }

    fn on_described(
        &mut self,
        id: i64,
        result: Result<ContactView, ApiError>,
        now: UnixMillis,
    ) -> Result<(), RunError> {
        if !self.tracked.contains_key(&id) {
            return Ok(());
        }
        let ring = self.ring_timeout_ms();
        match result {
            Ok(view) => {
                let t = self.tracked.get_mut(&id).expect("tracked");
                let attributes = std::mem::take(&mut t.view.attributes);
                t.view = view;
                t.view.attributes.extend(attributes);
                if t.view.disconnected_at.is_some() {
                    if t.view.needs_result() {
                        t.next_check = now;
                    } else {
                        self.finish_call(id, now)?;
                    }
                } else {
                    let stage = t.view.stage();
                    t.next_check = now.plus_ms(if self.options.events {
                        overdue_ms(stage, ring)
                    } else if stage == Stage::WithAgent {
                        CHECK_WITH_AGENT_MS
                    } else {
                        CHECK_EARLY_MS
                    });
                }
                Ok(())
            }
            Err(e) => self.check_failed(id, e, now),
        }
    }

    fn on_attributes(
        &mut self,
        id: i64,
        result: Result<HashMap<String, String>, ApiError>,
        now: UnixMillis,
    ) -> Result<(), RunError> {
        if !self.tracked.contains_key(&id) {
            return Ok(());
        }
        match result {
            Ok(attributes) => {
                let t = self.tracked.get_mut(&id).expect("tracked");
                t.view.attributes.extend(attributes);
                self.finish_call(id, now)
            }
            Err(e) => self.check_failed(id, e, now),
        }
    }

    fn on_events(
        &mut self,
        result: Result<Vec<ContactEvent>, ApiError>,
        now: UnixMillis,
    ) -> Result<(), RunError> {
        let events = match result {
            Ok(events) => events,
            Err(e @ ApiError::Fatal { .. }) => {
                self.fail(RunError::Connect(e), now);
                return Ok(());
            }
            Err(e) => {
                tracing::debug!(error = %e, "reading the contact events failed; trying again");
                return Ok(());
            }
        };
        self.orphans
            .retain(|_, (at, _)| now.0 - at.0 <= ORPHAN_KEEP_MS);
        let mut touched = Vec::new();
        for e in events {
            match self.by_contact.get(&e.contact_id) {
                Some(&id) => {
                    if let Some(t) = self.tracked.get_mut(&id) {
                        e.merge_into(&mut t.view);
                        touched.push(id);
                    }
                }
                None => {
                    if self.orphans.len() < ORPHANS_MAX {
                        self.orphans
                            .entry(e.contact_id.clone())
                            .or_insert_with(|| (now, Vec::new()))
                            .1
                            .push(e);
                    }
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            self.after_news(id, now);
        }
        Ok(())
    }

    /// A tracked call's view changed by an event: finish it, or read its result, or move its
    /// overdue check.
    fn after_news(&mut self, id: i64, now: UnixMillis) {
        let ring = self.ring_timeout_ms();
        let Some(t) = self.tracked.get_mut(&id) else {
            return;
        };
        if t.view.disconnected_at.is_some() {
            t.next_check = now;
            if t.view.needs_result() {
                self.tell_early(id);
            } else {
                self.report.from_events += 1;
                if let Err(e) = self.finish_call(id, now) {
                    self.fail(e, now);
                }
            }
        } else {
            t.next_check = now.plus_ms(overdue_ms(t.view.stage(), ring));
        }
    }

    fn check_failed(&mut self, id: i64, e: ApiError, now: UnixMillis) -> Result<(), RunError> {
        match e {
            ApiError::Fatal { .. } => {
                self.fail(RunError::Connect(e), now);
                Ok(())
            }
            ApiError::Refused { ref code, .. } if code == "ResourceNotFoundException" => {
                // Connect does not know the contact: it was never started.
                let t = self.tracked.remove(&id).expect("tracked");
                self.by_contact.remove(&t.contact_id);
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
                    answer: AnswerFacts::default(),
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

    /// Records the outcome of a call that ended.
    fn finish_call(&mut self, id: i64, now: UnixMillis) -> Result<(), RunError> {
        let Some(c) = self
            .tracked
            .get(&id)
            .and_then(|t| contact::classify(&t.view))
        else {
            return Ok(());
        };
        let t = self.tracked.remove(&id).expect("tracked");
        self.by_contact.remove(&t.contact_id);
        let view = &t.view;
        if let Some(note) = &c.note {
            tracing::debug!(phone = %mask_phone(&t.attempt.phone), "outcome {}: {note}", c.outcome);
        }
        let ended = view.disconnected_at.unwrap_or(now);
        let finish = Finish {
            outcome: c.outcome,
            queued_at: view.enqueued_at,
            connected_at: view.agent_connected_at,
            ended_at: ended,
            answer: AnswerFacts {
                initiated_at: view.initiated_at,
                answered_at: view.connected_to_system_at,
                disconnect_reason: view.disconnect_reason.clone(),
                machine_detection: view.machine_detection.clone(),
                result_code: view.result_code().map(str::to_string),
            },
        };
        self.store.mark_finished(id, &finish, now)?;
        self.report.finished += 1;
        if self.options.write_table
            && c.outcome.reached()
            && let Some(v) = crate::dynamo::column_value(c.outcome.code().key())
        {
            self.table_writes.push_back((t.attempt.phone.clone(), v));
        }
        tracing::info!(
            phone = %mask_phone(&t.attempt.phone),
            attempt = t.attempt.number,
            outcome = %c.outcome,
            "call ended"
        );
        if !t.told {
            let record = self.record(
                &t,
                c.outcome.ring(),
                c.outcome.choice(),
                c.outcome == Outcome::Abandoned,
                ended,
            );
            self.pacing.configured.on_outcome(&record);
            self.pacing.fallback.on_outcome(&record);
        }
        self.recent.push_back(FinishedCall {
            ended_at: ended,
            outcome: c.outcome,
            queued_at: finish.queued_at,
            connected_at: finish.connected_at,
        });
        self.kill_switch(now.max(ended));
        Ok(())
    }

    /// What the pacers learn of a finished call: its stages on the campaign's clock.
    fn record(
        &self,
        t: &Tracked,
        ring: RingOutcome,
        choice: Option<Choice>,
        abandoned: bool,
        ended: UnixMillis,
    ) -> CallRecord {
        let view = &t.view;
        let ring_end = view.connected_to_system_at.unwrap_or(ended);
        let dialed_at = self.rel(t.placed_at);
        CallRecord {
            customer: t.attempt.customer_id as u32,
            attempt: t.attempt.number,
            dialed_at,
            ring_ended_at: self.rel(ring_end).max(dialed_at),
            ring,
            choice,
            queued_at: view.enqueued_at.map(|q| self.rel(q)),
            connected_at: view.agent_connected_at.map(|a| self.rel(a)),
            abandoned,
            ended_at: self.rel(ended).max(dialed_at),
        }
    }

    /// Tells the pacers of an ended call whose result attribute is still to be read, when
    /// Connect's machine-detection status already says whether a machine answered: pacing
    /// needs the stages and that, not the IVR choice (left `None`), and GetContactAttributes'
    /// quota would hold the news back by seconds or minutes in a busy hour.
    fn tell_early(&mut self, id: i64) {
        let Some(t) = self.tracked.get(&id) else {
            return;
        };
        let (Some(machine), Some(ended), false) =
            (t.view.machine_detected(), t.view.disconnected_at, t.told)
        else {
            return;
        };
        let ring = if machine {
            RingOutcome::MachineDetected
        } else {
            RingOutcome::Answered
        };
        // A call that reached the queue needs no result attribute: this one never queued.
        let record = self.record(t, ring, None, false, ended);
        self.pacing.configured.on_outcome(&record);
        self.pacing.fallback.on_outcome(&record);
        self.tracked.get_mut(&id).expect("tracked").told = true;
    }

    fn kill_switch(&mut self, now: UnixMillis) {
        let ks = &self.campaign.compliance.kill_switch;
        let window = kill_switch_window_ms(&self.campaign);
        while self
            .recent
            .front()
            .is_some_and(|c| c.ended_at <= now.plus_ms(-window))
        {
            self.recent.pop_front();
        }
        let counting = self.campaign.counting();
        match compliance::kill_switch(self.recent.make_contiguous(), ks, &counting, now) {
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
    }

    fn flush_samples(&mut self) -> Result<(), RunError> {
        if !self.samples.is_empty() {
            self.store.record_metrics(&self.samples)?;
            self.samples.clear();
        }
        Ok(())
    }

    fn observation<'a>(
        &self,
        now: UnixMillis,
        callable_now: u64,
        remaining: u64,
        agent_states: &'a [AgentStatus],
    ) -> Observation<'a> {
        let (m, at) = self
            .metrics
            .map_or((QueueMetrics::default(), now), |(m, at)| (m, at));
        let taken = m.snapshot_at.filter(|s| s.0 <= at.0).unwrap_or(at);
        let mut stages = [0u32; 4];
        let mut running = 0;
        for t in self.tracked.values() {
            if t.view.disconnected_at.is_none() {
                stages[t.view.stage() as usize] += 1;
                running += 1;
            }
        }
        let total = self.in_progress() as u32;
        let (dialing, in_ivr, queued, with_agent) = if self.options.events {
            // The calls' own events say where each stands, as the dialer's own view does in
            // the simulator; planned calls not yet placed are dialing.
            let [dialing, in_ivr, queued, with_agent] = stages;
            let dialing = dialing + (total - running);
            (dialing, in_ivr, queued, with_agent)
        } else {
            // Polling each call lags: queued and talking come from the queue's metrics. In a
            // queue of its own, the campaign's calls are the queue's contacts.
            let queued = m.in_queue.min(total);
            let with_agent = m.agents.on_contact.min(total - queued);
            let before_queue = total - queued - with_agent;
            let in_ivr = stages[Stage::InIvr as usize].min(before_queue);
            (before_queue - in_ivr, in_ivr, queued, with_agent)
        };
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
            agent_states,
        }
    }
}

fn kill_switch_window_ms(campaign: &Campaign) -> i64 {
    (campaign.compliance.kill_switch.window_min.get() * MINUTE_MS as f64).round() as i64
}
