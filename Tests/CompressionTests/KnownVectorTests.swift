import Compression
import Testing

/// Each codec decodes the fixed vectors; the checksums match Python's.
@Suite struct KnownVectorTests {
  @Test(arguments: Codec.all)
  func decodesVector(_ codec: Codec) throws {
    #expect(try codec.decode(codec.vector, Vectors.text.count) == Vectors.text)
  }

  @Test(arguments: Codec.all)
  func decodesIntoASliceOfALargerBuffer(_ codec: Codec) throws {
    // ROOTIO decodes each block into its place in the record's buffer; the input is a slice.
    let framed = [0xAA, 0xBB] + codec.vector + [0xCC]
    let input = framed[2..<(2 + codec.vector.count)]
    var out = [UInt8](repeating: 7, count: Vectors.text.count + 6)
    try out.withUnsafeMutableBufferPointer { buffer in
      let middle = UnsafeMutableBufferPointer(rebasing: buffer[3..<(3 + Vectors.text.count)])
      switch codec.description {
      case "zlib": try Inflate.zlib(input, into: middle)
      case "deflate": try Inflate.raw(input, into: middle)
      case "xz": try XZ.decompress(input, into: middle)
      case "lz4": try LZ4.decompressBlock(input, into: middle)
      default: try Zstd.decompress(input, into: middle)
      }
    }
    #expect(out == [7, 7, 7] + Vectors.text + [7, 7, 7])
  }

  @Test func checksums() {
    #expect(XXHash.hash64(Vectors.text) == Vectors.xxh64)
    #expect(XXHash.hash64([UInt8]()) == Vectors.xxh64Empty)
    #expect(XXHash.hash64(Vectors.text, seed: 42) == Vectors.xxh64Seed42)
    #expect(XXHash.hash64(Vectors.text[...]) == Vectors.xxh64, "a slice")
    #expect(Adler32().value == 1)
    var adler = Adler32()
    adler.update(Vectors.text[..<5])
    adler.update([UInt8]())
    adler.update(Vectors.text[5...])
    #expect(adler.value == Vectors.adler32)
  }

  @Test func emptyStreamsDecodeToNothing() throws {
    #expect(try Inflate.zlib(Vectors.bytes("789c030000000001"), expectedSize: 0) == [])
    #expect(try Inflate.raw(Vectors.bytes("0300"), expectedSize: 0) == [])
    #expect(try LZ4.decompressBlock([0], expectedSize: 0) == [])
  }
}
