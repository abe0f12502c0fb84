internal import NeuralKit

/// One ONNX node compiled for the interpreter: the op with its attributes read, checked and
/// defaulted once, when the model is loaded, so that running a batch never looks at a string.
///
/// Semantics are those of opset 13, with the older (11–12) and newer (up to 23) forms of the few
/// ops whose signature moved: Softmax before 13 flattens from `axis` on; ReduceSum, Squeeze and
/// Unsqueeze take `axes` as an attribute before 13; ReduceMean takes it as an input from 18;
/// Reshape has `allowzero` from 14. An attribute an op does not know is refused, not ignored,
/// so a model never runs with semantics the interpreter silently dropped.
enum ONNXOperation: Sendable {
  enum Binary: Sendable { case add, sub, mul, div }
  enum Unary: Sendable {
    case relu, sigmoid, tanh
    case leakyRelu(alpha: Float)
  }
  enum Reduction: Sendable { case sum, mean }

  /// Conv attributes: 2-D only, `[top, left, bottom, right]` pads.
  struct Convolution: Sendable {
    var strides: [Int]
    var pads: [Int]
    var dilations: [Int]
    var kernel: [Int]?
  }

  case matMul
  case gemm(alpha: Float, beta: Float, transA: Bool, transB: Bool)
  case binary(Binary)
  case unary(Unary)
  case softmax(axis: Int, flattened: Bool)
  case transpose(perm: [Int]?)
  case concat(axis: Int)
  case reshape(allowZero: Bool)
  case flatten(axis: Int)
  /// `axes` from the attribute (empty: all), or nil where they are the optional second input.
  case reduce(Reduction, axes: [Int]?, keepDims: Bool, noopWithEmptyAxes: Bool)
  case identity
  case conv(Convolution)
  case squeeze(axes: [Int]?)
  case unsqueeze(axes: [Int]?)
  case shape(start: Int, end: Int?)
  case gather(axis: Int)
  case constant(ONNXValue)

  /// The op types the interpreter runs, for the hint of an unsupported-op error.
  static let supported = [
    "Add", "Concat", "Constant", "Conv", "Div", "Flatten", "Gather", "Gemm", "Identity",
    "LeakyRelu", "MatMul", "Mul", "ReduceMean", "ReduceSum", "Relu", "Reshape", "Shape",
    "Sigmoid", "Softmax", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze",
  ]

  /// The operator-set versions whose semantics the interpreter implements.
  static let opsets = 11...23

  init(_ node: ONNXModel.Node, opset: Int) throws(ImportError) {
    var a = Attributes(node: node)
    switch node.opType {
    case "MatMul": self = .matMul
    case "Gemm":
      self = .gemm(
        alpha: try a.float("alpha", 1), beta: try a.float("beta", 1),
        transA: try a.int("transA", 0) != 0, transB: try a.int("transB", 0) != 0)
    case "Add": self = .binary(.add)
    case "Sub": self = .binary(.sub)
    case "Mul": self = .binary(.mul)
    case "Div": self = .binary(.div)
    case "Relu": self = .unary(.relu)
    case "Sigmoid": self = .unary(.sigmoid)
    case "Tanh": self = .unary(.tanh)
    case "LeakyRelu": self = .unary(.leakyRelu(alpha: try a.float("alpha", 0.01)))
    case "Softmax":
      self = .softmax(axis: try a.int("axis", opset >= 13 ? -1 : 1), flattened: opset < 13)
    case "Transpose": self = .transpose(perm: try a.ints("perm"))
    case "Concat":
      guard let axis = try a.optionalInt("axis") else { throw a.error("needs an axis") }
      self = .concat(axis: axis)
    case "Reshape":
      let allowZero = try opset >= 14 ? a.int("allowzero", 0) : 0
      self = .reshape(allowZero: allowZero != 0)
    case "Flatten": self = .flatten(axis: try a.int("axis", 1))
    case "ReduceSum", "ReduceMean":
      let kind: Reduction = node.opType == "ReduceSum" ? .sum : .mean
      let axesAreInput = opset >= (kind == .sum ? 13 : 18)
      // Attribute form: no axes means all of them, as an empty axes input does.
      let axes = try axesAreInput ? nil : (a.ints("axes") ?? [])
      let noop = try axesAreInput ? a.int("noop_with_empty_axes", 0) : 0
      self = .reduce(
        kind, axes: axes, keepDims: try a.int("keepdims", 1) != 0, noopWithEmptyAxes: noop != 0)
    case "Identity": self = .identity
    case "Conv": self = .conv(try Self.convolution(&a))
    case "Squeeze":
      let axes = try opset >= 13 ? nil : a.ints("axes")
      self = .squeeze(axes: axes)
    case "Unsqueeze":
      let axes = try opset >= 13 ? nil : a.ints("axes")
      guard opset >= 13 || axes != nil else { throw a.error("needs axes") }
      self = .unsqueeze(axes: axes)
    case "Shape": self = .shape(start: try a.int("start", 0), end: try a.optionalInt("end"))
    case "Gather": self = .gather(axis: try a.int("axis", 0))
    case "Constant": self = .constant(try Self.constant(&a))
    default:
      throw ImportError(
        "ONNX: node '\(node.label)' uses op \(node.opType), which the interpreter does not run",
        hint: "supported ops: \(Self.supported.joined(separator: ", "))")
    }
    if let unknown = a.unread.sorted().first {
      throw a.error("has unsupported attribute '\(unknown)'")
    }
    try Self.checkArity(node, self)
  }

  private static func convolution(_ a: inout Attributes) throws(ImportError) -> Convolution {
    let pad = try a.string("auto_pad", "NOTSET")
    guard pad == "NOTSET" || pad == "VALID" else {
      throw a.error("auto_pad \(pad) is not supported")
    }
    guard try a.int("group", 1) == 1 else { throw a.error("only group 1 is supported") }
    let kernel = try a.ints("kernel_shape")
    let c = Convolution(
      strides: try a.ints("strides") ?? [1, 1], pads: try a.ints("pads") ?? [0, 0, 0, 0],
      dilations: try a.ints("dilations") ?? [1, 1], kernel: kernel)
    guard c.strides.count == 2, c.dilations.count == 2, c.pads.count == 4,
      kernel == nil || kernel?.count == 2
    else { throw a.error("only 2-D convolutions are supported") }
    guard c.strides.allSatisfy({ $0 > 0 }), c.dilations.allSatisfy({ $0 > 0 }),
      c.pads.allSatisfy({ $0 >= 0 })
    else { throw a.error("has invalid strides, dilations or pads") }
    return c
  }

  private static func constant(_ a: inout Attributes) throws(ImportError) -> ONNXValue {
    if let t = try a.tensor("value") { return t }
    if let f = try a.optionalFloat("value_float") { return .float(Tensor(shape: [], data: [f])) }
    if let fs = try a.floats("value_floats") { return .float(Tensor(shape: [fs.count], data: fs)) }
    if let i = try a.optionalInt("value_int") {
      return .integer(IntegerTensor(shape: [], values: [i]))
    }
    if let list = try a.ints("value_ints") {
      return .integer(IntegerTensor(shape: [list.count], values: list))
    }
    throw a.error("has no value attribute the interpreter reads")
  }

  /// Input and output counts, checked once so that kernels can index their inputs freely.
  private static func checkArity(_ node: ONNXModel.Node, _ op: Self) throws(ImportError) {
    let range: ClosedRange<Int> =
      switch op {
      case .matMul, .binary, .reshape, .gather: 2...2
      case .gemm: 2...3
      case .conv: 2...3
      case .unary, .softmax, .transpose, .flatten, .identity, .shape: 1...1
      case .concat: 1...Int.max
      case .reduce(_, let axes, _, _): axes == nil ? 1...2 : 1...1
      case .squeeze(let axes): axes == nil ? 1...2 : 1...1
      case .unsqueeze(let axes): axes == nil ? 2...2 : 1...1
      case .constant: 0...0
      }
    // Trailing empty names are absent optional inputs.
    var count = node.inputs.count
    while count > 0, node.inputs[count - 1].isEmpty { count -= 1 }
    let required = node.inputs.prefix(range.lowerBound)
    guard range.contains(count), !required.contains(where: \.isEmpty) else {
      throw ImportError(
        "ONNX: node '\(node.label)' (\(node.opType)) has \(count) inputs, expected "
          + (range.upperBound == Int.max
            ? "at least \(range.lowerBound)"
            : range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"))
    }
    guard node.outputs.count == 1, !node.outputs[0].isEmpty else {
      throw ImportError(
        "ONNX: node '\(node.label)' (\(node.opType)) has \(node.outputs.count) outputs, expected 1")
    }
  }
}

/// Reads a node's attributes by name and type, remembering which were read so that unknown ones
/// can be refused.
private struct Attributes {
  let node: ONNXModel.Node
  var unread: Set<String>

  init(node: ONNXModel.Node) {
    self.node = node
    unread = Set(node.attributes.keys)
  }

  func error(_ text: String) -> ImportError {
    ImportError("ONNX: node '\(node.label)' (\(node.opType)) \(text)")
  }

  private mutating func take(_ name: String) -> ONNXModel.Attribute? {
    unread.remove(name)
    return node.attributes[name]
  }

  mutating func optionalInt(_ name: String) throws(ImportError) -> Int? {
    switch take(name) {
    case nil: return nil
    case .int(let v): return v
    default: throw error("attribute '\(name)' should be an int")
    }
  }

  mutating func int(_ name: String, _ fallback: Int) throws(ImportError) -> Int {
    try optionalInt(name) ?? fallback
  }

  mutating func ints(_ name: String) throws(ImportError) -> [Int]? {
    switch take(name) {
    case nil: return nil
    case .ints(let v): return v
    default: throw error("attribute '\(name)' should be a list of ints")
    }
  }

  mutating func optionalFloat(_ name: String) throws(ImportError) -> Float? {
    switch take(name) {
    case nil: return nil
    case .float(let v): return v
    default: throw error("attribute '\(name)' should be a float")
    }
  }

  mutating func float(_ name: String, _ fallback: Float) throws(ImportError) -> Float {
    try optionalFloat(name) ?? fallback
  }

  mutating func floats(_ name: String) throws(ImportError) -> [Float]? {
    switch take(name) {
    case nil: return nil
    case .floats(let v): return v
    default: throw error("attribute '\(name)' should be a list of floats")
    }
  }

  mutating func string(_ name: String, _ fallback: String) throws(ImportError) -> String {
    switch take(name) {
    case nil: return fallback
    case .string(let v): return v
    default: throw error("attribute '\(name)' should be a string")
    }
  }

  mutating func tensor(_ name: String) throws(ImportError) -> ONNXValue? {
    switch take(name) {
    case nil: return nil
    case .tensor(let v): return v
    default: throw error("attribute '\(name)' should be a tensor")
    }
  }
}
