//! Time-weighted accumulation of a level (agents busy, callers queued) into fixed-width buckets,
//! so that both whole-campaign totals and per-interval series come from one place. A gauge also
//! sums the area inside a measurement window, which need not fall on bucket edges: the series
//! keeps the whole campaign while the window's totals are exact to the millisecond.

use strategies::Millis;

#[derive(Clone, Debug)]
pub struct Gauge {
    interval: u64,
    level: u64,
    since: u64,
    /// Area under the level (level × milliseconds) per bucket.
    areas: Vec<u128>,
    /// Spans covering whole buckets, as a difference array (+1 where a run of whole buckets
    /// starts, -1 after it ends), folded into `areas` by [`Gauge::settle`]: a span costs the
    /// same however many buckets it covers.
    whole: Vec<i64>,
    /// The bucket last written, as (index, start, end): most changes fall in it, and checking
    /// that is cheaper than a division.
    current: (usize, u64, u64),
    /// The measurement window `[from, to)` in milliseconds, and the area inside it.
    window: (u64, u64),
    in_window: u128,
}

impl Gauge {
    pub fn new(interval: Millis) -> Gauge {
        Gauge {
            interval: interval.0.max(1),
            level: 0,
            since: 0,
            areas: Vec::new(),
            whole: Vec::new(),
            current: (0, 0, 0),
            window: (0, u64::MAX),
            in_window: 0,
        }
    }

    /// A gauge that also sums its area inside `[from, to)` ([`Gauge::total_within`]).
    pub fn within(interval: Millis, from: Millis, to: Millis) -> Gauge {
        Gauge {
            window: (from.0, to.0),
            ..Gauge::new(interval)
        }
    }

    /// Milliseconds of `[from, to)` inside the window.
    fn overlap(&self, from: u64, to: u64) -> u64 {
        to.min(self.window.1)
            .saturating_sub(from.max(self.window.0))
    }

    pub fn level(&self) -> u64 {
        self.level
    }

    /// Accounts for the level up to `now`, then changes it. An unchanged level needs no
    /// accounting yet: the next change or flush covers the whole span, bucket by bucket.
    pub fn set(&mut self, now: Millis, level: u64) {
        if level != self.level {
            self.flush(now);
            self.level = level;
        }
    }

    pub fn add(&mut self, now: Millis, delta: i64) {
        let level = self.level as i64 + delta;
        debug_assert!(level >= 0, "gauge below zero");
        self.set(now, level.max(0) as u64);
    }

    /// Accounts for the current level up to `now`.
    pub fn flush(&mut self, now: Millis) {
        let mut t = self.since;
        let end = now.0.max(t);
        if self.level > 0 {
            self.in_window += u128::from(self.level) * u128::from(self.overlap(t, end));
        }
        let (index, start, stop) = self.current;
        if self.level > 0 && start <= t && end <= stop && stop > start {
            self.areas[index] += u128::from(self.level) * u128::from(end - t);
        } else if self.level > 0 {
            while t < end {
                let bucket = (t / self.interval) as usize;
                let bucket_end = (bucket as u64 + 1) * self.interval;
                let until = bucket_end.min(end);
                if self.areas.len() <= bucket {
                    self.areas.resize(bucket + 1, 0);
                }
                self.areas[bucket] += u128::from(self.level) * u128::from(until - t);
                self.current = (bucket, bucket_end - self.interval, bucket_end);
                t = until;
            }
        }
        self.since = end;
    }

    /// Adds one unit of level over `[from, to)` straight to the areas, for a level that is a
    /// count of intervals known when they end (calls in progress): one update per interval
    /// instead of one at each end. Do not mix with [`Gauge::set`] on the same gauge.
    /// Call [`Gauge::settle`] before reading the areas.
    pub fn add_span(&mut self, from: Millis, to: Millis) {
        let (t, end) = (from.0, to.0);
        if t >= end {
            return;
        }
        self.in_window += u128::from(self.overlap(t, end));
        let iv = self.interval;
        let (first, last) = ((t / iv) as usize, ((end - 1) / iv) as usize);
        if self.areas.len() <= last {
            self.areas.resize(last + 1, 0);
        }
        if first == last {
            self.areas[first] += u128::from(end - t);
            return;
        }
        self.areas[first] += u128::from((first as u64 + 1) * iv - t);
        self.areas[last] += u128::from(end - last as u64 * iv);
        if last > first + 1 {
            if self.whole.len() <= last {
                self.whole.resize(last + 1, 0);
            }
            self.whole[first + 1] += 1;
            self.whole[last] -= 1;
        }
    }

    /// Folds the whole buckets of [`Gauge::add_span`]'s spans into the areas.
    pub fn settle(&mut self) {
        let mut covering: i64 = 0;
        for (b, d) in std::mem::take(&mut self.whole).into_iter().enumerate() {
            covering += d;
            if covering > 0 {
                self.areas[b] += covering as u128 * u128::from(self.interval);
            }
        }
    }

    /// Level × milliseconds in each bucket so far (after [`Gauge::settle`]).
    pub fn areas(&self) -> &[u128] {
        debug_assert!(self.whole.is_empty(), "settle the gauge before reading it");
        &self.areas
    }

    /// Level × milliseconds in total so far (after [`Gauge::settle`]).
    pub fn total(&self) -> u128 {
        debug_assert!(self.whole.is_empty(), "settle the gauge before reading it");
        self.areas.iter().sum()
    }

    /// Level × milliseconds inside the window so far: [`Gauge::total`] for a gauge made with
    /// [`Gauge::new`].
    pub fn total_within(&self) -> u128 {
        self.in_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spans added as calls end give the areas of the count of calls in progress.
    #[test]
    fn spans_add_up_to_the_level_they_count() {
        let spans = [(3, 25), (5, 8), (10, 30), (12, 12), (0, 41)];
        let mut counted = Gauge::new(Millis(10));
        let mut changes: Vec<(u64, i64)> =
            spans.iter().flat_map(|&(a, b)| [(a, 1), (b, -1)]).collect();
        changes.sort();
        for (t, d) in changes {
            counted.add(Millis(t), d);
        }
        counted.flush(Millis(41));
        let mut spanned = Gauge::new(Millis(10));
        for (a, b) in spans {
            spanned.add_span(Millis(a), Millis(b));
        }
        spanned.settle();
        assert_eq!(spanned.areas(), counted.areas());
    }

    /// A call waiting hundreds of hours cost a loop turn per 15-minute bucket it spanned, so a
    /// full queue with days-long after-call work ran for minutes; spans are now folded in once.
    #[test]
    fn long_spans_match_a_bucket_by_bucket_sum() {
        let spans = [
            (0, 95),
            (7, 7),
            (9, 10),
            (10, 20),
            (15, 1_000),
            (3, 40),
            (999, 1_001),
        ];
        let mut spanned = Gauge::new(Millis(10));
        let mut expected = vec![0u128; 101];
        for (a, b) in spans {
            spanned.add_span(Millis(a), Millis(b));
            for t in a..b {
                expected[(t / 10) as usize] += 1;
            }
        }
        spanned.settle();
        assert_eq!(spanned.areas(), &expected[..]);
    }

    /// The area inside a window that cuts buckets is the level integrated over the window, for
    /// levels set at changes and for spans alike; without a window it is the total.
    #[test]
    fn the_area_within_a_window_is_exact_between_bucket_edges() {
        let spans = [(3, 25), (5, 8), (10, 30), (12, 12), (0, 41), (38, 95)];
        let (from, to) = (7, 33);
        let mut spanned = Gauge::within(Millis(10), Millis(from), Millis(to));
        let mut counted = Gauge::within(Millis(10), Millis(from), Millis(to));
        let mut whole = Gauge::new(Millis(10));
        let mut changes: Vec<(u64, i64)> =
            spans.iter().flat_map(|&(a, b)| [(a, 1), (b, -1)]).collect();
        changes.sort();
        for (t, d) in changes {
            counted.add(Millis(t), d);
            whole.add(Millis(t), d);
        }
        counted.flush(Millis(95));
        whole.flush(Millis(95));
        let mut expected = 0u128;
        for (a, b) in spans {
            spanned.add_span(Millis(a), Millis(b));
            expected += (a.max(from)..b.min(to)).count() as u128;
        }
        spanned.settle();
        assert_eq!(spanned.total_within(), expected);
        assert_eq!(counted.total_within(), expected);
        assert_eq!(whole.total_within(), whole.total());
    }

    #[test]
    fn splits_area_across_bucket_edges() {
        let mut g = Gauge::new(Millis(10));
        g.set(Millis(5), 2);
        g.set(Millis(25), 0);
        assert_eq!(g.areas(), &[10, 20, 10]);
        assert_eq!(g.total(), 40);
    }
}
