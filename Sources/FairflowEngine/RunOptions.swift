public import FairflowCore

/// What `fairflow run` was asked to do.
public struct RunOptions: Sendable {
  public var targets: [String] = []
  public var jobs: Int
  public var force = false
  public var keepGoing = false
  public var wait = true
  /// The program that runs built-in stages (`fairflow exec-stage`).
  public var selfExecutable: String = "/proc/self/exe"
  public var overrides: [String] = []
  /// Where stages without `executor:` run (`--executor`).
  public var executor: ExecutorKind = .local
  /// Poll intervals of the Slurm executor.
  public var slurmPolling = PollBackoff()

  public init(jobs: Int) { self.jobs = jobs }
}
