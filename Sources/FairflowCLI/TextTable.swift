/// Plain-text tables for the terminal: columns two spaces apart, each as wide as its widest
/// cell (counted in characters, so "≥" and "–" are one), numeric columns right-aligned.
enum TextTable {
  /// `rows` (the first is the header) as lines, each ending in a newline; trailing spaces are cut.
  static func render(_ rows: [[String]], numeric: Set<Int> = []) -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
    var out = ""
    for row in rows {
      let cells = row.enumerated().map { c, cell in
        let pad = String(repeating: " ", count: widths[c] - cell.count)
        return numeric.contains(c) ? pad + cell : cell + pad
      }
      var line = cells.joined(separator: "  ")
      while line.last == " " { line.removeLast() }
      out += line + "\n"
    }
    return out
  }
}
