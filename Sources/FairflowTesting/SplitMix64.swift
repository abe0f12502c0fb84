public import FairflowBase

/// The tests' name for the one seeded generator (SplitMix64, `FairflowBase.SeededGenerator`):
/// reproducible test data, corruption and kill schedules.
public typealias SplitMix64 = SeededGenerator
