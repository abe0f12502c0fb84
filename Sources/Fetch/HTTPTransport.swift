public import Foundation

/// One HTTP request as fairflow sends it: no implicit redirects, no implicit retries.
///
/// The layers above (``WebClient`` for JSON and redirects, ``Downloader`` for files) decide what a
/// 3xx, 429 or 5xx means; a transport only moves bytes.
public struct HTTPRequest: Sendable, Equatable {
  public var method: String
  public var url: URL
  /// Header fields in the order they are sent; names compare case-insensitively.
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]?
  /// A body streamed from elsewhere (a file) instead of `body`; made afresh for every attempt.
  public var upload: UploadBody?
  /// Seconds without progress (connect or between body chunks) before the request fails.
  public var timeout: Double

  public init(
    method: String = "GET", url: URL, headers: [(name: String, value: String)] = [],
    body: [UInt8]? = nil, upload: UploadBody? = nil, timeout: Double = 60
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.upload = upload
    self.timeout = timeout
  }

  public func header(_ name: String) -> String? {
    headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
  }

  public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
    lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
      && lhs.headers.map { [$0.name.lowercased(), $0.value] }
        == rhs.headers.map { [$0.name.lowercased(), $0.value] }
  }
}

/// A request body of known length read chunk by chunk (a gigabyte object never sits in memory).
/// `chunks` is called once per attempt (retries and redirects send it again); a stream that
/// throws aborts the request before it is complete, so the server never commits a partial body.
public struct UploadBody: Sendable {
  public var length: Int
  public var chunks: @Sendable () -> AsyncThrowingStream<[UInt8], any Error>

  public init(
    length: Int, chunks: @escaping @Sendable () -> AsyncThrowingStream<[UInt8], any Error>
  ) {
    self.length = length
    self.chunks = chunks
  }
}

/// Status line and headers of a response; the body arrives separately as a stream of chunks.
public struct HTTPResponseHead: Sendable {
  public var status: Int
  public var headers: [(name: String, value: String)]

  public init(status: Int, headers: [(name: String, value: String)] = []) {
    self.status = status
    self.headers = headers
  }

  /// The first value of header `name` (case-insensitive).
  public func header(_ name: String) -> String? {
    headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
  }

  /// Every value of header `name`, in order (Zenodo sends `Accept-Ranges` twice).
  public func headers(_ name: String) -> [String] {
    headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
  }
}

/// A response whose body is read chunk by chunk, so downloads of many gigabytes never sit in memory.
public struct HTTPResponse: Sendable {
  public var head: HTTPResponseHead
  public var body: AsyncThrowingStream<[UInt8], any Error>

  public init(head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
    self.head = head
    self.body = body
  }

  /// The whole body, failing with ``FetchError/tooLarge`` past `limit` bytes.
  public func collect(limit: Int) async throws -> [UInt8] {
    var bytes: [UInt8] = []
    for try await chunk in body {
      bytes += chunk
      if bytes.count > limit { throw FetchError.tooLarge(limit: Int64(limit)) }
    }
    return bytes
  }
}

/// Moves one request and its response over the wire. The real one is ``NetworkTransport``
/// (AsyncHTTPClient); tests inject in-memory transports or talk to a loopback server.
///
/// A transport never follows redirects and never retries: it returns 3xx, 429 and 5xx as they come.
/// It throws only for transport failures (refused, reset, timed out, TLS).
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
