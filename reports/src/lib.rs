//! Reports from dialsim results: charts (PNG and SVG), a self-contained HTML page, and tables.
//!
//! [`figures`] decides what each chart shows from a results file; [`chart`] draws a figure on
//! plotters' SVG and bitmap backends with an embedded font, so a bare machine renders text.

pub mod chart;
pub mod figures;
