//! The stand-in's contact events on an SQS queue, as an EventBridge rule delivers a real
//! instance's: one message per event, its body the EventBridge envelope. `live` reads them with
//! its contact-event consumer (`live::event_queue`), exactly as it reads a real campaign's.

use crate::http::Standin;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use std::sync::Arc;
use std::time::Duration;

/// Sends every new contact event to the queue at `url`, ten a request, every 100 ms (wall
/// clock); a failed send is tried again with the same events. Runs until the process ends.
pub async fn to_sqs(standin: Arc<Standin>, url: String) {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(crate::instance::REGION))
        .load()
        .await;
    let client = aws_sdk_sqs::Client::new(&sdk);
    let mut next = 0;
    loop {
        let (texts, upto) = standin.eventbridge_texts(next);
        let mut sent = next;
        for chunk in texts.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .build()
                        .ok()
                })
                .collect();
            match client
                .send_message_batch()
                .queue_url(&url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                Ok(out) if out.failed().is_empty() => sent += chunk.len(),
                Ok(out) => {
                    eprintln!(
                        "connect-standin: SQS refused {} contact events; sending them again",
                        out.failed().len()
                    );
                    break;
                }
                Err(e) => {
                    eprintln!(
                        "connect-standin: cannot send contact events to {url}: {}",
                        aws_sdk_sqs::error::DisplayErrorContext(&e)
                    );
                    break;
                }
            }
        }
        if sent == next + texts.len() {
            sent = upto;
        }
        next = sent;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
