internal import Foundation

/// How gate and metrics tables print numbers.
///
/// Measured numbers get four significant digits (0.9530023098688221 → "0.953"), whole numbers
/// print in full ("12000", not "1.2e+04"), and numbers a person wrote in a gate (`min: 0.95123`)
/// print as written. Four digits can make two different numbers of one row look equal: a value
/// of 0.94996 that fails `≥ 0.95` must not print as "0.95" next to "≥ 0.95". So a row asks
/// `digits(distinguishing:)` for the fewest digits (at least four) at which its numbers that
/// differ by more than the gates' tolerance also print differently.
package enum MetricFormat {
  /// Significant digits of a measured number in a table.
  package static let defaultDigits = 4

  /// The tolerance of a gate's comparisons (`Gate.check`): numbers closer than this are equal.
  package static let tolerance = 1e-12

  /// `x` to `digits` significant digits ("0.953", "0.0001234", "1.5e-06"); whole numbers in
  /// full, larger numbers without a fraction ("12346"); "nan", "inf", "-inf".
  package static func number(_ x: Double, digits: Int = defaultDigits) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    if abs(x) >= pow(10, Double(digits)), abs(x) < 1e15 { return String(format: "%.0f", x) }
    return String(format: "%.\(digits)g", x)
  }

  /// A number as a person wrote it in a pipeline: the shortest text that reads back as `x`
  /// ("0.95", "1", "0.005").
  package static func literal(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
  }

  /// A signed difference ("+0.4", "-0.01", "0").
  package static func change(_ d: Double, digits: Int = defaultDigits) -> String {
    if d == 0 || abs(d) < tolerance { return "0" }
    return (d > 0 ? "+" : "") + number(d, digits: digits)
  }

  /// The fewest significant digits, from `minimum` up to 17, at which every two numbers of
  /// `values` that differ by more than the tolerance print differently.
  package static func digits(distinguishing values: [Double], minimum: Int = defaultDigits)
    -> Int
  {
    let finite = values.filter(\.isFinite)
    for digits in minimum..<17 {
      var printed: [String: Double] = [:]
      let clash = finite.contains { x in
        let text = number(x, digits: digits)
        defer { printed[text] = x }
        guard let other = printed[text] else { return false }
        return abs(other - x) > tolerance * Swift.max(1, abs(x), abs(other))
      }
      if !clash { return digits }
    }
    return 17
  }
}
