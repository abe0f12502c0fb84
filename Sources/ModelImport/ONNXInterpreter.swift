public import NeuralKit

/// Runs an ONNX model op by op on the CPU, independently of the code that wrote the file: the
/// check that an exported model computes what the native one does.
///
/// Loading decodes the ModelProto, compiles every node (op, attributes, input counts) and checks
/// that each node reads only graph inputs, initialisers and outputs of earlier nodes, so a model
/// the interpreter cannot run is refused before any data is fed, naming the node and op. Running
/// walks the nodes in file order, keeping each value until its last reader has run; that reader
/// gets the only reference, so element-wise ops write over it, and the buffers of finished values
/// serve later outputs (`BufferPool`). Feeds and initialisers are never written.
///
/// Limits: the default operator domain at opsets 11–23 and the ops listed in
/// `ONNXOperation.supported` (2-D group-1 Conv among them); graph inputs and outputs are FLOAT;
/// initialisers are FLOAT, DOUBLE (narrowed to Float), INT32 or INT64; integer tensors serve
/// shapes, axes and indices only (no integer arithmetic). No control flow, sequences, external
/// data or sparse tensors. Float32 throughout, with OpenBLAS sgemm for MatMul, Gemm and Conv.
public struct ONNXInterpreter: Sendable {
  /// One node as the interpreter runs it, with the values it reads for the last time and,
  /// of those, the ones whose buffers go to the pool after it (node outputs only: feeds and
  /// initialisers belong to the caller and the model).
  struct Step: Sendable {
    var label: String
    var opType: String
    var operation: ONNXOperation
    var inputs: [String]
    var output: String
    var releases: [String] = []
    var recycles: [String] = []
  }

  let inputs: [ONNXModel.ValueInfo]
  let initializers: [String: ONNXValue]
  let steps: [Step]
  /// The names to feed to `run(_:)`, in graph order (initialised inputs excluded).
  public let inputNames: [String]
  /// The names `run(_:)` returns, in graph order.
  public let outputNames: [String]
  /// The version of the default operator set the model imports.
  public let opset: Int

  public init(_ bytes: [UInt8]) throws(ImportError) {
    let model = try ONNXModel(bytes)
    guard ONNXOperation.opsets.contains(model.opset) else {
      throw ImportError(
        "ONNX: opset \(model.opset) is not supported (the interpreter runs opsets "
          + "\(ONNXOperation.opsets.lowerBound)–\(ONNXOperation.opsets.upperBound))")
    }
    guard !model.outputs.isEmpty else { throw ImportError("ONNX: the graph has no outputs") }
    for (kind, list) in [("input", model.inputs), ("output", model.outputs)] {
      for info in list where info.elementType != ONNXValue.DataType.float {
        throw ImportError(
          "ONNX: graph \(kind) '\(info.name)' has element type "
            + "\(ONNXValue.DataType.name(info.elementType)); the interpreter runs FLOAT only")
      }
    }
    var defined = Set(model.inputs.map(\.name)).union(model.initializers.keys)
    var steps: [Step] = []
    for node in model.nodes {
      guard node.domain.isEmpty || node.domain == "ai.onnx" else {
        throw ImportError(
          "ONNX: node '\(node.label)' uses op \(node.domain).\(node.opType), which the "
            + "interpreter does not run")
      }
      let operation = try ONNXOperation(node, opset: model.opset)
      for input in node.inputs where !input.isEmpty && !defined.contains(input) {
        throw ImportError(
          "ONNX: node '\(node.label)' (\(node.opType)) reads '\(input)', which no graph input, "
            + "initialiser or earlier node defines")
      }
      let output = node.outputs[0]
      guard defined.insert(output).inserted else {
        throw ImportError("ONNX: node '\(node.label)' (\(node.opType)) redefines '\(output)'")
      }
      steps.append(
        Step(
          label: node.label, opType: node.opType, operation: operation, inputs: node.inputs,
          output: output))
    }
    for output in model.outputs where !defined.contains(output.name) {
      throw ImportError("ONNX: graph output '\(output.name)' is never computed")
    }
    var lastUse: [String: Int] = [:]
    for (index, step) in steps.enumerated() {
      for input in step.inputs where !input.isEmpty { lastUse[input] = index }
    }
    let kept = Set(model.outputs.map(\.name))
    let external = Set(model.inputs.map(\.name)).union(model.initializers.keys)
    for (name, index) in lastUse.sorted(by: { $0.key < $1.key }) where !kept.contains(name) {
      steps[index].releases.append(name)
      if steps[index].operation.releasesInputBuffers, !external.contains(name) {
        steps[index].recycles.append(name)
      }
    }
    inputs = model.inputs
    initializers = model.initializers
    self.steps = steps
    inputNames = model.inputs.map(\.name)
    outputNames = model.outputs.map(\.name)
    opset = model.opset
  }

  /// The graph's outputs for `feeds`, one tensor per graph input. Each feed's shape must match
  /// the declared dimensions (named and unknown ones accept any size).
  public func run(_ feeds: [String: Tensor]) throws(ImportError) -> [String: Tensor] {
    for name in feeds.keys.sorted() where !inputNames.contains(name) {
      throw ImportError(
        "ONNX: the model has no input '\(name)'",
        hint: "inputs: \(inputNames.joined(separator: ", "))")
    }
    var values = initializers
    for input in inputs {
      guard let tensor = feeds[input.name] else {
        throw ImportError("ONNX: input '\(input.name)' is not fed")
      }
      try Self.check(tensor.shape, against: input)
      values[input.name] = .float(tensor)
    }
    let pool = BufferPool()
    for step in steps {
      var arguments = ONNXOperation.Arguments(
        values: step.inputs.map { $0.isEmpty ? nil : values[$0] })
      let finished = step.recycles.compactMap { values[$0] }
      // Values read for the last time leave the table first, so that the op holds the only
      // reference and element-wise kernels can write over their input.
      for name in step.releases { values[name] = nil }
      do throws(ImportError) {
        values[step.output] = try step.operation.evaluate(&arguments, pool: pool)
      } catch {
        throw ImportError(
          "ONNX: node '\(step.label)' (\(step.opType)): \(error.message)", hint: error.hint)
      }
      for value in finished { pool.recycle(value) }
    }
    var result: [String: Tensor] = [:]
    for name in outputNames {
      guard case .float(let tensor)? = values[name] else {
        throw ImportError("ONNX: output '\(name)' is an int64 tensor, declared FLOAT")
      }
      result[name] = tensor
    }
    return result
  }

  private static func check(_ shape: [Int], against input: ONNXModel.ValueInfo)
    throws(ImportError)
  {
    guard let dims = input.dims else { return }
    let fits =
      shape.count == dims.count
      && zip(shape, dims).allSatisfy { size, dim in
        if case .fixed(let n) = dim { return n == size }
        return true
      }
    guard fits else {
      throw ImportError(
        "ONNX: input '\(input.name)' has shape \(shape); the model expects "
          + "[\(dims.map(\.description).joined(separator: ", "))]")
    }
  }
}
