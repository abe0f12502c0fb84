internal import Foundation

// Identifiers that are not DOIs: plain URLs, minids, local bags.
extension DatasetResolver {
  /// A plain URL: a record page of a configured repository host is listed like its DOI would be;
  /// anything else is one file, named by `Content-Disposition` or the URL path, sized by a HEAD
  /// request (no body is downloaded). Its checksum is the SHA-256 the downloader computes.
  func resolveURL(_ url: URL, identifier: String) async throws -> ResolvedRecord {
    try ResolverURLs.requireSecure(url)
    if isRecordPage(url) {
      let listing = try await list(
        landing: url, doi: nil, dataCite: nil, identifier: identifier)
      return ResolvedRecord(
        identifier: identifier, repository: listing.kind, landingURL: url,
        apiURL: listing.apiURL, files: listing.files, metadata: listing.metadata)
    }
    let sent = try await client.send(HTTPRequest(method: "HEAD", url: url))
    for try await _ in sent.response.body {}
    let head = sent.response.head
    if head.status == 404 || head.status == 410 {
      throw FetchError.notFound(identifier: identifier, detail: "HTTP \(head.status)")
    }
    var name = Self.name(of: url)
    var size: Int64?
    if (200..<300).contains(head.status) {
      if let header = head.header("Content-Disposition"),
        let filename = ResolverURLs.dispositionFilename(header)
      {
        name = filename
      }
      size = head.header("Content-Length").flatMap {
        Int64($0.trimmingCharacters(in: .whitespaces))
      }
    }
    let file = RemoteFile(path: try ListingPath.validated(name), url: url, size: size)
    return ResolvedRecord(
      identifier: identifier, repository: .url, landingURL: url, files: [file])
  }

  /// Whether `url` is a record landing page of a configured repository (as opposed to a file).
  func isRecordPage(_ url: URL) -> Bool {
    let segments = ResolverURLs.segments(url)
    switch endpoints.repository(for: url) {
    case .zenodo?, .invenio?, .cernOpenData?:
      return segments.count == 2 && (segments[0] == "records" || segments[0] == "record")
    case .dataverse?:
      return ResolverURLs.query(url, "persistentId") != nil && !segments.contains("access")
    case .figshare?:
      return segments.first == "articles"
    default:
      return false
    }
  }

  /// `GET <minidResolver>/<identifier>` (doi-apis.md §11.4).
  func resolveMinid(_ minid: String, identifier: String) async throws -> ResolvedRecord {
    let url = try minidURL(minid)
    let answer = try await client.getOK(url)
    let (file, metadata) = try MinidRecord.parse(
      try ResolverJSON.parse(answer.body, from: answer.url), identifier: minid, url: answer.url)
    return ResolvedRecord(
      identifier: identifier, repository: .url, landingURL: file.url, apiURL: answer.url,
      files: [file], metadata: metadata)
  }

  func minidURL(_ minid: String) throws -> URL {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "%?#;")
    return try ResolverURLs.join(
      endpoints.minidResolver,
      "/" + (minid.addingPercentEncoding(withAllowedCharacters: allowed) ?? minid))
  }

  /// A local bag: payload present on disk becomes `file://` entries, `fetch.txt` entries https
  /// ones (a minid there is resolved), each with every payload manifest's checksum. Paths are
  /// relative to `data/`. The bag must be complete once fetched; use ``BagValidator`` to verify
  /// its checksums.
  func resolveBag(at root: URL, identifier: String) async throws -> ResolvedRecord {
    guard isDirectory(root.path) else {
      throw FetchError.invalidBag("\(root.path) is not a bag directory")
    }
    let bag = try BagContents.read(at: root)
    let present = try bag.payloadFiles()
    let fetch = Dictionary(bag.fetch.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    var files: [RemoteFile] = []
    for path in bag.manifestPaths {
      let checksums = bag.payloadManifests.compactMap { algorithm, entries in
        entries[path].map { Checksum(algorithm, $0) }
      }.sorted { $0.algorithm > $1.algorithm }
      guard checksums.count == bag.payloadManifests.count else {
        throw FetchError.invalidBag("\(path) is not in every payload manifest")
      }
      for checksum in checksums where checksum.hex.count != checksum.algorithm.digestBytes * 2 {
        throw FetchError.invalidBag("\(path): \(checksum) is not a valid digest")
      }
      let relative = String(path.dropFirst("data/".count))
      if let size = present[path] {
        let local = root.appendingPathComponent(path)
        files.append(RemoteFile(path: relative, url: local, size: size, checksums: checksums))
      } else if let entry = fetch[path] {
        let url = try await fetchURL(entry.url)
        files.append(RemoteFile(path: relative, url: url, size: entry.length, checksums: checksums))
      } else {
        throw FetchError.invalidBag("\(path) is neither in the bag nor in fetch.txt")
      }
    }
    let listed = Set(bag.manifestPaths)
    if let extra = present.keys.sorted().first(where: { !listed.contains($0) }) {
      throw FetchError.invalidBag("\(extra) is not in the payload manifests")
    }
    if let extra = bag.fetch.first(where: { !listed.contains($0.path) }) {
      throw FetchError.invalidBag("\(extra.path) is in fetch.txt but in no payload manifest")
    }
    let metadata = DatasetMetadata(
      title: bag.info("Title") ?? bag.info("External-Description"),
      publicationYear: bag.info("Bagging-Date").map { String($0.prefix(4)) },
      publisher: bag.info("Source-Organization"))
    return ResolvedRecord(
      identifier: identifier, repository: .bag, landingURL: root, files: files, metadata: metadata)
  }

  /// A `fetch.txt` URL: https (or http to loopback), or a minid resolved to its location. `file:`
  /// and every other scheme are refused (doi-apis.md §11.3).
  func fetchURL(_ text: String) async throws -> URL {
    if MinidRecord.isMinid(text) {
      guard let url = try await resolveMinid(text, identifier: text).files.first?.url else {
        throw FetchError.notFound(identifier: text, detail: "the minid has no location")
      }
      return url
    }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https"
    else {
      throw FetchError.invalidBag("fetch.txt: only http(s) URLs can be fetched, not \(text)")
    }
    try ResolverURLs.requireSecure(url)
    return url
  }
}
