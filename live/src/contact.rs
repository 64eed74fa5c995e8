//! What Connect says about one outbound contact, and what the dialer makes of it: the stage a
//! call in flight has reached, and the outcome of a call that has ended.
//!
//! Pure functions over [`ContactView`] (DescribeContact's fields, with the flow's result
//! attribute from GetContactAttributes), so the rules are tested without a server.

use crate::outcome::Outcome;
use crate::time::UnixMillis;
use std::collections::HashMap;

/// The contact attribute the contact flow sets to the customer's result code, read with
/// GetContactAttributes.
pub use ivr::RESULT_ATTRIBUTE;

/// DescribeContact's answer, reduced to what pacing and the store need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContactView {
    pub initiated_at: Option<UnixMillis>,
    /// The call was answered and reached the contact flow (person or machine).
    pub connected_to_system_at: Option<UnixMillis>,
    /// The caller entered the agents' queue.
    pub enqueued_at: Option<UnixMillis>,
    /// An agent took the call.
    pub agent_connected_at: Option<UnixMillis>,
    /// The call has ended; `None` while it is in progress.
    pub disconnected_at: Option<UnixMillis>,
    /// Connect's DisconnectReason (`TELECOM_BUSY`, `CUSTOMER_DISCONNECT`, …).
    pub disconnect_reason: Option<String>,
    /// AnsweringMachineDetectionStatus, when detection ran (`HUMAN_ANSWERED`, `VOICEMAIL_BEEP`, …).
    pub machine_detection: Option<String>,
    /// LastUpdateTimestamp.
    pub last_update_at: Option<UnixMillis>,
    /// The contact's attributes (DescribeContact's, or GetContactAttributes').
    pub attributes: HashMap<String, String>,
}

/// Where a call in flight stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Placed, ringing (or not yet described).
    Dialing,
    /// Answered, in the contact flow (the IVR prompt).
    InIvr,
    /// Waiting in the agents' queue.
    Queued,
    WithAgent,
}

impl ContactView {
    pub fn stage(&self) -> Stage {
        if self.agent_connected_at.is_some() {
            Stage::WithAgent
        } else if self.enqueued_at.is_some() {
            Stage::Queued
        } else if self.connected_to_system_at.is_some() {
            Stage::InIvr
        } else {
            Stage::Dialing
        }
    }

    /// The latest time the answer mentions: Connect's clock was at least there.
    pub fn latest(&self) -> Option<UnixMillis> {
        [
            self.initiated_at,
            self.connected_to_system_at,
            self.enqueued_at,
            self.agent_connected_at,
            self.disconnected_at,
            self.last_update_at,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    /// Fills in, from `other`, each time and reason this view does not know yet (attributes
    /// are not merged).
    pub fn fill_from(&mut self, other: &ContactView) {
        fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
            if slot.is_none() {
                slot.clone_from(value);
            }
        }
        fill(&mut self.initiated_at, &other.initiated_at);
        fill(
            &mut self.connected_to_system_at,
            &other.connected_to_system_at,
        );
        fill(&mut self.enqueued_at, &other.enqueued_at);
        fill(&mut self.agent_connected_at, &other.agent_connected_at);
        fill(&mut self.disconnected_at, &other.disconnected_at);
        fill(&mut self.disconnect_reason, &other.disconnect_reason);
        fill(&mut self.machine_detection, &other.machine_detection);
        fill(&mut self.last_update_at, &other.last_update_at);
    }

    pub fn result_code(&self) -> Option<&str> {
        self.attributes.get(RESULT_ATTRIBUTE).map(|s| s.trim())
    }

    /// Whether answering-machine detection took the call for a machine: `None` when Connect
    /// reported no detection status (no detection, or not yet).
    pub fn machine_detected(&self) -> Option<bool> {
        self.machine_detection
            .as_deref()
            .map(|s| MACHINE_STATUSES.contains(&s))
    }

    /// Whether the result attribute is still worth reading: the call ended after reaching the
    /// flow without reaching the queue, and DescribeContact's attributes did not carry the
    /// result. A call that reached the queue is decided by its timestamps (an agent took it, or
    /// the caller abandoned), so its outcome — the one pacing and the kill-switch need soonest —
    /// waits for no GetContactAttributes quota.
    pub fn needs_result(&self) -> bool {
        self.disconnected_at.is_some()
            && self.connected_to_system_at.is_some()
            && self.enqueued_at.is_none()
            && self.agent_connected_at.is_none()
            && self.result_code().is_none()
    }
}

/// How an ended call is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified {
    pub outcome: Outcome,
    /// Why, when the evidence was thin (logged, kept with the attempt).
    pub note: Option<String>,
}

const MACHINE_STATUSES: [&str; 4] = [
    "VOICEMAIL_BEEP",
    "VOICEMAIL_NO_BEEP",
    "AMD_UNRESOLVED",
    "AMD_NOT_APPLICABLE",
];

/// The outcome of an ended call (`None` while it is in progress). The flow's result code decides
/// when there is one; otherwise the timestamps and the disconnect reason do.
pub fn classify(view: &ContactView) -> Option<Classified> {
    view.disconnected_at?;
    let plain = |outcome| {
        Some(Classified {
            outcome,
            note: None,
        })
    };
    if view.agent_connected_at.is_some() {
        return plain(Outcome::Agent);
    }
    if view.enqueued_at.is_some() {
        // Queued and never taken by an agent: the caller (or the queue's timeout) gave up.
        return plain(Outcome::Abandoned);
    }
    if let Some(code) = view.result_code() {
        let outcome = match code {
            "1" | "abandoned" => Outcome::Abandoned,
            "2" => Outcome::CallBack,
            "3" => Outcome::Email,
            "0" => Outcome::NotInterested,
            "-2" => Outcome::NoInput,
            other => {
                return Some(Classified {
                    outcome: Outcome::NotInterested,
                    note: Some(format!(
                        "unknown {RESULT_ATTRIBUTE} {other:?}: counted as not interested"
                    )),
                });
            }
        };
        return plain(outcome);
    }
    let reason = view.disconnect_reason.as_deref().unwrap_or("");
    if view.connected_to_system_at.is_some() {
        let machine = view
            .machine_detection
            .as_deref()
            .is_some_and(|s| MACHINE_STATUSES.contains(&s));
        // Reached the flow but no result was set: the flow hung up on a machine (or the customer
        // hung up before choosing). Both count as -2 and follow the machine retry rule.
        return Some(Classified {
            outcome: Outcome::Machine,
            note: (!machine).then(|| format!("answered, no {RESULT_ATTRIBUTE} set ({reason})")),
        });
    }
    let outcome = match reason {
        "TELECOM_BUSY" => Outcome::Busy,
        "TELECOM_UNANSWERED" | "TELECOM_TIMEOUT" | "TELECOM_ORIGINATOR_CANCEL" => Outcome::NoAnswer,
        "" => {
            return Some(Classified {
                outcome: Outcome::Failed,
                note: Some("ended before it was answered, no disconnect reason".into()),
            });
        }
        _ => Outcome::Failed,
    };
    Some(Classified {
        outcome,
        note: (outcome == Outcome::Failed).then(|| reason.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(reason: &str) -> ContactView {
        ContactView {
            initiated_at: Some(UnixMillis(0)),
            disconnected_at: Some(UnixMillis(20_000)),
            disconnect_reason: Some(reason.into()),
            ..ContactView::default()
        }
    }

    fn answered(code: Option<&str>) -> ContactView {
        let mut v = ended("CONTACT_FLOW_DISCONNECT");
        v.connected_to_system_at = Some(UnixMillis(8_000));
        if let Some(c) = code {
            v.attributes.insert(RESULT_ATTRIBUTE.into(), c.into());
        }
        v
    }

    #[test]
    fn in_progress_has_no_outcome_and_a_stage() {
        let mut v = ContactView::default();
        assert_eq!(classify(&v), None);
        assert_eq!(v.stage(), Stage::Dialing);
        v.connected_to_system_at = Some(UnixMillis(1));
        assert_eq!(v.stage(), Stage::InIvr);
        v.enqueued_at = Some(UnixMillis(2));
        assert_eq!(v.stage(), Stage::Queued);
        v.agent_connected_at = Some(UnixMillis(3));
        assert_eq!(v.stage(), Stage::WithAgent);
    }

    #[test]
    fn telecom_reasons() {
        let o = |r: &str| classify(&ended(r)).unwrap().outcome;
        assert_eq!(o("TELECOM_BUSY"), Outcome::Busy);
        assert_eq!(o("TELECOM_UNANSWERED"), Outcome::NoAnswer);
        assert_eq!(o("TELECOM_TIMEOUT"), Outcome::NoAnswer);
        assert_eq!(o("TELECOM_PROBLEM"), Outcome::Failed);
        assert_eq!(o("OUTBOUND_DESTINATION_ENDPOINT_ERROR"), Outcome::Failed);
        assert!(classify(&ended("")).unwrap().note.is_some());
    }

    #[test]
    fn flow_result_codes() {
        let o = |c| classify(&answered(Some(c))).unwrap().outcome;
        assert_eq!(o("2"), Outcome::CallBack);
        assert_eq!(o("3"), Outcome::Email);
        assert_eq!(o("0"), Outcome::NotInterested);
        assert_eq!(o("-2"), Outcome::NoInput);
        let odd = classify(&answered(Some("7"))).unwrap();
        assert_eq!(odd.outcome, Outcome::NotInterested);
        assert!(odd.note.is_some());
        assert_eq!(classify(&answered(None)).unwrap().outcome, Outcome::Machine);
        assert!(answered(None).needs_result());
        assert!(!answered(Some("2")).needs_result());
    }

    #[test]
    fn queue_and_agent() {
        let mut v = answered(Some("1"));
        v.enqueued_at = Some(UnixMillis(12_000));
        assert_eq!(classify(&v).unwrap().outcome, Outcome::Abandoned);
        v.agent_connected_at = Some(UnixMillis(15_000));
        assert_eq!(classify(&v).unwrap().outcome, Outcome::Agent);
        assert!(!v.needs_result());
    }

    #[test]
    fn a_caller_who_abandoned_needs_no_attribute_read() {
        let mut v = answered(None);
        v.enqueued_at = Some(UnixMillis(12_000));
        assert!(!v.needs_result(), "the timestamps decide: abandoned");
        assert_eq!(classify(&v).unwrap().outcome, Outcome::Abandoned);
    }

    #[test]
    fn machine_detection_status() {
        let mut v = answered(None);
        assert_eq!(v.machine_detected(), None);
        v.machine_detection = Some("VOICEMAIL_BEEP".into());
        assert_eq!(v.machine_detected(), Some(true));
        v.machine_detection = Some("HUMAN_ANSWERED".into());
        assert_eq!(v.machine_detected(), Some(false));
    }
}
