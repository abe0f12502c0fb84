internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowRemote
internal import FairflowStages
internal import FAIRStages
internal import FairflowStore
internal import Foundation

/// Options push and pull share.
struct TransferOptions: ParsableArguments {
  @Argument(
    help:
      "Pipeline file, or NAME for pipelines/NAME.yaml (default: every pipeline with a lock file).")
  var pipeline: String?

  @Option(
    name: .customLong("stage"),
    help:
      "Only this stage and what it depends on (repeatable; needs the pipeline when there are several)."
  )
  var stages: [String] = []

  @Option(name: .shortAndLong, help: "The remote (default: fairflow.yaml's default-remote).")
  var remote: String?

  @Option(
    name: [.short, .customLong("jobs")],
    help: "Parallel transfers (default: the remote's jobs, else 8).")
  var jobs: Int?

  @Flag(help: "Print the result as JSON.") var json = false

  func validate() throws {
    if let jobs, !WorkspaceConfig.jobsRange.contains(jobs) {
      throw ValidationError("-j must be between 1 and 256")
    }
  }
}

/// The lock entries a push or pull moves, and the outputs that never travel (uncached or
/// persistent ones are not in the object store).
struct LockSelection {
  var entries: [LockEntry] = []
  var skipping: Set<String> = []
  var pipelines: [String] = []

  static func select(_ options: TransferOptions, workspace: Workspace) throws -> LockSelection {
    var files: [String]
    if let name = options.pipeline {
      files = [try workspace.pipelineFile(name)]
    } else if !options.stages.isEmpty {
      files = [try workspace.pipelineFile(nil)]
    } else {
      files = workspace.availablePipelines().map { "\(workspace.root)/pipelines/\($0).yaml" }
        .filter { FileIO.exists(workspace.lockFile(for: $0)) }
    }
    var selection = LockSelection()
    let statCache = StatCache(file: workspace.statCacheFile)
    for file in files {
      let loaded = try LoadedPipeline.load(
        file, in: workspace, overrides: [], registry: BuiltinStages.registry, statCache: statCache)
      CommandContext.retained.append(loaded)
      let stages = loaded.pipeline.stages
      var names = Set(loaded.lock.entries.keys)
      if !options.stages.isEmpty {
        let closure = loaded.graph.closure(of: try loaded.stageIndices(named: options.stages))
        names = names.intersection(closure.map { stages[$0].name })
      }
      for stage in stages {
        for output in stage.outputs where !output.cache || output.persist {
          selection.skipping.insert(output.path)
        }
      }
      selection.entries += names.sorted().compactMap { loaded.lock.entries[$0] }
      selection.pipelines.append(workspace.display(file))
    }
    return selection
  }
}

/// Runs a transfer with Ctrl-C cancelling it (exit 130; nothing partial is left at a final name).
func cancellable<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
  let task = Task { try await work() }
  let signals = SignalHandler { task.cancel() }
  defer { signals.stop() }
  do {
    return try await task.value
  } catch is CancellationError {
    throw ExitCode(ExitStatus.interrupted.code)
  }
}

func printReport(_ report: TransferReport, json: Bool, remote: Remote) {
  if json {
    print(report.json.canonicalText)
  } else {
    let verb = report.direction == .push ? "pushed" : "pulled"
    let other = report.direction == .push ? "already on the remote" : "already here"
    print(
      "\(verb) \(report.transferred) of \(report.objects) objects (\(FetchSession.byteCount(Int64(report.bytes)))) "
        + "and \(report.runEntriesTransferred) run-cache entries \(report.direction == .push ? "to" : "from") "
        + "\(remote.storage.display) in \(String(format: "%.2f", report.seconds)) s; "
        + "\(report.present) objects \(other)")
    if report.direction == .pull {
      print("checked out \(report.checkedOut) outputs; \(report.inPlace) already in place")
    }
  }
  let missing = report.direction == .push ? "not pushed" : "not pulled"
  for item in report.unavailable { Console.standardError("\(missing): \(item)\n") }
  for item in report.notCheckedOut { Console.standardError("not checked out: \(item)\n") }
  for failure in report.failures { Console.standardError("error: \(failure)\n") }
}

/// `fairflow push`: upload what the lock files name to a remote.
struct Push: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "push",
    abstract: "Upload the outputs and run-cache entries behind the lock files to a remote.",
    discussion: """
      Content-addressed: objects the remote has are skipped, so an interrupted push resumes \
      where it stopped. Objects go first, run-cache entries last. Provenance travels with git: \
      git push origin refs/fairflow/provenance (docs/remotes.md). Exit 1 when an object could \
      not be sent or is missing from this workspace's cache.
      """)

  @OptionGroup var options: TransferOptions

  func run() async throws {
    let workspace = CommandContext.workspace()
    let selection = try LockSelection.select(options, workspace: workspace)
    let remote = try RemoteSettings.open(options.remote, jobs: options.jobs, workspace: workspace)
    let transfer = CacheTransfer(remote: remote, workspace: workspace.root)
    let report: TransferReport
    do {
      report = try await cancellable {
        try await transfer.push(selection.entries, skipping: selection.skipping)
      }
    } catch {
      await remote.close()
      throw error
    }
    await remote.close()
    printReport(report, json: options.json, remote: remote)
    if !report.succeeded { throw ExitCode(ExitStatus.failure.code) }
  }
}

/// `fairflow pull`: download what the lock files name and check it out.
struct Pull: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pull",
    abstract: "Download the outputs behind the lock files from a remote and check them out.",
    discussion: """
      Every object is verified by SHA-256 before it enters the cache; a corrupt one is refused \
      and named. Afterwards `fairflow status` reports the pulled stages up to date and `run` \
      executes nothing for them. Outputs that differ from the lock file are left alone unless \
      --force. Exit 1 when something could not be pulled or checked out.
      """)

  @OptionGroup var options: TransferOptions

  @Flag(help: "Replace outputs that differ from the lock file.") var force = false

  func run() async throws {
    let workspace = CommandContext.workspace()
    let selection = try LockSelection.select(options, workspace: workspace)
    let remote = try RemoteSettings.open(options.remote, jobs: options.jobs, workspace: workspace)
    // Exclusive: a pull writes the cache and the workspace's outputs.
    let lock = WorkspaceLock(workspace: workspace.root)
    defer { lock.release() }
    let transfer = CacheTransfer(remote: remote, workspace: workspace.root)
    var report: TransferReport
    do {
      try lock.acquire(wait: false, startedAt: RunID.timestamp(milliseconds: true)) { _ in }
      report = try await cancellable {
        try await transfer.pull(selection.entries, skipping: selection.skipping)
      }
    } catch {
      await remote.close()
      throw error
    }
    await remote.close()
    let statCache = StatCache(file: workspace.statCacheFile)
    let checkout = Checkout(workspace: workspace.root, statCache: statCache)
      .run(selection.entries, skipping: selection.skipping, force: force)
    try statCache.save()
    report.checkedOut = checkout.restored.count
    report.inPlace = checkout.inPlace
    // Outputs whose objects were not pulled are already named under `unavailable`/failures.
    report.notCheckedOut = checkout.skipped.filter {
      !$0.hasSuffix("(its objects are not in the cache)")
    }
    printReport(report, json: options.json, remote: remote)
    if !report.succeeded { throw ExitCode(ExitStatus.failure.code) }
  }
}
