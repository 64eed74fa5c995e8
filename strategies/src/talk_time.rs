//! How soon a talking agent will be free, given how long the call has lasted so far.
//!
//! Talk times are not memoryless: a call that has just been connected rarely ends within the
//! next twenty seconds, one that has run for six minutes often does (and with a long-tailed
//! distribution, one that has run for an hour may not). A pacer that knows when each agent's call
//! started (Connect's GetCurrentUserData gives each contact's state and its start) can forecast
//! releases from the talk-time distribution conditioned on the elapsed time.
//!
//! The distribution is learned on the campaign itself: finished calls are observed talk times,
//! and the calls still in progress are right-censored at their elapsed time (a day's first
//! finished calls are the short ones; without the censored calls the estimate would say every
//! call is short). [`TalkTimes::release_table`] turns the Kaplan–Meier estimate over one-second
//! bins into, for each elapsed second, the probability that the agent finishes talking and then
//! the after-call work within the lead time — the after-call work exponential of its mean, as
//! the pacer has no per-call after-call durations.

use crate::time::Millis;

/// The longest talk time binned; longer ones count in the last bin.
const MAX_BIN_S: usize = 4 * 3_600;

/// Finished calls' talk times, in one-second bins.
#[derive(Clone, Debug, Default)]
pub struct TalkTimes {
    ended: Vec<u32>,
    count: u64,
}

/// For each elapsed second of a talking agent's call, the probability that the agent is free
/// within the lead time ([`ReleaseTable::within`]). An entry is computed when first asked for
/// and kept: the agents' elapsed times between two rebuilds cover a small part of the bins.
#[derive(Clone, Debug, Default)]
pub struct ReleaseTable {
    /// S(e) for the elapsed seconds known (anyone at risk), the table's length.
    survival: Vec<f64>,
    /// S(b)·h_b for every bin.
    ends: Vec<f64>,
    /// P(W ≤ D − j) for j = 0 ..= ⌊D⌋ seconds.
    wrap_fits: Vec<f64>,
    /// The entries computed so far; NaN: not yet.
    by_elapsed_s: Vec<f64>,
}

fn bin(t: Millis) -> usize {
    ((t.0 / 1_000) as usize).min(MAX_BIN_S)
}

impl TalkTimes {
    /// One finished call talked for `talk`.
    pub fn record(&mut self, talk: Millis) {
        let b = bin(talk);
        if self.ended.len() <= b {
            self.ended.resize(b + 1, 0);
        }
        self.ended[b] += 1;
        self.count += 1;
    }

    /// Finished calls recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The release probabilities for calls in progress, with the talk times of the calls still
    /// in progress (`ongoing`: their elapsed times) as censored observations; `lead_ms` the time
    /// ahead forecast, `wrap_ms` the mean after-call work.
    ///
    /// With h_b = (calls ended in bin b) ÷ (calls at risk in bin b: ended or in progress at b s
    /// or later) and S(b) = Π_{k<b} (1 − h_k), an agent e seconds into a call ends it in bin
    /// b ≥ e with probability S(b)·h_b ÷ S(e), about b − e seconds from now, and is free within
    /// the lead D when the after-call work W that follows fits: Σ_b S(b)·h_b ÷ S(e) ·
    /// P(W ≤ D − (b − e)). Past the last bin anyone was at risk in, nothing is known: the
    /// table ends there.
    pub fn release_table(
        &self,
        ongoing: impl IntoIterator<Item = Millis>,
        lead_ms: f64,
        wrap_ms: f64,
    ) -> ReleaseTable {
        let mut censored = vec![0u32; self.ended.len()];
        for e in ongoing {
            let b = bin(e);
            if censored.len() <= b {
                censored.resize(b + 1, 0);
            }
            censored[b] += 1;
        }
        let bins = censored.len().max(self.ended.len());
        let ended = |b: usize| f64::from(self.ended.get(b).copied().unwrap_or(0));
        // At risk in bin b: everything that ended or was censored in bin b or later.
        let mut at_risk = vec![0.0; bins + 1];
        for b in (0..bins).rev() {
            at_risk[b] = at_risk[b + 1] + ended(b) + f64::from(censored[b]);
        }
        // S(b) and the probability of ending in bin b, from the start of the distribution.
        let mut survival = Vec::with_capacity(bins + 1);
        let mut ends = Vec::with_capacity(bins);
        let mut s = 1.0;
        for (b, &n) in at_risk.iter().take(bins).enumerate() {
            survival.push(s);
            let h = if n > 0.0 { ended(b) / n } else { 0.0 };
            ends.push(s * h);
            s *= 1.0 - h;
        }
        survival.push(s);
        let lead_s = (lead_ms / 1_000.0).max(0.0);
        let steps = lead_s.floor() as usize;
        let wrap_s = (wrap_ms / 1_000.0).max(1e-3);
        let wrap_fits: Vec<f64> = (0..=steps)
            .map(|j| 1.0 - (-(lead_s - j as f64) / wrap_s).exp())
            .collect();
        let known = at_risk
            .iter()
            .take(bins)
            .rposition(|&n| n > 0.0)
            .map_or(0, |k| k + 1);
        survival.truncate(known);
        ReleaseTable {
            by_elapsed_s: vec![f64::NAN; known],
            survival,
            ends,
            wrap_fits,
        }
    }
}

impl ReleaseTable {
    /// P(free within the lead | talking for `elapsed`); `None` past what the data cover.
    pub fn within(&mut self, elapsed: Millis) -> Option<f64> {
        let e = (elapsed.0 / 1_000) as usize;
        let kept = *self.by_elapsed_s.get(e)?;
        if !kept.is_nan() {
            return Some(kept);
        }
        let q = if self.survival[e] <= 0.0 {
            1.0
        } else {
            // The ends in the next ⌊D⌋ seconds, each weighted by the chance that the after-call
            // work after it fits in what is left of the lead.
            let m = self.wrap_fits.len().min(self.ends.len() - e);
            let free: f64 = self.ends[e..e + m]
                .iter()
                .zip(&self.wrap_fits[..m])
                .map(|(end, w)| end * w)
                .sum();
            (free / self.survival[e]).clamp(0.0, 1.0)
        };
        self.by_elapsed_s[e] = q;
        Some(q)
    }

    /// Whether the table covers no elapsed time at all (nothing learned yet).
    pub fn is_empty(&self) -> bool {
        self.by_elapsed_s.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Millis {
        Millis::from_secs(s)
    }

    /// Every call talks exactly 100 s: an agent 90 s in is free within a 20 s lead if the
    /// after-call work fits in the 10 s left; one 50 s in is not.
    #[test]
    fn a_fixed_talk_time_releases_only_near_its_end() {
        let mut t = TalkTimes::default();
        for _ in 0..200 {
            t.record(secs(100));
        }
        let mut table = t.release_table([], 20_000.0, 5_000.0);
        let wrap = |s: f64| 1.0 - (-s / 5.0f64).exp();
        assert!((table.within(secs(90)).unwrap() - wrap(10.0)).abs() < 1e-12);
        assert_eq!(table.within(secs(50)).unwrap(), 0.0);
        assert!((table.within(secs(100)).unwrap() - wrap(20.0)).abs() < 1e-12);
        assert_eq!(table.within(secs(101)), None, "nobody talked longer");
    }

    /// Exponential talk times are memoryless: the conditional release probability is the same
    /// at every elapsed time, and equals P(T + W ≤ D) for exponential T and W.
    #[test]
    fn exponential_talk_times_give_the_memoryless_answer() {
        let mut t = TalkTimes::default();
        // Bin counts of an exponential of mean 60 s, in expectation (10⁶ calls).
        let n = 1e6;
        for b in 0..2_000u64 {
            let p = (-(b as f64) / 60.0).exp() - (-((b + 1) as f64) / 60.0).exp();
            for _ in 0..(n * p).round() as u64 {
                t.record(Millis(b * 1_000 + 500));
            }
        }
        let mut table = t.release_table([], 20_000.0, 10_000.0);
        // P(T + W ≤ 20) for means 60 and 10, with T binned to whole seconds.
        let exact = 1.0 - (60.0 * (-20.0f64 / 60.0).exp() - 10.0 * (-2.0f64).exp()) / 50.0;
        for e in [0, 30, 120, 300] {
            let q = table.within(secs(e)).unwrap();
            assert!((q - exact).abs() < 0.01, "elapsed {e}: {q} vs {exact}");
        }
    }

    /// Calls in progress are censored, not ignored: early in a day only short calls have
    /// ended, and the ongoing long ones keep the estimate from saying every call is short.
    #[test]
    fn calls_in_progress_keep_long_calls_in_the_estimate() {
        let mut t = TalkTimes::default();
        for _ in 0..50 {
            t.record(secs(30));
        }
        let mut naive = t.release_table([], 20_000.0, 1_000.0);
        let mut censored = t.release_table((0..50).map(|_| secs(40)), 20_000.0, 1_000.0);
        // Half the calls are known to last beyond 40 s: one 20 s in ends at 30 s (within the
        // lead) with probability 1/2 given what is known, not 1.
        let naive_q = naive.within(secs(20)).unwrap();
        let censored_q = censored.within(secs(20)).unwrap();
        assert!(naive_q > 0.99, "{naive_q}");
        assert!(
            (censored_q - 0.5 * (1.0 - (-10.0f64).exp())).abs() < 1e-9,
            "{censored_q}"
        );
        // Past the last bin anyone was at risk in, the table says nothing.
        assert_eq!(censored.within(secs(41)), None);
    }
}
