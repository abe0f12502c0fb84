internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowStore
internal import ModelStages
internal import Foundation

/// The report's metric sections: metrics files, aggregates over seeds, masking thresholds, the
/// tables `compare` and `consistency` reproduce, and gate verdicts.
extension HTMLReport {
  func numbers(_ path: String) -> [String: Double]? {
    (try? FileIO.readText(root + "/" + path)).flatMap(MetricsFile.numbers)
  }

  func metricsTables() -> String {
    var html = ""
    for stage in loaded.pipeline.stages {
      for output in stage.outputs where output.isMetric {
        guard let values = numbers(output.path) else { continue }
        html += "<h3>\(h(output.path))</h3><table><tr><th>metric</th><th>value</th></tr>"
        for (k, v) in values.sorted(by: { $0.key < $1.key }) {
          html += "<tr><td>\(h(k))</td><td>\(v)</td></tr>"
        }
        html += "</table>\n"
      }
    }
    return html
  }

  /// Aggregates over seeds (`uses: aggregate`): the Table 4 form, mean ± sample std.
  func aggregateTables() -> String {
    var html = ""
    for stage in loaded.pipeline.stages {
      guard case .builtin("aggregate", _, let config) = stage.action,
        let path = config["output"]?.stringValue,
        let text = try? FileIO.readText(root + "/" + path),
        let summaries = try? AggregateSummary.parse(ValueParser.parse(text, file: path)),
        !summaries.isEmpty
      else { continue }
      html +=
        "<h3>\(h(config["title"]?.stringValue ?? "Aggregate: " + stage.name))</h3><table><tr><th>metric</th><th>mean ± std</th><th>min</th><th>max</th><th>n</th></tr>"
      for s in summaries {
        html +=
          "<tr><td>\(h(s.metric))</td><td>\(h(s.formatted(digits: 4)))</td><td>\(s.min)</td><td>\(s.max)</td><td>\(s.n)</td></tr>"
      }
      html += "</table><p>std: sample standard deviation (n − 1); \(h(path)).</p>\n"
    }
    return html
  }

  /// Simultaneous masking by ΔAUC threshold (`uses: interpret`): the paper's Table 9 form.
  func maskingTables() -> String {
    var html = ""
    for stage in loaded.pipeline.stages {
      guard case .builtin("interpret", _, let config) = stage.action,
        let directory = config["output"]?.stringValue,
        let text = try? FileIO.readText(root + "/" + directory + "/interpret.json"),
        let rows = (try? ValueParser.parse(text, file: directory))?["masking"]?["thresholds"]?
          .listValue,
        !rows.isEmpty
      else { continue }
      html +=
        "<h3>Masking by ΔAUC threshold: \(h(stage.name))</h3><table><tr><th>threshold [%]</th>"
        + "<th>tracks masked</th><th>vertices masked</th><th>AUC [%]</th><th>fidelity [%]</th></tr>"
      for row in rows {
        html +=
          "<tr><td>\(row["threshold_percent"]?.doubleValue.map { String($0) } ?? "-")</td>"
          + "<td>\(row["tracks_masked"]?.intValue ?? 0)</td>"
          + "<td>\(row["vertices_masked"]?.intValue ?? 0)</td>"
          + "<td>\(Self.fixed(row["auc"], 100))</td>"
          + "<td>\(Self.fixed(row["fidelity_percent"]))</td></tr>"
      }
      html +=
        "</table><p>Features whose single-feature masking changes the AUC by less than the "
        + "threshold are masked together (\(h(directory))/interpret.json).</p>\n"
    }
    return html
  }

  static func fixed(_ v: Value?, _ scale: Double = 1) -> String {
    v?.doubleValue.map { String(format: "%.2f", $0 * scale) } ?? "-"
  }

  /// Tables that stages reproduce (`compare`: Table 10; `consistency`: Table 8), from the
  /// `table` of their JSON results.
  func reproducedTables() -> String {
    var html = ""
    for stage in loaded.pipeline.stages {
      guard case .builtin(let kind, _, let config) = stage.action,
        ["compare", "consistency"].contains(kind), let path = config["output"]?.stringValue,
        let text = try? FileIO.readText(root + "/" + path),
        let document = try? ValueParser.parse(text, file: path),
        let table = ResultTable.parse(document)
      else { continue }
      html += "<h3>\(h(table.title))</h3><table><tr>"
      html += table.columns.map { "<th>\(h($0))</th>" }.joined() + "</tr>\n"
      for row in table.rows {
        html += "<tr>" + row.map { "<td>\(h($0))</td>" }.joined() + "</tr>\n"
      }
      html += "</table><p>\(h(table.note)) (\(h(path)))</p>\n"
    }
    return html
  }

  /// Each evaluate stage's gates judged on its metrics file and baseline file.
  func gateTables() -> String {
    var html = ""
    for e in GatedMetrics.all(in: loaded.pipeline) where !e.gates.isEmpty {
      let baseline = e.baselineFile.flatMap(numbers)
      html +=
        "<h3>Gates of \(h(e.stage))</h3><table><tr><th>metric</th><th>baseline</th><th>value</th><th>allowed</th><th>verdict</th></tr>"
      for r in e.check(values: numbers(e.output) ?? [:], baseline: baseline) {
        html +=
          "<tr><td>\(h(r.metric))</td><td>\(r.baseline.map { String($0) } ?? "-")</td><td>\(r.value.map { String($0) } ?? "missing")</td>"
        html +=
          "<td>\(h(r.allowed(digits: r.digits)))</td><td class=\"\(r.passed ? "ok" : "fail")\">\(r.passed ? "ok" : "FAIL")</td></tr>"
      }
      html += "</table>\n"
    }
    return html
  }
}
