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

  /// (allowed range in words, passed?) for `value` against `baseline`.
  public func check(_ value: Double, baseline: Double?) -> (allowed: String, passed: Bool) {
    var rules: [String] = []
    var ok = true
    if let min {
      rules.append("≥ \(min)")
      ok = ok && value >= min
    }
    if let max {
      rules.append("≤ \(max)")
      ok = ok && value <= max
    }
    if let maxDrop {
      if let baseline {
        rules.append("≥ \(baseline - maxDrop) (drop ≤ \(maxDrop))")
        ok = ok && baseline - value <= maxDrop + 1e-12
      } else {
        rules.append("drop ≤ \(maxDrop) (no baseline)")
      }
    }
    if let maxRise {
      if let baseline {
        rules.append("≤ \(baseline + maxRise) (rise ≤ \(maxRise))")
        ok = ok && value - baseline <= maxRise + 1e-12
      } else {
        rules.append("rise ≤ \(maxRise) (no baseline)")
      }
    }
    return (rules.joined(separator: ", "), ok && !value.isNaN)
  }
}
