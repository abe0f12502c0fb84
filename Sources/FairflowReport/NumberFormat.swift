package import FairflowBase
internal import Foundation

/// How the report prints numbers: integers as integers (thousands grouped: 25,554), everything
/// else to `digits` significant digits with trailing zeros kept (0.9530, 0.1712, 12.50), in
/// scientific form outside 10⁻⁴…10⁶ (2.500e-05). A metrics file stores 0.9530023098688221; a
/// reader compares four digits. Output depends only on the value (C's correctly rounded
/// `%.*f`/`%.*e`), so a report is the same text on every machine.
package enum NumberFormat {
  /// `value` to `digits` significant digits, or as an integer when it is one.
  package static func significant(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
    if value == value.rounded(), abs(value) < 1e15 { return integer(Int(value)) }
    guard let places = decimals(value, digits: digits) else {
      return String(format: "%.\(max(digits - 1, 0))e", value)
    }
    return String(format: "%.\(places)f", value)
  }

  /// A number from a metrics file: an integer as an integer (`"parameters": 25554`), a real to
  /// `digits` significant digits even when it happens to be whole (`"accuracy_1": 1.0` → 1.000).
  package static func text(_ value: Value, digits: Int = 4) -> String {
    switch value {
    case .int(let n): return integer(n)
    case .double(let d) where d == d.rounded() && d != 0 && d.isFinite && abs(d) < 1e6:
      return String(format: "%.\(decimals(d, digits: digits) ?? 0)f", d)
    default: return value.doubleValue.map { significant($0, digits: digits) } ?? "–"
    }
  }

  /// The decimals that give `value` `digits` significant digits, or nil when it is too small or
  /// too large for fixed notation.
  package static func decimals(_ value: Double, digits: Int = 4) -> Int? {
    let magnitude = abs(value)
    guard magnitude >= 1e-4, magnitude < 1e6 else { return value == 0 ? 0 : nil }
    var exponent = Int(log10(magnitude).rounded(.down))
    var places = max(0, digits - 1 - exponent)
    // 0.99996 at four decimals prints 1.0000: one digit too many, so one decimal fewer.
    let rounded = (magnitude * pow(10, Double(places))).rounded() / pow(10, Double(places))
    if rounded >= pow(10, Double(exponent + 1)) {
      exponent += 1
      places = max(0, digits - 1 - exponent)
    }
    return places
  }

  /// `value` with `places` decimals (the precision another number set).
  package static func fixed(_ value: Double, places: Int) -> String {
    guard value.isFinite else { return significant(value) }
    return String(format: "%.\(max(places, 0))f", value)
  }

  /// 25554 → "25,554"; -1200 → "-1,200".
  package static func integer(_ n: Int) -> String {
    let digits = Array(String(n.magnitude))
    var out = ""
    for (i, digit) in digits.enumerated() {
      if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(digit)
    }
    return (n < 0 ? "-" : "") + out
  }
}
