//! Degenerate and extreme data: every case ends in a typed error or a finite fit, quickly.

use fitting::durations;
use fitting::survival::{self, Observation};
use fitting::{Family, FitError, Rounding};

const ROUNDINGS: [Rounding; 2] = [Rounding::Exact, Rounding::WholeSeconds];

fn obs(data: &[(f64, bool)]) -> Vec<Observation> {
    data.iter()
        .map(|&(time_s, event)| Observation { time_s, event })
        .collect()
}

fn repeat(time_s: f64, event: bool, n: usize) -> Vec<(f64, bool)> {
    vec![(time_s, event); n]
}

#[test]
fn no_observations() {
    assert_eq!(survival::kaplan_meier(&[]), Err(FitError::NoObservations));
    assert_eq!(
        survival::fit_censored(&[], Family::Weibull, Rounding::Exact),
        Err(FitError::NoObservations)
    );
    assert_eq!(
        durations::fit(&[], Family::Gamma, Rounding::Exact),
        Err(FitError::NoObservations)
    );
    assert_eq!(
        durations::empirical_quantiles(&[], 200),
        Err(FitError::NoObservations)
    );
}

#[test]
fn all_censored() {
    let waits = obs(&[(5.0, false), (12.0, false), (40.0, false)]);
    for family in Family::ALL {
        for rounding in ROUNDINGS {
            assert_eq!(
                survival::fit_censored(&waits, family, rounding),
                Err(FitError::NoEvents)
            );
        }
    }
    assert_eq!(
        survival::best_by_aic(&waits, &Family::ALL, Rounding::Exact),
        Err(FitError::NoEvents)
    );
    // Non-parametrically, nobody hung up: S = 1 throughout.
    let km = survival::kaplan_meier(&waits).unwrap();
    assert!(km.steps.is_empty() && km.survival_at(1e6) == 1.0);
    assert_eq!(km.censored_before_first_event, 3);
    assert_eq!(survival::last_informative_time(&waits, 1), Ok(None));
}

#[test]
fn one_value_repeated() {
    for rounding in ROUNDINGS {
        let waits = obs(&repeat(10.0, true, 100));
        let xs = vec![10.0; 100];
        let exponential = survival::fit_censored(&waits, Family::Exponential, rounding).unwrap();
        assert!(
            (exponential.mean_s.value - 10.0).abs() < 0.05,
            "{rounding:?}"
        );
        for family in [Family::Weibull, Family::LogNormal, Family::Gamma] {
            let expected = FitError::NoSpread {
                family,
                value: 10.0,
                count: 100,
            };
            assert_eq!(
                survival::fit_censored(&waits, family, rounding),
                Err(expected.clone())
            );
            assert_eq!(
                durations::fit(&xs, family, rounding).map(|f| f.fit),
                Err(expected)
            );
        }
    }
}

#[test]
fn repeated_events_with_censoring_before_and_after() {
    // Censored before the single event time: still no spread.
    let before = obs(&[repeat(10.0, true, 50), repeat(5.0, false, 50)].concat());
    assert!(matches!(
        survival::fit_censored(&before, Family::Weibull, Rounding::Exact),
        Err(FitError::NoSpread { .. })
    ));
    // Callers still waiting after it bound the spread from below: a proper fit.
    let after = obs(&[repeat(10.0, true, 50), repeat(20.0, false, 5)].concat());
    for family in Family::ALL {
        let fit = survival::fit_censored(&after, family, Rounding::Exact).unwrap();
        assert!(
            fit.mean_s.value > 10.0 && fit.mean_s.value < 12.5,
            "{family}: {fit:?}"
        );
    }
}

#[test]
fn zeros_need_the_whole_second_likelihood() {
    let xs = [3.0, 0.0, 5.0, 1.0, 0.0, 2.0, 7.0, 4.0];
    for family in Family::ALL {
        assert_eq!(
            durations::fit(&xs, family, Rounding::Exact).map(|f| f.fit),
            Err(FitError::ZeroDuration { index: 1 })
        );
        let fit = durations::fit(&xs, family, Rounding::WholeSeconds).unwrap();
        assert!(
            fit.fit.mean_s.value > 1.0 && fit.fit.mean_s.value < 6.0,
            "{family}"
        );
    }
    // A censored zero (served at once) is no problem: it says nothing about patience.
    let waits = obs(&[
        (0.0, false),
        (3.0, true),
        (8.0, true),
        (5.0, false),
        (12.0, true),
    ]);
    assert!(survival::fit_censored(&waits, Family::Weibull, Rounding::Exact).is_ok());
}

#[test]
fn values_all_within_one_rounding_interval() {
    // Whole-second zeros only: any distribution below half a second explains them equally well.
    let xs = vec![0.0; 30];
    for family in Family::ALL {
        let result = durations::fit(&xs, family, Rounding::WholeSeconds);
        assert!(
            matches!(
                result,
                Err(FitError::NoSpread { .. } | FitError::Degenerate { .. })
            ),
            "{family}: {result:?}"
        );
    }
}

#[test]
fn too_few_events_for_two_parameters() {
    let waits = obs(&[(30.0, true), (10.0, false), (50.0, false)]);
    assert!(survival::fit_censored(&waits, Family::Exponential, Rounding::Exact).is_ok());
    assert_eq!(
        survival::fit_censored(&waits, Family::LogNormal, Rounding::Exact),
        Err(FitError::TooFewObservations {
            what: "events to fit a two-parameter family",
            needed: 2,
            got: 1
        })
    );
}

#[test]
fn huge_values_up_to_ten_million_seconds() {
    // A spread of seven decades, up to 1e7 s.
    let xs: Vec<f64> = (0..200)
        .map(|i| 10f64.powf(f64::from(i) / 199.0 * 7.0))
        .collect();
    for rounding in ROUNDINGS {
        let ranking = durations::choose(&xs, &Family::ALL, rounding).unwrap();
        assert_eq!(ranking.ranked.len(), 4, "{:?}", ranking.failed);
        for fit in &ranking.ranked {
            assert!(fit.fit.mean_s.value.is_finite() && fit.fit.mean_s.upper_95.is_finite());
        }
    }
    // Ordinary waits with a few stuck at 1e7 s (a record never closed, say).
    let mut data: Vec<(f64, bool)> = (1..=100)
        .map(|i| (f64::from(i) * 1.7, i % 3 != 0))
        .collect();
    data.extend(repeat(1e7, true, 3));
    data.extend(repeat(1e7, false, 2));
    let waits = obs(&data);
    for family in Family::ALL {
        for rounding in ROUNDINGS {
            let fit = survival::fit_censored(&waits, family, rounding)
                .unwrap_or_else(|e| panic!("{family} {rounding:?}: {e}"));
            assert!(fit.log_likelihood.is_finite());
        }
    }
    // A sample whose scale is a million seconds.
    let big: Vec<f64> = (1..=200).map(|i| 1e6 * (f64::from(i) / 201.0)).collect();
    let fit = durations::fit(&big, Family::Weibull, Rounding::Exact).unwrap();
    assert!((fit.fit.mean_s.value - 5e5).abs() < 1e4);
}

#[test]
fn last_informative_time_is_the_last_event_with_enough_at_risk() {
    // Waits 1..=30 s; every third caller was served (censored), the others hung up.
    let waits: Vec<Observation> = (1..=30)
        .map(|i| Observation {
            time_s: f64::from(i),
            event: i % 3 != 0,
        })
        .collect();
    // At t, 31 − t callers are still waiting; the last event with ≥ 10 at risk is t = 20
    // (11 at risk; 21 is censored), with ≥ 2 it is t = 29.
    assert_eq!(survival::last_informative_time(&waits, 10), Ok(Some(20.0)));
    assert_eq!(survival::last_informative_time(&waits, 2), Ok(Some(29.0)));
    assert_eq!(survival::last_informative_time(&waits, 31), Ok(None));
}

#[test]
fn rankings_list_failures_and_keep_successes() {
    let xs = vec![10.0; 20];
    let ranking = durations::choose(&xs, &Family::ALL, Rounding::Exact).unwrap();
    assert_eq!(ranking.ranked.len(), 1);
    assert_eq!(ranking.best().fit.family(), Family::Exponential);
    assert_eq!(ranking.failed.len(), 3);
    assert_eq!(
        durations::choose(&xs, &[], Rounding::Exact).map(|r| r.ranked.len()),
        Err(FitError::InvalidArgument("no candidate family"))
    );
}
