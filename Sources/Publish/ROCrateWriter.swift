public import FairflowBase
internal import Foundation

/// `ro-crate-metadata.json` (RO-Crate 1.1) for the bundle's payload: the root data set carries
/// the citation metadata (authors with ORCID, licence, DOI, keywords), every payload file is a
/// `File` data entity with its size and SHA-256, metrics are `PropertyValue`s, and the training
/// data and code repository are contextual entities the root `isBasedOn`.
///
/// The crate sits in the bag's `data/` next to the files it describes (RO-Crate 1.1 "Bagged
/// RO-Crate"), so `@id`s are the payload-relative paths, percent-encoded where needed.
public enum ROCrateWriter {
  public static func document(
    spec: PublicationSpec, inputs: PublicationInputs, files: [PayloadFile], date: BundleDate
  ) -> Value {
    func ref(_ id: String) -> Value { .map([("@id", .string(id))]) }
    let sortedFiles = files.sorted { $0.path < $1.path }
    var contextual: [Value] = []

    var authorIDs: [String] = []
    for (index, creator) in spec.creators.enumerated() {
      let id = creator.orcidID.map { "https://orcid.org/" + $0 } ?? "#creator-\(index + 1)"
      authorIDs.append(id)
      var fields: [(key: String, value: Value)] = [
        ("@id", .string(id)), ("@type", .string(creator.isPerson ? "Person" : "Organization")),
        ("name", .string(creator.readingName)),
      ]
      if let given = creator.givenName { fields.append(("givenName", .string(given))) }
      if let family = creator.familyName { fields.append(("familyName", .string(family))) }
      if let affiliation = creator.affiliation {
        fields.append(("affiliation", .string(affiliation)))
      }
      contextual.append(.map(fields))
    }

    var root: [(key: String, value: Value)] = [
      ("@id", .string("./")), ("@type", .string("Dataset")), ("name", .string(spec.title)),
      ("description", .string(spec.description)), ("datePublished", .string(date.day)),
      ("author", .list(authorIDs.map(ref))), ("publisher", ref("#publisher")),
    ]
    contextual.append(
      .map([
        ("@id", .string("#publisher")), ("@type", .string("Organization")),
        ("name", .string(spec.publisher)),
      ]))
    if let license = spec.resolvedLicense {
      root.append(("license", ref(license.url)))
      contextual.append(
        .map([
          ("@id", .string(license.url)), ("@type", .string("CreativeWork")),
          ("name", .string(license.name)), ("identifier", .string(license.id)),
        ]))
    } else if let license = spec.license, !license.isEmpty {
      root.append(("license", .string(license)))
    }
    if let doi = spec.doi { root.append(("identifier", .string("https://doi.org/" + doi))) }
    if let url = spec.recordURL { root.append(("url", .string(url.absoluteString))) }
    if let version = spec.version { root.append(("version", .string(version))) }
    let keywords = DataCiteWriter.unique(spec.keywords)
    if !keywords.isEmpty { root.append(("keywords", .list(keywords.map(Value.string)))) }

    var basedOn: [String] = []
    for dataset in spec.trainingData {
      let id = "https://doi.org/" + dataset.doi
      guard !basedOn.contains(id) else { continue }
      basedOn.append(id)
      contextual.append(
        .map([
          ("@id", .string(id)), ("@type", .string("Dataset")),
          ("name", .string(dataset.title ?? dataset.doi)), ("identifier", .string(id)),
        ]))
    }
    if let code = spec.codeRepository {
      basedOn.append(code.absoluteString)
      var fields: [(key: String, value: Value)] = [
        ("@id", .string(code.absoluteString)), ("@type", .string("SoftwareSourceCode")),
        ("name", .string("Source code of \(spec.title)")),
        ("codeRepository", .string(code.absoluteString)),
      ]
      if let commit = inputs.codeCommit { fields.append(("version", .string(commit))) }
      contextual.append(.map(fields))
    }
    if !basedOn.isEmpty { root.append(("isBasedOn", .list(basedOn.map(ref)))) }

    var metricIDs: [String] = []
    for metric in inputs.metrics {
      let id = "#metric-" + slug(metric.name)
      metricIDs.append(id)
      var fields: [(key: String, value: Value)] = [
        ("@id", .string(id)), ("@type", .string("PropertyValue")), ("name", .string(metric.name)),
        ("value", .double(metric.value)),
      ]
      var notes: [String] = []
      if let uncertainty = metric.uncertainty { notes.append("uncertainty ± \(uncertainty)") }
      if let text = metric.description { notes.append(text) }
      if !notes.isEmpty { fields.append(("description", .string(notes.joined(separator: "; ")))) }
      contextual.append(.map(fields))
    }
    if !metricIDs.isEmpty { root.append(("variableMeasured", .list(metricIDs.map(ref)))) }

    let fileIDs = sortedFiles.map { encode($0.path) }
    root.append(("hasPart", .list(fileIDs.map(ref))))
    var dataEntities: [Value] = []
    for (file, id) in zip(sortedFiles, fileIDs) {
      var fields: [(key: String, value: Value)] = [
        ("@id", .string(id)), ("@type", .string("File")), ("name", .string(file.path)),
        ("contentSize", .string(String(file.size))), ("sha256", .string(file.sha256)),
      ]
      if let media = file.mediaType { fields.append(("encodingFormat", .string(media))) }
      if let role = role(of: file.path) { fields.append(("description", .string(role))) }
      dataEntities.append(.map(fields))
    }

    let descriptor: Value = .map([
      ("@id", .string("ro-crate-metadata.json")), ("@type", .string("CreativeWork")),
      ("conformsTo", ref("https://w3id.org/ro/crate/1.1")), ("about", ref("./")),
    ])
    return .map([
      (
        "@context",
        .list([
          .string("https://w3id.org/ro/crate/1.1/context"),
          .map([("sha256", .string("https://w3id.org/ro/terms/workflow-run#sha256"))]),
        ])
      ),
      ("@graph", .list([descriptor, .map(root)] + dataEntities + contextual)),
    ])
  }

  public static func write(
    spec: PublicationSpec, inputs: PublicationInputs, files: [PayloadFile], date: BundleDate
  ) -> [UInt8] {
    Array(document(spec: spec, inputs: inputs, files: files, date: date).prettyJSON.utf8)
  }

  static func role(of path: String) -> String? {
    if path.hasPrefix("model/") { return "Model file" }
    if path.hasPrefix("provenance/") { return "Provenance record" }
    if path == BundleLayout.sourceArchive { return "Source code of the code commit (ustar)" }
    if path == BundleLayout.recipe { return "Reproduction recipe (fairflow reproduce)" }
    if path.hasPrefix(BundleLayout.reproducePrefix) { return "Pipeline lock file" }
    switch path {
    case "metrics.json": return "Evaluation metrics"
    case "datacite.json": return "DataCite 4.5 metadata"
    case "CITATION.cff": return "Citation File Format 1.2.0"
    case BundleLayout.modelCard: return "Model card"
    case "fair-assessment.json", "fair-assessment.md": return "FAIR self-assessment"
    default: return nil
    }
  }

  /// `@id` of a file: each path segment percent-encoded (spaces, `#`, `%`, …).
  static func encode(_ path: String) -> String {
    let allowed = CharacterSet(
      charactersIn:
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@")
    return path.split(separator: "/").map {
      String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0)
    }.joined(separator: "/")
  }

  static func slug(_ name: String) -> String {
    String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
  }
}
