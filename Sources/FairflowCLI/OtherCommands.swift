internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowStages
internal import FairflowStore
internal import Foundation

/// `fairflow status`: stale stages and why.
struct Status: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show stale stages and the reason for each.")
  @OptionGroup var pipelineOptions: PipelineOptions
  @Flag(help: "Print JSON (schema in docs/cli-json.md).") var json = false

  func run() async throws {
    let context = try CommandContext.load(pipelineOptions)
    let report = try StatusReport.compute(context.loaded, statCache: context.statCache)
    print(json ? report.json() : report.text(), terminator: "")
  }
}

/// `fairflow dag`: the stage graph.
struct Dag: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dag", abstract: "Print the stage graph.")
  @OptionGroup var pipelineOptions: PipelineOptions
  @Option(help: "ascii, dot, mermaid or json.") var format: String = "ascii"
  @Flag(help: "Same as --format json.") var json = false

  func validate() throws {
    if DagRenderer.Format(rawValue: format) == nil {
      throw ValidationError("unknown format '\(format)' (expected ascii, dot, mermaid or json)")
    }
  }

  func run() async throws {
    let context = try CommandContext.load(pipelineOptions)
    let chosen = json ? .json : DagRenderer.Format(rawValue: format)!
    print(
      DagRenderer.render(context.loaded.pipeline, graph: context.loaded.graph, format: chosen),
      terminator: "")
  }
}

/// `fairflow validate`: parse, expand and check the graph without running anything.
struct Validate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a pipeline file without running it.")
  @OptionGroup var pipelineOptions: PipelineOptions

  func run() async throws {
    let context = try CommandContext.load(pipelineOptions)
    let pipeline = context.loaded.pipeline
    print("\(context.workspace.display(context.loaded.file)): ok (\(pipeline.stages.count) stages)")
  }
}

/// `fairflow cache verify|gc|hash`.
struct Cache: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "Inspect and maintain the content-addressed cache.",
    subcommands: [Verify.self, GC.self, Hash.self])

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Re-hash every stored object; exit 1 on any problem.")
    func run() async throws {
      let report = try CacheMaintenance.verify(CommandContext.workspace())
      print(report.text(), terminator: "")
      if !report.isClean { throw ExitCode(ExitStatus.failure.code) }
    }
  }

  struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "gc", abstract: "Remove objects that no lock file references.")
    @Flag(help: "Only report what would be removed.") var dryRun = false
    func run() async throws {
      let workspace = CommandContext.workspace()
      let lock = WorkspaceLock(workspace: workspace.root)
      try lock.acquire(wait: false, startedAt: RunID.timestamp()) { _ in }
      defer { lock.release() }
      let result = try CacheMaintenance.collectGarbage(workspace, dryRun: dryRun)
      print(
        "\(dryRun ? "would remove" : "removed") \(result.objects) objects (\(result.bytes) bytes) and \(result.runEntries) run-cache entries"
      )
    }
  }

  struct Hash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "hash",
      abstract: "Print the SHA-256 of files (hashed in parallel).")
    @Argument(help: "Files to hash.") var files: [String]
    func run() async throws {
      for (file, result) in zip(files, try FileHasher.hash(files)) {
        print("\(result.digest.hex)  \(file)")
      }
    }
  }
}

/// `fairflow exec-stage`: runs one built-in stage in this process (what the executor spawns).
struct ExecStage: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec-stage", abstract: "Run one built-in stage (internal).", shouldDisplay: false)
  @Argument var pipeline: String
  @Option var stage: String
  @Option(name: [.short, .customLong("param")]) var params: [String] = []

  func run() async throws {
    var options = PipelineOptions()
    options.pipeline = pipeline
    options.params = params
    let context = try CommandContext.load(options)
    try await context.loaded.executeBuiltin(stage, registry: BuiltinStages.registry)
  }
}
