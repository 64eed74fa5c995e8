//! The report directory: one self-contained `index.html`, every chart as PNG and SVG,
//! `summary.md`, `metrics.csv` and `results.json`, from a results file (`run`, `compare`), a
//! frontier file (`frontier`) or a sweep file (`sweep`, `merge`); and reading such a file back
//! ([`read`]).

use crate::chart::{self, ChartError, Figure};
use crate::figures::{self, Options};
use crate::tables::{self, Decimals, Table, escape_html};
use lab::Results;
use lab::frontier::Frontier;
use lab::stats::Estimate;
use lab::sweep::SweepResults;
use serde::Serialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What a report is made from.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// A `run` or `compare` results file.
    Results(Results),
    /// A `frontier` file.
    Frontier(Frontier),
    /// A `sweep` (or `merge`) results file.
    Sweep(SweepResults),
}

/// Which kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Results,
    Frontier,
    Sweep,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Results => "results file",
            Kind::Frontier => "frontier file",
            Kind::Sweep => "sweep file",
        }
    }

    fn current(self) -> &'static str {
        match self {
            Kind::Results => lab::summary::FORMAT,
            Kind::Frontier => lab::frontier::FORMAT,
            Kind::Sweep => lab::sweep::FORMAT,
        }
    }

    fn regenerate(self) -> &'static str {
        match self {
            Kind::Results => {
                "re-run `dialsim run SCENARIO --json FILE` (or `dialsim compare`) with this version to regenerate it"
            }
            Kind::Frontier => {
                "re-run `dialsim frontier SCENARIO --target-abandon T --json FILE` with this version to regenerate it"
            }
            Kind::Sweep => {
                "re-run `dialsim sweep SWEEP --out FILE` (or `dialsim merge` of new parts) with this version to regenerate it"
            }
        }
    }

    /// What writes a file of this kind again, after a bad value.
    fn rewrite(self) -> &'static str {
        match self {
            Kind::Results => {
                "write it again with `dialsim run SCENARIO --json FILE` (or `dialsim compare`)"
            }
            Kind::Frontier => {
                "write it again with `dialsim frontier SCENARIO --target-abandon T --json FILE`"
            }
            Kind::Sweep => {
                "write it again with `dialsim sweep SWEEP --out FILE` (or `dialsim merge` of its parts)"
            }
        }
    }
}

/// Why a results or frontier file cannot be read. Each names the file and what to do. (The
/// underlying error is part of the message, not a `source`, so that a chain printed whole does
/// not say it twice.)
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{}:{line}:{column}: {error}: this is not {} dialsim results, frontier or sweep file{}; write it again with `--json` (or `sweep --out`)",
        path.display(),
        if error.is_eof() { "a complete" } else { "a" },
        if error.is_eof() { " (was it cut short?)" } else { "" }
    )]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        error: serde_json::Error,
    },
    #[error(
        "{} is not a dialsim results or frontier file: it has no `format` field and neither \
         file's fields; write one with `dialsim run`, `compare` or `frontier` and `--json`",
        path.display()
    )]
    Unknown { path: PathBuf },
    #[error(
        "{} is one shard's part of a sweep ({format}), not a whole sweep: merge every part first \
         with `dialsim merge part-*.json --out sweep.json`, then run `dialsim report sweep.json`",
        path.display()
    )]
    SweepPart { path: PathBuf, format: String },
    #[error(
        "{} {} was written by another version of dialsim (format {}; this version reads {}); {}",
        kind.noun(),
        path.display(),
        found.as_deref().map_or("missing".to_string(), |f| format!("{f:?}")),
        kind.current(),
        kind.regenerate()
    )]
    OtherVersion {
        path: PathBuf,
        kind: Kind,
        /// The file's `format`, `None` when it has none (or not a string).
        found: Option<String>,
    },
    /// A value this version cannot have written (docs/results.md, "What is checked when a file
    /// is read"), named by its JSON path.
    #[error(
        "{}: {problem}: the file was edited or damaged; {}",
        path.display(),
        kind.rewrite()
    )]
    Invalid {
        path: PathBuf,
        kind: Kind,
        problem: lab::validate::Invalid,
    },
}

/// Why a report directory cannot be written. Each names the path.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot create the report folder {}: {error}", path.display())]
    CreateDir {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write {}: {error}", path.display())]
    Chart { path: PathBuf, error: ChartError },
    #[error("cannot write {}: {error}", path.display())]
    Csv { path: PathBuf, error: csv::Error },
}

/// ", measured from 1 h to 7 h after the start (…)" for a file with a measurement window;
/// nothing for one that covers the whole campaign.
fn measured(w: Option<&lab::summary::Window>) -> String {
    w.map_or(String::new(), |w| {
        format!(
            ", measured {} (calls dialed in it, agent time over it; the list, \
             result codes and series: the whole campaign)",
            w.describe()
        )
    })
}

/// `value` as the results files are written: pretty-printed JSON with two-space indentation and
/// a final newline. `dialsim --json` and `results.json` both use it.
pub fn json_text(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("results serialize to JSON") + "\n"
}

/// Which kind of file `value` is, from its `format`, or from its fields when the format is not
/// one this version knows; `Err` with what is wrong otherwise.
fn detect(path: &Path, value: &serde_json::Value) -> Result<Kind, ReadError> {
    let format = value.get("format").and_then(serde_json::Value::as_str);
    match format {
        Some(f) if f == lab::summary::FORMAT => return Ok(Kind::Results),
        Some(f) if f == lab::frontier::FORMAT => return Ok(Kind::Frontier),
        Some(f) if f == lab::sweep::FORMAT => return Ok(Kind::Sweep),
        _ => {}
    }
    if let Some(f) = format.filter(|f| f.starts_with("dialsim-sweep-part/")) {
        return Err(ReadError::SweepPart {
            path: path.to_path_buf(),
            format: f.to_string(),
        });
    }
    let by_prefix = format.and_then(|f| {
        if f.starts_with("dialsim-results/") {
            Some(Kind::Results)
        } else if f.starts_with("dialsim-frontier/") {
            Some(Kind::Frontier)
        } else if f.starts_with("dialsim-sweep/") {
            Some(Kind::Sweep)
        } else {
            None
        }
    });
    let has = |key: &str| value.get(key).is_some();
    let by_fields = if has("target_abandon") || has("abandon_key") {
        Some(Kind::Frontier)
    } else if has("strategies") {
        Some(Kind::Results)
    } else {
        None
    };
    match by_prefix.or(by_fields) {
        Some(kind) => Err(ReadError::OtherVersion {
            path: path.to_path_buf(),
            kind,
            found: format.map(String::from),
        }),
        None => Err(ReadError::Unknown {
            path: path.to_path_buf(),
        }),
    }
}

fn json_error(path: &Path, error: serde_json::Error) -> ReadError {
    ReadError::Json {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        error,
    }
}

/// Reads a results file (`run`, `compare`), a frontier file (`frontier`) or a sweep file
/// (`sweep`, `merge`) written by this version of dialsim, telling them apart by their `format`,
/// and validates it ([`lab::validate`]): a file that parses but holds a value dialsim cannot have
/// written is refused, naming the value's JSON path.
pub fn read(path: &Path) -> Result<Report, ReadError> {
    let text = lab::files::read_to_string(path, lab::files::MAX_DATA_BYTES).map_err(|error| {
        ReadError::Io {
            path: path.to_path_buf(),
            error,
        }
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| json_error(path, e))?;
    let kind = detect(path, &value)?;
    // Parsed again from the text, so that a field that does not fit is located.
    let report = match kind {
        Kind::Results => serde_json::from_str(&text).map(Report::Results),
        Kind::Frontier => serde_json::from_str(&text).map(Report::Frontier),
        Kind::Sweep => serde_json::from_str(&text).map(Report::Sweep),
    }
    .map_err(|e| json_error(path, e))?;
    report.validate().map_err(|problem| ReadError::Invalid {
        path: path.to_path_buf(),
        kind,
        problem,
    })?;
    Ok(report)
}

impl Report {
    /// Checks the file's values with its format's validator.
    pub fn validate(&self) -> Result<(), lab::validate::Invalid> {
        match self {
            Report::Results(r) => r.validate(),
            Report::Frontier(f) => f.validate(),
            Report::Sweep(s) => s.validate(),
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Report::Results(_) => Kind::Results,
            Report::Frontier(_) => Kind::Frontier,
            Report::Sweep(_) => Kind::Sweep,
        }
    }

    /// The file as `--json` writes it.
    pub fn json(&self) -> String {
        match self {
            Report::Results(r) => json_text(r),
            Report::Frontier(f) => json_text(f),
            Report::Sweep(s) => json_text(s),
        }
    }

    /// The charts, in page order.
    pub fn figures(&self) -> Vec<Figure> {
        match self {
            Report::Results(r) => figures::all(r, &Options::default()),
            Report::Frontier(f) => vec![figures::frontier(f)],
            Report::Sweep(s) => crate::sweep::figures(s),
        }
    }

    /// The tables, in page order.
    pub fn tables(&self) -> Vec<Table> {
        match self {
            Report::Results(r) => tables::results_tables(r),
            Report::Frontier(f) => tables::frontier_tables(f),
            Report::Sweep(s) => crate::sweep::tables(s),
        }
    }

    fn title(&self) -> String {
        match self {
            Report::Results(r) if r.comparison.is_some() => {
                format!("dialsim compare: {}", r.scenario)
            }
            Report::Results(r) => format!("dialsim run: {}", r.scenario),
            Report::Frontier(f) => format!("dialsim frontier: {}", f.scenario),
            Report::Sweep(s) => format!("dialsim sweep: {}", s.sweep.scenario),
        }
    }

    /// One line on how the numbers were made.
    fn about(&self) -> String {
        match self {
            Report::Results(r) => format!(
                "Scenario {}, seed {}, {} replications per strategy, compliance threshold {} s{} \
                 (file format {}).",
                r.scenario,
                r.seed,
                r.replications,
                r.compliance_threshold_s,
                measured(r.measure.as_ref()),
                r.format
            ),
            Report::Frontier(f) => format!(
                "Scenario {}, seed {}, {} replications per setting{}; target: the {} ({}); gains \
                 over {} (file format {}).",
                f.scenario,
                f.seed,
                f.replications,
                measured(f.measure.as_ref()),
                tables::frontier_target(f),
                tables::frontier_rule(f),
                f.reference,
                f.format
            ),
            Report::Sweep(s) => format!(
                "Scenario {}, seed {}, {} replications per point and strategy, {} points over {} \
                 (file format {}).",
                s.sweep.scenario,
                s.sweep.seed,
                s.sweep.replications,
                s.sweep.points.len(),
                s.sweep
                    .axes
                    .iter()
                    .map(|a| format!("{} ({} values)", a.field, a.values.len()))
                    .collect::<Vec<_>>()
                    .join(" × "),
                s.format
            ),
        }
    }

    /// The answer first: a heading and short items (every kind of file has one).
    pub fn verdict(&self) -> (String, Vec<String>) {
        match self {
            Report::Results(r) => tables::verdict_lines(r, Decimals::Report),
            Report::Frontier(f) => tables::frontier_verdict_lines(f, Decimals::Report),
            Report::Sweep(s) => crate::sweep::verdict_lines(s),
        }
    }

    /// `summary.md`: the tables in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n{}\n\n", self.title(), self.about());
        {
            let (heading, items) = self.verdict();
            let _ = writeln!(out, "{heading}\n");
            for item in items {
                let _ = writeln!(out, "- {item}");
            }
            out.push('\n');
        }
        for t in self.tables() {
            out.push_str(&t.markdown());
        }
        out
    }

    /// `days.csv` of a results file: one row per strategy × day (replication, from 1), its
    /// regulatory and queue abandon rates and its talk minutes per agent-hour at full precision
    /// (empty: undefined that day, or not in the file). `None`
    /// for a frontier or sweep file, which keep no days.
    pub fn days_csv(&self) -> Result<Option<String>, csv::Error> {
        let Report::Results(r) = self else {
            return Ok(None);
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        let number = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        w.write_record([
            "strategy",
            "day",
            "abandon_rate_regulatory",
            "abandon_rate",
            "talk_min_per_agent_hour",
        ])?;
        for s in &r.strategies {
            let days = &s.days;
            let n = days
                .abandon_rate_regulatory
                .len()
                .max(days.abandon_rate.len());
            for d in 0..n {
                let at = |v: &[Option<f64>]| number(v.get(d).copied().flatten());
                w.write_record([
                    s.name.clone(),
                    (d + 1).to_string(),
                    at(&days.abandon_rate_regulatory),
                    at(&days.abandon_rate),
                    at(&days.talk_min_per_agent_hour),
                ])?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(Some(String::from_utf8(bytes).expect("CSV of UTF-8 fields")))
    }

    /// `series.csv` of a results file: one row per strategy × series interval, its start and
    /// end in hours after the campaign's start, then one column per series key in the file's
    /// order (the same numbers as `series.values`; empty: undefined in that interval). `None` for a
    /// frontier or sweep file.
    pub fn series_csv(&self) -> Result<Option<String>, csv::Error> {
        let Report::Results(r) = self else {
            return Ok(None);
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        let number = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let keys: Vec<&str> = r
            .strategies
            .first()
            .map(|s| s.series.values.0.iter().map(|(k, _)| k.as_str()).collect())
            .unwrap_or_default();
        let mut header = vec!["strategy", "from_h", "to_h"];
        header.extend(&keys);
        w.write_record(&header)?;
        for s in &r.strategies {
            let hours = s.series.interval_s / 3_600.0;
            let n = s
                .series
                .values
                .0
                .iter()
                .map(|(_, v)| v.len())
                .max()
                .unwrap_or(0);
            for i in 0..n {
                let mut record = vec![
                    s.name.clone(),
                    (i as f64 * hours).to_string(),
                    ((i + 1) as f64 * hours).to_string(),
                ];
                for key in &keys {
                    let v = s
                        .series
                        .values
                        .get(key)
                        .and_then(|v| v.get(i).copied().flatten());
                    record.push(number(v));
                }
                w.write_record(&record)?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(Some(String::from_utf8(bytes).expect("CSV of UTF-8 fields")))
    }

    /// `metrics.csv`: one row per strategy × metric (results files), per strategy × setting ×
    /// metric (frontier files) or per point × strategy × metric (sweep files), full precision,
    /// empty cells for undefined values.
    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let number = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let estimate = |e: &Estimate| {
            let [lo, hi] = e.ci95.map_or([None, None], |[l, h]| [Some(l), Some(h)]);
            [number(e.mean), number(lo), number(hi)]
        };
        match self {
            Report::Results(r) => {
                w.write_record(["strategy", "metric", "mean", "ci95_low", "ci95_high"])?;
                for s in &r.strategies {
                    let rows = s
                        .metrics
                        .iter()
                        .map(|(m, e)| (m.key().to_string(), e))
                        .chain(
                            s.outcomes
                                .0
                                .iter()
                                .map(|(k, e)| (format!("outcomes.{k}"), e)),
                        );
                    for (metric, e) in rows {
                        let [m, lo, hi] = estimate(e);
                        w.write_record([s.name.as_str(), &metric, &m, &lo, &hi])?;
                    }
                }
                for d in r.comparison.iter().flat_map(|c| &c.differences) {
                    for (metric, e) in d.metrics.iter() {
                        let [m, lo, hi] = estimate(e);
                        let metric = format!("difference.{}", metric.key());
                        w.write_record([d.name.as_str(), &metric, &m, &lo, &hi])?;
                    }
                }
            }
            Report::Frontier(f) => {
                w.write_record([
                    "strategy",
                    "setting",
                    "knob",
                    "value",
                    "passes",
                    "chosen",
                    "replications",
                    "metric",
                    "mean",
                    "ci95_low",
                    "ci95_high",
                ])?;
                for s in &f.strategies {
                    let knob = s.knob.as_ref().map_or("", |k| k.name.as_str());
                    for (i, t) in s.tried.iter().enumerate() {
                        let value = number(t.value);
                        let passes = t.passes.to_string();
                        let chosen = (s.chosen == Some(i)).to_string();
                        let replications = t.replications.to_string();
                        let rows = t
                            .metrics
                            .iter()
                            .map(|(m, e)| (m.key(), e))
                            .chain([("gain", &t.gain)]);
                        for (metric, e) in rows {
                            let [m, lo, hi] = estimate(e);
                            w.write_record([
                                s.name.as_str(),
                                &t.name,
                                knob,
                                &value,
                                &passes,
                                &chosen,
                                &replications,
                                metric,
                                &m,
                                &lo,
                                &hi,
                            ])?;
                        }
                    }
                }
            }
            Report::Sweep(s) => {
                let mut header: Vec<&str> = s.sweep.axes.iter().map(|a| a.field.as_str()).collect();
                header.extend(["strategy", "metric", "mean", "ci95_low", "ci95_high"]);
                w.write_record(&header)?;
                for row in &s.rows {
                    let values: Vec<String> = row.values.iter().map(|v| v.to_string()).collect();
                    let metrics = row
                        .metrics
                        .iter()
                        .map(|(m, e)| (m.key().to_string(), e))
                        .chain(
                            row.outcomes
                                .0
                                .iter()
                                .map(|(k, e)| (format!("outcomes.{k}"), e)),
                        );
                    for (metric, e) in metrics {
                        let mut record = values.clone();
                        record.push(row.strategy.clone());
                        record.push(metric);
                        record.extend(estimate(e));
                        w.write_record(&record)?;
                    }
                }
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8(bytes).expect("the CSV is built from strings"))
    }

    /// `index.html`: one self-contained page (inline SVG charts and a small stylesheet; no
    /// script, no external resource), with `svgs` the charts' SVG documents in figure order.
    pub fn html(&self, figures: &[Figure], svgs: &[String]) -> String {
        let title = escape_html(&self.title());
        let tables = self.tables();
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
             <h1>{title}</h1>\n<p class=\"about\">{}</p>\n",
            escape_html(&self.about())
        );
        {
            let (heading, items) = self.verdict();
            let _ = write!(
                out,
                "<section id=\"verdict\" class=\"verdict\">\n<p>{}</p>\n<ul>\n",
                escape_html(&heading)
            );
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", escape_html(&item));
            }
            out.push_str("</ul>\n</section>\n");
        }
        out.push_str("<nav>");
        let mut links: Vec<(String, String)> = tables
            .iter()
            .map(|t| (t.id.clone(), t.title.clone()))
            .collect();
        // Charts come after the first tables (numbers first, then how they move).
        let split = match self {
            Report::Results(r) => 1 + usize::from(r.comparison.is_some()),
            Report::Frontier(_) => 1,
            // The picks first; the table of every point, a row per point, after the charts.
            Report::Sweep(_) => 1,
        };
        links.insert(split, ("charts".into(), "Charts".into()));
        for (i, (id, text)) in links.iter().enumerate() {
            let sep = if i == 0 { "" } else { " · " };
            let _ = write!(
                out,
                "{sep}<a href=\"#{}\">{}</a>",
                escape_html(id),
                escape_html(text)
            );
        }
        out.push_str("</nav>\n");
        for t in &tables[..split] {
            out.push_str(&t.html());
        }
        out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
        if let Report::Sweep(s) = self
            && let Some(note) = crate::sweep::left_out(s)
        {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape_html(&note));
        }
        // The charts that decide go across the page; the rest two to a row, so that the page is
        // a few screens long, not a dozen.
        let mut open = false;
        for (f, svg) in figures.iter().zip(svgs) {
            let wide = DECIDING.contains(&f.id.as_str());
            if wide && open {
                out.push_str("</div>\n");
                open = false;
            } else if !wide && !open {
                out.push_str("<div class=\"charts\">\n");
                open = true;
            }
            let _ = write!(
                out,
                "<figure id=\"chart-{id}\"{class}>\n{}\n<figcaption>{} — also as \
                 <a href=\"{id}.png\">PNG</a> and <a href=\"{id}.svg\">SVG</a></figcaption>\n\
                 </figure>\n",
                inline_svg(svg),
                escape_html(&f.title),
                id = escape_html(&f.id),
                class = if wide { " class=\"wide\"" } else { "" },
            );
        }
        if open {
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
        for t in &tables[split..] {
            out.push_str(&t.html());
        }
        out.push_str(
            "<footer>Made by dialsim. Every number is defined in docs/results.md; the same \
             numbers are in results.json, metrics.csv and summary.md beside this page.</footer>\n\
             </body>\n</html>\n",
        );
        out
    }
}

/// Charts drawn across the page: those an analyst decides from.
const DECIDING: [&str; 5] = [
    "abandon-rate",
    "days",
    "comparison",
    "frontier",
    "sweep-abandon-rate-regulatory",
];

pub(crate) const STYLE: &str =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"DejaVu Sans\",\
sans-serif;color:#1d2329;background:#fff;max-width:1320px;margin:0 auto;padding:1rem 1.2rem;\
line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0}
.verdict{border-left:4px solid #1f5f99;background:#f3f7fb;padding:.3rem 1rem;margin:.8rem 0}
.verdict p{margin:.3rem 0;font-weight:600}.verdict ul{margin:.2rem 0 .4rem;padding-left:1.2rem}
h2{font-size:1.25rem;margin:2rem 0 .4rem;padding-bottom:.2rem;border-bottom:2px solid #dde3e8}
.about,.note,figcaption,footer{color:#4b5660}
.note{font-size:.9rem;margin:.2rem 0 .6rem}
nav{margin:.8rem 0;font-size:.95rem}
a{color:#1f5f99}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem}
th,td{padding:.28rem .5rem;border-bottom:1px solid #e3e8ec;vertical-align:top}
th{background:#eef2f5;text-align:left;font-weight:600}
th.n{text-align:right;max-width:9.5rem;overflow-wrap:normal;word-break:normal}
td:first-child{min-width:11rem}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td .ci{display:block;color:#66717b;font-size:.8rem}
tbody tr:nth-child(even){background:#f8fafb}
td.sig{font-weight:700}
code{font-size:.82rem;color:#5a6570}
figure{margin:1.2rem 0 2rem}
figure.wide{max-width:1000px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:0 1.4rem}
.charts figure{margin:.8rem 0 1.2rem}
figure svg{display:block;max-width:100%;height:auto;border:1px solid #e3e8ec}
figcaption{font-size:.9rem;margin-top:.3rem}
footer{margin-top:3rem;font-size:.85rem}
";

/// An SVG document made fit to sit inside HTML: no XML prolog or doctype, and no namespace
/// declaration (HTML puts `<svg>` in the SVG namespace itself, and the page names no URL).
pub fn inline_svg(svg: &str) -> String {
    let mut s = svg.trim_start();
    while s.starts_with("<?") || s.starts_with("<!DOCTYPE") || s.starts_with("<!doctype") {
        s = s.find('>').map_or("", |i| s[i + 1..].trim_start());
    }
    s.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
        .trim_end()
        .to_string()
}

/// The files a report directory holds, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub dir: PathBuf,
    /// File names, in the order written.
    pub files: Vec<String>,
}

impl Written {
    pub fn index(&self) -> PathBuf {
        self.dir.join("index.html")
    }
}

/// Writes the report directory `out_dir` (created if missing; files of the same names are
/// replaced): `index.html`, `<chart>.svg` and `<chart>.png` for every chart, `summary.md`,
/// `metrics.csv`, for a results file `days.csv` and `series.csv`, and `results.json`.
pub fn write_report(out_dir: &Path, report: &Report) -> Result<Written, ReportError> {
    let mut folder = Folder::create(out_dir)?;
    let figures = report.figures();
    let mut svgs = Vec::with_capacity(figures.len());
    for f in &figures {
        svgs.push(folder.svg(f)?);
    }
    folder.text("index.html", &report.html(&figures, &svgs))?;
    folder.text("summary.md", &report.markdown())?;
    folder.csv("metrics.csv", report.csv().map(Some))?;
    // A results file's days and series; a frontier or sweep file has neither.
    folder.csv("days.csv", report.days_csv())?;
    folder.csv("series.csv", report.series_csv())?;
    folder.text("results.json", &report.json())?;
    for f in &figures {
        folder.png(f)?;
    }
    Ok(folder.finish())
}

/// A report folder being written: each file as it comes, its name listed in order, every
/// failure naming the file. Every kind of report (results, frontier, sweep, diff, calibration)
/// writes through it.
pub(crate) struct Folder {
    dir: PathBuf,
    files: Vec<String>,
}

impl Folder {
    /// The folder `dir`, created if missing.
    pub(crate) fn create(dir: &Path) -> Result<Folder, ReportError> {
        std::fs::create_dir_all(dir).map_err(|error| ReportError::CreateDir {
            path: dir.to_path_buf(),
            error,
        })?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        })
    }

    pub(crate) fn text(&mut self, name: &str, text: &str) -> Result<(), ReportError> {
        let path = self.dir.join(name);
        std::fs::write(&path, text).map_err(|error| ReportError::Write { path, error })?;
        self.files.push(name.to_string());
        Ok(())
    }

    /// A CSV table, or nothing when the report has none of this kind (`Ok(None)`).
    pub(crate) fn csv(
        &mut self,
        name: &str,
        csv: Result<Option<String>, csv::Error>,
    ) -> Result<(), ReportError> {
        let csv = csv.map_err(|error| ReportError::Csv {
            path: self.dir.join(name),
            error,
        })?;
        match csv {
            Some(text) => self.text(name, &text),
            None => Ok(()),
        }
    }

    /// `<id>.svg`, whose text is returned for inlining in the page.
    pub(crate) fn svg(&mut self, f: &Figure) -> Result<String, ReportError> {
        let name = format!("{}.svg", f.id);
        let svg = chart::render_svg(f, chart::SIZE).map_err(|error| ReportError::Chart {
            path: self.dir.join(&name),
            error,
        })?;
        self.text(&name, &svg)?;
        Ok(svg)
    }

    /// `<id>.png`.
    pub(crate) fn png(&mut self, f: &Figure) -> Result<(), ReportError> {
        let name = format!("{}.png", f.id);
        let path = self.dir.join(&name);
        chart::render_png(f, chart::SIZE, &path)
            .map_err(|error| ReportError::Chart { path, error })?;
        self.files.push(name);
        Ok(())
    }

    pub(crate) fn finish(self) -> Written {
        Written {
            dir: self.dir,
            files: self.files,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_svg_drops_prolog_and_namespace() {
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"2\" height=\"2\" viewBox=\"0 0 2 2\" \
                   xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        assert_eq!(
            inline_svg(svg),
            "<svg width=\"2\" height=\"2\" viewBox=\"0 0 2 2\">\n<rect/>\n</svg>"
        );
    }

    fn read_text(name: &str, text: &str) -> Result<Report, ReadError> {
        let dir = std::env::temp_dir().join(format!("reports-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        read(&path)
    }

    #[test]
    fn other_versions_are_named_with_what_to_do() {
        let e = read_text("old.json", r#"{"scenario": "x", "strategies": []}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("results file ")
                && e.contains("old.json was written by another version of dialsim (format missing")
                && e.contains("re-run `dialsim run"),
            "{e}"
        );
        let e = read_text("new.json", r#"{"format": "dialsim-frontier/9"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("frontier file ")
                && e.contains(
                    "(format \"dialsim-frontier/9\"; this version reads dialsim-frontier/2)"
                )
                && e.contains("re-run `dialsim frontier"),
            "{e}"
        );
        let e = read_text("other.json", r#"{"hello": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("is not a dialsim results or frontier file"),
            "{e}"
        );
    }

    #[test]
    fn json_errors_are_located() {
        let e = read_text(
            "cut.json",
            "{\n  \"format\": \"dialsim-results/1\",\n  \"scen",
        )
        .unwrap_err();
        assert!(matches!(e, ReadError::Json { line: 3, .. }), "{e:?}");
        assert!(e.to_string().contains("cut.json:3:"), "{e}");
        let e = read_text(
            "fields.json",
            "{\n  \"format\": \"dialsim-results/1\",\n  \"seed\": 1\n}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("fields.json:4:1: missing field `scenario`"),
            "{e}"
        );
    }
}
