/// A position in a pipeline file, 1-based, as shown in error messages (`file:line:column`).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String { "\(file):\(line):\(column)" }

  /// `file:line:column: error: problem`, then (given the line it points into) the line and a
  /// caret under the column, as every pipeline and graph error is shown.
  func diagnostic(_ problem: String, sourceLine: String?) -> String {
    var text = "\(self): error: \(problem)"
    guard let sourceLine else { return text }
    // Columns count Unicode scalars (as YAML marks do); the caret counts characters, which
    // differ when combining marks follow a letter. Control characters are never echoed raw.
    let scalars = sourceLine.unicodeScalars.map(Self.displayable)
    let prefix = scalars.prefix(max(0, column - 1))
    var shown = Array(String(String.UnicodeScalarView(scalars)))
    var caretColumn = min(String(String.UnicodeScalarView(prefix)).count, shown.count)
    // Long lines are cut to a window around the caret.
    let width = 100
    if shown.count > width {
      let start = max(0, min(caretColumn - 20, shown.count - width))
      let end = min(shown.count, start + width)
      shown =
        (start > 0 ? Array("…") : []) + Array(shown[start..<end])
        + (end < shown.count ? Array("…") : [])
      caretColumn = caretColumn - start + (start > 0 ? 1 : 0)
    }
    text += "\n    \(String(shown))\n    " + String(repeating: " ", count: caretColumn) + "^"
    return text
  }

  /// A tab shows as one space (keeping the caret aligned), other control characters as U+FFFD.
  private static func displayable(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
    if scalar == "\t" { return " " }
    if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) { return "\u{FFFD}" }
    return scalar
  }
}
