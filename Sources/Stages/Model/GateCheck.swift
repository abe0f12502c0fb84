public import FairflowBase
public import FairflowCore

/// The gates of one `evaluate` stage: its metrics file, its gates and its baseline file.
/// `fairflow check` and the report read them from the loaded pipeline and judge them here.
public struct GatedMetrics: Sendable {
  public var stage: String
  /// The metrics JSON the stage writes (workspace-relative).
  public var output: String
  public var gates: [Gate]
  /// The stage's `baseline:` metrics file, if it names one.
  public var baselineFile: String?

  /// Every evaluate stage of `pipeline`, in pipeline order (with or without gates).
  public static func all(in pipeline: Pipeline) -> [GatedMetrics] {
    pipeline.stages.compactMap { stage in
      guard case .builtin("evaluate", _, let config) = stage.action,
        let output = config["output"]?.stringValue
      else { return nil }
      let gates = (try? config["gates"].map { try Gate.parse($0) { PipelineError($0) } }) ?? nil
      return GatedMetrics(
        stage: stage.name, output: output, gates: gates ?? [],
        baselineFile: config["baseline"]?.stringValue)
    }
  }

  /// Each gate judged on `values` (nil: the metrics file is missing) against `baseline`.
  public func check(values: [String: Double]?, baseline: [String: Double]?) -> [GateResult] {
    gates.map { gate in
      let before = baseline?[gate.metric]
      guard let value = values?[gate.metric] else {
        return GateResult(
          stage: stage, metric: gate.metric, baseline: before, value: nil, allowed: "",
          verdict: .missing)
      }
      let (allowed, passed) = gate.check(value, baseline: before)
      return GateResult(
        stage: stage, metric: gate.metric, baseline: before, value: value, allowed: allowed,
        verdict: passed ? .ok : .fail)
    }
  }
}

/// One gate's verdict, with what it compared.
public struct GateResult: Sendable, Equatable {
  public enum Verdict: String, Sendable {
    case ok
    case fail = "FAIL"
    case missing = "MISSING"
  }

  public var stage: String
  public var metric: String
  public var baseline: Double?
  public var value: Double?
  /// The allowed range in words ("≥ 0.9, ≥ 0.95 (drop ≤ 0.005)").
  public var allowed: String
  public var verdict: Verdict

  public var passed: Bool { verdict == .ok }

  /// The row of `fairflow check --json`.
  public var json: Value {
    .map([
      ("stage", .string(stage)), ("metric", .string(metric)),
      ("baseline", baseline.map(Value.double) ?? .null),
      ("value", value.map(Value.double) ?? .null),
      ("allowed", .string(allowed)), ("verdict", .string(verdict.rawValue)),
    ])
  }
}

/// A metrics JSON file's numbers: top-level integer and real values by name; other values are
/// passed over. Nil when the text is not a JSON/YAML mapping.
public enum MetricsFile {
  public static func numbers(_ text: String) -> [String: Double]? {
    guard case .map(let pairs)? = try? ValueParser.parse(text, file: "metrics") else { return nil }
    var out: [String: Double] = [:]
    for (k, v) in pairs {
      switch v {
      case .int(let i): out[k] = Double(i)
      case .double(let d): out[k] = d
      default: break
      }
    }
    return out
  }
}
