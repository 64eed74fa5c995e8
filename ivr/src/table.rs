//! The sample's customer table in DynamoDB, as the Lambda writes it and as `live` will read it
//! (`contacts: DynamoDb(...)`): one item per customer, keyed by [`KEY`] (a string, the phone
//! number as dialed, E.164), with [`NAME`] and one number attribute per campaign (the sample's is
//! `campaign_2018_12`) holding the customer's result code — [`NOT_CALLED`] (-1) until a call
//! reaches someone, then the [`Choice`](crate::Choice)'s code.

use crate::choice::Choice;

/// The partition key: the customer's phone number (string).
pub const KEY: &str = "phoneNumber";
/// The customer's name (string).
pub const NAME: &str = "name";
/// A campaign column's value before the customer is reached.
pub const NOT_CALLED: i32 = -1;

/// Environment variable naming the table (the Lambda's configuration).
pub const ENV_TABLE: &str = "DIALSIM_TABLE";
/// Environment variable naming the campaign column.
pub const ENV_COLUMN: &str = "DIALSIM_CAMPAIGN_COLUMN";

/// The value written into the campaign column for a choice: a DynamoDB number, as text.
pub fn column_value(choice: Choice) -> String {
    choice.code().key().to_string()
}

/// A table or column name that cannot be used, and what to give instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("{name:?} is not a DynamoDB table name: use 3 to 255 letters, digits, '_', '-' or '.'")]
    Table { name: String },
    #[error(
        "{name:?} is not a campaign column: give the attribute name, e.g. \"campaign_2018_12\" (at most 255 bytes)"
    )]
    Column { name: String },
    /// The table's [`KEY`] or [`NAME`] attribute given as the campaign column.
    #[error(
        "{name:?} is the table's {} attribute, not a campaign column: give the campaign's own column, e.g. \"campaign_2018_12\"",
        if name == KEY { "key" } else { "name" }
    )]
    Reserved { name: String },
}

/// A DynamoDB table name: 3 to 255 of `A-Z a-z 0-9 _ - .`.
pub fn check_table_name(name: &str) -> Result<(), NameError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if (3..=255).contains(&name.len()) && ok_chars {
        Ok(())
    } else {
        Err(NameError::Table {
            name: name.to_string(),
        })
    }
}

/// A campaign column: a non-empty attribute name of at most 255 bytes, not the key or the name.
pub fn check_column_name(name: &str) -> Result<(), NameError> {
    if name.trim().is_empty() || name.len() > 255 {
        return Err(NameError::Column {
            name: name.to_string(),
        });
    }
    if name == KEY || name == NAME {
        return Err(NameError::Reserved {
            name: name.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_table_name("customers").is_ok());
        assert!(check_table_name("my.table-1_x").is_ok());
        assert!(check_table_name("ab").is_err());
        assert!(check_table_name("has space").is_err());
        assert!(check_column_name("campaign_2018_12").is_ok());
        assert!(check_column_name("").is_err());
        assert!(
            check_column_name("phoneNumber")
                .unwrap_err()
                .to_string()
                .contains("key")
        );
        assert!(
            check_column_name("name")
                .unwrap_err()
                .to_string()
                .contains("name attribute")
        );
    }

    #[test]
    fn column_values_are_the_codes() {
        assert_eq!(column_value(Choice::Email), "3");
        assert_eq!(column_value(Choice::NoInput), "-2");
        assert_eq!(NOT_CALLED, -1);
    }
}
