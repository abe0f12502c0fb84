internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowStore
internal import ModelStages
internal import Foundation

/// The report's metric sections: one table per stage group's metrics files, the gates per gated
/// group, and the tables built from stages' JSON results (aggregates over seeds, masking
/// thresholds, `compare`/`consistency` tables) for stages that wrote no Markdown table.
extension HTMLReport {
  func metrics(_ context: Context) -> String {
    var html = ""
    var singles: [String: [MatrixMetricsTable.Row]] = [:]
    var singleKinds: [String] = []
    for group in context.grouping.groups {
      let stages = group.members.map { loaded.pipeline.stages[$0] }
      let paths = stages.map { $0.outputs.filter(\.isMetric).map(\.path) }
      guard paths.contains(where: { !$0.isEmpty }) else { continue }
      if group.isMatrix {
        let keys = stages[0].matrix.map(\.key)
        let rows = zip(stages, paths).map { stage, files in
          MatrixMetricsTable.Row(
            coordinates: stage.matrix.map { $0.value.interpolationText }, values: values(files))
        }
        html += "<h3>\(h(group.label))</h3>\n"
        html += MatrixMetricsTable(keys: keys, rows: rows).html
        html += "<p class=\"note\">\(h(metricsNote(paths.flatMap { $0 }, cells: rows.count)))</p>\n"
      } else {
        let kind = stages[0].kindName
        if singles[kind] == nil { singleKinds.append(kind) }
        singles[kind, default: []].append(
          .init(coordinates: [stages[0].name], values: values(paths[0])))
      }
    }
    for kind in singleKinds {
      html += "<h3>\(h(kind == "command" ? "Commands" : "uses: " + kind))</h3>\n"
      html += MatrixMetricsTable(keys: ["stage"], rows: singles[kind]!, showsStatistics: false).html
    }
    if html.isEmpty { html = "<p>No stage declares a metrics file.</p>\n" }
    return html + gateTables(context)
  }

  /// The numbers of a stage's metrics files, in order (nil when none exists yet).
  func values(_ files: [String]) -> [(key: String, value: Value)]? {
    let found = files.compactMap(orderedNumbers)
    return found.isEmpty ? nil : found.flatMap { $0 }
  }

  func metricsNote(_ files: [String], cells: Int) -> String {
    let shown =
      files.count <= 2 ? files.joined(separator: ", ") : "\(files[0]) … \(files[files.count - 1])"
    return
      "\(cells) cells (\(shown)); mean ± std: sample standard deviation (n − 1) over the cells; "
      + "values to 4 significant digits."
  }

  /// One table per gated stage group: a row per stage, per gate its value and verdict.
  func gateTables(_ context: Context) -> String {
    guard !context.gates.isEmpty else { return "" }
    var html = "<h3>Gates</h3>\n"
    var byGroup: [Int: [(metrics: GatedMetrics, results: [GateResult])]] = [:]
    var order: [Int] = []
    for gated in context.gates {
      guard let index = loaded.pipeline.index(of: gated.metrics.stage) else { continue }
      let group = context.grouping.groupOfStage[index]
      if byGroup[group] == nil { order.append(group) }
      byGroup[group, default: []].append(gated)
    }
    for group in order {
      let entries = byGroup[group]!
      let metrics = entries.flatMap { $0.results.map(\.metric) }.uniqued()
      let head =
        ["stage"]
        + metrics.map { metric -> String in
          let rules = Set(
            entries.compactMap {
              $0.results.first { $0.metric == metric }.map { $0.allowed(digits: $0.digits) }
            })
          return h(metric)
            + (rules.count == 1 && !rules.first!.isEmpty ? " " + h(rules.first!) : "")
        } + ["verdict"]
      let rows = entries.map { entry -> [String] in
        let cells = metrics.map { metric -> String in
          guard let result = entry.results.first(where: { $0.metric == metric }) else { return "–" }
          let value = result.value.map { NumberFormat.significant($0) } ?? "missing"
          // A relative rule without a baseline passes without checking anything: say so.
          if result.unchecked {
            return "<span class=\"unchecked\" title=\"no baseline: not checked\">–</span> \(value)"
          }
          let mark = result.passed ? "<span class=\"ok\">✓</span>" : "<span class=\"fail\">✗</span>"
          return "\(mark) \(value)"
        }
        let passed = entry.results.allSatisfy(\.passed)
        let verdict =
          !passed
          ? "<span class=\"fail\">FAIL</span>"
          : entry.results.allSatisfy(\.unchecked)
            ? "<span class=\"unchecked\">not checked (no baseline)</span>"
            : "<span class=\"ok\">ok</span>"
        return ["<code>\(h(entry.metrics.stage))</code>"] + cells + [verdict]
      }
      html += "<h4>\(h(context.grouping.groups[group].label))</h4>\n"
      html += HTML.table(head: head, rows: rows, class: "gates", numericFrom: 1)
    }
    return html
  }

  /// Aggregates over seeds (`uses: aggregate`) without a Markdown table: mean ± sample std.
  func aggregateTable(_ stage: String, _ config: Value) -> String {
    guard let path = config["output"]?.stringValue,
      let text = try? FileIO.readText(root + "/" + path),
      let summaries = try? AggregateSummary.parse(ValueParser.parse(text, file: path)),
      !summaries.isEmpty
    else { return "" }
    let rows = summaries.map { s in
      [
        h(s.metric), h(s.formatted(digits: 4)), NumberFormat.significant(s.min),
        NumberFormat.significant(s.max), String(s.n),
      ]
    }
    return "<h4>\(h(config["title"]?.stringValue ?? "Aggregate: " + stage))</h4>"
      + HTML.table(head: ["metric", "mean ± std", "min", "max", "n"], rows: rows, numericFrom: 1)
      + "<p class=\"note\">std: sample standard deviation (n − 1); <code>\(h(path))</code>.</p>\n"
  }

  /// Simultaneous masking by ΔAUC threshold (`uses: interpret`): the paper's Table 9 form.
  func maskingTable(_ stage: String, _ config: Value) -> String {
    guard let directory = config["output"]?.stringValue,
      let text = try? FileIO.readText(root + "/" + directory + "/interpret.json"),
      let rows = (try? ValueParser.parse(text, file: directory))?["masking"]?["thresholds"]?
        .listValue,
      !rows.isEmpty
    else { return "" }
    let cells = rows.map { row in
      [
        row["threshold_percent"]?.doubleValue.map { String($0) } ?? "-",
        String(row["tracks_masked"]?.intValue ?? 0), String(row["vertices_masked"]?.intValue ?? 0),
        Self.fixed(row["auc"], 100), Self.fixed(row["fidelity_percent"]),
      ]
    }
    let head = ["threshold [%]", "tracks masked", "vertices masked", "AUC [%]", "fidelity [%]"]
    return "<div class=\"reproduced-table\"><h4>Masking by ΔAUC threshold: \(h(stage))</h4>"
      + HTML.table(head: head, rows: cells, numericFrom: 0)
      + "<p class=\"note\">Features whose single-feature masking changes the AUC by less than the "
      + "threshold are masked together (<code>\(h(directory))/interpret.json</code>).</p></div>\n"
  }

  static func fixed(_ v: Value?, _ scale: Double = 1) -> String {
    v?.doubleValue.map { String(format: "%.2f", $0 * scale) } ?? "-"
  }

  /// A `compare`/`consistency` table (Table 10 / Table 8) from the `table` of its JSON result.
  func resultTable(_ config: Value) -> String {
    guard let path = config["output"]?.stringValue,
      let text = try? FileIO.readText(root + "/" + path),
      let document = try? ValueParser.parse(text, file: path),
      let table = ResultTable.parse(document)
    else { return "" }
    return "<div class=\"reproduced-table\">\(MarkdownTables.html(table.markdown))"
      + "<p class=\"note\">From <code>\(h(path))</code>.</p></div>\n"
  }
}

extension Stage {
  /// `uses: KIND`'s kind, or "command".
  var kindName: String {
    if case .builtin(let kind, _, _) = action { return kind }
    return "command"
  }
}

extension Array where Element: Hashable {
  /// The elements without repeats, in first-seen order.
  func uniqued() -> [Element] {
    var seen = Set<Element>()
    return filter { seen.insert($0).inserted }
  }
}
