import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation

/// Runs a pipeline in a temporary workspace through the real engine and local executor.
struct EngineHarness {
  let ws: TemporaryWorkspace
  var pipelineName = "main"

  init(_ name: String, pipeline: String) throws {
    ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/\(pipelineName).yaml", pipeline)
  }

  var workspace: Workspace { Workspace(root: ws.root) }
  var file: String { ws.path("pipelines/\(pipelineName).yaml") }

  func load(_ overrides: [String] = []) throws -> LoadedPipeline {
    try LoadedPipeline.load(file, in: workspace, overrides: overrides)
  }

  /// Options as `fairflow run` would pass them.
  func options(
    _ overrides: [String] = [], jobs: Int = 2, targets: [String] = [], force: Bool = false,
    keepGoing: Bool = false, wait: Bool = true
  ) -> RunOptions {
    var options = RunOptions(jobs: jobs)
    options.overrides = overrides
    options.targets = targets
    options.force = force
    options.keepGoing = keepGoing
    options.wait = wait
    return options
  }

  /// A session exactly as `fairflow run` makes one (notes collected in `notes`).
  func session(
    _ options: RunOptions, executor: (any Executor)? = nil, notes: Notes = Notes()
  ) -> RunSession {
    RunSession(
      workspace: workspace, pipelineFile: file, options: options, reporter: SilentReporter(),
      executor: executor ?? LocalExecutor(gracePeriod: 1), notify: { notes.append($0) })
  }

  @discardableResult
  func run(
    _ overrides: [String] = [], jobs: Int = 2, targets: [String] = [], force: Bool = false,
    keepGoing: Bool = false,
    executor: (any Executor)? = nil, notes: Notes = Notes()
  ) async throws -> RunSummary {
    try await session(
      options(overrides, jobs: jobs, targets: targets, force: force, keepGoing: keepGoing),
      executor: executor, notes: notes
    ).run()
  }

  func dryRun(_ overrides: [String] = [], targets: [String] = [], force: Bool = false) throws
    -> DryRunReport
  {
    try session(options(overrides, targets: targets, force: force)).dryRun()
  }

  func status(_ overrides: [String] = []) throws -> StatusReport {
    try StatusReport.compute(
      try load(overrides), statCache: StatCache(file: workspace.statCacheFile))
  }

  func reasons(_ stage: String) throws -> [String] {
    try status().rows.first { $0.stage == stage }?.reasons.map(\.message) ?? []
  }
}

/// Messages a session sent about other runs (thread-safe).
final class Notes: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [String] = []
  func append(_ text: String) { lock.withLock { items.append(text) } }
  var all: [String] { lock.withLock { items } }
}

extension RunSummary {
  func result(_ stage: String) -> StageResult? { results.first { $0.stage == stage }?.result }
  var executed: [String] {
    results.compactMap { if case .executed = $0.result { return $0.stage } else { return nil } }
  }
  var restored: [String] {
    results.compactMap { if case .restored = $0.result { return $0.stage } else { return nil } }
  }
}

/// A chain a → b → c with a fan-out d (from a), each appending its name to `runs.log`.
let chainPipeline = """
  params:
    scale: 2
    unused: 1
  stages:
    a:
      cmd: echo a >> runs.log && cat input.txt > out/a.txt
      deps: [input.txt]
      outs: [out/a.txt]
    b:
      cmd: echo b >> runs.log && cat out/a.txt out/a.txt > out/b.txt && echo ${params.scale} >> out/b.txt
      deps: [out/a.txt]
      outs: [out/b.txt]
    c:
      cmd: echo c >> runs.log && wc -c < out/b.txt > out/c.txt
      deps: [out/b.txt]
      outs: [out/c.txt]
    d:
      cmd: echo d >> runs.log && mkdir -p out/d && cp out/a.txt out/d/copy.txt && echo x > out/d/x.txt
      deps: [out/a.txt]
      outs: [out/d]
  """
