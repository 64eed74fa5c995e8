//! `live`: the campaign store's commands. `live import` loads the contact list into the store,
//! `live status` shows progress, `live export` writes one CSV row per customer.
//!
//! Exit codes: 0 done, 2 bad input (campaign file, contact list, do-not-call file, a store that
//! belongs to another campaign or does not exist yet), 1 anything else.

use clap::{Parser, Subcommand, ValueEnum};
use ivr::flow::{ConnectQueue, RenderInputs};
use live::UnixMillis;
use live::compliance::KillSwitchState;
use live::config::{self, Loaded};
use live::contacts;
use live::dialer::dry_run::DryRun;
use live::dialer::ports::wall_now;
use live::dialer::{
    Clock, End, Machine, Options, Report, RunError, ScaledClock, Switchboard, WallClock, shell,
};
use live::mask::mask_phone;
use live::outcome::CODES;
use live::progress::Progress;
use live::store::{Identity, Recovery, RunLock, Store, StoreError};
use live::time::MINUTE_MS;
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "live",
    version,
    about = "Run a pacing strategy on Amazon Connect: the campaign store"
)]
struct Cli {
    /// Log lines as human-readable text (default) or JSON, on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Human, global = true)]
    log_format: LogFormat,
    /// Log debug details too.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Create or update the campaign store from the contact list (idempotent); report invalid lines.
    Import { campaign: PathBuf },
    /// Import the list, then dial it with the campaign's strategy until every customer has a
    /// final result. Ctrl-C (or SIGTERM) stops launching, waits for the calls in flight and
    /// exits 0; run again to resume where it stopped.
    Run {
        campaign: PathBuf,
        /// Do everything but the dial, on a copy of the store: print what would be dialed, and when.
        #[arg(long)]
        dry_run: bool,
        /// Rehearsal against the Connect stand-in: the campaign clock (and the client-side rate
        /// limits) run this many times faster than the wall clock. Give the stand-in the same
        /// --time-scale. Only with an `endpoint_url`.
        #[arg(long, default_value_t = 1.0, value_name = "FACTOR")]
        time_scale: f64,
        /// Stop launching calls after this many minutes of campaign time.
        #[arg(long, value_name = "MINUTES")]
        stop_after_min: Option<f64>,
        /// After a stop, wait at most this many seconds (wall clock) for the outcomes of calls in
        /// flight; the next run reads the rest.
        #[arg(long, default_value_t = 120.0, value_name = "SECONDS")]
        drain_s: f64,
    },
    /// Progress from the store: customers per result code, calls in flight, abandon rates.
    Status { campaign: PathBuf },
    /// Write one CSV row per customer (phone, name, final code, attempts, last outcome, times),
    /// and/or the campaign's calls as Amazon Connect contact records for `dialsim calibrate`.
    #[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["csv", "contact_records"])))]
    Export {
        campaign: PathBuf,
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// The calls Connect placed, one contact record (JSON) a line, gzip when the name ends
        /// in .gz: what Connect reported of each, as `live` read it back.
        #[arg(long, value_name = "FILE")]
        contact_records: Option<PathBuf>,
    },
    /// The IVR's contact flow: `live flow render campaign.ron --lambda-arn ARN` prints it.
    Flow {
        #[command(subcommand)]
        command: FlowCommand,
    },
}

/// `live flow …`: the IVR contact flow's commands. The flow itself (its template, checks and
/// rendering) is `ivr::flow`'s; this reads the campaign file and prints.
#[derive(Subcommand, Clone, Debug)]
enum FlowCommand {
    /// Print the IVR contact flow (ivr/flows/outbound-ivr.json) with the campaign's queue and
    /// the Lambda filled in, checked, ready for `aws connect create-contact-flow --content
    /// file://flow.json`.
    Render(FlowRenderArgs),
}

#[derive(clap::Args, Clone, Debug)]
struct FlowRenderArgs {
    campaign: PathBuf,
    /// The ivr-lambda function's ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME).
    #[arg(long, value_name = "ARN")]
    lambda_arn: String,
    /// The Connect instance's AWS account id (12 digits), for the queue's ARN; default: the
    /// Lambda ARN's account.
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// The language of the prompts and of the Lambda's replies: en or ja (others need
    /// --prompt-text, --sorry-text and --voice).
    #[arg(long, default_value = "en", value_name = "CODE")]
    language: String,
    /// The Amazon Polly voice; default: Joanna (en), Mizuki (ja).
    #[arg(long, value_name = "NAME")]
    voice: Option<String>,
    /// The prompt played while waiting for the key; default: the language's shipped prompt.
    #[arg(long, value_name = "TEXT")]
    prompt_text: Option<String>,
    /// Said before hanging up when the Lambda or the queue fails; default: the shipped apology.
    #[arg(long, value_name = "TEXT")]
    sorry_text: Option<String>,
    /// Seconds to wait for the key before the input is `Timeout` (1 to 180).
    #[arg(long, default_value_t = 8, value_name = "SECONDS")]
    input_timeout_s: u32,
}

/// What the flow needs from the campaign file (its queue) and from the options.
fn flow_inputs(campaign: &config::Campaign, args: &FlowRenderArgs) -> RenderInputs {
    let queue = ConnectQueue {
        region: campaign.region.get().clone(),
        instance_id: campaign.instance_id.get().clone(),
        queue_id: campaign.queue_id.get().clone(),
    };
    RenderInputs {
        account_id: args.account_id.clone(),
        language: args.language.clone(),
        voice: args.voice.clone(),
        prompt_text: args.prompt_text.clone(),
        sorry_text: args.sorry_text.clone(),
        input_timeout_s: args.input_timeout_s,
        ..RenderInputs::new(queue, &args.lambda_arn)
    }
}

/// `live flow …`: the flow on stdout; exit 2 for bad input (the campaign file, an option), 1 for
/// a broken bundled template.
fn flow(command: &FlowCommand) -> Result<(), Failure> {
    let FlowCommand::Render(args) = command;
    let loaded = config::load(&args.campaign).map_err(bad_input)?;
    let text = ivr::flow::render(&flow_inputs(&loaded.campaign, args)).map_err(|e| Failure {
        code: if e.is_template_bug() { 1 } else { 2 },
        message: e.to_string(),
    })?;
    if let Ok(lambda) = ivr::flow::parse_lambda_arn(&args.lambda_arn)
        && lambda.region != *loaded.campaign.region.get()
    {
        tracing::warn!(
            "the Lambda is in {} and the instance in {}: Connect can only use it once you grant it (aws lambda add-permission --principal connect.amazonaws.com)",
            lambda.region,
            loaded.campaign.region
        );
    }
    print!("{text}");
    Ok(())
}

/// An error and its exit code.
struct Failure {
    code: u8,
    message: String,
}

fn bad_input(message: impl ToString) -> Failure {
    Failure {
        code: 2,
        message: message.to_string(),
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::Missing(_)
            | StoreError::Mismatch { .. }
            | StoreError::Version { .. }
            | StoreError::Rehearsed { .. }
            | StoreError::Locked { .. }
            | StoreError::Lock { .. } => 2,
            _ => 1,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

fn now() -> UnixMillis {
    wall_now()
}

fn init_logs(format: LogFormat, verbose: bool) {
    let level = if verbose {
        tracing::Level::DEBUG
    } else {
        tracing::Level::INFO
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(cli.log_format, cli.verbose);
    let result = match &cli.command {
        Command::Import { campaign } => import(campaign),
        Command::Run {
            campaign,
            dry_run,
            time_scale,
            stop_after_min,
            drain_s,
        } => run(campaign, *dry_run, *time_scale, *stop_after_min, *drain_s),
        Command::Status { campaign } => status(campaign),
        Command::Export {
            campaign,
            csv,
            contact_records,
        } => export(campaign, csv.as_deref(), contact_records.as_deref()),
        Command::Flow { command } => flow(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// The files a campaign reads, named for messages: none of them may be written over.
fn inputs(path: &Path, loaded: &Loaded) -> Vec<(&'static str, PathBuf)> {
    let mut files = vec![("campaign file", path.to_path_buf())];
    files.extend(loaded.contacts_path().map(|p| ("contact list", p)));
    files.extend(loaded.do_not_call_path().map(|p| ("do-not-call file", p)));
    files
}

/// Refuses `out` (written as `what`) when it is one of `inputs`: resolved paths compared, so
/// that `./list.csv` and `list.csv` are one file.
fn not_an_input(what: &str, out: &Path, inputs: &[(&str, PathBuf)]) -> Result<(), Failure> {
    let Ok(resolved) = out.canonicalize() else {
        return Ok(()); // not there yet: it cannot be an input
    };
    for (kind, input) in inputs {
        if input.canonicalize().is_ok_and(|i| i == resolved) {
            return Err(bad_input(format!(
                "{what} {} is the {kind}: writing it would destroy it; give another path",
                out.display()
            )));
        }
    }
    Ok(())
}

fn load(path: &Path) -> Result<(Loaded, Identity), Failure> {
    let loaded = config::load(path).map_err(bad_input)?;
    // The store is written: pointed at an input by mistake, it would turn that into a database.
    not_an_input(
        &format!("{}: the store", path.display()),
        &loaded.store_path(),
        &inputs(path, &loaded),
    )?;
    let store = loaded.store_path();
    if let Some(folder) = store.parent().filter(|f| !f.as_os_str().is_empty())
        && !folder.is_dir()
    {
        return Err(bad_input(format!(
            "{}: the campaign store {} is to go in the folder {}, which does not exist: create the folder, or change `store:` in the campaign file",
            path.display(),
            store.display(),
            folder.display()
        )));
    }
    let identity = Identity {
        campaign: loaded.campaign.name.get().clone(),
        instance_id: loaded.campaign.instance_id.get().clone(),
    };
    Ok((loaded, identity))
}

fn open(loaded: &Loaded, identity: &Identity, create: bool) -> Result<Store, Failure> {
    open_at(&loaded.store_path(), identity, create).map(|(store, _)| store)
}

fn open_at(path: &Path, identity: &Identity, create: bool) -> Result<(Store, Recovery), Failure> {
    // A store that cannot be opened is the campaign file's `store:` naming a wrong path (a
    // folder, a missing folder, a file that is not a store): bad input, exit 2.
    let (store, recovery) = Store::open(path, identity, create, now()).map_err(|e| {
        let failure = Failure::from(e);
        Failure {
            code: 2,
            message: format!(
                "{}: check the campaign file's `store:` (a file in a folder that exists, made by `live import`)",
                failure.message
            ),
        }
    })?;
    tracing::debug!(store = %path.display(), "opened campaign store");
    for a in &recovery.reissue {
        tracing::info!(
            phone = %mask_phone(&a.phone),
            attempt = a.number,
            token = %a.token,
            "attempt planned but not confirmed placed: `live run` re-issues it with the same token"
        );
    }
    for a in &recovery.awaiting_outcome {
        tracing::info!(
            phone = %mask_phone(&a.phone),
            attempt = a.number,
            "call placed, outcome not recorded yet"
        );
    }
    Ok((store, recovery))
}

fn import(path: &Path) -> Result<(), Failure> {
    let (loaded, identity) = load(path)?;
    import_list(&loaded, &identity)
}

fn import_list(loaded: &Loaded, identity: &Identity) -> Result<(), Failure> {
    let dnc = match loaded.do_not_call_path() {
        Some(p) => contacts::read_do_not_call(&p).map_err(bad_input)?,
        None => HashSet::new(),
    };
    let mut store = open(loaded, identity, true)?;
    let (entries, list) = match (&loaded.campaign.contacts, loaded.contacts_path()) {
        (_, Some(path)) => (
            contacts::read(&path).map_err(bad_input)?,
            path.display().to_string(),
        ),
        (config::ContactSource::DynamoDb(spec), None) => {
            let known: HashSet<String> = store.customers()?.into_iter().map(|c| c.phone).collect();
            let rows = block_on(async {
                let table = live::dynamo::Table::new(spec, loaded.campaign.region.get()).await;
                let rows = table.scan().await?;
                Ok::<_, live::dynamo::TableError>((table.entries(&rows, &known), rows.len()))
            })?
            .map_err(|e| Failure {
                code: 1,
                message: e.to_string(),
            })?;
            let ((entries, skipped), scanned) = rows;
            println!(
                "DynamoDB table {}: {scanned} rows, {skipped} already hold a result in {} and are left alone",
                spec.table, spec.campaign_column
            );
            (entries, format!("DynamoDB table {} row", spec.table))
        }
        (config::ContactSource::Csv(_), None) => unreachable!("a CSV source has a path"),
    };
    let report = store.import(&entries, &dnc, now())?;
    for e in &report.invalid {
        let why = e.invalid.as_deref().unwrap_or("");
        // The log masks the number; the line printed below shows it whole so it can be fixed.
        tracing::warn!(line = e.line, phone = %mask_phone(&e.phone), "invalid contact: kept, never dialed");
        println!("{list}:{}: {why}: kept as invalid, never dialed", e.line);
    }
    println!(
        "imported {} lines into {}: {} added, {} updated, {} unchanged; {} invalid, {} do-not-call, {} no longer listed",
        entries.len(),
        loaded.store_path().display(),
        report.added,
        report.updated,
        report.unchanged,
        report.invalid.len(),
        report.do_not_call,
        report.unlisted
    );
    tracing::info!(
        added = report.added,
        updated = report.updated,
        unchanged = report.unchanged,
        invalid = report.invalid.len(),
        "import done"
    );
    Ok(())
}

fn rate(r: Option<f64>) -> String {
    r.map_or("n/a".to_string(), |r| format!("{:.2}%", r * 100.0))
}

fn status(path: &Path) -> Result<(), Failure> {
    let (loaded, identity) = load(path)?;
    let store = open(&loaded, &identity, false)?;
    let c = &loaded.campaign;
    let p = Progress::read(&store, c, now())?;
    println!(
        "campaign {} on instance {} ({}), store {}",
        c.name,
        c.instance_id,
        c.region,
        loaded.store_path().display()
    );
    println!("strategy {}", c.strategy.label());
    if p.rehearsal {
        println!(
            "rehearsal store: its times are the rehearsal's clock; numbers as of its last record, {}",
            p.at.rfc3339()
        );
    }
    println!(
        "customers {}: {} never dialed, {} callable now, {} attempts made, {} in flight",
        p.customers,
        p.never_dialed,
        p.callable_now,
        p.attempts,
        p.in_flight.len()
    );
    println!();
    println!("{:>10}  {:>8}  meaning", "code", "customers");
    for (code, meaning) in CODES {
        println!(
            "{code:>10}  {:>8}  {meaning}",
            p.per_code.get(code).copied().unwrap_or(0)
        );
    }
    println!();
    for a in &p.in_flight {
        let state = match &a.state {
            live::store::AttemptState::Planned => "planned, not confirmed placed".to_string(),
            live::store::AttemptState::Placed { contact_id } => {
                format!("placed, contact {contact_id}")
            }
            other => format!("{other:?}"),
        };
        println!(
            "in flight: {} attempt {} since {}: {state}",
            mask_phone(&a.phone),
            a.number,
            a.planned_at
        );
    }
    let t = &p.abandon;
    let counting = c.counting();
    let drops = format!(
        "({} abandoned + {} bridged to an agent later than {} s)",
        t.abandoned, t.connected_late, c.compliance.compliance_threshold_s
    );
    if counting.amd.is_none() && counting.silent_people == 0.0 {
        println!(
            "abandon rate (regulatory) {}  = {drops} / {} calls answered by a live person (pressed a key or chose an agent)",
            rate(t.regulatory_rate(&counting)),
            t.seen.keyed
        );
    } else {
        let answers = t.live_answers(&counting);
        let how = match counting.amd {
            Some(a) => format!(
                "from {} calls that reached the IVR and {} taken for machines, with the declared detector's false_positive {} and false_negative {}",
                t.seen.sent_to_ivr(),
                t.seen.machines,
                a.false_positive,
                a.false_negative
            ),
            None => format!(
                "{} pressed a key, over the declared {}% of people who press nothing, at most the {} calls that reached the IVR",
                t.seen.keyed,
                counting.silent_people * 100.0,
                t.seen.sent_to_ivr()
            ),
        };
        println!(
            "abandon rate (regulatory) {}  = {drops} / {answers:.0} live answers (estimated: {how}) + {:.2}% hung up on by detection (its declared false_positive)",
            rate(t.regulatory_rate(&counting)),
            counting.allowance() * 100.0
        );
    }
    println!(
        "abandon rate (queue)      {}  = {} abandoned / {} callers who chose to talk to an agent",
        rate(t.queue_rate()),
        t.abandoned,
        t.seen.queued
    );
    match p.occupancy {
        Some(o) => println!(
            "agent occupancy {:.1}%  = agent time in talk and after-call work / agent time staffed, from the queue metrics `live run` read",
            o * 100.0
        ),
        None => println!("agent occupancy n/a (no queue metrics recorded yet)"),
    }
    match p.eta_h() {
        _ if p.left == 0 => println!("ETA: no customer left to call"),
        None => println!(
            "ETA: {} customers may still be called; no dials in the last hour to estimate the pace from",
            p.left
        ),
        Some(h) => println!(
            "ETA: {} customers may still be called; at the last hour's {} dials/h that is about {h:.1} h of dialing (retries and calling windows add to it)",
            p.left, p.last_hour_dials
        ),
    }
    let ks = &c.compliance.kill_switch;
    let definition = match ks.definition {
        config::AbandonDefinition::Regulatory => "regulatory",
        config::AbandonDefinition::Queue => "queue",
    };
    match p.kill_switch {
        KillSwitchState::Clear {
            rate: r,
            denominator,
        } => println!(
            "kill-switch clear: {definition} rate over the last {} min {} ({denominator} calls), target {}",
            ks.window_min,
            rate(r),
            rate(Some(ks.target_abandon.get()))
        ),
        KillSwitchState::Tripped {
            rate: r,
            denominator,
            action,
        } => println!(
            "kill-switch TRIPPED: {definition} rate over the last {} min {} ({denominator} calls) is above the target {}: {action:?}",
            ks.window_min,
            rate(Some(r)),
            rate(Some(ks.target_abandon.get()))
        ),
    }
    Ok(())
}

fn export(path: &Path, csv: Option<&Path>, records: Option<&Path>) -> Result<(), Failure> {
    let (loaded, identity) = load(path)?;
    let mut read = inputs(path, &loaded);
    read.push(("campaign store", loaded.store_path()));
    if let Some(out) = csv {
        not_an_input("--csv", out, &read)?;
    }
    if let Some(out) = records {
        not_an_input("--contact-records", out, &read)?;
        if csv.is_some_and(|c| c == out) {
            return Err(bad_input(format!(
                "--csv and --contact-records are both {}: give each its own file",
                out.display()
            )));
        }
    }
    let store = open(&loaded, &identity, false)?;
    if let Some(out) = csv {
        export_csv(&store, out)?;
    }
    if let Some(out) = records {
        let (calls, legacy): (Vec<_>, Vec<_>) = store
            .placed_calls()?
            .into_iter()
            .partition(live::records::has_connect_facts);
        let campaign = loaded.campaign.name.get();
        let queue = loaded.campaign.queue_id.get();
        let written = contact_records::write::write_file(
            out,
            calls.iter().map(|c| {
                contact_records::write::contact_record(&live::records::call_facts(
                    c, campaign, queue,
                ))
            }),
        )
        .map_err(|e| {
            bad_input(format!(
                "cannot write {}: {e}: give a file in a folder that exists",
                out.display()
            ))
        })?;
        println!("wrote {written} contact records to {}", out.display());
        if !legacy.is_empty() {
            println!(
                "left out {} calls the store has nothing of Connect's for (finished before this version of live kept when a call was answered and why it ended, or never started at Connect)",
                legacy.len()
            );
        }
        tracing::info!(records = written, file = %out.display(), "contact records exported");
    }
    Ok(())
}

fn export_csv(store: &Store, out: &Path) -> Result<(), Failure> {
    let summaries = store.summaries()?;
    let write = || -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_path(out)?;
        w.write_record([
            "phone",
            "name",
            "line",
            "status",
            "final_code",
            "attempts",
            "last_outcome",
            "first_dialed_at",
            "last_dialed_at",
            "last_ended_at",
            "in_flight",
            "note",
        ])?;
        for s in &summaries {
            let c = &s.customer;
            let status = if c.invalid.is_some() {
                "invalid"
            } else if c.do_not_call || c.on_dnc_list {
                "do_not_call"
            } else if !c.listed {
                "unlisted"
            } else {
                "valid"
            };
            let time = |t: Option<UnixMillis>| t.map(|t| t.rfc3339()).unwrap_or_default();
            w.write_record([
                c.phone.as_str(),
                c.name.as_str(),
                &c.line.to_string(),
                status,
                s.code,
                &s.attempts.to_string(),
                s.last_outcome.as_deref().unwrap_or(""),
                &time(s.first_dialed_at),
                &time(s.last_dialed_at),
                &time(s.last_ended_at),
                if s.in_flight { "true" } else { "false" },
                c.invalid.as_deref().unwrap_or(""),
            ])?;
        }
        w.flush()?;
        Ok(())
    };
    write().map_err(|e| {
        bad_input(format!(
            "cannot write {}: {e}: give a file in a folder that exists",
            out.display()
        ))
    })?;
    println!("wrote {} customers to {}", summaries.len(), out.display());
    tracing::info!(customers = summaries.len(), file = %out.display(), "export done");
    Ok(())
}

fn run(
    path: &Path,
    dry_run: bool,
    time_scale: f64,
    stop_after_min: Option<f64>,
    drain_s: f64,
) -> Result<(), Failure> {
    if !(time_scale.is_finite() && time_scale >= 1.0) {
        return Err(bad_input(format!(
            "--time-scale {time_scale}: give a factor of 1 (real time) or more (a rehearsal)"
        )));
    }
    if let Some(m) = stop_after_min
        && !(m.is_finite() && m > 0.0)
    {
        return Err(bad_input(format!(
            "--stop-after-min {m}: give a positive number of minutes"
        )));
    }
    if !(drain_s.is_finite() && drain_s >= 0.0) {
        return Err(bad_input(format!(
            "--drain-s {drain_s}: give zero or more seconds"
        )));
    }
    let (loaded, identity) = load(path)?;
    let endpoint = loaded.campaign.endpoint_url.is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_CONNECT").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    if time_scale != 1.0 && !endpoint {
        return Err(bad_input(format!(
            "--time-scale {time_scale} runs the campaign clock faster than real time, which only a rehearsal against the Connect stand-in can do: set `endpoint_url` in {} (or AWS_ENDPOINT_URL_CONNECT), or drop --time-scale",
            path.display()
        )));
    }
    let store_path = loaded.store_path();
    // One `live run` per store: a second would take up the first one's calls. A dry run works
    // on a copy and may run beside it.
    let _lock = if dry_run {
        None
    } else {
        Some(RunLock::take(&store_path, wall_now()).map_err(Failure::from)?)
    };
    import_list(&loaded, &identity)?;
    let (mut store, mut recovery) = open_at(&store_path, &identity, true)?;
    let campaign_now = store.rehearsal_clock(wall_now(), time_scale)?;
    let mut copy = None;
    if dry_run {
        let tmp = std::env::temp_dir().join(format!(
            "live-dry-run-{}-{}.sqlite",
            std::process::id(),
            wall_now().0
        ));
        store.copy_to(&tmp)?;
        drop(store);
        let (s, r) = open_at(&tmp, &identity, false)?;
        store = s;
        recovery = r;
        copy = Some(tmp);
        println!(
            "dry run on a copy of {}: no call is placed, the store is not changed",
            store_path.display()
        );
    }
    // Durations the user gives in wall-clock seconds, on the campaign clock.
    let campaign_ms = |wall_s: f64| (wall_s * 1_000.0 * time_scale).round() as i64;
    let options = Options {
        stop_after_ms: stop_after_min.map(|m| (m * MINUTE_MS as f64).round() as i64),
        drain_ms: campaign_ms(drain_s),
        unreachable_after_ms: campaign_ms(30.0),
        stop_when_idle: dry_run,
        write_table: !dry_run
            && matches!(loaded.campaign.contacts, config::ContactSource::DynamoDb(_)),
        ..Options::default()
    };
    let result = if time_scale == 1.0 {
        block_on(go(&loaded, store, recovery, options, dry_run, WallClock))?
    } else {
        block_on(go(
            &loaded,
            store,
            recovery,
            options,
            dry_run,
            ScaledClock::new(campaign_now, time_scale),
        ))?
    };
    if let Some(tmp) = copy {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
    }
    let (report, would_dial) = result.map_err(|e| Failure {
        code: if e.is_bad_input() { 2 } else { 1 },
        message: e.to_string(),
    })?;
    let end = match report.end {
        Some(End::ListDone) => "every customer is done",
        Some(End::StopAfter) => "--stop-after-min reached",
        Some(End::Interrupted) => "stopped by a signal",
        Some(End::Idle) => "dry run: nothing more is callable now",
        None => "stopped",
    };
    if dry_run {
        println!("{end}: would have placed {would_dial} calls");
    } else {
        println!(
            "{end}: {} calls placed ({} by re-sending a token), {} outcomes recorded ({} from contact events, {} DescribeContact requests), {} throttled, {} answers lost and re-sent, {} refused, {} not sent again because the rules forbade them by then; {} still in flight and {} not confirmed placed (the next run takes them up)",
            report.placed,
            report.reissued,
            report.finished,
            report.from_events,
            report.described,
            report.throttled,
            report.ambiguous,
            report.refused,
            report.withheld,
            report.left_in_flight,
            report.left_planned
        );
    }
    tracing::info!(?report, "run done");
    Ok(())
}

/// Runs the campaign on `clock`: through Connect, or through the dry run's switchboard.
async fn go<C: Clock + Clone>(
    loaded: &Loaded,
    store: Store,
    recovery: Recovery,
    mut options: Options,
    dry_run: bool,
    clock: C,
) -> Result<(Report, u64), RunError> {
    let (tx, mut rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        wait_for_stop_signal().await;
        tracing::warn!(
            "stop signal: finishing the calls in flight (a second Ctrl-C exits at once; the store stays consistent)"
        );
        let _ = tx.send(true);
        wait_for_stop_signal().await;
        std::process::exit(130);
    });
    if dry_run {
        // The metrics only: a dry run leaves the contact events' queue to the real run.
        let mut read_only = loaded.campaign.clone();
        read_only.contact_events = None;
        let connect = live::connect::Connect::new(&read_only).await;
        let ring = *loaded.campaign.compliance.ring_timeout_s.get();
        let mut board = DryRun::new(clock.clone(), std::io::stdout(), ring, connect);
        options.events = board.has_events();
        let machine = Machine::new(
            loaded.campaign.clone(),
            store,
            recovery,
            options,
            clock.now(),
        )?;
        let report = shell::drive(machine, &clock, &mut board, None, &mut rx).await?;
        return Ok((report, board.would_dial()));
    }
    let mut connect = live::connect::Connect::new(&loaded.campaign).await;
    options.events = connect.has_events();
    let table = match &loaded.campaign.contacts {
        config::ContactSource::DynamoDb(spec) => {
            Some(live::dynamo::Table::new(spec, loaded.campaign.region.get()).await)
        }
        config::ContactSource::Csv(_) => None,
    };
    let machine = Machine::new(
        loaded.campaign.clone(),
        store,
        recovery,
        options,
        clock.now(),
    )?;
    let report = shell::drive(machine, &clock, &mut connect, table.as_ref(), &mut rx).await;
    if table.is_some() {
        // Catch up on writes that failed or were cut off by an earlier crash.
        let identity = Identity {
            campaign: loaded.campaign.name.get().clone(),
            instance_id: loaded.campaign.instance_id.get().clone(),
        };
        match Store::open(&loaded.store_path(), &identity, false, wall_now()) {
            Ok((store, _)) => match reconcile_table(loaded, &store).await {
                Ok(n) => {
                    println!("DynamoDB table brought in step with the store: {n} rows written")
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not bring the DynamoDB table in step; `live run` tries again next time")
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "could not reopen the store to update the DynamoDB table")
            }
        }
    }
    Ok((report?, 0))
}

/// Runs a future on a single-threaded runtime of its own.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> Result<T, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot start the async runtime: {e}"),
        })?;
    Ok(runtime.block_on(f))
}

/// Writes each called customer's result code into the DynamoDB table's campaign column where it
/// differs; returns how many rows were written.
async fn reconcile_table(
    loaded: &Loaded,
    store: &Store,
) -> Result<u64, Box<dyn std::error::Error>> {
    let config::ContactSource::DynamoDb(spec) = &loaded.campaign.contacts else {
        return Ok(0);
    };
    let table = live::dynamo::Table::new(spec, loaded.campaign.region.get()).await;
    let rows: std::collections::HashMap<String, Option<i64>> = table
        .scan()
        .await?
        .into_iter()
        .map(|r| (r.phone, r.value))
        .collect();
    let mut written = 0;
    for s in store.summaries()? {
        if s.attempts == 0 || s.customer.invalid.is_some() {
            continue;
        }
        let Some(value) = live::dynamo::column_value(s.code) else {
            continue;
        };
        match rows.get(&s.customer.phone) {
            Some(v) if *v == Some(value) => {}
            Some(_) => {
                table.write(&s.customer.phone, value).await?;
                written += 1;
            }
            None => tracing::warn!(
                phone = %mask_phone(&s.customer.phone),
                "customer no longer in the DynamoDB table: its result is kept in the store only"
            ),
        }
    }
    Ok(written)
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
