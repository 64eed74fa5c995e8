//! Every chart rendered from a small real simulation: PNGs decode at the requested size with
//! text drawn, SVGs carry the title, the axis labels, every legend entry and a line per series.

use reports::chart::{Plot, SIZE, render_png, render_svg};
use reports::figures::{self, Options};
use std::path::{Path, PathBuf};

fn scenario(name: &str) -> lab::Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name);
    let (_, mut model) = lab::load::load(&path).expect("bundled scenario");
    model.replications = 3;
    model
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("charts");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn check(figure: &reports::chart::Figure) {
    let svg = render_svg(figure, SIZE).expect("renders as SVG");
    for text in [&figure.title, &figure.x_label, &figure.y_label] {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\'', "&apos;");
        assert!(svg.contains(&escaped), "{}: SVG lacks {text:?}", figure.id);
    }
    for name in figure.legend() {
        for word in name.split_whitespace() {
            assert!(svg.contains(word), "{}: legend lacks {name:?}", figure.id);
        }
    }
    reports::chart::legend_clear_of_data(&svg, figure.legend().len())
        .unwrap_or_else(|e| panic!("{}: {e}", figure.id));
    if let Plot::Lines { series, .. } = &figure.plot {
        let drawn = series.iter().filter(|s| s.points.len() > 1).count();
        let lines = svg.matches("<polyline").count() + svg.matches("<path").count();
        assert!(
            lines >= drawn,
            "{}: {lines} lines for {drawn} series",
            figure.id
        );
        assert!(drawn > 0, "{}: nothing to draw", figure.id);
    }
    let png = out_dir().join(format!("{}.png", figure.id));
    render_png(figure, SIZE, &png).expect("renders as PNG");
    let img = image::open(&png).expect("the PNG decodes").to_rgb8();
    assert_eq!(img.dimensions(), SIZE, "{}", figure.id);
    let dark = img.pixels().filter(|p| p.0.iter().all(|&c| c < 90)).count();
    assert!(
        dark > 500,
        "{}: hardly any text or axes ({dark} dark pixels)",
        figure.id
    );
}

#[test]
fn every_results_chart_renders() {
    let results = lab::run::run_all(&scenario("seed-sample.ron"), &|| {});
    let all = figures::all(&results, &Options::default());
    assert_eq!(all.len(), 11);
    for figure in &all {
        check(figure);
    }
}

#[test]
fn the_frontier_chart_renders() {
    let model = scenario("frontier-quick.ron");
    let target = lab::frontier::Target {
        abandon: 0.03,
        definition: rules::words::AbandonDefinition::Regulatory,
        risk: None,
        early_looks: true,
    };
    let f = lab::frontier::frontier(&model, target, &|| {}).expect("valid target");
    check(&figures::frontier(&f));
}

/// Charts over time keep the whole campaign and mark where a measurement window opens and
/// closes; an edge after the last interval is left out rather than stretching the axis.
#[test]
fn charts_over_time_mark_the_measurement_window() {
    let mut results = lab::run::run_all(&scenario("seed-sample.ron"), &|| {});
    let over_time = [
        "abandon-rate",
        "occupancy",
        "agents-available",
        "dials",
        "dial-level",
        "queue-length",
        "late-connections",
    ];
    let drawn = std::cell::Cell::new(0);
    let svg = |results: &lab::Results, id: &str| {
        let all = figures::all(results, &Options::default());
        let mut figure = all.into_iter().find(|f| f.id == id).expect("a chart");
        // A file name of its own: the other tests write the same charts at the same time.
        drawn.set(drawn.get() + 1);
        figure.id = format!("window-{}-{id}", drawn.get());
        check(&figure);
        render_svg(&figure, SIZE).expect("renders")
    };
    for id in over_time.iter().chain(&["wait-cdf"]) {
        assert!(!svg(&results, id).contains("measured"), "{id}");
    }
    results.measure = Some(lab::summary::Window {
        from_h: 0.25,
        to_h: Some(0.5),
    });
    for id in over_time {
        let text = svg(&results, id);
        for edge in ["measured from 0.25 h", "measured to 0.5 h"] {
            assert!(text.contains(edge), "{id} lacks {edge:?}");
        }
    }
    assert!(!svg(&results, "wait-cdf").contains("measured"));
    results.measure = Some(lab::summary::Window {
        from_h: 0.25,
        to_h: Some(600.0),
    });
    let text = svg(&results, "occupancy");
    assert!(text.contains("measured from 0.25 h") && !text.contains("measured to"));
}

#[test]
fn the_diff_chart_renders() {
    let a = lab::run::run_all(&scenario("small-team.ron"), &|| {});
    let mut more = scenario("small-team.ron");
    more.seed += 1;
    let b = lab::run::run_all(&more, &|| {});
    let report = reports::diff::DiffReport {
        a,
        b,
        a_name: "a.json".into(),
        b_name: "b.json".into(),
    };
    check(&report.figure());
}

/// The bundled contact records, and the calibration made from them.
fn bundled_calibration() -> (calibrate::records::Records, calibrate::Calibration) {
    let records = calibrate::records::read(
        &[Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/records/synthetic-contact-records.jsonl.gz")],
        &calibrate::Options::default().attributes(),
    )
    .expect("the bundled records");
    let options = calibrate::Options {
        zone: "Etc/GMT+5".parse().expect("a zone"),
        ..calibrate::Options::default()
    };
    let c = calibrate::calibrate(&records, &options);
    (records, c)
}

#[test]
fn every_calibration_chart_renders() {
    let (records, c) = bundled_calibration();
    let report = reports::calibration::CalibrationReport {
        calibration: &c,
        records: &records,
        scenario: "calibrated.ron".into(),
    };
    let figures = report.figures();
    let ids: Vec<&str> = figures.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["hours", "patience", "talk", "after-call-work", "key-press"]
    );
    for f in &figures {
        check(f);
    }
}

/// The patience chart draws both non-parametric estimates: Kaplan–Meier with its band, and the
/// survival the Nelson–Aalen cumulative hazard implies, exp(−H), as a step line of its own.
/// The two are computed differently (a product of 1 − d/n, the exponential of a sum of d/n), so
/// exp(−H) lying within Kaplan–Meier's 95% band, at or above it (exp(−x) ≥ 1 − x) and close to it
/// while 50 or more callers were still waiting checks one against the other, on the bundled
/// records' 2,592 waits (over a hundred of them past the first second, some 70 hang-ups).
#[test]
fn the_patience_chart_draws_nelson_aalen_within_the_kaplan_meier_band() {
    use reports::calibration::NELSON_AALEN;
    let (records, c) = bundled_calibration();
    let report = reports::calibration::CalibrationReport {
        calibration: &c,
        records: &records,
        scenario: "calibrated.ron".into(),
    };
    let figure = report
        .figures()
        .into_iter()
        .find(|f| f.id == "patience")
        .expect("a patience chart");
    assert!(
        figure.legend().iter().any(|n| n == NELSON_AALEN),
        "the legend lacks {NELSON_AALEN:?}: {:?}",
        figure.legend()
    );
    let Plot::Lines { series, .. } = &figure.plot else {
        panic!("the patience chart is a line chart")
    };
    let line = |name: &str| {
        series
            .iter()
            .find(|s| s.name.starts_with(name))
            .unwrap_or_else(|| {
                let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
                panic!("no {name:?} line among {names:?}")
            })
    };
    let (km, na) = (line("Kaplan-Meier"), line(NELSON_AALEN));
    let (low, high) = (line("95% band (lower)"), line("95% band (upper)"));
    assert!(
        (na.colour, na.dashed) != (km.colour, km.dashed),
        "Nelson–Aalen is drawn as Kaplan–Meier is"
    );
    let drops = na
        .points
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[1].1 < w[0].1)
        .count();
    assert!(
        drops > 20,
        "Nelson–Aalen drops only {drops} times: not a step line"
    );
    // A line's value at t: its last point at or before t (after the drop at a step's time).
    let at = |s: &reports::chart::Series, t: f64| {
        s.points
            .iter()
            .rev()
            .find(|q| q.0 <= t)
            .expect("every line starts at 0 s")
            .1
    };
    let p = c
        .fits
        .patience
        .as_ref()
        .expect("the bundled records fit patience");
    assert!(p.waits > 1000, "{} waits: not a large sample", p.waits);
    let mut checked = 0;
    let mut largest_gap: f64 = 0.0;
    for step in p
        .nelson_aalen
        .steps
        .iter()
        .take_while(|s| s.time_s <= p.informative_to_s)
    {
        let t = step.time_s;
        let s = at(na, t);
        let expected = (-step.cumulative_hazard).exp() * 100.0;
        assert!(
            (s - expected).abs() < 1e-9,
            "at {t} s the line is at {s}%, exp(−H) is {expected}%"
        );
        let (k, lo, hi) = (at(km, t), at(low, t), at(high, t));
        assert!(
            lo <= s && s <= hi,
            "at {t} s exp(−H) = {s:.3}% is outside Kaplan–Meier's band [{lo:.3}, {hi:.3}]%"
        );
        assert!(
            s >= k - 1e-9,
            "at {t} s exp(−H) = {s}% is below Kaplan–Meier's {k}%"
        );
        if step.at_risk >= 50 {
            largest_gap = largest_gap.max(s - k);
        }
        checked += 1;
    }
    assert!(checked > 20, "only {checked} steps before the data end");
    assert!(
        largest_gap > 0.0 && largest_gap < 1.0,
        "exp(−H) is {largest_gap:.3} points above Kaplan–Meier with 50 or more still waiting"
    );
}
