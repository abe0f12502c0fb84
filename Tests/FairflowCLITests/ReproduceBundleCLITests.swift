import Fetch
import FairflowTesting
import Foundation
import MockHTTPServer
import Testing

/// `fairflow reproduce DOI | BUNDLE | URL` through the real binary: a git workspace trains a tiny
/// BraggNN, evaluates it and deposits the bundle on a loopback Zenodo that keeps the uploaded
/// files and serves them back as a record; then the record is reproduced from an empty directory.
@Suite struct ReproduceBundleCLITests {
  static let token = "zenodo-SECRET-reproduce"
  static let doi = "10.5281/zenodo.7777777"

  /// The uploaded files, by bucket key; `tamper(key)` changes one byte of one.
  final class Store: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [(key: String, bytes: [UInt8])] = []

    func put(_ key: String, _ bytes: [UInt8]) {
      lock.withLock {
        files.removeAll { $0.key == key }
        files.append((key, bytes))
      }
    }
    var all: [(key: String, bytes: [UInt8])] { lock.withLock { files } }
    func bytes(_ key: String) -> [UInt8]? { lock.withLock { files.first { $0.key == key }?.bytes } }
    func tamper(_ key: String) {
      lock.withLock {
        guard let index = files.firstIndex(where: { $0.key == key }) else { return }
        files[index].bytes[0] ^= 0x20
      }
    }
  }

  /// Zenodo's deposit API (minting 10.5281/zenodo.7777777), doi.org's handle API and Zenodo's
  /// record API (shape A) over the stored files.
  static func zenodo(_ store: Store) async throws -> MockHTTPServer {
    let box = PortBox()
    let server = try await MockHTTPServer.start { request in
      let host = "http://127.0.0.1:\(box.port)"
      let record = "\(host)/api/records/7777777"
      if request.method == "GET" {
        switch request.path {
        case "/api/handles/\(doi)":
          return .json(
            """
            {"responseCode": 1, "handle": "\(doi)", "values": [{"index": 1, "type": "URL",
              "data": {"format": "string", "value": "\(host)/records/7777777"}}]}
            """)
        case "/api/records/7777777":
          let files = store.all.map { file in
            """
            {"key": "\(file.key)", "size": \(file.bytes.count),
             "checksum": "md5:\(StreamingHasher.hash(file.bytes, .md5))",
             "links": {"self": "\(record)/files/\(file.key)/content"}}
            """
          }
          return .json(
            """
            {"id": 7777777, "doi": "\(doi)", "metadata": {"title": "Test peak finder"},
             "files": [\(files.joined(separator: ","))]}
            """)
        case let path where path.hasPrefix("/api/records/7777777/files/"):
          let key = String(
            path.dropFirst("/api/records/7777777/files/".count).dropLast("/content".count))
          guard let bytes = store.bytes(key) else { break }
          return .file(bytes, for: request, contentType: "application/octet-stream")
        default: break
        }
        return .json(#"{"message": "not found", "status": 404}"#, status: 404)
      }
      guard request.header("Authorization") == "Bearer " + token else {
        return .json(#"{"message": "unauthorized", "status": 401}"#, status: 401)
      }
      let deposition = "\(host)/api/deposit/depositions/7777777"
      let links = """
        "links": {"self": "\(deposition)", "html": "\(host)/deposit/7777777",
          "bucket": "\(host)/api/files/bucket-7", "publish": "\(deposition)/actions/publish"}
        """
      switch (request.method, request.path) {
      case ("POST", "/api/deposit/depositions"):
        return .json(
          """
          {"id": 7777777, "metadata": {"prereserve_doi": {"doi": "\(doi)", "recid": 7777777}},
           \(links), "submitted": false}
          """, status: 201)
      case ("PUT", let path) where path.hasPrefix("/api/files/bucket-7/"):
        let key = String(path.dropFirst("/api/files/bucket-7/".count)).removingPercentEncoding!
        store.put(key, request.body)
        return .json(
          #"{"key": "\#(key)", "checksum": "md5:\#(StreamingHasher.hash(request.body, .md5))"}"#,
          status: 201)
      case ("PUT", "/api/deposit/depositions/7777777"):
        return .json(#"{"id": 7777777, \#(links), "submitted": false}"#)
      case ("POST", "/api/deposit/depositions/7777777/actions/publish"):
        return .json(
          """
          {"id": 7777777, "record_id": 7777777, "doi": "\(doi)",
           "links": {"html": "\(host)/records/7777777"}, "submitted": true}
          """, status: 202)
      default:
        return .json(#"{"message": "not found", "status": 404}"#, status: 404)
      }
    }
    box.port = server.port
    return server
  }

  /// generate → split → train → export → evaluate → publish. The published model is `train`'s own
  /// directory (model.json, weights, training log and curves): train writes no wall-clock time,
  /// so it reproduces byte for byte.
  static func pipeline(deposit: String?) -> String {
    """
    params:
      seed: 3
    stages:
      generate:
        uses: generate
        outs: [data/raw]
        with: {kind: bragg-peaks, count: 300, seed: "${params.seed}", output: data/raw/peaks.h5}
      split:
        uses: convert
        deps: [data/raw]
        outs: [data/patches]
        with:
          inputs: [data/raw]
          datasets: {patch: patch, ploc: ploc}
          split: {fractions: {train: 0.8, validation: 0.1, test: 0.1}, seed: "${params.seed}"}
          output: data/patches
      train:
        uses: train
        deps: [data/patches]
        outs: [models/m]
        with:
          model: braggnn
          train: data/patches/train.h5
          validation: data/patches/validation.h5
          epochs: 1
          batch_size: 32
          seed: "${params.seed}"
          threads: 1
          output: models/m
      export:
        uses: export
        deps: [models/m]
        outs: [models/m.onnx]
        with: {model: models/m, output: models/m.onnx}
      evaluate:
        uses: evaluate
        deps: [models/m, data/patches/test.h5]
        metrics: [metrics/m.json]
        with: {model: models/m, data: data/patches/test.h5, output: metrics/m.json}
      publish:
        uses: publish
        deps: [models/m, metrics/m.json]
        outs: [publication/m]
        with:
          model: models/m
          metrics: metrics/m.json
          output: publication/m
          title: Test peak finder
          description: A tiny BraggNN, for tests.
          creators: ["Doe, Jane"]
          license: cc-by-4.0
          keywords: [bragg peaks]
          task: peak localisation
          intended_use: tests of fairflow reproduce
          limitations: trained on 240 patches
          date: "2026-11-29"
    """ + (deposit.map { "\n      deposit: {url: \"\($0)\", token_env: ZENODO_TOKEN}\n" } ?? "\n")
  }

  static func environment(_ server: MockHTTPServer, tmp: TemporaryWorkspace) -> [String: String] {
    [
      "FAIRFLOW_DOI_RESOLVER": server.baseURL.absoluteString,
      "FAIRFLOW_DATACITE_API": server.baseURL.absoluteString,
      "FAIRFLOW_REPOSITORY_HOSTS": "127.0.0.1:\(server.port)=zenodo", "TMPDIR": tmp.root,
    ]
  }

  @Test func depositThenReproduceFromTheDOIAURLAndTheBundle() async throws {
    let store = Store()
    let server = try await Self.zenodo(store)
    let ws = try TemporaryWorkspace("repro-bundle")
    let tmp = try TemporaryWorkspace("repro-bundle-tmp")
    defer { [ws, tmp].forEach { $0.destroy() } }
    let empty = tmp.path("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
    try ws.write("pipelines/main.yaml", Self.pipeline(deposit: server.baseURL.absoluteString))
    try ws.write(".gitignore", "cache/\ndata/\nmodels/\nmetrics/\npublication/\n")
    try ws.initGitRepository()
    var env = Self.environment(server, tmp: tmp)
    env["ZENODO_TOKEN"] = Self.token
    let run = try await runCLI(["run"], in: ws.root, environment: env)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    let keys = store.all.map(\.key)
    #expect(keys.contains("source.tar") && keys.contains("reproduce.json"), "\(keys)")
    let recipe = try ws.read("publication/m/data/reproduce/reproduce.json")
    let head = try Shell.git(["rev-parse", "HEAD"], in: ws.root).stdout
    #expect(
      recipe.contains("\"commit\": \"\(head.trimmingCharacters(in: .whitespacesAndNewlines))\""))
    #expect(recipe.contains("\"stage\": \"evaluate\""))

    // From the DOI, in an empty directory: identical model digest and metrics.
    let fromDOI = try await runCLI(["reproduce", Self.doi], in: empty, environment: env)
    #expect(fromDOI.status == 0, "\(fromDOI.stdout)\n\(fromDOI.stderr)")
    let lines = fromDOI.stdout.split(separator: "\n")
    #expect(lines.contains { $0.hasPrefix("models/m ") && $0.hasSuffix("identical") })
    #expect(lines.contains { $0.hasPrefix("metrics/m.json ") && $0.hasSuffix("identical") })
    #expect(fromDOI.stdout.contains("\(Self.doi): 2 of 2 artifacts identical"), "\(fromDOI.stdout)")
    let left = try FileManager.default.subpathsOfDirectory(atPath: empty)
    #expect(left.isEmpty, "\(left)")
    #expect(ReproduceCLITests.scratchDirectories(tmp).isEmpty, "scratch removed")

    // The record's URL, with --json.
    let url = "\(server.baseURL.absoluteString)/records/7777777"
    let fromURL = try await runCLI(["reproduce", "--json", url], in: empty, environment: env)
    #expect(fromURL.status == 0, "\(fromURL.stdout)\n\(fromURL.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(fromURL.stdout.utf8)) as? [String: Any])
    #expect(object["schema"] as? Int == 1)
    #expect(object["identical"] as? Bool == true)
    #expect(object["doi"] as? String == Self.doi)
    let rows = try #require(object["artifacts"] as? [[String: Any]])
    #expect(rows.map { $0["path"] as? String } == ["models/m", "metrics/m.json"])
    #expect(rows.allSatisfy { $0["result"] as? String == "identical" })
    #expect((object["metrics"] as? [Any])?.isEmpty == true)

    // The bundle directory itself (validated as a bag), kept.
    let fromBundle = try await runCLI(
      ["reproduce", "--keep", ws.path("publication/m")], in: empty, environment: env)
    #expect(fromBundle.status == 0, "\(fromBundle.stdout)\n\(fromBundle.stderr)")
    #expect(fromBundle.stdout.contains("2 of 2 artifacts identical"))
    let kept = ReproduceCLITests.scratchDirectories(tmp)
    #expect(kept.count == 1)
    #expect(
      FileManager.default.fileExists(atPath: tmp.path(kept.first! + "/source/metrics/m.json")))

    // A file changed on the repository after publication: refused, named, nothing run.
    store.tamper("model.json")
    let tampered = try await runCLI(["reproduce", Self.doi], in: empty, environment: env)
    #expect(tampered.status == 2, "\(tampered.stdout)\n\(tampered.stderr)")
    #expect(tampered.stderr.contains("model/model.json: sha256"), "\(tampered.stderr)")
    #expect(tampered.stderr.contains("altered after publication"))
    #expect(!tampered.stderr.contains("executed"))
    #expect(ReproduceCLITests.scratchDirectories(tmp) == kept)
    try await server.shutdown()
  }

  /// A bundle published outside git has no reproduce/ part: the publish log says why and
  /// `reproduce` refuses it with exit 2.
  @Test func aBundleWithoutReproduceIsRefused() async throws {
    let ws = try TemporaryWorkspace("repro-bundle-nogit")
    let tmp = try TemporaryWorkspace("repro-bundle-nogit-tmp")
    defer { [ws, tmp].forEach { $0.destroy() } }
    try ws.write(
      "pipelines/main.yaml",
      """
      stages:
        make:
          cmd: sh make.sh
          deps: [make.sh]
          outs: [models/m, metrics/m.json]
        publish:
          uses: publish
          deps: [models/m, metrics/m.json]
          outs: [publication/m]
          with: {model: models/m, metrics: metrics/m.json, output: publication/m, title: T,
                 creators: ["Doe, Jane"], license: cc-by-4.0, date: "2026-11-29"}
      """)
    try ws.write(
      "make.sh",
      "mkdir -p models/m metrics\necho '{}' > models/m/model.json\n"
        + "echo '{\"auc\": 0.5}' > metrics/m.json\n")
    let run = try await runCLI(["run"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    #expect(!ws.exists("publication/m/data/reproduce"))
    let logs = try FileManager.default.subpathsOfDirectory(atPath: ws.path("cache/logs"))
    let log = try ws.read(
      "cache/logs/" + (try #require(logs.first { $0.hasSuffix("publish.log") })))
    #expect(log.contains("publish: no reproduce/ part: "), "\(log)")
    let refused = try await runCLI(
      ["reproduce", "publication/m"], in: ws.root, environment: ["TMPDIR": tmp.root])
    #expect(refused.status == 2, "\(refused.stdout)\n\(refused.stderr)")
    #expect(
      refused.stderr.contains(
        "has no reproduce/ part: it was published without a reproducible lineage"),
      "\(refused.stderr)")
    #expect(ReproduceCLITests.scratchDirectories(tmp).isEmpty)
  }
}
