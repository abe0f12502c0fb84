import FairflowBase
import FairflowTesting
import Foundation
import ModelImport
import NeuralKit
import Testing

/// The models fairflow exports, run from their ONNX bytes by `ONNXInterpreter`, agree with
/// onnxruntime (an independent runtime) and with NeuralKit's own forward pass; models and feeds
/// the interpreter cannot run are refused with messages that name the op, node or input.
@Suite struct ONNXInterpreterTests {
  static func raw(_ values: [Float]) -> Data {
    values.withUnsafeBytes { Data($0) }  // little-endian on every supported machine
  }

  static func floats(_ path: String) throws -> [Float] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { bytes in
      (0..<(data.count / 4)).map { i in
        Float(
          bitPattern: UInt32(
            littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
      }
    }
  }

  static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }

  /// Zero-padded random jets, `[n, P, N]` tracks and `[n, S, Nv]` vertices, like converted data.
  static func jets(_ n: Int, _ c: InteractionNetwork.Configuration, seed: UInt64) -> (
    Tensor, Tensor
  ) {
    var g = SeededGenerator(seed: seed)
    var tracks = Tensor(zeros: [n, c.trackFeatures, c.tracks])
    var vertices = Tensor(zeros: [n, c.vertexFeatures, c.vertices])
    for i in 0..<n {
      let present = 1 + Int(g.next() % UInt64(c.tracks))
      for f in 0..<c.trackFeatures {
        for k in 0..<present {
          tracks.data[(i * c.trackFeatures + f) * c.tracks + k] = g.uniform(-2, 2)
        }
      }
      for f in 0..<c.vertexFeatures {
        for v in 0..<Int(g.next() % 3) {
          vertices.data[(i * c.vertexFeatures + f) * c.vertices + v] = g.uniform(-2, 2)
        }
      }
    }
    return (tracks, vertices)
  }

  /// Rows `start..<end` of a tensor batched along its first dimension.
  static func rows(_ t: Tensor, _ range: Range<Int>) -> Tensor {
    let width = t.count / t.shape[0]
    return Tensor(
      shape: [range.count] + t.shape.dropFirst(),
      data: Array(t.data[(range.lowerBound * width)..<(range.upperBound * width)]))
  }

  /// onnxruntime's outputs for `feeds` (written as float32 files), batched along dimension 0.
  static func onnxruntime(
    _ python: String, model: [UInt8], feeds: [String: Tensor], output: String, batch: Int
  ) throws -> [Float] {
    let ws = try TemporaryWorkspace("onnx-interpreter")
    defer { ws.destroy() }
    try Data(model).write(to: URL(fileURLWithPath: ws.path("model.onnx")))
    var arrays: [String] = []
    for (name, t) in feeds.sorted(by: { $0.key < $1.key }) {
      try raw(t.data).write(to: URL(fileURLWithPath: ws.path("\(name).f32")))
      let shape = t.shape.map(String.init).joined(separator: ", ")
      arrays.append("\"\(name)\": np.fromfile(\"\(name).f32\", np.float32).reshape(\(shape))")
    }
    let script = """
      import numpy as np, onnxruntime as ort
      s = ort.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
      x = {\(arrays.joined(separator: ", "))}
      n = next(iter(x.values())).shape[0]
      y = np.concatenate([s.run(["\(output)"], {k: v[i:i + \(batch)] for k, v in x.items()})[0]
                          for i in range(0, n, \(batch))])
      y.astype(np.float32).tofile("out.f32")
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    guard out.status == 0 else { throw ImportError("onnxruntime failed: \(out.stderr)") }
    return try floats(ws.path("out.f32"))
  }

  @Test(arguments: [false, true])
  func interactionNetworkMatchesOnnxruntimeAndNative(softmax: Bool) throws {
    let model = InteractionNetwork(seed: 41)
    let c = model.configuration
    let n = 500
    let (tracks, vertices) = Self.jets(n, c, seed: 42)
    let bytes = model.onnx(softmax: softmax)
    let interpreter = try ONNXInterpreter(bytes)
    let output = softmax ? "probabilities" : "logits"
    #expect(interpreter.inputNames == ["tracks", "vertices"])
    #expect(interpreter.outputNames == [output])
    var got: [Float] = []
    for start in stride(from: 0, to: n, by: 250) {
      let range = start..<min(start + 250, n)
      let result = try interpreter.run([
        "tracks": Self.rows(tracks, range), "vertices": Self.rows(vertices, range),
      ])
      let y = try #require(result[output])
      #expect(y.shape == [range.count, c.classes])
      got += y.data
    }
    var native = model.infer(tracks: tracks, vertices: vertices).data
    if softmax {
      for row in 0..<n {
        let logits = native[(row * c.classes)..<((row + 1) * c.classes)].map(Double.init)
        let largest = logits.max() ?? 0
        let total = logits.reduce(0) { $0 + exp($1 - largest) }
        for k in 0..<c.classes {
          native[row * c.classes + k] = Float(exp(logits[k] - largest) / total)
        }
      }
    }
    let nativeDifference = Self.maxDifference(got, native)
    #expect(nativeDifference <= 1e-5, "max |interpreter − NeuralKit| = \(nativeDifference)")
    #expect((native.map(abs).max() ?? 0) > 0.01, "non-trivial outputs")
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let reference = try Self.onnxruntime(
      python, model: bytes, feeds: ["tracks": tracks, "vertices": vertices], output: output,
      batch: 250)
    let difference = Self.maxDifference(got, reference)
    #expect(difference <= 1e-5, "max |interpreter − onnxruntime| = \(difference)")
    print(
      "ONNXInterpreter interaction network (softmax: \(softmax)): max |interpreter − onnxruntime| "
        + "= \(difference), max |interpreter − NeuralKit| = \(nativeDifference)")
  }

  @Test func braggNNMatchesOnnxruntimeAndNative() throws {
    let model = BraggNN(seed: 43)
    let n = 500
    var g = SeededGenerator(seed: 44)
    let patches = Tensor(shape: [n, 1, 11, 11], data: (0..<(n * 121)).map { _ in g.uniform(0, 1) })
    let bytes = model.onnx()
    let interpreter = try ONNXInterpreter(bytes)
    #expect(interpreter.inputNames == ["patch"])
    #expect(interpreter.outputNames == ["ploc"])
    let got = try #require(try interpreter.run(["patch": patches])["ploc"])
    #expect(got.shape == [n, 2])
    let tape = Tape()
    let native = tape.value(model(tape, patches: patches)).data
    let scale = native.map(abs).max() ?? 0
    #expect(scale > 1e-3, "non-trivial outputs")
    let nativeDifference = Self.maxDifference(got.data, native)
    #expect(nativeDifference <= 1e-5 * scale, "max |interpreter − NeuralKit| = \(nativeDifference)")
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let reference = try Self.onnxruntime(
      python, model: bytes, feeds: ["patch": patches], output: "ploc", batch: n)
    let difference = Self.maxDifference(got.data, reference)
    #expect(difference <= 1e-5 * scale, "max |interpreter − onnxruntime| = \(difference)")
    print(
      "ONNXInterpreter BraggNN: max |interpreter − onnxruntime| = \(difference), relative "
        + "\(difference / scale); max |interpreter − NeuralKit| = \(nativeDifference)")
  }
}

/// Element-wise kernels write over values at their last use; feeds and initialisers are still
/// referenced elsewhere and must come through unchanged, run after run.
@Suite struct ONNXInterpreterBufferTests {
  @Test func feedsAndWeightsAreNeverOverwritten() throws {
    var g = ONNXGraph()
    g.input("x", shape: [nil, 4])
    let w = g.constant("w", Tensor(shape: [4], data: [1, -2, 3, -4]))
    let shifted = g.node("Add", [w, "x"])  // the result has x's shape: written over x's buffer
    let rectified = g.node("Relu", [shifted])
    g.node("Mul", [rectified, w], output: "y")
    g.output("y", shape: [nil, 4])
    let interpreter = try ONNXInterpreter(
      g.model(graphName: "in_place", metadata: [], producerVersion: "test"))
    let x = Tensor(shape: [2, 4], data: [-3, 1, -1, 5, 0, 2, -6, 4])
    let expected: [Float] = [0, 0, 6, -4, 1, 0, 0, 0]
    for _ in 0..<2 {
      #expect(try interpreter.run(["x": x])["y"]?.data == expected)
    }
    #expect(x.data == [-3, 1, -1, 5, 0, 2, -6, 4])
  }
}

extension ONNXInterpreterBufferTests {
  /// `a`'s buffer goes to the pool after its last reader while the Reshape `b` still shares
  /// it; the MatMul that then draws it from the pool must not write over `b`.
  @Test func pooledBuffersNeverOverwriteLiveAliases() throws {
    let n = 256  // n·n values: large enough to be pooled
    var g = ONNXGraph()
    g.input("x", shape: [1, n, n])
    func scaledIdentity(_ name: String, _ scale: Float) -> String {
      var t = Tensor(zeros: [n, n])
      for i in 0..<n { t.data[i * n + i] = scale }
      return g.constant(name, t)
    }
    let a = g.node("MatMul", ["x", scaledIdentity("identity", 1)], output: "a")
    g.node("Reshape", [a, g.int64Constant("shape", [-1, n])], output: "b")
    let c = g.node("Transpose", [a], output: "c", [("perm", .ints([0, 2, 1]))])
    g.node("MatMul", [c, scaledIdentity("double", 2)], output: "d")
    g.output("b", shape: [n, n])
    g.output("d", shape: [1, n, n])
    let interpreter = try ONNXInterpreter(
      g.model(graphName: "aliases", metadata: [], producerVersion: "test"))
    var generator = SeededGenerator(seed: 47)
    let x = Tensor(shape: [1, n, n], data: (0..<(n * n)).map { _ in generator.uniform(-1, 1) })
    let result = try interpreter.run(["x": x])
    var doubledTranspose = [Float](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { doubledTranspose[j * n + i] = 2 * x.data[i * n + j] } }
    // Compared as flags: a failure should not print 65,536 numbers.
    let aliasIntact = result["b"]?.data == x.data
    let productRight = result["d"]?.data == doubledTranspose
    #expect(aliasIntact, "the Reshape alias was overwritten")
    #expect(productRight)
  }
}

/// Models and feeds the interpreter refuses, with the message word for word.
@Suite struct ONNXInterpreterErrorTests {
  func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as ImportError {
      return error.message
    } catch {
      return "unexpected \(error)"
    }
  }

  func graph(_ build: (inout ONNXGraph) -> Void) -> [UInt8] {
    var g = ONNXGraph()
    g.input("x", shape: [nil, 4])
    build(&g)
    g.output("y", shape: [nil, 4])
    return g.model(graphName: "test", metadata: [], producerVersion: "test")
  }

  @Test func unsupportedOpIsRefusedByName() throws {
    let bytes = graph { g in g.node("LSTM", ["x"], output: "y") }
    let error = try #require(throws: ImportError.self) { try ONNXInterpreter(bytes) }
    #expect(error.message == "ONNX: node 'y' uses op LSTM, which the interpreter does not run")
    #expect(error.hint?.hasPrefix("supported ops: Add, Concat, Constant, Conv,") == true)
  }

  @Test func unsupportedAttributeAndOutOfOrderNodesAreRefused() {
    let grouped = graph { g in
      let w = g.constant("w", Tensor(zeros: [4, 2, 1, 1]))
      g.node("Conv", ["x", w], output: "y", [("group", .int(2))])
    }
    #expect(
      message { _ = try ONNXInterpreter(grouped) }
        == "ONNX: node 'y' (Conv) only group 1 is supported")
    let leaky = graph { g in g.node("LeakyRelu", ["x"], output: "y", [("beta", .float(1))]) }
    #expect(
      message { _ = try ONNXInterpreter(leaky) }
        == "ONNX: node 'y' (LeakyRelu) has unsupported attribute 'beta'")
    let backwards = graph { g in
      g.node("Relu", ["later"], output: "y")
      g.node("Identity", ["x"], output: "later")
    }
    #expect(
      message { _ = try ONNXInterpreter(backwards) }
        == "ONNX: node 'y' (Relu) reads 'later', which no graph input, initialiser or earlier "
        + "node defines")
  }

  @Test func truncatedFilesAreRefused() {
    let bytes = InteractionNetwork(seed: 45).onnx()
    #expect(
      message { _ = try ONNXInterpreter(Array(bytes.prefix(bytes.count / 2))) }
        == "protobuf: field runs past the end")
    for length in [0, 1, 7, 100, bytes.count / 3, bytes.count - 200, bytes.count - 1] {
      #expect(message { _ = try ONNXInterpreter(Array(bytes.prefix(length))) } != nil, "\(length)")
    }
  }

  @Test func feedsOfTheWrongShapeOrNameAreRefused() throws {
    let interpreter = try ONNXInterpreter(InteractionNetwork(seed: 46).onnx())
    let vertices = Tensor(zeros: [2, 14, 5])
    #expect(
      message {
        _ = try interpreter.run(["tracks": Tensor(zeros: [2, 30, 59]), "vertices": vertices])
      }
        == "ONNX: input 'tracks' has shape [2, 30, 59]; the model expects [batch, 30, 60]")
    #expect(
      message {
        _ = try interpreter.run(["tracks": Tensor(zeros: [2, 60]), "vertices": vertices])
      }
        == "ONNX: input 'tracks' has shape [2, 60]; the model expects [batch, 30, 60]")
    #expect(
      message { _ = try interpreter.run(["vertices": vertices]) }
        == "ONNX: input 'tracks' is not fed")
    #expect(
      message { _ = try interpreter.run(["vertices": vertices, "jets": vertices]) }
        == "ONNX: the model has no input 'jets'")
  }
}
