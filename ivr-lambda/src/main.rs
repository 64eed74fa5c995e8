//! `ivr-lambda`: the contact flow's Lambda function (see the library's documentation for what
//! it answers and its environment variables). Build and deploy with cargo-lambda:
//! `cargo lambda build --release --arm64 -p ivr-lambda`, then `cargo lambda deploy`.

use ivr_lambda::Ivr;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let ivr = match Ivr::from_env().await {
        Ok(ivr) => ivr,
        Err(e) => {
            // A configuration mistake fails every invocation at once, with this message in the
            // function's log and in `cargo lambda invoke`'s answer, rather than one call later.
            tracing::error!("{e}");
            return Err(e.into());
        }
    };
    match &ivr.config().table {
        Some(t) => tracing::info!(table = %t.name, column = %t.column, "recording choices"),
        None => tracing::warn!(
            "DIALSIM_TABLE is not set: choices are answered but not written to any table"
        ),
    }
    let ivr: &'static Ivr = Box::leak(Box::new(ivr));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        ivr.handle(event.payload)
            .await
            .map(|answer| answer.to_response())
    }))
    .await
}
