import Compression
import FairflowBase
import FairflowTesting
import Testing

/// Truncated, corrupt or mis-sized input is a thrown ``CompressionError``, never a crash.
@Suite struct CorruptInputTests {
  @Test(arguments: Codec.all)
  func everyTruncationThrows(_ codec: Codec) {
    for length in 0..<codec.vector.count {
      #expect(throws: CompressionError.self, "\(codec) cut to \(length) bytes") {
        try codec.decode(Array(codec.vector[..<length]), Vectors.text.count)
      }
    }
  }

  @Test(arguments: Codec.all)
  func wrongExpectedSizeThrows(_ codec: Codec) {
    for size in [0, 1, Vectors.text.count - 1, Vectors.text.count + 1, 1 << 20] {
      #expect(throws: CompressionError.self, "\(codec) expecting \(size) bytes") {
        try codec.decode(codec.vector, size)
      }
    }
  }

  @Test(arguments: Codec.all)
  func flippedBytesThrowOrKeepTheSize(_ codec: Codec) {
    // A flip in a literal can still decode; it must then fill exactly the expected size.
    var generator = SplitMix64(seed: 11)
    var thrown = 0
    for position in codec.vector.indices {
      for _ in 0..<4 {
        var input = codec.vector
        input[position] ^= UInt8.random(in: 1...255, using: &generator)
        do {
          #expect(try codec.decode(input, Vectors.text.count).count == Vectors.text.count)
        } catch {
          thrown += 1
        }
      }
    }
    #expect(thrown > 0, "\(codec): no flip was noticed")
  }

  @Test(arguments: Codec.all)
  func garbageThrows(_ codec: Codec) {
    var generator = SplitMix64(seed: 5)
    for length in [1, 9, 64, 4096] {
      let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
      #expect(throws: CompressionError.self, "\(codec): \(length) random bytes") {
        try codec.decode(garbage, 1000)
      }
    }
  }

  @Test func errorsNameTheCodecAndWhatWentWrong() {
    #expect(throws: CompressionError.corrupt(.zlib, detail: "inflate status -5, 0 of 31 bytes")) {
      try Inflate.zlib(Vectors.zlib[..<2], expectedSize: 31)
    }
    #expect(throws: CompressionError.corrupt(.lz4, detail: "decoded 31 of 32 bytes")) {
      try LZ4.decompressBlock(Vectors.lz4, expectedSize: 32)
    }
    #expect(throws: CompressionError.corrupt(.zstd, detail: "Unknown frame descriptor")) {
      try Zstd.decompress([0] + Vectors.zstd.dropFirst(), expectedSize: 31)
    }
    let error = CompressionError.corrupt(.xz, detail: "lzma status 9, 0 of 31 bytes")
    #expect(error.description == "xz: corrupt input (lzma status 9, 0 of 31 bytes)")
  }

  @Test func aLookBackBeforeTheStartThrows() {
    // Token: no literal, match of 4 + 15; offset 0xFFFF reaches before the output's start.
    #expect(throws: CompressionError.self) {
      try LZ4.decompressBlock([0x0F, 0xFF, 0xFF, 0x00], expectedSize: 19)
    }
  }
}
