/// Reads RNTuple metadata (RNTuple specification 1.0, "Basic Types" and "Frames"): little-endian
/// integers, length-prefixed UTF-8 strings, and record or list frames. Every read is bounds
/// checked against `limit`, which a frame narrows to its own end, so a lying size cannot make the
/// reader leave the frame, loop, or allocate without bound.
///
/// A frame starts with a signed 64-bit size counting the whole frame (the size field included);
/// a negative size marks a list frame, which is followed by a 32-bit item count.
struct EnvelopeCursor {
  let bytes: [UInt8]
  var offset: Int
  var limit: Int

  init(_ bytes: [UInt8], offset: Int = 0, limit: Int? = nil) {
    self.bytes = bytes
    self.offset = offset
    self.limit = min(limit ?? bytes.count, bytes.count)
  }

  var remaining: Int { limit - offset }

  mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws(ROOTError) {
    guard n >= 0, offset >= 0, n <= limit - offset else {
      throw .corrupt(
        "\(what()) at byte \(offset) of an envelope needs \(n) bytes, \(max(0, limit - offset)) left"
      )
    }
  }

  mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String)
    throws(ROOTError) -> T
  {
    let size = MemoryLayout<T>.size
    try need(size, what())
    var value: T = 0
    for i in 0..<size { value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
    offset += size
    return value
  }

  mutating func u16(_ what: @autoclosure () -> String) throws(ROOTError) -> Int {
    Int(try integer(UInt16.self, what()))
  }

  mutating func u32(_ what: @autoclosure () -> String) throws(ROOTError) -> Int {
    Int(try integer(UInt32.self, what()))
  }

  mutating func i32(_ what: @autoclosure () -> String) throws(ROOTError) -> Int {
    Int(try integer(Int32.self, what()))
  }

  mutating func i64(_ what: @autoclosure () -> String) throws(ROOTError) -> Int64 {
    try integer(Int64.self, what())
  }

  mutating func u64(_ what: @autoclosure () -> String) throws(ROOTError) -> UInt64 {
    try integer(UInt64.self, what())
  }

  /// A non-negative 64-bit size or index that fits an `Int`.
  mutating func count64(_ what: @autoclosure () -> String) throws(ROOTError) -> Int {
    let value = try i64(what())
    guard value >= 0 else { throw .corrupt("negative \(what()) \(value)") }
    return Int(value)
  }

  mutating func string(_ what: @autoclosure () -> String) throws(ROOTError) -> String {
    let length = try u32(what())
    try need(length, what())
    defer { offset += length }
    return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
  }

  mutating func skip(_ n: Int, _ what: @autoclosure () -> String) throws(ROOTError) {
    try need(n, what())
    offset += n
  }

  /// Feature flags: 64-bit words, more following while the word is negative. Any set bit is a
  /// forward-incompatible feature this reader does not know (none are defined in 1.0).
  mutating func featureFlags(_ what: String) throws(ROOTError) {
    var words = 0
    while true {
      let word = try i64("\(what) feature flags")
      guard word == 0 else {
        throw ROOTError(
          "\(what) sets feature flag bits \(String(UInt64(bitPattern: word), radix: 16)) "
            + "(a newer RNTuple format feature, not supported)")
      }
      words += 1
      if word >= 0 || words > 64 { return }
    }
  }

  /// A frame at the cursor: its end and, for a list frame, its item count. The cursor is left
  /// on the frame's payload; `frame.end` is where the next item starts.
  mutating func frame(_ what: @autoclosure () -> String, list: Bool) throws(ROOTError) -> Frame {
    let start = offset
    let size = try i64("\(what()) frame size")
    let isList = size < 0
    guard size != .min, isList == list else {
      throw .corrupt(
        "\(what()) is a \(isList ? "list" : "record") frame, not a \(list ? "list" : "record") frame"
      )
    }
    let length = Int(size.magnitude)
    guard length >= (list ? 12 : 8), length <= limit - start else {
      throw .corrupt("\(what()) frame of \(length) bytes at byte \(start) overruns its envelope")
    }
    var items = 0
    if list {
      items = try u32("\(what()) item count")
      // Every item takes at least one byte, so a count larger than the frame is a lie.
      guard items <= length else { throw .corrupt("\(what()) claims \(items) items") }
    }
    return Frame(end: start + length, items: items)
  }

  /// Runs `body` inside a frame (with the limit narrowed to it), then moves to the frame's end.
  mutating func within<R>(
    _ frame: Frame, _ body: (inout EnvelopeCursor) throws(ROOTError) -> R
  ) throws(ROOTError) -> R {
    let outer = limit
    limit = frame.end
    let result = try body(&self)
    limit = outer
    offset = frame.end
    return result
  }

  struct Frame {
    var end: Int
    var items: Int
  }
}
