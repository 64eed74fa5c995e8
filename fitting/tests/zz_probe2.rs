use fitting::durations;
use fitting::survival::{self, Observation};
use fitting::{Family, Rounding};
use std::time::Instant;

#[test]
fn probe2() {
    let cases: Vec<(&str, Vec<(f64, bool)>)> = vec![
        ("repeated 10 x100", vec![(10.0, true); 100]),
        (
            "repeated 10 events + censored 5",
            [vec![(10.0, true); 50], vec![(5.0, false); 50]].concat(),
        ),
        (
            "repeated 10 events + censored 20",
            [vec![(10.0, true); 50], vec![(20.0, false); 5]].concat(),
        ),
        ("all zeros", vec![(0.0, true); 30]),
        (
            "zeros and ones",
            [vec![(0.0, true); 30], vec![(1.0, true); 3]].concat(),
        ),
        ("all 1e7", vec![(1e7, true); 30]),
        (
            "1e7 and 1",
            [vec![(1e7, true); 30], vec![(1.0, true); 1]].concat(),
        ),
        (
            "1e7 and 1 censored",
            [
                vec![(1e7, false); 30],
                vec![(1.0, true); 2],
                vec![(2.0, true); 1],
            ]
            .concat(),
        ),
        ("two values", vec![(3.0, true), (4.0, true)]),
        ("two far values", vec![(1e-3, true), (1e7, true)]),
        (
            "events tiny",
            vec![(1e-9, true), (2e-9, true), (5e-9, true)],
        ),
        (
            "mostly censored late",
            [vec![(1e6, false); 1000], vec![(3.0, true), (7.0, true)]].concat(),
        ),
        (
            "events at 0 censored later",
            [vec![(0.0, true); 5], vec![(100.0, false); 50]].concat(),
        ),
        (
            "huge spread",
            (0..200)
                .map(|i| (10f64.powf(i as f64 / 200.0 * 7.0), true))
                .collect(),
        ),
    ];
    for (name, data) in cases {
        let obs: Vec<Observation> = data
            .iter()
            .map(|&(time_s, event)| Observation { time_s, event })
            .collect();
        let xs: Vec<f64> = data.iter().map(|d| d.0).collect();
        for family in Family::ALL {
            for rounding in [Rounding::Exact, Rounding::WholeSeconds] {
                let t = Instant::now();
                let r = survival::fit_censored(&obs, family, rounding);
                let e1 = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let d = durations::fit(&xs, family, rounding);
                let e2 = t.elapsed().as_secs_f64();
                println!(
                    "{name:35} {family:12} {rounding:?} cens {:.4}s {} | dur {:.4}s {}",
                    e1,
                    match r {
                        Ok(f) => format!("{:?} mean {:.4e}", f.distribution, f.mean_s.value),
                        Err(e) => format!("ERR {e}"),
                    },
                    e2,
                    match d {
                        Ok(f) => format!("{:?}", f.fit.distribution),
                        Err(e) => format!("ERR {e}"),
                    }
                );
            }
        }
    }
}
