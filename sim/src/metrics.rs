//! What one replication measured: counters, time-weighted agent and queue levels, waits, and the
//! per-interval series. Every user-facing number is derived from these in the experiments'
//! catalogue.
//!
//! A scenario may measure over a window ([`Window`]). Then the counters and waits are those of
//! the calls *dialed* in it, each counted whole wherever it ends, so that every ratio takes its
//! numerator and its denominator from the same calls; the agent times are integrated over the
//! window alone. The series stays the whole campaign's (every call, each event in the interval
//! it happened in), so that a chart shows what the window cut out; the window's own counts per
//! interval are kept beside it for the worst-window rates.

use crate::gauge::Gauge;
use crate::world::World;
use hdrhistogram::Histogram;
use strategies::{AgentCounts, Millis};

pub use rules::Code;

/// The measurement window `[from, to)` in campaign time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: Millis,
    pub to: Millis,
}

impl Window {
    /// The whole campaign: what a scenario without `measure` counts.
    pub const WHOLE: Window = Window {
        from: Millis::ZERO,
        to: Millis::MAX,
    };

    /// Whether a call dialed (or a request made) at `t` counts.
    pub fn contains(self, t: Millis) -> bool {
        self.from <= t && t < self.to
    }

    /// How much of a campaign that ended at `end` the window covers.
    pub fn within(self, end: Millis) -> Millis {
        Millis(end.0.min(self.to.0).saturating_sub(self.from.0))
    }
}

/// Event counts of one replication: of the calls dialed in the measurement window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Calls placed (accepted by Connect).
    pub dials: u64,
    /// Dials refused by Connect's limits (requests made in the window).
    pub rejected: u64,
    /// Calls answered by a person.
    pub live_answers: u64,
    /// Calls answered by a machine.
    pub machine_answers: u64,
    /// Callers who chose 1 and entered the agents' queue.
    pub queue_entries: u64,
    /// Queued callers who hung up before an agent took them.
    pub abandoned: u64,
    /// Queued callers an agent took.
    pub connected: u64,
    /// Connected callers who waited longer than the compliance threshold.
    pub connected_late: u64,
    /// People hung up on because answering-machine detection called them a machine.
    pub amd_hung_up_on_people: u64,
    /// Queue entrants who found no free agent (waited more than zero).
    pub waited: u64,
    /// Time in queue of every entrant, served or abandoned (ms).
    pub queue_time_ms: u64,
    /// Compliance breaches, each of which a campaign must never commit; see [`Breach`].
    pub calls_outside_window: u64,
    pub short_rings: u64,
    pub redials_after_abandon: u64,
    pub calls_to_do_not_call: u64,
}

/// A compliance breach the simulator counts (each must stay at zero in a lawful campaign).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    /// A call placed outside the customer's local calling window.
    OutsideWindow,
    /// A call given up as unanswered after ringing less than [`MIN_RING`].
    ShortRing,
    /// A call to a customer within the rules' quiet period of an abandoned call to them (a queue
    /// abandon, or a person that answering-machine detection hung up on).
    RedialAfterAbandon,
    /// A call to a customer on the do-not-call list.
    DoNotCall,
}

/// The shortest ring before giving up that the rules allow.
pub const MIN_RING: Millis = Millis(rules::rulebook::MIN_RING_S as u64 * 1_000);

impl Counters {
    /// Live answers not bridged to an agent within the compliance threshold: abandons in the
    /// queue, late connections, and people hung up on by answering-machine detection.
    pub fn regulatory_abandons(&self) -> u64 {
        self.tally().regulatory_abandons()
    }

    /// The counts of the abandon rates' definition.
    pub fn tally(&self) -> rules::abandonment::AbandonTally {
        rules::abandonment::AbandonTally {
            live_answers: self.live_answers,
            queued: self.queue_entries,
            abandoned: self.abandoned,
            connected_late: self.connected_late,
            amd_hung_up_on_people: self.amd_hung_up_on_people,
        }
    }
}

/// Counts in one series interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BucketCounts {
    pub dials: u64,
    pub live_answers: u64,
    pub queue_entries: u64,
    pub abandoned: u64,
    pub regulatory_abandons: u64,
    /// Callers bridged to an agent, and those of them who waited longer than the compliance
    /// threshold (counted among the regulatory abandons too).
    pub connected: u64,
    pub connected_late: u64,
}

/// Everything one replication measured.
#[derive(Clone, Debug)]
pub struct RepMetrics {
    /// The measurement window: what `counters`, the agent times and `waits` cover.
    pub window: Window,
    pub counters: Counters,
    /// The scenario's cap on a day's regulatory abandon rate: what day metrics count against.
    pub abandon_cap: f64,
    /// When the campaign ended: dialing stopped and the last call (and wrap-up) finished.
    pub end: Millis,
    /// When the last customer reached a final result, if that happened.
    pub list_exhausted_at: Option<Millis>,
    /// Customers per final code, indexed by [`Code::index`].
    pub outcomes: [u64; 7],
    /// Customers dialed at least once.
    pub attempted: u64,
    /// Agent-milliseconds logged in, busy (talk + after-call work), talking, inside the window.
    pub staffed_ms: u128,
    pub busy_ms: u128,
    pub talk_ms: u128,
    /// Wait to agent of connected callers dialed in the window, in milliseconds.
    pub waits: Histogram<u64>,
    /// Series bucket width.
    pub interval: Millis,
    /// The series: every call, each event in the bucket it happened in, window or not.
    pub buckets: Vec<BucketCounts>,
    /// With a window, the same counts of the calls dialed in it alone, from the bucket holding
    /// the window's start to the series' end; empty without one (read
    /// [`RepMetrics::measured_buckets`]).
    pub measured: Vec<BucketCounts>,
    /// Per-bucket areas (level × ms) of agents staffed, busy, available, and callers queued.
    pub staffed_area: Vec<u128>,
    pub busy_area: Vec<u128>,
    pub available_area: Vec<u128>,
    pub queue_area: Vec<u128>,
    /// Per-bucket area of calls in progress (dialed and not yet ended): lines in use.
    pub lines_area: Vec<u128>,
    /// Wait to agent of callers connected in each bucket, in milliseconds.
    pub wait_buckets: Vec<Histogram<u64>>,
    /// Events the simulator handled: scheduled events, retries falling due, pacer decisions.
    pub events: u64,
}

impl RepMetrics {
    /// The per-bucket counts of the calls the window counts, from the bucket holding its start:
    /// the series itself without a window.
    pub fn measured_buckets(&self) -> &[BucketCounts] {
        if self.window == Window::WHOLE {
            &self.buckets
        } else {
            &self.measured
        }
    }
}

/// Collects a replication's measurements as the campaign runs.
#[derive(Clone, Debug)]
pub struct Recorder {
    interval: Millis,
    window: Window,
    /// The bucket holding the window's start: `measured[0]`.
    first_measured: usize,
    measured: Vec<BucketCounts>,
    threshold: Millis,
    abandon_cap: f64,
    counters: Counters,
    buckets: Vec<BucketCounts>,
    staffed: Gauge,
    busy: Gauge,
    talking: Gauge,
    queue: Gauge,
    lines: Gauge,
    waits: Histogram<u64>,
    wait_buckets: Vec<Histogram<u64>>,
    exhausted_at: Option<Millis>,
    retries_released: u64,
    /// The series bucket last counted in, as (index, start, end), to skip a division per event.
    current: (usize, u64, u64),
}

impl Recorder {
    pub fn new(model: &World) -> Recorder {
        let interval = model.interval;
        let window = model.measure;
        let mut waits = Histogram::new(3).expect("3 significant figures is valid");
        waits.auto(true);
        Recorder {
            interval,
            window,
            first_measured: (window.from.0 / interval.0.max(1)) as usize,
            measured: Vec::new(),
            threshold: model.compliance_threshold,
            abandon_cap: model.abandon_cap,
            counters: Counters::default(),
            buckets: Vec::new(),
            staffed: Gauge::within(interval, window.from, window.to),
            busy: Gauge::within(interval, window.from, window.to),
            talking: Gauge::within(interval, window.from, window.to),
            queue: Gauge::new(interval),
            lines: Gauge::new(interval),
            waits,
            wait_buckets: Vec::new(),
            exhausted_at: None,
            retries_released: 0,
            current: (0, 0, 0),
        }
    }

    fn bucket(&mut self, now: Millis) -> &mut BucketCounts {
        let (index, start, end) = self.current;
        if start <= now.0 && now.0 < end {
            return &mut self.buckets[index];
        }
        let width = self.interval.0.max(1);
        let i = (now.0 / width) as usize;
        if self.buckets.len() <= i {
            self.buckets.resize(i + 1, BucketCounts::default());
        }
        self.current = (i, i as u64 * width, (i as u64 + 1) * width);
        &mut self.buckets[i]
    }

    /// With a window, the window's own bucket for an event at `now` of a call it counts; `None`
    /// without a window, whose counts are the series'.
    fn measured_bucket(&mut self, now: Millis) -> Option<&mut BucketCounts> {
        if self.window == Window::WHOLE {
            return None;
        }
        let i = (now.0 / self.interval.0.max(1)) as usize - self.first_measured;
        if self.measured.len() <= i {
            self.measured.resize(i + 1, BucketCounts::default());
        }
        Some(&mut self.measured[i])
    }

    pub fn dialed(&mut self, now: Millis) {
        self.bucket(now).dials += 1;
        if self.window.contains(now) {
            self.counters.dials += 1;
            if let Some(b) = self.measured_bucket(now) {
                b.dials += 1;
            }
        }
    }

    /// A breach by a call dialed at `dialed`.
    pub fn breach(&mut self, kind: Breach, dialed: Millis) {
        if !self.window.contains(dialed) {
            return;
        }
        let c = &mut self.counters;
        match kind {
            Breach::OutsideWindow => c.calls_outside_window += 1,
            Breach::ShortRing => c.short_rings += 1,
            Breach::RedialAfterAbandon => c.redials_after_abandon += 1,
            Breach::DoNotCall => c.calls_to_do_not_call += 1,
        }
    }

    pub fn rejected(&mut self, now: Millis) {
        if self.window.contains(now) {
            self.counters.rejected += 1;
        }
    }

    // Each event below belongs to a call dialed at `dialed`: the series counts it whatever the
    // window, the counters and the window's buckets only when the window counts the call.

    pub fn answered(&mut self, now: Millis, dialed: Millis, human: bool) {
        if human {
            self.bucket(now).live_answers += 1;
        }
        if !self.window.contains(dialed) {
            return;
        }
        if human {
            self.counters.live_answers += 1;
            if let Some(b) = self.measured_bucket(now) {
                b.live_answers += 1;
            }
        } else {
            self.counters.machine_answers += 1;
        }
    }

    pub fn amd_hung_up_on_person(&mut self, now: Millis, dialed: Millis) {
        self.bucket(now).regulatory_abandons += 1;
        if self.window.contains(dialed) {
            self.counters.amd_hung_up_on_people += 1;
            if let Some(b) = self.measured_bucket(now) {
                b.regulatory_abandons += 1;
            }
        }
    }

    pub fn queued(&mut self, now: Millis, dialed: Millis) {
        self.bucket(now).queue_entries += 1;
        if self.window.contains(dialed) {
            self.counters.queue_entries += 1;
            if let Some(b) = self.measured_bucket(now) {
                b.queue_entries += 1;
            }
        }
    }

    pub fn abandoned(&mut self, now: Millis, dialed: Millis, waited: Millis) {
        let b = self.bucket(now);
        b.abandoned += 1;
        b.regulatory_abandons += 1;
        if self.window.contains(dialed) {
            self.counters.abandoned += 1;
            self.counters.waited += 1;
            self.counters.queue_time_ms += waited.0;
            if let Some(b) = self.measured_bucket(now) {
                b.abandoned += 1;
                b.regulatory_abandons += 1;
            }
        }
    }

    pub fn connected(&mut self, now: Millis, dialed: Millis, waited: Millis) {
        let late = rules::abandonment::connected_late(waited.0, self.threshold.0);
        let b = self.bucket(now);
        b.connected += 1;
        if late {
            b.regulatory_abandons += 1;
            b.connected_late += 1;
        }
        if self.window.contains(dialed) {
            if let Some(b) = self.measured_bucket(now) {
                b.connected += 1;
            }
            self.counters.connected += 1;
            self.counters.queue_time_ms += waited.0;
            if waited > Millis::ZERO {
                self.counters.waited += 1;
            }
            if late {
                self.counters.connected_late += 1;
                if let Some(b) = self.measured_bucket(now) {
                    b.regulatory_abandons += 1;
                    b.connected_late += 1;
                }
            }
            // Auto-resizing histograms grow on `record`; `saturating_record` would clamp
            // instead.
            self.waits
                .record(waited.0)
                .expect("an auto-resizing histogram accepts any value");
        }
        let i = (now.0 / self.interval.0.max(1)) as usize;
        if self.wait_buckets.len() <= i {
            self.wait_buckets.resize_with(i + 1, || {
                let mut h = Histogram::new(2).expect("2 significant figures is valid");
                h.auto(true);
                h
            });
        }
        self.wait_buckets[i]
            .record(waited.0)
            .expect("an auto-resizing histogram accepts any value");
    }

    /// A call (a line in use) lasted `[dialed, ended)`.
    pub fn call_ended(&mut self, dialed: Millis, ended: Millis) {
        self.lines.add_span(dialed, ended);
    }

    pub fn queue_len(&mut self, now: Millis, queued: u32) {
        self.queue.set(now, u64::from(queued));
    }

    /// Agents logged in changed. (Busy and talking agents are counted as spans when each call's
    /// talk and after-call work end, which gives the same areas with fewer updates; available
    /// agents are those staffed and not busy.)
    pub fn agents(&mut self, now: Millis, c: AgentCounts) {
        self.staffed.set(now, u64::from(c.staffed));
    }

    /// An agent talked over `[from, to)`.
    pub fn talked(&mut self, from: Millis, to: Millis) {
        self.talking.add_span(from, to);
    }

    /// An agent was busy (talk and after-call work) over `[from, to)`.
    pub fn busy(&mut self, from: Millis, to: Millis) {
        self.busy.add_span(from, to);
    }

    /// A customer's retry delay has passed (an event handled outside the event heap).
    pub fn retry_released(&mut self) {
        self.retries_released += 1;
    }

    pub fn list_exhausted(&mut self, now: Millis) {
        self.exhausted_at.get_or_insert(now);
    }

    pub fn finish(
        mut self,
        end: Millis,
        outcomes: [u64; 7],
        attempted: u64,
        events: u64,
    ) -> RepMetrics {
        for g in [&mut self.staffed, &mut self.queue] {
            g.flush(end);
        }
        for g in [&mut self.talking, &mut self.busy, &mut self.lines] {
            g.settle();
        }
        let buckets_needed = (end.0 / self.interval.0.max(1)) as usize + 1;
        if self.buckets.len() < buckets_needed {
            self.buckets.resize(buckets_needed, BucketCounts::default());
        }
        let pad = |v: &[u128]| {
            let mut v = v.to_vec();
            v.resize(buckets_needed.max(v.len()), 0);
            v
        };
        // The window's buckets run to the series' end, so that a window covering the whole
        // campaign has the series' very counts.
        if self.window != Window::WHOLE {
            let len = self.buckets.len().saturating_sub(self.first_measured);
            self.measured
                .resize(len.max(self.measured.len()), BucketCounts::default());
        }
        RepMetrics {
            window: self.window,
            counters: self.counters,
            abandon_cap: self.abandon_cap,
            end,
            list_exhausted_at: self.exhausted_at,
            outcomes,
            attempted,
            staffed_ms: self.staffed.total_within(),
            busy_ms: self.busy.total_within(),
            talk_ms: self.talking.total_within(),
            waits: self.waits,
            interval: self.interval,
            staffed_area: pad(self.staffed.areas()),
            busy_area: pad(self.busy.areas()),
            // Idle agents are those staffed and not busy, at every instant.
            available_area: pad(self.staffed.areas())
                .iter()
                .zip(pad(self.busy.areas()))
                .map(|(staffed, busy)| staffed - busy)
                .collect(),
            queue_area: pad(self.queue.areas()),
            lines_area: pad(self.lines.areas()),
            wait_buckets: self.wait_buckets,
            buckets: self.buckets,
            measured: self.measured,
            events: events + self.retries_released,
        }
    }
}
