internal import FairflowBase
public import Foundation

/// Writes the whole publication bundle (see ``BundleLayout``) for a spec and a run's outputs:
/// model files, metrics, provenance, the reproduction recipe, DataCite JSON, CITATION.cff, model card, FAIR assessment,
/// RO-Crate and the bag around them.
///
/// The bundle is built in a temporary sibling directory and renamed into place, so a reader never
/// sees half a bundle and a failed write leaves the previous bundle untouched. Nothing depends on
/// the clock except through `date`, so the same inputs give byte-identical bundles.
public enum PublicationBundle {
  /// What was written.
  public struct Summary: Sendable, Equatable {
    public var directory: URL
    /// Every payload file (paths relative to `data/`), sorted, with sizes and digests.
    public var payload: [PayloadFile]
    /// Every file of the bundle relative to its root (`bagit.txt`, `data/…`), sorted.
    public var files: [String]
    public var assessment: FAIRAssessment
  }

  @discardableResult
  public static func write(
    spec: PublicationSpec, inputs: PublicationInputs, to destination: URL, date: Date
  ) throws(PublishError) -> Summary {
    try spec.validate()
    let day = BundleDate(date)
    let placed = try place(inputs)
    let manager = FileManager.default
    let parent = destination.deletingLastPathComponent()
    let staging = parent.appendingPathComponent(
      ".\(destination.lastPathComponent).partial-\(UUID().uuidString)")
    do {
      try manager.createDirectory(at: staging, withIntermediateDirectories: true)
    } catch {
      throw .io(path: staging.path, detail: error.localizedDescription)
    }
    do {
      let summary = try build(
        spec: spec, inputs: inputs, placed: placed, in: staging, date: day)
      try replace(destination, with: staging)
      return Summary(
        directory: destination, payload: summary.payload, files: summary.files,
        assessment: summary.assessment)
    } catch {
      try? manager.removeItem(at: staging)
      throw error
    }
  }

  /// Inputs at their payload paths, checked for safety and collisions.
  private static func place(
    _ inputs: PublicationInputs
  ) throws(PublishError) -> [(path: String, file: BundleFile)] {
    var placed: [(path: String, file: BundleFile)] = []
    var seen: Set<String> = []
    let sections = [
      (BundleLayout.modelPrefix, inputs.modelFiles),
      (BundleLayout.provenancePrefix, inputs.provenance),
      (BundleLayout.reproducePrefix, inputs.reproduce),
    ]
    for (prefix, files) in sections {
      for file in files {
        let path = prefix + (try BundlePath.check(file.path))
        guard seen.insert(path).inserted else { throw .duplicatePath(path) }
        placed.append((path, file))
      }
    }
    return placed.sorted { $0.path < $1.path }
  }

  private static func build(
    spec: PublicationSpec, inputs: PublicationInputs,
    placed: [(path: String, file: BundleFile)], in root: URL, date: BundleDate
  ) throws(PublishError) -> Summary {
    let data = root.appendingPathComponent(BundleLayout.payloadDirectory)
    var payload: [PayloadFile] = []
    func emit(_ path: String, _ bytes: [UInt8]) throws(PublishError) {
      try BundleIO.write(bytes, to: data.appendingPathComponent(path))
      payload.append(PayloadFile(path: path, hashes: FileHashes.of(bytes: bytes)))
    }
    for (path, file) in placed {
      switch file.content {
      case .bytes(let bytes): try emit(path, bytes)
      case .file(let source):
        let target = data.appendingPathComponent(path)
        try BundleIO.copy(source, to: target)
        payload.append(PayloadFile(path: path, hashes: try FileHashes.of(target)))
      }
    }
    let models = payload.filter { $0.path.hasPrefix(BundleLayout.modelPrefix) }
    let assessment = FAIRAssessment(spec: spec, inputs: inputs)
    try emit(BundleLayout.metrics, metricsJSON(inputs))
    try emit(
      BundleLayout.dataCite,
      DataCiteWriter.write(
        spec: spec, date: date, payloadBytes: models.reduce(0) { $0 + $1.size },
        fileCount: models.count))
    try emit(BundleLayout.citation, CitationCFFWriter.write(spec: spec, date: date))
    try emit(BundleLayout.modelCard, ModelCardWriter.write(spec: spec, inputs: inputs, date: date))
    try emit(BundleLayout.fairJSON, assessment.json)
    try emit(BundleLayout.fairMarkdown, assessment.markdown)
    try emit(
      BundleLayout.roCrate,
      ROCrateWriter.write(spec: spec, inputs: inputs, files: payload, date: date))
    payload.sort { $0.path < $1.path }
    try BagWriter.write(
      bagAt: root, payload: payload, date: date, description: spec.title,
      externalIdentifier: spec.doi.map { "doi:" + $0 })
    let files = (BagWriter.tagFiles + payload.map { "data/" + $0.path }).sorted()
    return Summary(directory: root, payload: payload, files: files, assessment: assessment)
  }

  /// `metrics.json`: the metrics in the order given, plus the code commit they came from.
  static func metricsJSON(_ inputs: PublicationInputs) -> [UInt8] {
    var fields: [(key: String, value: Value)] = [
      (
        "metrics",
        .list(
          inputs.metrics.map { metric in
            var entry: [(key: String, value: Value)] = [
              ("name", .string(metric.name)), ("value", .double(metric.value)),
            ]
            if let uncertainty = metric.uncertainty {
              entry.append(("uncertainty", .double(uncertainty)))
            }
            if let text = metric.description { entry.append(("description", .string(text))) }
            return .map(entry)
          })
      )
    ]
    if let commit = inputs.codeCommit { fields.append(("codeCommit", .string(commit))) }
    return Array(Value.map(fields).prettyJSON.utf8)
  }

  /// Moves `staging` to `destination`, replacing a previous bundle there.
  private static func replace(_ destination: URL, with staging: URL) throws(PublishError) {
    let manager = FileManager.default
    var old: URL?
    do {
      if manager.fileExists(atPath: destination.path) {
        let aside = destination.deletingLastPathComponent().appendingPathComponent(
          ".\(destination.lastPathComponent).old-\(UUID().uuidString)")
        try manager.moveItem(at: destination, to: aside)
        old = aside
      }
      try manager.moveItem(at: staging, to: destination)
    } catch {
      if let old { try? manager.moveItem(at: old, to: destination) }
      throw .io(path: destination.path, detail: error.localizedDescription)
    }
    if let old { try? manager.removeItem(at: old) }
  }
}
