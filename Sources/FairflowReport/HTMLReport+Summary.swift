internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowStore
internal import ModelStages

/// The summary: the verdict first, then the facts a reader checks before trusting a number
/// (pipeline, code commit and whether the tree was dirty, when and how long it ran, stages,
/// gates), then the tables the study reproduces.
extension HTMLReport {
  func summary(_ context: Context) -> String {
    var html = verdict(context)
    html += "<dl class=\"facts\">\n"
    html += fact(
      "Pipeline", "<code>\(h(title))</code> from <code>\(h(workspace.display(loaded.file)))</code>")
    html += fact("Code", code(context.facts))
    html += fact("Last run", lastRun(context.facts))
    html += fact("Stages", stageCounts(context.facts))
    html += fact("Gates", gateLine(context.gates))
    html += "</dl>\n"
    let tables = reproducedTables()
    if !tables.isEmpty { html += "<h3>Reproduced tables</h3>\n" + tables }
    return html
  }

  func fact(_ term: String, _ html: String) -> String { "<dt>\(h(term))</dt><dd>\(html)</dd>\n" }

  /// Passed: every gate passes and every stage is up to date. Failed: a gate or a stage failed.
  /// Incomplete otherwise (something is stale or never ran: the numbers may be old).
  func verdict(_ context: Context) -> String {
    let failedGates = context.gates.flatMap(\.results).filter { !$0.passed }
    let statuses = context.facts.statuses
    let stages = loaded.pipeline.stages
    let failedStages = stages.indices.filter { statuses[$0] == .failed }.map { stages[$0].name }
    let behind = statuses.filter { $0 == .stale || $0 == .neverRun }.count
    var problems = failedGates.map { result in
      "gate <code>\(h(result.stage))</code> \(h(result.metric)): "
        + (result.value.map { NumberFormat.significant($0) } ?? "missing")
        + (result.allowed(digits: result.digits).isEmpty
          ? "" : " (allowed \(h(result.allowed(digits: result.digits))))")
    }
    problems += failedStages.map { "stage <code>\(h($0))</code> failed in its last run" }
    // Stale groups by cause: those with a reason of their own, named with it; those stale only
    // because something upstream is, counted.
    var downstream = 0
    for group in context.grouping.groups {
      let lagging = group.members.filter { [.stale, .neverRun].contains(statuses[$0]) }
      let reasons = lagging.flatMap { context.facts.reasons[$0] }.filter {
        switch $0 {
        case .upstreamStale: false
        default: true
        }
      }
      if lagging.isEmpty { continue }
      guard let reason = reasons.first else {
        downstream += 1
        continue
      }
      var line = "<code>\(h(group.label))</code>: \(h(context.facts.detail(of: group.members)))"
      if case .neverRun = reason {} else { line += " — \(HTML.withCode(reason.message))" }
      problems.append(line)
    }
    if downstream > 0 {
      problems.append(
        "and \(downstream) step\(downstream == 1 ? "" : "s") downstream, stale because of those")
    }
    let kind: String
    var text: String
    if !failedGates.isEmpty || !failedStages.isEmpty {
      kind = "fail"
      text =
        "Failed: "
        + [
          failedGates.isEmpty
            ? nil : "\(failedGates.count) gate\(failedGates.count == 1 ? "" : "s") failed",
          failedStages.isEmpty
            ? nil : "\(failedStages.count) stage\(failedStages.count == 1 ? "" : "s") failed",
        ].compactMap { $0 }.joined(separator: ", ")
    } else if behind > 0 {
      kind = "incomplete"
      text =
        "Not current: \(behind) of \(stages.count) stages are stale or never ran, so some results are missing or out of date"
    } else {
      kind = "pass"
      let gates = context.gates.flatMap(\.results).count
      text = "Passed: all \(stages.count) stages up to date"
      text += gates == 0 ? " (no gates declared)" : ", all \(gates) gates pass"
    }
    if behind > 0, kind == "fail" {
      text += "; \(behind) stage\(behind == 1 ? " is" : "s are") stale or never ran"
    }
    let list = problems.prefix(12).map { "<li>\($0)</li>" }.joined()
    let more = problems.count > 12 ? "<li>… and \(problems.count - 12) more</li>" : ""
    return
      "<div class=\"verdict \(kind)\">\(h(text)).\(list.isEmpty ? "" : "<ul>\(list)\(more)</ul>")</div>\n"
  }

  /// The code commit of the current results, from their provenance records.
  func code(_ facts: StageFacts) -> String {
    let records = facts.records.values.sorted { $0.stage < $1.stage }
    guard !records.isEmpty else {
      return "no provenance records (run the pipeline with provenance to record the commit)"
    }
    var byCommit: [String: (count: Int, dirty: Bool, branch: String?)] = [:]
    for record in records {
      let code = Value.map(record.context.code)
      let commit = code["commit"]?.stringValue ?? "not in git"
      var entry = byCommit[commit] ?? (0, false, code["branch"]?.stringValue)
      entry.count += 1
      entry.dirty = entry.dirty || code["dirty"] == .bool(true)
      byCommit[commit] = entry
    }
    let lines = byCommit.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.map {
      commit, entry -> String in
      var line =
        commit == "not in git"
        ? "workspace not in git" : "<code>\(h(String(commit.prefix(12))))</code>"
      if let branch = entry.branch { line += " (\(h(branch)))" }
      line +=
        entry.dirty
        ? ", <span class=\"fail\">uncommitted changes</span> in the tree"
        : ", clean tree"
      if byCommit.count > 1 { line += " — \(entry.count) of \(records.count) stages" }
      return line
    }
    return lines.joined(separator: "<br>")
  }

  /// The newest run of this pipeline: when, how long (first start to last end), what it did;
  /// and the compute time behind the current results.
  func lastRun(_ facts: StageFacts) -> String {
    guard let run = facts.lastRun else { return "not recorded (no provenance records)" }
    let starts = run.records.compactMap { Timestamp.seconds($0.started) }
    let ends = run.records.compactMap { Timestamp.seconds($0.ended) }
    var line = "<code>\(h(run.id))</code>"
    if let first = run.records.map(\.started).min() { line += ", \(h(Timestamp.display(first)))" }
    if let start = starts.min(), let end = ends.max() {
      line += ", wall time \(Timestamp.duration(end - start))"
    }
    let outcomes = ProvenanceRecord.Outcome.allCases.compactMap { outcome -> String? in
      let count = run.records.filter { $0.outcome == outcome }.count
      return count == 0 ? nil : "\(count) \(outcome.rawValue)"
    }
    line += " (" + outcomes.joined(separator: ", ") + ")"
    let compute = facts.records.values.filter { $0.outcome == .executed }.map(\.durationSeconds)
    if !compute.isEmpty {
      line +=
        "; the current results took \(Timestamp.duration(compute.reduce(0, +))) of stage time to compute"
    }
    return line
  }

  func stageCounts(_ facts: StageFacts) -> String {
    let counts = StageStatus.allCases.compactMap { status -> String? in
      let count = facts.statuses.filter { $0 == status }.count
      return count == 0 ? nil : "\(count) \(status.label)"
    }
    return "\(facts.statuses.count): " + counts.joined(separator: ", ")
  }

  func gateLine(_ gates: [(metrics: GatedMetrics, results: [GateResult])]) -> String {
    let results = gates.flatMap(\.results)
    guard !results.isEmpty else { return "none declared" }
    let failed = results.filter { !$0.passed }
    let stages = Set(results.map(\.stage)).count
    if failed.isEmpty {
      return
        "<span class=\"ok\">all \(results.count) pass</span> (\(stages) stage\(stages == 1 ? "" : "s"))"
    }
    let names = failed.prefix(6).map { "<code>\(h($0.stage))</code> \(h($0.metric))" }
    return "<span class=\"fail\">\(failed.count) of \(results.count) fail</span>: "
      + names.joined(separator: ", ") + (failed.count > 6 ? ", …" : "")
  }

  /// Every table the stages reproduce, in pipeline order: a stage's Markdown `table:` file when
  /// it wrote one, else the table in its JSON result; `interpret`'s masking table (Table 9).
  func reproducedTables() -> String {
    var html = ""
    for stage in loaded.pipeline.stages {
      guard case .builtin(let kind, _, let config) = stage.action else { continue }
      if let path = config["table"]?.stringValue,
        let text = try? FileIO.readText(root + "/" + path)
      {
        html +=
          "<div class=\"reproduced-table\" data-stage=\"\(h(stage.name))\">\(MarkdownTables.html(text))<p class=\"note\">From <code>\(h(path))</code> (stage <code>\(h(stage.name))</code>).</p></div>\n"
        continue
      }
      switch kind {
      case "aggregate": html += aggregateTable(stage.name, config)
      case "compare", "consistency": html += resultTable(config)
      case "interpret": html += maskingTable(stage.name, config)
      default: break
      }
    }
    return html
  }
}

extension ProvenanceRecord.Outcome {
  static let allCases: [Self] = [.executed, .restored, .failed]
}
