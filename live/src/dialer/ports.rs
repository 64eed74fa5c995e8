//! The dialing loop's two ports: the clock it reads and the switchboard it dials through.
//!
//! The loop ([`super::machine::Machine`]) decides; these carry its decisions out. A clock is the
//! wall clock of a real campaign, a rehearsal's clock running faster than the wall clock against
//! the Connect stand-in, or a virtual clock that jumps to the next thing due (tests run an
//! eight-hour campaign in milliseconds). A switchboard is Amazon Connect (the SDK), a dry run that
//! places nothing, or the stand-in's simulated contact centre in the same process.

use crate::contact::ContactView;
use crate::events::ContactEvent;
use crate::time::UnixMillis;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use strategies::AgentCounts;

/// The campaign's time. Quota buckets, backoffs, drains and the pacer all run on it, so a
/// rehearsal's client-side limits are the stand-in's, which run on the simulated time too.
pub trait Clock {
    /// The campaign time now.
    fn now(&self) -> UnixMillis;
    /// Returns at campaign time `t` (at once if it has passed).
    fn sleep_until(&self, t: UnixMillis) -> impl Future<Output = ()>;
    /// A time the switchboard reported: its clock was at least there. A rehearsal's clock starts
    /// after the stand-in's and moves level with it; the others ignore it.
    fn observed(&self, _t: UnixMillis) {}
}

/// The wall clock: a real campaign.
#[derive(Clone, Copy, Debug, Default)]
pub struct WallClock;

/// The wall clock's time now.
pub fn wall_now() -> UnixMillis {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    UnixMillis(d.as_millis() as i64)
}

impl Clock for WallClock {
    fn now(&self) -> UnixMillis {
        wall_now()
    }

    async fn sleep_until(&self, t: UnixMillis) {
        let ms = (t.0 - wall_now().0).max(0) as u64;
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// A rehearsal's clock: campaign time runs `scale` times faster than the wall clock, from
/// `start`. Its client-side quotas run on this time, as the stand-in's do.
/// Clones share one clock.
#[derive(Clone, Debug)]
pub struct ScaledClock {
    wall: Instant,
    start: Rc<Cell<UnixMillis>>,
    scale: f64,
}

impl ScaledClock {
    /// A clock that reads `start` now and runs `scale` (≥ 1) times faster than the wall clock.
    pub fn new(start: UnixMillis, scale: f64) -> ScaledClock {
        ScaledClock {
            wall: Instant::now(),
            start: Rc::new(Cell::new(start)),
            scale,
        }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> UnixMillis {
        let wall_ms = self.wall.elapsed().as_secs_f64() * 1_000.0;
        self.start.get().plus_ms((wall_ms * self.scale) as i64)
    }

    async fn sleep_until(&self, t: UnixMillis) {
        let campaign_ms = (t.0 - self.now().0).max(0) as f64;
        tokio::time::sleep(Duration::from_secs_f64(campaign_ms / self.scale / 1_000.0)).await;
    }

    fn observed(&self, t: UnixMillis) {
        let now = self.now();
        if t > now {
            self.start.set(self.start.get().plus_ms(t.0 - now.0));
        }
    }
}

/// A virtual clock: it stands still while the loop works and jumps to the time it sleeps until.
/// Clones share one time, so a switchboard in the same process reads the loop's clock.
#[derive(Clone, Debug)]
pub struct VirtualClock(Rc<Cell<UnixMillis>>);

impl VirtualClock {
    pub fn new(start: UnixMillis) -> VirtualClock {
        VirtualClock(Rc::new(Cell::new(start)))
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> UnixMillis {
        self.0.get()
    }

    async fn sleep_until(&self, t: UnixMillis) {
        if t > self.0.get() {
            self.0.set(t);
        }
    }
}

/// One StartOutboundVoiceContact request: the campaign's ids are the switchboard's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartRequest {
    /// The store's attempt id.
    pub attempt: i64,
    pub customer: i64,
    /// 1 for the first call to the customer.
    pub number: u32,
    /// E.164.
    pub phone: String,
    /// The attempt's ClientToken: the same attempt always sends the same one.
    pub token: String,
    /// The contact attributes the call starts with.
    pub attributes: HashMap<String, String>,
}

/// What a dialer needs from a contact centre: start a call, read the queue's metrics, and learn
/// what became of the calls (from an event stream, and by asking about one contact).
pub trait Switchboard {
    /// StartOutboundVoiceContact: the ContactId, or why not.
    fn start(&mut self, request: &StartRequest) -> impl Future<Output = Result<String, ApiError>>;
    /// GetCurrentMetricData for the campaign's queue.
    fn metrics(&mut self) -> impl Future<Output = Result<QueueMetrics, ApiError>>;
    /// GetCurrentUserData for the campaign's queue: every logged-in agent's activity and
    /// since when (every page). A switchboard that cannot tell answers an empty list.
    fn agent_states(&mut self) -> impl Future<Output = Result<AgentStates, ApiError>> {
        async { Ok(AgentStates::default()) }
    }
    /// DescribeContact.
    fn describe(&mut self, contact_id: &str)
    -> impl Future<Output = Result<ContactView, ApiError>>;
    /// GetContactAttributes.
    fn attributes(
        &mut self,
        contact_id: &str,
    ) -> impl Future<Output = Result<HashMap<String, String>, ApiError>>;
    /// Whether the switchboard delivers contact events; without them the loop learns outcomes by
    /// DescribeContact alone.
    fn has_events(&self) -> bool {
        false
    }
    /// The contact events received since the last call, without waiting.
    fn events(&mut self) -> impl Future<Output = Result<Vec<ContactEvent>, ApiError>> {
        async { Ok(Vec::new()) }
    }
    /// The events [`Switchboard::events`] returned are recorded: they need not be delivered again.
    fn acknowledge(&mut self) -> impl Future<Output = ()> {
        async {}
    }
}

/// A Connect call that did not succeed, sorted by what to do next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// Over a request rate (ThrottlingException, TooManyRequestsException): nothing happened;
    /// try again later.
    Throttled { code: String },
    /// Over the concurrent-calls quota (LimitExceededException): nothing happened.
    ConcurrencyLimit { code: String },
    /// No clear answer (a 5xx, an answer that is not Connect's): the request may have taken
    /// effect. Only an idempotent retry (the same ClientToken) is safe.
    Ambiguous { detail: String },
    /// No answer at all (connection refused, a timeout, a dropped connection): the request may
    /// have taken effect, as with `Ambiguous`; many in a row mean Connect cannot be reached.
    Unreachable { detail: String },
    /// Connect refused this request for this contact or number; retrying will not help.
    Refused { code: String, message: String },
    /// Permissions, credentials or the campaign's ids are wrong: stop the campaign.
    Fatal { code: String, message: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Throttled { code } | ApiError::ConcurrencyLimit { code } => f.write_str(code),
            ApiError::Ambiguous { detail } => write!(f, "no clear answer: {detail}"),
            ApiError::Unreachable { detail } => write!(f, "no answer: {detail}"),
            ApiError::Refused { code, message } | ApiError::Fatal { code, message } => {
                write!(f, "{code}: {message}")
            }
        }
    }
}

/// What GetCurrentUserData says of one logged-in agent: the state of the agent's contact (none:
/// available) and when it began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentSeen {
    pub activity: strategies::Activity,
    pub since: UnixMillis,
}

/// GetCurrentUserData's answer, every page of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentStates {
    pub agents: Vec<AgentSeen>,
}

/// GetCurrentMetricData's numbers for the campaign's queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueMetrics {
    pub agents: AgentCounts,
    /// CONTACTS_IN_QUEUE.
    pub in_queue: u32,
    /// OLDEST_CONTACT_AGE, in milliseconds (Connect's unit when the request is ungrouped).
    pub oldest_in_queue_ms: u64,
    /// DataSnapshotTime: when Connect took the numbers.
    pub snapshot_at: Option<UnixMillis>,
}
