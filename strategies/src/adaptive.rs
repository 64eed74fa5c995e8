//! `Adaptive` — a dial-level feedback controller in the style of VICIdial's adaptive modes
//! (`AST_VDadapt.pl`), the best-known open-source predictive dialer.
//!
//! The *dial level* is lines per agent. Every second the controller samples ready agents
//! (available), answered calls waiting for an agent (queued) and agents logged in. Every 15 s it
//! takes the 15-sample averages, m = (ready − waiting) / agents, and scales the level by
//! (1 + m'), where m' is m shaped by the intensity I: m·(1 + I) when m ≥ 0 (I > 0 climbs
//! faster), m·|I − 1| when m < 0 (I > 0 falls slower). The level is capped at `max_level` and
//! floored at 1.0. Then two brakes: if over half of the last minute's finished calls dropped
//! (with more than 20 calls), the level is halved; and once more than 50 calls finished today, if
//! today's drops ÷ answers exceed `target_abandon`: `HardLimit` sets 1.0, `Average` halves it,
//! `Tapered` sets 1.0 after `campaign_end_h` and before that multiplies by min(1, hours left / 10)
//! (VICIdial's HHMM/1000 horizon), so it tolerates overshoot early and tightens towards the end.
//! The level never goes below 1.0.
//!
//! Calls to place = round(level × (available + on contact)) − (calls ringing, in the IVR, queued
//! or with an agent): at level 1.0 this is exactly progressive.
//!
//! Settings: `target_abandon` (default 0.03), `max_level` (lines per agent, default 3.0),
//! `intensity` (−40…40, default 0), `mode` (`HardLimit` default, `Tapered`, `Average`),
//! `campaign_end_h` (hours after the start, default 8). Observes: agent counts, `in_flight`,
//! finished calls (drops as defined in [`crate::drops`]).

use crate::drops::DropMeter;
use crate::param::{CampaignHours, LinesPerAgent};
use crate::{CallRecord, Decision, Millis, Observation, Pacer};
use rules::abandonment::Counting;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

pub(crate) fn default_max_level() -> LinesPerAgent {
    LinesPerAgent::new(3.0).expect("a valid level")
}

pub(crate) fn default_end() -> CampaignHours {
    CampaignHours::new(8.0).expect("valid hours")
}

/// What the controller does once today's drop rate exceeds the target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum AdaptiveMode {
    /// Back to 1.0 (progressive) at once.
    #[default]
    HardLimit,
    /// Tolerate it early in the day, tighten as the campaign's end approaches.
    Tapered,
    /// Halve the level each time, aiming at the target on average.
    Average,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub target_abandon: f64,
    pub max_level: f64,
    /// Intensity as a fraction: −0.4 … 0.4.
    pub intensity: f64,
    pub mode: AdaptiveMode,
    pub campaign_end: Millis,
    /// How the regulator counts the drops `target_abandon` caps.
    pub counting: Counting,
}

const SAMPLE_EVERY: Millis = Millis(1_000);
const UPDATE_EVERY: Millis = Millis(15_000);
const SAMPLES: usize = 15;
/// VICIdial's tapering horizon: HHMM difference / 1000, about ten hours.
const TAPER_HORIZON_H: f64 = 10.0;

#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    ready: f64,
    waiting: f64,
    agents: f64,
}

#[derive(Debug, Clone)]
pub struct Adaptive {
    s: Settings,
    level: f64,
    samples: VecDeque<Sample>,
    next_update: Millis,
    meter: DropMeter,
}

impl Adaptive {
    pub fn new(s: Settings) -> Self {
        Adaptive {
            s,
            level: 1.0,
            samples: VecDeque::with_capacity(SAMPLES),
            next_update: UPDATE_EVERY,
            meter: DropMeter::new(Millis::from_secs(60), s.counting),
        }
    }

    /// Lines per agent now.
    pub fn level(&self) -> f64 {
        self.level
    }

    fn sample(&mut self, seen: &Observation) {
        if self.samples.len() == SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(Sample {
            ready: f64::from(seen.agents.available),
            waiting: f64::from(seen.in_flight.queued),
            agents: f64::from(seen.agents.staffed),
        });
    }

    fn update_level(&mut self, now: Millis) {
        let n = self.samples.len() as f64;
        if n == 0.0 {
            return;
        }
        let avg = |f: fn(&Sample) -> f64| self.samples.iter().map(f).sum::<f64>() / n;
        let (ready, waiting, agents) = (avg(|s| s.ready), avg(|s| s.waiting), avg(|s| s.agents));
        let m = if agents > 0.0 {
            (ready - waiting) / agents
        } else {
            0.0
        };
        let i = self.s.intensity;
        let shaped = if m < 0.0 {
            m * (i - 1.0).abs()
        } else {
            m * (i + 1.0)
        };
        let mut level = (self.level * (1.0 + shaped)).min(self.s.max_level).max(1.0);
        let minute = self.meter.recent(now);
        if minute.calls > 20 && minute.dropped as f64 / minute.calls as f64 > 0.5 {
            level /= 2.0;
        }
        let today = self.meter.totals().calls;
        if today > 50
            && self
                .meter
                .rate(1)
                .is_some_and(|r| r > self.s.target_abandon)
        {
            level = match self.s.mode {
                AdaptiveMode::HardLimit => 1.0,
                AdaptiveMode::Average => level / 2.0,
                AdaptiveMode::Tapered if now >= self.s.campaign_end => 1.0,
                AdaptiveMode::Tapered => {
                    let left_h = (self.s.campaign_end - now).as_secs_f64() / 3_600.0;
                    level * (left_h / TAPER_HORIZON_H).min(1.0)
                }
            };
        }
        self.level = level.max(1.0);
    }
}

impl Pacer for Adaptive {
    fn decide(&mut self, seen: &Observation) -> Decision {
        self.sample(seen);
        if seen.now >= self.next_update {
            self.next_update = seen.now + UPDATE_EVERY;
            self.update_level(seen.now);
        }
        let agents = f64::from(seen.agents.available + seen.agents.on_contact);
        let goal = (self.level * agents).round() as i64;
        let existing = i64::from(seen.in_flight.before_agent() + seen.in_flight.with_agent);
        Decision {
            launch: (goal - existing).clamp(0, i64::from(u32::MAX)) as u32,
            recheck_after: SAMPLE_EVERY,
        }
    }

    fn on_outcome(&mut self, call: &CallRecord) {
        self.meter.record(call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentCounts, InFlight, RingOutcome};

    fn settings(intensity: f64, mode: AdaptiveMode) -> Settings {
        Settings {
            target_abandon: 0.03,
            max_level: 3.0,
            intensity,
            mode,
            campaign_end: Millis::from_secs(8 * 3_600),
            counting: Counting::default(),
        }
    }

    fn seen(t: u64, available: u32, queued: u32) -> Observation<'static> {
        Observation {
            now: Millis::from_secs(t),
            agents: AgentCounts {
                staffed: 100,
                available,
                on_contact: 100 - available,
                after_contact_work: 0,
            },
            in_flight: InFlight {
                queued,
                ..Default::default()
            },
            callable_now: 10_000,
            ..Default::default()
        }
    }

    /// Feeds one 15-second block of identical samples and returns the level after the update.
    fn block(p: &mut Adaptive, start: u64, available: u32, queued: u32) -> f64 {
        for t in start..start + 15 {
            p.decide(&seen(t + 1, available, queued));
        }
        p.level()
    }

    #[test]
    fn level_rises_with_idle_agents_shaped_by_intensity() {
        // m = 20 / 100 = 0.2 → ×1.2; with intensity +20: ×(1 + 0.2·1.2) = ×1.24.
        let mut plain = Adaptive::new(settings(0.0, AdaptiveMode::HardLimit));
        assert!((block(&mut plain, 0, 20, 0) - 1.2).abs() < 1e-12);
        assert!((block(&mut plain, 15, 20, 0) - 1.44).abs() < 1e-12);
        let mut keen = Adaptive::new(settings(0.2, AdaptiveMode::HardLimit));
        assert!((block(&mut keen, 0, 20, 0) - 1.24).abs() < 1e-12);
    }

    #[test]
    fn level_falls_with_waiting_calls_and_never_below_one() {
        let mut p = Adaptive::new(settings(0.2, AdaptiveMode::HardLimit));
        p.level = 2.0;
        // m = −10 / 100; intensity +20 softens the fall: −0.1 · |0.2 − 1| = −0.08 → 1.84.
        assert!((block(&mut p, 0, 0, 10) - 1.84).abs() < 1e-12);
        p.level = 1.05;
        assert_eq!(block(&mut p, 15, 0, 50), 1.0);
    }

    #[test]
    fn level_is_capped_and_launches_level_times_agents_minus_calls() {
        let mut p = Adaptive::new(settings(0.0, AdaptiveMode::HardLimit));
        p.level = 2.9;
        assert_eq!(block(&mut p, 0, 50, 0), 3.0);
        // 3.0 × (50 ready + 50 in call) − 50 with an agent − 20 ringing = 230.
        let mut s = seen(31, 50, 0);
        s.in_flight.with_agent = 50;
        s.in_flight.dialing = 20;
        assert_eq!(p.decide(&s).launch, 230);
    }

    fn finished(t: u64, dropped: bool) -> CallRecord {
        CallRecord {
            customer: 0,
            attempt: 1,
            dialed_at: Millis(0),
            ring_ended_at: Millis(0),
            ring: RingOutcome::Answered,
            choice: Some(crate::Choice::Agent),
            queued_at: Some(Millis::from_secs(t) - Millis(5_000)),
            connected_at: (!dropped).then(|| Millis::from_secs(t) - Millis(5_000)),
            abandoned: dropped,
            ended_at: Millis::from_secs(t),
        }
    }

    #[test]
    fn over_target_today_each_mode_reacts() {
        let run = |mode| {
            let mut p = Adaptive::new(settings(0.0, mode));
            p.level = 2.5;
            // 60 answered calls over ten minutes, 6 dropped: 10% > 3%, but not half of a minute.
            for k in 0..60 {
                p.on_outcome(&finished(k * 10, k % 10 == 0));
            }
            block(&mut p, 600, 0, 0)
        };
        assert_eq!(run(AdaptiveMode::HardLimit), 1.0);
        assert!((run(AdaptiveMode::Average) - 1.25).abs() < 1e-12);
        // The block's first decision (t = 601 s) is due for an update (one sample, m = 0).
        // Tapered there: × min(1, hours left / 10) = × 0.783.
        let left = (8.0 * 3_600.0 - 601.0) / 3_600.0 / 10.0;
        assert!((run(AdaptiveMode::Tapered) - 2.5 * left).abs() < 1e-9);
    }

    #[test]
    fn half_of_the_last_minute_dropped_halves_the_level() {
        let mut p = Adaptive::new(settings(0.0, AdaptiveMode::HardLimit));
        p.level = 2.0;
        for k in 0..30 {
            p.on_outcome(&finished(1 + k, k % 3 != 0)); // 20 of 30 dropped in the last minute
        }
        // 30 calls today is under the daily rule's 50, so only the one-minute brake acts.
        assert_eq!(block(&mut p, 30, 0, 0), 1.0);
    }
}
