import FairflowBase
/// A compact little-endian binary encoding for derived caches (snapshots), never for state a
/// human reads. Readers fail soft: any malformed input yields nil and the caller re-derives.
struct BinaryWriter {
  var bytes: [UInt8] = []

  mutating func int(_ value: Int) {
    var v = UInt64(bitPattern: Int64(value))
    // LEB128 on the zig-zag value keeps small numbers to one byte.
    v = (v << 1) ^ UInt64(bitPattern: Int64(value) >> 63)
    while v >= 0x80 {
      bytes.append(UInt8(v & 0x7f) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  mutating func string(_ value: String) {
    var copy = value
    copy.withUTF8 { buffer in
      int(buffer.count)
      bytes.append(contentsOf: buffer)
    }
  }

  mutating func digest(_ value: Digest) { value.appendBytes(to: &bytes) }

  mutating func strings(_ values: [String]) {
    int(values.count)
    for value in values { string(value) }
  }

  mutating func value(_ value: Value) {
    switch value {
    case .null: bytes.append(0)
    case .bool(let b): bytes.append(b ? 2 : 1)
    case .int(let i): bytes.append(3); int(i)
    case .double(let d):
      bytes.append(4);
      withUnsafeBytes(of: d.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    case .string(let s): bytes.append(5); string(s)
    case .list(let items): bytes.append(6); int(items.count); for item in items { self.value(item) }
    case .map(let pairs):
      bytes.append(7); int(pairs.count);
      for pair in pairs { string(pair.key); self.value(pair.value) }
    }
  }
}

struct BinaryReader {
  let bytes: [UInt8]
  var offset = 0
  var failed = false

  init(_ bytes: [UInt8], offset: Int = 0) {
    self.bytes = bytes
    self.offset = offset
  }

  mutating func int() -> Int {
    var result: UInt64 = 0, shift: UInt64 = 0
    while offset < bytes.count, shift < 64 {
      let byte = bytes[offset]
      offset += 1
      result |= UInt64(byte & 0x7f) << shift
      if byte < 0x80 { return Int(Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))) }
      shift += 7
    }
    failed = true
    return 0
  }

  mutating func count() -> Int {
    let n = int()
    if n < 0 || n > bytes.count - offset + 1 { failed = true; return 0 }
    return n
  }

  mutating func bool() -> Bool {
    guard offset < bytes.count else { failed = true; return false }
    offset += 1
    return bytes[offset - 1] != 0
  }

  mutating func string() -> String {
    let n = count()
    guard !failed, offset + n <= bytes.count else { failed = true; return "" }
    defer { offset += n }
    return bytes.withUnsafeBufferPointer {
      String(decoding: UnsafeBufferPointer(rebasing: $0[offset..<offset + n]), as: UTF8.self)
    }
  }

  mutating func digest() -> Digest? {
    guard offset + 32 <= bytes.count else { failed = true; return nil }
    defer { offset += 32 }
    return bytes.withUnsafeBytes {
      Digest(raw: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 32]))
    }
  }

  mutating func strings() -> [String] {
    let n = count()
    var result: [String] = []
    result.reserveCapacity(n)
    for _ in 0..<n where !failed { result.append(string()) }
    return result
  }

  mutating func value(depth: Int = 0) -> Value {
    guard offset < bytes.count, depth < 64 else { failed = true; return .null }
    let tag = bytes[offset]
    offset += 1
    switch tag {
    case 0: return .null
    case 1: return .bool(false)
    case 2: return .bool(true)
    case 3: return .int(int())
    case 4:
      guard offset + 8 <= bytes.count else { failed = true; return .null }
      var bits: UInt64 = 0
      for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
      offset += 8
      return .double(Double(bitPattern: bits))
    case 5: return .string(string())
    case 6:
      let n = count()
      var items: [Value] = []
      items.reserveCapacity(n)
      for _ in 0..<n where !failed { items.append(value(depth: depth + 1)) }
      return .list(items)
    case 7:
      let n = count()
      var pairs: [(key: String, value: Value)] = []
      pairs.reserveCapacity(n)
      for _ in 0..<n where !failed { pairs.append((string(), value(depth: depth + 1))) }
      return .map(pairs)
    default:
      failed = true
      return .null
    }
  }
}
