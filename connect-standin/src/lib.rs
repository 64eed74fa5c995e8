//! A local stand-in for Amazon Connect: Connect's real HTTP paths, JSON shapes and error
//! convention, served on loopback and backed by the `sim` campaign model.
//!
//! The campaign advances with the wall clock multiplied by a time scale, so a day can be
//! rehearsed in minutes. Unlike the rest of this crate, this module reads the clock: it is a
//! server answering in real time.
//!
//! | Connect operation | path | what the stand-in does |
//! |---|---|---|
//! | StartOutboundVoiceContact | `PUT /contact/outbound-voice` | `DestinationPhoneNumber` → customer, [`Campaign::dial`], `{"ContactId"}` |
//! | GetCurrentMetricData | `POST /metrics/current/{InstanceId}` | [`Campaign::observe`] as `MetricResults` |
//! | DescribeContact | `GET /contacts/{InstanceId}/{ContactId}` | the call's timestamps and disconnect reason |
//! | GetContactAttributes | `GET /contact/attributes/{InstanceId}/{InitialContactId}` | request attributes + `dialsim_result` |
//! | StopContact | `POST /contact/stop` | accepted; the simulated call still runs to its end |
//!
//! Debug endpoints (not Connect's): `GET /_standin/customers` (phone number of every customer),
//! `GET /_standin/dials` (calls placed per phone number), `GET /_standin/status`.
//!
//! Errors carry the type in the `x-amzn-ErrorType` header and a `{"Message": …}` body, as the
//! AWS SDK reads them. Quotas: the scenario's `limits` (start rate → 429 `ThrottlingException`,
//! concurrent calls → 429 `LimitExceededException`) and Connect's API rates for the other
//! operations (GetCurrentMetricData 5/s burst 8, the others 2/s burst 5 each), all in simulated
//! time. Faults can be injected ([`Faults`]): throttling, 500s, 500s after a placed call,
//! latency, dropped connections. `ClientToken` makes a start idempotent: the same token returns the same ContactId and
//! places no second call.
//!
//! Timestamps are epoch seconds of the rehearsal clock: the wall-clock instant the stand-in
//! started plus the simulated time since then.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use ivr::RESULT_ATTRIBUTE;
use rules::Outcome;
use serde_json::{Map, Value, json};
use sim::scenario::ContactList;
use sim::{Campaign, DialError, Millis, World};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use strategies::{CallRecord, RejectReason, RingOutcome};

/// The phone number the stand-in gives customer `index` of a generated list.
pub fn generated_phone(index: u32) -> String {
    format!("+1555{index:07}")
}

/// Why a stand-in cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum StandinError {
    #[error(transparent)]
    Scenario(#[from] lab::load::ScenarioError),
    #[error(transparent)]
    ContactList(#[from] lab::contacts::OpenError),
    /// A line of the scenario's contact list that is not CSV.
    #[error("{}:{line}: {error}", path.display())]
    Row {
        path: PathBuf,
        line: usize,
        error: csv::Error,
    },
    /// The scenario's contact list has another number of rows than the world has customers.
    #[error("{}: {phones} phone numbers for {customers} customers", path.display())]
    ListLength {
        path: PathBuf,
        phones: usize,
        customers: usize,
    },
    #[error("{phones} phone numbers for {customers} customers")]
    PhoneCount { phones: usize, customers: usize },
    #[error("time scale must be positive, not {scale}")]
    TimeScale { scale: f64 },
    #[error("phone number {phone} appears twice in the list")]
    RepeatedPhone { phone: String },
}

/// The phone numbers of the scenario's customers, in list order.
pub fn phone_numbers(
    list: &ContactList,
    model: &World,
    base: &Path,
) -> Result<Vec<String>, StandinError> {
    match list {
        ContactList::Generated { .. } => Ok((0..model.customers.len() as u32)
            .map(generated_phone)
            .collect()),
        ContactList::Csv { path } => {
            let path = base.join(path);
            let (mut reader, columns) = lab::contacts::open(&path, false)?;
            let phone = columns.phone;
            let mut phones = Vec::new();
            for (row, record) in reader.records().enumerate() {
                let record = record.map_err(|error| StandinError::Row {
                    path: path.clone(),
                    line: row + 2,
                    error,
                })?;
                phones.push(record.get(phone).unwrap_or("").trim().to_string());
            }
            if phones.len() != model.customers.len() {
                return Err(StandinError::ListLength {
                    path,
                    phones: phones.len(),
                    customers: model.customers.len(),
                });
            }
            Ok(phones)
        }
    }
}

/// Settings of one stand-in.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Simulated milliseconds per wall-clock millisecond.
    pub time_scale: f64,
    /// Replication of the scenario to play (its random streams).
    pub replication: u32,
    /// Apply Connect's API rate quotas to the operations other than StartOutboundVoiceContact.
    pub api_quotas: bool,
    /// Injected faults.
    pub faults: Faults,
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

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_scale: 1.0,
            replication: 0,
            api_quotas: true,
            faults: Faults::default(),
        }
    }
}

/// A token bucket in simulated time.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    per_ms: f64,
    burst: f64,
    tokens: f64,
    at: Millis,
}

impl Bucket {
    fn new(per_second: f64, burst: u32) -> Bucket {
        Bucket {
            per_ms: per_second / 1_000.0,
            burst: f64::from(burst),
            tokens: f64::from(burst),
            at: Millis::ZERO,
        }
    }

    fn take(&mut self, now: Millis) -> bool {
        let elapsed = now.saturating_sub(self.at).0 as f64;
        self.tokens = (self.tokens + elapsed * self.per_ms).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Clone, Debug)]
struct Contact {
    customer: u32,
    phone: String,
    queue_id: Option<String>,
    dialed_at: Millis,
    attributes: BTreeMap<String, String>,
    record: Option<CallRecord>,
    stop_requested: bool,
}

struct Inner {
    campaign: Campaign<'static>,
    phones: Vec<String>,
    by_phone: HashMap<String, u32>,
    tokens: HashMap<String, String>,
    contacts: HashMap<String, Contact>,
    /// The contact in progress of each customer (the sim has at most one call per customer).
    active: HashMap<u32, String>,
    dials: BTreeMap<String, u64>,
    next_contact: u64,
    metrics_bucket: Bucket,
    describe_bucket: Bucket,
    attributes_bucket: Bucket,
    stop_bucket: Bucket,
}

/// The stand-in's state, shared by the request handlers.
pub struct Standin {
    inner: Mutex<Inner>,
    started: Instant,
    /// Unix milliseconds when the stand-in started (the rehearsal clock's zero).
    epoch_ms: i64,
    settings: Settings,
    requests: AtomicU64,
    placed: AtomicU64,
}

/// A Connect error: HTTP status, `x-amzn-ErrorType`, message.
#[derive(Debug)]
pub struct ConnectError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
}

impl ConnectError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>) -> ConnectError {
        ConnectError {
            status: StatusCode::from_u16(status).expect("valid status"),
            kind,
            message: message.into(),
        }
    }
    fn invalid_parameter(message: impl Into<String>) -> ConnectError {
        ConnectError::new(400, "InvalidParameterException", message)
    }
    fn not_found(message: impl Into<String>) -> ConnectError {
        ConnectError::new(404, "ResourceNotFoundException", message)
    }
    fn throttled() -> ConnectError {
        ConnectError::new(429, "ThrottlingException", "Rate exceeded")
    }
}

impl IntoResponse for ConnectError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, axum::Json(json!({ "Message": self.message }))).into_response();
        response.headers_mut().insert(
            HeaderName::from_static("x-amzn-errortype"),
            HeaderValue::from_static(self.kind),
        );
        response
    }
}

type Reply = Result<axum::Json<Value>, ConnectError>;

fn ms_to_epoch(epoch_ms: i64, t: Millis) -> f64 {
    (epoch_ms as f64 + t.0 as f64) / 1_000.0
}

/// The outcome of a finished call.
pub fn outcome_of(record: &CallRecord) -> Outcome {
    Outcome::of_call(record.ring, record.choice, record.abandoned)
}

/// Connect's DisconnectReason for a finished call.
pub fn disconnect_reason(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Busy => "TELECOM_BUSY",
        Outcome::NoAnswer => "TELECOM_UNANSWERED",
        Outcome::Failed => "TELECOM_PROBLEM",
        Outcome::Agent => "AGENT_DISCONNECT",
        Outcome::Abandoned => "CUSTOMER_DISCONNECT",
        Outcome::Machine
        | Outcome::CallBack
        | Outcome::Email
        | Outcome::NotInterested
        | Outcome::NoInput => "CONTACT_FLOW_DISCONNECT",
    }
}

fn string_field<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

fn parse_body(bytes: &Bytes) -> Result<Value, ConnectError> {
    if bytes.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ConnectError::new(400, "InvalidRequestException", format!("bad JSON: {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ConnectError::new(
            400,
            "InvalidRequestException",
            "the body must be a JSON object",
        ))
    }
}

impl Standin {
    /// A stand-in playing `model`, its streams drawn from `seed`, with these customer phone
    /// numbers. The world is leaked: a stand-in lives as long as its process (tests leak one
    /// small world each).
    pub fn new(
        model: World,
        seed: u64,
        phones: Vec<String>,
        settings: Settings,
    ) -> Result<Standin, StandinError> {
        if phones.len() != model.customers.len() {
            return Err(StandinError::PhoneCount {
                phones: phones.len(),
                customers: model.customers.len(),
            });
        }
        if !(settings.time_scale.is_finite() && settings.time_scale > 0.0) {
            return Err(StandinError::TimeScale {
                scale: settings.time_scale,
            });
        }
        let mut by_phone = HashMap::new();
        for (i, p) in phones.iter().enumerate() {
            if by_phone.insert(p.clone(), i as u32).is_some() {
                return Err(StandinError::RepeatedPhone { phone: p.clone() });
            }
        }
        let model: &'static World = Box::leak(Box::new(model));
        let campaign = Campaign::new(model, seed, settings.replication);
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Ok(Standin {
            inner: Mutex::new(Inner {
                campaign,
                phones,
                by_phone,
                tokens: HashMap::new(),
                contacts: HashMap::new(),
                active: HashMap::new(),
                dials: BTreeMap::new(),
                next_contact: 0,
                metrics_bucket: Bucket::new(5.0, 8),
                describe_bucket: Bucket::new(2.0, 5),
                attributes_bucket: Bucket::new(2.0, 5),
                stop_bucket: Bucket::new(2.0, 5),
            }),
            started: Instant::now(),
            epoch_ms,
            settings,
            requests: AtomicU64::new(0),
            placed: AtomicU64::new(0),
        })
    }

    /// Loads a scenario file and builds its stand-in.
    pub fn from_scenario(path: &Path, settings: Settings) -> Result<Standin, StandinError> {
        let (scenario, plan) = lab::load::load(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let phones = phone_numbers(&scenario.list, &plan.world, base)?;
        Standin::new(plan.world, plan.seed, phones, settings)
    }

    /// The customers' phone numbers, in list order.
    pub fn phones(&self) -> Vec<String> {
        self.lock().phones.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Simulated time now.
    fn sim_now(&self) -> Millis {
        let wall = self.started.elapsed().as_secs_f64() * 1_000.0;
        Millis((wall * self.settings.time_scale) as u64)
    }

    /// Locks the state with the campaign advanced to now and finished calls filed.
    fn synced(&self) -> std::sync::MutexGuard<'_, Inner> {
        let now = self.sim_now();
        let mut inner = self.lock();
        if now > inner.campaign.now() {
            inner.campaign.advance_to(now);
        }
        let finished: Vec<CallRecord> = inner.campaign.drain_finished().collect();
        for record in finished {
            if let Some(id) = inner.active.remove(&record.customer)
                && let Some(contact) = inner.contacts.get_mut(&id)
            {
                contact.record = Some(record);
            }
        }
        inner
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
                500,
                "InternalServiceException",
                "injected fault: internal error",
            ));
        }
        Ok(k)
    }

    fn take(&self, bucket: &mut Bucket, now: Millis) -> Result<(), ConnectError> {
        if !self.settings.api_quotas || bucket.take(now) {
            Ok(())
        } else {
            Err(ConnectError::throttled())
        }
    }

    fn start_outbound(&self, body: &Value) -> Reply {
        let phone = string_field(body, "DestinationPhoneNumber")
            .ok_or_else(|| ConnectError::invalid_parameter("DestinationPhoneNumber is required"))?;
        for key in ["ContactFlowId", "InstanceId"] {
            if string_field(body, key).is_none() {
                return Err(ConnectError::invalid_parameter(format!(
                    "{key} is required"
                )));
            }
        }
        if !rules::contact::is_e164(phone) {
            return Err(ConnectError::invalid_parameter(format!(
                "DestinationPhoneNumber {phone:?} is not E.164"
            )));
        }
        let token = string_field(body, "ClientToken").map(str::to_string);
        let mut attributes = BTreeMap::new();
        if let Some(map) = body.get("Attributes").and_then(Value::as_object) {
            for (k, v) in map {
                let v = v.as_str().ok_or_else(|| {
                    ConnectError::invalid_parameter("Attributes values must be strings")
                })?;
                attributes.insert(k.clone(), v.to_string());
            }
        }
        let mut inner = self.synced();
        if let Some(id) = token.as_ref().and_then(|t| inner.tokens.get(t)) {
            return Ok(axum::Json(json!({ "ContactId": id })));
        }
        let customer = *inner.by_phone.get(phone).ok_or_else(|| {
            ConnectError::new(
                403,
                "DestinationNotAllowedException",
                format!("{phone} is not in the stand-in's contact list"),
            )
        })?;
        match inner.campaign.dial(customer) {
            Ok(()) => {}
            Err(DialError::Rejected(r)) => {
                return Err(match r.reason {
                    RejectReason::Throttled => ConnectError::throttled(),
                    RejectReason::ConcurrencyLimit => ConnectError::new(
                        429,
                        "LimitExceededException",
                        "The allowed limit for concurrent calls has been exceeded",
                    ),
                });
            }
            Err(DialError::NotCallable) => {
                return Err(ConnectError::new(
                    403,
                    "OutboundContactNotPermittedException",
                    format!(
                        "the simulated campaign cannot call {phone} now (in a call, finished, waiting for a retry, outside its window, do-not-call, or dialing is over)"
                    ),
                ));
            }
        }
        let n = inner.next_contact;
        inner.next_contact += 1;
        let id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("dialsim-standin-{}-contact-{n}", self.epoch_ms).as_bytes(),
        )
        .to_string();
        *inner.dials.entry(phone.to_string()).or_default() += 1;
        let now = inner.campaign.now();
        inner.contacts.insert(
            id.clone(),
            Contact {
                customer,
                phone: phone.to_string(),
                queue_id: string_field(body, "QueueId").map(str::to_string),
                dialed_at: now,
                attributes,
                record: None,
                stop_requested: false,
            },
        );
        inner.active.insert(customer, id.clone());
        if let Some(t) = token {
            inner.tokens.insert(t, id.clone());
        }
        drop(inner);
        let placed = self.placed.fetch_add(1, Ordering::Relaxed) + 1;
        if every(self.settings.faults.error_after_dial_every, placed) {
            return Err(ConnectError::new(
                500,
                "InternalServiceException",
                "injected fault: the call was placed but this answer is lost",
            ));
        }
        Ok(axum::Json(json!({ "ContactId": id })))
    }

    fn current_metrics(&self, body: &Value) -> Reply {
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
        let mut inner = self.synced();
        let now = inner.campaign.now();
        let mut bucket = inner.metrics_bucket;
        let allowed = self.take(&mut bucket, now);
        inner.metrics_bucket = bucket;
        allowed?;
        let o = inner.campaign.observe();
        let a = o.agents;
        let mut collections = Vec::new();
        for m in requested {
            let name = m.get("Name").and_then(Value::as_str).ok_or_else(|| {
                ConnectError::invalid_parameter("CurrentMetrics[].Name is required")
            })?;
            let unit = m.get("Unit").and_then(Value::as_str).unwrap_or("COUNT");
            let value = match name {
                "AGENTS_ONLINE" | "AGENTS_STAFFED" => f64::from(a.staffed),
                "AGENTS_AVAILABLE" | "SLOTS_AVAILABLE" => f64::from(a.available),
                "AGENTS_ON_CALL" | "AGENTS_ON_CONTACT" => f64::from(a.on_contact),
                "AGENTS_AFTER_CONTACT_WORK" => f64::from(a.after_contact_work),
                "SLOTS_ACTIVE" => f64::from(a.on_contact + a.after_contact_work),
                "AGENTS_NON_PRODUCTIVE" | "AGENTS_ERROR" | "CONTACTS_SCHEDULED" => 0.0,
                "CONTACTS_IN_QUEUE" => f64::from(o.in_flight.queued),
                // Connect's quirk: ungrouped, the value is in milliseconds whatever the unit says.
                "OLDEST_CONTACT_AGE" if groupings.is_empty() => o.oldest_in_queue.0 as f64,
                "OLDEST_CONTACT_AGE" => o.oldest_in_queue.as_secs_f64().floor(),
                other => {
                    return Err(ConnectError::invalid_parameter(format!(
                        "unsupported metric {other}"
                    )));
                }
            };
            collections.push(json!({ "Metric": { "Name": name, "Unit": unit }, "Value": value }));
        }
        let mut dimensions = Map::new();
        if groupings.contains(&"QUEUE") {
            let queue = body
                .pointer("/Filters/Queues/0")
                .and_then(Value::as_str)
                .unwrap_or("standin-queue");
            dimensions.insert("Queue".into(), json!({ "Id": queue, "Arn": format!("arn:aws:connect:local:000000000000:instance/standin/queue/{queue}") }));
        }
        if groupings.contains(&"CHANNEL") {
            dimensions.insert("Channel".into(), json!("VOICE"));
        }
        Ok(axum::Json(json!({
            "MetricResults": [{ "Dimensions": dimensions, "Collections": collections }],
            "DataSnapshotTime": ms_to_epoch(self.epoch_ms, now.saturating_sub(o.agents_age)),
            "ApproximateTotalCount": 1,
        })))
    }

    fn describe(&self, contact_id: &str) -> Reply {
        let mut inner = self.synced();
        let now = inner.campaign.now();
        let mut bucket = inner.describe_bucket;
        let allowed = self.take(&mut bucket, now);
        inner.describe_bucket = bucket;
        allowed?;
        let c = inner
            .contacts
            .get(contact_id)
            .ok_or_else(|| ConnectError::not_found(format!("contact {contact_id} not found")))?;
        let t = |m: Millis| ms_to_epoch(self.epoch_ms, m);
        let mut contact = Map::new();
        contact.insert("Id".into(), json!(contact_id));
        contact.insert("InitialContactId".into(), json!(contact_id));
        contact.insert(
            "Arn".into(),
            json!(format!(
                "arn:aws:connect:local:000000000000:instance/standin/contact/{contact_id}"
            )),
        );
        contact.insert("InitiationMethod".into(), json!("API"));
        contact.insert("Channel".into(), json!("VOICE"));
        contact.insert("InitiationTimestamp".into(), json!(t(c.dialed_at)));
        contact.insert("RingStartTimestamp".into(), json!(t(c.dialed_at)));
        let mut attributes = c.attributes.clone();
        match &c.record {
            None => {
                contact.insert("LastUpdateTimestamp".into(), json!(t(now)));
            }
            Some(r) => {
                let outcome = outcome_of(r);
                if r.ring == RingOutcome::Answered || r.ring == RingOutcome::MachineDetected {
                    contact.insert(
                        "ConnectedToSystemTimestamp".into(),
                        json!(t(r.ring_ended_at)),
                    );
                }
                if r.ring == RingOutcome::Answered {
                    attributes.insert(RESULT_ATTRIBUTE.into(), outcome.code().key().into());
                }
                if let Some(q) = r.queued_at {
                    contact.insert(
                        "QueueInfo".into(),
                        json!({ "Id": c.queue_id.as_deref().unwrap_or("standin-queue"), "EnqueueTimestamp": t(q) }),
                    );
                }
                if let Some(a) = r.connected_at {
                    contact.insert(
                        "AgentInfo".into(),
                        json!({ "ConnectedToAgentTimestamp": t(a) }),
                    );
                }
                contact.insert("DisconnectTimestamp".into(), json!(t(r.ended_at)));
                contact.insert("LastUpdateTimestamp".into(), json!(t(r.ended_at)));
                contact.insert("DisconnectReason".into(), json!(disconnect_reason(outcome)));
            }
        }
        contact.insert("Attributes".into(), json!(attributes));
        Ok(axum::Json(json!({ "Contact": contact })))
    }

    fn attributes(&self, contact_id: &str) -> Reply {
        let mut inner = self.synced();
        let now = inner.campaign.now();
        let mut bucket = inner.attributes_bucket;
        let allowed = self.take(&mut bucket, now);
        inner.attributes_bucket = bucket;
        allowed?;
        let c = inner
            .contacts
            .get(contact_id)
            .ok_or_else(|| ConnectError::not_found(format!("contact {contact_id} not found")))?;
        let mut attributes = c.attributes.clone();
        // The flow sets the result once the customer has made a choice; the stand-in tells it
        // when the call has ended.
        if let Some(r) = c.record.filter(|r| r.ring == RingOutcome::Answered) {
            attributes.insert(RESULT_ATTRIBUTE.into(), outcome_of(&r).code().key().into());
        }
        Ok(axum::Json(json!({ "Attributes": attributes })))
    }

    fn stop(&self, body: &Value) -> Reply {
        let id = string_field(body, "ContactId")
            .ok_or_else(|| ConnectError::invalid_parameter("ContactId is required"))?;
        if string_field(body, "InstanceId").is_none() {
            return Err(ConnectError::invalid_parameter("InstanceId is required"));
        }
        let mut inner = self.synced();
        let now = inner.campaign.now();
        let mut bucket = inner.stop_bucket;
        let allowed = self.take(&mut bucket, now);
        inner.stop_bucket = bucket;
        allowed?;
        let c = inner
            .contacts
            .get_mut(id)
            .ok_or_else(|| ConnectError::not_found(format!("contact {id} not found")))?;
        if c.record.is_some() {
            return Err(ConnectError::new(
                410,
                "ContactNotFoundException",
                format!("contact {id} has already ended"),
            ));
        }
        c.stop_requested = true;
        Ok(axum::Json(json!({})))
    }

    fn dials(&self) -> Value {
        json!(self.lock().dials)
    }

    fn customers(&self) -> Value {
        let inner = self.lock();
        let list: Vec<Value> = inner
            .phones
            .iter()
            .enumerate()
            .map(|(i, p)| json!({ "index": i, "phone": p }))
            .collect();
        json!(list)
    }

    fn status(&self) -> Value {
        let inner = self.synced();
        let o = inner.campaign.observe();
        let stopped: Vec<&str> = inner
            .contacts
            .values()
            .filter(|c| c.stop_requested)
            .map(|c| c.phone.as_str())
            .collect();
        json!({
            "sim_now_ms": inner.campaign.now().0,
            "time_scale": self.settings.time_scale,
            "remaining": inner.campaign.remaining(),
            "dialing_over": inner.campaign.dialing_over(),
            "contacts": inner.contacts.len(),
            "in_progress": inner.active.len(),
            "in_flight": {
                "dialing": o.in_flight.dialing,
                "in_ivr": o.in_flight.in_ivr,
                "queued": o.in_flight.queued,
                "with_agent": o.in_flight.with_agent,
            },
            "stop_requested": stopped,
            "customers_in_progress": inner.contacts.values().filter(|c| c.record.is_none()).map(|c| c.customer).collect::<Vec<_>>(),
        })
    }
}

fn reply(result: Reply) -> Response {
    match result {
        Ok(json) => json.into_response(),
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
                |State(s): State<Arc<Standin>>, UrlPath(_instance): UrlPath<String>, body: Bytes| async move {
                    with_body(&s, &body, |b| s.current_metrics(b)).await
                },
            ),
        )
        .route(
            "/contacts/{instance}/{contact}",
            get(
                |State(s): State<Arc<Standin>>, UrlPath((_i, c)): UrlPath<(String, String)>| async move {
                    faulty(&s, || s.describe(&c)).await
                },
            ),
        )
        .route(
            "/contact/attributes/{instance}/{contact}",
            get(
                |State(s): State<Arc<Standin>>, UrlPath((_i, c)): UrlPath<(String, String)>| async move {
                    faulty(&s, || s.attributes(&c)).await
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
            "/_standin/status",
            get(|State(s): State<Arc<Standin>>| async move { axum::Json(s.status()) }),
        )
        .fallback(|| async {
            ConnectError::new(404, "UnknownOperationException", "no such operation on the stand-in")
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
