//! Running a pacing strategy on Amazon Connect, safely.
//!
//! This crate holds what the `live` binary stands on: the campaign file ([`config`]), the contact
//! list and do-not-call file ([`contacts`]), the campaign store that records every dial before it
//! is placed ([`store`]), the deterministic ClientToken of each attempt ([`token`]), the compliance
//! rules and the abandonment kill-switch ([`compliance`]), masked phone numbers for logs
//! ([`mask`]), the outcomes of calls ([`outcome`]), what `live status` reports
//! ([`progress`]) and the campaign's calls as contact records for `dialsim calibrate`
//! ([`records`]). [`connect`] is the Connect client
//! (aws-sdk-connect, failures sorted by what to do), [`contact`]
//! reads a contact's state and outcome from what Connect reports, [`events`] reads Connect's
//! contact events and [`event_queue`] receives them from SQS, [`dialer`] is the dialing loop of `live run` (a state machine without I/O,
//! its clock and switchboard ports, and the async shell that runs it), and [`dynamo`] reads and
//! updates the sample's DynamoDB customer table. The IVR contact flow that `live flow render`
//! prints is `ivr::flow`'s.
//!
//! Like `strategies` and `sim`, the library reads no clock: every function that depends on the
//! time takes it as a [`UnixMillis`] value. Only the binary and the clocks of
//! [`dialer::ports`] read the system's time. The local stand-in for Connect that the end-to-end
//! tests dial is a crate of its own (`connect-standin`), so that this one carries neither an HTTP
//! server nor the simulator.

pub mod compliance;
pub mod config;
pub mod connect;
pub mod contact;
pub mod contacts;
mod dial_index;
pub mod dialer;
pub mod dynamo;
pub mod event_queue;
pub mod events;
pub mod mask;
pub mod outcome;
pub mod progress;
pub mod records;
pub mod store;
pub mod token;

pub use outcome::Outcome;
pub use rules::time;
pub use time::UnixMillis;
