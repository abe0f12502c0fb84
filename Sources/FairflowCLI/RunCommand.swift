internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowRemote
internal import FairflowStages
internal import FairflowStore
internal import Dispatch
internal import Foundation

/// `fairflow run`: does exactly the work the content of the inputs requires.
struct Run: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
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

  @Flag(
    help:
      "Before deciding each stage, fetch from the remote what would let it be restored instead of run (docs/remotes.md)."
  )
  var pull = false

  @Option(help: "The remote of --pull (default: fairflow.yaml's default-remote).")
  var remote: String?

  nonisolated(unsafe) static var retained: [RunSession] = []

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("-j must be at least 1") }
    if remote != nil, !pull { throw ValidationError("--remote needs --pull") }
    if ExecutorKind(rawValue: executor) == nil {
      throw ValidationError("unknown executor '\(executor)'; use local or slurm")
    }
  }

  func run() async throws {
    // Stages run as child processes and inherit the environment.
    if offline { setenv("FAIRFLOW_OFFLINE", "1", 1) }
    let workspace = CommandContext.workspace()
    var options = RunOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
    options.targets = stages
    options.force = force
    options.keepGoing = keepGoing
    options.wait = !noWait
    options.overrides = pipelineOptions.params
    options.executor = ExecutorKind(rawValue: executor) ?? .local
    let program =
      CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : "/proc/self/exe"
    options.builtinLauncher = BuiltinLauncher { file, stage, overrides in
      [program, "exec-stage", file, "--stage", stage] + overrides.flatMap { ["-p", $0] }
    }
    let reporter = TerminalReporter(verbose: verbose)
    let pulling =
      pull && !dryRun ? try RemoteSettings.open(remote, jobs: nil, workspace: workspace) : nil
    if let pulling {
      options.remote = RemoteRunCache(
        transfer: CacheTransfer(remote: pulling, workspace: workspace.root))
    }
    let recorder =
      noProvenance || dryRun
      ? nil
      : ProvenanceRecorder(
        workspace: workspace.root, environment: ProcessInfo.processInfo.environment,
        note: { reporter.note($0) })
    let session = RunSession(
      workspace: workspace, pipelineFile: try workspace.pipelineFile(pipelineOptions.pipeline),
      options: options, registry: BuiltinStages.registry, reporter: reporter,
      recorder: recorder,
      stream: verbose ? { @Sendable stage, line in reporter.streamed(stage, line) } : nil,
      notify: { Console.standardError($0 + "\n") })
    // Kept until the process exits: tearing down a 10,000-stage run only to exit costs
    // milliseconds of every command (as CommandContext.retained does for loaded pipelines).
    Run.retained.append(session)
    if dryRun {
      print(try session.dryRun().text(), terminator: "")
      return
    }
    var signals: SignalHandler?
    // On a terminal, keep the status line (time, the stages' progress) moving; otherwise print
    // changed progress every FAIRFLOW_PROGRESS_INTERVAL seconds.
    let ticker = Task {
      while !Task.isCancelled {
        try await Task.sleep(nanoseconds: 1_000_000_000)
        reporter.tick()
      }
    }
    let summary: RunSummary
    do {
      summary = try await session.run {
        signals = SignalHandler { session.cancel() }
      }
    } catch {
      await pulling?.close()
      throw error
    }
    await pulling?.close()
    ticker.cancel()
    signals?.stop()
    reporter.finish(summary)
    if summary.exitStatus != ExitStatus.success { throw ExitCode(summary.exitStatus.code) }
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
