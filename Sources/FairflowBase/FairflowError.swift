/// The exit codes fairflow promises to scripts (architecture.md, "CLI contract").
public struct ExitStatus: Sendable, Hashable {
  public let code: Int32
  private init(_ code: Int32) { self.code = code }

  /// Everything succeeded.
  public static let success = ExitStatus(0)
  /// A stage failed or a gate regressed.
  public static let failure = ExitStatus(1)
  /// Invalid input or usage.
  public static let invalidInput = ExitStatus(2)
  /// The workspace is locked by another run.
  public static let locked = ExitStatus(3)
  /// Interrupted by SIGINT/SIGTERM (128 + 2).
  public static let interrupted = ExitStatus(130)
}

/// An error meant for a human: a message, an optional hint and the exit status the CLI maps it to.
///
/// Every module's error type conforms; the CLI prints `error: <message>` (+ `hint: <hint>`)
/// and exits with `exitStatus`. No stack traces reach the user.
public protocol FairflowError: Error, Sendable, CustomStringConvertible {
  var message: String { get }
  var hint: String? { get }
  var exitStatus: ExitStatus { get }
}

extension FairflowError {
  public var hint: String? { nil }
  public var description: String {
    if let hint { return "\(message)\nhint: \(hint)" }
    return message
  }
}
