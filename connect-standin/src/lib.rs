//! A local stand-in for Amazon Connect's outbound-calling API, played by the simulator's
//! campaign model (`sim::Campaign`): what `live`'s end-to-end tests and rehearsals dial.
//!
//! Two layers:
//!
//! - [`Instance`], the core: a simulated Connect instance answering Connect's operations as
//!   typed calls, each given the simulated time ([`sim::Millis`]) it happens at — no HTTP, no
//!   clock. It keeps the contact events a real instance publishes on EventBridge
//!   ([`Instance::events`], rendered by [`to_eventbridge`]), so an in-process driver can run a
//!   campaign against it in virtual time.
//! - [`http`], a thin layer over it: Connect's real paths, JSON shapes and error convention on
//!   loopback (axum), the wall clock times a time scale as simulated time, injected faults and
//!   latency. The `connect-standin` binary serves it.
//! - [`publish`], the contact events sent to an SQS queue as an EventBridge rule sends a real
//!   instance's (`--events-queue-url`).
//! - [`in_process`], the core as `live`'s switchboard in the same process, for running `live`'s
//!   dialing loop against it in virtual time.
//!
//! | Connect operation | path | core call |
//! |---|---|---|
//! | StartOutboundVoiceContact | `PUT /contact/outbound-voice` | [`Instance::start_outbound_voice_contact`]: `DestinationPhoneNumber` → customer, a call placed, its ContactId |
//! | GetCurrentMetricData | `POST /metrics/current/{InstanceId}` | [`Instance::current_metrics`], as `MetricResults` |
//! | GetCurrentUserData | `POST /metrics/userdata/{InstanceId}` | [`Instance::current_user_data`]: each logged-in agent's contact state (CONNECTED, ENDED in after-contact work, none) and its start, as of the metrics lag, 100 a page |
//! | DescribeContact | `GET /contacts/{InstanceId}/{ContactId}` | [`Instance::describe_contact`]: the call's timestamps, queue, agent, disconnect reason |
//! | GetContactAttributes | `GET /contact/attributes/{InstanceId}/{InitialContactId}` | [`Instance::contact_attributes`]: request attributes + the flow's `dialsim_result` |
//! | StopContact | `POST /contact/stop` | [`Instance::stop_contact`]: accepted; the simulated call still runs to its end |
//!
//! Debug endpoints (not Connect's): `GET /_standin/customers` (phone number of every customer),
//! `GET /_standin/dials` (calls placed per phone number), `GET /_standin/events` and
//! `/_standin/events/{from}` (the contact events so far as EventBridge envelopes, from the
//! `from`th on, with `Next` to ask for next), `GET /_standin/status`.
//!
//! The instance serves one instance, contact flow and queue ([`Ids`]): another id is answered
//! with 404 `ResourceNotFoundException`, as Connect answers it. Errors carry the type in the
//! `x-amzn-ErrorType` header and a `{"Message": …}` body, as the AWS SDK reads them.
//!
//! **Quotas run in simulated time.** The scenario's `limits` (start rate → 429
//! `ThrottlingException`, concurrent calls → 429 `LimitExceededException`) and Connect's API
//! rates for the other operations ([`API_QUOTAS`]: GetCurrentMetricData and GetCurrentUserData
//! 5/s burst 8 each, the others
//! 2/s burst 5 each) are token buckets refilled by simulated time: a rehearsal at time scale 100
//! allows 100 times Connect's rates in wall-clock time. The binary says so at startup, in
//! `--help` and in `/_standin/status`.
//!
//! Faults can be injected by the HTTP layer ([`Faults`]): throttling, 500s, 500s after a placed
//! call, latency, dropped connections. `ClientToken` makes a start idempotent: the same token
//! returns the same ContactId and places no second call.
//!
//! Timestamps are those of the rehearsal clock: the wall-clock instant the stand-in started
//! ([`Options::epoch`]) plus the simulated time since then.

pub mod events;
pub mod http;
pub mod in_process;
pub mod instance;
pub mod publish;

pub use events::{ContactEvent, ContactEventType, to_eventbridge};
pub use http::{Faults, Settings, Standin, serve};
pub use instance::{
    API_QUOTAS, AgentInfo, ConnectError, ContactDescription, CurrentMetrics, DisconnectReason,
    ErrorKind, Ids, Instance, Operation, Options, OutboundRequest, QueueInfo, Quota, Stages,
    StandinError, Started, Status, UserDataPage, generated_phone, outcome_of, phone_numbers,
};
