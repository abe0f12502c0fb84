import Fetch
import Foundation
import FairflowTesting
import MockHTTPServer
import Testing

/// fetch → train (a script) → publish, through the real binary: the bundle validates with the
/// Python peers, its provenance names the training data DOI, the deposit goes to a loopback
/// imitation of Zenodo's deposit API, the minted DOI is recorded, and the token is in no git
/// object.
@Suite struct PublishCLITests {
  static let token = "zenodo-SECRET-9f3b21c"

  /// Zenodo's legacy deposit API (doi-apis.md §14.2), minting 10.5281/zenodo.7777777.
  static func depositServer() async throws -> MockHTTPServer {
    try await MockHTTPServer.start { request in
      let host = "http://" + (request.header("Host") ?? "127.0.0.1")
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
          {"id": 7777777, "conceptrecid": "7777776", "metadata": {"prereserve_doi":
            {"doi": "10.5281/zenodo.7777777", "recid": 7777777}}, \(links),
           "files": [], "state": "unsubmitted", "submitted": false}
          """, status: 201)
      case ("PUT", let path) where path.hasPrefix("/api/files/bucket-7/"):
        let md5 = StreamingHasher.hash(request.body, .md5)
        return .json(
          #"{"key": "k", "checksum": "md5:\#(md5)", "size": \#(request.body.count)}"#, status: 201)
      case ("PUT", "/api/deposit/depositions/7777777"):
        return .json(#"{"id": 7777777, \#(links), "submitted": false}"#)
      case ("POST", "/api/deposit/depositions/7777777/actions/publish"):
        return .json(
          """
          {"id": 7777777, "record_id": 7777777, "doi": "10.5281/zenodo.7777777",
           "conceptdoi": "10.5281/zenodo.7777776",
           "doi_url": "https://doi.org/10.5281/zenodo.7777777",
           "links": {"html": "\(host)/records/7777777"}, "state": "done", "submitted": true}
          """, status: 202)
      default:
        return .json(#"{"message": "not found", "status": 404}"#, status: 404)
      }
    }
  }

  static let trainScript = """
    set -e
    mkdir -p models/m metrics
    cat > models/m/model.json <<'JSON'
    {"schema": "fairflow.model/1", "architecture": "interaction-network",
     "inputs": [{"name": "tracks", "shape": ["batch", 30, 60], "dtype": "float32",
                 "layout": "feature-major"}],
     "outputs": [{"name": "logits", "shape": ["batch", 2], "dtype": "float32"}]}
    JSON
    wc -c data/raw/hello.txt > models/m/model.onnx
    printf '{"auc": 0.953, "auc_std": 0.004, "accuracy": 0.9}' > metrics/m.json
    """

  static func pipeline(deposit: String?) -> String {
    """
    stages:
      fetch:
        uses: fetch
        outs: [data/raw]
        with: {doi: "10.5281/zenodo.1234567", output: data/raw}
      train:
        cmd: sh train.sh
        deps: [data/raw, train.sh]
        outs: [models/m, metrics/m.json]
      publish:
        uses: publish
        deps: [models/m, metrics/m.json]
        outs: [publication/m]
        with:
          model: models/m
          metrics: metrics/m.json
          output: publication/m
          title: Test jet tagger
          description: A model trained by a shell script, for tests.
          creators: ["Doe, Jane", {given: Ann, family: Lee, orcid: 0000-0002-1825-0097}]
          license: cc-by-4.0
          version: 1.0.0
          keywords: [jet tagging]
          code: https://example.org/fairflow-tests.git
          task: binary classification of jets
          intended_use: tests of the publish stage
          limitations: trained on six bytes
          date: "2026-11-29"
    """ + (deposit.map { "\n      deposit: {url: \"\($0)\", token_env: ZENODO_TOKEN}\n" } ?? "\n")
  }

  func workspace(_ name: String, deposit: String?) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline(deposit: deposit))
    try ws.write("train.sh", Self.trainScript)
    try ws.write(".gitignore", "cache/\n")
    try ws.initGitRepository()
    return ws
  }

  @Test func dryRunBundleValidatesAndCarriesTheLineage() async throws {
    let repository = try await FetchCLITests.start(FetchCLITests.Repository())
    let ws = try workspace("publish-dry", deposit: nil)
    defer { ws.destroy() }
    let run = try await runCLI(
      ["run"], in: ws.root, environment: FetchCLITests.environment(repository))
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
    let bundle = ws.root + "/publication/m"
    for file in [
      "bagit.txt", "data/datacite.json", "data/CITATION.cff", "data/ro-crate-metadata.json",
      "data/MODEL_CARD.md", "data/fair-assessment.json", "data/model/model.onnx",
    ] {
      #expect(FileManager.default.fileExists(atPath: bundle + "/" + file), "\(file)")
    }
    // The training data DOI came from provenance (fetch → train), not from the pipeline file.
    let datacite = try ws.read("publication/m/data/datacite.json")
    #expect(datacite.contains("10.5281/zenodo.1234567"))
    #expect(datacite.contains("IsDerivedFrom"))
    let provenance = try FileManager.default.subpathsOfDirectory(
      atPath: bundle + "/data/provenance")
    #expect(provenance.contains { $0.hasSuffix("/train.json") }, "\(provenance)")
    #expect(provenance.contains { $0.hasSuffix("/fetch.json") }, "\(provenance)")
    // No DOI minted in a dry run: F1 fails and says why; R1.2 (provenance) passes.
    let fair = try ws.read("publication/m/data/fair-assessment.json")
    #expect(fair.contains("\"R1.2\""))
    let card = try ws.read("publication/m/data/MODEL_CARD.md")
    #expect(card.contains("0.953"))
    #expect(card.contains("tracks"))

    if let python = PythonPeer.interpreter {
      let check = try Shell.run(
        [
          python, "-c",
          """
          import bagit, sys
          from rocrate.rocrate import ROCrate
          bagit.Bag(sys.argv[1]).validate()
          crate = ROCrate(sys.argv[1] + "/data")
          print(sorted(e.id for e in crate.data_entities if e.id.startswith("model/")))
          """, bundle,
        ], in: ws.root)
      #expect(check.status == 0, "\(check.stderr)")
      #expect(check.stdout.contains("model/model.onnx"), "\(check.stdout)")
    } else if PythonPeer.required {
      Issue.record("no Python peers (.venv): run scripts/install-deps")
    }
    try await repository.shutdown()
  }

  @Test func depositRecordsTheMintedDOIAndNeverTheToken() async throws {
    let repository = try await FetchCLITests.start(FetchCLITests.Repository())
    let zenodo = try await Self.depositServer()
    let ws = try workspace("publish-deposit", deposit: zenodo.baseURL.absoluteString)
    defer { ws.destroy() }
    var env = FetchCLITests.environment(repository)
    env["ZENODO_TOKEN"] = Self.token
    let run = try await runCLI(["run"], in: ws.root, environment: env)
    #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")

    let sequence = zenodo.requests.map { "\($0.method) \($0.path)" }
    #expect(sequence.first == "POST /api/deposit/depositions")
    #expect(sequence.last == "POST /api/deposit/depositions/7777777/actions/publish")
    #expect(sequence.contains("PUT /api/deposit/depositions/7777777"))
    #expect(sequence.contains("PUT /api/files/bucket-7/model.onnx"))
    #expect(zenodo.requests.allSatisfy { $0.header("Authorization") == "Bearer " + Self.token })
    // The reserved DOI is inside the bundle that was uploaded.
    #expect(try ws.read("publication/m/data/datacite.json").contains("10.5281/zenodo.7777777"))

    let show = try await runCLI(["prov", "trace", "publication/m", "--json"], in: ws.root)
    #expect(show.status == 0, "\(show.stderr)")
    #expect(show.stdout.contains("10.5281/zenodo.7777777"), "\(show.stdout)")

    let objects = try Shell.run(
      ["git", "cat-file", "--batch-all-objects", "--batch"], in: ws.root)
    #expect(!objects.stdout.contains(Self.token))
    #expect(objects.stdout.contains("10.5281/zenodo.7777777"))

    // A missing token is a clear stage failure before any request.
    let before = zenodo.requests.count
    try FileManager.default.removeItem(atPath: ws.root + "/publication")
    var noToken = FetchCLITests.environment(repository)
    noToken["ZENODO_TOKEN"] = ""
    let failed = try await runCLI(["run", "--force"], in: ws.root, environment: noToken)
    #expect(failed.status == 1)
    #expect(zenodo.requests.count == before)
    try await repository.shutdown()
    try await zenodo.shutdown()
  }
}
