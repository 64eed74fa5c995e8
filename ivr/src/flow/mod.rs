//! The contact flow the campaign's calls run (the IVR), in Amazon Connect's flow language: its
//! typed model ([`Flow`]), the checks Connect's import would make and a few it would not
//! ([`validate`]), and the rendering of the bundled template with a campaign's ids
//! ([`render()`]), which `live flow render` prints.
//!
//! It lives here, beside the IVR's texts, because the flow, its Lambda and `live` must agree on
//! it, and it needs no I/O: `live` reads the campaign file and hands [`render()`] plain
//! [`RenderInputs`].
//!
//! ```
//! use ivr::flow::{ConnectQueue, Flow, RenderInputs, render, validate};
//!
//! let queue = ConnectQueue {
//!     region: "us-east-1".into(),
//!     instance_id: "11111111-2222-3333-4444-555555555555".into(),
//!     queue_id: "66666666-7777-8888-9999-000000000000".into(),
//! };
//! let lambda = "arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda";
//! let text = render(&RenderInputs::new(queue, lambda)).unwrap();
//! let flow = Flow::parse(&text).unwrap();
//! assert!(validate(&flow).is_empty());
//! assert_eq!(flow.start_action.as_deref(), Some("set-voice"));
//! ```
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
//! **Placeholders** — `${NAME}` inside any string of the template, filled from
//! [`RenderInputs`] (named here by `live flow render`'s options):
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
//!
//! The modules: [`model`] the flow language's types, [`check`] the four checks, [`arn`] the
//! Lambda's and the queue's ARNs, [`render`](mod@render) the template filled in.

pub mod arn;
pub mod check;
pub mod model;
pub mod render;

pub use arn::{
    ArnProblem, ConnectQueue, LambdaArn, LambdaArnError, QueueArnError, parse_lambda_arn, queue_arn,
};
pub use check::{
    ENDING_TYPES, KNOWN_TYPES, MAX_ACTIONS, VERSION, check_document, check_graph,
    check_identifiers, check_transitions, validate,
};
pub use model::{Action, Condition, ConditionBranch, ErrorBranch, Flow, ParseError, Transitions};
pub use render::{RenderError, RenderInputs, render, substitute, unfilled_placeholders};

use std::fmt;

/// The flow template, compiled in.
pub const TEMPLATE: &str = include_str!("../../flows/outbound-ivr.json");
/// Where the template lives in the repository (for messages).
pub const TEMPLATE_PATH: &str = "ivr/flows/outbound-ivr.json";

/// Where in a flow a [`Problem`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// The flow as a whole (`flow`).
    Flow,
    /// A top-level field: `Version`, `StartAction`, `Actions`, `Metadata`, …
    Field(String),
    /// An action by its `Identifier`: `action "menu"`.
    Action(String),
    /// An action without an `Identifier`, by its place: `Actions[3]`.
    Index(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Flow => f.write_str("flow"),
            Location::Field(name) => f.write_str(name),
            Location::Action(id) => write!(f, "action {id:?}"),
            Location::Index(i) => write!(f, "Actions[{i}]"),
        }
    }
}

/// One thing wrong with a flow: where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: Location,
    /// What is wrong, then (after a colon) the fix.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}
