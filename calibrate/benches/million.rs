//! A million contact records calibrated: read from 100 files of 10,000 (the size of a
//! Firehose delivery), de-duplicated, classified, measured and fitted.
//!
//! `cargo bench -p calibrate --bench million` (the records are written to a temporary folder
//! first, from the synthetic center's simulated calls, about a minute on 2 cores). Peak memory
//! of the same work through the command: `dialsim run scenarios/records/synthetic-center.ron
//! --replications 170 -q --contact-records million.jsonl` then
//! `/usr/bin/time -v dialsim calibrate million.jsonl --out x.ron --time-zone Etc/GMT+5`.

use calibrate::Options;
use contact_records::write::{Delivery, deliveries, text};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const RECORDS: usize = 1_000_000;
const PER_FILE: usize = 10_000;

/// Writes about a million records of the synthetic center's calls into `dir`.
fn write_records(dir: &std::path::Path) -> usize {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/records/synthetic-center.ron");
    let (_, plan) = lab::load::load(&path).expect("bundled scenario");
    let mut lines: Vec<String> = Vec::with_capacity(PER_FILE);
    let (mut written, mut files) = (0, 0);
    let mut replication = 0;
    while written < RECORDS {
        let (_, trace) = lab::run::replicate_traced(&plan, &plan.strategies[0], replication);
        let facts =
            calibrate::simulated::day_of_calls(&plan.world, &trace, &plan.name, replication);
        for r in deliveries(
            &facts,
            Delivery {
                seed: u64::from(replication),
                ..Delivery::AT_LEAST_ONCE
            },
        ) {
            lines.push(text(&[r], true));
            written += 1;
            if lines.len() == PER_FILE || written == RECORDS {
                std::fs::write(dir.join(format!("part-{files:04}.json")), lines.concat())
                    .expect("temporary folder");
                lines.clear();
                files += 1;
            }
            if written == RECORDS {
                break;
            }
        }
        replication += 1;
    }
    written
}

fn million(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let n = write_records(dir.path());
    let options = Options {
        zone: "Etc/GMT+5".parse().expect("a zone"),
        ..Options::default()
    };
    let inputs = vec![dir.path().to_path_buf()];
    let mut group = c.benchmark_group(format!(
        "calibrate {n} contact records in {} files",
        n / PER_FILE
    ));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("read", |b| {
        b.iter(|| {
            black_box(calibrate::records::read(&inputs, &options.attributes()).expect("readable"))
        })
    });
    let records = calibrate::records::read(&inputs, &options.attributes()).expect("readable");
    group.bench_function("classify, measure and fit", |b| {
        b.iter(|| black_box(calibrate::calibrate(&records, &options)))
    });
    group.finish();
}

criterion_group!(benches, million);
criterion_main!(benches);
