//! One rulebook: a campaign file and a scenario that write the same `rules: (...)` get the same
//! rules — parsed by one type, with one set of defaults — and so the simulator's dialer and
//! `live` allow the same calls (`lab`'s integration tests replay the simulator's dials through
//! the decision `live` makes, `rules::rulebook::may_dial`).

use std::path::Path;

const CAMPAIGN: &str = r#"Campaign(
    name: "rules",
    instance_id: "11111111-2222-3333-4444-555555555555",
    contact_flow_id: "flow-1",
    queue_id: "queue-1",
    source_phone_number: "+14155550100",
    region: "us-east-1",
    contacts: "contacts.csv",
    strategy: Progressive(),
    RULES
    store: "campaign.sqlite",
)"#;

const SCENARIO: &str = r#"Scenario(
    name: "rules",
    list: Generated(size: 10),
    agents: (staffing: Count(1), talk: Fixed(s: 60.0), after_call_work: Fixed(s: 5.0)),
    dial: (ring_timeout_s: 30.0, human: 0.5, machine: 0.1, busy: 0.1, no_answer: 0.2, failed: 0.1,
           answer_after: Fixed(s: 5.0)),
    ivr: (prompt: Fixed(s: 5.0),
          agent: (p: 0.5, after: Fixed(s: 1.0)), call_back: (p: 0.1, after: Fixed(s: 1.0)),
          email: (p: 0.1, after: Fixed(s: 1.0)), not_interested: (p: 0.2, after: Fixed(s: 1.0)),
          no_input: 0.1),
    queue: (patience: None),
    RULES
    strategies: [Progressive()],
)"#;

fn both(rules: &str) -> (rules::Rules, rules::Rules) {
    let campaign = live::config::parse(&CAMPAIGN.replace("RULES", rules), Path::new("c.ron"))
        .unwrap_or_else(|e| panic!("campaign with {rules:?}: {e}"));
    let scenario = lab::load::parse(&SCENARIO.replace("RULES", rules), Path::new("s.ron"))
        .unwrap_or_else(|e| panic!("scenario with {rules:?}: {e}"));
    (campaign.rules, scenario.rules)
}

#[test]
fn the_same_rules_text_gives_the_same_rules_in_both_files() {
    for rules in [
        // Nothing written: the same defaults on both sides.
        "",
        "rules: (),",
        r#"rules: (calling_window: (from: "09:30", to: "20:00")),"#,
        "rules: (retry: (busy: Some((after_min: 5.0, max_attempts: 2)), abandoned: Some((after_min: 60.0, max_attempts: 2)))),",
        r#"rules: (calling_window: (from: "00:00", to: "24:00"), retry: (no_answer: None, busy: None, machine: None, failed: None, call_back: None, abandoned: None), abandon_quiet_h: 96),"#,
    ] {
        let (campaign, scenario) = both(rules);
        assert_eq!(campaign, scenario, "{rules:?}");
    }
    let (defaults, _) = both("");
    assert_eq!(defaults, rules::Rules::default());
}

#[test]
fn the_same_mistake_is_refused_in_both_files() {
    for (rules, says) in [
        (
            r#"rules: (calling_window: (from: "21:00", to: "08:00")),"#,
            "crosses midnight",
        ),
        ("rules: (abandon_quiet_h: 24),", "72 hours"),
        (
            "rules: (retry: (busy: Some((after_min: 5.0, max_attempts: 0)))),",
            "max_attempts 0",
        ),
    ] {
        let campaign = live::config::parse(&CAMPAIGN.replace("RULES", rules), Path::new("c.ron"))
            .expect_err(rules)
            .to_string();
        let scenario = lab::load::parse(&SCENARIO.replace("RULES", rules), Path::new("s.ron"))
            .expect_err(rules)
            .to_string();
        assert!(campaign.contains(says), "{campaign}");
        assert!(scenario.contains(says), "{scenario}");
    }
}

/// The rehearsal's campaign file and the scenario its stand-in plays write their rules word for
/// word alike.
#[test]
fn the_rehearsal_campaign_and_its_scenario_share_their_rules() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rehearsal");
    let campaign = live::config::load(&dir.join("campaign.ron")).expect("rehearsal campaign");
    let (scenario, _) = lab::load::load(&dir.join("scenario.ron")).expect("rehearsal scenario");
    assert_eq!(campaign.campaign.rules, scenario.rules);
}
