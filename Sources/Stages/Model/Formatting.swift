internal import Foundation

/// `x` with `digits` decimals ("98.87"), for the model kinds' tables.
func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// 25554 → "25,554".
func grouped(_ n: Int) -> String {
  let digits = Array(String(n.magnitude))
  var out = ""
  for (i, d) in digits.enumerated() {
    if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(d)
  }
  return (n < 0 ? "-" : "") + out
}
