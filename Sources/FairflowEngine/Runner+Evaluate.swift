internal import FairflowCore
internal import FairflowStore

extension Runner {
  enum Decision {
    case done(StageResult)
    /// Must run; the dependency records and fingerprint are kept for recording its result.
    case execute(deps: [PathRecord], fingerprint: Digest)
    case failed(StageFailure)
  }

  /// Decides whether stage `index` must run: cheapest first — hash dependencies, compare the
  /// fingerprint with the lock entry and outputs with their records, then try the run cache.
  func evaluate(_ index: Int) -> Decision {
    let stage = loaded.pipeline.stages[index]
    var deps: [PathRecord] = []
    do {
      for dep in stage.deps {
        guard let record = try observe(dep) else {
          let producer = loaded.graph.owners[dep].map {
            " (produced by stage '\(loaded.pipeline.stages[$0].name)', which did not run)"
          }
          return .failed(
            failure(stage, reason: "dependency '\(dep)' does not exist" + (producer ?? "")))
        }
        deps.append(record)
      }
    } catch {
      return .failed(failure(stage, reason: "\(error)"))
    }
    let digests = Dictionary(deps.map { ($0.path, $0.digest) }, uniquingKeysWith: { a, _ in a })
    let fingerprint = Fingerprint.of(stage, dependencyDigests: digests)
    if options.force || stage.alwaysRun { return .execute(deps: deps, fingerprint: fingerprint) }

    do {
      if let entry = lock.entries[stage.name], entry.fingerprint == fingerprint {
        var stale: [PathRecord] = []
        for record in entry.outs {
          let current = try observe(record.path)
          if current?.digest != record.digest { stale.append(record) }
        }
        if stale.isEmpty, entry.outs.count == stage.outputs.count { return .done(.upToDate) }
        for record in stale {
          for digest in store.quarantineModified(record, statCache: observer.statCache) {
            reporter.note(
              "warning: stored object \(digest.short) of '\(record.path)' was modified in place through a hard link; moved to cache/quarantine/ and the stage will rerun"
            )
          }
        }
        let cached = Set(stage.outputs.filter { $0.cache && !$0.persist }.map(\.path))
        if entry.outs.count == stage.outputs.count,
          stale.allSatisfy({ cached.contains($0.path) && store.canRestore($0) })
        {
          for record in stale {
            try store.restore(record, statCache: observer.statCache)
            observed[record.path] = record
          }
          return .done(.restored(run: entry.run, fromRunCache: false))
        }
        return .execute(deps: deps, fingerprint: fingerprint)
      }
      if stage.isRestorable, let cachedRun = runCache.entry(for: fingerprint),
        Set(cachedRun.outs.map(\.path)) == Set(stage.outputs.map(\.path)),
        cachedRun.outs.allSatisfy(store.canRestore)
      {
        for record in cachedRun.outs {
          try store.restore(record, statCache: observer.statCache)
          observed[record.path] = record
        }
        updateLock(
          stage, fingerprint: fingerprint, deps: deps, outs: cachedRun.outs, run: cachedRun.run)
        return .done(.restored(run: cachedRun.run, fromRunCache: true))
      }
    } catch {
      return .failed(failure(stage, reason: "\(error)"))
    }
    return .execute(deps: deps, fingerprint: fingerprint)
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
    lock.entries[stage.name] = LockEntry(
      stage: stage.name, fingerprint: fingerprint,
      command: stage.recordedCommand,
      params: Redactor.params(stage.params), env: Redactor.env(stage.env),
      deps: deps, outs: outs, metrics: metrics, run: run)
    touchedStages.insert(stage.name)
    lockDirty = true
  }
}
