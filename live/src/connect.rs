//! The Amazon Connect operations a dialer needs, through aws-sdk-connect, with every failure
//! sorted into what the dialer must do about it: the [`Switchboard`] of a real campaign. The
//! dialing loop keeps under Connect's request quotas itself ([`crate::dialer`]).
//!
//! The SDK's own retries are turned off: a retried StartOutboundVoiceContact carries the same
//! ClientToken and so cannot place a second call, but it would hide throttling from the pacer and
//! make the dial rate unpredictable. The dialing loop retries instead, with the attempt's stored
//! token.

use crate::config::Campaign;
use crate::contact::ContactView;
use crate::dialer::ports::{AgentSeen, AgentStates, StartRequest, Switchboard};
pub use crate::dialer::ports::{ApiError, QueueMetrics};
use crate::time::UnixMillis;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_connect::Client;
use aws_sdk_connect::error::DisplayErrorContext;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_connect::primitives::DateTime;
use aws_sdk_connect::types::{
    Channel, ContactState, CurrentMetric, CurrentMetricName, Filters, Unit, UserData,
    UserDataFilters,
};
use std::collections::HashMap;
use std::time::Duration;
use strategies::Activity;

const THROTTLING: [&str; 5] = [
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "RequestLimitExceeded",
    "SlowDown",
];
const FATAL: [&str; 8] = [
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "MissingAuthenticationTokenException",
    "IncompleteSignature",
    "InvalidActiveRegionException",
];

/// Sorts an error code from Connect. `not_found_is_fatal`: ResourceNotFoundException means a
/// wrong instance, flow or queue id (for StartOutboundVoiceContact and the metrics), not a
/// missing contact.
pub fn sort_code(
    code: &str,
    message: &str,
    status: Option<u16>,
    not_found_is_fatal: bool,
) -> ApiError {
    let owned = || (code.to_string(), message.to_string());
    if THROTTLING.contains(&code) {
        ApiError::Throttled { code: code.into() }
    } else if code == "LimitExceededException" {
        ApiError::ConcurrencyLimit { code: code.into() }
    } else if FATAL.contains(&code) || (not_found_is_fatal && code == "ResourceNotFoundException") {
        let (code, message) = owned();
        ApiError::Fatal { code, message }
    } else if code.is_empty()
        || status.is_some_and(|s| s >= 500)
        || code == "InternalServiceException"
    {
        ApiError::Ambiguous {
            detail: format!(
                "{} {}",
                status.map_or("no status".to_string(), |s| format!("HTTP {s}")),
                if code.is_empty() { message } else { code }
            ),
        }
    } else {
        let (code, message) = owned();
        ApiError::Refused { code, message }
    }
}

fn sort<E: ProvideErrorMetadata + std::error::Error + 'static>(
    e: SdkError<E>,
    not_found_is_fatal: bool,
) -> ApiError {
    match &e {
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = e.code().unwrap_or("").to_string();
            let message = e.message().unwrap_or("").to_string();
            sort_code(&code, &message, Some(status), not_found_is_fatal)
        }
        SdkError::ConstructionFailure(_) => ApiError::Fatal {
            code: "RequestNotBuilt".into(),
            message: format!("{}", DisplayErrorContext(&e)),
        },
        _ => {
            let detail = format!("{}", DisplayErrorContext(&e));
            if detail.contains("credentials") || detail.contains("identity") {
                ApiError::Fatal {
                    code: "NoCredentials".into(),
                    message: format!(
                        "{detail}: give credentials through the AWS provider chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO or an instance role)"
                    ),
                }
            } else {
                ApiError::Unreachable { detail }
            }
        }
    }
}

fn to_unix(t: Option<&DateTime>) -> Option<UnixMillis> {
    let t = t?;
    Some(UnixMillis((t.as_secs_f64() * 1_000.0).round() as i64))
}

/// One agent of GetCurrentUserData's answer; `None` without the times it needs.
fn agent_seen(u: &UserData) -> Option<AgentSeen> {
    let contact = u
        .contacts()
        .iter()
        .find(|c| c.channel().is_none_or(|ch| *ch == Channel::Voice));
    match contact.and_then(|c| c.agent_contact_state().map(|s| (c, s))) {
        Some((c, ContactState::Connected | ContactState::ConnectedOnhold)) => Some(AgentSeen {
            activity: Activity::OnContact,
            since: to_unix(
                c.connected_to_agent_timestamp()
                    .or(c.state_start_timestamp()),
            )?,
        }),
        Some((c, ContactState::Ended)) => Some(AgentSeen {
            activity: Activity::AfterContactWork,
            since: to_unix(c.state_start_timestamp())?,
        }),
        _ => Some(AgentSeen {
            activity: Activity::Available,
            since: to_unix(u.status().and_then(|s| s.status_start_timestamp()))?,
        }),
    }
}

/// Amazon Connect through the SDK, for one campaign's instance, flow and queue.
pub struct Connect {
    client: Client,
    instance_id: String,
    contact_flow_id: String,
    queue_id: String,
    source_phone: String,
    ring_timeout_s: i32,
    events: Option<crate::event_queue::EventQueue>,
}

impl Connect {
    /// Builds the client from the campaign: its Region and endpoint, credentials from the AWS
    /// provider chain.
    pub async fn new(campaign: &Campaign) -> Connect {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(campaign.region.get().clone()));
        if let Some(url) = &campaign.endpoint_url {
            loader = loader.endpoint_url(url.get().clone());
        }
        let sdk = loader.load().await;
        let config = aws_sdk_connect::config::Builder::from(&sdk)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(15))
                    .build(),
            )
            .build();
        Connect {
            client: Client::from_conf(config),
            instance_id: campaign.instance_id.get().clone(),
            contact_flow_id: campaign.contact_flow_id.get().clone(),
            queue_id: campaign.queue_id.get().clone(),
            source_phone: campaign.source_phone_number.get().clone(),
            ring_timeout_s: *campaign.compliance.ring_timeout_s.get() as i32,
            events: match &campaign.contact_events {
                Some(e) => Some(
                    crate::event_queue::EventQueue::start(
                        e.sqs_queue_url.get(),
                        campaign.region.get(),
                    )
                    .await,
                ),
                None => None,
            },
        }
    }

    pub async fn start(
        &self,
        phone: &str,
        token: &str,
        attributes: HashMap<String, String>,
    ) -> Result<String, ApiError> {
        let out = self
            .client
            .start_outbound_voice_contact()
            .instance_id(&self.instance_id)
            .contact_flow_id(&self.contact_flow_id)
            .queue_id(&self.queue_id)
            .source_phone_number(&self.source_phone)
            .destination_phone_number(phone)
            .client_token(token)
            .ring_timeout_in_seconds(self.ring_timeout_s)
            .set_attributes(Some(attributes))
            .send()
            .await
            .map_err(|e| sort(e, true))?;
        out.contact_id()
            .map(str::to_string)
            .ok_or_else(|| ApiError::Ambiguous {
                detail: "StartOutboundVoiceContact answered without a ContactId".into(),
            })
    }

    /// GetCurrentMetricData for the campaign's queue, voice channel, ungrouped. Metrics Connect
    /// leaves out (an empty result) are zero.
    pub async fn metrics(&self) -> Result<QueueMetrics, ApiError> {
        let names = [
            (CurrentMetricName::AgentsStaffed, Unit::Count),
            (CurrentMetricName::AgentsAvailable, Unit::Count),
            (CurrentMetricName::AgentsOnContact, Unit::Count),
            (CurrentMetricName::AgentsAfterContactWork, Unit::Count),
            (CurrentMetricName::ContactsInQueue, Unit::Count),
            (CurrentMetricName::OldestContactAge, Unit::Seconds),
        ];
        let mut request = self
            .client
            .get_current_metric_data()
            .instance_id(&self.instance_id)
            .filters(
                Filters::builder()
                    .queues(&self.queue_id)
                    .channels(Channel::Voice)
                    .build(),
            );
        for (name, unit) in names {
            request =
                request.current_metrics(CurrentMetric::builder().name(name).unit(unit).build());
        }
        let out = request.send().await.map_err(|e| sort(e, true))?;
        let mut m = QueueMetrics {
            snapshot_at: to_unix(out.data_snapshot_time()),
            ..QueueMetrics::default()
        };
        for result in out.metric_results() {
            for data in result.collections() {
                let Some(name) = data.metric().and_then(|m| m.name()) else {
                    continue;
                };
                let v = data.value().unwrap_or(0.0).max(0.0);
                let count = v.round() as u32;
                match name {
                    CurrentMetricName::AgentsStaffed => m.agents.staffed = count,
                    CurrentMetricName::AgentsAvailable => m.agents.available = count,
                    CurrentMetricName::AgentsOnContact => m.agents.on_contact = count,
                    CurrentMetricName::AgentsAfterContactWork => {
                        m.agents.after_contact_work = count
                    }
                    CurrentMetricName::ContactsInQueue => m.in_queue = count,
                    CurrentMetricName::OldestContactAge => m.oldest_in_queue_ms = v.round() as u64,
                    _ => {}
                }
            }
        }
        Ok(m)
    }

    /// GetCurrentUserData for the campaign's queue, every page (100 agents each): each agent's
    /// activity from the state of its voice contact — CONNECTED talking, ENDED in after-contact
    /// work, none available — and when that state began.
    pub async fn agent_states(&self) -> Result<AgentStates, ApiError> {
        let mut states = AgentStates::default();
        let mut next: Option<String> = None;
        loop {
            let out = self
                .client
                .get_current_user_data()
                .instance_id(&self.instance_id)
                .filters(UserDataFilters::builder().queues(&self.queue_id).build())
                .max_results(100)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| sort(e, true))?;
            states
                .agents
                .extend(out.user_data_list().iter().filter_map(agent_seen));
            match out.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => return Ok(states),
            }
        }
    }

    /// DescribeContact.
    pub async fn describe(&self, contact_id: &str) -> Result<ContactView, ApiError> {
        let out = self
            .client
            .describe_contact()
            .instance_id(&self.instance_id)
            .contact_id(contact_id)
            .send()
            .await
            .map_err(|e| sort(e, false))?;
        let Some(c) = out.contact() else {
            return Err(ApiError::Ambiguous {
                detail: "DescribeContact answered without a Contact".into(),
            });
        };
        Ok(ContactView {
            initiated_at: to_unix(c.initiation_timestamp()),
            connected_to_system_at: to_unix(c.connected_to_system_timestamp()),
            enqueued_at: to_unix(c.queue_info().and_then(|q| q.enqueue_timestamp())),
            agent_connected_at: to_unix(
                c.agent_info()
                    .and_then(|a| a.connected_to_agent_timestamp()),
            ),
            disconnected_at: to_unix(c.disconnect_timestamp()),
            last_update_at: to_unix(c.last_update_timestamp()),
            disconnect_reason: c.disconnect_reason().map(str::to_string),
            machine_detection: c
                .answering_machine_detection_status()
                .map(|s| s.as_str().to_string()),
            attributes: c.attributes().cloned().unwrap_or_default(),
        })
    }

    /// GetContactAttributes (the attributes the contact flow set).
    pub async fn attributes(&self, contact_id: &str) -> Result<HashMap<String, String>, ApiError> {
        let out = self
            .client
            .get_contact_attributes()
            .instance_id(&self.instance_id)
            .initial_contact_id(contact_id)
            .send()
            .await
            .map_err(|e| sort(e, false))?;
        Ok(out.attributes().cloned().unwrap_or_default())
    }
}

impl Switchboard for Connect {
    async fn start(&mut self, request: &StartRequest) -> Result<String, ApiError> {
        Connect::start(
            self,
            &request.phone,
            &request.token,
            request.attributes.clone(),
        )
        .await
    }

    async fn metrics(&mut self) -> Result<QueueMetrics, ApiError> {
        Connect::metrics(self).await
    }

    async fn agent_states(&mut self) -> Result<AgentStates, ApiError> {
        Connect::agent_states(self).await
    }

    async fn describe(&mut self, contact_id: &str) -> Result<ContactView, ApiError> {
        Connect::describe(self, contact_id).await
    }

    async fn attributes(&mut self, contact_id: &str) -> Result<HashMap<String, String>, ApiError> {
        Connect::attributes(self, contact_id).await
    }

    fn has_events(&self) -> bool {
        self.events.is_some()
    }

    async fn events(&mut self) -> Result<Vec<crate::events::ContactEvent>, ApiError> {
        match &mut self.events {
            Some(q) => q.take(),
            None => Ok(Vec::new()),
        }
    }

    async fn acknowledge(&mut self) {
        if let Some(q) = &mut self.events {
            q.acknowledge().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_into_actions() {
        let s = |c: &str, st| sort_code(c, "m", Some(st), true);
        assert!(matches!(
            s("ThrottlingException", 429),
            ApiError::Throttled { .. }
        ));
        assert!(matches!(
            s("TooManyRequestsException", 429),
            ApiError::Throttled { .. }
        ));
        assert!(matches!(
            s("LimitExceededException", 429),
            ApiError::ConcurrencyLimit { .. }
        ));
        assert!(matches!(
            s("InternalServiceException", 500),
            ApiError::Ambiguous { .. }
        ));
        assert!(matches!(s("", 503), ApiError::Ambiguous { .. }));
        assert!(matches!(
            s("AccessDeniedException", 403),
            ApiError::Fatal { .. }
        ));
        assert!(matches!(
            s("ResourceNotFoundException", 404),
            ApiError::Fatal { .. }
        ));
        assert!(matches!(
            sort_code("ResourceNotFoundException", "m", Some(404), false),
            ApiError::Refused { .. }
        ));
        assert!(matches!(
            s("DestinationNotAllowedException", 403),
            ApiError::Refused { .. }
        ));
    }
}
