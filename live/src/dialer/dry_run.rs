//! A dry run's switchboard: it places nothing. The queue's metrics come from the real
//! switchboard it wraps (a read-only request), so the pacer decides on the real team; each call
//! it is asked to start is written to its report ("would dial …") and rings out unanswered
//! after the ring timeout, as contact events, so the loop runs exactly as it would (the pacer,
//! the rules, the store's copy) without a call.

use super::ports::{Clock, StartRequest, Switchboard};
use crate::connect::{ApiError, QueueMetrics};
use crate::contact::ContactView;
use crate::events::{ContactEvent, EventKind};
use crate::mask::mask_phone;
use crate::time::UnixMillis;
use std::collections::{HashMap, VecDeque};
use std::io::Write;

/// The dry run's switchboard, reading the loop's clock `C`, the metrics of `S`, and writing to
/// `W`.
pub struct DryRun<C, W, S> {
    clock: C,
    metrics_from: S,
    out: W,
    ring_timeout_ms: i64,
    started: u64,
    ringing: VecDeque<(UnixMillis, String)>,
}

impl<C: Clock, W: Write, S: Switchboard> DryRun<C, W, S> {
    pub fn new(clock: C, out: W, ring_timeout_s: u32, metrics_from: S) -> DryRun<C, W, S> {
        DryRun {
            clock,
            metrics_from,
            out,
            ring_timeout_ms: i64::from(ring_timeout_s) * 1_000,
            started: 0,
            ringing: VecDeque::new(),
        }
    }

    /// The calls it would have placed.
    pub fn would_dial(&self) -> u64 {
        self.started
    }
}

impl<C: Clock, W: Write, S: Switchboard> Switchboard for DryRun<C, W, S> {
    async fn start(&mut self, request: &StartRequest) -> Result<String, ApiError> {
        let now = self.clock.now();
        self.started += 1;
        let _ = writeln!(
            self.out,
            "would dial {} (customer {}, attempt {}) at {}",
            mask_phone(&request.phone),
            request.customer,
            request.number,
            now.rfc3339()
        );
        let id = format!("dry-run-{}", self.started);
        self.ringing.push_back((now, id.clone()));
        Ok(id)
    }

    async fn metrics(&mut self) -> Result<QueueMetrics, ApiError> {
        self.metrics_from.metrics().await
    }

    async fn describe(&mut self, _contact_id: &str) -> Result<ContactView, ApiError> {
        Ok(ContactView::default())
    }

    async fn attributes(&mut self, _contact_id: &str) -> Result<HashMap<String, String>, ApiError> {
        Ok(HashMap::new())
    }

    fn has_events(&self) -> bool {
        true
    }

    async fn events(&mut self) -> Result<Vec<ContactEvent>, ApiError> {
        let now = self.clock.now();
        let mut out = Vec::new();
        while let Some((at, _)) = self.ringing.front() {
            let ends = at.plus_ms(self.ring_timeout_ms);
            if ends > now {
                break;
            }
            let (at, id) = self.ringing.pop_front().expect("front");
            out.push(ContactEvent {
                contact_id: id,
                kind: Some(EventKind::Disconnected),
                at: Some(ends),
                seen: ContactView {
                    initiated_at: Some(at),
                    disconnected_at: Some(ends),
                    disconnect_reason: Some("TELECOM_UNANSWERED".into()),
                    ..ContactView::default()
                },
            });
        }
        Ok(out)
    }
}
