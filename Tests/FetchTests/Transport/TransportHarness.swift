import FairflowTesting
import Fetch
import Foundation
import MockHTTPServer

/// Records the waits a ``RequestPolicy`` asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
  private let lock = NSLock()
  private var recorded: [Double] = []

  var waits: [Double] { lock.withLock { recorded } }

  func record(_ seconds: Double) { lock.withLock { recorded.append(seconds) } }
}

extension NetworkTransport {
  /// The real transport with a long idle timeout: on a loaded two-core CI machine the tests that
  /// block the cooperative pool (child processes) can keep a body consumer waiting for over a
  /// minute, and the default 60 s read timeout would then cut bodies the tests expect whole.
  static let tests = NetworkTransport(connectTimeout: 30, idleTimeout: 600)
}

/// A loopback server, a client on the real ``NetworkTransport`` with recorded waits, and a
/// staging directory; everything is torn down by ``close()``.
struct TransportHarness {
  let server: MockHTTPServer
  let client: WebClient
  let sleeps: SleepRecorder
  let workspace: TemporaryWorkspace

  static func start(
    maxAttempts: Int = 5, _ handler: @escaping MockHTTPServer.Handler
  ) async throws -> TransportHarness {
    let server = try await MockHTTPServer.start(handler)
    let sleeps = SleepRecorder()
    var policy = RequestPolicy()
    policy.maxAttempts = maxAttempts
    policy.timeout = 10
    policy.sleep = { sleeps.record($0) }
    return TransportHarness(
      server: server, client: WebClient(transport: NetworkTransport.tests, policy: policy),
      sleeps: sleeps, workspace: try TemporaryWorkspace("fetch"))
  }

  var staging: String { workspace.path("staging") }

  func url(_ path: String) -> URL { URL(string: server.baseURL.absoluteString + path)! }

  /// Every regular file under the staging directory, relative, sorted.
  func stagedFiles() -> [String] {
    let items = FileManager.default.subpaths(atPath: staging) ?? []
    return items.filter { item in
      var isDirectory: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: staging + "/" + item, isDirectory: &isDirectory)
      return !isDirectory.boolValue
    }.sorted()
  }

  func close() async throws {
    try await server.shutdown()
    workspace.destroy()
  }
}

/// The fixture contents of doi-apis.md (top table).
enum Fixture {
  static let hello = Array("hello\n".utf8)
  static let table = Array("a,b\n1,2\n".utf8)
  static let helloMD5 = "b1946ac92492d2347c6235b4d2611184"
  static let helloSHA256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

  /// `count` bytes of a repeating, position-dependent pattern.
  static func blob(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
  }
}
