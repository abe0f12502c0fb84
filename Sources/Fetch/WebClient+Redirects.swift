import Foundation

/// Redirect rules (doi-apis.md §13.1): every hop is checked here because the transport follows
/// none. At most ``RequestPolicy/maxRedirects`` hops, no URL twice, only http(s), never https to
/// http, plain http only to loopback; when the origin changes, credentials stay behind.
extension WebClient {
  static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
  static let credentialHeaders: Set<String> = [
    "authorization", "proxy-authorization", "cookie", "x-dataverse-key",
  ]
  static let credentialQueryNames: Set<String> = ["access_token", "token"]

  /// The plain-http and scheme checks for a URL the caller chose.
  static func checkInitial(_ url: URL) throws {
    let scheme = url.scheme?.lowercased()
    guard scheme == "https" || (scheme == "http" && isLoopback(url)) else {
      throw FetchError.insecureURL(redactedURL(url))
    }
  }

  static func isLoopback(_ url: URL) -> Bool {
    let host = (url.host ?? "").lowercased().trimmingCharacters(
      in: CharacterSet(charactersIn: "[]"))
    return host == "127.0.0.1" || host == "::1" || host == "localhost"
  }

  /// Sends `request` and follows its redirects; returns the first non-redirect answer.
  func followRedirects(_ request: HTTPRequest) async throws -> (url: URL, response: HTTPResponse) {
    var current = request
    var visited: Set<String> = [request.url.absoluteString]
    var hops = 0
    while true {
      let response = try await transport.send(current)
      guard let location = Self.redirectTarget(response.head, method: current.method) else {
        return (current.url, response)
      }
      hops += 1
      let here = redactedURL(current.url)
      guard hops <= policy.maxRedirects else {
        throw FetchError.redirect(url: here, detail: "more than \(policy.maxRedirects) redirects")
      }
      guard var next = Self.resolve(location, against: current.url) else {
        throw FetchError.redirect(url: here, detail: "unreadable Location \(location)")
      }
      try Self.checkHop(from: current.url, to: next)
      if !Self.sameOrigin(current.url, next) {
        current.headers.removeAll { Self.credentialHeaders.contains($0.name.lowercased()) }
        next = Self.withoutCredentials(next)
      }
      guard visited.insert(next.absoluteString).inserted else {
        throw FetchError.redirect(url: here, detail: "redirect loop back to \(redactedURL(next))")
      }
      if response.head.status == 303, current.method != "HEAD" {
        current.method = "GET"
        current.body = nil
        current.headers.removeAll {
          ["content-type", "content-length"].contains($0.name.lowercased())
        }
      }
      current.url = next
    }
  }

  /// The `Location` to follow: on a 3xx, or on a bodiless 200 (some resolvers answer that way).
  static func redirectTarget(_ head: HTTPResponseHead, method: String) -> String? {
    guard let location = head.header("Location"), !location.isEmpty else { return nil }
    if redirectStatuses.contains(head.status) { return location }
    if head.status == 200, head.header("Content-Length") == "0", method == "GET" {
      return location
    }
    return nil
  }

  static func resolve(_ location: String, against base: URL) -> URL? {
    let text = location.replacingOccurrences(of: " ", with: "%20")
    return URL(string: text, relativeTo: base)?.absoluteURL
  }

  static func checkHop(from: URL, to: URL) throws {
    let here = redactedURL(from)
    let scheme = to.scheme?.lowercased()
    guard scheme == "http" || scheme == "https", !(to.host ?? "").isEmpty else {
      throw FetchError.redirect(url: here, detail: "to a non-http(s) URL \(redactedURL(to))")
    }
    if from.scheme?.lowercased() == "https", scheme == "http" {
      throw FetchError.redirect(url: here, detail: "from https down to http \(redactedURL(to))")
    }
    if scheme == "http", !isLoopback(to) {
      throw FetchError.redirect(url: here, detail: "to plain http \(redactedURL(to))")
    }
  }

  static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
    a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
      && effectivePort(a) == effectivePort(b)
  }

  private static func effectivePort(_ url: URL) -> Int {
    url.port ?? (url.scheme?.lowercased() == "http" ? 80 : 443)
  }

  /// `url` without `access_token`/`token` query parameters; the rest of the query is untouched.
  static func withoutCredentials(_ url: URL) -> URL {
    guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false),
      let query = parts.percentEncodedQuery
    else { return url }
    let kept = query.split(separator: "&", omittingEmptySubsequences: false).filter { pair in
      let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
      return !credentialQueryNames.contains((name.removingPercentEncoding ?? name).lowercased())
    }
    parts.percentEncodedQuery = kept.isEmpty ? nil : kept.joined(separator: "&")
    return parts.url ?? url
  }
}
