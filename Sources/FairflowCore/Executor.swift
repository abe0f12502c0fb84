public import FairflowBase
/// One process to run for a stage.
public struct Job: Sendable {
  public var stage: String
  /// argv; `arguments[0]` is the program path.
  public var arguments: [String]
  /// Variables added to (or overriding) the inherited environment.
  public var environment: [(name: String, value: String)]
  public var workingDirectory: String
  /// Where stdout and stderr go (appended).
  public var logPath: String

  public init(
    stage: String, arguments: [String], environment: [(name: String, value: String)],
    workingDirectory: String, logPath: String
  ) {
    self.stage = stage
    self.arguments = arguments
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.logPath = logPath
  }
}

/// How a stage's process ended. "Ran and exited non-zero" is an outcome, not an error;
/// "could not start" is also reported here so the scheduler treats both as a failed stage.
public enum StageOutcome: Sendable, Equatable {
  case exited(Int32)
  case signalled(Int32)
  case couldNotStart(String)
  /// Ended unsuccessfully in a way the executor explains itself (a Slurm job that ended
  /// TIMEOUT, OUT_OF_MEMORY, ...); `exitStatus` when the stage's process exited with one.
  case failed(reason: String, exitStatus: Int32?)

  public var succeeded: Bool { self == .exited(0) }

  /// The exit status of the stage's process, when it exited.
  public var exitStatus: Int32? {
    switch self {
    case .exited(let code): return code
    case .failed(_, let code): return code
    default: return nil
    }
  }

  public var summary: String {
    switch self {
    case .exited(let code): return "exit status \(code)"
    case .signalled(let signal): return "killed by signal \(signal)"
    case .couldNotStart(let why): return "could not start: \(why)"
    case .failed(let reason, _): return reason
    }
  }
}

/// Runs jobs: `LocalExecutor` (child processes), `SlurmExecutor` (sbatch jobs), `FakeExecutor`
/// (tests).
public protocol Executor: Sendable {
  func run(_ job: Job) async -> StageOutcome
  /// Terminates every running job (SIGTERM, grace period, SIGKILL; Slurm: scancel).
  func terminateAll() async
  /// How the last job of `stage` ran, for the provenance record's `executor` field
  /// (`{"kind": "local"}`; Slurm adds the job id, node and state).
  func provenance(ofStage stage: String) -> [(key: String, value: Value)]
}

extension Executor {
  public func provenance(ofStage stage: String) -> [(key: String, value: Value)] {
    [("kind", .string(ExecutorKind.local.rawValue))]
  }
}
