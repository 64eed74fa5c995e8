//! The report of `dialsim diff`: two saved results files of one scenario, before (A) and after
//! (B) a change, verdict first — which strategy each file picks, whether the pick changed, which
//! strategies crossed the cap, which metrics moved beyond their noise — then B − A strategy by
//! strategy ([`lab::diff`]) as tables and one chart of where each strategy moved.

use crate::chart::{Figure, Guide, Plot, strategy_colours};
use crate::figures::{decision_point, decision_view, short_labels};
use crate::report::{Folder, ReportError, STYLE, Written, inline_svg};
use crate::tables::{Decimals, Table, escape_html, excludes_zero, percent};
use lab::Results;
use lab::catalogue::Metric;
use lab::diff::{Diff, Pairing, StrategyDiff};
use lab::stats::Estimate;
use std::fmt::Write;
use std::path::Path;

/// Two results files and what to call them (their file names, say).
#[derive(Clone, Debug, PartialEq)]
pub struct DiffReport {
    pub a: Results,
    pub b: Results,
    pub a_name: String,
    pub b_name: String,
}

/// The id of the diff's chart (its PNG and SVG are `diff.png` and `diff.svg`).
pub const CHART_ID: &str = "diff";

impl DiffReport {
    pub fn diff(&self) -> Diff {
        lab::diff::diff(&self.a, &self.b)
    }

    pub fn title(&self) -> String {
        format!("dialsim diff: {} → {}", self.a_name, self.b_name)
    }

    /// One line each on how the two files were made.
    pub fn about(&self) -> Vec<String> {
        let line = |tag: &str, name: &str, r: &Results| {
            format!(
                "{tag} = {name}: scenario {}, seed {}, {} replications per strategy, cap {}% on \
                 the regulatory abandon rate.",
                r.scenario,
                r.seed,
                r.replications,
                percent(r.abandon_cap)
            )
        };
        vec![
            line("A", &self.a_name, &self.a),
            line("B", &self.b_name, &self.b),
        ]
    }

    /// The answer first: a heading saying how the differences were estimated, then short items.
    pub fn verdict(&self, decimals: Decimals) -> (String, Vec<String>) {
        let d = self.diff();
        let cell = |e: &Estimate, scale: f64| decimals.cell(Some(e), scale);
        let heading = if d.same_days {
            format!(
                "Diff, B − A, paired by day (both files ran seed {} with {} replications, so \
                 day i is the same day in both):",
                self.a.seed, self.a.replications
            )
        } else {
            format!(
                "Diff, B − A, from the two files' intervals as independent (the seeds or \
                 replications differ: A seed {} × {}, B seed {} × {}; run both with the same \
                 --seed and --replications to pair them by day):",
                self.a.seed, self.a.replications, self.b.seed, self.b.replications
            )
        };
        let mut items = Vec::new();
        if self.a.scenario != self.b.scenario {
            items.push(format!(
                "the scenarios differ by name: A is {}, B is {}",
                self.a.scenario, self.b.scenario
            ));
        }
        if self.a.abandon_cap != self.b.abandon_cap {
            items.push(format!(
                "the caps differ: A {}%, B {}%; each file's picks and breaches use its own",
                percent(self.a.abandon_cap),
                percent(self.b.abandon_cap)
            ));
        }
        let (va, vb) = (
            lab::verdict::verdict(&self.a),
            lab::verdict::verdict(&self.b),
        );
        let pick = |v: &lab::verdict::Verdict| {
            v.best.as_ref().map_or_else(
                || "none holds the cap".to_string(),
                |p| {
                    format!(
                        "{} ({} talk min per agent-hour, regulatory abandon rate {} %)",
                        p.name,
                        cell(&p.talk, 1.0),
                        cell(&p.abandon_regulatory, 100.0)
                    )
                },
            )
        };
        let same_pick = match (&va.best, &vb.best) {
            (Some(x), Some(y)) => d
                .strategies
                .iter()
                .find(|s| s.name == x.name && s.name_b == y.name),
            _ => None,
        };
        match same_pick {
            Some(s) => {
                let talk = metric(s, Metric::TalkMinPerAgentHour);
                let rate = metric(s, Metric::AbandonRateRegulatory);
                items.push(format!(
                    "pick unchanged: {} — talk B − A {} min per agent-hour{}, regulatory abandon \
                     rate B − A {} pp{}",
                    s.name_b,
                    cell(&talk.difference, 1.0),
                    significance(&talk.difference),
                    cell(&rate.difference, 100.0),
                    significance(&rate.difference),
                ));
            }
            None if va.best.is_none() && vb.best.is_none() => {
                items.push("pick: none in either file — no strategy holds the cap".into());
            }
            None => {
                items.push(format!("pick changed: A {}; B {}", pick(&va), pick(&vb)));
            }
        }
        let over =
            |v: &lab::verdict::Verdict, name: &str| v.breaching.iter().any(|(n, _)| n == name);
        let crossed: Vec<String> = d
            .strategies
            .iter()
            .filter(|s| over(&vb, &s.name_b) && !over(&va, &s.name))
            .map(|s| s.name_b.clone())
            .collect();
        let cleared: Vec<String> = d
            .strategies
            .iter()
            .filter(|s| over(&va, &s.name) && !over(&vb, &s.name_b))
            .map(|s| s.name_b.clone())
            .collect();
        if !crossed.is_empty() {
            items.push(format!("now over the cap: {}", crossed.join("; ")));
        }
        if !cleared.is_empty() {
            items.push(format!("no longer over the cap: {}", cleared.join("; ")));
        }
        let moved: Vec<String> = d
            .strategies
            .iter()
            .flat_map(|s| {
                s.metrics
                    .iter()
                    .filter(|m| excludes_zero(&m.difference))
                    .map(move |m| {
                        format!(
                            "{}: {} {}",
                            short(&s.name_b),
                            m.metric.difference_label(),
                            cell(&m.difference, m.metric.scale())
                        )
                    })
            })
            .collect();
        // The tables hold every difference; the verdict names the first few.
        const NAMED: usize = 12;
        let more = moved.len().saturating_sub(NAMED);
        let mut moved: Vec<String> = moved.into_iter().take(NAMED).collect();
        if more > 0 {
            moved.push(format!("and {more} more (see the tables)"));
        }
        if moved.is_empty() {
            items.push(
                "no metric of any strategy moved beyond its noise: every interval of B − A \
                 includes 0"
                    .into(),
            );
        } else {
            items.push(format!(
                "moved beyond the noise (interval of B − A clear of 0): {}",
                moved.join("; ")
            ));
        }
        if d.strategies.is_empty() {
            items.push("no strategy is in both files: nothing to compare side by side".into());
        }
        for (tag, list) in [("only in A", &d.only_a), ("only in B", &d.only_b)] {
            if !list.is_empty() {
                items.push(format!("{tag}: {}", list.join("; ")));
            }
        }
        (heading, items)
    }

    /// One table per strategy in both files: a row per metric with A, B and B − A (marked ` *`
    /// when its interval excludes 0).
    pub fn tables(&self, decimals: Decimals) -> Vec<Table> {
        let d = self.diff();
        let mut tables = vec![self.glance(&d, decimals)];
        tables.extend(d.strategies.iter().enumerate().map(|(i, s)| {
            let title = if s.name == s.name_b {
                s.name.clone()
            } else {
                format!("{} → {}", s.name, s.name_b)
            };
            let rows = s
                .metrics
                .iter()
                .map(|m| {
                    let scale = m.metric.scale();
                    let places = decimals.of_row([Some(&m.a), Some(&m.b)], scale);
                    vec![
                        m.metric.label(),
                        m.metric.key().to_string(),
                        decimals.cell_at(Some(&m.a), scale, places),
                        decimals.cell_at(Some(&m.b), scale, places),
                        decimals.difference_cell(Some(&m.difference), scale, places),
                        match m.pairing {
                            Pairing::ByDay => "by day".into(),
                            Pairing::Independent => "independent".into(),
                        },
                    ]
                })
                .collect();
            Table {
                id: format!("strategy-{}", i + 1),
                title,
                note: "mean [95% CI]; B − A marked * where its interval excludes 0 \
                           (rates in percentage points)"
                    .into(),
                header: vec![
                    "metric".into(),
                    "key".into(),
                    "A".into(),
                    "B".into(),
                    "B − A".into(),
                    "paired".into(),
                ],
                rows,
                text_columns: 2,
                key_column: Some(1),
            }
        }));
        tables
    }

    /// Every strategy's B − A in one table: a row per strategy, a column per metric.
    fn glance(&self, d: &Diff, decimals: Decimals) -> Table {
        let mut header = vec!["strategy".to_string()];
        header.extend(lab::diff::DIFFED.iter().map(|m| m.difference_label()));
        let rows = d
            .strategies
            .iter()
            .map(|s| {
                let mut row = vec![s.name_b.clone()];
                row.extend(s.metrics.iter().map(|m| {
                    let scale = m.metric.scale();
                    let places = decimals.of_row([Some(&m.a), Some(&m.b)], scale);
                    decimals.difference_cell(Some(&m.difference), scale, places)
                }));
                row
            })
            .collect();
        Table {
            id: "differences".into(),
            title: "B − A at a glance".into(),
            note: "each strategy's change, mean [95% CI], * where the interval excludes 0; rates \
                   in percentage points"
                .into(),
            header,
            rows,
            text_columns: 1,
            key_column: None,
        }
    }

    /// Where each strategy moved: talk minutes per agent-hour against the regulatory abandon
    /// rate, A's point small, B's ringed and named, the two joined; B's cap drawn.
    pub fn figure(&self) -> Figure {
        let d = self.diff();
        let names: Vec<String> = d.strategies.iter().map(|s| s.name_b.clone()).collect();
        let short = short_labels(&names);
        let colours = strategy_colours(&names);
        let find = |r: &Results, name: &str| r.strategies.iter().find(|s| s.name == name).cloned();
        let mut points = Vec::new();
        for (i, s) in d.strategies.iter().enumerate() {
            for (result, after) in [
                (find(&self.a, &s.name), false),
                (find(&self.b, &s.name_b), true),
            ] {
                let Some(r) = result else { continue };
                points.push(decision_point(
                    &r.metrics,
                    short[i].clone(),
                    colours[i],
                    after.then(|| short[i].clone()),
                    after,
                ));
            }
        }
        let cap = self.b.abandon_cap * 100.0;
        Figure {
            view: decision_view(&points, cap),
            ..Figure::new(
                CHART_ID,
                "From A (small dot) to B (ringed, named): productivity against abandonment (95% CI)",
                "regulatory abandon rate (%)",
                "talk minutes per agent-hour",
                Plot::Whiskers {
                    points,
                    joined: true,
                    vertical: vec![Guide {
                        at: cap,
                        label: format!("cap {}%", rules::param::show(cap)),
                    }],
                    ringed: "B, after the change".into(),
                },
            )
        }
    }

    /// `summary.md`: the verdict and the tables in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n{}\n\n", self.title(), self.about().join("  \n"));
        let (heading, items) = self.verdict(Decimals::Report);
        let _ = writeln!(out, "{heading}\n");
        for item in items {
            let _ = writeln!(out, "- {item}");
        }
        out.push('\n');
        for t in self.tables(Decimals::Report) {
            out.push_str(&t.markdown());
        }
        out
    }

    /// `index.html`: the verdict, the chart (`svg`, its SVG document) and the tables, on one
    /// self-contained page.
    pub fn html(&self, svg: &str) -> String {
        let title = escape_html(&self.title());
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
             <h1>{title}</h1>\n"
        );
        for line in self.about() {
            let _ = writeln!(out, "<p class=\"about\">{}</p>", escape_html(&line));
        }
        let (heading, items) = self.verdict(Decimals::Report);
        let _ = write!(
            out,
            "<section id=\"verdict\" class=\"verdict\">\n<p>{}</p>\n<ul>\n",
            escape_html(&heading)
        );
        for item in items {
            let _ = writeln!(out, "<li>{}</li>", escape_html(&item));
        }
        out.push_str("</ul>\n</section>\n");
        let figure = self.figure();
        let _ = write!(
            out,
            "<section id=\"charts\">\n<h2>Chart</h2>\n<figure id=\"chart-{id}\" class=\"wide\">\n{}\n\
             <figcaption>{} — also as <a href=\"{id}.png\">PNG</a> and <a href=\"{id}.svg\">SVG</a>\
             </figcaption>\n</figure>\n</section>\n",
            inline_svg(svg),
            escape_html(&figure.title),
            id = CHART_ID
        );
        for t in self.tables(Decimals::Report) {
            out.push_str(&t.html());
        }
        out.push_str(
            "<footer>Made by dialsim. Every metric is defined in docs/results.md; the same \
             numbers are in metrics.csv and summary.md beside this page.</footer>\n</body>\n</html>\n",
        );
        out
    }

    /// `metrics.csv`: one row per strategy × metric, A, B and B − A at full precision (empty:
    /// undefined), and how the difference was estimated.
    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "strategy_a",
            "strategy_b",
            "metric",
            "a_mean",
            "a_ci95_low",
            "a_ci95_high",
            "b_mean",
            "b_ci95_low",
            "b_ci95_high",
            "difference_mean",
            "difference_ci95_low",
            "difference_ci95_high",
            "paired",
        ])?;
        let number = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let estimate = |e: &Estimate| {
            let [lo, hi] = e.ci95.map_or([None, None], |[l, h]| [Some(l), Some(h)]);
            [number(e.mean), number(lo), number(hi)]
        };
        for s in self.diff().strategies {
            for m in &s.metrics {
                let mut record = vec![s.name.clone(), s.name_b.clone(), m.metric.key().into()];
                record.extend(estimate(&m.a));
                record.extend(estimate(&m.b));
                record.extend(estimate(&m.difference));
                record.push(
                    match m.pairing {
                        Pairing::ByDay => "by_day",
                        Pairing::Independent => "independent",
                    }
                    .into(),
                );
                w.write_record(&record)?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8(bytes).expect("the CSV is built from strings"))
    }
}

fn metric(s: &StrategyDiff, m: Metric) -> &lab::diff::MetricDiff {
    s.metrics
        .iter()
        .find(|d| d.metric == m)
        .expect("every diffed metric is in a strategy's diff")
}

/// " (significant)" or " (within the noise)" after a difference.
fn significance(e: &Estimate) -> &'static str {
    if excludes_zero(e) {
        " (significant)"
    } else {
        " (within the noise)"
    }
}

/// A label up to its settings, for a list of many.
fn short(name: &str) -> &str {
    name.split('(').next().unwrap_or(name)
}

/// Writes a diff's report folder (created if missing): `index.html`, `diff.svg`, `diff.png`,
/// `summary.md` and `metrics.csv`.
pub fn write_diff_report(out_dir: &Path, report: &DiffReport) -> Result<Written, ReportError> {
    let mut folder = Folder::create(out_dir)?;
    let figure = report.figure();
    let svg = folder.svg(&figure)?;
    folder.text("index.html", &report.html(&svg))?;
    folder.text("summary.md", &report.markdown())?;
    folder.csv("metrics.csv", report.csv().map(Some))?;
    folder.png(&figure)?;
    Ok(folder.finish())
}
