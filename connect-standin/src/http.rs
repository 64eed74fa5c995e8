//! The stand-in's HTTP layer: Connect's paths, JSON shapes and error convention over an
//! [`Instance`], served by axum on loopback. This layer alone reads the clock: simulated time is
//! the wall-clock time since the stand-in started times `--time-scale`. It also injects the
//! faults ([`Faults`]) and the latency, which are about the wire, not about Connect.

use crate::events::to_eventbridge;
use crate::instance::{
    ConnectError, ContactDescription, CurrentMetrics, ErrorKind, Ids, Instance, Options,
    OutboundRequest, Quota, StandinError,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rules::time::UnixMillis;
use serde_json::{Map, Value, json};
use sim::Millis;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Settings of one served stand-in.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Simulated milliseconds per wall-clock millisecond.
    pub time_scale: f64,
    /// Replication of the scenario to play (its random streams).
    pub replication: u32,
    /// Apply Connect's API rate quotas to the operations other than StartOutboundVoiceContact.
    pub api_quotas: bool,
    /// The instance, contact flow and queue served.
    pub ids: Ids,
    /// Injected faults.
    pub faults: Faults,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_scale: 1.0,
            replication: 0,
            api_quotas: true,
            ids: Ids::default(),
            faults: Faults::default(),
        }
    }
}

/// Faults injected into Connect's operations (not the `/_standin` endpoints), deterministic so
/// that tests can count on them. `0` turns a fault off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// Every Nth request is refused with 429 `ThrottlingException` before doing anything.
    pub throttle_every: u32,
    /// Every Nth request fails with 500 `InternalServiceException` before doing anything.
    pub error_every: u32,
    /// Every Nth call placed by StartOutboundVoiceContact is answered with a 500 although the
    /// call was placed (the response is lost): only the `ClientToken` prevents a second call.
    pub error_after_dial_every: u32,
    /// Delay before every answer, in wall-clock milliseconds.
    pub latency_ms: u64,
    /// Every Nth request is carried out, then its connection is dropped before the answer is
    /// complete (the client cannot tell whether it took effect).
    pub drop_every: u32,
}

fn every(n: u32, count: u64) -> bool {
    n != 0 && count.is_multiple_of(u64::from(n))
}

/// The quota clock, said out loud: the rates are in simulated time, so at `time_scale` K a
/// rehearsal allows K times Connect's rates in wall-clock time.
pub fn quota_clock_line(quotas: &[Quota], time_scale: f64) -> String {
    let rates: Vec<String> = quotas
        .iter()
        .map(|q| {
            format!(
                "{} {}/s (burst {}) = {}/s wall",
                q.operation.name(),
                q.per_second,
                q.burst,
                q.per_second * time_scale
            )
        })
        .collect();
    if rates.is_empty() {
        return "quotas: none".into();
    }
    format!(
        "quotas run in simulated time (x{time_scale} the wall clock): {}",
        rates.join(", ")
    )
}

/// A served stand-in: the [`Instance`] behind a lock, the clock that gives its simulated time,
/// and the fault counters.
pub struct Standin {
    instance: Mutex<Instance>,
    started: Instant,
    settings: Settings,
    requests: AtomicU64,
    placed: AtomicU64,
}

impl Standin {
    /// A stand-in over `instance`, whose simulated time zero is now.
    pub fn new(instance: Instance, settings: Settings) -> Result<Standin, StandinError> {
        if !(settings.time_scale.is_finite() && settings.time_scale > 0.0) {
            return Err(StandinError::TimeScale {
                scale: settings.time_scale,
            });
        }
        Ok(Standin {
            instance: Mutex::new(instance),
            started: Instant::now(),
            settings,
            requests: AtomicU64::new(0),
            placed: AtomicU64::new(0),
        })
    }

    /// Loads a scenario file and serves its instance, with simulated time zero now.
    pub fn from_scenario(path: &Path, settings: Settings) -> Result<Standin, StandinError> {
        if !(settings.time_scale.is_finite() && settings.time_scale > 0.0) {
            return Err(StandinError::TimeScale {
                scale: settings.time_scale,
            });
        }
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let options = Options {
            replication: settings.replication,
            api_quotas: settings.api_quotas,
            ids: settings.ids.clone(),
            epoch: UnixMillis(epoch),
        };
        Standin::new(Instance::from_scenario(path, options)?, settings)
    }

    /// The customers' phone numbers, in list order.
    pub fn phones(&self) -> Vec<String> {
        self.lock().phones().to_vec()
    }

    /// See [`Instance::contacts_csv`].
    pub fn contacts_csv(&self) -> String {
        self.lock().contacts_csv()
    }

    /// The records of the calls that have ended by now, one JSON object per line, as Connect's
    /// data stream would deliver them (see [`Instance::contact_records`]).
    pub fn contact_records_text(&self) -> String {
        let mut instance = self.lock();
        instance.advance_to(self.sim_now());
        let facts = instance.contact_records();
        contact_records::write::text(
            &contact_records::write::deliveries(&facts, contact_records::write::Delivery::EXACT),
            true,
        )
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The quota clock and rates, as one line.
    pub fn quota_line(&self) -> String {
        let instance = self.lock();
        let line = quota_clock_line(&instance.quotas(), self.settings.time_scale);
        match instance.max_concurrent_calls() {
            Some(n) => format!("{line}; at most {n} concurrent calls"),
            None => line,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Instance> {
        self.instance.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Simulated time now.
    fn sim_now(&self) -> Millis {
        let wall = self.started.elapsed().as_secs_f64() * 1_000.0;
        Millis((wall * self.settings.time_scale) as u64)
    }

    /// Waits the injected latency, then fails the request if an injected fault says so; else
    /// the request's number.
    async fn fault(&self) -> Result<u64, ConnectError> {
        let f = self.settings.faults;
        if f.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(f.latency_ms)).await;
        }
        let k = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if every(f.throttle_every, k) {
            return Err(ConnectError::throttled());
        }
        if every(f.error_every, k) {
            return Err(ConnectError::new(
                ErrorKind::InternalService,
                "injected fault: internal error",
            ));
        }
        Ok(k)
    }

    fn start_outbound(&self, body: &Value) -> Reply {
        let field = |key: &str| string_field(body, key).map(str::to_string);
        let required = |key: &str| {
            field(key).ok_or_else(|| ConnectError::invalid_parameter(format!("{key} is required")))
        };
        let destination_phone_number = required("DestinationPhoneNumber")?;
        let contact_flow_id = required("ContactFlowId")?;
        let instance_id = required("InstanceId")?;
        let mut attributes = BTreeMap::new();
        if let Some(map) = body.get("Attributes").and_then(Value::as_object) {
            for (k, v) in map {
                let v = v.as_str().ok_or_else(|| {
                    ConnectError::invalid_parameter("Attributes values must be strings")
                })?;
                attributes.insert(k.clone(), v.to_string());
            }
        }
        let request = OutboundRequest {
            destination_phone_number,
            instance_id,
            contact_flow_id,
            queue_id: field("QueueId"),
            client_token: field("ClientToken"),
            attributes,
        };
        let started = self
            .lock()
            .start_outbound_voice_contact(self.sim_now(), &request)?;
        if started.placed {
            let placed = self.placed.fetch_add(1, Ordering::Relaxed) + 1;
            if every(self.settings.faults.error_after_dial_every, placed) {
                return Err(ConnectError::new(
                    ErrorKind::InternalService,
                    "injected fault: the call was placed but this answer is lost",
                ));
            }
        }
        Ok(json!({ "ContactId": started.contact_id }))
    }

    fn current_metrics(&self, instance_id: &str, body: &Value) -> Reply {
        let requested = body
            .get("CurrentMetrics")
            .and_then(Value::as_array)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| ConnectError::invalid_parameter("CurrentMetrics is required"))?;
        if body.get("Filters").and_then(Value::as_object).is_none() {
            return Err(ConnectError::invalid_parameter("Filters is required"));
        }
        let groupings: Vec<&str> = body
            .get("Groupings")
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut names = Vec::new();
        for m in requested {
            let name = m.get("Name").and_then(Value::as_str).ok_or_else(|| {
                ConnectError::invalid_parameter("CurrentMetrics[].Name is required")
            })?;
            let unit = m.get("Unit").and_then(Value::as_str).unwrap_or("COUNT");
            if metric_value(name, &CurrentMetrics::ZERO, true).is_none() {
                return Err(ConnectError::invalid_parameter(format!(
                    "unsupported metric {name}"
                )));
            }
            names.push((name, unit));
        }
        let (metrics, ids, epoch) = {
            let mut instance = self.lock();
            let metrics = instance.current_metrics(self.sim_now(), instance_id)?;
            (metrics, instance.ids().clone(), instance.options().epoch)
        };
        let collections: Vec<Value> = names
            .iter()
            .map(|(name, unit)| {
                let value = metric_value(name, &metrics, groupings.is_empty());
                json!({ "Metric": { "Name": name, "Unit": unit }, "Value": value })
            })
            .collect();
        let mut dimensions = Map::new();
        if groupings.contains(&"QUEUE") {
            let queue = body
                .pointer("/Filters/Queues/0")
                .and_then(Value::as_str)
                .unwrap_or(&ids.queue_id);
            dimensions.insert(
                "Queue".into(),
                json!({ "Id": queue, "Arn": ids.queue_arn(queue) }),
            );
        }
        if groupings.contains(&"CHANNEL") {
            dimensions.insert("Channel".into(), json!("VOICE"));
        }
        Ok(json!({
            "MetricResults": [{ "Dimensions": dimensions, "Collections": collections }],
            "DataSnapshotTime": epoch_seconds(epoch, metrics.snapshot_at),
            "ApproximateTotalCount": 1,
        }))
    }

    /// GetCurrentUserData: `Filters` is required (the queue filter is the served queue's);
    /// `MaxResults` 1–100 (default 100); `NextToken` continues where the last page ended. Each
    /// agent's contact shows its state as Connect's does: CONNECTED while talking, ENDED during
    /// after-contact work, no contact while available.
    fn current_user_data(&self, instance_id: &str, body: &Value) -> Reply {
        if body.get("Filters").and_then(Value::as_object).is_none() {
            return Err(ConnectError::invalid_parameter("Filters is required"));
        }
        let max_results = match body.get("MaxResults") {
            None => 100,
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| {
                    ConnectError::invalid_parameter(
                        "MaxResults must be a whole number from 1 to 100",
                    )
                })? as usize,
        };
        let from = match string_field(body, "NextToken") {
            None => 0,
            Some(t) => t
                .strip_prefix("agents-from-")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    ConnectError::invalid_parameter("NextToken is not one this instance gave")
                })?,
        };
        let (page, ids, epoch) = {
            let mut instance = self.lock();
            let page =
                instance.current_user_data(self.sim_now(), instance_id, from, max_results)?;
            (page, instance.ids().clone(), instance.options().epoch)
        };
        let queue = json!({ "Id": ids.queue_id, "Arn": ids.queue_arn(&ids.queue_id) });
        let list: Vec<Value> = page
            .agents
            .iter()
            .map(|&(agent, a)| {
                let since = epoch_seconds(epoch, a.since);
                let user_id = format!("00000000-0000-4000-a000-{agent:012}");
                let contacts = match a.activity {
                    strategies::Activity::Available => vec![],
                    busy => vec![json!({
                        "Channel": "VOICE",
                        "InitiationMethod": "OUTBOUND",
                        "AgentContactState": if busy == strategies::Activity::OnContact { "CONNECTED" } else { "ENDED" },
                        "StateStartTimestamp": since,
                        "Queue": queue,
                    })],
                };
                let busy = usize::from(!contacts.is_empty());
                json!({
                    "User": { "Id": user_id, "Arn": format!("{}/agent/{user_id}", ids.instance_arn()) },
                    "Status": { "StatusName": "Available", "StatusStartTimestamp": since },
                    "AvailableSlotsByChannel": { "VOICE": 1 - busy },
                    "MaxSlotsByChannel": { "VOICE": 1 },
                    "ActiveSlotsByChannel": { "VOICE": busy },
                    "Contacts": contacts,
                })
            })
            .collect();
        let mut answer = Map::new();
        answer.insert("UserDataList".into(), json!(list));
        answer.insert("ApproximateTotalCount".into(), json!(list.len()));
        if let Some(next) = page.next {
            answer.insert("NextToken".into(), json!(format!("agents-from-{next}")));
        }
        Ok(Value::Object(answer))
    }

    fn describe(&self, instance_id: &str, contact_id: &str) -> Reply {
        let (c, ids, epoch) = {
            let mut instance = self.lock();
            let c = instance.describe_contact(self.sim_now(), instance_id, contact_id)?;
            (c, instance.ids().clone(), instance.options().epoch)
        };
        Ok(json!({ "Contact": describe_json(&c, &ids, epoch) }))
    }

    fn attributes(&self, instance_id: &str, contact_id: &str) -> Reply {
        let attributes = self
            .lock()
            .contact_attributes(self.sim_now(), instance_id, contact_id)?;
        Ok(json!({ "Attributes": attributes }))
    }

    fn stop(&self, body: &Value) -> Reply {
        let id = string_field(body, "ContactId")
            .ok_or_else(|| ConnectError::invalid_parameter("ContactId is required"))?;
        let instance_id = string_field(body, "InstanceId")
            .ok_or_else(|| ConnectError::invalid_parameter("InstanceId is required"))?;
        self.lock().stop_contact(self.sim_now(), instance_id, id)?;
        Ok(json!({}))
    }

    fn dials(&self) -> Value {
        json!(self.lock().dials())
    }

    fn customers(&self) -> Value {
        let instance = self.lock();
        let list: Vec<Value> = instance
            .phones()
            .iter()
            .enumerate()
            .map(|(i, p)| json!({ "index": i, "phone": p }))
            .collect();
        json!(list)
    }

    /// The contact events from the `from`th on, each as the JSON text of the EventBridge
    /// envelope (what an EventBridge rule puts on an SQS queue), and where the next call starts.
    pub fn eventbridge_texts(&self, from: usize) -> (Vec<String>, usize) {
        let now = self.sim_now();
        let mut instance = self.lock();
        let ids = instance.ids().clone();
        let epoch = instance.options().epoch;
        let events = instance.events(now);
        let texts = events
            .iter()
            .skip(from)
            .map(|e| to_eventbridge(e, &ids, epoch).to_string())
            .collect();
        (texts, events.len().max(from))
    }

    /// The contact events so far, as EventBridge would deliver them, from the `from`th on.
    fn events(&self, from: usize) -> Value {
        let now = self.sim_now();
        let mut instance = self.lock();
        let ids = instance.ids().clone();
        let epoch = instance.options().epoch;
        let events = instance.events(now);
        let list: Vec<Value> = events
            .iter()
            .skip(from)
            .map(|e| to_eventbridge(e, &ids, epoch))
            .collect();
        json!({ "Events": list, "Next": events.len().max(from) })
    }

    fn status(&self) -> Value {
        let now = self.sim_now();
        let mut instance = self.lock();
        let s = instance.status(now);
        let scale = self.settings.time_scale;
        let rates: Vec<Value> = instance
            .quotas()
            .iter()
            .map(|q| {
                json!({
                    "operation": q.operation.name(),
                    "per_simulated_second": q.per_second,
                    "per_wall_second": q.per_second * scale,
                    "burst": q.burst,
                })
            })
            .collect();
        let sim_s = s.now.0 as f64 / 1_000.0;
        let requests: Vec<Value> = instance
            .requests()
            .iter()
            .map(|(op, r)| {
                json!({
                    "operation": op.name(),
                    "ok": r.ok,
                    "throttled": r.throttled,
                    "failed": r.failed,
                    "per_simulated_second": if sim_s > 0.0 { r.total() as f64 / sim_s } else { 0.0 },
                })
            })
            .collect();
        let ids = instance.ids();
        json!({
            "sim_now_ms": s.now.0,
            "requests": requests,
            "time_scale": scale,
            "instance_id": ids.instance_id,
            "contact_flow_id": ids.contact_flow_id,
            "queue_id": ids.queue_id,
            "quotas": {
                "clock": "simulated",
                "note": format!("quotas are token buckets in simulated time: at time scale {scale} they allow {scale} times these rates in wall-clock time"),
                "rates": rates,
                "max_concurrent_calls": instance.max_concurrent_calls(),
            },
            "remaining": s.remaining,
            "dialing_over": s.dialing_over,
            "contacts": s.contacts,
            "in_progress": s.in_progress,
            "in_flight": {
                "dialing": s.dialing,
                "in_ivr": s.in_ivr,
                "queued": s.queued,
                "with_agent": s.with_agent,
            },
            "stop_requested": s.stop_requested,
            "customers_in_progress": s.customers_in_progress,
        })
    }
}

impl CurrentMetrics {
    const ZERO: CurrentMetrics = CurrentMetrics {
        snapshot_at: Millis::ZERO,
        agents_staffed: 0,
        agents_available: 0,
        agents_on_contact: 0,
        agents_after_contact_work: 0,
        contacts_in_queue: 0,
        oldest_contact_age: Millis::ZERO,
    };
}

/// The value of Connect's metric `name`, `None` for a metric the stand-in does not serve.
fn metric_value(name: &str, m: &CurrentMetrics, ungrouped: bool) -> Option<f64> {
    Some(match name {
        "AGENTS_ONLINE" | "AGENTS_STAFFED" => f64::from(m.agents_staffed),
        "AGENTS_AVAILABLE" | "SLOTS_AVAILABLE" => f64::from(m.agents_available),
        "AGENTS_ON_CALL" | "AGENTS_ON_CONTACT" => f64::from(m.agents_on_contact),
        "AGENTS_AFTER_CONTACT_WORK" => f64::from(m.agents_after_contact_work),
        "SLOTS_ACTIVE" => f64::from(m.agents_on_contact + m.agents_after_contact_work),
        "AGENTS_NON_PRODUCTIVE" | "AGENTS_ERROR" | "CONTACTS_SCHEDULED" => 0.0,
        "CONTACTS_IN_QUEUE" => f64::from(m.contacts_in_queue),
        // Connect's quirk: ungrouped, the value is in milliseconds whatever the unit says.
        "OLDEST_CONTACT_AGE" if ungrouped => m.oldest_contact_age.0 as f64,
        "OLDEST_CONTACT_AGE" => m.oldest_contact_age.as_secs_f64().floor(),
        _ => return None,
    })
}

/// Simulated time `t` as Connect's epoch seconds on the rehearsal clock.
fn epoch_seconds(epoch: UnixMillis, t: Millis) -> f64 {
    (epoch.0 as f64 + t.0 as f64) / 1_000.0
}

/// DescribeContact's `Contact` object.
fn describe_json(c: &ContactDescription, ids: &Ids, epoch: UnixMillis) -> Value {
    let t = |m: Millis| json!(epoch_seconds(epoch, m));
    let mut contact = Map::new();
    contact.insert("Id".into(), json!(c.id));
    contact.insert("InitialContactId".into(), json!(c.id));
    contact.insert("Arn".into(), json!(ids.contact_arn(&c.id)));
    contact.insert("InitiationMethod".into(), json!("API"));
    contact.insert("Channel".into(), json!("VOICE"));
    contact.insert("InitiationTimestamp".into(), t(c.stages.initiated_at));
    contact.insert("RingStartTimestamp".into(), t(c.stages.initiated_at));
    if let Some(at) = c.stages.connected_to_system_at {
        contact.insert("ConnectedToSystemTimestamp".into(), t(at));
    }
    if let Some(q) = &c.stages.queue {
        contact.insert(
            "QueueInfo".into(),
            json!({ "Id": q.id, "EnqueueTimestamp": t(q.enqueued_at) }),
        );
    }
    if let Some(a) = &c.stages.agent {
        contact.insert(
            "AgentInfo".into(),
            json!({ "ConnectedToAgentTimestamp": t(a.connected_at) }),
        );
    }
    if let Some(at) = c.stages.disconnected_at {
        contact.insert("DisconnectTimestamp".into(), t(at));
    }
    if let Some(r) = c.stages.disconnect_reason {
        contact.insert("DisconnectReason".into(), json!(r.as_str()));
    }
    if let Some(status) = c.stages.machine_detection {
        contact.insert("AnsweringMachineDetectionStatus".into(), json!(status));
    }
    contact.insert("LastUpdateTimestamp".into(), t(c.last_update_at));
    contact.insert("Attributes".into(), json!(c.attributes));
    Value::Object(contact)
}

impl IntoResponse for ConnectError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(json!({ "Message": self.message }))).into_response();
        response.headers_mut().insert(
            HeaderName::from_static("x-amzn-errortype"),
            HeaderValue::from_static(self.kind.name()),
        );
        response
    }
}

type Reply = Result<Value, ConnectError>;

fn string_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

fn parse_body(bytes: &Bytes) -> Result<Value, ConnectError> {
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ConnectError::new(ErrorKind::InvalidRequest, format!("bad JSON: {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ConnectError::new(
            ErrorKind::InvalidRequest,
            "the body must be a JSON object",
        ))
    }
}

fn reply(result: Reply) -> Response {
    match result {
        Ok(json) => axum::Json(json).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A response whose body breaks off: the connection is dropped after the headers.
fn dropped() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected fault: connection dropped"))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(broken))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn reply_or_drop(s: &Standin, k: u64, result: Reply) -> Response {
    if every(s.settings.faults.drop_every, k) {
        dropped()
    } else {
        reply(result)
    }
}

async fn with_body(s: &Standin, bytes: &Bytes, f: impl FnOnce(&Value) -> Reply) -> Response {
    match s.fault().await {
        Err(e) => e.into_response(),
        Ok(k) => reply_or_drop(s, k, parse_body(bytes).and_then(|body| f(&body))),
    }
}

async fn faulty(s: &Standin, f: impl FnOnce() -> Reply) -> Response {
    match s.fault().await {
        Err(e) => e.into_response(),
        Ok(k) => reply_or_drop(s, k, f()),
    }
}

/// The stand-in's routes.
pub fn router(standin: Arc<Standin>) -> Router {
    Router::new()
        .route(
            "/contact/outbound-voice",
            put(|State(s): State<Arc<Standin>>, body: Bytes| async move {
                with_body(&s, &body, |b| s.start_outbound(b)).await
            }),
        )
        .route(
            "/metrics/current/{instance}",
            post(
                |State(s): State<Arc<Standin>>, UrlPath(i): UrlPath<String>, body: Bytes| async move {
                    with_body(&s, &body, |b| s.current_metrics(&i, b)).await
                },
            ),
        )
        .route(
            "/metrics/userdata/{instance}",
            post(
                |State(s): State<Arc<Standin>>, UrlPath(i): UrlPath<String>, body: Bytes| async move {
                    with_body(&s, &body, |b| s.current_user_data(&i, b)).await
                },
            ),
        )
        .route(
            "/contacts/{instance}/{contact}",
            get(
                |State(s): State<Arc<Standin>>, UrlPath((i, c)): UrlPath<(String, String)>| async move {
                    faulty(&s, || s.describe(&i, &c)).await
                },
            ),
        )
        .route(
            "/contact/attributes/{instance}/{contact}",
            get(
                |State(s): State<Arc<Standin>>, UrlPath((i, c)): UrlPath<(String, String)>| async move {
                    faulty(&s, || s.attributes(&i, &c)).await
                },
            ),
        )
        .route(
            "/contact/stop",
            post(|State(s): State<Arc<Standin>>, body: Bytes| async move {
                with_body(&s, &body, |b| s.stop(b)).await
            }),
        )
        .route(
            "/_standin/dials",
            get(|State(s): State<Arc<Standin>>| async move { axum::Json(s.dials()) }),
        )
        .route(
            "/_standin/customers",
            get(|State(s): State<Arc<Standin>>| async move { axum::Json(s.customers()) }),
        )
        .route(
            "/_standin/events",
            get(|State(s): State<Arc<Standin>>| async move { axum::Json(s.events(0)) }),
        )
        .route(
            "/_standin/events/{from}",
            get(
                |State(s): State<Arc<Standin>>, UrlPath(from): UrlPath<usize>| async move {
                    axum::Json(s.events(from))
                },
            ),
        )
        .route(
            "/_standin/status",
            get(|State(s): State<Arc<Standin>>| async move { axum::Json(s.status()) }),
        )
        .fallback(|| async {
            ConnectError::new(
                ErrorKind::UnknownOperation,
                "no such operation on the stand-in",
            )
            .into_response()
        })
        .with_state(standin)
}

/// Serves the stand-in on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    standin: Arc<Standin>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(standin))
        .with_graceful_shutdown(shutdown)
        .await
}
