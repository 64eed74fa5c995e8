//! Scale: one replication of a 1,000,000-customer list worked by 500 agents (wall time, and the
//! process's peak resident memory printed after it), a 1,000-point sweep on 2 threads, and 200
//! replications of `small-team.ron` on 1 and 2 threads (parallel efficiency = time on 1 thread ÷
//! (2 × time on 2 threads), from criterion's two estimates), and the sample's `AsWritten` and a
//! `FixedRatio(ratio: 100.0)` with one agent per hundred customers, each dialing a list of
//! 100,000 and of 1,000,000 customers in one burst (every call in flight at once: the cost per
//! event must not grow with the calls in flight, so a million should take about ten times a
//! hundred thousand, and less than fifteen).
//!
//! `cargo bench -p lab --bench scale` (about five minutes on 2 cores).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// The process's peak resident memory, from Linux's /proc (None elsewhere).
fn peak_resident_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn million_customers(c: &mut Criterion) {
    let (_, model) =
        lab::load::load(&path("benches/million-customers.ron")).expect("bench scenario");
    let spec = &model.strategies[0];
    let mut group = c.benchmark_group("1,000,000 customers × 500 agents × 72 h");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function(format!("one replication, {}", spec.label()), |b| {
        b.iter(|| black_box(lab::run::replicate(&model, spec, 0)))
    });
    group.finish();
    if let Some(mb) = peak_resident_mb() {
        println!("peak resident memory of the process so far (list included): {mb:.0} MB");
    }
}

fn thousand_point_sweep(c: &mut Criterion) {
    let sweep =
        lab::sweep::Sweep::load(&path("benches/thousand-points.ron"), None).expect("bench sweep");
    let two = pool(2);
    let mut group = c.benchmark_group("sweep of 1,000 points × 2 strategies × 2 replications");
    group.sample_size(10);
    group.bench_function("2 threads", |b| {
        b.iter(|| two.install(|| black_box(sweep.run(0, 1, &|| {}))))
    });
    group.finish();
}

fn parallel_efficiency(c: &mut Criterion) {
    let (_, mut model) =
        lab::load::load(&path("../scenarios/small-team.ron")).expect("bundled scenario");
    model.replications = 200;
    let mut group = c.benchmark_group("200 replications × 5 strategies of small-team");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_function(format!("{threads} thread(s)"), |b| {
            b.iter(|| pool.install(|| black_box(lab::run::run_all(&model, &|| {}))))
        });
    }
    group.finish();
}

fn burst_of_calls_in_flight(c: &mut Criterion) {
    let text = std::fs::read_to_string(path("../scenarios/seed-sample.ron")).expect("sample");
    let mut group = c.benchmark_group("the whole list in flight at once");
    group.sample_size(10);
    for size in [100_000, 1_000_000] {
        let as_written = text
            .replace("size: 2000,", &format!("size: {size},"))
            .replace("AgentsAvailable(poll_s: 5.0),", "");
        // A power dialer at its highest ratio with one agent per hundred customers dials the
        // whole list at its first decision, as AsWritten does.
        let fixed_ratio = as_written
            .replace("AsWritten(poll_s: 5.0),", "FixedRatio(ratio: 100.0),")
            .replace(
                "staffing: Count(10),",
                &format!("staffing: Count({}),", size / 100),
            );
        for edited in [as_written, fixed_ratio] {
            let scenario = lab::load::parse(&edited, "burst.ron".as_ref()).expect("edited sample");
            let model = lab::Plan::compile(&scenario, &lab::inputs::Files::new(".".as_ref()))
                .expect("compiles");
            let spec = &model.strategies[0];
            group.bench_function(format!("{}, {size} customers", spec.label()), |b| {
                b.iter(|| black_box(lab::run::replicate(&model, spec, 0)))
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    million_customers,
    thousand_point_sweep,
    parallel_efficiency,
    burst_of_calls_in_flight
);
criterion_main!(benches);
