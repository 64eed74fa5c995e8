//! The store's cache of who is callable next: [`rules::callable::Callable`], the simulator's
//! index, over the store's customers.
//!
//! Asking the rulebook about every customer at every pacing decision costs a pass over the list
//! and all its attempts. The index is built once per run from the list and the attempt history
//! (each customer through [`rules::rulebook::may_dial`] once) and kept up to date as attempts
//! are planned, finish, fail or are refused, so a decision costs the number of time zones plus
//! the customers launched. It is a cache: [`crate::store::Store::plan_attempt`] still asks the
//! rulebook inside its transaction, and a customer it refuses is placed again by that answer.
//!
//! The index asks for ready customers regardless of the calling window, which it applies per
//! time zone (one per UTC offset in the list); so a customer's place is decided with the rules
//! at any hour.

use crate::UnixMillis;
use rules::Outcome;
use rules::Rules;
use rules::callable::Callable;
use rules::rulebook::{
    CallingWindow, CustomerFacts, PastAttempt, PastState, Verdict, may_dial, retry_slot,
    window_opens,
};
use rules::zone::Zone;
use std::collections::HashMap;

/// Before any attempt a store can hold.
const LONG_AGO: UnixMillis = UnixMillis(i64::MIN / 2);

/// What the index keeps of a stored customer.
pub(crate) struct Listed {
    /// The store's id of the customer.
    pub(crate) id: i64,
    /// In the contact list at the last import.
    pub(crate) listed: bool,
    pub(crate) facts: CustomerFacts,
}

/// The callable index over the store's customers, in list order.
pub(crate) struct DialIndex {
    /// The rules the index was built for.
    pub(crate) rules: Rules,
    any_hour: Rules,
    callable: Callable<UnixMillis>,
    customers: Vec<Listed>,
    position: HashMap<i64, u32>,
    /// Each time zone, by its number in the callable index.
    zones: Vec<Zone>,
}

/// The numbers of [`crate::store::PacingView`] at one moment.
pub(crate) struct Counts {
    pub(crate) callable_now: u64,
    pub(crate) remaining: u64,
    pub(crate) next_opening: Option<UnixMillis>,
}

impl DialIndex {
    /// The index over `customers` (in list order) with their attempts.
    pub(crate) fn build(
        customers: Vec<Listed>,
        history: &HashMap<i64, Vec<PastAttempt>>,
        rules: &Rules,
    ) -> DialIndex {
        // Zones numbered in order of first appearance in the list; a customer without a zone
        // (an invalid line, never dialed) is filed under zone 0.
        let mut number: HashMap<Zone, u16> = HashMap::new();
        let mut zones = Vec::new();
        for c in &customers {
            if let Some(z) = c.facts.zone {
                number.entry(z).or_insert_with(|| {
                    zones.push(z);
                    (zones.len() - 1) as u16
                });
            }
        }
        if zones.is_empty() {
            zones.push(Zone::Fixed(0));
        }
        let zone_of = customers
            .iter()
            .map(|c| c.facts.zone.map_or(0, |z| number[&z]))
            .collect();
        let mut index = DialIndex {
            rules: rules.clone(),
            any_hour: Rules {
                calling_window: CallingWindow::ANY_HOUR,
                ..rules.clone()
            },
            callable: Callable::new(zones.len(), zone_of),
            position: customers
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id, i as u32))
                .collect(),
            customers,
            zones,
        };
        for i in 0..index.customers.len() {
            let h = history
                .get(&index.customers[i].id)
                .map_or(&[][..], Vec::as_slice);
            index.place(i as u32, h, true);
        }
        index
    }

    /// Places a customer by what the rulebook says of it with `history` (its attempts now).
    pub(crate) fn update(&mut self, customer: i64, history: &[PastAttempt]) {
        if let Some(&i) = self.position.get(&customer) {
            self.place(i, history, false);
        }
    }

    /// The customer was planned a call.
    pub(crate) fn taken(&mut self, customer: i64) {
        if let Some(&i) = self.position.get(&customer) {
            self.callable.take(i);
        }
    }

    fn place(&mut self, i: u32, history: &[PastAttempt], building: bool) {
        let c = &self.customers[i as usize];
        if !c.listed {
            self.callable.remove(i);
            return;
        }
        // Asked long before any attempt, at any hour, the rulebook says when the customer is
        // ready next: its retry delay's end (or the quiet period's after an abandon).
        match may_dial(&c.facts, history, &self.any_hour, LONG_AGO) {
            Verdict::Never(_) => self.callable.remove(i),
            Verdict::Later {
                not_before: None, ..
            } => {
                self.callable.take(i);
            }
            Verdict::Later {
                not_before: Some(due),
                ..
            } => {
                let last = history
                    .iter()
                    .max_by_key(|a| a.number)
                    .map(|a| match a.state {
                        PastState::Finished(o) => o,
                        PastState::Failed | PastState::InFlight => Outcome::Failed,
                    });
                let slot = last.and_then(retry_slot).unwrap_or(0);
                self.callable.schedule(i, slot, due);
            }
            // Never dialed: from the list, in list order.
            Verdict::Now { .. } if building => self.callable.add(i),
            Verdict::Now { .. } => {
                if !self.callable.is_ready(i) {
                    self.callable.schedule(i, 0, LONG_AGO);
                }
            }
        }
    }

    /// The numbers of a pacing decision at `now`.
    pub(crate) fn counts(&mut self, now: UnixMillis) -> Counts {
        let open = self.open(now);
        let window = &self.rules.calling_window;
        let opens = (0..self.zones.len())
            .filter(|&z| !open[z] && self.callable.ready_in(z as u16) > 0)
            .filter_map(|z| window_opens(window, &self.zones[z], now));
        let next_opening = opens.chain(self.callable.next_due()).min();
        Counts {
            callable_now: self.callable.callable(&open),
            remaining: self.callable.remaining(),
            next_opening,
        }
    }

    /// The store's id of the customer to dial next at `now`, if any is callable.
    pub(crate) fn next(&mut self, now: UnixMillis) -> Option<i64> {
        let open = self.open(now);
        let i = self.callable.next(&open)?;
        Some(self.customers[i as usize].id)
    }

    /// Which time zones' windows are open at `now`, once due retries are released.
    fn open(&mut self, now: UnixMillis) -> Vec<bool> {
        self.callable.release(now);
        let window = &self.rules.calling_window;
        self.zones.iter().map(|z| window.is_open(z, now)).collect()
    }
}
