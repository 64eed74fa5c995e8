//! `live run`'s dialing loop: the same [`strategies::Pacer`] objects as in the simulator, fed with
//! the queue's metrics and the outcomes of the campaign's own calls.
//!
//! - [`machine`]: the loop itself, a state machine without I/O or clock: given the time and what
//!   happened, what to do next. Tested in virtual time.
//! - [`ports`]: the clock it runs on and the switchboard it dials through.
//! - [`shell`]: the async shell that carries its actions out.
//! - [`budget`]: Connect's request quotas, kept on the client side.
//! - [`dry_run`]: the switchboard of a dry run, which places nothing.
//!
//! Connect's own switchboard is [`crate::connect::Connect`].

pub mod budget;
pub mod dry_run;
pub mod machine;
pub mod ports;
pub mod shell;

pub use machine::{Action, Answer, End, Machine, Options, Report, RunError, Step};
pub use ports::{Clock, ScaledClock, StartRequest, Switchboard, VirtualClock, WallClock};
