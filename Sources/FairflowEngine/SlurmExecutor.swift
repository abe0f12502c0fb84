public import FairflowBase
public import FairflowCore
internal import FairflowStore
internal import Glibc
internal import Synchronization

/// Runs jobs as Slurm batch jobs: each job becomes an `sbatch` submission whose script `exec`s the
/// same argv the local executor would spawn (see `SlurmBatch`), with the stage's `resources:` as
/// `--cpus-per-task`, `--mem`, `--gres=gpu:N` and `--time`, and the pipeline's `slurm:` section
/// as partition, account, qos and extra options. Its stdout and stderr go to the job's log.
///
/// Tracking: one poller for all of the run's jobs asks `squeue` which are still queued or
/// running, at intervals that start at `backoff.initial` and grow to `backoff.maximum` (reset
/// whenever a job is submitted or ends), so waiting costs one `squeue` per interval, not a busy
/// loop. A job `squeue` no longer lists has ended: its final state comes from `sacct` (accounting),
/// else `sacct --completion` (a jobcomp plugin), else `scontrol show job`, and maps to a stage
/// outcome (`SlurmStatus.outcome`). `terminateAll` (Ctrl-C) runs `scancel` on every job of the
/// run and the jobs' `run` calls return once `squeue` no longer lists them.
public final class SlurmExecutor: Executor, @unchecked Sendable {
  public struct Configuration: Sendable {
    public var settings: SlurmSettings
    /// Stage name → resources (stages not listed get the defaults).
    public var resources: [String: Resources]
    public var backoff: PollBackoff
    /// The run id, named in the batch scripts.
    public var run: String?
    /// fairflow's own executable, for jobs whose argv starts with `/proc/self/exe`.
    public var executable: String?
    /// Polls after which a job that left the queue without any record counts as ended UNKNOWN.
    public var lookupAttempts: Int
    /// After `terminateAll`, how long to wait for the cancelled jobs to leave the queue.
    public var cancelTimeout: Double

    public init(
      settings: SlurmSettings = SlurmSettings(), resources: [String: Resources] = [:],
      backoff: PollBackoff = PollBackoff(), run: String? = nil,
      executable: String? = SlurmExecutor.ownExecutable(), lookupAttempts: Int = 10,
      cancelTimeout: Double = 60
    ) {
      self.settings = settings
      self.resources = resources
      self.backoff = backoff
      self.run = run
      self.executable = executable
      self.lookupAttempts = lookupAttempts
      self.cancelTimeout = cancelTimeout
    }
  }

  /// Where a final state was found the last time; tried first next time.
  enum Source: Int, Sendable {
    case sacct = 0
    case completion = 1
    case scontrol = 2
  }

  struct Waiter {
    var continuation: CheckedContinuation<SlurmJobRecord, Never>
    var misses = 0
  }

  struct State {
    var waiting: [String: Waiter] = [:]
    var polling = false
    /// Bumped on every submission, end and cancel: the poller then restarts its backoff.
    var generation = 0
    var cancelled = false
    var cancelledAt: Double?
    var facts: [String: [(key: String, value: Value)]] = [:]
    var submitted: [String] = []
    var source = Source.sacct
  }

  let configuration: Configuration
  let commands: any SlurmCommandRunner
  let stream: (@Sendable (String, String) -> Void)?
  private let state = Mutex(State())

  public init(
    configuration: Configuration, commands: any SlurmCommandRunner = ProcessSlurmCommandRunner(),
    stream: (@Sendable (String, String) -> Void)? = nil
  ) {
    self.configuration = configuration
    self.commands = commands
    self.stream = stream
  }

  /// fairflow's resolved path (what `/proc/self/exe` names here, not on the compute node).
  public static func ownExecutable() -> String? { FileIO.realPath("/proc/self/exe") }

  /// Every job id this executor submitted, in submission order.
  public var submittedJobs: [String] { state.withLock { $0.submitted } }

  public func provenance(ofStage stage: String) -> [(key: String, value: Value)] {
    state.withLock { $0.facts[stage] } ?? [("kind", .string(ExecutorKind.slurm.rawValue))]
  }

  public func run(_ job: Job) async -> StageOutcome {
    if state.withLock({ $0.cancelled }) {
      return .failed(reason: "not submitted to Slurm: the run was interrupted", exitStatus: nil)
    }
    let resources = configuration.resources[job.stage] ?? Resources()
    let scriptPath =
      (job.logPath.hasSuffix(".log") ? String(job.logPath.dropLast(4)) : job.logPath)
      + ".slurm.sh"
    do {
      try FileIO.writeAtomically(
        SlurmBatch.script(
          for: job, run: configuration.run, executable: configuration.executable),
        to: scriptPath)
    } catch {
      return .couldNotStart("cannot write the batch script \(scriptPath): \(error)")
    }
    let arguments = SlurmBatch.arguments(
      for: job, resources: resources, settings: configuration.settings, scriptPath: scriptPath)
    let submitted = await commands.run(["sbatch"] + arguments)
    guard submitted.succeeded, let id = SlurmBatch.jobID(fromParsable: submitted.stdout) else {
      let why = submitted.problem.isEmpty ? "exit status \(submitted.status)" : submitted.problem
      return .couldNotStart("sbatch failed: \(why)")
    }
    let cancelledMeanwhile = state.withLock { s -> Bool in
      s.submitted.append(id)
      s.facts[job.stage] = [
        ("kind", .string(ExecutorKind.slurm.rawValue)), ("job_id", .string(id)),
      ]
      return s.cancelled
    }
    if cancelledMeanwhile { _ = await commands.run(["scancel", id]) }
    let record = await wait(for: id)
    var tail = ""
    if record.state == "FAILED" { tail = Self.tail(of: job.logPath) }
    let outcome = SlurmStatus.outcome(
      of: record, resources: resources, settings: configuration.settings, logTail: tail)
    state.withLock { s in
      var facts: [(key: String, value: Value)] = [
        ("kind", .string(ExecutorKind.slurm.rawValue)), ("job_id", .string(id)),
        ("state", .string(record.state)),
      ]
      if !record.nodes.isEmpty { facts.append(("node", .string(record.nodes))) }
      if let partition = configuration.settings.partition {
        facts.append(("partition", .string(partition)))
      }
      s.facts[job.stage] = facts
    }
    if let stream, let text = try? FileIO.readText(job.logPath) {
      for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        stream(job.stage, String(line))
      }
    }
    return outcome
  }

  public func terminateAll() async {
    let ids = state.withLock { s -> [String] in
      s.cancelled = true
      s.cancelledAt = MonotonicClock.now()
      s.generation += 1
      return s.waiting.keys.sorted()
    }
    guard !ids.isEmpty else { return }
    _ = await commands.run(["scancel"] + ids)
  }

  // MARK: - Tracking

  func wait(for id: String) async -> SlurmJobRecord {
    await withCheckedContinuation { (continuation: CheckedContinuation<SlurmJobRecord, Never>) in
      let start = state.withLock { s -> Bool in
        s.waiting[id] = Waiter(continuation: continuation)
        s.generation += 1
        if s.polling { return false }
        s.polling = true
        return true
      }
      if start { Task { await self.poll() } }
    }
  }

  /// The poll loop; runs while any job is waited for.
  func poll() async {
    var backoff = configuration.backoff
    var seen = -1
    while true {
      let generation = state.withLock { s -> Int? in
        if s.waiting.isEmpty {
          s.polling = false
          return nil
        }
        return s.generation
      }
      guard let generation else { return }
      if generation != seen {
        backoff.reset()
        seen = generation
      }
      try? await Task.sleep(nanoseconds: UInt64(backoff.next() * 1e9))
      await pollOnce()
    }
  }

  /// One round: which waited-for jobs left the queue, and how did they end?
  func pollOnce() async {
    let ids = state.withLock { $0.waiting.keys.sorted() }
    guard !ids.isEmpty else { return }
    let queue = await commands.run(
      ["squeue", "-h", "-j", ids.joined(separator: ","), "-o", SlurmStatus.squeueFormat])
    var active: Set<String>
    if queue.succeeded {
      active = Set(
        SlurmStatus.parseSqueue(queue.stdout).filter {
          SlurmStatus.activeStates.contains($0.value.state)
        }.keys)
    } else if queue.stderr.contains("Invalid job id") {
      active = []
    } else {
      // The controller did not answer: try again later, unless a cancel has waited too long.
      if let since = state.withLock({ $0.cancelledAt }),
        MonotonicClock.now() - since > configuration.cancelTimeout
      {
        resolve(ids.map { SlurmJobRecord(id: $0, state: "CANCELLED") })
      }
      return
    }
    let ended = ids.filter { !active.contains($0) }
    guard !ended.isEmpty else { return }
    let found = await finalStates(of: ended)
    resolve(found)
    let missing = ended.filter { id in !found.contains { $0.id == id } }
    var unknown: [SlurmJobRecord] = []
    state.withLock { s in
      for id in missing {
        s.waiting[id]?.misses += 1
        if (s.waiting[id]?.misses ?? 0) >= configuration.lookupAttempts {
          unknown.append(SlurmJobRecord(id: id, state: "UNKNOWN"))
        }
      }
    }
    resolve(unknown)
  }

  func resolve(_ records: [SlurmJobRecord]) {
    guard !records.isEmpty else { return }
    let resumed = state.withLock { s -> [(Waiter, SlurmJobRecord)] in
      var resumed: [(Waiter, SlurmJobRecord)] = []
      for record in records {
        if let waiter = s.waiting.removeValue(forKey: record.id) {
          resumed.append((waiter, record))
        }
      }
      if !resumed.isEmpty { s.generation += 1 }
      return resumed
    }
    for (waiter, record) in resumed { waiter.continuation.resume(returning: record) }
  }

  /// Final states of ended jobs, from the first source that knows them.
  func finalStates(of ids: [String]) async -> [SlurmJobRecord] {
    let first = state.withLock { $0.source }
    var remaining = ids
    var found: [SlurmJobRecord] = []
    for source in [Source.sacct, .completion, .scontrol] where source.rawValue >= first.rawValue {
      guard !remaining.isEmpty else { break }
      let records = await lookUp(remaining, in: source)
      // A source that fails outright (accounting disabled) is not asked again.
      guard let records else {
        state.withLock { s in
          if s.source.rawValue <= source.rawValue, source != .scontrol {
            s.source = Source(rawValue: source.rawValue + 1)!
          }
        }
        continue
      }
      for id in remaining {
        if let record = records[id], !SlurmStatus.activeStates.contains(record.state) {
          found.append(record)
        }
      }
      remaining.removeAll { id in found.contains { $0.id == id } }
    }
    return found
  }

  /// nil when the source is unavailable (as opposed to not knowing these jobs yet).
  func lookUp(_ ids: [String], in source: Source) async -> [String: SlurmJobRecord]? {
    let list = ids.joined(separator: ",")
    switch source {
    case .sacct, .completion:
      var arguments = ["sacct", "-n", "-P", "-j", list, "-o", SlurmStatus.sacctFields]
      arguments.insert(source == .sacct ? "-X" : "--completion", at: 1)
      let result = await commands.run(arguments)
      guard result.succeeded else { return nil }
      return SlurmStatus.parseSacct(result.stdout)
    case .scontrol:
      var records: [String: SlurmJobRecord] = [:]
      for id in ids {
        let result = await commands.run(["scontrol", "show", "job", "-o", id])
        guard result.succeeded else { continue }
        records.merge(SlurmStatus.parseScontrol(result.stdout)) { _, new in new }
      }
      return records
    }
  }

  /// The last 16 KiB of a log.
  static func tail(of path: String) -> String {
    guard let bytes = try? FileIO.read(path) else { return "" }
    return String(decoding: bytes.suffix(16384), as: UTF8.self)
  }
}

/// Sends each job to the executor its stage asks for: stages whose `executor:` (or, without one,
/// the run's `--executor`) is `slurm` to `slurm`, the rest to `local`.
public final class RoutingExecutor: Executor, @unchecked Sendable {
  let local: any Executor
  let slurm: any Executor
  let slurmStages: Set<String>

  public init(local: any Executor, slurm: any Executor, slurmStages: Set<String>) {
    self.local = local
    self.slurm = slurm
    self.slurmStages = slurmStages
  }

  func executor(for stage: String) -> any Executor {
    slurmStages.contains(stage) ? slurm : local
  }

  public func run(_ job: Job) async -> StageOutcome { await executor(for: job.stage).run(job) }

  public func terminateAll() async {
    async let stopLocal: Void = local.terminateAll()
    async let stopSlurm: Void = slurm.terminateAll()
    _ = await (stopLocal, stopSlurm)
  }

  public func provenance(ofStage stage: String) -> [(key: String, value: Value)] {
    executor(for: stage).provenance(ofStage: stage)
  }

  /// The executor for a run: local only, or local and Slurm routed by stage.
  public static func make(
    for pipeline: Pipeline, options: RunOptions, local: any Executor,
    stream: (@Sendable (String, String) -> Void)? = nil
  ) -> any Executor {
    let stages = slurmStages(of: pipeline, runExecutor: options.executor)
    if stages.isEmpty { return local }
    let configuration = SlurmExecutor.Configuration(
      settings: pipeline.slurm,
      resources: Dictionary(
        pipeline.stages.map { ($0.name, $0.resources) }, uniquingKeysWith: { first, _ in first }),
      backoff: options.slurmPolling)
    let slurm = SlurmExecutor(configuration: configuration, stream: stream)
    return RoutingExecutor(local: local, slurm: slurm, slurmStages: stages)
  }

  /// The stages of `pipeline` that run under Slurm when the run's executor is `runExecutor`.
  public static func slurmStages(of pipeline: Pipeline, runExecutor: ExecutorKind) -> Set<String> {
    Set(pipeline.stages.filter { ($0.executor ?? runExecutor) == .slurm }.map(\.name))
  }
}
