/// The parts of an ONNX ModelProto that the interpreter runs, decoded from the protobuf wire
/// format (field numbers from onnx.proto):
///
///     ModelProto      graph 7, opset_import 8 → OperatorSetIdProto{domain 1, version 2}
///     GraphProto      node 1, initializer 5, input 11, output 12, sparse_initializer 15
///     NodeProto       input 1, output 2, name 3, op_type 4, attribute 5, domain 7
///     AttributeProto  name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, type 20
///     ValueInfoProto  name 1, type 2 → TypeProto{tensor_type 1 → {elem_type 1, shape 2}}
///     TensorShapeProto.Dimension  dim_value 1, dim_param 2
///
/// Only the default operator domain is understood; everything else (training info, functions,
/// value_info, doc strings) is skipped. Sparse initialisers are refused. Graph inputs that also
/// have an initialiser (older exporters list weights as inputs) are not inputs to feed.
struct ONNXModel: Sendable {
  /// A dimension of a declared input or output: a number, or a name such as `batch` (or `?`).
  enum Dimension: Sendable, Equatable, CustomStringConvertible {
    case fixed(Int)
    case symbolic(String)

    var description: String {
      switch self {
      case .fixed(let n): "\(n)"
      case .symbolic(let name): name
      }
    }
  }

  /// A graph input or output: its name, element type and, where declared, its dimensions.
  struct ValueInfo: Sendable {
    var name: String
    var elementType: Int
    var dims: [Dimension]?
  }

  enum Attribute: Sendable {
    case int(Int)
    case ints([Int])
    case float(Float)
    case floats([Float])
    case string(String)
    case tensor(ONNXValue)
    /// A graph, sparse tensor, type or list of those: no supported op reads one.
    case other(type: Int)
  }

  struct Node: Sendable {
    var name: String
    var opType: String
    var domain: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [String: Attribute]

    /// How error messages name the node: its name, else its first output.
    var label: String { name.isEmpty ? (outputs.first ?? "") : name }
  }

  /// The version of the default ("" / "ai.onnx") operator set.
  var opset: Int
  var inputs: [ValueInfo] = []
  var outputs: [ValueInfo] = []
  var initializers: [String: ONNXValue] = [:]
  var nodes: [Node] = []

  init(_ bytes: [UInt8]) throws(ImportError) {
    var model = ProtobufReader(bytes[...])
    var graph: ArraySlice<UInt8>?
    var opset: Int?
    while let (field, wire) = try model.next() {
      switch (field, wire) {
      case (7, 2): graph = try model.field()
      case (8, 2):
        var entry = ProtobufReader(try model.field())
        var domain = ""
        var version = 0
        while let (f, w) = try entry.next() {
          switch (f, w) {
          case (1, 2): domain = String(decoding: try entry.field(), as: UTF8.self)
          case (2, 0): version = try entry.varint()
          default: try entry.skip(w)
          }
        }
        if domain.isEmpty || domain == "ai.onnx" { opset = version }
      default: try model.skip(wire)
      }
    }
    guard let graph else { throw ImportError("ONNX: the file holds no graph") }
    guard let opset else { throw ImportError("ONNX: the model imports no default operator set") }
    self.opset = opset
    try readGraph(graph)
    let weights = Set(initializers.keys)
    inputs.removeAll { weights.contains($0.name) }
  }

  private mutating func readGraph(_ bytes: ArraySlice<UInt8>) throws(ImportError) {
    var g = ProtobufReader(bytes)
    while let (field, wire) = try g.next() {
      switch (field, wire) {
      case (1, 2): nodes.append(try Self.node(try g.field()))
      case (5, 2):
        let (name, value) = try ONNXValue.decode(tensor: try g.field())
        initializers[name] = value
      case (11, 2): inputs.append(try Self.valueInfo(try g.field()))
      case (12, 2): outputs.append(try Self.valueInfo(try g.field()))
      case (15, _): throw ImportError("ONNX: sparse initialisers are not supported")
      default: try g.skip(wire)
      }
    }
  }

  private static func node(_ bytes: ArraySlice<UInt8>) throws(ImportError) -> Node {
    var r = ProtobufReader(bytes)
    var node = Node(name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: [:])
    while let (field, wire) = try r.next() {
      switch (field, wire) {
      case (1, 2): node.inputs.append(String(decoding: try r.field(), as: UTF8.self))
      case (2, 2): node.outputs.append(String(decoding: try r.field(), as: UTF8.self))
      case (3, 2): node.name = String(decoding: try r.field(), as: UTF8.self)
      case (4, 2): node.opType = String(decoding: try r.field(), as: UTF8.self)
      case (5, 2):
        let (name, value) = try attribute(try r.field())
        node.attributes[name] = value
      case (7, 2): node.domain = String(decoding: try r.field(), as: UTF8.self)
      default: try r.skip(wire)
      }
    }
    guard !node.opType.isEmpty else { throw ImportError("ONNX: node '\(node.label)' has no op") }
    return node
  }

  /// An AttributeProto. Files from before `type` (20) existed are typed by the field present.
  private static func attribute(_ bytes: ArraySlice<UInt8>) throws(ImportError) -> (
    String, Attribute
  ) {
    var r = ProtobufReader(bytes)
    var name = ""
    var type: Int?
    var float: Float?
    var int: Int?
    var string: String?
    var tensor: ONNXValue?
    var floats: [Float] = []
    var ints: [Int] = []
    while let (field, wire) = try r.next() {
      switch (field, wire) {
      case (1, 2): name = String(decoding: try r.field(), as: UTF8.self)
      case (2, 5): float = Float(bitPattern: try r.fixed32())
      case (3, 0): int = try r.varint()
      case (4, 2): string = String(decoding: try r.field(), as: UTF8.self)
      case (5, 2): tensor = try ONNXValue.decode(tensor: try r.field()).value
      case (7, _): try r.floats(wire, into: &floats)
      case (8, _): try r.integers(wire, into: &ints)
      case (20, 0): type = try r.varint()
      default: try r.skip(wire)
      }
    }
    var resolved = type ?? 0
    if type == nil {
      if float != nil {
        resolved = 1
      } else if int != nil {
        resolved = 2
      } else if string != nil {
        resolved = 3
      } else if tensor != nil {
        resolved = 4
      } else if !floats.isEmpty {
        resolved = 6
      } else if !ints.isEmpty {
        resolved = 7
      }
    }
    switch resolved {
    case 1: return (name, .float(float ?? 0))
    case 2: return (name, .int(int ?? 0))
    case 3: return (name, .string(string ?? ""))
    case 4:
      guard let tensor else { throw ImportError("ONNX: attribute '\(name)' has no tensor") }
      return (name, .tensor(tensor))
    case 6: return (name, .floats(floats))
    case 7: return (name, .ints(ints))
    default: return (name, .other(type: resolved))
    }
  }

  private static func valueInfo(_ bytes: ArraySlice<UInt8>) throws(ImportError) -> ValueInfo {
    var r = ProtobufReader(bytes)
    var info = ValueInfo(name: "", elementType: 0, dims: nil)
    while let (field, wire) = try r.next() {
      switch (field, wire) {
      case (1, 2): info.name = String(decoding: try r.field(), as: UTF8.self)
      case (2, 2):
        var type = ProtobufReader(try r.field())
        while let (f, w) = try type.next() {
          guard f == 1, w == 2 else {
            try type.skip(w)
            continue
          }
          var tensor = ProtobufReader(try type.field())
          while let (tf, tw) = try tensor.next() {
            switch (tf, tw) {
            case (1, 0): info.elementType = try tensor.varint()
            case (2, 2): info.dims = try dimensions(try tensor.field())
            default: try tensor.skip(tw)
            }
          }
        }
      default: try r.skip(wire)
      }
    }
    return info
  }

  private static func dimensions(_ bytes: ArraySlice<UInt8>) throws(ImportError) -> [Dimension] {
    var shape = ProtobufReader(bytes)
    var dims: [Dimension] = []
    while let (field, wire) = try shape.next() {
      guard field == 1, wire == 2 else {
        try shape.skip(wire)
        continue
      }
      var dim = ProtobufReader(try shape.field())
      var value: Dimension = .symbolic("?")
      while let (f, w) = try dim.next() {
        switch (f, w) {
        case (1, 0): value = .fixed(try dim.varint())
        case (2, 2): value = .symbolic(String(decoding: try dim.field(), as: UTF8.self))
        default: try dim.skip(w)
        }
      }
      dims.append(value)
    }
    return dims
  }
}
