//! Who may be dialed next: an index kept up to date as calls are placed and end.
//!
//! A dialer asks "whom do I call now, and how many could I call" at every pacing decision.
//! Answering from the list and the attempt history costs a pass over every customer; this index
//! answers in time proportional to the number of time zones instead, and the simulator's
//! campaign and live's run loop both use it, so that both dial in the same order:
//!
//! - due retries first, earliest due first (customers falling due at the same instant in
//!   [`crate::rulebook::retry_slot`] order, then in the order they were scheduled),
//! - then the list, in list order (customer numbers ascending),
//!
//! among the time zones whose calling window is open. Whether a zone is open is the caller's
//! answer (a slice of booleans by zone), since a caller knows when it can have changed.
//!
//! A customer is in one of four places: out of the campaign (never added, or done), ready,
//! waiting for a retry to fall due, or taken (in a call). The index holds four bytes per
//! customer for this and two for the time zone. Queues are never searched: an entry left behind
//! when its customer moved on is recognised as stale by a mark (the place and how many times the
//! customer was queued) and dropped when it reaches a queue's front.

use crate::rulebook::RETRY_SLOTS;
use std::collections::VecDeque;

const OUT: u32 = 0;
const READY: u32 = 1;
const WAITING: u32 = 2;
const TAKEN: u32 = 3;
const PLACE: u32 = 3;
/// The mark of a customer added from the list and not yet dialed: queued once, ready.
const FRESH: u32 = (1 << 2) | READY;

/// A zone's next customer, ordered as the dialer prefers: due retries before the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Candidate<T> {
    Retry(T, u32),
    Fresh(u32),
}

impl<T> Candidate<T> {
    fn customer(&self) -> u32 {
        match *self {
            Candidate::Retry(_, c) | Candidate::Fresh(c) => c,
        }
    }
}

/// The ready customers of one time zone.
#[derive(Clone, Debug)]
struct Zone<T> {
    /// (customer, mark when queued, due), in the order released: due order.
    retries: VecDeque<(u32, u32, T)>,
    /// Customers added from the list, in list order.
    fresh: VecDeque<u32>,
    ready: u64,
    /// Both fronts are valid (or the queues empty) and `candidate` is current.
    clean: bool,
    candidate: Option<Candidate<T>>,
}

impl<T> Default for Zone<T> {
    fn default() -> Self {
        Zone {
            retries: VecDeque::new(),
            fresh: VecDeque::new(),
            ready: 0,
            clean: true,
            candidate: None,
        }
    }
}

impl<T: Copy + Ord> Zone<T> {
    fn tidy(&mut self, marks: &[u32]) {
        while let Some(&(c, mark, _)) = self.retries.front()
            && marks[c as usize] != mark
        {
            self.retries.pop_front();
        }
        while let Some(&c) = self.fresh.front()
            && marks[c as usize] != FRESH
        {
            self.fresh.pop_front();
        }
        self.candidate = match (self.retries.front(), self.fresh.front()) {
            (Some(&(c, _, due)), _) => Some(Candidate::Retry(due, c)),
            (None, Some(&c)) => Some(Candidate::Fresh(c)),
            _ => None,
        };
        self.clean = true;
    }
}

/// The callable index over a list of customers numbered `0..n` in list order, with due times
/// of type `T` (the simulator's milliseconds since the start, live's instants).
#[derive(Clone, Debug)]
pub struct Callable<T> {
    zone_of: Vec<u16>,
    /// Per customer: how many times queued (ready or waiting), shifted left by 2, and the place.
    marks: Vec<u32>,
    zones: Vec<Zone<T>>,
    /// Customers waiting for a retry, one queue per retry rule, in due order: (due, customer,
    /// mark).
    waits: [VecDeque<(T, u32, u32)>; RETRY_SLOTS],
    next_due: Option<T>,
    remaining: u64,
    last_added: Option<u32>,
}

impl<T: Copy + Ord> Callable<T> {
    /// An index over customers whose time zones (numbers below `zones`) are `zone_of`, all out
    /// of the campaign until added.
    pub fn new(zones: usize, zone_of: Vec<u16>) -> Callable<T> {
        assert!(
            zone_of.iter().all(|&z| usize::from(z) < zones),
            "a customer's time zone is out of range"
        );
        Callable {
            marks: vec![OUT; zone_of.len()],
            zone_of,
            zones: (0..zones).map(|_| Zone::default()).collect(),
            waits: Default::default(),
            next_due: None,
            remaining: 0,
            last_added: None,
        }
    }

    /// Makes a customer of the list ready for a first call. Customers are added in list order,
    /// each at most once and before anything else happens to it.
    pub fn add(&mut self, customer: u32) {
        assert!(
            self.marks[customer as usize] == OUT && self.last_added.is_none_or(|l| l < customer),
            "customers are added once each, in list order"
        );
        self.last_added = Some(customer);
        self.marks[customer as usize] = FRESH;
        self.remaining += 1;
        let zone = &mut self.zones[usize::from(self.zone_of[customer as usize])];
        zone.fresh.push_back(customer);
        zone.ready += 1;
        zone.clean = false;
    }

    /// Whether the customer is ready to be dialed (its zone's window aside).
    pub fn is_ready(&self, customer: u32) -> bool {
        self.marks[customer as usize] & PLACE == READY
    }

    /// The customer is in a call (dialed now, or found in flight when a run resumes). Returns
    /// whether it was ready.
    pub fn take(&mut self, customer: u32) -> bool {
        let was = self.leave(customer);
        let mark = &mut self.marks[customer as usize];
        *mark = (*mark & !PLACE) | TAKEN;
        was == READY
    }

    /// The customer waits until `due` for a retry under rule `slot` (a
    /// [`crate::rulebook::retry_slot`]). `due` is after the last [`Callable::release`]'s time,
    /// except while an index is being built: ready retries keep the order they were released in.
    pub fn schedule(&mut self, customer: u32, slot: usize, due: T) {
        self.leave(customer);
        let mark = self.queued(customer, WAITING);
        // A rule's delay is fixed, so due times mostly arrive in order; one that does not (a
        // refused dial rescheduled) is put in its place.
        let waits = &mut self.waits[slot];
        if waits.back().is_none_or(|&(last, _, _)| last <= due) {
            waits.push_back((due, customer, mark));
        } else {
            let at = waits.partition_point(|&(d, _, _)| d <= due);
            waits.insert(at, (due, customer, mark));
        }
        self.next_due = Some(self.next_due.map_or(due, |d| d.min(due)));
    }

    /// The customer's campaign is over (a final result, no retry left, refused for good).
    pub fn remove(&mut self, customer: u32) {
        self.leave(customer);
        self.remaining -= 1;
        let mark = &mut self.marks[customer as usize];
        *mark &= !PLACE;
    }

    /// Makes every customer whose retry is due by `until` ready, in due order (ties: rule
    /// order, then the order scheduled). Returns how many became ready.
    pub fn release(&mut self, until: T) -> u64 {
        let mut released = 0;
        loop {
            let next = (0..RETRY_SLOTS)
                .filter_map(|k| self.waits[k].front().map(|&(due, _, _)| (due, k)))
                .min();
            match next {
                Some((due, k)) if due <= until => {
                    let (_, customer, mark) = self.waits[k].pop_front().expect("front seen");
                    if self.marks[customer as usize] != mark {
                        continue;
                    }
                    let mark = self.queued(customer, READY);
                    let zone = &mut self.zones[usize::from(self.zone_of[customer as usize])];
                    zone.retries.push_back((customer, mark, due));
                    zone.ready += 1;
                    zone.clean = false;
                    released += 1;
                }
                _ => break,
            }
        }
        self.refresh_next_due();
        released
    }

    /// The customer to dial next among the zones open in `open` (by zone number).
    pub fn next(&mut self, open: &[bool]) -> Option<u32> {
        let mut best: Option<Candidate<T>> = None;
        let marks = &self.marks;
        for (zone, &open) in self.zones.iter_mut().zip(open) {
            if zone.ready == 0 || !open {
                continue;
            }
            if !zone.clean {
                zone.tidy(marks);
            }
            if let Some(cand) = zone.candidate
                && best.is_none_or(|b| cand < b)
            {
                best = Some(cand);
            }
        }
        best.map(|c| c.customer())
    }

    /// Ready customers in the zones open in `open`.
    pub fn callable(&self, open: &[bool]) -> u64 {
        self.zones
            .iter()
            .zip(open)
            .filter(|(_, open)| **open)
            .map(|(z, _)| z.ready)
            .sum()
    }

    /// Ready customers in one zone, open or not.
    pub fn ready_in(&self, zone: u16) -> u64 {
        self.zones[usize::from(zone)].ready
    }

    /// Customers still in the campaign: ready, waiting for a retry or in a call.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// When the earliest waiting customer falls due (`None`: nobody waits).
    pub fn next_due(&self) -> Option<T> {
        self.next_due
    }

    /// Moves a customer out of its place, keeping the counts as if it stays in the campaign;
    /// returns the place it was in.
    fn leave(&mut self, customer: u32) -> u32 {
        let place = self.marks[customer as usize] & PLACE;
        match place {
            OUT => self.remaining += 1,
            READY => {
                let zone = &mut self.zones[usize::from(self.zone_of[customer as usize])];
                zone.ready -= 1;
                zone.clean = false;
            }
            _ => {}
        }
        // The place is changed by the caller; a waiting front may be this customer's.
        if place == WAITING {
            self.marks[customer as usize] &= !PLACE;
            self.refresh_next_due();
        }
        place
    }

    /// Queues the customer once more, into `place`; returns its new mark.
    fn queued(&mut self, customer: u32, place: u32) -> u32 {
        let mark = &mut self.marks[customer as usize];
        *mark = ((*mark >> 2).wrapping_add(1) << 2) | place;
        *mark
    }

    /// Drops stale waiting fronts and notes the earliest due.
    fn refresh_next_due(&mut self) {
        let marks = &self.marks;
        self.next_due = self
            .waits
            .iter_mut()
            .filter_map(|q| {
                while let Some(&(_, c, mark)) = q.front()
                    && marks[c as usize] != mark
                {
                    q.pop_front();
                }
                q.front().map(|&(due, _, _)| due)
            })
            .min();
    }
}

#[cfg(test)]
mod tests;
