import FairflowBase
import FairflowTesting
import Foundation
import ModelImport
import NeuralKit
import Testing

/// Checkpoints in PyTorch's zip and legacy formats (pickles produced by Python's own pickler with
/// stand-in torch modules, no torch installed), safetensors from the safetensors package and ONNX
/// from the onnx package: all load to exactly the same tensors.
@Suite struct ImportTests {
  static let fixtures: Result<String, any Error>? = {
    guard let python = PythonPeer.interpreter else { return nil }
    return Result {
      let ws = try TemporaryWorkspace("import-fixtures")
      let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Peers/torch_fixture.py").path
      let out = try Shell.run([python, script, ws.root], in: ws.root)
      guard out.status == 0 else { throw ImportError("torch_fixture.py failed: \(out.stderr)") }
      return ws.root
    }
  }()

  func directory() throws -> String? {
    guard let f = Self.fixtures else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return nil
    }
    return try f.get()
  }

  func bytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  @Test(arguments: ["in", "bragg"])
  func everyFormatLoadsTheSameTensors(_ name: String) throws {
    guard let dir = try directory() else { return }
    let reference = try SafeTensors.decode(try bytes("\(dir)/\(name).safetensors"))
    #expect(reference.count == (name == "in" ? 20 : 24))
    for file in ["\(name)-zip.pth", "\(name)-legacy.pth", "\(name).onnx"] {
      let (weights, _, _) = try ModelImporter.weights(try bytes("\(dir)/\(file)"), name: file)
      #expect(Set(weights.keys) == Set(reference.keys), "\(file)")
      for (key, t) in reference {
        #expect(weights[key]?.shape == t.shape, "\(file) \(key)")
        #expect(weights[key]?.data.map(\.bitPattern) == t.data.map(\.bitPattern), "\(file) \(key)")
      }
    }
  }

  @Test func stridedViewsDoublesAndNestedStateDicts() throws {
    guard let dir = try directory() else { return }
    let tensors = try TorchCheckpoint.read(try bytes("\(dir)/strided.pth"))
    let expected = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/values.json"))) as? [String: [Double]])
    #expect(tensors["t"]?.shape == [3, 2], "module. prefix stripped, nested state_dict found")
    #expect(tensors["t"]?.data == expected["t"]!.map(Float.init))
    #expect(tensors["d"]?.data == expected["d"]!.map(Float.init))
  }

  @Test func aPickleAskingForOtherGlobalsIsRefused() throws {
    guard let dir = try directory() else { return }
    let error = #expect(throws: ImportError.self) {
      try TorchCheckpoint.read(try bytes("\(dir)/evil.pth"))
    }
    #expect(error?.message.contains("'os.system'") == true, "\(error?.message ?? "")")
  }

  @Test func importedModelsHaveTheReferenceArchitecture() throws {
    guard let dir = try directory() else { return }
    for file in ["in-zip.pth", "in.onnx"] {
      let (w, format, meta) = try ModelImporter.weights(try bytes("\(dir)/\(file)"), name: file)
      guard
        case .interactionNetwork(let m) = try ModelImporter.model(
          .interactionNetwork, weights: w, format: format, metadata: meta)
      else { Issue.record("not an IN"); continue }
      #expect(m.parameterCount == 25_554)
      #expect(m.configuration.tracks == 60 && m.configuration.vertices == 5)
    }
    let (w, format, meta) = try ModelImporter.weights(
      try bytes("\(dir)/bragg-legacy.pth"), name: "x.pth")
    guard
      case .braggNN(let b) = try ModelImporter.model(
        .braggNN, weights: w, format: format, metadata: meta)
    else {
      Issue.record("not BraggNN")
      return
    }
    #expect(
      b.parameterCount == 33_172 && b.configuration.patch == 11
        && b.configuration.dense == [16, 8, 4, 2])
    // Wrong architecture: a clear list of what is missing.
    let error = #expect(throws: ImportError.self) {
      try ModelImporter.model(
        .braggNN, weights: try SafeTensors.decode(try bytes("\(dir)/in.safetensors")),
        format: .safetensors, metadata: [:])
    }
    #expect(error?.message.contains("no dense_layers.N.weight tensors") == true)
  }

  @Test func fairflowsOwnOnnxReimportsAndPredictsIdentically() throws {
    var c = InteractionNetwork.Configuration()
    (c.tracks, c.vertices) = (12, 3)
    let model = InteractionNetwork(c, seed: 5)
    let onnx = model.onnx()
    let (w, format, meta) = try ModelImporter.weights(onnx, name: "m.onnx")
    guard
      case .interactionNetwork(let back) = try ModelImporter.model(
        .interactionNetwork, weights: w, format: format, metadata: meta)
    else {
      Issue.record("not an IN")
      return
    }
    #expect(back.configuration == c, "tracks and vertices recovered from the interaction matrices")
    var g = SeededGenerator(seed: 6)
    let x = Tensor(
      shape: [4, c.trackFeatures, c.tracks],
      data: (0..<(4 * c.trackFeatures * c.tracks)).map { _ in g.uniform(-1, 1) })
    let y = Tensor(
      shape: [4, c.vertexFeatures, c.vertices],
      data: (0..<(4 * c.vertexFeatures * c.vertices)).map { _ in g.uniform(-1, 1) })
    #expect(back.infer(tracks: x, vertices: y) == model.infer(tracks: x, vertices: y))

    let bragg = BraggNN(seed: 7)
    let (bw, bf, bm) = try ModelImporter.weights(bragg.onnx(), name: "b.onnx")
    guard
      case .braggNN(let b2) = try ModelImporter.model(
        .braggNN, weights: bw, format: bf, metadata: bm)
    else {
      Issue.record("not BraggNN")
      return
    }
    let patches = Tensor(shape: [3, 1, 11, 11], data: (0..<363).map { _ in g.uniform(0, 1) })
    #expect(Training.predict(b2, patches: patches) == Training.predict(bragg, patches: patches))
  }

  @Test func corruptInputsAreErrorsNotCrashes() throws {
    guard let dir = try directory() else { return }
    let good = try bytes("\(dir)/in-zip.pth")
    var generator = SeededGenerator(seed: 9)
    for cut in [0, 10, 100, good.count / 2, good.count - 1] {
      _ = try? TorchCheckpoint.read(Array(good[..<cut]))
    }
    for _ in 0..<200 {
      var copy = good
      for _ in 0..<3 {
        let at = Int(generator.next() % UInt64(copy.count))
        copy[at] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
      }
      _ = try? TorchCheckpoint.read(copy)
      _ = try? ONNXInitializers(copy)
    }
  }
}
