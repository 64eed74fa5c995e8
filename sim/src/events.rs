//! The event queue: a binary heap ordered by (time, insertion sequence), so events at the same
//! millisecond pop in the order they were scheduled and every run is deterministic.

use dary_heap::QuaternaryHeap as Heap;
use std::cmp::Ordering;
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

/// (time, sequence) packed into one integer so the heap compares once per step.
#[derive(Debug)]
struct Entry {
    key: u128,
    event: Event,
}

impl Entry {
    fn at(&self) -> Millis {
        Millis((self.key >> 64) as u64)
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
    /// Reversed: the heap's maximum is the earliest (time, sequence).
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

#[derive(Debug, Default)]
pub struct EventQueue {
    heap: Heap<Entry>,
    seq: u64,
    popped: u64,
}

impl EventQueue {
    pub fn push(&mut self, at: Millis, event: Event) {
        self.seq += 1;
        self.heap.push(Entry {
            key: (u128::from(at.0) << 64) | u128::from(self.seq),
            event,
        });
    }

    pub fn peek_time(&self) -> Option<Millis> {
        self.heap.peek().map(Entry::at)
    }

    pub fn pop(&mut self) -> Option<(Millis, Event)> {
        let e = self.heap.pop()?;
        self.popped += 1;
        Some((e.at(), e.event))
    }

    /// Events handled so far (the benchmark's unit of work).
    pub fn popped(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
