//! `live flow render` end to end, through the binary: the example campaign's flow is printed,
//! parses, passes the validator and carries the campaign's ids; bad input exits 2 with the fix.

use std::process::{Command, Output};

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda";

fn live(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_live"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the live binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn render_prints_a_valid_flow_with_the_example_campaigns_ids() {
    let out = live(&[
        "flow",
        "render",
        "examples/campaign.ron",
        "--lambda-arn",
        ARN,
    ]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let flow = ivr::flow::Flow::parse(&stdout).expect("stdout is the flow's JSON");
    assert_eq!(ivr::flow::validate(&flow), vec![]);
    assert_eq!(ivr::flow::unfilled_placeholders(&flow), vec![]);
    // The flow sets the contact attribute `live` reads the result from.
    let set_result = flow
        .action("set-result")
        .expect("the flow records the result");
    assert_eq!(
        set_result.parameters.as_ref().unwrap()["Attributes"][live::contact::RESULT_ATTRIBUTE],
        "$.External.code"
    );
    let campaign = live::config::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/campaign.ron"
    )))
    .unwrap()
    .campaign;
    let queue = format!(
        "arn:aws:connect:{}:123456789012:instance/{}/queue/{}",
        campaign.region, campaign.instance_id, campaign.queue_id
    );
    assert!(stdout.contains(&queue), "{queue} in {stdout}");
    assert!(stdout.contains(ARN));
    assert_eq!(flow.version.as_deref(), Some("2019-10-30"));
}

#[test]
fn render_in_japanese() {
    let out = live(&[
        "flow",
        "render",
        "examples/campaign.ron",
        "--lambda-arn",
        ARN,
        "--language",
        "ja",
        "--account-id",
        "210987654321",
    ]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\"language\": \"ja\""));
    assert!(stdout.contains(":210987654321:instance/"));
    assert!(stdout.contains("Mizuki"));
}

#[test]
fn bad_input_exits_2_with_the_place_and_the_fix() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "flow",
                "render",
                "examples/campaign.ron",
                "--lambda-arn",
                "ivr-lambda",
            ],
            "--lambda-arn \"ivr-lambda\": not a Lambda function ARN",
        ),
        (
            &[
                "flow",
                "render",
                "examples/campaign.ron",
                "--lambda-arn",
                ARN,
                "--account-id",
                "42",
            ],
            "--account-id \"42\": an AWS account id is 12 digits",
        ),
        (
            &[
                "flow",
                "render",
                "examples/campaign.ron",
                "--lambda-arn",
                ARN,
                "--language",
                "fr",
            ],
            "only ja and en texts are shipped",
        ),
        (
            &[
                "flow",
                "render",
                "examples/no-such-campaign.ron",
                "--lambda-arn",
                ARN,
            ],
            "no-such-campaign.ron",
        ),
    ];
    for (args, want) in cases {
        let out = live(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(want),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?} printed a flow");
    }
    // A missing --lambda-arn is clap's usage error, also exit 2.
    let out = live(&["flow", "render", "examples/campaign.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--lambda-arn"));
}
