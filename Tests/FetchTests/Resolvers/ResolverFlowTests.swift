import FairflowTesting
import Foundation
import MockHTTPServer
import Testing

@testable import Fetch

/// Whole resolutions: through an in-memory transport and through the loopback server with the
/// real ``NetworkTransport``, checking the exact requests sent and the records returned.
@Suite struct ResolverFlowTests {
  static let base = DatasetResolver.cannedBase.absoluteString

  private func canned(_ scenario: ResolverScenario) -> CannedTransport {
    let transport = CannedTransport()
    for (target, _) in scenario.routes {
      let route = scenario.route(target, base: Self.base)!
      transport.on(
        Self.base + target, status: route.status, route.body, contentType: route.contentType,
        headers: route.headers)
    }
    return transport
  }

  private func check(
    _ record: ResolvedRecord, _ scenario: ResolverScenario, base: String, requests: [String]
  ) {
    #expect(requests == scenario.expectedRequests)
    #expect(record.repository == scenario.repository)
    #expect(record.identifier == scenario.identifier)
    #expect(record.doi == DOI(scenario.identifier)?.spelling)
    #expect(record.handleTimestamp == "2024-01-02T03:04:05Z")
    #expect(record.files == scenario.files(base: base))
    #expect(record.metadata.title == scenario.expectedTitle)
    #expect(record.metadata.version == scenario.expectedVersion)
  }

  @Test(arguments: ResolverScenario.all)
  func inMemory(_ scenario: ResolverScenario) async throws {
    let transport = canned(scenario)
    let hosts = scenario.hint.map { ["127.0.0.1:9": $0] } ?? [:]
    let record = try await DatasetResolver.canned(transport, hosts: hosts).resolve(
      scenario.identifier)
    check(
      record, scenario, base: Self.base,
      requests: transport.requestedURLs.map { String($0.dropFirst(Self.base.count)) })
    #expect(transport.requests.allSatisfy { $0.header("User-Agent") != nil })
  }

  @Test(arguments: ResolverScenario.all)
  func loopbackServer(_ scenario: ResolverScenario) async throws {
    let server = try await MockHTTPServer.start { request in
      let base = "http://" + (request.header("Host") ?? "127.0.0.1")
      guard let route = scenario.route(request.uri, base: base) else {
        // The listed files themselves: the fixture contents their checksums were computed from.
        let file = scenario.files(base: base).first {
          $0.url.absoluteString.dropFirst(base.count) == request.uri
        }
        if let file { return .file(Self.content(of: file), for: request) }
        return .json(#"{"status": 404, "message": "no route"}"#, status: 404)
      }
      return MockHTTPServer.Response(
        status: route.status, headers: [("Content-Type", route.contentType)] + route.headers,
        body: Array(route.body.utf8))
    }
    defer { Task { try await server.shutdown() } }
    var policy = RequestPolicy()
    policy.maxAttempts = 1
    policy.timeout = 10
    let hosts = scenario.hint.map { ["127.0.0.1:\(server.port)": $0] } ?? [:]
    let resolver = DatasetResolver(
      client: WebClient(transport: NetworkTransport.tests, policy: policy),
      endpoints: .allAt(server.baseURL, repositoryHosts: hosts))
    let record = try await resolver.resolve(scenario.identifier)
    check(
      record, scenario, base: server.baseURL.absoluteString, requests: server.requests.map(\.uri))

    // DOI → files → verified download, byte-identical to what the server holds (files on hosts
    // other than the mock, like Figshare's download host, are only listed).
    let local = record.files.filter { $0.url.host == "127.0.0.1" }
    #expect(!local.isEmpty || scenario.repository == .figshare)
    let staging = NSTemporaryDirectory() + "fairflow-flow-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let downloaded = try await Downloader(client: resolver.client).downloadAll(
      local, into: staging)
    for (file, result) in zip(local, downloaded) {
      let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: result.localPath)))
      #expect(bytes == Self.content(of: file), "\(file.path)")
      #expect(result.verified == file.checksums, "\(file.path)")
      #expect(result.sha256 == StreamingHasher.hash(Self.content(of: file), .sha256))
    }
  }

  /// The fixture content of a listed file: the CSV table or `hello\n` (doi-apis.md's table).
  static func content(of file: RemoteFile) -> [UInt8] {
    file.path.hasSuffix(".csv") ? Array("a,b\n1,2\n".utf8) : Array("hello\n".utf8)
  }

  // MARK: Failures and the other identifier kinds

  @Test func unknownDOIStopsAtTheHandle() async throws {
    let transport = CannedTransport()
    transport.on(
      Self.base + "/api/handles/10.5281/zenodo.0?type=URL", status: 404,
      DescribedBodies.handleNotFound)
    await #expect(
      throws: FetchError.notFound(identifier: "10.5281/zenodo.0", detail: "doi.org has no such DOI")
    ) { try await DatasetResolver.canned(transport).resolve("doi:10.5281/zenodo.0") }
    #expect(transport.requests.count == 1)
  }

  @Test func unsafeZenodoKeyFailsTheResolution() async throws {
    let transport = canned(ResolverScenario.zenodo)
    transport.on(
      Self.base + "/api/records/1234567",
      ReferenceBodies.zenodoA.replacingOccurrences(
        of: #""key": "hello.txt""#, with: #""key": "../x""#))
    await #expect(throws: FetchError.unsafePath("../x")) {
      try await DatasetResolver.canned(transport, hosts: ["127.0.0.1:9": .zenodo]).resolve(
        "10.5281/zenodo.1234567")
    }
  }

  /// A plain URL is one file: HEAD gives its name and size, no body is downloaded.
  @Test func plainURLUsesHEAD() async throws {
    let transport = CannedTransport()
    transport.on(
      Self.base + "/files/123", "ignored", contentType: "application/octet-stream",
      headers: [
        ("Content-Disposition", #"attachment; filename="x.bin"; filename*=UTF-8''real%20name.h5"#),
        ("Content-Length", "1234"),
      ])
    let record = try await DatasetResolver.canned(transport).resolve(Self.base + "/files/123")
    #expect(record.repository == .url)
    #expect(
      record.files == [
        RemoteFile(path: "real name.h5", url: URL(string: Self.base + "/files/123")!, size: 1234)
      ])
    #expect(transport.requests.map(\.method) == ["HEAD"])
  }

  @Test func plainURLWithoutHeadersIsNamedByItsPath() async throws {
    let transport = CannedTransport()
    transport.on(Self.base + "/data/x.csv?download=1", status: 405, "")
    let record = try await DatasetResolver.canned(transport).resolve(
      Self.base + "/data/x.csv?download=1")
    #expect(record.files.map(\.path) == ["x.csv"])
    #expect(record.files.first?.size == nil)
  }

  @Test func unsafeContentDispositionIsAnError() async throws {
    let transport = CannedTransport()
    transport.on(
      Self.base + "/f", "", headers: [("Content-Disposition", #"attachment; filename="../../x""#)])
    await #expect(throws: FetchError.unsafePath("../../x")) {
      try await DatasetResolver.canned(transport).resolve(Self.base + "/f")
    }
  }

  @Test func plainHTTPToAnotherHostIsRefused() async throws {
    await #expect(throws: FetchError.insecureURL("http://example.org/x.csv")) {
      try await DatasetResolver.canned(CannedTransport()).resolve("http://example.org/x.csv")
    }
  }

  @Test func minidThroughTheResolver() async throws {
    let transport = CannedTransport()
    transport.on(Self.base + "/minid:b9xxxx", DescribedBodies.minidLocation)
    let record = try await DatasetResolver.canned(transport).resolve("minid:b9xxxx")
    #expect(
      record.files == [
        RemoteFile(
          path: "hello.txt", url: URL(string: "https://repo.example.org/hello.txt")!, size: 6,
          checksums: [FixtureDigest.helloSHA256])
      ])
    #expect(transport.requestedURLs == [Self.base + "/minid:b9xxxx"])
  }

  /// A record page of a configured host is listed like its DOI, without doi.org.
  @Test func zenodoRecordURL() async throws {
    let transport = canned(ResolverScenario.zenodo)
    let record = try await DatasetResolver.canned(transport, hosts: ["127.0.0.1:9": .zenodo])
      .resolve(Self.base + "/records/1234567")
    #expect(record.repository == .zenodo)
    #expect(record.files.map(\.path) == ["hello.txt", "tables/a b.csv"])
    #expect(transport.requestedURLs == [Self.base + "/api/records/1234567"])
  }

  @Test func unsupportedIdentifier() async throws {
    await #expect(throws: FetchError.unsupportedIdentifier("not an identifier")) {
      try await DatasetResolver.canned(CannedTransport()).resolve("not an identifier")
    }
  }
}
