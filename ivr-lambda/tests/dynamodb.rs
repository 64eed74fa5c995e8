//! The handler against a real DynamoDB API (moto_server, which `.ci/run` starts): the sample's
//! table is created, the recorded events are answered, and the customers' rows must hold the
//! codes afterwards — and nothing else may change.
//!
//! Needs `AWS_ENDPOINT_URL_DYNAMODB`. Without it these tests are skipped (with a note on stderr),
//! unless `CI` is set: then they fail, so CI cannot pass without having run them.
//! To run them by hand: `pip install 'moto[server]'`, `moto_server -p 5000 &`,
//! `AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5000 cargo test --release -p ivr-lambda`.

mod common;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use common::{assert_answers, event, table};
use ivr::table::{KEY, NAME};
use ivr_lambda::{Config, EventError, Ivr, Recorded, TableConfig};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const COLUMN: &str = "campaign_2018_12";
const OTHER_COLUMN: &str = "campaign_2019_01";

/// The DynamoDB endpoint, or `None` (skip) when there is none and this is not CI.
fn endpoint(test: &str) -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{test}: CI is set but AWS_ENDPOINT_URL_DYNAMODB is not: these tests need a DynamoDB endpoint; .ci/run starts moto_server and sets it (pip install 'moto[server]'; moto_server -p PORT; export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:PORT)"
        ),
        _ => {
            eprintln!(
                "{test}: skipped: AWS_ENDPOINT_URL_DYNAMODB is not set (run .ci/run, or start `moto_server -p 5000` and export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5000)"
            );
            None
        }
    }
}

/// A client for `endpoint` with dummy credentials: these tests never reach AWS.
fn client(endpoint: &str) -> Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(conf)
}

/// A table name no other test (or earlier run against the same server) uses.
fn unique_table(what: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "ivr-{what}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The sample's table: keyed by phoneNumber (string), pay per request.
async fn create_table(client: &Client, name: &str) {
    client
        .create_table()
        .table_name(name)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(KEY)
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(KEY)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create table {name}: {e:?}"));
}

/// A customer as the sample's table holds one: name, this campaign at -1, another campaign's
/// code that must stay as it is.
async fn put_customer(client: &Client, table: &str, phone: &str, name: &str) {
    client
        .put_item()
        .table_name(table)
        .item(KEY, AttributeValue::S(phone.into()))
        .item(NAME, AttributeValue::S(name.into()))
        .item(COLUMN, AttributeValue::N("-1".into()))
        .item(OTHER_COLUMN, AttributeValue::N("2".into()))
        .send()
        .await
        .unwrap();
}

async fn row(client: &Client, table: &str, phone: &str) -> Option<HashMap<String, AttributeValue>> {
    client
        .get_item()
        .table_name(table)
        .key(KEY, AttributeValue::S(phone.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

fn number(item: &HashMap<String, AttributeValue>, column: &str) -> String {
    match item.get(column) {
        Some(AttributeValue::N(n)) => n.clone(),
        other => panic!("{column} should be a number, is {other:?} in {item:?}"),
    }
}

fn ivr_for(endpoint: &str, table: &str) -> Ivr {
    let config = Config {
        table: Some(TableConfig {
            name: table.into(),
            column: COLUMN.into(),
        }),
        write_timeout: Duration::from_millis(3000),
        ..Config::default()
    };
    Ivr::new(config, Some(client(endpoint)))
}

#[tokio::test]
async fn every_input_is_answered_and_its_code_written_into_the_customers_row() {
    let Some(url) = endpoint("every_input_is_answered_and_its_code_written_into_the_customers_row")
    else {
        return;
    };
    let db = client(&url);
    let name = unique_table("codes");
    create_table(&db, &name).await;
    for (i, e) in table().iter().enumerate() {
        put_customer(&db, &name, e.phone, &format!("customer {i}")).await;
    }
    put_customer(&db, &name, "+815099999999", "never called").await;

    let ivr = ivr_for(&url, &name);
    for e in table() {
        let answer = ivr.handle(event(e.fixture)).await.unwrap();
        assert_eq!(answer.recorded, Recorded::Written, "{}", e.fixture);
        assert_answers(&e, &answer.to_response());
    }
    for (i, e) in table().iter().enumerate() {
        let item = row(&db, &name, e.phone)
            .await
            .expect("the row is still there");
        assert_eq!(number(&item, COLUMN), e.code, "{}", e.fixture);
        assert_eq!(
            number(&item, OTHER_COLUMN),
            "2",
            "{}: another campaign's column changed",
            e.fixture
        );
        assert_eq!(
            item.get(NAME),
            Some(&AttributeValue::S(format!("customer {i}")))
        );
        assert_eq!(
            item.len(),
            4,
            "{}: unexpected attributes {item:?}",
            e.fixture
        );
    }
    let untouched = row(&db, &name, "+815099999999").await.unwrap();
    assert_eq!(number(&untouched, COLUMN), "-1");

    // The e-mail choice is 3 in the table, not the sample's 2.
    let email = row(&db, &name, "+815012340003").await.unwrap();
    assert_eq!(number(&email, COLUMN), "3");

    // Pressing again overwrites: the last answer is the customer's code.
    let mut again = event("press-2.json");
    again["Details"]["Parameters"]["choice"] = "9".into();
    ivr.handle(again).await.unwrap();
    let item = row(&db, &name, "+815012340002").await.unwrap();
    assert_eq!(number(&item, COLUMN), "0");
}

#[tokio::test]
async fn a_missing_table_still_answers_every_input_correctly() {
    let Some(url) = endpoint("a_missing_table_still_answers_every_input_correctly") else {
        return;
    };
    let ivr = ivr_for(&url, &unique_table("missing"));
    for e in table() {
        let started = Instant::now();
        let answer = ivr.handle(event(e.fixture)).await.unwrap();
        match &answer.recorded {
            Recorded::Failed(why) => assert!(why.contains("ResourceNotFound"), "{why}"),
            other => panic!("{}: expected a failed write, got {other:?}", e.fixture),
        }
        assert_answers(&e, &answer.to_response());
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}

#[tokio::test]
async fn a_customer_without_a_row_gets_an_answer_and_no_new_row() {
    let Some(url) = endpoint("a_customer_without_a_row_gets_an_answer_and_no_new_row") else {
        return;
    };
    let db = client(&url);
    let name = unique_table("norow");
    create_table(&db, &name).await;
    let ivr = ivr_for(&url, &name);
    let e = &table()[2];
    let answer = ivr.handle(event(e.fixture)).await.unwrap();
    assert_eq!(answer.recorded, Recorded::NoRow);
    assert_answers(e, &answer.to_response());
    let scan = db.scan().table_name(&name).send().await.unwrap();
    assert_eq!(scan.count, 0, "a row was created: {:?}", scan.items);
}

#[tokio::test]
async fn events_it_cannot_read_write_nothing() {
    let Some(url) = endpoint("events_it_cannot_read_write_nothing") else {
        return;
    };
    let db = client(&url);
    let name = unique_table("bad");
    create_table(&db, &name).await;
    put_customer(&db, &name, "+815012340005", "malformed").await;
    let ivr = ivr_for(&url, &name);
    let err = ivr
        .handle(event("malformed-no-customer-endpoint.json"))
        .await
        .unwrap_err();
    assert!(matches!(err, EventError::NotConnectEvent(_)), "{err:?}");
    assert!(matches!(
        ivr.handle(event("missing-phone-number.json"))
            .await
            .unwrap_err(),
        EventError::NoPhone
    ));
    let item = row(&db, &name, "+815012340005").await.unwrap();
    assert_eq!(number(&item, COLUMN), "-1");
    let scan = db.scan().table_name(&name).send().await.unwrap();
    assert_eq!(scan.count, 1);
}
