internal import FairflowBase
internal import FairflowCore

extension ConvertConfig {
  /// How entries are divided among output files (`split:`).
  public enum Split: Sendable, Equatable {
    case none
    /// Entries assigned by a seeded permutation in these proportions (in order).
    case fractions([(name: String, fraction: Double)], seed: UInt64)
    /// Whole input files per split, by glob.
    case files([(name: String, patterns: [String])])

    public static func == (a: Split, b: Split) -> Bool {
      switch (a, b) {
      case (.none, .none): return true
      case (.fractions(let x, let s), .fractions(let y, let t)):
        return s == t && x.map(\.name) == y.map(\.name) && x.map(\.fraction) == y.map(\.fraction)
      case (.files(let x), .files(let y)):
        return x.map(\.name) == y.map(\.name) && x.map(\.patterns) == y.map(\.patterns)
      default: return false
      }
    }

    /// The output files' names (`<name>.h5`), in order.
    public var names: [String] {
      switch self {
      case .none: return ["all"]
      case .fractions(let f, _): return f.map(\.name)
      case .files(let f): return f.map(\.name)
      }
    }

    /// Reads `split:` (absent: `.none`).
    init(_ v: Value?, error: (String, String?) -> PipelineError) throws(PipelineError) {
      guard let s = v else {
        self = .none
        return
      }
      guard case .map = s else {
        throw error("'split' must be a mapping (fractions or files)", nil)
      }
      if case .map(let fractions)? = s["fractions"] {
        self = try Self.fractions(fractions, seed: s["seed"], error: error)
      } else if case .map(let files)? = s["files"] {
        var list: [(name: String, patterns: [String])] = []
        for (name, value) in files {
          list.append((name, try ConvertConfig.strings(value, "split.files.\(name)", error: error)))
        }
        self = .files(list)
      } else {
        throw error("'split' needs 'fractions' (with 'seed') or 'files'", nil)
      }
    }

    /// A fraction split: positive numbers adding up to 1, and an integer seed.
    static func fractions(
      _ fractions: [(key: String, value: Value)], seed: Value?,
      error: (String, String?) -> PipelineError
    ) throws(PipelineError) -> Split {
      var list: [(name: String, fraction: Double)] = []
      for (name, value) in fractions {
        let f: Double
        switch value {
        case .double(let d): f = d
        case .int(let i): f = Double(i)
        default: throw error("split fraction of '\(name)' must be a number", nil)
        }
        guard f > 0 else { throw error("split fraction of '\(name)' must be positive", nil) }
        list.append((name, f))
      }
      let total = list.reduce(0) { $0 + $1.fraction }
      guard abs(total - 1) < 1e-9 else {
        throw error("split fractions add up to \(total), not 1", nil)
      }
      guard case .int(let seed)? = seed else {
        throw error("a fraction split needs an integer 'seed'", nil)
      }
      return .fractions(list, seed: UInt64(bitPattern: Int64(seed)))
    }

    /// The normalised form (null without a split).
    var value: Value {
      switch self {
      case .none: return .null
      case .fractions(let f, let seed):
        return .map([
          ("fractions", .map(f.map { ($0.name, .double($0.fraction)) })),
          ("seed", .int(Int(Int64(bitPattern: seed)))),
        ])
      case .files(let f):
        return .map([("files", .map(f.map { ($0.name, .list($0.patterns.map(Value.string))) }))])
      }
    }
  }
}
