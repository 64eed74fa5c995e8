//! The bottom of the house: the campaign's words and rules, shared by the simulator and live.
//!
//! - [`abandonment`]: the abandon rates' one definition (what the regulator counts, and the
//!   queue's rate).
//! - [`words`]: how a call ended — ring outcomes, IVR choices, the outcome a dialer records and
//!   the customer's result code — one type each.
//! - [`rulebook`]: the rules a campaign obeys (calling window, retries, the quiet period after
//!   an abandon, minimum ring) with the one RON syntax scenario and campaign files embed, and
//!   the decision "may this customer be dialed now, and if not, from when".
//! - [`callable`]: the index of who may be dialed next, kept up to date as calls are placed
//!   and end, so that a dialer's decision costs no pass over the list.
//! - [`contact`]: a contact row's fields — E.164 numbers, time zones, do-not-call flags.
//! - [`zone`]: a customer's time zone, a fixed offset or an IANA zone with daylight saving.
//! - [`param`]: numbers checked while a file is read, so that an error points at the value.
//! - [`time`]: instants as values (milliseconds since the Unix epoch).
//!
//! Nothing here does I/O or reads a clock: times are arguments.

pub mod abandonment;
pub mod callable;
pub mod contact;
pub mod param;
pub mod rulebook;
pub mod time;
pub mod words;
pub mod zone;

pub use rulebook::Rules;
pub use words::{Choice, Code, Outcome, RingOutcome};
