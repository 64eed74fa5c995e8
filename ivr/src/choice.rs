//! What the customer's key press means: the sample's table, with its bug fixed (`3` is written
//! as 3, not 2).
//!
//! | input | choice | code | then |
//! |---|---|---|---|
//! | `1` | talk to an agent now | 1 | "please hold", stay on the line: the flow transfers to the queue |
//! | `2` | call me back another day | 2 | thank and disconnect |
//! | `3` | send the details by e-mail | 3 | thank and disconnect |
//! | another key (or `#`, `*`, nothing) | not interested | 0 | thank and disconnect |
//! | `Timeout` (no key before the flow's time limit) | absent: voicemail, nobody there | -2 | give the number to call back, disconnect |
//!
//! The choice itself, and what each key means, is the rules' crate's ([`rules::Choice`]); this
//! module adds what the IVR says for each. The codes are the ones the contact flow stores in the
//! contact attribute [`RESULT_ATTRIBUTE`] (which `live` reads back, and which the Connect stand-in
//! sets as the flow would) and the ones the sample's table holds in its campaign column (`-1`
//! there: not called yet).

pub use rules::Choice;
pub use rules::words::TIMEOUT_INPUT;

/// The contact attribute the contact flow sets to the customer's result code (`1`, `2`, `3`, `0`,
/// `-2`, [`rules::words::Code::key`]), read back with GetContactAttributes.
pub const RESULT_ATTRIBUTE: &str = "dialsim_result";

/// The message's key for a choice: `please_hold`, `call_back`, `email`, `not_interested`,
/// `absent` (letters and `_` only, so it passes Connect's STRING_MAP response validation).
pub fn message_key(choice: Choice) -> &'static str {
    match choice {
        Choice::Agent => "please_hold",
        Choice::CallBack => "call_back",
        Choice::Email => "email",
        Choice::NotInterested => "not_interested",
        Choice::NoInput => "absent",
    }
}

/// The choice whose message has this key.
pub fn from_message_key(key: &str) -> Option<Choice> {
    Choice::ALL.into_iter().find(|c| message_key(*c) == key)
}

/// The choice's slot in a table of one message per choice.
pub(crate) fn slot(choice: Choice) -> usize {
    match choice {
        Choice::Agent => 0,
        Choice::CallBack => 1,
        Choice::Email => 2,
        Choice::NotInterested => 3,
        Choice::NoInput => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_keys_round_trip_and_are_string_map_safe() {
        for c in Choice::ALL {
            assert_eq!(from_message_key(message_key(c)), Some(c));
            assert!(
                message_key(c)
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            );
            assert_eq!(Choice::ALL[slot(c)], c);
        }
        assert_eq!(from_message_key("please-hold"), None);
    }
}
