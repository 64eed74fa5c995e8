//! Sweeps: one base scenario, a grid of values for some of its fields, every point run with
//! every strategy. The work is cut into units — (point, strategy, replication) — so that it can
//! be shared among machines (`--shard K/N`) and merged back into exactly the file one machine
//! would have written: each unit's numbers are kept as [`RepScalars`] and summarised in unit
//! order, whoever computed them.
//!
//! A sweep file (`scenarios/sweeps/README` shows more):
//!
//! ```ron
//! Sweep(
//!     scenario: "../small-team.ron",
//!     replications: Some(10),
//!     axes: [
//!         (field: "agents.staffing.Count", values: [4, 5, 6]),
//!         (field: "strategy.ratio", range: (from: 1.0, to: 2.0, step: 0.5)),
//!     ],
//! )
//! ```
//!
//! A field is a dotted path through the scenario as its file writes it, an enum's variant name
//! being one step (`agents.staffing.Count`); `strategy.F` sets field `F` of every strategy that
//! has it.

use crate::inputs::Files;
use crate::plan::Plan;
use crate::run::replicate;
use crate::stats::Estimate;
use crate::summary::{Metrics, Ordered, RepScalars, scalars, summarise_scalars};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sim::World;
use sim::scenario::Scenario;
use std::fmt;
use std::path::{Path, PathBuf};
use strategies::StrategySpec;

/// The results file's format tag.
pub const FORMAT: &str = "dialsim-sweep/1";
/// A shard's part file's format tag.
pub const PART_FORMAT: &str = "dialsim-sweep-part/1";

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
struct SweepFile {
    scenario: PathBuf,
    #[serde(default)]
    replications: Option<u32>,
    axes: Vec<AxisFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AxisFile {
    field: String,
    #[serde(default)]
    values: Option<Vec<f64>>,
    #[serde(default)]
    range: Option<RangeFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeFile {
    from: f64,
    to: f64,
    step: f64,
}

/// Why a sweep cannot run. Each names the place and the fix.
#[derive(Debug)]
pub struct SweepError(pub String);

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SweepError {}

/// The most shards a part file can belong to (`dialsim merge` keeps a slot per shard).
pub const MAX_SHARDS: usize = 1_000_000;

/// One axis: the field and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub field: String,
    pub values: Vec<f64>,
}

/// A loaded sweep: the points of the grid, each compiled.
pub struct Sweep {
    pub name: String,
    pub seed: u64,
    pub replications: u32,
    pub axes: Vec<Axis>,
    /// The value of each axis at each point, in grid order (the last axis varies fastest).
    pub points: Vec<Vec<f64>>,
    pub plans: Vec<Plan>,
    pub strategies: Vec<StrategySpec>,
    /// A fingerprint of everything the results depend on (what a shard must agree on).
    pub identity: String,
    /// Every file the sweep reads: its base scenario and the files that reads.
    pub inputs: Vec<PathBuf>,
}

/// Whether an axis on `field` changes the contact list.
fn touches_list(field: &str) -> bool {
    field == "list" || field.starts_with("list.")
}

/// One unit of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub point: usize,
    pub strategy: usize,
    pub replication: u32,
}

fn values(i: usize, a: &AxisFile) -> Result<Vec<f64>, SweepError> {
    let at = format!("axis {} ({:?})", i + 1, a.field);
    let v = match (&a.values, &a.range) {
        (Some(v), None) => v.clone(),
        (None, Some(r)) => {
            if !(r.step > 0.0 && r.to >= r.from && r.from.is_finite() && r.to.is_finite()) {
                return Err(SweepError(format!(
                    "{at}: range(from: {}, to: {}, step: {}) is empty or endless: give from <= to and a positive step",
                    r.from, r.to, r.step
                )));
            }
            let n = ((r.to - r.from) / r.step + 1e-9).floor() as usize + 1;
            if n > 10_000 {
                return Err(SweepError(format!(
                    "{at}: {n} values; a sweep axis takes at most 10,000"
                )));
            }
            (0..n).map(|k| r.from + k as f64 * r.step).collect()
        }
        _ => {
            return Err(SweepError(format!(
                "{at}: give either `values: [..]` or `range: (from: .., to: .., step: ..)`"
            )));
        }
    };
    if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
        return Err(SweepError(format!("{at}: needs at least one finite value")));
    }
    Ok(v)
}

fn json_number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

fn fields_of(v: &Value) -> String {
    match v {
        Value::Object(m) => m.keys().cloned().collect::<Vec<_>>().join(", "),
        Value::Null => "none (the field is empty in the base scenario)".into(),
        _ => "none (a value, not a group of fields)".into(),
    }
}

/// Sets the field at `path` (dot-separated) of `tree` to `value`.
fn set(tree: &mut Value, path: &str, value: f64) -> Result<(), String> {
    if let Some(field) = path.strip_prefix("strategy.") {
        let list = tree
            .get_mut("strategies")
            .and_then(Value::as_array_mut)
            .ok_or("the scenario has no strategies")?;
        let mut hits = 0;
        for s in list.iter_mut() {
            if let Some(Value::Object(variant)) =
                s.as_object_mut().and_then(|o| o.values_mut().next())
                && variant.contains_key(field)
            {
                variant.insert(field.to_string(), json_number(value));
                hits += 1;
            }
        }
        return if hits > 0 {
            Ok(())
        } else {
            Err(format!("no strategy of the scenario has a field `{field}`"))
        };
    }
    let mut at = tree;
    let mut walked = String::new();
    for step in path.split('.') {
        let here = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        let fits = match &*at {
            Value::Object(m) => m.contains_key(step),
            Value::Array(a) => step.parse::<usize>().is_ok_and(|i| i < a.len()),
            _ => false,
        };
        if !fits {
            return Err(match &*at {
                Value::Array(a) => format!(
                    "`{step}` is not an index of the list {here} (0 to {})",
                    a.len().saturating_sub(1)
                ),
                other => format!(
                    "no field `{step}` in {here}; fields there: {}",
                    fields_of(other)
                ),
            });
        }
        let next = match at {
            Value::Array(a) => &mut a[step.parse::<usize>().expect("checked")],
            other => other.get_mut(step).expect("checked"),
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(step);
        at = next;
    }
    if !at.is_number() {
        return Err(format!(
            "`{path}` is not a number in the base scenario (it is {at}): sweep a numeric field"
        ));
    }
    *at = json_number(value);
    Ok(())
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Sweep {
    /// Reads the sweep file at `path` and compiles every point of its grid.
    pub fn load(path: &Path, replications: Option<u32>) -> Result<Sweep, SweepError> {
        Sweep::load_within(path, replications, 1, None)
    }

    /// Like [`Sweep::load`], refusing before compiling its points a sweep whose estimated memory
    /// on `threads` threads is above `budget` bytes.
    pub fn load_within(
        path: &Path,
        replications: Option<u32>,
        threads: usize,
        budget: Option<u64>,
    ) -> Result<Sweep, SweepError> {
        let shown = path.display();
        let text = crate::files::read_to_string(path, crate::files::MAX_RON_BYTES)
            .map_err(|e| SweepError(format!("{shown}: {e}")))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let file: SweepFile = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text).map_err(|e| {
            SweepError(format!(
                "{shown}:{}:{}: {}: a sweep file is Sweep(scenario: \"file.ron\", axes: [(field: \"...\", values: [...])])",
                e.span.start.line, e.span.start.col, e.code
            ))
        })?;
        let base_path = path.parent().unwrap_or(Path::new(".")).join(&file.scenario);
        let (mut base, base_plan) = crate::load::load(&base_path)
            .map_err(|e| SweepError(format!("{shown}: scenario: {e}")))?;
        let base_dir = base_path.parent().unwrap_or(Path::new("."));
        let mut inputs = vec![base_path.clone()];
        inputs.extend(base.input_files(base_dir));
        if let Some(r) = replications.or(file.replications) {
            if r == 0 || r > sim::scenario::MAX_REPLICATIONS {
                return Err(SweepError(format!(
                    "{shown}: replications is {r}: give 1 to {}",
                    sim::scenario::MAX_REPLICATIONS
                )));
            }
            base.replications = r;
        }
        if file.axes.is_empty() {
            return Err(SweepError(format!(
                "{shown}: no axes: give at least one (field: ..., values: [...])"
            )));
        }
        let axes = file
            .axes
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Ok(Axis {
                    field: a.field.clone(),
                    values: values(i, a).map_err(|e| SweepError(format!("{shown}: {e}")))?,
                })
            })
            .collect::<Result<Vec<_>, SweepError>>()?;
        for (i, a) in axes.iter().enumerate() {
            if let Some(first) = axes[..i].iter().position(|b| b.field == a.field) {
                return Err(SweepError(format!(
                    "{shown}: axes {} and {} both sweep {:?}: a field takes one axis; list all its values there",
                    first + 1,
                    i + 1,
                    a.field
                )));
            }
            if ["replications", "seed", "name", "strategies", "gates"].contains(&a.field.as_str()) {
                return Err(SweepError(format!(
                    "{shown}: axis {} sweeps {:?}, a setting of the run, not of the campaign: give `replications` in the sweep file or --replications, and sweep the campaign's fields",
                    i + 1,
                    a.field
                )));
            }
        }
        let count: usize = axes.iter().map(|a| a.values.len()).product();
        if count > 100_000 {
            return Err(SweepError(format!(
                "{shown}: {count} points; a sweep takes at most 100,000"
            )));
        }
        if let Some(budget) = budget {
            // Every point keeps its compiled plan and every unit its numbers; the base plan's
            // size stands for each point's. Points share the base's list unless an axis
            // changes the list.
            let units = count as u64 * u64::from(base.replications) * base.strategies.len() as u64;
            let world = &base_plan.world;
            let per_point = if axes.iter().any(|a| touches_list(&a.field)) {
                world.world_bytes()
            } else {
                world.world_bytes() - world.list_bytes()
            };
            let estimate = world.list_bytes()
                + count as u64 * per_point
                + world.running_bytes(threads)
                + units * (2 << 10);
            if estimate > budget {
                return Err(SweepError(format!(
                    "{shown}: this sweep needs about {:.1} GB of memory ({count} points × {:.1} MB of plan each, {units} units), more than the {:.1} GB it may use here: sweep fewer points or a smaller list",
                    estimate as f64 / 1e9,
                    per_point as f64 / 1e6,
                    budget as f64 / 1e9
                )));
            }
        }
        let tree = serde_json::to_value(&base).map_err(|e| SweepError(format!("{shown}: {e}")))?;
        let files = Files::new(base_path.parent().unwrap_or(Path::new(".")));
        let mut points = Vec::with_capacity(count);
        let mut plans = Vec::with_capacity(count);
        let mut resolved = Vec::with_capacity(count);
        for k in 0..count {
            let mut rest = k;
            let mut point = vec![0.0; axes.len()];
            for (i, a) in axes.iter().enumerate().rev() {
                point[i] = a.values[rest % a.values.len()];
                rest /= a.values.len();
            }
            let mut t = tree.clone();
            for (i, (a, v)) in axes.iter().zip(&point).enumerate() {
                set(&mut t, &a.field, *v).map_err(|e| {
                    SweepError(format!("{shown}: axis {} ({:?}): {e}", i + 1, a.field))
                })?;
            }
            let scenario: Scenario = serde_json::from_value(t.clone()).map_err(|e| {
                SweepError(format!(
                    "{shown}: the point {} is not a valid scenario: {e}",
                    describe(&axes, &point)
                ))
            })?;
            // The list is the bulk of a world: a point that leaves it alone shares the base's.
            let world = if scenario.list == base.list {
                World::compile_sharing_list(&scenario, &base_plan.world, &files)
            } else {
                World::compile(&scenario, scenario.seed, &files)
            };
            let plan = world
                .and_then(|w| Plan::around(&scenario, w))
                .map_err(|e| {
                    SweepError(format!(
                        "{shown}: the point {} is not a valid scenario: {e}",
                        describe(&axes, &point)
                    ))
                })?;
            resolved.push(t);
            points.push(point);
            plans.push(plan);
        }
        let identity = format!(
            "{:016x}",
            fnv(
                serde_json::to_string(&(&resolved, base.seed, base.replications))
                    .unwrap_or_default()
                    .as_bytes()
            )
        );
        Ok(Sweep {
            name: base.name.clone(),
            seed: base.seed,
            replications: base.replications,
            axes,
            points,
            plans,
            strategies: base.strategies.clone(),
            identity,
            inputs,
        })
    }

    /// Every unit of work, in the order the results are assembled.
    pub fn units(&self) -> Vec<Unit> {
        let mut out = Vec::new();
        for point in 0..self.points.len() {
            for strategy in 0..self.strategies.len() {
                for replication in 0..self.replications {
                    out.push(Unit {
                        point,
                        strategy,
                        replication,
                    });
                }
            }
        }
        out
    }

    /// Runs the units with index `i` where `i % shards == shard` (all of them for `0/1`), in
    /// parallel on the current rayon pool.
    pub fn run(
        &self,
        shard: usize,
        shards: usize,
        on_unit: &(dyn Fn() + Sync),
    ) -> Vec<(usize, RepScalars)> {
        let units = self.units();
        (0..units.len())
            .filter(|i| i % shards == shard)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|i| {
                let u = units[i];
                let plan = &self.plans[u.point];
                let rep = replicate(plan, &plan.strategies[u.strategy], u.replication);
                on_unit();
                (i, scalars(&rep))
            })
            .collect()
    }

    /// The header every part carries and the results file repeats.
    pub fn header(&self) -> Header {
        Header {
            scenario: self.name.clone(),
            seed: self.seed,
            replications: self.replications,
            identity: self.identity.clone(),
            axes: self.axes.clone(),
            points: self.points.clone(),
            strategies: self
                .plans
                .first()
                .map(|m| m.strategies.iter().map(StrategySpec::label).collect())
                .unwrap_or_default(),
        }
    }
}

fn describe(axes: &[Axis], point: &[f64]) -> String {
    axes.iter()
        .zip(point)
        .map(|(a, v)| format!("{} = {v}", a.field))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a sweep is, independent of who ran which unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub identity: String,
    pub axes: Vec<Axis>,
    pub points: Vec<Vec<f64>>,
    /// Strategy labels, in order.
    pub strategies: Vec<String>,
}

impl Header {
    pub fn unit_count(&self) -> usize {
        self.points.len() * self.strategies.len() * self.replications as usize
    }
}

/// One shard's share: its units' numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub format: String,
    pub shard: usize,
    pub shards: usize,
    pub sweep: Header,
    pub units: Vec<(usize, RepScalars)>,
}

/// The results of a sweep: a row per point and strategy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepResults {
    pub format: String,
    #[serde(flatten)]
    pub sweep: Header,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The axes' values at this point, in axis order.
    pub values: Vec<f64>,
    pub strategy: String,
    pub metrics: Metrics<Estimate>,
    pub outcomes: Ordered<Estimate>,
}

/// Assembles the results from every unit's numbers (`units[i]` is unit `i`).
pub fn assemble(header: Header, units: &[RepScalars]) -> SweepResults {
    let reps = header.replications as usize;
    let mut rows = Vec::new();
    for (p, values) in header.points.iter().enumerate() {
        for (s, label) in header.strategies.iter().enumerate() {
            let start = (p * header.strategies.len() + s) * reps;
            let (metrics, outcomes) = summarise_scalars(&units[start..start + reps]);
            rows.push(Row {
                values: values.clone(),
                strategy: label.clone(),
                metrics,
                outcomes,
            });
        }
    }
    SweepResults {
        format: FORMAT.into(),
        sweep: header,
        rows,
    }
}

/// Merges shards' parts into the results, refusing parts of different sweeps, a shard given
/// twice, and a missing shard (named).
pub fn merge(parts: Vec<(String, Part)>) -> Result<SweepResults, SweepError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(SweepError("no part files given".into()));
    };
    let (shards, header) = (first.shards, first.sweep.clone());
    let mut seen: Vec<Option<&str>> = vec![None; shards];
    for (name, p) in &parts {
        if p.format != PART_FORMAT {
            return Err(SweepError(format!(
                "{name}: format {:?} is not {PART_FORMAT}: give the files `dialsim sweep --shard` wrote",
                p.format
            )));
        }
        if p.sweep.identity != header.identity || p.shards != shards {
            return Err(SweepError(format!(
                "{name} belongs to another sweep or shard count (sweep {}, {} shards) than {first_name} (sweep {}, {shards} shards): merge the parts of one sweep",
                p.sweep.identity, p.shards, header.identity
            )));
        }
        match seen.get_mut(p.shard) {
            Some(Some(other)) => {
                return Err(SweepError(format!(
                    "shard {}/{shards} is given twice: {other} and {name}",
                    p.shard
                )));
            }
            Some(slot) => *slot = Some(name.as_str()),
            None => {
                return Err(SweepError(format!(
                    "{name}: shard {} of {shards} does not exist",
                    p.shard
                )));
            }
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{i}/{shards}"))
        .collect();
    if !missing.is_empty() {
        return Err(SweepError(format!(
            "missing shard{} {}: run `dialsim sweep FILE --shard K/{shards}` for each and merge again",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        )));
    }
    let mut units: Vec<Option<RepScalars>> = vec![None; header.unit_count()];
    for (name, p) in parts {
        for (i, s) in p.units {
            if i % shards != p.shard || i >= units.len() || units[i].is_some() {
                return Err(SweepError(format!(
                    "{name}: unit {i} does not belong to shard {}/{shards}",
                    p.shard
                )));
            }
            units[i] = Some(s);
        }
    }
    let units: Vec<RepScalars> = units
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            u.ok_or_else(|| {
                SweepError(format!(
                    "unit {i} is in no part: shard {}/{shards} is incomplete",
                    i % shards
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(assemble(header, &units))
}

/// Parses a shard spec `K/N`: shard K (0-based) of N.
pub fn parse_shard(spec: &str) -> Result<(usize, usize), SweepError> {
    let bad = |why: &str| {
        SweepError(format!(
            "--shard {spec:?}: {why}: write K/N with 0 <= K < N, e.g. 3/16 (shards are numbered from 0)"
        ))
    };
    let (k, n) = spec.split_once('/').ok_or_else(|| bad("no '/'"))?;
    let k: usize = k.trim().parse().map_err(|_| bad("K is not a number"))?;
    let n: usize = n.trim().parse().map_err(|_| bad("N is not a number"))?;
    if n == 0 {
        return Err(bad("N must be at least 1"));
    }
    if n > MAX_SHARDS {
        return Err(bad(&format!(
            "N is above {}, the most shards `dialsim merge` combines",
            MAX_SHARDS
        )));
    }
    if k >= n {
        return Err(bad("K must be below N"));
    }
    Ok((k, n))
}

/// The environment variables of job-array engines that give a shard index (0-based), in the
/// order they are looked at.
pub const INDEX_VARIABLES: [&str; 3] = [
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "SLURM_ARRAY_TASK_ID",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("3/16").unwrap(), (3, 16));
        assert_eq!(parse_shard("0/1").unwrap(), (0, 1));
        for bad in ["4/3", "0/0", "x/2", "3", "1/-2", "3/3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn setting_fields_by_path() {
        let mut t = serde_json::json!({"agents": {"staffing": {"Count": 5}}, "dial": {"human": 0.3},
            "strategies": [{"FixedRatio": {"ratio": 1.5}}, {"Progressive": {"poll_s": 1.0}}]});
        set(&mut t, "agents.staffing.Count", 7.0).unwrap();
        assert_eq!(t["agents"]["staffing"]["Count"], serde_json::json!(7));
        set(&mut t, "strategy.ratio", 2.25).unwrap();
        assert_eq!(
            t["strategies"][0]["FixedRatio"]["ratio"],
            serde_json::json!(2.25)
        );
        let e = set(&mut t, "dial.p_human", 0.2).unwrap_err();
        assert!(e.contains("p_human") && e.contains("human"), "{e}");
        assert!(set(&mut t, "strategy.nope", 1.0).is_err());
        assert!(
            set(&mut t, "agents.staffing", 1.0)
                .unwrap_err()
                .contains("not a number")
        );
    }
}
