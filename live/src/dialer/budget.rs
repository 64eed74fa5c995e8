//! Client-side request quotas: token buckets on the campaign clock.
//!
//! Connect refuses requests over its quotas (2 a second for StartOutboundVoiceContact,
//! DescribeContact and GetContactAttributes, 5 for GetCurrentMetricData and GetCurrentUserData,
//! with bursts). The loop
//! stays under them itself, so that throttling is rare and the pacer's dial rate is the one it
//! asked for. The buckets run on the time the loop is given: the wall clock in a real campaign,
//! the rehearsal's clock against the stand-in (whose quotas run on simulated time), or a test's
//! virtual time.

use crate::config::Bucket;
use crate::time::UnixMillis;

/// One token bucket.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    per_ms: f64,
    burst: f64,
    tokens: f64,
    at: Option<UnixMillis>,
}

impl TokenBucket {
    /// A full bucket of `bucket.burst` tokens refilled at `bucket.per_second`.
    pub fn new(bucket: &Bucket) -> TokenBucket {
        let burst = f64::from((*bucket.burst.get()).max(1));
        TokenBucket {
            per_ms: bucket.per_second.get() / 1_000.0,
            burst,
            tokens: burst,
            at: None,
        }
    }

    fn refill(&mut self, now: UnixMillis) {
        if let Some(at) = self.at {
            let elapsed = (now.0 - at.0).max(0) as f64;
            self.tokens = (self.tokens + elapsed * self.per_ms).min(self.burst);
        }
        self.at = Some(self.at.map_or(now, |a| a.max(now)));
    }

    /// Whether a request may be sent at `now`, without taking it.
    pub fn ready(&mut self, now: UnixMillis) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }

    /// Takes a token if there is one.
    pub fn take(&mut self, now: UnixMillis) -> bool {
        if self.ready(now) {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// When the next token is there (`now` if it is).
    pub fn ready_at(&mut self, now: UnixMillis) -> UnixMillis {
        self.ready_at_n(now, 1)
    }

    /// Takes `n` tokens at once if there are (at most the burst: a bucket never holds more).
    pub fn take_n(&mut self, now: UnixMillis, n: u32) -> bool {
        self.refill(now);
        let n = f64::from(n).min(self.burst);
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }

    /// When `n` tokens are there (`now` if they are; at most the burst).
    pub fn ready_at_n(&mut self, now: UnixMillis, n: u32) -> UnixMillis {
        self.refill(now);
        let n = f64::from(n).min(self.burst);
        if self.tokens >= n {
            return now;
        }
        let wait = ((n - self.tokens) / self.per_ms).ceil() as i64;
        now.plus_ms(wait.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let bucket: Bucket = ron::from_str("(per_second: 2.0, burst: 5)").unwrap();
        let mut b = TokenBucket::new(&bucket);
        let t0 = UnixMillis(1_000_000);
        let burst = (0..10).filter(|_| b.take(t0)).count();
        assert_eq!(burst, 5);
        assert_eq!(b.ready_at(t0), t0.plus_ms(500));
        // Over ten seconds after the burst: two a second.
        let mut taken = 0;
        for ms in (0..10_000).step_by(10) {
            taken += usize::from(b.take(t0.plus_ms(ms + 10)));
        }
        assert_eq!(taken, 20);
    }
}
