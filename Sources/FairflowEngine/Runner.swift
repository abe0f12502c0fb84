public import FairflowCore
public import FairflowStore
internal import FairflowBase
internal import Synchronization

/// Drives one `fairflow run` once ``RunSession`` has planned it and claimed its stages: feeds
/// the `Scheduler` state machine, evaluates stages (up to date? restorable?), executes the rest
/// through an `Executor`, commits outputs to the `ObjectStore`, records `RunCache` entries and
/// the new lock entries.
///
/// Durability order per stage: objects (fsynced) → run-cache entry → the entry appended to the
/// run's ``RunJournal`` (O(that stage)). `pipelines/NAME.lock` is merged once, at the end, under
/// the pipeline's decision lock; a run killed before that loses nothing: the next run merges the
/// journal it left (and the run cache holds every finished stage besides).
public final class Runner: @unchecked Sendable {
  let loaded: LoadedPipeline
  let executor: any Executor
  let reporter: any RunReporter
  let options: RunOptions
  let store: ObjectStore
  let runCache: RunCache
  let observer: Observer
  let runID: String
  let recorder: (any RunRecorder)?
  /// Where this run's lock entries are appended as stages finish (nil: the run writes nothing
  /// until its end, e.g. a dry run or a run driven without a session).
  var journal: RunJournal?
  /// The pipeline's decision lock, held while the lock file is merged at the end.
  let claims: StageClaims
  private let cancelled = Atomic<Bool>(false)

  var lock: LockFile
  /// Each stage's result, by index (nil: not decided yet).
  var results: [StageResult?]
  var failures: [StageFailure] = []
  /// Dependency records and fingerprints computed during evaluation, used when recording.
  var evaluatedDeps: [Int: [PathRecord]] = [:]
  var fingerprints: [Int: Digest] = [:]
  /// Observations of stage-owned paths during this run, kept current as stages write them,
  /// so a path is hashed/stat'ed once even when many stages depend on it.
  var observed: [String: PathRecord?] = [:]
  var lockDirty = false
  /// Stages the plan found up to date (no upstream to run, fingerprint and outputs as recorded).
  var upToDate: Set<Int> = []
  /// Stages whose lock entries this run wrote: only those are merged into the file on disk.
  var touchedStages: Set<String> = []

  public init(
    loaded: LoadedPipeline, executor: any Executor, reporter: any RunReporter, options: RunOptions,
    statCache: StatCache, recorder: (any RunRecorder)? = nil
  ) {
    self.recorder = recorder
    self.loaded = loaded
    self.executor = executor
    self.reporter = reporter
    self.options = options
    let root = loaded.workspace.root
    self.store = ObjectStore(workspace: root)
    self.runCache = RunCache(workspace: root)
    self.observer = Observer(root: root, statCache: statCache)
    self.runID = RunID.make()
    self.lock = loaded.lock
    self.claims = StageClaims(workspace: root, pipeline: loaded.file)
    self.results = Array(repeating: nil, count: loaded.pipeline.stages.count)
  }

  /// Interrupts the run (SIGINT/SIGTERM): no new stage starts, running ones are terminated.
  public func cancel() {
    cancelled.store(true, ordering: .sequentiallyConsistent)
    Task { await executor.terminateAll() }
  }

  var isCancelled: Bool { cancelled.load(ordering: .sequentiallyConsistent) }

  enum Event: Sendable {
    case executed(Int, Execution)
  }

  /// Runs the selected stages. Without a `plan` (a runner driven directly), it plans first.
  public func run(_ plan: RunPlan? = nil) async throws -> RunSummary {
    let stages = loaded.pipeline.stages
    let plan = try plan ?? self.plan()
    let selected = plan.selected
    upToDate = plan.upToDate
    var scheduler = Scheduler(
      graph: loaded.graph, selected: selected, cpus: stages.map(\.resources.cpus),
      slots: options.jobs,
      keepGoing: options.keepGoing)
    var done = 0
    let total = selected.count
    recorder?.runStarted(run: runID, pipelineFile: loaded.file, stageCount: total)

    // Nothing to write: every selected stage is up to date, and nothing needs scheduling.
    if plan.writes.isEmpty, !isCancelled {
      for index in loaded.graph.order where selected.contains(index) {
        results[index] = .upToDate
        done += 1
        reporter.stageFinished(stages[index].name, result: .upToDate, done: done, total: total)
      }
      scheduler.cancel()
    }
    await withTaskGroup(of: Event.self) { group in
      // A FIFO of actions: appended at the end, consumed from `next` (no O(n) removeFirst).
      var pending = scheduler.start()
      var next = 0
      while true {
        while next < pending.count {
          let action = pending[next]
          next += 1
          if next == pending.count {
            pending.removeAll(keepingCapacity: true)
            next = 0
          }
          if isCancelled { scheduler.cancel() }
          switch action {
          case .evaluate(let index):
            if isCancelled {
              pending += scheduler.finished(index, succeeded: false)
              results[index] = .interrupted
              continue
            }
            if options.remote != nil { await prefetch(index) }
            let decision = evaluate(index)
            switch decision {
            case .done(let result):
              results[index] = result
              if case .restored(let from, _) = result { recordRestored(index, from: from) }
              done += 1
              reporter.stageFinished(stages[index].name, result: result, done: done, total: total)
              pending += scheduler.evaluated(index, needsExecution: false)
            case .execute(let deps, let fingerprint):
              evaluatedDeps[index] = deps
              fingerprints[index] = fingerprint
              pending += scheduler.evaluated(index, needsExecution: true)
            case .failed(let failure):
              fail(index, failure)
              done += 1
              reporter.stageFinished(
                stages[index].name, result: results[index]!, done: done, total: total)
              pending += scheduler.finished(index, succeeded: false)
            }
          case .execute(let index):
            for output in stages[index].outputs { observed[output.path] = nil }
            let log = logPath(for: stages[index].name)
            reporter.stageStarted(stages[index].name, log: loaded.workspace.display(log))
            recorder?.stageWillStart(stages[index])
            let fingerprint = fingerprints[index]!
            group.addTask {
              .executed(index, await self.execute(index, log: log, fingerprint: fingerprint))
            }
          }
        }
        if scheduler.isFinished { break }
        guard let event = await group.next() else { break }
        switch event {
        case .executed(let index, let execution):
          let succeeded = record(index, execution)
          done += 1
          reporter.stageFinished(
            stages[index].name, result: results[index]!, done: done, total: total)
          pending += scheduler.finished(index, succeeded: succeeded)
        }
        if isCancelled { scheduler.cancel() }
      }
    }
    try finishLock()
    try observer.statCache.save()
    for index in selected where results[index] == nil {
      results[index] = scheduler.states[index] == .skipped ? .skipped : .notStarted
    }
    let ordered = loaded.graph.order.filter(selected.contains).map {
      (stage: stages[$0].name, result: results[$0]!)
    }
    var summary = RunSummary(
      run: runID, results: ordered, failures: failures, interrupted: isCancelled)
    do { try recorder?.runFinished(summary) } catch {
      summary.recordingError = "provenance of run \(runID) was not recorded: \(error)"
    }
    return summary
  }

  /// A restored stage's record: its outputs as the lock entry now holds them.
  func recordRestored(_ index: Int, from run: String) {
    guard let recorder else { return }
    let stage = loaded.pipeline.stages[index]
    guard let entry = lock.entries[stage.name] else { return }
    let now = RunID.timestamp(milliseconds: true)
    recorder.record(
      StageRecord(
        stage: stage, outcome: .restored(from: run), exitStatus: nil, deps: entry.deps,
        outs: entry.outs, origins: [:], started: now, ended: now, seconds: 0,
        fingerprint: entry.fingerprint))
  }

  /// `cache/logs/RUN/STAGE.log`; matrix values may contain '/', which must not make directories.
  func logPath(for stage: String) -> String {
    let safe = String(stage.map { $0 == "/" || $0 == "\0" ? "%" : $0 })
    return loaded.workspace.logDirectory(run: runID) + "/" + safe + ".log"
  }

  func fail(_ index: Int, _ failure: StageFailure) {
    failures.append(failure)
    results[index] = .failed(failure.reason)
  }

  // MARK: - Lock file

  /// Records a stage's new lock entry: in memory, and appended to the run's journal.
  func setLockEntry(_ entry: LockEntry) {
    lock.entries[entry.stage] = entry
    touchedStages.insert(entry.stage)
    lockDirty = true
    do { try journal?.append(entry) } catch {
      // The entry still reaches the lock file at the end; only a crash before then loses it
      // (and the run cache still restores the stage).
      reporter.note("warning: cannot journal the lock entry of stage '\(entry.stage)': \(error)")
    }
  }

  /// Merges this run's entries into the lock file as it is on disk now (another run may have
  /// written entries of other stages meanwhile), once, under the decision lock; then removes
  /// the journal. When the lock file cannot be written the journal is left for the next run.
  func finishLock() throws {
    guard lockDirty || journal != nil else { return }
    try claims.lockDecision()
    defer { claims.unlockDecision() }
    if lockDirty {
      let names = options.targets.isEmpty ? Set(loaded.pipeline.stages.map(\.name)) : nil
      do {
        lock = try loaded.writeMerging(lock, stages: touchedStages, keepOnly: names)
      } catch {
        journal?.abandon()
        journal = nil
        throw error
      }
      lockDirty = false
    }
    journal?.finish()
    journal = nil
  }
}
