import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting

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

  @discardableResult
  func run(
    _ overrides: [String] = [], jobs: Int = 2, targets: [String] = [], force: Bool = false,
    keepGoing: Bool = false,
    executor: (any Executor)? = nil
  ) async throws -> RunSummary {
    var options = RunOptions(jobs: jobs)
    options.overrides = overrides
    options.targets = targets
    options.force = force
    options.keepGoing = keepGoing
    let runner = Runner(
      loaded: try load(overrides), executor: executor ?? LocalExecutor(gracePeriod: 1),
      reporter: SilentReporter(),
      options: options, statCache: StatCache(file: workspace.statCacheFile))
    return try await runner.run()
  }

  func status(_ overrides: [String] = []) throws -> StatusReport {
    try StatusReport.compute(
      try load(overrides), statCache: StatCache(file: workspace.statCacheFile))
  }

  func reasons(_ stage: String) throws -> [String] {
    try status().rows.first { $0.stage == stage }?.reasons.map(\.message) ?? []
  }
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
