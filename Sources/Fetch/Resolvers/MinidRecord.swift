internal import Foundation

/// A minid (doi-apis.md §11.4): one file with its locations and checksums, in either of the two
/// answer formats the identifier services use.
enum MinidRecord {
  /// `minid:`, `minid.test:`, `ark:/57799/`, `ark:/99999/` and their `hdl:` equivalents.
  static func isMinid(_ identifier: String) -> Bool {
    let lower = identifier.lowercased()
    return [
      "minid:", "minid.test:", "ark:/57799/", "ark:/99999/", "hdl:20.500.12582/",
      "hdl:20.500.12633/",
    ].contains { lower.hasPrefix($0) && lower.count > $0.count }
  }

  /// The file the minid names: the first http(s) location; checksums from `checksums[]` or
  /// `checksum` + `checksum_function`; size from `metadata.contentSize` or `metadata.length`.
  static func parse(
    _ json: ResolverJSON, identifier: String, url: URL
  ) throws -> (file: RemoteFile, metadata: DatasetMetadata) {
    var locations = (json["locations"]?.array ?? []).compactMap { $0["uri"]?.nonEmpty }
    switch json["location"] {
    case .array(let items)?: locations += items.compactMap(\.nonEmpty)
    case .string(let item)?: locations.append(item)
    default: break
    }
    guard let location = locations.lazy.compactMap(listingURL).first else {
      throw FetchError.notFound(identifier: identifier, detail: "the minid has no http(s) location")
    }
    var checksums: [Checksum] = []
    let name = location.lastPathComponent.isEmpty ? identifier : location.lastPathComponent
    for entry in json["checksums"]?.array ?? [] {
      if let function = entry["function"]?.nonEmpty, let value = entry["value"]?.nonEmpty {
        try checksums.append(contentsOf: checksum(function, value, name: name).map { [$0] } ?? [])
      }
    }
    if checksums.isEmpty, let function = json["checksum_function"]?.nonEmpty,
      let value = json["checksum"]?.nonEmpty
    {
      try checksums.append(contentsOf: checksum(function, value, name: name).map { [$0] } ?? [])
    }
    let meta = json["metadata"]
    let file = RemoteFile(
      path: try ListingPath.validated(name), url: location,
      size: (meta?["contentSize"] ?? meta?["length"])?.int64,
      checksums: checksums.sorted { $0.algorithm > $1.algorithm })
    return (file, DatasetMetadata(title: meta?["title"]?.nonEmpty))
  }

  private static func checksum(_ function: String, _ value: String, name: String) throws
    -> Checksum?
  {
    guard let algorithm = ListingChecksum.algorithm(named: function) else { return nil }
    return try ListingChecksum.parse(value, defaultAlgorithm: algorithm, file: name)
  }
}
