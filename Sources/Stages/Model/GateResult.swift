package import FairflowBase

/// One gate's verdict, with what it compared.
package struct GateResult: Sendable, Equatable {
  package enum Verdict: String, Sendable {
    case ok
    case fail = "FAIL"
    case missing = "MISSING"
  }

  package var stage: String
  package var metric: String
  /// The gate's rules as written ("min 0.9, max_drop 0.005").
  package var rule: String
  /// The metrics file the value is read from.
  package var metricsFile: String
  package var baselineSource: GateBaseline
  package var baseline: Double?
  package var value: Double?
  package var limits: [GateLimit]
  package var verdict: Verdict
  /// For `.missing`: the whole metrics file is missing (not just the metric).
  package var missingFile = false

  package var passed: Bool { verdict == .ok }

  /// Passed without checking anything: every rule is relative and there is no baseline.
  package var unchecked: Bool { passed && limits.allSatisfy { $0.bound == nil } }

  /// `value − baseline`, when both are known.
  package var change: Double? { value.flatMap { v in baseline.map { v - $0 } } }

  /// Significant digits that keep this row's different numbers apart (`MetricFormat`).
  package var digits: Int {
    MetricFormat.digits(
      distinguishing: [value, baseline].compactMap { $0 } + limits.compactMap(\.bound))
  }

  /// The allowed range in words ("≥ 0.9, ≥ 0.9487 (drop ≤ 0.005)"), bounds to `digits`.
  package func allowed(digits: Int) -> String {
    limits.map { $0.text(digits: digits) }.joined(separator: ", ")
  }

  /// What is missing, for `.missing`: "metrics file metrics/evaluate.json does not exist" or
  /// "metric 'auc' is not in metrics/evaluate.json".
  package var missing: String? {
    guard verdict == .missing else { return nil }
    return missingFile
      ? "metrics file \(metricsFile) does not exist (has stage '\(stage)' run?)"
      : "metric '\(metric)' is not in \(metricsFile)"
  }

  /// Where the baseline stands: "0.9537 (baseline.json)", "none (no 'auc' in baseline.json)",
  /// "none (no `baseline:` file, no --rev)".
  package func baselineText(digits: Int) -> String {
    if let baseline {
      return "\(MetricFormat.number(baseline, digits: digits)) (\(baselineSource.description))"
    }
    if case .none = baselineSource { return "none (no `baseline:` file, no --rev)" }
    return "none (no '\(metric)' in \(baselineSource.description))"
  }

  /// One line for a failure message: "auc = 0.9437, allowed ≥ 0.9487 (drop ≤ 0.005); baseline
  /// 0.9537 (baseline.json)".
  package var summary: String {
    if let missing { return missing }
    let digits = digits
    let value = value.map { MetricFormat.number($0, digits: digits) } ?? "-"
    return
      "\(metric) = \(value), allowed \(allowed(digits: digits)); baseline \(baselineText(digits: digits))"
  }

  /// The comparison line by line (value, allowed, baseline, change), for a report's text.
  package var detail: String {
    let digits = digits
    var lines = [
      "value     "
        + (value.map { "\(MetricFormat.number($0, digits: digits)) (\(metricsFile))" }
          ?? (missing ?? "-")),
      "allowed   \(allowed(digits: digits))",
      "baseline  \(baselineText(digits: digits))",
    ]
    if let change { lines.append("change    \(MetricFormat.change(change))") }
    return lines.joined(separator: "\n")
  }

  /// The row of `fairflow check --json`.
  package var json: Value {
    .map([
      ("stage", .string(stage)), ("metric", .string(metric)), ("rule", .string(rule)),
      ("baseline", baseline.map(Value.double) ?? .null),
      ("baseline_from", .string(baselineSource.description)),
      ("value", value.map(Value.double) ?? .null),
      ("allowed", .string(allowed(digits: Swift.max(6, digits)))),
      ("verdict", .string(verdict.rawValue)),
    ])
  }
}
