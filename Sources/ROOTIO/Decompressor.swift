internal import CCompression

/// ROOT's compression blocks (reference §2): a record's data is one or more blocks, each a 9-byte
/// header (2-byte algorithm tag, method byte, little-endian 24-bit compressed and uncompressed
/// sizes) and a payload: ZL = zlib stream, XZ = .xz container, L4 = XXH64 checksum + raw LZ4
/// block, ZS = zstd frame. The algorithm is read per block; `fCompress` is never trusted.
enum Decompressor {
  /// Decompresses `input` to exactly `expected` bytes, or throws naming what was wrong.
  static func decompress(_ input: ArraySlice<UInt8>, expected: Int) throws(ROOTError) -> [UInt8] {
    // Every byte is written by a decompressor below, or the call throws.
    var output = [UInt8](unsafeUninitializedCapacity: expected) { _, count in count = expected }
    var inPos = input.startIndex
    var outPos = 0
    while outPos < expected {
      guard input.endIndex - inPos >= 9 else {
        throw .corrupt("compression block header (\(outPos) of \(expected) bytes decompressed)")
      }
      let tag = String(decoding: input[inPos..<inPos + 2], as: UTF8.self)
      let c = Int(input[inPos + 3]) | Int(input[inPos + 4]) << 8 | Int(input[inPos + 5]) << 16
      let u = Int(input[inPos + 6]) | Int(input[inPos + 7]) << 8 | Int(input[inPos + 8]) << 16
      let payloadStart = inPos + 9
      guard c <= input.endIndex - payloadStart, u <= expected - outPos, u > 0 else {
        throw .corrupt(
          "compression block sizes (compressed \(c), uncompressed \(u)) do not fit the record")
      }
      let payload = input[payloadStart..<payloadStart + c]
      try output.withUnsafeMutableBufferPointer { out throws(ROOTError) in
        let destination = UnsafeMutableBufferPointer(rebasing: out[outPos..<outPos + u])
        switch tag {
        case "ZL": try zlib(payload, into: destination)
        case "XZ": try xz(payload, into: destination)
        case "L4": try lz4(payload, into: destination)
        case "ZS": try zstd(payload, into: destination)
        case "CS":
          throw ROOTError("unsupported compression: ROOT's old 'CS' deflate variant")
        default:
          throw ROOTError.corrupt(
            "unknown compression algorithm tag \(input[inPos]),\(input[inPos + 1])")
        }
      }
      inPos = payloadStart + c
      outPos += u
    }
    return output
  }

  static func zlib(_ payload: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
    throws(ROOTError)
  {
    var stream = z_stream()
    guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw ROOTError("zlib: cannot initialise")
    }
    defer { inflateEnd(&stream) }
    let result: Int32 = payload.withUnsafeBufferPointer { input in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = UInt32(input.count)
      stream.next_out = out.baseAddress
      stream.avail_out = UInt32(out.count)
      return inflate(&stream, Z_FINISH)
    }
    guard result == Z_STREAM_END, Int(stream.total_out) == out.count else {
      throw .corrupt(
        "zlib block (inflate status \(result), \(stream.total_out) of \(out.count) bytes)")
    }
  }

  static func xz(_ payload: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
    throws(ROOTError)
  {
    var memlimit: UInt64 = UInt64.max
    var inPos = 0
    var outPos = 0
    let result = payload.withUnsafeBufferPointer { input in
      lzma_stream_buffer_decode(
        &memlimit, 0, nil, input.baseAddress, &inPos, input.count, out.baseAddress, &outPos,
        out.count)
    }
    guard result == LZMA_OK, outPos == out.count else {
      throw .corrupt("xz block (lzma status \(result.rawValue), \(outPos) of \(out.count) bytes)")
    }
  }

  static func lz4(_ payload: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
    throws(ROOTError)
  {
    guard payload.count >= 8 else { throw .corrupt("LZ4 block shorter than its checksum") }
    let s = payload.startIndex
    var expected: UInt64 = 0
    for i in 0..<8 { expected = expected << 8 | UInt64(payload[s + i]) }
    let block = payload[(s + 8)...]
    let actual = block.withUnsafeBufferPointer { XXH64($0.baseAddress, $0.count, 0) }
    guard actual == expected else { throw .corrupt("LZ4 block checksum (XXH64) mismatch") }
    let n = block.withUnsafeBufferPointer { input in
      input.withMemoryRebound(to: CChar.self) { chars in
        out.withMemoryRebound(to: CChar.self) { dst in
          LZ4_decompress_safe(
            chars.baseAddress, dst.baseAddress, Int32(chars.count), Int32(dst.count))
        }
      }
    }
    guard Int(n) == out.count else {
      throw .corrupt("LZ4 block (decoded \(n) of \(out.count) bytes)")
    }
  }

  static func zstd(_ payload: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
    throws(ROOTError)
  {
    let n = payload.withUnsafeBufferPointer { input in
      ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
    }
    guard ZSTD_isError(n) == 0, n == out.count else {
      let why =
        ZSTD_isError(n) != 0 ? String(cString: ZSTD_getErrorName(n)) : "\(n) of \(out.count) bytes"
      throw .corrupt("zstd block (\(why))")
    }
  }
}
