internal import Foundation

/// A CERN Open Data record (doi-apis.md §9) from `GET /api/records/<recid>`: the record's own
/// `files` plus every file of its `_file_indices`.
///
/// Basenames collide across directories, so the output path is the URI path below
/// `/eos/opendata/`; XRootD URIs (`root://eospublic.cern.ch//eos/…`) are downloaded over https
/// from the portal (`<origin>/eos/…`). Checksums are Adler-32, zero-padded to 8 digits.
enum CERNOpenDataListing {
  static func parse(
    _ json: ResolverJSON, origin: String, url: URL
  ) throws -> (files: [RemoteFile], metadata: DatasetMetadata) {
    guard let meta = json["metadata"], meta.object != nil else {
      throw FetchError.malformedResponse(url: url.absoluteString, detail: "no record metadata")
    }
    var entries = meta["files"]?.array ?? []
    for index in meta["_file_indices"]?.array ?? [] {
      entries += index["files"]?.array ?? []
    }
    let files = try entries.map { try file(from: $0, origin: origin, url: url) }
    let metadata = DatasetMetadata(
      title: meta["title"]?.nonEmpty,
      creators: (meta["authors"]?.array ?? []).compactMap { $0["name"]?.nonEmpty },
      license: meta["license", "attribution"]?.nonEmpty ?? meta["license"]?.nonEmpty,
      version: nil,
      publicationYear: (meta["date_published"]?.nonEmpty).map { String($0.prefix(4)) },
      publisher: "CERN Open Data Portal")
    return (files, metadata)
  }

  static func file(from entry: ResolverJSON, origin: String, url: URL) throws -> RemoteFile {
    guard let uri = entry["uri"]?.nonEmpty else {
      throw FetchError.malformedResponse(url: url.absoluteString, detail: "a file has no uri")
    }
    let (path, download) = try locate(uri, key: entry["key"]?.nonEmpty, origin: origin)
    let checksum = try entry["checksum"]?.nonEmpty.flatMap {
      try ListingChecksum.parse($0, defaultAlgorithm: .adler32, file: path)
    }
    return RemoteFile(
      path: try ListingPath.validated(path), url: download, size: entry["size"]?.int64,
      checksums: checksum.map { [$0] } ?? [])
  }

  /// The relative path (below `/eos/opendata/`) and https URL of `uri`.
  static func locate(_ uri: String, key: String?, origin: String) throws -> (String, URL) {
    guard let parsed = URL(string: uri), let scheme = parsed.scheme?.lowercased() else {
      throw FetchError.unsafePath(uri)
    }
    var path = URLComponents(url: parsed, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
    while path.hasPrefix("//") { path.removeFirst() }
    let download: URL?
    switch scheme {
    case "root": download = URL(string: origin + path)
    case "http", "https": download = listingURL(uri)
    default: throw FetchError.insecureURL(uri)
    }
    guard let download else { throw FetchError.unsafePath(uri) }
    let decoded = path.removingPercentEncoding ?? path
    let marker = "/eos/opendata/"
    let relative =
      decoded.hasPrefix(marker)
      ? String(decoded.dropFirst(marker.count)) : (key ?? String(decoded.drop { $0 == "/" }))
    return (relative, download)
  }
}
