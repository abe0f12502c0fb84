public import FairflowBase
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
    location.map { $0.diagnostic(problem, sourceLine: sourceLine) } ?? "error: \(problem)"
  }

  public var description: String {
    if let hint { return "\(message)\nhint: \(hint)" }
    return message
  }
}
