import Fetch
import Foundation

/// Bodies the reference describes but does not print in full, written to its description.
enum DescribedBodies {
  /// Handle API, `responseCode` 100 (HTTP 404).
  static let handleNotFound = #"{"responseCode": 100, "handle": "10.5281/zenodo.0"}"#
  /// Handle API, `responseCode` 200: the handle exists but has no URL value.
  static let handleNoURL = #"""
    {"responseCode": 200, "handle": "10.5281/zenodo.1234567", "values": []}
    """#
  /// Several values, the URL one after an `HS_ADMIN` one.
  static let handleWithAdmin = #"""
    {"responseCode": 1, "handle": "10.1000/182", "values": [
      {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {"handle": "0.NA/10.1000"}}},
      {"index": 1, "type": "URL", "data": {"format": "string", "value": "https://example.org/x"},
       "timestamp": "2020-01-01T00:00:00Z"}]}
    """#
  /// Shape D (Invenio v3, before October 2023).
  static let zenodoD = #"""
    {"id": 1234567, "links": {"bucket": "https://zenodo.org/api/files/b0c1", "html": "https://zenodo.org/record/1234567"},
     "metadata": {"title": "Old dataset", "creators": [{"name": "Doe, Jane"}]},
     "files": [{"bucket": "b0c1", "checksum": "md5:b1946ac92492d2347c6235b4d2611184",
                "key": "hello.txt", "links": {"self": "https://zenodo.org/api/files/b0c1/hello.txt"},
                "size": 6, "type": "txt"}]}
    """#
  /// The two minid answer formats of §11.4.
  static let minidLocations = #"""
    {"locations": [{"uri": "https://repo.example.org/hello.txt"}],
     "checksum": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
     "checksum_function": "sha256"}
    """#
  static let minidLocation = #"""
    {"identifier": "hdl:20.500.12582/b9xxxx",
     "landing_page": "https://identifiers.fair-research.org/hdl:20.500.12582/b9xxxx",
     "location": ["https://repo.example.org/hello.txt", "https://mirror.example.org/hello.txt"],
     "checksums": [{"function": "sha256",
                    "value": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"}],
     "metadata": {"title": "hello.txt", "contentSize": 6},
     "active": true, "visible_to": ["public"],
     "replaces": null, "replaced_by": null}
    """#
}

/// Checksums of the two fixture contents.
enum FixtureDigest {
  static let helloMD5 = Checksum(.md5, "b1946ac92492d2347c6235b4d2611184")
  static let helloSHA256 = Checksum(
    .sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
  static let helloAdler = Checksum(.adler32, "084b021f")
  static let tableMD5 = Checksum(.md5, "e5ebd4c02cefbe7955977c67ada242b7")
  static let tableSHA256 = Checksum(
    .sha256, "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470")
  static let tableAdler = Checksum(.adler32, "08780193")
}

/// An in-memory ``HTTPTransport``: canned answers by full URL (query included), every request
/// logged. Unknown URLs answer 404 with a JSON error body.
final class CannedTransport: HTTPTransport, @unchecked Sendable {
  struct Answer {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
  }

  private let lock = NSLock()
  private var answers: [String: Answer] = [:]
  private var log: [HTTPRequest] = []

  /// Answers `url` with `body` (JSON unless `contentType` says otherwise).
  func on(
    _ url: String, status: Int = 200, _ body: String = "", contentType: String = "application/json",
    headers: [(name: String, value: String)] = []
  ) {
    lock.withLock {
      answers[url] = Answer(
        status: status, headers: [("Content-Type", contentType)] + headers, body: Array(body.utf8))
    }
  }

  /// Every request sent, in order.
  var requests: [HTTPRequest] { lock.withLock { log } }

  /// The URLs requested, in order.
  var requestedURLs: [String] { requests.map(\.url.absoluteString) }

  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    let answer = lock.withLock {
      log.append(request)
      return answers[request.url.absoluteString]
        ?? Answer(
          status: 404, headers: [("Content-Type", "application/json")],
          body: Array(#"{"status": 404, "message": "not found"}"#.utf8))
    }
    let body = request.method == "HEAD" ? [] : answer.body
    return HTTPResponse(
      head: HTTPResponseHead(status: answer.status, headers: answer.headers),
      body: AsyncThrowingStream { continuation in
        if !body.isEmpty { continuation.yield(body) }
        continuation.finish()
      })
  }
}

extension DatasetResolver {
  /// A resolver on `transport` with every service at `http://127.0.0.1:9`, no retry delays.
  static func canned(
    _ transport: CannedTransport, hosts: [String: RepositoryKind] = [:],
    metadata: Bool = true
  ) -> DatasetResolver {
    var policy = RequestPolicy()
    policy.sleep = { _ in }
    policy.maxAttempts = 1
    var endpoints = ResolverEndpoints.allAt(cannedBase, repositoryHosts: hosts)
    endpoints.fetchDataCiteMetadata = metadata
    return DatasetResolver(
      client: WebClient(transport: transport, policy: policy), endpoints: endpoints)
  }

  static let cannedBase = URL(string: "http://127.0.0.1:9")!
}

extension String {
  /// The reference body with its public hosts pointed at `base`.
  func rehosted(_ base: String, hosts: [String] = ["https://zenodo.org"]) -> String {
    hosts.reduce(self) { $0.replacingOccurrences(of: $1, with: base) }
  }
}
