import Foundation
import FairflowTesting
import Testing

/// `train` with dropped features, `evaluate` and `compare` picking features by name, and
/// `consistency` on a logits export, on the uproot-written Hbb-like fixture.
@Suite struct CompareConsistencyCLITests {
  static let pipeline =
    TrainExportCLITests.pipeline + """

        export-logits:
          uses: export
          deps: [models/in]
          outs: [models/in-logits.onnx]
          with: {model: models/in, output: models/in-logits.onnx, softmax: false}
        consistency:
          uses: consistency
          deps: [models/in, models/in-logits.onnx, features/test.h5]
          outs: [report/consistency.json]
          with:
            model: models/in
            onnx: models/in-logits.onnx
            data: features/test.h5
            runs: [{rows: 50, batch: 1}, {rows: 0, batch: 64}]
            output: report/consistency.json
        train-dropped:
          uses: train
          deps: [features]
          outs: [models/dropped]
          with:
            model: interaction-network
            architecture: {hidden: 8, edge_features: 4, output_features: 4}
            drop_features: [track_erel, sv_mass]
            train: features/train.h5
            validation: features/validation.h5
            epochs: 2
            batch_size: 64
            seed: 3
            threads: 1
            output: models/dropped
        evaluate-dropped:
          uses: evaluate
          deps: [models/dropped, features/test.h5]
          outs: [metrics/dropped.json]
          with: {model: models/dropped, data: features/test.h5, output: metrics/dropped.json}
        compare:
          uses: compare
          deps: [models/in, models/dropped, features/test.h5]
          outs: [report/compare.json, report/compare.md]
          with: {baseline: models/in, models: [models/dropped], data: features/test.h5,
                 output: report/compare.json, table: report/compare.md}
      """

  func json(_ ws: TemporaryWorkspace, _ path: String) throws -> [String: Any] {
    try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read(path).utf8)) as? [String: Any])
  }

  @Test func droppedFeaturesCompareAndLogitsConsistency() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("compare")
    defer { ws.destroy() }
    try ws.write("pipelines/hbb.yaml", Self.pipeline)
    let made = try Shell.run([python, ConvertCLITests.fixture, "make", ws.root], in: ws.root)
    #expect(made.status == 0, "\(made.stderr)")
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")

    // The dropped model takes the other features, named in model.json, and reads the full split.
    let spec = try json(ws, "models/dropped/model.json")
    let inputs = try #require(spec["inputs"] as? [[String: Any]])
    #expect(inputs.map { $0["features"] as? [String] } == [["track_ptrel"], ["sv_ptrel"]])
    let evaluated = try json(ws, "metrics/dropped.json")
    #expect((evaluated["auc"] as? Double).map { $0 > 0 && $0 < 1 } == true)
    let compare = try json(ws, "report/compare.json")
    let models = try #require(compare["models"] as? [[String: Any]])
    #expect(models.map { $0["dropped_tracks"] as? Int } == [0, 1])
    #expect(models.map { $0["dropped_vertices"] as? Int } == [0, 1])
    #expect(models.first?["fidelity_percent"] as? Double == 100)
    // The dropped model's AUC in compare equals evaluate's (same jets: all of the split).
    #expect(models.last?["auc"] as? Double == evaluated["auc"] as? Double)
    #expect(try ws.read("report/compare.md").contains("| models/dropped | 1, 1 | 8, 4, 4 |"))
    // `fairflow predict` also picks the dropped model's features from the full split; its logits
    // give evaluate's AUC (scikit-learn on the softmax of the predicted logits).
    let predict = try CLIProcess.run(
      ["predict", "models/dropped", "features/test.h5", "--out", "predicted.h5"], in: ws.root)
    #expect(predict.status == 0, "\(predict.stdout)\(predict.stderr)")
    let script = """
      import json, h5py, numpy as np
      from sklearn.metrics import roc_auc_score
      z = h5py.File("predicted.h5", "r")["logits"][...].astype(np.float64)
      p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
      y = h5py.File("features/test.h5", "r")["labels"][...].argmax(1)
      auc = roc_auc_score(y == 1, p[:, 1])
      want = json.load(open("metrics/dropped.json"))["auc"]
      assert abs(auc - want) < 1e-6, (auc, want)
      print(auc)
      """
    let peer = try Shell.run([python, "-c", script], in: ws.root)
    #expect(peer.status == 0, "\(peer.stdout)\(peer.stderr)")

    // A logits export: the interpreter's logits go through a softmax; both engines agree.
    let consistency = try json(ws, "report/consistency.json")
    let runs = try #require(consistency["runs"] as? [[String: Any]])
    #expect(runs.map { $0["rows"] as? Int }.first == 50)
    for r in runs {
      let engines = try #require(r["engines"] as? [[String: Any]])
      let aucs = engines.compactMap { $0["auc"] as? Double }
      #expect(aucs.count == 2 && abs(aucs[0] - aucs[1]) < 1e-6, "\(aucs)")
      #expect((r["max_abs_difference"] as? Double).map { $0 < 1e-5 } == true)
    }
  }

  @Test func unknownDroppedFeatureAndMismatchedExportAreClearErrors() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("compare-errors")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/hbb.yaml",
      Self.pipeline.replacingOccurrences(
        of: "drop_features: [track_erel, sv_mass]", with: "drop_features: [track_erl]"))
    let made = try Shell.run([python, ConvertCLITests.fixture, "make", ws.root], in: ws.root)
    #expect(made.status == 0, "\(made.stderr)")
    let run = try CLIProcess.run(
      ["run", "--no-provenance", "--stage", "train-dropped"], in: ws.root)
    #expect(run.status != 0)
    let all = run.stdout + run.stderr
    #expect(all.contains("train-dropped"), "\(all)")
    #expect(all.contains("cannot drop 'track_erl'") && all.contains("track_erel"), "\(all)")
    #expect(!all.contains("Fatal error"))

    // The ONNX file of another model: the interpreter refuses the feed, naming the input.
    try ws.write(
      "pipelines/hbb.yaml",
      Self.pipeline.replacingOccurrences(
        of: "onnx: models/in-logits.onnx", with: "onnx: models/other.onnx"
      ).replacingOccurrences(
        of: "deps: [models/in, models/in-logits.onnx, features/test.h5]",
        with: "deps: [models/in, models/other.onnx, features/test.h5]"))
    let other = try CLIProcess.run(
      ["run", "--no-provenance", "--stage", "export", "--stage", "train-dropped"], in: ws.root)
    #expect(other.status == 0, "\(other.stdout)\(other.stderr)")
    try ws.write(
      "pipelines/export-dropped.yaml",
      """
      pipeline: export-dropped
      stages:
        export:
          uses: export
          deps: [models/dropped]
          outs: [models/other.onnx]
          with: {model: models/dropped, output: models/other.onnx}
      """)
    #expect(
      try CLIProcess.run(["run", "export-dropped", "--no-provenance"], in: ws.root).status == 0)
    let mismatch = try CLIProcess.run(
      ["run", "hbb", "--no-provenance", "--stage", "consistency"], in: ws.root)
    #expect(mismatch.status != 0)
    let text = mismatch.stdout + mismatch.stderr
    #expect(text.contains("consistency") && text.contains("input 'tracks'"), "\(text)")
  }
}
