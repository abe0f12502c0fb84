public import FairflowBase
public import FairflowCore

/// One metric's regression gate: `min`, `max`, `max_drop`, `max_rise` (the last two relative to
/// a baseline value).
public struct Gate: Sendable, Equatable {
  public var metric: String
  public var min: Double?
  public var max: Double?
  public var maxDrop: Double?
  public var maxRise: Double?

  public var value: Value {
    var f: [(key: String, value: Value)] = []
    if let min { f.append(("min", .double(min))) }
    if let max { f.append(("max", .double(max))) }
    if let maxDrop { f.append(("max_drop", .double(maxDrop))) }
    if let maxRise { f.append(("max_rise", .double(maxRise))) }
    return .map(f)
  }

  public static func parse(_ v: Value, error: (String) -> PipelineError) throws(PipelineError)
    -> [Gate]
  {
    guard case .map(let entries) = v else {
      throw error("'gates' must map metric names to {min, max, max_drop, max_rise}")
    }
    var gates: [Gate] = []
    for (metric, spec) in entries {
      guard case .map(let fields) = spec, !fields.isEmpty else {
        throw error("gate '\(metric)' needs min, max, max_drop or max_rise")
      }
      var g = Gate(metric: metric)
      for (key, value) in fields {
        let number: Double
        switch value {
        case .int(let i): number = Double(i)
        case .double(let d): number = d
        default: throw error("gate '\(metric)': '\(key)' must be a number")
        }
        switch key {
        case "min": g.min = number
        case "max": g.max = number
        case "max_drop": g.maxDrop = number
        case "max_rise": g.maxRise = number
        default:
          throw error("gate '\(metric)': unknown key '\(key)' (min, max, max_drop, max_rise)")
        }
      }
      gates.append(g)
    }
    return gates
  }

  public init(metric: String) { self.metric = metric }

  /// The rules as a pipeline writes them ("min 0.95, max_drop 0.005").
  package var rule: String { limits(baseline: nil).map(\.rule).joined(separator: ", ") }

  /// Each rule's bound on the value, given `baseline`.
  package func limits(baseline: Double?) -> [GateLimit] {
    var limits: [GateLimit] = []
    if let min { limits.append(GateLimit(kind: .min, amount: min, bound: min)) }
    if let max { limits.append(GateLimit(kind: .max, amount: max, bound: max)) }
    if let maxDrop {
      limits.append(
        GateLimit(kind: .maxDrop, amount: maxDrop, bound: baseline.map { $0 - maxDrop }))
    }
    if let maxRise {
      limits.append(
        GateLimit(kind: .maxRise, amount: maxRise, bound: baseline.map { $0 + maxRise }))
    }
    return limits
  }

  /// (the rules' bounds, passed?) for `value` against `baseline`. A relative rule without a
  /// baseline checks nothing; NaN never passes.
  package func check(_ value: Double, baseline: Double?) -> (limits: [GateLimit], passed: Bool) {
    var ok = !value.isNaN
    if let min { ok = ok && value >= min }
    if let max { ok = ok && value <= max }
    if let maxDrop, let baseline {
      ok = ok && baseline - value <= maxDrop + MetricFormat.tolerance
    }
    if let maxRise, let baseline {
      ok = ok && value - baseline <= maxRise + MetricFormat.tolerance
    }
    return (limits(baseline: baseline), ok)
  }
}
