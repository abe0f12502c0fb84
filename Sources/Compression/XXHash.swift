internal import CCompression

/// xxHash (ROOT's "L4" blocks start with the XXH64 of their LZ4 payload; RNTuple's anchor,
/// envelopes and checksummed pages end with the XXH3-64 of their bytes).
package enum XXHash {
  /// XXH64 of `bytes` with `seed`.
  package static func hash64(_ bytes: some Collection<UInt8>, seed: UInt64 = 0) -> UInt64 {
    bytes.withContiguousBytes { XXH64($0.baseAddress, $0.count, seed) }
  }

  /// XXH3-64 of `bytes` (seed 0).
  package static func hash3(_ bytes: some Collection<UInt8>) -> UInt64 {
    bytes.withContiguousBytes { XXH3_64bits($0.baseAddress, $0.count) }
  }
}
