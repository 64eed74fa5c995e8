//! Closed-form results for Markovian many-server queues.
//!
//! These are independent oracles for the simulator's agent queue: they are
//! computed from the published formulas, share no code with the simulator,
//! and let the integration tests check that a long simulated run of an
//! M/M/n, M/M/n+M or M/M/n+D system lands on the textbook numbers.
//!
//! Units: `lambda` (arrivals), `mu` (service) and `theta` (abandonment) are
//! rates per one time unit, `patience` is in that unit, and every `mean_wait`
//! comes back in it.

use statrs::function::gamma::{gamma_lr, ln_gamma};

/// Probability of delay and mean delay of M/M/n (Erlang C).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// P(an arrival waits) = C(n, a).
    pub p_wait: f64,
    /// Mean time in queue over all arrivals (ASA).
    pub mean_wait: f64,
}

/// Steady-state performance of a many-server queue with impatient callers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Abandonment {
    /// P(an arrival finds all n servers busy).
    pub p_wait: f64,
    /// P(an arrival abandons before service).
    pub p_abandon: f64,
    /// Mean time in queue over all arrivals, served or abandoned.
    pub mean_wait: f64,
}

fn check_positive(what: &str, v: f64) {
    let ok = v > 0.0 && v.is_finite();
    assert!(ok, "queueing: {what} must be finite and > 0, got {v}");
}

fn check_rates(n: u32, lambda: f64, mu: f64) {
    assert!(n >= 1, "queueing: need at least one server, got n = 0");
    check_positive("arrival rate λ", lambda);
    check_positive("service rate μ", mu);
}

/// Erlang B blocking probability of M/M/n/n with offered load `a = λ/μ`,
/// by the standard stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
pub fn erlang_b(n: u32, a: f64) -> f64 {
    let ok = a >= 0.0 && a.is_finite();
    assert!(ok, "erlang_b: offered load must be >= 0, got {a}");
    (1..=n).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Erlang C for M/M/n: C = E / (1 − ρ + ρE) with E = B(n, λ/μ) and ρ = λ/(nμ);
/// mean wait (ASA) = C / (nμ − λ). Panics unless ρ < 1 (no steady state).
pub fn erlang_c(n: u32, lambda: f64, mu: f64) -> ErlangC {
    check_rates(n, lambda, mu);
    let c = f64::from(n) * mu;
    let rho = lambda / c;
    assert!(
        rho < 1.0,
        "erlang_c: unstable, ρ = λ/(nμ) = {rho} >= 1 (λ = {lambda}, n = {n}, μ = {mu})"
    );
    let e = erlang_b(n, lambda / mu);
    let p_wait = e / (1.0 - rho + rho * e);
    let mean_wait = p_wait / (c - lambda);
    ErlangC { p_wait, mean_wait }
}

/// 1/A(x, y) for A(x, y) = x·e^y·y^(−x)·γ(x, y) of Garnett, Mandelbaum & Reiman
/// (2002), γ the lower incomplete gamma function.
///
/// For y < x this sums the series A = Σ_{k≥0} y^k / ((x+1)···(x+k)) (the
/// series of γ with its prefactor divided out, so nothing underflows when
/// y ≪ x). Otherwise it works in log space with γ(x, y) = Γ(x)·P(x, y), where
/// P(x, y) ≥ ~1/2 is accurate; the reciprocal keeps a huge A (overload) finite.
fn gmr_inv_a(x: f64, y: f64) -> f64 {
    if y < x {
        let (mut term, mut sum, mut k) = (1.0_f64, 1.0_f64, 0.0_f64);
        loop {
            k += 1.0;
            term *= y / (x + k);
            sum += term;
            // Later ratios are all below r, so the tail is at most term·r/(1−r).
            let r = y / (x + k + 1.0);
            if term * r / (1.0 - r) <= 0.5 * f64::EPSILON * sum {
                return 1.0 / sum;
            }
        }
    }
    let ln_a = x.ln() + y - x * y.ln() + ln_gamma(x) + gamma_lr(x, y).ln();
    (-ln_a).exp()
}

/// Erlang A (M/M/n+M), after Garnett, Mandelbaum & Reiman (2002), "Designing
/// a call center with impatient customers", MSOM 4(3): with a = λ/μ,
/// ρ = λ/(nμ), E = B(n, a), A = A(nμ/θ, λ/θ):
/// P(wait) = A·E / (1 + (A−1)·E), P(ab | wait) = 1/(ρA) + 1 − 1/ρ,
/// and by Little's law on the queue (θ·E[Q] = λ·P(ab)) E[W] = P(ab)/θ.
/// `theta` is the rate of the exponential patience; any ρ is allowed.
pub fn erlang_a(n: u32, lambda: f64, mu: f64, theta: f64) -> Abandonment {
    check_rates(n, lambda, mu);
    check_positive("abandonment rate θ", theta);
    let c = f64::from(n) * mu;
    let rho = lambda / c;
    let e = erlang_b(n, lambda / mu);
    let inv_a = gmr_inv_a(c / theta, lambda / theta);
    let p_wait = e / (e + (1.0 - e) * inv_a);
    let p_abandon = p_wait * (inv_a / rho + 1.0 - 1.0 / rho);
    let mean_wait = p_abandon / theta;
    Abandonment {
        p_wait,
        p_abandon,
        mean_wait,
    }
}

/// M/M/n+D: every caller waits at most `patience` = D, then abandons.
///
/// From the M/M/n+G results (Baccelli & Hebuterne 1981; Mandelbaum & Zeltyn
/// 2004/2005) with H(t) = ∫₀ᵗ P(patience > u) du = min(t, D): given that it
/// is positive, the virtual wait V has density f(t) = e^{λH(t) − nμt} / J, i.e.
/// e^{δt} on [0, D) and e^{δD}·e^{−nμ(t−D)} beyond, δ = λ − nμ, and
/// J = ∫₀^∞ e^{λH(t) − nμt} dt = (e^{δD} − 1)/δ + e^{δD}/(nμ)
///   (J = D + 1/(nμ) at δ = 0).
/// P(wait) = nμJ·E / (1 + (nμJ − 1)·E), E = B(n, λ/μ);
/// P(ab) = P(wait)·P(V > D | V > 0) = P(wait)·e^{δD}/(nμJ)
///       (= P(wait)·(1 + δJ)/(λJ));
/// E[W] = E[min(V, D)] = P(wait)/J · (∫₀ᴰ t·e^{δt} dt + D·e^{δD}/(nμ)),
///        ∫₀ᴰ t·e^{δt} dt = (1 + e^{δD}(δD − 1))/δ² (D²/2 at δ = 0).
/// Everything is scaled by e^{−max(δD, 0)} (which cancels) so overload with
/// long patience stays finite; |δD| < 1 uses the Taylor series.
pub fn erlang_d(n: u32, lambda: f64, mu: f64, patience: f64) -> Abandonment {
    check_rates(n, lambda, mu);
    check_positive("patience D", patience);
    let c = f64::from(n) * mu;
    let d = lambda - c;
    let z = d * patience;
    let scale = (-z.max(0.0)).exp();
    let at_d = z.min(0.0).exp(); // e^{δD}·scale
    // head = scale·∫₀ᴰ e^{δt} dt, moment = scale·∫₀ᴰ t·e^{δt} dt.
    let (head, moment) = if z.abs() < 1.0 {
        let (mut head, mut moment, mut zk) = (0.0, 0.0, 1.0); // zk = z^k / k!
        for k in 0..24 {
            let k = f64::from(k);
            head += zk / (k + 1.0);
            moment += zk / (k + 2.0);
            zk *= z / (k + 1.0);
        }
        let s = scale * patience;
        (s * head, s * patience * moment)
    } else if z > 0.0 {
        (-(-z).exp_m1() / d, ((-z).exp() + z - 1.0) / (d * d))
    } else {
        (z.exp_m1() / d, (1.0 + z.exp() * (z - 1.0)) / (d * d))
    };
    let j = head + at_d / c;
    let e = erlang_b(n, lambda / mu);
    let p_wait = e / (e + (1.0 - e) * scale / (c * j));
    Abandonment {
        p_wait,
        p_abandon: p_wait * at_d / (c * j),
        mean_wait: p_wait / j * (moment + patience * at_d / c),
    }
}

/// `got` agrees with `want` to the `decimals` places it is quoted to.
fn assert_quoted(got: f64, want: f64, decimals: i32) {
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (got - want).abs() <= tol,
        "got {got}, quoted {want} to {decimals} places"
    );
}

fn assert_rel(got: f64, want: f64, rel: f64) {
    let ok = (got - want).abs() <= rel * want.abs();
    assert!(ok, "got {got}, want {want} (relative tolerance {rel})");
}

#[test]
fn erlang_b_single_server_is_a_over_one_plus_a() {
    for a in [0.0, 0.25, 1.0, 3.0, 40.0] {
        assert_rel(erlang_b(1, a), a / (1.0 + a), 1e-15);
    }
}

#[test]
fn erlang_c_matches_erlang_b_identity() {
    // B from the defining sum (a^n/n!) / Σ_k a^k/k!, not the recursion.
    let (n, a) = (10.0, 9.0);
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..=10 {
        term *= a / f64::from(k);
        sum += term;
    }
    let b = term / sum;
    assert_rel(erlang_b(10, a), b, 1e-13);
    let c = erlang_c(10, 9.0, 1.0);
    assert_rel(c.p_wait, n * b / (n - a * (1.0 - b)), 1e-13);
    assert_quoted(c.p_wait, 0.66873, 5);
    assert_rel(c.mean_wait, c.p_wait / (10.0 - 9.0), 1e-15);
    // Time scale: doubling every rate keeps C and halves the wait.
    let c2 = erlang_c(10, 18.0, 2.0);
    assert_rel(c2.p_wait, c.p_wait, 1e-13);
    assert_rel(c2.mean_wait, c.mean_wait / 2.0, 1e-13);
}

#[test]
#[should_panic(expected = "unstable")]
fn erlang_c_refuses_overload() {
    erlang_c(10, 10.0, 1.0);
}

#[test]
fn erlang_a_published_example() {
    // Reference case; an independent event simulation (4e6 callers) gave
    // 0.4695, 0.0668 and 0.1339.
    let r = erlang_a(10, 9.0, 1.0, 0.5);
    assert_quoted(r.p_wait, 0.46894, 5);
    assert_quoted(r.p_abandon, 0.06701, 5);
    assert_quoted(r.mean_wait, 0.1340, 4);
}

#[test]
fn erlang_a_with_patience_rate_equal_to_service_rate_is_m_m_infinity() {
    // θ = μ: the number in system is Poisson(a), so P(wait) = P(N ≥ n) and
    // P(ab) = θ·E[(N − n)⁺] / λ.
    let (n, lambda, mu) = (10, 9.0_f64, 1.0);
    let (mut pmf, mut below, mut mean_below) = ((-lambda / mu).exp(), 0.0, 0.0);
    for k in 0..n {
        below += pmf;
        mean_below += f64::from(k) * pmf;
        pmf *= lambda / mu / f64::from(k + 1);
    }
    let excess = lambda / mu - mean_below - f64::from(n) * (1.0 - below);
    let r = erlang_a(n, lambda, mu, mu);
    assert_rel(r.p_wait, 1.0 - below, 1e-12);
    assert_rel(r.p_abandon, mu * excess / lambda, 1e-11);
}

#[test]
fn erlang_d_published_example() {
    let r = erlang_d(10, 9.0, 1.0, 2.0);
    assert_quoted(r.p_wait, 0.6394, 4);
    assert_quoted(r.p_abandon, 0.00985, 5);
    // E[min(V, D)] as derived above; an independent event simulation (1.6e8
    // callers) gave 0.4515 ± 0.0005 (P(wait) 0.6391 ± 0.0003, P(ab) 0.00980 ± 0.00003).
    assert_quoted(r.mean_wait, 0.45215, 5);
}

#[test]
fn patience_limits_reduce_to_erlang_b_and_c() {
    let c = erlang_c(10, 9.0, 1.0);
    for r in [erlang_a(10, 9.0, 1.0, 1e-6), erlang_d(10, 9.0, 1.0, 1e3)] {
        assert_rel(r.p_wait, c.p_wait, 1e-4);
        assert_rel(r.mean_wait, c.mean_wait, 1e-4);
        assert!(r.p_abandon < 1e-5, "{r:?}");
    }
    // No patience at all: every delayed caller is lost, as in M/M/n/n.
    let (b, r) = (erlang_b(10, 9.0), erlang_d(10, 9.0, 1.0, 1e-9));
    assert_rel(r.p_wait, b, 1e-6);
    assert_rel(r.p_abandon, b, 1e-6);
    assert!(r.mean_wait < 1e-9);
}

#[test]
fn erlang_d_is_continuous_through_critical_load_and_finite_in_overload() {
    let at = erlang_d(10, 10.0, 1.0, 2.0);
    for lambda in [10.0 - 1e-7, 10.0 + 1e-7] {
        let near = erlang_d(10, lambda, 1.0, 2.0);
        assert_rel(near.p_wait, at.p_wait, 1e-6);
        assert_rel(near.p_abandon, at.p_abandon, 1e-6);
        assert_rel(near.mean_wait, at.mean_wait, 1e-6);
    }
    // λ = 2nμ: the fluid limit loses half the callers.
    for r in [erlang_a(10, 20.0, 1.0, 1e-3), erlang_d(10, 20.0, 1.0, 1e3)] {
        assert_rel(r.p_wait, 1.0, 1e-9);
        assert_rel(r.p_abandon, 0.5, 1e-3);
    }
}
