//! The campaign store: an embedded SQLite database (WAL mode, `synchronous = FULL`) holding the
//! customers, every attempt and the campaign's identity.
//!
//! The rule that makes a crash harmless: an attempt is written and committed in state `planned`,
//! with its deterministic ClientToken, **before** the dial is placed. Then it becomes `placed`
//! (with Connect's contact id) and `finished` (with its outcome), or `failed` (Connect refused it
//! with an error). Reopening the store after a crash returns every `planned` attempt, to be
//! re-issued with the same token (Connect answers a token it has seen with the contact it started,
//! for 7 days), and every `placed` one, whose outcome is still to be learned. A customer never has
//! two attempts with the same number (`UNIQUE(customer_id, number)`), nor a second attempt while
//! one is in flight.

use crate::compliance::FinishedCall;
use crate::contacts::Entry;
use crate::dial_index::{DialIndex, Listed};
use crate::outcome::Outcome;
use crate::time::UnixMillis;
use crate::token::client_token;
use rules::Rules;
use rules::rulebook::{self as compliance, CustomerFacts, PastAttempt, PastState, Verdict};
use rules::zone::Zone;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// 1: the first store. 2: customers keep a time zone (`time_zone`, an offset or an IANA
/// name); attempts keep what Connect said of the call (`initiated_at_ms`, `answered_at_ms`,
/// `disconnect_reason`, `machine_detection`, `result_code`), so that `export
/// --contact-records` can write the campaign's calls as contact records.
const SCHEMA_VERSION: i64 = 2;

/// What turns a version-1 store into a version-2 one (the offsets become zones in Rust).
const MIGRATE_1_TO_2: &str = "
ALTER TABLE customers ADD COLUMN time_zone TEXT;
ALTER TABLE attempts ADD COLUMN initiated_at_ms INTEGER;
ALTER TABLE attempts ADD COLUMN answered_at_ms INTEGER;
ALTER TABLE attempts ADD COLUMN disconnect_reason TEXT;
ALTER TABLE attempts ADD COLUMN machine_detection TEXT;
ALTER TABLE attempts ADD COLUMN result_code TEXT;
";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS campaign (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    imported_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS customers (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    line INTEGER NOT NULL,
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    -- Version 1's offset: read once, by the migration to version 2; time_zone is the zone.
    utc_offset_ms INTEGER,
    do_not_call INTEGER NOT NULL,
    on_dnc_list INTEGER NOT NULL,
    invalid TEXT,
    listed INTEGER NOT NULL,
    time_zone TEXT
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    token TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('planned', 'placed', 'finished', 'failed')),
    planned_at_ms INTEGER NOT NULL,
    placed_at_ms INTEGER,
    contact_id TEXT,
    finished_at_ms INTEGER,
    outcome TEXT,
    queued_at_ms INTEGER,
    connected_at_ms INTEGER,
    ended_at_ms INTEGER,
    error TEXT,
    initiated_at_ms INTEGER,
    answered_at_ms INTEGER,
    disconnect_reason TEXT,
    machine_detection TEXT,
    result_code TEXT,
    UNIQUE (customer_id, number)
);
CREATE INDEX IF NOT EXISTS attempts_state ON attempts(state);
CREATE INDEX IF NOT EXISTS attempts_ended ON attempts(ended_at_ms);
CREATE TABLE IF NOT EXISTS metrics (
    at_ms INTEGER NOT NULL,
    staffed INTEGER NOT NULL,
    available INTEGER NOT NULL,
    on_contact INTEGER NOT NULL,
    after_contact_work INTEGER NOT NULL,
    in_queue INTEGER NOT NULL,
    oldest_in_queue_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_at ON metrics(at_ms);
CREATE TABLE IF NOT EXISTS clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    wall_ms INTEGER NOT NULL,
    campaign_ms INTEGER NOT NULL,
    scale REAL NOT NULL
);
";

/// Which campaign a store belongs to. Its ClientTokens derive from it, so a store is never
/// reused by another campaign or instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub campaign: String,
    pub instance_id: String,
}

/// Why the store refused.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    /// `status` or `export` on a store that does not exist yet.
    Missing(PathBuf),
    /// The store was made for another campaign or instance.
    Mismatch {
        path: PathBuf,
        found: Identity,
        wanted: Identity,
    },
    /// The store was written by a newer dialsim.
    Version {
        path: PathBuf,
        found: i64,
    },
    /// The customer may not be dialed now.
    NotCallable {
        customer: i64,
        verdict: Verdict,
    },
    /// A state change that does not follow planned → placed → finished (or planned → failed).
    BadTransition {
        attempt: i64,
        from: String,
        to: &'static str,
    },
    NoSuchCustomer(i64),
    /// A real run on a store whose clock was run faster by a rehearsal.
    Rehearsed {
        scale: f64,
    },
    /// Another `live run` holds the store.
    Locked {
        path: PathBuf,
        holder: String,
    },
    /// The lock file beside the store cannot be made.
    Lock {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "campaign store: {e}"),
            StoreError::Missing(p) => write!(
                f,
                "no campaign store at {}: run `live import` with this campaign file first",
                p.display()
            ),
            StoreError::Mismatch {
                path,
                found,
                wanted,
            } => write!(
                f,
                "campaign store {} belongs to campaign {:?} on instance {:?}, but the campaign file says {:?} on {:?}: give this campaign its own `store` path",
                path.display(),
                found.campaign,
                found.instance_id,
                wanted.campaign,
                wanted.instance_id
            ),
            StoreError::Version { path, found } => write!(
                f,
                "campaign store {} has schema version {found}, this live knows {SCHEMA_VERSION}: use a newer live",
                path.display()
            ),
            StoreError::Rehearsed { scale } => write!(
                f,
                "this campaign store was used for a rehearsal at {scale}× speed, so its times are not real times: give the real campaign a fresh `store` path (or keep rehearsing with --time-scale)"
            ),
            StoreError::NotCallable { customer, verdict } => {
                write!(f, "customer {customer} may not be dialed now: {verdict:?}")
            }
            StoreError::BadTransition { attempt, from, to } => {
                write!(f, "attempt {attempt} is {from}, it cannot become {to}")
            }
            StoreError::NoSuchCustomer(id) => write!(f, "no customer {id} in the store"),
            StoreError::Locked { path, holder } => write!(
                f,
                "another `live run` is using this campaign store ({holder}; lock {}): two runs on one campaign would each take up the other's calls. Stop it first (Ctrl-C lets it finish its calls), or wait for it to end",
                path.display()
            ),
            StoreError::Lock { path, error } => write!(
                f,
                "cannot make the lock file {}: {error}: the campaign store's folder must be writable",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A customer as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    pub id: i64,
    pub line: u64,
    pub phone: String,
    pub name: String,
    /// The customer's time zone; `None` on an invalid line whose zone could not be read.
    pub zone: Option<Zone>,
    /// The list's own flag.
    pub do_not_call: bool,
    /// On the do-not-call file at the last import.
    pub on_dnc_list: bool,
    /// Why the line is invalid, if it is.
    pub invalid: Option<String>,
    /// In the contact list at the last import.
    pub listed: bool,
}

impl Customer {
    pub fn facts(&self) -> CustomerFacts {
        CustomerFacts {
            zone: self.zone,
            do_not_call: self.do_not_call || self.on_dnc_list,
            invalid: self.invalid.is_some(),
        }
    }
}

/// Where an attempt stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptState {
    /// Written before the dial; not confirmed placed.
    Planned,
    /// Connect started the contact.
    Placed { contact_id: String },
    Finished {
        contact_id: String,
        outcome: Outcome,
    },
    /// Connect refused the dial with an error.
    Failed { error: String },
}

/// One attempt as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub id: i64,
    pub customer_id: i64,
    pub phone: String,
    /// 1 for the first call to the customer.
    pub number: u32,
    /// The ClientToken (a UUID).
    pub token: String,
    pub state: AttemptState,
    pub planned_at: UnixMillis,
}

/// What a finished call came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finish {
    pub outcome: Outcome,
    pub queued_at: Option<UnixMillis>,
    pub connected_at: Option<UnixMillis>,
    pub ended_at: UnixMillis,
    /// What Connect said of the call besides: when it was answered, why it ended, the
    /// answering-machine verdict, the flow's result code (kept for the contact records).
    pub answer: AnswerFacts,
}

/// What Connect said of a call's answer and end, as DescribeContact reported it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerFacts {
    /// InitiationTimestamp: when Connect started the call.
    pub initiated_at: Option<UnixMillis>,
    /// ConnectedToSystemTimestamp: the customer's line answered (a person or a machine).
    pub answered_at: Option<UnixMillis>,
    /// DisconnectReason (`TELECOM_BUSY`, `CUSTOMER_DISCONNECT`, …).
    pub disconnect_reason: Option<String>,
    /// AnsweringMachineDetectionStatus (`HUMAN_ANSWERED`, `VOICEMAIL_BEEP`, …).
    pub machine_detection: Option<String>,
    /// The flow's result attribute (`1`, `2`, `-2`, …).
    pub result_code: Option<String>,
}

/// A call Connect placed, as the store keeps it once its outcome is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedCall {
    pub contact_id: String,
    pub phone: String,
    pub zone: Option<Zone>,
    pub customer_id: i64,
    /// 1 for the first call to the customer.
    pub number: u32,
    pub outcome: Outcome,
    /// Connect's InitiationTimestamp when it was read, else when the dial was confirmed.
    pub initiated_at: UnixMillis,
    pub queued_at: Option<UnixMillis>,
    pub connected_at: Option<UnixMillis>,
    pub ended_at: UnixMillis,
    pub answer: AnswerFacts,
}

/// Attempts found unfinished when the store was opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Planned but never confirmed placed: re-issue each with its own (the same) token.
    pub reissue: Vec<Attempt>,
    /// Placed, outcome not yet recorded: learn it from Connect by contact id.
    pub awaiting_outcome: Vec<Attempt>,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Customers in the store but no longer in the list: kept, never dialed again.
    pub unlisted: u64,
    /// The invalid lines of the list (kept in the store as invalid customers).
    pub invalid: Vec<Entry>,
    /// Valid customers on the do-not-call file or flagged in the list.
    pub do_not_call: u64,
}

/// One row of `live export`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerSummary {
    pub customer: Customer,
    /// "1", "2", "3", "0", "-2", "abandoned", "-1", "dnc" or "invalid".
    pub code: &'static str,
    pub attempts: u32,
    /// The outcome of the last finished attempt (`failed` for a refused dial).
    pub last_outcome: Option<String>,
    pub first_dialed_at: Option<UnixMillis>,
    pub last_dialed_at: Option<UnixMillis>,
    pub last_ended_at: Option<UnixMillis>,
    pub in_flight: bool,
}

/// What pacing needs from the list at one moment ([`Store::pacing_view`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PacingView {
    pub callable_now: u64,
    /// Customers who may still be called: now, later, or with a call in flight.
    pub remaining: u64,
    /// When the next customer not callable now becomes callable, when known.
    pub next_opening: Option<UnixMillis>,
}

/// One GetCurrentMetricData answer, kept for occupancy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricSample {
    pub at: UnixMillis,
    pub staffed: u32,
    pub available: u32,
    pub on_contact: u32,
    pub after_contact_work: u32,
    pub in_queue: u32,
    pub oldest_in_queue_ms: u64,
}

/// The campaign store.
pub struct Store {
    conn: Connection,
    identity: Identity,
    /// Who is callable next, built at the first pacing decision and kept up to date by every
    /// change to the attempts; dropped by an import.
    index: Option<DialIndex>,
}

fn opt_ms(v: Option<i64>) -> Option<UnixMillis> {
    v.map(UnixMillis)
}

impl Store {
    /// Opens (or, with `create`, creates) the store at `path` for `identity`, and returns the
    /// attempts a crash may have left unfinished. `now` is recorded as the creation time.
    pub fn open(
        path: &Path,
        identity: &Identity,
        create: bool,
        now: UnixMillis,
    ) -> Result<(Store, Recovery)> {
        if !create && !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            identity: identity.clone(),
            index: None,
        };
        let tx = store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA)?;
        let found: Option<(String, String, i64)> = tx
            .query_row(
                "SELECT name, instance_id, schema_version FROM campaign WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match found {
            None => {
                tx.execute(
                    "INSERT INTO campaign (id, name, instance_id, schema_version, created_at_ms) VALUES (1, ?1, ?2, ?3, ?4)",
                    params![identity.campaign, identity.instance_id, SCHEMA_VERSION, now.0],
                )?;
            }
            Some((name, instance_id, version)) => {
                if version > SCHEMA_VERSION {
                    return Err(StoreError::Version {
                        path: path.to_path_buf(),
                        found: version,
                    });
                }
                if version < 2 {
                    migrate_1_to_2(&tx)?;
                }
                if name != identity.campaign || instance_id != identity.instance_id {
                    return Err(StoreError::Mismatch {
                        path: path.to_path_buf(),
                        found: Identity {
                            campaign: name,
                            instance_id,
                        },
                        wanted: identity.clone(),
                    });
                }
            }
        }
        tx.commit()?;
        let recovery = Recovery {
            reissue: store.attempts_where("a.state = 'planned'")?,
            awaiting_outcome: store.attempts_where("a.state = 'placed'")?,
        };
        Ok((store, recovery))
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Imports the contact list: adds new customers, updates changed ones (name, offset, flags),
    /// marks those no longer listed, and replaces the invalid lines by the current ones. Running it
    /// twice on the same list changes nothing. `dnc` is the do-not-call file's numbers.
    pub fn import(
        &mut self,
        entries: &[Entry],
        dnc: &HashSet<String>,
        now: UnixMillis,
    ) -> Result<ImportReport> {
        self.index = None;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut report = ImportReport::default();
        let mut keys = HashSet::new();
        for e in entries {
            let key = match &e.invalid {
                None => e.phone.clone(),
                Some(_) => format!("invalid:{}:{}", e.line, e.phone),
            };
            keys.insert(key.clone());
            let on_dnc = e.is_valid() && dnc.contains(&e.phone);
            if e.is_valid() && (on_dnc || e.do_not_call) {
                report.do_not_call += 1;
            }
            if e.invalid.is_some() {
                report.invalid.push(e.clone());
            }
            let existing: Option<Customer> = tx
                .query_row(
                    &format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE key = ?1"),
                    [&key],
                    customer_row,
                )
                .optional()?;
            match existing {
                None => {
                    tx.execute(
                        "INSERT INTO customers (key, line, phone, name, time_zone, do_not_call, on_dnc_list, invalid, listed)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
                        params![key, e.line, e.phone, e.name, zone_text(e.zone), e.do_not_call, on_dnc, e.invalid],
                    )?;
                    report.added += 1;
                }
                Some(old) => {
                    let id = old.id;
                    let wanted = Customer {
                        id,
                        line: e.line,
                        phone: e.phone.clone(),
                        name: e.name.clone(),
                        zone: e.zone,
                        do_not_call: e.do_not_call,
                        on_dnc_list: on_dnc,
                        invalid: e.invalid.clone(),
                        listed: true,
                    };
                    if old == wanted {
                        report.unchanged += 1;
                    } else {
                        tx.execute(
                            "UPDATE customers SET line = ?2, name = ?3, time_zone = ?4, do_not_call = ?5, on_dnc_list = ?6, invalid = ?7, listed = 1 WHERE id = ?1",
                            params![id, e.line, e.name, zone_text(e.zone), e.do_not_call, on_dnc, e.invalid],
                        )?;
                        report.updated += 1;
                    }
                }
            }
        }
        // Invalid lines no longer in the list were never dialed: drop them. Valid customers no
        // longer listed keep their history but are not dialed again.
        let stale: Vec<(i64, String, Option<String>, bool)> = {
            let mut q = tx.prepare("SELECT id, key, invalid, listed FROM customers")?;
            q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (id, key, invalid, listed) in stale {
            if keys.contains(&key) {
                continue;
            }
            if invalid.is_some() {
                tx.execute("DELETE FROM customers WHERE id = ?1", [id])?;
            } else {
                if listed {
                    tx.execute("UPDATE customers SET listed = 0 WHERE id = ?1", [id])?;
                }
                report.unlisted += 1;
            }
        }
        tx.execute(
            "UPDATE campaign SET imported_at_ms = ?1 WHERE id = 1",
            [now.0],
        )?;
        tx.commit()?;
        Ok(report)
    }

    fn customer_in(tx: &Connection, id: i64) -> Result<Customer> {
        tx.query_row(
            &format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?1"),
            [id],
            customer_row,
        )
        .optional()?
        .ok_or(StoreError::NoSuchCustomer(id))
    }

    /// Every customer, in list order.
    pub fn customers(&self) -> Result<Vec<Customer>> {
        let mut q = self.conn.prepare(&format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customers ORDER BY line, id"
        ))?;
        let rows = q.query_map([], customer_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn history_in(
        conn: &Connection,
        customer: Option<i64>,
    ) -> Result<HashMap<i64, Vec<PastAttempt>>> {
        // One customer's attempts through the (customer_id, number) index: a decision must
        // not cost a pass over every attempt (`?1 IS NULL OR …` would force one).
        const COLUMNS: &str = "customer_id, number, state, outcome, planned_at_ms, COALESCE(ended_at_ms, finished_at_ms, planned_at_ms)";
        let mut q = match customer {
            Some(_) => conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM attempts WHERE customer_id = ?1"
            ))?,
            None => {
                conn.prepare_cached(&format!("SELECT {COLUMNS} FROM attempts WHERE ?1 IS NULL"))?
            }
        };
        let mut map: HashMap<i64, Vec<PastAttempt>> = HashMap::new();
        let rows = q.query_map([customer], |r| {
            let state: String = r.get(2)?;
            let outcome: Option<String> = r.get(3)?;
            let planned: i64 = r.get(4)?;
            let ended: i64 = r.get(5)?;
            let past = match state.as_str() {
                "finished" => PastState::Finished(
                    outcome
                        .as_deref()
                        .and_then(Outcome::from_name)
                        .unwrap_or(Outcome::Failed),
                ),
                "failed" => PastState::Failed,
                _ => PastState::InFlight,
            };
            let at = if past == PastState::InFlight {
                planned
            } else {
                ended
            };
            Ok((
                r.get::<_, i64>(0)?,
                PastAttempt {
                    number: r.get(1)?,
                    state: past,
                    at: UnixMillis(at),
                },
            ))
        })?;
        for row in rows {
            let (c, a) = row?;
            map.entry(c).or_default().push(a);
        }
        Ok(map)
    }

    /// Up to `limit` customers who may be dialed at `now`, in list order.
    pub fn next_callable(
        &self,
        now: UnixMillis,
        rules: &Rules,
        limit: usize,
    ) -> Result<Vec<Customer>> {
        let history = Self::history_in(&self.conn, None)?;
        let mut out = Vec::new();
        for c in self.customers()? {
            if out.len() >= limit {
                break;
            }
            if !c.listed {
                continue;
            }
            let h = history.get(&c.id).map_or(&[][..], Vec::as_slice);
            if matches!(
                compliance::may_dial(&c.facts(), h, rules, now),
                Verdict::Now { .. }
            ) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Writes and commits attempt number *next* for `customer` in state `planned`, with its
    /// deterministic ClientToken — call this before placing the dial. The compliance rules are
    /// checked again inside the transaction; a customer who may not be dialed is refused.
    pub fn plan_attempt(
        &mut self,
        customer: i64,
        now: UnixMillis,
        rules: &Rules,
    ) -> Result<Attempt> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let c = Self::customer_in(&tx, customer)?;
        let history = Self::history_in(&tx, Some(customer))?;
        let h = history.get(&customer).map_or(&[][..], Vec::as_slice);
        let verdict = if c.listed {
            compliance::may_dial(&c.facts(), h, rules, now)
        } else {
            Verdict::Never(compliance::Reason::DoNotCall)
        };
        let Verdict::Now { next_attempt } = verdict else {
            if let Some(index) = &mut self.index {
                index.update(customer, h);
            }
            return Err(StoreError::NotCallable { customer, verdict });
        };
        let token = client_token(
            &self.identity.instance_id,
            &self.identity.campaign,
            &c.phone,
            next_attempt,
        )
        .to_string();
        tx.execute(
            "INSERT INTO attempts (customer_id, number, token, state, planned_at_ms) VALUES (?1, ?2, ?3, 'planned', ?4)",
            params![customer, next_attempt, token, now.0],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        if let Some(index) = &mut self.index {
            index.taken(customer);
        }
        Ok(Attempt {
            id,
            customer_id: customer,
            phone: c.phone,
            number: next_attempt,
            token,
            state: AttemptState::Planned,
            planned_at: now,
        })
    }

    fn transition(
        tx: &Transaction<'_>,
        attempt: i64,
        allowed: &[&str],
        to: &'static str,
    ) -> Result<(String, Option<String>)> {
        let (state, contact): (String, Option<String>) = tx
            .query_row(
                "SELECT state, contact_id FROM attempts WHERE id = ?1",
                [attempt],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::BadTransition {
                attempt,
                from: "missing".into(),
                to,
            })?;
        if !allowed.contains(&state.as_str()) {
            return Err(StoreError::BadTransition {
                attempt,
                from: state,
                to,
            });
        }
        Ok((state, contact))
    }

    /// Connect started the contact: planned → placed. Recording the same contact id again is a
    /// no-op (a re-issued token returns the contact it started).
    pub fn mark_placed(&mut self, attempt: i64, contact_id: &str, now: UnixMillis) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (state, contact) = Self::transition(&tx, attempt, &["planned", "placed"], "placed")?;
        if state == "placed" {
            if contact.as_deref() == Some(contact_id) {
                return Ok(());
            }
            return Err(StoreError::BadTransition {
                attempt,
                from: format!("placed as contact {}", contact.unwrap_or_default()),
                to: "placed",
            });
        }
        tx.execute(
            "UPDATE attempts SET state = 'placed', contact_id = ?2, placed_at_ms = ?3 WHERE id = ?1",
            params![attempt, contact_id, now.0],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The call's outcome is known: placed → finished.
    pub fn mark_finished(&mut self, attempt: i64, finish: &Finish, now: UnixMillis) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::transition(&tx, attempt, &["placed"], "finished")?;
        tx.execute(
            "UPDATE attempts SET state = 'finished', outcome = ?2, queued_at_ms = ?3, connected_at_ms = ?4, ended_at_ms = ?5, finished_at_ms = ?6,
             answered_at_ms = ?7, disconnect_reason = ?8, machine_detection = ?9, result_code = ?10, initiated_at_ms = ?11 WHERE id = ?1",
            params![
                attempt,
                finish.outcome.name(),
                finish.queued_at.map(|t| t.0),
                finish.connected_at.map(|t| t.0),
                finish.ended_at.0,
                now.0,
                finish.answer.answered_at.map(|t| t.0),
                finish.answer.disconnect_reason,
                finish.answer.machine_detection,
                finish.answer.result_code,
                finish.answer.initiated_at.map(|t| t.0),
            ],
        )?;
        tx.commit()?;
        self.reindex(attempt)
    }

    /// Connect refused the dial with an error that retrying the same token cannot fix:
    /// planned → failed. (Throttling is not this: the attempt stays planned and is re-issued.)
    pub fn mark_failed(&mut self, attempt: i64, error: &str, now: UnixMillis) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::transition(&tx, attempt, &["planned"], "failed")?;
        tx.execute(
            "UPDATE attempts SET state = 'failed', error = ?2, finished_at_ms = ?3, ended_at_ms = ?3 WHERE id = ?1",
            params![attempt, error, now.0],
        )?;
        tx.commit()?;
        self.reindex(attempt)
    }

    /// Places the customer of an attempt that just ended again in the callable index.
    fn reindex(&mut self, attempt: i64) -> Result<()> {
        if self.index.is_none() {
            return Ok(());
        }
        let customer: i64 = self.conn.query_row(
            "SELECT customer_id FROM attempts WHERE id = ?1",
            [attempt],
            |r| r.get(0),
        )?;
        let history = Self::history_in(&self.conn, Some(customer))?;
        let h = history.get(&customer).map_or(&[][..], Vec::as_slice);
        if let Some(index) = &mut self.index {
            index.update(customer, h);
        }
        Ok(())
    }

    /// The callable index for `rules`, built from the list and every attempt the first time.
    fn dial_index(&mut self, rules: &Rules) -> Result<&mut DialIndex> {
        if self.index.as_ref().is_none_or(|i| i.rules != *rules) {
            let history = Self::history_in(&self.conn, None)?;
            let listed = self
                .customers()?
                .iter()
                .map(|c| Listed {
                    id: c.id,
                    listed: c.listed,
                    facts: c.facts(),
                })
                .collect();
            self.index = Some(DialIndex::build(listed, &history, rules));
        }
        Ok(self.index.as_mut().expect("built above"))
    }

    /// The customer to dial next at `now`: due retries first (earliest due), then the list in
    /// order, among customers whose calling window is open — the simulator's order.
    /// [`Store::plan_attempt`] still decides whether the call may be placed.
    pub fn next_to_dial(&mut self, now: UnixMillis, rules: &Rules) -> Result<Option<Customer>> {
        match self.dial_index(rules)?.next(now) {
            Some(id) => Ok(Some(Self::customer_in(&self.conn, id)?)),
            None => Ok(None),
        }
    }

    fn attempts_where(&self, condition: &str) -> Result<Vec<Attempt>> {
        let sql = format!(
            "SELECT a.id, a.customer_id, c.phone, a.number, a.token, a.state, a.contact_id, a.outcome, a.error, a.planned_at_ms
             FROM attempts a JOIN customers c ON c.id = a.customer_id WHERE {condition} ORDER BY a.id"
        );
        let mut q = self.conn.prepare(&sql)?;
        let rows = q.query_map([], |r| {
            let state: String = r.get(5)?;
            let contact: Option<String> = r.get(6)?;
            let outcome: Option<String> = r.get(7)?;
            let error: Option<String> = r.get(8)?;
            let state = match state.as_str() {
                "planned" => AttemptState::Planned,
                "placed" => AttemptState::Placed {
                    contact_id: contact.unwrap_or_default(),
                },
                "finished" => AttemptState::Finished {
                    contact_id: contact.unwrap_or_default(),
                    outcome: outcome
                        .as_deref()
                        .and_then(Outcome::from_name)
                        .unwrap_or(Outcome::Failed),
                },
                _ => AttemptState::Failed {
                    error: error.unwrap_or_default(),
                },
            };
            Ok(Attempt {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                phone: r.get(2)?,
                number: r.get(3)?,
                token: r.get(4)?,
                state,
                planned_at: UnixMillis(r.get(9)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every call Connect placed and whose outcome is recorded, with what Connect said of it,
    /// in the order the calls were planned: what `export --contact-records` writes.
    pub fn placed_calls(&self) -> Result<Vec<PlacedCall>> {
        let mut q = self.conn.prepare(
            "SELECT a.contact_id, c.phone, c.time_zone, a.customer_id, a.number, a.outcome,
                    a.placed_at_ms, a.initiated_at_ms, a.answered_at_ms, a.queued_at_ms,
                    a.connected_at_ms, a.ended_at_ms, a.disconnect_reason, a.machine_detection,
                    a.result_code
             FROM attempts a JOIN customers c ON c.id = a.customer_id
             WHERE a.state = 'finished' AND a.contact_id IS NOT NULL ORDER BY a.id",
        )?;
        let rows = q.query_map([], |r| {
            let zone: Option<String> = r.get(2)?;
            let outcome: String = r.get(5)?;
            let placed: Option<i64> = r.get(6)?;
            let initiated: Option<i64> = r.get(7)?;
            let ended: Option<i64> = r.get(11)?;
            Ok(PlacedCall {
                contact_id: r.get(0)?,
                phone: r.get(1)?,
                zone: zone.as_deref().and_then(Zone::parse),
                customer_id: r.get(3)?,
                number: r.get(4)?,
                outcome: Outcome::from_name(&outcome).unwrap_or(Outcome::Failed),
                initiated_at: UnixMillis(initiated.or(placed).or(ended).unwrap_or(0)),
                queued_at: opt_ms(r.get(9)?),
                connected_at: opt_ms(r.get(10)?),
                ended_at: UnixMillis(ended.unwrap_or(0)),
                answer: AnswerFacts {
                    initiated_at: opt_ms(initiated),
                    answered_at: opt_ms(r.get(8)?),
                    disconnect_reason: r.get(12)?,
                    machine_detection: r.get(13)?,
                    result_code: r.get(14)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every attempt, in the order they were planned.
    pub fn attempts(&self) -> Result<Vec<Attempt>> {
        self.attempts_where("1")
    }

    /// Attempts planned or placed whose outcome is not recorded yet.
    pub fn in_flight(&self) -> Result<Vec<Attempt>> {
        self.attempts_where("a.state IN ('planned', 'placed')")
    }

    /// Finished calls that ended at or after `since`, oldest first (for the kill-switch and the
    /// abandon rates).
    pub fn finished_since(&self, since: UnixMillis) -> Result<Vec<FinishedCall>> {
        let mut q = self.conn.prepare(
            "SELECT ended_at_ms, outcome, queued_at_ms, connected_at_ms FROM attempts WHERE state = 'finished' AND ended_at_ms >= ?1 ORDER BY ended_at_ms",
        )?;
        let rows = q.query_map([since.0], |r| {
            let outcome: String = r.get(1)?;
            Ok(FinishedCall {
                ended_at: UnixMillis(r.get(0)?),
                outcome: Outcome::from_name(&outcome).unwrap_or(Outcome::Failed),
                queued_at: opt_ms(r.get(2)?),
                connected_at: opt_ms(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether planned attempt `attempt` may be sent at `now` under `rules`: the rulebook's
    /// verdict on its customer with every other attempt, as if this one were not planned yet.
    /// `Now` only when this attempt is the call the rules would place next.
    pub fn may_send(&self, attempt: &Attempt, now: UnixMillis, rules: &Rules) -> Result<Verdict> {
        let c = Self::customer_in(&self.conn, attempt.customer_id)?;
        if !c.listed {
            return Ok(Verdict::Never(compliance::Reason::DoNotCall));
        }
        let history = Self::history_in(&self.conn, Some(attempt.customer_id))?;
        let others: Vec<PastAttempt> = history
            .get(&attempt.customer_id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|a| a.number != attempt.number)
            .copied()
            .collect();
        Ok(
            match compliance::may_dial(&c.facts(), &others, rules, now) {
                Verdict::Now { next_attempt } if next_attempt != attempt.number => Verdict::Never(
                    compliance::Reason::MaxAttempts(next_attempt.saturating_sub(1)),
                ),
                v => v,
            },
        )
    }

    /// One summary per customer, in list order: result code, attempts, last outcome, times.
    pub fn summaries(&self) -> Result<Vec<CustomerSummary>> {
        struct Row {
            number: u32,
            state: String,
            outcome: Option<Outcome>,
            planned: i64,
            placed: Option<i64>,
            ended: Option<i64>,
        }
        let mut rows: HashMap<i64, Vec<Row>> = HashMap::new();
        {
            let mut q = self.conn.prepare(
                "SELECT customer_id, number, state, outcome, planned_at_ms, placed_at_ms, ended_at_ms FROM attempts ORDER BY customer_id, number",
            )?;
            let it = q.query_map([], |r| {
                let outcome: Option<String> = r.get(3)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    Row {
                        number: r.get(1)?,
                        state: r.get(2)?,
                        outcome: outcome.as_deref().and_then(Outcome::from_name),
                        planned: r.get(4)?,
                        placed: r.get(5)?,
                        ended: r.get(6)?,
                    },
                ))
            })?;
            for row in it {
                let (c, r) = row?;
                rows.entry(c).or_default().push(r);
            }
        }
        let mut out = Vec::new();
        for customer in self.customers()? {
            let attempts = rows.remove(&customer.id).unwrap_or_default();
            let reached = attempts
                .iter()
                .rev()
                .filter(|a| a.state == "finished")
                .find_map(|a| a.outcome.filter(|o| o.reached()));
            let code = if customer.invalid.is_some() {
                "invalid"
            } else if let Some(o) = reached {
                o.code().key()
            } else if attempts.is_empty() && (customer.do_not_call || customer.on_dnc_list) {
                "dnc"
            } else {
                "-1"
            };
            let last_done = attempts
                .iter()
                .rev()
                .find(|a| a.state == "finished" || a.state == "failed");
            out.push(CustomerSummary {
                code,
                attempts: attempts.iter().map(|a| a.number).max().unwrap_or(0),
                last_outcome: last_done.map(|a| match a.outcome {
                    Some(o) => o.name().to_string(),
                    None => "failed".to_string(),
                }),
                first_dialed_at: attempts
                    .first()
                    .map(|a| UnixMillis(a.placed.unwrap_or(a.planned))),
                last_dialed_at: attempts
                    .last()
                    .map(|a| UnixMillis(a.placed.unwrap_or(a.planned))),
                last_ended_at: opt_ms(last_done.and_then(|a| a.ended)),
                in_flight: attempts
                    .iter()
                    .any(|a| a.state == "planned" || a.state == "placed"),
                customer,
            });
        }
        Ok(out)
    }

    /// Customers per result code, every code of [`crate::outcome::CODES`] present (zero or more).
    pub fn counts_per_code(&self) -> Result<BTreeMap<&'static str, u64>> {
        let mut counts: BTreeMap<&'static str, u64> =
            crate::outcome::CODES.iter().map(|(c, _)| (*c, 0)).collect();
        for s in self.summaries()? {
            *counts.entry(s.code).or_default() += 1;
        }
        Ok(counts)
    }

    /// Writes a consistent copy of the store to `path` (which must not exist): a dry run works
    /// on a copy, so that nothing it does reaches the real store.
    pub fn copy_to(&self, path: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [path.to_string_lossy().as_ref()])?;
        Ok(())
    }

    /// What pacing needs from the list at `now`: how many customers are callable now, how many
    /// may still be called (now, later, or in a call), and when the next one who is not
    /// callable now becomes callable. From the callable index: no pass over the list but the
    /// first.
    pub fn pacing_view(&mut self, now: UnixMillis, rules: &Rules) -> Result<PacingView> {
        let counts = self.dial_index(rules)?.counts(now);
        Ok(PacingView {
            callable_now: counts.callable_now,
            remaining: counts.remaining,
            next_opening: counts.next_opening,
        })
    }

    /// [`Store::pacing_view`] by asking the rulebook about every customer: for `status`, which
    /// looks once, and to check the index against.
    pub fn scan_view(&self, now: UnixMillis, rules: &Rules) -> Result<PacingView> {
        let history = Self::history_in(&self.conn, None)?;
        let mut view = PacingView::default();
        for c in self.customers()? {
            if !c.listed {
                continue;
            }
            let h = history.get(&c.id).map_or(&[][..], Vec::as_slice);
            match compliance::may_dial(&c.facts(), h, rules, now) {
                Verdict::Now { .. } => {
                    view.callable_now += 1;
                    view.remaining += 1;
                }
                Verdict::Later { not_before, .. } => {
                    view.remaining += 1;
                    if let Some(t) = not_before {
                        view.next_opening =
                            Some(view.next_opening.map_or(t, |n: UnixMillis| n.min(t)));
                    }
                }
                Verdict::Never(_) => {}
            }
        }
        Ok(view)
    }

    /// When the first queue metrics were recorded (the start of the first run).
    pub fn first_metrics_at(&self) -> Result<Option<UnixMillis>> {
        let t: Option<i64> = self
            .conn
            .query_row("SELECT MIN(at_ms) FROM metrics", [], |r| r.get(0))?;
        Ok(t.map(UnixMillis))
    }

    /// Records queue metric samples (taken at `at`).
    pub fn record_metrics(&mut self, samples: &[MetricSample]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut q = tx.prepare(
                "INSERT INTO metrics (at_ms, staffed, available, on_contact, after_contact_work, in_queue, oldest_in_queue_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for m in samples {
                q.execute(params![
                    m.at.0,
                    m.staffed,
                    m.available,
                    m.on_contact,
                    m.after_contact_work,
                    m.in_queue,
                    m.oldest_in_queue_ms
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Agent occupancy from the metric samples: time in talk and after-call work ÷ time staffed,
    /// weighting each sample by the time to the next one (gaps over `max_gap_ms`, when `live` was
    /// not running, count for nothing), over the samples taken before `until` (all when `None`).
    /// `None` before any staffed time.
    pub fn occupancy(&self, max_gap_ms: i64, until: Option<UnixMillis>) -> Result<Option<f64>> {
        let mut q = self.conn.prepare(
            "SELECT at_ms, staffed, on_contact + after_contact_work FROM metrics WHERE at_ms < ?1 ORDER BY at_ms",
        )?;
        let rows: Vec<(i64, i64, i64)> = q
            .query_map([until.map_or(i64::MAX, |u| u.0)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let (mut busy, mut staffed) = (0.0, 0.0);
        for w in rows.windows(2) {
            let dt = (w[1].0 - w[0].0) as f64;
            if dt <= 0.0 || dt > max_gap_ms as f64 {
                continue;
            }
            busy += w[0].2.min(w[0].1) as f64 * dt;
            staffed += w[0].1 as f64 * dt;
        }
        Ok((staffed > 0.0).then(|| busy / staffed))
    }

    /// The campaign clock of a rehearsal: the campaign time at wall time `wall`, continuing the
    /// clock of earlier rehearsals of this store at their scale, and re-anchored at `scale` from
    /// now on. A store that has never been rehearsed starts at the wall time. Refuses `scale` 1
    /// (a real run) on a rehearsed store: its times are not real times.
    pub fn rehearsal_clock(&mut self, wall: UnixMillis, scale: f64) -> Result<UnixMillis> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<(i64, i64, f64)> = tx
            .query_row(
                "SELECT wall_ms, campaign_ms, scale FROM clock WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let campaign = match found {
            None => wall,
            Some((w, c, old)) => UnixMillis(c + ((wall.0 - w).max(0) as f64 * old).round() as i64),
        };
        if scale == 1.0 {
            if let Some((_, _, old)) = found {
                return Err(StoreError::Rehearsed { scale: old });
            }
            return Ok(wall);
        }
        tx.execute(
            "INSERT INTO clock (id, wall_ms, campaign_ms, scale) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET wall_ms = ?1, campaign_ms = ?2, scale = ?3",
            params![wall.0, campaign.0, scale],
        )?;
        tx.commit()?;
        Ok(campaign)
    }

    /// For a store a rehearsal ran, the latest campaign time it recorded (where the rehearsal's
    /// clock stood when it stopped); `None` for a real campaign's store, whose times are the
    /// wall clock's.
    pub fn rehearsal_time(&self) -> Result<Option<UnixMillis>> {
        let clock: Option<i64> = self
            .conn
            .query_row("SELECT campaign_ms FROM clock WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(anchor) = clock else {
            return Ok(None);
        };
        let latest: Option<i64> = self.conn.query_row(
            "SELECT MAX(t) FROM (
                SELECT MAX(MAX(planned_at_ms, COALESCE(placed_at_ms, 0), COALESCE(finished_at_ms, 0), COALESCE(ended_at_ms, 0))) AS t FROM attempts
                UNION ALL SELECT MAX(at_ms) FROM metrics)",
            [],
            |r| r.get(0),
        )?;
        Ok(Some(UnixMillis(latest.unwrap_or(anchor).max(anchor))))
    }

    /// Every finished call (for the abandon rates so far).
    pub fn finished_calls(&self) -> Result<Vec<FinishedCall>> {
        self.finished_since(UnixMillis(i64::MIN))
    }
}

/// The exclusive right to run the campaign of one store, held while a `live run` lasts: an
/// operating-system lock on a file beside the store, released when the process ends however it
/// ends (a crash included). The file names the process holding it.
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    /// Takes the lock of the store at `store`, or says who holds it. `now` is written in the
    /// lock file for the message another run shows.
    pub fn take(store: &Path, now: UnixMillis) -> Result<RunLock> {
        use std::io::{Read, Seek, Write};
        let path = PathBuf::from(format!("{}.lock", store.display()));
        let lock_error = |error| StoreError::Lock {
            path: path.clone(),
            error,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(lock_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim() {
                    "" => "a process that has not said which".to_string(),
                    h => h.to_string(),
                };
                return Err(StoreError::Locked { path, holder });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(e)),
        }
        let text = format!("process {} since {}", std::process::id(), now.rfc3339());
        file.set_len(0).map_err(lock_error)?;
        file.rewind().map_err(lock_error)?;
        file.write_all(text.as_bytes()).map_err(lock_error)?;
        file.flush().map_err(lock_error)?;
        Ok(RunLock { _file: file })
    }
}

const CUSTOMER_COLUMNS: &str =
    "id, line, phone, name, time_zone, do_not_call, on_dnc_list, invalid, listed";

/// The zone as the store keeps it: [`Zone::text`], which [`Zone::parse`] reads back.
fn zone_text(zone: Option<Zone>) -> Option<String> {
    zone.map(|z| z.text())
}

/// Adds version 2's columns; each customer's offset becomes its zone.
fn migrate_1_to_2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(MIGRATE_1_TO_2)?;
    let offsets: Vec<(i64, i64)> = {
        let mut q =
            tx.prepare("SELECT id, utc_offset_ms FROM customers WHERE utc_offset_ms IS NOT NULL")?;
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (id, ms) in offsets {
        tx.execute(
            "UPDATE customers SET time_zone = ?2 WHERE id = ?1",
            params![id, Zone::Fixed(ms).text()],
        )?;
    }
    tx.execute("UPDATE campaign SET schema_version = 2 WHERE id = 1", [])?;
    Ok(())
}

fn customer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Customer> {
    let zone: Option<String> = r.get(4)?;
    Ok(Customer {
        id: r.get(0)?,
        line: r.get(1)?,
        phone: r.get(2)?,
        name: r.get(3)?,
        // A zone the store holds was read by this program; one it cannot read back (edited by
        // hand) leaves the customer without a zone: invalid, never dialed.
        zone: zone.as_deref().and_then(Zone::parse),
        do_not_call: r.get(5)?,
        on_dnc_list: r.get(6)?,
        invalid: r.get(7)?,
        listed: r.get(8)?,
    })
}
