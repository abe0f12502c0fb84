public import FairflowBase

/// The one error a built-in stage throws when it cannot produce its outputs from valid
/// configuration: a missing or malformed input file, a branch or dataset that is not there, a
/// model that does not fit its data. The runner prints the message under the stage's name and
/// exits 1 (a stage failure); problems in `with:` itself are `PipelineError`s at load time.
/// Commands that run the same code on files the user names (`fairflow predict`) report an
/// input that does not fit as invalid input (exit 2).
public struct StageError: FairflowError, Equatable {
  public var message: String
  public var exitStatus: ExitStatus

  public init(_ message: String, exitStatus: ExitStatus = .failure) {
    self.message = message
    self.exitStatus = exitStatus
  }

  public var description: String { message }
}
