internal import Foundation

/// Turns what a user names (a DOI in any form, a plain https URL, a minid, a local BagIt bag)
/// into the list of files to download, with sizes, normalised checksums and citation metadata.
///
/// A DOI is resolved through doi.org's Handle REST API, never the browser redirect chain
/// (doi-apis.md §3.2). The repository is chosen from the URL it resolves to: configured hosts
/// first (``ResolverEndpoints/repositoryHosts``), then patterns (Dataverse `persistentId`, DOI
/// prefixes of Figshare and CERN), then probes (the Dataverse API, the InvenioRDM linkset, a
/// `/records/<id>` path), and last DataCite's `contentUrl`. Repository APIs are called on the
/// host of the resolved URL. Every listed path is checked (§13.6); an unsafe one fails the whole
/// resolution.
public struct DatasetResolver: Sendable {
  public var client: WebClient
  public var endpoints: ResolverEndpoints

  public init(client: WebClient, endpoints: ResolverEndpoints = .init()) {
    self.client = client
    self.endpoints = endpoints
  }

  /// Resolves `identifier`; throws ``FetchError`` (``FetchError/unsupportedIdentifier(_:)``,
  /// ``FetchError/notFound(identifier:detail:)``, ``FetchError/unsafePath(_:)``, …).
  public func resolve(_ identifier: String) async throws -> ResolvedRecord {
    let text = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
    var record: ResolvedRecord
    if text.lowercased().hasPrefix("file:") {
      guard let url = URL(string: text), url.isFileURL else {
        throw FetchError.unsupportedIdentifier(identifier)
      }
      record = try await resolveBag(at: url, identifier: identifier)
    } else if MinidRecord.isMinid(text) {
      record = try await resolveMinid(text, identifier: identifier)
    } else if let doi = DOI(text) {
      record = try await resolveDOI(doi, identifier: identifier)
    } else if let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https"
    {
      record = try await resolveURL(url, identifier: identifier)
    } else if isDirectory(text) {
      record = try await resolveBag(at: URL(fileURLWithPath: text), identifier: identifier)
    } else {
      throw FetchError.unsupportedIdentifier(identifier)
    }
    try ListingPath.checkNoConflicts(record.files.map(\.path))
    return record
  }

  // MARK: DOIs

  func resolveDOI(_ doi: DOI, identifier: String) async throws -> ResolvedRecord {
    let handle = try await resolveHandle(doi)
    let dataCite = endpoints.fetchDataCiteMetadata ? await dataCiteRecord(doi) : nil
    let listing = try await list(
      landing: handle.url, doi: doi, dataCite: dataCite, identifier: identifier)
    return ResolvedRecord(
      identifier: identifier, doi: doi.spelling, repository: listing.kind, landingURL: handle.url,
      apiURL: listing.apiURL, handleTimestamp: handle.timestamp, files: listing.files,
      metadata: (dataCite?.metadata ?? DatasetMetadata()).filled(from: listing.metadata))
  }

  /// `GET <doiProxy>/api/handles/<doi>?type=URL`.
  func resolveHandle(_ doi: DOI) async throws -> HandleRecord {
    let url = try ResolverURLs.join(
      endpoints.doiProxy, "/api/handles/" + doi.pathEncoded + "?type=URL")
    let answer = try await client.get(url)
    guard answer.head.status == 200 || answer.head.status == 404 || answer.head.status == 410
    else {
      throw FetchError.httpStatus(
        url: answer.url.absoluteString, status: answer.head.status, detail: "doi.org handle API")
    }
    return try HandleRecord.parse(
      answer.body, status: answer.head.status, doi: doi, from: answer.url)
  }

  /// DataCite's record of `doi`, nil when DataCite does not answer (a Crossref DOI, an outage):
  /// metadata is a bonus, never a reason to fail.
  func dataCiteRecord(_ doi: DOI) async -> DataCiteRecord? {
    guard let url = try? ResolverURLs.join(endpoints.dataCiteAPI, "/dois/" + doi.pathEncoded),
      let answer = try? await client.get(url, accept: "application/vnd.api+json"),
      answer.head.status == 200
    else { return nil }
    return try? DataCiteRecord.parse(answer.body, from: answer.url)
  }

  // MARK: Dispatch

  struct Listing: Sendable {
    var kind: RepositoryKind
    var apiURL: URL?
    var files: [RemoteFile]
    var metadata = DatasetMetadata()
  }

  /// Lists the record at `landing` (the handle's URL, or a record URL given directly).
  func list(
    landing: URL, doi: DOI?, dataCite: DataCiteRecord?, identifier: String
  ) async throws -> Listing {
    switch kind(of: landing, doi: doi) {
    case .zenodo?: return try await listInvenio(landing, doi: doi, kind: .zenodo)
    case .invenio?: return try await listInvenio(landing, doi: doi, kind: .invenio)
    case .figshare?: return try await listFigshare(landing, doi: doi)
    case .dataverse?: return try await listDataverse(landing, doi: doi)
    case .cernOpenData?: return try await listCERN(landing)
    case .datacite?:
      return try contentURLListing(dataCite, landing: landing, identifier: identifier)
    case .url?, .bag?, nil: break
    }
    if let listing = try await probeDataverse(landing, doi: doi) { return listing }
    if let listing = try await probeInvenio(landing) { return listing }
    return try contentURLListing(dataCite, landing: landing, identifier: identifier)
  }

  /// The repository `landing` belongs to without asking it, nil when probing must decide.
  func kind(of landing: URL, doi: DOI?) -> RepositoryKind? {
    if let kind = endpoints.repository(for: landing) { return kind }
    if ResolverURLs.query(landing, "persistentId") != nil { return .dataverse }
    switch doi?.prefix {
    case "10.6084": return .figshare
    case "10.7483": return .cernOpenData
    default: return nil
    }
  }

  /// DataCite's `contentUrl`: files without checksums, named after their URL.
  func contentURLListing(
    _ dataCite: DataCiteRecord?, landing: URL, identifier: String
  ) throws -> Listing {
    guard let dataCite, !dataCite.contentURLs.isEmpty else {
      throw FetchError.unsupportedIdentifier(
        "\(identifier) (resolves to \(landing.absoluteString): not a repository fairflow can list,"
          + " and DataCite gives no contentUrl)")
    }
    let files = try dataCite.contentURLs.map { url in
      try ResolverURLs.requireSecure(url)
      return RemoteFile(path: try ListingPath.validated(Self.name(of: url)), url: url)
    }
    return Listing(
      kind: .datacite, apiURL: try? ResolverURLs.join(endpoints.dataCiteAPI, "/dois"), files: files)
  }

  static func name(of url: URL) -> String {
    let last = url.lastPathComponent
    return last.isEmpty || last == "/" ? (url.host ?? "download") : last
  }

  func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory)
      && directory.boolValue
  }
}
