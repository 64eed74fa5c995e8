//! How a call ended, in the words every crate uses: what the ring ended in, what the customer
//! pressed, the outcome a dialer records, and the result code the customer is left with (the
//! sample's column values: 1, 2, 3, 0, -2, -1, plus `abandoned`). One type each, so that the
//! simulator, the strategies, the IVR and live cannot disagree on what a word means.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which abandon rate is meant: the one regulators count, or the queue's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AbandonDefinition {
    /// Live answers not bridged to an agent within the compliance threshold ÷ live answers
    /// (what the US and UK rules count).
    #[default]
    Regulatory,
    /// Callers who hung up in the queue ÷ callers who entered it.
    Queue,
}

/// How the ring phase of a dial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RingOutcome {
    /// Answered and sent to the IVR: a person, or a machine that detection missed (or no
    /// detection is configured — Connect cannot tell them apart then).
    Answered,
    /// Answered, and answering-machine detection classified it as a machine (a person it
    /// misclassified is here too); the dialer hangs up.
    MachineDetected,
    Busy,
    /// Nobody answered before the ring timeout.
    NoAnswer,
    /// The network failed the call (invalid number, congestion).
    Failed,
}

/// The customer's key press in the IVR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Choice {
    /// 1: talk to an agent now.
    Agent,
    /// 2: call me back another day.
    CallBack,
    /// 3: send me the details by e-mail.
    Email,
    /// Any other key: not interested.
    NotInterested,
    /// No key before the prompt's timeout (voicemail, nobody listening).
    NoInput,
}

/// The value Amazon Connect stores for "no input before the time limit" (`$.StoredCustomerInput`
/// of a GetParticipantInput block with StoreInput, and the sample's Lambda input).
pub const TIMEOUT_INPUT: &str = "Timeout";

impl Choice {
    pub const ALL: [Choice; 5] = [
        Choice::Agent,
        Choice::CallBack,
        Choice::Email,
        Choice::NotInterested,
        Choice::NoInput,
    ];

    /// The choice for the flow's stored input: `1`, `2`, `3`, `Timeout` (any case), anything else
    /// is "not interested", as in the sample. Surrounding blanks are ignored.
    pub fn from_input(input: &str) -> Choice {
        let input = input.trim();
        match input {
            "1" => Choice::Agent,
            "2" => Choice::CallBack,
            "3" => Choice::Email,
            _ if input.eq_ignore_ascii_case(TIMEOUT_INPUT) => Choice::NoInput,
            _ => Choice::NotInterested,
        }
    }

    /// The result code the choice gives (an agent's call that is abandoned ends as
    /// [`Code::Abandoned`] instead).
    pub fn code(self) -> Code {
        match self {
            Choice::Agent => Code::Agent,
            Choice::CallBack => Code::CallBack,
            Choice::Email => Code::Email,
            Choice::NotInterested => Code::NotInterested,
            Choice::NoInput => Code::Absent,
        }
    }

    /// Whether the flow hangs up after the message (everything but "talk to an agent").
    pub fn disconnects(self) -> bool {
        self != Choice::Agent
    }
}

/// A customer's result code (the sample's column values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// 1: talked to an agent.
    Agent,
    /// 2: asked to be called back another day.
    CallBack,
    /// 3: asked for the details by e-mail (the sample wrote 2 here; dialsim writes 3).
    Email,
    /// 0: not interested.
    NotInterested,
    /// -2: answered by a machine, or nobody pressed a key.
    Absent,
    /// -1: never reached the IVR (never dialed, or only busy / no answer / failed / refused).
    NotReached,
    /// Chose to talk to an agent but hung up in the queue before one was free.
    Abandoned,
}

impl Code {
    pub const ALL: [Code; 7] = [
        Code::Agent,
        Code::CallBack,
        Code::Email,
        Code::NotInterested,
        Code::Absent,
        Code::NotReached,
        Code::Abandoned,
    ];

    /// The key used in tables, result files and the contact attribute: "1", "2", "3", "0",
    /// "-2", "-1", "abandoned".
    pub const fn key(self) -> &'static str {
        match self {
            Code::Agent => "1",
            Code::CallBack => "2",
            Code::Email => "3",
            Code::NotInterested => "0",
            Code::Absent => "-2",
            Code::NotReached => "-1",
            Code::Abandoned => "abandoned",
        }
    }

    /// The sample's number for the code (its table's campaign column); `None` for
    /// [`Code::Abandoned`], which the sample had no number for.
    pub fn number(self) -> Option<i32> {
        match self {
            Code::Agent => Some(1),
            Code::CallBack => Some(2),
            Code::Email => Some(3),
            Code::NotInterested => Some(0),
            Code::Absent => Some(-2),
            Code::NotReached => Some(-1),
            Code::Abandoned => None,
        }
    }

    pub fn from_key(key: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.key() == key)
    }

    /// What the code means, for tables.
    pub const fn meaning(self) -> &'static str {
        match self {
            Code::Agent => "talked to an agent",
            Code::CallBack => "asked to be called back",
            Code::Email => "asked for an e-mail",
            Code::NotInterested => "not interested",
            Code::Absent => "machine or no key pressed",
            Code::Abandoned => "hung up waiting for an agent",
            Code::NotReached => "not reached (not dialed yet, or only busy / no answer / failed)",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The outcome of one finished attempt, as a dialer records it (live's store, the flow's result
/// attribute and DescribeContact). A strategy's call record says the same thing as the ring,
/// the choice and whether the caller abandoned: [`Outcome::of_call`] and its inverse
/// [`Outcome::ring`] with [`Outcome::choice`].
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

    /// The outcome of a call whose ring ended in `ring`, whose caller pressed `choice` (if the
    /// IVR was reached) and, having chosen an agent, hung up waiting (`abandoned`).
    pub fn of_call(ring: RingOutcome, choice: Option<Choice>, abandoned: bool) -> Outcome {
        match ring {
            RingOutcome::Busy => Outcome::Busy,
            RingOutcome::NoAnswer => Outcome::NoAnswer,
            RingOutcome::Failed => Outcome::Failed,
            RingOutcome::MachineDetected => Outcome::Machine,
            RingOutcome::Answered => match choice {
                Some(Choice::Agent) if abandoned => Outcome::Abandoned,
                Some(Choice::Agent) => Outcome::Agent,
                Some(Choice::CallBack) => Outcome::CallBack,
                Some(Choice::Email) => Outcome::Email,
                Some(Choice::NotInterested) => Outcome::NotInterested,
                Some(Choice::NoInput) | None => Outcome::NoInput,
            },
        }
    }

    /// How the ring ended: the inverse of [`Outcome::of_call`] with [`Outcome::choice`].
    pub fn ring(self) -> RingOutcome {
        match self {
            Outcome::Busy => RingOutcome::Busy,
            Outcome::NoAnswer => RingOutcome::NoAnswer,
            Outcome::Failed => RingOutcome::Failed,
            Outcome::Machine => RingOutcome::MachineDetected,
            _ => RingOutcome::Answered,
        }
    }

    /// What the caller pressed, if the IVR was reached.
    pub fn choice(self) -> Option<Choice> {
        match self {
            Outcome::Agent | Outcome::Abandoned => Some(Choice::Agent),
            Outcome::CallBack => Some(Choice::CallBack),
            Outcome::Email => Some(Choice::Email),
            Outcome::NotInterested => Some(Choice::NotInterested),
            Outcome::NoInput => Some(Choice::NoInput),
            Outcome::Machine | Outcome::NoAnswer | Outcome::Busy | Outcome::Failed => None,
        }
    }

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

    /// The customer's result code after this outcome.
    pub fn code(self) -> Code {
        match self {
            Outcome::Abandoned => Code::Abandoned,
            Outcome::Machine => Code::Absent,
            Outcome::NoAnswer | Outcome::Busy | Outcome::Failed => Code::NotReached,
            answered => answered.choice().expect("answered in the IVR").code(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_name(o.name()), Some(o));
        }
        assert_eq!(Outcome::from_name("ringing"), None);
        for c in Code::ALL {
            assert_eq!(Code::from_key(c.key()), Some(c));
            assert_eq!(Code::ALL[c.index()], c);
            if let Some(n) = c.number() {
                assert_eq!(n.to_string(), c.key());
            }
        }
    }

    /// A dialer's record of a call and the outcome stored for it are one another's inverse.
    #[test]
    fn outcome_and_call_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(
                Outcome::of_call(o.ring(), o.choice(), o == Outcome::Abandoned),
                o
            );
        }
        let rings = [
            RingOutcome::Answered,
            RingOutcome::MachineDetected,
            RingOutcome::Busy,
            RingOutcome::NoAnswer,
            RingOutcome::Failed,
        ];
        for ring in rings {
            for choice in Choice::ALL.map(Some).into_iter().chain([None]) {
                for abandoned in [false, true] {
                    let o = Outcome::of_call(ring, choice, abandoned);
                    assert_eq!(o.ring(), ring);
                    if ring == RingOutcome::Answered {
                        assert_eq!(o.choice(), Some(choice.unwrap_or(Choice::NoInput)));
                    }
                }
            }
        }
    }

    #[test]
    fn the_samples_key_table_with_three_written_as_three() {
        let table = [
            ("1", Code::Agent, false),
            ("2", Code::CallBack, true),
            ("3", Code::Email, true),
            ("9", Code::NotInterested, true),
            ("0", Code::NotInterested, true),
            ("#", Code::NotInterested, true),
            ("", Code::NotInterested, true),
            ("Timeout", Code::Absent, true),
            ("timeout", Code::Absent, true),
            (" 1 ", Code::Agent, false),
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
    fn denominators() {
        assert!(Outcome::Abandoned.queued() && Outcome::Abandoned.live_answer());
        assert!(!Outcome::NoInput.live_answer() && Outcome::NoInput.reached());
        assert!(!Outcome::Busy.reached());
        assert_eq!(Outcome::Machine.code(), Code::Absent);
        assert_eq!(Outcome::Abandoned.code(), Code::Abandoned);
    }
}
