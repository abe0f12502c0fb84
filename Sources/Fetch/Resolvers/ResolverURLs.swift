internal import Foundation

/// URL plumbing shared by the resolvers: origins, https upgrades, API paths on the host a DOI
/// resolved to.
enum ResolverURLs {
  static let loopbackHosts: Set<String> = ["127.0.0.1", "::1", "localhost"]

  static func isLoopback(_ url: URL) -> Bool {
    loopbackHosts.contains(url.host?.lowercased().trimmingCharacters(in: ["[", "]"]) ?? "")
  }

  /// `scheme://host[:port]` of `url`, with plain http upgraded to https except on loopback
  /// (handle values such as CERN's are still `http://`, doi-apis.md §9.1).
  static func origin(of url: URL) -> String {
    var scheme = url.scheme?.lowercased() ?? "https"
    if scheme == "http", !isLoopback(url) { scheme = "https" }
    var host = url.host ?? ""
    if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
    return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
  }

  /// `base` (trailing slashes dropped) + `path` (already encoded).
  static func join(_ base: URL, _ path: String) throws -> URL {
    var text = base.absoluteString
    while text.hasSuffix("/") { text.removeLast() }
    guard let url = URL(string: text + path) else {
      throw FetchError.malformedResponse(url: text + path, detail: "not a valid URL")
    }
    return url
  }

  static func join(_ origin: String, _ path: String) throws -> URL {
    try join(URL(string: origin) ?? URL(string: "https://invalid")!, path)
  }

  /// One path segment percent-encoded (ids from URLs and APIs).
  static func segment(_ text: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/%?#;")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }

  /// Non-empty path segments of `url`, decoded.
  static func segments(_ url: URL) -> [String] {
    url.path.split(separator: "/").map(String.init)
  }

  /// The value of query item `name`.
  static func query(_ url: URL, _ name: String) -> String? {
    URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?
      .first { $0.name == name }?.value
  }

  /// Refuses anything but https, or http to loopback.
  static func requireSecure(_ url: URL) throws {
    let scheme = url.scheme?.lowercased()
    guard scheme == "https" || (scheme == "http" && isLoopback(url)), url.host != nil else {
      throw FetchError.insecureURL(url.absoluteString)
    }
  }

  /// The `rel="linkset"; type="application/linkset+json"` target of a `Link` header
  /// (FAIR Signposting level 2, doi-apis.md §6).
  static func linkset(in header: String, relativeTo base: URL) -> URL? {
    for part in header.split(separator: ",") {
      let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else {
        continue
      }
      var rel: [String] = []
      var type: String?
      for parameter in pieces.dropFirst() {
        let pair = parameter.split(separator: "=", maxSplits: 1).map {
          $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ").union(.whitespaces))
        }
        guard pair.count == 2 else { continue }
        if pair[0].lowercased() == "rel" { rel = pair[1].split(separator: " ").map(String.init) }
        if pair[0].lowercased() == "type" { type = pair[1].lowercased() }
      }
      if rel.contains("linkset"), type == "application/linkset+json" {
        return URL(string: String(target.dropFirst().dropLast()), relativeTo: base)?.absoluteURL
      }
    }
    return nil
  }

  /// The file name a `Content-Disposition` header gives (`filename*` preferred, RFC 6266).
  static func dispositionFilename(_ header: String) -> String? {
    var plain: String?
    for parameter in header.split(separator: ";").dropFirst() {
      let pair = parameter.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard pair.count == 2 else { continue }
      let name = pair[0].lowercased()
      if name == "filename*" {
        // charset'language'percent-encoded
        let parts = pair[1].split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        if parts.count == 3, let decoded = String(parts[2]).removingPercentEncoding,
          !decoded.isEmpty
        {
          return decoded
        }
      } else if name == "filename" {
        var value = pair[1]
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
          value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
        }
        if !value.isEmpty { plain = value }
      }
    }
    return plain
  }
}
