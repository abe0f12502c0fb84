internal import Foundation

/// Axis ranges whose five equal divisions (the ticks `SVGPlot` draws) land on round numbers:
/// a step of 1, 2, 2.5 or 5 × 10ᵏ and ends on multiples of it, so a loss axis reads 0.6, 0.65,
/// 0.7 … rather than 0.63, 0.663, 0.696 …. A constant series gets a small band around its value.
/// Ends are computed as (integer × mantissa) / 10ᵏ, so they are the decimal numbers they look
/// like (0.6, not 0.6000000000000001).
package enum AxisRange {
  /// The smallest such range holding `values`, kept inside `bounds` when they hold the data
  /// (0…1 for rates and accuracies). Nil for no finite values.
  package static func nice(
    _ values: [Double], divisions: Int = 5, bounds: ClosedRange<Double>? = nil
  ) -> ClosedRange<Double>? {
    let finite = values.filter(\.isFinite)
    guard var low = finite.min(), var high = finite.max() else { return nil }
    if high - low < 1e-12 {
      let pad = max(abs(high) * 0.05, 0.01)
      low -= pad
      high += pad
    }
    var step = Step(at: (high - low) / Double(divisions))
    for _ in 0..<12 {
      var first = (low / step.value).rounded(.down)
      if step.multiple(first + 1) <= low { first += 1 }
      var start = step.multiple(first)
      var end = step.multiple(first + Double(divisions))
      if let bounds, low >= bounds.lowerBound, start < bounds.lowerBound {
        start = bounds.lowerBound
        end = bounds.lowerBound + step.multiple(Double(divisions))
      }
      if end >= high {
        if let bounds, high <= bounds.upperBound, end > bounds.upperBound {
          let shifted = bounds.upperBound - step.multiple(Double(divisions))
          if shifted <= low { return shifted...bounds.upperBound }
        }
        return start...end
      }
      step = step.next
    }
    return low...high
  }

  /// A step of mantissa × 10^exponent, mantissa one of 1, 2, 2.5, 5.
  struct Step {
    static let mantissas = [1.0, 2, 2.5, 5]
    var mantissa: Double
    var exponent: Int

    /// The smallest step at least `raw`.
    init(at raw: Double) {
      exponent = raw > 0 && raw.isFinite ? Int(log10(raw).rounded(.down)) : 0
      mantissa = 1
      while value < raw * (1 - 1e-12) { self = next }
    }

    init(mantissa: Double, exponent: Int) {
      self.mantissa = mantissa
      self.exponent = exponent
    }

    var value: Double { multiple(1) }

    /// `k` steps, exactly as decimal arithmetic would give it (then rounded once).
    func multiple(_ k: Double) -> Double {
      let scale = pow(10, Double(abs(exponent)))
      return exponent < 0 ? k * mantissa / scale : k * mantissa * scale
    }

    var next: Step {
      if let index = Self.mantissas.firstIndex(of: mantissa), index + 1 < Self.mantissas.count {
        return Step(mantissa: Self.mantissas[index + 1], exponent: exponent)
      }
      return Step(mantissa: 1, exponent: exponent + 1)
    }
  }
}
