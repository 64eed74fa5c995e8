//! The IVR's rules, in one place for every part that needs them: the contact flow itself
//! ([`flow`]: its template, a typed model of Connect's flow language, the checks, the rendering
//! `live flow render` prints), its Lambda (`ivr-lambda`: what a key press means and what to say
//! back) and `live` (the layout of the sample's DynamoDB customer table).
//!
//! No I/O; what a key press means comes from the rules' crate, so the IVR, the simulator and
//! `live` read it from one place.
//!
//! ```
//! use ivr::{Choice, Language, Messages};
//!
//! let choice = Choice::from_input("3");
//! assert_eq!(choice, Choice::Email);
//! assert_eq!(choice.code().key(), "3"); // the sample wrote 2 here
//! assert!(choice.disconnects());
//! let text = Messages::builtin().text(&Language::EN, choice, "+14155550100");
//! assert!(text.contains("e-mail"));
//! ```

pub mod choice;
pub mod flow;
pub mod messages;
pub mod table;

pub use choice::{Choice, RESULT_ATTRIBUTE};
pub use messages::{Language, Messages, MessagesError};
