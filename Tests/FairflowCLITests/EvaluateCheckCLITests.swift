import Foundation
import FairflowTesting
import Testing

/// evaluate → metrics JSON; `fairflow check` as a CI regression gate; `metrics show/diff`.
@Suite struct EvaluateCheckCLITests {
  static let pipeline =
    TrainExportCLITests.pipeline.replacingOccurrences(
      of: "      export:\n", with: "      export-unused:\n")
      + """

        evaluate:
          uses: evaluate
          deps: [models/in, features/test.h5]
          metrics: [metrics/evaluate.json]
          with:
            model: models/in
            data: features/test.h5
            output: metrics/evaluate.json
            gates: {auc: {min: 0.0, max_drop: 0.005}, accuracy: {min: 0.0}}
            baseline: baseline.json
      """

  @Test func checkPassesThenFailsOnAOnePercentAUCDrop() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("check")
    defer { ws.destroy() }
    try ws.write("pipelines/hbb.yaml", Self.pipeline)
    #expect(
      try Shell.run([python, ConvertCLITests.fixture, "make", ws.root], in: ws.root).status == 0)
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/evaluate.json").utf8))
        as? [String: Any])
    let auc = try #require(metrics["auc"] as? Double)
    #expect(auc > 0 && auc < 1)
    #expect(metrics["accuracy_1"] != nil)

    // AUC against scikit-learn on the model's own ONNX outputs of the same test split.
    let sk = """
      import h5py, numpy as np, onnxruntime as ort
      from sklearn.metrics import roc_auc_score
      f = h5py.File("features/test.h5")
      s = ort.InferenceSession("models/in.onnx", providers=["CPUExecutionProvider"])
      p = s.run(["probabilities"], {"tracks": f["tracks"][...], "vertices": f["vertices"][...]})[0]
      print(roc_auc_score(f["labels"][:, 1], p[:, 1]))
      """
    let reference = try Shell.run([python, "-c", sk], in: ws.root)
    let skAUC = try #require(
      Double(reference.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(abs(skAUC - auc) < 1e-6, "fairflow \(auc) vs scikit-learn \(skAUC)")

    // Baseline equal to the current value: passes.
    try ws.write("baseline.json", "{\"auc\": \(auc), \"accuracy\": 0.5}")
    let pass = try CLIProcess.run(["check"], in: ws.root)
    #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
    #expect(pass.stdout.contains("auc") && pass.stdout.contains("ok"))
    // The current AUC is 1% below the baseline: fails with a table row.
    try ws.write("baseline.json", "{\"auc\": \(auc + 0.01), \"accuracy\": 0.5}")
    let fail = try CLIProcess.run(["check"], in: ws.root)
    #expect(fail.status == 1)
    #expect(fail.stdout.contains("FAIL"))
    let json = try CLIProcess.run(["check", "--json"], in: ws.root)
    #expect(json.stdout.contains("\"passed\": false"))

    // --rev: the committed metrics are the baseline.
    try ws.write("baseline.json", "{}")
    try ws.write(".gitignore", "cache/\nfeatures/\nmodels/\nraw/\n")
    try ws.initGitRepository()
    #expect(try CLIProcess.run(["check", "--rev", "HEAD"], in: ws.root).status == 0)
    try ws.remove("metrics/evaluate.json")
    try ws.write("metrics/evaluate.json", "{\"auc\": \(auc - 0.01), \"accuracy\": 0.9}")
    let regressed = try CLIProcess.run(["check", "--rev", "HEAD"], in: ws.root)
    #expect(regressed.status == 1, "\(regressed.stdout)")
    let diff = try CLIProcess.run(["metrics", "diff", "--rev", "HEAD"], in: ws.root)
    #expect(diff.stdout.contains("metrics/evaluate.json  auc"), "\(diff.stdout)")
    let show = try CLIProcess.run(["metrics", "show", "--json"], in: ws.root)
    #expect(show.stdout.contains("\"metrics/evaluate.json\""))
    #expect(try CLIProcess.run(["check", "--rev", "nope"], in: ws.root).status == 2)
  }
}
