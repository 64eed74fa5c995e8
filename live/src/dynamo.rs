//! The sample's customer table in DynamoDB as a contact list (`contacts: DynamoDb(...)`): read
//! with Scan, and kept in step with the store — each customer's result code is written back into
//! the campaign's column, so the sample's own reports keep working.
//!
//! Which rows are imported: those whose campaign column is `-1` or missing (not reached yet), and
//! every customer the store already knows (whose retries it owns). Rows that already hold a
//! result from before `live` are left alone. The column gets the store's code for every customer
//! `live` has called: `1`, `2`, `3`, `0`, `-2`, `-1`, and `-3` for an abandoned call (a code the
//! sample did not have: pressed 1, hung up before an agent answered).

use crate::config::DynamoDbList;
use crate::contacts::Entry;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::scan::ScanError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use ivr::table::{KEY, NAME, NOT_CALLED};
use std::collections::{HashMap, HashSet};

/// The attribute that may give a row's offset from UTC (`-05:00`); the campaign's `utc_offset`
/// otherwise.
pub const OFFSET: &str = "utc_offset";

/// The number written into the campaign column for a store code.
pub fn column_value(code: &str) -> Option<i64> {
    match code {
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        "0" => Some(0),
        "-2" => Some(-2),
        "-1" => Some(i64::from(NOT_CALLED)),
        "abandoned" => Some(-3),
        _ => None,
    }
}

/// One item of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub phone: String,
    pub name: String,
    pub utc_offset: Option<String>,
    /// The campaign column; `None` when the row has none.
    pub value: Option<i64>,
}

/// The table of one campaign.
pub struct Table {
    client: Client,
    spec: DynamoDbList,
}

/// Why DynamoDB refused, or could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("reading DynamoDB table {table:?}: {}", describe(error))]
    Scan {
        table: String,
        error: Box<SdkError<ScanError>>,
    },
    /// Writing `column` of a customer, `masked` as logs show a number.
    #[error(
        "writing {column} of {masked} in DynamoDB table {table:?}: {}",
        describe(error)
    )]
    Write {
        column: String,
        masked: String,
        table: String,
        error: Box<SdkError<UpdateItemError>>,
    },
}

/// The service's error code and message, or the whole chain when there is no code (a
/// connection that failed).
fn describe<E: ProvideErrorMetadata + std::error::Error + 'static>(e: &SdkError<E>) -> String {
    match e.code() {
        Some(code) => format!("{code}: {}", e.message().unwrap_or("")),
        None => format!("{}", DisplayErrorContext(e)),
    }
}

impl Table {
    /// A client in `region` (its endpoint from the AWS configuration: `AWS_ENDPOINT_URL_DYNAMODB`
    /// points it at a local DynamoDB).
    pub async fn new(spec: &DynamoDbList, region: &str) -> Table {
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .load()
            .await;
        Table {
            client: Client::new(&sdk),
            spec: spec.clone(),
        }
    }

    /// Every item of the table (Scan, all pages).
    pub async fn scan(&self) -> Result<Vec<Row>, TableError> {
        let table = self.spec.table.get();
        let column = self.spec.campaign_column.get();
        let mut rows = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(table)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|error| TableError::Scan {
                    table: table.clone(),
                    error: Box::new(error),
                })?;
            for item in out.items() {
                let text = |k: &str| match item.get(k) {
                    Some(AttributeValue::S(s)) => Some(s.trim().to_string()),
                    Some(AttributeValue::N(n)) => Some(n.trim().to_string()),
                    _ => None,
                };
                let value = match item.get(column.as_str()) {
                    Some(AttributeValue::N(n)) => n.trim().parse::<f64>().ok().map(|v| v as i64),
                    Some(AttributeValue::S(s)) => s.trim().parse::<f64>().ok().map(|v| v as i64),
                    _ => None,
                };
                rows.push(Row {
                    phone: text(KEY).unwrap_or_default(),
                    name: text(NAME).unwrap_or_default(),
                    utc_offset: text(OFFSET),
                    value,
                });
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => break,
            }
        }
        rows.sort_by(|a, b| a.phone.cmp(&b.phone));
        Ok(rows)
    }

    /// Writes `value` into the campaign column of the customer's row (which must exist).
    pub async fn write(&self, phone: &str, value: i64) -> Result<(), TableError> {
        let column = self.spec.campaign_column.get();
        self.client
            .update_item()
            .table_name(self.spec.table.get())
            .key(KEY, AttributeValue::S(phone.to_string()))
            .update_expression("SET #c = :v")
            .condition_expression("attribute_exists(#k)")
            .expression_attribute_names("#c", column)
            .expression_attribute_names("#k", KEY)
            .expression_attribute_values(":v", AttributeValue::N(value.to_string()))
            .send()
            .await
            .map_err(|error| TableError::Write {
                column: column.clone(),
                masked: crate::mask::mask_phone(phone),
                table: self.spec.table.get().clone(),
                error: Box::new(error),
            })?;
        Ok(())
    }

    /// The rows to import as contact-list entries: rows not reached yet, and rows the store
    /// already knows (`known`). Returns the entries and how many rows were left alone because
    /// they already hold a result.
    pub fn entries(&self, rows: &[Row], known: &HashSet<String>) -> (Vec<Entry>, u64) {
        let default_offset = self.spec.utc_offset.get();
        let mut seen = HashSet::new();
        let mut entries = Vec::new();
        let mut skipped = 0;
        for (i, row) in rows.iter().enumerate() {
            let open = row.value.is_none_or(|v| v == i64::from(NOT_CALLED));
            if !open && !known.contains(&row.phone) {
                skipped += 1;
                continue;
            }
            let offset_text = row.utc_offset.as_deref().unwrap_or(default_offset);
            let zone = rules::zone::Zone::parse(offset_text);
            let invalid = if !rules::contact::is_e164(&row.phone) {
                Some(format!(
                    "{KEY} {:?} is not an E.164 number (+ country code and number, digits only)",
                    row.phone
                ))
            } else if zone.is_none() {
                Some(format!(
                    "{OFFSET} {offset_text:?} is not a time zone: write it like -05:00, +09:00, UTC or America/New_York"
                ))
            } else if !seen.insert(row.phone.clone()) {
                Some("the same number twice".to_string())
            } else {
                None
            };
            entries.push(Entry {
                // Rows have no lines: their position in phone order stands in for one.
                line: i as u64 + 1,
                phone: row.phone.clone(),
                name: row.name.clone(),
                zone,
                do_not_call: false,
                invalid,
            });
        }
        (entries, skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_store_code_has_a_column_value() {
        for (code, _) in crate::outcome::CODES {
            let v = column_value(code);
            assert_eq!(v.is_some(), !matches!(code, "dnc" | "invalid"), "{code}");
        }
        assert_eq!(column_value("abandoned"), Some(-3));
        assert_eq!(column_value("-1"), Some(-1));
    }
}
