internal import FairflowBase
internal import NeuralKit

/// Which split each entry goes to, for a fraction split: a seeded Fisher–Yates permutation of
/// all entries (over every input, in order), the first `round(f₁·N)` permuted entries to the
/// first split, and so on. Deterministic for (N, fractions, seed); one byte per entry.
public struct SplitAssignment: Sendable {
  public let splits: [UInt8]

  public init(entries: Int, fractions: [Double], seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    var permutation = [Int32](unsafeUninitializedCapacity: entries) { b, c in
      for i in 0..<entries { b[i] = Int32(truncatingIfNeeded: i) }
      c = entries
    }
    if entries > 1 {
      for i in stride(from: entries - 1, to: 0, by: -1) {
        let j = Int(generator.next() % UInt64(i + 1))
        permutation.swapAt(i, j)
      }
    }
    var out = [UInt8](repeating: 0, count: entries)
    var start = 0
    var cumulative = 0.0
    for (s, f) in fractions.enumerated() {
      cumulative += f
      let end =
        s == fractions.count - 1
        ? entries : min(entries, Int((cumulative * Double(entries)).rounded()))
      for p in start..<max(start, end) { out[Int(permutation[p])] = UInt8(s) }
      start = max(start, end)
    }
    splits = out
  }
}
