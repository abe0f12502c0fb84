package import FairflowEngine
package import FairflowStore
internal import FairflowBase
internal import FairflowCore
internal import FairflowProvenance
internal import ModelStages

/// `fairflow report`'s page: one self-contained HTML file (inline CSS and SVG, no external
/// resources) that answers a reader's questions in order:
///
/// 1. Summary: did the study pass (gates, failed or stale stages), which pipeline, which code
///    commit (and whether the tree was dirty), when it ran and for how long, and the tables it
///    reproduces (the Markdown tables of `aggregate`, `compare` and `consistency`; Table 9 of
///    `interpret`).
/// 2. The graph: stage groups (a matrix is one node, "train ×10"), layered left to right,
///    coloured by status (`DAGDrawing`).
/// 3. Metrics: one table per stage group (a matrix: a row per cell and a mean ± std row), then
///    the gates, one table per gated group.
/// 4. Charts: each group's ROC curves overlaid, its training curves (loss and the other
///    per-epoch values in separate panels), then every other SVG the stages wrote.
/// 5. Provenance: a short trace of each headline artifact (the reproduced tables).
/// 6. Stages: every stage's status, reasons, last outcome, duration, code and data origins.
///
/// Reads the workspace (metrics, charts, provenance records) and writes nothing but the stat
/// cache that status computation refreshes. Prints well: sections start pages, charts scale.
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

  /// What the sections share, gathered once.
  struct Context {
    var facts: StageFacts
    var grouping: StageGrouping
    var gates: [(metrics: GatedMetrics, results: [GateResult])]
    var store: ProvenanceStore?
  }

  /// The page, and how many charts it shows.
  package func render() throws -> (html: String, charts: Int) {
    let store = try? ProvenanceStore.open(workspace: root, create: false, indexCache: false)
    let context = Context(
      facts: try StageFacts.gather(loaded, statCache: statCache, store: store),
      grouping: StageGrouping(loaded.pipeline, graph: loaded.graph), gates: gateResults(),
      store: store)
    var html = header()
    html += section("summary", "Summary", summary(context))
    html += section("graph", "Pipeline graph", graph(context))
    html += section("metrics", "Metrics and gates", metrics(context))
    let charts = self.charts(context)
    html += section("charts", "Charts", charts.html)
    html += section("provenance", "Provenance", provenance(context))
    html += section("stages", "Stages", stageTable(context))
    html += "</body></html>\n"
    return (html, charts.count)
  }

  func h(_ s: String) -> String { HTML.escape(s) }

  func section(_ id: String, _ title: String, _ body: String) -> String {
    "<section id=\"\(id)\">\n<h2>\(h(title))</h2>\n\(body)</section>\n"
  }

  var title: String {
    loaded.pipeline.name.isEmpty
      ? String(workspace.display(loaded.file).split(separator: "/").last ?? "pipeline")
      : loaded.pipeline.name
  }

  private func header() -> String {
    let sections = [
      ("summary", "Summary"), ("graph", "Graph"), ("metrics", "Metrics"), ("charts", "Charts"),
      ("provenance", "Provenance"), ("stages", "Stages"),
    ]
    let description = loaded.pipeline.description.map { " — " + h($0) } ?? ""
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>fairflow report: \(h(title))</title>
      <style>\(ReportStyle.css)</style></head><body>
      <h1>\(h(title))</h1>
      <p class="subtitle"><code>\(h(workspace.display(loaded.file)))</code>\(description) · \
      report by fairflow \(FairflowVersion.current)</p>
      <nav>\(sections.map { "<a href=\"#\($0.0)\">\($0.1)</a>" }.joined())</nav>

      """
  }

  /// Each evaluate stage's gates judged on its metrics file and baseline file.
  func gateResults() -> [(metrics: GatedMetrics, results: [GateResult])] {
    GatedMetrics.all(in: loaded.pipeline).filter { !$0.gates.isEmpty }.map { gated in
      (
        gated,
        gated.check(values: numbers(gated.output), baseline: gated.baselineFile.flatMap(numbers))
      )
    }
  }

  /// A metrics JSON file's top-level numbers (integers and reals), in file order.
  func orderedNumbers(_ path: String) -> [(key: String, value: Value)]? {
    guard let text = try? FileIO.readText(root + "/" + path),
      case .map(let pairs)? = try? ValueParser.parse(text, file: path)
    else { return nil }
    return pairs.filter { $0.value.doubleValue != nil }
  }

  func numbers(_ path: String) -> [String: Double]? {
    orderedNumbers(path).map { pairs in
      Dictionary(pairs.map { ($0.key, $0.value.doubleValue!) }, uniquingKeysWith: { a, _ in a })
    }
  }

  /// The pipeline graph of stage groups.
  func graph(_ context: Context) -> String {
    let stages = loaded.pipeline.stages
    let nodes = context.grouping.groups.map { group in
      DAGDrawing.Node(
        name: group.name, label: group.label, detail: context.facts.detail(of: group.members),
        status: .combined(group.members.map { context.facts.statuses[$0] }))
    }
    let drawing = DAGDrawing(
      nodes: nodes, edges: context.grouping.edges.map { ($0.from, $0.to) })
    let matrices = context.grouping.groups.filter(\.isMatrix).count
    var note = "\(stages.count) stages in \(context.grouping.groups.count) steps"
    if matrices > 0 { note += "; a matrix stage is one box (×N: its cells)" }
    return drawing.svg
      + "<p class=\"note\">\(note). Arrows point from a stage to those that use its outputs; a dependency also reached through another stage is not drawn (<code>fairflow dag</code> lists every one).</p>\n"
  }

  /// Every stage: status and why, what its newest record says (outcome, seconds, code commit),
  /// and the DOIs or URLs its inputs were fetched from.
  func stageTable(_ context: Context) -> String {
    let stages = loaded.pipeline.stages
    var rows: [[String]] = []
    for index in loaded.graph.order {
      let stage = stages[index]
      let record = context.facts.records[stage.name]
      let status = context.facts.statuses[index]
      var state = "<span class=\"status-\(status.rawValue)\">\(status.label)</span>"
      if status == .failed, let failure = record?.failure {
        state += ": " + h(failure)
      } else if let reason = context.facts.reasons[index].first, status == .stale {
        state += ": " + HTML.withCode(reason.message)
        let more = context.facts.reasons[index].count - 1
        if more > 0 { state += " (+\(more))" }
      }
      let origins = (record?.deps ?? []).compactMap {
        $0.origin?.doi.map { "doi:" + $0 } ?? $0.origin?.url
      }
      let outcome =
        record.map { $0.outcome.rawValue + ($0.restoredFrom.map { " (from \($0))" } ?? "") } ?? "–"
      rows.append([
        "<code>\(h(stage.name))</code>", state, h(outcome),
        record.map { NumberFormat.significant($0.durationSeconds, digits: 3) } ?? "–",
        record?.context.commit.map { "<code>\(h(String($0.prefix(12))))</code>" } ?? "–",
        h(origins.joined(separator: ", ")),
      ])
    }
    return HTML.table(
      head: ["stage", "status", "last outcome", "seconds", "code", "data origins"], rows: rows,
      class: "stages")
      + "<p class=\"note\">In run order. Status as <code>fairflow status</code> computes it; the rest from each stage's newest provenance record.</p>\n"
  }
}
