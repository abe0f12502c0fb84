import Foundation
import FairflowTesting
import MockHTTPServer
import Testing

/// The faithful `hbb-interaction-network` pipeline — unchanged, real DOI and all — run end to end
/// at miniature scale against a loopback imitation of doi.org's handle API and CERN Open Data's
/// record API, serving ROOT files in the real layout (tree `deepntuplizer/tree`, the real branch
/// names, `{train,test}/ntuple_merged_<i>.root` under the real EOS path) that uproot wrote from
/// fairflow's synthetic jets. Only parameters shrink (tracks, epochs); the fetch → ROOT convert →
/// train ×10 → export → evaluate → aggregate → interpret → publish chain is the one users run.
@Suite struct FaithfulPipelineCLITests {
  static let doi = "10.7483/OPENDATA.CMS.JGJX.MS7Q"
  static let peer = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Peers/hbb_opendata.py").path

  struct Served: Sendable {
    var path: String
    var size: Int
    var adler32: String
  }

  static func start(files: [Served], root: String) async throws -> MockHTTPServer {
    let box = PortBox()
    let server = try await MockHTTPServer.start { request in
      let base = "http://127.0.0.1:\(box.port)"
      switch request.path {
      case "/api/handles/\(doi)":
        return .json(
          """
          {"responseCode": 1, "handle": "\(doi)",
           "values": [{"index": 1, "type": "URL",
                       "data": {"format": "string", "value": "\(base)/record/12102"},
                       "ttl": 86400, "timestamp": "2021-01-02T03:04:05Z"}]}
          """)
      case "/api/records/12102":
        let entries = files.enumerated().map { i, f in
          """
          {"uri": "root://eospublic.cern.ch//\(f.path)", "size": \(f.size),
           "checksum": "adler32:\(f.adler32)", "key": "HiggsToBBNTuple_file_index.json_\(i)",
           "bucket": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "availability": "online"}
          """
        }
        return .json(
          """
          {"id": "12102", "links": {"self": "\(base)/api/records/12102"},
           "metadata": {"recid": "12102", "doi": "\(doi)",
             "title": "Sample with jet, track and secondary vertex properties for Hbb tagging ML studies HiggsToBBNTuple_HiggsToBB_QCD_RunII_13TeV_MC",
             "availability": "online", "files": [],
             "_file_indices": [{"key": "HiggsToBBNTuple_file_index.json",
               "number_files": \(files.count), "size": \(files.map(\.size).reduce(0, +)),
               "availability": {"online": \(files.count)},
               "files": [\(entries.joined(separator: ","))]}]}}
          """)
      default:
        if request.path.hasPrefix("/eos/opendata/"),
          let served = files.first(where: { "/" + $0.path == request.path }),
          let bytes = FileManager.default.contents(atPath: root + "/" + served.path)
        {
          return .file(Array(bytes), for: request, contentType: "application/octet-stream")
        }
        return .json("{\"status\": 404, \"message\": \"not found\"}", status: 404)
      }
    }
    box.port = server.port
    return server
  }

  @Test func hbbInteractionNetworkAgainstLocalOpenData() async throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("faithful-hbb")
    defer { ws.destroy() }
    // 2,500 synthetic jets in the raw schema, rewritten as five ROOT files by uproot.
    try ws.write(
      "pipelines/jets.yaml",
      """
      pipeline: jets
      stages:
        generate:
          uses: generate
          outs: [jets]
          with: {kind: hbb-jets, count: 2500, seed: 3, output: jets/raw.h5}
      """)
    let repository = QuickPipelinesCLITests.repository
    let pipeline = try String(
      contentsOf: repository.appendingPathComponent("pipelines/hbb-interaction-network.yaml"),
      encoding: .utf8)
    try ws.write("pipelines/hbb-interaction-network.yaml", pipeline)
    try ws.write(".gitignore", "cache/\ndata/\nmodels/\nreport/\njets/\nopendata/\n")
    try ws.initGitRepository()
    let generate = try await runCLI(["run", "jets"], in: ws.root)
    #expect(generate.status == 0, "\(generate.stdout)\(generate.stderr)")
    let made = try Shell.run([python, Self.peer, "jets/raw.h5", "opendata"], in: ws.root)
    #expect(made.status == 0, "\(made.stderr)")
    let listing = try #require(
      try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [[String: Any]])
    let files = listing.compactMap { entry -> Served? in
      guard let path = entry["path"] as? String, let size = entry["size"] as? Int,
        let adler = entry["adler32"] as? String
      else { return nil }
      return Served(path: path, size: size, adler32: adler)
    }
    #expect(files.count == 5)
    let server = try await Self.start(files: files, root: ws.root + "/opendata")
    defer { Task { try? await server.shutdown() } }
    let env = [
      "FAIRFLOW_DOI_RESOLVER": server.baseURL.absoluteString,
      "FAIRFLOW_DATACITE_API": server.baseURL.absoluteString,
      "FAIRFLOW_REPOSITORY_HOSTS": "127.0.0.1:\(server.port)=cern-opendata",
    ]
    let p = [
      "-p", "tracks=12", "-p", "epochs=2", "-p", "patience=2", "-p", "learning_rate=0.001",
    ]
    let run = try await runCLI(
      ["run", "hbb-interaction-network"] + p, in: ws.root, environment: env)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")

    // Every listed file fetched once and verified; ROOT converted with the file-based split.
    let downloads = server.requests.map(\.path).filter { $0.hasPrefix("/eos/") }
    #expect(Set(downloads).count == 5)
    var artifacts = [
      "data/hbb-cms/features/train.h5", "data/hbb-cms/features/validation.h5",
      "data/hbb-cms/features/test.h5", "metrics/hbb-cms/aggregate.json",
      "report/hbb-cms/table4.md", "report/hbb-cms/interpret/interpret.json",
      "publication/hbb-cms/bagit.txt",
    ]
    for s in 1...10 {
      artifacts += ["models/hbb-cms/seed-\(s).onnx", "metrics/hbb-cms/evaluate/seed-\(s).json"]
    }
    for artifact in artifacts { #expect(ws.exists(artifact), "missing \(artifact)") }
    let aggregate = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/hbb-cms/aggregate.json").utf8))
        as? [String: Any])
    let auc = try #require(aggregate["auc"] as? Double)
    #expect(auc > 0.7 && auc < 1, "mean AUC \(auc)")
    // The test split holds exactly the jets of test/ntuple_merged_0.root (500, minus any
    // without exactly one label), read from ROOT.
    let evaluate = try #require(
      try JSONSerialization.jsonObject(
        with: Data(ws.read("metrics/hbb-cms/evaluate/seed-1.json").utf8)) as? [String: Any])
    let rows = try #require(evaluate["rows"] as? Int)
    #expect(rows > 400 && rows <= 500, "\(rows) test jets")
    // Provenance: the Table 4 numbers trace back to the dataset DOI and its files' checksums.
    let trace = try await runCLI(
      ["prov", "trace", "metrics/hbb-cms/aggregate.json", "--json"], in: ws.root)
    #expect(trace.status == 0, "\(trace.stderr)")
    #expect(trace.stdout.contains("\"doi\": \"\(Self.doi)\""), "\(trace.stdout.prefix(3000))")
    #expect(trace.stdout.contains("ntuple_merged_0.root"))
    // Warm: nothing reruns and nothing is downloaded again.
    let before = server.requests.count
    let warm = try await runCLI(
      ["run", "hbb-interaction-network"] + p, in: ws.root, environment: env)
    #expect(warm.status == 0 && warm.stdout.contains("0 executed"), "\(warm.stdout)")
    #expect(server.requests.count == before)
  }
}
