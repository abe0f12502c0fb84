internal import FairflowBase

/// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
/// header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
/// {…}}` padded with spaces to 8 bytes, then the raw little-endian data. Float32 only here.
public enum SafeTensors {
  public static func encode(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [(String, String)] = []
  )
    -> [UInt8]
  {
    var entries: [(key: String, value: Value)] = []
    var offset = 0
    for (name, t) in tensors {
      let bytes = t.count * 4
      entries.append(
        (
          name,
          .map([
            ("dtype", .string("F32")), ("shape", .list(t.shape.map(Value.int))),
            ("data_offsets", .list([.int(offset), .int(offset + bytes)])),
          ])
        ))
      offset += bytes
    }
    if !metadata.isEmpty {
      entries.append(("__metadata__", .map(metadata.map { ($0.0, .string($0.1)) })))
    }
    var header = Array(Value.map(entries).canonicalText.utf8)
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
    out += header
    for (_, t) in tensors {
      t.data.withUnsafeBufferPointer { buffer in
        for f in buffer { withUnsafeBytes(of: f.bitPattern.littleEndian) { out += $0 } }
      }
    }
    return out
  }

  /// Decodes Float32 tensors; rejects other dtypes, overlapping or out-of-range offsets.
  public static func decode(_ bytes: [UInt8]) throws(CheckpointError) -> [String: Tensor] {
    guard bytes.count >= 8 else {
      throw CheckpointError("safetensors: file shorter than its header length")
    }
    var n: UInt64 = 0
    for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }
    guard n <= UInt64(bytes.count - 8) else {
      throw CheckpointError("safetensors: header length \(n) past the end")
    }
    let header = String(decoding: bytes[8..<(8 + Int(n))], as: UTF8.self)
    let json: Value
    do { json = try JSONParser.parse(header, file: "safetensors header") } catch {
      throw CheckpointError(error.message)
    }
    guard case .map(let entries) = json else {
      throw CheckpointError("safetensors: header is not an object")
    }
    let base = 8 + Int(n)
    var out: [String: Tensor] = [:]
    for (name, info) in entries where name != "__metadata__" {
      guard info["dtype"]?.stringValue == "F32",
        let shape = info["shape"]?.listValue?.compactMap(\.intValue),
        let offsets = info["data_offsets"]?.listValue?.compactMap(\.intValue), offsets.count == 2,
        offsets[0] >= 0, offsets[1] >= offsets[0], base + offsets[1] <= bytes.count,
        shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) * 4 == offsets[1] - offsets[0]
      else {
        throw CheckpointError(
          "safetensors: tensor '\(name)' has an unsupported dtype or inconsistent shape/offsets")
      }
      var data = [Float](repeating: 0, count: shape.reduce(1, *))
      for i in 0..<data.count {
        let p = base + offsets[0] + 4 * i
        let bits =
          UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(
            bytes[p + 3]) << 24
        data[i] = Float(bitPattern: bits)
      }
      out[name] = Tensor(shape: shape, data: data)
    }
    return out
  }
}
