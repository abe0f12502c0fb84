internal import NeuralKit

/// An integer tensor in row-major order: the shapes, axes and indices that flow through an ONNX
/// graph beside the Float32 data (INT64 and INT32 tensors, widened to `Int`). Kept apart from
/// `Tensor` so that shape arithmetic is exact and never passes through Float.
struct IntegerTensor: Sendable, Equatable {
  var shape: [Int]
  var values: [Int]

  init(shape: [Int], values: [Int]) {
    precondition(shape.reduce(1, *) == values.count, "shape \(shape) for \(values.count) values")
    self.shape = shape
    self.values = values
  }
}

/// A value in a running ONNX graph: Float32 data (FLOAT, and DOUBLE narrowed to Float) or an
/// integer tensor. Other element types are refused when the model is read.
enum ONNXValue: Sendable {
  case float(Tensor)
  case integer(IntegerTensor)

  var shape: [Int] {
    switch self {
    case .float(let t): t.shape
    case .integer(let t): t.shape
    }
  }

  /// The ONNX element type's name, for error messages.
  var typeName: String {
    switch self {
    case .float: "float"
    case .integer: "int64"
    }
  }
}

extension ONNXValue {
  /// ONNX TensorProto.DataType codes the interpreter reads.
  enum DataType {
    static let float = 1
    static let int32 = 6
    static let int64 = 7
    static let double = 11

    static func name(_ code: Int) -> String {
      let names = [
        1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
        8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
        16: "BFLOAT16",
      ]
      return names[code] ?? "type \(code)"
    }
  }

  /// The data_type (field 2) of a TensorProto, 0 when absent.
  static func elementType(of bytes: ArraySlice<UInt8>) throws(ImportError) -> Int {
    var r = ProtobufReader(bytes)
    var type = 0
    while let (field, wire) = try r.next() {
      if field == 2, wire == 0 { type = try r.varint() } else { try r.skip(wire) }
    }
    return type
  }

  /// Decodes a TensorProto: dims (1), data_type (2), float_data (4), int32_data (5),
  /// int64_data (7), name (8), raw_data (9, little-endian), double_data (10),
  /// data_location (14). Repeated numbers are accepted packed and unpacked. External data and
  /// element types other than FLOAT, DOUBLE, INT32 and INT64 are refused.
  static func decode(tensor bytes: ArraySlice<UInt8>) throws(ImportError) -> (
    name: String, value: ONNXValue
  ) {
    var r = ProtobufReader(bytes)
    var dims: [Int] = []
    var type = 0
    var name = ""
    var raw: ArraySlice<UInt8>?
    var floats: [Float] = []
    var doubles: [Double] = []
    var integers: [Int] = []
    var external = false
    while let (field, wire) = try r.next() {
      switch (field, wire) {
      case (1, _): try r.integers(wire, into: &dims)
      case (2, 0): type = try r.varint()
      case (4, _): try r.floats(wire, into: &floats)
      case (5, _), (7, _): try r.integers(wire, into: &integers)
      case (8, 2): name = String(decoding: try r.field(), as: UTF8.self)
      case (9, 2): raw = try r.field()
      case (10, _): try r.doubles(wire, into: &doubles)
      case (14, 0): external = try r.varint() == 1
      default: try r.skip(wire)
      }
    }
    guard !external else {
      throw ImportError("ONNX: tensor '\(name)' keeps its data in an external file")
    }
    guard dims.allSatisfy({ $0 >= 0 }) else {
      throw ImportError("ONNX: tensor '\(name)' has negative dimensions \(dims)")
    }
    let count = dims.reduce(1, *)
    let width: Int
    switch type {
    case DataType.float, DataType.int32: width = 4
    case DataType.int64, DataType.double: width = 8
    default:
      throw ImportError(
        "ONNX: tensor '\(name)' has element type \(DataType.name(type)), which the interpreter "
          + "does not run")
    }
    if let raw {
      guard raw.count == count * width else {
        throw ImportError("ONNX: tensor '\(name)' has \(raw.count) bytes for \(dims)")
      }
      return (name, Self.value(raw: raw, type: type, dims: dims))
    }
    let stored =
      switch type {
      case DataType.float: floats.count
      case DataType.double: doubles.count
      default: integers.count
      }
    guard stored == count else {
      throw ImportError("ONNX: tensor '\(name)' holds \(stored) values for \(dims)")
    }
    switch type {
    case DataType.float: return (name, .float(Tensor(shape: dims, data: floats)))
    case DataType.double: return (name, .float(Tensor(shape: dims, data: doubles.map(Float.init))))
    default: return (name, .integer(IntegerTensor(shape: dims, values: integers)))
    }
  }

  private static func value(raw: ArraySlice<UInt8>, type: Int, dims: [Int]) -> ONNXValue {
    let count = dims.reduce(1, *)
    return raw.withUnsafeBytes { bytes in
      switch type {
      case DataType.float:
        let data = (0..<count).map { i in
          Float(
            bitPattern: UInt32(
              littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
        return .float(Tensor(shape: dims, data: data))
      case DataType.double:
        let data = (0..<count).map { i in
          Float(
            Double(
              bitPattern: UInt64(
                littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        }
        return .float(Tensor(shape: dims, data: data))
      case DataType.int32:
        let values = (0..<count).map { i in
          Int(
            Int32(
              bitPattern: UInt32(
                littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
        }
        return .integer(IntegerTensor(shape: dims, values: values))
      default:
        let values = (0..<count).map { i in
          Int(
            Int64(
              bitPattern: UInt64(
                littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        }
        return .integer(IntegerTensor(shape: dims, values: values))
      }
    }
  }
}

extension ProtobufReader {
  mutating func fixed32() throws(ImportError) -> UInt32 {
    guard bytes.endIndex - position >= 4 else {
      throw ImportError("protobuf: field runs past the end")
    }
    var value: UInt32 = 0
    for k in 0..<4 { value |= UInt32(bytes[position + k]) << (8 * UInt32(k)) }
    position += 4
    return value
  }

  mutating func fixed64() throws(ImportError) -> UInt64 {
    guard bytes.endIndex - position >= 8 else {
      throw ImportError("protobuf: field runs past the end")
    }
    var value: UInt64 = 0
    for k in 0..<8 { value |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
    position += 8
    return value
  }

  /// A repeated varint field, one element (wire type 0) or packed (wire type 2).
  mutating func integers(_ wire: Int, into list: inout [Int]) throws(ImportError) {
    switch wire {
    case 0: list.append(try varint())
    case 2:
      var packed = ProtobufReader(try field())
      while !packed.atEnd { list.append(try packed.varint()) }
    default: throw ImportError("protobuf: integer field with wire type \(wire)")
    }
  }

  /// A repeated float field, one element (wire type 5) or packed (wire type 2).
  mutating func floats(_ wire: Int, into list: inout [Float]) throws(ImportError) {
    switch wire {
    case 5: list.append(Float(bitPattern: try fixed32()))
    case 2:
      var packed = ProtobufReader(try field())
      guard packed.bytes.count % 4 == 0 else {
        throw ImportError("protobuf: packed floats of odd length")
      }
      while !packed.atEnd { list.append(Float(bitPattern: try packed.fixed32())) }
    default: throw ImportError("protobuf: float field with wire type \(wire)")
    }
  }

  /// A repeated double field, one element (wire type 1) or packed (wire type 2).
  mutating func doubles(_ wire: Int, into list: inout [Double]) throws(ImportError) {
    switch wire {
    case 1: list.append(Double(bitPattern: try fixed64()))
    case 2:
      var packed = ProtobufReader(try field())
      guard packed.bytes.count % 8 == 0 else {
        throw ImportError("protobuf: packed doubles of odd length")
      }
      while !packed.atEnd { list.append(Double(bitPattern: try packed.fixed64())) }
    default: throw ImportError("protobuf: double field with wire type \(wire)")
    }
  }
}
