//! `dialsim calibrate`: a scenario from the center's own Amazon Connect contact records.

use anyhow::Context;
use calibrate::classify::{DEFAULT_TABLE, Table};
use calibrate::select::Selection;
use calibrate::{Calibration, Options};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// Contact record files (JSON lines or objects back to back, plain or gzip) or folders of
    /// them, as Connect's export to S3 writes them.
    #[arg(required_unless_present = "print_classification")]
    pub records: Vec<PathBuf>,
    /// Write the calibrated scenario to this file.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "print_classification"
    )]
    pub out: Option<PathBuf>,
    /// The scenario whose staffing, list, rules and strategies the calibrated one keeps (its
    /// measured fields are replaced, its comments kept). Default: a 20-agent template.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// How records are classified (dial outcome, IVR choice): a RON table; print the bundled
    /// one with --print-classification to start from.
    #[arg(long, value_name = "FILE")]
    pub classification: Option<PathBuf>,
    /// Print the bundled classification table and exit.
    #[arg(long)]
    pub print_classification: bool,
    /// The customers' time zone (an IANA name, e.g. America/New_York, or a fixed offset such
    /// as -05:00), for the hour of their local day. Default: UTC.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub time_zone: String,
    /// A contact attribute holding each customer's zone (an IANA name or a UTC offset such as
    /// -05:00), used where present instead of --time-zone: `dialsim run --contact-records` and
    /// the stand-in write dialsim_utc_offset.
    #[arg(long, value_name = "NAME")]
    pub zone_attribute: Option<String>,
    /// Keep only contacts queued to this queue (name or ARN; repeatable). A contact that was
    /// never queued (unanswered, or no agent chosen) is kept.
    #[arg(long, value_name = "NAME")]
    pub queue: Vec<String>,
    /// Keep only contacts with this InitiationMethod (repeatable). Default: API, OUTBOUND,
    /// CAMPAIGN.
    #[arg(long, value_name = "METHOD")]
    pub initiation_method: Vec<String>,
    /// Keep only contacts launched at or after this instant (ISO 8601, e.g. 2026-03-02T00:00:00Z).
    #[arg(long, value_name = "INSTANT")]
    pub from: Option<String>,
    /// Keep only contacts launched before this instant.
    #[arg(long, value_name = "INSTANT")]
    pub to: Option<String>,
    /// Keep only contacts whose attribute has this value: NAME=VALUE (e.g. campaign=spring).
    #[arg(long, value_name = "NAME=VALUE")]
    pub attribute: Option<String>,
    /// The IVR prompt's length in seconds (the records show the answer and the queue, not the
    /// key press). Default: the template's prompt.
    #[arg(long, value_name = "SECONDS")]
    pub prompt_s: Option<f64>,
    /// The goodbye's length after a choice other than an agent. Default: the template's.
    #[arg(long, value_name = "SECONDS")]
    pub goodbye_s: Option<f64>,
    /// Also write a report to this folder: index.html (the records read and rejected, the mix
    /// by local hour, each fit drawn against the records), each chart as PNG and SVG, and
    /// summary.md.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

fn instant(flag: &str, text: &str) -> anyhow::Result<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|e| {
            anyhow::anyhow!(
                "{flag} {text:?} is not an ISO 8601 instant ({e}): write e.g. 2026-03-02T00:00:00Z"
            )
        })
}

fn seconds(flag: &str, value: Option<f64>, template: Option<f64>) -> anyhow::Result<f64> {
    match value {
        Some(v) if !(v.is_finite() && (0.0..=600.0).contains(&v)) => {
            anyhow::bail!("{flag} {v} is out of range: give 0 to 600 seconds")
        }
        Some(v) => Ok(v),
        None => Ok(template.unwrap_or(0.0)),
    }
}

pub fn calibrate(args: &CalibrateArgs) -> anyhow::Result<ExitCode> {
    if args.print_classification {
        print!("{DEFAULT_TABLE}");
        return Ok(ExitCode::SUCCESS);
    }
    let out = args.out.as_ref().expect("clap requires --out");
    let template_text = match &args.template {
        None => calibrate::write::DEFAULT_TEMPLATE.to_string(),
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the template {}", path.display()))?,
    };
    let template = match &args.template {
        None => sim::scenario::parse(&template_text).expect("the bundled template reads"),
        Some(path) => lab::load::parse(&template_text, path).map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let mut outputs = vec![super::guard::Output {
        flag: "--out",
        path: out,
        kind: super::guard::OutputKind::File,
    }];
    if let Some(dir) = &args.report {
        outputs.push(super::guard::Output {
            flag: "--report",
            path: dir,
            kind: super::guard::OutputKind::Folder,
        });
    }
    super::guard::outputs(&args.records, &outputs)?;
    let table = match &args.classification {
        None => Table::default_table(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the classification {}", path.display()))?;
            Table::parse(&text, &path.display().to_string())?
        }
    };
    let zone = rules::zone::Zone::parse(&args.time_zone).ok_or_else(|| {
        anyhow::anyhow!(
            "--time-zone {:?} is not a time zone: {}",
            args.time_zone,
            rules::zone::ZONE_FORMS
        )
    })?;
    let mut selection = Selection {
        queues: args.queue.clone(),
        from: args
            .from
            .as_deref()
            .map(|t| instant("--from", t))
            .transpose()?,
        to: args.to.as_deref().map(|t| instant("--to", t)).transpose()?,
        ..Selection::default()
    };
    if !args.initiation_method.is_empty() {
        selection.initiation_methods = args.initiation_method.clone();
    }
    if let Some(a) = &args.attribute {
        let (name, value) = a.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("--attribute {a:?} is not NAME=VALUE: write e.g. campaign=spring")
        })?;
        selection.attribute = Some((name.to_string(), value.to_string()));
    }
    let options = Options {
        table,
        selection,
        zone,
        zone_attribute: args.zone_attribute.clone(),
        prompt_s: seconds("--prompt-s", args.prompt_s, template.ivr.prompt.mean_s())?,
        goodbye_s: seconds("--goodbye-s", args.goodbye_s, template.ivr.goodbye.mean_s())?,
        no_input_timeout_s: Some(template.ivr.no_input_timeout_s),
        detect_s: template
            .amd
            .as_ref()
            .and_then(|a| a.detect_after.mean_s())
            .unwrap_or(0.0),
        amd_errors: template
            .amd
            .as_ref()
            .map(|a| (a.false_positive.get(), a.false_negative.get())),
    };
    let records = calibrate::records::read(&args.records, &options.attributes())
        .map_err(|e| anyhow::anyhow!(e))?;
    let c = calibrate::calibrate(&records, &options);
    print!("{}", render_read(&c, &records));
    if c.measured.contacts == 0 {
        let named: Vec<String> = args
            .records
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        anyhow::bail!(
            "{}: none of the {} records is a usable contact of the campaign (the counts above say why): check the files, the selection (--queue, --from, --to, --initiation-method, --attribute) and the classification",
            named.join(", "),
            c.read.read
        );
    }
    let text = calibrate::write::scenario(&template_text, &c)?;
    std::fs::write(out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    print!("{}", render_fits(&c));
    println!("scenario: {}", out.display());
    if let Some(dir) = &args.report {
        let report = reports::calibration::CalibrationReport {
            calibration: &c,
            records: &records,
            scenario: out.display().to_string(),
        };
        let written = reports::calibration::write_calibration_report(dir, &report)?;
        eprintln!(
            "report: {} ({} files)",
            written.index().display(),
            written.files.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn render_read(c: &Calibration, records: &calibrate::records::Records) -> String {
    let r = &c.read;
    let mut s = format!(
        "read {} records from {} files: {} contacts after de-duplication ({} repeated deliveries), {} rejected\n",
        r.read, r.files, r.contacts, r.duplicates, r.rejected
    );
    for (kind, n) in &records.rejected_by_kind {
        s.push_str(&format!("  rejected, {}: {n}\n", kind.describe()));
    }
    for x in records.rejected.iter().take(10) {
        s.push_str(&format!(
            "    {}: {}\n",
            records.place(x.file, x.line),
            x.reason
        ));
    }
    if records.rejected.len() > 10 {
        s.push_str(&format!(
            "    … {} more (every one is counted above)\n",
            r.rejected - 10
        ));
    }
    for (why, n) in &r.left_out {
        s.push_str(&format!("  not the campaign's, {}: {n}\n", why.describe()));
    }
    if r.unclassified > 0 {
        s.push_str(&format!(
            "  not classified (see --classification): {}\n",
            r.unclassified
        ));
        for (place, why) in r.unclassified_examples.iter().take(5) {
            s.push_str(&format!("    {place}: {why}\n"));
        }
    }
    s.push_str(&format!(
        "{} contacts of the campaign\n",
        c.measured.contacts
    ));
    s
}

fn render_fits(c: &Calibration) -> String {
    let m = &c.measured;
    let mut s = String::from("\ndial outcomes (share [95% CI]):\n");
    for sh in &m.outcome.shares {
        s.push_str(&format!(
            "  {:<10} {:>7.2}% [{:.2}, {:.2}]  {} calls\n",
            sh.key.field(),
            sh.share * 100.0,
            sh.ci95.0 * 100.0,
            sh.ci95.1 * 100.0,
            sh.count
        ));
    }
    s.push_str("IVR choices of the people who answered:\n");
    for sh in &m.choice.shares {
        s.push_str(&format!(
            "  {:<14} {:>7.2}% [{:.2}, {:.2}]  {}\n",
            calibrate::measure::choice_field(sh.key),
            sh.share * 100.0,
            sh.ci95.0 * 100.0,
            sh.ci95.1 * 100.0,
            sh.count
        ));
    }
    let f = &c.fits;
    let mut line = |name: &str, comment: Option<&Vec<String>>| {
        if let Some(comment) = comment {
            s.push_str(&format!("{name}:\n"));
            for l in comment {
                s.push_str(&format!("  {l}\n"));
            }
        } else {
            s.push_str(&format!(
                "{name}: too few records, the template's value kept\n"
            ));
        }
    };
    line(
        "ring timeout",
        f.ring_timeout
            .as_ref()
            .map(|t| vec![format!("{} s: {}", t.value, t.comment)])
            .as_ref(),
    );
    line("answer time", f.answer_after.as_ref().map(|x| &x.comment));
    line("patience", f.patience.as_ref().map(|x| &x.comment));
    line("talk", f.talk.as_ref().map(|x| &x.comment));
    line(
        "after-call work",
        f.after_call_work.as_ref().map(|x| &x.comment),
    );
    for (choice, fit) in &f.key_press {
        line(
            &format!("key press, {}", calibrate::measure::choice_field(*choice)),
            Some(&fit.comment),
        );
    }
    s
}
