package import FairflowBase
package import FairflowCore

/// The gates of one `evaluate` stage: its metrics file, its gates and its baseline file.
/// `fairflow check` and the report read them from the loaded pipeline and judge them here.
package struct GatedMetrics: Sendable {
  package var stage: String
  /// The metrics JSON the stage writes (workspace-relative).
  package var output: String
  package var gates: [Gate]
  /// The stage's `baseline:` metrics file, if it names one.
  package var baselineFile: String?

  /// Every evaluate stage of `pipeline`, in pipeline order (with or without gates).
  package static func all(in pipeline: Pipeline) -> [GatedMetrics] {
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
  package func check(values: [String: Double]?, baseline: [String: Double]?) -> [GateResult] {
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
package struct GateResult: Sendable, Equatable {
  package enum Verdict: String, Sendable {
    case ok
    case fail = "FAIL"
    case missing = "MISSING"
  }

  package var stage: String
  package var metric: String
  package var baseline: Double?
  package var value: Double?
  /// The allowed range in words ("≥ 0.9, ≥ 0.95 (drop ≤ 0.005)").
  package var allowed: String
  package var verdict: Verdict

  package var passed: Bool { verdict == .ok }

  /// The row of `fairflow check --json`.
  package var json: Value {
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
package enum MetricsFile {
  package static func numbers(_ text: String) -> [String: Double]? {
    guard case .map(let pairs)? = try? ValueParser.parse(text, file: "metrics") else { return nil }
    var out: [String: Double] = [:]
    for (k, v) in pairs { out[k] = v.doubleValue }
    return out
  }
}
