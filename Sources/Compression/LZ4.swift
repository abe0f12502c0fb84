internal import CCompression

/// LZ4's block format (no frame, no checksum: ROOT's "L4" blocks carry their own XXH64).
package enum LZ4 {
  /// Decodes the raw LZ4 block `input` to exactly `out.count` bytes, or throws.
  package static func decompressBlock(
    _ input: some Collection<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
  ) throws(CompressionError) {
    guard input.count <= Int32.max, out.count <= Int32.max else {
      throw .corrupt(.lz4, detail: "block larger than 2 GiB")
    }
    let n = input.withContiguousBytes { input in
      input.withMemoryRebound(to: CChar.self) { chars in
        out.withMemoryRebound(to: CChar.self) { dst in
          LZ4_decompress_safe(
            chars.baseAddress, dst.baseAddress, Int32(chars.count), Int32(dst.count))
        }
      }
    }
    guard Int(n) == out.count else {
      throw .corrupt(.lz4, detail: "decoded \(n) of \(out.count) bytes")
    }
  }

  /// The raw LZ4 block `input` decoded; it must decode to exactly `expectedSize` bytes.
  package static func decompressBlock(_ input: some Collection<UInt8>, expectedSize: Int)
    throws(CompressionError) -> [UInt8]
  {
    try decoded(size: expectedSize) { out throws(CompressionError) in
      try decompressBlock(input, into: out)
    }
  }
}
