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
    for artifact in [
      "data/hbb/raw/jets.h5", "data/hbb/features/train.h5", "data/hbb/features/test.h5",
      "models/hbb-in/model.safetensors", "models/hbb-in.onnx", "metrics/hbb/evaluate.json",
      "report/hbb/evaluate/roc.svg", "report/hbb/interpret/interpret.json",
      "report/hbb/interpret/nap.svg",
    ] {
      #expect(ws.exists(artifact), "missing \(artifact)")
    }
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/hbb/evaluate.json").utf8))
        as? [String: Any])
    let auc = try #require(metrics["auc"] as? Double)
    #expect(auc > 0.75 && auc < 1, "AUC \(auc) at CI size")
    // Provenance of the AUC file reaches the generator and its seed.
    let trace = try CLIProcess.run(
      ["prov", "trace", "metrics/hbb/evaluate.json", "--json"], in: ws.root)
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
    #expect(Set(stale) == ["train", "export", "evaluate", "interpret"], "\(stale)")
    let report = try CLIProcess.run(
      ["report", "hbb-quick", "--out", "report.html"] + p, in: ws.root)
    #expect(report.status == 0)
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
