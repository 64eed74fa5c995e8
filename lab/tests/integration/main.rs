//! The simulator's integration tests, one binary (fast to link) with a module per topic.

mod campaign_end;
mod determinism;
mod erlang;
mod frontier;
mod gates;
mod invariants;
mod pacing;
mod queueing;
mod rulebook;
mod samples;
mod scenario_errors;
mod support;
mod targets;
mod window;
