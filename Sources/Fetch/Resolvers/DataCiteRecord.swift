internal import Foundation

/// The parts of a DataCite REST answer (`GET /dois/<doi>`, doi-apis.md §4.2) that fetching
/// needs: citation metadata and `contentUrl`, the only repository-neutral file links.
struct DataCiteRecord: Sendable, Equatable {
  var metadata: DatasetMetadata
  /// `attributes.contentUrl`: an array, a single string, or null.
  var contentURLs: [URL]
  /// `attributes.url`, the landing page.
  var landingURL: URL?
  var resourceTypeGeneral: String?

  /// Reads the JSON:API document (or a bare DataCite JSON / attributes object: the same keys).
  static func parse(_ bytes: [UInt8], from url: URL) throws -> DataCiteRecord {
    let json = try ResolverJSON.parse(bytes, from: url)
    let attributes = json["data", "attributes"] ?? json
    guard attributes.object != nil, json["errors"] == nil else {
      throw FetchError.malformedResponse(url: url.absoluteString, detail: "no DataCite record")
    }
    var contentURLs: [URL] = []
    switch attributes["contentUrl"] {
    case .string(let text)?: contentURLs = URL(string: text).map { [$0] } ?? []
    case .array(let items)?:
      contentURLs = items.compactMap { $0.nonEmpty.flatMap(URL.init(string:)) }
    default: break
    }
    return DataCiteRecord(
      metadata: metadata(of: attributes), contentURLs: contentURLs,
      landingURL: attributes["url"]?.nonEmpty.flatMap(URL.init(string:)),
      resourceTypeGeneral: attributes["types", "resourceTypeGeneral"]?.nonEmpty)
  }

  /// Title, creators, licence (SPDX id, else the rights text), version, year and publisher.
  static func metadata(of attributes: ResolverJSON) -> DatasetMetadata {
    let rights = attributes["rightsList"]?.array?.first
    let publisher = attributes["publisher"]
    return DatasetMetadata(
      title: attributes["titles"]?.array?.first?["title"]?.nonEmpty,
      creators: (attributes["creators"]?.array ?? []).compactMap {
        $0["name"]?.nonEmpty
          ?? [$0["familyName"]?.nonEmpty, $0["givenName"]?.nonEmpty].compactMap { $0 }
          .joined(separator: ", ").nonEmptyOrNil
      },
      license: rights?["rightsIdentifier"]?.nonEmpty ?? rights?["rights"]?.nonEmpty
        ?? rights?["rightsUri"]?.nonEmpty,
      version: attributes["version"]?.nonEmpty,
      publicationYear: attributes["publicationYear"]?.nonEmpty,
      publisher: publisher?.nonEmpty ?? publisher?["name"]?.nonEmpty)
  }
}

extension String {
  fileprivate var nonEmptyOrNil: String? { isEmpty ? nil : self }
}

extension DatasetMetadata {
  /// `self`, with every empty field taken from `fallback` (DataCite first, the repository's own
  /// JSON where DataCite is silent or unreachable).
  func filled(from fallback: DatasetMetadata) -> DatasetMetadata {
    DatasetMetadata(
      title: title ?? fallback.title, creators: creators.isEmpty ? fallback.creators : creators,
      license: license ?? fallback.license, version: version ?? fallback.version,
      publicationYear: publicationYear ?? fallback.publicationYear,
      publisher: publisher ?? fallback.publisher)
  }
}
