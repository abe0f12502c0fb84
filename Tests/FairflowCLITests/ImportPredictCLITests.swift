import Foundation
import FairflowTesting
import Testing

/// `fairflow import-model` on checkpoints without torch, then `fairflow predict`, compared with
/// onnxruntime running the same weights in the reference architecture's ONNX graph.
@Suite struct ImportPredictCLITests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("ModelImportTests/Peers/torch_fixture.py")
    .path

  @Test func importPredictAndOnnxruntimeAgree() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("import-predict")
    defer { ws.destroy() }
    try FileManager.default.createDirectory(
      atPath: ws.path("published"), withIntermediateDirectories: true)
    #expect(try Shell.run([python, Self.fixture, ws.path("published")], in: ws.root).status == 0)
    // Import by CLI (IN, legacy format) and by pipeline stage (BraggNN, zip format) + export both.
    let cli = try CLIProcess.run(
      [
        "import-model", "published/in-legacy.pth", "--arch", "interaction-network", "--out",
        "models/in",
        "--doi", "10.5281/zenodo.0000000",
      ], in: ws.root)
    #expect(cli.status == 0, "\(cli.stdout)\(cli.stderr)")
    #expect(cli.stdout.contains("25554 parameters"))
    #expect(try ws.read("models/in/model.json").contains("10.5281/zenodo.0000000"))
    try ws.write(
      "pipelines/models.yaml",
      """
      stages:
        import:
          uses: import
          deps: [published/bragg-zip.pth]
          outs: [models/bragg]
          with:
            source: published/bragg-zip.pth
            arch: braggnn
            output: models/bragg
            doi: 10.5281/zenodo.1234567
        export-in:
          uses: export
          deps: [models/in]
          outs: [onnx/in.onnx]
          with: {model: models/in, output: onnx/in.onnx}
        export-bragg:
          uses: export
          deps: [models/bragg]
          outs: [onnx/bragg.onnx]
          with: {model: models/bragg, output: onnx/bragg.onnx}
      """)
    try Shell.git(["init", "-q"], in: ws.root)
    let run = try CLIProcess.run(["run"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    // The model's DOI reaches provenance: tracing the exported ONNX ends at it.
    let trace = try CLIProcess.run(["prov", "trace", "onnx/bragg.onnx"], in: ws.root)
    #expect(
      trace.stdout.contains("fetched from doi:10.5281/zenodo.1234567"),
      "\(trace.stdout)\(trace.stderr)")
    let make = """
      import h5py, numpy as np
      rng = np.random.default_rng(3)
      with h5py.File("inputs.h5", "w") as f:
          f["tracks"] = rng.uniform(-1, 1, (300, 30, 60)).astype(np.float32)
          f["vertices"] = rng.uniform(-1, 1, (300, 14, 5)).astype(np.float32)
          f["patch"] = rng.uniform(0, 1, (300, 1, 11, 11)).astype(np.float32)
      """
    #expect(try Shell.run([python, "-c", make], in: ws.root).status == 0)
    for (model, out) in [("models/in", "in-out.h5"), ("models/bragg", "bragg-out.h5")] {
      let p = try CLIProcess.run(
        ["predict", model, "inputs.h5", "--out", out, "--batch", "128"], in: ws.root)
      #expect(p.status == 0, "\(p.stdout)\(p.stderr)")
      #expect(p.stdout.contains("predict: 300 rows"))
    }
    let compare = """
      import h5py, numpy as np, onnxruntime as ort
      f = h5py.File("inputs.h5")
      s = ort.InferenceSession("onnx/in.onnx", providers=["CPUExecutionProvider"])
      want = s.run(["logits"], {"tracks": f["tracks"][...], "vertices": f["vertices"][...]})[0]
      got = h5py.File("in-out.h5")["logits"][...]
      b = ort.InferenceSession("onnx/bragg.onnx", providers=["CPUExecutionProvider"])
      want2 = b.run(["ploc"], {"patch": f["patch"][...]})[0]
      got2 = h5py.File("bragg-out.h5")["ploc"][...]
      # Relative to the outputs' scale (max |difference| / max |output|): element-wise relative
      # error is meaningless for logits that happen to cross zero.
      rel = lambda g, w: float(np.max(np.abs(g - w)) / np.max(np.abs(w)))
      print(rel(got, want), rel(got2, want2), got.shape, got2.shape)
      """
    let out = try Shell.run([python, "-c", compare], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    let parts = out.stdout.split(separator: " ").prefix(2).compactMap { Double($0) }
    #expect(parts.count == 2 && parts.allSatisfy { $0 <= 1e-5 }, "\(out.stdout)")
    #expect(out.stdout.contains("(300, 2) (300, 2)"))

    let bad = try CLIProcess.run(
      ["import-model", "published/evil.pth", "--arch", "braggnn", "--out", "x"], in: ws.root)
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("os.system"))
    #expect(!bad.stderr.contains("Fatal"))
  }
}
