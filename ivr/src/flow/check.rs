//! What Connect would refuse, or what would leave a caller in silence, found before the flow is
//! imported: each check is a function of its own, returning every [`Problem`] it finds.
//!
//! - [`check_document`]: the version, the number of actions, each action's type and parameters;
//! - [`check_identifiers`]: every action has an `Identifier`, unique and acceptable to Connect;
//! - [`check_transitions`]: every branch names an existing action, and has the shape and the
//!   error branches its action type needs;
//! - [`check_graph`]: the start exists, every action is reachable from it, no path stops at an
//!   action that needs a transition, and no loop is without a way out.
//!
//! [`validate`] runs all four. An action whose `Identifier` another action already has is looked
//! at once (as the first), so one mistake is one problem.

use super::model::{Action, Flow};
use super::{Location, Problem};
use std::collections::{HashMap, HashSet, VecDeque};

/// The flow language's version string.
pub const VERSION: &str = "2019-10-30";
/// Connect's limit on actions per flow.
pub const MAX_ACTIONS: usize = 250;

/// Every action type of the flow language (contact, flow control, interaction and participant
/// actions, as Amazon Connect's flow language reference lists them).
pub const KNOWN_TYPES: &[&str] = &[
    // Contact actions.
    "CompleteOutboundCall",
    "CreateCase",
    "CreateTask",
    "CreateWisdomSession",
    "DequeueContactAndTransferToQueue",
    "EndFlowModuleExecution",
    "GetCase",
    "InvokeFlowModule",
    "ResumeContact",
    "StartOutboundChatContact",
    "TagContact",
    "TransferContactToAgent",
    "TransferContactToQueue",
    "UnTagContact",
    "UpdateCase",
    "UpdateContactAttributes",
    "UpdateContactCallbackNumber",
    "UpdateContactData",
    "UpdateContactEventHooks",
    "UpdateContactMediaProcessing",
    "UpdateContactMediaStreamingBehavior",
    "UpdateContactRecordingAndAnalyticsBehavior",
    "UpdateContactRecordingBehavior",
    "UpdateContactRoutingBehavior",
    "UpdateContactTargetQueue",
    "UpdateContactTextToSpeechVoice",
    "UpdatePreviousContactParticipantState",
    // Flow control actions.
    "CheckHoursOfOperation",
    "CheckMetricData",
    "CheckOutboundCallStatus",
    "CheckVoiceId",
    "Compare",
    "DistributeByPercentage",
    "EndFlowExecution",
    "GetMetricData",
    "Loop",
    "StartVoiceIdStream",
    "TransferToFlow",
    "UpdateFlowAttributes",
    "UpdateFlowLoggingBehavior",
    "UpdateRoutingCriteria",
    "Wait",
    // Interactions.
    "CreateCallbackContact",
    "InvokeLambdaFunction",
    // Participant actions.
    "ConnectParticipantWithLexBot",
    "DisconnectParticipant",
    "GetParticipantInput",
    "MessageParticipant",
    "MessageParticipantIteratively",
    "ShowView",
];

/// Actions a path may end at: the call is hung up, or handed to a queue, an agent or another flow.
pub const ENDING_TYPES: &[&str] = &[
    "DisconnectParticipant",
    "TransferContactToQueue",
    "TransferContactToAgent",
    "TransferToFlow",
];

/// The error branches Connect requires of the action types this flow uses.
pub const REQUIRED_ERRORS: &[(&str, &[&str])] = &[
    ("UpdateContactTextToSpeechVoice", &["NoMatchingError"]),
    ("GetParticipantInput", &["NoMatchingError"]),
    ("InvokeLambdaFunction", &["NoMatchingError"]),
    ("UpdateContactAttributes", &["NoMatchingError"]),
    ("Compare", &["NoMatchingCondition"]),
    ("MessageParticipant", &["NoMatchingError"]),
    ("UpdateContactTargetQueue", &["NoMatchingError"]),
    (
        "TransferContactToQueue",
        &["QueueAtCapacity", "NoMatchingError"],
    ),
];

/// Characters Connect refuses in an action's Identifier.
pub const FORBIDDEN_ID_CHARS: &str = "%:(\\/)=$,;[]{}";

const DISCONNECT: &str = "DisconnectParticipant";

fn problem(at: Location, message: impl Into<String>) -> Problem {
    Problem {
        at,
        message: message.into(),
    }
}

/// Every problem of the flow, from all four checks (empty: none). Placeholders are not looked
/// at here; see [`unfilled_placeholders`](super::unfilled_placeholders).
pub fn validate(flow: &Flow) -> Vec<Problem> {
    let mut problems = check_document(flow);
    problems.extend(check_identifiers(flow));
    problems.extend(check_transitions(flow));
    problems.extend(check_graph(flow));
    problems
}

/// The actions with an `Identifier`, each `Identifier` once (its first action), in flow order.
fn unique_actions(flow: &Flow) -> Vec<(&str, &Action)> {
    let mut seen = HashSet::new();
    flow.actions
        .iter()
        .filter_map(|a| a.id().map(|id| (id, a)))
        .filter(|(id, _)| seen.insert(*id))
        .collect()
}

/// The version, the number of actions, and each action's `Type` and `Parameters`.
pub fn check_document(flow: &Flow) -> Vec<Problem> {
    let mut problems = Vec::new();
    if flow.version.as_deref() != Some(VERSION) {
        let is = match &flow.version {
            Some(v) => format!("is {v:?}"),
            None => "is missing".into(),
        };
        problems.push(problem(
            Location::Field("Version".into()),
            format!("{is}: the flow language's version is \"{VERSION}\""),
        ));
    }
    if flow.actions.len() > MAX_ACTIONS {
        problems.push(problem(
            Location::Field("Actions".into()),
            format!(
                "{} actions: Connect accepts at most {MAX_ACTIONS}",
                flow.actions.len()
            ),
        ));
    }
    for (i, action) in flow.actions.iter().enumerate() {
        let Some(id) = action.id() else {
            continue; // check_identifiers reports it
        };
        let ty = action.kind();
        if !KNOWN_TYPES.contains(&ty) {
            problems.push(problem(
                action.location(i),
                format!("Type {ty:?} is not an action of the flow language: use one of its action types (e.g. MessageParticipant, DisconnectParticipant)"),
            ));
        }
        let first = !flow.actions[..i].iter().any(|a| a.id() == Some(id));
        if first && action.parameters.is_none() {
            problems.push(problem(
                action.location(i),
                "Parameters missing or not an object: write {} when the action takes none",
            ));
        }
    }
    problems
}

/// Every action has an `Identifier`, of 1 to 50 characters Connect accepts, used by no other
/// action.
pub fn check_identifiers(flow: &Flow) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, action) in flow.actions.iter().enumerate() {
        let Some(id) = action.id() else {
            problems.push(problem(
                Location::Index(i),
                "has no Identifier: give every action a unique string Identifier",
            ));
            continue;
        };
        if id.is_empty()
            || id.chars().count() > 50
            || id.chars().any(|c| FORBIDDEN_ID_CHARS.contains(c))
        {
            problems.push(problem(
                action.location(i),
                format!("Connect refuses this Identifier: use 1 to 50 characters, none of {FORBIDDEN_ID_CHARS}"),
            ));
        }
        if !seen.insert(id) {
            problems.push(problem(
                action.location(i),
                "the Identifier is used twice: give each action its own",
            ));
        }
    }
    problems
}

/// Every action has `Transitions`; every branch says where it goes, to an existing action; a
/// condition has an operator and operands, an error branch its type; the action type's required
/// error branches are there; a disconnect has none.
pub fn check_transitions(flow: &Flow) -> Vec<Problem> {
    let mut problems = Vec::new();
    let ids: HashSet<&str> = flow.actions.iter().filter_map(Action::id).collect();
    for (id, action) in unique_actions(flow) {
        let at = || Location::Action(id.into());
        let ty = action.kind();
        let Some(transitions) = &action.transitions else {
            problems.push(problem(
                at(),
                "Transitions missing or not an object: write {} for a disconnect",
            ));
            continue;
        };
        for (k, c) in transitions.conditions.iter().flatten().enumerate() {
            let what = format!("Conditions[{k}]");
            if c.next_action.is_none() {
                problems.push(problem(
                    at(),
                    format!("{what} has no NextAction: say where the branch goes"),
                ));
            }
            if !c
                .condition
                .as_ref()
                .is_some_and(|c| c.operator.is_some() && c.operands.is_some())
            {
                problems.push(problem(
                    at(),
                    format!("{what} needs a Condition with an Operator and a list of Operands"),
                ));
            }
        }
        for (k, e) in transitions.errors.iter().flatten().enumerate() {
            let what = format!("Errors[{k}]");
            if e.next_action.is_none() {
                problems.push(problem(
                    at(),
                    format!("{what} has no NextAction: say where the branch goes"),
                ));
            }
            if e.error_type.is_none() {
                problems.push(problem(at(), format!("{what} needs an ErrorType")));
            }
        }
        for (what, target) in transitions.targets() {
            if !ids.contains(target) {
                problems.push(problem(
                    at(),
                    format!("{what} goes to {target:?}, which is not an action of this flow: point it at an existing Identifier"),
                ));
            }
        }
        if ty == DISCONNECT && !transitions.is_empty() {
            problems.push(problem(
                at(),
                "a disconnect ends the flow: give it empty Transitions {}",
            ));
        }
        if let Some((_, required)) = REQUIRED_ERRORS.iter().find(|(t, _)| *t == ty) {
            let present: HashSet<&str> = transitions
                .errors
                .iter()
                .flatten()
                .filter_map(|e| e.error_type.as_deref())
                .collect();
            for r in *required {
                if !present.contains(r) {
                    problems.push(problem(
                        at(),
                        format!("no {r} error branch: Connect requires one on a {ty}; send it to a disconnect"),
                    ));
                }
            }
        }
    }
    problems
}

/// The graph of actions: `StartAction` names one; no action other than a disconnect or a
/// transfer stops without a transition (a dead end); every action is reachable from the start;
/// from every reachable action with a transition, some path reaches a disconnect or a transfer.
/// Branches to actions that do not exist are left out (check_transitions reports them).
pub fn check_graph(flow: &Flow) -> Vec<Problem> {
    let mut problems = Vec::new();
    let actions = unique_actions(flow);
    let types: HashMap<&str, &str> = actions.iter().map(|(id, a)| (*id, a.kind())).collect();
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, action) in &actions {
        let Some(transitions) = &action.transitions else {
            continue; // check_transitions reports it
        };
        let out: Vec<&str> = transitions
            .targets()
            .into_iter()
            .map(|(_, t)| t)
            .filter(|t| types.contains_key(t))
            .collect();
        let ty = action.kind();
        if ty != DISCONNECT && out.is_empty() && !ENDING_TYPES.contains(&ty) {
            problems.push(problem(
                Location::Action((*id).into()),
                format!("dead end: a {ty} with no transition leaves the caller nowhere: add a NextAction (e.g. to a DisconnectParticipant)"),
            ));
        }
        edges.insert(id, out);
    }

    let Some(start) = flow
        .start_action
        .as_deref()
        .filter(|s| types.contains_key(s))
    else {
        let is = match &flow.start_action {
            Some(s) => format!("{s:?}"),
            None => "missing".into(),
        };
        problems.push(problem(
            Location::Field("StartAction".into()),
            format!("{is} is not an action of this flow: name the Identifier of the first action"),
        ));
        return problems;
    };
    let mut reached: HashSet<&str> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(a) = queue.pop_front() {
        for &b in edges.get(a).map(Vec::as_slice).unwrap_or_default() {
            if reached.insert(b) {
                queue.push_back(b);
            }
        }
    }
    let mut reverse: HashMap<&str, Vec<&str>> = HashMap::new();
    for (&a, outs) in &edges {
        for &b in outs {
            reverse.entry(b).or_default().push(a);
        }
    }
    let mut exits: HashSet<&str> = actions
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| ENDING_TYPES.contains(&types[id]))
        .collect();
    let mut queue: VecDeque<&str> = exits.iter().copied().collect();
    while let Some(b) = queue.pop_front() {
        for &a in reverse.get(b).map(Vec::as_slice).unwrap_or_default() {
            if exits.insert(a) {
                queue.push_back(a);
            }
        }
    }
    for (id, _) in &actions {
        if !reached.contains(id) {
            problems.push(problem(
                Location::Action((*id).into()),
                "unreachable: no transition leads here from StartAction: connect it or remove it",
            ));
        } else if !exits.contains(id) && edges.get(id).is_some_and(|o| !o.is_empty()) {
            problems.push(problem(
                Location::Action((*id).into()),
                "no path from here reaches a disconnect or a transfer (a loop with no way out): add a branch to a DisconnectParticipant",
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn flow(v: Value) -> Flow {
        Flow::from_value(v).expect("a flow in the language's shape")
    }

    fn messages(ps: &[Problem]) -> String {
        ps.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A minimal valid flow: say something, then hang up.
    fn tiny() -> Value {
        json!({"Version": "2019-10-30", "StartAction": "say", "Actions": [
            {"Identifier": "say", "Type": "MessageParticipant", "Parameters": {"Text": "hi"},
             "Transitions": {"NextAction": "bye", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]})
    }

    fn template() -> Flow {
        Flow::parse(super::super::TEMPLATE).expect("the template parses")
    }

    #[test]
    fn the_template_and_the_tiny_flow_pass_every_check() {
        for f in [template(), flow(tiny())] {
            assert_eq!(check_document(&f), vec![]);
            assert_eq!(check_identifiers(&f), vec![]);
            assert_eq!(check_transitions(&f), vec![]);
            assert_eq!(check_graph(&f), vec![]);
        }
    }

    #[test]
    fn identifiers_a_duplicate_is_named_once() {
        let mut v = tiny();
        v["Actions"].as_array_mut().unwrap().push(
            json!({"Identifier": "say", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
        );
        let f = flow(v);
        assert_eq!(
            messages(&check_identifiers(&f)),
            "action \"say\": the Identifier is used twice: give each action its own"
        );
        // The other checks look at the first "say" only: nothing more to say.
        assert_eq!(check_transitions(&f), vec![]);
        assert_eq!(check_graph(&f), vec![]);
    }

    #[test]
    fn identifiers_missing_and_malformed() {
        let mut v = tiny();
        v["Actions"].as_array_mut().unwrap().extend([
            json!({"Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
            json!({"Identifier": "a:b", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
            json!({"Identifier": "", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
            json!({"Identifier": "x".repeat(51), "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
        ]);
        let problems = check_identifiers(&flow(v));
        let m = messages(&problems);
        assert_eq!(problems.len(), 4, "{m}");
        assert_eq!(problems[0].at, Location::Index(2));
        assert!(m.contains("Actions[2]: has no Identifier"), "{m}");
        assert!(
            m.contains("action \"a:b\": Connect refuses this Identifier"),
            "{m}"
        );
        assert!(m.contains("action \"\": Connect refuses"), "{m}");
        // 50 characters are fine.
        let mut v = tiny();
        v["Actions"][1]["Identifier"] = json!("y".repeat(50));
        v["Actions"][0]["Transitions"] = json!({"NextAction": "y".repeat(50), "Errors": [{"NextAction": "y".repeat(50), "ErrorType": "NoMatchingError"}]});
        assert_eq!(validate(&flow(v)), vec![]);
    }

    #[test]
    fn transitions_a_dangling_target_is_named_with_its_place() {
        let mut v = tiny();
        v["Actions"][0]["Transitions"]["Errors"][0]["NextAction"] = json!("nowhere");
        let problems = check_transitions(&flow(v));
        assert_eq!(
            messages(&problems),
            "action \"say\": Errors[0].NextAction goes to \"nowhere\", which is not an action of this flow: point it at an existing Identifier"
        );
        assert_eq!(problems[0].at, Location::Action("say".into()));
    }

    #[test]
    fn transitions_branch_shapes_and_required_errors() {
        let f = flow(
            json!({"Version": "2019-10-30", "StartAction": "route", "Actions": [
            {"Identifier": "route", "Type": "Compare", "Parameters": {"ComparisonValue": "$.x"},
             "Transitions": {"NextAction": "bye",
                "Conditions": [{"Condition": {"Operator": "Equals"}}],
                "Errors": [{"NextAction": "bye"}]}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {},
             "Transitions": {"NextAction": "route"}},
            {"Identifier": "menu", "Type": "GetParticipantInput", "Parameters": {}}]}),
        );
        let m = messages(&check_transitions(&f));
        for want in [
            "action \"route\": Conditions[0] has no NextAction: say where the branch goes",
            "action \"route\": Conditions[0] needs a Condition with an Operator and a list of Operands",
            "action \"route\": Errors[0] needs an ErrorType",
            "action \"route\": no NoMatchingCondition error branch: Connect requires one on a Compare",
            "action \"bye\": a disconnect ends the flow: give it empty Transitions {}",
            "action \"menu\": Transitions missing or not an object",
        ] {
            assert!(m.contains(want), "{want} in\n{m}");
        }
    }

    #[test]
    fn graph_a_missing_start_is_named() {
        let mut v = tiny();
        v["StartAction"] = json!("missing");
        assert_eq!(
            messages(&check_graph(&flow(v))),
            "StartAction: \"missing\" is not an action of this flow: name the Identifier of the first action"
        );
        let mut v = tiny();
        v.as_object_mut().unwrap().remove("StartAction");
        assert!(
            messages(&check_graph(&flow(v))).starts_with("StartAction: missing is not an action")
        );
    }

    #[test]
    fn graph_an_unreachable_action_is_named() {
        let mut v = tiny();
        v["Actions"].as_array_mut().unwrap().push(
            json!({"Identifier": "orphan", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
        );
        assert_eq!(
            messages(&check_graph(&flow(v))),
            "action \"orphan\": unreachable: no transition leads here from StartAction: connect it or remove it"
        );
    }

    #[test]
    fn graph_a_dead_end_is_refused() {
        let mut v = tiny();
        v["Actions"][0]["Transitions"] = json!({});
        let m = messages(&check_graph(&flow(v)));
        assert!(
            m.contains("action \"say\": dead end: a MessageParticipant with no transition"),
            "{m}"
        );
        // …and the disconnect it no longer reaches is unreachable.
        assert!(m.contains("action \"bye\": unreachable"), "{m}");
        // A transfer may end a path.
        let f = flow(
            json!({"Version": "2019-10-30", "StartAction": "t", "Actions": [
            {"Identifier": "t", "Type": "TransferToFlow", "Parameters": {}, "Transitions": {}}]}),
        );
        assert_eq!(check_graph(&f), vec![]);
    }

    #[test]
    fn graph_a_loop_without_exit_is_refused_and_one_with_an_exit_is_not() {
        let looping = json!({"Version": "2019-10-30", "StartAction": "a", "Actions": [
            {"Identifier": "a", "Type": "MessageParticipant", "Parameters": {},
             "Transitions": {"NextAction": "b", "Errors": [{"NextAction": "b", "ErrorType": "NoMatchingError"}]}},
            {"Identifier": "b", "Type": "MessageParticipant", "Parameters": {},
             "Transitions": {"NextAction": "a", "Errors": [{"NextAction": "a", "ErrorType": "NoMatchingError"}]}}]});
        let m = messages(&check_graph(&flow(looping.clone())));
        assert!(
            m.contains("action \"a\": no path from here reaches a disconnect or a transfer"),
            "{m}"
        );
        assert!(m.contains("action \"b\": no path"), "{m}");
        let mut with_exit = looping;
        with_exit["Actions"][1]["Transitions"]["Errors"][0]["NextAction"] = json!("bye");
        with_exit["Actions"].as_array_mut().unwrap().push(
            json!({"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
        );
        assert_eq!(validate(&flow(with_exit)), vec![]);
    }

    #[test]
    fn document_version_types_parameters_and_size() {
        let mut v = tiny();
        v["Version"] = json!("2020-01-01");
        v["Actions"][0]["Type"] = json!("PlayPrompt");
        v["Actions"][1]
            .as_object_mut()
            .unwrap()
            .remove("Parameters");
        let m = messages(&check_document(&flow(v)));
        for want in [
            "Version: is \"2020-01-01\": the flow language's version is \"2019-10-30\"",
            "action \"say\": Type \"PlayPrompt\" is not an action of the flow language",
            "action \"bye\": Parameters missing or not an object: write {} when the action takes none",
        ] {
            assert!(m.contains(want), "{want} in\n{m}");
        }
        let mut v = tiny();
        let bye = v["Actions"][1].clone();
        let actions = v["Actions"].as_array_mut().unwrap();
        for i in 0..MAX_ACTIONS {
            let mut a = bye.clone();
            a["Identifier"] = json!(format!("bye-{i}"));
            actions.push(a);
        }
        assert!(
            messages(&check_document(&flow(v)))
                .contains("Actions: 252 actions: Connect accepts at most 250")
        );
    }

    #[test]
    fn a_text_not_in_the_languages_shape_does_not_parse() {
        for bad in [
            "[]",
            "{}",
            "{\"Actions\": {}}",
            "{\"Actions\": [{\"Identifier\": 3}]}",
            "nope",
        ] {
            let e = Flow::parse(bad).expect_err(bad).to_string();
            assert!(e.starts_with("not a flow ("), "{e}");
        }
    }
}
