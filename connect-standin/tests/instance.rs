//! The stand-in's core without HTTP or clock: Connect's operations as typed calls in simulated
//! time, and the contact events they produce.

use connect_standin::{
    ContactEventType, DisconnectReason, ErrorKind, Ids, Instance, Options, OutboundRequest,
};
use sim::Millis;

/// A scenario of `size` generated customers and `agents` agents; every call is answered by a
/// person who asks for an agent and waits as long as it takes; `limits` as written.
fn scenario(size: u32, agents: u32, limits: &str) -> String {
    format!(
        r#"Scenario(
    name: "instance-test",
    seed: 11,
    horizon_h: Some(8.0),
    list: Generated(size: {size}),
    agents: (staffing: Count({agents}), talk: Fixed(s: 120.0), after_call_work: Fixed(s: 10.0)),
    dial: (ring_timeout_s: 30.0, human: 1.0, machine: 0.0, busy: 0.0, no_answer: 0.0, failed: 0.0,
           answer_after: Fixed(s: 5.0)),
    ivr: (prompt: Fixed(s: 5.0),
          agent: (p: 1.0, after: Fixed(s: 2.0)), call_back: (p: 0.0, after: Fixed(s: 1.0)),
          email: (p: 0.0, after: Fixed(s: 1.0)), not_interested: (p: 0.0, after: Fixed(s: 1.0)),
          no_input: 0.0),
    queue: (patience: None),
    limits: {limits},
    rules: (calling_window: (from: "00:00", to: "24:00")),
    metrics_lag_s: 0.0,
    strategies: [Progressive()],
)"#
    )
}

const NO_LIMITS: &str = "(start_rate: None, max_concurrent_calls: None)";

fn instance_with(text: &str, options: Options) -> Instance {
    let scenario = lab::load::parse(text, "instance-test.ron".as_ref()).expect("scenario");
    let plan = lab::Plan::compile(&scenario, &lab::inputs::Files::new(".".as_ref())).expect("plan");
    let phones =
        connect_standin::phone_numbers(&scenario.list, &plan.world, ".".as_ref()).expect("phones");
    Instance::new(plan.world, plan.seed, phones, options).expect("instance")
}

fn instance(text: &str) -> Instance {
    instance_with(text, Options::default())
}

fn call(connect: &mut Instance, at: u64, phone: &str) -> String {
    let request = OutboundRequest::new(&Ids::default(), phone);
    connect
        .start_outbound_voice_contact(Millis(at), &request)
        .expect("started")
        .contact_id
}

const HOUR: u64 = 3_600_000;

#[test]
fn a_calls_events_come_in_its_stages_order_with_what_was_known_then() {
    let mut connect = instance(&scenario(3, 1, NO_LIMITS));
    let id = call(&mut connect, 1_000, "+15550000000");
    let events = connect.events(Millis(HOUR)).to_vec();
    let kinds: Vec<ContactEventType> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ContactEventType::ALL);
    assert!(events.iter().all(|e| e.contact_id == id));
    assert!(events.windows(2).all(|w| w[0].at <= w[1].at), "{events:?}");
    let [initiated, answered, queued, agent, ended] = &events[..] else {
        unreachable!()
    };
    // Ring 5 s, prompt 5 s + 2 s to choose, an agent at once, 120 s of talk.
    assert_eq!(initiated.at, Millis(1_000));
    assert_eq!(answered.at, Millis(6_000));
    assert_eq!(queued.at, Millis(13_000));
    assert_eq!(agent.at, Millis(13_000));
    assert_eq!(ended.at, Millis(133_000));
    assert_eq!(initiated.stages.connected_to_system_at, None);
    assert_eq!(answered.stages.connected_to_system_at, Some(Millis(6_000)));
    assert!(answered.stages.queue.is_none() && queued.stages.queue.is_some());
    assert!(queued.stages.agent.is_none() && agent.stages.agent.is_some());
    assert_eq!(
        agent.stages.queue.as_ref().unwrap().id,
        Ids::default().queue_id
    );
    assert_eq!(ended.stages.disconnected_at, Some(Millis(133_000)));
    assert_eq!(
        ended.stages.disconnect_reason,
        Some(DisconnectReason::AgentDisconnect)
    );
    assert!(
        events[..4]
            .iter()
            .all(|e| e.stages.disconnected_at.is_none() && e.stages.disconnect_reason.is_none())
    );
}

#[test]
fn events_only_grow_and_stay_in_time_order_however_often_they_are_read() {
    // One agent for four callers: the later ones wait in the queue.
    let mut connect = instance(&scenario(4, 1, NO_LIMITS));
    let mut seen = Vec::new();
    for (i, at) in [0, 3_000, 20_000, 21_000].into_iter().enumerate() {
        call(&mut connect, at, &format!("+155500000{i:02}"));
        let now = connect.events(Millis(at)).to_vec();
        assert!(now.starts_with(&seen), "the log changed what it had said");
        seen = now;
    }
    for t in (30_000..HOUR).step_by(7_000) {
        let now = connect.events(Millis(t)).to_vec();
        assert!(now.starts_with(&seen), "the log changed what it had said");
        assert!(now.iter().all(|e| e.at <= Millis(t)));
        seen = now;
    }
    assert!(seen.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(seen.len(), 4 * 5, "{seen:?}");
    // Asking about an earlier time gives the events up to it, not the later ones.
    let early = connect.events(Millis(10_000)).len();
    assert!(early < seen.len());
    assert!(seen[..early].iter().all(|e| e.at <= Millis(10_000)));
}

#[test]
fn a_call_in_progress_is_described_with_the_stages_it_has_reached() {
    // Two callers, one agent: the second waits in the queue for the first's talk and wrap-up.
    let mut connect = instance(&scenario(2, 1, NO_LIMITS));
    let ids = Ids::default();
    call(&mut connect, 0, "+15550000000");
    let second = call(&mut connect, 0, "+15550000001");
    let d = connect
        .describe_contact(Millis(60_000), &ids.instance_id, &second)
        .unwrap();
    assert_eq!(d.stages.connected_to_system_at, Some(Millis(5_000)));
    assert_eq!(
        d.stages.queue.as_ref().map(|q| q.enqueued_at),
        Some(Millis(12_000))
    );
    assert!(d.stages.agent.is_none() && d.stages.disconnected_at.is_none());
    assert_eq!(d.last_update_at, Millis(60_000));
    // The result code is the flow's, set when the call has ended.
    assert!(!d.attributes.contains_key(ivr::RESULT_ATTRIBUTE));
    let d = connect
        .describe_contact(Millis(HOUR), &ids.instance_id, &second)
        .unwrap();
    assert!(d.stages.agent.is_some() && d.stages.disconnected_at.is_some());
    assert_eq!(d.attributes[ivr::RESULT_ATTRIBUTE], "1");
    let attributes = connect
        .contact_attributes(Millis(HOUR), &ids.instance_id, &second)
        .unwrap();
    assert_eq!(attributes[ivr::RESULT_ATTRIBUTE], "1");
}

#[test]
fn the_same_client_token_gives_the_same_contact_and_places_one_call() {
    let mut connect = instance(&scenario(3, 1, NO_LIMITS));
    let mut request = OutboundRequest::new(&Ids::default(), "+15550000001");
    request.client_token = Some("token-1".into());
    let first = connect
        .start_outbound_voice_contact(Millis(0), &request)
        .unwrap();
    assert!(first.placed);
    for at in [10, 500_000] {
        let again = connect
            .start_outbound_voice_contact(Millis(at), &request)
            .unwrap();
        assert_eq!(again.contact_id, first.contact_id);
        assert!(!again.placed);
    }
    assert_eq!(connect.dials().values().sum::<u64>(), 1);
    let initiated = connect
        .events(Millis(HOUR))
        .iter()
        .filter(|e| e.kind == ContactEventType::Initiated)
        .count();
    assert_eq!(initiated, 1);
}

#[test]
fn api_quotas_are_token_buckets_in_simulated_time() {
    let ids = Ids::default();
    let mut connect = instance(&scenario(3, 1, NO_LIMITS));
    // GetCurrentMetricData: burst 8, then 5 a simulated second.
    for _ in 0..8 {
        connect
            .current_metrics(Millis(1_000), &ids.instance_id)
            .unwrap();
    }
    let refused = connect
        .current_metrics(Millis(1_000), &ids.instance_id)
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Throttling);
    assert_eq!(refused.status(), 429);
    connect
        .current_metrics(Millis(1_300), &ids.instance_id)
        .expect("a token back after 300 simulated ms");
    // DescribeContact: burst 5, then 2 a second; a refused request does not look the contact up.
    let id = call(&mut connect, 2_000, "+15550000000");
    for _ in 0..5 {
        connect
            .describe_contact(Millis(2_000), &ids.instance_id, &id)
            .unwrap();
    }
    let refused = connect
        .describe_contact(Millis(2_000), &ids.instance_id, &id)
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Throttling);
    assert!(
        connect
            .describe_contact(Millis(2_499), &ids.instance_id, &id)
            .is_err()
    );
    assert!(
        connect
            .describe_contact(Millis(2_700), &ids.instance_id, &id)
            .is_ok()
    );
    // Without API quotas nothing is refused.
    let mut free = instance_with(
        &scenario(3, 1, NO_LIMITS),
        Options {
            api_quotas: false,
            ..Options::default()
        },
    );
    for _ in 0..100 {
        free.current_metrics(Millis(0), &ids.instance_id).unwrap();
    }
    assert_eq!(free.quotas(), Vec::new());
}

#[test]
fn the_scenarios_limits_refuse_starts_as_connect_does() {
    let mut connect = instance(&scenario(
        5,
        1,
        "(start_rate: Some((per_second: 0.0001, burst: 2)), max_concurrent_calls: None)",
    ));
    call(&mut connect, 0, "+15550000000");
    call(&mut connect, 0, "+15550000001");
    let request = OutboundRequest::new(&Ids::default(), "+15550000002");
    let refused = connect
        .start_outbound_voice_contact(Millis(0), &request)
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Throttling);
    let quotas = connect.quotas();
    assert_eq!(quotas[0].operation.name(), "StartOutboundVoiceContact");
    assert_eq!(quotas[0].burst, 2);

    let mut connect = instance(&scenario(
        5,
        1,
        "(start_rate: None, max_concurrent_calls: Some(1))",
    ));
    call(&mut connect, 0, "+15550000000");
    let request = OutboundRequest::new(&Ids::default(), "+15550000001");
    let refused = connect
        .start_outbound_voice_contact(Millis(0), &request)
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::LimitExceeded);
    assert_eq!(refused.kind.name(), "LimitExceededException");
    assert_eq!(connect.max_concurrent_calls(), Some(1));
}

#[test]
fn ids_the_instance_does_not_serve_are_not_found() {
    let ids = Ids::default();
    let mut connect = instance(&scenario(3, 1, NO_LIMITS));
    let good = OutboundRequest::new(&ids, "+15550000000");
    let wrong = [
        OutboundRequest {
            instance_id: "11111111-2222-3333-4444-555555555555".into(),
            ..good.clone()
        },
        OutboundRequest {
            contact_flow_id: "flow-1".into(),
            ..good.clone()
        },
        OutboundRequest {
            queue_id: Some("queue-1".into()),
            ..good.clone()
        },
    ];
    for request in &wrong {
        let e = connect
            .start_outbound_voice_contact(Millis(0), request)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ResourceNotFound, "{e}");
        assert_eq!(e.status(), 404);
    }
    assert!(connect.dials().is_empty(), "a refused start placed a call");
    // Without a QueueId the flow's queue is the served one.
    let id = connect
        .start_outbound_voice_contact(
            Millis(0),
            &OutboundRequest {
                queue_id: None,
                ..good
            },
        )
        .unwrap()
        .contact_id;
    let other = "11111111-2222-3333-4444-555555555555";
    let not_found = |e: connect_standin::ConnectError| {
        assert_eq!(e.kind, ErrorKind::ResourceNotFound, "{e}");
        assert!(e.message.contains(other), "{e}");
    };
    not_found(connect.current_metrics(Millis(0), other).unwrap_err());
    not_found(connect.describe_contact(Millis(0), other, &id).unwrap_err());
    not_found(
        connect
            .contact_attributes(Millis(0), other, &id)
            .unwrap_err(),
    );
    not_found(connect.stop_contact(Millis(0), other, &id).unwrap_err());
    let e = connect
        .describe_contact(Millis(0), &ids.instance_id, "no-such-contact")
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::ResourceNotFound);
}

/// With answering-machine detection, an answered call's DISCONNECTED event and DescribeContact
/// carry Connect's AnsweringMachineDetectionStatus; without detection, neither does.
#[test]
fn answering_machine_detection_status_comes_with_the_end_of_the_call() {
    let with_amd = scenario(40, 40, NO_LIMITS)
        .replace("human: 1.0, machine: 0.0", "human: 0.5, machine: 0.5")
        .replace(
            "    queue: (patience: None),",
            "    amd: Some((detect_after: Fixed(s: 2.0), false_positive: 0.0, false_negative: 0.0)),\n    queue: (patience: None),",
        );
    for (text, amd) in [(with_amd, true), (scenario(40, 40, NO_LIMITS), false)] {
        let mut connect = instance(&text);
        let ids: Vec<String> = (0..40)
            .map(|i| call(&mut connect, 1_000, &format!("+1555{i:07}")))
            .collect();
        let ended: Vec<_> = connect
            .events(Millis(HOUR))
            .iter()
            .filter(|e| e.kind == ContactEventType::Disconnected)
            .cloned()
            .collect();
        assert_eq!(ended.len(), 40);
        let statuses: Vec<_> = ended.iter().map(|e| e.stages.machine_detection).collect();
        if amd {
            let machines = statuses
                .iter()
                .filter(|s| **s == Some("VOICEMAIL_BEEP"))
                .count();
            let people = statuses
                .iter()
                .filter(|s| **s == Some("HUMAN_ANSWERED"))
                .count();
            assert_eq!(machines + people, 40, "{statuses:?}");
            assert!(machines > 0 && people > 0, "{statuses:?}");
        } else {
            assert!(statuses.iter().all(Option::is_none), "{statuses:?}");
        }
        let instance_id = Ids::default().instance_id;
        for (k, id) in ids.iter().enumerate() {
            // A second apart: DescribeContact's quota is 2 a second.
            let d = connect
                .describe_contact(Millis(HOUR + k as u64 * 1_000), &instance_id, id)
                .expect("described");
            let event = ended.iter().find(|x| &x.contact_id == id).expect("ended");
            assert_eq!(
                d.stages.machine_detection, event.stages.machine_detection,
                "{id}"
            );
        }
    }
}

/// The instance counts the requests it answers, per operation and by answer (what a rehearsal
/// reports as the load it put on Connect).
#[test]
fn requests_are_counted_per_operation_and_answer() {
    let mut connect = instance(&scenario(3, 1, NO_LIMITS));
    let ids: Vec<String> = (0..3)
        .map(|i| call(&mut connect, 1_000, &format!("+1555{i:07}")))
        .collect();
    let instance_id = Ids::default().instance_id;
    // DescribeContact's burst is 5: the sixth and seventh at the same moment are throttled.
    for _ in 0..7 {
        let _ = connect.describe_contact(Millis(2_000), &instance_id, &ids[0]);
    }
    let unknown = connect.describe_contact(Millis(60_000), &instance_id, "no-such-contact");
    assert_eq!(unknown.unwrap_err().kind, ErrorKind::ResourceNotFound);
    let counts = connect.requests();
    let of = |name: &str| counts.iter().find(|(o, _)| o.name() == name).unwrap().1;
    let starts = of("StartOutboundVoiceContact");
    assert_eq!((starts.ok, starts.throttled, starts.failed), (3, 0, 0));
    let described = of("DescribeContact");
    assert_eq!(
        (described.ok, described.throttled, described.failed),
        (5, 2, 1)
    );
    assert_eq!(described.total(), 8);
    assert_eq!(of("GetCurrentMetricData").total(), 0);
}

/// A rehearsal's calls come out as Connect's contact records, which read back without a
/// rejection and carry what happened: the launch, the answer, the queue, the agent, the talk and
/// the wrap-up, in wall-clock time from the epoch, with the dialer's attributes and the flow's
/// result code.
#[test]
fn the_calls_that_ended_come_out_as_contact_records() {
    let epoch = 1_772_460_000_000; // 2026-03-02T14:00:00Z
    let mut connect = instance_with(
        &scenario(3, 1, NO_LIMITS),
        Options {
            epoch: rules::time::UnixMillis(epoch),
            ..Options::default()
        },
    );
    let mut request = OutboundRequest::new(&Ids::default(), "+15550000000");
    request
        .attributes
        .insert("dialsim_campaign".into(), "spring".into());
    connect
        .start_outbound_voice_contact(Millis(1_000), &request)
        .expect("started");
    call(&mut connect, 2_000, "+15550000001");
    connect.advance_to(Millis(HOUR));
    let facts = connect.contact_records();
    assert_eq!(facts.len(), 2);
    let text = contact_records::write::text(
        &contact_records::write::deliveries(&facts, contact_records::write::Delivery::EXACT),
        true,
    );
    let mut records = contact_records::read::Records::default();
    records.files.push("rehearsal.json".into());
    records.read_bytes(
        0,
        text.as_bytes(),
        &["dialsim_result".into(), "dialsim_campaign".into()],
    );
    assert_eq!(records.rejected_total(), 0, "{:?}", records.rejected);
    let first = &records.contacts[0];
    // Ring 5 s, prompt 5 s and 2 s to choose, an agent at once, 120 s of talk, 10 s of wrap-up.
    assert_eq!(first.initiated, epoch + 1_000);
    assert_eq!(first.connected_to_system, Some(epoch + 6_000));
    assert_eq!(first.attribute("dialsim_result"), Some("1"));
    assert_eq!(first.attribute("dialsim_campaign"), Some("spring"));
    let queue = first.queue.as_ref().expect("queued");
    assert_eq!(queue.enqueued, Some(epoch + 13_000));
    let agent = first.agent.as_ref().expect("an agent took it");
    assert_eq!(agent.interaction_s, Some(120.0));
    assert_eq!(agent.acw_duration_s, Some(10.0));
    assert_eq!(agent.acw_end, Some(epoch + 143_000));
}
