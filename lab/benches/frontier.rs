//! The frontier users wait for: every strategy of the bundled 100-agent day searched under a 3%
//! regulatory cap with 20 replications per setting, on 2 threads, with early looks (what
//! `dialsim frontier` does) and with every setting run on every replication
//! (`--every-replication`), so that their ratio is measured in one run on a noisy machine.
//!
//! `cargo bench -p lab --bench frontier` (about five minutes on 2 cores).

use criterion::{Criterion, criterion_group, criterion_main};
use lab::frontier::{Target, frontier};
use rules::words::AbandonDefinition;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn day_100_frontier(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/day-100-agents.ron");
    let (_, mut plan) = lab::load::load(&path).expect("bundled scenario");
    plan.replications = 20;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    let mut group = c.benchmark_group("frontier, day-100-agents, 20 replications, 2 threads");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    for (name, early_looks) in [("early looks", true), ("every replication", false)] {
        let target = Target {
            abandon: 0.03,
            definition: AbandonDefinition::Regulatory,
            risk: None,
            early_looks,
        };
        group.bench_function(name, |b| {
            b.iter(|| pool.install(|| black_box(frontier(&plan, target, &|| {}).expect("valid"))))
        });
    }
    group.finish();
}

criterion_group!(benches, day_100_frontier);
criterion_main!(benches);
