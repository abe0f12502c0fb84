internal import Foundation

/// A Dataverse dataset (doi-apis.md §8) from `GET /api/datasets/:persistentId/?persistentId=…`.
///
/// Ingested tabular files are the trap: the published checksum and `originalFileSize` describe
/// the original upload, while the default download is the generated `.tab`. Those files are
/// listed as their original (`?format=original`, `originalFileName`), so the checksum holds.
enum DataverseListing {
  /// Files and metadata of the dataset's latest version; `origin` is the installation
  /// (`https://host[:port]`) download URLs are built on.
  static func parse(
    _ json: ResolverJSON, origin: String, url: URL
  ) throws -> (files: [RemoteFile], metadata: DatasetMetadata) {
    guard json["status"]?.string == "OK", let data = json["data"],
      let version = data["latestVersion"]
    else {
      throw FetchError.malformedResponse(
        url: url.absoluteString,
        detail: json["message"]?.nonEmpty ?? "not a Dataverse dataset answer")
    }
    let files = try (version["files"]?.array ?? []).map {
      try file(from: $0, origin: origin, url: url)
    }
    return (files, metadata(data: data, version: version))
  }

  static func file(from entry: ResolverJSON, origin: String, url: URL) throws -> RemoteFile {
    guard let dataFile = entry["dataFile"], let id = dataFile["id"]?.text else {
      throw FetchError.malformedResponse(
        url: url.absoluteString, detail: "a file has no dataFile.id")
    }
    let tabular = dataFile["tabularData"]?.bool == true
    let archivalName = dataFile["filename"]?.nonEmpty ?? entry["label"]?.nonEmpty ?? id
    let name = tabular ? (dataFile["originalFileName"]?.nonEmpty ?? archivalName) : archivalName
    let folder = entry["directoryLabel"]?.nonEmpty ?? dataFile["directoryLabel"]?.nonEmpty
    let path = try ListingPath.validated(folder.map { $0 + "/" + name } ?? name)
    let size = tabular ? dataFile["originalFileSize"]?.int64 : dataFile["filesize"]?.int64
    var checksums: [Checksum] = []
    if let type = dataFile["checksum", "type"]?.nonEmpty,
      let value = dataFile["checksum", "value"]?.nonEmpty
    {
      guard let algorithm = ListingChecksum.algorithm(named: type) else {
        throw FetchError.malformedResponse(
          url: url.absoluteString, detail: "\(path): unknown checksum type \(type)")
      }
      if let checksum = try ListingChecksum.parse(value, defaultAlgorithm: algorithm, file: path) {
        checksums.append(checksum)
      }
    } else if let md5 = dataFile["md5"]?.nonEmpty,
      let checksum = try ListingChecksum.parse(md5, defaultAlgorithm: .md5, file: path)
    {
      checksums.append(checksum)
    }
    let query = tabular ? "?format=original" : ""
    guard let download = URL(string: "\(origin)/api/access/datafile/\(id)\(query)") else {
      throw FetchError.malformedResponse(url: url.absoluteString, detail: "bad file id \(id)")
    }
    return RemoteFile(path: path, url: download, size: size, checksums: checksums)
  }

  /// Title and authors from the citation block, licence, `major.minor`, year and publisher.
  static func metadata(data: ResolverJSON, version: ResolverJSON) -> DatasetMetadata {
    let fields = version["metadataBlocks", "citation"]?["fields"]?.array ?? []
    func field(_ name: String) -> ResolverJSON? {
      fields.first { $0["typeName"]?.string == name }?["value"]
    }
    let authors = (field("author")?.array ?? []).compactMap {
      $0["authorName", "value"]?.nonEmpty
    }
    let number = [version["versionNumber"]?.text, version["versionMinorNumber"]?.text]
      .compactMap { $0 }
    return DatasetMetadata(
      title: field("title")?.nonEmpty, creators: authors,
      license: version["license", "name"]?.nonEmpty ?? version["license"]?.nonEmpty,
      version: number.isEmpty ? nil : number.joined(separator: "."),
      publicationYear: (data["publicationDate"]?.nonEmpty ?? version["releaseTime"]?.nonEmpty)
        .map { String($0.prefix(4)) },
      publisher: data["publisher"]?.nonEmpty)
  }
}
