//! A virtual-clock, discrete-event model of an outbound dialing campaign.
//!
//! A scenario ([`scenario::Scenario`], a RON file) describes the hidden truth — who answers, what
//! they press, how long they wait, how many agents work when — and the strategies to compare.
//! [`load::load`] reads and checks it into a [`Model`]; [`run::run_all`] runs every strategy for
//! every replication and summarises the numbers users see ([`summary`]). [`compare`] measures
//! strategies against a baseline with paired differences, and [`frontier`] searches each
//! strategy's most productive setting under an abandon-rate target. [`check`] judges a scenario's
//! [`gates`], and [`baseline`] compares a run with a stored one, replication by replication.
//!
//! Inside, a [`Campaign`] is a state machine with three verbs — `dial`, `advance_to`, `observe` —
//! driven either by the pacer loop in [`run`] or by anything else that can tell it what to dial.
//! Time is a value ([`Millis`]); nothing here reads a clock, does I/O (beyond loading files), or
//! keeps global state. Each call attempt draws from its own seeded stream ([`stream`]), so a run
//! is reproducible bit for bit and strategies are compared on common random numbers.
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
//!     strategies: [FixedRatio(ratio: 1.5)],
//! )"#;
//! let scenario = sim::load::parse(text, "tiny.ron".as_ref()).unwrap();
//! let model = sim::Model::compile(&scenario, ".".as_ref()).unwrap();
//! let results = sim::run::run_all(&model, &|| {});
//! let rate = results.strategies[0].metrics.get("abandon_rate").unwrap().mean.unwrap();
//! assert!((0.0..=1.0).contains(&rate));
//! ```

pub mod baseline;
pub mod campaign;
pub mod check;
pub mod compare;
pub mod contacts;
pub mod dist;
pub mod events;
pub mod files;
pub mod frontier;
pub mod gates;
pub mod gauge;
pub mod load;
pub mod metrics;
pub mod model;
pub mod run;
pub mod scenario;
pub mod stats;
pub mod stream;
pub mod summary;
pub mod sweep;
pub mod validate;

pub use campaign::{Campaign, DialError, Trace, TracedCall};
pub use metrics::{Code, RepMetrics};
pub use model::{MAX_HORIZON_H, Model};
pub use strategies::Millis;
pub use summary::Results;
