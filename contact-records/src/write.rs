//! Contact records as Connect writes them, from calls a simulator or a dialer saw.
//!
//! The simulator's traced calls (and, through the same function, the Connect stand-in's and
//! `live`'s) are written in the record format [`crate::records`] reads, with Connect's quirks:
//! whole-second timestamps and durations, nulls for what did not happen, a first delivery of a
//! served call before its after-call work ended and a newer one after, re-deliveries. Records
//! written from a known scenario and calibrated again must give that scenario back: the
//! round-trip tests check it.

use chrono::DateTime;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rules::{Choice, RingOutcome};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// What is known of one call, instants in milliseconds since the Unix epoch (UTC).
#[derive(Clone, Debug, PartialEq)]
pub struct CallFacts {
    pub contact_id: String,
    pub customer_address: Option<String>,
    pub launched: i64,
    pub ring: RingOutcome,
    /// When the ring ended: the answer, the busy signal, the timeout, the failure.
    pub ring_ended: i64,
    /// Answering-machine detection was on: answered calls carry its verdict.
    pub amd: bool,
    pub choice: Option<Choice>,
    pub queued: Option<i64>,
    pub connected_to_agent: Option<i64>,
    pub abandoned: bool,
    /// When the call ended for the customer.
    pub ended: i64,
    /// When the agent finished after-call work.
    pub wrap_end: Option<i64>,
    /// The contact attribute the flow writes the result code to (`ivr::RESULT_ATTRIBUTE`).
    pub result_attribute: String,
    /// Further attributes, as the dialer set them.
    pub attributes: Vec<(String, String)>,
    pub queue_name: String,
    /// What Connect reported, where a dialer read it back: the DisconnectReason and the
    /// AnsweringMachineDetectionStatus. `None` writes what the ring and the queue imply (a
    /// simulated call).
    pub reported: Reported,
}

/// A call's DisconnectReason and AnsweringMachineDetectionStatus as Connect reported them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reported {
    pub disconnect_reason: Option<String>,
    pub amd_status: Option<String>,
}

/// The contact attribute dialsim's writers put the customer's UTC offset in (`-05:00`), so that
/// `dialsim calibrate --zone-attribute dialsim_utc_offset` reads each call's local hour.
pub const UTC_OFFSET_ATTRIBUTE: &str = "dialsim_utc_offset";

/// Connect's timestamp: ISO 8601 in UTC, to the whole second.
pub fn stamp(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Whole seconds between two instants as Connect's duration fields count them (from the
/// timestamps, each cut to its second).
fn whole_seconds(from: i64, to: i64) -> i64 {
    (to.div_euclid(1000) - from.div_euclid(1000)).max(0)
}

/// The result code the flow stores for a choice ([`rules::Code::key`]).
fn code_of(choice: Choice) -> &'static str {
    choice.code().key()
}

/// The record of a call once everything about it is known (after-call work included).
pub fn contact_record(f: &CallFacts) -> Value {
    let mut attributes = serde_json::Map::new();
    for (k, v) in &f.attributes {
        attributes.insert(k.clone(), json!(v));
    }
    let answered = matches!(f.ring, RingOutcome::Answered | RingOutcome::MachineDetected);
    if let Some(c) = f.choice {
        attributes.insert(f.result_attribute.clone(), json!(code_of(c)));
    }
    let implied_reason = match f.ring {
        RingOutcome::Busy => "TELECOM_BUSY",
        RingOutcome::NoAnswer => "TELECOM_UNANSWERED",
        RingOutcome::Failed => "TELECOM_NUMBER_INVALID",
        RingOutcome::MachineDetected => "CONTACT_FLOW_DISCONNECT",
        RingOutcome::Answered if f.queued.is_some() => "CUSTOMER_DISCONNECT",
        RingOutcome::Answered => "CONTACT_FLOW_DISCONNECT",
    };
    let reason = f
        .reported
        .disconnect_reason
        .as_deref()
        .unwrap_or(implied_reason);
    let amd_status = match (&f.reported.amd_status, f.amd, f.ring) {
        (Some(status), _, _) => json!(status),
        (None, true, RingOutcome::Answered) => json!("HUMAN_ANSWERED"),
        (None, true, RingOutcome::MachineDetected) => json!("VOICEMAIL_BEEP"),
        _ => Value::Null,
    };
    let queue = match f.queued {
        None => Value::Null,
        Some(q) => {
            let left = f.connected_to_agent.unwrap_or(f.ended);
            json!({
                "ARN": format!("arn:aws:connect:us-east-1:123456789012:instance/dialsim/queue/{}", f.queue_name),
                "Name": f.queue_name,
                "EnqueueTimestamp": stamp(q),
                "DequeueTimestamp": stamp(left),
                "Duration": whole_seconds(q, left),
            })
        }
    };
    let agent = match f.connected_to_agent {
        None => Value::Null,
        Some(c) => {
            let mut a = json!({
                "ARN": "arn:aws:connect:us-east-1:123456789012:instance/dialsim/agent/agent",
                "Username": "agent",
                "ConnectedToAgentTimestamp": stamp(c),
                "AgentInteractionDuration": whole_seconds(c, f.ended),
                "AfterContactWorkStartTimestamp": stamp(f.ended),
                "CustomerHoldDuration": 0,
                "NumberOfHolds": 0,
                "LongestHoldDuration": 0,
                "AgentConnectionAttempts": 1,
                "HierarchyGroups": null,
                "RoutingProfile": {"Name": "Outbound"},
            });
            if let Some(w) = f.wrap_end {
                a["AfterContactWorkEndTimestamp"] = json!(stamp(w));
                a["AfterContactWorkDuration"] = json!(whole_seconds(f.ended, w));
            }
            a
        }
    };
    let last_update = f.wrap_end.unwrap_or(f.ended).max(f.ended) + 2_000;
    json!({
        "AWSAccountId": "123456789012",
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "ContactId": f.contact_id,
        "InitialContactId": null,
        "PreviousContactId": null,
        "NextContactId": null,
        "Channel": "VOICE",
        "InitiationMethod": "API",
        "InitiationTimestamp": stamp(f.launched),
        "ConnectedToSystemTimestamp": if answered { json!(stamp(f.ring_ended)) } else { Value::Null },
        "DisconnectTimestamp": stamp(f.ended.max(f.ring_ended)),
        "LastUpdateTimestamp": stamp(last_update),
        "DisconnectReason": reason,
        "AnsweringMachineDetectionStatus": amd_status,
        "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/dialsim",
        "CustomerEndpoint": {"Address": f.customer_address, "Type": "TELEPHONE_NUMBER"},
        "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
        "Attributes": attributes,
        "Queue": queue,
        "Agent": agent,
        "Recording": null,
        "TransferCompletedTimestamp": null,
        "TransferredToEndpoint": null,
        "Tags": {},
    })
}

/// How the records are delivered: Connect sends each at least once, and a served call's record
/// first when the call ends and again when after-call work does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivery {
    pub seed: u64,
    /// Share of served calls whose record is also delivered early, without after-call work.
    pub early_share: f64,
    /// Share of records delivered twice, identical.
    pub repeat_share: f64,
    /// Share of served calls' records that leave out `AgentInteractionDuration` (the reader
    /// takes it from the timestamps).
    pub missing_share: f64,
}

impl Delivery {
    /// Each record once, complete.
    pub const EXACT: Delivery = Delivery {
        seed: 0,
        early_share: 0.0,
        repeat_share: 0.0,
        missing_share: 0.0,
    };
    /// About what an export holds: a tenth of served calls early too, one record in fifty
    /// twice, one served call in five without its interaction duration.
    pub const AT_LEAST_ONCE: Delivery = Delivery {
        seed: 1,
        early_share: 0.1,
        repeat_share: 0.02,
        missing_share: 0.2,
    };
}

/// Every delivery of the records of `calls`, in delivery order (an early copy before the full
/// record), with the quirks of `delivery`.
pub fn deliveries(calls: &[CallFacts], delivery: Delivery) -> Vec<Value> {
    let mut rng = Pcg64Mcg::seed_from_u64(delivery.seed);
    let mut out = Vec::with_capacity(calls.len() + calls.len() / 16);
    for f in calls {
        let mut full = contact_record(f);
        if f.connected_to_agent.is_some() {
            if rng.random::<f64>() < delivery.early_share {
                let mut early = contact_record(&CallFacts {
                    wrap_end: None,
                    ..f.clone()
                });
                early["LastUpdateTimestamp"] = json!(stamp(f.ended + 1_000));
                out.push(early);
            }
            if rng.random::<f64>() < delivery.missing_share
                && let Some(agent) = full["Agent"].as_object_mut()
            {
                agent.remove("AgentInteractionDuration");
            }
        }
        if rng.random::<f64>() < delivery.repeat_share {
            out.push(full.clone());
        }
        out.push(full);
    }
    out
}

/// The records as a file's text: one per line, or back to back as Firehose writes them.
pub fn text(records: &[Value], one_per_line: bool) -> String {
    let mut s = String::new();
    for r in records {
        s.push_str(&r.to_string());
        if one_per_line {
            s.push('\n');
        }
    }
    s
}

/// Writes `records` to `path` one JSON object a line, gzip-compressed when the name ends in
/// `.gz` (as Firehose delivers them); returns how many were written. The records are taken one
/// at a time, so a long campaign is written without holding it in memory.
pub fn write_file(path: &Path, records: impl IntoIterator<Item = Value>) -> std::io::Result<u64> {
    fn lines(
        out: &mut impl Write,
        records: impl IntoIterator<Item = Value>,
    ) -> std::io::Result<u64> {
        let mut n = 0;
        for record in records {
            serde_json::to_writer(&mut *out, &record)?;
            out.write_all(b"\n")?;
            n += 1;
        }
        Ok(n)
    }
    let buffered = std::io::BufWriter::new(std::fs::File::create(path)?);
    if path.extension().is_some_and(|e| e == "gz") {
        let mut gz = flate2::write::GzEncoder::new(buffered, flate2::Compression::default());
        let n = lines(&mut gz, records)?;
        gz.finish()?.flush()?;
        Ok(n)
    } else {
        let mut plain = buffered;
        let n = lines(&mut plain, records)?;
        plain.flush()?;
        Ok(n)
    }
}
