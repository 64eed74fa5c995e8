//! The simulator's traced calls as contact records: what `dialsim run --contact-records` writes
//! and the round-trip tests calibrate.

use contact_records::write::CallFacts;

/// The first day simulated records are dated: Monday 2 March 2026, 00:00 UTC; replication `r`
/// is the day `r` days later.
pub const FIRST_DAY_UTC_MS: i64 = 1_772_409_600_000;

/// The traced calls of replication `day` of `world`, as the records of a campaign named
/// `campaign`: dated from the scenario's `start_date` (else [`FIRST_DAY_UTC_MS`]) plus `day`
/// days at the world's start time, each customer given a made-up number (`+1555` and its list
/// position) and its zone's offset at the dial.
pub fn day_of_calls(
    world: &sim::World,
    trace: &sim::Trace,
    campaign: &str,
    day: u32,
) -> Vec<CallFacts> {
    // A world without a date is dated from the first day; one with a date keeps it, so that
    // its zones' offsets are the ones the campaign ran under. Every replication is the same
    // day of the same campaign: its records are dated `day` days apart so that days are told
    // apart, with the offsets of the campaign's day.
    let first = world.dated_epoch(rules::time::UnixMillis(FIRST_DAY_UTC_MS));
    let start = first.0 + i64::from(day) * 86_400_000;
    trace
        .calls
        .iter()
        .map(|call| {
            let customer = call.call.customer;
            from_traced(
                call,
                start,
                day,
                world.amd.is_some(),
                Some(format!("+1555{:07}", customer % 10_000_000)),
                campaign,
                world.offset_ms(world.customers[customer as usize].zone, call.call.dialed_at),
            )
        })
        .collect()
}

/// The facts of a call the simulator traced: campaign times from `start_utc_ms` (the
/// campaign's first instant, UTC) on `day`, with the attributes `live` sets for `campaign` and
/// the customer's UTC offset.
fn from_traced(
    call: &sim::campaign::TracedCall,
    start_utc_ms: i64,
    day: u32,
    amd: bool,
    phone: Option<String>,
    campaign: &str,
    utc_offset_ms: i64,
) -> CallFacts {
    let at = |m: strategies::Millis| start_utc_ms + m.0 as i64;
    let c = &call.call;
    CallFacts {
        contact_id: format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            day,
            (c.customer >> 16) & 0xffff,
            (c.customer >> 4) & 0xfff,
            c.attempt & 0xfff,
            (u64::from(c.customer) << 8) | u64::from(c.attempt & 0xff)
        ),
        customer_address: phone,
        launched: at(c.dialed_at),
        ring: c.ring,
        ring_ended: at(c.ring_ended_at),
        amd,
        choice: c.choice,
        queued: c.queued_at.map(at),
        connected_to_agent: c.connected_at.map(at),
        abandoned: c.abandoned,
        ended: at(c.ended_at),
        wrap_end: call.wrap_end.map(at),
        result_attribute: ivr::RESULT_ATTRIBUTE.to_string(),
        // As `live` sets them on each call it starts.
        attributes: vec![
            ("dialsim_campaign".into(), campaign.to_string()),
            ("dialsim_customer".into(), c.customer.to_string()),
            ("dialsim_attempt".into(), c.attempt.to_string()),
            (
                contact_records::write::UTC_OFFSET_ATTRIBUTE.into(),
                rules::zone::format_utc_offset(utc_offset_ms),
            ),
        ],
        queue_name: "Outbound".into(),
        reported: Default::default(),
    }
}
