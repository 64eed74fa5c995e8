//! The calibration report (`dialsim calibrate --report DIR`): what was read and rejected, the
//! outcome mix by the customers' local hour with its intervals, and each fitted distribution
//! drawn against the data it was fitted to, so that an analyst sees where a fit holds and where
//! the records stop saying anything.

use crate::chart::{Band, Figure, Guide, Plot, Series};
use crate::report::{Folder, ReportError, STYLE, Written, inline_svg};
use crate::tables::{Table, escape_html};
use calibrate::Calibration;
use calibrate::classify::DialOutcome;
use calibrate::fits::{Candidate, Fitted};
use calibrate::measure::choice_field;
use calibrate::records::Records;
use std::fmt::Write;
use std::path::Path;

/// What the report is made from: the calibration and the records it read (for the rejects).
pub struct CalibrationReport<'a> {
    pub calibration: &'a Calibration,
    pub records: &'a Records,
    /// The scenario file written.
    pub scenario: String,
}

fn pct(x: f64) -> String {
    format!("{:.2}", x * 100.0)
}

/// The empirical distribution function of whole-second values at the upper edge of each
/// second (v + ½), where it is the rounded data's own: drawn as steps.
fn ecdf(sorted: &[f64], offset: f64) -> Vec<(f64, f64)> {
    let n = sorted.len() as f64;
    let mut points = vec![(0.0, 0.0)];
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == v {
            j += 1;
        }
        let x = (v + 0.5 - offset).max(0.0);
        points.push((x, points.last().map_or(0.0, |p| p.1)));
        points.push((x, j as f64 / n));
        i = j;
    }
    points
}

/// The legend entry of the patience chart's Nelson–Aalen line.
pub const NELSON_AALEN: &str = "Nelson–Aalen, exp(−H)";

/// A survival curve in percent: 100 from 0 to the first step, each step's value from its time on,
/// cut at `to`; drawn as flat runs joined by vertical drops.
fn step_line(steps: impl Iterator<Item = (f64, f64)>, to: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 100.0)];
    let mut last = 100.0;
    for (t, value) in steps.take_while(|s| s.0 <= to) {
        points.push((t, last));
        points.push((t, value));
        last = value;
    }
    points.push((to, last));
    points
}

fn fitted_curve(c: &Candidate, to: f64) -> Vec<(f64, f64)> {
    (0..=200)
        .map(|i| {
            let x = to * f64::from(i) / 200.0;
            // A fit to truncated data is drawn truncated, as the data are.
            let cdf = match c.truncated_at {
                Some(at) => c.distribution.cdf(x.min(at)) / c.distribution.cdf(at),
                None => c.distribution.cdf(x),
            };
            (x, cdf)
        })
        .collect()
}

/// Empirical against fitted distribution functions of one field.
fn cdf_figure(id: &str, title: &str, sorted: &[f64], offset: f64, fit: &Fitted) -> Figure {
    let to = {
        let at = ((sorted.len() as f64) * 0.995) as usize;
        (sorted[at.min(sorted.len() - 1)] - offset).max(1.0) * 1.1
    };
    let records = Series {
        name: format!("records ({} values)", sorted.len()),
        points: ecdf(sorted, offset)
            .into_iter()
            .filter(|p| p.0 <= to)
            .collect(),
        dashed: false,
        colour: 7,
        step: None,
    };
    let mut series = Vec::new();
    for (i, c) in fit.candidates.iter().enumerate() {
        series.push(Series {
            name: format!(
                "{}{} (AIC {:.0}{})",
                c.family,
                if c.chosen { ", chosen" } else { "" },
                c.aic,
                c.ks_distance
                    .map(|d| format!(", KS {d:.3}"))
                    .unwrap_or_default()
            ),
            points: fitted_curve(c, to),
            dashed: !c.chosen,
            colour: i,
            step: None,
        });
    }
    // Drawn last, on top of the fits.
    series.push(records);
    let mut f = Figure::new(
        id,
        title,
        "seconds",
        "share at most that long (%)",
        Plot::Lines {
            series: series
                .into_iter()
                .map(|mut s| {
                    s.points.iter_mut().for_each(|p| p.1 *= 100.0);
                    s
                })
                .collect(),
            markers: false,
            highlight: Vec::new(),
            horizontal: None,
            vertical: Vec::new(),
        },
    );
    f.view.y = Some((0.0, 100.0));
    f
}

impl CalibrationReport<'_> {
    /// Every chart of the report.
    pub fn figures(&self) -> Vec<Figure> {
        let c = self.calibration;
        let m = &c.measured;
        let mut figures = Vec::new();
        // The outcome mix by local hour: a point per hour with its 95% interval.
        let bands: Vec<Band> = [
            DialOutcome::Human,
            DialOutcome::Machine,
            DialOutcome::NoAnswer,
        ]
        .iter()
        .enumerate()
        .map(|(colour, &o)| Band {
            name: format!("{} (day: {}%)", o.field(), pct(m.outcome.share(o))),
            points: m
                .outcome_by_hour
                .iter()
                .filter(|(_, mix)| mix.total >= 30)
                .map(|(h, mix)| {
                    let s = mix
                        .shares
                        .iter()
                        .find(|s| s.key == o)
                        .expect("every outcome");
                    (
                        f64::from(*h),
                        s.share * 100.0,
                        s.ci95.0 * 100.0,
                        s.ci95.1 * 100.0,
                    )
                })
                .collect(),
            colour,
        })
        .collect();
        figures.push(Figure::new(
            "hours",
            &format!(
                "Dial outcomes by the customers' local hour ({}), 95% CI",
                c.clock()
            ),
            "local hour (calls dialed from that hour)",
            "share of calls (%)",
            Plot::Bands {
                series: bands,
                horizontal: None,
                discrete: true,
            },
        ));
        // Patience: Kaplan–Meier with its band, and the survival Nelson–Aalen's cumulative
        // hazard implies, against the fits.
        if let Some(p) = &c.fits.patience {
            let km = &p.kaplan_meier;
            let to = (p.informative_to_s * 1.5).max(10.0);
            // The estimate (0), the band's lower (1) and upper (2) end.
            let km_line = |end: usize| {
                step_line(
                    km.steps
                        .iter()
                        .map(|s| (s.time_s, [s.survival, s.lower_95, s.upper_95][end] * 100.0)),
                    to,
                )
            };
            let mut series = vec![
                Series {
                    name: format!("Kaplan-Meier ({} waits, {} hung up)", p.waits, p.abandons),
                    points: km_line(0),
                    dashed: false,
                    colour: 7,
                    step: None,
                },
                // Dashed over Kaplan–Meier's solid line, which shows through where they agree.
                Series {
                    name: NELSON_AALEN.into(),
                    points: step_line(
                        p.nelson_aalen
                            .steps
                            .iter()
                            .map(|s| (s.time_s, (-s.cumulative_hazard).exp() * 100.0)),
                        to,
                    ),
                    dashed: true,
                    colour: 3,
                    step: None,
                },
                Series {
                    name: "95% band (lower)".into(),
                    points: km_line(1),
                    dashed: true,
                    colour: 7,
                    step: None,
                },
                Series {
                    name: "95% band (upper)".into(),
                    points: km_line(2),
                    dashed: true,
                    colour: 7,
                    step: None,
                },
            ];
            for (i, cand) in p.candidates.iter().enumerate() {
                series.push(Series {
                    name: format!(
                        "{}{} (AIC {:.1})",
                        cand.family,
                        if cand.chosen { ", chosen" } else { "" },
                        cand.aic
                    ),
                    points: (0..=200)
                        .map(|k| {
                            let t = to * f64::from(k) / 200.0;
                            (t, cand.distribution.survival(t) * 100.0)
                        })
                        .collect(),
                    dashed: !cand.chosen,
                    colour: i,
                    step: None,
                });
            }
            let mut f = Figure::new(
                "patience",
                "Patience in the queue: callers still waiting (served callers censored)",
                "wait in the queue (s)",
                "still waiting (%)",
                Plot::Lines {
                    series,
                    markers: false,
                    highlight: Vec::new(),
                    horizontal: None,
                    vertical: vec![Guide {
                        at: p.informative_to_s,
                        label: "data end".into(),
                    }],
                },
            );
            f.view.x = Some((0.0, to));
            figures.push(f);
        }
        let f = &c.fits;
        if let Some(t) = &f.talk
            && !t.candidates.is_empty()
        {
            figures.push(cdf_figure(
                "talk",
                "Talk time: records against the fits",
                &m.talk_s,
                0.0,
                t,
            ));
        }
        if let Some(w) = &f.after_call_work
            && !w.candidates.is_empty()
        {
            figures.push(cdf_figure(
                "after-call-work",
                "After-call work: records against the fits",
                &m.acw_s,
                0.0,
                w,
            ));
        }
        if let Some((_, k)) = f.key_press.iter().find(|(c, _)| *c == rules::Choice::Agent)
            && !k.candidates.is_empty()
        {
            // The records' spans less the prompt (and detection) the fit was made on.
            let shifted: Vec<f64> = m
                .answer_to_queue_s
                .iter()
                .map(|x| (x - c.key_offset_s).max(0.0))
                .collect();
            figures.push(cdf_figure(
                "key-press",
                "Key press of 1 after the prompt: records against the fits",
                &shifted,
                0.0,
                k,
            ));
        }
        figures
    }

    /// The tables, first the records read.
    pub fn tables(&self) -> Vec<Table> {
        let c = self.calibration;
        let r = &c.read;
        let m = &c.measured;
        let mut read = vec![
            vec!["files".into(), r.files.to_string()],
            vec!["records read".into(), r.read.to_string()],
            vec![
                "repeated deliveries dropped".into(),
                r.duplicates.to_string(),
            ],
            vec!["contacts".into(), r.contacts.to_string()],
            vec!["records rejected".into(), r.rejected.to_string()],
        ];
        for (kind, n) in &self.records.rejected_by_kind {
            read.push(vec![
                format!("  rejected: {}", kind.describe()),
                n.to_string(),
            ]);
        }
        for (why, n) in &r.left_out {
            read.push(vec![
                format!("not the campaign's: {}", why.describe()),
                n.to_string(),
            ]);
        }
        read.push(vec!["not classified".into(), r.unclassified.to_string()]);
        read.push(vec![
            "contacts calibrated from".into(),
            m.contacts.to_string(),
        ]);
        let mut tables = vec![Table {
            id: "records".into(),
            title: "Records".into(),
            note: "Every record read is counted: a repeated delivery keeps its newest copy (by LastUpdateTimestamp); a rejected one is listed below with its file and line.".into(),
            header: vec!["".into(), "count".into()],
            rows: read,
            text_columns: 1,
            key_column: None,
        }];
        let mix_rows = |mix: &calibrate::mix::Mix<DialOutcome>| -> Vec<String> {
            mix.shares
                .iter()
                .map(|s| format!("{} [{}, {}]", pct(s.share), pct(s.ci95.0), pct(s.ci95.1)))
                .collect()
        };
        let mut header = vec!["local hour".to_string(), "calls".into()];
        header.extend(DialOutcome::ALL.iter().map(|o| format!("{} %", o.field())));
        let mut rows = vec![{
            let mut row = vec!["whole day".to_string(), m.outcome.total.to_string()];
            row.extend(mix_rows(&m.outcome));
            row
        }];
        for (h, mix) in &m.outcome_by_hour {
            let mut row = vec![format!("{h:02}:00–{:02}:00", h + 1), mix.total.to_string()];
            row.extend(mix_rows(mix));
            rows.push(row);
        }
        tables.push(Table {
            id: "outcomes".into(),
            title: "Dial outcomes by local hour".into(),
            note: format!(
                "Share of calls [95% Wilson interval], by the hour of the customers' local day ({}) the call was dialed in. The scenario takes the hours with at least {} calls; the others the whole day's mix.",
                c.clock(),
                calibrate::write::MIN_CALLS_PER_HOUR
            ),
            header,
            rows,
            text_columns: 1,
            key_column: None,
        });
        tables.push(Table {
            id: "choices".into(),
            title: "IVR choices of the people who answered".into(),
            note: "Share [95% Wilson interval] of the people who reached the IVR.".into(),
            header: vec!["choice".into(), "people".into(), "share %".into()],
            rows: m
                .choice
                .shares
                .iter()
                .map(|s| {
                    vec![
                        choice_field(s.key).to_string(),
                        s.count.to_string(),
                        format!("{} [{}, {}]", pct(s.share), pct(s.ci95.0), pct(s.ci95.1)),
                    ]
                })
                .collect(),
            text_columns: 1,
            key_column: None,
        });
        let mut fits = Vec::new();
        let f = &c.fits;
        let mut add = |field: &str, fitted: Option<&Fitted>| match fitted {
            None => fits.push(vec![
                field.to_string(),
                "—".into(),
                "too few records: the template's".into(),
                String::new(),
            ]),
            Some(x) if x.candidates.is_empty() => fits.push(vec![
                field.to_string(),
                x.n.to_string(),
                "empirical".into(),
                x.comment.join(" "),
            ]),
            Some(x) => {
                for cand in &x.candidates {
                    fits.push(vec![
                        field.to_string(),
                        x.n.to_string(),
                        format!(
                            "{}{}",
                            cand.family,
                            if cand.chosen { " (chosen)" } else { "" }
                        ),
                        format!(
                            "AIC {:.1}{}; {}",
                            cand.aic,
                            cand.ks_distance
                                .map(|d| format!(", KS {d:.3}"))
                                .unwrap_or_default(),
                            cand.parameters
                        ),
                    ]);
                }
                if x.fit.is_none() {
                    fits.push(vec![
                        field.to_string(),
                        x.n.to_string(),
                        "empirical (chosen)".into(),
                        x.comment.join(" "),
                    ]);
                }
            }
        };
        add("dial.answer_after", f.answer_after.as_ref());
        add("dial.busy_after", f.busy_after.as_ref());
        add("dial.failed_after", f.failed_after.as_ref());
        add("agents.talk", f.talk.as_ref());
        add("agents.after_call_work", f.after_call_work.as_ref());
        for (choice, k) in &f.key_press {
            add(&format!("ivr.{}.after", choice_field(*choice)), Some(k));
        }
        if let Some(p) = &f.patience {
            for cand in &p.candidates {
                fits.push(vec![
                    "queue.patience".into(),
                    p.waits.to_string(),
                    format!(
                        "{}{}",
                        cand.family,
                        if cand.chosen { " (chosen)" } else { "" }
                    ),
                    format!("AIC {:.1}; {}", cand.aic, cand.parameters),
                ]);
            }
        }
        tables.push(Table {
            id: "fits".into(),
            title: "Fitted distributions".into(),
            note: "Each field's sample size and every family tried: the lowest AIC is chosen unless its Kolmogorov-Smirnov distance exceeds 0.03, then the empirical distribution (docs/calibration.md). Intervals are 95%.".into(),
            header: vec!["field".into(), "n".into(), "family".into(), "fit".into()],
            rows: fits,
            text_columns: 4,
            key_column: None,
        });
        tables.push(Table {
            id: "rejected".into(),
            title: "Records rejected".into(),
            note: format!(
                "The first {} records that could not be used, with where and why (all {} are counted above).",
                self.records.rejected.len().min(200),
                r.rejected
            ),
            header: vec!["where".into(), "why".into()],
            rows: self
                .records
                .rejected
                .iter()
                .take(200)
                .map(|x| vec![self.records.place(x.file, x.line), x.reason.clone()])
                .collect(),
            text_columns: 2,
            key_column: None,
        });
        tables
    }

    fn about(&self) -> Vec<String> {
        let c = self.calibration;
        vec![
            format!(
                "{} contacts of the campaign from {} records in {} files; the scenario is {}.",
                c.measured.contacts, c.read.read, c.read.files, self.scenario
            ),
            "Each fitted field below shows the records against the fits; the scenario's comments carry the same numbers.".into(),
        ]
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from("# Calibration from contact records\n\n");
        for line in self.about() {
            let _ = writeln!(out, "{line}\n");
        }
        for t in self.tables() {
            out.push_str(&t.markdown());
        }
        out
    }

    pub fn html(&self, svgs: &[(Figure, String)]) -> String {
        let title = "Calibration from contact records";
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
        );
        for line in self.about() {
            let _ = writeln!(out, "<p class=\"about\">{}</p>", escape_html(&line));
        }
        out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
        for (f, svg) in svgs {
            let _ = write!(
                out,
                "<figure id=\"chart-{id}\" class=\"wide\">\n{}\n<figcaption>{} — also as \
                 <a href=\"{id}.png\">PNG</a> and <a href=\"{id}.svg\">SVG</a></figcaption>\n</figure>\n",
                inline_svg(svg),
                escape_html(&f.title),
                id = f.id
            );
        }
        out.push_str("</section>\n");
        for t in self.tables() {
            out.push_str(&t.html());
        }
        out.push_str("<footer>Made by dialsim calibrate. docs/calibration.md says how each number is measured and fitted.</footer>\n</body>\n</html>\n");
        out
    }
}

/// Writes the report folder: index.html, each chart as SVG and PNG, summary.md.
pub fn write_calibration_report(
    out_dir: &Path,
    report: &CalibrationReport,
) -> Result<Written, ReportError> {
    let mut folder = Folder::create(out_dir)?;
    let mut svgs = Vec::new();
    for f in report.figures() {
        let svg = folder.svg(&f)?;
        folder.png(&f)?;
        svgs.push((f, svg));
    }
    folder.text("index.html", &report.html(&svgs))?;
    folder.text("summary.md", &report.markdown())?;
    Ok(folder.finish())
}
