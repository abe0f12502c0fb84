public import FairflowBase
public import FairflowProvenance

/// The result of `fairflow reproduce DOI | BUNDLE | URL`: each published artifact (the model
/// directory, the metrics file) compared by digest with its reproduction, and the published
/// metrics compared value by value with the reproduced metrics file. The verdicts are
/// `fairflow reproduce PATH`'s (identical, differs, cannot).
public struct BundleComparison: Sendable {
  /// One artifact of the recipe.
  public struct Artifact: Sendable, Equatable {
    public var path: String
    public var isDirectory: Bool
    public var verdict: StageComparison.Verdict
    /// The published digest and the reproduced one (nil: missing).
    public var recorded: String
    public var reproduced: String?
    /// For a model directory that differs: the files inside it that changed, are missing or
    /// were added, against the published model files.
    public var files: [String]
    public var reason: String?
  }

  public var source: String
  public var doi: String?
  public var pipeline: String
  public var commit: String
  public var stage: String
  public var artifacts: [Artifact]
  /// Published `metrics.json` values that the reproduced metrics file does not give back.
  public var metrics: [StageComparison.MetricDelta]

  public var identical: Bool {
    artifacts.allSatisfy { $0.verdict == .identical } && metrics.isEmpty
  }

  /// 0 identical, 1 anything differs or could not be reproduced.
  public var exitStatus: ExitStatus { identical ? .success : .failure }

  /// One line per artifact, the differing digests, files and metrics, then a summary line.
  public var text: String {
    var out = ""
    let width = max(5, artifacts.map(\.path.count).max() ?? 5)
    let indent = String(repeating: " ", count: width + 2)
    for artifact in artifacts {
      out += artifact.path.padding(width) + "  " + artifact.verdict.rawValue
      out += (artifact.reason.map { ": " + $0 } ?? "") + "\n"
      guard artifact.verdict != .identical else { continue }
      let reproduced = artifact.reproduced.map { "sha256 \($0.prefix(12))" } ?? "missing"
      out +=
        indent + "published sha256 \(artifact.recorded.prefix(12)), reproduced \(reproduced)\n"
      if !artifact.files.isEmpty {
        let shown = artifact.files.prefix(10).joined(separator: ", ")
        let more = artifact.files.count > 10 ? " and \(artifact.files.count - 10) more" : ""
        out += indent + "files: " + shown + more + "\n"
      }
    }
    if !metrics.isEmpty {
      out += "published metrics.json differs from the reproduced metrics:\n"
      for metric in metrics {
        out +=
          "  " + metric.key + ": " + Self.format(metric.recorded) + " -> "
          + Self.format(metric.reproduced)
          + (metric.delta.map { " (delta " + Self.format($0) + ")" } ?? "") + "\n"
      }
    }
    let same = artifacts.filter { $0.verdict == .identical }.count
    out +=
      "\(source): \(same) of \(artifacts.count) artifact\(artifacts.count == 1 ? "" : "s") "
      + "identical (stage '\(stage)' of \(pipeline) at \(commit.prefix(12)))\n"
    return out
  }

  /// `--json` (schema 1).
  public func json(scratch: String?) -> Value {
    func number(_ value: Double?) -> Value { value.map(Value.double) ?? .null }
    let rows = artifacts.map { a -> Value in
      .map([
        ("path", .string(a.path)), ("directory", .bool(a.isDirectory)),
        ("result", .string(a.verdict.rawValue)), ("reason", a.reason.map(Value.string) ?? .null),
        ("recorded", .string(a.recorded)), ("reproduced", a.reproduced.map(Value.string) ?? .null),
        ("files", .list(a.files.map(Value.string))),
      ])
    }
    let deltas = metrics.map { m -> Value in
      .map([
        ("key", .string(m.key)), ("recorded", number(m.recorded)),
        ("reproduced", number(m.reproduced)), ("delta", number(m.delta)),
      ])
    }
    return .map([
      ("schema", .int(1)), ("source", .string(source)), ("doi", doi.map(Value.string) ?? .null),
      ("pipeline", .string(pipeline)), ("commit", .string(commit)), ("stage", .string(stage)),
      ("identical", .bool(identical)), ("scratch", scratch.map(Value.string) ?? .null),
      ("artifacts", .list(rows)), ("metrics", .list(deltas)),
    ])
  }

  static func format(_ value: Double?) -> String {
    guard let value else { return "absent" }
    return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
