public import NeuralKit

/// The initialisers (weights) and metadata of an ONNX model, decoded from the protobuf wire
/// format: ModelProto.graph (7) → GraphProto.initializer (5) → TensorProto{dims 1, data_type 2,
/// float_data 4, name 8, raw_data 9}; ModelProto.metadata_props (14) → {key 1, value 2}.
/// FLOAT and DOUBLE tensors are read (as Float32); others are skipped.
public struct ONNXInitializers {
  public var tensors: [String: Tensor] = [:]
  public var metadata: [String: String] = [:]

  public init(_ bytes: [UInt8]) throws(ImportError) {
    var model = ProtobufReader(bytes[...])
    while let (field, wire) = try model.next() {
      switch (field, wire) {
      case (7, 2):
        var graph = ProtobufReader(try model.field())
        while let (f, w) = try graph.next() {
          if f == 5, w == 2 {
            if let (name, t) = try Self.tensor(try graph.field()) { tensors[name] = t }
          } else {
            try graph.skip(w)
          }
        }
      case (14, 2):
        var entry = ProtobufReader(try model.field())
        var key = ""
        var value = ""
        while let (f, w) = try entry.next() {
          if f == 1, w == 2 {
            key = String(decoding: try entry.field(), as: UTF8.self)
          } else if f == 2, w == 2 {
            value = String(decoding: try entry.field(), as: UTF8.self)
          } else {
            try entry.skip(w)
          }
        }
        metadata[key] = value
      default:
        try model.skip(wire)
      }
    }
    guard !tensors.isEmpty else { throw ImportError("ONNX file without float initialisers") }
  }

  /// A FLOAT or DOUBLE initialiser as a Float32 tensor (decoded by `ONNXValue`); initialisers
  /// of other element types are not weights and are skipped.
  static func tensor(_ bytes: ArraySlice<UInt8>) throws(ImportError) -> (String, Tensor)? {
    guard
      [ONNXValue.DataType.float, ONNXValue.DataType.double].contains(
        try ONNXValue.elementType(of: bytes))
    else { return nil }
    guard case (let name, .float(let t)) = try ONNXValue.decode(tensor: bytes) else { return nil }
    return (name, t)
  }
}

/// Reads protobuf fields: (field number, wire type) pairs and their payloads, bounds-checked.
struct ProtobufReader {
  var bytes: ArraySlice<UInt8>
  var position: Int

  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    position = bytes.startIndex
  }

  var atEnd: Bool { position >= bytes.endIndex }

  mutating func varint() throws(ImportError) -> Int {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < bytes.endIndex, shift < 64 else { throw ImportError("protobuf: bad varint") }
      let b = bytes[position]
      position += 1
      value |= UInt64(b & 0x7F) << shift
      if b & 0x80 == 0 { break }
      shift += 7
    }
    return Int(Int64(bitPattern: value))
  }

  mutating func next() throws(ImportError) -> (Int, Int)? {
    guard !atEnd else { return nil }
    let key = try varint()
    return (key >> 3, key & 7)
  }

  mutating func field() throws(ImportError) -> ArraySlice<UInt8> {
    let n = try varint()
    guard n >= 0, n <= bytes.endIndex - position else {
      throw ImportError("protobuf: field runs past the end")
    }
    defer { position += n }
    return bytes[position..<(position + n)]
  }

  mutating func skip(_ wire: Int) throws(ImportError) {
    switch wire {
    case 0: _ = try varint()
    case 1: position += 8
    case 2: _ = try field()
    case 5: position += 4
    default: throw ImportError("protobuf: unsupported wire type \(wire)")
    }
    guard position <= bytes.endIndex else { throw ImportError("protobuf: field runs past the end") }
  }
}
