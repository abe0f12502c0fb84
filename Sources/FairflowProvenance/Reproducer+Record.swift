internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowGit

extension Reproducer {
  /// The reproduction as a record: the plan's artifact, commit and pipeline, every stage's
  /// verdict, this machine and fairflow, and when it ran.
  public func record(
    _ plan: ReproductionPlan, rows: [StageComparison], started: String, seconds: Double,
    source: String = "workspace"
  ) -> ReproductionRecord {
    ReproductionRecord(
      id: RunID.make(), artifact: plan.target, sha256: plan.sha256, pipeline: plan.pipeline,
      commit: plan.commit, source: source, result: ReproductionRecord.result(rows),
      started: started, ended: RunID.timestamp(milliseconds: true),
      durationSeconds: (seconds * 1000).rounded() / 1000,
      stages: rows.map { row in
        .init(
          stage: row.stage, run: row.run, result: row.verdict.rawValue, reason: row.reason,
          differing: row.differences.map(\.path))
      },
      host: HostFacts.collect(),
      software: [
        ("fairflow", .string(FairflowVersion.current)),
        ("swift", .string(FairflowVersion.swiftCompiler)),
      ])
  }

  /// Commits `record` to `refs/fairflow/provenance`, authored as the repository's user.
  public func commit(_ record: ReproductionRecord) throws {
    let repository = store.repository
    let author = Repository.Signature(
      name: repository.configString("user.name") ?? "fairflow",
      email: repository.configString("user.email") ?? "fairflow@localhost")
    try store.commitReproduction(record, author: author)
  }
}
