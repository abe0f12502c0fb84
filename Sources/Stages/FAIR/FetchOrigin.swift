public import FairflowBase
internal import Fetch
internal import Foundation

extension FetchSession.Outcome {
  /// The provenance origin of the output directory: DOI, URL, retrieval time, DataCite metadata
  /// and every file with its repository checksum and SHA-256.
  public func origin(identifier: String) -> Value {
    var fields: [(key: String, value: Value)] = []
    if let doi = record.doi { fields.append(("doi", .string(doi))) }
    let url = record.apiURL ?? record.landingURL ?? files.first.flatMap { URL(string: $0.url) }
    fields.append(("url", .string(url?.absoluteString ?? identifier)))
    if files.count == 1, let checksum = files[0].checksum {
      fields.append(("checksum", .string(checksum)))
    }
    fields.append(("retrieved", .string(retrieved)))
    fields.append(("identifier", .string(identifier)))
    fields.append(("repository", .string(record.repository.rawValue)))
    if let landing = record.landingURL {
      fields.append(("resolved_url", .string(landing.absoluteString)))
    }
    if let stamp = record.handleTimestamp { fields.append(("handle_timestamp", .string(stamp))) }
    let m = record.metadata
    if let title = m.title { fields.append(("title", .string(title))) }
    if !m.creators.isEmpty { fields.append(("creators", .list(m.creators.map(Value.string)))) }
    if let license = m.license { fields.append(("license", .string(license))) }
    if let version = m.version { fields.append(("version", .string(version))) }
    if let year = m.publicationYear { fields.append(("publication_year", .string(year))) }
    if let publisher = m.publisher { fields.append(("publisher", .string(publisher))) }
    fields.append(
      (
        "files",
        .list(
          files.map { f in
            var entry: [(key: String, value: Value)] = [
              ("path", .string(f.path)), ("url", .string(f.url)), ("size", .int(Int(f.size))),
              ("sha256", .string(f.sha256)),
            ]
            if let c = f.checksum { entry.append(("checksum", .string(c))) }
            return .map(entry)
          })
      ))
    return .map(fields)
  }
}
