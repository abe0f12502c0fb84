internal import FairflowBase
public import Fetch
public import Foundation
internal import Synchronization

/// A remote over HTTP(S) WebDAV (CERNBox, EOS, dCache, nginx's dav module): `HEAD` to see what
/// is there, `GET` (with `Range` to resume) to read, `PUT` to write, `MKCOL` for the collections
/// (most servers do not create them on `PUT`). Requests go through the
/// project's one ``WebClient``: https only (plain http to loopback), retries with backoff on
/// 429/5xx and network failures, credentials dropped when a redirect changes origin.
public struct WebDAVStorage: RemoteStorage {
  public let name: String
  public let base: URL
  let client: WebClient
  let credentials: RemoteCredentials
  private let collections = CollectionSet()

  public init(name: String, base: URL, client: WebClient, credentials: RemoteCredentials) {
    self.name = name
    let text = base.absoluteString
    self.base = text.hasSuffix("/") ? base : URL(string: text + "/")!
    self.client = client
    self.credentials = credentials
  }

  public var display: String { "remote '\(name)' (\(base.absoluteString))" }

  func url(_ key: String) -> URL { URL(string: base.absoluteString + key)! }

  private func request(
    _ method: String, _ url: URL, headers: [(name: String, value: String)] = [],
    body: [UInt8]? = nil, upload: UploadBody? = nil
  ) -> HTTPRequest {
    var fields = headers
    if let header = credentials.header { fields.append(("Authorization", header)) }
    return HTTPRequest(
      method: method, url: url, headers: fields, body: body, upload: upload,
      timeout: client.policy.timeout)
  }

  public func size(of key: String) async throws -> Int? {
    let (_, response) = try await client.send(request("HEAD", url(key)))
    _ = try? await response.collect(limit: 1 << 16)
    switch response.head.status {
    case 200..<300:
      return response.head.header("Content-Length").flatMap { Int($0) } ?? -1
    case 404, 410: return nil
    default: throw failure("HEAD", key, response.head.status)
    }
  }

  public func upload(_ source: ObjectSource, to key: String) async throws {
    let body = UploadBody(length: source.size, chunks: source.chunks)
    try await write(key) { request("PUT", url(key), headers: octets, upload: body) }
  }

  public func put(_ bytes: [UInt8], to key: String) async throws {
    try await write(key) { request("PUT", url(key), headers: octets, body: bytes) }
  }

  private var octets: [(name: String, value: String)] {
    [("Content-Type", "application/octet-stream")]
  }

  /// PUT, after making sure the parent collections exist (once per collection and process, as
  /// rclone does): RFC 4918 servers answer a PUT into a missing collection with 409, nginx with
  /// 500, and neither should cost a round of retries.
  private func write(_ key: String, _ make: () -> HTTPRequest) async throws {
    try await makeCollections(for: key)
    let (_, response) = try await client.send(make())
    let body = (try? await response.collect(limit: 1 << 16)) ?? []
    let status = response.head.status
    guard (200..<300).contains(status) else { throw failure("PUT", key, status, body: body) }
  }

  /// MKCOL every collection from the base down to `key`'s parent that this process has not made.
  private func makeCollections(for key: String) async throws {
    let parts = key.split(separator: "/").dropLast()
    var path = ""
    for part in [""] + parts.map(String.init) {
      path += part.isEmpty ? "" : part + "/"
      if collections.contains(path) { continue }
      let target = URL(string: base.absoluteString + path)!
      let (_, response) = try await client.send(request("MKCOL", target))
      _ = try? await response.collect(limit: 1 << 16)
      // 201 made; 405 already there (RFC 4918 §9.3.1); 301 some servers redirect to the slash.
      guard [200, 201, 204, 301, 405].contains(response.head.status) else {
        throw failure("MKCOL", path, response.head.status)
      }
      collections.insert(path)
    }
  }

  public func download(_ key: String, into sink: ObjectSink) async throws -> Bool {
    let resume = sink.count
    let headers = resume > 0 ? [("Range", "bytes=\(resume)-")] : []
    let (_, response) = try await client.send(request("GET", url(key), headers: headers))
    let status = response.head.status
    switch status {
    case 404, 410: return false
    case 416:
      // The partial file is not a prefix of the object any more: start over.
      try sink.restart()
      return try await download(key, into: sink)
    case 200:
      if resume > 0 { try sink.restart() }
    case 206:
      let start = response.head.header("Content-Range").flatMap(Self.rangeStart)
      guard start == resume else {
        try sink.restart()
        return try await download(key, into: sink)
      }
    default:
      let body = (try? await response.collect(limit: 1 << 16)) ?? []
      throw failure("GET", key, status, body: body)
    }
    for try await chunk in response.body { try sink.write(chunk) }
    return true
  }

  /// The first line of an error body worth showing: an HTML page's `<title>`, else plain text.
  static func serverMessage(_ body: [UInt8]) -> String? {
    let text = String(decoding: body.prefix(2000), as: UTF8.self)
    if let open = text.range(of: "<title>"), let close = text.range(of: "</title>"),
      open.upperBound <= close.lowerBound
    {
      return String(text[open.upperBound..<close.lowerBound])
    }
    guard !text.hasPrefix("<") else { return nil }
    return text.split(whereSeparator: \.isNewline).first.map { String($0.prefix(200)) }
  }

  /// `bytes 100-199/200` → 100.
  static func rangeStart(_ value: String) -> Int? {
    guard value.hasPrefix("bytes ") else { return nil }
    return Int(value.dropFirst(6).prefix { $0 != "-" })
  }

  public func get(_ key: String, limit: Int) async throws -> [UInt8]? {
    let (_, response) = try await client.send(request("GET", url(key)))
    let status = response.head.status
    if status == 404 || status == 410 { return nil }
    let body = try await response.collect(limit: limit)
    guard (200..<300).contains(status) else { throw failure("GET", key, status, body: body) }
    return body
  }

  public func flush() async throws {}

  func failure(_ method: String, _ key: String, _ status: Int, body: [UInt8] = []) -> RemoteError {
    let host = base.host ?? ""
    let server = Self.serverMessage(body).map { ": \($0)" } ?? ""
    switch status {
    case 401, 403:
      let sent =
        credentials.header == nil
        ? "no credentials were sent" : "the credentials from \(credentials.source) were refused"
      return RemoteError(
        "\(display) refused \(method) \(key) (HTTP \(status)): \(sent)",
        hint: RemoteCredentials.advice(remote: name, host: host), isFatal: true)
    case 413:
      return RemoteError(
        "\(display) refused \(method) \(key) as too large (HTTP 413)",
        hint: "raise the server's upload limit (nginx: client_max_body_size 0)")
    case 405, 501:
      return RemoteError(
        "\(display) does not allow \(method) (HTTP \(status)); is it a WebDAV server with writes enabled?",
        hint: "nginx: dav_methods PUT DELETE MKCOL COPY MOVE; see docs/remotes.md")
    default:
      let retried =
        WebClient.retried.contains(status) ? " after \(client.policy.maxAttempts) attempts" : ""
      return RemoteError(
        "\(display): \(method) \(key) answered HTTP \(status)\(retried)\(server)",
        isFatal: status >= 500)
    }
  }
}

/// Collections this process has made (or found), so each is asked for once.
final class CollectionSet: Sendable {
  private let set = Mutex<Set<String>>([])
  func contains(_ path: String) -> Bool { set.withLock { $0.contains(path) } }
  func insert(_ path: String) { set.withLock { _ = $0.insert(path) } }
}
