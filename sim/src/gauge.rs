//! Time-weighted accumulation of a level (agents busy, callers queued) into fixed-width buckets,
//! so that both whole-campaign totals and per-interval series come from one place.

use strategies::Millis;

#[derive(Clone, Debug)]
pub struct Gauge {
    interval: u64,
    level: u64,
    since: u64,
    /// Area under the level (level × milliseconds) per bucket.
    areas: Vec<u128>,
    /// The bucket last written, as (index, start, end): most changes fall in it, and checking
    /// that is cheaper than a division.
    current: (usize, u64, u64),
}

impl Gauge {
    pub fn new(interval: Millis) -> Gauge {
        Gauge {
            interval: interval.0.max(1),
            level: 0,
            since: 0,
            areas: Vec::new(),
            current: (0, 0, 0),
        }
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
    pub fn add_span(&mut self, from: Millis, to: Millis) {
        let mut t = from.0;
        while t < to.0 {
            let bucket = (t / self.interval) as usize;
            let until = ((bucket as u64 + 1) * self.interval).min(to.0);
            if self.areas.len() <= bucket {
                self.areas.resize(bucket + 1, 0);
            }
            self.areas[bucket] += u128::from(until - t);
            t = until;
        }
    }

    /// Level × milliseconds in each bucket so far.
    pub fn areas(&self) -> &[u128] {
        &self.areas
    }

    /// Level × milliseconds in total so far.
    pub fn total(&self) -> u128 {
        self.areas.iter().sum()
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
        assert_eq!(spanned.areas(), counted.areas());
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
