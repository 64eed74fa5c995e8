//! The stand-in's core as `live`'s switchboard in the same process: `live`'s dialing loop
//! ([`live::dialer`]) runs against a simulated instance on a clock it shares, typically a
//! [`live::dialer::VirtualClock`], so an eight-hour campaign takes seconds and every decision
//! the loop makes is the one it would make against Connect. No HTTP, no faults: those are the
//! HTTP layer's ([`crate::http`]).
//!
//! The instance's simulated time zero is its [`Options::epoch`](crate::Options::epoch) on the
//! loop's clock.

use crate::ContactEventType;
use crate::instance::{ConnectError, Instance, OutboundRequest, Stages};
use live::UnixMillis;
use live::connect::{ApiError, QueueMetrics, sort_code};
use live::contact::ContactView;
use live::dialer::ports::{AgentSeen, AgentStates};
use live::dialer::{Clock, StartRequest, Switchboard};
use live::events::{ContactEvent, EventKind};
use sim::Millis;
use std::collections::HashMap;
use strategies::AgentCounts;

/// An [`Instance`] answering `live`'s loop on clock `C`.
pub struct InProcess<C> {
    instance: Instance,
    clock: C,
    /// Contact events handed over so far.
    seen: usize,
}

fn api_error(e: ConnectError, not_found_is_fatal: bool) -> ApiError {
    sort_code(
        e.kind.name(),
        &e.message,
        Some(e.status()),
        not_found_is_fatal,
    )
}

/// What the instance says of a contact (DescribeContact or a contact event), on the loop's
/// clock (`epoch` is the instance's simulated time zero).
fn view(epoch: UnixMillis, said: &Stages) -> ContactView {
    let wall = |t: Millis| epoch.plus_ms(t.0 as i64);
    ContactView {
        initiated_at: Some(wall(said.initiated_at)),
        connected_to_system_at: said.connected_to_system_at.map(wall),
        enqueued_at: said.queue.as_ref().map(|q| wall(q.enqueued_at)),
        agent_connected_at: said.agent.map(|a| wall(a.connected_at)),
        disconnected_at: said.disconnected_at.map(wall),
        disconnect_reason: said.disconnect_reason.map(|r| r.as_str().to_string()),
        machine_detection: said.machine_detection.map(str::to_string),
        ..ContactView::default()
    }
}

impl<C: Clock> InProcess<C> {
    pub fn new(instance: Instance, clock: C) -> InProcess<C> {
        InProcess {
            instance,
            clock,
            seen: 0,
        }
    }

    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    pub fn instance_mut(&mut self) -> &mut Instance {
        &mut self.instance
    }

    /// The loop's time now, as the instance's simulated time.
    fn sim_now(&self) -> Millis {
        let epoch = self.instance.options().epoch;
        Millis((self.clock.now().0 - epoch.0).max(0) as u64)
    }

    fn wall(&self, t: Millis) -> UnixMillis {
        self.instance.wall(t)
    }
}

impl<C: Clock> Switchboard for InProcess<C> {
    async fn start(&mut self, request: &StartRequest) -> Result<String, ApiError> {
        let now = self.sim_now();
        let mut outbound = OutboundRequest::new(self.instance.ids(), &request.phone);
        outbound.client_token = Some(request.token.clone());
        outbound.attributes = request
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.instance
            .start_outbound_voice_contact(now, &outbound)
            .map(|s| s.contact_id)
            .map_err(|e| api_error(e, true))
    }

    async fn metrics(&mut self) -> Result<QueueMetrics, ApiError> {
        let now = self.sim_now();
        let instance = self.instance.ids().instance_id.clone();
        let m = self
            .instance
            .current_metrics(now, &instance)
            .map_err(|e| api_error(e, true))?;
        Ok(QueueMetrics {
            agents: AgentCounts {
                staffed: m.agents_staffed,
                available: m.agents_available,
                on_contact: m.agents_on_contact,
                after_contact_work: m.agents_after_contact_work,
            },
            in_queue: m.contacts_in_queue,
            oldest_in_queue_ms: m.oldest_contact_age.0,
            snapshot_at: Some(self.wall(m.snapshot_at)),
        })
    }

    async fn agent_states(&mut self) -> Result<AgentStates, ApiError> {
        let now = self.sim_now();
        let instance = self.instance.ids().instance_id.clone();
        let mut states = AgentStates::default();
        let mut from = Some(0);
        while let Some(start) = from {
            let page = self
                .instance
                .current_user_data(now, &instance, start, 100)
                .map_err(|e| api_error(e, true))?;
            states
                .agents
                .extend(page.agents.iter().map(|&(_, a)| AgentSeen {
                    activity: a.activity,
                    since: self.wall(a.since),
                }));
            from = page.next;
        }
        Ok(states)
    }

    async fn describe(&mut self, contact_id: &str) -> Result<ContactView, ApiError> {
        let now = self.sim_now();
        let instance = self.instance.ids().instance_id.clone();
        let d = self
            .instance
            .describe_contact(now, &instance, contact_id)
            .map_err(|e| api_error(e, false))?;
        let epoch = self.instance.options().epoch;
        Ok(ContactView {
            last_update_at: Some(self.wall(d.last_update_at)),
            attributes: d.attributes.into_iter().collect(),
            ..view(epoch, &d.stages)
        })
    }

    async fn attributes(&mut self, contact_id: &str) -> Result<HashMap<String, String>, ApiError> {
        let now = self.sim_now();
        let instance = self.instance.ids().instance_id.clone();
        self.instance
            .contact_attributes(now, &instance, contact_id)
            .map(|a| a.into_iter().collect())
            .map_err(|e| api_error(e, false))
    }

    fn has_events(&self) -> bool {
        true
    }

    async fn events(&mut self) -> Result<Vec<ContactEvent>, ApiError> {
        let now = self.sim_now();
        let epoch = self.instance.options().epoch;
        let all = self.instance.events(now);
        let out = all[self.seen.min(all.len())..]
            .iter()
            .map(|e| ContactEvent {
                contact_id: e.contact_id.clone(),
                kind: Some(match e.kind {
                    ContactEventType::Initiated => EventKind::Initiated,
                    ContactEventType::ConnectedToSystem => EventKind::ConnectedToSystem,
                    ContactEventType::Queued => EventKind::Queued,
                    ContactEventType::ConnectedToAgent => EventKind::ConnectedToAgent,
                    ContactEventType::Disconnected => EventKind::Disconnected,
                }),
                at: Some(epoch.plus_ms(e.at.0 as i64)),
                seen: view(epoch, &e.stages),
            })
            .collect::<Vec<_>>();
        self.seen = all.len();
        Ok(out)
    }
}
