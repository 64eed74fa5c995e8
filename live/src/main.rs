//! `live`: the campaign store's commands. `live import` loads the contact list into the store,
//! `live status` shows progress, `live export` writes one CSV row per customer.
//!
//! Exit codes: 0 done, 2 bad input (campaign file, contact list, do-not-call file, a store that
//! belongs to another campaign or does not exist yet), 1 anything else.

use clap::{Parser, Subcommand, ValueEnum};
use live::UnixMillis;
use live::compliance::{self, AbandonCounts, KillSwitchState};
use live::config::{self, Loaded};
use live::contacts;
use live::mask::mask_phone;
use live::outcome::CODES;
use live::store::{Identity, Store, StoreError};
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
    /// Progress from the store: customers per result code, calls in flight, abandon rates.
    Status { campaign: PathBuf },
    /// Write one CSV row per customer: phone, name, final code, attempts, last outcome, times.
    Export {
        campaign: PathBuf,
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
    },
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
            StoreError::Missing(_) | StoreError::Mismatch { .. } | StoreError::Version { .. } => 2,
            _ => 1,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

fn now() -> UnixMillis {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    UnixMillis(d.as_millis() as i64)
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
        Command::Status { campaign } => status(campaign),
        Command::Export { campaign, csv } => export(campaign, csv),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn load(path: &Path) -> Result<(Loaded, Identity), Failure> {
    let loaded = config::load(path).map_err(bad_input)?;
    let identity = Identity {
        campaign: loaded.campaign.name.get().clone(),
        instance_id: loaded.campaign.instance_id.get().clone(),
    };
    Ok((loaded, identity))
}

fn open(loaded: &Loaded, identity: &Identity, create: bool) -> Result<Store, Failure> {
    let path = loaded.store_path();
    let (store, recovery) = Store::open(&path, identity, create, now())?;
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
    Ok(store)
}

fn import(path: &Path) -> Result<(), Failure> {
    let (loaded, identity) = load(path)?;
    let entries = contacts::read(&loaded.contacts_path()).map_err(bad_input)?;
    let dnc = match loaded.do_not_call_path() {
        Some(p) => contacts::read_do_not_call(&p).map_err(bad_input)?,
        None => HashSet::new(),
    };
    let mut store = open(&loaded, &identity, true)?;
    let report = store.import(&entries, &dnc, now())?;
    let list = loaded.contacts_path();
    for e in &report.invalid {
        let why = e.invalid.as_deref().unwrap_or("");
        tracing::warn!(line = e.line, phone = %mask_phone(&e.phone), "invalid contact: {why}");
        println!(
            "{}:{}: {why}: kept as invalid, never dialed",
            list.display(),
            e.line
        );
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
    let t = now();
    let summaries = store.summaries()?;
    let counts = store.counts_per_code()?;
    let in_flight = store.in_flight()?;
    let attempts = store.attempts()?;
    let c = &loaded.campaign;
    println!(
        "campaign {} on instance {} ({}), store {}",
        c.name,
        c.instance_id,
        c.region,
        loaded.store_path().display()
    );
    println!("strategy {}", c.strategy.label());
    let never = summaries.iter().filter(|s| s.attempts == 0).count();
    let callable = store.next_callable(t, &c.compliance, usize::MAX)?.len();
    println!(
        "customers {}: {} never dialed, {} callable now, {} attempts made, {} in flight",
        summaries.len(),
        never,
        callable,
        attempts.len(),
        in_flight.len()
    );
    println!();
    println!("{:>10}  {:>8}  meaning", "code", "customers");
    for (code, meaning) in CODES {
        println!(
            "{code:>10}  {:>8}  {meaning}",
            counts.get(code).copied().unwrap_or(0)
        );
    }
    println!();
    for a in &in_flight {
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
    let all = AbandonCounts::from_outcomes(store.outcomes()?);
    println!(
        "abandon rate (regulatory) {}  = {} abandoned / {} calls answered by a live person (pressed a key or chose an agent)",
        rate(all.regulatory()),
        all.abandoned,
        all.live_answers
    );
    println!(
        "abandon rate (queue)      {}  = {} abandoned / {} callers who chose to talk to an agent",
        rate(all.queue()),
        all.abandoned,
        all.queued
    );
    let ks = &c.compliance.kill_switch;
    let window = (ks.window_min.get() * MINUTE_MS as f64) as i64;
    let recent = store.finished_since(t.plus_ms(-window))?;
    let definition = match ks.definition {
        config::AbandonDefinition::Regulatory => "regulatory",
        config::AbandonDefinition::Queue => "queue",
    };
    match compliance::kill_switch(&recent, ks, t) {
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

fn export(path: &Path, out: &Path) -> Result<(), Failure> {
    let (loaded, identity) = load(path)?;
    let store = open(&loaded, &identity, false)?;
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
    write().map_err(|e| Failure {
        code: 1,
        message: format!("cannot write {}: {e}", out.display()),
    })?;
    println!("wrote {} customers to {}", summaries.len(), out.display());
    tracing::info!(customers = summaries.len(), file = %out.display(), "export done");
    Ok(())
}
