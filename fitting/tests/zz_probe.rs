use fitting::durations;
use fitting::survival::{self, Observation};
use fitting::{Family, Rounding};
use std::time::Instant;

fn next(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E3779B97F4A7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[test]
fn probe() {
    let mut s = 1u64;
    let mut worst = vec![];
    for case in 0..300 {
        let n = 1 + (next(&mut s) * 59.0) as usize;
        let xs: Vec<f64> = (0..n)
            .map(|_| {
                let u = next(&mut s);
                if u < 0.4 {
                    (next(&mut s) * 600.0).floor()
                } else if u < 0.8 {
                    next(&mut s) * 1000.0
                } else if u < 0.9 {
                    next(&mut s) * 1e7
                } else {
                    1e7
                }
            })
            .collect();
        let ev: Vec<bool> = (0..n).map(|_| next(&mut s) < 0.5).collect();
        let obs: Vec<Observation> = xs
            .iter()
            .zip(&ev)
            .map(|(&time_s, &event)| Observation { time_s, event })
            .collect();
        for family in Family::ALL {
            for rounding in [Rounding::Exact, Rounding::WholeSeconds] {
                let t = Instant::now();
                let r = durations::fit(&xs, family, rounding);
                let el = t.elapsed().as_secs_f64();
                worst.push((
                    el,
                    case,
                    "dur",
                    family,
                    rounding,
                    n,
                    r.map(|f| f.fit.iterations).map_err(|e| e.to_string()),
                ));
                let t = Instant::now();
                let r = survival::fit_censored(&obs, family, rounding);
                let el = t.elapsed().as_secs_f64();
                worst.push((
                    el,
                    case,
                    "cens",
                    family,
                    rounding,
                    n,
                    r.map(|f| f.iterations).map_err(|e| e.to_string()),
                ));
            }
        }
    }
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = worst.iter().map(|w| w.0).sum();
    println!("total {total}");
    for w in &worst[..12] {
        println!("{:?}", w);
    }
    let mut errs = std::collections::BTreeMap::new();
    for w in &worst {
        if let Err(e) = &w.6 {
            *errs
                .entry(format!(
                    "{} {:?} {:?}: {}",
                    w.2,
                    w.3,
                    w.4,
                    e.split(|c: char| c.is_ascii_digit()).next().unwrap()
                ))
                .or_insert(0) += 1;
        }
    }
    for (e, c) in errs {
        println!("{c:4} {e}");
    }
}
