#!/usr/bin/env python3
"""Reference results for the `fitting` crate, computed with lifelines and scipy.

The Rust test `fitting/tests/reference.rs` reads the JSON files this script writes and checks
that the crate's estimators agree with these independent implementations. The Rust test needs
no Python: the JSON files are committed. Re-run this script only to regenerate them, e.g. after
adding a data set or to check against newer library versions:

    python3 -m pip install lifelines          # brings scipy, numpy and pandas
    python3 fitting/tests/reference/make_golden.py

(run from the workspace root; it writes next to itself). The files committed were written with
lifelines 0.30.3, scipy 1.17.1, numpy 2.4.6, pandas 2.3.3 on Python 3.11; every file records the
versions that wrote it under "generator".

What is computed, per data set:
  * censored samples (patience): KaplanMeierFitter, NelsonAalenFitter (defaults: exponential
    Greenwood band, tie-smoothed Nelson-Aalen), ExponentialFitter, WeibullFitter and
    LogNormalFitter by right-censored maximum likelihood; and, for samples rounded to whole
    seconds, the same three fitters through `fit_interval_censoring`, with an abandonment at v
    as the interval [max(v - 0.5, 0), v + 0.5] and a served caller at v as censored at v.
  * fully observed samples (talk time, after-call work): scipy's lognorm.fit and gamma.fit with
    floc=0 (closed-form / root-finding MLE), lifelines' WeibullFitter, the exponential MLE, and
    kstest with method="asymp" against each fitted distribution; for whole-second samples,
    scipy's fit on CensoredData.interval_censored with a tightly converged optimiser.
  * special.json: scipy's log_ndtr, gammainc, gammaincc and kstwobign.sf at chosen points.

Standard errors of the distribution's mean and standard deviation are obtained here by the delta
method with a central-difference gradient and lifelines' variance_matrix_, independently of the
crate's automatic differentiation.
"""

import json
import math
import pathlib
import platform
import warnings

import lifelines
import numpy as np
import pandas
import scipy
from lifelines import (
    ExponentialFitter,
    KaplanMeierFitter,
    LogNormalFitter,
    NelsonAalenFitter,
    WeibullFitter,
)
from scipy import optimize, special, stats

HERE = pathlib.Path(__file__).resolve().parent

GENERATOR = {
    "script": "fitting/tests/reference/make_golden.py",
    "lifelines": lifelines.__version__,
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "pandas": pandas.__version__,
    "python": platform.python_version(),
}


def floats(values):
    return [float(v) for v in values]


# ---------------------------------------------------------------------------------------------
# Distribution moments as functions of lifelines' parameter vectors (for the delta method).


def weibull_moments(lam, rho):
    g1 = math.gamma(1 + 1 / rho)
    g2 = math.gamma(1 + 2 / rho)
    return lam * g1, lam * math.sqrt(g2 - g1 * g1)


def lognormal_moments(mu, sigma):
    mean = math.exp(mu + sigma * sigma / 2)
    return mean, mean * math.sqrt(math.expm1(sigma * sigma))


def exponential_moments(lam):
    return lam, lam


def delta_se(function, params, covariance):
    """Standard errors of each output of `function` by the delta method (central differences)."""
    params = np.asarray(params, dtype=float)
    outputs = np.asarray(function(*params))
    jac = np.zeros((len(outputs), len(params)))
    for j in range(len(params)):
        h = 1e-6 * max(abs(params[j]), 1e-3)
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (np.asarray(function(*up)) - np.asarray(function(*down))) / (2 * h)
    cov = jac @ np.asarray(covariance) @ jac.T
    return [float(math.sqrt(cov[i, i])) for i in range(len(outputs))]


# ---------------------------------------------------------------------------------------------
# lifelines fits


def parametric_summary(fitter, names, moments):
    values = [float(getattr(fitter, name)) for name in names]
    cov = fitter.variance_matrix_.loc[names, names].to_numpy()
    mean, sd = moments(*values)
    mean_se, sd_se = delta_se(moments, values, cov)
    return {
        "params": dict(zip(names, values)),
        "std_errors": {name: float(math.sqrt(cov[i, i])) for i, name in enumerate(names)},
        "variance_matrix": [floats(row) for row in cov],
        "log_likelihood": float(fitter.log_likelihood_),
        "aic": float(fitter.AIC_),
        "mean_s": float(mean),
        "mean_s_std_error": mean_se,
        "sd_s": float(sd),
        "sd_s_std_error": sd_se,
    }


# Exactly converged optima: the default tolerances already agree to about 1e-7, tightening them
# keeps the reference free of optimiser noise.
TIGHT_LBFGS = {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000}

FITTERS = [
    ("exponential", ExponentialFitter, ["lambda_"], exponential_moments),
    ("weibull", WeibullFitter, ["lambda_", "rho_"], weibull_moments),
    ("lognormal", LogNormalFitter, ["mu_", "sigma_"], lognormal_moments),
]


def right_censored_fits(time_s, event):
    out = {}
    for key, cls, names, moments in FITTERS:
        fitter = cls().fit(time_s, event, fit_options=TIGHT_LBFGS)
        out[key] = parametric_summary(fitter, names, moments)
    return out


def whole_second_fits(time_s, event):
    """Whole-second rounding as interval censoring (the crate's Rounding::WholeSeconds)."""
    time_s = np.asarray(time_s, dtype=float)
    event = np.asarray(event, dtype=bool)
    lower = np.where(event, np.maximum(time_s - 0.5, 0.0), time_s)
    upper = np.where(event, time_s + 0.5, np.inf)
    out = {}
    for key, cls, names, moments in FITTERS:
        # lifelines reads lower == upper as an exact event; here none is exact, every row is an
        # interval or right-censored, which `event_observed=False` says explicitly.
        fitter = cls().fit_interval_censoring(
            lower, upper, event_observed=np.zeros(len(time_s), dtype=bool), fit_options=TIGHT_LBFGS
        )
        out[key] = parametric_summary(fitter, names, moments)
    return out


def event_times(time_s, event):
    return np.unique(np.asarray(time_s, dtype=float)[np.asarray(event, dtype=bool)])


def censored_gamma(time_s, event, rounded):
    """Gamma has no lifelines fitter: scipy's fit on CensoredData, tightly converged."""
    time_s = np.asarray(time_s, dtype=float)
    event = np.asarray(event, dtype=bool)
    served = time_s[~event]
    if rounded:
        v = time_s[event]
        low, high = np.maximum(v - 0.5, 0.0), v + 0.5
        data = stats.CensoredData(right=served, interval=np.column_stack([low, high]))
    else:
        data = stats.CensoredData(uncensored=time_s[event], right=served)
    shape, _, scale = stats.gamma.fit(data, floc=0, optimizer=tight_optimizer)
    dist = stats.gamma(shape, 0, scale)
    if rounded:
        ll = np.log(dist.cdf(high) - dist.cdf(low)).sum()
    else:
        ll = dist.logpdf(time_s[event]).sum()
    ll = float(ll + dist.logsf(served).sum())
    return {
        "params": {"shape": float(shape), "scale_s": float(scale)},
        "log_likelihood": ll,
        "aic": 4 - 2 * ll,
        "mean_s": float(dist.mean()),
        "sd_s": float(dist.std()),
    }


def kaplan_meier(time_s, event):
    kmf = KaplanMeierFitter().fit(time_s, event)
    # Only the steps (distinct event times) are stored: between them lifelines' values are flat.
    steps = event_times(time_s, event)
    survival = kmf.survival_function_.iloc[:, 0].loc[steps].to_numpy()
    band = kmf.confidence_interval_.loc[steps]
    lower = band.iloc[:, 0].to_numpy()
    upper = band.iloc[:, 1].to_numpy()
    greenwood = survival**2 * kmf._cumulative_sq_.loc[steps].to_numpy()
    table = kmf.event_table
    timeline = steps
    return {
        "time_s": floats(timeline),
        "survival": floats(survival),
        "lower_95": floats(lower),
        "upper_95": floats(upper),
        "greenwood_variance": floats(greenwood),
        "at_risk": [int(v) for v in table["at_risk"].reindex(timeline).to_numpy()],
        "median_s": float(kmf.median_survival_time_),
    }


def nelson_aalen(time_s, event):
    naf = NelsonAalenFitter().fit(time_s, event)
    timeline = event_times(time_s, event)
    band = naf.confidence_interval_.loc[timeline]
    return {
        "time_s": floats(timeline),
        "cumulative_hazard": floats(naf.cumulative_hazard_.iloc[:, 0].loc[timeline].to_numpy()),
        "variance": floats(naf._cumulative_sq.loc[timeline].to_numpy()),
        "lower_95": floats(band.iloc[:, 0].to_numpy()),
        "upper_95": floats(band.iloc[:, 1].to_numpy()),
    }


def censored_dataset(name, description, seed, time_s, event, rounded):
    time_s = np.asarray(time_s, dtype=float)
    event = np.asarray(event, dtype=bool)
    doc = {
        "generator": {**GENERATOR, "seed": seed},
        "description": description,
        "data": {"time_s": floats(time_s), "event": [bool(e) for e in event]},
        "kaplan_meier": kaplan_meier(time_s, event),
        "nelson_aalen": nelson_aalen(time_s, event),
    }
    if (time_s > 0).all():
        doc["parametric_exact"] = right_censored_fits(time_s, event)
        doc["parametric_exact"]["gamma"] = censored_gamma(time_s, event, rounded=False)
    if rounded:
        doc["parametric_whole_seconds"] = whole_second_fits(time_s, event)
        doc["parametric_whole_seconds"]["gamma"] = censored_gamma(time_s, event, rounded=True)
    write(name, doc)
    print(f"{name}: n={len(time_s)} events={int(event.sum())} censored={int((~event).sum())}")


# ---------------------------------------------------------------------------------------------
# Fully observed durations


def ks_asymptotic(x, cdf):
    result = stats.kstest(x, cdf, method="asymp")
    return float(result.statistic), float(result.pvalue)


def exact_duration_fits(x):
    x = np.asarray(x, dtype=float)
    out = {}

    sigma, _, scale = stats.lognorm.fit(x, floc=0)
    dist = stats.lognorm(sigma, 0, scale)
    d, p = ks_asymptotic(x, dist.cdf)
    mu = math.log(scale)
    out["lognormal"] = {
        "params": {"mu": float(mu), "sigma": float(sigma)},
        "log_likelihood": float(dist.logpdf(x).sum()),
        "ks_d": d,
        "ks_p_asymptotic": p,
        "mean_s": float(dist.mean()),
        "sd_s": float(dist.std()),
    }

    shape, _, scale = stats.gamma.fit(x, floc=0)
    dist = stats.gamma(shape, 0, scale)
    d, p = ks_asymptotic(x, dist.cdf)
    out["gamma"] = {
        "params": {"shape": float(shape), "scale_s": float(scale)},
        "log_likelihood": float(dist.logpdf(x).sum()),
        "ks_d": d,
        "ks_p_asymptotic": p,
        "mean_s": float(dist.mean()),
        "sd_s": float(dist.std()),
    }

    mean = float(x.mean())
    dist = stats.expon(0, mean)
    d, p = ks_asymptotic(x, dist.cdf)
    out["exponential"] = {
        "params": {"mean_s": mean},
        "log_likelihood": float(dist.logpdf(x).sum()),
        "ks_d": d,
        "ks_p_asymptotic": p,
        "mean_s": mean,
        "sd_s": mean,
    }

    wf = WeibullFitter().fit(x, np.ones(len(x), dtype=bool), fit_options=TIGHT_LBFGS)
    dist = stats.weibull_min(wf.rho_, 0, wf.lambda_)
    d, p = ks_asymptotic(x, dist.cdf)
    out["weibull"] = {
        "params": {"shape": float(wf.rho_), "scale_s": float(wf.lambda_)},
        "log_likelihood": float(wf.log_likelihood_),
        "ks_d": d,
        "ks_p_asymptotic": p,
        "mean_s": float(dist.mean()),
        "sd_s": float(dist.std()),
    }
    for key in out:
        k = len(out[key]["params"])
        out[key]["aic"] = 2 * k - 2 * out[key]["log_likelihood"]
    return out


def tight_optimizer(func, x0, args=(), disp=0):
    result = optimize.minimize(
        func,
        x0,
        args=args,
        method="Nelder-Mead",
        options={"xatol": 1e-13, "fatol": 1e-13, "maxiter": 40000, "maxfev": 80000},
    )
    return result.x


def discrete_ks(x, cdf):
    """KS distance between whole-second values and a continuous law rounded to whole seconds.

    The rounded variable's CDF at an observed value v is F(v + 0.5); just below v it is
    F(v - 0.5). D is the largest gap between the empirical step function and that step function
    at the observed values. (No library offers this; these few lines are the reference.)"""
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    values, counts = np.unique(x, return_counts=True)
    cum = np.cumsum(counts) / n
    before = np.concatenate([[0.0], cum[:-1]])
    upper = np.array([cdf(v + 0.5) for v in values])
    lower = np.array([cdf(max(v - 0.5, 0.0)) for v in values])
    d = max(np.max(np.abs(cum - upper)), np.max(np.abs(before - lower)))
    return float(d), float(stats.kstwobign.sf(d * math.sqrt(n)))


def whole_second_duration_fits(x):
    x = np.asarray(x, dtype=float)
    low = np.maximum(x - 0.5, 0.0)
    high = x + 0.5
    data = stats.CensoredData.interval_censored(low, high)

    def interval_ll(dist):
        return float(np.log(dist.cdf(high) - dist.cdf(low)).sum())

    out = {}
    shape, _, scale = stats.gamma.fit(data, floc=0, optimizer=tight_optimizer)
    dist = stats.gamma(shape, 0, scale)
    d, p = discrete_ks(x, dist.cdf)
    out["gamma"] = {
        "params": {"shape": float(shape), "scale_s": float(scale)},
        "log_likelihood": interval_ll(dist),
        "ks_d": d,
        "ks_p_asymptotic": p,
    }
    sigma, _, scale = stats.lognorm.fit(data, floc=0, optimizer=tight_optimizer)
    dist = stats.lognorm(sigma, 0, scale)
    d, p = discrete_ks(x, dist.cdf)
    out["lognormal"] = {
        "params": {"mu": float(math.log(scale)), "sigma": float(sigma)},
        "log_likelihood": interval_ll(dist),
        "ks_d": d,
        "ks_p_asymptotic": p,
    }
    shape, _, scale = stats.weibull_min.fit(data, floc=0, optimizer=tight_optimizer)
    dist = stats.weibull_min(shape, 0, scale)
    d, p = discrete_ks(x, dist.cdf)
    out["weibull"] = {
        "params": {"shape": float(shape), "scale_s": float(scale)},
        "log_likelihood": interval_ll(dist),
        "ks_d": d,
        "ks_p_asymptotic": p,
    }
    _, scale = stats.expon.fit(data, floc=0, optimizer=tight_optimizer)
    dist = stats.expon(0, scale)
    d, p = discrete_ks(x, dist.cdf)
    out["exponential"] = {
        "params": {"mean_s": float(scale)},
        "log_likelihood": interval_ll(dist),
        "ks_d": d,
        "ks_p_asymptotic": p,
    }
    for key in out:
        k = len(out[key]["params"])
        out[key]["aic"] = 2 * k - 2 * out[key]["log_likelihood"]
    return out


def duration_dataset(name, description, seed, x, rounded):
    x = np.asarray(x, dtype=float)
    doc = {
        "generator": {**GENERATOR, "seed": seed},
        "description": description,
        "data": {"x_s": floats(x)},
    }
    if rounded:
        doc["whole_seconds"] = whole_second_duration_fits(x)
    else:
        doc["exact"] = exact_duration_fits(x)
    write(name, doc)
    print(f"{name}: n={len(x)} min={x.min()} max={x.max()}")


# ---------------------------------------------------------------------------------------------


def special_values():
    ws = [-40.0, -20.0, -8.0, -3.0, -1.0, -0.1, 0.0, 0.5, 1.0, 3.0, 8.0, 20.0, 35.0, 37.0, 40.0, 100.0, 1e4]
    gamma_points = [
        (0.05, 1e-3), (0.05, 2.0), (0.5, 0.5), (0.5, 30.0), (1.0, 1.0), (2.5, 0.3), (2.5, 2.5),
        (2.5, 4.0), (2.5, 40.0), (10.0, 3.0), (10.0, 11.0), (10.0, 30.0), (150.0, 140.0),
        (150.0, 170.0), (1000.0, 950.0), (1000.0, 1100.0),
    ]
    ks_points = [0.2, 0.4, 0.6, 0.8, 1.0, 1.1, 1.2, 1.4, 1.8, 2.5, 4.0]
    return {
        "generator": GENERATOR,
        "description": "scipy's special functions at chosen points",
        "log_ndtr": [[w, float(special.log_ndtr(w))] for w in ws],
        "gammainc": [[a, x, float(special.gammainc(a, x)), float(special.gammaincc(a, x))] for a, x in gamma_points],
        "log_gammainc": [
            [a, x, float(np.log(special.gammainc(a, x))), float(np.log(special.gammaincc(a, x)))]
            for a, x in gamma_points
        ],
        "kolmogorov_sf": [[x, float(stats.kstwobign.sf(x))] for x in ks_points],
    }


def write(name, doc):
    path = HERE / f"{name}.json"
    path.write_text(json.dumps(doc, indent=None, separators=(",", ":")) + "\n")


def main():
    warnings.simplefilter("ignore")

    # Patience: Weibull, about 30% served (censored) at an exponential service time.
    seed = 20240501
    rng = np.random.default_rng(seed)
    patience = 90.0 * rng.weibull(1.4, 500)
    served_at = rng.exponential(190.0, 500)
    censored_dataset(
        "weibull_censored_500",
        "patience ~ Weibull(shape 1.4, scale 90 s), censored at Exponential(mean 190 s); ms precision",
        seed,
        np.round(np.minimum(patience, served_at), 3),
        patience <= served_at,
        rounded=False,
    )

    # Patience: log-normal, heavily censored by a uniform service time.
    seed = 20240502
    rng = np.random.default_rng(seed)
    patience = np.exp(rng.normal(4.0, 0.9, 200))
    served_at = rng.uniform(0.0, 120.0, 200)
    censored_dataset(
        "lognormal_heavy_censoring_200",
        "patience ~ LogNormal(mu 4, sigma 0.9), censored at Uniform(0, 120 s); ms precision",
        seed,
        np.round(np.minimum(patience, served_at), 3),
        patience <= served_at,
        rounded=False,
    )

    # Exponential with ties: whole seconds, rounded up so that no duration is zero.
    seed = 20240503
    rng = np.random.default_rng(seed)
    patience = rng.exponential(30.0, 50)
    served_at = rng.exponential(60.0, 50)
    censored_dataset(
        "exponential_ties_50",
        "patience ~ Exponential(mean 30 s), censored at Exponential(mean 60 s); rounded up to whole seconds",
        seed,
        np.ceil(np.minimum(patience, served_at)),
        patience <= served_at,
        rounded=False,
    )

    # Whole-second rounding with zeros: a short Weibull patience rounded to the nearest second.
    seed = 20240504
    rng = np.random.default_rng(seed)
    patience = 12.0 * rng.weibull(1.3, 300)
    served_at = rng.exponential(25.0, 300)
    censored_dataset(
        "weibull_whole_seconds_300",
        "patience ~ Weibull(shape 1.3, scale 12 s), censored at Exponential(mean 25 s); rounded to the nearest second (zeros kept)",
        seed,
        np.round(np.minimum(patience, served_at)),
        patience <= served_at,
        rounded=True,
    )

    # Tiny sample with ties between events, and between an event and a censoring.
    censored_dataset(
        "tiny_ties_8",
        "hand-written: ties among events and between events and censorings",
        None,
        [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 5.0, 8.0],
        [True, True, False, True, True, False, True, False],
        rounded=False,
    )

    # Talk time: fully observed log-normal, ms precision.
    seed = 20240505
    rng = np.random.default_rng(seed)
    duration_dataset(
        "talk_lognormal_300",
        "talk time ~ LogNormal(mu 5, sigma 0.6), fully observed; ms precision",
        seed,
        np.round(np.exp(rng.normal(5.0, 0.6, 300)), 3),
        rounded=False,
    )

    # After-call work: gamma, fully observed, exact.
    seed = 20240506
    rng = np.random.default_rng(seed)
    duration_dataset(
        "acw_gamma_150",
        "after-call work ~ Gamma(shape 2.2, scale 14 s), fully observed; ms precision",
        seed,
        np.round(rng.gamma(2.2, 14.0, 150), 3),
        rounded=False,
    )

    # Answer time: gamma, whole seconds (zeros possible).
    seed = 20240507
    rng = np.random.default_rng(seed)
    duration_dataset(
        "answer_gamma_whole_seconds_200",
        "answer time ~ Gamma(shape 1.6, scale 5 s), rounded to the nearest second (zeros kept)",
        seed,
        np.round(rng.gamma(1.6, 5.0, 200)),
        rounded=True,
    )

    write("special", special_values())
    total = sum(p.stat().st_size for p in HERE.glob("*.json"))
    print(f"total JSON size: {total} bytes")


if __name__ == "__main__":
    main()
