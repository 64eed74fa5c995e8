//! The index against a model that scans every customer on every question.

use super::Callable;
use crate::rulebook::RETRY_SLOTS;
use proptest::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Out,
    Fresh,
    /// Released with this due time, as the `seq`-th release.
    Retry {
        due: u64,
        seq: u64,
    },
    Waiting {
        due: u64,
        slot: usize,
        seq: u64,
    },
    Taken,
}

struct Model {
    zone_of: Vec<u16>,
    zones: usize,
    places: Vec<Place>,
    seq: u64,
}

impl Model {
    fn ready(&self, c: usize) -> bool {
        matches!(self.places[c], Place::Fresh | Place::Retry { .. })
    }

    fn release(&mut self, until: u64) -> u64 {
        let mut due: Vec<(u64, usize, u64, usize)> = (0..self.places.len())
            .filter_map(|c| match self.places[c] {
                Place::Waiting { due, slot, seq } if due <= until => Some((due, slot, seq, c)),
                _ => None,
            })
            .collect();
        due.sort();
        for &(due, _, _, c) in &due {
            self.seq += 1;
            self.places[c] = Place::Retry { due, seq: self.seq };
        }
        due.len() as u64
    }

    fn next(&self, open: &[bool]) -> Option<u32> {
        // Each zone's front: its earliest released retry, else its first listed customer; the
        // best front across zones: retries before the list, by (due, customer).
        (0..self.zones)
            .filter(|&z| open[z])
            .filter_map(|z| {
                let mine = (0..self.places.len()).filter(|&c| usize::from(self.zone_of[c]) == z);
                let retry = mine
                    .clone()
                    .filter_map(|c| match self.places[c] {
                        Place::Retry { due, seq } => Some((seq, due, c)),
                        _ => None,
                    })
                    .min()
                    .map(|(_, due, c)| (false, due, c));
                retry.or_else(|| {
                    mine.filter(|&c| self.places[c] == Place::Fresh)
                        .min()
                        .map(|c| (true, c as u64, c))
                })
            })
            .min()
            .map(|(_, _, c)| c as u32)
    }

    fn callable(&self, open: &[bool]) -> u64 {
        (0..self.places.len())
            .filter(|&c| self.ready(c) && open[usize::from(self.zone_of[c])])
            .count() as u64
    }

    fn ready_in(&self, zone: usize) -> u64 {
        (0..self.places.len())
            .filter(|&c| self.ready(c) && usize::from(self.zone_of[c]) == zone)
            .count() as u64
    }

    fn remaining(&self) -> u64 {
        self.places.iter().filter(|p| **p != Place::Out).count() as u64
    }

    fn next_due(&self) -> Option<u64> {
        self.places
            .iter()
            .filter_map(|p| match *p {
                Place::Waiting { due, .. } => Some(due),
                _ => None,
            })
            .min()
    }
}

#[derive(Clone, Debug)]
enum Op {
    Add,
    Take(usize),
    TakeNext,
    Schedule(usize, usize, u64),
    Remove(usize),
    Release(u64),
    Window(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Add),
        1 => any::<usize>().prop_map(Op::Take),
        3 => Just(Op::TakeNext),
        3 => (any::<usize>(), 0..RETRY_SLOTS, 0u64..4).prop_map(|(c, s, d)| Op::Schedule(c, s, d)),
        1 => any::<usize>().prop_map(Op::Remove),
        2 => (0u64..5).prop_map(Op::Release),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(z, o)| Op::Window(z, o)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_index_answers_as_a_scan_of_every_customer(
        zone_of in prop::collection::vec(0u16..3, 1..12),
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let zones = 3;
        let n = zone_of.len();
        let mut index: Callable<u64> = Callable::new(zones, zone_of.clone());
        let mut model = Model { zone_of, zones, places: vec![Place::Out; n], seq: 0 };
        let mut open = vec![true; zones];
        let (mut added, mut now, mut scheduled) = (0, 0u64, 0u64);
        let mut touched = vec![false; n];
        for op in ops {
            match op {
                Op::Add => {
                    // A customer is added before anything else happens to it, or never.
                    while added < n && touched[added] {
                        added += 1;
                    }
                    if added < n {
                        index.add(added as u32);
                        model.places[added] = Place::Fresh;
                        added += 1;
                    }
                }
                Op::Take(c) => {
                    let c = c % n;
                    touched[c] = true;
                    prop_assert_eq!(index.take(c as u32), model.ready(c));
                    model.places[c] = Place::Taken;
                }
                Op::TakeNext => {
                    if let Some(c) = index.next(&open) {
                        prop_assert!(index.take(c));
                        touched[c as usize] = true;
                        model.places[c as usize] = Place::Taken;
                    }
                }
                Op::Schedule(c, slot, after) => {
                    let c = c % n;
                    touched[c] = true;
                    let due = now + 1 + after;
                    scheduled += 1;
                    index.schedule(c as u32, slot, due);
                    model.places[c] = Place::Waiting { due, slot, seq: scheduled };
                }
                Op::Remove(c) => {
                    let c = c % n;
                    touched[c] = true;
                    index.remove(c as u32);
                    model.places[c] = Place::Out;
                }
                Op::Release(step) => {
                    now += step;
                    prop_assert_eq!(index.release(now), model.release(now));
                }
                Op::Window(z, o) => open[z % zones] = o,
            }
            prop_assert_eq!(index.next(&open), model.next(&open));
            prop_assert_eq!(index.callable(&open), model.callable(&open));
            for z in 0..zones {
                prop_assert_eq!(index.ready_in(z as u16), model.ready_in(z));
            }
            for c in 0..n {
                prop_assert_eq!(index.is_ready(c as u32), model.ready(c));
            }
            prop_assert_eq!(index.remaining(), model.remaining());
            prop_assert_eq!(index.next_due(), model.next_due());
        }
    }
}

#[test]
fn due_retries_go_before_the_list_and_ties_follow_the_rule_order() {
    let mut index: Callable<u64> = Callable::new(2, vec![0, 1, 0, 1]);
    for c in 0..4 {
        index.add(c);
    }
    let open = [true, true];
    assert_eq!(index.next(&open), Some(0));
    for c in [0, 1] {
        assert!(index.take(c));
    }
    index.schedule(1, 4, 10);
    index.schedule(0, 2, 10);
    assert_eq!(index.next_due(), Some(10));
    assert_eq!(index.release(9), 0);
    assert_eq!(index.release(10), 2);
    assert_eq!(index.next_due(), None);
    assert_eq!(index.next(&open), Some(0));
    assert_eq!(index.next(&[false, true]), Some(1));
    assert_eq!(index.callable(&[false, true]), 2);
    assert_eq!(index.remaining(), 4);
}
