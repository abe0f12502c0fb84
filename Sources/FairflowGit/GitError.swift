public import FairflowBase
internal import CGit2

/// A failed libgit2 call, carrying libgit2's own message and error code.
public struct GitError: FairflowError, Equatable {
  /// libgit2's return code (`GIT_ENOTFOUND`, `GIT_EMODIFIED`, …).
  public var code: Int32
  public var operation: String
  public var detail: String

  public var message: String { "git: \(operation) failed: \(detail)" }
  public var hint: String? { nil }
  public var exitStatus: ExitStatus { .failure }

  public init(code: Int32, operation: String, detail: String) {
    self.code = code
    self.operation = operation
    self.detail = detail
  }

  /// The ref moved (or appeared) under a compare-and-swap, or its lock is held: retry.
  public var isContention: Bool {
    code == GIT_EMODIFIED.rawValue || code == GIT_EEXISTS.rawValue
      || code == GIT_ELOCKED.rawValue
  }

  public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
}

/// Checks a libgit2 return code; throws with `git_error_last()`'s message when negative.
@discardableResult
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
  guard result < 0 else { return result }
  var detail = "error \(result)"
  if let last = git_error_last(), let text = last.pointee.message {
    detail = String(cString: text)
  }
  throw GitError(code: result, operation: operation(), detail: detail)
}
