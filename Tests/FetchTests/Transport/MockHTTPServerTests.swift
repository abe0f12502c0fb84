import Fetch
import Foundation
import MockHTTPServer
import Testing

@Suite struct MockHTTPServerTests {
  @Test func servesAndLogsRequests() async throws {
    let server = try await MockHTTPServer.start { request in
      .json(#"{"path":"\#(request.path)","q":"\#(request.query["q"] ?? "")"}"#)
    }
    let url = URL(string: "\(server.baseURL)/api/records/a%2Fb?q=x%20y&n=1")!
    var request = HTTPRequest(url: url, headers: [("X-Test", "1")])
    request.timeout = 10
    let response = try await NetworkTransport.tests.send(request)
    let body = try await response.collect(limit: 1 << 20)
    #expect(response.head.status == 200)
    #expect(response.head.header("content-type") == "application/json")
    #expect(String(decoding: body, as: UTF8.self) == #"{"path":"/api/records/a%2Fb","q":"x y"}"#)
    try await server.shutdown()
    let logged = server.requests
    #expect(logged.count == 1)
    #expect(logged.first?.method == "GET")
    #expect(logged.first?.uri == "/api/records/a%2Fb?q=x%20y&n=1")
    #expect(logged.first?.query == ["q": "x y", "n": "1"])
    #expect(logged.first?.header("x-test") == "1")
  }

  @Test func servesRangesAndTruncatedBodies() async throws {
    let bytes = Array("0123456789".utf8)
    let server = try await MockHTTPServer.start { request in
      request.path == "/cut"
        ? .init(body: bytes, truncateAfter: 4) : .file(bytes, for: request)
    }
    let ranged = try await NetworkTransport.tests.send(
      HTTPRequest(url: server.baseURL.appendingPathComponent("f"), headers: [("Range", "bytes=6-")])
    )
    #expect(ranged.head.status == 206)
    #expect(ranged.head.header("Content-Range") == "bytes 6-9/10")
    #expect(try await ranged.collect(limit: 100) == Array("6789".utf8))
    let cut = try await NetworkTransport.tests.send(
      HTTPRequest(url: server.baseURL.appendingPathComponent("cut")))
    #expect(cut.head.header("Content-Length") == "10")
    var received: [UInt8] = []
    await #expect(throws: FetchError.self) {
      for try await chunk in cut.body { received += chunk }
    }
    try await server.shutdown()
    #expect(received == Array("0123".utf8))
  }
}
