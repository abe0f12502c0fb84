internal import FairflowBase
internal import FairflowCore
internal import FairflowStore

/// What a run will do, decided before it claims anything: the selected stages, those already up
/// to date, those it may write (execute or restore) and the up-to-date ones it reads.
public struct RunPlan: Sendable {
  /// The targets and everything upstream of them.
  public var selected: Set<Int>
  /// Selected stages whose fingerprint and outputs match their lock entry and whose upstream is
  /// up to date too: the run neither evaluates them again nor claims them.
  public var upToDate: Set<Int>
  /// Selected stages that may execute or be restored, in topological order.
  public var writes: [Int]
  /// Up-to-date stages with a downstream stage in `writes`: their outputs are read.
  public var reads: [Int]
}

extension Runner {
  enum Decision {
    case upToDate
    /// Outputs recorded in the lock entry that are missing or modified, all restorable.
    case restoreModified([PathRecord], run: String)
    /// A run-cache entry made by an earlier run (any branch) with this fingerprint.
    case restoreFromRunCache(RunCache.Entry, deps: [PathRecord], fingerprint: Digest)
    /// Must run; `modified` are recorded outputs that changed (quarantined if stored objects).
    case execute(deps: [PathRecord], fingerprint: Digest, modified: [PathRecord])
    case failed(StageFailure)
  }

  /// Decides, before anything is claimed, which selected stages are up to date. A stage is up
  /// to date when no upstream stage may change and its fingerprint and outputs match its lock
  /// entry; everything else may be written. Reads the disk (through the stat cache), writes
  /// nothing.
  public func plan() throws -> RunPlan {
    let stages = loaded.pipeline.stages
    let targets =
      options.targets.isEmpty
      ? Array(stages.indices) : try loaded.stageIndices(named: options.targets)
    let selected = loaded.graph.closure(of: targets)
    var upToDate = Set<Int>(minimumCapacity: selected.count)
    observed.reserveCapacity(observed.count + selected.count)
    var writes: [Int] = []
    var dirty = [Bool](repeating: false, count: stages.count)
    for index in loaded.graph.order where selected.contains(index) {
      if loaded.graph.upstream[index].contains(where: { dirty[$0] })
        || !isUpToDate(index)
      {
        dirty[index] = true
        writes.append(index)
      } else {
        upToDate.insert(index)
      }
    }
    var reads = Set<Int>()
    for index in writes {
      for up in loaded.graph.upstream[index] where !dirty[up] { reads.insert(up) }
    }
    return RunPlan(
      selected: selected, upToDate: upToDate, writes: writes, reads: reads.sorted())
  }

  /// A stage's inputs as they are now: its dependency records and the fingerprint they give.
  enum Inputs {
    case present(deps: [PathRecord], fingerprint: Digest)
    /// The first dependency that does not exist.
    case missing(String)
  }

  func inputs(_ stage: Stage) throws(StoreError) -> Inputs {
    var deps: [PathRecord] = []
    deps.reserveCapacity(stage.deps.count)
    var digests: [String: Digest] = [:]
    for dep in stage.deps {
      guard let record = try observe(dep) else { return .missing(dep) }
      deps.append(record)
      if digests[dep] == nil { digests[dep] = record.digest }
    }
    return .present(deps: deps, fingerprint: Fingerprint.of(stage, dependencyDigests: digests))
  }

  /// The outputs recorded in `entry` that are missing or no longer have their recorded digest.
  func modifiedOutputs(_ entry: LockEntry) throws(StoreError) -> [PathRecord] {
    var modified: [PathRecord] = []
    for record in entry.outs where try observe(record.path)?.digest != record.digest {
      modified.append(record)
    }
    return modified
  }

  /// True when the stage's fingerprint and outputs match its lock entry (its upstream aside):
  /// what ``decide(_:)`` calls `.upToDate`, without looking further when it is not.
  func isUpToDate(_ index: Int) -> Bool {
    let stage = loaded.pipeline.stages[index]
    guard !options.force, !stage.alwaysRun, let entry = lock.entries[stage.name],
      entry.outs.count == stage.outputs.count,
      case .present(_, let fingerprint)? = try? inputs(stage), fingerprint == entry.fingerprint,
      let modified = try? modifiedOutputs(entry)
    else { return false }  // evaluation reports errors
    return modified.isEmpty
  }

  /// Decides what stage `index` needs, cheapest first — hash dependencies, compare the
  /// fingerprint with the lock entry and outputs with their records, then try the run cache —
  /// without changing anything (a dry run shows exactly this decision).
  func decide(_ index: Int) -> Decision {
    let stage = loaded.pipeline.stages[index]
    let deps: [PathRecord], fingerprint: Digest
    do {
      switch try inputs(stage) {
      case .present(let records, let digest):
        (deps, fingerprint) = (records, digest)
      case .missing(let dep):
        let producer = loaded.graph.owners[dep].map {
          " (produced by stage '\(loaded.pipeline.stages[$0].name)', which did not run)"
        }
        return .failed(
          failure(stage, reason: "dependency '\(dep)' does not exist" + (producer ?? "")))
      }
    } catch {
      return .failed(failure(stage, reason: "\(error)"))
    }
    if options.force || stage.alwaysRun {
      return .execute(deps: deps, fingerprint: fingerprint, modified: [])
    }
    do {
      if let entry = lock.entries[stage.name], entry.fingerprint == fingerprint {
        let stale = try modifiedOutputs(entry)
        if stale.isEmpty, entry.outs.count == stage.outputs.count { return .upToDate }
        let cached = Set(stage.outputs.filter { $0.cache && !$0.persist }.map(\.path))
        if entry.outs.count == stage.outputs.count,
          stale.allSatisfy({
            cached.contains($0.path) && store.canRestore($0)
              && store.modifiedInPlace($0, statCache: observer.statCache).isEmpty
          })
        {
          return .restoreModified(stale, run: entry.run)
        }
        return .execute(deps: deps, fingerprint: fingerprint, modified: stale)
      }
      if stage.isRestorable, let cachedRun = runCache.entry(for: fingerprint),
        Set(cachedRun.outs.map(\.path)) == Set(stage.outputs.map(\.path)),
        cachedRun.outs.allSatisfy(store.canRestore)
      {
        return .restoreFromRunCache(cachedRun, deps: deps, fingerprint: fingerprint)
      }
    } catch {
      return .failed(failure(stage, reason: "\(error)"))
    }
    return .execute(deps: deps, fingerprint: fingerprint, modified: [])
  }

  /// What the scheduling loop does with a stage that became ready.
  enum Evaluation {
    case done(StageResult)
    /// Must run; the dependency records and fingerprint are kept for recording its result.
    case execute(deps: [PathRecord], fingerprint: Digest)
    case failed(StageFailure)
  }

  /// Decides stage `index` and carries the decision out (restores, quarantine, lock entry).
  func evaluate(_ index: Int) -> Evaluation {
    if upToDate.contains(index) { return .done(.upToDate) }
    let stage = loaded.pipeline.stages[index]
    switch decide(index) {
    case .upToDate:
      return .done(.upToDate)
    case .failed(let failure):
      return .failed(failure)
    case .restoreModified(let stale, let run):
      do {
        for record in stale {
          try store.restore(record, statCache: observer.statCache)
          observed[record.path] = record
        }
      } catch {
        return .failed(failure(stage, reason: "\(error)"))
      }
      return .done(.restored(run: run, fromRunCache: false))
    case .restoreFromRunCache(let cachedRun, let deps, let fingerprint):
      do {
        for record in cachedRun.outs {
          try store.restore(record, statCache: observer.statCache)
          observed[record.path] = record
        }
      } catch {
        return .failed(failure(stage, reason: "\(error)"))
      }
      updateLock(
        stage, fingerprint: fingerprint, deps: deps, outs: cachedRun.outs, run: cachedRun.run)
      return .done(.restored(run: cachedRun.run, fromRunCache: true))
    case .execute(let deps, let fingerprint, let modified):
      quarantine(modified)
      return .execute(deps: deps, fingerprint: fingerprint)
    }
  }

  /// Moves stored objects that were modified in place through a hard link out of the store.
  func quarantine(_ records: [PathRecord]) {
    for record in records {
      for digest in store.quarantineModified(record, statCache: observer.statCache) {
        reporter.note(
          "warning: stored object \(digest.short) of '\(record.path)' was modified in place through a hard link; moved to cache/quarantine/ and the stage will rerun"
        )
      }
    }
  }

  /// Observes a path, memoising paths that a stage owns (only their stage writes them).
  func observe(_ path: String) throws(StoreError) -> PathRecord? {
    guard loaded.graph.owners[path] != nil else { return try observer.observe(path) }
    if let known = observed[path] { return known }
    let record = try observer.observe(path)
    observed[path] = record
    return record
  }

  func failure(_ stage: Stage, reason: String, log: String? = nil) -> StageFailure {
    var failure = StageFailure(
      stage: stage.name, command: stage.recordedCommand, reason: reason, log: log)
    if let log { failure.logTail = StageFailure.tail(of: loaded.workspace.root + "/" + log) }
    return failure
  }

  /// Records a new lock entry for a stage whose outputs are now `outs`.
  func updateLock(
    _ stage: Stage, fingerprint: Digest, deps: [PathRecord], outs: [PathRecord], run: String
  ) {
    var metrics: [(path: String, value: Value)] = []
    for output in stage.outputs where output.isMetric {
      if let text = try? FileIO.readText(loaded.workspace.root + "/" + output.path),
        let value = try? ValueParser.parse(text, file: output.path)
      {
        metrics.append((output.path, value))
      }
    }
    setLockEntry(
      LockEntry(
        stage: stage.name, fingerprint: fingerprint,
        command: stage.recordedCommand,
        params: Redactor.params(stage.params), env: Redactor.env(stage.env),
        deps: deps, outs: outs, metrics: metrics, run: run))
  }
}
