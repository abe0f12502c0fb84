public import FairflowCore
public import FairflowStore
internal import FairflowBase

/// `fairflow status`: every stage in topological order with the reasons it is stale.
///
/// JSON form (schema 1, documented in docs/cli-json.md):
/// `{"schema":1,"pipeline":…,"stages":[{"name":…,"state":"up-to-date"|"stale",
///   "restorable":bool,"reasons":[{"code":…,"message":…,"subject":…}]}]}`
public struct StatusReport: Sendable {
  public struct Row: Sendable {
    public var stage: String
    public var reasons: [StaleReason]
    /// Outputs can be restored from the store/run cache instead of executing.
    public var restorable: Bool
    public var isStale: Bool { !reasons.isEmpty }
  }

  public var pipeline: String
  public var rows: [Row]

  public static func compute(_ loaded: LoadedPipeline, statCache: StatCache) throws -> StatusReport
  {
    let observer = Observer(root: loaded.workspace.root, statCache: statCache)
    let store = ObjectStore(workspace: loaded.workspace.root)
    let runCache = RunCache(workspace: loaded.workspace.root)
    let stages = loaded.pipeline.stages
    var stale = [Bool](repeating: false, count: stages.count)
    var rows: [Row] = []
    rows.reserveCapacity(stages.count)
    var memo: [String: PathRecord?] = [:]
    memo.reserveCapacity(stages.count * 2)
    for index in loaded.graph.order {
      let stage = stages[index]
      var deps: [String: Digest] = [:]
      for dep in stage.deps {
        if let record = try observer.observe(dep, memo: &memo) { deps[dep] = record.digest }
      }
      var outs: [String: Digest] = [:]
      for output in stage.outputs {
        if let record = try observer.observe(output.path, memo: &memo) {
          outs[output.path] = record.digest
        }
      }
      let upstream = loaded.graph.upstream[index].filter { stale[$0] }.map { stages[$0].name }
      let entry = loaded.lock.entries[stage.name]
      if Staleness.isUpToDate(
        stage, entry: entry, dependencyDigests: deps, outputDigests: outs,
        upstreamStale: !upstream.isEmpty)
      {
        rows.append(Row(stage: stage.name, reasons: [], restorable: false))
        continue
      }
      let reasons = Staleness.reasons(
        for: stage, entry: entry,
        observed: StageObservation(
          dependencyDigests: deps, outputDigests: outs, staleUpstream: upstream))
      stale[index] = !reasons.isEmpty
      var restorable = false
      if !reasons.isEmpty, upstream.isEmpty, stage.isRestorable,
        stage.deps.allSatisfy({ deps[$0] != nil })
      {
        let fingerprint = Fingerprint.of(stage, dependencyDigests: deps)
        if let entry, entry.fingerprint == fingerprint {
          restorable = entry.outs.allSatisfy(store.canRestore)
        } else if let cached = runCache.entry(for: fingerprint) {
          restorable = cached.outs.allSatisfy(store.canRestore)
        }
      }
      rows.append(Row(stage: stage.name, reasons: reasons, restorable: restorable))
    }
    try statCache.save()
    return StatusReport(pipeline: loaded.pipeline.name, rows: rows)
  }

  public var staleCount: Int { rows.filter(\.isStale).count }

  public func text() -> String {
    let staleRows = rows.filter(\.isStale)
    if staleRows.isEmpty { return "All \(rows.count) stages are up to date.\n" }
    var out = ""
    for row in staleRows {
      out += "\(row.stage): \(row.restorable ? "stale (restorable from cache)" : "stale")\n"
      for reason in row.reasons { out += "    \(reason.message)\n" }
    }
    out += "\(staleRows.count) of \(rows.count) stages stale.\n"
    return out
  }

  public func json() -> String {
    let stages = rows.map { row -> Value in
      .map([
        ("name", .string(row.stage)), ("state", .string(row.isStale ? "stale" : "up-to-date")),
        ("restorable", .bool(row.restorable)),
        (
          "reasons",
          .list(
            row.reasons.map { reason in
              var fields: [(key: String, value: Value)] = [
                ("code", .string(reason.code)), ("message", .string(reason.message)),
              ]
              if let subject = reason.subject { fields.append(("subject", .string(subject))) }
              return .map(fields)
            })
        ),
      ])
    }
    return Value.map([
      ("schema", .int(1)), ("pipeline", .string(pipeline)), ("stages", .list(stages)),
    ]).canonicalText + "\n"
  }
}
