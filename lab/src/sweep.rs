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

use crate::inputs::{Files, InputError};
use crate::load::ScenarioError;
use crate::plan::{Plan, PlanError};
use crate::run::replicate;
use crate::stats::Estimate;
use crate::summary::{Metrics, Ordered, RepScalars, scalars, summarise_scalars};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sim::World;
use sim::scenario::{MAX_REPLICATIONS, Scenario};
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

/// The most values an axis takes.
const MAX_AXIS_VALUES: usize = 10_000;
/// The most points a sweep takes.
const MAX_POINTS: usize = 100_000;

/// Why a sweep cannot run. Each names the sweep file, the place and the fix. (An underlying
/// error is part of the message, not a `source`, so that a chain printed whole does not say it
/// twice.)
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{}:{line}:{column}: {error}: a sweep file is Sweep(scenario: \"file.ron\", axes: [(field: \"...\", values: [...])])",
        path.display()
    )]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        error: ron::Error,
    },
    /// The base scenario cannot be loaded.
    #[error("{}: scenario: {error}", path.display())]
    Scenario {
        path: PathBuf,
        error: Box<ScenarioError>,
    },
    #[error("{}: replications is {replications}: give 1 to {MAX_REPLICATIONS}", path.display())]
    Replications { path: PathBuf, replications: u32 },
    #[error("{}: no axes: give at least one (field: ..., values: [...])", path.display())]
    NoAxes { path: PathBuf },
    /// Axis number `axis` (from 1) on `field` cannot be swept.
    #[error("{}: axis {axis} ({field:?}): {problem}", path.display())]
    Axis {
        path: PathBuf,
        axis: usize,
        field: String,
        problem: Box<AxisError>,
    },
    #[error(
        "{}: axes {first} and {second} both sweep {field:?}: a field takes one axis; list all its values there",
        path.display()
    )]
    RepeatedField {
        path: PathBuf,
        first: usize,
        second: usize,
        field: String,
    },
    #[error(
        "{}: axis {axis} sweeps {field:?}, a setting of the run, not of the campaign: give `replications` in the sweep file or --replications, and sweep the campaign's fields",
        path.display()
    )]
    RunSetting {
        path: PathBuf,
        axis: usize,
        field: String,
    },
    #[error("{}: {count} points; a sweep takes at most 100,000", path.display())]
    TooManyPoints { path: PathBuf, count: usize },
    /// The estimated memory (bytes) is above the budget (bytes).
    #[error(
        "{}: this sweep needs about {:.1} GB of memory ({count} points × {:.1} MB of plan each, {units} units), more than the {:.1} GB it may use here: sweep fewer points or a smaller list",
        path.display(),
        *estimate as f64 / 1e9,
        *per_point as f64 / 1e6,
        *budget as f64 / 1e9
    )]
    TooMuchMemory {
        path: PathBuf,
        estimate: u64,
        count: usize,
        per_point: u64,
        units: u64,
        budget: u64,
    },
    /// The base scenario could not be written as the tree the axes edit.
    #[error("{}: {error}", path.display())]
    Encode {
        path: PathBuf,
        error: serde_json::Error,
    },
    /// A point's values make a scenario that does not read back.
    #[error(
        "{}: the point {} is not a valid scenario: {error}",
        path.display(),
        describe(point)
    )]
    InvalidPoint {
        path: PathBuf,
        point: Vec<(String, f64)>,
        error: serde_json::Error,
    },
    /// A point's values make a scenario that does not compile.
    #[error(
        "{}: the point {} is not a valid scenario: {error}",
        path.display(),
        describe(point)
    )]
    UncompilablePoint {
        path: PathBuf,
        point: Vec<(String, f64)>,
        error: Box<PlanError<InputError>>,
    },
}

/// What is wrong with one axis: its values, or the field it sweeps.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AxisError {
    #[error(
        "range(from: {from}, to: {to}, step: {step}) is empty or endless: give from <= to and a positive step"
    )]
    EmptyRange { from: f64, to: f64, step: f64 },
    #[error("{count} values; a sweep axis takes at most 10,000")]
    TooManyValues { count: usize },
    #[error("give either `values: [..]` or `range: (from: .., to: .., step: ..)`")]
    NoValues,
    #[error("needs at least one finite value")]
    NotFinite,
    #[error("the scenario has no strategies")]
    NoStrategies,
    #[error("no strategy of the scenario has a field `{field}`")]
    NoStrategyField { field: String },
    /// Step `step` after `within` (the steps walked, empty at the top) is not an index of that
    /// list, whose last index is `last`.
    #[error("`{step}` is not an index of the list {} (0 to {last})", place(within))]
    NotAnIndex {
        step: String,
        within: String,
        last: usize,
    },
    /// Step `step` after `within` (the steps walked, empty at the top) names no field there.
    #[error("no field `{step}` in {}; fields there: {there}", place(within))]
    NoField {
        step: String,
        within: String,
        there: Fields,
    },
    #[error(
        "`{field}` is not a number in the base scenario (it is {found}): sweep a numeric field"
    )]
    NotANumber { field: String, found: Value },
}

/// The fields where a step of a field's path was looked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Fields {
    Named(Vec<String>),
    /// The base scenario leaves the field empty.
    Empty,
    /// A value, not a group of fields.
    Value,
}

impl fmt::Display for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fields::Named(names) => f.write_str(&names.join(", ")),
            Fields::Empty => f.write_str("none (the field is empty in the base scenario)"),
            Fields::Value => f.write_str("none (a value, not a group of fields)"),
        }
    }
}

/// A place in the scenario, by the steps walked to it.
fn place(walked: &str) -> String {
    if walked.is_empty() {
        "the scenario".to_string()
    } else {
        format!("`{walked}`")
    }
}

/// Why shards' parts cannot be merged. Parts are named as the caller gave them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no part files given")]
    NoParts,
    #[error(
        "{part}: format {format:?} is not {PART_FORMAT}: give the files `dialsim sweep --shard` wrote"
    )]
    Format { part: String, format: String },
    #[error(
        "{part} belongs to another sweep or shard count (sweep {identity}, {shards} shards) than {first} (sweep {first_identity}, {first_shards} shards): merge the parts of one sweep"
    )]
    OtherSweep {
        part: String,
        identity: String,
        shards: usize,
        first: String,
        first_identity: String,
        first_shards: usize,
    },
    #[error("shard {shard}/{shards} is given twice: {first} and {second}")]
    ShardTwice {
        shard: usize,
        shards: usize,
        first: String,
        second: String,
    },
    #[error("{part}: shard {shard} of {shards} does not exist")]
    NoSuchShard {
        part: String,
        shard: usize,
        shards: usize,
    },
    #[error(
        "missing shard{} {}: run `dialsim sweep FILE --shard K/{shards}` for each and merge again",
        if missing.len() > 1 { "s" } else { "" },
        missing.iter().map(|k| format!("{k}/{shards}")).collect::<Vec<_>>().join(", ")
    )]
    MissingShards { missing: Vec<usize>, shards: usize },
    #[error("{part}: unit {unit} does not belong to shard {shard}/{shards}")]
    StrayUnit {
        part: String,
        unit: usize,
        shard: usize,
        shards: usize,
    },
    #[error("unit {unit} is in no part: shard {}/{shards} is incomplete", unit % shards)]
    UnitInNoPart { unit: usize, shards: usize },
}

/// Why a shard spec `K/N` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "--shard {spec:?}: {problem}: write K/N with 0 <= K < N, e.g. 3/16 (shards are numbered from 0)"
)]
pub struct ShardError {
    pub spec: String,
    pub problem: ShardProblem,
}

/// What is wrong with a shard spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardProblem {
    #[error("no '/'")]
    NoSlash,
    #[error("K is not a number")]
    IndexNotANumber,
    #[error("N is not a number")]
    CountNotANumber,
    #[error("N must be at least 1")]
    NoShards,
    #[error("N is above {}, the most shards `dialsim merge` combines", MAX_SHARDS)]
    TooManyShards,
    #[error("K must be below N")]
    IndexNotBelowCount,
}

/// The most shards a part file can belong to (`dialsim merge` keeps a slot per shard).
pub const MAX_SHARDS: usize = 1_000_000;

/// One axis: the field and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub field: String,
    pub values: Vec<f64>,
    /// For a `strategy.F` axis, the strategies (by position in the header's `strategies`) that
    /// have field `F`, the only ones it changes; the others run the same along it. Absent for
    /// an axis on the scenario, which changes every strategy's runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets: Option<Vec<usize>>,
}

impl Axis {
    /// Whether the axis changes strategy `s`'s runs (see [`Axis::sets`]).
    pub fn applies_to(&self, s: usize) -> bool {
        self.sets.as_ref().is_none_or(|sets| sets.contains(&s))
    }
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
    /// The base scenario's cap on the regulatory abandon rate.
    pub abandon_cap: f64,
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

fn values(a: &AxisFile) -> Result<Vec<f64>, AxisError> {
    let v = match (&a.values, &a.range) {
        (Some(v), None) => v.clone(),
        (None, Some(r)) => {
            if !(r.step > 0.0 && r.to >= r.from && r.from.is_finite() && r.to.is_finite()) {
                return Err(AxisError::EmptyRange {
                    from: r.from,
                    to: r.to,
                    step: r.step,
                });
            }
            let n = ((r.to - r.from) / r.step + 1e-9).floor() as usize + 1;
            if n > MAX_AXIS_VALUES {
                return Err(AxisError::TooManyValues { count: n });
            }
            (0..n).map(|k| r.from + k as f64 * r.step).collect()
        }
        _ => return Err(AxisError::NoValues),
    };
    if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
        return Err(AxisError::NotFinite);
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

fn fields_of(v: &Value) -> Fields {
    match v {
        Value::Object(m) => Fields::Named(m.keys().cloned().collect()),
        Value::Null => Fields::Empty,
        _ => Fields::Value,
    }
}

/// Sets the field at `path` (dot-separated) of `tree` to `value`.
fn set(tree: &mut Value, path: &str, value: f64) -> Result<(), AxisError> {
    if let Some(field) = path.strip_prefix("strategy.") {
        let list = tree
            .get_mut("strategies")
            .and_then(Value::as_array_mut)
            .ok_or(AxisError::NoStrategies)?;
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
            Err(AxisError::NoStrategyField {
                field: field.to_string(),
            })
        };
    }
    let mut at = tree;
    let mut walked = String::new();
    for step in path.split('.') {
        let fits = match &*at {
            Value::Object(m) => m.contains_key(step),
            Value::Array(a) => step.parse::<usize>().is_ok_and(|i| i < a.len()),
            _ => false,
        };
        if !fits {
            return Err(match &*at {
                Value::Array(a) => AxisError::NotAnIndex {
                    step: step.to_string(),
                    within: walked,
                    last: a.len().saturating_sub(1),
                },
                other => AxisError::NoField {
                    step: step.to_string(),
                    within: walked,
                    there: fields_of(other),
                },
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
        return Err(AxisError::NotANumber {
            field: path.to_string(),
            found: at.clone(),
        });
    }
    *at = json_number(value);
    Ok(())
}

/// The positions of the strategies of a scenario's `tree` that have field `field`.
fn strategies_with(tree: &Value, field: &str) -> Vec<usize> {
    let list = tree.get("strategies").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, s)| {
            s.as_object()
                .and_then(|o| o.values().next())
                .and_then(Value::as_object)
                .is_some_and(|variant| variant.contains_key(field))
        })
        .map(|(i, _)| i)
        .collect()
}

/// `spec` with the `strategy.F` axes' values at `point` set: the strategy a row of that point
/// ran. `None` when it cannot be built again (the point was run from it, so only a damaged
/// file gets there).
pub fn strategy_at(spec: &StrategySpec, axes: &[Axis], point: &[f64]) -> Option<StrategySpec> {
    let mut tree = serde_json::json!({ "strategies": [spec] });
    for (a, v) in axes.iter().zip(point) {
        if let Some(field) = a.field.strip_prefix("strategy.")
            && !strategies_with(&tree, field).is_empty()
        {
            set(&mut tree, &a.field, *v).ok()?;
        }
    }
    serde_json::from_value(tree["strategies"][0].take()).ok()
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
        let file_path = || path.to_path_buf();
        let text =
            crate::files::read_to_string(path, crate::files::MAX_RON_BYTES).map_err(|error| {
                SweepError::Read {
                    path: file_path(),
                    error,
                }
            })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let file: SweepFile = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text)
            .map_err(|e| SweepError::Syntax {
                path: file_path(),
                line: e.span.start.line,
                column: e.span.start.col,
                error: e.code,
            })?;
        let base_path = path.parent().unwrap_or(Path::new(".")).join(&file.scenario);
        let (mut base, base_plan) =
            crate::load::load(&base_path).map_err(|error| SweepError::Scenario {
                path: file_path(),
                error: Box::new(error),
            })?;
        let base_dir = base_path.parent().unwrap_or(Path::new("."));
        let mut inputs = vec![base_path.clone()];
        inputs.extend(base.input_files(base_dir));
        if let Some(r) = replications.or(file.replications) {
            if r == 0 || r > MAX_REPLICATIONS {
                return Err(SweepError::Replications {
                    path: file_path(),
                    replications: r,
                });
            }
            base.replications = r;
        }
        if file.axes.is_empty() {
            return Err(SweepError::NoAxes { path: file_path() });
        }
        let axis_error = |i: usize, field: &str, problem| SweepError::Axis {
            path: file_path(),
            axis: i + 1,
            field: field.to_string(),
            problem: Box::new(problem),
        };
        let axes = file
            .axes
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Ok(Axis {
                    field: a.field.clone(),
                    values: values(a).map_err(|e| axis_error(i, &a.field, e))?,
                    sets: None,
                })
            })
            .collect::<Result<Vec<_>, SweepError>>()?;
        for (i, a) in axes.iter().enumerate() {
            if let Some(first) = axes[..i].iter().position(|b| b.field == a.field) {
                return Err(SweepError::RepeatedField {
                    path: file_path(),
                    first: first + 1,
                    second: i + 1,
                    field: a.field.clone(),
                });
            }
            if ["replications", "seed", "name", "strategies", "gates"].contains(&a.field.as_str()) {
                return Err(SweepError::RunSetting {
                    path: file_path(),
                    axis: i + 1,
                    field: a.field.clone(),
                });
            }
        }
        let count: usize = axes.iter().map(|a| a.values.len()).product();
        if count > MAX_POINTS {
            return Err(SweepError::TooManyPoints {
                path: file_path(),
                count,
            });
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
                return Err(SweepError::TooMuchMemory {
                    path: file_path(),
                    estimate,
                    count,
                    per_point,
                    units,
                    budget,
                });
            }
        }
        let tree = serde_json::to_value(&base).map_err(|error| SweepError::Encode {
            path: file_path(),
            error,
        })?;
        let mut axes = axes;
        for a in &mut axes {
            if let Some(field) = a.field.strip_prefix("strategy.") {
                a.sets = Some(strategies_with(&tree, field));
            }
        }
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
                set(&mut t, &a.field, *v).map_err(|e| axis_error(i, &a.field, e))?;
            }
            let settings = || {
                axes.iter()
                    .zip(&point)
                    .map(|(a, v)| (a.field.clone(), *v))
                    .collect()
            };
            let scenario: Scenario =
                serde_json::from_value(t.clone()).map_err(|error| SweepError::InvalidPoint {
                    path: file_path(),
                    point: settings(),
                    error,
                })?;
            // The list is the bulk of a world: a point that leaves it alone shares the base's.
            let world = if scenario.list == base.list {
                World::compile_sharing_list(&scenario, &base_plan.world, &files)
            } else {
                World::compile(&scenario, scenario.seed, &files)
            };
            let plan = world
                .map_err(PlanError::World)
                .and_then(|w| Plan::around(&scenario, w))
                .map_err(|error| SweepError::UncompilablePoint {
                    path: file_path(),
                    point: settings(),
                    error: Box::new(error),
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
            abandon_cap: base_plan.world.abandon_cap,
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
            specs: self.strategies.clone(),
            abandon_cap: Some(self.abandon_cap),
        }
    }
}

/// A point by its settings: `agents.staffing.Count = 5, strategy.ratio = 1.5`.
fn describe(point: &[(String, f64)]) -> String {
    point
        .iter()
        .map(|(field, v)| format!("{field} = {v}"))
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
    /// Strategy labels, in order (as at the first point).
    pub strategies: Vec<String>,
    /// The strategies as the base scenario writes them, before an axis sets a field: with the
    /// axes, what each row ran ([`strategy_at`]). Absent in files of earlier versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub specs: Vec<StrategySpec>,
    /// The base scenario's `abandon_cap` (on the regulatory rate); absent in files of earlier
    /// versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon_cap: Option<f64>,
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
    /// The strategy's label at this point, when a `strategy.F` axis changes it
    /// ("FixedRatio(1.5, poll 1s)" where `strategy` names the first point's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub metrics: Metrics<Estimate>,
    pub outcomes: Ordered<Estimate>,
}

impl Row {
    /// The strategy as it ran at this point: its label there.
    pub fn shown(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.strategy)
    }
}

impl SweepResults {
    /// The positions of the axes on the scenario (not on strategies' fields).
    pub fn scenario_axes(&self) -> Vec<usize> {
        (0..self.sweep.axes.len())
            .filter(|&a| self.sweep.axes[a].sets.is_none())
            .collect()
    }

    /// Whether row `k` is one tables and charts show: along an axis that does not set its
    /// strategy every row of the strategy is the same run, so only the one at the axis's first
    /// value is.
    pub fn shown_once(&self, k: usize) -> bool {
        let s = k % self.sweep.strategies.len().max(1);
        self.sweep
            .axes
            .iter()
            .zip(&self.rows[k].values)
            .all(|(a, v)| a.applies_to(s) || v.to_bits() == a.values[0].to_bits())
    }
}

/// Assembles the results from every unit's numbers (`units[i]` is unit `i`).
pub fn assemble(header: Header, units: &[RepScalars]) -> SweepResults {
    let reps = header.replications as usize;
    let mut rows = Vec::new();
    for (p, values) in header.points.iter().enumerate() {
        for (s, label) in header.strategies.iter().enumerate() {
            let start = (p * header.strategies.len() + s) * reps;
            let (metrics, outcomes) = summarise_scalars(&units[start..start + reps]);
            let here = header
                .specs
                .get(s)
                .and_then(|spec| strategy_at(spec, &header.axes, values))
                .map(|spec| spec.label())
                .filter(|here| here != label);
            rows.push(Row {
                values: values.clone(),
                strategy: label.clone(),
                label: here,
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
pub fn merge(parts: Vec<(String, Part)>) -> Result<SweepResults, MergeError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    let (shards, header) = (first.shards, first.sweep.clone());
    let mut seen: Vec<Option<&str>> = vec![None; shards];
    for (name, p) in &parts {
        if p.format != PART_FORMAT {
            return Err(MergeError::Format {
                part: name.clone(),
                format: p.format.clone(),
            });
        }
        if p.sweep.identity != header.identity || p.shards != shards {
            return Err(MergeError::OtherSweep {
                part: name.clone(),
                identity: p.sweep.identity.clone(),
                shards: p.shards,
                first: first_name.clone(),
                first_identity: header.identity.clone(),
                first_shards: shards,
            });
        }
        match seen.get_mut(p.shard) {
            Some(Some(other)) => {
                return Err(MergeError::ShardTwice {
                    shard: p.shard,
                    shards,
                    first: other.to_string(),
                    second: name.clone(),
                });
            }
            Some(slot) => *slot = Some(name.as_str()),
            None => {
                return Err(MergeError::NoSuchShard {
                    part: name.clone(),
                    shard: p.shard,
                    shards,
                });
            }
        }
    }
    let missing: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| i)
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::MissingShards { missing, shards });
    }
    let mut units: Vec<Option<RepScalars>> = vec![None; header.unit_count()];
    for (name, p) in parts {
        for (i, s) in p.units {
            if i % shards != p.shard || i >= units.len() || units[i].is_some() {
                return Err(MergeError::StrayUnit {
                    part: name,
                    unit: i,
                    shard: p.shard,
                    shards,
                });
            }
            units[i] = Some(s);
        }
    }
    let units: Vec<RepScalars> = units
        .into_iter()
        .enumerate()
        .map(|(i, u)| u.ok_or(MergeError::UnitInNoPart { unit: i, shards }))
        .collect::<Result<_, _>>()?;
    Ok(assemble(header, &units))
}

/// Parses a shard spec `K/N`: shard K (0-based) of N.
pub fn parse_shard(spec: &str) -> Result<(usize, usize), ShardError> {
    let bad = |problem| ShardError {
        spec: spec.to_string(),
        problem,
    };
    let (k, n) = spec
        .split_once('/')
        .ok_or_else(|| bad(ShardProblem::NoSlash))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| bad(ShardProblem::IndexNotANumber))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| bad(ShardProblem::CountNotANumber))?;
    if n == 0 {
        return Err(bad(ShardProblem::NoShards));
    }
    if n > MAX_SHARDS {
        return Err(bad(ShardProblem::TooManyShards));
    }
    if k >= n {
        return Err(bad(ShardProblem::IndexNotBelowCount));
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
        for (bad, problem) in [
            ("4/3", ShardProblem::IndexNotBelowCount),
            ("3/3", ShardProblem::IndexNotBelowCount),
            ("0/0", ShardProblem::NoShards),
            ("x/2", ShardProblem::IndexNotANumber),
            ("1/-2", ShardProblem::CountNotANumber),
            ("3", ShardProblem::NoSlash),
            ("0/2000000", ShardProblem::TooManyShards),
        ] {
            assert_eq!(
                parse_shard(bad).map_err(|e| e.problem),
                Err(problem),
                "{bad}"
            );
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
        assert_eq!(
            e,
            AxisError::NoField {
                step: "p_human".into(),
                within: "dial".into(),
                there: Fields::Named(vec!["human".into()]),
            }
        );
        assert_eq!(
            e.to_string(),
            "no field `p_human` in `dial`; fields there: human"
        );
        assert_eq!(
            set(&mut t, "strategy.nope", 1.0),
            Err(AxisError::NoStrategyField {
                field: "nope".into()
            })
        );
        assert!(matches!(
            set(&mut t, "agents.staffing", 1.0),
            Err(AxisError::NotANumber { field, .. }) if field == "agents.staffing"
        ));
    }
}
