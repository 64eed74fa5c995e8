//! Reports from dialsim results: charts (PNG and SVG), a self-contained HTML page, and tables.

pub mod chart;
