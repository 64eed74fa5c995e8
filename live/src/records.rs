//! The campaign's own calls as Amazon Connect contact records, from what `live` read back from
//! Connect and kept in the store ([`crate::store::PlacedCall`]): what `live export
//! --contact-records` writes, in the format `dialsim calibrate` reads, so that a campaign (or a
//! rehearsal against the stand-in) can be calibrated from its own calls.
//!
//! Connect's own fields are written as Connect reported them (the disconnect reason, the
//! answering-machine verdict); what the store does not hold is left out as Connect leaves out
//! what did not happen. After-call work is not read back by `live` (a call is done for the
//! dialer when the customer hangs up), so a served call's record is the one Connect delivers
//! first, before the agent's wrap-up ends: `calibrate` fits after-call work from records that
//! have it, and these have none.

use crate::outcome::Outcome;
use crate::store::PlacedCall;
use contact_records::write::{CallFacts, Reported, UTC_OFFSET_ATTRIBUTE};
use rules::RingOutcome;

/// Whether the store kept what Connect said of the call: a call finished by a `live` before
/// the store's schema 2 has neither its initiation time nor its disconnect reason, and its
/// record would have to invent when it was answered. `export --contact-records` leaves such
/// calls out and says how many.
pub fn has_connect_facts(call: &PlacedCall) -> bool {
    call.answer.initiated_at.is_some() || call.answer.disconnect_reason.is_some()
}

/// The facts of one placed call for the record writer: the attributes `live` set on it
/// (campaign, customer, attempt), the customer's UTC offset at the dial, the flow's result code.
pub fn call_facts(call: &PlacedCall, campaign: &str, queue: &str) -> CallFacts {
    let detection = call.answer.machine_detection.clone();
    let ring = match call.outcome.ring() {
        // An answered call that the flow ended without a choice is a machine to the dialer;
        // the record says what detection said (a person who said nothing is HUMAN_ANSWERED).
        RingOutcome::MachineDetected
            if detection.as_deref().is_some_and(|d| d == "HUMAN_ANSWERED") =>
        {
            RingOutcome::Answered
        }
        ring => ring,
    };
    let answered = matches!(ring, RingOutcome::Answered | RingOutcome::MachineDetected);
    let ring_ended = match (answered, call.answer.answered_at) {
        (true, Some(at)) => at,
        _ => call.ended_at,
    };
    let mut attributes = vec![
        ("dialsim_campaign".to_string(), campaign.to_string()),
        ("dialsim_customer".to_string(), call.customer_id.to_string()),
        ("dialsim_attempt".to_string(), call.number.to_string()),
    ];
    if let Some(zone) = call.zone {
        attributes.push((
            UTC_OFFSET_ATTRIBUTE.to_string(),
            rules::zone::format_utc_offset(zone.offset_ms_at(call.initiated_at)),
        ));
    }
    CallFacts {
        contact_id: call.contact_id.clone(),
        customer_address: Some(call.phone.clone()),
        launched: call.initiated_at.0,
        ring,
        ring_ended: ring_ended.0,
        amd: detection.is_some(),
        // A machine's -2 is the flow's, not a key press: no choice.
        choice: if ring == RingOutcome::Answered {
            call.outcome.choice()
        } else {
            None
        },
        queued: call.queued_at.map(|t| t.0),
        connected_to_agent: call.connected_at.map(|t| t.0),
        abandoned: call.outcome == Outcome::Abandoned && call.queued_at.is_some(),
        ended: call.ended_at.0,
        wrap_end: None,
        result_attribute: crate::contact::RESULT_ATTRIBUTE.to_string(),
        attributes,
        queue_name: queue.to_string(),
        reported: Reported {
            disconnect_reason: call.answer.disconnect_reason.clone(),
            amd_status: detection,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UnixMillis;
    use crate::store::AnswerFacts;

    fn call(outcome: Outcome) -> PlacedCall {
        PlacedCall {
            contact_id: "c-1".into(),
            phone: "+14155550100".into(),
            zone: rules::zone::Zone::parse("America/New_York"),
            customer_id: 7,
            number: 2,
            outcome,
            initiated_at: UnixMillis(1_772_985_600_000), // 2026-03-08T16:00:00Z, EDT
            queued_at: None,
            connected_at: None,
            ended_at: UnixMillis(1_772_985_640_000),
            answer: AnswerFacts {
                initiated_at: Some(UnixMillis(1_772_985_600_000)),
                answered_at: Some(UnixMillis(1_772_985_610_000)),
                disconnect_reason: Some("CUSTOMER_DISCONNECT".into()),
                machine_detection: Some("HUMAN_ANSWERED".into()),
                result_code: Some("2".into()),
            },
        }
    }

    #[test]
    fn a_call_back_keeps_what_connect_said_and_the_offset_of_the_day() {
        let f = call_facts(&call(Outcome::CallBack), "spring", "Outbound");
        assert_eq!(f.ring, RingOutcome::Answered);
        assert_eq!(f.ring_ended, 1_772_985_610_000);
        assert_eq!(f.choice, Some(rules::Choice::CallBack));
        let record = contact_records::write::contact_record(&f);
        assert_eq!(record["DisconnectReason"], "CUSTOMER_DISCONNECT");
        assert_eq!(record["AnsweringMachineDetectionStatus"], "HUMAN_ANSWERED");
        assert_eq!(record["ConnectedToSystemTimestamp"], "2026-03-08T16:00:10Z");
        assert_eq!(record["Attributes"]["dialsim_utc_offset"], "-04:00");
        assert_eq!(record["Attributes"][crate::contact::RESULT_ATTRIBUTE], "2");
        assert_eq!(record["Attributes"]["dialsim_attempt"], "2");
    }

    #[test]
    fn a_call_finished_before_the_store_kept_connects_facts_is_told_apart() {
        let mut old = call(Outcome::Agent);
        assert!(has_connect_facts(&old));
        old.answer = AnswerFacts::default();
        assert!(!has_connect_facts(&old));
    }

    #[test]
    fn an_unanswered_call_has_no_answer_and_a_machine_no_choice() {
        let mut busy = call(Outcome::Busy);
        busy.answer = AnswerFacts {
            disconnect_reason: Some("TELECOM_BUSY".into()),
            ..AnswerFacts::default()
        };
        let f = call_facts(&busy, "spring", "Outbound");
        let record = contact_records::write::contact_record(&f);
        assert!(record["ConnectedToSystemTimestamp"].is_null());
        assert!(record["AnsweringMachineDetectionStatus"].is_null());
        assert_eq!(record["DisconnectReason"], "TELECOM_BUSY");
        let mut machine = call(Outcome::Machine);
        machine.answer.machine_detection = Some("VOICEMAIL_BEEP".into());
        let f = call_facts(&machine, "spring", "Outbound");
        assert_eq!((f.ring, f.choice), (RingOutcome::MachineDetected, None));
    }
}
