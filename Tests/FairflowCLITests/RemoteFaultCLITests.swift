import Foundation
import FairflowTesting
import MockHTTPServer
import Testing

/// Push and pull against a loopback WebDAV imitation that misbehaves on purpose: it hangs
/// mid-push (Ctrl-C, then the push resumes), answers 503 (retried), always fails (a clear
/// error), or never answers (a timeout).
@Suite(.serialized) struct RemoteFaultCLITests {
  /// An in-memory WebDAV store: HEAD, GET, PUT, MKCOL; faults switched on per test.
  final class FakeDAV: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: [UInt8]] = [:]
    /// PUTs after this many hang (nil: none).
    var hangAfterPuts: Int?
    /// Every object path answers 503 this many times first.
    var failuresPerPath = 0
    /// Every request answers this status (nil: behave).
    var alwaysStatus: Int?
    /// Every request waits this long before answering.
    var delay: Double = 0
    private var puts = 0
    private var failed: [String: Int] = [:]

    func handle(_ request: MockHTTPServer.Request) async -> MockHTTPServer.Response {
      if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
      if let status = alwaysStatus { return .text("down for maintenance", status: status) }
      let (hang, fail): (Bool, Bool) = lock.withLock {
        if request.method == "PUT" {
          puts += 1
          if let limit = hangAfterPuts, puts > limit { return (true, false) }
        }
        let count = failed[request.path, default: 0]
        if count < failuresPerPath, request.method != "MKCOL" {
          failed[request.path] = count + 1
          return (false, true)
        }
        return (false, false)
      }
      if hang {
        try? await Task.sleep(nanoseconds: 60_000_000_000)
        return .text("late", status: 500)
      }
      if fail { return MockHTTPServer.Response(status: 503, headers: [("Retry-After", "0")]) }
      return lock.withLock {
        switch request.method {
        case "PUT":
          files[request.path] = request.body
          return MockHTTPServer.Response(status: 201)
        case "MKCOL": return MockHTTPServer.Response(status: 201)
        case "HEAD", "GET":
          guard let body = files[request.path] else { return MockHTTPServer.Response(status: 404) }
          return MockHTTPServer.Response(status: 200, body: body)
        default: return MockHTTPServer.Response(status: 405)
        }
      }
    }

    var objectPaths: Set<String> {
      lock.withLock { Set(files.keys.filter { $0.contains("/objects/") }) }
    }
    var objectCount: Int { objectPaths.count }
  }

  static let pipeline = """
    stages:
      make:
        cmd: mkdir -p data/many && for i in $(seq 1 30); do echo "file $i" > data/many/f$i; done
        outs: [data/many]
    """

  func workspace(_ server: MockHTTPServer, settings: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace("remote-fault")
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write(
      "fairflow.yaml",
      "remotes:\n  flaky:\n    url: \(server.baseURL.absoluteString)/cache\n\(settings)")
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    return ws
  }

  @Test func anInterruptedPushResumesWithoutSendingAgain() async throws {
    let dav = FakeDAV()
    dav.hangAfterPuts = 10
    let server = try await MockHTTPServer.start(dav.handle)
    let ws = try workspace(server, settings: "")
    defer { ws.destroy() }
    let (process, _, err) = try CLIProcess.start(["push", "--jobs", "1"], in: ws.root)
    let deadline = Date().addingTimeInterval(30)
    while dav.objectCount < 10, Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
    #expect(dav.objectCount == 10)
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    _ = err.fileHandleForReading.readDataToEndOfFile()
    let stored = dav.objectPaths

    dav.hangAfterPuts = nil
    let before = server.requests.count
    let resumed = try CLIProcess.run(["push", "--json"], in: ws.root)
    #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
    // 30 files and the manifest: 10 were there, 21 go now (and the run-cache entry).
    #expect(resumed.stdout.contains("\"objects\":31"), "\(resumed.stdout)")
    #expect(resumed.stdout.contains("\"present\":10"), "\(resumed.stdout)")
    #expect(resumed.stdout.contains("\"transferred\":21"), "\(resumed.stdout)")
    let again = server.requests.dropFirst(before).filter { $0.method == "PUT" }.map(\.path)
    #expect(Set(again).isDisjoint(with: stored), "objects already on the remote were sent again")
    #expect(dav.objectCount == 31)
    try await server.shutdown()
  }

  @Test func serverErrorsAreRetried() async throws {
    let dav = FakeDAV()
    dav.failuresPerPath = 2
    let server = try await MockHTTPServer.start(dav.handle)
    let ws = try workspace(server, settings: "    retries: 3\n")
    defer { ws.destroy() }
    let push = try CLIProcess.run(["push"], in: ws.root)
    #expect(push.status == 0, "\(push.stdout)\(push.stderr)")
    #expect(dav.objectCount == 31)
    #expect(server.requests.count > 31 * 3)
    try await server.shutdown()
  }

  @Test func aRemoteThatKeepsFailingGivesAClearError() async throws {
    let dav = FakeDAV()
    let server = try await MockHTTPServer.start(dav.handle)
    let ws = try workspace(server, settings: "    retries: 2\n")
    defer { ws.destroy() }
    dav.alwaysStatus = 503
    let started = Date()
    let push = try CLIProcess.run(["push"], in: ws.root)
    #expect(push.status == 1)
    #expect(push.stderr.contains("remote 'flaky'"), "\(push.stderr)")
    #expect(push.stderr.contains("answered HTTP 503 after 2 attempts"), "\(push.stderr)")
    #expect(!push.stderr.contains("Fatal error") && !push.stderr.contains("Stack"))
    #expect(Date().timeIntervalSince(started) < 30)
    try await server.shutdown()
  }

  @Test func aRemoteThatNeverAnswersTimesOut() async throws {
    let dav = FakeDAV()
    let server = try await MockHTTPServer.start(dav.handle)
    let ws = try workspace(server, settings: "    retries: 2\n    timeout: 1\n")
    defer { ws.destroy() }
    dav.delay = 20
    let started = Date()
    let pull = try CLIProcess.run(["push"], in: ws.root)
    #expect(pull.status == 1)
    #expect(pull.stderr.contains("127.0.0.1"), "\(pull.stderr)")
    #expect(pull.stderr.lowercased().contains("time"), "\(pull.stderr)")
    #expect(Date().timeIntervalSince(started) < 15)
    try await server.shutdown()
  }
}
