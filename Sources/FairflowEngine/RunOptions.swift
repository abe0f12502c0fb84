public import FairflowCore

/// What `fairflow run` was asked to do.
public struct RunOptions: Sendable {
  public var targets: [String] = []
  public var jobs: Int
  public var force = false
  public var keepGoing = false
  /// Wait for runs that hold the workspace or overlapping stages; false: exit 3 (`--no-wait`).
  public var wait = true
  /// How a built-in stage's child process is started (the CLI's `fairflow exec-stage`).
  public var builtinLauncher = BuiltinLauncher.none
  public var overrides: [String] = []
  /// Where stages without `executor:` run (`--executor`).
  public var executor: ExecutorKind = .local
  /// Poll intervals of the Slurm executor.
  public var slurmPolling = PollBackoff()
  /// `run --pull`: fetch from this remote what the local cache lacks (docs/remotes.md).
  public var remote: (any RemoteCacheSource)?

  public init(jobs: Int) { self.jobs = jobs }
}

/// The command line that runs one built-in stage in a child process, so that it runs locally or
/// under Slurm exactly like a command stage. The engine does not know the program: the command
/// line interface injects itself (`fairflow exec-stage PIPELINE --stage NAME -p …`).
public struct BuiltinLauncher: Sendable {
  public var arguments:
    @Sendable (_ pipelineFile: String, _ stage: String, _ overrides: [String]) -> [String]?

  public init(
    arguments:
      @escaping @Sendable (_ pipelineFile: String, _ stage: String, _ overrides: [String])
      -> [String]?
  ) {
    self.arguments = arguments
  }

  /// No launcher: a built-in stage fails with a clear reason.
  public static let none = BuiltinLauncher { _, _, _ in nil }
}
