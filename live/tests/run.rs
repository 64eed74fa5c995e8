//! `live run` end to end: the real `live` binary, the real aws-sdk-connect, and the Connect
//! stand-in (`connect-standin`, a separate process) over HTTP on loopback.

use live::UnixMillis;
use live::store::{AttemptState, Identity, Store};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 150;

/// The twin check measures timing-sensitive numbers: it runs alone, the other campaigns share.
static MACHINE: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn shared() -> std::sync::RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(|e| e.into_inner())
}

/// The campaign's rules, written once into the scenario the stand-in plays and into the campaign
/// file `live` runs: calls at any hour, busy numbers retried once after 2 minutes.
const RULES: &str = r#"rules: (
        calling_window: (from: "00:00", to: "24:00"),
        retry: (
            no_answer: None,
            busy: Some((after_min: 2.0, max_attempts: 2)),
            machine: None,
            failed: None,
            call_back: None,
            abandoned: None,
        ),
    ),"#;

/// The stand-in's world: 6 agents, a 150-customer list (contacts.csv), under [`RULES`].
fn scenario(horizon_h: f64) -> String {
    format!(
        r#"Scenario(
    name: "live-e2e",
    description: "live run end to end",
    seed: 3,
    replications: 1,
    horizon_h: Some({horizon_h}),
    series_interval_min: 15.0,
    start_utc_h: 15.0,
    list: Csv(path: "contacts.csv"),
    agents: (
        staffing: Count(6),
        talk: LogNormal(mean_s: 90.0, sd_s: 60.0),
        after_call_work: Fixed(s: 10.0),
    ),
    dial: (
        ring_timeout_s: 25.0,
        human: 0.40, machine: 0.20, busy: 0.10, no_answer: 0.25, failed: 0.05,
        answer_after: LogNormal(mean_s: 8.0, sd_s: 4.0),
    ),
    ivr: (
        prompt: Fixed(s: 6.0),
        no_input_timeout_s: 5.0,
        agent:          (p: 0.40, after: LogNormal(mean_s: 2.5, sd_s: 1.5)),
        call_back:      (p: 0.10, after: Fixed(s: 2.0)),
        email:          (p: 0.10, after: Fixed(s: 2.0)),
        not_interested: (p: 0.30, after: Fixed(s: 2.0)),
        no_input: 0.10,
    ),
    queue: (
        patience: Some(Weibull(shape: 0.8, scale_s: 30.0)),
        compliance_threshold_s: 2.0,
    ),
    limits: (
        start_rate: Some((per_second: 2.0, burst: 5)),
        max_concurrent_calls: Some(20),
    ),
    {RULES}
    metrics_lag_s: 1.0,
    strategies: [Predictive(target_abandon: 0.05)],
)
"#
    )
}

/// The instance, contact flow and queue the stand-in serves by default (those of
/// examples/rehearsal/campaign.ron): it answers other ids with ResourceNotFoundException.
const INSTANCE_ID: &str = "00000000-0000-4000-8000-000000000001";
const CONTACT_FLOW_ID: &str = "00000000-0000-4000-8000-000000000002";
const QUEUE_ID: &str = "00000000-0000-4000-8000-000000000003";

fn campaign(port: u16, strategy: &str) -> String {
    format!(
        r#"Campaign(
    name: "e2e",
    instance_id: "{INSTANCE_ID}",
    contact_flow_id: "{CONTACT_FLOW_ID}",
    queue_id: "{QUEUE_ID}",
    source_phone_number: "+12025550100",
    region: "us-east-1",
    endpoint_url: Some("http://127.0.0.1:{port}"),
    contacts: "contacts.csv",
    strategy: {strategy},
    {RULES}
    compliance: (
        ring_timeout_s: 25,
        kill_switch: (target_abandon: 0.5, definition: Queue, window_min: 60.0, min_calls: 30, action: FallBackToProgressive),
    ),
    quotas: (max_concurrent_calls: 20),
    store: "campaign.sqlite",
)
"#
    )
}

fn phone(i: usize) -> String {
    format!("+1303555{i:04}")
}

/// A campaign folder: scenario.ron, campaign.ron (filled in once the stand-in's port is known)
/// and contacts.csv.
fn folder(horizon_h: f64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut csv = String::from("phone,name,utc_offset\n");
    for i in 0..CUSTOMERS {
        csv.push_str(&format!("{},Customer {i},-05:00\n", phone(i)));
    }
    std::fs::write(dir.path().join("contacts.csv"), csv).expect("write contacts");
    std::fs::write(dir.path().join("scenario.ron"), scenario(horizon_h)).expect("write scenario");
    dir
}

struct Standin {
    child: Child,
    port: u16,
}

/// A campaign folder whose stand-in is running: the scenario over `horizon_h`, the stand-in at
/// `time_scale` with `faults`, and campaign.ron with `strategy`, passed through `edit`.
fn rehearsal(
    horizon_h: f64,
    time_scale: f64,
    faults: &[&str],
    strategy: &str,
    edit: impl FnOnce(String) -> String,
) -> (tempfile::TempDir, Standin) {
    let dir = folder(horizon_h);
    let standin = start_standin(&dir.path().join("scenario.ron"), time_scale, faults);
    std::fs::write(
        dir.path().join("campaign.ron"),
        edit(campaign(standin.port, strategy)),
    )
    .expect("write campaign");
    (dir, standin)
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The stand-in's binary: `CONNECT_STANDIN` when set, else `connect-standin` in this test's
/// profile folder (`target/<profile>/`, the parent of the `deps/` this test runs from), where
/// `cargo test --workspace` builds it. It is another package's binary, so Cargo does not name it
/// to this one's tests.
fn standin_exe() -> PathBuf {
    if let Some(path) = std::env::var_os("CONNECT_STANDIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps/");
    let path = profile.join(format!("connect-standin{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "no stand-in at {}: build it in this profile first (`cargo build -p connect-standin`, \
         with --release for a release test run; `cargo test --workspace` builds it), or point \
         CONNECT_STANDIN at one",
        path.display()
    );
    path
}

fn start_standin(scenario: &Path, time_scale: f64, extra: &[&str]) -> Standin {
    start_standin_with(scenario, time_scale, extra, &[])
}

fn start_standin_with(
    scenario: &Path,
    time_scale: f64,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Standin {
    let mut child = Command::new(standin_exe())
        .envs(env.iter().copied())
        .args(["--scenario", &scenario.to_string_lossy(), "--port", "0"])
        .args(["--time-scale", &time_scale.to_string()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start connect-standin");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("read the stand-in's address");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Standin { child, port }
}

fn http_get(port: u16, path: &str) -> serde_json::Value {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
}

fn live_command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_live"));
    c.args(args)
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "rehearsal")
        .env("AWS_SECRET_ACCESS_KEY", "rehearsal")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_CONNECT");
    c
}

/// Runs `live` to its end, with a guard against a hang. Its output goes through files, so that
/// a chatty log cannot fill a pipe and stall it.
fn live(dir: &Path, args: &[&str], limit: Duration) -> Output {
    live_with(dir, args, limit, &[])
}

/// [`live`] with more environment variables.
fn live_with(dir: &Path, args: &[&str], limit: Duration, env: &[(&str, &str)]) -> Output {
    let out_path = dir.join("live.stdout");
    let err_path = dir.join("live.stderr");
    let mut child = live_command(dir, args)
        .envs(env.iter().copied())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start live");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&err_path).unwrap_or_default();
            let tail: Vec<&str> = err.lines().rev().take(30).collect();
            panic!(
                "live {args:?} did not finish in {limit:?}; the end of its log:\n{}",
                tail.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: std::fs::read(&out_path).unwrap_or_default(),
        stderr: std::fs::read(&err_path).unwrap_or_default(),
    }
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "live failed: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn store(dir: &Path) -> Store {
    let identity = Identity {
        campaign: "e2e".into(),
        instance_id: INSTANCE_ID.into(),
    };
    Store::open(
        &dir.join("campaign.sqlite"),
        &identity,
        false,
        UnixMillis(0),
    )
    .expect("open store")
    .0
}

/// Calls the stand-in placed, per number.
fn dials(port: u16) -> BTreeMap<String, u64> {
    let v = http_get(port, "/_standin/dials");
    v.as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
        .collect()
}

/// The invariants every run must keep: each number was called by the stand-in exactly as many
/// times as the store has placed attempts for it (no duplicate, no call the store does not know),
/// no attempt is left unresolved, and no customer has two attempts with one number.
fn check_no_duplicates_no_loss(dir: &Path, port: u16) -> (u64, u64) {
    let placed_by_standin = dials(port);
    let attempts = store(dir).attempts().expect("attempts");
    let mut placed_by_store: BTreeMap<String, u64> = BTreeMap::new();
    let mut failed = 0;
    for a in &attempts {
        match &a.state {
            AttemptState::Finished { .. } => {
                *placed_by_store.entry(a.phone.clone()).or_default() += 1
            }
            AttemptState::Failed { error } => {
                assert!(
                    !error.contains("OutboundContactNotPermitted"),
                    "{}: attempt {} refused by the stand-in: {error}",
                    a.phone,
                    a.number
                );
                failed += 1;
            }
            other => panic!("{} attempt {} left {other:?}", a.phone, a.number),
        }
    }
    assert_eq!(
        placed_by_standin, placed_by_store,
        "calls placed per number (stand-in) against finished attempts per number (store)"
    );
    let mut numbers: Vec<(String, u32)> = attempts
        .iter()
        .map(|a| (a.phone.clone(), a.number))
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        attempts.len(),
        "one attempt per (customer, number)"
    );
    (placed_by_standin.values().sum(), failed)
}

/// Every customer of the list ends in exactly one final state in `live export`.
fn check_every_customer_final(dir: &Path) {
    let out = live(
        dir,
        &["export", "campaign.ron", "--csv", "out.csv"],
        Duration::from_secs(30),
    );
    ok(&out);
    let mut reader = csv::Reader::from_path(dir.join("out.csv")).expect("export");
    let mut rows = 0;
    for row in reader.records() {
        let row = row.expect("row");
        rows += 1;
        let (code, attempts, in_flight) = (&row[4], &row[5], &row[10]);
        assert_eq!(in_flight, "false", "{row:?}");
        assert!(attempts != "0", "never dialed: {row:?}");
        assert!(
            ["1", "2", "3", "0", "-2", "abandoned", "-1"].contains(&code),
            "{row:?}"
        );
    }
    assert_eq!(rows, CUSTOMERS);
}

/// Runs `live` again (at 60×) until the list is done, then checks the invariants and that every
/// customer is final.
fn resume_to_the_end(dir: &Path, port: u16) {
    let out = live(
        dir,
        &["run", "campaign.ron", "--time-scale", "60"],
        Duration::from_secs(300),
    );
    let stdout = ok(&out);
    assert!(stdout.contains("every customer is done"), "{stdout}");
    check_no_duplicates_no_loss(dir, port);
    check_every_customer_final(dir);
}

#[test]
fn a_campaign_runs_to_the_end_with_each_customer_in_one_final_state() {
    let _shared = shared();
    let (dir, standin) = rehearsal(2.0, 200.0, &[], "Predictive(target_abandon: 0.05)", |c| c);
    let out = live(
        dir.path(),
        &["run", "campaign.ron", "--time-scale", "200"],
        Duration::from_secs(120),
    );
    let stdout = ok(&out);
    assert!(stdout.contains("every customer is done"), "{stdout}");
    let (placed, failed) = check_no_duplicates_no_loss(dir.path(), standin.port);
    assert!(
        placed >= CUSTOMERS as u64,
        "{placed} calls for {CUSTOMERS} customers"
    );
    assert_eq!(failed, 0);
    // Predictive forecasts from the agents' states: `live` read them with GetCurrentUserData
    // through the SDK, and Connect (the stand-in) understood every request.
    let requests = http_get(standin.port, "/_standin/status")["requests"].clone();
    let user_data = requests
        .as_array()
        .expect("requests per operation")
        .iter()
        .find(|r| r["operation"] == "GetCurrentUserData")
        .expect("GetCurrentUserData is served")
        .clone();
    assert!(user_data["ok"].as_u64().unwrap() > 10, "{requests}");
    assert_eq!(user_data["failed"], 0, "{requests}");
    check_every_customer_final(dir.path());
    let status = ok(&live(
        dir.path(),
        &["status", "campaign.ron"],
        Duration::from_secs(30),
    ));
    assert!(status.contains("agent occupancy"), "{status}");
    // The regulatory rate `status` shows is the definition's (docs/results.md): abandons and
    // callers bridged to an agent more than 2 s after they queued, over live answers.
    let calls = store(dir.path()).finished_calls().expect("calls");
    let late = calls
        .iter()
        .filter(|c| {
            c.outcome == live::Outcome::Agent
                && matches!((c.queued_at, c.connected_at), (Some(q), Some(a)) if a.0 - q.0 > 2_000)
        })
        .count();
    let abandoned = calls
        .iter()
        .filter(|c| c.outcome == live::Outcome::Abandoned)
        .count();
    let answers = calls.iter().filter(|c| c.outcome.live_answer()).count();
    let expected = format!(
        "abandon rate (regulatory) {:.2}%  = ({abandoned} abandoned + {late} bridged to an agent later than 2 s) / {answers} calls",
        (abandoned + late) as f64 / answers as f64 * 100.0
    );
    assert!(status.contains(&expected), "{expected}\n{status}");
    check_contact_records(dir.path());
}

/// `live export --contact-records` writes one record per call Connect placed, in the format
/// `dialsim calibrate` reads: each reads back, is classified as the store recorded its outcome,
/// and the rehearsal's records calibrate to a scenario.
fn check_contact_records(dir: &Path) {
    let out = live(
        dir,
        &[
            "export",
            "campaign.ron",
            "--contact-records",
            "records.jsonl.gz",
        ],
        Duration::from_secs(30),
    );
    let stdout = ok(&out);
    // Calls Connect reported on (a dial Connect says it never started has no record there
    // either).
    let placed: Vec<_> = store(dir)
        .placed_calls()
        .expect("calls")
        .into_iter()
        .filter(live::records::has_connect_facts)
        .collect();
    assert!(!placed.is_empty());
    assert!(
        stdout.contains(&format!("wrote {} contact records", placed.len())),
        "{stdout}"
    );
    let path = dir.join("records.jsonl.gz");
    let records = contact_records::read::read(
        std::slice::from_ref(&path),
        &[live::contact::RESULT_ATTRIBUTE.to_string()],
    )
    .expect("records");
    assert_eq!(records.rejected_total(), 0, "{:?}", records.rejected);
    assert_eq!(records.contacts.len(), placed.len());
    let table = calibrate::classify::Table::default_table();
    let outcome: HashMap<&str, live::Outcome> = placed
        .iter()
        .map(|c| (c.contact_id.as_str(), c.outcome))
        .collect();
    use calibrate::classify::DialOutcome;
    for r in &records.contacts {
        let contact = calibrate::classify::classify(r, &table).expect("classified");
        let stored = outcome[&*r.contact_id];
        let expected = match stored {
            live::Outcome::Machine => DialOutcome::Machine,
            live::Outcome::Busy => DialOutcome::Busy,
            live::Outcome::NoAnswer => DialOutcome::NoAnswer,
            live::Outcome::Failed => DialOutcome::Failed,
            // A silent answer: the default table counts it a machine unless detection said
            // it was a person (the flow's -2 is "machine / no input").
            live::Outcome::NoInput if r.amd_status.as_deref() != Some("HUMAN_ANSWERED") => {
                DialOutcome::Machine
            }
            _ => DialOutcome::Human,
        };
        assert_eq!(contact.outcome, expected, "{stored:?}: {r:?}");
        if expected == DialOutcome::Human {
            assert_eq!(contact.choice, stored.choice(), "{stored:?}: {r:?}");
        }
    }
    let calibrated = Command::new(dialsim())
        .current_dir(dir)
        .args(["calibrate", "records.jsonl.gz", "--out", "calibrated.ron"])
        .output()
        .expect("dialsim calibrate");
    assert!(
        calibrated.status.success(),
        "{}",
        String::from_utf8_lossy(&calibrated.stderr)
    );
    assert!(dir.join("calibrated.ron").is_file());
}

#[test]
fn throttling_500s_lost_answers_and_dropped_connections_place_no_second_call() {
    let _shared = shared();
    let (dir, standin) = rehearsal(
        2.0,
        200.0,
        &[
            "--throttle-every",
            "7",
            "--error-every",
            "11",
            "--error-after-dial-every",
            "5",
            "--drop-every",
            "13",
        ],
        "Predictive(target_abandon: 0.05)",
        |c| c,
    );
    let out = live(
        dir.path(),
        &["run", "campaign.ron", "--time-scale", "200"],
        Duration::from_secs(180),
    );
    let stdout = ok(&out);
    assert!(stdout.contains("every customer is done"), "{stdout}");
    // The faults did happen: lost answers were re-sent with their token.
    let resent: u64 = stdout
        .split("calls placed (")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no re-sent count in {stdout}"));
    assert!(resent > 0, "{stdout}");
    check_no_duplicates_no_loss(dir.path(), standin.port);
    check_every_customer_final(dir.path());
}

#[test]
fn killed_with_sigkill_at_random_moments_it_resumes_without_duplicates_or_lost_outcomes() {
    let _shared = shared();
    let (dir, standin) = rehearsal(
        3.0,
        60.0,
        &["--error-after-dial-every", "9"],
        "Predictive(target_abandon: 0.05)",
        |c| c,
    );
    // Kill moments from a fixed pseudo-random sequence: 0.15 s to 1.5 s after the start.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut kills = 0;
    for _ in 0..6 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let wait = Duration::from_millis(150 + x % 1_350);
        let mut child = live_command(dir.path(), &["run", "campaign.ron", "--time-scale", "60"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start live");
        std::thread::sleep(wait);
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        child.wait().expect("reap");
    }
    assert!(kills >= 5, "only {kills} runs were killed");
    let before: u64 = dials(standin.port).values().sum();
    assert!(before > 0, "the killed runs placed no call");
    resume_to_the_end(dir.path(), standin.port);
}

#[test]
fn sigterm_stops_launching_waits_for_calls_in_flight_and_exits_0() {
    let _shared = shared();
    let (dir, standin) = rehearsal(2.0, 60.0, &[], "Predictive(target_abandon: 0.05)", |c| c);
    let out_path = dir.path().join("term.stdout");
    let mut child = live_command(dir.path(), &["run", "campaign.ron", "--time-scale", "60"])
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start live");
    std::thread::sleep(Duration::from_millis(1_500));
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let status = child.wait().expect("wait");
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    assert!(status.success(), "{status:?}: {stdout}");
    assert!(stdout.contains("stopped by a signal"), "{stdout}");
    assert!(stdout.contains("0 still in flight"), "{stdout}");
    // Everything it placed has its outcome; the rest of the list is still to call.
    let attempts = store(dir.path()).attempts().unwrap();
    assert!(!attempts.is_empty());
    assert!(attempts.iter().all(|a| matches!(
        a.state,
        AttemptState::Finished { .. } | AttemptState::Failed { .. }
    )));
    assert!(attempts.len() < CUSTOMERS, "it did not stop launching");
    // And it resumes to the end.
    resume_to_the_end(dir.path(), standin.port);
}

#[test]
fn dry_run_places_no_call_and_leaves_the_store_alone() {
    let _shared = shared();
    let (dir, standin) = rehearsal(2.0, 200.0, &[], "Progressive()", |c| c);
    let out = live(
        dir.path(),
        &["run", "campaign.ron", "--time-scale", "200", "--dry-run"],
        Duration::from_secs(120),
    );
    let stdout = ok(&out);
    let would = stdout
        .lines()
        .filter(|l| l.starts_with("would dial "))
        .count();
    assert_eq!(would, CUSTOMERS, "{stdout}");
    assert!(stdout.contains("would have placed 150 calls"), "{stdout}");
    assert!(dials(standin.port).is_empty(), "the stand-in saw a call");
    assert!(store(dir.path()).attempts().unwrap().is_empty());
    // Phone numbers are masked in what it prints.
    assert!(!stdout.contains(&phone(7)), "{stdout}");
}

#[test]
fn the_kill_switch_pauses_dialing_when_abandons_pass_the_target() {
    let _shared = shared();
    let (dir, standin) = rehearsal(2.0, 200.0, &[], "FixedRatio(ratio: 6.0)", |c| {
        c.replace(
            "kill_switch: (target_abandon: 0.5, definition: Queue, window_min: 60.0, min_calls: 30, action: FallBackToProgressive)",
            "kill_switch: (target_abandon: 0.01, definition: Queue, window_min: 600.0, min_calls: 5, action: Pause)",
        )
    });
    let out = live(
        dir.path(),
        &[
            "run",
            "campaign.ron",
            "--time-scale",
            "200",
            "--stop-after-min",
            "20",
        ],
        Duration::from_secs(120),
    );
    let stdout = ok(&out);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("kill-switch tripped"), "{log}");
    assert!(stdout.contains("--stop-after-min reached"), "{stdout}");
    // Paused for good (the window outlasts the run): no new call after the trip.
    let lines: Vec<&str> = log.lines().collect();
    let trip = lines
        .iter()
        .position(|l| l.contains("kill-switch tripped"))
        .expect("trip line");
    let after: Vec<&&str> = lines[trip..]
        .iter()
        .filter(|l| l.contains("call placed") && l.contains("resent=false"))
        .collect();
    assert!(after.is_empty(), "calls placed after the pause: {after:?}");
    let (placed, _) = check_no_duplicates_no_loss(dir.path(), standin.port);
    assert!(
        placed < CUSTOMERS as u64,
        "{placed} calls: the pause stopped nothing"
    );
}

#[test]
fn time_scale_without_a_stand_in_is_refused() {
    let dir = folder(1.0);
    let text = campaign(1, "Progressive()")
        .replace("    endpoint_url: Some(\"http://127.0.0.1:1\"),\n", "");
    std::fs::write(dir.path().join("campaign.ron"), text).unwrap();
    let out = live(
        dir.path(),
        &["run", "campaign.ron", "--time-scale", "50"],
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("endpoint_url"), "{err}");
    assert!(
        !dir.path().join("campaign.sqlite").exists()
            || store(dir.path()).attempts().unwrap().is_empty()
    );
}

/// The simulated twin: `dialsim run` of the rehearsal scenario, its per-replication spread.
struct Twin {
    mean: f64,
    /// A 95% prediction interval for one run.
    low: f64,
    high: f64,
}

fn twin(results: &serde_json::Value, strategy: usize, metric: &str) -> Twin {
    let n = results["replications"].as_f64().expect("replications");
    let m = &results["strategies"][strategy]["metrics"][metric];
    let mean = m["mean"].as_f64().expect("mean");
    let half = (m["ci95"][1].as_f64().unwrap() - m["ci95"][0].as_f64().unwrap()) / 2.0;
    // t(39, 0.975) = 2.023: back from the CI to the spread of one replication.
    let t = 2.023;
    let sd = half * n.sqrt() / t;
    let pi = t * sd * (1.0 + 1.0 / n).sqrt();
    Twin {
        mean,
        low: mean - pi,
        high: mean + pi,
    }
}

/// The strategy that was simulated is the strategy that runs: the rehearsal's abandon rate and
/// occupancy fall inside the simulated twin's 95% prediction interval for one run, and outside
/// that of a different strategy (so the check can tell strategies apart).
#[test]
fn twin_check_rehearsal_agrees_with_the_simulation() {
    let _alone = MACHINE.write().unwrap_or_else(|e| e.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("examples/rehearsal");
    let dir = tempfile::tempdir().unwrap();
    for f in ["scenario.ron", "contacts.csv"] {
        std::fs::copy(example.join(f), dir.path().join(f)).unwrap();
    }
    // The twin, and a contrast: the same scenario paced progressively.
    let sim_out = dir.path().join("sim.json");
    let contrast = std::fs::read_to_string(dir.path().join("scenario.ron"))
        .unwrap()
        .replace(
            "Predictive(target_abandon: 0.06),",
            "Predictive(target_abandon: 0.06),\n        Progressive(),",
        );
    std::fs::write(dir.path().join("twin.ron"), contrast).unwrap();
    let status = Command::new(dialsim())
        .args([
            "run",
            "twin.ron",
            "--replications",
            "40",
            "--quiet",
            "--json",
            "sim.json",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .status()
        .expect("dialsim run");
    assert!(status.success());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sim_out).unwrap()).unwrap();

    let scale = 100.0;
    let standin = start_standin(&dir.path().join("scenario.ron"), scale, &[]);
    let campaign_text = std::fs::read_to_string(example.join("campaign.ron"))
        .unwrap()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{}", standin.port));
    std::fs::write(dir.path().join("campaign.ron"), campaign_text).unwrap();
    // Stop launching at the scenario's horizon on the stand-in's clock.
    let sim_now_ms = http_get(standin.port, "/_standin/status")["sim_now_ms"]
        .as_f64()
        .unwrap();
    let stop_min = 60.0 - sim_now_ms / 60_000.0 - 0.2;
    let out = live(
        dir.path(),
        &[
            "run",
            "campaign.ron",
            "--time-scale",
            "100",
            "--stop-after-min",
            &format!("{stop_min:.3}"),
        ],
        Duration::from_secs(400),
    );
    ok(&out);

    // The rehearsal's numbers, defined as the simulator defines them.
    let identity = Identity {
        campaign: "rehearsal".into(),
        instance_id: INSTANCE_ID.into(),
    };
    let s = Store::open(
        &dir.path().join("rehearsal.sqlite"),
        &identity,
        false,
        UnixMillis(0),
    )
    .unwrap()
    .0;
    let calls = s.finished_calls().unwrap();
    let outcomes: Vec<live::Outcome> = calls.iter().map(|c| c.outcome).collect();
    let queued = outcomes.iter().filter(|o| o.queued()).count() as f64;
    let abandoned = outcomes
        .iter()
        .filter(|o| **o == live::Outcome::Abandoned)
        .count() as f64;
    let abandon_rate = abandoned / queued;
    // Over the hour the scenario simulates, not the wind-down after it.
    let first = s.first_metrics_at().unwrap().expect("metric samples");
    let until = first.plus_ms((stop_min * 60_000.0) as i64);
    let occupancy = s
        .occupancy(60_000, Some(until))
        .unwrap()
        .expect("metric samples");

    let predictive = [
        twin(&results, 0, "abandon_rate"),
        twin(&results, 0, "occupancy"),
    ];
    let progressive = [
        twin(&results, 1, "abandon_rate"),
        twin(&results, 1, "occupancy"),
    ];
    let live_values = [abandon_rate, occupancy];
    let names = ["abandon rate", "occupancy"];
    let mut report = String::new();
    for i in 0..2 {
        report.push_str(&format!(
            "{}: rehearsal {:.4}; simulated {:.4} [{:.4}, {:.4}]; progressive {:.4} [{:.4}, {:.4}]\n",
            names[i],
            live_values[i],
            predictive[i].mean,
            predictive[i].low,
            predictive[i].high,
            progressive[i].mean,
            progressive[i].low,
            progressive[i].high
        ));
    }
    eprintln!("{report}");
    for i in 0..2 {
        assert!(
            (predictive[i].low..=predictive[i].high).contains(&live_values[i]),
            "{}: the rehearsal disagrees with its simulated twin\n{report}",
            names[i]
        );
    }
    assert!(
        (0..2).any(|i| !(progressive[i].low..=progressive[i].high).contains(&live_values[i])),
        "the check cannot tell Predictive from Progressive\n{report}"
    );
}

fn dialsim() -> PathBuf {
    // The workspace's dialsim binary, built by `cargo test --workspace` (same profile).
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_live"));
    let path = exe.with_file_name(format!("dialsim{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "-p", "dialsim", "--bin", "dialsim"])
            .status()
            .expect("cargo build dialsim");
        assert!(
            status.success(),
            "building dialsim for the twin check failed"
        );
    }
    path
}

/// The local DynamoDB (moto_server, started by `.ci/run`), or why the test cannot run.
fn dynamodb_endpoint() -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "AWS_ENDPOINT_URL_DYNAMODB is not set: CI must start a local DynamoDB (.ci/run starts moto_server)"
        ),
        _ => {
            eprintln!(
                "skipped: set AWS_ENDPOINT_URL_DYNAMODB to a local DynamoDB (.ci/run starts moto_server)"
            );
            None
        }
    }
}

/// The AWS configuration of the local moto_server at `url` (DynamoDB and SQS on one port).
async fn moto_config(url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "rehearsal",
            "rehearsal",
            None,
            None,
            "test",
        ))
        .load()
        .await
}

async fn dynamodb_client(url: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&moto_config(url).await)
}

/// `contacts: DynamoDb(...)`: the sample's table is the list; rows that already hold a result
/// are left alone; after the campaign the table's column matches `live export` row for row.
#[test]
fn a_campaign_from_the_samples_dynamodb_table_keeps_the_table_in_step() {
    let _shared = shared();
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
        ScalarAttributeType,
    };
    let Some(url) = dynamodb_endpoint() else {
        return;
    };
    let table = format!("customers-e2e-{}", std::process::id());
    let column = "campaign_2018_12";
    let already_done = 10;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt.block_on(dynamodb_client(&url));
    rt.block_on(async {
        client
            .create_table()
            .table_name(&table)
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("phoneNumber")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("phoneNumber")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .expect("create table");
        for i in 0..CUSTOMERS {
            let value = if i < already_done { "1" } else { "-1" };
            client
                .put_item()
                .table_name(&table)
                .item("phoneNumber", AttributeValue::S(phone(i)))
                .item("name", AttributeValue::S(format!("Customer {i}")))
                .item(column, AttributeValue::N(value.into()))
                .item("campaign_2018_11", AttributeValue::N("2".into()))
                .send()
                .await
                .expect("put item");
        }
    });

    let (dir, standin) = rehearsal(2.0, 200.0, &[], "Predictive(target_abandon: 0.05)", |c| {
        c.replace(
        "    contacts: \"contacts.csv\",",
        &format!("    contacts: DynamoDb(table: \"{table}\", campaign_column: \"{column}\", utc_offset: \"-05:00\"),"),
    )
    });
    let out = live(
        dir.path(),
        &["run", "campaign.ron", "--time-scale", "200"],
        Duration::from_secs(180),
    );
    let stdout = ok(&out);
    assert!(stdout.contains("every customer is done"), "{stdout}");
    assert!(
        stdout.contains(&format!("{already_done} already hold a result")),
        "{stdout}"
    );
    check_no_duplicates_no_loss(dir.path(), standin.port);
    let placed = dials(standin.port);
    for i in 0..already_done {
        assert!(
            !placed.contains_key(&phone(i)),
            "{} already had a result but was called",
            phone(i)
        );
    }

    // The table's column against `live export`, row for row.
    ok(&live(
        dir.path(),
        &["export", "campaign.ron", "--csv", "out.csv"],
        Duration::from_secs(30),
    ));
    let mut exported = BTreeMap::new();
    for row in csv::Reader::from_path(dir.path().join("out.csv"))
        .unwrap()
        .records()
    {
        let row = row.unwrap();
        exported.insert(row[0].to_string(), (row[4].to_string(), row[5].to_string()));
    }
    assert_eq!(exported.len(), CUSTOMERS - already_done);
    let items = rt.block_on(async { client.scan().table_name(&table).send().await.expect("scan") });
    let mut compared = 0;
    for item in items.items() {
        let Some(AttributeValue::S(p)) = item.get("phoneNumber") else {
            panic!("item without a phoneNumber: {item:?}")
        };
        let Some(AttributeValue::N(value)) = item.get(column) else {
            panic!("{p}: no {column}")
        };
        assert_eq!(
            item.get("campaign_2018_11"),
            Some(&AttributeValue::N("2".into())),
            "another campaign's column changed"
        );
        match exported.get(p) {
            None => assert_eq!(value, "1", "{p}: a row left alone changed"),
            Some((code, attempts)) => {
                assert_ne!(attempts, "0", "{p} never dialed");
                let expected =
                    live::dynamo::column_value(code).expect("a code with a column value");
                assert_eq!(
                    value,
                    &expected.to_string(),
                    "{p}: table {value}, export {code}"
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, CUSTOMERS - already_done);
    rt.block_on(async {
        let _ = client.delete_table().table_name(&table).send().await;
    });
}

/// Outcomes from Connect's contact events, end to end: the stand-in publishes them to an SQS
/// queue (moto's, as an EventBridge rule would), `live` long-polls it, and no call is polled
/// with DescribeContact.
#[test]
fn outcomes_arrive_as_contact_events_through_an_sqs_queue() {
    let _shared = shared();
    let Some(url) = dynamodb_endpoint() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let queue_url = rt.block_on(async {
        aws_sdk_sqs::Client::new(&moto_config(&url).await)
            .create_queue()
            .queue_name(format!("dialsim-events-{}", std::process::id()))
            .send()
            .await
            .expect("create the events queue")
            .queue_url()
            .expect("a queue url")
            .to_string()
    });
    let env = [
        ("AWS_ENDPOINT_URL_SQS", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "rehearsal"),
        ("AWS_SECRET_ACCESS_KEY", "rehearsal"),
        ("AWS_REGION", "us-east-1"),
    ];
    let dir = folder(2.0);
    let standin = start_standin_with(
        &dir.path().join("scenario.ron"),
        100.0,
        &["--events-queue-url", &queue_url],
        &env,
    );
    let text = campaign(standin.port, "Predictive(target_abandon: 0.05)").replace(
        "contacts: \"contacts.csv\",",
        &format!("contact_events: Some((sqs_queue_url: \"{queue_url}\")),\n    contacts: \"contacts.csv\","),
    );
    std::fs::write(dir.path().join("campaign.ron"), text).expect("write campaign");
    let out = live_with(
        dir.path(),
        &["run", "campaign.ron", "--time-scale", "100"],
        Duration::from_secs(300),
        &env,
    );
    let stdout = ok(&out);
    assert!(stdout.contains("every customer is done"), "{stdout}");
    let (placed, failed) = check_no_duplicates_no_loss(dir.path(), standin.port);
    assert_eq!(failed, 0);
    let count = |what: &str| -> u64 {
        let at = stdout
            .find(what)
            .unwrap_or_else(|| panic!("no {what:?} in {stdout}"));
        stdout[..at]
            .rsplit(|c: char| !c.is_ascii_digit())
            .find(|w| !w.is_empty())
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no count before {what:?} in {stdout}"))
    };
    let from_events = count(" from contact events");
    let described = count(" DescribeContact requests");
    assert!(placed >= CUSTOMERS as u64);
    assert!(
        from_events * 10 >= placed * 3 && described * 20 <= placed,
        "{from_events} outcomes from events, {described} DescribeContact requests for {placed} calls: {stdout}"
    );
    check_every_customer_final(dir.path());
}

/// Connect that cannot be reached ends `run` and `run --dry-run` with exit 1 and a message
/// naming the endpoint to check, after a bounded retry, instead of idling for ever.
#[test]
fn an_unreachable_endpoint_fails_with_exit_1_after_a_bounded_retry() {
    let _shared = shared();
    let dir = folder(1.0);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.path().join("campaign.ron"),
        campaign(port, "Progressive()"),
    )
    .expect("write campaign");
    for args in [
        &["run", "campaign.ron"][..],
        &["run", "campaign.ron", "--dry-run"][..],
    ] {
        let started = Instant::now();
        let out = live(dir.path(), args, Duration::from_secs(120));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("Amazon Connect does not answer") && err.contains("endpoint_url"),
            "{args:?}: {err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
    assert!(
        store(dir.path())
            .attempts()
            .unwrap()
            .iter()
            .all(|a| !matches!(a.state, AttemptState::Finished { .. })),
        "no call can have been placed"
    );
}
