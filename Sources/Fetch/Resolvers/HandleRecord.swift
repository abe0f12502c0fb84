internal import Foundation

/// What doi.org's Handle REST API says a DOI points at (doi-apis.md §3.2): the first value of type
/// `URL` whose data is a string, and its timestamp for provenance.
struct HandleRecord: Sendable, Equatable {
  var url: URL
  var timestamp: String?

  /// Reads a `GET /api/handles/<doi>` answer. `responseCode` 100 (HTTP 404) and 200 (no URL value)
  /// mean the DOI is not registered for resolution; a URL value that is not http(s) is refused.
  static func parse(_ bytes: [UInt8], status: Int, doi: DOI, from url: URL) throws -> HandleRecord {
    let json: ResolverJSON
    do {
      json = try ResolverJSON.parse(bytes, from: url)
    } catch {
      if status == 404 || status == 410 {
        throw FetchError.notFound(identifier: doi.spelling, detail: "doi.org has no such DOI")
      }
      throw error
    }
    switch json["responseCode"]?.int64 {
    case 1: break
    case 100:
      throw FetchError.notFound(identifier: doi.spelling, detail: "doi.org has no such DOI")
    case 200:
      throw FetchError.notFound(
        identifier: doi.spelling, detail: "the handle has no URL value to resolve to")
    default:
      if status == 404 {
        throw FetchError.notFound(identifier: doi.spelling, detail: "doi.org has no such DOI")
      }
      throw FetchError.malformedResponse(
        url: url.absoluteString,
        detail: "handle responseCode \(json["responseCode"]?.text ?? "missing") (HTTP \(status))")
    }
    let values = json["values"]?.array ?? []
    guard
      let value = values.first(where: {
        $0["type"]?.string == "URL" && $0["data", "format"]?.string == "string"
          && $0["data", "value"]?.nonEmpty != nil
      }), let text = value["data", "value"]?.nonEmpty
    else {
      throw FetchError.notFound(
        identifier: doi.spelling, detail: "the handle has no URL value to resolve to")
    }
    guard let target = URL(string: text), let scheme = target.scheme?.lowercased(),
      scheme == "http" || scheme == "https", target.host != nil
    else { throw FetchError.insecureURL(text) }
    return HandleRecord(url: target, timestamp: value["timestamp"]?.nonEmpty)
  }
}

extension ResolverJSON {
  /// `self[a][b]…` for the two-key paths the parsers use most.
  subscript(_ first: String, _ second: String) -> ResolverJSON? { self[first]?[second] }
}
