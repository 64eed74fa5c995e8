//! Amazon Connect contact records (CTRs), the format Connect's data stream delivers to S3.
//!
//! - [`read`]: the records as an export holds them (JSON lines or objects back to back, plain
//!   or gzip, folders), one copy per contact (the newest), every unreadable one counted with its
//!   file and line.
//! - [`write`]: calls as records, with Connect's quirks (whole seconds, early and repeated
//!   deliveries), so that the simulator's, the stand-in's or `live`'s calls can be calibrated
//!   like a center's own.
//!
//! Shared by `calibrate` (which reads them) and whatever writes them, without depending on the
//! simulator: `live` may write the records of the calls it placed.

pub mod read;
pub mod write;
