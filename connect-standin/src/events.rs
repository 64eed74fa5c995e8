//! Connect's contact events: what a real instance publishes on EventBridge (`source`
//! `aws.connect`, `detail-type` "Amazon Connect Contact Event") as an outbound call goes
//! through its stages, kept by the [`Instance`](crate::Instance) and rendered here as the
//! EventBridge envelope.
//!
//! The detail follows Connect's contact events data model: `eventType`, `contactId`,
//! `initialContactId`, `channel`, `instanceArn`, `initiationMethod` (`OUTBOUND`: a call placed
//! by StartOutboundVoiceContact), `initiationTimestamp`, then as the call reaches them
//! `connectedToSystemTimestamp`, `queueInfo` (`queueArn`, `queueType`, `enqueueTimestamp`),
//! `agentInfo` (`connectedToAgentTimestamp`; the simulated agents have no ARN) and, when it
//! ends, `disconnectTimestamp` and `disconnectReason`. Timestamps are ISO 8601 in UTC to the
//! millisecond; the envelope's `time` is to the second.
//!
//! Unlike EventBridge, which delivers on a best-effort basis and in no particular order, the
//! stand-in gives every event once, in time order: a consumer tested against it should still
//! not count on either.

use crate::instance::Ids;
pub use crate::instance::{ContactEvent, ContactEventType};
use rules::time::UnixMillis;
use serde_json::{Map, Value, json};
use sim::Millis;

/// The EventBridge detail-type of Connect's contact events.
pub const DETAIL_TYPE: &str = "Amazon Connect Contact Event";

/// `t` as a contact event's timestamp: `2026-11-05T14:03:07.250Z`.
fn timestamp(t: UnixMillis) -> String {
    let seconds = t.rfc3339();
    let whole = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{whole}.{:03}Z", t.0.rem_euclid(1_000))
}

/// `event` as EventBridge delivers it: the envelope (`version`, `id`, `detail-type`, `source`,
/// `account`, `time`, `region`, `resources`) around the contact event's `detail`. `ids` names
/// the instance and `epoch` is the wall-clock instant of simulated time zero (see
/// [`Instance::wall`](crate::Instance::wall)).
pub fn to_eventbridge(event: &ContactEvent, ids: &Ids, epoch: UnixMillis) -> Value {
    let wall = |t: Millis| epoch.plus_ms(t.0 as i64);
    let at = |t: Millis| json!(timestamp(wall(t)));
    let instance_arn = ids.instance_arn();
    let contact_arn = ids.contact_arn(&event.contact_id);
    let mut detail = Map::new();
    detail.insert("eventType".into(), json!(event.kind.as_str()));
    detail.insert("contactId".into(), json!(event.contact_id));
    detail.insert("initialContactId".into(), json!(event.contact_id));
    detail.insert("channel".into(), json!("VOICE"));
    detail.insert("instanceArn".into(), json!(instance_arn));
    detail.insert("initiationMethod".into(), json!("OUTBOUND"));
    detail.insert("initiationTimestamp".into(), at(event.stages.initiated_at));
    if let Some(t) = event.stages.connected_to_system_at {
        detail.insert("connectedToSystemTimestamp".into(), at(t));
    }
    if let Some(q) = &event.stages.queue {
        detail.insert(
            "queueInfo".into(),
            json!({
                "queueArn": ids.queue_arn(&q.id),
                "queueType": "STANDARD",
                "enqueueTimestamp": at(q.enqueued_at),
            }),
        );
    }
    if let Some(a) = &event.stages.agent {
        detail.insert(
            "agentInfo".into(),
            json!({ "connectedToAgentTimestamp": at(a.connected_at) }),
        );
    }
    if let Some(t) = event.stages.disconnected_at {
        detail.insert("disconnectTimestamp".into(), at(t));
    }
    if let Some(r) = event.stages.disconnect_reason {
        detail.insert("disconnectReason".into(), json!(r.as_str()));
    }
    if let Some(status) = event.stages.machine_detection {
        detail.insert("answeringMachineDetectionStatus".into(), json!(status));
    }
    let id = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("{contact_arn}/event/{}", event.kind.as_str()).as_bytes(),
    );
    json!({
        "version": "0",
        "id": id.to_string(),
        "detail-type": DETAIL_TYPE,
        "source": "aws.connect",
        "account": crate::instance::ACCOUNT,
        "time": wall(event.at).rfc3339(),
        "region": crate::instance::REGION,
        "resources": [instance_arn, contact_arn],
        "detail": detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::{AgentInfo, DisconnectReason, QueueInfo, Stages};

    #[test]
    fn timestamps_have_milliseconds() {
        assert_eq!(timestamp(UnixMillis(1_250)), "1970-01-01T00:00:01.250Z");
        assert_eq!(timestamp(UnixMillis(0)), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_disconnected_event_renders_as_eventbridge_delivers_it() {
        let ids = Ids::default();
        let event = ContactEvent {
            at: Millis(70_000),
            kind: ContactEventType::Disconnected,
            contact_id: "c-1".into(),
            stages: Stages {
                initiated_at: Millis(1_000),
                connected_to_system_at: Some(Millis(6_000)),
                queue: Some(QueueInfo {
                    id: ids.queue_id.clone(),
                    enqueued_at: Millis(12_000),
                }),
                agent: Some(AgentInfo {
                    connected_at: Millis(12_500),
                }),
                disconnected_at: Some(Millis(70_000)),
                disconnect_reason: Some(DisconnectReason::AgentDisconnect),
                machine_detection: None,
            },
        };
        let v = to_eventbridge(&event, &ids, UnixMillis(1_700_000_000_000));
        assert_eq!(v["detail-type"], DETAIL_TYPE);
        assert_eq!(v["source"], "aws.connect");
        assert_eq!(v["version"], "0");
        assert_eq!(v["time"], "2023-11-14T22:14:30Z");
        assert_eq!(v["resources"][0], ids.instance_arn());
        assert_eq!(v["resources"][1], ids.contact_arn("c-1"));
        let d = &v["detail"];
        assert_eq!(d["eventType"], "DISCONNECTED");
        assert_eq!(d["initiationMethod"], "OUTBOUND");
        assert_eq!(d["channel"], "VOICE");
        assert_eq!(d["initiationTimestamp"], "2023-11-14T22:13:21.000Z");
        assert_eq!(d["connectedToSystemTimestamp"], "2023-11-14T22:13:26.000Z");
        assert_eq!(d["queueInfo"]["queueArn"], ids.queue_arn(&ids.queue_id));
        assert_eq!(
            d["queueInfo"]["enqueueTimestamp"],
            "2023-11-14T22:13:32.000Z"
        );
        assert_eq!(
            d["agentInfo"]["connectedToAgentTimestamp"],
            "2023-11-14T22:13:32.500Z"
        );
        assert_eq!(d["disconnectTimestamp"], "2023-11-14T22:14:30.000Z");
        assert_eq!(d["disconnectReason"], "AGENT_DISCONNECT");
        // One id per contact and stage: a redelivered event keeps its id.
        let again = to_eventbridge(&event, &ids, UnixMillis(1_700_000_000_000));
        assert_eq!(v["id"], again["id"]);
    }
}
