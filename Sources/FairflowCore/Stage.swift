public import FairflowBase
/// What a stage does: a shell command or a built-in kind with its validated configuration.
public enum StageAction: Sendable, Hashable {
  case command(String)
  case builtin(kind: String, version: Int, config: Value)
}

/// A declared output path of a concrete stage.
public struct Output: Sendable, Hashable {
  public var path: String
  /// Stored in the object store and restorable; false for `cache: false`.
  public var cache: Bool
  /// Kept (not deleted) before the stage runs.
  public var persist: Bool
  /// Declared under `metrics:` (a JSON file whose numbers are recorded in the lock file).
  public var isMetric: Bool

  public init(path: String, cache: Bool = true, persist: Bool = false, isMetric: Bool = false) {
    self.path = path
    self.cache = cache
    self.persist = persist
    self.isMetric = isMetric
  }
}

/// A concrete stage after parameter substitution and matrix expansion (`train@seed=3`).
public struct Stage: Sendable {
  public var name: String
  /// The name as declared, before matrix expansion.
  public var template: String
  public var location: SourceLocation
  public var action: StageAction
  /// Normalised workspace-relative dependency paths, in declared order, without duplicates.
  public var deps: [String]
  /// Where each of `deps` is declared (an entry of the template's `deps:`), index for index.
  public var depLocations: [SourceLocation]
  public var outputs: [Output]
  /// Where each of `outputs` is declared (an entry of `outs:` or `metrics:`), index for index.
  public var outputLocations: [SourceLocation]
  /// The parameters this stage uses (through `${params.x}` or `params:`), sorted by name.
  public var params: [(name: String, value: Value)]
  /// Environment variables set for the stage (pipeline `env:` overridden by stage `env:`), sorted.
  public var env: [(name: String, value: String)]
  public var resources: Resources
  public var alwaysRun: Bool
  /// This stage's matrix coordinates, in declaration order.
  public var matrix: [(key: String, value: Value)]
  public var description: String?
  /// Where the stage must run (`executor:`); nil means the run's executor. Not fingerprinted:
  /// where a stage runs does not change what it computes.
  public var executor: ExecutorKind? = nil
  /// How `fairflow reproduce` compares the outputs (`deterministic:`/`tolerance:`, else the
  /// kind's). Not fingerprinted either.
  public var reproducibility: Reproducibility = .bitwise

  /// The command as shown to users (built-ins as `uses: kind`).
  public var displayCommand: String {
    switch action {
    case .command(let cmd): return cmd
    case .builtin(let kind, _, _): return "uses: \(kind)"
    }
  }

  /// True when the run cache may restore this stage (DVC's rule: every output cached, none persistent).
  public var isRestorable: Bool {
    !alwaysRun && outputs.allSatisfy { $0.cache && !$0.persist }
  }
}

/// An expanded, validated pipeline: concrete stages in declaration order.
public struct Pipeline: Sendable {
  public var file: String
  public var name: String
  public var description: String?
  public var params: [(key: String, value: Value)]
  public var stages: [Stage]
  /// The `slurm:` section.
  public var slurm = SlurmSettings()
  /// Every line of the pipeline file, for the caret display of graph errors. Empty in a pipeline
  /// decoded from a snapshot, which is only ever written for a valid graph.
  public var sourceLines: [Substring] = []

  public func index(of name: String) -> Int? { stages.firstIndex { $0.name == name } }

  /// The source line a location points into, when the file's lines are known.
  func line(at location: SourceLocation) -> String? {
    let index = location.line - 1
    return sourceLines.indices.contains(index) ? String(sourceLines[index]) : nil
  }
}

/// Which executor runs a stage.
public enum ExecutorKind: String, Sendable, Hashable, CaseIterable {
  /// Child processes on this machine.
  case local
  /// `sbatch` jobs on the Slurm cluster this machine submits to (shared filesystem).
  case slurm
}

/// The pipeline's `slurm:` section: where and how Slurm stages are submitted. None of it is
/// fingerprinted (it changes where a stage runs, not what it computes).
public struct SlurmSettings: Sendable, Hashable {
  public var partition: String?
  public var account: String?
  public var qos: String?
  /// The time limit (seconds) of stages without `resources: {time: ...}`.
  public var defaultTimeSeconds: Int?
  /// Extra `sbatch` arguments, passed as given (e.g. `--constraint=a100`).
  public var options: [String]

  public init(
    partition: String? = nil, account: String? = nil, qos: String? = nil,
    defaultTimeSeconds: Int? = nil, options: [String] = []
  ) {
    self.partition = partition
    self.account = account
    self.qos = qos
    self.defaultTimeSeconds = defaultTimeSeconds
    self.options = options
  }
}

/// Parses time limits as Slurm writes them (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
/// `D-HH:MM:SS`; a bare number is minutes) or with a unit (`90s`, `30m`, `2h`, `1d`) into seconds.
public enum TimeLimit {
  public static func parse(_ text: String) -> Int? {
    let t = text.trimmingWhitespace().lowercased()
    guard !t.isEmpty else { return nil }
    let units: [(Character, Int)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    if let last = t.last, let unit = units.first(where: { $0.0 == last }) {
      guard let number = Double(t.dropLast()), number > 0, number * Double(unit.1) < 1e9 else {
        return nil
      }
      return Int((number * Double(unit.1)).rounded(.up))
    }
    var days = 0
    var clock = Substring(t)
    if let dash = t.firstIndex(of: "-") {
      guard let d = Int(t[..<dash]), d >= 0 else { return nil }
      days = d
      clock = t[t.index(after: dash)...]
    }
    let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
    guard (1...3).contains(parts.count), parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
    let n = parts.map { $0! }
    var seconds: Int
    if t.contains("-") {
      // D-HH, D-HH:MM, D-HH:MM:SS
      seconds = n[0] * 3600 + (n.count > 1 ? n[1] * 60 : 0) + (n.count > 2 ? n[2] : 0)
    } else {
      switch n.count {
      case 1: seconds = n[0] * 60  // minutes
      case 2: seconds = n[0] * 60 + n[1]  // MM:SS
      default: seconds = n[0] * 3600 + n[1] * 60 + n[2]
      }
    }
    seconds += days * 86400
    guard seconds > 0, seconds < 1_000_000_000 else { return nil }
    return seconds
  }

  /// Slurm's `--time` form: `HH:MM:SS`, or `D-HH:MM:SS` from a day up.
  public static func slurmText(_ seconds: Int) -> String {
    let days = seconds / 86400, rest = seconds % 86400
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let clock = "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
    return days > 0 ? "\(days)-\(clock)" : clock
  }
}
