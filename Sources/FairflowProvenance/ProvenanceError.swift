public import FairflowBase
internal import FairflowCore

/// A provenance problem a user can act on (unknown run, malformed record, unreadable file).
public struct ProvenanceError: FairflowError, Equatable {
  public var message: String
  public var hint: String?
  public var exitStatus: ExitStatus

  public init(_ message: String, hint: String? = nil, exitStatus: ExitStatus = .failure) {
    self.message = message
    self.hint = hint
    self.exitStatus = exitStatus
  }
}
