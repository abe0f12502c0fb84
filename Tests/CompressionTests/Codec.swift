import Compression

/// The decoders under one signature, so each test runs over all of them.
struct Codec: Sendable, CustomStringConvertible {
  let description: String
  /// The codec's encoding of `Vectors.text`.
  let vector: [UInt8]
  let decode: @Sendable ([UInt8], Int) throws(CompressionError) -> [UInt8]

  static let all: [Codec] = [
    Codec(description: "zlib", vector: Vectors.zlib) { (input, size) throws(CompressionError) in
      try Inflate.zlib(input, expectedSize: size)
    },
    Codec(description: "deflate", vector: Vectors.deflate) {
      (input, size) throws(CompressionError) in try Inflate.raw(input, expectedSize: size)
    },
    Codec(description: "xz", vector: Vectors.xz) { (input, size) throws(CompressionError) in
      try XZ.decompress(input, expectedSize: size)
    },
    Codec(description: "lz4", vector: Vectors.lz4) { (input, size) throws(CompressionError) in
      try LZ4.decompressBlock(input, expectedSize: size)
    },
    Codec(description: "zstd", vector: Vectors.zstd) { (input, size) throws(CompressionError) in
      try Zstd.decompress(input, expectedSize: size)
    },
  ]
}
