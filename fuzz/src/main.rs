//! `dialsim-fuzz`: a fuzzer the project owns, over the `dialsim` binary.
//!
//! # Why it exists
//!
//! dialsim reads files people write by hand (scenarios, sweep files, contact lists exported from
//! a CRM), files that travel between machines (results kept as CI artifacts, a cluster's shard
//! parts, a stored baseline) and files another system exports (Amazon Connect's contact
//! records). Its promise for all of them is the same: exit 0 (or 1 for `check`, a failed gate)
//! when the input is good, exit 2 with one line `error: ...` naming the file when it is not —
//! never a panic, a crash, a run out of memory or a run that never ends. Unit tests pin the
//! mistakes someone thought of; this finds the ones nobody did, by running the real binary on
//! thousands of mutants of every bundled input.
//!
//! # What it does
//!
//! 1. Copies `scenarios/` into a temporary folder and makes the JSON seeds there by running the
//!    binary once on small inputs: a results file (`run --json`), a compare and a frontier file,
//!    a sweep file and the two parts of a sharded sweep, a baseline
//!    (`check scenarios/ci/ --write-baseline`), and contact records (`run --contact-records` of
//!    `scenarios/records/synthetic-center.ron`: the first day of the bundled
//!    `synthetic-contact-records.jsonl.gz`, cut to a few hundred lines).
//! 2. Each iteration picks a seed — a scenario of `scenarios/`, `scenarios/ci/`,
//!    `scenarios/validation/`, a sweep of `scenarios/sweeps/`, `customers-sample.csv` (run
//!    through a copy of `csv-list.ron` pointing at the mutant), a generated JSON file, or the
//!    contact records — and mutates it ([`mutate`]: hostile numbers, deleted or renamed fields,
//!    swapped lines, broken `utc_offset`s, swapped `ci95` ends, truncations, flipped bits, a
//!    byte-order mark; for contact records also records cut short, shuffled or repeated lines,
//!    hostile or swapped timestamps, one `ContactId` on two contacts, gzip whole or broken, a
//!    file of another kind).
//! 3. Runs the command that reads it (`run`, `compare`, `frontier`, `check`,
//!    `check --baseline`, `sweep`, `merge`, `report`, `calibrate RECORDS --out OUT.ron`) with
//!    `RAYON_NUM_THREADS=1`, an address-space limit (`--memory-mib`, set with setrlimit before
//!    exec) and a wall-clock timeout (`--timeout`, the child's process group killed on expiry).
//!    After `calibrate` exits 0 it runs the scenario written (`run OUT.ron --replications 1`),
//!    which must exit 0 too.
//! 4. Judges the run ([`oracle`]) and saves every failing input under `--out`.
//!
//! Every choice of iteration `N` is drawn from a random stream derived from `(--seed, N)` alone,
//! so an iteration is the same whatever `--jobs` says and whichever iterations ran before it.
//!
//! # Running it
//!
//! ```text
//! cargo build --release -p dialsim -p dialsim-fuzz
//! target/release/dialsim-fuzz --seconds 60            # a short run
//! target/release/dialsim-fuzz --seconds 1800 --jobs 2 # a long one
//! target/release/dialsim-fuzz --seconds 60 --kind contact-records  # calibrate only
//! ```
//!
//! It prints a summary (inputs tried, per command, the exits seen, the failures grouped by kind)
//! and exits 1 when anything failed, 0 when nothing did, 2 when it could not start.
//!
//! # Reproducing a failure
//!
//! Each failure gets a folder under `--out` (default `target/fuzz-failures/`) named
//! `s<seed>-i<iteration>-<command>-<kind>` holding the input files (`files/`, laid out as in the
//! work folder), `command.txt` (the exact command and how it ended), `mutations.txt` (the seed and
//! what was changed, with line and column), `stderr.txt`, `stdout.txt` (and `then-stderr.txt`,
//! the read-back's, after a `calibrate`) and `repro.sh`, which lays the files out next to a fresh
//! copy of `scenarios/` and runs the same command (and the read-back):
//!
//! ```text
//! sh target/fuzz-failures/s7-i000123-run-timeout/repro.sh           # DIALSIM=path for another binary
//! target/release/dialsim-fuzz --seed 7 --iteration 123              # or regenerate it
//! ```
//!
//! (with the same `--kind` when the run had one: it changes what each iteration draws).

mod corpus;
mod exec;
mod mutate;
mod oracle;

use anyhow::{Context, bail};
use clap::Parser;
use corpus::{Case, Corpus};
use exec::{Finished, Limits};
use oracle::Failure;
use rand::SeedableRng;
use rand_pcg::Pcg64;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "dialsim-fuzz",
    about = "Run the dialsim binary on mutants of every bundled input and report crashes, hangs, \
             panics and unclear errors"
)]
struct Args {
    /// The dialsim binary (default: `dialsim` next to this program, else target/release/dialsim
    /// of the workspace).
    #[arg(long, value_name = "PATH")]
    binary: Option<PathBuf>,
    /// The scenarios folder to take seeds from (default: the workspace's scenarios/).
    #[arg(long, value_name = "DIR")]
    scenarios: Option<PathBuf>,
    /// Seed of every mutation (default: from the clock, printed). The same seed, binary and
    /// scenarios give the same inputs.
    #[arg(long)]
    seed: Option<u64>,
    /// Stop starting new inputs after this many seconds (default 60 when --iterations is not
    /// given either).
    #[arg(long, value_name = "N")]
    seconds: Option<u64>,
    /// Stop after this many inputs.
    #[arg(long, value_name = "N")]
    iterations: Option<u64>,
    /// Run this one iteration only (of --seed), print everything about it, and save it if it
    /// fails: how a failure is reproduced.
    #[arg(long, value_name = "N", conflicts_with_all = ["seconds", "iterations"])]
    iteration: Option<u64>,
    /// Wall-clock limit of one dialsim run, in seconds; the run is killed after it.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
    /// Address-space limit of one dialsim run (RLIMIT_AS), in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    memory_mib: u64,
    /// Where failing inputs are saved (default: target/fuzz-failures/ of the workspace).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// dialsim runs at a time.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    jobs: u64,
    /// Failures saved per kind (the rest are only counted).
    #[arg(long, value_name = "N", default_value_t = 10)]
    save_per_kind: usize,
    /// Only seeds of this kind (e.g. contact-records: `calibrate` only). An iteration's input
    /// depends on it: give the same --kind to regenerate one.
    #[arg(long, value_name = "KIND")]
    kind: Option<corpus::SeedKind>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match fuzz(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The workspace this crate lives in.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/ is inside the workspace")
        .to_path_buf()
}

fn default_binary() -> PathBuf {
    let sibling = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("dialsim")));
    match sibling {
        Some(s) if s.is_file() => s,
        _ => workspace().join("target/release/dialsim"),
    }
}

/// The random stream of one iteration: derived from the seed and the iteration alone.
fn rng_for(seed: u64, iteration: u64) -> Pcg64 {
    let mut x = seed ^ iteration.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // splitmix64's finalizer: neighbouring iterations get unrelated streams.
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Pcg64::seed_from_u64(x ^ (x >> 31))
}

/// What was seen so far.
#[derive(Default)]
struct Stats {
    tried: u64,
    per_command: BTreeMap<&'static str, u64>,
    exits: BTreeMap<String, u64>,
    failures: u64,
    kinds: BTreeMap<String, Kind>,
}

/// One kind of failure.
struct Kind {
    count: u64,
    saved: usize,
    example: PathBuf,
}

/// Runs the fuzzer; `Ok(true)` when nothing failed.
fn fuzz(args: &Args) -> anyhow::Result<bool> {
    let binary = args.binary.clone().unwrap_or_else(default_binary);
    let binary = binary
        .canonicalize()
        .with_context(|| format!("no dialsim binary at {}: build it with `cargo build --release -p dialsim` or pass --binary", binary.display()))?;
    let scenarios = args
        .scenarios
        .clone()
        .unwrap_or_else(|| workspace().join("scenarios"));
    let scenarios = scenarios
        .canonicalize()
        .with_context(|| format!("no scenarios folder at {}", scenarios.display()))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| workspace().join("target/fuzz-failures"));
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let limits = Limits {
        timeout: Duration::from_secs(args.timeout),
        memory: args.memory_mib.saturating_mul(1 << 20),
    };
    let tmp = tempfile::Builder::new()
        .prefix("dialsim-fuzz-")
        .tempdir()
        .context("cannot make a temporary folder")?;
    let corpus = Corpus::prepare(&scenarios, tmp.path(), &binary, limits)?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let out = out.canonicalize()?;
    eprintln!(
        "dialsim-fuzz: seed {seed}, {} seed inputs, binary {}, failures to {}",
        corpus.seeds.len(),
        binary.display(),
        out.display()
    );

    let (first, last) = match args.iteration {
        Some(n) => (n, n + 1),
        None => (0, args.iterations.unwrap_or(u64::MAX)),
    };
    let deadline = match (args.iteration, args.seconds, args.iterations) {
        (Some(_), _, _) => None,
        (None, Some(s), _) => Some(Instant::now() + Duration::from_secs(s)),
        (None, None, Some(_)) => None,
        (None, None, None) => Some(Instant::now() + Duration::from_secs(60)),
    };
    let started = Instant::now();
    let next = AtomicU64::new(first);
    let mut stats = Stats::default();
    let (tx, rx) = mpsc::channel::<anyhow::Result<(Case, Finished)>>();
    let saver = Saver {
        out: &out,
        work: tmp.path(),
        binary: &binary,
        scenarios: &scenarios,
        seed,
        kind: args.kind,
        limits,
    };
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..args.jobs {
            let tx = tx.clone();
            let (next, corpus, binary) = (&next, &corpus, &binary);
            scope.spawn(move || {
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= last {
                        break;
                    }
                    let case = corpus.case(i, args.kind, &mut rng_for(seed, i));
                    let done = case.run(binary, &corpus.work, limits).map(|d| (case, d));
                    let stop = done.is_err();
                    if tx.send(done).is_err() || stop {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut last_progress = Instant::now();
        for result in rx {
            let (case, done) = result?;
            let failure = oracle::judge(&case, &done);
            if args.iteration.is_some() {
                print_one(&case, &done, failure.as_ref());
            }
            stats.tried += 1;
            *stats.per_command.entry(case.command).or_default() += 1;
            *stats.exits.entry(done.outcome.to_string()).or_default() += 1;
            if let Some(f) = failure {
                stats.failures += 1;
                let kind = stats.kinds.entry(f.signature.clone()).or_insert(Kind {
                    count: 0,
                    saved: 0,
                    example: PathBuf::new(),
                });
                kind.count += 1;
                if kind.saved < args.save_per_kind {
                    let dir = saver.save(&case, &done, &f)?;
                    if kind.saved == 0 {
                        kind.example = dir;
                    }
                    kind.saved += 1;
                }
            }
            if last_progress.elapsed() >= Duration::from_secs(30) {
                last_progress = Instant::now();
                eprintln!(
                    "  [{:.0} s] {} inputs ({:.1}/s), {} failures of {} kinds",
                    started.elapsed().as_secs_f64(),
                    stats.tried,
                    stats.tried as f64 / started.elapsed().as_secs_f64(),
                    stats.failures,
                    stats.kinds.len()
                );
            }
        }
        Ok(())
    })?;
    if stats.tried == 0 {
        bail!("no input was tried: give --seconds or --iterations above 0");
    }
    print_summary(&stats, seed, started.elapsed(), &out);
    Ok(stats.failures == 0)
}

fn print_summary(stats: &Stats, seed: u64, elapsed: Duration, out: &Path) {
    let secs = elapsed.as_secs_f64();
    let per_command: Vec<String> = stats
        .per_command
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    let exits: Vec<String> = stats
        .exits
        .iter()
        .map(|(e, n)| format!("{e} ×{n}"))
        .collect();
    println!(
        "dialsim-fuzz: {} inputs in {:.0} s ({:.1}/s), seed {seed}; per command: {}; exits: {}; {} failures of {} kinds{}",
        stats.tried,
        secs,
        stats.tried as f64 / secs.max(1e-9),
        per_command.join(", "),
        exits.join(", "),
        stats.failures,
        stats.kinds.len(),
        if stats.failures > 0 {
            format!(", saved under {}", out.display())
        } else {
            String::new()
        }
    );
    let mut kinds: Vec<(&String, &Kind)> = stats.kinds.iter().collect();
    kinds.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    for (signature, kind) in kinds {
        println!(
            "  {:>5}× {signature}\n         e.g. {}",
            kind.count,
            kind.example.display()
        );
    }
}

/// Everything about one iteration, for `--iteration`.
fn print_one(case: &Case, done: &Finished, failure: Option<&Failure>) {
    println!(
        "iteration {}: {} of {}",
        case.iteration,
        case.command,
        case.seed.display()
    );
    for m in &case.mutations {
        println!("  {m}");
    }
    println!("  dialsim {}", case.args.join(" "));
    println!(
        "  {} after {:.2} s",
        done.outcome,
        done.elapsed.as_secs_f64()
    );
    for line in String::from_utf8_lossy(&done.stderr).lines().take(20) {
        println!("  stderr: {line}");
    }
    if let Some(then) = &done.then {
        println!(
            "  then: dialsim {}: {} after {:.2} s",
            case.read_back.join(" "),
            then.outcome,
            then.elapsed.as_secs_f64()
        );
        for line in String::from_utf8_lossy(&then.stderr).lines().take(20) {
            println!("  then stderr: {line}");
        }
    }
    match failure {
        Some(f) => println!("  FAILED: {}", f.signature),
        None => println!("  ok"),
    }
}

/// Writes failure folders.
struct Saver<'a> {
    out: &'a Path,
    work: &'a Path,
    binary: &'a Path,
    scenarios: &'a Path,
    seed: u64,
    kind: Option<corpus::SeedKind>,
    limits: Limits,
}

impl Saver<'_> {
    fn save(&self, case: &Case, done: &Finished, failure: &Failure) -> anyhow::Result<PathBuf> {
        let command = case.command.replace(" --", "-");
        let dir = self.out.join(format!(
            "s{}-i{:06}-{command}-{}",
            self.seed, case.iteration, failure.slug
        ));
        let files = dir.join("files");
        let write = |rel: &Path, bytes: &[u8]| -> anyhow::Result<()> {
            let path = files.join(rel);
            std::fs::create_dir_all(path.parent().expect("a file in a folder"))?;
            std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
        };
        for (rel, bytes) in &case.files {
            write(rel, bytes)?;
        }
        for rel in &case.companions {
            write(rel, &std::fs::read(self.work.join(rel))?)?;
        }
        let shell_args: Vec<String> = case.args.iter().map(|a| sh_quote(a)).collect();
        let then = match &done.then {
            Some(then) => format!(
                "then: dialsim {}\nended: {} after {:.2} s\n",
                case.read_back.join(" "),
                then.outcome,
                then.elapsed.as_secs_f64()
            ),
            None => String::new(),
        };
        let kind = match self.kind {
            Some(k) => format!(
                " --kind {}",
                clap::ValueEnum::to_possible_value(&k)
                    .map_or(String::new(), |v| v.get_name().to_string())
            ),
            None => String::new(),
        };
        std::fs::write(
            dir.join("command.txt"),
            format!(
                "RAYON_NUM_THREADS=1 RUST_BACKTRACE=1 dialsim {}\n(in a folder holding scenarios/ and files/*; see repro.sh)\n\
                 ended: {} after {:.2} s (timeout {} s, address space {} MiB)\n\
                 {then}\
                 failure: {}\n\
                 regenerate: dialsim-fuzz --seed {} --iteration {}{kind}\n",
                case.args.join(" "),
                done.outcome,
                done.elapsed.as_secs_f64(),
                self.limits.timeout.as_secs(),
                self.limits.memory >> 20,
                failure.signature,
                self.seed,
                case.iteration
            ),
        )?;
        let mut mutations = format!("seed: {}\n", case.seed.display());
        for m in &case.mutations {
            mutations += &format!("{m}\n");
        }
        std::fs::write(dir.join("mutations.txt"), mutations)?;
        std::fs::write(dir.join("stderr.txt"), &done.stderr)?;
        if let Some(then) = &done.then {
            std::fs::write(dir.join("then-stderr.txt"), &then.stderr)?;
        }
        std::fs::write(dir.join("stdout.txt"), &done.stdout)?;
        std::fs::write(
            dir.join("repro.sh"),
            format!(
                "#!/bin/sh\n\
                 # Re-runs this failing input: lays files/ out next to a copy of scenarios/ and runs the\n\
                 # same command there, with the fuzzer's limits. DIALSIM=path picks another binary.\n\
                 set -u\n\
                 here=$(cd \"$(dirname \"$0\")\" && pwd)\n\
                 bin=${{DIALSIM:-{bin}}}\n\
                 work=$(mktemp -d)\n\
                 cp -R {scenarios} \"$work/scenarios\"\n\
                 cp -R \"$here/files/.\" \"$work/\"\n\
                 mkdir -p \"$work/{scratch}\"\n\
                 cd \"$work\" || exit 2\n\
                 echo \"in $work:\" >&2\n\
                 ulimit -v {kib} 2>/dev/null\n\
                 RAYON_NUM_THREADS=1 RUST_BACKTRACE=1 timeout {timeout} \"$bin\" {args}\n\
                 status=$?\n\
                 echo \"exit $status\" >&2\n\
                 {read_back}",
                bin = sh_quote(&self.binary.display().to_string()),
                scenarios = sh_quote(&self.scenarios.display().to_string()),
                scratch = case.scratch.display(),
                kib = self.limits.memory >> 10,
                timeout = self.limits.timeout.as_secs(),
                args = shell_args.join(" "),
                read_back = if case.read_back.is_empty() {
                    String::new()
                } else {
                    let args: Vec<String> = case.read_back.iter().map(|a| sh_quote(a)).collect();
                    format!(
                        "# What exit 0 promises: the output reads back.\n\
                         if [ $status -eq 0 ]; then\n  \
                         RAYON_NUM_THREADS=1 RUST_BACKTRACE=1 timeout {} \"$bin\" {}\n  \
                         echo \"then: exit $?\" >&2\n\
                         fi\n",
                        self.limits.timeout.as_secs(),
                        args.join(" ")
                    )
                },
            ),
        )?;
        Ok(dir)
    }
}

fn sh_quote(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./:=".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
