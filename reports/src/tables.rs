//! The tables of a report, built once and written twice: as HTML (`index.html`) and as Markdown
//! (`summary.md`). Every number is shown as `mean [95% CI]` in a display unit (rates in percent,
//! durations in hours where the file has seconds); the catalogue says which ([`Metric::label`],
//! [`Metric::scale`]).

use lab::Results;
use lab::catalogue::Metric;
use lab::frontier::{Frontier, FrontierStrategy, Setting};
use lab::stats::Estimate;
use lab::summary::{Metrics, Ordered};
use std::fmt::Write;

/// Result codes in the results file's order, with their meaning.
pub const OUTCOMES: [(&str, &str); 7] = [
    ("1", "1 talked to an agent"),
    ("2", "2 call back later"),
    ("3", "3 e-mail"),
    ("0", "0 not interested"),
    ("-2", "-2 machine / no input"),
    ("-1", "-1 never reached"),
    ("abandoned", "abandoned in queue"),
];

fn outcome_label(code: &str) -> String {
    OUTCOMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, l)| l.to_string())
}

/// How many decimals a displayed number gets. Both drop them from 100 up; below, the terminal's
/// tables keep 2, and reports keep 3 for values under 1 (an abandon rate of 0.042%).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decimals {
    /// Reports (HTML, Markdown): none from 100 up, 2 from 1 up, 3 below 1 (2 for 0).
    Report,
    /// The terminal: none from 100 up, 2 below.
    Terminal,
}

impl Decimals {
    /// Decimals for the displayed value `v`.
    fn of(self, v: f64) -> usize {
        let a = v.abs();
        if a >= 100.0 {
            0
        } else if a >= 1.0 || a == 0.0 || self == Decimals::Terminal {
            2
        } else {
            3
        }
    }

    /// The decimals of a row of cells: those its largest mean gets, so that a row reads at one
    /// precision ("0.05" beside "2.72", not "0.052").
    pub fn of_row<'a>(
        self,
        row: impl IntoIterator<Item = Option<&'a Estimate>>,
        scale: f64,
    ) -> usize {
        let top = row
            .into_iter()
            .flatten()
            .filter_map(|e| e.mean)
            .map(|m| (m * scale).abs())
            .filter(|v| v.is_finite())
            .reduce(f64::max);
        self.of(top.unwrap_or(0.0))
    }

    /// `mean [lo, hi]` scaled for display, the interval with the mean's decimals; "—" when the
    /// quantity is undefined, the mean alone when it has no interval.
    pub fn cell(self, e: Option<&Estimate>, scale: f64) -> String {
        let d = e.and_then(|e| e.mean).map_or(0, |m| self.of(m * scale));
        self.cell_at(e, scale, d)
    }

    /// [`Decimals::cell`] with `d` decimals (a row's, from [`Decimals::of_row`]).
    pub fn cell_at(self, e: Option<&Estimate>, scale: f64, d: usize) -> String {
        let Some(Estimate {
            mean: Some(m),
            ci95,
        }) = e
        else {
            return "—".into();
        };
        let n = |v: f64| grouped(&format!("{:.d$}", v * scale));
        match ci95 {
            Some([lo, hi]) => format!("{} [{}, {}]", n(*m), n(*lo), n(*hi)),
            None => n(*m),
        }
    }

    /// The cell of a difference from the baseline: [`Decimals::cell`], followed by ` *` when
    /// the difference's interval excludes 0.
    pub fn difference_cell(self, e: Option<&Estimate>, scale: f64, d: usize) -> String {
        let mark = if e.is_some_and(excludes_zero) {
            " *"
        } else {
            ""
        };
        format!("{}{mark}", self.cell_at(e, scale, d))
    }
}

/// The separator of digit groups: a narrow no-break space, as SI writes "10 564" (a comma would
/// read as the one inside "[lo, hi]"; a space that can break would let a number wrap).
pub const GROUP_SEPARATOR: char = '\u{202f}';

/// A formatted number with its whole part's digits in groups of three from 10,000 up
/// ("10564.5" → "10 564.5"; "1234" stays as it is, as SI writes four digits).
pub fn grouped(number: &str) -> String {
    let (sign, rest) = number.strip_prefix('-').map_or(("", number), |r| ("-", r));
    let (whole, fraction) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    if whole.len() < 5 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return number.to_string();
    }
    let mut out = String::from(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(GROUP_SEPARATOR);
        }
        out.push(digit);
    }
    out + fraction
}

/// A report's cell: [`Decimals::cell`] with [`Decimals::Report`].
pub fn cell(e: Option<&Estimate>, scale: f64) -> String {
    Decimals::Report.cell(e, scale)
}

/// Whether a difference's interval lies wholly on one side of 0.
pub fn excludes_zero(e: &Estimate) -> bool {
    e.ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0)
}

/// A table: a header row and body rows of text cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Anchor in the HTML page.
    pub id: String,
    pub title: String,
    /// A sentence under the title: what the numbers are.
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns before this one hold text (left-aligned); the others numbers (right-aligned).
    pub text_columns: usize,
    /// A column of metric keys, shown as code.
    pub key_column: Option<usize>,
}

fn escape_md(text: &str) -> String {
    text.replace('|', "\\|")
}

/// HTML-escapes text for element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Table {
    /// A GitHub-flavoured Markdown section: `## title`, the note, the table.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## {}\n", self.title);
        if !self.note.is_empty() {
            let _ = writeln!(out, "{}\n", self.note);
        }
        let line = |cells: &[String], code: bool| {
            let mut l = String::from("|");
            for (c, text) in cells.iter().enumerate() {
                let text = escape_md(text);
                if code && Some(c) == self.key_column && !text.is_empty() {
                    let _ = write!(l, " `{text}` |");
                } else {
                    let _ = write!(l, " {text} |");
                }
            }
            l
        };
        let _ = writeln!(out, "{}", line(&self.header, false));
        let rule: String = (0..self.header.len())
            .map(|c| {
                if c < self.text_columns {
                    "---|"
                } else {
                    "--:|"
                }
            })
            .collect();
        let _ = writeln!(out, "|{rule}");
        for row in &self.rows {
            let mut cells = row.clone();
            cells.resize(self.header.len(), String::new());
            let _ = writeln!(out, "{}", line(&cells, true));
        }
        out.push('\n');
        out
    }

    /// An HTML section: a heading, the note and the table. A metric's key is shown under its
    /// label, and a number's interval under its mean, so that many strategies fit side by side.
    pub fn html(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            escape_html(&self.id),
            escape_html(&self.title)
        );
        if !self.note.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape_html(&self.note));
        }
        let shown = |c: usize| Some(c) != self.key_column;
        out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
        for (c, h) in self.header.iter().enumerate().filter(|(c, _)| shown(*c)) {
            let class = if c < self.text_columns {
                ""
            } else {
                " class=\"n\""
            };
            // A long strategy name may break after its opening parenthesis or a comma, never
            // inside a word.
            let text = escape_html(h)
                .replace('(', "(<wbr>")
                .replace(", ", ",<wbr> ");
            let _ = write!(out, "<th{class}>{text}</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            let text = |c: usize| row.get(c).map_or("", String::as_str);
            for c in (0..self.header.len()).filter(|c| shown(*c)) {
                if c >= self.text_columns {
                    out.push_str(&number_cell(text(c)));
                } else if c == 0 && self.key_column.is_some_and(|k| !text(k).is_empty()) {
                    let key = self.key_column.map_or("", text);
                    let _ = write!(
                        out,
                        "<td>{}<br><code>{}</code></td>",
                        escape_html(text(c)),
                        escape_html(key)
                    );
                } else {
                    let _ = write!(out, "<td>{}</td>", escape_html(text(c)));
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n</section>\n");
        out
    }
}

/// A number cell: the mean, then its interval on a line of its own; bold when marked `*`.
fn number_cell(text: &str) -> String {
    let (class, text) = match text.strip_suffix(" *") {
        Some(t) => ("n sig", t),
        None => ("n", text),
    };
    let mark = if class == "n sig" { " *" } else { "" };
    match text.split_once(" [") {
        Some((mean, ci)) => format!(
            "<td class=\"{class}\">{}{mark}<span class=\"ci\">[{}</span></td>",
            escape_html(mean),
            escape_html(ci)
        ),
        None => format!("<td class=\"{class}\">{}{mark}</td>", escape_html(text)),
    }
}

/// Every item of `lists` once, in the order of the first list followed by those only later lists
/// have.
fn union<T: PartialEq>(lists: impl Iterator<Item = impl Iterator<Item = T>>) -> Vec<T> {
    let mut all = Vec::new();
    for list in lists {
        for item in list {
            if !all.contains(&item) {
                all.push(item);
            }
        }
    }
    all
}

/// The row of `metric`: `(label, key, one cell per column)`.
fn metric_row(metric: Metric, columns: &[&Metrics<Estimate>]) -> Vec<String> {
    let mut row = vec![metric.label(), metric.key().to_string()];
    let scale = metric.scale();
    let d = Decimals::Report.of_row(columns.iter().map(|m| m.get(metric)), scale);
    row.extend(
        columns
            .iter()
            .map(|m| Decimals::Report.cell_at(m.get(metric), scale, d)),
    );
    row
}

/// Rows metric × column, in the first column's order followed by metrics only later columns
/// have.
fn metric_rows(columns: &[&Metrics<Estimate>]) -> Vec<Vec<String>> {
    union(columns.iter().map(|m| m.iter().map(|(metric, _)| metric)))
        .into_iter()
        .map(|metric| metric_row(metric, columns))
        .collect()
}

/// Rows result code × column: `(label, code, one cell per column)`, in the first column's order
/// followed by codes only later columns have.
fn outcome_rows(columns: &[&Ordered<Estimate>]) -> Vec<Vec<String>> {
    union(
        columns
            .iter()
            .map(|m| m.0.iter().map(|(code, _)| code.as_str())),
    )
    .into_iter()
    .map(|code| {
        let mut row = vec![outcome_label(code), code.to_string()];
        row.extend(columns.iter().map(|m| cell(m.get(code), 1.0)));
        row
    })
    .collect()
}

const ESTIMATES: &str = "Mean over replications [95% confidence interval]; rates in percent. \
                         Definitions: docs/results.md.";

/// The tables of a `run` or `compare` results file: every metric, the differences from the
/// baseline when the file has them, and the customers per result code.
pub fn results_tables(results: &Results) -> Vec<Table> {
    let names: Vec<String> = results.strategies.iter().map(|s| s.name.clone()).collect();
    let mut header = vec!["metric".to_string(), "key".to_string()];
    header.extend(names.iter().cloned());
    let metrics: Vec<&Metrics<Estimate>> = results.strategies.iter().map(|s| &s.metrics).collect();
    // The first table: the metrics `compare` measures differences of, those the file has.
    let key_rows = Metric::COMPARED
        .into_iter()
        .filter(|m| metrics.iter().any(|column| column.get(*m).is_some()))
        .map(|m| metric_row(m, &metrics))
        .collect();
    let mut tables = vec![Table {
        id: "key-numbers".into(),
        title: "Key numbers".into(),
        note: ESTIMATES.into(),
        header: header.clone(),
        rows: key_rows,
        text_columns: 2,
        key_column: Some(1),
    }];
    if let Some(comparison) = &results.comparison {
        let baseline = names.iter().position(|n| *n == comparison.baseline);
        let compared = union(
            comparison
                .differences
                .iter()
                .map(|d| d.metrics.iter().map(|(metric, _)| metric)),
        );
        let rows = compared
            .into_iter()
            .map(|metric| {
                let mut row = vec![metric.difference_label(), metric.key().to_string()];
                let decimals = Decimals::Report.of_row(
                    comparison.differences.iter().map(|d| d.metrics.get(metric)),
                    metric.scale(),
                );
                for (i, name) in names.iter().enumerate() {
                    if Some(i) == baseline {
                        row.push("baseline".into());
                        continue;
                    }
                    let e = comparison
                        .differences
                        .iter()
                        .find(|d| d.name == *name)
                        .and_then(|d| d.metrics.get(metric));
                    row.push(Decimals::Report.difference_cell(e, metric.scale(), decimals));
                }
                row
            })
            .collect();
        tables.push(Table {
            id: "differences".into(),
            title: "Differences from the baseline".into(),
            note: format!(
                "Strategy − baseline ({}), measured replication by replication on the same \
                 random numbers: mean [95% CI]; rates in percentage points (pp). * marks a \
                 difference whose interval excludes 0.",
                comparison.baseline
            ),
            header: header.clone(),
            rows,
            text_columns: 2,
            key_column: Some(1),
        });
    }
    tables.push(Table {
        id: "metrics".into(),
        title: "Every metric".into(),
        note: ESTIMATES.into(),
        header: header.clone(),
        rows: metric_rows(&metrics),
        text_columns: 2,
        key_column: Some(1),
    });
    let outcomes: Vec<&Ordered<Estimate>> =
        results.strategies.iter().map(|s| &s.outcomes).collect();
    let mut header = vec!["final result code".to_string(), "key".to_string()];
    header.extend(names);
    tables.push(Table {
        id: "outcomes".into(),
        title: "Customers per final result code".into(),
        note: "Customers whose final code is each code, mean per replication [95% CI].".into(),
        header,
        rows: outcome_rows(&outcomes),
        text_columns: 2,
        key_column: Some(1),
    });
    tables
}

/// The label of the abandon rate a frontier caps.
pub fn frontier_abandon_label(frontier: &Frontier) -> String {
    Metric::abandon_rate(frontier.definition).label()
}

/// What a frontier's target asks, e.g. "upper end of the 95% CI of the abandon rate (÷ live
/// answers) below 3%".
pub fn frontier_target(frontier: &Frontier) -> String {
    let rate = frontier_abandon_label(frontier);
    let rate = rate.trim_end_matches(" %");
    match frontier.risk {
        Some(risk) => format!(
            "upper end of the 95% interval of the share of days whose {rate} is over {}% below {}%",
            percent(frontier.target_abandon),
            percent(risk)
        ),
        None => format!(
            "upper end of the 95% CI of the {rate} below {}%",
            percent(frontier.target_abandon)
        ),
    }
}

/// Which rule chose the settings, for a line of its own.
pub fn frontier_rule(frontier: &Frontier) -> &'static str {
    match frontier.risk {
        Some(_) => "risk-based: each day (replication) judged on its own",
        None => {
            "mean-based: the campaign's rate over all days, not each day (--risk judges days one by one)"
        }
    }
}

fn knob_value(setting: &Setting) -> String {
    setting.value.map_or("—".into(), |v| v.to_string())
}

/// The measures every setting shows after the abandon rate, before the gain.
const MEASURED: [Metric; 2] = [Metric::Occupancy, Metric::TalkMinPerAgentHour];

/// The headers of the cells [`measures`] gives: abandon rate (and, under the risk-based rule,
/// the share of days over the target), occupancy, talk, and `gain`.
pub fn measure_header(frontier: &Frontier, gain: String) -> Vec<String> {
    let mut header = vec![frontier_abandon_label(frontier)];
    if frontier.risk.is_some() {
        header.push(format!("days over {}% %", percent(frontier.target_abandon)));
    }
    header.extend(MEASURED.map(Metric::label));
    header.push(gain);
    header
}

/// The cells every setting shows: abandon rate, occupancy, talk, gain.
fn measures(
    frontier: &Frontier,
    s: &FrontierStrategy,
    setting: &Setting,
    decimals: Decimals,
) -> Vec<String> {
    let mut cells = Vec::new();
    for metric in [Metric::abandon_rate(frontier.definition)]
        .into_iter()
        .chain(MEASURED)
    {
        cells.push(decimals.cell(Some(&setting.metric(metric)), metric.scale()));
        if frontier.risk.is_some() && cells.len() == 1 {
            cells.push(decimals.cell(setting.days_over_target.as_ref(), 100.0));
        }
    }
    cells.push(if s.reference {
        "reference".into()
    } else {
        decimals.cell(Some(&setting.gain), 1.0)
    });
    cells
}

/// The setting a frontier strategy is reported by: the chosen one, or when infeasible the least
/// aggressive one tried (the only one).
pub fn shown_setting(s: &FrontierStrategy) -> Option<&Setting> {
    s.chosen_setting().or_else(|| s.tried.first())
}

/// One row per strategy under the header `strategy, knob, chosen`, [`measure_header`],
/// `evaluations`: its chosen setting, or "infeasible" and the least aggressive setting's numbers.
pub fn chosen_rows(frontier: &Frontier, decimals: Decimals) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &frontier.strategies {
        let name = if s.reference {
            format!("{} (reference)", s.name)
        } else {
            s.name.clone()
        };
        let knob = s.knob.as_ref().map_or("—".into(), |k| k.name.clone());
        let mut row = vec![name, knob];
        match (s.chosen_setting(), s.tried.first()) {
            (Some(setting), _) => {
                row.push(knob_value(setting));
                row.extend(measures(frontier, s, setting, decimals));
            }
            // Infeasible: the least aggressive setting, the only one tried, fails.
            (None, Some(lowest)) => {
                row.push("infeasible".into());
                row.extend(measures(frontier, s, lowest, decimals));
            }
            (None, None) => {
                row.push("infeasible".into());
                row.extend(["—", "—", "—", "—"].map(String::from));
            }
        }
        row.push(s.tried.len().to_string());
        rows.push(row);
    }
    rows
}

/// One row per setting a strategy with a knob tried, by knob value, under the header
/// `strategy, setting`, [`measure_header`], days (the replications it ran), result: pass,
/// "pass, chosen" or fail.
pub fn tried_rows(frontier: &Frontier, decimals: Decimals) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in frontier.strategies.iter().filter(|s| s.knob.is_some()) {
        let knob = s.knob.as_ref().map_or("", |k| k.name.as_str());
        let mut order: Vec<usize> = (0..s.tried.len()).collect();
        order.sort_by(|&a, &b| {
            let v = |i: usize| s.tried[i].value.unwrap_or(f64::NAN);
            v(a).total_cmp(&v(b))
        });
        for (n, i) in order.into_iter().enumerate() {
            let setting = &s.tried[i];
            let mut row = vec![
                if n == 0 {
                    s.name.clone()
                } else {
                    String::new()
                },
                format!("{knob} {}", knob_value(setting)),
            ];
            row.extend(measures(frontier, s, setting, decimals));
            row.push(setting.replications.to_string());
            row.push(
                match (setting.passes, s.chosen == Some(i)) {
                    (true, true) => "pass, chosen",
                    (true, false) => "pass",
                    (false, _) => "fail",
                }
                .into(),
            );
            rows.push(row);
        }
    }
    rows
}

/// The tables of a frontier file: the chosen settings, every setting tried, and every metric of
/// the chosen settings.
pub fn frontier_tables(frontier: &Frontier) -> Vec<Table> {
    let measure_header = measure_header(frontier, format!("gain over {}", frontier.reference));
    let mut header: Vec<String> = vec!["strategy".into(), "knob".into(), "chosen".into()];
    header.extend(measure_header.iter().cloned());
    header.push("evaluations".into());
    let target = format!("the {}", frontier_target(frontier));
    let mut tables = vec![Table {
        id: "chosen".into(),
        title: "Most productive setting under the target".into(),
        note: format!(
            "Each strategy's setting with the most talk minutes per agent-hour among those with \
             {target}; gain: talk min per agent-hour over {}, paired by replication. Infeasible: \
             even the least aggressive setting fails; its numbers are shown. Mean [95% CI].",
            frontier.reference
        ),
        header,
        rows: chosen_rows(frontier, Decimals::Report),
        text_columns: 2,
        key_column: None,
    }];

    let mut header: Vec<String> = vec!["strategy".into(), "setting".into()];
    header.extend(measure_header);
    header.push("days".into());
    header.push("result".into());
    let rows = tried_rows(frontier, Decimals::Report);
    if !rows.is_empty() {
        tables.push(Table {
            id: "tried".into(),
            title: "Settings tried".into(),
            note: format!(
                "Every setting evaluated, by knob value; pass: {target}. Days: the replications \
                 it ran (fewer than all when an early look settled it). Mean [95% CI] over those."
            ),
            header,
            rows,
            text_columns: 2,
            key_column: None,
        });
    }

    let shown: Vec<(&FrontierStrategy, &Setting)> = frontier
        .strategies
        .iter()
        .filter_map(|s| shown_setting(s).map(|t| (s, t)))
        .collect();
    let mut header = vec!["metric".to_string(), "key".to_string()];
    header.extend(shown.iter().map(|(s, t)| {
        if s.feasible {
            t.name.clone()
        } else {
            format!("{} (infeasible)", t.name)
        }
    }));
    let metrics: Vec<&Metrics<Estimate>> = shown.iter().map(|(_, t)| &t.metrics).collect();
    tables.push(Table {
        id: "metrics".into(),
        title: "Every metric of the settings shown".into(),
        note: ESTIMATES.into(),
        header,
        rows: metric_rows(&metrics),
        text_columns: 2,
        key_column: Some(1),
    });
    tables
}

/// A fraction in percent without float noise: 0.07 → "7", 0.0325 → "3.25".
pub fn percent(x: f64) -> String {
    let text = format!("{:.6}", x * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The verdict of a results file ([`lab::verdict`]) as a heading and its items, in words: the
/// pick, the runner-up and the pick's lead over it, the strategies over the cap and those shown
/// neither way. The terminal, the Markdown summary and the page each lay them out.
pub fn verdict_lines(results: &Results, decimals: Decimals) -> (String, Vec<String>) {
    let v = lab::verdict::verdict(results);
    let cell = |e: &Estimate, scale: f64| decimals.cell(Some(e), scale);
    let heading = format!(
        "Verdict (mean-based: a strategy holds the {}% cap when the upper end of its regulatory \
         abandon rate's 95% CI is under it):",
        percent(v.cap)
    );
    let describe = |p: &lab::verdict::Pick| {
        let mut text = format!(
            "{} — {} talk min per agent-hour, regulatory abandon rate {} %, days over the cap {} %",
            p.name,
            cell(&p.talk, 1.0),
            cell(&p.abandon_regulatory, 100.0),
            cell(&p.days_over_cap, 100.0),
        );
        if let Some((reference, gain)) = &p.gain_over_progressive {
            let _ = write!(
                text,
                "; gain over {reference}, paired by day: {} talk min",
                cell(gain, 1.0)
            );
        }
        text
    };
    let mut items = Vec::new();
    items.push(match &v.best {
        Some(best) => format!("pick: {}", describe(best)),
        None => "pick: none — no strategy holds the cap".to_string(),
    });
    if let Some(runner) = &v.runner_up {
        let mut text = format!("runner-up: {}", describe(runner));
        if let Some(d) = &v.best_over_runner_up {
            let _ = write!(text, "; {}", pick_over_runner_up(d, decimals));
        }
        items.push(text);
    }
    for (what, list) in [
        ("over the cap", &v.breaching),
        ("not shown under or over the cap", &v.undecided),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list
                .iter()
                .map(|(name, rate)| format!("{name} {} %", cell(rate, 100.0)))
                .collect();
            items.push(format!("{what}: {}", names.join("; ")));
        }
    }
    (heading, items)
}

/// "the pick's talk minus the runner-up's, paired by day: 1.20 [0.40, 2.00] (significant)".
fn pick_over_runner_up(d: &Estimate, decimals: Decimals) -> String {
    format!(
        "the pick's talk minus the runner-up's, paired by day: {} ({})",
        decimals.cell(Some(d), 1.0),
        if excludes_zero(d) {
            "significant"
        } else {
            "not significant: the interval includes 0"
        }
    )
}

/// The verdict of a frontier ([`lab::verdict::frontier_verdict`]): a heading naming the target
/// and its rule, then the pick with its setting, the runner-up and their paired difference, and
/// the strategies no setting of which meets the target.
pub fn frontier_verdict_lines(f: &Frontier, decimals: Decimals) -> (String, Vec<String>) {
    let v = lab::verdict::frontier_verdict(f);
    let cell = |e: &Estimate, scale: f64| decimals.cell(Some(e), scale);
    let rule = frontier_rule(f).split(':').next().unwrap_or_default();
    let heading = format!(
        "Verdict ({rule}; each strategy at its most productive setting that meets the target: \
         {}):",
        frontier_target(f)
    );
    let abandon = frontier_abandon_label(f);
    let abandon = abandon.trim_end_matches(" %");
    let describe = |p: &lab::verdict::SettingPick| {
        let knob = p
            .knob
            .as_ref()
            .map_or(String::new(), |(k, v)| format!(" ({k} chosen: {v})"));
        let mut text = format!(
            "{}{knob} — {} talk min per agent-hour, {abandon} {} %",
            p.setting,
            cell(&p.talk, 1.0),
            cell(&p.abandon, 100.0)
        );
        match &p.gain {
            Some(g) => {
                let _ = write!(
                    text,
                    "; gain over {}, paired by day: {} talk min",
                    f.reference,
                    cell(g, 1.0)
                );
            }
            None => text.push_str(" (the reference)"),
        }
        text
    };
    let mut items = vec![match &v.best {
        Some(best) => format!("pick: {}", describe(best)),
        None => "pick: none — no strategy meets the target at any setting tried".to_string(),
    }];
    if let Some(runner) = &v.runner_up {
        let mut text = format!("runner-up: {}", describe(runner));
        if let Some(d) = &v.best_over_runner_up {
            let _ = write!(text, "; {}", pick_over_runner_up(d, decimals));
        }
        items.push(text);
    }
    if !v.infeasible.is_empty() {
        items.push(format!(
            "no setting meets the target: {}",
            v.infeasible.join("; ")
        ));
    }
    (heading, items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_ten_thousand_are_grouped_by_three() {
        let g = |t: &str| grouped(t).replace(GROUP_SEPARATOR, " ");
        assert_eq!(g("10564"), "10 564");
        assert_eq!(g("1234"), "1234");
        assert_eq!(g("1234567.25"), "1 234 567.25");
        assert_eq!(g("-100000"), "-100 000");
        assert_eq!(g("999.99"), "999.99");
        assert_eq!(g("NaN"), "NaN");
        let e = Estimate {
            mean: Some(10_564.0),
            ci95: Some([10_404.0, 10_723.0]),
        };
        assert_eq!(
            Decimals::Terminal
                .cell(Some(&e), 1.0)
                .replace(GROUP_SEPARATOR, " "),
            "10 564 [10 404, 10 723]"
        );
    }

    #[test]
    fn cells_scale_and_round() {
        let e = Estimate {
            mean: Some(0.02918),
            ci95: Some([0.0288, 0.0297]),
        };
        assert_eq!(cell(Some(&e), 100.0), "2.92 [2.88, 2.97]");
        let big = Estimate {
            mean: Some(5321.4),
            ci95: None,
        };
        assert_eq!(cell(Some(&big), 1.0), "5321");
        let small = Estimate {
            mean: Some(0.00042),
            ci95: Some([-0.0001, 0.0009]),
        };
        assert_eq!(cell(Some(&small), 100.0), "0.042 [-0.010, 0.090]");
        assert_eq!(cell(Some(&Estimate::UNDEFINED), 1.0), "—");
        assert_eq!(cell(None, 1.0), "—");
        // The terminal keeps two decimals below 1, and marks differences that exclude 0.
        assert_eq!(
            Decimals::Terminal.cell(Some(&small), 100.0),
            "0.04 [-0.01, 0.09]"
        );
        assert_eq!(
            Decimals::Terminal.difference_cell(Some(&e), 100.0, 2),
            "2.92 [2.88, 2.97] *"
        );
        assert_eq!(
            Decimals::Report.difference_cell(Some(&small), 100.0, 3),
            "0.042 [-0.010, 0.090]"
        );
    }

    #[test]
    fn markdown_and_html_escape() {
        let t = Table {
            id: "t".into(),
            title: "T".into(),
            note: String::new(),
            header: vec!["a|b".into(), "key".into(), "<x>".into()],
            rows: vec![vec!["r".into(), "k".into(), "1 *".into()]],
            text_columns: 2,
            key_column: Some(1),
        };
        let md = t.markdown();
        assert!(md.contains("| a\\|b | key | <x> |"), "{md}");
        assert!(md.contains("|---|---|--:|"), "{md}");
        assert!(md.contains("| r | `k` | 1 * |"), "{md}");
        let html = t.html();
        assert!(html.contains("<th class=\"n\">&lt;x&gt;</th>"), "{html}");
        assert!(!html.contains(">key<"), "the key column is merged: {html}");
        assert!(html.contains("<td class=\"n sig\">1 *</td>"), "{html}");
        assert!(html.contains("<td>r<br><code>k</code></td>"), "{html}");
        assert_eq!(
            number_cell("2.92 [2.88, 2.97] *"),
            "<td class=\"n sig\">2.92 *<span class=\"ci\">[2.88, 2.97]</span></td>"
        );
    }
}
