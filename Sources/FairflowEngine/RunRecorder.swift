public import FairflowBase
public import FairflowCore

/// What the runner knows about one stage that executed, failed or was restored, handed to a
/// `RunRecorder` (provenance) on the scheduling loop.
public struct StageRecord: Sendable {
  public enum Outcome: Sendable, Equatable {
    case executed
    /// Outputs linked back from the store; `run` produced them originally.
    case restored(from: String)
    case failed(reason: String)
  }

  public var stage: Stage
  public var outcome: Outcome
  /// The process's exit status, when one ran and exited.
  public var exitStatus: Int32?
  public var deps: [PathRecord]
  public var outs: [PathRecord]
  /// Origins the stage declared for its outputs (path → `{doi, url, checksum, retrieved, …}`),
  /// read from the file named by `$FAIRFLOW_ORIGINS`.
  public var origins: [String: Value]
  /// RFC 3339 UTC with milliseconds.
  public var started: String
  public var ended: String
  public var seconds: Double
  public var fingerprint: Digest?
  /// How the stage ran: `{"kind": "local"}`, or Slurm's job id, node and state.
  public var executor: [(key: String, value: Value)] = [("kind", .string("local"))]
}

/// Receives a run's stage records in completion order. Calls come from the runner's scheduling
/// loop, one at a time. Records are kept by the recorder (provenance commits them to git).
public protocol RunRecorder: AnyObject, Sendable {
  func runStarted(run: String, pipelineFile: String, stageCount: Int)
  func record(_ stage: StageRecord)
  /// Called once at the end (also after failures and interrupts); a thrown error fails the run.
  func runFinished(_ summary: RunSummary) throws
  /// Called just before a stage's process starts: a recorder makes the records a stage may read
  /// (its inputs' lineage) durable here.
  func stageWillStart(_ stage: Stage)
}

extension RunRecorder {
  public func stageWillStart(_ stage: Stage) {}
}
