/// How an RNTuple column's elements are stored in a page (specification 1.0, "Column
/// Description"), and how a page is turned back into native little-endian elements.
///
/// - plain types are little-endian elements back to back; `Bit` packs 8 booleans a byte, least
///   significant bit first;
/// - split types store all first bytes of a page, then all second bytes, …;
/// - split signed integers are also zigzag encoded (x → 2x, or −(2x+1) for negative x);
/// - split index columns are also delta encoded (each element minus the previous one).
///
/// Encodings apply within one page, so pages are decoded one at a time.
struct RNTupleColumnType: Sendable, Equatable {
  let code: Int
  /// Bytes per element in memory (booleans: 1).
  let width: Int
  let split: Bool
  let zigzag: Bool
  let delta: Bool

  var isBit: Bool { code == 0x00 }
  var isIndex: Bool { [0x0E, 0x0F, 0x1A, 0x1B].contains(code) }
  var name: String { Self.names[code] ?? "unknown column type \(code)" }

  /// Bytes a page of `elements` takes on disk once decompressed.
  func storedBytes(_ elements: Int) -> Int { isBit ? (elements + 7) / 8 : elements * width }

  static let names: [Int: String] = [
    0x00: "Bit", 0x01: "Byte", 0x02: "Char", 0x03: "Int8", 0x04: "UInt8", 0x05: "Int16",
    0x06: "UInt16", 0x07: "Int32", 0x08: "UInt32", 0x09: "Int64", 0x0A: "UInt64",
    0x0B: "Real16", 0x0C: "Real32", 0x0D: "Real64", 0x0E: "Index32", 0x0F: "Index64",
    0x10: "Switch", 0x11: "SplitInt16", 0x12: "SplitUInt16", 0x13: "SplitInt32",
    0x14: "SplitUInt32", 0x15: "SplitInt64", 0x16: "SplitUInt64", 0x17: "SplitReal16",
    0x18: "SplitReal32", 0x19: "SplitReal64", 0x1A: "SplitIndex32", 0x1B: "SplitIndex64",
    0x1C: "Real32Trunc", 0x1D: "Real32Quant",
  ]

  /// The decodable column type with this code and bit width, or an error naming what is not
  /// supported (half floats, truncated or quantized floats, variant switches, unknown types).
  init(code: Int, bits: Int) throws(ROOTError) {
    self.code = code
    let plain: [Int: Int] = [
      0x00: 1, 0x01: 1, 0x02: 1, 0x03: 1, 0x04: 1, 0x05: 2, 0x06: 2, 0x07: 4, 0x08: 4, 0x09: 8,
      0x0A: 8, 0x0C: 4, 0x0D: 8, 0x0E: 4, 0x0F: 8,
    ]
    let splitTypes: [Int: Int] = [
      0x11: 2, 0x12: 2, 0x13: 4, 0x14: 4, 0x15: 8, 0x16: 8, 0x18: 4, 0x19: 8, 0x1A: 4, 0x1B: 8,
    ]
    if let width = plain[code] {
      (self.width, split, zigzag, delta) = (width, false, false, false)
    } else if let width = splitTypes[code] {
      (self.width, split) = (width, true)
      zigzag = [0x11, 0x13, 0x15].contains(code)
      delta = [0x1A, 0x1B].contains(code)
    } else {
      let name = Self.names[code].map { "column type \($0)" } ?? "unknown column type \(code)"
      let why =
        [0x0B, 0x17, 0x1C, 0x1D].contains(code)
        ? " (half-precision, truncated and quantized floats are not read)"
        : code == 0x10 ? " (std::variant is not supported)" : ""
      throw ROOTError("\(name) is not supported\(why)")
    }
    guard bits == (code == 0x00 ? 1 : width * 8) else {
      throw ROOTError(
        "column type \(Self.names[code] ?? "\(code)") with \(bits) bits on storage is not supported"
      )
    }
  }

  /// Decodes one page of `elements` stored in `page` into `out` (`elements * width` bytes).
  func decode(_ page: UnsafeRawBufferPointer, elements n: Int, into out: UnsafeMutableRawPointer) {
    if isBit {
      let bytes = out.assumingMemoryBound(to: UInt8.self)
      for i in 0..<n { bytes[i] = page[i >> 3] >> UInt8(i & 7) & 1 }
      return
    }
    guard split else {
      out.copyMemory(from: page.baseAddress!, byteCount: n * width)
      return
    }
    let bytes = out.assumingMemoryBound(to: UInt8.self)
    for b in 0..<width {
      let plane = page.baseAddress!.advanced(by: b * n).assumingMemoryBound(to: UInt8.self)
      for i in 0..<n { bytes[i &* width &+ b] = plane[i] }
    }
    switch width {
    case 2: transform(out, n, UInt16.self)
    case 4: transform(out, n, UInt32.self)
    default: transform(out, n, UInt64.self)
    }
  }

  /// Undoes zigzag or delta encoding in place (little-endian words).
  func transform<T: FixedWidthInteger & UnsignedInteger>(
    _ out: UnsafeMutableRawPointer, _ n: Int, _: T.Type
  ) {
    let words = out.assumingMemoryBound(to: T.self)
    if zigzag {
      for i in 0..<n {
        let u = T(littleEndian: words[i])
        words[i] = ((u >> 1) ^ (0 &- (u & 1))).littleEndian
      }
    } else if delta {
      var sum: T = 0
      for i in 0..<n {
        sum &+= T(littleEndian: words[i])
        words[i] = sum.littleEndian
      }
    }
  }
}
