public import FairflowBase
internal import FairflowCore
internal import Glibc

/// A failure of the on-disk state: the operation, the path and the system's own message.
public struct StoreError: FairflowError {
  public var operation: String
  public var path: String
  public var detail: String
  public var hint: String?
  public var exitStatus: ExitStatus

  public init(
    _ operation: String, path: String, detail: String, hint: String? = nil,
    exitStatus: ExitStatus = .failure
  ) {
    self.operation = operation
    self.path = path
    self.detail = detail
    self.hint = hint
    self.exitStatus = exitStatus
  }

  /// From the current `errno`.
  static func system(_ operation: String, path: String, errno code: Int32 = errno) -> StoreError {
    StoreError(operation, path: path, detail: String(cString: strerror(code)))
  }

  public var message: String { "cannot \(operation) '\(path)': \(detail)" }
}
