import SwarmSimulation

/// The simulator's SplitMix64 generator, so random test data, tie-breaks and simulations
/// repeat exactly for a given seed and a failing case can be replayed.
public typealias SplitMix64 = SeededRandom
