//! How a dial ended, and the result code it gives the customer (the sample's codes: 1, 2, 3, 0,
//! -2, -1, plus `abandoned`; see sim's `Code`).

use std::fmt;

/// The outcome of one finished attempt, as the flow's result attribute and DescribeContact tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Pressed 1 and talked to an agent.
    Agent,
    /// Pressed 2: call back another day.
    CallBack,
    /// Pressed 3: details by e-mail.
    Email,
    /// Pressed another key: not interested.
    NotInterested,
    /// Reached the IVR, but nobody pressed a key before its timeout.
    NoInput,
    /// Answering-machine detection hung up on a machine.
    Machine,
    /// Pressed 1, then hung up in the queue before an agent took the call.
    Abandoned,
    /// Nobody answered before the ring timeout.
    NoAnswer,
    Busy,
    /// The network failed the call (invalid number, congestion).
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 10] = [
        Outcome::Agent,
        Outcome::CallBack,
        Outcome::Email,
        Outcome::NotInterested,
        Outcome::NoInput,
        Outcome::Machine,
        Outcome::Abandoned,
        Outcome::NoAnswer,
        Outcome::Busy,
        Outcome::Failed,
    ];

    /// The name stored and exported: `agent`, `call_back`, `no_answer`, …
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Agent => "agent",
            Outcome::CallBack => "call_back",
            Outcome::Email => "email",
            Outcome::NotInterested => "not_interested",
            Outcome::NoInput => "no_input",
            Outcome::Machine => "machine",
            Outcome::Abandoned => "abandoned",
            Outcome::NoAnswer => "no_answer",
            Outcome::Busy => "busy",
            Outcome::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The customer's result code after this outcome: "1", "2", "3", "0", "-2", "abandoned", "-1".
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Agent => "1",
            Outcome::CallBack => "2",
            Outcome::Email => "3",
            Outcome::NotInterested => "0",
            Outcome::NoInput | Outcome::Machine => "-2",
            Outcome::Abandoned => "abandoned",
            Outcome::NoAnswer | Outcome::Busy | Outcome::Failed => "-1",
        }
    }

    /// Someone or something answered (the customer's code is no longer -1).
    pub fn reached(self) -> bool {
        !matches!(self, Outcome::NoAnswer | Outcome::Busy | Outcome::Failed)
    }

    /// A live person answered: pressed a key in the IVR (or chose an agent and gave up waiting).
    /// The denominator of the regulatory abandon rate.
    pub fn live_answer(self) -> bool {
        matches!(
            self,
            Outcome::Agent
                | Outcome::CallBack
                | Outcome::Email
                | Outcome::NotInterested
                | Outcome::Abandoned
        )
    }

    /// The caller chose to talk to an agent (entered the queue): the denominator of the queue
    /// abandon rate.
    pub fn queued(self) -> bool {
        matches!(self, Outcome::Agent | Outcome::Abandoned)
    }

    /// The customer's campaign is over after this outcome: never called again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Outcome::Agent | Outcome::Email | Outcome::NotInterested
        )
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The customer result codes in the order tables show them, with what each means.
pub const CODES: [(&str, &str); 9] = [
    ("1", "talked to an agent"),
    ("2", "asked to be called back"),
    ("3", "asked for an e-mail"),
    ("0", "not interested"),
    ("-2", "machine or no key pressed"),
    ("abandoned", "hung up waiting for an agent"),
    (
        "-1",
        "not reached (not dialed yet, or only busy / no answer / failed)",
    ),
    ("dnc", "on the do-not-call list, never dialed"),
    ("invalid", "invalid line in the contact list, never dialed"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_name(o.name()), Some(o));
        }
        assert_eq!(Outcome::from_name("ringing"), None);
    }

    #[test]
    fn denominators() {
        assert!(Outcome::Abandoned.queued() && Outcome::Abandoned.live_answer());
        assert!(!Outcome::NoInput.live_answer() && Outcome::NoInput.reached());
        assert!(!Outcome::Busy.reached());
        assert!(CODES.iter().any(|(c, _)| *c == Outcome::Machine.code()));
    }
}
