public import FairflowBase
internal import Foundation

/// DataCite metadata of the model as DataCite JSON, kernel 4.5: the shape of the
/// `datacite-v4.5.json` schema shipped with the Python `datacite` package (publisher as an
/// object, `Model` as `resourceTypeGeneral`, neither of which 4.3 allows).
///
/// Mapping from the spec (doi-apis.md §14.1):
///
///     doi, url            ← spec.doi, spec.recordURL (omitted in a dry run)
///     types               ← Model (resourceType "Trained model")
///     creators            ← Personal (given/family, ORCID) or Organizational
///     subjects            ← keywords, then the task
///     dates               ← Issued = the bundle's date
///     relatedIdentifiers  ← IsDerivedFrom training-data DOIs, IsSupplementedBy the code
///                           repository, IsNewVersionOf the previous version
///     sizes, formats      ← total payload bytes and file count; exported formats
///     rightsList          ← the SPDX licence
///     descriptions        ← Abstract = description; TechnicalInfo = task, inputs and outputs
///
/// Keys come in a fixed order and nothing depends on the clock but `date`, so the same inputs give
/// the same bytes.
public enum DataCiteWriter {
  /// The metadata document.
  public static func document(
    spec: PublicationSpec, date: BundleDate, payloadBytes: Int64? = nil, fileCount: Int? = nil
  ) -> Value {
    var fields: [(key: String, value: Value)] = []
    if let doi = spec.doi { fields.append(("doi", .string(doi))) }
    if let url = spec.recordURL { fields.append(("url", .string(url.absoluteString))) }
    fields.append(
      (
        "types",
        .map(
          [("resourceTypeGeneral", .string(spec.resourceType.rawValue))]
            + (spec.resourceType == .model ? [("resourceType", .string("Trained model"))] : []))
      ))
    fields.append(("creators", .list(spec.creators.map(creator))))
    fields.append(("titles", .list([.map([("title", .string(spec.title))])])))
    fields.append(("publisher", .map([("name", .string(spec.publisher))])))
    fields.append(("publicationYear", .string(String(spec.publicationYear ?? date.year))))
    var subjects = unique(spec.keywords)
    if let task = spec.modelCard.task, !subjects.contains(task) { subjects.append(task) }
    if !subjects.isEmpty {
      fields.append(("subjects", .list(subjects.map { .map([("subject", .string($0))]) })))
    }
    fields.append(
      ("dates", .list([.map([("date", .string(date.day)), ("dateType", .string("Issued"))])])))
    let related = relatedIdentifiers(spec)
    if !related.isEmpty { fields.append(("relatedIdentifiers", .list(related))) }
    var sizes: [String] = []
    if let payloadBytes { sizes.append("\(payloadBytes) bytes") }
    if let fileCount { sizes.append("\(fileCount) files") }
    if !sizes.isEmpty { fields.append(("sizes", .list(sizes.map(Value.string)))) }
    let formats = unique(spec.formats.map { $0.lowercased() })
    if !formats.isEmpty { fields.append(("formats", .list(formats.map(Value.string)))) }
    if let version = spec.version { fields.append(("version", .string(version))) }
    if let rights = rights(spec) { fields.append(("rightsList", .list([rights]))) }
    fields.append(("descriptions", .list(descriptions(spec))))
    fields.append(("schemaVersion", .string("http://datacite.org/schema/kernel-4")))
    return .map(fields)
  }

  /// `datacite.json` as written into the bundle.
  public static func write(
    spec: PublicationSpec, date: BundleDate, payloadBytes: Int64? = nil, fileCount: Int? = nil
  ) -> [UInt8] {
    Array(
      document(spec: spec, date: date, payloadBytes: payloadBytes, fileCount: fileCount)
        .prettyJSON.utf8)
  }

  static func creator(_ creator: Creator) -> Value {
    var fields: [(key: String, value: Value)] = [
      ("name", .string(creator.displayName)),
      ("nameType", .string(creator.isPerson ? "Personal" : "Organizational")),
    ]
    if creator.isPerson {
      if let given = creator.givenName, !given.isEmpty {
        fields.append(("givenName", .string(given)))
      }
      fields.append(("familyName", .string(creator.familyName ?? "")))
    }
    if let orcid = creator.orcidID {
      fields.append(
        (
          "nameIdentifiers",
          .list([
            .map([
              ("nameIdentifier", .string("https://orcid.org/" + orcid)),
              ("nameIdentifierScheme", .string("ORCID")),
              ("schemeUri", .string("https://orcid.org")),
            ])
          ])
        ))
    }
    if let affiliation = creator.affiliation, !affiliation.isEmpty {
      fields.append(("affiliation", .list([.map([("name", .string(affiliation))])])))
    }
    return .map(fields)
  }

  static func relatedIdentifiers(_ spec: PublicationSpec) -> [Value] {
    func related(_ id: String, _ type: String, _ relation: String, _ general: String) -> Value {
      .map([
        ("relatedIdentifier", .string(id)), ("relatedIdentifierType", .string(type)),
        ("relationType", .string(relation)), ("resourceTypeGeneral", .string(general)),
      ])
    }
    var out = unique(spec.trainingData.map(\.doi)).map {
      related($0, "DOI", "IsDerivedFrom", "Dataset")
    }
    if let code = spec.codeRepository {
      out.append(related(code.absoluteString, "URL", "IsSupplementedBy", "Software"))
    }
    if let previous = spec.previousVersionDOI {
      out.append(related(previous, "DOI", "IsNewVersionOf", spec.resourceType.rawValue))
    }
    return out
  }

  static func rights(_ spec: PublicationSpec) -> Value? {
    guard let license = spec.license, !license.isEmpty else { return nil }
    guard let known = spec.resolvedLicense else {
      return .map([("rights", .string(license))])
    }
    return .map([
      ("rights", .string(known.name)), ("rightsUri", .string(known.url)),
      ("rightsIdentifier", .string(known.id.lowercased())),
      ("rightsIdentifierScheme", .string("SPDX")),
      ("schemeUri", .string("https://spdx.org/licenses/")),
    ])
  }

  static func descriptions(_ spec: PublicationSpec) -> [Value] {
    var out: [Value] = [
      .map([("description", .string(spec.description)), ("descriptionType", .string("Abstract"))])
    ]
    let card = spec.modelCard
    var technical: [String] = []
    if let task = card.task { technical.append("Task: \(task).") }
    if !card.inputs.isEmpty {
      technical.append("Inputs: " + card.inputs.map(tensor).joined(separator: "; ") + ".")
    }
    if !card.outputs.isEmpty {
      technical.append("Outputs: " + card.outputs.map(tensor).joined(separator: "; ") + ".")
    }
    if !spec.dependencies.isEmpty {
      technical.append(
        "Dependencies: "
          + spec.dependencies.map { "\($0.name) \($0.version)" }.joined(separator: ", ") + ".")
    }
    if !technical.isEmpty {
      out.append(
        .map([
          ("description", .string(technical.joined(separator: " "))),
          ("descriptionType", .string("TechnicalInfo")),
        ]))
    }
    return out
  }

  static func tensor(_ tensor: TensorSpec) -> String {
    "\(tensor.name) (\(tensor.type) \(tensor.shapeText))"
  }

  static func unique(_ items: [String]) -> [String] {
    var seen: Set<String> = []
    return items.filter { !$0.isEmpty && seen.insert($0).inserted }
  }
}
