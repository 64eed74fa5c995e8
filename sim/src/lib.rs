//! The dialing engine: a virtual-clock, discrete-event model of one outbound dialing campaign.
//!
//! A scenario ([`scenario::Scenario`], a RON file's syntax, [`scenario::parse`]) describes the
//! hidden truth — who answers, what they press, how long they wait, how many agents work when —
//! and compiles into a [`World`]. A [`Campaign`] in that world is a state machine with three
//! verbs — `dial`, `advance_to`, `observe` — driven either by the pacer loop in [`run`] or by
//! anything else that can tell it what to dial (the Connect stand-in). It records one
//! replication's measurements ([`metrics`]).
//!
//! The engine is pure: time is a value ([`Millis`]); nothing here reads a clock, a file or the
//! environment, starts a thread, or keeps global state. The files a scenario names are handed
//! over through [`inputs::Inputs`]. Each call attempt draws from its own seeded stream
//! ([`stream`]), so a run is reproducible bit for bit and strategies are compared on common
//! random numbers. Running many replications, summarising and judging them is the experiments'
//! crate's job, above this one.
//!
//! ```
//! let text = r#"Scenario(
//!     name: "tiny", seed: 1, replications: 2, horizon_h: Some(1.0),
//!     list: Generated(size: 300),
//!     agents: (staffing: Count(3), talk: Exponential(mean_s: 120.0), after_call_work: Fixed(s: 10.0)),
//!     dial: (ring_timeout_s: 20.0, human: 0.4, machine: 0.2, busy: 0.05, no_answer: 0.3, failed: 0.05,
//!            answer_after: LogNormal(mean_s: 8.0, sd_s: 3.0)),
//!     ivr: (prompt: Fixed(s: 6.0),
//!           agent: (p: 0.5, after: Fixed(s: 2.0)), call_back: (p: 0.1, after: Fixed(s: 2.0)),
//!           email: (p: 0.1, after: Fixed(s: 2.0)), not_interested: (p: 0.2, after: Fixed(s: 2.0)),
//!           no_input: 0.1),
//!     queue: (patience: Some(Exponential(mean_s: 20.0))),
//!     rules: (calling_window: (from: "00:00", to: "24:00"), retry: (no_answer: None, busy: None,
//!            machine: None, failed: None, call_back: None, abandoned: None)),
//!     strategies: [FixedRatio(ratio: 1.5)],
//! )"#;
//! let scenario = sim::scenario::parse(text).unwrap();
//! let world = sim::World::compile(&scenario, scenario.seed, &sim::inputs::NoFiles).unwrap();
//! let day = sim::run::replicate(&world, &scenario.strategies[0], scenario.seed, 0);
//! assert!(day.counters.queue_entries >= day.counters.abandoned);
//! ```

pub mod campaign;
pub mod dist;
pub mod events;
pub mod gate;
pub mod gauge;
pub mod inputs;
pub mod metrics;
pub mod run;
pub mod scenario;
pub mod stream;
pub mod world;

pub use campaign::{CallProgress, Campaign, DialError, Trace, TracedCall};
pub use metrics::{Code, RepMetrics};
pub use strategies::Millis;
pub use world::{MAX_HORIZON_H, World};
