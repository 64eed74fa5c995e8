//! The flow language as types: a [`Flow`] is parsed once from its JSON and every check, the
//! placeholder substitution and the printing work on these structures, not on untyped JSON.
//!
//! Connect's own fields are typed; what Connect leaves free (`Metadata`, an action's
//! `Parameters`, whose keys depend on its `Type`) stays JSON. Fields the model does not know are
//! kept in `extra` and printed back after the known ones, so a flow exported from the Connect
//! console survives a round trip. Fields that a check reports missing (an `Identifier`, a
//! branch's `NextAction`, …) are `Option`s: a missing one is a [`Problem`](super::Problem) with
//! its place and its fix, not a parse error.
//!
//! The printing order is the reader's: `Version`, `StartAction`, then `Actions`; in an action
//! `Identifier`, `Type`, `Parameters`, `Transitions`. Inside `Transitions` and its branches the
//! fields are in alphabetical order, as the flow has always been printed.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Fields the model does not name, kept as they came and printed back (sorted).
pub type Extra = BTreeMap<String, Value>;

/// A contact flow: `{"Version", "StartAction", "Metadata", "Actions"}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Flow {
    /// The flow language's version; [`VERSION`](super::VERSION) is the only one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The `Identifier` of the first action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_action: Option<String>,
    /// What the Connect console keeps about the flow (positions, names): free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
    pub actions: Vec<Action>,
}

/// One block of the flow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Action {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The action type (`MessageParticipant`, `DisconnectParticipant`, …; see
    /// [`KNOWN_TYPES`](super::KNOWN_TYPES)).
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The type's parameters, whose keys depend on the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Transitions>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Where an action goes next: by default, on a condition, on an error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transitions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ConditionBranch>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ErrorBranch>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A branch taken when its condition holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConditionBranch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{"Operator": "Equals", "Operands": ["1"]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operands: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A branch taken on an error of the action (`NoMatchingError`, `QueueAtCapacity`, …).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorBranch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_action: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A text that is not a flow in the flow language's shape (not JSON, a list where an object
/// belongs, a number where a string belongs, no `Actions`).
#[derive(Debug, thiserror::Error)]
#[error("not a flow ({0}): a flow is {{\"Version\", \"StartAction\", \"Actions\"}}")]
pub struct ParseError(#[from] serde_json::Error);

impl Flow {
    /// Parses a flow's JSON text.
    pub fn parse(text: &str) -> Result<Flow, ParseError> {
        Ok(serde_json::from_str(text)?)
    }

    /// Reads a flow from parsed JSON.
    pub fn from_value(value: Value) -> Result<Flow, ParseError> {
        Ok(serde_json::from_value(value)?)
    }

    /// The flow as JSON.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a flow serializes")
    }

    /// Pretty JSON in reading order (see the module's doc), with a final newline: what
    /// `create-contact-flow --content file://…` takes.
    pub fn to_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a flow serializes");
        text.push('\n');
        text
    }

    /// The first action with this `Identifier`.
    pub fn action(&self, id: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.id() == Some(id))
    }

    /// Calls `f` on every string value of the flow (not on keys), as `f(where, text)`.
    pub fn for_each_string(&self, f: &mut dyn FnMut(&super::Location, &str)) {
        use super::Location;
        for (i, action) in self.actions.iter().enumerate() {
            let at = action.location(i);
            action.for_each_string(&mut |s| f(&at, s));
        }
        let field = |name: &str| Location::Field(name.into());
        if let Some(v) = &self.version {
            f(&field("Version"), v);
        }
        if let Some(s) = &self.start_action {
            f(&field("StartAction"), s);
        }
        let metadata = self.metadata.as_ref().map(|m| ("Metadata", m));
        for (key, value) in metadata
            .into_iter()
            .chain(self.extra.iter().map(|(k, v)| (k.as_str(), v)))
        {
            let at = field(key);
            value_strings(value, &mut |s| f(&at, s));
        }
    }

    /// Calls `f` on every string value of the flow (not on keys), to change it.
    pub fn for_each_string_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.version.iter_mut().for_each(&mut *f);
        self.start_action.iter_mut().for_each(&mut *f);
        self.metadata
            .iter_mut()
            .for_each(|v| value_strings_mut(v, f));
        extra_strings_mut(&mut self.extra, f);
        for action in &mut self.actions {
            action.for_each_string_mut(f);
        }
    }
}

impl Action {
    pub fn id(&self) -> Option<&str> {
        self.identifier.as_deref()
    }

    /// The type, `""` when there is none.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }

    /// `action "menu"`, or `Actions[3]` for the fourth action when it has no `Identifier`.
    pub fn location(&self, index: usize) -> super::Location {
        match self.id() {
            Some(id) => super::Location::Action(id.into()),
            None => super::Location::Index(index),
        }
    }

    fn for_each_string(&self, f: &mut dyn FnMut(&str)) {
        self.identifier.iter().for_each(|s| f(s));
        self.kind.iter().for_each(|s| f(s));
        for v in self.parameters.iter().flat_map(Map::values) {
            value_strings(v, f);
        }
        if let Some(t) = &self.transitions {
            t.next_action.iter().for_each(|s| f(s));
            for c in t.conditions.iter().flatten() {
                c.next_action.iter().for_each(|s| f(s));
                if let Some(cond) = &c.condition {
                    cond.operator.iter().for_each(|s| f(s));
                    cond.operands.iter().flatten().for_each(|s| f(s));
                    cond.extra.values().for_each(|v| value_strings(v, f));
                }
                c.extra.values().for_each(|v| value_strings(v, f));
            }
            for e in t.errors.iter().flatten() {
                e.error_type.iter().for_each(|s| f(s));
                e.next_action.iter().for_each(|s| f(s));
                e.extra.values().for_each(|v| value_strings(v, f));
            }
            t.extra.values().for_each(|v| value_strings(v, f));
        }
        self.extra.values().for_each(|v| value_strings(v, f));
    }

    fn for_each_string_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        self.identifier.iter_mut().for_each(&mut *f);
        self.kind.iter_mut().for_each(&mut *f);
        for v in self.parameters.iter_mut().flat_map(Map::values_mut) {
            value_strings_mut(v, f);
        }
        if let Some(t) = &mut self.transitions {
            t.next_action.iter_mut().for_each(&mut *f);
            for c in t.conditions.iter_mut().flatten() {
                c.next_action.iter_mut().for_each(&mut *f);
                if let Some(cond) = &mut c.condition {
                    cond.operator.iter_mut().for_each(&mut *f);
                    cond.operands.iter_mut().flatten().for_each(&mut *f);
                    extra_strings_mut(&mut cond.extra, f);
                }
                extra_strings_mut(&mut c.extra, f);
            }
            for e in t.errors.iter_mut().flatten() {
                e.error_type.iter_mut().for_each(&mut *f);
                e.next_action.iter_mut().for_each(&mut *f);
                extra_strings_mut(&mut e.extra, f);
            }
            extra_strings_mut(&mut t.extra, f);
        }
        extra_strings_mut(&mut self.extra, f);
    }
}

impl Transitions {
    /// `{}`: no transition at all (what a disconnect has).
    pub fn is_empty(&self) -> bool {
        self.next_action.is_none()
            && self.conditions.is_none()
            && self.errors.is_none()
            && self.extra.is_empty()
    }

    /// Every branch's target, named by its place: `NextAction`, `Conditions[0].NextAction`,
    /// `Errors[1].NextAction`.
    pub fn targets(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = Vec::new();
        if let Some(next) = &self.next_action {
            out.push(("NextAction".into(), next));
        }
        for (k, c) in self.conditions.iter().flatten().enumerate() {
            if let Some(next) = &c.next_action {
                out.push((format!("Conditions[{k}].NextAction"), next));
            }
        }
        for (k, e) in self.errors.iter().flatten().enumerate() {
            if let Some(next) = &e.next_action {
                out.push((format!("Errors[{k}].NextAction"), next));
            }
        }
        out
    }
}

fn value_strings(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|x| value_strings(x, f)),
        Value::Object(o) => o.values().for_each(|x| value_strings(x, f)),
        _ => {}
    }
}

fn value_strings_mut(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| value_strings_mut(x, f)),
        Value::Object(o) => o.values_mut().for_each(|x| value_strings_mut(x, f)),
        _ => {}
    }
}

fn extra_strings_mut(extra: &mut Extra, f: &mut dyn FnMut(&mut String)) {
    extra.values_mut().for_each(|v| value_strings_mut(v, f));
}
