internal import CCompression

/// zlib's inflate: a deflate stream, bare (RFC 1951, zip entries) or in its zlib wrapper
/// (RFC 1950, ROOT's "ZL" blocks), decoded to exactly the size the container states.
package enum Inflate {
  /// Inflates the zlib stream `input` (RFC 1950) to exactly `out.count` bytes, or throws.
  package static func zlib(
    _ input: some Collection<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
  ) throws(CompressionError) {
    try inflate(input, into: out, windowBits: 15, codec: .zlib)
  }

  /// Inflates the raw deflate stream `input` (RFC 1951) to exactly `out.count` bytes, or throws.
  package static func raw(
    _ input: some Collection<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
  ) throws(CompressionError) {
    try inflate(input, into: out, windowBits: -15, codec: .deflate)
  }

  /// The zlib stream `input` inflated; it must decode to exactly `expectedSize` bytes.
  package static func zlib(_ input: some Collection<UInt8>, expectedSize: Int)
    throws(CompressionError) -> [UInt8]
  {
    try decoded(size: expectedSize) { out throws(CompressionError) in try zlib(input, into: out) }
  }

  /// The raw deflate stream `input` inflated; it must decode to exactly `expectedSize` bytes.
  package static func raw(_ input: some Collection<UInt8>, expectedSize: Int)
    throws(CompressionError) -> [UInt8]
  {
    try decoded(size: expectedSize) { out throws(CompressionError) in try raw(input, into: out) }
  }

  /// One `inflate(Z_FINISH)` call over the whole input into the whole output.
  private static func inflate(
    _ input: some Collection<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>,
    windowBits: Int32, codec: CompressionError.Codec
  ) throws(CompressionError) {
    guard input.count <= UInt32.max, out.count <= UInt32.max else {
      throw .corrupt(codec, detail: "more than 4 GiB in one stream")
    }
    var stream = z_stream()
    guard
      inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw .cannotInitialise(codec) }
    defer { inflateEnd(&stream) }
    let result: Int32 = input.withContiguousBytes { input in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      stream.avail_in = UInt32(input.count)
      stream.next_out = out.baseAddress
      stream.avail_out = UInt32(out.count)
      return CCompression.inflate(&stream, Z_FINISH)
    }
    guard result == Z_STREAM_END, Int(stream.total_out) == out.count else {
      throw .corrupt(
        codec, detail: "inflate status \(result), \(stream.total_out) of \(out.count) bytes")
    }
  }
}
