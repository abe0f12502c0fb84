import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The real ``HTTPTransport``: AsyncHTTPClient with redirects turned off (``WebClient`` checks
/// every hop itself) and bodies streamed chunk by chunk with back-pressure.
///
/// A request's ``HTTPRequest/timeout`` bounds the wait for the response head; after that, the
/// connection may stay silent for at most `idleTimeout` seconds between body chunks.
public struct NetworkTransport: HTTPTransport {
  /// One process-wide transport (never shut down).
  public static let shared = NetworkTransport()

  private let client: HTTPClient

  /// A transport with its own connection pool; call ``shutdown()`` when done with it.
  /// `connectionsPerHost` bounds the pool: parallel transfers (push/pull) need one each.
  public init(connectTimeout: Double = 30, idleTimeout: Double = 60, connectionsPerHost: Int = 8) {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
    configuration.redirectConfiguration = .disallow
    configuration.timeout = .init(
      connect: .milliseconds(Int64(connectTimeout * 1000)),
      read: .milliseconds(Int64(idleTimeout * 1000)))
    configuration.decompression = .disabled
    // WebClient owns retries (with the policy's recorded waits); a refused connection must
    // surface at once instead of being retried inside the pool until the deadline.
    configuration.connectionPool.retryConnectionEstablishment = false
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
  }

  /// Closes the connection pool. The transport cannot be used afterwards.
  public func shutdown() async throws {
    try await client.shutdown()
  }

  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    var outgoing = HTTPClientRequest(url: request.url.absoluteString)
    outgoing.method = HTTPMethod(rawValue: request.method)
    for field in request.headers { outgoing.headers.add(name: field.name, value: field.value) }
    if let body = request.body { outgoing.body = .bytes(body) }
    if let upload = request.upload {
      outgoing.body = .stream(
        upload.chunks().map { ByteBuffer(bytes: $0) }, length: .known(Int64(upload.length)))
    }
    let response: HTTPClientResponse
    do {
      response = try await client.execute(outgoing, timeout: .milliseconds(milliseconds(request)))
    } catch {
      throw Self.mapped(error, url: request.url)
    }
    let head = HTTPResponseHead(
      status: Int(response.status.code),
      headers: response.headers.map { (name: $0.name, value: $0.value) })
    let chunks = ChunkSource(iterator: response.body.makeAsyncIterator(), url: request.url)
    return HTTPResponse(head: head, body: AsyncThrowingStream { try await chunks.next() })
  }

  private func milliseconds(_ request: HTTPRequest) -> Int64 {
    Int64(max(0.001, request.timeout) * 1000)
  }

  /// Cancellation stays cancellation; anything else becomes ``FetchError/transport(url:detail:)``.
  static func mapped(_ error: any Error, url: URL) -> any Error {
    if error is CancellationError || Task.isCancelled { return CancellationError() }
    if let fetchError = error as? FetchError { return fetchError }
    if let client = error as? HTTPClientError,
      [.deadlineExceeded, .readTimeout, .connectTimeout].contains(client)
    {
      return FetchError.transport(url: redactedURL(url), detail: "timed out (no answer in time)")
    }
    return FetchError.transport(url: redactedURL(url), detail: String(describing: error))
  }
}

/// Pulls body chunks one at a time. The stream that owns it asks for the next chunk only after
/// the consumer took the last one, so only one caller ever touches the iterator.
private final class ChunkSource: @unchecked Sendable {
  private var iterator: HTTPClientResponse.Body.AsyncIterator
  private let url: URL

  init(iterator: HTTPClientResponse.Body.AsyncIterator, url: URL) {
    self.iterator = iterator
    self.url = url
  }

  func next() async throws -> [UInt8]? {
    do {
      guard let buffer = try await iterator.next() else { return nil }
      return Array(buffer.readableBytesView)
    } catch {
      throw NetworkTransport.mapped(error, url: url)
    }
  }
}

/// A URL safe to show: signed query strings (S3 `X-Amz-*`) and tokens are dropped (§13.1).
func redactedURL(_ url: URL) -> String {
  guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false),
    let items = parts.queryItems, !items.isEmpty
  else { return url.absoluteString }
  let secret = { (name: String) in
    let lower = name.lowercased()
    return lower.hasPrefix("x-amz-") || ["access_token", "token", "signature"].contains(lower)
  }
  guard items.contains(where: { secret($0.name) }) else { return url.absoluteString }
  parts.queryItems = items.map { secret($0.name) ? URLQueryItem(name: $0.name, value: "…") : $0 }
  return parts.string ?? url.absoluteString
}
