//! Connect's contact events, as EventBridge delivers them ("Amazon Connect Contact Event"): the
//! dialer learns how each call went from them instead of asking DescribeContact about every call
//! in flight, which Connect's 2-requests-a-second quota caps near 2,000 calls an hour.
//!
//! Events are best effort and unordered: each carries the timestamps the contact has reached so
//! far, and [`ContactEvent::merge_into`] only fills in what a view lacks, so the same events in any
//! order, or twice, leave the same view. Fields and event types this module does not know are
//! ignored (Connect adds them over time).

use crate::contact::ContactView;
use crate::time::UnixMillis;
use aws_sdk_connect::primitives::{DateTime, DateTimeFormat};
use serde::Deserialize;

/// What happened to a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Initiated,
    /// Answered: media established (a person or a machine).
    ConnectedToSystem,
    Queued,
    ConnectedToAgent,
    Disconnected,
    /// After-call work ended too (or at once, without it).
    Completed,
    /// An event type this dialer does not use.
    Other,
}

/// One contact event, reduced to what the dialer uses: what it says of the contact, in the
/// same terms as DescribeContact's answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactEvent {
    pub contact_id: String,
    pub kind: Option<EventKind>,
    /// The envelope's `time`.
    pub at: Option<UnixMillis>,
    /// The timestamps, disconnect reason and detection status the event carries (no
    /// attributes: contact events do not carry them).
    pub seen: ContactView,
}

/// Why a message is not a contact event this dialer can read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not an Amazon Connect contact event (detail-type {0:?})")]
    NotAContactEvent(String),
    #[error("{field}: {value:?} is not an ISO 8601 time")]
    Time { field: &'static str, value: String },
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "detail-type", default)]
    detail_type: String,
    #[serde(default)]
    time: Option<String>,
    detail: Detail,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    contact_id: String,
    #[serde(default)]
    event_type: Option<String>,
    #[serde(default)]
    initiation_timestamp: Option<String>,
    #[serde(default)]
    connected_to_system_timestamp: Option<String>,
    #[serde(default)]
    disconnect_timestamp: Option<String>,
    #[serde(default)]
    disconnect_reason: Option<String>,
    #[serde(default)]
    answering_machine_detection_status: Option<String>,
    #[serde(default)]
    queue_info: Option<QueueInfo>,
    #[serde(default)]
    agent_info: Option<AgentInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueInfo {
    #[serde(default)]
    enqueue_timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentInfo {
    #[serde(default)]
    connected_to_agent_timestamp: Option<String>,
}

fn time(field: &'static str, value: Option<String>) -> Result<Option<UnixMillis>, EventError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match DateTime::from_str(&value, DateTimeFormat::DateTimeWithOffset) {
        Ok(t) => Ok(Some(UnixMillis((t.as_secs_f64() * 1_000.0).round() as i64))),
        Err(_) => Err(EventError::Time { field, value }),
    }
}

impl EventKind {
    fn parse(s: &str) -> EventKind {
        match s {
            "INITIATED" => EventKind::Initiated,
            "CONNECTED_TO_SYSTEM" => EventKind::ConnectedToSystem,
            "QUEUED" => EventKind::Queued,
            "CONNECTED_TO_AGENT" => EventKind::ConnectedToAgent,
            "DISCONNECTED" => EventKind::Disconnected,
            "COMPLETED" => EventKind::Completed,
            _ => EventKind::Other,
        }
    }
}

impl ContactEvent {
    /// Reads one EventBridge message (the body an EventBridge rule puts on an SQS queue).
    pub fn parse(json: &str) -> Result<ContactEvent, EventError> {
        let e: Envelope = serde_json::from_str(json)?;
        if e.detail_type != "Amazon Connect Contact Event" {
            return Err(EventError::NotAContactEvent(e.detail_type));
        }
        let d = e.detail;
        Ok(ContactEvent {
            contact_id: d.contact_id,
            kind: d.event_type.as_deref().map(EventKind::parse),
            at: time("time", e.time)?,
            seen: ContactView {
                initiated_at: time("detail.initiationTimestamp", d.initiation_timestamp)?,
                connected_to_system_at: time(
                    "detail.connectedToSystemTimestamp",
                    d.connected_to_system_timestamp,
                )?,
                enqueued_at: time(
                    "detail.queueInfo.enqueueTimestamp",
                    d.queue_info.and_then(|q| q.enqueue_timestamp),
                )?,
                agent_connected_at: time(
                    "detail.agentInfo.connectedToAgentTimestamp",
                    d.agent_info.and_then(|a| a.connected_to_agent_timestamp),
                )?,
                disconnected_at: time("detail.disconnectTimestamp", d.disconnect_timestamp)?,
                disconnect_reason: d.disconnect_reason.filter(|r| !r.is_empty()),
                machine_detection: d
                    .answering_machine_detection_status
                    .filter(|r| !r.is_empty()),
                ..ContactView::default()
            },
        })
    }

    /// Fills in what `view` does not know yet. A DISCONNECTED event without a disconnect
    /// timestamp still ends the call, at the event's time.
    pub fn merge_into(&self, view: &mut ContactView) {
        view.fill_from(&self.seen);
        if matches!(
            self.kind,
            Some(EventKind::Disconnected | EventKind::Completed)
        ) && view.disconnected_at.is_none()
        {
            view.disconnected_at = self.at;
        }
        if let Some(t) = self.latest() {
            view.last_update_at = Some(view.last_update_at.map_or(t, |u| u.max(t)));
        }
    }

    /// The latest time the event mentions.
    pub fn latest(&self) -> Option<UnixMillis> {
        self.seen.latest().max(self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{Stage, classify};
    use crate::outcome::Outcome;

    const DISCONNECTED: &str = r#"{
        "version": "0", "id": "5b2e0a3c-1111-2222-3333-444455556666",
        "detail-type": "Amazon Connect Contact Event", "source": "aws.connect",
        "account": "123456789012", "time": "2026-12-01T14:00:41Z", "region": "us-east-1",
        "resources": ["arn:aws:connect:us-east-1:123456789012:instance/i/contact/c-1"],
        "detail": {
            "eventType": "DISCONNECTED", "contactId": "c-1", "channel": "VOICE",
            "initiationMethod": "OUTBOUND", "newField": {"nested": true},
            "initiationTimestamp": "2026-12-01T14:00:00.000Z",
            "connectedToSystemTimestamp": "2026-12-01T14:00:08.250Z",
            "queueInfo": {"queueArn": "arn:q", "enqueueTimestamp": "2026-12-01T14:00:20Z"},
            "agentInfo": {"agentArn": "arn:a", "connectedToAgentTimestamp": "2026-12-01T14:00:23Z"},
            "disconnectTimestamp": "2026-12-01T14:00:40Z",
            "disconnectReason": "CUSTOMER_DISCONNECT"
        }
    }"#;

    #[test]
    fn reads_the_documented_shape_and_ignores_unknown_fields() {
        let e = ContactEvent::parse(DISCONNECTED).unwrap();
        assert_eq!(e.contact_id, "c-1");
        assert_eq!(e.kind, Some(EventKind::Disconnected));
        assert_eq!(
            e.seen.connected_to_system_at,
            Some(UnixMillis(1_796_133_608_250))
        );
        assert_eq!(
            e.seen.disconnected_at.unwrap().0 - e.seen.initiated_at.unwrap().0,
            40_000
        );
        let mut v = ContactView::default();
        e.merge_into(&mut v);
        assert_eq!(v.stage(), Stage::WithAgent);
        assert_eq!(classify(&v).unwrap().outcome, Outcome::Agent);
    }

    #[test]
    fn merging_is_order_free_and_idempotent() {
        let events: Vec<ContactEvent> = [
            r#"{"detail-type":"Amazon Connect Contact Event","time":"2026-12-01T14:00:00Z","detail":{"eventType":"INITIATED","contactId":"c","initiationTimestamp":"2026-12-01T14:00:00Z"}}"#,
            r#"{"detail-type":"Amazon Connect Contact Event","time":"2026-12-01T14:00:31Z","detail":{"eventType":"DISCONNECTED","contactId":"c","initiationTimestamp":"2026-12-01T14:00:00Z","disconnectReason":"TELECOM_UNANSWERED"}}"#,
        ]
        .iter()
        .map(|j| ContactEvent::parse(j).unwrap())
        .collect();
        let mut forward = ContactView::default();
        for e in &events {
            e.merge_into(&mut forward);
        }
        let mut backward = ContactView::default();
        for e in events.iter().rev().chain(events.iter()) {
            e.merge_into(&mut backward);
        }
        assert_eq!(forward, backward);
        assert_eq!(classify(&forward).unwrap().outcome, Outcome::NoAnswer);
    }

    #[test]
    fn refuses_what_is_not_a_contact_event() {
        assert!(matches!(
            ContactEvent::parse(
                r#"{"detail-type":"EC2 Instance State-change Notification","detail":{"contactId":"x"}}"#
            ),
            Err(EventError::NotAContactEvent(_))
        ));
        assert!(matches!(
            ContactEvent::parse(
                r#"{"detail-type":"Amazon Connect Contact Event","detail":{"contactId":"x","disconnectTimestamp":"yesterday"}}"#
            ),
            Err(EventError::Time { .. })
        ));
        assert!(ContactEvent::parse("not json").is_err());
    }
}
