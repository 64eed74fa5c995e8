//! How a dial ended ([`Outcome`], the rules' crate's word for it) and the result codes live
//! shows, with the two states a customer can have before any call: on the do-not-call list, or
//! an invalid line.

pub use rules::Outcome;
use rules::words::Code;

/// The customer result codes in the order tables show them, with what each means.
pub const CODES: [(&str, &str); 9] = [
    (Code::Agent.key(), Code::Agent.meaning()),
    (Code::CallBack.key(), Code::CallBack.meaning()),
    (Code::Email.key(), Code::Email.meaning()),
    (Code::NotInterested.key(), Code::NotInterested.meaning()),
    (Code::Absent.key(), Code::Absent.meaning()),
    (Code::Abandoned.key(), Code::Abandoned.meaning()),
    (Code::NotReached.key(), Code::NotReached.meaning()),
    ("dnc", "on the do-not-call list, never dialed"),
    ("invalid", "invalid line in the contact list, never dialed"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_leaves_a_code_the_tables_show() {
        for o in Outcome::ALL {
            assert!(CODES.iter().any(|(c, _)| *c == o.code().key()), "{o}");
        }
    }
}
