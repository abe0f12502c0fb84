internal import Foundation

/// Files and metadata of a Zenodo or other InvenioRDM record, from whichever of the four shapes
/// the server sends (doi-apis.md §5.3):
///
/// ```
/// A  legacy record JSON      files[] {key, size, checksum "md5:…", links.self …/content}
/// B  native /files list      entries[] {key, size, checksum "md5:…", links.content}
///    native record JSON      files {enabled, entries {key: {…}}} or no entries (→ list call)
/// C  transitional (2023-10)  files[] {filename, filesize, checksum <bare hex>, links.download}
/// D  Invenio v3 (< 2023-10)  files[] {key, size, checksum, links.self /api/files/<bucket>/<key>}
/// ```
///
/// Keys may contain `/` and spaces; links are used exactly as given, never re-decoded. A
/// restricted record lists no files (the list is empty, not an error).
struct InvenioListing: Sendable, Equatable {
  var files: [RemoteFile]
  var metadata: DatasetMetadata
  /// Set when the record JSON has no file list and `/files` must be asked (native shape).
  var fileListURL: URL?

  /// Reads a record (shape A, C, D or native). `recordURL` is the URL that answered (after the
  /// concept→latest redirect); it anchors file URLs that the record does not give.
  static func parseRecord(_ json: ResolverJSON, recordURL: URL) throws -> InvenioListing {
    var listing = InvenioListing(files: [], metadata: metadata(of: json), fileListURL: nil)
    switch json["files"] {
    case .array(let entries)?:
      listing.files = try entries.map { try file(from: $0, recordURL: recordURL) }
    case .object(let files)?:
      if let entries = files["entries"] {
        listing.files = try fileEntries(entries, order: files["order"], recordURL: recordURL)
      } else if files["enabled"]?.bool != false {
        listing.fileListURL =
          json["links", "files"]?.nonEmpty.flatMap(listingURL) ?? child(recordURL, "files")
      }
    default:
      break  // restricted or metadata-only: the record is public, its files are not
    }
    return listing
  }

  /// Reads the native `/api/records/<id>/files` answer (shape B): `{entries: [...]}`.
  static func parseFileList(_ json: ResolverJSON, recordURL: URL) throws -> [RemoteFile] {
    if case .array = json { return try fileEntries(json, order: nil, recordURL: recordURL) }
    return try fileEntries(
      json["entries"] ?? .array([]), order: json["order"], recordURL: recordURL)
  }

  /// `entries` as a list (the `/files` endpoint) or a dictionary keyed by file key (the native
  /// record), the latter in `order` and then by key.
  private static func fileEntries(
    _ entries: ResolverJSON, order: ResolverJSON?, recordURL: URL
  ) throws -> [RemoteFile] {
    switch entries {
    case .array(let list):
      return try list.map { try file(from: $0, recordURL: recordURL) }
    case .object(let byKey):
      let ordered = (order?.array ?? []).compactMap(\.string).filter { byKey[$0] != nil }
      let rest = byKey.keys.filter { !ordered.contains($0) }.sorted()
      return try (ordered + rest).map { key in
        var entry = byKey[key]!.object ?? [:]
        if entry["key"] == nil { entry["key"] = .string(key) }
        return try file(from: .object(entry), recordURL: recordURL)
      }
    default:
      return []
    }
  }

  /// One file: `key` else `filename`; `size` else `filesize`; `links.content`, else `links.self`
  /// ending in `/content`, else `links.download`, else the content URL built under the record.
  static func file(from entry: ResolverJSON, recordURL: URL) throws -> RemoteFile {
    guard let key = entry["key"]?.string ?? entry["filename"]?.string else {
      throw FetchError.malformedResponse(
        url: recordURL.absoluteString, detail: "a file entry has neither key nor filename")
    }
    let path = try ListingPath.validated(key)
    let links = entry["links"]
    let selfLink = links?["self"]?.nonEmpty
    let link =
      links?["content"]?.nonEmpty
      ?? (selfLink?.hasSuffix("/content") == true ? selfLink : nil)
      ?? links?["download"]?.nonEmpty
    let url = try link.flatMap(listingURL) ?? contentURL(recordURL: recordURL, key: key)
    let checksum = try entry["checksum"]?.text.flatMap {
      try ListingChecksum.parse($0, defaultAlgorithm: .md5, file: key)
    }
    return RemoteFile(
      path: path, url: url, size: (entry["size"] ?? entry["filesize"])?.int64,
      checksums: checksum.map { [$0] } ?? [])
  }

  /// `<record>/files/<key, percent-quoted with / kept>/content`, for shape D whose own links no
  /// longer work.
  static func contentURL(recordURL: URL, key: String) throws -> URL {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "%?#;")
    let quoted = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
    guard let url = URL(string: base(recordURL) + "/files/" + quoted + "/content") else {
      throw FetchError.malformedResponse(
        url: recordURL.absoluteString, detail: "cannot build a download URL for \(key)")
    }
    return url
  }

  /// Title, creators, licence, version, year and publisher of legacy or native record JSON.
  static func metadata(of json: ResolverJSON) -> DatasetMetadata {
    let meta = json["metadata"] ?? .object([:])
    let creators = (meta["creators"]?.array ?? []).compactMap {
      $0["name"]?.nonEmpty ?? $0["person_or_org", "name"]?.nonEmpty
    }
    let license =
      meta["license", "id"]?.nonEmpty ?? meta["license"]?.nonEmpty
      ?? meta["rights"]?.array?.first?["id"]?.nonEmpty
      ?? meta["rights"]?.array?.first?["title", "en"]?.nonEmpty
    return DatasetMetadata(
      title: meta["title"]?.nonEmpty ?? json["title"]?.nonEmpty, creators: creators,
      license: license, version: meta["version"]?.nonEmpty,
      publicationYear: meta["publication_date"]?.nonEmpty.map { String($0.prefix(4)) },
      publisher: meta["publisher"]?.nonEmpty)
  }

  private static func base(_ url: URL) -> String {
    var text = url.absoluteString
    if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) }
    while text.hasSuffix("/") { text.removeLast() }
    return text
  }

  private static func child(_ url: URL, _ name: String) -> URL? {
    URL(string: base(url) + "/" + name)
  }
}

/// A link from an API used as given; only raw spaces (older Zenodo links) are encoded, since a
/// URL cannot carry them. Anything but http(s) is refused.
func listingURL(_ text: String) -> URL? {
  let fixed = text.replacingOccurrences(of: " ", with: "%20")
  guard let url = URL(string: fixed), let scheme = url.scheme?.lowercased(),
    scheme == "http" || scheme == "https", url.host != nil
  else { return nil }
  return url
}
