//! A scenario from a contact center's own Amazon Connect contact records.
//!
//! Every rate and duration of a scenario can be measured from the contact records (CTRs) a
//! Connect instance already exports: how many calls a person answers, how long they ring, what
//! the customers choose in the IVR, how long they wait before giving up, how long agents talk
//! and wrap up. This crate turns the records into those numbers, each with its sample size and
//! how well its distribution fits, and writes them into a scenario the simulator runs:
//!
//! - [`records`] (the `contact-records` crate's reader): the records as Connect's export
//!   delivers them, one copy per contact, every unreadable one counted.
//! - [`select`]: which records are the campaign's.
//! - [`classify`]: what each record says happened (dial outcome, IVR choice, waits and
//!   durations), through a table the analyst can edit.
//! - [`measure`] and [`mix`]: the mixes (overall and per local hour, with intervals) and the
//!   samples each field is fitted to.
//! - [`fits`]: the distributions, chosen by a stated criterion, with their fit.
//! - [`write`] and [`ron_edit`]: the scenario, written into the analyst's template.
//! - [`simulated`]: the simulator's traced calls as contact records (through the
//!   `contact-records` crate's writer), so that a rehearsal can be calibrated like a center.
//!
//! ```
//! use calibrate::{Options, calibrate, records::Records};
//! let line = r#"{"ContactId":"c1","Channel":"VOICE","InitiationMethod":"API",
//!   "InitiationTimestamp":"2026-03-02T14:00:00Z","DisconnectTimestamp":"2026-03-02T14:00:22Z",
//!   "DisconnectReason":"TELECOM_UNANSWERED"}"#.replace('\n', "");
//! let mut records = Records::default();
//! records.files.push("example.json".into());
//! records.read_bytes(0, line.as_bytes(), &Options::default().attributes());
//! let c = calibrate(&records, &Options::default());
//! assert_eq!(c.measured.contacts, 1);
//! assert_eq!(c.fits.ring_timeout.as_ref().map(|t| t.value), Some(22.0));
//! ```

pub mod classify;
pub mod fits;
pub mod measure;
pub mod mix;
pub use contact_records::read as records;
pub mod ron_edit;
pub mod select;
pub mod simulated;
pub mod write;

use classify::Table;
use records::Records;
use rules::Choice;
use rules::zone::Zone;
use select::{Left, Selection};

/// How to read the records.
#[derive(Clone, Debug)]
pub struct Options {
    pub table: Table,
    pub selection: Selection,
    /// The customers' time zone, for the hour of their local day.
    pub zone: Zone,
    /// A contact attribute holding each customer's own zone (an IANA name or a UTC offset such
    /// as `-05:00`), which overrides `zone` where present: a center calling several zones.
    pub zone_attribute: Option<String>,
    /// The IVR prompt's length, which the records do not show: the key press is the time from
    /// the answer to the queue less this.
    pub prompt_s: f64,
    /// The goodbye after a choice other than an agent, likewise.
    pub goodbye_s: f64,
    /// The IVR's no-input timeout: a person who has not pressed a key by then is no input, so
    /// the key presses the records show are those before it (truncated there; `None`: not
    /// known, fitted as if nothing were cut off).
    pub no_input_timeout_s: Option<f64>,
    /// With AMD on, the mean time detection takes before the prompt starts (also not in the
    /// records), subtracted from key presses like the prompt.
    pub detect_s: f64,
    /// With AMD on, the detector's error rates (false positive: a person taken for a machine;
    /// false negative: a machine taken for a person), which the records cannot show: the outcome
    /// and choice mixes are corrected for them so that the scenario's detector, making the
    /// same errors, reproduces the verdicts the records hold.
    pub amd_errors: Option<(f64, f64)>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            table: Table::default_table(),
            selection: Selection::default(),
            zone: Zone::Fixed(0),
            zone_attribute: None,
            prompt_s: 9.0,
            goodbye_s: 4.0,
            no_input_timeout_s: None,
            detect_s: 0.0,
            amd_errors: None,
        }
    }
}

impl Options {
    /// The contact attributes the reader must keep for these options.
    pub fn attributes(&self) -> Vec<String> {
        let mut names = vec![self.table.result_attribute.clone()];
        if let Some((name, _)) = &self.selection.attribute {
            names.push(name.clone());
        }
        if let Some(name) = &self.zone_attribute {
            names.push(name.clone());
        }
        names
    }
}

/// What was read.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadSummary {
    pub files: usize,
    /// Records read (every copy).
    pub read: u64,
    pub duplicates: u64,
    /// Contacts after de-duplication.
    pub contacts: u64,
    pub rejected: u64,
    /// Contacts not the campaign's, by reason.
    pub left_out: Vec<(Left, u64)>,
    /// Contacts the table could not classify.
    pub unclassified: u64,
    /// The first unclassified ones: `file:line` and why.
    pub unclassified_examples: Vec<(String, String)>,
}

/// A calibration: what was read, measured and fitted.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub read: ReadSummary,
    /// What was taken off the answer-to-queue spans to give key presses of 1 (the prompt and
    /// any detection).
    pub key_offset_s: f64,
    /// The AMD error rates the mixes are corrected for (`None`: no AMD verdicts in the records,
    /// or none given).
    pub amd_errors: Option<(f64, f64)>,
    pub zone: Zone,
    /// The contact attribute each customer's zone was read from, where present.
    pub zone_attribute: Option<String>,
    pub measured: measure::Measured,
    pub fits: fits::Fits,
}

impl Calibration {
    /// The share of a choice's key presses that come before the IVR's no-input timeout, by its
    /// fit (1 without a fit to truncated presses): the records see only those, so the choice's
    /// share of the people is the share seen divided by this.
    pub fn seen_share(&self, choice: Choice) -> f64 {
        self.fits
            .key_press
            .iter()
            .find(|(c, _)| *c == choice)
            .map_or(1.0, |(_, f)| f.seen_share())
    }

    /// Whose clock the local hours are on, in words: the zone, or an attribute and the zone
    /// where it is missing.
    pub fn clock(&self) -> String {
        match &self.zone_attribute {
            None => self.zone.label(),
            Some(a) => format!(
                "each customer's zone from attribute {a}, else {}",
                self.zone.label()
            ),
        }
    }
}

/// Calibrates from `records`.
pub fn calibrate(records: &Records, options: &Options) -> Calibration {
    let mut left_out: Vec<(Left, u64)> = Vec::new();
    let mut unclassified = 0;
    let mut examples = Vec::new();
    let mut contacts = Vec::with_capacity(records.contacts.len());
    for r in &records.contacts {
        if let Some(why) = options.selection.leaves_out(r) {
            match left_out.iter_mut().find(|(l, _)| *l == why) {
                Some((_, n)) => *n += 1,
                None => left_out.push((why, 1)),
            }
            continue;
        }
        let classified = classify::classify(r, &options.table).and_then(|mut c| {
            if let Some(name) = &options.zone_attribute
                && let Some(value) = r.attribute(name)
            {
                c.local_hour = Some(measure::local_hour_in(value, c.launched).ok_or_else(|| {
                    classify::Unclassified(format!(
                        "attribute {name} {value:?} is neither an IANA time zone (America/New_York) nor a UTC offset (-05:00)"
                    ))
                })?);
            }
            Ok(c)
        });
        match classified {
            Ok(c) => contacts.push(c),
            Err(e) => {
                unclassified += 1;
                if examples.len() < 20 {
                    examples.push((records.place(r.source.0, r.source.1), e.0));
                }
            }
        }
    }
    left_out.sort();
    let measured = measure::measure(&contacts, options.zone);
    let fits = fits::fit(&measured, options);
    let amd_errors = options.amd_errors.filter(|_| measured.amd_verdicts > 0);
    Calibration {
        key_offset_s: options.prompt_s + options.detect_s,
        amd_errors,
        read: ReadSummary {
            files: records.files.len(),
            read: records.read,
            duplicates: records.duplicates,
            contacts: records.contacts.len() as u64,
            rejected: records.rejected_total(),
            left_out,
            unclassified,
            unclassified_examples: examples,
        },
        zone: options.zone,
        zone_attribute: options.zone_attribute.clone(),
        measured,
        fits,
    }
}
