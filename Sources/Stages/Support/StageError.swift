public import FairflowBase

/// The one error a built-in stage throws when it cannot produce its outputs from valid
/// configuration: a missing or malformed input file, a branch or dataset that is not there, a
/// model that does not fit its data. The runner prints the message under the stage's name and
/// exits 1 (a stage failure); problems in `with:` itself are `PipelineError`s at load time.
public struct StageError: FairflowError, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
  public var exitStatus: ExitStatus { .failure }
}
