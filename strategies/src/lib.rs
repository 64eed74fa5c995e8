//! The seam between a campaign and the rule that decides how fast to dial.
//!
//! A [`Pacer`] is asked, again and again, "how many calls should be launched now, and when should I
//! ask you next?". It answers from an [`Observation`] — only what Amazon Connect's APIs and the
//! dialer's own bookkeeping would show an operator — and learns from each finished call
//! ([`CallRecord`]). The same pacer object runs in the simulator (virtual time) and against Connect
//! (wall time): it never reads a clock, does no I/O and holds no global state.
//!
//! Strategies are described in scenario and campaign files by [`StrategySpec`] (RON) and built with
//! [`StrategySpec::build`]:
//!
//! ```
//! use strategies::{AgentCounts, Counting, Observation, StrategySpec};
//!
//! let spec: StrategySpec = ron::from_str("FixedRatio(ratio: 2.0)").unwrap();
//! let mut pacer = spec.build(7, Counting::default());
//! let mut seen = Observation::default();
//! seen.agents = AgentCounts { staffed: 10, available: 3, ..Default::default() };
//! seen.callable_now = 100;
//! let decision = pacer.decide(&seen);
//! assert_eq!(decision.launch, 6); // 2 × 3 available, none in flight yet
//! ```

pub mod adaptive;
pub mod agents_available;
pub mod as_written;
pub mod drops;
pub mod fixed_ratio;
pub mod free_plus_busy;
pub mod observe;
pub mod open_loop;
pub mod pi_controller;
pub mod predictive;
pub mod progressive;
pub mod record;
pub mod spec;
pub mod talk_time;
pub mod time;

pub use observe::{Activity, AgentCounts, AgentStatus, InFlight, Observation};
pub use record::{AfterRejection, CallRecord, Choice, RejectReason, Rejection, RingOutcome};
pub use rules::abandonment::{Counting, DeclaredAmd};
/// Numbers checked while a file is read (the rules' crate holds them: its syntax needs them).
pub use rules::param;
pub use spec::{Knob, StrategySpec};
pub use time::Millis;

/// What a pacer answers when asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Calls to launch now. The dialer launches fewer when fewer customers are callable, and
    /// Connect may refuse some (see [`Pacer::on_rejected`]).
    pub launch: u32,
    /// When to ask again. Zero is treated as one millisecond.
    pub recheck_after: Millis,
}

/// A pacing strategy.
pub trait Pacer: Send {
    /// How many calls to launch now, and when to be asked again.
    fn decide(&mut self, seen: &Observation) -> Decision;

    /// A call this pacer launched has finished. Called in the order calls finish, before the next
    /// [`Pacer::decide`].
    fn on_outcome(&mut self, _call: &CallRecord) {}

    /// Connect refused one of the dials just requested. The default puts the customer back.
    fn on_rejected(&mut self, _rejection: &Rejection) -> AfterRejection {
        AfterRejection::Retry
    }
}
