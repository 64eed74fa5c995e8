//! What a contact record says happened, through a table the analyst can edit.
//!
//! Connect does not record "a person answered" as such: it records a disconnect reason, an AMD
//! verdict when AMD was on, whether the customer's end connected, and whatever the contact flow
//! wrote into the contact's attributes. Which combination means human, machine, busy, no answer
//! or failed — and which key the customer pressed — depends on the center's flow, so the mapping
//! is a RON file ([`DEFAULT_TABLE`], documented row by row) that `--classification` replaces.
//!
//! The rules, in order: a disconnect reason the table lists decides; otherwise an AMD verdict it
//! lists; otherwise an answered call (`ConnectedToSystemTimestamp` set) is read by its result
//! code; an unanswered one with no listed reason is a no answer.

use crate::records::{ContactRecord, Millis};
use rules::Choice;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The bundled table, with a comment on every row saying why.
pub const DEFAULT_TABLE: &str = include_str!("classification.ron");

/// The classification table (see [`DEFAULT_TABLE`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Classification")]
pub struct Table {
    pub result_attribute: String,
    pub disconnect_reason: BTreeMap<String, LineVerdict>,
    pub amd: BTreeMap<String, AmdVerdict>,
    pub result_code: BTreeMap<String, Pressed>,
    pub silent_answer: SilentAnswer,
}

/// What a disconnect reason says about the line.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum LineVerdict {
    Busy,
    NoAnswer,
    Failed,
}

/// What an AMD verdict says answered.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum AmdVerdict {
    Human,
    Machine,
    /// Something answered; the result code decides what.
    Answered,
    Busy,
    NoAnswer,
    Failed,
}

/// A result code's choice.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum Pressed {
    Agent,
    CallBack,
    Email,
    NotInterested,
    NoInput,
}

/// How an answered call that chose nothing, with no AMD verdict of a person, is counted.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum SilentAnswer {
    Machine,
    Human,
}

/// A malformed classification table.
#[derive(Debug, thiserror::Error)]
#[error("{place}: {message}")]
pub struct TableError {
    pub place: String,
    pub message: String,
}

impl Table {
    /// The bundled table.
    pub fn default_table() -> Table {
        Table::parse(DEFAULT_TABLE, "the bundled classification").expect("the bundled table reads")
    }

    /// Reads a table from RON text; `place` names it in an error.
    pub fn parse(text: &str, place: &str) -> Result<Table, TableError> {
        ron::from_str(text).map_err(|e| TableError {
            place: format!("{place}:{}:{}", e.span.start.line, e.span.start.col),
            message: format!(
                "{}: see the bundled table (dialsim calibrate --print-classification) for the accepted names",
                e.code
            ),
        })
    }
}

/// The dial outcome of a contact, in the simulator's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DialOutcome {
    Human,
    Machine,
    Busy,
    NoAnswer,
    Failed,
}

impl DialOutcome {
    pub const ALL: [DialOutcome; 5] = [
        DialOutcome::Human,
        DialOutcome::Machine,
        DialOutcome::Busy,
        DialOutcome::NoAnswer,
        DialOutcome::Failed,
    ];

    /// The scenario's field for this outcome's probability (`dial.human`, …).
    pub fn field(self) -> &'static str {
        match self {
            DialOutcome::Human => "human",
            DialOutcome::Machine => "machine",
            DialOutcome::Busy => "busy",
            DialOutcome::NoAnswer => "no_answer",
            DialOutcome::Failed => "failed",
        }
    }
}

/// A caller's time in the agents' queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueWait {
    pub wait_s: f64,
    /// Reached an agent (the wait is then a censored patience: they would have waited longer).
    pub served: bool,
}

/// What one contact record says, in the quantities the scenario is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub outcome: DialOutcome,
    /// The record carried an AMD verdict (AMD was on for this call).
    pub amd_verdict: bool,
    /// For a person: the choice in the IVR.
    pub choice: Option<Choice>,
    /// When the call was launched (UTC).
    pub launched: Millis,
    /// The hour of the customer's local day it was launched in, when the record says the
    /// customer's zone (otherwise the calibration's zone decides).
    pub local_hour: Option<u32>,
    /// Launch to answer, for an answered call (person or machine).
    pub answer_after_s: Option<f64>,
    /// Launch to disconnect, for a no answer (how long it rang: the ring timeout in force).
    pub rang_s: Option<f64>,
    /// Launch to disconnect, for a busy line or a failed call (how long until the network said
    /// so).
    pub ended_after_s: Option<f64>,
    /// Answer to the queue, for a person who chose an agent (the prompt and the key press).
    pub answer_to_queue_s: Option<f64>,
    /// Answer to disconnect, for a person who chose anything else (prompt, key, goodbye).
    pub answer_to_end_s: Option<f64>,
    pub queue: Option<QueueWait>,
    /// Talk time with the agent.
    pub talk_s: Option<f64>,
    /// After-call work.
    pub acw_s: Option<f64>,
}

/// Why a record could not be classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unclassified(pub String);

fn seconds(from: Millis, to: Millis) -> f64 {
    (to - from) as f64 / 1000.0
}

/// Classifies one record by `table`.
pub fn classify(r: &ContactRecord, table: &Table) -> Result<Contact, Unclassified> {
    let answered = r.connected_to_system.is_some();
    let code = r.attribute(&table.result_attribute);
    let pressed = match code {
        None => None,
        Some(c) => Some(*table.result_code.get(c).ok_or_else(|| {
            Unclassified(format!(
                "result code {c:?} in attribute {} is not in the table's result_code",
                table.result_attribute
            ))
        })?),
    };
    let by_code = |amd_human: bool| -> (DialOutcome, Option<Choice>) {
        let choice = match pressed {
            Some(Pressed::Agent) => Some(Choice::Agent),
            Some(Pressed::CallBack) => Some(Choice::CallBack),
            Some(Pressed::Email) => Some(Choice::Email),
            Some(Pressed::NotInterested) => Some(Choice::NotInterested),
            Some(Pressed::NoInput) | None => None,
        };
        match choice {
            Some(c) => (DialOutcome::Human, Some(c)),
            None if amd_human || table.silent_answer == SilentAnswer::Human => {
                (DialOutcome::Human, Some(Choice::NoInput))
            }
            None => (DialOutcome::Machine, None),
        }
    };
    let line = r
        .disconnect_reason
        .as_deref()
        .and_then(|reason| table.disconnect_reason.get(reason));
    let amd = r.amd_status.as_deref().and_then(|s| table.amd.get(s));
    let (outcome, choice) = match (line, amd) {
        (Some(LineVerdict::Busy), _) => (DialOutcome::Busy, None),
        (Some(LineVerdict::NoAnswer), _) => (DialOutcome::NoAnswer, None),
        (Some(LineVerdict::Failed), _) => (DialOutcome::Failed, None),
        (None, Some(AmdVerdict::Human)) => by_code(true),
        (None, Some(AmdVerdict::Machine)) => (DialOutcome::Machine, None),
        (None, Some(AmdVerdict::Busy)) => (DialOutcome::Busy, None),
        (None, Some(AmdVerdict::NoAnswer)) => (DialOutcome::NoAnswer, None),
        (None, Some(AmdVerdict::Failed)) => (DialOutcome::Failed, None),
        (None, Some(AmdVerdict::Answered) | None) if answered => by_code(false),
        (None, _) => (DialOutcome::NoAnswer, None),
    };
    let answered_at = match (outcome, r.connected_to_system) {
        (DialOutcome::Human | DialOutcome::Machine, None) => {
            return Err(Unclassified(
                "classified as answered, but it has no ConnectedToSystemTimestamp".into(),
            ));
        }
        (DialOutcome::Human | DialOutcome::Machine, Some(t)) => Some(t),
        _ => None,
    };
    let queue = r.queue.as_ref().and_then(|q| {
        let enqueued = q.enqueued?;
        let agent_at = r.agent.as_ref().and_then(|a| a.connected_to_agent);
        let served = agent_at.is_some();
        let wait_s = match (q.dequeued, agent_at, q.duration_s) {
            (Some(d), _, _) => seconds(enqueued, d),
            (None, Some(a), _) => seconds(enqueued, a),
            (None, None, Some(d)) => d,
            (None, None, None) => seconds(enqueued, r.disconnected?),
        };
        Some(QueueWait {
            wait_s: wait_s.max(0.0),
            served,
        })
    });
    let agent = r.agent.as_ref();
    let talk_s = agent.and_then(|a| {
        a.interaction_s.or_else(|| {
            let start = a.connected_to_agent?;
            let end = a.acw_start.or(r.disconnected)?;
            Some(seconds(start, end))
        })
    });
    let acw_s = agent.and_then(|a| {
        a.connected_to_agent?;
        a.acw_duration_s
            .or_else(|| Some(seconds(a.acw_start?, a.acw_end?)))
    });
    let chose_agent = choice == Some(Choice::Agent);
    Ok(Contact {
        outcome,
        amd_verdict: amd.is_some(),
        choice,
        launched: r.initiated,
        local_hour: None,
        answer_after_s: answered_at.map(|t| seconds(r.initiated, t)),
        rang_s: match outcome {
            DialOutcome::NoAnswer => r.disconnected.map(|t| seconds(r.initiated, t)),
            _ => None,
        },
        ended_after_s: match outcome {
            DialOutcome::Busy | DialOutcome::Failed => {
                r.disconnected.map(|t| seconds(r.initiated, t))
            }
            _ => None,
        },
        answer_to_queue_s: match (chose_agent, answered_at, r.queue.as_ref()) {
            (true, Some(a), Some(q)) => q.enqueued.map(|e| seconds(a, e)),
            _ => None,
        },
        answer_to_end_s: match (outcome, chose_agent, answered_at) {
            (DialOutcome::Human, false, Some(a)) => r.disconnected.map(|d| seconds(a, d)),
            _ => None,
        },
        queue,
        talk_s,
        acw_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{AgentPart, QueueVisit};

    fn base() -> ContactRecord {
        ContactRecord {
            contact_id: "c".into(),
            last_update: None,
            channel: Some("VOICE".into()),
            initiation_method: Some("API".into()),
            initiated: 1_000_000,
            connected_to_system: None,
            disconnected: Some(1_022_000),
            disconnect_reason: None,
            amd_status: None,
            queue: None,
            agent: None,
            attributes: Vec::new(),
            source: (0, 1),
        }
    }

    #[test]
    fn the_bundled_table_reads_and_names_every_amd_status_connect_documents() {
        let t = Table::default_table();
        for status in [
            "ANSWERED",
            "UNDETECTED",
            "ERROR",
            "HUMAN_ANSWERED",
            "SIT_TONE_DETECTED",
            "SIT_TONE_BUSY",
            "SIT_TONE_INVALID_NUMBER",
            "FAX_MACHINE_DETECTED",
            "VOICEMAIL_BEEP",
            "VOICEMAIL_NO_BEEP",
            "AMD_UNRESOLVED",
            "AMD_UNANSWERED",
            "AMD_ERROR",
            "AMD_NOT_APPLICABLE",
        ] {
            assert!(t.amd.contains_key(status), "{status}");
        }
        assert_eq!(t.result_attribute, ivr::RESULT_ATTRIBUTE);
        for code in ["1", "2", "3", "0", "-2"] {
            assert!(rules::Code::from_key(code).is_some());
            assert!(t.result_code.contains_key(code));
        }
    }

    #[test]
    fn a_busy_line_an_unanswered_call_and_a_machine_are_told_apart() {
        let t = Table::default_table();
        let mut busy = base();
        busy.disconnect_reason = Some("TELECOM_BUSY".into());
        assert_eq!(classify(&busy, &t).unwrap().outcome, DialOutcome::Busy);
        let unanswered = base();
        let c = classify(&unanswered, &t).unwrap();
        assert_eq!((c.outcome, c.rang_s), (DialOutcome::NoAnswer, Some(22.0)));
        let mut machine = base();
        machine.connected_to_system = Some(1_008_000);
        machine.attributes = vec![("dialsim_result".into(), "-2".into())];
        let c = classify(&machine, &t).unwrap();
        assert_eq!(
            (c.outcome, c.answer_after_s),
            (DialOutcome::Machine, Some(8.0))
        );
        machine.amd_status = Some("HUMAN_ANSWERED".into());
        let c = classify(&machine, &t).unwrap();
        assert_eq!(
            (c.outcome, c.choice),
            (DialOutcome::Human, Some(Choice::NoInput))
        );
    }

    #[test]
    fn a_caller_served_by_an_agent_is_a_censored_wait_with_talk_and_work() {
        let t = Table::default_table();
        let mut r = base();
        r.connected_to_system = Some(1_009_000);
        r.disconnect_reason = Some("CUSTOMER_DISCONNECT".into());
        r.attributes = vec![("dialsim_result".into(), "1".into())];
        r.queue = Some(Box::new(QueueVisit {
            name: Some("q".into()),
            arn: None,
            enqueued: Some(1_021_000),
            dequeued: Some(1_025_000),
            duration_s: Some(4.0),
        }));
        r.agent = Some(Box::new(AgentPart {
            connected_to_agent: Some(1_025_000),
            acw_start: Some(1_205_000),
            acw_end: Some(1_235_000),
            acw_duration_s: None,
            interaction_s: None,
        }));
        let c = classify(&r, &t).unwrap();
        assert_eq!(c.choice, Some(Choice::Agent));
        assert_eq!(c.answer_to_queue_s, Some(12.0));
        assert_eq!(
            c.queue,
            Some(QueueWait {
                wait_s: 4.0,
                served: true
            })
        );
        assert_eq!((c.talk_s, c.acw_s), (Some(180.0), Some(30.0)));
    }

    #[test]
    fn an_unknown_result_code_is_reported_not_guessed() {
        let t = Table::default_table();
        let mut r = base();
        r.connected_to_system = Some(1_009_000);
        r.attributes = vec![("dialsim_result".into(), "7".into())];
        let e = classify(&r, &t).unwrap_err();
        assert!(e.0.contains("\"7\""), "{e:?}");
    }

    #[test]
    fn a_misspelt_table_names_the_place() {
        let e = Table::parse("Classification(result_atribute: \"x\")", "t.ron").unwrap_err();
        assert!(e.place.starts_with("t.ron:1:"), "{e}");
    }
}
