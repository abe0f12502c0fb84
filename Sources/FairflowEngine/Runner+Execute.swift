internal import FairflowBase
internal import FairflowCore
internal import FairflowStore

extension Runner {
  /// The result of running a stage's process and committing its outputs.
  enum Execution: Sendable {
    case succeeded(outs: [PathRecord], origins: [String: Value], times: Times)
    case failed(reason: String, exitStatus: Int32?, times: Times)
    case interrupted
  }

  /// Wall-clock start and end (RFC 3339) and the monotonic duration of an execution.
  struct Times: Sendable {
    var started: String
    var ended: String
    var seconds: Double
  }

  /// Runs stage `index` (called concurrently, off the scheduling loop): prepares its outputs,
  /// runs its process, stores its outputs and records its run-cache entry. Storing (hashing,
  /// syncing) runs on a thread of its own (``BlockingThread``), not on the cooperative pool the
  /// scheduling loop needs; preparing is a few quick system calls.
  func execute(_ index: Int, log: String, fingerprint: Digest) async -> Execution {
    if let failure = prepare(index, log: log) { return failure }
    guard let job = self.job(index, log: log) else {
      let now = RunID.timestamp(milliseconds: true)
      var kind = "?"
      if case .builtin(let name, _, _) = loaded.pipeline.stages[index].action { kind = name }
      return .failed(
        reason: "no program to run built-in stages ('uses: \(kind)') was given to the engine",
        exitStatus: nil, times: Times(started: now, ended: now, seconds: 0))
    }
    let started = RunID.timestamp(milliseconds: true)
    let start = MonotonicClock.now()
    let outcome = await executor.run(job)
    let times = Times(
      started: started, ended: RunID.timestamp(milliseconds: true),
      seconds: MonotonicClock.now() - start)
    if isCancelled, !outcome.succeeded { return .interrupted }
    guard outcome.succeeded else {
      return .failed(reason: outcome.summary, exitStatus: outcome.exitStatus, times: times)
    }
    return await BlockingThread.run { self.store(index, times: times, fingerprint: fingerprint) }
  }

  /// Removes non-persistent outputs and makes the directories of outputs and log; a failure
  /// when something is in the way.
  func prepare(_ index: Int, log: String) -> Execution? {
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
      let now = RunID.timestamp(milliseconds: true)
      return .failed(
        reason: "cannot prepare outputs: \(error)", exitStatus: nil,
        times: Times(started: now, ended: now, seconds: 0))
    }
    try? FileIO.remove(originsPath(for: stage.name))
    return nil
  }

  /// The process of stage `index`: its command, or the injected launcher's for a built-in
  /// kind (nil when there is no launcher).
  func job(_ index: Int, log: String) -> Job? {
    let stage = loaded.pipeline.stages[index]
    let root = loaded.workspace.root
    let arguments: [String]
    switch stage.action {
    case .command(let cmd): arguments = ["/bin/sh", "-c", cmd]
    case .builtin:
      guard
        let launch = options.builtinLauncher.arguments(loaded.file, stage.name, options.overrides)
      else { return nil }
      arguments = launch
    }
    let environment =
      stage.env + [
        ("FAIRFLOW_STAGE", stage.name), ("FAIRFLOW_RUN", runID), ("FAIRFLOW_WORKSPACE", root),
        ("FAIRFLOW_ORIGINS", originsPath(for: stage.name)),
        ("FAIRFLOW_PROGRESS", Self.progressPath(log: log)),
      ]
    return Job(
      stage: stage.name, arguments: arguments, environment: environment, workingDirectory: root,
      logPath: log)
  }

  /// After a successful process: checks and stores the declared outputs, reads the origins
  /// file, and records the run-cache entry (objects first, then the entry that names them).
  func store(_ index: Int, times: Times, fingerprint: Digest) -> Execution {
    let stage = loaded.pipeline.stages[index]
    let root = loaded.workspace.root
    func failed(_ reason: String) -> Execution {
      .failed(reason: reason, exitStatus: 0, times: times)
    }
    do {
      var outs: [PathRecord] = []
      for output in stage.outputs {
        guard FileIO.exists(root + "/" + output.path) else {
          return failed("it did not create declared output '\(output.path)'")
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
            return failed("metrics file '\(output.path)' is not valid JSON: \(error.problem)")
          }
        }
      }
      let origins: [String: Value]
      do { origins = try readOrigins(originsPath(for: stage.name), stage: stage) } catch {
        return failed(error.problem)
      }
      if stage.isRestorable {
        do {
          try runCache.record(
            RunCache.Entry(fingerprint: fingerprint, stage: stage.name, run: runID, outs: outs))
        } catch {
          return failed("cannot record run-cache entry: \(error)")
        }
      }
      return .succeeded(outs: outs, origins: origins, times: times)
    } catch {
      return failed("cannot store outputs: \(error)")
    }
  }

  /// `cache/logs/RUN/STAGE.progress` (beside the log `log`): where a stage writes its progress
  /// line (`StageProgress`); reporters read it while the stage runs.
  public static func progressPath(log: String) -> String {
    (log.hasSuffix(".log") ? String(log.dropLast(".log".count)) : log) + ".progress"
  }

  /// `cache/logs/RUN/STAGE.origins.json` (beside the log, whose directory exists by then):
  /// where a stage may say where its outputs came from.
  func originsPath(for stage: String) -> String {
    String(logPath(for: stage).dropLast(".log".count)) + ".origins.json"
  }

  /// Reads (and removes) a stage's origins file: a JSON object mapping declared output paths to
  /// `{"doi": …, "url": …, "checksum": …, "retrieved": …}` objects.
  func readOrigins(_ file: String, stage: Stage) throws(PipelineError) -> [String: Value] {
    guard FileIO.exists(file) else { return [:] }
    defer { try? FileIO.remove(file) }
    let display = "$FAIRFLOW_ORIGINS (\(loaded.workspace.display(file)))"
    let text: String
    do { text = try FileIO.readText(file) } catch {
      throw PipelineError("cannot read \(display): \(error)")
    }
    let value = try ValueParser.parse(text, file: display)
    guard case .map(let pairs) = value else {
      throw PipelineError("\(display) must be a JSON object of output path → origin")
    }
    let declared = Set(stage.outputs.map(\.path))
    var origins: [String: Value] = [:]
    for (path, origin) in pairs {
      let normalised = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
      guard declared.contains(normalised) else {
        throw PipelineError("\(display) names '\(path)', which is not a declared output")
      }
      guard case .map = origin,
        origin["doi"]?.stringValue != nil || origin["url"]?.stringValue != nil
      else {
        throw PipelineError("\(display): the origin of '\(path)' needs a \"doi\" or \"url\" string")
      }
      origins[normalised] = origin
    }
    return origins
  }

  /// Applies an execution's result on the scheduling loop; returns whether it succeeded.
  func record(_ index: Int, _ execution: Execution) -> Bool {
    let stage = loaded.pipeline.stages[index]
    let log = loaded.workspace.display(
      logPath(for: stage.name))
    switch execution {
    case .succeeded(let outs, let origins, let times):
      let fingerprint = fingerprints[index]!
      updateLock(
        stage, fingerprint: fingerprint, deps: evaluatedDeps[index] ?? [], outs: outs, run: runID)
      for record in outs { observed[record.path] = record }
      results[index] = .executed(seconds: times.seconds)
      recorder?.record(
        StageRecord(
          stage: stage, outcome: .executed, exitStatus: 0, deps: evaluatedDeps[index] ?? [],
          outs: outs, origins: origins, started: times.started, ended: times.ended,
          seconds: times.seconds, fingerprint: fingerprint,
          executor: executor.provenance(ofStage: stage.name)))
      return true
    case .failed(let reason, let exitStatus, let times):
      fail(index, failure(stage, reason: reason, log: log))
      recorder?.record(
        StageRecord(
          stage: stage, outcome: .failed(reason: reason), exitStatus: exitStatus,
          deps: evaluatedDeps[index] ?? [], outs: [], origins: [:], started: times.started,
          ended: times.ended, seconds: times.seconds, fingerprint: fingerprints[index],
          executor: executor.provenance(ofStage: stage.name)))
      return false
    case .interrupted:
      results[index] = .interrupted
      return false
    }
  }
}
