import Foundation
import FairflowTesting
import Testing

/// convert → train → export as one pipeline on the uproot-written Hbb-like fixture.
@Suite struct TrainExportCLITests {
  static let pipeline = """
    stages:
      convert:
        uses: convert
        deps: [raw]
        outs: [features]
        with:
          inputs: [raw]
          tree: deepntuplizer/tree
          collections:
            tracks: {branches: [track_ptrel, track_erel], max: 4, sort_by: track_sip, layout: feature-major}
            vertices: {branches: [sv_ptrel, sv_mass], max: 2, layout: feature-major}
          labels: [fj_isQCD, fj_isH]
          split: {fractions: {train: 0.7, validation: 0.15, test: 0.15}, seed: 1}
          output: features
      train:
        uses: train
        deps: [features]
        outs: [models/in]
        metrics: [metrics/train.json]
        with:
          model: interaction-network
          architecture: {hidden: 8, edge_features: 4, output_features: 4}
          train: features/train.h5
          validation: features/validation.h5
          epochs: 3
          batch_size: 64
          block_rows: 300
          seed: 3
          threads: 1
          output: models/in
          metrics: metrics/train.json
      export:
        uses: export
        deps: [models/in]
        outs: [models/in.onnx]
        with: {model: models/in, output: models/in.onnx, softmax: true}
    """

  @Test func convertTrainExportRunsAndOnnxruntimeReadsTheModel() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("train")
    defer { ws.destroy() }
    try ws.write("pipelines/hbb.yaml", Self.pipeline)
    let made = try Shell.run([python, ConvertCLITests.fixture, "make", ws.root], in: ws.root)
    #expect(made.status == 0, "\(made.stderr)")
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let log = try FileManager.default.subpathsOfDirectory(atPath: ws.path("cache/logs"))
      .first { $0.hasSuffix("train.log") }
    let text = try ws.read("cache/logs/" + (log ?? ""))
    #expect(text.contains("epoch 3/3"), "\(text)")
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/train.json").utf8))
        as? [String: Any])
    #expect(metrics["epochs_run"] as? Int == 3)
    #expect((metrics["val_accuracy"] as? Double).map { $0 >= 0 && $0 <= 1 } == true)
    let weights = try Data(contentsOf: URL(fileURLWithPath: ws.path("models/in/model.safetensors")))
    #expect(try ws.read("models/in/training-curves.svg").hasPrefix("<svg"))
    let modelJSON = try ws.read("models/in/model.json")
    #expect(modelJSON.contains("\"track_ptrel\""), "feature names recorded")
    #expect(modelJSON.contains("\"dtype\": \"float32\""))

    let script = """
      import h5py, numpy as np, onnx, onnxruntime as ort, json
      m = onnx.load("models/in.onnx"); onnx.checker.check_model(m)
      meta = {p.key: p.value for p in m.metadata_props}
      s = ort.InferenceSession("models/in.onnx", providers=["CPUExecutionProvider"])
      with h5py.File("features/test.h5") as f:
          p = s.run(["probabilities"], {"tracks": f["tracks"][...], "vertices": f["vertices"][...]})[0]
      assert p.shape[1] == 2 and np.allclose(p.sum(axis=1), 1, atol=1e-5)
      log = json.load(open("models/in/training-log.json"))
      print(len(log), meta["source_model_sha256"])
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    let sha = try Shell.run(["sha256sum", "models/in/model.safetensors"], in: ws.root).stdout
      .prefix(64)
    #expect(out.stdout == "3 \(sha)\n")

    // Same seed and threads: the retrained weights are identical, byte for byte.
    let again = try CLIProcess.run(
      ["run", "--no-provenance", "--force", "--stage", "train"], in: ws.root)
    #expect(again.status == 0)
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: ws.path("models/in/model.safetensors"))) == weights)

    // Another thread count and the scalar kernels (as on a CPU without SIMD FMA): still the
    // same bytes — `threads` changes speed only.
    try ws.write(
      "pipelines/hbb.yaml",
      Self.pipeline.replacingOccurrences(
        of: "threads: 1", with: "threads: 3"))
    let scalar = try CLIProcess.run(
      ["run", "--no-provenance", "--force", "--stage", "train"], in: ws.root,
      environment: ["FAIRFLOW_SIMD_WIDTH": "1"])
    #expect(scalar.status == 0, "\(scalar.stderr)")
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: ws.path("models/in/model.safetensors"))) == weights)
  }

  @Test func braggNNTrainsOnConvertedPatchesAndExports() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("train-bragg")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/bragg.yaml",
      """
      stages:
        split:
          uses: convert
          deps: [raw]
          outs: [patches]
          with:
            inputs: [raw]
            datasets: {patch: patch, ploc: ploc}
            split: {fractions: {train: 0.8, validation: 0.2}, seed: 2}
            output: patches
        train:
          uses: train
          deps: [patches]
          outs: [models/bragg]
          metrics: [metrics/bragg.json]
          with:
            model: braggnn
            train: patches/train.h5
            validation: patches/validation.h5
            epochs: 2
            batch_size: 32
            learning_rate: 0.003
            seed: 5
            threads: 1
            output: models/bragg
            metrics: metrics/bragg.json
        export:
          uses: export
          deps: [models/bragg]
          outs: [models/bragg.onnx]
          with: {model: models/bragg, output: models/bragg.onnx}
      """)
    let make = """
      import h5py, numpy as np, os
      os.makedirs("raw", exist_ok=True)
      rng = np.random.default_rng(4)
      n = 160
      c = rng.uniform(3, 8, (n, 2))
      yy, xx = np.mgrid[0:11, 0:11]
      p = np.exp(-((xx[None] - c[:, 0, None, None])**2 + (yy[None] - c[:, 1, None, None])**2) / 3)
      with h5py.File("raw/peaks.h5", "w") as f:
          f["patch"] = p[:, None].astype(np.float32)
          f["ploc"] = (c / 11).astype(np.float32)
      """
    #expect(try Shell.run([python, "-c", make], in: ws.root).status == 0)
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/bragg.json").utf8))
        as? [String: Any])
    #expect(metrics["parameters"] as? Int == 33_172)
    #expect((metrics["val_distance_px"] as? Double).map { $0 > 0 } == true)
    let check = """
      import h5py, numpy as np, onnx, onnxruntime as ort, hashlib
      m = onnx.load("models/bragg.onnx"); onnx.checker.check_model(m)
      meta = {p.key: p.value for p in m.metadata_props}
      w = hashlib.sha256(open("models/bragg/model.safetensors", "rb").read()).hexdigest()
      assert meta["source_model_sha256"] == w
      s = ort.InferenceSession("models/bragg.onnx", providers=["CPUExecutionProvider"])
      with h5py.File("patches/validation.h5") as f:
          out = s.run(["ploc"], {"patch": f["patch"][...]})[0]
      assert out.shape[1] == 2 and np.isfinite(out).all()
      print("ok")
      """
    let out = try Shell.run([python, "-c", check], in: ws.root)
    #expect(out.stdout == "ok\n", "\(out.stderr)")
  }
}
