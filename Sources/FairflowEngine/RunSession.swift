public import FairflowCore
public import FairflowStore

/// One `fairflow run`, exactly as the command line does it (and as tests drive it): load the
/// pipeline, share the workspace lock, stop stage processes a killed run left behind, remove
/// its temporaries, plan, claim the stages it will write, run them, merge the lock file.
///
/// Planning and claiming (see ``StageClaims``):
/// 1. plan without any lock: which selected stages are up to date, which it may write, which
///    up-to-date ones it reads (``Runner/plan()``);
/// 2. under the pipeline's decision lock: recover the journals of dead runs, check that the lock
///    file is still the one planned against, and that no live run writes a selected stage or
///    reads one this run writes; then register the claim (only when something will be written);
/// 3. on a conflict: release the decision lock, wait for that run to end (blocking on its
///    journal's lock, or exit 3 with `wait` false), and plan again.
/// A run with nothing to do takes no per-stage lock and writes nothing.
public final class RunSession: @unchecked Sendable {
  public let workspace: Workspace
  public let pipelineFile: String
  public let options: RunOptions
  let registry: StageKindRegistry
  let statCache: StatCache
  let reporter: any RunReporter
  let recorder: (any RunRecorder)?
  let executor: (any Executor)?
  let stream: (@Sendable (String, String) -> Void)?
  /// Messages about other runs (waiting, locks taken over, stopped orphans): stderr in the CLI.
  let notify: @Sendable (String) -> Void
  private var runner: Runner?
  private var cancelled = false

  /// - Parameters:
  ///   - executor: where stages run; by default a ``LocalExecutor`` that registers its process
  ///     groups in `cache/running/`, routed with Slurm as the pipeline and options say.
  ///   - stream: receives each line of stage output (`-v`).
  ///   - notify: messages about other runs; the reporter's notes by default.
  public init(
    workspace: Workspace, pipelineFile: String, options: RunOptions,
    registry: StageKindRegistry = StageKindRegistry(), reporter: any RunReporter,
    recorder: (any RunRecorder)? = nil, executor: (any Executor)? = nil,
    stream: (@Sendable (String, String) -> Void)? = nil, statCache: StatCache? = nil,
    notify: (@Sendable (String) -> Void)? = nil
  ) {
    self.notify = notify ?? { reporter.note($0) }
    self.workspace = workspace
    self.pipelineFile = pipelineFile
    self.options = options
    self.registry = registry
    self.reporter = reporter
    self.recorder = recorder
    self.executor = executor
    self.stream = stream
    self.statCache = statCache ?? StatCache(file: workspace.statCacheFile)
  }

  public func load() throws -> LoadedPipeline {
    try LoadedPipeline.load(
      pipelineFile, in: workspace, overrides: options.overrides, registry: registry,
      statCache: statCache)
  }

  /// Interrupts the run (SIGINT/SIGTERM): no new stage starts, running ones are terminated.
  public func cancel() {
    cancelled = true
    runner?.cancel()
  }

  /// Runs the pipeline; `whenStarted` is called once the stages are claimed and the run is
  /// about to start them (the command line installs its signal handlers there).
  public func run(whenStarted: () -> Void = {}) async throws -> RunSummary {
    var loaded = try load()
    let root = workspace.root
    let lock = WorkspaceLock(workspace: root)
    try lock.acquire(wait: options.wait, startedAt: RunID.timestamp(), shared: true) { holder in
      notify(
        "waiting for the workspace lock held by \(holder.map(String.init(describing:)) ?? "cache gc")..."
      )
    }
    defer { lock.release() }
    let processes = StageProcessRegistry(workspace: root)
    defer { processes.close() }
    for orphan in processes.reapOrphans() {
      notify(
        "note: stopped stage '\(orphan.stage)' (process group \(orphan.pid)) left running by a killed run"
      )
    }
    for directory in ["pipelines"] + CacheLayout.runDirectories {
      FileIO.removeStaleTemporaries(in: root + "/" + directory, suffix: ".tmp")
    }
    ObjectStore(workspace: root).cleanTemporaries()

    let stageExecutor =
      executor
      ?? RoutingExecutor.make(
        for: loaded.pipeline, options: options,
        local: LocalExecutor(registry: processes, stream: stream), stream: stream)
    var announced = false
    while true {
      let runner = makeRunner(loaded, executor: stageExecutor)
      let plan = try runner.plan()
      switch try claim(plan, runner: runner) {
      case .claimed(let journal):
        runner.journal = journal
        self.runner = runner
        if cancelled { runner.cancel() }
        whenStarted()
        return try await runner.run(plan)
      case .changed:
        break
      case .conflict(let stage, let holder):
        guard options.wait else {
          throw StageClaims.Locked(stage: stage, holder: holder.contents.claim?.holder)
        }
        if !announced {
          announced = true
          notify(
            "waiting for stage '\(stage)', being run by \(holder.contents.claim.map { String(describing: $0.holder) } ?? "another fairflow run")..."
          )
        }
        StageClaims.waitForEnd(of: holder)
      }
      // The lock file (and maybe the files) changed: load and plan again.
      loaded = try load()
    }
  }
  func makeRunner(_ loaded: LoadedPipeline, executor: any Executor) -> Runner {
    Runner(
      loaded: loaded, executor: executor, reporter: reporter, options: options,
      statCache: statCache, recorder: recorder)
  }

  enum ClaimOutcome {
    case claimed(RunJournal?)
    /// The lock file changed since it was loaded (another run finished, or a dead run's
    /// journal was merged): plan again.
    case changed
    case conflict(stage: String, holder: StageClaims.Journal)
  }

  /// Step 2 of planning, under the decision lock.
  func claim(_ plan: RunPlan, runner: Runner) throws -> ClaimOutcome {
    let loaded = runner.loaded
    let claims = runner.claims
    try claims.lockDecision()
    defer { claims.unlockDecision() }
    let (live, orphaned) = claims.scan()
    if !orphaned.isEmpty {
      try recover(orphaned, loaded: loaded, claims: claims)
      return .changed
    }
    if try loaded.lockFileChanged(statCache: statCache) { return .changed }
    let stages = loaded.pipeline.stages
    if !live.isEmpty {
      let selected = Set(plan.selected.map { stages[$0].name })
      let writes = Set(plan.writes.map { stages[$0].name })
      for journal in live {
        guard let claim = journal.contents.claim else { continue }
        // Name a stage the other run has not finished yet when there is one.
        let finished = journal.contents.finished
        let overlap = claim.writes.filter(selected.contains) + claim.reads.filter(writes.contains)
        if let stage = overlap.first(where: { !finished.contains($0) }) ?? overlap.first {
          return .conflict(stage: stage, holder: journal)
        }
      }
    }
    guard !plan.writes.isEmpty else { return .claimed(nil) }
    let claim = RunJournal.Claim(
      run: runner.runID,
      holder: WorkspaceLock.Holder(
        pid: WorkspaceLock.Holder.currentProcess, host: FileIO.hostname(),
        started: RunID.timestamp()),
      writes: plan.writes.map { stages[$0].name }, reads: plan.reads.map { stages[$0].name })
    return .claimed(try claims.register(claim))
  }

  /// Merges the entries that dead runs journaled into the lock file, and says whose stages were
  /// taken over.
  func recover(_ journals: [StageClaims.Journal], loaded: LoadedPipeline, claims: StageClaims)
    throws
  {
    var recovered = LockFile()
    for journal in journals {
      for entry in journal.contents.entries { recovered.entries[entry.stage] = entry }
      guard let claim = journal.contents.claim else { continue }
      let kept = journal.contents.entries.count
      let keptText = "\(kept) lock entr\(kept == 1 ? "y" : "ies")"
      // The stages whose work the dead run did not finish (or never started).
      let finished = journal.contents.finished
      let unfinished = claim.writes.filter { !finished.contains($0) }
      if unfinished.isEmpty {
        if kept > 0 {
          notify(
            "note: merged the \(keptText) recorded by \(claim.holder) (that process is gone)")
        }
        continue
      }
      let which =
        unfinished.count == 1
        ? "the lock of stage '\(unfinished[0])'"
        : "the locks of \(unfinished.count) stages ("
          + unfinished.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
          + (unfinished.count > 3 ? ", …)" : ")")
      notify(
        "note: took over \(which) left by \(claim.holder) (that process is gone)"
          + (kept > 0 ? "; merged the \(keptText) it recorded" : ""))
    }
    if !recovered.entries.isEmpty {
      try loaded.writeMerging(recovered, stages: Set(recovered.entries.keys), keepOnly: nil)
    }
    for journal in journals { claims.discard(journal) }
  }
}
