internal import FairflowBase
internal import FairflowEngine
internal import FairflowCore
internal import FairflowProvenance
internal import FairflowStore
internal import Publish

/// Step 4 of ``BundleReproduction``: what the scratch run produced against what was published.
extension BundleReproduction {
  /// Compares every recipe artifact's digest with the scratch output (a missing output after a
  /// failed child run is `cannot`), and the published metrics with the reproduced metrics file.
  public func compare(childStatus: Int32) -> BundleComparison {
    let observer = Observer(root: workspace, statCache: StatCache(file: ""))
    var artifacts: [BundleComparison.Artifact] = []
    for artifact in recipe.artifacts {
      let reproduced = (try? observer.observe(artifact.path))??.digest.hex
      var row = BundleComparison.Artifact(
        path: artifact.path, isDirectory: artifact.isDirectory, verdict: .identical,
        recorded: artifact.sha256, reproduced: reproduced, files: [], reason: nil)
      if reproduced == nil && childStatus != 0 {
        row.verdict = .cannot
        row.reason = "the scratch run failed (exit status \(childStatus)) before producing it"
      } else if reproduced != artifact.sha256 {
        row.verdict = .differs
        if artifact.isDirectory, reproduced != nil {
          row.files = Self.differingFiles(
            published: payload + "/" + BundleLayout.modelPrefix,
            reproduced: workspace + "/" + artifact.path)
        }
      }
      artifacts.append(row)
    }
    return BundleComparison(
      source: source.text, doi: doi, pipeline: recipe.pipeline, commit: recipe.commit,
      stage: recipe.stage, artifacts: artifacts, metrics: metricDeltas())
  }

  /// The published `metrics.json` values against the reproduced metrics file (the recipe's last
  /// file artifact), read the way `publish` read it; empty when either is unreadable.
  func metricDeltas() -> [StageComparison.MetricDelta] {
    guard let file = recipe.artifacts.last(where: { !$0.isDirectory }),
      let published = try? FileIO.readText(payload + "/" + BundleLayout.metrics),
      let reproduced = try? FileIO.readText(workspace + "/" + file.path),
      let parsed = try? JSONParser.parse(published, file: BundleLayout.metrics),
      let metrics = try? PublicationFields.metrics(reproduced, file: file.path)
    else { return [] }
    var left: [(key: String, value: Value)] = []
    for entry in parsed["metrics"]?.listValue ?? [] {
      guard let name = entry["name"]?.stringValue else { continue }
      // As doubles, like the reproduced side: JSON writes 1.0 as 1.
      left.append((name, entry["value"]?.doubleValue.map(Value.double) ?? .null))
      if let uncertainty = entry["uncertainty"]?.doubleValue {
        left.append((name + "_uncertainty", .double(uncertainty)))
      }
    }
    var right: [(key: String, value: Value)] = []
    for metric in metrics {
      right.append((metric.name, .double(metric.value)))
      if let uncertainty = metric.uncertainty {
        right.append((metric.name + "_uncertainty", .double(uncertainty)))
      }
    }
    return Reproduction.metricDeltas(
      recorded: Value.map(left).prettyJSON, reproduced: Value.map(right).prettyJSON)
  }

  /// Files that differ between the published model files and the reproduced directory, then
  /// those missing from it, then those it added.
  static func differingFiles(published: String, reproduced: String) -> [String] {
    let left = files(under: published)
    let right = Set(files(under: reproduced))
    var out: [String] = []
    for path in left where right.contains(path) {
      let a = try? FileHasher.hash(published + "/" + path).digest
      let b = try? FileHasher.hash(reproduced + "/" + path).digest
      if a == nil || a != b { out.append(path) }
    }
    out += left.filter { !right.contains($0) }
    out += right.subtracting(left).sorted()
    return out
  }

  /// The relative paths of the files below `directory`, sorted.
  static func files(under directory: String, prefix: String = "") -> [String] {
    var out: [String] = []
    for name in ((try? FileIO.list(directory)) ?? []).sorted() {
      let path = directory + "/" + name
      if (try? FileIO.stat(path))?.kind == .directory {
        out += files(under: path, prefix: prefix + name + "/")
      } else {
        out.append(prefix + name)
      }
    }
    return out
  }
}
