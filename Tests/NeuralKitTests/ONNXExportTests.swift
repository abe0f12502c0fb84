import FairflowBase
import FairflowTesting
import Foundation
import NeuralKit
import Testing

/// The exported interaction network runs in onnxruntime (an independent runtime) and agrees with
/// fairflow's own forward pass within 1e-5 absolute on 1,000 jets; `onnx.checker` accepts it.
@Suite struct ONNXExportTests {
  static func raw(_ values: [Float]) -> Data {
    values.withUnsafeBytes { Data($0) }  // little-endian on every supported machine
  }

  @Test func interactionNetworkMatchesOnnxruntime() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let model = InteractionNetwork(seed: 21)
    let c = model.configuration
    let n = 1000
    var g = SeededGenerator(seed: 22)
    var tracks = [Float](repeating: 0, count: n * c.trackFeatures * c.tracks)
    var vertices = [Float](repeating: 0, count: n * c.vertexFeatures * c.vertices)
    for i in 0..<n {
      let present = 1 + Int(g.next() % UInt64(c.tracks))  // zero-padded like converted data
      for f in 0..<c.trackFeatures {
        for k in 0..<present { tracks[(i * c.trackFeatures + f) * c.tracks + k] = g.uniform(-2, 2) }
      }
      for f in 0..<c.vertexFeatures {
        for v in 0..<Int(g.next() % 3) {
          vertices[(i * c.vertexFeatures + f) * c.vertices + v] = g.uniform(-2, 2)
        }
      }
    }
    var logits: [Float] = []
    for start in stride(from: 0, to: n, by: 100) {
      let rows = 100
      let t = Tensor(
        shape: [rows, c.trackFeatures, c.tracks],
        data: Array(
          tracks[
            (start * c.trackFeatures * c.tracks)..<((start + rows) * c.trackFeatures * c.tracks)]))
      let v = Tensor(
        shape: [rows, c.vertexFeatures, c.vertices],
        data: Array(
          vertices[
            (start * c.vertexFeatures * c.vertices)..<((start + rows) * c.vertexFeatures
              * c.vertices)]))
      logits += model.infer(tracks: t, vertices: v).data
    }
    let ws = try TemporaryWorkspace("onnx")
    defer { ws.destroy() }
    try Data(model.onnx(metadata: [("source_sha256", String(repeating: "0", count: 64))]))
      .write(to: URL(fileURLWithPath: ws.path("in.onnx")))
    try Self.raw(tracks).write(to: URL(fileURLWithPath: ws.path("tracks.f32")))
    try Self.raw(vertices).write(to: URL(fileURLWithPath: ws.path("vertices.f32")))
    try Self.raw(logits).write(to: URL(fileURLWithPath: ws.path("logits.f32")))
    let script = """
      import numpy as np, onnx, onnxruntime as ort
      m = onnx.load("in.onnx")
      onnx.checker.check_model(m, full_check=True)
      assert m.opset_import[0].version >= 13
      meta = {p.key: p.value for p in m.metadata_props}
      assert "fairflow_version" in meta and len(meta["source_sha256"]) == 64
      assert [i.name for i in m.graph.input] == ["tracks", "vertices"]
      assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
      s = ort.InferenceSession("in.onnx", providers=["CPUExecutionProvider"])
      x = np.fromfile("tracks.f32", np.float32).reshape(\(n), \(c.trackFeatures), \(c.tracks))
      y = np.fromfile("vertices.f32", np.float32).reshape(\(n), \(c.vertexFeatures), \(c.vertices))
      want = np.fromfile("logits.f32", np.float32).reshape(\(n), \(c.classes))
      got = np.concatenate([s.run(["logits"], {"tracks": x[i:i+250], "vertices": y[i:i+250]})[0] for i in range(0, \(n), 250)])
      print(float(np.abs(got - want).max()), float(np.abs(want).max()))
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    let parts = out.stdout.split(separator: " ").compactMap {
      Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let difference = try #require(parts.first)
    #expect(difference <= 1e-5, "max |onnxruntime − fairflow| = \(difference)")
    #expect((parts.last ?? 0) > 0.01, "non-trivial logits")
  }

  @Test func braggNNMatchesOnnxruntime() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let model = BraggNN(seed: 31)
    let n = 1000
    var g = SeededGenerator(seed: 32)
    let patches = (0..<(n * 121)).map { _ in g.uniform(0, 1) }
    var output: [Float] = []
    for start in stride(from: 0, to: n, by: 100) {
      let tape = Tape()
      output +=
        tape.value(
          model(
            tape,
            patches: Tensor(
              shape: [100, 1, 11, 11], data: Array(patches[(start * 121)..<((start + 100) * 121)])))
        ).data
    }
    let ws = try TemporaryWorkspace("onnx-bragg")
    defer { ws.destroy() }
    try Data(model.onnx()).write(to: URL(fileURLWithPath: ws.path("bragg.onnx")))
    try Self.raw(patches).write(to: URL(fileURLWithPath: ws.path("patches.f32")))
    try Self.raw(output).write(to: URL(fileURLWithPath: ws.path("ploc.f32")))
    let script = """
      import numpy as np, onnx, onnxruntime as ort
      m = onnx.load("bragg.onnx"); onnx.checker.check_model(m, full_check=True)
      names = {i.name for i in m.graph.initializer}
      assert {"cnn_layers.0.weight", "nlb.phi_layer.bias", "dense_layers.8.weight"} <= names
      s = ort.InferenceSession("bragg.onnx", providers=["CPUExecutionProvider"])
      x = np.fromfile("patches.f32", np.float32).reshape(\(n), 1, 11, 11)
      want = np.fromfile("ploc.f32", np.float32).reshape(\(n), 2)
      got = s.run(["ploc"], {"patch": x})[0]
      print(float(np.abs(got - want).max()), float(np.abs(want).max()))
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    let parts = out.stdout.split(separator: " ").compactMap {
      Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let difference = try #require(parts.first)
    #expect(difference <= 1e-5, "max |onnxruntime − fairflow| = \(difference)")
    #expect((parts.last ?? 0) > 1e-3, "non-trivial outputs")
  }
}
