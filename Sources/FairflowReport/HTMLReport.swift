package import FairflowEngine
package import FairflowStore
internal import FairflowBase
internal import FairflowCore
internal import FairflowProvenance
internal import Plots

/// `fairflow report`'s page: one self-contained HTML file (inline SVG, no external assets) with
/// the pipeline's graph, stage table, metrics and gates, the tables stages reproduce, every SVG
/// chart the stages wrote, and each stage's provenance (code commit, DOIs of the data).
///
/// Reads only the workspace (metrics files, charts, provenance records); writes nothing.
package struct HTMLReport {
  package let loaded: LoadedPipeline
  package let workspace: Workspace
  package let statCache: StatCache

  package init(loaded: LoadedPipeline, workspace: Workspace, statCache: StatCache) {
    self.loaded = loaded
    self.workspace = workspace
    self.statCache = statCache
  }

  var root: String { workspace.root }

  /// The page, and how many charts it shows.
  package func render() throws -> (html: String, charts: Int) {
    var html = header()
    html +=
      "<h2>Graph</h2><pre>\(h(DagRenderer.render(loaded.pipeline, graph: loaded.graph, format: .ascii)))</pre>\n"
    html += try stageTable()
    html += "<h2>Metrics</h2>\n"
    html += metricsTables()
    html += aggregateTables()
    html += maskingTables()
    html += reproducedTables()
    html += gateTables()
    let charts = chartPaths()
    html += "<h2>Plots</h2>\n" + figures(charts)
    html += "</body></html>\n"
    return (html, charts.count)
  }

  func h(_ s: String) -> String { SVGPlot.escape(s) }

  private func header() -> String {
    let title =
      loaded.pipeline.name.isEmpty
      ? String(workspace.display(loaded.file).split(separator: "/").last ?? "pipeline")
      : loaded.pipeline.name
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>fairflow report: \(h(title))</title>
      <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
      td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px}th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;overflow:auto}
      .ok{color:#176e17}.fail{color:#b00}.figure{display:inline-block;margin:8px;vertical-align:top}</style></head><body>
      <h1>Pipeline \(h(title))</h1>
      <p>\(h(workspace.display(loaded.file))), fairflow \(FairflowVersion.current)</p>

      """
  }

  /// Stages: status now, and what the last recorded run did.
  private func stageTable() throws -> String {
    let status = try StatusReport.compute(loaded, statCache: statCache)
    let records = latestRecords()
    var html =
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
    return html + "</table>\n"
  }

  /// The newest provenance record of each stage among the last 50 runs.
  private func latestRecords() -> [String: ProvenanceRecord] {
    var records: [String: ProvenanceRecord] = [:]
    guard let store = try? ProvenanceStore.open(workspace: root, create: false),
      let runs = try? store.runIDs()
    else { return records }
    for run in runs.suffix(50) {
      for r in (try? store.records(run: run)) ?? [] { records[r.stage] = r }
    }
    return records
  }

  /// Every SVG inside the pipeline's outputs (files, or directories holding them).
  private func chartPaths() -> [String] {
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
    return svgs
  }

  private func figures(_ svgs: [String]) -> String {
    var html = ""
    for path in svgs {
      guard let svg = try? FileIO.readText(root + "/" + path), svg.hasPrefix("<svg") else {
        continue
      }
      html += "<div class=\"figure\">\(svg)<br><small>\(h(path))</small></div>\n"
    }
    return svgs.isEmpty ? html + "<p>No charts yet.</p>\n" : html
  }
}
