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

  public var succeeded: Bool { self == .exited(0) }

  public var summary: String {
    switch self {
    case .exited(let code): return "exit status \(code)"
    case .signalled(let signal): return "killed by signal \(signal)"
    case .couldNotStart(let why): return "could not start: \(why)"
    }
  }
}

/// Runs jobs: `LocalExecutor` (child processes), `FakeExecutor` (tests), later Slurm.
public protocol Executor: Sendable {
  func run(_ job: Job) async -> StageOutcome
  /// Terminates every running job (SIGTERM, grace period, SIGKILL).
  func terminateAll() async
}
