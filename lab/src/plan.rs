//! An experiment: the world a scenario hides, and what is done with it — the strategies to
//! compare, how many replications (days), from which seed, and the gates to judge.

use sim::gate::Gate;
use sim::inputs::Inputs;
use sim::scenario::{Measure, Scenario};
use sim::world::{World, WorldError};
use strategies::StrategySpec;

/// Why a scenario does not make an experiment. `E` is the error of the [`Inputs`] that hands
/// over the files the scenario names.
#[derive(Debug, thiserror::Error)]
pub enum PlanError<E> {
    #[error("the scenario lists no strategies: add at least one to `strategies: [...]`")]
    NoStrategies,
    #[error("replications is 0: run at least one replication")]
    NoReplications,
    #[error(transparent)]
    World(#[from] WorldError<E>),
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    /// Every stream of every replication derives from it (and a generated list).
    pub seed: u64,
    pub replications: u32,
    pub strategies: Vec<StrategySpec>,
    pub gates: Vec<Gate>,
    /// The measurement window as the scenario writes it (the world holds it in milliseconds);
    /// `None`: the whole campaign.
    pub measure: Option<Measure>,
    pub world: World,
}

impl Plan {
    /// Compiles `scenario`; `inputs` hands over the files it names.
    pub fn compile<I: Inputs + ?Sized>(
        scenario: &Scenario,
        inputs: &I,
    ) -> Result<Plan, PlanError<I::Error>> {
        let world = World::compile(scenario, scenario.seed, inputs)?;
        Plan::around(scenario, world)
    }

    /// The plan of `scenario` around a world already compiled from it (a sweep shares one world
    /// between points that differ only in the plan or the strategies).
    pub fn around<E>(scenario: &Scenario, world: World) -> Result<Plan, PlanError<E>> {
        if scenario.strategies.is_empty() {
            return Err(PlanError::NoStrategies);
        }
        if scenario.replications == 0 {
            return Err(PlanError::NoReplications);
        }
        Ok(Plan {
            name: scenario.name.clone(),
            seed: scenario.seed,
            replications: scenario.replications,
            strategies: scenario.strategies.clone(),
            gates: scenario.gates.clone(),
            measure: scenario.measure,
            world,
        })
    }

    /// An estimate, made before running, of the memory a run of every strategy's replications
    /// takes on `threads` threads: high rather than low, so that a run refused for want of
    /// memory would indeed not have fitted, and one accepted does.
    pub fn memory_estimate(&self, threads: usize) -> u64 {
        let w = &self.world;
        w.world_bytes()
            + w.running_bytes(threads)
            + self.strategies.len() as u64 * u64::from(self.replications) * w.replication_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::inputs::{NoFiles, NoFilesError};
    use sim::scenario::Staffing;

    /// The bundled small-team scenario, edited, compiled without files.
    fn compile_edited(edit: impl FnOnce(&mut Scenario)) -> Result<Plan, PlanError<NoFilesError>> {
        let text = include_str!("../../scenarios/small-team.ron");
        let mut scenario = sim::scenario::parse(text).expect("bundled scenario parses");
        edit(&mut scenario);
        Plan::compile(&scenario, &NoFiles)
    }

    #[test]
    fn a_plan_needs_strategies_replications_and_a_world() {
        assert!(compile_edited(|_| {}).is_ok());
        assert!(matches!(
            compile_edited(|s| s.replications = 0),
            Err(PlanError::NoReplications)
        ));
        assert!(matches!(
            compile_edited(|s| s.strategies.clear()),
            Err(PlanError::NoStrategies)
        ));
        assert!(matches!(
            compile_edited(|s| s.agents.staffing = Staffing::Shifts(Vec::new())),
            Err(PlanError::World(WorldError::NoAgents))
        ));
    }
}
