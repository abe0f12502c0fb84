internal import FairflowCore
internal import FairflowStore

extension Runner {
  /// The result of running a stage's process and committing its outputs.
  enum Execution: Sendable {
    case succeeded(outs: [PathRecord], seconds: Double)
    case failed(reason: String)
    case interrupted
  }

  /// Runs stage `index` (called concurrently, off the scheduling loop).
  func execute(_ index: Int, log: String) async -> Execution {
    let stage = loaded.pipeline.stages[index]
    let root = loaded.workspace.root
    do {
      for output in stage.outputs {
        try store.ensureInside(output.path)
        if !output.persist {
          try FileIO.remove(root + "/" + output.path)
        }
        try FileIO.makeDirectories(FileIO.parent(of: root + "/" + output.path))
      }
      try FileIO.makeDirectories(FileIO.parent(of: log))
    } catch {
      return .failed(reason: "cannot prepare outputs: \(error)")
    }
    let arguments: [String]
    switch stage.action {
    case .command(let cmd): arguments = ["/bin/sh", "-c", cmd]
    case .builtin:
      arguments =
        [options.selfExecutable, "exec-stage", loaded.file, "--stage", stage.name]
        + options.overrides.flatMap { ["-p", $0] }
    }
    let environment =
      stage.env + [
        ("FAIRFLOW_STAGE", stage.name), ("FAIRFLOW_RUN", runID), ("FAIRFLOW_WORKSPACE", root),
      ]
    let job = Job(
      stage: stage.name, arguments: arguments, environment: environment, workingDirectory: root,
      logPath: log)
    let start = RunID.monotonic()
    let outcome = await executor.run(job)
    if isCancelled, !outcome.succeeded { return .interrupted }
    guard outcome.succeeded else { return .failed(reason: outcome.summary) }
    do {
      var outs: [PathRecord] = []
      for output in stage.outputs {
        guard FileIO.exists(root + "/" + output.path) else {
          return .failed(reason: "it did not create declared output '\(output.path)'")
        }
        if output.cache {
          outs.append(
            try store.ingest(output.path, statCache: observer.statCache, detached: output.persist))
        } else if let record = try observer.observe(output.path) {
          outs.append(record)
        }
        if output.isMetric {
          let text = try FileIO.readText(root + "/" + output.path)
          do { _ = try ValueParser.parse(text, file: output.path) } catch {
            return .failed(
              reason: "metrics file '\(output.path)' is not valid JSON: \(error.problem)")
          }
        }
      }
      return .succeeded(outs: outs, seconds: RunID.monotonic() - start)
    } catch {
      return .failed(reason: "cannot store outputs: \(error)")
    }
  }

  /// Applies an execution's result on the scheduling loop; returns whether it succeeded.
  func record(_ index: Int, _ execution: Execution) -> Bool {
    let stage = loaded.pipeline.stages[index]
    let log = loaded.workspace.display(
      logPath(for: stage.name))
    switch execution {
    case .succeeded(let outs, let seconds):
      let fingerprint = fingerprints[index]!
      if stage.isRestorable {
        do {
          try runCache.record(
            RunCache.Entry(fingerprint: fingerprint, stage: stage.name, run: runID, outs: outs))
        } catch {
          fail(index, failure(stage, reason: "cannot record run-cache entry: \(error)", log: log))
          return false
        }
      }
      updateLock(
        stage, fingerprint: fingerprint, deps: evaluatedDeps[index] ?? [], outs: outs, run: runID)
      for record in outs { observed[record.path] = record }
      results[index] = .executed(seconds: seconds)
      return true
    case .failed(let reason):
      fail(index, failure(stage, reason: reason, log: log))
      return false
    case .interrupted:
      results[index] = .interrupted
      return false
    }
  }
}
