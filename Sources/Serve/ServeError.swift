public import FairflowBase

/// What goes wrong in `fairflow serve`: at start-up (a model directory that is not one, a port in
/// use) the CLI prints the message and exits with `exitStatus`; for a request, the server answers
/// `httpStatus` with the KServe v2 error body `{"error": message}`.
public struct ServeError: FairflowError, Equatable {
  public let message: String
  public let hint: String?
  public let exitStatus: ExitStatus
  /// The HTTP status a request that fails this way is answered with.
  public let httpStatus: Int

  public init(
    _ message: String, httpStatus: Int = 400, hint: String? = nil,
    exitStatus: ExitStatus = .invalidInput
  ) {
    self.message = message
    self.hint = hint
    self.exitStatus = exitStatus
    self.httpStatus = httpStatus
  }
}
