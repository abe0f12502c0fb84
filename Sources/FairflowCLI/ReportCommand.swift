import ModelStages
internal import ArgumentParser
internal import Foundation
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowStages
internal import FairflowStore
internal import Plots
import FairflowBase

/// `fairflow report`: one self-contained HTML page (inline SVG, no external assets) with the
/// pipeline's graph, stage table, metrics and gates, every SVG chart its stages wrote, and the
/// provenance of each output (code commit, DOIs of the data).
struct Report: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Write a self-contained HTML report of a pipeline: graph, stages, metrics, gates, plots, provenance."
  )
  @OptionGroup var pipelineOptions: PipelineOptions
  @Option(help: "Output file.") var out = "report.html"

  func run() async throws {
    let context = try CommandContext.load(pipelineOptions)
    let loaded = context.loaded
    let root = context.workspace.root
    func h(_ s: String) -> String { SVGPlot.escape(s) }
    let title =
      loaded.pipeline.name.isEmpty
      ? String(context.workspace.display(loaded.file).split(separator: "/").last ?? "pipeline")
      : loaded.pipeline.name
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>fairflow report: \(h(title))</title>
      <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
      td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px}th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;overflow:auto}
      .ok{color:#176e17}.fail{color:#b00}.figure{display:inline-block;margin:8px;vertical-align:top}</style></head><body>
      <h1>Pipeline \(h(title))</h1>
      <p>\(h(context.workspace.display(loaded.file))), fairflow \(FairflowVersion.current)</p>

      """
    html +=
      "<h2>Graph</h2><pre>\(h(DagRenderer.render(loaded.pipeline, graph: loaded.graph, format: .ascii)))</pre>\n"
    // Stages: status now, and what the last recorded run did.
    let status = try StatusReport.compute(loaded, statCache: context.statCache)
    let store = try? ProvenanceStore.open(workspace: root, create: false)
    var records: [String: ProvenanceRecord] = [:]
    if let store, let runs = try? store.runIDs() {
      for run in runs.suffix(50) {
        for r in (try? store.records(run: run)) ?? [] { records[r.stage] = r }
      }
    }
    html +=
      "<h2>Stages</h2><table><tr><th>stage</th><th>status</th><th>last outcome</th><th>seconds</th><th>code</th><th>data origins</th></tr>\n"
    for row in status.rows {
      let r = records[row.stage]
      let origins = (r?.deps ?? []).compactMap {
        $0.origin?.doi.map { "doi:" + $0 } ?? $0.origin?.url
      }
      let outcome =
        r.map { $0.outcome.rawValue + ($0.restoredFrom.map { " (from \($0))" } ?? "") } ?? "-"
      html +=
        "<tr><td>\(h(row.stage))</td><td>\(row.isStale ? "stale" : "up to date")</td><td>\(h(outcome))</td>"
      html +=
        "<td>\(r.map { String($0.durationSeconds) } ?? "-")</td><td>\(h(r?.context.commit.map { String($0.prefix(12)) } ?? "-"))</td>"
      html += "<td>\(h(origins.joined(separator: ", ")))</td></tr>\n"
    }
    html += "</table>\n"
    // Metrics and gates.
    let source = MetricsSource(context: context)
    html += "<h2>Metrics</h2>\n"
    for stage in loaded.pipeline.stages {
      for output in stage.outputs where output.isMetric {
        guard let values = source.current(output.path) else { continue }
        html += "<h3>\(h(output.path))</h3><table><tr><th>metric</th><th>value</th></tr>"
        for (k, v) in values.sorted(by: { $0.key < $1.key }) {
          html += "<tr><td>\(h(k))</td><td>\(v)</td></tr>"
        }
        html += "</table>\n"
      }
    }
    // Aggregates over seeds (`uses: aggregate`): the Table 4 form, mean ± sample std.
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
    // Simultaneous masking by ΔAUC threshold (`uses: interpret`): the paper's Table 9 form.
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
      func real(_ v: Value?) -> Double? {
        switch v {
        case .double(let d)?: d
        case .int(let i)?: Double(i)
        default: nil
        }
      }
      func number(_ v: Value?, _ scale: Double = 1) -> String {
        real(v).map { String(format: "%.2f", $0 * scale) } ?? "-"
      }
      for row in rows {
        html +=
          "<tr><td>\(real(row["threshold_percent"]).map { String($0) } ?? "-")</td>"
          + "<td>\(row["tracks_masked"]?.intValue ?? 0)</td>"
          + "<td>\(row["vertices_masked"]?.intValue ?? 0)</td>"
          + "<td>\(number(row["auc"], 100))</td><td>\(number(row["fidelity_percent"]))</td></tr>"
      }
      html +=
        "</table><p>Features whose single-feature masking changes the AUC by less than the "
        + "threshold are masked together (\(h(directory))/interpret.json).</p>\n"
    }
    // Tables that stages reproduce (`compare`: Table 10; `consistency`: Table 8), from the
    // `table` of their JSON results.
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
    for e in source.evaluations where !e.gates.isEmpty {
      let values = source.current(e.output) ?? [:]
      let baseline = e.baselineFile.flatMap(source.current)
      html +=
        "<h3>Gates of \(h(e.stage))</h3><table><tr><th>metric</th><th>baseline</th><th>value</th><th>allowed</th><th>verdict</th></tr>"
      for g in e.gates {
        let v = values[g.metric]
        let (allowed, ok) = v.map { g.check($0, baseline: baseline?[g.metric]) } ?? ("", false)
        html +=
          "<tr><td>\(h(g.metric))</td><td>\(baseline?[g.metric].map { String($0) } ?? "-")</td><td>\(v.map { String($0) } ?? "missing")</td>"
        html +=
          "<td>\(h(allowed))</td><td class=\"\(ok ? "ok" : "fail")\">\(ok ? "ok" : "FAIL")</td></tr>"
      }
      html += "</table>\n"
    }
    // Every SVG inside the pipeline's outputs.
    html += "<h2>Plots</h2>\n"
    var svgs: [String] = []
    for stage in loaded.pipeline.stages {
      for output in stage.outputs {
        let path = root + "/" + output.path
        if output.path.hasSuffix(".svg") {
          svgs.append(output.path)
        } else if (try? FileIO.stat(path))?.kind == .directory {
          for name in ((try? FileIO.list(path)) ?? []).sorted() where name.hasSuffix(".svg") {
            svgs.append(output.path + "/" + name)
          }
        }
      }
    }
    for path in svgs {
      guard let svg = try? FileIO.readText(root + "/" + path), svg.hasPrefix("<svg") else {
        continue
      }
      html += "<div class=\"figure\">\(svg)<br><small>\(h(path))</small></div>\n"
    }
    if svgs.isEmpty { html += "<p>No charts yet.</p>\n" }
    html += "</body></html>\n"
    let target = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
    try FileIO.writeAtomically(Array(html.utf8), to: target)
    print("report: \(out) (\(svgs.count) charts)")
  }
}
