//! The seed inputs and the command each mutant is run with.
//!
//! The work directory (a temporary folder) holds a copy of the repository's `scenarios/`, so the
//! relative paths inside the files still resolve (a sweep's `"../seed-sample.ron"`, a scenario's
//! `Csv(path: "customers-sample.csv")`), and `gen/`, the JSON files made at start-up by running
//! the binary once on small inputs, and the contact records cut from the synthetic center's day.
//! Every mutant is written next to its seed under a name
//! starting with `m<iteration>-`, every output goes to `out/m<iteration>/`, and the command runs
//! with the work directory as its current directory and relative paths only, so a failure can be
//! replayed anywhere by laying out the same few files.

use crate::exec::{self, Limits, Outcome};
use crate::mutate::{self, Format, Mutation};
use anyhow::{Context, bail};
use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};
use std::path::{Path, PathBuf};

/// What a seed file is, which decides how it is mutated and run (`--kind` takes these names,
/// in kebab case: `contact-records`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeedKind {
    /// A scenario file: `run`, `compare`, `frontier`, `check`, `check --baseline`.
    Scenario,
    /// The CSV contact list of `scenarios/csv-list.ron`: run through a copy of that scenario.
    ContactList,
    /// A sweep file: `sweep`.
    Sweep,
    /// A results or frontier file (`--json`): `report`.
    Results,
    /// A sweep results file: `report`.
    SweepResults,
    /// A shard's part file: `merge` with the other part, or `report` (which must refuse it).
    SweepPart,
    /// A baseline (`check --write-baseline`): `check SCENARIO --baseline FILE`.
    Baseline,
    /// Amazon Connect contact records, one JSON object per line (plain or gzip): `calibrate`.
    ContactRecords,
}

/// One seed input.
#[derive(Clone, Debug)]
pub struct Seed {
    pub kind: SeedKind,
    /// Relative to the work directory.
    pub rel: PathBuf,
    pub bytes: Vec<u8>,
    /// A scenario whose replication takes long enough that running its own count of them (up to
    /// 100 when a mutation deletes the field) could near the timeout: always run with
    /// `--replications`.
    pub heavy: bool,
}

impl Seed {
    fn format(&self) -> Format {
        match self.kind {
            SeedKind::Scenario | SeedKind::Sweep => Format::Ron,
            SeedKind::ContactList => Format::Csv,
            SeedKind::ContactRecords => Format::Records,
            _ => Format::Json,
        }
    }
}

/// The scenarios' copy, the generated files and the seeds among them.
pub struct Corpus {
    pub work: PathBuf,
    pub seeds: Vec<Seed>,
    /// `scenarios/csv-list.ron`'s text: the scenario a mutated contact list is run through.
    csv_scenario: String,
    /// The CSV file name csv-list.ron refers to.
    csv_name: String,
}

/// A generated file: the command that makes it and what it is.
const GENERATED: &[(&str, SeedKind, &[&str])] = &[
    (
        "gen/results.json",
        SeedKind::Results,
        &[
            "run",
            "scenarios/seed-sample.ron",
            "--replications",
            "2",
            "-q",
            "--json",
        ],
    ),
    (
        "gen/compare.json",
        SeedKind::Results,
        &[
            "compare",
            "scenarios/csv-list.ron",
            "--replications",
            "2",
            "-q",
            "--json",
        ],
    ),
    (
        "gen/frontier.json",
        SeedKind::Results,
        &[
            "frontier",
            "scenarios/frontier-quick.ron",
            "--target-abandon",
            "0.03",
            "--replications",
            "2",
            "-q",
            "--json",
        ],
    ),
    (
        "gen/sweep.json",
        SeedKind::SweepResults,
        &[
            "sweep",
            "scenarios/sweeps/quick.ron",
            "--replications",
            "1",
            "-q",
            "--out",
        ],
    ),
    (
        "gen/part-0.json",
        SeedKind::SweepPart,
        &[
            "sweep",
            "scenarios/sweeps/quick.ron",
            "--replications",
            "1",
            "--shard",
            "0/2",
            "-q",
            "--out",
        ],
    ),
    (
        "gen/part-1.json",
        SeedKind::SweepPart,
        &[
            "sweep",
            "scenarios/sweeps/quick.ron",
            "--replications",
            "1",
            "--shard",
            "1/2",
            "-q",
            "--out",
        ],
    ),
    (
        "gen/baseline.json",
        SeedKind::Baseline,
        &[
            "check",
            "scenarios/ci/",
            "--replications",
            "2",
            "-q",
            "--write-baseline",
        ],
    ),
];

/// The day of contact records the records seed is cut from: the synthetic center behind the
/// bundled `scenarios/records/synthetic-contact-records.jsonl.gz`, whose first day this is (the
/// same scenario and seed), written plain.
const RECORDS_DAY: &[&str] = &[
    "run",
    "scenarios/records/synthetic-center.ron",
    "--replications",
    "1",
    "-q",
    "--contact-records",
    "gen/records-day.jsonl",
];

/// The contact records seed.
const RECORDS: &str = "gen/records.jsonl";

/// A few hundred of the day's records, enough for every fit: each caller who hung up in the queue
/// (patience needs 5), a quarter of those served (talk, after-call work, the queue's waits), one
/// in 25 of the rest (the outcome mix, the IVR choices). In the day's order, repeated deliveries
/// kept where both copies fall in.
fn records_sample(day: &[u8]) -> Vec<u8> {
    let contains = |line: &[u8], what: &[u8]| line.windows(what.len()).any(|w| w == what);
    let (mut served, mut other) = (0, 0);
    let mut out = Vec::new();
    for line in day.split_inclusive(|&b| b == b'\n') {
        let keep = if contains(line, b"\"Queue\":{") {
            if contains(line, b"\"Agent\":null") {
                true
            } else {
                served += 1;
                served % 4 == 1
            }
        } else {
            other += 1;
            other % 25 == 1
        };
        if keep {
            out.extend_from_slice(line);
        }
    }
    out
}

/// One replication of every strategy taking longer than this makes a scenario [heavy](Seed::heavy)
/// (the 100-agent days take 0.25 s; every other bundled scenario under 0.05 s).
const HEAVY: std::time::Duration = std::time::Duration::from_millis(150);

/// The replications the baseline was written with (`check --baseline` must use the same).
const BASELINE_REPLICATIONS: &str = "2";

impl Corpus {
    /// Copies `scenarios` into `work`, collects the seed files and generates the JSON ones with
    /// `binary`.
    pub fn prepare(
        scenarios: &Path,
        work: &Path,
        binary: &Path,
        limits: Limits,
    ) -> anyhow::Result<Corpus> {
        let copy = work.join("scenarios");
        copy_dir(scenarios, &copy).with_context(|| {
            format!("cannot copy {} to {}", scenarios.display(), copy.display())
        })?;
        std::fs::create_dir_all(work.join("gen"))?;
        std::fs::create_dir_all(work.join("out"))?;
        std::fs::create_dir_all(work.join("io"))?;

        let mut seeds = Vec::new();
        for (dir, kind) in [
            ("scenarios", SeedKind::Scenario),
            ("scenarios/ci", SeedKind::Scenario),
            ("scenarios/validation", SeedKind::Scenario),
            ("scenarios/sweeps", SeedKind::Sweep),
        ] {
            let mut names: Vec<PathBuf> = std::fs::read_dir(work.join(dir))
                .with_context(|| format!("cannot list {dir}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "ron"))
                .collect();
            names.sort();
            for path in names {
                let rel = Path::new(dir).join(path.file_name().expect("a file"));
                let heavy = kind == SeedKind::Scenario && {
                    let args = [
                        "run",
                        &rel.display().to_string(),
                        "--replications",
                        "1",
                        "-q",
                    ]
                    .map(String::from);
                    let done = exec::run(binary, work, &args, limits, &work.join("io/time"))?;
                    if done.outcome != Outcome::Exited(0) {
                        bail!(
                            "the bundled {} does not run: {}",
                            rel.display(),
                            String::from_utf8_lossy(&done.stderr).trim()
                        );
                    }
                    done.elapsed > HEAVY
                };
                seeds.push(Seed {
                    kind,
                    bytes: std::fs::read(&path)?,
                    rel,
                    heavy,
                });
            }
        }
        let csv_scenario = std::fs::read_to_string(copy.join("csv-list.ron"))
            .context("scenarios/csv-list.ron is needed to run mutated contact lists")?;
        let csv_name = "customers-sample.csv".to_string();
        if !csv_scenario.contains(&format!("\"{csv_name}\"")) {
            bail!("scenarios/csv-list.ron no longer refers to \"{csv_name}\"");
        }
        seeds.push(Seed {
            kind: SeedKind::ContactList,
            rel: Path::new("scenarios").join(&csv_name),
            bytes: std::fs::read(copy.join(&csv_name))?,
            heavy: false,
        });

        for &(rel, kind, args) in GENERATED {
            let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            args.push(rel.to_string());
            let done = exec::run(binary, work, &args, limits, &work.join("io/gen"))
                .with_context(|| format!("cannot run {}", binary.display()))?;
            let ok = match done.outcome {
                Outcome::Exited(0) => true,
                Outcome::Exited(1) => args[0] == "check",
                _ => false,
            };
            if !ok || !work.join(rel).is_file() {
                bail!(
                    "making the seed {rel} failed: `dialsim {}` ended with {}: {}",
                    args.join(" "),
                    done.outcome,
                    String::from_utf8_lossy(&done.stderr).trim()
                );
            }
            seeds.push(Seed {
                kind,
                rel: PathBuf::from(rel),
                bytes: std::fs::read(work.join(rel))?,
                heavy: false,
            });
        }
        let args: Vec<String> = RECORDS_DAY.iter().map(|a| a.to_string()).collect();
        let done = exec::run(binary, work, &args, limits, &work.join("io/gen"))
            .with_context(|| format!("cannot run {}", binary.display()))?;
        let day = match done.outcome {
            Outcome::Exited(0) => std::fs::read(work.join(RECORDS_DAY[RECORDS_DAY.len() - 1]))
                .context("`dialsim run --contact-records` wrote no records")?,
            _ => bail!(
                "making the contact records failed: `dialsim {}` ended with {}: {}",
                args.join(" "),
                done.outcome,
                String::from_utf8_lossy(&done.stderr).trim()
            ),
        };
        let bytes = records_sample(&day);
        if bytes.iter().filter(|&&b| b == b'\n').count() < 100 {
            bail!("the synthetic center's day gave too few contact records to fuzz with");
        }
        std::fs::write(work.join(RECORDS), &bytes)?;
        seeds.push(Seed {
            kind: SeedKind::ContactRecords,
            rel: PathBuf::from(RECORDS),
            bytes,
            heavy: false,
        });
        Ok(Corpus {
            work: work.to_path_buf(),
            seeds,
            csv_scenario,
            csv_name,
        })
    }

    fn of_kind(&self, kind: SeedKind) -> Vec<&Seed> {
        self.seeds.iter().filter(|s| s.kind == kind).collect()
    }

    /// Instead of `seed`'s records, a file of another kind: another seed (a scenario, a contact
    /// list, a results file), nothing, a line of binary, or one record alone without its line
    /// break.
    fn other_format<R: Rng>(&self, seed: &Seed, rng: &mut R) -> mutate::Mutant {
        let others: Vec<&Seed> = self
            .seeds
            .iter()
            .filter(|s| s.kind != SeedKind::ContactRecords)
            .collect();
        let (bytes, what) = match rng.random_range(0..10) {
            0..6 => {
                let other = others.choose(rng).expect("seeds of other kinds");
                (
                    other.bytes.clone(),
                    format!("{}'s bytes", other.rel.display()),
                )
            }
            6 => (Vec::new(), "an empty file".to_string()),
            7 => (
                (0..=255u8).rev().collect(),
                "the 256 byte values".to_string(),
            ),
            _ => {
                let first = seed.bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
                (
                    first.to_vec(),
                    "its first record alone, no line break".to_string(),
                )
            }
        };
        mutate::Mutant {
            bytes,
            log: vec![mutate::Mutation {
                op: mutate::Op::OtherFormat,
                field: None,
                what: format!("the whole file is {what}"),
            }],
        }
    }

    /// The input and command of one iteration, every choice drawn from `rng`; of seeds of kind
    /// `only` when given.
    pub fn case<R: Rng>(&self, iteration: u64, only: Option<SeedKind>, rng: &mut R) -> Case {
        let kind = only.unwrap_or_else(|| {
            pick(
                rng,
                &[
                    (SeedKind::Scenario, 40),
                    (SeedKind::ContactList, 10),
                    (SeedKind::Sweep, 10),
                    (SeedKind::Results, 14),
                    (SeedKind::SweepResults, 6),
                    (SeedKind::SweepPart, 10),
                    (SeedKind::Baseline, 10),
                    (SeedKind::ContactRecords, 10),
                ],
            )
        });
        let tag = format!("m{iteration}");
        let scratch = PathBuf::from("out").join(&tag);
        let scratch_s = scratch.display().to_string();
        let mut case = Case {
            iteration,
            command: "",
            args: Vec::new(),
            files: Vec::new(),
            companions: Vec::new(),
            names: Vec::new(),
            allow_exit_1: false,
            expect_comparison: false,
            seed: PathBuf::new(),
            mutations: Vec::new(),
            scratch: scratch.clone(),
            read_back: Vec::new(),
        };
        let reps = |rng: &mut R, choices: &[(Option<&'static str>, u32)]| -> Vec<String> {
            match pick(rng, choices) {
                Some(n) => vec!["--replications".into(), n.into()],
                None => Vec::new(),
            }
        };
        match kind {
            SeedKind::Scenario => {
                let command = pick(
                    rng,
                    &[
                        ("run", 35),
                        ("compare", 15),
                        ("frontier", 15),
                        ("check", 15),
                        ("check --baseline", 20),
                    ],
                );
                let all = self.of_kind(SeedKind::Scenario);
                let ci: Vec<&Seed> = all
                    .iter()
                    .copied()
                    .filter(|s| s.rel.starts_with("scenarios/ci"))
                    .collect();
                let pool = if command == "check --baseline" && rng.random_bool(0.75) {
                    &ci
                } else {
                    &all
                };
                let seed = *pool.choose(rng).expect("bundled scenarios");
                let rel = mutant_path(&seed.rel, &tag);
                let m = mutate::mutate(&seed.bytes, seed.format(), rng);
                let file = rel.display().to_string();
                // Without --replications only where the scenario's own count (or the default 100)
                // stays far from the timeout.
                let own = if seed.heavy { 0 } else { 1 };
                case.command = command;
                case.args = match command {
                    "run" => [
                        vec!["run".into(), file],
                        reps(rng, &[(Some("1"), 55), (Some("2"), 30), (None, 15 * own)]),
                    ]
                    .concat(),
                    "compare" => [
                        vec!["compare".into(), file],
                        reps(rng, &[(Some("1"), 30), (Some("2"), 70)]),
                    ]
                    .concat(),
                    "frontier" => [
                        vec![
                            "frontier".into(),
                            file,
                            "--target-abandon".into(),
                            "0.03".into(),
                        ],
                        reps(rng, &[(Some("2"), 85), (Some("3"), 15)]),
                    ]
                    .concat(),
                    "check" => [
                        vec!["check".into(), file],
                        reps(rng, &[(Some("2"), 85), (Some("1"), 5), (None, 10 * own)]),
                    ]
                    .concat(),
                    _ => {
                        case.companions.push(PathBuf::from("gen/baseline.json"));
                        case.names.push("baseline.json".into());
                        vec![
                            "check".into(),
                            file,
                            "--baseline".into(),
                            "gen/baseline.json".into(),
                            "--replications".into(),
                            BASELINE_REPLICATIONS.into(),
                        ]
                    }
                };
                case.args.push("-q".into());
                case.allow_exit_1 = command.starts_with("check");
                case.names.push(file_name(&rel));
                case.files.push((rel, m.bytes));
                case.seed = seed.rel.clone();
                case.mutations = m.log;
            }
            SeedKind::ContactList => {
                let seed = self.of_kind(SeedKind::ContactList)[0];
                let m = mutate::mutate(&seed.bytes, Format::Csv, rng);
                let csv = mutant_path(&seed.rel, &tag);
                let scenario = PathBuf::from(format!("scenarios/{tag}-csv-list.ron"));
                let text = self.csv_scenario.replace(
                    &format!("\"{}\"", self.csv_name),
                    &format!("\"{}\"", file_name(&csv)),
                );
                let file = scenario.display().to_string();
                let command = pick(rng, &[("run", 70), ("compare", 15), ("check", 15)]);
                case.command = command;
                case.args = [
                    vec![command.into(), file],
                    reps(rng, &[(Some("1"), 60), (Some("2"), 30), (None, 10)]),
                    vec!["-q".into()],
                ]
                .concat();
                case.allow_exit_1 = command == "check";
                case.names = vec![file_name(&csv), file_name(&scenario)];
                case.files = vec![(csv, m.bytes), (scenario, text.into_bytes())];
                case.seed = seed.rel.clone();
                case.mutations = m.log;
            }
            SeedKind::Sweep => {
                let seed = *self
                    .of_kind(SeedKind::Sweep)
                    .choose(rng)
                    .expect("bundled sweeps");
                let rel = mutant_path(&seed.rel, &tag);
                let m = mutate::mutate(&seed.bytes, Format::Ron, rng);
                case.command = "sweep";
                case.args = vec![
                    "sweep".into(),
                    rel.display().to_string(),
                    "--out".into(),
                    format!("{scratch_s}/sweep.json"),
                ];
                // The sweep's own `replications` only for quick.ron (4 per point, 4 points):
                // small-team-staffing's own take too long for a fuzzer.
                let own = if seed.rel.ends_with("quick.ron") {
                    3
                } else {
                    0
                };
                case.args.extend(match rng.random_range(0..17 + own) {
                    0..14 => vec!["--replications".to_string(), "1".to_string()],
                    14..17 => ["--replications", "1", "--shard", "0/2"]
                        .map(String::from)
                        .to_vec(),
                    _ => Vec::new(),
                });
                case.args.push("-q".into());
                case.names.push(file_name(&rel));
                case.files.push((rel, m.bytes));
                case.seed = seed.rel.clone();
                case.mutations = m.log;
            }
            SeedKind::ContactRecords => {
                let seed = self.of_kind(SeedKind::ContactRecords)[0];
                let mut m = if rng.random_bool(0.06) {
                    self.other_format(seed, rng)
                } else {
                    mutate::mutate(&seed.bytes, Format::Records, rng)
                };
                let zipped = rng.random_bool(0.25);
                if zipped {
                    let (bytes, log) = mutate::gzip(&m.bytes, rng);
                    m.bytes = bytes;
                    m.log.push(log);
                }
                // The reader tells gzip by its first bytes, not the name: mostly the name fits.
                let gz = if zipped {
                    rng.random_bool(0.8)
                } else {
                    rng.random_bool(0.1)
                };
                let mut rel = mutant_path(&seed.rel, &tag);
                if gz {
                    rel.set_extension("jsonl.gz");
                }
                let file = rel.display().to_string();
                let mut inputs = vec![file];
                if rng.random_bool(0.15) {
                    // With the unmutated records too: the same contacts twice, one copy broken.
                    inputs.push(seed.rel.display().to_string());
                    if rng.random_bool(0.5) {
                        inputs.reverse();
                    }
                    case.companions.push(seed.rel.clone());
                    case.names.push(file_name(&seed.rel));
                }
                let out = format!("{scratch_s}/calibrated.ron");
                case.command = "calibrate";
                case.args = [
                    vec!["calibrate".to_string()],
                    inputs,
                    vec!["--out".into(), out.clone()],
                ]
                .concat();
                let zone: &[&str] = pick(
                    rng,
                    &[
                        (&[][..], 45),
                        (&["--zone-attribute", "dialsim_utc_offset"][..], 35),
                        (&["--time-zone", "America/New_York"][..], 20),
                    ],
                );
                case.args.extend(zone.iter().map(|a| a.to_string()));
                if rng.random_bool(0.05) {
                    case.args.extend(
                        ["--attribute", "dialsim_campaign=synthetic-center"].map(String::from),
                    );
                }
                if rng.random_bool(0.05) {
                    case.args.extend(
                        [
                            "--from",
                            "2026-03-02T15:00:00Z",
                            "--to",
                            "2026-03-02T20:00:00Z",
                        ]
                        .map(String::from),
                    );
                }
                if rng.random_bool(0.15) {
                    case.args
                        .extend(["--report".to_string(), format!("{scratch_s}/report")]);
                }
                // Exit 0 promises a scenario: it must run.
                case.read_back = vec![
                    "run".into(),
                    out,
                    "--replications".into(),
                    "1".into(),
                    "-q".into(),
                ];
                case.names.push(file_name(&rel));
                case.files.push((rel, m.bytes));
                case.seed = seed.rel.clone();
                case.mutations = m.log;
            }
            SeedKind::Results
            | SeedKind::SweepResults
            | SeedKind::Baseline
            | SeedKind::SweepPart => {
                let seed = *self.of_kind(kind).choose(rng).expect("generated seeds");
                let rel = mutant_path(&seed.rel, &tag);
                let m = mutate::mutate(&seed.bytes, Format::Json, rng);
                let file = rel.display().to_string();
                case.names.push(file_name(&rel));
                if kind == SeedKind::Baseline {
                    let scenarios: Vec<&Seed> = self
                        .of_kind(SeedKind::Scenario)
                        .into_iter()
                        .filter(|s| s.rel.starts_with("scenarios/ci"))
                        .collect();
                    let scenario = scenarios.choose(rng).expect("scenarios/ci has scenarios");
                    case.command = "check --baseline";
                    case.args = vec![
                        "check".into(),
                        scenario.rel.display().to_string(),
                        "--baseline".into(),
                        file,
                        "--replications".into(),
                        BASELINE_REPLICATIONS.into(),
                        "-q".into(),
                    ];
                    case.allow_exit_1 = true;
                    case.expect_comparison = true;
                    case.names.push(file_name(&scenario.rel));
                } else if kind == SeedKind::SweepPart && rng.random_bool(0.85) {
                    let other = self
                        .of_kind(SeedKind::SweepPart)
                        .into_iter()
                        .find(|s| s.rel != seed.rel)
                        .expect("two parts");
                    let other_s = other.rel.display().to_string();
                    let mut parts = vec![file, other_s];
                    if rng.random_bool(0.5) {
                        parts.reverse();
                    }
                    case.command = "merge";
                    case.args = [
                        vec!["merge".to_string()],
                        parts,
                        vec!["--out".into(), format!("{scratch_s}/merged.json")],
                    ]
                    .concat();
                    case.companions.push(other.rel.clone());
                    case.names.push(file_name(&other.rel));
                } else {
                    case.command = "report";
                    case.args = vec![
                        "report".into(),
                        file,
                        "--out".into(),
                        format!("{scratch_s}/report"),
                    ];
                }
                case.files.push((rel, m.bytes));
                case.seed = seed.rel.clone();
                case.mutations = m.log;
            }
        }
        case
    }
}

/// One input and its command.
#[derive(Clone, Debug)]
pub struct Case {
    pub iteration: u64,
    /// `run`, `compare`, `frontier`, `check`, `check --baseline`, `report`, `sweep`, `merge` or
    /// `calibrate`.
    pub command: &'static str,
    /// The arguments after the binary, relative to the work directory.
    pub args: Vec<String>,
    /// Files written before the run (the mutant, and a scenario pointing at a mutated CSV).
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// Generated files the command also reads: saved with a failure.
    pub companions: Vec<PathBuf>,
    /// File names an error message must mention one of.
    pub names: Vec<String>,
    /// `check`: exit 1 means a failed gate.
    pub allow_exit_1: bool,
    /// `check --baseline` of a scenario the unmutated baseline covers, with the baseline
    /// mutated: passing while comparing nothing means the mutant lost the scenario silently.
    pub expect_comparison: bool,
    /// The seed the mutant came from.
    pub seed: PathBuf,
    pub mutations: Vec<Mutation>,
    /// Where the command writes its outputs; removed afterwards.
    pub scratch: PathBuf,
    /// Run after an exit 0 (empty: nothing): what reads the command's output back (`calibrate`'s
    /// scenario, with `run`), which must exit 0 too.
    pub read_back: Vec<String>,
}

impl Case {
    /// Writes the files, runs the command (and after an exit 0 its [read-back](Case::read_back)),
    /// removes the files and outputs again.
    pub fn run(
        &self,
        binary: &Path,
        work: &Path,
        limits: Limits,
    ) -> anyhow::Result<exec::Finished> {
        for (rel, bytes) in &self.files {
            std::fs::write(work.join(rel), bytes)
                .with_context(|| format!("cannot write {}", rel.display()))?;
        }
        std::fs::create_dir_all(work.join(&self.scratch))?;
        let io = work.join("io").join(format!("m{}", self.iteration));
        let mut done = exec::run(binary, work, &self.args, limits, &io);
        let mut failed_read_back = None;
        if let Ok(first) = &mut done
            && first.outcome == Outcome::Exited(0)
            && !self.read_back.is_empty()
        {
            match exec::run(binary, work, &self.read_back, limits, &io) {
                Ok(then) => first.then = Some(Box::new(then)),
                Err(e) => failed_read_back = Some(e),
            }
        }
        for (rel, _) in &self.files {
            let _ = std::fs::remove_file(work.join(rel));
        }
        let _ = std::fs::remove_dir_all(work.join(&self.scratch));
        match failed_read_back {
            Some(e) => Err(e.into()),
            None => Ok(done?),
        }
    }
}

/// `scenarios/ci/x.ron` → `scenarios/ci/m12-x.ron`.
fn mutant_path(rel: &Path, tag: &str) -> PathBuf {
    rel.with_file_name(format!("{tag}-{}", file_name(rel)))
}

pub fn file_name(rel: &Path) -> String {
    rel.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn pick<T: Copy, R: Rng>(rng: &mut R, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut x = rng.random_range(0..total);
    for &(v, w) in choices {
        if x < w {
            return v;
        }
        x -= w;
    }
    unreachable!("x < total")
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
