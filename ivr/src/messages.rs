//! What the IVR says, per language: the Lambda's reply to each choice ([`Messages`]) and the
//! flow's own texts ([`FlowTexts`]: the prompt, the apology when the Lambda cannot answer, the
//! text-to-speech voice). Japanese (`ja`) and English (`en`) are shipped.
//!
//! The Lambda's texts can be replaced or extended with a JSON object (the Lambda reads it from
//! its `DIALSIM_MESSAGES` environment variable):
//!
//! ```json
//! {"en": {"call_back": "Thank you. We will call you tomorrow. Goodbye."},
//!  "ko": {"please_hold": "…", "call_back": "…", "email": "…", "not_interested": "…", "absent": "…"}}
//! ```
//!
//! A shipped language may override some keys; a new language must give all five. In `absent`,
//! `{callback_number}` is replaced by the number to call back, spoken digit by digit.

use crate::choice::{Choice, from_message_key, message_key, slot};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A language: the primary subtag of a BCP 47 code, lower case (`ja` for `ja-JP`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Language(Cow<'static, str>);

impl Language {
    pub const EN: Language = Language(Cow::Borrowed("en"));
    pub const JA: Language = Language(Cow::Borrowed("ja"));

    /// `ja-JP`, `ja_JP`, `JA`, `ja` → `ja`. `None` unless the primary subtag is 2 or 3 ASCII letters.
    pub fn parse(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("");
        let ok =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        ok.then(|| Language(Cow::Owned(primary.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The placeholder in `absent` replaced by the number to call back.
pub const CALLBACK_NUMBER: &str = "{callback_number}";

const EN: [&str; 5] = [
    "Thank you. Please hold while we connect you to an agent.",
    "Thank you. We will call you back another day. Goodbye.",
    "Thank you. We will send you the details by e-mail. Goodbye.",
    "Thank you for your time. Goodbye.",
    "Sorry we missed you. Please call us back at {callback_number}. Goodbye.",
];

const JA: [&str; 5] = [
    "ありがとうございます。担当者におつなぎしますので、そのままお待ちください。",
    "承知いたしました。後日あらためてお電話いたします。失礼いたします。",
    "承知いたしました。詳しいご案内をメールでお送りいたします。失礼いたします。",
    "お時間をいただき、ありがとうございました。失礼いたします。",
    "ご不在のようですので、あらためてご連絡いたします。折り返しのお電話は {callback_number} までお願いいたします。失礼いたします。",
];

/// The Lambda's reply texts, per language and choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Messages {
    texts: BTreeMap<Language, [String; 5]>,
}

/// A mistake in a messages override: where the override came from (`origin`), and what is
/// wrong.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {problem}")]
pub struct MessagesError {
    pub origin: String,
    pub problem: MessagesProblem,
}

/// What is wrong in a messages override, and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum MessagesProblem {
    #[error("not JSON ({error}): give an object like {{\"en\": {{\"call_back\": \"…\"}}}}")]
    NotJson { error: serde_json::Error },
    #[error("must be a JSON object of languages, like {{\"en\": {{\"call_back\": \"…\"}}}}")]
    NotAnObject,
    #[error(
        "{code:?} is not a language code: use a lower-case primary subtag such as \"en\" or \"ja\""
    )]
    NotALanguage { code: String },
    #[error("{code}: must be an object of messages, keys {}", keys())]
    NotMessages { code: String },
    #[error("{code}.{key}: not a message: use one of {}", keys())]
    NotAMessage { code: String, key: String },
    #[error("{code}.{key}: give the text as a non-empty string")]
    NoText { code: String, key: String },
    /// A language that is not shipped, given without these messages.
    #[error(
        "{code}: a language that is not shipped (only ja and en are) needs every message; missing {}",
        missing.join(", ")
    )]
    Incomplete {
        code: String,
        missing: Vec<&'static str>,
    },
}

fn keys() -> String {
    Choice::ALL
        .iter()
        .map(|c| message_key(*c))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Messages {
    /// The shipped texts: Japanese and English.
    pub fn builtin() -> Messages {
        let own = |t: [&str; 5]| t.map(str::to_string);
        Messages {
            texts: BTreeMap::from([(Language::EN, own(EN)), (Language::JA, own(JA))]),
        }
    }

    /// The shipped texts with `json`'s replacements and languages (see the module's doc).
    /// `source` names where the JSON came from, for the error messages.
    pub fn with_overrides(json: &str, source: &str) -> Result<Messages, MessagesError> {
        let err = |problem| {
            Err(MessagesError {
                origin: source.to_string(),
                problem,
            })
        };
        let value: serde_json::Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(error) => return err(MessagesProblem::NotJson { error }),
        };
        let Some(languages) = value.as_object() else {
            return err(MessagesProblem::NotAnObject);
        };
        let mut messages = Messages::builtin();
        for (code, texts) in languages {
            let Some(language) = Language::parse(code).filter(|l| l.as_str() == code) else {
                return err(MessagesProblem::NotALanguage { code: code.clone() });
            };
            let Some(texts) = texts.as_object() else {
                return err(MessagesProblem::NotMessages { code: code.clone() });
            };
            let mut slots: [Option<String>; 5] = match messages.texts.get(&language) {
                Some(t) => t.clone().map(Some),
                None => Default::default(),
            };
            for (key, text) in texts {
                let Some(choice) = from_message_key(key) else {
                    return err(MessagesProblem::NotAMessage {
                        code: code.clone(),
                        key: key.clone(),
                    });
                };
                match text.as_str() {
                    Some(t) if !t.trim().is_empty() => slots[slot(choice)] = Some(t.to_string()),
                    _ => {
                        return err(MessagesProblem::NoText {
                            code: code.clone(),
                            key: key.clone(),
                        });
                    }
                }
            }
            let missing: Vec<&str> = Choice::ALL
                .iter()
                .filter(|c| slots[slot(**c)].is_none())
                .map(|c| message_key(*c))
                .collect();
            if !missing.is_empty() {
                return err(MessagesProblem::Incomplete {
                    code: code.clone(),
                    missing,
                });
            }
            messages
                .texts
                .insert(language, slots.map(|s| s.unwrap_or_default()));
        }
        Ok(messages)
    }

    pub fn languages(&self) -> impl Iterator<Item = &Language> {
        self.texts.keys()
    }

    pub fn has(&self, language: &Language) -> bool {
        self.texts.contains_key(language)
    }

    /// The first candidate (a language code like `ja-JP`) that has texts, else English.
    pub fn pick<'a>(&self, candidates: impl IntoIterator<Item = &'a str>) -> Language {
        candidates
            .into_iter()
            .filter_map(Language::parse)
            .find(|l| self.has(l))
            .unwrap_or(Language::EN)
    }

    /// The reply to `choice` in `language` (English if the language has no texts), with
    /// `{callback_number}` replaced by `callback_number` spoken digit by digit.
    pub fn text(&self, language: &Language, choice: Choice, callback_number: &str) -> String {
        let texts = self
            .texts
            .get(language)
            .or_else(|| self.texts.get(&Language::EN))
            .expect("English is always present");
        texts[slot(choice)].replace(CALLBACK_NUMBER, &spoken_digits(callback_number))
    }
}

/// `+81 50-1234-1111` → `8 1 5 0 1 2 3 4 1 1 1 1`: text-to-speech reads each digit, not one
/// large number.
pub fn spoken_digits(number: &str) -> String {
    number
        .chars()
        .filter(char::is_ascii_digit)
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The flow's own texts in one language: filled into the flow by `live flow render`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowTexts {
    /// Played while waiting for the key press.
    pub prompt: &'static str,
    /// Played when the Lambda or a block fails, before hanging up.
    pub sorry: &'static str,
    /// The Amazon Polly voice for this language.
    pub voice: &'static str,
}

/// The shipped flow texts: `ja` and `en`.
pub fn flow_texts(language: &Language) -> Option<FlowTexts> {
    match language.as_str() {
        "en" => Some(FlowTexts {
            prompt: "Hello. To talk to an agent now, press 1. To be called back another day, press 2. To receive the details by e-mail, press 3. If you are not interested, press 9.",
            sorry: "We are sorry, we cannot take your answer right now. We will call you again. Goodbye.",
            voice: "Joanna",
        }),
        "ja" => Some(FlowTexts {
            prompt: "こちらは、ご案内のお電話です。ただいま担当者とお話しになる場合は 1 を、後日のお電話をご希望の場合は 2 を、メールでのご案内をご希望の場合は 3 を、ご興味のない場合は 9 を押してください。",
            sorry: "申し訳ございません。ただいまお答えを承ることができません。あらためてお電話いたします。失礼いたします。",
            voice: "Mizuki",
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_from_connect_codes() {
        assert_eq!(Language::parse("ja-JP"), Some(Language::JA));
        assert_eq!(Language::parse("EN_us"), Some(Language::EN));
        assert_eq!(Language::parse("ko"), Language::parse("ko-KR"));
        assert_eq!(Language::parse(""), None);
        assert_eq!(Language::parse("english"), None);
        assert_eq!(Language::parse("1a"), None);
    }

    #[test]
    fn every_shipped_language_has_every_text_and_flow_text() {
        let m = Messages::builtin();
        for l in [Language::EN, Language::JA] {
            for c in Choice::ALL {
                assert!(!m.text(&l, c, "+1").is_empty());
            }
            assert!(flow_texts(&l).is_some());
        }
        assert!(m.text(&Language::JA, Choice::Email, "").contains("メール"));
        assert!(m.text(&Language::EN, Choice::Agent, "").contains("hold"));
    }

    #[test]
    fn absent_speaks_the_callback_number_digit_by_digit() {
        let m = Messages::builtin();
        let t = m.text(&Language::EN, Choice::NoInput, "+1 415-555-0100");
        assert!(t.contains("at 1 4 1 5 5 5 5 0 1 0 0."), "{t}");
        assert!(!t.contains(CALLBACK_NUMBER));
    }

    #[test]
    fn pick_takes_the_first_language_with_texts_else_english() {
        let m = Messages::builtin();
        assert_eq!(m.pick(["ko-KR", "ja-JP", "en-US"]), Language::JA);
        assert_eq!(m.pick(["fr-FR"]), Language::EN);
        assert_eq!(m.pick([]), Language::EN);
        // An unknown language is English, not an error.
        assert_eq!(
            m.text(&Language::parse("fr").unwrap(), Choice::Agent, ""),
            EN[0]
        );
    }

    #[test]
    fn overrides_replace_keys_and_add_complete_languages() {
        let json = r#"{"en": {"call_back": "See you tomorrow."},
                       "ko": {"please_hold": "a", "call_back": "b", "email": "c", "not_interested": "d", "absent": "e {callback_number}"}}"#;
        let m = Messages::with_overrides(json, "DIALSIM_MESSAGES").unwrap();
        assert_eq!(
            m.text(&Language::EN, Choice::CallBack, ""),
            "See you tomorrow."
        );
        assert_eq!(m.text(&Language::EN, Choice::Email, ""), EN[2]);
        let ko = Language::parse("ko").unwrap();
        assert_eq!(m.text(&ko, Choice::NoInput, "+82 2"), "e 8 2 2");
        assert_eq!(m.pick(["ko-KR"]), ko);
    }

    #[test]
    fn bad_overrides_say_where_and_how_to_fix() {
        let cases = [
            ("{", "DIALSIM_MESSAGES: not JSON"),
            ("[]", "must be a JSON object"),
            (r#"{"English": {}}"#, "\"English\" is not a language code"),
            (r#"{"en": "x"}"#, "en: must be an object"),
            (
                r#"{"en": {"plese_hold": "x"}}"#,
                "en.plese_hold: not a message: use one of please_hold",
            ),
            (r#"{"en": {"email": ""}}"#, "en.email: give the text"),
            (r#"{"en": {"email": 3}}"#, "en.email: give the text"),
            (
                r#"{"ko": {"email": "x"}}"#,
                "ko: a language that is not shipped",
            ),
        ];
        for (json, want) in cases {
            let e = Messages::with_overrides(json, "DIALSIM_MESSAGES").unwrap_err();
            assert!(e.to_string().contains(want), "{json}: {e}");
        }
    }
}
