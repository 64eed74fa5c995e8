//! Simulator speed: events per second and the wall time of one replication of the 100-agent day,
//! next to a bare binary-heap M/M/10 event loop (the ceiling an event simulator can approach on
//! this machine), measured in the same run so their ratio is meaningful on a noisy machine.
//!
//! `cargo bench -p sim --bench campaign` — criterion prints time per iteration and, under
//! "thrpt", events per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::path::PathBuf;

/// The bundled 100-agent day (its list is generated, so the engine needs no files).
fn day() -> (sim::scenario::Scenario, sim::World) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/day-100-agents.ron");
    let text = std::fs::read_to_string(path).expect("bundled scenario");
    let scenario = sim::scenario::parse(&text).expect("bundled scenario parses");
    let world = sim::World::compile(&scenario, scenario.seed, &sim::inputs::NoFiles)
        .expect("bundled scenario compiles");
    (scenario, world)
}

fn replication(c: &mut Criterion) {
    let (scenario, world) = day();
    let mut group = c.benchmark_group("day-100-agents");
    group.sample_size(20);
    for spec in &scenario.strategies {
        let events = sim::run::replicate(&world, spec, scenario.seed, 0).events;
        group.throughput(Throughput::Elements(events));
        group.bench_function(format!("one replication, {}", spec.label()), |b| {
            b.iter(|| black_box(sim::run::replicate(&world, spec, scenario.seed, 0)))
        });
    }
    group.finish();
}

/// An M/M/10 queue as a bare event loop: heap of (time, seq), Pcg64Mcg, exponential draws.
fn bare_loop(events: u64) -> u64 {
    let mut rng = Pcg64Mcg::seed_from_u64(1);
    let arrival = Exp::new(9.0).expect("rate");
    let service = Exp::new(1.0).expect("rate");
    let mut heap: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let (mut seq, mut busy, mut queued, mut handled) = (0u64, 0u32, 0u64, 0u64);
    heap.push(Reverse((0, 0)));
    while let Some(Reverse((t, kind))) = heap.pop() {
        handled += 1;
        if handled == events {
            break;
        }
        let mut at = |dt: f64, kind: u64, heap: &mut BinaryHeap<_>| {
            seq += 2;
            heap.push(Reverse((t + (dt * 1e6) as u64, seq | kind)));
        };
        if kind & 1 == 0 {
            at(arrival.sample(&mut rng), 0, &mut heap);
            if busy < 10 {
                busy += 1;
                at(service.sample(&mut rng), 1, &mut heap);
            } else {
                queued += 1;
            }
        } else if queued > 0 {
            queued -= 1;
            at(service.sample(&mut rng), 1, &mut heap);
        } else {
            busy -= 1;
        }
    }
    handled
}

fn baseline(c: &mut Criterion) {
    let mut group = c.benchmark_group("bare binary-heap loop");
    group.sample_size(20);
    let events = 1_000_000;
    group.throughput(Throughput::Elements(events));
    group.bench_function("M/M/10, 1M events", |b| {
        b.iter(|| black_box(bare_loop(events)))
    });
    group.finish();
}

criterion_group!(benches, replication, baseline);
criterion_main!(benches);
