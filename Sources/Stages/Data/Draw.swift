internal import FairflowBase
internal import NeuralKit

/// Gaussian and other draws from the seeded generator. Transcendentals are NeuralKit's
/// (`Kernels`), not the platform libm's: the generated data are the same bits on every machine.
struct Draw {
  var g: SeededGenerator
  mutating func uniform() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
  mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
  mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Double {
    let u = max(uniform(), 1e-300)
    return mean + sd * (-2 * Kernels.log(u)).squareRoot() * Kernels.cosPi(2 * uniform())
  }
  mutating func integer(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(g.next() % UInt64(range.count))
  }
  mutating func exponential(_ mean: Double) -> Double {
    -mean * Kernels.log(max(uniform(), 1e-300))
  }
}
