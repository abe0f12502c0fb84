import Fetch
import Foundation
import Testing

/// Answers from a script, in order, logging each request; for cases a loopback server cannot
/// stage (https origins, non-HTTP transport errors).
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
  enum Step {
    case answer(Int, [(name: String, value: String)])
    case fail(any Error)
  }

  private let lock = NSLock()
  private var steps: [Step]
  private var log: [HTTPRequest] = []

  init(_ steps: [Step]) { self.steps = steps }

  var requests: [HTTPRequest] { lock.withLock { log } }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    let step = lock.withLock {
      log.append(request)
      return steps.removeFirst()
    }
    switch step {
    case .fail(let error): throw error
    case .answer(let status, let headers):
      return HTTPResponse(
        head: HTTPResponseHead(status: status, headers: headers),
        body: AsyncThrowingStream { $0.finish() })
    }
  }
}

struct Refused: Error {}

@Suite struct ScriptedTransportTests {
  func client(_ transport: ScriptedTransport, sleeps: SleepRecorder) -> WebClient {
    var policy = RequestPolicy()
    policy.sleep = { sleeps.record($0) }
    return WebClient(transport: transport, policy: policy)
  }

  @Test func refusesHTTPSDowngrade() async throws {
    let transport = ScriptedTransport([.answer(302, [("Location", "http://localhost/x")])])
    let client = client(transport, sleeps: SleepRecorder())
    await #expect(
      throws: FetchError.redirect(
        url: "https://repo.example/a", detail: "from https down to http http://localhost/x")
    ) { try await client.get(URL(string: "https://repo.example/a")!) }
    #expect(transport.requests.count == 1)
  }

  @Test func anyTransportErrorIsRetried() async throws {
    let transport = ScriptedTransport([.fail(Refused()), .answer(204, [])])
    let sleeps = SleepRecorder()
    let answer = try await client(transport, sleeps: sleeps).get(
      URL(string: "https://repo.example/a")!)
    #expect(answer.head.status == 204)
    #expect(transport.requests.count == 2)
    #expect(sleeps.waits.count == 1)
  }

  @Test func stripsTokenQueryAcrossHTTPSOrigins() async throws {
    let transport = ScriptedTransport([
      .answer(302, [("Location", "https://s3.example/obj?token=s&X-Amz-Signature=q")]),
      .answer(200, []),
    ])
    let answer = try await client(transport, sleeps: SleepRecorder()).get(
      URL(string: "https://repo.example/f?access_token=t&download=1")!,
      headers: [("Authorization", "Bearer t")])
    #expect(answer.url.absoluteString == "https://s3.example/obj?X-Amz-Signature=q")
    let hop = try #require(transport.requests.last)
    #expect(hop.header("Authorization") == nil)
    #expect(transport.requests.first?.header("Authorization") == "Bearer t")
  }
}
