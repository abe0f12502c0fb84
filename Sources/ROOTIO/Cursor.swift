/// Reads big-endian values from a byte buffer with bounds checks: corrupt input throws, never
/// traps. `origin` is the buffer position of byte 0 (ROOT counts object-stream positions from the
/// start of the record's key, so a keyed object's data has origin `fKeylen`).
struct Cursor {
  let bytes: [UInt8]
  var offset: Int
  let origin: Int

  init(_ bytes: [UInt8], offset: Int = 0, origin: Int = 0) {
    self.bytes = bytes
    self.offset = offset
    self.origin = origin
  }

  /// The current position in ROOT's numbering (offset + origin).
  var position: Int { offset + origin }
  var remaining: Int { bytes.count - offset }

  mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws(ROOTError) {
    guard n >= 0, offset >= 0, n <= bytes.count - offset else {
      throw .corrupt(
        "\(what()) at offset \(offset) needs \(n) bytes, \(max(0, bytes.count - offset)) left")
    }
  }

  mutating func u8(_ what: @autoclosure () -> String = "byte") throws(ROOTError) -> UInt8 {
    try need(1, what())
    defer { offset += 1 }
    return bytes[offset]
  }

  mutating func u16(_ what: @autoclosure () -> String = "u16") throws(ROOTError) -> UInt16 {
    try need(2, what())
    defer { offset += 2 }
    return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
  }

  mutating func u32(_ what: @autoclosure () -> String = "u32") throws(ROOTError) -> UInt32 {
    try need(4, what())
    defer { offset += 4 }
    return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
      | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
  }

  mutating func u64(_ what: @autoclosure () -> String = "u64") throws(ROOTError) -> UInt64 {
    let hi = try u32(what())
    let lo = try u32(what())
    return UInt64(hi) << 32 | UInt64(lo)
  }

  mutating func i16(_ what: @autoclosure () -> String = "i16") throws(ROOTError) -> Int16 {
    Int16(bitPattern: try u16(what()))
  }

  mutating func i32(_ what: @autoclosure () -> String = "i32") throws(ROOTError) -> Int32 {
    Int32(bitPattern: try u32(what()))
  }

  mutating func i64(_ what: @autoclosure () -> String = "i64") throws(ROOTError) -> Int64 {
    Int64(bitPattern: try u64(what()))
  }

  mutating func f64(_ what: @autoclosure () -> String = "f64") throws(ROOTError) -> Double {
    Double(bitPattern: try u64(what()))
  }

  /// A 32-bit signed count or offset that must be non-negative.
  mutating func count(_ what: @autoclosure () -> String) throws(ROOTError) -> Int {
    let value = try i32(what())
    guard value >= 0 else { throw .corrupt("negative \(what()) \(value)") }
    return Int(value)
  }

  mutating func skip(_ n: Int, _ what: @autoclosure () -> String = "bytes") throws(ROOTError) {
    try need(n, what())
    offset += n
  }

  mutating func take(_ n: Int, _ what: @autoclosure () -> String = "bytes") throws(ROOTError)
    -> ArraySlice<UInt8>
  {
    try need(n, what())
    defer { offset += n }
    return bytes[offset..<offset + n]
  }

  /// A TString: one length byte (255 ⇒ an i32 length follows), then the bytes.
  mutating func tstring(_ what: @autoclosure () -> String = "string") throws(ROOTError) -> String {
    var length = Int(try u8(what()))
    if length == 255 { length = try count(what()) }
    return String(decoding: try take(length, what()), as: UTF8.self)
  }

  /// A NUL-terminated C string (class names after a new-class tag).
  mutating func cstring(_ what: @autoclosure () -> String = "class name") throws(ROOTError)
    -> String
  {
    guard let end = bytes[offset...].firstIndex(of: 0) else {
      throw .corrupt("unterminated \(what()) at offset \(offset)")
    }
    defer { offset = end + 1 }
    return String(decoding: bytes[offset..<end], as: UTF8.self)
  }

  /// Moves to a ROOT buffer position (counted with `origin`).
  mutating func seek(position: Int, _ what: @autoclosure () -> String) throws(ROOTError) {
    let target = position - origin
    guard target >= 0, target <= bytes.count else {
      throw .corrupt(
        "\(what()) ends at position \(position), outside the \(bytes.count)-byte record")
    }
    offset = target
  }
}
