//! The Connect stand-in over real HTTP on loopback: Connect's paths, JSON shapes and errors.

use connect_standin::instance::{DEFAULT_CONTACT_FLOW_ID, DEFAULT_INSTANCE_ID, DEFAULT_QUEUE_ID};
use connect_standin::{self as standin, Faults, Settings, Standin};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A small scenario; `limits` and `horizon_h` vary by test.
fn scenario(limits: &str, horizon_h: f64) -> String {
    format!(
        r#"Scenario(
    name: "standin-test",
    description: "Connect stand-in tests",
    seed: 7,
    replications: 1,
    horizon_h: Some({horizon_h}),
    series_interval_min: 15.0,
    start_utc_h: 0.0,
    list: Generated(size: 20, time_zones: [(utc_offset_h: 0.0, share: 1.0)]),
    agents: (
        staffing: Count(3),
        talk: LogNormal(mean_s: 60.0, sd_s: 30.0),
        after_call_work: Fixed(s: 10.0),
    ),
    dial: (
        ring_timeout_s: 30.0,
        human: 0.9, machine: 0.0, busy: 0.05, no_answer: 0.05, failed: 0.0,
        answer_after: Fixed(s: 5.0),
    ),
    ivr: (
        prompt: Fixed(s: 5.0),
        no_input_timeout_s: 5.0,
        agent:          (p: 0.6, after: Fixed(s: 2.0)),
        call_back:      (p: 0.1, after: Fixed(s: 2.0)),
        email:          (p: 0.1, after: Fixed(s: 2.0)),
        not_interested: (p: 0.1, after: Fixed(s: 2.0)),
        no_input: 0.1,
    ),
    queue: (
        patience: Some(LogNormal(mean_s: 60.0, sd_s: 30.0)),
        compliance_threshold_s: 2.0,
    ),
    limits: {limits},
    rules: (
        calling_window: (from: "00:00", to: "24:00"),
        retry: (no_answer: None, busy: None, machine: None, failed: None, call_back: None, abandoned: None),
    ),
    metrics_lag_s: 0.0,
    strategies: [AgentsAvailable(poll_s: 5.0)],
)
"#
    )
}

struct Server {
    base: String,
    client: reqwest::Client,
    phones: Vec<String>,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start(limits: &str, horizon_h: f64, time_scale: f64) -> Server {
    start_with(limits, horizon_h, time_scale, Faults::default()).await
}

async fn start_with(limits: &str, horizon_h: f64, time_scale: f64, faults: Faults) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.ron");
    std::fs::write(&path, scenario(limits, horizon_h)).unwrap();
    let settings = Settings {
        time_scale,
        faults,
        ..Settings::default()
    };
    let standin = Arc::new(Standin::from_scenario(Path::new(&path), settings).unwrap());
    let phones = standin.phones();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(standin::serve(listener, standin, async move {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        phones,
        _dir: dir,
        stop: Some(tx),
    }
}

impl Server {
    async fn start_call(&self, phone: &str, token: Option<&str>) -> reqwest::Response {
        let mut body = json!({
            "DestinationPhoneNumber": phone,
            "ContactFlowId": DEFAULT_CONTACT_FLOW_ID,
            "InstanceId": DEFAULT_INSTANCE_ID,
            "QueueId": DEFAULT_QUEUE_ID,
            "Attributes": {"customer_id": "c-1"},
        });
        if let Some(t) = token {
            body["ClientToken"] = json!(t);
        }
        self.client
            .put(format!("{}/contact/outbound-voice", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }
}

const NO_LIMITS: &str = "(start_rate: None, max_concurrent_calls: None)";

#[tokio::test]
async fn customers_have_deterministic_generated_numbers() {
    let s = start(NO_LIMITS, 8.0, 1.0).await;
    let (status, list) = s.get_json("/_standin/customers").await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 20);
    assert_eq!(list[0], json!({"index": 0, "phone": "+15550000000"}));
    assert_eq!(list[19]["phone"], "+15550000019");
}

#[tokio::test]
async fn same_client_token_gives_same_contact_and_one_dial() {
    let s = start(NO_LIMITS, 8.0, 1.0).await;
    let phone = s.phones[3].clone();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = s.start_call(&phone, Some("token-abc")).await;
        assert_eq!(r.status().as_u16(), 200);
        let body: Value = r.json().await.unwrap();
        ids.push(body["ContactId"].as_str().unwrap().to_string());
    }
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    assert_eq!(ids[0].len(), 36, "a UUID: {}", ids[0]);
    // Another token for another customer is another contact.
    let r = s.start_call(&s.phones[4], Some("token-def")).await;
    let other: Value = r.json().await.unwrap();
    assert_ne!(other["ContactId"], json!(ids[0]));
    let (_, dials) = s.get_json("/_standin/dials").await;
    assert_eq!(dials, json!({ phone: 1, s.phones[4].clone(): 1 }));
}

#[tokio::test]
async fn over_the_start_rate_is_throttled_in_connects_error_convention() {
    // Burst 2, refilled once in ~3 hours of simulated time.
    let s = start(
        "(start_rate: Some((per_second: 0.0001, burst: 2)), max_concurrent_calls: None)",
        8.0,
        1.0,
    )
    .await;
    for i in 0..2 {
        assert_eq!(
            s.start_call(&s.phones[i], None).await.status().as_u16(),
            200
        );
    }
    let r = s.start_call(&s.phones[2], Some("t-2")).await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["x-amzn-errortype"], "ThrottlingException");
    let body: Value = r.json().await.unwrap();
    assert!(body["Message"].is_string(), "{body}");
    // A refused start placed no call, and its token is not bound to a contact.
    let (_, dials) = s.get_json("/_standin/dials").await;
    assert_eq!(dials.as_object().unwrap().len(), 2);
    assert!(dials.get(&s.phones[2]).is_none());
}

#[tokio::test]
async fn over_the_concurrent_calls_quota_is_limit_exceeded() {
    let s = start(
        "(start_rate: None, max_concurrent_calls: Some(1))",
        8.0,
        1.0,
    )
    .await;
    assert_eq!(
        s.start_call(&s.phones[0], None).await.status().as_u16(),
        200
    );
    let r = s.start_call(&s.phones[1], None).await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["x-amzn-errortype"], "LimitExceededException");
}

#[tokio::test]
async fn bad_requests_get_connect_errors() {
    let s = start(NO_LIMITS, 8.0, 1.0).await;
    let r = s.start_call("+19999999999", None).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        r.headers()["x-amzn-errortype"],
        "DestinationNotAllowedException"
    );
    let r = s
        .client
        .put(format!("{}/contact/outbound-voice", s.base))
        .json(&json!({"ContactFlowId": "f", "InstanceId": "i"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.headers()["x-amzn-errortype"], "InvalidParameterException");
    let (status, body) = s
        .get_json(&format!("/contacts/{DEFAULT_INSTANCE_ID}/no-such-contact"))
        .await;
    assert_eq!(status, 404);
    assert!(body["Message"].is_string());
}

#[tokio::test]
async fn current_metrics_have_connects_shape() {
    let s = start(NO_LIMITS, 8.0, 1.0).await;
    let names = [
        "AGENTS_AVAILABLE",
        "AGENTS_ON_CONTACT",
        "AGENTS_AFTER_CONTACT_WORK",
        "AGENTS_STAFFED",
        "CONTACTS_IN_QUEUE",
        "OLDEST_CONTACT_AGE",
    ];
    let metrics: Vec<Value> = names
        .iter()
        .map(|n| {
            let unit = if *n == "OLDEST_CONTACT_AGE" {
                "SECONDS"
            } else {
                "COUNT"
            };
            json!({"Name": n, "Unit": unit})
        })
        .collect();
    let r = s
        .client
        .post(format!("{}/metrics/current/{DEFAULT_INSTANCE_ID}", s.base))
        .json(&json!({
            "Filters": {"Queues": [DEFAULT_QUEUE_ID], "Channels": ["VOICE"]},
            "CurrentMetrics": metrics,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body["DataSnapshotTime"].is_f64() || body["DataSnapshotTime"].is_u64());
    let results = body["MetricResults"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let collections = results[0]["Collections"].as_array().unwrap();
    assert_eq!(collections.len(), names.len());
    for (c, name) in collections.iter().zip(names) {
        assert_eq!(c["Metric"]["Name"], name);
        assert!(c["Value"].is_f64(), "{c}");
    }
    let value = |name: &str| {
        collections
            .iter()
            .find(|c| c["Metric"]["Name"] == name)
            .unwrap()["Value"]
            .as_f64()
            .unwrap()
    };
    // Three agents log in at the start and nobody has been called.
    assert_eq!(value("AGENTS_STAFFED"), 3.0);
    assert_eq!(value("AGENTS_AVAILABLE"), 3.0);
    assert_eq!(value("CONTACTS_IN_QUEUE"), 0.0);
    assert_eq!(value("OLDEST_CONTACT_AGE"), 0.0);
    // Grouped by queue: the dimension names the queue.
    let r = s
        .client
        .post(format!("{}/metrics/current/{DEFAULT_INSTANCE_ID}", s.base))
        .json(&json!({
            "Filters": {"Queues": [DEFAULT_QUEUE_ID], "Channels": ["VOICE"]},
            "Groupings": ["QUEUE"],
            "CurrentMetrics": [{"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"}],
        }))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["MetricResults"][0]["Dimensions"]["Queue"]["Id"],
        DEFAULT_QUEUE_ID
    );
    // An unknown metric is refused the way Connect refuses it.
    let r = s
        .client
        .post(format!("{}/metrics/current/{DEFAULT_INSTANCE_ID}", s.base))
        .json(&json!({"Filters": {}, "CurrentMetrics": [{"Name": "NO_SUCH", "Unit": "COUNT"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.headers()["x-amzn-errortype"], "InvalidParameterException");
}

#[tokio::test]
async fn finished_calls_are_described_with_outcome_and_timestamps() {
    // 5,000 simulated seconds per wall second: a call's life takes a few hundred milliseconds.
    let s = start(NO_LIMITS, 24.0, 5_000.0).await;
    let mut ids = Vec::new();
    for phone in s.phones.iter().take(5) {
        let r = s.start_call(phone, Some(&format!("tok-{phone}"))).await;
        assert_eq!(r.status().as_u16(), 200);
        let body: Value = r.json().await.unwrap();
        ids.push(body["ContactId"].as_str().unwrap().to_string());
    }
    let mut finished = Vec::new();
    for id in &ids {
        let mut contact = Value::Null;
        for _ in 0..40 {
            let (status, body) = s
                .get_json(&format!("/contacts/{DEFAULT_INSTANCE_ID}/{id}"))
                .await;
            assert_eq!(status, 200, "{body}");
            contact = body["Contact"].clone();
            if contact.get("DisconnectTimestamp").is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            contact.get("DisconnectTimestamp").is_some(),
            "not finished: {contact}"
        );
        finished.push(contact);
    }
    for (c, id) in finished.iter().zip(&ids) {
        assert_eq!(c["Id"], json!(id));
        assert_eq!(c["InitiationMethod"], "API");
        assert_eq!(c["Channel"], "VOICE");
        let start = c["InitiationTimestamp"].as_f64().unwrap();
        let end = c["DisconnectTimestamp"].as_f64().unwrap();
        assert!(end >= start);
        let reason = c["DisconnectReason"].as_str().unwrap();
        assert_eq!(c["Attributes"]["customer_id"], "c-1");
        let (status, attrs) = s
            .get_json(&format!("/contact/attributes/{DEFAULT_INSTANCE_ID}/{id}"))
            .await;
        assert_eq!(status, 200);
        if c.get("ConnectedToSystemTimestamp").is_some() {
            let code = attrs["Attributes"]["dialsim_result"].as_str().unwrap();
            assert!(
                ["1", "2", "3", "0", "-2", "abandoned"].contains(&code),
                "{code}"
            );
            assert_eq!(c["Attributes"]["dialsim_result"], code);
            if code == "1" {
                let queued = c["QueueInfo"]["EnqueueTimestamp"].as_f64().unwrap();
                let agent = c["AgentInfo"]["ConnectedToAgentTimestamp"]
                    .as_f64()
                    .unwrap();
                assert!(start <= queued && queued <= agent && agent <= end);
                assert_eq!(c["QueueInfo"]["Id"], DEFAULT_QUEUE_ID);
                assert_eq!(reason, "AGENT_DISCONNECT");
            }
            if code == "abandoned" {
                assert!(c.get("AgentInfo").is_none());
                assert_eq!(reason, "CUSTOMER_DISCONNECT");
            }
        } else {
            assert!(attrs["Attributes"].get("dialsim_result").is_none());
            assert!(reason.starts_with("TELECOM_"), "{reason}");
        }
    }
    // A finished contact cannot be stopped; Connect answers 410.
    let r = s
        .client
        .post(format!("{}/contact/stop", s.base))
        .json(&json!({"ContactId": ids[0], "InstanceId": DEFAULT_INSTANCE_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 410);
    assert_eq!(r.headers()["x-amzn-errortype"], "ContactNotFoundException");
    let (_, dials) = s.get_json("/_standin/dials").await;
    assert!(
        dials.as_object().unwrap().values().all(|n| n == 1),
        "{dials}"
    );
}

#[tokio::test]
async fn a_lost_answer_retried_with_its_token_places_no_second_call() {
    let faults = Faults {
        error_after_dial_every: 1,
        ..Faults::default()
    };
    let s = start_with(NO_LIMITS, 8.0, 1.0, faults).await;
    let phone = s.phones[5].clone();
    // Every placed call's answer is lost: the first attempt gets a 500, the retries with the
    // same token find the call already started and return its ContactId.
    let r = s.start_call(&phone, Some("lost-1")).await;
    assert_eq!(r.status().as_u16(), 500);
    assert_eq!(r.headers()["x-amzn-errortype"], "InternalServiceException");
    let r = s.start_call(&phone, Some("lost-1")).await;
    assert_eq!(r.status().as_u16(), 200);
    let first: Value = r.json().await.unwrap();
    let r = s.start_call(&phone, Some("lost-1")).await;
    let again: Value = r.json().await.unwrap();
    assert_eq!(first["ContactId"], again["ContactId"]);
    let (_, dials) = s.get_json("/_standin/dials").await;
    assert_eq!(dials, json!({ phone: 1 }));
}

#[tokio::test]
async fn injected_throttling_and_errors_hit_every_nth_request() {
    let faults = Faults {
        throttle_every: 2,
        error_every: 3,
        ..Faults::default()
    };
    let s = start_with(NO_LIMITS, 8.0, 1.0, faults).await;
    let mut seen = Vec::new();
    for i in 0..6 {
        let r = s.start_call(&s.phones[i], None).await;
        let kind = r
            .headers()
            .get("x-amzn-errortype")
            .map(|v| v.to_str().unwrap().to_string());
        seen.push((r.status().as_u16(), kind));
    }
    let throttled = (429, Some("ThrottlingException".to_string()));
    let failed = (500, Some("InternalServiceException".to_string()));
    assert_eq!(
        seen,
        vec![
            (200, None),
            throttled.clone(),
            failed,
            throttled.clone(),
            (200, None),
            throttled,
        ]
    );
    let (_, dials) = s.get_json("/_standin/dials").await;
    assert_eq!(dials.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn contact_events_are_served_as_eventbridge_envelopes_in_time_order() {
    // 5,000 simulated seconds per wall second: a call's life takes a few hundred milliseconds.
    let s = start(NO_LIMITS, 24.0, 5_000.0).await;
    let r = s.start_call(&s.phones[0], Some("ev-1")).await;
    let contact: Value = r.json().await.unwrap();
    let id = contact["ContactId"].as_str().unwrap().to_string();
    let mut events = Vec::new();
    for _ in 0..60 {
        let (status, body) = s.get_json("/_standin/events").await;
        assert_eq!(status, 200);
        events = body["Events"].as_array().unwrap().clone();
        if events
            .iter()
            .any(|e| e["detail"]["eventType"] == "DISCONNECTED")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["detail"]["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"INITIATED"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"DISCONNECTED"), "{kinds:?}");
    for e in &events {
        assert_eq!(e["source"], "aws.connect");
        assert_eq!(e["detail-type"], "Amazon Connect Contact Event");
        assert_eq!(e["version"], "0");
        assert!(e["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(e["detail"]["contactId"], json!(id));
        assert_eq!(e["detail"]["initiationMethod"], "OUTBOUND");
        assert!(
            e["detail"]["instanceArn"]
                .as_str()
                .unwrap()
                .ends_with(&format!("instance/{DEFAULT_INSTANCE_ID}"))
        );
    }
    let times: Vec<&str> = events.iter().map(|e| e["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let last = events.last().unwrap();
    assert!(last["detail"]["disconnectReason"].is_string(), "{last}");
    // Read on from a position: only what came after it.
    let (_, rest) = s
        .get_json(&format!("/_standin/events/{}", events.len()))
        .await;
    assert_eq!(rest["Events"], json!([]));
    assert_eq!(rest["Next"], json!(events.len()));
}

/// The ids a campaign file names and the stand-in does not serve, one by one.
#[tokio::test]
async fn ids_the_standin_does_not_serve_are_resource_not_found() {
    let s = start(NO_LIMITS, 8.0, 1.0).await;
    let wrong = "11111111-2222-3333-4444-555555555555";
    let not_found = |status: u16, kind: Option<&str>, body: &Value| {
        assert_eq!(status, 404, "{body}");
        assert_eq!(kind, Some("ResourceNotFoundException"), "{body}");
        assert!(body["Message"].as_str().unwrap().contains(wrong), "{body}");
    };
    for key in ["InstanceId", "ContactFlowId", "QueueId"] {
        let mut body = json!({
            "DestinationPhoneNumber": s.phones[0],
            "ContactFlowId": DEFAULT_CONTACT_FLOW_ID,
            "InstanceId": DEFAULT_INSTANCE_ID,
            "QueueId": DEFAULT_QUEUE_ID,
        });
        body[key] = json!(wrong);
        let r = s
            .client
            .put(format!("{}/contact/outbound-voice", s.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("x-amzn-errortype")
            .map(|v| v.to_str().unwrap().to_string());
        not_found(status, kind.as_deref(), &r.json().await.unwrap());
    }
    let (_, dials) = s.get_json("/_standin/dials").await;
    assert_eq!(dials, json!({}), "a refused start placed a call");
    // A contact that exists, asked about on another instance.
    let r = s.start_call(&s.phones[1], None).await;
    let id = r.json::<Value>().await.unwrap()["ContactId"]
        .as_str()
        .unwrap()
        .to_string();
    let metrics = s
        .client
        .post(format!("{}/metrics/current/{wrong}", s.base))
        .json(&json!({"Filters": {}, "CurrentMetrics": [{"Name": "AGENTS_AVAILABLE", "Unit": "COUNT"}]}))
        .send();
    let stop = s
        .client
        .post(format!("{}/contact/stop", s.base))
        .json(&json!({"ContactId": id, "InstanceId": wrong}))
        .send();
    let describe = s
        .client
        .get(format!("{}/contacts/{wrong}/{id}", s.base))
        .send();
    let attributes = s
        .client
        .get(format!("{}/contact/attributes/{wrong}/{id}", s.base))
        .send();
    for r in [metrics.await, stop.await, describe.await, attributes.await] {
        let r = r.unwrap();
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("x-amzn-errortype")
            .map(|v| v.to_str().unwrap().to_string());
        not_found(status, kind.as_deref(), &r.json().await.unwrap());
    }
}

/// The binary serves the ids its flags name, and says so.
#[tokio::test]
async fn the_binary_serves_the_ids_its_flags_name() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.ron");
    std::fs::write(&path, scenario(NO_LIMITS, 8.0)).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_connect-standin"))
        .args(["--scenario", &path.to_string_lossy(), "--port", "0"])
        .args(["--instance-id", "inst-9", "--contact-flow-id", "flow-9"])
        .args(["--queue-id", "queue-9", "--time-scale", "100"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        lines.push(line);
    }
    let port: u16 = lines[0].trim().rsplit(':').next().unwrap().parse().unwrap();
    let status: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}/_standin/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status["instance_id"], "inst-9");
    assert_eq!(status["contact_flow_id"], "flow-9");
    assert_eq!(status["queue_id"], "queue-9");
    assert!(
        lines[1].contains("inst-9") && lines[1].contains("flow-9") && lines[1].contains("queue-9"),
        "{lines:?}"
    );
    // The quotas' clock, said at startup: Connect's 5/s for metrics is 500/s at time scale 100.
    assert!(lines[2].contains("simulated time"), "{lines:?}");
    assert!(
        lines[2].contains("GetCurrentMetricData 5/s (burst 8) = 500/s wall"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn status_names_the_served_ids_and_the_quota_clock() {
    let s = start(
        "(start_rate: Some((per_second: 2.0, burst: 5)), max_concurrent_calls: Some(10))",
        8.0,
        100.0,
    )
    .await;
    let (status, body) = s.get_json("/_standin/status").await;
    assert_eq!(status, 200);
    assert_eq!(body["instance_id"], DEFAULT_INSTANCE_ID);
    assert_eq!(body["contact_flow_id"], DEFAULT_CONTACT_FLOW_ID);
    assert_eq!(body["queue_id"], DEFAULT_QUEUE_ID);
    let quotas = &body["quotas"];
    assert_eq!(quotas["clock"], "simulated");
    assert_eq!(quotas["max_concurrent_calls"], 10);
    let rate = |operation: &str| {
        quotas["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["operation"] == operation)
            .unwrap_or_else(|| panic!("no {operation} in {quotas}"))
            .clone()
    };
    let start = rate("StartOutboundVoiceContact");
    assert_eq!(start["per_simulated_second"], 2.0);
    assert_eq!(start["per_wall_second"], 200.0);
    assert_eq!(start["burst"], 5);
    let metrics = rate("GetCurrentMetricData");
    assert_eq!(metrics["per_simulated_second"], 5.0);
    assert_eq!(metrics["per_wall_second"], 500.0);
    assert_eq!(rate("DescribeContact")["per_wall_second"], 200.0);
}

#[tokio::test]
async fn current_user_data_pages_the_logged_in_agents_in_connects_shape() {
    let s = start(NO_LIMITS, 8.0, 1.0).await;
    let page = |body: Value| {
        let r = s
            .client
            .post(format!("{}/metrics/userdata/{DEFAULT_INSTANCE_ID}", s.base))
            .json(&body)
            .send();
        async move {
            let r = r.await.unwrap();
            let status = r.status().as_u16();
            let error = r
                .headers()
                .get("x-amzn-errortype")
                .map(|v| v.to_str().unwrap().to_string());
            (status, error, r.json::<Value>().await.unwrap())
        }
    };
    let filters = json!({"Queues": [DEFAULT_QUEUE_ID]});
    // Three agents logged in, nobody called: all available, no contact; two a page.
    let (status, _, first) = page(json!({"Filters": filters, "MaxResults": 2})).await;
    assert_eq!(status, 200, "{first}");
    let list = first["UserDataList"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    for u in list {
        assert!(u["User"]["Id"].is_string(), "{u}");
        assert!(
            u["User"]["Arn"].as_str().unwrap().contains("/agent/"),
            "{u}"
        );
        assert!(u["Status"]["StatusStartTimestamp"].is_number(), "{u}");
        assert_eq!(u["Contacts"], json!([]));
        assert_eq!(u["AvailableSlotsByChannel"]["VOICE"], 1);
    }
    let next = first["NextToken"]
        .as_str()
        .expect("a second page")
        .to_string();
    let (_, _, second) =
        page(json!({"Filters": filters, "MaxResults": 2, "NextToken": next})).await;
    assert_eq!(second["UserDataList"].as_array().unwrap().len(), 1);
    assert!(second.get("NextToken").is_none(), "{second}");
    let ids: std::collections::HashSet<_> = list
        .iter()
        .chain(second["UserDataList"].as_array().unwrap())
        .map(|u| u["User"]["Id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3, "each agent once");
    // Refused as Connect refuses: no filter, a page size out of 1–100, a token not given.
    for body in [
        json!({"MaxResults": 10}),
        json!({"Filters": filters, "MaxResults": 0}),
        json!({"Filters": filters, "MaxResults": 101}),
        json!({"Filters": filters, "NextToken": "elsewhere"}),
    ] {
        let (status, error, answer) = page(body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            error.as_deref(),
            Some("InvalidParameterException"),
            "{body}"
        );
    }
}
