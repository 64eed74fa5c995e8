//! Experiments on the dialing engine ([`sim`]), and the files they read and write.
//!
//! A scenario file ([`load`]) compiles into a [`Plan`]: the engine's hidden world and what is
//! done with it — strategies, replications (each one a day), seed, gates. [`run::run_all`] runs
//! every strategy for every replication in parallel and summarises the numbers users see
//! ([`summary`]), each a metric of the [`catalogue`]. [`compare`] measures strategies against a
//! baseline with paired differences, and [`frontier`] searches each strategy's most productive
//! setting under an abandon-rate target. [`check`] judges a scenario's gates ([`gates`]),
//! [`baseline`] compares a run with a stored one, replication by replication, and [`sweep`] runs
//! a grid of scenarios, in shards if asked. [`validate`] checks the JSON files this crate writes
//! when they are read back.
//!
//! Results never depend on the number of threads: replications are collected by index.
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
//! let scenario = lab::load::parse(text, "tiny.ron".as_ref()).unwrap();
//! let plan = lab::Plan::compile(&scenario, &lab::inputs::Files::new(".".as_ref())).unwrap();
//! let results = lab::run::run_all(&plan, &|| {});
//! let abandon = results.strategies[0].metrics.get(lab::catalogue::Metric::AbandonRate);
//! let rate = abandon.unwrap().mean.unwrap();
//! assert!((0.0..=1.0).contains(&rate));
//! ```

pub mod baseline;
pub mod catalogue;
pub mod check;
pub mod compare;
pub mod contacts;
pub mod diff;
/// Reading the files people hand dialsim with a bound on their size (the `user-files` crate,
/// shared with `live`).
pub use user_files as files;
pub mod frontier;
pub mod gates;
pub mod inputs;
pub mod load;
pub mod plan;
pub mod run;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod validate;
pub mod verdict;

pub use plan::Plan;
pub use summary::Results;
