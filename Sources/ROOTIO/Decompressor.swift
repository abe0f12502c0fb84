internal import Compression

/// ROOT's compression blocks (reference §2): a record's data is one or more blocks, each a 9-byte
/// header (2-byte algorithm tag, method byte, little-endian 24-bit compressed and uncompressed
/// sizes) and a payload: ZL = zlib stream, XZ = .xz container, L4 = XXH64 checksum + raw LZ4
/// block, ZS = zstd frame. The algorithm is read per block; `fCompress` is never trusted.
enum Decompressor {
  /// Decompresses `input` to exactly `expected` bytes, or throws naming what was wrong.
  static func decompress(_ input: ArraySlice<UInt8>, expected: Int) throws(ROOTError) -> [UInt8] {
    // Every byte is written by a decompressor below, or the call throws.
    var output = [UInt8](unsafeUninitializedCapacity: expected) { _, count in count = expected }
    try output.withUnsafeMutableBufferPointer { (out) throws(ROOTError) in
      try decompress(input, into: out)
    }
    return output
  }

  /// Decompresses `input` into exactly all of `output` (RNTuple pages go straight into the
  /// column they belong to).
  static func decompress(_ input: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
    throws(ROOTError)
  {
    let expected = out.count
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
      do {
        let destination = UnsafeMutableBufferPointer(rebasing: out[outPos..<outPos + u])
        switch tag {
        case "ZL":
          try codec("zlib block") { () throws(CompressionError) in
            try Inflate.zlib(payload, into: destination)
          }
        case "XZ":
          try codec("xz block") { () throws(CompressionError) in
            try XZ.decompress(payload, into: destination)
          }
        case "L4": try lz4(payload, into: destination)
        case "ZS":
          try codec("zstd block") { () throws(CompressionError) in
            try Zstd.decompress(payload, into: destination)
          }
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
  }

  /// ROOT's "L4" payload: the big-endian XXH64 of the LZ4 block, then the block.
  static func lz4(_ payload: ArraySlice<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>)
    throws(ROOTError)
  {
    guard payload.count >= 8 else { throw .corrupt("LZ4 block shorter than its checksum") }
    let s = payload.startIndex
    var expected: UInt64 = 0
    for i in 0..<8 { expected = expected << 8 | UInt64(payload[s + i]) }
    let block = payload[(s + 8)...]
    guard XXHash.hash64(block) == expected else {
      throw .corrupt("LZ4 block checksum (XXH64) mismatch")
    }
    try codec("LZ4 block") { () throws(CompressionError) in
      try LZ4.decompressBlock(block, into: out)
    }
  }

  /// Runs one codec call; its failure becomes ROOT's message for the block (`what`).
  static func codec(_ what: String, _ call: () throws(CompressionError) -> Void)
    throws(ROOTError)
  {
    do {
      try call()
    } catch {
      switch error {
      case .cannotInitialise(let codec): throw ROOTError("\(codec.rawValue): cannot initialise")
      case .corrupt(_, let detail): throw .corrupt("\(what) (\(detail))")
      }
    }
  }
}
