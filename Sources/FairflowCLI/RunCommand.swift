internal import ArgumentParser
internal import Foundation
internal import Dispatch
internal import FairflowCore
internal import FairflowStore
internal import FairflowEngine
internal import FairflowProvenance

/// `fairflow run`: does exactly the work the content of the inputs requires.
struct Run: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the stages that are not up to date.")

  @OptionGroup var pipelineOptions: PipelineOptions

  @Option(
    name: .customLong("stage"), help: "Run only this stage and what it depends on (repeatable).")
  var stages: [String] = []

  @Option(
    name: [.short, .customLong("jobs")],
    help: ArgumentHelp("Number of parallel slots (default: number of cores).", valueName: "n"))
  var jobs: Int?

  @Flag(help: "Run the selected stages even if they are up to date.")
  var force = false

  @Flag(help: "Show what would run without running anything.")
  var dryRun = false

  @Flag(help: "Keep running independent stages after a failure.")
  var keepGoing = false

  @Flag(help: "Exit with status 3 instead of waiting when another run holds the workspace.")
  var noWait = false

  @Flag(
    name: .shortAndLong,
    help: "Stream stage output (prefixed with the stage name) and list up-to-date stages.")
  var verbose = false

  @Flag(help: "Do not record provenance in git for this run (benchmarks, scratch runs).")
  var noProvenance = false

  @Flag(
    help:
      "No network: fetch stages use only cached listings and the object store (FAIRFLOW_OFFLINE=1)."
  )
  var offline = false

  @Option(
    help: ArgumentHelp(
      "Where stages run: local (child processes) or slurm (sbatch jobs; needs a filesystem shared with the compute nodes). A stage's 'executor:' overrides it.",
      valueName: "local|slurm"))
  var executor: String = "local"

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("-j must be at least 1") }
    if ExecutorKind(rawValue: executor) == nil {
      throw ValidationError("unknown executor '\(executor)'; use local or slurm")
    }
  }

  func run() async throws {
    // Stages run as child processes and inherit the environment.
    if offline { setenv("FAIRFLOW_OFFLINE", "1", 1) }
    if dryRun { return try dryRunReport(try CommandContext.load(pipelineOptions)) }
    // Validate before waiting for locks; load again only if we waited, since the run we waited
    // for may have rewritten the lock file. Runs share the workspace lock (cache gc takes it
    // alone) and lock the stages they may write: runs on disjoint stages go on in parallel.
    var context = try CommandContext.load(pipelineOptions)
    let root = context.workspace.root
    let started = RunID.timestamp()
    let lock = WorkspaceLock(workspace: root)
    var waited = false
    try lock.acquire(wait: !noWait, startedAt: started, shared: true) { holder in
      waited = true
      Console.standardError(
        "waiting for the workspace lock held by \(holder.map(String.init(describing:)) ?? "cache gc")...\n"
      )
    }
    defer { lock.release() }
    let loaded = context.loaded
    let targets =
      stages.isEmpty
      ? Array(loaded.pipeline.stages.indices) : try loaded.stageIndices(named: stages)
    let stageLocks = StageLocks(workspace: root, pipeline: loaded.file)
    var announced = false
    try stageLocks.acquire(
      loaded.graph.closure(of: targets).sorted().map { loaded.pipeline.stages[$0].name },
      wait: !noWait, startedAt: started
    ) { stage, holder in
      waited = true
      guard !announced else { return }
      announced = true
      Console.standardError(
        "waiting for stage '\(stage)', being run by \(holder.map(String.init(describing:)) ?? "another fairflow run")...\n"
      )
    }
    defer { stageLocks.release() }
    for (stage, broken) in stageLocks.brokenHolders {
      Console.standardError(
        "note: took over the lock of stage '\(stage)' left by \(broken) (that process is gone)\n")
    }
    if waited { context = try CommandContext.load(pipelineOptions) }
    let registry = StageProcessRegistry(workspace: root)
    for orphan in registry.reapOrphans() {
      Console.standardError(
        "note: stopped stage '\(orphan.stage)' (process group \(orphan.pid)) left running by a killed run\n"
      )
    }
    for directory in ["pipelines", "cache/runs", "cache/state"] {
      FileIO.removeStaleTemporaries(in: root + "/" + directory, suffix: ".tmp")
    }
    ObjectStore(workspace: context.workspace.root).cleanTemporaries()

    var options = RunOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
    options.targets = stages
    options.force = force
    options.keepGoing = keepGoing
    options.overrides = pipelineOptions.params
    options.executor = ExecutorKind(rawValue: executor) ?? .local
    options.selfExecutable =
      CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : "/proc/self/exe"
    let reporter = TerminalReporter(verbose: verbose)
    let forward: @Sendable (String, String) -> Void = { stage, line in
      reporter.streamed(stage, line)
    }
    let stream = verbose ? forward : nil
    let stageExecutor = RoutingExecutor.make(
      for: context.loaded.pipeline, options: options,
      local: LocalExecutor(registry: registry, stream: stream),
      stream: stream)
    let recorder =
      noProvenance
      ? nil
      : ProvenanceRecorder(
        workspace: context.workspace.root, environment: ProcessInfo.processInfo.environment,
        note: { reporter.note($0) })
    let runner = Runner(
      loaded: context.loaded, executor: stageExecutor, reporter: reporter, options: options,
      statCache: context.statCache, recorder: recorder)
    let signals = SignalHandler { runner.cancel() }
    // On a terminal, keep the elapsed time in the status line moving.
    let ticker = Task {
      while Console.stdoutIsTTY, !Task.isCancelled {
        try await Task.sleep(nanoseconds: 1_000_000_000)
        reporter.tick()
      }
    }
    let summary = try await runner.run()
    ticker.cancel()
    signals.stop()
    reporter.finish(summary)
    if summary.exitStatus != ExitStatus.success { throw ExitCode(summary.exitStatus.code) }
  }

  func dryRunReport(_ context: CommandContext) throws {
    let report = try StatusReport.compute(context.loaded, statCache: context.statCache)
    let targets =
      stages.isEmpty
      ? nil : context.loaded.graph.closure(of: try context.loaded.stageIndices(named: stages))
    var count = 0
    for (index, row) in zip(context.loaded.graph.order, report.rows) where force || row.isStale {
      if let targets, !targets.contains(index) { continue }
      count += 1
      let what =
        force ? "would run (forced)" : row.restorable ? "would restore from cache" : "would run"
      print(
        "\(row.stage): \(what)"
          + (row.reasons.isEmpty ? "" : " — " + row.reasons.map(\.message).joined(separator: "; ")))
    }
    print(count == 0 ? "Nothing to do." : "\(count) stage(s) would be processed (dry run).")
  }
}

/// Turns SIGINT/SIGTERM into a call to `onSignal` (once); the run then stops cleanly.
final class SignalHandler: @unchecked Sendable {
  private var sources: [any DispatchSourceSignal] = []

  init(onSignal: @escaping @Sendable () -> Void) {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        Console.standardError("\ninterrupted: stopping running stages...\n")
        onSignal()
      }
      source.resume()
      sources.append(source)
    }
  }

  func stop() {
    for source in sources { source.cancel() }
    sources.removeAll()
  }
}
