//! The event queue. Events pop in (time, scheduling order): events at the same millisecond pop
//! in the order they were scheduled, so every run is deterministic.
//!
//! Nearly every event of a call is due within a minute of being scheduled (ring, detection,
//! IVR, goodbye, most patience and after-call work), so those go to a timing wheel: 4,096 slots
//! of 16 ms cover the next 65.5 s, with a two-level bitmap to find the next occupied slot. A
//! slot is an unsorted list, appended to in O(1); when its turn comes it is sorted once by
//! (time, sequence) and popped from. So a push costs the same whatever the number of calls in
//! flight, and a pop the log of one slot's events, not of every event queued: a burst of a
//! million dials, whose ring ends fall in random order over the next minute, costs per event
//! what a burst of a thousand does (kept in the scale benchmark). Later events (talk, shifts)
//! and the rare event scheduled inside the slot being popped go to binary heaps; a pop takes
//! the earliest of the heads by (time, sequence number). The test below checks the order
//! against a binary heap of (time, sequence).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use strategies::Millis;

/// A call slot and its generation: an event for a call that has since ended (and whose slot was
/// reused) is recognised as stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallId {
    pub slot: u32,
    pub generation: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The ring phase ends: answer, busy, failure or ring timeout.
    RingEnd(CallId),
    /// Answering-machine detection has classified the call.
    AmdDone(CallId),
    /// The caller pressed a key in the IVR (or the prompt timed out).
    IvrChoice(CallId),
    /// The goodbye message finished and the call is disconnected.
    HangUp(CallId),
    /// A queued caller's patience ran out.
    PatienceOut(CallId),
    TalkEnd {
        agent: u32,
    },
    WrapEnd {
        agent: u32,
    },
    ShiftStart {
        agent: u32,
    },
    ShiftEnd {
        agent: u32,
    },
}

/// A slot spans 2^4 = 16 ms.
const SLOT_BITS: u32 = 4;
const SLOTS: u64 = 1 << 12;
/// Milliseconds the wheel covers (roughly: from the slot being popped).
#[cfg(test)]
const WHEEL: u64 = SLOTS << SLOT_BITS;
const WORDS: usize = (SLOTS / 64) as usize;

/// An event with its order: (time, sequence number) packed into one integer.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u128,
    event: Event,
}

impl Entry {
    #[cfg(test)]
    fn at(&self) -> u64 {
        (self.key >> 64) as u64
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// Where the next event comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Due,
    Late,
    Far,
}

#[derive(Debug)]
pub struct EventQueue {
    /// Per slot ((time / 16 ms) mod [`SLOTS`]): its events, unsorted. The wheel holds the
    /// slots after `cursor` and before `cursor + SLOTS`.
    slots: Vec<Vec<Entry>>,
    /// Bit per slot: not empty.
    words: Vec<u64>,
    /// Bit per word of `words`: not zero.
    summary: [u64; WORDS / 64],
    in_wheel: usize,
    /// The slot (time / 16 ms) last taken from the wheel: its events, sorted latest first so
    /// that the next one is at the end, are in `due`.
    cursor: u64,
    due: Vec<Entry>,
    /// Events scheduled in or before the `cursor` slot after it was taken (delays shorter than
    /// a slot; rare).
    late: BinaryHeap<Reverse<Entry>>,
    /// Events beyond the wheel when they were scheduled (talk, shifts).
    far: BinaryHeap<Reverse<Entry>>,
    /// The time of the last pop: nothing queued is earlier.
    now: u64,
    seq: u64,
    popped: u64,
}

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue {
            slots: (0..SLOTS).map(|_| Vec::new()).collect(),
            words: vec![0; WORDS],
            summary: [0; WORDS / 64],
            in_wheel: 0,
            cursor: 0,
            due: Vec::new(),
            late: BinaryHeap::new(),
            far: BinaryHeap::new(),
            now: 0,
            seq: 0,
            popped: 0,
        }
    }
}

impl EventQueue {
    /// Schedules `event` at `at`, which must not be before the last event popped.
    pub fn push(&mut self, at: Millis, event: Event) {
        debug_assert!(at.0 >= self.now, "event scheduled in the past");
        let at = at.0.max(self.now);
        self.seq += 1;
        let entry = Entry {
            key: (u128::from(at) << 64) | u128::from(self.seq),
            event,
        };
        let abs = at >> SLOT_BITS;
        if abs <= self.cursor {
            self.late.push(Reverse(entry));
        } else if abs - self.cursor < SLOTS {
            let slot = (abs & (SLOTS - 1)) as usize;
            if self.slots[slot].is_empty() {
                self.words[slot / 64] |= 1 << (slot % 64);
                self.summary[slot / 4096] |= 1 << ((slot / 64) % 64);
            }
            self.slots[slot].push(entry);
            self.in_wheel += 1;
        } else {
            self.far.push(Reverse(entry));
        }
    }

    /// The first occupied slot at or after `from`, not wrapping.
    fn occupied_from(&self, from: usize) -> Option<usize> {
        let w = from / 64;
        let bits = self.words[w] & (!0u64 << (from % 64));
        if bits != 0 {
            return Some(w * 64 + bits.trailing_zeros() as usize);
        }
        let next = w + 1;
        let mut s = next / 64;
        if s >= self.summary.len() {
            return None;
        }
        let mut bits = self.summary[s] & (!0u64).checked_shl((next % 64) as u32).unwrap_or(0);
        loop {
            if bits != 0 {
                let w = s * 64 + bits.trailing_zeros() as usize;
                return Some(w * 64 + self.words[w].trailing_zeros() as usize);
            }
            s += 1;
            if s >= self.summary.len() {
                return None;
            }
            bits = self.summary[s];
        }
    }

    /// The wheel's first occupied slot after `cursor`: (slot time / 16 ms, index).
    fn next_slot(&self) -> Option<(u64, usize)> {
        if self.in_wheel == 0 {
            return None;
        }
        let start = ((self.cursor + 1) & (SLOTS - 1)) as usize;
        let index = self
            .occupied_from(start)
            .or_else(|| self.occupied_from(0))
            .expect("the wheel holds events");
        let ahead = (index as u64).wrapping_sub(start as u64) & (SLOTS - 1);
        Some((self.cursor + 1 + ahead, index))
    }

    /// The earliest of the sorted slot, the late events and the far heap.
    fn head(&self) -> Option<(Source, u128)> {
        let due = self.due.last().map(|e| (Source::Due, e.key));
        let late = self.late.peek().map(|e| (Source::Late, e.0.key));
        let far = self.far.peek().map(|e| (Source::Far, e.0.key));
        [due, late, far]
            .into_iter()
            .flatten()
            .min_by_key(|&(_, key)| key)
    }

    /// The time of the next event, if any (the simulator uses [`EventQueue::pop_due`]; the
    /// order test looks without popping).
    #[cfg(test)]
    fn peek_time(&self) -> Option<Millis> {
        let wheel = if self.due.is_empty() && self.late.is_empty() {
            self.next_slot()
                .and_then(|(_, index)| self.slots[index].iter().map(Entry::at).min())
        } else {
            None
        };
        let head = self.head().map(|(_, key)| (key >> 64) as u64);
        [wheel, head].into_iter().flatten().min().map(Millis)
    }

    pub fn pop(&mut self) -> Option<(Millis, Event)> {
        self.pop_due(Millis::MAX)
    }

    /// Pops the next event if it is due by `until`.
    pub fn pop_due(&mut self, until: Millis) -> Option<(Millis, Event)> {
        // The wheel's next slot is taken (and sorted, once) only when nothing taken earlier is
        // left and it may hold an event due by `until`: so `cursor` never passes the slot of
        // the clock the caller then schedules from, and new events rarely go to `late`.
        if self.due.is_empty()
            && self.late.is_empty()
            && let Some((abs, index)) = self.next_slot()
            && abs << SLOT_BITS <= until.0
        {
            self.cursor = abs;
            std::mem::swap(&mut self.due, &mut self.slots[index]);
            self.words[index / 64] &= !(1 << (index % 64));
            if self.words[index / 64] == 0 {
                self.summary[index / 4096] &= !(1 << ((index / 64) % 64));
            }
            self.in_wheel -= self.due.len();
            self.due.sort_unstable_by_key(|e| Reverse(e.key));
        }
        let (source, key) = self.head()?;
        let at = (key >> 64) as u64;
        if at > until.0 {
            return None;
        }
        let entry = match source {
            Source::Due => self.due.pop().expect("head seen"),
            Source::Late => self.late.pop().expect("head seen").0,
            Source::Far => self.far.pop().expect("head seen").0,
        };
        self.now = at;
        self.popped += 1;
        Some((Millis(at), entry.event))
    }

    /// Whether no event is queued.
    pub fn is_empty(&self) -> bool {
        self.in_wheel == 0 && self.due.is_empty() && self.late.is_empty() && self.far.is_empty()
    }

    /// Events handled so far (the benchmark's unit of work).
    pub fn popped(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[test]
    fn ties_pop_in_insertion_order() {
        let mut q = EventQueue::default();
        q.push(Millis(5), Event::ShiftStart { agent: 1 });
        q.push(Millis(3), Event::ShiftStart { agent: 2 });
        q.push(Millis(5), Event::ShiftStart { agent: 3 });
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (Millis(3), Event::ShiftStart { agent: 2 }),
                (Millis(5), Event::ShiftStart { agent: 1 }),
                (Millis(5), Event::ShiftStart { agent: 3 }),
            ]
        );
    }

    proptest! {
        /// Interleaved pushes (never before the last pop, but often before the next event),
        /// peeks and pops give the same sequence as a binary heap ordered by (time, sequence).
        #[test]
        fn pops_like_a_heap_of_time_and_sequence(
            ops in prop::collection::vec((0u8..4, 0u64..50, 0u32..4), 1..400),
            far in prop::collection::vec(0u64..(1 << 20), 0..8),
        ) {
            let mut q = EventQueue::default();
            let mut reference = BinaryHeap::new();
            let mut scheduled = Vec::new();
            let mut now = 0u64;
            for (i, &at) in far.iter().enumerate() {
                q.push(Millis(at), Event::ShiftEnd { agent: i as u32 });
                reference.push(Reverse((at, scheduled.len())));
                scheduled.push(Event::ShiftEnd { agent: i as u32 });
            }
            for (i, &(op, delay, spread)) in ops.iter().enumerate() {
                if op == 1 {
                    // A peek alone (the simulator looks, then schedules before the next event),
                    // or a pop bounded by a time that may come before the next event.
                    let next = reference.peek().map(|Reverse((at, s))| (Millis(*at), scheduled[*s]));
                    prop_assert_eq!(q.peek_time(), next.map(|(at, _)| at));
                    let until = Millis(now + delay);
                    let due = next.filter(|(at, _)| *at <= until);
                    prop_assert_eq!(q.pop_due(until), due);
                    if due.is_some() {
                        reference.pop();
                        now = due.map_or(now, |(at, _)| at.0);
                    }
                } else if op == 0 {
                    let expected = reference.pop().map(|Reverse((at, s))| (Millis(at), scheduled[s]));
                    prop_assert_eq!(q.peek_time(), expected.map(|(at, _)| at));
                    prop_assert_eq!(q.pop(), expected);
                    if let Some((at, _)) = expected {
                        now = at.0;
                    }
                } else {
                    // Delays from 0 (ties) to beyond the wheel, so both halves, the wrap of the
                    // wheel and out-of-order times within a slot are exercised.
                    let at = now + (delay << (spread * 5)) + u64::from(spread == 3) * (WHEEL - 40);
                    let at = if spread == 1 { now + delay % 20 } else { at };
                    let event = Event::TalkEnd { agent: i as u32 };
                    q.push(Millis(at), event);
                    reference.push(Reverse((at, scheduled.len())));
                    scheduled.push(event);
                }
            }
            while let Some(Reverse((at, s))) = reference.pop() {
                prop_assert_eq!(q.pop(), Some((Millis(at), scheduled[s])));
            }
            prop_assert_eq!(q.pop(), None);
        }
    }
}
