//! Properties that hold for any valid input: shapes of the non-parametric estimates, and fits
//! that either succeed with finite, ordered results or return an error (never panic or hang).

use fitting::durations;
use fitting::survival::{self, Observation};
use fitting::{Family, FitError, ParametricFit, Rounding};
use proptest::prelude::*;

/// Durations as they occur: whole seconds (with ties and zeros), fractional seconds, the
/// occasional huge value, and (to look for overflow) any non-negative double at all.
fn duration() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0u32..600).prop_map(f64::from),
        4 => 0.0..1_000.0_f64,
        1 => 0.0..1e7_f64,
        1 => Just(1e7),
        2 => prop::num::f64::POSITIVE | prop::num::f64::ZERO,
        1 => prop::num::f64::SUBNORMAL,
    ]
}

fn observations(max_len: usize) -> impl Strategy<Value = Vec<Observation>> {
    prop::collection::vec(
        (duration(), any::<bool>()).prop_map(|(time_s, event)| Observation { time_s, event }),
        1..max_len,
    )
}

fn family() -> impl Strategy<Value = Family> {
    prop::sample::select(Family::ALL.to_vec())
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![Just(Rounding::Exact), Just(Rounding::WholeSeconds)]
}

fn assert_sound(fit: &ParametricFit) {
    let estimates = fit
        .parameters
        .iter()
        .map(|p| p.estimate)
        .chain([fit.mean_s, fit.sd_s]);
    for e in estimates {
        assert!(
            e.value.is_finite() && e.std_error.is_finite() && e.std_error >= 0.0,
            "{fit:?}"
        );
        assert!(e.lower_95 <= e.value && e.value <= e.upper_95, "{e:?}");
    }
    assert!(fit.log_likelihood.is_finite() && fit.aic.is_finite());
    let k = fit.parameters.len() as f64;
    assert!((fit.aic - (2.0 * k - 2.0 * fit.log_likelihood)).abs() < 1e-9 * (1.0 + fit.aic.abs()));
    assert!(fit.covariance.iter().flatten().all(|c| c.is_finite()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn kaplan_meier_is_a_non_increasing_survival_curve(obs in observations(80)) {
        let km = survival::kaplan_meier(&obs).unwrap();
        let mut previous = 1.0;
        for step in &km.steps {
            prop_assert!((0.0..=1.0).contains(&step.survival));
            prop_assert!(step.survival <= previous);
            prop_assert!(step.lower_95 <= step.survival + 1e-12 && step.survival <= step.upper_95 + 1e-12);
            prop_assert!(step.lower_95 >= 0.0 && step.upper_95 <= 1.0);
            previous = step.survival;
        }
        // The risk set shrinks by exactly the events and censorings recorded.
        let mut at_risk = km.n_observations - km.censored_before_first_event;
        for step in &km.steps {
            prop_assert_eq!(step.at_risk, at_risk);
            at_risk -= step.events + step.censored;
        }
        prop_assert_eq!(at_risk, 0);
    }

    #[test]
    fn without_censoring_kaplan_meier_is_one_minus_the_empirical_cdf(
        times in prop::collection::vec(duration(), 1..80),
        probes in prop::collection::vec(0.0..1_000.0_f64, 1..20),
    ) {
        let obs: Vec<Observation> = times.iter().map(|&time_s| Observation { time_s, event: true }).collect();
        let km = survival::kaplan_meier(&obs).unwrap();
        let n = times.len() as f64;
        for t in probes.iter().copied().chain(times.iter().copied()) {
            let ecdf = times.iter().filter(|&&x| x <= t).count() as f64 / n;
            prop_assert!((km.survival_at(t) - (1.0 - ecdf)).abs() < 1e-12, "t = {}", t);
        }
    }

    #[test]
    fn nelson_aalen_is_non_negative_and_non_decreasing(obs in observations(80)) {
        let na = survival::nelson_aalen(&obs).unwrap();
        let mut previous = 0.0;
        for step in &na.steps {
            prop_assert!(step.cumulative_hazard > 0.0 && step.cumulative_hazard >= previous);
            prop_assert!(step.variance >= 0.0);
            prop_assert!(step.lower_95 <= step.cumulative_hazard && step.cumulative_hazard <= step.upper_95);
            previous = step.cumulative_hazard;
        }
        prop_assert_eq!(na.cumulative_hazard_at(-1.0), 0.0);
    }

    #[test]
    fn censored_fits_are_finite_or_an_error(obs in observations(60), family in family(), rounding in rounding()) {
        match survival::fit_censored(&obs, family, rounding) {
            Ok(fit) => {
                assert_sound(&fit);
                prop_assert_eq!(fit.n_observations, obs.len());
                prop_assert_eq!(fit.n_events, obs.iter().filter(|o| o.event).count());
            }
            Err(FitError::NoEvents) => prop_assert!(obs.iter().all(|o| !o.event)),
            Err(FitError::ZeroDuration { index }) => {
                prop_assert_eq!(rounding, Rounding::Exact);
                prop_assert!(obs[index].event && obs[index].time_s == 0.0);
            }
            Err(_) => {}
        }
    }

    #[test]
    fn duration_fits_are_finite_or_an_error(xs in prop::collection::vec(duration(), 1..60), rounding in rounding()) {
        if let Ok(ranking) = durations::choose(&xs, &Family::ALL, rounding) {
            let aics: Vec<f64> = ranking.ranked.iter().map(|f| f.fit.aic).collect();
            prop_assert!(aics.windows(2).all(|w| w[0] <= w[1]));
            prop_assert_eq!(ranking.ranked.len() + ranking.failed.len(), Family::ALL.len());
            for fit in &ranking.ranked {
                assert_sound(&fit.fit);
                prop_assert!((0.0..=1.0).contains(&fit.ks.statistic));
                prop_assert!((0.0..=1.0).contains(&fit.ks.p_value_asymptotic));
            }
        }
    }

    #[test]
    fn invalid_values_are_reported_by_index(
        mut xs in prop::collection::vec(0.0..100.0_f64, 1..30),
        bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(f64::NEG_INFINITY)],
        position in any::<prop::sample::Index>(),
    ) {
        let index = position.index(xs.len());
        xs[index] = bad;
        let obs: Vec<Observation> = xs.iter().map(|&time_s| Observation { time_s, event: true }).collect();
        let is_reported = |e: FitError| matches!(e, FitError::InvalidValue { index: i, .. } if i == index);
        prop_assert!(is_reported(survival::kaplan_meier(&obs).unwrap_err()));
        prop_assert!(is_reported(survival::fit_censored(&obs, Family::Weibull, Rounding::Exact).unwrap_err()));
        prop_assert!(is_reported(durations::fit(&xs, Family::Gamma, Rounding::WholeSeconds).unwrap_err()));
        prop_assert!(is_reported(durations::empirical_quantiles(&xs, 10).unwrap_err()));
    }

    #[test]
    fn empirical_quantiles_are_sorted_bounded_and_few(xs in prop::collection::vec(duration(), 1..500), max_points in 1usize..250) {
        let q = durations::empirical_quantiles(&xs, max_points).unwrap();
        prop_assert_eq!(q.len(), xs.len().min(max_points));
        prop_assert!(q.windows(2).all(|w| w[0] <= w[1]));
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert!(q.iter().all(|&v| min <= v && v <= max));
    }
}
