import FairflowCore
import FairflowEngine
import FairflowProvenance
import FairflowStore
import FairflowTesting
import Foundation

/// Runs pipelines through the real engine with a `ProvenanceRecorder`, in a workspace that is
/// (optionally) a git repository.
struct ProvenanceHarness {
  let ws: TemporaryWorkspace

  init(_ name: String, pipelines: [String: String], git: Bool = true) throws {
    ws = try TemporaryWorkspace(name)
    for (name, text) in pipelines { try ws.write("pipelines/\(name).yaml", text) }
    try ws.write("input.txt", "hello provenance\n")
    if git {
      try ws.write(".gitignore", "cache/\n")
      try ws.initGitRepository()
    }
  }

  var workspace: Workspace { Workspace(root: ws.root) }

  @discardableResult
  func run(
    _ pipeline: String = "main", overrides: [String] = [], force: Bool = false,
    environment: [String: String] = [:], notes: NoteLog = NoteLog()
  ) async throws -> (RunSummary, ProvenanceRecorder) {
    var options = RunOptions(jobs: 2)
    options.overrides = overrides
    options.force = force
    let loaded = try LoadedPipeline.load(
      ws.path("pipelines/\(pipeline).yaml"), in: workspace, overrides: overrides)
    let recorder = ProvenanceRecorder(
      workspace: ws.root, environment: environment, note: { notes.append($0) })
    let runner = Runner(
      loaded: loaded, executor: LocalExecutor(gracePeriod: 1), reporter: SilentReporter(),
      options: options, statCache: StatCache(file: workspace.statCacheFile), recorder: recorder)
    return (try await runner.run(), recorder)
  }

  func store() throws -> ProvenanceStore {
    try #require(try ProvenanceStore.open(workspace: ws.root, create: false))
  }

  func git(_ arguments: String...) throws -> String {
    try Shell.git(arguments, in: ws.root).stdout
  }
}

/// Collects notes from the recorder (thread-safe).
final class NoteLog: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [String] = []
  func append(_ text: String) { lock.withLock { items.append(text) } }
  var all: [String] { lock.withLock { items } }
}

import Testing

/// A → B → C chain: prepare upper-cases the input, count measures it, report joins both.
let threeStages = """
  params:
    api_key: sk-test-0123456789abcdef
    lr: 0.01
  stages:
    prepare:
      cmd: tr a-z A-Z < input.txt > upper.txt
      deps: [input.txt]
      outs: [upper.txt]
    count:
      cmd: wc -c < upper.txt > count.txt && test -n "${params.api_key}"
      deps: [upper.txt]
      outs: [count.txt]
      params: [lr]
    report:
      cmd: cat upper.txt count.txt > report.txt
      deps: [upper.txt, count.txt]
      outs: [report.txt]
  """
