import Foundation
import FairflowTesting
import Testing

/// The shipped quick pipelines, at CI size (parameters overridden with -p): every promised
/// artifact exists, metrics are in range, and provenance reaches the generator's seed.
@Suite struct QuickPipelinesCLITests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  func workspace(_ name: String, pipeline: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    let text = try String(
      contentsOf: Self.repository.appendingPathComponent("pipelines/\(pipeline).yaml"),
      encoding: .utf8)
    try ws.write("pipelines/\(pipeline).yaml", text)
    try ws.write(".gitignore", "cache/\ndata/\nmodels/\nreport/\n")
    try ws.initGitRepository()
    return ws
  }

  @Test func hbbQuickAtCISize() throws {
    let ws = try workspace("hbb-quick", pipeline: "hbb-quick")
    defer { ws.destroy() }
    let p = ["-p", "jets=2500", "-p", "epochs=3", "-p", "tracks=12"]
    let run = try CLIProcess.run(["run", "hbb-quick"] + p, in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let seeds = 1...10
    var artifacts = [
      "data/hbb/raw/jets.h5", "data/hbb/features/train.h5", "data/hbb/features/test.h5",
      "report/hbb/interpret/interpret.json", "report/hbb/interpret/nap.svg",
      "metrics/hbb/aggregate.json", "report/hbb/table4.md", "publication/hbb/bagit.txt",
      "publication/hbb/data/datacite.json", "publication/hbb/data/MODEL_CARD.md",
    ]
    for s in seeds {
      artifacts += [
        "models/hbb-in/seed-\(s)/model.safetensors", "models/hbb-in/seed-\(s).onnx",
        "metrics/hbb/evaluate/seed-\(s).json", "report/hbb/evaluate/seed-\(s)/roc.svg",
      ]
    }
    for artifact in artifacts {
      #expect(ws.exists(artifact), "missing \(artifact)")
    }
    // Every seed's AUC is in range; the seeds differ (initialisation and shuffling).
    var aucs: [Double] = []
    for s in seeds {
      let metrics = try #require(
        try JSONSerialization.jsonObject(
          with: Data(ws.read("metrics/hbb/evaluate/seed-\(s).json").utf8)) as? [String: Any])
      let auc = try #require(metrics["auc"] as? Double)
      #expect(auc > 0.75 && auc < 1, "AUC \(auc) of seed \(s) at CI size")
      aucs.append(auc)
    }
    #expect(Set(aucs).count > 1, "ten seeds gave one AUC")
    // The Table 4 analogue: n = 10, the mean and sample std of the seeds' AUCs.
    let aggregate = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/hbb/aggregate.json").utf8))
        as? [String: Any])
    let summary = try #require(aggregate["summary"] as? [[String: Any]])
    let aucSummary = try #require(summary.first { $0["metric"] as? String == "auc" })
    #expect(aucSummary["n"] as? Int == 10)
    #expect(aucSummary["values"] as? [Double] == aucs)
    let mean = try #require(aucSummary["mean"] as? Double)
    let std = try #require(aucSummary["std"] as? Double)
    #expect(abs(mean - aucs.reduce(0, +) / 10) < 1e-12 && mean > 0.75 && mean < 1)
    #expect(std > 0 && std < 0.1, "std \(std)")
    #expect(aggregate["auc_std"] as? Double == std)
    #expect(try ws.read("report/hbb/table4.md").contains("| auc | "))
    // The dry-run publication: a bag with DataCite metadata and the aggregate's uncertainties.
    let datacite = try ws.read("publication/hbb/data/datacite.json")
    #expect(datacite.contains("Interaction network H→bb jet tagger"))
    #expect(try ws.read("publication/hbb/data/MODEL_CARD.md").contains("±"))
    // The gates of all ten evaluate stages pass.
    let check = try CLIProcess.run(["check", "hbb-quick"] + p, in: ws.root)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("evaluate@seed=10"))
    // Provenance of the aggregate AUC file reaches the generator and its seed.
    let trace = try CLIProcess.run(
      ["prov", "trace", "metrics/hbb/aggregate.json", "--json"], in: ws.root)
    #expect(trace.stdout.contains("\"stage\": \"generate\""), "\(trace.stdout.prefix(400))")
    #expect(trace.stdout.contains("\"seed\": 7"))
    // Warm: nothing to do; a new epoch count reruns only train and what follows it.
    let warm = try CLIProcess.run(["run", "hbb-quick"] + p, in: ws.root)
    #expect(warm.stdout.contains("0 executed"))
    let status = try CLIProcess.run(
      ["status", "hbb-quick", "--json", "-p", "jets=2500", "-p", "epochs=4", "-p", "tracks=12"],
      in: ws.root)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    let stale = (object["stages"] as? [[String: Any]] ?? []).filter {
      $0["state"] as? String == "stale"
    }
    .compactMap { $0["name"] as? String }
    let perSeed = ["train", "export", "evaluate"].flatMap { stage in
      seeds.map { "\(stage)@seed=\($0)" }
    }
    #expect(Set(stale) == Set(perSeed + ["aggregate", "interpret", "publish"]), "\(stale)")
    let report = try CLIProcess.run(
      ["report", "hbb-quick", "--out", "report.html"] + p, in: ws.root)
    #expect(report.status == 0)
    let html = try ws.read("report.html")
    #expect(html.contains("Table 4 analogue"))
    // Table 9 analogue: the paper's thresholds, fidelity 100 % when nothing is masked.
    #expect(html.contains("Masking by ΔAUC threshold: interpret"))
    #expect(html.contains("<td>0.001</td>") && html.contains("<td>1.0</td>"))
  }

  @Test func braggnnQuickAtCISize() throws {
    let ws = try workspace("braggnn-quick", pipeline: "braggnn-quick")
    defer { ws.destroy() }
    let run = try CLIProcess.run(
      ["run", "braggnn-quick", "-p", "patches=600", "-p", "epochs=2"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/bragg/evaluate.json").utf8))
        as? [String: Any])
    #expect((metrics["distance_p95"] as? Double).map { $0 > 0 } == true)
    #expect((metrics["center_of_mass_distance_p95"] as? Double).map { $0 > 0 } == true)
    #expect(ws.exists("models/braggnn.onnx") && ws.exists("report/bragg/evaluate/distances.svg"))
  }
}
