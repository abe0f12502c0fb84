internal import CCompression

/// zlib's Adler-32 checksum, fed incrementally (a checksum algorithm of fetched files).
package struct Adler32: Sendable {
  /// The checksum of the bytes so far (1 before any).
  package private(set) var value: UInt

  package init() { value = adler32(0, nil, 0) }

  /// Adds `bytes` to the checksum.
  package mutating func update(_ bytes: some Collection<UInt8>) {
    // adler32_z restarts at 1 when handed no buffer, which an empty one may have.
    guard !bytes.isEmpty else { return }
    let running = value
    value = bytes.withContiguousBytes { adler32_z(running, $0.baseAddress, $0.count) }
  }
}
