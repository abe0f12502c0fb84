/// One rule of a gate, resolved against the baseline: `min`/`max` bound the value directly,
/// `max_drop`/`max_rise` bound it relative to the baseline (and bound nothing without one).
package struct GateLimit: Sendable, Equatable {
  package enum Kind: String, Sendable {
    case min
    case max
    case maxDrop = "max_drop"
    case maxRise = "max_rise"
  }

  package var kind: Kind
  /// The number the rule names (`max_drop: 0.005` → 0.005).
  package var amount: Double
  /// The bound on the value (≥ for min/max_drop, ≤ for max/max_rise); nil for a relative rule
  /// without a baseline.
  package var bound: Double?

  /// Whether the bound is a lower one.
  package var isLower: Bool { kind == .min || kind == .maxDrop }

  /// The rule as a pipeline writes it ("max_drop 0.005").
  package var rule: String { "\(kind.rawValue) \(MetricFormat.literal(amount))" }

  /// The allowed range in words ("≥ 0.9487 (drop ≤ 0.005)"), computed bounds to `digits`.
  package func text(digits: Int) -> String {
    let amount = MetricFormat.literal(amount)
    let sign = isLower ? "≥" : "≤"
    switch kind {
    case .min, .max: return "\(sign) \(amount)"
    case .maxDrop, .maxRise:
      let change = kind == .maxDrop ? "drop" : "rise"
      guard let bound else { return "\(change) ≤ \(amount) (no baseline)" }
      return "\(sign) \(MetricFormat.number(bound, digits: digits)) (\(change) ≤ \(amount))"
    }
  }
}
