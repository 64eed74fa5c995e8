//! `connect-standin`: a local Amazon Connect stand-in for rehearsing and testing `live`, backed
//! by a dialsim scenario. See the `connect_standin` library for what it serves.
//!
//! Exit codes: 0 stopped by Ctrl-C / SIGTERM, 2 bad input (scenario, time scale), 1 anything else.

use clap::Parser;
use connect_standin::instance::{DEFAULT_CONTACT_FLOW_ID, DEFAULT_INSTANCE_ID, DEFAULT_QUEUE_ID};
use connect_standin::{Faults, Ids, Settings, Standin};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "connect-standin",
    version,
    about = "Serve Amazon Connect's outbound-calling API on loopback, backed by a dialsim scenario",
    after_help = "Quotas run in simulated time: the scenario's start rate and Connect's API rates \
(GetCurrentMetricData and GetCurrentUserData 5/s burst 8 each; DescribeContact, GetContactAttributes, StopContact 2/s burst 5) \
are token buckets refilled by simulated time, so at --time-scale K they allow K times those rates \
in wall-clock time. The startup line and GET /_standin/status say the rates in both clocks."
)]
struct Cli {
    /// The scenario file (RON) whose customers, agents and behaviour the stand-in plays.
    #[arg(long)]
    scenario: PathBuf,
    /// Port on 127.0.0.1 (0: any free port; the chosen one is printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Simulated seconds per wall-clock second (100: a day in under 15 minutes). The quotas
    /// run in simulated time, so they scale with it.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Which replication of the scenario to play (its random streams).
    #[arg(long, default_value_t = 0)]
    replication: u32,
    /// The Connect instance served: a request naming another gets 404 ResourceNotFoundException
    /// (the default is the rehearsal campaign's, live/examples/rehearsal/campaign.ron).
    #[arg(long, default_value = DEFAULT_INSTANCE_ID)]
    instance_id: String,
    /// The contact flow served: StartOutboundVoiceContact naming another gets
    /// ResourceNotFoundException.
    #[arg(long, default_value = DEFAULT_CONTACT_FLOW_ID)]
    contact_flow_id: String,
    /// The queue served: StartOutboundVoiceContact naming another gets
    /// ResourceNotFoundException.
    #[arg(long, default_value = DEFAULT_QUEUE_ID)]
    queue_id: String,
    /// Do not apply Connect's API rate quotas to metrics, DescribeContact, GetContactAttributes
    /// and StopContact (the scenario's dial limits still apply).
    #[arg(long)]
    no_api_quotas: bool,
    /// Publish the contact events, as an EventBridge rule would, to this SQS queue (its endpoint
    /// from the AWS configuration: AWS_ENDPOINT_URL_SQS for a local one such as moto's).
    #[arg(long, value_name = "URL")]
    events_queue_url: Option<String>,
    /// Write the scenario's customers to this file as the contacts CSV `live` imports (phone,
    /// name, utc_offset, do_not_call) and exit: the list a campaign rehearsing the scenario
    /// dials, for scenarios whose list is generated.
    #[arg(long, value_name = "FILE")]
    write_contacts: Option<PathBuf>,
    /// On stopping (Ctrl-C, SIGTERM), write the records of the calls that ended to this file,
    /// one JSON object per line as Connect's data stream delivers them: a rehearsal's records,
    /// which `dialsim calibrate` reads.
    #[arg(long, value_name = "FILE")]
    contact_records: Option<PathBuf>,
    /// Fault: refuse every Nth Connect request with 429 ThrottlingException (0: never).
    #[arg(long, default_value_t = 0)]
    throttle_every: u32,
    /// Fault: fail every Nth Connect request with 500 InternalServiceException (0: never).
    #[arg(long, default_value_t = 0)]
    error_every: u32,
    /// Fault: answer every Nth placed call with a 500 although the call was placed (0: never).
    #[arg(long, default_value_t = 0)]
    error_after_dial_every: u32,
    /// Fault: wait this many milliseconds before every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: carry out every Nth Connect request, then drop the connection before the answer
    /// is complete (0: never).
    #[arg(long, default_value_t = 0)]
    drop_every: u32,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = Settings {
        time_scale: cli.time_scale,
        replication: cli.replication,
        api_quotas: !cli.no_api_quotas,
        ids: Ids {
            instance_id: cli.instance_id,
            contact_flow_id: cli.contact_flow_id,
            queue_id: cli.queue_id,
        },
        faults: Faults {
            throttle_every: cli.throttle_every,
            error_every: cli.error_every,
            error_after_dial_every: cli.error_after_dial_every,
            latency_ms: cli.latency_ms,
            drop_every: cli.drop_every,
        },
    };
    let standin = match Standin::from_scenario(&cli.scenario, settings) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("connect-standin: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &cli.write_contacts {
        return match std::fs::write(path, standin.contacts_csv()) {
            Ok(()) => {
                println!(
                    "wrote {} customers to {}",
                    standin.phones().len(),
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "connect-standin: cannot write {}: {e} (check that its folder exists and is writable)",
                    path.display()
                );
                ExitCode::from(2)
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("connect-standin: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let records = cli.contact_records.clone();
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cli.port)).await?;
        let addr = listener.local_addr()?;
        let customers = standin.phones().len();
        let ids = standin.settings().ids.clone();
        // The first line is the address (tests read the port from it).
        println!("connect-standin listening on http://{addr}");
        println!(
            "serving instance {}, contact flow {}, queue {}",
            ids.instance_id, ids.contact_flow_id, ids.queue_id
        );
        println!("{}", standin.quota_line());
        println!(
            "{customers} customers; phone numbers: GET http://{addr}/_standin/customers; dials: GET http://{addr}/_standin/dials; contact events: GET http://{addr}/_standin/events"
        );
        if let Some(url) = cli.events_queue_url {
            println!("publishing contact events to {url}");
            tokio::spawn(connect_standin::publish::to_sqs(standin.clone(), url));
        }
        connect_standin::serve(listener, standin.clone(), shutdown_signal()).await?;
        if let Some(path) = &records {
            std::fs::write(path, standin.contact_records_text()).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot write the contact records to {}: {e}", path.display()),
                )
            })?;
            println!("contact records: {}", path.display());
        }
        Ok::<(), std::io::Error>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connect-standin: {e}");
            ExitCode::from(1)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
