internal import FairflowBase
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

  /// Each gate judged on `values` (nil: the metrics file is missing) against `baseline` (nil:
  /// none, or its file is missing), which was read from `source`.
  package func check(
    values: [String: Double]?, baseline: [String: Double]?, from source: GateBaseline = .none
  ) -> [GateResult] {
    gates.map { gate in
      let before = baseline?[gate.metric]
      var result = GateResult(
        stage: stage, metric: gate.metric, rule: gate.rule, metricsFile: output,
        baselineSource: source, baseline: before, value: nil,
        limits: gate.limits(baseline: before), verdict: .missing)
      guard let value = values?[gate.metric] else {
        result.missingFile = values == nil
        return result
      }
      let (limits, passed) = gate.check(value, baseline: before)
      result.value = value
      result.limits = limits
      result.verdict = passed ? .ok : .fail
      return result
    }
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
