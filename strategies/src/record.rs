//! What the dialer learns about a finished call: the outcome Connect reports (disconnect reason,
//! the flow's result attribute, queue and agent timestamps). Pacers learn rates from these.

use crate::time::Millis;

pub use rules::{Choice, RingOutcome};

/// One finished call, handed to [`crate::Pacer::on_outcome`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallRecord {
    /// Position of the customer in the contact list.
    pub customer: u32,
    /// 1 for the first call to this customer, 2 for the first retry, …
    pub attempt: u32,
    pub dialed_at: Millis,
    /// When the ring phase ended (answer, busy, timeout or failure).
    pub ring_ended_at: Millis,
    pub ring: RingOutcome,
    /// The IVR choice, when the call reached the IVR.
    pub choice: Option<Choice>,
    /// When the caller entered the agents' queue (chose 1).
    pub queued_at: Option<Millis>,
    /// When an agent took the call.
    pub connected_at: Option<Millis>,
    /// The caller hung up in the queue before an agent took the call.
    pub abandoned: bool,
    /// When the call ended for the customer (hang-up, abandon, or end of talk).
    pub ended_at: Millis,
}

impl CallRecord {
    /// Time spent in the queue (to an agent, or until giving up), if the caller queued.
    pub fn queue_wait(&self) -> Option<Millis> {
        let queued = self.queued_at?;
        let left = self.connected_at.unwrap_or(self.ended_at);
        Some(left - queued)
    }
}

/// Why a dial was not placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Over the StartOutboundVoiceContact request rate (ThrottlingException).
    Throttled,
    /// Over the instance's concurrent-calls quota (LimitExceededException).
    ConcurrencyLimit,
}

/// A dial that Connect refused, handed to [`crate::Pacer::on_rejected`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub customer: u32,
    pub at: Millis,
    pub reason: RejectReason,
}

/// What the dialer does with a customer whose dial was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterRejection {
    /// Put the customer back at the head of the list; the refused dial uses no attempt.
    Retry,
    /// Give up on the customer: it stays at result code -1 (what an uncaught error does).
    GiveUp,
}
