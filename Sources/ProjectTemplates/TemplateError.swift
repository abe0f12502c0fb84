public import FairflowBase

/// A project that cannot be made as asked: a bad option value or a directory in the way.
/// Invalid input (exit 2); nothing has been written.
public struct TemplateError: FairflowError {
  public var message: String
  public var hint: String?
  public var exitStatus: ExitStatus { .invalidInput }

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}
