public import FairflowBase

/// The result of comparing one lineage stage's recorded outputs with the scratch run's.
public struct StageComparison: Sendable, Equatable {
  public enum Verdict: String, Sendable {
    case identical, differs, cannot
  }

  /// A numeric value of a JSON metrics file that changed (`nil`: absent or not a number).
  public struct MetricDelta: Sendable, Equatable {
    public var key: String
    public var recorded: Double?
    public var reproduced: Double?
    public var delta: Double? {
      guard let recorded, let reproduced else { return nil }
      return reproduced - recorded
    }

    public init(key: String, recorded: Double?, reproduced: Double?) {
      self.key = key
      self.recorded = recorded
      self.reproduced = reproduced
    }
  }

  /// An output whose reproduced digest differs from the record (`reproduced` nil: missing).
  public struct Difference: Sendable, Equatable {
    public var path: String
    public var recorded: String
    public var reproduced: String?
    public var metrics: [MetricDelta]
    /// For a directory: the files inside it that changed, are missing or were added.
    public var files: [String]

    public init(
      path: String, recorded: String, reproduced: String?, metrics: [MetricDelta] = [],
      files: [String] = []
    ) {
      self.path = path
      self.recorded = recorded
      self.reproduced = reproduced
      self.metrics = metrics
      self.files = files
    }
  }

  public var stage: String
  public var run: String
  public var verdict: Verdict
  public var differences: [Difference]
  public var reason: String?

  public init(
    stage: String, run: String, verdict: Verdict, differences: [Difference] = [],
    reason: String? = nil
  ) {
    self.stage = stage
    self.run = run
    self.verdict = verdict
    self.differences = differences
    self.reason = reason
  }
}

extension Reproduction {
  /// What the scratch run left, asked by `compare`.
  public struct Observed {
    /// The digest of a workspace-relative output in the scratch workspace (nil: missing).
    public var digest: (ProvenanceRecord.Artifact) -> String?
    /// The recorded and reproduced text of a file output (for JSON metrics deltas), if readable.
    public var texts: (ProvenanceRecord.Artifact) -> (recorded: String, reproduced: String)?
    /// For a directory output that differs: the files inside it that differ (when known).
    public var files: (ProvenanceRecord.Artifact) -> [String]
    /// The child run's exit status (non-zero: missing outputs are "cannot", not "differs").
    public var childStatus: Int32

    public init(
      digest: @escaping (ProvenanceRecord.Artifact) -> String?,
      texts: @escaping (ProvenanceRecord.Artifact) -> (recorded: String, reproduced: String)?,
      files: @escaping (ProvenanceRecord.Artifact) -> [String] = { _ in [] },
      childStatus: Int32
    ) {
      self.digest = digest
      self.texts = texts
      self.files = files
      self.childStatus = childStatus
    }
  }

  /// Compares every output of `record` with what the scratch run produced.
  public static func compare(_ record: ProvenanceRecord, observed: Observed) -> StageComparison {
    var differences: [StageComparison.Difference] = []
    var missing: [String] = []
    for output in record.outputs {
      let digest = observed.digest(output)
      if digest == output.sha256 { continue }
      if digest == nil { missing.append(output.path) }
      var metrics: [StageComparison.MetricDelta] = []
      if digest != nil, !output.isDirectory, output.path.hasSuffix(".json"),
        let (recorded, reproduced) = observed.texts(output)
      {
        metrics = metricDeltas(recorded: recorded, reproduced: reproduced)
      }
      let files = digest != nil && output.isDirectory ? observed.files(output) : []
      differences.append(
        .init(
          path: output.path, recorded: output.sha256, reproduced: digest, metrics: metrics,
          files: files))
    }
    if differences.isEmpty {
      return StageComparison(stage: record.stage, run: record.run, verdict: .identical)
    }
    if !missing.isEmpty && observed.childStatus != 0 {
      return StageComparison(
        stage: record.stage, run: record.run, verdict: .cannot, differences: differences,
        reason: "the scratch run failed (exit status \(observed.childStatus)) before producing "
          + missing.joined(separator: ", "))
    }
    return StageComparison(
      stage: record.stage, run: record.run, verdict: .differs, differences: differences)
  }

  /// The numeric values (at any depth: `a.b`, `list[2]`) that differ between two JSON texts;
  /// empty when either text is not JSON.
  public static func metricDeltas(recorded: String, reproduced: String)
    -> [StageComparison.MetricDelta]
  {
    guard let a = try? JSONParser.parse(recorded, file: "recorded"),
      let b = try? JSONParser.parse(reproduced, file: "reproduced")
    else { return [] }
    var left: [(String, Value)] = []
    var right: [(String, Value)] = []
    flatten(a, prefix: "", into: &left)
    flatten(b, prefix: "", into: &right)
    let rightMap = Dictionary(right, uniquingKeysWith: { first, _ in first })
    let leftKeys = Set(left.map(\.0))
    var out: [StageComparison.MetricDelta] = []
    for (key, value) in left {
      let other = rightMap[key]
      guard other != value else { continue }
      let x = value.doubleValue, y = other?.doubleValue
      if x == nil && y == nil { continue }
      out.append(.init(key: key, recorded: x, reproduced: y))
    }
    for (key, value) in right where !leftKeys.contains(key) {
      if let y = value.doubleValue { out.append(.init(key: key, recorded: nil, reproduced: y)) }
    }
    return out
  }

  static func flatten(_ value: Value, prefix: String, into out: inout [(String, Value)]) {
    switch value {
    case .map(let pairs):
      for (key, inner) in pairs {
        flatten(inner, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &out)
      }
    case .list(let items):
      for (i, inner) in items.enumerated() { flatten(inner, prefix: "\(prefix)[\(i)]", into: &out) }
    default:
      out.append((prefix, value))
    }
  }

  /// Exit status for a set of comparisons: 0 all identical, 1 anything else.
  public static func exitStatus(_ rows: [StageComparison]) -> ExitStatus {
    rows.allSatisfy { $0.verdict == .identical } ? .success : .failure
  }
}
