/// Why a codec call failed. The caller frames the message: ROOTIO says which compression block,
/// ModelImport which zip entry.
package enum CompressionError: Error, Equatable, Sendable {
  /// The decoder could not be set up (zlib's `inflateInit` failed: no memory).
  case cannotInitialise(Codec)
  /// The input is not a complete stream of the codec that decodes to exactly the expected size.
  /// `detail` is what the decoder reported, e.g. "inflate status -3, 0 of 100 bytes".
  case corrupt(Codec, detail: String)

  /// The codecs of this module.
  package enum Codec: String, Sendable {
    case zlib, deflate, xz, lz4, zstd
  }
}

extension CompressionError: CustomStringConvertible {
  package var description: String {
    switch self {
    case .cannotInitialise(let codec): "\(codec.rawValue): cannot initialise"
    case .corrupt(let codec, let detail): "\(codec.rawValue): corrupt input (\(detail))"
    }
  }
}
