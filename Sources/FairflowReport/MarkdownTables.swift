/// The Markdown that `aggregate`, `compare` and `consistency` write (`table: report/table4.md`)
/// as HTML: headings, GitHub pipe tables (`\|` is a literal bar inside a cell) and the
/// paragraphs around them. Nothing else of Markdown appears in those files, so nothing else is
/// recognised: any other line is text, escaped.
package enum MarkdownTables {
  /// The document as HTML; headings become `<h4>` (the report's own headings sit above).
  package static func html(_ markdown: String) -> String {
    var out = ""
    var table: [[String]] = []
    var paragraph: [String] = []
    func flush() {
      if !table.isEmpty {
        out += render(table)
        table = []
      }
      if !paragraph.isEmpty {
        out += "<p class=\"note\">" + HTML.escape(paragraph.joined(separator: " ")) + "</p>\n"
        paragraph = []
      }
    }
    for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimming(" \t\r")
      if line.hasPrefix("|") {
        if !paragraph.isEmpty { flush() }
        if !isDelimiterRow(line) { table.append(cells(line)) }
      } else if line.hasPrefix("#") {
        flush()
        let text = line.drop { $0 == "#" }.trimming(" ")
        out += "<h4>\(HTML.escape(text))</h4>\n"
      } else if line.isEmpty {
        flush()
      } else {
        if !table.isEmpty { flush() }
        paragraph.append(line)
      }
    }
    flush()
    return out
  }

  /// The cells of `| a | b \| c |`: trimmed, escaped bars unescaped.
  static func cells(_ line: String) -> [String] {
    var cells: [String] = []
    var current = ""
    var escaped = false
    for character in line.dropFirst() {
      if escaped {
        current.append(character == "|" ? "|" : "\\\(character)")
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else if character == "|" {
        cells.append(current.trimming(" "))
        current = ""
      } else {
        current.append(character)
      }
    }
    let rest = current.trimming(" ")
    if !rest.isEmpty { cells.append(rest) }
    return cells
  }

  /// `| --- | :---: |`: only dashes, colons, bars and spaces.
  static func isDelimiterRow(_ line: String) -> Bool {
    line.contains("-") && line.allSatisfy { "|-: ".contains($0) }
  }

  /// The first row as the header; numeric-looking columns right-aligned.
  static func render(_ rows: [[String]]) -> String {
    guard let head = rows.first else { return "" }
    let body = Array(rows.dropFirst())
    var s = "<table class=\"reproduced\"><thead><tr>"
    s += head.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
    for row in body {
      s += "<tr>"
      for (i, cell) in row.enumerated() {
        let numeric = i > 0 && cell.first.map { $0.isNumber || $0 == "-" || $0 == "−" } == true
        s +=
          numeric ? "<td class=\"num\">\(HTML.escape(cell))</td>" : "<td>\(HTML.escape(cell))</td>"
      }
      s += "</tr>\n"
    }
    return s + "</tbody></table>\n"
  }
}

extension StringProtocol {
  /// Without leading and trailing characters from `set` (no Foundation needed).
  func trimming(_ set: String) -> String {
    var slice = Substring(self)
    while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
    while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
    return String(slice)
  }
}
