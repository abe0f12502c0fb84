/// Builds an ONNX model (opset 13) with the subset of onnx.proto fields fairflow writes:
/// ModelProto{ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8,
/// metadata_props 14}, GraphProto{node 1, name 2, initializer 5, input 11, output 12},
/// NodeProto{input 1, output 2, name 3, op_type 4, attribute 5}, AttributeProto{name 1, f 2,
/// i 3, ints 8, type 20}, TensorProto{dims 1, data_type 2, name 8, raw_data 9},
/// ValueInfoProto{name 1, type 2}, TypeProto.Tensor{elem_type 1, shape 2},
/// TensorShapeProto.Dimension{dim_value 1, dim_param 2}. Field numbers from the ONNX IR spec.
public struct ONNXGraph {
  public enum Attribute {
    case int(Int)
    case ints([Int])
    case float(Float)
  }

  struct Node {
    var op: String
    var inputs: [String]
    var outputs: [String]
    var attributes: [(String, Attribute)]
  }

  var nodes: [Node] = []
  var initializers: [(name: String, tensor: Tensor)] = []
  var int64Initializers: [(name: String, values: [Int])] = []
  var inputs: [(name: String, shape: [Int?])] = []
  var outputs: [(name: String, shape: [Int?])] = []
  var counter = 0

  public init() {}

  /// A fresh value name.
  public mutating func name(_ hint: String) -> String {
    counter += 1
    return "\(hint)_\(counter)"
  }

  public mutating func input(_ name: String, shape: [Int?]) { inputs.append((name, shape)) }
  public mutating func output(_ name: String, shape: [Int?]) { outputs.append((name, shape)) }

  public mutating func constant(_ name: String, _ tensor: Tensor) -> String {
    initializers.append((name, tensor))
    return name
  }

  public mutating func int64Constant(_ name: String, _ values: [Int]) -> String {
    int64Initializers.append((name, values))
    return name
  }

  @discardableResult
  public mutating func node(
    _ op: String, _ inputs: [String], output: String? = nil,
    _ attributes: [(String, Attribute)] = []
  ) -> String {
    let out = output ?? name(op.lowercased())
    nodes.append(Node(op: op, inputs: inputs, outputs: [out], attributes: attributes))
    return out
  }

  /// The serialized ModelProto.
  public func model(graphName: String, metadata: [(String, String)], producerVersion: String)
    -> [UInt8]
  {
    var w = ProtobufWriter()
    w.int(1, 8)  // ir_version 8 (ONNX 1.10+, opset 13 compatible)
    w.string(2, "fairflow")
    w.string(3, producerVersion)
    w.message(7) { g in
      for n in nodes {
        g.message(1) { m in
          for i in n.inputs { m.string(1, i) }
          for o in n.outputs { m.string(2, o) }
          m.string(3, n.outputs[0])
          m.string(4, n.op)
          for (name, value) in n.attributes {
            m.message(5) { a in
              a.string(1, name)
              switch value {
              case .int(let i):
                a.int(3, i)
                a.int(20, 2)  // INT
              case .ints(let list):
                for i in list { a.int(8, i) }
                a.int(20, 7)  // INTS
              case .float(let f):
                a.float(2, f)
                a.int(20, 1)  // FLOAT
              }
            }
          }
        }
      }
      g.string(2, graphName)
      for (name, t) in initializers {
        g.message(5) { m in
          for d in t.shape { m.int(1, d) }
          m.int(2, 1)  // FLOAT
          m.string(8, name)
          var raw: [UInt8] = []
          raw.reserveCapacity(t.count * 4)
          for f in t.data { withUnsafeBytes(of: f.bitPattern.littleEndian) { raw += $0 } }
          m.data(9, raw)
        }
      }
      for (name, values) in int64Initializers {
        g.message(5) { m in
          m.int(1, values.count)
          m.int(2, 7)  // INT64
          m.string(8, name)
          var raw: [UInt8] = []
          for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { raw += $0 } }
          m.data(9, raw)
        }
      }
      for (field, list) in [(11, inputs), (12, outputs)] {
        for (name, shape) in list {
          g.message(field) { v in
            v.string(1, name)
            v.message(2) { type in
              type.message(1) { tensor in
                tensor.int(1, 1)  // FLOAT
                tensor.message(2) { s in
                  for d in shape {
                    s.message(1) { dim in
                      if let d { dim.int(1, d) } else { dim.string(2, "batch") }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    w.message(8) { o in
      o.string(1, "")
      o.int(2, 13)
    }
    for (key, value) in metadata {
      w.message(14) { e in
        e.string(1, key)
        e.string(2, value)
      }
    }
    return w.bytes
  }
}
