public import FairflowBase
public import FairflowCore

/// The result of comparing one lineage stage's recorded outputs with the scratch run's.
public struct StageComparison: Sendable, Equatable {
  public enum Verdict: String, Sendable {
    case identical, differs, cannot
    /// A `deterministic: false` stage whose JSON values all agree within its `tolerance:`.
    case withinTolerance = "within tolerance"
  }

  /// A numeric value of a JSON metrics file that changed (`nil`: absent or not a number).
  public struct MetricDelta: Sendable, Equatable {
    public var key: String
    public var recorded: Double?
    public var reproduced: Double?
    /// For a `deterministic: false` stage: the tolerance that applied (`0.002`, `1%`; nil: none
    /// declared for this key) and whether the change is within it.
    public var tolerance: String?
    public var within: Bool?
    public var delta: Double? {
      guard let recorded, let reproduced else { return nil }
      return reproduced - recorded
    }

    public init(
      key: String, recorded: Double?, reproduced: Double?, tolerance: String? = nil,
      within: Bool? = nil
    ) {
      self.key = key
      self.recorded = recorded
      self.reproduced = reproduced
      self.tolerance = tolerance
      self.within = within
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
    /// False for an output of a `deterministic: false` stage that is not a JSON file: its bytes
    /// are expected to change and nothing in it can be compared within a tolerance.
    public var compared: Bool
    /// Copies of this output in the workspace's cache that no longer hash to their names
    /// (the output itself, or files of a directory): a later `run` would restore them.
    public var corrupt: [String] = []

    public init(
      path: String, recorded: String, reproduced: String?, metrics: [MetricDelta] = [],
      files: [String] = [], compared: Bool = true, corrupt: [String] = []
    ) {
      self.path = path
      self.recorded = recorded
      self.reproduced = reproduced
      self.metrics = metrics
      self.files = files
      self.compared = compared
      self.corrupt = corrupt
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
    /// The cached copies of a recorded output that no longer hash to their names.
    public var corrupt: (ProvenanceRecord.Artifact) -> [String]

    public init(
      digest: @escaping (ProvenanceRecord.Artifact) -> String?,
      texts: @escaping (ProvenanceRecord.Artifact) -> (recorded: String, reproduced: String)?,
      files: @escaping (ProvenanceRecord.Artifact) -> [String] = { _ in [] },
      childStatus: Int32,
      corrupt: @escaping (ProvenanceRecord.Artifact) -> [String] = { _ in [] }
    ) {
      self.digest = digest
      self.texts = texts
      self.files = files
      self.childStatus = childStatus
      self.corrupt = corrupt
    }
  }

  /// Compares every output of `record` with what the scratch run produced: byte for byte, or
  /// for a stage declared `deterministic: false` its JSON values within the declared tolerance.
  public static func compare(_ record: ProvenanceRecord, observed: Observed) -> StageComparison {
    let loose = record.reproducibility.flatMap { $0.deterministic ? nil : $0 }
    var differences: [StageComparison.Difference] = []
    var missing: [String] = []
    for output in record.outputs {
      let digest = observed.digest(output)
      let corrupt = observed.corrupt(output)
      if digest == output.sha256 {
        if !corrupt.isEmpty {
          differences.append(
            .init(path: output.path, recorded: output.sha256, reproduced: digest, corrupt: corrupt))
        }
        continue
      }
      if digest == nil { missing.append(output.path) }
      var difference = StageComparison.Difference(
        path: output.path, recorded: output.sha256, reproduced: digest)
      if digest != nil, !output.isDirectory, output.path.hasSuffix(".json"),
        let (recorded, reproduced) = observed.texts(output)
      {
        difference.metrics =
          loose.map { judge(recorded: recorded, reproduced: reproduced, within: $0) }
          ?? metricDeltas(recorded: recorded, reproduced: reproduced)
        // Not JSON after all: nothing to hold to a tolerance.
        if loose != nil, difference.metrics.isEmpty { difference.compared = false }
      } else if loose != nil, digest != nil {
        difference.compared = false
      }
      if digest != nil, output.isDirectory { difference.files = observed.files(output) }
      differences.append(difference)
    }
    func row(_ verdict: StageComparison.Verdict, _ reason: String? = nil) -> StageComparison {
      StageComparison(
        stage: record.stage, run: record.run, verdict: verdict, differences: differences,
        reason: reason)
    }
    if differences.isEmpty { return row(.identical) }
    let corrupt = differences.filter { !$0.corrupt.isEmpty }
    if !corrupt.isEmpty {
      return row(
        .differs,
        "the cache's copy of "
          + corrupt.map { d in
            d.corrupt == [""] ? d.path : d.corrupt.map { d.path + "/" + $0 }.joined(separator: ", ")
          }.joined(separator: ", ")
          + " is corrupt (`fairflow cache verify`); a later run would restore it")
    }
    if !missing.isEmpty && observed.childStatus != 0 {
      return row(
        .cannot,
        "the scratch run failed (exit status \(observed.childStatus)) before producing "
          + missing.joined(separator: ", "))
    }
    guard loose != nil, missing.isEmpty else { return row(.differs) }
    let judged = differences.filter(\.compared)
    if judged.contains(where: { $0.metrics.contains { $0.within != true } }) {
      return row(.differs, "declared deterministic: false; values outside the tolerance")
    }
    let unchecked = differences.filter { !$0.compared }.map(\.path)
    guard unchecked.isEmpty else {
      return row(
        .cannot,
        "declared deterministic: false; \(unchecked.joined(separator: ", ")) changed and "
          + "cannot be compared within a tolerance (not JSON)")
    }
    return row(.withinTolerance, "declared deterministic: false; compared within tolerance")
  }

  /// Every value (flattened) that differs between two JSON texts, judged against `declared`:
  /// numbers within the key's tolerance pass; a number without one, a changed string, or a key
  /// present on one side only does not.
  public static func judge(recorded: String, reproduced: String, within declared: Reproducibility)
    -> [StageComparison.MetricDelta]
  {
    guard let (left, right) = flattened(recorded, reproduced) else { return [] }
    let rightMap = Dictionary(right, uniquingKeysWith: { first, _ in first })
    let leftKeys = Set(left.map(\.0))
    var out: [StageComparison.MetricDelta] = []
    for (key, value) in left + right.filter({ !leftKeys.contains($0.0) }) {
      let isLeft = leftKeys.contains(key)
      let x = isLeft ? value.doubleValue : nil
      let other = isLeft ? rightMap[key] : value
      guard !isLeft || other != value else { continue }
      let y = other?.doubleValue
      let bound = declared.tolerance(for: key)
      var within = false
      if let x, let y, isLeft, let bound { within = bound.accepts(recorded: x, reproduced: y) }
      out.append(
        .init(
          key: key, recorded: x, reproduced: y, tolerance: bound?.value.interpolationText,
          within: within))
    }
    return out
  }

  /// The numeric values (at any depth: `a.b`, `list[2]`) that differ between two JSON texts;
  /// empty when either text is not JSON.
  public static func metricDeltas(recorded: String, reproduced: String)
    -> [StageComparison.MetricDelta]
  {
    guard let (left, right) = flattened(recorded, reproduced) else { return [] }
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

  /// Both texts parsed and flattened (`a.b`, `list[2]`) in document order; nil when either is
  /// not JSON.
  static func flattened(_ recorded: String, _ reproduced: String) -> (
    [(String, Value)], [(String, Value)]
  )? {
    guard let a = try? JSONParser.parse(recorded, file: "recorded"),
      let b = try? JSONParser.parse(reproduced, file: "reproduced")
    else { return nil }
    var left: [(String, Value)] = []
    var right: [(String, Value)] = []
    flatten(a, prefix: "", into: &left)
    flatten(b, prefix: "", into: &right)
    return (left, right)
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

  /// Exit status for a set of comparisons: 0 all identical (or within a declared tolerance),
  /// 1 anything else.
  public static func exitStatus(_ rows: [StageComparison]) -> ExitStatus {
    rows.allSatisfy { $0.verdict == .identical || $0.verdict == .withinTolerance }
      ? .success : .failure
  }
}
