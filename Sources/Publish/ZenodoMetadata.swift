public import FairflowBase
public import Foundation

/// The `metadata` object of a Zenodo deposition (legacy deposit API, doi-apis.md §14.2 step 3),
/// converted from a ``PublicationSpec``. Zenodo rejects unknown keys, so only its own are written.
public struct ZenodoMetadata: Sendable, Equatable {
  /// A Zenodo creator: `name` as "Family, Given", bare ORCID iD.
  public struct Creator: Sendable, Equatable {
    public var name: String
    public var affiliation: String?
    public var orcid: String?

    public init(name: String, affiliation: String? = nil, orcid: String? = nil) {
      self.name = name
      self.affiliation = affiliation
      self.orcid = orcid
    }
  }

  /// A Zenodo related identifier (`relation` in Zenodo's lower-camel spelling).
  public struct RelatedIdentifier: Sendable, Equatable {
    public var relation: String
    public var identifier: String
    public var resourceType: String?

    public init(relation: String, identifier: String, resourceType: String? = nil) {
      self.relation = relation
      self.identifier = identifier
      self.resourceType = resourceType
    }
  }

  /// `software`, `dataset`, `other`, … (Zenodo's legacy `upload_type` list has no `model`).
  public var uploadType: String
  public var title: String
  public var creators: [Creator]
  /// Limited HTML.
  public var description: String
  public var accessRight: String
  /// Zenodo licence id (lower-case SPDX, `cc-by-4.0`).
  public var license: String?
  /// `YYYY-MM-DD`.
  public var publicationDate: String
  public var version: String?
  public var keywords: [String]
  public var relatedIdentifiers: [RelatedIdentifier]
  /// Set only to publish under a DOI registered elsewhere; Zenodo then mints none.
  public var doi: String?

  public init(
    uploadType: String, title: String, creators: [Creator], description: String,
    accessRight: String = "open", license: String? = nil, publicationDate: String,
    version: String? = nil, keywords: [String] = [], relatedIdentifiers: [RelatedIdentifier] = [],
    doi: String? = nil
  ) {
    self.uploadType = uploadType
    self.title = title
    self.creators = creators
    self.description = description
    self.accessRight = accessRight
    self.license = license
    self.publicationDate = publicationDate
    self.version = version
    self.keywords = keywords
    self.relatedIdentifiers = relatedIdentifiers
    self.doi = doi
  }

  /// The spec in Zenodo's terms: `Model` uploads as `software` (runnable with its runtime),
  /// `Dataset` as `dataset`, anything else as `other`; training data `isDerivedFrom`, the code
  /// `isSupplementedBy`, the previous version `isNewVersionOf`. The spec's DOI is not sent:
  /// Zenodo mints (or has reserved) its own.
  public init(spec: PublicationSpec, date: Date) {
    let uploadType: String =
      switch spec.resourceType {
      case .model, .software: "software"
      case .dataset: "dataset"
      case .workflow, .other: "other"
      }
    var related = DataCiteWriter.unique(spec.trainingData.map(\.doi)).map {
      RelatedIdentifier(relation: "isDerivedFrom", identifier: $0, resourceType: "dataset")
    }
    if let code = spec.codeRepository {
      related.append(
        RelatedIdentifier(
          relation: "isSupplementedBy", identifier: code.absoluteString, resourceType: "software"))
    }
    if let previous = spec.previousVersionDOI {
      related.append(RelatedIdentifier(relation: "isNewVersionOf", identifier: previous))
    }
    self.init(
      uploadType: uploadType, title: spec.title,
      creators: spec.creators.map {
        Creator(name: $0.displayName, affiliation: $0.affiliation, orcid: $0.orcidID)
      },
      description: ZenodoMetadata.html(spec.description),
      license: spec.resolvedLicense.map { $0.id.lowercased() } ?? spec.license?.lowercased(),
      publicationDate: BundleDate(date).day, version: spec.version,
      keywords: DataCiteWriter.unique(spec.keywords), relatedIdentifiers: related)
  }

  /// `{"metadata": {...}}`, the body of the metadata PUT.
  public var document: Value {
    var fields: [(key: String, value: Value)] = [
      ("upload_type", .string(uploadType)), ("title", .string(title)),
      (
        "creators",
        .list(
          creators.map { creator in
            var entry: [(key: String, value: Value)] = [("name", .string(creator.name))]
            if let affiliation = creator.affiliation {
              entry.append(("affiliation", .string(affiliation)))
            }
            if let orcid = creator.orcid { entry.append(("orcid", .string(orcid))) }
            return .map(entry)
          })
      ),
      ("description", .string(description)), ("access_right", .string(accessRight)),
    ]
    if let license { fields.append(("license", .string(license))) }
    fields.append(("publication_date", .string(publicationDate)))
    if let version { fields.append(("version", .string(version))) }
    if !keywords.isEmpty { fields.append(("keywords", .list(keywords.map(Value.string)))) }
    if !relatedIdentifiers.isEmpty {
      fields.append(
        (
          "related_identifiers",
          .list(
            relatedIdentifiers.map { related in
              var entry: [(key: String, value: Value)] = [
                ("relation", .string(related.relation)),
                ("identifier", .string(related.identifier)),
              ]
              if let type = related.resourceType {
                entry.append(("resource_type", .string(type)))
              }
              return .map(entry)
            })
        ))
    }
    if let doi { fields.append(("doi", .string(doi))) }
    return .map([("metadata", .map(fields))])
  }

  /// Plain text as Zenodo's limited HTML: escaped, one `<p>` per blank-line-separated paragraph.
  static func html(_ text: String) -> String {
    let escaped = text.replacingOccurrences(of: "&", with: "&amp;")
      .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    let paragraphs = escaped.components(separatedBy: "\n\n")
      .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    return paragraphs.map { "<p>\($0)</p>" }.joined()
  }
}
