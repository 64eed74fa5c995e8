//! The contact flow's Lambda (`ivr/flows/outbound-ivr.json`, block `record-choice`): it reads
//! the customer's key press, answers the flow with what to say and whether to stay on the line,
//! and writes the result code into the customer's row of the sample's DynamoDB table.
//!
//! | input | `code` | `disconnect` | `message_key` | then (the flow) |
//! |---|---|---|---|---|
//! | `1` | `1` | `false` | `please_hold` | says "please hold", transfers to the queue |
//! | `2` | `2` | `true` | `call_back` | thanks, hangs up |
//! | `3` | `3` | `true` | `email` | thanks, hangs up (the sample wrote 2 here) |
//! | other | `0` | `true` | `not_interested` | thanks, hangs up |
//! | `Timeout` | `-2` | `true` | `absent` | gives the number to call back, hangs up |
//!
//! The response is a flat map of strings: `code`, `disconnect`, `message_key`, `language` and
//! `recorded` (`written`, `no_table`, `no_row`, `failed`, `timed_out`) hold only letters, digits,
//! `-` and `_`; `message` is the sentence to speak, which is why the flow invokes this function
//! with JSON response validation (STRING_MAP would refuse its spaces).
//!
//! **The call never fails because of the table.** The write has a time budget
//! (`DIALSIM_WRITE_TIMEOUT_MS`, 2000 ms by default, well inside Connect's 8 s); a missing table, a
//! missing row, a throttle or a timeout is logged and the customer still gets the right answer.
//! Only an event the function cannot read (not a Connect event, no choice, no phone number) is an
//! error, with a message saying what is missing.
//!
//! Configuration (environment variables, read once at start):
//!
//! | variable | meaning |
//! |---|---|
//! | `DIALSIM_TABLE` | the customer table (keyed by `phoneNumber`); unset: nothing is written |
//! | `DIALSIM_CAMPAIGN_COLUMN` | the campaign's column in it, e.g. `campaign_2018_12` (required with the table) |
//! | `DIALSIM_LANGUAGE` | the reply language when the flow passes none (`ja`, `en`); else the contact's LanguageCode, else English |
//! | `DIALSIM_MESSAGES` | JSON replacing or adding texts: `{"en": {"call_back": "…"}}` (see `ivr::messages`) |
//! | `DIALSIM_CALLBACK_NUMBER` | the number `absent` asks to call back; default: the number that called (the contact's system endpoint) |
//! | `DIALSIM_WRITE_TIMEOUT_MS` | the table write's budget, 100 to 5000 ms (default 2000) |

use aws_lambda_events::connect::{ConnectEvent, ConnectResponse};
use aws_sdk_dynamodb::types::AttributeValue;
use ivr::table::{self, ENV_COLUMN, ENV_TABLE, NameError};
use ivr::{Choice, Language, Messages, MessagesError};
use lambda_runtime::Diagnostic;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

pub const ENV_LANGUAGE: &str = "DIALSIM_LANGUAGE";
pub const ENV_MESSAGES: &str = "DIALSIM_MESSAGES";
pub const ENV_CALLBACK_NUMBER: &str = "DIALSIM_CALLBACK_NUMBER";
pub const ENV_WRITE_TIMEOUT_MS: &str = "DIALSIM_WRITE_TIMEOUT_MS";
/// The table write's default budget.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_millis(2000);

/// Where the result code goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableConfig {
    pub name: String,
    pub column: String,
}

/// The function's configuration, from its environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub table: Option<TableConfig>,
    pub language: Option<Language>,
    pub messages: Messages,
    pub callback_number: Option<String>,
    pub write_timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            table: None,
            language: None,
            messages: Messages::builtin(),
            callback_number: None,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
        }
    }
}

/// A configuration mistake: the variable, what is wrong and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{ENV_TABLE}: {0}")]
    Table(NameError),
    #[error("{ENV_COLUMN}: {0}")]
    Column(NameError),
    #[error(
        "{ENV_TABLE} is set but {ENV_COLUMN} is not: set it to the campaign's column (e.g. campaign_2018_12), or unset {ENV_TABLE} to write nothing"
    )]
    TableWithoutColumn,
    #[error(
        "{ENV_COLUMN} is set but {ENV_TABLE} is not: set {ENV_TABLE} to the customer table's name"
    )]
    ColumnWithoutTable,
    #[error(transparent)]
    Messages(#[from] MessagesError),
    /// A default language without texts; `have` are the languages that have them.
    #[error(
        "{ENV_LANGUAGE}={code:?}: no texts for this language: use one of {} (or add its texts in {ENV_MESSAGES})",
        have.join(", ")
    )]
    Language { code: String, have: Vec<String> },
    #[error(
        "{ENV_WRITE_TIMEOUT_MS}={given:?}: give milliseconds from 100 to 5000 (Connect waits at most 8 s for the whole function)"
    )]
    WriteTimeout { given: String },
}

impl Config {
    /// From the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(|k| std::env::var(k).ok())
    }

    /// From `get(name)` (the environment, or a map in tests). Empty values count as unset.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let table = match (get(ENV_TABLE), get(ENV_COLUMN)) {
            (None, None) => None,
            (Some(name), Some(column)) => {
                table::check_table_name(&name).map_err(ConfigError::Table)?;
                table::check_column_name(&column).map_err(ConfigError::Column)?;
                Some(TableConfig { name, column })
            }
            (Some(_), None) => return Err(ConfigError::TableWithoutColumn),
            (None, Some(_)) => return Err(ConfigError::ColumnWithoutTable),
        };
        let messages = match get(ENV_MESSAGES) {
            Some(json) => Messages::with_overrides(&json, ENV_MESSAGES)?,
            None => Messages::builtin(),
        };
        let language = match get(ENV_LANGUAGE) {
            None => None,
            Some(code) => match Language::parse(&code) {
                Some(l) if messages.has(&l) => Some(l),
                _ => {
                    return Err(ConfigError::Language {
                        code,
                        have: messages.languages().map(|l| l.to_string()).collect(),
                    });
                }
            },
        };
        let write_timeout = match get(ENV_WRITE_TIMEOUT_MS) {
            None => DEFAULT_WRITE_TIMEOUT,
            Some(ms) => match ms.trim().parse::<u64>() {
                Ok(ms) if (100..=5000).contains(&ms) => Duration::from_millis(ms),
                _ => return Err(ConfigError::WriteTimeout { given: ms }),
            },
        };
        Ok(Config {
            table,
            language,
            messages,
            callback_number: get(ENV_CALLBACK_NUMBER),
            write_timeout,
        })
    }
}

/// Why an event got no answer. Each says what is missing and where it should come from.
#[derive(Debug)]
pub enum EventError {
    /// The payload is not JSON.
    NotJson(serde_json::Error),
    /// JSON, but not a contact flow event (e.g. no `Details.ContactData.CustomerEndpoint`).
    NotConnectEvent(serde_json::Error),
    /// No `Details.Parameters.choice`.
    NoChoice,
    /// No customer number, neither in `CustomerEndpoint.Address` nor in `Parameters.phone`.
    NoPhone,
}

impl EventError {
    /// The `errorType` the Lambda runtime reports.
    pub fn kind(&self) -> &'static str {
        match self {
            EventError::NotJson(_) => "NotJson",
            EventError::NotConnectEvent(_) => "NotConnectEvent",
            EventError::NoChoice => "NoChoice",
            EventError::NoPhone => "NoPhoneNumber",
        }
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::NotJson(e) => write!(
                f,
                "the event is not JSON ({e}): invoke this function from a contact flow's InvokeLambdaFunction block"
            ),
            EventError::NotConnectEvent(e) => write!(
                f,
                "the event is not an Amazon Connect contact flow event ({e}): it needs Details.ContactData with CustomerEndpoint and SystemEndpoint; invoke this function from a contact flow (ivr/flows/outbound-ivr.json)"
            ),
            EventError::NoChoice => write!(
                f,
                "Details.Parameters.choice is missing: the flow's InvokeLambdaFunction block must pass choice = $.StoredCustomerInput (ivr/flows/outbound-ivr.json does)"
            ),
            EventError::NoPhone => write!(
                f,
                "no customer phone number: Details.ContactData.CustomerEndpoint.Address is empty and Details.Parameters.phone is missing; pass phone = $.CustomerEndpoint.Address in the flow's InvokeLambdaFunction block"
            ),
        }
    }
}

impl std::error::Error for EventError {}

impl From<EventError> for Diagnostic {
    fn from(e: EventError) -> Diagnostic {
        Diagnostic {
            error_type: e.kind().to_string(),
            error_message: e.to_string(),
        }
    }
}

/// What became of the table write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Written,
    /// No table configured.
    NoTable,
    /// The table has no row for this number; none is created.
    NoRow,
    /// DynamoDB refused or could not be reached (the error).
    Failed(String),
    /// The write took longer than its budget.
    TimedOut,
}

impl Recorded {
    pub fn name(&self) -> &'static str {
        match self {
            Recorded::Written => "written",
            Recorded::NoTable => "no_table",
            Recorded::NoRow => "no_row",
            Recorded::Failed(_) => "failed",
            Recorded::TimedOut => "timed_out",
        }
    }
}

/// The function's answer to one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub choice: Choice,
    pub language: Language,
    /// The sentence to speak.
    pub message: String,
    pub recorded: Recorded,
}

impl Answer {
    pub fn code(&self) -> i32 {
        self.choice
            .code()
            .number()
            .expect("a key press gives a numbered code")
    }

    pub fn disconnect(&self) -> bool {
        self.choice.disconnects()
    }

    /// The flat string map returned to Connect (`$.External.*` in the flow).
    pub fn to_response(&self) -> ConnectResponse {
        ConnectResponse::from([
            ("code".to_string(), self.code().to_string()),
            ("disconnect".to_string(), self.disconnect().to_string()),
            ("message".to_string(), self.message.clone()),
            (
                "message_key".to_string(),
                ivr::choice::message_key(self.choice).to_string(),
            ),
            ("language".to_string(), self.language.to_string()),
            ("recorded".to_string(), self.recorded.name().to_string()),
        ])
    }
}

/// `+815012341111` → `+8150****1111`: enough to tell customers apart in logs, not to call them.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 9))
}

/// The function: its configuration and, when a table is configured, a DynamoDB client.
pub struct Ivr {
    config: Config,
    dynamodb: Option<aws_sdk_dynamodb::Client>,
}

impl Ivr {
    /// With a client of your own (tests point one at moto).
    pub fn new(config: Config, dynamodb: Option<aws_sdk_dynamodb::Client>) -> Ivr {
        Ivr { config, dynamodb }
    }

    /// From the environment: the configuration, and a DynamoDB client from the AWS provider
    /// chain (the function's role; `AWS_ENDPOINT_URL_DYNAMODB` points it elsewhere) whose
    /// timeouts fit the write budget.
    pub async fn from_env() -> Result<Ivr, ConfigError> {
        let config = Config::from_env()?;
        let dynamodb = match &config.table {
            None => None,
            Some(_) => {
                let timeouts = aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(config.write_timeout / 2)
                    .operation_timeout(config.write_timeout)
                    .build();
                let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .timeout_config(timeouts)
                    .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
                    .load()
                    .await;
                Some(aws_sdk_dynamodb::Client::new(&sdk))
            }
        };
        Ok(Ivr { config, dynamodb })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Answers a raw payload (what the Lambda service delivers).
    pub async fn handle_payload(&self, payload: &[u8]) -> Result<Answer, EventError> {
        let event: Value = serde_json::from_slice(payload).map_err(EventError::NotJson)?;
        self.handle(event).await
    }

    /// Answers one contact flow event: reads the choice and the number, writes the code
    /// (within the budget, never failing the answer), returns what to say.
    pub async fn handle(&self, event: Value) -> Result<Answer, EventError> {
        let language_code = event
            .pointer("/Details/ContactData/LanguageCode")
            .and_then(Value::as_str)
            .map(str::to_string);
        let event: ConnectEvent =
            serde_json::from_value(event).map_err(EventError::NotConnectEvent)?;
        let details = &event.details;
        let contact = &details.contact_data;
        let input = details
            .parameters
            .get("choice")
            .ok_or(EventError::NoChoice)?;
        let phone = contact
            .customer_endpoint
            .address
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .or_else(|| {
                details
                    .parameters
                    .get("phone")
                    .map(|p| p.trim())
                    .filter(|p| !p.is_empty())
            })
            .ok_or(EventError::NoPhone)?
            .to_string();
        let choice = Choice::from_input(input);
        let default_language = self.config.language.as_ref().map(Language::to_string);
        let language = self.config.messages.pick(
            [
                details.parameters.get("language").map(String::as_str),
                default_language.as_deref(),
                language_code.as_deref(),
            ]
            .into_iter()
            .flatten(),
        );
        let callback = self
            .config
            .callback_number
            .as_deref()
            .or(contact.system_endpoint.address.as_deref())
            .unwrap_or("");
        if choice == Choice::NoInput && callback.is_empty() {
            tracing::warn!(
                "no number to call back: set {ENV_CALLBACK_NUMBER} (the absent message says no number)"
            );
        }
        let message = self.config.messages.text(&language, choice, callback);
        let recorded = self.record(&phone, choice).await;
        let contact_id = contact.contact_id.as_deref().unwrap_or("");
        let answer_code = choice.code().key();
        let key = ivr::choice::message_key(choice);
        match &recorded {
            Recorded::Written | Recorded::NoTable => tracing::info!(
                phone = %mask_phone(&phone), contact_id, code = answer_code, recorded = recorded.name(),
                "answered {input:?}: {key}"
            ),
            Recorded::NoRow => tracing::warn!(
                phone = %mask_phone(&phone), contact_id, code = answer_code,
                "answered {input:?}: {key}; the table has no row for this number, none created"
            ),
            Recorded::Failed(e) => tracing::error!(
                phone = %mask_phone(&phone), contact_id, code = answer_code,
                "answered {input:?}: {key}; the table write failed, the call goes on: {e}"
            ),
            Recorded::TimedOut => tracing::error!(
                phone = %mask_phone(&phone), contact_id, code = answer_code,
                "answered {input:?}: {key}; the table write took longer than {} ms and was abandoned, the call goes on",
                self.config.write_timeout.as_millis()
            ),
        }
        Ok(Answer {
            choice,
            language,
            message,
            recorded,
        })
    }

    /// Writes the choice's code into the customer's row, if there is one; never more than the
    /// write budget.
    async fn record(&self, phone: &str, choice: Choice) -> Recorded {
        let (Some(t), Some(client)) = (&self.config.table, &self.dynamodb) else {
            return Recorded::NoTable;
        };
        let write = client
            .update_item()
            .table_name(&t.name)
            .key(table::KEY, AttributeValue::S(phone.to_string()))
            .update_expression("SET #column = :code")
            .condition_expression("attribute_exists(#key)")
            .expression_attribute_names("#column", &t.column)
            .expression_attribute_names("#key", table::KEY)
            .expression_attribute_values(":code", AttributeValue::N(table::column_value(choice)))
            .send();
        match tokio::time::timeout(self.config.write_timeout, write).await {
            Err(_) => Recorded::TimedOut,
            Ok(Ok(_)) => Recorded::Written,
            Ok(Err(e)) => {
                let e = e.into_service_error();
                if e.is_conditional_check_failed_exception() {
                    Recorded::NoRow
                } else {
                    Recorded::Failed(aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn configuration_from_the_environment() {
        let c = vars(&[
            (ENV_TABLE, "customers"),
            (ENV_COLUMN, "campaign_2018_12"),
            (ENV_LANGUAGE, "ja-JP"),
            (ENV_WRITE_TIMEOUT_MS, "500"),
        ])
        .unwrap();
        assert_eq!(
            c.table,
            Some(TableConfig {
                name: "customers".into(),
                column: "campaign_2018_12".into()
            })
        );
        assert_eq!(c.language, Some(Language::JA));
        assert_eq!(c.write_timeout, Duration::from_millis(500));
        assert_eq!(vars(&[]).unwrap(), Config::default());
        assert_eq!(vars(&[(ENV_TABLE, " ")]).unwrap(), Config::default());
    }

    #[test]
    fn configuration_mistakes_name_the_variable_and_the_fix() {
        let cases: [(&[(&str, &str)], &str); 7] = [
            (&[(ENV_TABLE, "t12")], "DIALSIM_CAMPAIGN_COLUMN is not"),
            (&[(ENV_COLUMN, "c")], "DIALSIM_TABLE is not"),
            (
                &[(ENV_TABLE, "a b"), (ENV_COLUMN, "c")],
                "DIALSIM_TABLE: \"a b\" is not a DynamoDB table name",
            ),
            (
                &[(ENV_TABLE, "abc"), (ENV_COLUMN, "phoneNumber")],
                "DIALSIM_CAMPAIGN_COLUMN: \"phoneNumber\" is the table's key",
            ),
            (
                &[(ENV_LANGUAGE, "fr")],
                "DIALSIM_LANGUAGE=\"fr\": no texts for this language: use one of en, ja",
            ),
            (&[(ENV_WRITE_TIMEOUT_MS, "9000")], "from 100 to 5000"),
            (
                &[(ENV_MESSAGES, "{\"en\": {\"bye\": \"x\"}}")],
                "DIALSIM_MESSAGES: en.bye: not a message",
            ),
        ];
        for (pairs, want) in cases {
            let e = vars(pairs).unwrap_err();
            assert!(e.to_string().contains(want), "{pairs:?}: {e}");
        }
        // A language added in DIALSIM_MESSAGES may be the default.
        let ko = r#"{"ko": {"please_hold": "a", "call_back": "b", "email": "c", "not_interested": "d", "absent": "e"}}"#;
        let c = vars(&[(ENV_MESSAGES, ko), (ENV_LANGUAGE, "ko")]).unwrap();
        assert_eq!(c.language, Language::parse("ko"));
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("+815012341111"), "+8150****1111");
        assert_eq!(mask_phone("+14155550100"), "+1415***0100");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[test]
    fn event_errors_become_lambda_error_responses() {
        let d: Diagnostic = EventError::NoPhone.into();
        assert_eq!(d.error_type, "NoPhoneNumber");
        assert!(d.error_message.contains("$.CustomerEndpoint.Address"));
    }
}
