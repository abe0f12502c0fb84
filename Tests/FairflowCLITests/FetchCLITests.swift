import Foundation
import FairflowTesting
import MockHTTPServer
import Testing

/// `uses: fetch` and `fairflow fetch` through the real binary against a loopback server that
/// imitates doi.org's handle API, Zenodo's record API (shape A) and DataCite's REST API.
@Suite struct FetchCLITests {
  static let doi = "10.5281/zenodo.1234567"
  static let hello = Array("hello\n".utf8)
  static let table = Array("a,b\n1,2\n".utf8)

  /// What the mock repository does; `tamper` serves wrong bytes for the CSV, `evilKey` lists a
  /// `../` file name.
  struct Repository: Sendable {
    var tamper = false
    var evilKey = false
  }

  static func start(_ repository: Repository) async throws -> MockHTTPServer {
    let box = PortBox()
    let server = try await MockHTTPServer.start { request in
      let base = "http://127.0.0.1:\(box.port)"
      switch request.path {
      case "/api/handles/10.5281/zenodo.1234567":
        return .json(
          """
          {"responseCode": 1, "handle": "10.5281/zenodo.1234567",
           "values": [{"index": 1, "type": "URL",
                       "data": {"format": "string", "value": "\(base)/records/1234567"},
                       "ttl": 86400, "timestamp": "2024-01-02T03:04:05Z"}]}
          """)
      case "/api/records/1234567":
        let csvKey = repository.evilKey ? "../escape.csv" : "tables/a b.csv"
        let csvLink = repository.evilKey ? "..%2Fescape.csv" : "tables/a%20b.csv"
        return .json(
          """
          {"id": 1234567, "recid": "1234567", "conceptrecid": "1234566",
           "doi": "10.5281/zenodo.1234567",
           "metadata": {"title": "Example dataset", "doi": "10.5281/zenodo.1234567",
                        "publication_date": "2024-01-02", "license": {"id": "cc-by-4.0"}},
           "links": {"self": "\(base)/api/records/1234567",
                     "files": "\(base)/api/records/1234567/files"},
           "files": [
             {"id": "f1", "key": "hello.txt", "size": 6,
              "checksum": "md5:b1946ac92492d2347c6235b4d2611184",
              "links": {"self": "\(base)/api/records/1234567/files/hello.txt/content"}},
             {"id": "f2", "key": "\(csvKey)", "size": 8,
              "checksum": "md5:e5ebd4c02cefbe7955977c67ada242b7",
              "links": {"self": "\(base)/api/records/1234567/files/\(csvLink)/content"}}
           ]}
          """)
      case "/dois/10.5281/zenodo.1234567":
        return .json(
          """
          {"data": {"id": "10.5281/zenodo.1234567", "type": "dois", "attributes": {
            "doi": "10.5281/zenodo.1234567",
            "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane",
                          "familyName": "Doe"}],
            "titles": [{"title": "Example dataset"}], "publisher": "Zenodo",
            "publicationYear": 2024, "version": "1.0",
            "rightsList": [{"rights": "Creative Commons Attribution 4.0 International",
                            "rightsIdentifier": "cc-by-4.0", "rightsIdentifierScheme": "SPDX"}],
            "url": "\(base)/records/1234567", "contentUrl": null, "state": "findable"}}}
          """)
      case "/api/records/1234567/files/hello.txt/content":
        return .file(hello, for: request, contentType: "text/plain")
      case "/api/records/1234567/files/tables/a%20b.csv/content":
        var bytes = table
        if repository.tamper { bytes[0] = UInt8(ascii: "x") }
        return .file(bytes, for: request, contentType: "text/csv")
      default:
        return .json("{\"status\": 404, \"message\": \"not found\"}", status: 404)
      }
    }
    box.port = server.port
    return server
  }

  static func environment(_ server: MockHTTPServer) -> [String: String] {
    [
      "FAIRFLOW_DOI_RESOLVER": server.baseURL.absoluteString,
      "FAIRFLOW_DATACITE_API": server.baseURL.absoluteString,
      "FAIRFLOW_REPOSITORY_HOSTS": "127.0.0.1:\(server.port)=zenodo",
    ]
  }

  static let pipeline = """
    stages:
      fetch:
        uses: fetch
        outs: [data/raw]
        with: {doi: "\(doi)", output: data/raw}
      count:
        cmd: cat data/raw/hello.txt "data/raw/tables/a b.csv" | wc -c > count.txt
        deps: [data/raw]
        outs: [count.txt]
    """

  func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write(".gitignore", "cache/\n")
    try ws.initGitRepository()
    return ws
  }

  @Test func fetchStageDownloadsVerifiesRecordsAndNeverRefetches() async throws {
    let server = try await Self.start(Repository())
    let ws = try workspace("fetch-stage")
    defer { ws.destroy() }
    let env = Self.environment(server)

    let first = try await runCLI(["run"], in: ws.root, environment: env)
    #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
    #expect(try ws.readBytes("data/raw/hello.txt") == Self.hello)
    #expect(try ws.readBytes("data/raw/tables/a b.csv") == Self.table)
    #expect(try ws.read("count.txt").trimmingCharacters(in: .whitespacesAndNewlines) == "14")
    let paths = server.requests.map(\.path)
    #expect(paths.contains("/api/handles/10.5281/zenodo.1234567"))
    #expect(paths.contains("/api/records/1234567"))
    #expect(paths.filter { $0.hasSuffix("/content") }.count == 2)
    let afterFirst = server.requests.count

    // Up to date: no request at all.
    let second = try await runCLI(["run"], in: ws.root, environment: env)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(server.requests.count == afterFirst)

    // Outputs gone: restored from the run cache, still no request.
    try FileManager.default.removeItem(atPath: ws.root + "/data")
    let third = try await runCLI(["run"], in: ws.root, environment: env)
    #expect(third.status == 0, "\(third.stderr)")
    #expect(try ws.readBytes("data/raw/hello.txt") == Self.hello)
    #expect(server.requests.count == afterFirst)

    // The chain ends at the DOI, with the repository checksum and DataCite metadata.
    let trace = try await runCLI(["prov", "trace", "count.txt", "--json"], in: ws.root)
    #expect(trace.status == 0, "\(trace.stderr)")
    #expect(trace.stdout.contains("\"doi\": \"10.5281/zenodo.1234567\""))
    #expect(trace.stdout.contains("md5:b1946ac92492d2347c6235b4d2611184"))
    #expect(trace.stdout.contains("Example dataset"))
    #expect(trace.stdout.contains("cc-by-4.0"))
    try await server.shutdown()
  }

  @Test func standaloneFetchIsOfflineTheSecondTime() async throws {
    let server = try await Self.start(Repository())
    let ws = try workspace("fetch-cli")
    defer { ws.destroy() }
    let env = Self.environment(server)

    let offlineFirst = try await runCLI(
      ["fetch", "doi:" + Self.doi, "--offline", "-o", "one"], in: ws.root, environment: env)
    #expect(offlineFirst.status == 1)
    #expect(offlineFirst.stderr.contains("offline: no cached listing"))
    #expect(server.requests.isEmpty)

    let list = try await runCLI(
      ["fetch", Self.doi, "--list", "--files", "**/*.csv"], in: ws.root, environment: env)
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout == "tables/a b.csv\t8\tmd5:e5ebd4c02cefbe7955977c67ada242b7\n")

    let fetched = try await runCLI(
      ["fetch", "https://doi.org/" + Self.doi, "-o", "one"], in: ws.root, environment: env)
    #expect(fetched.status == 0, "\(fetched.stderr)")
    #expect(fetched.stdout.contains("2 files, 14 B (2 downloaded, 0 from the store)"))
    #expect(try ws.readBytes("one/tables/a b.csv") == Self.table)
    let count = server.requests.count

    // Same identifier and selection, offline, elsewhere: from the cached listing and files.
    let again = try await runCLI(
      ["fetch", "https://doi.org/" + Self.doi, "-o", "two", "--offline"], in: ws.root,
      environment: env)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try ws.readBytes("two/hello.txt") == Self.hello)
    #expect(server.requests.count == count)
    try await server.shutdown()
  }

  @Test func checksumMismatchFailsTheStageAndKeepsNothing() async throws {
    let server = try await Self.start(Repository(tamper: true))
    let ws = try workspace("fetch-tamper")
    defer { ws.destroy() }
    let run = try await runCLI(["run"], in: ws.root, environment: Self.environment(server))
    #expect(run.status == 1)
    let all = run.stdout + run.stderr
    #expect(all.contains("stage 'fetch' failed"))
    let logLine = try #require(all.split(separator: "\n").first { $0.contains("log: ") })
    let log = try ws.read(String(logLine.split(separator: "log: ")[1]))
    #expect(log.contains("tables/a b.csv: md5 mismatch"), "\(log)")
    #expect(log.contains("expected e5ebd4c02cefbe7955977c67ada242b7"), "\(log)")
    #expect(!FileManager.default.fileExists(atPath: ws.root + "/data/raw/hello.txt"))
    #expect(!FileManager.default.fileExists(atPath: ws.root + "/data/raw/tables/a b.csv"))
    try await server.shutdown()
  }

  @Test func unsafeFileNameIsRefused() async throws {
    let server = try await Self.start(Repository(evilKey: true))
    let ws = try workspace("fetch-evil")
    defer { ws.destroy() }
    let run = try await runCLI(
      ["fetch", Self.doi, "-o", "out"], in: ws.root, environment: Self.environment(server))
    #expect(run.status == 1)
    #expect(run.stderr.contains("unsafe file name"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: ws.root + "/escape.csv"))
    #expect(!server.requests.contains { $0.path.hasSuffix("/content") })
    try await server.shutdown()
  }
}

/// The server's port, set once it is bound (the handler builds absolute links with it).
final class PortBox: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0
  var port: Int {
    get { lock.withLock { value } }
    set { lock.withLock { value = newValue } }
  }
}

/// Runs the CLI on a thread of its own, so a blocked pipe read never holds a cooperative thread
/// the in-process server may need.
func runCLI(
  _ arguments: [String], in directory: String, environment: [String: String] = [:]
) async throws -> CLIProcess.Output {
  try await withCheckedThrowingContinuation { continuation in
    Thread.detachNewThread {
      continuation.resume(
        with: Result { try CLIProcess.run(arguments, in: directory, environment: environment) })
    }
  }
}
