//! `Predictive` — dialsim's own model-based pacer.
//!
//! It learns, from its finished calls only, three things a dialer can measure live:
//! - p_q, the probability that a dial reaches a person who presses 1 (queued ÷ finished dials),
//!   p_a, that it is answered, and p_1, that an answered call presses 1;
//! - D, the lead time from dial to queue entry (ring + IVR), averaged over queued calls;
//! - T, the mean talk time (connection to hang-up), and W, the mean after-call work, by Little's
//!   law (time-average of agents in after-call work ÷ connections).
//!
//! Each second it forecasts the next D: agents free by then are
//! S = available + Bin(wrapping, q_w) + Bin(talking, q_t),
//! where an agent in after-call work is free within D with q_w = 1 − e^(−D/W)
//! and a talking agent, who must finish talking and then wrap up, with q_t = P(T′ + W′ ≤ D) for
//! exponential T′ and W′ of means T and W (memoryless remaining times, so elapsed handle times
//! need not be known — Connect reports agents' states, not when each call started); callers
//! reaching the queue are X ~ Poisson(queued + p_1·in IVR + p_q·(ringing + n)) for n new dials (a
//! sum of many unlikely Bernoulli trials). It launches the largest n whose expected callers who
//! find no agent, E[(X − S)⁺], stay within α × the expected answers of the calls involved,
//! p_a·(ringing + n) + in IVR + queued — never fewer than progressive would, never beyond
//! `max_lines_per_agent` × staffed calls before an agent. α starts at `target_abandon` and is
//! corrected every minute by the measured drop rate ([`crate::drops`]): α ×= exp(0.3 ×
//! (target − measured) ÷ target), within [0.1, 10] × target, so the forecast's simplifications
//! (lumping a window, Poisson arrivals) are calibrated away on the campaign itself.
//!
//! Until it has seen 30 answered calls and 5 queued callers it dials progressively.
//!
//! Settings: `target_abandon` (default 0.03), `max_lines_per_agent` (default 3.0).
//! Observes: agent counts, `in_flight`, `callable_now`, finished calls.

use crate::drops::DropMeter;
use crate::progressive::uncovered_agents;
use crate::{CallRecord, Decision, Millis, Observation, Pacer};
use rules::abandonment::Counting;

const POLL: Millis = Millis(1_000);
const MIN_ANSWERED: u64 = 30;
const MIN_QUEUED: u64 = 5;
const CORRECT_EVERY: Millis = Millis(60_000);
const CORRECTION_GAIN: f64 = 0.1;
const START_CORRECTION: f64 = 0.1;
const RECENT_WEIGHT: f64 = 0.3;
const AIM: f64 = 0.97;
const MIN_CORRECTION: f64 = 0.02;
const MAX_CORRECTION: f64 = 50.0;

/// What the pacer believes about the next lead time D, in one place so it can be tested.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Forecast {
    /// Agents free now.
    pub available: u32,
    /// Busy agents in groups (agents, probability each is free within D): wrapping up, talking.
    pub releasing: [(u32, f64); 2],
    /// Expected queue arrivals from calls already in flight.
    pub arrivals_in_flight: f64,
    /// Expected answers among calls already in flight.
    pub answers_in_flight: f64,
    /// Per new dial: probability of a queue arrival within D, and of an answer.
    pub p_queue: f64,
    pub p_answer: f64,
    /// Allowed expected callers without an agent per expected answer.
    pub alpha: f64,
}

impl Forecast {
    /// P(S = available + j) for j = 0, 1, …: the releases of both groups, convolved.
    fn supply(&self) -> Vec<f64> {
        let [a, b] = self.releasing.map(|(n, q)| binomial(n, q));
        let mut pmf = vec![0.0; a.len() + b.len() - 1];
        for (i, pa) in a.iter().enumerate() {
            for (j, pb) in b.iter().enumerate() {
                pmf[i + j] += pa * pb;
            }
        }
        pmf
    }

    /// E[(X − S)⁺] for X ~ Poisson(mean) and the supply distribution.
    pub fn expected_unserved(&self, mean: f64, supply: &[f64]) -> f64 {
        self.unserved(
            mean,
            supply,
            &ln_counts(self.available as usize + supply.len()),
        )
    }

    /// [`Forecast::expected_unserved`] with ln 1, ln 2, … given (computed once per decision,
    /// not once per candidate launch count: a team of thousands needs thousands).
    fn unserved(&self, mean: f64, supply: &[f64], ln_k: &[f64]) -> f64 {
        let top = self.available as usize + supply.len();
        // g(s) = E[(X − s)⁺] = mean − s + Σ_{k<s} (s − k)·P(X = k), from running sums.
        let (mut cdf, mut kp, mut ln_p) = (0.0, 0.0, -mean);
        let ln_mean = mean.ln();
        let mut g = Vec::with_capacity(top);
        for (s, ln_next) in ln_k.iter().enumerate().take(top) {
            g.push(mean - s as f64 + s as f64 * cdf - kp);
            let p = if mean > 0.0 {
                // exp is exactly 0 this far below; skipping it keeps every bit and saves the
                // call for the thousands of terms a large team's tails have.
                if ln_p < -800.0 { 0.0 } else { ln_p.exp() }
            } else {
                f64::from(u8::from(s == 0))
            };
            cdf += p;
            kp += s as f64 * p;
            ln_p += ln_mean - ln_next;
        }
        supply
            .iter()
            .enumerate()
            .map(|(j, p)| p * g[self.available as usize + j].max(0.0))
            .sum()
    }

    /// The largest n in [0, cap] with E[(X − S)⁺] ≤ α × expected answers; 0 if even n = 0 fails.
    pub fn launch(&self, cap: u32) -> u32 {
        let supply = self.supply();
        let ln_k = ln_counts(self.available as usize + supply.len());
        let fits = |n: u32| {
            let n = f64::from(n);
            let unserved =
                self.unserved(self.arrivals_in_flight + n * self.p_queue, &supply, &ln_k);
            unserved <= self.alpha * (self.answers_in_flight + n * self.p_answer)
        };
        if !fits(0) {
            return 0;
        }
        // Unserved callers grow convexly in n and the allowance linearly: the calls that fit
        // form a prefix [0, n*], so bisection finds n*.
        let (mut lo, mut hi) = (0, cap);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    }
}

/// ln 1, ln 2, …, ln `n`.
fn ln_counts(n: usize) -> Vec<f64> {
    (1..=n).map(|k| (k as f64).ln()).collect()
}

/// P(Bin(n, q) = j), computed in log space and cut where the remaining tail is below 1e-12 (so
/// that convolving the groups stays cheap).
fn binomial(n: u32, q: f64) -> Vec<f64> {
    let q = q.clamp(0.0, 1.0);
    let n = n as usize;
    if q <= 0.0 || q >= 1.0 || n == 0 {
        let mut pmf = vec![0.0; if q >= 1.0 { n + 1 } else { 1 }];
        *pmf.last_mut().expect("not empty") = 1.0;
        return pmf;
    }
    let (lq, lr) = (q.ln(), (1.0 - q).ln());
    let (mut ln_c, mut total) = (0.0, 0.0);
    let mut pmf = Vec::new();
    for j in 0..=n {
        if j > 0 {
            ln_c += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        let p = (ln_c + j as f64 * lq + (n - j) as f64 * lr).exp();
        pmf.push(p);
        total += p;
        if j as f64 > q * n as f64 && 1.0 - total < 1e-12 {
            break;
        }
    }
    pmf
}

/// P(X + Y ≤ d) for independent exponentials of means `x` and `y`.
fn both_within(x: f64, y: f64, d: f64) -> f64 {
    if (x - y).abs() < 1e-9 * x.max(y) {
        // Erlang-2 with mean 2x.
        return 1.0 - (-d / x).exp() * (1.0 + d / x);
    }
    1.0 - (x * (-d / x).exp() - y * (-d / y).exp()) / (x - y)
}

#[derive(Debug, Clone)]
pub struct Predictive {
    target: f64,
    max_lines: f64,
    meter: DropMeter,
    finished: u64,
    answered: u64,
    queued: u64,
    lead_ms: f64,
    talk_ms: f64,
    connected: u64,
    wrap_area: f64,
    last_seen: Millis,
    correction: f64,
    next_correction: Millis,
}

impl Predictive {
    pub fn new(target: f64, max_lines: f64, counting: Counting) -> Self {
        Predictive {
            target,
            max_lines,
            meter: DropMeter::new(Millis::from_secs(15 * 60), counting),
            finished: 0,
            answered: 0,
            queued: 0,
            lead_ms: 0.0,
            talk_ms: 0.0,
            connected: 0,
            wrap_area: 0.0,
            last_seen: Millis::ZERO,
            correction: START_CORRECTION,
            next_correction: CORRECT_EVERY,
        }
    }

    /// The regulator's rate steered for: a little under the target, so that the day's rate,
    /// which scatters by about a tenth of a point around where it is steered, stays under it.
    fn aim(&self) -> f64 {
        self.target * AIM
    }

    /// Drops allowed per live answer: the aim less what the declared detector takes alone.
    fn budget(&self) -> f64 {
        (self.aim() - self.meter.counting().allowance()).max(self.target * 0.01)
    }

    /// The forecast for this observation, once enough calls have been seen.
    pub fn forecast(&self, seen: &Observation) -> Option<Forecast> {
        if self.answered < MIN_ANSWERED || self.queued < MIN_QUEUED || self.connected == 0 {
            return None;
        }
        let finished = self.finished as f64;
        let (p_queue, p_answer) = (
            self.queued as f64 / finished,
            self.answered as f64 / finished,
        );
        let p_one = self.queued as f64 / self.answered as f64;
        let lead = self.lead_ms / self.queued as f64;
        let talk = (self.talk_ms / self.connected as f64).max(1.0);
        let wrap = (self.wrap_area / self.connected as f64).max(1.0);
        let f = &seen.in_flight;
        Some(Forecast {
            available: seen.agents.available,
            releasing: [
                (seen.agents.after_contact_work, 1.0 - (-lead / wrap).exp()),
                (seen.agents.on_contact, both_within(talk, wrap, lead)),
            ],
            arrivals_in_flight: f64::from(f.queued)
                + p_one * f64::from(f.in_ivr)
                + p_queue * f64::from(f.dialing),
            answers_in_flight: f64::from(f.queued + f.in_ivr) + p_answer * f64::from(f.dialing),
            p_queue,
            p_answer,
            alpha: self.budget() * self.meter.live_per_answer() * self.correction,
        })
    }
}

impl Pacer for Predictive {
    fn decide(&mut self, seen: &Observation) -> Decision {
        let dt = (seen.now - self.last_seen).0 as f64;
        self.wrap_area += f64::from(seen.agents.after_contact_work) * dt;
        self.last_seen = seen.now;
        if seen.now >= self.next_correction {
            self.next_correction = seen.now + CORRECT_EVERY;
            let day = self.meter.rate(50);
            let recent = self.meter.recent_rate(seen.now, 50);
            if let Some(day) = day {
                // The last quarter hour says where the forecast stands now; the day so far what
                // it owes (a day over the target is brought back, not just held).
                let measured =
                    recent.map_or(day, |r| RECENT_WEIGHT * r + (1.0 - RECENT_WEIGHT) * day);
                let step = CORRECTION_GAIN * (self.aim() - measured) / self.budget();
                self.correction =
                    (self.correction * step.exp()).clamp(MIN_CORRECTION, MAX_CORRECTION);
            }
        }
        let progressive = uncovered_agents(seen);
        let lines = (self.max_lines * f64::from(seen.agents.staffed)).floor() as u32;
        let cap = lines
            .saturating_sub(seen.in_flight.dialing + seen.in_flight.in_ivr + seen.in_flight.queued)
            .min(u32::try_from(seen.callable_now).unwrap_or(u32::MAX));
        let launch = match self.forecast(seen) {
            Some(f) => f.launch(cap).max(progressive.min(cap)),
            None => progressive,
        };
        Decision {
            launch,
            recheck_after: POLL,
        }
    }

    fn on_outcome(&mut self, call: &CallRecord) {
        self.meter.record(call);
        self.finished += 1;
        if call.ring == crate::RingOutcome::Answered {
            self.answered += 1;
        }
        if let Some(q) = call.queued_at {
            self.queued += 1;
            self.lead_ms += (q - call.dialed_at).0 as f64;
        }
        if let Some(c) = call.connected_at {
            self.connected += 1;
            self.talk_ms += (call.ended_at - c).0 as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forecast() -> Forecast {
        Forecast {
            available: 2,
            releasing: [(8, 0.1), (0, 0.5)],
            arrivals_in_flight: 0.5,
            answers_in_flight: 3.0,
            p_queue: 0.1,
            p_answer: 0.35,
            alpha: 0.03,
        }
    }

    /// E[(X − S)⁺] summed directly over both distributions, independent of the running sums.
    fn brute_unserved(f: &Forecast, mean: f64) -> f64 {
        let mut pk = (-mean).exp();
        let mut poisson = vec![pk];
        for k in 1..200 {
            pk *= mean / k as f64;
            poisson.push(pk);
        }
        let binom = |(n, q): (u32, f64), j: i32| {
            let b = n as i32;
            let c: f64 = (1..=j)
                .map(|i| f64::from(b - j + i) / f64::from(i))
                .product();
            c * q.powi(j) * (1.0 - q).powi(b - j)
        };
        let [g1, g2] = f.releasing;
        let mut total = 0.0;
        for j1 in 0..=g1.0 as i32 {
            for j2 in 0..=g2.0 as i32 {
                let s = f.available as usize + (j1 + j2) as usize;
                let tail: f64 = poisson
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k > s)
                    .map(|(k, p)| (k - s) as f64 * p)
                    .sum();
                total += binom(g1, j1) * binom(g2, j2) * tail;
            }
        }
        total
    }

    #[test]
    fn expected_unserved_matches_direct_summation() {
        let f = forecast();
        let supply = f.supply();
        assert!((supply.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for mean in [0.0, 0.3, 2.0, 5.5, 12.0] {
            let fast = f.expected_unserved(mean, &supply);
            let slow = brute_unserved(&f, mean);
            assert!((fast - slow).abs() < 1e-10, "mean {mean}: {fast} vs {slow}");
        }
    }

    #[test]
    fn launches_the_largest_count_within_the_budget() {
        let f = forecast();
        let n = f.launch(500);
        let ok = |n: u32| {
            let mean = f.arrivals_in_flight + f64::from(n) * f.p_queue;
            brute_unserved(&f, mean) <= f.alpha * (f.answers_in_flight + f64::from(n) * f.p_answer)
        };
        assert!(n > 0 && ok(n) && !ok(n + 1), "n = {n}");
        // By hand (Python, exact sums): 2 free agents, Bin(8, 0.1) releases; n = 11 gives 0.1878
        // expected unserved callers against 3% of 6.85 expected answers (0.2055); n = 12 gives
        // 0.2191 against 0.2160.
        assert_eq!(n, 11);
        assert_eq!(f.launch(10), 10, "the cap binds");
    }

    #[test]
    fn two_release_groups_convolve() {
        let f = Forecast {
            releasing: [(6, 0.4), (5, 0.05)],
            ..forecast()
        };
        let supply = f.supply();
        assert!((supply.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for mean in [0.5, 3.0, 9.0] {
            let fast = f.expected_unserved(mean, &supply);
            assert!((fast - brute_unserved(&f, mean)).abs() < 1e-10);
        }
    }

    #[test]
    fn sum_of_two_exponentials() {
        // Means 10 and 30 within 20: 1 − (10·e^−2 − 30·e^−2/3) / (10 − 30) = 0.297542
        assert!((both_within(10.0, 30.0, 20.0) - 0.297_542).abs() < 1e-6);
        let erlang = 1.0 - (-2f64).exp() * 3.0;
        assert!((both_within(10.0, 10.0, 20.0) - erlang).abs() < 1e-12);
        assert!((both_within(10.0, 10.000_001, 20.0) - erlang).abs() < 1e-6);
    }

    #[test]
    fn launches_nothing_when_calls_in_flight_already_exceed_the_budget() {
        let f = Forecast {
            arrivals_in_flight: 8.0,
            ..forecast()
        };
        assert_eq!(f.launch(100), 0);
    }

    #[test]
    fn progressive_until_it_has_learned() {
        let mut p = Predictive::new(0.03, 3.0, Counting::default());
        let seen = Observation {
            agents: crate::AgentCounts {
                staffed: 10,
                available: 4,
                ..Default::default()
            },
            callable_now: 100,
            ..Default::default()
        };
        assert_eq!(p.decide(&seen).launch, 4);
    }
}
