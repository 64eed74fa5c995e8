//! Reading Amazon Connect contact records (CTRs) as the center's export delivers them.
//!
//! Connect streams one JSON object per contact through Kinesis or Firehose to S3. Firehose writes
//! the objects one per line or back to back with nothing between them, often gzip-compressed, in
//! many files under dated folders; delivery is at least once, and a contact's record is sent again
//! when something changes after it ended (after-call work finishing, attributes updated). So a
//! reader must take both layouts, plain or gzip, a folder of files; keep, per `ContactId`, the
//! copy with the highest `LastUpdateTimestamp`; and ignore fields it does not know (AWS adds
//! fields). A record that cannot be read is counted with its file and line and skipped; the rest
//! of the file is still read.
//!
//! Only the fields calibration uses are kept, in a compact form, so that a million records fit in
//! a few hundred megabytes.

use chrono::DateTime;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An instant, in milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// A text field. The few distinct values of a field (channels, reasons, verdicts, queue names,
/// result codes) are kept once, shared by every record that has them: a million records hold a
/// few hundred of them, not a million copies.
pub type Text = Arc<str>;

/// The distinct texts read so far.
#[derive(Debug, Default)]
struct Interner {
    texts: HashSet<Text>,
}

impl Interner {
    fn text(&mut self, s: String) -> Text {
        if let Some(t) = self.texts.get(s.as_str()) {
            return t.clone();
        }
        let t: Text = s.into();
        self.texts.insert(t.clone());
        t
    }

    fn opt(&mut self, s: Option<String>) -> Option<Text> {
        s.map(|s| self.text(s))
    }
}

/// One contact, as its latest record describes it: the fields calibration reads.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactRecord {
    pub contact_id: Text,
    /// `LastUpdateTimestamp`; `None` when the record has none (it then loses to any copy with one).
    pub last_update: Option<Millis>,
    pub channel: Option<Text>,
    pub initiation_method: Option<Text>,
    /// `InitiationTimestamp`: when the call was launched.
    pub initiated: Millis,
    /// `ConnectedToSystemTimestamp`: when the customer's end answered (absent: never answered).
    pub connected_to_system: Option<Millis>,
    pub disconnected: Option<Millis>,
    pub disconnect_reason: Option<Text>,
    /// `AnsweringMachineDetectionStatus` (present only when AMD was on).
    pub amd_status: Option<Text>,
    /// Boxed: most contacts never reach the queue, and a million records should not each carry
    /// room for one.
    pub queue: Option<Box<QueueVisit>>,
    pub agent: Option<Box<AgentPart>>,
    /// The contact attributes the reader was asked to keep (the result code, the selection
    /// attribute, the time zone attribute), by name.
    pub attributes: Vec<(Text, Text)>,
    /// Where the kept copy was read: the file's index in [`Records::files`] and its line.
    pub source: (u32, u32),
}

/// The contact's time in the queue (`Queue`).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueVisit {
    /// `Queue.Name`, or its ARN when the name is missing.
    pub name: Option<Text>,
    pub arn: Option<Text>,
    pub enqueued: Option<Millis>,
    pub dequeued: Option<Millis>,
    /// `Queue.Duration`, in seconds.
    pub duration_s: Option<f64>,
}

/// The agent's part of the contact (`Agent`).
#[derive(Clone, Debug, PartialEq)]
pub struct AgentPart {
    pub connected_to_agent: Option<Millis>,
    pub acw_start: Option<Millis>,
    pub acw_end: Option<Millis>,
    /// `Agent.AfterContactWorkDuration`, in seconds.
    pub acw_duration_s: Option<f64>,
    /// `Agent.AgentInteractionDuration`, in seconds: the talk time.
    pub interaction_s: Option<f64>,
}

impl ContactRecord {
    /// The value of a kept attribute.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| &**v)
    }
}

/// Why a record was not used.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectKind {
    /// Not JSON, or cut short (a truncated line, a file ending inside an object).
    Syntax,
    /// JSON, but a field has the wrong type or a timestamp does not parse.
    Field,
    /// A field calibration needs is missing (`ContactId`, `InitiationTimestamp`).
    Missing,
    /// Timestamps out of order (answered before launched, dequeued before enqueued, …).
    Order,
    /// A time or a duration beyond the seven days a voice contact can last.
    Range,
    /// The file could not be opened or decompressed.
    File,
}

impl RejectKind {
    pub fn describe(&self) -> &'static str {
        match self {
            RejectKind::Syntax => "not JSON or cut short",
            RejectKind::Field => "a field of the wrong type",
            RejectKind::Missing => "a required field missing",
            RejectKind::Order => "timestamps out of order",
            RejectKind::Range => "a time beyond a voice contact's 7 days",
            RejectKind::File => "a file that could not be read",
        }
    }
}

/// A record that was not used: where, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    pub file: u32,
    pub line: u32,
    pub kind: RejectKind,
    pub reason: String,
}

/// Every record read from the inputs, de-duplicated, and every one that could not be used.
#[derive(Debug, Default)]
pub struct Records {
    /// The files read, in order; a [`ContactRecord::source`] and a [`Rejected::file`] index it.
    pub files: Vec<PathBuf>,
    /// One per contact, in order of first appearance.
    pub contacts: Vec<ContactRecord>,
    /// Records read (each copy counted).
    pub read: u64,
    /// Copies dropped because another copy of the same contact was newer (or as new and read
    /// first).
    pub duplicates: u64,
    /// The first [`MAX_KEPT_REJECTS`] rejected records in detail; [`Records::rejected_by_kind`]
    /// counts them all.
    pub rejected: Vec<Rejected>,
    pub rejected_by_kind: Vec<(RejectKind, u64)>,
    index: HashMap<Text, usize>,
    interner: Interner,
}

/// The longest a voice contact lasts in Connect (seven days), in milliseconds.
pub const MAX_CONTACT_MS: i64 = 7 * 86_400_000;

/// How many rejected records are kept in detail (the rest are only counted).
pub const MAX_KEPT_REJECTS: usize = 1000;

impl Records {
    /// All rejected records, counted.
    pub fn rejected_total(&self) -> u64 {
        self.rejected_by_kind.iter().map(|(_, n)| n).sum()
    }

    /// `file:line` of a source.
    pub fn place(&self, file: u32, line: u32) -> String {
        format!("{}:{line}", self.files[file as usize].display())
    }

    fn reject(&mut self, file: u32, line: u32, kind: RejectKind, reason: String) {
        match self.rejected_by_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => {
                self.rejected_by_kind.push((kind.clone(), 1));
                self.rejected_by_kind.sort();
            }
        }
        if self.rejected.len() < MAX_KEPT_REJECTS {
            self.rejected.push(Rejected {
                file,
                line,
                kind,
                reason,
            });
        }
    }

    fn keep(&mut self, record: ContactRecord) {
        match self.index.get(&record.contact_id) {
            Some(&at) => {
                self.duplicates += 1;
                if record.last_update > self.contacts[at].last_update {
                    self.contacts[at] = record;
                }
            }
            None => {
                self.index
                    .insert(record.contact_id.clone(), self.contacts.len());
                self.contacts.push(record);
            }
        }
    }

    /// Reads every record of `bytes` (one file's contents, decompressed), the file numbered
    /// `file`, keeping the attributes named in `keep_attributes`.
    pub fn read_bytes(&mut self, file: u32, bytes: &[u8], keep_attributes: &[String]) {
        // Lines are counted as the reading goes (positions only grow), so a large file costs
        // one pass.
        let mut line = 1u32;
        let mut counted_to = 0usize;
        let mut line_at = |pos: usize| {
            line += count_lines(&bytes[counted_to..pos]);
            counted_to = pos;
            line
        };
        let mut offset = 0;
        while offset < bytes.len() {
            let mut stream =
                serde_json::Deserializer::from_slice(&bytes[offset..]).into_iter::<&RawValue>();
            let mut next_offset = bytes.len();
            loop {
                let start = offset + stream.byte_offset();
                let first = bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map_or(bytes.len(), |n| start + n);
                match stream.next() {
                    None => break,
                    Some(Ok(raw)) => {
                        let at = line_at(first);
                        self.read += 1;
                        match parse_record(raw.get(), keep_attributes, &mut self.interner) {
                            Ok(mut record) => {
                                record.source = (file, at);
                                self.keep(record);
                            }
                            Err((kind, reason)) => self.reject(file, at, kind, reason),
                        }
                    }
                    Some(Err(e)) => {
                        // Cut short or not JSON: count it on the line it starts, then go on
                        // from the next line (a line-delimited file loses only that line).
                        let at = line_at(first);
                        self.read += 1;
                        self.reject(file, at, RejectKind::Syntax, strip_position(&e));
                        next_offset = match bytes[first..].iter().position(|&b| b == b'\n') {
                            Some(n) => first + n + 1,
                            None => bytes.len(),
                        };
                        break;
                    }
                }
            }
            offset = next_offset;
        }
    }

    /// Reads one file, plain or gzip (told apart by its first bytes, not its name).
    pub fn read_file(&mut self, path: &Path, keep_attributes: &[String]) {
        let file = self.files.len() as u32;
        self.files.push(path.to_path_buf());
        match load(path) {
            Ok(bytes) => self.read_bytes(file, &bytes, keep_attributes),
            Err(reason) => self.reject(file, 0, RejectKind::File, reason),
        }
    }
}

fn count_lines(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u32
}

/// A file's contents, gunzipped when it starts with gzip's magic bytes.
fn load(path: &Path) -> Result<Vec<u8>, String> {
    let raw = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip that does not decompress: {e}"))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// The files under `inputs`: a file as given, a folder's files (recursively, in name order,
/// hidden files left out).
pub fn list_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| {
            format!(
                "{}: {e}: give contact record files (JSON lines or back-to-back objects, plain or .gz) or folders of them",
                input.display()
            )
        })?;
        if meta.is_dir() {
            walk(input, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads every file under `inputs`.
pub fn read(inputs: &[PathBuf], keep_attributes: &[String]) -> Result<Records, String> {
    let mut records = Records::default();
    for file in list_files(inputs)? {
        records.read_file(&file, keep_attributes);
    }
    Ok(records)
}

// The record as Connect writes it: every field optional, unknown ones ignored.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire {
    contact_id: Option<String>,
    last_update_timestamp: Option<String>,
    channel: Option<String>,
    initiation_method: Option<String>,
    initiation_timestamp: Option<String>,
    connected_to_system_timestamp: Option<String>,
    disconnect_timestamp: Option<String>,
    disconnect_reason: Option<String>,
    answering_machine_detection_status: Option<String>,
    queue: Option<WireQueue>,
    agent: Option<WireAgent>,
    attributes: Option<HashMap<String, Option<String>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireQueue {
    name: Option<String>,
    #[serde(rename = "ARN")]
    arn: Option<String>,
    enqueue_timestamp: Option<String>,
    dequeue_timestamp: Option<String>,
    duration: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireAgent {
    connected_to_agent_timestamp: Option<String>,
    after_contact_work_start_timestamp: Option<String>,
    after_contact_work_end_timestamp: Option<String>,
    after_contact_work_duration: Option<f64>,
    agent_interaction_duration: Option<f64>,
}

/// An ISO 8601 timestamp (`2024-03-05T14:02:11Z`, with or without fractions or an offset).
fn timestamp(field: &str, value: &Option<String>) -> Result<Option<Millis>, (RejectKind, String)> {
    match value {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.timestamp_millis()))
            .map_err(|e| {
                (
                    RejectKind::Field,
                    format!("{field} {text:?} is not an ISO 8601 timestamp ({e})"),
                )
            }),
    }
}

fn non_negative(field: &str, value: Option<f64>) -> Result<Option<f64>, (RejectKind, String)> {
    match value {
        Some(v) if !(v.is_finite() && v >= 0.0) => Err((
            RejectKind::Field,
            format!("{field} is {v}: a duration is 0 s or more"),
        )),
        other => Ok(other),
    }
}

fn parse_record(
    json: &str,
    keep: &[String],
    interner: &mut Interner,
) -> Result<ContactRecord, (RejectKind, String)> {
    let wire: Wire =
        serde_json::from_str(json).map_err(|e| (RejectKind::Field, strip_position(&e)))?;
    let contact_id = wire
        .contact_id
        .filter(|id| !id.is_empty())
        .ok_or((RejectKind::Missing, "no ContactId".to_string()))?;
    let initiated = timestamp("InitiationTimestamp", &wire.initiation_timestamp)?.ok_or((
        RejectKind::Missing,
        format!("contact {contact_id}: no InitiationTimestamp"),
    ))?;
    let connected_to_system = timestamp(
        "ConnectedToSystemTimestamp",
        &wire.connected_to_system_timestamp,
    )?;
    let disconnected = timestamp("DisconnectTimestamp", &wire.disconnect_timestamp)?;
    let queue = match wire.queue {
        None => None,
        Some(q) => Some(Box::new(QueueVisit {
            name: interner.opt(q.name),
            arn: interner.opt(q.arn),
            enqueued: timestamp("Queue.EnqueueTimestamp", &q.enqueue_timestamp)?,
            dequeued: timestamp("Queue.DequeueTimestamp", &q.dequeue_timestamp)?,
            duration_s: non_negative("Queue.Duration", q.duration)?,
        })),
    };
    let agent = match wire.agent {
        None => None,
        Some(a) => Some(Box::new(AgentPart {
            connected_to_agent: timestamp(
                "Agent.ConnectedToAgentTimestamp",
                &a.connected_to_agent_timestamp,
            )?,
            acw_start: timestamp(
                "Agent.AfterContactWorkStartTimestamp",
                &a.after_contact_work_start_timestamp,
            )?,
            acw_end: timestamp(
                "Agent.AfterContactWorkEndTimestamp",
                &a.after_contact_work_end_timestamp,
            )?,
            acw_duration_s: non_negative(
                "Agent.AfterContactWorkDuration",
                a.after_contact_work_duration,
            )?,
            interaction_s: non_negative(
                "Agent.AgentInteractionDuration",
                a.agent_interaction_duration,
            )?,
        })),
    };
    let order =
        |earlier: (&str, Option<Millis>), later: (&str, Option<Millis>)| match (earlier.1, later.1)
        {
            (Some(a), Some(b)) if b < a => Err((
                RejectKind::Order,
                format!(
                    "contact {contact_id}: {} is {} s before {}",
                    later.0,
                    (a - b) as f64 / 1000.0,
                    earlier.0
                ),
            )),
            _ => Ok(()),
        };
    order(
        ("InitiationTimestamp", Some(initiated)),
        ("ConnectedToSystemTimestamp", connected_to_system),
    )?;
    order(
        ("InitiationTimestamp", Some(initiated)),
        ("DisconnectTimestamp", disconnected),
    )?;
    if let Some(q) = &queue {
        order(
            ("Queue.EnqueueTimestamp", q.enqueued),
            ("Queue.DequeueTimestamp", q.dequeued),
        )?;
        order(
            ("ConnectedToSystemTimestamp", connected_to_system),
            ("Queue.EnqueueTimestamp", q.enqueued),
        )?;
    }
    if let Some(a) = &agent {
        order(
            ("Agent.ConnectedToAgentTimestamp", a.connected_to_agent),
            ("Agent.AfterContactWorkStartTimestamp", a.acw_start),
        )?;
        order(
            ("Agent.AfterContactWorkStartTimestamp", a.acw_start),
            ("Agent.AfterContactWorkEndTimestamp", a.acw_end),
        )?;
    }
    // A voice contact lasts at most seven days in Connect: a time further from the launch, or a
    // longer duration, is a broken record, not a long call.
    let within = |field: &str, t: Option<Millis>| match t {
        Some(t) if t - initiated > MAX_CONTACT_MS => Err((
            RejectKind::Range,
            format!(
                "contact {contact_id}: {field} is {:.1} days after InitiationTimestamp: a voice contact lasts at most 7 days",
                (t - initiated) as f64 / 86_400_000.0
            ),
        )),
        _ => Ok(()),
    };
    within("ConnectedToSystemTimestamp", connected_to_system)?;
    within("DisconnectTimestamp", disconnected)?;
    if let Some(q) = &queue {
        within("Queue.EnqueueTimestamp", q.enqueued)?;
        within("Queue.DequeueTimestamp", q.dequeued)?;
    }
    if let Some(a) = &agent {
        within("Agent.ConnectedToAgentTimestamp", a.connected_to_agent)?;
        within("Agent.AfterContactWorkStartTimestamp", a.acw_start)?;
        within("Agent.AfterContactWorkEndTimestamp", a.acw_end)?;
    }
    let long = |field: &str, d: Option<f64>| match d {
        Some(d) if d * 1000.0 > MAX_CONTACT_MS as f64 => Err((
            RejectKind::Range,
            format!(
                "contact {contact_id}: {field} is {} s: a voice contact lasts at most 7 days",
                rules::param::show_found(d)
            ),
        )),
        _ => Ok(()),
    };
    long("Queue.Duration", queue.as_ref().and_then(|q| q.duration_s))?;
    long(
        "Agent.AfterContactWorkDuration",
        agent.as_ref().and_then(|a| a.acw_duration_s),
    )?;
    long(
        "Agent.AgentInteractionDuration",
        agent.as_ref().and_then(|a| a.interaction_s),
    )?;
    let attributes = match wire.attributes {
        None => Vec::new(),
        Some(mut map) => keep
            .iter()
            .filter_map(|k| {
                let v = map.remove(k).flatten()?;
                Some((interner.text(k.clone()), interner.text(v)))
            })
            .collect(),
    };
    Ok(ContactRecord {
        // Unique per contact: not worth interning.
        contact_id: contact_id.into(),
        last_update: timestamp("LastUpdateTimestamp", &wire.last_update_timestamp)?,
        channel: interner.opt(wire.channel),
        initiation_method: interner.opt(wire.initiation_method),
        initiated,
        connected_to_system,
        disconnected,
        disconnect_reason: interner.opt(wire.disconnect_reason),
        amd_status: interner.opt(wire.answering_machine_detection_status),
        queue,
        agent,
        attributes,
        source: (0, 0),
    })
}

/// serde's message without its "at line 1 column N" (the line is the record's, given apart).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, updated: &str) -> String {
        format!(
            r#"{{"ContactId":"{id}","LastUpdateTimestamp":"{updated}","InitiationTimestamp":"2026-03-02T14:00:00Z","Channel":"VOICE","NewFieldAwsAdded":{{"x":[1,2]}}}}"#
        )
    }

    fn read(text: &str) -> Records {
        let mut r = Records {
            files: vec![PathBuf::from("f.json")],
            ..Records::default()
        };
        r.read_bytes(0, text.as_bytes(), &[]);
        r
    }

    #[test]
    fn lines_and_back_to_back_objects_read_alike() {
        let a = record("a", "2026-03-02T14:10:00Z");
        let b = record("b", "2026-03-02T14:10:00Z");
        let lines = read(&format!("{a}\n{b}\n"));
        let glued = read(&format!("{a}{b}"));
        assert_eq!(lines.contacts.len(), 2);
        assert_eq!(glued.contacts.len(), 2);
        assert_eq!(lines.contacts[1].source, (0, 2));
        assert_eq!(glued.contacts[1].source, (0, 1));
        assert_eq!(lines.rejected_total(), 0);
    }

    #[test]
    fn the_newest_copy_of_a_contact_wins_whatever_the_order() {
        let old = record("a", "2026-03-02T14:10:00Z").replace("VOICE", "OLD");
        let new = record("a", "2026-03-02T14:20:00Z");
        for text in [format!("{old}\n{new}"), format!("{new}\n{old}")] {
            let r = read(&text);
            assert_eq!(r.contacts.len(), 1);
            assert_eq!(r.duplicates, 1);
            assert_eq!(r.contacts[0].channel.as_deref(), Some("VOICE"));
        }
    }

    #[test]
    fn a_truncated_line_is_counted_where_it_is_and_the_rest_is_read() {
        let a = record("a", "2026-03-02T14:10:00Z");
        let b = record("b", "2026-03-02T14:10:00Z");
        let cut = &a[..a.len() / 2];
        let r = read(&format!("{a}\n{cut}\n{b}\n"));
        assert_eq!(r.contacts.len(), 2);
        assert_eq!(r.rejected.len(), 1);
        assert_eq!(r.rejected[0].line, 2);
        assert_eq!(r.rejected[0].kind, RejectKind::Syntax);
        assert_eq!(r.contacts[1].source, (0, 3));
    }

    #[test]
    fn wrong_types_missing_ids_and_reversed_times_are_rejected_with_a_reason() {
        let wrong = r#"{"ContactId":"w","InitiationTimestamp":"2026-03-02T14:00:00Z","Queue":{"Duration":"long"}}"#;
        let no_id = r#"{"InitiationTimestamp":"2026-03-02T14:00:00Z"}"#;
        let reversed = r#"{"ContactId":"r","InitiationTimestamp":"2026-03-02T14:00:00Z","ConnectedToSystemTimestamp":"2026-03-02T13:59:50Z"}"#;
        let bad_time = r#"{"ContactId":"t","InitiationTimestamp":"yesterday"}"#;
        let r = read(&[wrong, no_id, reversed, bad_time].join("\n"));
        assert!(r.contacts.is_empty());
        let kinds: Vec<_> = r
            .rejected
            .iter()
            .map(|x| (x.line, x.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                (1, RejectKind::Field),
                (2, RejectKind::Missing),
                (3, RejectKind::Order),
                (4, RejectKind::Field)
            ]
        );
        assert!(
            r.rejected[2].reason.contains("10 s before"),
            "{:?}",
            r.rejected[2]
        );
        assert!(r.rejected[3].reason.contains("yesterday"));
    }

    #[test]
    fn a_contact_longer_than_a_week_is_rejected_as_broken() {
        let far = r#"{"ContactId":"f","InitiationTimestamp":"2026-03-02T14:00:00Z","DisconnectTimestamp":"2096-03-02T14:00:00Z"}"#;
        let long = r#"{"ContactId":"l","InitiationTimestamp":"2026-03-02T14:00:00Z","Agent":{"AgentInteractionDuration":1e300}}"#;
        let r = read(&[far, long].join("\n"));
        assert!(r.contacts.is_empty());
        assert!(
            r.rejected.iter().all(|x| x.kind == RejectKind::Range),
            "{:?}",
            r.rejected
        );
        assert!(
            r.rejected[0]
                .reason
                .contains("days after InitiationTimestamp")
        );
    }

    #[test]
    fn only_the_attributes_asked_for_are_kept() {
        let text = r#"{"ContactId":"a","InitiationTimestamp":"2026-03-02T14:00:00.250Z","Attributes":{"dialsim_result":"1","other":"x","empty":null}}"#;
        let mut r = Records {
            files: vec![PathBuf::from("f")],
            ..Records::default()
        };
        r.read_bytes(
            0,
            text.as_bytes(),
            &["dialsim_result".into(), "empty".into()],
        );
        assert_eq!(r.contacts[0].attribute("dialsim_result"), Some("1"));
        assert_eq!(r.contacts[0].attributes.len(), 1);
        assert_eq!(r.contacts[0].initiated % 1000, 250);
    }
}
