//! An experiment: the world a scenario hides, and what is done with it — the strategies to
//! compare, how many replications (days), from which seed, and the gates to judge.

use sim::gate::Gate;
use sim::inputs::Inputs;
use sim::scenario::Scenario;
use sim::world::World;
use strategies::StrategySpec;

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    /// Every stream of every replication derives from it (and a generated list).
    pub seed: u64,
    pub replications: u32,
    pub strategies: Vec<StrategySpec>,
    pub gates: Vec<Gate>,
    pub world: World,
}

impl Plan {
    /// Compiles `scenario`; `inputs` hands over the files it names.
    pub fn compile(scenario: &Scenario, inputs: &dyn Inputs) -> Result<Plan, String> {
        let world = World::compile(scenario, scenario.seed, inputs)?;
        Plan::around(scenario, world)
    }

    /// The plan of `scenario` around a world already compiled from it (a sweep shares one world
    /// between points that differ only in the plan or the strategies).
    pub fn around(scenario: &Scenario, world: World) -> Result<Plan, String> {
        if scenario.strategies.is_empty() {
            return Err(
                "the scenario lists no strategies: add at least one to `strategies: [...]`".into(),
            );
        }
        if scenario.replications == 0 {
            return Err("replications is 0: run at least one replication".into());
        }
        Ok(Plan {
            name: scenario.name.clone(),
            seed: scenario.seed,
            replications: scenario.replications,
            strategies: scenario.strategies.clone(),
            gates: scenario.gates.clone(),
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
