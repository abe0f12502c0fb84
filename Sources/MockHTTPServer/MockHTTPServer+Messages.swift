import Foundation

extension MockHTTPServer {
  /// One request as the server received it, kept in ``MockHTTPServer/requests`` for assertions.
  public struct Request: Sendable {
    public var method: String
    /// The request target exactly as sent: percent-encoded, with the query.
    public var uri: String
    /// ``uri`` without the query, still percent-encoded.
    public var path: String
    /// Query parameters, percent-decoded (`+` read as a space); the last of a repeated name wins.
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
      method: String, uri: String, headers: [(name: String, value: String)] = [],
      body: [UInt8] = []
    ) {
      self.method = method
      self.uri = uri
      let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
      self.path = parts.isEmpty ? "" : String(parts[0])
      self.query = parts.count > 1 ? Self.parseQuery(String(parts[1])) : [:]
      self.headers = headers
      self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
      headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    static func parseQuery(_ text: String) -> [String: String] {
      var result: [String: String] = [:]
      for pair in text.split(separator: "&") {
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let decode = { (s: Substring) in
          let plain = s.replacingOccurrences(of: "+", with: " ")
          return plain.removingPercentEncoding ?? plain
        }
        result[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
      }
      return result
    }
  }

  /// What the handler answers. `Content-Length` is added from ``body`` unless given.
  public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Send only this many body bytes (Content-Length still announces the full body), then close:
    /// a truncated body.
    public var truncateAfter: Int?

    public init(
      status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
      truncateAfter: Int? = nil
    ) {
      self.status = status
      self.headers = headers
      self.body = body
      self.truncateAfter = truncateAfter
    }

    /// A JSON body with `Content-Type: application/json`.
    public static func json(
      _ text: String, status: Int = 200, headers: [(name: String, value: String)] = []
    ) -> Response {
      Response(
        status: status, headers: [("Content-Type", "application/json")] + headers,
        body: Array(text.utf8))
    }

    /// A text body (UTF-8) with the given content type.
    public static func text(
      _ text: String, status: Int = 200, contentType: String = "text/plain"
    ) -> Response {
      Response(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    /// An empty response with `Location`.
    public static func redirect(to location: String, status: Int = 302) -> Response {
      Response(status: status, headers: [("Location", location)])
    }

    /// Serves `bytes` honouring a `Range: bytes=N-` / `N-M` header of `request` (206 +
    /// Content-Range), else 200. A start at or past the end is a 416.
    public static func file(
      _ bytes: [UInt8], for request: Request, contentType: String = "application/octet-stream",
      headers: [(name: String, value: String)] = []
    ) -> Response {
      let base = [("Content-Type", contentType)] + headers
      guard let range = request.header("Range"), let (start, end) = parseRange(range) else {
        return Response(status: 200, headers: base, body: bytes)
      }
      guard start < bytes.count, end.map({ $0 >= start }) ?? true else {
        return Response(status: 416, headers: base + [("Content-Range", "bytes */\(bytes.count)")])
      }
      let last = min(end ?? (bytes.count - 1), bytes.count - 1)
      return Response(
        status: 206,
        headers: base + [("Content-Range", "bytes \(start)-\(last)/\(bytes.count)")],
        body: Array(bytes[start...last]))
    }

    static func parseRange(_ header: String) -> (Int, Int?)? {
      let spec = header.trimmingCharacters(in: .whitespaces)
      guard spec.hasPrefix("bytes=") else { return nil }
      let parts = spec.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
      guard parts.count == 2, let start = Int(parts[0]) else { return nil }
      if parts[1].isEmpty { return (start, nil) }
      guard let end = Int(parts[1]) else { return nil }
      return (start, end)
    }
  }
}
