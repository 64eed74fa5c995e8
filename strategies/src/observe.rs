//! What a pacer is allowed to know: the numbers Amazon Connect's APIs (and the dialer's own
//! bookkeeping) would show an operator. Never the scenario's true probabilities or durations.

use crate::time::Millis;

/// Agent counts as `GetCurrentMetricData` reports them for the campaign's queue.
///
/// `available` follows Connect's definition: agents in the Available status with no contact.
/// An agent stays available while the dialer's calls ring and run the IVR.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgentCounts {
    /// AGENTS_STAFFED: logged in (available, on contact or in after-call work).
    pub staffed: u32,
    /// AGENTS_AVAILABLE: free to take a call now.
    pub available: u32,
    /// AGENTS_ON_CONTACT: talking to a customer.
    pub on_contact: u32,
    /// AGENTS_AFTER_CONTACT_WORK: wrapping up the previous call.
    pub after_contact_work: u32,
}

/// The dialer's own calls that have not finished, by stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InFlight {
    /// Placed and ringing (or being classified by answering-machine detection).
    pub dialing: u32,
    /// Answered and in the IVR prompt.
    pub in_ivr: u32,
    /// Chose to talk to an agent and waiting in the queue (CONTACTS_IN_QUEUE).
    pub queued: u32,
    /// Talking to an agent.
    pub with_agent: u32,
}

impl InFlight {
    /// Calls that may still need an agent: ringing, in the IVR or queued.
    pub fn before_agent(&self) -> u32 {
        self.dialing + self.in_ivr + self.queued
    }
}

/// What a logged-in agent is doing, as GetCurrentUserData reports it: the state of the agent's
/// contact (none: available).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    Available,
    /// Talking to a customer (the contact's state CONNECTED).
    OnContact,
    /// Wrapping up a contact that ended (the contact's state ENDED, in after-contact work).
    AfterContactWork,
}

/// One agent in GetCurrentUserData's answer: what the agent is doing and since when (the
/// contact's StateStartTimestamp; the agent's status start when available).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentStatus {
    pub activity: Activity,
    /// Time since the campaign started at which `activity` began.
    pub since: Millis,
}

/// One look at the campaign, taken when the pacer is asked to decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observation<'a> {
    /// Time since the campaign started.
    pub now: Millis,
    /// Agent counts as last reported by the metrics API.
    pub agents: AgentCounts,
    /// How old `agents` is (the metrics poll lag): the counts describe `now - agents_age`.
    pub agents_age: Millis,
    /// The dialer's own calls in flight.
    pub in_flight: InFlight,
    /// OLDEST_CONTACT_AGE: how long the longest-waiting queued caller has waited.
    pub oldest_in_queue: Millis,
    /// Customers that may be dialed right now (due, inside their calling window, not in a call).
    pub callable_now: u64,
    /// Customers that have not reached a final result yet (callable now, later, or in a call).
    pub remaining: u64,
    /// Each logged-in agent's activity and its start, as of `now - agents_age` like `agents`
    /// (GetCurrentUserData). Empty when the dialer does not read them.
    pub agent_states: &'a [AgentStatus],
}
