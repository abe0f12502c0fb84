import Fetch
import Foundation
import MockHTTPServer
import Testing

@Suite struct WebClientTests {
  @Test func retriesA500ThenSucceeds() async throws {
    let calls = Counter()
    let h = try await TransportHarness.start { _ in
      calls.next() == 1 ? .text("boom", status: 500) : .json(#"{"ok":true}"#)
    }
    let answer = try await h.client.getOK(h.url("/api/x"))
    try await h.close()
    #expect(String(decoding: answer.body, as: UTF8.self) == #"{"ok":true}"#)
    #expect(h.server.requests.map(\.path) == ["/api/x", "/api/x"])
    #expect(h.sleeps.waits.count == 1)
    // First backoff: initialBackoff (1 s) times a jitter factor in [0.5, 1).
    #expect(h.sleeps.waits.allSatisfy { $0 >= 0.5 && $0 < 1.0 })
  }

  @Test func honoursRetryAfterSecondsOn429() async throws {
    let calls = Counter()
    let h = try await TransportHarness.start { _ in
      calls.next() == 1
        ? .init(status: 429, headers: [("Retry-After", "7")]) : .json(#"{"ok":1}"#)
    }
    let answer = try await h.client.getOK(h.url("/api/records/1"))
    try await h.close()
    #expect(answer.head.status == 200)
    #expect(h.sleeps.waits == [7])
    #expect(h.server.requests.count == 2)
  }

  @Test func honoursRetryAfterDateOn503() async throws {
    let calls = Counter()
    let h = try await TransportHarness.start { _ in
      calls.next() == 1
        ? .init(status: 503, headers: [("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")])
        : .json("{}")
    }
    _ = try await h.client.getOK(h.url("/x"))
    try await h.close()
    #expect(h.sleeps.waits == [0])  // a date in the past: retry at once
  }

  @Test func retryAfterBeyondTheCapFails() async throws {
    let h = try await TransportHarness.start { _ in
      .init(status: 429, headers: [("Retry-After", "3600")])
    }
    let url = h.url("/x")
    await #expect(
      throws: FetchError.httpStatus(
        url: url.absoluteString, status: 429,
        detail: "the server asks to retry after 3600 s, more than the 120 s limit")
    ) { try await h.client.getOK(url) }
    try await h.close()
    #expect(h.sleeps.waits.isEmpty)
  }

  @Test func givesUpAfterMaxAttempts() async throws {
    let h = try await TransportHarness.start(maxAttempts: 3) { _ in .text("no", status: 502) }
    let url = h.url("/x")
    await #expect(throws: FetchError.httpStatus(url: url.absoluteString, status: 502, detail: "")) {
      try await h.client.getOK(url)
    }
    try await h.close()
    #expect(h.server.requests.count == 3)
    #expect(h.sleeps.waits.count == 2)
    #expect(h.sleeps.waits[1] >= 1 && h.sleeps.waits[1] < 2)  // doubled
  }

  @Test func notFoundCarriesTheJSONMessage() async throws {
    let h = try await TransportHarness.start { _ in
      .json(#"{"status":404,"message":"PID does not exist."}"#, status: 404)
    }
    let url = h.url("/api/records/9")
    await #expect(
      throws: FetchError.notFound(identifier: url.absoluteString, detail: "PID does not exist.")
    ) { try await h.client.getOK(url) }
    try await h.close()
    #expect(h.server.requests.first?.header("User-Agent")?.contains("mailto:") == true)
    #expect(h.server.requests.first?.header("Accept") == "application/json")
  }

  @Test func refusesPlainHTTPToOtherHosts() async throws {
    let client = WebClient(transport: NetworkTransport.tests)
    await #expect(throws: FetchError.insecureURL("http://example.org/x")) {
      try await client.get(URL(string: "http://example.org/x")!)
    }
    await #expect(throws: FetchError.insecureURL("ftp://example.org/x")) {
      try await client.get(URL(string: "ftp://example.org/x")!)
    }
  }

  @Test func transportFailureIsRetriedThenReported() async throws {
    let server = try await MockHTTPServer.start { _ in .json("{}") }
    let url = URL(string: "\(server.baseURL)/gone")!
    try await server.shutdown()
    let sleeps = SleepRecorder()
    var policy = RequestPolicy()
    policy.maxAttempts = 2
    policy.sleep = { sleeps.record($0) }
    let client = WebClient(transport: NetworkTransport.tests, policy: policy)
    await #expect {
      try await client.get(url)
    } throws: { error in
      guard case .transport(let where_, _) = error as? FetchError else { return false }
      return where_ == url.absoluteString
    }
    #expect(sleeps.waits.count == 1)
  }
}

/// A thread-safe call counter for handlers (returns 1 on the first call).
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func next() -> Int {
    lock.withLock {
      value += 1; return value
    }
  }
}
