//! The thin async shell around the loop: it asks the [`Machine`] what to do, does it through the
//! [`Switchboard`] (or the DynamoDB table), hands back the answer, and sleeps on the [`Clock`]
//! until the next thing is due or a stop is asked for.

use super::machine::{Action, Answer, Machine, Report, RunError, Step};
use super::ports::{Clock, Switchboard};
use crate::dynamo::Table;
use tokio::sync::watch;

/// Runs `machine` until it is done; `stop` turning true asks it to stop launching and finish
/// the calls in flight.
pub async fn drive<C: Clock, S: Switchboard>(
    mut machine: Machine,
    clock: &C,
    switchboard: &mut S,
    table: Option<&Table>,
    stop: &mut watch::Receiver<bool>,
) -> Result<Report, RunError> {
    let mut stop_open = true;
    loop {
        if *stop.borrow() {
            machine.stop(clock.now());
        }
        let step = match machine.next(clock.now()) {
            Ok(step) => step,
            Err(e) => {
                let _ = machine.finish();
                return Err(e);
            }
        };
        match step {
            Step::Done(end) => {
                let mut report = machine.finish()?;
                report.end = Some(end);
                return Ok(report);
            }
            Step::Wait(t) => {
                if stop_open {
                    tokio::select! {
                        biased;
                        changed = stop.changed() => stop_open = changed.is_ok(),
                        () = clock.sleep_until(t) => {}
                    }
                } else {
                    clock.sleep_until(t).await;
                }
            }
            Step::Do(action) => {
                let events = matches!(action, Action::ReadEvents);
                let answer = execute(action, switchboard, table).await;
                if let Some(t) = answer.reported_time() {
                    clock.observed(t);
                }
                let any = matches!(&answer, Answer::Events(Ok(e)) if !e.is_empty());
                if let Err(e) = machine.answer(clock.now(), answer) {
                    let _ = machine.finish();
                    return Err(e);
                }
                if events && any {
                    switchboard.acknowledge().await;
                }
            }
        }
    }
}

async fn execute<S: Switchboard>(action: Action, s: &mut S, table: Option<&Table>) -> Answer {
    match action {
        Action::ReadMetrics => Answer::Metrics(s.metrics().await),
        Action::ReadAgentStates => Answer::AgentStates(s.agent_states().await),
        Action::Start(request) => Answer::Started(s.start(&request).await),
        Action::Describe { contact_id } => Answer::Described(s.describe(&contact_id).await),
        Action::ReadAttributes { contact_id } => {
            Answer::Attributes(s.attributes(&contact_id).await)
        }
        Action::ReadEvents => Answer::Events(s.events().await),
        Action::WriteTable { phone, value } => Answer::TableWritten(match table {
            Some(t) => t.write(&phone, value).await.map_err(|e| e.to_string()),
            None => Ok(()),
        }),
    }
}
