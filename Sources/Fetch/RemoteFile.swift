public import Foundation

/// One file a repository lists: where to get it, what it must hash to, and where it goes.
public struct RemoteFile: Sendable, Equatable, Codable {
  /// Relative path inside the destination (already checked by ``SafePath``), `/`-separated.
  public var path: String
  /// The download URL exactly as the API gave it (never re-decoded).
  public var url: URL
  public var size: Int64?
  public var checksums: [Checksum]

  public init(path: String, url: URL, size: Int64? = nil, checksums: [Checksum] = []) {
    self.path = path
    self.url = url
    self.size = size
    self.checksums = checksums
  }
}

/// Citation metadata of a dataset as DataCite (or the repository) describes it; recorded in
/// provenance so a model's lineage names its data properly.
public struct DatasetMetadata: Sendable, Equatable, Codable {
  public var title: String?
  public var creators: [String]
  public var license: String?
  public var version: String?
  public var publicationYear: String?
  public var publisher: String?

  public init(
    title: String? = nil, creators: [String] = [], license: String? = nil,
    version: String? = nil, publicationYear: String? = nil, publisher: String? = nil
  ) {
    self.title = title
    self.creators = creators
    self.license = license
    self.version = version
    self.publicationYear = publicationYear
    self.publisher = publisher
  }
}

/// Which kind of repository answered (recorded; selects the resolver).
public enum RepositoryKind: String, Sendable, Codable {
  case zenodo, invenio, figshare, dataverse, cernOpenData = "cern-opendata", datacite, url, bag
}

/// A DOI (or URL, minid, bag) resolved to its file listing.
public struct ResolvedRecord: Sendable, Equatable, Codable {
  /// The identifier as the user wrote it (kept for provenance).
  public var identifier: String
  /// The normalised DOI (lower case, no prefix), when the identifier is or resolved to a DOI.
  public var doi: String?
  public var repository: RepositoryKind
  /// The URL the DOI resolved to (handle value) and the API URL that listed the files.
  public var landingURL: URL?
  public var apiURL: URL?
  /// `values[].timestamp` of the handle record, when resolved through doi.org.
  public var handleTimestamp: String?
  public var files: [RemoteFile]
  public var metadata: DatasetMetadata

  public init(
    identifier: String, doi: String? = nil, repository: RepositoryKind, landingURL: URL? = nil,
    apiURL: URL? = nil, handleTimestamp: String? = nil, files: [RemoteFile],
    metadata: DatasetMetadata = DatasetMetadata()
  ) {
    self.identifier = identifier
    self.doi = doi
    self.repository = repository
    self.landingURL = landingURL
    self.apiURL = apiURL
    self.handleTimestamp = handleTimestamp
    self.files = files
    self.metadata = metadata
  }
}
