//! The event queue. Events pop in (time, scheduling order): events at the same millisecond pop
//! in the order they were scheduled, so every run is deterministic.
//!
//! Nearly every event of a call is due within a minute of being scheduled (ring, detection,
//! IVR, goodbye, most patience and after-call work), so those go to a timing wheel: 4,096 slots
//! of 16 ms cover the next 65.5 s, each slot a short list kept in (time, sequence) order, with a
//! two-level bitmap to find the next occupied slot. Pushing and popping cost a few dozen
//! instructions whatever the number of calls in flight, and the wheel's 16 KB of slots stay in
//! cache (one slot per millisecond, 256 KB, missed it on every push). Later events (talk,
//! shifts) go to a binary heap, and so does an event earlier than the last one of its slot
//! (rare, but a burst of dials puts thousands in a slot out of order); a pop takes the earlier
//! of the two heads by (time, sequence number). The test below checks the order against a binary heap of (time,
//! sequence).

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
/// Milliseconds the wheel covers (roughly: from the start of the last pop's slot).
#[cfg(test)]
const WHEEL: u64 = SLOTS << SLOT_BITS;
const WORDS: usize = (SLOTS / 64) as usize;
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Node {
    at: u64,
    seq: u64,
    event: Event,
    /// The next node in the slot's circular list (or in the free list).
    next: u32,
}

/// An event beyond the wheel, ordered by (time, sequence) packed into one integer.
#[derive(Debug)]
struct Far {
    key: u128,
    event: Event,
}

impl PartialEq for Far {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Far {}
impl PartialOrd for Far {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Far {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

#[derive(Debug)]
pub struct EventQueue {
    /// Per slot ((time / 16 ms) mod [`SLOTS`]): the last node of its circular list, kept in
    /// (time, sequence) order, or [`NONE`].
    tails: Vec<u32>,
    /// Bit per slot: occupied.
    words: Vec<u64>,
    /// Bit per word of `words`: not zero.
    summary: [u64; WORDS / 64],
    nodes: Vec<Node>,
    free: u32,
    in_wheel: usize,
    far: BinaryHeap<Reverse<Far>>,
    /// The time of the last pop: nothing queued is earlier, and the wheel holds the events of
    /// the [`SLOTS`] slots from the one `now` is in.
    now: u64,
    seq: u64,
    popped: u64,
}

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue {
            tails: vec![NONE; SLOTS as usize],
            words: vec![0; WORDS],
            summary: [0; WORDS / 64],
            nodes: Vec::new(),
            free: NONE,
            in_wheel: 0,
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
        let slot = ((at >> SLOT_BITS) & (SLOTS - 1)) as usize;
        let tail = self.tails[slot];
        // Beyond the wheel, or earlier than the last event of its slot (a burst of calls puts
        // thousands in one slot out of order, and a sorted insert would walk them all): the
        // heap. Pops compare both heads by (time, sequence), so the order is the same.
        if (at >> SLOT_BITS) - (self.now >> SLOT_BITS) >= SLOTS
            || (tail != NONE && self.nodes[tail as usize].at > at)
        {
            self.far.push(Reverse(Far {
                key: (u128::from(at) << 64) | u128::from(self.seq),
                event,
            }));
            return;
        }
        let node = Node {
            at,
            seq: self.seq,
            event,
            next: NONE,
        };
        let id = if self.free == NONE {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        } else {
            let id = self.free;
            self.free = self.nodes[id as usize].next;
            self.nodes[id as usize] = node;
            id
        };
        if tail == NONE {
            self.nodes[id as usize].next = id;
            self.tails[slot] = id;
            self.words[slot / 64] |= 1 << (slot % 64);
            self.summary[slot / 4096] |= 1 << ((slot / 64) % 64);
        } else {
            // Latest in its slot (the newest sequence number goes last).
            self.nodes[id as usize].next = self.nodes[tail as usize].next;
            self.nodes[tail as usize].next = id;
            self.tails[slot] = id;
        }
        self.in_wheel += 1;
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

    /// The wheel's earliest event: (time, slot).
    fn wheel_head(&self) -> Option<(u64, usize)> {
        if self.in_wheel == 0 {
            return None;
        }
        let start = ((self.now >> SLOT_BITS) & (SLOTS - 1)) as usize;
        let slot = self
            .occupied_from(start)
            .or_else(|| self.occupied_from(0))
            .expect("the wheel holds events");
        let head = self.nodes[self.tails[slot] as usize].next;
        Some((self.nodes[head as usize].at, slot))
    }

    /// The time of the next event, if any (the simulator uses [`EventQueue::pop_due`]; the
    /// order test looks without popping).
    #[cfg(test)]
    fn peek_time(&self) -> Option<Millis> {
        let wheel = self.wheel_head().map(|(at, _)| at);
        let far = self.far.peek().map(|f| (f.0.key >> 64) as u64);
        match (wheel, far) {
            (Some(w), Some(f)) => Some(Millis(w.min(f))),
            (w, f) => w.or(f).map(Millis),
        }
    }

    pub fn pop(&mut self) -> Option<(Millis, Event)> {
        self.pop_due(Millis::MAX)
    }

    /// Pops the next event if it is due by `until` (peeking and popping in one search).
    pub fn pop_due(&mut self, until: Millis) -> Option<(Millis, Event)> {
        let wheel = self.wheel_head();
        let from_wheel = match (wheel, self.far.peek()) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((at, slot)), Some(far)) => {
                let head = self.nodes[self.tails[slot] as usize].next;
                let key = (u128::from(at) << 64) | u128::from(self.nodes[head as usize].seq);
                key < far.0.key
            }
        };
        if !from_wheel {
            let far = self.far.peek_mut().expect("peeked");
            let at = (far.0.key >> 64) as u64;
            if at > until.0 {
                return None;
            }
            let Reverse(far) = std::collections::binary_heap::PeekMut::pop(far);
            self.now = at;
            self.popped += 1;
            return Some((Millis(at), far.event));
        }
        let (at, slot) = wheel.expect("chosen");
        if at > until.0 {
            return None;
        }
        let tail = self.tails[slot];
        let head = self.nodes[tail as usize].next;
        if head == tail {
            self.tails[slot] = NONE;
            self.words[slot / 64] &= !(1 << (slot % 64));
            if self.words[slot / 64] == 0 {
                self.summary[slot / 4096] &= !(1 << ((slot / 64) % 64));
            }
        } else {
            self.nodes[tail as usize].next = self.nodes[head as usize].next;
        }
        let event = self.nodes[head as usize].event;
        self.nodes[head as usize].next = self.free;
        self.free = head;
        self.in_wheel -= 1;
        self.now = at;
        self.popped += 1;
        Some((Millis(at), event))
    }

    /// Whether no event is queued.
    pub fn is_empty(&self) -> bool {
        self.in_wheel == 0 && self.far.is_empty()
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
