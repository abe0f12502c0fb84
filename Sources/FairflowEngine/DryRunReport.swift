public import FairflowCore
internal import FairflowBase
internal import FairflowStore

/// `fairflow run --dry-run`: what the run would do to each stage, decided by the very code a
/// run decides with (``Runner/plan()`` and the runner's `decide`), with nothing claimed, restored,
/// quarantined or recorded. A stage downstream of one that would execute would run too (its
/// inputs are not known yet); downstream of one that would be restored, it is decided against the
/// restored outputs.
public struct DryRunReport: Sendable {
  public enum Action: Sendable, Equatable {
    case run
    case runForced
    case restore
    /// A dependency is missing (and no selected stage would make it): the run would fail.
    case fail(String)
  }

  public struct Row: Sendable {
    public var stage: String
    public var action: Action
    public var reasons: [StaleReason]
  }

  /// The stages the run would process, in topological order.
  public var rows: [Row]

  public func text() -> String {
    var out = ""
    for row in rows {
      let what: String
      switch row.action {
      case .run: what = "would run"
      case .runForced: what = "would run (forced)"
      case .restore: what = "would restore from cache"
      case .fail(let reason): what = "would fail: \(reason)"
      }
      out +=
        "\(row.stage): \(what)"
        + (row.reasons.isEmpty ? "" : " — " + row.reasons.map(\.message).joined(separator: "; "))
        + "\n"
    }
    return out
      + (rows.isEmpty
        ? "Nothing to do.\n" : "\(rows.count) stage(s) would be processed (dry run).\n")
  }
}

extension Runner {
  /// The dry run of this runner's selection.
  func dryRun() throws -> DryRunReport {
    let stages = loaded.pipeline.stages
    let plan = try plan()
    var rows: [DryRunReport.Row] = []
    var running = Set<Int>()
    for index in plan.writes {
      let stage = stages[index]
      let upstream = loaded.graph.upstream[index].filter(running.contains)
      let reasons = staleReasons(index, staleUpstream: upstream.map { stages[$0].name })
      if options.force || stage.alwaysRun {
        running.insert(index)
        rows.append(.init(stage: stage.name, action: .runForced, reasons: reasons))
        continue
      }
      if !upstream.isEmpty {
        running.insert(index)
        rows.append(.init(stage: stage.name, action: .run, reasons: reasons))
        continue
      }
      switch decide(index) {
      case .upToDate:
        continue
      case .restoreModified(let stale, _):
        for record in stale { observed[record.path] = record }
        rows.append(.init(stage: stage.name, action: .restore, reasons: reasons))
      case .restoreFromRunCache(let entry, _, _):
        for record in entry.outs { observed[record.path] = record }
        rows.append(.init(stage: stage.name, action: .restore, reasons: reasons))
      case .execute:
        running.insert(index)
        rows.append(.init(stage: stage.name, action: .run, reasons: reasons))
      case .failed(let failure):
        running.insert(index)
        rows.append(.init(stage: stage.name, action: .fail(failure.reason), reasons: []))
      }
    }
    return DryRunReport(rows: rows)
  }

  /// Why a stage is stale, as `fairflow status` words it.
  func staleReasons(_ index: Int, staleUpstream: [String]) -> [StaleReason] {
    let stage = loaded.pipeline.stages[index]
    var deps: [String: Digest] = [:]
    for dep in stage.deps {
      if let record = try? observe(dep) { deps[dep] = record.digest }
    }
    var outs: [String: Digest] = [:]
    for output in stage.outputs {
      if let record = try? observe(output.path) { outs[output.path] = record.digest }
    }
    return Staleness.reasons(
      for: stage, entry: lock.entries[stage.name],
      observed: StageObservation(
        dependencyDigests: deps, outputDigests: outs, staleUpstream: staleUpstream))
  }
}

extension RunSession {
  /// What `run` would do, without waiting for other runs or changing anything.
  public func dryRun() throws -> DryRunReport {
    let loaded = try load()
    let runner = makeRunner(loaded, executor: LocalExecutor())
    let report = try runner.dryRun()
    try statCache.save()
    return report
  }
}
