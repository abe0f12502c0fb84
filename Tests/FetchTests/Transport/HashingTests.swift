import Fetch
import Testing

@Suite struct HashingTests {
  @Test(arguments: [
    (ChecksumAlgorithm.md5, "b1946ac92492d2347c6235b4d2611184", "e5ebd4c02cefbe7955977c67ada242b7"),
    (.sha1, "f572d396fae9206628714fb2ce00f72e94f2258f", "2aa26ec98d674d5160b612c7edad7172d85c9df7"),
    (
      .sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
      "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470"
    ),
    (.adler32, "084b021f", "08780193"),
  ])
  func fixtureDigests(algorithm: ChecksumAlgorithm, hello: String, table: String) {
    #expect(StreamingHasher.hash(Fixture.hello, algorithm) == hello)
    #expect(StreamingHasher.hash(Fixture.table, algorithm) == table)
  }

  @Test func sha512OfHello() {
    #expect(
      StreamingHasher.hash(Fixture.hello, .sha512)
        == "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931"
        + "f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629")
  }

  @Test(arguments: ChecksumAlgorithm.allCases)
  func streamingEqualsOneShot(algorithm: ChecksumAlgorithm) {
    let bytes = Fixture.blob(100_003)
    var hasher = StreamingHasher(algorithm)
    var index = 0
    for size in [1, 7, 4096, 65_536, 1_000_000] where index < bytes.count {
      hasher.update(bytes[index..<min(bytes.count, index + size)])
      index += size
    }
    #expect(index >= bytes.count)
    #expect(hasher.finalize() == StreamingHasher.hash(bytes, algorithm))
    #expect(hasher.finalize() != StreamingHasher.hash(bytes.dropLast(), algorithm))
  }

  @Test func parsesPublishedForms() throws {
    let md5 = Checksum(.md5, Fixture.helloMD5)
    #expect(try Checksum.parse("md5:\(Fixture.helloMD5)") == md5)
    #expect(try Checksum.parse("MD5:\(Fixture.helloMD5.uppercased())") == md5)
    #expect(try Checksum.parse("\"md5:\(Fixture.helloMD5)\"") == md5)  // ETag
    #expect(try Checksum.parse("W/\"md5:\(Fixture.helloMD5)\"") == md5)
    #expect(try Checksum.parse(Fixture.helloMD5, defaultAlgorithm: .md5) == md5)
    #expect(try Checksum.parse(Fixture.helloMD5) == md5)  // by length
    #expect(try Checksum.parse("sZRqySSS0jR8YjW00mERhA==", defaultAlgorithm: .md5) == md5)
    #expect(
      try Checksum.parse("SHA-256=\(Fixture.helloSHA256)") == Checksum(.sha256, Fixture.helloSHA256)
    )
    #expect(
      try Checksum.parse("sha-256=WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=")
        == Checksum(.sha256, Fixture.helloSHA256))
    #expect(try Checksum.parse("adler32:84b021f") == Checksum(.adler32, "084b021f"))
    #expect(
      try Checksum.parse("84b021f", defaultAlgorithm: .adler32) == Checksum(.adler32, "084b021f"))
    #expect(try Checksum.parse("  ") == nil)
    #expect(try Checksum.parse("md5:") == nil)
  }

  @Test func rejectsUnreadableChecksums() {
    #expect(
      throws: FetchError.invalidChecksum(value: "crc32:1234", detail: "unknown algorithm \"crc32\"")
    ) {
      try Checksum.parse("crc32:1234")
    }
    #expect(
      throws: FetchError.invalidChecksum(value: "md5:abc", detail: "not 32 hex digits of md5")
    ) { try Checksum.parse("md5:abc") }
    #expect(throws: FetchError.self) {
      try Checksum.parse("md5:\(String(repeating: "g", count: 32))")
    }
    #expect(throws: FetchError.self) { try Checksum.parse("0123456789") }
  }
}
