internal import FairflowBase
internal import ModelImport
internal import NeuralKit

extension InferRequest {
  /// One entry of `inputs`, checked against the model: name, datatype, shape, then the data
  /// (JSON `data`, or `binary_data_size` bytes from `binary`), all finite.
  static func decodeInput(
    _ item: Value, model: ServedModel, limits: ServeLimits, binary: inout BinarySection
  ) throws(ServeError) -> (String, Tensor) {
    guard case .string(let name)? = item["name"] else {
      throw ServeError("each of \"inputs\" needs a \"name\"")
    }
    guard let signature = model.inputs.first(where: { $0.name == name }) else {
      throw ServeError("unknown input '\(name)'; model '\(model.name)' takes \(describe(model))")
    }
    guard case .string(let datatype)? = item["datatype"] else {
      throw ServeError("input '\(name)' has no \"datatype\" (FP32)")
    }
    guard datatype == "FP32" else {
      throw ServeError("input '\(name)' has datatype \(datatype); the model takes FP32")
    }
    let shape = try self.shape(item["shape"], name: name)
    let wanted = "[N] + \(signature.rowShape) with N from 1 to \(limits.maxRequestRows)"
    guard shape.count == signature.rowShape.count + 1,
      Array(shape.dropFirst()) == signature.rowShape
    else { throw ServeError("input '\(name)' has shape \(shape); the model takes \(wanted)") }
    guard shape[0] >= 1, shape[0] <= limits.maxRequestRows else {
      throw ServeError(
        "input '\(name)' has \(shape[0]) rows; the server takes \(wanted) (--max-request-rows)")
    }
    let count = shape[0] * signature.rowCount
    let values: [Float]
    if case .int(let size)? = item["parameters"]?["binary_data_size"] {
      guard size == 4 * count else {
        throw ServeError(
          "input '\(name)': binary_data_size is \(size) bytes; shape \(shape) FP32 needs \(4 * count)"
        )
      }
      guard let read = binary.floats(count) else {
        throw ServeError("input '\(name)': the body ends before its \(size) binary bytes")
      }
      values = read
    } else {
      guard let data = item["data"] else {
        throw ServeError("input '\(name)' has neither \"data\" nor parameters.binary_data_size")
      }
      values = try flatten(data, name: name, limit: count)
      guard values.count == count else {
        throw ServeError(
          "input '\(name)' has \(values.count) values; shape \(shape) needs \(count)")
      }
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw ServeError(
        "input '\(name)': element \(bad) is \(values[bad]); only finite values are accepted")
    }
    return (name, Tensor(shape: shape, data: values))
  }

  /// A shape: a list of non-negative integers.
  static func shape(_ value: Value?, name: String) throws(ServeError) -> [Int] {
    guard case .list(let items)? = value, !items.isEmpty else {
      throw ServeError("input '\(name)' has no \"shape\" list")
    }
    var shape: [Int] = []
    for item in items {
      guard case .int(let n) = item, n >= 0 else {
        throw ServeError("input '\(name)': shape entries must be non-negative integers")
      }
      shape.append(n)
    }
    return shape
  }

  /// The numbers of `data`, flat or nested, in row-major order; stops at `limit` + 1 values.
  static func flatten(_ data: Value, name: String, limit: Int) throws(ServeError) -> [Float] {
    var out: [Float] = []
    out.reserveCapacity(limit)
    var stack: [ArraySlice<Value>] = [[data][...]]
    while var top = stack.popLast() {
      guard let value = top.popFirst() else { continue }
      stack.append(top)
      switch value {
      case .int(let i): out.append(Float(i))
      case .double(let d):
        let f = Float(d)
        guard f.isFinite else {
          throw ServeError(
            "input '\(name)': \(d) is not a finite FP32 value; only finite values are accepted")
        }
        out.append(f)
      case .list(let items): stack.append(items[...])
      default:
        throw ServeError("input '\(name)': \"data\" must hold only numbers")
      }
      guard out.count <= limit else {
        throw ServeError("input '\(name)' has more than the \(limit) values its shape needs")
      }
    }
    return out
  }
}
