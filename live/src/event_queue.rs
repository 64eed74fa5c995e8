//! Connect's contact events from the SQS queue an EventBridge rule fills (live/README.md,
//! "Contact events" shows the rule, the queue and the permissions).
//!
//! A background task long-polls the queue (up to 10 messages a request, waiting up to 20 s when
//! it is empty) and hands the messages over; [`EventQueue::take`] returns what arrived without
//! waiting, and [`EventQueue::acknowledge`] deletes those messages once the loop has recorded
//! them. A message taken but not acknowledged (a crash) comes back after the queue's
//! visibility timeout; events are merged idempotently, so a second delivery changes nothing.

use crate::dialer::ports::ApiError;
use crate::events::ContactEvent;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use tokio::sync::mpsc;

/// What the poller hands over: messages (receipt handle, body), or a failed receive.
type Received = Result<Vec<(String, String)>, ApiError>;

/// The event queue of a campaign.
pub struct EventQueue {
    client: Client,
    url: String,
    received: mpsc::Receiver<Received>,
    /// Receipt handles of messages taken and not yet deleted.
    taken: Vec<String>,
    /// Messages that were not contact events this dialer reads (deleted, counted, logged).
    pub unreadable: u64,
}

fn api_error<E: ProvideErrorMetadata + std::error::Error + 'static>(
    e: aws_sdk_sqs::error::SdkError<E>,
) -> ApiError {
    use aws_sdk_sqs::error::SdkError;
    match &e {
        SdkError::ServiceError(_) => {
            let code = e.code().unwrap_or("").to_string();
            let message = e.message().unwrap_or("").to_string();
            let fatal = [
                "AccessDenied",
                "AccessDeniedException",
                "AWS.SimpleQueueService.NonExistentQueue",
                "QueueDoesNotExist",
                "InvalidAddress",
                "InvalidClientTokenId",
                "InvalidSecurity",
                "UnrecognizedClientException",
            ];
            if fatal.contains(&code.as_str()) {
                ApiError::Fatal {
                    code,
                    message: format!("{message} (the contact events' SQS queue)"),
                }
            } else {
                ApiError::Ambiguous {
                    detail: format!("SQS {code}: {message}"),
                }
            }
        }
        _ => ApiError::Unreachable {
            detail: format!("SQS: {}", DisplayErrorContext(&e)),
        },
    }
}

impl EventQueue {
    /// Starts long-polling the queue at `url` with the AWS configuration's credentials and
    /// endpoint (`AWS_ENDPOINT_URL_SQS` for a local one). Needs a tokio runtime.
    pub async fn start(url: &str, region: &str) -> EventQueue {
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .load()
            .await;
        let client = Client::new(&sdk);
        let (tx, received) = mpsc::channel(64);
        let poller = client.clone();
        let queue = url.to_string();
        tokio::spawn(async move {
            loop {
                let answer = poller
                    .receive_message()
                    .queue_url(&queue)
                    .max_number_of_messages(10)
                    .wait_time_seconds(20)
                    .send()
                    .await;
                let failed = answer.is_err();
                let batch = answer.map_err(api_error).map(|out| {
                    out.messages()
                        .iter()
                        .filter_map(|m| {
                            Some((m.receipt_handle()?.to_string(), m.body()?.to_string()))
                        })
                        .collect()
                });
                if tx.send(batch).await.is_err() {
                    return;
                }
                if failed {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        });
        EventQueue {
            client,
            url: url.to_string(),
            received,
            taken: Vec::new(),
            unreadable: 0,
        }
    }

    /// The events that arrived since the last call, without waiting. A failed receive is
    /// reported once (the poller keeps trying).
    pub fn take(&mut self) -> Result<Vec<ContactEvent>, ApiError> {
        let mut events = Vec::new();
        loop {
            match self.received.try_recv() {
                Ok(Ok(batch)) => {
                    for (handle, body) in batch {
                        self.taken.push(handle);
                        match ContactEvent::parse(&body) {
                            Ok(e) => events.push(e),
                            Err(error) => {
                                self.unreadable += 1;
                                tracing::warn!(%error, "a message on the contact events' queue is not a contact event: deleted");
                            }
                        }
                    }
                }
                Ok(Err(e)) if events.is_empty() => return Err(e),
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "receiving contact events failed");
                    break;
                }
                Err(_) => break,
            }
        }
        Ok(events)
    }

    /// Deletes the messages taken so far (10 a request, SQS's most).
    pub async fn acknowledge(&mut self) {
        let handles = std::mem::take(&mut self.taken);
        for chunk in handles.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(h)
                        .build()
                        .ok()
                })
                .collect();
            if let Err(e) = self
                .client
                .delete_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                // Not deleted: delivered again later, and merged again to the same effect.
                tracing::debug!(error = %DisplayErrorContext(&e), "deleting contact events failed");
            }
        }
    }
}
