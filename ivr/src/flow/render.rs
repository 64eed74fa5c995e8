//! `live flow render`'s work, without its I/O: the inputs checked and defaulted (the shipped
//! texts and voice of the language, the Lambda's account for the queue), the template's
//! placeholders filled, the result checked, printed.

use super::arn::{
    ConnectQueue, LambdaArnError, QueueArnError, is_account_id, parse_lambda_arn, queue_arn,
};
use super::model::Flow;
use super::{Location, Problem, TEMPLATE, TEMPLATE_PATH, validate};
use crate::messages::{Language, flow_texts};
use std::collections::BTreeMap;

/// What the template needs, as `live flow render` takes it: the queue from the campaign file, the
/// rest from its options (which the errors name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderInputs {
    /// The queue callers who press 1 are handed to.
    pub queue: ConnectQueue,
    /// The ivr-lambda function's ARN.
    pub lambda_arn: String,
    /// The Connect instance's AWS account; the Lambda ARN's when `None`.
    pub account_id: Option<String>,
    /// `en` or `ja` (or another, with `prompt_text`, `sorry_text` and `voice`).
    pub language: String,
    /// The Amazon Polly voice; the language's shipped one when `None`.
    pub voice: Option<String>,
    /// Played while waiting for the key; the language's shipped prompt when `None`.
    pub prompt_text: Option<String>,
    /// Said before hanging up on a failure; the language's shipped apology when `None`.
    pub sorry_text: Option<String>,
    /// Seconds to wait for the key (1 to 180).
    pub input_timeout_s: u32,
}

impl RenderInputs {
    /// English, the shipped texts, 8 seconds for the key, the Lambda's account.
    pub fn new(queue: ConnectQueue, lambda_arn: impl Into<String>) -> RenderInputs {
        RenderInputs {
            queue,
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

/// Why a flow could not be rendered. Every variant but [`RenderError::Template`] is bad input,
/// named by the `live flow render` option (or campaign field) to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
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
    /// The template itself is broken: a bug in the bundled template, not in the input.
    #[error(
        "{TEMPLATE_PATH} is not a valid flow:{}",
        .0.iter().map(|p| format!("\n  {p}")).collect::<String>()
    )]
    Template(Vec<Problem>),
}

impl RenderError {
    /// Whether the bundled template is at fault (not the input).
    pub fn is_template_bug(&self) -> bool {
        matches!(self, RenderError::Template(_))
    }
}

/// The template with `inputs` filled in, checked, as pretty JSON (with a final newline), ready
/// for `aws connect create-contact-flow --content file://…`.
pub fn render(inputs: &RenderInputs) -> Result<String, RenderError> {
    let values = placeholder_values(inputs)?;
    let mut flow = Flow::parse(TEMPLATE).map_err(|e| {
        RenderError::Template(vec![Problem {
            at: Location::Flow,
            message: e.to_string(),
        }])
    })?;
    substitute(&mut flow, &values);
    let mut problems = validate(&flow);
    problems.extend(unfilled_placeholders(&flow));
    if !problems.is_empty() {
        return Err(RenderError::Template(problems));
    }
    Ok(flow.to_pretty())
}

/// The value of each of the template's placeholders (see the module `flow`'s table).
pub fn placeholder_values(
    inputs: &RenderInputs,
) -> Result<BTreeMap<&'static str, String>, RenderError> {
    let lambda = parse_lambda_arn(&inputs.lambda_arn)?;
    let account = match &inputs.account_id {
        Some(a) if is_account_id(a) => a.clone(),
        Some(a) => return Err(RenderError::AccountId { given: a.clone() }),
        None => lambda.account.clone(),
    };
    let queue = queue_arn(&inputs.queue, &lambda.partition, &account)?;
    let Some(language) = Language::parse(&inputs.language) else {
        return Err(RenderError::Language {
            given: inputs.language.clone(),
        });
    };
    let shipped = flow_texts(&language);
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
        &inputs.prompt_text,
        shipped.map(|s| s.prompt),
        "--prompt-text",
    )?;
    let sorry = pick(&inputs.sorry_text, shipped.map(|s| s.sorry), "--sorry-text")?;
    let voice = pick(&inputs.voice, shipped.map(|s| s.voice), "--voice")?;
    if !voice.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(RenderError::Voice { voice });
    }
    if !(1..=180).contains(&inputs.input_timeout_s) {
        return Err(RenderError::InputTimeout {
            seconds: inputs.input_timeout_s,
        });
    }
    Ok(BTreeMap::from([
        ("LAMBDA_ARN", inputs.lambda_arn.clone()),
        ("QUEUE_ARN", queue),
        ("LANGUAGE", language.to_string()),
        ("VOICE", voice),
        ("PROMPT_TEXT", prompt),
        ("SORRY_TEXT", sorry),
        ("INPUT_TIMEOUT_S", inputs.input_timeout_s.to_string()),
    ]))
}

/// Replaces `${NAME}` with `values[NAME]` in every string of `flow` (keys are left alone).
/// Substituting in the parsed flow means any text — quotes, Japanese, newlines — stays valid JSON.
pub fn substitute(flow: &mut Flow, values: &BTreeMap<&str, String>) {
    flow.for_each_string_mut(&mut |s| {
        if s.contains("${") {
            for (name, value) in values {
                *s = s.replace(&format!("${{{name}}}"), value);
            }
        }
    });
}

/// Every `${NAME}` left in a string of the flow, with the action (or field) it is in.
pub fn unfilled_placeholders(flow: &Flow) -> Vec<Problem> {
    let mut out = Vec::new();
    flow.for_each_string(&mut |at, s| {
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            let tail = &rest[i..];
            let name = tail.find('}').map_or(tail, |j| &tail[..=j]);
            out.push(Problem {
                at: at.clone(),
                message: format!("placeholder {name} is not filled: `live flow render` fills the template's placeholders (see ivr/src/flow/mod.rs)"),
            });
            rest = &tail[2..];
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::{check_document, check_graph, check_identifiers, check_transitions};
    use super::*;
    use serde_json::{Value, json};

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda";

    fn queue() -> ConnectQueue {
        ConnectQueue {
            region: "us-east-1".into(),
            instance_id: "11111111-2222-3333-4444-555555555555".into(),
            queue_id: "66666666-7777-8888-9999-000000000000".into(),
        }
    }

    fn inputs() -> RenderInputs {
        RenderInputs::new(queue(), ARN)
    }

    fn template() -> Flow {
        Flow::parse(TEMPLATE).expect("the template parses")
    }

    fn messages(ps: &[Problem]) -> String {
        ps.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
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
    }

    #[test]
    fn the_template_does_what_the_issue_asks() {
        let flow = template().to_value();
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
            by_id("set-result")["Parameters"]["Attributes"]["dialsim_result"],
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

    /// Every combination of inputs `live flow render` accepts gives a flow that passes all the
    /// checks, has no placeholder left, and reads back as itself.
    #[test]
    fn every_rendered_flow_passes_every_check() {
        let with = |f: &dyn Fn(&mut RenderInputs)| {
            let mut i = inputs();
            f(&mut i);
            i
        };
        let table = [
            inputs(),
            with(&|i| i.language = "ja".into()),
            with(&|i| i.language = "ja-JP".into()),
            with(&|i| i.account_id = Some("210987654321".into())),
            with(&|i| i.input_timeout_s = 1),
            with(&|i| i.input_timeout_s = 180),
            with(&|i| i.voice = Some("Matthew".into())),
            with(&|i| i.sorry_text = Some("He said \"sorry\"\nand left. {}".into())),
            with(&|i| {
                i.language = "fr".into();
                i.prompt_text = Some("Tapez 1".into());
                i.sorry_text = Some("Désolé".into());
                i.voice = Some("Lea".into());
            }),
            with(&|i| {
                i.queue.queue_id =
                    "arn:aws:connect:us-east-1:111122223333:instance/i/queue/q".into()
            }),
            with(&|i| {
                i.lambda_arn = "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live".into()
            }),
        ];
        for i in table {
            let text = render(&i).unwrap_or_else(|e| panic!("{i:?}: {e}"));
            let flow = Flow::parse(&text).unwrap();
            assert_eq!(check_document(&flow), vec![], "{i:?}");
            assert_eq!(check_identifiers(&flow), vec![], "{i:?}");
            assert_eq!(check_transitions(&flow), vec![], "{i:?}");
            assert_eq!(check_graph(&flow), vec![], "{i:?}");
            assert_eq!(unfilled_placeholders(&flow), vec![], "{i:?}");
            assert_eq!(flow.to_pretty(), text, "{i:?}");
        }
    }

    #[test]
    fn render_fills_every_placeholder_with_the_campaigns_ids() {
        let text = render(&inputs()).unwrap();
        let flow = Flow::parse(&text).expect("the rendered flow parses");
        assert_eq!(validate(&flow), vec![]);
        assert_eq!(unfilled_placeholders(&flow), vec![]);
        let q = queue();
        let queue = format!(
            "arn:aws:connect:us-east-1:123456789012:instance/{}/queue/{}",
            q.instance_id, q.queue_id
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
        let mut o = inputs();
        o.language = "ja-JP".into();
        o.account_id = Some("210987654321".into());
        o.sorry_text = Some("He said \"sorry\"\nand left.".into());
        o.input_timeout_s = 12;
        let text = render(&o).unwrap();
        let flow = Flow::parse(&text).unwrap();
        let sorry = flow.action("sorry").unwrap();
        assert_eq!(
            sorry.parameters.as_ref().unwrap()["Text"],
            "He said \"sorry\"\nand left."
        );
        assert!(text.contains(":210987654321:instance/"));
        assert!(text.contains("\"language\": \"ja\""));
        assert!(text.contains("Mizuki"));
        assert!(text.contains("担当者"));
        assert!(text.contains("\"InputTimeLimitSeconds\": \"12\""));
    }

    #[test]
    fn render_refuses_bad_inputs_with_the_fix() {
        let err = |o: RenderInputs| match render(&o) {
            Err(RenderError::Template(problems)) => panic!("the template is broken: {problems:?}"),
            Err(e) => {
                assert!(!e.is_template_bug());
                e.to_string()
            }
            Ok(_) => panic!("rendered"),
        };
        let with = |f: &dyn Fn(&mut RenderInputs)| {
            let mut o = inputs();
            f(&mut o);
            o
        };
        assert!(
            err(with(&|o| o.lambda_arn = "ivr-lambda".into()))
                .contains("--lambda-arn \"ivr-lambda\": not a Lambda function ARN")
        );
        assert!(
            err(with(
                &|o| o.lambda_arn = "arn:aws:lambda:us-east-1:1234:function:x".into()
            ))
            .contains("12 digits")
        );
        assert!(
            err(with(
                &|o| o.lambda_arn = "arn:aws:s3:us-east-1:123456789012:function:x".into()
            ))
            .contains("not a Lambda")
        );
        assert!(
            err(with(&|o| o.account_id = Some("12-34".into()))).contains("--account-id \"12-34\"")
        );
        assert!(err(with(&|o| o.language = "klingon".into())).contains("--language \"klingon\""));
        assert!(err(with(&|o| o.language = "fr".into())).contains("give --prompt-text"));
        assert!(err(with(&|o| o.input_timeout_s = 0)).contains("1 to 180"));
        assert!(err(with(&|o| o.input_timeout_s = 181)).contains("1 to 180"));
        assert!(err(with(&|o| o.voice = Some("Joanna; rm".into()))).contains("--voice"));
        assert!(
            err(with(&|o| o.prompt_text = Some(" ".into()))).contains("--prompt-text is empty")
        );
        assert!(
            err(with(
                &|o| o.queue.instance_id = "arn:aws:connect:x:1:instance/i".into()
            ))
            .contains("give the ids, not ARNs")
        );
        assert!(
            RenderError::Template(vec![]).is_template_bug(),
            "a broken template is not the input's fault"
        );
    }

    #[test]
    fn pretty_output_puts_the_keys_in_reading_order_and_loses_nothing() {
        let text = template().to_pretty();
        let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(at("Version") < at("StartAction") && at("StartAction") < at("Actions"));
        assert!(at("Identifier") < at("Type") && at("Type") < at("Parameters"));
        assert!(at("Parameters") < at("Transitions"));
        let back: Value = serde_json::from_str(&text).unwrap();
        let original: Value = serde_json::from_str(TEMPLATE).unwrap();
        assert_eq!(back, original);
        // Fields Connect keeps beside the flow language's (the console's Metadata, anything
        // else) come back as they were.
        let extra = json!({"Version": "2019-10-30", "StartAction": "bye",
            "Metadata": {"entryPointPosition": {"x": 40, "y": 40}, "name": "x"},
            "Description": "d",
            "Actions": [{"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {},
                "Transitions": {"Odd": [1, 2.5, null]}, "Comment": "y"}]});
        let flow = Flow::from_value(extra.clone()).unwrap();
        assert_eq!(flow.extra["Description"], "d");
        assert_eq!(flow.actions[0].extra["Comment"], "y");
        assert_eq!(
            serde_json::from_str::<Value>(&flow.to_pretty()).unwrap(),
            extra
        );
        assert_eq!(flow.to_value(), extra);
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
        let mut f = template();
        f.metadata = Some(json!({"name": "${NAME}"}));
        assert!(
            messages(&unfilled_placeholders(&f))
                .contains("Metadata: placeholder ${NAME} is not filled")
        );
    }
}

#[cfg(test)]
mod properties {
    use super::super::{check_document, check_graph, check_identifiers, check_transitions};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever texts, voice, timeout and language the operator gives, a flow that renders
        /// passes every check, has no placeholder left, keeps the texts as given, and prints
        /// back to the same text.
        #[test]
        fn a_rendered_flow_passes_every_check(
            prompt in "[^$]{1,40}",
            sorry in proptest::option::of("[^$]{1,40}"),
            voice in proptest::option::of("[A-Za-z]{1,12}"),
            timeout in 1u32..=180,
            language in prop_oneof!["en", "ja", "ja-JP", "EN"],
            account in proptest::option::of("[0-9]{12}"),
        ) {
            prop_assume!(!prompt.trim().is_empty());
            prop_assume!(sorry.as_deref().is_none_or(|s| !s.trim().is_empty()));
            let inputs = RenderInputs {
                account_id: account,
                language,
                voice,
                prompt_text: Some(prompt.clone()),
                sorry_text: sorry,
                input_timeout_s: timeout,
                ..RenderInputs::new(
                    ConnectQueue {
                        region: "ap-northeast-1".into(),
                        instance_id: "i".into(),
                        queue_id: "q".into(),
                    },
                    "arn:aws:lambda:ap-northeast-1:123456789012:function:ivr-lambda",
                )
            };
            let text = render(&inputs).unwrap();
            let flow = Flow::parse(&text).unwrap();
            prop_assert_eq!(check_document(&flow), vec![]);
            prop_assert_eq!(check_identifiers(&flow), vec![]);
            prop_assert_eq!(check_transitions(&flow), vec![]);
            prop_assert_eq!(check_graph(&flow), vec![]);
            prop_assert_eq!(unfilled_placeholders(&flow), vec![]);
            let menu = flow.action("menu").unwrap().parameters.as_ref().unwrap();
            prop_assert_eq!(menu["Text"].as_str(), Some(prompt.as_str()));
            prop_assert_eq!(flow.to_pretty(), text);
        }
    }
}
