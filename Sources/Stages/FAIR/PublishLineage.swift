internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowStore
internal import Publish

/// The lineage of what a `publish` stage publishes, from the provenance store: every
/// provenance record of its ancestry (one JSON file per run and stage, and each path's trace),
/// the dataset DOIs where the chain ends, and the code commit that made the first path.
struct PublishLineage {
  var files: [BundleFile] = []
  var datasets: [RelatedDataset] = []
  var commit: String?

  /// Traces `paths` (empty without a provenance store).
  init(of paths: [String], workspace root: String) throws {
    guard let store = try ProvenanceStore.open(workspace: root, create: false) else { return }
    let tracer = Tracer(store: store, workspace: root)
    let observer = Observer(root: root, statCache: StatCache(file: ""))
    var seen: Set<String> = []
    for (index, path) in paths.enumerated() {
      guard let observed = try observer.observe(path) else { continue }
      let node = try tracer.trace(path: path, sha256: observed.digest.hex, size: observed.size)
      visit(node, seen: &seen)
      if node.producer != nil {
        files.append(
          BundleFile(path: "trace-\(index + 1).json", bytes: Array(node.value.prettyJSON.utf8)))
      }
    }
  }

  /// Records a node's dataset origin and producing record (each once), then its inputs'.
  mutating func visit(_ node: Tracer.Node, seen: inout Set<String>) {
    if let origin = node.origin, let doi = origin.doi,
      !datasets.contains(where: { $0.doi.lowercased() == doi.lowercased() })
    {
      let title = origin.metadata.first { $0.key == "title" }?.value.stringValue
      let creators =
        origin.metadata.first { $0.key == "creators" }?.value.listValue?.compactMap(\.stringValue)
        ?? []
      datasets.append(RelatedDataset(doi: doi, title: title, creators: creators))
    }
    if let record = node.producer, seen.insert(record.run + "/" + record.stage).inserted {
      commit = commit ?? record.context.commit
      files.append(
        BundleFile(
          path: record.run + "/" + ProvenanceStore.fileName(stage: record.stage),
          bytes: Array(record.json.utf8)))
    }
    for input in node.inputs { visit(input, seen: &seen) }
  }

  /// The datasets of the lineage, then those of `dois` it does not already name.
  func datasets(adding dois: [String]) -> [RelatedDataset] {
    var all = datasets
    for doi in dois where !all.contains(where: { $0.doi.lowercased() == doi.lowercased() }) {
      all.append(RelatedDataset(doi: doi))
    }
    return all
  }
}
