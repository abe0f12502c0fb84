public import FairflowBase

/// A checkpoint that cannot be read: a malformed safetensors file, or tensors whose names or
/// shapes do not fit the model. Invalid input (exit 2), never a crash.
public struct CheckpointError: FairflowError, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var exitStatus: ExitStatus { .invalidInput }
}
