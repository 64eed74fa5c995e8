//! The contact flow the campaign's calls run (the IVR), in Amazon Connect's flow language, and
//! `live flow render`: the template `live/flows/outbound-ivr.json` with the campaign's ids filled
//! in, checked before it is printed.
//!
//! The flow, block by block (identifiers in brackets):
//!
//! ```text
//! [set-voice] UpdateContactTextToSpeechVoice ${VOICE}
//!   → [menu] GetParticipantInput: says ${PROMPT_TEXT}, stores one DTMF digit, or `Timeout`
//!            after ${INPUT_TIMEOUT_S} s
//!   → [record-choice] InvokeLambdaFunction ${LAMBDA_ARN} (ivr-lambda) with choice, phone,
//!            language ${LANGUAGE}; JSON response validation
//!   → [set-result] UpdateContactAttributes dialsim_result = $.External.code (what `live` reads)
//!   → [route] Compare $.External.code
//!        = 1 → [hold-message] $.External.message → [set-queue] ${QUEUE_ARN} → [transfer] queue
//!        else → [goodbye] $.External.message → [hang-up]
//!   any failure (input, Lambda, queue full) → [sorry] ${SORRY_TEXT} → [hang-up]
//! ```
//!
//! **Why JSON response validation.** With STRING_MAP, Connect accepts only values made of
//! letters, digits, `-` and `_`, so the Lambda could not return a sentence (or any Japanese). With
//! JSON, `$.External.message` is the text to speak, in the contact's language, and the flow needs
//! no branch per message. The Lambda's other values (`code`, `disconnect`, `message_key`,
//! `language`) stay within STRING_MAP's characters.
//!
//! **Placeholders** — `${NAME}` inside any string of the template:
//!
//! | placeholder | filled with |
//! |---|---|
//! | `${LAMBDA_ARN}` | `--lambda-arn` |
//! | `${QUEUE_ARN}` | `arn:<partition>:connect:<region>:<account>:instance/<instance_id>/queue/<queue_id>` from the campaign file; the account is `--account-id`, else the Lambda ARN's |
//! | `${LANGUAGE}` | `--language` (`en` by default, or `ja`): the Lambda's reply language |
//! | `${VOICE}` | `--voice`, else the language's Amazon Polly voice (`Joanna`, `Mizuki`) |
//! | `${PROMPT_TEXT}` | `--prompt-text`, else the language's shipped prompt |
//! | `${SORRY_TEXT}` | `--sorry-text`, else the language's shipped apology |
//! | `${INPUT_TIMEOUT_S}` | `--input-timeout-s` (8 by default): seconds to wait for the key |

use crate::config::Campaign;
use ivr::Language;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;

/// The flow template (`live/flows/outbound-ivr.json`), compiled in.
pub const TEMPLATE: &str = include_str!("../flows/outbound-ivr.json");
/// Where the template lives in the repository (for messages).
pub const TEMPLATE_PATH: &str = "live/flows/outbound-ivr.json";

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
const REQUIRED_ERRORS: &[(&str, &[&str])] = &[
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
const FORBIDDEN_ID_CHARS: &str = "%:(\\/)=$,;[]{}";

/// One thing wrong with a flow: where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// `action "menu"`, `StartAction`, `Version`, …
    pub at: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

fn problem(at: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        at: at.into(),
        message: message.into(),
    }
}

fn action_at(id: &str) -> String {
    format!("action {id:?}")
}

/// Every structural problem of a flow (empty: none). Placeholders are not looked at here; see
/// [`unfilled_placeholders`].
///
/// Checked: the version; `StartAction` and every transition (`NextAction` of the action, of its
/// conditions and of its error branches) name an existing action; identifiers are unique and
/// acceptable to Connect; every type is the flow language's; the error branches Connect requires
/// are there; a disconnect has no transition; no action is a dead end (no transition and not a
/// disconnect or a transfer), unreachable from the start, or caught in a loop from which no
/// disconnect or transfer can be reached.
pub fn validate(flow: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Some(top) = flow.as_object() else {
        return vec![problem(
            "flow",
            "not a JSON object: a flow is {\"Version\", \"StartAction\", \"Actions\"}",
        )];
    };
    match top.get("Version").and_then(Value::as_str) {
        Some(VERSION) => {}
        other => problems.push(problem(
            "Version",
            format!("is {other:?}: the flow language's version is \"{VERSION}\""),
        )),
    }
    let Some(actions) = top.get("Actions").and_then(Value::as_array) else {
        problems.push(problem("Actions", "missing or not a list of actions"));
        return problems;
    };
    if actions.len() > MAX_ACTIONS {
        problems.push(problem(
            "Actions",
            format!(
                "{} actions: Connect accepts at most {MAX_ACTIONS}",
                actions.len()
            ),
        ));
    }

    // Identifiers and types.
    let mut types: HashMap<&str, &str> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let Some(id) = action.get("Identifier").and_then(Value::as_str) else {
            problems.push(problem(
                format!("Actions[{i}]"),
                "has no Identifier: give every action a unique string Identifier",
            ));
            continue;
        };
        if id.is_empty()
            || id.chars().count() > 50
            || id.chars().any(|c| FORBIDDEN_ID_CHARS.contains(c))
        {
            problems.push(problem(
                action_at(id),
                format!("Connect refuses this Identifier: use 1 to 50 characters, none of {FORBIDDEN_ID_CHARS}"),
            ));
        }
        let ty = action.get("Type").and_then(Value::as_str).unwrap_or("");
        if !KNOWN_TYPES.contains(&ty) {
            problems.push(problem(
                action_at(id),
                format!("Type {ty:?} is not an action of the flow language: use one of its action types (e.g. MessageParticipant, DisconnectParticipant)"),
            ));
        }
        if types.contains_key(id) {
            problems.push(problem(
                action_at(id),
                "the Identifier is used twice: give each action its own",
            ));
        } else {
            types.insert(id, ty);
            order.push(id);
        }
    }

    // Transitions.
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for action in actions {
        let Some(id) = action.get("Identifier").and_then(Value::as_str) else {
            continue;
        };
        if edges.contains_key(id) {
            continue; // a second action with the same Identifier, reported above
        }
        let ty = types.get(id).copied().unwrap_or("");
        let at = action_at(id);
        if !action.get("Parameters").is_some_and(Value::is_object) {
            problems.push(problem(
                &at,
                "Parameters missing or not an object: write {} when the action takes none",
            ));
        }
        let Some(transitions) = action.get("Transitions").and_then(Value::as_object) else {
            problems.push(problem(
                &at,
                "Transitions missing or not an object: write {} for a disconnect",
            ));
            continue;
        };
        let mut targets: Vec<(String, &Value)> = Vec::new();
        if let Some(next) = transitions.get("NextAction") {
            targets.push(("NextAction".into(), next));
        }
        for (list, inner) in [("Conditions", "Condition"), ("Errors", "ErrorType")] {
            let Some(entries) = transitions.get(list) else {
                continue;
            };
            let Some(entries) = entries.as_array() else {
                problems.push(problem(&at, format!("{list} must be a list")));
                continue;
            };
            for (k, e) in entries.iter().enumerate() {
                let what = format!("{list}[{k}]");
                match e.get("NextAction") {
                    Some(next) => targets.push((format!("{what}.NextAction"), next)),
                    None => problems.push(problem(
                        &at,
                        format!("{what} has no NextAction: say where the branch goes"),
                    )),
                }
                let ok = match inner {
                    "Condition" => e.get("Condition").is_some_and(|c| {
                        c.get("Operator").is_some_and(Value::is_string)
                            && c.get("Operands").is_some_and(Value::is_array)
                    }),
                    _ => e.get("ErrorType").is_some_and(Value::is_string),
                };
                if !ok {
                    problems.push(problem(
                        &at,
                        if inner == "Condition" {
                            format!(
                                "{what} needs a Condition with an Operator and a list of Operands"
                            )
                        } else {
                            format!("{what} needs an ErrorType")
                        },
                    ));
                }
            }
        }
        let mut out = Vec::new();
        for (what, target) in targets {
            match target.as_str() {
                Some(t) if types.contains_key(t) => out.push(t),
                Some(t) => problems.push(problem(
                    &at,
                    format!("{what} goes to {t:?}, which is not an action of this flow: point it at an existing Identifier"),
                )),
                None => problems.push(problem(&at, format!("{what} must be an Identifier string"))),
            }
        }
        if ty == "DisconnectParticipant" {
            if !transitions.is_empty() {
                problems.push(problem(
                    &at,
                    "a disconnect ends the flow: give it empty Transitions {}",
                ));
            }
        } else if out.is_empty() && !ENDING_TYPES.contains(&ty) {
            problems.push(problem(
                &at,
                format!("dead end: a {ty} with no transition leaves the caller nowhere: add a NextAction (e.g. to a DisconnectParticipant)"),
            ));
        }
        if let Some((_, required)) = REQUIRED_ERRORS.iter().find(|(t, _)| *t == ty) {
            let present: HashSet<&str> = transitions
                .get("Errors")
                .and_then(Value::as_array)
                .map(|es| {
                    es.iter()
                        .filter_map(|e| e.get("ErrorType").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            for r in *required {
                if !present.contains(r) {
                    problems.push(problem(
                        &at,
                        format!("no {r} error branch: Connect requires one on a {ty}; send it to a disconnect"),
                    ));
                }
            }
        }
        edges.insert(id, out);
    }

    // Start, reachability, and a way out from everywhere.
    let start = top.get("StartAction").and_then(Value::as_str);
    let Some(start) = start.filter(|s| types.contains_key(s)) else {
        problems.push(problem(
            "StartAction",
            format!(
                "{:?} is not an action of this flow: name the Identifier of the first action",
                top.get("StartAction")
            ),
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
    let mut exits: HashSet<&str> = order
        .iter()
        .copied()
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
    for id in &order {
        if !reached.contains(id) {
            problems.push(problem(
                action_at(id),
                "unreachable: no transition leads here from StartAction: connect it or remove it",
            ));
        } else if !exits.contains(id) && edges.get(id).is_some_and(|o| !o.is_empty()) {
            problems.push(problem(
                action_at(id),
                "no path from here reaches a disconnect or a transfer (a loop with no way out): add a branch to a DisconnectParticipant",
            ));
        }
    }
    problems
}

/// Every `${NAME}` left in a string of the flow, with the action it is in.
pub fn unfilled_placeholders(flow: &Value) -> Vec<Problem> {
    fn walk(v: &Value, at: &str, out: &mut Vec<Problem>) {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${") {
                    let tail = &rest[i..];
                    let name = tail.find('}').map_or(tail, |j| &tail[..=j]);
                    out.push(problem(
                        at,
                        format!("placeholder {name} is not filled: `live flow render` fills the template's placeholders (see live/src/flow.rs)"),
                    ));
                    rest = &tail[2..];
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, at, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, at, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    match flow.get("Actions").and_then(Value::as_array) {
        Some(actions) => {
            for a in actions {
                let id = a.get("Identifier").and_then(Value::as_str).unwrap_or("?");
                walk(a, &action_at(id), &mut out);
            }
            for (k, v) in flow.as_object().into_iter().flatten() {
                if k != "Actions" {
                    walk(v, k, &mut out);
                }
            }
        }
        None => walk(flow, "flow", &mut out),
    }
    out
}

/// Replaces `${NAME}` with `values[NAME]` in every string of `flow` (keys too are left alone).
/// Substituting in parsed JSON means any text — quotes, Japanese, newlines — stays valid JSON.
pub fn substitute(flow: &mut Value, values: &BTreeMap<&str, String>) {
    match flow {
        Value::String(s) if s.contains("${") => {
            for (name, value) in values {
                *s = s.replace(&format!("${{{name}}}"), value);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, values)),
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, values)),
        _ => {}
    }
}

/// What `live flow render` takes besides the campaign file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// The ivr-lambda function's ARN.
    pub lambda_arn: String,
    /// The Connect instance's AWS account; the Lambda ARN's when `None`.
    pub account_id: Option<String>,
    /// `en` or `ja` (or another, with `prompt_text`, `sorry_text` and `voice`).
    pub language: String,
    pub voice: Option<String>,
    pub prompt_text: Option<String>,
    pub sorry_text: Option<String>,
    pub input_timeout_s: u32,
}

impl RenderOptions {
    pub fn new(lambda_arn: impl Into<String>) -> RenderOptions {
        RenderOptions {
            lambda_arn: lambda_arn.into(),
            account_id: None,
            language: "en".into(),
            voice: None,
            prompt_text: None,
            sorry_text: None,
            input_timeout_s: 8,
        }
    }
}

/// Why a flow could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    LambdaArn(#[from] LambdaArnError),
    #[error(
        "--account-id {given:?}: an AWS account id is 12 digits (`aws sts get-caller-identity --query Account`)"
    )]
    AccountId { given: String },
    #[error(transparent)]
    QueueArn(#[from] QueueArnError),
    #[error("--language {given:?}: give a language code such as en or ja")]
    Language { given: String },
    /// A text option given empty.
    #[error("{flag} is empty: give the text, or leave {flag} out")]
    EmptyText { flag: &'static str },
    /// A text option not given, for a language whose texts are not shipped.
    #[error(
        "--language {language}: only ja and en texts are shipped: give {flag} (and --prompt-text, --sorry-text, --voice) for {language}, and the Lambda's texts in DIALSIM_MESSAGES"
    )]
    NoShippedText {
        language: Language,
        flag: &'static str,
    },
    #[error("--voice {voice:?}: give an Amazon Polly voice name such as Joanna or Mizuki")]
    Voice { voice: String },
    #[error("--input-timeout-s {seconds}: Connect waits 1 to 180 seconds for a key")]
    InputTimeout { seconds: u32 },
    /// The template itself is broken (a bug in `live/flows/outbound-ivr.json`).
    #[error(
        "{TEMPLATE_PATH} is not a valid flow:{}",
        .0.iter().map(|p| format!("\n  {p}")).collect::<String>()
    )]
    Template(Vec<Problem>),
}

/// Why a `live flow` command failed.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Campaign(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl FlowError {
    /// The exit code: 1 for a broken template, 2 for bad input (the campaign file, an option).
    pub fn exit_code(&self) -> u8 {
        match self {
            FlowError::Render(RenderError::Template(_)) => 1,
            FlowError::Render(_) | FlowError::Campaign(_) => 2,
        }
    }
}

/// A `--lambda-arn` that is not a Lambda function's ARN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "--lambda-arn {arn:?}: {problem}: give the function's ARN, like arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda (`aws lambda get-function --function-name ivr-lambda --query Configuration.FunctionArn`)"
)]
pub struct LambdaArnError {
    pub arn: String,
    pub problem: ArnProblem,
}

/// Which part of a Lambda function ARN is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArnProblem {
    #[error("not a Lambda function ARN")]
    NotLambda,
    #[error("its Region is not a Region")]
    Region,
    #[error("its account is not 12 digits")]
    Account,
    #[error("its function name is not a Lambda function name (letters, digits, '-', '_')")]
    FunctionName,
}

/// The campaign file's `instance_id` or `queue_id` is an ARN or a path, not an id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "instance_id {instance:?} / queue_id {queue:?}: give the ids, not ARNs or paths (the last part of the instance's and the queue's ARN) in the campaign file"
)]
pub struct QueueArnError {
    pub instance: String,
    pub queue: String,
}

/// A Lambda function ARN's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub function: String,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// Parses `arn:aws:lambda:us-east-1:123456789012:function:name` (an alias or version after
/// another `:` is allowed).
pub fn parse_lambda_arn(arn: &str) -> Result<LambdaArn, LambdaArnError> {
    let bad = |problem| {
        Err(LambdaArnError {
            arn: arn.to_string(),
            problem,
        })
    };
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7 || parts.len() > 8 || parts[0] != "arn" {
        return bad(ArnProblem::NotLambda);
    }
    if !parts[1].starts_with("aws") || parts[2] != "lambda" || parts[5] != "function" {
        return bad(ArnProblem::NotLambda);
    }
    if parts[3].is_empty()
        || !parts[3]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return bad(ArnProblem::Region);
    }
    if !is_account_id(parts[4]) {
        return bad(ArnProblem::Account);
    }
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !name_ok(parts[6]) || parts.get(7).is_some_and(|q| !name_ok(q)) {
        return bad(ArnProblem::FunctionName);
    }
    Ok(LambdaArn {
        partition: parts[1].to_string(),
        region: parts[3].to_string(),
        account: parts[4].to_string(),
        function: parts[6].to_string(),
    })
}

/// The queue's ARN from the campaign file (a `queue_id` that already is an ARN is kept).
pub fn queue_arn(
    campaign: &Campaign,
    partition: &str,
    account: &str,
) -> Result<String, QueueArnError> {
    let queue = campaign.queue_id.get();
    if queue.starts_with("arn:") {
        return Ok(queue.clone());
    }
    let instance = campaign.instance_id.get();
    if instance.contains([':', '/']) || queue.contains([':', '/']) {
        return Err(QueueArnError {
            instance: instance.clone(),
            queue: queue.clone(),
        });
    }
    Ok(format!(
        "arn:{partition}:connect:{}:{account}:instance/{instance}/queue/{queue}",
        campaign.region.get()
    ))
}

/// The template with the campaign's ids and `options` filled in, checked, as pretty JSON (with
/// a final newline), ready for `aws connect create-contact-flow --content file://…`.
pub fn render(campaign: &Campaign, options: &RenderOptions) -> Result<String, RenderError> {
    let lambda = parse_lambda_arn(&options.lambda_arn)?;
    let account = match &options.account_id {
        Some(a) if is_account_id(a) => a.clone(),
        Some(a) => return Err(RenderError::AccountId { given: a.clone() }),
        None => lambda.account.clone(),
    };
    let queue = queue_arn(campaign, &lambda.partition, &account)?;
    let Some(language) = Language::parse(&options.language) else {
        return Err(RenderError::Language {
            given: options.language.clone(),
        });
    };
    let shipped = ivr::messages::flow_texts(&language);
    let pick = |given: &Option<String>, shipped: Option<&'static str>, flag: &'static str| match (
        given, shipped,
    ) {
        (Some(t), _) if t.trim().is_empty() => Err(RenderError::EmptyText { flag }),
        (Some(t), _) => Ok(t.clone()),
        (None, Some(s)) => Ok(s.to_string()),
        (None, None) => Err(RenderError::NoShippedText {
            language: language.clone(),
            flag,
        }),
    };
    let prompt = pick(
        &options.prompt_text,
        shipped.map(|s| s.prompt),
        "--prompt-text",
    )?;
    let sorry = pick(
        &options.sorry_text,
        shipped.map(|s| s.sorry),
        "--sorry-text",
    )?;
    let voice = pick(&options.voice, shipped.map(|s| s.voice), "--voice")?;
    if !voice.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(RenderError::Voice { voice });
    }
    if !(1..=180).contains(&options.input_timeout_s) {
        return Err(RenderError::InputTimeout {
            seconds: options.input_timeout_s,
        });
    }
    let values = BTreeMap::from([
        ("LAMBDA_ARN", options.lambda_arn.clone()),
        ("QUEUE_ARN", queue),
        ("LANGUAGE", language.to_string()),
        ("VOICE", voice),
        ("PROMPT_TEXT", prompt),
        ("SORRY_TEXT", sorry),
        ("INPUT_TIMEOUT_S", options.input_timeout_s.to_string()),
    ]);
    let mut flow: Value = serde_json::from_str(TEMPLATE)
        .map_err(|e| RenderError::Template(vec![problem("flow", format!("not JSON: {e}"))]))?;
    substitute(&mut flow, &values);
    let mut problems = validate(&flow);
    problems.extend(unfilled_placeholders(&flow));
    if !problems.is_empty() {
        return Err(RenderError::Template(problems));
    }
    Ok(to_pretty(&flow))
}

/// Pretty JSON with the keys a reader looks for first: `Version`, `StartAction`, `Actions`, and
/// in each action `Identifier`, `Type`, `Parameters`, `Transitions` (then any others, sorted).
pub fn to_pretty(flow: &Value) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Action<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        identifier: Option<&'a Value>,
        #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
        kind: Option<&'a Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        parameters: Option<&'a Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        transitions: Option<&'a Value>,
        #[serde(flatten)]
        rest: BTreeMap<&'a str, &'a Value>,
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Flow<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<&'a Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        start_action: Option<&'a Value>,
        #[serde(flatten)]
        rest: BTreeMap<&'a str, &'a Value>,
        actions: Vec<Action<'a>>,
    }
    const ACTION_KEYS: [&str; 4] = ["Identifier", "Type", "Parameters", "Transitions"];
    let mut text = match (
        flow.as_object(),
        flow.get("Actions").and_then(Value::as_array),
    ) {
        (Some(top), Some(actions)) => {
            let actions = actions
                .iter()
                .map(|a| Action {
                    identifier: a.get("Identifier"),
                    kind: a.get("Type"),
                    parameters: a.get("Parameters"),
                    transitions: a.get("Transitions"),
                    rest: a
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(k, _)| !ACTION_KEYS.contains(&k.as_str()))
                        .map(|(k, v)| (k.as_str(), v))
                        .collect(),
                })
                .collect();
            let ordered = Flow {
                version: top.get("Version"),
                start_action: top.get("StartAction"),
                rest: top
                    .iter()
                    .filter(|(k, _)| !["Version", "StartAction", "Actions"].contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str(), v))
                    .collect(),
                actions,
            };
            serde_json::to_string_pretty(&ordered)
        }
        _ => serde_json::to_string_pretty(flow),
    }
    .expect("JSON values serialize");
    text.push('\n');
    text
}

/// `live flow …`: the contact flow's commands (wired into the `live` binary).
#[derive(clap::Subcommand, Clone, Debug)]
pub enum FlowCommand {
    /// Print the IVR contact flow (live/flows/outbound-ivr.json) with the campaign's queue and
    /// the Lambda filled in, checked, ready for `aws connect create-contact-flow --content
    /// file://flow.json`.
    Render {
        campaign: std::path::PathBuf,
        /// The ivr-lambda function's ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME).
        #[arg(long, value_name = "ARN")]
        lambda_arn: String,
        /// The Connect instance's AWS account id (12 digits), for the queue's ARN; default: the
        /// Lambda ARN's account.
        #[arg(long, value_name = "ID")]
        account_id: Option<String>,
        /// The language of the prompts and of the Lambda's replies: en or ja (others need
        /// --prompt-text, --sorry-text and --voice).
        #[arg(long, default_value = "en", value_name = "CODE")]
        language: String,
        /// The Amazon Polly voice; default: Joanna (en), Mizuki (ja).
        #[arg(long, value_name = "NAME")]
        voice: Option<String>,
        /// The prompt played while waiting for the key; default: the language's shipped prompt.
        #[arg(long, value_name = "TEXT")]
        prompt_text: Option<String>,
        /// Said before hanging up when the Lambda or the queue fails; default: the shipped apology.
        #[arg(long, value_name = "TEXT")]
        sorry_text: Option<String>,
        /// Seconds to wait for the key before the input is `Timeout` (1 to 180).
        #[arg(long, default_value_t = 8, value_name = "SECONDS")]
        input_timeout_s: u32,
    },
}

/// Runs a `live flow` command: the flow on stdout, or why not ([`FlowError::exit_code`] says
/// whether the input or the template is at fault).
pub fn run_command(command: &FlowCommand) -> Result<(), FlowError> {
    match command {
        FlowCommand::Render {
            campaign,
            lambda_arn,
            account_id,
            language,
            voice,
            prompt_text,
            sorry_text,
            input_timeout_s,
        } => {
            let loaded = crate::config::load(campaign)?;
            let options = RenderOptions {
                lambda_arn: lambda_arn.clone(),
                account_id: account_id.clone(),
                language: language.clone(),
                voice: voice.clone(),
                prompt_text: prompt_text.clone(),
                sorry_text: sorry_text.clone(),
                input_timeout_s: *input_timeout_s,
            };
            let text = render(&loaded.campaign, &options)?;
            if let Ok(lambda) = parse_lambda_arn(lambda_arn)
                && lambda.region != *loaded.campaign.region.get()
            {
                tracing::warn!(
                    "the Lambda is in {} and the instance in {}: Connect can only use it once you grant it (aws lambda add-permission --principal connect.amazonaws.com)",
                    lambda.region,
                    loaded.campaign.region
                );
            }
            print!("{text}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        serde_json::from_str(TEMPLATE).expect("the template is JSON")
    }

    fn campaign() -> Campaign {
        crate::config::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/campaign.ron"
        )))
        .expect("the example campaign loads")
        .campaign
    }

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda";

    fn messages(ps: &[Problem]) -> String {
        ps.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A minimal valid flow: ask, then hang up.
    fn tiny() -> Value {
        json!({"Version": "2019-10-30", "StartAction": "say", "Actions": [
            {"Identifier": "say", "Type": "MessageParticipant", "Parameters": {"Text": "hi"},
             "Transitions": {"NextAction": "bye", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]})
    }

    #[test]
    fn the_template_is_a_valid_flow_with_placeholders_only() {
        let flow = template();
        assert_eq!(validate(&flow), vec![], "{}", messages(&validate(&flow)));
        let unfilled = messages(&unfilled_placeholders(&flow));
        for name in [
            "LAMBDA_ARN",
            "QUEUE_ARN",
            "LANGUAGE",
            "VOICE",
            "PROMPT_TEXT",
            "SORRY_TEXT",
            "INPUT_TIMEOUT_S",
        ] {
            assert!(
                unfilled.contains(&format!("${{{name}}}")),
                "{name} in {unfilled}"
            );
        }
        assert!(validate(&tiny()).is_empty());
    }

    #[test]
    fn the_template_does_what_the_issue_asks() {
        let flow = template();
        let actions = flow["Actions"].as_array().unwrap();
        let by_id = |id: &str| actions.iter().find(|a| a["Identifier"] == id).unwrap();
        let menu = by_id("menu");
        assert_eq!(menu["Type"], "GetParticipantInput");
        assert_eq!(menu["Parameters"]["StoreInput"], "True");
        assert_eq!(
            menu["Parameters"]["InputValidation"]["CustomValidation"]["MaximumLength"],
            "1"
        );
        let lambda = by_id("record-choice");
        assert_eq!(
            lambda["Parameters"]["LambdaInvocationAttributes"]["choice"],
            "$.StoredCustomerInput"
        );
        assert_eq!(
            lambda["Parameters"]["LambdaInvocationAttributes"]["phone"],
            "$.CustomerEndpoint.Address"
        );
        assert_eq!(
            lambda["Parameters"]["ResponseValidation"]["ResponseType"],
            "JSON"
        );
        let limit: u32 = lambda["Parameters"]["InvocationTimeLimitSeconds"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=8).contains(&limit));
        assert_eq!(
            by_id("set-result")["Parameters"]["Attributes"][crate::contact::RESULT_ATTRIBUTE],
            "$.External.code"
        );
        let route = by_id("route");
        assert_eq!(route["Parameters"]["ComparisonValue"], "$.External.code");
        assert_eq!(
            route["Transitions"]["Conditions"][0]["Condition"]["Operands"],
            json!(["1"])
        );
        assert_eq!(
            route["Transitions"]["Conditions"][0]["NextAction"],
            "hold-message"
        );
        assert_eq!(by_id("set-queue")["Transitions"]["NextAction"], "transfer");
        assert_eq!(by_id("transfer")["Type"], "TransferContactToQueue");
        assert_eq!(by_id("goodbye")["Parameters"]["Text"], "$.External.message");
        assert_eq!(by_id("goodbye")["Transitions"]["NextAction"], "hang-up");
    }

    #[test]
    fn a_broken_target_is_named() {
        let mut f = tiny();
        f["Actions"][0]["Transitions"]["Errors"][0]["NextAction"] = json!("nowhere");
        let m = messages(&validate(&f));
        assert!(
            m.contains(
                "action \"say\": Errors[0].NextAction goes to \"nowhere\", which is not an action"
            ),
            "{m}"
        );
        let mut f = tiny();
        f["StartAction"] = json!("missing");
        assert!(
            messages(&validate(&f))
                .contains("StartAction: Some(String(\"missing\")) is not an action")
        );
    }

    #[test]
    fn an_unknown_type_is_refused() {
        let mut f = tiny();
        f["Actions"][0]["Type"] = json!("PlayPrompt");
        let m = messages(&validate(&f));
        assert!(
            m.contains("action \"say\": Type \"PlayPrompt\" is not an action of the flow language"),
            "{m}"
        );
    }

    #[test]
    fn a_dead_end_is_refused() {
        let mut f = tiny();
        f["Actions"][0]["Transitions"] = json!({});
        let m = messages(&validate(&f));
        assert!(m.contains("action \"say\": dead end"), "{m}");
        // …and the disconnect it no longer reaches is unreachable.
        assert!(m.contains("action \"bye\": unreachable"), "{m}");
    }

    #[test]
    fn a_loop_without_exit_is_refused_and_one_with_an_exit_is_not() {
        let looping = json!({"Version": "2019-10-30", "StartAction": "a", "Actions": [
            {"Identifier": "a", "Type": "MessageParticipant", "Parameters": {},
             "Transitions": {"NextAction": "b", "Errors": [{"NextAction": "b", "ErrorType": "NoMatchingError"}]}},
            {"Identifier": "b", "Type": "MessageParticipant", "Parameters": {},
             "Transitions": {"NextAction": "a", "Errors": [{"NextAction": "a", "ErrorType": "NoMatchingError"}]}}]});
        let m = messages(&validate(&looping));
        assert!(
            m.contains("action \"a\": no path from here reaches a disconnect or a transfer"),
            "{m}"
        );
        assert!(m.contains("action \"b\": no path"), "{m}");
        let mut with_exit = looping.clone();
        with_exit["Actions"][1]["Transitions"]["Errors"][0]["NextAction"] = json!("bye");
        with_exit["Actions"].as_array_mut().unwrap().push(
            json!({"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
        );
        assert_eq!(validate(&with_exit), vec![]);
    }

    #[test]
    fn other_mistakes_are_named() {
        let mut f = tiny();
        f["Version"] = json!("2020-01-01");
        f["Actions"][1]["Transitions"] = json!({"NextAction": "say"});
        f["Actions"][0]["Transitions"]["Errors"] = json!([]);
        f["Actions"].as_array_mut().unwrap().push(json!({"Identifier": "say", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}));
        f["Actions"].as_array_mut().unwrap().push(json!({"Identifier": "a:b", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}));
        let m = messages(&validate(&f));
        for want in [
            "Version: is Some(\"2020-01-01\")",
            "action \"bye\": a disconnect ends the flow",
            "action \"say\": no NoMatchingError error branch",
            "action \"say\": the Identifier is used twice",
            "action \"a:b\": Connect refuses this Identifier",
            "action \"a:b\": unreachable",
        ] {
            assert!(m.contains(want), "{want} in\n{m}");
        }
        assert_eq!(validate(&json!([])).len(), 1);
    }

    #[test]
    fn render_fills_every_placeholder_with_the_campaigns_ids() {
        let c = campaign();
        let text = render(&c, &RenderOptions::new(ARN)).unwrap();
        let flow: Value = serde_json::from_str(&text).expect("the rendered flow parses");
        assert_eq!(validate(&flow), vec![]);
        assert_eq!(unfilled_placeholders(&flow), vec![]);
        let queue = format!(
            "arn:aws:connect:us-east-1:123456789012:instance/{}/queue/{}",
            c.instance_id, c.queue_id
        );
        assert!(
            text.contains(&format!("\"QueueId\": \"{queue}\"")),
            "{text}"
        );
        assert!(text.contains(&format!("\"LambdaFunctionARN\": \"{ARN}\"")));
        assert!(text.contains("\"language\": \"en\""));
        assert!(text.contains("\"TextToSpeechVoice\": \"Joanna\""));
        assert!(text.contains("\"InputTimeLimitSeconds\": \"8\""));
        assert!(text.contains("press 1"));
    }

    #[test]
    fn render_in_japanese_with_another_account_and_custom_text() {
        let mut o = RenderOptions::new(ARN);
        o.language = "ja-JP".into();
        o.account_id = Some("210987654321".into());
        o.sorry_text = Some("He said \"sorry\"\nand left.".into());
        o.input_timeout_s = 12;
        let text = render(&campaign(), &o).unwrap();
        let flow: Value = serde_json::from_str(&text).unwrap();
        let actions = flow["Actions"].as_array().unwrap();
        let sorry = actions.iter().find(|a| a["Identifier"] == "sorry").unwrap();
        assert_eq!(sorry["Parameters"]["Text"], "He said \"sorry\"\nand left.");
        assert!(text.contains(":210987654321:instance/"));
        assert!(text.contains("\"language\": \"ja\""));
        assert!(text.contains("Mizuki"));
        assert!(text.contains("担当者"));
        assert!(text.contains("\"InputTimeLimitSeconds\": \"12\""));
    }

    #[test]
    fn render_refuses_bad_options_with_the_fix() {
        let c = campaign();
        let err = |o: RenderOptions| match render(&c, &o) {
            Err(RenderError::Template(problems)) => panic!("the template is broken: {problems:?}"),
            Err(e) => e.to_string(),
            Ok(_) => panic!("rendered"),
        };
        let with = |f: &dyn Fn(&mut RenderOptions)| {
            let mut o = RenderOptions::new(ARN);
            f(&mut o);
            o
        };
        assert!(
            err(RenderOptions::new("ivr-lambda"))
                .contains("--lambda-arn \"ivr-lambda\": not a Lambda function ARN")
        );
        assert!(
            err(RenderOptions::new(
                "arn:aws:lambda:us-east-1:1234:function:x"
            ))
            .contains("12 digits")
        );
        assert!(
            err(RenderOptions::new(
                "arn:aws:s3:us-east-1:123456789012:function:x"
            ))
            .contains("not a Lambda")
        );
        assert!(
            err(with(&|o| o.account_id = Some("12-34".into()))).contains("--account-id \"12-34\"")
        );
        assert!(err(with(&|o| o.language = "klingon".into())).contains("--language \"klingon\""));
        assert!(err(with(&|o| o.language = "fr".into())).contains("give --prompt-text"));
        assert!(err(with(&|o| o.input_timeout_s = 0)).contains("1 to 180"));
        assert!(err(with(&|o| o.voice = Some("Joanna; rm".into()))).contains("--voice"));
        assert!(
            err(with(&|o| o.prompt_text = Some(" ".into()))).contains("--prompt-text is empty")
        );
        // Another language works when every text is given.
        let fr = with(&|o| {
            o.language = "fr".into();
            o.prompt_text = Some("Tapez 1".into());
            o.sorry_text = Some("Désolé".into());
            o.voice = Some("Lea".into());
        });
        assert!(render(&c, &fr).unwrap().contains("Tapez 1"));
    }

    #[test]
    fn a_bad_lambda_arn_says_which_part_is_wrong() {
        let problem = |arn: &str| parse_lambda_arn(arn).map(|_| ()).map_err(|e| e.problem);
        assert_eq!(problem(ARN), Ok(()));
        assert_eq!(problem("ivr-lambda"), Err(ArnProblem::NotLambda));
        assert_eq!(
            problem("arn:aws:s3:us-east-1:123456789012:function:x"),
            Err(ArnProblem::NotLambda)
        );
        assert_eq!(
            problem("arn:aws:lambda:US-EAST-1:123456789012:function:x"),
            Err(ArnProblem::Region)
        );
        assert_eq!(
            problem("arn:aws:lambda:us-east-1:1234:function:x"),
            Err(ArnProblem::Account)
        );
        assert_eq!(
            problem("arn:aws:lambda:us-east-1:123456789012:function:a.b"),
            Err(ArnProblem::FunctionName)
        );
    }

    #[test]
    fn pretty_output_puts_the_keys_in_reading_order_and_loses_nothing() {
        let text = to_pretty(&template());
        let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(at("Version") < at("StartAction") && at("StartAction") < at("Actions"));
        assert!(at("Identifier") < at("Type") && at("Type") < at("Parameters"));
        assert!(at("Parameters") < at("Transitions"));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, template());
        let mut extra = tiny();
        extra["Metadata"] = json!({"name": "x"});
        extra["Actions"][0]["Comment"] = json!("y");
        assert_eq!(
            serde_json::from_str::<Value>(&to_pretty(&extra)).unwrap(),
            extra
        );
    }

    #[test]
    fn a_queue_arn_in_the_campaign_is_kept() {
        let mut c = campaign();
        let arn = "arn:aws:connect:us-east-1:111122223333:instance/i/queue/q";
        c.queue_id = crate::config::Ident::new(arn.into()).unwrap();
        assert_eq!(queue_arn(&c, "aws", "123456789012").unwrap(), arn);
    }

    #[test]
    fn unfilled_placeholders_are_reported_after_substitution() {
        let mut f = template();
        substitute(&mut f, &BTreeMap::from([("LAMBDA_ARN", ARN.to_string())]));
        let m = messages(&unfilled_placeholders(&f));
        assert!(!m.contains("LAMBDA_ARN"));
        assert!(
            m.contains("action \"set-queue\": placeholder ${QUEUE_ARN} is not filled"),
            "{m}"
        );
    }
}
