internal import Plots

/// Small pieces of HTML the report's sections share: escaping and tables of already escaped
/// cells.
package enum HTML {
  /// Text for an element or an attribute value: `& < > " '` escaped, control characters
  /// (other than tab and newline) replaced by spaces — the charts' escaping (`SVGPlot.escape`),
  /// so inline SVG and the page around it agree.
  package static func escape(_ text: String) -> String { SVGPlot.escape(text) }

  /// Text with `code spans` in backticks (as fairflow's messages write names) as `<code>`.
  package static func withCode(_ text: String) -> String {
    let parts = text.split(separator: "`", omittingEmptySubsequences: false)
    guard parts.count >= 3, parts.count % 2 == 1 else { return escape(text) }
    return parts.enumerated().map { index, part in
      index % 2 == 1 ? "<code>\(escape(String(part)))</code>" : escape(String(part))
    }.joined()
  }

  /// A `<table>` with a header row; `head` and `rows` are HTML (escape text first). `rowClasses`
  /// gives a row its `class`, by index.
  package static func table(
    head: [String], rows: [[String]], class name: String? = nil, rowClasses: [Int: String] = [:],
    numericFrom: Int? = nil
  ) -> String {
    var s = "<table" + (name.map { " class=\"\($0)\"" } ?? "") + "><thead><tr>"
    for (i, cell) in head.enumerated() {
      s +=
        numericFrom.map { i >= $0 } == true ? "<th class=\"num\">\(cell)</th>" : "<th>\(cell)</th>"
    }
    s += "</tr></thead><tbody>\n"
    for (r, row) in rows.enumerated() {
      s += rowClasses[r].map { "<tr class=\"\($0)\">" } ?? "<tr>"
      for (i, cell) in row.enumerated() {
        s +=
          numericFrom.map { i >= $0 } == true
          ? "<td class=\"num\">\(cell)</td>" : "<td>\(cell)</td>"
      }
      s += "</tr>\n"
    }
    return s + "</tbody></table>\n"
  }
}
