/// Which split each entry goes to, for a fraction split: a seeded Fisher–Yates permutation of
/// all entries (over every input, in order), the first `round(f₁·N)` permuted entries to the
/// first split, and so on. Deterministic for (N, fractions, seed); one byte per entry.
public struct SplitAssignment: Sendable {
  public let splits: [UInt8]

  public init(entries: Int, fractions: [Double], seed: UInt64) {
    var generator = SplitMix64(seed: seed)
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

/// SplitMix64: a small, well-known seeded generator (Steele, Lea, Flood 2014).
public struct SplitMix64: Sendable {
  var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
