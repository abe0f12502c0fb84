public import FairflowBase
public import FairflowCore
public import FairflowEngine
internal import FairflowGit

/// Turns a run's stage records into `ProvenanceRecord`s and commits them to git as the run goes.
///
/// Commit policy: after each finished stage, unless the previous commit was so recent that
/// committing again would spend more than ~10% of the wall time on git (many tiny stages
/// finishing together); the rest go into the next commit, and `runFinished` always commits. Each
/// commit replaces the run's previous one while that is still the tip, so a run normally ends as
/// one commit whatever the number of stages. A crash loses at most the records since the last
/// commit: in a pipeline whose stages take seconds, only the stage in flight.
public final class ProvenanceRecorder: RunRecorder, @unchecked Sendable {
  let root: String
  let environment: [String: String]
  let note: @Sendable (String) -> Void
  let clock: @Sendable () -> Double
  let contextOverride: RunContext?

  var run = ""
  var pipelineFile = ""
  var stageCount = 0
  var store: ProvenanceStore?
  var context: RunContext?
  var staged: [ProvenanceStore.StagedRecord] = []
  public private(set) var records: [ProvenanceRecord] = []
  var runCommit: ProvenanceStore.RunCommit?
  /// How many of `staged` are in the journal (see ``ProvenanceJournal``).
  var journaled = 0
  var lastCommitEnd = -Double.infinity
  var lastCommitCost = 0.0
  var deferredError: (any Error)?
  /// Records staged since the last commit.
  var uncommitted = false
  /// Origins known in this run (outputs that declared one), by SHA-256.
  var originsByDigest: [String: ProvenanceRecord.Origin?] = [:]

  /// - Parameters:
  ///   - environment: the process environment (allow-listed variables are recorded).
  ///   - context: fixed run context (tests); computed from the machine and repository otherwise.
  public init(
    workspace root: String, environment: [String: String],
    note: @escaping @Sendable (String) -> Void,
    clock: @escaping @Sendable () -> Double = MonotonicClock.now, context: RunContext? = nil
  ) {
    self.root = root
    self.environment = environment
    self.note = note
    self.clock = clock
    self.contextOverride = context
  }

  /// The commit holding this run's records, once one was made.
  public var commit: String? { runCommit?.commit.hex }

  public func runStarted(run: String, pipelineFile: String, stageCount: Int) {
    self.run = run
    self.pipelineFile =
      pipelineFile.hasPrefix(root + "/")
      ? String(pipelineFile.dropFirst(root.count + 1))
      : pipelineFile
    self.stageCount = stageCount
  }

  public func record(_ stage: StageRecord) {
    do {
      let store = try openStore()
      let record = try makeRecord(stage, store: store)
      records.append(record)
      let blob = try store.repository.writeBlob(Array(record.json.utf8))
      staged.append(
        ProvenanceStore.StagedRecord(
          file: ProvenanceStore.fileName(stage: record.stage), blob: blob,
          outputs: record.outputs.map { ($0.sha256, $0.path, $0.origin != nil) }))
      uncommitted = true
      if clock() - lastCommitEnd >= 9 * lastCommitCost {
        try commit(final: nil)
      }
    } catch {
      if deferredError == nil {
        note("warning: cannot record provenance of stage '\(stage.stage.name)': \(error)")
      }
      deferredError = error
    }
  }

  /// Built-in kinds that read the provenance of their inputs (`publish` puts the lineage into
  /// the bundle): records staged but not yet committed are committed before they start.
  static let kindsReadingProvenance: Set<String> = ["publish"]

  public func stageWillStart(_ stage: Stage) {
    guard case .builtin(let kind, _, _) = stage.action,
      Self.kindsReadingProvenance.contains(kind), uncommitted
    else { return }
    do { try commit(final: nil) } catch {
      if deferredError == nil {
        note("warning: cannot record provenance before stage '\(stage.name)': \(error)")
      }
      deferredError = error
    }
  }

  public func runFinished(_ summary: RunSummary) throws {
    guard !staged.isEmpty else {
      if let deferredError { throw deferredError }
      return
    }
    try commit(final: summary)
  }

  func openStore() throws -> ProvenanceStore {
    if let store { return store }
    guard let opened = try ProvenanceStore.open(workspace: root, create: true, note: note) else {
      throw ProvenanceError("cannot open a provenance repository for \(root)")
    }
    store = opened
    return opened
  }

  func commit(final summary: RunSummary?) throws {
    let store = try openStore()
    let start = clock()
    let author = Repository.Signature(
      name: context.flatMap { Value.map($0.user)["name"]?.stringValue } ?? "fairflow",
      email: context.flatMap { Value.map($0.user)["email"]?.stringValue } ?? "fairflow@localhost")
    runCommit = try store.commitRun(
      run: run, records: staged, message: message(summary), author: author, previous: runCommit)
    ProvenanceJournal(workspace: root).append(
      run: run, records: staged[journaled...].map { ($0.file, $0.blob) })
    journaled = staged.count
    lastCommitEnd = clock()
    lastCommitCost = lastCommitEnd - start
    uncommitted = false
  }

  /// "fairflow run example: 5 stages, 2 executed, 3 restored" and trailers for `prov log`.
  func message(_ summary: RunSummary?) -> String {
    var name = pipelineFile.split(separator: "/").last.map(String.init) ?? pipelineFile
    for ext in [".yaml", ".yml"] where name.hasSuffix(ext) {
      name = String(name.dropLast(ext.count))
    }
    let executed = records.filter { $0.outcome == .executed }.count
    let restored = records.filter { $0.outcome == .restored }.count
    let failed = records.filter { $0.outcome == .failed }.count
    var subject =
      "fairflow run \(name): \(stageCount) stages, \(executed) executed, \(restored) restored"
    if let summary {
      let upToDate = summary.count { $0 == .upToDate }
      if upToDate > 0 { subject += ", \(upToDate) up to date" }
    }
    if failed > 0 { subject += ", \(failed) failed" }
    if summary == nil {
      subject += " (running)"
    } else if summary?.interrupted == true {
      subject += " (interrupted)"
    }
    var body = "\n\nRun: \(run)\nPipeline: \(pipelineFile)\n"
    if let code = context.map({ Value.map($0.code) }), let commit = code["commit"]?.stringValue {
      body += "Code: \(commit)\(code["dirty"] == .bool(true) ? " (dirty)" : "")\n"
    }
    if let host = context.flatMap({ Value.map($0.host)["hostname"]?.stringValue }) {
      body += "Host: \(host)\n"
    }
    return subject + body
  }
}
