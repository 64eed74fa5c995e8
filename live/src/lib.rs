//! Running a pacing strategy on Amazon Connect, safely.
//!
//! This crate holds what the `live` binary stands on: the campaign file ([`config`]), the contact
//! list and do-not-call file ([`contacts`]), the campaign store that records every dial before it
//! is placed ([`store`]), the deterministic ClientToken of each attempt ([`token`]), the compliance
//! rules and the abandonment kill-switch ([`compliance`]), masked phone numbers for logs
//! ([`mask`]), and the outcomes of calls ([`outcome`]). [`connect`] is the Connect client
//! (aws-sdk-connect behind client-side rate limits, failures sorted by what to do), [`contact`]
//! reads a contact's state and outcome from what Connect reports, [`run`] is the dialing
//! loop of `live run`, and [`dynamo`] reads and updates the sample's DynamoDB customer table.
//! The IVR contact flow that `live flow render` prints is `ivr::flow`'s.
//!
//! Like `strategies` and `sim`, the library reads no clock: every function that depends on the
//! time takes it as a [`UnixMillis`] value. Only the binaries ask the system for the time, the
//! dialing loop ([`run`], through its campaign clock), and the Connect stand-in ([`standin`], served by the `connect-standin` binary), which is a server
//! answering in real time.

pub mod compliance;
pub mod config;
pub mod connect;
pub mod contact;
pub mod contacts;
mod dial_index;
pub mod dynamo;
pub mod mask;
pub mod outcome;
pub mod run;
pub mod standin;
pub mod store;

pub mod token;

pub use outcome::Outcome;
pub use rules::time;
pub use time::UnixMillis;
