internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowStore

/// A short provenance trace of each headline artifact (the tables the study reproduces, else
/// the aggregates' metrics files): the record that made the file's current content, its code
/// commit, its direct inputs and who made them, and its lineage: the stages it descends from,
/// in the graph's order, back to where the data starts. `fairflow prov trace FILE` prints the whole tree; this is the part a reader checks.
extension HTMLReport {
  func provenance(_ context: Context) -> String {
    let artifacts = headlineArtifacts()
    guard !artifacts.isEmpty else {
      return "<p>No headline artifacts (no aggregate, compare or consistency stage).</p>\n"
    }
    guard let store = context.store else {
      return "<p>No provenance records: the workspace has no record store yet.</p>\n"
    }
    let tracer = Tracer(store: store, workspace: root)
    let observer = Observer(root: root, statCache: statCache)
    let layers = DAGLayout(
      nodeCount: context.grouping.groups.count,
      edges: context.grouping.edges.map { ($0.from, $0.to) }, sweeps: 0
    ).layers
    var html = ""
    for path in artifacts {
      html += "<div class=\"trace\" data-path=\"\(h(path))\"><h3><code>\(h(path))</code></h3>\n"
      guard let observed = try? observer.observe(path) else {
        html += "<p>Not written yet.</p></div>\n"
        continue
      }
      guard
        let node = try? tracer.trace(
          path: path, sha256: observed.digest.hex, size: observed.size),
        let producer = node.producer
      else {
        html +=
          "<p>No provenance record lists this content (sha256 <code>\(observed.digest.hex.prefix(16))…</code>): it was not made by a recorded run, or was changed since.</p></div>\n"
        continue
      }
      html += traceFacts(node, producer, context, layers: layers)
      html +=
        "<p class=\"note\">The whole tree: <code>fairflow prov trace \(h(path))</code>.</p></div>\n"
    }
    return html
  }

  /// The reproduced tables' files, else the aggregates' metrics files, in pipeline order.
  func headlineArtifacts() -> [String] {
    var tables: [String] = []
    var aggregates: [String] = []
    for stage in loaded.pipeline.stages {
      guard case .builtin(let kind, _, let config) = stage.action,
        ["aggregate", "compare", "consistency"].contains(kind)
      else { continue }
      if let table = config["table"]?.stringValue { tables.append(table) }
      if kind == "aggregate", let output = config["output"]?.stringValue {
        aggregates.append(output)
      }
    }
    return tables.isEmpty ? aggregates : tables
  }

  func traceFacts(
    _ node: Tracer.Node, _ producer: ProvenanceRecord, _ context: Context, layers: [Int]
  ) -> String {
    var html = "<dl class=\"facts\">\n"
    var made = "stage <code>\(h(producer.stage))</code> in run <code>\(h(producer.run))</code>, "
    made += "\(h(Timestamp.display(producer.started))), \(producer.outcome.rawValue)"
    if let restored = node.restoredBy {
      made += " (restored by run <code>\(h(restored.run))</code>)"
    }
    html += fact("Made by", made)
    let code = Value.map(producer.context.code)
    if let commit = code["commit"]?.stringValue {
      var line = "<code>\(h(String(commit.prefix(12))))</code>"
      if let branch = code["branch"]?.stringValue { line += " (\(h(branch)))" }
      line += code["dirty"] == .bool(true) ? ", uncommitted changes" : ", clean tree"
      html += fact("Code", line)
    } else {
      html += fact("Code", "not in git")
    }
    if !producer.params.isEmpty {
      html += fact(
        "Parameters",
        producer.params.map { "<code>\(h($0.key))=\(h($0.value.interpolationText))</code>" }
          .joined(separator: " "))
    }
    html += fact("Inputs", inputsTable(node.inputs))
    html += fact("Lineage", chain(node, context.grouping, layers: layers))
    return html + "</dl>\n"
  }

  func inputsTable(_ inputs: [Tracer.Node]) -> String {
    guard !inputs.isEmpty else { return "none" }
    let rows = inputs.map { input -> [String] in
      let madeBy: String
      if let producer = input.producer {
        madeBy = "<code>\(h(producer.stage))</code>"
      } else if let origin = input.origin {
        madeBy = h("fetched from " + (origin.doi.map { "doi:" + $0 } ?? origin.url ?? "?"))
      } else {
        madeBy = h(input.source ?? "unknown")
      }
      return [
        "<code>\(h(input.path))</code>", "<code>\(input.sha256.prefix(12))…</code>", madeBy,
      ]
    }
    return HTML.table(head: ["input", "sha256", "made by"], rows: rows, class: "inputs")
  }

  /// "generate → convert → train ×10 → evaluate ×10 → aggregate": every stage in the artifact's
  /// lineage, folded by template ("train ×10"; "train@seed=1" when only one cell of a matrix
  /// took part) and placed by the graph's layers (stages side by side in one layer are listed
  /// together), then where the data comes from: fetched DOIs or URLs, source files, or stages
  /// without inputs.
  func chain(_ node: Tracer.Node, _ grouping: StageGrouping, layers: [Int]) -> String {
    var stages = Set<String>()
    var roots: [String] = []
    var pending = [node]
    while let item = pending.popLast() {
      guard let producer = item.producer else {
        if let origin = item.origin {
          roots.append("fetched " + (origin.doi.map { "doi:" + $0 } ?? origin.url ?? item.path))
        } else if let source = item.source {
          roots.append("\(item.path): \(source)")
        }
        continue
      }
      stages.insert(producer.stage)
      pending += item.inputs
    }
    var byGroup: [Int: [String]] = [:]
    for stage in stages {
      guard let index = loaded.pipeline.index(of: stage) else { continue }
      byGroup[grouping.groupOfStage[index], default: []].append(stage)
    }
    var byLayer: [Int: [String]] = [:]
    for (group, members) in byGroup.sorted(by: { $0.key < $1.key }) {
      let whole = grouping.groups[group]
      let label =
        members.count == whole.members.count
        ? whole.label : members.count == 1 ? members[0] : "\(whole.name) ×\(members.count)"
      byLayer[layers[group], default: []].append("<code>\(h(label))</code>")
    }
    var html = byLayer.sorted { $0.key < $1.key }.map { $0.value.joined(separator: ", ") }
      .joined(separator: " → ")
    let sources = roots.uniqued()
    if !sources.isEmpty {
      html += "<br>data from: " + sources.prefix(6).map(h).joined(separator: "; ")
      if sources.count > 6 { html += "; … (\(sources.count) in all)" }
    } else if let first = byLayer.keys.min(), let names = byLayer[first] {
      html += "<br>data from: \(names.joined(separator: ", ")) (no inputs: it generates the data)"
    }
    return html
  }
}
