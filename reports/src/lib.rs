//! Reports from dialsim results: charts (PNG and SVG), a self-contained HTML page, and tables.
//!
//! [`figures`] decides what each chart shows from a results file; [`chart`] draws a figure on
//! plotters' SVG and bitmap backends with an embedded font, so a bare machine renders text.
//! [`tables`] builds the tables shown in HTML and Markdown; [`diff`] the page of two results
//! files before and after a change; [`calibration`] the page of a calibration from contact
//! records; [`report`] writes the report
//! directory ([`write_report`]) and reads results, frontier and sweep files back ([`read`]),
//! refusing one whose values this version cannot have written ([`lab::validate`]). Every chart
//! routine finishes on any numbers it is given: values beyond ±1e300 are drawn at an axis's end.

pub mod calibration;
pub mod chart;
pub mod diff;
pub mod figures;
pub mod report;
pub mod sweep;
pub mod tables;

pub use report::{ReadError, Report, ReportError, Written, json_text, read, write_report};
