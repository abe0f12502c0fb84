internal import CCompression

/// Zstandard frames (ROOT's "ZS" blocks).
package enum Zstd {
  /// Decodes the zstd frame(s) in `input` to exactly `out.count` bytes, or throws.
  package static func decompress(
    _ input: some Collection<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
  ) throws(CompressionError) {
    let n = input.withContiguousBytes { input in
      ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
    }
    guard ZSTD_isError(n) == 0, n == out.count else {
      let why =
        ZSTD_isError(n) != 0 ? String(cString: ZSTD_getErrorName(n)) : "\(n) of \(out.count) bytes"
      throw .corrupt(.zstd, detail: why)
    }
  }

  /// The zstd frame(s) in `input` decoded; they must decode to exactly `expectedSize` bytes.
  package static func decompress(_ input: some Collection<UInt8>, expectedSize: Int)
    throws(CompressionError) -> [UInt8]
  {
    try decoded(size: expectedSize) { out throws(CompressionError) in
      try decompress(input, into: out)
    }
  }
}
