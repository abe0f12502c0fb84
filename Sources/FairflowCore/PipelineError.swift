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
      let expanded = sourceLine.replacingTabs()
      let caretColumn = max(0, min(location.column - 1, expanded.count))
      text += "\n    \(expanded)\n    " + String(repeating: " ", count: caretColumn) + "^"
    }
    return text
  }

  public var description: String {
    if let hint { return "\(message)\nhint: \(hint)" }
    return message
  }
}

extension String {
  fileprivate func replacingTabs() -> String {
    String(map { $0 == "\t" ? " " : $0 })
  }
}
