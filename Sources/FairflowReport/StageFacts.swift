package import FairflowCore
package import FairflowEngine
package import FairflowProvenance
package import FairflowStore

/// What the report knows about each stage now: its status as `fairflow status` computes it
/// (with "failed" where the newest provenance record of a stale stage failed) and that newest
/// record. Records come from the last `runsScanned` runs of this pipeline file only: a workspace
/// may hold several pipelines whose stages share names.
package struct StageFacts {
  /// Status of each stage, by pipeline index.
  package var statuses: [StageStatus]
  /// Why each stage is stale (empty when up to date), by pipeline index.
  package var reasons: [[StaleReason]]
  /// The newest record of each stage, by stage name.
  package var records: [String: ProvenanceRecord]
  /// The newest run of this pipeline, with all of its records.
  package var lastRun: (id: String, records: [ProvenanceRecord])?

  static let runsScanned = 50

  package init(
    statuses: [StageStatus], reasons: [[StaleReason]], records: [String: ProvenanceRecord],
    lastRun: (id: String, records: [ProvenanceRecord])?
  ) {
    self.statuses = statuses
    self.reasons = reasons
    self.records = records
    self.lastRun = lastRun
  }

  /// Status from the lock file and the workspace, records from `store` (nil: none).
  package static func gather(
    _ loaded: LoadedPipeline, statCache: StatCache, store: ProvenanceStore?
  ) throws -> StageFacts {
    let report = try StatusReport.compute(loaded, statCache: statCache)
    let pipelineFile = loaded.workspace.display(loaded.file)
    var records: [String: ProvenanceRecord] = [:]
    var lastRun: (id: String, records: [ProvenanceRecord])?
    if let store, let runs = try? store.runIDs() {
      for run in runs.suffix(runsScanned) {
        let mine = ((try? store.records(run: run)) ?? []).filter { $0.pipeline == pipelineFile }
        guard !mine.isEmpty else { continue }
        for record in mine { records[record.stage] = record }
        lastRun = (run, mine)
      }
    }
    var reasonsByName: [String: [StaleReason]] = [:]
    for row in report.rows { reasonsByName[row.stage] = row.reasons }
    let stages = loaded.pipeline.stages
    let reasons = stages.map { reasonsByName[$0.name] ?? [] }
    let statuses = stages.indices.map { index in
      status(reasons: reasons[index], record: records[stages[index].name])
    }
    return StageFacts(
      statuses: statuses, reasons: reasons, records: records, lastRun: lastRun)
  }

  /// Up to date without reasons; failed when stale and its last record failed; never run when
  /// it has no lock entry (and no record); stale otherwise.
  package static func status(reasons: [StaleReason], record: ProvenanceRecord?) -> StageStatus {
    if reasons.isEmpty { return .upToDate }
    if record?.outcome == .failed { return .failed }
    if reasons.contains(where: { if case .neverRun = $0 { true } else { false } }), record == nil {
      return .neverRun
    }
    return .stale
  }

  /// "10 up to date", "3 stale · 7 up to date": the statuses of `members`, most urgent first.
  package func detail(of members: [Int]) -> String {
    let statuses = members.map { self.statuses[$0] }
    if statuses.count == 1 { return statuses[0].label }
    let order: [StageStatus] = [.failed, .stale, .neverRun, .upToDate]
    return order.compactMap { status -> String? in
      let count = statuses.filter { $0 == status }.count
      return count == 0 ? nil : "\(count) \(status.label)"
    }.joined(separator: " · ")
  }
}
