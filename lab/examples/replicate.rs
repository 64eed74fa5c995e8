//! Replications of one strategy, for profilers: `valgrind --tool=callgrind
//! target/release/examples/replicate scenarios/day-100-agents.ron Progressive` (one replication),
//! or `perf record target/release/examples/replicate SCENARIO STRATEGY 200` (a sampling profiler
//! needs a longer run).
//!
//! Prints the events handled, so instruction counts can be turned into instructions per event.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (scenario, strategy, count) = match args.as_slice() {
        [scenario, strategy] => (scenario, strategy, Ok(1)),
        [scenario, strategy, count] => (scenario, strategy, count.parse::<u32>()),
        _ => {
            eprintln!(
                "usage: replicate SCENARIO STRATEGY [REPLICATIONS] (a strategy label from the scenario, e.g. Progressive)"
            );
            return ExitCode::from(2);
        }
    };
    let Ok(count) = count else {
        eprintln!("REPLICATIONS must be a whole number");
        return ExitCode::from(2);
    };
    let model = match lab::load::load(&PathBuf::from(scenario)) {
        Ok((_, model)) => model,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let Some(spec) = model
        .strategies
        .iter()
        .find(|s| s.label().starts_with(strategy.as_str()))
    else {
        let labels: Vec<String> = model.strategies.iter().map(|s| s.label()).collect();
        eprintln!(
            "no strategy {strategy:?} in {scenario}; it has {}",
            labels.join(", ")
        );
        return ExitCode::from(2);
    };
    let (mut events, mut dials) = (0, 0);
    for r in 0..count {
        let metrics = lab::run::replicate(&model, spec, r);
        events += metrics.events;
        dials += metrics.counters.dials;
    }
    println!(
        "{}: {count} replications, {events} events, {dials} dials",
        spec.label()
    );
    ExitCode::SUCCESS
}
