import FairflowBase
import FairflowCore
import Testing

@Suite struct DigestTests {
  static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

  @Test func knownVectors() {
    #expect(Digest.of("abc").hex == Self.abc)
    #expect(
      Digest.of("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(Digest.of(Array("abc".utf8)) == Digest.of("abc"))
  }

  @Test func hexAndBytesRoundTrip() throws {
    let digest = Digest.of("abc")
    #expect(Digest(hex: digest.hex) == digest)
    #expect(Digest(bytes: digest.bytes) == digest)
    #expect(digest.bytes.count == 32)
    #expect(digest.description == Self.abc)
    #expect(digest.short == "ba7816bf8f01")
    // Sequences without contiguous storage take the same path as arrays.
    #expect(Digest(bytes: AnySequence(digest.bytes)) == digest)
    #expect(Digest.of(AnySequence("abc".utf8)) == digest)
  }

  @Test(arguments: [
    String(abc.dropLast()), abc + "0", abc.uppercased(), "g" + String(abc.dropFirst()), "",
  ])
  func strictHexParsing(_ hex: String) {
    #expect(Digest(hex: hex) == nil)
  }

  @Test func streamingHasherMatchesOneShot() {
    var hasher = ContentHasher()
    let bytes = Array("hello, world".utf8)
    bytes[..<5].withUnsafeBytes { hasher.update($0) }
    bytes[5...].withUnsafeBytes { hasher.update($0) }
    #expect(hasher.finalize() == Digest.of(bytes))
  }

  @Test func orderIsTotalAndFollowsHex() {
    let a = Digest.of("a"), b = Digest.of("b")
    #expect((a < b) != (b < a))
    #expect((a < b) == (a.hex < b.hex))
    #expect(!(a < a))
  }
}
