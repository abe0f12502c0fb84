internal import CCompression

/// liblzma's decoder for the .xz container (ROOT's "XZ" blocks).
package enum XZ {
  /// Decodes the .xz stream `input` to exactly `out.count` bytes, or throws.
  package static func decompress(
    _ input: some Collection<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
  ) throws(CompressionError) {
    var memlimit: UInt64 = UInt64.max
    var inPos = 0
    var outPos = 0
    let result = input.withContiguousBytes { input in
      lzma_stream_buffer_decode(
        &memlimit, 0, nil, input.baseAddress, &inPos, input.count, out.baseAddress, &outPos,
        out.count)
    }
    guard result == LZMA_OK, outPos == out.count else {
      throw .corrupt(
        .xz, detail: "lzma status \(result.rawValue), \(outPos) of \(out.count) bytes")
    }
  }

  /// The .xz stream `input` decoded; it must decode to exactly `expectedSize` bytes.
  package static func decompress(_ input: some Collection<UInt8>, expectedSize: Int)
    throws(CompressionError) -> [UInt8]
  {
    try decoded(size: expectedSize) { out throws(CompressionError) in
      try decompress(input, into: out)
    }
  }
}
