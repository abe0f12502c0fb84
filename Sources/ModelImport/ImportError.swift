public import FairflowBase

/// A model file that cannot be imported: unreadable format, a pickle that asks for something
/// fairflow will not load, or weights that do not fit the architecture.
public struct ImportError: FairflowError, Equatable {
  public var message: String
  public var hint: String?
  public var exitStatus: ExitStatus { .failure }

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}
