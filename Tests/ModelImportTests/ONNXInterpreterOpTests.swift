import FairflowTesting
import Foundation
import ModelImport
import NeuralKit
import Testing

/// Small graphs built with the onnx package (`Peers/onnx_op_cases.py`), one per op family and
/// covering each attribute variant the interpreter runs (broadcasting, Gemm transposes, Conv
/// strides/pads/dilations, Reshape with 0 and -1 and a computed shape, Softmax axes, reductions
/// with and without keepdims, Squeeze/Unsqueeze, negative axes, opsets 11 and 18): the
/// interpreter's outputs have onnxruntime's shapes and values within 1e-5.
@Suite struct ONNXInterpreterOpTests {
  static let cases: Result<String, any Error>? = {
    guard let python = PythonPeer.interpreter else { return nil }
    return Result {
      let ws = try TemporaryWorkspace("onnx-op-cases")
      let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Peers/onnx_op_cases.py").path
      let out = try Shell.run([python, script, ws.root], in: ws.root)
      guard out.status == 0 else { throw ImportError("onnx_op_cases.py failed: \(out.stderr)") }
      return ws.root
    }
  }()

  struct Manifest: Decodable {
    struct Value: Decodable {
      var name: String
      var shape: [Int]
    }
    var inputs: [Value]
    var outputs: [Value]
  }

  @Test(arguments: [
    "broadcast", "matmul", "gemm", "activations", "softmax", "transpose", "concat", "reshape",
    "reduce", "squeeze", "conv", "opset11", "opset18",
  ])
  func matchesOnnxruntime(_ name: String) throws {
    guard let cases = Self.cases else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let dir = try cases.get()
    let manifest = try JSONDecoder().decode(
      Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).json")))
    let interpreter = try ONNXInterpreter(
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).onnx"))))
    #expect(interpreter.inputNames == manifest.inputs.map(\.name))
    #expect(interpreter.outputNames == manifest.outputs.map(\.name))
    var feeds: [String: Tensor] = [:]
    for input in manifest.inputs {
      feeds[input.name] = Tensor(
        shape: input.shape,
        data: try ONNXInterpreterTests.floats("\(dir)/\(name).in.\(input.name).f32"))
    }
    let outputs = try interpreter.run(feeds)
    var worst: Float = 0
    for output in manifest.outputs {
      let want = try ONNXInterpreterTests.floats("\(dir)/\(name).out.\(output.name).f32")
      let got = try #require(outputs[output.name], "\(name).\(output.name)")
      #expect(got.shape == output.shape, "\(name).\(output.name)")
      let difference = ONNXInterpreterTests.maxDifference(got.data, want)
      #expect(difference <= 1e-5, "\(name).\(output.name): max |difference| = \(difference)")
      worst = max(worst, difference)
    }
    print("ONNXInterpreter op case \(name): max |interpreter − onnxruntime| = \(worst)")
  }
}
