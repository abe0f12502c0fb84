internal import Foundation

/// Figshare articles (doi-apis.md §7): the article found by DOI, its details (metadata and
/// `folder_structure`) and its paged file list.
enum FigshareListing {
  /// Files per page of `/files` (the documented maximum).
  static let pageSize = 1000

  /// `m9.figshare.14763051.v2` → (14763051, 2); collections (`.c.`) are not articles.
  static func articleID(fromDOI doi: DOI) -> (id: String, version: String?)? {
    let parts = doi.key.split(separator: ".")
    guard !parts.contains("c"), let index = parts.firstIndex(of: "figshare"),
      index + 1 < parts.count, parts[index + 1].allSatisfy(\.isNumber)
    else { return nil }
    var version: String?
    if index + 2 < parts.count, parts[index + 2].hasPrefix("v") {
      version = String(parts[index + 2].dropFirst())
    }
    return (String(parts[index + 1]), version)
  }

  /// The id of the first article of a `GET /v2/articles?doi=` answer (an array).
  static func articleID(fromSearch json: ResolverJSON, doi: DOI, url: URL) throws -> String {
    guard let first = json.array?.first, let id = first["id"]?.text else {
      let what = doi.key.contains(".c.") ? "a collection, not an article" : "no Figshare article"
      throw FetchError.notFound(identifier: doi.spelling, detail: what)
    }
    return id
  }

  /// Metadata and `folder_structure` (file id → folder) of `ArticleComplete`.
  static func details(_ json: ResolverJSON) -> (
    metadata: DatasetMetadata, folders: [String: String]
  ) {
    var folders: [String: String] = [:]
    for (id, folder) in json["folder_structure"]?.object ?? [:] {
      if let folder = folder.nonEmpty { folders[id] = folder }
    }
    let metadata = DatasetMetadata(
      title: json["title"]?.nonEmpty,
      creators: (json["authors"]?.array ?? []).compactMap { $0["full_name"]?.nonEmpty },
      license: json["license", "name"]?.nonEmpty, version: json["version"]?.nonEmpty,
      publicationYear: json["published_date"]?.nonEmpty.map { String($0.prefix(4)) },
      publisher: "figshare")
    return (metadata, folders)
  }

  /// One page of `PublicFile`s. `computed_md5` is preferred over `supplied_md5`; an empty value
  /// (link-only files) means "no published checksum".
  static func files(
    _ json: ResolverJSON, folders: [String: String], url: URL
  ) throws -> [RemoteFile] {
    guard let entries = json.array else {
      throw FetchError.malformedResponse(url: url.absoluteString, detail: "expected a file array")
    }
    return try entries.map { entry in
      guard let name = entry["name"]?.nonEmpty, let id = entry["id"]?.text else {
        throw FetchError.malformedResponse(url: url.absoluteString, detail: "a file has no name")
      }
      let path = try ListingPath.validated(folders[id].map { $0 + "/" + name } ?? name)
      guard let link = entry["download_url"]?.nonEmpty, let download = listingURL(link) else {
        throw FetchError.malformedResponse(
          url: url.absoluteString, detail: "\(name) has no http(s) download_url")
      }
      let md5 = entry["computed_md5"]?.nonEmpty ?? entry["supplied_md5"]?.nonEmpty
      let checksum = try md5.flatMap {
        try ListingChecksum.parse($0, defaultAlgorithm: .md5, file: path)
      }
      return RemoteFile(
        path: path, url: download, size: entry["size"]?.int64,
        checksums: checksum.map { [$0] } ?? [])
    }
  }
}
