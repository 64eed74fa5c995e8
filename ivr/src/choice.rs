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
//! The codes are the ones `live` reads back from the contact attribute `dialsim_result` and the
//! ones the sample's table holds in its campaign column (`-1` there: not called yet).

use std::fmt;

/// The value Amazon Connect stores for "no input before the time limit" (`$.StoredCustomerInput`
/// of a GetParticipantInput block with StoreInput, and the sample's Lambda input).
pub const TIMEOUT_INPUT: &str = "Timeout";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Choice {
    /// Pressed 1: talk to an agent now.
    Agent,
    /// Pressed 2: call back another day.
    CallBack,
    /// Pressed 3: details by e-mail.
    Email,
    /// Pressed another key.
    NotInterested,
    /// No key before the time limit (`Timeout`): voicemail or nobody there.
    Absent,
}

impl Choice {
    pub const ALL: [Choice; 5] = [
        Choice::Agent,
        Choice::CallBack,
        Choice::Email,
        Choice::NotInterested,
        Choice::Absent,
    ];

    /// The choice for the flow's stored input: `1`, `2`, `3`, `Timeout` (any case), anything else
    /// is "not interested", as in the sample. Surrounding blanks are ignored.
    pub fn from_input(input: &str) -> Choice {
        let input = input.trim();
        match input {
            "1" => Choice::Agent,
            "2" => Choice::CallBack,
            "3" => Choice::Email,
            _ if input.eq_ignore_ascii_case(TIMEOUT_INPUT) => Choice::Absent,
            _ => Choice::NotInterested,
        }
    }

    /// The result code: 1, 2, 3, 0 or -2.
    pub fn code(self) -> i32 {
        match self {
            Choice::Agent => 1,
            Choice::CallBack => 2,
            Choice::Email => 3,
            Choice::NotInterested => 0,
            Choice::Absent => -2,
        }
    }

    /// Whether the flow hangs up after the message (everything but "talk to an agent").
    pub fn disconnects(self) -> bool {
        self != Choice::Agent
    }

    /// The message's key: `please_hold`, `call_back`, `email`, `not_interested`, `absent`
    /// (letters and `_` only, so it passes Connect's STRING_MAP response validation).
    pub fn message_key(self) -> &'static str {
        match self {
            Choice::Agent => "please_hold",
            Choice::CallBack => "call_back",
            Choice::Email => "email",
            Choice::NotInterested => "not_interested",
            Choice::Absent => "absent",
        }
    }

    pub fn from_message_key(key: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.message_key() == key)
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Choice::Agent => 0,
            Choice::CallBack => 1,
            Choice::Email => 2,
            Choice::NotInterested => 3,
            Choice::Absent => 4,
        }
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_table_with_three_written_as_three() {
        let table = [
            ("1", 1, false),
            ("2", 2, true),
            ("3", 3, true),
            ("9", 0, true),
            ("0", 0, true),
            ("#", 0, true),
            ("", 0, true),
            ("Timeout", -2, true),
            ("timeout", -2, true),
            (" 1 ", 1, false),
        ];
        for (input, code, disconnects) in table {
            let c = Choice::from_input(input);
            assert_eq!(
                (c.code(), c.disconnects()),
                (code, disconnects),
                "{input:?}"
            );
        }
    }

    #[test]
    fn message_keys_round_trip_and_are_string_map_safe() {
        for c in Choice::ALL {
            assert_eq!(Choice::from_message_key(c.message_key()), Some(c));
            assert!(
                c.message_key()
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            );
            assert_eq!(Choice::ALL[c.index()], c);
        }
        assert_eq!(Choice::from_message_key("please-hold"), None);
    }
}
