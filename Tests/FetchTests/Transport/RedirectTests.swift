import Fetch
import Foundation
import MockHTTPServer
import Testing

@Suite struct RedirectTests {
  @Test func followsRelativeAndAbsoluteRedirects() async throws {
    let h = try await TransportHarness.start { request in
      switch request.path {
      case "/a": .redirect(to: "/b", status: 301)
      case "/b": .redirect(to: "c?x=1", status: 307)
      default: .json(#"{"at":"\#(request.uri)"}"#)
      }
    }
    let answer = try await h.client.getOK(h.url("/a"))
    try await h.close()
    #expect(answer.url == h.url("/c?x=1"))
    #expect(h.server.requests.map(\.uri) == ["/a", "/b", "/c?x=1"])
  }

  @Test func refusesALoop() async throws {
    let h = try await TransportHarness.start { request in
      .redirect(to: request.path == "/a" ? "/b" : "/a")
    }
    let start = h.url("/a")
    await #expect(
      throws: FetchError.redirect(
        url: h.url("/b").absoluteString, detail: "redirect loop back to \(start.absoluteString)")
    ) { try await h.client.get(start) }
    try await h.close()
    #expect(h.server.requests.count == 2)
  }

  @Test func refusesTooManyRedirects() async throws {
    let h = try await TransportHarness.start { request in
      let n = Int(request.path.dropFirst()) ?? 0
      return .redirect(to: "/\(n + 1)")
    }
    await #expect(
      throws: FetchError.redirect(
        url: h.url("/10").absoluteString, detail: "more than 10 redirects")
    ) { try await h.client.get(h.url("/0")) }
    try await h.close()
    #expect(h.server.requests.count == 11)
    #expect(h.sleeps.waits.isEmpty)
  }

  @Test func refusesARedirectToPlainHTTPElsewhere() async throws {
    let h = try await TransportHarness.start { _ in .redirect(to: "http://example.org/file") }
    await #expect(
      throws: FetchError.redirect(
        url: h.url("/x").absoluteString, detail: "to plain http http://example.org/file")
    ) { try await h.client.get(h.url("/x")) }
    try await h.close()
    #expect(h.server.requests.count == 1)
  }

  @Test func refusesANonHTTPRedirect() async throws {
    let h = try await TransportHarness.start { _ in .redirect(to: "file:///etc/passwd") }
    await #expect(
      throws: FetchError.redirect(
        url: h.url("/x").absoluteString, detail: "to a non-http(s) URL file:///etc/passwd")
    ) { try await h.client.get(h.url("/x")) }
    try await h.close()
  }

  @Test func crossOriginRedirectStripsCredentials() async throws {
    let storage = try await MockHTTPServer.start { request in .file(Fixture.hello, for: request) }
    let target = "\(storage.baseURL)/bucket/file?X-Amz-Signature=abc&token=t2&keep=1"
    let h = try await TransportHarness.start { request in
      request.path == "/same" ? .redirect(to: "/api?access_token=t1") : .redirect(to: target)
    }
    let answer = try await h.client.get(
      h.url("/same"), accept: "*/*",
      headers: [("Authorization", "Bearer secret"), ("X-Dataverse-key", "k")])
    try await storage.shutdown()
    try await h.close()
    #expect(answer.body == Fixture.hello)
    // Same origin: the credentials go along.
    let second = try #require(h.server.requests.last)
    #expect(second.uri == "/api?access_token=t1")
    #expect(second.header("Authorization") == "Bearer secret")
    // Another port is another origin: headers and token parameters stay behind.
    let third = try #require(storage.requests.first)
    #expect(third.header("Authorization") == nil)
    #expect(third.header("X-Dataverse-key") == nil)
    #expect(third.uri == "/bucket/file?X-Amz-Signature=abc&keep=1")
    #expect(third.header("Accept") == "*/*")
    #expect(
      answer.url.absoluteString == "\(storage.baseURL)/bucket/file?X-Amz-Signature=abc&keep=1")
  }

  @Test func see303TurnsPostIntoGet() async throws {
    let h = try await TransportHarness.start { request in
      request.path == "/post" ? .redirect(to: "/result", status: 303) : .json("{}")
    }
    let request = HTTPRequest(
      method: "POST", url: h.url("/post"), headers: [("Content-Type", "application/json")],
      body: Array("{}".utf8))
    let (url, response) = try await h.client.send(request)
    try await h.close()
    #expect(url == h.url("/result"))
    #expect(response.head.status == 200)
    #expect(h.server.requests.map(\.method) == ["POST", "GET"])
    #expect(h.server.requests.last?.body == [])
    #expect(h.server.requests.last?.header("Content-Type") == nil)
  }
}
