//! What `live status` reports, computed from the campaign store: customers per result code,
//! calls in flight, the abandon rates by their one definition (the regulator's estimated from
//! what Connect shows, as the pacers estimate it: [`crate::compliance::tally`]),
//! occupancy, the kill-switch's state and an estimate of the time left.
//!
//! A store a rehearsal ran holds the rehearsal's clock, not the wall clock's: its lines are
//! evaluated at the rehearsal's last recorded time.

use crate::compliance::{self, KillSwitchState};
use crate::config::Campaign;
use crate::store::{Attempt, Result, Store};
use crate::time::{HOUR_MS, MINUTE_MS, UnixMillis};
use std::collections::BTreeMap;

/// The campaign's progress at one moment.
#[derive(Clone, Debug)]
pub struct Progress {
    /// When the numbers hold: the wall clock, or a rehearsal's last recorded time.
    pub at: UnixMillis,
    pub rehearsal: bool,
    pub customers: usize,
    pub never_dialed: usize,
    pub callable_now: u64,
    pub attempts: usize,
    pub in_flight: Vec<Attempt>,
    pub per_code: BTreeMap<&'static str, u64>,
    /// Every finished call so far.
    pub abandon: compliance::LiveCounts,
    pub occupancy: Option<f64>,
    /// Customers who may still be called and have no call in flight.
    pub left: u64,
    /// Dials planned in the hour before `at`.
    pub last_hour_dials: u64,
    pub kill_switch: KillSwitchState,
}

impl Progress {
    /// Reads the store of `campaign` at wall time `wall`.
    pub fn read(store: &Store, campaign: &Campaign, wall: UnixMillis) -> Result<Progress> {
        let rehearsal = store.rehearsal_time()?;
        let at = rehearsal.unwrap_or(wall);
        let summaries = store.summaries()?;
        let in_flight = store.in_flight()?;
        let attempts = store.attempts()?;
        let view = store.scan_view(at, &campaign.rules)?;
        let counting = campaign.counting();
        let finished = store.finished_calls()?;
        let ks = &campaign.compliance.kill_switch;
        let window = (ks.window_min.get() * MINUTE_MS as f64).round() as i64;
        let recent: Vec<_> = finished
            .iter()
            .filter(|c| c.ended_at >= at.plus_ms(-window))
            .copied()
            .collect();
        let hour_ago = at.plus_ms(-HOUR_MS);
        Ok(Progress {
            at,
            rehearsal: rehearsal.is_some(),
            customers: summaries.len(),
            never_dialed: summaries.iter().filter(|s| s.attempts == 0).count(),
            callable_now: view.callable_now,
            attempts: attempts.len(),
            per_code: store.counts_per_code()?,
            abandon: compliance::tally(&finished, &counting),
            occupancy: store.occupancy(MINUTE_MS, None)?,
            left: view.remaining.saturating_sub(in_flight.len() as u64),
            last_hour_dials: attempts.iter().filter(|a| a.planned_at >= hour_ago).count() as u64,
            kill_switch: compliance::kill_switch(&recent, ks, &counting, at),
            in_flight,
        })
    }

    /// Hours of dialing left at the last hour's pace (`None` without dials in the last hour).
    pub fn eta_h(&self) -> Option<f64> {
        (self.last_hour_dials > 0).then(|| self.left as f64 / self.last_hour_dials as f64)
    }
}
