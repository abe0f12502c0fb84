public import FairflowBase

/// A ROOT file that cannot be read: corrupt, truncated, or using a feature this reader does not
/// support. The message names the file, and the tree/branch and feature where known; reading never
/// crashes or returns guessed values.
public struct ROOTError: FairflowError, Equatable {
  public var message: String
  public var hint: String?
  public var exitStatus: ExitStatus { .failure }

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }

  /// Corrupt or truncated data: `what` says what was being read.
  static func corrupt(_ what: String) -> ROOTError {
    ROOTError("corrupt or truncated data: \(what)")
  }

  /// Prefixes the message with the file (and object) it concerns.
  func context(_ prefix: String) -> ROOTError {
    ROOTError(prefix + ": " + message, hint: hint)
  }
}
