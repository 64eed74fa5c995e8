//! Shared by the handler tests: the recorded Connect events and what each must be answered.
#![allow(dead_code)] // each test binary uses part of it

use ivr::Language;
use std::path::PathBuf;

pub fn event_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/events")
        .join(name)
}

pub fn event_bytes(name: &str) -> Vec<u8> {
    std::fs::read(event_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn event(name: &str) -> serde_json::Value {
    serde_json::from_slice(&event_bytes(name)).expect("fixtures are JSON")
}

/// One recorded event and the answer it must get.
pub struct Expected {
    pub fixture: &'static str,
    pub phone: &'static str,
    pub code: &'static str,
    pub disconnect: &'static str,
    pub message_key: &'static str,
    pub language: Language,
    /// A piece of the spoken message.
    pub says: &'static str,
}

/// The sample's table, fixed: 3 is written as 3. The language comes from the flow's `language`
/// parameter, else the contact's LanguageCode.
pub fn table() -> Vec<Expected> {
    vec![
        Expected {
            fixture: "press-1.json",
            phone: "+815012340001",
            code: "1",
            disconnect: "false",
            message_key: "please_hold",
            language: Language::JA,
            says: "担当者におつなぎします",
        },
        Expected {
            fixture: "press-2.json",
            phone: "+815012340002",
            code: "2",
            disconnect: "true",
            message_key: "call_back",
            language: Language::EN,
            says: "We will call you back another day",
        },
        Expected {
            fixture: "press-3.json",
            phone: "+815012340003",
            code: "3",
            disconnect: "true",
            message_key: "email",
            language: Language::JA,
            says: "メールでお送りいたします",
        },
        Expected {
            fixture: "press-9.json",
            phone: "+815012340009",
            code: "0",
            disconnect: "true",
            message_key: "not_interested",
            language: Language::EN,
            says: "Thank you for your time",
        },
        Expected {
            fixture: "timeout.json",
            phone: "+815012340000",
            code: "-2",
            disconnect: "true",
            message_key: "absent",
            language: Language::JA,
            // The number that called, spoken digit by digit.
            says: "8 1 5 0 0 0 0 0 0 0 0 0 までお願いいたします",
        },
    ]
}

/// Checks a response map against a row of the table.
pub fn assert_answers(e: &Expected, response: &std::collections::HashMap<String, String>) {
    let get = |k: &str| {
        response
            .get(k)
            .unwrap_or_else(|| panic!("{}: no {k} in {response:?}", e.fixture))
            .as_str()
    };
    assert_eq!(get("code"), e.code, "{}", e.fixture);
    assert_eq!(get("disconnect"), e.disconnect, "{}", e.fixture);
    assert_eq!(get("message_key"), e.message_key, "{}", e.fixture);
    assert_eq!(get("language"), e.language.as_str(), "{}", e.fixture);
    assert!(
        get("message").contains(e.says),
        "{}: {:?} should contain {:?}",
        e.fixture,
        get("message"),
        e.says
    );
}
