/// An invalid pipeline file: where (file:line:column), what was expected, and a hint.
///
/// Rendered like a compiler diagnostic, with the offending line and a caret:
/// ```
/// pipelines/x.yaml:4:5: error: unknown key 'dpes' in stage 'train'
///     dpes: [a]
///     ^
/// hint: did you mean 'deps'?
/// ```
public struct PipelineError: FairflowError, Equatable {
  public var location: SourceLocation?
  public var problem: String
  public var hint: String?
  /// The source line the location points into (without newline), for the caret display.
  public var sourceLine: String?

  public init(
    _ problem: String, at location: SourceLocation? = nil, hint: String? = nil,
    sourceLine: String? = nil
  ) {
    self.problem = problem
    self.location = location
    self.hint = hint
    self.sourceLine = sourceLine
  }

  public var exitStatus: ExitStatus { .invalidInput }

  public var message: String {
    var text = location.map { "\($0): error: \(problem)" } ?? "error: \(problem)"
    if let location, let sourceLine {
      // Columns count Unicode scalars (as YAML marks do); the caret counts characters, which
      // differ when combining marks follow a letter. Control characters are never echoed raw.
      let scalars = sourceLine.unicodeScalars.map(Self.displayable)
      let prefix = scalars.prefix(max(0, location.column - 1))
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
    }
    return text
  }

  public var description: String {
    if let hint { return "\(message)\nhint: \(hint)" }
    return message
  }
}

extension PipelineError {
  /// A tab shows as one space (keeping the caret aligned), other control characters as U+FFFD.
  fileprivate static func displayable(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
    if scalar == "\t" { return " " }
    if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) { return "\u{FFFD}" }
    return scalar
  }
}
