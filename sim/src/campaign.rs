//! One campaign as a state machine with three verbs — [`Campaign::dial`],
//! [`Campaign::advance_to`] and [`Campaign::observe`] — so that a pacer loop (the simulator's
//! [`crate::run`]) and a Connect stand-in can both drive it.
//!
//! A call's life, all in this file:
//!
//! ```text
//! dial ─ring─► busy / no answer / failed ────────────────────────────────► end (retry rules)
//!          └─► answered ─(AMD: machine)──────────────────────────────────► end, code -2
//!                 └─► IVR prompt ─► 2 / 3 / other / no input ─goodbye────► end, code 2/3/0/-2
//!                               └─► 1 ─► queue ─(patience out)───────────► end, abandoned
//!                                           └─► agent ─talk─► end, code 1; agent wraps up
//! ```

use crate::dist::MAX_DRAW;
use crate::events::{CallId, Event, EventQueue};
use crate::metrics::{Breach, Code, MIN_RING, Recorder, RepMetrics};
use crate::stream::{self, Stream};
use crate::world::{RetryRule, World};
use rand::RngExt;
use rules::Outcome;
use rules::callable::Callable;
use rules::rulebook::retry_slot;
use std::collections::VecDeque;
use strategies::{
    Activity, AgentCounts, AgentStatus, CallRecord, Choice, InFlight, Millis, Observation,
    RejectReason, Rejection, RingOutcome,
};

/// How long after dialing stops the queue is closed at the latest (744 h, the longest
/// campaign): without it, callers who wait for ever behind days-long talk would keep a campaign
/// (and its time series) going for years of simulated time.
pub const MAX_DRAIN: Millis = Millis(744 * 3_600_000);

/// Why [`Campaign::dial`] placed no call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialError {
    /// Connect refused the request; the pacer is told.
    Rejected(Rejection),
    /// The customer is not callable now (in a call, finished, waiting for a retry, outside the
    /// calling window, on the do-not-call list) or dialing has stopped.
    NotCallable,
}

/// The truth of how a dialed number answers, drawn from the attempt's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    Human,
    Machine,
    Busy,
    NoAnswer,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Ringing,
    Detecting,
    InIvr,
    Queued,
    WithAgent,
    Goodbye,
}

/// A call in progress, in one 64-byte cache line: with a burst of a million calls in flight,
/// each event then misses memory once, not two or three times. The [`CallRecord`] it ends as
/// is assembled when it ends ([`Call::record`]).
#[derive(Clone, Debug)]
#[repr(align(64))]
struct Call {
    rng: Stream,
    dialed_at: Millis,
    /// When the caller entered the agents' queue ([`Millis::MAX`]: not queued).
    queued_at: Millis,
    /// When an agent took the call ([`Millis::MAX`]: not yet, or never).
    connected_at: Millis,
    customer: u32,
    attempt: u32,
    generation: u32,
    /// How long the ring phase lasted, once it ended (every draw is at most [`MAX_DRAW`],
    /// which fits).
    ring_ms: u32,
    truth: Truth,
    stage: Stage,
    /// AMD said machine (decided when the ring ends).
    detected_machine: bool,
    ring: RingOutcome,
    choice: Option<Choice>,
    abandoned: bool,
    code: Option<Code>,
    /// How the call ended, when its retry rule is still to apply.
    retry: Option<Outcome>,
}

const _: () = assert!(MAX_DRAW.0 <= u32::MAX as u64 && size_of::<Option<Call>>() == 64);

impl Call {
    /// When the caller entered the queue, if they did.
    fn queued_at(&self) -> Option<Millis> {
        (self.queued_at != Millis::MAX).then_some(self.queued_at)
    }

    /// The call as a finished record, ended at `ended_at`.
    fn record(&self, ended_at: Millis) -> CallRecord {
        CallRecord {
            customer: self.customer,
            attempt: self.attempt,
            dialed_at: self.dialed_at,
            ring_ended_at: self.dialed_at + Millis(u64::from(self.ring_ms)),
            ring: self.ring,
            choice: self.choice,
            queued_at: self.queued_at(),
            connected_at: (self.connected_at != Millis::MAX).then_some(self.connected_at),
            abandoned: self.abandoned,
            ended_at,
        }
    }
}

/// Eight bytes, so that the list's states stay in cache as far as they can. Whether the
/// customer is ready, waiting for a retry, in a call or done is the callable index's.
#[derive(Clone, Copy, Debug)]
struct CustomerState {
    attempts: u32,
    code: Code,
    /// A call to this customer was abandoned once (time in [`Campaign::abandoned_at`]).
    abandoned: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AgentState {
    LoggedOut,
    Idle,
    Talking,
    Wrapping,
}

#[derive(Clone, Copy, Debug)]
struct Agent {
    state: AgentState,
    shift_over: bool,
    call: Option<CallId>,
    wrap: Millis,
    /// When the current call was connected (the start of its talk and busy time).
    connected_at: Millis,
}

/// One finished call as the simulator saw it, for invariant checks and debugging.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TracedCall {
    pub call: CallRecord,
    pub agent: Option<u32>,
    /// When the agent finished after-call work for this call.
    pub wrap_end: Option<Millis>,
    /// Whether a person (not a machine) answered.
    pub human: bool,
}

/// A call in progress as it stands now: the stages it has reached, before its [`CallRecord`]
/// exists (a Connect stand-in reports them as Connect's contact events and DescribeContact do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallProgress {
    pub customer: u32,
    pub attempt: u32,
    pub dialed_at: Millis,
    /// When a person or a machine answered (the ring ended and the call goes on).
    pub answered_at: Option<Millis>,
    /// When the caller entered the agents' queue.
    pub queued_at: Option<Millis>,
    /// When an agent took the call.
    pub connected_at: Option<Millis>,
}

/// Everything that happened, kept only when asked for (tests, debugging).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub calls: Vec<TracedCall>,
    pub rejections: Vec<Rejection>,
}

pub struct Campaign<'m> {
    model: &'m World,
    streams: stream::Attempts,
    now: Millis,
    events: EventQueue,
    calls: Vec<Option<Call>>,
    free_slots: Vec<u32>,
    generations: Vec<u32>,
    customers: Vec<CustomerState>,
    /// Customers per current result code (by [`Code::index`]) and customers dialed at least
    /// once, kept as they change so the end needs no pass over the list.
    outcomes: [u64; 7],
    attempted: u64,
    /// When a call to each such customer was last abandoned (queue or answering-machine
    /// detection); few customers, so not in [`CustomerState`].
    abandoned_at: std::collections::HashMap<u32, Millis>,
    /// Who is callable next: ready customers per time zone, and those waiting for a retry.
    callable: Callable<Millis>,
    agents: Vec<Agent>,
    idle: VecDeque<u32>,
    waiting: VecDeque<CallId>,
    counts: AgentCounts,
    /// Each agent's status as of `now - metrics_lag` (GetCurrentUserData's view; `None`: logged
    /// out) and their counts (GetCurrentMetricData's), the changes not yet that old, and the
    /// logged-in ones' statuses for the next observation.
    shown: Vec<Option<AgentStatus>>,
    shown_counts: AgentCounts,
    status_changes: VecDeque<(Millis, u32, Option<AgentStatus>)>,
    statuses: Vec<AgentStatus>,
    in_flight: InFlight,
    tokens: f64,
    tokens_at: Millis,
    active_calls: u32,
    dialing_stopped: bool,
    /// Whether each time zone's calling window is open at `now`, valid until `open_until`.
    open: Vec<bool>,
    open_until: Millis,
    finished: Vec<CallRecord>,
    rec: Recorder,
    trace: Option<Trace>,
}

impl<'m> Campaign<'m> {
    /// Replication `replication` of a campaign in `model`, every stream drawn from `seed`, at
    /// time zero: the whole list callable, agents logging in as their shifts start.
    pub fn new(model: &'m World, seed: u64, replication: u32) -> Campaign<'m> {
        let mut callable = Callable::new(
            model.time_zones.len(),
            model.customers.iter().map(|c| c.zone).collect(),
        );
        for (i, c) in model.customers.iter().enumerate() {
            if !c.do_not_call {
                callable.add(i as u32);
            }
        }
        let customers = vec![
            CustomerState {
                attempts: 0,
                code: Code::NotReached,
                abandoned: false,
            };
            model.customers.len()
        ];
        let remaining = callable.remaining();
        let mut c = Campaign {
            model,
            streams: stream::Attempts::new(seed, replication),
            now: Millis::ZERO,
            events: EventQueue::default(),
            calls: Vec::new(),
            free_slots: Vec::new(),
            generations: Vec::new(),
            outcomes: {
                let mut outcomes = [0; 7];
                outcomes[Code::NotReached.index()] = model.customers.len() as u64;
                outcomes
            },
            attempted: 0,
            customers,
            abandoned_at: Default::default(),
            callable,
            agents: Vec::with_capacity(model.agents.len()),
            idle: VecDeque::new(),
            waiting: VecDeque::new(),
            counts: AgentCounts::default(),
            shown: vec![None; model.agents.len()],
            shown_counts: AgentCounts::default(),
            status_changes: VecDeque::new(),
            statuses: Vec::with_capacity(model.agents.len()),
            in_flight: InFlight::default(),
            tokens: model.start_rate.map_or(0.0, |(_, burst)| f64::from(burst)),
            tokens_at: Millis::ZERO,
            active_calls: 0,
            dialing_stopped: false,
            open: vec![false; model.time_zones.len()],
            open_until: Millis::ZERO,
            finished: Vec::new(),
            rec: Recorder::new(model),
            trace: None,
        };
        for (i, &(start, end)) in model.agents.iter().enumerate() {
            c.agents.push(Agent {
                state: AgentState::LoggedOut,
                shift_over: false,
                call: None,
                wrap: Millis::ZERO,
                connected_at: Millis::ZERO,
            });
            c.events.push(start, Event::ShiftStart { agent: i as u32 });
            if end != Millis::MAX {
                c.events.push(end, Event::ShiftEnd { agent: i as u32 });
            }
        }
        if remaining == 0 {
            c.rec.list_exhausted(Millis::ZERO);
        }
        c.advance_to(Millis::ZERO);
        c
    }

    /// Keep every finished call and rejection (for tests and debugging).
    pub fn with_trace(mut self) -> Self {
        self.trace = Some(Trace::default());
        self
    }

    /// The calls and rejections kept so far, with [`Campaign::with_trace`].
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// Customers that have not reached a final result.
    pub fn remaining(&self) -> u64 {
        self.callable.remaining()
    }

    /// Whether dialing has stopped (horizon reached or [`Campaign::stop_dialing`] called).
    pub fn dialing_over(&self) -> bool {
        self.dialing_stopped || self.now >= self.model.horizon || self.callable.remaining() == 0
    }

    /// Whether a call could still be placed before the horizon: a customer is ready in a time
    /// zone whose window is open or opens before the horizon, a retry falls due before it, or a
    /// call in progress may still end in one. When none holds, the campaign's dialing is over
    /// whatever a pacer's next wake-up says, and it ends when its last call and wrap-up do.
    pub fn can_dial_again(&self) -> bool {
        if self.dialing_over() {
            return false;
        }
        let horizon = self.model.horizon;
        if self.active_calls > 0 || self.callable.next_due().is_some_and(|d| d < horizon) {
            return true;
        }
        (0..self.open.len() as u16).any(|z| {
            self.callable.ready_in(z) > 0
                && (self.open[usize::from(z)]
                    || self.model.window_steady_until(z, self.now) < horizon)
        })
    }

    /// The campaign's horizon: no call is placed at or after it.
    pub fn horizon(&self) -> Millis {
        self.model.horizon
    }

    pub fn stop_dialing(&mut self) {
        self.dialing_stopped = true;
    }

    /// Processes every event up to and including `until`, then sets the clock to `until`.
    pub fn advance_to(&mut self, until: Millis) {
        while let Some((at, event)) = self.events.pop_due(until) {
            self.now = at;
            self.handle(event);
        }
        // Readiness matters only when the dialer next looks, so due retries are released once
        // here, in due order, rather than interleaved with the events above.
        if self.callable.next_due().is_some_and(|d| d <= until) {
            for _ in 0..self.callable.release(until) {
                self.rec.retry_released();
            }
        }
        self.now = self.now.max(until);
        if self.now >= self.open_until {
            self.open_until = Millis::MAX;
            for (zone, open) in self.open.iter_mut().enumerate() {
                *open = self.model.in_window(zone as u16, self.now);
                let steady = self.model.window_steady_until(zone as u16, self.now);
                self.open_until = self.open_until.min(steady);
            }
        }
    }

    /// Calls finished since the last drain, in the order they finished.
    pub fn drain_finished(&mut self) -> std::vec::Drain<'_, CallRecord> {
        self.finished.drain(..)
    }

    /// The calls in progress, in no particular order. Reading them changes nothing.
    pub fn calls_in_progress(&self) -> impl Iterator<Item = CallProgress> + '_ {
        self.calls.iter().flatten().map(|c| CallProgress {
            customer: c.customer,
            attempt: c.attempt,
            dialed_at: c.dialed_at,
            // A call whose ring ended without an answer has ended: one still ringing has not
            // been answered, any other has.
            answered_at: (c.stage != Stage::Ringing)
                .then(|| c.dialed_at + Millis(u64::from(c.ring_ms))),
            queued_at: c.queued_at(),
            connected_at: (c.connected_at != Millis::MAX).then_some(c.connected_at),
        })
    }

    /// What a dialer would see now through Connect's APIs and its own bookkeeping.
    pub fn observe(&mut self) -> Observation<'_> {
        let lag = self.model.metrics_lag;
        self.catch_up_statuses();
        self.statuses.clear();
        self.statuses.extend(self.shown.iter().flatten());
        let agents = self.shown_counts;
        let oldest_in_queue = self
            .waiting
            .iter()
            .find_map(|id| self.live_call(*id).filter(|c| c.stage == Stage::Queued))
            .and_then(Call::queued_at)
            .map_or(Millis::ZERO, |q| self.now - q);
        Observation {
            now: self.now,
            agents,
            agents_age: lag.min(self.now),
            in_flight: self.in_flight,
            oldest_in_queue,
            callable_now: self.callable_now(),
            remaining: self.callable.remaining(),
            agent_states: &self.statuses,
        }
    }

    /// Each logged-in agent (by its index, a stable id) and its status as the metrics APIs
    /// report it now: what GetCurrentUserData answers.
    pub fn agent_statuses(&mut self) -> Vec<(u32, AgentStatus)> {
        self.catch_up_statuses();
        self.shown
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i as u32, s)))
            .collect()
    }

    /// Applies the status changes that are `metrics_lag` old by now.
    fn catch_up_statuses(&mut self) {
        let as_of = self.now - self.model.metrics_lag;
        while let Some(&(t, agent, status)) = self.status_changes.front()
            && t <= as_of
        {
            self.show(agent, status);
            self.status_changes.pop_front();
        }
    }

    fn callable_now(&self) -> u64 {
        if self.dialing_over() {
            return 0;
        }
        self.callable.callable(&self.open)
    }

    /// The customer the dialer would call next: due retries first (earliest due), then the list
    /// in order, among time zones whose calling window is open.
    pub fn next_callable(&mut self) -> Option<u32> {
        if self.dialing_over() {
            return None;
        }
        self.callable.next(&self.open)
    }

    /// Places a call to `customer` now, unless Connect's limits refuse it.
    pub fn dial(&mut self, customer: u32) -> Result<(), DialError> {
        let now = self.now;
        let callable = (customer as usize) < self.customers.len()
            && self.callable.is_ready(customer)
            && !self.dialing_over()
            && self.open[self.model.customers[customer as usize].zone as usize];
        if !callable {
            return Err(DialError::NotCallable);
        }
        if let Some(reason) = self.over_limit() {
            let rejection = Rejection {
                customer,
                at: now,
                reason,
            };
            self.rec.rejected(now);
            if let Some(t) = &mut self.trace {
                t.rejections.push(rejection);
            }
            return Err(DialError::Rejected(rejection));
        }
        if self.model.start_rate.is_some() {
            self.tokens -= 1.0;
        }
        self.active_calls += 1;
        // By construction the dialer never breaches these; they are counted where a breach
        // would happen so that a gate proves it.
        let info = self.model.customers[customer as usize];
        if !self.model.in_window(info.zone, now) {
            self.rec.breach(Breach::OutsideWindow, now);
        }
        if info.do_not_call {
            self.rec.breach(Breach::DoNotCall, now);
        }
        let state = &mut self.customers[customer as usize];
        if state.abandoned && now - self.abandoned_at[&customer] < self.model.abandon_quiet {
            self.rec.breach(Breach::RedialAfterAbandon, now);
        }
        state.attempts += 1;
        if state.attempts == 1 {
            self.attempted += 1;
        }
        let attempt = state.attempts;
        self.callable.take(customer);

        let m = self.model;
        let mut rng = self.streams.stream(customer, attempt);
        let u: f64 = rng.random();
        let cdf = &m.dial_cdf[m.local_hour(info.zone, now)];
        let mut truth = match cdf.iter().position(|&p| u < p) {
            Some(0) => Truth::Human,
            Some(1) => Truth::Machine,
            Some(2) => Truth::Busy,
            Some(3) => Truth::NoAnswer,
            _ => Truth::Failed,
        };
        let ring = match truth {
            Truth::Human | Truth::Machine => {
                let after = m.answer_after.sample(&mut rng);
                if after > m.ring_timeout {
                    truth = Truth::NoAnswer;
                    m.ring_timeout
                } else {
                    after
                }
            }
            Truth::Busy => m.busy_after.sample(&mut rng),
            Truth::NoAnswer => m.ring_timeout,
            Truth::Failed => m.failed_after.sample(&mut rng),
        };
        let call = Call {
            rng,
            dialed_at: now,
            queued_at: Millis::MAX,
            connected_at: Millis::MAX,
            customer,
            attempt,
            generation: 0,
            ring_ms: 0,
            truth,
            stage: Stage::Ringing,
            detected_machine: false,
            ring: RingOutcome::NoAnswer,
            choice: None,
            abandoned: false,
            code: None,
            retry: None,
        };
        let id = self.insert_call(call);
        self.in_flight.dialing += 1;
        self.rec.dialed(now);
        self.events.push(now + ring, Event::RingEnd(id));
        Ok(())
    }

    /// Gives up on a customer whose dial was refused: it keeps its current result code.
    pub fn give_up(&mut self, customer: u32) {
        if self.callable.is_ready(customer) {
            self.callable.remove(customer);
            self.customer_done();
        }
    }

    fn over_limit(&mut self) -> Option<RejectReason> {
        if let Some((per_ms, burst)) = self.model.start_rate {
            let elapsed = (self.now - self.tokens_at).0 as f64;
            self.tokens = (self.tokens + elapsed * per_ms).min(f64::from(burst));
            self.tokens_at = self.now;
            if self.tokens < 1.0 {
                return Some(RejectReason::Throttled);
            }
        }
        match self.model.max_concurrent_calls {
            Some(max) if self.active_calls >= max => Some(RejectReason::ConcurrencyLimit),
            _ => None,
        }
    }

    fn insert_call(&mut self, mut call: Call) -> CallId {
        let slot = match self.free_slots.pop() {
            Some(s) => s,
            None => {
                self.calls.push(None);
                self.generations.push(0);
                (self.calls.len() - 1) as u32
            }
        };
        let generation = self.generations[slot as usize];
        call.generation = generation;
        self.calls[slot as usize] = Some(call);
        CallId { slot, generation }
    }

    fn live_call(&self, id: CallId) -> Option<&Call> {
        self.calls[id.slot as usize]
            .as_ref()
            .filter(|c| c.generation == id.generation)
    }

    fn call_mut(&mut self, id: CallId) -> Option<&mut Call> {
        self.calls[id.slot as usize]
            .as_mut()
            .filter(|c| c.generation == id.generation)
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::RingEnd(id) => self.ring_end(id),
            Event::AmdDone(id) => self.amd_done(id),
            Event::IvrChoice(id) => self.ivr_choice(id),
            Event::HangUp(id) => self.end_call(id),
            Event::PatienceOut(id) => self.patience_out(id),
            Event::TalkEnd { agent } => self.talk_end(agent),
            Event::WrapEnd { agent } => self.wrap_end(agent),
            Event::ShiftStart { agent } => self.shift_start(agent),
            Event::ShiftEnd { agent } => self.shift_end(agent),
        }
    }

    fn ring_end(&mut self, id: CallId) {
        let now = self.now;
        let m = self.model;
        let Some(call) = self.call_mut(id) else {
            return;
        };
        call.ring_ms = (now - call.dialed_at).0 as u32;
        let dialed = call.dialed_at;
        let (seen, retry) = match call.truth {
            Truth::Busy => (RingOutcome::Busy, Outcome::Busy),
            Truth::NoAnswer => (RingOutcome::NoAnswer, Outcome::NoAnswer),
            Truth::Failed => (RingOutcome::Failed, Outcome::Failed),
            Truth::Human | Truth::Machine => {
                let human = call.truth == Truth::Human;
                match &m.amd {
                    Some(amd) => {
                        let delay = amd.detect_after.sample(&mut call.rng);
                        let u: f64 = call.rng.random();
                        call.detected_machine = if human {
                            u < amd.false_positive
                        } else {
                            u >= amd.false_negative
                        };
                        call.stage = Stage::Detecting;
                        self.events.push(now + delay, Event::AmdDone(id));
                    }
                    None => self.start_ivr(id),
                }
                self.rec.answered(now, dialed, human);
                return;
            }
        };
        call.ring = seen;
        call.retry = Some(retry);
        let short = seen == RingOutcome::NoAnswer && now - call.dialed_at < MIN_RING;
        if short {
            self.rec.breach(Breach::ShortRing, dialed);
        }
        self.end_call(id);
    }

    fn amd_done(&mut self, id: CallId) {
        let now = self.now;
        let Some(call) = self.call_mut(id) else {
            return;
        };
        if !call.detected_machine {
            self.start_ivr(id);
            return;
        }
        call.ring = RingOutcome::MachineDetected;
        call.code = Some(Code::Absent);
        call.retry = Some(Outcome::Machine);
        let (person, customer, dialed) =
            (call.truth == Truth::Human, call.customer, call.dialed_at);
        if person {
            self.rec.amd_hung_up_on_person(now, dialed);
            self.customer_abandoned(customer);
        }
        self.end_call(id);
    }

    fn start_ivr(&mut self, id: CallId) {
        let now = self.now;
        let m = self.model;
        let call = self.call_mut(id).expect("live call");
        call.ring = RingOutcome::Answered;
        call.stage = Stage::InIvr;
        let prompt = m.prompt.sample(&mut call.rng);
        let u: f64 = call.rng.random();
        let mut acc = 0.0;
        let picked = m.choices.iter().position(|c| {
            acc += c.p;
            u < acc
        });
        let (choice, after) = match picked {
            Some(i) if call.truth == Truth::Human => {
                let after = m.choices[i].after.sample(&mut call.rng);
                if after > m.no_input_timeout {
                    (Choice::NoInput, m.no_input_timeout)
                } else {
                    let choice = [
                        Choice::Agent,
                        Choice::CallBack,
                        Choice::Email,
                        Choice::NotInterested,
                    ][i];
                    (choice, after)
                }
            }
            _ => (Choice::NoInput, m.no_input_timeout),
        };
        call.choice = Some(choice);
        self.in_flight.dialing -= 1;
        self.in_flight.in_ivr += 1;
        self.events.push(now + prompt + after, Event::IvrChoice(id));
    }

    fn ivr_choice(&mut self, id: CallId) {
        let now = self.now;
        let m = self.model;
        let call = self.call_mut(id).expect("live call");
        let choice = call.choice.expect("choice drawn with the prompt");
        let (code, retry) = match choice {
            Choice::Agent => {
                self.enter_queue(id);
                return;
            }
            Choice::CallBack => (Code::CallBack, Some(Outcome::CallBack)),
            Choice::Email => (Code::Email, None),
            Choice::NotInterested => (Code::NotInterested, None),
            Choice::NoInput => (Code::Absent, Some(Outcome::NoInput)),
        };
        call.code = Some(code);
        call.retry = retry;
        call.stage = Stage::Goodbye;
        let goodbye = m.goodbye.sample(&mut call.rng);
        self.events.push(now + goodbye, Event::HangUp(id));
    }

    fn enter_queue(&mut self, id: CallId) {
        let now = self.now;
        let m = self.model;
        let call = self.call_mut(id).expect("live call");
        call.stage = Stage::Queued;
        call.queued_at = now;
        let patience = m.patience.as_ref().map(|p| p.sample(&mut call.rng));
        let dialed = call.dialed_at;
        self.in_flight.in_ivr -= 1;
        self.in_flight.queued += 1;
        self.rec.queued(now, dialed);
        if self.in_flight.queued == 1
            && let Some(agent) = self.next_idle_agent()
        {
            // Nobody ahead and an agent free: the caller never waits, so no patience event.
            self.connect(id, agent);
            return;
        }
        self.waiting.push_back(id);
        self.rec.queue_len(now, self.in_flight.queued);
        if let Some(p) = patience {
            self.events.push(now + p, Event::PatienceOut(id));
        }
        self.serve_queue();
    }

    fn patience_out(&mut self, id: CallId) {
        let now = self.now;
        let Some(call) = self.call_mut(id) else {
            return;
        };
        if call.stage != Stage::Queued {
            return;
        }
        call.abandoned = true;
        call.code = Some(Code::Abandoned);
        call.retry = Some(Outcome::Abandoned);
        let (customer, dialed) = (call.customer, call.dialed_at);
        let waited = now - call.queued_at().expect("queued");
        self.customer_abandoned(customer);
        self.rec.abandoned(now, dialed, waited);
        // Stale entries further back are skipped when agents take callers.
        while let Some(&front) = self.waiting.front() {
            if self
                .live_call(front)
                .is_some_and(|c| c.stage == Stage::Queued && front != id)
            {
                break;
            }
            self.waiting.pop_front();
        }
        self.end_call(id);
        self.rec.queue_len(now, self.in_flight.queued);
    }

    /// Hands queued callers to idle agents, longest-waiting caller to longest-idle agent.
    fn serve_queue(&mut self) {
        while self.in_flight.queued > 0 {
            let Some(agent) = self.next_idle_agent() else {
                return;
            };
            let Some(id) = self.waiting.pop_front() else {
                self.idle.push_front(agent);
                return;
            };
            if !self.live_call(id).is_some_and(|c| c.stage == Stage::Queued) {
                self.idle.push_front(agent);
                continue;
            }
            self.connect(id, agent);
        }
    }

    fn next_idle_agent(&mut self) -> Option<u32> {
        while let Some(a) = self.idle.pop_front() {
            if self.agents[a as usize].state == AgentState::Idle {
                return Some(a);
            }
        }
        None
    }

    fn connect(&mut self, id: CallId, agent: u32) {
        let now = self.now;
        let m = self.model;
        let call = self.call_mut(id).expect("live call");
        call.stage = Stage::WithAgent;
        call.connected_at = now;
        call.code = Some(Code::Agent);
        let waited = now - call.queued_at().expect("queued");
        let talk = m.talk.sample(&mut call.rng);
        let wrap = m.after_call_work.sample(&mut call.rng);
        let dialed = call.dialed_at;
        self.in_flight.queued -= 1;
        self.in_flight.with_agent += 1;
        self.rec.connected(now, dialed, waited);
        self.rec.queue_len(now, self.in_flight.queued);
        let a = &mut self.agents[agent as usize];
        a.state = AgentState::Talking;
        a.call = Some(id);
        a.wrap = wrap;
        a.connected_at = now;
        self.counts.available -= 1;
        self.counts.on_contact += 1;
        self.agents_changed(agent);
        self.events.push(now + talk, Event::TalkEnd { agent });
    }

    fn talk_end(&mut self, agent: u32) {
        let now = self.now;
        let a = &mut self.agents[agent as usize];
        let id = a.call.take().expect("talking agent has a call");
        a.state = AgentState::Wrapping;
        let wrap = a.wrap;
        self.rec.talked(a.connected_at, now);
        self.counts.on_contact -= 1;
        self.counts.after_contact_work += 1;
        self.agents_changed(agent);
        self.end_call_with_wrap(id, Some((agent, now + wrap)));
        self.events.push(now + wrap, Event::WrapEnd { agent });
    }

    fn wrap_end(&mut self, agent: u32) {
        self.counts.after_contact_work -= 1;
        let a = &mut self.agents[agent as usize];
        self.rec.busy(a.connected_at, self.now);
        if a.shift_over {
            a.state = AgentState::LoggedOut;
            self.counts.staffed -= 1;
        } else {
            a.state = AgentState::Idle;
            self.counts.available += 1;
            self.idle.push_back(agent);
        }
        self.agents_changed(agent);
        self.serve_queue();
    }

    fn shift_start(&mut self, agent: u32) {
        if self.dialing_stopped && self.active_calls == 0 {
            return;
        }
        self.agents[agent as usize].state = AgentState::Idle;
        self.idle.push_back(agent);
        self.counts.staffed += 1;
        self.counts.available += 1;
        self.agents_changed(agent);
        self.serve_queue();
    }

    fn shift_end(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        match a.state {
            AgentState::Idle => {
                a.state = AgentState::LoggedOut;
                self.counts.available -= 1;
                self.counts.staffed -= 1;
                self.agents_changed(agent);
            }
            AgentState::Talking | AgentState::Wrapping => a.shift_over = true,
            AgentState::LoggedOut => {}
        }
    }

    /// `agent`'s state changed: the counts and the agent's status as the metrics APIs will
    /// report them.
    fn agents_changed(&mut self, agent: u32) {
        let status = match self.agents[agent as usize].state {
            AgentState::LoggedOut => None,
            AgentState::Idle => Some(Activity::Available),
            AgentState::Talking => Some(Activity::OnContact),
            AgentState::Wrapping => Some(Activity::AfterContactWork),
        }
        .map(|activity| AgentStatus {
            activity,
            since: self.now,
        });
        if self.model.metrics_lag == Millis::ZERO {
            self.show(agent, status);
        } else {
            self.status_changes.push_back((self.now, agent, status));
        }
        self.rec.agents(self.now, self.counts);
    }

    /// The metrics APIs now report `status` for `agent`.
    fn show(&mut self, agent: u32, status: Option<AgentStatus>) {
        let c = &mut self.shown_counts;
        for (s, step) in [(self.shown[agent as usize], -1i32), (status, 1)] {
            let Some(s) = s else { continue };
            let add = |n: &mut u32| *n = n.checked_add_signed(step).expect("counts stay whole");
            add(&mut c.staffed);
            match s.activity {
                Activity::Available => add(&mut c.available),
                Activity::OnContact => add(&mut c.on_contact),
                Activity::AfterContactWork => add(&mut c.after_contact_work),
            }
        }
        self.shown[agent as usize] = status;
    }

    fn end_call(&mut self, id: CallId) {
        self.end_call_with_wrap(id, None);
    }

    /// The customer's leg of the call is over: free the line, record the outcome, schedule a
    /// retry or close the customer.
    fn end_call_with_wrap(&mut self, id: CallId, agent_wrap: Option<(u32, Millis)>) {
        let now = self.now;
        let call = self.calls[id.slot as usize].take().expect("live call");
        self.generations[id.slot as usize] = self.generations[id.slot as usize].wrapping_add(1);
        self.free_slots.push(id.slot);
        match call.stage {
            Stage::Ringing | Stage::Detecting => self.in_flight.dialing -= 1,
            Stage::InIvr | Stage::Goodbye => self.in_flight.in_ivr -= 1,
            Stage::Queued => self.in_flight.queued -= 1,
            Stage::WithAgent => self.in_flight.with_agent -= 1,
        }
        self.active_calls -= 1;
        self.rec.call_ended(call.dialed_at, now);
        let record = call.record(now);
        self.finished.push(record);
        if let Some(t) = &mut self.trace {
            t.calls.push(TracedCall {
                call: record,
                agent: agent_wrap.map(|(agent, _)| agent),
                wrap_end: agent_wrap.map(|(_, wrap_end)| wrap_end),
                human: call.truth == Truth::Human,
            });
        }
        let customer = record.customer;
        let state = &mut self.customers[customer as usize];
        if let Some(code) = call.code {
            self.outcomes[state.code.index()] -= 1;
            self.outcomes[code.index()] += 1;
            state.code = code;
        }
        let rule: Option<(usize, RetryRule)> = call
            .retry
            .and_then(retry_slot)
            .and_then(|slot| self.model.retry[slot].map(|r| (slot, r)));
        match rule {
            Some((slot, r)) if state.attempts < r.max_attempts => {
                self.callable.schedule(customer, slot, now + r.after);
            }
            _ => {
                self.callable.remove(customer);
                self.customer_done();
            }
        }
    }

    fn customer_abandoned(&mut self, customer: u32) {
        self.customers[customer as usize].abandoned = true;
        self.abandoned_at.insert(customer, self.now);
    }

    /// A customer left the callable index for good.
    fn customer_done(&mut self) {
        if self.callable.remaining() == 0 {
            self.rec.list_exhausted(self.now);
        }
    }

    fn busy_agents(&self) -> u32 {
        self.counts.on_contact + self.counts.after_contact_work
    }

    /// Every caller still waiting hangs up now, as an abandon.
    fn close_queue(&mut self) {
        let stranded: Vec<CallId> = self.waiting.drain(..).collect();
        for id in stranded {
            self.patience_out(id);
        }
    }

    /// Stops dialing, lets every call in progress finish (agents finish talk and after-call
    /// work), and returns the replication's metrics. The queue closes [`MAX_DRAIN`] after
    /// dialing stopped at the latest: callers still waiting then (callers who wait for ever, a
    /// queue that days-long talk drains slower than it filled) are counted as abandoned at that
    /// time, and the calls and after-call work in progress then still finish.
    pub fn finish(mut self) -> (RepMetrics, Option<Trace>) {
        self.dialing_stopped = true;
        let stopped_at = self.now;
        let close = stopped_at + MAX_DRAIN;
        let mut queue_closed = false;
        while self.active_calls > 0 || self.busy_agents() > 0 {
            // Only callers who wait forever are left and no agent is logged in (an idle one
            // would have taken them; shifts not yet started are not worked now): the campaign
            // closes here, not at the last shift change still in the queue of events.
            if self.model.patience.is_none()
                && self.busy_agents() == 0
                && self.active_calls == self.in_flight.queued
            {
                break;
            }
            let due = if queue_closed { Millis::MAX } else { close };
            let Some((at, event)) = self.events.pop_due(due) else {
                if queue_closed || self.events.is_empty() {
                    break;
                }
                self.now = self.now.max(close);
                self.close_queue();
                queue_closed = true;
                continue;
            };
            self.now = at;
            match event {
                Event::ShiftStart { .. } => {}
                e => self.handle(e),
            }
        }
        // Callers still queued when nothing else can happen (no agent left, no patience limit)
        // hang up when the campaign closes.
        self.close_queue();
        let end = self.now.max(stopped_at);
        debug_assert_eq!(
            self.outcomes,
            self.customers.iter().fold([0; 7], |mut acc, c| {
                acc[c.code.index()] += 1;
                acc
            })
        );
        let events = self.events.popped();
        let metrics = self.rec.finish(end, self.outcomes, self.attempted, events);
        (metrics, self.trace)
    }
}
