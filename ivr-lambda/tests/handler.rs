//! The handler on recorded Connect events, without DynamoDB: the answer to every input, the
//! errors for events it cannot read, and a table write that hangs or cannot connect — the
//! customer is still answered, in time.

mod common;

use common::{assert_answers, event, event_bytes, table};
use ivr_lambda::{Config, EventError, Ivr, Recorded, TableConfig};
use std::time::{Duration, Instant};

fn no_table() -> Ivr {
    Ivr::new(Config::default(), None)
}

#[tokio::test]
async fn every_input_gets_the_samples_answer_with_three_fixed() {
    let ivr = no_table();
    for e in table() {
        let answer = ivr.handle_payload(&event_bytes(e.fixture)).await.unwrap();
        assert_eq!(answer.recorded, Recorded::NoTable);
        let response = answer.to_response();
        assert_answers(&e, &response);
        // Every value but the spoken sentence passes Connect's STRING_MAP validation.
        for (k, v) in &response {
            if k != "message" {
                assert!(
                    !v.is_empty()
                        && v.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "{}: {k}={v:?}",
                    e.fixture
                );
            }
        }
        assert!(response["message"].len() < 32 * 1024);
    }
}

#[tokio::test]
async fn the_language_default_and_the_texts_are_configurable() {
    let config = Config {
        language: Some(ivr::Language::EN),
        messages: ivr::Messages::with_overrides(
            r#"{"en": {"absent": "Call {callback_number} please."}}"#,
            "test",
        )
        .unwrap(),
        callback_number: Some("0120-000-111".into()),
        ..Config::default()
    };
    let ivr = Ivr::new(config, None);
    // timeout.json has no `language` parameter: the configured default wins over its ja-JP.
    let answer = ivr.handle(event("timeout.json")).await.unwrap();
    assert_eq!(answer.language, ivr::Language::EN);
    assert_eq!(answer.message, "Call 0 1 2 0 0 0 0 1 1 1 please.");
    // press-1.json asks for ja in its parameters: the flow's choice wins.
    let answer = ivr.handle(event("press-1.json")).await.unwrap();
    assert_eq!(answer.language, ivr::Language::JA);
}

#[tokio::test]
async fn events_it_cannot_read_get_a_clear_error_not_a_panic() {
    let ivr = no_table();
    let err = ivr
        .handle_payload(&event_bytes("malformed-no-customer-endpoint.json"))
        .await
        .unwrap_err();
    assert!(matches!(err, EventError::NotConnectEvent(_)), "{err:?}");
    assert!(
        err.to_string().contains("missing field `CustomerEndpoint`"),
        "{err}"
    );

    let err = ivr
        .handle_payload(&event_bytes("missing-phone-number.json"))
        .await
        .unwrap_err();
    assert!(matches!(err, EventError::NoPhone), "{err:?}");
    assert!(
        err.to_string()
            .contains("phone = $.CustomerEndpoint.Address")
    );

    let err = ivr.handle_payload(b"choice=1").await.unwrap_err();
    assert!(matches!(err, EventError::NotJson(_)), "{err:?}");
    assert!(err.to_string().starts_with("the event is not JSON"));

    let mut no_choice = event("press-1.json");
    no_choice["Details"]["Parameters"]
        .as_object_mut()
        .unwrap()
        .remove("choice");
    assert!(matches!(
        ivr.handle(no_choice).await.unwrap_err(),
        EventError::NoChoice
    ));

    for v in [
        serde_json::json!(null),
        serde_json::json!([1]),
        serde_json::json!({"Details": 3}),
    ] {
        assert!(matches!(
            ivr.handle(v).await.unwrap_err(),
            EventError::NotConnectEvent(_)
        ));
    }
    // The Lambda runtime reports these as {errorType, errorMessage}.
    let d: lambda_runtime::Diagnostic = EventError::NoChoice.into();
    assert_eq!(d.error_type, "NoChoice");
}

#[tokio::test]
async fn a_phone_passed_by_the_flow_stands_in_for_an_empty_endpoint() {
    let mut e = event("press-2.json");
    e["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = serde_json::Value::Null;
    let answer = no_table().handle(e).await.unwrap();
    assert_eq!(answer.code(), 2);
}

/// A DynamoDB client pointed at `endpoint` with dummy credentials (never at AWS).
fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

fn with_table(endpoint: &str, budget: Duration) -> Ivr {
    let config = Config {
        table: Some(TableConfig {
            name: "customers".into(),
            column: "campaign_2018_12".into(),
        }),
        write_timeout: budget,
        ..Config::default()
    };
    Ivr::new(config, Some(client(endpoint)))
}

#[tokio::test]
async fn a_table_that_never_answers_costs_the_budget_and_not_the_call() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let ivr = with_table(
        &format!("http://127.0.0.1:{port}"),
        Duration::from_millis(400),
    );
    for e in table() {
        let started = Instant::now();
        let answer = ivr.handle(event(e.fixture)).await.unwrap();
        let took = started.elapsed();
        assert_eq!(answer.recorded, Recorded::TimedOut, "{}", e.fixture);
        assert_answers(&e, &answer.to_response());
        assert!(
            took < Duration::from_millis(1500),
            "{}: took {took:?}",
            e.fixture
        );
    }
    hold.abort();
}

#[tokio::test]
async fn a_table_that_cannot_be_reached_still_answers() {
    // A port nothing listens on (bound, then closed).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let ivr = with_table(
        &format!("http://127.0.0.1:{port}"),
        Duration::from_millis(1500),
    );
    let started = Instant::now();
    let e = &table()[0];
    let answer = ivr.handle(event(e.fixture)).await.unwrap();
    assert!(
        matches!(answer.recorded, Recorded::Failed(_) | Recorded::TimedOut),
        "{:?}",
        answer.recorded
    );
    assert_answers(e, &answer.to_response());
    assert!(started.elapsed() < Duration::from_millis(2500));
}
