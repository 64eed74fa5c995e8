//! Gates as a scenario declares them: promises about its results, which `dialsim check` judges
//! in CI. Only the syntax lives here, with the scenario it belongs to; judging a gate needs the
//! statistics of many replications and belongs to the experiments above the engine.

use rules::words::AbandonDefinition;
use serde::{Deserialize, Serialize};
use strategies::param::{Positive, Probability, Share};

/// Over which span the rate is measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Window {
    /// The whole campaign.
    #[default]
    Campaign,
    /// The worst 24 hours (the UK rule).
    Worst24h,
    /// The worst 30 days (the US rule).
    Worst30d,
    /// `Days(risk: 0.05)`: each replication is a day, judged on its own, as a regulator judges
    /// days: the gate passes when the upper end of the 95% interval of the share of days over
    /// `max` is below `risk`.
    Days { risk: Share },
}

impl Window {
    /// As written, for messages: `Worst24h`, `Days(risk 0.05)`.
    pub fn describe(&self) -> String {
        match self {
            Window::Campaign => "Campaign".into(),
            Window::Worst24h => "Worst24h".into(),
            Window::Worst30d => "Worst30d".into(),
            Window::Days { risk } => format!("Days(risk {risk})"),
        }
    }
}

/// A compliance counter that must stay at zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Counter {
    /// Calls outside the customer's local calling window.
    CallsOutsideWindow,
    /// Unanswered calls given up after ringing less than 15 s.
    ShortRings,
    /// Calls within 72 h of an abandoned call to the same customer.
    RedialsAfterAbandon,
    /// Calls to customers on the do-not-call list.
    CallsToDoNotCall,
}

/// One promise, in a scenario's `gates: [...]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Gate {
    /// `AbandonRate(max: 0.03, definition: Regulatory, window: Campaign)`.
    AbandonRate {
        max: Share,
        #[serde(default)]
        definition: AbandonDefinition,
        #[serde(default)]
        window: Window,
    },
    /// `Occupancy(min: 0.6)`: agents busy at least this share of their logged-in time.
    Occupancy { min: Probability },
    /// `WaitP90(max_s: 10.0)`: 90% of connected callers wait at most this long.
    WaitP90 { max_s: Positive },
    /// `ListExhausted(within_h: 8.0)`: every replication finishes the list within this time.
    ListExhausted { within_h: Positive },
    /// `Zero(counter: ShortRings)`: a compliance counter that must be zero in every replication.
    Zero { counter: Counter },
}

impl Gate {
    /// The gate as written, for messages: `AbandonRate(max 0.03, Regulatory, Worst24h)`.
    pub fn describe(&self) -> String {
        match self {
            Gate::AbandonRate {
                max,
                definition,
                window,
            } => format!(
                "AbandonRate(max {max}, {definition:?}, {})",
                window.describe()
            ),
            Gate::Occupancy { min } => format!("Occupancy(min {})", min.get()),
            Gate::WaitP90 { max_s } => format!("WaitP90(max {max_s} s)"),
            Gate::ListExhausted { within_h } => format!("ListExhausted(within {within_h} h)"),
            Gate::Zero { counter } => format!("Zero({counter:?})"),
        }
    }
}
