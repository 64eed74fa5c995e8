//! Which records are the campaign's: the contacts a calibration is fitted to.
//!
//! A center's export holds every contact: inbound calls, chats, other campaigns. The campaign's
//! are told apart by what the user knows of it: how its calls were started, when, through which
//! queue, and an attribute its flow or dialer sets. An unanswered call never reaches a queue, so
//! a queue filter keeps the contacts that were never queued: tell campaigns apart by an attribute
//! when several dial at once.

use crate::records::{ContactRecord, Millis};

/// The campaign's contacts.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// `Channel` values kept (`VOICE`).
    pub channels: Vec<String>,
    /// `InitiationMethod` values kept: `API` (StartOutboundVoiceContact, the sample's and
    /// dialsim live's dialer), `OUTBOUND` (an agent dialing), `CAMPAIGN` (Connect's outbound
    /// campaigns).
    pub initiation_methods: Vec<String>,
    /// Queue names or ARNs; empty: any. A contact that was never queued is kept.
    pub queues: Vec<String>,
    /// Launched at or after (UTC).
    pub from: Option<Millis>,
    /// Launched before (UTC).
    pub to: Option<Millis>,
    /// An attribute and the value it must have.
    pub attribute: Option<(String, String)>,
}

impl Default for Selection {
    fn default() -> Selection {
        Selection {
            channels: vec!["VOICE".into()],
            initiation_methods: vec!["API".into(), "OUTBOUND".into(), "CAMPAIGN".into()],
            queues: Vec::new(),
            from: None,
            to: None,
            attribute: None,
        }
    }
}

/// Why a record is not the campaign's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Left {
    Channel,
    InitiationMethod,
    Queue,
    Time,
    Attribute,
}

impl Left {
    pub fn describe(self) -> &'static str {
        match self {
            Left::Channel => "another channel",
            Left::InitiationMethod => "another initiation method",
            Left::Queue => "another queue",
            Left::Time => "outside the time range",
            Left::Attribute => "without the attribute's value",
        }
    }
}

impl Selection {
    /// `None` when `r` is the campaign's; otherwise why not.
    pub fn leaves_out(&self, r: &ContactRecord) -> Option<Left> {
        let listed = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l == v))
        };
        if !listed(&self.channels, r.channel.as_deref()) {
            return Some(Left::Channel);
        }
        if !listed(&self.initiation_methods, r.initiation_method.as_deref()) {
            return Some(Left::InitiationMethod);
        }
        if let (false, Some(q)) = (self.queues.is_empty(), &r.queue) {
            let named = |v: &Option<contact_records::read::Text>| {
                v.as_deref()
                    .is_some_and(|v| self.queues.iter().any(|l| l == v))
            };
            if !named(&q.name) && !named(&q.arn) {
                return Some(Left::Queue);
            }
        }
        if self.from.is_some_and(|f| r.initiated < f) || self.to.is_some_and(|t| r.initiated >= t) {
            return Some(Left::Time);
        }
        if let Some((name, value)) = &self.attribute
            && r.attribute(name) != Some(value.as_str())
        {
            return Some(Left::Attribute);
        }
        None
    }
}
