public import Foundation

/// How requests are sent: redirects, retries, timeouts, identification. Tests shrink the delays.
public struct RequestPolicy: Sendable {
  /// At most this many redirects per request (a cycle is refused at once).
  public var maxRedirects = 10
  /// Attempts per request for 429, 5xx and transport failures (1 = no retry).
  public var maxAttempts = 5
  /// First backoff delay in seconds (doubled per attempt, with jitter from a seeded generator).
  public var initialBackoff = 1.0
  /// Never wait longer than this for one retry, even if `Retry-After` asks for more.
  public var maxBackoff = 120.0
  /// Seconds without progress before a request fails.
  public var timeout = 60.0
  /// Sent on every request: repositories throttle anonymous clients (doi-apis.md §1 rule 8).
  public var userAgent = "fairflow (+https://github.com/fairflow; mailto:fairflow@localhost)"
  /// Sleeps between retries; injected so tests can record waits instead of sleeping.
  public var sleep: @Sendable (Double) async throws -> Void = { seconds in
    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
  }

  public init() {}
}

/// The one place that turns a transport into policy: bounded https-only redirects (plain http only
/// to loopback), credential stripping when a redirect changes origin, retries with backoff that
/// honour `Retry-After` on 429/503, and capped bodies. Resolvers, the downloader and the depositor
/// all send through it.
public struct WebClient: Sendable {
  public var transport: any HTTPTransport
  public var policy: RequestPolicy

  public init(transport: any HTTPTransport, policy: RequestPolicy = RequestPolicy()) {
    self.transport = transport
    self.policy = policy
  }
}

// API the resolvers, downloader and depositor use.
extension WebClient {
  /// Sends `request`, following redirects per ``policy`` (bounded, https-only but loopback,
  /// cycle-checked, credentials stripped across origins) and retrying 429/5xx/transport failures
  /// with backoff (honouring `Retry-After` on 429 and 503). Returns the final response with its
  /// body unread, whatever its status, and the URL that answered.
  ///
  /// A retry starts again from `request.url`, so an expired presigned redirect target is fetched
  /// afresh. A `Retry-After` longer than ``RequestPolicy/maxBackoff`` fails at once with
  /// ``FetchError/httpStatus(url:status:detail:)`` rather than waiting.
  public func send(_ request: HTTPRequest) async throws -> (url: URL, response: HTTPResponse) {
    try Self.checkInitial(request.url)
    var first = request
    if first.header("User-Agent") == nil { first.headers.append(("User-Agent", policy.userAgent)) }
    var attempt = 1
    while true {
      let answer: (url: URL, response: HTTPResponse)
      do {
        answer = try await followRedirects(first)
      } catch {
        let failure = Self.asTransportFailure(error, url: request.url)
        guard case .transport = failure as? FetchError, attempt < policy.maxAttempts else {
          throw failure
        }
        try await policy.sleep(backoff(attempt: attempt, url: request.url))
        attempt += 1
        continue
      }
      let status = answer.response.head.status
      guard Self.retried.contains(status), attempt < policy.maxAttempts else { return answer }
      try await policy.sleep(
        try delay(after: answer.response.head, attempt: attempt, url: answer.url))
      attempt += 1
    }
  }

  /// GET `url` with `Accept: accept`, body collected up to `limit` bytes. Any status is returned.
  public func get(
    _ url: URL, accept: String = "application/json",
    headers: [(name: String, value: String)] = [], limit: Int = 64 << 20
  ) async throws -> (url: URL, head: HTTPResponseHead, body: [UInt8]) {
    let request = HTTPRequest(
      url: url, headers: [("Accept", accept)] + headers, timeout: policy.timeout)
    let (finalURL, response) = try await send(request)
    let body = try await response.collect(limit: limit)
    return (finalURL, response.head, body)
  }

  /// Like ``get(_:accept:headers:limit:)`` but a non-2xx status throws: 404 and 410 as
  /// ``FetchError/notFound(identifier:detail:)``, others as ``FetchError/httpStatus(url:status:detail:)``
  /// (with the repository's `message` when the body is JSON).
  public func getOK(
    _ url: URL, accept: String = "application/json",
    headers: [(name: String, value: String)] = [], limit: Int = 64 << 20
  ) async throws -> (url: URL, head: HTTPResponseHead, body: [UInt8]) {
    let answer = try await get(url, accept: accept, headers: headers, limit: limit)
    let status = answer.head.status
    guard !(200..<300).contains(status) else { return answer }
    let message = Self.errorMessage(answer.body)
    if status == 404 || status == 410 {
      throw FetchError.notFound(
        identifier: redactedURL(url), detail: message ?? "HTTP \(status) from the repository")
    }
    throw FetchError.httpStatus(url: redactedURL(answer.url), status: status, detail: message ?? "")
  }

  /// Errors of other transports (in-memory ones in tests) count as transport failures; a
  /// ``FetchError`` or a cancellation stays what it is.
  static func asTransportFailure(_ error: any Error, url: URL) -> any Error {
    if error is FetchError || error is CancellationError { return error }
    return FetchError.transport(url: redactedURL(url), detail: String(describing: error))
  }

  /// The `message` of a JSON error body (Zenodo, Dataverse, Figshare all use that key).
  static func errorMessage(_ body: [UInt8]) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    else { return nil }
    return object["message"] as? String
  }
}
