//! The stand-in's core: a simulated Amazon Connect instance that answers Connect's outbound
//! operations as typed calls, each given the simulated time it happens at. No HTTP, no clock:
//! the HTTP layer ([`crate::http`]) turns the wall clock into simulated time, and an in-process
//! driver can call it in virtual time directly.
//!
//! Its quotas — the scenario's start rate and concurrent calls, Connect's API rates
//! ([`API_QUOTAS`]) — run on the same simulated clock: token buckets refilled by simulated time.
//! Driven K times faster than real time, it allows K times Connect's rates per wall-clock
//! second; [`Instance::quotas`] lists them.
//!
//! ```
//! use connect_standin::{ContactEventType, Ids, Instance, Options, OutboundRequest};
//! use sim::Millis;
//!
//! let scenario = r#"Scenario(
//!     name: "doc", list: Generated(size: 3),
//!     agents: (staffing: Count(1), talk: Fixed(s: 60.0), after_call_work: Fixed(s: 5.0)),
//!     dial: (ring_timeout_s: 30.0, human: 1.0, machine: 0.0, busy: 0.0, no_answer: 0.0,
//!            failed: 0.0, answer_after: Fixed(s: 5.0)),
//!     ivr: (prompt: Fixed(s: 5.0), agent: (p: 1.0, after: Fixed(s: 1.0)),
//!           call_back: (p: 0.0, after: Fixed(s: 1.0)), email: (p: 0.0, after: Fixed(s: 1.0)),
//!           not_interested: (p: 0.0, after: Fixed(s: 1.0)), no_input: 0.0),
//!     queue: (patience: None),
//!     rules: (calling_window: (from: "00:00", to: "24:00")),
//!     strategies: [Progressive()],
//! )"#;
//! let scenario = lab::load::parse(scenario, "doc.ron".as_ref()).unwrap();
//! let plan = lab::Plan::compile(&scenario, &lab::inputs::Files::new(".".as_ref())).unwrap();
//! let phones = connect_standin::phone_numbers(&scenario.list, &plan.world, ".".as_ref()).unwrap();
//! let mut connect = Instance::new(plan.world, plan.seed, phones, Options::default()).unwrap();
//!
//! let ids = Ids::default();
//! let request = OutboundRequest::new(&ids, "+15550000000");
//! let contact = connect.start_outbound_voice_contact(Millis(0), &request).unwrap().contact_id;
//! // An hour later the call has been answered, queued, taken and ended.
//! let kinds: Vec<_> = connect.events(Millis(3_600_000)).iter().map(|e| e.kind).collect();
//! assert_eq!(kinds, ContactEventType::ALL);
//! let described = connect.describe_contact(Millis(3_600_000), &ids.instance_id, &contact).unwrap();
//! assert!(described.stages.disconnected_at.is_some());
//! ```

use ivr::RESULT_ATTRIBUTE;
use rules::Outcome;
use rules::time::UnixMillis;
use sim::scenario::ContactList;
use sim::{CallProgress, Campaign, DialError, Millis, World};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
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

/// The ids of the Connect resources the stand-in serves: a request naming another instance,
/// contact flow or queue is refused with `ResourceNotFoundException`, as Connect refuses it.
/// The defaults are the ids of the rehearsal's campaign file (`live/examples/rehearsal/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ids {
    pub instance_id: String,
    pub contact_flow_id: String,
    pub queue_id: String,
}

/// The rehearsal campaign's instance id.
pub const DEFAULT_INSTANCE_ID: &str = "00000000-0000-4000-8000-000000000001";
/// The rehearsal campaign's contact flow id.
pub const DEFAULT_CONTACT_FLOW_ID: &str = "00000000-0000-4000-8000-000000000002";
/// The rehearsal campaign's queue id.
pub const DEFAULT_QUEUE_ID: &str = "00000000-0000-4000-8000-000000000003";

impl Default for Ids {
    fn default() -> Self {
        Ids {
            instance_id: DEFAULT_INSTANCE_ID.into(),
            contact_flow_id: DEFAULT_CONTACT_FLOW_ID.into(),
            queue_id: DEFAULT_QUEUE_ID.into(),
        }
    }
}

/// The region the stand-in's ARNs and events name.
pub const REGION: &str = "us-east-1";
/// The account the stand-in's ARNs and events name.
pub const ACCOUNT: &str = "000000000000";

impl Ids {
    /// The instance's ARN.
    pub fn instance_arn(&self) -> String {
        format!(
            "arn:aws:connect:{REGION}:{ACCOUNT}:instance/{}",
            self.instance_id
        )
    }

    /// The ARN of a contact of the instance.
    pub fn contact_arn(&self, contact_id: &str) -> String {
        format!("{}/contact/{contact_id}", self.instance_arn())
    }

    /// The ARN of a queue of the instance.
    pub fn queue_arn(&self, queue_id: &str) -> String {
        format!("{}/queue/{queue_id}", self.instance_arn())
    }
}

/// How an [`Instance`] plays its scenario.
#[derive(Clone, Debug)]
pub struct Options {
    /// Replication of the scenario to play (its random streams).
    pub replication: u32,
    /// Apply Connect's API rate quotas ([`API_QUOTAS`]) to the operations other than
    /// StartOutboundVoiceContact, whose limits are the scenario's.
    pub api_quotas: bool,
    /// The resources served.
    pub ids: Ids,
    /// The wall-clock instant of simulated time zero: timestamps are this plus the simulated
    /// time. It also keeps contact ids of stand-ins started at other instants apart.
    pub epoch: UnixMillis,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            replication: 0,
            api_quotas: true,
            ids: Ids::default(),
            epoch: UnixMillis(0),
        }
    }
}

/// A Connect API that the stand-in answers (and rate-limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    StartOutboundVoiceContact,
    GetCurrentMetricData,
    GetCurrentUserData,
    DescribeContact,
    GetContactAttributes,
    StopContact,
}

impl Operation {
    pub const ALL: [Operation; 6] = [
        Operation::StartOutboundVoiceContact,
        Operation::GetCurrentMetricData,
        Operation::GetCurrentUserData,
        Operation::DescribeContact,
        Operation::GetContactAttributes,
        Operation::StopContact,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::StartOutboundVoiceContact => "StartOutboundVoiceContact",
            Operation::GetCurrentMetricData => "GetCurrentMetricData",
            Operation::GetCurrentUserData => "GetCurrentUserData",
            Operation::DescribeContact => "DescribeContact",
            Operation::GetContactAttributes => "GetContactAttributes",
            Operation::StopContact => "StopContact",
        }
    }
}

/// The requests of one operation the instance has answered, by answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requests {
    /// Answered with success.
    pub ok: u64,
    /// Refused for a rate or concurrency quota (ThrottlingException, LimitExceededException).
    pub throttled: u64,
    /// Answered with any other error.
    pub failed: u64,
}

impl Requests {
    pub fn total(&self) -> u64 {
        self.ok + self.throttled + self.failed
    }
}

/// A request rate quota: a token bucket of `burst` refilled at `per_second`, in **simulated**
/// seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quota {
    pub operation: Operation,
    pub per_second: f64,
    pub burst: u32,
}

/// Connect's default API rate quotas (account and Region) for the operations other than
/// StartOutboundVoiceContact, whose rate and concurrency are the scenario's `limits`.
pub const API_QUOTAS: [Quota; 5] = [
    Quota {
        operation: Operation::GetCurrentMetricData,
        per_second: 5.0,
        burst: 8,
    },
    Quota {
        operation: Operation::GetCurrentUserData,
        per_second: 5.0,
        burst: 8,
    },
    Quota {
        operation: Operation::DescribeContact,
        per_second: 2.0,
        burst: 5,
    },
    Quota {
        operation: Operation::GetContactAttributes,
        per_second: 2.0,
        burst: 5,
    },
    Quota {
        operation: Operation::StopContact,
        per_second: 2.0,
        burst: 5,
    },
];

/// What kind of Connect error: the `x-amzn-ErrorType` the SDK dispatches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A parameter is missing or malformed (400).
    InvalidParameter,
    /// The request cannot be read (400).
    InvalidRequest,
    /// No such instance, contact flow, queue or contact (404).
    ResourceNotFound,
    /// Over a request rate (429).
    Throttling,
    /// Over the concurrent-calls quota (429).
    LimitExceeded,
    /// The number is not one the instance may call (403).
    DestinationNotAllowed,
    /// The simulated campaign cannot call this customer now (403).
    OutboundContactNotPermitted,
    /// The contact has ended (410).
    ContactNotFound,
    /// Connect failed (500); the stand-in's only source is an injected fault.
    InternalService,
    /// No such operation (404).
    UnknownOperation,
}

impl ErrorKind {
    /// The error's type name, as `x-amzn-ErrorType` carries it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidParameter => "InvalidParameterException",
            ErrorKind::InvalidRequest => "InvalidRequestException",
            ErrorKind::ResourceNotFound => "ResourceNotFoundException",
            ErrorKind::Throttling => "ThrottlingException",
            ErrorKind::LimitExceeded => "LimitExceededException",
            ErrorKind::DestinationNotAllowed => "DestinationNotAllowedException",
            ErrorKind::OutboundContactNotPermitted => "OutboundContactNotPermittedException",
            ErrorKind::ContactNotFound => "ContactNotFoundException",
            ErrorKind::InternalService => "InternalServiceException",
            ErrorKind::UnknownOperation => "UnknownOperationException",
        }
    }

    /// The HTTP status Connect answers it with.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::InvalidParameter | ErrorKind::InvalidRequest => 400,
            ErrorKind::DestinationNotAllowed | ErrorKind::OutboundContactNotPermitted => 403,
            ErrorKind::ResourceNotFound | ErrorKind::UnknownOperation => 404,
            ErrorKind::ContactNotFound => 410,
            ErrorKind::Throttling | ErrorKind::LimitExceeded => 429,
            ErrorKind::InternalService => 500,
        }
    }
}

/// A Connect error: its kind (type name and status) and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ConnectError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ConnectError {
        ConnectError {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> ConnectError {
        ConnectError::new(ErrorKind::InvalidParameter, message)
    }

    pub fn throttled() -> ConnectError {
        ConnectError::new(ErrorKind::Throttling, "Rate exceeded")
    }

    /// Connect's answer for an id it does not know: `what` is the resource (`instance`,
    /// `contact flow`, `queue`, `contact`).
    pub fn not_found(what: &str, id: &str) -> ConnectError {
        ConnectError::new(
            ErrorKind::ResourceNotFound,
            format!("The {what} with identifier {id} was not found"),
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for ConnectError {}

/// StartOutboundVoiceContact's parameters that the stand-in reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundRequest {
    pub destination_phone_number: String,
    pub instance_id: String,
    pub contact_flow_id: String,
    pub queue_id: Option<String>,
    /// Makes the start idempotent: the same token gives the same contact and places no second
    /// call.
    pub client_token: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

impl OutboundRequest {
    /// A request to call `phone` through the resources `ids` names, with no token or attributes.
    pub fn new(ids: &Ids, phone: &str) -> OutboundRequest {
        OutboundRequest {
            destination_phone_number: phone.into(),
            instance_id: ids.instance_id.clone(),
            contact_flow_id: ids.contact_flow_id.clone(),
            queue_id: Some(ids.queue_id.clone()),
            client_token: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// StartOutboundVoiceContact's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    pub contact_id: String,
    /// Whether this request placed the call: `false` when its ClientToken had started the
    /// contact already.
    pub placed: bool,
}

/// The current metrics GetCurrentMetricData reports for the served queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrentMetrics {
    /// The simulated time the agent counts describe (the scenario's metrics lag before now).
    pub snapshot_at: Millis,
    /// AGENTS_STAFFED and AGENTS_ONLINE.
    pub agents_staffed: u32,
    /// AGENTS_AVAILABLE.
    pub agents_available: u32,
    /// AGENTS_ON_CONTACT.
    pub agents_on_contact: u32,
    /// AGENTS_AFTER_CONTACT_WORK.
    pub agents_after_contact_work: u32,
    /// CONTACTS_IN_QUEUE.
    pub contacts_in_queue: u32,
    /// OLDEST_CONTACT_AGE: how long the longest-waiting caller has waited.
    pub oldest_contact_age: Millis,
}

/// Connect's DisconnectReason for a simulated call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisconnectReason {
    TelecomBusy,
    TelecomUnanswered,
    TelecomProblem,
    AgentDisconnect,
    CustomerDisconnect,
    ContactFlowDisconnect,
}

impl DisconnectReason {
    /// The reason a call with this outcome ends with.
    pub fn of(outcome: Outcome) -> DisconnectReason {
        match outcome {
            Outcome::Busy => DisconnectReason::TelecomBusy,
            Outcome::NoAnswer => DisconnectReason::TelecomUnanswered,
            Outcome::Failed => DisconnectReason::TelecomProblem,
            Outcome::Agent => DisconnectReason::AgentDisconnect,
            Outcome::Abandoned => DisconnectReason::CustomerDisconnect,
            Outcome::Machine
            | Outcome::CallBack
            | Outcome::Email
            | Outcome::NotInterested
            | Outcome::NoInput => DisconnectReason::ContactFlowDisconnect,
        }
    }

    /// The name Connect writes.
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::TelecomBusy => "TELECOM_BUSY",
            DisconnectReason::TelecomUnanswered => "TELECOM_UNANSWERED",
            DisconnectReason::TelecomProblem => "TELECOM_PROBLEM",
            DisconnectReason::AgentDisconnect => "AGENT_DISCONNECT",
            DisconnectReason::CustomerDisconnect => "CUSTOMER_DISCONNECT",
            DisconnectReason::ContactFlowDisconnect => "CONTACT_FLOW_DISCONNECT",
        }
    }
}

/// The outcome of a finished call.
pub fn outcome_of(record: &CallRecord) -> Outcome {
    Outcome::of_call(record.ring, record.choice, record.abandoned)
}

/// The queue a contact entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueInfo {
    pub id: String,
    pub enqueued_at: Millis,
}

/// One page of GetCurrentUserData: agents by index, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDataPage {
    pub agents: Vec<(u32, strategies::AgentStatus)>,
    pub next: Option<usize>,
}

/// The agent a contact reached. The simulated agents have no ids: only the time is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentInfo {
    pub connected_at: Millis,
}

/// What Connect says of a contact at one moment, in simulated time: the stages it had reached.
/// DescribeContact answers it as of now, a contact event as of the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stages {
    pub initiated_at: Millis,
    /// A person or a machine answered.
    pub connected_to_system_at: Option<Millis>,
    pub queue: Option<QueueInfo>,
    pub agent: Option<AgentInfo>,
    /// When the call ended; `None` while it is in progress.
    pub disconnected_at: Option<Millis>,
    pub disconnect_reason: Option<DisconnectReason>,
    /// AnsweringMachineDetectionStatus: `HUMAN_ANSWERED` or `VOICEMAIL_BEEP` for an answered
    /// call that has ended, when the scenario detects machines.
    pub machine_detection: Option<&'static str>,
}

/// DescribeContact's answer: a contact's stages so far, in simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactDescription {
    pub id: String,
    pub stages: Stages,
    pub last_update_at: Millis,
    /// The request's attributes, and the flow's [`RESULT_ATTRIBUTE`] once an answered call has
    /// ended.
    pub attributes: BTreeMap<String, String>,
}

/// The stand-in's own counts, for its status endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub now: Millis,
    /// Customers without a final result.
    pub remaining: u64,
    pub dialing_over: bool,
    /// Contacts started.
    pub contacts: usize,
    /// Contacts whose call has not ended.
    pub in_progress: usize,
    pub dialing: u32,
    pub in_ivr: u32,
    pub queued: u32,
    pub with_agent: u32,
    /// Numbers of the contacts StopContact was asked to stop.
    pub stop_requested: Vec<String>,
    /// Customers (list positions) whose call has not ended, in contact order.
    pub customers_in_progress: Vec<u32>,
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
    fn new(quota: Quota) -> Bucket {
        Bucket {
            per_ms: quota.per_second / 1_000.0,
            burst: f64::from(quota.burst),
            tokens: f64::from(quota.burst),
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

/// What the stand-in knows of one contact.
#[derive(Clone, Debug)]
struct Contact {
    id: String,
    customer: u32,
    phone: String,
    queue_id: String,
    dialed_at: Millis,
    attributes: BTreeMap<String, String>,
    /// The stages reached, as last seen while the call was in progress.
    answered_at: Option<Millis>,
    queued_at: Option<Millis>,
    connected_at: Option<Millis>,
    record: Option<CallRecord>,
    stop_requested: bool,
    /// The contact events published so far.
    published: u8,
}

impl Contact {
    fn answered_at(&self) -> Option<Millis> {
        match &self.record {
            Some(r) => matches!(r.ring, RingOutcome::Answered | RingOutcome::MachineDetected)
                .then_some(r.ring_ended_at),
            None => self.answered_at,
        }
    }

    fn queued_at(&self) -> Option<Millis> {
        self.record.map_or(self.queued_at, |r| r.queued_at)
    }

    fn connected_at(&self) -> Option<Millis> {
        self.record.map_or(self.connected_at, |r| r.connected_at)
    }

    /// The time of each stage the call has reached, in [`ContactEventType::ALL`]'s order.
    fn stages(&self) -> [Option<Millis>; 5] {
        [
            Some(self.dialed_at),
            self.answered_at(),
            self.queued_at(),
            self.connected_at(),
            self.record.map(|r| r.ended_at),
        ]
    }

    fn disconnect_reason(&self) -> Option<DisconnectReason> {
        self.record.map(|r| DisconnectReason::of(outcome_of(&r)))
    }

    /// Connect's AnsweringMachineDetectionStatus, when the scenario detects machines: known
    /// here once the call has ended (Connect knows it a few seconds after the answer).
    fn machine_detection(&self, amd: bool) -> Option<&'static str> {
        match self.record?.ring {
            _ if !amd => None,
            RingOutcome::MachineDetected => Some("VOICEMAIL_BEEP"),
            RingOutcome::Answered => Some("HUMAN_ANSWERED"),
            _ => None,
        }
    }

    fn queue(&self) -> Option<QueueInfo> {
        self.queued_at().map(|at| QueueInfo {
            id: self.queue_id.clone(),
            enqueued_at: at,
        })
    }

    fn agent(&self) -> Option<AgentInfo> {
        self.connected_at().map(|at| AgentInfo { connected_at: at })
    }

    /// What Connect says of the contact now: every stage reached so far (`amd`: the scenario
    /// detects machines).
    fn said(&self, amd: bool) -> Stages {
        Stages {
            initiated_at: self.dialed_at,
            connected_to_system_at: self.answered_at(),
            queue: self.queue(),
            agent: self.agent(),
            disconnected_at: self.record.map(|r| r.ended_at),
            disconnect_reason: self.disconnect_reason(),
            machine_detection: self.machine_detection(amd),
        }
    }
}

/// A simulated Amazon Connect instance: the scenario's campaign, the contacts started on it,
/// its quotas and the contact events it has published. See the [module](self) documentation.
pub struct Instance {
    world: &'static World,
    campaign: Campaign<'static>,
    options: Options,
    phones: Vec<String>,
    by_phone: HashMap<String, u32>,
    tokens: HashMap<String, usize>,
    /// Every contact started, in start order; `by_id` finds them.
    contacts: Vec<Contact>,
    by_id: HashMap<String, usize>,
    /// The contact in progress of each customer (the sim has at most one call per customer).
    active: HashMap<u32, usize>,
    /// Contacts whose call ended since the last [`Instance::publish`].
    ended: Vec<usize>,
    dials: BTreeMap<String, u64>,
    buckets: [Bucket; 5],
    events: Vec<ContactEvent>,
    /// Requests answered, per [`Operation`] in [`Operation::ALL`]'s order.
    requests: [Requests; 6],
}

impl Instance {
    /// An instance playing `model`, its streams drawn from `seed`, with these customer phone
    /// numbers. The world is leaked: an instance lives as long as its process (tests leak one
    /// small world each).
    pub fn new(
        model: World,
        seed: u64,
        phones: Vec<String>,
        options: Options,
    ) -> Result<Instance, StandinError> {
        if phones.len() != model.customers.len() {
            return Err(StandinError::PhoneCount {
                phones: phones.len(),
                customers: model.customers.len(),
            });
        }
        let mut by_phone = HashMap::new();
        for (i, p) in phones.iter().enumerate() {
            if by_phone.insert(p.clone(), i as u32).is_some() {
                return Err(StandinError::RepeatedPhone { phone: p.clone() });
            }
        }
        let model: &'static World = Box::leak(Box::new(model));
        // Traced for the agents' wrap-up ends, which the contact records carry and a call's
        // record does not.
        let campaign = Campaign::new(model, seed, options.replication).with_trace();
        Ok(Instance {
            world: model,
            campaign,
            options,
            phones,
            by_phone,
            tokens: HashMap::new(),
            contacts: Vec::new(),
            by_id: HashMap::new(),
            active: HashMap::new(),
            ended: Vec::new(),
            dials: BTreeMap::new(),
            buckets: API_QUOTAS.map(Bucket::new),
            requests: [Requests::default(); 6],
            events: Vec::new(),
        })
    }

    /// Loads a scenario file and builds its instance.
    pub fn from_scenario(path: &Path, options: Options) -> Result<Instance, StandinError> {
        let (scenario, plan) = lab::load::load(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let phones = phone_numbers(&scenario.list, &plan.world, base)?;
        Instance::new(plan.world, plan.seed, phones, options)
    }

    /// The customers' phone numbers, in list order.
    pub fn phones(&self) -> &[String] {
        &self.phones
    }

    /// The customers as the contacts file `live` reads (`phone,name,utc_offset,do_not_call`),
    /// in list order: what a campaign rehearsing this instance's scenario imports.
    pub fn contacts_csv(&self) -> String {
        let mut out = String::from("phone,name,utc_offset,do_not_call\n");
        for (i, (c, phone)) in self.world.customers.iter().zip(&self.phones).enumerate() {
            // A fixed offset as `±HH:MM`, an IANA zone by its name (which live reads too).
            let zone = self.world.time_zones[usize::from(c.zone)];
            out.push_str(&format!("{phone},Customer {i},{zone},{}\n", c.do_not_call));
        }
        out
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The contacts whose call has ended, as Amazon Connect's contact records would describe
    /// them (wall-clock instants from the rehearsal's epoch, the attributes the dialer set and
    /// the flow's result code): what a rehearsal's records hold, for `dialsim calibrate`.
    pub fn contact_records(&self) -> Vec<contact_records::write::CallFacts> {
        let wrap_ends: HashMap<(u32, u32), Millis> = self
            .campaign
            .trace()
            .map(|t| {
                t.calls
                    .iter()
                    .filter_map(|c| Some(((c.call.customer, c.call.attempt), c.wrap_end?)))
                    .collect()
            })
            .unwrap_or_default();
        let at = |t: Millis| self.wall(t).0;
        self.contacts
            .iter()
            .filter_map(|c| {
                let r = c.record?;
                Some(contact_records::write::CallFacts {
                    contact_id: c.id.clone(),
                    customer_address: Some(c.phone.clone()),
                    launched: at(r.dialed_at),
                    ring: r.ring,
                    ring_ended: at(r.ring_ended_at),
                    amd: self.world.amd.is_some(),
                    choice: r.choice,
                    queued: r.queued_at.map(at),
                    connected_to_agent: r.connected_at.map(at),
                    abandoned: r.abandoned,
                    ended: at(r.ended_at),
                    wrap_end: wrap_ends.get(&(r.customer, r.attempt)).map(|&t| at(t)),
                    result_attribute: RESULT_ATTRIBUTE.to_string(),
                    attributes: c
                        .attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .chain([(
                            contact_records::write::UTC_OFFSET_ATTRIBUTE.to_string(),
                            rules::zone::format_utc_offset(self.world.offset_ms(
                                self.world.customers[c.customer as usize].zone,
                                r.dialed_at,
                            )),
                        )])
                        .collect(),
                    queue_name: c.queue_id.clone(),
                    reported: Default::default(),
                })
            })
            .collect()
    }

    /// The served resources' ids.
    pub fn ids(&self) -> &Ids {
        &self.options.ids
    }

    /// The wall-clock instant of simulated time `t` (the rehearsal clock).
    pub fn wall(&self, t: Millis) -> UnixMillis {
        self.options.epoch.plus_ms(t.0 as i64)
    }

    /// Simulated time: the latest time the instance has been asked about.
    pub fn now(&self) -> Millis {
        self.campaign.now()
    }

    /// Every rate quota in force, in simulated seconds: the scenario's start rate, then
    /// Connect's API quotas when they are applied.
    pub fn quotas(&self) -> Vec<Quota> {
        let start = self.world.start_rate.map(|(per_ms, burst)| Quota {
            operation: Operation::StartOutboundVoiceContact,
            per_second: per_ms * 1_000.0,
            burst,
        });
        let api = self.options.api_quotas.then_some(API_QUOTAS).into_iter();
        start.into_iter().chain(api.flatten()).collect()
    }

    /// The scenario's concurrent-calls quota.
    pub fn max_concurrent_calls(&self) -> Option<u32> {
        self.world.max_concurrent_calls
    }

    /// Calls placed per phone number.
    pub fn dials(&self) -> &BTreeMap<String, u64> {
        &self.dials
    }

    /// Advances the campaign to `now` (an earlier time is the current one: simulated time does
    /// not go back), files finished calls and publishes the contact events that happened.
    pub fn advance_to(&mut self, now: Millis) {
        if now > self.campaign.now() {
            self.campaign.advance_to(now);
        }
        let finished: Vec<CallRecord> = self.campaign.drain_finished().collect();
        for record in finished {
            if let Some(i) = self.active.remove(&record.customer) {
                self.contacts[i].record = Some(record);
                self.ended.push(i);
            }
        }
        let progress: Vec<CallProgress> = self.campaign.calls_in_progress().collect();
        for p in progress {
            if let Some(&i) = self.active.get(&p.customer) {
                let c = &mut self.contacts[i];
                c.answered_at = p.answered_at;
                c.queued_at = p.queued_at;
                c.connected_at = p.connected_at;
            }
        }
        self.publish();
    }

    /// Appends the events of stages reached since the last time, in time order. Every stage
    /// reached by now is known (finished calls carry all of theirs, calls in progress theirs
    /// so far), so the new events all come after the ones already published.
    fn publish(&mut self) {
        let mut fresh: Vec<(Millis, usize, ContactEventType)> = Vec::new();
        let ended = std::mem::take(&mut self.ended);
        let running: Vec<usize> = self.active.values().copied().collect();
        for i in ended.into_iter().chain(running) {
            let c = &mut self.contacts[i];
            let stages = c.stages();
            let over = c.record.is_some();
            for (k, kind) in ContactEventType::ALL
                .into_iter()
                .enumerate()
                .skip(c.published.into())
            {
                match stages[k] {
                    Some(at) => fresh.push((at, i, kind)),
                    // A stage the call skipped (never queued, never reached an agent) is passed
                    // over once the call has ended; while it runs, it may still come.
                    None if over => {}
                    None => break,
                }
                c.published = k as u8 + 1;
            }
        }
        fresh.sort_unstable();
        for (at, i, kind) in fresh {
            let event = self.event(i, kind, at);
            self.events.push(event);
        }
    }

    /// The event of `kind` at `at` for contact `i`, with what was known of it then: the stages
    /// up to this one (a stage reached at the same time but later in the call's order is not).
    fn event(&self, i: usize, kind: ContactEventType, at: Millis) -> ContactEvent {
        let c = &self.contacts[i];
        let reached = |stage: ContactEventType| stage <= kind;
        let now = c.said(self.world.amd.is_some());
        let ended = kind == ContactEventType::Disconnected;
        ContactEvent {
            at,
            kind,
            contact_id: c.id.clone(),
            stages: Stages {
                initiated_at: now.initiated_at,
                connected_to_system_at: now
                    .connected_to_system_at
                    .filter(|_| reached(ContactEventType::ConnectedToSystem)),
                queue: now.queue.filter(|_| reached(ContactEventType::Queued)),
                agent: now
                    .agent
                    .filter(|_| reached(ContactEventType::ConnectedToAgent)),
                disconnected_at: ended.then_some(at),
                disconnect_reason: now.disconnect_reason.filter(|_| ended),
                machine_detection: now.machine_detection.filter(|_| ended),
            },
        }
    }

    /// The contact events that happened up to `until`, in time order (ties in contact order,
    /// then a call's stage order): INITIATED when a call is placed, CONNECTED_TO_SYSTEM when a
    /// person or machine answers, QUEUED, CONNECTED_TO_AGENT, DISCONNECTED. Advances the
    /// campaign to `until` first. The slice only grows: a reader keeps how many it has seen and
    /// reads on from there.
    pub fn events(&mut self, until: Millis) -> &[ContactEvent] {
        self.advance_to(until);
        let n = self.events.partition_point(|e| e.at <= until);
        &self.events[..n]
    }

    fn check_instance(&self, instance_id: &str) -> Result<(), ConnectError> {
        if instance_id == self.options.ids.instance_id {
            Ok(())
        } else {
            Err(ConnectError::not_found("instance", instance_id))
        }
    }

    /// The requests answered so far, per operation.
    pub fn requests(&self) -> [(Operation, Requests); 5] {
        std::array::from_fn(|i| (Operation::ALL[i], self.requests[i]))
    }

    fn count<T>(&mut self, operation: Operation, answer: &Result<T, ConnectError>) {
        let slot = Operation::ALL
            .iter()
            .position(|o| *o == operation)
            .expect("every operation is in ALL");
        let r = &mut self.requests[slot];
        match answer {
            Ok(_) => r.ok += 1,
            Err(e) if matches!(e.kind, ErrorKind::Throttling | ErrorKind::LimitExceeded) => {
                r.throttled += 1
            }
            Err(_) => r.failed += 1,
        }
    }

    fn take(&mut self, operation: Operation, now: Millis) -> Result<(), ConnectError> {
        if !self.options.api_quotas {
            return Ok(());
        }
        let slot = API_QUOTAS
            .iter()
            .position(|q| q.operation == operation)
            .expect("a rate-limited operation");
        if self.buckets[slot].take(now) {
            Ok(())
        } else {
            Err(ConnectError::throttled())
        }
    }

    /// StartOutboundVoiceContact at `now`: places a call to the customer with this number and
    /// answers its ContactId. The same ClientToken answers the same ContactId and places no
    /// second call.
    pub fn start_outbound_voice_contact(
        &mut self,
        now: Millis,
        request: &OutboundRequest,
    ) -> Result<Started, ConnectError> {
        let answer = self.start_outbound_voice_contact_uncounted(now, request);
        self.count(Operation::StartOutboundVoiceContact, &answer);
        answer
    }

    fn start_outbound_voice_contact_uncounted(
        &mut self,
        now: Millis,
        request: &OutboundRequest,
    ) -> Result<Started, ConnectError> {
        let phone = request.destination_phone_number.as_str();
        if !rules::contact::is_e164(phone) {
            return Err(ConnectError::invalid_parameter(format!(
                "DestinationPhoneNumber {phone:?} is not E.164"
            )));
        }
        self.check_instance(&request.instance_id)?;
        if request.contact_flow_id != self.options.ids.contact_flow_id {
            return Err(ConnectError::not_found(
                "contact flow",
                &request.contact_flow_id,
            ));
        }
        let queue_id = match &request.queue_id {
            Some(q) if *q != self.options.ids.queue_id => {
                return Err(ConnectError::not_found("queue", q));
            }
            _ => self.options.ids.queue_id.clone(),
        };
        self.advance_to(now);
        if let Some(&i) = request
            .client_token
            .as_ref()
            .and_then(|t| self.tokens.get(t))
        {
            return Ok(Started {
                contact_id: self.contacts[i].id.clone(),
                placed: false,
            });
        }
        let customer = *self.by_phone.get(phone).ok_or_else(|| {
            ConnectError::new(
                ErrorKind::DestinationNotAllowed,
                format!("{phone} is not in the stand-in's contact list"),
            )
        })?;
        match self.campaign.dial(customer) {
            Ok(()) => {}
            Err(DialError::Rejected(r)) => {
                return Err(match r.reason {
                    RejectReason::Throttled => ConnectError::throttled(),
                    RejectReason::ConcurrencyLimit => ConnectError::new(
                        ErrorKind::LimitExceeded,
                        "The allowed limit for concurrent calls has been exceeded",
                    ),
                });
            }
            Err(DialError::NotCallable) => {
                return Err(ConnectError::new(
                    ErrorKind::OutboundContactNotPermitted,
                    format!(
                        "the simulated campaign cannot call {phone} now (in a call, finished, waiting for a retry, outside its window, do-not-call, or dialing is over)"
                    ),
                ));
            }
        }
        let i = self.contacts.len();
        let id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("dialsim-standin-{}-contact-{i}", self.options.epoch.0).as_bytes(),
        )
        .to_string();
        *self.dials.entry(phone.to_string()).or_default() += 1;
        self.contacts.push(Contact {
            id: id.clone(),
            customer,
            phone: phone.to_string(),
            queue_id,
            dialed_at: self.campaign.now(),
            attributes: request.attributes.clone(),
            answered_at: None,
            queued_at: None,
            connected_at: None,
            record: None,
            stop_requested: false,
            published: 0,
        });
        self.by_id.insert(id.clone(), i);
        self.active.insert(customer, i);
        if let Some(t) = &request.client_token {
            self.tokens.insert(t.clone(), i);
        }
        self.publish();
        Ok(Started {
            contact_id: id,
            placed: true,
        })
    }

    /// GetCurrentMetricData at `now` for the served queue.
    pub fn current_metrics(
        &mut self,
        now: Millis,
        instance_id: &str,
    ) -> Result<CurrentMetrics, ConnectError> {
        let answer = self.current_metrics_uncounted(now, instance_id);
        self.count(Operation::GetCurrentMetricData, &answer);
        answer
    }

    fn current_metrics_uncounted(
        &mut self,
        now: Millis,
        instance_id: &str,
    ) -> Result<CurrentMetrics, ConnectError> {
        self.check_instance(instance_id)?;
        self.advance_to(now);
        self.take(Operation::GetCurrentMetricData, self.campaign.now())?;
        let o = self.campaign.observe();
        let a = o.agents;
        Ok(CurrentMetrics {
            snapshot_at: o.now.saturating_sub(o.agents_age),
            agents_staffed: a.staffed,
            agents_available: a.available,
            agents_on_contact: a.on_contact,
            agents_after_contact_work: a.after_contact_work,
            contacts_in_queue: o.in_flight.queued,
            oldest_contact_age: o.oldest_in_queue,
        })
    }

    /// GetCurrentUserData at `now` for the served queue: each logged-in agent (its index, a
    /// stable id) and what it is doing since when, as of the scenario's metrics lag, as one page
    /// of at most `max_results` agents from the `from`th on. Every page is a request.
    pub fn current_user_data(
        &mut self,
        now: Millis,
        instance_id: &str,
        from: usize,
        max_results: usize,
    ) -> Result<UserDataPage, ConnectError> {
        let answer = self
            .check_instance(instance_id)
            .and_then(|()| {
                self.advance_to(now);
                self.take(Operation::GetCurrentUserData, self.campaign.now())
            })
            .map(|()| {
                let all = self.campaign.agent_statuses();
                let end = from.saturating_add(max_results).min(all.len());
                UserDataPage {
                    agents: all.get(from..end).unwrap_or_default().to_vec(),
                    next: (end < all.len()).then_some(end),
                }
            });
        self.count(Operation::GetCurrentUserData, &answer);
        answer
    }

    fn contact(&self, contact_id: &str) -> Result<usize, ConnectError> {
        self.by_id
            .get(contact_id)
            .copied()
            .ok_or_else(|| ConnectError::not_found("contact", contact_id))
    }

    /// The request's attributes with the flow's result once an answered call has ended (the
    /// flow sets it when the customer chooses; the stand-in tells it when the call ends).
    fn attributes_of(c: &Contact) -> BTreeMap<String, String> {
        let mut attributes = c.attributes.clone();
        if let Some(r) = c.record.filter(|r| r.ring == RingOutcome::Answered) {
            attributes.insert(RESULT_ATTRIBUTE.into(), outcome_of(&r).code().key().into());
        }
        attributes
    }

    /// DescribeContact at `now`.
    pub fn describe_contact(
        &mut self,
        now: Millis,
        instance_id: &str,
        contact_id: &str,
    ) -> Result<ContactDescription, ConnectError> {
        let answer = self.describe_contact_uncounted(now, instance_id, contact_id);
        self.count(Operation::DescribeContact, &answer);
        answer
    }

    fn describe_contact_uncounted(
        &mut self,
        now: Millis,
        instance_id: &str,
        contact_id: &str,
    ) -> Result<ContactDescription, ConnectError> {
        self.check_instance(instance_id)?;
        self.advance_to(now);
        self.take(Operation::DescribeContact, self.campaign.now())?;
        let c = &self.contacts[self.contact(contact_id)?];
        let ended = c.record.map(|r| r.ended_at);
        Ok(ContactDescription {
            id: c.id.clone(),
            stages: c.said(self.world.amd.is_some()),
            last_update_at: ended.unwrap_or(self.campaign.now()),
            attributes: Instance::attributes_of(c),
        })
    }

    /// GetContactAttributes at `now`.
    pub fn contact_attributes(
        &mut self,
        now: Millis,
        instance_id: &str,
        contact_id: &str,
    ) -> Result<BTreeMap<String, String>, ConnectError> {
        let answer = self.contact_attributes_uncounted(now, instance_id, contact_id);
        self.count(Operation::GetContactAttributes, &answer);
        answer
    }

    fn contact_attributes_uncounted(
        &mut self,
        now: Millis,
        instance_id: &str,
        contact_id: &str,
    ) -> Result<BTreeMap<String, String>, ConnectError> {
        self.check_instance(instance_id)?;
        self.advance_to(now);
        self.take(Operation::GetContactAttributes, self.campaign.now())?;
        let c = &self.contacts[self.contact(contact_id)?];
        Ok(Instance::attributes_of(c))
    }

    /// StopContact at `now`: accepted while the call is in progress (the simulated call still
    /// runs to its end), `ContactNotFoundException` once it has ended.
    pub fn stop_contact(
        &mut self,
        now: Millis,
        instance_id: &str,
        contact_id: &str,
    ) -> Result<(), ConnectError> {
        let answer = self.stop_contact_uncounted(now, instance_id, contact_id);
        self.count(Operation::StopContact, &answer);
        answer
    }

    fn stop_contact_uncounted(
        &mut self,
        now: Millis,
        instance_id: &str,
        contact_id: &str,
    ) -> Result<(), ConnectError> {
        self.check_instance(instance_id)?;
        self.advance_to(now);
        self.take(Operation::StopContact, self.campaign.now())?;
        let i = self.contact(contact_id)?;
        let c = &mut self.contacts[i];
        if c.record.is_some() {
            return Err(ConnectError::new(
                ErrorKind::ContactNotFound,
                format!("contact {contact_id} has already ended"),
            ));
        }
        c.stop_requested = true;
        Ok(())
    }

    /// The stand-in's counts at `now`.
    pub fn status(&mut self, now: Millis) -> Status {
        self.advance_to(now);
        let o = self.campaign.observe().in_flight;
        Status {
            now: self.campaign.now(),
            remaining: self.campaign.remaining(),
            dialing_over: self.campaign.dialing_over(),
            contacts: self.contacts.len(),
            in_progress: self.active.len(),
            dialing: o.dialing,
            in_ivr: o.in_ivr,
            queued: o.queued,
            with_agent: o.with_agent,
            stop_requested: self
                .contacts
                .iter()
                .filter(|c| c.stop_requested)
                .map(|c| c.phone.clone())
                .collect(),
            customers_in_progress: self
                .contacts
                .iter()
                .filter(|c| c.record.is_none())
                .map(|c| c.customer)
                .collect(),
        }
    }
}

/// The stage a contact event announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactEventType {
    /// The call was placed.
    Initiated,
    /// A person or a machine answered: the contact flow runs.
    ConnectedToSystem,
    /// The caller entered the agents' queue.
    Queued,
    /// An agent took the call.
    ConnectedToAgent,
    /// The call ended.
    Disconnected,
}

impl ContactEventType {
    /// Every stage, in the order a call reaches them.
    pub const ALL: [ContactEventType; 5] = [
        ContactEventType::Initiated,
        ContactEventType::ConnectedToSystem,
        ContactEventType::Queued,
        ContactEventType::ConnectedToAgent,
        ContactEventType::Disconnected,
    ];

    /// The `eventType` Connect writes.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactEventType::Initiated => "INITIATED",
            ContactEventType::ConnectedToSystem => "CONNECTED_TO_SYSTEM",
            ContactEventType::Queued => "QUEUED",
            ContactEventType::ConnectedToAgent => "CONNECTED_TO_AGENT",
            ContactEventType::Disconnected => "DISCONNECTED",
        }
    }
}

/// One contact event: a stage a call reached at `at` (simulated time), with what was known of
/// the contact then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactEvent {
    pub at: Millis,
    pub kind: ContactEventType,
    pub contact_id: String,
    /// The stages reached up to this one; the disconnect's fields and the machine-detection
    /// status on DISCONNECTED only.
    pub stages: Stages,
}
