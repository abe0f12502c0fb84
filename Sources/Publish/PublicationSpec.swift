public import Foundation

/// What the user declares about a model to publish: the citation metadata (DataCite's mandatory
/// properties and more), the related objects (training data, code, previous version) and the
/// model-card fields. Everything written into the bundle comes from here and from
/// ``PublicationInputs``; nothing is read from the environment.
public struct PublicationSpec: Sendable, Equatable {
  public var title: String
  public var creators: [Creator]
  /// Plain text; becomes the DataCite abstract, the CFF abstract and the model card's summary.
  public var description: String
  /// An SPDX identifier in any case (`cc-by-4.0`, `MIT`); see ``License``.
  public var license: String?
  public var version: String?
  public var keywords: [String]
  public var publisher: String
  /// Defaults to the year of the date the bundle is written.
  public var publicationYear: Int?
  public var resourceType: ResourceType
  /// The model's DOI when one is minted or reserved (Zenodo's `prereserve_doi`); nil in a dry run.
  public var doi: String?
  /// The landing page of the deposited record (DataCite `url`).
  public var recordURL: URL?
  /// DOI of the version this one supersedes (DataCite `IsNewVersionOf`).
  public var previousVersionDOI: String?
  /// Data the model was trained on (DataCite `IsDerivedFrom`).
  public var trainingData: [RelatedDataset]
  /// Where the code that trained the model lives (DataCite `IsSupplementedBy`).
  public var codeRepository: URL?
  /// Software the model needs to run, with versions (framework, runtime).
  public var dependencies: [Dependency]
  /// Exported model formats (`onnx`, `safetensors`, …), as lower-case names.
  public var formats: [String]
  public var modelCard: ModelCard

  public init(
    title: String, creators: [Creator], description: String, license: String? = nil,
    version: String? = nil, keywords: [String] = [], publisher: String = "Zenodo",
    publicationYear: Int? = nil, resourceType: ResourceType = .model, doi: String? = nil,
    recordURL: URL? = nil, previousVersionDOI: String? = nil,
    trainingData: [RelatedDataset] = [], codeRepository: URL? = nil,
    dependencies: [Dependency] = [], formats: [String] = [], modelCard: ModelCard = ModelCard()
  ) {
    self.title = title
    self.creators = creators
    self.description = description
    self.license = license
    self.version = version
    self.keywords = keywords
    self.publisher = publisher
    self.publicationYear = publicationYear
    self.resourceType = resourceType
    self.doi = doi
    self.recordURL = recordURL
    self.previousVersionDOI = previousVersionDOI
    self.trainingData = trainingData
    self.codeRepository = codeRepository
    self.dependencies = dependencies
    self.formats = formats
    self.modelCard = modelCard
  }

  /// The licence when ``license`` is an SPDX identifier fairflow recognises.
  public var resolvedLicense: License? { license.flatMap(License.init(spdx:)) }

  /// Checks the properties every writer needs (DataCite's mandatory ones); throws the first gap.
  public func validate() throws(PublishError) {
    if title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw .invalidSpec(field: "title", detail: "must not be empty")
    }
    if creators.isEmpty { throw .invalidSpec(field: "creators", detail: "name at least one") }
    for (index, creator) in creators.enumerated() where creator.displayName.isEmpty {
      throw .invalidSpec(field: "creators[\(index)]", detail: "needs a name or a family name")
    }
    if publisher.isEmpty { throw .invalidSpec(field: "publisher", detail: "must not be empty") }
    if let doi, !DOISyntax.isValid(doi) {
      throw .invalidSpec(field: "doi", detail: "not a DOI (10.<prefix>/<suffix>): \(doi)")
    }
    for dataset in trainingData where !DOISyntax.isValid(dataset.doi) {
      throw .invalidSpec(field: "trainingData", detail: "not a DOI: \(dataset.doi)")
    }
  }
}

/// DataCite 4.5 `resourceTypeGeneral` values a published model bundle can take.
public enum ResourceType: String, Sendable, Equatable, CaseIterable {
  case model = "Model"
  case software = "Software"
  case dataset = "Dataset"
  case workflow = "Workflow"
  case other = "Other"
}

/// A person (given and family name) or an organisation (``name`` only) credited as an author.
public struct Creator: Sendable, Equatable {
  public var name: String
  public var givenName: String?
  public var familyName: String?
  /// Bare ORCID iD (`0000-0002-1825-0097`); a full `https://orcid.org/…` URL is accepted too.
  public var orcid: String?
  public var affiliation: String?

  /// A person.
  public init(
    givenName: String?, familyName: String, orcid: String? = nil, affiliation: String? = nil
  ) {
    self.name = ""
    self.givenName = givenName
    self.familyName = familyName
    self.orcid = orcid
    self.affiliation = affiliation
  }

  /// An organisation (or a person known by one name only).
  public init(name: String, orcid: String? = nil, affiliation: String? = nil) {
    self.name = name
    self.orcid = orcid
    self.affiliation = affiliation
  }

  public var isPerson: Bool { familyName != nil }

  /// "Family, Given" for persons (DataCite and Zenodo style), the name for organisations.
  public var displayName: String {
    guard let familyName else { return name }
    guard let givenName, !givenName.isEmpty else { return familyName }
    return "\(familyName), \(givenName)"
  }

  /// "Given Family", for prose.
  public var readingName: String {
    guard let familyName else { return name }
    return [givenName ?? "", familyName].filter { !$0.isEmpty }.joined(separator: " ")
  }

  /// The bare iD, whatever form ``orcid`` was given in.
  public var orcidID: String? {
    guard let orcid, !orcid.isEmpty else { return nil }
    return String(orcid.split(separator: "/").last ?? Substring(orcid))
  }
}

/// A data set the model derives from, named by DOI; title and creators make a full citation when
/// known (Fetch records them from DataCite).
public struct RelatedDataset: Sendable, Equatable {
  public var doi: String
  public var title: String?
  public var creators: [String]

  public init(doi: String, title: String? = nil, creators: [String] = []) {
    self.doi = doi
    self.title = title
    self.creators = creators
  }
}

/// A software dependency and the version the model was built or tested with.
public struct Dependency: Sendable, Equatable {
  public var name: String
  public var version: String

  public init(name: String, version: String) {
    self.name = name
    self.version = version
  }
}

/// The model-card fields: what the model does, what goes in and out, and where it may be used.
public struct ModelCard: Sendable, Equatable {
  public var task: String?
  public var inputs: [TensorSpec]
  public var outputs: [TensorSpec]
  public var intendedUse: String?
  public var limitations: String?

  public init(
    task: String? = nil, inputs: [TensorSpec] = [], outputs: [TensorSpec] = [],
    intendedUse: String? = nil, limitations: String? = nil
  ) {
    self.task = task
    self.inputs = inputs
    self.outputs = outputs
    self.intendedUse = intendedUse
    self.limitations = limitations
  }
}

/// One named model input or output: element type (`float32`) and shape (`["N", "30", "60"]`,
/// symbolic dimensions allowed).
public struct TensorSpec: Sendable, Equatable {
  public var name: String
  public var type: String
  public var shape: [String]
  public var description: String?

  public init(name: String, type: String, shape: [String], description: String? = nil) {
    self.name = name
    self.type = type
    self.shape = shape
    self.description = description
  }

  /// `[N, 30, 60]`.
  public var shapeText: String { "[" + shape.joined(separator: ", ") + "]" }
}

/// DOI syntax as DataCite's schema checks it: `10.<4–9 digits>/<non-blank suffix>`.
enum DOISyntax {
  static func isValid(_ doi: String) -> Bool {
    let parts = doi.split(separator: "/", maxSplits: 1)
    guard parts.count == 2, parts[0].hasPrefix("10."), !parts[1].isEmpty else { return false }
    let digits = parts[0].dropFirst(3)
    guard (4...9).contains(digits.count), digits.allSatisfy(\.isASCII),
      digits.allSatisfy(\.isNumber)
    else { return false }
    return !parts[1].contains { $0.isWhitespace }
  }
}
